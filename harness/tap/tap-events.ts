/**
 * What the frame tap reports. "Client" is the implementation behind the tap (a server or a
 * client process, both AMQP clients); "broker" is the other end. Times are epoch ms.
 */

/** A content-bearing method together with its content header and body. */
export interface TapMessage {
  /** Tap-local connection number, from 1. */
  readonly connection: number;
  readonly channel: number;
  readonly correlationId: string | undefined;
  readonly replyTo: string | undefined;
  readonly headers: Readonly<Record<string, unknown>> | undefined;
  readonly bodySize: number;
  /** The body when it is at most `maxBodyBytes` (else undefined; `bodySize` is still exact). */
  readonly body: Buffer | undefined;
  readonly atMs: number;
}

/** `basic.deliver` from the broker to the implementation, whole (method, header, body). */
export interface TapDelivery extends TapMessage {
  readonly consumerTag: string;
  readonly deliveryTag: number;
  readonly redelivered: boolean;
  readonly exchange: string;
  readonly routingKey: string;
}

/** `basic.publish` from the implementation, whole. */
export interface TapPublish extends TapMessage {
  readonly exchange: string;
  readonly routingKey: string;
}

/** `basic.ack` from the implementation: it settles `deliveries` of the deliveries the tap tracked. */
export interface TapAck {
  readonly connection: number;
  readonly channel: number;
  readonly deliveryTag: number;
  readonly multiple: boolean;
  /** Correlation ids of the tracked deliveries this ack settles, in delivery order. */
  readonly correlationIds: readonly (string | undefined)[];
  readonly atMs: number;
}

/** `basic.nack` or `basic.reject` from the implementation. */
export interface TapNack extends TapAck {
  readonly method: 'nack' | 'reject';
  readonly requeue: boolean;
}

/** `basic.ack` / `basic.nack` from the broker on a confirm channel (publisher confirms). */
export interface TapConfirm {
  readonly connection: number;
  readonly channel: number;
  readonly deliveryTag: number;
  readonly multiple: boolean;
  readonly ack: boolean;
  readonly atMs: number;
}

/** `basic.consume` from the implementation. */
export interface TapConsume {
  readonly connection: number;
  readonly channel: number;
  readonly queue: string;
  readonly consumerTag: string;
  readonly noAck: boolean;
  readonly atMs: number;
}

/** `basic.consume-ok` from the broker: the implementation now consumes `queue`. */
export interface TapConsumeOk {
  readonly connection: number;
  readonly channel: number;
  readonly queue: string;
  readonly consumerTag: string;
  readonly atMs: number;
}

/**
 * What the broker told the implementation on its own initiative: `connection.blocked` (with the
 * broker's reason, e.g. "low on memory"), `connection.unblocked`, or `basic.cancel` of one of
 * its consumers (with the queue that consumer consumed, when the tap saw its consume).
 */
export interface TapBrokerNotice {
  readonly kind: 'connection-blocked' | 'connection-unblocked' | 'consumer-cancelled';
  readonly connection: number;
  readonly channel: number;
  readonly reason?: string;
  readonly consumerTag?: string;
  readonly queue?: string;
  readonly atMs: number;
}

export type FaultPointName = 'beforeReply' | 'afterReplyBeforeAck';

/** The tap holds a connection at a fault point; handed to `onHeld` and emitted as 'held'. */
export interface TapHold {
  readonly point: FaultPointName;
  /** k: the request the fault point was armed for. */
  readonly request: number;
  readonly connection: number;
  readonly channel: number;
  /** Correlation id of the k-th request (beforeReply) or of the k-th reply (afterReplyBeforeAck). */
  readonly correlationId: string | undefined;
  readonly atMs: number;
}

/**
 * Who ended a connection, as the tap saw it first: the implementation (its connection.close,
 * or its socket ending, e.g. the process died), the broker side (the broker's connection.close,
 * or the proxy's or broker's socket ending or resetting), the tap at a fault point, or the tap
 * stopping.
 */
export type TapClosedBy = 'client' | 'broker' | 'fault-point' | 'tap';

export interface TapConnectionEvent {
  readonly connection: number;
  readonly atMs: number;
  /** Set when the tap stopped decoding this connection (it still forwards it). */
  readonly decodeError?: string;
  /** On 'connection-close': whether the connection had been established (connection.open-ok passed). */
  readonly established?: boolean;
  /** On 'connection-close': who ended it. */
  readonly closedBy?: TapClosedBy;
  /** On 'connection-close': the side that ended it sent connection.close first (not a dropped socket). */
  readonly graceful?: boolean;
}

export interface TapEvents {
  deliver: [TapDelivery];
  publish: [TapPublish];
  ack: [TapAck];
  nack: [TapNack];
  confirm: [TapConfirm];
  consume: [TapConsume];
  'consume-ok': [TapConsumeOk];
  'broker-notice': [TapBrokerNotice];
  held: [TapHold];
  /** A TCP connection accepted from the implementation (it may never reach the broker). */
  'connection-open': [TapConnectionEvent];
  /** The broker's connection.open-ok passed: the AMQP connection is established. */
  'connection-established': [TapConnectionEvent];
  /**
   * An established connection ended by the broker side (the broker's connection.close, or the
   * proxy's or broker's socket ending): emitted at once, before the implementation sees it.
   */
  'connection-lost': [TapConnectionEvent];
  'connection-close': [TapConnectionEvent];
  'decode-error': [TapConnectionEvent];
  /** onHeld failed or an upstream connection could not be opened. */
  error: [Error];
}

/** Counts over every connection of one tap since it started. */
export interface TapCounters {
  /** TCP connections accepted, failed attempts (the broker down) included. */
  connections: number;
  openConnections: number;
  /** Connections that reached connection.open-ok. */
  established: number;
  /** Established connections ended by the broker side (broker, proxy), not by the implementation or the tap. */
  lost: number;
  /** `basic.deliver` to the implementation. */
  deliveries: number;
  /** Of those, with the redelivered flag. */
  redeliveries: number;
  /** `basic.publish` from the implementation, forwarded whole (for a server: its replies). */
  publishes: number;
  /** `basic.ack` frames from the implementation. */
  acks: number;
  /** Tracked deliveries those acks settled (a `multiple` ack settles several). */
  ackedDeliveries: number;
  nacks: number;
  rejects: number;
  /** Publisher confirms from the broker. */
  confirms: number;
  consumes: number;
  /** `connection.blocked` and `basic.cancel` from the broker. */
  blocks?: number;
  consumerCancels?: number;
  heartbeats: number;
  /** Connections the tap forwards without decoding (not AMQP 0-9-1, or out of step). */
  undecodedConnections: number;
  faultPointsHeld: number;
  bytesFromClient: number;
  bytesFromBroker: number;
}

export function emptyCounters(): TapCounters {
  return {
    connections: 0,
    openConnections: 0,
    established: 0,
    lost: 0,
    deliveries: 0,
    redeliveries: 0,
    publishes: 0,
    acks: 0,
    ackedDeliveries: 0,
    nacks: 0,
    rejects: 0,
    confirms: 0,
    consumes: 0,
    heartbeats: 0,
    undecodedConnections: 0,
    faultPointsHeld: 0,
    bytesFromClient: 0,
    bytesFromBroker: 0,
  };
}
