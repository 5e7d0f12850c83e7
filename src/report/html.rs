//! `report.html`: one self-contained page per run — the lesson and its key
//! figures at the top, the interactive dashboard (`super::dashboard`: a grid
//! of charts on a shared time axis, with the activity timeline beside it as
//! a filterable table), the summary tables, and the static charts (the
//! inline SVGs of `charts/`). Inline CSS and scripts only, nothing fetched
//! from the network. Every text from the scenario or the run is
//! HTML-escaped.

use crate::report::clock;
use crate::report::render::group;
use crate::run::RunResult;
use crate::scenario::Scenario;
use std::fmt::Write;

/// Most activity rows written to the page; the rest are in `activities.csv`.
const MAX_ACTIVITY_ROWS: usize = 20_000;

pub(crate) const CSS: &str = r#"
:root { color-scheme: light; }
body { font-family: -apple-system, "Segoe UI", "DejaVu Sans", Helvetica, Arial, sans-serif;
       color: #222; background: #fafafa; margin: 0; line-height: 1.45; }
main { max-width: 1060px; margin: 0 auto; padding: 24px 28px 48px; background: #fff;
       box-shadow: 0 0 0 1px #e6e6e6; }
h1 { font-size: 1.7em; margin: 0 0 4px; font-weight: 600; }
h2 { font-size: 1.25em; margin: 32px 0 10px; padding-bottom: 4px; border-bottom: 1px solid #e3e3e3; font-weight: 600; }
h3 { font-size: 1.02em; margin: 20px 0 6px; font-weight: 600; }
p.desc { margin: 4px 0 8px; color: #444; }
p.meta { margin: 0; color: #6b6b6b; font-size: 0.92em; }
nav { margin: 14px 0 0; font-size: 0.92em; }
nav a { margin-right: 14px; color: #4e79a7; text-decoration: none; }
table { border-collapse: collapse; margin: 6px 0 12px; font-size: 0.9em; }
th, td { padding: 4px 10px; border-bottom: 1px solid #ececec; text-align: left; vertical-align: top; }
th { background: #f4f4f4; font-weight: 600; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
table.kv th { background: none; font-weight: normal; color: #555; }
td.sub { padding-left: 26px; color: #555; }
figure { margin: 18px 0; }
figure svg { display: block; width: 100%; height: auto; border: 1px solid #ececec; }
table.timeline { width: 100%; font-size: 0.84em; }
table.timeline td.t { white-space: nowrap; font-variant-numeric: tabular-nums; }
table.timeline td.k code { background: #f1f1f1; padding: 1px 5px; border-radius: 3px; }
table.timeline td.c { color: #555; }
p.note { color: #6b6b6b; font-size: 0.9em; }
"#;

/// Escape text for HTML element content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// `+MM:SS` since the start of the run (minutes are not wrapped at 60).
pub fn offset(t_ns: u64) -> String {
    let s = t_ns / 1_000_000_000;
    format!("+{:02}:{:02}", s / 60, s % 60)
}

fn num(v: f64, decimals: usize) -> String {
    if !v.is_finite() {
        return "–".into();
    }
    if v == v.trunc() && v.abs() < 1e15 && decimals == 0 {
        return group_signed(v as i64);
    }
    format!("{v:.decimals$}")
}

fn group_signed(v: i64) -> String {
    if v < 0 {
        format!("-{}", group(v.unsigned_abs()))
    } else {
        group(v as u64)
    }
}

fn usd(v: f64) -> String {
    format!("${v:.2}")
}

/// Prefix of a text cell that is indented (a breakdown row).
const SUB: &str = "\u{1}";

/// A table from a header and rows of (text, numeric?) cells; all escaped.
/// Numeric cells are right-aligned; a text cell starting with [`SUB`] is
/// indented.
fn table(out: &mut String, class: &str, header: &[(&str, bool)], rows: &[Vec<(String, bool)>]) {
    let _ = write!(out, "<table class=\"{class}\"><thead><tr>");
    for (h, n) in header {
        let _ = write!(
            out,
            "<th{}>{}</th>",
            if *n { " class=\"n\"" } else { "" },
            escape(h)
        );
    }
    out.push_str("</tr></thead><tbody>\n");
    for r in rows {
        out.push_str("<tr>");
        for (c, n) in r {
            let (class, text) = match (n, c.strip_prefix(SUB)) {
                (true, _) => (" class=\"n\"", c.as_str()),
                (false, Some(rest)) => (" class=\"sub\"", rest),
                (false, None) => ("", c.as_str()),
            };
            let _ = write!(out, "<td{class}>{}</td>", escape(text));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table>\n");
}

/// Rows of resources whose figures are free-form JSON objects (queues,
/// tables): one column per key, in the order first seen.
fn json_table(
    out: &mut String,
    first: &str,
    items: &std::collections::BTreeMap<String, serde_json::Value>,
) {
    let mut keys: Vec<String> = Vec::new();
    for v in items.values() {
        if let Some(o) = v.as_object() {
            for k in o.keys() {
                if !keys.contains(k) {
                    keys.push(k.clone());
                }
            }
        }
    }
    let mut header: Vec<(&str, bool)> = vec![(first, false)];
    header.extend(keys.iter().map(|k| (k.as_str(), true)));
    let rows: Vec<Vec<(String, bool)>> = items
        .iter()
        .map(|(name, v)| {
            let mut row = vec![(name.clone(), false)];
            for k in &keys {
                let cell = match v.get(k) {
                    None | Some(serde_json::Value::Null) => "–".to_string(),
                    Some(serde_json::Value::Number(n)) => match (n.as_i64(), n.as_f64()) {
                        (Some(i), _) => group_signed(i),
                        (None, Some(f)) if k.ends_with("usd") => usd(f),
                        (None, Some(f)) => num(f, 2),
                        _ => n.to_string(),
                    },
                    Some(serde_json::Value::String(s)) => s.clone(),
                    Some(other) => other.to_string(),
                };
                row.push((cell, true));
            }
            row
        })
        .collect();
    table(out, "", &header, &rows);
}

/// The key figures of a run as tiles, by resource kind.
fn tiles(r: &RunResult) -> String {
    use crate::report::dashboard::tile;
    let s = &r.summary;
    let mut o = String::from("<div class=\"tiles\">");
    o.push_str(&tile(&usd(s.cost_usd), "total cost"));
    let q = &s.requests;
    if !s.load_balancers.is_empty() || q.total > 0 {
        let what = if s.load_balancers.is_empty() {
            "calls"
        } else {
            "requests"
        };
        o.push_str(&tile(&group(q.total), &format!("{what} finished")));
        let errors = q.total.saturating_sub(q.ok);
        o.push_str(&tile(
            &format!("{} ({:.2}%)", group(errors), q.error_rate_pct),
            &format!("{what} failed"),
        ));
        if !s.load_balancers.is_empty() {
            o.push_str(&tile(&format!("{:.0} ms", q.latency_ms.p99), "p99 latency"));
        }
    }
    for (n, g) in &s.auto_scaling_groups {
        o.push_str(&tile(
            &format!("{}–{}", g.min_in_service, g.max_in_service),
            &format!("group {n}: in service"),
        ));
        o.push_str(&tile(
            &group(g.scaling_activities),
            &format!("group {n}: scaling activities"),
        ));
    }
    for (n, v) in &s.queues {
        let k = |key: &str| v.get(key).and_then(|x| x.as_f64()).unwrap_or(0.0);
        o.push_str(&tile(
            &group(k("visible_at_end") as u64),
            &format!("queue {n}: left at end"),
        ));
        o.push_str(&tile(
            &format!("{} s", group(k("max_age_s").round() as u64)),
            &format!("queue {n}: oldest message"),
        ));
        if k("dead_lettered") > 0.0 {
            o.push_str(&tile(
                &group(k("dead_lettered") as u64),
                &format!("queue {n}: to DLQ"),
            ));
        }
        if k("empty_receives") > 0.0 {
            o.push_str(&tile(
                &group(k("empty_receives") as u64),
                &format!("queue {n}: empty receives"),
            ));
        }
    }
    for (n, v) in &s.tables {
        let k = |key: &str| v.get(key).and_then(|x| x.as_f64()).unwrap_or(0.0);
        o.push_str(&tile(
            &group((k("read_throttles") + k("write_throttles")) as u64),
            &format!("table {n}: throttles"),
        ));
        if k("scaling_activities") > 0.0 {
            o.push_str(&tile(
                &group(k("scaling_activities") as u64),
                &format!("table {n}: scaling activities"),
            ));
        }
    }
    o.push_str("</div>\n");
    o
}

/// The activity timeline beside the charts: filterable by text and kind.
fn activity_aside(r: &RunResult, start: i64) -> String {
    let mut o = String::from("<aside class=\"acts\" id=\"timeline\"><h2>Activity timeline</h2>\n");
    if r.activities.is_empty() {
        o.push_str("<p class=\"note\">No activities.</p></aside>\n");
        return o;
    }
    let mut kinds: Vec<&str> = r.activities.iter().map(|a| a.kind()).collect();
    kinds.sort_unstable();
    kinds.dedup();
    o.push_str("<div class=\"filters\"><input id=\"act-filter\" type=\"search\" placeholder=\"filter: instance, alarm, cause…\" aria-label=\"filter activities\"><select id=\"act-kind\" aria-label=\"kind\"><option value=\"\">every kind</option>");
    for k in &kinds {
        let _ = write!(o, "<option>{}</option>", escape(k));
    }
    o.push_str("</select></div>\n<div class=\"rows\"><table id=\"acts\"><tbody>\n");
    for a in r.activities.iter().take(MAX_ACTIVITY_ROWS) {
        let wall = clock::format_utc(start + (a.t / 1_000_000_000) as i64);
        let _ = write!(
            o,
            "<tr class=\"act\" data-kind=\"{}\" data-t=\"{}\"><td class=\"t\" title=\"simulated clock {}\">{}</td><td class=\"k\"><code>{}</code><br>{}</td><td>{}",
            escape(a.kind()),
            a.t as f64 / 1e9,
            escape(&wall),
            offset(a.t),
            escape(a.kind()),
            escape(&a.resource),
            escape(&a.description),
        );
        activity_row_end(&mut o, a);
    }
    o.push_str("</tbody></table></div>\n<p class=\"count\" id=\"act-count\"></p>\n");
    if r.activities.len() > MAX_ACTIVITY_ROWS {
        let _ = writeln!(
            o,
            "<p class=\"note\">{} more activities are in activities.csv.</p>",
            group((r.activities.len() - MAX_ACTIVITY_ROWS) as u64)
        );
    }
    o.push_str("</aside>\n");
    o
}

/// The whole page. `svgs` are (chart name, SVG text) in dashboard order;
/// `panels` the same charts for the interactive dashboard.
pub fn report_html(
    sc: &Scenario,
    r: &RunResult,
    svgs: &[(String, String)],
    panels: &[crate::report::dashboard::Panel],
) -> String {
    let s = &r.summary;
    let mut o = String::with_capacity(64 * 1024 + svgs.iter().map(|x| x.1.len()).sum::<usize>());
    let title = match &s.variant {
        Some(v) => format!("{} [{}]", sc.name, v),
        None => sc.name.clone(),
    };
    let start = sc
        .start_time
        .as_deref()
        .and_then(clock::parse_utc)
        .or_else(|| clock::parse_utc(clock::DEFAULT_START))
        .unwrap_or(0);

    o.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    o.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    let _ = writeln!(o, "<title>stratus · {}</title>", escape(&title));
    let _ = writeln!(o, "<style>{CSS}</style>");
    o.push_str(&crate::report::dashboard::head());
    o.push_str("</head>\n<body class=\"dash\">\n<main>");

    // Heading.
    let _ = writeln!(o, "<h1>{}</h1>", escape(&title));
    if let Some(d) = &sc.description {
        let _ = writeln!(o, "<p class=\"desc\">{}</p>", escape(d));
    }
    let _ = writeln!(
        o,
        "<p class=\"meta\">seed {} · {} simulated from {} · metrics period {} · {} events</p>",
        s.seed,
        escape(&crate::scenario::Duration((s.simulated_s * 1e9).round() as u64).to_string()),
        escape(&clock::format_utc(start)),
        escape(&sc.metrics_period.to_string()),
        group(s.events),
    );
    if let Some(l) = sc.report.lesson.as_deref() {
        let _ = writeln!(
            o,
            "<div class=\"lesson-box\"><b>Lesson.</b> {}</div>",
            escape(l)
        );
    }
    o.push_str(&tiles(r));
    o.push_str("<nav><a href=\"#dashboard\">Dashboard</a><a href=\"#timeline\">Activity timeline</a><a href=\"#summary\">Summary</a><a href=\"#static\">Static charts</a></nav>\n");
    o.push_str("<h2 id=\"dashboard\">Dashboard</h2>\n<p class=\"note\">Simulated time, one axis for every chart: hover to read every value at a moment, drag to zoom (double-click resets), click a legend entry to hide or show it, click an activity to see its cause and move the cursor to it. CloudWatch's metric names and units (TargetResponseTime is drawn in ms; CloudWatch: seconds).</p>\n");
    o.push_str(&crate::report::dashboard::board(
        panels,
        sc.duration.as_secs_f64(),
        &activity_aside(r, start),
    ));

    // Summary.
    o.push_str("<h2 id=\"summary\">Summary</h2>\n");
    let _ = writeln!(
        o,
        "<p class=\"total\">Total cost: <b>{}</b> (every resource's bill: summary.json <code>cost_usd</code>)</p>",
        usd(s.cost_usd)
    );
    o.push_str("<h3>Requests</h3>\n");
    let q = &s.requests;
    let e = &q.errors;
    let errors = q.total.saturating_sub(q.ok);
    let pct = |n: u64| {
        if q.total > 0 {
            format!("{:.2}%", 100.0 * n as f64 / q.total as f64)
        } else {
            "–".into()
        }
    };
    let mut rows: Vec<Vec<(String, bool)>> = vec![
        vec![
            ("finished".into(), false),
            (group(q.total), true),
            (String::new(), true),
        ],
        vec![("ok".into(), false), (group(q.ok), true), (pct(q.ok), true)],
        vec![
            ("errors".into(), false),
            (group(errors), true),
            (pct(errors), true),
        ],
    ];
    for (k, v) in [
        ("ELB 502 (connection cut)", e.elb_502),
        ("ELB 503", e.elb_503),
        ("ELB 504", e.elb_504),
        ("target 5XX", e.target_5xx),
        (
            "instance refused (ELB 502 in CloudWatch)",
            e.instance_refused,
        ),
        ("client timeout", e.client_timeout),
        ("throttled", e.throttled),
    ] {
        rows.push(vec![
            (format!("{SUB}{k}"), false),
            (group(v), true),
            (pct(v), true),
        ]);
    }
    rows.push(vec![
        ("in flight at end".into(), false),
        (group(q.in_flight_at_end), true),
        (String::new(), true),
    ]);
    table(
        &mut o,
        "kv",
        &[("", false), ("count", true), ("share", true)],
        &rows,
    );

    o.push_str("<h3>Latency of successful requests</h3>\n");
    let l = &q.latency_ms;
    table(
        &mut o,
        "",
        &[
            ("mean", true),
            ("p50", true),
            ("p90", true),
            ("p99", true),
            ("max", true),
        ],
        &[[l.mean, l.p50, l.p90, l.p99, l.max]
            .iter()
            .map(|v| (format!("{v:.1} ms"), true))
            .collect()],
    );

    if !s.auto_scaling_groups.is_empty() {
        o.push_str("<h3>Auto Scaling groups</h3>\n");
        let rows: Vec<Vec<(String, bool)>> = s
            .auto_scaling_groups
            .iter()
            .map(|(n, g)| {
                vec![
                    (n.clone(), false),
                    (group(g.launches), true),
                    (group(g.terminations), true),
                    (group(g.scaling_activities), true),
                    (group(g.min_in_service), true),
                    (group(g.max_in_service), true),
                    (num(g.instance_hours, 2), true),
                    (usd(g.cost_usd), true),
                ]
            })
            .collect();
        table(
            &mut o,
            "",
            &[
                ("group", false),
                ("launches", true),
                ("terminations", true),
                ("scaling activities", true),
                ("min in service", true),
                ("max in service", true),
                ("instance-hours", true),
                ("cost", true),
            ],
            &rows,
        );
    }
    if !s.load_balancers.is_empty() {
        o.push_str("<h3>Load balancers</h3>\n");
        let rows: Vec<Vec<(String, bool)>> = s
            .load_balancers
            .iter()
            .map(|(n, b)| {
                let cw = |m: &str| group(b.cloudwatch.get(m).copied().unwrap_or(0.0) as u64);
                vec![
                    (n.clone(), false),
                    (group(b.requests), true),
                    (cw("HTTPCode_ELB_502_Count"), true),
                    (cw("HTTPCode_ELB_503_Count"), true),
                    (cw("HTTPCode_ELB_504_Count"), true),
                    (cw("HTTPCode_Target_5XX_Count"), true),
                    (group(b.sticky_rebinds), true),
                    (group(b.sessions_lost), true),
                    (usd(b.cost_usd), true),
                ]
            })
            .collect();
        table(
            &mut o,
            "",
            &[
                ("load balancer", false),
                ("requests", true),
                ("HTTPCode_ELB_502_Count", true),
                ("HTTPCode_ELB_503_Count", true),
                ("HTTPCode_ELB_504_Count", true),
                ("HTTPCode_Target_5XX_Count", true),
                ("sticky rebinds", true),
                ("sessions lost", true),
                ("cost", true),
            ],
            &rows,
        );
    }
    if !s.queues.is_empty() {
        o.push_str("<h3>Queues</h3>\n");
        json_table(&mut o, "queue", &s.queues);
    }
    if !s.tables.is_empty() {
        o.push_str("<h3>DynamoDB tables</h3>\n");
        json_table(&mut o, "table", &s.tables);
    }

    // The static charts: the SVGs of charts/, for papers and slides.
    o.push_str("<details class=\"static\" id=\"static\"><summary>Static charts (the SVG files of charts/, also as PNG)</summary>\n");
    if svgs.is_empty() {
        o.push_str("<p class=\"note\">No charts: the run produced no metrics.</p>\n");
    }
    for (name, svg) in svgs {
        let _ = writeln!(o, "<figure id=\"chart-{}\">", escape(name));
        // The SVG is our own renderer's output; drop an XML declaration if any.
        let body = match svg.find("<svg") {
            Some(i) => &svg[i..],
            None => svg.as_str(),
        };
        o.push_str(body.trim_end());
        o.push_str("\n</figure>\n");
    }
    o.push_str("</details>\n");
    o.push_str("<p class=\"note\">Generated by stratus. All times are simulated.</p>\n");
    o.push_str("</main>\n</body>\n</html>\n");
    o
}

/// The end of an activity table row: AWS's cause and the simulator's
/// details, each its own line, then the row closed (the run's and the
/// comparison's tables share it).
pub(crate) fn activity_row_end(o: &mut String, a: &crate::report::activity::Activity) {
    if !a.cause.is_empty() {
        let _ = write!(o, "<span class=\"c\">{}</span>", escape(&a.cause));
    }
    if !a.details.is_empty() {
        let _ = write!(o, "<span class=\"c\">{}</span>", escape(&a.details));
    }
    o.push_str("</td></tr>\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::metrics::Series;
    use crate::report::summary::{AsgSummary, Summary};
    use crate::scenario::{LoadOptions, load_str};
    use crate::world::Activity;
    use std::path::Path;

    fn sc() -> Scenario {
        let src = r#"
name: html-test
description: "Fleet <b>&</b> \"quotes\""
duration: 10m
workloads:
  - name: w
    to: { load_balancer: web }
    rate: { pattern: constant, rps: 10 }
load_balancers:
  - { name: web, type: application, routing: round_robin, target_group: web }
auto_scaling_groups:
  - name: web
    availability_zones: [us-east-1a]
    min: 1
    max: 1
    instance: { type: c5.large, workers: 1, queue_limit: 1, price_per_hour: 0.1 }
    app:
      - compute: { dist: constant, value: 10ms }
"#;
        load_str(src, "t.yaml", Path::new("."), &LoadOptions::default()).expect("valid")
    }

    fn result() -> RunResult {
        let mut summary = Summary {
            scenario: "html-test".into(),
            seed: 3,
            ..Default::default()
        };
        summary.auto_scaling_groups.insert(
            "web".into(),
            AsgSummary {
                launches: 1234,
                cost_usd: 1.5,
                ..Default::default()
            },
        );
        summary.queues.insert(
            "jobs".into(),
            serde_json::json!({"sent": 10, "max_age_s": 1.25, "cost_usd": 0.5}),
        );
        RunResult {
            summary,
            series: Series::default(),
            activities: vec![Activity::new(
                754_000_000_000,
                "web",
                crate::world::Act::Launch,
                "Launching <script>alert(1)</script>",
                "At a & b",
            )],
        }
    }

    #[test]
    fn page_is_complete_and_escaped() {
        let svgs = vec![(
            "cpu".to_string(),
            "<svg width=\"1\"><text>CPU</text></svg>".to_string(),
        )];
        let h = report_html(&sc(), &result(), &svgs, &[]);
        assert!(h.starts_with("<!DOCTYPE html>"));
        assert!(h.contains("<h1>html-test</h1>"));
        assert!(h.contains("Fleet &lt;b&gt;&amp;&lt;/b&gt; &quot;quotes&quot;"));
        assert!(h.contains("<svg width=\"1\"><text>CPU</text></svg>"));
        assert!(!h.contains("<script>alert"));
        assert!(h.contains("Launching &lt;script&gt;"));
        assert!(h.contains("At a &amp; b"));
        assert!(h.contains("+12:34"));
        assert!(h.contains("2026-01-05T09:12:34Z"));
        assert!(h.contains("1,234"));
        assert!(h.contains("$1.50"));
        assert!(h.contains("<th class=\"n\">max_age_s</th>"));
        for bad in [
            "src=\"http",
            "href=\"http",
            "url(http",
            "@import",
            "<link",
            "fetch(",
        ] {
            assert!(!h.contains(bad), "network reference {bad}");
        }
    }

    #[test]
    fn offsets() {
        assert_eq!(offset(0), "+00:00");
        assert_eq!(offset(65_000_000_000), "+01:05");
        assert_eq!(offset(7_265_000_000_000), "+121:05");
    }
}
