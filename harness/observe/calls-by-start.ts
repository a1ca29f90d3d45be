import { createLatencyHistogram, decodeHistogram, encodeHistogram, type Histogram } from './histogram.ts';
import { LatencyRecorder, type EncodedRecording } from './latency-recorder.ts';

/**
 * Calls grouped by the interval in which they were due to start (the intended start that
 * open-loop latency is measured from), with how each ended and the latency of the answered
 * ones. Phase gates (`during(partition).p99`) read this. A call belongs to the phase in which
 * it started: calls stuck by a partition count against the partition even when they time out
 * or are answered after the heal, and `after(partition)` judges only calls started after it.
 * (The over-time series buckets by completion instead, which is what a throughput plot needs.)
 */
export const CALL_OUTCOMES = [
  'answered',
  'wrongResult',
  'timedOut',
  'remoteErrors',
  'connectionLost',
  'otherErrors',
] as const;
export type CallOutcome = (typeof CALL_OUTCOMES)[number];
/** `answered` includes wrong results, as the run's counters do; the other outcomes are failures. */
export type OutcomeCounts = Record<CallOutcome, number>;

/** What a client process sends to the parent. */
export interface EncodedCallsByStart {
  readonly intervalMs: number;
  /** Latency of answered calls, interval = the call's intended start. */
  readonly latency: EncodedRecording;
  /** Only intervals in which some call ended, sorted by index. */
  readonly outcomes: ReadonlyArray<{ readonly index: number } & OutcomeCounts>;
}

/**
 * A quarter second: a phase window's boundaries are then within 125 ms of the fault's, where
 * the 1 s over-time series would be off by up to half a second. A 10-minute run keeps 2400
 * small histograms (a few hundred bytes each, encoded).
 */
export const CALLS_BY_START_INTERVAL_MS = 250;
/**
 * Live interval histograms kept open (~87 KB each): 8 s of intended starts, so the answers to
 * calls held up to a usual call timeout land in an open histogram instead of re-opening an
 * encoded one.
 */
const OPEN_INTERVALS = 32;

const emptyCounts = (): OutcomeCounts => ({
  answered: 0,
  wrongResult: 0,
  timedOut: 0,
  remoteErrors: 0,
  connectionLost: 0,
  otherErrors: 0,
});

export class CallsByStartRecorder {
  private readonly latency: LatencyRecorder;
  private readonly outcomes = new Map<number, OutcomeCounts>();

  constructor(
    runStartEpochMs: number,
    readonly intervalMs = CALLS_BY_START_INTERVAL_MS,
  ) {
    this.latency = new LatencyRecorder({ runStartEpochMs, intervalMs, openIntervals: OPEN_INTERVALS });
  }

  /**
   * One call ended. `intendedStartMs` is on the performance.now() clock (the load generator's
   * schedule); it is turned into wall-clock time here, at the end of the call.
   */
  ended(outcome: CallOutcome, intendedStartMs: number, latencyUs?: number): void {
    const startedAtEpochMs = Date.now() - (performance.now() - intendedStartMs);
    const index = this.latency.intervalIndexOf(startedAtEpochMs);
    let counts = this.outcomes.get(index);
    if (!counts) this.outcomes.set(index, (counts = emptyCounts()));
    counts[outcome]++;
    // A wrong result was still answered: it counts in `answered` as well, as in the run's counters.
    if (outcome === 'wrongResult') counts.answered++;
    if (latencyUs !== undefined) this.latency.record(latencyUs, startedAtEpochMs);
  }

  encode(): EncodedCallsByStart {
    return {
      intervalMs: this.intervalMs,
      latency: this.latency.encode(),
      outcomes: [...this.outcomes].sort(([a], [b]) => a - b).map(([index, counts]) => ({ index, ...counts })),
    };
  }
}

/** The `callsByStart` block of result.json: every client's intervals added together. */
export interface CallsByStartResult {
  readonly intervalMs: number;
  /** From the run start to the end of the load: the end of every `after(...)` window. */
  readonly loadDurationMs: number;
  readonly intervals: Array<{ tMs: number; histogram?: string } & OutcomeCounts>;
}

export function mergeCallsByStart(
  recordings: readonly EncodedCallsByStart[],
  loadDurationMs: number,
): CallsByStartResult | undefined {
  if (recordings.length === 0) return undefined;
  const intervalMs = recordings[0]!.intervalMs;
  if (recordings.some((recording) => recording.intervalMs !== intervalMs)) return undefined;
  const counts = new Map<number, OutcomeCounts>();
  const histograms = new Map<number, Histogram>();
  for (const recording of recordings) {
    for (const { index, ...outcome } of recording.outcomes) {
      let total = counts.get(index);
      if (!total) counts.set(index, (total = emptyCounts()));
      for (const key of CALL_OUTCOMES) total[key] += outcome[key];
    }
    for (const { index, histogram } of recording.latency.intervals) {
      let merged = histograms.get(index);
      if (!merged) histograms.set(index, (merged = createLatencyHistogram()));
      merged.add(decodeHistogram(histogram));
    }
  }
  const indexes = [...new Set([...counts.keys(), ...histograms.keys()])].sort((a, b) => a - b);
  return {
    intervalMs,
    loadDurationMs,
    intervals: indexes.map((index) => {
      const histogram = histograms.get(index);
      return {
        tMs: index * intervalMs,
        ...(counts.get(index) ?? emptyCounts()),
        ...(histogram ? { histogram: encodeHistogram(histogram) } : {}),
      };
    }),
  };
}
