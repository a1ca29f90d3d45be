import type { TraceSpan } from '../result-schema.ts';
import { escapeHtml } from './escape.ts';

/**
 * The duplicate reply's trace as a waterfall: the client's publish, the server killed between
 * reply and ack (its span ends in error), the redelivered processing on another server, and
 * the client discarding the second reply. Rows are spans in start order, grouped by process.
 */
export function renderWaterfall(spans: readonly TraceSpan[] | undefined): string {
  if (!spans || spans.length === 0) {
    return '<div class="empty" id="waterfall-empty">No duplicate reply in this run (or tracing was off or not sampled): nothing to show. Run duplicate-reply with tracing on to see one.</div>';
  }
  const start = Math.min(...spans.map((s) => s.startMs));
  const end = Math.max(...spans.map((s) => s.startMs + s.durationMs));
  const span = Math.max(end - start, 0.001);
  const depth = depthOf(spans);
  const rows = [...spans]
    .sort((a, b) => a.startMs - b.startMs)
    .map((s) => {
      const left = ((s.startMs - start) / span) * 100;
      const width = Math.max((s.durationMs / span) * 100, 0.3);
      const discard = s.name === 'rpc reply discarded';
      const classes = ['wf-bar', s.status === 'error' ? 'error' : '', discard ? 'discard' : ''].filter(Boolean).join(' ');
      const label = `${s.durationMs.toFixed(2)} ms${s.statusMessage ? ` — ${s.statusMessage}` : ''}${discard ? ` — ${String(s.attributes['rpc.discard.kind'] ?? '')} reply discarded` : ''}`;
      const labelLeft = left + width > 70 ? `right:${(100 - left + 0.5).toFixed(2)}%` : `left:${(left + width + 0.5).toFixed(2)}%`;
      return `<div class="wf-row${discard ? ' wf-discard' : ''}" data-span="${escapeHtml(s.spanId)}">
        <div class="wf-name" title="${escapeHtml(s.name)}" style="padding-left:${(depth.get(s.spanId) ?? 0) * 14}px">${escapeHtml(s.name)} <span class="proc">${escapeHtml(s.process)}</span></div>
        <div class="wf-track"><div class="${classes}" style="left:${left.toFixed(2)}%;width:${width.toFixed(2)}%"></div><span class="wf-label" style="${labelLeft}">${escapeHtml(label)}</span></div></div>`;
    })
    .join('');
  return `<div class="waterfall" id="waterfall">${rows}</div>
    <div class="wf-axis"><span title="${escapeHtml(spans[0]!.traceId)}">trace ${escapeHtml(spans[0]!.traceId.slice(0, 16))}…</span><span style="display:flex;justify-content:space-between"><span>${(start / 1000).toFixed(3)} s</span><span>+${span.toFixed(2)} ms</span></span></div>`;
}

function depthOf(spans: readonly TraceSpan[]): Map<string, number> {
  const byId = new Map(spans.map((s) => [s.spanId, s]));
  const depth = new Map<string, number>();
  const walk = (s: TraceSpan, guard = 0): number => {
    if (depth.has(s.spanId)) return depth.get(s.spanId)!;
    const parent = s.parentSpanId ? byId.get(s.parentSpanId) : undefined;
    const d = parent && guard < 32 ? walk(parent, guard + 1) + 1 : 0;
    depth.set(s.spanId, d);
    return d;
  };
  spans.forEach((s) => walk(s));
  return depth;
}
