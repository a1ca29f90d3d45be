import { fileURLToPath } from 'node:url';
import amqp from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrivateRabbitNode, type StartedPrivateRabbitNode } from '../../harness/env/broker/private-rabbit-node.ts';
import { declareQueue, deleteQueueWhenEmpty, inspectQueue } from '../../harness/rpc/inspect-queue.ts';
import consumerCancel from '../consumer-cancel.ts';
import memoryAlarm from '../memory-alarm.ts';
import { hangWhenBlockedClient } from './negative-controls/index.ts';
import { explain, failedChecks, runForTest } from './run-for-test.ts';

const NO_RECONSUME_SERVER =
  `${process.execPath} --import tsx ` +
  fileURLToPath(new URL('./negative-controls/no-reconsume-server.ts', import.meta.url));

const PYTHON_CLIENT = `/usr/bin/python3 ${fileURLToPath(
  new URL('../implementations/python/rpc_client_driver.py', import.meta.url),
)}`;

let node: StartedPrivateRabbitNode;

const eventsOf = (result: Awaited<ReturnType<typeof runForTest>>, kind: string) =>
  result.timeline.events.filter((event) => event.kind === kind);

describe('scenarios with broker faults', { timeout: 150_000 }, () => {
  beforeAll(async () => {
    node = await new PrivateRabbitNode().start();
  });
  afterAll(async () => {
    await node?.stop();
  });

  it('memory-alarm: calls end by their timeout while publishes are blocked, and succeed after the alarm', async () => {
    const result = await runForTest(node, memoryAlarm);
    expect(result.verdict, explain(result)).toBe('pass');
    // The alarm bit: the client saw its connection blocked and unblocked, and calls timed out meanwhile.
    expect(eventsOf(result, 'connection-blocked').some((event) => event.process === 'client-1')).toBe(true);
    expect(eventsOf(result, 'connection-unblocked').some((event) => event.process === 'client-1')).toBe(true);
    expect(result.counters.timedOut).toBeGreaterThan(0);
    expect(result.checks.find((check) => check.id === 'calls-end-by-timeout')?.actual).toMatch(
      /^longest call [\d.]+ s, none past 3 s$/,
    );
    expect(result.checks.find((check) => check.id === 'confirmed-requests-answered')?.passed).toBe(true);
    // The watermark is back where it was: later runs on this node are not blocked.
    expect(await node.rabbitmqctl(['eval', 'vm_memory_monitor:get_vm_memory_high_watermark().'])).toMatch(/^0\.4\s*$/);
  });

  it('memory-alarm with the Python client: its frame tap puts blocked and unblocked on the timeline', async () => {
    const result = await runForTest(node, memoryAlarm, {
      overrides: { clientCommand: PYTHON_CLIENT, confirmRequests: false },
    });
    expect(result.verdict, explain(result)).toBe('pass');
    const seenByTap = (kind: string) =>
      eventsOf(result, kind).filter(
        (event) => event.process === 'client-1' && event.detail?.includes('(seen by the frame tap'),
      );
    expect(seenByTap('connection-blocked')[0]?.detail).toMatch(/^connection\.blocked sent to client-1: low on memory/);
    expect(seenByTap('connection-unblocked')).toHaveLength(1);
    expect(result.checks.find((check) => check.id === 'calls-end-by-timeout')?.passed).toBe(true);
  });

  it('memory-alarm FAILS calls-end-by-timeout with a client whose calls wait, untimed, for the unblock', async () => {
    const result = await runForTest(node, memoryAlarm, { client: hangWhenBlockedClient() });
    expect(result.verdict, explain(result)).toBe('fail');
    expect(failedChecks(result)).toContain('calls-end-by-timeout');
    expect(result.checks.find((check) => check.id === 'calls-end-by-timeout')?.actual).toMatch(
      /^\d+ calls? did not end within 3 s \(timeout 1 s \+ 2 s grace\)/,
    );
  });

  it('deletes the request queue once no request waits in it, or after the bound with what it holds', async () => {
    const queue = `delete-when-empty-${Date.now()}`;
    await declareQueue(node.getAmqpUrl(), queue, { durable: false });
    expect(await deleteQueueWhenEmpty(node.getAmqpUrl(), queue, { boundMs: 200, retryMs: 10 })).toBe(0);
    const connection = await amqp.connect(node.getAmqpUrl());
    try {
      const channel = await connection.createConfirmChannel();
      await channel.assertQueue(queue, { durable: false });
      channel.sendToQueue(queue, Buffer.from('5'));
      await channel.waitForConfirms();
      const startedMs = Date.now();
      expect(await deleteQueueWhenEmpty(node.getAmqpUrl(), queue, { boundMs: 200, retryMs: 10 })).toBe(1);
      expect(Date.now() - startedMs).toBeGreaterThanOrEqual(200);
    } finally {
      await connection.close();
    }
    expect(await inspectQueue(node.getAmqpUrl(), queue)).toEqual({ exists: false });
  });

  it('consumer-cancel: the built-in server consumes again after its queue is deleted; nothing confirmed is lost', async () => {
    const result = await runForTest(node, consumerCancel);
    expect(result.verdict, explain(result)).toBe('pass');
    expect(eventsOf(result, 'consumer-cancelled').map((event) => event.process)).toEqual(['server-1']);
    expect(result.timeline.events.some((event) => event.detail?.startsWith('consuming the request queue again'))).toBe(
      true,
    );
    expect(result.checks.find((check) => check.id === 'servers-consume-again')?.actual).toBe(
      'request queue deleted 1 time; consumers when the load ended 1, servers 1',
    );
    expect(result.checks.find((check) => check.id === 'confirmed-requests-answered')?.passed).toBe(true);
  });

  it(
    'consumer-cancel FAILS servers-consume-again with a server that ignores basic.cancel; ' +
      'its tap puts the cancel on the timeline',
    async () => {
      const result = await runForTest(node, consumerCancel, { overrides: { serverCommand: NO_RECONSUME_SERVER } });
      expect(result.verdict, explain(result)).toBe('fail');
      expect(failedChecks(result)).toContain('servers-consume-again');
      expect(failedChecks(result)).toContain('recovered-after-faults');
      expect(result.checks.find((check) => check.id === 'servers-consume-again')?.actual).toBe(
        'request queue deleted 1 time; consumers when the load ended 0, servers 1',
      );
      const cancels = eventsOf(result, 'consumer-cancelled');
      expect(cancels.map((event) => event.process)).toEqual(['server-1']);
      expect(cancels[0]?.detail).toMatch(/^basic\.cancel sent to server-1 for consumer .* \(seen by the frame tap/);
      // Requests published while nobody consumed expired unconsumed: accounted, not lost.
      expect(result.checks.find((check) => check.id === 'confirmed-requests-answered')?.passed).toBe(true);
    },
  );
});
