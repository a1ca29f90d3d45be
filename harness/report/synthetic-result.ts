import { LatencyRecorder } from '../observe/latency-recorder.ts';
import { latencyResult } from '../observe/interval-series.ts';
import { seededRandom } from '../load/seeded-random.ts';
import { RESULT_SCHEMA_VERSION, type ScenarioResult, type TimelineEvent, type TraceSpan } from './result-schema.ts';

export interface SyntheticOptions {
  readonly durationSec?: number;
  readonly ratePerSec?: number;
  /** Median latency in ms of the synthetic samples. */
  readonly medianMs?: number;
  readonly seed?: number;
}

/**
 * A schema-valid result of a duplicate-reply run with realistic numbers, built from real
 * HDR recordings: for reporter and gate tests, and for the report-size benchmark (a
 * 10-minute run at 500 calls/s). Not a stand-in for a real run anywhere else.
 */
export function makeSyntheticResult(options: SyntheticOptions = {}, overrides: Partial<ScenarioResult> = {}): ScenarioResult {
  const durationSec = options.durationSec ?? 30;
  const rate = options.ratePerSec ?? 200;
  const medianMs = options.medianMs ?? 2.5;
  const random = seededRandom(options.seed ?? 7);
  const runStart = Date.parse('2026-11-25T10:00:00.000Z');
  const recorder = new LatencyRecorder({ runStartEpochMs: runStart });
  const kills = [Math.round(durationSec * 0.3 * 1000), Math.round(durationSec * 0.6 * 1000)];
  const events: TimelineEvent[] = [];
  for (let i = 0; i < durationSec * rate; i++) {
    const tMs = (i / rate) * 1000;
    const nearKill = kills.some((k) => tMs >= k && tMs < k + 600);
    const latencyMs = medianMs * Math.exp((random() - 0.5) * 1.2) * (random() < 0.01 ? 8 : 1) * (nearKill ? 6 : 1);
    recorder.record(Math.round(latencyMs * 1000), runStart + tMs + latencyMs);
    if (random() < 0.002) events.push({ tMs, kind: 'timeout', process: 'client-1', detail: `call timed out after 3000 ms`, correlationId: `c.${i}` });
  }
  const latency = latencyResult([recorder.encode()], { intervalMs: 1000, runDurationMs: durationSec * 1000 });
  const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
  kills.forEach((k, index) => {
    const server = `server-${index + 1}`;
    events.push(
      { tMs: k, kind: 'fault-start', process: 'runner', detail: `SIGKILL ${server} at afterReplyBeforeAck` },
      { tMs: k, kind: 'kill', process: server, detail: 'SIGKILL at afterReplyBeforeAck', correlationId: `c.${k}` },
      { tMs: k + 4, kind: 'redelivery', process: index === 0 ? 'server-2' : 'server-1', detail: 'redelivered request n=42 answered again', correlationId: `c.${k}` },
      { tMs: k + 6, kind: 'discard-duplicate', process: 'client-1', detail: 'duplicate reply discarded (answer to a redelivered request)', traceId: index === 0 ? traceId : undefined, correlationId: `c.${k}` },
      { tMs: k + 1500, kind: 'restart', process: server, detail: 'server process started again' },
      { tMs: k + 1500, kind: 'fault-end', process: 'runner', detail: `SIGKILL ${server} at afterReplyBeforeAck` },
    );
  });
  const k0 = kills[0]!;
  const span = (spanId: string, parentSpanId: string | undefined, name: string, kind: string, process: string, startMs: number, durationMs: number, status: TraceSpan['status'] = 'unset', statusMessage?: string): TraceSpan =>
    ({ traceId, spanId, parentSpanId, name, kind, process, startMs, durationMs, status, statusMessage, events: [], attributes: { 'messaging.message.conversation_id': `c.${k0}` } });
  const duplicateReplyTrace: TraceSpan[] = [
    span('a1', undefined, 'rpc_queue publish', 'PRODUCER', 'client-1', k0 - 2, 3.1),
    span('b1', 'a1', 'rpc_queue process', 'CONSUMER', 'server-1', k0 - 1.5, 1.4, 'error', 'process killed at afterReplyBeforeAck'),
    span('b2', 'b1', 'fib compute', 'INTERNAL', 'server-1', k0 - 1.4, 0.05),
    span('c1', 'a1', 'rpc_queue process', 'CONSUMER', 'server-2', k0 + 3.2, 1.1),
    span('c2', 'c1', 'fib compute', 'INTERNAL', 'server-2', k0 + 3.3, 0.05),
    span('d1', 'c1', 'rpc reply discarded', 'CONSUMER', 'client-1', k0 + 5.8, 0.1),
  ];
  const sent = durationSec * rate;
  const summary = latency.summary;
  const result: ScenarioResult = {
    schemaVersion: RESULT_SCHEMA_VERSION,
    scenario: { name: 'duplicate-reply', description: 'servers die between reply and ack; the redelivered request is answered twice and the client must discard the duplicate' },
    run: { id: 'duplicate-reply-synthetic', startedAt: new Date(runStart - 4000).toISOString(), endedAt: new Date(runStart + durationSec * 1000 + 2000).toISOString(), durationMs: durationSec * 1000 + 6000, interrupted: false, seed: options.seed ?? 7 },
    environment: {
      broker: { kind: 'local', version: '3.10.8', description: 'private RabbitMQ node rpc-chaos-1@localhost on 127.0.0.1:40000' },
      proxy: { kind: 'builtin', version: '2.12.0' },
      replyMode: 'callback-queue',
      node: 'v20.20.2',
      harnessVersion: '0.1.0',
      platform: 'linux-x64',
      cpus: 2,
      tracing: { enabled: true, sampleRatio: 1 },
    },
    config: { load: { executor: 'constant-arrival-rate', ratePerSec: rate, durationMs: durationSec * 1000, maxInFlight: 200 }, servers: 2, clients: 1, timeoutMs: 3000, prefetch: 1, confirmReplies: true },
    counters: {
      sent, answered: sent, correct: sent, wrongResult: 0, mismatchedCorrelation: 0, timedOut: 0, remoteErrors: 0, connectionLost: 0, otherErrors: 0, dropped: 0,
      discarded: { duplicate: 2, late: 0, unknown: 0 }, redelivered: 2, serverHandled: sent + 2, badRequests: 0, serverKills: 2, serverRestarts: 2, brokerRestarts: 0, reconnects: 0,
    },
    latency,
    serverLatency: { queueWait: { ...summary, p50: 0.3, p90: 0.6, p99: 1.2, p999: 2, max: 3, min: 0.05, mean: 0.4, stddev: 0.2 }, service: { ...summary, p50: 0.05, p90: 0.08, p99: 0.2, p999: 0.4, max: 0.9, min: 0.02, mean: 0.06, stddev: 0.03 } },
    throughput: { callsPerSec: rate },
    faults: kills.map((k, index) => ({
      id: `fault-${index + 1}`, kind: 'kill-server-at-fault-point', target: `server-${index + 1}`,
      description: `SIGKILL server-${index + 1} at afterReplyBeforeAck of its request ${30 + index * 50}, restart after 500 ms`,
      trigger: `at afterReplyBeforeAck of request ${30 + index * 50}`, fired: true, startMs: k, endMs: k + 1500,
    })),
    timeline: { events: events.sort((a, b) => a.tMs - b.tMs), dropped: 0 },
    checks: [
      { id: 'answered-at-most-once', title: 'Each call resolved at most once', passed: true, expectation: 'no call settled twice', actual: `settled twice 0, replies accepted ${sent}` },
      { id: 'results-correct', title: 'Every successful result equals fib(n)', passed: true, expectation: 'wrong results = 0', actual: `answered ${sent}, correct ${sent}, wrong 0` },
      { id: 'duplicates-discarded', title: 'Each kill between reply and ack produced a duplicate that was discarded', passed: true, expectation: 'discarded duplicates >= kills >= 1', actual: 'killed at the fault point 2, duplicates discarded 2' },
    ],
    gates: [],
    traces: { spansFile: 'spans.jsonl', duplicateReplyTrace },
    verdict: 'pass',
    harnessErrors: [],
  };
  return { ...result, ...overrides };
}
