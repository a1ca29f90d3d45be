/**
 * Failing over on a single private node: the client is placed on a forwarder in front of the
 * node (standing in for the node it sits on) and also given the node's own address. When the
 * forwarder dies, the client reconnects through the next address and answers again; given the
 * forwarder alone, it keeps retrying the dead address and answers nothing.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrivateRabbitNode, type StartedPrivateRabbitNode } from '../env/broker/private-rabbit-node.ts';
import { FibRpcClient } from './fib-rpc-client.ts';
import { FibRpcServer } from './fib-rpc-server.ts';

let node: StartedPrivateRabbitNode;

interface Forwarder {
  readonly url: string;
  /** Closes the listener and every forwarded connection, as a killed node does. */
  kill(): Promise<void>;
}

async function startForwarder(brokerUrl: string): Promise<Forwarder> {
  const broker = new URL(brokerUrl);
  const sockets = new Set<Socket>();
  const server: Server = createServer((inbound) => {
    const outbound = connect(Number(broker.port), broker.hostname);
    for (const socket of [inbound, outbound]) {
      sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => sockets.delete(socket));
    }
    inbound.pipe(outbound).pipe(inbound);
  });
  await new Promise<void>((resolve) => server.listen(0, broker.hostname, resolve));
  const address = server.address();
  const url = new URL(brokerUrl);
  url.port = String(typeof address === 'object' && address ? address.port : 0);
  return {
    url: url.toString(),
    kill: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

async function answersWithin(client: FibRpcClient, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const answered = await client.call(10).then(
      (value) => value === 55n,
      () => false,
    );
    if (answered) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return false;
}

describe('failing over to the next address', { timeout: 90_000 }, () => {
  beforeAll(async () => {
    node = await new PrivateRabbitNode().start();
  });
  afterAll(async () => {
    await node?.stop();
  });

  it('reconnects through the next address when the placed one dies, and says which', async () => {
    const queue = `rpc_failover_${process.pid}_1`;
    await using server = await new FibRpcServer({ amqpUrl: node.getAmqpUrl(), queue }).start();
    void server;
    const forwarder = await startForwarder(node.getAmqpUrl());
    const connectedTo: string[] = [];
    await using client = await new FibRpcClient({
      amqpUrl: forwarder.url,
      amqpUrls: [forwarder.url, node.getAmqpUrl()],
      queue,
      timeoutMs: 1_000,
      onConnectionEvent: (event) => {
        if (event.kind === 'connected') connectedTo.push(event.address ?? '');
      },
    }).start();
    expect(await client.call(10)).toBe(55n);
    await forwarder.kill();
    const killedAt = Date.now();
    expect(await answersWithin(client, 5_000)).toBe(true);
    console.info(`answered again ${Date.now() - killedAt} ms after the placed address died`);
    expect(connectedTo).toEqual([
      `node-1 (${new URL(forwarder.url).host})`,
      `node-2 (${new URL(node.getAmqpUrl()).host})`,
    ]);
    expect(client.counters.reconnects).toBe(1);
  });

  it('given the placed address alone, answers nothing while it is dead (negative control)', async () => {
    const queue = `rpc_failover_${process.pid}_2`;
    await using server = await new FibRpcServer({ amqpUrl: node.getAmqpUrl(), queue }).start();
    void server;
    const forwarder = await startForwarder(node.getAmqpUrl());
    await using client = await new FibRpcClient({ amqpUrl: forwarder.url, queue, timeoutMs: 1_000 }).start();
    expect(await client.call(10)).toBe(55n);
    await forwarder.kill();
    expect(await answersWithin(client, 3_000)).toBe(false);
    expect(client.counters.reconnects).toBe(0);
  });
});
