import { callEndDeadlineMs } from '../model/call-deadline.ts';

/**
 * How long a client's calls took from send to end, however they ended: the longest, and how
 * many ended after their timeout plus the grace (model/call-deadline.ts). Two numbers, so it
 * costs nothing per call but a clock read.
 */
export class CallDurations {
  private longest = 0;
  private overdue = 0;
  private readonly deadlineMs: number;

  constructor(timeoutMs: number) {
    this.deadlineMs = callEndDeadlineMs(timeoutMs);
  }

  ended(durationMs: number): void {
    if (durationMs > this.longest) this.longest = durationMs;
    if (durationMs > this.deadlineMs) this.overdue++;
  }

  get longestMs(): number {
    return Math.round(this.longest);
  }

  get overdueCalls(): number {
    return this.overdue;
  }
}
