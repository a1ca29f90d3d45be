import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { context, diag, DiagLogLevel, ROOT_CONTEXT, SpanStatusCode, trace, type DiagLogger } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSpans } from './span-reader.ts';
import {
  extractTraceContext,
  injectTraceHeaders,
  MESSAGING_ATTRIBUTES,
  rpcSpanAttributes,
  rpcSpanKinds,
  rpcSpanNames,
} from './trace-headers.ts';
import { setupTracing, tracesUrl } from './tracing.ts';
import { rpcTracing } from '../rpc/rpc-tracing.ts';
import type { ConsumeMessage } from 'amqplib';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'observe-tracing-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The client and server halves of one RPC, as two "processes" sharing nothing but headers. */
function publishAndProcess(correlationId: string) {
  const client = trace.getTracer('client-process');
  const server = trace.getTracer('server-process');
  const publish = client.startSpan(rpcSpanNames.publish('rpc_queue'), {
    kind: rpcSpanKinds.publish,
    attributes: rpcSpanAttributes({ queue: 'rpc_queue', correlationId, operation: 'send' }),
  });
  const headers = injectTraceHeaders({}, trace.setSpan(context.active(), publish));

  // The server starts from an empty context: all it knows is what arrived in the headers.
  const parent = extractTraceContext(headers, ROOT_CONTEXT);
  const processSpan = server.startSpan(
    rpcSpanNames.process('rpc_queue'),
    {
      kind: rpcSpanKinds.process,
      attributes: rpcSpanAttributes({ queue: 'rpc_queue', correlationId, operation: 'process' }),
    },
    parent,
  );
  // Parents are passed explicitly, as the RPC code does: no async context manager is registered.
  server.startSpan(rpcSpanNames.compute, {}, trace.setSpan(parent, processSpan)).end();
  processSpan.end();
  publish.end();
  return { headers, publish, processSpan };
}

describe('trace context in AMQP headers', { timeout: 30_000 }, () => {
  it('continues the same trace on the other side, with the publish span as parent', async () => {
    const spansFile = join(dir, 'in-process.jsonl');
    const tracing = await setupTracing({ serviceName: 'rpc-test', spansFile });
    try {
      const { headers, publish, processSpan } = publishAndProcess('corr-1');
      expect(headers.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
      expect(processSpan.spanContext().traceId).toBe(publish.spanContext().traceId);
    } finally {
      await tracing.shutdown();
    }

    const spans = await readSpans(spansFile);
    const publishRecord = spans.find((s) => s.name === 'rpc_queue publish')!;
    const processRecord = spans.find((s) => s.name === 'rpc_queue process')!;
    const computeRecord = spans.find((s) => s.name === 'fib compute')!;
    expect(spans).toHaveLength(3);
    expect(new Set(spans.map((s) => s.traceId))).toEqual(new Set([publishRecord.traceId]));
    expect(processRecord.parentSpanId).toBe(publishRecord.spanId);
    expect(computeRecord.parentSpanId).toBe(processRecord.spanId);
    expect(publishRecord.parentSpanId).toBeUndefined();
    expect(publishRecord.kind).toBe('PRODUCER');
    expect(processRecord.kind).toBe('CONSUMER');
    expect(processRecord.attributes).toMatchObject({
      [MESSAGING_ATTRIBUTES.system]: 'rabbitmq',
      [MESSAGING_ATTRIBUTES.destinationName]: 'rpc_queue',
      [MESSAGING_ATTRIBUTES.conversationId]: 'corr-1',
      [MESSAGING_ATTRIBUTES.routingKey]: 'rpc_queue',
    });
    expect(processRecord.service).toBe('rpc-test');
  });

  it('reads header values that amqplib delivers as Buffers the same as strings', () => {
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    // Extraction needs the W3C propagator, which only a tracing setup registers.
    return setupTracing({ serviceName: 'buffers' }).then(async (tracing) => {
      try {
        const fromBuffer = trace.getSpanContext(
          extractTraceContext({ traceparent: Buffer.from(traceparent) }, ROOT_CONTEXT),
        );
        const fromString = trace.getSpanContext(extractTraceContext({ traceparent }, ROOT_CONTEXT));
        expect(fromBuffer).toEqual(fromString);
        expect(fromBuffer?.traceId).toBe('0af7651916cd43dd8448eb211c80319c');
        expect(fromBuffer?.isRemote).toBe(true);
        expect(trace.getSpanContext(extractTraceContext(undefined, ROOT_CONTEXT))).toBeUndefined();
        expect(trace.getSpanContext(extractTraceContext({ traceparent: 'garbage' }, ROOT_CONTEXT))).toBeUndefined();
      } finally {
        await tracing.shutdown();
      }
    });
  });
});

describe('JSONL span file', { timeout: 30_000 }, () => {
  it('writes one parseable span per line with status, events with times, and links', async () => {
    const spansFile = join(dir, 'nested', 'spans.jsonl'); // the directory is created on demand
    const tracing = await setupTracing({ serviceName: 'jsonl-writer', spansFile });
    const tracer = trace.getTracer('jsonl-test');
    const first = tracer.startSpan('rpc_queue publish');
    first.end();
    const second = tracer.startSpan('rpc reply discarded', {
      links: [{ context: first.spanContext(), attributes: { reason: 'duplicate' } }],
    });
    second.addEvent('discarded duplicate reply', { 'messaging.message.conversation_id': 'corr-9' });
    second.setStatus({ code: SpanStatusCode.ERROR, message: 'duplicate' });
    second.end();
    await tracing.shutdown();

    const lines = (await readFile(spansFile, 'utf8')).trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();

    const [, discarded] = await readSpans(spansFile);
    expect(discarded!.status).toEqual({ code: 'ERROR', message: 'duplicate' });
    expect(discarded!.links).toEqual([
      { traceId: first.spanContext().traceId, spanId: first.spanContext().spanId, attributes: { reason: 'duplicate' } },
    ]);
    const [discardEvent] = discarded!.events;
    expect(discardEvent!.name).toBe('discarded duplicate reply');
    expect(discardEvent!.attributes).toEqual({ 'messaging.message.conversation_id': 'corr-9' });
    expect(discardEvent!.epochUs).toBeGreaterThanOrEqual(discarded!.startEpochUs);
    expect(discardEvent!.epochUs).toBeLessThanOrEqual(discarded!.endEpochUs);
    expect(BigInt(discarded!.startTimeUnixNano) / 1000n).toBe(BigInt(discarded!.startEpochUs));
    expect(discarded!.durationMs).toBeGreaterThanOrEqual(0);
    expect(Math.abs(discarded!.startEpochUs / 1000 - Date.now())).toBeLessThan(60_000);
  });

  it('skips a torn last line (a process killed mid-write) but rejects corruption elsewhere', async () => {
    const good = JSON.stringify({ traceId: 't', spanId: 's', name: 'n' });
    const torn = join(dir, 'torn.jsonl');
    await writeFile(torn, `${good}\n${good}\n{"traceId":"t","spa`);
    expect(await readSpans(torn)).toHaveLength(2);

    const corrupt = join(dir, 'corrupt.jsonl');
    await writeFile(corrupt, `${good}\nnot json\n${good}\n`);
    await expect(readSpans(corrupt)).rejects.toThrow(/corrupt\.jsonl:2/);

    expect(await readSpans(join(dir, 'never-written.jsonl'))).toEqual([]);
  });

  it('reports an unwritable spans file to diag and never throws into the traced code', async () => {
    const blocker = join(dir, 'a-file');
    await writeFile(blocker, '');
    const errors: string[] = [];
    const logger: DiagLogger = {
      error: (message, ...args) => errors.push([message, ...args.map(String)].join(' ')),
      warn: () => {},
      info: () => {},
      debug: () => {},
      verbose: () => {},
    };
    diag.setLogger(logger, DiagLogLevel.ERROR);
    try {
      const tracing = await setupTracing({ serviceName: 'unwritable', spansFile: join(blocker, 'spans.jsonl') });
      trace.getTracer('t').startSpan('lost').end();
      await expect(tracing.forceFlush()).resolves.toBeUndefined();
      await expect(tracing.shutdown()).resolves.toBeUndefined();
    } finally {
      diag.disable();
    }
    expect(errors.join('\n')).toMatch(/a-file/);
  });
});

describe('sampling and switching tracing off', { timeout: 30_000 }, () => {
  async function spansRecordedWith(options: { sampleRatio?: number; enabled?: boolean }, name: string) {
    const spansFile = join(dir, `${name}.jsonl`);
    const tracing = await setupTracing({ serviceName: name, spansFile, ...options });
    const headers: Record<string, unknown> = {};
    for (let i = 0; i < 50; i++) publishAndProcess(`corr-${i}`);
    injectTraceHeaders(headers, trace.setSpan(ROOT_CONTEXT, trace.getTracer('t').startSpan('probe')));
    await tracing.shutdown();
    return { spans: await readSpans(spansFile), headers };
  }

  it('records every span at sampleRatio 1', async () => {
    const { spans } = await spansRecordedWith({ sampleRatio: 1 }, 'ratio-one');
    expect(spans.filter((s) => s.name !== 'probe')).toHaveLength(150);
  });

  it('records nothing at sampleRatio 0, yet still propagates the (unsampled) trace context', async () => {
    const { spans, headers } = await spansRecordedWith({ sampleRatio: 0 }, 'ratio-zero');
    expect(spans).toEqual([]);
    expect(headers.traceparent).toMatch(/-00$/);
  });

  it('records nothing and injects nothing when disabled', async () => {
    const { spans, headers } = await spansRecordedWith({ enabled: false }, 'disabled');
    expect(spans).toEqual([]);
    expect(headers).toEqual({});
  });
});

describe('OTLP/HTTP export', { timeout: 30_000 }, () => {
  it('posts spans as OTLP JSON to <endpoint>/v1/traces on a local receiver', async () => {
    const received: Array<{ method?: string; url?: string; headers: IncomingHttpHeaders; body: string }> = [];
    const receiver = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        received.push({
          method: request.method,
          url: request.url,
          headers: request.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        });
        response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = receiver.address() as AddressInfo;
      const tracing = await setupTracing({ serviceName: 'otlp-test', otlpEndpoint: `http://127.0.0.1:${port}` });
      const span = trace.getTracer('otlp').startSpan(rpcSpanNames.publish('rpc_queue'), {
        kind: rpcSpanKinds.publish,
        attributes: rpcSpanAttributes({ queue: 'rpc_queue', correlationId: 'corr-otlp', operation: 'send' }),
      });
      span.end();
      // The RPC path's spans are recorded without the SDK tracer: they must export alike.
      const headers: Record<string, unknown> = {};
      const rpcSpan = rpcTracing.startPublishSpan('rpc_queue', 'corr-recorded', 20, headers);
      const serverSpan = rpcTracing.startProcessSpan('rpc_queue', {
        content: Buffer.from('20'),
        fields: { deliveryTag: 1, redelivered: false, exchange: '', routingKey: 'rpc_queue', consumerTag: 'c' },
        properties: { headers, correlationId: 'corr-recorded' },
      } as unknown as ConsumeMessage);
      serverSpan.end('killed');
      rpcSpan.end();
      await tracing.shutdown();

      expect(received.length).toBeGreaterThanOrEqual(1);
      const [post] = received;
      expect(post!.method).toBe('POST');
      expect(post!.url).toBe('/v1/traces');
      // exporter-trace-otlp-http sends OTLP/JSON (protobuf is exporter-trace-otlp-proto's job).
      expect(post!.headers['content-type']).toBe('application/json');
      const body = JSON.parse(post!.body) as {
        resourceSpans: Array<{
          resource: { attributes: Array<{ key: string; value: { stringValue?: string } }> };
          scopeSpans: Array<{ spans: Array<{ name: string; traceId: string }> }>;
        }>;
      };
      const resourceSpans = body.resourceSpans[0]!;
      expect(resourceSpans.resource.attributes).toContainEqual({
        key: 'service.name',
        value: { stringValue: 'otlp-test' },
      });
      const exported = resourceSpans.scopeSpans[0]!.spans[0]!;
      expect(exported.name).toBe('rpc_queue publish');
      expect(exported.traceId).toBe(span.spanContext().traceId);
      type OtlpSpan = {
        name: string;
        traceId: string;
        spanId: string;
        parentSpanId?: string;
        status?: { code?: number; message?: string };
      };
      const all = received.flatMap((request) =>
        (
          JSON.parse(request.body) as {
            resourceSpans: Array<{ scopeSpans: Array<{ scope: { name: string }; spans: OtlpSpan[] }> }>;
          }
        ).resourceSpans.flatMap((r) =>
          r.scopeSpans.flatMap((s) => s.spans.map((one) => ({ ...one, scope: s.scope.name }))),
        ),
      );
      const publish = all.find(
        (one) => one.traceId === rpcSpan.span.spanContext().traceId && one.name === 'rpc_queue publish',
      );
      const processed = all.find((one) => one.name === 'rpc_queue process');
      expect(publish).toMatchObject({ spanId: rpcSpan.span.spanContext().spanId, scope: 'rpc-chaos.rpc' });
      expect(processed).toMatchObject({
        traceId: publish!.traceId,
        parentSpanId: publish!.spanId,
        status: { code: 2, message: 'killed' },
      });
    } finally {
      await new Promise((resolve) => receiver.close(resolve));
    }
  });

  it('treats the endpoint as OTEL_EXPORTER_OTLP_ENDPOINT does: a base URL unless it already names /v1/traces', () => {
    expect(tracesUrl('http://127.0.0.1:4318')).toBe('http://127.0.0.1:4318/v1/traces');
    expect(tracesUrl('http://127.0.0.1:4318/')).toBe('http://127.0.0.1:4318/v1/traces');
    expect(tracesUrl('http://collector/otlp/v1/traces')).toBe('http://collector/otlp/v1/traces');
  });
});
