import { randomFillSync } from 'node:crypto';
import {
  SpanStatusCode,
  TraceFlags,
  type Attributes,
  type AttributeValue,
  type Exception,
  type HrTime,
  type Link,
  type Span,
  type SpanContext,
  type SpanKind,
  type SpanStatus,
  type TimeInput,
  type TraceState,
} from '@opentelemetry/api';
import type { InstrumentationScope } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan, SpanProcessor, TimedEvent } from '@opentelemetry/sdk-trace-base';

/**
 * Spans of the RPC hot path, recorded without the SDK's tracer. At 1 % sampling a sampled call
 * runs rarely, so V8 keeps its code cold (interpreted) for a long time, and the SDK's path is
 * long: sampler, context look-ups, span metrics, attribute sanitizing and limits, time anchoring.
 * Measured in a running client and server at 1 %, starting one SDK span took 60-130 µs, ten
 * times its cost at 100 %. A RecordedSpan is a plain object: the sampling decision was taken
 * before (head sampling), ids come from a pooled random buffer, times from one clock reading.
 *
 * A finished span goes to the same span processors (batching, JSONL file, OTLP) as every SDK
 * span of the process, as a ReadableSpan: exporters see no difference. Processors' onStart is
 * not called (the batch processors used here do nothing on start).
 */
/** The instrumentation scope of the RPC path's spans, recorded or from the SDK tracer alike. */
export const RPC_TRACER_NAME = 'rpc-chaos.rpc';

export class SpanRecorder {
  constructor(
    private readonly processors: readonly SpanProcessor[],
    readonly resource: Resource,
    readonly instrumentationScope: InstrumentationScope,
  ) {}

  /** A recording span, sampled; `parent` undefined starts a new trace. */
  startSpan(name: string, kind: SpanKind, parent: SpanContext | undefined, attributes: Attributes): RecordedSpan {
    return new RecordedSpan(this, name, kind, parent, attributes);
  }

  /** Called once by a span's end(). */
  finished(span: RecordedSpan): void {
    for (const processor of this.processors) processor.onEnd(span);
  }
}

let active: SpanRecorder | undefined;

/** Set by setupTracing with the processors it registered; undefined when it shuts down. */
export function setActiveSpanRecorder(recorder: SpanRecorder | undefined): void {
  active = recorder;
}

/** The recorder of setupTracing, or undefined (no tracing, or an SDK registered by other means). */
export function activeSpanRecorder(): SpanRecorder | undefined {
  return active;
}

export class RecordedSpan implements Span, ReadableSpan {
  readonly attributes: Attributes;
  readonly links: Link[] = [];
  readonly events: TimedEvent[] = [];
  readonly startTime: HrTime;
  endTime: HrTime = [0, 0];
  duration: HrTime = [0, 0];
  status: SpanStatus = { code: SpanStatusCode.UNSET };
  ended = false;
  readonly droppedAttributesCount = 0;
  readonly droppedEventsCount = 0;
  readonly droppedLinksCount = 0;
  readonly parentSpanContext: SpanContext | undefined;
  readonly resource: Resource;
  readonly instrumentationScope: InstrumentationScope;
  private readonly context: SpanContext;
  private readonly startedAt = performance.now();

  constructor(
    private readonly recorder: SpanRecorder,
    public name: string,
    readonly kind: SpanKind,
    parent: SpanContext | undefined,
    attributes: Attributes,
  ) {
    this.attributes = attributes;
    this.startTime = epochHrTime(this.startedAt);
    this.parentSpanContext = parent;
    this.resource = recorder.resource;
    this.instrumentationScope = recorder.instrumentationScope;
    const traceState: TraceState | undefined = parent?.traceState;
    this.context = {
      traceId: parent ? parent.traceId : randomHex(16),
      spanId: randomHex(8),
      traceFlags: TraceFlags.SAMPLED,
      ...(traceState ? { traceState } : {}),
    };
  }

  spanContext(): SpanContext {
    return this.context;
  }

  isRecording(): boolean {
    return !this.ended;
  }

  setAttribute(key: string, value: AttributeValue): this {
    if (!this.ended && value !== undefined) this.attributes[key] = value;
    return this;
  }

  setAttributes(attributes: Attributes): this {
    for (const key of Object.keys(attributes)) this.setAttribute(key, attributes[key]!);
    return this;
  }

  addEvent(name: string, attributesOrTime?: Attributes | TimeInput, time?: TimeInput): this {
    if (this.ended) return this;
    const attributes = isTimeInput(attributesOrTime) ? undefined : attributesOrTime;
    const at = isTimeInput(attributesOrTime) ? attributesOrTime : time;
    this.events.push({
      name,
      attributes: attributes ?? {},
      time: at === undefined ? epochHrTime(performance.now()) : toHrTime(at),
      droppedAttributesCount: 0,
    });
    return this;
  }

  addLink(link: Link): this {
    if (!this.ended) this.links.push(link);
    return this;
  }

  addLinks(links: Link[]): this {
    for (const link of links) this.addLink(link);
    return this;
  }

  setStatus(status: SpanStatus): this {
    if (!this.ended) this.status = status;
    return this;
  }

  updateName(name: string): this {
    if (!this.ended) this.name = name;
    return this;
  }

  recordException(exception: Exception, time?: TimeInput): void {
    const message = typeof exception === 'string' ? exception : (exception.message ?? String(exception));
    this.addEvent('exception', { 'exception.message': message }, time);
  }

  /** The first end wins; later ones are ignored, as in the SDK. */
  end(endTime?: TimeInput): void {
    if (this.ended) return;
    this.ended = true;
    const endedAt = performance.now();
    this.endTime = endTime === undefined ? epochHrTime(endedAt) : toHrTime(endTime);
    // From one monotonic clock, as the SDK does: wall-clock steps cannot make it negative.
    this.duration =
      endTime === undefined
        ? msToHrTime(endedAt - this.startedAt)
        : msToHrTime(Math.max(0, hrTimeToMs(this.endTime) - hrTimeToMs(this.startTime)));
    this.recorder.finished(this);
  }
}

/** A performance.now() reading as epoch [seconds, nanoseconds]. */
function epochHrTime(performanceNowMs: number): HrTime {
  return msToHrTime(performance.timeOrigin + performanceNowMs);
}

function msToHrTime(ms: number): HrTime {
  const seconds = Math.floor(ms / 1000);
  const nanos = Math.min(999_999_999, Math.round((ms - seconds * 1000) * 1e6));
  return [seconds, nanos];
}

function hrTimeToMs([seconds, nanos]: HrTime): number {
  return seconds * 1000 + nanos / 1e6;
}

function isTimeInput(value: unknown): value is TimeInput {
  return (
    typeof value === 'number' ||
    value instanceof Date ||
    (Array.isArray(value) && value.length === 2 && typeof value[0] === 'number')
  );
}

/**
 * An epoch time as the API takes it: HrTime, Date, or a number of epoch milliseconds (a
 * performance.now() reading when small, as the SDK reads it).
 */
function toHrTime(time: TimeInput): HrTime {
  if (Array.isArray(time)) return time as HrTime;
  if (time instanceof Date) return msToHrTime(time.getTime());
  return time < performance.timeOrigin ? epochHrTime(time) : msToHrTime(time);
}

/** Random ids from a pooled buffer: one randomFillSync per 256 ids instead of one call per id. */
const POOL_BYTES = 4096;
const pool = Buffer.alloc(POOL_BYTES);
let poolOffset = POOL_BYTES;

function randomHex(bytes: number): string {
  for (;;) {
    if (poolOffset + bytes > POOL_BYTES) {
      randomFillSync(pool);
      poolOffset = 0;
    }
    const start = poolOffset;
    poolOffset += bytes;
    // All zeros is an invalid id in W3C trace context: draw again (a 1 in 2^64 chance).
    for (let i = start; i < poolOffset; i++) if (pool[i] !== 0) return pool.toString('hex', start, poolOffset);
  }
}
