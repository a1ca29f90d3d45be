/**
 * Runs RabbitMQ's own CLI tools (rabbitmqctl, rabbitmq-queues) against one node of a private
 * cluster, with the cluster's cookie, epmd port and long names. Each call starts a small
 * Erlang VM, so it costs a second or two: used for membership, leaders and partition proofs,
 * never per call.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { ClusterLayout } from './cluster-layout.ts';

const execFileAsync = promisify(execFile);
const TOOLS = {
  rabbitmqctl: '/usr/lib/rabbitmq/bin/rabbitmqctl',
  'rabbitmq-queues': '/usr/lib/rabbitmq/bin/rabbitmq-queues',
} as const;

export type RabbitTool = keyof typeof TOOLS;

/**
 * Which cluster to talk to, and the owner-guard marker of the cluster's epmd: a CLI tool
 * starts an epmd of its own when the cluster's has died, and with the marker that one is
 * reaped along with the cluster's.
 */
export interface RabbitCliTarget {
  readonly layout: ClusterLayout;
  readonly guardEnv: Readonly<Record<string, string>>;
}

export async function runRabbitTool(
  { layout, guardEnv }: RabbitCliTarget,
  tool: RabbitTool,
  nodeName: string,
  args: readonly string[],
  timeoutMs = 20_000,
): Promise<string> {
  try {
    const { stdout } = await execFileAsync(TOOLS[tool], ['-q', '-l', '-n', nodeName, ...args], {
      timeout: timeoutMs,
      killSignal: 'SIGKILL',
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        LANG: 'C.UTF-8',
        HOME: layout.baseDir,
        ERL_EPMD_PORT: String(layout.epmdPort),
        ...guardEnv,
      },
      ...(layout.runAs ?? {}),
    });
    return stdout;
  } catch (error) {
    const failed = error as Error & { stderr?: string; killed?: boolean };
    const why = failed.killed
      ? `no answer within ${timeoutMs} ms`
      : (failed.stderr ?? failed.message).trim().split('\n').slice(0, 3).join(' ');
    throw new Error(`${tool} ${args.join(' ')} on ${nodeName} failed: ${why}`);
  }
}

export interface ClusterStatus {
  readonly runningNodes: readonly string[];
  readonly diskNodes: readonly string[];
  /** Per node, the nodes it is partitioned from (empty when there is no partition). */
  readonly partitions: Readonly<Record<string, readonly string[]>>;
}

export async function clusterStatus(
  target: RabbitCliTarget,
  nodeName: string,
  timeoutMs?: number,
): Promise<ClusterStatus> {
  const raw = JSON.parse(
    await runRabbitTool(target, 'rabbitmqctl', nodeName, ['cluster_status', '--formatter', 'json'], timeoutMs),
  ) as {
    running_nodes?: string[];
    disk_nodes?: string[];
    partitions?: Record<string, string[]>;
  };
  return { runningNodes: raw.running_nodes ?? [], diskNodes: raw.disk_nodes ?? [], partitions: raw.partitions ?? {} };
}

/**
 * The Erlang nodes this node has a live distribution link to. It answers even when the
 * node's rabbit application is paused (pause_minority), which cluster_status does not.
 */
export async function connectedNodes(target: RabbitCliTarget, nodeName: string, timeoutMs?: number): Promise<string[]> {
  const out = await runRabbitTool(target, 'rabbitmqctl', nodeName, ['eval', 'nodes().'], timeoutMs);
  return [...out.matchAll(/'([^']+)'/g)].map((match) => match[1] as string);
}

/**
 * The node holding a quorum queue's leader, from the queue's Raft members as `askNode` sees
 * them (`rabbitmq-queues quorum_status`; `list_queues ... leader` does not answer on 3.10
 * here). Undefined while no member is leader (an election is running).
 */
export async function quorumLeader(
  target: RabbitCliTarget,
  askNode: string,
  queue: string,
  timeoutMs?: number,
): Promise<string | undefined> {
  const out = await runRabbitTool(
    target,
    'rabbitmq-queues',
    askNode,
    ['quorum_status', queue, '--formatter', 'json'],
    timeoutMs,
  );
  const members = JSON.parse(out) as Array<Record<string, unknown>>;
  const leader = members.find((member) => member['Raft State'] === 'leader');
  return typeof leader?.['Node Name'] === 'string' ? leader['Node Name'] : undefined;
}
