/**
 * The browser side of the resources section: memory and CPU of each process over time, from the
 * JSON in #resource-data, on the same cursor as the other time charts. Sets
 * body[data-resource-charts-drawn] to the number of charts drawn. Uses RC (chart-common.ts).
 */
export const RESOURCE_CHART_SCRIPT = String.raw`
(function () {
  var source = document.getElementById('resource-data');
  if (!source) return;
  var data = JSON.parse(source.textContent), charts = {};
  // Distinct in light and dark; clients blue-green, servers purple-red, brokers orange, in order.
  var PALETTE = { client: ['#0969da', '#1a7f37', '#0a9396', '#57ab5a', '#539bf5', '#2da44e'],
    server: ['#8250df', '#bf3989', '#d1242f', '#a371f7', '#e85aad'], broker: ['#bc4c00', '#d29922', '#9a6700'] };
  function colorOf(i) {
    var p = data.processes[i], list = PALETTE[p.role] || PALETTE.client, k = 0;
    for (var j = 0; j < i; j++) if (data.processes[j].role === p.role) k++;
    return list[k % list.length];
  }
  var lastT = data.t.length ? data.t[data.t.length - 1] : 1;
  function chart(id, label, pick, unit, digits) {
    var el = document.getElementById(id);
    if (!el || data.t.length === 0) return;
    var series = [{ label: 'time', value: function (u, v) { return v == null ? '–' : v + ' s'; } }];
    data.processes.forEach(function (p, i) {
      series.push({ label: p.name, stroke: colorOf(i), width: 1.5, spanGaps: false,
        points: { show: data.t.length <= 90, size: 4 },
        value: function (u, v) { return v == null ? '–' : v.toFixed(digits) + unit; } });
    });
    charts[id] = new uPlot({
      width: RC.width(el), height: 230, cursor: { sync: { key: uPlot.sync('over-time').key }, points: { size: 7 } },
      scales: { x: { time: false, range: function () { return [0, Math.max(lastT, 1)]; } },
        y: { range: function (u, min, max) { return [0, (max || 1) * 1.1]; } } }, padding: [14, 24, 0, 0],
      axes: [RC.axis('time since start', { values: RC.timeTick(lastT) }), RC.axis(label, { size: 64 })],
      series: series,
    }, [data.t].concat(data.processes.map(pick)), el);
  }
  function draw() {
    Object.keys(charts).forEach(function (k) { charts[k].destroy(); });
    charts = {};
    chart('chart-memory', 'resident MiB', function (p) { return p.rssMiB; }, ' MiB', 1);
    chart('chart-cpu', 'CPU % of a core', function (p) { return p.cpu; }, ' %', 1);
    document.body.setAttribute('data-resource-charts-drawn', String(Object.keys(charts).length));
  }
  RC.redrawOn(draw);
  draw();
})();
`;
