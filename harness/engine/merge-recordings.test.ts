import { describe, expect, it } from 'vitest';
import { mergeRecordings } from '../observe/interval-series.ts';
import { LatencyRecorder } from '../observe/latency-recorder.ts';
import { summarize } from '../observe/latency-summary.ts';
import { summarizeRecordings } from './merge-recordings.ts';

describe('summarizeRecordings', () => {
  it("summarizes the processes' merged totals, as the full merge with its intervals does", () => {
    const recordings = [0, 1, 2].map((worker) => {
      const recorder = new LatencyRecorder({ runStartEpochMs: 0 });
      for (let i = 0; i < 3_000; i++) recorder.record(200 + ((i * 7919 + worker * 104_729) % 50_000), (i * 3) % 6_000);
      return recorder.encode();
    });
    expect(recordings[0]!.intervals.length).toBeGreaterThan(1);
    const summary = summarizeRecordings(recordings);
    expect(summary.count).toBe(9_000);
    expect(summary).toEqual(summarize(mergeRecordings(recordings).total));
  });
});
