import { describe, expect, it } from 'vitest';
import { cleanRunInput, fault } from './test/check-input-fixture.ts';
import type { Check, CheckInput } from '../model/check.ts';
import { CORE_CHECKS, runChecks } from './invariants.ts';

const core = (id: string): Check => {
  const check = CORE_CHECKS.find((c) => c.id === id);
  if (!check) throw new Error(`no core check ${id}`);
  return check;
};
const verdict = (id: string, input: CheckInput) => core(id).evaluate(input);

describe('core checks', () => {
  it('all pass on a clean run', () => {
    const results = runChecks(CORE_CHECKS, cleanRunInput());
    expect(results.filter((r) => !r.passed)).toEqual([]);
  });

  describe('answered-at-most-once', () => {
    it('passes when every accepted reply settled a distinct call, error replies to bad input included', () => {
      const input = cleanRunInput({
        counters: { remoteErrors: 2 },
        badInputSent: 10,
        badInputRejected: 10,
        acceptedReplies: 512,
      });
      expect(verdict('answered-at-most-once', input).passed).toBe(true);
    });
    it('fails when a call accepted a second reply, naming it', () => {
      const result = verdict(
        'answered-at-most-once',
        cleanRunInput({ answeredTwice: 1, answeredTwiceExamples: ['c.7'], acceptedReplies: 501 }),
      );
      expect(result.passed).toBe(false);
      expect(result.actual).toContain('c.7');
    });
    it(
      'fails when more replies were accepted than calls settled by a reply ' +
        '(a second reply after its id was forgotten)',
      () => {
        expect(verdict('answered-at-most-once', cleanRunInput({ acceptedReplies: 501 })).passed).toBe(false);
      },
    );
  });

  describe('calls-answered', () => {
    it('passes when calls were answered', () => {
      expect(verdict('calls-answered', cleanRunInput()).passed).toBe(true);
    });
    it('fails when nothing was answered, even though every call is accounted for', () => {
      const input = cleanRunInput({ counters: { answered: 0, correct: 0, timedOut: 500 }, acceptedReplies: 0 });
      expect(verdict('calls-accounted', input).passed).toBe(true);
      expect(verdict('calls-answered', input).passed).toBe(false);
    });
  });

  describe('results-correct', () => {
    it('passes when every answer is fib(n)', () => {
      expect(verdict('results-correct', cleanRunInput()).passed).toBe(true);
    });
    it('fails on a wrong result', () => {
      expect(verdict('results-correct', cleanRunInput({ counters: { correct: 499, wrongResult: 1 } })).passed).toBe(
        false,
      );
    });
  });

  describe('no-bad-replies', () => {
    it('passes when every reply was a number or an error reply', () => {
      expect(verdict('no-bad-replies', cleanRunInput({ counters: { badReplies: 0 } })).passed).toBe(true);
    });
    it('fails on one bad reply, and names the count', () => {
      const result = verdict('no-bad-replies', cleanRunInput({ counters: { badReplies: 1 } }));
      expect(result).toEqual({ passed: false, actual: 'bad replies 1' });
    });
    it('passes a result from before bad replies were counted, saying so', () => {
      expect(verdict('no-bad-replies', cleanRunInput()).actual).toMatch(/^not counted/);
    });
  });

  describe('no-cross-resolution', () => {
    it('passes with no mismatched correlation ids', () => {
      expect(verdict('no-cross-resolution', cleanRunInput()).passed).toBe(true);
    });
    it('fails when a reply resolved another call', () => {
      expect(verdict('no-cross-resolution', cleanRunInput({ counters: { mismatchedCorrelation: 1 } })).passed).toBe(
        false,
      );
    });
  });

  describe('calls-accounted', () => {
    it('passes when answered + timed out + errored = sent', () => {
      expect(
        verdict(
          'calls-accounted',
          cleanRunInput({ counters: { answered: 490, correct: 490, timedOut: 5, connectionLost: 5 } }),
        ).passed,
      ).toBe(true);
    });
    it('fails when a call is unaccounted for', () => {
      expect(verdict('calls-accounted', cleanRunInput({ counters: { answered: 499, correct: 499 } })).passed).toBe(
        false,
      );
    });
    it('accounts calls the client could not publish apart from the sent ones, and names them', () => {
      // 401 sent and settled, 99 never published while the client reconnected.
      const input = cleanRunInput({ counters: { sent: 401, answered: 401, correct: 401, notSent: 99 } });
      const result = verdict('calls-accounted', input);
      expect(result.passed).toBe(true);
      expect(result.actual).toContain('not sent (not connected) 99');
      // Counted as sent as well, they would be unaccounted for.
      expect(verdict('calls-accounted', cleanRunInput({ counters: { answered: 401, correct: 401 } })).passed).toBe(
        false,
      );
    });
    it('fails when nothing was sent', () => {
      expect(verdict('calls-accounted', cleanRunInput({ counters: { sent: 0, answered: 0, correct: 0 } })).passed).toBe(
        false,
      );
    });
  });

  describe('faults-fired', () => {
    it('passes when every scheduled fault fired', () => {
      expect(verdict('faults-fired', cleanRunInput({ faults: [fault('toxic')] })).passed).toBe(true);
    });
    it('fails when a scheduled fault never fired, naming it', () => {
      const result = verdict(
        'faults-fired',
        cleanRunInput({ faults: [fault('toxic'), fault('restart-broker', false)] }),
      );
      expect(result.passed).toBe(false);
      expect(result.actual).toContain('restart-broker of server-1');
    });
  });
});
