/**
 * What each fault cost the callers, from the answered-calls series and the event timeline:
 *
 * - unavailability: from the fault's start to the first answered call after it, read from the
 *   per-interval series, so at its resolution (1 s by default): the start of the first
 *   interval that begins after the fault's start and answered a call, minus the start
 *   (accurate to one interval either way).
 * - recovery time: from the fault's end (the heal) to the first interval whose answered calls
 *   per second are back within 10 % of the rate before the first fault; null when the rate
 *   never came back within the run.
 * - failed calls during the fault (its window plus one call timeout), by reason.
 */
import type { FaultRecord, IntervalPoint, TimelineEvent } from '../model/result-schema.ts';

export interface FaultImpact {
  readonly faultId: string;
  readonly description: string;
  readonly unavailabilityMs: number | null;
  readonly recoveryMs: number | null;
  /** Answered calls per second before the first fault (the rate recovery is measured against). */
  readonly baselinePerSec: number;
  readonly failed: {
    readonly timeout: number;
    readonly connectionLost: number;
    readonly notConnected: number;
    readonly other: number;
  };
}

/** Recovered: within this share of the rate before the fault. */
const RECOVERED_SHARE = 0.9;

export function faultImpacts(input: {
  faults: readonly FaultRecord[];
  series: readonly IntervalPoint[];
  intervalMs: number;
  events: readonly TimelineEvent[];
  timeoutMs: number;
}): FaultImpact[] {
  const fired = input.faults.filter((fault) => fault.fired && fault.startMs !== undefined);
  if (fired.length === 0) return [];
  const firstStart = Math.min(...fired.map((fault) => fault.startMs as number));
  const baselinePerSec = baselineRate(input.series, input.intervalMs, firstStart);
  return fired.map((fault) => {
    const startMs = fault.startMs as number;
    const endMs = fault.endMs ?? startMs;
    // The first whole interval after the fault's start that answered a call.
    const firstAnswered = input.series.find((point) => point.tMs >= startMs && point.count > 0);
    const unavailabilityMs = firstAnswered === undefined ? null : firstAnswered.tMs - startMs;
    const recovered = input.series.find(
      (point) => point.tMs >= endMs && point.throughputPerSec >= RECOVERED_SHARE * baselinePerSec && baselinePerSec > 0,
    );
    const recoveryMs = recovered === undefined ? null : Math.max(0, recovered.tMs + input.intervalMs - endMs);
    return {
      faultId: fault.id,
      description: fault.description,
      unavailabilityMs,
      recoveryMs,
      baselinePerSec,
      failed: failedCalls(input.events, startMs, endMs + input.timeoutMs),
    };
  });
}

/**
 * Mean answered rate of the whole intervals before the fault, after the first interval that
 * answered a call: that one also answers the calls queued while connections and consumers came
 * up (measured: 60 answered in it at 30/s offered), which would raise the bar for recovery
 * above the rate the load ever asks for.
 */
export function baselineRate(series: readonly IntervalPoint[], intervalMs: number, faultStartMs: number): number {
  const whole = series.filter((point) => point.tMs + intervalMs <= faultStartMs);
  const firstAnswered = whole.findIndex((point) => point.count > 0);
  const steady = firstAnswered < 0 ? [] : whole.slice(firstAnswered + 1);
  const points = steady.length > 0 ? steady : whole;
  if (points.length === 0) return 0;
  return points.reduce((total, point) => total + point.throughputPerSec, 0) / points.length;
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
