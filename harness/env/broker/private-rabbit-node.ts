import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import amqp from 'amqplib';
import { findFreePorts } from '../free-port.ts';
import { guardDirectory, guardProcesses, type GuardedProcesses } from '../guard/guarded.ts';
import { killProcessGroup, registerCleanup } from '../process-cleanup.ts';
import type { StartedBroker } from './broker.ts';
import { prepareBrokerPluginsDir, prepareBrokerScripts } from './broker-plugins-dir.ts';
import { privateNodeDefinitions } from './expired-requests.ts';

const execFileAsync = promisify(execFile);

const RABBITMQ_SERVER = '/usr/lib/rabbitmq/bin/rabbitmq-server';
const RABBITMQCTL = '/usr/lib/rabbitmq/bin/rabbitmqctl';
/**
 * Between attempts to connect while the node boots. The port stays closed until the node is
 * ready, so an attempt is a refused connect, cheap; the interval is what a run waits, on
 * average half of it, after the node could already serve.
 */
const AMQP_POLL_MS = 40;
/** Debian's rabbitmq runs as this user; as root we must hand it the node's directories. */
const RABBITMQ_USER_HOME = '/var/lib/rabbitmq';

export interface PrivateRabbitNodeOptions {
  /** Prefix of the Erlang node name; a unique suffix is added. */
  readonly nodeNamePrefix?: string;
  /** How long to wait for AMQP to accept connections. */
  readonly startTimeoutMs?: number;
  /** Keep the data/log directory after stop (for post-mortems). */
  readonly keepDataDir?: boolean;
  /** Called once the node's process is started, long before it accepts connections. */
  readonly onLaunched?: () => void;
}

interface NodeLayout {
  readonly baseDir: string;
  readonly nodeName: string;
  readonly amqpPort: number;
  readonly distPort: number;
  /** The node's own epmd: a shared one would outlive the run or, killed with it, take other nodes down. */
  readonly epmdPort: number;
  readonly runAs?: { uid: number; gid: number };
  readonly home: string;
  /** Only the broker's own applications (broker-plugins-dir.ts); undefined: the installed directory. */
  readonly pluginsDir?: string;
  /** rabbitmq-server linked from baseDir/sbin, so only pluginsDir is on the code path (prepareBrokerScripts). */
  readonly serverScript: string;
}

/**
 * A private RabbitMQ node from Debian's `rabbitmq-server`, on free loopback ports with
 * its own node name and data/log directories, so a scenario can kill and restart it
 * without touching any other broker on the machine.
 *
 *   await using node = await new PrivateRabbitNode().start();
 *   const url = node.getAmqpUrl();
 */
export class PrivateRabbitNode {
  private nodeNamePrefix: string;
  private startTimeoutMs: number;
  private keepDataDir: boolean;
  private readonly onLaunched: (() => void) | undefined;

  constructor(options: PrivateRabbitNodeOptions = {}) {
    this.nodeNamePrefix = options.nodeNamePrefix ?? 'rpc-chaos';
    this.startTimeoutMs = options.startTimeoutMs ?? 60_000;
    this.keepDataDir = options.keepDataDir ?? false;
    this.onLaunched = options.onLaunched;
  }

  withNodeNamePrefix(prefix: string): this {
    if (!/^[A-Za-z0-9_-]+$/.test(prefix))
      throw new Error(`node name prefix must match [A-Za-z0-9_-]+, got "${prefix}"`);
    this.nodeNamePrefix = prefix;
    return this;
  }

  withStartTimeout(ms: number): this {
    this.startTimeoutMs = ms;
    return this;
  }

  withKeepDataDir(keep = true): this {
    this.keepDataDir = keep;
    return this;
  }

  async start(): Promise<StartedPrivateRabbitNode> {
    if (!existsSync(RABBITMQ_SERVER)) {
      throw new Error(
        `rabbitmq-server is not installed (${RABBITMQ_SERVER} missing): run "apt-get install -y rabbitmq-server", ` +
          'or use --broker docker, or set AMQP_URL to an existing broker',
      );
    }
    const layout = await prepareLayout(this.nodeNamePrefix);
    const releaseDir = this.keepDataDir ? () => undefined : guardDirectory('rabbitmq node directory', layout.baseDir);
    const started = new StartedPrivateRabbitNode(layout, this.startTimeoutMs, this.keepDataDir, releaseDir);
    try {
      await started.boot(this.onLaunched);
    } catch (error) {
      await started.stop();
      throw error;
    }
    return started;
  }
}

async function prepareLayout(prefix: string): Promise<NodeLayout> {
  const baseDir = mkdtempSync(join(tmpdir(), 'rpc-chaos-rabbit-'));
  const [amqpPort, distPort, epmdPort] = (await findFreePorts(3)) as [number, number, number];
  const nodeName = `${prefix}-${process.pid}-${amqpPort}@localhost`;
  for (const dir of ['mnesia', 'log']) mkdirSync(join(baseDir, dir));
  // Our own config file: the machine's /etc/rabbitmq/rabbitmq.conf may pin port 5672. In
  // Erlang terms (rabbitmq.config), not rabbitmq.conf: cuttlefish would translate the new
  // format at every boot, 1-2 s of CPU before the node even starts its boot steps.
  writeFileSync(
    join(baseDir, 'rabbitmq.config'),
    `[{rabbit, [{tcp_listeners, [{"127.0.0.1", ${amqpPort}}]}, {loopback_users, []},\n` +
      `  {definitions, [{import_backend, rabbit_definitions_import_local_filesystem}, ` +
      `{local_path, "${join(baseDir, 'definitions.json')}"}]}]}].\n`,
  );
  writeFileSync(join(baseDir, 'definitions.json'), JSON.stringify(privateNodeDefinitions()));
  writeFileSync(join(baseDir, 'enabled_plugins'), '[].\n');
  writeFileSync(join(baseDir, 'rabbitmq-env.conf'), '');
  const pluginsDir = prepareBrokerPluginsDir(join(baseDir, 'plugins'));
  const serverScript = (pluginsDir && prepareBrokerScripts(baseDir, RABBITMQ_SERVER)) ?? RABBITMQ_SERVER;

  const isRoot = process.getuid?.() === 0;
  if (isRoot) {
    // Debian's script would `su rabbitmq`; we run as that user directly so the process group is ours.
    const { uid, gid } = statSync(RABBITMQ_USER_HOME);
    chownTree(baseDir, uid, gid);
    return {
      baseDir,
      nodeName,
      amqpPort,
      distPort,
      epmdPort,
      runAs: { uid, gid },
      home: RABBITMQ_USER_HOME,
      pluginsDir,
      serverScript,
    };
  }
  return { baseDir, nodeName, amqpPort, distPort, epmdPort, home: baseDir, pluginsDir, serverScript };
}

function chownTree(dir: string, uid: number, gid: number): void {
  chownSync(dir, uid, gid);
  for (const entry of [
    'mnesia',
    'log',
    'rabbitmq.config',
    'definitions.json',
    'enabled_plugins',
    'rabbitmq-env.conf',
  ]) {
    chownSync(join(dir, entry), uid, gid);
  }
}

export class StartedPrivateRabbitNode implements StartedBroker {
  readonly kind = 'local' as const;
  private child: ChildProcess | undefined;
  private unregister: (() => void) | undefined;
  private serverVersion = 'unknown';
  private stopped = false;
  private outputTail: string[] = [];
  /** The beam, erl_child_setup, its port programs and the node's epmd daemon, by environment marker. */
  private readonly processes: GuardedProcesses;

  constructor(
    private readonly layout: NodeLayout,
    private readonly startTimeoutMs: number,
    private readonly keepDataDir: boolean,
    private readonly releaseDir: () => void,
  ) {
    this.processes = guardProcesses(
      `rabbitmq node ${layout.nodeName} (amqp ${layout.amqpPort}, dist ${layout.distPort}, epmd ${layout.epmdPort})`,
    );
  }

  getAmqpUrl(): string {
    return `amqp://guest:guest@127.0.0.1:${this.layout.amqpPort}`;
  }

  getHost(): string {
    return '127.0.0.1';
  }

  getAmqpPort(): number {
    return this.layout.amqpPort;
  }

  getNodeName(): string {
    return this.layout.nodeName;
  }

  getVersion(): string {
    return this.serverVersion;
  }

  /** The port of the node's own epmd (Erlang port mapper), also needed by rabbitmqctl. */
  getEpmdPort(): number {
    return this.layout.epmdPort;
  }

  getDataDir(): string {
    return this.layout.baseDir;
  }

  /** Pid of the node's process group leader, while it runs. */
  getPid(): number | undefined {
    return this.child?.exitCode === null ? this.child.pid : undefined;
  }

  describe(): string {
    return `private RabbitMQ node ${this.layout.nodeName} on 127.0.0.1:${this.layout.amqpPort}`;
  }

  /** @internal Starts the node process (then calls `onLaunched`) and waits until AMQP accepts a connection. */
  async boot(onLaunched?: () => void): Promise<void> {
    const { layout } = this;
    this.outputTail = [];
    const child = spawn(layout.serverScript, [], {
      cwd: layout.baseDir,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(layout.runAs ?? {}),
      env: {
        PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin',
        HOME: layout.home,
        LANG: 'C.UTF-8',
        RABBITMQ_NODENAME: layout.nodeName,
        RABBITMQ_NODE_IP_ADDRESS: '127.0.0.1',
        RABBITMQ_NODE_PORT: String(layout.amqpPort),
        RABBITMQ_DIST_PORT: String(layout.distPort),
        ERL_EPMD_PORT: String(layout.epmdPort),
        ...this.processes.env,
        RABBITMQ_MNESIA_BASE: join(layout.baseDir, 'mnesia'),
        RABBITMQ_LOG_BASE: join(layout.baseDir, 'log'),
        RABBITMQ_ENABLED_PLUGINS_FILE: join(layout.baseDir, 'enabled_plugins'),
        RABBITMQ_PID_FILE: join(layout.baseDir, 'rabbit.pid'),
        RABBITMQ_CONFIG_FILE: join(layout.baseDir, 'rabbitmq.config'),
        RABBITMQ_CONF_ENV_FILE: join(layout.baseDir, 'rabbitmq-env.conf'),
        ...(layout.pluginsDir ? { RABBITMQ_PLUGINS_DIR: layout.pluginsDir } : {}),
        ...(layout.serverScript === RABBITMQ_SERVER ? {} : { RABBITMQ_SCRIPTS_DIR: dirname(layout.serverScript) }),
        ERL_EPMD_ADDRESS: '127.0.0.1',
        ERL_FLAGS: '-kernel inet_dist_use_interface {127,0,0,1}',
      },
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
    this.unregister?.();
    this.unregister = registerCleanup(
      `rabbitmq node ${layout.nodeName}`,
      () => {
        killProcessGroup(child.pid);
        this.processes.killAll();
        if (!this.keepDataDir) rmSync(layout.baseDir, { recursive: true, force: true });
      },
      () => this.stop(),
    );
    onLaunched?.();
    await this.waitForAmqp(child);
  }

  private async waitForAmqp(child: ChildProcess): Promise<void> {
    const deadline = Date.now() + this.startTimeoutMs;
    let lastError = 'no attempt made';
    while (Date.now() < deadline) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(
          `${this.describe()} exited during start (code ${child.exitCode ?? child.signalCode}):\n${this.logTail()}`,
        );
      }
      try {
        const connection = await amqp.connect(this.getAmqpUrl(), { timeout: 1000 });
        const properties = connection.connection.serverProperties as Record<string, unknown>;
        this.serverVersion = String(properties.version ?? 'unknown');
        await connection.close();
        return;
      } catch (error) {
        lastError = (error as Error).message;
      }
      await new Promise((resolve) => setTimeout(resolve, AMQP_POLL_MS));
    }
    throw new Error(
      `${this.describe()} did not accept AMQP within ${this.startTimeoutMs} ms (last error: ${lastError}):\n` +
        this.logTail(),
    );
  }

  private logTail(): string {
    const logFile = join(this.layout.baseDir, 'log', `${this.layout.nodeName}.log`);
    const fromLog = existsSync(logFile) ? readFileSync(logFile, 'utf8').split('\n').slice(-15) : [];
    return [...this.outputTail.slice(-15), ...fromLog].join('\n');
  }

  /**
   * Runs rabbitmqctl against this node, with its name, cookie, epmd port and user, e.g.
   * `await node.rabbitmqctl(['add_user', 'chaos', password])`; resolves with its output. A
   * failure names the command, not its arguments, which may hold a password.
   */
  async rabbitmqctl(args: readonly string[], timeoutMs = 10_000): Promise<string> {
    try {
      const { stdout } = await execFileAsync(RABBITMQCTL, ['-n', this.layout.nodeName, ...args], {
        timeout: timeoutMs,
        // The leftover marker too: rabbitmqctl starts an epmd when the node's has died, and that one must be reaped as
        // well.
        env: {
          ...process.env,
          HOME: this.layout.home,
          ERL_EPMD_PORT: String(this.layout.epmdPort),
          ...this.processes.env,
        },
        ...(this.layout.runAs ?? {}),
      });
      return stdout;
    } catch (error) {
      const failed = error as Error & { stderr?: string; killed?: boolean };
      const why = failed.killed
        ? `no answer within ${timeoutMs} ms`
        : (failed.stderr || 'no output').trim().split('\n').slice(0, 3).join(' ');
      throw new Error(`rabbitmqctl ${args[0] ?? ''} on ${this.layout.nodeName} failed: ${why}`);
    }
  }

  /** Stops the node gracefully (rabbitmqctl stop), falling back to SIGKILL of its process group. */
  private async haltProcess(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    try {
      await this.rabbitmqctl(['stop']);
    } catch {
      // A node that does not answer rabbitmqctl is killed below.
    }
    const graceful = await Promise.race([exited.then(() => true), sleep(5_000).then(() => false)]);
    if (!graceful) {
      killProcessGroup(child.pid);
      await Promise.race([exited, sleep(5_000)]);
    }
    // Beam helpers (erl_child_setup) share the group; make sure none survive.
    killProcessGroup(child.pid);
  }

  /** SIGKILLs the node: a broker crash. Data stays, so `restart()` brings it back. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    killProcessGroup(child.pid);
    await Promise.race([exited, sleep(5_000)]);
  }

  /** Stops and starts the node on the same ports with the same data (durable queues survive). */
  async restart(): Promise<void> {
    if (this.stopped) throw new Error(`${this.describe()} was stopped; start a new node instead of restarting`);
    await this.haltProcess();
    await this.boot();
  }

  /**
   * Stops the node and deletes its directories. Safe to call twice. A node whose data is
   * deleted anyway is SIGKILLed: a graceful `rabbitmqctl stop` starts a second Erlang VM and
   * takes one to several seconds of every run for nothing. One kept for a post-mortem stops
   * gracefully, so its logs end cleanly.
   */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.keepDataDir) await this.haltProcess();
    else await this.kill();
    // The node's epmd daemonized out of its process group; it and any straggler go by marker.
    this.processes.killAll();
    this.processes.release();
    this.unregister?.();
    if (!this.keepDataDir) rmSync(this.layout.baseDir, { recursive: true, force: true });
    this.releaseDir();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
