import { context, diag, propagation, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { detectResources, envDetector, resourceFromAttributes, type Resource } from '@opentelemetry/resources';
import {
  AlwaysOnSampler,
  BasicTracerProvider,
  BatchSpanProcessor,
  NoopSpanProcessor,
  ParentBasedSampler,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { HeadSampler, setActiveHeadSampler } from './head-sampling.ts';
import { JsonlFileSpanExporter } from './jsonl-span-exporter.ts';
import { RPC_TRACER_NAME, setActiveSpanRecorder, SpanRecorder } from './span-recorder.ts';
import { DEFAULT_TRACE_BUDGET, TraceBudgetSampler, type TraceBudget } from './trace-budget.ts';

export interface TracingOptions {
  /** `service.name` of this process's spans: 'rpc-client-1', 'rpc-server-2', 'scenario'. */
  readonly serviceName: string;
  /** JSONL file this process appends its spans to (one file per process is the safe choice). */
  readonly spansFile?: string;
  /**
   * OTLP/HTTP base endpoint (e.g. http://127.0.0.1:4318); `/v1/traces` is appended unless
   * present. Default: OTEL_EXPORTER_OTLP_ENDPOINT. No endpoint, no OTLP export.
   */
  readonly otlpEndpoint?: string;
  /** Fraction of new traces recorded, 0..1 (default 1). Remote parents' decisions are kept. */
  readonly sampleRatio?: number;
  /**
   * At most this many new traces per second and in all (DEFAULT_TRACE_BUDGET unless given);
   * 'unlimited' turns the bound off. It keeps span files bounded on long or fast runs.
   */
  readonly budget?: TraceBudget | 'unlimited';
  /** false: no SDK at all, every span is a no-op and no context is propagated. Default true. */
  readonly enabled?: boolean;
}

export interface TracingHandle {
  readonly enabled: boolean;
  /** Writes out buffered spans, e.g. before a worker reports its final results. */
  forceFlush(): Promise<void>;
  /** Flushes, stops exporting and unregisters the SDK; safe to call twice. */
  shutdown(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * Spans are exported in batches; a process killed with SIGKILL loses the spans still
 * buffered, so the local file is written often (cheap appends) and OTLP every second.
 */
const FILE_EXPORT_DELAY_MS = 200;
const OTLP_EXPORT_DELAY_MS = 1000;
const OTLP_TIMEOUT_MS = 5000;

const DISABLED: TracingHandle = {
  enabled: false,
  forceFlush: async () => {},
  shutdown: async () => {},
  [Symbol.asyncDispose]: async () => {},
};

let active: TracingHandle | undefined;

/**
 * Sets up OpenTelemetry tracing for this process, once, at its edge (CLI or worker entry);
 * everything else uses the plain `trace` / `propagation` API.
 *
 * A tracer provider with: the W3C trace-context propagator, ParentBased(head sampling: the
 * ratio, then the trace budget; see head-sampling.ts), a JSONL file exporter and/or
 * OTLP/HTTP, each behind its own BatchSpanProcessor.
 * Not NodeSDK: it loads every exporter, metrics and logs package it could be configured with
 * (about 1 s of CPU per process here), which is most of a worker's start-up, and nothing of
 * it is used (no auto-instrumentations: instrumentation-amqplib does not patch amqplib 2; no
 * metrics or logs). The OTLP exporter is loaded only when an endpoint is configured.
 *
 * Never throws and never rejects: a tracing problem is logged to `diag` and the run goes on
 * without (or with partial) tracing.
 */
export async function setupTracing(options: TracingOptions): Promise<TracingHandle> {
  if (options.enabled === false) return DISABLED;
  if (active) {
    diag.warn(
      `setupTracing(${options.serviceName}): tracing is already set up in this process; keeping the first setup`,
    );
    return active;
  }
  try {
    const processors = await spanProcessors(options);
    const headSampler = rootSampler(options);
    const resource = serviceResource(options.serviceName);
    const provider = new BasicTracerProvider({
      resource,
      sampler: new ParentBasedSampler({ root: headSampler }),
      spanProcessors: processors,
    });
    // No async-hooks context manager: the RPC code passes every parent context explicitly
    // (from AMQP headers), and AsyncLocalStorage would tax every promise in the process.
    trace.setGlobalTracerProvider(provider);
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    setActiveHeadSampler(headSampler);
    // The RPC path's spans skip the SDK tracer but end in the same processors (span-recorder.ts).
    setActiveSpanRecorder(new SpanRecorder(processors, resource, { name: RPC_TRACER_NAME }));
    let stopped: Promise<void> | undefined;
    const handle: TracingHandle = {
      enabled: true,
      forceFlush: async () => {
        await Promise.all(processors.map((processor) => processor.forceFlush())).catch((error: unknown) => {
          diag.error('tracing: flushing spans failed', error);
        });
      },
      shutdown: () => {
        stopped ??= provider
          .shutdown()
          .catch((error: unknown) => diag.error('tracing: shutdown failed; some spans may be lost', error))
          .finally(() => {
            // Back to the no-op API, so a later setupTracing (a restarted in-process server, tests) can register.
            trace.disable();
            propagation.disable();
            context.disable();
            setActiveHeadSampler(undefined);
            setActiveSpanRecorder(undefined);
            active = undefined;
          });
        return stopped;
      },
      [Symbol.asyncDispose]: () => handle.shutdown(),
    };
    active = handle;
    return handle;
  } catch (error) {
    diag.error(`tracing: setup for ${options.serviceName} failed; continuing without tracing`, error);
    return DISABLED;
  }
}

/**
 * process.pid, then OTEL_RESOURCE_ATTRIBUTES, then service.name (host/process detectors would copy
 * command lines into every span line).
 */
function serviceResource(serviceName: string): Resource {
  return resourceFromAttributes({ 'process.pid': process.pid })
    .merge(detectResources({ detectors: [envDetector] }))
    .merge(resourceFromAttributes({ 'service.name': serviceName }));
}

async function spanProcessors(options: TracingOptions): Promise<SpanProcessor[]> {
  const processors: SpanProcessor[] = [];
  if (options.spansFile) {
    processors.push(
      new BatchSpanProcessor(new JsonlFileSpanExporter(options.spansFile), {
        scheduledDelayMillis: FILE_EXPORT_DELAY_MS,
      }),
    );
  }
  const endpoint = options.otlpEndpoint ?? process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (endpoint) {
    const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http');
    const exporter = new OTLPTraceExporter({ url: tracesUrl(endpoint), timeoutMillis: OTLP_TIMEOUT_MS });
    processors.push(new BatchSpanProcessor(exporter, { scheduledDelayMillis: OTLP_EXPORT_DELAY_MS }));
  }
  // With nothing to export to, still register a provider: spans get real ids and trace
  // context flows on to the next process, whose spans may well be exported.
  if (processors.length === 0) processors.push(new NoopSpanProcessor());
  return processors;
}

/** The base endpoint as OTEL_EXPORTER_OTLP_ENDPOINT means it, or a full traces URL. */
export function tracesUrl(endpoint: string): string {
  const base = endpoint.replace(/\/+$/, '');
  return base.endsWith('/v1/traces') ? base : `${base}/v1/traces`;
}

/** The ratio decides first; the budget then caps how many of those traces this process starts. */
function rootSampler(options: TracingOptions): HeadSampler {
  const ratio = sampleRatio(options.sampleRatio);
  if (options.budget === 'unlimited') return new HeadSampler(ratio, undefined);
  return new HeadSampler(ratio, new TraceBudgetSampler(new AlwaysOnSampler(), options.budget ?? DEFAULT_TRACE_BUDGET));
}

function sampleRatio(ratio: number | undefined): number {
  if (ratio === undefined) return 1;
  if (Number.isFinite(ratio) && ratio >= 0 && ratio <= 1) return ratio;
  const clamped = Number.isFinite(ratio) ? Math.min(1, Math.max(0, ratio)) : 1;
  diag.error(`tracing: sampleRatio must be within 0..1, got ${ratio}; using ${clamped}`);
  return clamped;
}
