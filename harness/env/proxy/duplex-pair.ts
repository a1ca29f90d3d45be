/**
 * Two connected in-memory duplex streams: what one end writes, the other reads. Node has this as
 * `stream.duplexPair` from 20.17 and 22.6 on; the harness supports Node 20 from 20.6, where it is
 * missing, so the pair is built here on those lines. Writes wait for the reading end to want more
 * (backpressure), and ending one end's writable side ends the other's readable side.
 */
import * as stream from 'node:stream';
import { Duplex, type DuplexOptions } from 'node:stream';

export type DuplexPairFactory = (options?: DuplexOptions) => [Duplex, Duplex];

class CrossedEnd extends Duplex {
  peer: CrossedEnd | undefined;
  /** The peer's write callback, held while this end's read buffer is full. */
  private heldWrite: (() => void) | undefined;

  override _read(): void {
    const resume = this.heldWrite;
    this.heldWrite = undefined;
    resume?.();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    const peer = this.peer;
    if (!peer || peer.destroyed) {
      callback(new Error('write after the other end of the pair was destroyed'));
      return;
    }
    if (peer.push(chunk)) callback();
    else peer.heldWrite = () => callback();
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.peer?.push(null);
    callback();
  }
}

/** The pair this harness builds itself, used where Node has none. */
export const crossedDuplexPair: DuplexPairFactory = (options) => {
  const a = new CrossedEnd(options);
  const b = new CrossedEnd(options);
  a.peer = b;
  b.peer = a;
  return [a, b];
};

/** Node's own pair where this Node has one, else ours. */
export const duplexPair: DuplexPairFactory =
  (stream as { duplexPair?: DuplexPairFactory }).duplexPair ?? crossedDuplexPair;
