/**
 * The matrix's styles, on top of the run report's (its palette and dark mode). Statuses differ in
 * symbol, word and badge shape (filled, outlined, dashed, dotted), not in colour alone; the
 * colours are ones that stay apart for red-green colour-blind readers (blue pass, vermilion fail).
 */
const LIGHT = `--st-pass:#0b6bcb; --st-fail:#c0360c; --st-xfail:#6f42c1; --st-xpass:#0b6bcb; --st-error:#8a5300;
  --st-interrupted:#8a5300; --st-notrun:#5d6675; --cell-fail:rgba(192,54,12,.07); --cell-error:rgba(138,83,0,.08);`;
const DARK = `--st-pass:#58a6ff; --st-fail:#ff7b5c; --st-xfail:#b392f0; --st-xpass:#58a6ff; --st-error:#e3b341;
  --st-interrupted:#e3b341; --st-notrun:#9198a1; --cell-fail:rgba(255,123,92,.10); --cell-error:rgba(227,179,65,.10);`;

export const SUITE_CSS = `
:root { ${LIGHT} }
[data-theme="dark"] { ${DARK} }
@media (prefers-color-scheme: dark) { :root:not([data-theme="light"]) { ${DARK} } }
.verdict.warn { background:var(--warn); }
.exit { color:var(--muted); font-size:13px; }
.totals { display:flex; flex-wrap:wrap; gap:8px; margin:12px 0 4px; }
.total { display:flex; align-items:center; gap:8px; border:1px solid var(--border); border-radius:8px; padding:5px 10px;
  background:var(--card); }
.total .n { font:600 17px ui-monospace,SFMono-Regular,"DejaVu Sans Mono",Menlo,Consolas,monospace; }
.total.zero { opacity:.55; }
.legend { color:var(--muted); font-size:12px; margin:6px 0 0; }
.matrix-scroll { overflow-x:auto; }
table.matrix { border-collapse:collapse; width:100%; table-layout:fixed; min-width:var(--matrix-min, 0); }
table.matrix th, table.matrix td { text-align:left; vertical-align:top; padding:8px 10px;
  border-bottom:1px solid var(--border); overflow-wrap:anywhere; }
table.matrix thead th { border-bottom:2px solid var(--border); }
table.matrix col.scenario-col { width:var(--scenario-width, 28%); }
.impl-name { font-size:14px; font-weight:700; }
.impl-cmd { font-size:11.5px; color:var(--muted); font-weight:400; margin-top:3px; }
.impl-cmd .mono { font-size:11.5px; color:var(--fg); }
.scenario-name { font-weight:700; font-family:ui-monospace,SFMono-Regular,"DejaVu Sans Mono",Menlo,Consolas,monospace;
  font-size:13px; }
.scenario-description { color:var(--muted); font-size:12.5px; font-weight:400; margin-top:2px; }
.tags { display:flex; flex-wrap:wrap; gap:4px; margin-top:5px; }
.tags span { font-size:11px; font-weight:400; border:1px solid var(--border); border-radius:999px; padding:0 7px;
  color:var(--muted); }
td.cell.fail { background:var(--cell-fail); }
td.cell.error, td.cell.interrupted { background:var(--cell-error); }
.cell-head { display:flex; flex-wrap:wrap; align-items:center; gap:4px 10px; }
.badge { display:inline-block; font-weight:700; font-size:12px; padding:1px 9px; border-radius:4px; white-space:nowrap;
  border:1.5px solid transparent; }
.badge.pass { background:var(--st-pass); color:var(--card); }
.badge.fail { background:var(--st-fail); color:var(--card); }
.badge.expected-fail { border:1.5px dashed var(--st-xfail); color:var(--st-xfail); }
.badge.unexpected-pass { border-color:var(--st-xpass); color:var(--st-xpass); }
.badge.error { background:var(--st-error); color:var(--card); }
.badge.interrupted { border-color:var(--st-interrupted); color:var(--st-interrupted); }
.badge.not-run { border:1.5px dotted var(--st-notrun); color:var(--st-notrun); font-weight:400; }
.badge.not-applicable { border:1.5px dotted var(--st-notrun); color:var(--muted); font-weight:400; }
td.cell.not-applicable .reason { color:var(--muted); }
.cell-time { font-size:12px; color:var(--muted); font-variant-numeric:tabular-nums; }
.cell-link { font-size:12.5px; color:var(--accent); margin-left:auto; }
.reason { font-size:12.5px; margin-top:5px; }
.reason .k { color:var(--muted); }
td.cell.pass .reason { color:var(--muted); }
.failed-ids { font-size:11.5px; color:var(--muted); margin-top:3px; }
`;
