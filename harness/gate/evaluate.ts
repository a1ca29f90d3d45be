import type { GateResult, ScenarioResult } from '../report/result-schema.ts';
import { compare, type ParsedGate } from './parse-gate.ts';

/** Evaluates gates on one run. A gate over a metric with no samples fails (k6 would pass it). */
export function evaluateGates(result: ScenarioResult, gates: readonly ParsedGate[], source: GateResult['source'] = 'cli'): GateResult[] {
  return gates.map((gate) => {
    const actual = gate.definition.value(result);
    if (actual === undefined) {
      return { expression: gate.expression, metric: gate.metric, passed: false, actual: null, threshold: gate.threshold, unit: gate.unit, detail: `${gate.metric}: no samples (no call was answered), so the gate cannot pass`, source };
    }
    const passed = compare(actual, gate.operator, gate.threshold);
    return {
      expression: gate.expression,
      metric: gate.metric,
      passed,
      actual,
      threshold: gate.threshold,
      unit: gate.unit,
      detail: `${gate.metric} ${formatValue(actual, gate.unit)} ${gate.operator} ${formatValue(gate.threshold, gate.unit)}: ${passed ? 'pass' : 'FAIL'}`,
      source,
    };
  });
}

export function formatValue(value: number, unit: string): string {
  const digits = Number.isInteger(value) ? 0 : Math.abs(value) >= 100 ? 1 : Math.abs(value) >= 1 ? 2 : 3;
  const number = value.toFixed(digits);
  if (unit === '') return number;
  if (unit === '/s' || unit === '%') return `${number}${unit}`;
  return `${number} ${unit}`;
}
