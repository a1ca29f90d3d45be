import { clampLatencyUs, createLatencyHistogram } from '../observe/histogram.ts';
import type { LoadSummary, StartCall } from './load-options.ts';
import { PreciseSleeper } from './precise-sleep.ts';

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
 *
 * The generator's own accuracy is measured too: how late each call was started against its
 * intended time (an HDR histogram, µs), and how many calls fell due, counted from the
 * schedule alone, so that due = started + dropped proves none was skipped.
 */
export async function runConstantArrivalRate(
  options: ConstantArrivalRateOptions,
  startCall: StartCall,
  signal?: AbortSignal,
): Promise<LoadSummary> {
  // Started before the schedule's clock: the first due calls must not wait for its thread.
  const sleeper = await PreciseSleeper.start();
  const start = performance.now();
  const first = start + (options.phaseMs ?? 0);
  const intervalMs = 1000 / options.ratePerSec;
  const totalCalls = options.calls ?? Number.POSITIVE_INFINITY;
  const endsAt = start + (options.durationMs ?? Number.POSITIVE_INFINITY);
  // A count, not a set of the calls' promises: one settle handler shared by every call keeps
  // the per-call bookkeeping to the call's own promise (fewer young-generation collections).
  let inFlight = 0;
  let allSettled: (() => void) | undefined;
  const settled = () => {
    inFlight--;
    if (inFlight === 0) allSettled?.();
  };
  const startLateness = createLatencyHistogram();
  let started = 0;
  let dropped = 0;
  let next = 0;
  let lastPassAt = start;
  // One abort listener for the whole run, which ends the sleep in progress, rather than one
  // added and removed per sleep: less to allocate on every wake-up. The sleeper wakes the
  // loop within microseconds of a due time; setTimeout could not wake it sooner than 1-2 ms.
  const stop = () => sleeper.cancel();
  signal?.addEventListener('abort', stop, { once: true });

  try {
    for (;;) {
      const now = performance.now();
      lastPassAt = now;
      // Launch every call that is due by now; a late timer catches up instead of losing calls.
      // This runs once more after the end or a stop request too: calls that fell due while the
      // timer was late are started or dropped (counted), never silently skipped.
      const dueCount = dueBy(now);
      for (; next < dueCount; next++) {
        const intendedStartMs = first + next * intervalMs;
        if (inFlight >= options.maxInFlight) {
          dropped++;
          continue;
        }
        started++;
        startLateness.recordValue(clampLatencyUs((performance.now() - intendedStartMs) * 1000));
        inFlight++;
        startCall(next, intendedStartMs).then(settled, settled);
      }
      if (next >= totalCalls || now >= endsAt || signal?.aborted) break;
      const nextDue = first + next * intervalMs;
      const wakeAt = Math.min(nextDue, endsAt);
      await sleeper.sleep(wakeAt - performance.now());
    }
  } finally {
    // Also when a call throws synchronously: no listener or waiting thread outlives the run.
    signal?.removeEventListener('abort', stop);
    void sleeper.close();
  }
  const scheduleMs = performance.now() - start;
  if (inFlight > 0) await new Promise<void>((resolve) => (allSettled = resolve));
  return { started, dropped, due: dueBy(lastPassAt), startLateness, scheduleMs, elapsedMs: performance.now() - start };

  /** Calls whose intended start is at or before `t` and before the end: from the schedule alone. */
  function dueBy(t: number): number {
    const byTime = Math.floor((Math.min(t, endsAt) - first) / intervalMs) + 1;
    // From the duration itself, not from endsAt - first: that difference of two large clock
    // readings carries rounding error, and ceil() of 500.0000000001 would invent a 501st call.
    const beforeEnd =
      options.durationMs === undefined
        ? Number.POSITIVE_INFINITY
        : Math.ceil((options.durationMs - (options.phaseMs ?? 0)) / intervalMs - 1e-9);
    return Math.max(0, Math.min(totalCalls, byTime, beforeEnd));
  }
}
