import { describe, expect, it } from 'vitest';
import { CallIdSet, MAX_OTHER_IDS } from './call-id-set.ts';

const ids = (client: string, sequences: number[]) => sequences.map((s) => `${client}.${s}`);

describe('CallIdSet', () => {
  it('keeps ids answered in order as one range per client', () => {
    const set = new CallIdSet();
    for (const id of ids('a', [1, 2, 3, 4, 5])) set.add(id);
    expect(set.encode()).toEqual({ ranges: { a: [1, 5] }, other: [] });
    expect(set.size).toBe(5);
  });

  it('merges ranges as gaps fill, in any order, and ignores repeats (redeliveries)', () => {
    const set = new CallIdSet();
    for (const id of ids('a', [5, 1, 3, 9, 2, 3, 4, 8])) set.add(id);
    expect(set.encode().ranges).toEqual({ a: [1, 5, 8, 9] });
    expect(set.size).toBe(7);
    expect(set.has('a.4')).toBe(true);
    expect(set.has('a.6')).toBe(false);
    expect(set.has('b.4')).toBe(false);
  });

  it('unions what several servers handled round-robin into one range', () => {
    const union = new CallIdSet();
    const odd = new CallIdSet();
    const even = new CallIdSet();
    for (let s = 1; s <= 100; s++) (s % 2 ? odd : even).add(`a.${s}`);
    union.addAll(odd.encode());
    union.addAll(even.encode());
    expect(union.encode().ranges).toEqual({ a: [1, 100] });
  });

  it('tells which ids another set lacks', () => {
    const sent = new CallIdSet();
    const handled = new CallIdSet();
    for (const id of ids('a', [1, 2, 3, 4, 5, 6])) sent.add(id);
    for (const id of ids('a', [1, 2, 4, 6])) handled.add(id);
    handled.add('stranger-request');
    expect(sent.minus(handled)).toEqual({ count: 2, examples: ['a.3', 'a.5'] });
    expect(handled.minus(sent)).toEqual({ count: 1, examples: ['stranger-request'] });
  });

  it('keeps ids of another shape up to a bound and still counts the rest as unmatched', () => {
    const set = new CallIdSet();
    for (let i = 0; i < MAX_OTHER_IDS + 3; i++) set.add(`x-${i}`);
    expect(set.size).toBe(MAX_OTHER_IDS + 3);
    expect(set.minus(set).count).toBe(3);
  });

  it('round-trips through its encoding', () => {
    const set = new CallIdSet();
    for (const id of [...ids('a', [1, 2, 7]), ...ids('b', [3]), 'odd']) set.add(id);
    expect(CallIdSet.decode(set.encode()).encode()).toEqual(set.encode());
  });
  it('holds exactly the ids added, in any order, as a plain set of them would', () => {
    let seed = 7;
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    const set = new CallIdSet();
    const reference = new Set<string>();
    for (let i = 0; i < 3_000; i++) {
      // Mostly in order with a window of reordering, some repeats, two clients, ids of another shape.
      const id =
        random() < 0.05
          ? `stranger-${Math.floor(random() * 50)}`
          : `${random() < 0.5 ? 'a' : 'b.c'}.${Math.max(1, i - Math.floor(random() * 40))}`;
      set.add(id);
      reference.add(id);
    }
    expect(set.size).toBe(reference.size);
    for (const id of reference) expect(set.has(id)).toBe(true);
    for (const id of ['a.0', 'a.99999', 'b.c.3001', 'stranger-51', 'b.9']) expect(set.has(id)).toBe(reference.has(id));
  });
});
