/**
 * One incarnation of an external command, run as `/bin/sh -c <command>` in a process group
 * of its own so that a kill (SIGKILL to the group) reaches the program and anything it
 * started, and, where the machine allows, in a cgroup of its own; when it ends, whatever is
 * left in its group or its cgroup is killed too. Its stderr (and stdout, unless the caller
 * reads stdout as a protocol) is appended to a log file in the run folder, one separator line
 * per incarnation, capped to its head and tail (capped-log.ts). Registered for cleanup: no
 * command outlives the runner.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, closeSync, openSync, readFileSync, statSync } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import { guardProcesses } from '../../env/guard/guarded.ts';
import { killProcessGroup, registerCleanup } from '../../env/process-cleanup.ts';
import { CappedLog } from './capped-log.ts';
import type { InstanceExit } from '../implementation.ts';

export interface CommandProcessOptions {
  readonly name: string;
  readonly command: string;
  readonly incarnation: number;
  /** Added to the runner's environment. */
  readonly env: Readonly<Record<string, string>>;
  readonly logFile: string;
  /** 'protocol': stdin and stdout are pipes the caller speaks a protocol on; else both go nowhere / to the log. */
  readonly stdio: 'log' | 'protocol';
}

/**
 * How long the log waits, after the command's group and cgroup were killed, for its output
 * pipes to close: only a process that escaped both still holds them, and its later output is
 * not this incarnation's to keep.
 */
const LOG_DRAIN_BOUND_MS = 2_000;

/** Exit codes the shell gives for a command it could not run. */
const SHELL_EXIT_MEANINGS: Record<number, string> = {
  126: 'the shell found the command but could not execute it (permissions?)',
  127: 'the shell could not find the command (check the path and that it is installed)',
};

export class CommandProcess {
  private readonly child: ChildProcess;
  private readonly unregister: () => void;
  private readonly logStart: number;
  readonly exited: Promise<InstanceExit>;
  private exitStatus: InstanceExit | undefined;

  constructor(private readonly options: CommandProcessOptions) {
    appendFileSync(
      options.logFile,
      `--- ${options.name} incarnation ${options.incarnation} ` +
        `started ${new Date().toISOString()}: ${options.command}\n`,
    );
    this.logStart = statSync(options.logFile).size;
    // The guard kills the command (and whatever it started, even outside its group) if the runner dies.
    const guarded = guardProcesses(`command ${options.name}`);
    const cgroupProcs = guarded.prepareCgroup();
    const logFd = openSync(options.logFile, 'a');
    try {
      this.child = spawn(
        '/bin/sh',
        cgroupProcs ? joinCgroupThenRun(cgroupProcs, options.command) : ['-c', options.command],
        {
          detached: true,
          stdio: options.stdio === 'protocol' ? ['pipe', 'pipe', 'pipe'] : ['ignore', 'pipe', 'pipe'],
          env: { ...process.env, ...options.env, ...guarded.env },
        },
      );
    } catch (error) {
      closeSync(logFd);
      throw error;
    }
    // Its group and, where the machine allows, a cgroup of its own: also what drops its environment.
    guarded.adopt(this.child.pid);
    this.unregister = registerCleanup(`command ${options.name}`, () => guarded.killAll());
    const log = new CappedLog(logFd);
    const logged = (options.stdio === 'protocol' ? [this.child.stderr] : [this.child.stdout, this.child.stderr]).filter(
      (stream) => stream !== null,
    );
    for (const stream of logged) stream.on('data', (chunk: Buffer) => log.write(chunk));
    const closeLog = async () => {
      await drained(logged, LOG_DRAIN_BOUND_MS);
      log.close();
      closeSync(logFd);
    };
    this.exited = new Promise((resolve) => {
      const done = (status: InstanceExit) => {
        if (this.exitStatus) return;
        this.exitStatus = status;
        // The shell may have left children in its group or its cgroup: they go with it.
        guarded.killAll();
        void Promise.all([guarded.release(), closeLog()]).then(() => {
          this.unregister();
          resolve(status);
        });
      };
      this.child.once('exit', (code, signal) => done({ code, signal }));
      this.child.once('error', (error) => {
        appendFileSync(options.logFile, `--- ${options.name}: could not start /bin/sh: ${error.message}\n`);
        done({ code: null, signal: null });
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get stdin(): Writable | null {
    return this.child.stdin;
  }

  get stdout(): Readable | null {
    return this.child.stdout;
  }

  get hasExited(): boolean {
    return this.exitStatus !== undefined;
  }

  kill(): void {
    killProcessGroup(this.child.pid);
  }

  /** SIGTERM to the group, then SIGKILL if it is still there after `timeoutMs`. */
  async stop(timeoutMs: number): Promise<InstanceExit> {
    if (this.exitStatus) return this.exitStatus;
    killProcessGroup(this.child.pid, 'SIGTERM');
    const timedOut = Symbol('timeout');
    const result = await Promise.race([this.exited, sleep(timeoutMs).then(() => timedOut)]);
    if (result !== timedOut) return result as InstanceExit;
    this.kill();
    return this.exited;
  }

  /** The last lines this incarnation wrote to its log, for error messages. */
  logTail(lines = 10): string {
    let text = '';
    try {
      text = readFileSync(this.options.logFile).subarray(this.logStart).toString('utf8');
    } catch {
      return '(log unreadable)';
    }
    const tail = text.trimEnd().split('\n').slice(-lines);
    return tail.length === 1 && tail[0] === '' ? '(no output)' : tail.map((line) => `    | ${line}`).join('\n');
  }

  /** "exited with code 127 (the shell could not find the command ...)" */
  describeExit(status: InstanceExit): string {
    if (status.signal) return `was killed by ${status.signal}`;
    if (status.code === null) return 'could not be started';
    const meaning = SHELL_EXIT_MEANINGS[status.code];
    return `exited with code ${status.code}${meaning ? ` (${meaning})` : ''}`;
  }
}

/** Waits until the output pipes are closed (all the command wrote has been read), within a bound. */
async function drained(streams: readonly Readable[], boundMs: number): Promise<void> {
  const open = streams.filter((stream) => !stream.closed);
  if (open.length === 0) return;
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<void>((resolve) => (timer = setTimeout(resolve, boundMs)));
  await Promise.race([
    Promise.all(open.map((stream) => new Promise((resolve) => stream.once('close', resolve)))),
    bound,
  ]);
  clearTimeout(timer);
  for (const stream of open) stream.destroy();
}

/**
 * Arguments for /bin/sh that move the shell into its cgroup and then run the command as
 * `/bin/sh -c <command>` in the same process (exec): nothing the command starts is born
 * outside the cgroup, which a move after spawn() returns could not promise.
 */
function joinCgroupThenRun(cgroupProcs: string, command: string): string[] {
  return ['-c', '{ echo $$ > "$1"; } 2>/dev/null; exec /bin/sh -c "$2"', 'sh', cgroupProcs, command];
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
