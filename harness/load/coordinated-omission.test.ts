import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrivateRabbitNode, type StartedPrivateRabbitNode } from '../env/broker/private-rabbit-node.ts';
import { LatencyRecorder } from '../observe/latency-recorder.ts';
import { summarize } from '../observe/latency-summary.ts';
import { FibRpcClient } from '../rpc/fib-rpc-client.ts';
import { FibRpcServer } from '../rpc/fib-rpc-server.ts';
import { runLoad } from './run-load.ts';
import type { LoadOptions } from './load-options.ts';

let node: StartedPrivateRabbitNode;
let queueSeq = 0;
const STALL_MS = 1_000;

/** Runs load against a server that stalls 1 s on its 20th request; returns the latency summary. */
async function measureWithStall(load: LoadOptions) {
  const queue = `co_${++queueSeq}`;
  let handled = 0;
  await using _server = await new FibRpcServer({
    amqpUrl: node.getAmqpUrl(),
    queue,
    prefetch: 1,
    faultPoints: {
      beforeReply: () => (++handled === 20 ? new Promise((resolve) => setTimeout(resolve, STALL_MS)) : undefined),
    },
  }).start();
  await using client = await new FibRpcClient({ amqpUrl: node.getAmqpUrl(), queue, timeoutMs: 10_000 }).start();
  const recorder = new LatencyRecorder({ runStartEpochMs: Date.now() });
  await runLoad(load, async (_index, intendedStartMs) => {
    await client.call(10);
    recorder.recordFromIntendedStart(intendedStartMs);
  });
  return summarize(recorder.total);
}

describe('latency without coordinated omission', { timeout: 60_000 }, () => {
  beforeAll(async () => {
    node = await new PrivateRabbitNode().start();
  });
  afterAll(async () => {
    await node?.stop();
  });

  it('open loop: a 1 s server stall shows in p90/p99, because every call queued behind it is late', async () => {
    const openLoop = await measureWithStall({
      executor: 'constant-arrival-rate',
      ratePerSec: 100,
      durationMs: 3_000,
      maxInFlight: 1_000,
    });
    expect(openLoop.max).toBeGreaterThanOrEqual(900);
    expect(openLoop.p90).toBeGreaterThanOrEqual(200);
    expect(openLoop.p99).toBeGreaterThanOrEqual(800);
  });

  it('a naive closed loop hides the same stall: one slow sample, percentiles stay low', async () => {
    const closedLoop = await measureWithStall({ executor: 'closed-loop', concurrency: 1, durationMs: 3_000 });
    expect(closedLoop.max).toBeGreaterThanOrEqual(900);
    // The loop sends its next call only when the stalled one returns, so that one sample alone
    // holds the stall, and among more than a hundred it reaches neither percentile: both stay
    // below half the stall, where the open loop's p99 is above 800 ms.
    expect(closedLoop.count).toBeGreaterThan(100);
    expect(closedLoop.p90).toBeLessThan(STALL_MS / 2);
    expect(closedLoop.p99).toBeLessThan(STALL_MS / 2);
  });
});
