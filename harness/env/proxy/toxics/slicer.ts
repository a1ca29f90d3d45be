import type { Piece, ToxicBehaviour } from './toxic.ts';

/**
 * Splits chunks into pieces of average_size ± size_variation bytes, `delay` microseconds
 * apart. Like Toxiproxy's, it works through chunks one at a time, so a chunk that arrives
 * while the previous one is still being sliced waits for it.
 */
export const slicer: ToxicBehaviour = {
  type: 'slicer',
  attributes: { average_size: 0, size_variation: 0, delay: 0 },
  apply(plan, { average_size: average = 0, size_variation: variation = 0, delay = 0 }, { state }) {
    if (average <= 0) return plan;
    const gapMs = Math.max(0, delay) / 1000;
    const pieces: Piece[] = [];
    for (const piece of plan.pieces) {
      let at = Number.isFinite(piece.at) ? Math.max(piece.at, state.clock ?? 0) : piece.at;
      for (let offset = 0; offset < piece.data.length; ) {
        const size = Math.max(1, Math.round(average + (Math.random() * 2 - 1) * variation));
        pieces.push({ at, data: piece.data.subarray(offset, offset + size), gapMs: offset === 0 ? 0 : gapMs });
        offset += size;
        at += gapMs;
      }
      if (Number.isFinite(at)) state.clock = at;
    }
    return { ...plan, pieces };
  },
};
