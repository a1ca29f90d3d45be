import type { ScenarioResult } from '../../model/result-schema.ts';
import { reportChartData } from './chart-data.ts';
import { REPORT_CHART_SCRIPT } from './chart-script.ts';
import { RESOURCE_CHART_SCRIPT } from './chart-resources-script.ts';
import { escapeHtml } from './escape.ts';
import { renderPage } from './page.ts';
import { renderOverTimeSection, renderSpectrumSection } from './sections/charts.ts';
import { renderCounters } from './sections/counters.ts';
import { renderDiagnosis, renderErrorGroups } from './sections/diagnosis.ts';
import { renderHeader } from './sections/header.ts';
import { renderResourcesSection } from './sections/resources.ts';
import { renderSegments } from './sections/segments.ts';
import { renderTimeline } from './sections/timeline.ts';
import { renderVerdicts } from './sections/verdicts.ts';
import { renderDuplicateTrace } from './tap-waterfall.ts';

/**
 * report.html: one self-contained file, ordered as Gatling and the HdrHistogram plotter order
 * theirs: verdicts, stats, errors and discards, percentile spectrum, over time with fault
 * windows, event timeline, trace waterfall.
 */
export function renderReportHtml(result: ScenarioResult): string {
  const body = [
    renderHeader(result, renderDiagnosis(result)),
    renderVerdicts(result),
    renderCounters(result),
    renderErrorGroups(result),
    renderSegments(result),
    renderSpectrumSection(result),
    renderOverTimeSection(result),
    renderResourcesSection(result),
    renderTimeline(result),
    `<section class="card"><h2>Trace of a duplicate reply</h2>` + `${renderDuplicateTrace(result)}</section>`,
    `<footer>rpc-chaos ${escapeHtml(result.environment.harnessVersion)} · run ${escapeHtml(result.run.id)} · ` +
      `result schema v${result.schemaVersion}` +
      `${result.traces.spansFile ? ` · all spans in ${escapeHtml(result.traces.spansFile)}` : ''}` +
      ` · broker ${escapeHtml(result.environment.broker.description)}</footer>`,
  ].join('\n');
  return renderPage({
    title: `${result.scenario.name}: ${result.verdict.toUpperCase()}`,
    body,
    data: reportChartData(result),
    chartScript: REPORT_CHART_SCRIPT + RESOURCE_CHART_SCRIPT,
  });
}
