import amqp from 'amqplib';
import { amqpSocketOptions } from '../env/local-address.ts';

const POLL_MS = 100;

/**
 * Waits, up to `boundMs`, until the request queue holds no ready message, so the servers have
 * consumed every request of the run before they are stopped: a timed-out call's request is
 * still handled, late. Returns how many requests were still waiting when it stopped looking
 * (0 when drained, or when the queue does not exist), or undefined when the broker could not
 * be reached to look (the checks then fail on what it left undone, not on this look). It only
 * looks; it never consumes.
 */
export async function drainRequestQueue(amqpUrl: string, queue: string, boundMs: number): Promise<number | undefined> {
  let connection: amqp.ChannelModel;
  try {
    connection = await amqp.connect(amqpUrl, amqpSocketOptions({}));
  } catch {
    return undefined;
  }
  connection.on('error', () => undefined);
  try {
    const deadline = Date.now() + boundMs;
    for (;;) {
      const ready = await readyMessages(connection, queue);
      if (ready === 0 || Date.now() >= deadline) return ready;
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  } finally {
    await connection.close().catch(() => undefined);
  }
}

async function readyMessages(connection: amqp.ChannelModel, queue: string): Promise<number> {
  // A passive declare of a missing queue closes its channel with 404: one channel per look.
  const channel = await connection.createChannel();
  channel.on('error', () => undefined);
  try {
    const { messageCount } = await channel.checkQueue(queue);
    await channel.close();
    return messageCount;
  } catch {
    return 0;
  }
}
