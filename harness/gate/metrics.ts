import { decodeHistogram } from '../observe/histogram.ts';
import type { FaultImpactRecord, LatencySummary, ScenarioResult } from '../model/result-schema.ts';
import { WORST_CLIENT_METRIC_NAMES, worstClientDefinition } from './client-metrics.ts';

export type { Direction, MetricDefinition, MetricKind, Reading } from './metric-definition.ts';
import type { Direction, MetricDefinition, MetricKind } from './metric-definition.ts';

/** The unit a metric's values are kept in (and printed with). */
export const METRIC_UNIT: Readonly<Record<MetricKind, string>> = { latency: 'ms', rate: '/s', percent: '%', count: '' };

export function errorsOf(result: ScenarioResult): number {
  const c = result.counters;
  // A call the client could not publish failed too, though it was never sent.
  return c.timedOut + c.remoteErrors + c.connectionLost + c.otherErrors + c.wrongResult + (c.notSent ?? 0);
}

interface CountMetric {
  readonly better: Direction;
  readonly zeroTolerance?: true;
  /**
   * A count about calls means nothing when no call was sent: `errors==0` over a run that
   * sent nothing would pass vacuously, which is the k6 behaviour we refuse.
   */
  readonly aboutCalls: boolean;
  readonly count: (result: ScenarioResult) => number;
}

const COUNT_METRICS: Readonly<Record<string, CountMetric>> = {
  errors: { better: 'lower', aboutCalls: true, count: errorsOf },
  timeouts: { better: 'lower', aboutCalls: true, count: (r) => r.counters.timedOut },
  dropped: { better: 'lower', aboutCalls: false, count: (r) => r.counters.dropped },
  sent: { better: 'higher', aboutCalls: false, count: (r) => r.counters.sent },
  answered: { better: 'higher', aboutCalls: true, count: (r) => r.counters.answered },
  wrong_results: { better: 'lower', zeroTolerance: true, aboutCalls: true, count: (r) => r.counters.wrongResult },
  mismatched_correlation: {
    better: 'lower',
    zeroTolerance: true,
    aboutCalls: true,
    count: (r) => r.counters.mismatchedCorrelation,
  },
  'discarded.duplicate': { better: 'neither', aboutCalls: true, count: (r) => r.counters.discarded.duplicate },
  'discarded.late': { better: 'neither', aboutCalls: true, count: (r) => r.counters.discarded.late },
  'discarded.unknown': { better: 'neither', aboutCalls: true, count: (r) => r.counters.discarded.unknown },
  redelivered: { better: 'neither', aboutCalls: true, count: (r) => r.counters.redelivered },
  server_kills: { better: 'neither', aboutCalls: false, count: (r) => r.counters.serverKills },
  reconnects: { better: 'neither', aboutCalls: false, count: (r) => r.counters.reconnects },
  checks_failed: {
    better: 'lower',
    zeroTolerance: true,
    aboutCalls: false,
    count: (r) => r.checks.filter((check) => !check.passed).length,
  },
};

/** For error messages and the README: every spelling a gate accepts. */
export const METRIC_NAMES_HELP =
  'p50 p90 p95 p99 p99.9 p999 (any pNN; also p(99), p(99.9), latency.p99), min mean max (avg, med as in k6), ' +
  'throughput, error_rate, unavailability, recovery_time, unavailability.max, recovery_time.max, ' +
  `${Object.keys(COUNT_METRICS).join(', ')}, ` +
  'server.queue_wait.<p50|p90|p99|p99.9|min|mean|max>, server.service.<same>';

/** Names offered as "did you mean" suggestions. */
export const SUGGESTABLE_METRICS: readonly string[] = [
  'p50',
  'p90',
  'p95',
  'p99',
  'p99.9',
  'min',
  'mean',
  'max',
  'throughput',
  'error_rate',
  'unavailability',
  'recovery_time',
  ...WORST_CLIENT_METRIC_NAMES,
  ...Object.keys(COUNT_METRICS),
  'server.queue_wait.p99',
  'server.service.p99',
];

type Statistic = 'min' | 'mean' | 'max' | { readonly percentile: number };

/**
 * Looks a metric up by any accepted spelling (`p(99)`, `latency.p99`, `p999`). Returns
 * a problem in words when the name is not usable.
 */
export function lookupMetric(
  written: string,
): { readonly definition: MetricDefinition } | { readonly problem: string } {
  const spelling = written.replace(/\(\s*(\d+(?:\.\d+)?)\s*\)$/, '$1');
  const count = COUNT_METRICS[spelling];
  if (count) return { definition: countDefinition(spelling, count) };
  if (spelling === 'throughput') return { definition: THROUGHPUT };
  if (spelling === 'error_rate') return { definition: ERROR_RATE };
  if (spelling === 'unavailability')
    return {
      definition: faultTimeDefinition(
        'unavailability',
        (impact) => impact.unavailabilityMs,
        'no answered call after the fault',
      ),
    };
  if (spelling === 'recovery_time')
    return {
      definition: faultTimeDefinition(
        'recovery_time',
        (impact) => impact.recoveryMs,
        'the answered rate never came back within 10 % of the rate before the fault',
      ),
    };
  if (spelling === 'unavailability.max') return { definition: worstClientDefinition('unavailability') };
  if (spelling === 'recovery_time.max') return { definition: worstClientDefinition('recovery_time') };

  const server = /^server\.(queue_wait|service)\.(.+)$/.exec(spelling);
  if (server) {
    const part = server[1] as 'queue_wait' | 'service';
    const statistic = parseStatistic(server[2]!);
    if (statistic === undefined) return { problem: `unknown server statistic "${server[2]}"` };
    if (typeof statistic === 'object' && ![50, 90, 99, 99.9, 100].includes(statistic.percentile)) {
      return {
        problem: `server latency keeps only p50, p90, p99, p99.9, min, mean and max, not p${statistic.percentile}`,
      };
    }
    return { definition: serverLatencyDefinition(part, statistic) };
  }

  const bare = spelling.startsWith('latency.') ? spelling.slice('latency.'.length) : spelling;
  const statistic = parseStatistic(bare);
  if (statistic === undefined) return { problem: `unknown metric "${spelling}"` };
  return { definition: clientLatencyDefinition(statistic) };
}

/** The definition of a metric known to exist (canonical names from a baseline file). */
export function metricDefinition(name: string): MetricDefinition | undefined {
  const found = lookupMetric(name);
  return 'definition' in found ? found.definition : undefined;
}

function countDefinition(name: string, metric: CountMetric): MetricDefinition {
  return {
    name,
    kind: 'count',
    better: metric.better,
    zeroTolerance: metric.zeroTolerance === true,
    read: (r) =>
      metric.aboutCalls && r.counters.sent === 0
        ? { value: null, why: 'no samples: no call was sent' }
        : { value: metric.count(r) },
  };
}

const THROUGHPUT: MetricDefinition = {
  name: 'throughput',
  kind: 'rate',
  better: 'higher',
  zeroTolerance: false,
  // Answered calls per second of load; 0/s after sending is a real measurement, not an empty set.
  read: (r) =>
    r.counters.sent === 0 ? { value: null, why: 'no samples: no call was sent' } : { value: r.throughput.callsPerSec },
};

const ERROR_RATE: MetricDefinition = {
  name: 'error_rate',
  kind: 'percent',
  better: 'lower',
  zeroTolerance: false,
  read: (r) =>
    r.counters.sent === 0
      ? { value: null, why: 'no samples: no call was sent' }
      : { value: (errorsOf(r) / (r.counters.sent + (r.counters.notSent ?? 0))) * 100 },
};

/**
 * The worst of the run's faults (observe/fault-impact.ts). A run without a fired fault has
 * nothing to judge, and a fault that never came back fails: both read as null.
 */
function faultTimeDefinition(
  name: string,
  pick: (impact: FaultImpactRecord) => number | null,
  never: string,
): MetricDefinition {
  return {
    name,
    kind: 'latency',
    better: 'lower',
    zeroTolerance: false,
    read: (r) => {
      const impacts = r.faultImpact ?? [];
      if (impacts.length === 0) return { value: null, why: 'no samples: no fault fired' };
      const worst = impacts.find((impact) => pick(impact) === null);
      if (worst)
        return {
          value: null,
          why: `${worst.description}: ${name === 'recovery_time' ? neverRecovered(worst) : never}`,
        };
      return { value: Math.max(...impacts.map((impact) => pick(impact) as number)) };
    },
  };
}

/** Why a recovery time is missing: the rate never came back, or there was no rate to come back to. */
export function neverRecovered(impact: FaultImpactRecord): string {
  return impact.baseline === 'none'
    ? 'recovery cannot be judged: no baseline before the fault (no whole second answered calls before it, ' +
        'and a closed loop offers no rate to compare with)'
    : `the answered rate never came back within 10 % of the ${
        impact.baseline === 'offered-load' ? 'offered rate' : 'rate before the fault'
      }`;
}

function clientLatencyDefinition(statistic: Statistic): MetricDefinition {
  return {
    name: statisticName(statistic),
    kind: 'latency',
    better: 'lower',
    zeroTolerance: false,
    read: (r) => {
      const summary = r.latency.summary;
      if (summary.count === 0)
        return { value: null, why: `no samples: no call was answered (${r.counters.sent} sent)` };
      const fromSummary = summaryValue(summary, statistic);
      if (fromSummary !== undefined) return { value: fromSummary };
      // A percentile the summary does not keep: the merged histogram has every sample.
      const percentile = (statistic as { percentile: number }).percentile;
      try {
        return { value: decodeHistogram(r.latency.encodedHistogram).getValueAtPercentile(percentile) / 1000 };
      } catch (error) {
        return {
          value: null,
          why: `cannot read p${percentile} from the merged histogram: ${(error as Error).message}`,
        };
      }
    },
  };
}

function serverLatencyDefinition(part: 'queue_wait' | 'service', statistic: Statistic): MetricDefinition {
  return {
    name: `server.${part}.${statisticName(statistic)}`,
    kind: 'latency',
    better: 'lower',
    zeroTolerance: false,
    read: (r) => {
      const summary = part === 'queue_wait' ? r.serverLatency.queueWait : r.serverLatency.service;
      const value = summary.count === 0 ? undefined : summaryValue(summary, statistic);
      return value === undefined ? { value: null, why: 'no samples: the servers timed no request' } : { value };
    },
  };
}

function parseStatistic(text: string): Statistic | undefined {
  if (text === 'min' || text === 'mean' || text === 'max') return text;
  // k6 names; `med` is its median.
  if (text === 'avg') return 'mean';
  if (text === 'med') return { percentile: 50 };
  const match = /^p(\d+(?:\.\d+)?)$/.exec(text);
  if (!match) return undefined;
  // p999 is the usual short spelling of p99.9 (p9999 of p99.99).
  const digits = match[1]!;
  const percentile = /^999+$/.test(digits) ? Number(`99.${digits.slice(2)}`) : Number(digits);
  return percentile > 0 && percentile <= 100 ? { percentile } : undefined;
}

function statisticName(statistic: Statistic): string {
  return typeof statistic === 'string' ? statistic : `p${statistic.percentile}`;
}

function summaryValue(summary: LatencySummary, statistic: Statistic): number | undefined {
  if (typeof statistic === 'string') return summary[statistic];
  switch (statistic.percentile) {
    case 50:
      return summary.p50;
    case 90:
      return summary.p90;
    case 99:
      return summary.p99;
    case 99.9:
      return summary.p999;
    case 100:
      return summary.max;
    default:
      return undefined;
  }
}
