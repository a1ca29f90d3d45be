/**
 * One participant of a segmented run, as the scenario runner sees it: which request queue
 * it shares, which calls its clients make, when the load starts, how it ends, and the
 * segment.json it leaves for the merge. runScenario asks these hooks and otherwise runs a
 * participant like any run.
 */
import { hostname } from 'node:os';
import type { CallPlan } from '../load/call-plan.ts';
import { localAddress } from '../env/local-address.ts';
import type { ScenarioResult } from '../model/result-schema.ts';
import type { AssembleInput, RunParticipation } from '../engine/run-contract.ts';
import type { ScenarioDefinition } from '../scenario/define-scenario.ts';
import type { RequestQueue } from '../engine/request-queue.ts';
import type { SegmentShare } from './segment-share.ts';
import { announceSegmentDone, awaitSegmentsDone, sleepUntil } from './segment-signals.ts';
import {
  describeParticipant,
  describeTimeSpan,
  MAX_START_AHEAD_MS,
  MAX_START_LATENESS_MS,
  sharedQueueName,
  START_LATENESS_WARNING_MS,
  startInPastProblem,
  type SegmentIdentity,
  type SegmentRequest,
  type SegmentRole,
} from './segment-spec.ts';
import { scenarioOptions } from './participant-implementation.ts';
import { SEGMENT_RECORD_VERSION, writeSegmentRecord } from './segment-record.ts';

/** Slack on top of the load's own bound before the servers run stops waiting for segments. */
const SEGMENTS_FINISH_SLACK_MS = 60_000;
/** A calls-only load has no duration; this bounds how long the servers wait for it. */
const UNBOUNDED_LOAD_WAIT_MS = 600_000;

export class SegmentRun implements RunParticipation {
  readonly role: SegmentRole;
  readonly index: number;
  readonly count: number;
  readonly identity: SegmentIdentity;
  readonly requestQueue: RequestQueue;
  readonly callPlan: CallPlan | undefined;
  readonly deferredChecks: ReadonlySet<string>;
  readonly startAtEpochMs: number;
  private recordedStartEpochMs: number | undefined;
  private lateStart: string | undefined;

  /** `whole` is the scenario of the whole run (after command-line overrides). */
  constructor(
    private readonly request: SegmentRequest,
    whole: ScenarioDefinition,
    seed: number,
    share: SegmentShare,
  ) {
    this.role = request.role;
    this.index = request.index;
    this.count = request.count;
    this.startAtEpochMs = request.startAtEpochMs;
    const named = whole.topology.queue;
    const queue = named ?? sharedQueueName(whole.name, seed, request.startAtEpochMs);
    this.identity = {
      scenario: whole.name,
      seed,
      startAt: new Date(request.startAtEpochMs).toISOString(),
      count: request.count,
      queue,
    };
    // The servers run owns a derived queue and deletes it at its end; segments never delete it.
    this.requestQueue = { name: queue, perRun: named === undefined && request.role === 'servers' };
    this.callPlan = share.callPlan;
    this.deferredChecks = share.deferredChecks;
  }

  describe(): string {
    return describeParticipant(this.role, this.index, this.count);
  }

  /** Why this participant cannot start at all: its start is too far in the past, or more than a day ahead. */
  startProblem(nowEpochMs: number = Date.now()): string | undefined {
    const what = `the start of ${this.describe()} (--start-at ${this.identity.startAt})`;
    if (this.startAtEpochMs - nowEpochMs > MAX_START_AHEAD_MS) return `${what} is more than 24 h ahead; check the date`;
    const problem = startInPastProblem(what, this.startAtEpochMs, nowEpochMs);
    return problem && `${problem} or give a later --start-at`;
  }

  /**
   * Waits for the agreed start; every participant's intervals and events count from it. Throws
   * when the processes were ready more than MAX_START_LATENESS_MS after it (the load then never
   * starts), and keeps a warning (lateStartWarning) above START_LATENESS_WARNING_MS.
   */
  async untilStart(signal: AbortSignal | undefined): Promise<number> {
    const readyEpochMs = Date.now();
    const lateMs = readyEpochMs - this.startAtEpochMs;
    const late =
      `${this.describe()} was ready to start its load ${describeTimeSpan(lateMs)} ` +
      `after --start-at ${this.identity.startAt}`;
    if (lateMs > MAX_START_LATENESS_MS) {
      throw new Error(
        `${late}, and a segment's start must be at most ${MAX_START_LATENESS_MS / 1000} s in the past: ` +
          "give a --start-at far enough ahead for this machine's set-up, " +
          'or check the clocks of the machines (chrony/ntp)',
      );
    }
    if (lateMs > START_LATENESS_WARNING_MS) {
      const effect =
        this.role === 'clients'
          ? 'its calls are that much later than the agreed schedule puts them ' +
            `(more than ${START_LATENESS_WARNING_MS} ms moves them into later intervals of the merged run)`
          : 'faults due before then fire that late';
      const advice = 'give a --start-at further ahead, or check the clocks of the machines (chrony/ntp)';
      this.lateStart = `${late}: ${effect}; ${advice}`;
    }
    await sleepUntil(this.startAtEpochMs, signal);
    this.recordedStartEpochMs = Date.now();
    return this.startAtEpochMs;
  }

  /** Set by untilStart when the load started late, but within MAX_START_LATENESS_MS. */
  lateStartWarning(): string | undefined {
    return this.lateStart;
  }

  /** The servers run's load phase: until every segment said it is done, bounded. */
  async untilSegmentsDone(
    brokerUrl: string,
    definition: ScenarioDefinition,
    harnessErrors: string[],
    signal: AbortSignal | undefined,
  ): Promise<void> {
    const loadBoundMs = definition.load.durationMs ?? UNBOUNDED_LOAD_WAIT_MS;
    const deadline = this.startAtEpochMs + loadBoundMs + definition.timeoutMs + SEGMENTS_FINISH_SLACK_MS;
    const outcome = await awaitSegmentsDone(brokerUrl, this.requestQueue.name, this.count, deadline, signal);
    if (outcome.missing.length > 0 && !signal?.aborted) {
      harnessErrors.push(
        `segments ${outcome.missing.join(', ')} of ${this.count} ` +
          `did not say they were done by ${new Date(deadline).toISOString()}; the servers stopped without them`,
      );
    }
  }

  /** A clients segment, after its load and the drain: tells the servers run it is done. */
  async afterLoad(brokerUrl: string, harnessErrors: string[]): Promise<void> {
    if (this.role !== 'clients') return;
    await announceSegmentDone(brokerUrl, this.requestQueue.name, this.index, this.count).catch((error: unknown) => {
      harnessErrors.push(
        `could not tell the servers run that segment ${this.index} is done: ${(error as Error).message}`,
      );
    });
  }

  /** Writes segment.json, the raw observations the merge assembles the whole run from. */
  saveRecord(runDir: string, input: AssembleInput, result: ScenarioResult): void {
    const instance = (each: AssembleInput['clients'][number]) => ({ name: each.name, final: each.final });
    writeSegmentRecord(runDir, {
      segmentRecordVersion: SEGMENT_RECORD_VERSION,
      identity: this.identity,
      role: this.role,
      index: this.index,
      scenarioSource: this.request.scenarioSource,
      // The implementations are recorded per participant below, not among the scenario's options.
      overrides: scenarioOptions(this.request.overrides),
      gates: [...this.request.gates],
      tracing: result.environment.tracing,
      implementations: input.implementations,
      topology: input.topology,
      host: hostname(),
      localAddress: localAddress(),
      recordedStartEpochMs: this.recordedStartEpochMs ?? input.runStartEpochMs,
      startedAt: input.startedAt.toISOString(),
      endedAt: input.endedAt.toISOString(),
      loadEndedEpochMs: input.loadEndedEpochMs,
      interrupted: input.interrupted,
      clients: input.clients.map(instance),
      servers: input.servers.map(instance),
      clientTallies: Object.fromEntries(input.clientTallies),
      serverTallies: Object.fromEntries(input.serverTallies),
      faults: input.faults,
      timeline: input.timeline,
      harnessErrors: input.harnessErrors,
      extra: input.extra,
      handledCallIds: input.handledCallIds.encode(),
      requestsQueuedAtStop: input.requestsQueuedAtStop,
      expiredRequestIds: input.expiredRequestIds ? [...input.expiredRequestIds] : undefined,
      counters: result.counters,
      checks: result.checks,
    });
  }
}
