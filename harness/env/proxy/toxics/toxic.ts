/**
 * One toxic, as Toxiproxy's toxics/*.go: a small unit with one interface. A chunk read from
 * one side becomes a plan of timed pieces to write to the other side, possibly ending the
 * connection. Plans are computed when the chunk arrives, so a latency toxic delays each
 * chunk from its own arrival and chunks overlap, as they do in Toxiproxy.
 */

export interface Piece {
  /** When to write it (performance.now() clock). */
  readonly at: number;
  readonly data: Buffer;
}

export interface ChunkPlan {
  readonly pieces: Piece[];
  /** End the connection after the pieces: 'close' = FIN both ways, 'reset' = RST both ways. */
  readonly end?: { readonly kind: 'close' | 'reset'; readonly at: number };
}

/** What a toxic may keep per connection and direction (counters, clocks). */
export type ToxicState = Record<string, number>;

export interface ToxicContext {
  readonly now: number;
  readonly state: ToxicState;
  /** Ask the connection to close at a time (the timeout toxic's deadline); re-arming moves it. */
  armClose(at: number): void;
  /** True when the toxic was added after this connection was set up. */
  readonly addedAfterConnect: boolean;
}

export interface ToxicBehaviour {
  /** Wire name, e.g. 'latency'. */
  readonly type: string;
  /** Attribute names and defaults (Toxiproxy: missing attributes are 0). */
  readonly attributes: Readonly<Record<string, number>>;
  apply(plan: ChunkPlan, attributes: Readonly<Record<string, number>>, context: ToxicContext): ChunkPlan;
  /** Delay (ms) before passing a close through; only slow_close has one. */
  closeDelay?(attributes: Readonly<Record<string, number>>): number;
  /** Called when the toxic starts on an open connection (timeout arms its deadline). */
  onStart?(attributes: Readonly<Record<string, number>>, context: ToxicContext): void;
  /** Whether removing the toxic closes the connections it affected (timeout does). */
  readonly closesOnRemove?: boolean;
}
