/**
 * The client's table of calls waiting for a reply, keyed by correlation id, plus a bounded
 * memory of how recently finished calls ended. That memory is what lets a discarded reply
 * be classified: a duplicate (the call was already answered: the seed's server-died-before-ack
 * race), late (the call had timed out or failed), or unknown (never ours).
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

/** How many finished correlation ids are remembered; older ones are reported as unknown. */
export const DEFAULT_FINISHED_MEMORY = 100_000;

export class PendingCallTable<T> {
  private readonly pending = new Map<string, PendingCall<T>>();
  // Map keeps insertion order, so the first key is the oldest finished call.
  private readonly finished = new Map<string, FinishedHow>();

  constructor(private readonly finishedMemory = DEFAULT_FINISHED_MEMORY) {
    if (!Number.isInteger(finishedMemory) || finishedMemory < 1) {
      throw new RangeError(`finishedMemory must be a positive integer, got ${finishedMemory}`);
    }
  }

  get size(): number {
    return this.pending.size;
  }

  add(call: PendingCall<T>): void {
    if (this.pending.has(call.correlationId) || this.finished.has(call.correlationId)) {
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
    const how = this.finished.get(correlationId);
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

  private remember(correlationId: string, how: FinishedHow): void {
    this.finished.set(correlationId, how);
    if (this.finished.size > this.finishedMemory) {
      const oldest = this.finished.keys().next().value;
      if (oldest !== undefined) this.finished.delete(oldest);
    }
  }
}
