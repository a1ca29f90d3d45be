import {
  clampLatencyUs,
  createLatencyHistogram,
  decodeHistogram,
  encodeHistogram,
  HISTOGRAM_BOUNDS,
  type Histogram,
} from './histogram.ts';

/**
 * What a worker process sends to the parent: its total histogram and one histogram per
 * interval, all compressed base64 (HdrHistogram format, microseconds).
 */
export interface EncodedRecording {
  readonly total: string;
  /** Interval index (since the run start) -> histogram of that interval; sorted, only non-empty ones. */
  readonly intervals: ReadonlyArray<{ readonly index: number; readonly histogram: string }>;
}

export interface LatencyRecorderOptions {
  /**
   * The run start every process of the run shares (epoch ms, chosen by the parent). Interval i
   * is [runStart + i*intervalMs, runStart + (i+1)*intervalMs) in every process, so the
   * parent can add interval i of all workers.
   */
  readonly runStartEpochMs: number;
  /** Default 1000 ms. */
  readonly intervalMs?: number;
  /**
   * How many intervals stay live histograms (default 8, ~87 KB each). The least recently
   * used beyond that are sealed into their encoded form (a few KB), so a 10-minute run does
   * not hold 600 live histograms. A late sample for a sealed interval reopens it.
   */
  readonly openIntervals?: number;
  /** Wall clock used to pick the interval; injectable for tests. Default Date.now. */
  readonly now?: () => number;
}

/**
 * End-to-end latency of one process: a total histogram plus per-interval histograms for the
 * over-time series. Record integer microseconds; the interval of a sample is chosen by a
 * wall-clock instant (by default the moment of recording, i.e. completion, so interval counts
 * are completions per interval, which is throughput).
 */
export class LatencyRecorder {
  readonly runStartEpochMs: number;
  readonly intervalMs: number;
  private readonly openIntervals: number;
  private readonly now: () => number;
  private readonly totalHistogram = createLatencyHistogram();
  private readonly open = new Map<number, Histogram>();
  private readonly sealed = new Map<number, string>();
  private readonly spare: Histogram[] = [];
  private lastTouchedIndex = -1;
  private clampedSamples = 0;

  constructor(options: LatencyRecorderOptions) {
    const intervalMs = options.intervalMs ?? 1000;
    const openIntervals = options.openIntervals ?? 8;
    if (!Number.isFinite(options.runStartEpochMs))
      throw new Error(`runStartEpochMs must be an epoch-ms number, got ${options.runStartEpochMs}`);
    if (!Number.isInteger(intervalMs) || intervalMs <= 0)
      throw new Error(`intervalMs must be a positive integer, got ${intervalMs}`);
    if (!Number.isInteger(openIntervals) || openIntervals < 1)
      throw new Error(`openIntervals must be an integer >= 1, got ${openIntervals}`);
    this.runStartEpochMs = options.runStartEpochMs;
    this.intervalMs = intervalMs;
    this.openIntervals = openIntervals;
    this.now = options.now ?? Date.now;
  }

  /**
   * Records one latency in microseconds. `atEpochMs` picks the interval (default: now).
   * Values outside [0, 10 min] are clamped, never dropped, and counted in `clamped`.
   */
  record(latencyUs: number, atEpochMs: number = this.now()): void {
    const value = clampLatencyUs(latencyUs);
    if (!(latencyUs >= 0 && latencyUs <= HISTOGRAM_BOUNDS.highestTrackableUs)) this.clampedSamples++;
    this.totalHistogram.recordValue(value);
    this.recordInInterval(this.intervalIndexOf(atEpochMs), value);
  }

  /**
   * Open-loop latency: measured from when the call was *due* (`intendedStartMs`, from the
   * load generator's schedule), not from when it was actually sent, so time a call spent
   * waiting behind a stalled system is counted (no coordinated omission). Both instants are
   * on the performance.now() clock. No synthetic samples are added (this is not
   * recordValueWithExpectedInterval): the schedule already gives every call its true latency.
   * Returns the recorded microseconds.
   */
  recordFromIntendedStart(intendedStartMs: number, nowMs: number = performance.now(), atEpochMs?: number): number {
    const latencyUs = Math.max(0, Math.round((nowMs - intendedStartMs) * 1000));
    this.record(latencyUs, atEpochMs);
    return latencyUs;
  }

  /** Interval index of an epoch-ms instant; instants before the run start count as interval 0. */
  intervalIndexOf(atEpochMs: number): number {
    return Math.max(0, Math.floor((atEpochMs - this.runStartEpochMs) / this.intervalMs));
  }

  get count(): number {
    return this.totalHistogram.totalCount;
  }

  /** Samples that were negative, non-finite or above 10 minutes and were saturated. */
  get clamped(): number {
    return this.clampedSamples;
  }

  /** The live total histogram, for summaries inside this process. Do not record into it. */
  get total(): Histogram {
    return this.totalHistogram;
  }

  /** Snapshot for the parent; recording can continue afterwards. */
  encode(): EncodedRecording {
    const intervals = new Map(this.sealed);
    for (const [index, histogram] of this.open)
      if (histogram.totalCount > 0) intervals.set(index, encodeHistogram(histogram));
    return {
      total: encodeHistogram(this.totalHistogram),
      intervals: [...intervals].sort(([a], [b]) => a - b).map(([index, histogram]) => ({ index, histogram })),
    };
  }

  private recordInInterval(index: number, value: number): void {
    const live = this.open.get(index);
    if (live) {
      // Map order is the eviction order: move a re-touched interval to the back (least
      // recently used first). Skipped for the common case of the same interval again.
      if (index !== this.lastTouchedIndex) {
        this.open.delete(index);
        this.open.set(index, live);
        this.lastTouchedIndex = index;
      }
      live.recordValue(value);
      return;
    }
    const histogram = this.spare.pop() ?? createLatencyHistogram();
    const sealedForm = this.sealed.get(index);
    if (sealedForm !== undefined) {
      // A late sample for a sealed interval (e.g. replies arriving after a partition heals,
      // attributed to their send time): reopen it once rather than re-encode per sample.
      this.sealed.delete(index);
      histogram.add(decodeHistogram(sealedForm));
    }
    histogram.recordValue(value);
    this.open.set(index, histogram);
    this.lastTouchedIndex = index;
    for (const [oldIndex, oldHistogram] of this.open) {
      if (this.open.size <= this.openIntervals) break;
      this.seal(oldIndex, oldHistogram);
    }
  }

  private seal(index: number, histogram: Histogram): void {
    this.open.delete(index);
    if (histogram.totalCount > 0) this.sealed.set(index, encodeHistogram(histogram));
    histogram.reset();
    this.spare.push(histogram);
  }
}
