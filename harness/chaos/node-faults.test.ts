import { describe, expect, it } from 'vitest';
import { faultShapeProblems } from './fault-schema.ts';
import type { PartitionRemedy } from './fault-spec.ts';
import {
  APP_RESTART_BOUND_MS,
  executeNodeFault,
  type ClusterFaultTargets,
  type NodeFaultContext,
} from './node-faults.ts';

/**
 * The remedy after a pause is decided here; the cluster it acts on is recorded, not run: the
 * hang it guards against (a boot stuck in global:sync) cannot be provoked on demand. The real
 * sequence runs in private-rabbit-cluster.test.ts and through the CLI in
 * cluster-scenarios.integration.test.ts.
 */
function recordingCluster(options: { appRestart: 'ok' | 'hangs'; partitionedFrom: number[] }) {
  const calls: string[] = [];
  const cluster: ClusterFaultTargets = {
    nodeCount: 3,
    killNode: async (node) => void calls.push(`kill ${node}`),
    stopNode: async (node) => void calls.push(`stop ${node}`),
    startNode: async (node) => void calls.push(`start ${node}`),
    pauseNode: (node) => void calls.push(`pause ${node}`),
    resumeNode: (node) => void calls.push(`resume ${node}`),
    partitionReportedAfterResume: async () => options.partitionedFrom,
    restartApp: async (node, timeoutMs) => {
      calls.push(`restart app ${node} within ${timeoutMs}`);
      if (options.appRestart === 'hangs')
        throw new Error(`rabbitmqctl eval on node ${node} failed: no answer within ${timeoutMs} ms\nlog tail`);
    },
    isolateNode: async () => undefined,
    healPartitions: async () => undefined,
    leaderNode: async () => 1,
    nodeState: (node, state) => void calls.push(`state ${node} ${state}`),
  };
  return { cluster, calls };
}

async function pauseNode(cluster: ClusterFaultTargets, onPartition: PartitionRemedy | undefined) {
  const details: string[] = [];
  const pending: Array<Promise<void>> = [];
  const context: NodeFaultContext = {
    cluster,
    record: (event) => void details.push(event.detail ?? ''),
    openWindow: (_durationMs, close) => void pending.push(close()),
    endFault: () => undefined,
    after: (_ms, action) => void pending.push(action()),
  };
  await executeNodeFault(
    {
      kind: 'pause-node',
      node: 'quorum-leader',
      trigger: { atMs: 0 },
      durationMs: 1,
      ...(onPartition ? { onPartition } : {}),
    },
    context,
  );
  // The window's close schedules the remedy with `after`: settle until nothing new is queued.
  for (let settled = 0; settled < pending.length; ) {
    const batch = pending.slice(settled);
    settled = pending.length;
    await Promise.all(batch);
  }
  return details;
}

describe('pause-node with onPartition', () => {
  it(
    "'restart-app' restarts the rabbit application, bounded, " + 'and leaves the node running when it comes back',
    async () => {
      const { cluster, calls } = recordingCluster({ appRestart: 'ok', partitionedFrom: [2, 3] });
      const details = await pauseNode(cluster, 'restart-app');
      expect(calls).toContain(`restart app 1 within ${APP_RESTART_BOUND_MS}`);
      expect(calls).not.toContain('kill 1');
      expect(calls).not.toContain('start 1');
      expect(details).toContain(
        'node-1 reports a partition from node-2, node-3: restarting its rabbit app (stop_app, start_app)',
      );
      expect(details).toContain('node-1 rabbit app started again, accepts AMQP');
      expect(calls.slice(-1)).toEqual(['state 1 up']);
    },
  );

  it(
    "'restart-app' restarts the whole node when the application is not back in time, " + 'and says why on the timeline',
    async () => {
      const { cluster, calls } = recordingCluster({ appRestart: 'hangs', partitionedFrom: [2, 3] });
      const details = await pauseNode(cluster, 'restart-app');
      expect(calls.filter((call) => /^(restart|kill|start)/.test(call))).toEqual([
        `restart app 1 within ${APP_RESTART_BOUND_MS}`,
        'kill 1',
        'start 1',
      ]);
      expect(details).toContain(
        `node-1 rabbit app not back within ${APP_RESTART_BOUND_MS / 1000} s ` +
          `(rabbitmqctl eval on node 1 failed: no answer within ${APP_RESTART_BOUND_MS} ms): ` +
          'restarting the node (SIGKILL, start on its own data)',
      );
      expect(details.at(-1)).toBe('node-1 started again, accepts AMQP');
      expect(calls.slice(-1)).toEqual(['state 1 up']);
    },
  );

  it("'restart-node' restarts the node without trying the application first", async () => {
    const { cluster, calls } = recordingCluster({ appRestart: 'ok', partitionedFrom: [3] });
    const details = await pauseNode(cluster, 'restart-node');
    expect(calls.filter((call) => /^(restart|kill|start)/.test(call))).toEqual(['kill 1', 'start 1']);
    expect(details).toContain(
      'node-1 reports a partition from node-3: restarting the node (SIGKILL, start on its own data)',
    );
  });

  it('leaves a resumed node alone when it reports no partition, or when no remedy is asked for', async () => {
    const quiet = recordingCluster({ appRestart: 'ok', partitionedFrom: [] });
    expect(await pauseNode(quiet.cluster, 'restart-app')).toContain(
      'node-1 reported no partition within 15 s of SIGCONT: left as it is',
    );
    const none = recordingCluster({ appRestart: 'ok', partitionedFrom: [2, 3] });
    await pauseNode(none.cluster, undefined);
    for (const { calls } of [quiet, none])
      expect(calls.filter((call) => /^(restart|kill|start)/.test(call))).toEqual([]);
  });

  it('refuses an unknown remedy, naming the ones there are', () => {
    const fault = { kind: 'pause-node', node: 1, trigger: { atMs: 0 }, durationMs: 1000, onPartition: 'reboot' };
    expect(faultShapeProblems(fault, 0)).toEqual([
      'faults[0].onPartition: "reboot" is not valid; one of "restart-app", "restart-node"',
    ]);
  });
});
