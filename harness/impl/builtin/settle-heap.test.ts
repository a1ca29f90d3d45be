import { describe, expect, it } from 'vitest';
import { settleHeap } from './settle-heap.ts';

describe('settleHeap', () => {
  it('runs the collector once when there is one', () => {
    let collections = 0;
    expect(settleHeap(() => collections++)).toBe(true);
    expect(collections).toBe(1);
  });

  it('does nothing and says so without a collector (a process without --expose-gc)', () => {
    expect(settleHeap(undefined)).toBe(false);
    expect(settleHeap('not a function')).toBe(false);
  });
});
