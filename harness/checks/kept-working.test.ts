import { describe, expect, it } from 'vitest';
import type { CallsInInterval, ClientStaleReplies } from '../model/stale-replies.ts';
import { keptWorkingAfterStaleReplies } from './kept-working.ts';
import { cleanRunInput, fault } from './test/check-input-fixture.ts';

const INTERVAL_MS = 250;

/** 20 intervals of 25 calls each (5 s at 100/s); `succeededAt` says how many of each interval's calls succeeded. */
function calls(succeededAt: (tMs: number) => number): CallsInInterval[] {
  return Array.from({ length: 20 }, (_, index) => {
    const tMs = index * INTERVAL_MS;
    const succeeded = succeededAt(tMs);
    return { tMs, succeeded, failed: 25 - succeeded };
  });
}

function client(overrides: Partial<ClientStaleReplies>): ClientStaleReplies {
  return {
    process: 'client-1',
    seenBy: 'frame tap',
    staleReplies: [{ tMs: 938, kind: 'duplicate', correlationId: 'c-94' }],
    staleRepliesCounted: 1,
    calls: calls(() => 25),
    intervalMs: INTERVAL_MS,
    failures: [],
    errorGroups: [],
    ...overrides,
  };
}

const kill = (startMs: number, endMs: number) => fault('kill-server-at-fault-point', true, { startMs, endMs });
const judge = (clients: ClientStaleReplies[], faults = [kill(925, 1_454)]) =>
  keptWorkingAfterStaleReplies.evaluate(cleanRunInput({ staleReplyClients: clients, faults }));

describe('kept-working-after-stale-replies', () => {
  it('passes a client that dropped the duplicate and kept answering', () => {
    const result = judge([client({})]);
    expect(result.passed).toBe(true);
    expect(result.actual).toMatch(/^client-1: 1 stale reply \(duplicate 1\), calls after each as successful as before/);
  });

  it('fails a client that died on the duplicate, naming the reply, the first failed call and its error', () => {
    const dying = client({
      calls: calls((tMs) => (tMs < 750 ? 25 : tMs < 1_000 ? 10 : 0)),
      failures: [{ tMs: 950, text: 'call 95 (fib(95)) failed in the client: RPC channel is closed' }],
    });
    const result = judge([dying]);
    expect(result.passed).toBe(false);
    expect(result.actual).toContain('after a duplicate reply delivered to client-1 at 0.938 s (correlation id c-94)');
    expect(result.actual).toContain(
      'first failed call after it: at 0.950 s (12 ms after it): ' +
        '"call 95 (fib(95)) failed in the client: RPC channel is closed"',
    );
    expect(result.actual).toMatch(/succeeded, against 100 % \(\d+ of \d+\) before/);
  });

  it("names the built-in client's reply as discarded, and falls back on the error groups for the failure", () => {
    const dying = client({
      seenBy: 'client',
      calls: calls((tMs) => (tMs < 1_000 ? 25 : 0)),
      errorGroups: [{ example: 'channel closed', count: 400, firstTMs: 1_000 }],
    });
    const result = judge([dying]);
    expect(result.passed).toBe(false);
    expect(result.actual).toContain('duplicate reply discarded by client-1');
    expect(result.actual).toContain('at 1.000 s (62 ms after it): "channel closed"');
  });

  it("passes late replies during a slow-server fault: failures before and after the reply are the fault's", () => {
    // late-reply as the built-in client measured it: calls started 1.0-2.0 s timed out, late replies from 1.9 s.
    const slowServer = client({
      seenBy: 'client',
      staleReplies: [1_918, 1_939, 2_200, 2_600].map((tMs) => ({ tMs, kind: 'late' as const })),
      staleRepliesCounted: 4,
      calls: calls((tMs) => (tMs >= 1_000 && tMs < 2_000 ? 0 : 25)),
    });
    expect(judge([slowServer], [fault('toxic', true, { startMs: 1_000, endMs: 2_518 })]).passed).toBe(true);
  });

  it('does not blame a reply for the failures of a later fault', () => {
    // The reply at 0.9 s; the client lost its connection to a fault at 3 s and never came back.
    const laterOutage = client({ calls: calls((tMs) => (tMs < 3_000 ? 25 : 0)) });
    expect(judge([laterOutage], [kill(900, 950), fault('close-connections', true, { startMs: 3_000 })]).passed).toBe(
      true,
    );
  });

  it('judges each client on its own calls', () => {
    const healthy = client({ process: 'client-2' });
    const dying = client({ calls: calls((tMs) => (tMs < 1_000 ? 25 : 0)) });
    const result = judge([healthy, dying]);
    expect(result.passed).toBe(false);
    expect(result.actual).toMatch(/^client-1: after a duplicate reply/);
    expect(result.actual).not.toContain('client-2');
  });

  it('passes and says so when no stale reply reached a client', () => {
    expect(judge([client({ staleReplies: [], staleRepliesCounted: 0 })])).toEqual({
      passed: true,
      actual: 'no stale reply reached a client',
    });
  });

  it('does not judge a reply with too few calls after it', () => {
    const result = judge([client({ calls: calls((tMs) => (tMs < 1_000 ? 25 : 0)).slice(0, 3) })]);
    expect(result).toEqual({
      passed: true,
      actual: 'client-1: 1 stale reply (duplicate 1), not judged (fewer than 5 calls after each)',
    });
  });
});
