import type { GateResult, ScenarioResult } from '../model/result-schema.ts';
import { BaselineError, environmentOf, type Baseline, type BaselineEnvironment } from './baseline-schema.ts';
import { formatMetricValue } from './format-gates.ts';
import { lookupMetric, type MetricDefinition } from './metrics.ts';
import { aggregateRepeats, type RepeatedMetric, type Spread } from './repeats.ts';

/** Compared when no `metrics` are given: the numbers the README promises. */
export const DEFAULT_COMPARED_METRICS: readonly string[] = [
  'p50',
  'p90',
  'p99',
  'throughput',
  'errors',
  'wrong_results',
  'mismatched_correlation',
  'checks_failed',
];

export interface CompareOptions {
  /** How much worse than the baseline median a metric may get, in percent of it. */
  readonly tolerancePct: number;
  /** Metric names (any gate spelling) to compare; default DEFAULT_COMPARED_METRICS. */
  readonly metrics?: readonly string[];
}

/**
 * Compares runs (one, or the N of `--repeat N`) with a baseline, metric by metric, on
 * medians. The noise rule, direction-aware (lower is better for latency and errors, higher
 * for throughput):
 *
 * - worse by no more than the tolerance: pass;
 * - worse by more than the tolerance: fail, unless repeats on either side were measured
 *   and the median difference is inside their observed noise band (the half-ranges of
 *   the current and baseline repeats added): then pass, "within noise". The band is only
 *   what was observed, never guessed for a single-run side, so a one-sided estimate is
 *   smaller and stricter;
 * - a single run on both sides: the tolerance alone decides, and the detail says
 *   "single run: noise unknown";
 * - correctness counts (wrong_results, mismatched_correlation, checks_failed): any run
 *   worse than the worst baseline run fails, whatever the tolerance and the noise.
 *
 * A metric the baseline has but no current run can measure fails (no samples).
 * Throws BaselineError for a bad tolerance, a metric that cannot be compared, or runs of
 * another scenario: those are configuration errors, not regressions.
 */
export function compareWithBaseline(
  results: readonly ScenarioResult[],
  baseline: Baseline,
  options: CompareOptions,
): GateResult[] {
  const { tolerancePct } = options;
  if (!Number.isFinite(tolerancePct) || tolerancePct < 0)
    throw new BaselineError(`tolerance must be a percentage >= 0, got ${tolerancePct}`);
  const first = results[0];
  if (!first) throw new BaselineError('no run to compare with the baseline');
  const otherScenario = results.find((result) => result.scenario.name !== baseline.scenario);
  if (otherScenario)
    throw new BaselineError(
      `the baseline is for scenario "${baseline.scenario}", the run is of "${otherScenario.scenario.name}"`,
    );

  const definitions = (options.metrics ?? DEFAULT_COMPARED_METRICS).map(comparableMetric);
  const current = aggregateRepeats(
    results,
    definitions.map((definition) => definition.name),
  );
  const environmentNote = describeDifferences(baseline.environment, environmentOf(first));

  return definitions.map((definition) => {
    const saved = baseline.metrics[definition.name];
    const now = current.metrics[definition.name];
    const gate = compareMetric(
      definition,
      now,
      saved,
      tolerancePct,
      current.withoutSamples[definition.name],
      Object.keys(baseline.metrics),
    );
    return environmentNote ? { ...gate, detail: `${gate.detail}; ${environmentNote}` } : gate;
  });
}

function comparableMetric(name: string): MetricDefinition {
  const found = lookupMetric(name);
  if ('problem' in found) throw new BaselineError(`cannot compare "${name}" with a baseline: ${found.problem}`);
  if (found.definition.better === 'neither') {
    throw new BaselineError(
      `cannot compare "${name}" with a baseline: its right value depends on the faults, ` +
        `so neither direction is a regression; gate it with an expression (e.g. "${name}>=1")`,
    );
  }
  return found.definition;
}

function compareMetric(
  definition: MetricDefinition,
  now: RepeatedMetric | undefined,
  saved: Baseline['metrics'][string] | undefined,
  tolerancePct: number,
  whyNoSamples: string | undefined,
  savedNames: readonly string[],
): GateResult {
  const metric = definition.name;
  const unit = saved?.unit ?? now?.unit ?? '';
  const gate = baselineGate(metric, tolerancePct, unit);
  if (!saved) {
    const detail =
      `${metric}: the baseline has no value for it (it has ${savedNames.join(', ') || 'nothing'}); ` +
      `save a new baseline: FAIL`;
    return gate({ passed: false, actual: now?.median ?? null, threshold: 0, baseline: null, detail });
  }
  if (!now) {
    const detail =
      `${metric}: ${whyNoSamples ?? 'no samples'} in this run, ` +
      `baseline ${formatMetricValue(saved.median, unit)}: FAIL`;
    return gate({ passed: false, actual: null, threshold: saved.median, baseline: saved.median, detail });
  }
  const runs = now.values.length + now.runsWithoutSamples;
  const partial = now.runsWithoutSamples > 0 ? `; ${now.values.length} of ${runs} runs had samples` : '';

  if (definition.zeroTolerance) {
    // The worst run, not the median: one wrong result in three runs is still a wrong result.
    const passed = now.max <= saved.max;
    const shown =
      `${metric} ${formatMetricValue(now.max, unit)} vs baseline ` +
      `${formatMetricValue(saved.max, unit)}${runs > 1 ? ` (worst of ${runs} runs)` : ''}`;
    const outcome = passed ? 'no increase' : 'FAIL: must never increase, whatever the tolerance';
    const detail = `${shown}: ${outcome}${partial}`;
    return gate({ passed, actual: now.max, threshold: saved.max, baseline: saved.max, detail });
  }

  const better = definition.better === 'higher' ? 'higher' : 'lower';
  const worse = better === 'lower' ? now.median - saved.median : saved.median - now.median;
  const worsePct =
    saved.median === 0 ? (worse > 0 ? Infinity : worse < 0 ? -Infinity : 0) : (worse / Math.abs(saved.median)) * 100;
  const { passed, verdict } = toleranceVerdict(worse, worsePct, tolerancePct, noiseBand(now, saved, unit));
  const factor = better === 'lower' ? 1 + tolerancePct / 100 : 1 - tolerancePct / 100;
  const change =
    worse === 0
      ? 'unchanged'
      : saved.median === 0
        ? 'up from 0'
        : `${Math.abs(worsePct).toFixed(1)}% ${worse > 0 ? 'worse' : 'better'}`;
  const shown =
    `${metric} ${formatMetricValue(now.median, unit)} vs baseline ` +
    `${formatMetricValue(saved.median, unit)} (${change})`;
  const median = now.values.length > 1 ? `; median of ${now.values.length} runs` : '';
  const detail = `${shown}: ${verdict}${median}${partial}`;
  return gate({ passed, actual: now.median, threshold: saved.median * factor, baseline: saved.median, detail });
}

type BaselineOutcome = Pick<GateResult, 'passed' | 'actual' | 'threshold' | 'baseline' | 'detail'>;

/** A baseline gate's result, from what its comparison found. */
function baselineGate(metric: string, tolerancePct: number, unit: string): (outcome: BaselineOutcome) => GateResult {
  const expression = `${metric} vs baseline ±${tolerancePct}%`;
  return ({ passed, actual, threshold, baseline, detail }) => ({
    expression,
    metric,
    passed,
    actual,
    threshold,
    unit,
    baseline,
    detail,
    source: 'baseline',
  });
}

/** Within the tolerance passes; beyond it passes only when the runs' own noise covers the change. */
function toleranceVerdict(
  worse: number,
  worsePct: number,
  tolerancePct: number,
  noise: ReturnType<typeof noiseBand>,
): { passed: boolean; verdict: string } {
  // An unchanged value (e.g. errors 0 -> 0) says nothing about noise, and a band of 0 is no band.
  const withinNoise = noise !== undefined && worse !== 0 && noise.band > 0 && Math.abs(worse) <= noise.band;
  if (worsePct <= tolerancePct) {
    const noiseNote =
      noise === undefined ? ' (single run: noise unknown)' : withinNoise ? `, within noise (${noise.text})` : '';
    return { passed: true, verdict: `within tolerance ${tolerancePct}%${noiseNote}` };
  }
  if (withinNoise) {
    const verdict =
      `beyond tolerance ${tolerancePct}% but within noise (${noise.text}); ` +
      `the runs vary more than the tolerance: add repeats or lengthen the runs to tell`;
    return { passed: true, verdict };
  }
  const verdict =
    `FAIL: beyond tolerance ${tolerancePct}%` +
    `${noise === undefined ? ' (single run: noise unknown)' : ` and noise ${noise.text}`}`;
  return { passed: false, verdict };
}

/**
 * The noise band observed across repeats: the current half-range plus the baseline
 * half-range (each median may sit anywhere within its own runs' scatter). undefined when
 * neither side was repeated: then there is nothing to measure noise with.
 */
function noiseBand(
  now: RepeatedMetric,
  saved: Spread & { readonly values: readonly number[] },
  unit: string,
): { band: number; text: string } | undefined {
  const nowRepeated = now.values.length > 1;
  const savedRepeated = saved.values.length > 1;
  if (!nowRepeated && !savedRepeated) return undefined;
  const band = (nowRepeated ? now.halfRange : 0) + (savedRepeated ? saved.halfRange : 0);
  const size =
    saved.median !== 0
      ? `±${((band / Math.abs(saved.median)) * 100).toFixed(1)}%`
      : `±${formatMetricValue(band, unit)}`;
  const source =
    nowRepeated && savedRepeated
      ? 'across repeats'
      : nowRepeated
        ? `from this run's ${now.values.length} repeats only; the baseline is one run`
        : `from the baseline's ${saved.values.length} repeats only; this is one run`;
  return { band, text: `${size} ${source}` };
}

/** "environment differs from the baseline: cpus 2 -> 8", or '' when everything matches. */
function describeDifferences(saved: BaselineEnvironment, now: BaselineEnvironment): string {
  const keys = Object.keys(saved) as (keyof BaselineEnvironment)[];
  const differences = keys.filter((key) => saved[key] !== now[key]).map((key) => `${key} ${saved[key]} -> ${now[key]}`);
  return differences.length > 0 ? `environment differs from the baseline: ${differences.join(', ')}` : '';
}
