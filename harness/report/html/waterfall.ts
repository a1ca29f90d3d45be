import type { TraceSpan } from '../../model/result-schema.ts';
import { escapeHtml } from './escape.ts';

/** A label that would start right of this share of the track goes left of its bar, so it stays inside the card. */
const LABEL_FLIP_AT = 62;

/**
 * The duplicate reply's trace as a waterfall, grouped by process: the client's publish and its
 * discard of the second reply; the server killed between reply and ack (its span ends in
 * error); the server that processed the redelivered request. One time axis for all rows.
 */
export function renderWaterfall(spans: readonly TraceSpan[] | undefined): string {
  if (!spans || spans.length === 0) {
    return `<div class="empty" id="waterfall-empty"><b>No duplicate reply in this run.</b><br>
      Either no server was killed between reply and ack, or tracing was off or did not sample that call.
      Run the duplicate-reply scenario with tracing on to see one.</div>`;
  }
  const start = Math.min(...spans.map((s) => s.startMs));
  const end = Math.max(...spans.map((s) => s.startMs + s.durationMs));
  const total = Math.max(end - start, 0.001);
  const pos = (t: number) => ((t - start) / total) * 100;
  const processes = [...new Set([...spans].sort((a, b) => a.startMs - b.startMs).map((s) => s.process))];
  const byId = new Map(spans.map((s) => [s.spanId, s]));
  const groups = processes
    .map((process) => {
      const own = spans.filter((s) => s.process === process).sort((a, b) => a.startMs - b.startMs);
      return (
        `<div class="wf-proc" data-process="${escapeHtml(process)}"><span>${escapeHtml(process)}</span>` +
        `<span class="muted" style="font-weight:400">${own.length} span${own.length === 1 ? '' : 's'}</span></div>
      ${own.map((s) => row(s, depthInProcess(s, byId), pos, total)).join('')}`
      );
    })
    .join('');
  const ticks = [0, 0.25, 0.5, 0.75, 1]
    .map(
      (f) =>
        `<span style="left:${f * 100}%">` +
        `${f === 0 ? `${(start / 1000).toFixed(3)} s` : `+${(f * total).toFixed(2)} ms`}</span>`,
    )
    .join('');
  return (
    `<div class="wf" id="waterfall">${groups}
    <div class="wf-axis"><span class="mono" title="trace id">trace ${escapeHtml(spans[0]!.traceId)}</span>` +
    `<div class="wf-ticks">${ticks}</div></div></div>
    <div class="note">Spans of one call on one time axis (since run start), grouped by process. ` +
    'Red: ended in error; amber, highlighted: the reply the client discarded. Thin marks are span events.</div>'
  );
}

function row(s: TraceSpan, depth: number, pos: (t: number) => number, total: number): string {
  const discard = s.attributes['rpc.discard.kind'] !== undefined || s.name === 'rpc reply discarded';
  const error = s.status === 'error';
  const left = pos(s.startMs);
  const width = Math.max((s.durationMs / total) * 100, 0.4);
  const tone = error ? 'error' : discard ? 'discard' : '';
  const what = error
    ? `✕ ${s.statusMessage ?? 'error'}`
    : discard
      ? `${String(s.attributes['rpc.discard.kind'] ?? 'duplicate')} reply discarded`
      : (s.statusMessage ?? '');
  const redelivered = s.attributes['messaging.rabbitmq.redelivered'] === true ? ' (redelivered)' : '';
  const label = `${s.durationMs.toFixed(2)} ms${what ? ` · ${what}` : ''}${redelivered}`;
  const place =
    left + width > LABEL_FLIP_AT
      ? `right:${(100 - left + 0.6).toFixed(2)}%`
      : `left:${(left + width + 0.6).toFixed(2)}%`;
  const events = s.events
    .map(
      (e) =>
        `<span class="wf-ev" style="left:${pos(e.tMs).toFixed(2)}%" ` +
        `title="${escapeHtml(`${e.name} at ${(e.tMs / 1000).toFixed(4)} s`)}"></span>`,
    )
    .join('');
  const title =
    `${s.name} (${s.kind}) on ${s.process}: ${s.durationMs.toFixed(3)} ms, ${s.status}` +
    `${s.statusMessage ? `: ${s.statusMessage}` : ''}`;
  return (
    `<div class="wf-row${discard ? ' discard' : ''}${error ? ' error' : ''}" data-span="${escapeHtml(s.spanId)}" ` +
    `title="${escapeHtml(title)}">
    <div class="wf-name" style="padding-left:${10 + depth * 14}px">${escapeHtml(s.name)}</div>
    <div class="wf-track"><div class="wf-bar ${tone}" ` +
    `style="left:${left.toFixed(2)}%;width:${width.toFixed(2)}%"></div>${events}` +
    `<span class="wf-label ${tone}" style="${place}">${escapeHtml(label)}</span></div></div>`
  );
}

/** Indent by ancestors in the same process: across processes the group already shows the hop. */
function depthInProcess(span: TraceSpan, byId: ReadonlyMap<string, TraceSpan>): number {
  let depth = 0;
  let parent = span.parentSpanId ? byId.get(span.parentSpanId) : undefined;
  for (let guard = 0; parent && guard < 32; guard++) {
    if (parent.process === span.process) depth++;
    parent = parent.parentSpanId ? byId.get(parent.parentSpanId) : undefined;
  }
  return depth;
}
