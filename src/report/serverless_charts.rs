//! Dashboard charts of the serverless services: Lambda concurrency (against
//! reserved and provisioned concurrency), throttles and errors, and each
//! API's responses and cache hit ratio. A child of `charts` (its chart
//! types); `charts::charts` appends these.

use super::{Ctx, Line, Shape, TimeChart, pal, slug};

/// The serverless charts of a run (those without data are dropped later).
pub(super) fn charts(cx: &Ctx) -> Vec<TimeChart> {
    let mut out = Vec::new();
    if !cx.sc.functions.is_empty() {
        out.push(concurrency(cx));
        out.push(throttles(cx));
    }
    for a in &cx.sc.apis {
        out.push(api_responses(cx, &a.name));
        if a.cache.is_some() {
            out.push(cache_hit_ratio(cx, &a.name));
        }
    }
    out
}

fn concurrency(cx: &Ctx) -> TimeChart {
    let mut c = TimeChart::new(
        "lambda-concurrency",
        "Lambda concurrent executions (maximum per period)".into(),
        "concurrent executions",
    );
    c.counts = true;
    for (i, f) in cx.sc.functions.iter().enumerate() {
        let color = pal::CYCLE[i % 10];
        c.line(
            format!("{} ConcurrentExecutions", f.name),
            color,
            cx.step(&f.name, "ConcurrentExecutions"),
        );
        let flat = |v: f64| vec![(0.0, v), (cx.end, v)];
        if let Some(r) = f.reserved_concurrency {
            c.lines.push(Line {
                label: format!("{} reserved concurrency ({r})", f.name),
                color,
                shape: Shape::Dashed,
                secondary: false,
                points: flat(r as f64),
            });
        }
        if f.provisioned_concurrency_auto_scaling.is_some() {
            c.lines.push(Line {
                label: format!("{} provisioned concurrency (auto scaled)", f.name),
                color: pal::GREY,
                shape: Shape::Dashed,
                secondary: false,
                points: cx.step(&f.name, "ProvisionedConcurrency"),
            });
        } else if f.provisioned_concurrency > 0 {
            c.lines.push(Line {
                label: format!(
                    "{} provisioned concurrency ({})",
                    f.name, f.provisioned_concurrency
                ),
                color: pal::GREY,
                shape: Shape::Dashed,
                secondary: false,
                points: flat(f.provisioned_concurrency as f64),
            });
        }
    }
    let pool = cx.sc.account.lambda_concurrency as f64;
    let peak = cx
        .sc
        .functions
        .iter()
        .flat_map(|f| cx.get(&f.name, "ConcurrentExecutions"))
        .map(|p| p.1)
        .fold(0.0, f64::max);
    if peak >= pool / 2.0 {
        c.lines.push(Line {
            label: format!("account quota ({pool})"),
            color: pal::RED,
            shape: Shape::Dashed,
            secondary: false,
            points: vec![(0.0, pool), (cx.end, pool)],
        });
    }
    c
}

fn throttles(cx: &Ctx) -> TimeChart {
    let y = format!("per {} period", cx.period_text());
    let mut c = TimeChart::new(
        "lambda-throttles",
        "Lambda throttles (429), errors and cold starts".into(),
        &y,
    );
    c.counts = true;
    c.zero_note = Some("no throttles, errors or cold starts".into());
    for (i, f) in cx.sc.functions.iter().enumerate() {
        let n = f.name.as_str();
        c.line(
            format!("{n} Throttles"),
            pal::CYCLE[(3 * i) % 10],
            cx.mid(n, "Throttles", 1.0),
        );
        c.line(
            format!("{n} Errors"),
            pal::CYCLE[(3 * i + 1) % 10],
            cx.mid(n, "Errors", 1.0),
        );
        c.lines.push(Line {
            label: format!("{n} cold starts"),
            color: pal::CYCLE[(3 * i + 2) % 10],
            shape: Shape::Dashed,
            secondary: false,
            points: cx.mid(n, "ColdStarts", 1.0),
        });
    }
    c
}

fn api_responses(cx: &Ctx, a: &str) -> TimeChart {
    let y = format!("requests per {} period", cx.period_text());
    let mut c = TimeChart::new(
        &format!("api-{}", slug(a)),
        format!("API {a}: requests, 429s (4XXError) and 5XXError"),
        &y,
    );
    c.counts = true;
    c.line("Count".into(), pal::BLUE, cx.mid(a, "Count", 1.0));
    c.line(
        "4XXError (throttled: 429)".into(),
        pal::ORANGE,
        cx.mid(a, "4XXError", 1.0),
    );
    c.line("5XXError".into(), pal::RED, cx.mid(a, "5XXError", 1.0));
    c.lines.push(Line {
        label: "IntegrationLatency (right axis)".into(),
        color: pal::GREY,
        shape: Shape::Dashed,
        secondary: true,
        points: cx.mid(a, "IntegrationLatency", 1.0),
    });
    c.y2_desc = "integration latency (ms)".into();
    c.lines.retain(|l| !l.points.is_empty());
    c
}

fn cache_hit_ratio(cx: &Ctx, a: &str) -> TimeChart {
    let mut c = TimeChart::new(
        &format!("api-{}-cache-hit-ratio", slug(a)),
        format!("API {a}: cache hit ratio"),
        "hit ratio (%)",
    );
    c.y_range = Some((0.0, 100.0));
    let hits = cx.mid(a, "CacheHitCount", 1.0);
    let misses = cx.mid(a, "CacheMissCount", 1.0);
    let ratio = hits
        .iter()
        .zip(&misses)
        .filter(|(h, m)| h.1 + m.1 > 0.0)
        .map(|(h, m)| (h.0, 100.0 * h.1 / (h.1 + m.1)))
        .collect();
    c.line("CacheHitCount / (hits + misses)".into(), pal::GREEN, ratio);
    c
}
