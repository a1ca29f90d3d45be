/**
 * Requests that went with the request queue when a fault deleted it. The broker confirms a
 * request it routed to a queue that is being deleted and drops it with the queue, so a request
 * sent in that instant is confirmed and never answered: lost by the fault, not by a server. Such
 * a request is one whose call timed out and was sent between the fault's start and the moment the
 * harness saw the deletion done (its timeline note), plus a margin for the broker's own lag.
 */
import type { EncodedSentRequests } from '../impl/sent-requests.ts';
import type { FaultRecord, TimelineEvent } from '../model/result-schema.ts';

/** After the deletion was confirmed to the harness, a request still in the broker's hands may go with the queue. */
const DELETION_MARGIN_MS = 100;

export function deletedWithQueue(
  faults: readonly FaultRecord[],
  events: readonly Pick<TimelineEvent, 'tMs' | 'kind' | 'detail'>[],
  sent: readonly (EncodedSentRequests | undefined)[],
  runStartEpochMs: number,
): Set<string> {
  const windows = faults
    .filter((fault) => fault.kind === 'delete-request-queue' && fault.startMs !== undefined)
    .map((fault) => {
      const startMs = fault.startMs as number;
      const deleted = events.find(
        (event) => event.kind === 'note' && event.tMs >= startMs && event.detail?.startsWith('request queue deleted'),
      );
      return { fromMs: startMs, toMs: (deleted?.tMs ?? fault.endMs ?? startMs) + DELETION_MARGIN_MS };
    });
  const ids = new Set<string>();
  if (windows.length === 0) return ids;
  for (const client of sent) {
    for (const [id, sentAtEpochMs] of Object.entries(client?.timedOutSentAt ?? {})) {
      const tMs = sentAtEpochMs - runStartEpochMs;
      if (windows.some((window) => tMs >= window.fromMs && tMs <= window.toMs)) ids.add(id);
    }
  }
  return ids;
}
