/**
 * The browser side of report.html: draws the charts with uPlot from the embedded JSON.
 * Plain ES2019 in a string, since it runs in the reader's browser, not in Node.
 */
export const CHART_SCRIPT = String.raw`
(function () {
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var charts = [];
  function css(name) { return getComputedStyle(document.documentElement).getPropertyValue(name).trim(); }
  function width(el) { return Math.max(320, el.clientWidth); }

  // Fault windows: shaded bands with a label, or a line for instantaneous faults.
  function faultPlugin(faults) {
    return { hooks: { draw: [function (u) {
      var ctx = u.ctx, top = u.bbox.top, height = u.bbox.height;
      ctx.save();
      ctx.font = (11 * devicePixelRatio) + 'px system-ui, sans-serif';
      faults.forEach(function (f, i) {
        var x0 = u.valToPos(f.start / 1000, 'x', true);
        var x1 = u.valToPos(Math.max(f.end, f.start) / 1000, 'x', true);
        if (x1 - x0 < 2 * devicePixelRatio) {
          ctx.strokeStyle = css('--fault-line'); ctx.lineWidth = 1.5 * devicePixelRatio; ctx.setLineDash([4 * devicePixelRatio, 3 * devicePixelRatio]);
          ctx.beginPath(); ctx.moveTo(x0, top); ctx.lineTo(x0, top + height); ctx.stroke(); ctx.setLineDash([]);
        } else {
          ctx.fillStyle = css('--fault'); ctx.fillRect(x0, top, x1 - x0, height);
        }
        ctx.fillStyle = css('--fault-line');
        ctx.fillText(f.short, x0 + 4 * devicePixelRatio, top + (12 + 13 * (i % 3)) * devicePixelRatio);
      });
      ctx.restore();
    }] } };
  }

  function axis(label, values) {
    return { label: label, stroke: css('--muted'), grid: { stroke: css('--grid') }, ticks: { stroke: css('--grid') }, values: values };
  }

  function drawAll() {
    charts.forEach(function (c) { c.destroy(); });
    charts = [];
    var series = data.series;

    var spectrumEl = document.getElementById('chart-spectrum');
    if (spectrumEl && data.spectrum[0].length > 1) {
      var labels = { 1: '0%', 2: '50%', 10: '90%', 100: '99%', 1000: '99.9%', 10000: '99.99%', 100000: '99.999%', 1000000: '99.9999%' };
      charts.push(new uPlot({
        width: width(spectrumEl), height: 300,
        scales: { x: { time: false, distr: 3, log: 10 }, y: { range: function (u, min, max) { return [0, max * 1.05 || 1]; } } },
        axes: [axis('percentile', function (u, splits) { return splits.map(function (v) { return labels[Math.round(v)] || ''; }); }), axis('latency (ms)')],
        series: [{ label: 'percentile', value: function (u, v) { return v == null ? '' : (100 * (1 - 1 / v)).toFixed(4).replace(/0+$/, '').replace(/\.$/, '') + '%'; } },
          { label: 'latency ms', stroke: css('--p99'), width: 2, value: function (u, v) { return v == null ? '' : v.toFixed(3); } }],
      }, data.spectrum, spectrumEl));
    }

    var latencyEl = document.getElementById('chart-latency');
    if (latencyEl && series.t.length > 0) {
      charts.push(new uPlot({
        width: width(latencyEl), height: 300, plugins: [faultPlugin(data.faults)],
        scales: { x: { time: false } },
        axes: [axis('seconds since start'), axis('latency (ms)')],
        series: [{ label: 's' },
          { label: 'p50', stroke: css('--p50'), width: 1.5 }, { label: 'p90', stroke: css('--p90'), width: 1.5 },
          { label: 'p99', stroke: css('--p99'), width: 1.5 }, { label: 'max', stroke: css('--max'), width: 1, dash: [4, 3] }],
      }, [series.t, series.p50, series.p90, series.p99, series.max], latencyEl));
    }

    var throughputEl = document.getElementById('chart-throughput');
    if (throughputEl && series.t.length > 0) {
      charts.push(new uPlot({
        width: width(throughputEl), height: 220, plugins: [faultPlugin(data.faults)],
        scales: { x: { time: false } },
        axes: [axis('seconds since start'), axis('answered calls/s')],
        series: [{ label: 's' }, { label: 'calls/s', stroke: css('--tp'), fill: css('--tp') + '22', width: 1.5 }],
      }, [series.t, series.tp], throughputEl));
    }
    // Exposed for the report's own browser tests, which check where fault windows were drawn.
    window.rpcChaosCharts = { latency: charts[1], throughput: charts[2], faults: data.faults };
    document.body.setAttribute('data-charts-drawn', String(charts.length));
  }

  var toggle = document.getElementById('theme-toggle');
  toggle.addEventListener('click', function () {
    var dark = document.documentElement.getAttribute('data-theme') === 'dark' ||
      (!document.documentElement.getAttribute('data-theme') && matchMedia('(prefers-color-scheme: dark)').matches);
    document.documentElement.setAttribute('data-theme', dark ? 'light' : 'dark');
    drawAll();
  });
  var resizeTimer;
  addEventListener('resize', function () { clearTimeout(resizeTimer); resizeTimer = setTimeout(drawAll, 150); });
  drawAll();
})();
`;
