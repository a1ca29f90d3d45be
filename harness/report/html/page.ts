import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { escapeHtml, jsonForScript } from './escape.ts';
import { REPORT_CSS } from './styles.ts';

const require = createRequire(import.meta.url);
/** uPlot is inlined, read when the report is generated, so the page opens from disk with no network at all. */
const UPLOT_JS = readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8');
const UPLOT_CSS = readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8');

/**
 * The theme toggle: an explicit choice overrides prefers-color-scheme; charts listen for
 * 'rpc-chaos-theme' to redraw with the new colours (canvas colours are not CSS).
 */
const THEME_SCRIPT = String.raw`
(function () {
  var root = document.documentElement, button = document.getElementById('theme-toggle');
  function isDark() {
    var t = root.getAttribute('data-theme');
    return t ? t === 'dark' : matchMedia('(prefers-color-scheme: dark)').matches;
  }
  function label() { button.textContent = isDark() ? '☀ Light' : '☾ Dark'; }
  button.addEventListener('click', function () {
    root.setAttribute('data-theme', isDark() ? 'light' : 'dark');
    label();
    dispatchEvent(new Event('rpc-chaos-theme'));
  });
  matchMedia('(prefers-color-scheme: dark)').addEventListener('change', function () {
    label();
    dispatchEvent(new Event('rpc-chaos-theme'));
  });
  label();
})();
`;

export interface PageParts {
  readonly title: string;
  readonly body: string;
  /** Embedded as JSON in <script type="application/json" id="report-data">. */
  readonly data: unknown;
  /** Browser code that reads #report-data and draws the charts. */
  readonly chartScript: string;
}

const CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:";

/** One self-contained HTML file; the CSP forbids every request, so nothing can leak out by accident. */
export function renderPage(parts: PageParts): string {
  return `${head(parts.title, UPLOT_CSS + REPORT_CSS)}
<body><main>${parts.body}</main>
<script type="application/json" id="report-data">${jsonForScript(parts.data)}</script>
<script>${UPLOT_JS}</script>
<script>${THEME_SCRIPT}</script>
<script>${parts.chartScript}</script>
</body></html>
`;
}

export interface ChartlessPageParts {
  readonly title: string;
  readonly body: string;
  /** Styles of this page only, after the report's. */
  readonly css: string;
}

/** A page without charts (the suite's matrix): the same head, styles and theme toggle, no uPlot. */
export function renderChartlessPage(parts: ChartlessPageParts): string {
  return `${head(parts.title, REPORT_CSS + parts.css)}
<body><main>${parts.body}</main>
<script>${THEME_SCRIPT}</script>
</body></html>
`;
}

function head(title: string, css: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<title>${escapeHtml(title)}</title>
<style>${css}</style></head>`;
}

export const THEME_BUTTON =
  '<button class="theme" id="theme-toggle" type="button" aria-label="switch light or dark theme">theme</button>';
