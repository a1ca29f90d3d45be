import type { Channel, ChannelModel, ConfirmChannel } from 'amqplib';

/**
 * Two shortcuts through amqplib's internals on the RPC hot path (checked with amqplib
 * 2.3.1; the test beside this file fails loudly if they move). Each one is checked when
 * it is installed and falls back to the public API when the internals are not there, so
 * a newer amqplib costs speed, never correctness.
 *
 * 1. Coalesced socket writes. amqplib queues every frame in a per-channel buffer and a
 *    muxer writes them to the socket once per event-loop turn, one `socket.write` (one
 *    syscall on a TCP_NODELAY socket) per frame. Corking the socket around that one pass
 *    sends everything the turn produced (the replies and acks of every delivery that
 *    arrived in one read, or the requests of every caller a batch of replies woke up) in
 *    one `writev`. Nothing waits for it: the frames leave in the same turn as before.
 *
 * 2. Requests without amqplib's prototype-chained headers. `sendToQueue` hands the encoder
 *    `Object.create(options.headers)`, and a `for...in` over a prototype chain takes V8's
 *    slow path: about 5 µs per publish for one header, more than the rest of the publish.
 *    `publishRequest` builds the same fields and properties (byte-identical frames) with
 *    the headers as an own-property object.
 */

interface MuxInternals {
  _readIncoming(): void;
  [COALESCED]?: true;
}

interface ConnectionInternals {
  readonly stream?: { cork?: () => void; uncork?: () => void };
  readonly muxer?: Partial<MuxInternals>;
}

const COALESCED = Symbol('rpc-chaos.coalescedWrites');

/** Corks the connection's socket around each muxer pass; false when amqplib's internals are not as expected. */
export function coalesceSocketWrites(model: ChannelModel): boolean {
  const internals = model.connection as unknown as ConnectionInternals;
  const stream = internals.stream;
  const muxer = internals.muxer;
  if (!stream || typeof stream.cork !== 'function' || typeof stream.uncork !== 'function') return false;
  if (!muxer || typeof muxer._readIncoming !== 'function') return false;
  if (muxer[COALESCED]) return true;
  const readIncoming = muxer._readIncoming;
  const cork = stream.cork.bind(stream);
  const uncork = stream.uncork.bind(stream);
  muxer._readIncoming = function coalescedReadIncoming(this: MuxInternals) {
    cork();
    try {
      readIncoming.call(this);
    } finally {
      uncork();
    }
  };
  muxer[COALESCED] = true;
  return true;
}

export interface RequestProperties {
  readonly correlationId: string;
  readonly replyTo: string;
  readonly headers: Record<string, unknown> | undefined;
  readonly mandatory: boolean;
  /** Per-message TTL in ms, as amqplib's `expiration` option (a decimal string on the wire). */
  readonly expiration: string | undefined;
}

interface ChannelInternals {
  sendMessage?: (fields: PublishFields, properties: PublishFields, content: Buffer) => boolean;
  /** What ConfirmChannel.publish does after sending: queue the callback for the message's confirm. */
  pushConfirmCallback?: (callback: ConfirmCallback) => void;
}

/**
 * amqplib's confirm callback: null once the broker acks the message, an Error on a nack or when the
 * channel closes first.
 */
export type ConfirmCallback = (error: Error | null) => void;

/** What amqplib's Args.publish returns for these options, field for field, in its order. */
interface PublishFields {
  exchange: string;
  routingKey: string;
  mandatory: boolean;
  immediate: false;
  ticket: undefined;
  contentType: undefined;
  contentEncoding: undefined;
  headers: Record<string, unknown>;
  deliveryMode: undefined;
  priority: undefined;
  correlationId: string;
  replyTo: string;
  expiration: string | undefined;
  messageId: undefined;
  timestamp: undefined;
  type: undefined;
  userId: undefined;
  appId: undefined;
  clusterId: undefined;
}

/** What sendToQueue encodes when there are no headers: an empty table. */
const NO_HEADERS: Record<string, unknown> = Object.freeze(Object.create(null) as Record<string, unknown>);

/** The fields and properties amqplib's `sendToQueue(queue, content, properties)` would publish. */
export function requestPublishFields(queue: string, properties: RequestProperties): PublishFields {
  return {
    exchange: '',
    routingKey: queue,
    mandatory: properties.mandatory,
    immediate: false,
    ticket: undefined,
    contentType: undefined,
    contentEncoding: undefined,
    headers: properties.headers ?? NO_HEADERS,
    deliveryMode: undefined,
    priority: undefined,
    correlationId: properties.correlationId,
    replyTo: properties.replyTo,
    expiration: properties.expiration,
    messageId: undefined,
    timestamp: undefined,
    type: undefined,
    userId: undefined,
    appId: undefined,
    clusterId: undefined,
  };
}

/**
 * `channel.sendToQueue(queue, content, properties)` for a plain (non-confirm) channel, the
 * same frames without the slow header path. Returns false when the channel's buffer is
 * full, as sendToQueue does.
 */
export function publishRequest(
  channel: Channel,
  queue: string,
  content: Buffer,
  properties: RequestProperties,
): boolean {
  const sendMessage = (channel as unknown as ChannelInternals).sendMessage;
  if (typeof sendMessage !== 'function') {
    return channel.sendToQueue(queue, content, {
      correlationId: properties.correlationId,
      replyTo: properties.replyTo,
      headers: properties.headers,
      mandatory: properties.mandatory,
      expiration: properties.expiration,
    });
  }
  const fields = requestPublishFields(queue, properties);
  return sendMessage.call(channel, fields, fields, content);
}

/**
 * `channel.sendToQueue(queue, content, properties, onConfirm)` for a confirm channel: the
 * same frames as publishRequest, then the callback queued for the message's confirm exactly
 * as ConfirmChannel.publish queues it.
 */
export function publishConfirmedRequest(
  channel: ConfirmChannel,
  queue: string,
  content: Buffer,
  properties: RequestProperties,
  onConfirm: ConfirmCallback,
): boolean {
  const internals = channel as unknown as ChannelInternals;
  const { sendMessage, pushConfirmCallback } = internals;
  if (typeof sendMessage !== 'function' || typeof pushConfirmCallback !== 'function') {
    return channel.sendToQueue(
      queue,
      content,
      {
        correlationId: properties.correlationId,
        replyTo: properties.replyTo,
        headers: properties.headers,
        mandatory: properties.mandatory,
        expiration: properties.expiration,
      },
      (error: unknown) => onConfirm(error ? (error instanceof Error ? error : new Error(String(error))) : null),
    );
  }
  const fields = requestPublishFields(queue, properties);
  const sent = sendMessage.call(channel, fields, fields, content);
  pushConfirmCallback.call(channel, onConfirm);
  return sent;
}
