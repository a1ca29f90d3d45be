import type { Counters, FaultRecord } from '../../model/result-schema.ts';
import type { CheckInput } from '../../model/check.ts';

/** A check input of a clean run (500 calls, all answered correctly), for check tests to spoil. */
export function cleanRunInput(
  overrides: Partial<Omit<CheckInput, 'counters'>> & { counters?: Partial<Counters> } = {},
): CheckInput {
  const counters: Counters = {
    sent: 500,
    answered: 500,
    correct: 500,
    wrongResult: 0,
    mismatchedCorrelation: 0,
    timedOut: 0,
    remoteErrors: 0,
    connectionLost: 0,
    otherErrors: 0,
    dropped: 0,
    discarded: { duplicate: 0, late: 0, unknown: 0 },
    redelivered: 0,
    serverHandled: 500,
    badRequests: 0,
    serverKills: 0,
    serverRestarts: 0,
    brokerRestarts: 0,
    reconnects: 0,
    ...overrides.counters,
  };
  return {
    faults: [],
    topology: { clients: 1, servers: 2 },
    acceptedReplies: counters.answered + counters.remoteErrors,
    answeredTwice: 0,
    answeredTwiceExamples: [],
    badInputSent: 0,
    badInputRejected: 0,
    latencyP50Ms: 2,
    answeredAfterLastFault: counters.answered,
    offeredLoad: {
      executor: 'constant-arrival-rate',
      targetPerSec: 100,
      achievedPerSec: 99.9,
      due: 500,
      started: 500,
      dropped: 0,
      droppedShare: 0,
      scheduleMs: 5_004,
      undeliveredAccepted: false,
    },
    requestAccounting: {
      published: counters.sent,
      handled: counters.sent,
      handledNotSent: { count: 0, examples: [] },
      sentNotHandled: { count: 0, examples: [] },
      excused: 0,
      queuedAtStop: 0,
    },
    ...overrides,
    counters,
  };
}

export function fault(
  kind: string,
  fired = true,
  times: { startMs?: number; endMs?: number } = { startMs: 1_000, endMs: 1_500 },
): FaultRecord {
  return {
    id: `${kind}-1`,
    kind,
    target: 'server-1',
    description: `${kind} of server-1`,
    trigger: 'at 1s',
    fired,
    ...times,
  };
}
