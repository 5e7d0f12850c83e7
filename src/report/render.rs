//! What a person sees: the terminal summary, and the dashboard files.

use crate::report::charts;
use crate::run::RunResult;
use crate::scenario::Scenario;
use std::fmt::Write;
use std::path::Path;

/// Thousands separators for counts.
pub fn group(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The human summary printed by `stratus run`.
pub fn human_summary(r: &RunResult, dir: &Path, charts: bool) -> String {
    let s = &r.summary;
    let mut o = String::new();
    let rate = if s.wall_s > 0.0 {
        s.events as f64 / s.wall_s / 1e6
    } else {
        0.0
    };
    let _ = writeln!(
        o,
        "stratus · {}{} · seed {} · {} simulated in {:.2} s ({} events, {:.1} M events/s)",
        s.scenario,
        s.variant
            .as_deref()
            .map(|v| format!(" [{v}]"))
            .unwrap_or_default(),
        s.seed,
        crate::scenario::Duration((s.simulated_s * 1e9) as u64),
        s.wall_s,
        group(s.events),
        rate
    );
    let q = &s.requests;
    let errors = q.total - q.ok;
    // Without a load balancer the workloads' "requests" are their SQS or
    // DynamoDB calls (sends, puts): say so, and leave out their latency.
    let http = !s.load_balancers.is_empty();
    let _ = writeln!(o);
    let _ = writeln!(
        o,
        "{}   {} finished · {} ok · {} errors ({:.2}%) · {} in flight at end",
        if http { "requests" } else { "calls   " },
        group(q.total),
        group(q.ok),
        group(errors),
        if q.total > 0 {
            100.0 * errors as f64 / q.total as f64
        } else {
            0.0
        },
        group(q.in_flight_at_end)
    );
    let e = &q.errors;
    let kinds = [
        ("elb_502", e.elb_502),
        ("elb_503", e.elb_503),
        ("elb_504", e.elb_504),
        ("target_5xx", e.target_5xx),
        ("instance_refused", e.instance_refused),
        ("client_timeout", e.client_timeout),
        ("throttled", e.throttled),
    ];
    let nonzero: Vec<String> = kinds
        .iter()
        .filter(|k| k.1 > 0)
        .map(|k| format!("{} {}", k.0, group(k.1)))
        .collect();
    if !nonzero.is_empty() {
        let _ = writeln!(o, "  errors   {}", nonzero.join(" · "));
    }
    let l = &q.latency_ms;
    if http {
        let _ = writeln!(
            o,
            "latency    mean {:.1} ms · p50 {:.1} · p90 {:.1} · p99 {:.1} · max {:.1}",
            l.mean, l.p50, l.p90, l.p99, l.max
        );
    }
    for (name, g) in &s.auto_scaling_groups {
        let _ = writeln!(
            o,
            "group      {name}: {} launches · {} terminations · {} scaling activities · in service {}–{} · {:.2} instance-hours · ${:.2}",
            group(g.launches),
            group(g.terminations),
            group(g.scaling_activities),
            g.min_in_service,
            g.max_in_service,
            g.instance_hours,
            g.cost_usd
        );
    }
    for (name, lb) in &s.load_balancers {
        let cw = |m: &str| group(lb.cloudwatch.get(m).copied().unwrap_or(0.0) as u64);
        let _ = writeln!(
            o,
            "balancer   {name}: {} requests · CloudWatch HTTPCode_ELB_5XX_Count {} (502 {} · 503 {} · 504 {}) · HTTPCode_Target_5XX_Count {} · ${:.2}",
            group(lb.requests),
            cw("HTTPCode_ELB_5XX_Count"),
            cw("HTTPCode_ELB_502_Count"),
            cw("HTTPCode_ELB_503_Count"),
            cw("HTTPCode_ELB_504_Count"),
            cw("HTTPCode_Target_5XX_Count"),
            lb.cost_usd
        );
    }
    for (name, v) in &s.queues {
        let k = |key: &str| group(v[key].as_u64().unwrap_or(0));
        let _ = writeln!(
            o,
            "queue      {name}: {} sent · {} received · {} deleted · {} redelivered · {} dead-lettered · {} duplicates processed · {} left (visible at end) · oldest {} s · {} empty receives · ${:.2}",
            k("sent"),
            k("received"),
            k("deleted"),
            k("redelivered"),
            k("dead_lettered"),
            k("duplicates_processed"),
            k("visible_at_end"),
            group(v["max_age_s"].as_f64().unwrap_or(0.0).round() as u64),
            k("empty_receives"),
            v["cost_usd"].as_f64().unwrap_or(0.0)
        );
    }
    for (name, v) in &s.tables {
        let k = |key: &str| group(v[key].as_u64().unwrap_or(0));
        let _ = writeln!(
            o,
            "table      {name}: {} reads · {} writes · {} read throttles · {} write throttles · {} failed after retries · {} scaling activities · ${:.2}",
            k("reads"),
            k("writes"),
            k("read_throttles"),
            k("write_throttles"),
            k("failed_after_retries"),
            k("scaling_activities"),
            v["cost_usd"].as_f64().unwrap_or(0.0)
        );
    }
    for (name, v) in &s.streams {
        let k = |key: &str| group(v[key].as_u64().unwrap_or(0));
        let _ = writeln!(
            o,
            "stream     {name}: {} records put · {} accepted · {} write throttles · {} given up · {} open shards at end · max iterator age {:.1} s · ${:.2}",
            k("records_put"),
            k("records_accepted"),
            k("write_throttles"),
            k("put_failed"),
            k("open_shards_at_end"),
            v["max_iterator_age_ms"].as_f64().unwrap_or(0.0) / 1e3,
            v["cost_usd"].as_f64().unwrap_or(0.0)
        );
    }
    let _ = writeln!(o, "cost       ${:.2} in all", s.cost_usd);
    let _ = writeln!(o);
    let _ = writeln!(
        o,
        "wrote {}/ (summary.json, metrics.csv, activities.csv{})",
        dir.display(),
        if charts { ", charts/, report.html" } else { "" }
    );
    o
}

/// The dashboard files (`charts/*.png`, `charts/*.svg`).
pub fn dashboard(sc: &Scenario, r: &RunResult) -> Result<Vec<(String, Vec<u8>)>, String> {
    charts::dashboard(sc, r)
}
