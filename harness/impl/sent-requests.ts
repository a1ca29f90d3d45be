import { CallIdSet, type EncodedCallIds } from '../observe/call-id-set.ts';
import type { RpcCallError } from '../rpc/errors.ts';
import type { RequestConfirm } from '../rpc/fib-rpc-client.ts';

/** What a client reports about the requests it sent, for the request-accounting and loss checks. */
export interface EncodedSentRequests {
  /** Requests handed to the broker (published), whatever became of their calls. */
  readonly published: EncodedCallIds;
  /** Published requests whose call failed because its connection was lost: the request may have died with it. */
  readonly connectionLost: EncodedCallIds;
  /** Published requests the broker returned as unroutable (no request queue at that moment). */
  readonly returnedUnroutable: EncodedCallIds;
  /** With publisher confirms only: what the broker confirmed, and what settled its call by a reply. */
  readonly confirms?: {
    /** Requests the broker acked: it took responsibility for them. */
    readonly confirmed: EncodedCallIds;
    /** Requests the broker nacked. */
    readonly nacked: number;
    /** Calls settled by a reply (a result or an error reply): their requests reached a server. */
    readonly replied: EncodedCallIds;
  };
  /**
   * When (epoch ms) the requests of calls that timed out were sent, by correlation id (at most
   * MAX_TIMED_OUT_SENT_AT): a request sent as its queue was deleted may have gone with the queue.
   */
  readonly timedOutSentAt?: Readonly<Record<string, number>>;
}

/** Timed-out calls remembered until their connection proves alive or dies; beyond this many the oldest are let go. */
const MAX_UNPROVEN_TIMEOUTS = 4_096;
const MAX_TIMED_OUT_SENT_AT = 10_000;

/** Call outcomes after which the request is known not to have been published. */
const NEVER_PUBLISHED: ReadonlySet<RpcCallError['reason']> = new Set(['in-flight-limit', 'not-connected', 'closed']);

/**
 * The ids of the requests one client published, from how each call ended, so the run can
 * compare them with what the servers handled; with publisher confirms, also which of them
 * the broker confirmed.
 */
export class SentRequests {
  private readonly published = new CallIdSet();
  private readonly connectionLost = new CallIdSet();
  private readonly returnedUnroutable = new CallIdSet();
  /**
   * Calls that timed out since the connection last delivered a reply. If that connection then
   * dies (a silent network that heartbeats finally gave up on), their requests may never have
   * left the machine: they count as lost with the connection, like the calls it failed.
   */
  private unprovenTimeouts: string[] = [];
  private readonly confirms: { confirmed: CallIdSet; nacked: number; replied: CallIdSet } | undefined;
  private readonly timedOutSentAt = new Map<string, number>();

  constructor(options: { confirms: boolean } = { confirms: false }) {
    this.confirms = options.confirms ? { confirmed: new CallIdSet(), nacked: 0, replied: new CallIdSet() } : undefined;
  }

  answered(correlationId: string): void {
    this.published.add(correlationId);
    this.unprovenTimeouts = [];
    this.confirms?.replied.add(correlationId);
  }

  /** `sentAtEpochMs`: when the call's request went out, where the caller knows it. */
  failed(error: RpcCallError, sentAtEpochMs?: number): void {
    if (NEVER_PUBLISHED.has(error.reason)) return;
    this.published.add(error.correlationId);
    if (error.reason === 'timeout' && sentAtEpochMs !== undefined && this.timedOutSentAt.size < MAX_TIMED_OUT_SENT_AT)
      this.timedOutSentAt.set(error.correlationId, sentAtEpochMs);
    if (error.reason === 'connection-lost') this.connectionLost.add(error.correlationId);
    if (error.reason === 'timeout') {
      this.unprovenTimeouts.push(error.correlationId);
      if (this.unprovenTimeouts.length > MAX_UNPROVEN_TIMEOUTS) this.unprovenTimeouts.shift();
    }
    // An error reply came from a server: the request was not lost.
    if (error.reason === 'remote-error') this.confirms?.replied.add(error.correlationId);
  }

  /** The client's connection died: requests of the calls that timed out on it may have died with it. */
  connectionDied(): void {
    for (const correlationId of this.unprovenTimeouts) this.connectionLost.add(correlationId);
    this.unprovenTimeouts = [];
  }

  returned(correlationId: string): void {
    this.returnedUnroutable.add(correlationId);
  }

  confirm(correlationId: string, outcome: RequestConfirm): void {
    if (!this.confirms) return;
    if (outcome === 'confirmed') this.confirms.confirmed.add(correlationId);
    else if (outcome === 'nacked') this.confirms.nacked++;
  }

  encode(): EncodedSentRequests {
    const confirms = this.confirms && {
      confirmed: this.confirms.confirmed.encode(),
      nacked: this.confirms.nacked,
      replied: this.confirms.replied.encode(),
    };
    return {
      published: this.published.encode(),
      connectionLost: this.connectionLost.encode(),
      returnedUnroutable: this.returnedUnroutable.encode(),
      ...(confirms ? { confirms } : {}),
      ...(this.timedOutSentAt.size > 0 ? { timedOutSentAt: Object.fromEntries(this.timedOutSentAt) } : {}),
    };
  }
}
