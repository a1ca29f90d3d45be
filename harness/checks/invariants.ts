import type { CheckResult, Counters, FaultRecord, OfferedLoad } from '../model/result-schema.ts';
import { offeredLoadDelivered } from './offered-load.ts';
import { requestsHandledMatchSent, type RequestAccounting } from './request-accounting.ts';
import type { RequestLoss } from './request-loss.ts';

/** What checks look at: the merged counters and the faults as they actually happened. */
export interface CheckInput {
  readonly counters: Counters;
  readonly faults: readonly FaultRecord[];
  /** Processes the scenario runs (before kills and restarts). */
  readonly topology: { readonly clients: number; readonly servers: number };
  /** Replies clients accepted for a call (resolved or rejected it with), counted where the harness sees them. */
  readonly acceptedReplies: number;
  /** Calls for which a client accepted a second reply (a correct client: zero), with some of their ids. */
  readonly answeredTwice: number;
  readonly answeredTwiceExamples: readonly string[];
  readonly badInputSent: number;
  readonly badInputRejected: number;
  /** Latency p50 in ms of answered calls, for the latency scenario. */
  readonly latencyP50Ms: number | undefined;
  /** Calls answered after the last fault ended: the system recovered. */
  readonly answeredAfterLastFault: number;
  /** "call X was resolved with the reply meant for call Y", where the harness can tell (external clients). */
  readonly crossResolutionExamples?: readonly string[];
  /** What the load generators offered; undefined when no client reported it. */
  readonly offeredLoad: OfferedLoad | undefined;
  /** Requests sent against requests handled, by id; undefined when a client did not report. */
  readonly requestAccounting: RequestAccounting | undefined;
  /** With publisher confirms on requests: confirmed requests against what became of them. */
  readonly requestLoss?: RequestLoss;
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
    title: 'Each call accepted at most one reply',
    expectation: 'calls that accepted a second reply = 0, and replies accepted = calls settled by a reply',
    evaluate: ({ counters, acceptedReplies, answeredTwice, answeredTwiceExamples, badInputRejected }) => {
      // Error replies to deliberately malformed requests settle their calls too.
      const settledByReply = counters.answered + counters.remoteErrors + badInputRejected;
      const examples = answeredTwiceExamples.length > 0 ? ` (e.g. ${answeredTwiceExamples.join(', ')})` : '';
      return {
        passed: answeredTwice === 0 && acceptedReplies === settledByReply,
        actual: `calls that accepted a second reply ${answeredTwice}${examples}, replies accepted ${acceptedReplies}, calls settled by a reply ${settledByReply}`,
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
    id: 'no-cross-resolution',
    title: 'No reply resolved a call with another correlation id',
    expectation: 'calls resolved by a reply carrying another correlation id = 0',
    evaluate: ({ counters, crossResolutionExamples = [] }) => ({
      passed: counters.mismatchedCorrelation === 0,
      actual: `mismatched correlation ids ${counters.mismatchedCorrelation}${crossResolutionExamples.length > 0 ? `: ${crossResolutionExamples.join('; ')}` : ''}`,
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
  offeredLoadDelivered,
  requestsHandledMatchSent,
];
