import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import amqp from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrivateRabbitNode, type StartedPrivateRabbitNode } from '../env/broker/private-rabbit-node.ts';
import {
  coalesceSocketWrites,
  publishRequest,
  requestPublishFields,
  type RequestProperties,
} from './amqp-fast-path.ts';

const require = createRequire(import.meta.url);
const amqplibRoot = dirname(require.resolve('amqplib'));
const defs = require(join(amqplibRoot, 'lib', 'defs.js')) as {
  BasicPublish: number;
  BasicProperties: number;
  encodeMethod(id: number, channel: number, fields: unknown): Buffer;
  encodeProperties(id: number, channel: number, size: number, fields: unknown): Buffer;
};
const Args = require(join(amqplibRoot, 'lib', 'api_args.js')) as {
  publish(exchange: string, routingKey: string, options: unknown): unknown;
};

const requests: RequestProperties[] = [
  {
    correlationId: 'c1.1',
    replyTo: 'amq.gen-abc',
    headers: { 'x-published-at-us': 1_796_156_844_118_501 },
    mandatory: true,
    expiration: '3000',
  },
  {
    correlationId: 'c1.2',
    replyTo: 'amq.rabbitmq.reply-to',
    headers: { 'x-published-at-us': 1, traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' },
    mandatory: false,
    expiration: undefined,
  },
  { correlationId: 'c1.3', replyTo: 'q', headers: undefined, mandatory: true, expiration: '1' },
];

describe('amqplib fast path', () => {
  it.each(requests)('publishes byte for byte what sendToQueue would ($correlationId)', (properties) => {
    const ours = requestPublishFields('rpc_queue', properties);
    const theirs = Args.publish('', 'rpc_queue', properties);
    expect(defs.encodeMethod(defs.BasicPublish, 1, ours)).toEqual(defs.encodeMethod(defs.BasicPublish, 1, theirs));
    expect(defs.encodeProperties(defs.BasicProperties, 1, 2, ours)).toEqual(
      defs.encodeProperties(defs.BasicProperties, 1, 2, theirs),
    );
  });
});

describe('amqplib fast path against a broker', { timeout: 60_000 }, () => {
  let node: StartedPrivateRabbitNode;
  beforeAll(async () => {
    node = await new PrivateRabbitNode().start();
  });
  afterAll(async () => {
    await node?.stop();
  });

  it('sends all the frames of one event-loop turn in one socket write, and they all arrive', async () => {
    const connection = await amqp.connect(node.getAmqpUrl(), { noDelay: true });
    try {
      // If amqplib's internals moved, this fails here: the RPC path would silently lose its batching.
      expect(coalesceSocketWrites(connection)).toBe(true);
      expect(coalesceSocketWrites(connection)).toBe(true); // installing twice is harmless
      const channel = await connection.createChannel();
      const { queue } = await channel.assertQueue('', { exclusive: true });
      const socket = (
        connection.connection as unknown as {
          stream: { _writev: (...args: unknown[]) => unknown; _write: (...args: unknown[]) => unknown };
        }
      ).stream;
      const writes = { writev: 0, write: 0 };
      const { _writev: writev, _write: write } = socket;
      socket._writev = function (...args: unknown[]) {
        writes.writev++;
        return writev.apply(this, args);
      };
      socket._write = function (...args: unknown[]) {
        writes.write++;
        return write.apply(this, args);
      };
      for (let i = 0; i < 20; i++) {
        publishRequest(channel, queue, Buffer.from(String(i)), {
          correlationId: `c.${i}`,
          replyTo: queue,
          headers: { 'x-published-at-us': i },
          mandatory: false,
          expiration: undefined,
        });
      }
      await new Promise((resolve) => setImmediate(resolve));
      await new Promise((resolve) => setImmediate(resolve));
      expect(writes).toEqual({ writev: 1, write: 0 });
      const received: string[] = [];
      await channel.consume(
        queue,
        (message) => {
          if (message)
            received.push(
              `${message.properties.correlationId as string}=${message.content.toString()}:` +
                `${String(message.properties.headers?.['x-published-at-us'])}`,
            );
        },
        { noAck: true },
      );
      const deadline = Date.now() + 5_000;
      while (received.length < 20 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(received).toEqual(Array.from({ length: 20 }, (_, i) => `c.${i}=${i}:${i}`));
    } finally {
      await connection.close();
    }
  });
});
