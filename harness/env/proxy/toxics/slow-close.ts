import type { ToxicBehaviour } from './toxic.ts';

/** Delays passing a close (FIN) through by `delay` ms; data is untouched. */
export const slowClose: ToxicBehaviour = {
  type: 'slow_close',
  attributes: { delay: 0 },
  apply: (plan) => plan,
  closeDelay: ({ delay = 0 }) => Math.max(0, delay),
};
