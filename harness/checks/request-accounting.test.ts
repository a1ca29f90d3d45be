import { describe, expect, it } from 'vitest';
import { CallIdSet } from '../observe/call-id-set.ts';
import { cleanRunInput } from './test/check-input-fixture.ts';
import { accountRequests, requestsHandledMatchSent } from './request-accounting.ts';

const setOf = (...ids: string[]) => {
  const set = new CallIdSet();
  for (const id of ids) set.add(id);
  return set;
};
const range = (client: string, first: number, last: number) =>
  Array.from({ length: last - first + 1 }, (_, i) => `${client}.${first + i}`);
const verdict = (sets: {
  published: CallIdSet;
  excusable?: CallIdSet;
  handled: CallIdSet;
  unobservedExpiryAllowance?: number;
  confirmed?: CallIdSet;
}) =>
  requestsHandledMatchSent.evaluate(
    cleanRunInput({ requestAccounting: accountRequests({ excusable: new CallIdSet(), queuedAtStop: 0, ...sets }) }),
  );

describe('requests-handled-match-sent', () => {
  it('passes when two servers together handled every request sent, one of them twice (a redelivery)', () => {
    const published = setOf(...range('c', 1, 100));
    const handled = setOf(...range('c', 1, 100).filter((_, i) => i % 2 === 0));
    handled.addAll(setOf(...range('c', 1, 100).filter((_, i) => i % 2 === 1), 'c.7').encode());
    expect(verdict({ published, handled }).passed).toBe(true);
  });

  it(
    'passes when the only unhandled requests belong to calls that lost their connection ' + 'or came back unroutable',
    () => {
      const result = verdict({
        published: setOf(...range('c', 1, 10)),
        handled: setOf(...range('c', 1, 7)),
        excusable: setOf('c.8', 'c.9', 'c.10'),
      });
      expect(result.passed).toBe(true);
      expect(result.actual).toContain('unroutable return or expiry 3');
    },
  );

  it(
    'with publisher confirms, passes unhandled requests the broker never confirmed, ' +
      'and fails an unhandled confirmed one',
    () => {
      const published = setOf(...range('c', 1, 10));
      const handled = setOf(...range('c', 1, 7));
      const result = verdict({ published, handled, confirmed: setOf(...range('c', 1, 7)) });
      expect(result.passed).toBe(true);
      expect(result.actual).toContain('no publisher confirm, an unroutable return or expiry 3');
      expect(verdict({ published, handled, confirmed: setOf(...range('c', 1, 8)) }).actual).toContain(
        'sent but never handled 1 (e.g. c.8)',
      );
    },
  );

  it("fails when another consumer took requests (sent, never handled by this run's servers), naming them", () => {
    const result = verdict({
      published: setOf(...range('c', 1, 10)),
      handled: setOf(...range('c', 1, 10).filter((id) => id !== 'c.4')),
    });
    expect(result.passed).toBe(false);
    expect(result.actual).toContain('sent but never handled 1 (e.g. c.4)');
  });

  it(
    'fails when an unhandled request belongs to a call that merely timed out: ' +
      "only the broker's record of its expiry excuses it",
    () => {
      expect(verdict({ published: setOf('c.1', 'c.2'), handled: setOf('c.1') }).passed).toBe(false);
    },
  );

  it(
    'on a broker that cannot report expiries, passes unhandled requests up to the timed-out calls ' +
      'and says the check is weaker',
    () => {
      const result = verdict({
        published: setOf(...range('c', 1, 10)),
        handled: setOf(...range('c', 1, 7)),
        unobservedExpiryAllowance: 3,
      });
      expect(result.passed).toBe(true);
      expect(result.actual).toContain('up to 3 timed-out calls may have expired unconsumed');
    },
  );

  it('on a broker that cannot report expiries, still fails more unhandled requests than calls that timed out', () => {
    expect(
      verdict({
        published: setOf(...range('c', 1, 10)),
        handled: setOf(...range('c', 1, 6)),
        unobservedExpiryAllowance: 3,
      }).passed,
    ).toBe(false);
  });

  it('fails when a server handled a request no client of this run sent', () => {
    const result = verdict({
      published: setOf(...range('c', 1, 5)),
      handled: setOf(...range('c', 1, 5), 'stranger.1'),
    });
    expect(result.passed).toBe(false);
    expect(result.actual).toContain('handled but not sent by this run 1 (e.g. stranger.1)');
  });

  it('fails when it was not measured', () => {
    expect(requestsHandledMatchSent.evaluate(cleanRunInput({ requestAccounting: undefined })).passed).toBe(false);
  });
});
