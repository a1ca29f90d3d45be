/**
 * The cluster side of a run: node faults' targets, where each server and client connected,
 * and each node's states over time (the report's node lanes), gathered into the result's
 * `cluster` section.
 */
import type { ClusterFaultTargets, NodeLaneState } from '../chaos/node-faults.ts';
import type { StartedPrivateRabbitCluster } from '../env/cluster/private-rabbit-cluster.ts';
import type { ClusterSection } from '../model/result-schema.ts';
import type { QueueType } from '../scenario/define-scenario.ts';

export class ClusterRun {
  private readonly placements: Array<{ instance: string; node: number }> = [];
  private readonly nodeStates: Array<{ node: number; tMs: number; state: NodeLaneState }> = [];
  /**
   * Asking RabbitMQ's CLI takes seconds under load: a leader fault uses the last known leader, so
   * it strikes on time.
   */
  private knownLeader: number | undefined;

  constructor(
    private readonly cluster: StartedPrivateRabbitCluster,
    private readonly queue: string,
    private readonly queueType: QueueType,
    private readonly elapsedMs: () => number,
  ) {}

  place(instance: string, node: number): void {
    if (!this.placements.some((p) => p.instance === instance)) this.placements.push({ instance, node });
  }

  placementText(): string {
    return this.placements.map((p) => `${p.instance}→node-${p.node}`).join(', ');
  }

  /** Every node up and, for a quorum queue, which one leads it, at the load's start. */
  async recordStart(): Promise<void> {
    for (const node of this.cluster.nodeInfo()) this.nodeStates.push({ node: node.index, tMs: 0, state: 'up' });
    if (this.queueType !== 'quorum') return;
    // Before the load starts the run's clock is not set yet: the leader is the state at 0.
    this.knownLeader = await this.cluster.leaderOf(this.queue).catch(() => undefined);
    if (this.knownLeader !== undefined) this.nodeStates.push({ node: this.knownLeader, tMs: 0, state: 'leader' });
  }

  /** Asks for the quorum leader and records it as a lane state; best effort (a node may be down). */
  async recordLeader(): Promise<number | undefined> {
    if (this.queueType !== 'quorum') return undefined;
    const leader = await this.cluster.leaderOf(this.queue).catch(() => undefined);
    if (leader !== undefined) this.nodeStates.push({ node: leader, tMs: this.elapsedMs(), state: 'leader' });
    this.knownLeader = leader;
    return leader;
  }

  faultTargets(): ClusterFaultTargets {
    const cluster = this.cluster;
    return {
      nodeCount: cluster.nodeCount(),
      killNode: async (node) => {
        if (node === this.knownLeader) this.knownLeader = undefined;
        await cluster.killNode(node);
      },
      stopNode: (node) => cluster.stopNode(node),
      startNode: (node) => cluster.startNode(node),
      pauseNode: (node) => cluster.pauseNode(node),
      resumeNode: (node) => cluster.resumeNode(node),
      partitionReportedAfterResume: (node, timeoutMs) => cluster.partitionReportedAfterResume(node, timeoutMs),
      restartApp: (node, timeoutMs) => cluster.restartApp(node, timeoutMs),
      isolateNode: (node) => cluster.isolateNode(node),
      healPartitions: () => cluster.healPartitions(),
      leaderNode: async () => {
        const known = this.knownLeader;
        // Down or paused since: ask again.
        if (known !== undefined && cluster.nodeInfo()[known - 1]?.state === 'up') return known;
        return this.recordLeader();
      },
      nodeState: (node, state, tMs) => {
        this.nodeStates.push({ node, tMs: tMs ?? this.elapsedMs(), state });
      },
    };
  }

  section(): ClusterSection {
    return {
      nodes: this.cluster.nodeInfo().map(({ index, name, host, amqpPort }) => ({ index, name, host, amqpPort })),
      queueType: this.queueType,
      partitionHandling: this.cluster.getPartitionHandling(),
      netTicktimeSeconds: this.cluster.getNetTicktimeSeconds(),
      startMs: this.cluster.startMs,
      placements: [...this.placements],
      nodeStates: [...this.nodeStates].sort((a, b) => a.tMs - b.tMs),
    };
  }
}
