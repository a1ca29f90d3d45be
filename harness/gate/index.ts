/**
 * The gate module: thresholds on one run (`parseGate` + `evaluateGates`) and regression
 * checks against a saved baseline (`saveBaseline` / `loadBaseline` + `compareWithBaseline`).
 * It only reads ScenarioResult; it never runs or prints anything itself.
 */
export { parseGate, compare, GateParseError, OPERATORS, type Operator, type ParsedGate } from './parse-gate.ts';
export { evaluateGates } from './evaluate.ts';
export {
  FAULT_FAMILIES,
  FAULT_KINDS,
  matchFaults,
  phaseSelectorErrors,
  phaseWindow,
  callsInWindow,
  type PhaseKind,
  type PhaseSelector,
} from './phase-faults.ts';
export { phaseMetric, PHASE_METRIC_NAMES, type PhaseMetric } from './phase-metrics.ts';
export { formatGateTable, formatMetricValue } from './format-gates.ts';
export {
  lookupMetric,
  errorsOf,
  METRIC_NAMES_HELP,
  type MetricDefinition,
  type MetricKind,
  type Direction,
  type Reading,
} from './metrics.ts';
export {
  aggregateRepeats,
  spreadOf,
  BASELINE_METRICS,
  type AggregatedRuns,
  type RepeatedMetric,
  type Spread,
} from './repeats.ts';
export { extractBaselineMetrics, baselineFromRuns, saveBaseline, loadBaseline } from './baseline.ts';
export {
  BASELINE_VERSION,
  BaselineError,
  BaselineSchema,
  environmentOf,
  type Baseline,
  type BaselineEnvironment,
} from './baseline-schema.ts';
export { compareWithBaseline, DEFAULT_COMPARED_METRICS, type CompareOptions } from './compare-baseline.ts';
