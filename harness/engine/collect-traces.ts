import { createWriteStream, rmSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import { readLineBatches } from '../observe/span-reader.ts';
import type { SpanRecord } from '../observe/span-record.ts';
import type { ScenarioResult, TraceSpan } from '../model/result-schema.ts';

export const SPANS_FILE = 'spans.jsonl';
const DISCARD_SPAN = 'rpc reply discarded';
/** How the exporter starts every line (toSpanRecord's first field). */
const TRACE_ID_PREFIX = Buffer.from('{"traceId":"');
const PARENT_KEY = Buffer.from('"parentSpanId":"');
const DISCARD_SPAN_NAME = Buffer.from(`"name":"${DISCARD_SPAN}"`);
const NEWLINE = 0x0a;

/** What is held in memory while the span files are read: a few traces, never all spans. */
export interface TraceCollectionLimits {
  /** Duplicate-reply traces considered for the waterfall (the first ones seen). */
  readonly candidateTraces: number;
  /** Spans kept per candidate trace (a trace of many redeliveries is cut, not a memory risk). */
  readonly spansPerTrace: number;
}

const DEFAULT_LIMITS: TraceCollectionLimits = { candidateTraces: 100, spansPerTrace: 100 };

/**
 * Joins the per-process span files into the run's spans.jsonl (process by process, each in
 * its export order) and picks the trace of one duplicate reply: the client's publish, the
 * killed server's process span (ended in error), the redelivered process span of the
 * server that answered again, and the discard.
 *
 * Spans are streamed, twice at most: once to copy them and note the duplicate-reply
 * traces, once to gather the spans of those traces. Each line's shape is checked, but
 * only the lines that matter are parsed. Memory stays bounded by `limits`
 * whatever the number of spans; a run of a million spans costs time, not a crash.
 */
export async function collectTraces(
  runDir: string,
  spanFiles: readonly string[],
  runStartEpochMs: number,
  limits: TraceCollectionLimits = DEFAULT_LIMITS,
): Promise<ScenarioResult['traces']> {
  if (spanFiles.length === 0) return {};
  const merged = join(runDir, SPANS_FILE);
  const scan = await mergeSpanFiles(spanFiles, merged, limits.candidateTraces);
  for (const file of spanFiles) rmSync(file, { force: true });

  const candidates =
    scan.duplicateTraceIds.size > 0
      ? await spansOfTraces(merged, scan.duplicateTraceIds, limits.spansPerTrace)
      : new Map<string, SpanRecord[]>();
  const duplicate = pickDuplicateTrace([...scan.duplicateTraceIds].map((traceId) => candidates.get(traceId) ?? []));
  return {
    spansFile: SPANS_FILE,
    spans: scan.spans,
    spanFileBytes: scan.bytes,
    tracedCalls: scan.rootSpans,
    duplicateReplyTrace: duplicate?.map((span) => toTraceSpan(span, runStartEpochMs)),
  };
}

interface MergeScan {
  spans: number;
  bytes: number;
  /** Spans without a parent: one per traced call (a server span has the caller's publish span as parent). */
  rootSpans: number;
  /** In the order first seen. */
  duplicateTraceIds: Set<string>;
}

async function mergeSpanFiles(spanFiles: readonly string[], target: string, maxCandidates: number): Promise<MergeScan> {
  const scan: MergeScan = { spans: 0, bytes: 0, rootSpans: 0, duplicateTraceIds: new Set() };
  const output = createWriteStream(target);
  try {
    for (const file of spanFiles) {
      for await (const batch of readLineBatches(file)) {
        // Bytes are checked and copied as they are; only the few lines that matter are parsed:
        // decoding and parsing a million spans would cost more than reading them.
        let bytes = batch.bytes;
        forEachLine(bytes, (start, end, index) => {
          if (end === start) return;
          if (!looksLikeSpanLine(bytes, start, end)) {
            // A complete line always ends with '\n', so only an unterminated last line can be torn.
            if (!batch.terminated) return void (bytes = bytes.subarray(0, start));
            throw new Error(
              `${file}:${batch.firstLineNumber + index}: ` +
                'not a span record (a JSON object starting with "traceId" expected)',
            );
          }
          scan.spans++;
          // Searched within the line only: a search to the end of the chunk per line would be quadratic.
          const line = bytes.subarray(start, end);
          if (!line.includes(PARENT_KEY)) scan.rootSpans++;
          if (scan.duplicateTraceIds.size < maxCandidates && line.includes(DISCARD_SPAN_NAME)) {
            noteDuplicate(
              parseSpanLine(bytes, start, end, `${file}:${batch.firstLineNumber + index}`),
              scan.duplicateTraceIds,
            );
          }
        });
        // A kept last line may lack its '\n'; the next file must start on a line of its own.
        if (bytes.length > 0 && bytes[bytes.length - 1] !== NEWLINE) bytes = Buffer.concat([bytes, Buffer.from('\n')]);
        scan.bytes += bytes.length;
        await write(output, bytes);
      }
    }
  } finally {
    output.end();
    await once(output, 'close');
  }
  return scan;
}

/** The spans of the given traces, each trace in start order; other lines are skipped unparsed. */
async function spansOfTraces(
  file: string,
  traceIds: ReadonlySet<string>,
  maxSpansPerTrace: number,
): Promise<Map<string, SpanRecord[]>> {
  const traces = new Map<string, SpanRecord[]>();
  for await (const { bytes } of readLineBatches(file)) {
    forEachLine(bytes, (start, end) => {
      // Every line of the merged file starts with {"traceId":"<32 hex digits>".
      const idStart = start + TRACE_ID_PREFIX.length;
      const traceId = bytes.toString('latin1', idStart, idStart + 32);
      if (!traceIds.has(traceId)) return;
      const trace = traces.get(traceId) ?? [];
      if (trace.length >= maxSpansPerTrace) return;
      trace.push(parseSpanLine(bytes, start, end, file));
      traces.set(traceId, trace);
    });
  }
  for (const trace of traces.values()) trace.sort((a, b) => a.startEpochUs - b.startEpochUs);
  return traces;
}

/** Calls `visit` with the byte range of every line (without its '\n'). */
function forEachLine(bytes: Buffer, visit: (start: number, end: number, index: number) => void): void {
  let index = 0;
  for (let start = 0; start < bytes.length; index++) {
    const newline = bytes.indexOf(NEWLINE, start);
    const end = newline === -1 ? bytes.length : newline;
    visit(start, end, index);
    start = end + 1;
  }
}

function looksLikeSpanLine(bytes: Buffer, start: number, end: number): boolean {
  let last = end - 1;
  while (last > start && (bytes[last] === 0x20 || bytes[last] === 0x0d)) last--;
  return (
    end - start > TRACE_ID_PREFIX.length &&
    bytes.compare(TRACE_ID_PREFIX, 0, TRACE_ID_PREFIX.length, start, start + TRACE_ID_PREFIX.length) === 0 &&
    bytes[last] === 0x7d
  );
}

function parseSpanLine(bytes: Buffer, start: number, end: number, where: string): SpanRecord {
  try {
    return JSON.parse(bytes.toString('utf8', start, end)) as SpanRecord;
  } catch (error) {
    throw new Error(`${where}: ${(error as Error).message}`);
  }
}

function noteDuplicate(span: SpanRecord, duplicateTraceIds: Set<string>): void {
  if (span.name === DISCARD_SPAN && span.attributes?.['rpc.discard.kind'] === 'duplicate')
    duplicateTraceIds.add(span.traceId);
}

async function write(output: WriteStream, bytes: Buffer): Promise<void> {
  if (bytes.length === 0) return;
  if (!output.write(bytes)) await once(output, 'drain');
}

/** The most telling duplicate: one whose trace also holds the span of the killed server. */
function pickDuplicateTrace(candidates: readonly SpanRecord[][]): SpanRecord[] | undefined {
  const nonEmpty = candidates.filter((trace) => trace.length > 0);
  return nonEmpty.find((trace) => trace.some((span) => span.status.code === 'ERROR')) ?? nonEmpty[0];
}

function toTraceSpan(span: SpanRecord, runStartEpochMs: number): TraceSpan {
  const scalarAttributes: Record<string, string | number | boolean> = {};
  for (const [key, value] of Object.entries(span.attributes)) {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
      scalarAttributes[key] = value;
  }
  return {
    traceId: span.traceId,
    spanId: span.spanId,
    parentSpanId: span.parentSpanId,
    name: span.name,
    kind: span.kind,
    process: span.service,
    startMs: span.startEpochUs / 1000 - runStartEpochMs,
    durationMs: span.durationMs,
    status: span.status.code === 'ERROR' ? 'error' : span.status.code === 'OK' ? 'ok' : 'unset',
    statusMessage: span.status.message,
    events: span.events.map((event) => ({ name: event.name, tMs: event.epochUs / 1000 - runStartEpochMs })),
    attributes: scalarAttributes,
  };
}
