import { escapeHtml } from '../html/escape.ts';
import type { SuiteCell, SuiteImplementation, SuiteResult } from '../../model/suite-schema.ts';
import { CELL_STATUS_TEXT, commandText, durationText } from './cell-status-text.ts';
import { cellLookup, reportHref } from './suite-matrix.ts';

/**
 * Below this width a column's reasons wrap into a tower of short lines; with many implementations
 * the matrix scrolls inside its card instead, and the page itself never scrolls sideways.
 */
const MIN_COLUMN_PX = 230;
const MIN_SCENARIO_PX = 260;

/** The matrix: scenarios as rows, implementations as columns, one status, reason and link per cell. */
export function renderMatrix(suite: SuiteResult): string {
  const minWidth = MIN_SCENARIO_PX + MIN_COLUMN_PX * suite.implementations.length;
  const columns = suite.implementations.map(() => '<col>').join('');
  const head = suite.implementations.map(renderImplementationHeader).join('');
  const cellAt = cellLookup(suite);
  const rows = suite.scenarios
    .map((scenario) => {
      const tags = scenario.tags.length
        ? `<div class="tags">${scenario.tags.map((tag) => `<span>${escapeHtml(tag)}</span>`).join('')}</div>`
        : '';
      const cells = suite.implementations
        .map((implementation) => renderCell(cellAt(scenario.name, implementation.name)))
        .join('');
      return (
        `<tr data-scenario="${escapeHtml(scenario.name)}"><th scope="row">` +
        `<div class="scenario-name">${escapeHtml(scenario.name)}</div>` +
        `<div class="scenario-description">${escapeHtml(scenario.description)}</div>${tags}</th>${cells}</tr>`
      );
    })
    .join('\n');
  return `<section class="card" id="matrix"><h2>Scenarios × implementations</h2>
  <div class="matrix-scroll"><table class="matrix" style="--matrix-min:${minWidth}px">
  <colgroup><col class="scenario-col">${columns}</colgroup>
  <thead><tr><th scope="col">scenario</th>${head}</tr></thead>
  <tbody>
${rows}
  </tbody></table></div></section>`;
}

function renderImplementationHeader(implementation: SuiteImplementation): string {
  const command = (role: string, value: string | undefined) =>
    `<div class="impl-cmd">${role}: ` +
    `${value === undefined ? 'built-in' : `<span class="mono">${escapeHtml(commandText(value))}</span>`}</div>`;
  return (
    `<th scope="col" data-implementation="${escapeHtml(implementation.name)}">` +
    `<div class="impl-name">${escapeHtml(implementation.name)}</div>` +
    `${command('server', implementation.serverCommand)}${command('client', implementation.clientCommand)}</th>`
  );
}

function renderCell(cell: SuiteCell): string {
  const text = CELL_STATUS_TEXT[cell.status];
  const time = cell.durationMs === undefined ? '' : `<span class="cell-time">${durationText(cell.durationMs)}</span>`;
  const link =
    cell.runDir === undefined ? '' : `<a class="cell-link" href="${escapeHtml(reportHref(cell.runDir))}">report</a>`;
  const failed = cell.failed.length
    ? `<div class="failed-ids">not passed: ${cell.failed.map(escapeHtml).join(', ')}</div>`
    : '';
  const adjustments = cell.adjustments?.length
    ? `<div class="failed-ids">run with: ${cell.adjustments.map(escapeHtml).join('; ')}</div>`
    : '';
  return (
    `<td class="cell ${cell.status}" data-implementation="${escapeHtml(cell.implementation)}" ` +
    `data-status="${cell.status}">` +
    `<div class="cell-head"><span class="badge ${cell.status}" title="${escapeHtml(text.meaning)}">` +
    `${escapeHtml(`${text.symbol} ${text.word}`)}</span>${time}${link}</div>` +
    `${renderReason(cell)}${failed}${adjustments}</td>`
  );
}

/** An expected or unexpected result shows the declared reason beside what happened. */
function renderReason(cell: SuiteCell): string {
  const line = (label: string, text: string) =>
    `<div class="reason">${label ? `<span class="k">${label}:</span> ` : ''}${escapeHtml(text)}</div>`;
  const declared = cell.expectedFailReason;
  if (cell.status === 'expected-fail')
    return line('expected', declared ?? 'declared as an expected failure') + line('failed', cell.reason);
  if (cell.status === 'unexpected-pass')
    return line('declared to fail', declared ?? 'an expected failure') + line('passed', cell.reason);
  return cell.reason ? line('', cell.reason) : '';
}
