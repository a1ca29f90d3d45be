/**
 * segment.json: what one participant of a segmented run observed, in the raw form the merge
 * needs to assemble the whole run with the same code a single run uses. result.json holds
 * summaries (percentiles cannot be added); this holds the encoded histograms, the call id
 * sets, the final tallies and the faults and events as they happened.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import {
  CheckResultSchema,
  CountersSchema,
  FaultRecordSchema,
  TimelineEventSchema,
  ScenarioResultSchema,
} from '../model/result-schema.ts';
import { ProcessConnectionsSchema, ReplyModeCountsSchema } from '../model/tap-observations.ts';

export const SEGMENT_FILE = 'segment.json';
export const SEGMENT_RECORD_VERSION = 1;

const count = z.number().int().nonnegative();
const EncodedCallIdsSchema = z.object({
  ranges: z.record(z.string(), z.array(z.number().int())),
  other: z.array(z.string()),
});
const EncodedRecordingSchema = z.object({
  total: z.string(),
  intervals: z.array(z.object({ index: z.number().int(), histogram: z.string() })).readonly(),
});

/** A process's connections as its frame tap saw them (external implementations). */
const TapConnectionCountsSchema = ProcessConnectionsSchema.omit({ process: true });

export const ClientTallySchema = z.object({
  sent: count,
  answered: count,
  correct: count,
  wrongResult: count,
  mismatchedCorrelation: count,
  timedOut: count,
  remoteErrors: count,
  connectionLost: count,
  otherErrors: count,
  dropped: count,
  due: count,
  scheduleMs: z.number().nonnegative(),
  badInputSent: count,
  badInputRejected: count,
  discardedDuplicate: count,
  discardedLate: count,
  discardedUnknown: count,
  acceptedReplies: count,
  answeredTwice: count,
  answeredTwiceExamples: z.array(z.string()),
  reconnects: count,
  notSent: count.optional(),
  connections: TapConnectionCountsSchema.optional(),
  replyModes: ReplyModeCountsSchema.optional(),
  protocolViolations: z.record(z.string(), count).optional(),
  crossResolutionExamples: z.array(z.string()).optional(),
  // What the no-reply checks read from a client's final tally (impl/instance-report.ts).
  pendingAtEnd: count.optional(),
});

export const ServerTallySchema = z.object({
  handled: count,
  redelivered: count,
  badRequests: count,
  replyFailures: count,
  reconnects: count,
  connections: TapConnectionCountsSchema.optional(),
});

const FinalObservationsSchema = z.object({
  client: ClientTallySchema.optional(),
  latency: EncodedRecordingSchema.optional(),
  /** Calls by intended start (observe/calls-by-start.ts), so a merged run keeps its phase gates. */
  callsByStart: z
    .object({
      intervalMs: z.number().int().positive(),
      latency: EncodedRecordingSchema,
      outcomes: z
        .array(
          z.object({
            index: z.number().int(),
            answered: count,
            wrongResult: count,
            timedOut: count,
            remoteErrors: count,
            connectionLost: count,
            otherErrors: count,
          }),
        )
        .readonly(),
    })
    .optional(),
  queueWait: EncodedRecordingSchema.optional(),
  service: EncodedRecordingSchema.optional(),
  sentRequests: z
    .object({
      published: EncodedCallIdsSchema,
      connectionLost: EncodedCallIdsSchema,
      returnedUnroutable: EncodedCallIdsSchema,
      confirms: z.object({ confirmed: EncodedCallIdsSchema, nacked: count, replied: EncodedCallIdsSchema }).optional(),
    })
    .optional(),
});

const InstanceSchema = z.object({ name: z.string(), final: FinalObservationsSchema.optional() });
const environment = ScenarioResultSchema.shape.environment.shape;

const OverridesSchema = z.object({
  durationMs: z.number().optional(),
  ratePerSec: z.number().optional(),
  concurrency: z.number().optional(),
  calls: z.number().optional(),
  servers: z.number().optional(),
  clients: z.number().optional(),
  replyMode: z.enum(['callback-queue', 'direct-reply-to']).optional(),
  timeoutMs: z.number().optional(),
  sampleRatio: z.number().optional(),
  queue: z.string().optional(),
  serverCommand: z.string().optional(),
  clientCommand: z.string().optional(),
  readyTimeoutMs: z.number().optional(),
});

export const SegmentRecordSchema = z.object({
  segmentRecordVersion: z.literal(SEGMENT_RECORD_VERSION),
  identity: z.object({
    scenario: z.string(),
    seed: z.number().int(),
    startAt: z.iso.datetime(),
    count: z.number().int().positive(),
    queue: z.string(),
  }),
  role: z.enum(['clients', 'servers']),
  index: count,
  scenarioSource: z.string(),
  overrides: OverridesSchema,
  gates: z.array(z.string()),
  tracing: environment.tracing,
  implementations: z.object({ server: z.string(), client: z.string() }),
  topology: z.object({
    broker: environment.broker,
    proxy: environment.proxy,
    harnessOverhead: environment.harnessOverhead,
  }),
  host: z.string(),
  localAddress: z.string().optional(),
  /** When this participant actually started its load (its own clock): the clock-skew check compares these. */
  recordedStartEpochMs: z.number(),
  startedAt: z.iso.datetime(),
  endedAt: z.iso.datetime(),
  loadEndedEpochMs: z.number().optional(),
  interrupted: z.boolean(),
  clients: z.array(InstanceSchema),
  servers: z.array(InstanceSchema),
  clientTallies: z.record(z.string(), ClientTallySchema),
  serverTallies: z.record(z.string(), ServerTallySchema),
  faults: z.array(FaultRecordSchema),
  /** Events with tMs since the agreed start, which every participant's run start is. */
  timeline: z.object({ events: z.array(TimelineEventSchema), dropped: count }),
  harnessErrors: z.array(z.string()),
  extra: z.object({ brokerRestarts: count, serverKills: count, serverRestarts: count }),
  handledCallIds: EncodedCallIdsSchema,
  requestsQueuedAtStop: count.optional(),
  expiredRequestIds: z.array(z.string()).optional(),
  /** This participant's own counters and checks, for a quick look; the merge recomputes everything. */
  counters: CountersSchema,
  checks: z.array(CheckResultSchema),
});

export type SegmentRecord = z.infer<typeof SegmentRecordSchema>;

export function writeSegmentRecord(runDir: string, record: SegmentRecord): string {
  const file = join(runDir, SEGMENT_FILE);
  writeFileSync(file, `${JSON.stringify(SegmentRecordSchema.parse(record))}\n`);
  return file;
}

/** The segment.json of a folder; errors name the folder and what to do. */
export function readSegmentRecord(dir: string): SegmentRecord {
  const file = join(dir, SEGMENT_FILE);
  if (!existsSync(dir)) throw new Error(`${dir}: no such folder`);
  if (!existsSync(file))
    throw new Error(
      `${dir} is not a segment folder (it has no ${SEGMENT_FILE}): ` +
        'give the --out folders of runs made with --segment k/K or --role servers',
    );
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`${file} is not valid JSON: ${(error as Error).message}`);
  }
  const version = (raw as { segmentRecordVersion?: unknown } | null)?.segmentRecordVersion;
  if (version !== SEGMENT_RECORD_VERSION)
    throw new Error(
      `${file} has segment record version ${String(version)}; this harness reads version ${SEGMENT_RECORD_VERSION}: ` +
        'merge with the harness version that wrote it',
    );
  const parsed = SegmentRecordSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`${file} is invalid: ${issue.path.join('.') || '(top level)'}: ${issue.message}`);
  }
  return parsed.data;
}
