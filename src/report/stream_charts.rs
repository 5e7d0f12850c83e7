//! Dashboard charts of Kinesis streams: per-shard write throttles against
//! the stream's incoming records, and per-shard iterator age. A child of
//! `charts` (its chart types); `charts::charts` appends these.

use super::{Ctx, Line, Marker, Shape, TimeChart, pal, slug};
use crate::report::activity::Act;

/// The stream charts of a run.
pub(super) fn charts(cx: &Ctx) -> Vec<TimeChart> {
    let mut out = Vec::new();
    for s in &cx.sc.streams {
        out.push(throttles(cx, &s.name));
        if !s.consumers.is_empty() {
            out.push(iterator_age(cx, &s.name));
        }
    }
    out
}

/// The names of the stream charts a run of `sc` can draw.
pub(super) fn names(sc: &crate::scenario::Scenario) -> Vec<String> {
    let mut out = Vec::new();
    for s in &sc.streams {
        out.push(format!("stream-{}-throttles", slug(&s.name)));
        if !s.consumers.is_empty() {
            out.push(format!("stream-{}-iterator-age", slug(&s.name)));
        }
    }
    out
}

/// Mark the stream's completed reshards.
fn mark_reshards(cx: &Ctx, st: &str, c: &mut TimeChart) {
    for a in cx.activities(st) {
        if a.what == Act::Reshard && a.description.contains("is ACTIVE") {
            c.markers.push(Marker {
                x: a.t as f64 / 1e9,
                label: a.description.clone(),
            });
        }
    }
    if !c.markers.is_empty() {
        c.marker_label = "reshard complete".into();
    }
}

/// The stream's shard resources (`<stream>/shardId-…`) that have `metric`.
fn shards(cx: &Ctx, stream: &str, metric: &str) -> Vec<String> {
    let prefix = format!("{stream}/shardId-");
    cx.r.series
        .resources
        .iter()
        .filter(|r| r.starts_with(&prefix))
        .filter(|r| !cx.get(r, metric).is_empty())
        .cloned()
        .collect()
}

fn throttles(cx: &Ctx, st: &str) -> TimeChart {
    let y = format!("records per {} period", cx.period_text());
    let mut c = TimeChart::new(
        &format!("stream-{}-throttles", slug(st)),
        format!("Stream {st}: writes throttled and accepted per shard"),
        &y,
    );
    c.counts = true;
    c.zero_note = Some("no write throttled".into());
    // Each throttling shard: its refusals and what it accepted, against
    // the per-shard limit; the other shards' most accepted.
    let mut k = 0;
    let mut rest: std::collections::BTreeMap<u64, f64> = Default::default();
    for r in shards(cx, st, "IncomingRecords") {
        let thr = cx.mid(&r, "WriteProvisionedThroughputExceeded", 1.0);
        let inc = cx.mid(&r, "IncomingRecords", 1.0);
        if thr.iter().any(|p| p.1 > 0.0) && k < 6 {
            let shard = r.rsplit('/').next().unwrap_or(&r).to_string();
            let color = pal::CYCLE[(k + 3) % 10];
            c.line(
                format!("{shard} WriteProvisionedThroughputExceeded"),
                color,
                thr,
            );
            c.lines.push(Line {
                label: format!("{shard} IncomingRecords"),
                color,
                shape: Shape::Dashed,
                secondary: false,
                points: inc,
            });
            k += 1;
        } else {
            for (t, v) in inc {
                let e = rest.entry((t * 1e3) as u64).or_insert(0.0);
                *e = e.max(v);
            }
        }
    }
    if !rest.is_empty() {
        c.lines.push(Line {
            label: if k == 0 {
                "IncomingRecords, busiest shard".into()
            } else {
                "IncomingRecords, busiest other shard".into()
            },
            color: pal::GREEN,
            shape: Shape::Dashed,
            secondary: false,
            points: rest.into_iter().map(|(t, v)| (t as f64 / 1e3, v)).collect(),
        });
    }
    if k > 0 {
        let limit = crate::aws::kinesis::WRITE_RECORDS_PER_S as f64 * cx.period;
        c.lines.push(Line {
            label: "a shard's limit (1,000 records/s)".into(),
            color: pal::GREY,
            shape: Shape::Dashed,
            secondary: false,
            points: vec![(0.0, limit), (cx.end, limit)],
        });
    }
    mark_reshards(cx, st, &mut c);
    c
}

fn iterator_age(cx: &Ctx, st: &str) -> TimeChart {
    let mut c = TimeChart::new(
        &format!("stream-{}-iterator-age", slug(st)),
        format!("Stream {st}: iterator age per shard (IteratorAgeMilliseconds, maximum)"),
        "iterator age (s)",
    );
    c.zero_note = Some("no shard read".into());
    // The shards that fell behind get a line each; the rest one line of
    // their maximum.
    let mut rest: std::collections::BTreeMap<u64, f64> = Default::default();
    let mut k = 0;
    for r in shards(cx, st, "IteratorAgeMilliseconds") {
        let pts = cx.mid(&r, "IteratorAgeMilliseconds", 1e-3);
        if pts.iter().any(|p| p.1 > 5.0) && k < 8 {
            let shard = r.rsplit('/').next().unwrap_or(&r).to_string();
            c.line(shard, pal::CYCLE[(k + 3) % 10], pts);
            k += 1;
        } else {
            for (t, v) in pts {
                let e = rest.entry((t * 1e3) as u64).or_insert(0.0);
                *e = e.max(v);
            }
        }
    }
    if !rest.is_empty() {
        c.line(
            if k == 0 {
                "every shard (maximum)".into()
            } else {
                "the other shards (maximum)".into()
            },
            pal::GREEN,
            rest.into_iter().map(|(t, v)| (t as f64 / 1e3, v)).collect(),
        );
    }
    mark_reshards(cx, st, &mut c);
    c
}
