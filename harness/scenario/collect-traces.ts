import { createWriteStream, rmSync } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import { readSpans } from '../observe/span-reader.ts';
import type { SpanRecord } from '../observe/span-record.ts';
import type { ScenarioResult, TraceSpan } from '../report/result-schema.ts';

export const SPANS_FILE = 'spans.jsonl';
const DISCARD_SPAN = 'rpc reply discarded';

/**
 * Joins the per-process span files into the run's spans.jsonl and picks the trace of one
 * duplicate reply: the client's publish, the killed server's process span (ended in error),
 * the redelivered process span of the server that answered again, and the discard.
 */
export async function collectTraces(runDir: string, spanFiles: readonly string[], runStartEpochMs: number): Promise<ScenarioResult['traces']> {
  if (spanFiles.length === 0) return {};
  const spans: SpanRecord[] = [];
  for (const file of spanFiles) spans.push(...(await readSpans(file)));
  const output = createWriteStream(join(runDir, SPANS_FILE));
  for (const span of spans.sort((a, b) => a.startEpochUs - b.startEpochUs)) {
    if (!output.write(`${JSON.stringify(span)}\n`)) await once(output, 'drain');
  }
  output.end();
  await once(output, 'finish');
  for (const file of spanFiles) rmSync(file, { force: true });

  const duplicate = pickDuplicateTrace(spans);
  return {
    spansFile: SPANS_FILE,
    duplicateReplyTrace: duplicate?.map((span) => toTraceSpan(span, runStartEpochMs)),
  };
}

/** The most telling duplicate: one whose trace also holds the span of the killed server. */
function pickDuplicateTrace(spans: readonly SpanRecord[]): SpanRecord[] | undefined {
  const byTrace = new Map<string, SpanRecord[]>();
  for (const span of spans) {
    const list = byTrace.get(span.traceId) ?? [];
    list.push(span);
    byTrace.set(span.traceId, list);
  }
  const candidates = spans
    .filter((span) => span.name === DISCARD_SPAN && span.attributes['rpc.discard.kind'] === 'duplicate')
    .map((span) => byTrace.get(span.traceId) ?? []);
  const withKill = candidates.find((trace) => trace.some((span) => span.status.code === 'ERROR'));
  return (withKill ?? candidates[0])?.sort((a, b) => a.startEpochUs - b.startEpochUs);
}

function toTraceSpan(span: SpanRecord, runStartEpochMs: number): TraceSpan {
  const scalarAttributes: Record<string, string | number | boolean> = {};
  for (const [key, value] of Object.entries(span.attributes)) {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') scalarAttributes[key] = value;
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
