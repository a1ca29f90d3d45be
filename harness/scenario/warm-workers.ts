import { SpawnedWorker, type SpawnWorkerOptions } from './worker-process.ts';

/**
 * Worker processes started before they are needed, one per instance name: they load their
 * code while the broker boots, or while a killed server waits for its restart, so that
 * starting the instance costs only its connection to the broker. Whatever is not taken is
 * killed by close().
 */
export class WarmWorkers {
  private readonly waiting = new Map<string, SpawnedWorker>();
  private closed = false;

  constructor(private readonly options: SpawnWorkerOptions = {}) {}

  /** Starts a worker for each name that has none waiting. */
  prepare(names: readonly string[]): void {
    if (this.closed) return;
    for (const name of names) {
      const waiting = this.waiting.get(name);
      if (waiting?.alive) continue;
      this.waiting.set(name, new SpawnedWorker(name, this.options));
    }
  }

  /** The waiting worker for `name`, or a new one when none is waiting (or it died meanwhile). */
  take(name: string): SpawnedWorker {
    const waiting = this.waiting.get(name);
    this.waiting.delete(name);
    if (waiting?.alive) return waiting;
    waiting?.kill();
    return new SpawnedWorker(name, this.options);
  }

  /** Kills the workers nobody took; later prepare() calls start nothing. */
  async close(): Promise<void> {
    this.closed = true;
    const left = [...this.waiting.values()];
    this.waiting.clear();
    for (const worker of left) worker.kill();
    await Promise.all(left.map((worker) => worker.exited));
  }
}
