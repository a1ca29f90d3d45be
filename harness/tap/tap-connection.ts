import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { ParsedFrame } from './amqp-codec.ts';
import { AmqpObserver, Cut, type ProtocolSteps } from './amqp-observer.ts';
import { FrameReader } from './frame-reader.ts';
import type { TapClosedBy, TapHold } from './tap-events.ts';

/** A held connection whose upstream never finishes closing is destroyed after this long. */
const CLOSE_GRACE_MS = 2_000;
/** type + channel + size + frame-end. */
const FRAME_OVERHEAD = 8;

export interface TapConnectionOwner {
  readonly steps: ProtocolSteps;
  readonly maxBodyBytes: number;
  countBytes(fromClient: boolean, bytes: number): void;
  /** A fault point is armed: parse the implementation's bytes before forwarding them. */
  isGating(): boolean;
  /** The hold that the last `Cut` from `steps` stands for. */
  takeHold(): TapHold;
  /** Runs the caller's onHeld (it kills the process); never rejects. */
  runHold(hold: TapHold): Promise<void>;
  decodeFailed(connection: TapConnection, reason: string): void;
  /** The broker side (broker or proxy) ended the connection first. */
  brokerSideEnded(connection: TapConnection): void;
  closed(connection: TapConnection): void;
}

/**
 * One implementation connection and its upstream connection (to the L4 proxy). Bytes are
 * forwarded as they arrive and decoded behind the forwarding; while a fault point is armed the
 * implementation's bytes are decoded first, so the tap can forward exactly up to the fault
 * point and hold the rest.
 */
export class TapConnection {
  private readonly fromClient = new FrameReader(true);
  private readonly fromBroker = new FrameReader(false);
  private readonly observer: AmqpObserver;
  private decoding = true;
  private holding = false;
  private cutAt = -1;
  private closedSockets = 0;
  private graceTimer: NodeJS.Timeout | undefined;
  /** Settles when a hold has run its course (onHeld returned and the sockets are closing). */
  holdDone: Promise<void> | undefined;
  /**
   * The side that ended the connection: the first to send connection.close or to end, fail or
   * close its socket (or the tap, stopping); undefined while both are open.
   */
  private endedBy: 'client' | 'broker' | 'tap' | undefined;
  private endedWithCloseFrame = false;

  constructor(
    readonly id: number,
    private readonly client: Socket,
    /** A TCP socket to the proxy, or an in-process end of a built-in proxy in this process. */
    private readonly upstream: Duplex,
    private readonly owner: TapConnectionOwner,
  ) {
    this.observer = new AmqpObserver(id, owner.steps, owner.maxBodyBytes);
    client.on('data', (chunk: Buffer) => this.onClientData(chunk));
    upstream.on('data', (chunk: Buffer) => this.onBrokerData(chunk));
    client.on('end', () => {
      this.ended('client');
      if (!this.holding) upstream.end();
    });
    upstream.on('end', () => {
      this.ended('broker');
      if (!this.holding) client.end();
    });
    client.on('error', () => this.onSocketError(client));
    upstream.on('error', () => this.onSocketError(upstream));
    client.on('close', () => this.onSocketClosed(client));
    upstream.on('close', () => this.onSocketClosed(upstream));
  }

  /** The observer saw connection.close from one side. */
  closeFrameSeen(fromClient: boolean): void {
    if (this.endedBy === undefined) this.endedWithCloseFrame = true;
    this.ended(fromClient ? 'client' : 'broker');
  }

  /** The side that ended it said connection.close first, rather than just dropping its socket. */
  get closedGracefully(): boolean {
    return this.endedWithCloseFrame;
  }

  /** Who ended this connection. */
  closedBy(): TapClosedBy {
    if (this.holding) return 'fault-point';
    return this.endedBy ?? 'client';
  }

  /**
   * The first side to end decides; the broker side ending is reported at once, before the
   * implementation has seen the end forwarded (so a call it fails next is known as lost with it).
   */
  private ended(side: 'client' | 'broker' | 'tap'): void {
    if (this.endedBy !== undefined) return;
    this.endedBy = side;
    if (side === 'broker' && !this.holding) this.owner.brokerSideEnded(this);
  }

  /** Closes both sockets now (tap stopping, or one side failed). */
  destroy(): void {
    this.ended('tap');
    this.client.destroy();
    this.upstream.destroy();
  }

  private readonly visitClientFrame = (frame: ParsedFrame, end: number): boolean => {
    const cut = this.observer.fromClient(frame);
    if (cut === Cut.Continue) return true;
    this.cutAt = cut === Cut.HoldAfter ? end : Math.max(0, end - frame.size - FRAME_OVERHEAD);
    return false;
  };

  private readonly visitBrokerFrame = (frame: ParsedFrame): boolean => {
    this.observer.fromBroker(frame);
    return true;
  };

  private onClientData(chunk: Buffer): void {
    if (this.holding) return; // held bytes are dropped
    this.owner.countBytes(true, chunk.length);
    if (!this.decoding) {
      this.forward(this.upstream, chunk, this.client);
      return;
    }
    if (!this.owner.isGating()) {
      this.forward(this.upstream, chunk, this.client);
      if (!this.fromClient.push(chunk, this.visitClientFrame)) this.checkDecoding(this.fromClient);
      return;
    }
    this.cutAt = -1;
    const goOn = this.fromClient.push(chunk, this.visitClientFrame);
    if (this.cutAt < 0) {
      this.forward(this.upstream, chunk, this.client);
      if (!goOn) this.checkDecoding(this.fromClient);
      return;
    }
    this.hold(chunk.subarray(0, this.cutAt));
  }

  private onBrokerData(chunk: Buffer): void {
    if (this.holding) return;
    this.owner.countBytes(false, chunk.length);
    this.forward(this.client, chunk, this.upstream);
    if (this.decoding && !this.fromBroker.push(chunk, this.visitBrokerFrame)) this.checkDecoding(this.fromBroker);
  }

  private forward(to: Duplex, chunk: Buffer, from: Duplex): void {
    if (to.write(chunk)) return;
    from.pause();
    to.once('drain', () => {
      if (!this.holding) from.resume();
    });
  }

  private checkDecoding(reader: FrameReader): void {
    if (reader.error === undefined || !this.decoding) return;
    this.decoding = false;
    this.owner.decodeFailed(this, reader.error);
  }

  /**
   * Writes what precedes the fault point, waits until it is handed to the kernel, lets the
   * caller kill the process, then closes: the upstream with a FIN after the data (never a reset,
   * which could discard the reply), the implementation's side at once. Both sockets keep being
   * read meanwhile, so unread input cannot turn the close into a reset.
   */
  private hold(prefix: Buffer): void {
    this.holding = true;
    const hold = this.owner.takeHold();
    this.client.resume();
    this.upstream.resume();
    const written = new Promise<void>((resolve) => this.upstream.write(prefix, () => resolve()));
    this.holdDone = written
      .then(() => this.owner.runHold(hold))
      .then(() => {
        this.client.destroy();
        this.upstream.end();
        this.graceTimer = setTimeout(() => this.upstream.destroy(), CLOSE_GRACE_MS);
        this.graceTimer.unref();
      });
  }

  private onSocketError(socket: Duplex): void {
    this.ended(socket === this.client ? 'client' : 'broker');
    if (this.holding) {
      // The killed process resets its side; the upstream is closed by the hold, gracefully.
      if (socket === this.upstream) this.client.destroy();
      return;
    }
    this.destroy();
  }

  private onSocketClosed(socket: Duplex): void {
    this.ended(socket === this.client ? 'client' : 'broker');
    if (++this.closedSockets < 2) {
      if (!this.holding) {
        // One side is gone: the other follows once it has written what it holds.
        this.client.end();
        this.upstream.end();
        this.graceTimer ??= setTimeout(() => this.destroy(), CLOSE_GRACE_MS).unref();
      }
      return;
    }
    clearTimeout(this.graceTimer);
    this.owner.closed(this);
  }
}
