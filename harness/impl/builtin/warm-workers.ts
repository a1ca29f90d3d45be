import { SpawnedWorker, type SpawnWorkerOptions } from './worker-process.ts';

/**
 * Worker processes started before they are needed: they load their code while the broker
 * boots, and the ones for planned restarts wait through the run, so that starting an
 * instance, also a restarted one, costs only its connection to the broker. Whatever is not
 * taken is killed by close().
 */
export class WarmWorkers {
  private readonly waiting = new Map<string, SpawnedWorker[]>();
  private closed = false;

  constructor(private readonly options: SpawnWorkerOptions = {}) {}

  /** Starts one worker per name given; a name given twice (a server restarted once) gets two. */
  prepare(names: readonly string[]): void {
    if (this.closed) return;
    for (const name of names)
      this.waiting.set(name, [...(this.waiting.get(name) ?? []), new SpawnedWorker(name, this.options)]);
  }

  /** A waiting worker for `name`, or a new one when none is waiting (or those waiting died). */
  take(name: string): SpawnedWorker {
    const queue = this.waiting.get(name) ?? [];
    for (let worker = queue.shift(); worker !== undefined; worker = queue.shift()) {
      if (worker.alive) return worker;
    }
    return new SpawnedWorker(name, this.options);
  }

  /** Kills the workers nobody took; later prepare() calls start nothing. */
  async close(): Promise<void> {
    this.closed = true;
    const left = [...this.waiting.values()].flat();
    this.waiting.clear();
    for (const worker of left) worker.kill();
    await Promise.all(left.map((worker) => worker.exited));
  }
}
