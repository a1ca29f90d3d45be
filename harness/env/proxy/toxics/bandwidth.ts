import type { Piece, ToxicBehaviour } from './toxic.ts';

/** Toxiproxy writes a large chunk in slices of 100 ms worth of data rather than all at the end. */
const SLICE_MS = 100;

/**
 * Caps throughput at `rate` KB/s (1 KB = 1000 bytes, as Toxiproxy counts). Idle time earns
 * no credit. rate 0 stalls the stream (data and its close) for good, as in Toxiproxy.
 */
export const bandwidth: ToxicBehaviour = {
  type: 'bandwidth',
  attributes: { rate: 0 },
  apply(plan, { rate = 0 }, { state }) {
    if (rate <= 0) return { ...plan, pieces: plan.pieces.map((piece) => ({ ...piece, at: Infinity })) };
    const bytesPerMs = rate; // rate * 1000 bytes per 1000 ms
    const sliceBytes = Math.max(1, Math.floor(rate * SLICE_MS));
    const pieces: Piece[] = [];
    for (const piece of plan.pieces) {
      // A piece another toxic holds forever must not push this toxic's clock to infinity.
      if (!Number.isFinite(piece.at)) {
        pieces.push(piece);
        continue;
      }
      for (let offset = 0; offset < piece.data.length; offset += sliceBytes) {
        const data = piece.data.subarray(offset, offset + sliceBytes);
        const start = Math.max(piece.at, state.clock ?? 0);
        state.clock = start + data.length / bytesPerMs;
        pieces.push({ at: state.clock, data });
      }
    }
    return { ...plan, pieces };
  },
};
