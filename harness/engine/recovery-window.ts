/**
 * What the recovery checks look at: calls answered from the end of the last fault until the
 * recovery allowance ran out (harness/model/recovery-allowance.ts).
 */
import type { CheckInput } from '../model/check.ts';
import type { ScenarioResult } from '../model/result-schema.ts';

export function answeredWithinRecoveryAllowance(
  latency: Pick<ScenarioResult['latency'], 'series' | 'intervalMs'>,
  lastFaultEndMs: number,
  recoveryAllowanceMs: number,
): Pick<CheckInput, 'recoveryAllowanceMs' | 'answeredWithinRecoveryAllowance'> {
  // By interval, as answeredAfterLastFault: from the interval in which the last fault ended to
  // the one in which the allowance ran out. The series has no finer resolution.
  const windowEndMs = lastFaultEndMs + recoveryAllowanceMs;
  const answered = latency.series
    .filter((point) => point.tMs + latency.intervalMs > lastFaultEndMs && point.tMs < windowEndMs)
    .reduce((sum, point) => sum + point.count, 0);
  return { recoveryAllowanceMs, answeredWithinRecoveryAllowance: answered };
}
