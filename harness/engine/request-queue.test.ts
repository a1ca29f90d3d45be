import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import amqp from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrivateRabbitNode, type StartedPrivateRabbitNode } from '../env/broker/private-rabbit-node.ts';
import { inspectQueue } from '../rpc/inspect-queue.ts';
import baseline from '../../scenarios/baseline.ts';
import { applyOverrides } from '../scenario/apply-overrides.ts';
import { validateQueueName } from '../scenario/queue-name.ts';
import { checkNamedQueue, removeRunQueue, requestQueueFor } from './request-queue.ts';
import { runScenario } from './run-scenario.ts';

let node: StartedPrivateRabbitNode;
let seq = 0;
const named = () => `shared_queue_${process.pid}_${++seq}`;

/** A short closed-loop run of the baseline scenario on the shared node. */
function shortRun(overrides: { queue?: string } = {}, allowBusyQueue = false) {
  const { definition, errors } = applyOverrides(baseline, {
    calls: 40,
    concurrency: 2,
    servers: 1,
    clients: 1,
    ...overrides,
  });
  if (errors.length > 0) throw new Error(errors.join('; '));
  return runScenario({
    definition,
    broker: node,
    proxy: 'builtin',
    seed: 1,
    runDir: mkdtempSync(join(tmpdir(), 'rpc-chaos-queue-')),
    gates: [],
    tracing: { enabled: false, sampleRatio: 0 },
    allowBusyQueue,
  });
}

/** Leaves `count` requests waiting in `queue`, as a stranger's abandoned calls would. */
async function leaveMessages(queue: string, count: number): Promise<void> {
  const connection = await amqp.connect(node.getAmqpUrl());
  const channel = await connection.createConfirmChannel();
  await channel.assertQueue(queue, { durable: false });
  for (let i = 0; i < count; i++) channel.sendToQueue(queue, Buffer.from('30'), { correlationId: `stranger-${i}` });
  await channel.waitForConfirms();
  await connection.close();
}

describe('the request queue of a run', { timeout: 120_000 }, () => {
  beforeAll(async () => {
    node = await new PrivateRabbitNode().start();
  });
  afterAll(async () => {
    await node?.stop();
  });

  it('is a queue of the run unless the user names one', () => {
    const perRun = requestQueueFor('baseline-2026-12-01T10-00-00-000Z', undefined);
    expect(perRun.perRun).toBe(true);
    expect(perRun.name).toMatch(/^rpc_queue\.baseline-2026-12-01T10-00-00-000Z\.[0-9a-f]{6}$/);
    expect(requestQueueFor('x', 'rpc_queue')).toEqual({ name: 'rpc_queue', perRun: false });
  });

  it('rejects names the broker would refuse', () => {
    expect(validateQueueName('')).toBe('queue name must not be empty');
    expect(validateQueueName('amq.mine')).toContain('which the broker reserves');
    expect(validateQueueName('x'.repeat(256))).toContain('at most 255 bytes');
    expect(validateQueueName('rpc_queue')).toBeUndefined();
    expect(applyOverrides(baseline, { queue: 'amq.x' }).errors).toEqual([
      'queue name "amq.x" starts with "amq.", which the broker reserves',
    ]);
  });

  it('refuses a named queue that holds messages, unless sharing it is allowed', async () => {
    const queue = named();
    await leaveMessages(queue, 8);
    await expect(
      checkNamedQueue(node.getAmqpUrl(), { name: queue, perRun: false }, { allowBusy: false }),
    ).rejects.toThrow(`queue "${queue}" already has 8 messages: another program uses it`);
    await expect(
      checkNamedQueue(node.getAmqpUrl(), { name: queue, perRun: false }, { allowBusy: true }),
    ).resolves.toBeUndefined();
  });

  it('refuses a named queue that another program consumes', async () => {
    const queue = named();
    const connection = await amqp.connect(node.getAmqpUrl());
    try {
      const channel = await connection.createChannel();
      await channel.assertQueue(queue, { durable: false });
      await channel.consume(queue, () => undefined);
      await expect(
        checkNamedQueue(node.getAmqpUrl(), { name: queue, perRun: false }, { allowBusy: false }),
      ).rejects.toThrow('already has 1 consumer:');
    } finally {
      await connection.close();
    }
  });

  it('accepts a named queue that is empty or does not exist yet', async () => {
    await expect(
      checkNamedQueue(node.getAmqpUrl(), { name: named(), perRun: false }, { allowBusy: false }),
    ).resolves.toBeUndefined();
    expect(await inspectQueue(node.getAmqpUrl(), named())).toEqual({ exists: false });
  });

  it('deletes a per-run queue, never a named one', async () => {
    const perRun = named();
    const shared = named();
    await leaveMessages(perRun, 1);
    await leaveMessages(shared, 1);
    await removeRunQueue(node.getAmqpUrl(), { name: perRun, perRun: true });
    await removeRunQueue(node.getAmqpUrl(), { name: shared, perRun: false });
    expect(await inspectQueue(node.getAmqpUrl(), perRun)).toEqual({ exists: false });
    expect(await inspectQueue(node.getAmqpUrl(), shared)).toMatchObject({ exists: true, messageCount: 1 });
  });

  it('two concurrent runs on one broker answer only their own calls, record their queues and delete them', async () => {
    await leaveMessages('rpc_queue', 8);
    const [a, b] = await Promise.all([shortRun(), shortRun()]);
    for (const result of [a, b]) {
      expect(result.verdict, result.harnessErrors.join('\n')).toBe('pass');
      expect(result.counters.sent).toBe(40);
      expect(result.counters.answered).toBe(40);
      // The servers handled exactly this run's requests (its warm-up calls too): none of the other
      // run's, none of the 8 strangers'.
      expect(result.counters.serverHandled).toBe(40 + (result.config.warmup?.sent ?? 0));
      expect(result.config.queue).toMatch(/^rpc_queue\.baseline-/);
      expect(await inspectQueue(node.getAmqpUrl(), result.config.queue!)).toEqual({ exists: false });
    }
    expect(a.config.queue).not.toBe(b.config.queue);
    expect(await inspectQueue(node.getAmqpUrl(), 'rpc_queue')).toMatchObject({ exists: true, messageCount: 8 });
  });

  it('a run on a busy named queue ends before its servers start, with verdict error and the reason', async () => {
    const queue = named();
    await leaveMessages(queue, 3);
    const refused = await shortRun({ queue });
    expect(refused.verdict).toBe('error');
    expect(refused.counters.sent).toBe(0);
    expect(refused.harnessErrors.join('\n')).toContain(`queue "${queue}" already has 3 messages`);
    expect(refused.config.queue).toBe(queue);
    expect(await inspectQueue(node.getAmqpUrl(), queue)).toMatchObject({ exists: true, messageCount: 3 });
  });
});
