import { escapeHtml } from '../html/escape.ts';
import { renderChartlessPage } from '../html/page.ts';
import { SUITE_FILE, type SuiteResult } from '../../model/suite-schema.ts';
import { suiteVerdict } from './cell-status-text.ts';
import { renderSuiteHeader } from './suite-html-header.ts';
import { renderMatrix } from './suite-html-matrix.ts';
import { SUITE_CSS } from './suite-styles.ts';

/**
 * index.html of a suite folder: one offline page (no request leaves it), the header with the
 * machine and the totals, then the matrix whose cells link to each run's own report.html.
 */
export function renderSuiteHtml(suite: SuiteResult): string {
  const body = [
    renderSuiteHeader(suite),
    renderMatrix(suite),
    `<footer>rpc-chaos ${escapeHtml(suite.environment.harnessVersion)} · suite ${escapeHtml(suite.suite.id)} · ` +
      `suite schema v${suite.schemaVersion}, machine-readable in ${SUITE_FILE} and junit.xml · ` +
      `each cell's run folder holds its result.json, report.html, junit.xml and summary.md</footer>`,
  ].join('\n');
  return renderChartlessPage({
    title: `rpc-chaos suite: ${suiteVerdict(suite.suite.exitCode).word}`,
    body,
    css: SUITE_CSS,
  });
}
