/**
 * A private three-node (or n-node) RabbitMQ cluster from Debian's rabbitmq-server: each
 * node on its own loopback address with its own name, ports and data directory, one epmd
 * for the cluster on a free port, a cookie of its own, joined by classic-config peer
 * discovery. The seed starts first, then the joiners in parallel; `start()` returns once every node accepts AMQP and
 * the seed's log has every other node's rabbit up. Nodes can be killed, stopped, started again,
 * paused and resumed one at a time, and partitioned from each other (root only).
 *
 *   await using cluster = await new PrivateRabbitCluster().withNodes(3).start();
 *   await cluster.killNode(2); await cluster.startNode(2);
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { guardDirectory, guardProcesses, type GuardedProcesses } from '../guard/guarded.ts';
import { registerCleanup } from '../process-cleanup.ts';
import type { StartedBroker } from '../broker/broker.ts';
import {
  PARTITION_HANDLING_MODES,
  prepareClusterLayout,
  type ClusterLayout,
  type PartitionHandling,
} from './cluster-layout.ts';
import { ClusterNode, REFUSED_HANDSHAKE, type NodeState } from './cluster-node.ts';
import { partitionedPeersIn, rabbitPeersUpIn } from './node-log.ts';
import { PartitionRules } from './partition-rules.ts';
import {
  clusterStatus,
  connectedNodes,
  quorumLeader,
  runRabbitTool,
  type ClusterStatus,
  type RabbitCliTarget,
} from './rabbit-cli.ts';

const RABBITMQ_SERVER = '/usr/lib/rabbitmq/bin/rabbitmq-server';
const EPMD = '/usr/bin/epmd';

export interface PrivateRabbitClusterOptions {
  readonly nodes?: number;
  readonly netTicktimeSeconds?: number;
  readonly partitionHandling?: PartitionHandling;
  readonly startTimeoutMs?: number;
}

export class PrivateRabbitCluster {
  private nodes: number;
  private netTicktimeSeconds: number;
  private partitionHandling: PartitionHandling;
  private startTimeoutMs: number;

  constructor(options: PrivateRabbitClusterOptions = {}) {
    this.nodes = options.nodes ?? 3;
    this.netTicktimeSeconds = options.netTicktimeSeconds ?? 5;
    this.partitionHandling = options.partitionHandling ?? 'pause_minority';
    this.startTimeoutMs = options.startTimeoutMs ?? 90_000;
  }

  withNodes(nodes: number): this {
    if (!(Number.isInteger(nodes) && nodes >= 1 && nodes <= 9))
      throw new Error(`a private cluster has 1 to 9 nodes, got ${nodes}`);
    this.nodes = nodes;
    return this;
  }

  withNetTicktime(seconds: number): this {
    if (!(Number.isInteger(seconds) && seconds >= 1 && seconds <= 120))
      throw new Error(`net_ticktime must be 1 to 120 s, got ${seconds}`);
    this.netTicktimeSeconds = seconds;
    return this;
  }

  withPartitionHandling(mode: PartitionHandling): this {
    if (!PARTITION_HANDLING_MODES.includes(mode))
      throw new Error(
        `partition handling must be one of ${PARTITION_HANDLING_MODES.join(', ')}, got "${String(mode)}"`,
      );
    this.partitionHandling = mode;
    return this;
  }

  withStartTimeout(ms: number): this {
    this.startTimeoutMs = ms;
    return this;
  }

  async start(): Promise<StartedPrivateRabbitCluster> {
    for (const path of [RABBITMQ_SERVER, EPMD]) {
      if (!existsSync(path))
        throw new Error(
          `a private cluster needs ${path}: run "apt-get install -y rabbitmq-server", ` +
            `or set AMQP_URL to an existing broker`,
        );
    }
    const startedAt = Date.now();
    const layout = await prepareClusterLayout({
      nodes: this.nodes,
      namePrefix: 'rpc-chaos',
      netTicktimeSeconds: this.netTicktimeSeconds,
      partitionHandling: this.partitionHandling,
    });
    const cluster = new StartedPrivateRabbitCluster(
      layout,
      guardDirectory('rabbitmq cluster directory', layout.baseDir),
    );
    try {
      await cluster.boot(this.startTimeoutMs);
    } catch (error) {
      await cluster.stop();
      throw error;
    }
    cluster.startMs = Date.now() - startedAt;
    return cluster;
  }
}

/** Per node, what the runner records: name, address and state. */
export interface ClusterNodeInfo {
  readonly index: number;
  readonly name: string;
  readonly host: string;
  readonly amqpPort: number;
  readonly state: NodeState;
}

export class StartedPrivateRabbitCluster implements StartedBroker {
  readonly kind = 'cluster' as const;
  /** Wall time of `start()`: layout, parallel boot and the membership check. */
  startMs = 0;
  /** Where the start time went, each step's end measured from the start of `boot()`. */
  readonly startSteps: Array<{ readonly step: string; readonly atMs: number }> = [];
  private readonly nodes: ClusterNode[];
  private readonly epmdProcesses: GuardedProcesses;
  private readonly cli: RabbitCliTarget;
  private epmd: ChildProcess | undefined;
  private readonly partitions: PartitionRules;
  private readonly unregister: () => void;
  private serverVersion = 'unknown';
  private stopped = false;

  constructor(
    private readonly layout: ClusterLayout,
    private readonly releaseDir: () => void,
  ) {
    this.epmdProcesses = guardProcesses(`epmd of a private cluster (port ${layout.epmdPort})`);
    this.cli = { layout, guardEnv: this.epmdProcesses.env };
    this.nodes = layout.nodes.map((node) => new ClusterNode(layout, node, this.cli));
    this.partitions = new PartitionRules(`${process.pid}-${layout.epmdPort}`);
    this.unregister = registerCleanup(
      `rabbitmq cluster ${layout.baseDir}`,
      () => {
        for (const node of this.nodes) node.killNow();
        this.epmdProcesses.killAll();
        rmSync(layout.baseDir, { recursive: true, force: true });
      },
      () => this.stop(),
    );
  }

  /** Each node's process group leader, by 1-based index, while it runs (for resource sampling). */
  getNodePids(): Array<{ readonly index: number; readonly pid: number | undefined }> {
    return this.nodes.map((node) => ({ index: node.node.index, pid: node.getPid() }));
  }

  /** @internal */
  async boot(timeoutMs: number): Promise<void> {
    const bootAt = Date.now();
    const step = (name: string) => this.startSteps.push({ step: name, atMs: Date.now() - bootAt });
    this.startEpmd();
    // The seed boots alone first. A node that joins while the seed is still booting can make the
    // seed's own boot fail (incompatible_feature_flags: "All replicas on diskfull nodes are not
    // active yet", seen in CI), and a boot is CPU-bound: on two cores, three at once gain little.
    const [seed, ...joiners] = this.nodes;
    await seed!.start(timeoutMs);
    step('node-1 accepts AMQP');
    await Promise.all(
      joiners.map(async (node) => {
        await this.startJoiner(node, timeoutMs);
        step(`node-${node.node.index} accepts AMQP`);
      }),
    );
    await this.waitForMembers(Math.min(timeoutMs, 30_000));
    step('all members running');
    await Promise.all(this.nodes.map((node) => this.ensureVhostUp(node, 20_000)));
    this.serverVersion = await readVersion(this.nodes[0]!.getAmqpUrl());
    step("vhost '/' up on every node");
  }

  /** The start's steps, e.g. "node-1 accepts AMQP 6.1 s, node-3 accepts AMQP 9.0 s, ...". */
  describeStart(): string {
    return this.startSteps.map(({ step, atMs }) => `${step} ${(atMs / 1000).toFixed(1)} s`).join(', ');
  }

  /** One epmd for the cluster, listening on every node's address (nodes look each other up there). */
  private startEpmd(): void {
    const addresses = ['127.0.0.1', ...this.layout.nodes.map((node) => node.ip)].join(',');
    this.epmd = spawn(EPMD, ['-port', String(this.layout.epmdPort), '-address', addresses], {
      detached: true,
      stdio: 'ignore',
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...this.epmdProcesses.env },
    });
    this.epmd.unref();
  }

  /**
   * A fresh node joining a seed that is itself still booting can fail its boot: RabbitMQ 3.10
   * migrates tables for feature flags on the seed while the joiner checks the schema
   * (schema_integrity_check_failed, table_attributes_mismatch). Such a node has no data worth
   * keeping: its database is wiped and it boots once more, by when the seed is up.
   */
  private async startJoiner(node: ClusterNode, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    try {
      await node.start(timeoutMs);
    } catch (error) {
      if (!/exited during start/.test((error as Error).message)) throw error;
      process.stderr.write(
        `cluster start: ${node.name} failed to join while the seed was booting; ` +
          `starting it again with an empty database\n`,
      );
      const mnesia = join(node.node.dir, 'mnesia');
      rmSync(mnesia, { recursive: true, force: true });
      mkdirSync(mnesia);
      if (this.layout.runAs) chownSync(mnesia, this.layout.runAs.uid, this.layout.runAs.gid);
      await node.start(Math.max(1_000, deadline - Date.now()));
    }
  }

  /**
   * Every node must serve vhost '/' before a run starts. Nodes booting together each import the
   * definitions, and a node whose copy of '/' failed to start then refuses every connection
   * with "vhost '/' is down" until the vhost is restarted, which RabbitMQ leaves to an operator.
   */
  private async ensureVhostUp(node: ClusterNode, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let restarted = false;
    let last = '';
    while (Date.now() < deadline) {
      try {
        await openChannelOnce(node.getAmqpUrl());
        return;
      } catch (error) {
        last = (error as Error).message;
      }
      // amqplib does not say why the broker closed the handshake; a vhost that is down is the case seen here.
      if ((/vhost '\/' is down/.test(last) || REFUSED_HANDSHAKE.test(last)) && !restarted) {
        restarted = true;
        process.stderr.write(`cluster start: vhost '/' is down on ${node.name}; restarting it\n`);
        await runRabbitTool(this.cli, 'rabbitmqctl', node.name, ['restart_vhost', '/'], 15_000).catch(
          (error: unknown) => {
            last = (error as Error).message;
          },
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    throw new Error(
      `node ${node.name} does not serve vhost '/' within ${timeoutMs} ms ` +
        `(${last})${restarted ? ', even after restart_vhost' : ''}:\n${node.logTail()}`,
    );
  }

  /**
   * Every joiner must run as a member of the seed's cluster, as the seed sees it: its log says
   * each joiner's rabbit came up (see node-log.ts), without a rabbitmqctl call. A joiner that
   * booted standalone (peer discovery gave up) never appears there.
   */
  private async waitForMembers(timeoutMs: number): Promise<void> {
    const seed = this.nodes[0]!;
    const expected = this.nodes.slice(1).map((node) => node.name);
    const deadline = Date.now() + timeoutMs;
    let up: string[] = [];
    while (Date.now() < deadline) {
      up = rabbitPeersUpIn(seed.logSince(0));
      if (expected.every((name) => up.includes(name))) return;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error(
      `the cluster's nodes did not all join within ${timeoutMs} ms: ` +
        `${seed.name} logged ${up.length > 0 ? up.join(', ') : 'no peer'} as running; ` +
        `expected ${expected.join(', ')}:\n${seed.logTail()}`,
    );
  }

  getAmqpUrl(): string {
    return this.nodes[0]!.getAmqpUrl();
  }

  getHost(): string {
    return this.layout.nodes[0]!.ip;
  }

  getAmqpPort(): number {
    return this.layout.nodes[0]!.amqpPort;
  }

  getVersion(): string {
    return this.serverVersion;
  }

  getNetTicktimeSeconds(): number {
    return this.layout.netTicktimeSeconds;
  }

  getPartitionHandling(): PartitionHandling {
    return this.layout.partitionHandling;
  }

  getBaseDir(): string {
    return this.layout.baseDir;
  }

  nodeCount(): number {
    return this.nodes.length;
  }

  /** The AMQP URL of node `index` (1-based). */
  nodeAmqpUrl(index: number): string {
    return this.node(index).getAmqpUrl();
  }

  nodeInfo(): ClusterNodeInfo[] {
    return this.nodes.map((node) => ({
      index: node.node.index,
      name: node.name,
      host: node.node.ip,
      amqpPort: node.node.amqpPort,
      state: node.getState(),
    }));
  }

  /** 1-based index of the node with this Erlang name. */
  indexOf(nodeName: string): number | undefined {
    const found = this.nodes.find((node) => node.name === nodeName);
    return found?.node.index;
  }

  describe(): string {
    return (
      `private RabbitMQ cluster of ${this.nodes.length} nodes ` +
      `(${this.layout.nodes.map((n) => `${n.ip}:${n.amqpPort}`).join(', ')}; ` +
      `${this.layout.partitionHandling}, net_ticktime ${this.layout.netTicktimeSeconds} s)`
    );
  }

  private node(index: number): ClusterNode {
    const node = this.nodes[index - 1];
    if (!node) throw new Error(`node ${index} does not exist: the cluster has nodes 1 to ${this.nodes.length}`);
    return node;
  }

  async killNode(index: number): Promise<void> {
    await this.node(index).kill();
  }

  async stopNode(index: number): Promise<void> {
    await this.node(index).stop();
  }

  async startNode(index: number, timeoutMs = 60_000): Promise<void> {
    await this.node(index).start(timeoutMs);
    await this.ensureVhostUp(this.node(index), 20_000);
  }

  pauseNode(index: number): void {
    this.node(index).pause();
  }

  resumeNode(index: number): void {
    this.node(index).resume();
  }

  /**
   * Waits until node `index`, resumed by `resumeNode`, logs that it is partitioned from its
   * peers; resolves with their indexes, or an empty list if it logged none within `timeoutMs`.
   */
  async partitionReportedAfterResume(index: number, timeoutMs: number): Promise<number[]> {
    const node = this.node(index);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const peers = partitionedPeersIn(node.logSinceResume());
      if (peers.length > 0 || Date.now() >= deadline) return peers.flatMap((peer) => this.indexOf(peer) ?? []);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  /** Restarts node `index`'s rabbit application (stop_app, start_app); resolves once it accepts AMQP again. */
  async restartApp(index: number, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    await this.node(index).restartApp(timeoutMs);
    await this.ensureVhostUp(this.node(index), Math.max(1_000, deadline - Date.now()));
  }

  /**
   * Kills node `index` (SIGKILL) and starts it again on its own data: what RabbitMQ's partitions
   * guide prescribes for a partition one does not trust ("stop all nodes in the other partitions,
   * then start them all up again"); it rejoins from the majority's database.
   */
  async restartNode(index: number, timeoutMs = 60_000): Promise<void> {
    await this.killNode(index);
    await this.startNode(index, timeoutMs);
  }

  /** Cuts node `index` off from every other node (both directions), keeping every process running. */
  async isolateNode(index: number): Promise<void> {
    const isolated = this.layout.nodes[index - 1];
    if (!isolated) throw new Error(`node ${index} does not exist: the cluster has nodes 1 to ${this.nodes.length}`);
    const others = this.layout.nodes.filter((node) => node.index !== index).map((node) => node.ip);
    await this.partitions.cutBetween([isolated.ip], others);
  }

  async healPartitions(): Promise<void> {
    await this.partitions.heal();
  }

  partitionRules(): Promise<string[]> {
    return this.partitions.listRules();
  }

  /** Node `index`'s own view of its links: the peers it is connected to. */
  connectedPeers(index: number): Promise<string[]> {
    return connectedNodes(this.cli, this.node(index).name, 15_000);
  }

  status(askIndex = 1): Promise<ClusterStatus> {
    return clusterStatus(this.cli, this.node(askIndex).name, 15_000);
  }

  /** 1-based index of the node holding the quorum queue's leader, asking the first node that answers. */
  async leaderOf(queue: string): Promise<number | undefined> {
    let lastError: Error | undefined;
    for (const node of this.nodes.filter((n) => n.getState() === 'up')) {
      try {
        const leader = await quorumLeader(this.cli, node.name, queue, 15_000);
        return leader === undefined ? undefined : this.indexOf(leader);
      } catch (error) {
        lastError = error as Error;
      }
    }
    throw lastError ?? new Error('no node is up to ask for the leader');
  }

  /** Kills every node, epmd and the partition rules, deletes the directories. Safe to call twice. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    const problems: string[] = [];
    await this.partitions.remove().catch((error: unknown) => problems.push((error as Error).message));
    // The data is deleted anyway: no graceful stop, which for quorum members takes seconds.
    await Promise.all(this.nodes.map((node) => node.dispose()));
    this.epmdProcesses.killAll();
    this.epmdProcesses.release();
    rmSync(this.layout.baseDir, { recursive: true, force: true });
    this.releaseDir();
    this.unregister();
    if (problems.length > 0) throw new Error(problems.join('; '));
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }
}

async function openChannelOnce(amqpUrl: string): Promise<void> {
  const { default: amqp } = await import('amqplib');
  const connection = await amqp.connect(amqpUrl, { timeout: 5_000 });
  try {
    await connection.createChannel();
  } finally {
    await connection.close().catch(() => undefined);
  }
}

async function readVersion(amqpUrl: string): Promise<string> {
  const { default: amqp } = await import('amqplib');
  const connection = await amqp.connect(amqpUrl, { timeout: 5_000 });
  try {
    return String((connection.connection.serverProperties as Record<string, unknown>).version ?? 'unknown');
  } finally {
    await connection.close();
  }
}
