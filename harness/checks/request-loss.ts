import type { CallIdSet } from '../observe/call-id-set.ts';
import type { Check, RequestLoss } from '../model/check.ts';

/** Lost calls named in the check's result; more are counted. */
export const MAX_NAMED_LOST_CALLS = 10;

export function measureRequestLoss(sets: {
  readonly published: CallIdSet;
  readonly confirmed: CallIdSet;
  readonly nacked: number;
  /** Calls settled by a reply, at the clients. */
  readonly replied: CallIdSet;
  readonly returned: CallIdSet;
  /** Requests some server published a reply to. */
  readonly handled: CallIdSet;
  /** Undefined when the broker cannot report expiries. */
  readonly expired: ReadonlySet<string> | undefined;
  /** Per server name: requests it acked before it had replied to them. */
  readonly settledWithoutReply: ReadonlyMap<string, CallIdSet>;
  readonly unobservedExpiryAllowance?: number;
  /** Requests sent while a fault deleted the request queue (engine/deleted-with-queue.ts). */
  readonly deletedWithQueue?: ReadonlySet<string>;
}): RequestLoss {
  const deletedWithQueue = sets.deletedWithQueue ?? new Set<string>();
  const unanswered = (id: string) =>
    !sets.replied.has(id) && !sets.handled.has(id) && !sets.returned.has(id) && !deletedWithQueue.has(id);
  const expired = sets.confirmed.countWhere((id) => unanswered(id) && sets.expired?.has(id) === true, 0);
  const lost = sets.confirmed.countWhere(
    (id) => unanswered(id) && sets.expired?.has(id) !== true,
    MAX_NAMED_LOST_CALLS,
  );
  return {
    published: sets.published.size,
    confirmed: sets.confirmed.size,
    unconfirmed: sets.published.countWhere((id) => !sets.confirmed.has(id), 0).count,
    nacked: sets.nacked,
    lost: { count: lost.count, calls: lost.examples.map((id) => `${id} (${lastSeen(id, sets.settledWithoutReply)})`) },
    expired: expired.count,
    ...(deletedWithQueue.size > 0
      ? {
          deletedWithQueue: sets.confirmed.countWhere(
            (id) => deletedWithQueue.has(id) && !sets.replied.has(id) && !sets.handled.has(id),
            0,
          ).count,
        }
      : {}),
    unobservedExpiryAllowance: sets.unobservedExpiryAllowance,
  };
}

function lastSeen(id: string, settledWithoutReply: ReadonlyMap<string, CallIdSet>): string {
  const servers = [...settledWithoutReply].filter(([, ids]) => ids.has(id)).map(([server]) => server);
  return servers.length > 0 ? `acked by ${servers.join(' and ')} before any reply` : 'no server replied';
}

export const confirmedRequestsAnswered: Check = {
  id: 'confirmed-requests-answered',
  title: 'No request the broker confirmed was lost',
  expectation:
    'lost requests = 0, where a request is lost if the broker confirmed it (publisher confirm, not returned), ' +
    'its call failed without a reply, no server published a reply to it, ' +
    'and the broker did not drop it as expired unconsumed',
  evaluate: ({ requestLoss: loss }) => {
    if (loss === undefined)
      return { passed: false, actual: 'not measured: a client did not report which requests the broker confirmed' };
    const allowance = loss.unobservedExpiryAllowance;
    const more = loss.lost.count - loss.lost.calls.length;
    const named = loss.lost.count > 0 ? `: ${loss.lost.calls.join(', ')}${more > 0 ? ` and ${more} more` : ''}` : '';
    const weaker =
      allowance === undefined
        ? ''
        : `; this broker does not report expired requests, ` +
          `so up to ${allowance} timed-out calls may have expired unconsumed`;
    return {
      passed: loss.lost.count === 0 || (allowance !== undefined && loss.lost.count <= allowance),
      actual:
        `published ${loss.published}, confirmed ${loss.confirmed} ` +
        `(not confirmed ${loss.unconfirmed}, of them nacked ${loss.nacked}); lost ${loss.lost.count}${named}; ` +
        `confirmed, unanswered and expired unconsumed ${loss.expired}${weaker}` +
        (loss.deletedWithQueue !== undefined
          ? `; confirmed, unanswered and sent as the request queue was deleted ${loss.deletedWithQueue}`
          : ''),
    };
  },
};
