/**
 * Faults of a private cluster's nodes: kill (and start again), pause, partition, rolling
 * restart. The fault scheduler hands them here with the means to open and close a fault
 * window; every change of a node's state is also recorded as a node-state change, which
 * the report draws as one lane per node.
 */
import type { TimelineEvent } from '../model/result-schema.ts';
import { describeNodeTarget, type NodeFaultSpec, type NodeTarget, type PartitionRemedy } from './fault-spec.ts';

export type NodeLaneState = 'up' | 'down' | 'paused' | 'partitioned' | 'leader';

/** What node faults act on; the runner provides it when the broker is a cluster. */
export interface ClusterFaultTargets {
  readonly nodeCount: number;
  killNode(node: number): Promise<void>;
  stopNode(node: number): Promise<void>;
  startNode(node: number): Promise<void>;
  pauseNode(node: number): void;
  resumeNode(node: number): void;
  /** The peers (1-based) a resumed node reports it is partitioned from, waiting up to `timeoutMs`; empty if none. */
  partitionReportedAfterResume(node: number, timeoutMs: number): Promise<number[]>;
  /** Restarts the node's rabbit application (stop_app, start_app); rejects if it is not back within `timeoutMs`. */
  restartApp(node: number, timeoutMs: number): Promise<void>;
  isolateNode(node: number): Promise<void>;
  healPartitions(): Promise<void>;
  /** The node holding the request queue's quorum leader now. */
  leaderNode(): Promise<number | undefined>;
  /** A node changed state (for the node lanes). */
  nodeState(node: number, state: NodeLaneState, tMs?: number): void;
}

export interface NodeFaultContext {
  readonly cluster: ClusterFaultTargets | undefined;
  record(event: Omit<TimelineEvent, 'tMs'> & { tMs?: number }): void;
  /** Keeps the fault open until `close` ran (after durationMs, or at the end of the run). */
  openWindow(durationMs: number | undefined, close: () => Promise<void>): void;
  endFault(): void;
  /** Runs later, tracked by the scheduler (so `stop()` waits for it). */
  after(ms: number, action: () => Promise<void>): void;
}

export async function executeNodeFault(spec: NodeFaultSpec, context: NodeFaultContext): Promise<void> {
  const cluster = context.cluster;
  if (!cluster) throw new Error(`${spec.kind} needs a private cluster: run with --broker cluster (or --nodes 3)`);
  switch (spec.kind) {
    case 'kill-node': {
      const node = await resolveNode(cluster, spec.node);
      await cluster.killNode(node);
      cluster.nodeState(node, 'down');
      context.record({
        kind: 'kill',
        process: `node-${node}`,
        detail: `SIGKILL node-${node}${spec.node === 'quorum-leader' ? ' (held the quorum leader)' : ''}`,
      });
      if (spec.restartAfterMs === undefined) {
        context.endFault();
        return;
      }
      context.after(spec.restartAfterMs, async () => {
        await cluster.startNode(node);
        cluster.nodeState(node, 'up');
        context.record({ kind: 'restart', process: `node-${node}`, detail: `node-${node} accepts AMQP again` });
        context.endFault();
      });
      return;
    }
    case 'pause-node': {
      const node = await resolveNode(cluster, spec.node);
      cluster.pauseNode(node);
      cluster.nodeState(node, 'paused');
      context.record({ kind: 'note', process: `node-${node}`, detail: `SIGSTOP node-${node}` });
      context.openWindow(spec.durationMs, async () => {
        cluster.resumeNode(node);
        cluster.nodeState(node, 'up');
        context.record({ kind: 'note', process: `node-${node}`, detail: `SIGCONT node-${node}` });
        // The fault ends at SIGCONT: whatever the operator does after it counts into recovery time.
        const onPartition = spec.onPartition;
        if (onPartition) context.after(0, () => restartIfPartitioned(cluster, node, onPartition, context));
      });
      return;
    }
    case 'partition-node': {
      const node = await resolveNode(cluster, spec.node);
      await cluster.isolateNode(node);
      cluster.nodeState(node, 'partitioned');
      context.record({
        kind: 'note',
        process: `node-${node}`,
        detail: `node-${node} cut off from the other nodes (packets dropped)`,
      });
      context.openWindow(spec.durationMs, async () => {
        await cluster.healPartitions();
        cluster.nodeState(node, 'up');
        context.record({ kind: 'note', process: `node-${node}`, detail: 'partition healed' });
      });
      return;
    }
    case 'rolling-restart': {
      for (let node = 1; node <= cluster.nodeCount; node++) {
        await cluster.stopNode(node);
        cluster.nodeState(node, 'down');
        context.record({ kind: 'note', process: `node-${node}`, detail: `node-${node} stopped (rolling restart)` });
        await cluster.startNode(node);
        cluster.nodeState(node, 'up');
        context.record({ kind: 'restart', process: `node-${node}`, detail: `node-${node} accepts AMQP again` });
        if (node < cluster.nodeCount) await new Promise((resolve) => setTimeout(resolve, spec.gapMs));
      }
      context.endFault();
      return;
    }
  }
}

/** How long a resumed node gets to report a partition (measured: 1.3 s after SIGCONT). */
const PARTITION_REPORT_WAIT_MS = 15_000;

/**
 * How long a restart of the rabbit application may take before the whole node is restarted
 * instead. Measured: 1.9-4.6 s at load 3-7 (a rabbitmqctl VM start included), 7.3 s once at
 * load 10; a boot stuck in global:sync/0 never finishes.
 */
export const APP_RESTART_BOUND_MS = 6_000;

/**
 * What an operator does when a node comes back from a pause on the wrong side of a partition:
 * a SIGSTOPped node does not notice that its peers dropped it, so pause_minority never pauses
 * it (RabbitMQ's partitions guide: partitions caused by suspend and resume are asymmetrical),
 * and nothing in RabbitMQ merges it back. The guide's recovery for the side one does not trust
 * is to stop its nodes and start them again; they rejoin from the majority's database.
 *
 * 'restart-node' does that: SIGKILL (its state is discarded anyway, and a graceful stop can
 * wait on peers that no longer answer it), then a start on its own data, 6-7 s here.
 * 'restart-app' first restarts only its rabbit application, 2-5 s here; but that boot hung in
 * global:sync/0 (right after "skipping registration") in 2 of about 10 runs, the resumed VM's
 * name server keeping a stale view of its peers, so after APP_RESTART_BOUND_MS the node is
 * restarted as with 'restart-node'. Every step is on the timeline.
 */
async function restartIfPartitioned(
  cluster: ClusterFaultTargets,
  node: number,
  how: PartitionRemedy,
  context: NodeFaultContext,
): Promise<void> {
  const peers = await cluster.partitionReportedAfterResume(node, PARTITION_REPORT_WAIT_MS);
  if (peers.length === 0) {
    const waitedS = PARTITION_REPORT_WAIT_MS / 1000;
    context.record({
      kind: 'note',
      process: `node-${node}`,
      detail: `node-${node} reported no partition within ${waitedS} s of SIGCONT: left as it is`,
    });
    return;
  }
  const partitioned = `node-${node} reports a partition from ${peers.map((peer) => `node-${peer}`).join(', ')}`;
  cluster.nodeState(node, 'down');
  if (how === 'restart-app') {
    context.record({
      kind: 'note',
      process: `node-${node}`,
      detail: `${partitioned}: restarting its rabbit app (stop_app, start_app)`,
    });
    try {
      await cluster.restartApp(node, APP_RESTART_BOUND_MS);
      cluster.nodeState(node, 'up');
      context.record({
        kind: 'restart',
        process: `node-${node}`,
        detail: `node-${node} rabbit app started again, accepts AMQP`,
      });
      return;
    } catch (error) {
      const why = (error as Error).message.split('\n')[0];
      context.record({
        kind: 'note',
        process: `node-${node}`,
        detail:
          `node-${node} rabbit app not back within ${APP_RESTART_BOUND_MS / 1000} s (${why}): ` +
          'restarting the node (SIGKILL, start on its own data)',
      });
    }
  } else {
    context.record({
      kind: 'note',
      process: `node-${node}`,
      detail: `${partitioned}: restarting the node (SIGKILL, start on its own data)`,
    });
  }
  // A start on its own data: it rejoins from its peers' database.
  await cluster.killNode(node);
  await cluster.startNode(node);
  cluster.nodeState(node, 'up');
  context.record({ kind: 'restart', process: `node-${node}`, detail: `node-${node} started again, accepts AMQP` });
}

async function resolveNode(cluster: ClusterFaultTargets, target: NodeTarget): Promise<number> {
  if (target !== 'quorum-leader') return target;
  const leader = await cluster.leaderNode();
  if (leader === undefined)
    throw new Error(
      `${describeNodeTarget(target)}: the request queue has no quorum leader (is --queue-type quorum set?)`,
    );
  return leader;
}
