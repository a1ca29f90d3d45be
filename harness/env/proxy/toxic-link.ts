import type { Duplex } from 'node:stream';
import { ToxicityCoins, type Stream, type ToxicWrapper } from './toxic-wrapper.ts';
import type { ChunkPlan, ToxicContext, ToxicState } from './toxics/toxic.ts';

/** Above this many planned chunks waiting to be written, reading from the source pauses. */
const MAX_PENDING_CHUNKS = 256;
/** setTimeout's ceiling; a longer wait is a wait until the connection ends. */
const MAX_TIMER_MS = 2_147_483_647;

/**
 * How long one releasable toxic (latency) holds one chunk. The link re-reads it before every
 * write, so removing or updating the toxic moves data that is already held.
 */
interface Hold {
  readonly toxic: ToxicWrapper;
  readonly arrivedAt: number;
  /** The delay the toxic gave when the chunk arrived. */
  readonly plannedMs: number;
  /** The delay that applies now: 0 once the toxic is gone, re-drawn after an update. */
  currentMs: number;
  generation: number;
}

const EMPTY = Buffer.alloc(0);

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
  /** The fast path paused the source until the sink drains. */
  private awaitingDrain = false;
  private readonly coins = new ToxicityCoins();
  private readonly states = new Map<string, ToxicState>();
  private readonly closeTimers = new Map<string, NodeJS.Timeout>();
  /** Every wait in progress, so dispose() can clear its timer and let the write loop finish. */
  private readonly sleeps = new Set<{ timer: NodeJS.Timeout | undefined; wake: () => void }>();

  constructor(
    private readonly owner: LinkOwner,
    readonly stream: Stream,
    private readonly source: Duplex,
    private readonly sink: Duplex,
  ) {
    source.on('data', (chunk: Buffer) => this.onChunk(chunk));
    sink.on('drain', this.onSinkDrain);
    source.on('end', () => this.onSourceEnd());
  }

  /** The connection is set up: every toxic of this stream starts on it, as in Toxiproxy's link start. */
  start(): void {
    for (const toxic of this.owner.toxics(this.stream)) this.startToxic(toxic);
  }

  /** A toxic starts here (set-up, add or update): its coin is flipped anew and it may arm a deadline. */
  startToxic(toxic: ToxicWrapper): void {
    this.clearCloseTimer(toxic.name);
    // An update re-times data the toxic holds: wake the writer so it reads the new delay.
    if (toxic.behaviour.releasesHeldData) this.wakeSleepers();
    if (this.disposed || !this.coins.affects(toxic)) return;
    toxic.behaviour.onStart?.(toxic.attributes, this.context(toxic, performance.now()));
  }

  /** Returns whether the removed toxic was acting on this connection. */
  removeToxic(toxic: ToxicWrapper): boolean {
    this.clearCloseTimer(toxic.name);
    this.states.delete(toxic.name);
    // Data a removed latency toxic holds goes out now, as Toxiproxy drains the toxic's pipe.
    if (toxic.behaviour.releasesHeldData) this.wakeSleepers();
    return this.coins.forget(toxic.name);
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
    const toxics = this.owner.toxics(this.stream);
    return toxics.length === 0 ? [] : toxics.filter((toxic) => this.coins.affects(toxic));
  }

  /** True when no toxic of this stream acts on this connection; allocates nothing (runs per chunk). */
  private untouched(): boolean {
    const toxics = this.owner.toxics(this.stream);
    for (let i = 0; i < toxics.length; i++) if (this.coins.affects(toxics[i]!)) return false;
    return true;
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
    this.closeTimers.set(
      toxicName,
      setTimeout(() => this.owner.close(), delay),
    );
  }

  private clearCloseTimer(toxicName: string): void {
    clearTimeout(this.closeTimers.get(toxicName));
    this.closeTimers.delete(toxicName);
  }

  private onChunk(chunk: Buffer): void {
    // No toxic and nothing queued: the chunk goes straight to the sink, no copy, no timer, no
    // promise (the common case under load); a full sink pauses the source until it drains,
    // as pipe() does. A toxic added later acts from the next chunk on, as in Toxiproxy.
    if (this.pending === 0 && this.untouched()) {
      if (!this.canWrite()) return;
      if (!this.sink.write(chunk)) {
        this.awaitingDrain = true;
        this.source.pause();
      }
      return;
    }
    const toxics = this.activeToxics();
    const now = performance.now();
    let plan: ChunkPlan = { pieces: [{ at: now, data: chunk }] };
    const holds: Hold[] = [];
    for (const toxic of toxics) {
      const before = plan.pieces[0]?.at;
      plan = toxic.behaviour.apply(plan, toxic.attributes, this.context(toxic, now));
      const after = plan.pieces[0]?.at;
      // A releasable toxic shifts every piece alike; remember by how much, to undo it later.
      if (toxic.behaviour.releasesHeldData && before !== undefined && after !== undefined && after > before) {
        holds.push({
          toxic,
          arrivedAt: now,
          plannedMs: after - before,
          currentMs: after - before,
          generation: toxic.generation,
        });
      }
      if (plan.end) break;
    }
    const planned = plan;
    this.enqueue(() => this.carryOut(planned, holds));
  }

  private async carryOut(plan: ChunkPlan, holds: readonly Hold[]): Promise<void> {
    const shifted = (at: number) => (holds.length === 0 ? at : at + this.holdChange(holds));
    for (const piece of plan.pieces) {
      await this.sleepUntil(() => Math.max(shifted(piece.at), this.lastWriteAt + (piece.gapMs ?? 0)));
      if (!this.canWrite()) return;
      this.lastWriteAt = performance.now();
      if (!this.sink.write(piece.data)) await this.waitForDrain();
    }
    if (plan.end) {
      await this.sleepUntil(() => shifted(plan.end!.at));
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

  /**
   * How far the holds' toxics have moved the chunk since it was planned: minus the whole
   * delay once a toxic is removed; after an update, the new delay counted from the chunk's
   * arrival (Toxiproxy restarts the pipe, which sleeps latency minus the time already held).
   */
  private holdChange(holds: readonly Hold[]): number {
    let change = 0;
    const present = this.owner.toxics(this.stream);
    for (const hold of holds) {
      if (hold.currentMs > 0 && !present.includes(hold.toxic)) hold.currentMs = 0;
      else if (hold.currentMs > 0 && hold.generation !== hold.toxic.generation) {
        hold.generation = hold.toxic.generation;
        hold.currentMs = this.coins.affects(hold.toxic) ? this.delayOf(hold.toxic, hold.arrivedAt) : 0;
      }
      change += hold.currentMs - hold.plannedMs;
    }
    return change;
  }

  /** The delay a toxic gives a chunk that arrived at `at`, as its plan would say now. */
  private delayOf(toxic: ToxicWrapper, at: number): number {
    const plan = toxic.behaviour.apply({ pieces: [{ at, data: EMPTY }] }, toxic.attributes, this.context(toxic, at));
    return Math.max(0, (plan.pieces[0]?.at ?? at) - at);
  }

  /** The source half-closed: pass the FIN on after pending data, delayed by slow_close. */
  private onSourceEnd(): void {
    const delay = Math.max(
      0,
      ...this.activeToxics().map((toxic) => toxic.behaviour.closeDelay?.(toxic.attributes) ?? 0),
    );
    const at = performance.now() + delay;
    this.enqueue(async () => {
      await this.sleepUntil(() => at);
      if (this.canWrite()) this.sink.end();
    });
  }

  private readonly onSinkDrain = (): void => {
    if (!this.awaitingDrain) return;
    this.awaitingDrain = false;
    if (!this.disposed && this.pending <= MAX_PENDING_CHUNKS / 2) this.source.resume();
  };

  private canWrite(): boolean {
    return !this.disposed && !this.sink.destroyed && !this.sink.writableEnded;
  }

  /**
   * Never wakes early: libuv's cached loop clock can fire a timer up to a millisecond before
   * its time. The target is read again after every wake, so a released hold ends the wait.
   */
  private async sleepUntil(target: () => number): Promise<void> {
    for (
      let remaining = target() - performance.now();
      remaining > 0 && !this.disposed;
      remaining = target() - performance.now()
    ) {
      await this.sleepFor(remaining);
    }
  }

  /** Ends every wait early; each waiter then re-reads its target and sleeps again if it must. */
  private wakeSleepers(): void {
    for (const sleep of [...this.sleeps]) {
      clearTimeout(sleep.timer);
      sleep.wake();
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
