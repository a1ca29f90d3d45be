import type { ScenarioResult } from '../../../model/result-schema.ts';
import { participantRows, segmentsHeadline } from '../../segment-participants.ts';
import { escapeHtml } from '../escape.ts';

/** A run merged from execution segments: who took part, from where, when each started against the agreed time. */
export function renderSegments(result: ScenarioResult): string {
  if (!result.segments) return '';
  const rows = participantRows(result.segments)
    .map(
      (row) =>
        `<tr><td>${escapeHtml(row.who)}</td><td>${escapeHtml(row.host)}</td>` +
        `<td class="num">${escapeHtml(row.startOffset)}</td><td class="num">${row.sent}</td>` +
        `<td class="num">${row.answered}</td><td>${escapeHtml(row.implementation)}</td>` +
        `<td><code>${escapeHtml(row.dir)}</code></td></tr>`,
    )
    .join('');
  return (
    `<section class="card" id="segments"><h2>Execution segments</h2>
    <div class="note">${escapeHtml(segmentsHeadline(result.segments))}. ` +
    "Histograms merged exactly from each participant's encoded form; checks and gates evaluated on the merged run." +
    `</div>
    <table class="data segments"><thead><tr><th>participant</th><th>host</th><th class="num">started vs agreed</th>` +
    '<th class="num">sent</th><th class="num">answered</th><th>implementation</th><th>result folder</th></tr></thead>' +
    `<tbody>${rows}</tbody></table></section>`
  );
}
