import type { Socket } from 'node:net';
import { ToxicityCoins, type Stream, type ToxicWrapper } from './toxic-wrapper.ts';
import type { ChunkPlan, ToxicContext, ToxicState } from './toxics/toxic.ts';

/** Above this many planned chunks waiting to be written, reading from the source pauses. */
const MAX_PENDING_CHUNKS = 256;
/** setTimeout's ceiling; a longer wait is a wait until the connection ends. */
const MAX_TIMER_MS = 2_147_483_647;

/** What a link needs from its connection. */
export interface LinkOwner {
  toxics(stream: Stream): readonly ToxicWrapper[];
  toxicAddedAfterConnect(toxic: ToxicWrapper): boolean;
  close(): void;
  reset(): void;
  destroy(): void;
}

/**
 * One direction of a proxied connection, as Toxiproxy's ToxicLink: chunks read from
 * `source` run through the toxics of this stream that this connection's coins let act,
 * and are written to `sink` at their planned times, in order.
 */
export class ToxicLink {
  private writeTail: Promise<void> = Promise.resolve();
  private pending = 0;
  private lastWriteAt = 0;
  private disposed = false;
  private readonly coins = new ToxicityCoins();
  private readonly states = new Map<string, ToxicState>();
  private readonly closeTimers = new Map<string, NodeJS.Timeout>();
  /** Every wait in progress, so dispose() can clear its timer and let the write loop finish. */
  private readonly sleeps = new Set<{ timer: NodeJS.Timeout | undefined; wake: () => void }>();

  constructor(
    private readonly owner: LinkOwner,
    readonly stream: Stream,
    private readonly source: Socket,
    private readonly sink: Socket,
  ) {
    source.on('data', (chunk: Buffer) => this.onChunk(chunk));
    source.on('end', () => this.onSourceEnd());
  }

  /** The connection is set up: every toxic of this stream starts on it, as in Toxiproxy's link start. */
  start(): void {
    for (const toxic of this.owner.toxics(this.stream)) this.startToxic(toxic);
  }

  /** A toxic starts here (set-up, add or update): its coin is flipped anew and it may arm a deadline. */
  startToxic(toxic: ToxicWrapper): void {
    this.clearCloseTimer(toxic.name);
    if (this.disposed || !this.coins.affects(toxic)) return;
    toxic.behaviour.onStart?.(toxic.attributes, this.context(toxic, performance.now()));
  }

  /** Returns whether the removed toxic was acting on this connection. */
  removeToxic(name: string): boolean {
    this.clearCloseTimer(name);
    this.states.delete(name);
    return this.coins.forget(name);
  }

  /** Resolves once everything planned so far (data, a delayed FIN) has been written or abandoned. */
  drained(): Promise<void> {
    return this.writeTail;
  }

  /** Nothing more can be written: wake every wait so the write loop ends, drop every timer. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const name of [...this.closeTimers.keys()]) this.clearCloseTimer(name);
    for (const sleep of this.sleeps) {
      clearTimeout(sleep.timer);
      sleep.wake();
    }
    this.sleeps.clear();
  }

  private activeToxics(): ToxicWrapper[] {
    return this.owner.toxics(this.stream).filter((toxic) => this.coins.affects(toxic));
  }

  private context(toxic: ToxicWrapper, now: number): ToxicContext {
    let state = this.states.get(toxic.name);
    if (!state) this.states.set(toxic.name, (state = {}));
    return {
      now,
      state,
      armClose: (at) => this.armClose(toxic.name, at),
      addedAfterConnect: this.owner.toxicAddedAfterConnect(toxic),
    };
  }

  private armClose(toxicName: string, at: number | undefined): void {
    this.clearCloseTimer(toxicName);
    if (at === undefined || this.disposed) return;
    const delay = Math.min(MAX_TIMER_MS, Math.max(0, at - performance.now()));
    this.closeTimers.set(toxicName, setTimeout(() => this.owner.close(), delay));
  }

  private clearCloseTimer(toxicName: string): void {
    clearTimeout(this.closeTimers.get(toxicName));
    this.closeTimers.delete(toxicName);
  }

  private onChunk(chunk: Buffer): void {
    const toxics = this.activeToxics();
    // No toxic and nothing queued: forward at once, no scheduling (the common case under load).
    if (toxics.length === 0 && this.pending === 0) {
      if (!this.canWrite()) return;
      if (!this.sink.write(chunk)) this.enqueue(() => this.waitForDrain());
      return;
    }
    const now = performance.now();
    let plan: ChunkPlan = { pieces: [{ at: now, data: chunk }] };
    for (const toxic of toxics) {
      plan = toxic.behaviour.apply(plan, toxic.attributes, this.context(toxic, now));
      if (plan.end) break;
    }
    const planned = plan;
    this.enqueue(() => this.carryOut(planned));
  }

  private async carryOut(plan: ChunkPlan): Promise<void> {
    for (const piece of plan.pieces) {
      await this.sleepUntil(Math.max(piece.at, this.lastWriteAt + (piece.gapMs ?? 0)));
      if (!this.canWrite()) return;
      this.lastWriteAt = performance.now();
      if (!this.sink.write(piece.data)) await this.waitForDrain();
    }
    if (plan.end) {
      await this.sleepUntil(plan.end.at);
      if (this.disposed) return;
      if (plan.end.kind === 'reset') this.owner.reset();
      else this.owner.close();
    }
  }

  /** Work for the sink runs strictly in order; a long queue pauses the source (backpressure). */
  private enqueue(work: () => Promise<void>): void {
    this.pending++;
    if (this.pending > MAX_PENDING_CHUNKS) this.source.pause();
    this.writeTail = this.writeTail
      .then(work)
      // A socket call that throws ends this connection; the chain must stay usable for drained().
      .catch(() => this.owner.destroy())
      .finally(() => {
        this.pending--;
        if (this.pending <= MAX_PENDING_CHUNKS / 2 && this.source.isPaused() && !this.disposed) this.source.resume();
      });
  }

  /** The source half-closed: pass the FIN on after pending data, delayed by slow_close. */
  private onSourceEnd(): void {
    const delay = Math.max(0, ...this.activeToxics().map((toxic) => toxic.behaviour.closeDelay?.(toxic.attributes) ?? 0));
    this.enqueue(async () => {
      await this.sleepUntil(performance.now() + delay);
      if (this.canWrite()) this.sink.end();
    });
  }

  private canWrite(): boolean {
    return !this.disposed && !this.sink.destroyed && !this.sink.writableEnded;
  }

  /** Never wakes early: libuv's cached loop clock can fire a timer up to a millisecond before its time. */
  private async sleepUntil(at: number): Promise<void> {
    for (let remaining = at - performance.now(); remaining > 0 && !this.disposed; remaining = at - performance.now()) {
      await this.sleepFor(remaining);
    }
  }

  private sleepFor(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const sleep = {
        timer: undefined as NodeJS.Timeout | undefined,
        wake: () => {
          this.sleeps.delete(sleep);
          resolve();
        },
      };
      // A piece held forever (bandwidth rate 0) waits for dispose() alone.
      if (ms <= MAX_TIMER_MS) sleep.timer = setTimeout(sleep.wake, Math.ceil(ms));
      this.sleeps.add(sleep);
    });
  }

  private waitForDrain(): Promise<void> {
    if (!this.canWrite() || !this.sink.writableNeedDrain) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        this.sink.off('drain', done);
        this.sink.off('close', done);
        resolve();
      };
      this.sink.once('drain', done);
      this.sink.once('close', done);
    });
  }
}
