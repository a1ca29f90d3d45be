/**
 * A suite cell from its run's result: pass or fail as the run's verdict says, turned into an
 * expected failure (or an unexpected pass) when the implementation declared that scenario as one
 * it fails, with the one-line reason the run's diagnosis leads with.
 */
import type { ScenarioResult } from '../model/result-schema.ts';
import type { CellStatus, SuiteCell, SuiteImplementation } from '../model/suite-schema.ts';
import { EXIT_FAILED, EXIT_HARNESS_ERROR, EXIT_INTERRUPTED, EXIT_PASS } from '../exit-codes.ts';
import { diagnose } from '../report/diagnosis.ts';

export function cellOfResult(result: ScenarioResult, implementation: SuiteImplementation, runDir: string): SuiteCell {
  const expected = implementation.expectedFailures.find((each) => each.scenario === result.scenario.name);
  const failed = [
    ...result.checks.filter((check) => !check.passed).map((check) => check.id),
    ...result.gates.filter((gate) => !gate.passed).map((gate) => gate.expression),
  ];
  return {
    scenario: result.scenario.name,
    implementation: implementation.name,
    status: statusOf(result.verdict, expected !== undefined),
    reason: diagnose(result)?.failed ?? passedText(result),
    ...(expected ? { expectedFailReason: expected.reason } : {}),
    runDir,
    durationMs: result.run.durationMs,
    failed,
  };
}

function statusOf(verdict: ScenarioResult['verdict'], expectedToFail: boolean): CellStatus {
  switch (verdict) {
    case 'pass':
      return expectedToFail ? 'unexpected-pass' : 'pass';
    case 'fail':
      return expectedToFail ? 'expected-fail' : 'fail';
    case 'error':
      return 'error';
    case 'interrupted':
      return 'interrupted';
  }
}

function passedText(result: ScenarioResult): string {
  const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;
  const gates = result.gates.length > 0 ? ` and ${plural(result.gates.length, 'gate')}` : '';
  return `${plural(result.checks.length, 'check')}${gates} passed`;
}

/** A cell the suite never ran, or could not run for this implementation. */
export function cellNotRun(
  scenario: string,
  implementation: string,
  status: Extract<CellStatus, 'not-run' | 'not-applicable' | 'error'>,
  reason: string,
): SuiteCell {
  return { scenario, implementation, status, reason, failed: [] };
}

/** 0 all passed (expected failures included), 1 a cell failed, 2 a cell could not run, 130 interrupted. */
export function suiteExitCode(cells: readonly SuiteCell[], interrupted: boolean): number {
  if (interrupted) return EXIT_INTERRUPTED;
  if (cells.some((cell) => cell.status === 'error')) return EXIT_HARNESS_ERROR;
  return cells.some((cell) => cell.status === 'fail') ? EXIT_FAILED : EXIT_PASS;
}
