import type { Check, CheckInput } from '../model/check.ts';
import type { CheckResult } from '../model/result-schema.ts';
import { keptWorkingAfterStaleReplies } from './kept-working.ts';
import { offeredLoadDelivered } from './offered-load.ts';
import { requestsHandledMatchSent } from './request-accounting.ts';

export function runChecks(checks: readonly Check[], input: CheckInput): CheckResult[] {
  return checks.map((check) => {
    const { passed, actual, expectation } = check.evaluate(input);
    return {
      id: check.id,
      title: check.titleFor?.(input) ?? check.title,
      passed,
      expectation: expectation ?? check.expectation,
      actual,
    };
  });
}

/** The invariants every scenario checks, whatever its faults. */
export const CORE_CHECKS: readonly Check[] = [
  {
    id: 'answered-at-most-once',
    title: 'Each call accepted at most one reply',
    expectation: 'calls that accepted a second reply = 0, and replies accepted = calls settled by a reply',
    evaluate: ({ counters, acceptedReplies, answeredTwice, answeredTwiceExamples, badInputRejected }) => {
      // Error replies to deliberately malformed requests settle their calls too.
      const settledByReply = counters.answered + counters.remoteErrors + badInputRejected;
      const examples = answeredTwiceExamples.length > 0 ? ` (e.g. ${answeredTwiceExamples.join(', ')})` : '';
      return {
        passed: answeredTwice === 0 && acceptedReplies === settledByReply,
        actual:
          `calls that accepted a second reply ${answeredTwice}${examples}, replies accepted ${acceptedReplies}, ` +
          `calls settled by a reply ${settledByReply}`,
      };
    },
  },
  {
    id: 'calls-answered',
    title: 'Calls were answered',
    expectation: 'answered >= 1',
    evaluate: ({ counters }) => ({
      passed: counters.answered >= 1,
      actual: `answered ${counters.answered} of ${counters.sent} sent`,
    }),
  },
  {
    id: 'results-correct',
    title: 'Every successful result equals fib(n)',
    expectation: 'wrong results = 0 and correct = answered',
    evaluate: ({ counters }) => ({
      passed: counters.wrongResult === 0 && counters.correct === counters.answered,
      actual: `answered ${counters.answered}, correct ${counters.correct}, wrong ${counters.wrongResult}`,
    }),
  },
  {
    id: 'no-bad-replies',
    title: 'Every reply was a number or an error reply',
    expectation: 'bad replies (a body neither a decimal integer nor an x-error reply) = 0',
    evaluate: ({ counters }) => ({
      passed: (counters.badReplies ?? 0) === 0,
      actual:
        counters.badReplies === undefined
          ? 'not counted (a result from before bad replies were counted)'
          : `bad replies ${counters.badReplies}`,
    }),
  },
  {
    id: 'no-cross-resolution',
    title: 'No reply resolved a call with another correlation id',
    expectation: 'calls resolved by a reply carrying another correlation id = 0',
    evaluate: ({ counters, crossResolutionExamples = [] }) => ({
      passed: counters.mismatchedCorrelation === 0,
      actual:
        `mismatched correlation ids ${counters.mismatchedCorrelation}` +
        `${crossResolutionExamples.length > 0 ? `: ${crossResolutionExamples.join('; ')}` : ''}`,
    }),
  },
  {
    id: 'calls-accounted',
    title: 'Every call accounted for, none lost',
    expectation:
      'answered + timed out + errored = sent, and at least one call sent ' +
      '(calls the client could not publish are counted apart, as not sent)',
    evaluate: ({ counters }) => {
      const errored = counters.remoteErrors + counters.connectionLost + counters.otherErrors;
      const settled = counters.answered + counters.timedOut + errored;
      const notSent = counters.notSent ? `; not sent (not connected) ${counters.notSent}` : '';
      return {
        passed: counters.sent > 0 && settled === counters.sent,
        actual:
          `sent ${counters.sent}, answered ${counters.answered}, timed out ${counters.timedOut}, errored ${errored} ` +
          `(remote ${counters.remoteErrors}, connection lost ${counters.connectionLost}, ` +
          `other ${counters.otherErrors})${notSent}`,
      };
    },
  },
  // Before faults-fired: a client that died on a stale reply also stops the call count that later faults wait for.
  keptWorkingAfterStaleReplies,
  {
    id: 'faults-fired',
    title: 'Every scheduled fault actually happened',
    expectation: 'fired faults = scheduled faults',
    evaluate: ({ faults }) => {
      const missed = faults.filter((fault) => !fault.fired);
      return {
        passed: missed.length === 0,
        actual:
          `${faults.length - missed.length} of ${faults.length} fired` +
          `${missed.length ? `; did not fire: ${missed.map((f) => f.description).join('; ')}` : ''}`,
      };
    },
  },
  offeredLoadDelivered,
  requestsHandledMatchSent,
];
