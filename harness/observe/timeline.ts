/**
 * The event timeline: faults and anomalies with wall-clock times and, where known, the
 * trace and correlation id, so the report can put a duplicate discard next to the kill
 * that caused it and link both to the trace waterfall.
 */
import { BROKER_NOTICE_KINDS } from '../model/broker-notices.ts';

export const TIMELINE_EVENT_KINDS = [
  'fault-start',
  'fault-end',
  'kill',
  'restart',
  'broker-restart',
  'connection-lost',
  'reconnect',
  'redelivery',
  'discard-duplicate',
  'discard-unknown',
  'discard-late',
  'duplicate-delivered',
  'late-delivered',
  'unknown-delivered',
  'timeout',
  'error',
  'note',
  ...BROKER_NOTICE_KINDS,
] as const;

export type TimelineEventKind = (typeof TIMELINE_EVENT_KINDS)[number];

export interface TimelineEvent {
  /** Wall clock, epoch ms. */
  readonly atMs: number;
  readonly kind: TimelineEventKind;
  /** Who saw it: 'client-1', 'server-2', 'scenario', 'broker'. */
  readonly process: string;
  readonly traceId?: string;
  readonly correlationId?: string;
  readonly detail?: string;
}

/**
 * Events that describe the run's structure (faults, process and broker lifecycle). They
 * have their own reserve so a flood of per-call events (thousands of timeouts during a
 * partition) can never push out the fault-end that explains them.
 */
const STRUCTURAL_KINDS: ReadonlySet<TimelineEventKind> = new Set([
  'fault-start',
  'fault-end',
  'kill',
  'restart',
  'broker-restart',
  'connection-lost',
  'reconnect',
  ...BROKER_NOTICE_KINDS,
]);

export interface TimelineOptions {
  /** Cap on per-call events (default 10 000); later ones are counted in `dropped`, not kept. */
  readonly maxEvents?: number;
  /** Extra room for structural events beyond maxEvents (default 1 000). */
  readonly structuralReserve?: number;
}

/** A bounded collector: huge runs keep the first events of each sort and count the rest. */
export class Timeline {
  private readonly kept: TimelineEvent[] = [];
  private readonly maxEvents: number;
  private readonly structuralReserve: number;
  private droppedCount = 0;
  private readonly droppedKinds = new Map<TimelineEventKind, number>();

  constructor(options: TimelineOptions = {}) {
    this.maxEvents = options.maxEvents ?? 10_000;
    this.structuralReserve = options.structuralReserve ?? 1_000;
    if (!Number.isInteger(this.maxEvents) || this.maxEvents < 0)
      throw new Error(`maxEvents must be an integer >= 0, got ${this.maxEvents}`);
    if (!Number.isInteger(this.structuralReserve) || this.structuralReserve < 0) {
      throw new Error(`structuralReserve must be an integer >= 0, got ${this.structuralReserve}`);
    }
  }

  /** Returns false when the event was dropped because the timeline is full. */
  add(event: TimelineEvent): boolean {
    const limit = STRUCTURAL_KINDS.has(event.kind) ? this.maxEvents + this.structuralReserve : this.maxEvents;
    if (this.kept.length >= limit) {
      this.droppedCount++;
      this.droppedKinds.set(event.kind, (this.droppedKinds.get(event.kind) ?? 0) + 1);
      return false;
    }
    this.kept.push(event);
    return true;
  }

  /** For events relayed from worker processes. */
  addAll(events: Iterable<TimelineEvent>): void {
    for (const event of events) this.add(event);
  }

  /** Kept events in time order (stable for equal times, so arrival order breaks ties). */
  events(): TimelineEvent[] {
    return [...this.kept].sort((a, b) => a.atMs - b.atMs);
  }

  get size(): number {
    return this.kept.length;
  }

  get dropped(): number {
    return this.droppedCount;
  }

  get droppedByKind(): ReadonlyMap<TimelineEventKind, number> {
    return this.droppedKinds;
  }

  /**
   * The `timeline` block of result.json: times become ms since the run start (`tMs`,
   * clamped at 0 for events logged while the run was being set up).
   */
  toResult(runStartEpochMs: number): {
    events: Array<Omit<TimelineEvent, 'atMs'> & { tMs: number }>;
    dropped: number;
  } {
    return {
      events: this.events().map(({ atMs, ...rest }) => ({ tMs: Math.max(0, atMs - runStartEpochMs), ...rest })),
      dropped: this.droppedCount,
    };
  }
}
