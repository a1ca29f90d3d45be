import { createLatencyHistogram, decodeHistogram, encodeHistogram, type Histogram } from './histogram.ts';
import type { EncodedRecording } from './latency-recorder.ts';
import { percentileSpectrum, summarize, type LatencySummary, type PercentilePoint } from './latency-summary.ts';

/** One interval of the over-time series (the `IntervalPoint` of result.json). */
export interface IntervalPoint {
  /** Start of the interval, ms since the run start. */
  readonly tMs: number;
  readonly count: number;
  /** Completions per second in this interval. */
  readonly throughputPerSec: number;
  /** Latencies in ms; 0 when count is 0 (check count before plotting them). */
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
}

/** The parent's view of all workers: one total and one histogram per interval index. */
export interface MergedLatency {
  readonly total: Histogram;
  readonly intervals: ReadonlyMap<number, Histogram>;
}

/** The `latency` block of result.json. */
export interface LatencyResult {
  readonly summary: LatencySummary;
  readonly spectrum: PercentilePoint[];
  readonly series: IntervalPoint[];
  readonly intervalMs: number;
  /** The merged total histogram, compressed base64, microseconds. */
  readonly encodedHistogram: string;
}

/**
 * Adds the recordings of several processes. Interval i of every recording is the same
 * wall-clock window because all recorders were given the same run start.
 */
export function mergeRecordings(recordings: Iterable<EncodedRecording>): MergedLatency {
  const total = createLatencyHistogram();
  const intervals = new Map<number, Histogram>();
  for (const recording of recordings) {
    total.add(decodeHistogram(recording.total));
    for (const { index, histogram } of recording.intervals) {
      let merged = intervals.get(index);
      if (!merged) intervals.set(index, (merged = createLatencyHistogram()));
      merged.add(decodeHistogram(histogram));
    }
  }
  return { total, intervals };
}

export interface IntervalSeriesOptions {
  readonly intervalMs: number;
  /**
   * When given, the series covers the whole run (trailing empty intervals included) and
   * the throughput of a last, partial interval is divided by its real length.
   */
  readonly runDurationMs?: number;
}

/**
 * Most points a series holds: two days at one point per second, where a load lasts at most a
 * day. Every point is kept in memory and in result.json, so a span from a run start that is not
 * this run's (a start time years in the past, a tampered segment file) would otherwise need
 * gigabytes; it is refused instead.
 */
export const MAX_SERIES_POINTS = 2 * 86_400;

/**
 * One point per interval from 0 to the last one, empty intervals included: an outage shows
 * as throughput 0, which is exactly what a fault-window plot needs to show.
 */
export function intervalSeries(
  intervals: ReadonlyMap<number, Histogram>,
  options: IntervalSeriesOptions,
): IntervalPoint[] {
  const { intervalMs, runDurationMs } = options;
  let lastRecorded = -1;
  for (const index of intervals.keys()) lastRecorded = Math.max(lastRecorded, index);
  const lastIndex =
    runDurationMs === undefined ? lastRecorded : Math.max(lastRecorded, Math.ceil(runDurationMs / intervalMs) - 1);
  if (lastIndex >= MAX_SERIES_POINTS) {
    throw new RangeError(
      `the over-time series would have ${lastIndex + 1} points of ${intervalMs} ms ` +
        `(${(((lastIndex + 1) * intervalMs) / 3_600_000).toFixed(1)} h from the run start), ` +
        `more than ${MAX_SERIES_POINTS}: the run start or the end of its load is not this run's ` +
        '(a start time far in the past, clocks apart, or an edited segment file)',
    );
  }
  const series: IntervalPoint[] = [];
  for (let index = 0; index <= lastIndex; index++) {
    const tMs = index * intervalMs;
    const histogram = intervals.get(index);
    const count = histogram?.totalCount ?? 0;
    const lengthMs =
      runDurationMs !== undefined && runDurationMs > tMs ? Math.min(intervalMs, runDurationMs - tMs) : intervalMs;
    const summary = histogram ? summarize(histogram) : undefined;
    series.push({
      tMs,
      count,
      throughputPerSec: (count * 1000) / lengthMs,
      p50: summary?.p50 ?? 0,
      p90: summary?.p90 ?? 0,
      p99: summary?.p99 ?? 0,
      max: summary?.max ?? 0,
    });
  }
  return series;
}

/** Everything result.json needs about latency, from the workers' encoded recordings. */
export function latencyResult(
  recordings: Iterable<EncodedRecording>,
  options: IntervalSeriesOptions & { readonly ticksPerHalfDistance?: number },
): LatencyResult {
  const merged = mergeRecordings(recordings);
  return {
    summary: summarize(merged.total),
    spectrum: percentileSpectrum(merged.total, options.ticksPerHalfDistance),
    series: intervalSeries(merged.intervals, options),
    intervalMs: options.intervalMs,
    encodedHistogram: encodeHistogram(merged.total),
  };
}
