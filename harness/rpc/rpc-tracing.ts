import {
  context,
  ProxyTracerProvider,
  ROOT_CONTEXT,
  SpanStatusCode,
  TraceFlags,
  trace,
  type Context,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import type { ConsumeMessage } from 'amqplib';
import {
  extractTraceContext,
  injectTraceHeaders,
  MESSAGING_ATTRIBUTES,
  remoteSpanContext,
  rpcSpanAttributes,
  rpcSpanKinds,
  rpcSpanNames,
  writeTraceHeaders,
  type AmqpHeaders,
} from '../observe/trace-headers.ts';
import { newTraceParent } from '../observe/head-sampling.ts';
import { activeSpanRecorder, RecordedSpan, RPC_TRACER_NAME, type SpanRecorder } from '../observe/span-recorder.ts';

/**
 * Spans of the RPC path, written against the plain OpenTelemetry API: without a registered
 * SDK (setupTracing in harness/observe) every call here is a no-op. W3C trace context
 * travels only in AMQP `properties.headers`, both ways, so one trace covers client and
 * server processes, and a duplicate reply still carries the trace of the call it answers.
 *
 * Under setupTracing the call's spans are RecordedSpans (span-recorder.ts): the same spans,
 * ids, headers and exporters, without the SDK tracer's per-span cost. With an SDK registered
 * by other means (an application embedding the client), its tracer records them.
 */

/** The no-op provider the API falls back to when no SDK is registered. */
const NOOP_PROVIDER = new ProxyTracerProvider().getDelegate();

/** The provider the cached tracer came from; a new SDK (setupTracing again) gets a new tracer. */
let tracerOf: unknown;
let cachedTracer: Tracer | undefined;

/**
 * The RPC tracer, or undefined when setupTracing registered no SDK: the RPC path then skips
 * span work entirely. Looked up once per provider, not once per call.
 */
function activeTracer(): Tracer | undefined {
  const provider = trace.getTracerProvider();
  const delegate = provider instanceof ProxyTracerProvider ? provider.getDelegate() : provider;
  if (delegate === NOOP_PROVIDER) return undefined;
  if (delegate !== tracerOf) {
    tracerOf = delegate;
    cachedTracer = trace.getTracer(RPC_TRACER_NAME);
  }
  return cachedTracer;
}

/** The header the W3C trace-context propagator (registered by setupTracing) reads. */
const TRACEPARENT_HEADER = 'traceparent';

const NO_CLIENT_SPAN: ClientSpan = {
  span: trace.wrapSpanContext({ traceId: '0'.repeat(32), spanId: '0'.repeat(16), traceFlags: TraceFlags.NONE }),
  end: () => undefined,
};

export interface ServerSpan {
  computeFib(compute: () => bigint): bigint;
  recordBadRequest(error: string): void;
  /** Ends the span; an error message marks it failed (a server killed before ack never gets here). */
  end(error?: string): void;
  readonly span: Span;
}

export interface ClientSpan {
  readonly span: Span;
  end(error?: string): void;
}

export const rpcTracing = {
  /** `rpc_queue publish`: the client's span for one call, from publish until reply or failure. */
  startPublishSpan(queue: string, correlationId: string, n: number, headers: AmqpHeaders): ClientSpan {
    const recorder = activeSpanRecorder();
    const tracer = recorder ? undefined : activeTracer();
    if (!recorder && !tracer) return NO_CLIENT_SPAN;
    // Head sampling first: an unsampled call (99 in 100 at 1 %) starts no span, builds no
    // attributes and carries no headers; it costs one random draw and allocates nothing.
    const parent = newTraceParent();
    if (!parent) return NO_CLIENT_SPAN;
    if (recorder) return recordedPublishSpan(recorder, queue, correlationId, n, headers);
    if (!tracer) return NO_CLIENT_SPAN; // (not reached: one of the two is set)
    const span = tracer.startSpan(rpcSpanNames.publish(queue), { kind: rpcSpanKinds.publish }, parent);
    if (!span.isRecording()) return NO_CLIENT_SPAN;
    span.setAttributes({ ...rpcSpanAttributes({ queue, correlationId, operation: 'send' }), 'rpc.fib.n': n });
    // Only sampled calls carry trace headers: the decision is made once, here, and an
    // unsampled call costs no header encoding on the request or the reply.
    injectTraceHeaders(headers, trace.setSpan(ROOT_CONTEXT, span));
    return clientSpanOf(span);
  },

  /** `rpc_queue process`: the server's span for one delivery, a child of the caller's publish span. */
  startProcessSpan(queue: string, message: ConsumeMessage): ServerSpan {
    const recorder = activeSpanRecorder();
    const tracer = recorder ? undefined : activeTracer();
    if (!recorder && !tracer) return NO_SERVER_SPAN;
    const headers = message.properties.headers as AmqpHeaders | undefined;
    // The W3C propagator needs a traceparent header: without one (an unsampled call) there
    // is nothing to extract, so skip the propagator's work.
    if (headers?.[TRACEPARENT_HEADER] === undefined) return NO_SERVER_SPAN;
    if (recorder) return recordedProcessSpan(recorder, queue, message, headers);
    if (!tracer) return NO_SERVER_SPAN; // (not reached: one of the two is set)
    const extracted = extractTraceContext(headers);
    // A request without trace headers was not sampled by its caller (or came from a client
    // that does not trace, like the tutorial's). The sampler is parent-based, so its span
    // would not record: skip it, and start no trace of our own that would lack the client's half.
    if (!trace.getSpanContext(extracted)) return NO_SERVER_SPAN;
    const parent = extracted;
    const correlationId = message.properties.correlationId as string | undefined;
    const span = tracer.startSpan(rpcSpanNames.process(queue), { kind: rpcSpanKinds.process }, parent);
    if (!span.isRecording()) return { ...NO_SERVER_SPAN, span };
    span.setAttributes({
      ...rpcSpanAttributes({ queue, correlationId, operation: 'process' }),
      'messaging.rabbitmq.message.delivery_tag': message.fields.deliveryTag,
      'messaging.rabbitmq.redelivered': message.fields.redelivered,
    });
    const spanContext = trace.setSpan(parent, span);
    return serverSpanOf(span, () =>
      tracer.startSpan(rpcSpanNames.compute, { kind: rpcSpanKinds.compute }, spanContext),
    );
  },

  /** Puts the span's context into reply headers so the reply belongs to the same trace. */
  injectContext(headers: AmqpHeaders, serverSpan: { span: Span }): void {
    if (!serverSpan.span.isRecording()) return;
    if (serverSpan.span instanceof RecordedSpan) writeTraceHeaders(headers, serverSpan.span.spanContext());
    else injectTraceHeaders(headers, trace.setSpan(context.active(), serverSpan.span));
  },

  /**
   * A discarded reply becomes a short span in the trace it carries (the original call's, when
   * the reply is a duplicate from a redelivery), so the seed's race is visible in the waterfall.
   */
  recordDiscard(kind: string, correlationId: string | undefined, headers: AmqpHeaders | undefined): string | undefined {
    const tracer = activeTracer();
    if (!tracer) return undefined;
    const parent = extractTraceContext(headers);
    // An unsampled call's reply carries no trace: nothing to attach the discard to.
    if (!trace.getSpanContext(parent)) return undefined;
    const span = tracer.startSpan(
      'rpc reply discarded',
      {
        kind: rpcSpanKinds.process,
        attributes: {
          [MESSAGING_ATTRIBUTES.system]: 'rabbitmq',
          [MESSAGING_ATTRIBUTES.conversationId]: correlationId ?? '',
          'rpc.discard.kind': kind,
        },
      },
      parent,
    );
    span.addEvent(`discarded ${kind} reply`);
    span.end();
    const traceId = span.spanContext().traceId;
    return /^0+$/.test(traceId) ? traceIdOf(parent) : traceId;
  },
};

function traceIdOf(ctx: Context): string | undefined {
  const id = trace.getSpanContext(ctx)?.traceId;
  return id && !/^0+$/.test(id) ? id : undefined;
}

const NO_SERVER_SPAN: ServerSpan = {
  span: NO_CLIENT_SPAN.span,
  computeFib: (compute) => compute(),
  recordBadRequest: () => undefined,
  end: () => undefined,
};

/** The client's span as a RecordedSpan: a new trace, its context written straight into the request's headers. */
function recordedPublishSpan(
  recorder: SpanRecorder,
  queue: string,
  correlationId: string,
  n: number,
  headers: AmqpHeaders,
): ClientSpan {
  const attributes = rpcSpanAttributes({ queue, correlationId, operation: 'send' });
  attributes['rpc.fib.n'] = n;
  const span = recorder.startSpan(rpcSpanNames.publish(queue), rpcSpanKinds.publish, undefined, attributes);
  writeTraceHeaders(headers, span.spanContext());
  return clientSpanOf(span);
}

/**
 * The server's span as a RecordedSpan, recorded when the caller sampled the call (parent-based, as
 * the SDK's sampler).
 */
function recordedProcessSpan(
  recorder: SpanRecorder,
  queue: string,
  message: ConsumeMessage,
  headers: AmqpHeaders,
): ServerSpan {
  const parent = remoteSpanContext(headers);
  if (!parent || (parent.traceFlags & TraceFlags.SAMPLED) === 0) return NO_SERVER_SPAN;
  const attributes = rpcSpanAttributes({
    queue,
    correlationId: message.properties.correlationId as string | undefined,
    operation: 'process',
  });
  attributes['messaging.rabbitmq.message.delivery_tag'] = message.fields.deliveryTag;
  attributes['messaging.rabbitmq.redelivered'] = message.fields.redelivered;
  const span = recorder.startSpan(rpcSpanNames.process(queue), rpcSpanKinds.process, parent, attributes);
  return serverSpanOf(span, () =>
    recorder.startSpan(rpcSpanNames.compute, rpcSpanKinds.compute, span.spanContext(), {}),
  );
}

/** The client's handle on its span, SDK or recorded: an error message marks it failed. */
function clientSpanOf(span: Span): ClientSpan {
  return {
    span,
    end(error?: string) {
      if (error) span.setStatus({ code: SpanStatusCode.ERROR, message: error });
      span.end();
    },
  };
}

/** The server's handle on its process span, SDK or recorded; `startComputeSpan` starts its `fib compute` child. */
function serverSpanOf(span: Span, startComputeSpan: () => Span): ServerSpan {
  let ended = false;
  return {
    span,
    computeFib(compute) {
      const child = startComputeSpan();
      try {
        return compute();
      } finally {
        child.end();
      }
    },
    recordBadRequest(error) {
      span.addEvent('bad request', { 'exception.message': error });
    },
    end(error) {
      // The fault point may end the span before the process dies; the first end wins.
      if (ended) return;
      ended = true;
      if (error) span.setStatus({ code: SpanStatusCode.ERROR, message: error });
      span.end();
    },
  };
}
