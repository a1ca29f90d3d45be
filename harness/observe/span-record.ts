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

const NANOS_PER_SECOND = 1_000_000_000n;

function hrTimeToNanoString([seconds, nanos]: HrTime): string {
  return (BigInt(seconds) * NANOS_PER_SECOND + BigInt(nanos)).toString();
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

export function toSpanRecord(span: ReadableSpan): SpanRecord {
  const context = span.spanContext();
  const resource = plainAttributes(span.resource.attributes);
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
    resource,
    scope: span.instrumentationScope.name,
  };
}
