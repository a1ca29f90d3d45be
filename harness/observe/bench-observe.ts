/**
 * Micro benchmark of the observation hot paths, for `npm run bench`. Numbers, not verdicts:
 * nothing here asserts a timing. Run alone with `npx tsx harness/observe/bench-observe.ts`.
 */
import { pathToFileURL } from 'node:url';
import * as hdr from 'hdr-histogram-js';
import { createLatencyHistogram, encodeHistogram, HISTOGRAM_BOUNDS, mergeHistograms } from './histogram.ts';
import { LatencyRecorder } from './latency-recorder.ts';

const VALUE_COUNT = 4096;

/** Realistic RPC latencies in microseconds (0.2-5 ms, 1 % tail to ~2 s), fixed seed. */
function latencies(): Int32Array {
  let state = 12_345;
  const random = () => (state = (state * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  return Int32Array.from({ length: VALUE_COUNT }, () => {
    const base = 200 + random() * 4800;
    return Math.round(random() < 0.01 ? base * (1 + random() * 400) : base);
  });
}

function nsPerOp(iterations: number, body: (i: number) => void): number {
  for (let i = 0; i < Math.min(iterations, 50_000); i++) body(i); // warm up the JIT
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) body(i);
  return Number(process.hrtime.bigint() - start) / iterations;
}

export async function benchObserve(): Promise<Record<string, number>> {
  const values = latencies();
  const mask = VALUE_COUNT - 1;

  const histogram = createLatencyHistogram();
  const recordValueNs = nsPerOp(2_000_000, (i) => histogram.recordValue(values[i & mask]!));

  const runStart = Date.now();
  const steady = new LatencyRecorder({ runStartEpochMs: runStart });
  // Total + current interval, the per-call cost between interval boundaries.
  const recorderRecordNs = nsPerOp(1_000_000, (i) => steady.record(values[i & mask]!, runStart));
  // One sample per new interval: each call opens an interval and seals the least recently used
  // one (encode + reset), the cost paid once per interval per process.
  const rolling = new LatencyRecorder({ runStartEpochMs: runStart });
  let interval = 0;
  const intervalRollUs = nsPerOp(2_000, (i) => rolling.record(values[i & mask]!, runStart + 1000 * interval++)) / 1000;

  const encoded = encodeHistogram(histogram);
  const encodeUs = nsPerOp(200, () => encodeHistogram(histogram)) / 1000;
  const workers = Array.from({ length: 8 }, () => encoded);
  const decodeAndMergePerHistogramUs = nsPerOp(20, () => mergeHistograms(workers)) / workers.length / 1000;

  const result: Record<string, number> = {
    'observe.recordValue.ns': recordValueNs,
    'observe.latencyRecorder.record.ns': recorderRecordNs,
    'observe.latencyRecorder.intervalRoll.us': intervalRollUs,
    'observe.encode.us': encodeUs,
    'observe.encoded.bytes': encoded.length,
    'observe.decodeAndMerge.perHistogram.us': decodeAndMergePerHistogramUs,
    'observe.histogram.footprint.bytes': histogram.estimatedFootprintInBytes,
  };

  // For the record only: WASM is faster per value but needs destroy() (see histogram.ts).
  try {
    await hdr.initWebAssembly();
    const wasm = hdr.build({
      lowestDiscernibleValue: HISTOGRAM_BOUNDS.lowestDiscernibleUs,
      highestTrackableValue: HISTOGRAM_BOUNDS.highestTrackableUs,
      numberOfSignificantValueDigits: HISTOGRAM_BOUNDS.significantDigits,
      autoResize: false,
      useWebAssembly: true,
    });
    result['observe.wasm.recordValue.ns'] = nsPerOp(2_000_000, (i) => wasm.recordValue(values[i & mask]!));
    wasm.destroy();
  } catch {
    // No WebAssembly in this runtime: the JS path is the one in use anyway.
  }
  return result;
}

// Only from source: compiled, this module is part of the bench's bundle, whose main script it is not.
if (process.argv[1] && import.meta.url.endsWith('.ts') && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const results = await benchObserve();
  for (const [name, value] of Object.entries(results)) console.log(`${name.padEnd(44)} ${value.toFixed(2)}`);
}
