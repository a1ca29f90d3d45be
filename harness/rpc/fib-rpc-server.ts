import type { Channel, ChannelModel, ConfirmChannel, ConsumeMessage } from 'amqplib';
import { redactMessage } from '../env/redact.ts';
import { connectWithRecovery, type RecoveringConnection } from './recovering-connection.ts';
import { coalesceSocketWrites } from './amqp-fast-path.ts';
import { decodeRequest, DEFAULT_MAX_N, encodeReply, ERROR_HEADER, type DecodedRequest } from './codec.ts';
import { fib } from './fib.ts';
import { rpcTracing, type ServerSpan } from './rpc-tracing.ts';

/** Header a server sets on replies to requests the broker redelivered; tutorial clients ignore it. */
export const REDELIVERED_HEADER = 'x-redelivered';
/** Header carrying the publish time (epoch microseconds) so the server can measure queue wait. */
export const PUBLISHED_AT_HEADER = 'x-published-at-us';

/** What a fault hook learns about the request at the fault point. */
export interface FaultPointContext {
  readonly correlationId: string | undefined;
  readonly n: number | undefined;
  readonly redelivered: boolean;
  /** Ends the request's span with an error now, e.g. because the process is about to die. */
  failSpan(message: string): void;
}

/**
 * Named fault points. `afterReplyBeforeAck` sits between "reply published (and confirmed on
 * a confirm channel)" and "request acked": dying there is the tutorial's race, after which the
 * broker redelivers and a server replies a second time.
 */
export interface FaultPoints {
  beforeReply?: (context: FaultPointContext) => void | Promise<void>;
  afterReplyBeforeAck?: (context: FaultPointContext) => void | Promise<void>;
}

export type ServerEvent =
  | {
      kind: 'handled';
      correlationId: string | undefined;
      n: number;
      redelivered: boolean;
      queueWaitUs?: number;
      serviceUs: number;
    }
  | { kind: 'bad-request'; correlationId: string | undefined; error: string; redelivered: boolean }
  | { kind: 'reply-failed'; correlationId: string | undefined; error: string }
  /** `address`: which node (`node-k (host:port)`) or broker (host:port). */
  | { kind: 'connected'; address: string }
  | { kind: 'disconnected'; error: string }
  /** The broker cancelled the consumer (`basic.cancel`: its queue was deleted); the server consumes again. */
  | { kind: 'consumer-cancelled' }
  | { kind: 'consuming-again'; attempts: number }
  | { kind: 'consume-again-failed'; attempts: number; error: string }
  /** The broker blocked (`connection.blocked`, e.g. a memory alarm) or unblocked the connection's publishes. */
  | { kind: 'blocked'; reason: string }
  | { kind: 'unblocked' };

export interface FibRpcServerOptions {
  /** The placed node's URL: connected to first. */
  readonly amqpUrl: string;
  /** Every node's URL, in node order: reconnects go round them from amqpUrl. Absent: amqpUrl alone. */
  readonly amqpUrls?: readonly string[];
  /** Request queue; the tutorial's name by default. */
  readonly queue?: string;
  /** Unacked deliveries this server holds at once. The tutorial uses 1. */
  readonly prefetch?: number;
  /** Publish replies on a confirm channel and wait for the broker's confirm before acking. */
  readonly confirmReplies?: boolean;
  readonly maxN?: number;
  /** Declare the request queue durable (the tutorial's is not; both sides must agree). */
  readonly durableQueue?: boolean;
  /**
   * 'quorum' declares the request queue as a replicated quorum queue (durable, x-queue-type),
   * as whoever declared it first must have; 'classic' (default) is the tutorial's queue.
   */
  readonly queueType?: 'classic' | 'quorum';
  readonly faultPoints?: FaultPoints;
  readonly onEvent?: (event: ServerEvent) => void;
}

export interface ServerCounters {
  handled: number;
  redelivered: number;
  badRequests: number;
  replyFailures: number;
  reconnects: number;
  /** Requests consumed and acked without a reply while replies were withheld. */
  repliesWithheld: number;
}

type ReplyChannel = Channel | ConfirmChannel;

/** One delivery on its way through handle(). */
interface Request {
  readonly message: ConsumeMessage;
  readonly redelivered: boolean;
  readonly startedUs: number;
  readonly span: ServerSpan;
  readonly decoded: DecodedRequest;
  context: FaultPointContext | undefined;
}

/**
 * The tutorial's RPC worker: consume `rpc_queue` with manual ack and a prefetch, compute
 * fib(n), publish the reply to `replyTo` with the request's `correlationId`, then ack.
 * The connection recovers by itself (amqplib's recovery); deliveries of a lost channel are
 * never acked on the new one, the broker redelivers them.
 */
export class FibRpcServer {
  readonly counters: ServerCounters = {
    handled: 0,
    redelivered: 0,
    badRequests: 0,
    replyFailures: 0,
    reconnects: 0,
    repliesWithheld: 0,
  };
  /**
   * While set, requests are consumed and acked but never answered: a server whose reply path
   * broke silently (the servers-stop-replying fault). Clients see nothing but silence.
   */
  repliesWithheld = false;
  private readonly queue: string;
  private readonly prefetch: number;
  private readonly maxN: number;
  private connection: RecoveringConnection | undefined;
  /** The connection's current model, for a fresh channel when consuming again after a cancel. */
  private model: ChannelModel | undefined;
  private channel: ReplyChannel | undefined;
  private readonly inFlight = new Set<Promise<void>>();
  private stopping = false;
  private connectedOnce = false;

  constructor(private readonly options: FibRpcServerOptions) {
    this.queue = options.queue ?? 'rpc_queue';
    this.prefetch = options.prefetch ?? 1;
    this.maxN = options.maxN ?? DEFAULT_MAX_N;
    if (!Number.isInteger(this.prefetch) || this.prefetch < 1 || this.prefetch > 65_535) {
      throw new RangeError(`prefetch must be an integer from 1 to 65535, got ${this.prefetch}`);
    }
    if (!Number.isInteger(this.maxN) || this.maxN < 0)
      throw new RangeError(`maxN must be a non-negative integer, got ${this.maxN}`);
  }

  getQueue(): string {
    return this.queue;
  }

  async start(): Promise<this> {
    const { amqpUrl, amqpUrls } = this.options;
    this.connection = await connectWithRecovery(
      { amqpUrl, amqpUrls },
      'FibRpcServer',
      (model, address) => this.setupConsumer(model, address),
      (error) => {
        this.channel = undefined;
        this.options.onEvent?.({ kind: 'disconnected', error: redactMessage(error.message) });
      },
    );
    return this;
  }

  /**
   * A channel on which the request queue is declared. A new quorum queue whose replicas cannot
   * all be started yet (a node still booting, or busy) is refused with 541 INTERNAL_ERROR
   * (`cluster_not_formed`) and the channel closed: that is retried a few times on new channels.
   */
  private async openDeclaredChannel(model: ChannelModel): Promise<ReplyChannel> {
    for (let attempt = 1; ; attempt++) {
      const channel: ReplyChannel = this.options.confirmReplies
        ? await model.createConfirmChannel()
        : await model.createChannel();
      channel.on('error', () => {
        // A channel error closes the channel; the connection's recovery reopens everything.
      });
      try {
        await channel.assertQueue(this.queue, requestQueueOptions(this.options));
        return channel;
      } catch (error) {
        const refused = (error as { code?: unknown }).code === INTERNAL_ERROR;
        if (this.options.queueType !== 'quorum' || !refused || attempt >= QUORUM_DECLARE_ATTEMPTS) throw error;
        await new Promise((resolve) => setTimeout(resolve, QUORUM_DECLARE_RETRY_MS));
      }
    }
  }

  private async setupConsumer(model: ChannelModel, address: string): Promise<void> {
    coalesceSocketWrites(model);
    this.model = model;
    // Each connection (a failover opens a new one) reports the broker blocking its publishes.
    model.on('blocked', (reason: unknown) => this.options.onEvent?.({ kind: 'blocked', reason: String(reason) }));
    model.on('unblocked', () => this.options.onEvent?.({ kind: 'unblocked' }));
    const channel = await this.openDeclaredChannel(model);
    await channel.prefetch(this.prefetch);
    await this.consumeOn(channel);
    if (this.connectedOnce) this.counters.reconnects++;
    this.connectedOnce = true;
    this.options.onEvent?.({ kind: 'connected', address });
  }

  private async consumeOn(channel: ReplyChannel): Promise<void> {
    // Set before consuming: deliveries can arrive before consume() resolves.
    this.channel = channel;
    await channel.consume(
      this.queue,
      (message) => {
        if (message === null) {
          // basic.cancel from the broker: the queue was deleted (or its leader moved away).
          this.options.onEvent?.({ kind: 'consumer-cancelled' });
          void this.consumeAgain(channel);
          return;
        }
        // Most requests are handled within this call; only one waiting for a hook or a confirm is tracked.
        const work = this.handle(channel, message);
        if (work) {
          const tracked = work.finally(() => this.inFlight.delete(tracked));
          this.inFlight.add(tracked);
        }
      },
      { noAck: false },
    );
  }

  /**
   * After the broker cancelled the consumer: declare the request queue again (as at start) and
   * consume it, a bounded number of times. A failed declare or consume closes its channel, so a
   * later attempt opens a fresh one. A reconnect in between does the same through setupConsumer.
   */
  private async consumeAgain(cancelled: ReplyChannel): Promise<void> {
    // The channel this server consumes on as far as it knows; a reconnect replaces it (and consumes).
    let current = cancelled;
    let lastError = '';
    for (let attempt = 1; attempt <= CONSUME_AGAIN_ATTEMPTS; attempt++) {
      if (this.stopping || this.channel !== current || !this.model) return;
      let channel = current;
      try {
        if (attempt === 1) await channel.assertQueue(this.queue, requestQueueOptions(this.options));
        else {
          channel = await this.openDeclaredChannel(this.model);
          await channel.prefetch(this.prefetch);
          if (this.channel !== current) return void channel.close().catch(() => undefined);
        }
        await this.consumeOn(channel);
        this.options.onEvent?.({ kind: 'consuming-again', attempts: attempt });
        return;
      } catch (error) {
        lastError = redactMessage((error as Error).message);
        if (this.channel === channel) current = channel;
        await new Promise((resolve) => setTimeout(resolve, CONSUME_AGAIN_RETRY_MS));
      }
    }
    this.options.onEvent?.({ kind: 'consume-again-failed', attempts: CONSUME_AGAIN_ATTEMPTS, error: lastError });
  }

  /**
   * decode -> [beforeReply] -> compute and publish the reply [-> confirm] -> [afterReplyBeforeAck] -> ack.
   * Runs synchronously unless a fault hook or a confirm returns a promise: with no hook and
   * no confirm channel, reply and ack leave in the same tick and no promise is made.
   */
  private handle(channel: ReplyChannel, message: ConsumeMessage): Promise<void> | undefined {
    const request: Request = {
      message,
      redelivered: message.fields.redelivered,
      startedUs: nowUs(),
      span: rpcTracing.startProcessSpan(this.queue, message),
      decoded: decodeRequest(message.content, this.maxN),
      context: undefined,
    };
    if (request.redelivered) this.counters.redelivered++;
    try {
      const beforeReply = this.options.faultPoints?.beforeReply?.(this.faultContext(request));
      if (beforeReply)
        return beforeReply
          .then(() => this.replyThenAck(channel, request))
          .catch((error: unknown) => this.replyFailed(channel, request, error));
      return this.replyThenAck(channel, request);
    } catch (error) {
      this.replyFailed(channel, request, error);
      return undefined;
    }
  }

  private replyThenAck(channel: ReplyChannel, request: Request): Promise<void> | undefined {
    const { decoded, span, redelivered } = request;
    const { correlationId, replyTo } = request.message.properties;
    let replyBody: Buffer;
    let replyHeaders: Record<string, unknown> | undefined;
    if (decoded.ok) {
      replyBody = encodeReply(span.computeFib(() => fib(decoded.n)));
    } else {
      this.counters.badRequests++;
      replyHeaders = { [ERROR_HEADER]: decoded.error };
      replyBody = Buffer.from(`error: ${decoded.error}`, 'utf8');
      this.options.onEvent?.({ kind: 'bad-request', correlationId, error: decoded.error, redelivered });
      span.recordBadRequest(decoded.error);
    }
    if (redelivered) (replyHeaders ??= {})[REDELIVERED_HEADER] = true;

    let confirmed: Promise<void> | undefined;
    if (this.repliesWithheld) this.counters.repliesWithheld++;
    else if (typeof replyTo === 'string' && replyTo !== '') {
      if (span.span.isRecording()) rpcTracing.injectContext((replyHeaders ??= {}), span);
      confirmed = this.publishReply(channel, replyTo, replyBody, correlationId, replyHeaders);
    }
    if (confirmed)
      return confirmed
        .then(() => this.afterReply(channel, request))
        .catch((error: unknown) => this.replyFailed(channel, request, error));
    return this.afterReply(channel, request);
  }

  private afterReply(channel: ReplyChannel, request: Request): Promise<void> | undefined {
    const afterReply = this.options.faultPoints?.afterReplyBeforeAck?.(this.faultContext(request));
    if (afterReply)
      return afterReply
        .then(() => this.ack(channel, request))
        .catch((error: unknown) => this.replyFailed(channel, request, error));
    this.ack(channel, request);
    return undefined;
  }

  private ack(channel: ReplyChannel, request: Request): void {
    const { span, decoded } = request;
    if (this.channel !== channel) {
      span.end('channel closed before ack: the broker will redeliver');
      return;
    }
    channel.ack(request.message);
    span.end();
    if (!decoded.ok) return;
    this.counters.handled++;
    const onEvent = this.options.onEvent;
    if (!onEvent) return;
    const { correlationId, headers } = request.message.properties;
    const publishedAtUs = Number(headers?.[PUBLISHED_AT_HEADER]);
    onEvent({
      kind: 'handled',
      correlationId,
      n: decoded.n,
      redelivered: request.redelivered,
      queueWaitUs:
        Number.isFinite(publishedAtUs) && publishedAtUs > 0
          ? Math.max(0, request.startedUs - publishedAtUs)
          : undefined,
      serviceUs: nowUs() - request.startedUs,
    });
  }

  private replyFailed(channel: ReplyChannel, request: Request, error: unknown): void {
    this.counters.replyFailures++;
    const text = redactMessage((error as Error).message);
    this.options.onEvent?.({
      kind: 'reply-failed',
      correlationId: request.message.properties.correlationId,
      error: text,
    });
    request.span.end(text);
    // Not acked: the broker redelivers once this channel closes; nack now if it is still open.
    if (this.channel === channel) {
      try {
        channel.nack(request.message, false, true);
      } catch {
        // channel already closing
      }
    }
  }

  /** What a fault hook is told; built only when there is a hook to tell. */
  private faultContext(request: Request): FaultPointContext {
    request.context ??= {
      correlationId: request.message.properties.correlationId,
      n: request.decoded.ok ? request.decoded.n : undefined,
      redelivered: request.redelivered,
      failSpan: (reason) => request.span.end(reason),
    };
    return request.context;
  }

  /** Publishes the reply; on a confirm channel, returns the promise of the broker's confirm. */
  private publishReply(
    channel: ReplyChannel,
    replyTo: string,
    body: Buffer,
    correlationId: string | undefined,
    headers: Record<string, unknown> | undefined,
  ): Promise<void> | undefined {
    // Only the tutorial's properties, plus headers when there is something to say.
    const publishOptions = { correlationId, headers };
    if (!this.options.confirmReplies) {
      channel.sendToQueue(replyTo, body, publishOptions);
      return undefined;
    }
    return new Promise((resolve, reject) => {
      (channel as ConfirmChannel).sendToQueue(replyTo, body, publishOptions, (error: unknown) => {
        if (error) reject(new Error(`broker did not confirm the reply: ${String(error)}`));
        else resolve();
      });
    });
  }

  /** Stops consuming, lets requests in progress finish (bounded), and closes the connection. */
  async stop(drainTimeoutMs = 5_000): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    const drained = Promise.allSettled([...this.inFlight]);
    await Promise.race([drained, new Promise((resolve) => setTimeout(resolve, drainTimeoutMs).unref())]);
    try {
      await this.connection?.close();
    } catch {
      // Already closed by the broker or a fault.
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }
}

/** AMQP 0-9-1 reply code 541 INTERNAL_ERROR. */
const INTERNAL_ERROR = 541;
const QUORUM_DECLARE_ATTEMPTS = 5;
const QUORUM_DECLARE_RETRY_MS = 1_000;
/** Consuming again after a cancel: 20 tries 250 ms apart, 5 s in all. */
const CONSUME_AGAIN_ATTEMPTS = 20;
const CONSUME_AGAIN_RETRY_MS = 250;

function nowUs(): number {
  return Math.round((performance.timeOrigin + performance.now()) * 1000);
}

/** The request queue's declare arguments: a quorum queue is always durable and says its type. */
export function requestQueueOptions(options: { durableQueue?: boolean; queueType?: 'classic' | 'quorum' }): {
  durable: boolean;
  arguments?: Record<string, string>;
} {
  if (options.queueType === 'quorum') return { durable: true, arguments: { 'x-queue-type': 'quorum' } };
  return { durable: options.durableQueue ?? false };
}
