/**
 * When a call that got no reply must have ended: by its timeout, plus this grace for the
 * client's timer and event loop being late (the built-in client's sweep adds up to 12 ms; a
 * busy two-core machine adds more). A call that ends later, or never, hangs.
 */
export const CALL_END_GRACE_MS = 1_000;

/** The latest a call may end, measured from when it was sent. */
export function callEndDeadlineMs(timeoutMs: number): number {
  return timeoutMs + CALL_END_GRACE_MS;
}
