/**
 * What a check is and what it looks at: the contract between the engine, which gathers a run's
 * facts, and the checks that judge them. Plain data and one interface; no check lives here.
 */
import type { Counters, FaultRecord, OfferedLoad, TimelineEvent } from './result-schema.ts';
import type { ClientAfterLoad } from './client-resources.ts';
import type { ClientStaleReplies } from './stale-replies.ts';
import type { ProcessConnections } from './tap-observations.ts';
import type { LossDetection } from './loss-detection.ts';
import type { CallDeadline } from './call-deadline.ts';

/** What checks look at: the merged counters and the faults as they actually happened. */
export interface CheckInput {
  readonly counters: Counters;
  readonly faults: readonly FaultRecord[];
  /** Processes the scenario runs (before kills and restarts). */
  readonly topology: { readonly clients: number; readonly servers: number };
  /** Replies clients accepted for a call (resolved or rejected it with), counted where the harness sees them. */
  readonly acceptedReplies: number;
  /** Calls for which a client accepted a second reply (a correct client: zero), with some of their ids. */
  readonly answeredTwice: number;
  readonly answeredTwiceExamples: readonly string[];
  readonly badInputSent: number;
  readonly badInputRejected: number;
  /** Latency p50 in ms of answered calls, for the latency scenario. */
  readonly latencyP50Ms: number | undefined;
  /** Calls answered after the last fault ended: the system recovered. */
  readonly answeredAfterLastFault: number;
  /** Recovery is judged within this long after the last fault ended (model/recovery-allowance.ts); absent: default. */
  readonly recoveryAllowanceMs?: number;
  /** Calls answered from the last fault's end until the recovery allowance ran out; absent: answeredAfterLastFault. */
  readonly answeredWithinRecoveryAllowance?: number;
  /** "call X was resolved with the reply meant for call Y", where the harness can tell (external clients). */
  readonly crossResolutionExamples?: readonly string[];
  /** What the load generators offered; undefined when no client reported it. */
  readonly offeredLoad: OfferedLoad | undefined;
  /** Requests sent against requests handled, by id; undefined when a client did not report. */
  readonly requestAccounting: RequestAccounting | undefined;
  /** With publisher confirms on requests: confirmed requests against what became of them. */
  readonly requestLoss?: RequestLoss;
  /** Per client: the stale replies it received and its calls over time; undefined when not gathered. */
  readonly staleReplyClients?: readonly ClientStaleReplies[];
  /** Per process, the connections lost and re-established, where a frame tap saw them (external implementations). */
  readonly processConnections?: readonly ProcessConnections[];
  /** Per process on a blackholed link: when it noticed (model/loss-detection.ts); undefined when not gathered. */
  readonly lossDetection?: readonly LossDetection[];
  /** The run's timeline (connection losses, reconnects), for checks that judge what followed an event. */
  readonly timeline?: readonly TimelineEvent[];
  /** Per client: calls held after the load, call durations and RSS over time; undefined when not gathered. */
  readonly clientsAfterLoad?: readonly ClientAfterLoad[];
  /** Consumers of the request queue when the load ended, as the broker counted them; undefined if not looked at. */
  readonly requestQueueConsumersAtEnd?: number;
  /** How long calls took to end against timeout + grace; undefined when no client measured it. */
  readonly callDeadline?: CallDeadline;
}

export interface Check {
  readonly id: string;
  readonly title: string;
  /** The title as this run's observer would word it (an external client's replies are seen by the tap). */
  titleFor?(input: CheckInput): string;
  readonly expectation: string;
  /** `expectation`, when given, replaces the static one: for an expectation that depends on the run's options. */
  evaluate(input: CheckInput): { passed: boolean; actual: string; expectation?: string };
}

/**
 * Requests sent by this run's clients against requests handled by this run's servers, by
 * correlation id (sets, not counts: a redelivered request is handled twice but is one
 * request; a killed server's lost tally cannot hide behind another server's extra count).
 *
 * The relation that holds in every correct run:
 * 1. every request a server handled was published by a client of this run, and
 * 2. every published request was handled, except one whose call lost its connection (the
 *    request may have died with it, or with the broker's queue in a restart), that the
 *    broker returned as unroutable (published while the request queue did not exist), that
 *    the broker never confirmed (with publisher confirms: it never took the request), or
 *    that the broker dead-lettered as expired (requests expire with the call timeout).
 * A timed-out call alone is no excuse: only the broker's own record of the expiry is, so a
 * stranger consuming from the request queue breaks 2, and a server answering requests from
 * elsewhere breaks 1.
 */
export interface RequestAccounting {
  readonly published: number;
  readonly handled: number;
  readonly handledNotSent: { readonly count: number; readonly examples: readonly string[] };
  readonly sentNotHandled: { readonly count: number; readonly examples: readonly string[] };
  /** Published, not handled, and explained by a lost connection, an unroutable return, no confirm or an expiry. */
  readonly excused: number;
  /** Requests still waiting in the queue when the servers were stopped; undefined if not looked at. */
  readonly queuedAtStop: number | undefined;
  /**
   * Set when the broker cannot say which requests expired (one the harness did not configure):
   * up to this many unhandled requests (the calls that timed out) may have expired unconsumed.
   */
  readonly unobservedExpiryAllowance?: number;
}

/**
 * Requests the broker confirmed, against what became of them. With publisher confirms a
 * client knows which requests the broker took responsibility for (for a quorum queue: a
 * majority of its replicas holds the message). Such a request is LOST when all of these hold:
 * 1. the broker confirmed it (basic.ack on the client's confirm channel) and did not return
 *    it as unroutable;
 * 2. its call failed without a reply (timed out, lost its connection, or the client closed);
 * 3. no server published a reply to it (as the built-in servers report it, or the frame tap
 *    of an external server sees it);
 * 4. the broker did not drop it as expired unconsumed (its TTL is the call timeout; the
 *    broker's dead-letter record says so).
 * A correct server loses none, whatever happens to nodes and connections: it acks only after
 * its reply, so a request it held when it or its node died goes back to the queue. A server
 * that acks first loses the requests it held; the tap names the server that acked them.
 */
export interface RequestLoss {
  readonly published: number;
  readonly confirmed: number;
  /** Published and never confirmed: nacked, or the channel closed before the confirm came. */
  readonly unconfirmed: number;
  readonly nacked: number;
  readonly lost: {
    readonly count: number;
    /** The first lost calls: correlation id, and where the harness last saw the request. */
    readonly calls: readonly string[];
  };
  /** Confirmed, unanswered, and dropped by the broker as expired unconsumed: not lost. */
  readonly expired: number;
  /**
   * Confirmed, unanswered, and sent while a fault deleted the request queue: the broker confirms a
   * request routed to a queue that is being deleted and drops it with the queue. Not lost by a server.
   */
  readonly deletedWithQueue?: number;
  /**
   * Set when the broker cannot say which requests expired (one the harness did not configure):
   * up to this many lost requests (the calls that timed out) may have expired unconsumed.
   */
  readonly unobservedExpiryAllowance?: number;
}
