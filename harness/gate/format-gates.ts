import type { GateResult } from '../report/result-schema.ts';

/** The gates as an aligned terminal table. */
export function formatGateTable(gates: readonly GateResult[]): string {
  if (gates.length === 0) return '';
  const width = Math.max(...gates.map((gate) => gate.expression.length));
  return gates.map((gate) => `  ${gate.passed ? 'PASS' : 'FAIL'}  ${gate.expression.padEnd(width)}  ${gate.detail}`).join('\n');
}
