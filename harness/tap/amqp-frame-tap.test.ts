import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import amqp from 'amqplib';
import { Toxiproxy } from 'toxiproxy-node-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrivateRabbitNode, type StartedPrivateRabbitNode } from '../env/broker/private-rabbit-node.ts';
import { startProxyServer, type StartedProxyServer } from '../env/select-proxy.ts';
import { FibRpcClient } from '../rpc/fib-rpc-client.ts';
import { FibRpcServer } from '../rpc/fib-rpc-server.ts';
import { AmqpFrameTap, type StartedAmqpFrameTap } from './amqp-frame-tap.ts';
import { ReplyClassifier } from './reply-classifier.ts';
import type { FaultPointName } from './tap-events.ts';

const SERVER_PROCESS = fileURLToPath(new URL('./fixtures/fib-server-process.ts', import.meta.url));

let node: StartedPrivateRabbitNode;
let proxyServer: StartedProxyServer;
/** The L4 proxies every tap forwards to: one for servers, one for clients, as scenarios have. */
const upstreams: Record<'servers' | 'clients', { host: string; port: number }> = {
  servers: { host: '', port: 0 },
  clients: { host: '', port: 0 },
};
let queueSeq = 0;
const freshQueue = () => `tap_test_${process.pid}_${++queueSeq}`;

async function waitFor(condition: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function within<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)), timeoutMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const startTap = (name: string, via: 'servers' | 'clients', inProcess = true) =>
  new AmqpFrameTap({ upstream: upstreams[via], name, inProcess }).start();

/** A server process in its own process group, so a kill takes everything it started. */
function spawnServer(
  amqpUrl: string,
  queue: string,
  killAt?: string,
): { child: ChildProcess; exited: Promise<NodeJS.Signals | null>; killGroup: () => Promise<void> } {
  const args = [
    '--import',
    'tsx',
    SERVER_PROCESS,
    '--url',
    amqpUrl,
    '--queue',
    queue,
    ...(killAt ? ['--kill-at', killAt] : []),
  ];
  const child = spawn(process.execPath, args, { detached: true, stdio: ['ignore', 'ignore', 'inherit'] });
  const exited = new Promise<NodeJS.Signals | null>((resolve) =>
    child.once('exit', (_code, signal) => resolve(signal)),
  );
  const killGroup = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await exited;
  };
  return { child, exited, killGroup };
}

interface ExchangeOutcome {
  readonly doomedExit: NodeJS.Signals | null;
  readonly clientReplied: number;
  readonly clientDiscardedDuplicates: number;
  readonly replyCounts: { answers: number; duplicate: number; late: number; unknown: number };
  readonly doomed: { deliveries: number; redeliveries: number; publishes: number; acks: number };
  readonly successor: { deliveries: number; redeliveries: number; publishes: number; acks: number };
}

/**
 * The seed's scenario, small: a server process answers call 1, dies at `point` of request 2,
 * a successor takes over, call 3 follows. The server dies either by its own in-process hook
 * (`hook`) or because its tap holds it at the fault point and the test kills it (`tap`).
 * Every connection goes through a tap and the L4 proxy in both variants.
 */
async function runExchange(point: FaultPointName, variant: 'hook' | 'tap'): Promise<ExchangeOutcome> {
  const queue = freshQueue();
  await using doomedTap = await startTap('server-1', 'servers');
  await using successorTap = await startTap('server-1.2', 'servers');
  await using clientTap = await startTap('client-1', 'clients');
  const classifier = new ReplyClassifier();
  const unfollow = classifier.follow(clientTap);
  await using client = await new FibRpcClient({
    amqpUrl: clientTap.getAmqpUrl(node.getAmqpUrl()),
    queue,
    timeoutMs: 30_000,
  }).start();
  const doomed = spawnServer(
    doomedTap.getAmqpUrl(node.getAmqpUrl()),
    queue,
    variant === 'hook' ? `${point}:2` : undefined,
  );
  let successor: FibRpcServer | undefined;
  try {
    await doomedTap.waitForConsumer(queue, 60_000);
    if (variant === 'tap') doomedTap.armFaultPoint({ point, request: 2, onHeld: () => doomed.killGroup() });
    expect((await client.request(10)).value).toBe(55n);
    const second = client.request(11);
    const doomedExit = await within(doomed.exited, 30_000, `the server to die at ${point} of request 2`);
    successor = await new FibRpcServer({ amqpUrl: successorTap.getAmqpUrl(node.getAmqpUrl()), queue }).start();
    expect((await within(second, 40_000, 'the reply to call 2')).value).toBe(89n);
    // The successor answers the redelivered request 2 (again, after afterReplyBeforeAck).
    await waitFor(() => successorTap.counters.acks === 1, 'the successor to settle the redelivered request');
    await waitFor(
      () => classifier.counts.answers + classifier.counts.duplicate === (point === 'afterReplyBeforeAck' ? 3 : 2),
      'the replies to reach the client',
    );
    expect((await client.request(12)).value).toBe(144n);
    await waitFor(() => successorTap.counters.acks === 2, 'the successor to ack request 3');
    const pick = (tap: StartedAmqpFrameTap) => ({
      deliveries: tap.counters.deliveries,
      redeliveries: tap.counters.redeliveries,
      publishes: tap.counters.publishes,
      acks: tap.counters.acks,
    });
    const { answers, duplicate, late, unknown } = classifier.counts;
    return {
      doomedExit,
      clientReplied: client.counters.replied,
      clientDiscardedDuplicates: client.counters.discardedDuplicate,
      replyCounts: { answers, duplicate, late, unknown },
      doomed: pick(doomedTap),
      successor: pick(successorTap),
    };
  } finally {
    unfollow();
    await successor?.stop();
    await doomed.killGroup();
  }
}

describe('AmqpFrameTap in front of the L4 proxy, on a private RabbitMQ node', { timeout: 240_000 }, () => {
  beforeAll(async () => {
    node = await new PrivateRabbitNode().withStartTimeout(100_000).start();
    // TOXIPROXY_URL set -> a real Toxiproxy; otherwise the built-in one.
    proxyServer = await startProxyServer('auto');
    const toxiproxy = new Toxiproxy(proxyServer.getApiUrl());
    for (const via of ['servers', 'clients'] as const) {
      const proxy = await toxiproxy.createProxy({
        name: `tap-test-${process.pid}-${via}`,
        listen: '127.0.0.1:0',
        upstream: `127.0.0.1:${node.getAmqpPort()}`,
      });
      const [host, port] = [
        proxy.listen.slice(0, proxy.listen.lastIndexOf(':')),
        Number(proxy.listen.slice(proxy.listen.lastIndexOf(':') + 1)),
      ];
      upstreams[via] = { host: host === '[::]' || host === '' ? '127.0.0.1' : host, port };
    }
  });
  afterAll(async () => {
    if (proxyServer) {
      const toxiproxy = new Toxiproxy(proxyServer.getApiUrl());
      for (const via of ['servers', 'clients'])
        await toxiproxy.get(`tap-test-${process.pid}-${via}`).then(
          (p) => p.remove(),
          () => undefined,
        );
      await proxyServer.stop();
    }
    await node?.stop();
  });

  // In memory: the built-in proxy runs in this process (unless TOXIPROXY_URL is set); over TCP: as
  // in front of a real Toxiproxy.
  it.each([
    ['in memory', true],
    ['over TCP', false],
  ])(
    'counts deliveries, replies, acks and consumers of a real RPC exchange on both sides (to the proxy %s)',
    async (_how, inProcess) => {
      const queue = freshQueue();
      await using serverTap = await startTap('server-1', 'servers', inProcess);
      await using clientTap = await startTap('client-1', 'clients', inProcess);
      const consumed = serverTap.waitForConsumer(queue);
      const classifier = new ReplyClassifier();
      classifier.follow(clientTap);
      await using server = await new FibRpcServer({
        amqpUrl: serverTap.getAmqpUrl(node.getAmqpUrl()),
        queue,
        prefetch: 4,
      }).start();
      await expect(consumed).resolves.toMatchObject({ queue });
      // Asked again once consuming: answered at once from the open connection's consumers.
      await expect(serverTap.waitForConsumer(queue, 100)).resolves.toMatchObject({ queue });
      await expect(serverTap.waitForConsumer('nobody-consumes-this', 100)).rejects.toThrow(
        /nothing started consuming "nobody-consumes-this" within 100 ms/,
      );
      await using client = await new FibRpcClient({ amqpUrl: clientTap.getAmqpUrl(node.getAmqpUrl()), queue }).start();
      const replies: string[] = [];
      serverTap.on('publish', (publish) => replies.push(`${publish.correlationId}=${publish.body?.toString()}`));
      const calls = await Promise.all(Array.from({ length: 20 }, (_, n) => client.request(n)));
      await waitFor(() => serverTap.counters.acks === 20, 'the server to ack all 20 requests');

      expect(serverTap.counters).toMatchObject({
        connections: 1,
        deliveries: 20,
        redeliveries: 0,
        publishes: 20,
        acks: 20,
        ackedDeliveries: 20,
        consumes: 1,
        undecodedConnections: 0,
      });
      expect(clientTap.counters).toMatchObject({ publishes: 20, deliveries: 20, redeliveries: 0 });
      expect(replies.sort()).toEqual(calls.map((call) => `${call.correlationId}=${call.value}`).sort());
      expect(classifier.counts).toMatchObject({ published: 20, answers: 20, duplicate: 0, late: 0, unknown: 0 });
      expect(server.counters.handled).toBe(20);
    },
  );

  it(
    'afterReplyBeforeAck: the k-th reply reaches the broker and the client, ' +
      'its ack never does, and the request is redelivered',
    async () => {
      const outcome = await runExchange('afterReplyBeforeAck', 'tap');
      expect(outcome).toEqual({
        doomedExit: 'SIGKILL',
        clientReplied: 3,
        clientDiscardedDuplicates: 1,
        replyCounts: { answers: 3, duplicate: 1, late: 0, unknown: 0 },
        doomed: { deliveries: 2, redeliveries: 0, publishes: 2, acks: 1 },
        successor: { deliveries: 2, redeliveries: 1, publishes: 2, acks: 2 },
      });
    },
  );

  it('beforeReply: the k-th reply never reaches the broker; the successor answers it once', async () => {
    const outcome = await runExchange('beforeReply', 'tap');
    expect(outcome).toEqual({
      doomedExit: 'SIGKILL',
      clientReplied: 3,
      clientDiscardedDuplicates: 0,
      replyCounts: { answers: 3, duplicate: 0, late: 0, unknown: 0 },
      doomed: { deliveries: 2, redeliveries: 0, publishes: 1, acks: 1 },
      successor: { deliveries: 2, redeliveries: 1, publishes: 2, acks: 2 },
    });
  });

  it.each<FaultPointName>(['afterReplyBeforeAck', 'beforeReply'])(
    '%s: the in-process hook and the tap give the same outcome',
    async (point) => {
      const byHook = await runExchange(point, 'hook');
      const byTap = await runExchange(point, 'tap');
      expect(byTap).toEqual(byHook);
    },
  );

  it('counts late and unknown replies that reached a client from its tap alone', async () => {
    const queue = freshQueue();
    await using serverTap = await startTap('server-1', 'servers');
    await using clientTap = await startTap('client-1', 'clients');
    const classifier = new ReplyClassifier({ timeoutMs: 300 });
    classifier.follow(clientTap);
    let handled = 0;
    await using server = await new FibRpcServer({
      amqpUrl: serverTap.getAmqpUrl(node.getAmqpUrl()),
      queue,
      faultPoints: {
        beforeReply: () => (++handled === 1 ? new Promise((resolve) => setTimeout(resolve, 1_000)) : undefined),
      },
    }).start();
    await using client = await new FibRpcClient({
      amqpUrl: clientTap.getAmqpUrl(node.getAmqpUrl()),
      queue,
      timeoutMs: 300,
    }).start();
    await expect(client.call(5)).rejects.toThrow(/got no reply within 300 ms/);
    await waitFor(() => classifier.counts.late === 1, 'the late reply to reach the client');
    await expect(client.call(6)).resolves.toBe(8n);

    const stranger = await amqp.connect(node.getAmqpUrl());
    try {
      const channel = await stranger.createChannel();
      channel.sendToQueue(client.getReplyTo()!, Buffer.from('1'), { correlationId: 'never-published' });
      await waitFor(() => classifier.counts.unknown === 1, 'the unknown reply to reach the client');
    } finally {
      await stranger.close();
    }
    expect(classifier.counts).toMatchObject({ published: 2, answers: 1, late: 1, unknown: 1, duplicate: 0 });
    expect(client.counters).toMatchObject({ discardedLate: 1, discardedUnknown: 1 });
    expect(server.counters.handled).toBe(2);
  });

  it('refuses a second fault point while one is armed, and a request number below 1', async () => {
    await using tap = await startTap('server-1', 'servers');
    expect(() => tap.armFaultPoint({ point: 'beforeReply', request: 0, onHeld: () => undefined })).toThrow(
      /request must be an integer >= 1/,
    );
    tap.armFaultPoint({ point: 'beforeReply', request: 1, onHeld: () => undefined });
    expect(() => tap.armFaultPoint({ point: 'afterReplyBeforeAck', request: 1, onHeld: () => undefined })).toThrow(
      /still armed; disarmFaultPoint\(\) first/,
    );
    tap.disarmFaultPoint();
    expect(() =>
      tap.armFaultPoint({ point: 'afterReplyBeforeAck', request: 1, onHeld: () => undefined }),
    ).not.toThrow();
  });
});
