import { int } from '../../format.ts';
import type { ScenarioResult } from '../../../model/result-schema.ts';
import { escapeHtml } from '../escape.ts';

/** Rows shown in the table; the rest stay in result.json, and the note says so. */
export const MAX_TIMELINE_ROWS = 500;

export function renderTimeline(result: ScenarioResult): string {
  const events = result.timeline.events;
  const shown = events.slice(0, MAX_TIMELINE_ROWS);
  const rows = shown
    .map(
      (e) =>
        `<tr><td class="num">${(e.tMs / 1000).toFixed(3)} s</td>` +
        `<td><span class="kind ${escapeHtml(e.kind)}">${escapeHtml(e.kind)}</span></td>\n` +
        `    <td>${escapeHtml(e.process)}</td><td>${escapeHtml(e.detail ?? '')}</td>` +
        `<td class="mono muted">${escapeHtml(e.correlationId ?? '')}</td>\n` +
        `    <td class="mono muted" title="${escapeHtml(e.traceId ?? '')}">` +
        `${escapeHtml(e.traceId ? `${e.traceId.slice(0, 12)}…` : '')}</td></tr>`,
    )
    .join('');
  const notes: string[] = [];
  if (events.length > shown.length)
    notes.push(
      `Showing the first ${int(shown.length)} of ${int(events.length)} events; all of them are in result.json.`,
    );
  if (result.timeline.dropped > 0)
    notes.push(`${int(result.timeline.dropped)} more events were not kept by the run (timeline limit).`);
  const table =
    events.length === 0
      ? '<div class="empty">No events in this run.</div>'
      : '<div class="timeline"><table class="data" id="timeline"><thead><tr><th class="num">time</th><th>event</th>' +
        '<th>process</th><th>detail</th><th>correlation id</th><th>trace</th></tr></thead>' +
        `<tbody>${rows}</tbody></table></div>`;
  return (
    '<section class="card"><h2>Event timeline ' +
    `<span class="muted" style="font-weight:400;font-size:13px">${int(events.length)} events</span></h2>${table}` +
    `${notes.length ? `<div class="note" id="timeline-note">${notes.join(' ')}</div>` : ''}</section>`
  );
}
