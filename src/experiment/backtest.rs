//! `stratus backtest`: replay a recorded day and compare with what AWS did.
//!
//! The recorded load (`cloudwatch get-metric-data`: an ALB's `RequestCount`
//! Sum per period, SQS `NumberOfMessagesSent`, DynamoDB
//! `ConsumedWriteCapacityUnits` / `ConsumedReadCapacityUnits`) replaces the
//! rate of the workloads that target those resources (a workload is added
//! where none does), over the recorded window (its first period start
//! becomes `start_time`). The run is then compared with AWS's record:
//! - activities: each desired-capacity change AWS recorded (parsed from the
//!   `Cause` of `autoscaling describe-scaling-activities`: "… changing the
//!   desired capacity from N to M", at the cause's "At T") against the run's
//!   own changes (the typed `scaling` activities, [`crate::world::Act::Scaling`]). A recorded
//!   change matches a simulated one of the same group, direction and new
//!   value within the window (default 5 min); each is matched at most once,
//!   nearest first. Times are compared at AWS's whole seconds.
//! - capacity: `GroupDesiredCapacity` / `GroupInServiceInstances` recorded
//!   against the run's series at the same period; `capacity.mae_instances`
//!   and `max_abs_error` over desired capacity (in-service when no desired
//!   capacity was recorded).

use super::{Failure, out_failure};
use crate::import::metrics::{self, MetricData, ResourceKind};
use crate::import::time::parse_iso;
use crate::report::clock::format_utc;
use crate::report::metrics::fmt_num;
use crate::report::{charts, output, render};
use crate::scenario::dist::Interpolation;
use crate::scenario::{self, Duration, LoadOptions, Rate, Scenario, Workload, WorkloadTarget};
use clap::Args;
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::{Path, PathBuf};

/// `stratus backtest SCENARIO --metrics METRICS.json …`.
#[derive(Args, Debug, Clone)]
pub struct BacktestArgs {
    /// Scenario file (e.g. written by `stratus import`).
    pub scenario: PathBuf,
    /// `aws cloudwatch get-metric-data` output: the load and the capacity.
    #[arg(long, value_name = "METRICS.json")]
    pub metrics: PathBuf,
    /// `aws autoscaling describe-scaling-activities` output.
    #[arg(long, value_name = "ACTIVITIES.json")]
    pub activities: Option<PathBuf>,
    /// Output folder (default output/<scenario name>-backtest/).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Match window for activities.
    #[arg(long, default_value = "5m", value_name = "DUR")]
    pub window: String,
    /// Which resource a metric result measures: ID=NAME (default: the name
    /// in its Label, or the only resource of its kind).
    #[arg(long = "map", value_name = "ID=NAME")]
    pub map: Vec<String>,
    /// Override the scenario's seed.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Do not draw the charts.
    #[arg(long)]
    pub no_charts: bool,
}

/// One change of desired capacity, in seconds since the start.
#[derive(Clone, Debug, PartialEq)]
pub struct Change {
    /// Seconds since the start of the window.
    pub t: f64,
    /// Group.
    pub group: String,
    /// Before.
    pub from: u32,
    /// After.
    pub to: u32,
}

/// Timing error figures.
#[derive(Clone, Debug, Default, Serialize, PartialEq)]
pub struct Timing {
    /// Median |recorded − simulated| over matched changes, s.
    pub median: f64,
    /// Largest, s.
    pub max: f64,
}

/// The activity comparison.
#[derive(Clone, Debug, Default, Serialize, PartialEq)]
pub struct Activities {
    /// Recorded changes of desired capacity.
    pub recorded: u64,
    /// Simulated changes.
    pub simulated: u64,
    /// Matched pairs.
    pub matched: u64,
    /// Recorded without a simulated match.
    pub missed: u64,
    /// Simulated without a recorded match.
    pub extra: u64,
    /// Timing error of the matched pairs.
    pub timing_error_s: Timing,
    /// 100 × matched / recorded (100 when nothing was recorded nor simulated).
    pub matched_pct: f64,
    /// The match window, s.
    pub window_s: f64,
}

/// The capacity comparison.
#[derive(Clone, Debug, Default, Serialize, PartialEq)]
pub struct Capacity {
    /// Mean absolute error, instances.
    pub mae_instances: f64,
    /// Largest absolute error, instances.
    pub max_abs_error: f64,
    /// The metric compared (GroupDesiredCapacity or GroupInServiceInstances).
    pub metric: String,
    /// Aligned points compared.
    pub points: u64,
    /// Per metric: MAE.
    pub mae_by_metric: BTreeMap<String, f64>,
}

/// `backtest.json`.
#[derive(Clone, Debug, Default, Serialize, PartialEq)]
pub struct Report {
    /// Activities.
    pub activities: Activities,
    /// Capacity.
    pub capacity: Capacity,
    /// The recorded window's first period start.
    pub start_time: String,
    /// The window, s.
    pub duration_s: f64,
    /// Which metric result drove or was compared with which resource.
    pub mapping: BTreeMap<String, String>,
}

/// The desired-capacity changes in an `autoscaling describe-scaling-activities`
/// output: every "changing the desired capacity from N to M" in a `Cause`,
/// timed by the "At T" that opens its clause (else the activity's
/// `StartTime`), each (group, time, from, to) once (AWS repeats the cause on
/// every instance launched for one change). Unix seconds.
pub fn parse_activities(v: &Value, shown: &str) -> Result<Vec<(f64, String, u32, u32)>, String> {
    let Some(acts) = v.get("Activities").and_then(Value::as_array) else {
        return Err(format!(
            "{shown}:1:1: expected `autoscaling describe-scaling-activities` output (`Activities`)"
        ));
    };
    let mut out: Vec<(f64, String, u32, u32)> = Vec::new();
    for (i, a) in acts.iter().enumerate() {
        let group = a
            .get("AutoScalingGroupName")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        let cause = a.get("Cause").and_then(Value::as_str).unwrap_or("");
        let start = a
            .get("StartTime")
            .and_then(Value::as_str)
            .and_then(parse_iso);
        const KEY: &str = "changing the desired capacity from ";
        let mut from_idx = 0;
        while let Some(k) = cause[from_idx..].find(KEY) {
            let at = from_idx + k;
            let rest = &cause[at + KEY.len()..];
            from_idx = at + KEY.len();
            let mut it = rest.splitn(3, ' ');
            let (Some(n), Some("to"), Some(m)) = (it.next(), it.next(), it.next()) else {
                continue;
            };
            let m: String = m.chars().take_while(char::is_ascii_digit).collect();
            let (Ok(n), Ok(m)) = (n.parse::<u32>(), m.parse::<u32>()) else {
                continue;
            };
            // "At 2026-01-05T09:14:00Z a monitor alarm … changing …": the
            // last "At " before the clause.
            let t = cause[..at]
                .rfind("At ")
                .and_then(|p| cause[p + 3..].split_whitespace().next())
                .and_then(parse_iso)
                .or(start)
                .ok_or_else(|| format!("{shown}:1:1: Activities[{i}]: no time for the change (no \"At T\" in the Cause, no StartTime)"))?;
            let c = (t, group.clone(), n, m);
            if !out.contains(&c) {
                out.push(c);
            }
        }
    }
    out.sort_by(|a, b| a.0.total_cmp(&b.0));
    Ok(out)
}

/// Matches recorded and simulated changes; returns the activity figures and
/// the matched pairs (indices).
pub fn match_changes(
    rec: &[Change],
    sim: &[Change],
    window_s: f64,
) -> (Activities, Vec<(usize, usize)>) {
    let mut used = vec![false; sim.len()];
    let mut pairs = Vec::new();
    let mut errs = Vec::new();
    for (i, r) in rec.iter().enumerate() {
        let dir = (r.to as i64 - r.from as i64).signum();
        let best = sim
            .iter()
            .enumerate()
            .filter(|(j, s)| {
                !used[*j]
                    && s.group == r.group
                    && s.to == r.to
                    && (s.to as i64 - s.from as i64).signum() == dir
                    && (s.t - r.t).abs() <= window_s
            })
            .min_by(|a, b| (a.1.t - r.t).abs().total_cmp(&(b.1.t - r.t).abs()));
        if let Some((j, s)) = best {
            used[j] = true;
            pairs.push((i, j));
            errs.push((s.t - r.t).abs());
        }
    }
    errs.sort_by(f64::total_cmp);
    let median = match errs.len() {
        0 => 0.0,
        n if n % 2 == 1 => errs[n / 2],
        n => (errs[n / 2 - 1] + errs[n / 2]) / 2.0,
    };
    let matched = pairs.len() as u64;
    let a = Activities {
        recorded: rec.len() as u64,
        simulated: sim.len() as u64,
        matched,
        missed: rec.len() as u64 - matched,
        extra: sim.len() as u64 - matched,
        timing_error_s: Timing {
            median,
            max: errs.last().copied().unwrap_or(0.0),
        },
        matched_pct: if rec.is_empty() {
            if sim.is_empty() { 100.0 } else { 0.0 }
        } else {
            crate::report::summary::r6(100.0 * matched as f64 / rec.len() as f64)
        },
        window_s,
    };
    (a, pairs)
}

fn bad(m: impl Into<String>) -> Failure {
    Failure::BadInput(m.into())
}

fn read_json(p: &Path) -> Result<Value, Failure> {
    let shown = p.display().to_string();
    let text = std::fs::read_to_string(p)
        .map_err(|e| bad(format!("{shown}:1:1: cannot read the file: {e}")))?;
    serde_json::from_str(&text).map_err(|e| {
        bad(format!(
            "{shown}:{}:{}: invalid JSON: {e}",
            e.line(),
            e.column().max(1)
        ))
    })
}

/// Replaces (or adds) the workload that targets `resource` with the trace.
fn set_workload(
    sc: &mut Scenario,
    kind: ResourceKind,
    metric: &str,
    resource: &str,
    points: Vec<(f64, f64)>,
    label: &str,
) {
    let targets = |w: &Workload| match kind {
        ResourceKind::LoadBalancer => w.to.load_balancer.as_deref() == Some(resource),
        ResourceKind::Queue => w.to.queue.as_deref() == Some(resource),
        ResourceKind::Table => {
            let write = metric == "ConsumedWriteCapacityUnits";
            w.to.table.as_deref() == Some(resource)
                && w.operation.as_ref().is_some_and(|o| {
                    use crate::scenario::TableOp::*;
                    matches!(o.op, Put | Update | Delete | TransactWrite) == write
                })
        }
        ResourceKind::Group => false,
    };
    let rate = Rate::Trace {
        file: label.to_string(),
        start: Duration(0),
        scale: 1.0,
        time_scale: 1.0,
        interpolation: Interpolation::Step,
        points,
    };
    let hits: Vec<usize> = (0..sc.workloads.len())
        .filter(|&i| targets(&sc.workloads[i]))
        .collect();
    if let Some((&first, rest)) = hits.split_first() {
        sc.workloads[first].rate = rate;
        // One recorded load per resource: the other workloads on it stop.
        for &i in rest {
            sc.workloads[i].rate = Rate::Constant(0.0);
        }
        return;
    }
    let mut to = WorkloadTarget::default();
    let operation = match kind {
        ResourceKind::LoadBalancer => {
            to.load_balancer = Some(resource.into());
            None
        }
        ResourceKind::Queue => {
            to.queue = Some(resource.into());
            None
        }
        _ => {
            to.table = Some(resource.into());
            Some(crate::scenario::TableOperation {
                op: if metric == "ConsumedWriteCapacityUnits" {
                    crate::scenario::TableOp::Put
                } else {
                    crate::scenario::TableOp::Get
                },
                item_size: crate::scenario::Size(if metric == "ConsumedWriteCapacityUnits" {
                    1024
                } else {
                    4096
                }),
                consistency: Default::default(),
                keys: None,
                items: None,
            })
        }
    };
    sc.workloads.push(Workload {
        name: format!("{resource}-{metric}"),
        to,
        arrivals: Default::default(),
        rate,
        sessions: None,
        timeout: None,
        retries: None,
        operation,
        message_size: None,
        message_group: None,
        duplicate_sends: 0.0,
        users: None,
    });
}

/// Runs `stratus backtest`.
pub fn run(a: &BacktestArgs) -> Result<(), Failure> {
    let done = backtest(a)?;
    print!("{done}");
    Ok(())
}

/// Runs a backtest and writes its folder; returns the text printed.
pub fn backtest(a: &BacktestArgs) -> Result<String, Failure> {
    let window = crate::scenario::units::parse_duration(&a.window)
        .map_err(|e| bad(format!("--window {}: {e}", a.window)))?
        .as_secs_f64();
    let opts = LoadOptions {
        seed: a.seed,
        ..Default::default()
    };
    let mut sc = scenario::load_file(&a.scenario, &opts).map_err(|d| bad(d.to_string()))?;
    let mshown = a.metrics.display().to_string();
    let mv = read_json(&a.metrics)?;
    if !metrics::is_metric_data(&mv) {
        return Err(bad(format!(
            "{mshown}:1:1: expected `cloudwatch get-metric-data` output (`MetricDataResults`)"
        )));
    }
    let md: MetricData = metrics::read(&mv, &mshown).map_err(|e| bad(e.0))?;
    let (Some(start), Some(end)) = (md.start(), md.end()) else {
        return Err(bad(format!("{mshown}:1:1: no datapoints")));
    };
    let period = md.period();
    let recorded_changes = match &a.activities {
        Some(p) => {
            let shown = p.display().to_string();
            parse_activities(&read_json(p)?, &shown).map_err(bad)?
        }
        None => Vec::new(),
    };
    let dir = a
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("output").join(format!("{}-backtest", sc.name)));
    output::check_replaceable(&dir).map_err(out_failure)?;

    // Which result is which resource's.
    let lbs: Vec<String> = sc.load_balancers.iter().map(|l| l.name.clone()).collect();
    let qs: Vec<String> = sc.queues.iter().map(|q| q.name.clone()).collect();
    let ts: Vec<String> = sc.tables.iter().map(|t| t.name.clone()).collect();
    let gs: Vec<String> = sc
        .auto_scaling_groups
        .iter()
        .map(|g| g.name.clone())
        .collect();
    let names = |k: ResourceKind| match k {
        ResourceKind::LoadBalancer => lbs.clone(),
        ResourceKind::Queue => qs.clone(),
        ResourceKind::Table => ts.clone(),
        ResourceKind::Group => gs.clone(),
    };
    let (assigned, notes) =
        metrics::assign(&md, &names, &a.map).map_err(|e| bad(format!("stratus backtest: {e}")))?;
    let mut mapping = BTreeMap::new();
    for x in &assigned {
        let r = &md.results[x.result];
        mapping.insert(
            r.id.clone(),
            format!("{} {} ({})", x.kind.noun(), x.resource, x.metric),
        );
        let per_unit = if x.metric == "ConsumedReadCapacityUnits" {
            2.0
        } else {
            1.0
        };
        if matches!(
            x.kind,
            ResourceKind::LoadBalancer | ResourceKind::Queue | ResourceKind::Table
        ) {
            let pts = metrics::rate_trace(r, start, end, period, per_unit);
            set_workload(
                &mut sc,
                x.kind,
                x.metric,
                &x.resource,
                pts,
                &format!("{mshown}#{}", r.id),
            );
        }
    }
    sc.start_time = Some(format_utc(start.floor() as i64));
    sc.duration = Duration(((end - start) * 1e9).round() as u64);
    sc.metrics_period = Duration((period * 1e9).round() as u64);

    let result = crate::run::simulate(&sc, None, &mut |_| {});

    // Activities.
    let origin = start.floor();
    let rec: Vec<Change> = recorded_changes
        .iter()
        .filter(|c| c.0 >= origin && c.0 < end)
        .map(|c| Change {
            t: c.0 - origin,
            group: c.1.clone(),
            from: c.2,
            to: c.3,
        })
        .collect();
    let sim: Vec<Change> = result
        .activities
        .iter()
        .filter_map(|a| match a.what {
            crate::world::Act::Scaling { from, to } => Some(Change {
                // AWS's times are whole seconds: so are these.
                t: (a.t / 1_000_000_000) as f64,
                group: a.resource.clone(),
                from,
                to,
            }),
            _ => None,
        })
        .collect();
    let (acts, _) = match_changes(&rec, &sim, window);

    // Capacity and load, aligned by period.
    let mut csv = String::from("t_s,resource,metric,recorded,simulated\n");
    let mut errs: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
    let mut lines: BTreeMap<String, Vec<charts::BacktestLine>> = BTreeMap::new();
    for x in &assigned {
        let r = &md.results[x.result];
        let sim_series = result.series.get(&x.resource, x.metric);
        let sim_at: BTreeMap<i64, f64> = sim_series
            .iter()
            .map(|&(t, v)| (t.round() as i64, v))
            .collect();
        let mut rec_pts = Vec::new();
        let mut sim_pts = Vec::new();
        for &(t, v) in &r.points {
            let off = t - origin;
            if off < 0.0 || t >= end {
                continue;
            }
            let Some(&s) = sim_at.get(&(off.round() as i64)) else {
                continue;
            };
            let _ = writeln!(
                csv,
                "{},{},{},{},{}",
                fmt_num(off),
                x.resource,
                x.metric,
                fmt_num(v),
                fmt_num(s)
            );
            if x.kind == ResourceKind::Group
                && matches!(x.metric, "GroupDesiredCapacity" | "GroupInServiceInstances")
            {
                errs.entry(x.metric).or_default().push((v - s).abs());
                rec_pts.push((off, v));
                rec_pts.push((off + period, v));
                sim_pts.push((off, s));
                sim_pts.push((off + period, s));
            }
        }
        if !rec_pts.is_empty() {
            let short = if x.metric == "GroupDesiredCapacity" {
                "desired"
            } else {
                "in service"
            };
            let l = lines.entry(x.resource.clone()).or_default();
            l.push((format!("{short}, recorded"), false, rec_pts));
            l.push((format!("{short}, simulated"), true, sim_pts));
        }
    }
    let metric = if errs.contains_key("GroupDesiredCapacity") {
        "GroupDesiredCapacity"
    } else if errs.contains_key("GroupInServiceInstances") {
        "GroupInServiceInstances"
    } else {
        ""
    };
    let e = errs.get(metric).cloned().unwrap_or_default();
    let r6 = crate::report::summary::r6;
    let capacity = Capacity {
        mae_instances: if e.is_empty() {
            0.0
        } else {
            r6(e.iter().sum::<f64>() / e.len() as f64)
        },
        max_abs_error: e.iter().copied().fold(0.0, f64::max),
        metric: metric.to_string(),
        points: e.len() as u64,
        mae_by_metric: errs
            .iter()
            .map(|(k, v)| {
                (
                    k.to_string(),
                    r6(v.iter().sum::<f64>() / v.len().max(1) as f64),
                )
            })
            .collect(),
    };
    let report = Report {
        activities: acts,
        capacity,
        start_time: format_utc(origin as i64),
        duration_s: r6(end - origin),
        mapping,
    };

    // Files.
    let mut files = Vec::new();
    let mut json =
        serde_json::to_string_pretty(&report).map_err(|e| Failure::Internal(e.to_string()))?;
    json.push('\n');
    files.push(("backtest.json".to_string(), json.into_bytes()));
    files.push(("backtest.csv".to_string(), csv.into_bytes()));
    let md_text = markdown(&report, &rec, &sim, &notes, &sc.name);
    files.push(("backtest.md".to_string(), md_text.clone().into_bytes()));
    for (rel, bytes) in output::run_files(&result) {
        files.push((format!("run/{rel}"), bytes));
    }
    if !a.no_charts {
        for (g, l) in &lines {
            let rt: Vec<f64> = rec.iter().filter(|c| &c.group == g).map(|c| c.t).collect();
            let st: Vec<f64> = sim.iter().filter(|c| &c.group == g).map(|c| c.t).collect();
            let stem = if lines.len() == 1 {
                "backtest".to_string()
            } else {
                format!("backtest-{}", charts::slug(g))
            };
            let (png, svg) = charts::backtest_overlay(
                &stem,
                format!("{g}: recorded vs simulated capacity"),
                l,
                &rt,
                &st,
                end - origin,
                &format!(
                    "{} matched of {} recorded changes, capacity MAE {} instances",
                    report.activities.matched,
                    report.activities.recorded,
                    fmt_num(report.capacity.mae_instances)
                ),
            )
            .map_err(Failure::Internal)?;
            files.push((format!("charts/{stem}.png"), png));
            files.push((format!("charts/{stem}.svg"), svg.into_bytes()));
        }
        for (rel, bytes) in render::dashboard(&sc, &result).map_err(Failure::Internal)? {
            files.push((format!("run/{rel}"), bytes));
        }
    }
    output::write_folder(&dir, &files).map_err(out_failure)?;
    let a = &report.activities;
    Ok(format!(
        "backtest of {} over {} from {}: {} of {} recorded changes matched ({} missed, {} extra), timing error median {} s, max {} s; capacity MAE {} instances (max {}); written to {}\n",
        sc.name,
        sc.duration,
        report.start_time,
        a.matched,
        a.recorded,
        a.missed,
        a.extra,
        fmt_num(a.timing_error_s.median),
        fmt_num(a.timing_error_s.max),
        fmt_num(report.capacity.mae_instances),
        fmt_num(report.capacity.max_abs_error),
        dir.display()
    ))
}

fn markdown(r: &Report, rec: &[Change], sim: &[Change], notes: &[String], name: &str) -> String {
    let a = &r.activities;
    let mut s = String::new();
    let _ = writeln!(s, "# Backtest of {name}\n");
    let _ = writeln!(
        s,
        "Window: {} for {} s (recorded load replayed as the workloads).\n",
        r.start_time,
        fmt_num(r.duration_s)
    );
    let _ = writeln!(s, "| figure | value |\n| --- | --- |");
    let _ = writeln!(s, "| recorded desired-capacity changes | {} |", a.recorded);
    let _ = writeln!(s, "| simulated changes | {} |", a.simulated);
    let _ = writeln!(
        s,
        "| matched (same group, direction and value within {} s) | {} ({} %) |",
        fmt_num(a.window_s),
        a.matched,
        fmt_num(a.matched_pct)
    );
    let _ = writeln!(s, "| missed (recorded, not simulated) | {} |", a.missed);
    let _ = writeln!(s, "| extra (simulated, not recorded) | {} |", a.extra);
    let _ = writeln!(
        s,
        "| timing error median / max | {} s / {} s |",
        fmt_num(a.timing_error_s.median),
        fmt_num(a.timing_error_s.max)
    );
    let _ = writeln!(
        s,
        "| capacity MAE ({}) | {} instances (max {}) over {} periods |",
        if r.capacity.metric.is_empty() {
            "none recorded"
        } else {
            &r.capacity.metric
        },
        fmt_num(r.capacity.mae_instances),
        fmt_num(r.capacity.max_abs_error),
        r.capacity.points
    );
    let _ = writeln!(s, "\n## Metric results used\n");
    for (id, what) in &r.mapping {
        let _ = writeln!(s, "- `{id}`: {what}");
    }
    for n in notes {
        let _ = writeln!(s, "- {n}");
    }
    let _ = writeln!(
        s,
        "\n## Desired-capacity changes\n\n| t (s) | group | recorded | simulated |\n| --- | --- | --- | --- |"
    );
    let mut rows: Vec<(f64, String, String, String)> = Vec::new();
    for c in rec {
        rows.push((
            c.t,
            c.group.clone(),
            format!("{} → {}", c.from, c.to),
            String::new(),
        ));
    }
    for c in sim {
        rows.push((
            c.t,
            c.group.clone(),
            String::new(),
            format!("{} → {}", c.from, c.to),
        ));
    }
    rows.sort_by(|a, b| a.0.total_cmp(&b.0));
    for (t, g, r, si) in rows {
        let _ = writeln!(s, "| {} | {g} | {r} | {si} |", fmt_num(t));
    }
    s
}
