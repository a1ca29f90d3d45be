import type { ToxicBehaviour } from './toxic.ts';

/**
 * Delays every chunk by latency ± jitter (uniform), measured from when the chunk reached it.
 * Removing the toxic releases what it holds at once; an update re-times held chunks from
 * their arrival (toxics/latency.go: an interrupted Pipe forwards its chunk, and
 * link.RemoveToxic drains the toxic's buffer).
 */
export const latency: ToxicBehaviour = {
  type: 'latency',
  attributes: { latency: 0, jitter: 0 },
  releasesHeldData: true,
  apply(plan, { latency: delay = 0, jitter = 0 }) {
    const offset = delay + (jitter > 0 ? (Math.random() * 2 - 1) * jitter : 0);
    return { ...plan, pieces: plan.pieces.map((piece) => ({ ...piece, at: piece.at + Math.max(0, offset) })) };
  },
};
