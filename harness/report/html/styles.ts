/** The report's styles: light and dark via CSS variables, fixed chart heights (no layout jumps). */
export const REPORT_CSS = `
:root { --bg:#f6f7f9; --card:#fff; --fg:#1d2330; --muted:#5d6675; --border:#dde1e7; --pass:#1a7f37; --fail:#cf222e; --warn:#9a6700;
  --accent:#0969da; --fault:rgba(207,34,46,.12); --fault-line:#cf222e; --grid:rgba(0,0,0,.07); --p50:#0969da; --p90:#8250df; --p99:#bf3989; --max:#9a6700; --tp:#1a7f37; }
[data-theme="dark"] { --bg:#0d1117; --card:#161b22; --fg:#e6edf3; --muted:#8d96a0; --border:#30363d; --pass:#3fb950; --fail:#f85149; --warn:#d29922;
  --accent:#4493f8; --fault:rgba(248,81,73,.16); --fault-line:#f85149; --grid:rgba(255,255,255,.08); --p50:#4493f8; --p90:#a371f7; --p99:#db61a2; --max:#d29922; --tp:#3fb950; }
@media (prefers-color-scheme: dark) { :root:not([data-theme="light"]) { --bg:#0d1117; --card:#161b22; --fg:#e6edf3; --muted:#8d96a0; --border:#30363d; --pass:#3fb950; --fail:#f85149; --warn:#d29922;
  --accent:#4493f8; --fault:rgba(248,81,73,.16); --fault-line:#f85149; --grid:rgba(255,255,255,.08); --p50:#4493f8; --p90:#a371f7; --p99:#db61a2; --max:#d29922; --tp:#3fb950; } }
* { box-sizing: border-box; }
body { margin:0; background:var(--bg); color:var(--fg); font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif; }
main { max-width:1280px; margin:0 auto; padding:20px 24px 48px; }
header.top { display:flex; flex-wrap:wrap; align-items:center; gap:12px 20px; margin-bottom:6px; }
h1 { font-size:22px; margin:0; }
h2 { font-size:16px; margin:0 0 10px; }
.verdict { font-weight:700; padding:3px 12px; border-radius:999px; color:#fff; letter-spacing:.04em; }
.verdict.pass { background:var(--pass); } .verdict.fail, .verdict.error { background:var(--fail); }
.description { color:var(--muted); margin:4px 0 14px; }
.env { display:flex; flex-wrap:wrap; gap:6px 18px; color:var(--muted); font-size:13px; margin-bottom:16px; }
.env b { color:var(--fg); font-weight:600; }
.card { background:var(--card); border:1px solid var(--border); border-radius:10px; padding:16px 18px; margin:14px 0; }
.grid2 { display:grid; grid-template-columns:1fr 1fr; gap:14px; } .grid2 > .card { margin:0; }
@media (max-width: 900px) { .grid2 { grid-template-columns:1fr; } }
table { border-collapse:collapse; width:100%; }
th, td { text-align:left; padding:6px 8px; border-bottom:1px solid var(--border); vertical-align:top; }
th { color:var(--muted); font-weight:600; font-size:12px; text-transform:uppercase; letter-spacing:.03em; }
td.num, th.num { text-align:right; font-variant-numeric:tabular-nums; font-family:ui-monospace,SFMono-Regular,Menlo,monospace; white-space:nowrap; }
.mono { font-family:ui-monospace,SFMono-Regular,Menlo,monospace; font-size:12.5px; }
.ok { color:var(--pass); font-weight:700; } .bad { color:var(--fail); font-weight:700; }
.stats { display:grid; grid-template-columns:repeat(auto-fill,minmax(132px,1fr)); gap:10px; }
.stat { border:1px solid var(--border); border-radius:8px; padding:8px 10px; }
.stat .label { color:var(--muted); font-size:12px; } .stat .value { font:600 18px ui-monospace,SFMono-Regular,Menlo,monospace; }
.stat.alert .value { color:var(--fail); }
.chart { height:340px; position:relative; } .chart.small { height:260px; }
.legend-note { color:var(--muted); font-size:12px; margin-top:6px; }
.timeline { max-height:420px; overflow:auto; }
.kind { display:inline-block; font-size:11.5px; padding:1px 7px; border-radius:999px; border:1px solid var(--border); white-space:nowrap; }
.kind.fault-start, .kind.kill, .kind.broker-restart { border-color:var(--fail); color:var(--fail); }
.kind.discard-duplicate, .kind.discard-late, .kind.discard-unknown { border-color:var(--accent); color:var(--accent); }
.kind.redelivery, .kind.restart, .kind.fault-end, .kind.reconnect { border-color:var(--pass); color:var(--pass); }
.kind.timeout, .kind.error, .kind.connection-lost { border-color:var(--warn); color:var(--warn); }
.waterfall { position:relative; }
.wf-row { display:grid; grid-template-columns:260px 1fr; align-items:center; min-height:28px; border-bottom:1px dashed var(--border); }
.wf-name { font-size:12.5px; overflow:hidden; text-overflow:ellipsis; white-space:nowrap; padding-right:8px; }
.wf-name .proc { color:var(--muted); }
.wf-track { position:relative; height:22px; }
.wf-bar { position:absolute; top:3px; height:16px; border-radius:3px; background:var(--accent); min-width:3px; }
.wf-bar.error { background:var(--fail); } .wf-bar.discard { background:var(--warn); }
.wf-label { position:absolute; top:2px; font-size:11.5px; white-space:nowrap; color:var(--fg); }
.wf-axis { display:grid; grid-template-columns:260px 1fr; color:var(--muted); font-size:11.5px; margin-top:4px; }
.empty { color:var(--muted); font-style:italic; padding:18px 0; }
button.theme { margin-left:auto; background:var(--card); color:var(--fg); border:1px solid var(--border); border-radius:6px; padding:5px 10px; cursor:pointer; }
.uplot { font-family:inherit; } .u-legend { font-size:12px; } .u-legend .u-value { font-variant-numeric:tabular-nums; }
footer { color:var(--muted); font-size:12px; margin-top:26px; }
`;
