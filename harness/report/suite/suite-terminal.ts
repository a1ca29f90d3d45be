/**
 * The suite's verdicts for the terminal: a grid of status words (scenarios × implementations),
 * then one line per cell that did not pass, with its reason.
 */
import type { CellStatus, SuiteResult } from '../../model/suite-schema.ts';
import { CELL_STATUS_TEXT } from './cell-status-text.ts';

const word = (status: CellStatus) => CELL_STATUS_TEXT[status].word.toUpperCase();

const COLOURS: Partial<Record<CellStatus, string>> = {
  pass: '\x1b[32m',
  fail: '\x1b[31m',
  error: '\x1b[31m',
  'expected-fail': '\x1b[33m',
  'unexpected-pass': '\x1b[33m',
};

const MAX_REASON = 200;

export function formatSuiteTerminal(suite: SuiteResult, options: { color: boolean }): string {
  const paint = (status: CellStatus, text: string) =>
    options.color && COLOURS[status] ? `${COLOURS[status]}${text}\x1b[0m` : text;
  const names = suite.implementations.map((implementation) => implementation.name);
  const rowWidth = Math.max(8, ...suite.scenarios.map((scenario) => scenario.name.length));
  const widths = names.map((name) => Math.max(15, name.length));
  const verdict = suite.suite.exitCode === 0 ? 'PASS' : suite.suite.interrupted ? 'INTERRUPTED' : 'FAIL';
  const broker = suite.environment.broker;
  const starts = suite.environment.brokerStarts;
  const lines = [
    `suite  ${verdict} (exit ${suite.suite.exitCode})  ${suite.scenarios.length} scenarios × ` +
      `${names.length} ${names.length === 1 ? 'implementation' : 'implementations'} · ` +
      `${(suite.suite.durationMs / 1000).toFixed(1)} s` +
      (broker ? ` · ${broker.description} (${starts} broker ${starts === 1 ? 'start' : 'starts'})` : ''),
    '',
    `  ${''.padEnd(rowWidth)}  ${names.map((name, index) => name.padEnd(widths[index]!)).join('  ')}`.trimEnd(),
  ];
  for (const scenario of suite.scenarios) {
    const row = names.map((name, index) => {
      const cell = suite.cells.find((each) => each.scenario === scenario.name && each.implementation === name);
      return cell ? paint(cell.status, word(cell.status).padEnd(widths[index]!)) : ''.padEnd(widths[index]!);
    });
    lines.push(`  ${scenario.name.padEnd(rowWidth)}  ${row.join('  ')}`.trimEnd());
  }
  const notPassed = suite.cells.filter((cell) => cell.status !== 'pass');
  if (notPassed.length > 0) lines.push('');
  for (const cell of notPassed) {
    const reason = cell.reason.length > MAX_REASON ? `${cell.reason.slice(0, MAX_REASON - 1)}…` : cell.reason;
    const declared = cell.expectedFailReason ? ` [declared: ${cell.expectedFailReason}]` : '';
    lines.push(
      `  ${paint(cell.status, word(cell.status))} ${cell.scenario} × ${cell.implementation}: ${reason}${declared}`,
    );
  }
  const totals = Object.entries(suite.totals)
    .filter(([, count]) => count > 0)
    .map(([status, count]) => `${count} ${CELL_STATUS_TEXT[status as CellStatus].word}`);
  lines.push('', `  totals: ${totals.join(', ')}`);
  return lines.join('\n');
}
