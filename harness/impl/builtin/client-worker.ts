/**
 * A load-generating fib RPC client as its own process. It runs the configured executor,
 * verifies every result against fib(n), records latency from each call's intended start,
 * and tallies how each call ended so the parent can prove none was lost or answered twice.
 */
import { withHeartbeat } from '../../rpc/heartbeat-url.ts';
import { RpcCallError } from '../../rpc/errors.ts';
import { CallsByStartRecorder } from '../../observe/calls-by-start.ts';
import { ErrorGroupRecorder } from '../../observe/error-groups.ts';
import { encodeHistogram } from '../../observe/histogram.ts';
import { fib } from '../../rpc/fib.ts';
import { FibRpcClient } from '../../rpc/fib-rpc-client.ts';
import { AcceptedReplyLedger } from '../accepted-reply-ledger.ts';
import { loadClientModule, type CreateLoadClient } from './load-client.ts';
import { SentRequests } from '../sent-requests.ts';
import { CallDurations } from '../call-durations.ts';
import { CALL_END_GRACE_MS } from '../../model/call-deadline.ts';
import { settleHeap } from './settle-heap.ts';
import { runWarmupCalls, type WarmupCallResult } from '../warmup-calls.ts';
import { runLoad } from '../../load/run-load.ts';
import { globalCallIndex, PlannedNumbers, WHOLE_PLAN, type CallPlan } from '../../load/call-plan.ts';
import type { WorkerChannel } from './worker-channel.ts';
import type { WorkerRecorder } from './worker-observation.ts';
import { type ClientTally, emptyClientTally } from '../instance-report.ts';
import type { ClientWorkerConfig } from './worker-protocol.ts';

const PROGRESS_EVERY_MS = 200;
/** How long after its first accepted reply a call id is remembered for the at-most-once count. */
const acceptedReplyRetentionMs = (timeoutMs: number) => Math.max(2 * timeoutMs, 5_000);
const MALFORMED_BODIES = ['abc', '-5', '', '3.7', '99999999', '0x10', '1e3'].map((text) => Buffer.from(text, 'utf8'));

export async function runClientWorker(config: ClientWorkerConfig, channel: WorkerChannel): Promise<void> {
  const observation = await channel.startObservation(config.name, config.tracing);
  const tally = emptyClientTally();
  const errors = new ErrorGroupRecorder();
  // Where the harness sees a reply accepted for a call: the only place a double answer shows.
  const acceptedReplies = new AcceptedReplyLedger(acceptedReplyRetentionMs(config.timeoutMs));
  const sentRequests = new SentRequests({ confirms: config.confirmRequests === true });
  // Warm-up replies are accepted too, but they are no measured call's: the ledger counts from the load on.
  const acceptance = { counting: false };
  const client = await createWorkerClient(config, channel, acceptedReplies, sentRequests, acceptance);
  const durations = new CallDurations(config.timeoutMs + CALL_END_GRACE_MS);
  const syncCounters = () => ({
    ...syncTally(tally, client, acceptedReplies),
    errorGroups: errors.encode(),
    callEnds: durations.report(),
  });
  const plan = config.callPlan ?? WHOLE_PLAN;
  const recorders: CallRecorders = {};
  const startCall = callStarter({
    client,
    tally,
    channel,
    sentRequests,
    recorders,
    errors,
    plan,
    numbers: new PlannedNumbers(config.seed, config.maxN, config.badInputEvery),
    durations,
  });

  await client.start();
  const warmup = await runWarmupCalls(config.name, config.warmupCalls ?? 0, () => warmupCall(client, sentRequests));
  acceptance.counting = true;
  settleHeap();
  channel.send({ type: 'ready', warmup });
  // Latency intervals line up across processes because all count from the run start the parent sets.
  const runStartEpochMs = await channel.goSignal();
  const latency = observation.newRecorder(runStartEpochMs);
  const byStart = new CallsByStartRecorder(runStartEpochMs);
  recorders.latency = latency;
  recorders.byStart = byStart;
  const abort = new AbortController();
  void channel.stopRequested().then(() => abort.abort());
  const progress = setInterval(() => channel.send({ type: 'progress', client: syncCounters() }), PROGRESS_EVERY_MS);
  const summary = await loadWithCallDeadline(
    runLoad(config.load, startCall, abort.signal, plan.phaseMs),
    { scheduleMs: config.load.durationMs && config.load.durationMs + (plan.phaseMs ?? 0), abort: abort.signal },
    config.timeoutMs + CALL_END_GRACE_MS,
    { durations, client, channel },
  );
  clearInterval(progress);
  tally.due = summary.due;
  tally.started = summary.started - client.counters.rejectedInFlightLimit;
  tally.scheduleMs = summary.scheduleMs;
  // Replies can still arrive for calls that just timed out; give them a moment to be discarded.
  await new Promise((resolve) => setTimeout(resolve, 300));
  // Every call has ended: what the client still holds now, it holds for nothing.
  const pendingAtEnd = client.inFlight;
  await client.close();
  await observation.flush();
  const final = syncCounters();
  final.dropped = summary.dropped + client.counters.rejectedInFlightLimit;
  if (pendingAtEnd !== undefined) final.pendingAtEnd = pendingAtEnd;
  const startLateness = summary.startLateness && encodeHistogram(summary.startLateness);
  await channel.sendAndFlush({
    type: 'final',
    client: final,
    latency: latency.encode(),
    callsByStart: byStart.encode(),
    sentRequests: sentRequests.encode(),
    startLateness,
  });
  await observation.shutdown();
}

type WorkerClient = ReturnType<CreateLoadClient>;

/**
 * Waits for the load to settle, but not for a call that never ends: once the schedule is over
 * (or a stop was asked for) and timeout + grace more have passed, the calls still pending are
 * counted as overdue and the client is closed, which ends them. A correct client never gets here.
 */
async function loadWithCallDeadline<T>(
  load: Promise<T>,
  schedule: { readonly scheduleMs: number | undefined; readonly abort: AbortSignal },
  limitMs: number,
  context: { readonly durations: CallDurations; readonly client: WorkerClient; readonly channel: WorkerChannel },
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  let closedOut = false;
  const closeOut = () => {
    if (closedOut) return;
    closedOut = true;
    const stillPending = context.durations.closeOut();
    context.channel.event({
      atMs: Date.now(),
      kind: 'error',
      detail: `${stillPending} calls had not ended ${limitMs} ms (timeout + grace) after the load ended; client closed`,
    });
    void context.client.close();
  };
  const arm = (afterMs: number) => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      if (context.durations.pendingCalls > 0) closeOut();
    }, afterMs);
  };
  if (schedule.scheduleMs !== undefined) arm(schedule.scheduleMs + limitMs);
  const onAbort = () => arm(limitMs);
  schedule.abort.addEventListener('abort', onAbort, { once: true });
  try {
    return await load;
  } finally {
    clearTimeout(timer);
    schedule.abort.removeEventListener('abort', onAbort);
  }
}

/** Warm-up calls ask for one small n: what they warm up is the client and the path, not the computation. */
const WARMUP_N = 10;

/** One warm-up call: through the client under test like any call, recorded only as a published request. */
async function warmupCall(client: WorkerClient, sentRequests: SentRequests): Promise<WarmupCallResult> {
  try {
    const reply = await client.request(WARMUP_N);
    // The servers handle it: the request-accounting check must find it among the published ones.
    sentRequests.answered(reply.correlationId);
    return reply.value === fib(WARMUP_N) ? { ok: true } : { ok: false, error: `wrong result ${reply.value}` };
  } catch (error) {
    if (error instanceof RpcCallError) sentRequests.failed(error);
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}

/** The client under load, wired so that its discards, confirms and connection events reach the parent. */
async function createWorkerClient(
  config: ClientWorkerConfig,
  channel: WorkerChannel,
  acceptedReplies: AcceptedReplyLedger,
  sentRequests: SentRequests,
  acceptance: { readonly counting: boolean },
): Promise<WorkerClient> {
  const createClient: CreateLoadClient = config.clientModule
    ? await loadClientModule(config.clientModule)
    : (options) => new FibRpcClient(options);
  const client: WorkerClient = createClient({
    amqpUrl: withHeartbeat(config.amqpUrl, config.heartbeatSeconds),
    amqpUrls: config.amqpUrls?.map((url) => withHeartbeat(url, config.heartbeatSeconds)),
    queue: config.queue,
    replyMode: config.replyMode,
    timeoutMs: config.timeoutMs,
    maxInFlight: config.maxInFlight,
    onReplyAccepted: (correlationId) => {
      if (acceptance.counting) acceptedReplies.accept(correlationId);
    },
    onRequestReturned: (correlationId) => sentRequests.returned(correlationId),
    confirmRequests: config.confirmRequests,
    onRequestConfirm: (correlationId, outcome) => sentRequests.confirm(correlationId, outcome),
    onDiscard: (reply) => {
      const kind =
        reply.kind === 'duplicate' ? 'discard-duplicate' : reply.kind === 'late' ? 'discard-late' : 'discard-unknown';
      channel.event({
        atMs: reply.atMs,
        kind,
        correlationId: reply.correlationId,
        traceId: reply.traceId,
        detail: `${reply.kind} reply discarded${reply.redelivered ? ' (answer to a redelivered request)' : ''}`,
      });
    },
    onConnectionEvent: (event) => {
      if (event.kind === 'disconnected') {
        sentRequests.connectionDied();
        channel.event({ atMs: Date.now(), kind: 'connection-lost', detail: event.error });
      } else if (event.kind === 'blocked')
        channel.event({
          atMs: Date.now(),
          kind: 'connection-blocked',
          detail: `blocked by the broker: ${event.error}`,
        });
      else if (event.kind === 'unblocked')
        channel.event({ atMs: Date.now(), kind: 'connection-unblocked', detail: 'unblocked by the broker' });
      else if (client.counters.reconnects > 0)
        channel.event({ atMs: Date.now(), kind: 'reconnect', detail: `client reconnected to ${event.address}` });
    },
  });
  if (config.confirmRequests && client.confirmsRequests !== true) {
    throw new Error(
      `the run asks for publisher confirms on requests, but the client module ${config.clientModule ?? ''} ` +
        'does not publish with them (its client has no confirmsRequests): run it without confirmRequests',
    );
  }
  return client;
}

/** Copies the client's own counters into the tally the parent receives. */
function syncTally(tally: ClientTally, client: WorkerClient, acceptedReplies: AcceptedReplyLedger): ClientTally {
  tally.discardedDuplicate = client.counters.discardedDuplicate;
  tally.discardedLate = client.counters.discardedLate;
  tally.discardedUnknown = client.counters.discardedUnknown;
  tally.badReplies = client.counters.badReplies;
  tally.acceptedReplies = acceptedReplies.accepted;
  tally.answeredTwice = acceptedReplies.answeredTwice;
  tally.answeredTwiceExamples = [...acceptedReplies.answeredTwiceExamples];
  tally.reconnects = client.counters.reconnects;
  tally.dropped = client.counters.rejectedInFlightLimit;
  return tally;
}

/** Set at the go signal, when the run's start time is known; calls start only after it. */
interface CallRecorders {
  latency?: WorkerRecorder;
  byStart?: CallsByStartRecorder;
}

interface CallContext {
  readonly client: WorkerClient;
  readonly tally: ClientTally;
  readonly channel: WorkerChannel;
  readonly sentRequests: SentRequests;
  readonly recorders: CallRecorders;
  /** Failed calls by error text, for the run's error groups and its diagnosis. */
  readonly errors: ErrorGroupRecorder;
  readonly plan: CallPlan;
  readonly numbers: PlannedNumbers;
  /** From send to end, whatever the outcome: a call must end by its timeout. */
  readonly durations: CallDurations;
}

/** The executor's call: one planned request, verified against fib(n), with how it ended tallied. */
function callStarter(context: CallContext): (localIndex: number, intendedStartMs: number) => Promise<void> {
  const fibCache = new Map<number, bigint>();
  const expected = (n: number) => {
    let value = fibCache.get(n);
    if (value === undefined) fibCache.set(n, (value = fib(n)));
    return value;
  };
  return async (localIndex, intendedStartMs) => {
    // Numbered by the whole run's plan, so a segment's calls are the whole run's calls.
    const index = globalCallIndex(context.plan, localIndex);
    if (context.numbers.isBadInput(index)) return sendBadInput(context, index);
    const n = context.numbers.nFor(index);
    context.tally.sent++;
    const call = context.durations.began();
    const sentAtEpochMs = Date.now();
    try {
      const reply = await context.client.request(n);
      context.durations.ended(call);
      recordReply(context, n, expected(n), reply, intendedStartMs);
    } catch (error) {
      context.durations.ended(call);
      recordFailure(context, error, intendedStartMs, sentAtEpochMs);
    }
  };
}

async function sendBadInput(context: CallContext, index: number): Promise<void> {
  context.tally.badInputSent++;
  const body = MALFORMED_BODIES[index % MALFORMED_BODIES.length]!;
  try {
    context.sentRequests.answered((await context.client.requestRaw(body)).correlationId);
  } catch (error) {
    if (error instanceof RpcCallError) context.sentRequests.failed(error);
    if (error instanceof RpcCallError && error.reason === 'remote-error') context.tally.badInputRejected++;
  }
}

type WorkerReply = Awaited<ReturnType<WorkerClient['request']>>;

function recordReply(
  { tally, channel, sentRequests, recorders }: CallContext,
  n: number,
  expected: bigint,
  reply: WorkerReply,
  intendedStartMs: number,
): void {
  sentRequests.answered(reply.correlationId);
  const latencyUs = Math.max(1, Math.round((performance.now() - intendedStartMs) * 1000));
  recorders.latency?.record(latencyUs);
  recorders.byStart?.ended(reply.value === expected ? 'answered' : 'wrongResult', intendedStartMs, latencyUs);
  tally.answered++;
  if (reply.value === expected) tally.correct++;
  else {
    tally.wrongResult++;
    channel.event({
      atMs: Date.now(),
      kind: 'error',
      correlationId: reply.correlationId,
      traceId: reply.traceId,
      detail: `wrong result for fib(${n}): got ${reply.value}`,
    });
  }
  if (reply.replyCorrelationId !== reply.correlationId) {
    tally.mismatchedCorrelation++;
    channel.event({
      atMs: Date.now(),
      kind: 'error',
      correlationId: reply.correlationId,
      detail: `resolved by a reply for ${reply.replyCorrelationId ?? 'no correlation id'}`,
    });
  }
}

function recordFailure(
  { tally, channel, sentRequests, recorders, errors }: CallContext,
  error: unknown,
  intendedStartMs: number,
  sentAtEpochMs: number,
): void {
  if (!(error instanceof RpcCallError) || error.reason !== 'in-flight-limit')
    errors.failed(error instanceof Error ? error.message : String(error));
  if (!(error instanceof RpcCallError)) {
    tally.otherErrors++;
    recorders.byStart?.ended('otherErrors', intendedStartMs);
    channel.event({ atMs: Date.now(), kind: 'error', detail: String(error) });
    return;
  }
  sentRequests.failed(error, sentAtEpochMs);
  const outcome =
    error.reason === 'timeout'
      ? 'timedOut'
      : error.reason === 'remote-error'
        ? 'remoteErrors'
        : error.reason === 'connection-lost'
          ? 'connectionLost'
          : 'otherErrors';
  // Phase windows count a call not published while reconnecting among their failures.
  if (error.reason !== 'in-flight-limit') recorders.byStart?.ended(outcome, intendedStartMs);
  if (error.reason === 'timeout') {
    tally.timedOut++;
    channel.event({ atMs: Date.now(), kind: 'timeout', correlationId: error.correlationId, detail: error.message });
  } else if (error.reason === 'remote-error') tally.remoteErrors++;
  else if (error.reason === 'connection-lost') tally.connectionLost++;
  else if (error.reason === 'in-flight-limit')
    tally.sent--; // never sent: counted as dropped
  else if (error.reason === 'not-connected') {
    tally.sent--; // never published: counted apart from calls that were sent and failed
    tally.notSent = (tally.notSent ?? 0) + 1;
    channel.event({ atMs: Date.now(), kind: 'error', correlationId: error.correlationId, detail: error.message });
  } else {
    tally.otherErrors++;
    channel.event({ atMs: Date.now(), kind: 'error', correlationId: error.correlationId, detail: error.message });
  }
}
