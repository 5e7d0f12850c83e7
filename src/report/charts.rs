//! The dashboard of a run: one chart per figure, each as a 1000×560 PNG and
//! an SVG, plus `report.html` (see [`crate::report::html`]).
//!
//! Drawn with plotters and an embedded DejaVu Sans (`assets/fonts/`): no
//! system font is read, so rendering works on a bare container. The same
//! input always gives the same bytes.
//!
//! Files (`charts/<name>.png` and `.svg`), each skipped when all of its
//! metrics are absent:
//! - `capacity` (one group) or `capacity-<group>` (several groups): desired,
//!   in service and pending instances, the min–max size band, the load of the
//!   group's load balancers on a secondary axis, and the group's activities;
//! - `latency`: `TargetResponseTime` (average) and, when present,
//!   `TargetResponseTime_p50` / `TargetResponseTime_p99`, per load balancer;
//! - `errors`: ELB 502/503/504 and target 5XX per period, per load balancer;
//! - `cpu`: `CPUUtilization` per group;
//! - `queue-<name>`: messages visible (and in flight) and age of the oldest;
//! - `table-<name>`: consumed vs provisioned read and write capacity, and
//!   throttle events;
//! - `cost`: cumulative `CostUSD` per resource.
//!
//! How metrics are placed on the time axis: a metric aggregated over a period
//! (request counts, response times, CPU, errors, queue and table metrics) is
//! drawn at the middle of its period; a count of instances or a size
//! (`Group*`, `Provisioned*`) is drawn as a step held over its period; a
//! cumulative figure (`CostUSD`) is drawn at the end of its period.
//!
//! How the activity history is read for the capacity chart (activities of the
//! group, i.e. whose `resource` is the group's name, unless said otherwise):
//! - `scaling`: a dashed vertical marker labelled `A→B`, taken from the last
//!   "from A to B" in the description or else the cause;
//! - `launch` / `terminate`: small ticks along the bottom of the plot;
//! - `alarm`: the alarm's `resource` is the alarm name (or the group's). A
//!   description containing `to ALARM` opens a shaded period; one containing
//!   `to OK` or `to INSUFFICIENT_DATA` closes it (an open period runs to the
//!   end). Alarms belong to the group when named after one of its policies
//!   (`name`, default `<group>-<policy>`), when they start with
//!   `TargetTracking-<group>-`, or when the resource is the group itself;
//! - `cooldown` / `warmup`: `t` is when the window starts and the description
//!   contains `until T`, T in seconds since the start of the run (`until 720`
//!   or `until 720s` or `until 720.5 s`), e.g. `Cooldown of policy
//!   add-on-high-cpu until 720s`. The window is shaded. Without such
//!   activities nothing is shaded.

use crate::report::html;
use crate::run::RunResult;
use crate::scenario::Scenario;
use crate::world::Activity;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::FontStyle;
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// Width of a chart, px.
pub const WIDTH: u32 = 1000;
/// Height of a chart, px.
pub const HEIGHT: u32 = 560;

/// The font family every text uses; registered from the embedded TTF.
const FAMILY: &str = "sans-serif";
static DEJAVU_SANS: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");

/// Register the embedded font with plotters, once per process.
fn ensure_font() -> Result<(), String> {
    static DONE: OnceLock<Result<(), String>> = OnceLock::new();
    DONE.get_or_init(|| {
        plotters::style::register_font(FAMILY, FontStyle::Normal, DEJAVU_SANS)
            .map_err(|_| "the embedded DejaVu Sans font is invalid".to_string())
    })
    .clone()
}

/// A fixed palette (Tableau 10) and the neutral colours.
mod pal {
    use plotters::style::RGBColor;
    pub const BLUE: RGBColor = RGBColor(0x4e, 0x79, 0xa7);
    pub const ORANGE: RGBColor = RGBColor(0xf2, 0x8e, 0x2b);
    pub const RED: RGBColor = RGBColor(0xe1, 0x57, 0x59);
    pub const TEAL: RGBColor = RGBColor(0x76, 0xb7, 0xb2);
    pub const GREEN: RGBColor = RGBColor(0x59, 0xa1, 0x4f);
    pub const YELLOW: RGBColor = RGBColor(0xed, 0xc9, 0x48);
    pub const PURPLE: RGBColor = RGBColor(0xb0, 0x7a, 0xa1);
    pub const PINK: RGBColor = RGBColor(0xff, 0x9d, 0xa7);
    pub const BROWN: RGBColor = RGBColor(0x9c, 0x75, 0x5f);
    pub const GREY: RGBColor = RGBColor(0x8c, 0x8c, 0x8c);
    /// Colours for series without a meaning of their own, in order.
    pub const CYCLE: [RGBColor; 10] = [
        BLUE, ORANGE, GREEN, RED, PURPLE, TEAL, BROWN, PINK, YELLOW, GREY,
    ];
    pub const TEXT: RGBColor = RGBColor(0x22, 0x22, 0x22);
    pub const MUTED: RGBColor = RGBColor(0x6b, 0x6b, 0x6b);
    pub const AXIS: RGBColor = RGBColor(0x99, 0x99, 0x99);
    pub const GRID_BOLD: RGBColor = RGBColor(0xdd, 0xdd, 0xdd);
    pub const GRID_LIGHT: RGBColor = RGBColor(0xf1, 0xf1, 0xf1);
    pub const MARKER: RGBColor = RGBColor(0x5b, 0x3a, 0x8c);
    pub const LOAD: RGBColor = RGBColor(0x9a, 0x9a, 0x9a);
}

// ---------------------------------------------------------------------------
// The generic time-series chart
// ---------------------------------------------------------------------------

/// How a line joins its points.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Shape {
    /// Straight segments.
    Line,
    /// Straight segments, dashed.
    Dashed,
}

/// One plotted series; x in seconds since the start of the run.
#[derive(Clone, Debug)]
struct Line {
    label: String,
    color: RGBColor,
    shape: Shape,
    /// On the right-hand axis.
    secondary: bool,
    points: Vec<(f64, f64)>,
}

/// A shaded band between two series (e.g. min and max size).
#[derive(Clone, Debug)]
struct Band {
    label: String,
    color: RGBColor,
    lower: Vec<(f64, f64)>,
    upper: Vec<(f64, f64)>,
}

/// A shaded stretch of time (alarm in ALARM, cooldown, warm-up).
#[derive(Clone, Debug)]
struct Span {
    label: String,
    color: RGBColor,
    alpha: f64,
    x0: f64,
    x1: f64,
}

/// A vertical marker with a short label (a scaling activity).
#[derive(Clone, Debug)]
struct Marker {
    x: f64,
    label: String,
}

/// A small tick at the bottom of the plot (a launch, a termination).
#[derive(Clone, Debug)]
struct Tick {
    label: String,
    color: RGBColor,
    x: f64,
}

/// A time-series chart: everything the generic renderer needs.
#[derive(Clone, Debug)]
struct TimeChart {
    /// File stem under `charts/`.
    name: String,
    title: String,
    /// Left axis description, with its unit.
    y_desc: String,
    /// Fixed left range (else 0 to a round value above the data).
    y_range: Option<(f64, f64)>,
    /// Right axis description; the right axis exists when some line is
    /// secondary.
    y2_desc: String,
    lines: Vec<Line>,
    bands: Vec<Band>,
    spans: Vec<Span>,
    markers: Vec<Marker>,
    /// Label of the markers in the legend.
    marker_label: String,
    ticks: Vec<Tick>,
}

impl TimeChart {
    fn new(name: &str, title: String, y_desc: &str) -> TimeChart {
        TimeChart {
            name: name.to_string(),
            title,
            y_desc: y_desc.to_string(),
            y_range: None,
            y2_desc: String::new(),
            lines: Vec::new(),
            bands: Vec::new(),
            spans: Vec::new(),
            markers: Vec::new(),
            marker_label: String::new(),
            ticks: Vec::new(),
        }
    }

    fn line(&mut self, label: String, color: RGBColor, points: Vec<(f64, f64)>) {
        self.lines.push(Line {
            label,
            color,
            shape: Shape::Line,
            secondary: false,
            points,
        });
    }

    fn has_data(&self) -> bool {
        self.lines.iter().any(|l| !l.points.is_empty())
            || self.bands.iter().any(|b| !b.upper.is_empty())
    }

    fn has_secondary(&self) -> bool {
        self.lines.iter().any(|l| l.secondary)
    }
}

/// The time axis: minutes, or hours when the run is longer than 3 hours.
#[derive(Clone, Copy, Debug)]
struct TimeAxis {
    /// Seconds per axis unit.
    div: f64,
    /// Run length, in axis units.
    end: f64,
}

impl TimeAxis {
    fn for_run(duration_s: f64) -> TimeAxis {
        let div = if duration_s > 3.0 * 3600.0 { 3600.0 } else { 60.0 };
        let end = (duration_s / div).max(1.0 / div);
        TimeAxis { div, end }
    }

    fn desc(&self) -> &'static str {
        if self.div == 3600.0 {
            "time since start (h)"
        } else {
            "time since start (min)"
        }
    }

    fn x(&self, seconds: f64) -> f64 {
        seconds / self.div
    }
}

/// One entry of the legend.
enum LegendKey {
    Line(RGBColor, Shape),
    Fill(RGBColor, f64),
    Marker,
    Tick(RGBColor),
}

fn legend(c: &TimeChart) -> Vec<(String, LegendKey)> {
    let mut out: Vec<(String, LegendKey)> = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    let mut add = |label: &str, key: LegendKey| {
        if seen.insert(label.to_string()) {
            out.push((label.to_string(), key));
        }
    };
    for l in c.lines.iter().filter(|l| !l.points.is_empty()) {
        add(&l.label, LegendKey::Line(l.color, l.shape));
    }
    for b in c.bands.iter().filter(|b| !b.upper.is_empty()) {
        add(&b.label, LegendKey::Fill(b.color, 0.18));
    }
    for s in &c.spans {
        add(&s.label, LegendKey::Fill(s.color, s.alpha));
    }
    if !c.markers.is_empty() {
        add(&c.marker_label, LegendKey::Marker);
    }
    for t in &c.ticks {
        add(&t.label, LegendKey::Tick(t.color));
    }
    out
}

/// A rounded value at or above `v` (1, 2, 2.5, 5 × 10ⁿ).
fn nice_ceil(v: f64) -> f64 {
    if !(v > 0.0) || !v.is_finite() {
        return 1.0;
    }
    let p = 10f64.powf(v.log10().floor());
    for m in [1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0] {
        if m * p >= v * (1.0 - 1e-12) {
            return m * p;
        }
    }
    10.0 * p
}

/// Axis tick text: integers without decimals, thousands as `k`, millions as `M`.
fn fmt_tick(v: f64) -> String {
    fn trim(s: String) -> String {
        if s.contains('.') {
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            s
        }
    }
    let a = v.abs();
    if a < 1e-9 {
        return "0".into();
    }
    if a >= 1e6 {
        return format!("{}M", trim(format!("{:.2}", v / 1e6)));
    }
    if a >= 1e4 {
        return format!("{}k", trim(format!("{:.1}", v / 1e3)));
    }
    if (v - v.round()).abs() < 1e-9 {
        return format!("{}", v.round() as i64);
    }
    if a >= 10.0 {
        trim(format!("{v:.1}"))
    } else if a >= 1.0 {
        trim(format!("{v:.2}"))
    } else {
        trim(format!("{v:.3}"))
    }
}

type DrawResult<T, DB> = Result<T, DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

/// Draw a chart onto any backend (bitmap or SVG).
fn draw_chart<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    c: &TimeChart,
    ax: TimeAxis,
    subtitle: &str,
) -> DrawResult<(), DB> {
    root.fill(&WHITE)?;
    let font = |size: f64, color: RGBColor| (FAMILY, size).into_font().color(&color);

    // Title and subtitle.
    let title_style = font(21.0, pal::TEXT);
    root.draw(&Text::new(c.title.clone(), (18, 12), title_style))?;
    let sub_style = font(13.0, pal::MUTED);
    let (sw, _) = root.estimate_text_size(subtitle, &sub_style)?;
    root.draw(&Text::new(
        subtitle.to_string(),
        (WIDTH as i32 - 18 - sw as i32, 18),
        sub_style,
    ))?;

    // Legend: a row (or several) of keys under the title, never over data.
    let items = legend(c);
    let legend_style = font(13.0, pal::TEXT);
    let (mut lx, mut ly) = (18i32, 44i32);
    let mut placed = Vec::new();
    for (label, key) in &items {
        let (tw, _) = root.estimate_text_size(label, &legend_style)?;
        let w = 26 + tw as i32 + 18;
        if lx + w > WIDTH as i32 - 18 && lx > 18 {
            lx = 18;
            ly += 20;
        }
        placed.push((lx, ly, label, key));
        lx += w;
    }
    for (x, y, label, key) in placed {
        let mid = y + 8;
        match key {
            LegendKey::Line(color, Shape::Line) => {
                root.draw(&PathElement::new(
                    vec![(x, mid), (x + 20, mid)],
                    color.stroke_width(3),
                ))?;
            }
            LegendKey::Line(color, Shape::Dashed) => {
                for (a, b) in [(0, 6), (9, 14), (17, 20)] {
                    root.draw(&PathElement::new(
                        vec![(x + a, mid), (x + b, mid)],
                        color.stroke_width(3),
                    ))?;
                }
            }
            LegendKey::Fill(color, alpha) => {
                root.draw(&Rectangle::new(
                    [(x, mid - 6), (x + 20, mid + 6)],
                    color.mix((alpha * 1.6).min(1.0)).filled(),
                ))?;
            }
            LegendKey::Marker => {
                root.draw(&PathElement::new(
                    vec![(x + 10, mid - 8), (x + 10, mid + 8)],
                    pal::MARKER.stroke_width(2),
                ))?;
            }
            LegendKey::Tick(color) => {
                root.draw(&PathElement::new(
                    vec![(x + 10, mid + 1), (x + 10, mid + 9)],
                    color.stroke_width(3),
                ))?;
            }
        }
        root.draw(&Text::new(label.to_string(), (x + 26, y), legend_style.clone()))?;
    }
    let header = if items.is_empty() { 44 } else { ly + 26 };
    let (_, body) = root.split_vertically(header);

    // Ranges.
    let ys = |secondary: bool| {
        let mut m: f64 = 0.0;
        for l in c.lines.iter().filter(|l| l.secondary == secondary) {
            for p in &l.points {
                if p.1.is_finite() {
                    m = m.max(p.1);
                }
            }
        }
        if !secondary {
            for b in &c.bands {
                for p in &b.upper {
                    m = m.max(p.1);
                }
            }
        }
        (0.0, nice_ceil(m * 1.05))
    };
    let (y0, y1) = c.y_range.unwrap_or_else(|| ys(false));
    let (s0, s1) = ys(true);
    let secondary = c.has_secondary();

    let mut chart = ChartBuilder::on(&body)
        .margin_left(10)
        .margin_right(if secondary { 10 } else { 30 })
        .margin_top(6)
        .margin_bottom(8)
        .x_label_area_size(48)
        .y_label_area_size(72)
        .right_y_label_area_size(if secondary { 72 } else { 0 })
        .build_cartesian_2d(0.0..ax.end, y0..y1)?
        .set_secondary_coord(0.0..ax.end, s0..s1);

    let fmt = |v: &f64| fmt_tick(*v);
    chart
        .configure_mesh()
        .x_desc(ax.desc())
        .y_desc(c.y_desc.as_str())
        .x_labels(12)
        .y_labels(8)
        .x_label_formatter(&fmt)
        .y_label_formatter(&fmt)
        .label_style(font(13.0, pal::TEXT))
        .axis_desc_style(font(14.0, pal::TEXT))
        .axis_style(pal::AXIS)
        .bold_line_style(pal::GRID_BOLD)
        .light_line_style(pal::GRID_LIGHT)
        .max_light_lines(4)
        .draw()?;
    if secondary {
        chart
            .configure_secondary_axes()
            .y_desc(c.y2_desc.as_str())
            .y_labels(8)
            .y_label_formatter(&fmt)
            .label_style(font(13.0, pal::MUTED))
            .axis_desc_style(font(14.0, pal::MUTED))
            .axis_style(pal::AXIS)
            .draw()?;
    }

    // Shaded stretches of time, behind everything.
    for s in &c.spans {
        let (a, b) = (ax.x(s.x0).max(0.0), ax.x(s.x1).min(ax.end));
        if b > a {
            chart.draw_series(std::iter::once(Rectangle::new(
                [(a, y0), (b, y1)],
                s.color.mix(s.alpha).filled(),
            )))?;
        }
    }
    // Bands.
    for b in &c.bands {
        if b.upper.is_empty() {
            continue;
        }
        let mut poly: Vec<(f64, f64)> = b.upper.iter().map(|p| (ax.x(p.0), p.1)).collect();
        poly.extend(b.lower.iter().rev().map(|p| (ax.x(p.0), p.1)));
        chart.draw_series(std::iter::once(Polygon::new(
            poly,
            b.color.mix(0.18).filled(),
        )))?;
        for edge in [&b.upper, &b.lower] {
            chart.draw_series(LineSeries::new(
                edge.iter().map(|p| (ax.x(p.0), p.1)),
                b.color.mix(0.6).stroke_width(1),
            ))?;
        }
    }
    // Secondary lines first (they are context), then the primary ones.
    for l in c.lines.iter().filter(|l| l.secondary) {
        let pts: Vec<(f64, f64)> = l.points.iter().map(|p| (ax.x(p.0), p.1)).collect();
        match l.shape {
            Shape::Line => {
                chart.draw_secondary_series(LineSeries::new(pts, l.color.stroke_width(2)))?;
            }
            Shape::Dashed => {
                chart.draw_secondary_series(DashedLineSeries::new(
                    pts,
                    7,
                    5,
                    l.color.stroke_width(2),
                ))?;
            }
        }
    }
    for l in c.lines.iter().filter(|l| !l.secondary) {
        let pts: Vec<(f64, f64)> = l.points.iter().map(|p| (ax.x(p.0), p.1)).collect();
        match l.shape {
            Shape::Line => {
                chart.draw_series(LineSeries::new(pts, l.color.stroke_width(2)))?;
            }
            Shape::Dashed => {
                chart.draw_series(DashedLineSeries::new(pts, 7, 5, l.color.stroke_width(2)))?;
            }
        }
    }
    // Scaling markers: dashed verticals; labels staggered on up to 3 rows at
    // the top of the plot, dropped when there is no room.
    let label_style = font(12.0, pal::MARKER);
    let mut row_end = [i32::MIN; 3];
    for m in &c.markers {
        let x = ax.x(m.x);
        if !(0.0..=ax.end).contains(&x) {
            continue;
        }
        chart.draw_series(DashedLineSeries::new(
            [(x, y0), (x, y1)],
            4,
            4,
            pal::MARKER.mix(0.75).stroke_width(1),
        ))?;
        let (px, py) = chart.backend_coord(&(x, y1));
        let (tw, th) = body.estimate_text_size(&m.label, &label_style)?;
        let left = px + 3;
        if let Some(row) = (0..3).find(|&r| left > row_end[r] + 4) {
            row_end[row] = left + tw as i32 + 2;
            let top = py + 3 + row as i32 * (th as i32 + 5);
            root.draw(&Rectangle::new(
                [(left - 1, top - 1), (left + tw as i32 + 2, top + th as i32 + 2)],
                WHITE.mix(0.85).filled(),
            ))?;
            root.draw(&Text::new(m.label.clone(), (left, top), label_style.clone()))?;
        }
    }
    // Launch / termination ticks along the bottom.
    for t in &c.ticks {
        let x = ax.x(t.x);
        if !(0.0..=ax.end).contains(&x) {
            continue;
        }
        let (px, py) = chart.backend_coord(&(x, y0));
        root.draw(&PathElement::new(
            vec![(px, py - 1), (px, py - 9)],
            t.color.stroke_width(2),
        ))?;
    }
    root.present()?;
    Ok(())
}

/// PNG bytes of a chart.
fn render_png(c: &TimeChart, ax: TimeAxis, subtitle: &str) -> Result<Vec<u8>, String> {
    let mut rgb = vec![0u8; (WIDTH * HEIGHT * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut rgb, (WIDTH, HEIGHT)).into_drawing_area();
        draw_chart(&root, c, ax, subtitle).map_err(|e| format!("chart {}: {e}", c.name))?;
    }
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, WIDTH, HEIGHT);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        enc.set_compression(png::Compression::Default);
        let mut w = enc
            .write_header()
            .map_err(|e| format!("chart {}: {e}", c.name))?;
        w.write_image_data(&rgb)
            .map_err(|e| format!("chart {}: {e}", c.name))?;
        w.finish().map_err(|e| format!("chart {}: {e}", c.name))?;
    }
    Ok(out)
}

/// SVG text of a chart.
fn render_svg(c: &TimeChart, ax: TimeAxis, subtitle: &str) -> Result<String, String> {
    let mut s = String::new();
    {
        let root = SVGBackend::with_string(&mut s, (WIDTH, HEIGHT)).into_drawing_area();
        draw_chart(&root, c, ax, subtitle).map_err(|e| format!("chart {}: {e}", c.name))?;
    }
    Ok(s)
}

// ---------------------------------------------------------------------------
// The run's charts
// ---------------------------------------------------------------------------

/// What the charts read from a run.
struct Ctx<'a> {
    sc: &'a Scenario,
    r: &'a RunResult,
    /// Metrics period, s.
    period: f64,
    /// Run length, s.
    end: f64,
}

impl Ctx<'_> {
    fn get(&self, resource: &str, metric: &str) -> Vec<(f64, f64)> {
        self.r.series.get(resource, metric)
    }

    /// A period aggregate, drawn at the middle of its period.
    fn mid(&self, resource: &str, metric: &str, scale: f64) -> Vec<(f64, f64)> {
        let h = self.period / 2.0;
        self.get(resource, metric)
            .into_iter()
            .map(|(t, v)| ((t + h).min(self.end), v * scale))
            .collect()
    }

    /// A count or size held over its period.
    fn step(&self, resource: &str, metric: &str) -> Vec<(f64, f64)> {
        let mut out = Vec::new();
        for (t, v) in self.get(resource, metric) {
            out.push((t, v));
            out.push(((t + self.period).min(self.end), v));
        }
        out
    }

    /// A cumulative figure, drawn at the end of its period.
    fn at_end(&self, resource: &str, metric: &str) -> Vec<(f64, f64)> {
        self.get(resource, metric)
            .into_iter()
            .map(|(t, v)| ((t + self.period).min(self.end), v))
            .collect()
    }

    fn activities<'b>(&'b self, resource: &'b str) -> impl Iterator<Item = &'b Activity> + 'b {
        self.r
            .activities
            .iter()
            .filter(move |a| a.resource == resource)
    }

    fn period_text(&self) -> String {
        crate::scenario::Duration((self.period * 1e9).round() as u64).to_string()
    }
}

/// File-name-safe form of a resource name.
fn slug(name: &str) -> String {
    let s: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if s.is_empty() || s.starts_with('.') {
        format!("_{s}")
    } else {
        s
    }
}

/// `A→B` from the last "from A to B" in the text.
fn from_to(text: &str) -> Option<String> {
    let i = text.rfind("from ")?;
    let rest = &text[i + 5..];
    let mut words = rest.split_whitespace();
    let a = words.next()?;
    if words.next()? != "to" {
        return None;
    }
    let b = words.next()?.trim_end_matches(['.', ',', ';']);
    let num = |s: &str| !s.is_empty() && s.bytes().all(|c| c.is_ascii_digit());
    (num(a) && num(b)).then(|| format!("{a}→{b}"))
}

/// T from `until T` (seconds since the start; optional `s` suffix).
fn until_secs(text: &str) -> Option<f64> {
    let i = text.find("until ")?;
    let rest = text[i + 6..].trim_start();
    let n: String = rest
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    n.parse().ok()
}

fn capacity_chart(cx: &Ctx, group: &crate::scenario::AutoScalingGroup, name: &str) -> TimeChart {
    let g = group.name.as_str();
    let mut c = TimeChart::new(name, format!("Capacity of group {g} against load"), "instances");
    c.bands.push(Band {
        label: "min–max size".into(),
        color: pal::GREY,
        lower: cx.step(g, "GroupMinSize"),
        upper: cx.step(g, "GroupMaxSize"),
    });
    if c.bands[0].lower.len() != c.bands[0].upper.len() {
        c.bands.clear();
    }
    c.line("desired".into(), pal::BLUE, cx.step(g, "GroupDesiredCapacity"));
    c.line("in service".into(), pal::GREEN, cx.step(g, "GroupInServiceInstances"));
    c.line("pending".into(), pal::ORANGE, cx.step(g, "GroupPendingInstances"));
    if !c.has_data() {
        return c;
    }
    // Load of the group's load balancers, requests per second.
    let lbs: Vec<&str> = cx
        .sc
        .load_balancers
        .iter()
        .filter(|l| l.target_group == g)
        .map(|l| l.name.as_str())
        .collect();
    for (i, lb) in lbs.iter().enumerate() {
        let pts = cx.mid(lb, "RequestCount", 1.0 / cx.period);
        if pts.is_empty() {
            continue;
        }
        c.lines.push(Line {
            label: if lbs.len() == 1 {
                "load (right axis)".into()
            } else {
                format!("load {lb} (right axis)")
            },
            color: if i == 0 { pal::LOAD } else { pal::CYCLE[(5 + i) % 10] },
            shape: Shape::Dashed,
            secondary: true,
            points: pts,
        });
        c.y2_desc = "load (requests/s)".into();
    }
    // Activities of the group.
    c.marker_label = "scaling activity".into();
    for a in cx.activities(g) {
        let t = a.t as f64 / 1e9;
        match a.kind {
            "scaling" => c.markers.push(Marker {
                x: t,
                label: from_to(&a.description)
                    .or_else(|| from_to(&a.cause))
                    .unwrap_or_else(|| "scaling".into()),
            }),
            "launch" => c.ticks.push(Tick {
                label: "launch".into(),
                color: pal::GREEN,
                x: t,
            }),
            "terminate" => c.ticks.push(Tick {
                label: "termination".into(),
                color: pal::RED,
                x: t,
            }),
            "cooldown" | "warmup" => {
                if let Some(until) = until_secs(&a.description) {
                    let (label, color) = if a.kind == "cooldown" {
                        ("cooldown", pal::BLUE)
                    } else {
                        ("warm-up", pal::ORANGE)
                    };
                    c.spans.push(Span {
                        label: label.into(),
                        color,
                        alpha: 0.10,
                        x0: t,
                        x1: until.min(cx.end),
                    });
                }
            }
            _ => {}
        }
    }
    // Alarm periods of the group's alarms.
    let mut alarm_names: Vec<String> = vec![g.to_string()];
    for p in &group.scaling_policies {
        if let Some(al) = &p.alarm {
            alarm_names.push(al.name.clone().unwrap_or_else(|| format!("{g}-{}", p.name)));
        }
    }
    let tt_prefix = format!("TargetTracking-{g}-");
    let mut open: BTreeMap<&str, f64> = BTreeMap::new();
    for a in cx.r.activities.iter().filter(|a| a.kind == "alarm") {
        let res = a.resource.as_str();
        if !alarm_names.iter().any(|n| n == res) && !res.starts_with(&tt_prefix) {
            continue;
        }
        let t = a.t as f64 / 1e9;
        if a.description.contains("to ALARM") {
            open.entry(res).or_insert(t);
        } else if a.description.contains("to OK") || a.description.contains("to INSUFFICIENT_DATA") {
            if let Some(t0) = open.remove(res) {
                c.spans.push(alarm_span(t0, t));
            }
        }
    }
    for (_, t0) in open {
        c.spans.push(alarm_span(t0, cx.end));
    }
    c
}

fn alarm_span(x0: f64, x1: f64) -> Span {
    Span {
        label: "alarm in ALARM".into(),
        color: pal::RED,
        alpha: 0.12,
        x0,
        x1,
    }
}

fn latency_chart(cx: &Ctx) -> TimeChart {
    let mut c = TimeChart::new("latency", "Target response time".into(), "response time (ms)");
    let many = cx.sc.load_balancers.len() > 1;
    for (i, lb) in cx.sc.load_balancers.iter().enumerate() {
        let n = lb.name.as_str();
        let label = |what: &str| if many { format!("{n} {what}") } else { what.to_string() };
        let base = if many { i * 3 } else { 0 };
        let color = |k: usize| {
            if many {
                pal::CYCLE[(base + k) % 10]
            } else {
                [pal::BLUE, pal::GREEN, pal::RED][k]
            }
        };
        c.line(label("average"), color(0), cx.mid(n, "TargetResponseTime", 1e3));
        c.line(label("p50"), color(1), cx.mid(n, "TargetResponseTime_p50", 1e3));
        c.line(label("p99"), color(2), cx.mid(n, "TargetResponseTime_p99", 1e3));
    }
    if many {
        c.title.push_str(" per load balancer");
    } else if let Some(lb) = cx.sc.load_balancers.first() {
        c.title = format!("Target response time of load balancer {}", lb.name);
    }
    c
}

fn errors_chart(cx: &Ctx) -> TimeChart {
    let y = format!("responses per {} period", cx.period_text());
    let mut c = TimeChart::new("errors", "Error responses".into(), &y);
    let many = cx.sc.load_balancers.len() > 1;
    let kinds = [
        ("HTTPCode_ELB_502_Count", "ELB 502", pal::RED),
        ("HTTPCode_ELB_503_Count", "ELB 503", pal::ORANGE),
        ("HTTPCode_ELB_504_Count", "ELB 504", pal::PURPLE),
        ("HTTPCode_Target_5XX_Count", "target 5XX", pal::BROWN),
    ];
    for (i, lb) in cx.sc.load_balancers.iter().enumerate() {
        let n = lb.name.as_str();
        for (k, (metric, what, color)) in kinds.iter().enumerate() {
            let label = if many { format!("{n} {what}") } else { what.to_string() };
            let color = if many { pal::CYCLE[(i * 4 + k) % 10] } else { *color };
            c.line(label, color, cx.mid(n, metric, 1.0));
        }
    }
    if !many && let Some(lb) = cx.sc.load_balancers.first() {
        c.title = format!("Error responses of load balancer {}", lb.name);
    }
    c
}

fn cpu_chart(cx: &Ctx) -> TimeChart {
    let mut c = TimeChart::new(
        "cpu",
        "CPU utilization (average over in-service instances)".into(),
        "CPU utilization (%)",
    );
    c.y_range = Some((0.0, 100.0));
    for (i, g) in cx.sc.auto_scaling_groups.iter().enumerate() {
        c.line(
            format!("group {}", g.name),
            pal::CYCLE[i % 10],
            cx.mid(&g.name, "CPUUtilization", 1.0),
        );
    }
    c
}

fn queue_chart(cx: &Ctx, q: &str) -> TimeChart {
    let mut c = TimeChart::new(
        &format!("queue-{}", slug(q)),
        format!("Queue {q}: depth and age of the oldest message"),
        "messages",
    );
    c.line(
        "visible".into(),
        pal::BLUE,
        cx.mid(q, "ApproximateNumberOfMessagesVisible", 1.0),
    );
    c.line(
        "in flight".into(),
        pal::TEAL,
        cx.mid(q, "ApproximateNumberOfMessagesNotVisible", 1.0),
    );
    c.lines.push(Line {
        label: "age of oldest (right axis)".into(),
        color: pal::ORANGE,
        shape: Shape::Dashed,
        secondary: true,
        points: cx.mid(q, "ApproximateAgeOfOldestMessage", 1.0),
    });
    c.y2_desc = "age of oldest message (s)".into();
    c.lines.retain(|l| !l.points.is_empty());
    c
}

fn table_chart(cx: &Ctx, t: &str) -> TimeChart {
    let mut c = TimeChart::new(
        &format!("table-{}", slug(t)),
        format!("Table {t}: consumed vs provisioned capacity"),
        "capacity units per second",
    );
    let per_s = 1.0 / cx.period;
    c.line("consumed RCU/s".into(), pal::BLUE, cx.mid(t, "ConsumedReadCapacityUnits", per_s));
    c.lines.push(Line {
        label: "provisioned RCU/s".into(),
        color: pal::BLUE,
        shape: Shape::Dashed,
        secondary: false,
        points: cx.step(t, "ProvisionedReadCapacityUnits"),
    });
    c.line("consumed WCU/s".into(), pal::GREEN, cx.mid(t, "ConsumedWriteCapacityUnits", per_s));
    c.lines.push(Line {
        label: "provisioned WCU/s".into(),
        color: pal::GREEN,
        shape: Shape::Dashed,
        secondary: false,
        points: cx.step(t, "ProvisionedWriteCapacityUnits"),
    });
    for (metric, label, color) in [
        ("ReadThrottleEvents", "read throttles (right axis)", pal::RED),
        ("WriteThrottleEvents", "write throttles (right axis)", pal::ORANGE),
    ] {
        c.lines.push(Line {
            label: label.into(),
            color,
            shape: Shape::Line,
            secondary: true,
            points: cx.mid(t, metric, 1.0),
        });
    }
    c.y2_desc = format!("throttle events per {} period", cx.period_text());
    c.lines.retain(|l| !l.points.is_empty());
    c
}

fn cost_chart(cx: &Ctx) -> TimeChart {
    let mut c = TimeChart::new("cost", "Cost so far".into(), "cumulative cost (USD)");
    let sc = cx.sc;
    let resources = sc
        .auto_scaling_groups
        .iter()
        .map(|g| ("group", g.name.as_str()))
        .chain(sc.load_balancers.iter().map(|l| ("load balancer", l.name.as_str())))
        .chain(sc.queues.iter().map(|q| ("queue", q.name.as_str())))
        .chain(sc.tables.iter().map(|t| ("table", t.name.as_str())));
    let mut i = 0;
    for (kind, name) in resources {
        let pts = cx.at_end(name, "CostUSD");
        if pts.is_empty() {
            continue;
        }
        let mut pts = pts;
        pts.insert(0, (0.0, 0.0));
        c.line(format!("{kind} {name}"), pal::CYCLE[i % 10], pts);
        i += 1;
    }
    c
}

/// Every chart of the run that has data, in dashboard order.
fn charts(sc: &Scenario, r: &RunResult) -> Vec<TimeChart> {
    let cx = Ctx {
        sc,
        r,
        period: sc.metrics_period.as_secs_f64().max(1e-9),
        end: sc.duration.as_secs_f64(),
    };
    let mut out = Vec::new();
    let one_group = sc.auto_scaling_groups.len() == 1;
    for g in &sc.auto_scaling_groups {
        let name = if one_group {
            "capacity".to_string()
        } else {
            format!("capacity-{}", slug(&g.name))
        };
        out.push(capacity_chart(&cx, g, &name));
    }
    out.push(latency_chart(&cx));
    out.push(errors_chart(&cx));
    out.push(cpu_chart(&cx));
    for q in &sc.queues {
        out.push(queue_chart(&cx, &q.name));
    }
    for t in &sc.tables {
        out.push(table_chart(&cx, &t.name));
    }
    out.push(cost_chart(&cx));
    out.retain(TimeChart::has_data);
    out
}

/// The line at the top right of every chart.
fn subtitle(sc: &Scenario, r: &RunResult) -> String {
    let mut s = format!("{} · seed {}", sc.name, r.summary.seed);
    if let Some(v) = &r.summary.variant {
        s.push_str(&format!(" · variant {v}"));
    }
    s
}

/// Draw the dashboard of a run: (relative path, bytes) per file —
/// `charts/<name>.png`, `charts/<name>.svg` for each chart, then
/// `report.html`.
pub fn dashboard(sc: &Scenario, r: &RunResult) -> Result<Vec<(String, Vec<u8>)>, String> {
    ensure_font()?;
    let ax = TimeAxis::for_run(sc.duration.as_secs_f64());
    let sub = subtitle(sc, r);
    let mut files = Vec::new();
    let mut svgs = Vec::new();
    for c in charts(sc, r) {
        files.push((format!("charts/{}.png", c.name), render_png(&c, ax, &sub)?));
        let svg = render_svg(&c, ax, &sub)?;
        files.push((format!("charts/{}.svg", c.name), svg.clone().into_bytes()));
        svgs.push((c.name, svg));
    }
    files.push((
        "report.html".to_string(),
        html::report_html(sc, r, &svgs).into_bytes(),
    ));
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::metrics::Series;
    use crate::report::summary::Summary;
    use crate::scenario::{LoadOptions, load_str};
    use std::path::Path;

    const YAML: &str = r#"
name: chart-test
seed: 7
duration: 30m
metrics_period: 1m
workloads:
  - name: shoppers
    to: { load_balancer: web }
    rate: { pattern: constant, rps: 100 }
load_balancers:
  - name: web
    type: application
    routing: round_robin
    target_group: web
auto_scaling_groups:
  - name: web
    availability_zones: [us-east-1a]
    min: 2
    max: 6
    desired: 2
    instance: { type: c5.large, workers: 4, queue_limit: 50, price_per_hour: 0.085 }
    app:
      - compute: { dist: lognormal, mean: 40ms, cv: 0.5 }
"#;

    fn scenario(src: &str) -> Scenario {
        load_str(src, "test.yaml", Path::new("."), &LoadOptions::default()).expect("valid scenario")
    }

    /// A synthetic run: capacity rising 2 → 5, load, latency, errors, CPU,
    /// a scaling activity, launches, an alarm period and a cooldown.
    fn run(sc: &Scenario, with_group: bool) -> RunResult {
        let mut s = Series::default();
        let lb = s.resource("web");
        let g = if with_group { s.resource("web") } else { 0 };
        for m in 0..30u64 {
            let t = m * 60_000_000_000;
            let desired = if m < 10 { 2.0 } else { 5.0 };
            let load = if (8..20).contains(&m) { 300.0 } else { 100.0 };
            s.push(t, lb, "RequestCount", load * 60.0);
            s.push(t, lb, "TargetResponseTime", 0.04 + if m == 10 { 0.2 } else { 0.0 });
            s.push(t, lb, "HTTPCode_ELB_502_Count", if m == 9 { 40.0 } else { 0.0 });
            s.push(t, lb, "HTTPCode_ELB_503_Count", 0.0);
            s.push(t, lb, "HTTPCode_ELB_504_Count", 0.0);
            s.push(t, lb, "HTTPCode_Target_5XX_Count", 0.0);
            if with_group {
                s.push(t, g, "GroupDesiredCapacity", desired);
                s.push(t, g, "GroupInServiceInstances", if m < 12 { 2.0 } else { 5.0 });
                s.push(t, g, "GroupPendingInstances", if (10..12).contains(&m) { 3.0 } else { 0.0 });
                s.push(t, g, "GroupMinSize", 2.0);
                s.push(t, g, "GroupMaxSize", 6.0);
                s.push(t, g, "CPUUtilization", 30.0 + m as f64);
            }
        }
        let act = |t_s: u64, kind: &'static str, d: &str| Activity {
            t: t_s * 1_000_000_000,
            resource: "web".into(),
            kind,
            description: d.into(),
            cause: String::new(),
        };
        let activities = if with_group {
            vec![
                Activity {
                    resource: "web-cpu-high".into(),
                    ..act(480, "alarm", "Alarm web-cpu-high updated from OK to ALARM")
                },
                act(600, "scaling", "Changing the desired capacity from 2 to 5"),
                act(600, "launch", "Launching a new EC2 instance: i-1"),
                act(600, "cooldown", "Cooldown of policy add-on-high-cpu until 900s"),
                Activity {
                    resource: "web-cpu-high".into(),
                    ..act(840, "alarm", "Alarm web-cpu-high updated from ALARM to OK")
                },
            ]
        } else {
            Vec::new()
        };
        RunResult {
            summary: Summary {
                scenario: sc.name.clone(),
                seed: sc.seed,
                ..Default::default()
            },
            series: s,
            activities,
        }
    }

    fn file<'a>(files: &'a [(String, Vec<u8>)], name: &str) -> Option<&'a [u8]> {
        files.iter().find(|f| f.0 == name).map(|f| f.1.as_slice())
    }

    fn png_size(b: &[u8]) -> (u32, u32) {
        assert_eq!(&b[..8], b"\x89PNG\r\n\x1a\n", "PNG signature");
        assert_eq!(&b[12..16], b"IHDR");
        let be = |r: std::ops::Range<usize>| u32::from_be_bytes(b[r].try_into().unwrap());
        (be(16..20), be(20..24))
    }

    #[test]
    fn pngs_have_the_signature_and_size() {
        let sc = scenario(YAML);
        let files = dashboard(&sc, &run(&sc, true)).unwrap();
        for name in ["capacity", "latency", "errors", "cpu"] {
            let png = file(&files, &format!("charts/{name}.png")).expect(name);
            assert_eq!(png_size(png), (WIDTH, HEIGHT), "{name}");
            // The encoder's output decodes to the same size.
            let dec = png::Decoder::new(png).read_info().unwrap();
            assert_eq!((dec.info().width, dec.info().height), (WIDTH, HEIGHT));
        }
    }

    #[test]
    fn svgs_hold_the_titles() {
        let sc = scenario(YAML);
        let files = dashboard(&sc, &run(&sc, true)).unwrap();
        let svg = String::from_utf8(file(&files, "charts/capacity.svg").unwrap().to_vec()).unwrap();
        assert!(svg.contains("<svg"));
        assert!(svg.contains("Capacity of group web against load"));
        assert!(svg.contains("2→5"), "scaling marker label");
        assert!(svg.contains("alarm in ALARM") && svg.contains("cooldown"));
        let lat = String::from_utf8(file(&files, "charts/latency.svg").unwrap().to_vec()).unwrap();
        assert!(lat.contains("Target response time"));
        assert!(lat.contains("response time (ms)"));
        let html = String::from_utf8(file(&files, "report.html").unwrap().to_vec()).unwrap();
        assert!(html.contains("<svg"));
    }

    #[test]
    fn rendering_is_deterministic() {
        let sc = scenario(YAML);
        let r = run(&sc, true);
        let a = dashboard(&sc, &r).unwrap();
        let b = dashboard(&sc, &r).unwrap();
        assert_eq!(a.len(), b.len());
        for (x, y) in a.iter().zip(&b) {
            assert_eq!(x.0, y.0);
            assert!(x.1 == y.1, "{} differs between two renders", x.0);
        }
    }

    #[test]
    fn no_group_means_no_capacity_or_cpu_chart() {
        let src = YAML.split("auto_scaling_groups:").next().unwrap().replace("target_group: web", "target_group: none");
        let sc = load_str(&src, "t.yaml", Path::new("."), &LoadOptions::default());
        // A load balancer without a group may not validate; build from the
        // full scenario and drop the group instead.
        let sc = match sc {
            Ok(sc) => sc,
            Err(_) => {
                let mut sc = scenario(YAML);
                sc.auto_scaling_groups.clear();
                sc
            }
        };
        let files = dashboard(&sc, &run(&sc, false)).unwrap();
        let names: Vec<&str> = files.iter().map(|f| f.0.as_str()).collect();
        assert!(!names.iter().any(|n| n.starts_with("charts/capacity")), "{names:?}");
        assert!(!names.contains(&"charts/cpu.png"), "{names:?}");
        assert!(names.contains(&"charts/latency.png"));
        assert!(names.contains(&"report.html"));
    }

    #[test]
    fn helpers() {
        assert_eq!(from_to("Changing the desired capacity from 2 to 5."), Some("2→5".into()));
        assert_eq!(
            from_to("At T a monitor alarm a in state ALARM triggered policy p changing the desired capacity from 3 to 2."),
            Some("3→2".into())
        );
        assert_eq!(from_to("nothing here"), None);
        assert_eq!(until_secs("Cooldown of policy p until 720s"), Some(720.0));
        assert_eq!(until_secs("warm-up until 12.5 s"), Some(12.5));
        assert_eq!(nice_ceil(4.2), 5.0);
        assert_eq!(nice_ceil(0.0), 1.0);
        assert_eq!(nice_ceil(105.0), 120.0);
        assert_eq!(fmt_tick(1200.0), "1200");
        assert_eq!(fmt_tick(25000.0), "25k");
        assert_eq!(fmt_tick(0.25), "0.25");
        assert_eq!(slug("a b/c"), "a_b_c");
    }
}
