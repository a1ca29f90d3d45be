import { z } from 'zod';
import type { ScenarioResult } from '../model/result-schema.ts';
import { metricDefinition } from './metrics.ts';
import { spreadOf } from './repeats.ts';

/**
 * A baseline file: the numbers gates compare, from one run or the N runs of `--repeat N`,
 * plus what is needed to judge whether a later run is comparable (scenario, environment,
 * workload). Bump BASELINE_VERSION on any change an older reader could misread.
 */
export const BASELINE_VERSION = 2;

const finite = z.number().finite();

export const BaselineEnvironmentSchema = z.object({
  broker: z.string(),
  proxy: z.string(),
  replyMode: z.string(),
  node: z.string(),
  platform: z.string(),
  cpus: z.number().int().nonnegative(),
  harnessVersion: z.string(),
  /** The load that produced the numbers, e.g. "constant-arrival-rate 200/s for 30s". */
  workload: z.string(),
});

export const BaselineMetricSchema = z.object({
  unit: z.string(),
  /** One value per run that had samples, in run order. */
  values: z.array(finite).min(1),
  /** Derived from values; stored for people reading the file, checked on load. */
  median: finite,
  min: finite,
  max: finite,
  halfRange: finite.nonnegative(),
  runsWithoutSamples: z.number().int().nonnegative(),
});

export const BaselineSchema = z
  .object({
    baselineVersion: z.literal(BASELINE_VERSION),
    scenario: z.string().min(1),
    createdAt: z.iso.datetime(),
    runIds: z.array(z.string()).min(1),
    environment: BaselineEnvironmentSchema,
    metrics: z.record(z.string(), BaselineMetricSchema),
  })
  .superRefine((baseline, context) => {
    for (const [name, metric] of Object.entries(baseline.metrics)) {
      const definition = metricDefinition(name);
      if (!definition || definition.name !== name || definition.better === 'neither') {
        context.addIssue({
          code: 'custom',
          path: ['metrics', name],
          message: `"${name}" is not a metric a baseline can compare`,
        });
        continue;
      }
      // A hand-edited median that no longer matches the values would silently move the bar.
      const derived = spreadOf(metric.values);
      for (const key of ['median', 'min', 'max', 'halfRange'] as const) {
        if (Math.abs(derived[key] - metric[key]) > 1e-9 * Math.max(1, Math.abs(derived[key]))) {
          context.addIssue({
            code: 'custom',
            path: ['metrics', name, key],
            message:
              `${key} ${metric[key]} does not match values ` +
              `[${metric.values.join(', ')}] (expected ${derived[key]})`,
          });
        }
      }
      if (metric.values.length + metric.runsWithoutSamples > baseline.runIds.length) {
        context.addIssue({
          code: 'custom',
          path: ['metrics', name, 'values'],
          message: `more values than runs (${baseline.runIds.length})`,
        });
      }
    }
  });

export type Baseline = z.infer<typeof BaselineSchema>;
export type BaselineEnvironment = z.infer<typeof BaselineEnvironmentSchema>;

/** A baseline that cannot be made, read or used: a configuration error (exit 2). */
export class BaselineError extends Error {
  override readonly name = 'BaselineError';
}

/** What must match for two runs' numbers to be comparable, in words. */
export function environmentOf(result: ScenarioResult): BaselineEnvironment {
  const env = result.environment;
  const load = result.config.load;
  const length =
    load.durationMs !== undefined
      ? `for ${load.durationMs / 1000}s`
      : load.calls !== undefined
        ? `for ${load.calls} calls`
        : '';
  const shape =
    load.executor === 'constant-arrival-rate'
      ? `${load.ratePerSec}/s, max ${load.maxInFlight} in flight`
      : `concurrency ${load.concurrency}`;
  return {
    broker: `${env.broker.kind} ${env.broker.version}`,
    // A run without a proxy is not comparable with one through it: the difference is named.
    proxy: env.proxy.kind === 'none' ? 'none' : `${env.proxy.kind} ${env.proxy.version}`,
    replyMode: env.replyMode,
    node: env.node,
    platform: env.platform,
    cpus: env.cpus,
    harnessVersion: env.harnessVersion,
    workload:
      `${load.executor} ${shape} ${length}, ${result.config.servers} servers, ${result.config.clients} clients`.replace(
        / +/g,
        ' ',
      ),
  };
}
