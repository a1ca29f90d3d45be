import { BROKER_NOTICE_KINDS } from './broker-notices.ts';
import { z } from 'zod';
import { LossDetectionSchema } from './loss-detection.ts';
import { ErrorGroupsSchema } from './error-groups.ts';
import { HarnessOverheadSchema, ProxyUsedSchema } from './harness-overhead.ts';
import { WarmupSchema } from './warmup.ts';
import { PER_CLIENT_IMPACT_FIELDS } from './client-impact.ts';
import { ResourcesSchema } from './process-resources.ts';
import { TapObservationsSchema } from './tap-observations.ts';

/**
 * ScenarioResult: the single source of truth of a run (result.json). The scenario engine
 * writes it, every reporter and gate reads only it. Bump RESULT_SCHEMA_VERSION on any
 * change that an older reader could misread.
 *
 * Conventions: times inside a run are milliseconds since run start (`tMs`); wall-clock
 * instants are ISO strings or epoch ms named `...AtMs`; latencies are milliseconds.
 */
export const RESULT_SCHEMA_VERSION = 1;

const nonNegative = z.number().finite().nonnegative();
const count = z.number().int().nonnegative();

export const LatencySummarySchema = z.object({
  count,
  min: nonNegative,
  mean: nonNegative,
  stddev: nonNegative,
  p50: nonNegative,
  p90: nonNegative,
  p99: nonNegative,
  p999: nonNegative,
  max: nonNegative,
});

/** One point of the HdrHistogram percentile distribution (the "percentile spectrum"). */
export const PercentilePointSchema = z.object({
  percentile: z.number().min(0).max(100),
  valueMs: nonNegative,
  /** Count of samples at or below this value. */
  count,
  /** 1/(1-p), the x axis of the HdrHistogram plot (finite at 100 %: see observe/latency-summary). */
  inverse: z.number().positive().optional(),
});

/** One interval (default 1 s) of the over-time series. */
export const IntervalPointSchema = z.object({
  tMs: nonNegative,
  count,
  throughputPerSec: nonNegative,
  p50: nonNegative,
  p90: nonNegative,
  p99: nonNegative,
  max: nonNegative,
});

export const LatencyResultSchema = z.object({
  summary: LatencySummarySchema,
  spectrum: z.array(PercentilePointSchema),
  series: z.array(IntervalPointSchema),
  intervalMs: z.number().int().positive(),
  /** The merged histogram, compressed and base64-encoded (HdrHistogram format, microseconds). */
  encodedHistogram: z.string(),
});

export const TimelineEventSchema = z.object({
  tMs: nonNegative,
  kind: z.enum([
    'fault-start',
    'fault-end',
    'kill',
    'restart',
    'redelivery',
    'discard-duplicate',
    'discard-late',
    'discard-unknown',
    /** External clients: a stale reply the frame tap saw delivered to the client (what it did with it is unseen). */
    'duplicate-delivered',
    'late-delivered',
    'unknown-delivered',
    'timeout',
    'error',
    'broker-restart',
    'connection-lost',
    'reconnect',
    'note',
    ...BROKER_NOTICE_KINDS,
  ]),
  process: z.string(),
  detail: z.string().optional(),
  traceId: z.string().optional(),
  correlationId: z.string().optional(),
});

export const FaultRecordSchema = z.object({
  id: z.string(),
  /** e.g. 'kill-server-at-fault-point', 'toxic', 'disable-proxy', 'restart-broker'. */
  kind: z.string(),
  target: z.string(),
  description: z.string(),
  /** When it was scheduled: 'at 2s', 'after call 100', 'at afterReplyBeforeAck of request 50'. */
  trigger: z.string(),
  fired: z.boolean(),
  startMs: nonNegative.optional(),
  endMs: nonNegative.optional(),
  /** A fault that restarts a server: how long after its scheduled time the new server was consuming (ms). */
  restartLagMs: nonNegative.optional(),
});

export const CheckResultSchema = z.object({
  id: z.string(),
  title: z.string(),
  passed: z.boolean(),
  /** What must hold, in words, e.g. "answered + timed out + errored = sent". */
  expectation: z.string(),
  /** The numbers behind the verdict, e.g. "sent 1000, answered 998, timed out 2, errored 0". */
  actual: z.string(),
});

export const GateResultSchema = z.object({
  expression: z.string(),
  metric: z.string(),
  passed: z.boolean(),
  actual: z.number().nullable(),
  threshold: z.number(),
  unit: z.string(),
  /** Set when the gate compares with a saved baseline. */
  baseline: z.number().nullable().optional(),
  /** Human-readable explanation, e.g. "p99 12.3 ms < 50 ms" or "within noise (±4 %)". */
  detail: z.string(),
  source: z.enum(['scenario', 'cli', 'baseline']),
  /**
   * A phase gate (`during(partition).p99<2s`): the phase, the fault as written, and the
   * window each matching fired fault gave, as read (whole intervals of callsByStart).
   */
  phase: z
    .object({
      kind: z.enum(['during', 'after']),
      fault: z.string(),
      windows: z.array(z.object({ faultId: z.string(), fromMs: nonNegative, toMs: nonNegative })),
    })
    .optional(),
});

export const CountersSchema = z.object({
  sent: count,
  answered: count,
  correct: count,
  wrongResult: count,
  mismatchedCorrelation: count,
  timedOut: count,
  remoteErrors: count,
  connectionLost: count,
  otherErrors: count,
  /**
   * Replies whose body was neither a decimal integer nor an error reply (`x-error`); each is
   * also one of the errors above (other errors for the built-in client). Absent in older results.
   */
  badReplies: count.optional(),
  /** Calls the load generator could not start (in-flight limit), as k6's dropped_iterations. */
  dropped: count,
  /** Calls the client took but could not publish (not connected to the broker); not in `sent`. Absent: none counted. */
  notSent: count.optional(),
  discarded: z.object({ duplicate: count, late: count, unknown: count }),
  redelivered: count,
  serverHandled: count,
  badRequests: count,
  serverKills: count,
  serverRestarts: count,
  brokerRestarts: count,
  reconnects: count,
});

/** What the load generators offered, against what was asked (see checks/offered-load.ts). */
export const OfferedLoadSchema = z.object({
  executor: z.enum(['constant-arrival-rate', 'closed-loop']),
  /** Calls per second asked for, all clients together; absent for a closed loop. */
  targetPerSec: nonNegative.optional(),
  /** Calls started per second of the time the generators ran. */
  achievedPerSec: nonNegative,
  /** Calls whose intended start fell before the end. */
  due: count,
  started: count,
  /** Due calls not sent (in-flight limit), as k6's dropped_iterations. */
  dropped: count,
  droppedShare: z.number().min(0).max(1),
  /** Due calls neither started nor dropped: skipped by the generator, must be 0. Absent in older results. */
  unaccounted: count.optional(),
  /**
   * Open loop: how late the generators started calls against their intended times, all
   * clients merged (ms). Absent for a closed loop and in older results.
   */
  startLateness: LatencySummarySchema.optional(),
  scheduleMs: nonNegative,
  /** The scenario accepts a run that fell short (acceptUndeliveredLoad). */
  undeliveredAccepted: z.boolean(),
});

export const TraceSpanSchema = z.object({
  traceId: z.string(),
  spanId: z.string(),
  parentSpanId: z.string().optional(),
  name: z.string(),
  kind: z.string(),
  process: z.string(),
  startMs: z.number(),
  durationMs: nonNegative,
  status: z.enum(['ok', 'error', 'unset']),
  statusMessage: z.string().optional(),
  events: z.array(z.object({ name: z.string(), tMs: z.number() })),
  attributes: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
});

/**
 * Calls grouped by the interval of their intended start (observe/calls-by-start.ts): how each
 * ended, and the latency of the answered ones as an HDR histogram. Phase gates read it.
 */
export const CallsByStartSchema = z.object({
  intervalMs: z.number().int().positive(),
  /** From the run start to the end of the load schedule: where every `after(...)` window ends. */
  loadDurationMs: nonNegative,
  /** Only intervals in which a started call ended; `answered` includes wrong results. */
  intervals: z.array(
    z.object({
      tMs: nonNegative,
      answered: count,
      wrongResult: count,
      timedOut: count,
      remoteErrors: count,
      connectionLost: count,
      otherErrors: count,
      /** Compressed base64, microseconds; absent when no call of the interval was answered. */
      histogram: z.string().optional(),
    }),
  ),
});

/** What one fault cost the callers (observe/fault-impact.ts). */
export const FaultImpactSchema = z.object({
  faultId: z.string(),
  description: z.string(),
  unavailabilityMs: nonNegative.nullable(),
  recoveryMs: nonNegative.nullable(),
  baselinePerSec: nonNegative,
  failed: z.object({ timeout: count, connectionLost: count, notConnected: count, other: count }),
  ...PER_CLIENT_IMPACT_FIELDS,
});

/** A run on a private cluster: its nodes, where each instance connected, and each node's states over time. */
export const ClusterSectionSchema = z.object({
  nodes: z.array(
    z.object({
      index: z.number().int().positive(),
      name: z.string(),
      host: z.string(),
      amqpPort: z.number().int().positive(),
    }),
  ),
  queueType: z.enum(['classic', 'quorum']),
  partitionHandling: z.string(),
  netTicktimeSeconds: z.number().positive(),
  startMs: nonNegative,
  placements: z.array(z.object({ instance: z.string(), node: z.number().int().positive() })),
  nodeStates: z.array(
    z.object({
      node: z.number().int().positive(),
      tMs: nonNegative,
      state: z.enum(['up', 'down', 'paused', 'partitioned', 'leader']),
    }),
  ),
});

/** Who took part in a run merged from execution segments, and how far apart they started. */
export const SegmentsSchema = z.object({
  count: z.number().int().positive(),
  /** The agreed start (--start-at). */
  startAt: z.iso.datetime(),
  /** Largest difference between two participants' recorded start times. */
  clockSkewMs: nonNegative,
  participants: z.array(
    z.object({
      role: z.enum(['clients', 'servers']),
      /** 1..count for a clients segment, 0 for the servers run. */
      index: count,
      dir: z.string(),
      host: z.string(),
      localAddress: z.string().optional(),
      /** Recorded start minus the agreed start. */
      startOffsetMs: z.number(),
      sent: count,
      answered: count,
      /** The implementation it ran in its role (the servers run's server, a segment's client); absent in older results. */
      implementation: z.string().optional(),
    }),
  ),
});

export const ScenarioResultSchema = z.object({
  schemaVersion: z.literal(RESULT_SCHEMA_VERSION),
  scenario: z.object({ name: z.string().min(1), description: z.string() }),
  run: z.object({
    id: z.string(),
    startedAt: z.iso.datetime(),
    endedAt: z.iso.datetime(),
    durationMs: nonNegative,
    interrupted: z.boolean(),
    seed: z.number().int(),
  }),
  environment: z.object({
    broker: z.object({
      kind: z.enum(['local', 'docker', 'url', 'cluster']),
      version: z.string(),
      description: z.string(),
    }),
    proxy: ProxyUsedSchema,
    /** What the proxy and the frame tap added to a round trip, measured as the run started. */
    harnessOverhead: HarnessOverheadSchema.optional(),
    replyMode: z.enum(['callback-queue', 'direct-reply-to']),
    node: z.string(),
    harnessVersion: z.string(),
    platform: z.string(),
    cpus: count,
    tracing: z.object({
      enabled: z.boolean(),
      sampleRatio: z.number().min(0).max(1),
      /** At most this many new traces per client process, per second and in all, on top of the ratio. */
      budget: z.object({ perSecond: z.number().positive(), total: count }).optional(),
    }),
    /** The implementations under test: "builtin" or "command: <command line>". Absent in older results. */
    implementations: z.object({ server: z.string(), client: z.string() }).optional(),
    /** How the client processes were scheduled: 'realtime' is SCHED_FIFO (--client-priority). Absent: normal. */
    clientPriority: z.enum(['normal', 'realtime']).optional(),
    /**
     * How the runner kept hold of the processes it started, for its owner guard: 'cgroup' (a
     * cgroup v2 per process, below `detail`) or only 'process-group' (`detail` says why).
     * Absent when it started none, and in older results.
     */
    processContainment: z.object({ mechanism: z.enum(['cgroup', 'process-group']), detail: z.string() }).optional(),
  }),
  config: z.object({
    load: z.discriminatedUnion('executor', [
      z.object({
        executor: z.literal('constant-arrival-rate'),
        ratePerSec: z.number().positive(),
        durationMs: z.number().positive().optional(),
        calls: count.optional(),
        maxInFlight: count,
      }),
      z.object({
        executor: z.literal('closed-loop'),
        concurrency: z.number().int().positive(),
        durationMs: z.number().positive().optional(),
        calls: count.optional(),
      }),
    ]),
    servers: count,
    clients: count,
    timeoutMs: z.number().positive(),
    prefetch: z.number().int().positive(),
    confirmReplies: z.boolean(),
    /** The request queue; a per-run name unless the user named one. Absent in older results. */
    queue: z.string().optional(),
    /** Warm-up calls before the load (counted nowhere else); absent in older results and when none were made. */
    warmup: WarmupSchema.optional(),
  }),
  counters: CountersSchema,
  latency: LatencyResultSchema,
  serverLatency: z.object({ queueWait: LatencySummarySchema, service: LatencySummarySchema }),
  throughput: z.object({ callsPerSec: nonNegative }),
  /** Absent in results written before it was measured. */
  offeredLoad: OfferedLoadSchema.optional(),
  faults: z.array(FaultRecordSchema),
  timeline: z.object({ events: z.array(TimelineEventSchema), dropped: count }),
  checks: z.array(CheckResultSchema),
  gates: z.array(GateResultSchema),
  traces: z.object({
    spansFile: z.string().optional(),
    /** Spans in spansFile, its size, and the calls traced (root spans). */
    spans: count.optional(),
    spanFileBytes: count.optional(),
    tracedCalls: count.optional(),
    /** Why spans could not be collected; the run's measurements stand without them. */
    error: z.string().optional(),
    /** The waterfall of one duplicate-reply call: original reply, kill, redelivery, discard. */
    duplicateReplyTrace: z.array(TraceSpanSchema).optional(),
  }),
  /**
   * `interrupted`: stopped by Ctrl-C or a signal before the end asked for. Its checks and
   * gates judge a partial run, so it is neither a pass nor a fail, whatever they say.
   */
  verdict: z.enum(['pass', 'fail', 'error', 'interrupted']),
  /** Harness problems that did not stop the run (e.g. a worker that could not report). */
  harnessErrors: z.array(z.string()),
  /** The run did not happen as asked in a way a reader must see next to the verdict. */
  warnings: z.array(z.string()).optional(),
  /** Per fired fault: unavailability, recovery time, failed calls. Absent in older results. */
  faultImpact: z.array(FaultImpactSchema).optional(),
  /** Present when the run used a private cluster. */
  cluster: ClusterSectionSchema.optional(),
  /** For phase gates; absent in older results and in runs merged from segments. */
  callsByStart: CallsByStartSchema.optional(),
  /** Set on a run merged from execution segments (`npm run report -- --merge`). */
  segments: SegmentsSchema.optional(),
  /** Failed calls grouped by error text per client process; absent in older results. */
  errorGroups: ErrorGroupsSchema.optional(),
  /** Memory and CPU of every process the run started, over time. Absent in older results. */
  resources: ResourcesSchema.optional(),
  /** What the frame tap saw of external implementations; absent when none ran, and in older results. */
  tap: TapObservationsSchema.optional(),
  /** Per process on a blackholed link: how long it took to notice (model/loss-detection.ts). */
  lossDetection: z.array(LossDetectionSchema).optional(),
});

export type ScenarioResult = z.infer<typeof ScenarioResultSchema>;
export type LatencySummary = z.infer<typeof LatencySummarySchema>;
export type PercentilePoint = z.infer<typeof PercentilePointSchema>;
export type IntervalPoint = z.infer<typeof IntervalPointSchema>;
export type TimelineEvent = z.infer<typeof TimelineEventSchema>;
export type FaultRecord = z.infer<typeof FaultRecordSchema>;
export type CheckResult = z.infer<typeof CheckResultSchema>;
export type GateResult = z.infer<typeof GateResultSchema>;
export type TraceSpan = z.infer<typeof TraceSpanSchema>;
export type Counters = z.infer<typeof CountersSchema>;
export type FaultImpactRecord = z.infer<typeof FaultImpactSchema>;
export type CallsByStart = z.infer<typeof CallsByStartSchema>;
export type ClusterSection = z.infer<typeof ClusterSectionSchema>;
export type OfferedLoad = z.infer<typeof OfferedLoadSchema>;
export type Segments = z.infer<typeof SegmentsSchema>;
