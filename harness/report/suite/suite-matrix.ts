import type { CellStatus, SuiteCell, SuiteResult } from '../../model/suite-schema.ts';

/** What a scenario × implementation pair with no cell in suite.json shows: it was never started. */
export const NO_CELL_REASON = 'no result recorded for this scenario and implementation';

/** The cells that fail the suite or ask for attention, in the order the summary lists them. */
export const ATTENTION_STATUSES: readonly CellStatus[] = ['fail', 'error', 'interrupted', 'unexpected-pass'];

/**
 * The cell of each scenario (row) × implementation (column), in suite.json's order. A pair the
 * suite never recorded reads as "not run", so every rendering shows the whole matrix.
 */
export function cellLookup(suite: SuiteResult): (scenario: string, implementation: string) => SuiteCell {
  const byPair = new Map(suite.cells.map((cell) => [pairKey(cell.scenario, cell.implementation), cell]));
  return (scenario, implementation) =>
    byPair.get(pairKey(scenario, implementation)) ?? {
      scenario,
      implementation,
      status: 'not-run',
      reason: NO_CELL_REASON,
      failed: [],
    };
}

function pairKey(scenario: string, implementation: string): string {
  return JSON.stringify([scenario, implementation]);
}

/** One implementation's column, top to bottom. */
export function columnCells(suite: SuiteResult, implementation: string): SuiteCell[] {
  const cellAt = cellLookup(suite);
  return suite.scenarios.map((scenario) => cellAt(scenario.name, implementation));
}

/** Every cell of the matrix, column by column. */
export function matrixCells(suite: SuiteResult): SuiteCell[] {
  const cellAt = cellLookup(suite);
  return suite.implementations.flatMap((implementation) =>
    suite.scenarios.map((scenario) => cellAt(scenario.name, implementation.name)),
  );
}

/** `<runDir>/report.html` as a link relative to the suite folder, each path segment URL-encoded. */
export function reportHref(runDir: string): string {
  return `${runDir.split('/').filter(Boolean).map(encodeURIComponent).join('/')}/report.html`;
}
