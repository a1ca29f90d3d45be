/**
 * One node process of a private cluster: start, wait for AMQP, SIGKILL, graceful stop,
 * start again on the same ports and data (it rejoins its cluster from its own database),
 * and pause/resume with SIGSTOP/SIGCONT. The node's processes (beam, erl_child_setup and
 * its port programs) carry an owner-guard marker, so a harness killed with SIGKILL leaves
 * none of them behind, and pause reaches all of them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import amqp from 'amqplib';
import { guardProcesses, type GuardedProcesses } from '../guard/guarded.ts';
import { killProcessGroup } from '../process-cleanup.ts';
import { nodeEnvironment, type ClusterLayout, type ClusterNodeLayout } from './cluster-layout.ts';
import { runRabbitTool, type RabbitCliTarget } from './rabbit-cli.ts';

const RABBITMQ_SERVER = '/usr/lib/rabbitmq/bin/rabbitmq-server';
/** amqplib's error when the broker answers connection.open with connection.close (it leaves out the reason). */
export const REFUSED_HANDSHAKE = /Expected ConnectionOpenOk; got <ConnectionClose/;

export type NodeState = 'down' | 'starting' | 'up' | 'paused';

export class ClusterNode {
  private child: ChildProcess | undefined;
  private outputTail: string[] = [];
  private readonly processes: GuardedProcesses;
  private state: NodeState = 'down';
  /** Length of the node's log when it was last resumed: what it logs after SIGCONT starts there. */
  private logLengthAtResume = 0;

  constructor(
    private readonly layout: ClusterLayout,
    readonly node: ClusterNodeLayout,
    private readonly cli: RabbitCliTarget,
  ) {
    this.processes = guardProcesses(`rabbitmq cluster node ${node.nodeName} (amqp ${node.ip}:${node.amqpPort})`);
  }

  /** Pid of the node's process group leader (its beam below it), while it runs. */
  getPid(): number | undefined {
    return this.isRunning() ? this.child?.pid : undefined;
  }

  get name(): string {
    return this.node.nodeName;
  }

  getState(): NodeState {
    return this.state;
  }

  getAmqpUrl(): string {
    return `amqp://guest:guest@${this.node.ip}:${this.node.amqpPort}`;
  }

  /** Spawns rabbitmq-server; resolves once it accepts AMQP, rejects with its log tail if it dies or times out. */
  async start(timeoutMs: number): Promise<void> {
    if (this.isRunning()) throw new Error(`node ${this.name} is already running`);
    this.outputTail = [];
    this.state = 'starting';
    const child = spawn(RABBITMQ_SERVER, [], {
      cwd: this.node.dir,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(this.layout.runAs ?? {}),
      env: { ...nodeEnvironment(this.layout, this.node), ...this.processes.env },
    });
    this.child = child;
    const remember = (chunk: Buffer) => {
      this.outputTail.push(
        ...chunk
          .toString('utf8')
          .split('\n')
          .filter((line) => line.trim() !== ''),
      );
      if (this.outputTail.length > 40) this.outputTail.splice(0, this.outputTail.length - 40);
    };
    child.stdout?.on('data', remember);
    child.stderr?.on('data', remember);
    child.once('exit', () => {
      this.state = 'down';
    });
    await this.waitForAmqp(child, timeoutMs);
    this.state = 'up';
  }

  private isRunning(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  private async waitForAmqp(child: ChildProcess, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let lastError = 'no attempt made';
    while (Date.now() < deadline) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(
          `node ${this.name} exited during start (code ${child.exitCode ?? child.signalCode}):\n${this.logTail()}`,
        );
      }
      try {
        const connection = await amqp.connect(this.getAmqpUrl(), { timeout: 1000 });
        await connection.close();
        return;
      } catch (error) {
        lastError = (error as Error).message;
        // The broker answered the handshake and closed it: its listener is up, but it refuses
        // vhost '/' (down after a failed definitions import); the cluster restarts the vhost.
        if (REFUSED_HANDSHAKE.test(lastError)) return;
      }
      await sleep(150);
    }
    throw new Error(
      `node ${this.name} did not accept AMQP within ${timeoutMs} ms (last error: ${lastError}):\n${this.logTail()}`,
    );
  }

  private logFile(): string {
    return join(this.node.dir, 'log', `${this.name}.log`);
  }

  private logLength(): number {
    const logFile = this.logFile();
    return existsSync(logFile) ? statSync(logFile).size : 0;
  }

  /** What the node logged since `offset` (bytes). */
  logSince(offset: number): string {
    const logFile = this.logFile();
    if (!existsSync(logFile)) return '';
    const fd = openSync(logFile, 'r');
    try {
      const length = Math.max(0, statSync(logFile).size - offset);
      const buffer = Buffer.alloc(length);
      const read = readSync(fd, buffer, 0, length, offset);
      return buffer.subarray(0, read).toString('utf8');
    } finally {
      closeSync(fd);
    }
  }

  /** What the node logged since its last SIGCONT. */
  logSinceResume(): string {
    return this.logSince(this.logLengthAtResume);
  }

  logTail(lines = 15): string {
    const logFile = this.logFile();
    const log = existsSync(logFile) ? readFileSync(logFile, 'utf8').split('\n') : [];
    // The first errors say why (a vhost that failed to start, a refused join); the tail only shows the retries.
    const firstErrors = log.filter((line) => line.includes('[error]')).slice(0, 8);
    const errors = firstErrors.length > 0 ? ['first errors in the node log:', ...firstErrors, 'log tail:'] : [];
    return [...this.outputTail.slice(-lines), ...errors, ...log.slice(-lines)].join('\n');
  }

  /** SIGKILL: a node crash. Its data stays, so `start()` brings it back into the cluster. */
  async kill(): Promise<void> {
    const child = this.child;
    if (this.state === 'paused') this.resume();
    if (!child || !this.isRunning()) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    killProcessGroup(child.pid);
    this.processes.killAll();
    await Promise.race([exited, sleep(5_000)]);
    this.state = 'down';
  }

  /** A graceful stop (rabbitmqctl stop), as an operator's rolling restart does; SIGKILL if it does not answer. */
  async stop(): Promise<void> {
    const child = this.child;
    if (this.state === 'paused') this.resume();
    if (!child || !this.isRunning()) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    await runRabbitTool(this.cli, 'rabbitmqctl', this.name, ['stop'], 15_000).catch(() => undefined);
    const graceful = await Promise.race([exited.then(() => true), sleep(10_000).then(() => false)]);
    if (!graceful) await this.kill();
    // Beam helpers (erl_child_setup) share the group; make sure none survive.
    killProcessGroup(child.pid);
    this.state = 'down';
  }

  /** SIGSTOP to every process of the node: it stops answering, its TCP connections stay open. */
  pause(): void {
    if (this.state !== 'up') throw new Error(`node ${this.name} is ${this.state}, not up: cannot pause it`);
    this.signalAll('SIGSTOP');
    this.state = 'paused';
  }

  resume(): void {
    if (this.state !== 'paused') return;
    this.logLengthAtResume = this.logLength();
    this.signalAll('SIGCONT');
    this.state = 'up';
  }

  /**
   * Restarts the node's rabbit application inside its running Erlang VM, as an operator restarts
   * the losing side of a partition: the application boots again and rejoins the cluster from the
   * peers' copy of the database. It calls what `rabbitmqctl stop_app` and `start_app` call
   * (rabbit:stop/0, rabbit:start/0), in one rabbitmqctl call (each call starts an Erlang VM,
   * seconds on a busy machine), and between the two drops the node's links to its peers, which
   * come back at once: without that, after a SIGSTOP/SIGCONT the boot hung for good right after
   * its log line "... does not support registration, skipping registration" in 2 of 5 runs
   * (measured); with it, it still hung there (in global:sync/0) in 2 of about 10 runs, so
   * callers bound it and restart the whole node when it does not come back.
   */
  async restartApp(timeoutMs: number): Promise<void> {
    if (this.state !== 'up')
      throw new Error(`node ${this.name} is ${this.state}, not up: cannot restart its rabbit application`);
    const child = this.child!;
    const deadline = Date.now() + timeoutMs;
    this.state = 'starting';
    try {
      const answer = (
        await runRabbitTool(
          this.cli,
          'rabbitmqctl',
          this.name,
          ['eval', 'ok = rabbit:stop(), [erlang:disconnect_node(Peer) || Peer <- nodes()], rabbit:start().'],
          timeoutMs,
        )
      ).trim();
      if (answer !== 'ok') throw new Error(`restarting the rabbit application of ${this.name} answered ${answer}`);
      await this.waitForAmqp(child, Math.max(1_000, deadline - Date.now()));
    } catch (error) {
      // Not 'up': its application may be stopped; a dead VM is 'down'.
      if (!this.isRunning()) this.state = 'down';
      throw new Error(`${(error as Error).message}\n${this.logTail(25)}`);
    }
    this.state = 'up';
  }

  private signalAll(signal: NodeJS.Signals): void {
    for (const pid of this.processes.pids()) {
      try {
        process.kill(pid, signal);
      } catch {
        // Gone meanwhile.
      }
    }
  }

  /** Synchronous last-resort kill (exit handlers). */
  killNow(): void {
    killProcessGroup(this.child?.pid);
    this.processes.killAll();
  }

  /** Kills what is left and drops the owner-guard record. */
  async dispose(): Promise<void> {
    await this.kill();
    this.processes.killAll();
    this.processes.release();
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
