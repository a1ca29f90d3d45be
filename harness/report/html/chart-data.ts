import type { FaultRecord, IntervalPoint, ScenarioResult, TimelineEvent } from '../../model/result-schema.ts';
import { LANE_STATES, nodeLanes, type NodeLane } from './node-lanes.ts';

/** Charts never get more points than this; percentiles stay exact, they come from the summary. */
export const MAX_SERIES_POINTS = 2000;
/** Event markers per category on the time chart: more could not be told apart at any width. */
const MAX_MARKERS_PER_CATEGORY = 1500;

/** Marker lanes under the latency-over-time chart, in drawing order; kinds not listed get no marker. */
export const MARKER_CATEGORIES = [
  {
    id: 'fault',
    cssVar: '--ev-fault',
    label: 'faults, kills, lost connections',
    kinds: ['fault-start', 'kill', 'broker-restart', 'connection-lost', 'connection-blocked', 'consumer-cancelled'],
  },
  {
    id: 'recover',
    cssVar: '--ev-recover',
    label: 'redeliveries, restarts, reconnects',
    kinds: ['redelivery', 'restart', 'reconnect', 'fault-end', 'connection-unblocked'],
  },
  {
    id: 'discard',
    cssVar: '--ev-discard',
    label: 'stale replies (discarded, or delivered to an external client)',
    kinds: [
      'discard-duplicate',
      'discard-late',
      'discard-unknown',
      'duplicate-delivered',
      'late-delivered',
      'unknown-delivered',
    ],
  },
  { id: 'timeout', cssVar: '--ev-timeout', label: 'timeouts, errors', kinds: ['timeout', 'error'] },
] as const satisfies ReadonlyArray<{
  id: string;
  cssVar: string;
  label: string;
  kinds: ReadonlyArray<TimelineEvent['kind']>;
}>;

export interface ChartFault {
  readonly startS: number;
  readonly endS: number;
  readonly label: string;
}

/** What report.html's charts read, as column arrays (uPlot's own data layout, and compact JSON). */
export interface ReportChartData {
  readonly spectrum: { readonly x: number[]; readonly ms: number[] };
  readonly series: {
    t: number[];
    p50: Array<number | null>;
    p90: Array<number | null>;
    p99: Array<number | null>;
    max: Array<number | null>;
    tp: number[];
  };
  readonly intervalS: number;
  readonly faults: ChartFault[];
  /** Event markers: time in seconds and index into markerVars (the CSS colour of the category). */
  readonly markers: { readonly t: number[]; readonly c: number[] };
  readonly markerVars: string[];
  /** One lane per cluster node (empty without a cluster); `state` indexes laneVars. */
  readonly lanes: Array<{ label: string; segments: Array<{ fromS: number; toS: number; state: number }> }>;
  readonly laneVars: string[];
}

export function reportChartData(result: ScenarioResult): ReportChartData {
  const series = downsample(result.latency.series, MAX_SERIES_POINTS);
  const latency = (pick: (p: IntervalPoint) => number) => series.map((p) => (p.count > 0 ? round(pick(p)) : null));
  return {
    spectrum: spectrumColumns(result),
    series: {
      t: series.map((p) => p.tMs / 1000),
      p50: latency((p) => p.p50),
      p90: latency((p) => p.p90),
      p99: latency((p) => p.p99),
      max: latency((p) => p.max),
      tp: series.map((p) => round(p.throughputPerSec)),
    },
    intervalS: result.latency.intervalMs / 1000,
    faults: chartFaults(result.faults),
    markers: markers(result.timeline.events, result.run.durationMs),
    markerVars: MARKER_CATEGORIES.map((c) => c.cssVar),
    lanes: result.cluster ? laneColumns(nodeLanes(result.cluster, runEndMs(result))) : [],
    laneVars: LANE_STATES.map((s) => s.cssVar),
  };
}

/** Where the time charts end: the last interval, or a later node state change. */
function runEndMs(result: ScenarioResult): number {
  const series = result.latency.series;
  const lastInterval = series.length > 0 ? series[series.length - 1]!.tMs + result.latency.intervalMs : 0;
  return Math.max(lastInterval, ...(result.cluster?.nodeStates.map((s) => s.tMs) ?? []));
}

function laneColumns(lanes: readonly NodeLane[]): ReportChartData['lanes'] {
  const index = new Map(LANE_STATES.map((s, i) => [s.state, i]));
  return lanes.map((lane) => ({
    label: lane.label,
    segments: lane.segments.map((s) => ({ fromS: round(s.fromS), toS: round(s.toS), state: index.get(s.state)! })),
  }));
}

/** x = 1/(1-p), the HdrHistogram plot's axis; `inverse` is written by observe/ (finite at 100 %). */
export function spectrumColumns(result: ScenarioResult): { x: number[]; ms: number[] } {
  const points = result.latency.spectrum;
  return {
    x: points.map((p) => p.inverse ?? 1 / Math.max(1e-7, 1 - p.percentile / 100)),
    ms: points.map((p) => p.valueMs),
  };
}

export function chartFaults(faults: readonly FaultRecord[]): ChartFault[] {
  return faults
    .filter((f) => f.fired && f.startMs !== undefined)
    .map((f) => ({
      startS: f.startMs! / 1000,
      endS: Math.max(f.endMs ?? f.startMs!, f.startMs!) / 1000,
      label: faultLabel(f),
    }));
}

/** Short enough to sit above a shaded band: 'kill server-1', 'toxic client-proxy'. */
export function faultLabel(fault: Pick<FaultRecord, 'kind' | 'target'>): string {
  const names: Record<string, string> = {
    'kill-server-at-fault-point': 'kill',
    'kill-server': 'kill',
    'restart-server': 'restart',
    toxic: 'toxic',
    'disable-proxy': 'proxy down',
    'close-connections': 'reset',
    'close-connection': 'reset',
    'restart-broker': 'broker restart',
  };
  return `${names[fault.kind] ?? fault.kind} ${fault.target}`;
}

/** One marker per category and time bucket, so a run with thousands of timeouts stays light. */
function markers(events: readonly TimelineEvent[], durationMs: number): { t: number[]; c: number[] } {
  const bucketMs = Math.max(1, durationMs / MAX_MARKERS_PER_CATEGORY);
  const category = new Map<string, number>();
  for (const [index, c] of MARKER_CATEGORIES.entries()) for (const kind of c.kinds) category.set(kind, index);
  const seen = new Set<string>();
  const t: number[] = [];
  const c: number[] = [];
  for (const event of events) {
    const index = category.get(event.kind);
    if (index === undefined) continue;
    const key = `${index}:${Math.floor(event.tMs / bucketMs)}`;
    if (seen.has(key)) continue;
    seen.add(key);
    t.push(round(event.tMs / 1000));
    c.push(index);
  }
  return { t, c };
}

/** Keeps at most `max` points: per bucket the worst latency and the mean throughput, so spikes survive. */
export function downsample(points: readonly IntervalPoint[], max: number): IntervalPoint[] {
  if (points.length <= max) return [...points];
  const size = Math.ceil(points.length / max);
  const out: IntervalPoint[] = [];
  for (let i = 0; i < points.length; i += size) {
    const bucket = points.slice(i, i + size);
    const worst = (key: 'p50' | 'p90' | 'p99' | 'max') => Math.max(...bucket.map((p) => p[key]));
    out.push({
      tMs: bucket[0]!.tMs,
      count: bucket.reduce((s, p) => s + p.count, 0),
      throughputPerSec: bucket.reduce((s, p) => s + p.throughputPerSec, 0) / bucket.length,
      p50: worst('p50'),
      p90: worst('p90'),
      p99: worst('p99'),
      max: worst('max'),
    });
  }
  return out;
}

/** Microsecond precision is all the HDR data has; more digits only make the file bigger. */
function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
