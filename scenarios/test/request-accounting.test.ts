import amqp from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrivateRabbitNode, type StartedPrivateRabbitNode } from '../../harness/env/broker/private-rabbit-node.ts';
import baseline from '../baseline.ts';
import { explain, failedChecks, runForTest } from './run-for-test.ts';

/**
 * A named request queue shared with strangers, as on a shared broker: the run is told to
 * accept it busy (--queue rpc_queue --allow-busy-queue), so only the accounting check can
 * catch what the strangers do.
 */
const REQUEST_QUEUE = 'rpc_queue';
const SHARED_QUEUE = { overrides: { durationMs: 1_500, queue: REQUEST_QUEUE }, allowBusyQueue: true } as const;
let node: StartedPrivateRabbitNode;

describe('requests handled against requests sent (negative controls)', { timeout: 300_000 }, () => {
  beforeAll(async () => {
    // Generous: on a busy machine a node can take far longer than its usual 5 s to boot.
    node = await new PrivateRabbitNode().withStartTimeout(90_000).start();
  });
  afterAll(async () => {
    await node?.stop();
  });

  it('FAILS when a stranger consumes from the request queue during the run', async () => {
    const connection = await amqp.connect(node.getAmqpUrl());
    try {
      const channel = await connection.createChannel();
      await channel.assertQueue(REQUEST_QUEUE, { durable: false });
      let stolen = 0;
      // Takes requests and never answers them, as a stray consumer on a shared broker would.
      await channel.consume(REQUEST_QUEUE, () => void stolen++, { noAck: true });
      const result = await runForTest(node, baseline, SHARED_QUEUE);
      expect(stolen).toBeGreaterThan(0);
      expect(failedChecks(result), explain(result)).toContain('requests-handled-match-sent');
      expect(result.checks.find((c) => c.id === 'requests-handled-match-sent')?.actual).toMatch(
        /sent but never handled [1-9]/,
      );
    } finally {
      await connection.close();
    }
  });

  it('FAILS when the servers handle requests that no client of this run sent', async () => {
    const connection = await amqp.connect(node.getAmqpUrl());
    try {
      const channel = await connection.createChannel();
      await channel.assertQueue(REQUEST_QUEUE, { durable: false });
      for (let i = 1; i <= 3; i++)
        channel.sendToQueue(REQUEST_QUEUE, Buffer.from('10'), { correlationId: `stranger-${i}` });
      await channel.close();
    } finally {
      await connection.close();
    }
    const result = await runForTest(node, baseline, SHARED_QUEUE);
    expect(failedChecks(result), explain(result)).toEqual(['requests-handled-match-sent']);
    expect(result.checks.find((c) => c.id === 'requests-handled-match-sent')?.actual).toContain(
      'handled but not sent by this run 3',
    );
  });

  it('passes the same run without strangers', async () => {
    const result = await runForTest(node, baseline, { overrides: { durationMs: 1_500 } });
    expect(result.verdict, explain(result)).toBe('pass');
  });
});
