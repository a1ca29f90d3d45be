import type { LoadSummary, StartCall } from './load-options.ts';

export interface ClosedLoopOptions {
  readonly concurrency: number;
  readonly durationMs?: number;
  readonly calls?: number;
}

/**
 * Closed-loop load: `concurrency` callers, each starting its next call as soon as the previous
 * one ends. Throughput is whatever the system gives; latency is measured per call, so this
 * executor shows service time, not what users waiting in an open system would see.
 */
export async function runClosedLoop(
  options: ClosedLoopOptions,
  startCall: StartCall,
  signal?: AbortSignal,
): Promise<LoadSummary> {
  const start = performance.now();
  const totalCalls = options.calls ?? Number.POSITIVE_INFINITY;
  const endsAt = start + (options.durationMs ?? Number.POSITIVE_INFINITY);
  let next = 0;

  const caller = async () => {
    while (next < totalCalls && performance.now() < endsAt && !signal?.aborted) {
      const index = next++;
      await startCall(index, performance.now()).catch(() => undefined);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, caller));
  // A closed loop starts calls until its last caller returns.
  const elapsedMs = performance.now() - start;
  return { started: next, dropped: 0, due: next, scheduleMs: elapsedMs, elapsedMs };
}
