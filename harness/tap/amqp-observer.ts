import {
  loadAmqpCodec,
  type AmqpCodec,
  type BasicProperties,
  type MethodFields,
  type ParsedFrame,
} from './amqp-codec.ts';
import type {
  TapAck,
  TapBrokerNotice,
  TapConfirm,
  TapConsume,
  TapConsumeOk,
  TapDelivery,
  TapNack,
  TapPublish,
} from './tap-events.ts';

/** What the connection does with the stream after a frame from the implementation. */
export const Cut = {
  /** Forward and go on. */
  Continue: 0,
  /** Hold this frame and everything after it. */
  HoldBefore: 1,
  /** Forward up to the end of this frame, hold everything after it. */
  HoldAfter: 2,
} as const;
export type Cut = (typeof Cut)[keyof typeof Cut];

/**
 * Receives the protocol steps of one connection. Steps of the implementation that a fault
 * point may stop are asked for a `Cut` before (`settling`, `publishing`) or after (`published`)
 * they pass; the rest are reports.
 */
export interface ProtocolSteps {
  delivered(delivery: TapDelivery): void;
  /** A publish's content header is decoded; the broker has not yet got the whole message. */
  publishing(connection: number, channel: number, correlationId: string | undefined): Cut;
  published(publish: TapPublish): Cut;
  /** An ack, nack or reject from the implementation is about to pass. */
  settling(connection: number, channel: number, deliveryTag: number, multiple: boolean): Cut;
  acked(ack: TapAck): void;
  nacked(nack: TapNack): void;
  confirmed(confirm: TapConfirm): void;
  consumed(consume: TapConsume): void;
  consumeOk(consumeOk: TapConsumeOk): void;
  /** connection.blocked / unblocked, basic.cancel: the broker acting on its own. */
  brokerNotice(notice: TapBrokerNotice): void;
  heartbeat(): void;
  /** connection.open-ok from the broker: the connection is established. */
  connectionOpened(connection: number): void;
  /** connection.close, from the implementation (`fromClient`) or the broker, whichever came first. */
  connectionClosing(connection: number, fromClient: boolean): void;
}

/** A content-bearing method whose header and body frames are still arriving. */
interface ContentInProgress {
  /** The method id, or 0 for content the tap skips (basic.return, basic.get-ok). */
  readonly method: number;
  readonly fields: MethodFields | undefined;
  properties: BasicProperties;
  bodySize: number;
  received: number;
  /** Body pieces kept while the body fits `maxBodyBytes`. */
  pieces: Buffer[] | undefined;
}

interface ChannelState {
  fromClient: ContentInProgress | undefined;
  fromBroker: ContentInProgress | undefined;
  /** basic.consume frames waiting for their consume-ok, in order. */
  readonly pendingConsumes: { queue: string; noAck: boolean }[];
  readonly consumers: Map<string, { queue: string; noAck: boolean }>;
  /** Delivery tag -> correlation id, for deliveries to manual-ack consumers not yet settled. */
  readonly unacked: Map<number, string | undefined>;
}

/** Beyond this many unsettled deliveries on one channel the tap stops tracking more (bounded memory). */
const MAX_TRACKED_UNACKED = 100_000;
const SKIPPED: ContentInProgress = {
  method: 0,
  fields: undefined,
  properties: {},
  bodySize: 0,
  received: 0,
  pieces: undefined,
};

/**
 * Follows one AMQP connection frame by frame, in both directions, with per-channel state:
 * reassembles publish and deliver (method + content header + body frames), pairs consume
 * with consume-ok, and tracks unsettled deliveries so acks can be matched to requests.
 * Only the methods it reports are decoded; every other method is passed after reading its id.
 */
export class AmqpObserver {
  private readonly codec: AmqpCodec = loadAmqpCodec();
  private readonly channels = new Map<number, ChannelState>();

  constructor(
    private readonly connection: number,
    private readonly steps: ProtocolSteps,
    private readonly maxBodyBytes: number,
  ) {}

  fromClient(frame: ParsedFrame): Cut {
    const { frame: type, method: m } = this.codec;
    if (frame.type === type.method) {
      const id = frame.payload.readUInt32BE(0);
      switch (id) {
        case m.BasicPublish:
          this.channel(frame.channel).fromClient = this.startContent(id, frame);
          return Cut.Continue;
        case m.BasicAck:
        case m.BasicNack:
        case m.BasicReject:
          return this.settle(id, frame);
        case m.BasicConsume: {
          const fields = this.fields(frame);
          const consume = { queue: String(fields.queue), noAck: Boolean(fields.noAck) };
          this.channel(frame.channel).pendingConsumes.push(consume);
          this.steps.consumed({
            connection: this.connection,
            channel: frame.channel,
            consumerTag: String(fields.consumerTag),
            ...consume,
            atMs: Date.now(),
          });
          return Cut.Continue;
        }
        case m.ChannelOpen:
        case m.ChannelClose:
        case m.ChannelCloseOk:
          // A closed channel's unsettled deliveries go back to the queue; a new one starts afresh.
          this.channels.delete(frame.channel);
          return Cut.Continue;
        case m.ConnectionClose:
          this.steps.connectionClosing(this.connection, true);
          return Cut.Continue;
        default:
          return Cut.Continue;
      }
    }
    if (frame.type === type.header || frame.type === type.body) {
      const state = this.channels.get(frame.channel);
      const content = state?.fromClient;
      if (!state || !content || content.method === 0) return Cut.Continue;
      if (frame.type === type.header) {
        this.readHeader(content, frame);
        if (this.steps.publishing(this.connection, frame.channel, content.properties.correlationId) !== Cut.Continue)
          return Cut.HoldBefore;
      } else {
        this.readBody(content, frame);
      }
      if (content.received < content.bodySize) return Cut.Continue;
      state.fromClient = undefined;
      const fields = content.fields!;
      const { properties } = content;
      // Built as one literal (no spread): this runs once per message on the hot path.
      return this.steps.published({
        connection: this.connection,
        channel: frame.channel,
        correlationId: properties.correlationId,
        replyTo: properties.replyTo,
        headers: properties.headers,
        bodySize: content.bodySize,
        body: bodyOf(content),
        atMs: Date.now(),
        exchange: String(fields.exchange),
        routingKey: String(fields.routingKey),
      });
    }
    if (frame.type === type.heartbeat) this.steps.heartbeat();
    return Cut.Continue;
  }

  fromBroker(frame: ParsedFrame): void {
    const { frame: type, method: m } = this.codec;
    if (frame.type === type.method) {
      const id = frame.payload.readUInt32BE(0);
      switch (id) {
        case m.BasicDeliver:
          this.channel(frame.channel).fromBroker = this.startContent(id, frame);
          return;
        case m.BasicReturn:
        case m.BasicGetOk:
          this.channel(frame.channel).fromBroker = SKIPPED;
          return;
        case m.BasicAck:
        case m.BasicNack: {
          const fields = this.fields(frame);
          this.steps.confirmed({
            connection: this.connection,
            channel: frame.channel,
            deliveryTag: Number(fields.deliveryTag),
            multiple: Boolean(fields.multiple),
            ack: id === m.BasicAck,
            atMs: Date.now(),
          });
          return;
        }
        case m.BasicConsumeOk: {
          const state = this.channel(frame.channel);
          const consumerTag = String(this.fields(frame).consumerTag);
          const consume = state.pendingConsumes.shift() ?? { queue: '', noAck: false };
          state.consumers.set(consumerTag, consume);
          this.steps.consumeOk({
            connection: this.connection,
            channel: frame.channel,
            queue: consume.queue,
            consumerTag,
            atMs: Date.now(),
          });
          return;
        }
        case m.ChannelClose:
        case m.ChannelCloseOk:
          this.channels.delete(frame.channel);
          return;
        case m.ConnectionOpenOk:
          this.steps.connectionOpened(this.connection);
          return;
        case m.ConnectionClose:
          this.steps.connectionClosing(this.connection, false);
          return;
        case m.ConnectionBlocked:
        case m.ConnectionUnblocked:
          this.steps.brokerNotice({
            kind: id === m.ConnectionBlocked ? 'connection-blocked' : 'connection-unblocked',
            connection: this.connection,
            channel: frame.channel,
            ...(id === m.ConnectionBlocked ? { reason: String(this.fields(frame).reason) } : {}),
            atMs: Date.now(),
          });
          return;
        case m.BasicCancel: {
          const consumerTag = String(this.fields(frame).consumerTag);
          const consumer = this.channels.get(frame.channel)?.consumers.get(consumerTag);
          this.channels.get(frame.channel)?.consumers.delete(consumerTag);
          this.steps.brokerNotice({
            kind: 'consumer-cancelled',
            connection: this.connection,
            channel: frame.channel,
            consumerTag,
            ...(consumer ? { queue: consumer.queue } : {}),
            atMs: Date.now(),
          });
          return;
        }
        default:
          return;
      }
    }
    if (frame.type === type.header || frame.type === type.body) {
      const state = this.channels.get(frame.channel);
      const content = state?.fromBroker;
      if (!state || !content || content.method === 0) return;
      if (frame.type === type.header) this.readHeader(content, frame);
      else this.readBody(content, frame);
      if (content.received < content.bodySize) return;
      state.fromBroker = undefined;
      this.finishDelivery(state, frame.channel, content);
      return;
    }
    if (frame.type === type.heartbeat) this.steps.heartbeat();
  }

  private finishDelivery(state: ChannelState, channel: number, content: ContentInProgress): void {
    const fields = content.fields!;
    const consumerTag = String(fields.consumerTag);
    const deliveryTag = Number(fields.deliveryTag);
    const consumer = state.consumers.get(consumerTag);
    if (consumer && !consumer.noAck && state.unacked.size < MAX_TRACKED_UNACKED) {
      state.unacked.set(deliveryTag, content.properties.correlationId);
    }
    const { properties } = content;
    this.steps.delivered({
      connection: this.connection,
      channel,
      correlationId: properties.correlationId,
      replyTo: properties.replyTo,
      headers: properties.headers,
      bodySize: content.bodySize,
      body: bodyOf(content),
      atMs: Date.now(),
      consumerTag,
      deliveryTag,
      redelivered: Boolean(fields.redelivered),
      exchange: String(fields.exchange),
      routingKey: String(fields.routingKey),
    });
  }

  private settle(id: number, frame: ParsedFrame): Cut {
    const m = this.codec.method;
    const fields = this.fields(frame);
    const deliveryTag = Number(fields.deliveryTag);
    // basic.reject has no `multiple`.
    const multiple = id !== m.BasicReject && Boolean(fields.multiple);
    if (this.steps.settling(this.connection, frame.channel, deliveryTag, multiple) !== Cut.Continue)
      return Cut.HoldBefore;
    const correlationIds = this.settleTracked(frame.channel, deliveryTag, multiple);
    const base = {
      connection: this.connection,
      channel: frame.channel,
      deliveryTag,
      multiple,
      correlationIds,
      atMs: Date.now(),
    };
    if (id === m.BasicAck) this.steps.acked(base);
    else
      this.steps.nacked({ ...base, method: id === m.BasicNack ? 'nack' : 'reject', requeue: Boolean(fields.requeue) });
    return Cut.Continue;
  }

  /** Removes the deliveries an ack/nack/reject settles; tag 0 with multiple settles all. */
  private settleTracked(channel: number, deliveryTag: number, multiple: boolean): (string | undefined)[] {
    const unacked = this.channels.get(channel)?.unacked;
    if (!unacked) return [];
    if (!multiple) {
      if (!unacked.has(deliveryTag)) return [];
      const correlationId = unacked.get(deliveryTag);
      unacked.delete(deliveryTag);
      return [correlationId];
    }
    const settled: (string | undefined)[] = [];
    for (const [tag, correlationId] of unacked) {
      if (deliveryTag !== 0 && tag > deliveryTag) continue;
      settled.push(correlationId);
      unacked.delete(tag);
    }
    return settled;
  }

  private startContent(method: number, frame: ParsedFrame): ContentInProgress {
    return { method, fields: this.fields(frame), properties: {}, bodySize: 0, received: 0, pieces: undefined };
  }

  private readHeader(content: ContentInProgress, frame: ParsedFrame): void {
    const header = this.codec.decodeFrame(frame);
    content.properties = (header.fields ?? {}) as BasicProperties;
    content.bodySize = header.size ?? 0;
    content.pieces = content.bodySize <= this.maxBodyBytes ? [] : undefined;
  }

  private readBody(content: ContentInProgress, frame: ParsedFrame): void {
    content.received += frame.size;
    content.pieces?.push(frame.payload);
  }

  private fields(frame: ParsedFrame): MethodFields {
    return this.codec.decodeFrame(frame).fields ?? {};
  }

  private channel(channel: number): ChannelState {
    let state = this.channels.get(channel);
    if (!state) {
      state = {
        fromClient: undefined,
        fromBroker: undefined,
        pendingConsumes: [],
        consumers: new Map(),
        unacked: new Map(),
      };
      this.channels.set(channel, state);
    }
    return state;
  }
}

function bodyOf(content: ContentInProgress): Buffer | undefined {
  const { pieces } = content;
  return pieces === undefined ? undefined : pieces.length === 1 ? pieces[0] : Buffer.concat(pieces);
}
