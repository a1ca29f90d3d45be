/**
 * A server command, wrong on purpose: the tutorial's RPC server in amqplib, which ignores the
 * broker's `basic.cancel` (amqplib hands the consumer a null message) and never consumes again,
 * so after its queue is deleted and declared again it answers nothing. The run must fail
 * servers-consume-again. Configured like every server command: AMQP_URL, RPC_QUEUE.
 */
import amqp from 'amqplib';
import { fib } from '../../../harness/rpc/fib.ts';

const amqpUrl = process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const queue = process.env.RPC_QUEUE ?? 'rpc_queue';

const connection = await amqp.connect(amqpUrl);
const channel = await connection.createChannel();
await channel.assertQueue(queue, { durable: false });
await channel.prefetch(10);
await channel.consume(queue, (message) => {
  if (message === null) {
    process.stderr.write(' [x] consumer cancelled by the broker; not consuming again\n');
    return;
  }
  const n = Number(message.content.toString());
  channel.sendToQueue(message.properties.replyTo, Buffer.from(fib(n).toString()), {
    correlationId: message.properties.correlationId,
  });
  channel.ack(message);
});
process.stderr.write(` [x] Awaiting RPC requests on ${queue}\n`);
process.once('SIGTERM', () => void connection.close().finally(() => process.exit(0)));
