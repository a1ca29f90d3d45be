import type { ScenarioResult } from '../model/result-schema.ts';
import { lookupMetric, METRIC_UNIT } from './metrics.ts';

/**
 * The metrics a baseline keeps and `aggregateRepeats` reports by default: the latency
 * percentiles, throughput and the error and correctness counts, i.e. everything that has
 * a better direction. Counts that depend on the fault schedule (discards, kills) are left
 * out: a baseline cannot call a change in them a regression.
 */
export const BASELINE_METRICS: readonly string[] = [
  'p50',
  'p90',
  'p95',
  'p99',
  'p99.9',
  'mean',
  'max',
  'server.queue_wait.p99',
  'server.service.p99',
  'throughput',
  'errors',
  'error_rate',
  'timeouts',
  'dropped',
  'wrong_results',
  'mismatched_correlation',
  'checks_failed',
];

/** Where the middle of a few runs is and how far they scatter around it. */
export interface Spread {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  /**
   * Half the min..max range: with the 2 to 5 repeats a CI job can afford, the range is the
   * only spread estimate that is not mostly noise itself (a MAD of 3 values is often 0).
   * 0 for a single run, which is "unknown", not "no noise": see `values.length`.
   */
  readonly halfRange: number;
}

export interface RepeatedMetric extends Spread {
  readonly metric: string;
  readonly unit: string;
  /** One value per run that had samples for this metric, in run order. */
  readonly values: readonly number[];
  /** Runs with nothing to judge for this metric (e.g. no call answered). */
  readonly runsWithoutSamples: number;
}

export interface AggregatedRuns {
  readonly scenario: string;
  readonly runIds: readonly string[];
  /** Metrics that had samples in at least one run. */
  readonly metrics: Readonly<Record<string, RepeatedMetric>>;
  /** Metrics no run had samples for, with the reason the first run gave. */
  readonly withoutSamples: Readonly<Record<string, string>>;
}

/**
 * Aggregates the runs of `--repeat N` (or a single run) metric by metric: every value,
 * median, min, max and half-range. Throws on an empty list, runs of different scenarios,
 * or a metric name that does not exist.
 */
export function aggregateRepeats(
  results: readonly ScenarioResult[],
  metrics: readonly string[] = BASELINE_METRICS,
): AggregatedRuns {
  const first = results[0];
  if (!first) throw new Error('no run to aggregate');
  const scenarios = new Set(results.map((result) => result.scenario.name));
  if (scenarios.size > 1) throw new Error(`cannot aggregate runs of different scenarios: ${[...scenarios].join(', ')}`);
  const aggregated: Record<string, RepeatedMetric> = {};
  const withoutSamples: Record<string, string> = {};
  for (const name of metrics) {
    const found = lookupMetric(name);
    if ('problem' in found) throw new Error(`cannot aggregate "${name}": ${found.problem}`);
    const { definition } = found;
    const readings = results.map((result) => definition.read(result));
    const values = readings.flatMap((reading) => (reading.value === null ? [] : [reading.value]));
    if (values.length === 0) {
      const reason = readings[0]!;
      withoutSamples[definition.name] = reason.value === null ? reason.why : 'no samples';
      continue;
    }
    aggregated[definition.name] = {
      metric: definition.name,
      unit: METRIC_UNIT[definition.kind],
      values,
      runsWithoutSamples: results.length - values.length,
      ...spreadOf(values),
    };
  }
  return {
    scenario: first.scenario.name,
    runIds: results.map((result) => result.run.id),
    metrics: aggregated,
    withoutSamples,
  };
}

export function spreadOf(values: readonly number[]): Spread {
  if (values.length === 0) throw new Error('spread of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
  const min = sorted[0]!;
  const max = sorted[sorted.length - 1]!;
  return { median, min, max, halfRange: (max - min) / 2 };
}
