import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrivateRabbitNode, type StartedPrivateRabbitNode } from '../../../env/broker/private-rabbit-node.ts';
import { applyOverrides } from '../../../scenario/apply-overrides.ts';
import type { ScenarioResult } from '../../../model/result-schema.ts';
import badInput from '../../../../scenarios/bad-input.ts';
import baseline from '../../../../scenarios/baseline.ts';
import duplicateReply from '../../../../scenarios/duplicate-reply.ts';
import lateReply from '../../../../scenarios/late-reply.ts';
import { explain, failedChecks, runForTest } from '../../../../scenarios/test/run-for-test.ts';
import { tsCommand } from './run-cli.ts';
import { renderReportHtml } from '../../../report/html/render-report.ts';
import { formatTerminalSummary } from '../../../report/terminal-summary.ts';

let node: StartedPrivateRabbitNode;
const reference = (path: string) => new URL(`../../../../scenarios/implementations/${path}`, import.meta.url).pathname;
const PYTHON_SERVER = `RPC_PREFETCH=10 /usr/bin/python3 ${reference('python/rpc_server.py')}`;
const PYTHON_DRIVER = `/usr/bin/python3 ${reference('python/rpc_client_driver.py')}`;
const NAIVE_DRIVER = `/usr/bin/python3 ${reference('naive/naive-rpc-client-driver.py')}`;
const DYING_DRIVER = `/usr/bin/python3 ${reference('naive/dying-rpc-client-driver.py')}`;
// The built-ins as black boxes: the harness reaches them only through their command lines and the frame tap.
const NODE_SERVER = `RPC_PREFETCH=10 ${tsCommand('scenarios/implementations/node/rpc-server.ts')}`;
const NODE_DRIVER = tsCommand('scenarios/implementations/node/rpc-client-driver.ts');
const GARBAGE_REPLY_SERVER_FILE = new URL('./fixtures/garbage-reply-server.mjs', import.meta.url).pathname;
const GARBAGE_REPLY_SERVER = `${process.execPath} ${GARBAGE_REPLY_SERVER_FILE}`;
const GARBAGE_CLIENT = `${process.execPath} ${new URL('./fixtures/garbage-line-client.mjs', import.meta.url).pathname}`;

function expectDuplicateReplyHandled(result: ScenarioResult): void {
  expect(result.verdict, explain(result)).toBe('pass');
  // Both kills happened at the AMQP fault point, seen and held by the servers' taps.
  expect(result.faults.filter((fault) => fault.kind === 'kill-server-at-fault-point' && fault.fired)).toHaveLength(2);
  expect(result.counters.serverKills).toBe(2);
  expect(result.counters.redelivered).toBeGreaterThanOrEqual(2);
  // The duplicate replies reached the client (the client's tap saw them) and resolved nothing.
  expect(result.counters.discarded.duplicate).toBeGreaterThanOrEqual(2);
  expect(result.counters.wrongResult).toBe(0);
  // The tap saw them delivered; that the client dropped them shows in its calls after them.
  expect(result.timeline.events.filter((event) => event.kind === 'duplicate-delivered').length).toBeGreaterThanOrEqual(
    2,
  );
  expect(keptWorking(result)).toMatch(/^client-1: \d+ stale replies \(duplicate \d+\), calls after each as successful/);
}

const keptWorking = (result: ScenarioResult) =>
  result.checks.find((check) => check.id === 'kept-working-after-stale-replies')?.actual;

function expectLateReplyHandled(result: ScenarioResult): void {
  expect(result.verdict, explain(result)).toBe('pass');
  expect(result.counters.timedOut).toBeGreaterThanOrEqual(1);
  expect(result.counters.discarded.late).toBeGreaterThanOrEqual(1);
  expect(result.counters.mismatchedCorrelation).toBe(0);
  expect(keptWorking(result)).toMatch(/^client-1: \d+ stale repl(y|ies) \(late \d+\), calls after each as successful/);
}

/** Phase gates read calls by intended start: an external client's must add up to its counters. */
function expectCallsByStartMatchCounters(result: ScenarioResult): void {
  const total = (key: 'answered' | 'timedOut' | 'wrongResult') =>
    result.callsByStart!.intervals.reduce((sum, interval) => sum + interval[key], 0);
  expect(result.callsByStart).toBeDefined();
  expect(total('answered')).toBe(result.counters.answered);
  expect(total('timedOut')).toBe(result.counters.timedOut);
  expect(total('wrongResult')).toBe(result.counters.wrongResult);
}

describe('external clients and servers through the fault scenarios', { timeout: 240_000 }, () => {
  beforeAll(async () => {
    node = await new PrivateRabbitNode({ startTimeoutMs: 120_000 }).start();
  }, 150_000);
  afterAll(async () => {
    await node?.stop();
  });

  it("duplicate-reply passes with the tutorial's Python server and the Python protocol driver", async () => {
    expectDuplicateReplyHandled(
      await runForTest(node, duplicateReply, {
        overrides: { serverCommand: PYTHON_SERVER, clientCommand: PYTHON_DRIVER },
      }),
    );
  });

  it("late-reply passes with the tutorial's Python server and the Python protocol driver", async () => {
    expectLateReplyHandled(
      await runForTest(node, lateReply, { overrides: { serverCommand: PYTHON_SERVER, clientCommand: PYTHON_DRIVER } }),
    );
  });

  it('duplicate-reply passes with the built-in server and client run as commands (no hidden privileges)', async () => {
    expectDuplicateReplyHandled(
      await runForTest(node, duplicateReply, { overrides: { serverCommand: NODE_SERVER, clientCommand: NODE_DRIVER } }),
    );
  });

  it(
    'duplicate-reply FAILS with the naive client that ignores correlation ids, ' + 'naming the cross-resolved call',
    async () => {
      const result = await runForTest(node, duplicateReply, {
        overrides: { concurrency: 16, serverCommand: PYTHON_SERVER, clientCommand: NAIVE_DRIVER },
      });
      expect(result.verdict).toBe('fail');
      expect(failedChecks(result)).toContain('no-cross-resolution');
      const check = result.checks.find((c) => c.id === 'no-cross-resolution');
      expect(check?.actual).toMatch(/call \d+ was resolved with the reply meant for call \d+/);
      expect(
        result.timeline.events.some((event) =>
          /call \d+ was resolved with the reply meant for call \d+/.test(event.detail ?? ''),
        ),
      ).toBe(true);
      // What the user reads names the calls too: the terminal summary and report.html.
      expect(formatTerminalSummary(result, { color: false })).toMatch(
        /call \d+ was resolved with the reply meant for call \d+/,
      );
      expect(renderReportHtml(result)).toMatch(/call \d+ was resolved with the reply meant for call \d+/);
    },
  );

  it(
    'duplicate-reply FAILS with a client that dies on the duplicate: the new check names the duplicate ' +
      'delivered to client-1, the first call that failed after it and its error; the errors are grouped',
    async () => {
      const result = await runForTest(node, duplicateReply, {
        overrides: { serverCommand: PYTHON_SERVER, clientCommand: DYING_DRIVER },
      });
      expect(result.verdict, explain(result)).toBe('fail');
      expect(failedChecks(result)).toContain('kept-working-after-stale-replies');
      expect(keptWorking(result)).toMatch(
        new RegExp(
          String.raw`^client-1: after a duplicate reply delivered to client-1 at [\d.]+ s \(correlation id [\w-]+\), ` +
            String.raw`\d+ % .* first failed call after it: at [\d.]+ s \(\d+ ms after it\): ` +
            // A call the dying client failed before publishing it is also named as never published.
            String.raw`"(not connected \(never published, seen by the frame tap\): )?` +
            String.raw`call \d+ \(fib\(\d+\)\) failed in the client: RPC channel is closed`,
        ),
      );
      // What the harness saw, in its own words: delivered, not discarded.
      const duplicates = result.checks.find((check) => check.id === 'duplicates-discarded');
      expect(duplicates?.title).toBe(
        'Each kill between reply and ack produced a duplicate reply delivered to client-1',
      );
      expect(duplicates?.actual).toMatch(/duplicates delivered to client-1 \(seen by the frame tap\) [1-9]/);
      const closed = result.errorGroups?.groups.find((group) => group.example.startsWith('RPC channel is closed'));
      expect(closed?.process).toBe('client-1');
      expect(closed?.count).toBeGreaterThan(100);
      expect(closed?.pattern).toBe('RPC channel is closed: unexpected reply with correlation id <id>');
    },
  );

  it('late-reply FAILS with the naive client: a stale reply resolves the next call, which is named', async () => {
    const result = await runForTest(node, lateReply, {
      overrides: { serverCommand: PYTHON_SERVER, clientCommand: NAIVE_DRIVER },
    });
    expect(result.verdict).toBe('fail');
    expect(failedChecks(result)).toEqual(expect.arrayContaining(['no-cross-resolution', 'results-correct']));
    expect(result.checks.find((c) => c.id === 'no-cross-resolution')?.actual).toMatch(
      /call \d+ was resolved with the reply meant for call \d+/,
    );
    expect(result.counters.wrongResult).toBeGreaterThan(0);
    expectCallsByStartMatchCounters(result);
  });

  it(
    'a client that prints garbage, answers ids it was never given and answers twice: ' +
      'each break is named, the run completes',
    async () => {
      const result = await runForTest(node, baseline, {
        overrides: { durationMs: 2_000, clients: 1, serverCommand: PYTHON_SERVER, clientCommand: GARBAGE_CLIENT },
      });
      expect(result.verdict, explain(result)).toBe('fail');
      expect(result.harnessErrors).toEqual([]);
      const protocol = result.checks.find((check) => check.id === 'client-protocol-followed');
      expect(protocol?.passed).toBe(false);
      expect(protocol?.actual).toMatch(/malformed-json [1-9]/);
      expect(protocol?.actual).toMatch(/unknown-id [1-9]/);
      expect(protocol?.actual).toMatch(/answered-twice [1-9]/);
      expect(failedChecks(result)).toContain('answered-at-most-once');
      expect(result.checks.find((check) => check.id === 'answered-at-most-once')?.actual).toMatch(/e\.g\. call \d+/);
    },
  );

  it(
    'a server that answers every 7th call with GARBAGE fails the bad-reply check: ' +
      'the built-in client counts them on their own, not as error replies',
    async () => {
      const result = await runForTest(node, baseline, {
        overrides: { calls: 70, serverCommand: GARBAGE_REPLY_SERVER },
      });
      expect(result.verdict, explain(result)).toBe('fail');
      expect(failedChecks(result)).toContain('no-bad-replies');
      expect(result.counters.badReplies).toBeGreaterThanOrEqual(9);
      expect(result.counters.remoteErrors).toBe(0);
      expect(result.counters.otherErrors).toBe(result.counters.badReplies);
      expect(result.checks.find((check) => check.id === 'no-bad-replies')?.actual).toBe(
        `bad replies ${result.counters.badReplies}`,
      );
      expect(
        result.timeline.events.some((event) =>
          /reply body "GARBAGE" is not a decimal integer/.test(event.detail ?? ''),
        ),
      ).toBe(true);
    },
  );

  it(
    'the same server with the Python client driver: ' +
      'the frame tap sees each bad reply reach the client, and the check fails',
    async () => {
      const result = await runForTest(node, baseline, {
        overrides: { calls: 70, serverCommand: GARBAGE_REPLY_SERVER, clientCommand: PYTHON_DRIVER },
      });
      expect(failedChecks(result), explain(result)).toContain('no-bad-replies');
      expect(result.counters.badReplies).toBeGreaterThanOrEqual(9);
      const seen = result.timeline.events.filter((event) =>
        /bad reply reached client-\d+ \(seen by the frame tap\)/.test(event.detail ?? ''),
      );
      expect(seen.length).toBe(result.counters.badReplies);
    },
  );

  it('scenarios an external client cannot run are refused before anything starts', () => {
    const { errors } = applyOverrides(badInput, { clientCommand: 'true' });
    expect(errors.join('\n')).toContain(
      'badInputEvery sends malformed request bodies, which the client line protocol cannot ask for',
    );
    const tooManyInFlight = applyOverrides(baseline, { concurrency: 200, clientCommand: 'true' });
    expect(tooManyInFlight.errors.join('\n')).toContain('maxN (90) must be >= calls in flight (200) + 2');
  });
});
