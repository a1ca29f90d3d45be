/**
 * Browser helpers shared by report.html and compare.html (plain ES2017 in a string: it runs in
 * the reader's browser). Defines one global, RC. Canvas colours come from the CSS variables,
 * read again on every draw so the theme toggle recolours the charts.
 */
export const CHART_COMMON = String.raw`
var RC = (function () {
  var dpr = window.devicePixelRatio || 1;
  function css(name) { return getComputedStyle(document.documentElement).getPropertyValue(name).trim(); }
  function width(el) { return Math.max(300, Math.floor(el.clientWidth)); }
  var MAX_LABEL_ROWS = 2;
  var FONT = '12px system-ui, -apple-system, "Segoe UI", sans-serif';
  function axis(label, extra) {
    var a = { label: label, stroke: css('--muted'), font: FONT, labelFont: FONT, labelSize: 22,
      grid: { stroke: css('--grid'), width: 1 }, ticks: { stroke: css('--grid'), width: 1, size: 4 } };
    for (var k in extra || {}) a[k] = extra[k];
    return a;
  }
  function ms(v) {
    return v == null ? '–' : v >= 1000 ? (v / 1000).toFixed(2) + ' s' : v >= 100 ? v.toFixed(0) + ' ms'
      : v >= 10 ? v.toFixed(1) + ' ms' : v.toFixed(2) + ' ms';
  }
  function msTick(v) {
    return v == null || v < 0 ? '' : v >= 1000 ? +(v / 1000).toPrecision(3) + ' s' : +v.toPrecision(3) + ' ms';
  }

  // Percentile axis: x = 1/(1-p); labels at the decades, as the HdrHistogram plotter draws them
  // (uPlot's own log filter would blank the 50% tick, hence the identity filter).
  function pctLabel(v, precise) {
    if (v == null) return '';
    var p = 100 * (1 - 1 / v);
    if (p <= 0) return '0%';
    var digits = precise ? 4 : Math.max(0, Math.ceil(Math.log10(v) - 1e-9) - 2);
    var text = p.toFixed(digits);
    if (precise) text = text.replace(/0+$/, '').replace(/\.$/, '');
    return text + '%';
  }
  function spectrumScale(maxX) { return [1, Math.pow(10, Math.max(1, Math.ceil(Math.log10(maxX) - 1e-9)))]; }
  function decadeSplits(u, i, min, max) {
    var out = [1, 2];
    for (var v = 10; v <= max * 1.0001; v *= 10) out.push(v);
    return out;
  }
  function spectrumAxes() {
    return [axis('percentile (log 1/(1−p))', { splits: decadeSplits, filter: function (u, s) { return s; },
        values: function (u, s) { return s.map(function (v) { return pctLabel(v, false); }); } }),
      axis('latency', { values: function (u, s) { return s.map(msTick); }, size: 64 })];
  }

  // Seconds since start, as m:ss once a run is longer than a few minutes.
  function timeTick(maxS) {
    return function (u, s) { return s.map(function (v) {
      if (maxS <= 180) return v + ' s';
      var m = Math.floor(v / 60), sec = Math.round(v % 60);
      return m + ':' + (sec < 10 ? '0' : '') + sec;
    }); };
  }

  // Fault windows: a shaded band with its label, or a dashed line for an instantaneous fault.
  // Labels that would overlap move down a row.
  function faultPlugin(faults) {
    return { hooks: { drawClear: [function (u) {
      var ctx = u.ctx, top = u.bbox.top, h = u.bbox.height, left = u.bbox.left, right = left + u.bbox.width;
      ctx.save();
      ctx.beginPath(); ctx.rect(left, top, u.bbox.width, h); ctx.clip();
      faults.forEach(function (f) {
        var x0 = u.valToPos(f.startS, 'x', true), x1 = u.valToPos(f.endS, 'x', true);
        if (x1 - x0 >= 2 * dpr) { ctx.fillStyle = css('--fault'); ctx.fillRect(x0, top, x1 - x0, h); }
      });
      ctx.restore();
    }], draw: [function (u) {
      var ctx = u.ctx, top = u.bbox.top, h = u.bbox.height, right = u.bbox.left + u.bbox.width;
      ctx.save();
      ctx.font = (11 * dpr) + 'px system-ui, sans-serif';
      ctx.textAlign = 'left'; ctx.textBaseline = 'top';
      var rowEnds = [];
      faults.forEach(function (f) {
        var x0 = u.valToPos(f.startS, 'x', true), x1 = u.valToPos(f.endS, 'x', true);
        if (x1 - x0 < 2 * dpr) {
          ctx.strokeStyle = css('--fault-line'); ctx.lineWidth = 1.5 * dpr; ctx.setLineDash([4 * dpr, 3 * dpr]);
          ctx.beginPath(); ctx.moveTo(x0, top); ctx.lineTo(x0, top + h); ctx.stroke(); ctx.setLineDash([]);
        }
        var w = ctx.measureText(f.label).width, x = Math.min(x0 + 3 * dpr, right - w - 2 * dpr), row = 0;
        while (rowEnds[row] !== undefined && rowEnds[row] > x) row++;
        // Past two rows labels would cover the data; the fault table under the chart names them all.
        if (row >= MAX_LABEL_ROWS) return;
        rowEnds[row] = x + w + 6 * dpr;
        ctx.fillStyle = css('--card'); ctx.globalAlpha = 0.75;
        ctx.fillRect(x - 1, top + (3 + 14 * row) * dpr, w + 2, 13 * dpr); ctx.globalAlpha = 1;
        ctx.fillStyle = css('--fault-line'); ctx.fillText(f.label, x, top + (4 + 14 * row) * dpr);
      });
      ctx.restore();
    }] } };
  }

  // A latency scale that leaves the bottom \`reserve\` share of the plot empty (for marker lanes),
  // linear from 0 or logarithmic, as the reader picks.
  function latencyScale(log, reserve) {
    return { distr: log ? 3 : 1, log: 10, range: function (u, min, max) {
      if (log) {
        var lo = Math.floor(Math.log10(Math.max(min || 0.01, 0.001))), hi = Math.log10(Math.max(max || 1, 0.01));
        var span = Math.max(hi - lo, 0.5);
        return [Math.pow(10, lo - span * reserve / (1 - reserve)), Math.pow(10, hi + span * 0.06)];
      }
      var top = (max || 1) * 1.08;
      return [-top * reserve / (1 - reserve), top];
    } };
  }
  function isLog(name) {
    var box = document.querySelector('input[data-log="' + name + '"]');
    return !!(box && box.checked);
  }

  function redrawOn(draw) {
    document.querySelectorAll('input[data-log]').forEach(function (box) { box.addEventListener('change', draw); });
    var timer;
    addEventListener('resize', function () { clearTimeout(timer); timer = setTimeout(draw, 150); });
    addEventListener('rpc-chaos-theme', draw);
  }

  return { css: css, width: width, axis: axis, ms: ms, msTick: msTick, pctLabel: pctLabel, spectrumScale: spectrumScale,
    spectrumAxes: spectrumAxes, latencyScale: latencyScale, isLog: isLog, timeTick: timeTick, faultPlugin: faultPlugin,
    redrawOn: redrawOn, dpr: dpr };
})();
`;
