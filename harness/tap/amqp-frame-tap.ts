import { EventEmitter } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { connectInProcess } from '../env/proxy/in-process-link.ts';
import { loadAmqpCodec } from './amqp-codec.ts';
import { Cut, type ProtocolSteps } from './amqp-observer.ts';
import { ArmedFaultPoint, validateFaultPoint, type FaultPointOptions } from './fault-point.ts';
import { FrameTrail, type TrailFrame } from './frame-trail.ts';
import { TapConnection, type TapConnectionOwner } from './tap-connection.ts';
import { emptyCounters, type TapConsumeOk, type TapCounters, type TapEvents, type TapHold } from './tap-events.ts';

export interface AmqpFrameTapOptions {
  /** Where the tap forwards to: the L4 proxy's listen address (or the broker). */
  readonly upstream: { readonly host: string; readonly port: number };
  /** Names the tap in errors and reports, e.g. `server-1`. */
  readonly name?: string;
  /** Listen address; 127.0.0.1 on a free port by default. */
  readonly listen?: { readonly host?: string; readonly port?: number };
  /** Bodies up to this size are reported with publish and deliver events (64 KiB by default). */
  readonly maxBodyBytes?: number;
  /**
   * When a built-in proxy of this process listens at `upstream`, hand bytes to it in memory
   * instead of over a second TCP hop (default true). A real Toxiproxy, or a proxy in another
   * process, is always reached over TCP.
   */
  readonly inProcess?: boolean;
  /** How many recent correlation ids keep their frames for `framesOf` (4,000 by default; 0: none). */
  readonly trailIds?: number;
}

const DEFAULT_MAX_BODY_BYTES = 64 * 1024;

/**
 * An AMQP 0-9-1 frame tap: a TCP listener an implementation connects to instead of the
 * proxy. It forwards every byte to the upstream, decodes both directions with amqplib's own
 * codec, counts deliveries, redeliveries, publishes and acks, reports them as events, and can
 * hold a connection at a fault point so a black-box process can be killed exactly there.
 *
 *   await using tap = await new AmqpFrameTap({ upstream: { host, port }, name: 'server-1' }).start();
 *   spawnServer(tap.getAmqpUrl(brokerUrl));
 *   tap.armFaultPoint({ point: 'afterReplyBeforeAck', request: 2, onHeld: () => killProcessGroup() });
 */
export class AmqpFrameTap {
  constructor(private readonly options: AmqpFrameTapOptions) {}

  async start(): Promise<StartedAmqpFrameTap> {
    const errors = validateOptions(this.options);
    if (errors.length > 0) throw new Error(`AmqpFrameTap: ${errors.join('; ')}`);
    loadAmqpCodec(); // fails here, with what to do, if amqplib's internals moved
    const tap = new StartedAmqpFrameTap(this.options);
    await tap.listen();
    return tap;
  }
}

function validateOptions(options: AmqpFrameTapOptions): string[] {
  const errors: string[] = [];
  const { host, port } = options.upstream ?? {};
  if (typeof host !== 'string' || host === '')
    errors.push('upstream.host must be a host name or address, e.g. 127.0.0.1');
  if (!Number.isInteger(port) || port < 1 || port > 65_535)
    errors.push(`upstream.port must be a TCP port from 1 to 65535, got ${String(port)}`);
  const maxBody = options.maxBodyBytes;
  if (maxBody !== undefined && !(Number.isInteger(maxBody) && maxBody >= 0))
    errors.push(`maxBodyBytes must be an integer >= 0, got ${maxBody}`);
  return errors;
}

export class StartedAmqpFrameTap extends EventEmitter<TapEvents> implements TapConnectionOwner {
  readonly counters: TapCounters = emptyCounters();
  /** The latest problems (onHeld failures, unreachable upstream), newest last, at most 100. */
  readonly errors: string[] = [];
  private readonly trail: FrameTrail;
  /** @internal */
  readonly maxBodyBytes: number;
  /** @internal the protocol steps every connection reports to. */
  readonly steps: ProtocolSteps;
  private readonly name: string;
  private readonly server: Server;
  private readonly connections = new Set<TapConnection>();
  /** Open connections that reached connection.open-ok. */
  private readonly establishedConnections = new Set<number>();
  private faultPoint: ArmedFaultPoint | undefined;
  private pendingHold: TapHold | undefined;
  /** Each hold's onHeld, so re-arming while a kill is under way cannot swap it. */
  private readonly onHeldFor = new WeakMap<TapHold, FaultPointOptions['onHeld']>();
  private nextConnection = 1;
  /** Consumers confirmed by consume-ok, per open connection: what `waitForConsumer` finds at once. */
  private readonly consumers = new Map<number, TapConsumeOk[]>();
  private stopped: Promise<void> | undefined;

  constructor(private readonly options: AmqpFrameTapOptions) {
    super();
    this.name = options.name ?? `tap->${options.upstream.host}:${options.upstream.port}`;
    this.maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    this.trail = new FrameTrail(options.trailIds);
    this.server = createServer({ noDelay: true }, (socket) => this.accept(socket));
    this.steps = this.protocolSteps();
  }

  /** @internal called by `AmqpFrameTap.start()`. */
  async listen(): Promise<void> {
    const { host = '127.0.0.1', port = 0 } = this.options.listen ?? {};
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', (error) =>
        reject(new Error(`${this.name}: cannot listen on ${host}:${port}: ${error.message}`)),
      );
      this.server.listen({ host, port }, resolve);
    });
  }

  getName(): string {
    return this.name;
  }

  getListenHost(): string {
    return (this.server.address() as { address: string }).address;
  }

  getListenPort(): number {
    return (this.server.address() as { port: number }).port;
  }

  /** The broker URL with host and port replaced by the tap's: what the implementation connects to. */
  getAmqpUrl(brokerUrl: string): string {
    const url = new URL(brokerUrl);
    url.hostname = this.getListenHost();
    url.port = String(this.getListenPort());
    return url.toString();
  }

  /**
   * Arms a one-shot fault point; k counts from now. One at a time: arming while another is
   * armed and has not fired is an error.
   */
  armFaultPoint(options: FaultPointOptions): void {
    const errors = validateFaultPoint(options);
    if (errors.length > 0) throw new Error(`${this.name}: armFaultPoint: ${errors.join('; ')}`);
    if (this.faultPoint && !this.faultPoint.hasFired) {
      throw new Error(
        `${this.name}: a ${this.faultPoint.options.point} fault point for request ${this.faultPoint.options.request} ` +
          'is still armed; disarmFaultPoint() first',
      );
    }
    this.faultPoint = new ArmedFaultPoint(options);
  }

  /** Removes a fault point that has not fired; the tap forwards everything again. */
  disarmFaultPoint(): void {
    if (this.faultPoint && !this.faultPoint.hasFired) this.faultPoint = undefined;
  }

  /** Resolves with a consume-ok for `queue`: one already seen on an open connection, or the next one. */
  waitForConsumer(queue: string, timeoutMs = 30_000): Promise<TapConsumeOk> {
    for (const list of this.consumers.values()) {
      const found = list.find((consumer) => consumer.queue === queue);
      if (found) return Promise.resolve(found);
    }
    return new Promise((resolve, reject) => {
      const onConsumeOk = (event: TapConsumeOk) => {
        if (event.queue !== queue) return;
        clearTimeout(timer);
        this.off('consume-ok', onConsumeOk);
        resolve(event);
      };
      const timer = setTimeout(() => {
        this.off('consume-ok', onConsumeOk);
        reject(
          new Error(
            `${this.name}: nothing started consuming "${queue}" within ${timeoutMs} ms; ` +
              `is the implementation connected to ${this.getAmqpUrl('amqp://127.0.0.1')}?`,
          ),
        );
      }, timeoutMs);
      this.on('consume-ok', onConsumeOk);
    });
  }

  /** The frames this tap saw for a recent correlation id, oldest first (see `trailIds`). */
  framesOf(correlationId: string): readonly TrailFrame[] {
    return this.trail.of(correlationId);
  }

  /** @internal for the tap's connections. */
  isGating(): boolean {
    return this.faultPoint !== undefined && !this.faultPoint.hasFired;
  }

  /** @internal for the tap's connections. */
  takeHold(): TapHold {
    const hold = this.pendingHold;
    this.pendingHold = undefined;
    if (!hold) throw new Error(`${this.name}: a connection was cut without a fault point; this is a bug in the tap`);
    return hold;
  }

  /** @internal for the tap's connections. */
  async runHold(hold: TapHold): Promise<void> {
    this.counters.faultPointsHeld++;
    this.trail.record(hold.correlationId, { atMs: hold.atMs, step: 'held', connection: hold.connection });
    this.emit('held', hold);
    try {
      await this.onHeldFor.get(hold)?.(hold);
    } catch (error) {
      this.report(
        new Error(
          `${this.name}: onHeld for ${hold.point} of request ${hold.request} failed: ${(error as Error).message}`,
        ),
      );
    }
  }

  /** Keeps the error; emits it only to listeners (an unheard 'error' event would crash the process). */
  private report(error: Error): void {
    this.errors.push(error.message);
    if (this.errors.length > 100) this.errors.shift();
    if (this.listenerCount('error') > 0) this.emit('error', error);
  }

  /** @internal for the tap's connections. */
  countBytes(fromClient: boolean, bytes: number): void {
    if (fromClient) this.counters.bytesFromClient += bytes;
    else this.counters.bytesFromBroker += bytes;
  }

  /** @internal for the tap's connections. */
  decodeFailed(connection: TapConnection, reason: string): void {
    this.counters.undecodedConnections++;
    this.emit('decode-error', {
      connection: connection.id,
      atMs: Date.now(),
      decodeError: `${this.name}: ${reason}; the connection is forwarded without decoding`,
    });
  }

  /** @internal for the tap's connections. */
  closed(connection: TapConnection): void {
    if (!this.connections.delete(connection)) return;
    this.consumers.delete(connection.id);
    this.counters.openConnections--;
    const established = this.establishedConnections.delete(connection.id);
    const closedBy = connection.closedBy();
    const graceful = connection.closedGracefully;
    this.emit('connection-close', { connection: connection.id, atMs: Date.now(), established, closedBy, graceful });
  }

  /** @internal for the tap's connections. */
  brokerSideEnded(connection: TapConnection): void {
    if (!this.establishedConnections.has(connection.id)) return;
    this.counters.lost++;
    this.emit('connection-lost', {
      connection: connection.id,
      atMs: Date.now(),
      established: true,
      closedBy: 'broker',
    });
  }

  private accept(client: Socket): void {
    if (this.stopped) {
      client.destroy();
      return;
    }
    const { host, port } = this.options.upstream;
    const id = this.nextConnection++;
    let upstream = this.options.inProcess === false ? undefined : connectInProcess(host, port);
    if (!upstream) {
      const socket = connect({ host, port, noDelay: true });
      socket.once('error', (error) => {
        if (socket.connecting)
          this.report(
            new Error(
              `${this.name}: cannot connect connection ${id} to upstream ${host}:${port}: ${error.message}; ` +
                'is the proxy listening there?',
            ),
          );
      });
      upstream = socket;
    }
    const connection = new TapConnection(id, client, upstream, this);
    this.connections.add(connection);
    this.counters.connections++;
    this.counters.openConnections++;
    this.emit('connection-open', { connection: id, atMs: Date.now() });
  }

  /** Counts and reports each protocol step and asks the armed fault point where to cut. */
  private protocolSteps(): ProtocolSteps {
    const counters = this.counters;
    const cutFor = (hold: TapHold | undefined): Cut => {
      if (!hold) return Cut.Continue;
      this.pendingHold = hold;
      this.onHeldFor.set(hold, this.faultPoint!.options.onHeld);
      return hold.point === 'afterReplyBeforeAck' ? Cut.HoldAfter : Cut.HoldBefore;
    };
    return {
      delivered: (delivery) => {
        counters.deliveries++;
        if (delivery.redelivered) counters.redeliveries++;
        this.trail.record(delivery.correlationId, {
          atMs: delivery.atMs,
          step: 'deliver',
          connection: delivery.connection,
          redelivered: delivery.redelivered,
        });
        this.faultPoint?.delivered(delivery);
        this.emit('deliver', delivery);
      },
      publishing: (connection, channel, correlationId) =>
        cutFor(this.faultPoint?.publishing(connection, channel, correlationId)),
      published: (publish) => {
        counters.publishes++;
        this.trail.record(publish.correlationId, {
          atMs: publish.atMs,
          step: 'publish',
          connection: publish.connection,
          replyTo: publish.replyTo,
        });
        this.emit('publish', publish);
        return cutFor(this.faultPoint?.published(publish));
      },
      settling: (connection, channel, deliveryTag, multiple) =>
        cutFor(this.faultPoint?.settling(connection, channel, deliveryTag, multiple)),
      acked: (ack) => {
        counters.acks++;
        counters.ackedDeliveries += ack.correlationIds.length;
        for (const id of ack.correlationIds)
          this.trail.record(id, { atMs: ack.atMs, step: 'ack', connection: ack.connection });
        this.emit('ack', ack);
      },
      nacked: (nack) => {
        if (nack.method === 'nack') counters.nacks++;
        else counters.rejects++;
        for (const id of nack.correlationIds)
          this.trail.record(id, { atMs: nack.atMs, step: 'nack', connection: nack.connection });
        this.emit('nack', nack);
      },
      confirmed: (confirm) => {
        counters.confirms++;
        this.emit('confirm', confirm);
      },
      consumed: (consume) => {
        counters.consumes++;
        this.emit('consume', consume);
      },
      consumeOk: (consumeOk) => {
        const list = this.consumers.get(consumeOk.connection) ?? [];
        // Bounded: a connection's consumers, by the few queues an implementation consumes.
        if (list.length < 1_000) list.push(consumeOk);
        this.consumers.set(consumeOk.connection, list);
        this.emit('consume-ok', consumeOk);
      },
      brokerNotice: (notice) => {
        if (notice.kind === 'connection-blocked') counters.blocks = (counters.blocks ?? 0) + 1;
        if (notice.kind === 'consumer-cancelled') counters.consumerCancels = (counters.consumerCancels ?? 0) + 1;
        this.emit('broker-notice', notice);
      },
      heartbeat: () => {
        counters.heartbeats++;
      },
      connectionOpened: (connection) => {
        counters.established++;
        this.establishedConnections.add(connection);
        this.emit('connection-established', { connection, atMs: Date.now() });
      },
      connectionClosing: (connection, fromClient) => {
        for (const open of this.connections) if (open.id === connection) open.closeFrameSeen(fromClient);
      },
    };
  }

  /** Closes the listener and every connection; waits (bounded) for a hold in progress. Safe twice. */
  stop(holdTimeoutMs = 10_000): Promise<void> {
    this.stopped ??= (async () => {
      const holds = [...this.connections].map((c) => c.holdDone).filter((p): p is Promise<void> => p !== undefined);
      if (holds.length > 0) {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          Promise.allSettled(holds),
          new Promise((resolve) => {
            timer = setTimeout(resolve, holdTimeoutMs);
          }),
        ]);
        clearTimeout(timer);
      }
      const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
      for (const connection of this.connections) connection.destroy();
      await closed;
    })();
    return this.stopped;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }
}
