import { CHART_COMMON } from './chart-common.ts';

/**
 * The browser side of report.html: draws the spectrum, latency over time (fault windows and
 * event markers) and throughput over time from the embedded JSON. Sets
 * body[data-charts-drawn] to the number of charts drawn, which tests and the benchmark wait for.
 */
export const REPORT_CHART_SCRIPT =
  CHART_COMMON +
  String.raw`
(function () {
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var s = data.series, charts = {}, markersDrawn = 0;
  var lastT = s.t.length ? s.t[s.t.length - 1] : 0;
  var points = { show: s.t.length <= 90, size: 4 };
  var LANES = data.markerVars.length, LANE = 5;

  // Marker lanes sit at the bottom of the plot, in room the latency scale leaves empty there.
  var RESERVE = (LANES * (LANE + 2) + 8) / 250;
  function markerPlugin() {
    return { hooks: { draw: [function (u) {
      var ctx = u.ctx, dpr = RC.dpr, bottom = u.bbox.top + u.bbox.height;
      ctx.save();
      var drawn = 0, colors = data.markerVars.map(RC.css);
      for (var i = 0; i < data.markers.t.length; i++) {
        var x = u.valToPos(data.markers.t[i], 'x', true), c = data.markers.c[i];
        if (x < u.bbox.left || x > u.bbox.left + u.bbox.width) continue;
        ctx.fillStyle = colors[c];
        ctx.fillRect(x - dpr, bottom - (4 + (LANES - c) * (LANE + 2)) * dpr, 2 * dpr, LANE * dpr);
        drawn++;
      }
      markersDrawn = drawn;
      ctx.restore();
    }] } };
  }

  function draw() {
    Object.keys(charts).forEach(function (k) { charts[k].destroy(); });
    charts = {};
    var sync = uPlot.sync('over-time');
    var el = document.getElementById('chart-spectrum');
    if (data.spectrum.x.length > 1) {
      var maxX = data.spectrum.x[data.spectrum.x.length - 1];
      charts.spectrum = new uPlot({
        width: RC.width(el), height: 300,
        scales: { x: { time: false, distr: 3, log: 10, range: function () { return RC.spectrumScale(maxX); } },
          y: RC.latencyScale(RC.isLog('spectrum'), 0) },
        axes: RC.spectrumAxes(), padding: [14, 40, 0, 0],
        cursor: { points: { size: 7 } },
        series: [{ label: 'percentile', value: function (u, v) { return v == null ? '–' : RC.pctLabel(v, true); } },
          { label: 'latency', stroke: RC.css('--p99'), width: 2, points: { show: false },
            value: function (u, v) { return RC.ms(v); } }],
      }, [data.spectrum.x, data.spectrum.ms], el);
    }
    var cursor = { sync: { key: sync.key }, points: { size: 7 } };
    el = document.getElementById('chart-latency');
    if (s.t.length > 0) {
      var lat = function (label, color, width, dash) {
        return { label: label, stroke: RC.css(color), width: width, dash: dash, points: points, spanGaps: false,
          value: function (u, v) { return RC.ms(v); } };
      };
      charts.latency = new uPlot({
        width: RC.width(el), height: 300, plugins: [RC.faultPlugin(data.faults), markerPlugin()], cursor: cursor,
        scales: { x: { time: false, range: function () { return [0, Math.max(lastT, data.intervalS)]; } },
          y: RC.latencyScale(RC.isLog('latency'), RESERVE) }, padding: [14, 24, 0, 0],
        axes: [RC.axis('time since start', { values: RC.timeTick(lastT) }),
          RC.axis('latency', { values: function (u, t) { return t.map(RC.msTick); }, size: 64 })],
        series: [{ label: 'time', value: function (u, v) { return v == null ? '–' : v + ' s'; } },
          lat('p50', '--p50', 1.5), lat('p90', '--p90', 1.5), lat('p99', '--p99', 1.5), lat('max', '--max', 1, [4, 3])],
      }, [s.t, s.p50, s.p90, s.p99, s.max], el);
    }
    el = document.getElementById('chart-throughput');
    if (s.t.length > 0) {
      // Headroom above the line for the fault labels.
      charts.throughput = new uPlot({
        width: RC.width(el), height: 210, plugins: [RC.faultPlugin(data.faults)], cursor: cursor,
        scales: { x: { time: false, range: function () { return [0, Math.max(lastT, data.intervalS)]; } },
          y: { range: function (u, min, max) { return [0, (max || 1) * 1.35]; } } }, padding: [14, 24, 0, 0],
        axes: [RC.axis('time since start', { values: RC.timeTick(lastT) }), RC.axis('answered/s', { size: 64 })],
        series: [{ label: 'time', value: function (u, v) { return v == null ? '–' : v + ' s'; } },
          { label: 'answered/s', stroke: RC.css('--tp'), fill: RC.css('--tp') + '22', width: 1.5, points: points,
            value: function (u, v) { return v == null ? '–' : v.toFixed(1); } }],
      }, [s.t, s.tp], el);
    }
    el = document.getElementById('chart-nodes');
    if (el && data.lanes.length > 0) {
      var n = data.lanes.length, laneColors = data.laneVars.map(RC.css);
      // The same time range as the charts above, so fault windows line up across all three.
      var laneEnd = Math.max(lastT, data.intervalS);
      // Lanes are drawn under the fault plugin's labels; the gap between lanes lets the fault shading show.
      var lanePlugin = { hooks: { drawClear: [function (u) {
        var ctx = u.ctx;
        ctx.save();
        ctx.beginPath(); ctx.rect(u.bbox.left, u.bbox.top, u.bbox.width, u.bbox.height); ctx.clip();
        data.lanes.forEach(function (lane, i) {
          var y0 = u.valToPos(n - i - 0.2, 'y', true), y1 = u.valToPos(n - i - 0.8, 'y', true);
          lane.segments.forEach(function (seg) {
            var x0 = u.valToPos(seg.fromS, 'x', true), x1 = u.valToPos(seg.toS, 'x', true);
            ctx.fillStyle = laneColors[seg.state];
            ctx.fillRect(x0, y0, Math.max(x1 - x0, RC.dpr), y1 - y0);
          });
        });
        ctx.restore();
      }] } };
      var centers = data.lanes.map(function (lane, i) { return n - i - 0.5; });
      charts.nodes = new uPlot({
        width: RC.width(el), height: el.clientHeight, plugins: [lanePlugin, RC.faultPlugin(data.faults)],
        cursor: cursor, legend: { show: false },
        scales: { x: { time: false, range: function () { return [0, laneEnd]; } },
          y: { range: function () { return [0, n + 0.6]; } } }, padding: [14, 24, 0, 0],
        axes: [RC.axis('time since start', { values: RC.timeTick(laneEnd) }),
          RC.axis('', { size: 64, grid: { show: false }, splits: function () { return centers; },
            values: function (u, ticks) {
              return ticks.map(function (v) { return data.lanes[n - 0.5 - v] ? data.lanes[n - 0.5 - v].label : ''; });
            } })],
        series: [{ label: 'time' }, { label: 'node', show: false }],
      }, [[0, laneEnd], [null, null]], el);
    }
    // Exposed for the report's own browser tests, which look at where fault windows and markers were drawn.
    window.rpcChaosCharts = { spectrum: charts.spectrum, latency: charts.latency, throughput: charts.throughput,
      nodes: charts.nodes, faults: data.faults, lanes: data.lanes, markersDrawn: function () { return markersDrawn; } };
    document.body.setAttribute('data-charts-drawn', String(Object.keys(charts).length));
  }
  RC.redrawOn(draw);
  draw();
})();
`;
