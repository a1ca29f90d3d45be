import type { EncodedRecording } from '../observe/latency-recorder.ts';
import { mergeHistograms } from '../observe/histogram.ts';
import { latencyResult } from '../observe/interval-series.ts';
import { summarize } from '../observe/latency-summary.ts';
import type { LatencySummary, ScenarioResult } from '../model/result-schema.ts';

export const INTERVAL_MS = 1000;

/**
 * The run's client latency from every worker's recording: exact percentiles of all samples
 * (histograms add bucket by bucket), the spectrum, and the per-second series covering the
 * whole load phase, empty seconds included (an outage shows as throughput 0).
 */
export function runLatency(recordings: readonly EncodedRecording[], loadDurationMs: number): ScenarioResult['latency'] {
  return latencyResult(recordings, { intervalMs: INTERVAL_MS, runDurationMs: loadDurationMs });
}

/**
 * Summary of the merged totals only (server-side queue wait and service time): their interval
 * histograms are not decoded, as nothing shows them (each decode allocates a full histogram).
 */
export function summarizeRecordings(recordings: readonly EncodedRecording[]): LatencySummary {
  return summarize(mergeHistograms(recordings.map((recording) => recording.total)));
}
