import type { CallIdSet } from '../observe/call-id-set.ts';
import type { Check } from './invariants.ts';

/**
 * Requests the broker confirmed, against what became of them. With publisher confirms a
 * client knows which requests the broker took responsibility for (for a quorum queue: a
 * majority of its replicas holds the message). Such a request is LOST when all of these hold:
 * 1. the broker confirmed it (basic.ack on the client's confirm channel) and did not return
 *    it as unroutable;
 * 2. its call failed without a reply (timed out, lost its connection, or the client closed);
 * 3. no server published a reply to it (as the built-in servers report it, or the frame tap
 *    of an external server sees it);
 * 4. the broker did not drop it as expired unconsumed (its TTL is the call timeout; the
 *    broker's dead-letter record says so).
 * A correct server loses none, whatever happens to nodes and connections: it acks only after
 * its reply, so a request it held when it or its node died goes back to the queue. A server
 * that acks first loses the requests it held; the tap names the server that acked them.
 */
export interface RequestLoss {
  readonly published: number;
  readonly confirmed: number;
  /** Published and never confirmed: nacked, or the channel closed before the confirm came. */
  readonly unconfirmed: number;
  readonly nacked: number;
  readonly lost: {
    readonly count: number;
    /** The first lost calls: correlation id, and where the harness last saw the request. */
    readonly calls: readonly string[];
  };
  /** Confirmed, unanswered, and dropped by the broker as expired unconsumed: not lost. */
  readonly expired: number;
  /**
   * Set when the broker cannot say which requests expired (one the harness did not configure):
   * up to this many lost requests (the calls that timed out) may have expired unconsumed.
   */
  readonly unobservedExpiryAllowance?: number;
}

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
}): RequestLoss {
  const unanswered = (id: string) => !sets.replied.has(id) && !sets.handled.has(id) && !sets.returned.has(id);
  const expired = sets.confirmed.countWhere((id) => unanswered(id) && sets.expired?.has(id) === true, 0);
  const lost = sets.confirmed.countWhere((id) => unanswered(id) && sets.expired?.has(id) !== true, MAX_NAMED_LOST_CALLS);
  return {
    published: sets.published.size,
    confirmed: sets.confirmed.size,
    unconfirmed: sets.published.countWhere((id) => !sets.confirmed.has(id), 0).count,
    nacked: sets.nacked,
    lost: { count: lost.count, calls: lost.examples.map((id) => `${id} (${lastSeen(id, sets.settledWithoutReply)})`) },
    expired: expired.count,
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
  expectation: 'lost requests = 0, where a request is lost if the broker confirmed it (publisher confirm, not returned), its call failed without a reply, no server published a reply to it, and the broker did not drop it as expired unconsumed',
  evaluate: ({ requestLoss: loss }) => {
    if (loss === undefined) return { passed: false, actual: 'not measured: a client did not report which requests the broker confirmed' };
    const allowance = loss.unobservedExpiryAllowance;
    const more = loss.lost.count - loss.lost.calls.length;
    const named = loss.lost.count > 0 ? `: ${loss.lost.calls.join(', ')}${more > 0 ? ` and ${more} more` : ''}` : '';
    const weaker = allowance === undefined ? '' : `; this broker does not report expired requests, so up to ${allowance} timed-out calls may have expired unconsumed`;
    return {
      passed: loss.lost.count === 0 || (allowance !== undefined && loss.lost.count <= allowance),
      actual: `published ${loss.published}, confirmed ${loss.confirmed} (not confirmed ${loss.unconfirmed}, of them nacked ${loss.nacked}); lost ${loss.lost.count}${named}; confirmed, unanswered and expired unconsumed ${loss.expired}${weaker}`,
    };
  },
};
