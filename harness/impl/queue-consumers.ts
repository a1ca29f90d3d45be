/**
 * The harness's own look at the request queue, straight to the broker (not through a
 * proxy a fault may cut): how many consumers it has. An external server is ready when it
 * consumes the queue, which is the one thing every implementation does whatever its language.
 */
import amqp, { type Channel, type ChannelModel } from 'amqplib';

const POLL_EVERY_MS = 100;

export class QueueConsumers {
  private connection: Promise<ChannelModel> | undefined;
  private channel: Channel | undefined;

  constructor(private readonly brokerUrl: string) {}

  /** Consumers on `queue`; 0 while nobody has declared it yet. */
  async count(queue: string): Promise<number> {
    const channel = await this.openChannel();
    try {
      return (await channel.checkQueue(queue)).consumerCount;
    } catch (error) {
      // A missing queue (404) closes the channel: open a fresh one next time.
      this.channel = undefined;
      if (/NOT_FOUND|404/.test((error as Error).message)) return 0;
      throw error;
    }
  }

  /**
   * Resolves once `queue` has at least `expected` consumers. Rejects when `giveUp` settles
   * first (the process exited) or after `timeoutMs`, saying which.
   */
  async waitFor(queue: string, expected: number, timeoutMs: number, giveUp: Promise<string>): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let reason: string | undefined;
    void giveUp.then((why) => (reason = why));
    let last = 0;
    // Bounded by the deadline: at most timeoutMs / POLL_EVERY_MS polls.
    while (Date.now() < deadline) {
      if (reason !== undefined) throw new Error(reason);
      last = await this.count(queue);
      if (last >= expected) return;
      await new Promise((resolve) => setTimeout(resolve, POLL_EVERY_MS));
    }
    if (reason !== undefined) throw new Error(reason);
    throw new Error(`no consumer on "${queue}" after ${(timeoutMs / 1000).toFixed(1)} s (consumers seen ${last}, expected ${expected})`);
  }

  async close(): Promise<void> {
    const connection = this.connection;
    this.connection = undefined;
    this.channel = undefined;
    if (connection) await (await connection.catch(() => undefined))?.close().catch(() => undefined);
  }

  private async openChannel(): Promise<Channel> {
    this.connection ??= amqp.connect(this.brokerUrl);
    const connection = await this.connection;
    if (!this.channel) {
      const channel = await connection.createChannel();
      channel.on('error', () => {
        // A 404 from checkQueue arrives here as well as in its promise; handled in count().
      });
      this.channel = channel;
    }
    return this.channel;
  }
}
