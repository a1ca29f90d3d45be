import amqp, { type ChannelModel } from 'amqplib';
import { redactMessage } from '../env/redact.ts';
import { localAddressOptions } from '../env/local-address.ts';

export type QueueState =
  | { readonly exists: false }
  | { readonly exists: true; readonly messageCount: number; readonly consumerCount: number };

const CONNECT_TIMEOUT_MS = 5_000;

/**
 * Looks at a queue without changing it: amqplib's `checkQueue` (a passive declare), on a
 * short-lived connection of its own. A queue that does not exist closes the channel with
 * 404 NOT_FOUND, which is an answer here, not an error.
 */
export async function inspectQueue(amqpUrl: string, queue: string): Promise<QueueState> {
  const connection = await connect(amqpUrl);
  try {
    const channel = await connection.createChannel();
    channel.on('error', () => {
      // The 404 of a missing queue arrives here as well as in the rejected checkQueue.
    });
    try {
      const { messageCount, consumerCount } = await channel.checkQueue(queue);
      await channel.close().catch(() => undefined);
      return { exists: true, messageCount, consumerCount };
    } catch (error) {
      if ((error as { code?: number }).code === 404) return { exists: false };
      throw error;
    }
  } finally {
    await connection.close().catch(() => undefined);
  }
}

/** Deletes a queue, whatever it holds; a queue already gone counts as deleted. */
export async function deleteQueue(amqpUrl: string, queue: string): Promise<void> {
  const connection = await connect(amqpUrl);
  try {
    const channel = await connection.createChannel();
    await channel.deleteQueue(queue);
    await channel.close().catch(() => undefined);
  } finally {
    await connection.close().catch(() => undefined);
  }
}

/**
 * Deletes a queue once it holds no ready message (queue.delete with if-empty, retried every
 * `retryMs` on a fresh channel: the broker refuses a non-empty queue with 406 and closes the
 * channel). After `boundMs` it deletes the queue whatever it holds. Resolves with how many ready
 * messages went with it (0 unless the bound ran out).
 */
export async function deleteQueueWhenEmpty(
  amqpUrl: string,
  queue: string,
  options: { boundMs: number; retryMs: number },
): Promise<number> {
  const connection = await connect(amqpUrl);
  connection.on('error', () => undefined);
  try {
    const deadline = Date.now() + options.boundMs;
    for (;;) {
      const last = Date.now() >= deadline;
      const channel = await connection.createChannel();
      channel.on('error', () => {
        // 406 PRECONDITION_FAILED of a queue that is not empty closes the channel; the next try opens another.
      });
      try {
        const { messageCount } = await channel.deleteQueue(queue, last ? {} : { ifEmpty: true });
        await channel.close().catch(() => undefined);
        return messageCount;
      } catch (error) {
        if ((error as { code?: number }).code !== 406 || last) throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, options.retryMs));
    }
  } finally {
    await connection.close().catch(() => undefined);
  }
}

/** Declares a queue (idempotent with the same arguments), as a server would before it consumes. */
export async function declareQueue(
  amqpUrl: string,
  queue: string,
  options: { durable: boolean; arguments?: Record<string, string> },
): Promise<void> {
  const connection = await connect(amqpUrl);
  try {
    const channel = await connection.createChannel();
    await channel.assertQueue(queue, options);
    await channel.close().catch(() => undefined);
  } finally {
    await connection.close().catch(() => undefined);
  }
}

async function connect(amqpUrl: string): Promise<ChannelModel> {
  try {
    return await amqp.connect(amqpUrl, { timeout: CONNECT_TIMEOUT_MS, ...localAddressOptions() });
  } catch (error) {
    throw new Error(`could not connect to the broker: ${redactMessage((error as Error).message)}`);
  }
}
