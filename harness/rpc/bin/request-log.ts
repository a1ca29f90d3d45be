/**
 * rpc:server's per-request lines (" [.] fib(n)", as the tutorial prints them), bounded: at
 * most `linesPerSecond` lines a second, the rest counted and summed up in one line when the
 * second is over. A console line is a synchronous write to a pipe or terminal, tens of
 * microseconds: one per request would cost more than the request under load.
 */
export class RequestLog {
  private windowStartMs = Number.NEGATIVE_INFINITY;
  private linesInWindow = 0;
  private suppressed = 0;
  private summaryTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly write: (line: string) => void,
    private readonly linesPerSecond = 10,
    private readonly now: () => number = () => performance.now(),
  ) {}

  request(line: string): void {
    const nowMs = this.now();
    if (nowMs - this.windowStartMs >= 1_000) {
      this.flush();
      this.windowStartMs = nowMs;
      this.linesInWindow = 0;
    }
    if (this.linesInWindow < this.linesPerSecond) {
      this.linesInWindow++;
      this.write(line);
      return;
    }
    this.suppressed++;
    this.summaryTimer ??= setTimeout(() => this.flush(), 1_000).unref();
  }

  /** Prints the count of requests not printed so far, if any. */
  flush(): void {
    if (this.summaryTimer) clearTimeout(this.summaryTimer);
    this.summaryTimer = undefined;
    if (this.suppressed === 0) return;
    this.write(
      ` [.] ... and ${this.suppressed} more request${this.suppressed === 1 ? '' : 's'} ` +
        `(at most ${this.linesPerSecond} lines a second)`,
    );
    this.suppressed = 0;
  }
}
