/**
 * Load executors, named as k6 names them. Both are bounded: by a call count, a duration,
 * or both (whichever comes first), so a run always stops by itself.
 */
import type { Histogram } from '../observe/histogram.ts';

export type LoadOptions =
  | {
      readonly executor: 'constant-arrival-rate';
      /** Calls started per second, whether or not earlier calls have finished (open loop). */
      readonly ratePerSec: number;
      readonly durationMs?: number;
      readonly calls?: number;
      /** Calls in flight at most; a call due while at the limit is dropped and counted. */
      readonly maxInFlight: number;
    }
  | {
      readonly executor: 'closed-loop';
      /** Fixed number of callers, each starting its next call when the previous one ends. */
      readonly concurrency: number;
      readonly durationMs?: number;
      readonly calls?: number;
    };

export interface LoadSummary {
  started: number;
  /** Calls that fell due but were not started (in-flight limit), as k6's dropped_iterations. */
  dropped: number;
  /**
   * Calls that fell due, counted from the schedule (open loop: intended start before the end
   * or the stop); started + dropped equals it when no call was skipped. Closed loop: started.
   */
  due: number;
  /** Open loop only: how late each started call was started against its intended time, µs. */
  startLateness?: Histogram;
  /** How long the executor kept starting calls: from its start until it stopped scheduling. */
  scheduleMs: number;
  /** Until every started call finished. */
  elapsedMs: number;
}

/** Starts call number `index`; `intendedStartMs` (performance.now() clock) is when it was due. */
export type StartCall = (index: number, intendedStartMs: number) => Promise<void>;

/** Hard ceiling so a mistyped option cannot make a run that never ends. */
export const MAX_LOAD_DURATION_MS = 24 * 3600_000;

export function validateLoadOptions(load: LoadOptions): string[] {
  const errors: string[] = [];
  if (load.durationMs === undefined && load.calls === undefined)
    errors.push('load needs a duration or a call count (or both)');
  if (load.durationMs !== undefined && !(load.durationMs > 0 && load.durationMs <= MAX_LOAD_DURATION_MS)) {
    errors.push(`duration must be > 0 and at most 24h, got ${load.durationMs} ms`);
  }
  if (load.calls !== undefined && !(Number.isInteger(load.calls) && load.calls > 0))
    errors.push(`calls must be a positive integer, got ${load.calls}`);
  if (load.executor === 'constant-arrival-rate') {
    if (!(load.ratePerSec > 0 && load.ratePerSec <= 100_000))
      errors.push(`rate must be > 0 and at most 100000/s, got ${load.ratePerSec}`);
    if (!(Number.isInteger(load.maxInFlight) && load.maxInFlight > 0))
      errors.push(`maxInFlight must be a positive integer, got ${load.maxInFlight}`);
  } else if (!(Number.isInteger(load.concurrency) && load.concurrency > 0 && load.concurrency <= 10_000)) {
    errors.push(`concurrency must be an integer from 1 to 10000, got ${load.concurrency}`);
  }
  return errors;
}
