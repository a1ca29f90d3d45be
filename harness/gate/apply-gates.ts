import { compareWithBaseline, loadBaseline, saveBaseline, type Baseline } from './baseline.ts';
import { evaluateGates } from './evaluate.ts';
import { parseGate, type ParsedGate } from './parse-gate.ts';
import { phaseSelectorErrors } from './phase-faults.ts';
import { describeFault, type FaultSpec } from '../chaos/fault-spec.ts';
import type { ScenarioResult } from '../model/result-schema.ts';

/** Gates parsed and the baseline loaded before anything runs, so a typo costs no broker start. */
export interface PreparedGates {
  readonly gates: readonly ParsedGate[];
  /** Expressions the scenario file declared (the rest came from the command line). */
  readonly fromScenario: ReadonlySet<string>;
  readonly baseline?: Baseline;
  readonly tolerancePct: number;
}

export function prepareGates(
  expressions: readonly string[],
  options: {
    baselineFile?: string;
    tolerancePct: number;
    scenario: string;
    scenarioGates?: readonly string[];
    faults: readonly FaultSpec[];
  },
): PreparedGates {
  const errors: string[] = [];
  const gates: ParsedGate[] = [];
  for (const expression of expressions) {
    try {
      gates.push(parseGate(expression));
    } catch (error) {
      errors.push((error as Error).message);
    }
  }
  // A phase gate naming a fault the scenario never schedules is a typo, not a failed gate.
  errors.push(
    ...phaseSelectorErrors(
      gates,
      options.faults.map((fault) => ({ kind: fault.kind, description: describeFault(fault).description })),
    ),
  );
  let baseline: Baseline | undefined;
  if (options.baselineFile) {
    try {
      baseline = loadBaseline(options.baselineFile, options.scenario);
    } catch (error) {
      errors.push((error as Error).message);
    }
  }
  if (errors.length > 0) throw new Error(errors.join('\n  - '));
  return { gates, baseline, tolerancePct: options.tolerancePct, fromScenario: new Set(options.scenarioGates ?? []) };
}

/**
 * Adds gate results to each run and fails its verdict when a gate fails. With a baseline,
 * the runs are compared together (medians of repeats) and the comparison is added to each.
 */
export function applyGates(
  results: readonly ScenarioResult[],
  prepared: PreparedGates,
  options: { saveBaselineFile?: string },
): { results: ScenarioResult[]; notes: string[] } {
  const notes: string[] = [];
  const baselineGates = prepared.baseline
    ? compareWithBaseline(results, prepared.baseline, { tolerancePct: prepared.tolerancePct })
    : [];
  const gated = results.map((result) => {
    const scenarioGates = prepared.gates.filter((gate) => prepared.fromScenario.has(gate.expression));
    const cliGates = prepared.gates.filter((gate) => !prepared.fromScenario.has(gate.expression));
    const gates = [
      ...evaluateGates(result, scenarioGates, 'scenario'),
      ...evaluateGates(result, cliGates, 'cli'),
      ...baselineGates,
    ];
    const gatesPassed = gates.every((gate) => gate.passed);
    const verdict = result.verdict === 'pass' && !gatesPassed ? 'fail' : result.verdict;
    return { ...result, gates, verdict } satisfies ScenarioResult;
  });
  if (options.saveBaselineFile) {
    // An interrupted or failed run makes no baseline; the run's own results are still written.
    try {
      saveBaseline(options.saveBaselineFile, gated);
      notes.push(`baseline written: ${options.saveBaselineFile} (${gated.length} run${gated.length === 1 ? '' : 's'})`);
    } catch (error) {
      notes.push(`baseline not written: ${(error as Error).message}`);
    }
  }
  return { results: gated, notes };
}
