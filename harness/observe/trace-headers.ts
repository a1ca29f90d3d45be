import {
  context,
  createTraceState,
  propagation,
  SpanKind,
  TraceFlags,
  type Attributes,
  type Context,
  type SpanContext,
  type TextMapGetter,
  type TextMapSetter,
} from '@opentelemetry/api';

/**
 * Trace context in AMQP message headers, and the names and attributes of the RPC spans.
 *
 * amqplib 2.x has no OpenTelemetry instrumentation (instrumentation-amqplib patches < 2
 * only), so context crosses processes only here: `propagation.inject` into
 * `properties.headers` on publish and `propagation.extract` from them on consume. With the
 * W3C propagator that is a `traceparent` header (plus `tracestate`), which pika peers of
 * the tutorial can carry too.
 */

export type AmqpHeaders = Record<string, unknown>;

/**
 * Header values arrive as Buffer when the peer sent an AMQP byte array or long string that
 * amqplib did not decode, and as string otherwise; both mean the same text.
 */
const amqpHeaderGetter: TextMapGetter<AmqpHeaders | undefined> = {
  keys: (carrier) => (carrier ? Object.keys(carrier) : []),
  get: (carrier, key) => {
    const value = carrier?.[key];
    if (value === undefined || value === null) return undefined;
    if (Buffer.isBuffer(value)) return value.toString('utf8');
    if (value instanceof Uint8Array) return Buffer.from(value).toString('utf8');
    if (Array.isArray(value))
      return value.map((item) => (Buffer.isBuffer(item) ? item.toString('utf8') : String(item)));
    return String(value);
  },
};

const amqpHeaderSetter: TextMapSetter<AmqpHeaders> = {
  set: (carrier, key, value) => {
    carrier[key] = value;
  },
};

/**
 * Writes the context's trace headers (`traceparent`, `tracestate`) into `headers` in place and
 * returns the same object, ready for `channel.sendToQueue(queue, body, { headers })`.
 * Without a registered SDK this writes nothing.
 */
export function injectTraceHeaders(headers: AmqpHeaders, from: Context = context.active()): AmqpHeaders {
  propagation.inject(from, headers, amqpHeaderSetter);
  return headers;
}

/**
 * The remote parent carried by a message's `properties.headers`, on top of `base`. Missing
 * or malformed headers give `base` back unchanged (a new trace starts), never an error.
 */
export function extractTraceContext(headers: AmqpHeaders | undefined, base: Context = context.active()): Context {
  return propagation.extract(base, headers, amqpHeaderGetter);
}

const TRACEPARENT = 'traceparent';
const TRACESTATE = 'tracestate';
/** W3C trace context's traceparent, as OpenTelemetry's W3CTraceContextPropagator reads it. */
const TRACEPARENT_PATTERN =
  /^\s?((?!ff)[\da-f]{2})-((?![0]{32})[\da-f]{32})-((?![0]{16})[\da-f]{16})-([\da-f]{2})(-.*)?\s?$/;

/**
 * The remote span context in a message's `traceparent` (and `tracestate`) header, read the way
 * the W3C propagator reads it, without building a Context: the RPC hot path needs only this.
 * Undefined when there is none or it is malformed.
 */
export function remoteSpanContext(headers: AmqpHeaders | undefined): SpanContext | undefined {
  const traceparent = amqpHeaderGetter.get(headers, TRACEPARENT);
  const text = Array.isArray(traceparent) ? traceparent[0] : traceparent;
  if (text === undefined) return undefined;
  const match = TRACEPARENT_PATTERN.exec(text);
  // Version 00 has exactly four fields; a later version may append more.
  if (!match || (match[1] === '00' && match[5])) return undefined;
  const state = amqpHeaderGetter.get(headers, TRACESTATE);
  const stateText = Array.isArray(state) ? state.join(',') : state;
  return {
    traceId: match[2]!,
    spanId: match[3]!,
    traceFlags: Number.parseInt(match[4]!, 16),
    isRemote: true,
    ...(stateText ? { traceState: createTraceState(stateText) } : {}),
  };
}

/** Writes a sampled span's context as `traceparent` (and `tracestate`), as the W3C propagator does. */
export function writeTraceHeaders(headers: AmqpHeaders, spanContext: SpanContext): AmqpHeaders {
  headers[TRACEPARENT] =
    `00-${spanContext.traceId}-${spanContext.spanId}-` +
    `0${Number(spanContext.traceFlags || TraceFlags.NONE).toString(16)}`;
  const state = spanContext.traceState?.serialize();
  if (state) headers[TRACESTATE] = state;
  return headers;
}

/** Span names per the house style: `<queue> publish`, `<queue> process`, `fib compute`. */
export const rpcSpanNames = {
  publish: (queue: string) => `${queue} publish`,
  process: (queue: string) => `${queue} process`,
  compute: 'fib compute',
} as const;

/**
 * The client's span is a messaging PRODUCER span; the server's is CONSUMER (the messaging
 * conventions, which a trace UI uses to draw the async hop between processes).
 */
export const rpcSpanKinds = {
  publish: SpanKind.PRODUCER,
  process: SpanKind.CONSUMER,
  compute: SpanKind.INTERNAL,
} as const;

/**
 * Messaging attribute names. They are still "incubating" in @opentelemetry/semantic-conventions
 * 1.45 (only exported from its `/incubating` entry, which the package asks libraries not to
 * depend on), so they are spelled out here, as that package recommends.
 */
export const MESSAGING_ATTRIBUTES = {
  system: 'messaging.system',
  destinationName: 'messaging.destination.name',
  conversationId: 'messaging.message.conversation_id',
  routingKey: 'messaging.rabbitmq.destination.routing_key',
  operationType: 'messaging.operation.type',
} as const;

export interface RpcSpanAttributeInput {
  readonly queue: string;
  readonly correlationId?: string;
  /** Defaults to the queue: the tutorial publishes to the default exchange with routing key = queue. */
  readonly routingKey?: string;
  readonly operation: 'send' | 'process';
}

export function rpcSpanAttributes(input: RpcSpanAttributeInput): Attributes {
  const attributes: Attributes = {
    [MESSAGING_ATTRIBUTES.system]: 'rabbitmq',
    [MESSAGING_ATTRIBUTES.destinationName]: input.queue,
    [MESSAGING_ATTRIBUTES.routingKey]: input.routingKey ?? input.queue,
    [MESSAGING_ATTRIBUTES.operationType]: input.operation,
  };
  if (input.correlationId !== undefined) attributes[MESSAGING_ATTRIBUTES.conversationId] = input.correlationId;
  return attributes;
}
