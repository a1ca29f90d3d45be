import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrivateRabbitNode, type StartedPrivateRabbitNode } from '../../harness/env/broker/private-rabbit-node.ts';
import { defineScenario } from '../../harness/scenario/define-scenario.ts';
import { explain, failedChecks, runForTest } from './run-for-test.ts';

/**
 * The loss check on one private node: a server SIGKILLed while it holds requests. A server
 * that acks first has taken those requests from the broker and dies with them; one that acks
 * after its reply leaves them unacked, and the broker gives them to the other server.
 */
const implementation = (path: string) => new URL(`../implementations/${path}`, import.meta.url).pathname;
/** 500 ms of work per request: at 20 requests/s a server holds about 10 requests at any time. */
const WORK = 'RPC_WORK_MS=500 RPC_PREFETCH=50';
/** Acks on arrival, replies after the work. */
const ACK_BEFORE_REPLY_SERVER = `${WORK} /usr/bin/python3 ${implementation('naive/ack-before-reply-server.py')}`;
/** The same server as the tutorial orders it: the work, the reply, then the ack. */
const SLOW_SERVER = `${WORK} /usr/bin/python3 ${implementation('python/slow_rpc_server.py')}`;
const LOSS_CHECK = 'confirmed-requests-answered';

const killServerDuringWork = defineScenario({
  name: 'kill-server-during-work',
  description:
    'one of two servers is SIGKILLed while it holds requests and started again; requests published with confirms',
  topology: {
    servers: 2,
    clients: 1,
    replyMode: 'callback-queue',
    prefetch: 10,
    confirmReplies: false,
    confirmRequests: true,
  },
  load: { executor: 'constant-arrival-rate', ratePerSec: 40, durationMs: 4_000, maxInFlight: 200 },
  timeoutMs: 3_000,
  faults: [{ kind: 'kill-server', server: 1, trigger: { atMs: 2_000 }, restartAfterMs: 500 }],
  checks: [],
  gates: [],
});

let node: StartedPrivateRabbitNode;

describe('requests the broker confirmed, against what became of them', { timeout: 120_000 }, () => {
  beforeAll(async () => {
    node = await new PrivateRabbitNode().withStartTimeout(90_000).start();
  }, 100_000);
  afterAll(async () => {
    await node?.stop();
  });

  it(
    'FAILS against a server that acks before it replies (negative control), ' +
      'naming the lost calls and the server that acked them',
    async () => {
      const result = await runForTest(node, killServerDuringWork, {
        overrides: { serverCommand: ACK_BEFORE_REPLY_SERVER },
      });
      expect(failedChecks(result), explain(result)).toContain(LOSS_CHECK);
      const actual = result.checks.find((check) => check.id === LOSS_CHECK)!.actual;
      const named = [...actual.matchAll(/([0-9a-f-]{36}\.\d+) \(acked by server-1 before any reply\)/g)].map(
        (match) => match[1]!,
      );
      expect(named.length, actual).toBeGreaterThan(0);
      // Each named call really failed: its client timed it out, no reply ever came.
      const timedOut = new Set(
        result.timeline.events.filter((event) => event.kind === 'timeout').map((event) => event.correlationId),
      );
      expect(
        named.filter((id) => !timedOut.has(id)),
        actual,
      ).toEqual([]);
      console.info(`ack-before-reply server killed mid-work: ${actual}`);
    },
  );

  it(
    'passes the same run against the same server replying before it acks: ' +
      'what the killed server held is redelivered and answered',
    async () => {
      const result = await runForTest(node, killServerDuringWork, { overrides: { serverCommand: SLOW_SERVER } });
      expect(failedChecks(result), explain(result)).toEqual([]);
      const actual = result.checks.find((check) => check.id === LOSS_CHECK)?.actual ?? '';
      expect(actual).toMatch(/confirmed [1-9]\d* .*lost 0;/);
      expect(result.counters.redelivered, explain(result)).toBeGreaterThan(0);
    },
  );
});
