import { createReadStream } from 'node:fs';
import type { SpanRecord } from './span-record.ts';

/** Chunks of this size are read at a time, so memory stays flat whatever the file's size. */
const READ_CHUNK_BYTES = 1 << 20;

export interface SpanLine {
  readonly span: SpanRecord;
  /** The line as written, without its '\n': copying it on costs no re-serialisation. */
  readonly text: string;
}

/**
 * Reads a JSONL spans file written by JsonlFileSpanExporter. A missing file means no span
 * was exported (tracing off, or nothing sampled) and gives []. A torn last line (a process
 * killed mid-write, which chaos runs do on purpose) is skipped; any other malformed line
 * is an error naming the file and line. For files of any size use `streamSpans`.
 */
export async function readSpans(file: string): Promise<SpanRecord[]> {
  const spans: SpanRecord[] = [];
  for await (const { span } of streamSpans(file)) spans.push(span);
  return spans;
}

/** The spans of a file one at a time, never the whole file in memory; same rules as readSpans. */
export async function* streamSpans(file: string): AsyncGenerator<SpanLine> {
  for await (const batch of readSpanBatches(file)) yield* batch.spans;
}

/**
 * The spans of a file a read chunk (about 1 MiB) at a time: per-line async iteration would
 * cost more than parsing on a file of a million spans.
 */
export async function* readSpanBatches(file: string): AsyncGenerator<SpanBatch> {
  for await (const batch of readLineBatches(file)) {
    const spans: SpanLine[] = [];
    const lines = batch.bytes.toString('utf8').split('\n');
    if (batch.terminated) lines.pop();
    lines.forEach((line, index) => {
      if (line.trim() === '') return;
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
        if (!isSpanRecord(parsed)) throw new Error('not a span record (traceId, spanId, name expected)');
      } catch (error) {
        // A complete line always ends with '\n', so only an unterminated last line can be torn.
        if (!batch.terminated) return;
        throw new Error(
          `${file}:${batch.firstLineNumber + index}: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
      spans.push({ span: parsed, text: line });
    });
    yield { spans };
  }
}

export interface SpanBatch {
  readonly spans: SpanLine[];
}

export interface LineBatch {
  /** Whole lines as read, each ending in '\n' unless `terminated` is false. */
  readonly bytes: Buffer;
  readonly firstLineNumber: number;
  /** false only for a last line without '\n' (a batch of its own, possibly torn). */
  readonly terminated: boolean;
}

/** The lines of a file as raw bytes, a read chunk of whole lines at a time; a missing file has none. */
export async function* readLineBatches(file: string): AsyncGenerator<LineBatch> {
  const input = createReadStream(file, { highWaterMark: READ_CHUNK_BYTES });
  let rest: Buffer = Buffer.alloc(0);
  let nextLineNumber = 1;
  try {
    for await (const chunk of input as AsyncIterable<Buffer>) {
      const lastNewline = chunk.lastIndexOf(NEWLINE);
      if (lastNewline === -1) {
        rest = Buffer.concat([rest, chunk]);
        continue;
      }
      const bytes =
        rest.length === 0
          ? chunk.subarray(0, lastNewline + 1)
          : Buffer.concat([rest, chunk.subarray(0, lastNewline + 1)]);
      rest = chunk.subarray(lastNewline + 1);
      yield { bytes, firstLineNumber: nextLineNumber, terminated: true };
      nextLineNumber += countLines(bytes);
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  } finally {
    input.destroy();
  }
  if (rest.length > 0) yield { bytes: rest, firstLineNumber: nextLineNumber, terminated: false };
}

const NEWLINE = 0x0a;

function countLines(bytes: Buffer): number {
  let lines = 0;
  for (let at = bytes.indexOf(NEWLINE); at !== -1; at = bytes.indexOf(NEWLINE, at + 1)) lines++;
  return lines;
}

/** Groups spans by trace id, each trace in start-time order (what a waterfall draws). */
export function spansByTrace(spans: Iterable<SpanRecord>): Map<string, SpanRecord[]> {
  const traces = new Map<string, SpanRecord[]>();
  for (const span of spans) {
    const trace = traces.get(span.traceId);
    if (trace) trace.push(span);
    else traces.set(span.traceId, [span]);
  }
  for (const trace of traces.values()) trace.sort((a, b) => a.startEpochUs - b.startEpochUs);
  return traces;
}

function isSpanRecord(value: unknown): value is SpanRecord {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return typeof record.traceId === 'string' && typeof record.spanId === 'string' && typeof record.name === 'string';
}
