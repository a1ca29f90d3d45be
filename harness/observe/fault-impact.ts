/**
 * What each fault cost the callers, from the answered-calls series and the event timeline:
 *
 * - unavailability: from the fault's start to the first answered call after it, read from the
 *   per-interval series, so at its resolution (1 s by default): the start of the first
 *   interval that begins after the fault's start and answered a call, minus the start
 *   (accurate to one interval either way).
 * - recovery time: from the fault's end (the heal) to the first interval whose answered calls
 *   per second are back within 10 % of the baseline; null when the rate never came back within
 *   the run, or when there is no baseline to come back to.
 * - the baseline: the answered rate before the first fault; when the first fault came before a
 *   whole interval had passed (nothing to measure), the offered rate of an open loop; else none,
 *   and recovery is not judged rather than called "never".
 * - failed calls during the fault (its window plus one call timeout), by reason.
 *
 * The same figures per client (client-fault-impact.ts) show a client that answered nothing
 * while the others kept the merged series busy.
 */
import type { FaultRecord, IntervalPoint, TimelineEvent } from '../model/result-schema.ts';
import type { RecoveryBaseline } from '../model/client-impact.ts';
import { clientImpacts, type ClientImpacts, type ClientSeries } from './client-fault-impact.ts';
import { availability, recoveryBaseline } from './recovery.ts';

export { baselineRate } from './recovery.ts';

export interface FaultImpact extends Partial<ClientImpacts> {
  readonly faultId: string;
  readonly description: string;
  readonly unavailabilityMs: number | null;
  readonly recoveryMs: number | null;
  /** Answered calls per second before the first fault (the rate recovery is measured against). */
  readonly baselinePerSec: number;
  readonly baseline: RecoveryBaseline;
  readonly failed: {
    readonly timeout: number;
    readonly connectionLost: number;
    readonly notConnected: number;
    readonly other: number;
  };
}

export function faultImpacts(input: {
  faults: readonly FaultRecord[];
  series: readonly IntervalPoint[];
  intervalMs: number;
  events: readonly TimelineEvent[];
  timeoutMs: number;
  /** An open loop's offered rate, all clients together: the baseline when none was measured. */
  offeredPerSec?: number;
  /** Each client's own series; absent: no per-client figures. */
  clients?: readonly ClientSeries[];
}): FaultImpact[] {
  const fired = input.faults.filter((fault) => fault.fired && fault.startMs !== undefined);
  if (fired.length === 0) return [];
  const firstStart = Math.min(...fired.map((fault) => fault.startMs as number));
  const baseline = recoveryBaseline(input.series, input.intervalMs, firstStart, input.offeredPerSec);
  return fired.map((fault) => {
    const startMs = fault.startMs as number;
    const endMs = fault.endMs ?? startMs;
    const perClient = input.clients && clientImpacts(input.clients, input.intervalMs, firstStart, startMs, endMs);
    return {
      faultId: fault.id,
      description: fault.description,
      ...availability(input.series, input.intervalMs, startMs, endMs, baseline.perSec),
      baselinePerSec: baseline.perSec,
      baseline: baseline.source,
      failed: failedCalls(input.events, startMs, endMs + input.timeoutMs),
      ...perClient,
    };
  });
}

function failedCalls(events: readonly TimelineEvent[], fromMs: number, toMs: number): FaultImpact['failed'] {
  const failed = { timeout: 0, connectionLost: 0, notConnected: 0, other: 0 };
  for (const event of events) {
    if (event.tMs < fromMs || event.tMs > toMs || !event.process.startsWith('client')) continue;
    if (event.kind === 'timeout') failed.timeout++;
    else if (event.kind === 'connection-lost') failed.connectionLost++;
    else if (event.kind === 'error' && event.detail?.startsWith('not connected')) failed.notConnected++;
    else if (event.kind === 'error') failed.other++;
  }
  return failed;
}
