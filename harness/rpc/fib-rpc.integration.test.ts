import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import amqp from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrivateRabbitNode, type StartedPrivateRabbitNode } from '../env/broker/private-rabbit-node.ts';
import { ERROR_HEADER } from './codec.ts';
import { fib } from './fib.ts';
import { FibRpcClient, type DiscardedReply, type ReplyMode, type RequestConfirm } from './fib-rpc-client.ts';
import { FibRpcServer, type ServerEvent } from './fib-rpc-server.ts';
import { RpcCallError } from './errors.ts';
import { inspectQueue } from './inspect-queue.ts';

const RPC_SERVER_BIN = fileURLToPath(new URL('./bin/rpc-server.ts', import.meta.url));

let node: StartedPrivateRabbitNode;
let queueSeq = 0;
const freshQueue = () => `rpc_queue_test_${process.pid}_${++queueSeq}`;

async function waitFor(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('fib RPC over a private RabbitMQ node', { timeout: 90_000 }, () => {
  beforeAll(async () => {
    node = await new PrivateRabbitNode().start();
  });
  afterAll(async () => {
    await node?.stop();
  });

  it.each<ReplyMode>(['callback-queue', 'direct-reply-to'])(
    'answers 1,000 concurrent calls correctly (%s)',
    async (replyMode) => {
      const queue = freshQueue();
      await using server = await new FibRpcServer({ amqpUrl: node.getAmqpUrl(), queue, prefetch: 50 }).start();
      await using client = await new FibRpcClient({
        amqpUrl: node.getAmqpUrl(),
        queue,
        replyMode,
        maxInFlight: 1000,
      }).start();
      const numbers = Array.from({ length: 1000 }, (_, i) => i % 300);
      const replies = await Promise.all(numbers.map((n) => client.request(n)));
      replies.forEach((reply, i) => {
        expect(reply.value).toBe(fib(numbers[i]!));
        expect(reply.replyCorrelationId).toBe(reply.correlationId);
      });
      expect(new Set(replies.map((r) => r.correlationId)).size).toBe(1000);
      expect(client.counters).toMatchObject({
        sent: 1000,
        replied: 1000,
        timedOut: 0,
        discardedUnknown: 0,
        discardedDuplicate: 0,
      });
      expect(server.counters.handled).toBe(1000);
    },
  );

  it('discards and counts a reply whose correlation id is unknown', async () => {
    const queue = freshQueue();
    const discarded: DiscardedReply[] = [];
    await using _server = await new FibRpcServer({ amqpUrl: node.getAmqpUrl(), queue }).start();
    await using client = await new FibRpcClient({
      amqpUrl: node.getAmqpUrl(),
      queue,
      onDiscard: (d) => discarded.push(d),
    }).start();
    await expect(client.call(10)).resolves.toBe(55n);

    const connection = await amqp.connect(node.getAmqpUrl());
    const channel = await connection.createChannel();
    channel.sendToQueue(client.getReplyTo()!, Buffer.from('12345'), { correlationId: 'not-one-of-ours' });
    await waitFor(() => discarded.length === 1, 'the foreign reply to be discarded');
    await connection.close();

    expect(discarded[0]).toMatchObject({ kind: 'unknown', correlationId: 'not-one-of-ours' });
    expect(client.counters.discardedUnknown).toBe(1);
    await expect(client.call(11)).resolves.toBe(89n);
  });

  it('discards a duplicate reply for a call that was already answered', async () => {
    const queue = freshQueue();
    const discarded: DiscardedReply[] = [];
    await using _server = await new FibRpcServer({ amqpUrl: node.getAmqpUrl(), queue }).start();
    await using client = await new FibRpcClient({
      amqpUrl: node.getAmqpUrl(),
      queue,
      onDiscard: (d) => discarded.push(d),
    }).start();
    const first = await client.request(20);

    const connection = await amqp.connect(node.getAmqpUrl());
    const channel = await connection.createChannel();
    channel.sendToQueue(client.getReplyTo()!, Buffer.from('6765'), { correlationId: first.correlationId });
    const pendingCall = client.request(21);
    await waitFor(() => discarded.length === 1, 'the duplicate to be discarded');
    await connection.close();

    expect(discarded[0]).toMatchObject({ kind: 'duplicate', correlationId: first.correlationId });
    expect(client.counters.discardedDuplicate).toBe(1);
    // The duplicate must not have resolved the call that was pending when it arrived.
    const second = await pendingCall;
    expect(second.value).toBe(10946n);
    expect(second.replyCorrelationId).toBe(second.correlationId);
  });

  it('times a call out and discards its reply when it arrives late', async () => {
    const queue = freshQueue();
    const discarded: DiscardedReply[] = [];
    await using _server = await new FibRpcServer({
      amqpUrl: node.getAmqpUrl(),
      queue,
      faultPoints: { beforeReply: () => new Promise((resolve) => setTimeout(resolve, 400)) },
    }).start();
    await using client = await new FibRpcClient({
      amqpUrl: node.getAmqpUrl(),
      queue,
      timeoutMs: 100,
      onDiscard: (d) => discarded.push(d),
    }).start();

    const error = await client.request(5).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RpcCallError);
    expect((error as RpcCallError).reason).toBe('timeout');
    expect((error as Error).message).toMatch(/got no reply within 100 ms/);
    await waitFor(() => discarded.length === 1, 'the late reply');
    expect(discarded[0]).toMatchObject({ kind: 'late', correlationId: (error as RpcCallError).correlationId });
    expect(client.counters).toMatchObject({ timedOut: 1, discardedLate: 1, replied: 0 });
  });

  it(
    'gives each request an expiration equal to the call timeout, ' + 'so a request nobody consumed is gone after it',
    async () => {
      const queue = freshQueue();
      const connection = await amqp.connect(node.getAmqpUrl());
      await (await connection.createChannel()).assertQueue(queue, { durable: false });
      await connection.close();
      await using client = await new FibRpcClient({ amqpUrl: node.getAmqpUrl(), queue, timeoutMs: 300 }).start();
      const calls = [client.call(5), client.call(6), client.call(7)];
      await expect(Promise.allSettled(calls)).resolves.toEqual(
        calls.map(() => expect.objectContaining({ status: 'rejected' })),
      );
      expect(client.counters.timedOut).toBe(3);
      // The broker drops expired messages at the head of the queue; give it a moment on a busy machine.
      let state = await inspectQueue(node.getAmqpUrl(), queue);
      for (let attempt = 0; attempt < 50 && state.exists && state.messageCount > 0; attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        state = await inspectQueue(node.getAmqpUrl(), queue);
      }
      expect(state).toEqual({ exists: true, messageCount: 0, consumerCount: 0 });
      // A server that starts later finds nothing: it would have answered calls nobody waits for.
      // A call made once it consumes queues behind anything left, so the first request it handles is that call's.
      const handled: number[] = [];
      const onEvent = (event: ServerEvent) => {
        if (event.kind === 'handled') handled.push(event.n);
      };
      await using server = await new FibRpcServer({ amqpUrl: node.getAmqpUrl(), queue, onEvent }).start();
      await using laterClient = await new FibRpcClient({
        amqpUrl: node.getAmqpUrl(),
        queue,
        timeoutMs: 20_000,
      }).start();
      expect(await laterClient.call(8)).toBe(21n);
      expect(handled).toEqual([8]);
      expect(server.counters.handled).toBe(1);
    },
  );

  it(
    "with confirmRequests, reports the broker's confirm of each request, " + 'also of one that no server ever answers',
    async () => {
      const queue = freshQueue();
      const confirms = new Map<string, RequestConfirm>();
      await using server = await new FibRpcServer({ amqpUrl: node.getAmqpUrl(), queue, prefetch: 10 }).start();
      await using client = await new FibRpcClient({
        amqpUrl: node.getAmqpUrl(),
        queue,
        timeoutMs: 500,
        confirmRequests: true,
        onRequestConfirm: (correlationId, outcome) => confirms.set(correlationId, outcome),
      }).start();
      expect(client.confirmsRequests).toBe(true);
      const replies = await Promise.all(Array.from({ length: 20 }, (_, i) => client.request(i)));
      await waitFor(() => confirms.size === 20, 'a confirm for every request');
      expect([...confirms]).toEqual(expect.arrayContaining(replies.map((reply) => [reply.correlationId, 'confirmed'])));
      // No server: the broker still confirms the request it queued, and the call times out.
      await server.stop();
      const unanswered = await client.request(7).catch((error: unknown) => error as RpcCallError);
      expect(unanswered).toBeInstanceOf(RpcCallError);
      expect(confirms.get((unanswered as RpcCallError).correlationId)).toBe('confirmed');
    },
  );

  it('answers bad request bodies with error replies and keeps serving', async () => {
    const queue = freshQueue();
    await using server = await new FibRpcServer({ amqpUrl: node.getAmqpUrl(), queue, maxN: 1000 }).start();
    const connection = await amqp.connect(node.getAmqpUrl());
    const channel = await connection.createChannel();
    const { queue: replyQueue } = await channel.assertQueue('', { exclusive: true });
    const replies = new Map<string, string>();
    await channel.consume(
      replyQueue,
      (message) => {
        if (message)
          replies.set(
            String(message.properties.correlationId),
            String(message.properties.headers?.[ERROR_HEADER] ?? message.content.toString()),
          );
      },
      { noAck: true },
    );
    const bodies = { empty: '', text: 'abc', negative: '-3', tooLarge: '1001', float: '2.5', ok: '12' };
    for (const [id, text] of Object.entries(bodies)) {
      channel.sendToQueue(queue, Buffer.from(text), { correlationId: id, replyTo: replyQueue });
    }
    await waitFor(() => replies.size === 6, 'six replies');
    await connection.close();

    expect(replies.get('empty')).toMatch(/empty request body/);
    expect(replies.get('text')).toMatch(/"abc" is not a decimal integer/);
    expect(replies.get('negative')).toMatch(/n must be >= 0/);
    expect(replies.get('tooLarge')).toMatch(/n must be <= 1000/);
    expect(replies.get('float')).toMatch(/not a decimal integer/);
    expect(replies.get('ok')).toBe('144');
    expect(server.counters).toMatchObject({ badRequests: 5, handled: 1, replyFailures: 0 });

    await using client = await new FibRpcClient({ amqpUrl: node.getAmqpUrl(), queue }).start();
    const error = await client.call(5000).catch((e: unknown) => e as RpcCallError);
    expect(error).toMatchObject({ reason: 'remote-error' });
    await expect(client.call(30)).resolves.toBe(832040n);
  });

  it('redelivers to a restarted server when the first dies after replying but before acking', async () => {
    const queue = freshQueue();
    const discarded: DiscardedReply[] = [];
    await using client = await new FibRpcClient({
      amqpUrl: node.getAmqpUrl(),
      queue,
      onDiscard: (d) => discarded.push(d),
    }).start();
    const doomed = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        RPC_SERVER_BIN,
        '--url',
        node.getAmqpUrl(),
        '--queue',
        queue,
        '--confirm',
        '--die-after-reply-before-ack',
        '1',
      ],
      { stdio: 'pipe' },
    );
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      doomed.once('exit', (_code, signal) => resolve(signal)),
    );
    try {
      // Publish only once the doomed server consumes, so that it is the one that gets the request.
      const reply = await (async () => {
        for (let attempt = 0; attempt < 50; attempt++) {
          const checker = await amqp.connect(node.getAmqpUrl());
          const ch = await checker.createChannel();
          ch.on('error', () => undefined);
          const found = await ch.checkQueue(queue).then(
            (q) => q.consumerCount > 0,
            () => false,
          );
          await checker.close().catch(() => undefined);
          if (found) return client.request(25);
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
        throw new Error('the doomed server never started consuming');
      })();
      expect(reply.value).toBe(75025n);
      expect(await exited).toBe('SIGKILL');

      await using successor = await new FibRpcServer({ amqpUrl: node.getAmqpUrl(), queue }).start();
      await waitFor(() => discarded.length === 1, 'the duplicate reply from the successor');
      expect(successor.counters.redelivered).toBe(1);
      expect(successor.counters.handled).toBe(1);
      expect(discarded[0]).toMatchObject({ kind: 'duplicate', correlationId: reply.correlationId, redelivered: true });
      expect(client.counters).toMatchObject({ replied: 1, discardedDuplicate: 1 });
    } finally {
      doomed.kill('SIGKILL');
    }
  });

  it('fails pending calls with a clear error on broker restart, then reconnects', async () => {
    const queue = freshQueue();
    // The reply waits until the server has lost the broker, so it cannot slip out while the
    // broker shuts down (past a fixed 8 s hold it did, on a loaded machine); calls after the
    // reconnect are answered at once.
    let brokerLost = () => {};
    const serverLostBroker = new Promise<void>((resolve) => (brokerLost = resolve));
    await using server = await new FibRpcServer({
      amqpUrl: node.getAmqpUrl(),
      queue,
      faultPoints: { beforeReply: () => serverLostBroker },
      onEvent: (event) => {
        if (event.kind === 'disconnected') brokerLost();
      },
    }).start();
    await using client = await new FibRpcClient({ amqpUrl: node.getAmqpUrl(), queue, timeoutMs: 30_000 }).start();
    const pendingCall = client.request(7).catch((e: unknown) => e as RpcCallError);
    await waitFor(() => client.inFlight === 1, 'the call to be in flight');

    await node.restart();
    const error = await pendingCall;
    expect(error).toBeInstanceOf(RpcCallError);
    expect(error).toMatchObject({ reason: 'connection-lost' });
    expect((error as Error).message).toMatch(/connection to the broker was lost/);

    await waitFor(
      () => client.counters.reconnects === 1 && server.counters.reconnects === 1,
      'both sides to reconnect',
      45_000,
    );
    await expect(client.call(8)).resolves.toBe(21n);
  });
});
