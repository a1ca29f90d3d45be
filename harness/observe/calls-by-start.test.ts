import { describe, expect, it } from 'vitest';
import { CallsByStartRecorder, mergeCallsByStart } from './calls-by-start.ts';
import { decodeHistogram } from './histogram.ts';

describe('calls by intended start', { timeout: 10_000 }, () => {
  it('puts a call in the interval in which it was due to start, not the one in which it ended', () => {
    // The run started 5 s ago; a call due 3.5 s ago started in interval 1, whenever it ends.
    const recorder = new CallsByStartRecorder(Date.now() - 5000, 1000);
    recorder.ended('timedOut', performance.now() - 3500);
    recorder.ended('answered', performance.now() - 3400, 3_400_000);
    recorder.ended('answered', performance.now() - 200, 200_000);
    const encoded = recorder.encode();
    expect(encoded.outcomes).toEqual([
      { index: 1, answered: 1, wrongResult: 0, timedOut: 1, remoteErrors: 0, connectionLost: 0, otherErrors: 0 },
      { index: 4, answered: 1, wrongResult: 0, timedOut: 0, remoteErrors: 0, connectionLost: 0, otherErrors: 0 },
    ]);
    expect(encoded.latency.intervals.map((i) => i.index)).toEqual([1, 4]);
  });

  it('counts a wrong result as answered too, as the run counters do', () => {
    const recorder = new CallsByStartRecorder(Date.now() - 1000, 1000);
    recorder.ended('wrongResult', performance.now() - 500, 500_000);
    expect(recorder.encode().outcomes[0]).toMatchObject({ index: 0, answered: 1, wrongResult: 1 });
  });

  it("adds every client's intervals: counts summed, histograms merged exactly", () => {
    const start = Date.now() - 3000;
    const a = new CallsByStartRecorder(start, 1000);
    const b = new CallsByStartRecorder(start, 1000);
    a.ended('answered', performance.now() - 2500, 10_000);
    b.ended('answered', performance.now() - 2500, 30_000);
    b.ended('connectionLost', performance.now() - 2500);
    const merged = mergeCallsByStart([a.encode(), b.encode()], 3000)!;
    expect(merged).toMatchObject({ intervalMs: 1000, loadDurationMs: 3000 });
    expect(merged.intervals).toHaveLength(1);
    expect(merged.intervals[0]).toMatchObject({ tMs: 0, answered: 2, connectionLost: 1 });
    const histogram = decodeHistogram(merged.intervals[0]!.histogram!);
    expect(histogram.totalCount).toBe(2);
    expect(histogram.maxValue).toBeGreaterThanOrEqual(29_990);
  });

  it('keeps quarter-second intervals by default', () => {
    const recorder = new CallsByStartRecorder(Date.now() - 5000);
    // Due 1.6 s after the run start: quarter 6.
    recorder.ended('timedOut', performance.now() - 3400);
    expect(recorder.encode()).toMatchObject({ intervalMs: 250, outcomes: [{ index: 6, timedOut: 1 }] });
  });

  it('has nothing to merge without clients', () => {
    expect(mergeCallsByStart([], 1000)).toBeUndefined();
  });
});
