import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrivateRabbitNode, type StartedPrivateRabbitNode } from '../../harness/env/broker/private-rabbit-node.ts';
import amqp from 'amqplib';
import { Toxiproxy } from 'toxiproxy-node-client';
import { ToxiproxyThread } from '../../harness/env/proxy/toxiproxy-thread.ts';
import { FibRpcClient } from '../../harness/rpc/fib-rpc-client.ts';
import { FibRpcServer } from '../../harness/rpc/fib-rpc-server.ts';
import blackhole from '../blackhole.ts';
import replyQueueLost from '../reply-queue-lost.ts';
import { noHeartbeatClient, oldReplyQueueClient } from './negative-controls/index.ts';
import { explain, failedChecks, runForTest } from './run-for-test.ts';

let node: StartedPrivateRabbitNode;

/** blackhole: servers' link silent 1-9 s, clients' link 2-10 s, heartbeat 2 s (amqplib gives up after 4-6 s). */
describe('a silent network and a lost callback queue', { timeout: 150_000 }, () => {
  beforeAll(async () => {
    node = await new PrivateRabbitNode().start();
  });
  afterAll(async () => {
    await node?.stop();
  });

  it('blackhole: the built-ins notice through heartbeats before it ends, reconnect, and calls succeed again', async () => {
    const result = await runForTest(node, blackhole);
    expect(result.verdict, explain(result)).toBe('pass');
    expect(result.lossDetection?.map((each) => each.process)).toEqual(['server-1', 'client-1']);
    for (const detection of result.lossDetection ?? []) {
      expect(detection.beforeEnd).toBe(true);
      // Two silent heartbeat intervals at the least; the 8 s blackhole at the most.
      expect(detection.detectedAfterMs).toBeGreaterThanOrEqual(3_500);
      expect(detection.detectedAfterMs).toBeLessThan(8_000);
      expect(detection.reconnectedAfterMs).toBeGreaterThan(detection.detectedAfterMs ?? 0);
    }
    expect(result.lossDetection?.find((each) => each.process === 'client-1')?.how).toMatch(/Heartbeat timeout/);
  });

  it('blackhole FAILS with a client whose heartbeats are off: it notices only when the blackhole ends', async () => {
    const result = await runForTest(node, blackhole, { client: noHeartbeatClient() });
    expect(result.verdict).toBe('fail');
    expect(failedChecks(result)).toContain('lost-peer-noticed');
    const check = result.checks.find((each) => each.id === 'lost-peer-noticed');
    expect(check?.actual).toMatch(/client-1 noticed only after [\d.]+ s, when the blackhole ended/);
    // The servers still heartbeat: server-1 noticed in time.
    expect(result.lossDetection?.find((each) => each.process === 'server-1')?.beforeEnd).toBe(true);
  });

  it('blackhole through the Toxiproxy HTTP API (TOXIPROXY_URL) passes as under the built-in proxy', async () => {
    const proxyServer = await new ToxiproxyThread({ port: 0 }).start();
    const previous = process.env.TOXIPROXY_URL;
    process.env.TOXIPROXY_URL = proxyServer.getApiUrl();
    try {
      const result = await runForTest(node, blackhole, { proxy: 'toxiproxy' });
      expect(result.environment.proxy.kind).toBe('toxiproxy');
      expect(result.verdict, explain(result)).toBe('pass');
      expect(result.lossDetection?.every((each) => each.beforeEnd)).toBe(true);
    } finally {
      if (previous === undefined) delete process.env.TOXIPROXY_URL;
      else process.env.TOXIPROXY_URL = previous;
      await proxyServer.stop();
    }
  });

  it('reply-queue-lost: calls waiting at the cut fail, none resolved by another reply, later calls succeed', async () => {
    const result = await runForTest(node, replyQueueLost);
    expect(result.verdict, explain(result)).toBe('pass');
    expect(result.counters.reconnects).toBeGreaterThanOrEqual(1);
    expect(result.counters.mismatchedCorrelation).toBe(0);
    expect(result.checks.find((each) => each.id === 'reply-queue-renewed')?.actual).toMatch(
      /client-1: connection cut at 3\.\d+ s, reconnected at [\d.]+ s; .*(100|9\d) %\)/,
    );
  });

  it('reply-queue-lost FAILS with a client that keeps sending reply_to = its old callback queue', async () => {
    const result = await runForTest(node, replyQueueLost, { client: oldReplyQueueClient() });
    expect(result.verdict).toBe('fail');
    expect(failedChecks(result)).toContain('reply-queue-renewed');
    expect(result.checks.find((each) => each.id === 'reply-queue-renewed')?.actual).toMatch(
      /succeeded \(0 %\): replies to them never arrived/,
    );
    expect(result.counters.mismatchedCorrelation).toBe(0);
  });

  it('the built-in client declares a new callback queue after its connection is cut; the old one is gone', async () => {
    const proxyServer = await new ToxiproxyThread({ port: 0 }).start();
    try {
      const proxy = await new Toxiproxy(proxyServer.getApiUrl()).createProxy({
        name: 'reply-queue',
        listen: '127.0.0.1:0',
        upstream: `${node.getHost()}:${node.getAmqpPort()}`,
      });
      const viaProxy = new URL(node.getAmqpUrl());
      viaProxy.host = proxy.listen;
      const queue = `reply_queue_test_${process.pid}`;
      await using _server = await new FibRpcServer({ amqpUrl: node.getAmqpUrl(), queue }).start();
      await using client = await new FibRpcClient({ amqpUrl: viaProxy.toString(), queue, timeoutMs: 2_000 }).start();
      const first = client.getReplyTo();
      expect((await client.request(20)).value).toBe(6765n);
      await proxy.update({ enabled: false, listen: proxy.listen, upstream: proxy.upstream });
      await proxy.update({ enabled: true, listen: proxy.listen, upstream: proxy.upstream });
      const deadline = Date.now() + 10_000;
      while (client.counters.reconnects < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(client.counters.reconnects).toBe(1);
      expect(client.getReplyTo()).not.toBe(first);
      expect((await client.request(20)).value).toBe(6765n);
      // The exclusive queue died with the old connection: declaring it passively is a 404.
      const connection = await amqp.connect(node.getAmqpUrl());
      try {
        const channel = await connection.createChannel();
        channel.on('error', () => undefined);
        await expect(channel.checkQueue(first ?? '')).rejects.toThrow(/NOT_FOUND/);
      } finally {
        await connection.close().catch(() => undefined);
      }
    } finally {
      await proxyServer.stop();
    }
  });
});
