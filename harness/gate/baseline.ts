import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import type { GateResult, ScenarioResult } from '../report/result-schema.ts';
import { formatValue } from './evaluate.ts';
import { resolveMetric, ZERO_TOLERANCE_METRICS } from './metrics.ts';

/** The numbers a baseline keeps; all lower-is-better except throughput. */
export const BASELINE_METRICS = ['p50', 'p90', 'p99', 'throughput', 'errors', 'wrong_results', 'mismatched_correlation', 'checks_failed'] as const;
export const BASELINE_VERSION = 1;

const BaselineSchema = z.object({
  baselineVersion: z.literal(BASELINE_VERSION),
  scenario: z.string(),
  createdAt: z.string(),
  runIds: z.array(z.string()).min(1),
  environment: z.object({ broker: z.string(), replyMode: z.string(), node: z.string(), cpus: z.number() }),
  metrics: z.record(z.string(), z.object({ values: z.array(z.number()).min(1), median: z.number(), unit: z.string() })),
});
export type Baseline = z.infer<typeof BaselineSchema>;

export interface RepeatedMetric {
  readonly values: number[];
  readonly median: number;
  /** Half the range of the repeats, relative to the median, in percent (0 for a single run). */
  readonly spreadPct: number;
}

/** Metric values across repeated runs; runs without samples for a metric are left out. */
export function aggregateRepeats(results: readonly ScenarioResult[], metric: string): RepeatedMetric | undefined {
  const definition = resolveMetric(metric);
  if (!definition) throw new Error(`unknown baseline metric "${metric}"`);
  const values = results.map((r) => definition.value(r)).filter((v): v is number => v !== undefined);
  if (values.length === 0) return undefined;
  const median = medianOf(values);
  const spreadPct = values.length > 1 && median !== 0 ? ((Math.max(...values) - Math.min(...values)) / 2 / Math.abs(median)) * 100 : 0;
  return { values, median, spreadPct };
}

export function saveBaseline(file: string, results: readonly ScenarioResult[]): Baseline {
  const first = results[0];
  if (!first) throw new Error('no run to save as a baseline');
  const metrics: Baseline['metrics'] = {};
  for (const metric of BASELINE_METRICS) {
    const repeated = aggregateRepeats(results, metric);
    if (repeated) metrics[metric] = { values: repeated.values, median: repeated.median, unit: unitOf(metric) };
  }
  const baseline: Baseline = {
    baselineVersion: BASELINE_VERSION,
    scenario: first.scenario.name,
    createdAt: new Date().toISOString(),
    runIds: results.map((r) => r.run.id),
    environment: { broker: `${first.environment.broker.kind} ${first.environment.broker.version}`, replyMode: first.environment.replyMode, node: first.environment.node, cpus: first.environment.cpus },
    metrics,
  };
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(baseline, null, 2)}\n`);
  return baseline;
}

export function loadBaseline(file: string, scenario?: string): Baseline {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`cannot read baseline ${file}: ${(error as Error).message}`);
  }
  const parsed = BaselineSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`baseline ${file} is invalid: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  if (scenario !== undefined && parsed.data.scenario !== scenario) {
    throw new Error(`baseline ${file} was saved for scenario "${parsed.data.scenario}", not "${scenario}"`);
  }
  return parsed.data;
}

/**
 * Compares runs with a baseline, metric by metric, on medians. Noise is judged honestly:
 * a regression fails only when it exceeds the tolerance AND the noise band measured by the
 * repeats (the current and the baseline spread added); a difference inside the band passes
 * and says "within noise". With one run on either side the noise is unknown and only the
 * tolerance decides, which the detail says. Correctness counts fail on any increase.
 */
export function compareWithBaseline(results: readonly ScenarioResult[], baseline: Baseline, options: { tolerancePct: number }): GateResult[] {
  const gates: GateResult[] = [];
  for (const [metric, saved] of Object.entries(baseline.metrics)) {
    const definition = resolveMetric(metric);
    const current = aggregateRepeats(results, metric);
    if (!definition) continue;
    const expression = `${metric} vs baseline ±${options.tolerancePct}%`;
    if (!current) {
      gates.push({ expression, metric, passed: false, actual: null, threshold: saved.median, unit: saved.unit, baseline: saved.median, detail: `${metric}: no samples in this run`, source: 'baseline' });
      continue;
    }
    const baseSpread = saved.values.length > 1 && saved.median !== 0 ? ((Math.max(...saved.values) - Math.min(...saved.values)) / 2 / Math.abs(saved.median)) * 100 : 0;
    const noisePct = current.spreadPct + baseSpread;
    const noiseKnown = current.values.length > 1 && saved.values.length > 1;
    const worseBy = regressionPct(current.median, saved.median, definition.better);
    const change = worseBy > 0 ? `${worseBy === Infinity ? 'up from 0' : `${worseBy.toFixed(1)}% worse`}` : worseBy < 0 ? `${Math.abs(worseBy).toFixed(1)}% better` : 'unchanged';
    const delta = `${formatValue(current.median, saved.unit)} vs baseline ${formatValue(saved.median, saved.unit)} (${change})`;
    let passed: boolean;
    let verdict: string;
    if (ZERO_TOLERANCE_METRICS.has(metric)) {
      passed = current.median <= saved.median;
      verdict = passed ? 'no increase' : 'FAIL: must never increase';
    } else if (worseBy <= options.tolerancePct) {
      passed = true;
      verdict = `within tolerance ${options.tolerancePct}%`;
    } else if (noiseKnown && worseBy <= noisePct) {
      passed = true;
      verdict = `beyond tolerance but within noise (±${noisePct.toFixed(1)}% across repeats)`;
    } else {
      passed = false;
      verdict = `FAIL: beyond tolerance ${options.tolerancePct}%${noiseKnown ? ` and noise ±${noisePct.toFixed(1)}%` : ' (single run: noise unknown)'}`;
    }
    const thresholdFactor = definition.better === 'lower' ? 1 + options.tolerancePct / 100 : 1 - options.tolerancePct / 100;
    gates.push({
      expression,
      metric,
      passed,
      actual: current.median,
      threshold: ZERO_TOLERANCE_METRICS.has(metric) ? saved.median : saved.median * thresholdFactor,
      unit: saved.unit,
      baseline: saved.median,
      detail: `${metric} ${delta}: ${verdict}${current.values.length > 1 ? `; median of ${current.values.length} runs` : ''}`,
      source: 'baseline',
    });
  }
  return gates;
}

/** How much worse `current` is than `base`, in percent of base (negative = better). */
function regressionPct(current: number, base: number, better: 'lower' | 'higher'): number {
  if (base === 0) return current === 0 ? 0 : better === 'lower' ? (current > 0 ? Infinity : -Infinity) : -Infinity;
  const change = ((current - base) / Math.abs(base)) * 100;
  return better === 'lower' ? change : -change;
}

function unitOf(metric: string): string {
  const kind = resolveMetric(metric)?.kind;
  return kind === 'latency' ? 'ms' : kind === 'rate' ? '/s' : kind === 'percent' ? '%' : '';
}

function medianOf(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
