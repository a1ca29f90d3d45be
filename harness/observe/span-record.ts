import { SpanKind, SpanStatusCode, type Attributes, type AttributeValue, type HrTime } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';

/**
 * One finished span as a line of the JSONL spans file: plain JSON, readable by the
 * reporters without OpenTelemetry. Times are given twice: as OTLP-style decimal strings of
 * nanoseconds (exact) and as epoch microseconds (a safe JS integer until year 2255) for
 * arithmetic.
 */
export interface SpanRecord {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId?: string;
  readonly name: string;
  readonly kind: 'INTERNAL' | 'SERVER' | 'CLIENT' | 'PRODUCER' | 'CONSUMER';
  readonly startTimeUnixNano: string;
  readonly endTimeUnixNano: string;
  readonly startEpochUs: number;
  readonly endEpochUs: number;
  readonly durationMs: number;
  readonly status: { readonly code: 'UNSET' | 'OK' | 'ERROR'; readonly message?: string };
  readonly attributes: Record<string, SpanAttributeValue>;
  readonly events: ReadonlyArray<{
    readonly name: string;
    readonly timeUnixNano: string;
    readonly epochUs: number;
    readonly attributes: Record<string, SpanAttributeValue>;
  }>;
  readonly links: ReadonlyArray<{
    readonly traceId: string;
    readonly spanId: string;
    readonly attributes: Record<string, SpanAttributeValue>;
  }>;
  /** `service.name` of the process that recorded the span. */
  readonly service: string;
  readonly resource: Record<string, SpanAttributeValue>;
  readonly scope: string;
}

export type SpanAttributeValue = string | number | boolean | ReadonlyArray<string | number | boolean | null>;

const KIND_NAMES: Record<SpanKind, SpanRecord['kind']> = {
  [SpanKind.INTERNAL]: 'INTERNAL',
  [SpanKind.SERVER]: 'SERVER',
  [SpanKind.CLIENT]: 'CLIENT',
  [SpanKind.PRODUCER]: 'PRODUCER',
  [SpanKind.CONSUMER]: 'CONSUMER',
};

const STATUS_NAMES: Record<SpanStatusCode, SpanRecord['status']['code']> = {
  [SpanStatusCode.UNSET]: 'UNSET',
  [SpanStatusCode.OK]: 'OK',
  [SpanStatusCode.ERROR]: 'ERROR',
};

/** Exact decimal nanoseconds: seconds then the 9 digits of nanos (no BigInt: export runs per span). */
function hrTimeToNanoString([seconds, nanos]: HrTime): string {
  const fraction = String(nanos).padStart(9, '0');
  return seconds === 0 ? String(nanos) : `${seconds}${fraction}`;
}

function hrTimeToEpochUs([seconds, nanos]: HrTime): number {
  return seconds * 1_000_000 + Math.floor(nanos / 1000);
}

function plainAttributes(attributes: Attributes | undefined): Record<string, SpanAttributeValue> {
  const plain: Record<string, SpanAttributeValue> = {};
  for (const [key, value] of Object.entries(attributes ?? {})) {
    const converted = plainValue(value);
    if (converted !== undefined) plain[key] = converted;
  }
  return plain;
}

function plainValue(value: AttributeValue | undefined): SpanAttributeValue | undefined {
  if (value === undefined) return undefined;
  if (Array.isArray(value)) return value.map((item) => (item === undefined ? null : item));
  return value as string | number | boolean;
}

/** A process's spans share one resource: converted once, not once per span. */
const resourceCache = new WeakMap<
  object,
  { readonly plain: Record<string, SpanAttributeValue>; readonly json: string }
>();

function plainResource(span: ReadableSpan): {
  readonly plain: Record<string, SpanAttributeValue>;
  readonly json: string;
} {
  let cached = resourceCache.get(span.resource);
  if (!cached) {
    const plain = plainAttributes(span.resource.attributes);
    resourceCache.set(span.resource, (cached = { plain, json: JSON.stringify(plain) }));
  }
  return cached;
}

/**
 * The span as one line of the JSONL file (without the newline): toSpanRecord, serialized with the
 * resource's JSON reused.
 */
export function spanRecordLine(span: ReadableSpan): string {
  const { plain, json } = plainResource(span);
  const text = JSON.stringify(recordWithoutResource(span, plain));
  return `${text.slice(0, -1)},"resource":${json}}`;
}

export function toSpanRecord(span: ReadableSpan): SpanRecord {
  const { plain } = plainResource(span);
  return { ...recordWithoutResource(span, plain), resource: plain };
}

function recordWithoutResource(
  span: ReadableSpan,
  resource: Record<string, SpanAttributeValue>,
): Omit<SpanRecord, 'resource'> {
  const context = span.spanContext();
  const parentSpanId = span.parentSpanContext?.spanId;
  const [durationSeconds, durationNanos] = span.duration;
  return {
    traceId: context.traceId,
    spanId: context.spanId,
    ...(parentSpanId ? { parentSpanId } : {}),
    name: span.name,
    kind: KIND_NAMES[span.kind],
    startTimeUnixNano: hrTimeToNanoString(span.startTime),
    endTimeUnixNano: hrTimeToNanoString(span.endTime),
    startEpochUs: hrTimeToEpochUs(span.startTime),
    endEpochUs: hrTimeToEpochUs(span.endTime),
    durationMs: durationSeconds * 1000 + durationNanos / 1_000_000,
    status: {
      code: STATUS_NAMES[span.status.code],
      ...(span.status.message ? { message: span.status.message } : {}),
    },
    attributes: plainAttributes(span.attributes),
    events: span.events.map((event) => ({
      name: event.name,
      timeUnixNano: hrTimeToNanoString(event.time),
      epochUs: hrTimeToEpochUs(event.time),
      attributes: plainAttributes(event.attributes),
    })),
    links: span.links.map((link) => ({
      traceId: link.context.traceId,
      spanId: link.context.spanId,
      attributes: plainAttributes(link.attributes),
    })),
    service: String(resource['service.name'] ?? 'unknown_service'),
    scope: span.instrumentationScope.name,
  };
}
