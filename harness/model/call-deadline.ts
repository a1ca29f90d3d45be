/**
 * How long calls took to end, against their timeout: a call must end (answered, failed or timed
 * out) by its timeout plus a small grace, whatever the broker does to its connection. A client
 * whose publish hangs on a blocked connection, and that waits for it instead of its timer, breaks it.
 */

/** What a call may take beyond its timeout: the client's timer sweep, a busy machine's event loop. */
export const CALL_END_GRACE_MS = 2_000;

/** Per client, as it reports it in its tally. */
export interface CallEnds {
  /** The longest a call took from being sent to ending (ms); a call still pending at the end counts with its age. */
  readonly longestCallMs: number;
  /** Calls that had not ended by timeout + grace: ended later, or were still pending when the load was over. */
  readonly overdue: number;
}

/** The run's call ends, for the check: every client's, merged. */
export interface CallDeadline extends CallEnds {
  readonly timeoutMs: number;
  readonly graceMs: number;
  /** Clients that reported their call ends, of the run's clients. */
  readonly clientsReporting: number;
  readonly clients: number;
}
