import { describe, expect, it } from 'vitest';
import { LatencyResultSchema } from '../model/result-schema.ts';
import {
  createLatencyHistogram,
  decodeHistogram,
  encodeHistogram,
  HISTOGRAM_BOUNDS,
  mergeHistograms,
} from './histogram.ts';
import { intervalSeries, latencyResult, MAX_SERIES_POINTS, mergeRecordings } from './interval-series.ts';
import { LatencyRecorder } from './latency-recorder.ts';
import { meanAndDeviation, percentileSpectrum, summarize } from './latency-summary.ts';

/** Deterministic latencies in microseconds: mostly 0.2-5 ms with a long tail up to ~2 s. */
function samples(count: number, seed = 42): number[] {
  let state = seed;
  const random = () => (state = (state * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  return Array.from({ length: count }, () => {
    const base = 200 + random() * 4800;
    return Math.round(random() < 0.01 ? base * (1 + random() * 400) : base);
  });
}

describe('HDR latency histograms', { timeout: 30_000 }, () => {
  it('merging encoded histograms of samples split across 3 processes equals the histogram of all samples', () => {
    const all = samples(30_000);
    const whole = createLatencyHistogram();
    for (const value of all) whole.recordValue(value);

    const perProcess = [0, 1, 2].map((worker) => {
      const histogram = createLatencyHistogram();
      for (const value of all.filter((_, index) => index % 3 === worker)) histogram.recordValue(value);
      return encodeHistogram(histogram); // what a worker sends to the parent
    });
    const merged = mergeHistograms(perProcess);

    expect(merged.totalCount).toBe(all.length);
    expect(summarize(merged)).toEqual(summarize(whole));
    for (const percentile of [0, 25, 50, 90, 99, 99.9, 99.99, 100]) {
      expect(merged.getValueAtPercentile(percentile)).toBe(whole.getValueAtPercentile(percentile));
    }
    expect(summarize(merged).max).toBe(summarize(whole).max);
    expect(percentileSpectrum(merged)).toEqual(percentileSpectrum(whole));
  });

  it('summarizes in milliseconds within 3 significant digits of the exact values', () => {
    const histogram = createLatencyHistogram();
    for (const value of [1000, 2000, 3000, 4000, 100_000]) histogram.recordValue(value);
    const summary = summarize(histogram);
    expect(summary.count).toBe(5);
    expect(summary.min).toBeCloseTo(1, 2);
    expect(summary.p50).toBeCloseTo(3, 2);
    expect(summary.max / 100).toBeCloseTo(1, 2);
    expect(summary.mean).toBeCloseTo(22, 0);
  });

  it('gives exactly the mean and standard deviation HdrHistogram gives', () => {
    const histogram = createLatencyHistogram();
    for (const value of samples(20_000, 11)) histogram.recordValue(value);
    expect(meanAndDeviation(histogram)).toEqual({ mean: histogram.mean, stddev: histogram.stdDeviation });
    expect(summarize(histogram).stddev).toBe(histogram.stdDeviation / 1000);
    // The first buckets (exact values), the top of the range, and a single value.
    const edges = createLatencyHistogram();
    for (const value of [0, 1, 1, 2, 2047, 2048, 2049, 4095, HISTOGRAM_BOUNDS.highestTrackableUs])
      edges.recordValue(value);
    expect(meanAndDeviation(edges)).toEqual({ mean: edges.mean, stddev: edges.stdDeviation });
    const single = createLatencyHistogram();
    single.recordValue(123_456);
    expect(meanAndDeviation(single)).toEqual({ mean: single.mean, stddev: single.stdDeviation });
  });

  it('summarizes an empty histogram as zeros and an empty spectrum', () => {
    const empty = createLatencyHistogram();
    expect(summarize(empty)).toEqual({ count: 0, min: 0, mean: 0, stddev: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0 });
    expect(percentileSpectrum(empty)).toEqual([]);
  });

  it('gives a percentile spectrum that is monotonic, bounded in size, and ends at the max', () => {
    const histogram = createLatencyHistogram();
    for (const value of samples(1_000_000, 7)) histogram.recordValue(value);
    const spectrum = percentileSpectrum(histogram);

    expect(spectrum.length).toBeGreaterThan(20);
    expect(spectrum.length).toBeLessThanOrEqual(300);
    for (let i = 1; i < spectrum.length; i++) {
      const [previous, point] = [spectrum[i - 1]!, spectrum[i]!];
      expect(point.percentile).toBeGreaterThan(previous.percentile);
      expect(point.valueMs).toBeGreaterThanOrEqual(previous.valueMs);
      expect(point.count).toBeGreaterThanOrEqual(previous.count);
      expect(point.inverse).toBeGreaterThanOrEqual(previous.inverse);
    }
    const last = spectrum.at(-1)!;
    expect(last.percentile).toBe(100);
    expect(last.count).toBe(1_000_000);
    expect(last.valueMs).toBe(summarize(histogram).max);
    expect(Number.isFinite(last.inverse)).toBe(true);
    expect(spectrum[0]!.inverse).toBe(1);
  });

  it('clamps values outside 0..10 min instead of dropping them, and counts them', () => {
    const recorder = new LatencyRecorder({ runStartEpochMs: 0, now: () => 0 });
    recorder.record(-5);
    recorder.record(Number.NaN);
    recorder.record(HISTOGRAM_BOUNDS.highestTrackableUs * 3);
    recorder.record(1500.4);
    expect(recorder.count).toBe(4);
    expect(recorder.clamped).toBe(3);
    expect(summarize(recorder.total).max).toBeGreaterThanOrEqual(HISTOGRAM_BOUNDS.highestTrackableUs / 1000);
  });

  it('explains what it expected when asked to decode something that is not a histogram', () => {
    expect(() => decodeHistogram('not a histogram')).toThrow(/cannot decode histogram .*encodeHistogram/);
  });
});

describe('LatencyRecorder intervals', { timeout: 30_000 }, () => {
  const runStart = 1_700_000_000_000;

  it('lines up interval i across processes that share the run start', () => {
    // Two "processes" recording at different wall-clock instants of the same run.
    const clientA = new LatencyRecorder({ runStartEpochMs: runStart });
    const clientB = new LatencyRecorder({ runStartEpochMs: runStart });
    clientA.record(1000, runStart + 10); // interval 0
    clientA.record(2000, runStart + 999); // interval 0
    clientA.record(3000, runStart + 2500); // interval 2
    clientB.record(4000, runStart + 500); // interval 0
    clientB.record(5000, runStart + 1000); // interval 1: the boundary belongs to the next interval
    clientB.record(6000, runStart + 2999); // interval 2

    const merged = mergeRecordings([clientA.encode(), clientB.encode()]);
    const series = intervalSeries(merged.intervals, { intervalMs: 1000 });
    expect(series.map((point) => [point.tMs, point.count])).toEqual([
      [0, 3],
      [1000, 1],
      [2000, 2],
    ]);
    expect(series[1]!.max).toBeCloseTo(5, 2);
    expect(series[2]!.p50).toBeCloseTo(3, 2);
    expect(merged.total.totalCount).toBe(6);
  });

  it('includes empty intervals so an outage shows as zero throughput, and trims the last partial interval', () => {
    const recorder = new LatencyRecorder({ runStartEpochMs: runStart, intervalMs: 1000 });
    for (let i = 0; i < 10; i++) recorder.record(1000, runStart + 100 + i);
    for (let i = 0; i < 5; i++) recorder.record(1000, runStart + 3100 + i);
    const series = intervalSeries(mergeRecordings([recorder.encode()]).intervals, {
      intervalMs: 1000,
      runDurationMs: 4500,
    });

    expect(series.map((point) => point.count)).toEqual([10, 0, 0, 5, 0]);
    expect(series[1]).toEqual({ tMs: 1000, count: 0, throughputPerSec: 0, p50: 0, p90: 0, p99: 0, max: 0 });
    expect(series[0]!.throughputPerSec).toBe(10);
    expect(series[4]!.tMs).toBe(4000); // 500 ms long
  });

  it(
    'refuses a series longer than two days of seconds instead of filling it ' +
      '(a run start years in the past once needed gigabytes)',
    () => {
      const yearsMs = 218_730_051_000;
      expect(() => intervalSeries(new Map(), { intervalMs: 1000, runDurationMs: yearsMs })).toThrow(RangeError);
      expect(() => latencyResult([], { intervalMs: 1000, runDurationMs: yearsMs })).toThrow(
        /218730051 points of 1000 ms .* more than 172800: the run start or the end of its load is not this run's/,
      );
      // A sample recorded that far from the run start is refused the same way.
      const recorder = new LatencyRecorder({ runStartEpochMs: runStart - yearsMs });
      recorder.record(1000, runStart);
      expect(() => latencyResult([recorder.encode()], { intervalMs: 1000 })).toThrow(RangeError);
      // The longest load (24 h) with its set-up and drain fits.
      expect(intervalSeries(new Map(), { intervalMs: 1000, runDurationMs: MAX_SERIES_POINTS * 1000 })).toHaveLength(
        MAX_SERIES_POINTS,
      );
    },
  );

  it('counts samples taken before the run start in interval 0', () => {
    const recorder = new LatencyRecorder({ runStartEpochMs: runStart });
    recorder.record(1000, runStart - 5000);
    expect(recorder.encode().intervals.map((interval) => interval.index)).toEqual([0]);
  });

  it('keeps every interval of a long run while holding only a few live histograms', () => {
    const recorder = new LatencyRecorder({ runStartEpochMs: runStart, openIntervals: 2 });
    for (let second = 0; second < 120; second++) recorder.record(1000 + second, runStart + second * 1000 + 1);
    // A late sample attributed to an interval that was sealed long ago is still counted there.
    recorder.record(9999, runStart + 5 * 1000 + 7);

    const encoded = recorder.encode();
    expect(encoded.intervals).toHaveLength(120);
    const merged = mergeRecordings([encoded]);
    expect(merged.intervals.get(5)!.totalCount).toBe(2);
    expect(merged.intervals.get(119)!.totalCount).toBe(1);
    expect(merged.total.totalCount).toBe(121);
  });

  it('records open-loop latency from the intended start, so a stalled send is counted in full', () => {
    const recorder = new LatencyRecorder({ runStartEpochMs: runStart, now: () => runStart + 10 });
    // Due at t=100 ms (performance clock), sent late because the system stalled, answered at t=350 ms.
    const recorded = recorder.recordFromIntendedStart(100, 350);
    expect(recorded).toBe(250_000);
    expect(recorder.count).toBe(1); // no synthetic samples, unlike recordValueWithExpectedInterval
    expect(summarize(recorder.total).max).toBeCloseTo(250, 0);
  });

  it('rejects options that would misalign intervals', () => {
    expect(() => new LatencyRecorder({ runStartEpochMs: Number.NaN })).toThrow(/runStartEpochMs/);
    expect(() => new LatencyRecorder({ runStartEpochMs: 0, intervalMs: 0 })).toThrow(/intervalMs/);
    expect(() => new LatencyRecorder({ runStartEpochMs: 0, intervalMs: 2.5 })).toThrow(/intervalMs/);
  });

  it("produces a latency block that result.json's schema accepts", () => {
    const workers = [1, 2, 3].map((worker) => {
      const recorder = new LatencyRecorder({ runStartEpochMs: runStart });
      for (const [index, value] of samples(2000, worker).entries()) recorder.record(value, runStart + index * 2);
      return recorder.encode();
    });
    const result = latencyResult(workers, { intervalMs: 1000, runDurationMs: 4000 });

    expect(() => LatencyResultSchema.parse(result)).not.toThrow();
    expect(result.summary.count).toBe(6000);
    expect(result.series.reduce((sum, point) => sum + point.count, 0)).toBe(6000);
    expect(decodeHistogram(result.encodedHistogram).totalCount).toBe(6000);
  });
});
