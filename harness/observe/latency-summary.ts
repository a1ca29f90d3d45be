import { JsHistogram } from 'hdr-histogram-js';
import type { Histogram } from './histogram.ts';

/**
 * Plain-JSON views of a microsecond histogram, in milliseconds, shaped like the
 * `LatencySummary`, `PercentilePoint` and `IntervalPoint` of result.json.
 *
 * All values come from bucket boundaries (HdrHistogram's equivalent-value ranges), never
 * from the raw recorded extremes, so a histogram and its encoded/decoded copy, or the merge
 * of split samples, summarize identically.
 */

export interface LatencySummary {
  readonly count: number;
  readonly min: number;
  readonly mean: number;
  readonly stddev: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly p999: number;
  readonly max: number;
}

/** One tick of the HdrHistogram percentile distribution. */
export interface PercentilePoint {
  /** 0..100. */
  readonly percentile: number;
  readonly valueMs: number;
  /** Samples at or below valueMs. */
  readonly count: number;
  /**
   * 1/(1-p), the x axis of the HdrHistogram plotter. At p = 100 % it is infinite, which JSON
   * cannot carry: the last point uses totalCount instead (where a 1-in-N maximum sits), or
   * the previous point's inverse if that is larger, so the axis never runs backwards.
   */
  readonly inverse: number;
}

const US_PER_MS = 1000;
const toMs = (us: number) => us / US_PER_MS;

export function summarize(histogram: Histogram): LatencySummary {
  const count = histogram.totalCount;
  if (count === 0) return { count: 0, min: 0, mean: 0, stddev: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0 };
  const { mean, stddev } = meanAndDeviation(histogram);
  return {
    count,
    min: toMs(histogram.getValueAtPercentile(0)),
    mean: toMs(mean),
    stddev: toMs(stddev),
    p50: toMs(histogram.getValueAtPercentile(50)),
    p90: toMs(histogram.getValueAtPercentile(90)),
    p99: toMs(histogram.getValueAtPercentile(99)),
    p999: toMs(histogram.getValueAtPercentile(99.9)),
    max: toMs(histogram.getValueAtPercentile(100)),
  };
}

/**
 * HdrHistogram's `mean` and `stdDeviation`, to the bit: the same bucket medians, summed in the
 * same order. Its getters walk every bucket up to the maximum with an iterator object, three
 * times (`stdDeviation` computes the mean again); a run summarizes every latency interval, and
 * those walks were most of the time spent putting its result together. Here the counts are
 * read once, and the sums run over the recorded buckets only.
 */
export function meanAndDeviation(histogram: Histogram): { mean: number; stddev: number } {
  if (!(histogram instanceof JsHistogram)) return { mean: histogram.mean, stddev: histogram.stdDeviation };
  const total = histogram.totalCount;
  if (total === 0) return { mean: 0, stddev: 0 };
  const medians: number[] = [];
  const counts: number[] = [];
  for (let index = 0, seen = 0; index < histogram.countsArrayLength && seen < total; index++) {
    const count = histogram.getCountAtIndex(index);
    if (count === 0) continue;
    seen += count;
    // As HdrHistogram's iterator: the median of the bucket its highest value falls in.
    medians.push(histogram.medianEquivalentValue(histogram.highestEquivalentValue(histogram.valueFromIndex(index))));
    counts.push(count);
  }
  let sum = 0;
  for (let i = 0; i < medians.length; i++) sum += medians[i]! * counts[i]!;
  const mean = sum / total;
  let squaredDeviations = 0;
  for (let i = 0; i < medians.length; i++) {
    const deviation = medians[i]! - mean;
    squaredDeviations += deviation * deviation * counts[i]!;
  }
  return { mean, stddev: Math.sqrt(squaredDeviations / total) };
}

/**
 * The percentile spectrum, exactly the rows of HdrHistogram's `outputPercentileDistribution`
 * (`ticksPerHalfDistance` points per halving of the distance to 100 %), so the points are
 * dense in the tail where latency stories are told. Its length is about
 * ticksPerHalfDistance * log2(totalCount) + 1: 5 ticks give ~100 points for a million
 * samples and never more than ~270.
 * The last point is the maximum at 100 %.
 */
export function percentileSpectrum(histogram: Histogram, ticksPerHalfDistance = 5): PercentilePoint[] {
  if (!(histogram instanceof JsHistogram)) {
    throw new Error('percentileSpectrum needs a pure-JS histogram; build it with createLatencyHistogram()');
  }
  const total = histogram.totalCount;
  if (total === 0) return [];
  const points: PercentilePoint[] = [];
  const iterator = histogram.percentileIterator;
  iterator.reset(ticksPerHalfDistance);
  while (iterator.hasNext()) {
    const tick = iterator.next();
    const percentile = Math.min(100, tick.percentileLevelIteratedTo);
    points.push({
      percentile,
      valueMs: toMs(tick.valueIteratedTo),
      count: tick.totalCountToThisValue,
      inverse: percentile >= 100 ? Math.max(total, points.at(-1)?.inverse ?? 1) : 1 / (1 - percentile / 100),
    });
  }
  return points;
}
