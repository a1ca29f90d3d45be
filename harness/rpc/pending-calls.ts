/**
 * The client's table of calls waiting for a reply, keyed by correlation id, plus a bounded
 * memory of how recently finished calls ended. That memory is what lets a discarded reply
 * be classified: a duplicate (the call was already answered: the seed's server-died-before-ack
 * race), late (the call had timed out or failed), or unknown (never ours).
 *
 * The table hands out the correlation ids (`<prefix>.<sequence>`), so the memory of finished
 * calls can be a ring indexed by sequence number: fixed memory allocated once, where a Map
 * of id strings would grow for the first hundred thousand calls and show up as RSS creeping
 * through a long run.
 *
 * Call timeouts are one sweep for the whole table, not one timer per call: a client's calls
 * share one timeout, so send order is deadline order and the oldest pending call is always
 * the next to expire. One timer is armed for the oldest deadline; when it fires it times
 * out every call that is due and re-arms for the next, at least SWEEP_GRANULARITY_MS later
 * so a burst of deadlines costs one timer. A call therefore times out between `timeoutMs`
 * and `timeoutMs + SWEEP_GRANULARITY_MS + 2` ms after it was added (plus whatever the event loop
 * is late), never before.
 */

export type DiscardKind = 'duplicate' | 'late' | 'unknown';

export type FinishedHow = 'answered' | 'timed-out' | 'failed';

export interface PendingCall<T> {
  readonly correlationId: string;
  readonly n: number;
  readonly resolve: (value: T) => void;
  readonly reject: (error: Error) => void;
}

/** How late after its deadline a call may be timed out: the sweep's batching window. */
export const SWEEP_GRANULARITY_MS = 10;

/** How many recent sequence numbers' outcomes are remembered; older ones are reported as unknown. */
export const DEFAULT_FINISHED_MEMORY = 100_000;

export interface PendingCallTableOptions<T> {
  /** The correlation ids' prefix: unique per client, so no other client's id can match. */
  readonly idPrefix: string;
  readonly finishedMemory?: number;
  /** Time a call may wait for its reply; without it calls never time out. */
  readonly timeoutMs?: number;
  /** Called for each call the sweep timed out, after it left the table. */
  readonly onTimeout?: (call: PendingCall<T>) => void;
  /** Monotonic clock in ms; tests pass their own. */
  readonly now?: () => number;
}

interface PendingEntry<T> {
  readonly call: PendingCall<T>;
  readonly sequence: number | undefined;
  readonly deadlineMs: number;
}

const NOT_FINISHED = 0;
const HOW_CODES: Record<FinishedHow, number> = { answered: 1, 'timed-out': 2, failed: 3 };

export class PendingCallTable<T> {
  /** Insertion order is deadline order (one timeout for all calls). */
  private readonly pending = new Map<string, PendingEntry<T>>();
  private readonly idPrefix: string;
  private readonly timeoutMs: number | undefined;
  private readonly onTimeout: ((call: PendingCall<T>) => void) | undefined;
  private readonly now: () => number;
  private sweepTimer: NodeJS.Timeout | undefined;
  private readonly finishedMemory: number;
  /** Slot `sequence % finishedMemory` holds that sequence and how its call ended. */
  private readonly finishedSequence: Float64Array;
  private readonly finishedHow: Uint8Array;
  private lastSequence = 0;

  constructor(options: PendingCallTableOptions<T>) {
    this.idPrefix = `${options.idPrefix}.`;
    this.finishedMemory = options.finishedMemory ?? DEFAULT_FINISHED_MEMORY;
    if (!Number.isInteger(this.finishedMemory) || this.finishedMemory < 1) {
      throw new RangeError(`finishedMemory must be a positive integer, got ${this.finishedMemory}`);
    }
    this.timeoutMs = options.timeoutMs;
    if (this.timeoutMs !== undefined && !(this.timeoutMs > 0))
      throw new RangeError(`timeoutMs must be > 0, got ${this.timeoutMs}`);
    this.onTimeout = options.onTimeout;
    this.now = options.now ?? (() => performance.now());
    // Filled at once so every page is resident from the start: the memory is flat, not creeping.
    this.finishedSequence = new Float64Array(this.finishedMemory).fill(-1);
    this.finishedHow = new Uint8Array(this.finishedMemory).fill(NOT_FINISHED);
  }

  get size(): number {
    return this.pending.size;
  }

  /** A correlation id never handed out before by this table. */
  newCorrelationId(): string {
    return `${this.idPrefix}${++this.lastSequence}`;
  }

  /** `nowMs`: the caller's reading of the table's clock, when it has one (one clock read per call). */
  add(call: PendingCall<T>, nowMs?: number): void {
    const sequence = this.sequenceOf(call.correlationId);
    if (
      this.pending.has(call.correlationId) ||
      (sequence !== undefined && this.finishedHowAt(sequence) !== undefined)
    ) {
      throw new Error(`correlation id ${call.correlationId} is already in use`);
    }
    const deadlineMs = this.timeoutMs === undefined ? Number.POSITIVE_INFINITY : (nowMs ?? this.now()) + this.timeoutMs;
    this.pending.set(call.correlationId, { call, sequence, deadlineMs });
    if (this.timeoutMs !== undefined && this.sweepTimer === undefined) this.armSweep(this.timeoutMs);
  }

  /** Removes and returns the call, recording how it finished; undefined when it is not pending. */
  take(correlationId: string, how: FinishedHow): PendingCall<T> | undefined {
    const entry = this.pending.get(correlationId);
    if (!entry) return undefined;
    this.pending.delete(correlationId);
    if (entry.sequence !== undefined) this.remember(entry.sequence, how);
    // The sweep stays armed when the table empties: a closed loop empties it after every
    // batch of replies, and re-arming a timer per batch costs more than one idle wake-up.
    return entry.call;
  }

  /** Classifies a reply that matched no pending call. */
  classifyDiscard(correlationId: string | undefined): DiscardKind {
    if (correlationId === undefined) return 'unknown';
    const how = this.finishedHowOf(correlationId);
    if (how === 'answered') return 'duplicate';
    if (how === 'timed-out' || how === 'failed') return 'late';
    return 'unknown';
  }

  /** Takes every pending call out (connection lost, client closed). */
  drain(how: FinishedHow): PendingCall<T>[] {
    const calls = [...this.pending.values()].map((entry) => entry.call);
    for (const call of calls) this.take(call.correlationId, how);
    this.disarmSweep();
    return calls;
  }

  /** Times out every call whose deadline has passed; returns them in send order. */
  expireDue(nowMs: number = this.now()): PendingCall<T>[] {
    const due: PendingCall<T>[] = [];
    for (const entry of this.pending.values()) {
      if (entry.deadlineMs > nowMs) break;
      due.push(entry.call);
    }
    for (const call of due) this.take(call.correlationId, 'timed-out');
    return due;
  }

  private armSweep(delayMs: number): void {
    // Node's timer clock is cached per loop turn and whole milliseconds: one more ms keeps
    // the sweep from waking just before the deadline and finding nothing due. Unref'd: a
    // pending call waits for a reply on a socket, which keeps the process alive by itself.
    this.sweepTimer = setTimeout(() => this.sweep(), Math.ceil(delayMs) + 1).unref();
  }

  private disarmSweep(): void {
    if (this.sweepTimer === undefined) return;
    clearTimeout(this.sweepTimer);
    this.sweepTimer = undefined;
  }

  private sweep(): void {
    this.sweepTimer = undefined;
    const nowMs = this.now();
    const due = this.expireDue(nowMs);
    const oldest = this.pending.values().next();
    // After a batch, wait at least the granularity: a stream of deadlines costs one timer per window.
    if (!oldest.done)
      this.armSweep(Math.max(oldest.value.deadlineMs - nowMs, due.length > 0 ? SWEEP_GRANULARITY_MS : 0));
    for (const call of due) this.onTimeout?.(call);
  }

  /** The sequence number of one of our ids; undefined for anyone else's. */
  private sequenceOf(correlationId: string): number | undefined {
    if (!correlationId.startsWith(this.idPrefix)) return undefined;
    const sequence = Number(correlationId.slice(this.idPrefix.length));
    return Number.isSafeInteger(sequence) && sequence > 0 && sequence <= this.lastSequence ? sequence : undefined;
  }

  private finishedHowOf(correlationId: string): FinishedHow | undefined {
    const sequence = this.sequenceOf(correlationId);
    return sequence === undefined ? undefined : this.finishedHowAt(sequence);
  }

  private finishedHowAt(sequence: number): FinishedHow | undefined {
    const slot = sequence % this.finishedMemory;
    if (this.finishedSequence[slot] !== sequence) return undefined;
    const code = this.finishedHow[slot];
    return (Object.keys(HOW_CODES) as FinishedHow[]).find((how) => HOW_CODES[how] === code);
  }

  /** Only ids the table handed out can be remembered: they carry the sequence. */
  private remember(sequence: number, how: FinishedHow): void {
    const slot = sequence % this.finishedMemory;
    this.finishedSequence[slot] = sequence;
    this.finishedHow[slot] = HOW_CODES[how];
  }
}
