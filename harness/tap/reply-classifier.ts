import type { StartedAmqpFrameTap } from './amqp-frame-tap.ts';
import type { TapDelivery, TapPublish } from './tap-events.ts';

/** What a reply that reached a client was, judged from the client's own publishes. */
export type ReplyKind = 'answer' | 'duplicate' | 'late' | 'unknown';

export interface ReplyClassifierOptions {
  /**
   * The client's call timeout: a first reply arriving later than this after its request was
   * published is `late`. Without it only `markTimedOut()` makes calls time out.
   */
  readonly timeoutMs?: number;
  /**
   * Calls remembered at most; the oldest are forgotten first. A reply to a forgotten call
   * counts as `unknown`, and `forgotten` says how many calls were dropped, so a nonzero
   * `forgotten` next to a nonzero `unknown` means the two may overlap.
   */
  readonly maxTrackedCalls?: number;
}

export interface ReplyCounts {
  /** Requests the client published with a correlation id. */
  published: number;
  /** First replies within the timeout. */
  answers: number;
  /** Replies to a call that was already answered. */
  duplicate: number;
  /** Replies to a call that had timed out. */
  late: number;
  /** Replies whose correlation id the client never published (or that carry none). */
  unknown: number;
  /** Calls dropped from memory to keep it bounded. */
  forgotten: number;
}

const PENDING = 0;
const ANSWERED = 1;
const TIMED_OUT = 2;
type CallState = typeof PENDING | typeof ANSWERED | typeof TIMED_OUT;

interface TrackedCall {
  readonly publishedAtMs: number;
  state: CallState;
}

/**
 * Counts the duplicate, late and unknown replies that reached a client, whether or not the
 * client reports them: fed from the frame tap on the client's connection (its publishes carry
 * the correlation ids of its calls, deliveries to it carry the replies). Memory is bounded by
 * `maxTrackedCalls`.
 */
export class ReplyClassifier {
  readonly counts: ReplyCounts = { published: 0, answers: 0, duplicate: 0, late: 0, unknown: 0, forgotten: 0 };
  private readonly calls = new Map<string, TrackedCall>();
  private readonly timeoutMs: number;
  private readonly maxTrackedCalls: number;

  constructor(options: ReplyClassifierOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? Number.POSITIVE_INFINITY;
    this.maxTrackedCalls = options.maxTrackedCalls ?? 100_000;
    if (!(this.timeoutMs > 0)) throw new RangeError(`timeoutMs must be > 0, got ${options.timeoutMs}`);
    if (!Number.isInteger(this.maxTrackedCalls) || this.maxTrackedCalls < 1)
      throw new RangeError(`maxTrackedCalls must be an integer >= 1, got ${options.maxTrackedCalls}`);
  }

  /** The client published a request with this correlation id. */
  published(correlationId: string | undefined, atMs: number): void {
    if (correlationId === undefined) return;
    this.counts.published++;
    this.calls.delete(correlationId); // a reused id starts over, and moves to the young end
    this.calls.set(correlationId, { publishedAtMs: atMs, state: PENDING });
    if (this.calls.size > this.maxTrackedCalls) {
      const oldest = this.calls.keys().next().value as string;
      this.calls.delete(oldest);
      this.counts.forgotten++;
    }
  }

  /** The client (or its driver) reports that this call timed out. */
  markTimedOut(correlationId: string): void {
    const call = this.calls.get(correlationId);
    if (call?.state === PENDING) call.state = TIMED_OUT;
  }

  /** A reply with this correlation id reached the client. */
  reply(correlationId: string | undefined, atMs: number): ReplyKind {
    const call = correlationId === undefined ? undefined : this.calls.get(correlationId);
    let kind: ReplyKind;
    if (!call) kind = 'unknown';
    else if (call.state === ANSWERED) kind = 'duplicate';
    else if (call.state === TIMED_OUT || atMs - call.publishedAtMs > this.timeoutMs) {
      call.state = TIMED_OUT;
      kind = 'late';
    } else {
      call.state = ANSWERED;
      kind = 'answer';
    }
    if (kind === 'answer') this.counts.answers++;
    else this.counts[kind]++;
    return kind;
  }

  /**
   * Follows a client's tap: its publishes are calls, deliveries to it are replies. Returns a
   * function that stops following. `onReply` sees each reply with its kind.
   */
  follow(tap: StartedAmqpFrameTap, onReply?: (reply: TapDelivery, kind: ReplyKind) => void): () => void {
    const onPublish = (publish: TapPublish) => this.published(publish.correlationId, publish.atMs);
    const onDeliver = (delivery: TapDelivery) => {
      const kind = this.reply(delivery.correlationId, delivery.atMs);
      onReply?.(delivery, kind);
    };
    tap.on('publish', onPublish);
    tap.on('deliver', onDeliver);
    return () => {
      tap.off('publish', onPublish);
      tap.off('deliver', onDeliver);
    };
  }
}
