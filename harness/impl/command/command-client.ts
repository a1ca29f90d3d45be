/**
 * An external client: a program that speaks the client line protocol
 * (scenarios/implementations/PROTOCOL.md). The harness keeps the load: the open- or
 * closed-loop executor runs here, in the runner, writes one call line per call to the
 * client's stdin, and reads the answers from its stdout. Latency is measured at that
 * boundary from each call's intended start; every answer is classified (correct, wrong,
 * timeout, other error) and a result that is another call's fib(m) is named as that call's
 * reply. A line that breaks the protocol is a named count, never a crash. The client's
 * AMQP_URL points at a frame tap: it says when the client has consumed its reply queue
 * (ready), and counts the duplicate, late and unknown replies that reached the client
 * whether or not the client reports them.
 */
import { amqpUrlsEnv } from './amqp-urls-env.ts';
import { heartbeatEnv } from './heartbeat-env.ts';
import { join } from 'node:path';
import { AcceptedReplyLedger } from '../accepted-reply-ledger.ts';
import { runLoad } from '../../load/run-load.ts';
import { seededRandom } from '../../load/seeded-random.ts';
import { type ClientTally, emptyClientTally, type WorkerEvent } from '../instance-report.ts';
import { encodeHistogram } from '../../observe/histogram.ts';
import { CallsByStartRecorder, type CallOutcome } from '../../observe/calls-by-start.ts';
import { LatencyRecorder } from '../../observe/latency-recorder.ts';
import {
  ClientLineDecoder,
  encodeCallLine,
  isProtocolViolation,
  isReadyLine,
  TIMEOUT_ERROR,
  type ClientAnswer,
  type DecodedClientLine,
  type ProtocolViolationKind,
} from './client-line-protocol.ts';
import { CallNumbers } from './call-numbers.ts';
import { ErrorGroupRecorder } from '../../observe/error-groups.ts';
import type { StartedAmqpFrameTap } from '../../tap/amqp-frame-tap.ts';
import { ReplyClassifier } from '../../tap/reply-classifier.ts';
import type { TrailFrame } from '../../tap/frame-trail.ts';
import type { TapDelivery } from '../../tap/tap-events.ts';
import { decodeReply } from '../../rpc/codec.ts';
import { CommandProcess } from './command-process.ts';
import type {
  ClientImplementation,
  ClientInstance,
  ClientLaunch,
  ClientObserver,
  FinalObservations,
} from '../implementation.ts';
import { DEFAULT_READY_TIMEOUT_MS, type CommandImplementationSpec } from '../../scenario/implementation-spec.ts';
import { firstConsumer, startInstanceTap } from './instance-tap.ts';
import { followBrokerNotices } from './tap-broker-notices.ts';
import { CallDurations } from '../call-durations.ts';
import { CALL_END_GRACE_MS } from '../../model/call-deadline.ts';
import { runWarmupCalls, type WarmupCallResult } from '../warmup-calls.ts';
import type { WarmupOutcome } from '../../model/warmup.ts';
import { ClientRequestsSeen } from './client-requests-seen.ts';

const PROGRESS_EVERY_MS = 200;
/** Beyond the call's own timeout, how long the harness waits for the client's answer before it gives up on the call. */
const ANSWER_GRACE_MS = CALL_END_GRACE_MS;
/** After stdin closes, how long the client has to exit by itself. */
const EXIT_AFTER_EOF_MS = 10_000;

/** Protocol breaks the harness sees beyond the decoder's, counted under these names. */
export type HarnessSideViolation =
  | 'answer-after-deadline'
  | 'no-answer'
  | 'exited-before-eof'
  | 'failed-exit'
  | 'no-exit-after-eof';

/** A warm-up call waiting for its answer: settled by it, by its deadline, or by the client's exit. */
interface PendingWarmupCall {
  readonly n: number;
  readonly settle: (result: WarmupCallResult) => void;
}

interface PendingCall {
  readonly id: number;
  /** Its token in the client's call durations. */
  readonly duration: number;
  readonly n: number;
  readonly intendedStartMs: number;
  /** When the call line was written (epoch ms): a connection lost after it was lost under the call. */
  readonly sentAtMs: number;
  readonly timer: NodeJS.Timeout;
  readonly done: () => void;
}

export function commandClient(spec: CommandImplementationSpec): ClientImplementation {
  return {
    label: `command: ${spec.command}`,
    async start(launch, observer) {
      const tap = await startInstanceTap(launch.name, launch.amqpUrl);
      const client = new CommandClientInstance(spec, launch, observer, tap);
      await client.started();
      return client;
    },
  };
}

const MAX_CROSS_RESOLUTION_EXAMPLES = 5;

class CommandClientInstance implements ClientInstance {
  readonly name: string;
  readonly finished: Promise<void>;
  private readonly process: CommandProcess;
  // The line protocol adds what only an external client can break.
  private readonly tally: ClientTally = { ...emptyClientTally(), protocolViolations: {}, crossResolutionExamples: [] };
  /** Failed calls by the driver's error text (or the harness's reason for giving up on them). */
  private readonly errors = new ErrorGroupRecorder();
  private readonly sentIds = new Set<number>();
  private readonly decoder: ClientLineDecoder;
  private readonly pending = new Map<number, PendingCall>();
  private readonly durations: CallDurations;
  /** Calls the client never answered: the harness gave up on them, or the client exited holding them. */
  private unanswered = 0;
  private readonly numbers: CallNumbers;
  private readonly ledger: AcceptedReplyLedger;
  private readonly abort = new AbortController();
  private readonly replies: ReplyClassifier;
  private readonly requests: ClientRequestsSeen;
  private latency: LatencyRecorder | undefined;
  private byStart: CallsByStartRecorder | undefined;
  private finalObservations: FinalObservations | undefined;
  private readonly warmupPending = new Map<number, PendingWarmupCall>();
  private warmupOutcome: WarmupOutcome | undefined;
  /** Resolves at the client's first `{"ready":true}` line. */
  private readonly readyLine: Promise<void>;
  private resolveReadyLine!: () => void;
  private nextId = 1;
  private resolveGo!: (runStartEpochMs: number) => void;
  private stdinOpen = true;
  /** The harness closed stdin: an exit now is the client finishing, as the protocol asks. */
  private eofSent = false;
  private killedByHarness = false;

  constructor(
    private readonly spec: CommandImplementationSpec,
    private readonly launch: ClientLaunch,
    private readonly observer: ClientObserver,
    private readonly tap: StartedAmqpFrameTap,
  ) {
    this.name = launch.name;
    this.replies = new ReplyClassifier({ timeoutMs: launch.timeoutMs });
    this.replies.follow(tap, (reply, kind) => {
      if (kind === 'answer') {
        this.countIfBad(reply);
        return;
      }
      this.observer.events([
        {
          atMs: reply.atMs,
          // The tap sees the reply delivered; whether the client dropped it shows only in its later calls.
          kind: `${kind}-delivered`,
          correlationId: reply.correlationId,
          detail: `${kind} reply delivered to ${this.name} (seen by the frame tap)`,
        },
      ]);
    });
    this.requests = new ClientRequestsSeen(tap, (change) => this.observer.events([change]));
    followBrokerNotices(tap, this.name, (events) => this.observer.events(events));
    this.durations = new CallDurations(launch.timeoutMs + ANSWER_GRACE_MS);
    this.numbers = new CallNumbers(launch.maxN, seededRandom(launch.seed));
    this.ledger = new AcceptedReplyLedger(Math.max(2 * launch.timeoutMs, 5_000));
    this.decoder = new ClientLineDecoder({ sentIds: this.sentIds });
    this.readyLine = new Promise((resolve) => (this.resolveReadyLine = resolve));
    this.process = new CommandProcess({
      name: launch.name,
      command: spec.command,
      incarnation: 1,
      env: {
        AMQP_URL: tap.getAmqpUrl(launch.amqpUrl),
        ...amqpUrlsEnv(launch, tap.getAmqpUrl(launch.amqpUrl)),
        RPC_QUEUE: launch.queue,
        ...heartbeatEnv(launch.heartbeatSeconds),
      },
      logFile: join(launch.runDir, `${launch.name}.log`),
      stdio: 'protocol',
    });
    void this.process.exited.then(() => tap.stop());
    this.process.stdout?.on('data', (chunk: Buffer) => this.onDecoded(this.decoder.push(chunk)));
    this.process.stdout?.on('end', () => this.onDecoded(this.decoder.end()));
    this.process.stdin?.on('error', () => {
      // EPIPE: the client is gone; its exit settles the calls in flight.
      this.stdinOpen = false;
    });
    void this.process.exited.then((status) => {
      this.stdinOpen = false;
      // The protocol: run until stdin closes, then exit 0. A kill by the harness is no break.
      if (!this.killedByHarness && (!this.eofSent || status.code !== 0)) {
        const kind = this.eofSent ? 'failed-exit' : 'exited-before-eof';
        this.violation(
          kind,
          `${this.name} ${this.process.describeExit(status)}` +
            `${this.eofSent ? ' after its stdin closed' : ' before its stdin closed'} (see ${this.name}.log)`,
        );
      }
      this.abort.abort();
      for (const [id, call] of [...this.warmupPending]) {
        this.warmupPending.delete(id);
        call.settle({ ok: false, error: `client ${this.process.describeExit(status)}` });
      }
      for (const call of [...this.pending.values()]) this.giveUp(call, `client ${this.process.describeExit(status)}`);
    });
    const go = new Promise<number>((resolve) => (this.resolveGo = resolve));
    this.finished = go.then((runStartEpochMs) => this.runLoad(runStartEpochMs));
  }

  get pid(): number | undefined {
    return this.process.pid;
  }

  get final(): FinalObservations | undefined {
    return this.finalObservations;
  }

  get warmup(): WarmupOutcome | undefined {
    return this.warmupOutcome;
  }

  framesOf(correlationId: string): readonly TrailFrame[] {
    return this.tap.framesOf(correlationId);
  }

  /**
   * Resolves once the client is ready and its warm-up calls have ended. Ready: it has consumed
   * its reply queue, or printed `{"ready":true}` (a client whose reply consumer starts with its
   * first call), before it reads stdin. Rejects, leaving no process, when it exits first or
   * takes too long.
   */
  async started(): Promise<void> {
    const timeoutMs = this.spec.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS;
    const exitedFirst = this.process.exited.then((status) =>
      Promise.reject(
        new Error(`it ${this.process.describeExit(status)} before it consumed a reply queue or printed {"ready":true}`),
      ),
    );
    try {
      await Promise.race([
        firstConsumer(this.tap, timeoutMs).catch(() => {
          throw new Error(
            'it neither consumed a queue nor printed {"ready":true} on stdout ' +
              `within ${(timeoutMs / 1000).toFixed(1)} s`,
          );
        }),
        this.readyLine,
        exitedFirst,
      ]);
    } catch (error) {
      this.process.kill();
      await this.process.exited;
      throw new Error(
        `${this.name} (command: ${this.spec.command}) was not ready: ${(error as Error).message}. ` +
          `Last lines of ${this.name}.log:\n${this.process.logTail()}`,
      );
    } finally {
      exitedFirst.catch(() => undefined);
    }
    this.warmupOutcome = await runWarmupCalls(this.name, this.launch.warmupCalls ?? 0, () => this.warmupCall());
  }

  /** One warm-up call: written like any call, answered into the warm-up outcome, counted nowhere else. */
  private warmupCall(): Promise<WarmupCallResult> {
    const id = this.nextId++;
    const n = this.numbers.take(id);
    if (!this.stdinOpen || n === undefined) return Promise.resolve({ ok: false, error: 'not sent: client gone' });
    this.sentIds.add(id);
    return new Promise<WarmupCallResult>((resolve) => {
      const deadlineMs = this.launch.timeoutMs + ANSWER_GRACE_MS;
      const timer = setTimeout(() => settle({ ok: false, error: `no answer within ${deadlineMs} ms` }), deadlineMs);
      const settle = (result: WarmupCallResult) => {
        if (!this.warmupPending.delete(id)) return;
        clearTimeout(timer);
        this.numbers.release(n);
        resolve(result);
      };
      this.warmupPending.set(id, { n, settle });
      this.process.stdin?.write(encodeCallLine({ id, n, timeout_ms: this.launch.timeoutMs }));
    });
  }

  private onWarmupAnswer(call: PendingWarmupCall, answer: ClientAnswer): void {
    if ('error' in answer) call.settle({ ok: false, error: answer.error });
    else if (answer.result === this.numbers.expected(call.n).toString()) call.settle({ ok: true });
    else call.settle({ ok: false, error: `wrong result for fib(${call.n}): ${shorten(answer.result)}` });
  }

  go(runStartEpochMs: number): void {
    this.resolveGo(runStartEpochMs);
  }

  requestStop(): void {
    this.abort.abort();
  }

  failureReason(): string {
    return this.process.logTail(5);
  }

  kill(): void {
    this.killedByHarness = true;
    this.process.kill();
  }

  async stop(timeoutMs: number): Promise<void> {
    this.abort.abort();
    if (!this.process.hasExited) this.killedByHarness = true;
    this.closeStdin();
    await this.process.stop(timeoutMs);
    await this.tap.stop();
  }

  private async runLoad(runStartEpochMs: number): Promise<void> {
    this.latency = new LatencyRecorder({ runStartEpochMs });
    this.byStart = new CallsByStartRecorder(runStartEpochMs);
    const progress = setInterval(() => this.observer.tally(this.snapshot()), PROGRESS_EVERY_MS);
    let startLateness: string | undefined;
    try {
      const summary = await runLoad(
        this.launch.load,
        (_index, intendedStartMs) => this.call(intendedStartMs),
        this.abort.signal,
        this.launch.callPlan?.phaseMs,
      );
      // Calls the generator started that call() could not send were counted as dropped there.
      const notSent = this.tally.dropped;
      this.tally.dropped += summary.dropped;
      this.tally.due = summary.due;
      this.tally.started = summary.started - notSent;
      this.tally.scheduleMs = summary.scheduleMs;
      startLateness = summary.startLateness && encodeHistogram(summary.startLateness);
    } finally {
      clearInterval(progress);
    }
    // Stdin EOF means "finish and exit 0".
    this.closeStdin();
    const exitedInTime = await Promise.race([
      this.process.exited.then(() => true),
      sleep(EXIT_AFTER_EOF_MS).then(() => false),
    ]);
    if (!exitedInTime) {
      this.violation(
        'no-exit-after-eof',
        `${this.name} did not exit within ${EXIT_AFTER_EOF_MS / 1000} s of its stdin closing; killed`,
      );
      this.kill();
      await this.process.exited;
    }
    this.finalObservations = {
      client: this.snapshot(),
      latency: this.latency.encode(),
      callsByStart: this.byStart!.encode(),
      startLateness,
    };
    this.observer.tally(this.snapshot());
  }

  private call(intendedStartMs: number): Promise<void> {
    if (!this.stdinOpen) {
      this.tally.dropped++;
      return Promise.resolve();
    }
    const id = this.nextId++;
    const n = this.numbers.take(id);
    if (n === undefined) {
      // Validation keeps maxN above the in-flight bound, so this means calls the client never answered hold every n.
      this.tally.dropped++;
      return Promise.resolve();
    }
    this.sentIds.add(id);
    this.tally.sent++;
    return new Promise<void>((resolve) => {
      const deadlineMs = this.launch.timeoutMs + ANSWER_GRACE_MS;
      const timer = setTimeout(
        () =>
          this.giveUp(
            call,
            `no answer within ${deadlineMs} ms (timeout_ms ${this.launch.timeoutMs} + ${ANSWER_GRACE_MS} ms)`,
            'no-answer',
          ),
        deadlineMs,
      );
      const call: PendingCall = {
        id,
        n,
        duration: this.durations.began(),
        intendedStartMs,
        sentAtMs: Date.now(),
        timer,
        done: resolve,
      };
      this.pending.set(id, call);
      this.requests.callWritten(n);
      this.process.stdin?.write(encodeCallLine({ id, n, timeout_ms: this.launch.timeoutMs }));
    });
  }

  private onDecoded(lines: readonly DecodedClientLine[]): void {
    for (const line of lines) {
      if (isReadyLine(line)) {
        this.resolveReadyLine();
        continue;
      }
      const warmupCall = line.id === undefined ? undefined : this.warmupPending.get(line.id);
      if (isProtocolViolation(line)) {
        this.violation(line.violation, `${line.message} (stdout line ${line.lineNumber}: ${line.line})`);
        warmupCall?.settle({ ok: false, error: `protocol violation ${line.violation}` });
        if (line.violation === 'answered-twice' && line.id !== undefined) this.ledger.accept(`call ${line.id}`);
        // A broken answer to a call in flight still ends that call.
        const call = line.id === undefined ? undefined : this.pending.get(line.id);
        if (call && line.violation !== 'answered-twice') {
          this.errors.failed(`protocol violation ${line.violation}: ${line.line}`);
          this.settle(call, 'otherErrors', () => this.tally.otherErrors++);
        }
        continue;
      }
      if (warmupCall) {
        this.onWarmupAnswer(warmupCall, line);
        continue;
      }
      const call = this.pending.get(line.id);
      if (!call) {
        this.violation('answer-after-deadline', `call ${line.id} was answered after the harness gave up on it`);
        continue;
      }
      if ('result' in line) this.onResult(call, line.result);
      else if (line.error === TIMEOUT_ERROR) {
        this.errors.failed(line.error);
        this.settle(call, 'timedOut', () => this.tally.timedOut++);
        this.event('timeout', `call ${call.id} (fib(${call.n})) timed out in the client`);
      } else if (this.requests.neverPublished(call.n)) {
        // As the built-in client's "not connected" calls: taken by the client, never sent.
        this.errors.failed(line.error);
        this.settle(call, 'otherErrors', () => {
          this.tally.sent--;
          this.tally.notSent = (this.tally.notSent ?? 0) + 1;
        });
        this.event(
          'error',
          `not connected (never published, seen by the frame tap): call ${call.id} (fib(${call.n})) ` +
            `failed in the client: ${line.error}`,
        );
      } else if (this.requests.connections.lostBetween(call.sentAtMs, Date.now())) {
        // The tap saw the broker side close the client's connection while this call was in flight.
        this.errors.failed(line.error);
        this.settle(call, 'connectionLost', () => this.tally.connectionLost++);
        this.event('error', `call ${call.id} (fib(${call.n})) failed after its connection was lost: ${line.error}`);
      } else {
        this.errors.failed(line.error);
        this.settle(call, 'otherErrors', () => this.tally.otherErrors++);
        this.event('error', `call ${call.id} (fib(${call.n})) failed in the client: ${line.error}`);
      }
    }
  }

  private onResult(call: PendingCall, result: string): void {
    const correct = result === this.numbers.expected(call.n).toString();
    const latencyUs = Math.max(1, Math.round((performance.now() - call.intendedStartMs) * 1000));
    this.settle(
      call,
      correct ? 'answered' : 'wrongResult',
      () => {
        this.tally.answered++;
        this.ledger.accept(`call ${call.id}`);
        this.latency?.record(latencyUs);
        if (correct) {
          this.tally.correct++;
          return;
        }
        this.tally.wrongResult++;
        const meantFor = this.numbers.callAnsweredBy(result);
        if (meantFor && meantFor.callId !== call.id) {
          this.tally.mismatchedCorrelation++;
          const text = `call ${call.id} was resolved with the reply meant for call ${meantFor.callId}`;
          if (this.tally.crossResolutionExamples!.length < MAX_CROSS_RESOLUTION_EXAMPLES)
            this.tally.crossResolutionExamples!.push(text);
          this.event('error', `${text} (asked fib(${call.n}), got fib(${meantFor.n}) = ${shorten(result)})`);
        } else {
          this.event('error', `call ${call.id}: wrong result for fib(${call.n}): got ${shorten(result)}`);
        }
      },
      latencyUs,
    );
  }

  /** Ends a call once: counts it in the tally and, by its intended start, for phase gates. */
  private settle(call: PendingCall, outcome: CallOutcome, count: () => void, latencyUs?: number): void {
    if (!this.pending.delete(call.id)) return;
    this.requests.callEnded(call.n);
    clearTimeout(call.timer);
    this.durations.ended(call.duration);
    count();
    this.byStart?.ended(outcome, call.intendedStartMs, latencyUs);
    this.numbers.release(call.n);
    call.done();
  }

  private giveUp(call: PendingCall, why: string, violation?: HarnessSideViolation): void {
    if (!this.pending.has(call.id)) return;
    this.unanswered++;
    if (violation === 'no-answer') this.durations.gaveUp(call.duration);
    this.errors.failed(why);
    if (violation) this.violation(violation, `call ${call.id} (fib(${call.n})): ${why}`);
    else this.event('error', `call ${call.id} (fib(${call.n})): ${why}`);
    this.settle(call, 'otherErrors', () => this.tally.otherErrors++);
  }

  private violation(kind: ProtocolViolationKind | HarnessSideViolation, detail: string): void {
    const counts = this.tally.protocolViolations!;
    counts[kind] = (counts[kind] ?? 0) + 1;
    this.event('error', `protocol violation ${kind}: ${detail}`);
  }

  private event(kind: WorkerEvent['kind'], detail: string): void {
    this.observer.events([{ atMs: Date.now(), kind, detail }]);
  }

  /** A reply that settles a call must be a number or an error reply; the tap sees what the client got. */
  private countIfBad(reply: TapDelivery): void {
    if (reply.body === undefined) return; // larger than the tap keeps: not judged
    const decoded = decodeReply(reply.body, reply.headers as Record<string, unknown> | undefined);
    if (decoded.ok || decoded.kind !== 'bad-reply') return;
    this.tally.badReplies = (this.tally.badReplies ?? 0) + 1;
    this.observer.events([
      {
        atMs: reply.atMs,
        kind: 'error',
        correlationId: reply.correlationId,
        detail: `bad reply reached ${this.name} (seen by the frame tap): ${decoded.error}`,
      },
    ]);
  }

  private closeStdin(): void {
    if (!this.stdinOpen) return;
    this.stdinOpen = false;
    this.eofSent = true;
    this.process.stdin?.end();
  }

  private snapshot(): ClientTally {
    const replies = this.replies.counts;
    return {
      ...this.tally,
      discardedDuplicate: replies.duplicate,
      discardedLate: replies.late,
      discardedUnknown: replies.unknown,
      reconnects: this.requests.connections.counts.reestablished,
      connections: { ...this.requests.connections.counts },
      replyModes: { ...this.requests.replyModes },
      acceptedReplies: this.ledger.accepted,
      answeredTwice: this.ledger.answeredTwice,
      answeredTwiceExamples: [...this.ledger.answeredTwiceExamples],
      protocolViolations: { ...this.tally.protocolViolations },
      crossResolutionExamples: [...(this.tally.crossResolutionExamples ?? [])],
      // As the line protocol shows it: every call the client never answered is one it still holds.
      pendingAtEnd: this.unanswered + this.pending.size,
      callEnds: this.durations.report(),
      errorGroups: this.errors.encode(),
    };
  }
}

function shorten(text: string): string {
  return text.length > 40 ? `${text.slice(0, 20)}…(${text.length} digits)` : text;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
