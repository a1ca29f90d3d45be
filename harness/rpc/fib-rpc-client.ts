import { randomUUID } from 'node:crypto';
import type { Channel, ChannelModel, ConfirmChannel, ConsumeMessage } from 'amqplib';
import { redactMessage } from '../env/redact.ts';
import { coalesceSocketWrites, publishConfirmedRequest, publishRequest } from './amqp-fast-path.ts';
import { connectWithRecovery, type RecoveringConnection } from './recovering-connection.ts';
import { decodeReply, encodeRequest } from './codec.ts';
import { RpcCallError } from './errors.ts';
import { PUBLISHED_AT_HEADER, REDELIVERED_HEADER } from './fib-rpc-server.ts';
import { PendingCallTable, type DiscardKind, type PendingCall } from './pending-calls.ts';
import { rpcTracing, type ClientSpan } from './rpc-tracing.ts';

export type ReplyMode = 'callback-queue' | 'direct-reply-to';
export const REPLY_MODES: readonly ReplyMode[] = ['callback-queue', 'direct-reply-to'];
export const DIRECT_REPLY_TO = 'amq.rabbitmq.reply-to';

/** A reply that resolved no call: reported, counted, never thrown. */
export interface DiscardedReply {
  readonly kind: DiscardKind;
  readonly correlationId: string | undefined;
  /** Trace the reply carries: for a duplicate, the original call's trace. */
  readonly traceId: string | undefined;
  readonly redelivered: boolean;
  readonly atMs: number;
}

/** A successful call, with what a checker needs to prove the reply was the right one. */
export interface RpcReply {
  readonly value: bigint;
  readonly correlationId: string;
  /** Correlation id the resolving reply carried; equal to correlationId unless the client is broken. */
  readonly replyCorrelationId: string | undefined;
  /** The server answered a redelivered request (the reply may have a duplicate somewhere). */
  readonly redelivered: boolean;
  readonly traceId: string | undefined;
}

export interface ClientCounters {
  sent: number;
  replied: number;
  timedOut: number;
  remoteErrors: number;
  /** Replies whose body was neither a decimal integer nor an error reply (`x-error`). */
  badReplies: number;
  failed: number;
  rejectedInFlightLimit: number;
  discardedDuplicate: number;
  discardedLate: number;
  discardedUnknown: number;
  reconnects: number;
}

export interface FibRpcClientOptions {
  /** The placed node's URL: connected to first. */
  readonly amqpUrl: string;
  /** Every node's URL, in node order: reconnects go round them from amqpUrl. Absent: amqpUrl alone. */
  readonly amqpUrls?: readonly string[];
  readonly queue?: string;
  readonly replyMode?: ReplyMode;
  /**
   * Per-call timeout; a reply arriving later is discarded as late. One sweep timer serves
   * all calls: a call times out 1-12 ms after this, never before (see pending-calls.ts).
   */
  readonly timeoutMs?: number;
  /** Calls waiting for replies at once; more are rejected at once (counted), never queued unboundedly. */
  readonly maxInFlight?: number;
  readonly onDiscard?: (reply: DiscardedReply) => void;
  /** Connection changes, and the broker blocking and unblocking its publishes (`connection.blocked`). */
  readonly onConnectionEvent?: (event: {
    kind: 'connected' | 'disconnected' | 'blocked' | 'unblocked';
    error?: string;
    /** Connected: which node (`node-k (host:port)`) or broker (host:port). */
    address?: string;
  }) => void;
  /** Called for each reply the client accepts for a call (to resolve or reject it), with the call's id. */
  readonly onReplyAccepted?: (correlationId: string) => void;
  /** Called when the broker returns a request as unroutable (no queue of that name at that moment). */
  readonly onRequestReturned?: (correlationId: string) => void;
  /**
   * Publish requests on a confirm channel (publisher confirms): the broker acks a request once
   * it has taken responsibility for it (for a quorum queue: a majority of its replicas holds
   * it). A call still waits for its reply, never for its confirm; the confirm only tells the
   * caller which requests the broker must not lose (onRequestConfirm).
   */
  readonly confirmRequests?: boolean;
  /** With confirmRequests: how the broker answered the request of this call. */
  readonly onRequestConfirm?: (correlationId: string, outcome: RequestConfirm) => void;
}

/** 'confirmed': basic.ack; 'nacked': basic.nack; 'channel-closed': the channel closed before either came. */
export type RequestConfirm = 'confirmed' | 'nacked' | 'channel-closed';

/**
 * The tutorial's RPC client: one exclusive, server-named callback queue per client (or
 * RabbitMQ's direct reply-to), a unique correlation id per call, and a table of pending
 * calls. A reply whose correlation id matches no pending call is discarded and counted
 * (duplicate, late or unknown): it can never resolve another call.
 *
 * On connection loss the pending calls fail at once with `connection-lost`: their replies
 * were addressed to a callback queue that died with the connection, so waiting would only
 * turn into timeouts. The connection itself recovers (amqplib recovery) with a new callback
 * queue, and later calls go through.
 */
export class FibRpcClient {
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
  /** Hands out the correlation ids (`<client uuid>.<sequence>`), times calls out, and remembers how each call ended. */
  private readonly pendingCalls: PendingCallTable<RpcReply>;
  private readonly queue: string;
  private readonly replyMode: ReplyMode;
  private readonly timeoutMs: number;
  /** The request's per-message TTL, as the wire carries it. */
  private readonly expiration: string;
  private readonly maxInFlight: number;
  private connection: RecoveringConnection | undefined;
  private channel: Channel | ConfirmChannel | undefined;
  private replyTo: string | undefined;
  private closed = false;
  private connectedOnce = false;

  constructor(private readonly options: FibRpcClientOptions) {
    this.queue = options.queue ?? 'rpc_queue';
    this.replyMode = options.replyMode ?? 'callback-queue';
    this.timeoutMs = options.timeoutMs ?? 5_000;
    this.maxInFlight = options.maxInFlight ?? 1_000;
    if (!REPLY_MODES.includes(this.replyMode)) {
      throw new RangeError(`replyMode must be one of ${REPLY_MODES.join(', ')}, got "${String(this.replyMode)}"`);
    }
    if (!(this.timeoutMs > 0)) throw new RangeError(`timeoutMs must be > 0, got ${this.timeoutMs}`);
    if (!Number.isInteger(this.maxInFlight) || this.maxInFlight < 1) {
      throw new RangeError(`maxInFlight must be a positive integer, got ${this.maxInFlight}`);
    }
    this.expiration = String(Math.ceil(this.timeoutMs));
    this.pendingCalls = new PendingCallTable<RpcReply>({
      idPrefix: randomUUID(),
      timeoutMs: this.timeoutMs,
      onTimeout: (call) => this.onTimeout(call as ClientCall),
    });
  }

  get inFlight(): number {
    return this.pendingCalls.size;
  }

  /** Whether requests go out on a confirm channel and their confirms are reported. */
  get confirmsRequests(): boolean {
    return this.options.confirmRequests === true;
  }

  /** The callback queue name (server-named), or amq.rabbitmq.reply-to. */
  getReplyTo(): string | undefined {
    return this.replyTo;
  }

  async start(): Promise<this> {
    const { amqpUrl, amqpUrls } = this.options;
    this.connection = await connectWithRecovery(
      { amqpUrl, amqpUrls },
      'FibRpcClient',
      (model, address) => this.setupReplyConsumer(model, address),
      (error) => this.onDisconnect(error),
    );
    return this;
  }

  private async setupReplyConsumer(model: ChannelModel, address: string): Promise<void> {
    coalesceSocketWrites(model);
    // While blocked, publishes wait in the socket; calls still time out on their own timer. Each
    // connection (a failover opens a new one) reports it.
    model.on('blocked', (reason: unknown) =>
      this.options.onConnectionEvent?.({ kind: 'blocked', error: String(reason) }),
    );
    model.on('unblocked', () => this.options.onConnectionEvent?.({ kind: 'unblocked' }));
    const channel = this.options.confirmRequests ? await model.createConfirmChannel() : await model.createChannel();
    channel.on('error', () => {
      // A channel error closes it; the connection recovery starts over.
    });
    // Requests go out `mandatory`: one published while the request queue does not exist (a
    // restarted broker before a server declared it again) comes back here instead of vanishing.
    channel.on('return', (message: ConsumeMessage) => {
      const { correlationId } = message.properties;
      if (typeof correlationId === 'string') this.options.onRequestReturned?.(correlationId);
    });
    if (this.replyMode === 'direct-reply-to') {
      // Direct reply-to needs the consumer on the publishing channel, with noAck.
      await channel.consume(DIRECT_REPLY_TO, (message) => this.onReply(message), { noAck: true });
      this.replyTo = DIRECT_REPLY_TO;
    } else {
      const { queue } = await channel.assertQueue('', { exclusive: true });
      await channel.consume(queue, (message) => this.onReply(message), { noAck: true });
      this.replyTo = queue;
    }
    this.channel = channel;
    if (this.connectedOnce) this.counters.reconnects++;
    this.connectedOnce = true;
    this.options.onConnectionEvent?.({ kind: 'connected', address });
  }

  private onDisconnect(error: Error): void {
    this.channel = undefined;
    const reason = redactMessage(error.message);
    this.options.onConnectionEvent?.({ kind: 'disconnected', error: reason });
    for (const call of this.pendingCalls.drain('failed') as ClientCall[]) {
      this.counters.failed++;
      call.span.end('connection lost');
      call.reject(
        new RpcCallError(
          `connection to the broker was lost before call ${call.correlationId} (n=${call.n}) was answered: ${reason}`,
          call.correlationId,
          'connection-lost',
        ),
      );
    }
  }

  /** fib(n) over RPC, as in the tutorial. */
  async call(n: number): Promise<bigint> {
    return (await this.request(n)).value;
  }

  /** One call with its correlation details; rejects with RpcCallError saying why. */
  request(n: number): Promise<RpcReply> {
    return this.send(n, encodeRequest(n));
  }

  /**
   * Sends an arbitrary request body (malformed-input scenarios and tests); the server's
   * error reply rejects the call with reason 'remote-error'.
   */
  requestRaw(body: Buffer): Promise<RpcReply> {
    return this.send(Number.NaN, body);
  }

  private send(n: number, body: Buffer): Promise<RpcReply> {
    const correlationId = this.pendingCalls.newCorrelationId();
    if (this.closed) return Promise.reject(new RpcCallError('client is closed', correlationId, 'closed'));
    const channel = this.channel;
    if (!channel || !this.replyTo) {
      this.counters.failed++;
      return Promise.reject(
        new RpcCallError(
          `not connected to the broker (reconnecting); call ${correlationId} not sent`,
          correlationId,
          'not-connected',
        ),
      );
    }
    if (this.pendingCalls.size >= this.maxInFlight) {
      this.counters.rejectedInFlightLimit++;
      return Promise.reject(
        new RpcCallError(
          `${this.maxInFlight} calls already in flight; call ${correlationId} not sent`,
          correlationId,
          'in-flight-limit',
        ),
      );
    }
    const replyTo = this.replyTo;
    return new Promise<RpcReply>((resolve, reject) => {
      const nowMs = performance.now();
      const headers: Record<string, unknown> = {
        [PUBLISHED_AT_HEADER]: Math.round((performance.timeOrigin + nowMs) * 1000),
      };
      const span = rpcTracing.startPublishSpan(this.queue, correlationId, n, headers);
      const call: ClientCall = { correlationId, n, resolve, reject, span };
      this.pendingCalls.add(call, nowMs);
      this.counters.sent++;
      const properties = {
        correlationId,
        replyTo,
        headers,
        mandatory: true,
        // Nobody waits for the reply after the timeout: the broker drops the request then,
        // so requests to a queue without servers do not pile up for a later consumer.
        expiration: this.expiration,
      };
      if (this.options.confirmRequests)
        publishConfirmedRequest(channel as ConfirmChannel, this.queue, body, properties, (error) =>
          this.onConfirm(correlationId, error),
        );
      else publishRequest(channel, this.queue, body, properties);
    });
  }

  private onConfirm(correlationId: string, error: Error | null): void {
    // amqplib fails a confirm with one of two errors: 'message nacked' or 'channel closed'.
    const outcome: RequestConfirm =
      error === null ? 'confirmed' : error.message.includes('nacked') ? 'nacked' : 'channel-closed';
    this.options.onRequestConfirm?.(correlationId, outcome);
  }

  private onTimeout(call: ClientCall): void {
    this.counters.timedOut++;
    call.span.end('timed out');
    call.reject(
      new RpcCallError(
        `call ${call.correlationId} (n=${call.n}) got no reply within ${this.timeoutMs} ms`,
        call.correlationId,
        'timeout',
      ),
    );
  }

  private onReply(message: ConsumeMessage | null): void {
    if (message === null) return;
    const { correlationId, headers } = message.properties;
    const replyCorrelationId = typeof correlationId === 'string' ? correlationId : undefined;
    const redelivered = headers?.[REDELIVERED_HEADER] === true;
    const call =
      replyCorrelationId !== undefined
        ? (this.pendingCalls.take(replyCorrelationId, 'answered') as ClientCall | undefined)
        : undefined;

    if (!call) {
      const kind = this.pendingCalls.classifyDiscard(replyCorrelationId);
      if (kind === 'duplicate') this.counters.discardedDuplicate++;
      else if (kind === 'late') this.counters.discardedLate++;
      else this.counters.discardedUnknown++;
      const traceId = rpcTracing.recordDiscard(kind, replyCorrelationId, headers);
      this.options.onDiscard?.({ kind, correlationId: replyCorrelationId, traceId, redelivered, atMs: Date.now() });
      return;
    }

    this.options.onReplyAccepted?.(call.correlationId);
    const decoded = decodeReply(message.content, headers);
    if (!decoded.ok) {
      if (decoded.kind === 'bad-reply') this.counters.badReplies++;
      else this.counters.remoteErrors++;
      call.span.end(decoded.error);
      call.reject(
        new RpcCallError(
          `call ${call.correlationId} (n=${call.n}): ${decoded.error}`,
          call.correlationId,
          decoded.kind,
        ),
      );
      return;
    }
    this.counters.replied++;
    const span = call.span.span;
    const traceId = span.isRecording() ? span.spanContext().traceId : undefined;
    call.span.end();
    call.resolve({ value: decoded.value, correlationId: call.correlationId, replyCorrelationId, redelivered, traceId });
  }

  /** Rejects pending calls with a clear error and closes the connection. Safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const call of this.pendingCalls.drain('failed') as ClientCall[]) {
      this.counters.failed++;
      call.span.end('client closed');
      call.reject(
        new RpcCallError(
          `client closed before call ${call.correlationId} (n=${call.n}) was answered`,
          call.correlationId,
          'closed',
        ),
      );
    }
    try {
      await this.connection?.close();
    } catch {
      // The broker may already have closed it.
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

/** A pending call with the span that ends with it. */
interface ClientCall extends PendingCall<RpcReply> {
  readonly span: ClientSpan;
}
