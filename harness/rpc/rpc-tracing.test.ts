import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT_CONTEXT } from '@opentelemetry/api';
import { AlwaysOnSampler, SamplingDecision } from '@opentelemetry/sdk-trace-base';
import type { ConsumeMessage } from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HeadSampler, newTraceParent } from '../observe/head-sampling.ts';
import { readSpans } from '../observe/span-reader.ts';
import { TraceBudgetSampler } from '../observe/trace-budget.ts';
import { setupTracing } from '../observe/tracing.ts';
import { rpcTracing } from './rpc-tracing.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rpc-tracing-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A delivery as amqplib hands it to the server's consumer, with the request's headers. */
function delivery(headers: Record<string, unknown>, correlationId: string): ConsumeMessage {
  return {
    content: Buffer.from('20'),
    fields: { deliveryTag: 1, redelivered: false, exchange: '', routingKey: 'rpc_queue', consumerTag: 'c' },
    properties: { headers, correlationId },
  } as unknown as ConsumeMessage;
}

describe('RPC spans with head sampling', { timeout: 30_000 }, () => {
  it(
    'an unsampled call gets the one shared no-op span and no headers; ' +
      'a sampled one a recorded trace across client and server',
    async () => {
      const spansFile = join(dir, 'one-percent.jsonl');
      const tracing = await setupTracing({
        serviceName: 'rpc-tracing-test',
        sampleRatio: 0.01,
        budget: 'unlimited',
        spansFile,
      });
      const unsampledSpans = new Set<unknown>();
      let sampled = 0;
      let serverSpans = 0;
      try {
        for (let i = 0; i < 20_000; i++) {
          const headers: Record<string, unknown> = { 'x-published-at-us': i };
          const client = rpcTracing.startPublishSpan('rpc_queue', `c.${i}`, 20, headers);
          const server = rpcTracing.startProcessSpan('rpc_queue', delivery(headers, `c.${i}`));
          if (!client.span.isRecording()) {
            unsampledSpans.add(client.span);
            expect(Object.keys(headers)).toEqual(['x-published-at-us']);
            expect(server.span.isRecording()).toBe(false);
            continue;
          }
          sampled++;
          expect(headers.traceparent).toBe(
            `00-${client.span.spanContext().traceId}-${client.span.spanContext().spanId}-01`,
          );
          expect(server.span.isRecording()).toBe(true);
          expect(server.span.spanContext().traceId).toBe(client.span.spanContext().traceId);
          const reply: Record<string, unknown> = {};
          rpcTracing.injectContext(reply, server);
          expect(String(reply.traceparent)).toContain(client.span.spanContext().traceId);
          server.computeFib(() => 6765n);
          server.end();
          client.end();
          serverSpans++;
        }
      } finally {
        await tracing.shutdown();
      }
      // Nothing allocated per unsampled call: every one of them got the same span object.
      expect(unsampledSpans.size).toBe(1);
      // 1 % of 20,000 is 200; a binomial spread of more than 5 sigma (~70) would mean a broken ratio.
      expect(sampled).toBeGreaterThan(130);
      expect(sampled).toBeLessThan(270);
      const spans = await readSpans(spansFile);
      expect(spans.filter((span) => span.name === 'rpc_queue publish')).toHaveLength(sampled);
      expect(spans.filter((span) => span.name === 'rpc_queue process')).toHaveLength(serverSpans);
      expect(spans.filter((span) => span.name === 'fib compute')).toHaveLength(serverSpans);
    },
  );

  it('records every call at sampleRatio 1, within the trace budget', async () => {
    const tracing = await setupTracing({
      serviceName: 'rpc-tracing-budget',
      sampleRatio: 1,
      budget: { perSecond: 1_000, total: 7 },
    });
    let sampled = 0;
    try {
      for (let i = 0; i < 100; i++) {
        const span = rpcTracing.startPublishSpan('rpc_queue', `b.${i}`, 20, {});
        if (span.span.isRecording()) sampled++;
        span.end();
      }
    } finally {
      await tracing.shutdown();
    }
    expect(sampled).toBe(7);
  });

  it('without setupTracing no new trace is decided here: the registered SDK (if any) samples', () => {
    expect(newTraceParent()).toBe(ROOT_CONTEXT);
  });
});

describe('HeadSampler', () => {
  it('draws the ratio, then spends the budget; a parent it already sampled is not paid for twice', async () => {
    const budget = new TraceBudgetSampler(new AlwaysOnSampler(), { perSecond: 100, total: 3 }, () => 0);
    const draws = [0.5, 0.001, 0.002, 0.003, 0.004];
    const sampler = new HeadSampler(0.01, budget, () => draws.shift() ?? 0.9);
    expect([1, 2, 3, 4, 5].map(() => sampler.startsTrace())).toEqual([false, true, true, true, false]);
    expect(budget.counts).toEqual({ started: 3, refused: 1 });

    const tracing = await setupTracing({ serviceName: 'head-sampler', sampleRatio: 1, budget: 'unlimited' });
    try {
      const parent = newTraceParent()!;
      expect(parent).not.toBe(ROOT_CONTEXT);
      // The SDK asks the root sampler again with that parent: the answer is yes, without a draw.
      const noDraws = new HeadSampler(0, undefined, () => {
        throw new Error('drew again');
      });
      expect(noDraws.shouldSample(parent).decision).toBe(SamplingDecision.RECORD_AND_SAMPLED);
      expect(new HeadSampler(0, undefined).shouldSample(ROOT_CONTEXT).decision).toBe(SamplingDecision.NOT_RECORD);
    } finally {
      await tracing.shutdown();
    }
  });
});
