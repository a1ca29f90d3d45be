import type { Piece, ToxicBehaviour } from './toxic.ts';

/** Passes exactly `bytes` bytes in its direction (counted across chunks), then closes the connection. */
export const limitData: ToxicBehaviour = {
  type: 'limit_data',
  attributes: { bytes: 0 },
  apply(plan, { bytes: limit = 0 }, { state, now }) {
    const passed = state.passed ?? 0;
    const pieces: Piece[] = [];
    let total = passed;
    for (const piece of plan.pieces) {
      const room = limit - total;
      if (room <= 0) break;
      const data = piece.data.length > room ? piece.data.subarray(0, room) : piece.data;
      pieces.push({ ...piece, data });
      total += data.length;
    }
    state.passed = total;
    if (total < limit) return { ...plan, pieces };
    return { pieces, end: { kind: 'close', at: Math.max(now, ...pieces.map((p) => p.at)) } };
  },
};
