import type { Socket } from 'node:net';
import type { Stream, ToxicConfig } from './toxic-config.ts';
import type { ChunkPlan, ToxicContext, ToxicState } from './toxics/toxic.ts';

/** Above this many planned chunks waiting to be written, reading from the source pauses. */
const MAX_PENDING_CHUNKS = 256;

/**
 * One direction of a proxied connection: chunks read from `source` run through the toxics
 * of this stream and are written to `sink` at their planned times, in order.
 */
class Direction {
  private writeTail: Promise<void> = Promise.resolve();
  private pending = 0;
  private readonly states = new Map<string, ToxicState>();
  private readonly coins = new Map<string, { generation: number; affected: boolean }>();
  private closeTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly connection: ProxiedConnection,
    readonly stream: Stream,
    private readonly source: Socket,
    private readonly sink: Socket,
  ) {
    source.on('data', (chunk: Buffer) => this.onChunk(chunk));
    source.on('end', () => this.onSourceEnd());
  }

  /** The toxics that apply to this connection now: toxicity is one coin flip per connection and toxic version. */
  private activeToxics(): ToxicConfig[] {
    return this.connection.toxics(this.stream).filter((toxic) => {
      const coin = this.coins.get(toxic.name);
      if (coin && coin.generation === toxic.generation) return coin.affected;
      const affected = Math.random() < toxic.toxicity;
      this.coins.set(toxic.name, { generation: toxic.generation, affected });
      return affected;
    });
  }

  context(toxic: ToxicConfig, now: number): ToxicContext {
    let state = this.states.get(toxic.name);
    if (!state) this.states.set(toxic.name, (state = {}));
    return {
      now,
      state,
      armClose: (at) => this.armClose(at),
      addedAfterConnect: this.connection.toxicAddedAfterConnect(toxic),
    };
  }

  /** A toxic started (added or updated) while this connection is open. */
  onToxicStart(toxic: ToxicConfig): void {
    if (!this.activeToxics().includes(toxic)) return;
    toxic.behaviour.onStart?.(toxic.attributes, this.context(toxic, performance.now()));
  }

  forget(toxicName: string): void {
    this.states.delete(toxicName);
    this.coins.delete(toxicName);
  }

  private armClose(at: number): void {
    if (this.closeTimer) clearTimeout(this.closeTimer);
    this.closeTimer = setTimeout(() => this.connection.close(), Math.max(0, at - performance.now()));
  }

  private onChunk(chunk: Buffer): void {
    const toxics = this.activeToxics();
    // No toxic and nothing queued: forward at once, no scheduling (the common case under load).
    if (toxics.length === 0 && this.pending === 0) {
      if (!this.sink.destroyed && !this.sink.writableEnded) this.sink.write(chunk);
      return;
    }
    const now = performance.now();
    let plan: ChunkPlan = { pieces: [{ at: now, data: chunk }] };
    for (const toxic of toxics) {
      plan = toxic.behaviour.apply(plan, toxic.attributes, this.context(toxic, now));
      if (plan.end) break;
    }
    this.enqueue(plan);
  }

  private enqueue(plan: ChunkPlan): void {
    this.pending++;
    if (this.pending > MAX_PENDING_CHUNKS) this.source.pause();
    this.writeTail = this.writeTail.then(async () => {
      for (const piece of plan.pieces) {
        await sleepUntil(piece.at);
        if (this.sink.destroyed || this.sink.writableEnded) return;
        this.sink.write(piece.data);
      }
      if (plan.end) {
        await sleepUntil(plan.end.at);
        if (plan.end.kind === 'reset') this.connection.reset();
        else this.connection.close();
      }
    }).finally(() => {
      this.pending--;
      if (this.pending <= MAX_PENDING_CHUNKS / 2 && this.source.isPaused()) this.source.resume();
    });
  }

  /** The source half-closed: pass the FIN on after pending data, delayed by slow_close. */
  private onSourceEnd(): void {
    const delay = Math.max(0, ...this.activeToxics().map((toxic) => toxic.behaviour.closeDelay?.(toxic.attributes) ?? 0));
    this.writeTail = this.writeTail.then(async () => {
      if (delay > 0) await sleepUntil(performance.now() + delay);
      if (!this.sink.destroyed) this.sink.end();
    });
  }

  /** Resolves once everything planned so far (data, a delayed FIN) has been written. */
  drained(): Promise<void> {
    return this.writeTail;
  }

  dispose(): void {
    if (this.closeTimer) clearTimeout(this.closeTimer);
  }
}

export interface ConnectionOwner {
  toxics(stream: Stream): ToxicConfig[];
  toxicAddedAfter(toxic: ToxicConfig): number;
  forgetConnection(connection: ProxiedConnection): void;
}

/** A client connection and its upstream connection, joined through two toxic directions. */
export class ProxiedConnection {
  readonly openedAt = performance.now();
  private readonly directions: Direction[];
  private ended = false;

  constructor(
    private readonly owner: ConnectionOwner,
    private readonly client: Socket,
    private readonly upstream: Socket,
  ) {
    this.directions = [new Direction(this, 'upstream', client, upstream), new Direction(this, 'downstream', upstream, client)];
    const onError = () => this.destroy();
    client.on('error', onError);
    upstream.on('error', onError);
    // One side fully closed: the other still gets what is planned for it (latency, slow_close).
    const onClose = () => {
      void Promise.all(this.directions.map((direction) => direction.drained())).then(() => this.destroy());
    };
    client.on('close', onClose);
    upstream.on('close', onClose);
  }

  toxics(stream: Stream): ToxicConfig[] {
    return this.owner.toxics(stream);
  }

  toxicAddedAfterConnect(toxic: ToxicConfig): boolean {
    return this.owner.toxicAddedAfter(toxic) > this.openedAt;
  }

  onToxicStart(toxic: ToxicConfig): void {
    for (const direction of this.directions) if (direction.stream === toxic.stream) direction.onToxicStart(toxic);
  }

  forgetToxic(name: string): void {
    for (const direction of this.directions) direction.forget(name);
  }

  /** FIN both ways, as Toxiproxy does when a proxy is disabled or a toxic closes the link. */
  close(): void {
    if (this.ended) return;
    this.ended = true;
    this.client.end();
    this.upstream.end();
    // A peer that never closes its side must not keep the sockets alive.
    setTimeout(() => this.destroy(), 1000).unref();
  }

  /** RST both ways (reset_peer). */
  reset(): void {
    this.ended = true;
    this.client.resetAndDestroy();
    this.upstream.resetAndDestroy();
    this.destroy();
  }

  destroy(): void {
    this.ended = true;
    if (!this.client.destroyed) this.client.destroy();
    if (!this.upstream.destroyed) this.upstream.destroy();
    for (const direction of this.directions) direction.dispose();
    this.owner.forgetConnection(this);
  }
}

function sleepUntil(at: number): Promise<void> {
  const delay = at - performance.now();
  return delay <= 0 ? Promise.resolve() : new Promise((resolve) => setTimeout(resolve, delay));
}
