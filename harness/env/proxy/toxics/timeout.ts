import type { ToxicBehaviour } from './toxic.ts';

/**
 * Drops all data in its direction. With timeout > 0 the connection closes that long after
 * the toxic started or after the last chunk, whichever is later; with 0 it is held open
 * until the toxic is removed, which then closes it (as Toxiproxy does).
 */
export const timeout: ToxicBehaviour = {
  type: 'timeout',
  attributes: { timeout: 0 },
  closesOnRemove: true,
  apply(_plan, { timeout: ms = 0 }, context) {
    context.armClose(ms > 0 ? context.now + ms : undefined);
    return { pieces: [] };
  },
  onStart({ timeout: ms = 0 }, context) {
    context.armClose(ms > 0 ? context.now + ms : undefined);
  },
};
