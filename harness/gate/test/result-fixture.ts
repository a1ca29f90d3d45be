import { clampLatencyUs, createLatencyHistogram, encodeHistogram } from '../../observe/histogram.ts';
import { summarize } from '../../observe/latency-summary.ts';
import {
  RESULT_SCHEMA_VERSION,
  ScenarioResultSchema,
  type Counters,
  type ScenarioResult,
} from '../../model/result-schema.ts';

/**
 * Minimal, schema-valid ScenarioResults for the gate tests: only the numbers gates read
 * are meaningful. The latency histogram is real (HDR, microseconds), so percentiles the
 * summary lacks (p95) are read the way a real run's are.
 */
export interface FixtureOptions {
  readonly scenario?: string;
  readonly runId?: string;
  /** Answered-call latencies in ms; default 1..100 ms, one sample each. [] = nothing answered. */
  readonly latenciesMs?: readonly number[];
  /** Counters to override; `answered` defaults to the number of latencies, `sent` to answered. */
  readonly counters?: Partial<Omit<Counters, 'discarded'>> & { readonly discarded?: Partial<Counters['discarded']> };
  readonly callsPerSec?: number;
  readonly failedChecks?: number;
  readonly cpus?: number;
  readonly interrupted?: boolean;
  readonly verdict?: ScenarioResult['verdict'];
}

/** 1, 2, ..., 100 ms: p50 = 50 ms, p99 = 99 ms (within HDR's 3 significant digits). */
export const ONE_TO_HUNDRED_MS: readonly number[] = Array.from({ length: 100 }, (_, i) => i + 1);

/** The default samples scaled: `scaledLatencies(1.2)` is a run 20 % slower everywhere. */
export function scaledLatencies(factor: number): number[] {
  return ONE_TO_HUNDRED_MS.map((ms) => ms * factor);
}

export function makeResult(options: FixtureOptions = {}): ScenarioResult {
  const latencies = options.latenciesMs ?? ONE_TO_HUNDRED_MS;
  const histogram = createLatencyHistogram();
  for (const ms of latencies) histogram.recordValue(clampLatencyUs(ms * 1000));
  const summary = summarize(histogram);
  const answered = options.counters?.answered ?? latencies.length;
  const counters: Counters = {
    sent: answered,
    answered,
    correct: answered,
    wrongResult: 0,
    mismatchedCorrelation: 0,
    timedOut: 0,
    remoteErrors: 0,
    connectionLost: 0,
    otherErrors: 0,
    dropped: 0,
    redelivered: 0,
    serverHandled: answered,
    badRequests: 0,
    serverKills: 0,
    serverRestarts: 0,
    brokerRestarts: 0,
    reconnects: 0,
    ...options.counters,
    discarded: { duplicate: 0, late: 0, unknown: 0, ...options.counters?.discarded },
  };
  const serverSummary =
    counters.serverHandled > 0
      ? {
          count: counters.serverHandled,
          min: 0.1,
          mean: 0.5,
          stddev: 0.2,
          p50: 0.4,
          p90: 0.8,
          p99: 1.5,
          p999: 2,
          max: 3,
        }
      : { count: 0, min: 0, mean: 0, stddev: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0 };
  const failedChecks = options.failedChecks ?? 0;
  const result: ScenarioResult = {
    schemaVersion: RESULT_SCHEMA_VERSION,
    scenario: { name: options.scenario ?? 'baseline', description: 'gate test fixture' },
    run: {
      id: options.runId ?? 'run-1',
      startedAt: '2026-11-25T10:00:00.000Z',
      endedAt: '2026-11-25T10:00:10.000Z',
      durationMs: 10_000,
      interrupted: options.interrupted ?? false,
      seed: 1,
    },
    environment: {
      broker: { kind: 'local', version: '3.10.8', description: 'private node' },
      proxy: { kind: 'builtin', version: '2.12.0' },
      replyMode: 'callback-queue',
      node: 'v20.20.2',
      harnessVersion: '0.1.0',
      platform: 'linux-x64',
      cpus: options.cpus ?? 2,
      tracing: { enabled: false, sampleRatio: 0 },
    },
    config: {
      load: { executor: 'closed-loop', concurrency: 8, durationMs: 10_000 },
      servers: 1,
      clients: 1,
      timeoutMs: 3000,
      prefetch: 1,
      confirmReplies: false,
    },
    counters,
    latency: { summary, spectrum: [], series: [], intervalMs: 1000, encodedHistogram: encodeHistogram(histogram) },
    serverLatency: { queueWait: serverSummary, service: serverSummary },
    throughput: { callsPerSec: options.callsPerSec ?? answered / 10 },
    faults: [],
    timeline: { events: [], dropped: 0 },
    checks: Array.from({ length: 2 + failedChecks }, (_, i) => ({
      id: `check-${i}`,
      title: `check ${i}`,
      passed: i >= failedChecks,
      expectation: 'holds',
      actual: i >= failedChecks ? 'held' : 'did not hold',
    })),
    gates: [],
    traces: {},
    verdict: options.verdict ?? (failedChecks > 0 ? 'fail' : 'pass'),
    harnessErrors: [],
  };
  // A fixture that drifted from the schema would test gates against impossible results.
  return ScenarioResultSchema.parse(result);
}
