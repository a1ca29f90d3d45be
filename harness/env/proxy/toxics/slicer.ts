import type { Piece, ToxicBehaviour } from './toxic.ts';

/** Splits chunks into pieces of average_size ± size_variation bytes, `delay` microseconds apart. */
export const slicer: ToxicBehaviour = {
  type: 'slicer',
  attributes: { average_size: 0, size_variation: 0, delay: 0 },
  apply(plan, { average_size: average = 0, size_variation: variation = 0, delay = 0 }) {
    if (average <= 0) return plan;
    const pieces: Piece[] = [];
    for (const piece of plan.pieces) {
      let at = piece.at;
      for (let offset = 0; offset < piece.data.length; ) {
        const size = Math.max(1, Math.round(average + (Math.random() * 2 - 1) * variation));
        pieces.push({ at, data: piece.data.subarray(offset, offset + size) });
        offset += size;
        at += delay / 1000;
      }
    }
    return { ...plan, pieces };
  },
};
