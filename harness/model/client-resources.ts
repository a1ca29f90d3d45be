/**
 * What the no-reply checks look at for each client process: the calls it still held after its
 * load, and its resident memory over the run. The RSS series is
 * the small interface those checks need; today the engine samples it itself
 * (engine/client-memory-sampler.ts), and a per-process resource record can feed it instead.
 */

/** One reading of a process's resident memory, `tMs` after the load started. */
export interface RssSample {
  readonly tMs: number;
  readonly rssBytes: number;
}

export interface ClientAfterLoad {
  readonly process: string;
  /** Who counted the pending calls: the built-in client itself, or the harness at the line protocol. */
  readonly seenBy: 'client' | 'line protocol';
  /** Calls it still held once its load had ended; undefined: it did not say. */
  readonly pendingAtEnd: number | undefined;
  /** Its process tree's RSS during the load, oldest first. */
  readonly rss: readonly RssSample[];
}
