import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrivateRabbitNode, type StartedPrivateRabbitNode } from '../../harness/env/broker/private-rabbit-node.ts';
import brokerRestart from '../broker-restart.ts';
import connectionReset from '../connection-reset.ts';
import lateReply from '../late-reply.ts';
import latency from '../latency.ts';
import partition from '../partition.ts';
import { anyReplyClient } from './negative-controls/index.ts';
import { explain, failedChecks, runForTest } from './run-for-test.ts';

let node: StartedPrivateRabbitNode;

describe('scenarios with network and broker faults', { timeout: 120_000 }, () => {
  beforeAll(async () => {
    node = await new PrivateRabbitNode().start();
  });
  afterAll(async () => {
    await node?.stop();
  });

  it('late-reply: replies slower than the timeout are discarded as stale', async () => {
    const result = await runForTest(node, lateReply);
    expect(result.verdict, explain(result)).toBe('pass');
    expect(result.counters.timedOut).toBeGreaterThanOrEqual(1);
    expect(result.counters.discarded.late).toBeGreaterThanOrEqual(1);
    expect(result.counters.mismatchedCorrelation).toBe(0);
    // The timeouts before and after the late replies are the slow server's: the client kept working.
    expect(result.checks.find((check) => check.id === 'kept-working-after-stale-replies')?.actual).toMatch(
      /^client-1: \d+ stale repl(y|ies) \(late \d+\), calls after each as successful as before/,
    );
  });

  it('late-reply FAILS with a naive client that accepts any reply (negative control)', async () => {
    const result = await runForTest(node, lateReply, { client: anyReplyClient() });
    expect(result.verdict).toBe('fail');
    expect(failedChecks(result)).toContain('no-cross-resolution');
  });

  it('latency: the client measures the injected latency', async () => {
    const result = await runForTest(node, latency);
    expect(result.verdict, explain(result)).toBe('pass');
    expect(result.latency.summary.p50).toBeGreaterThanOrEqual(100);
    expect(result.latency.summary.p50).toBeLessThan(200); // the latency applied or counted twice
  });

  it('partition: calls time out or recover, none answered twice or wrong', async () => {
    const result = await runForTest(node, partition);
    expect(result.verdict, explain(result)).toBe('pass');
    expect(result.counters.timedOut + result.counters.connectionLost + result.counters.otherErrors).toBeGreaterThan(0);
    expect(result.counters.wrongResult).toBe(0);
  });

  it('connection-reset: both sides reconnect and calls succeed again', async () => {
    const result = await runForTest(node, connectionReset);
    expect(result.verdict, explain(result)).toBe('pass');
    expect(result.counters.reconnects).toBeGreaterThanOrEqual(2);
  });

  it('broker-restart: pending calls fail clearly, both sides reconnect, calls succeed again', async () => {
    const result = await runForTest(node, brokerRestart);
    expect(result.verdict, explain(result)).toBe('pass');
    expect(result.counters.brokerRestarts).toBe(1);
    expect(result.timeline.events.some((event) => event.kind === 'broker-restart')).toBe(true);
    // Calls taken while the client reconnected were never published: counted apart, not as sent.
    const c = result.counters;
    expect(c.notSent, 'calls not sent while reconnecting').toBeGreaterThan(0);
    expect(c.answered + c.timedOut + c.remoteErrors + c.connectionLost + c.otherErrors).toBe(c.sent);
    const notSentErrors = result.timeline.events.filter((e) => e.detail?.startsWith('not connected'));
    expect(notSentErrors.length).toBeGreaterThan(0);
  });
});
