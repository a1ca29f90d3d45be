import * as hdr from 'hdr-histogram-js';
import type { Histogram } from 'hdr-histogram-js';

/**
 * The one place latency histograms are built. Every histogram of a run (per process, per
 * interval, merged in the parent) has the same bounds and precision, so merging is exact
 * bucket-by-bucket addition and two runs' encoded histograms can be compared.
 *
 * Values are integer microseconds: 1 us is below anything an AMQP round trip can do, and
 * 10 minutes is above any per-call timeout the harness allows.
 */
export const HISTOGRAM_BOUNDS = {
  lowestDiscernibleUs: 1,
  highestTrackableUs: 10 * 60 * 1_000_000,
  significantDigits: 3,
} as const;

export type { Histogram };

/**
 * Pure JS (`useWebAssembly: false`): bench-observe.ts measured recordValue at ~23 ns in JS
 * and ~21 ns in WASM on Node 20, no real gain, while a WasmHistogram's memory is only freed
 * by an explicit `destroy()` and the parent decodes and drops hundreds of interval
 * histograms per run: a forgotten destroy would be a leak.
 * `autoResize: false` keeps the bounds explicit; out-of-range values are clamped by
 * `clampLatencyUs` before they reach the histogram.
 * 32-bit counts: 4 billion samples per bucket is beyond any bounded run, and 64-bit
 * doubles the footprint (~87 KB -> ~173 KB per histogram).
 */
export function createLatencyHistogram(): Histogram {
  return hdr.build({
    lowestDiscernibleValue: HISTOGRAM_BOUNDS.lowestDiscernibleUs,
    highestTrackableValue: HISTOGRAM_BOUNDS.highestTrackableUs,
    numberOfSignificantValueDigits: HISTOGRAM_BOUNDS.significantDigits,
    bitBucketSize: 32,
    autoResize: false,
    useWebAssembly: false,
  });
}

/**
 * Rounds to whole microseconds and clamps into [0, highestTrackableUs]: a latency is never
 * dropped for being out of range (that would hide the worst calls), it saturates instead.
 */
export function clampLatencyUs(latencyUs: number): number {
  if (!Number.isFinite(latencyUs) || latencyUs <= 0)
    return latencyUs === Infinity ? HISTOGRAM_BOUNDS.highestTrackableUs : 0;
  return Math.min(Math.round(latencyUs), HISTOGRAM_BOUNDS.highestTrackableUs);
}

/** HdrHistogram's compressed base64 form: what worker processes send to the parent. */
export function encodeHistogram(histogram: Histogram): string {
  return hdr.encodeIntoCompressedBase64(histogram);
}

/**
 * Decodes into the pure-JS implementation (32-bit counts) regardless of the sender, so
 * decoded histograms merge with locally built ones.
 */
export function decodeHistogram(encoded: string): Histogram {
  try {
    return hdr.decodeFromCompressedBase64(encoded, 32, false);
  } catch (error) {
    const preview = encoded.length > 40 ? `${encoded.slice(0, 40)}...` : encoded;
    throw new Error(
      `cannot decode histogram "${preview}" (${encoded.length} chars): ${String(error)}; ` +
        'expected the output of encodeHistogram()',
    );
  }
}

/** Adds decoded histograms (or already-built ones) into one fresh histogram of the standard bounds. */
export function mergeHistograms(histograms: Iterable<string | Histogram>): Histogram {
  const merged = createLatencyHistogram();
  for (const item of histograms) merged.add(typeof item === 'string' ? decodeHistogram(item) : item);
  return merged;
}
