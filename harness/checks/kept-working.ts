import type { Check } from '../model/check.ts';
import type { FaultRecord } from '../model/result-schema.ts';
import type { CallsInInterval, ClientStaleReplies, StaleReply } from '../model/stale-replies.ts';

/**
 * A client must survive a stale reply: a duplicate after a redelivery, a reply that came after
 * its call timed out, a reply with an unknown correlation id. Some client libraries throw on one
 * and fail every later call; the counters alone would show such a run as "duplicate discarded"
 * followed by errors that seem to have nothing to do with it.
 *
 * Judged per client and per stale reply, from the client's calls by intended start: the share
 * of calls started after the reply that succeeded, against the share in a window of the same
 * length before it. The window after runs to the next fault (at least AFTER_WINDOW_MIN_MS), so
 * a later fault's failures are not blamed on the reply; the window before holds the start of
 * the fault that caused the reply, so the fault's own failures weigh on both sides.
 */
export const AFTER_WINDOW_MIN_MS = 2_000;
/** Fewer calls than this after a reply say nothing about it: the reply is not judged. */
export const MIN_CALLS_AFTER = 5;
/** How far the success share after a reply may fall below the share before it. */
export const MAX_SUCCESS_DROP = 0.25;

interface Share {
  readonly succeeded: number;
  readonly total: number;
}

interface ReplyJudgement {
  readonly reply: StaleReply;
  readonly before: Share;
  readonly after: Share;
  readonly afterEndMs: number;
  readonly passed: boolean;
}

const ratio = (share: Share) => (share.total === 0 ? 1 : share.succeeded / share.total);
const percent = (share: Share) => `${Math.round(ratio(share) * 100)} % (${share.succeeded} of ${share.total})`;
const seconds = (ms: number) => `${(ms / 1000).toFixed(3)} s`;

function shareIn(calls: readonly CallsInInterval[], fromMs: number, toMs: number, intervalMs: number): Share {
  let succeeded = 0;
  let total = 0;
  for (const interval of calls) {
    // An interval belongs to the side its end falls on: the one holding the reply counts as after.
    const endMs = interval.tMs + intervalMs;
    if (endMs <= fromMs || interval.tMs >= toMs) continue;
    succeeded += interval.succeeded;
    total += interval.succeeded + interval.failed;
  }
  return { succeeded, total };
}

function judgeReply(
  reply: StaleReply,
  calls: readonly CallsInInterval[],
  intervalMs: number,
  faultStarts: readonly number[],
): ReplyJudgement | undefined {
  const lastCallMs = calls.length > 0 ? calls[calls.length - 1]!.tMs + intervalMs : reply.tMs;
  const nextFaultMs = faultStarts.find((startMs) => startMs > reply.tMs) ?? Number.POSITIVE_INFINITY;
  const afterEndMs = Math.min(lastCallMs, Math.max(nextFaultMs, reply.tMs + AFTER_WINDOW_MIN_MS));
  const after = shareIn(calls, reply.tMs, afterEndMs, intervalMs);
  if (after.total < MIN_CALLS_AFTER) return undefined;
  const lengthMs = Math.max(afterEndMs - reply.tMs, intervalMs);
  // Intervals that ended by the reply's time: their start is at most one interval before it.
  const before = shareIn(calls, reply.tMs - lengthMs, reply.tMs - intervalMs + 1e-9, intervalMs);
  return { reply, before, after, afterEndMs, passed: ratio(after) >= ratio(before) - MAX_SUCCESS_DROP };
}

/** The first reply after which the client's calls failed, or how the client's replies were judged. */
export function judgeClientAfterStaleReplies(
  client: ClientStaleReplies,
  faults: readonly FaultRecord[],
): { passed: boolean; actual: string } {
  const { process, staleReplies } = client;
  const kinds = countKinds(staleReplies);
  if (!client.calls) return { passed: true, actual: `${process}: ${kinds}, not judged (no calls by start reported)` };
  const faultStarts = faults
    .filter((fault) => fault.fired && fault.startMs !== undefined)
    .map((fault) => fault.startMs!)
    .sort((a, b) => a - b);
  let lowest: ReplyJudgement | undefined;
  let lastIntervalJudged = Number.NaN;
  for (const reply of staleReplies) {
    // Replies within one interval share their windows: judge the first of them.
    const interval = Math.floor(reply.tMs / client.intervalMs);
    if (interval === lastIntervalJudged) continue;
    lastIntervalJudged = interval;
    const judgement = judgeReply(reply, client.calls, client.intervalMs, faultStarts);
    if (!judgement) continue;
    if (!judgement.passed) return { passed: false, actual: describeFailure(client, judgement) };
    if (!lowest || ratio(judgement.after) - ratio(judgement.before) < ratio(lowest.after) - ratio(lowest.before))
      lowest = judgement;
  }
  if (!lowest)
    return {
      passed: true,
      actual: `${process}: ${kinds}, not judged (fewer than ${MIN_CALLS_AFTER} calls after each)`,
    };
  const dropped = client.staleRepliesCounted - staleReplies.length;
  return {
    passed: true,
    actual:
      `${process}: ${kinds}, calls after each as successful as before ` +
      `(closest: ${percent(lowest.after)} after the reply at ${seconds(lowest.reply.tMs)}, ` +
      `${percent(lowest.before)} before)` +
      `${dropped > 0 ? `; ${dropped} more not in the timeline, not judged` : ''}`,
  };
}

function countKinds(replies: readonly StaleReply[]): string {
  const counts = new Map<string, number>();
  for (const reply of replies) counts.set(reply.kind, (counts.get(reply.kind) ?? 0) + 1);
  const parts = [...counts].map(([kind, count]) => `${kind} ${count}`).join(', ');
  return `${replies.length} stale ${replies.length === 1 ? 'reply' : 'replies'} (${parts})`;
}

/** Names the reply, the first call that failed after it, and that call's error text. */
function describeFailure(client: ClientStaleReplies, judgement: ReplyJudgement): string {
  const { reply } = judgement;
  const how = client.seenBy === 'client' ? 'discarded by' : 'delivered to';
  return (
    `${client.process}: after a ${reply.kind} reply ${how} ${client.process} at ${seconds(reply.tMs)}` +
    `${reply.correlationId ? ` (correlation id ${reply.correlationId})` : ''}, ` +
    `${percent(judgement.after)} of the calls it started until ${seconds(judgement.afterEndMs)} succeeded, ` +
    `against ${percent(judgement.before)} before; first failed call after it: ${firstFailureAfter(client, reply.tMs)}`
  );
}

function firstFailureAfter(client: ClientStaleReplies, tMs: number): string {
  const failure = client.failures.find((each) => each.tMs >= tMs);
  if (failure) return `at ${seconds(failure.tMs)} (${Math.round(failure.tMs - tMs)} ms after it): "${failure.text}"`;
  const group = client.errorGroups
    .filter((each) => each.firstTMs >= tMs)
    .reduce<(typeof client.errorGroups)[number] | undefined>(
      (first, each) => (!first || each.firstTMs < first.firstTMs ? each : first),
      undefined,
    );
  if (group)
    return `at ${seconds(group.firstTMs)} (${Math.round(group.firstTMs - tMs)} ms after it): "${group.example}"`;
  return 'none in the timeline (its failures were not recorded one by one)';
}

export const keptWorkingAfterStaleReplies: Check = {
  id: 'kept-working-after-stale-replies',
  title: 'Clients kept working after every stale, duplicate or unknown reply they received',
  expectation:
    'per client and stale reply: calls started after it (until the next fault, at least 2 s) succeed ' +
    `as often as in as long a window before it, within ${MAX_SUCCESS_DROP * 100} points`,
  evaluate: ({ staleReplyClients, faults }) => {
    if (staleReplyClients === undefined) return { passed: true, actual: 'not judged (a result from before it was)' };
    const reached = staleReplyClients.filter((client) => client.staleReplies.length > 0);
    if (reached.length === 0) return { passed: true, actual: 'no stale reply reached a client' };
    const verdicts = reached.map((client) => judgeClientAfterStaleReplies(client, faults));
    const failed = verdicts.filter((verdict) => !verdict.passed);
    return {
      passed: failed.length === 0,
      actual: (failed.length > 0 ? failed : verdicts).map((verdict) => verdict.actual).join('; '),
    };
  },
};
