import amqp from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrivateRabbitNode, type StartedPrivateRabbitNode } from './private-rabbit-node.ts';
import { watchExpiredRequests } from './expired-requests.ts';

let node: StartedPrivateRabbitNode;

describe('expired requests on a private node', { timeout: 120_000 }, () => {
  beforeAll(async () => {
    node = await new PrivateRabbitNode().withStartTimeout(90_000).start();
  });
  afterAll(async () => {
    await node?.stop();
  });

  it('reports the correlation id of a request that expired unconsumed, and not of one that was consumed', async () => {
    const queue = `rpc_queue.expiry-test`;
    const watch = await watchExpiredRequests(node.getAmqpUrl(), queue);
    expect(watch).toBeDefined();
    const connection = await amqp.connect(node.getAmqpUrl());
    try {
      const channel = await connection.createChannel();
      await channel.assertQueue(queue, { durable: false });
      channel.sendToQueue(queue, Buffer.from('5'), { correlationId: 'expires', expiration: '100' });
      await new Promise((resolve) => setTimeout(resolve, 400));
      channel.sendToQueue(queue, Buffer.from('6'), { correlationId: 'consumed', expiration: '60000' });
      // Consuming also makes the broker drop the expired head of the queue.
      const consumed = await new Promise<string | undefined>((resolve) => {
        void channel.consume(queue, (message) => resolve(message?.properties.correlationId), { noAck: true });
      });
      expect(consumed).toBe('consumed');
      const deadline = Date.now() + 5_000;
      while (!watch!.expired.has('expires') && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 50));
      expect([...watch!.expired]).toEqual(['expires']);
    } finally {
      await connection.close();
      await watch?.stop();
    }
  });

  it('keeps the default guest user that a node importing definitions would otherwise not create', async () => {
    const url = new URL(node.getAmqpUrl());
    expect([url.username, url.password]).toEqual(['guest', 'guest']);
    const connection = await amqp.connect(url.href);
    try {
      // guest may use the default vhost, not merely log in.
      const channel = await connection.createChannel();
      expect((await channel.assertQueue('', { exclusive: true })).queue).toMatch(/^amq\.gen-/);
    } finally {
      await connection.close();
    }
    // The broker checks the password: the connection above was guest's, not an open door.
    url.password = 'not-guest';
    await expect(amqp.connect(url.href)).rejects.toThrow(/ACCESS_REFUSED|403/);
  });

  it("returns undefined on a broker without the harness's dead-letter exchange", async () => {
    // The same node with the exchange deleted stands in for a broker the harness did not configure.
    const connection = await amqp.connect(node.getAmqpUrl());
    try {
      const channel = await connection.createChannel();
      await channel.deleteExchange('rpc-chaos.expired-requests');
    } finally {
      await connection.close();
    }
    expect(await watchExpiredRequests(node.getAmqpUrl(), 'rpc_queue.other')).toBeUndefined();
  });
});
