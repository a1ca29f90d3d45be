import type { CheckResult, Counters, FaultRecord } from '../report/result-schema.ts';

/** What checks look at: the merged counters and the faults as they actually happened. */
export interface CheckInput {
  readonly counters: Counters;
  readonly faults: readonly FaultRecord[];
  /** Replies clients accepted, and calls that settled twice (a correct client: zero). */
  readonly acceptedReplies: number;
  readonly settledTwice: number;
  readonly badInputSent: number;
  readonly badInputRejected: number;
  /** Latency p50 in ms of answered calls, for the latency scenario. */
  readonly latencyP50Ms: number | undefined;
  /** Calls answered after the last fault ended: the system recovered. */
  readonly answeredAfterLastFault: number;
}

export interface Check {
  readonly id: string;
  readonly title: string;
  readonly expectation: string;
  evaluate(input: CheckInput): { passed: boolean; actual: string };
}

export function runChecks(checks: readonly Check[], input: CheckInput): CheckResult[] {
  return checks.map((check) => {
    const { passed, actual } = check.evaluate(input);
    return { id: check.id, title: check.title, passed, expectation: check.expectation, actual };
  });
}

/** The invariants every scenario checks, whatever its faults. */
export const CORE_CHECKS: readonly Check[] = [
  {
    id: 'answered-at-most-once',
    title: 'Each call resolved at most once',
    expectation: 'no call settled twice, and every reply a client accepted settled a distinct call',
    evaluate: ({ counters, acceptedReplies, settledTwice, badInputRejected }) => {
      // Error replies to deliberately malformed requests settle their calls too.
      const settledByReply = counters.answered + counters.remoteErrors + badInputRejected;
      return {
        passed: settledTwice === 0 && acceptedReplies === settledByReply,
        actual: `settled twice ${settledTwice}, replies accepted ${acceptedReplies}, calls settled by a reply ${settledByReply}`,
      };
    },
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
    id: 'no-cross-resolution',
    title: 'No reply resolved a call with another correlation id',
    expectation: 'calls resolved by a reply carrying another correlation id = 0',
    evaluate: ({ counters }) => ({
      passed: counters.mismatchedCorrelation === 0,
      actual: `mismatched correlation ids ${counters.mismatchedCorrelation}`,
    }),
  },
  {
    id: 'calls-accounted',
    title: 'Every call accounted for, none lost',
    expectation: 'answered + timed out + errored = sent, and at least one call sent',
    evaluate: ({ counters }) => {
      const errored = counters.remoteErrors + counters.connectionLost + counters.otherErrors;
      const settled = counters.answered + counters.timedOut + errored;
      return {
        passed: counters.sent > 0 && settled === counters.sent,
        actual: `sent ${counters.sent}, answered ${counters.answered}, timed out ${counters.timedOut}, errored ${errored} (remote ${counters.remoteErrors}, connection lost ${counters.connectionLost}, other ${counters.otherErrors})`,
      };
    },
  },
  {
    id: 'faults-fired',
    title: 'Every scheduled fault actually happened',
    expectation: 'fired faults = scheduled faults',
    evaluate: ({ faults }) => {
      const missed = faults.filter((fault) => !fault.fired);
      return {
        passed: missed.length === 0,
        actual: `${faults.length - missed.length} of ${faults.length} fired${missed.length ? `; did not fire: ${missed.map((f) => f.description).join('; ')}` : ''}`,
      };
    },
  },
];
