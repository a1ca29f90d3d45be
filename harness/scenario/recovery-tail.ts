/**
 * The load must go on long enough after the last fault that cut connections for clients and
 * servers to recover within the recovery allowance (harness/model/recovery-allowance.ts):
 * otherwise a correct client that waits a few seconds before it reconnects fails the recovery
 * checks only because the run ended first.
 */
import type { FaultSpec } from '../chaos/fault-spec.ts';
import { DEFAULT_RECOVERY_ALLOWANCE_MS, formatAllowance } from '../model/recovery-allowance.ts';

/** What of a scenario definition its recovery tail depends on (define-scenario.ts validates with it). */
export interface RecoveryTailInput {
  readonly checks: readonly { readonly id: string }[];
  readonly faults: readonly FaultSpec[];
  readonly recoveryAllowanceMs?: number;
  readonly load: { readonly durationMs?: number };
}

/** Checks that judge whether clients and servers came back after a fault. */
const RECOVERY_CHECK_IDS: ReadonlySet<string> = new Set([
  'recovered-after-faults',
  'connections-recovered',
  'broker-restart-survived',
]);

/** The recovery allowance of a run: the scenario's, else the default. */
export function recoveryAllowanceOf(definition: Pick<RecoveryTailInput, 'recoveryAllowanceMs'>): number {
  return definition.recoveryAllowanceMs ?? DEFAULT_RECOVERY_ALLOWANCE_MS;
}

/**
 * When a fault that cuts client or server connections has ended at the earliest, in ms since
 * the load started; undefined for a fault that cuts none or has no time trigger. A fault whose
 * end depends on the broker (a restart, a node's boot) is counted from its start: the least
 * the load must cover.
 */
export function connectionCutEndMs(fault: FaultSpec): number | undefined {
  if (!('trigger' in fault) || !('atMs' in fault.trigger)) return undefined;
  const atMs = fault.trigger.atMs;
  switch (fault.kind) {
    case 'close-connections':
    case 'restart-broker':
    case 'rolling-restart':
      return atMs;
    case 'disable-proxy':
    case 'blackhole':
    case 'pause-node':
    case 'partition-node':
      return atMs + fault.durationMs;
    case 'kill-node':
      return atMs + (fault.restartAfterMs ?? 0);
    default:
      return undefined;
  }
}

/** The load duration a scenario needs for its recovery checks to be judged over the whole allowance. */
export function loadNeededForRecoveryMs(definition: RecoveryTailInput): number | undefined {
  if (!definition.checks.some((check) => RECOVERY_CHECK_IDS.has(check.id))) return undefined;
  const ends = definition.faults.map(connectionCutEndMs).filter((end): end is number => end !== undefined);
  if (ends.length === 0) return undefined;
  return Math.max(...ends) + recoveryAllowanceOf(definition);
}

/** What is wrong with the scenario's recovery allowance and load duration, if anything. */
export function recoveryTailProblems(definition: RecoveryTailInput): string[] {
  const allowance = definition.recoveryAllowanceMs;
  if (allowance !== undefined && !(Number.isFinite(allowance) && allowance >= 0 && allowance <= 600_000))
    return [`recovery allowance must be from 0 to 600000 ms, got ${allowance}`];
  const neededMs = loadNeededForRecoveryMs(definition);
  const durationMs = definition.load.durationMs;
  // A load given as a number of calls has no duration to check against before it runs.
  if (neededMs === undefined || durationMs === undefined || durationMs >= neededMs) return [];
  const allowanceMs = recoveryAllowanceOf(definition);
  return [
    `the load lasts ${formatAllowance(durationMs)}, but its last connection-cutting fault ends at ` +
      `${formatAllowance(neededMs - allowanceMs)} and recovery is judged within ${formatAllowance(allowanceMs)} ` +
      `of it (the recovery allowance): make the load last at least ${formatAllowance(neededMs)} ` +
      '(--duration), or lower --recovery-allowance',
  ];
}
