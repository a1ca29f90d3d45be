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
 */

export type DiscardKind = 'duplicate' | 'late' | 'unknown';

export type FinishedHow = 'answered' | 'timed-out' | 'failed';

export interface PendingCall<T> {
  readonly correlationId: string;
  readonly n: number;
  readonly sentAtMs: number;
  readonly resolve: (value: T) => void;
  readonly reject: (error: Error) => void;
  timer?: NodeJS.Timeout;
}

/** How many recent sequence numbers' outcomes are remembered; older ones are reported as unknown. */
export const DEFAULT_FINISHED_MEMORY = 100_000;

export interface PendingCallTableOptions {
  /** The correlation ids' prefix: unique per client, so no other client's id can match. */
  readonly idPrefix: string;
  readonly finishedMemory?: number;
}

const NOT_FINISHED = 0;
const HOW_CODES: Record<FinishedHow, number> = { answered: 1, 'timed-out': 2, failed: 3 };

export class PendingCallTable<T> {
  private readonly pending = new Map<string, PendingCall<T>>();
  private readonly idPrefix: string;
  private readonly finishedMemory: number;
  /** Slot `sequence % finishedMemory` holds that sequence and how its call ended. */
  private readonly finishedSequence: Float64Array;
  private readonly finishedHow: Uint8Array;
  private lastSequence = 0;

  constructor(options: PendingCallTableOptions) {
    this.idPrefix = `${options.idPrefix}.`;
    this.finishedMemory = options.finishedMemory ?? DEFAULT_FINISHED_MEMORY;
    if (!Number.isInteger(this.finishedMemory) || this.finishedMemory < 1) {
      throw new RangeError(`finishedMemory must be a positive integer, got ${this.finishedMemory}`);
    }
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

  add(call: PendingCall<T>): void {
    if (this.pending.has(call.correlationId) || this.finishedHowOf(call.correlationId) !== undefined) {
      throw new Error(`correlation id ${call.correlationId} is already in use`);
    }
    this.pending.set(call.correlationId, call);
  }

  /** Removes and returns the call, recording how it finished; undefined when it is not pending. */
  take(correlationId: string, how: FinishedHow): PendingCall<T> | undefined {
    const call = this.pending.get(correlationId);
    if (!call) return undefined;
    this.pending.delete(correlationId);
    if (call.timer) clearTimeout(call.timer);
    this.remember(correlationId, how);
    return call;
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
    const calls = [...this.pending.values()];
    for (const call of calls) this.take(call.correlationId, how);
    return calls;
  }

  /** The sequence number of one of our ids; undefined for anyone else's. */
  private sequenceOf(correlationId: string): number | undefined {
    if (!correlationId.startsWith(this.idPrefix)) return undefined;
    const sequence = Number(correlationId.slice(this.idPrefix.length));
    return Number.isSafeInteger(sequence) && sequence > 0 && sequence <= this.lastSequence ? sequence : undefined;
  }

  private finishedHowOf(correlationId: string): FinishedHow | undefined {
    const sequence = this.sequenceOf(correlationId);
    if (sequence === undefined) return undefined;
    const slot = sequence % this.finishedMemory;
    if (this.finishedSequence[slot] !== sequence) return undefined;
    const code = this.finishedHow[slot];
    return (Object.keys(HOW_CODES) as FinishedHow[]).find((how) => HOW_CODES[how] === code);
  }

  private remember(correlationId: string, how: FinishedHow): void {
    const sequence = this.sequenceOf(correlationId);
    // An id the table did not hand out cannot be remembered; it was refused by add() unless pending.
    if (sequence === undefined) return;
    const slot = sequence % this.finishedMemory;
    this.finishedSequence[slot] = sequence;
    this.finishedHow[slot] = HOW_CODES[how];
  }
}
