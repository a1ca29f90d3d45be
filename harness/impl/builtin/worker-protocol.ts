/**
 * Messages between the scenario runner (parent) and its worker processes over the Node IPC
 * channel. Workers are real processes so that a kill is a real process death. Everything a
 * worker measures reaches the parent as one of these; histograms travel as compressed base64.
 */
import type { ReplyMode } from '../../rpc/fib-rpc-client.ts';
import type { EncodedCallsByStart } from '../../observe/calls-by-start.ts';
import type { EncodedRecording } from '../../observe/latency-recorder.ts';
import type { EncodedCallIds } from '../../observe/call-id-set.ts';
import type { TraceBudget } from '../../observe/trace-budget.ts';
import type { CallPlan } from '../../load/call-plan.ts';
import type { LoadOptions } from '../../load/load-options.ts';
import type { EncodedSentRequests } from '../sent-requests.ts';

export type { EncodedRecording };

export interface TracingConfig {
  readonly enabled: boolean;
  readonly sampleRatio: number;
  /** JSONL file this process writes its spans to. */
  readonly spansFile?: string;
  /** Bound on the traces this process starts (DEFAULT_TRACE_BUDGET when absent). */
  readonly budget?: TraceBudget;
}

export interface ServerWorkerConfig {
  readonly role: 'server';
  readonly name: string;
  readonly amqpUrl: string;
  readonly queue: string;
  readonly prefetch: number;
  readonly confirmReplies: boolean;
  /** Absent: classic (the tutorial's queue). */
  readonly queueType?: 'classic' | 'quorum';
  readonly runStartEpochMs: number;
  /** SIGKILL this process at a fault point of its k-th request (1-based), counted per process. */
  readonly killAt?: { readonly point: 'beforeReply' | 'afterReplyBeforeAck'; readonly request: number };
  readonly tracing: TracingConfig;
}

export interface ClientWorkerConfig {
  readonly role: 'client';
  readonly name: string;
  readonly amqpUrl: string;
  readonly queue: string;
  readonly replyMode: ReplyMode;
  readonly timeoutMs: number;
  readonly maxInFlight: number;
  /** Publish requests with publisher confirms and report which the broker confirmed. */
  readonly confirmRequests?: boolean;
  readonly load: LoadOptions;
  /** Largest n requested; requests cycle through 0..maxN so results are cheap to verify. */
  readonly maxN: number;
  /** Every k-th request body is malformed (bad-input scenario); 0 = never. */
  readonly badInputEvery: number;
  readonly seed: number;
  /** The share of the seed's call plan this process makes (an execution segment); absent: all of it. */
  readonly callPlan?: CallPlan;
  readonly tracing: TracingConfig;
  /**
   * Module whose default export creates the RPC client the load runs through (a
   * CreateLoadClient); absent: the built-in FibRpcClient. Negative controls plug in here.
   */
  readonly clientModule?: string;
}

export type WorkerConfig = ServerWorkerConfig | ClientWorkerConfig;

export interface WorkerEvent {
  readonly atMs: number;
  readonly kind: 'redelivery' | 'discard-duplicate' | 'discard-late' | 'discard-unknown' | 'timeout' | 'error' | 'connection-lost' | 'reconnect' | 'kill' | 'note';
  readonly detail?: string;
  readonly traceId?: string;
  readonly correlationId?: string;
}

export interface ClientTally {
  sent: number;
  answered: number;
  correct: number;
  wrongResult: number;
  mismatchedCorrelation: number;
  timedOut: number;
  remoteErrors: number;
  connectionLost: number;
  otherErrors: number;
  /** Calls not sent: dropped by the load generator, or refused at the client's in-flight limit. */
  dropped: number;
  /** Calls whose intended start fell before the end, from the generator's schedule; set at the end. */
  due: number;
  /** Due calls the generator started and the client took (not refused at its in-flight limit); set at the end. */
  started?: number;
  /** How long the load generator kept starting calls; set at the end. */
  scheduleMs: number;
  badInputSent: number;
  badInputRejected: number;
  discardedDuplicate: number;
  discardedLate: number;
  discardedUnknown: number;
  /** Replies the client accepted (resolved or rejected a call with); each must settle a distinct call. */
  acceptedReplies: number;
  /** Calls that accepted a second reply; a correct client keeps this at zero. */
  answeredTwice: number;
  answeredTwiceExamples: string[];
  reconnects: number;
  /** External clients only: lines that broke the client line protocol, by violation name. */
  protocolViolations?: Record<string, number>;
  /** "call X was resolved with the reply meant for call Y", a few of them, where the harness can tell. */
  crossResolutionExamples?: string[];
}

export interface ServerTally {
  handled: number;
  redelivered: number;
  badRequests: number;
  replyFailures: number;
  reconnects: number;
}

export type WorkerMessage =
  | { readonly type: 'ready' }
  | { readonly type: 'events'; readonly events: WorkerEvent[] }
  | {
      readonly type: 'progress';
      readonly client?: ClientTally;
      readonly server?: ServerTally;
      /** Requests this server handled since its previous message (the parent keeps the union). */
      readonly handledCallIds?: EncodedCallIds;
    }
  | { readonly type: 'fault-point'; readonly point: string; readonly request: number; readonly correlationId?: string; readonly atMs: number }
  | {
      readonly type: 'final';
      readonly client?: ClientTally;
      readonly server?: ServerTally;
      /** Compressed base64 histograms, microseconds. */
      readonly latency?: EncodedRecording;
      /** A client's calls by the interval of their intended start, for phase gates. */
      readonly callsByStart?: EncodedCallsByStart;
      readonly queueWait?: EncodedRecording;
      readonly service?: EncodedRecording;
      readonly handledCallIds?: EncodedCallIds;
      /** A client's published requests, for the request-accounting check. */
      readonly sentRequests?: EncodedSentRequests;
      /** Open loop: how late the generator started each call against its intended time (compressed base64, µs). */
      readonly startLateness?: string;
    }
  | { readonly type: 'fatal'; readonly error: string };


export type ParentMessage =
  | { readonly type: 'start'; readonly config: WorkerConfig }
  /** Clients start their load on 'go'; its time is the run start all intervals count from. */
  | { readonly type: 'go'; readonly runStartEpochMs: number }
  | { readonly type: 'stop' };
