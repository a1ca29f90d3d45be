/**
 * The output of one incarnation of an external command, written to its log in the run folder
 * with a bound: the first LOG_HEAD_BYTES as they come, the last LOG_TAIL_BYTES when the
 * output ends, and between them one line saying how much was dropped. The tail waits in a
 * ring buffer of fixed size, so memory stays bounded whatever the command writes.
 */
import { writeSync } from 'node:fs';

/**
 * 1 MiB each: start-up messages and the last words before a crash are what a log is read
 * for; a command that logs every request wrote 50 MB in one probe run, and a run folder is
 * meant to be kept and passed around.
 */
export const LOG_HEAD_BYTES = 1024 * 1024;
export const LOG_TAIL_BYTES = 1024 * 1024;

export class CappedLog {
  private headLeft: number;
  private readonly tailBytes: number;
  /** Allocated once the head is full: most commands never write that much. */
  private tail: Buffer | undefined;
  /** Where the next byte goes in the ring, and how many bytes it holds. */
  private tailEnd = 0;
  private tailLength = 0;
  private dropped = 0;
  private closed = false;

  /** `fd` is open for appending; the caller closes it after `close()`. */
  constructor(
    private readonly fd: number,
    limits: { readonly headBytes: number; readonly tailBytes: number } = {
      headBytes: LOG_HEAD_BYTES,
      tailBytes: LOG_TAIL_BYTES,
    },
  ) {
    this.headLeft = limits.headBytes;
    this.tailBytes = limits.tailBytes;
  }

  /** Bytes left out of the log so far. */
  get droppedBytes(): number {
    return this.dropped;
  }

  write(chunk: Buffer): void {
    if (this.closed) return;
    if (this.headLeft > 0) {
      const head = chunk.subarray(0, this.headLeft);
      writeSync(this.fd, head);
      this.headLeft -= head.length;
      chunk = chunk.subarray(head.length);
    }
    if (chunk.length > 0) this.keepInTail(chunk);
  }

  /** Writes the line about what was dropped and the tail. Later writes are ignored. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.dropped > 0)
      writeSync(
        this.fd,
        `\n… [rpc-chaos dropped ${formatBytes(this.dropped)} (${this.dropped} bytes) of output here] …\n`,
      );
    const tail = this.tail;
    if (!tail || this.tailLength === 0) return;
    const start = (this.tailEnd - this.tailLength + tail.length) % tail.length;
    if (start + this.tailLength <= tail.length) {
      writeSync(this.fd, tail.subarray(start, start + this.tailLength));
    } else {
      writeSync(this.fd, tail.subarray(start));
      writeSync(this.fd, tail.subarray(0, this.tailEnd));
    }
  }

  private keepInTail(chunk: Buffer): void {
    const capacity = this.tailBytes;
    if (capacity === 0) {
      this.dropped += chunk.length;
      return;
    }
    const tail = (this.tail ??= Buffer.alloc(capacity));
    if (chunk.length >= capacity) {
      this.dropped += this.tailLength + chunk.length - capacity;
      chunk.copy(tail, 0, chunk.length - capacity);
      this.tailEnd = 0;
      this.tailLength = capacity;
      return;
    }
    this.dropped += Math.max(0, this.tailLength + chunk.length - capacity);
    const first = Math.min(chunk.length, capacity - this.tailEnd);
    chunk.copy(tail, this.tailEnd, 0, first);
    chunk.copy(tail, 0, first);
    this.tailEnd = (this.tailEnd + chunk.length) % capacity;
    this.tailLength = Math.min(capacity, this.tailLength + chunk.length);
  }
}

/** "48.2 MB", decimal units as disk sizes are usually given. */
function formatBytes(bytes: number): string {
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(1)} GB`;
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(1)} MB`;
  if (bytes >= 1e3) return `${(bytes / 1e3).toFixed(1)} kB`;
  return `${bytes} B`;
}
