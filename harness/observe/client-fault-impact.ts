/**
 * A fault's unavailability and recovery for each client, from that client's own answered-calls
 * series (before the processes' series are merged), and the worst client. The merged series
 * hides a client that answers nothing as long as another one answers: with three clients and
 * one on a killed node, the run still answers two thirds of its calls every second.
 *
 * Each client is judged against its own baseline (its rate before the first fault, or its share
 * of an open loop's offered rate). A client is judged only if it started calls after the fault
 * began: one whose load was over by then did not fail to answer.
 */
import type { ClientFaultImpact, WorstClient } from '../model/client-impact.ts';
import type { IntervalPoint } from '../model/result-schema.ts';
import { availability, recoveryBaseline } from './recovery.ts';

export interface ClientSeries {
  readonly client: string;
  /** Answered calls by interval of completion, as the run's series. */
  readonly series: readonly IntervalPoint[];
  /** This client's offered rate (open loop); absent for a closed loop. */
  readonly offeredPerSec?: number;
  /** End of the last interval in which a call of this client was due to start; absent: unknown. */
  readonly lastCallStartMs?: number;
}

export interface ClientImpacts {
  readonly clients: ClientFaultImpact[];
  readonly worstUnavailability?: WorstClient;
  readonly worstRecovery?: WorstClient;
}

export function clientImpacts(
  clients: readonly ClientSeries[],
  intervalMs: number,
  firstFaultStartMs: number,
  startMs: number,
  endMs: number,
): ClientImpacts {
  const judged = clients
    .filter((client) => client.lastCallStartMs === undefined || client.lastCallStartMs > startMs)
    .map((client): ClientFaultImpact => {
      const baseline = recoveryBaseline(client.series, intervalMs, firstFaultStartMs, client.offeredPerSec);
      return {
        client: client.client,
        ...availability(client.series, intervalMs, startMs, endMs, baseline.perSec),
        baselinePerSec: baseline.perSec,
        baseline: baseline.source,
      };
    });
  const worstUnavailability = worstOf(judged.map((c) => ({ client: c.client, ms: c.unavailabilityMs })));
  const worstRecovery = worstOf(
    judged.filter((c) => c.baseline !== 'none').map((c) => ({ client: c.client, ms: c.recoveryMs })),
  );
  return {
    clients: judged,
    ...(worstUnavailability ? { worstUnavailability } : {}),
    ...(worstRecovery ? { worstRecovery } : {}),
  };
}

/** The longest time, a `null` (never) before any number; the first client named on a tie. */
export function worstOf(candidates: readonly WorstClient[]): WorstClient | undefined {
  return candidates.reduce<WorstClient | undefined>((worst, each) => {
    if (worst === undefined || worst.ms === null) return worst ?? each;
    if (each.ms === null || each.ms > worst.ms) return each;
    return worst;
  }, undefined);
}
