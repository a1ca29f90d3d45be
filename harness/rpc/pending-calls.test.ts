import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { PendingCallTable, type PendingCall } from './pending-calls.ts';

function pendingCall(correlationId: string): PendingCall<number> & { outcome: string[] } {
  const outcome: string[] = [];
  return {
    correlationId,
    n: 1,
    sentAtMs: Date.now(),
    resolve: (value) => outcome.push(`resolved ${value}`),
    reject: (error) => outcome.push(`rejected ${error.message}`),
    outcome,
  };
}

/** A full collection, so heap figures count live objects only (gc is exposed to a fresh context). */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

const newTable = (finishedMemory?: number) => new PendingCallTable<number>({ idPrefix: 'client-a', finishedMemory });

describe('PendingCallTable', () => {
  it('hands out correlation ids that are unique and carry its prefix', () => {
    const table = newTable();
    const ids = Array.from({ length: 3 }, () => table.newCorrelationId());
    expect(ids).toEqual(['client-a.1', 'client-a.2', 'client-a.3']);
  });

  it('hands a pending call out exactly once', () => {
    const table = newTable();
    const a = table.newCorrelationId();
    table.add(pendingCall(a));
    expect(table.take(a, 'answered')?.correlationId).toBe(a);
    expect(table.take(a, 'answered')).toBeUndefined();
    expect(table.size).toBe(0);
  });

  it('classifies a reply for an answered call as a duplicate', () => {
    const table = newTable();
    const a = table.newCorrelationId();
    table.add(pendingCall(a));
    table.take(a, 'answered');
    expect(table.classifyDiscard(a)).toBe('duplicate');
  });

  it('classifies a reply for a timed-out or failed call as late', () => {
    const table = newTable();
    const t = table.newCorrelationId();
    const f = table.newCorrelationId();
    table.add(pendingCall(t));
    table.add(pendingCall(f));
    table.take(t, 'timed-out');
    table.take(f, 'failed');
    expect(table.classifyDiscard(t)).toBe('late');
    expect(table.classifyDiscard(f)).toBe('late');
  });

  it('classifies a reply it never saw, or one without correlation id, as unknown', () => {
    const table = newTable();
    expect(table.classifyDiscard('foreign')).toBe('unknown');
    expect(table.classifyDiscard('client-b.1')).toBe('unknown');
    expect(table.classifyDiscard('client-a.99')).toBe('unknown'); // ours in form, never handed out
    expect(table.classifyDiscard(undefined)).toBe('unknown');
  });

  it('forgets the oldest finished calls beyond its memory, so it stays bounded', () => {
    const table = newTable(2);
    const ids = [table.newCorrelationId(), table.newCorrelationId(), table.newCorrelationId()];
    for (const id of ids) {
      table.add(pendingCall(id));
      table.take(id, 'answered');
    }
    expect(table.classifyDiscard(ids[0])).toBe('unknown');
    expect(table.classifyDiscard(ids[2])).toBe('duplicate');
  });

  it('keeps its memory of finished calls in fixed space: a million calls grow the heap by well under 10 MB', () => {
    const table = newTable();
    collectGarbage();
    const heapBefore = process.memoryUsage().heapUsed;
    for (let i = 0; i < 1_000_000; i++) {
      const id = table.newCorrelationId();
      table.add(pendingCall(id));
      table.take(id, i % 10 === 0 ? 'timed-out' : 'answered');
    }
    collectGarbage();
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(10 * 2 ** 20);
    expect(table.classifyDiscard('client-a.1000000')).toBe('duplicate');
    expect(table.classifyDiscard('client-a.999991')).toBe('late');
    expect(table.classifyDiscard('client-a.1')).toBe('unknown');
  });

  it('refuses a correlation id that is already in use', () => {
    const table = newTable();
    const a = table.newCorrelationId();
    table.add(pendingCall(a));
    expect(() => table.add(pendingCall(a))).toThrow(/already in use/);
    table.take(a, 'answered');
    expect(() => table.add(pendingCall(a))).toThrow(/already in use/);
  });

  it('drains every pending call and clears its timer', () => {
    const table = newTable();
    const [a, b] = [table.newCorrelationId(), table.newCorrelationId()];
    const call = pendingCall(a);
    call.timer = setTimeout(() => { throw new Error('timer must have been cleared'); }, 50);
    table.add(call);
    table.add(pendingCall(b));
    expect(table.drain('failed').map((c) => c.correlationId)).toEqual([a, b]);
    expect(table.size).toBe(0);
    expect(table.classifyDiscard(b)).toBe('late');
  });
});
