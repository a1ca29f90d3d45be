import type { ScenarioResult } from './result-schema.ts';
import { makeSyntheticResult as makeResult, type SyntheticShape } from './test-fixtures.ts';

/**
 * The older entry point with the shape first, kept because harness/bench/report-bench.ts
 * imports it; new code uses test-fixtures.ts.
 */
export function makeSyntheticResult(options: SyntheticShape = {}, overrides: Partial<ScenarioResult> = {}): ScenarioResult {
  return makeResult(overrides, options);
}
