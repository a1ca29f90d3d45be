/**
 * The report's styles: light and dark via CSS variables, fixed chart heights (no layout jumps).
 * The dark palette is written once and used twice: for the toggle and for prefers-color-scheme.
 */
const LIGHT = `--bg:#f6f7f9; --card:#fff; --fg:#1d2330; --muted:#5d6675; --border:#dde1e7;
  --pass:#1a7f37; --fail:#cf222e; --warn:#9a6700;
  --accent:#0969da; --fault:rgba(207,34,46,.10); --fault-line:#cf222e; --grid:rgba(0,0,0,.07);
  --p50:#0969da; --p90:#8250df; --p99:#bf3989; --max:#9a6700; --tp:#1a7f37;
  --ev-fault:#cf222e; --ev-recover:#1a7f37; --ev-discard:#0969da; --ev-timeout:#9a6700; --row-hi:rgba(154,103,0,.10);
  --lane-up:#7cc98f; --lane-leader:#1a7f37; --lane-paused:#d4a72c; --lane-partitioned:#8250df; --lane-down:#cf222e;`;
const DARK = `--bg:#0d1117; --card:#161b22; --fg:#e6edf3; --muted:#9198a1; --border:#30363d;
  --pass:#3fb950; --fail:#f85149; --warn:#d29922;
  --accent:#4493f8; --fault:rgba(248,81,73,.15); --fault-line:#ff7b72; --grid:rgba(255,255,255,.08);
  --p50:#4493f8; --p90:#a371f7; --p99:#f778ba; --max:#d29922; --tp:#3fb950;
  --ev-fault:#ff7b72; --ev-recover:#3fb950; --ev-discard:#4493f8; --ev-timeout:#d29922; --row-hi:rgba(210,153,34,.14);
  --lane-up:#2e6b3c; --lane-leader:#3fb950; --lane-paused:#d29922; --lane-partitioned:#a371f7; --lane-down:#f85149;`;

const MONO = 'ui-monospace,SFMono-Regular,"DejaVu Sans Mono",Menlo,Consolas,monospace';

export const REPORT_CSS = `
:root { ${LIGHT} color-scheme: light; }
[data-theme="dark"] { ${DARK} color-scheme: dark; }
@media (prefers-color-scheme: dark) { :root:not([data-theme="light"]) { ${DARK} color-scheme: dark; } }
* { box-sizing: border-box; }
body { margin:0; background:var(--bg); color:var(--fg);
  font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif; }
main { max-width:1320px; margin:0 auto; padding:20px 24px 48px; }
header.top { display:flex; flex-wrap:wrap; align-items:center; gap:10px 16px; margin-bottom:4px; }
h1 { font-size:22px; margin:0; }
h2 { font-size:16px; margin:0 0 10px; display:flex; align-items:center; gap:12px; }
.scale-toggle { margin-left:auto; font-size:12.5px; font-weight:400; color:var(--muted); cursor:pointer; }
h3 { font-size:13px; margin:14px 0 8px; color:var(--muted); text-transform:uppercase; letter-spacing:.04em; }
.verdict { font-weight:700; padding:3px 12px; border-radius:999px; color:var(--card); letter-spacing:.04em;
  font-size:13px; }
.verdict.pass { background:var(--pass); } .verdict.fail, .verdict.error { background:var(--fail); }
.verdict.interrupted { background:var(--warn); }
.description { color:var(--muted); margin:2px 0 12px; }
.env { display:grid; grid-template-columns:repeat(auto-fill,minmax(200px,1fr)); gap:6px 16px; font-size:13px;
  margin-bottom:8px; }
.env div { display:flex; flex-direction:column; min-width:0; }
.env .k { color:var(--muted); font-size:11.5px; text-transform:uppercase; letter-spacing:.03em; }
.env .v { font-family:${MONO}; font-size:12.5px; overflow-wrap:anywhere; }
.card { background:var(--card); border:1px solid var(--border); border-radius:10px; padding:16px 18px; margin:14px 0; }
.grid2 { display:grid; grid-template-columns:1fr 1fr; gap:14px; margin:14px 0; } .grid2 > .card { margin:0; }
@media (max-width: 980px) { .grid2 { grid-template-columns:1fr; } }
table.data { border-collapse:collapse; width:100%; }
table.data th, table.data td { text-align:left; padding:6px 8px; border-bottom:1px solid var(--border);
  vertical-align:top; }
table.data th { color:var(--muted); font-weight:600; font-size:11.5px; text-transform:uppercase; letter-spacing:.03em;
  white-space:nowrap; }
table.data tr.failed td { background:rgba(207,34,46,.07); }
.num { text-align:right !important; font-variant-numeric:tabular-nums; font-family:${MONO}; white-space:nowrap; }
.mono { font-family:${MONO}; font-size:12.5px; }
.ok { color:var(--pass); font-weight:700; } .bad { color:var(--fail); font-weight:700; } .muted { color:var(--muted); }
.stats { display:grid; grid-template-columns:repeat(var(--cols,4),minmax(0,1fr)); gap:10px; }
.stats.latency { --cols:8; } .stats.counts { --cols:6; }
@media (max-width: 1100px) { .stats.latency, .stats.counts { --cols:4; } }
.stat { border:1px solid var(--border); border-radius:8px; padding:7px 10px; min-width:0; }
.stat .label { color:var(--muted); font-size:12px; white-space:nowrap; overflow:hidden; text-overflow:ellipsis; }
.stat .value { font:600 18px ${MONO}; white-space:nowrap; }
.stat.alert { border-color:var(--fail); } .stat.alert .value { color:var(--fail); }
.stat.zero .value { color:var(--muted); }
.impact { margin:8px 0 4px; } .impact .stats { --cols:5; margin-bottom:6px; }
.impact table.data td, .impact table.data th { padding:3px 8px; font-size:12.5px; }
.chart { height:340px; position:relative; overflow:hidden; } .chart.small { height:250px; }
.note { color:var(--muted); font-size:12px; margin-top:6px; }
.why { border-left:5px solid var(--fail); } .why.interrupted { border-left-color:var(--warn); }
.why { margin-top:10px; } .why h2 { margin-top:0; } .why p { margin:6px 0; }
.why-calls { font-family:${MONO}; font-size:13px; }
.keys { display:flex; flex-wrap:wrap; gap:4px 16px; font-size:12px; color:var(--muted); margin-top:6px; }
.keys i { display:inline-block; width:10px; height:10px; border-radius:2px; margin-right:5px; vertical-align:-1px; }
.faults { margin-top:10px; font-size:12.5px; max-height:150px; overflow:auto; }
.faults td { padding:3px 8px !important; }
.faults .when { font-family:${MONO}; color:var(--fault-line); white-space:nowrap; }
.timeline { height:420px; overflow:auto; border:1px solid var(--border); border-radius:6px; }
.timeline thead th { position:sticky; top:0; background:var(--card); z-index:1; }
.kind { display:inline-block; font-size:11.5px; padding:0 7px; border-radius:999px; border:1px solid var(--border);
  white-space:nowrap; }
.kind.fault-start, .kind.kill, .kind.broker-restart, .kind.connection-lost { border-color:var(--ev-fault);
  color:var(--ev-fault); }
.kind.discard-duplicate, .kind.discard-late, .kind.discard-unknown, .kind.duplicate-delivered,
  .kind.late-delivered, .kind.unknown-delivered { border-color:var(--ev-discard); color:var(--ev-discard); }
.kind.redelivery, .kind.restart, .kind.fault-end, .kind.reconnect { border-color:var(--ev-recover);
  color:var(--ev-recover); }
.kind.timeout, .kind.error { border-color:var(--ev-timeout); color:var(--ev-timeout); }
.wf { --label:300px; }
.wf-row { display:grid; grid-template-columns:var(--label) 1fr; align-items:center; min-height:28px;
  border-bottom:1px dashed var(--border); }
.wf-row.discard { background:var(--row-hi); }
.wf-proc { display:grid; grid-template-columns:var(--label) 1fr; font-weight:600; font-size:12.5px; padding:8px 0 2px;
  border-bottom:1px solid var(--border); }
.wf-name { font-size:12.5px; overflow:hidden; text-overflow:ellipsis; white-space:nowrap; padding-right:8px; }
.wf-track { position:relative; height:24px; }
.wf-bar { position:absolute; top:4px; height:16px; border-radius:3px; background:var(--accent); min-width:3px; }
.wf-bar.error { background:var(--fail); }
.wf-bar.discard { background:var(--warn); outline:2px solid var(--warn); outline-offset:2px; }
.wf-ev { position:absolute; top:1px; width:2px; height:22px; background:var(--fg); opacity:.6; }
.wf-label { position:absolute; top:3px; font-size:11.5px; white-space:nowrap; font-family:${MONO}; }
.wf-label.error { color:var(--fail); font-weight:600; } .wf-label.discard { color:var(--warn); font-weight:600; }
.wf-axis { display:grid; grid-template-columns:var(--label) 1fr; color:var(--muted); font-size:11.5px; margin-top:4px; }
.wf-ticks { position:relative; height:16px; font-family:${MONO}; }
.wf-ticks span { position:absolute; transform:translateX(-50%); white-space:nowrap; }
.wf-ticks span:first-child { transform:none; } .wf-ticks span:last-child { transform:translateX(-100%); }
.empty { color:var(--muted); padding:26px 0; text-align:center; border:1px dashed var(--border); border-radius:8px; }
button.theme { margin-left:auto; background:var(--card); color:var(--fg); border:1px solid var(--border);
  border-radius:6px; padding:5px 10px; cursor:pointer; font:inherit; font-size:13px; }
.uplot { font-family:inherit; } .u-legend { font-size:12px; color:var(--fg); }
.u-legend .u-value { font-family:${MONO}; }
.run { margin:0; }
.run .tag { display:inline-block; font-weight:700; border:1px solid var(--border); border-radius:4px; padding:0 6px;
  margin-right:4px; }
footer { color:var(--muted); font-size:12px; margin-top:26px; }
`;
