import { readFile } from 'node:fs/promises';
import type { SpanRecord } from './span-record.ts';

/**
 * Reads a JSONL spans file written by JsonlFileSpanExporter. A missing file means no span
 * was exported (tracing off, or nothing sampled) and gives []. A torn last line (a process
 * killed mid-write, which chaos runs do on purpose) is skipped; any other malformed line
 * is an error naming the file and line.
 */
export async function readSpans(file: string): Promise<SpanRecord[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const lines = text.split('\n');
  const spans: SpanRecord[] = [];
  lines.forEach((line, index) => {
    if (line.trim() === '') return;
    const isLastLine = index === lines.length - 1;
    try {
      const parsed: unknown = JSON.parse(line);
      if (!isSpanRecord(parsed)) throw new Error('not a span record (traceId, spanId, name expected)');
      spans.push(parsed);
    } catch (error) {
      // A complete line always ends with '\n', so only an unterminated last line can be torn.
      if (isLastLine) return;
      throw new Error(`${file}:${index + 1}: ${error instanceof Error ? error.message : String(error)}`);
    }
  });
  return spans;
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
