import { loadAmqpCodec, type AmqpCodec, type ParsedFrame } from './amqp-codec.ts';

/** type (1) + channel (2) + size (4): enough to know how long a frame is. */
const FRAME_HEADER_BYTES = 7;
/** frame header + frame-end octet. */
const FRAME_OVERHEAD = 8;
/**
 * Largest frame payload accepted. RabbitMQ's frame_max defaults to 128 KiB; a size far beyond
 * any negotiable frame_max means the stream is not AMQP (or is out of step), not a big frame.
 */
const MAX_FRAME_PAYLOAD = 64 * 1024 * 1024;

/**
 * What to do after a frame: go on, or stop reading this stream (a fault point holds it).
 * `onFrame` gets the frame and the offset in the current chunk just after its last byte
 * (the frame may have begun in an earlier chunk: then `end - frame.size - 8` is negative).
 */
export type FrameVisitor = (frame: ParsedFrame, end: number) => boolean;

/**
 * Cuts one direction of an AMQP 0-9-1 connection into frames with amqplib's `parseFrame`,
 * however the bytes are split into TCP chunks. Whole frames inside a chunk are parsed in
 * place (views, no copy); only a frame split across chunks is copied, into a buffer of
 * exactly its size. The client's 8-byte protocol header is checked and skipped.
 */
export class FrameReader {
  private readonly codec: AmqpCodec = loadAmqpCodec();
  private protocolHeaderLeft: number;
  /** Bytes of a frame that began in an earlier chunk; its full length once the size is known. */
  private partial: Buffer | undefined;
  private partialLength = 0;
  private failed: string | undefined;

  /** @param expectProtocolHeader true for the client-to-broker direction. */
  constructor(expectProtocolHeader: boolean) {
    this.protocolHeaderLeft = expectProtocolHeader ? this.codec.protocolHeader.length : 0;
  }

  /** Why this stream is no longer decoded, if it is not. */
  get error(): string | undefined {
    return this.failed;
  }

  /**
   * Feeds one chunk. Returns false if the visitor stopped or the stream cannot be decoded
   * (then `error` says why and every later push is ignored).
   */
  push(chunk: Buffer, onFrame: FrameVisitor): boolean {
    if (this.failed !== undefined) return false;
    try {
      return this.pushChunk(chunk, onFrame);
    } catch (error) {
      this.fail(`not an AMQP 0-9-1 frame stream: ${(error as Error).message}`);
      return false;
    }
  }

  private pushChunk(chunk: Buffer, onFrame: FrameVisitor): boolean {
    let offset = 0;
    if (this.protocolHeaderLeft > 0) {
      offset = this.skipProtocolHeader(chunk);
      if (this.failed !== undefined) return false;
    }
    if (this.partial !== undefined) {
      offset = this.completePartial(chunk, offset, onFrame);
      if (offset < 0) return false;
      if (this.partial !== undefined) return true; // still incomplete: the chunk is used up
    }
    let bin = offset === 0 ? chunk : chunk.subarray(offset);
    while (bin.length > 0) {
      const frame = this.codec.parseFrame(bin, MAX_FRAME_PAYLOAD);
      if (frame === false) {
        this.keepPartial(bin);
        return true;
      }
      if (!onFrame(frame, chunk.length - frame.rest.length)) return false;
      bin = frame.rest;
    }
    return true;
  }

  private skipProtocolHeader(chunk: Buffer): number {
    const expected = this.codec.protocolHeader;
    const start = expected.length - this.protocolHeaderLeft;
    const take = Math.min(this.protocolHeaderLeft, chunk.length);
    for (let i = 0; i < take; i++) {
      if (chunk[i] !== expected[start + i]) {
        this.fail(
          'the connection did not open with the AMQP 0-9-1 protocol header ' +
            `(byte ${start + i} is ${chunk[i]}, expected ${expected[start + i]})`,
        );
        return take;
      }
    }
    this.protocolHeaderLeft -= take;
    return take;
  }

  /** Adds bytes to a frame begun earlier; returns the offset after them, or -1 if stopped. */
  private completePartial(chunk: Buffer, offset: number, onFrame: FrameVisitor): number {
    let partial = this.partial!;
    if (this.partialLength < FRAME_HEADER_BYTES) {
      const take = Math.min(FRAME_HEADER_BYTES - this.partialLength, chunk.length - offset);
      chunk.copy(partial, this.partialLength, offset, offset + take);
      this.partialLength += take;
      offset += take;
      if (this.partialLength < FRAME_HEADER_BYTES) return offset;
      partial = this.grow(partial);
    }
    const take = Math.min(partial.length - this.partialLength, chunk.length - offset);
    chunk.copy(partial, this.partialLength, offset, offset + take);
    this.partialLength += take;
    offset += take;
    if (this.partialLength < partial.length) return offset;
    this.partial = undefined;
    this.partialLength = 0;
    const frame = this.codec.parseFrame(partial, MAX_FRAME_PAYLOAD);
    if (frame === false) throw new Error('a completed frame did not parse');
    return onFrame(frame, offset) ? offset : -1;
  }

  private keepPartial(bin: Buffer): void {
    const buffer = Buffer.allocUnsafe(Math.max(bin.length, FRAME_HEADER_BYTES));
    bin.copy(buffer);
    this.partialLength = bin.length;
    this.partial = bin.length >= FRAME_HEADER_BYTES ? this.grow(buffer) : buffer;
  }

  /** Replaces a buffer that holds at least a frame header with one of the frame's exact size. */
  private grow(buffer: Buffer): Buffer {
    const size = buffer.readUInt32BE(3);
    if (size > MAX_FRAME_PAYLOAD) throw new Error(`frame size ${size} exceeds ${MAX_FRAME_PAYLOAD}`);
    const total = size + FRAME_OVERHEAD;
    if (buffer.length === total) return buffer;
    const exact = Buffer.allocUnsafe(total);
    buffer.copy(exact, 0, 0, this.partialLength);
    this.partial = exact;
    return exact;
  }

  private fail(reason: string): void {
    this.failed = reason;
    this.partial = undefined;
    this.partialLength = 0;
  }
}
