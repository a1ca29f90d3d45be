import {
  context,
  propagation,
  SpanKind,
  SpanStatusCode,
  trace,
  type Context,
  type Span,
  type TextMapGetter,
  type TextMapSetter,
} from '@opentelemetry/api';
import type { ConsumeMessage } from 'amqplib';

/**
 * Spans of the RPC path, written against the plain OpenTelemetry API: without a registered
 * SDK (setupTracing in harness/observe) every call here is a no-op. W3C trace context
 * travels only in AMQP `properties.headers`, both ways, so one trace covers client and
 * server processes, and a duplicate reply still carries the trace of the call it answers.
 */

type Headers = Record<string, unknown>;

const headerGetter: TextMapGetter<Headers | undefined> = {
  keys: (carrier) => Object.keys(carrier ?? {}),
  get: (carrier, key) => {
    const value = carrier?.[key];
    if (value === undefined || value === null) return undefined;
    return Buffer.isBuffer(value) ? value.toString('utf8') : String(value);
  },
};

const headerSetter: TextMapSetter<Headers> = {
  set: (carrier, key, value) => {
    carrier[key] = value;
  },
};

const tracer = () => trace.getTracer('rpc-chaos.rpc');

const MESSAGING_ATTRIBUTES = { 'messaging.system': 'rabbitmq' } as const;

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
  startPublishSpan(queue: string, correlationId: string, n: number, headers: Headers): ClientSpan {
    const span = tracer().startSpan(`${queue} publish`, {
      kind: SpanKind.PRODUCER,
      attributes: {
        ...MESSAGING_ATTRIBUTES,
        'messaging.operation.type': 'send',
        'messaging.destination.name': queue,
        'messaging.rabbitmq.destination.routing_key': queue,
        'messaging.message.conversation_id': correlationId,
        'rpc.fib.n': n,
      },
    });
    propagation.inject(trace.setSpan(context.active(), span), headers, headerSetter);
    return {
      span,
      end(error?: string) {
        if (error) span.setStatus({ code: SpanStatusCode.ERROR, message: error });
        span.end();
      },
    };
  },

  /** `rpc_queue process`: the server's span for one delivery, a child of the caller's publish span. */
  startProcessSpan(queue: string, message: ConsumeMessage): ServerSpan {
    const parent = extract(message.properties.headers);
    const span = tracer().startSpan(
      `${queue} process`,
      {
        kind: SpanKind.CONSUMER,
        attributes: {
          ...MESSAGING_ATTRIBUTES,
          'messaging.operation.type': 'process',
          'messaging.destination.name': queue,
          'messaging.message.conversation_id': String(message.properties.correlationId ?? ''),
          'messaging.rabbitmq.message.delivery_tag': message.fields.deliveryTag,
          'messaging.rabbitmq.redelivered': message.fields.redelivered,
        },
      },
      parent,
    );
    const spanContext = trace.setSpan(parent, span);
    let ended = false;
    return {
      span,
      computeFib(compute) {
        const child = tracer().startSpan('fib compute', { kind: SpanKind.INTERNAL }, spanContext);
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
  },

  /** Puts the span's context into reply headers so the reply belongs to the same trace. */
  injectContext(headers: Headers, serverSpan: { span: Span }): void {
    propagation.inject(trace.setSpan(context.active(), serverSpan.span), headers, headerSetter);
  },

  /**
   * A discarded reply becomes a short span in the trace it carries (the original call's, when
   * the reply is a duplicate from a redelivery), so the seed's race is visible in the waterfall.
   */
  recordDiscard(kind: string, correlationId: string | undefined, headers: Headers | undefined): string | undefined {
    const parent = extract(headers);
    const span = tracer().startSpan(
      'rpc reply discarded',
      {
        kind: SpanKind.CONSUMER,
        attributes: {
          ...MESSAGING_ATTRIBUTES,
          'messaging.message.conversation_id': correlationId ?? '',
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

  traceIdOfHeaders(headers: Headers | undefined): string | undefined {
    return traceIdOf(extract(headers));
  },
};

function extract(headers: Headers | undefined): Context {
  return propagation.extract(context.active(), headers, headerGetter);
}

function traceIdOf(ctx: Context): string | undefined {
  const id = trace.getSpanContext(ctx)?.traceId;
  return id && !/^0+$/.test(id) ? id : undefined;
}
