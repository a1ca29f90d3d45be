import { describe, expect, it } from 'vitest';
import { CallDurations } from './call-durations.ts';

describe('call durations against timeout + grace', () => {
  it('keeps the longest call and counts those that took longer than the limit', () => {
    const durations = new CallDurations(3_000);
    const quick = durations.began(0);
    const slow = durations.began(100);
    durations.ended(quick, 1_001);
    durations.ended(slow, 5_100);
    durations.ended(slow, 9_000); // a second end of the same call changes nothing
    expect(durations.report()).toEqual({ longestCallMs: 5_000, overdue: 1 });
  });

  it('counts the calls still pending at the close-out with their age', () => {
    const durations = new CallDurations(3_000);
    durations.began(0);
    durations.began(1_000);
    expect(durations.pendingCalls).toBe(2);
    expect(durations.closeOut(10_000)).toBe(2);
    expect(durations.pendingCalls).toBe(0);
    expect(durations.report()).toEqual({ longestCallMs: 10_000, overdue: 2 });
  });

  it('counts a call someone gave up on at the limit as overdue', () => {
    const durations = new CallDurations(3_000);
    durations.gaveUp(durations.began(0), 3_000);
    expect(durations.report()).toEqual({ longestCallMs: 3_001, overdue: 1 });
  });
});
