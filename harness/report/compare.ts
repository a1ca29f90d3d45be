import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { int, ms, rate, signedPercent } from './format.ts';
import { escapeHtml, jsonForScript } from './html/escape.ts';
import { REPORT_CSS } from './html/styles.ts';
import type { ScenarioResult } from './result-schema.ts';

const require = createRequire(import.meta.url);
const UPLOT_JS = readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8');
const UPLOT_CSS = readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8');

interface Row {
  readonly label: string;
  readonly a: number;
  readonly b: number;
  readonly format: (value: number) => string;
  /** Which direction is an improvement; 'none' for plain counts. */
  readonly better: 'lower' | 'higher' | 'none';
}

function rows(a: ScenarioResult, b: ScenarioResult): Row[] {
  const latency = (label: string, pick: (r: ScenarioResult) => number): Row => ({ label, a: pick(a), b: pick(b), format: ms, better: 'lower' });
  const count = (label: string, pick: (r: ScenarioResult) => number, better: Row['better'] = 'lower'): Row => ({ label, a: pick(a), b: pick(b), format: int, better });
  return [
    latency('p50', (r) => r.latency.summary.p50),
    latency('p90', (r) => r.latency.summary.p90),
    latency('p99', (r) => r.latency.summary.p99),
    latency('p99.9', (r) => r.latency.summary.p999),
    latency('max', (r) => r.latency.summary.max),
    { label: 'throughput', a: a.throughput.callsPerSec, b: b.throughput.callsPerSec, format: rate, better: 'higher' },
    count('sent', (r) => r.counters.sent, 'none'),
    count('answered', (r) => r.counters.answered, 'none'),
    count('timed out', (r) => r.counters.timedOut),
    count('errors', (r) => r.counters.remoteErrors + r.counters.connectionLost + r.counters.otherErrors),
    count('wrong results', (r) => r.counters.wrongResult),
    count('dropped', (r) => r.counters.dropped),
    count('duplicates discarded', (r) => r.counters.discarded.duplicate, 'none'),
    count('late discarded', (r) => r.counters.discarded.late, 'none'),
    count('checks failed', (r) => r.checks.filter((c) => !c.passed).length),
  ];
}

function delta(row: Row): { text: string; tone: 'better' | 'worse' | 'same' } {
  const diff = row.b - row.a;
  const pct = row.a === 0 ? (diff === 0 ? 0 : Infinity * Math.sign(diff)) : (diff / Math.abs(row.a)) * 100;
  const text = `${diff >= 0 ? '+' : '−'}${row.format(Math.abs(diff))} (${signedPercent(pct)})`;
  if (diff === 0 || row.better === 'none') return { text, tone: 'same' };
  const improved = row.better === 'lower' ? diff < 0 : diff > 0;
  return { text, tone: improved ? 'better' : 'worse' };
}

const name = (r: ScenarioResult) => `${r.scenario.name} ${r.run.startedAt.replace('T', ' ').replace(/\.\d+Z$/, '')}`;

export function renderCompareMarkdown(a: ScenarioResult, b: ScenarioResult): string {
  const lines = [
    `## rpc-chaos comparison`,
    '',
    `A: ${name(a)} (${a.verdict}) · B: ${name(b)} (${b.verdict})`,
    '',
    '| metric | A | B | B − A |',
    '|---|---:|---:|---:|',
    ...rows(a, b).map((row) => {
      const d = delta(row);
      return `| ${row.label} | ${row.format(row.a)} | ${row.format(row.b)} | ${d.tone === 'worse' ? '🔺 ' : d.tone === 'better' ? '🔻 ' : ''}${d.text} |`;
    }),
    '',
    '| check | A | B |',
    '|---|:---:|:---:|',
    ...checkRows(a, b).map(([title, pa, pb]) => `| ${title} | ${mark(pa)} | ${mark(pb)} |`),
  ];
  return `${lines.join('\n')}\n`;
}

function mark(passed: boolean | undefined): string {
  return passed === undefined ? '–' : passed ? '✅' : '❌';
}

function checkRows(a: ScenarioResult, b: ScenarioResult): Array<[string, boolean | undefined, boolean | undefined]> {
  const titles = [...new Set([...a.checks, ...b.checks].map((c) => c.title))];
  return titles.map((title) => [title, a.checks.find((c) => c.title === title)?.passed, b.checks.find((c) => c.title === title)?.passed]);
}

/** compare.html: side-by-side percentiles, counters and checks with deltas, both spectra on one chart. */
export function renderCompareHtml(a: ScenarioResult, b: ScenarioResult): string {
  const tableRows = rows(a, b).map((row) => {
    const d = delta(row);
    const cls = d.tone === 'worse' ? 'bad' : d.tone === 'better' ? 'ok' : '';
    return `<tr><td>${escapeHtml(row.label)}</td><td class="num">${row.format(row.a)}</td><td class="num">${row.format(row.b)}</td><td class="num ${cls}">${escapeHtml(d.text)}</td></tr>`;
  }).join('');
  const checks = checkRows(a, b).map(([title, pa, pb]) => `<tr><td>${escapeHtml(title)}</td><td>${pa === undefined ? '–' : pa ? '<span class="ok">PASS</span>' : '<span class="bad">FAIL</span>'}</td><td>${pb === undefined ? '–' : pb ? '<span class="ok">PASS</span>' : '<span class="bad">FAIL</span>'}</td></tr>`).join('');
  const spectrum = (r: ScenarioResult) => r.latency.spectrum.map((p) => [p.inverse ?? 1 / Math.max(1e-9, 1 - p.percentile / 100), p.valueMs]);
  const data = { a: spectrum(a), b: spectrum(b) };
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<title>rpc-chaos comparison</title><style>${UPLOT_CSS}</style><style>${REPORT_CSS}</style></head><body><main>
<header class="top"><h1>Comparison</h1><button class="theme" id="theme-toggle" type="button">light / dark</button></header>
<div class="env"><span>A <b>${escapeHtml(name(a))}</b> <span class="verdict ${a.verdict}">${a.verdict.toUpperCase()}</span></span>
<span>B <b>${escapeHtml(name(b))}</b> <span class="verdict ${b.verdict}">${b.verdict.toUpperCase()}</span></span></div>
<section class="card"><h2>Latency, throughput and counters</h2><table><thead><tr><th>metric</th><th class="num">A</th><th class="num">B</th><th class="num">B − A</th></tr></thead><tbody>${tableRows}</tbody></table></section>
<section class="card"><h2>Percentile spectra</h2><div id="chart-compare" class="chart"></div></section>
<section class="card"><h2>Checks</h2><table><thead><tr><th>check</th><th>A</th><th>B</th></tr></thead><tbody>${checks}</tbody></table></section>
</main>
<script type="application/json" id="compare-data">${jsonForScript(data)}</script>
<script>${UPLOT_JS}</script>
<script>${COMPARE_SCRIPT}</script></body></html>
`;
}

const COMPARE_SCRIPT = String.raw`
(function () {
  var d = JSON.parse(document.getElementById('compare-data').textContent);
  var chart;
  function css(n) { return getComputedStyle(document.documentElement).getPropertyValue(n).trim(); }
  function draw() {
    if (chart) chart.destroy();
    var xs = Array.from(new Set(d.a.map(function (p) { return p[0]; }).concat(d.b.map(function (p) { return p[0]; })))).sort(function (x, y) { return x - y; });
    function at(points) { var m = new Map(points.map(function (p) { return [p[0], p[1]]; })); return xs.map(function (x) { return m.has(x) ? m.get(x) : null; }); }
    var labels = { 1: '0%', 2: '50%', 10: '90%', 100: '99%', 1000: '99.9%', 10000: '99.99%', 100000: '99.999%' };
    var el = document.getElementById('chart-compare');
    var ax = function (label, values) { return { label: label, stroke: css('--muted'), grid: { stroke: css('--grid') }, ticks: { stroke: css('--grid') }, values: values }; };
    chart = new uPlot({ width: Math.max(320, el.clientWidth), height: 300,
      scales: { x: { time: false, distr: 3, log: 10 } },
      axes: [ax('percentile', function (u, s) { return s.map(function (v) { return labels[Math.round(v)] || ''; }); }), ax('latency (ms)')],
      series: [{}, { label: 'A', stroke: css('--p50'), width: 2, spanGaps: true }, { label: 'B', stroke: css('--p99'), width: 2, spanGaps: true }] },
      [xs, at(d.a), at(d.b)], el);
    document.body.setAttribute('data-charts-drawn', '1');
  }
  document.getElementById('theme-toggle').addEventListener('click', function () {
    var dark = document.documentElement.getAttribute('data-theme') === 'dark' || (!document.documentElement.getAttribute('data-theme') && matchMedia('(prefers-color-scheme: dark)').matches);
    document.documentElement.setAttribute('data-theme', dark ? 'light' : 'dark');
    draw();
  });
  draw();
})();
`;
