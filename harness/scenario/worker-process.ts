import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { guardProcesses } from '../env/guard/guarded.ts';
import { killProcessGroup, registerCleanup } from '../env/process-cleanup.ts';
import type { ParentMessage, WorkerConfig, WorkerMessage } from '../load/worker-protocol.ts';
import { WORKER_V8_FLAGS } from '../load/worker-v8-flags.ts';

const WORKER_MAIN = fileURLToPath(new URL('../load/worker-main.ts', import.meta.url));
const READY_TIMEOUT_MS = 30_000;

export type WorkerExit = { code: number | null; signal: NodeJS.Signals | null };

/**
 * The runner's handle on one worker process (a server or client). Messages are delivered to
 * `onMessage`; the process is registered for cleanup so no worker outlives the runner.
 */
export class WorkerProcess {
  private readonly child: ChildProcess;
  private readonly unregister: () => void;
  readonly exited: Promise<WorkerExit>;
  private finalMessage: Extract<WorkerMessage, { type: 'final' }> | undefined;
  private fatalError: string | undefined;
  private stderrTail = '';

  constructor(
    readonly config: WorkerConfig,
    private readonly onMessage: (worker: WorkerProcess, message: WorkerMessage) => void,
  ) {
    // A worker exits by itself when the IPC channel closes; the guard covers one that hangs.
    const guarded = guardProcesses(`worker ${config.name}`);
    this.child = fork(WORKER_MAIN, [], {
      execArgv: [...WORKER_V8_FLAGS, '--import', 'tsx'],
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      // Own process group: a kill reaches the worker and anything it started.
      detached: true,
      env: { ...process.env, RPC_CHAOS_WORKER: config.name, ...guarded.env },
    });
    this.child.stderr?.on('data', (chunk: Buffer) => {
      this.stderrTail = (this.stderrTail + chunk.toString('utf8')).slice(-2000);
    });
    this.unregister = registerCleanup(`worker ${config.name}`, () => killProcessGroup(this.child.pid));
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        this.unregister();
        guarded.release();
        resolve({ code, signal });
      });
    });
    this.child.on('message', (message: WorkerMessage) => {
      if (message.type === 'final') this.finalMessage = message;
      if (message.type === 'fatal') this.fatalError = message.error;
      this.onMessage(this, message);
    });
    this.child.on('error', () => {
      // Reported through 'exit'.
    });
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

  /** Why the worker failed, for error messages: its fatal message or the end of its stderr. */
  failureReason(): string {
    return this.fatalError ?? (this.stderrTail.trim().split('\n').slice(-5).join('\n') || 'no output');
  }

  send(message: ParentMessage): void {
    if (this.child.connected) this.child.send(message);
  }

  /** Sends the config and waits for 'ready' (connected to the broker). */
  async start(): Promise<void> {
    const ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.name} was not ready within ${READY_TIMEOUT_MS / 1000} s`)), READY_TIMEOUT_MS);
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
    killProcessGroup(this.child.pid);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
