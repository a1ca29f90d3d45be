import { fork, type ChildProcess } from 'node:child_process';
import { programCommand } from '../../build/programs.ts';
import { guardProcesses } from '../../env/guard/guarded.ts';
import { killProcessGroup, registerCleanup } from '../../env/process-cleanup.ts';
import type { WarmupOutcome } from '../../model/warmup.ts';
import type { ParentMessage, WorkerConfig, WorkerMessage } from './worker-protocol.ts';
import { workerV8Flags, type WorkerRole } from './worker-v8-flags.ts';

const READY_TIMEOUT_MS = 30_000;

export type WorkerExit = { code: number | null; signal: NodeJS.Signals | null };

export interface SpawnWorkerOptions {
  /** Run the TypeScript worker through tsx instead of the compiled one (see programCommand). */
  readonly fromSource?: boolean;
  /** What the worker will run as, when known at spawn: a client gets its own V8 flags (see workerV8Flags). */
  readonly role?: WorkerRole;
}

/**
 * A worker process that has started and loads (or has loaded) its code, but has no config
 * yet: it waits for its 'start' message. Registered for cleanup and with the owner guard
 * from its first moment, so no worker outlives the runner, whether it ever starts or not.
 */
export class SpawnedWorker {
  readonly child: ChildProcess;
  readonly exited: Promise<WorkerExit>;
  private stderrTail = '';

  constructor(
    readonly name: string,
    readonly options: SpawnWorkerOptions = {},
  ) {
    const program = programCommand('worker', { fromSource: options.fromSource });
    // A worker exits by itself when the IPC channel closes; the guard covers one that hangs.
    const guarded = guardProcesses(`worker ${name}`);
    this.child = fork(program.file, [], {
      execArgv: [...workerV8Flags(options.role), ...program.execArgv],
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      // Own process group: a kill reaches the worker and anything it started.
      detached: true,
      env: { ...process.env, ...program.env, RPC_CHAOS_WORKER: name, ...guarded.env },
    });
    guarded.adopt(this.child.pid);
    this.child.stderr?.on('data', (chunk: Buffer) => {
      this.stderrTail = (this.stderrTail + chunk.toString('utf8')).slice(-2000);
    });
    const unregister = registerCleanup(`worker ${name}`, () => guarded.killAll());
    this.exited = new Promise((resolve) => {
      // 'close', not 'exit': it comes once the IPC channel is closed too, so every message the worker
      // sent (its final report above all) has been handled; after 'exit' one may still be unread.
      this.child.once('close', (code, signal) => {
        unregister();
        // A worker starts no processes; were one left in its cgroup, the guard would kill it when the runner ends.
        void guarded.release();
        resolve({ code, signal });
      });
    });
    this.child.on('error', () => {
      // Reported through 'close'.
    });
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The last lines the worker wrote to stderr. */
  stderrLines(): string {
    return this.stderrTail.trim().split('\n').slice(-5).join('\n');
  }

  kill(): void {
    killProcessGroup(this.child.pid);
  }
}

/**
 * The runner's handle on one worker process (a server or client). Messages are delivered to
 * `onMessage`. `spawned` is a worker started ahead of time for this name (see WarmWorkers);
 * without one, the process is started here.
 */
export class WorkerProcess {
  private readonly spawned: SpawnedWorker;
  readonly exited: Promise<WorkerExit>;
  private finalMessage: Extract<WorkerMessage, { type: 'final' }> | undefined;
  private readyMessage: Extract<WorkerMessage, { type: 'ready' }> | undefined;
  private fatalError: string | undefined;
  private exit: WorkerExit | undefined;

  constructor(
    readonly config: WorkerConfig,
    private readonly onMessage: (worker: WorkerProcess, message: WorkerMessage) => void,
    spawned?: SpawnedWorker,
  ) {
    this.spawned = spawned ?? new SpawnedWorker(config.name, { role: config.role });
    this.exited = this.spawned.exited;
    void this.exited.then((exit) => {
      this.exit = exit;
    });
    this.child.on('message', (message: WorkerMessage) => {
      if (message.type === 'final') this.finalMessage = message;
      if (message.type === 'ready') this.readyMessage = message;
      if (message.type === 'fatal') this.fatalError = message.error;
      this.onMessage(this, message);
    });
  }

  private get child(): ChildProcess {
    return this.spawned.child;
  }

  get name(): string {
    return this.config.name;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get final(): Extract<WorkerMessage, { type: 'final' }> | undefined {
    return this.finalMessage;
  }

  /** A client's warm-up calls, as it reported them when it was ready. */
  get warmup(): WarmupOutcome | undefined {
    return this.readyMessage?.warmup;
  }

  /** Why the worker failed, for error messages: its fatal message or the end of its stderr, and how it ended. */
  failureReason(): string {
    const why = this.fatalError ?? (this.spawned.stderrLines() || 'no output');
    if (!this.exit) return why;
    const { code, signal } = this.exit;
    return `${why} (${signal ? `killed by ${signal}` : `exit code ${code}`})`;
  }

  send(message: ParentMessage): void {
    if (this.child.connected) this.child.send(message);
  }

  /** Sends the config and waits for 'ready' (connected to the broker, a client's warm-up calls ended). */
  async start(): Promise<void> {
    // Each warm-up call ends by its own timeout at the latest.
    const warmupMs = this.config.role === 'client' ? (this.config.warmupCalls ?? 0) * this.config.timeoutMs : 0;
    const readyTimeoutMs = READY_TIMEOUT_MS + warmupMs;
    const ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${this.name} was not ready within ${readyTimeoutMs / 1000} s`)),
        readyTimeoutMs,
      );
      const onMessage = (message: WorkerMessage) => {
        if (message.type === 'ready') {
          clearTimeout(timer);
          this.child.off('message', onMessage);
          resolve();
        }
      };
      this.child.on('message', onMessage);
      void this.exited.then(({ code, signal }) => {
        clearTimeout(timer);
        reject(new Error(`${this.name} exited before it was ready (code ${code ?? signal}): ${this.failureReason()}`));
      });
    });
    this.send({ type: 'start', config: this.config });
    await ready;
  }

  /** Asks the worker to finish and report; kills it if it does not exit in time. */
  async stop(timeoutMs: number): Promise<WorkerExit> {
    this.send({ type: 'stop' });
    const timedOut = Symbol('timeout');
    const result = await Promise.race([this.exited, sleep(timeoutMs).then(() => timedOut)]);
    if (result !== timedOut) return result as WorkerExit;
    this.kill();
    return this.exited;
  }

  kill(): void {
    this.spawned.kill();
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
