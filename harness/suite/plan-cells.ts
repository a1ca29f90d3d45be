/**
 * The cells of a suite, scenario by implementation, each validated before any broker starts: a
 * runnable definition with its gates, or why it does not apply to that implementation. A problem
 * of the scenario itself or of a gate makes the whole suite unable to run.
 */
import { prepareGates, type PreparedGates } from '../gate/apply-gates.ts';
import type { SuiteImplementation } from '../model/suite-schema.ts';
import { applyOverrides, type ScenarioOverrides } from '../scenario/apply-overrides.ts';
import type { ScenarioDefinition } from '../scenario/define-scenario.ts';

export type PlannedCell =
  | {
      readonly kind: 'run';
      readonly scenario: ScenarioDefinition;
      readonly implementation: SuiteImplementation;
      readonly definition: ScenarioDefinition;
      readonly gates: PreparedGates;
      readonly gateExpressions: readonly string[];
      /** What the suite changed for this implementation, said in the cell's reason. */
      readonly adjustments: readonly string[];
    }
  | {
      readonly kind: 'not-applicable';
      readonly scenario: ScenarioDefinition;
      readonly implementation: SuiteImplementation;
      readonly reason: string;
    };

export interface CellPlanOptions {
  /** Gates added to every cell, on top of each scenario's own. */
  readonly gates: readonly string[];
  /** Overrides for every cell (e.g. `--ready-timeout`, `--warmup-calls`). */
  readonly overrides?: ScenarioOverrides;
}

export function planCells(
  scenarios: readonly ScenarioDefinition[],
  implementations: readonly SuiteImplementation[],
  options: CellPlanOptions,
): { cells: PlannedCell[]; errors: string[] } {
  const cells: PlannedCell[] = [];
  const errors: string[] = [];
  for (const scenario of scenarios) {
    const own = applyOverrides(scenario, options.overrides ?? {});
    if (own.errors.length > 0) {
      errors.push(`${scenario.name}: ${own.errors.join('; ')}`);
      continue;
    }
    const gateExpressions = [...new Set([...scenario.gates, ...options.gates].map((gate) => gate.trim()))];
    let gates: PreparedGates;
    try {
      gates = prepareGates(gateExpressions, {
        tolerancePct: 0,
        scenario: scenario.name,
        scenarioGates: scenario.gates,
        faults: scenario.faults,
      });
    } catch (error) {
      errors.push(`${scenario.name}: ${(error as Error).message}`);
      continue;
    }
    for (const implementation of implementations) {
      cells.push(planCell(scenario, implementation, options, gates, gateExpressions));
    }
  }
  return { cells, errors };
}

function planCell(
  scenario: ScenarioDefinition,
  implementation: SuiteImplementation,
  options: CellPlanOptions,
  gates: PreparedGates,
  gateExpressions: readonly string[],
): PlannedCell {
  const adjustments: string[] = [];
  // An external client publishes as it likes: a scenario that asks the built-in client for
  // publisher confirms runs without them, as `--no-confirm-requests` does for a single run.
  const unconfirmed = implementation.clientCommand !== undefined && scenario.topology.confirmRequests === true;
  if (unconfirmed) adjustments.push('requests published without confirms (external client)');
  const { definition, errors } = applyOverrides(scenario, {
    ...options.overrides,
    ...(implementation.serverCommand ? { serverCommand: implementation.serverCommand } : {}),
    ...(implementation.clientCommand ? { clientCommand: implementation.clientCommand } : {}),
    ...(unconfirmed ? { confirmRequests: false } : {}),
  });
  if (errors.length > 0) return { kind: 'not-applicable', scenario, implementation, reason: errors.join('; ') };
  return { kind: 'run', scenario, implementation, definition, gates, gateExpressions, adjustments };
}
