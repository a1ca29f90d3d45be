import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { makeDirectory } from '../env/output-paths.ts';
import type { ScenarioResult } from '../model/result-schema.ts';
import { BASELINE_VERSION, BaselineError, BaselineSchema, environmentOf, type Baseline } from './baseline-schema.ts';
import { aggregateRepeats, BASELINE_METRICS } from './repeats.ts';

// The scenario runner imports the whole baseline API from this file.
export { compareWithBaseline, type CompareOptions } from './compare-baseline.ts';
export {
  BASELINE_VERSION,
  BaselineError,
  BaselineSchema,
  type Baseline,
  type BaselineEnvironment,
} from './baseline-schema.ts';

/** A baseline holds a few numbers per metric and repeat; anything larger is not one. */
const MAX_BASELINE_BYTES = 10_000_000;

/** The baseline numbers of one run. */
export function extractBaselineMetrics(result: ScenarioResult): Baseline {
  return baselineFromRuns([result]);
}

/**
 * The baseline numbers of N repeated runs: every value, median and spread per metric.
 * Refuses interrupted or harness-error runs: their numbers describe a partial or broken run
 * and would make every later comparison look better or worse than it is.
 */
export function baselineFromRuns(results: readonly ScenarioResult[]): Baseline {
  const first = results[0];
  if (!first) throw new BaselineError('no run to save as a baseline');
  for (const result of results) {
    if (result.scenario.name !== first.scenario.name) {
      throw new BaselineError(
        `cannot save one baseline for runs of different scenarios ` +
          `("${first.scenario.name}", "${result.scenario.name}")`,
      );
    }
    if (result.run.interrupted)
      throw new BaselineError(
        `run ${result.run.id} was interrupted; a baseline needs complete runs: run the scenario again to the end`,
      );
    if (result.verdict === 'error')
      throw new BaselineError(
        `run ${result.run.id} ended in a harness error; its numbers cannot be a baseline: fix the error and run again`,
      );
  }
  const aggregated = aggregateRepeats(results, BASELINE_METRICS);
  const metrics: Baseline['metrics'] = {};
  for (const [name, metric] of Object.entries(aggregated.metrics)) {
    const { unit, values, median, min, max, halfRange, runsWithoutSamples } = metric;
    metrics[name] = { unit, values: [...values], median, min, max, halfRange, runsWithoutSamples };
  }
  return {
    baselineVersion: BASELINE_VERSION,
    scenario: first.scenario.name,
    createdAt: new Date().toISOString(),
    runIds: [...aggregated.runIds],
    environment: environmentOf(first),
    metrics,
  };
}

/** Writes the baseline of these runs to `file` (directories created) and returns it. */
export function saveBaseline(file: string, results: readonly ScenarioResult[]): Baseline {
  const baseline = BaselineSchema.parse(baselineFromRuns(results));
  makeDirectory(dirname(file));
  writeFileSync(file, `${JSON.stringify(baseline, null, 2)}\n`);
  return baseline;
}

/**
 * Reads and validates a baseline file. With `scenario`, refuses a baseline saved for
 * another scenario. Every problem of a malformed file is listed at once.
 */
export function loadBaseline(file: string, scenario?: string): Baseline {
  let text: string;
  try {
    // A FIFO or /dev/zero would block or never end; a baseline is a small regular file.
    const stat = statSync(file);
    if (!stat.isFile()) throw new Error('not a regular file');
    if (stat.size > MAX_BASELINE_BYTES)
      throw new Error(`${stat.size} bytes, more than a baseline ever holds (${MAX_BASELINE_BYTES})`);
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new BaselineError(
      `cannot read baseline ${file}: ${(error as Error).message}; create one with --save-baseline`,
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new BaselineError(
      `baseline ${file} is not JSON (${(error as Error).message}); save it again with --save-baseline`,
    );
  }
  const version =
    typeof raw === 'object' && raw !== null ? (raw as { baselineVersion?: unknown }).baselineVersion : undefined;
  if (version !== BASELINE_VERSION) {
    throw new BaselineError(
      `baseline ${file} has baselineVersion ${JSON.stringify(version)}, ` +
        `this harness reads version ${BASELINE_VERSION}; save it again with --save-baseline`,
    );
  }
  const parsed = BaselineSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
    throw new BaselineError(`baseline ${file} is invalid: ${problems.join('; ')}`);
  }
  if (scenario !== undefined && parsed.data.scenario !== scenario) {
    throw new BaselineError(
      `baseline ${file} was saved for scenario "${parsed.data.scenario}", not "${scenario}"; ` +
        `pass the baseline of "${scenario}" or save one with --save-baseline`,
    );
  }
  return parsed.data;
}
