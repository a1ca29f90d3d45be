import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrivateRabbitNode, type StartedPrivateRabbitNode } from '../../harness/env/broker/private-rabbit-node.ts';
import badInput from '../bad-input.ts';
import baseline from '../baseline.ts';
import crashBeforeReply from '../crash-before-reply.ts';
import duplicateReply from '../duplicate-reply.ts';
import { acceptAgainClient, anyReplyClient, dyingClient } from './negative-controls/index.ts';
import { explain, failedChecks, runForTest } from './run-for-test.ts';

let node: StartedPrivateRabbitNode;

describe('scenarios with process faults', { timeout: 120_000 }, () => {
  beforeAll(async () => {
    node = await new PrivateRabbitNode().start();
  });
  afterAll(async () => {
    await node?.stop();
  });

  it('duplicate-reply: each kill between reply and ack yields a duplicate that the client discards', async () => {
    const result = await runForTest(node, duplicateReply);
    expect(result.verdict, explain(result)).toBe('pass');
    expect(result.faults.every((fault) => fault.fired)).toBe(true);
    expect(result.counters.serverKills).toBe(2);
    expect(result.counters.discarded.duplicate).toBeGreaterThanOrEqual(2);
    expect(result.counters.redelivered).toBeGreaterThanOrEqual(2);
    expect(result.counters.wrongResult).toBe(0);
    expect(result.counters.answered).toBe(result.counters.sent);
    const trace = result.traces.duplicateReplyTrace ?? [];
    expect(trace.some((span) => span.name === 'rpc reply discarded')).toBe(true);
    expect(trace.some((span) => span.name === `${result.config.queue} process` && span.status === 'error')).toBe(true);
    expect(new Set(trace.map((span) => span.traceId)).size).toBe(1);
    expect(
      result.timeline.events.some((event) => event.kind === 'discard-duplicate' && event.traceId === trace[0]?.traceId),
    ).toBe(true);
    const keptWorking = result.checks.find((check) => check.id === 'kept-working-after-stale-replies');
    expect(keptWorking?.actual).toMatch(
      /^client-1: \d+ stale replies \(duplicate \d+\), calls after each as successful/,
    );
  });

  it(
    'duplicate-reply FAILS kept-working-after-stale-replies with a client that closes on its first ' +
      'discarded duplicate (negative control), naming the duplicate and the first call that failed',
    async () => {
      const result = await runForTest(node, duplicateReply, { client: dyingClient() });
      expect(result.verdict, explain(result)).toBe('fail');
      expect(failedChecks(result)).toContain('kept-working-after-stale-replies');
      expect(result.checks.find((check) => check.id === 'kept-working-after-stale-replies')?.actual).toMatch(
        new RegExp(
          String.raw`^client-1: after a duplicate reply discarded by client-1 at [\d.]+ s .*` +
            String.raw`first failed call after it: .*RPC client is closed`,
        ),
      );
      // The built-in wing groups its failed calls by error text too.
      const closed = result.errorGroups?.groups.find((group) => group.example.startsWith('RPC client is closed'));
      expect(closed?.process).toBe('client-1');
      expect(closed?.pattern).toBe('RPC client is closed: it threw on the duplicate reply <id>.#');
      expect(closed?.count).toBeGreaterThan(100);
    },
  );

  it('duplicate-reply FAILS with a naive client that accepts any reply (negative control)', async () => {
    const result = await runForTest(node, duplicateReply, { overrides: { concurrency: 16 }, client: anyReplyClient() });
    expect(result.verdict).toBe('fail');
    expect(failedChecks(result)).toContain('no-cross-resolution');
    expect(failedChecks(result)).toContain('results-correct');
  });

  it(
    'duplicate-reply FAILS answered-at-most-once ' +
      'with a client that accepts a duplicate reply again (negative control)',
    async () => {
      const result = await runForTest(node, duplicateReply, { client: acceptAgainClient() });
      expect(result.verdict, explain(result)).toBe('fail');
      expect(failedChecks(result)).toContain('answered-at-most-once');
      const check = result.checks.find((c) => c.id === 'answered-at-most-once');
      expect(check?.actual).toMatch(/calls that accepted a second reply [1-9]/);
    },
  );

  it('crash-before-reply: the redelivered request is answered exactly once, nothing lost', async () => {
    const result = await runForTest(node, crashBeforeReply);
    expect(result.verdict, explain(result)).toBe('pass');
    expect(result.counters.redelivered).toBeGreaterThanOrEqual(1);
    expect(result.counters.discarded.duplicate).toBe(0);
    expect(result.counters.answered).toBe(result.counters.sent);
  });

  it('bad-input: malformed bodies get error replies and the servers keep serving', async () => {
    const result = await runForTest(node, badInput);
    expect(result.verdict, explain(result)).toBe('pass');
    expect(result.counters.badRequests).toBeGreaterThan(0);
    expect(result.counters.answered).toBe(result.counters.sent);
  });

  it('baseline: no faults, every call answered correctly', async () => {
    const result = await runForTest(node, baseline, { overrides: { durationMs: 2_000 } });
    expect(result.verdict, explain(result)).toBe('pass');
    expect(result.counters.answered).toBeGreaterThan(100);
    expect(result.counters.correct).toBe(result.counters.answered);
    expect(result.latency.summary.count).toBe(result.counters.answered);
    expect(result.throughput.callsPerSec).toBeGreaterThan(0);
  });
});
