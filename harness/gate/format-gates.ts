import type { GateResult } from '../model/result-schema.ts';

/**
 * The gates as an aligned terminal table, one line per gate: `  PASS  <expression>  <detail>`.
 * The two-space indent and the PASS/FAIL word first are relied on by the terminal summary,
 * which colours that word.
 */
export function formatGateTable(gates: readonly GateResult[]): string {
  if (gates.length === 0) return '';
  const width = Math.max(...gates.map((gate) => gate.expression.length));
  return gates
    .map((gate) => `  ${gate.passed ? 'PASS' : 'FAIL'}  ${gate.expression.padEnd(width)}  ${gate.detail}`)
    .join('\n');
}

/**
 * A metric value with its unit, precise enough to tell two close runs apart without
 * printing HDR bucket noise: `12.35 ms`, `2491.8/s`, `0.125%`, `3`.
 */
export function formatMetricValue(value: number, unit: string): string {
  const digits = Number.isInteger(value) ? 0 : Math.abs(value) >= 100 ? 1 : Math.abs(value) >= 1 ? 2 : 3;
  const number = value.toFixed(digits);
  if (unit === '') return number;
  if (unit === '/s' || unit === '%') return `${number}${unit}`;
  return `${number} ${unit}`;
}

/** For a gate's detail: whose figure decided it, when not the whole run's (the worst client). */
export function whoText(who: string | undefined): string {
  return who === undefined ? '' : ` (worst client: ${who})`;
}
