import type { ScenarioResult } from '../../../model/result-schema.ts';
import { resourceChartData } from '../chart-resources-data.ts';
import { escapeHtml, jsonForScript } from '../escape.ts';

const MiB = 1024 * 1024;

/**
 * Memory and CPU of every process the run started, over time, with the peak of each in a table:
 * a client that leaks or a server that burns a core shows here, next to the latency it caused.
 */
export function renderResourcesSection(result: ScenarioResult): string {
  const resources = result.resources;
  if (!resources) return '';
  const sampled = resources.processes.filter((p) => p.samples.length > 0);
  if (sampled.length === 0) {
    const why = resources.unavailable ?? 'no process of this run was running while it was sampled';
    return (
      '<section class="card" id="resources"><h2>Memory and CPU</h2>' +
      `<div class="empty">${escapeHtml(why)}</div></section>`
    );
  }
  const rows = sampled
    .map((p) => {
      const peakMiB = Math.max(...p.samples.map((s) => s.rssBytes)) / MiB;
      const lastMiB = p.samples.at(-1)!.rssBytes / MiB;
      const cpu = p.samples.map((s) => s.cpuPercent);
      const meanCpu = cpu.reduce((a, b) => a + b, 0) / cpu.length;
      return (
        `<tr><td><b>${escapeHtml(p.name)}</b></td><td>${p.role}</td>` +
        `<td class="num">${peakMiB.toFixed(1)} MiB</td><td class="num">${lastMiB.toFixed(1)} MiB</td>` +
        `<td class="num">${meanCpu.toFixed(1)} %</td><td class="num">${Math.max(...cpu).toFixed(1)} %</td></tr>`
      );
    })
    .join('');
  const data = resourceChartData({ ...resources, processes: sampled });
  return (
    '<section class="card" id="resources"><h2>Memory and CPU</h2>' +
    '<div id="chart-memory" class="chart small"></div><div id="chart-cpu" class="chart small"></div>' +
    '<table class="data" id="resource-table"><thead><tr><th>process</th><th>role</th>' +
    '<th class="num">peak resident</th><th class="num">last resident</th>' +
    '<th class="num">mean CPU</th><th class="num">peak CPU</th></tr></thead>' +
    `<tbody>${rows}</tbody></table>` +
    `<div class="note">Each process with the processes it started, read from /proc about every ` +
    `${resources.intervalMs / 1000} s; CPU in % of one core. A gap is a process that was not running ` +
    '(killed, or not started yet).</div>' +
    `<script type="application/json" id="resource-data">${jsonForScript(data)}</script></section>`
  );
}
