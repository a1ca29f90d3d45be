import { int, ms } from '../../format.ts';
import type { ScenarioResult } from '../../../model/result-schema.ts';
import { faultLabel, MARKER_CATEGORIES } from '../chart-data.ts';
import { LANE_STATES } from '../node-lanes.ts';
import { escapeHtml } from '../escape.ts';
import { lossDetectionRows } from '../../loss-detection-view.ts';

/** The HdrHistogram plot: latency by percentile on a log 1/(1-p) axis. */
export function renderSpectrumSection(result: ScenarioResult): string {
  const s = result.latency.summary;
  const body =
    result.latency.spectrum.length > 1
      ? '<div id="chart-spectrum" class="chart"></div>'
      : '<div class="empty">No answered calls: no latency distribution to draw.</div>';
  return (
    `<section class="card"><h2>Latency percentile spectrum ${logToggle('spectrum')}</h2>${body}
    <div class="note">All ${int(s.count)} answered calls (HdrHistogram). ` +
    `p50 ${ms(s.p50)} · p90 ${ms(s.p90)} · p99 ${ms(s.p99)} · p99.9 ${ms(s.p999)} · max ${ms(s.max)}.</div></section>`
  );
}

/** Latency percentiles and throughput over time, the run's faults shaded and listed, events marked. */
export function renderOverTimeSection(result: ScenarioResult): string {
  const seconds = (msValue: number) => `${(msValue / 1000).toFixed(msValue % 1000 === 0 ? 0 : 1)} s`;
  const faults = result.faults
    .map((f) => {
      const when =
        !f.fired || f.startMs === undefined
          ? 'not fired'
          : f.endMs === undefined || f.endMs <= f.startMs
            ? `at ${seconds(f.startMs)}`
            : `${seconds(f.startMs)}–${seconds(f.endMs)}`;
      return (
        `<tr class="${f.fired ? '' : 'muted'}"><td class="when">${when}</td>` +
        `<td><b>${escapeHtml(faultLabel(f))}</b></td><td>${escapeHtml(f.description)}</td>` +
        `<td class="muted">${escapeHtml(f.trigger)}</td></tr>`
      );
    })
    .join('');
  const keys = MARKER_CATEGORIES.map((c) => `<span><i style="background:var(${c.cssVar})"></i>${c.label}</span>`).join(
    '',
  );
  const empty = result.latency.series.length === 0;
  const chart = (id: string, cls: string) =>
    empty ? '<div class="empty">No interval data.</div>' : `<div id="${id}" class="chart${cls}"></div>`;
  const faultList = result.faults.length
    ? '<div class="faults"><table class="data" id="fault-list">' +
      '<thead><tr><th>when</th><th>fault</th><th>what</th><th>trigger</th></tr></thead>' +
      `<tbody>${faults}</tbody></table></div>`
    : '<div class="note">No faults were scheduled in this run.</div>';
  const detections = lossDetectionRows(result);
  const detectionList = detections.length
    ? '<div class="faults"><table class="data" id="loss-detection">' +
      '<thead><tr><th>fault</th><th>process</th><th>noticed after</th><th>through</th><th>how</th>' +
      '<th>reconnected after</th></tr></thead><tbody>' +
      detections
        .map(
          (each) =>
            `<tr><td>${escapeHtml(each.fault)}</td><td>${escapeHtml(each.process)}</td><td>${each.noticed}</td>` +
            `<td>${escapeHtml(each.through)}</td><td>${escapeHtml(each.how)}</td><td>${each.reconnected}</td></tr>`,
        )
        .join('') +
      '</tbody></table></div>'
    : '';
  return (
    `<section class="card"><h2>Latency over time ${logToggle('latency')}</h2>${chart('chart-latency', '')}
    <div class="keys"><span><i style="background:var(--fault)"></i>fault window</span>` +
    `<span>┆ instantaneous fault</span>${keys}</div>
    ${faultList}${detectionList}
    <div class="note">Per-${result.latency.intervalMs / 1000} s percentiles; ` +
    'lanes under the zero line mark timeline events. ' +
    `Hover to read values; both time charts share the cursor.</div></section>
  <section class="card"><h2>Throughput over time</h2>${chart('chart-throughput', ' small')}</section>` +
    `${renderNodeLanes(result)}`
  );
}

/** One lane per cluster node: up, quorum leader, paused, partitioned, down, on the same time axis. */
function renderNodeLanes(result: ScenarioResult): string {
  const cluster = result.cluster;
  if (!cluster) return '';
  const keys = LANE_STATES.map((s) => `<span><i style="background:var(${s.cssVar})"></i>${s.label}</span>`).join('');
  const height = 64 + 36 * cluster.nodes.length;
  return (
    '<section class="card"><h2>Cluster nodes</h2>' +
    `<div id="chart-nodes" class="chart" style="height:${height}px"></div>
    <div class="keys">${keys}<span><i style="background:var(--fault)"></i>fault window</span></div>
    <div class="note">${cluster.nodes.length} nodes, ${escapeHtml(cluster.queueType)} queue, ` +
    `partition handling ${escapeHtml(cluster.partitionHandling)}; ` +
    'states as the harness set or saw them.</div></section>'
  );
}

/** Latency spans decades when a fault bites; a log axis shows the quiet part and the spike at once. */
function logToggle(chart: string): string {
  return `<label class="scale-toggle"><input type="checkbox" data-log="${chart}"> log latency axis</label>`;
}
