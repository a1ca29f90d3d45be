import { compareRows, delta, runName, verdictPairs, type VerdictPair } from '../compare.ts';
import type { ScenarioResult } from '../../model/result-schema.ts';
import { proxyText } from '../harness-overhead-text.ts';
import { spectrumColumns } from './chart-data.ts';
import { CHART_COMMON } from './chart-common.ts';
import { escapeHtml } from './escape.ts';
import { renderPage, THEME_BUTTON } from './page.ts';

/**
 * compare.html: side-by-side percentiles, throughput, counters and verdicts with deltas;
 * both spectra on one log chart.
 */
export function renderCompareHtml(a: ScenarioResult, b: ScenarioResult): string {
  const rows = compareRows(a, b);
  const table = (group: string) =>
    rows
      .filter((r) => r.group === group || (group === 'latency' && r.group === 'throughput'))
      .map((row) => {
        const d = delta(row);
        const cls = d.tone === 'worse' ? 'bad' : d.tone === 'better' ? 'ok' : 'muted';
        const word = d.tone === 'worse' ? ' ▲ worse' : d.tone === 'better' ? ' ▼ better' : '';
        return (
          `<tr><td>${escapeHtml(row.label)}</td><td class="num">${row.format(row.a)}</td>` +
          `<td class="num">${row.format(row.b)}</td><td class="num ${cls}">${escapeHtml(d.text)}${word}</td></tr>`
        );
      })
      .join('');
  const head =
    '<thead><tr><th>metric</th><th class="num">A</th><th class="num">B</th><th class="num">B − A</th></tr></thead>';
  const verdict = (v: VerdictPair['a']) =>
    v === undefined
      ? '<span class="muted">–</span>'
      : v.passed
        ? '<span class="ok">PASS</span>'
        : '<span class="bad">FAIL</span>';
  const verdicts = verdictPairs(a, b)
    .map(
      (p) =>
        `<tr><td class="muted">${p.kind}</td><td>${escapeHtml(p.name)}</td>` +
        `<td>${verdict(p.a)}</td><td class="mono">${escapeHtml(p.a?.numbers ?? '')}</td>` +
        `<td>${verdict(p.b)}</td><td class="mono">${escapeHtml(p.b?.numbers ?? '')}</td></tr>`,
    )
    .join('');
  const run = (tag: string, r: ScenarioResult) =>
    `<div class="card run"><span class="tag">${tag}</span> <b>${escapeHtml(runName(r))}</b> ` +
    `<span class="verdict ${r.verdict}">${r.verdict.toUpperCase()}</span>
    <div class="muted mono" style="margin-top:4px">${escapeHtml(
      `${r.environment.broker.kind} RabbitMQ ${r.environment.broker.version} · ${r.environment.replyMode} · ` +
        `${proxyText(r.environment, false)} · node ${r.environment.node} · ` +
        `rpc-chaos ${r.environment.harnessVersion} · ${r.run.id}`,
    )}</div></div>`;
  const body =
    `<header class="top"><h1>Comparison: A → B</h1>${THEME_BUTTON}</header>
    <div class="grid2">${run('A', a)}${run('B', b)}</div>
    <div class="grid2"><section class="card"><h2>Latency and throughput</h2>` +
    `<table class="data" id="compare-latency">${head}<tbody>${table('latency')}</tbody></table></section>
    <section class="card"><h2>Counters</h2>` +
    `<table class="data" id="compare-counters">${head}<tbody>${table('counters')}</tbody></table></section></div>
    <section class="card"><h2>Percentile spectra ` +
    `<label class="scale-toggle"><input type="checkbox" data-log="compare"> log latency axis</label></h2>` +
    `<div id="chart-compare" class="chart"></div>
      <div class="note">Both runs' HdrHistogram percentile distributions on one log 1/(1−p) axis. ` +
    `Lower is better.</div></section>
    <section class="card"><h2>Checks and gates</h2><table class="data" id="compare-verdicts"><thead><tr>` +
    `<th></th><th>name</th><th>A</th><th>A numbers</th><th>B</th><th>B numbers</th>` +
    `</tr></thead><tbody>${verdicts}</tbody></table></section>`;
  return renderPage({
    title: `rpc-chaos comparison: ${a.scenario.name}`,
    body,
    data: { a: spectrumColumns(a), b: spectrumColumns(b) },
    chartScript: COMPARE_CHART_SCRIPT,
  });
}

/** Both spectra on one x axis: the union of both runs' x values, each series null where it has no point. */
const COMPARE_CHART_SCRIPT =
  CHART_COMMON +
  String.raw`
(function () {
  var d = JSON.parse(document.getElementById('report-data').textContent);
  var chart;
  var xs = Array.from(new Set(d.a.x.concat(d.b.x))).sort(function (p, q) { return p - q; });
  function at(s) {
    var m = new Map();
    s.x.forEach(function (x, i) { m.set(x, s.ms[i]); });
    return xs.map(function (x) { return m.has(x) ? m.get(x) : null; });
  }
  var ya = at(d.a), yb = at(d.b);
  function draw() {
    if (chart) chart.destroy();
    var el = document.getElementById('chart-compare');
    chart = new uPlot({ width: RC.width(el), height: 300, padding: [14, 40, 0, 0],
      scales: { x: { time: false, distr: 3, log: 10,
          range: function () { return RC.spectrumScale(xs[xs.length - 1] || 10); } },
        y: RC.latencyScale(RC.isLog('compare'), 0) },
      axes: RC.spectrumAxes(),
      series: [{ label: 'percentile', value: function (u, v) { return v == null ? '–' : RC.pctLabel(v, true); } },
        { label: 'A', stroke: RC.css('--p50'), width: 2, spanGaps: true, points: { show: false },
          value: function (u, v) { return RC.ms(v); } },
        { label: 'B', stroke: RC.css('--p99'), width: 2, spanGaps: true, points: { show: false },
          value: function (u, v) { return RC.ms(v); } }] },
      [xs, ya, yb], el);
    window.rpcChaosCharts = { compare: chart };
    document.body.setAttribute('data-charts-drawn', '1');
  }
  RC.redrawOn(draw);
  draw();
})();
`;
