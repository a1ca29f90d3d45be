import type { ToxicBehaviour } from './toxic.ts';

/** Caps throughput at `rate` KB/s (1 KB = 1000 bytes, as Toxiproxy counts). rate 0 stalls the stream. */
export const bandwidth: ToxicBehaviour = {
  type: 'bandwidth',
  attributes: { rate: 0 },
  apply(plan, { rate = 0 }, { state }) {
    if (rate <= 0) return { pieces: [] }; // Toxiproxy's rate 0 blackholes, it does not mean unlimited
    const bytesPerMs = rate; // rate KB/s = rate * 1000 bytes / 1000 ms
    const pieces = plan.pieces.map((piece) => {
      const start = Math.max(piece.at, state.clock ?? 0);
      state.clock = start + piece.data.length / bytesPerMs;
      return { ...piece, at: state.clock };
    });
    return { ...plan, pieces };
  },
};
