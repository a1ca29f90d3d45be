/**
 * What every implementation's instances report, built-in workers and external commands alike:
 * their events, their running tallies, and where their spans go.
 */
import type { BrokerNoticeKind } from '../model/broker-notices.ts';
import type { CallEnds } from '../model/call-deadline.ts';
import type { EncodedRecording } from '../observe/latency-recorder.ts';
import type { TraceBudget } from '../observe/trace-budget.ts';
import type { EncodedErrorGroups } from '../observe/error-groups.ts';
import type { ProcessConnections, ReplyModeCounts } from '../model/tap-observations.ts';

/** A process's connections as its frame tap saw them (external implementations). */
export type TapConnectionCounts = Omit<ProcessConnections, 'process'>;

export type { EncodedRecording };

export interface TracingConfig {
  readonly enabled: boolean;
  readonly sampleRatio: number;
  /** JSONL file this process writes its spans to. */
  readonly spansFile?: string;
  /** Bound on the traces this process starts (DEFAULT_TRACE_BUDGET when absent). */
  readonly budget?: TraceBudget;
}

export interface WorkerEvent {
  readonly atMs: number;
  readonly kind:
    | 'redelivery'
    | 'discard-duplicate'
    | 'discard-late'
    | 'discard-unknown'
    | 'duplicate-delivered'
    | 'late-delivered'
    | 'unknown-delivered'
    | 'timeout'
    | 'error'
    | 'connection-lost'
    | 'reconnect'
    | 'kill'
    | 'note'
    | BrokerNoticeKind;
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
  /** Calls the client took but could not publish (not connected to the broker); not in `sent`. */
  notSent?: number;
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
  /**
   * Replies that settled a call with a body that is neither a decimal integer nor an error reply
   * (`x-error`): from the built-in client's own decode, or for an external client from the frame
   * tap. Also counted among the call's errors. Absent in records written before it was counted.
   */
  badReplies?: number;
  /** External clients only: connections lost and re-established, as the frame tap saw them. */
  connections?: TapConnectionCounts;
  /** External clients only: requests by their reply_to, as the frame tap saw them. */
  replyModes?: ReplyModeCounts;
  /** External clients only: lines that broke the client line protocol, by violation name. */
  protocolViolations?: Record<string, number>;
  /** "call X was resolved with the reply meant for call Y", a few of them, where the harness can tell. */
  crossResolutionExamples?: string[];
  /** Failed calls grouped by error text (observe/error-groups.ts). Absent in records written before. */
  errorGroups?: EncodedErrorGroups;
  /**
   * Calls the client still held when its load had ended (final tally only): the built-in client's
   * own pending-call count, or for an external client the calls it never answered at the line
   * protocol. Absent where the client cannot tell.
   */
  pendingAtEnd?: number;
  /** How long calls took to end against timeout + grace (model/call-deadline.ts); absent if not measured. */
  callEnds?: CallEnds;
}

export interface ServerTally {
  handled: number;
  redelivered: number;
  badRequests: number;
  replyFailures: number;
  reconnects: number;
  /** External servers only: connections lost and re-established, as the frame tap saw them. */
  connections?: TapConnectionCounts;
  /** Requests consumed and acked without a reply while servers-stop-replying lasted (built-in server). */
  repliesWithheld?: number;
}

/** A client's tally before its first call. */
export function emptyClientTally(): ClientTally {
  return {
    sent: 0,
    answered: 0,
    correct: 0,
    wrongResult: 0,
    mismatchedCorrelation: 0,
    timedOut: 0,
    remoteErrors: 0,
    connectionLost: 0,
    otherErrors: 0,
    dropped: 0,
    due: 0,
    scheduleMs: 0,
    badInputSent: 0,
    badInputRejected: 0,
    discardedDuplicate: 0,
    discardedLate: 0,
    discardedUnknown: 0,
    acceptedReplies: 0,
    answeredTwice: 0,
    answeredTwiceExamples: [],
    reconnects: 0,
  };
}
