import type { CallIdSet } from '../observe/call-id-set.ts';
import type { Check } from './invariants.ts';

/**
 * Requests sent by this run's clients against requests handled by this run's servers, by
 * correlation id (sets, not counts: a redelivered request is handled twice but is one
 * request; a killed server's lost tally cannot hide behind another server's extra count).
 *
 * The relation that holds in every correct run:
 * 1. every request a server handled was published by a client of this run, and
 * 2. every published request was handled, except one whose call lost its connection (the
 *    request may have died with it, or with the broker's queue in a restart), that the
 *    broker returned as unroutable (published while the request queue did not exist), that
 *    the broker never confirmed (with publisher confirms: it never took the request), or
 *    that the broker dead-lettered as expired (requests expire with the call timeout).
 * A timed-out call alone is no excuse: only the broker's own record of the expiry is, so a
 * stranger consuming from the request queue breaks 2, and a server answering requests from
 * elsewhere breaks 1.
 */
export interface RequestAccounting {
  readonly published: number;
  readonly handled: number;
  readonly handledNotSent: { readonly count: number; readonly examples: readonly string[] };
  readonly sentNotHandled: { readonly count: number; readonly examples: readonly string[] };
  /** Published, not handled, and explained by a lost connection, an unroutable return, no confirm or an expiry. */
  readonly excused: number;
  /** Requests still waiting in the queue when the servers were stopped; undefined if not looked at. */
  readonly queuedAtStop: number | undefined;
  /**
   * Set when the broker cannot say which requests expired (one the harness did not configure):
   * up to this many unhandled requests (the calls that timed out) may have expired unconsumed.
   */
  readonly unobservedExpiryAllowance?: number;
}

/** `confirmed`: with publisher confirms, the requests the broker confirmed; the others are excusable. */
export function accountRequests(sets: { published: CallIdSet; excusable: CallIdSet; handled: CallIdSet; queuedAtStop: number | undefined; unobservedExpiryAllowance?: number; confirmed?: CallIdSet }): RequestAccounting {
  const { published, excusable, handled, confirmed } = sets;
  const isExcused = (id: string) => excusable.has(id) || (confirmed !== undefined && !confirmed.has(id));
  const unhandled = published.countWhere((id) => !handled.has(id) && !isExcused(id));
  const excused = published.countWhere((id) => !handled.has(id) && isExcused(id), 0);
  return {
    published: published.size,
    handled: handled.size,
    handledNotSent: handled.minus(published),
    sentNotHandled: unhandled,
    excused: excused.count,
    queuedAtStop: sets.queuedAtStop,
    unobservedExpiryAllowance: sets.unobservedExpiryAllowance,
  };
}

export const requestsHandledMatchSent: Check = {
  id: 'requests-handled-match-sent',
  title: 'The servers handled exactly the requests this run\'s clients sent',
  expectation: 'handled requests not sent by this run = 0, and sent requests not handled = 0 (except calls whose connection was lost, that the broker returned as unroutable or, with publisher confirms, never confirmed, or that expired unconsumed)',
  evaluate: ({ requestAccounting: a }) => {
    if (a === undefined) return { passed: false, actual: 'not measured: a client did not report the requests it sent' };
    const examples = (ids: readonly string[]) => (ids.length > 0 ? ` (e.g. ${ids.join(', ')})` : '');
    const queued = a.queuedAtStop === undefined ? '' : `, still queued when the servers stopped ${a.queuedAtStop}`;
    const allowance = a.unobservedExpiryAllowance;
    const unhandledExplained = a.sentNotHandled.count === 0 || (allowance !== undefined && a.sentNotHandled.count <= allowance);
    const weaker = allowance === undefined ? '' : `; this broker does not report expired requests, so up to ${allowance} timed-out calls may have expired unconsumed`;
    return {
      passed: a.handledNotSent.count === 0 && unhandledExplained,
      actual: `sent ${a.published}, handled ${a.handled}; handled but not sent by this run ${a.handledNotSent.count}${examples(a.handledNotSent.examples)}; sent but never handled ${a.sentNotHandled.count}${examples(a.sentNotHandled.examples)}; not handled after a lost connection, no publisher confirm, an unroutable return or expiry ${a.excused}${queued}${weaker}`,
    };
  },
};
