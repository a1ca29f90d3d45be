/**
 * Runs a suite's cells one after another on a shared broker, writes each cell's run folder
 * (`<suite>/<implementation>/<scenario>/`) as a single run does, and returns the suite's result.
 * A library, like the engine: the CLI claims folders and renders the suite's reports.
 */
import { cpus, hostname } from 'node:os';
import { join } from 'node:path';
import type { BrokerChoice } from '../env/select-broker.ts';
import type { ProxyChoice } from '../env/select-proxy.ts';
import { runScenario } from '../engine/run-scenario.ts';
import type { RunProgress } from '../engine/run-contract.ts';
import { applyGates } from '../gate/apply-gates.ts';
import type { ScenarioDefinition } from '../scenario/define-scenario.ts';
import {
  CELL_STATUSES,
  SUITE_SCHEMA_VERSION,
  type CellStatus,
  type SuiteCell,
  type SuiteImplementation,
  type SuiteResult,
} from '../model/suite-schema.ts';
import { writeResult } from '../report/result-io.ts';
import { writeReports } from '../report/write-reports.ts';
import { HARNESS_VERSION } from '../version.ts';
import { cellNotRun, cellOfResult, suiteExitCode } from './cell-outcome.ts';
import type { PlannedCell } from './plan-cells.ts';
import { isSingleNode } from './select-scenarios.ts';
import { SharedBroker } from './shared-broker.ts';

export interface SuiteRunOptions {
  readonly suiteDir: string;
  readonly scenarios: readonly ScenarioDefinition[];
  readonly implementations: readonly SuiteImplementation[];
  readonly cells: readonly PlannedCell[];
  readonly broker: BrokerChoice;
  readonly proxy: ProxyChoice;
  readonly seed: number;
  readonly tracingEnabled: boolean;
  readonly signal: AbortSignal;
  /** Takes a cell's run folder before it runs (the CLI's run-folder lock); released after. */
  readonly claimCellFolder?: (dir: string) => { release(): void };
  readonly onCellStart?: (cell: { index: number; total: number; scenario: string; implementation: string }) => void;
  readonly onCellEnd?: (cell: SuiteCell, index: number) => void;
  readonly onPhase?: (phase: string) => void;
  readonly onProgress?: (progress: RunProgress) => void;
  /** Said to the user: e.g. a broker replaced between cells. */
  readonly onNote?: (note: string) => void;
}

/** The run folder of a cell, relative to the suite folder. */
export const cellRunDir = (implementation: string, scenario: string): string => join(implementation, scenario);

export async function runSuite(options: SuiteRunOptions): Promise<SuiteResult> {
  const startedAt = new Date();
  const shared = new SharedBroker(options.broker);
  const cells: SuiteCell[] = [];
  let brokerSeen: SuiteResult['environment']['broker'];
  try {
    for (const [index, planned] of options.cells.entries()) {
      const names = { scenario: planned.scenario.name, implementation: planned.implementation.name };
      if (options.signal.aborted) {
        cells.push(cellNotRun(names.scenario, names.implementation, 'not-run', 'not run: the suite was interrupted'));
        continue;
      }
      options.onCellStart?.({ index, total: options.cells.length, ...names });
      const cell = await runCell(planned, index, options, shared);
      if (shared.current && !brokerSeen) brokerSeen = describeBroker(shared);
      cells.push(cell);
      options.onCellEnd?.(cell, index);
      const note = await shared.checkAfterCell();
      if (note) options.onNote?.(note);
    }
  } finally {
    await shared.stop();
  }
  const endedAt = new Date();
  const interrupted = options.signal.aborted;
  return {
    schemaVersion: SUITE_SCHEMA_VERSION,
    suite: {
      id: `suite-${startedAt.toISOString()}`,
      startedAt: startedAt.toISOString(),
      endedAt: endedAt.toISOString(),
      durationMs: endedAt.getTime() - startedAt.getTime(),
      interrupted,
      exitCode: suiteExitCode(cells, interrupted),
    },
    environment: {
      harnessVersion: HARNESS_VERSION,
      node: process.version,
      platform: `${process.platform} ${process.arch}`,
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
      hostname: hostname(),
      ...(brokerSeen ? { broker: brokerSeen } : {}),
      brokerStarts: shared.starts,
    },
    scenarios: options.scenarios.map((scenario) => ({
      name: scenario.name,
      description: scenario.description,
      tags: [...(scenario.tags ?? [])],
    })),
    implementations: [...options.implementations],
    cells,
    totals: totalsOf(cells),
  };
}

async function runCell(
  planned: PlannedCell,
  index: number,
  options: SuiteRunOptions,
  shared: SharedBroker,
): Promise<SuiteCell> {
  const { scenario, implementation } = planned;
  if (planned.kind === 'not-applicable')
    return cellNotRun(scenario.name, implementation.name, 'not-applicable', planned.reason);
  const relativeDir = cellRunDir(implementation.name, scenario.name);
  const runDir = join(options.suiteDir, relativeDir);
  let folder: { release(): void } | undefined;
  try {
    folder = options.claimCellFolder?.(runDir);
    // A cluster scenario starts its own nodes; every other cell shares one broker.
    const broker = isSingleNode(planned.definition) ? await shared.get() : options.broker;
    const result = await runScenario({
      definition: planned.definition,
      broker,
      proxy: options.proxy,
      seed: options.seed + index,
      runDir,
      gates: planned.gateExpressions,
      tracing: {
        enabled: options.tracingEnabled,
        sampleRatio: planned.definition.tracing?.sampleRatio ?? 0.1,
      },
      signal: options.signal,
      onPhase: options.onPhase,
      onProgress: options.onProgress,
    });
    const [gated] = applyGates([result], planned.gates, {}).results;
    if (!gated) throw new Error('gating returned no result');
    writeResult(runDir, gated);
    writeReports(runDir, gated);
    const cell = cellOfResult(gated, implementation, relativeDir);
    return planned.adjustments.length > 0 ? { ...cell, adjustments: [...planned.adjustments] } : cell;
  } catch (error) {
    return cellNotRun(
      scenario.name,
      implementation.name,
      'error',
      `the harness could not run it: ${(error as Error).message}`,
    );
  } finally {
    folder?.release();
  }
}

function describeBroker(shared: SharedBroker): NonNullable<SuiteResult['environment']['broker']> {
  const broker = shared.current;
  return {
    kind: broker?.kind ?? 'unknown',
    version: broker?.getVersion() ?? 'unknown',
    description: broker?.describe() ?? '',
  };
}

function totalsOf(cells: readonly SuiteCell[]): Record<CellStatus, number> {
  const totals = Object.fromEntries(CELL_STATUSES.map((status) => [status, 0])) as Record<CellStatus, number>;
  for (const cell of cells) totals[cell.status]++;
  return totals;
}
