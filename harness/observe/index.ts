/** Observation building blocks: HDR latency, interval series, event timeline, tracing. See README.md. */
export {
  clampLatencyUs,
  createLatencyHistogram,
  decodeHistogram,
  encodeHistogram,
  HISTOGRAM_BOUNDS,
  mergeHistograms,
  type Histogram,
} from './histogram.ts';
export { LatencyRecorder, type EncodedRecording, type LatencyRecorderOptions } from './latency-recorder.ts';
export {
  CallsByStartRecorder,
  mergeCallsByStart,
  CALL_OUTCOMES,
  type CallOutcome,
  type CallsByStartResult,
  type EncodedCallsByStart,
  type OutcomeCounts,
} from './calls-by-start.ts';
export { percentileSpectrum, summarize, type LatencySummary, type PercentilePoint } from './latency-summary.ts';
export {
  intervalSeries,
  latencyResult,
  mergeRecordings,
  type IntervalPoint,
  type IntervalSeriesOptions,
  type LatencyResult,
  type MergedLatency,
} from './interval-series.ts';
export {
  Timeline,
  TIMELINE_EVENT_KINDS,
  type TimelineEvent,
  type TimelineEventKind,
  type TimelineOptions,
} from './timeline.ts';
export { setupTracing, tracesUrl, type TracingHandle, type TracingOptions } from './tracing.ts';
export {
  extractTraceContext,
  injectTraceHeaders,
  MESSAGING_ATTRIBUTES,
  rpcSpanAttributes,
  rpcSpanKinds,
  rpcSpanNames,
  type AmqpHeaders,
  type RpcSpanAttributeInput,
} from './trace-headers.ts';
export { JsonlFileSpanExporter } from './jsonl-span-exporter.ts';
export { readSpans, spansByTrace } from './span-reader.ts';
export type { SpanAttributeValue, SpanRecord } from './span-record.ts';
