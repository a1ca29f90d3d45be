/**
 * Unavailability and recovery of one answered-calls series (all clients together, or one
 * client), and the baseline recovery is judged against (fault-impact.ts says how).
 */
import type { RecoveryBaseline } from '../model/client-impact.ts';
import type { IntervalPoint } from '../model/result-schema.ts';

/** Recovered: within this share of the rate before the fault. */
const RECOVERED_SHARE = 0.9;

/** Unavailability and recovery of one series (all clients, or one) for a fault [startMs, endMs]. */
export function availability(
  series: readonly IntervalPoint[],
  intervalMs: number,
  startMs: number,
  endMs: number,
  baselinePerSec: number,
): { unavailabilityMs: number | null; recoveryMs: number | null } {
  // The first whole interval after the fault's start that answered a call.
  const firstAnswered = series.find((point) => point.tMs >= startMs && point.count > 0);
  const unavailabilityMs = firstAnswered === undefined ? null : firstAnswered.tMs - startMs;
  const recovered =
    baselinePerSec > 0
      ? series.find((point) => point.tMs >= endMs && point.throughputPerSec >= RECOVERED_SHARE * baselinePerSec)
      : undefined;
  const recoveryMs = recovered === undefined ? null : Math.max(0, recovered.tMs + intervalMs - endMs);
  return { unavailabilityMs, recoveryMs };
}

/**
 * The rate recovery is judged against: measured before the first fault when a whole interval
 * before it answered calls, else the offered rate of an open loop, else none.
 */
export function recoveryBaseline(
  series: readonly IntervalPoint[],
  intervalMs: number,
  firstFaultStartMs: number,
  offeredPerSec: number | undefined,
): { perSec: number; source: RecoveryBaseline } {
  const measured = baselineRate(series, intervalMs, firstFaultStartMs);
  if (measured > 0) return { perSec: measured, source: 'before-fault' };
  if (offeredPerSec !== undefined && offeredPerSec > 0) return { perSec: offeredPerSec, source: 'offered-load' };
  return { perSec: 0, source: 'none' };
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
