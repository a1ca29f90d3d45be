import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrivateRabbitNode, type StartedPrivateRabbitNode } from '../../harness/env/broker/private-rabbit-node.ts';
import noReply from '../no-reply.ts';
import { pendingLeakClient } from './negative-controls/index.ts';
import { explain, failedChecks, runForTest } from './run-for-test.ts';

/**
 * no-reply on one private node: the servers consume and ack but stay silent for 12 s. The
 * built-in client ends every call by its timeout and keeps nothing; a client that forgets its
 * timed-out calls in its pending table (rabbot#8) fails on its pending count and its memory.
 */
let node: StartedPrivateRabbitNode;

describe('servers that consume and ack but never reply', { timeout: 240_000 }, () => {
  beforeAll(async () => {
    node = await new PrivateRabbitNode().withStartTimeout(90_000).start();
  }, 100_000);
  afterAll(async () => {
    await node?.stop();
  });

  it('the built-in client ends every call by its timeout, drains its pending calls and stays bounded', async () => {
    const result = await runForTest(node, noReply);
    expect(result.verdict, explain(result)).toBe('pass');
    const silence = result.faults.find((fault) => fault.kind === 'servers-stop-replying')!;
    expect(silence.fired).toBe(true);
    expect(silence.endMs! - silence.startMs!).toBeGreaterThanOrEqual(12_000);
    // The servers did consume and ack what they did not answer.
    expect(result.counters.timedOut).toBeGreaterThan(400);
    expect(result.counters.serverHandled).toBeGreaterThan(result.counters.answered);
    const memory = result.checks.find((check) => check.id === 'client-memory-bounded')!;
    expect(memory.actual).toMatch(/client-1: [\d.]+ MB at 6\.0 s-10\.0 s, [\d.]+ MB at the end/);
    expect(memory.actual).toMatch(/client-2: /);
  });

  it('the Python reference client passes against the built-in servers, its pending calls seen at the line protocol', async () => {
    const driver = new URL('../implementations/python/rpc_client_driver.py', import.meta.url).pathname;
    const result = await runForTest(node, noReply, { overrides: { clientCommand: `/usr/bin/python3 ${driver}` } });
    expect(result.verdict, explain(result)).toBe('pass');
    const pending = result.checks.find((check) => check.id === 'pending-calls-drained')!.actual;
    expect(pending).toContain('client-1: 0 pending (calls never answered, as the line protocol shows)');
    expect(result.checks.find((check) => check.id === 'calls-end-by-timeout')!.actual).toMatch(
      /^longest call [\d.]+ s, none past /,
    );
  });

  it('FAILS a client that never removes a timed-out call from its pending table (negative control)', async () => {
    const result = await runForTest(node, noReply, { client: pendingLeakClient() });
    expect(result.verdict, explain(result)).toBe('fail');
    expect(failedChecks(result)).toEqual(expect.arrayContaining(['pending-calls-drained', 'client-memory-bounded']));
    // Its calls still end by their timeout: only what it keeps afterwards is wrong.
    expect(failedChecks(result)).not.toContain('calls-end-by-timeout');
    const pending = result.checks.find((check) => check.id === 'pending-calls-drained')!.actual;
    const held = [...pending.matchAll(/client-\d: still held (\d+) pending calls after its load ended/g)];
    expect(held, pending).toHaveLength(2);
    for (const [, count] of held) expect(Number(count)).toBeGreaterThan(200);
    const memory = result.checks.find((check) => check.id === 'client-memory-bounded')!.actual;
    expect(memory).toMatch(/client-1: .*grew more than 10 %/);
  });
});
