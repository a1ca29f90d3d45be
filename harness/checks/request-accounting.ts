import type { CallIdSet } from '../observe/call-id-set.ts';
import type { Check, RequestAccounting } from '../model/check.ts';

/** `confirmed`: with publisher confirms, the requests the broker confirmed; the others are excusable. */
export function accountRequests(sets: {
  published: CallIdSet;
  excusable: CallIdSet;
  handled: CallIdSet;
  queuedAtStop: number | undefined;
  unobservedExpiryAllowance?: number;
  confirmed?: CallIdSet;
}): RequestAccounting {
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
  title: "The servers handled exactly the requests this run's clients sent",
  expectation:
    'handled requests not sent by this run = 0, and sent requests not handled = 0 ' +
    '(except calls whose connection was lost, that the broker returned as unroutable or, ' +
    'with publisher confirms, never confirmed, or that expired unconsumed)',
  evaluate: ({ requestAccounting: a }) => {
    if (a === undefined) return { passed: false, actual: 'not measured: a client did not report the requests it sent' };
    const examples = (ids: readonly string[]) => (ids.length > 0 ? ` (e.g. ${ids.join(', ')})` : '');
    const queued = a.queuedAtStop === undefined ? '' : `, still queued when the servers stopped ${a.queuedAtStop}`;
    const allowance = a.unobservedExpiryAllowance;
    const unhandledExplained =
      a.sentNotHandled.count === 0 || (allowance !== undefined && a.sentNotHandled.count <= allowance);
    const weaker =
      allowance === undefined
        ? ''
        : `; this broker does not report expired requests, ` +
          `so up to ${allowance} timed-out calls may have expired unconsumed`;
    return {
      passed: a.handledNotSent.count === 0 && unhandledExplained,
      actual:
        `sent ${a.published}, handled ${a.handled}; ` +
        `handled but not sent by this run ${a.handledNotSent.count}${examples(a.handledNotSent.examples)}; ` +
        `sent but never handled ${a.sentNotHandled.count}${examples(a.sentNotHandled.examples)}; ` +
        `not handled after a lost connection, no publisher confirm, an unroutable return or expiry ${a.excused}` +
        `${queued}${weaker}`,
    };
  },
};
