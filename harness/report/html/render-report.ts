import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { int, ms, rate, seconds } from '../format.ts';
import type { ScenarioResult } from '../result-schema.ts';
import { CHART_SCRIPT } from './chart-script.ts';
import { escapeHtml, jsonForScript } from './escape.ts';
import { REPORT_CSS } from './styles.ts';
import { renderWaterfall } from './waterfall.ts';

const require = createRequire(import.meta.url);
/** uPlot is inlined so the report opens from disk with no network at all. */
const UPLOT_JS = readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8');
const UPLOT_CSS = readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8');

/** Charts never get more points than this; percentiles stay exact, they come from the summary. */
const MAX_SERIES_POINTS = 2000;
const MAX_TIMELINE_ROWS = 500;

/** report.html: one self-contained file, ordered as Gatling and the HdrHistogram plotter order theirs. */
export function renderReportHtml(result: ScenarioResult): string {
  const title = `${result.scenario.name}: ${result.verdict.toUpperCase()}`;
  const body = [
    header(result),
    verdicts(result),
    counters(result),
    `<section class="card"><h2>Latency percentile spectrum</h2><div id="chart-spectrum" class="chart"></div>
      <div class="legend-note">End-to-end call latency from each call's intended start (HdrHistogram, all ${int(result.latency.summary.count)} answered calls); x axis 1/(1−p), log scale.</div></section>`,
    `<section class="card"><h2>Latency over time</h2><div id="chart-latency" class="chart"></div>
      <div class="legend-note">Per-${result.latency.intervalMs / 1000} s percentiles. Shaded: fault windows; dashed lines: instantaneous faults.</div></section>`,
    `<section class="card"><h2>Throughput over time</h2><div id="chart-throughput" class="chart small"></div></section>`,
    timeline(result),
    `<section class="card"><h2>Trace of a duplicate reply</h2>${renderWaterfall(result.traces.duplicateReplyTrace)}</section>`,
    `<footer>rpc-chaos ${escapeHtml(result.environment.harnessVersion)} · run ${escapeHtml(result.run.id)} · result schema v${result.schemaVersion}${result.traces.spansFile ? ` · spans in ${escapeHtml(result.traces.spansFile)}` : ''}</footer>`,
  ].join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>${escapeHtml(title)}</title>
<style>${UPLOT_CSS}</style><style>${REPORT_CSS}</style></head>
<body><main>${body}</main>
<script type="application/json" id="report-data">${jsonForScript(chartData(result))}</script>
<script>${UPLOT_JS}</script>
<script>${CHART_SCRIPT}</script>
</body></html>
`;
}

function header(result: ScenarioResult): string {
  const env = result.environment;
  const load = result.config.load;
  const loadText = load.executor === 'constant-arrival-rate' ? `open loop ${load.ratePerSec}/s per client` : `closed loop, ${load.concurrency} callers per client`;
  return `<header class="top"><h1>${escapeHtml(result.scenario.name)}</h1>
    <span class="verdict ${result.verdict}">${result.verdict === 'error' ? 'HARNESS ERROR' : result.verdict.toUpperCase()}</span>
    ${result.run.interrupted ? '<span class="bad">interrupted</span>' : ''}
    <button class="theme" id="theme-toggle" type="button">light / dark</button></header>
  <div class="description">${escapeHtml(result.scenario.description)}</div>
  <div class="env">
    <span>started <b>${escapeHtml(result.run.startedAt.replace('T', ' ').replace(/\.\d+Z$/, ' UTC'))}</b></span>
    <span>duration <b>${seconds(result.run.durationMs)}</b></span>
    <span>broker <b>${escapeHtml(`${env.broker.kind} RabbitMQ ${env.broker.version}`)}</b></span>
    <span>reply mode <b>${escapeHtml(env.replyMode)}</b></span>
    <span>proxy <b>${escapeHtml(`${env.proxy.kind} ${env.proxy.version}`)}</b></span>
    <span>load <b>${escapeHtml(loadText)}</b></span>
    <span>topology <b>${result.config.servers} servers, ${result.config.clients} clients, prefetch ${result.config.prefetch}${result.config.confirmReplies ? ', confirmed replies' : ''}</b></span>
    <span>timeout <b>${ms(result.config.timeoutMs)}</b></span>
    <span>tracing <b>${env.tracing.enabled ? `${(env.tracing.sampleRatio * 100).toFixed(env.tracing.sampleRatio < 0.1 ? 1 : 0)} % sampled` : 'off'}</b></span>
    <span>node <b>${escapeHtml(env.node)}</b></span><span>seed <b>${result.run.seed}</b></span>
  </div>`;
}

function verdicts(result: ScenarioResult): string {
  const mark = (passed: boolean) => (passed ? '<span class="ok">PASS</span>' : '<span class="bad">FAIL</span>');
  const checks = result.checks.map((c) => `<tr><td>${mark(c.passed)}</td><td>${escapeHtml(c.title)}</td><td>${escapeHtml(c.expectation)}</td><td class="mono">${escapeHtml(c.actual)}</td></tr>`).join('');
  const gates = result.gates.map((g) => `<tr><td>${mark(g.passed)}</td><td class="mono">${escapeHtml(g.expression)}</td><td>${escapeHtml(g.source)}</td><td class="mono">${escapeHtml(g.detail)}</td></tr>`).join('');
  const errors = result.harnessErrors.length ? `<h2 class="bad" style="margin-top:14px">Harness errors</h2><ul>${result.harnessErrors.map((e) => `<li class="mono">${escapeHtml(e)}</li>`).join('')}</ul>` : '';
  return `<section class="card"><h2>Checks</h2><table><thead><tr><th></th><th>check</th><th>must hold</th><th>measured</th></tr></thead><tbody>${checks}</tbody></table>
    ${result.gates.length ? `<h2 style="margin-top:16px">Gates</h2><table><thead><tr><th></th><th>gate</th><th>source</th><th>measured</th></tr></thead><tbody>${gates}</tbody></table>` : ''}${errors}</section>`;
}

function counters(result: ScenarioResult): string {
  const c = result.counters;
  const s = result.latency.summary;
  const stat = (label: string, value: string, alert = false) => `<div class="stat${alert ? ' alert' : ''}"><div class="label">${label}</div><div class="value">${value}</div></div>`;
  const errors = c.remoteErrors + c.connectionLost + c.otherErrors;
  return `<div class="grid2"><section class="card"><h2>Latency</h2><div class="stats">
      ${stat('p50', ms(s.p50))}${stat('p90', ms(s.p90))}${stat('p99', ms(s.p99))}${stat('p99.9', ms(s.p999))}${stat('max', ms(s.max))}${stat('mean', ms(s.mean))}
      ${stat('throughput', rate(result.throughput.callsPerSec))}${stat('server queue wait p99', ms(result.serverLatency.queueWait.p99))}${stat('server service p99', ms(result.serverLatency.service.p99))}
    </div></section>
    <section class="card"><h2>Calls, errors and discards</h2><div class="stats">
      ${stat('sent', int(c.sent))}${stat('answered', int(c.answered))}${stat('timed out', int(c.timedOut), c.timedOut > 0)}
      ${stat('errors', int(errors), errors > 0)}${stat('wrong results', int(c.wrongResult), c.wrongResult > 0)}${stat('dropped', int(c.dropped), c.dropped > 0)}
      ${stat('duplicates discarded', int(c.discarded.duplicate))}${stat('late discarded', int(c.discarded.late))}${stat('unknown discarded', int(c.discarded.unknown))}
      ${stat('redelivered', int(c.redelivered))}${stat('server kills', int(c.serverKills))}${stat('broker restarts', int(c.brokerRestarts))}
    </div></section></div>`;
}

function timeline(result: ScenarioResult): string {
  const events = result.timeline.events;
  const shown = events.slice(0, MAX_TIMELINE_ROWS);
  const rows = shown.map((e) => `<tr><td class="num">${(e.tMs / 1000).toFixed(3)} s</td><td><span class="kind ${escapeHtml(e.kind)}">${escapeHtml(e.kind)}</span></td><td>${escapeHtml(e.process)}</td><td>${escapeHtml(e.detail ?? '')}</td><td class="mono">${escapeHtml(e.traceId ? e.traceId.slice(0, 16) : '')}</td></tr>`).join('');
  const note = events.length > shown.length || result.timeline.dropped > 0
    ? `<div class="legend-note">Showing the first ${shown.length} of ${int(events.length)} events${result.timeline.dropped ? `; ${int(result.timeline.dropped)} more were not kept by the run` : ''}. All kept events are in result.json.</div>` : '';
  const table = events.length === 0 ? '<div class="empty">No events in this run.</div>'
    : `<div class="timeline"><table><thead><tr><th class="num">time</th><th>event</th><th>process</th><th>detail</th><th>trace</th></tr></thead><tbody>${rows}</tbody></table></div>${note}`;
  return `<section class="card"><h2>Event timeline</h2>${table}</section>`;
}

/** What the charts need, downsampled so a 10-minute run stays small. */
function chartData(result: ScenarioResult) {
  const series = downsample(result.latency.series, MAX_SERIES_POINTS);
  return {
    spectrum: [result.latency.spectrum.map((p) => p.inverse ?? 1 / Math.max(1e-9, 1 - p.percentile / 100)), result.latency.spectrum.map((p) => p.valueMs)],
    series: {
      t: series.map((p) => p.tMs / 1000),
      p50: series.map((p) => (p.count ? p.p50 : null)),
      p90: series.map((p) => (p.count ? p.p90 : null)),
      p99: series.map((p) => (p.count ? p.p99 : null)),
      max: series.map((p) => (p.count ? p.max : null)),
      tp: series.map((p) => p.throughputPerSec),
    },
    faults: result.faults.filter((f) => f.fired && f.startMs !== undefined).map((f) => ({
      start: f.startMs!, end: f.endMs ?? f.startMs!, short: shortFaultLabel(f.kind, f.target),
    })),
  };
}

function shortFaultLabel(kind: string, target: string): string {
  const names: Record<string, string> = {
    'kill-server-at-fault-point': 'kill', 'kill-server': 'kill', toxic: 'toxic', 'disable-proxy': 'down', 'close-connections': 'reset', 'restart-broker': 'broker restart',
  };
  return `${names[kind] ?? kind} ${target}`;
}

/** Keeps at most `max` points: per bucket the worst latency and the mean throughput, so spikes survive. */
function downsample<T extends { tMs: number; count: number; throughputPerSec: number; p50: number; p90: number; p99: number; max: number }>(points: readonly T[], max: number): T[] {
  if (points.length <= max) return [...points];
  const size = Math.ceil(points.length / max);
  const out: T[] = [];
  for (let i = 0; i < points.length; i += size) {
    const bucket = points.slice(i, i + size);
    const pick = (key: 'p50' | 'p90' | 'p99' | 'max') => Math.max(...bucket.map((p) => p[key]));
    out.push({ ...bucket[0]!, count: bucket.reduce((s, p) => s + p.count, 0), throughputPerSec: bucket.reduce((s, p) => s + p.throughputPerSec, 0) / bucket.length, p50: pick('p50'), p90: pick('p90'), p99: pick('p99'), max: pick('max') });
  }
  return out;
}
