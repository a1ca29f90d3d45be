/**
 * Faults of a private cluster's nodes: kill (and start again), pause, partition, rolling
 * restart. The fault scheduler hands them here with the means to open and close a fault
 * window; every change of a node's state is also recorded as a node-state change, which
 * the report draws as one lane per node.
 */
import type { TimelineEvent } from '../report/result-schema.ts';
import { describeNodeTarget, type NodeFaultSpec, type NodeTarget } from './fault-spec.ts';

export type NodeLaneState = 'up' | 'down' | 'paused' | 'partitioned' | 'leader';

/** What node faults act on; the runner provides it when the broker is a cluster. */
export interface ClusterFaultTargets {
  readonly nodeCount: number;
  killNode(node: number): Promise<void>;
  stopNode(node: number): Promise<void>;
  startNode(node: number): Promise<void>;
  pauseNode(node: number): void;
  resumeNode(node: number): void;
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
      context.record({ kind: 'kill', process: `node-${node}`, detail: `SIGKILL node-${node}${spec.node === 'quorum-leader' ? ' (held the quorum leader)' : ''}` });
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
      });
      return;
    }
    case 'partition-node': {
      const node = await resolveNode(cluster, spec.node);
      await cluster.isolateNode(node);
      cluster.nodeState(node, 'partitioned');
      context.record({ kind: 'note', process: `node-${node}`, detail: `node-${node} cut off from the other nodes (packets dropped)` });
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

async function resolveNode(cluster: ClusterFaultTargets, target: NodeTarget): Promise<number> {
  if (target !== 'quorum-leader') return target;
  const leader = await cluster.leaderNode();
  if (leader === undefined) throw new Error(`${describeNodeTarget(target)}: the request queue has no quorum leader (is --queue-type quorum set?)`);
  return leader;
}
