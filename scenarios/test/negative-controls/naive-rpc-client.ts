/**
 * Deliberately broken RPC clients, run through the same client worker as the real one, to
 * prove that the checks fail when a client gets reply matching wrong. They are negative
 * controls for tests only; nothing in harness/ knows them.
 */
import { randomUUID } from 'node:crypto';
import amqp, { type Channel, type ChannelModel, type ConsumeMessage } from 'amqplib';
import type { LoadClient } from '../../../harness/impl/builtin/load-client.ts';
import { decodeReply, encodeRequest } from '../../../harness/rpc/codec.ts';
import { RpcCallError } from '../../../harness/rpc/errors.ts';
import type { ClientCounters, FibRpcClientOptions, RpcReply } from '../../../harness/rpc/fib-rpc-client.ts';

/**
 * How a naive client picks the call a reply belongs to:
 * - 'any-reply': its own call if still pending, else the oldest pending call (ignores correlation ids);
 * - 'accept-again': the call with the reply's correlation id, even when it was already answered.
 */
export type NaiveMatching = 'any-reply' | 'accept-again';

interface NaiveCall {
  readonly correlationId: string;
  readonly n: number;
  readonly resolve: (reply: RpcReply) => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
  answered: boolean;
}

export class NaiveRpcClient implements LoadClient {
  readonly counters: ClientCounters = {
    sent: 0,
    replied: 0,
    timedOut: 0,
    remoteErrors: 0,
    badReplies: 0,
    failed: 0,
    rejectedInFlightLimit: 0,
    discardedDuplicate: 0,
    discardedLate: 0,
    discardedUnknown: 0,
    reconnects: 0,
  };
  private readonly calls = new Map<string, NaiveCall>();
  private readonly clientId = randomUUID();
  private nextSequence = 1;
  private connection: ChannelModel | undefined;
  private channel: Channel | undefined;
  private replyTo = '';

  constructor(
    private readonly options: FibRpcClientOptions,
    private readonly matching: NaiveMatching,
  ) {}

  async start(): Promise<this> {
    this.connection = await amqp.connect(this.options.amqpUrl);
    this.connection.on('error', () => undefined);
    const channel = await this.connection.createChannel();
    const { queue } = await channel.assertQueue('', { exclusive: true });
    await channel.consume(queue, (message) => this.onReply(message), { noAck: true });
    this.channel = channel;
    this.replyTo = queue;
    return this;
  }

  request(n: number): Promise<RpcReply> {
    return this.send(n, encodeRequest(n));
  }

  requestRaw(body: Buffer): Promise<RpcReply> {
    return this.send(Number.NaN, body);
  }

  private send(n: number, body: Buffer): Promise<RpcReply> {
    const correlationId = `${this.clientId}.${this.nextSequence++}`;
    const channel = this.channel;
    if (!channel) return Promise.reject(new RpcCallError('not started', correlationId, 'not-connected'));
    return new Promise<RpcReply>((resolve, reject) => {
      const timer = setTimeout(() => this.onTimeout(correlationId), this.options.timeoutMs ?? 5_000);
      this.calls.set(correlationId, { correlationId, n, resolve, reject, timer, answered: false });
      this.counters.sent++;
      channel.sendToQueue(this.options.queue ?? 'rpc_queue', body, { correlationId, replyTo: this.replyTo });
    });
  }

  private onTimeout(correlationId: string): void {
    const call = this.calls.get(correlationId);
    this.calls.delete(correlationId);
    if (!call || call.answered) return;
    this.counters.timedOut++;
    call.reject(new RpcCallError(`call ${correlationId} timed out`, correlationId, 'timeout'));
  }

  private onReply(message: ConsumeMessage | null): void {
    if (message === null) return;
    const replyCorrelationId =
      typeof message.properties.correlationId === 'string' ? message.properties.correlationId : undefined;
    const call = this.pickCall(replyCorrelationId);
    if (!call) {
      this.counters.discardedUnknown++;
      return;
    }
    this.options.onReplyAccepted?.(call.correlationId);
    call.answered = true;
    // 'accept-again' keeps answered calls until their timer fires, so a duplicate finds them.
    if (this.matching === 'any-reply') {
      clearTimeout(call.timer);
      this.calls.delete(call.correlationId);
    }
    const decoded = decodeReply(message.content, message.properties.headers);
    if (!decoded.ok) {
      this.counters.remoteErrors++;
      call.reject(new RpcCallError(decoded.error, call.correlationId, 'remote-error'));
      return;
    }
    this.counters.replied++;
    call.resolve({
      value: decoded.value,
      correlationId: call.correlationId,
      replyCorrelationId,
      redelivered: false,
      traceId: undefined,
    });
  }

  private pickCall(replyCorrelationId: string | undefined): NaiveCall | undefined {
    const own = replyCorrelationId === undefined ? undefined : this.calls.get(replyCorrelationId);
    if (this.matching === 'accept-again') return own;
    if (own && !own.answered) return own;
    return [...this.calls.values()].find((call) => !call.answered);
  }

  async close(): Promise<void> {
    for (const call of this.calls.values()) {
      clearTimeout(call.timer);
      if (!call.answered) call.reject(new RpcCallError('client closed', call.correlationId, 'closed'));
    }
    this.calls.clear();
    await this.connection?.close().catch(() => undefined);
    this.connection = undefined;
  }
}
