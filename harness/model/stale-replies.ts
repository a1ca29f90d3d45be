/**
 * What the check `kept-working-after-stale-replies` looks at: per client, the stale replies it
 * received (duplicate, late or unknown correlation id) and how its calls ended over time.
 */

/** A stale reply that reached a client, ms since the run start. */
export interface StaleReply {
  readonly tMs: number;
  readonly kind: 'duplicate' | 'late' | 'unknown';
  readonly correlationId?: string;
}

/** A client's calls whose intended start fell in [tMs, tMs + intervalMs). */
export interface CallsInInterval {
  readonly tMs: number;
  readonly succeeded: number;
  readonly failed: number;
}

/** A failed call as the timeline has it: when it failed and the error text. */
export interface FailedCall {
  readonly tMs: number;
  readonly text: string;
}

export interface ClientStaleReplies {
  /** 'client-1'. */
  readonly process: string;
  /** Who saw the stale replies: the built-in client itself, or the frame tap in front of an external one. */
  readonly seenBy: 'client' | 'frame tap';
  /** Stale replies in the timeline, in time order. */
  readonly staleReplies: readonly StaleReply[];
  /** Stale replies the client (or its tap) counted; more than the timeline holds when it dropped some. */
  readonly staleRepliesCounted: number;
  /** Undefined when the client did not report its calls by start. */
  readonly calls: readonly CallsInInterval[] | undefined;
  readonly intervalMs: number;
  /** Failed calls in the timeline, in time order. */
  readonly failures: readonly FailedCall[];
  /** When the timeline has no failure after a reply: the error groups, to name the failure by. */
  readonly errorGroups: ReadonlyArray<{ readonly example: string; readonly count: number; readonly firstTMs: number }>;
}
