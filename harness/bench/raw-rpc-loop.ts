import amqp from 'amqplib';
import { fib } from '../rpc/fib.ts';
import type { ReplyMode } from '../rpc/fib-rpc-client.ts';

/**
 * The reference for the RPC benchmark: the tutorial's request/reply written with nothing
 * but amqplib, as its own examples do (no validation, no discard accounting, no tracing,
 * no timeouts). Our client and server must come close to it. `noDelay` gives the raw loop
 * the same TCP_NODELAY our connections use, so the comparison can be made both ways.
 */
export async function startRawServer(
  amqpUrl: string,
  queue: string,
  prefetch: number,
  noDelay = false,
): Promise<{ stop(): Promise<void> }> {
  const connection = await amqp.connect(amqpUrl, { noDelay });
  const channel = await connection.createChannel();
  await channel.assertQueue(queue, { durable: false });
  await channel.prefetch(prefetch);
  await channel.consume(queue, (message) => {
    if (!message) return;
    const n = Number(message.content.toString());
    channel.sendToQueue(message.properties.replyTo as string, Buffer.from(fib(n).toString()), {
      correlationId: message.properties.correlationId as string,
    });
    channel.ack(message);
  });
  return { stop: () => connection.close() };
}

export async function startRawClient(
  amqpUrl: string,
  queue: string,
  replyMode: ReplyMode,
  noDelay = false,
): Promise<{ call(n: number): Promise<bigint>; stop(): Promise<void> }> {
  const connection = await amqp.connect(amqpUrl, { noDelay });
  const channel = await connection.createChannel();
  const pending = new Map<string, (value: bigint) => void>();
  const replyTo =
    replyMode === 'direct-reply-to'
      ? 'amq.rabbitmq.reply-to'
      : (await channel.assertQueue('', { exclusive: true })).queue;
  await channel.consume(
    replyTo,
    (message) => {
      if (!message) return;
      const resolve = pending.get(message.properties.correlationId as string);
      if (!resolve) return;
      pending.delete(message.properties.correlationId as string);
      resolve(BigInt(message.content.toString()));
    },
    { noAck: true },
  );
  let sequence = 0;
  return {
    call(n) {
      const correlationId = String(++sequence);
      return new Promise((resolve) => {
        pending.set(correlationId, resolve);
        channel.sendToQueue(queue, Buffer.from(String(n)), { correlationId, replyTo });
      });
    },
    stop: () => connection.close(),
  };
}
