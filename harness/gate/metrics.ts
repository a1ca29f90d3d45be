import { decodeHistogram } from '../observe/histogram.ts';
import type { LatencySummary, ScenarioResult } from '../report/result-schema.ts';

/** What a metric measures decides its unit and which direction is better. */
export type MetricKind = 'latency' | 'rate' | 'percent' | 'count';

export interface MetricDefinition {
  readonly kind: MetricKind;
  /** Lower is better for latency and errors, higher for throughput. */
  readonly better: 'lower' | 'higher';
  /** undefined = no samples to judge (a gate over it fails). */
  value(result: ScenarioResult): number | undefined;
}

const COUNT_METRICS: Record<string, { better: 'lower' | 'higher'; value: (r: ScenarioResult) => number }> = {
  errors: { better: 'lower', value: (r) => errorsOf(r) },
  timeouts: { better: 'lower', value: (r) => r.counters.timedOut },
  dropped: { better: 'lower', value: (r) => r.counters.dropped },
  sent: { better: 'higher', value: (r) => r.counters.sent },
  answered: { better: 'higher', value: (r) => r.counters.answered },
  wrong_results: { better: 'lower', value: (r) => r.counters.wrongResult },
  mismatched_correlation: { better: 'lower', value: (r) => r.counters.mismatchedCorrelation },
  'discarded.duplicate': { better: 'lower', value: (r) => r.counters.discarded.duplicate },
  'discarded.late': { better: 'lower', value: (r) => r.counters.discarded.late },
  'discarded.unknown': { better: 'lower', value: (r) => r.counters.discarded.unknown },
  redelivered: { better: 'lower', value: (r) => r.counters.redelivered },
  server_kills: { better: 'lower', value: (r) => r.counters.serverKills },
  reconnects: { better: 'lower', value: (r) => r.counters.reconnects },
  checks_failed: { better: 'lower', value: (r) => r.checks.filter((check) => !check.passed).length },
};

/** Metrics that must never get worse against a baseline, whatever the tolerance. */
export const ZERO_TOLERANCE_METRICS: ReadonlySet<string> = new Set(['wrong_results', 'mismatched_correlation', 'checks_failed']);

export function errorsOf(result: ScenarioResult): number {
  const c = result.counters;
  return c.timedOut + c.remoteErrors + c.connectionLost + c.otherErrors + c.wrongResult;
}

/** Every metric name a gate accepts, for error messages and docs. */
export function metricNames(): string[] {
  return ['p50', 'p90', 'p95', 'p99', 'p99.9', 'p(99)', 'min', 'mean', 'max', 'throughput', 'error_rate', ...Object.keys(COUNT_METRICS), 'server.queue_wait.p99', 'server.service.p99'];
}

/**
 * Resolves a metric name (already normalized: `latency.` prefix dropped, `p(99.9)` -> `p99.9`)
 * to its definition; undefined when there is no such metric.
 */
export function resolveMetric(name: string): MetricDefinition | undefined {
  const count = COUNT_METRICS[name];
  if (count) return { kind: 'count', better: count.better, value: count.value };
  if (name === 'throughput') return { kind: 'rate', better: 'higher', value: (r) => (r.counters.answered > 0 ? r.throughput.callsPerSec : 0) };
  if (name === 'error_rate') return { kind: 'percent', better: 'lower', value: (r) => (r.counters.sent > 0 ? (errorsOf(r) / r.counters.sent) * 100 : undefined) };
  const server = /^server\.(queue_wait|service)\.(.+)$/.exec(name);
  if (server) {
    const statistic = latencyStatistic(server[2]!);
    if (!statistic) return undefined;
    const pick = (r: ScenarioResult) => (server[1] === 'queue_wait' ? r.serverLatency.queueWait : r.serverLatency.service);
    return { kind: 'latency', better: 'lower', value: (r) => summaryValue(pick(r), statistic) };
  }
  const statistic = latencyStatistic(name);
  if (!statistic) return undefined;
  return {
    kind: 'latency',
    better: 'lower',
    value: (r) => {
      if (r.latency.summary.count === 0) return undefined;
      const fromSummary = summaryValue(r.latency.summary, statistic);
      if (fromSummary !== undefined) return fromSummary;
      // A percentile the summary does not carry: read it from the merged histogram (exact).
      return decodeHistogram(r.latency.encodedHistogram).getValueAtPercentile(statistic as number) / 1000;
    },
  };
}

type Statistic = 'min' | 'mean' | 'max' | number;

function latencyStatistic(name: string): Statistic | undefined {
  if (name === 'min' || name === 'mean' || name === 'max') return name;
  const percentile = /^p(\d+(?:\.\d+)?)$/.exec(name);
  if (!percentile) return undefined;
  // p999 is the usual spelling of p99.9.
  const value = percentile[1] === '999' ? 99.9 : Number(percentile[1]);
  return value > 0 && value <= 100 ? value : undefined;
}

function summaryValue(summary: LatencySummary, statistic: Statistic): number | undefined {
  if (summary.count === 0) return undefined;
  switch (statistic) {
    case 'min': return summary.min;
    case 'mean': return summary.mean;
    case 'max': return summary.max;
    case 50: return summary.p50;
    case 90: return summary.p90;
    case 99: return summary.p99;
    case 99.9: return summary.p999;
    case 100: return summary.max;
    default: return undefined;
  }
}
