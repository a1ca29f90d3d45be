import type { FaultImpactRecord, ScenarioResult } from '../model/result-schema.ts';
import type { MetricDefinition, Reading } from './metric-definition.ts';

/**
 * The worst client's unavailability and recovery time (`unavailability.max`,
 * `recovery_time.max`): the same figures as `unavailability` and `recovery_time`, measured on
 * each client's own series instead of all clients' together (observe/client-fault-impact.ts).
 * A reading names the client. Nothing to judge fails the gate: a result written before
 * per-client figures existed, no client that started calls after the fault, a client that
 * never answered again, or a recovery without a baseline to come back to.
 */
export type WorstClientMetric = 'unavailability' | 'recovery_time';

export const WORST_CLIENT_METRIC_NAMES = ['unavailability.max', 'recovery_time.max'] as const;

/** The worst client's figure for one fault. */
export function readWorstClient(impact: FaultImpactRecord, metric: WorstClientMetric): Reading {
  const fault = `${impact.faultId} (${impact.description})`;
  if (impact.clients === undefined)
    return { value: null, why: `no samples: this result has no per-client figures for ${fault} (an older result)` };
  const worst = metric === 'unavailability' ? impact.worstUnavailability : impact.worstRecovery;
  if (worst === undefined) {
    const why =
      metric === 'unavailability' || impact.clients.length === 0
        ? `no samples: no client started calls after ${fault} began`
        : `no samples: no client's recovery from ${fault} could be judged: no baseline before the fault`;
    return { value: null, why };
  }
  if (worst.ms === null) {
    const never =
      metric === 'unavailability'
        ? 'answered no call after the fault began'
        : 'never came back within 10 % of its rate before the fault';
    return { value: null, why: `${fault}: ${worst.client} ${never}` };
  }
  return { value: worst.ms, who: worst.client };
}

/** Whole-run form: the worst client of the worst fault. */
export function worstClientDefinition(metric: WorstClientMetric): MetricDefinition {
  return {
    name: `${metric}.max`,
    kind: 'latency',
    better: 'lower',
    zeroTolerance: false,
    read: (result: ScenarioResult) => {
      const impacts = result.faultImpact ?? [];
      if (impacts.length === 0) return { value: null, why: 'no samples: no fault fired' };
      const readings = impacts.map((impact) => ({ impact, reading: readWorstClient(impact, metric) }));
      const unreadable = readings.find(({ reading }) => reading.value === null);
      if (unreadable) return unreadable.reading;
      const worst = readings.reduce((a, b) => ((b.reading.value as number) > (a.reading.value as number) ? b : a));
      const reading = worst.reading as { value: number; who?: string };
      return { value: reading.value, who: `${reading.who}, ${worst.impact.faultId}` };
    },
  };
}
