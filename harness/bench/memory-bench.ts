import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import baseline from '../../scenarios/baseline.ts';
import type { StartedBroker } from '../env/broker/broker.ts';
import { applyOverrides } from '../scenario/apply-overrides.ts';
import { runScenario } from '../engine/run-scenario.ts';
import { rssSlope, workerRss, type RssSample, type RssSlope } from '../observe/rss-slope.ts';

export interface MemoryBenchResult {
  readonly durationMs: number;
  readonly calls: number;
  readonly callsPerSec: number;
  /** The runner and every worker process; the target is growth <= 10 % after warm-up. */
  readonly processes: RssSlope[];
  /** Every sample, by process: what the figures above were computed from. */
  readonly series: Record<string, RssSample[]>;
}

export interface MemoryBenchOptions {
  readonly durationMs: number;
  readonly warmUpMs: number;
  readonly windowMs: number;
  readonly sampleEveryMs: number;
}

/**
 * The baseline scenario (closed loop, 2 servers and 2 clients as processes, its default
 * tracing) for several minutes, with the RSS of the runner and of every worker sampled as
 * it goes: a per-call structure that is never pruned shows up as a slope.
 */
export async function benchMemory(broker: StartedBroker, options: MemoryBenchOptions): Promise<MemoryBenchResult> {
  const { definition, errors } = applyOverrides(baseline, { durationMs: options.durationMs });
  if (errors.length > 0) throw new Error(`memory bench: ${errors.join('; ')}`);
  const runDir = mkdtempSync(join(tmpdir(), 'rpc-chaos-memory-bench-'));
  const series = new Map<string, RssSample[]>();
  let loadStartedAt: number | undefined;
  const sample = () => {
    if (loadStartedAt === undefined) return;
    const tMs = performance.now() - loadStartedAt;
    const all = new Map(workerRss());
    all.set('runner', process.memoryUsage().rss / 2 ** 20);
    for (const [name, rssMb] of all) {
      const list = series.get(name) ?? [];
      list.push({ tMs, rssMb });
      series.set(name, list);
    }
  };
  const sampler = setInterval(sample, options.sampleEveryMs);
  try {
    const result = await runScenario({
      definition,
      broker,
      proxy: 'builtin',
      seed: 1,
      runDir,
      gates: [],
      tracing: { enabled: true, sampleRatio: definition.tracing?.sampleRatio ?? 0.1 },
      onPhase: (phase) => {
        if (phase === 'running') loadStartedAt = performance.now();
        // Teardown and building the result are not the steady state this measures.
        if (phase === 'stopping') clearInterval(sampler);
      },
    });
    const processes = [...series]
      .map(([name, samples]) => rssSlope(name, samples, options))
      .filter((row): row is RssSlope => row !== undefined)
      .sort((a, b) => a.process.localeCompare(b.process));
    const rounded = (samples: RssSample[]) =>
      samples.map((sample) => ({ tMs: Math.round(sample.tMs), rssMb: Math.round(sample.rssMb * 10) / 10 }));
    return {
      durationMs: options.durationMs,
      calls: result.counters.answered,
      callsPerSec: result.throughput.callsPerSec,
      processes,
      series: Object.fromEntries([...series].map(([name, samples]) => [name, rounded(samples)])),
    };
  } finally {
    clearInterval(sampler);
    rmSync(runDir, { recursive: true, force: true });
  }
}
