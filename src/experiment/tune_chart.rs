//! The chart of a tune: the objective (mean over a candidate's
//! replications) against each tuned parameter, one panel per parameter.
//! Survivors that ran every replication are drawn large — filled green
//! when they meet the constraints, hollow red when not —, the candidates
//! dropped on the way as small grey dots, and the winner ringed. Drawn from
//! `tune.csv`'s rows, so `tune` and `merge` draw the same bytes.

use super::tune::{ChartPoint, Manifest, TParam};
use crate::report::charts::{
    self, DrawResult, FAMILY, WIDTH, fmt_tick, nice_ceil, pal, png_supersampled, svg_string,
};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// `Ok(Ok((png, svg)))`, or `Ok(Err(why))` when there is nothing to draw.
#[allow(clippy::type_complexity)]
pub fn render(
    m: &Manifest,
    params: &[TParam],
    pts: &[ChartPoint],
) -> Result<Result<(Vec<u8>, String), String>, String> {
    if pts.iter().all(|p| !p.y.is_finite()) || params.is_empty() {
        return Ok(Err("no objective values to draw".into()));
    }
    charts::ensure_font()?;
    let png = png_supersampled("tune", |root| {
        draw(root, m, params, pts, 2).map_err(|e| format!("chart tune: {e}"))
    })?;
    let svg =
        svg_string(|root| draw(root, m, params, pts, 1).map_err(|e| format!("chart tune: {e}")))?;
    Ok(Ok((png, svg)))
}

fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    m: &Manifest,
    params: &[TParam],
    pts: &[ChartPoint],
    k: i32,
) -> DrawResult<(), DB> {
    let px = |v: i32| v * k;
    let w = |v: u32| v * k as u32;
    let font = |size: f64, color: RGBColor| (FAMILY, size * k as f64).into_font().color(&color);
    root.fill(&WHITE)?;
    root.draw(&Text::new(
        format!(
            "{} ({}) against each parameter",
            m.objective,
            if m.maximize { "maximise" } else { "minimise" }
        ),
        (px(18), px(22)),
        font(22.0, pal::TEXT).pos(Pos::new(HPos::Left, VPos::Center)),
    ))?;
    root.draw(&Text::new(
        format!(
            "{} · {} candidates · survivors: {} seeds",
            m.scenario,
            pts.len(),
            m.replications
        ),
        (px(WIDTH as i32) - px(18), px(48)),
        font(15.0, pal::MUTED).pos(Pos::new(HPos::Right, VPos::Center)),
    ))?;
    // Legend.
    let ly = px(74);
    let mut lx = px(18);
    let items: [(&str, RGBColor, bool, i32); 4] = [
        ("feasible survivor", pal::GREEN, true, 5),
        ("infeasible survivor", pal::RED, false, 5),
        ("dropped early", pal::GREY, true, 3),
        ("winner", pal::TEXT, false, 9),
    ];
    let style = font(14.0, pal::TEXT).pos(Pos::new(HPos::Left, VPos::Center));
    for (label, c, filled, r) in items {
        if filled {
            root.draw(&Circle::new((lx + px(8), ly), px(r), c.filled()))?;
        } else {
            root.draw(&Circle::new((lx + px(8), ly), px(r), c.stroke_width(w(2))))?;
        }
        root.draw(&Text::new(
            label.to_string(),
            (lx + px(22), ly),
            style.clone(),
        ))?;
        let (tw, _) = root.estimate_text_size(label, &style)?;
        lx += px(40) + tw as i32;
    }
    let (_, body) = root.split_vertically(px(92));
    let panels = body.split_evenly((1, params.len()));
    let ys: Vec<f64> = pts.iter().map(|p| p.y).filter(|y| y.is_finite()).collect();
    let lo = ys.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = ys.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let (y0, y1) = if lo >= 0.0 {
        (0.0, nice_ceil((hi * 1.05).max(1e-9)))
    } else {
        let pad = ((hi - lo) * 0.05).max(1e-9);
        (lo - pad, hi + pad)
    };
    for (i, (panel, p)) in panels.iter().zip(params).enumerate() {
        let xs: Vec<f64> = pts
            .iter()
            .map(|q| q.x[i])
            .filter(|x| x.is_finite())
            .collect();
        let xl = xs.iter().copied().fold(f64::INFINITY, f64::min);
        let xh = xs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let pad = if xh > xl {
            (xh - xl) * 0.06
        } else {
            xl.abs().max(1.0) * 0.5
        };
        let unit = match &p.domain {
            super::tune::Domain::Real { duration: true, .. }
            | super::tune::Domain::Int { duration: true, .. } => " (s)",
            super::tune::Domain::List(_) => " (value index)",
            _ => "",
        };
        let short = p.path.rsplit('.').next().unwrap_or(&p.path).to_string();
        let mut chart = ChartBuilder::on(panel)
            .margin_left(px(10))
            .margin_right(px(24))
            .margin_top(px(8))
            .margin_bottom(px(8))
            .x_label_area_size(px(52))
            .y_label_area_size(px(if i == 0 { 80 } else { 50 }))
            .build_cartesian_2d((xl - pad)..(xh + pad), y0..y1)?;
        let fmt = |v: &f64| fmt_tick(*v);
        let x_desc = format!("{short}{unit}");
        chart
            .configure_mesh()
            .x_desc(x_desc.as_str())
            .y_desc(if i == 0 { m.objective.as_str() } else { "" })
            .x_labels(6)
            .y_labels(8)
            .x_label_formatter(&fmt)
            .y_label_formatter(&fmt)
            .label_style(font(14.0, pal::TEXT))
            .axis_desc_style(font(15.0, pal::TEXT))
            .axis_style(pal::AXIS.stroke_width(w(1)))
            .bold_line_style(pal::GRID_BOLD.stroke_width(w(1)))
            .light_line_style(pal::GRID_LIGHT.stroke_width(w(1)))
            .set_all_tick_mark_size(px(5))
            .max_light_lines(4)
            .draw()?;
        let ok = |q: &&ChartPoint| q.y.is_finite() && q.x[i].is_finite();
        chart.draw_series(
            pts.iter()
                .filter(ok)
                .filter(|q| !q.full)
                .map(|q| Circle::new((q.x[i], q.y), px(3), pal::GREY.mix(0.7).filled())),
        )?;
        chart.draw_series(
            pts.iter()
                .filter(ok)
                .filter(|q| q.full && !q.feasible)
                .map(|q| Circle::new((q.x[i], q.y), px(5), pal::RED.stroke_width(w(2)))),
        )?;
        chart.draw_series(
            pts.iter()
                .filter(ok)
                .filter(|q| q.full && q.feasible)
                .map(|q| Circle::new((q.x[i], q.y), px(5), pal::GREEN.filled())),
        )?;
        chart.draw_series(
            pts.iter()
                .filter(ok)
                .filter(|q| q.winner)
                .map(|q| Circle::new((q.x[i], q.y), px(9), pal::TEXT.stroke_width(w(2)))),
        )?;
    }
    root.present()?;
    Ok(())
}
