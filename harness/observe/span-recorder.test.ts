import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createTraceState,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  TraceFlags,
  type SpanContext,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { ReadableSpan, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { ConsumeMessage } from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rpcTracing } from '../rpc/rpc-tracing.ts';
import { readSpans } from './span-reader.ts';
import { spanRecordLine, toSpanRecord } from './span-record.ts';
import { activeSpanRecorder, RecordedSpan, SpanRecorder } from './span-recorder.ts';
import { remoteSpanContext, writeTraceHeaders } from './trace-headers.ts';
import { setupTracing } from './tracing.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'span-recorder-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A processor that keeps what it is handed, to see exactly what exporters would get. */
function keepingProcessor(): SpanProcessor & { readonly ended: ReadableSpan[] } {
  const ended: ReadableSpan[] = [];
  return {
    ended,
    onStart: () => undefined,
    onEnd: (span) => void ended.push(span),
    forceFlush: async () => {},
    shutdown: async () => {},
  };
}

const resource = resourceFromAttributes({ 'service.name': 'recorder-test', 'process.pid': 42 });

describe('RecordedSpan', () => {
  it(
    'hands one finished, sampled span to the processors once, ' +
      'with ids, parent, times and attributes as the SDK gives them',
    () => {
      const processor = keepingProcessor();
      const recorder = new SpanRecorder([processor], resource, { name: 'rpc-chaos.rpc' });
      // The recorder's clock: the time origin plus the monotonic clock, as the SDK anchors it. Late in
      // a long test process it parts from Date.now() by a millisecond or more (it did in CI).
      const epochNow = () => performance.timeOrigin + performance.now();
      const before = epochNow();
      const root = recorder.startSpan('rpc_queue publish', SpanKind.PRODUCER, undefined, { 'rpc.fib.n': 20 });
      const child = recorder.startSpan('fib compute', SpanKind.INTERNAL, root.spanContext(), {});
      child.end();
      root.setStatus({ code: SpanStatusCode.ERROR, message: 'timed out' });
      root.end();
      root.end();
      root.setAttribute('after.end', true);
      const after = epochNow();

      expect(processor.ended).toEqual([child, root]);
      expect(root.spanContext().traceId).toMatch(/^[0-9a-f]{32}$/);
      expect(root.spanContext().spanId).toMatch(/^[0-9a-f]{16}$/);
      expect(root.spanContext().traceFlags).toBe(TraceFlags.SAMPLED);
      expect(child.spanContext().traceId).toBe(root.spanContext().traceId);
      expect(child.parentSpanContext?.spanId).toBe(root.spanContext().spanId);
      expect(root.isRecording()).toBe(false);
      expect(root.attributes).toEqual({ 'rpc.fib.n': 20 });
      const record = toSpanRecord(root);
      expect(record.startEpochUs / 1000).toBeGreaterThanOrEqual(before - 1);
      expect(record.endEpochUs / 1000).toBeLessThanOrEqual(after + 1);
      expect(record.durationMs).toBeGreaterThanOrEqual(0);
      expect(record).toMatchObject({
        name: 'rpc_queue publish',
        kind: 'PRODUCER',
        status: { code: 'ERROR', message: 'timed out' },
        service: 'recorder-test',
        scope: 'rpc-chaos.rpc',
        resource: { 'service.name': 'recorder-test', 'process.pid': 42 },
      });
    },
  );

  it('draws distinct ids across many spans (the pooled random buffer is refilled, never reused)', () => {
    const recorder = new SpanRecorder([], resource, { name: 'rpc-chaos.rpc' });
    const ids = new Set<string>();
    for (let i = 0; i < 2_000; i++)
      ids.add(recorder.startSpan('s', SpanKind.INTERNAL, undefined, {}).spanContext().spanId);
    expect(ids.size).toBe(2_000);
  });

  it('a line of the spans file is toSpanRecord exactly, with times as exact nanosecond strings', () => {
    const processor = keepingProcessor();
    const span = new SpanRecorder([processor], resource, { name: 'rpc-chaos.rpc' }).startSpan(
      'x',
      SpanKind.CONSUMER,
      undefined,
      { a: 'b', list: ['x', 'y'] },
    );
    span.addEvent('bad request', { 'exception.message': 'not a number' }, [1_700_000_000, 5]);
    span.end([1_700_000_001, 123]);
    expect(JSON.parse(spanRecordLine(span))).toEqual(toSpanRecord(span));
    const record = toSpanRecord(span);
    expect(record.endTimeUnixNano).toBe('1700000001000000123');
    expect(record.events).toEqual([
      {
        name: 'bad request',
        timeUnixNano: '1700000000000000005',
        epochUs: 1_700_000_000_000_000,
        attributes: { 'exception.message': 'not a number' },
      },
    ]);
    expect(spanRecordLine(span).startsWith('{"traceId":"')).toBe(true);
  });
});

describe('traceparent headers', () => {
  const propagator = new W3CTraceContextPropagator();
  const context: SpanContext = {
    traceId: '0af7651916cd43dd8448eb211c80319c',
    spanId: 'b7ad6b7169203331',
    traceFlags: TraceFlags.SAMPLED,
    traceState: createTraceState('congo=t61rcWkgMzE'),
  };

  it('are written as the W3C propagator writes them and read back as it reads them', () => {
    const ours = writeTraceHeaders({}, context);
    const theirs: Record<string, string> = {};
    propagator.inject(trace.setSpanContext(ROOT_CONTEXT, context), theirs, {
      set: (carrier, key, value) => void (carrier[key] = value),
    });
    expect(ours).toEqual(theirs);
    const read = remoteSpanContext({ ...ours, traceparent: Buffer.from(String(ours.traceparent)) });
    expect(read).toMatchObject({
      traceId: context.traceId,
      spanId: context.spanId,
      traceFlags: TraceFlags.SAMPLED,
      isRemote: true,
    });
    expect(read?.traceState?.serialize()).toBe('congo=t61rcWkgMzE');
  });

  it(
    'a malformed or missing traceparent gives no parent: ' +
      'version ff, zero ids, extra fields on version 00, bad hex',
    () => {
      for (const bad of [
        'ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
        '00-00000000000000000000000000000000-b7ad6b7169203331-01',
        '00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01',
        '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-extra',
        '00-0af7651916cd43dd8448eb211c80319z-b7ad6b7169203331-01',
        '',
      ]) {
        expect(remoteSpanContext({ traceparent: bad }), bad).toBeUndefined();
      }
      expect(remoteSpanContext(undefined)).toBeUndefined();
      expect(
        remoteSpanContext({ traceparent: '01-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-future' })?.traceId,
      ).toBe(context.traceId);
    },
  );
});

describe('RPC spans under setupTracing', () => {
  function delivery(headers: Record<string, unknown>): ConsumeMessage {
    return {
      content: Buffer.from('20'),
      fields: { deliveryTag: 7, redelivered: true, exchange: '', routingKey: 'rpc_queue', consumerTag: 'c' },
      properties: { headers, correlationId: 'c.1' },
    } as unknown as ConsumeMessage;
  }

  it(
    'are recorded without the SDK tracer and reach the spans file as one trace: ' +
      'publish, process (child), compute (grandchild)',
    async () => {
      const spansFile = join(dir, 'rpc.jsonl');
      const tracing = await setupTracing({
        serviceName: 'recorded-rpc',
        sampleRatio: 1,
        budget: 'unlimited',
        spansFile,
      });
      try {
        expect(activeSpanRecorder()).toBeDefined();
        const headers: Record<string, unknown> = {};
        const client = rpcTracing.startPublishSpan('rpc_queue', 'c.1', 20, headers);
        expect(client.span).toBeInstanceOf(RecordedSpan);
        const server = rpcTracing.startProcessSpan('rpc_queue', delivery(headers));
        expect(server.span).toBeInstanceOf(RecordedSpan);
        expect(server.computeFib(() => 6765n)).toBe(6765n);
        const reply: Record<string, unknown> = {};
        rpcTracing.injectContext(reply, server);
        expect(reply.traceparent).toBe(
          `00-${client.span.spanContext().traceId}-${server.span.spanContext().spanId}-01`,
        );
        server.end('killed before ack');
        server.end();
        client.end();
      } finally {
        await tracing.shutdown();
      }
      expect(activeSpanRecorder()).toBeUndefined();
      const spans = await readSpans(spansFile);
      const byName = new Map(spans.map((span) => [span.name, span]));
      const publish = byName.get('rpc_queue publish')!;
      const process = byName.get('rpc_queue process')!;
      const compute = byName.get('fib compute')!;
      expect(spans).toHaveLength(3);
      expect(new Set(spans.map((span) => span.traceId)).size).toBe(1);
      expect(process.parentSpanId).toBe(publish.spanId);
      expect(compute.parentSpanId).toBe(process.spanId);
      expect(publish).toMatchObject({
        kind: 'PRODUCER',
        service: 'recorded-rpc',
        scope: 'rpc-chaos.rpc',
        attributes: { 'messaging.system': 'rabbitmq', 'messaging.message.conversation_id': 'c.1', 'rpc.fib.n': 20 },
      });
      expect(process).toMatchObject({
        kind: 'CONSUMER',
        status: { code: 'ERROR', message: 'killed before ack' },
        attributes: { 'messaging.rabbitmq.message.delivery_tag': 7, 'messaging.rabbitmq.redelivered': true },
      });
    },
  );

  it('a request whose caller did not sample it (flags 00) starts no server span', async () => {
    const tracing = await setupTracing({ serviceName: 'unsampled-parent', sampleRatio: 1, budget: 'unlimited' });
    try {
      const server = rpcTracing.startProcessSpan(
        'rpc_queue',
        delivery({ traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00' }),
      );
      expect(server.span.isRecording()).toBe(false);
    } finally {
      await tracing.shutdown();
    }
  });
});
