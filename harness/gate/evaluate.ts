import type { GateResult, ScenarioResult } from '../model/result-schema.ts';
import { formatMetricValue, whoText } from './format-gates.ts';
import { evaluatePhaseGate } from './evaluate-phase.ts';
import { compare, type ParsedGate } from './parse-gate.ts';

/**
 * Evaluates parsed gates against one run. A gate over a metric with nothing to judge (no
 * samples) fails and says why: k6 passes such a threshold, which lets a run that answered
 * nothing sail through `p99<50ms`.
 */
export function evaluateGates(
  result: ScenarioResult,
  gates: readonly ParsedGate[],
  source: GateResult['source'] = 'cli',
): GateResult[] {
  return gates.map((gate): GateResult => {
    if (gate.phase) return evaluatePhaseGate(result, { ...gate, phase: gate.phase }, source);
    const common = {
      expression: gate.expression,
      metric: gate.metric,
      threshold: gate.threshold,
      unit: gate.unit,
      source,
    };
    const reading = gate.definition.read(result);
    if (reading.value === null) {
      return {
        ...common,
        passed: false,
        actual: null,
        detail: `${gate.metric}: ${reading.why}, so "${gate.expression}" cannot pass: FAIL`,
      };
    }
    const passed = compare(reading.value, gate.operator, gate.threshold);
    const shown =
      `${gate.metric} ${formatMetricValue(reading.value, gate.unit)} ` +
      `${gate.operator} ${formatMetricValue(gate.threshold, gate.unit)}${whoText(reading.who)}`;
    return { ...common, passed, actual: reading.value, detail: `${shown}: ${passed ? 'pass' : 'FAIL'}` };
  });
}
