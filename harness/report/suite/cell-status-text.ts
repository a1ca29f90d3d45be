import { EXIT_FAILED, EXIT_HARNESS_ERROR, EXIT_INTERRUPTED, EXIT_PASS } from '../../exit-codes.ts';
import type { CellStatus } from '../../model/suite-schema.ts';

export interface CellStatusText {
  /** The status as every rendering words it: `expected fail`. */
  readonly word: string;
  /**
   * A text symbol (no emoji: a job summary and a terminal show them alike), so no reader has to
   * tell two statuses apart by colour alone.
   */
  readonly symbol: string;
  /** What the status means, for a tooltip or a legend. */
  readonly meaning: string;
}

/** Every status's word, symbol and meaning: the page, summary.md and junit.xml say the same. */
export const CELL_STATUS_TEXT: Readonly<Record<CellStatus, CellStatusText>> = {
  pass: { word: 'pass', symbol: '✓', meaning: 'every check and gate passed' },
  fail: { word: 'fail', symbol: '✗', meaning: 'a check or gate failed: fails the suite' },
  'expected-fail': {
    word: 'expected fail',
    symbol: '⊘',
    meaning: 'failed, as the implementation declared it would: does not fail the suite',
  },
  'unexpected-pass': {
    word: 'unexpected pass',
    symbol: '✓!',
    meaning: 'declared as an expected failure, but passed: remove the declaration',
  },
  error: { word: 'error', symbol: '!', meaning: 'the harness could not run the scenario: fails the suite' },
  interrupted: { word: 'interrupted', symbol: '‖', meaning: 'stopped by Ctrl-C while it ran: a partial run' },
  'not-run': { word: 'not run', symbol: '○', meaning: 'not started: the suite stopped before it' },
  'not-applicable': {
    word: 'does not apply',
    symbol: '–',
    meaning: 'the scenario cannot drive this implementation (the reason says why): does not fail the suite',
  },
};

/** `✗ fail`: symbol and word together. */
export function statusLabel(status: CellStatus): string {
  const text = CELL_STATUS_TEXT[status];
  return `${text.symbol} ${text.word}`;
}

/** What the suite's exit code says, in the words of the CLI's help. */
export function exitCodeMeaning(exitCode: number): string {
  switch (exitCode) {
    case EXIT_PASS:
      return 'every cell passed (or failed as declared)';
    case EXIT_FAILED:
      return 'a cell failed';
    case EXIT_HARNESS_ERROR:
      return 'the suite or a cell could not run';
    case EXIT_INTERRUPTED:
      return 'interrupted by Ctrl-C: the finished cells are kept';
    default:
      return 'an exit code rpc-chaos does not define';
  }
}

/** The suite's verdict word for a header: PASS, FAIL, HARNESS ERROR or INTERRUPTED. */
export function suiteVerdict(exitCode: number): { readonly word: string; readonly tone: 'pass' | 'fail' | 'warn' } {
  if (exitCode === EXIT_PASS) return { word: 'PASS', tone: 'pass' };
  if (exitCode === EXIT_INTERRUPTED) return { word: 'INTERRUPTED', tone: 'warn' };
  if (exitCode === EXIT_HARNESS_ERROR) return { word: 'HARNESS ERROR', tone: 'fail' };
  return { word: 'FAIL', tone: 'fail' };
}

/** `4.2 s`, `2 min 05 s`: a cell takes seconds, a suite minutes. */
export function durationText(durationMs: number): string {
  if (durationMs < 60_000) return `${(durationMs / 1000).toFixed(1)} s`;
  const totalSeconds = Math.round(durationMs / 1000);
  return `${Math.floor(totalSeconds / 60)} min ${String(totalSeconds % 60).padStart(2, '0')} s`;
}

/** `python3 server.py` or `built-in`: how an implementation's server or client runs. */
export function commandText(command: string | undefined): string {
  return command ?? 'built-in';
}
