import { Worker } from 'node:worker_threads';

/**
 * Sleeps with sub-millisecond precision without spinning. Node's timers cannot: setTimeout
 * waits at least 1 ms, and libuv checks timers against a loop clock kept in whole
 * milliseconds, so a wake-up asked for in 0.4 ms lands 1 to 2 ms later. For an open-loop
 * generator at 2,000 calls/s (one due every 0.5 ms) that floor alone put the start lateness
 * p99 near 2 ms on an idle machine.
 *
 * A small thread of its own waits instead (Atomics.wait, a timed condition wait with
 * microsecond resolution) and posts a message when the time has come; the message wakes
 * this thread's event loop at once, and I/O (replies) keeps being handled meanwhile.
 * The thread is unref'd: it never keeps a process alive.
 */
export class PreciseSleeper {
  private readonly worker: Worker;
  /** Slot 0: the highest sleep number cancelled; the thread waits on it, `cancel` raises it. */
  private readonly control = new Int32Array(new SharedArrayBuffer(4));
  private pending: (() => void) | undefined;
  /** Numbers each sleep: an answer to a cancelled sleep must not end the next one. */
  private sequence = 0;
  private closed = false;

  /**
   * A sleeper whose thread is running: a first sleep does not wait for the thread's start-up (30-50
   * ms, more on a busy machine).
   */
  static async start(): Promise<PreciseSleeper> {
    const sleeper = new PreciseSleeper();
    await new Promise<void>((resolve, reject) => {
      sleeper.worker.once('online', resolve);
      sleeper.worker.once('error', reject);
    });
    return sleeper;
  }

  private constructor() {
    this.worker = new Worker(SLEEPER_THREAD, { eval: true, workerData: this.control });
    this.worker.unref();
    this.worker.on('message', (answered: number) => {
      if (answered !== this.sequence) return;
      const resolve = this.pending;
      this.pending = undefined;
      resolve?.();
    });
    // The thread does nothing that can throw; if it dies anyway, wake the sleeper rather than hang it.
    this.worker.on('error', () => this.cancel());
    this.worker.on('exit', () => {
      this.closed = true;
      this.cancel();
    });
  }

  /** Resolves after `ms` (fractions count), or at once after `cancel`/`close`. One sleep at a time. */
  sleep(ms: number): Promise<void> {
    if (this.pending) throw new Error('PreciseSleeper: a sleep is already in progress');
    if (this.closed || !(ms > 0)) return Promise.resolve();
    return new Promise<void>((resolve) => {
      // A timer as well: when a busy machine leaves the waiting thread without a CPU, the sleep
      // is no later than a setTimeout one (in one CI run under full load, 20 calls 10 ms apart
      // took 1 s instead of 0.2 s without it). One millisecond more than asked, rounded up:
      // libuv's millisecond clock can fire a timer up to 1 ms early by performance.now().
      const timer = setTimeout(() => this.cancel(), Math.ceil(ms) + 1);
      this.pending = () => {
        clearTimeout(timer);
        resolve();
      };
      this.worker.postMessage([++this.sequence, ms]);
    });
  }

  /** Ends the sleep in progress now. */
  cancel(): void {
    Atomics.store(this.control, 0, this.sequence);
    Atomics.notify(this.control, 0);
    const resolve = this.pending;
    this.pending = undefined;
    resolve?.();
  }

  async close(): Promise<void> {
    this.cancel();
    if (this.closed) return;
    this.closed = true;
    await this.worker.terminate();
  }
}

/**
 * The waiting thread: for each message ([sequence, ms]) wait that long unless that sleep is
 * cancelled, then answer with its number.
 */
const SLEEPER_THREAD = `
const { parentPort, workerData } = require('node:worker_threads');
const control = workerData;
parentPort.on('message', ([sequence, ms]) => {
  const until = performance.now() + ms;
  for (;;) {
    // Cancelled, even before this thread got the message: answer at once.
    const cancelled = Atomics.load(control, 0);
    const left = until - performance.now();
    if (cancelled >= sequence || left <= 0) break;
    Atomics.wait(control, 0, cancelled, left);
  }
  parentPort.postMessage(sequence);
});
`;
