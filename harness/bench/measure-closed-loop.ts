import { runClosedLoop } from '../load/closed-loop.ts';
import { createLatencyHistogram } from '../observe/histogram.ts';
import { summarize } from '../observe/latency-summary.ts';

export interface ThroughputSample {
  readonly callsPerSec: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly calls: number;
}

/** Drives `call` closed-loop for a fixed time and reports throughput and HDR percentiles. */
export async function measureClosedLoop(
  call: (n: number) => Promise<unknown>,
  options: { concurrency: number; durationMs: number; n: number },
): Promise<ThroughputSample> {
  const histogram = createLatencyHistogram();
  const summary = await runClosedLoop(
    { concurrency: options.concurrency, durationMs: options.durationMs },
    async () => {
      const started = performance.now();
      await call(options.n);
      histogram.recordValue(Math.max(1, Math.round((performance.now() - started) * 1000)));
    },
  );
  const latency = summarize(histogram);
  return {
    callsPerSec: (latency.count / summary.elapsedMs) * 1000,
    p50Ms: latency.p50,
    p99Ms: latency.p99,
    calls: latency.count,
  };
}

/** The median of repeated samples by throughput: robust against one noisy round on a shared machine. */
export function medianSample<T extends ThroughputSample>(samples: readonly T[]): T {
  const sorted = [...samples].sort((a, b) => a.callsPerSec - b.callsPerSec);
  return sorted[Math.floor(sorted.length / 2)]!;
}
