import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import amqp from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrivateRabbitCluster, type StartedPrivateRabbitCluster } from './private-rabbit-cluster.ts';

let cluster: StartedPrivateRabbitCluster;
const QUEUE = 'rpc_queue.cluster-test';

async function declareQuorumQueue(url: string): Promise<void> {
  const connection = await amqp.connect(url);
  try {
    const channel = await connection.createChannel();
    await channel.assertQueue(QUEUE, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
  } finally {
    await connection.close();
  }
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(
    `${what} did not happen within ${timeoutMs} ms${last ? ` (last error: ${(last as Error).message})` : ''}`,
  );
}

function iptablesRules(): string {
  return execFileSync('iptables', ['-w', '5', '-S'], { encoding: 'utf8' });
}

describe('a private three-node cluster', { timeout: 300_000 }, () => {
  beforeAll(async () => {
    cluster = await new PrivateRabbitCluster().withNodes(3).withNetTicktime(5).start();
    // Measured, not asserted here: the time depends on what else the machine runs.
    process.stderr.write(`cluster started in ${cluster.startMs} ms\n`);
  }, 180_000);
  afterAll(async () => {
    await cluster?.stop();
  });

  it('starts three nodes that all run as members of one cluster', async () => {
    const status = await cluster.status(2);
    expect([...status.runningNodes].sort()).toEqual(
      cluster
        .nodeInfo()
        .map((node) => node.name)
        .sort(),
    );
    expect(cluster.describe()).toContain('pause_minority');
  });

  it(
    "moves a quorum queue's leader to another node when " + "the leader's node is killed, and takes the node back",
    async () => {
      await declareQuorumQueue(cluster.nodeAmqpUrl(1));
      const leader = await until('a leader', () => cluster.leaderOf(QUEUE), 30_000);
      await cluster.killNode(leader);
      expect(cluster.nodeInfo()[leader - 1]?.state).toBe('down');
      const newLeader = await until(
        'a new leader',
        async () => {
          const now = await cluster.leaderOf(QUEUE);
          return now !== undefined && now !== leader ? now : undefined;
        },
        60_000,
      );
      expect(newLeader).not.toBe(leader);
      await cluster.startNode(leader);
      const status = await until(
        'the restarted node running again',
        async () => {
          const s = await cluster.status(leader);
          return s.runningNodes.length === 3 ? s : undefined;
        },
        60_000,
      );
      expect(status.runningNodes).toContain(cluster.nodeInfo()[leader - 1]?.name);
    },
  );

  it(
    'makes a real partition: the isolated node sees neither peer, ' +
      'the others see it gone, and healing joins them again',
    async () => {
      const names = cluster.nodeInfo().map((node) => node.name);
      await cluster.isolateNode(3);
      const rules = await cluster.partitionRules();
      expect(rules).toHaveLength(4);
      // net_ticktime 5 s: the links are declared dead within about 5-7 s.
      const isolatedPeers = await until(
        'node 3 losing both links',
        async () => {
          const peers = await cluster.connectedPeers(3);
          return peers.includes(names[0]!) || peers.includes(names[1]!) ? undefined : peers;
        },
        40_000,
      );
      expect(isolatedPeers).not.toContain(names[0]);
      expect(isolatedPeers).not.toContain(names[1]);
      const majority = await until(
        'nodes 1 and 2 losing node 3',
        async () => {
          const s = await cluster.status(1);
          return s.runningNodes.includes(names[2]!) ? undefined : s;
        },
        40_000,
      );
      expect(majority.runningNodes).toEqual(expect.arrayContaining([names[0], names[1]]));
      await cluster.healPartitions();
      expect(await cluster.partitionRules()).toEqual([]);
      await until(
        'node 3 back in the cluster',
        async () => {
          const s = await cluster.status(1);
          return s.runningNodes.length === 3 ? s : undefined;
        },
        60_000,
      );
    },
  );

  // What a SIGSTOP longer than net_ticktime really does to RabbitMQ 3.10.8 (measured): the other two
  // nodes drop the frozen node; after SIGCONT its Erlang links come back at once, but the resumed
  // node's mnesia reports running_partitioned_network: it lists itself alone as running and both
  // peers in its partitions list, while the peers list neither it as running nor any partition.
  // RabbitMQ does not take it back within a scenario: pause_minority never (the resumed node never
  // saw itself in a minority; still split 58 s after SIGCONT), autoheal only after 62 s. Restarting
  // the resumed node, as an operator would, does (see the README, cluster section).
  it(
    'pauses a node with SIGSTOP: its peers drop it, ' +
      'after SIGCONT it reports the partition, and a restart of the node takes it back',
    async () => {
      const names = cluster.nodeInfo().map((node) => node.name);
      cluster.pauseNode(2);
      expect(cluster.nodeInfo()[1]?.state).toBe('paused');
      const pausedAt = Date.now();
      // net_ticktime 5 s declares a silent link dead after 5-6.25 s; the margin is for rabbitmqctl,
      // which takes 2-5 s per call on this 2-core machine under load (measured: dropped 16.6 s after SIGSTOP).
      for (const peer of [1, 3]) {
        await until(
          `node ${peer} dropping the paused node 2 from running_nodes`,
          async () => {
            const s = await cluster.status(peer);
            return s.runningNodes.includes(names[1]!) ? undefined : s;
          },
          60_000 - (Date.now() - pausedAt),
        );
      }
      process.stderr.write(`node 1 and node 3 dropped the paused node 2 ${Date.now() - pausedAt} ms after SIGSTOP\n`);
      cluster.resumeNode(2);
      expect(cluster.nodeInfo()[1]?.state).toBe('up');
      const resumedAt = Date.now();
      // The node's log says it is partitioned from both peers, and so does its cluster_status.
      const reported = await cluster.partitionReportedAfterResume(2, 30_000);
      process.stderr.write(
        `node 2 logged a partition from nodes ${reported.join(', ')} ${Date.now() - resumedAt} ms after SIGCONT\n`,
      );
      expect([...reported].sort()).toEqual([1, 3]);
      // Not asserted: node 2's own cluster_status. It listed both peers as partitioned in most runs,
      // but in two CI runs in a row none, for 15 s after the log line (why was not found); what the
      // harness acts on is the logged report above, and the restart below must still clear it.
      const restartAt = Date.now();
      await cluster.restartNode(2);
      const back = await until(
        'node 2 running with both peers again',
        async () => {
          const s = await cluster.status(1);
          return names.every((name) => s.runningNodes.includes(name)) ? s : undefined;
        },
        60_000,
      );
      process.stderr.write(
        `node 2 back in the cluster ${Date.now() - restartAt} ms after its restart began ` +
          `(${Date.now() - resumedAt} ms after SIGCONT)\n`,
      );
      expect(back.partitions).toEqual({});
      expect((await cluster.status(2)).partitions).toEqual({});
    },
  );

  it('leaves no node, no rule and no directory after stop', async () => {
    await cluster.isolateNode(1);
    const chainRules = iptablesRules();
    const dir = cluster.getBaseDir();
    expect(chainRules).toMatch(/RPCC-/);
    const names = cluster.nodeInfo().map((node) => node.name);
    await cluster.stop();
    expect(existsSync(dir)).toBe(false);
    expect(iptablesRules()).not.toContain(`RPCC-${process.pid}-`);
    const processes = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' });
    for (const name of names) expect(processes).not.toContain(name);
  });
});
