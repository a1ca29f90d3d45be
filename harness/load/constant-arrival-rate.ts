import type { LoadSummary, StartCall } from './load-options.ts';

export interface ConstantArrivalRateOptions {
  readonly ratePerSec: number;
  readonly durationMs?: number;
  readonly calls?: number;
  readonly maxInFlight: number;
  /** Call i is due at start + phaseMs + i/rate (an execution segment's place in the whole schedule). */
  readonly phaseMs?: number;
}

/**
 * Open-loop load: call i is due at start + i/rate, whatever happened to earlier calls.
 * Each call is handed its intended start time, so latency measured from it includes the
 * time the call waited to be sent: a stalled server shows up in the percentiles instead of
 * silently slowing the generator down (no coordinated omission).
 */
export async function runConstantArrivalRate(options: ConstantArrivalRateOptions, startCall: StartCall, signal?: AbortSignal): Promise<LoadSummary> {
  const start = performance.now();
  const first = start + (options.phaseMs ?? 0);
  const intervalMs = 1000 / options.ratePerSec;
  const totalCalls = options.calls ?? Number.POSITIVE_INFINITY;
  const endsAt = start + (options.durationMs ?? Number.POSITIVE_INFINITY);
  const inFlight = new Set<Promise<void>>();
  let started = 0;
  let dropped = 0;
  let next = 0;

  for (;;) {
    const now = performance.now();
    // Launch every call that is due by now; a late timer catches up instead of losing calls.
    // This runs once more after the end too: calls that fell due while the timer was late
    // are started or dropped (counted), never silently skipped.
    const dueCount = Math.min(totalCalls, Math.max(0, Math.floor((now - first) / intervalMs) + 1));
    for (; next < dueCount && !signal?.aborted; next++) {
      const intendedStartMs = first + next * intervalMs;
      if (intendedStartMs >= endsAt) break;
      if (inFlight.size >= options.maxInFlight) {
        dropped++;
        continue;
      }
      started++;
      const call = startCall(next, intendedStartMs).catch(() => undefined).finally(() => inFlight.delete(call));
      inFlight.add(call);
    }
    if (next >= totalCalls || now >= endsAt || signal?.aborted) break;
    const nextDue = first + next * intervalMs;
    await sleepUntil(Math.min(nextDue, endsAt), signal);
  }
  const scheduleMs = performance.now() - start;
  await Promise.allSettled([...inFlight]);
  return { started, dropped, scheduleMs, elapsedMs: performance.now() - start };
}

function sleepUntil(targetMs: number, signal?: AbortSignal): Promise<void> {
  const delay = Math.max(0, targetMs - performance.now());
  return new Promise((resolve) => {
    const timer = setTimeout(done, delay);
    function done() {
      signal?.removeEventListener('abort', done);
      clearTimeout(timer);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
