/**
 * Which processes of a run have their memory and CPU sampled (observe/resources/), under which
 * names: every client, every server incarnation (`server-1`, then `server-1.2` after a restart),
 * and the broker's node process (`broker`, or `node-1`... of a private cluster), looked up at
 * each reading so that restarts are followed. A broker the harness did not start (a URL, a
 * container) has no process here to sample.
 */
import type { StartedBroker } from '../env/broker/broker.ts';
import { StartedPrivateRabbitNode } from '../env/broker/private-rabbit-node.ts';
import { StartedPrivateRabbitCluster } from '../env/cluster/private-rabbit-cluster.ts';
import type { ReportingInstance } from '../impl/implementation.ts';
import { ResourceSampler, type SampledProcess } from '../observe/resources/resource-sampler.ts';

interface WithPid extends ReportingInstance {
  readonly pid: number | undefined;
}

export function startResourceSampling(
  clients: () => readonly WithPid[],
  servers: () => readonly WithPid[],
  broker: StartedBroker,
): ResourceSampler {
  return new ResourceSampler(() => [
    ...clients().map((client) => ({ name: client.name, role: 'client' as const, pid: client.pid })),
    ...serverIncarnations(servers()),
    ...brokerProcesses(broker),
  ]).start();
}

function serverIncarnations(started: readonly WithPid[]): SampledProcess[] {
  const seen = new Map<string, number>();
  return started.map((server) => {
    const incarnation = (seen.get(server.name) ?? 0) + 1;
    seen.set(server.name, incarnation);
    return {
      name: incarnation === 1 ? server.name : `${server.name}.${incarnation}`,
      role: 'server' as const,
      pid: server.pid,
    };
  });
}

function brokerProcesses(broker: StartedBroker): SampledProcess[] {
  if (broker instanceof StartedPrivateRabbitNode) return [{ name: 'broker', role: 'broker', pid: broker.getPid() }];
  if (broker instanceof StartedPrivateRabbitCluster)
    return broker.getNodePids().map(({ index, pid }) => ({ name: `node-${index}`, role: 'broker', pid }));
  return [];
}
