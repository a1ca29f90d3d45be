import type { ClusterSection, FaultRecord, ScenarioResult } from '../../model/result-schema.ts';
import { makeSyntheticResult } from '../../bench/synthetic-result.ts';

/**
 * A synthetic run on a three-node cluster (the report's node lanes and fault-impact header):
 * node-3 paused 8-12 s, node-2 partitioned 16-20 s, the leader's node (node-1) killed at 23 s
 * and back at 27 s, node-2 leading from 24 s. The load numbers are the duplicate-reply fixture's.
 */
export function makeClusterResult(): ScenarioResult {
  const faults: FaultRecord[] = [
    {
      id: 'fault-1',
      kind: 'pause-node',
      target: 'node-3',
      description: 'pause node-3 (SIGSTOP) for 4000 ms',
      trigger: 'at 8.0 s',
      fired: true,
      startMs: 8000,
      endMs: 12_000,
    },
    {
      id: 'fault-2',
      kind: 'partition-node',
      target: 'node-2',
      description: 'partition node-2 from the other nodes for 4000 ms',
      trigger: 'at 16.0 s',
      fired: true,
      startMs: 16_000,
      endMs: 20_000,
    },
    {
      id: 'fault-3',
      kind: 'kill-node',
      target: "the quorum leader's node",
      description: "SIGKILL the quorum leader's node, restart after 4000 ms",
      trigger: 'at 23.0 s',
      fired: true,
      startMs: 23_000,
      endMs: 27_000,
    },
  ];
  const nodeStates: ClusterSection['nodeStates'] = [
    { node: 1, tMs: 0, state: 'up' },
    { node: 2, tMs: 0, state: 'up' },
    { node: 3, tMs: 0, state: 'up' },
    { node: 1, tMs: 0, state: 'leader' },
    { node: 3, tMs: 8000, state: 'paused' },
    { node: 3, tMs: 12_000, state: 'up' },
    { node: 2, tMs: 16_000, state: 'partitioned' },
    { node: 2, tMs: 20_000, state: 'up' },
    { node: 1, tMs: 23_000, state: 'down' },
    { node: 2, tMs: 24_000, state: 'leader' },
    { node: 1, tMs: 27_000, state: 'up' },
  ];
  const failed = { timeout: 12, connectionLost: 3, notConnected: 0, other: 0 };
  return makeSyntheticResult({
    scenario: { name: 'quorum-leader-kill', description: 'node faults on a three-node cluster with a quorum queue' },
    environment: {
      ...makeSyntheticResult().environment,
      broker: { kind: 'cluster', version: '3.10.8', description: 'private three-node cluster' },
    },
    faults,
    faultImpact: [
      {
        faultId: 'fault-1',
        description: faults[0]!.description,
        unavailabilityMs: 0,
        recoveryMs: 1000,
        baselinePerSec: 200,
        failed,
      },
      {
        faultId: 'fault-2',
        description: faults[1]!.description,
        unavailabilityMs: 1000,
        recoveryMs: 2000,
        baselinePerSec: 200,
        failed,
      },
      {
        faultId: 'fault-3',
        description: faults[2]!.description,
        unavailabilityMs: 3000,
        recoveryMs: null,
        baselinePerSec: 200,
        failed,
      },
    ],
    cluster: {
      nodes: [1, 2, 3].map((index) => ({
        index,
        name: `rpc-chaos-${index}@localhost`,
        host: `127.0.0.${index + 1}`,
        amqpPort: 40000 + index,
      })),
      queueType: 'quorum',
      partitionHandling: 'pause_minority',
      netTicktimeSeconds: 4,
      startMs: 0,
      placements: [
        { instance: 'server-1', node: 1 },
        { instance: 'client-1', node: 2 },
      ],
      nodeStates,
    },
  });
}
