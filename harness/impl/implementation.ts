/**
 * What the scenario runner needs from an RPC implementation, whatever it is: start one
 * server or client instance, kill it (SIGKILL to its process group), stop it, and hear what
 * it observed. The built-in FibRpcServer/FibRpcClient are one adapter ("builtin"), an
 * external command is another ("command"); the runner knows only these interfaces.
 */
import type { ReplyMode } from '../rpc/fib-rpc-client.ts';
import type { TrailFrame } from '../tap/frame-trail.ts';
import type { CallPlan } from '../load/call-plan.ts';
import type { LoadOptions } from '../load/load-options.ts';
import type { EncodedSentRequests } from './sent-requests.ts';
import type { EncodedCallIds } from '../observe/call-id-set.ts';
import type { EncodedCallsByStart } from '../observe/calls-by-start.ts';
import type { WarmupOutcome } from '../model/warmup.ts';
import type { ClientTally, EncodedRecording, ServerTally, TracingConfig, WorkerEvent } from './instance-report.ts';

export type InstanceExit = { readonly code: number | null; readonly signal: NodeJS.Signals | null };

export type FaultPoint = 'beforeReply' | 'afterReplyBeforeAck';

/** What an instance measured, reported once when it ends; histograms in microseconds. */
export interface FinalObservations {
  /** A client's final tally: the only one that carries what its load generator offered. */
  readonly client?: ClientTally;
  readonly latency?: EncodedRecording;
  /** A client's calls by the interval of their intended start (observe/calls-by-start.ts). */
  readonly callsByStart?: EncodedCallsByStart;
  readonly queueWait?: EncodedRecording;
  readonly service?: EncodedRecording;
  /** A client's published requests, for the request-accounting check. */
  readonly sentRequests?: EncodedSentRequests;
  /** Open loop: how late the load generator started each call against its intended time (compressed base64, µs). */
  readonly startLateness?: string;
}

/** An instance whose final observations the result is assembled from. */
export interface ReportingInstance {
  readonly name: string;
  readonly final: FinalObservations | undefined;
  /** External implementations: the frames its tap saw for a recent correlation id, oldest first. */
  framesOf?(correlationId: string): readonly TrailFrame[];
}

/** Where an instance's observations go while it runs. */
export interface InstanceObserver {
  events(events: readonly WorkerEvent[]): void;
  /** Something went wrong that the run must report as a harness error. */
  fatal(error: string): void;
}

export interface ServerObserver extends InstanceObserver {
  /** The instance's counters so far (each report replaces the previous one). */
  tally(tally: ServerTally): void;
  /** Requests (correlation ids) the instance handled since its previous report; the run keeps the union. */
  handled(callIds: EncodedCallIds): void;
  /**
   * Requests the instance acked (or rejected without requeue) before it had published any reply
   * to them, as far as the harness can see (the frame tap of an external server): if the
   * instance never answers them, they are its loss, not the broker's.
   */
  settledWithoutReply?(callIds: EncodedCallIds): void;
  /** The instance was SIGKILLed at a fault point while handling `correlationId`. */
  faultPointKill(point: FaultPoint, correlationId: string | undefined): void;
}

export interface ClientObserver extends InstanceObserver {
  tally(tally: ClientTally): void;
}

export interface ServerLaunch {
  /** 1-based server index and incarnation (a restart is the next incarnation). */
  readonly index: number;
  readonly incarnation: number;
  readonly name: string;
  /** The URL the instance connects to: through the servers' proxy. */
  readonly amqpUrl: string;
  /**
   * Every node's URL in node order, the same way (AMQP_URLS), for failing over; on a single
   * broker, amqpUrl alone. Absent: amqpUrl alone.
   */
  readonly amqpUrls?: readonly string[];
  /** Straight to the broker, for the harness's own look at queues (readiness). */
  readonly brokerUrl: string;
  readonly queue: string;
  readonly prefetch: number;
  readonly confirmReplies: boolean;
  /** The request queue's type; absent: classic. */
  readonly queueType?: 'classic' | 'quorum';
  readonly runStartEpochMs: number;
  /** The AMQP heartbeat to ask for, seconds (0: off); absent: the broker's. */
  readonly heartbeatSeconds?: number;
  /** SIGKILL this incarnation at a fault point of its k-th request (1-based). */
  readonly killAt?: { readonly point: FaultPoint; readonly request: number };
  /** Start withholding replies (consume and ack only): it starts while servers-stop-replying lasts. */
  readonly withholdReplies?: boolean;
  readonly tracing: TracingConfig;
  /** The run folder: logs go here. */
  readonly runDir: string;
}

export interface ClientLaunch {
  readonly index: number;
  readonly name: string;
  /** The URL the instance connects to: through the clients' proxy. */
  readonly amqpUrl: string;
  /** As ServerLaunch.amqpUrls. */
  readonly amqpUrls?: readonly string[];
  readonly queue: string;
  readonly replyMode: ReplyMode;
  readonly timeoutMs: number;
  readonly maxInFlight: number;
  /**
   * Publish requests with publisher confirms (built-in client), so the run knows which the broker
   * confirmed. Absent: no.
   */
  readonly confirmRequests?: boolean;
  readonly load: LoadOptions;
  /** Largest n requested. */
  readonly maxN: number;
  /** Every k-th request body is malformed (bad-input); 0 = never. */
  readonly badInputEvery: number;
  readonly seed: number;
  /** The share of the seed's call plan this instance makes (an execution segment); absent: all of it. */
  readonly callPlan?: CallPlan;
  /** Calls to make after the instance is ready and before the load, counted nowhere (model/warmup.ts); absent: 0. */
  readonly warmupCalls?: number;
  /** The AMQP heartbeat to ask for, seconds (0: off); absent: the broker's. */
  readonly heartbeatSeconds?: number;
  readonly tracing: TracingConfig;
  readonly runDir: string;
}

export interface ServerInstance extends ReportingInstance {
  readonly pid: number | undefined;
  readonly exited: Promise<InstanceExit>;
  /** SIGKILL to the instance's whole process group. */
  kill(): void;
  /** Asks the instance to finish and report; kills it if it has not exited in time. */
  stop(timeoutMs: number): Promise<void>;
  /**
   * Withhold replies from now on (consume and ack, publish nothing), or reply again: the
   * servers-stop-replying fault. Absent: the implementation cannot be told (external servers).
   */
  withholdReplies?(withhold: boolean): Promise<void>;
}

export interface ClientInstance extends ReportingInstance {
  readonly pid: number | undefined;
  /** How the warm-up calls ended, once the instance has started; absent: it made none. */
  readonly warmup?: WarmupOutcome;
  /** Settles when the instance has finished its load and ended (or was killed). */
  readonly finished: Promise<void>;
  /** Starts the load; `runStartEpochMs` is the run start all intervals count from. */
  go(runStartEpochMs: number): void;
  /** Ends the load early (Ctrl-C); what was measured is still reported. */
  requestStop(): void;
  /** Why the instance failed, for error messages, when it ended without reporting. */
  failureReason(): string;
  kill(): void;
  stop(timeoutMs: number): Promise<void>;
}

/**
 * One kind of server. `start` resolves once the instance is ready to take requests and
 * rejects with a message a user can act on, leaving no process behind.
 */
export interface ServerImplementation {
  /** For the report: "builtin" or the command line. */
  readonly label: string;
  start(launch: ServerLaunch, observer: ServerObserver): Promise<ServerInstance>;
  /**
   * Gets the named instances ready ahead of their start, e.g. processes that load their code
   * while the broker boots, so that start() has only to connect. A name appears once per
   * start planned (a server with a scheduled restart twice). close() ends what is unused.
   */
  prepare?(names: readonly string[]): void;
  /** Releases what the implementation holds for the whole run (taps, connections, prepared processes). */
  close?(): Promise<void>;
}

/** One kind of client; `start` resolves once the instance is ready for `go`. */
export interface ClientImplementation {
  readonly label: string;
  start(launch: ClientLaunch, observer: ClientObserver): Promise<ClientInstance>;
  /** As ServerImplementation.prepare. */
  prepare?(names: readonly string[]): void;
  close?(): Promise<void>;
}
