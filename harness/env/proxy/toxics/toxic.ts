/**
 * One toxic, as Toxiproxy's toxics/*.go: a small unit with one interface, registered by its
 * wire name in registry.ts. A chunk read from one side becomes a plan of timed pieces to
 * write to the other side, possibly ending the connection. Plans are made when the chunk
 * arrives, so a latency toxic delays each chunk from its own arrival and chunks overlap,
 * as they do in Toxiproxy. Stream and toxicity are not a toxic's business: the wrapper
 * and the link decide whether a toxic sees a chunk at all.
 */

export interface Piece {
  /** When to write it (performance.now() clock); Infinity holds it until the connection ends. */
  readonly at: number;
  readonly data: Buffer;
  /**
   * At least this many ms after the previous piece was written. Toxiproxy's slicer sleeps
   * between slices, so a late event loop must not let slices catch up into one write.
   */
  readonly gapMs?: number;
}

export interface ChunkPlan {
  readonly pieces: Piece[];
  /** End the connection after the pieces: 'close' = FIN both ways, 'reset' = RST both ways. */
  readonly end?: { readonly kind: 'close' | 'reset'; readonly at: number };
}

/**
 * What a toxic may keep per connection and direction (counters, clocks); survives updates, as Toxiproxy's stateful
 * toxics do.
 */
export type ToxicState = Record<string, number>;

export type ToxicAttributes = Readonly<Record<string, number>>;

export interface ToxicContext {
  readonly now: number;
  readonly state: ToxicState;
  /** Close the connection at a time (the timeout toxic's deadline); re-arming moves it, undefined disarms it. */
  armClose(at: number | undefined): void;
  /** True when the toxic was added after this connection was set up. */
  readonly addedAfterConnect: boolean;
}

export interface ToxicBehaviour {
  /** Wire name, e.g. 'latency'. */
  readonly type: string;
  /** Attribute names and defaults (Toxiproxy: missing attributes are 0). */
  readonly attributes: ToxicAttributes;
  apply(plan: ChunkPlan, attributes: ToxicAttributes, context: ToxicContext): ChunkPlan;
  /** Delay (ms) before passing a close through; only slow_close has one. */
  closeDelay?(attributes: ToxicAttributes): number;
  /** Called when the toxic starts on a connection: set-up, add or update (timeout arms its deadline). */
  onStart?(attributes: ToxicAttributes, context: ToxicContext): void;
  /** Whether removing the toxic closes the connections it was acting on (timeout does). */
  readonly closesOnRemove?: boolean;
  /**
   * Whether the toxic only holds data back, so that removing it passes on at once what it
   * holds and an update re-times it (latency). Toxiproxy interrupts the toxic's pipe,
   * forwards the chunk it was sleeping on and drains its buffer into the next stage.
   */
  readonly releasesHeldData?: boolean;
}
