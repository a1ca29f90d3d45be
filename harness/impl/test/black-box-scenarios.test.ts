import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrivateRabbitNode, type StartedPrivateRabbitNode } from '../../env/broker/private-rabbit-node.ts';
import duplicateReply from '../../../scenarios/duplicate-reply.ts';
import lateReply from '../../../scenarios/late-reply.ts';
import { explain, runForTest } from '../../../scenarios/test/run-for-test.ts';
import { tsCommand } from './run-cli.ts';

let node: StartedPrivateRabbitNode;
const fixture = (name: string) => `${process.execPath} ${new URL(`./fixtures/${name}`, import.meta.url).pathname}`;
// The built-in server as a black box: the harness reaches it only through its command line and the frame tap.
const serverCommand = (confirm: boolean) => tsCommand('harness/rpc/bin/rpc-server.ts', `--queue "$RPC_QUEUE" --prefetch 10${confirm ? ' --confirm' : ''}`);

describe('fault scenarios against black-box servers and clients', { timeout: 240_000 }, () => {
  beforeAll(async () => {
    node = await new PrivateRabbitNode({ startTimeoutMs: 120_000 }).start();
  }, 150_000);
  afterAll(async () => {
    await node?.stop();
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
    expect(result.counters.answered).toBe(result.counters.sent);
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
});
