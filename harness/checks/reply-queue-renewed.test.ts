import { describe, expect, it } from 'vitest';
import type { FaultRecord, TimelineEvent } from '../model/result-schema.ts';
import type { CallsInInterval, ClientStaleReplies } from '../model/stale-replies.ts';
import { clientsAfterCut, replyQueueRenewed } from './reply-queue-renewed.ts';
import { cleanRunInput } from './test/check-input-fixture.ts';

const INTERVAL_MS = 250;
const TIMEOUT_MS = 1_500;
const cut: FaultRecord = {
  id: 'fault-2',
  kind: 'close-connections',
  target: 'proxy clients',
  description: 'close every connection through the clients proxy',
  trigger: 'at 3.0 s',
  fired: true,
  startMs: 3_000,
  endMs: 3_010,
};

/** 40 intervals (10 s) of 12 calls; `succeededAt` says how many of each succeeded. */
function calls(succeededAt: (tMs: number) => number): CallsInInterval[] {
  return Array.from({ length: 40 }, (_, index) => {
    const tMs = index * INTERVAL_MS;
    return { tMs, succeeded: succeededAt(tMs), failed: 12 - succeededAt(tMs) };
  });
}

function client(succeededAt: (tMs: number) => number): ClientStaleReplies {
  return {
    process: 'client-1',
    seenBy: 'client',
    staleReplies: [],
    staleRepliesCounted: 0,
    calls: calls(succeededAt),
    intervalMs: INTERVAL_MS,
    failures: [],
    errorGroups: [],
  };
}

const atCut: TimelineEvent[] = [
  { tMs: 3_004, process: 'client-1', kind: 'connection-lost', detail: 'CONNECTION_FORCED' },
  { tMs: 3_004, process: 'client-1', kind: 'error', detail: 'connection to the broker was lost before call …' },
  { tMs: 3_190, process: 'client-1', kind: 'reconnect' },
];

const judge = (clients: ClientStaleReplies[], timeline: TimelineEvent[], mismatchedCorrelation = 0) =>
  replyQueueRenewed(TIMEOUT_MS).evaluate(
    cleanRunInput({ faults: [cut], staleReplyClients: clients, timeline, counters: { mismatchedCorrelation } }),
  );

describe('reply-queue-renewed', () => {
  it('passes a client whose calls after its reconnect succeed', () => {
    const result = judge([client((tMs) => (tMs >= 2_750 && tMs < 3_250 ? 6 : 12))], atCut);
    expect(result).toEqual({
      passed: true,
      actual:
        'client-1: connection cut at 3.00 s, reconnected at 3.19 s; calls failed within a timeout of the cut: ' +
        "0 timed out, 1 errored; of the calls it started from 3.25 s, 324 of 324 succeeded (100 %); calls resolved by another call's reply 0",
    });
  });

  it('fails a client that reconnected but gets no reply any more (it sends the old reply_to)', () => {
    const result = judge([client((tMs) => (tMs < 3_000 ? 12 : 0))], atCut);
    expect(result.passed).toBe(false);
    expect(result.actual).toMatch(
      /of the calls it started from 3\.25 s, 0 of 324 succeeded \(0 %\): replies to them never arrived/,
    );
  });

  it('fails a client that never reconnected, and a run in which a reply resolved another call', () => {
    expect(judge([client(() => 12)], atCut.slice(0, 2)).actual).toMatch(
      /^client-1: connection cut at 3\.00 s, never reconnected/,
    );
    expect(judge([client(() => 12)], atCut, 1)).toMatchObject({ passed: false });
  });

  it('counts only calls started in intervals after the reconnect, and the failures within a timeout of the cut', () => {
    const [after] =
      clientsAfterCut({ faults: [cut], staleReplyClients: [client(() => 12)], timeline: atCut }, TIMEOUT_MS) ?? [];
    expect(after).toEqual({
      process: 'client-1',
      cutMs: 3_000,
      reconnectMs: 3_190,
      after: { fromMs: 3_250, succeeded: 27 * 12, failed: 0 },
      failedAtCut: { timedOut: 0, errored: 1 },
    });
  });

  it('is not judged without a cut of the clients', () => {
    const result = replyQueueRenewed(TIMEOUT_MS).evaluate(cleanRunInput({ faults: [], timeline: [] }));
    expect(result).toEqual({ passed: true, actual: "not judged: no cut of the clients' connections" });
  });
});
