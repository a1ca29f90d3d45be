import { describe, expect, it } from 'vitest';
import { CallIdSet } from '../observe/call-id-set.ts';
import { cleanRunInput } from './test/check-input-fixture.ts';
import { confirmedRequestsAnswered, measureRequestLoss } from './request-loss.ts';

const setOf = (...ids: string[]) => {
  const set = new CallIdSet();
  for (const id of ids) set.add(id);
  return set;
};
const range = (client: string, first: number, last: number) =>
  Array.from({ length: last - first + 1 }, (_, i) => `${client}.${first + i}`);

/** 20 calls published, all confirmed, all answered and handled, unless the case says otherwise. */
function verdict(sets: Partial<Parameters<typeof measureRequestLoss>[0]> = {}) {
  const all = range('c', 1, 20);
  const loss = measureRequestLoss({
    published: setOf(...all),
    confirmed: setOf(...all),
    nacked: 0,
    replied: setOf(...all),
    returned: new CallIdSet(),
    handled: setOf(...all),
    expired: new Set(),
    settledWithoutReply: new Map(),
    ...sets,
  });
  return { loss, ...confirmedRequestsAnswered.evaluate(cleanRunInput({ requestLoss: loss })) };
}

describe('confirmed-requests-answered', () => {
  it('passes when every confirmed request was answered', () => {
    const result = verdict();
    expect(result.passed).toBe(true);
    expect(result.actual).toBe(
      'published 20, confirmed 20 (not confirmed 0, of them nacked 0); lost 0; ' +
        'confirmed, unanswered and expired unconsumed 0',
    );
  });

  it(
    'passes a confirmed request whose call failed when a server replied to it ' +
      '(the reply went to a dead callback queue)',
    () => {
      expect(verdict({ replied: setOf(...range('c', 1, 19)) }).passed).toBe(true);
    },
  );

  it('passes a confirmed, unanswered request sent as a fault deleted the request queue, and counts it apart', () => {
    const answered = setOf(...range('c', 1, 19));
    const gone = verdict({ replied: answered, handled: answered, deletedWithQueue: new Set(['c.20']) });
    expect(gone.passed).toBe(true);
    expect(gone.actual).toMatch(/lost 0; .*; confirmed, unanswered and sent as the request queue was deleted 1$/);
    expect(verdict({ replied: answered, handled: answered, deletedWithQueue: new Set(['c.3']) }).passed).toBe(false);
  });

  it('passes requests the broker never confirmed, returned as unroutable, or dropped as expired unconsumed', () => {
    const unanswered = setOf(...range('c', 1, 14));
    const result = verdict({
      confirmed: setOf(...range('c', 1, 18)),
      nacked: 1,
      replied: unanswered,
      handled: unanswered,
      returned: setOf('c.15', 'c.16'),
      expired: new Set(['c.17', 'c.18']),
    });
    expect(result.passed).toBe(true);
    expect(result.actual).toBe(
      'published 20, confirmed 18 (not confirmed 2, of them nacked 1); lost 0; ' +
        'confirmed, unanswered and expired unconsumed 2',
    );
  });

  it('FAILS when a confirmed request got no reply from any server and its call failed, naming the call', () => {
    const answered = setOf(...range('c', 1, 20).filter((id) => id !== 'c.7'));
    const result = verdict({ replied: answered, handled: answered });
    expect(result.passed).toBe(false);
    expect(result.actual).toContain('lost 1: c.7 (no server replied)');
  });

  it('FAILS naming the server that acked a lost request before replying, as its frame tap saw it', () => {
    const answered = setOf(...range('c', 1, 17));
    const result = verdict({
      replied: answered,
      handled: answered,
      settledWithoutReply: new Map([
        ['server-2', setOf('c.18', 'c.19')],
        ['server-1', setOf('c.3')],
      ]),
    });
    expect(result.passed).toBe(false);
    expect(result.actual).toContain(
      'lost 3: c.18 (acked by server-2 before any reply), c.19 (acked by server-2 before any reply), ' +
        'c.20 (no server replied)',
    );
  });

  it('names the first ten lost calls and counts the rest', () => {
    const result = verdict({ replied: setOf('c.1'), handled: setOf('c.1') });
    expect(result.loss.lost.count).toBe(19);
    expect(result.loss.lost.calls).toHaveLength(10);
    expect(result.actual).toMatch(/lost 19: c\.2 \(no server replied\), .*c\.11 \(no server replied\) and 9 more;/);
  });

  it(
    'on a broker that cannot report expiries, passes lost requests up to the calls that timed out ' +
      'and says the check is weaker',
    () => {
      const answered = setOf(...range('c', 1, 18));
      const result = verdict({
        replied: answered,
        handled: answered,
        expired: undefined,
        unobservedExpiryAllowance: 2,
      });
      expect(result.passed).toBe(true);
      expect(result.actual).toContain('up to 2 timed-out calls may have expired unconsumed');
      expect(
        verdict({ replied: answered, handled: answered, expired: undefined, unobservedExpiryAllowance: 1 }).passed,
      ).toBe(false);
    },
  );

  it('fails when it was not measured', () => {
    expect(confirmedRequestsAnswered.evaluate(cleanRunInput({ requestLoss: undefined })).passed).toBe(false);
  });
});
