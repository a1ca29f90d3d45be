/**
 * Test support: an RPC "server" the test scripts step by step, on the real broker, to put
 * exactly the replies a fault would leave on a client's callback queue there: a reply held
 * back past the client's timeout, a reply sent twice, replies in reverse order.
 */
import type { ChannelModel, ConfirmChannel, ConsumeMessage } from 'amqplib';
import { fib } from '../../../harness/rpc/fib.ts';

export interface ScriptedRequest {
  readonly n: number;
  readonly correlationId: string | undefined;
  readonly replyTo: string;
}

export class ScriptedServer {
  readonly requests: ScriptedRequest[] = [];

  private constructor(private readonly channel: ConfirmChannel) {}

  /** On a confirm channel, so a test can wait until its replies are on their callback queues. */
  static async start(connection: ChannelModel, queue: string): Promise<ScriptedServer> {
    const channel = await connection.createConfirmChannel();
    await channel.assertQueue(queue, { durable: false });
    const server = new ScriptedServer(channel);
    await channel.consume(
      queue,
      (message: ConsumeMessage | null) => {
        if (message === null) return;
        server.requests.push({
          n: Number(message.content.toString('utf8')),
          correlationId: message.properties.correlationId as string | undefined,
          replyTo: String(message.properties.replyTo),
        });
      },
      { noAck: true },
    );
    return server;
  }

  async waitForRequests(count: number, timeoutMs: number): Promise<ScriptedRequest[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.requests.length < count) {
      if (Date.now() > deadline)
        throw new Error(`expected ${count} request(s) within ${timeoutMs} ms, got ${this.requests.length}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return this.requests.slice(0, count);
  }

  /** Replies fib(n) to the request, with its correlation id, as a tutorial server does. */
  reply(request: ScriptedRequest): void {
    this.channel.sendToQueue(request.replyTo, Buffer.from(fib(request.n).toString(10)), {
      correlationId: request.correlationId,
    });
  }

  /**
   * Resolves once the broker has confirmed every reply sent so far: each is on its callback queue,
   * behind nothing sent later.
   */
  async repliesQueued(): Promise<void> {
    await this.channel.waitForConfirms();
  }

  async stop(): Promise<void> {
    try {
      await this.channel.close();
    } catch {
      // The connection may be gone already.
    }
  }
}
