/**
 * Faults a scenario schedules. A trigger is a time since the load started, a number of
 * calls sent, or (for server kills) a fault point: a step of the server's k-th request, seen
 * by an in-process hook (built-in server) or by the AMQP frame tap (external server), which
 * is the only way to hit the window between "reply published" and "ack" every time.
 */
import { describeBlackhole, type BlackholeFaultSpec } from './blackhole.ts';
import { describeBrokerFault, type BrokerFaultSpec } from './broker-faults.ts';

export { PROXY_NAMES, type ProxyName, type Trigger } from './fault-trigger.ts';
import type { ProxyName, Trigger } from './fault-trigger.ts';

export interface ToxicSpec {
  readonly type: 'latency' | 'bandwidth' | 'slow_close' | 'timeout' | 'reset_peer' | 'slicer' | 'limit_data';
  readonly stream: 'upstream' | 'downstream';
  readonly attributes: Readonly<Record<string, number>>;
  readonly toxicity?: number;
}

export type FaultSpec =
  | {
      readonly kind: 'kill-server-at-fault-point';
      /** 1-based server index. */
      readonly server: number;
      readonly point: 'beforeReply' | 'afterReplyBeforeAck';
      /** The k-th request that server incarnation handles (1-based). */
      readonly request: number;
      /** Start a fresh server process this long after the kill; omit to leave it dead. */
      readonly restartAfterMs?: number;
    }
  | {
      readonly kind: 'kill-server';
      readonly server: number;
      readonly trigger: Trigger;
      readonly restartAfterMs?: number;
    }
  | {
      readonly kind: 'toxic';
      readonly proxy: ProxyName;
      readonly toxic: ToxicSpec;
      readonly trigger: Trigger;
      readonly durationMs?: number;
    }
  | {
      readonly kind: 'disable-proxy';
      readonly proxy: ProxyName;
      readonly trigger: Trigger;
      readonly durationMs: number;
    }
  | { readonly kind: 'close-connections'; readonly proxy: ProxyName; readonly trigger: Trigger }
  | { readonly kind: 'restart-broker'; readonly trigger: Trigger }
  | BlackholeFaultSpec
  | ServersStopReplyingSpec
  | BrokerFaultSpec
  | NodeFaultSpec;

/**
 * The servers go on consuming and acking requests but publish no reply, for `durationMs` or,
 * without it, until the run ends (harness/chaos/servers-stop-replying.ts).
 */
export interface ServersStopReplyingSpec {
  readonly kind: 'servers-stop-replying';
  readonly trigger: Trigger;
  readonly durationMs?: number;
}

/** A cluster node by 1-based index, or whichever node holds the request queue's quorum leader when the fault fires. */
export type NodeTarget = number | 'quorum-leader';

/** What the harness does with a resumed node that reports a partition (see pause-node). */
export type PartitionRemedy = 'restart-app' | 'restart-node';

function partitionRemedyText(remedy: PartitionRemedy | undefined): string {
  if (remedy === undefined) return '';
  return `, then restart ${remedy === 'restart-app' ? 'its app' : 'the node'} if it reports a partition`;
}

/** Faults of a private cluster's nodes (see harness/chaos/node-faults.ts). */
export type NodeFaultSpec =
  /** SIGKILL the node (a crash); start it again after `restartAfterMs`, or leave it down. */
  | {
      readonly kind: 'kill-node';
      readonly node: NodeTarget;
      readonly trigger: Trigger;
      readonly restartAfterMs?: number;
    }
  /**
   * SIGSTOP every process of the node for `durationMs`, then SIGCONT. `onPartition`: what the
   * harness does, as an operator would, if the resumed node then reports a partition from its
   * peers: 'restart-node' kills it and starts it again on its own data; 'restart-app' restarts
   * its rabbit application, and the node if that is not back within 6 s (node-faults.ts).
   * Omitted, the node is left as it is.
   */
  | {
      readonly kind: 'pause-node';
      readonly node: NodeTarget;
      readonly trigger: Trigger;
      readonly durationMs: number;
      readonly onPartition?: PartitionRemedy;
    }
  /** Drop every packet between the node and the others for `durationMs`, then heal. */
  | {
      readonly kind: 'partition-node';
      readonly node: NodeTarget;
      readonly trigger: Trigger;
      readonly durationMs: number;
    }
  /** Stop (gracefully) and start each node in turn, waiting `gapMs` between nodes. */
  | { readonly kind: 'rolling-restart'; readonly trigger: Trigger; readonly gapMs: number };

export const NODE_FAULT_KINDS: ReadonlySet<FaultSpec['kind']> = new Set([
  'kill-node',
  'pause-node',
  'partition-node',
  'rolling-restart',
]);

export function describeNodeTarget(node: NodeTarget): string {
  return node === 'quorum-leader' ? "the quorum leader's node" : `node-${node}`;
}

export function describeTrigger(trigger: Trigger): string {
  return 'atMs' in trigger ? `at ${(trigger.atMs / 1000).toFixed(1)} s` : `after call ${trigger.afterCall}`;
}

export function describeFault(fault: FaultSpec): { target: string; description: string; trigger: string } {
  switch (fault.kind) {
    case 'kill-server-at-fault-point':
      return {
        target: `server-${fault.server}`,
        description:
          `SIGKILL server-${fault.server} at ${fault.point} ` +
          `of its request ${fault.request}${restartText(fault.restartAfterMs)}`,
        trigger: `at ${fault.point} of request ${fault.request}`,
      };
    case 'kill-server':
      return {
        target: `server-${fault.server}`,
        description: `SIGKILL server-${fault.server}${restartText(fault.restartAfterMs)}`,
        trigger: describeTrigger(fault.trigger),
      };
    case 'toxic': {
      const attributes = Object.entries(fault.toxic.attributes)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ');
      return {
        target: `proxy ${fault.proxy}`,
        description:
          `${fault.toxic.type} ${fault.toxic.stream} (${attributes}) ` +
          `on the ${fault.proxy} proxy${fault.durationMs ? ` for ${fault.durationMs} ms` : ''}`,
        trigger: describeTrigger(fault.trigger),
      };
    }
    case 'disable-proxy':
      return {
        target: `proxy ${fault.proxy}`,
        description: `${fault.proxy} proxy down for ${fault.durationMs} ms`,
        trigger: describeTrigger(fault.trigger),
      };
    case 'close-connections':
      return {
        target: `proxy ${fault.proxy}`,
        description: `close every connection through the ${fault.proxy} proxy`,
        trigger: describeTrigger(fault.trigger),
      };
    case 'blackhole':
      return {
        target: `proxy ${fault.proxy}`,
        description: describeBlackhole(fault),
        trigger: describeTrigger(fault.trigger),
      };
    case 'restart-broker':
      return {
        target: 'broker',
        description: 'restart the broker (stop, start with the same data)',
        trigger: describeTrigger(fault.trigger),
      };
    case 'servers-stop-replying':
      return {
        target: 'servers',
        description:
          'servers consume and ack requests but never reply' +
          (fault.durationMs === undefined ? ' until the run ends' : ` for ${fault.durationMs} ms`),
        trigger: describeTrigger(fault.trigger),
      };
    case 'memory-alarm':
    case 'delete-request-queue':
      return { ...describeBrokerFault(fault), trigger: describeTrigger(fault.trigger) };
    case 'kill-node':
      return {
        target: describeNodeTarget(fault.node),
        description: `SIGKILL ${describeNodeTarget(fault.node)}${restartText(fault.restartAfterMs)}`,
        trigger: describeTrigger(fault.trigger),
      };
    case 'pause-node':
      return {
        target: describeNodeTarget(fault.node),
        description:
          `pause ${describeNodeTarget(fault.node)} (SIGSTOP) ` +
          `for ${fault.durationMs} ms${partitionRemedyText(fault.onPartition)}`,
        trigger: describeTrigger(fault.trigger),
      };
    case 'partition-node':
      return {
        target: describeNodeTarget(fault.node),
        description: `partition ${describeNodeTarget(fault.node)} from the other nodes for ${fault.durationMs} ms`,
        trigger: describeTrigger(fault.trigger),
      };
    case 'rolling-restart':
      return {
        target: 'every node',
        description: `rolling restart: stop and start each node in turn, ${fault.gapMs} ms apart`,
        trigger: describeTrigger(fault.trigger),
      };
  }
}

function restartText(restartAfterMs: number | undefined): string {
  return restartAfterMs === undefined ? '' : `, restart after ${restartAfterMs} ms`;
}

export function validateFault(fault: FaultSpec, servers: number): string[] {
  const errors: string[] = [];
  const where = describeFault(fault).description;
  if ('server' in fault && !(Number.isInteger(fault.server) && fault.server >= 1 && fault.server <= servers)) {
    errors.push(`fault "${where}": server must be from 1 to ${servers}, got ${fault.server}`);
  }
  if ('trigger' in fault) {
    const trigger = fault.trigger;
    if ('atMs' in trigger && !(trigger.atMs >= 0)) errors.push(`fault "${where}": atMs must be >= 0`);
    if ('afterCall' in trigger && !(Number.isInteger(trigger.afterCall) && trigger.afterCall >= 1))
      errors.push(`fault "${where}": afterCall must be a positive integer`);
  }
  if (fault.kind === 'kill-server-at-fault-point' && !(Number.isInteger(fault.request) && fault.request >= 1)) {
    errors.push(`fault "${where}": request must be a positive integer`);
  }
  if ('durationMs' in fault && fault.durationMs !== undefined && !(fault.durationMs > 0))
    errors.push(`fault "${where}": durationMs must be > 0`);
  return errors;
}

/** Node faults need a cluster, and a node index within it. */
export function validateNodeFault(fault: FaultSpec, nodes: number): string[] {
  if (!NODE_FAULT_KINDS.has(fault.kind)) return [];
  const where = describeFault(fault).description;
  const errors: string[] = [];
  if (nodes < 2) errors.push(`fault "${where}" needs a cluster: set topology.nodes to 3 (or run with --nodes 3)`);
  if (
    'node' in fault &&
    fault.node !== 'quorum-leader' &&
    !(Number.isInteger(fault.node) && fault.node >= 1 && fault.node <= nodes)
  ) {
    errors.push(`fault "${where}": node must be 'quorum-leader' or from 1 to ${nodes}, got ${String(fault.node)}`);
  }
  if (fault.kind === 'rolling-restart' && !(fault.gapMs >= 0)) errors.push(`fault "${where}": gapMs must be >= 0`);
  return errors;
}
