/**
 * The frames of recent correlation ids, per tap: what a black box's duplicate reply is told
 * from when it has no spans. Bounded: the most recent `maxIds` correlation ids, a few frames
 * each; older ids are forgotten first.
 */

/** One protocol step of one correlation id, as one tap saw it. */
export interface TrailFrame {
  readonly atMs: number;
  /** publish: from the implementation; deliver: to it; ack/nack: its settle; held: stopped at a fault point. */
  readonly step: 'publish' | 'deliver' | 'ack' | 'nack' | 'held';
  readonly connection: number;
  readonly redelivered?: boolean;
  /** A publish's reply_to (a client's request names where its reply goes). */
  readonly replyTo?: string;
}

const DEFAULT_MAX_IDS = 4_000;
/** Frames kept per correlation id: a request's publish, deliveries, replies and settles fit. */
const MAX_FRAMES_PER_ID = 16;

export class FrameTrail {
  private readonly frames = new Map<string, TrailFrame[]>();

  constructor(private readonly maxIds = DEFAULT_MAX_IDS) {}

  record(correlationId: string | undefined, frame: TrailFrame): void {
    if (correlationId === undefined || this.maxIds === 0) return;
    let list = this.frames.get(correlationId);
    if (!list) {
      if (this.frames.size >= this.maxIds) {
        const oldest = this.frames.keys().next().value;
        if (oldest !== undefined) this.frames.delete(oldest);
      }
      this.frames.set(correlationId, (list = []));
    }
    if (list.length < MAX_FRAMES_PER_ID) list.push(frame);
  }

  /** The frames seen for `correlationId`, oldest first; empty when none or forgotten. */
  of(correlationId: string): readonly TrailFrame[] {
    return [...(this.frames.get(correlationId) ?? [])];
  }
}
