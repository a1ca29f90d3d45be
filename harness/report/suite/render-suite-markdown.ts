import { EXIT_INTERRUPTED } from '../../exit-codes.ts';
import { instant } from '../format.ts';
import { CELL_STATUSES, type SuiteCell, type SuiteResult } from '../../model/suite-schema.ts';
import {
  CELL_STATUS_TEXT,
  commandText,
  durationText,
  exitCodeMeaning,
  statusLabel,
  suiteVerdict,
} from './cell-status-text.ts';
import { ATTENTION_STATUSES, cellLookup, matrixCells } from './suite-matrix.ts';

/** GitHub job summaries take 1 MiB per step; this one stays far below, whatever the reasons say. */
export const SUMMARY_BUDGET_BYTES = 100_000;
/** A table cell's reason is cut here: the table is for the overview, the list below has the rest. */
const TABLE_REASON_CHARS = 90;
/** A listed cell's reason is cut here: one reason never crowds out the others. */
const LISTED_REASON_CHARS = 1_500;
/** Room kept for the line that says how many cells were left out. */
const FOOTER_RESERVE_BYTES = 400;

/**
 * summary.md for a GitHub job summary: the verdict and totals, the matrix as a table (status
 * and a cut reason per cell), then each cell that failed or passed against its declaration,
 * with its reason and run folder, as many as fit in SUMMARY_BUDGET_BYTES.
 */
export function renderSuiteMarkdown(suite: SuiteResult): string {
  const head = headLines(suite).join('\n');
  const tableBudget = SUMMARY_BUDGET_BYTES / 2 - bytes(head);
  const withReasons = tableLines(suite, TABLE_REASON_CHARS, Number.POSITIVE_INFINITY).join('\n');
  // A matrix so large that even its cut reasons overflow the budget is shown by status alone.
  const table = bytes(withReasons) <= tableBudget ? withReasons : tableLines(suite, 0, tableBudget).join('\n');
  const top = `${head}\n\n${table}\n`;
  return top + attentionList(suite, SUMMARY_BUDGET_BYTES - bytes(top) - FOOTER_RESERVE_BYTES);
}

function headLines(suite: SuiteResult): string[] {
  const { suite: run, environment: env } = suite;
  const verdict = suiteVerdict(run.exitCode).word;
  const totals = CELL_STATUSES.filter((status) => suite.totals[status] > 0)
    .map((status) => `${suite.totals[status]} ${statusLabel(status)}`)
    .join(' · ');
  const broker = env.broker ? `${env.broker.kind} RabbitMQ ${env.broker.version}` : 'no broker';
  return [
    `## rpc-chaos suite — ${verdict}: ${totals || 'no cells'}`,
    '',
    `Exit code ${run.exitCode}: ${exitCodeMeaning(run.exitCode)}.` +
      `${run.interrupted && run.exitCode !== EXIT_INTERRUPTED ? ' **Interrupted** by Ctrl-C.' : ''}`,
    '',
    text(
      `${instant(run.startedAt)} · ${durationText(run.durationMs)} · ${suite.scenarios.length} scenarios × ` +
        `${suite.implementations.length} implementations · ${broker}, ${env.brokerStarts} broker ` +
        `${env.brokerStarts === 1 ? 'start' : 'starts'} · rpc-chaos ${env.harnessVersion} · node ${env.node} · ` +
        `${env.platform}, ${env.cpus} × ${env.cpuModel} · ${env.hostname}`,
    ),
    '',
    ...suite.implementations.map(
      (implementation) =>
        `- **${text(implementation.name)}**: server ${text(cut(commandText(implementation.serverCommand), 300))}, ` +
        `client ${text(cut(commandText(implementation.clientCommand), 300))}`,
    ),
  ];
}

function tableLines(suite: SuiteResult, reasonChars: number, budgetBytes: number): string[] {
  const names = suite.implementations.map((implementation) => implementation.name);
  const lines = [`| scenario | ${names.map(text).join(' | ')} |`, `|---|${names.map(() => '---').join('|')}|`];
  let used = bytes(lines.join('\n')) + FOOTER_RESERVE_BYTES;
  const cellAt = cellLookup(suite);
  for (const [index, scenario] of suite.scenarios.entries()) {
    const cells = names.map((name) => {
      const cell = cellAt(scenario.name, name);
      // A pass says "14 checks and 3 gates passed" in every row: the table shows only what differs.
      const shown = reasonChars > 0 && cell.status !== 'pass' && cell.reason;
      const reason = shown ? `: ${text(cut(cell.reason, reasonChars))}` : '';
      return `${statusLabel(cell.status)}${reason}`;
    });
    const row = `| ${text(scenario.name)} | ${cells.join(' | ')} |`;
    if (used + bytes(row) + 1 > budgetBytes) {
      const left = suite.scenarios.length - index;
      return [...lines, '', `…and ${left} more scenarios: see index.html and junit.xml in the suite folder.`];
    }
    lines.push(row);
    used += bytes(row) + 1;
  }
  return lines;
}

/** The cells that failed the suite or contradict a declaration, as many as the budget holds. */
function attentionList(suite: SuiteResult, budgetBytes: number): string {
  const all = matrixCells(suite);
  const cells = ATTENTION_STATUSES.flatMap((status) => all.filter((cell) => cell.status === status));
  if (cells.length === 0) return '';
  const lines = ['', '### Cells to look at', ''];
  let used = bytes(lines.join('\n'));
  let listed = 0;
  for (const cell of cells) {
    const line = attentionLine(cell);
    if (used + bytes(line) + 1 > budgetBytes) break;
    lines.push(line);
    used += bytes(line) + 1;
    listed++;
  }
  if (listed < cells.length)
    lines.push('', `…and ${cells.length - listed} more: see index.html and junit.xml in the suite folder.`);
  return `${lines.join('\n')}\n`;
}

function attentionLine(cell: SuiteCell): string {
  const where = cell.runDir === undefined ? 'no run folder' : `run folder \`${code(cell.runDir)}\``;
  const declared =
    cell.status === 'unexpected-pass'
      ? ` (declared to fail: ${text(cut(cell.expectedFailReason ?? 'no reason given', LISTED_REASON_CHARS))})`
      : '';
  const failed = cell.failed.length ? ` Failed: ${text(cut(cell.failed.join(', '), LISTED_REASON_CHARS))}.` : '';
  const reason = sentence(text(cut(cell.reason || CELL_STATUS_TEXT[cell.status].meaning, LISTED_REASON_CHARS)));
  return (
    `- **${statusLabel(cell.status)}** ${text(cell.scenario)} × ${text(cell.implementation)}${declared}: ` +
    `${reason}${failed} ${where}`
  );
}

/**
 * Plain text inside markdown, table cells included: one line, no pipe that ends a cell, nothing
 * GitHub would take for HTML, emphasis, a link or code.
 */
export function text(value: string): string {
  return value
    .replace(/\r?\n|\r/g, ' ')
    .replace(/[\\`*_[\]|]/g, (c) => `\\${c}`)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

/** A run folder inside a code span: backticks cannot close it, a pipe cannot end a table cell. */
function code(value: string): string {
  return value
    .replace(/`/g, "'")
    .replace(/\|/g, '\\|')
    .replace(/\r?\n|\r/g, ' ');
}

/** Cut at a word boundary near the limit, marked with an ellipsis. */
function cut(value: string, maxChars: number): string {
  const oneLine = value.replace(/\s+/g, ' ').trim();
  // By code point: a cut must not split a character in two.
  const characters = [...oneLine];
  if (characters.length <= maxChars) return oneLine;
  const head = characters.slice(0, maxChars - 1).join('');
  const space = head.lastIndexOf(' ');
  return `${space > head.length * 0.6 ? head.slice(0, space) : head}…`;
}

/** Ends with a full stop unless it already ends a sentence or was cut. */
function sentence(value: string): string {
  return /[.!?…]$/.test(value) ? value : `${value}.`;
}

function bytes(value: string): number {
  return Buffer.byteLength(value, 'utf8');
}
