/**
 * How long each call took from being sent to ending, for the calls-end-by-timeout check: the
 * longest, and how many took longer than timeout + grace (model/call-deadline.ts). Calls still
 * pending when the client is closed out count with their age.
 */
import type { CallEnds } from '../model/call-deadline.ts';

export class CallDurations {
  private readonly pending = new Map<number, number>();
  private nextToken = 0;
  private longestMs = 0;
  private overdue = 0;

  /** `limitMs`: timeout + grace; a call that takes longer is overdue. */
  constructor(private readonly limitMs: number) {}

  /** A call was sent; returns its token for `ended`. */
  began(nowMs = performance.now()): number {
    const token = this.nextToken++;
    this.pending.set(token, nowMs);
    return token;
  }

  ended(token: number, nowMs = performance.now()): void {
    const startedMs = this.pending.get(token);
    if (startedMs === undefined) return;
    this.pending.delete(token);
    this.account(nowMs - startedMs);
  }

  /** Someone gave up waiting for the call at timeout + grace (an external client's answer): overdue. */
  gaveUp(token: number, nowMs = performance.now()): void {
    const startedMs = this.pending.get(token);
    if (startedMs === undefined) return;
    this.pending.delete(token);
    this.account(Math.max(nowMs - startedMs, this.limitMs + 1));
  }

  get pendingCalls(): number {
    return this.pending.size;
  }

  /** Counts the calls still pending as they stand now (the load is over and they never ended); forgets them. */
  closeOut(nowMs = performance.now()): number {
    const stillPending = this.pending.size;
    for (const startedMs of this.pending.values()) this.account(nowMs - startedMs);
    this.pending.clear();
    return stillPending;
  }

  report(): CallEnds {
    return { longestCallMs: Math.round(this.longestMs), overdue: this.overdue };
  }

  private account(durationMs: number): void {
    if (durationMs > this.longestMs) this.longestMs = durationMs;
    if (durationMs > this.limitMs) this.overdue++;
  }
}
