import { mergeHistograms } from '../observe/histogram.ts';
import { summarize } from '../observe/latency-summary.ts';
import type { FaultRecord, ScenarioResult } from '../model/result-schema.ts';
import { readWorstClient, type WorstClientMetric } from './client-metrics.ts';
import { neverRecovered, type Reading } from './metrics.ts';
import type { PhaseKind, WindowCalls } from './phase-faults.ts';

/**
 * The metrics a phase gate can read, over the calls *started* in the phase's window
 * (result.json's callsByStart):
 *
 * - client latency statistics (p99, p(99.9), min, mean, max, ...): exact HDR percentiles of
 *   the answered calls, the window's interval histograms added bucket by bucket;
 * - answered, errors (timed out + remote errors + connection lost + other errors + wrong
 *   results, as for the whole run), timeouts, wrong_results, and sent (= calls that ended:
 *   answered + failed; a call still in flight when the load stopped is in no window);
 * - error_rate = errors / sent of the window, in %;
 * - throughput = answered calls started in the window per second of the window as read;
 * - unavailability (during only) and recovery_time (after only): the fault's own figures
 *   from faultImpact, so `during(partition).unavailability<5s` judges that fault alone;
 *   unavailability.max and recovery_time.max: the same for the worst client (client-metrics.ts).
 */
export interface PhaseMetric {
  /** Only these phases make sense for the metric (unavailability is a during figure). */
  readonly phases: readonly PhaseKind[];
  read(window: WindowCalls, fault: FaultRecord, result: ScenarioResult): Reading;
}

const failed = (w: WindowCalls) =>
  w.counts.timedOut + w.counts.remoteErrors + w.counts.connectionLost + w.counts.otherErrors;
const sent = (w: WindowCalls) => w.counts.answered + failed(w);
const errors = (w: WindowCalls) => failed(w) + w.counts.wrongResult;
const noCalls = (w: WindowCalls): Reading | undefined =>
  sent(w) === 0 ? { value: null, why: 'no samples: no call started in the window ended' } : undefined;

const BOTH: readonly PhaseKind[] = ['during', 'after'];

function countMetric(count: (w: WindowCalls) => number): PhaseMetric {
  return { phases: BOTH, read: (w) => noCalls(w) ?? { value: count(w) } };
}

const COUNTS: Readonly<Record<string, PhaseMetric>> = {
  answered: countMetric((w) => w.counts.answered),
  errors: countMetric(errors),
  timeouts: countMetric((w) => w.counts.timedOut),
  wrong_results: countMetric((w) => w.counts.wrongResult),
  sent: countMetric(sent),
  error_rate: { phases: BOTH, read: (w) => noCalls(w) ?? { value: (errors(w) / sent(w)) * 100 } },
  throughput: {
    phases: BOTH,
    read: (w) => noCalls(w) ?? { value: (w.counts.answered * 1000) / (w.read.toMs - w.read.fromMs) },
  },
  unavailability: {
    phases: ['during'],
    read: (_w, fault, result) => impact(fault, result, 'unavailabilityMs', 'no answered call after the fault'),
  },
  recovery_time: {
    phases: ['after'],
    read: (_w, fault, result) =>
      impact(fault, result, 'recoveryMs', 'the answered rate never came back within 10 % of the rate before the fault'),
  },
  'unavailability.max': {
    phases: ['during'],
    read: (_w, fault, result) => worstClient(fault, result, 'unavailability'),
  },
  'recovery_time.max': {
    phases: ['after'],
    read: (_w, fault, result) => worstClient(fault, result, 'recovery_time'),
  },
};

export const PHASE_METRIC_NAMES = ['p50 p90 p95 p99 p99.9 (any pNN), min, mean, max', ...Object.keys(COUNTS)].join(
  ', ',
);

/** The phase form of a canonical metric name, or a problem in words. */
export function phaseMetric(name: string, kind: PhaseKind): PhaseMetric | { readonly problem: string } {
  const metric = COUNTS[name] ?? latencyMetric(name);
  if (!metric) return { problem: `${name} is not measured per phase; a phase gate reads ${PHASE_METRIC_NAMES}` };
  if (!metric.phases.includes(kind)) {
    const other = metric.phases[0]!;
    return { problem: `${name} belongs to the ${other} phase of a fault: write ${other}(...).${name}` };
  }
  return metric;
}

function latencyMetric(name: string): PhaseMetric | undefined {
  const percentile = /^p(\d+(?:\.\d+)?)$/.exec(name);
  if (!percentile && name !== 'min' && name !== 'mean' && name !== 'max') return undefined;
  return {
    phases: BOTH,
    read: (w) => {
      if (w.counts.answered === 0 || w.histograms.length === 0) {
        return { value: null, why: `no samples: no call started in the window was answered (${failed(w)} failed)` };
      }
      try {
        const histogram = mergeHistograms(w.histograms);
        if (percentile) return { value: histogram.getValueAtPercentile(Number(percentile[1])) / 1000 };
        return { value: summarize(histogram)[name as 'min' | 'mean' | 'max'] };
      } catch (error) {
        return { value: null, why: `cannot read the window's histograms: ${(error as Error).message}` };
      }
    },
  };
}

function impact(
  fault: FaultRecord,
  result: ScenarioResult,
  key: 'unavailabilityMs' | 'recoveryMs',
  never: string,
): Reading {
  const found = result.faultImpact?.find((each) => each.faultId === fault.id);
  if (!found) return { value: null, why: `no samples: no impact was measured for ${fault.id}` };
  const value = found[key];
  if (value !== null) return { value };
  return {
    value: null,
    why: `${fault.id} (${fault.description}): ${key === 'recoveryMs' ? neverRecovered(found) : never}`,
  };
}

function worstClient(fault: FaultRecord, result: ScenarioResult, metric: WorstClientMetric): Reading {
  const found = result.faultImpact?.find((each) => each.faultId === fault.id);
  if (!found) return { value: null, why: `no samples: no impact was measured for ${fault.id}` };
  return readWorstClient(found, metric);
}
