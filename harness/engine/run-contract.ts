/**
 * The engine's contract: what a run takes (RunOptions), what it tells while it runs
 * (RunProgress), what it gathers before the result is put together (AssembleInput), and the
 * hooks through which a participant of a shared run (execution segments) joins it. Callers
 * (the CLI, tests, segments) depend on this; the engine depends on none of them.
 */
import type { StartedBroker } from '../env/broker/broker.ts';
import type { BrokerChoice } from '../env/select-broker.ts';
import type { ProxyChoice } from '../env/select-proxy.ts';
import type { ClientPriority } from '../env/realtime-priority.ts';
import type { ReportingInstance } from '../impl/implementation.ts';
import type { RegisteredImplementations } from '../impl/select-implementations.ts';
import type { ClientTally, ServerTally } from '../impl/instance-report.ts';
import type { CallPlan } from '../load/call-plan.ts';
import type { FaultRecord, ScenarioResult } from '../model/result-schema.ts';
import type { Warmup } from '../model/warmup.ts';
import type { Resources } from '../model/process-resources.ts';
import type { RssSample } from '../model/client-resources.ts';
import type { CallIdSet } from '../observe/call-id-set.ts';
import type { TraceBudget } from '../observe/trace-budget.ts';
import type { ScenarioDefinition } from '../scenario/define-scenario.ts';
import type { RequestQueue } from './request-queue.ts';

export interface RunOptions {
  readonly definition: ScenarioDefinition;
  /** A choice, or a broker the caller started and will stop. */
  readonly broker: BrokerChoice | StartedBroker;
  readonly proxy: ProxyChoice;
  readonly seed: number;
  /** The run's folder; span files are written here. */
  readonly runDir: string;
  readonly gates: readonly string[];
  /** `budget` bounds the traces each process starts (DEFAULT_TRACE_BUDGET when absent). */
  readonly tracing: { readonly enabled: boolean; readonly sampleRatio: number; readonly budget?: TraceBudget };
  readonly onProgress?: (progress: RunProgress) => void;
  readonly onPhase?: (phase: string) => void;
  /** Aborting stops the load early; what was measured is still returned. */
  readonly signal?: AbortSignal;
  /**
   * Implementations the caller registers for this run, in place of what the scenario names (or
   * the built-ins): e.g. a client adapter of its own. Absent: selected from the scenario.
   */
  readonly implementations?: RegisteredImplementations;
  /**
   * 'realtime': every client process runs under SCHED_FIFO from before its load starts
   * (harness/env/realtime-priority.ts).
   */
  readonly clientPriority?: ClientPriority;
  /** Run even when the named request queue already has messages or consumers. */
  readonly allowBusyQueue?: boolean;
  /** One participant of a run shared by several processes or machines (segments); absent: a whole run. */
  readonly segment?: RunParticipation;
}

export interface RunProgress {
  readonly elapsedMs: number;
  readonly plannedMs: number | undefined;
  readonly sent: number;
  readonly answered: number;
  readonly failed: number;
  readonly discarded: number;
}

/**
 * One participant of a run shared by several processes: which request queue it shares, which
 * calls its clients make, when the load starts and how it ends. The engine asks these hooks
 * and otherwise runs a participant like any run (harness/segment/ implements them).
 */
export interface RunParticipation {
  readonly role: 'clients' | 'servers';
  readonly requestQueue: RequestQueue;
  readonly callPlan: CallPlan | undefined;
  /** Checks only the whole run can decide; the participant leaves them out. */
  readonly deferredChecks: ReadonlySet<string>;
  readonly startAtEpochMs: number;
  /** Why this participant cannot start at all, checked before anything starts. */
  startProblem(): string | undefined;
  /** Waits for the agreed start and returns it; every interval counts from it. */
  untilStart(signal: AbortSignal | undefined): Promise<number>;
  lateStartWarning(): string | undefined;
  /** The servers' participant: waits until every client participant is done. */
  untilSegmentsDone(
    brokerUrl: string,
    definition: ScenarioDefinition,
    harnessErrors: string[],
    signal: AbortSignal | undefined,
  ): Promise<void>;
  afterLoad(brokerUrl: string, harnessErrors: string[]): Promise<void>;
  /** Leaves what a later merge needs beside the result. */
  saveRecord(runDir: string, input: AssembleInput, result: ScenarioResult): void;
}

export interface AssembleInput {
  readonly definition: ScenarioDefinition;
  readonly options: RunOptions;
  readonly runId: string;
  readonly startedAt: Date;
  readonly endedAt: Date;
  readonly runStartEpochMs: number;
  readonly topology: {
    broker: ScenarioResult['environment']['broker'];
    proxy: ScenarioResult['environment']['proxy'];
    harnessOverhead?: ScenarioResult['environment']['harnessOverhead'];
  };
  readonly clients: readonly ReportingInstance[];
  /** Every server incarnation that started. */
  readonly servers: readonly ReportingInstance[];
  /** Latest tally of each client and each server incarnation. */
  readonly clientTallies: ReadonlyMap<string, ClientTally>;
  readonly serverTallies: ReadonlyMap<string, ServerTally>;
  readonly faults: FaultRecord[];
  readonly timeline: ScenarioResult['timeline'];
  readonly harnessErrors: string[];
  readonly extra: { brokerRestarts: number; serverKills: number; serverRestarts: number };
  readonly spanFiles: readonly string[];
  /** Labels of the server and client implementations under test. */
  readonly implementations: { readonly server: string; readonly client: string };
  readonly interrupted: boolean;
  /** When the last client finished its load. */
  readonly loadEndedEpochMs?: number;
  /** Union of the requests every server process reported as handled. */
  readonly handledCallIds: CallIdSet;
  /** Per server name: requests it acked before replying to them (external servers, seen by their taps). */
  readonly settledWithoutReply?: ReadonlyMap<string, CallIdSet>;
  /** Requests still queued when the servers were stopped; undefined if not looked at. */
  readonly requestsQueuedAtStop?: number;
  /** Consumers of the request queue when the load ended, as the broker counts them; undefined if not looked at. */
  readonly requestQueueConsumersAtEnd?: number;
  /** Correlation ids of requests the broker dropped unconsumed when they expired (private nodes only). */
  readonly expiredRequestIds?: ReadonlySet<string>;
  /** What the run observed about itself that a reader must know (e.g. a late start), before the load's own. */
  readonly warnings?: readonly string[];
  /** The clients' warm-up calls before the load; absent when none were asked for. */
  readonly warmup?: Warmup;
  /** Memory and CPU of the run's processes over time (observe/resources/). */
  readonly resources?: Resources;
  /** Each client's RSS during the load (engine/client-memory-sampler.ts); absent: not sampled. */
  readonly clientRss?: ReadonlyMap<string, readonly RssSample[]>;
}
