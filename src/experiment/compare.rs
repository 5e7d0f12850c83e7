//! `stratus compare`: the base scenario and its variants, run with the same
//! seed (common random numbers: every component draws from its own stream,
//! keyed by seed and component name, so a variant only differs where its
//! settings make it differ), optionally replicated over seeds `seed`,
//! `seed+1`, …, and reported side by side.
//!
//! The folder (`output/<scenario>-compare/` or `--out DIR`), written
//! atomically:
//! - `comparison.csv`: one row per variant, first column `variant` (the base
//!   row is `base`), then `seed` (the first seed), `replications`, then the
//!   figures of [`FIGURES`] — each followed by `<figure>_ci95`, the
//!   half-width of its 95 % confidence interval (Student t), when there is
//!   more than one replication. Values are means over replications.
//! - `comparison.md`: the main figures as a Markdown table, each variant's
//!   value followed by its change against the base, e.g. `+12.3%`.
//! - `replications.csv` (more than one replication): every run's figures.
//! - `charts/`: overlays, one colour per variant, same axes; with
//!   replications each line is the mean over replications, period by period.
//! - `report.html`: the table and the overlays, self-contained.
//! - `runs/<variant>/`: the run folder of each variant (first seed), as
//!   `stratus run` writes it.

use super::stats::mean_ci95;
use super::table::Table;
use super::{Failure, folder_name, out_failure};
use crate::report::charts::{self, Overlay};
use crate::report::html::{CSS, escape};
use crate::report::metrics::fmt_num;
use crate::report::output;
use crate::report::render::{self, group};
use crate::report::summary::Summary;
use crate::run::RunResult;
use crate::scenario::{self, LoadOptions, Scenario};
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// What `stratus compare` was asked.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// The scenario file.
    pub file: PathBuf,
    /// `--set`s given before any `--variant`: applied to every run.
    pub sets: Vec<String>,
    /// `--seed`.
    pub seed: Option<u64>,
    /// `--variants a,b`: the file's variants to run (default all).
    pub pick: Option<Vec<String>>,
    /// `--variant NAME --set …`: variants from the command line, with the
    /// `--set`s that followed each.
    pub adhoc: Vec<(String, Vec<String>)>,
    /// Runs per variant (seeds seed, seed+1, …).
    pub replications: u32,
    /// Output folder (default `output/<scenario>-compare/`).
    pub out: Option<PathBuf>,
    /// Draw the charts.
    pub charts: bool,
    /// Threads (default: all cores).
    pub jobs: Option<usize>,
    /// Run even when the runs are estimated above 1e11 events in all.
    pub allow_huge: bool,
}

/// One column of the comparison: the base or a variant.
#[derive(Clone, Debug, PartialEq)]
pub struct VariantSpec {
    /// `base`, a variant of the file, or a name from the command line.
    pub name: String,
    /// The file's variant applied first, if any.
    pub file_variant: Option<String>,
    /// `--set`s of this variant (after the ones for every run).
    pub sets: Vec<String>,
}

/// How a figure prints.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Unit {
    /// A count.
    Count,
    /// Milliseconds.
    Ms,
    /// US dollars.
    Usd,
    /// Hours.
    Hours,
    /// Percent.
    Pct,
    /// Events per hour.
    PerHour,
    /// Seconds.
    Seconds,
}

/// Where a figure is shown besides `comparison.csv`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Show {
    /// Only in the CSV.
    CsvOnly,
    /// In the tables always.
    Always,
    /// In the tables when some variant has it non-zero.
    NonZero,
}

/// A figure of the comparison: CSV column, table title, unit, where shown.
pub struct Figure {
    /// `comparison.csv` column.
    pub key: &'static str,
    /// Title in the tables.
    pub title: &'static str,
    /// Unit.
    pub unit: Unit,
    /// Where shown.
    pub show: Show,
}

const fn fig(key: &'static str, title: &'static str, unit: Unit, show: Show) -> Figure {
    Figure {
        key,
        title,
        unit,
        show,
    }
}

/// The figures, in column order. Sums run over every group, load balancer,
/// queue and table: `cost_usd` is the whole bill; `min_in_service` /
/// `max_in_service` add up the groups' own extremes.
pub const FIGURES: &[Figure] = &[
    fig("cost_usd", "cost", Unit::Usd, Show::Always),
    fig("latency_p50_ms", "p50", Unit::Ms, Show::Always),
    fig("latency_p99_ms", "p99", Unit::Ms, Show::Always),
    fig("latency_mean_ms", "mean latency", Unit::Ms, Show::CsvOnly),
    fig("latency_max_ms", "max latency", Unit::Ms, Show::CsvOnly),
    fig("requests", "requests", Unit::Count, Show::CsvOnly),
    fig("ok", "ok", Unit::Count, Show::Always),
    fig("errors", "errors", Unit::Count, Show::Always),
    fig("error_rate_pct", "error rate", Unit::Pct, Show::CsvOnly),
    fig("elb_502", "ELB 502", Unit::Count, Show::CsvOnly),
    fig("elb_503", "ELB 503", Unit::Count, Show::CsvOnly),
    fig("elb_504", "ELB 504", Unit::Count, Show::CsvOnly),
    fig("target_5xx", "target 5XX", Unit::Count, Show::CsvOnly),
    fig("instance_refused", "refused", Unit::Count, Show::CsvOnly),
    fig(
        "client_timeout",
        "client timeouts",
        Unit::Count,
        Show::CsvOnly,
    ),
    fig(
        "throttled",
        "throttled requests",
        Unit::Count,
        Show::CsvOnly,
    ),
    fig(
        "in_flight_at_end",
        "in flight at end",
        Unit::Count,
        Show::CsvOnly,
    ),
    fig(
        "min_in_service",
        "min in service",
        Unit::Count,
        Show::Always,
    ),
    fig(
        "max_in_service",
        "max in service",
        Unit::Count,
        Show::Always,
    ),
    fig(
        "scaling_activities",
        "scaling activities",
        Unit::Count,
        Show::Always,
    ),
    fig("launches", "launches", Unit::Count, Show::CsvOnly),
    fig("terminations", "terminations", Unit::Count, Show::CsvOnly),
    fig(
        "instance_hours",
        "instance-hours",
        Unit::Hours,
        Show::CsvOnly,
    ),
    fig("table_throttles", "throttles", Unit::Count, Show::NonZero),
    fig("table_retries", "table retries", Unit::Count, Show::CsvOnly),
    fig("redeliveries", "redeliveries", Unit::Count, Show::NonZero),
    fig("dead_lettered", "dead-lettered", Unit::Count, Show::NonZero),
    fig(
        "sticky_rebinds",
        "sticky rebinds",
        Unit::Count,
        Show::NonZero,
    ),
    fig("sessions_lost", "sessions lost", Unit::Count, Show::NonZero),
    fig(
        "elasticity.under_accuracy_pct",
        "θU under",
        Unit::Pct,
        Show::Always,
    ),
    fig(
        "elasticity.over_accuracy_pct",
        "θO over",
        Unit::Pct,
        Show::Always,
    ),
    fig(
        "elasticity.under_timeshare_pct",
        "τU under",
        Unit::Pct,
        Show::Always,
    ),
    fig(
        "elasticity.over_timeshare_pct",
        "τO over",
        Unit::Pct,
        Show::Always,
    ),
    fig(
        "elasticity.instability_pct",
        "instability",
        Unit::Pct,
        Show::Always,
    ),
    fig(
        "elasticity.jitter_per_hour",
        "jitter",
        Unit::PerHour,
        Show::Always,
    ),
];

fn json_sum(items: &BTreeMap<String, serde_json::Value>, keys: &[&str]) -> f64 {
    items
        .values()
        .flat_map(|v| keys.iter().filter_map(move |k| v.get(*k)?.as_f64()))
        .sum()
}

/// The values of [`FIGURES`] for one run, in order.
pub fn figures(s: &Summary) -> Vec<f64> {
    let q = &s.requests;
    let e = &q.errors;
    let gsum = |f: fn(&crate::report::summary::AsgSummary) -> f64| -> f64 {
        s.auto_scaling_groups.values().map(f).sum()
    };
    let cost = gsum(|g| g.cost_usd)
        + s.load_balancers.values().map(|l| l.cost_usd).sum::<f64>()
        + json_sum(&s.queues, &["cost_usd"])
        + json_sum(&s.tables, &["cost_usd"])
        + json_sum(&s.functions, &["cost_usd"])
        + json_sum(&s.apis, &["cost_usd"])
        + json_sum(&s.topics, &["cost_usd"])
        + json_sum(&s.streams, &["cost_usd"]);
    FIGURES
        .iter()
        .map(|f| match f.key {
            "cost_usd" => crate::report::summary::r6(cost),
            "latency_p50_ms" => q.latency_ms.p50,
            "latency_p99_ms" => q.latency_ms.p99,
            "latency_mean_ms" => q.latency_ms.mean,
            "latency_max_ms" => q.latency_ms.max,
            "requests" => q.total as f64,
            "ok" => q.ok as f64,
            "errors" => q.total.saturating_sub(q.ok) as f64,
            "error_rate_pct" if q.total > 0 => crate::report::summary::r6(
                100.0 * q.total.saturating_sub(q.ok) as f64 / q.total as f64,
            ),
            "elb_502" => e.elb_502 as f64,
            "elb_503" => e.elb_503 as f64,
            "elb_504" => e.elb_504 as f64,
            "target_5xx" => e.target_5xx as f64,
            "instance_refused" => e.instance_refused as f64,
            "client_timeout" => e.client_timeout as f64,
            "throttled" => e.throttled as f64,
            "in_flight_at_end" => q.in_flight_at_end as f64,
            "min_in_service" => gsum(|g| g.min_in_service as f64),
            "max_in_service" => gsum(|g| g.max_in_service as f64),
            "scaling_activities" => gsum(|g| g.scaling_activities as f64),
            "launches" => gsum(|g| g.launches as f64),
            "terminations" => gsum(|g| g.terminations as f64),
            "instance_hours" => crate::report::summary::r6(gsum(|g| g.instance_hours)),
            "table_throttles" => json_sum(&s.tables, &["read_throttles", "write_throttles"]),
            "table_retries" => json_sum(&s.tables, &["retries"]),
            "redeliveries" => json_sum(&s.queues, &["redelivered"]),
            "dead_lettered" => json_sum(&s.queues, &["dead_lettered"]),
            "sticky_rebinds" => s
                .load_balancers
                .values()
                .map(|l| l.sticky_rebinds as f64)
                .sum(),
            "sessions_lost" => s
                .load_balancers
                .values()
                .map(|l| l.sessions_lost as f64)
                .sum(),
            k if k.starts_with("elasticity.") => elasticity_mean(s, &k["elasticity.".len()..]),
            _ => 0.0,
        })
        .collect()
}

/// An elasticity metric of a run: the group's, or the mean over the groups
/// whose demand could be measured (0 without any).
fn elasticity_mean(s: &Summary, key: &str) -> f64 {
    let Some(k) = crate::report::elasticity::KEYS
        .iter()
        .position(|x| *x == key)
    else {
        return 0.0;
    };
    let v: Vec<f64> = s
        .auto_scaling_groups
        .values()
        .filter(|g| g.elasticity != Default::default())
        .map(|g| g.elasticity.values()[k])
        .collect();
    if v.is_empty() {
        0.0
    } else {
        crate::report::summary::r6(v.iter().sum::<f64>() / v.len() as f64)
    }
}

/// A column of `comparison.csv` and of the tables: one of [`FIGURES`], or a
/// figure of one queue or table, keyed by its `summary.json` path
/// (`queues.jobs.visible_at_end`, `tables.orders.write_throttles`).
#[derive(Clone, Debug, PartialEq)]
pub struct Column {
    /// `comparison.csv` column.
    pub key: String,
    /// Title in the tables.
    pub title: String,
    /// Unit.
    pub unit: Unit,
    /// Where shown.
    pub show: Show,
}

/// Each queue's own figures: `summary.json` key, title suffix, unit, shown.
const QUEUE_COLUMNS: &[(&str, &str, Unit, Show)] = &[
    ("sent", "sent", Unit::Count, Show::CsvOnly),
    ("deleted", "deleted", Unit::Count, Show::Always),
    ("visible_at_end", "left", Unit::Count, Show::Always),
    ("max_age_s", "oldest", Unit::Seconds, Show::Always),
    ("redelivered", "redelivered", Unit::Count, Show::NonZero),
    ("dead_lettered", "to DLQ", Unit::Count, Show::NonZero),
    ("moved_in", "moved in", Unit::Count, Show::NonZero),
    (
        "duplicates_processed",
        "duplicates",
        Unit::Count,
        Show::NonZero,
    ),
    (
        "empty_receives",
        "empty receives",
        Unit::Count,
        Show::NonZero,
    ),
    ("cost_usd", "cost", Unit::Usd, Show::NonZero),
];

/// Each table's own figures.
const TABLE_COLUMNS: &[(&str, &str, Unit, Show)] = &[
    ("reads", "reads", Unit::Count, Show::CsvOnly),
    ("writes", "writes", Unit::Count, Show::CsvOnly),
    (
        "read_throttles",
        "read throttles",
        Unit::Count,
        Show::NonZero,
    ),
    (
        "write_throttles",
        "write throttles",
        Unit::Count,
        Show::NonZero,
    ),
    ("retries", "retries", Unit::Count, Show::CsvOnly),
    ("failed_after_retries", "failed", Unit::Count, Show::NonZero),
    ("scaling_activities", "scaling", Unit::Count, Show::NonZero),
    ("cost_usd", "cost", Unit::Usd, Show::NonZero),
];

/// Each Kinesis stream's own figures.
const STREAM_COLUMNS: &[(&str, &str, Unit, Show)] = &[
    ("records_accepted", "accepted", Unit::Count, Show::CsvOnly),
    (
        "write_throttles",
        "write throttles",
        Unit::Count,
        Show::NonZero,
    ),
    ("put_failed", "given up", Unit::Count, Show::NonZero),
    (
        "open_shards_at_end",
        "shards at end",
        Unit::Count,
        Show::Always,
    ),
    (
        "max_iterator_age_ms",
        "max iterator age",
        Unit::Ms,
        Show::Always,
    ),
    ("cost_usd", "cost", Unit::Usd, Show::NonZero),
];

/// Figures that only mean something with an Auto Scaling group.
const GROUP_KEYS: &[&str] = &[
    "min_in_service",
    "max_in_service",
    "scaling_activities",
    "launches",
    "terminations",
    "instance_hours",
];

/// Figures that only mean something with HTTP requests through a load
/// balancer (without one, "requests" are a workload's SQS or DynamoDB calls:
/// their latency is the call's, so it is left out, and ok/errors are
/// titled as calls).
const REQUEST_KEYS: &[&str] = &["latency_p50_ms", "latency_p99_ms"];

/// The columns for these runs: [`FIGURES`], then every queue's, table's
/// and stream's own figures (names from the runs' summaries, in order).
pub fn columns(summaries: &[&Summary]) -> Vec<Column> {
    let mut out: Vec<Column> = FIGURES
        .iter()
        .map(|f| Column {
            key: f.key.to_string(),
            title: f.title.to_string(),
            unit: f.unit,
            show: f.show,
        })
        .collect();
    let mut queues: Vec<&str> = summaries
        .iter()
        .flat_map(|s| s.queues.keys().map(String::as_str))
        .collect();
    queues.sort_unstable();
    queues.dedup();
    let mut tables: Vec<&str> = summaries
        .iter()
        .flat_map(|s| s.tables.keys().map(String::as_str))
        .collect();
    tables.sort_unstable();
    tables.dedup();
    let mut streams: Vec<&str> = summaries
        .iter()
        .flat_map(|s| s.streams.keys().map(String::as_str))
        .collect();
    streams.sort_unstable();
    streams.dedup();
    for (section, names, cols) in [
        ("queues", &queues, QUEUE_COLUMNS),
        ("tables", &tables, TABLE_COLUMNS),
        ("streams", &streams, STREAM_COLUMNS),
    ] {
        for n in names.iter() {
            for (k, title, unit, show) in cols {
                out.push(Column {
                    key: format!("{section}.{n}.{k}"),
                    title: format!("{n} {title}"),
                    unit: *unit,
                    show: *show,
                });
            }
        }
    }
    out
}

/// The values of `cols` for one run (0 where the run lacks the figure).
pub fn column_values(cols: &[Column], s: &Summary) -> Vec<f64> {
    let fixed = figures(s);
    let json = serde_json::to_value(s).unwrap_or_default();
    cols.iter()
        .enumerate()
        .map(|(k, c)| {
            if k < fixed.len() {
                return fixed[k];
            }
            let mut parts = c.key.splitn(3, '.');
            let (Some(section), Some(name), Some(field)) =
                (parts.next(), parts.next(), parts.next())
            else {
                return 0.0;
            };
            json.get(section)
                .and_then(|x| x.get(name))
                .and_then(|x| x.get(field))
                .and_then(|x| x.as_f64())
                .unwrap_or(0.0)
        })
        .collect()
}

/// Decide what runs: the base, then the file's variants (all, or those
/// `--variants` picks, in that order), then the command line's (a name that
/// is also a file variant applies that variant, then its `--set`s; a name
/// already listed gets the `--set`s added).
pub fn plan(
    file_variants: &[String],
    pick: Option<&[String]>,
    adhoc: &[(String, Vec<String>)],
) -> Result<Vec<VariantSpec>, Failure> {
    let mut specs = vec![VariantSpec {
        name: "base".into(),
        file_variant: None,
        sets: Vec::new(),
    }];
    let listed: Vec<String> = match pick {
        None => file_variants.to_vec(),
        Some(p) => {
            let mut out: Vec<String> = Vec::new();
            for name in p.iter().map(|s| s.trim()).filter(|s| !s.is_empty()) {
                if name == "base" {
                    continue;
                }
                if !file_variants.iter().any(|v| v == name) {
                    let known = if file_variants.is_empty() {
                        "the file has no variants".to_string()
                    } else {
                        format!("the file has: {}", file_variants.join(", "))
                    };
                    return Err(Failure::BadInput(format!(
                        "--variants: no variant named \"{name}\" ({known})"
                    )));
                }
                if !out.iter().any(|o| o == name) {
                    out.push(name.to_string());
                }
            }
            out
        }
    };
    for v in listed {
        specs.push(VariantSpec {
            name: v.clone(),
            file_variant: Some(v),
            sets: Vec::new(),
        });
    }
    for (name, sets) in adhoc {
        if name.trim().is_empty() {
            return Err(Failure::BadInput("--variant: the name is empty".into()));
        }
        if name == "base" {
            return Err(Failure::BadInput(
                "--variant base: the name \"base\" is the base scenario's row; choose another name"
                    .into(),
            ));
        }
        if let Some(s) = specs.iter_mut().find(|s| &s.name == name) {
            s.sets.extend(sets.iter().cloned());
            continue;
        }
        specs.push(VariantSpec {
            name: name.clone(),
            file_variant: file_variants.iter().find(|v| *v == name).cloned(),
            sets: sets.clone(),
        });
    }
    // Folder names must not collide.
    let mut seen: BTreeMap<String, &str> = BTreeMap::new();
    for s in &specs {
        if let Some(other) = seen.insert(folder_name(&s.name), &s.name) {
            return Err(Failure::BadInput(format!(
                "variants \"{other}\" and \"{}\" would share the run folder runs/{}; rename one",
                s.name,
                folder_name(&s.name)
            )));
        }
    }
    Ok(specs)
}

/// One run of the comparison.
struct Job {
    spec: usize,
    rep: u32,
    sc: Scenario,
}

/// The result: where it went and what to print.
pub struct Outcome {
    /// The folder written.
    pub dir: PathBuf,
    /// The terminal table and the closing line.
    pub text: String,
}

/// Run the comparison and write its folder.
pub fn compare(o: &Options) -> Result<Outcome, Failure> {
    let wall = Instant::now();
    let reps = o.replications;
    if reps == 0 {
        return Err(Failure::BadInput(
            "--replications: must be at least 1".into(),
        ));
    }
    let load = |variant: Option<String>, sets: Vec<String>, seed: Option<u64>| {
        scenario::load_file(
            &o.file,
            &LoadOptions {
                sets,
                variant,
                seed,
            },
        )
        .map_err(|d| Failure::BadInput(d.to_string()))
    };
    let base = load(None, o.sets.clone(), o.seed)?;
    let file_variants: Vec<String> = base.variants.iter().map(|v| v.name.clone()).collect();
    let specs = plan(&file_variants, o.pick.as_deref(), &o.adhoc)?;
    let seed0 = base.seed;
    let dir = o
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("output").join(format!("{}-compare", base.name)));
    output::check_replaceable(&dir).map_err(out_failure)?;

    // Load every run first: bad input stops everything before any work.
    let mut jobs = Vec::new();
    for (i, s) in specs.iter().enumerate() {
        for r in 0..reps {
            let mut sets = o.sets.clone();
            sets.extend(s.sets.iter().cloned());
            let sc = load(
                s.file_variant.clone(),
                sets,
                Some(seed0.wrapping_add(r as u64)),
            )
            .map_err(|e| match e {
                Failure::BadInput(m) if i > 0 => {
                    Failure::BadInput(format!("in variant \"{}\":\n{m}", s.name))
                }
                other => other,
            })?;
            jobs.push(Job {
                spec: i,
                rep: r,
                sc,
            });
        }
    }

    let events: f64 = jobs
        .iter()
        .map(|j| crate::scenario::estimate::estimate(&j.sc).events)
        .sum();
    super::size_guard("compare", jobs.len() as u64, events, o.allow_huge)?;
    let bar = super::sweep::progress_bar(jobs.len() as u64, "runs");
    type Done = (RunResult, Vec<(String, Vec<u8>)>);
    let work = || -> Result<Vec<Done>, String> {
        let cost: Vec<f64> = jobs
            .iter()
            .map(|j| super::sweep::expected_work(&j.sc))
            .collect();
        super::sweep::run_longest_first(&cost, |k| {
            let j = &jobs[k];
            let name = (j.spec > 0).then(|| specs[j.spec].name.as_str());
            let r = crate::run::simulate(&j.sc, name, &mut |_| {});
            let mut files = Vec::new();
            if j.rep == 0 {
                files = output::run_files(&r);
                if o.charts {
                    files.extend(render::dashboard(&j.sc, &r)?);
                }
            }
            if let Some(b) = &bar {
                b.inc(1);
            }
            Ok((r, files))
        })
        .into_iter()
        .collect()
    };
    let results = super::sweep::in_pool(o.jobs, work)?.map_err(Failure::Internal)?;
    if let Some(b) = bar {
        b.finish_and_clear();
    }

    // Figures per variant (rows: replications).
    let n = specs.len();
    let mut per: Vec<Vec<Vec<f64>>> = vec![Vec::new(); n];
    let mut runs: Vec<Vec<&RunResult>> = vec![Vec::new(); n];
    let all: Vec<&Summary> = results.iter().map(|(r, _)| &r.summary).collect();
    let cols = columns(&all);
    let has_groups = all.iter().any(|s| !s.auto_scaling_groups.is_empty());
    let has_requests = all.iter().any(|s| !s.load_balancers.is_empty());
    for (j, (r, _)) in jobs.iter().zip(&results) {
        per[j.spec].push(column_values(&cols, &r.summary));
        runs[j.spec].push(r);
    }
    let stats: Vec<Vec<(f64, f64)>> = per
        .iter()
        .map(|rows| {
            (0..cols.len())
                .map(|k| {
                    let xs: Vec<f64> = rows.iter().map(|r| r[k]).collect();
                    mean_ci95(&xs)
                })
                .collect()
        })
        .collect();
    let names: Vec<String> = specs.iter().map(|s| s.name.clone()).collect();

    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    files.push((
        "comparison.csv".into(),
        comparison_csv(&names, &cols, &stats, seed0, reps).into_bytes(),
    ));
    let table = summary_table(&names, &cols, &stats, reps, has_groups, has_requests);
    let mut md = format!(
        "# {} — comparison\n\nSeed {seed0}{}; changes against the base in parentheses.\n\n",
        base.name,
        if reps > 1 {
            format!(
                " to {} ({reps} replications per variant; mean ± half-width of the 95 % confidence interval)",
                seed0.wrapping_add(reps as u64 - 1)
            )
        } else {
            String::new()
        }
    );
    md.push_str(&table.markdown());
    let terminations: Vec<(String, Vec<Termination>)> = names
        .iter()
        .zip(&runs)
        .map(|(n, rs)| {
            (
                n.clone(),
                rs.first().map(|r| terminations(r)).unwrap_or_default(),
            )
        })
        .collect();
    if terminations.iter().any(|(_, t)| !t.is_empty()) {
        let mut t = Table::new(
            ["variant", "at", "instance", "launched at", "why"]
                .iter()
                .map(|h| h.to_string())
                .collect(),
        );
        t.numeric = vec![false, true, false, true, false];
        for (name, ts) in &terminations {
            for x in ts.iter().take(12) {
                t.rows.push(vec![
                    name.clone(),
                    super::super::report::html::offset((x.t_s * 1e9) as u64),
                    x.instance.clone(),
                    x.launched_s
                        .map(|l| super::super::report::html::offset((l * 1e9) as u64))
                        .unwrap_or_else(|| "–".into()),
                    x.why
                        .trim_start_matches("termination policy step: ")
                        .to_string(),
                ]);
            }
        }
        md.push_str("\n## Termination choice per variant\n\nThe instances each run terminated (first seed; at most 12 per variant), when each was launched, and the termination policy step that chose it.\n\n");
        md.push_str(&t.markdown());
    }
    files.push(("comparison.md".into(), md.into_bytes()));
    if reps > 1 {
        files.push((
            "replications.csv".into(),
            replications_csv(&names, &cols, &jobs, &per).into_bytes(),
        ));
    }
    let mut svgs = Vec::new();
    let mut panels = Vec::new();
    if o.charts {
        let subtitle = format!(
            "{} · seed {seed0}{}",
            base.name,
            if reps > 1 {
                format!(" · mean of {reps} seeds")
            } else {
                String::new()
            }
        );
        let list = overlays(&base, &names, &runs);
        // The dashboard: the lesson's charts first (`report.charts`, in
        // that order), then the others.
        let rank = |ov: &Overlay| {
            base.report
                .charts
                .iter()
                .position(|c| *c == ov.name)
                .unwrap_or(usize::MAX)
        };
        let mut ordered: Vec<&Overlay> = list.iter().collect();
        ordered.sort_by_key(|ov| rank(ov));
        panels = ordered
            .iter()
            .map(|ov| charts::overlay_panel(ov, rank(ov) != usize::MAX))
            .collect();
        let rendered: Vec<Result<(Vec<u8>, String), String>> =
            super::sweep::in_pool(o.jobs, || {
                list.par_iter()
                    .map(|ov| charts::overlay(ov, base.duration.as_secs_f64(), &subtitle))
                    .collect()
            })?;
        for (ov, r) in list.iter().zip(rendered) {
            let (png, svg) = r.map_err(Failure::Internal)?;
            files.push((format!("charts/{}.png", ov.name), png));
            files.push((format!("charts/{}.svg", ov.name), svg.clone().into_bytes()));
            svgs.push((ov.title.clone(), ov.name.clone(), svg));
        }
    }
    files.push((
        "report.html".into(),
        report_html(
            &base,
            &names,
            &table,
            &svgs,
            &panels,
            &names
                .iter()
                .zip(&runs)
                .filter_map(|(n, rs)| rs.first().map(|r| (n.clone(), *r)))
                .collect::<Vec<_>>(),
            &terminations,
            seed0,
            reps,
            o.charts,
        )
        .into_bytes(),
    ));
    for (j, (_, run_files)) in jobs.iter().zip(&results) {
        if j.rep == 0 {
            let folder = format!("runs/{}", folder_name(&specs[j.spec].name));
            for (rel, bytes) in run_files {
                files.push((format!("{folder}/{rel}"), bytes.clone()));
            }
        }
    }
    output::write_folder(&dir, &files).map_err(out_failure)?;

    let mut text = format!(
        "stratus compare · {} · seed {seed0} · {} variant{} × {reps} replication{} · {} runs in {:.2} s\n\n",
        base.name,
        n,
        if n == 1 { "" } else { "s" },
        if reps == 1 { "" } else { "s" },
        jobs.len(),
        wall.elapsed().as_secs_f64()
    );
    text.push_str(&table.text());
    let _ = writeln!(
        text,
        "\nwrote {}/ (comparison.csv, comparison.md, report.html{}, runs/)",
        dir.display(),
        if o.charts { ", charts/" } else { "" }
    );
    Ok(Outcome { dir, text })
}

/// `comparison.csv`: a row per name, `stats[i][k]` the (mean, 95 % CI
/// half-width) of `cols[k]` for `names[i]`.
pub fn comparison_csv(
    names: &[String],
    cols: &[Column],
    stats: &[Vec<(f64, f64)>],
    seed0: u64,
    reps: u32,
) -> String {
    let mut header = vec![
        "variant".to_string(),
        "seed".to_string(),
        "replications".to_string(),
    ];
    for f in cols {
        header.push(f.key.clone());
        if reps > 1 {
            header.push(format!("{}_ci95", f.key));
        }
    }
    let mut t = Table::new(header);
    for (name, st) in names.iter().zip(stats) {
        let mut row = vec![name.clone(), seed0.to_string(), reps.to_string()];
        for (m, h) in st {
            row.push(fmt_num(*m));
            if reps > 1 {
                row.push(fmt_num(*h));
            }
        }
        t.rows.push(row);
    }
    t.csv()
}

/// `replications.csv`: every run's figures.
fn replications_csv(
    names: &[String],
    cols: &[Column],
    jobs: &[Job],
    per: &[Vec<Vec<f64>>],
) -> String {
    let mut header = vec![
        "variant".to_string(),
        "replication".to_string(),
        "seed".to_string(),
    ];
    header.extend(cols.iter().map(|f| f.key.clone()));
    let mut t = Table::new(header);
    for j in jobs {
        let mut row = vec![
            names[j.spec].clone(),
            j.rep.to_string(),
            j.sc.seed.to_string(),
        ];
        row.extend(per[j.spec][j.rep as usize].iter().map(|v| fmt_num(*v)));
        t.rows.push(row);
    }
    t.csv()
}

/// A value as the tables print it.
pub fn fmt_value(v: f64, unit: Unit) -> String {
    if !v.is_finite() {
        return "–".into();
    }
    match unit {
        Unit::Count => {
            // Whole numbers (and means of 1,000 or more, rounded) grouped.
            if ((v - v.round()).abs() < 1e-9 || v.abs() >= 1000.0) && v.abs() < 1e15 {
                let r = v.round() as i64;
                if r < 0 {
                    format!("-{}", group(r.unsigned_abs()))
                } else {
                    group(r as u64)
                }
            } else {
                format!("{v:.1}")
            }
        }
        Unit::Ms => format!("{v:.1}"),
        Unit::Usd => {
            if v.abs() >= 1.0 || v == 0.0 {
                format!("${v:.2}")
            } else {
                format!("${v:.3}")
            }
        }
        Unit::Hours => format!("{v:.2}"),
        Unit::Pct => format!("{v:.2}%"),
        Unit::PerHour => format!("{v:.1}/h"),
        Unit::Seconds => {
            if v.abs() >= 100.0 {
                format!("{} s", fmt_value(v, Unit::Count))
            } else {
                format!("{v:.1} s")
            }
        }
    }
}

/// The change of `v` against the base `b`: `+12.3%`, `-4.0%`, `+0.0%` when
/// equal; an absolute change (`+5`) when the base is zero.
pub fn fmt_delta(v: f64, b: f64, unit: Unit) -> String {
    if v == b {
        return "+0.0%".into();
    }
    if b == 0.0 {
        let d = fmt_value((v - b).abs(), unit);
        return format!("{}{d}", if v > b { "+" } else { "-" });
    }
    let p = (v - b) / b.abs() * 100.0;
    let s = format!("{p:+.1}%");
    if s == "-0.0%" { "+0.0%".into() } else { s }
}

/// The table of `comparison.md`, the terminal and the HTML page: the
/// columns that mean something here (no in-service counts without a group,
/// no latency without requests).
fn summary_table(
    names: &[String],
    cols: &[Column],
    stats: &[Vec<(f64, f64)>],
    reps: u32,
    has_groups: bool,
    has_requests: bool,
) -> Table {
    let shown: Vec<usize> = cols
        .iter()
        .enumerate()
        .filter(|(_, f)| {
            has_groups
                || !(GROUP_KEYS.contains(&f.key.as_str()) || f.key.starts_with("elasticity."))
        })
        .filter(|(_, f)| has_requests || !REQUEST_KEYS.contains(&f.key.as_str()))
        .filter(|(k, f)| match f.show {
            Show::CsvOnly => false,
            Show::Always => true,
            Show::NonZero => stats.iter().any(|st| st[*k].0 != 0.0),
        })
        .map(|(k, _)| k)
        .collect();
    let mut header = vec!["variant".to_string()];
    for &k in &shown {
        let f = &cols[k];
        header.push(match (f.unit, f.key.as_str()) {
            (Unit::Ms, _) => format!("{} (ms)", f.title),
            (_, "ok") if !has_requests => "calls ok".into(),
            (_, "errors") if !has_requests => "calls failed".into(),
            _ => f.title.clone(),
        });
    }
    let mut t = Table::new(header);
    for (i, (name, st)) in names.iter().zip(stats).enumerate() {
        let mut row = vec![name.clone()];
        for &k in &shown {
            let unit = cols[k].unit;
            let (m, h) = st[k];
            let mut cell = fmt_value(m, unit);
            if reps > 1 {
                cell = format!("{cell} ± {}", fmt_value(h, unit).trim_start_matches('$'));
            }
            if i > 0 {
                cell = format!("{cell} ({})", fmt_delta(m, stats[0][k].0, unit));
            }
            row.push(cell);
        }
        t.rows.push(row);
    }
    t
}

// ---------------------------------------------------------------------------
// Overlays
// ---------------------------------------------------------------------------

/// Pointwise mean over replications of one metric of one resource, placed on
/// the time axis as the dashboard places it.
fn mean_series(
    runs: &[&RunResult],
    resource: &str,
    metric: &str,
    scale: f64,
    place: Place,
    period: f64,
    end: f64,
) -> Vec<(f64, f64)> {
    let mut acc: BTreeMap<u64, (f64, u32)> = BTreeMap::new();
    for r in runs {
        for (t, v) in r.series.get(resource, metric) {
            let e = acc.entry((t * 1e9).round() as u64).or_insert((0.0, 0));
            e.0 += v;
            e.1 += 1;
        }
    }
    let mut out = Vec::new();
    for (t, (sum, n)) in acc {
        let (t, v) = (t as f64 / 1e9, sum / n as f64 * scale);
        match place {
            Place::Mid => out.push(((t + period / 2.0).min(end), v)),
            Place::Step => {
                out.push((t, v));
                out.push(((t + period).min(end), v));
            }
            Place::End => out.push(((t + period).min(end), v)),
        }
    }
    out
}

/// Where a period's value is drawn (as on the dashboard).
#[derive(Clone, Copy)]
enum Place {
    /// An aggregate over the period: at its middle.
    Mid,
    /// A count held over the period.
    Step,
    /// A cumulative figure: at the period's end.
    End,
}

/// The sum of several metrics of one resource (pointwise, by time).
fn sum_series(parts: Vec<Vec<(f64, f64)>>) -> Vec<(f64, f64)> {
    let mut acc: BTreeMap<u64, f64> = BTreeMap::new();
    for p in parts {
        for (t, v) in p {
            *acc.entry((t * 1e9).round() as u64).or_insert(0.0) += v;
        }
    }
    acc.into_iter().map(|(t, v)| (t as f64 / 1e9, v)).collect()
}

fn has_metric(runs: &[Vec<&RunResult>], resource: &str, metric: &str) -> bool {
    runs.iter()
        .flatten()
        .any(|r| !r.series.get(resource, metric).is_empty())
}

/// The overlay charts, in order: capacity, latency, errors, CPU, queues,
/// tables, cost. Each is skipped when no run has its metric.
pub fn overlays(sc: &Scenario, names: &[String], runs: &[Vec<&RunResult>]) -> Vec<Overlay> {
    let period = sc.metrics_period.as_secs_f64().max(1e-9);
    let end = sc.duration.as_secs_f64();
    let period_text = sc.metrics_period.to_string();
    type Points = Vec<(f64, f64)>;
    let lines = |f: &dyn Fn(&[&RunResult]) -> Points| -> Vec<(String, Points)> {
        names
            .iter()
            .zip(runs)
            .map(|(n, rs)| (n.clone(), f(rs)))
            .collect()
    };
    let suffix = |many: bool, name: &str| {
        if many {
            format!("-{}", charts::slug(name))
        } else {
            String::new()
        }
    };
    let mut out = Vec::new();
    let groups: Vec<&str> = sc
        .auto_scaling_groups
        .iter()
        .map(|g| g.name.as_str())
        .collect();
    let lbs: Vec<&str> = sc.load_balancers.iter().map(|l| l.name.as_str()).collect();
    for g in &groups {
        out.push(Overlay {
            name: format!("capacity{}", suffix(groups.len() > 1, g)),
            title: format!("In-service instances of group {g}"),
            y_desc: "instances in service".into(),
            counts: true,
            lines: lines(&|rs| {
                mean_series(
                    rs,
                    g,
                    "GroupInServiceInstances",
                    1.0,
                    Place::Step,
                    period,
                    end,
                )
            }),
            ..Default::default()
        });
    }
    for lb in &lbs {
        let p99 = has_metric(runs, lb, "TargetResponseTime_p99");
        let metric = if p99 {
            "TargetResponseTime_p99"
        } else {
            "TargetResponseTime"
        };
        out.push(Overlay {
            name: format!("latency{}", suffix(lbs.len() > 1, lb)),
            title: format!(
                "{} target response time of load balancer {lb}",
                if p99 { "p99" } else { "Average" }
            ),
            y_desc: "response time (ms)".into(),
            lines: lines(&|rs| mean_series(rs, lb, metric, 1e3, Place::Mid, period, end)),
            ..Default::default()
        });
    }
    for lb in &lbs {
        let direct = has_metric(runs, lb, "HTTPCode_ELB_5XX_Count");
        out.push(Overlay {
            name: format!("errors{}", suffix(lbs.len() > 1, lb)),
            title: format!("ELB 5XX responses of load balancer {lb}"),
            y_desc: format!("responses per {period_text} period"),
            counts: true,
            zero_note: Some("no 5XX responses in these runs".into()),
            lines: lines(&|rs| {
                if direct {
                    mean_series(
                        rs,
                        lb,
                        "HTTPCode_ELB_5XX_Count",
                        1.0,
                        Place::Mid,
                        period,
                        end,
                    )
                } else {
                    sum_series(
                        [
                            "HTTPCode_ELB_502_Count",
                            "HTTPCode_ELB_503_Count",
                            "HTTPCode_ELB_504_Count",
                        ]
                        .iter()
                        .map(|m| mean_series(rs, lb, m, 1.0, Place::Mid, period, end))
                        .collect(),
                    )
                }
            }),
            ..Default::default()
        });
    }
    for g in &groups {
        out.push(Overlay {
            name: format!("cpu{}", suffix(groups.len() > 1, g)),
            title: format!("CPU utilization of group {g} (average over in-service instances)"),
            y_desc: "CPU utilization (%)".into(),
            y_range: Some((0.0, 100.0)),
            lines: lines(&|rs| mean_series(rs, g, "CPUUtilization", 1.0, Place::Mid, period, end)),
            ..Default::default()
        });
    }
    for q in sc.queues.iter().map(|q| q.name.as_str()) {
        out.push(Overlay {
            name: format!("queue-{}", charts::slug(q)),
            title: format!("Messages visible in queue {q}"),
            y_desc: "messages".into(),
            counts: true,
            lines: lines(&|rs| {
                mean_series(
                    rs,
                    q,
                    "ApproximateNumberOfMessagesVisible",
                    1.0,
                    Place::Mid,
                    period,
                    end,
                )
            }),
            ..Default::default()
        });
    }
    for t in sc.tables.iter().map(|t| t.name.as_str()) {
        if !has_metric(runs, t, "ReadThrottleEvents") && !has_metric(runs, t, "WriteThrottleEvents")
        {
            continue;
        }
        out.push(Overlay {
            name: format!("throttles-{}", charts::slug(t)),
            title: format!("Throttle events of table {t} (reads + writes)"),
            y_desc: format!("throttle events per {period_text} period"),
            counts: true,
            zero_note: Some("no throttling in these runs".into()),
            lines: lines(&|rs| {
                sum_series(
                    ["ReadThrottleEvents", "WriteThrottleEvents"]
                        .iter()
                        .map(|m| mean_series(rs, t, m, 1.0, Place::Mid, period, end))
                        .collect(),
                )
            }),
            ..Default::default()
        });
    }
    // Cost: every resource's CostUSD, summed.
    let resources: Vec<String> = runs
        .iter()
        .flatten()
        .flat_map(|r| r.series.resources.iter().cloned())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    if resources.iter().any(|res| has_metric(runs, res, "CostUSD")) {
        out.push(Overlay {
            name: "cost".into(),
            title: "Cost so far (all resources)".into(),
            y_desc: "cumulative cost (USD)".into(),
            lines: lines(&|rs| {
                let mut pts = sum_series(
                    resources
                        .iter()
                        .map(|res| mean_series(rs, res, "CostUSD", 1.0, Place::End, period, end))
                        .collect(),
                );
                if !pts.is_empty() {
                    pts.insert(0, (0.0, 0.0));
                }
                pts
            }),
            ..Default::default()
        });
    }
    out.retain(Overlay::has_data);
    out
}

// ---------------------------------------------------------------------------
// report.html
// ---------------------------------------------------------------------------

/// One scale-in termination of a run: when, which instance, when it was
/// launched, and the step of the termination policy that chose it.
struct Termination {
    t_s: f64,
    instance: String,
    launched_s: Option<f64>,
    why: String,
}

/// The terminations of a run (first seed), from its activity history.
fn terminations(r: &RunResult) -> Vec<Termination> {
    let id = |d: &str| d.rsplit(' ').next().unwrap_or_default().to_string();
    let launched: BTreeMap<String, f64> = r
        .activities
        .iter()
        .filter(|a| a.kind() == "launch")
        .map(|a| (id(&a.description), a.t as f64 / 1e9))
        .collect();
    r.activities
        .iter()
        .filter(|a| a.kind() == "terminate")
        .map(|a| {
            let instance = id(&a.description);
            Termination {
                t_s: a.t as f64 / 1e9,
                launched_s: launched.get(&instance).copied(),
                instance,
                why: a.details.clone(),
            }
        })
        .collect()
}

/// The activity history of each variant's first run, merged in time order
/// (the run report's timeline, with the variant on each row and a variant
/// filter), for the dashboard's side.
fn activity_aside(sc: &Scenario, runs: &[(String, &RunResult)], colors: &[String]) -> String {
    const MAX_ROWS: usize = 20_000;
    let start = sc
        .start_time
        .as_deref()
        .and_then(crate::sim::clock::parse_utc)
        .or_else(|| crate::sim::clock::parse_utc(crate::sim::clock::DEFAULT_START))
        .unwrap_or(0);
    let mut o = String::from("<aside class=\"acts\" id=\"timeline\"><h2>Activity timeline</h2>\n");
    let mut rows: Vec<(u64, usize, &crate::report::activity::Activity)> = runs
        .iter()
        .enumerate()
        .flat_map(|(i, (_, r))| r.activities.iter().map(move |a| (a.t, i, a)))
        .collect();
    if rows.is_empty() {
        o.push_str("<p class=\"note\">No activities.</p></aside>\n");
        return o;
    }
    rows.sort_by_key(|x| (x.0, x.1));
    let mut kinds: Vec<&str> = rows.iter().map(|x| x.2.kind()).collect();
    kinds.sort_unstable();
    kinds.dedup();
    o.push_str("<div class=\"filters\"><input id=\"act-filter\" type=\"search\" placeholder=\"filter: instance, alarm, cause…\" aria-label=\"filter activities\"><select id=\"act-variant\" aria-label=\"variant\"><option value=\"\">every variant</option>");
    for (n, _) in runs {
        let _ = write!(o, "<option>{}</option>", escape(n));
    }
    o.push_str("</select><select id=\"act-kind\" aria-label=\"kind\"><option value=\"\">every kind</option>");
    for k in &kinds {
        let _ = write!(o, "<option>{}</option>", escape(k));
    }
    o.push_str("</select></div>\n<div class=\"rows\"><table id=\"acts\"><tbody>\n");
    for (t, i, a) in rows.iter().take(MAX_ROWS) {
        let wall = crate::sim::clock::format_utc(start + (t / 1_000_000_000) as i64);
        let _ = write!(
            o,
            "<tr class=\"act\" data-kind=\"{}\" data-variant=\"{}\" data-t=\"{}\"><td class=\"t\" title=\"simulated clock {}\">{}</td><td class=\"k\"><code>{}</code><br><b style=\"color:{}\">{}</b> {}</td><td>{}",
            escape(a.kind()),
            escape(&runs[*i].0),
            *t as f64 / 1e9,
            escape(&wall),
            crate::report::html::offset(*t),
            escape(a.kind()),
            escape(&colors[*i]),
            escape(&runs[*i].0),
            escape(&a.resource),
            escape(&a.description),
        );
        crate::report::html::activity_row_end(&mut o, a);
    }
    o.push_str("</tbody></table></div>\n<p class=\"count\" id=\"act-count\"></p>\n");
    if rows.len() > MAX_ROWS {
        let _ = writeln!(
            o,
            "<p class=\"note\">{} more activities are in the runs' activities.csv.</p>",
            group((rows.len() - MAX_ROWS) as u64)
        );
    }
    o.push_str("</aside>\n");
    o
}

#[allow(clippy::too_many_arguments)]
fn report_html(
    sc: &Scenario,
    names: &[String],
    table: &Table,
    svgs: &[(String, String, String)],
    panels: &[crate::report::dashboard::Panel],
    first_runs: &[(String, &RunResult)],
    terminations: &[(String, Vec<Termination>)],
    seed0: u64,
    reps: u32,
    charts: bool,
) -> String {
    let mut o = String::new();
    let title = format!("{} — comparison", sc.name);
    o.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    o.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    let _ = writeln!(o, "<title>stratus · {}</title>", escape(&title));
    let _ = writeln!(
        o,
        "<style>{CSS}\ndiv.wide {{ overflow-x: auto; }}\ntd span.d {{ display: block; color: #6b6b6b; font-size: 0.9em; }}\n</style>"
    );
    if charts {
        o.push_str(&crate::report::dashboard::head());
    }
    o.push_str("</head>\n<body class=\"dash\">\n<main>");
    let _ = writeln!(o, "<h1>{}</h1>", escape(&title));
    if let Some(d) = &sc.description {
        let _ = writeln!(o, "<p class=\"desc\">{}</p>", escape(d));
    }
    let _ = writeln!(
        o,
        "<p class=\"meta\">{} variants · seed {seed0}{} · {} simulated · common random numbers</p>",
        names.len(),
        if reps > 1 {
            format!(
                "–{} ({reps} replications; mean ± 95 % confidence half-width)",
                seed0.wrapping_add(reps as u64 - 1)
            )
        } else {
            String::new()
        },
        escape(&sc.duration.to_string())
    );
    if let Some(l) = sc.report.lesson.as_deref() {
        let _ = writeln!(
            o,
            "<div class=\"lesson-box\"><b>Lesson.</b> {}</div>",
            escape(l)
        );
    }
    let has_terminations = terminations.iter().any(|(_, t)| !t.is_empty());
    o.push_str("<nav><a href=\"#comparison\">Comparison</a>");
    if charts {
        o.push_str(
            "<a href=\"#dashboard\">Dashboard</a><a href=\"#timeline\">Activity timeline</a>",
        );
    }
    if has_terminations {
        o.push_str("<a href=\"#terminations\">Terminations</a>");
    }
    if charts {
        o.push_str("<a href=\"#static\">Static charts</a>");
    }
    o.push_str("</nav>\n");
    o.push_str("<h2 id=\"comparison\">Comparison</h2>\n");
    o.push_str(
        "<p class=\"note\">Changes against the base under each value.</p>\n<div class=\"wide\"><table id=\"comparison-table\"><thead><tr>",
    );
    for (i, h) in table.header.iter().enumerate() {
        let _ = write!(
            o,
            "<th{}>{}</th>",
            if i > 0 { " class=\"n\"" } else { "" },
            escape(h)
        );
    }
    o.push_str("</tr></thead><tbody>\n");
    for r in &table.rows {
        o.push_str("<tr>");
        for (i, c) in r.iter().enumerate() {
            // "value (+1.2%)": the change on a line of its own.
            let (value, delta) = match c.rsplit_once(" (") {
                Some((v, d)) if i > 0 && d.ends_with(')') => (v, Some(&d[..d.len() - 1])),
                _ => (c.as_str(), None),
            };
            let _ = write!(
                o,
                "<td{}>{}{}</td>",
                if i > 0 { " class=\"n\"" } else { "" },
                escape(value),
                delta
                    .map(|d| format!("<span class=\"d\">{}</span>", escape(d)))
                    .unwrap_or_default()
            );
        }
        o.push_str("</tr>\n");
    }
    o.push_str("</tbody></table></div>\n");
    o.push_str("<p>Run folders: ");
    let links: Vec<String> = names
        .iter()
        .map(|n| {
            format!(
                "<a href=\"runs/{0}/report.html\">{1}</a>",
                escape(&folder_name(n)),
                escape(n)
            )
        })
        .collect();
    o.push_str(&links.join(" · "));
    o.push_str("</p>\n");
    if charts {
        let colors: Vec<String> = panels
            .iter()
            .find(|p| p.series.len() == names.len())
            .map(|p| p.series.iter().map(|s| s.color.clone()).collect())
            .unwrap_or_else(|| vec!["#333333".to_string(); names.len()]);
        o.push_str("<h2 id=\"dashboard\">Dashboard</h2>\n<p class=\"note\">One series per variant");
        if reps > 1 {
            let _ = write!(o, " (the mean of its {reps} replications)");
        }
        o.push_str(", every chart on one simulated time axis: hover to read every variant's value at a moment, drag to zoom (double-click resets), click a legend entry to hide or show a variant, click an activity to see its cause and move the cursor to it (the timeline holds each variant's first run). CloudWatch's metric names and units (TargetResponseTime is drawn in ms; CloudWatch: seconds).</p>\n");
        o.push_str(&crate::report::dashboard::board(
            panels,
            sc.duration.as_secs_f64(),
            &activity_aside(sc, first_runs, &colors),
        ));
    }
    // Which instance each variant's scale-ins removed, and why.
    if has_terminations {
        o.push_str("<h2 id=\"terminations\">Termination choice per variant</h2>\n<p class=\"note\">The instances each run terminated (first seed; the first 12 per variant), when each was launched, and the termination policy step that chose it (activities.csv <code>details</code>).</p>\n<div class=\"wide\"><table id=\"termination-table\"><thead><tr><th>variant</th><th class=\"n\">at</th><th>instance</th><th class=\"n\">launched at</th><th>why</th></tr></thead><tbody>\n");
        let mmss = |s: f64| {
            let s = s.round() as u64;
            format!("+{:02}:{:02}", s / 60, s % 60)
        };
        for (name, ts) in terminations {
            for x in ts.iter().take(12) {
                let _ = writeln!(
                    o,
                    "<tr><td>{}</td><td class=\"n\">{}</td><td><code>{}</code></td><td class=\"n\">{}</td><td>{}</td></tr>",
                    escape(name),
                    mmss(x.t_s),
                    escape(&x.instance),
                    x.launched_s.map(mmss).unwrap_or_else(|| "–".into()),
                    escape(x.why.trim_start_matches("termination policy step: ")),
                );
            }
        }
        o.push_str("</tbody></table></div>\n");
    }
    if svgs.is_empty() {
        let _ = writeln!(
            o,
            "<h2 id=\"charts\">Overlays</h2>\n<p class=\"note\">{}</p>",
            if charts {
                "No charts: the runs produced no metrics."
            } else {
                "Charts were not drawn (--no-charts)."
            }
        );
    } else {
        o.push_str("<details class=\"static\" id=\"static\"><summary>Static charts (the SVGs of charts/, also written as PNG)</summary>\n");
        for (_, name, svg) in svgs {
            let _ = writeln!(o, "<figure id=\"chart-{}\">", escape(name));
            let body = match svg.find("<svg") {
                Some(i) => &svg[i..],
                None => svg.as_str(),
            };
            o.push_str(body.trim_end());
            o.push_str("\n</figure>\n");
        }
        o.push_str("</details>\n");
    }
    o.push_str("<p class=\"note\">Generated by stratus compare. All times are simulated.</p>\n");
    o.push_str("</main>\n</body>\n</html>\n");
    o
}

/// The default folder of a comparison.
pub fn default_dir(scenario_name: &str) -> PathBuf {
    Path::new("output").join(format!("{scenario_name}-compare"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn plan_picks_and_adds() {
        let file = s(&["step", "simple"]);
        let all = plan(&file, None, &[]).unwrap();
        let names: Vec<&str> = all.iter().map(|x| x.name.as_str()).collect();
        assert_eq!(names, ["base", "step", "simple"]);
        let picked = plan(
            &file,
            Some(&s(&["simple"])),
            &[
                ("big".into(), s(&["auto_scaling_groups[web].max=40"])),
                ("simple".into(), s(&["duration=5m"])),
                ("step".into(), vec![]),
            ],
        )
        .unwrap();
        assert_eq!(
            picked,
            vec![
                VariantSpec {
                    name: "base".into(),
                    file_variant: None,
                    sets: vec![]
                },
                VariantSpec {
                    name: "simple".into(),
                    file_variant: Some("simple".into()),
                    sets: s(&["duration=5m"])
                },
                VariantSpec {
                    name: "big".into(),
                    file_variant: None,
                    sets: s(&["auto_scaling_groups[web].max=40"])
                },
                VariantSpec {
                    name: "step".into(),
                    file_variant: Some("step".into()),
                    sets: vec![]
                },
            ]
        );
        // Only the base and the command line's.
        assert_eq!(plan(&file, Some(&s(&[""])), &[]).unwrap().len(), 1);
        assert!(matches!(
            plan(&file, Some(&s(&["nope"])), &[]),
            Err(Failure::BadInput(m)) if m.contains("step, simple")
        ));
        assert!(plan(&file, None, &[("base".into(), vec![])]).is_err());
        assert!(plan(&[], None, &[("a b".into(), vec![]), ("a_b".into(), vec![])]).is_err());
    }

    #[test]
    fn deltas() {
        assert_eq!(fmt_delta(112.3, 100.0, Unit::Ms), "+12.3%");
        assert_eq!(fmt_delta(96.0, 100.0, Unit::Ms), "-4.0%");
        assert_eq!(fmt_delta(5.0, 5.0, Unit::Count), "+0.0%");
        assert_eq!(fmt_delta(0.0, 0.0, Unit::Count), "+0.0%");
        assert_eq!(fmt_delta(5.0, 0.0, Unit::Count), "+5");
        assert_eq!(fmt_delta(100.0000001, 100.0, Unit::Ms), "+0.0%");
        assert_eq!(fmt_value(1234.0, Unit::Count), "1,234");
        assert_eq!(fmt_value(1703494.6, Unit::Count), "1,703,495");
        assert_eq!(fmt_value(7.4, Unit::Count), "7.4");
        assert_eq!(fmt_value(0.345, Unit::Usd), "$0.345");
        assert_eq!(fmt_value(12.0, Unit::Usd), "$12.00");
    }

    #[test]
    fn figures_cover_every_key() {
        let f = figures(&Summary::default());
        assert_eq!(f.len(), FIGURES.len());
        let mut keys: Vec<&str> = FIGURES.iter().map(|f| f.key).collect();
        keys.sort();
        keys.dedup();
        assert_eq!(keys.len(), FIGURES.len(), "unique keys");
    }
}
