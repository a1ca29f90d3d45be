import { cpus } from 'node:os';
import type { ReportingInstance } from '../impl/implementation.ts';
import { clientProtocolFollowed } from '../checks/client-protocol.ts';
import { CORE_CHECKS, runChecks } from '../checks/invariants.ts';
import type { Check, CheckInput, RequestAccounting, RequestLoss } from '../model/check.ts';
import { measureOfferedLoad, offeredLoadWarning, withStartLateness } from '../checks/offered-load.ts';
import { accountRequests } from '../checks/request-accounting.ts';
import { confirmedRequestsAnswered, measureRequestLoss } from '../checks/request-loss.ts';
import { processContainment } from '../env/guard/guarded.ts';
import { CallIdSet } from '../observe/call-id-set.ts';
import { mergeCallsByStart, type EncodedCallsByStart } from '../observe/calls-by-start.ts';
import { MAX_ANSWERED_TWICE_EXAMPLES } from '../impl/accepted-reply-ledger.ts';
import type { ClientTally, EncodedRecording, ServerTally } from '../impl/instance-report.ts';
import { type Counters, RESULT_SCHEMA_VERSION, type ScenarioResult } from '../model/result-schema.ts';
import { DEFAULT_TRACE_BUDGET } from '../observe/trace-budget.ts';
import { HARNESS_VERSION } from '../version.ts';
import { collectTraces } from './collect-traces.ts';
import { errorGroupsOf } from './assemble-error-groups.ts';
import { staleReplyClients } from './assemble-stale-replies.ts';
import { tapObservations } from './tap-observations.ts';
import { lossDetectionOf, nonEmpty } from './assemble-loss-detection.ts';
import { clientsAfterLoad } from './assemble-clients-after-load.ts';
import { callDeadlineOf } from './assemble-call-deadline.ts';
import { deletedWithQueue } from './deleted-with-queue.ts';
import { runLatency, summarizeRecordings } from './merge-recordings.ts';
import type { AssembleInput } from './run-contract.ts';
import { answeredWithinRecoveryAllowance } from './recovery-window.ts';
import { recoveryAllowanceOf } from '../scenario/recovery-tail.ts';

/** How this process holds the processes it started (env/guard/guarded.ts), once it started one. */
function containmentOfThisProcess(): Pick<ScenarioResult['environment'], 'processContainment'> {
  const containment = processContainment();
  if (!containment) return {};
  return {
    processContainment: {
      mechanism: containment.mechanism,
      detail: containment.mechanism === 'cgroup' ? containment.parent : containment.reason,
    },
  };
}

/** Turns what the workers reported into the ScenarioResult: counters, latency, checks. Gates come later. */
export async function assembleResult(input: AssembleInput): Promise<ScenarioResult> {
  const { definition } = input;
  const clientTallies = [...input.clientTallies.values()];
  const counters = sumCounters(input, clientTallies, [...input.serverTallies.values()]);
  const measured = measureLoad(input);
  const tap = tapObservations({ ...input, timeline: input.timeline.events });
  const checks = runChecks(checksFor(input, clientTallies, measured.requestLoss !== undefined), {
    ...checkInputOf(input, counters, clientTallies, measured),
    processConnections: tap?.connections,
  });
  const traces = await collectTracesOrSayWhy(input);
  const offeredLoadShortfall = measured.offeredLoad && offeredLoadWarning(measured.offeredLoad);
  const harnessFailed = input.harnessErrors.length > 0 && !input.interrupted;

  return {
    schemaVersion: RESULT_SCHEMA_VERSION,
    scenario: { name: definition.name, description: definition.description },
    run: {
      id: input.runId,
      startedAt: input.startedAt.toISOString(),
      endedAt: input.endedAt.toISOString(),
      durationMs: input.endedAt.getTime() - input.startedAt.getTime(),
      interrupted: input.interrupted,
      seed: input.options.seed,
    },
    environment: { ...environmentOf(input), ...observedReplyMode(tap) },
    config: {
      load: definition.load,
      servers: definition.topology.servers,
      clients: definition.topology.clients,
      timeoutMs: definition.timeoutMs,
      prefetch: definition.topology.prefetch,
      confirmReplies: definition.topology.confirmReplies,
      ...(input.warmup ? { warmup: input.warmup } : {}),
    },
    counters,
    latency: measured.latency,
    serverLatency: measured.serverLatency,
    // Throughput over the time load ran, not over set-up and teardown.
    throughput: { callsPerSec: (counters.answered / measured.loadDurationMs) * 1000 },
    offeredLoad: measured.offeredLoad,
    faults: input.faults,
    timeline: input.timeline,
    checks,
    gates: [],
    traces,
    verdict: input.interrupted
      ? 'interrupted'
      : harnessFailed
        ? 'error'
        : checks.every((check) => check.passed)
          ? 'pass'
          : 'fail',
    harnessErrors: input.harnessErrors,
    warnings: [...(input.warnings ?? []), ...(offeredLoadShortfall ? [offeredLoadShortfall] : [])],
    ...(measured.callsByStart ? { callsByStart: measured.callsByStart } : {}),
    ...optional('errorGroups', errorGroupsOf(input.clientTallies, input.runStartEpochMs)),
    ...(input.resources ? { resources: input.resources } : {}),
    ...(tap ? { tap } : {}),
    ...optional('lossDetection', nonEmpty(lossDetectionOf(input))),
  };
}

function optional<K extends string, V>(key: K, value: V | undefined): { [key in K]?: V } {
  return value === undefined ? {} : ({ [key]: value } as { [key in K]?: V });
}

/** The reply mode the clients' taps saw, when they all used one: it replaces the configured one. */
function observedReplyMode(tap: ScenarioResult['tap']): Partial<ScenarioResult['environment']> {
  const modes = new Set(tap?.replyModes?.map((observed) => observed.mode));
  const [mode] = modes;
  return modes.size === 1 && mode !== 'mixed' ? { replyMode: mode } : {};
}

function sumCounters(
  input: AssembleInput,
  clientTallies: readonly ClientTally[],
  serverTallies: readonly ServerTally[],
): Counters {
  const total = (pick: (t: ClientTally) => number) => clientTallies.reduce((sum, t) => sum + pick(t), 0);
  const totalServer = (pick: (t: ServerTally) => number) => serverTallies.reduce((sum, t) => sum + pick(t), 0);
  return {
    sent: total((t) => t.sent),
    answered: total((t) => t.answered),
    correct: total((t) => t.correct),
    wrongResult: total((t) => t.wrongResult),
    mismatchedCorrelation: total((t) => t.mismatchedCorrelation),
    timedOut: total((t) => t.timedOut),
    remoteErrors: total((t) => t.remoteErrors),
    connectionLost: total((t) => t.connectionLost),
    otherErrors: total((t) => t.otherErrors),
    badReplies: total((t) => t.badReplies ?? 0),
    dropped: total((t) => t.dropped),
    notSent: total((t) => t.notSent ?? 0),
    discarded: {
      duplicate: total((t) => t.discardedDuplicate),
      late: total((t) => t.discardedLate),
      unknown: total((t) => t.discardedUnknown),
    },
    redelivered: totalServer((t) => t.redelivered),
    serverHandled: totalServer((t) => t.handled),
    badRequests: totalServer((t) => t.badRequests),
    serverKills: input.extra.serverKills,
    serverRestarts: input.extra.serverRestarts,
    brokerRestarts: input.extra.brokerRestarts,
    reconnects: total((t) => t.reconnects) + totalServer((t) => t.reconnects),
  };
}

interface MeasuredLoad {
  readonly latency: ScenarioResult['latency'];
  readonly serverLatency: ScenarioResult['serverLatency'];
  readonly offeredLoad: ScenarioResult['offeredLoad'];
  readonly callsByStart: ScenarioResult['callsByStart'];
  readonly loadDurationMs: number;
  readonly requestAccounting: RequestAccounting | undefined;
  readonly requestLoss: RequestLoss | undefined;
}

/** Latency, the load offered, calls by start and the requests' fates, from the processes' final reports. */
function measureLoad(input: AssembleInput): MeasuredLoad {
  const { definition } = input;
  const recordings = (
    pick: (w: ReportingInstance) => EncodedRecording | undefined,
    workers: readonly ReportingInstance[],
  ) => workers.map(pick).filter((r): r is EncodedRecording => r !== undefined);
  const loadEndedEpochMs = input.loadEndedEpochMs ?? input.endedAt.getTime();
  const loadDurationMs = Math.max(1, loadEndedEpochMs - input.runStartEpochMs);
  const latency = runLatency(
    recordings((w) => w.final?.latency, input.clients),
    loadDurationMs,
  );
  const queueWait = summarizeRecordings(recordings((w) => w.final?.queueWait, input.servers));
  const service = summarizeRecordings(recordings((w) => w.final?.service, input.servers));
  // Only final tallies carry what the load generator offered; a client without one did not report it.
  const finalClientTallies = input.clients.map((w) => w.final?.client).filter((t): t is ClientTally => t !== undefined);
  const offeredLoad =
    finalClientTallies.length > 0
      ? withStartLateness(
          measureOfferedLoad(
            definition.load,
            definition.topology.clients,
            finalClientTallies,
            definition.acceptUndeliveredLoad ?? false,
          ),
          input.clients.flatMap((w) => w.final?.startLateness ?? []),
        )
      : undefined;
  // Only when every client reported: a window missing one client's calls would judge a part as the whole.
  // Phases end where the load schedule did, not where the clients finished draining.
  const byStart = input.clients.map((w) => w.final?.callsByStart);
  const scheduleEndMs = offeredLoad && offeredLoad.scheduleMs > 0 ? offeredLoad.scheduleMs : loadDurationMs;
  const callsByStart = byStart.every((b) => b !== undefined)
    ? mergeCallsByStart(byStart as EncodedCallsByStart[], scheduleEndMs)
    : undefined;
  return {
    latency,
    serverLatency: { queueWait, service },
    offeredLoad,
    callsByStart,
    loadDurationMs,
    ...measureRequests(input),
  };
}

function checkInputOf(
  input: AssembleInput,
  counters: Counters,
  clientTallies: readonly ClientTally[],
  measured: MeasuredLoad,
): CheckInput {
  const total = (pick: (t: ClientTally) => number) => clientTallies.reduce((sum, t) => sum + pick(t), 0);
  const { latency } = measured;
  const lastFaultEnd = Math.max(0, ...input.faults.map((f) => f.endMs ?? f.startMs ?? 0));
  return {
    counters,
    faults: input.faults,
    topology: { clients: input.definition.topology.clients, servers: input.definition.topology.servers },
    acceptedReplies: total((t) => t.acceptedReplies),
    answeredTwice: total((t) => t.answeredTwice),
    answeredTwiceExamples: clientTallies.flatMap((t) => t.answeredTwiceExamples).slice(0, MAX_ANSWERED_TWICE_EXAMPLES),
    badInputSent: total((t) => t.badInputSent),
    badInputRejected: total((t) => t.badInputRejected),
    latencyP50Ms: latency.summary.count > 0 ? latency.summary.p50 : undefined,
    // From the interval in which the last fault ended: the series has no finer resolution.
    answeredAfterLastFault: latency.series
      .filter((point) => point.tMs + latency.intervalMs > lastFaultEnd)
      .reduce((sum, point) => sum + point.count, 0),
    ...answeredWithinRecoveryAllowance(latency, lastFaultEnd, recoveryAllowanceOf(input.definition)),
    offeredLoad: measured.offeredLoad,
    crossResolutionExamples: clientTallies
      .flatMap((t) => t.crossResolutionExamples ?? [])
      .slice(0, MAX_ANSWERED_TWICE_EXAMPLES),
    requestAccounting: measured.requestAccounting,
    requestLoss: measured.requestLoss,
    staleReplyClients: staleReplyClients(input.clients, input.clientTallies, input.timeline, input.runStartEpochMs),
    lossDetection: lossDetectionOf(input),
    timeline: input.timeline.events,
    clientsAfterLoad: clientsAfterLoad(input.clients, input.clientTallies, input.clientRss),
    ...optional('requestQueueConsumersAtEnd', input.requestQueueConsumersAtEnd),
    ...optional(
      'callDeadline',
      callDeadlineOf(clientTallies, input.definition.timeoutMs, input.definition.topology.clients),
    ),
  };
}

/**
 * The checks that apply to this run: the core ones it can decide, loss and protocol checks where
 * they apply, the scenario's own.
 */
function checksFor(input: AssembleInput, clientTallies: readonly ClientTally[], confirmsKnown: boolean): Check[] {
  // Only external clients speak the line protocol; their tallies carry its violations.
  const protocolTallies = clientTallies.filter((t) => t.protocolViolations !== undefined);
  const protocolChecks =
    protocolTallies.length > 0
      ? [clientProtocolFollowed(sumCounts(protocolTallies.map((t) => t.protocolViolations!)))]
      : [];
  // An external client's requests are seen only as correlation ids of any shape, which the
  // compact call-id sets cannot hold in bulk, and its lost-connection calls are unknown.
  const coreChecks = (
    protocolTallies.length > 0 ? CORE_CHECKS.filter((check) => check.id !== 'requests-handled-match-sent') : CORE_CHECKS
  )
    // A segment of a run leaves what only the whole run can decide to the merge.
    .filter((check) => !input.options.segment?.deferredChecks.has(check.id));
  // Only a run whose clients published with confirms knows which requests the broker must not lose.
  const lossChecks = confirmsKnown ? [confirmedRequestsAnswered] : [];
  return [...coreChecks, ...lossChecks, ...protocolChecks, ...input.definition.checks];
}

function environmentOf(input: AssembleInput): ScenarioResult['environment'] {
  return {
    broker: input.topology.broker,
    proxy: input.topology.proxy,
    ...(input.topology.harnessOverhead ? { harnessOverhead: input.topology.harnessOverhead } : {}),
    replyMode: input.definition.topology.replyMode,
    node: process.version,
    harnessVersion: HARNESS_VERSION,
    platform: `${process.platform}-${process.arch}`,
    cpus: cpus().length,
    tracing: {
      enabled: input.options.tracing.enabled,
      sampleRatio: input.options.tracing.sampleRatio,
      ...(input.options.tracing.enabled ? { budget: input.options.tracing.budget ?? DEFAULT_TRACE_BUDGET } : {}),
    },
    implementations: input.implementations,
    ...(input.options.clientPriority === 'realtime' ? { clientPriority: 'realtime' as const } : {}),
    ...containmentOfThisProcess(),
  };
}

function sumCounts(counts: readonly Readonly<Record<string, number>>[]): Record<string, number> {
  const total: Record<string, number> = {};
  for (const each of counts) for (const [kind, count] of Object.entries(each)) total[kind] = (total[kind] ?? 0) + count;
  return total;
}

/**
 * Requests sent against requests handled, and with publisher confirms the confirmed requests
 * against what became of them. Each is undefined when a client did not report what it needs:
 * then nothing can be compared.
 */
function measureRequests(input: AssembleInput): {
  requestAccounting: RequestAccounting | undefined;
  requestLoss: RequestLoss | undefined;
} {
  const none = { requestAccounting: undefined, requestLoss: undefined };
  if (input.clients.length === 0) return none;
  const published = new CallIdSet();
  const excusable = new CallIdSet();
  const returned = new CallIdSet();
  const confirmed = new CallIdSet();
  const replied = new CallIdSet();
  let nacked = 0;
  let everyClientConfirms = true;
  for (const client of input.clients) {
    const sent = client.final?.sentRequests;
    if (!sent) return none;
    published.addAll(sent.published);
    excusable.addAll(sent.connectionLost);
    excusable.addAll(sent.returnedUnroutable);
    returned.addAll(sent.returnedUnroutable);
    if (sent.confirms) {
      confirmed.addAll(sent.confirms.confirmed);
      replied.addAll(sent.confirms.replied);
      nacked += sent.confirms.nacked;
    } else {
      everyClientConfirms = false;
    }
  }
  for (const id of input.expiredRequestIds ?? []) excusable.add(id);
  const goneWithQueue = deletedWithQueue(
    input.faults,
    input.timeline.events,
    input.clients.map((client) => client.final?.sentRequests),
    input.runStartEpochMs,
  );
  for (const id of goneWithQueue) excusable.add(id);
  // Without the broker's record of expiries, any timed-out call's request may have expired.
  const unobservedExpiryAllowance =
    input.expiredRequestIds === undefined
      ? [...input.clientTallies.values()].reduce((total, tally) => total + tally.timedOut, 0)
      : undefined;
  const requestAccounting = accountRequests({
    published,
    excusable,
    handled: input.handledCallIds,
    queuedAtStop: input.requestsQueuedAtStop,
    unobservedExpiryAllowance,
    confirmed: everyClientConfirms ? confirmed : undefined,
  });
  const requestLoss = everyClientConfirms
    ? measureRequestLoss({
        published,
        confirmed,
        nacked,
        replied,
        returned,
        handled: input.handledCallIds,
        expired: input.expiredRequestIds,
        settledWithoutReply: input.settledWithoutReply ?? new Map(),
        unobservedExpiryAllowance,
        deletedWithQueue: goneWithQueue,
      })
    : undefined;
  return { requestAccounting, requestLoss };
}

/**
 * Spans are a view on the run, not its measurements: a span file that cannot be read
 * (disk full, a corrupt line) is reported with the traces and the run's result stands.
 */
async function collectTracesOrSayWhy(input: AssembleInput): Promise<ScenarioResult['traces']> {
  try {
    return await collectTraces(input.options.runDir, input.spanFiles, input.runStartEpochMs);
  } catch (error) {
    return {
      error:
        `spans could not be collected (per-process span files are left in ${input.options.runDir}): ` +
        `${(error as Error).message}`,
    };
  }
}
