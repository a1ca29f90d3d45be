import type { ToxicBehaviour } from './toxic.ts';

/**
 * On the first chunk in its direction, drops the data and resets the connection (RST)
 * `timeout` ms later. On a connection that was open before the toxic was added, Toxiproxy
 * can only send a plain close (FIN): mirrored here.
 */
export const resetPeer: ToxicBehaviour = {
  type: 'reset_peer',
  attributes: { timeout: 0 },
  apply(_plan, { timeout: ms = 0 }, context) {
    return {
      pieces: [],
      end: { kind: context.addedAfterConnect ? 'close' : 'reset', at: context.now + Math.max(0, ms) },
    };
  },
};
