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
//! - `cost`: cumulative `CostUSD` per resource;
//! - `elasticity` (or `elasticity-<group>`): the scorecard's demand against
//!   supply, under- and over-provisioned areas shaded.
//!
//! How metrics are placed on the time axis: a metric aggregated over a period
//! (request counts, response times, CPU, errors, queue and table metrics) is
//! drawn at the middle of its period; a count of instances or a size
//! (`Group*`, `Provisioned*`) is drawn as a step held over its period; a
//! cumulative figure (`CostUSD`) is drawn at the end of its period.
//!
//! How the activity history is read for the capacity chart (activities of the
//! group, i.e. whose `resource` is the group's name, unless said otherwise).
//! Charts read the typed [`Act`] of each row, never its prose:
//! - [`Act::Scaling`]: a dashed vertical marker labelled `from→to`;
//! - [`Act::Launch`] / [`Act::Terminate`]: small triangles along the bottom
//!   of the plot (▲ launch, ▼ termination);
//! - [`Act::Alarm`]: a change to ALARM opens a shaded period for that alarm;
//!   a change to OK or INSUFFICIENT_DATA closes it (an open period runs to
//!   the end). Alarms belong to the group when the resource is the group,
//!   or when the alarm (or resource) is named after one of its policies
//!   (`name`, default `<group>-<policy>`) or starts with
//!   `TargetTracking-<group>-`; target tracking's `-AlarmLow-` alarms are
//!   shaded in another colour;
//! - [`Act::Cooldown`]: the window from `t` to `until` is shaded.

use crate::aws::cloudwatch::AlarmState;
use crate::report::html;
use crate::run::RunResult;
use crate::scenario::Scenario;
use crate::world::{Act, Activity};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::FontStyle;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// Width of a chart, px.
pub const WIDTH: u32 = 1000;
/// Height of a chart, px.
pub const HEIGHT: u32 = 560;

/// The font family every text uses; registered from the embedded TTF.
pub(crate) const FAMILY: &str = "sans-serif";
static DEJAVU_SANS: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");

/// Register the embedded font with plotters, once per process.
pub(crate) fn ensure_font() -> Result<(), String> {
    static DONE: OnceLock<Result<(), String>> = OnceLock::new();
    DONE.get_or_init(|| {
        plotters::style::register_font(FAMILY, FontStyle::Normal, DEJAVU_SANS)
            .map_err(|_| "the embedded DejaVu Sans font is invalid".to_string())
    })
    .clone()
}

/// A fixed palette (Tableau 10) and the neutral colours.
pub(crate) mod pal {
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
// Text on bitmaps
// ---------------------------------------------------------------------------

mod typeset {
    use super::DEJAVU_SANS;
    use plotters_backend::{
        BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingBackend,
        DrawingErrorKind,
    };

    /// A bitmap backend whose text is laid out with the embedded font directly.
    ///
    /// plotters' own ab_glyph path drops the glyphs' side bearings and rounds
    /// every advance, which spaces letters unevenly ("ti me"). This wrapper
    /// delegates every shape to the inner backend and typesets text itself:
    /// fractional advances, kerning, and the SVG backend's conventions (the em is
    /// `size / 1.24` px; the baseline sits 0.76 em below a top anchor, 0.5 ex
    /// below a centre anchor, 0.5 ex above a bottom anchor; rotation about the
    /// anchor), so a PNG and its SVG place text alike.
    pub(crate) struct Typeset<DB> {
        inner: DB,
        font: ab_glyph::FontRef<'static>,
    }

    impl<DB: DrawingBackend> Typeset<DB> {
        pub(crate) fn new(inner: DB) -> Result<Typeset<DB>, String> {
            let font = ab_glyph::FontRef::try_from_slice(DEJAVU_SANS)
                .map_err(|_| "the embedded DejaVu Sans font is invalid".to_string())?;
            Ok(Typeset { inner, font })
        }

        /// Em size in px, and the ab_glyph scale giving that em.
        fn scale(&self, size: f64) -> (f32, ab_glyph::PxScale) {
            use ab_glyph::Font;
            let em = (size / 1.24) as f32;
            let upem = self.font.units_per_em().unwrap_or(2048.0);
            (
                em,
                ab_glyph::PxScale::from(em * self.font.height_unscaled() / upem),
            )
        }

        /// Width in px of a line of text.
        fn width(&self, text: &str, scale: ab_glyph::PxScale) -> f32 {
            use ab_glyph::{Font, ScaleFont};
            let f = self.font.as_scaled(scale);
            let mut w = 0.0;
            let mut prev = None;
            for c in text.chars() {
                let id = f.glyph_id(c);
                if let Some(p) = prev {
                    w += f.kern(p, id);
                }
                w += f.h_advance(id);
                prev = Some(id);
            }
            w
        }
    }

    impl<DB: DrawingBackend> DrawingBackend for Typeset<DB> {
        type ErrorType = DB::ErrorType;

        fn get_size(&self) -> (u32, u32) {
            self.inner.get_size()
        }
        fn ensure_prepared(&mut self) -> Result<(), DrawingErrorKind<DB::ErrorType>> {
            self.inner.ensure_prepared()
        }
        fn present(&mut self) -> Result<(), DrawingErrorKind<DB::ErrorType>> {
            self.inner.present()
        }
        fn draw_pixel(
            &mut self,
            p: BackendCoord,
            c: BackendColor,
        ) -> Result<(), DrawingErrorKind<DB::ErrorType>> {
            self.inner.draw_pixel(p, c)
        }
        fn draw_line<S: BackendStyle>(
            &mut self,
            from: BackendCoord,
            to: BackendCoord,
            style: &S,
        ) -> Result<(), DrawingErrorKind<DB::ErrorType>> {
            self.inner.draw_line(from, to, style)
        }
        fn draw_rect<S: BackendStyle>(
            &mut self,
            a: BackendCoord,
            b: BackendCoord,
            style: &S,
            fill: bool,
        ) -> Result<(), DrawingErrorKind<DB::ErrorType>> {
            self.inner.draw_rect(a, b, style, fill)
        }
        fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
            &mut self,
            path: I,
            style: &S,
        ) -> Result<(), DrawingErrorKind<DB::ErrorType>> {
            self.inner.draw_path(path, style)
        }
        fn draw_circle<S: BackendStyle>(
            &mut self,
            center: BackendCoord,
            radius: u32,
            style: &S,
            fill: bool,
        ) -> Result<(), DrawingErrorKind<DB::ErrorType>> {
            self.inner.draw_circle(center, radius, style, fill)
        }
        fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
            &mut self,
            vert: I,
            style: &S,
        ) -> Result<(), DrawingErrorKind<DB::ErrorType>> {
            self.inner.fill_polygon(vert, style)
        }
        fn blit_bitmap(
            &mut self,
            pos: BackendCoord,
            size: (u32, u32),
            src: &[u8],
        ) -> Result<(), DrawingErrorKind<DB::ErrorType>> {
            self.inner.blit_bitmap(pos, size, src)
        }

        fn estimate_text_size<S: BackendTextStyle>(
            &self,
            text: &str,
            style: &S,
        ) -> Result<(u32, u32), DrawingErrorKind<DB::ErrorType>> {
            let (em, scale) = self.scale(style.size());
            Ok((self.width(text, scale).ceil() as u32, em.ceil() as u32))
        }

        fn draw_text<S: BackendTextStyle>(
            &mut self,
            text: &str,
            style: &S,
            pos: BackendCoord,
        ) -> Result<(), DrawingErrorKind<DB::ErrorType>> {
            use ab_glyph::{Font, ScaleFont};
            use plotters_backend::text_anchor::{HPos, VPos};
            let color = style.color();
            if color.alpha == 0.0 || text.is_empty() {
                return Ok(());
            }
            let (em, scale) = self.scale(style.size());
            let width = self.width(text, scale);
            let half_ex = 0.5 * 0.547 * em; // DejaVu Sans x-height is 0.547 em
            let anchor = style.anchor();
            let mut x = match anchor.h_pos {
                HPos::Left => 0.0,
                HPos::Center => -width / 2.0,
                HPos::Right => -width,
            };
            let baseline = match anchor.v_pos {
                VPos::Top => 0.76 * em,
                VPos::Center => half_ex,
                VPos::Bottom => -half_ex,
            };
            let trans = style.transform();
            let (w, h) = self.inner.get_size();
            let font = self.font.clone();
            let f = font.as_scaled(scale);
            let mut prev = None;
            let mut pixels: Vec<(i32, i32, f32)> = Vec::new();
            for c in text.chars() {
                let id = f.glyph_id(c);
                if let Some(p) = prev {
                    x += f.kern(p, id);
                }
                prev = Some(id);
                let glyph = id.with_scale_and_position(scale, ab_glyph::point(x, baseline));
                x += f.h_advance(id);
                if let Some(outline) = font.outline_glyph(glyph) {
                    let b = outline.px_bounds();
                    let (bx, by) = (b.min.x as i32, b.min.y as i32);
                    outline.draw(|gx, gy, cov| {
                        if cov > 0.0 {
                            pixels.push((bx + gx as i32, by + gy as i32, cov.min(1.0)));
                        }
                    });
                }
            }
            for (rx, ry, cov) in pixels {
                let (tx, ty) = trans.transform(rx, ry);
                let (px, py) = (pos.0 + tx, pos.1 + ty);
                if px >= 0 && py >= 0 && (px as u32) < w && (py as u32) < h {
                    self.inner.draw_pixel(
                        (px, py),
                        BackendColor {
                            alpha: color.alpha * cov as f64,
                            rgb: color.rgb,
                        },
                    )?;
                }
            }
            Ok(())
        }
    }
}
pub(crate) use typeset::Typeset;

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
    /// ▲ (else ▼).
    up: bool,
    x: f64,
}

/// Draw a small triangle standing on `base` (pixels), pointing up or down,
/// outlined in white so it shows over lines.
fn triangle<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    base: (i32, i32),
    up: bool,
    color: RGBColor,
    k: i32,
) -> DrawResult<(), DB> {
    let (x, y) = base;
    let (h, v) = (5 * k, 9 * k);
    let pts = if up {
        vec![(x - h, y), (x + h, y), (x, y - v)]
    } else {
        vec![(x - h, y - v), (x + h, y - v), (x, y)]
    };
    area.draw(&Polygon::new(pts.clone(), color.filled()))?;
    let mut outline = pts;
    outline.push(outline[0]);
    area.draw(&PathElement::new(
        outline,
        WHITE.mix(0.9).stroke_width(k as u32),
    ))
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
    /// The left axis counts things: its range is at least 0–5, so that ticks
    /// stay whole numbers.
    counts: bool,
    /// Written across the plot when every value is zero (e.g. "no errors").
    zero_note: Option<String>,
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
            counts: false,
            zero_note: None,
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
        let div = if duration_s > 3.0 * 3600.0 {
            3600.0
        } else {
            60.0
        };
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
    Tick(RGBColor, bool),
}

/// The legend's entries; `hidden` scaling-marker labels found no room
/// above the plot (the marker entry says how many).
fn legend(c: &TimeChart, hidden: usize) -> Vec<(String, LegendKey)> {
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
        let label = if hidden > 0 {
            format!(
                "{} ({hidden} of {} labels hidden: no room)",
                c.marker_label,
                c.markers.len()
            )
        } else {
            c.marker_label.clone()
        };
        add(&label, LegendKey::Marker);
    }
    for t in &c.ticks {
        add(&t.label, LegendKey::Tick(t.color, t.up));
    }
    out
}

/// A rounded value at or above `v` (1, 2, 2.5, 5 × 10ⁿ).
pub(crate) fn nice_ceil(v: f64) -> f64 {
    if v.is_nan() || v <= 0.0 || !v.is_finite() {
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

/// Axis tick text, one SI style everywhere: integers below 1,000 without
/// decimals, then `k` (1.5k, 10k) and `M` (the HTML dashboard's axes use the
/// same rule).
pub(crate) fn fmt_tick(v: f64) -> String {
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
    if a >= 1e3 {
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

pub(crate) type DrawResult<T, DB> =
    Result<T, DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

/// Draw a chart onto any backend (bitmap or SVG) of `WIDTH·k × HEIGHT·k`
/// pixels: every length is in 1000×560 units times `k` (the PNG is drawn at
/// k = 2 and averaged down, which anti-aliases lines and text).
fn draw_chart<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    c: &TimeChart,
    ax: TimeAxis,
    subtitle: &str,
    k: i32,
) -> DrawResult<(), DB> {
    let px = |v: i32| v * k;
    let w = |v: u32| v * k as u32;
    let width = px(WIDTH as i32);
    root.fill(&WHITE)?;
    let font = |size: f64, color: RGBColor| (FAMILY, size * k as f64).into_font().color(&color);
    let left =
        |size: f64, color: RGBColor| font(size, color).pos(Pos::new(HPos::Left, VPos::Center));

    // Title, and the run at the right.
    root.draw(&Text::new(
        c.title.clone(),
        (px(18), px(22)),
        left(24.0, pal::TEXT),
    ))?;
    root.draw(&Text::new(
        subtitle.to_string(),
        (width - px(18), px(22)),
        font(15.0, pal::MUTED).pos(Pos::new(HPos::Right, VPos::Center)),
    ))?;

    // Room above the plot for the scaling markers' labels: laid out first
    // (on `MARKER_ROWS` rows, never overlapping; those without room are
    // counted in the legend) with the plot's x extent, which the margins and
    // label areas below fix.
    let secondary = c.has_secondary();
    let label_style = font(13.0, pal::MARKER);
    let (_, lh) = root.estimate_text_size("0→0", &label_style)?;
    let row_h = lh as i32 + px(5);
    let (plot_l, plot_r) = (
        px(10 + 72),
        width - px(if secondary { 10 + 72 } else { 30 }),
    );
    let mut marks = Vec::with_capacity(c.markers.len());
    for m in &c.markers {
        let x = ax.x(m.x);
        if !(0.0..=ax.end).contains(&x) {
            marks.push(None);
            continue;
        }
        let mx = plot_l + ((plot_r - plot_l) as f64 * x / ax.end).round() as i32;
        let (tw, _) = root.estimate_text_size(&m.label, &label_style)?;
        marks.push(Some((mx, tw as i32)));
    }
    let boxes = layout_labels(&marks, px(2), width - px(4), px(6), MARKER_ROWS);
    let hidden = marks
        .iter()
        .zip(&boxes)
        .filter(|(m, b)| m.is_some() && b.is_none())
        .count();
    let rows: Vec<Option<(usize, i32)>> = boxes
        .iter()
        .zip(&marks)
        .map(|(b, m)| match (b, m) {
            (Some(b), Some((mx, _))) => Some((b.row, b.x0 - mx)),
            _ => None,
        })
        .collect();

    // Legend: rows of keys under the title, never over the data.
    let items = legend(c, hidden);
    let legend_style = left(15.0, pal::TEXT);
    let (mut lx, mut ly) = (px(18), px(52));
    let mut placed = Vec::new();
    for (label, key) in &items {
        let (tw, _) = root.estimate_text_size(label, &legend_style)?;
        let item_w = px(28) + tw as i32 + px(20);
        if lx + item_w > width - px(18) && lx > px(18) {
            lx = px(18);
            ly += px(22);
        }
        placed.push((lx, ly, label, key));
        lx += item_w;
    }
    for (x, mid, label, key) in placed {
        match key {
            LegendKey::Line(color, shape) => {
                let dashes: &[(i32, i32)] = match shape {
                    Shape::Line => &[(0, 22)],
                    Shape::Dashed => &[(0, 6), (9, 14), (17, 22)],
                };
                for &(a, b) in dashes {
                    root.draw(&PathElement::new(
                        vec![(x + px(a), mid), (x + px(b), mid)],
                        color.stroke_width(w(3)),
                    ))?;
                }
            }
            LegendKey::Fill(color, alpha) => {
                root.draw(&Rectangle::new(
                    [(x, mid - px(7)), (x + px(22), mid + px(7))],
                    color.mix((alpha * 1.6).min(1.0)).filled(),
                ))?;
            }
            LegendKey::Marker => {
                for (a, b) in [(-9, -4), (-1, 4), (7, 10)] {
                    root.draw(&PathElement::new(
                        vec![(x + px(11), mid + px(a)), (x + px(11), mid + px(b))],
                        pal::MARKER.stroke_width(w(2)),
                    ))?;
                }
            }
            LegendKey::Tick(color, up) => {
                triangle(root, (x + px(11), mid + px(5)), *up, *color, k)?;
            }
        }
        root.draw(&Text::new(
            label.to_string(),
            (x + px(28), mid),
            legend_style.clone(),
        ))?;
    }
    let header = if items.is_empty() {
        px(40)
    } else {
        ly + px(16)
    };
    let (_, body) = root.split_vertically(header);

    // Ranges: from 0 to a round value above the data.
    let top = |secondary: bool| {
        let mut m: f64 = 0.0;
        for l in c.lines.iter().filter(|l| l.secondary == secondary) {
            for p in l.points.iter().filter(|p| p.1.is_finite()) {
                m = m.max(p.1);
            }
        }
        if !secondary {
            for p in c.bands.iter().flat_map(|b| &b.upper) {
                m = m.max(p.1);
            }
        }
        (0.0, nice_ceil(m * 1.05))
    };
    let (y0, mut y1) = c.y_range.unwrap_or_else(|| top(false));
    if c.counts {
        y1 = y1.max(5.0);
    }
    let (s0, s1) = top(true);

    let used = rows.iter().flatten().map(|r| r.0 + 1).max().unwrap_or(0);
    let strip = used as i32 * row_h;

    let mut chart = ChartBuilder::on(&body)
        .margin_left(px(10))
        .margin_right(px(if secondary { 10 } else { 30 }))
        .margin_top(px(8) + strip)
        .margin_bottom(px(8))
        .x_label_area_size(px(48))
        .y_label_area_size(px(72))
        .right_y_label_area_size(if secondary { px(72) } else { 0 })
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
        .label_style(font(15.0, pal::TEXT))
        .axis_desc_style(font(16.0, pal::TEXT))
        .axis_style(pal::AXIS.stroke_width(w(1)))
        .bold_line_style(pal::GRID_BOLD.stroke_width(w(1)))
        .light_line_style(pal::GRID_LIGHT.stroke_width(w(1)))
        .set_all_tick_mark_size(px(5))
        .max_light_lines(4)
        .draw()?;
    if secondary {
        chart
            .configure_secondary_axes()
            .y_desc(c.y2_desc.as_str())
            .y_labels(8)
            .y_label_formatter(&fmt)
            .label_style(font(15.0, pal::MUTED))
            .axis_desc_style(font(16.0, pal::MUTED))
            .axis_style(pal::AXIS.stroke_width(w(1)))
            .set_all_tick_mark_size(px(5))
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
    // Bands, with a thin edge so a zero-height band still shows.
    for b in c.bands.iter().filter(|b| !b.upper.is_empty()) {
        let mut poly: Vec<(f64, f64)> = b.upper.iter().map(|p| (ax.x(p.0), p.1)).collect();
        poly.extend(b.lower.iter().rev().map(|p| (ax.x(p.0), p.1)));
        chart.draw_series(std::iter::once(Polygon::new(
            poly,
            b.color.mix(0.18).filled(),
        )))?;
        for edge in [&b.upper, &b.lower] {
            chart.draw_series(LineSeries::new(
                edge.iter().map(|p| (ax.x(p.0), p.1)),
                b.color.mix(0.7).stroke_width(w(1)),
            ))?;
        }
    }
    // Secondary lines first (they are context), then the primary solid ones,
    // then the dashed ones, so a dashed line shows over an equal solid one.
    let ordered = c
        .lines
        .iter()
        .filter(|l| l.secondary)
        .chain(
            c.lines
                .iter()
                .filter(|l| !l.secondary && l.shape == Shape::Line),
        )
        .chain(
            c.lines
                .iter()
                .filter(|l| !l.secondary && l.shape == Shape::Dashed),
        );
    for l in ordered {
        let pts: Vec<(f64, f64)> = l.points.iter().map(|p| (ax.x(p.0), p.1)).collect();
        let style = l.color.stroke_width(w(2));
        match (l.shape, l.secondary) {
            (Shape::Line, false) => {
                chart.draw_series(LineSeries::new(pts, style))?;
            }
            (Shape::Line, true) => {
                chart.draw_secondary_series(LineSeries::new(pts, style))?;
            }
            (Shape::Dashed, false) => {
                chart.draw_series(DashedLineSeries::new(pts, w(7), w(5), style))?;
            }
            (Shape::Dashed, true) => {
                chart.draw_secondary_series(DashedLineSeries::new(pts, w(7), w(5), style))?;
            }
        }
    }
    // Scaling markers: dashed verticals, lighter when dense, and the labels
    // placed above.
    let plot_px = chart.plotting_area().dim_in_pixel().0 as f64;
    let dense = c.markers.len() as f64 > plot_px / px(40) as f64;
    for (m, row) in c.markers.iter().zip(&rows) {
        let x = ax.x(m.x);
        if !(0.0..=ax.end).contains(&x) {
            continue;
        }
        chart.draw_series(DashedLineSeries::new(
            [(x, y0), (x, y1)],
            w(4),
            w(4),
            pal::MARKER
                .mix(if dense { 0.35 } else { 0.75 })
                .stroke_width(w(1)),
        ))?;
        if let Some((row, dx)) = *row {
            let (mx, my) = chart.backend_coord(&(x, y1));
            let ty = my - (row as i32 + 1) * row_h + px(2);
            // The leader line down to the plot, unless it would cross a
            // label on a lower row.
            let blocked = boxes
                .iter()
                .flatten()
                .any(|b| b.row < row && b.x0 - px(2) <= mx && mx <= b.x1 + px(2));
            if !blocked {
                root.draw(&PathElement::new(
                    vec![(mx, ty + lh as i32), (mx, my)],
                    pal::MARKER.mix(0.5).stroke_width(w(1)),
                ))?;
            }
            root.draw(&Text::new(
                m.label.clone(),
                (mx + dx, ty),
                label_style.clone(),
            ))?;
        }
    }
    // A note across an all-zero plot.
    let all_zero = c.lines.iter().flat_map(|l| &l.points).all(|p| p.1 == 0.0);
    if let (Some(note), true) = (&c.zero_note, all_zero) {
        let (cx, cy) = chart.backend_coord(&(ax.end / 2.0, (y0 + y1) / 2.0));
        root.draw(&Text::new(
            note.clone(),
            (cx, cy),
            font(18.0, pal::MUTED).pos(Pos::new(HPos::Center, VPos::Center)),
        ))?;
    }
    // Launch / termination ticks along the bottom.
    for t in &c.ticks {
        let x = ax.x(t.x);
        if !(0.0..=ax.end).contains(&x) {
            continue;
        }
        let (tx, ty) = chart.backend_coord(&(x, y0));
        triangle(root, (tx, ty - px(1)), t.up, t.color, k)?;
    }
    root.present()?;
    Ok(())
}

/// Rows of scaling-marker labels above the plot.
const MARKER_ROWS: usize = 2;

/// A scaling marker's label above the plot: its row (0 next to the plot)
/// and its horizontal extent, in pixels.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct LabelBox {
    pub row: usize,
    pub x0: i32,
    pub x1: i32,
}

/// Lays out the labels of markers `(x, label width)` (pixels; `None`: not
/// drawn), in any order: each label starts `pad` left of its marker, pulled
/// left so that it ends by `right`, and goes on the lowest of `rows` rows
/// where it starts at least `gap` right of every label already on that row;
/// a label that fits on no row is left out (`None`). So no two labels
/// overlap, on one row or across rows (rows are a text line apart).
pub(crate) fn layout_labels(
    marks: &[Option<(i32, i32)>],
    pad: i32,
    right: i32,
    gap: i32,
    rows: usize,
) -> Vec<Option<LabelBox>> {
    let mut order: Vec<usize> = (0..marks.len()).filter(|&i| marks[i].is_some()).collect();
    order.sort_by_key(|&i| marks[i].map(|m| m.0));
    let mut row_end = vec![i32::MIN / 2; rows];
    let mut out = vec![None; marks.len()];
    for i in order {
        let Some((x, w)) = marks[i] else { continue };
        let x0 = (x - pad).min(right - w);
        if let Some(row) = (0..rows).find(|&r| x0 >= row_end[r] + gap) {
            row_end[row] = x0 + w;
            out[i] = Some(LabelBox {
                row,
                x0,
                x1: x0 + w,
            });
        }
    }
    out
}

/// Supersampling factor of the PNGs.
const SS: u32 = 2;

/// PNG bytes of a chart: drawn at `SS`× and averaged down.
fn render_png(c: &TimeChart, ax: TimeAxis, subtitle: &str) -> Result<Vec<u8>, String> {
    png_supersampled(&c.name, |root| {
        draw_chart(root, c, ax, subtitle, SS as i32).map_err(|e| format!("chart {}: {e}", c.name))
    })
}

/// The bitmap backend charts draw on (text typeset with the embedded font).
pub(crate) type PngArea<'a> = DrawingArea<Typeset<BitMapBackend<'a>>, Shift>;

/// PNG bytes of a `WIDTH × HEIGHT` picture that `draw` paints at `SS`× size
/// (every length times `SS`), averaged down to anti-alias lines and text.
pub(crate) fn png_supersampled(
    name: &str,
    draw: impl FnOnce(&PngArea<'_>) -> Result<(), String>,
) -> Result<Vec<u8>, String> {
    let err = |e: &dyn std::fmt::Display| format!("chart {name}: {e}");
    let (bw, bh) = (WIDTH * SS, HEIGHT * SS);
    let mut big = vec![0u8; (bw * bh * 3) as usize];
    {
        let bitmap = BitMapBackend::with_buffer(&mut big, (bw, bh));
        let root = Typeset::new(bitmap)?.into_drawing_area();
        draw(&root)?;
    }
    let mut rgb = vec![0u8; (WIDTH * HEIGHT * 3) as usize];
    let n = SS * SS;
    for y in 0..HEIGHT {
        for x in 0..WIDTH {
            for ch in 0..3 {
                let mut sum = 0u32;
                for dy in 0..SS {
                    for dx in 0..SS {
                        let i = (((y * SS + dy) * bw + x * SS + dx) * 3 + ch) as usize;
                        sum += big[i] as u32;
                    }
                }
                rgb[((y * WIDTH + x) * 3 + ch) as usize] = ((sum + n / 2) / n) as u8;
            }
        }
    }
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, WIDTH, HEIGHT);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        enc.set_compression(png::Compression::Default);
        let mut wr = enc.write_header().map_err(|e| err(&e))?;
        wr.write_image_data(&rgb).map_err(|e| err(&e))?;
        wr.finish().map_err(|e| err(&e))?;
    }
    Ok(out)
}

/// SVG text of a chart.
fn render_svg(c: &TimeChart, ax: TimeAxis, subtitle: &str) -> Result<String, String> {
    svg_string(|root| {
        draw_chart(root, c, ax, subtitle, 1).map_err(|e| format!("chart {}: {e}", c.name))
    })
}

/// The SVG backend charts draw on.
pub(crate) type SvgArea<'a> = DrawingArea<SVGBackend<'a>, Shift>;

/// SVG text of a `WIDTH × HEIGHT` picture that `draw` paints.
pub(crate) fn svg_string(
    draw: impl FnOnce(&SvgArea<'_>) -> Result<(), String>,
) -> Result<String, String> {
    let mut s = String::new();
    {
        let root = SVGBackend::with_string(&mut s, (WIDTH, HEIGHT)).into_drawing_area();
        draw(&root)?;
    }
    Ok(s)
}

// ---------------------------------------------------------------------------
// Overlays (`stratus compare`)
// ---------------------------------------------------------------------------

/// An overlay chart: one figure of several runs on the same axes, one colour
/// per run (in order: blue, orange, green, … as in the dashboard's palette).
#[derive(Clone, Debug, Default)]
pub struct Overlay {
    /// File stem under `charts/`.
    pub name: String,
    /// Title.
    pub title: String,
    /// Left axis description, with its unit.
    pub y_desc: String,
    /// Fixed y range (else 0 to a round value above the data).
    pub y_range: Option<(f64, f64)>,
    /// The axis counts things (whole-number ticks).
    pub counts: bool,
    /// Written across the plot when every value is zero.
    pub zero_note: Option<String>,
    /// (label, points) per run; x in seconds since the start.
    pub lines: Vec<(String, Vec<(f64, f64)>)>,
}

impl Overlay {
    /// Some line has points.
    pub fn has_data(&self) -> bool {
        self.lines.iter().any(|l| !l.1.is_empty())
    }
}

/// Draw an overlay chart of runs `duration_s` long: (PNG bytes, SVG text).
pub fn overlay(o: &Overlay, duration_s: f64, subtitle: &str) -> Result<(Vec<u8>, String), String> {
    ensure_font()?;
    let mut c = TimeChart::new(&o.name, o.title.clone(), &o.y_desc);
    c.y_range = o.y_range;
    c.counts = o.counts;
    c.zero_note = o.zero_note.clone();
    for (i, (label, points)) in o.lines.iter().enumerate() {
        c.line(
            label.clone(),
            pal::CYCLE[i % pal::CYCLE.len()],
            points.clone(),
        );
    }
    let ax = TimeAxis::for_run(duration_s);
    Ok((render_png(&c, ax, subtitle)?, render_svg(&c, ax, subtitle)?))
}

/// An overlay as a panel of the interactive dashboard (the compare
/// report): one series per run, in the overlay PNG/SVG's colours, on one
/// time axis (a run without a point at a time has null there).
pub(crate) fn overlay_panel(o: &Overlay, lesson: bool) -> crate::report::dashboard::Panel {
    use crate::report::dashboard::{Panel, PanelSeries};
    let mut xs: Vec<u64> = o
        .lines
        .iter()
        .flat_map(|l| l.1.iter().map(|p| (p.0 * 1e3).round() as u64))
        .collect();
    xs.sort_unstable();
    xs.dedup();
    let series = o
        .lines
        .iter()
        .enumerate()
        .map(|(i, (label, pts))| {
            let c = pal::CYCLE[i % pal::CYCLE.len()];
            let mut data: Vec<Option<f64>> = vec![None; xs.len()];
            for (t, v) in pts {
                if let Ok(k) = xs.binary_search(&((t * 1e3).round() as u64)) {
                    data[k] = Some(*v);
                }
            }
            PanelSeries {
                label: label.clone(),
                color: format!("#{:02x}{:02x}{:02x}", c.0, c.1, c.2),
                dash: false,
                right: false,
                data,
            }
        })
        .collect();
    Panel {
        name: o.name.clone(),
        title: o.title.clone(),
        y: o.y_desc.clone(),
        y2: String::new(),
        y_range: o.y_range,
        counts: o.counts,
        lesson,
        x: xs.iter().map(|&t| t as f64 / 1e3).collect(),
        series,
        spans: Vec::new(),
        events: Vec::new(),
    }
}

// ---------------------------------------------------------------------------
// The run's charts
// ---------------------------------------------------------------------------

#[path = "serverless_charts.rs"]
mod serverless_charts;
#[path = "stream_charts.rs"]
mod stream_charts;

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
pub(crate) fn slug(name: &str) -> String {
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

fn capacity_chart(cx: &Ctx, group: &crate::scenario::AutoScalingGroup, name: &str) -> TimeChart {
    let g = group.name.as_str();
    let mut c = TimeChart::new(
        name,
        format!("Capacity of group {g} against load"),
        "instances",
    );
    c.counts = true;
    c.bands.push(Band {
        label: "min–max size".into(),
        color: pal::GREY,
        lower: cx.step(g, "GroupMinSize"),
        upper: cx.step(g, "GroupMaxSize"),
    });
    if c.bands[0].lower.len() != c.bands[0].upper.len() {
        c.bands.clear();
    }
    c.lines.push(Line {
        label: "desired".into(),
        color: pal::BLUE,
        shape: Shape::Dashed,
        secondary: false,
        points: cx.step(g, "GroupDesiredCapacity"),
    });
    c.line(
        "in service".into(),
        pal::GREEN,
        cx.step(g, "GroupInServiceInstances"),
    );
    c.line(
        "pending".into(),
        pal::ORANGE,
        cx.step(g, "GroupPendingInstances"),
    );
    // Predictive scaling's forecast and the warm pool, when the group has them.
    let forecast = cx.step(g, "PredictiveCapacityForecast");
    if !forecast.is_empty() {
        c.line("predicted capacity".into(), pal::PURPLE, forecast);
    }
    let pool = cx.step(g, "WarmPoolWarmedCapacity");
    if !pool.is_empty() {
        c.line("warm pool".into(), pal::TEAL, pool);
    }
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
            color: if i == 0 {
                pal::LOAD
            } else {
                pal::CYCLE[(5 + i) % 10]
            },
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
        match &a.what {
            Act::Scaling { from, to } => c.markers.push(Marker {
                x: t,
                label: format!("{from}→{to}"),
            }),
            Act::Launch => c.ticks.push(Tick {
                label: "instance launch".into(),
                color: pal::GREEN,
                up: true,
                x: t,
            }),
            Act::Terminate => c.ticks.push(Tick {
                label: "instance termination".into(),
                color: pal::RED,
                up: false,
                x: t,
            }),
            Act::Cooldown { until } => c.spans.push(Span {
                label: "cooldown".into(),
                color: pal::BLUE,
                alpha: 0.10,
                x0: t,
                x1: (*until as f64 / 1e9).min(cx.end),
            }),
            _ => {}
        }
    }
    // Alarm periods of the group's alarms, per alarm.
    let mut alarm_names: Vec<String> = vec![g.to_string()];
    for p in &group.scaling_policies {
        if let Some(al) = &p.alarm {
            alarm_names.push(al.name.clone().unwrap_or_else(|| format!("{g}-{}", p.name)));
        }
    }
    let tt_prefix = format!("TargetTracking-{g}-");
    let ours = |n: &str| alarm_names.iter().any(|x| x == n) || n.starts_with(&tt_prefix);
    let mut open: BTreeMap<&str, f64> = BTreeMap::new();
    for a in &cx.r.activities {
        let Act::Alarm { alarm: name, to } = &a.what else {
            continue;
        };
        if !ours(&a.resource) && !ours(name) {
            continue;
        }
        let t = a.t as f64 / 1e9;
        if *to == AlarmState::Alarm {
            open.entry(name).or_insert(t);
        } else if let Some(t0) = open.remove(name.as_str()) {
            c.spans.push(alarm_span(name, t0, t));
        }
    }
    for (name, t0) in open {
        c.spans.push(alarm_span(name, t0, cx.end));
    }
    c
}

/// A shaded ALARM period; target tracking's low (scale-in) alarms apart.
fn alarm_span(name: &str, x0: f64, x1: f64) -> Span {
    let (label, color) = if name.contains("-AlarmLow-") {
        ("low alarm in ALARM", pal::TEAL)
    } else if name.contains("-AlarmHigh-") {
        ("high alarm in ALARM", pal::RED)
    } else {
        ("alarm in ALARM", pal::RED)
    };
    Span {
        label: label.into(),
        color,
        alpha: 0.12,
        x0,
        x1,
    }
}

fn latency_chart(cx: &Ctx) -> TimeChart {
    let mut c = TimeChart::new(
        "latency",
        "Target response time".into(),
        "response time (ms)",
    );
    let many = cx.sc.load_balancers.len() > 1;
    for (i, lb) in cx.sc.load_balancers.iter().enumerate() {
        let n = lb.name.as_str();
        let label = |what: &str| {
            if many {
                format!("{n} {what}")
            } else {
                what.to_string()
            }
        };
        let base = if many { i * 3 } else { 0 };
        let color = |k: usize| {
            if many {
                pal::CYCLE[(base + k) % 10]
            } else {
                [pal::BLUE, pal::GREEN, pal::RED][k]
            }
        };
        c.line(
            label("average"),
            color(0),
            cx.mid(n, "TargetResponseTime", 1e3),
        );
        c.line(
            label("p50"),
            color(1),
            cx.mid(n, "TargetResponseTime_p50", 1e3),
        );
        c.line(
            label("p99"),
            color(2),
            cx.mid(n, "TargetResponseTime_p99", 1e3),
        );
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
    c.counts = true;
    c.zero_note = Some("no 5XX responses in this run".into());
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
            let label = if many {
                format!("{n} {what}")
            } else {
                what.to_string()
            };
            let color = if many {
                pal::CYCLE[(i * 4 + k) % 10]
            } else {
                *color
            };
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
    c.counts = true;
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
    c.line(
        "consumed RCU/s".into(),
        pal::BLUE,
        cx.mid(t, "ConsumedReadCapacityUnits", per_s),
    );
    c.lines.push(Line {
        label: "provisioned RCU/s".into(),
        color: pal::BLUE,
        shape: Shape::Dashed,
        secondary: false,
        points: cx.step(t, "ProvisionedReadCapacityUnits"),
    });
    c.line(
        "consumed WCU/s".into(),
        pal::GREEN,
        cx.mid(t, "ConsumedWriteCapacityUnits", per_s),
    );
    c.lines.push(Line {
        label: "provisioned WCU/s".into(),
        color: pal::GREEN,
        shape: Shape::Dashed,
        secondary: false,
        points: cx.step(t, "ProvisionedWriteCapacityUnits"),
    });
    for (metric, label, color) in [
        (
            "ReadThrottleEvents",
            "read throttles (right axis)",
            pal::RED,
        ),
        (
            "WriteThrottleEvents",
            "write throttles (right axis)",
            pal::ORANGE,
        ),
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
    let mut c = TimeChart::new(
        "cost",
        format!("Cost so far (total ${:.2})", cx.r.summary.cost_usd),
        "cumulative cost (USD)",
    );
    let sc = cx.sc;
    // Metrics are keyed by resource name only: resources of different kinds
    // sharing a name share one series, labelled by the name alone.
    let mut names: Vec<(&str, Vec<&str>)> = Vec::new();
    let kinds = (sc
        .auto_scaling_groups
        .iter()
        .map(|g| ("group", g.name.as_str())))
    .chain(sc.queues.iter().map(|q| ("queue", q.name.as_str())))
    .chain(sc.tables.iter().map(|t| ("table", t.name.as_str())))
    .chain(sc.functions.iter().map(|f| ("function", f.name.as_str())))
    .chain(sc.apis.iter().map(|a| ("api", a.name.as_str())))
    .chain(sc.topics.iter().map(|t| ("topic", t.name.as_str())))
    .chain(sc.streams.iter().map(|t| ("stream", t.name.as_str())));
    for (kind, name) in kinds {
        match names.iter_mut().find(|n| n.0 == name) {
            Some(n) => n.1.push(kind),
            None => names.push((name, vec![kind])),
        }
    }
    // Total per timestamp (ns, exact), for the "total" line.
    let mut total: BTreeMap<u64, f64> = BTreeMap::new();
    for (name, kinds) in names {
        let mut pts = cx.at_end(name, "CostUSD");
        if pts.is_empty() {
            continue;
        }
        for p in &pts {
            *total.entry((p.0 * 1e9).round() as u64).or_insert(0.0) += p.1;
        }
        pts.insert(0, (0.0, 0.0));
        let label = if kinds.len() == 1 {
            format!("{} {name}", kinds[0])
        } else {
            name.to_string()
        };
        let color = pal::CYCLE[c.lines.len() % 10];
        c.line(label, color, pts);
    }
    // A load balancer's bill so far: the pricing rule on the hours and the
    // requests so far (its RequestCount), the same rule summary.json uses.
    for l in &sc.load_balancers {
        let mut requests = 0u64;
        let mut pts = vec![(0.0, 0.0)];
        for (t, n) in cx.at_end(&l.name, "RequestCount") {
            requests += n as u64;
            let v = crate::aws::elb::alb_cost_usd(t / 3600.0, requests);
            *total.entry((t * 1e9).round() as u64).or_insert(0.0) += v;
            pts.push((t, v));
        }
        if pts.len() > 1 {
            let color = pal::CYCLE[c.lines.len() % 10];
            c.line(format!("load balancer {}", l.name), color, pts);
        }
    }
    if c.lines.len() > 1 {
        let mut pts: Vec<(f64, f64)> = vec![(0.0, 0.0)];
        pts.extend(total.into_iter().map(|(t, v)| (t as f64 / 1e9, v)));
        c.lines.push(Line {
            label: "total".into(),
            color: pal::TEXT,
            shape: Shape::Dashed,
            secondary: false,
            points: pts,
        });
    }
    c
}

/// Demand against supply (InService) of a group, the elasticity
/// scorecard's two series ([`crate::report::elasticity`]), with the
/// under-provisioned area (demand above supply) shaded red and the
/// over-provisioned one (supply above demand) shaded blue.
fn elasticity_chart(cx: &Ctx, group: &crate::scenario::AutoScalingGroup, name: &str) -> TimeChart {
    let mut c = TimeChart::new(
        name,
        format!("Demand vs supply of group {}", group.name),
        "instances",
    );
    c.counts = true;
    let Some(gs) = crate::report::elasticity::group_series(cx.sc, &cx.r.series, group) else {
        return c;
    };
    let step = |v: &dyn Fn(usize) -> f64| -> Vec<(f64, f64)> {
        let mut out = Vec::new();
        for (k, &t) in gs.t_s.iter().enumerate() {
            out.push((t, v(k)));
            out.push(((t + gs.period_s).min(cx.end), v(k)));
        }
        out
    };
    let hi = |k: usize| gs.supply[k].max(gs.demand[k]);
    c.bands.push(Band {
        label: "under-provisioned (demand > supply)".into(),
        color: pal::RED,
        lower: step(&|k| gs.supply[k]),
        upper: step(&hi),
    });
    c.bands.push(Band {
        label: "over-provisioned (supply > demand)".into(),
        color: pal::BLUE,
        lower: step(&|k| gs.demand[k]),
        upper: step(&hi),
    });
    c.lines.push(Line {
        label: format!(
            "demand at {}% utilisation",
            crate::report::metrics::fmt_num(gs.target_utilization)
        ),
        color: pal::ORANGE,
        shape: Shape::Dashed,
        secondary: false,
        points: step(&|k| gs.demand[k]),
    });
    c.line(
        "supply (in service)".into(),
        pal::GREEN,
        step(&|k| gs.supply[k]),
    );
    c
}

/// HealthyHostCount and UnHealthyHostCount of one load balancer's target
/// group: what the load balancer routes to, and what it has taken out.
fn targets_chart(cx: &Ctx, lb: &str, name: &str) -> TimeChart {
    let mut c = TimeChart::new(
        name,
        format!("Healthy and unhealthy targets of load balancer {lb}"),
        "targets (count)",
    );
    c.counts = true;
    c.line(
        "HealthyHostCount".into(),
        pal::GREEN,
        cx.step(lb, "HealthyHostCount"),
    );
    c.line(
        "UnHealthyHostCount".into(),
        pal::RED,
        cx.step(lb, "UnHealthyHostCount"),
    );
    c.lines.retain(|l| !l.points.is_empty());
    c
}

/// The alarms of a group's scaling policies: the metric each alarm
/// evaluates, per period, with its threshold as a dashed line of the same
/// colour (target tracking: the target for the high alarm,
/// `scale_in_threshold` × target for the low one).
fn alarms_chart(cx: &Ctx, group: &crate::scenario::AutoScalingGroup, name: &str) -> TimeChart {
    let g = group.name.as_str();
    let mut c = TimeChart::new(
        name,
        format!("Alarms of group {g}: the metric each alarm sees, and its threshold"),
        "alarm metric",
    );
    let tts: Vec<&crate::scenario::ScalingPolicy> = group
        .scaling_policies
        .iter()
        .filter(|p| p.kind == crate::scenario::PolicyType::TargetTracking)
        .collect();
    let tt_prefix = format!("TargetTracking-{g}-");
    let mut units: Vec<&str> = Vec::new();
    for res in &cx.r.series.resources {
        // (label, threshold) of this alarm, if it is one of the group's.
        let found: Option<(String, Option<f64>)> = if let Some(rest) = res.strip_prefix(&tt_prefix)
        {
            let one = (tts.len() == 1).then(|| tts[0]);
            let target = one.and_then(|p| p.target);
            if rest.starts_with("AlarmHigh") {
                Some(("target tracking high alarm".into(), target))
            } else if rest.starts_with("AlarmLow") {
                let k = one.and_then(|p| p.scale_in_threshold).unwrap_or(0.9);
                Some(("target tracking low alarm".into(), target.map(|t| t * k)))
            } else {
                None
            }
        } else {
            group.scaling_policies.iter().find_map(|p| {
                let al = p.alarm.as_ref()?;
                let an = al.name.clone().unwrap_or_else(|| format!("{g}-{}", p.name));
                (an == *res).then(|| {
                    (
                        format!("{an} ({})", cmp_text(al.comparison)),
                        Some(al.threshold),
                    )
                })
            })
        };
        let Some((label, threshold)) = found else {
            continue;
        };
        let metric =
            cx.r.series
                .rows
                .iter()
                .find(|row| cx.r.series.resources[row.resource as usize] == *res)
                .map(|row| row.metric);
        let Some(metric) = metric else {
            continue;
        };
        if !units.contains(&metric) {
            units.push(metric);
        }
        let color = pal::CYCLE[c.lines.len() / 2 % 10];
        c.line(
            format!("{label}: {metric}"),
            color,
            cx.mid(res, metric, 1.0),
        );
        if let Some(th) = threshold {
            c.lines.push(Line {
                label: format!("{label} threshold {}", crate::report::metrics::fmt_num(th)),
                color,
                shape: Shape::Dashed,
                secondary: false,
                points: vec![(0.0, th), (cx.end, th)],
            });
        }
    }
    if !units.is_empty() {
        c.y_desc = units.join(", ");
        if units.iter().all(|m| *m == "CPUUtilization") {
            c.y_desc = "CPUUtilization (%)".into();
        }
    }
    c
}

/// ReceiveMessage calls of a queue's consumers: NumberOfEmptyReceives
/// against NumberOfMessagesReceived per period, and what the queue has cost
/// so far (requests are billed, empty or not). Only for queues that had
/// empty receives.
fn receives_chart(cx: &Ctx, q: &str) -> TimeChart {
    let mut c = TimeChart::new(
        &format!("receives-{}", slug(q)),
        format!("Queue {q}: empty receives vs messages received, and cost"),
        &format!("per {} period (count)", cx.period_text()),
    );
    c.counts = true;
    let empty = cx.mid(q, "NumberOfEmptyReceives", 1.0);
    if empty.iter().all(|p| p.1 == 0.0) {
        return c;
    }
    c.line("NumberOfEmptyReceives".into(), pal::RED, empty);
    c.line(
        "NumberOfMessagesReceived".into(),
        pal::GREEN,
        cx.mid(q, "NumberOfMessagesReceived", 1.0),
    );
    let mut cost = cx.at_end(q, "CostUSD");
    if !cost.is_empty() {
        cost.insert(0, (0.0, 0.0));
        c.lines.push(Line {
            label: "cost so far (right axis)".into(),
            color: pal::TEXT,
            shape: Shape::Dashed,
            secondary: true,
            points: cost,
        });
        c.y2_desc = "cost so far (USD)".into();
    }
    c
}

/// Consumed capacity per partition of a table against the per-partition
/// maximum (1,000 WCU or 3,000 RCU per second, `DDB:bp-partition-key-design`),
/// for the dimension the table used most; throttle events per partition on
/// the right axis. Tables of one partition have no such chart.
fn partitions_chart(cx: &Ctx, t: &str) -> TimeChart {
    let mut c = TimeChart::new(
        &format!("partitions-{}", slug(t)),
        format!("Table {t}: consumed capacity per partition vs the partition maximum"),
        "capacity units per second",
    );
    let fig = |k: &str| {
        cx.r.summary
            .tables
            .get(t)
            .and_then(|v| v.get(k))
            .and_then(|v| v.as_f64())
            .unwrap_or(0.0)
    };
    let write = fig("consumed_wcu") >= fig("consumed_rcu");
    let (metric, throttles, unit, max) = if write {
        (
            "ConsumedWriteCapacityUnits",
            "WriteThrottleEvents",
            "WCU",
            crate::aws::dynamodb::PARTITION_MAX_WCU,
        )
    } else {
        (
            "ConsumedReadCapacityUnits",
            "ReadThrottleEvents",
            "RCU",
            crate::aws::dynamodb::PARTITION_MAX_RCU,
        )
    };
    let per_s = 1.0 / cx.period;
    let mut i = 0;
    loop {
        let res = format!("{t}/partition-{i}");
        let pts = cx.mid(&res, metric, per_s);
        if pts.is_empty() {
            break;
        }
        let color = pal::CYCLE[i % 10];
        c.line(format!("partition {i} consumed {unit}/s"), color, pts);
        let th = cx.mid(&res, throttles, 1.0);
        if th.iter().any(|p| p.1 > 0.0) {
            c.lines.push(Line {
                label: format!("partition {i} throttles (right axis)"),
                color,
                shape: Shape::Dashed,
                secondary: true,
                points: th,
            });
            c.y2_desc = format!("throttle events per {} period", cx.period_text());
        }
        i += 1;
    }
    if i < 2 {
        c.lines.clear();
        return c;
    }
    c.lines.push(Line {
        label: format!("partition maximum ({} {unit}/s)", fmt_tick(max)),
        color: pal::TEXT,
        shape: Shape::Dashed,
        secondary: false,
        points: vec![(0.0, max), (cx.end, max)],
    });
    c
}

/// An alarm's comparison as a sign.
fn cmp_text(c: crate::scenario::Comparison) -> &'static str {
    use crate::scenario::Comparison as C;
    match c {
        C::Ge => "≥",
        C::Gt => ">",
        C::Lt => "<",
        C::Le => "≤",
    }
}

/// The name of a per-resource chart: `stem` alone when the scenario has one
/// resource of the kind, else `stem-<slug>`.
fn per(stem: &str, name: &str, one: bool) -> String {
    if one {
        stem.to_string()
    } else {
        format!("{stem}-{}", slug(name))
    }
}

/// The names of every chart a run of this scenario can draw (a chart
/// without data is left out of the dashboard), in dashboard order before
/// `report.charts` moves the lesson's to the front.
pub fn chart_names(sc: &Scenario) -> Vec<String> {
    let mut out = Vec::new();
    let one_group = sc.auto_scaling_groups.len() == 1;
    for g in &sc.auto_scaling_groups {
        out.push(per("capacity", &g.name, one_group));
        out.push(per("elasticity", &g.name, one_group));
        out.push(per("alarms", &g.name, one_group));
    }
    out.push("latency".into());
    out.push("errors".into());
    let one_lb = sc.load_balancers.len() == 1;
    for l in &sc.load_balancers {
        out.push(per("targets", &l.name, one_lb));
    }
    out.push("cpu".into());
    for q in &sc.queues {
        out.push(format!("queue-{}", slug(&q.name)));
        out.push(format!("receives-{}", slug(&q.name)));
    }
    for t in &sc.tables {
        out.push(format!("table-{}", slug(&t.name)));
        out.push(format!("partitions-{}", slug(&t.name)));
    }
    out.extend(stream_charts::names(sc));
    out.push("cost".into());
    out
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
        out.push(capacity_chart(&cx, g, &per("capacity", &g.name, one_group)));
        out.push(elasticity_chart(
            &cx,
            g,
            &per("elasticity", &g.name, one_group),
        ));
        out.push(alarms_chart(&cx, g, &per("alarms", &g.name, one_group)));
    }
    out.push(latency_chart(&cx));
    out.push(errors_chart(&cx));
    let one_lb = sc.load_balancers.len() == 1;
    for l in &sc.load_balancers {
        out.push(targets_chart(
            &cx,
            &l.name,
            &per("targets", &l.name, one_lb),
        ));
    }
    out.push(cpu_chart(&cx));
    for q in &sc.queues {
        out.push(queue_chart(&cx, &q.name));
        out.push(receives_chart(&cx, &q.name));
    }
    for t in &sc.tables {
        out.push(table_chart(&cx, &t.name));
        out.push(partitions_chart(&cx, &t.name));
    }
    out.extend(serverless_charts::charts(&cx));
    out.extend(stream_charts::charts(&cx));
    out.push(cost_chart(&cx));
    out.retain(TimeChart::has_data);
    // The lesson's charts first, in the order `report.charts` names them.
    let rank = |c: &TimeChart| {
        sc.report
            .charts
            .iter()
            .position(|n| *n == c.name)
            .unwrap_or(usize::MAX)
    };
    out.sort_by_key(rank);
    out
}

/// Every chart of the run as a panel of the interactive dashboard
/// (report.html): the same series, spans and markers as the PNG/SVG charts.
pub(crate) fn panels(sc: &Scenario, r: &RunResult) -> Vec<crate::report::dashboard::Panel> {
    use crate::report::dashboard::{Event, Panel, PanelSeries, PanelSpan};
    let hex = |c: RGBColor| format!("#{:02x}{:02x}{:02x}", c.0, c.1, c.2);
    charts(sc, r)
        .into_iter()
        .map(|c| {
            // (label, colour, dashed, right axis, points)
            type Raw = (String, String, bool, bool, Vec<(f64, f64)>);
            let mut series: Vec<Raw> = Vec::new();
            // Bands: the group's size limits as two lines; the elasticity
            // chart's shaded areas repeat its own lines and are left out.
            for b in c.bands.iter().filter(|b| b.label == "min–max size") {
                series.push((
                    "min size".into(),
                    hex(b.color),
                    true,
                    false,
                    b.lower.clone(),
                ));
                series.push((
                    "max size".into(),
                    hex(b.color),
                    true,
                    false,
                    b.upper.clone(),
                ));
            }
            for l in &c.lines {
                series.push((
                    l.label.clone(),
                    hex(l.color),
                    l.shape == Shape::Dashed,
                    l.secondary,
                    l.points.clone(),
                ));
            }
            // One x axis per panel: every series' times, in order; a
            // series has no value (null) where another has a point.
            let mut xs: Vec<u64> = series
                .iter()
                .flat_map(|s| s.4.iter().map(|p| (p.0 * 1e3).round() as u64))
                .collect();
            xs.sort_unstable();
            xs.dedup();
            let x: Vec<f64> = xs.iter().map(|&t| t as f64 / 1e3).collect();
            let series = series
                .into_iter()
                .map(|(label, color, dash, right, pts)| {
                    let mut data: Vec<Option<f64>> = vec![None; xs.len()];
                    for (t, v) in pts {
                        if let Ok(i) = xs.binary_search(&((t * 1e3).round() as u64)) {
                            data[i] = Some(v);
                        }
                    }
                    PanelSeries {
                        label,
                        color,
                        dash,
                        right,
                        data,
                    }
                })
                .collect();
            let mut events: Vec<Event> = c
                .markers
                .iter()
                .map(|m| Event {
                    x: m.x,
                    label: m.label.clone(),
                    kind: "scaling".into(),
                    color: hex(pal::MARKER),
                })
                .collect();
            events.extend(c.ticks.iter().map(|t| Event {
                x: t.x,
                label: t.label.clone(),
                kind: if t.up { "launch" } else { "terminate" }.into(),
                color: hex(t.color),
            }));
            Panel {
                lesson: sc.report.charts.contains(&c.name),
                name: c.name,
                title: c.title,
                y: c.y_desc,
                y2: c.y2_desc,
                y_range: c.y_range,
                counts: c.counts,
                x,
                series,
                spans: c
                    .spans
                    .iter()
                    .map(|s| PanelSpan {
                        label: s.label.clone(),
                        color: hex(s.color),
                        alpha: s.alpha,
                        x0: s.x0,
                        x1: s.x1,
                    })
                    .collect(),
                events,
            }
        })
        .collect()
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
        html::report_html(sc, r, &svgs, &panels(sc, r)).into_bytes(),
    ));
    Ok(files)
}

/// One line of [`backtest_overlay`]: label, dashed, points (s, instances).
pub type BacktestLine = (String, bool, Vec<(f64, f64)>);

/// The backtest overlay (`stratus backtest`): recorded and simulated
/// capacity of a group as step lines (recorded solid, simulated dashed),
/// the recorded activity history as ▲ and the simulated one as ▼ along the
/// bottom (times in seconds since the start). (PNG bytes, SVG text).
pub fn backtest_overlay(
    name: &str,
    title: String,
    lines: &[BacktestLine],
    recorded: &[f64],
    simulated: &[f64],
    duration_s: f64,
    subtitle: &str,
) -> Result<(Vec<u8>, String), String> {
    ensure_font()?;
    let mut c = TimeChart::new(name, title, "instances");
    c.counts = true;
    let colors = [pal::BLUE, pal::ORANGE, pal::GREEN, pal::RED];
    for (i, (label, dashed, pts)) in lines.iter().enumerate() {
        c.lines.push(Line {
            label: label.clone(),
            color: colors[i % colors.len()],
            shape: if *dashed { Shape::Dashed } else { Shape::Line },
            secondary: false,
            points: pts.clone(),
        });
    }
    for &x in recorded {
        c.ticks.push(Tick {
            label: "recorded desired-capacity change".into(),
            color: pal::PURPLE,
            up: true,
            x,
        });
    }
    for &x in simulated {
        c.ticks.push(Tick {
            label: "simulated desired-capacity change".into(),
            color: pal::ORANGE,
            up: false,
            x,
        });
    }
    let ax = TimeAxis::for_run(duration_s);
    Ok((render_png(&c, ax, subtitle)?, render_svg(&c, ax, subtitle)?))
}

#[cfg(test)]
mod label_layout {
    use super::{LabelBox, layout_labels};

    /// No two labels share a row and an x: on a row each starts `gap` after
    /// the one before (rows are a text line apart, so labels on different
    /// rows never overlap).
    fn assert_apart(boxes: &[Option<LabelBox>], gap: i32, right: i32) {
        let placed: Vec<LabelBox> = boxes.iter().flatten().copied().collect();
        for (i, a) in placed.iter().enumerate() {
            assert!(a.x1 <= right && a.x0 < a.x1, "{a:?} outside the chart");
            for b in &placed[i + 1..] {
                assert!(
                    a.row != b.row || a.x1 + gap <= b.x0 || b.x1 + gap <= a.x0,
                    "labels overlap: {a:?} {b:?}"
                );
            }
        }
    }

    #[test]
    fn close_markers_stagger_then_hide_and_never_overlap() {
        // Four scaling activities a few pixels apart (`2→4`, `4→6`, …, as
        // in a busy capacity chart): two rows, the rest hidden.
        let marks = [
            Some((500, 30)),
            Some((505, 30)),
            Some((512, 30)),
            Some((520, 30)),
        ];
        let b = layout_labels(&marks, 2, 1000, 6, 2);
        assert_eq!(b[0].map(|b| b.row), Some(0));
        assert_eq!(b[1].map(|b| b.row), Some(1));
        assert_eq!(b[2], None);
        assert_eq!(b[3], None);
        assert_apart(&b, 6, 1000);
        // Well apart: every label on the first row, starting at its marker.
        let marks: Vec<_> = (0..10).map(|i| Some((100 + 80 * i, 30))).collect();
        let b = layout_labels(&marks, 2, 1000, 6, 2);
        assert!(b.iter().all(|b| b.is_some_and(|b| b.row == 0)));
        assert_eq!(b[3].unwrap().x0, 100 + 240 - 2);
        // At the right edge a label is pulled left to end inside.
        let b = layout_labels(&[Some((995, 40))], 2, 1000, 6, 2);
        assert_eq!(b[0].unwrap().x1, 1000);
        // Markers out of the plot (None) get no label.
        assert_eq!(
            layout_labels(&[None, Some((10, 5))], 2, 1000, 6, 2)[0],
            None
        );
    }

    #[test]
    fn no_two_labels_overlap_whatever_the_markers() {
        // Markers in any order, any spacing, widths of `2→4` to `10→120`.
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for case in 0..500 {
            let n = 1 + (next() % 60) as usize;
            let marks: Vec<Option<(i32, i32)>> = (0..n)
                .map(|_| {
                    (next() % 10 != 0).then(|| ((next() % 1000) as i32, 20 + (next() % 40) as i32))
                })
                .collect();
            let rows = 1 + case % 3;
            let b = layout_labels(&marks, 4, 1000, 12, rows);
            assert_eq!(b.len(), marks.len());
            assert!(b.iter().flatten().all(|b| b.row < rows));
            assert_apart(&b, 12, 1000);
            // The first marker from the left always gets a label.
            if let Some(i) = (0..n)
                .filter(|&i| marks[i].is_some())
                .min_by_key(|&i| marks[i].unwrap().0)
            {
                assert!(b[i].is_some(), "{marks:?}");
            }
        }
    }
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
    scaling_policies:
      - name: add-on-high-cpu
        type: step
        adjustment_type: ChangeInCapacity
        alarm: { name: web-cpu-high, metric: CPUUtilization, comparison: ">=", threshold: 60 }
        steps:
          - { lower: 0, adjustment: 3 }
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
            s.push(
                t,
                lb,
                "TargetResponseTime",
                0.04 + if m == 10 { 0.2 } else { 0.0 },
            );
            s.push(
                t,
                lb,
                "HTTPCode_ELB_502_Count",
                if m == 9 { 40.0 } else { 0.0 },
            );
            s.push(t, lb, "HTTPCode_ELB_503_Count", 0.0);
            s.push(t, lb, "HTTPCode_ELB_504_Count", 0.0);
            s.push(t, lb, "HTTPCode_Target_5XX_Count", 0.0);
            if with_group {
                s.push(t, g, "GroupDesiredCapacity", desired);
                s.push(
                    t,
                    g,
                    "GroupInServiceInstances",
                    if m < 12 { 2.0 } else { 5.0 },
                );
                s.push(
                    t,
                    g,
                    "GroupPendingInstances",
                    if (10..12).contains(&m) { 3.0 } else { 0.0 },
                );
                s.push(t, g, "GroupMinSize", 2.0);
                s.push(t, g, "GroupMaxSize", 6.0);
                s.push(t, g, "CPUUtilization", 30.0 + m as f64);
            }
        }
        let act =
            |t_s: u64, what: Act, d: &str| Activity::new(t_s * 1_000_000_000, "web", what, d, "");
        let alarm = |to| Act::Alarm {
            alarm: "web-cpu-high".into(),
            to,
        };
        let activities = if with_group {
            vec![
                Activity {
                    resource: "web-cpu-high".into(),
                    ..act(
                        480,
                        alarm(AlarmState::Alarm),
                        "Alarm web-cpu-high updated from OK to ALARM",
                    )
                },
                act(
                    600,
                    Act::Scaling { from: 2, to: 5 },
                    "Changing the desired capacity from 2 to 5",
                ),
                act(600, Act::Launch, "Launching a new EC2 instance: i-1"),
                act(
                    600,
                    Act::Cooldown {
                        until: 900_000_000_000,
                    },
                    "Cooldown of policy add-on-high-cpu until 900s",
                ),
                Activity {
                    resource: "web-cpu-high".into(),
                    ..act(
                        840,
                        alarm(AlarmState::Ok),
                        "Alarm web-cpu-high updated from ALARM to OK",
                    )
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
        let src = YAML
            .split("auto_scaling_groups:")
            .next()
            .unwrap()
            .replace("target_group: web", "target_group: none");
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
        assert!(
            !names.iter().any(|n| n.starts_with("charts/capacity")),
            "{names:?}"
        );
        assert!(!names.contains(&"charts/cpu.png"), "{names:?}");
        assert!(names.contains(&"charts/latency.png"));
        assert!(names.contains(&"report.html"));
    }

    /// `STRATUS_CHART_DUMP=DIR cargo test --lib charts::tests::dump` writes
    /// the synthetic dashboard to DIR to look at.
    #[test]
    fn dump() {
        let Some(dir) = std::env::var_os("STRATUS_CHART_DUMP") else {
            return;
        };
        let sc = scenario(YAML);
        for (name, bytes) in dashboard(&sc, &run(&sc, true)).unwrap() {
            let p = Path::new(&dir).join(name);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, bytes).unwrap();
        }
    }

    /// A 6-hour run with a scaling activity every 4 minutes and a flapping
    /// alarm: hours on the x axis, staggered marker labels.
    fn long_run() -> (Scenario, RunResult) {
        let mut sc = scenario(YAML);
        sc.duration = crate::scenario::Duration(6 * 3600 * 1_000_000_000);
        let mut r = run(&sc, true);
        let mut s = Series::default();
        let g = s.resource("web");
        let mut desired = 2.0;
        r.activities.clear();
        for m in 0..360u64 {
            let t = m * 60_000_000_000;
            if m % 4 == 0 && m > 0 {
                let next: f64 = if (m / 4) % 10 < 5 {
                    desired + 1.0
                } else {
                    desired - 1.0
                };
                let next = next.clamp(2.0, 6.0);
                r.activities.push(Activity::new(
                    t,
                    "web",
                    Act::Scaling {
                        from: desired as u32,
                        to: next as u32,
                    },
                    "",
                    format!("changing the desired capacity from {desired} to {next}."),
                ));
                if m % 40 == 0 {
                    r.activities.push(Activity::new(
                        t,
                        "web-cpu-high",
                        Act::Alarm {
                            alarm: "web-cpu-high".into(),
                            to: if m % 80 == 0 {
                                AlarmState::Alarm
                            } else {
                                AlarmState::Ok
                            },
                        },
                        "",
                        "",
                    ));
                }
                desired = next;
            }
            s.push(t, g, "GroupDesiredCapacity", desired);
            s.push(t, g, "GroupInServiceInstances", desired);
            s.push(t, g, "GroupMinSize", 2.0);
            s.push(t, g, "GroupMaxSize", 6.0);
            s.push(t, g, "CostUSD", m as f64 * 0.01);
        }
        r.series = s;
        (sc, r)
    }

    #[test]
    fn long_runs_use_hours() {
        let (sc, r) = long_run();
        let files = dashboard(&sc, &r).unwrap();
        let svg = String::from_utf8(file(&files, "charts/capacity.svg").unwrap().to_vec()).unwrap();
        assert!(svg.contains("time since start (h)"));
        assert!(file(&files, "charts/cost.png").is_some());
        if let Some(dir) = std::env::var_os("STRATUS_CHART_DUMP") {
            for (name, bytes) in files {
                let p = Path::new(&dir).join("long").join(name);
                std::fs::create_dir_all(p.parent().unwrap()).unwrap();
                std::fs::write(p, bytes).unwrap();
            }
        }
    }

    #[test]
    fn queue_and_table_charts() {
        let src = format!(
            "{YAML}queues:\n  - name: jobs\ntables:\n  - name: orders\n    billing_mode: provisioned\n    read_capacity: 100\n    write_capacity: 50\n"
        );
        let sc = scenario(&src);
        let mut r = run(&sc, true);
        let q = r.series.resource("jobs");
        let t = r.series.resource("orders");
        for m in 0..30u64 {
            let ts = m * 60_000_000_000;
            let x = m as f64;
            let s = &mut r.series;
            s.push(
                ts,
                q,
                "ApproximateNumberOfMessagesVisible",
                (x * 40.0).min(600.0),
            );
            s.push(ts, q, "ApproximateNumberOfMessagesNotVisible", 40.0);
            s.push(ts, q, "ApproximateAgeOfOldestMessage", x * 30.0);
            s.push(ts, t, "ConsumedReadCapacityUnits", 60.0 * (50.0 + 4.0 * x));
            s.push(ts, t, "ProvisionedReadCapacityUnits", 100.0);
            s.push(
                ts,
                t,
                "ReadThrottleEvents",
                if m > 12 { 30.0 * (x - 12.0) } else { 0.0 },
            );
            s.push(ts, t, "ConsumedWriteCapacityUnits", 60.0 * 20.0);
            s.push(ts, t, "ProvisionedWriteCapacityUnits", 50.0);
            s.push(ts, t, "WriteThrottleEvents", 0.0);
        }
        let files = dashboard(&sc, &r).unwrap();
        for name in ["charts/queue-jobs.png", "charts/table-orders.png"] {
            assert_eq!(png_size(file(&files, name).expect(name)), (WIDTH, HEIGHT));
        }
        let svg =
            String::from_utf8(file(&files, "charts/table-orders.svg").unwrap().to_vec()).unwrap();
        assert!(svg.contains("provisioned RCU/s") && svg.contains("read throttles"));
        if let Some(dir) = std::env::var_os("STRATUS_CHART_DUMP") {
            for (name, bytes) in files {
                let p = Path::new(&dir).join("qt").join(name);
                std::fs::create_dir_all(p.parent().unwrap()).unwrap();
                std::fs::write(p, bytes).unwrap();
            }
        }
    }

    #[test]
    fn alarm_periods_are_kept_per_alarm() {
        let sc = scenario(YAML);
        let mut r = run(&sc, true);
        let high = "TargetTracking-web-AlarmHigh-1";
        let low = "TargetTracking-web-AlarmLow-1";
        let alarm = |t_s: u64, name: &str, change: &str| {
            let to = if change.ends_with("to ALARM") {
                AlarmState::Alarm
            } else if change.ends_with("to OK") {
                AlarmState::Ok
            } else {
                AlarmState::InsufficientData
            };
            Activity::new(
                t_s * 1_000_000_000,
                "web",
                Act::Alarm {
                    alarm: name.into(),
                    to,
                },
                format!("Alarm {name} state changed from {change}"),
                "",
            )
        };
        r.activities = vec![
            alarm(300, high, "OK to ALARM"),
            alarm(360, low, "INSUFFICIENT_DATA to OK"),
            alarm(540, high, "ALARM to OK"),
            alarm(600, low, "OK to ALARM"),
            // Another group's alarm is not ours.
            Activity {
                resource: "api".into(),
                ..alarm(700, "TargetTracking-api-AlarmHigh-2", "OK to ALARM")
            },
        ];
        let cx = Ctx {
            sc: &sc,
            r: &r,
            period: 60.0,
            end: 1800.0,
        };
        let c = capacity_chart(&cx, &sc.auto_scaling_groups[0], "capacity");
        let spans: Vec<(&str, f64, f64)> = c
            .spans
            .iter()
            .map(|s| (s.label.as_str(), s.x0, s.x1))
            .collect();
        assert_eq!(
            spans,
            vec![
                ("high alarm in ALARM", 300.0, 540.0),
                ("low alarm in ALARM", 600.0, 1800.0)
            ]
        );
    }

    #[test]
    fn helpers() {
        assert_eq!(nice_ceil(4.2), 5.0);
        assert_eq!(nice_ceil(0.0), 1.0);
        assert_eq!(nice_ceil(105.0), 120.0);
        assert_eq!(fmt_tick(1200.0), "1.2k");
        assert_eq!(fmt_tick(5000.0), "5k");
        assert_eq!(fmt_tick(999.0), "999");
        assert_eq!(fmt_tick(25000.0), "25k");
        assert_eq!(fmt_tick(0.25), "0.25");
        assert_eq!(slug("a b/c"), "a_b_c");
    }
}
