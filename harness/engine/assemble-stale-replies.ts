/**
 * Per client, what the check `kept-working-after-stale-replies` judges: the stale replies the
 * timeline holds for it, its calls by intended start, its failed calls with their texts.
 */
import type { ClientTally } from '../impl/instance-report.ts';
import type { ReportingInstance } from '../impl/implementation.ts';
import type { ScenarioResult } from '../model/result-schema.ts';
import type { ClientStaleReplies, StaleReply } from '../model/stale-replies.ts';

const STALE_KINDS: Readonly<Record<string, StaleReply['kind']>> = {
  'discard-duplicate': 'duplicate',
  'discard-late': 'late',
  'discard-unknown': 'unknown',
  'duplicate-delivered': 'duplicate',
  'late-delivered': 'late',
  'unknown-delivered': 'unknown',
};

export function staleReplyClients(
  clients: readonly ReportingInstance[],
  tallies: ReadonlyMap<string, ClientTally>,
  timeline: ScenarioResult['timeline'],
  runStartEpochMs: number,
): ClientStaleReplies[] {
  return clients.map((client) => {
    const tally = client.final?.client ?? tallies.get(client.name);
    const events = timeline.events.filter((event) => event.process === client.name);
    const staleReplies = events.flatMap((event): StaleReply[] => {
      const kind = STALE_KINDS[event.kind];
      if (!kind) return [];
      return [{ tMs: event.tMs, kind, ...(event.correlationId ? { correlationId: event.correlationId } : {}) }];
    });
    const byStart = client.final?.callsByStart;
    return {
      process: client.name,
      // Only an external client speaks the line protocol; the frame tap is what sees its replies.
      seenBy: tally?.protocolViolations === undefined ? 'client' : 'frame tap',
      staleReplies,
      staleRepliesCounted: tally ? tally.discardedDuplicate + tally.discardedLate + tally.discardedUnknown : 0,
      intervalMs: byStart?.intervalMs ?? 1,
      calls: byStart?.outcomes.map(({ index, ...counts }) => ({
        tMs: index * byStart.intervalMs,
        succeeded: counts.answered - counts.wrongResult,
        failed: counts.wrongResult + counts.timedOut + counts.remoteErrors + counts.connectionLost + counts.otherErrors,
      })),
      failures: events
        .filter((event) => event.kind === 'timeout' || event.kind === 'error')
        .map((event) => ({ tMs: event.tMs, text: event.detail ?? event.kind })),
      errorGroups: (tally?.errorGroups?.groups ?? []).map((group) => ({
        example: group.example,
        count: group.count,
        firstTMs: Math.max(0, group.firstAtMs - runStartEpochMs),
      })),
    };
  });
}
