import type { ClientTally } from '../impl/instance-report.ts';
import type { CallDeadline } from '../model/call-deadline.ts';
import { CALL_END_GRACE_MS } from '../model/call-deadline.ts';

/** Every client's call ends merged against the run's timeout; undefined when no client measured them. */
export function callDeadlineOf(
  clientTallies: readonly ClientTally[],
  timeoutMs: number,
  clients: number,
): CallDeadline | undefined {
  const reported = clientTallies.map((tally) => tally.callEnds).filter((ends) => ends !== undefined);
  if (reported.length === 0) return undefined;
  return {
    timeoutMs,
    graceMs: CALL_END_GRACE_MS,
    longestCallMs: Math.max(...reported.map((ends) => ends.longestCallMs)),
    overdue: reported.reduce((sum, ends) => sum + ends.overdue, 0),
    clientsReporting: reported.length,
    clients,
  };
}
