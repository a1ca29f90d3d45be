import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrivateRabbitNode, type StartedPrivateRabbitNode } from '../../env/broker/private-rabbit-node.ts';
import { applyOverrides } from '../../scenario/apply-overrides.ts';
import baseline from '../../../scenarios/baseline.ts';
import badInput from '../../../scenarios/bad-input.ts';
import duplicateReply from '../../../scenarios/duplicate-reply.ts';
import lateReply from '../../../scenarios/late-reply.ts';
import { explain, failedChecks, runForTest } from '../../../scenarios/test/run-for-test.ts';
import { tsCommand } from './run-cli.ts';

let node: StartedPrivateRabbitNode;
const fixture = (name: string) => `${process.execPath} ${new URL(`./fixtures/${name}`, import.meta.url).pathname}`;
// The built-in server as a black box: the harness reaches it only through its command line and the frame tap.
const serverCommand = (confirm: boolean) => tsCommand('harness/rpc/bin/rpc-server.ts', `--queue "$RPC_QUEUE" --prefetch 10${confirm ? ' --confirm' : ''}`);

describe('external clients given by --client-cmd, and black-box servers and clients through the fault scenarios', { timeout: 240_000 }, () => {
  beforeAll(async () => {
    node = await new PrivateRabbitNode({ startTimeoutMs: 120_000 }).start();
  }, 150_000);
  afterAll(async () => {
    await node?.stop();
  });

  it('a correct client: the harness drives the load over stdin/stdout, every call answered with its own fib(n)', async () => {
    const result = await runForTest(node, baseline, { overrides: { durationMs: 3_000, clients: 1, clientCommand: fixture('line-client.mjs') } });
    expect(result.verdict, explain(result)).toBe('pass');
    expect(result.counters.answered).toBeGreaterThan(50);
    expect(result.counters.correct).toBe(result.counters.answered);
    expect(result.latency.summary.count).toBe(result.counters.answered);
    expect(result.checks.find((check) => check.id === 'client-protocol-followed')?.actual).toBe('protocol violations 0');
  });

  it('duplicate-reply FAILS with a naive client that ignores correlation ids, naming the cross-resolved call', async () => {
    const result = await runForTest(node, duplicateReply, { overrides: { concurrency: 16, clientCommand: fixture('naive-line-client.mjs') } });
    expect(result.verdict).toBe('fail');
    expect(failedChecks(result)).toContain('no-cross-resolution');
    const check = result.checks.find((c) => c.id === 'no-cross-resolution');
    expect(check?.actual).toMatch(/call \d+ was resolved with the reply meant for call \d+/);
    expect(result.timeline.events.some((event) => /call \d+ was resolved with the reply meant for call \d+/.test(event.detail ?? ''))).toBe(true);
  });

  it('a client that prints garbage, answers ids it was never given and answers twice: each break is named, the run completes', async () => {
    const result = await runForTest(node, baseline, { overrides: { durationMs: 2_000, clients: 1, clientCommand: fixture('garbage-line-client.mjs') } });
    expect(result.verdict, explain(result)).toBe('fail');
    expect(result.harnessErrors).toEqual([]);
    const protocol = result.checks.find((check) => check.id === 'client-protocol-followed');
    expect(protocol?.passed).toBe(false);
    expect(protocol?.actual).toMatch(/malformed-json [1-9]/);
    expect(protocol?.actual).toMatch(/unknown-id [1-9]/);
    expect(protocol?.actual).toMatch(/answered-twice [1-9]/);
    expect(failedChecks(result)).toContain('answered-at-most-once');
    expect(result.checks.find((check) => check.id === 'answered-at-most-once')?.actual).toMatch(/e\.g\. call \d+/);
  });

  it('duplicate-reply: the tap kills servers between reply and ack, counts the redeliveries and the duplicates that reached the client', async () => {
    const result = await runForTest(node, duplicateReply, {
      overrides: { serverCommand: serverCommand(true), clientCommand: fixture('line-client.mjs') },
    });
    expect(result.verdict, explain(result)).toBe('pass');
    expect(result.faults.filter((fault) => fault.kind === 'kill-server-at-fault-point' && fault.fired)).toHaveLength(2);
    expect(result.counters.serverKills).toBe(2);
    expect(result.counters.redelivered).toBeGreaterThanOrEqual(2);
    expect(result.counters.discarded.duplicate).toBeGreaterThanOrEqual(2);
    expect(result.counters.wrongResult).toBe(0);
  });

  it('late-reply: replies slowed past the timeout reach the client late, and no call is resolved by another call\'s reply', async () => {
    const result = await runForTest(node, lateReply, {
      overrides: { serverCommand: serverCommand(false), clientCommand: fixture('line-client.mjs') },
    });
    expect(result.verdict, explain(result)).toBe('pass');
    expect(result.counters.timedOut).toBeGreaterThanOrEqual(1);
    expect(result.counters.discarded.late).toBeGreaterThanOrEqual(1);
    expect(result.counters.mismatchedCorrelation).toBe(0);
  });

  it('scenarios an external client cannot run are refused before anything starts', () => {
    const { errors } = applyOverrides(badInput, { clientCommand: 'true' });
    expect(errors.join('\n')).toContain('badInputEvery sends malformed request bodies, which the client line protocol cannot ask for');
    const tooManyInFlight = applyOverrides(baseline, { concurrency: 200, clientCommand: 'true' });
    expect(tooManyInFlight.errors.join('\n')).toContain('maxN (90) must be >= calls in flight (200) + 2');
  });
});
