import type { ScenarioResult } from '../../../model/result-schema.ts';
import { diagnose } from '../../diagnosis.ts';
import { TABLE_GROUPS, errorGroupsLeftOut, groupTime } from '../../error-groups-view.ts';
import { int } from '../../format.ts';
import { escapeHtml } from '../escape.ts';

/** A failed run opens with why: the first failed check or gate, and the failed calls behind it. */
export function renderDiagnosis(result: ScenarioResult): string {
  const diagnosis = diagnose(result);
  if (!diagnosis) return '';
  return (
    `<section class="card why ${result.verdict}" id="diagnosis"><h2>Why it ${whyVerb(result)}</h2>` +
    `<p class="why-failed"><strong>${escapeHtml(diagnosis.headline)}</strong>` +
    `${diagnosis.detail ? `: ${escapeHtml(diagnosis.detail)}` : ''}</p>` +
    `${diagnosis.calls ? `<p class="why-calls">${escapeHtml(diagnosis.calls)}</p>` : ''}</section>`
  );
}

const whyVerb = (result: ScenarioResult) =>
  result.verdict === 'interrupted' ? 'stopped' : result.verdict === 'error' ? 'could not run' : 'failed';

/** Failed calls grouped by error text, per client process, largest first. */
export function renderErrorGroups(result: ScenarioResult): string {
  const groups = result.errorGroups?.groups ?? [];
  if (groups.length === 0) return '';
  const rows = groups
    .slice(0, TABLE_GROUPS)
    .map(
      (group) =>
        `<tr><td class="num">${int(group.count)}</td><td>${escapeHtml(group.process)}</td>` +
        `<td class="num">${groupTime(group.firstTMs)}</td><td class="num">${groupTime(group.lastTMs)}</td>` +
        `<td class="mono" title="${escapeHtml(group.pattern)}">${escapeHtml(group.example)}</td></tr>`,
    )
    .join('');
  const leftOut = errorGroupsLeftOut(result, TABLE_GROUPS);
  return (
    '<section class="card" id="error-groups"><h2>Failed calls by error</h2>' +
    '<table class="data"><thead><tr><th class="num">calls</th><th>process</th><th class="num">first</th>' +
    `<th class="num">last</th><th>error (one example)</th></tr></thead><tbody>${rows}</tbody></table>` +
    `<div class="note">Grouped by the error text with call ids, correlation ids and numbers set aside ` +
    `(hover an example for its pattern).${leftOut ? ` ${escapeHtml(leftOut)}.` : ''}</div></section>`
  );
}
