//! The interactive dashboard of `report.html`, in the manner of a
//! CloudWatch dashboard: a responsive grid of charts on one shared time
//! axis (hovering one chart moves the cursor on all of them and reads out
//! every series' value at that time; dragging zooms them all; clicking a
//! legend entry hides or shows a series), the lesson's charts first, and the
//! activity history beside them as a filterable table (clicking a row moves
//! the cursor to its time). The run report and the comparison report
//! (`stratus compare`: one series per variant, every variant's activities)
//! share it.
//!
//! The charts are drawn by uPlot (MIT; vendored unchanged under
//! `assets/uplot/`, see its README), embedded in the page with its licence:
//! the page fetches nothing. The series are the same as the PNG/SVG charts'
//! (`charts/`), embedded as JSON; they are small (one value per metrics
//! period).

use crate::report::html::escape;
use serde::Serialize;
use std::fmt::Write;

const UPLOT_JS: &str = include_str!("../../assets/uplot/uPlot.iife.min.js");
const UPLOT_CSS: &str = include_str!("../../assets/uplot/uPlot.min.css");
const UPLOT_LICENSE: &str = include_str!("../../assets/uplot/LICENSE");

/// One chart of the dashboard.
#[derive(Clone, Debug, Serialize)]
pub struct Panel {
    /// File stem under `charts/` (and `report.charts` name).
    pub name: String,
    /// Title.
    pub title: String,
    /// Left axis description, with its unit.
    pub y: String,
    /// Right axis description (empty without a right axis).
    pub y2: String,
    /// Fixed left axis range.
    pub y_range: Option<(f64, f64)>,
    /// The left axis counts things (its range is at least 0–5).
    pub counts: bool,
    /// Named in `report.charts`: a chart of the lesson.
    pub lesson: bool,
    /// Times, seconds since the start, shared by the series.
    pub x: Vec<f64>,
    /// Series, aligned with `x` (null where a series has no point).
    pub series: Vec<PanelSeries>,
    /// Shaded stretches of time.
    pub spans: Vec<PanelSpan>,
    /// Scaling activities, launches and terminations.
    pub events: Vec<Event>,
}

/// One series of a panel.
#[derive(Clone, Debug, Serialize)]
pub struct PanelSeries {
    /// Legend label.
    pub label: String,
    /// `#rrggbb`.
    pub color: String,
    /// Dashed.
    pub dash: bool,
    /// On the right axis.
    pub right: bool,
    /// Values at the panel's `x` (null: no point).
    pub data: Vec<Option<f64>>,
}

/// A shaded stretch of time (alarm in ALARM, cooldown).
#[derive(Clone, Debug, Serialize)]
pub struct PanelSpan {
    /// Legend label.
    pub label: String,
    /// `#rrggbb`.
    pub color: String,
    /// Opacity.
    pub alpha: f64,
    /// Start, s.
    pub x0: f64,
    /// End, s.
    pub x1: f64,
}

/// A moment marked on a panel.
#[derive(Clone, Debug, Serialize)]
pub struct Event {
    /// When, s.
    pub x: f64,
    /// Short label (`2→4` for a scaling activity).
    pub label: String,
    /// `scaling`, `launch` or `terminate`.
    pub kind: String,
    /// `#rrggbb`.
    pub color: String,
}

/// Data of the whole dashboard, embedded as JSON.
#[derive(Serialize)]
struct Data<'a> {
    /// Run length, s.
    end: f64,
    /// Seconds per time-axis unit (60 or 3600).
    div: f64,
    /// `min` or `h`.
    unit: &'static str,
    panels: &'a [Panel],
}

/// The dashboard's own styles (after the page's).
pub const CSS: &str = r##"
body.dash main { max-width: none; padding: 16px 22px 40px; }
.lesson-box { margin: 10px 0 12px; padding: 10px 14px; background: #f3f7fb; border-left: 4px solid #4e79a7; font-size: 1.02em; }
.lesson-box b { color: #2a4d73; }
.tiles { display: flex; flex-wrap: wrap; gap: 8px; margin: 8px 0 14px; }
.tile { border: 1px solid #e3e3e3; border-radius: 4px; padding: 6px 12px; min-width: 120px; background: #fff; }
.tile .v { font-size: 1.35em; font-weight: 600; font-variant-numeric: tabular-nums; }
.tile .k { color: #666; font-size: 0.82em; }
.board { display: grid; grid-template-columns: minmax(0, 1fr) minmax(300px, 26%); gap: 14px; align-items: start; }
@media (max-width: 1100px) { .board { grid-template-columns: minmax(0, 1fr); } }
#panels { display: grid; grid-template-columns: repeat(auto-fill, minmax(430px, 1fr)); gap: 12px; }
.panel { border: 1px solid #e3e3e3; border-radius: 4px; padding: 6px 8px 4px; background: #fff; min-width: 0; }
.panel.lesson { border-color: #4e79a7; box-shadow: 0 0 0 1px #4e79a7 inset; }
.panel h3 { margin: 2px 2px 4px; font-size: 0.92em; font-weight: 600; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.panel h3 .badge { font-size: 0.78em; color: #fff; background: #4e79a7; border-radius: 3px; padding: 0 5px; margin-right: 6px; }
.panel .keys { font-size: 0.78em; color: #555; margin: 0 4px 2px; }
.panel .keys span { margin-right: 10px; white-space: nowrap; }
.panel .keys i { display: inline-block; width: 10px; height: 10px; margin-right: 3px; vertical-align: -1px; }
.u-legend { font-size: 0.76em; text-align: left; margin: 0; }
.u-legend .u-series { cursor: pointer; }
.u-legend .u-series > * { padding: 1px 2px; }
.u-legend th { font-weight: normal; }
.u-legend .u-marker { width: 0.8em; height: 0.8em; margin-right: 3px; }
.u-legend td.u-value { font-variant-numeric: tabular-nums; min-width: 3em; }
aside.acts { border: 1px solid #e3e3e3; border-radius: 4px; background: #fff; padding: 6px 8px; position: sticky; top: 8px; max-height: calc(100vh - 16px); display: flex; flex-direction: column; min-width: 0; }
aside.acts h2 { margin: 2px 0 6px; font-size: 1em; border: 0; padding: 0; }
aside.acts .filters { display: flex; gap: 6px; margin-bottom: 6px; }
aside.acts input, aside.acts select { font: inherit; font-size: 0.85em; padding: 2px 4px; }
aside.acts input { flex: 1; min-width: 0; }
aside.acts .rows { overflow-y: auto; }
aside.acts table { width: 100%; font-size: 0.78em; margin: 0; }
aside.acts td { padding: 3px 4px; }
aside.acts tr.act { cursor: pointer; }
aside.acts tr.act:hover { background: #f3f7fb; }
aside.acts td.t { white-space: nowrap; font-variant-numeric: tabular-nums; color: #555; }
aside.acts td.k code { background: #f1f1f1; padding: 0 4px; border-radius: 3px; }
aside.acts .c { color: #666; display: none; }
aside.acts tr.open .c { display: block; }
aside.acts tr.act td:last-child::after { content: " ▸"; color: #999; }
aside.acts tr.act.open td:last-child::after { content: ""; }
aside.acts p.count { margin: 4px 0 0; font-size: 0.8em; color: #666; }
details.static { margin-top: 18px; }
details.static summary { cursor: pointer; font-weight: 600; }
"##;

/// The dashboard's script (after uPlot's).
const JS: &str = r##"
(function () {
  "use strict";
  var D = JSON.parse(document.getElementById("stratus-data").textContent);
  var div = D.div;
  function trim(s) { return s.indexOf(".") >= 0 ? s.replace(/0+$/, "").replace(/\.$/, "") : s; }
  // One SI style, as the PNG/SVG charts' axes: 999, 1.5k, 25k, 1.2M.
  function si(v) {
    if (v == null || !isFinite(v)) return "–";
    var a = Math.abs(v);
    if (a < 1e-9) return "0";
    if (a >= 1e6) return trim((v / 1e6).toFixed(2)) + "M";
    if (a >= 1e3) return trim((v / 1e3).toFixed(1)) + "k";
    if (Math.abs(v - Math.round(v)) < 1e-9) return String(Math.round(v));
    if (a >= 10) return trim(v.toFixed(1));
    if (a >= 1) return trim(v.toFixed(2));
    return trim(v.toFixed(3));
  }
  function clock(x) {
    if (x == null) return "–";
    var s = Math.round(x * div), m = Math.floor(s / 60);
    if (div >= 3600) return "+" + Math.floor(m / 60) + "h" + String(m % 60).padStart(2, "0");
    return "+" + String(m).padStart(2, "0") + ":" + String(s % 60).padStart(2, "0");
  }
  function rgba(hex, a) {
    var n = parseInt(hex.slice(1), 16);
    return "rgba(" + (n >> 16 & 255) + "," + (n >> 8 & 255) + "," + (n & 255) + "," + a + ")";
  }
  var grid = document.getElementById("panels");
  var plots = [];
  var HEIGHT = 230;
  function drawSpans(u, p) {
    var c = u.ctx, b = u.bbox;
    p.spans.forEach(function (s) {
      var x0 = u.valToPos(s.x0 / div, "x", true), x1 = u.valToPos(s.x1 / div, "x", true);
      c.fillStyle = rgba(s.color, s.alpha);
      c.fillRect(Math.max(x0, b.left), b.top, Math.min(x1, b.left + b.width) - Math.max(x0, b.left), b.height);
    });
  }
  // Scaling labels as the PNG charts lay them out (charts.rs
  // layout_labels): each on the first of ROWS rows where it starts GAP
  // after the labels already there, pulled left at the right edge; those
  // that fit nowhere are counted (the panel's key says how many).
  var ROWS = 3, GAP = 4;
  function drawEvents(u, p) {
    var c = u.ctx, b = u.bbox, k = devicePixelRatio || 1;
    c.save();
    c.font = (10 * k) + "px sans-serif";
    var rowEnd = [], hidden = 0, shown = 0;
    for (var r = 0; r < ROWS; r++) rowEnd.push(-1e9);
    p.events.forEach(function (e) {
      var x = u.valToPos(e.x / div, "x", true);
      if (x < b.left || x > b.left + b.width) return;
      c.strokeStyle = e.color; c.fillStyle = e.color;
      if (e.kind === "scaling") {
        c.setLineDash([3 * k, 3 * k]); c.lineWidth = k;
        c.beginPath(); c.moveTo(x, b.top); c.lineTo(x, b.top + b.height); c.stroke();
        c.setLineDash([]);
        var w = c.measureText(e.label).width;
        var x0 = Math.min(x + 2 * k, b.left + b.width - w);
        var row = -1;
        for (var q = 0; q < ROWS; q++) { if (x0 >= rowEnd[q] + GAP * k) { row = q; break; } }
        if (row < 0) { hidden++; return; }
        rowEnd[row] = x0 + w;
        shown++;
        c.fillText(e.label, x0, b.top + (10 + 11 * row) * k);
      } else {
        var y = b.top + b.height, h = 7 * k, w = 4 * k;
        c.beginPath();
        if (e.kind === "launch") { c.moveTo(x - w, y); c.lineTo(x + w, y); c.lineTo(x, y - h); }
        else { c.moveTo(x - w, y - h); c.lineTo(x + w, y - h); c.lineTo(x, y); }
        c.closePath(); c.fill();
      }
    });
    c.restore();
    if (p.hiddenKey) {
      p.hiddenKey.textContent = hidden ? " (" + hidden + " of " + (hidden + shown) + " labels hidden: zoom in to see them)" : "";
    }
  }
  D.panels.forEach(function (p) {
    var card = document.createElement("section");
    card.className = "panel" + (p.lesson ? " lesson" : "");
    card.id = "panel-" + p.name;
    card.setAttribute("data-chart", p.name);
    var h = document.createElement("h3");
    if (p.lesson) { var b = document.createElement("span"); b.className = "badge"; b.textContent = "lesson"; h.appendChild(b); }
    h.appendChild(document.createTextNode(p.title));
    h.title = p.title;
    card.appendChild(h);
    var keys = document.createElement("div");
    keys.className = "keys";
    var seen = {};
    p.spans.forEach(function (s) {
      if (seen[s.label]) return; seen[s.label] = 1;
      var e = document.createElement("span");
      e.innerHTML = "<i></i>"; e.firstChild.style.background = rgba(s.color, Math.min(1, s.alpha * 3));
      e.appendChild(document.createTextNode(s.label)); keys.appendChild(e);
    });
    p.events.forEach(function (ev) {
      var label = ev.kind === "scaling" ? "┊ scaling activity" : ev.kind === "launch" ? "▲ launch" : "▼ termination";
      if (seen[label]) return; seen[label] = 1;
      var e = document.createElement("span"); e.style.color = ev.color; e.textContent = label; keys.appendChild(e);
      if (ev.kind === "scaling") { p.hiddenKey = document.createElement("em"); p.hiddenKey.className = "hidden-labels"; e.appendChild(p.hiddenKey); }
    });
    var holder = document.createElement("div");
    card.appendChild(holder);
    if (keys.childNodes.length) card.appendChild(keys);
    grid.appendChild(card);
    var right = p.series.some(function (s) { return s.right; });
    var series = [{ label: "time", value: function (u, v) { return clock(v); } }];
    p.series.forEach(function (s) {
      series.push({
        label: s.label, stroke: s.color, width: 1.5, dash: s.dash ? [6, 4] : undefined,
        scale: s.right ? "y2" : "y", spanGaps: true, points: { show: false },
        // Where this series has no point at the cursor's time (another
        // series does), read the nearest point of its own.
        value: function (u, v, k, i) {
          if (v == null && i != null) {
            var d = u.data[k], x = u.data[0], best = null, bd = Infinity;
            for (var j = Math.max(0, i - 4); j <= Math.min(d.length - 1, i + 4); j++) {
              if (d[j] != null && Math.abs(x[j] - x[i]) < bd) { bd = Math.abs(x[j] - x[i]); best = d[j]; }
            }
            v = best;
          }
          return si(v);
        }
      });
    });
    var axes = [
      { label: "time since start (" + D.unit + ")", labelSize: 18, size: 34,
        values: function (u, vals) { return vals.map(si); } },
      { label: p.y, labelSize: 18, size: 52, values: function (u, vals) { return vals.map(si); } }
    ];
    if (right) axes.push({ scale: "y2", side: 1, label: p.y2, labelSize: 18, size: 52, grid: { show: false },
      values: function (u, vals) { return vals.map(si); } });
    var top = function (u, min, max) { return [0, Math.max(max || 0, p.counts ? 5 : 1e-9) * 1.08]; };
    var scales = { x: { time: false, min: 0, max: D.end / div }, y: { range: p.y_range ? function () { return p.y_range; } : top } };
    if (right) scales.y2 = { range: function (u, min, max) { return [0, Math.max(max || 0, 1e-9) * 1.08]; } };
    var opts = {
      width: Math.max(300, holder.clientWidth), height: HEIGHT, series: series, axes: axes, scales: scales,
      cursor: { sync: { key: "stratus", setSeries: false, scales: ["x", null] }, drag: { x: true, y: false } },
      legend: { live: true },
      hooks: { drawClear: [function (u) { drawSpans(u, p); }], draw: [function (u) { drawEvents(u, p); }] }
    };
    var data = [p.x.map(function (t) { return t / div; })].concat(p.series.map(function (s) { return s.data; }));
    var u = new uPlot(opts, data, holder);
    plots.push([u, holder]);
  });
  var resize = function () { plots.forEach(function (x) { x[0].setSize({ width: Math.max(300, x[1].clientWidth), height: HEIGHT }); }); };
  window.addEventListener("resize", resize);
  // The activity history: filter by text and kind; a row moves every cursor to its time.
  // (A comparison's timeline also filters by variant.)
  var input = document.getElementById("act-filter"), kind = document.getElementById("act-kind");
  var variant = document.getElementById("act-variant");
  var rows = Array.prototype.slice.call(document.querySelectorAll("#acts tr.act"));
  var count = document.getElementById("act-count");
  function filter() {
    var q = input.value.toLowerCase(), k = kind.value, v = variant ? variant.value : "", n = 0;
    rows.forEach(function (r) {
      var ok = (!k || r.getAttribute("data-kind") === k) && (!v || r.getAttribute("data-variant") === v) &&
        (!q || r.textContent.toLowerCase().indexOf(q) >= 0);
      r.style.display = ok ? "" : "none";
      if (ok) n++;
    });
    count.textContent = n + " of " + rows.length + " activities shown";
  }
  if (input) {
    input.addEventListener("input", filter); kind.addEventListener("change", filter);
    if (variant) variant.addEventListener("change", filter);
    filter();
  }
  rows.forEach(function (r) {
    r.addEventListener("click", function () {
      r.classList.toggle("open");
      var x = parseFloat(r.getAttribute("data-t")) / div;
      plots.forEach(function (p) {
        var u = p[0];
        u.setCursor({ left: u.valToPos(x, "x"), top: u.bbox.height / (2 * (devicePixelRatio || 1)) });
      });
    });
  });
})();
"##;

/// The page's `<head>` additions: uPlot's styles and the dashboard's.
pub fn head() -> String {
    format!("<style>{UPLOT_CSS}\n{CSS}</style>\n")
}

/// The charts' grid (filled by the script) and, beside it, `aside` (the
/// activity history), then the data and the scripts.
pub fn board(panels: &[Panel], end_s: f64, aside: &str) -> String {
    let (div, unit) = if end_s > 3.0 * 3600.0 {
        (3600.0, "h")
    } else {
        (60.0, "min")
    };
    let data = Data {
        end: end_s,
        div,
        unit,
        panels,
    };
    // JSON inside <script>: "</" must not close the element.
    let json = serde_json::to_string(&data)
        .unwrap_or_else(|_| "{\"panels\":[]}".into())
        .replace("</", "<\\/");
    let mut o = String::new();
    o.push_str("<div class=\"board\">\n<div id=\"panels\" aria-label=\"dashboard\"></div>\n");
    o.push_str(aside);
    o.push_str("</div>\n");
    if panels.is_empty() {
        o.push_str("<p class=\"note\">No charts: the run produced no metrics.</p>\n");
    }
    let _ = writeln!(
        o,
        "<script type=\"application/json\" id=\"stratus-data\">{json}</script>"
    );
    let _ = writeln!(
        o,
        "<script>\n/* uPlot 1.6.32 (assets/uplot/), embedded unchanged.\n{}*/\n{}\n</script>",
        UPLOT_LICENSE.replace("*/", "* /"),
        UPLOT_JS.replace("</script", "<\\/script")
    );
    let _ = writeln!(o, "<script>{JS}</script>");
    o
}

/// A figure tile (`<div class="tile">`): value and what it is.
pub fn tile(value: &str, what: &str) -> String {
    format!(
        "<div class=\"tile\"><div class=\"v\">{}</div><div class=\"k\">{}</div></div>",
        escape(value),
        escape(what)
    )
}
