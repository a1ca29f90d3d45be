import { latencyResult } from '../observe/interval-series.ts';
import { LatencyRecorder } from '../observe/latency-recorder.ts';
import { seededRandom } from '../load/seeded-random.ts';
import type { FaultRecord, ScenarioResult, TimelineEvent } from '../model/result-schema.ts';
import { RESULT_SCHEMA_VERSION } from '../model/result-schema.ts';
import { duplicateReplyTrace, TRACE_ID } from './synthetic-trace.ts';

/** The shape of a synthetic run; every field has a realistic default (30 s at 200 calls/s). */
export interface SyntheticShape {
  readonly durationSec?: number;
  readonly ratePerSec?: number;
  /** Median latency in ms of the synthetic samples. */
  readonly medianMs?: number;
  readonly seed?: number;
  /** A server is killed between reply and ack every this many seconds (default: two kills, at 30 % and 60 %). */
  readonly killEverySec?: number;
  /**
   * Latency-toxic windows in which about half the calls time out and their late replies are
   * discarded: how a long run gets thousands of timeline events. Default none.
   */
  readonly toxicWindows?: number;
}

/** 10 minutes at 500 calls/s: the size benchmark's run (600 series points, thousands of events). */
export const LARGE_RUN: Required<Pick<SyntheticShape, 'durationSec' | 'ratePerSec' | 'killEverySec' | 'toxicWindows'>> =
  {
    durationSec: 600,
    ratePerSec: 500,
    killEverySec: 30,
    toxicWindows: 3,
  };

const RUN_START = Date.parse('2026-11-25T10:00:00.000Z');
const TOXIC_LENGTH_MS = 3000;

/**
 * A schema-valid result of a duplicate-reply run with realistic, mutually consistent numbers
 * (counters agree with the timeline and the faults), latencies recorded in a real HDR
 * recorder. For reporter and gate tests and the report-size benchmark; never a stand-in for a
 * real run. `overrides` replace top-level fields of the result.
 */
export function makeSyntheticResult(
  overrides: Partial<ScenarioResult> = {},
  shape: SyntheticShape = {},
): ScenarioResult {
  const plan = planRun(shape);
  const { recorder, events, timedOut, sent } = sampleCalls(plan);
  const faults: FaultRecord[] = [
    ...plan.kills.map((k, index) => killFault(index, k, events)),
    ...plan.toxics.map((t, index) => toxicFault(index, t, events)),
    resetFault(plan.resetAtMs, events),
  ];
  const kept = events.sort((a, b) => a.tMs - b.tMs).filter((e) => e.tMs <= plan.durationMs);
  const answered = sent - timedOut;
  const kills = plan.kills.length;
  const latency = latencyResult([recorder.encode()], { intervalMs: 1000, runDurationMs: plan.durationMs });
  const gates = syntheticGates(latency.summary.p99, kills);
  const result: ScenarioResult = {
    schemaVersion: RESULT_SCHEMA_VERSION,
    ...syntheticSetup(plan),
    counters: syntheticCounters(sent, answered, timedOut, kills),
    latency,
    serverLatency: syntheticServerLatency(answered),
    throughput: { callsPerSec: answered / plan.durationSec },
    faults,
    timeline: { events: kept, dropped: 0 },
    checks: syntheticChecks(sent, answered, timedOut, kills),
    gates,
    traces: { spansFile: 'spans.jsonl', duplicateReplyTrace: duplicateReplyTrace(plan.kills[0] ?? 1000) },
    verdict: gates.every((g) => g.passed) ? 'pass' : 'fail',
    harnessErrors: [],
  };
  return { ...result, ...overrides };
}

/** A synthetic shape with its defaults filled in and the fault times laid out. */
interface RunPlan {
  readonly durationSec: number;
  readonly rate: number;
  readonly medianMs: number;
  readonly seed: number;
  readonly durationMs: number;
  readonly kills: number[];
  readonly toxics: number[];
  readonly resetAtMs: number;
}

function planRun(shape: SyntheticShape): RunPlan {
  const durationSec = shape.durationSec ?? 30;
  const durationMs = durationSec * 1000;
  return {
    durationSec,
    rate: shape.ratePerSec ?? 200,
    medianMs: shape.medianMs ?? 2.5,
    seed: shape.seed ?? 7,
    durationMs,
    kills: killTimes(durationMs, shape.killEverySec),
    toxics: Array.from(
      { length: shape.toxicWindows ?? 0 },
      (_, i) => Math.round(((i + 0.5) / (shape.toxicWindows ?? 1)) * durationMs) + 5000,
    ),
    resetAtMs: Math.round(durationMs * 0.8),
  };
}

/**
 * Every call of the run: latencies of answered calls go to the recorder, calls timed out in a
 * toxic window become a timeout and a late-discard event.
 */
function sampleCalls(plan: RunPlan): {
  recorder: LatencyRecorder;
  events: TimelineEvent[];
  timedOut: number;
  sent: number;
} {
  const { rate, medianMs, kills, toxics, resetAtMs } = plan;
  const random = seededRandom(plan.seed);
  const recorder = new LatencyRecorder({ runStartEpochMs: RUN_START });
  const events: TimelineEvent[] = [];
  let timedOut = 0;
  const sent = plan.durationSec * rate;
  for (let i = 0; i < sent; i++) {
    const tMs = (i / rate) * 1000;
    const inToxic = toxics.some((t) => tMs >= t && tMs < t + TOXIC_LENGTH_MS);
    if (inToxic && random() < 0.5) {
      timedOut++;
      events.push(...timeoutEvents(i, tMs));
      continue;
    }
    const nearFault = kills.some((k) => tMs >= k && tMs < k + 600) || (tMs >= resetAtMs && tMs < resetAtMs + 300);
    const latencyMs = inToxic
      ? 2000 + random() * 900
      : medianMs * Math.exp((random() - 0.5) * 1.2) * (random() < 0.01 ? 8 : 1) * (nearFault ? 6 : 1);
    recorder.record(Math.round(latencyMs * 1000), RUN_START + tMs + latencyMs);
  }
  return { recorder, events, timedOut, sent };
}

function timeoutEvents(i: number, tMs: number): TimelineEvent[] {
  return [
    {
      tMs: tMs + 3000,
      kind: 'timeout',
      process: 'client-1',
      detail: `call n=${i % 90} timed out after 3000 ms`,
      correlationId: `c.${i}`,
    },
    {
      tMs: tMs + 3400,
      kind: 'discard-late',
      process: 'client-1',
      detail: 'late reply of a timed-out call discarded',
      correlationId: `c.${i}`,
    },
  ];
}

/** Scenario, run, environment and config of the synthetic run. */
function syntheticSetup(plan: RunPlan): Pick<ScenarioResult, 'scenario' | 'run' | 'environment' | 'config'> {
  const { durationMs } = plan;
  return {
    scenario: {
      name: 'duplicate-reply',
      description:
        'servers die between reply and ack; the redelivered request ' +
        'is answered twice and the client must discard the duplicate',
    },
    run: {
      id: `duplicate-reply-${new Date(RUN_START).toISOString().replace(/[:.]/g, '-')}`,
      startedAt: new Date(RUN_START).toISOString(),
      endedAt: new Date(RUN_START + durationMs + 3200).toISOString(),
      durationMs: durationMs + 3200,
      interrupted: false,
      seed: plan.seed,
    },
    environment: {
      broker: {
        kind: 'local',
        version: '3.10.8',
        description: 'private RabbitMQ node rpc-chaos-1@localhost on 127.0.0.1:40000',
      },
      proxy: { kind: 'builtin', version: '2.12.0' },
      replyMode: 'callback-queue',
      node: 'v20.20.2',
      harnessVersion: '0.1.0',
      platform: 'linux-x64',
      cpus: 2,
      tracing: { enabled: true, sampleRatio: 1 },
    },
    config: {
      load: { executor: 'constant-arrival-rate', ratePerSec: plan.rate, durationMs, maxInFlight: 200 },
      servers: 2,
      clients: 1,
      timeoutMs: 3000,
      prefetch: 1,
      confirmReplies: true,
    },
  };
}

function syntheticCounters(
  sent: number,
  answered: number,
  timedOut: number,
  kills: number,
): ScenarioResult['counters'] {
  return {
    sent,
    answered,
    correct: answered,
    wrongResult: 0,
    mismatchedCorrelation: 0,
    timedOut,
    remoteErrors: 0,
    connectionLost: 0,
    otherErrors: 0,
    dropped: 0,
    discarded: { duplicate: kills, late: timedOut, unknown: 0 },
    redelivered: kills + 1,
    serverHandled: sent + kills + 1,
    badRequests: 0,
    serverKills: kills,
    serverRestarts: kills,
    brokerRestarts: 0,
    reconnects: 1,
  };
}

function syntheticServerLatency(answered: number): ScenarioResult['serverLatency'] {
  return {
    queueWait: { count: answered, min: 0.05, mean: 0.4, stddev: 0.2, p50: 0.3, p90: 0.6, p99: 1.2, p999: 2, max: 3 },
    service: {
      count: answered,
      min: 0.02,
      mean: 0.06,
      stddev: 0.03,
      p50: 0.05,
      p90: 0.08,
      p99: 0.2,
      p999: 0.4,
      max: 0.9,
    },
  };
}

function syntheticChecks(sent: number, answered: number, timedOut: number, kills: number): ScenarioResult['checks'] {
  return [
    {
      id: 'calls-accounted',
      title: 'Every call is accounted for',
      passed: true,
      expectation: 'answered + timed out + errored = sent',
      actual: `sent ${sent}, answered ${answered}, timed out ${timedOut}, errored 0`,
    },
    {
      id: 'answered-at-most-once',
      title: 'Each call resolved at most once',
      passed: true,
      expectation: 'no call settled twice',
      actual: `settled twice 0, replies accepted ${answered}`,
    },
    {
      id: 'results-correct',
      title: 'Every successful result equals fib(n)',
      passed: true,
      expectation: 'wrong results = 0',
      actual: `answered ${answered}, correct ${answered}, wrong 0`,
    },
    {
      id: 'duplicates-discarded',
      title: 'Each kill between reply and ack produced a duplicate that was discarded',
      passed: true,
      expectation: 'discarded duplicates >= kills >= 1',
      actual: `killed at the fault point ${kills}, duplicates discarded ${kills}`,
    },
  ];
}

/** The scenario's two gates, the p99 gate evaluated against the recorded latency. */
function syntheticGates(p99: number, kills: number): ScenarioResult['gates'] {
  return [
    {
      expression: 'p99<250ms',
      metric: 'p99',
      passed: p99 < 250,
      actual: p99,
      threshold: 250,
      unit: 'ms',
      detail: `p99 ${p99.toFixed(2)} ms < 250 ms`,
      source: 'scenario',
    },
    {
      expression: 'discarded.duplicate>=1',
      metric: 'discarded.duplicate',
      passed: true,
      actual: kills,
      threshold: 1,
      unit: '',
      detail: `discarded.duplicate ${kills} >= 1`,
      source: 'scenario',
    },
  ];
}

/** The benchmark's large run: 10 minutes at 500 calls/s, a kill every 30 s, three latency-toxic windows. */
export function makeLargeSyntheticResult(overrides: Partial<ScenarioResult> = {}): ScenarioResult {
  return makeSyntheticResult(overrides, LARGE_RUN);
}

function killTimes(durationMs: number, everySec: number | undefined): number[] {
  if (everySec === undefined) return [Math.round(durationMs * 0.3), Math.round(durationMs * 0.6)];
  const times: number[] = [];
  for (let t = everySec * 1000; t < durationMs - 2000; t += everySec * 1000) times.push(t);
  return times;
}

function killFault(index: number, k: number, events: TimelineEvent[]): FaultRecord {
  const server = `server-${(index % 2) + 1}`;
  const other = `server-${((index + 1) % 2) + 1}`;
  const description = `SIGKILL ${server} at afterReplyBeforeAck, restart after 1.5 s`;
  const correlationId = `c.${k}`;
  events.push(
    { tMs: k, kind: 'fault-start', process: 'runner', detail: description },
    {
      tMs: k,
      kind: 'kill',
      process: server,
      detail: 'SIGKILL at afterReplyBeforeAck (reply published, request not acked)',
      correlationId,
    },
    {
      tMs: k + 4,
      kind: 'redelivery',
      process: other,
      detail: 'redelivered request n=42 answered again',
      correlationId,
    },
    {
      tMs: k + 6,
      kind: 'discard-duplicate',
      process: 'client-1',
      detail: 'duplicate reply discarded (answer to a redelivered request)',
      traceId: index === 0 ? TRACE_ID : undefined,
      correlationId,
    },
    { tMs: k + 1500, kind: 'restart', process: server, detail: 'server process started again' },
    { tMs: k + 1500, kind: 'fault-end', process: 'runner', detail: description },
  );
  return {
    id: `kill-${index + 1}`,
    kind: 'kill-server-at-fault-point',
    target: server,
    description,
    trigger: `at afterReplyBeforeAck of request ${30 + index * 50}`,
    fired: true,
    startMs: k,
    endMs: k + 1500,
  };
}

function toxicFault(index: number, t: number, events: TimelineEvent[]): FaultRecord {
  const description = 'latency toxic 2500 ms ± 400 ms on the client proxy, downstream';
  events.push(
    { tMs: t, kind: 'fault-start', process: 'runner', detail: description },
    { tMs: t + TOXIC_LENGTH_MS, kind: 'fault-end', process: 'runner', detail: description },
  );
  return {
    id: `toxic-${index + 1}`,
    kind: 'toxic',
    target: 'client-proxy',
    description,
    trigger: `at ${Math.round(t / 1000)}s for 3s`,
    fired: true,
    startMs: t,
    endMs: t + TOXIC_LENGTH_MS,
  };
}

/** An instantaneous fault: start = end, drawn as a line, not a band. */
function resetFault(t: number, events: TimelineEvent[]): FaultRecord {
  events.push(
    { tMs: t, kind: 'fault-start', process: 'runner', detail: 'close server-2 connections' },
    { tMs: t, kind: 'connection-lost', process: 'server-2', detail: 'connection closed by proxy (reset_peer)' },
    { tMs: t + 5, kind: 'redelivery', process: 'server-1', detail: 'unacked request of server-2 redelivered' },
    { tMs: t + 180, kind: 'reconnect', process: 'server-2', detail: 'amqplib recovery reconnected after 180 ms' },
  );
  return {
    id: 'reset-1',
    kind: 'close-connections',
    target: 'server-2',
    description: 'close every connection of server-2 through its proxy',
    trigger: `at ${Math.round(t / 1000)}s`,
    fired: true,
    startMs: t,
    endMs: t,
  };
}
