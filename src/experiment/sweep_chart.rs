//! The chart of a sweep: one figure (mean over replications) against the
//! swept parameter — a line (with the replications as small hollow dots); a
//! heatmap for two parameters; for three or more, the first parameter on the
//! x axis and a line per combination of the others. Drawn from `sweep.csv`'s
//! table, so `sweep` and `merge` draw the same bytes. Same size, font and
//! palette as the dashboard.

use super::sweep::Manifest;
use super::table::Table;
use crate::report::charts::{
    self, DrawResult, FAMILY, WIDTH, fmt_tick, nice_ceil, pal, png_supersampled, svg_string,
};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::collections::BTreeMap;

/// How a parameter's values sit on an axis.
#[derive(Clone, Debug)]
enum Axis {
    /// Numbers (durations in seconds); the description may carry a unit.
    Numeric(Vec<f64>),
    /// Evenly spaced labels.
    Categorical,
}

fn axis_of(values: &[String]) -> (Axis, &'static str) {
    if let Ok(v) = values
        .iter()
        .map(|s| s.parse::<f64>())
        .collect::<Result<Vec<_>, _>>()
        && v.iter().all(|x| x.is_finite())
    {
        return (Axis::Numeric(v), "");
    }
    if let Ok(v) = values
        .iter()
        .map(|s| crate::scenario::units::parse_duration(s))
        .collect::<Result<Vec<_>, _>>()
    {
        return (
            Axis::Numeric(v.iter().map(|d| d.as_secs_f64()).collect()),
            " (s)",
        );
    }
    (Axis::Categorical, "")
}

/// Mean of the metric per grid point (parameter value indices), with the
/// replications' values.
type Points = BTreeMap<Vec<usize>, Vec<f64>>;

fn points(m: &Manifest, t: &Table, col: usize) -> Points {
    let mut out: Points = BTreeMap::new();
    for r in &t.rows {
        let idx: Option<Vec<usize>> = m
            .params
            .iter()
            .enumerate()
            .map(|(k, p)| p.values.iter().position(|v| *v == r[k]))
            .collect();
        let (Some(idx), Ok(v)) = (idx, r[col].parse::<f64>()) else {
            continue;
        };
        if v.is_finite() {
            out.entry(idx).or_default().push(v);
        }
    }
    out
}

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len().max(1) as f64
}

/// Draw the chart of the manifest's metric: `Ok(Ok((png, svg)))`, or
/// `Ok(Err(why))` when there is nothing to draw.
#[allow(clippy::type_complexity)]
pub fn render(m: &Manifest, t: &Table) -> Result<Result<(Vec<u8>, String), String>, String> {
    let Some(col) = t.header.iter().position(|h| *h == m.metric) else {
        return Ok(Err(format!("no column {} in sweep.csv", m.metric)));
    };
    let pts = points(m, t, col);
    if pts.is_empty() {
        return Ok(Err(format!("no values of {} to draw", m.metric)));
    }
    charts::ensure_font()?;
    let mut subtitle = format!("{} · {} runs", m.scenario, t.rows.len());
    if m.replications > 1 {
        subtitle.push_str(&format!(" · mean of {} seeds", m.replications));
    }
    let plot = Plot {
        m,
        pts: &pts,
        subtitle,
    };
    let png = png_supersampled("sweep", |root| {
        plot.draw(root, 2).map_err(|e| format!("chart sweep: {e}"))
    })?;
    let svg = svg_string(|root| plot.draw(root, 1).map_err(|e| format!("chart sweep: {e}")))?;
    Ok(Ok((png, svg)))
}

struct Plot<'a> {
    m: &'a Manifest,
    pts: &'a Points,
    subtitle: String,
}

/// Viridis, by linear interpolation between five stops; `t` in 0..=1.
fn viridis(t: f64) -> RGBColor {
    const STOPS: [(u8, u8, u8); 5] = [
        (0x44, 0x01, 0x54),
        (0x3b, 0x52, 0x8b),
        (0x21, 0x91, 0x8c),
        (0x5e, 0xc9, 0x62),
        (0xfd, 0xe7, 0x25),
    ];
    let t = if t.is_finite() {
        t.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let x = t * 4.0;
    let i = (x.floor() as usize).min(3);
    let f = x - i as f64;
    let (a, b) = (STOPS[i], STOPS[i + 1]);
    let mix = |p: u8, q: u8| (p as f64 + (q as f64 - p as f64) * f).round() as u8;
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

impl Plot<'_> {
    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        k: i32,
    ) -> DrawResult<(), DB> {
        let px = |v: i32| v * k;
        root.fill(&WHITE)?;
        let font = |size: f64, color: RGBColor| (FAMILY, size * k as f64).into_font().color(&color);
        let m = self.m;
        // The title names the parameters by their paths, or by their last
        // step when that is too wide (the axes carry the whole paths).
        let short = |p: &str| -> String { p.rsplit('.').next().unwrap_or(p).to_string() };
        let titles = |name: &dyn Fn(&str) -> String| match m.params.len() {
            2 => format!(
                "{} by {} and {}",
                m.metric,
                name(&m.params[0].path),
                name(&m.params[1].path)
            ),
            _ => format!("{} against {}", m.metric, name(&m.params[0].path)),
        };
        let style = font(22.0, pal::TEXT).pos(Pos::new(HPos::Left, VPos::Center));
        let room = px(WIDTH as i32 - 36) as u32;
        let title = [titles(&|p| p.to_string()), titles(&short), m.metric.clone()]
            .into_iter()
            .find(|t| {
                root.estimate_text_size(t, &style)
                    .is_ok_and(|(w, _)| w <= room)
            })
            .unwrap_or_else(|| m.metric.clone());
        root.draw(&Text::new(title, (px(18), px(22)), style))?;
        root.draw(&Text::new(
            self.subtitle.clone(),
            (px(WIDTH as i32) - px(18), px(48)),
            font(15.0, pal::MUTED).pos(Pos::new(HPos::Right, VPos::Center)),
        ))?;
        if m.params.len() == 2 {
            self.heatmap(root, k)
        } else {
            self.lines(root, k)
        }
    }

    fn lines<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        k: i32,
    ) -> DrawResult<(), DB> {
        let px = |v: i32| v * k;
        let w = |v: u32| v * k as u32;
        let font = |size: f64, color: RGBColor| (FAMILY, size * k as f64).into_font().color(&color);
        let m = self.m;
        let p0 = &m.params[0];
        let (axis, unit) = axis_of(&p0.values);
        let xpos = |i: usize| match &axis {
            Axis::Numeric(v) => v[i],
            Axis::Categorical => i as f64,
        };
        // One series per combination of the other parameters.
        // (x, mean, replications) per combination of the other parameters.
        type Line<'a> = Vec<(f64, f64, &'a Vec<f64>)>;
        let mut series: BTreeMap<Vec<usize>, Line> = BTreeMap::new();
        for (idx, vals) in self.pts {
            series
                .entry(idx[1..].to_vec())
                .or_default()
                .push((xpos(idx[0]), mean(vals), vals));
        }
        for s in series.values_mut() {
            s.sort_by(|a, b| a.0.total_cmp(&b.0));
        }
        let label = |rest: &[usize]| -> String {
            m.params[1..]
                .iter()
                .zip(rest)
                .map(|(p, &v)| format!("{}={}", p.path, p.values[v]))
                .collect::<Vec<_>>()
                .join(", ")
        };
        // Legend rows under the title (when there are several lines).
        let mut top = px(64);
        if series.len() > 1 {
            let style = font(14.0, pal::TEXT).pos(Pos::new(HPos::Left, VPos::Center));
            let (mut lx, mut ly) = (px(18), px(74));
            for (i, rest) in series.keys().enumerate() {
                let text = label(rest);
                let (tw, _) = root.estimate_text_size(&text, &style)?;
                let item = px(28) + tw as i32 + px(18);
                if lx + item > px(WIDTH as i32 - 18) && lx > px(18) {
                    lx = px(18);
                    ly += px(20);
                }
                let c = pal::CYCLE[i % pal::CYCLE.len()];
                root.draw(&PathElement::new(
                    vec![(lx, ly), (lx + px(22), ly)],
                    c.stroke_width(w(3)),
                ))?;
                root.draw(&Text::new(text, (lx + px(28), ly), style.clone()))?;
                lx += item;
            }
            top = ly + px(16);
        }
        let (_, body) = root.split_vertically(top);
        let (x0, x1) = match &axis {
            Axis::Numeric(v) => {
                let lo = v.iter().copied().fold(f64::INFINITY, f64::min);
                let hi = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                let pad = if hi > lo {
                    (hi - lo) * 0.05
                } else {
                    lo.abs().max(1.0) * 0.5
                };
                (lo - pad, hi + pad)
            }
            Axis::Categorical => (-0.5, p0.values.len() as f64 - 0.5),
        };
        let all: Vec<f64> = self.pts.values().flatten().copied().collect();
        let lo = all.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = all.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let (y0, y1) = if lo >= 0.0 {
            (0.0, nice_ceil(hi * 1.05))
        } else {
            let pad = ((hi - lo) * 0.05).max(1e-9);
            (lo - pad, hi + pad)
        };
        let mut chart = ChartBuilder::on(&body)
            .margin_left(px(10))
            .margin_right(px(30))
            .margin_top(px(8))
            .margin_bottom(px(8))
            .x_label_area_size(px(52))
            .y_label_area_size(px(80))
            .build_cartesian_2d(x0..x1, y0..y1)?;
        let fmt = |v: &f64| fmt_tick(*v);
        let x_desc = format!("{}{unit}", p0.path);
        let categorical = matches!(axis, Axis::Categorical);
        chart
            .configure_mesh()
            .x_desc(x_desc.as_str())
            .y_desc(m.metric.as_str())
            .x_labels(if categorical { 0 } else { 10 })
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
        if categorical {
            for (i, v) in p0.values.iter().enumerate() {
                let (cx, cy) = chart.backend_coord(&(i as f64, y0));
                root.draw(&Text::new(
                    v.clone(),
                    (cx, cy + px(8)),
                    font(15.0, pal::TEXT).pos(Pos::new(HPos::Center, VPos::Top)),
                ))?;
            }
        }
        for (i, pts) in series.values().enumerate() {
            let c = pal::CYCLE[i % pal::CYCLE.len()];
            chart.draw_series(LineSeries::new(
                pts.iter().map(|p| (p.0, p.1)),
                c.stroke_width(w(2)),
            ))?;
            if m.replications > 1 {
                chart.draw_series(pts.iter().flat_map(|p| {
                    p.2.iter()
                        .map(move |v| Circle::new((p.0, *v), px(3), c.mix(0.6).stroke_width(w(1))))
                }))?;
            }
            chart.draw_series(
                pts.iter()
                    .map(|p| Circle::new((p.0, p.1), px(4), c.filled())),
            )?;
        }
        root.present()?;
        Ok(())
    }

    fn heatmap<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        k: i32,
    ) -> DrawResult<(), DB> {
        let px = |v: i32| v * k;
        let w = |v: u32| v * k as u32;
        let font = |size: f64, color: RGBColor| (FAMILY, size * k as f64).into_font().color(&color);
        let m = self.m;
        let (px_, py_) = (&m.params[0], &m.params[1]);
        let (nx, ny) = (px_.values.len(), py_.values.len());
        let means: BTreeMap<(usize, usize), f64> = self
            .pts
            .iter()
            .map(|(idx, v)| ((idx[0], idx[1]), mean(v)))
            .collect();
        let lo = means.values().copied().fold(f64::INFINITY, f64::min);
        let hi = means.values().copied().fold(f64::NEG_INFINITY, f64::max);
        let norm = |v: f64| if hi > lo { (v - lo) / (hi - lo) } else { 0.5 };
        let (_, body) = root.split_vertically(px(64));
        let mut chart = ChartBuilder::on(&body)
            .margin_left(px(10))
            .margin_right(px(130))
            .margin_top(px(8))
            .margin_bottom(px(8))
            .x_label_area_size(px(52))
            .y_label_area_size(px(100))
            .build_cartesian_2d(0.0..nx as f64, 0.0..ny as f64)?;
        chart
            .configure_mesh()
            .disable_mesh()
            .x_labels(0)
            .y_labels(0)
            .x_desc(px_.path.as_str())
            .y_desc(py_.path.as_str())
            .axis_desc_style(font(16.0, pal::TEXT))
            .axis_style(pal::AXIS.stroke_width(w(1)))
            .draw()?;
        let cell_w = chart.plotting_area().dim_in_pixel().0 as i32 / nx.max(1) as i32;
        let cell_h = chart.plotting_area().dim_in_pixel().1 as i32 / ny.max(1) as i32;
        for i in 0..nx {
            for j in 0..ny {
                let (x, y) = (i as f64, j as f64);
                let color = match means.get(&(i, j)) {
                    Some(v) => viridis(norm(*v)),
                    None => pal::GRID_BOLD,
                };
                chart.draw_series(std::iter::once(Rectangle::new(
                    [(x, y), (x + 1.0, y + 1.0)],
                    color.filled(),
                )))?;
                chart.draw_series(std::iter::once(Rectangle::new(
                    [(x, y), (x + 1.0, y + 1.0)],
                    WHITE.stroke_width(w(1)),
                )))?;
                if let Some(v) = means.get(&(i, j))
                    && cell_w >= px(44)
                    && cell_h >= px(18)
                {
                    let text_color = if norm(*v) > 0.6 { pal::TEXT } else { WHITE };
                    let (cx, cy) = chart.backend_coord(&(x + 0.5, y + 0.5));
                    root.draw(&Text::new(
                        fmt_cell(*v),
                        (cx, cy),
                        font(14.0, text_color).pos(Pos::new(HPos::Center, VPos::Center)),
                    ))?;
                }
            }
        }
        for (i, v) in px_.values.iter().enumerate() {
            let (cx, cy) = chart.backend_coord(&(i as f64 + 0.5, 0.0));
            root.draw(&Text::new(
                v.clone(),
                (cx, cy + px(8)),
                font(15.0, pal::TEXT).pos(Pos::new(HPos::Center, VPos::Top)),
            ))?;
        }
        for (j, v) in py_.values.iter().enumerate() {
            let (cx, cy) = chart.backend_coord(&(0.0, j as f64 + 0.5));
            root.draw(&Text::new(
                v.clone(),
                (cx - px(8), cy),
                font(15.0, pal::TEXT).pos(Pos::new(HPos::Right, VPos::Center)),
            ))?;
        }
        // Colour bar at the right: low at the bottom.
        let (xr, yr) = chart.plotting_area().get_pixel_range();
        let (bx, top, bottom) = (xr.end + px(24), yr.start + px(28), yr.end);
        let steps = 64;
        for s in 0..steps {
            let a = bottom - (bottom - top) * s / steps;
            let b = bottom - (bottom - top) * (s + 1) / steps;
            root.draw(&Rectangle::new(
                [(bx, b), (bx + px(18), a)],
                viridis((s as f64 + 0.5) / steps as f64).filled(),
            ))?;
        }
        let label = font(14.0, pal::TEXT).pos(Pos::new(HPos::Left, VPos::Center));
        for (v, y) in [
            (hi, top),
            ((lo + hi) / 2.0, (top + bottom) / 2),
            (lo, bottom),
        ] {
            root.draw(&Text::new(fmt_tick(v), (bx + px(24), y), label.clone()))?;
        }
        root.present()?;
        Ok(())
    }
}

/// A heatmap cell's value: whole numbers grouped (`716,581`), others with
/// 3 significant digits or more.
fn fmt_cell(v: f64) -> String {
    let a = v.abs();
    if a >= 1000.0 || (v - v.round()).abs() < 1e-9 {
        let r = v.round();
        let g = crate::report::render::group(r.abs() as u64);
        return if r < 0.0 { format!("-{g}") } else { g };
    }
    let decimals = if a >= 100.0 {
        1
    } else if a >= 10.0 {
        2
    } else {
        3
    };
    format!("{v:.decimals$}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_and_axes() {
        assert_eq!(fmt_cell(716581.4), "716,581");
        assert_eq!(fmt_cell(591.871), "591.9");
        assert_eq!(fmt_cell(0.5), "0.500");
        assert_eq!(viridis(0.0), RGBColor(0x44, 0x01, 0x54));
        assert_eq!(viridis(1.0), RGBColor(0xfd, 0xe7, 0x25));
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert!(matches!(axis_of(&s(&["1", "2.5"])).0, Axis::Numeric(_)));
        let (a, unit) = axis_of(&s(&["30s", "2m"]));
        assert!(matches!(a, Axis::Numeric(v) if v == [30.0, 120.0]));
        assert_eq!(unit, " (s)");
        assert!(matches!(
            axis_of(&s(&["round_robin", "least_outstanding_requests"])).0,
            Axis::Categorical
        ));
    }
}
