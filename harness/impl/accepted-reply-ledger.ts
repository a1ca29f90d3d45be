/**
 * Counts the replies a client accepted, per call id, at the point where the harness sees a
 * reply being accepted (the built-in client's accept callback; an external client's answer
 * line). A promise settles only once, so counting settled promises can never see a double
 * answer: only counting acceptances can.
 *
 * Memory is bounded: a call id is forgotten once its retention window has passed after its
 * first accepted reply (by then a correct client no longer knows the call either), and at
 * most `maxRemembered` ids are kept. A second reply accepted after its id was forgotten is
 * still counted in `accepted`, so replies accepted != calls settled by a reply shows it.
 */
export const DEFAULT_MAX_REMEMBERED_CALLS = 100_000;
export const MAX_ANSWERED_TWICE_EXAMPLES = 5;

export class AcceptedReplyLedger {
  /** Insertion order is acceptance order, so the first entry is the oldest. */
  private readonly firstAcceptedAtMs = new Map<string, number>();
  private readonly answeredAgain = new Set<string>();
  private acceptedCount = 0;
  private answeredTwiceCount = 0;
  private readonly examples: string[] = [];

  constructor(
    private readonly retentionMs: number,
    private readonly maxRemembered = DEFAULT_MAX_REMEMBERED_CALLS,
    private readonly now: () => number = () => performance.now(),
  ) {
    if (!(retentionMs > 0)) throw new RangeError(`retentionMs must be > 0, got ${retentionMs}`);
    if (!Number.isInteger(maxRemembered) || maxRemembered < 1)
      throw new RangeError(`maxRemembered must be a positive integer, got ${maxRemembered}`);
  }

  /** Replies accepted, all calls together. */
  get accepted(): number {
    return this.acceptedCount;
  }

  /** Calls that accepted more than one reply (each counted once). */
  get answeredTwice(): number {
    return this.answeredTwiceCount;
  }

  /** Up to MAX_ANSWERED_TWICE_EXAMPLES ids of such calls, for the check's message. */
  get answeredTwiceExamples(): readonly string[] {
    return this.examples;
  }

  accept(callId: string): void {
    const nowMs = this.now();
    this.acceptedCount++;
    this.forgetOlderThan(nowMs - this.retentionMs);
    if (!this.firstAcceptedAtMs.has(callId)) {
      this.firstAcceptedAtMs.set(callId, nowMs);
      if (this.firstAcceptedAtMs.size > this.maxRemembered) this.forget(this.firstAcceptedAtMs.keys().next().value!);
      return;
    }
    if (this.answeredAgain.has(callId)) return;
    this.answeredAgain.add(callId);
    this.answeredTwiceCount++;
    if (this.examples.length < MAX_ANSWERED_TWICE_EXAMPLES) this.examples.push(callId);
  }

  private forgetOlderThan(cutoffMs: number): void {
    for (const [callId, atMs] of this.firstAcceptedAtMs) {
      if (atMs >= cutoffMs) return;
      this.forget(callId);
    }
  }

  private forget(callId: string): void {
    this.firstAcceptedAtMs.delete(callId);
    this.answeredAgain.delete(callId);
  }
}
