import { EXIT_INTERRUPTED } from '../../exit-codes.ts';
import { instant } from '../format.ts';
import { escapeHtml } from '../html/escape.ts';
import { THEME_BUTTON } from '../html/page.ts';
import { CELL_STATUSES, type SuiteResult } from '../../model/suite-schema.ts';
import { CELL_STATUS_TEXT, durationText, exitCodeMeaning, suiteVerdict } from './cell-status-text.ts';

/** The suite's verdict and exit code, the facts needed to reproduce it, and how many cells ended each way. */
export function renderSuiteHeader(suite: SuiteResult): string {
  const env = suite.environment;
  const verdict = suiteVerdict(suite.suite.exitCode);
  const ending = suite.suite.interrupted ? 'interrupted' : 'ran to the end';
  const exit = `exit ${suite.suite.exitCode}: ${exitCodeMeaning(suite.suite.exitCode)}`;
  const facts: Array<[string, string]> = [
    ['started', instant(suite.suite.startedAt)],
    ['duration', `${durationText(suite.suite.durationMs)}, ${ending}`],
    ['broker', env.broker?.description ?? 'none recorded'],
    ['broker starts', `${env.brokerStarts}`],
    ['harness', `rpc-chaos ${env.harnessVersion}`],
    ['node', env.node],
    ['platform', env.platform],
    ['cpu', `${env.cpus} × ${env.cpuModel}`],
    ['host', env.hostname],
  ];
  const factCells = facts
    .map(([k, v]) => `<div><span class="k">${k}</span><span class="v">${escapeHtml(v)}</span></div>`)
    .join('');
  // Exit 130 already says so; an interruption under another exit code is named on its own.
  const stopped =
    suite.suite.interrupted && suite.suite.exitCode !== EXIT_INTERRUPTED
      ? '<span class="bad" id="interrupted">interrupted by Ctrl-C: the cells that had finished are kept</span>'
      : '';
  const cellCount = suite.scenarios.length * suite.implementations.length;
  return `<header class="top"><h1>rpc-chaos suite</h1>
    <span class="verdict ${verdict.tone}" id="verdict">${verdict.word}</span>
    <span class="exit" id="exit-code">${escapeHtml(exit)}</span>
    ${stopped}
    ${THEME_BUTTON}</header>
  <div class="description">${suite.scenarios.length} scenarios × ${suite.implementations.length} implementations
    = ${cellCount} cells · suite ${escapeHtml(suite.suite.id)}</div>
  <div class="env" id="environment">${factCells}</div>
  ${renderTotals(suite)}`;
}

function renderTotals(suite: SuiteResult): string {
  const totals = CELL_STATUSES.map((status) => {
    const n = suite.totals[status];
    const text = CELL_STATUS_TEXT[status];
    return (
      `<div class="total${n === 0 ? ' zero' : ''}" data-status="${status}" title="${escapeHtml(text.meaning)}">` +
      `<span class="badge ${status}">${escapeHtml(`${text.symbol} ${text.word}`)}</span>` +
      `<span class="n">${n}</span></div>`
    );
  }).join('');
  const legend = (['expected-fail', 'unexpected-pass'] as const)
    .map((status) => `<b>${CELL_STATUS_TEXT[status].word}</b>: ${escapeHtml(CELL_STATUS_TEXT[status].meaning)}`)
    .join(' · ');
  return `<div class="totals" id="totals">${totals}</div><p class="legend">${legend}</p>`;
}
