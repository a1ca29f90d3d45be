import { withUnit } from '../../format.ts';
import type { ScenarioResult } from '../../../model/result-schema.ts';
import { escapeHtml } from '../escape.ts';

const mark = (passed: boolean) => (passed ? '<span class="ok">PASS</span>' : '<span class="bad">FAIL</span>');

/** Checks (correctness) and gates (thresholds), each with the numbers behind its verdict. */
export function renderVerdicts(result: ScenarioResult): string {
  const checks = result.checks
    .map(
      (c) =>
        `<tr class="${c.passed ? '' : 'failed'}"><td>${mark(c.passed)}</td><td>${escapeHtml(c.title)}</td>` +
        `<td>${escapeHtml(c.expectation)}</td><td class="mono">${escapeHtml(c.actual)}</td></tr>`,
    )
    .join('');
  const checksTable =
    result.checks.length === 0
      ? '<div class="empty">This scenario declares no checks.</div>'
      : '<table class="data" id="checks"><thead><tr><th style="width:56px"></th><th>check</th><th>must hold</th>' +
        `<th>measured</th></tr></thead><tbody>${checks}</tbody></table>`;
  const gates = result.gates
    .map(
      (g) =>
        `<tr class="${g.passed ? '' : 'failed'}"><td>${mark(g.passed)}</td>` +
        `<td class="mono">${escapeHtml(g.expression)}</td>\n` +
        `    <td class="num">${escapeHtml(withUnit(g.actual, g.unit))}</td>` +
        `<td class="num">${escapeHtml(withUnit(g.threshold, g.unit))}</td>\n` +
        '    <td class="num">' +
        `${g.baseline === undefined || g.baseline === null ? '–' : escapeHtml(withUnit(g.baseline, g.unit))}</td>\n` +
        `    <td>${escapeHtml(g.source)}</td><td class="mono">${escapeHtml(g.detail)}</td></tr>`,
    )
    .join('');
  const gatesTable =
    result.gates.length === 0
      ? '<div class="empty">No gates were set for this run.</div>'
      : '<table class="data" id="gates"><thead><tr><th style="width:56px"></th><th>gate</th>' +
        '<th class="num">measured</th><th class="num">threshold</th><th class="num">baseline</th>' +
        '<th>from</th><th>detail</th></tr></thead>' +
        `<tbody>${gates}</tbody></table>`;
  const errors =
    result.harnessErrors.length === 0
      ? ''
      : '<h3 class="bad">Harness errors</h3>' +
        `<ul>${result.harnessErrors.map((e) => `<li class="mono">${escapeHtml(e)}</li>`).join('')}</ul>`;
  const warnings = (result.warnings ?? [])
    .map((w) => `<p class="bad warning"><strong>Warning:</strong> ${escapeHtml(w)}</p>`)
    .join('');
  return `<section class="card"><h2>Checks</h2>${warnings}${checksTable}<h3>Gates</h3>${gatesTable}${errors}</section>`;
}
