//! `stratus sweep`: a grid of runs, the cartesian product of `--param
//! PATH=V1,V2,…` values (each point is the scenario with `--set PATH=V` for
//! each parameter), times `--replications` seeds, run in parallel; and
//! `stratus merge`, which puts shards of a sweep run on several machines
//! back together.
//!
//! The grid is ordered like nested loops: the first `--param` varies
//! slowest, the replication fastest. Grid index `i` (0-based) of a grid with
//! parameter value counts n₁…n_k and R replications is
//! `((v₁·n₂ + v₂)·n₃ + … + v_k)·R + r`. Replication `r` runs with seed
//! `seed + r` (the scenario's seed, or `--seed`).
//!
//! `--shard K/N` runs the grid indices `i` with `i % N == K` (K counts from
//! 0); `--shard auto` takes K from the first of `AWS_BATCH_JOB_ARRAY_INDEX`
//! (AWS Batch array jobs), `JOB_COMPLETION_INDEX` (Kubernetes Indexed Jobs)
//! and `SLURM_ARRAY_TASK_ID` (Slurm job arrays, numbered from 0:
//! `--array=0-7`) that is set, and N from `--shards N`, else
//! `STRATUS_SHARDS`. The index is used as it is (no offset), so rerunning
//! a few failed tasks (`--array=3,5`) runs exactly those shards.
//!
//! Folder (`output/<scenario>-sweep/`, a shard's default
//! `output/<scenario>-sweep-shard-K-of-N/`, or `--out DIR`):
//! - `sweep.csv`: one row per run in grid order: the parameters (one column
//!   per `--param`, titled by its path), `replication`, `seed`,
//!   `grid_index`, then the run's `summary.json` figures flattened to dotted
//!   keys (`requests.ok`, `requests.latency_ms.p99`,
//!   `auto_scaling_groups.web.cost_usd`, …; `scenario`, `variant`, `seed`
//!   and `wall_s` left out), numbers printed as in `metrics.csv`;
//! - `sweep.json`: the manifest (scenario, parameters, replications, seed,
//!   grid size, shard, chart metric) that `stratus merge` checks;
//! - `charts/sweep.png`, `charts/sweep.svg`: the `--metric` figure (mean
//!   over replications) against the parameter — a line; a heatmap for two
//!   parameters; for more, a line per combination of the others.
//!
//! Runs are independent and deterministic, so the rows do not depend on the
//! thread count or on how the grid is sharded: merged shards equal the
//! unsharded sweep byte for byte.

use super::table::Table;
use super::{Failure, flatten_summary, out_failure};
use crate::report::output;
use crate::report::summary::{AsgSummary, LbSummary, Summary};
use crate::scenario::{self, LoadOptions, Scenario};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// The chart's figure when `--metric` is not given.
pub const DEFAULT_METRIC: &str = "requests.latency_ms.p99";

/// One swept parameter.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Param {
    /// A `--set` path.
    pub path: String,
    /// Its values, as given.
    pub values: Vec<String>,
}

/// Which share of the grid a process runs.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Shard {
    /// K: this shard runs the grid indices i with i % count == index.
    pub index: u64,
    /// N.
    pub count: u64,
}

/// `sweep.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// Always `sweep`.
    pub stratus: String,
    /// Format version (1).
    pub version: u32,
    /// Scenario name.
    pub scenario: String,
    /// The scenario file as given on the command line (not compared by
    /// `merge`).
    pub file: String,
    /// `--variant`, if any.
    pub variant: Option<String>,
    /// `--set`s applied to every run, before the parameters.
    pub sets: Vec<String>,
    /// Seed of replication 0.
    pub seed: u64,
    /// The parameters, first varying slowest.
    pub params: Vec<Param>,
    /// Runs per grid point.
    pub replications: u32,
    /// Runs in the whole grid (points × replications).
    pub grid_size: u64,
    /// This folder's share, or null for the whole grid.
    pub shard: Option<Shard>,
    /// The charted figure.
    pub metric: String,
}

impl Manifest {
    /// The parameter value indices and the replication of grid index `i`.
    pub fn point(&self, i: u64) -> (Vec<usize>, u32) {
        let reps = self.replications.max(1) as u64;
        let r = (i % reps) as u32;
        let mut rest = i / reps;
        let mut idx = vec![0; self.params.len()];
        for (k, p) in self.params.iter().enumerate().rev() {
            let n = p.values.len().max(1) as u64;
            idx[k] = (rest % n) as usize;
            rest /= n;
        }
        (idx, r)
    }

    /// The `--set`s of grid index `i` (after [`Manifest::sets`]).
    pub fn point_sets(&self, i: u64) -> Vec<String> {
        let (idx, _) = self.point(i);
        self.params
            .iter()
            .zip(idx)
            .map(|(p, v)| format!("{}={}", p.path, p.values[v]))
            .collect()
    }

    /// Everything `merge` requires shards to agree on (all but the file
    /// path, the shard index and the metric).
    fn key(&self) -> impl PartialEq + std::fmt::Debug + '_ {
        (
            &self.scenario,
            &self.variant,
            &self.sets,
            self.seed,
            &self.params,
            self.replications,
            self.grid_size,
            self.shard.map(|s| s.count),
        )
    }
}

/// Split `PATH=V1,V2,…` at the commas outside brackets, braces and quotes
/// (so `--param 'x=[1,2],[3]'` has two values).
pub fn parse_param(s: &str) -> Result<Param, Failure> {
    let bad = |why: &str| Failure::BadInput(format!("--param {s}: {why}"));
    let (path, list) = s
        .split_once('=')
        .ok_or_else(|| bad("expected PATH=V1,V2,… (e.g. auto_scaling_groups[web].max=4,8,16)"))?;
    let path = path.trim();
    if path.is_empty() {
        return Err(bad("the path is empty"));
    }
    let mut values = Vec::new();
    let mut cur = String::new();
    let (mut depth, mut quote) = (0i32, None::<char>);
    for c in list.chars() {
        match (quote, c) {
            (Some(q), _) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '[' | '{') => depth += 1,
            (None, ']' | '}') => depth -= 1,
            (None, ',') if depth == 0 => {
                values.push(std::mem::take(&mut cur));
                continue;
            }
            _ => {}
        }
        cur.push(c);
    }
    values.push(cur);
    let values: Vec<String> = values.into_iter().map(|v| v.trim().to_string()).collect();
    if values.iter().any(String::is_empty) {
        return Err(bad("a value is empty"));
    }
    let mut seen = BTreeSet::new();
    for v in &values {
        if !seen.insert(v) {
            return Err(bad(&format!("the value {v} is listed twice")));
        }
    }
    Ok(Param {
        path: path.to_string(),
        values,
    })
}

/// The environment variables `--shard auto` reads, in order.
pub const INDEX_VARS: [&str; 3] = [
    "AWS_BATCH_JOB_ARRAY_INDEX",
    "JOB_COMPLETION_INDEX",
    "SLURM_ARRAY_TASK_ID",
];

/// `--shard K/N` or `--shard auto` (with `--shards N`), reading the
/// environment through `env`.
pub fn parse_shard(
    spec: &str,
    shards: Option<u64>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Shard, Failure> {
    let bad = |m: String| Failure::BadInput(format!("--shard {spec}: {m}"));
    let num = |what: &str, v: &str| -> Result<u64, Failure> {
        v.trim()
            .parse::<u64>()
            .map_err(|_| bad(format!("{what} is not a whole number: \"{v}\"")))
    };
    let (index, count) = if spec.trim() == "auto" {
        let (var, raw) = INDEX_VARS
            .iter()
            .find_map(|v| env(v).filter(|x| !x.trim().is_empty()).map(|x| (*v, x)))
            .ok_or_else(|| {
                bad(format!(
                    "none of {} is set (run inside an array job, or give --shard K/N)",
                    INDEX_VARS.join(", ")
                ))
            })?;
        // A big array is submitted as several arrays of at most the
        // scheduler's limit (Slurm's MaxArraySize, AWS Batch's 10,000), each
        // with STRATUS_SHARD_OFFSET set to its first shard.
        let offset = match env("STRATUS_SHARD_OFFSET").filter(|x| !x.trim().is_empty()) {
            Some(v) => num("STRATUS_SHARD_OFFSET", &v)?,
            None => 0,
        };
        let index = num(var, &raw)?
            .checked_add(offset)
            .ok_or_else(|| bad("STRATUS_SHARD_OFFSET is too large".into()))?;
        let count = match shards {
            Some(n) => n,
            None => match env("STRATUS_SHARDS") {
                Some(v) => num("STRATUS_SHARDS", &v)?,
                None => {
                    return Err(bad(format!(
                        "{var} is {index}, but the number of shards is unknown: give --shards N or set STRATUS_SHARDS"
                    )));
                }
            },
        };
        (index, count)
    } else {
        let (k, n) = spec
            .split_once('/')
            .ok_or_else(|| bad("expected K/N (K from 0 to N-1) or auto".into()))?;
        if shards.is_some() {
            return Err(bad(
                "--shards goes with --shard auto; K/N names the count".into()
            ));
        }
        (num("K", k)?, num("N", n)?)
    };
    if count == 0 {
        return Err(bad("the number of shards must be at least 1".into()));
    }
    if index >= count {
        return Err(bad(format!(
            "shard index {index} is out of range: with {count} shards it runs from 0 to {} (array indices must start at 0)",
            count - 1
        )));
    }
    Ok(Shard { index, count })
}

/// What `stratus sweep` was asked.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// The scenario file.
    pub file: PathBuf,
    /// `--param PATH=V1,V2,…`, as given.
    pub params: Vec<String>,
    /// `--set`s for every run.
    pub sets: Vec<String>,
    /// `--seed`.
    pub seed: Option<u64>,
    /// `--variant`.
    pub variant: Option<String>,
    /// Runs per grid point.
    pub replications: u32,
    /// Threads (default: all cores).
    pub jobs: Option<usize>,
    /// Output folder.
    pub out: Option<PathBuf>,
    /// `--shard`.
    pub shard: Option<String>,
    /// `--shards`.
    pub shards: Option<u64>,
    /// Charted figure (default [`DEFAULT_METRIC`]).
    pub metric: Option<String>,
    /// Draw the chart.
    pub charts: bool,
    /// Show progress bars (on a terminal).
    pub progress: bool,
    /// Run even when the grid is estimated above 1e11 events in all.
    pub allow_huge: bool,
}

/// The result: where it went and what to print.
pub struct Outcome {
    /// The folder written.
    pub dir: PathBuf,
    /// What to print.
    pub text: String,
    /// The files written (relative path, bytes).
    pub files: Vec<(String, Vec<u8>)>,
}

/// Run `f` on a pool of `jobs` threads (None: rayon's global pool, one
/// thread per core).
pub fn in_pool<T: Send>(jobs: Option<usize>, f: impl FnOnce() -> T + Send) -> Result<T, Failure> {
    match jobs {
        None => Ok(f()),
        Some(0) => Err(Failure::BadInput("--jobs: must be at least 1".into())),
        Some(n) => {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(n)
                .build()
                .map_err(|e| Failure::Internal(e.to_string()))?;
            Ok(pool.install(f))
        }
    }
}

/// A bar counting finished runs on stderr, only when stderr is a terminal.
pub fn progress_bar(total: u64, what: &str) -> Option<indicatif::ProgressBar> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let b = indicatif::ProgressBar::new(total);
    b.set_style(
        indicatif::ProgressStyle::with_template(&format!(
            "{{spinner}} {what} [{{bar:40}}] {{pos}}/{{len}} {{elapsed}} (eta {{eta}})"
        ))
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    Some(b)
}

/// The figure keys a scenario's runs will have, as far as the scenario
/// tells (queues and tables are open-ended: any key under an existing one).
pub(crate) fn metric_known(sc: &Scenario, metric: &str) -> bool {
    let mut s = Summary::default();
    for g in &sc.auto_scaling_groups {
        s.auto_scaling_groups
            .insert(g.name.clone(), AsgSummary::default());
    }
    for l in &sc.load_balancers {
        s.load_balancers
            .insert(l.name.clone(), LbSummary::default());
    }
    if flatten_summary(&s).iter().any(|(k, _)| k == metric) {
        return true;
    }
    sc.queues
        .iter()
        .any(|q| metric.starts_with(&format!("queues.{}.", q.name)))
        || sc
            .tables
            .iter()
            .any(|t| metric.starts_with(&format!("tables.{}.", t.name)))
}

fn metric_examples(sc: &Scenario) -> String {
    let mut v = vec![
        "requests.ok".to_string(),
        "requests.latency_ms.p99".to_string(),
    ];
    if let Some(g) = sc.auto_scaling_groups.first() {
        v.push(format!("auto_scaling_groups.{}.cost_usd", g.name));
    }
    v.join(", ")
}

/// One finished row: grid index, the fixed cells, the figures.
struct Row {
    grid_index: u64,
    fixed: Vec<String>,
    figures: Vec<(String, String)>,
}

/// The `sweep.csv` table: fixed columns, then the figure columns in order of
/// first appearance (rows in grid order; a row's own keys in its order).
fn build_table(m: &Manifest, rows: &[Row]) -> Table {
    let mut header: Vec<String> = m.params.iter().map(|p| p.path.clone()).collect();
    header.extend(["replication", "seed", "grid_index"].map(String::from));
    let fixed = header.len();
    let mut col: BTreeMap<String, usize> = BTreeMap::new();
    for r in rows {
        for (k, _) in &r.figures {
            if !col.contains_key(k) {
                col.insert(k.clone(), header.len());
                header.push(k.clone());
            }
        }
    }
    let mut t = Table::new(header);
    for r in rows {
        let mut cells = vec![String::new(); t.header.len()];
        for (i, c) in r.fixed.iter().enumerate().take(fixed) {
            cells[i] = c.clone();
        }
        cells[fixed - 1] = r.grid_index.to_string();
        for (k, v) in &r.figures {
            cells[col[k]] = v.clone();
        }
        t.rows.push(cells);
    }
    t
}

/// Files of a folder: (relative path, bytes).
type Files = Vec<(String, Vec<u8>)>;

/// The folder's files: `sweep.csv`, `sweep.json`, the chart.
fn folder_files(
    m: &Manifest,
    table: &Table,
    charts: bool,
) -> Result<(Files, Option<String>), Failure> {
    let mut files = vec![
        ("sweep.csv".to_string(), table.csv().into_bytes()),
        (
            "sweep.json".to_string(),
            format!(
                "{}\n",
                serde_json::to_string_pretty(m).map_err(|e| Failure::Internal(e.to_string()))?
            )
            .into_bytes(),
        ),
    ];
    let mut note = None;
    if charts {
        match super::sweep_chart::render(m, table).map_err(Failure::Internal)? {
            Ok((png, svg)) => {
                files.push(("charts/sweep.png".into(), png));
                files.push(("charts/sweep.svg".into(), svg.into_bytes()));
            }
            Err(why) => note = Some(why),
        }
    }
    Ok((files, note))
}

/// Run a sweep (or one shard of it) and write its folder.
pub fn sweep(o: &Options) -> Result<Outcome, Failure> {
    let wall = Instant::now();
    if o.replications == 0 {
        return Err(Failure::BadInput(
            "--replications: must be at least 1".into(),
        ));
    }
    if o.params.is_empty() {
        return Err(Failure::BadInput(
            "stratus sweep needs at least one --param PATH=V1,V2,…".into(),
        ));
    }
    let params = o
        .params
        .iter()
        .map(|p| parse_param(p))
        .collect::<Result<Vec<_>, _>>()?;
    for (i, p) in params.iter().enumerate() {
        if params[..i].iter().any(|q| q.path == p.path) {
            return Err(Failure::BadInput(format!(
                "--param {}: this path is swept twice",
                p.path
            )));
        }
    }
    let shard = match &o.shard {
        Some(s) => Some(parse_shard(s, o.shards, &|v| std::env::var(v).ok())?),
        None if o.shards.is_some() => {
            return Err(Failure::BadInput(
                "--shards N goes with --shard auto".into(),
            ));
        }
        None => None,
    };
    let base = scenario::load_file(
        &o.file,
        &LoadOptions {
            sets: o.sets.clone(),
            variant: o.variant.clone(),
            seed: o.seed,
        },
    )
    .map_err(|d| Failure::BadInput(d.to_string()))?;
    let metric = o.metric.clone().unwrap_or_else(|| DEFAULT_METRIC.into());
    if o.charts && !metric_known(&base, &metric) {
        return Err(Failure::BadInput(format!(
            "--metric {metric}: not a figure of this scenario's summary.json (flattened keys such as {})",
            metric_examples(&base)
        )));
    }
    let grid_size = params
        .iter()
        .try_fold(o.replications as u64, |acc, p| {
            acc.checked_mul(p.values.len() as u64)
        })
        .filter(|n| *n <= 100_000_000)
        .ok_or_else(|| Failure::BadInput("the grid is too large (over 10⁸ runs)".into()))?;
    let m = Manifest {
        stratus: "sweep".into(),
        version: 1,
        scenario: base.name.clone(),
        file: super::shown(&o.file),
        variant: o.variant.clone(),
        sets: o.sets.clone(),
        seed: base.seed,
        params,
        replications: o.replications,
        grid_size,
        shard,
        metric,
    };
    let dir = o.out.clone().unwrap_or_else(|| {
        let mut name = format!("{}-sweep", base.name);
        if let Some(s) = shard {
            name.push_str(&format!("-shard-{}-of-{}", s.index, s.count));
        }
        PathBuf::from("output").join(name)
    });
    output::check_replaceable(&dir).map_err(out_failure)?;
    let indices: Vec<u64> = match shard {
        Some(s) => (s.index..grid_size).step_by(s.count as usize).collect(),
        None => (0..grid_size).collect(),
    };

    // Load every point first (bad values stop everything before any run).
    let load = |i: u64| {
        let (_, r) = m.point(i);
        let mut sets = m.sets.clone();
        let extra = m.point_sets(i);
        sets.extend(extra.iter().cloned());
        scenario::load_file(
            &o.file,
            &LoadOptions {
                sets,
                variant: m.variant.clone(),
                seed: Some(m.seed.wrapping_add(r as u64)),
            },
        )
        .map_err(|d| format!("at {}:\n{d}", extra.join(" ")))
    };
    let jobs = o.jobs;
    let loaded: Vec<Result<Scenario, String>> =
        in_pool(jobs, || indices.par_iter().map(|&i| load(i)).collect())?;
    let mut errors: Vec<String> = Vec::new();
    let mut scenarios = Vec::with_capacity(loaded.len());
    for l in loaded {
        match l {
            Ok(sc) => scenarios.push(sc),
            Err(e) => {
                if !errors.contains(&e) {
                    errors.push(e);
                }
            }
        }
    }
    if !errors.is_empty() {
        let more = errors.len().saturating_sub(5);
        let mut msg = errors.into_iter().take(5).collect::<Vec<_>>().join("\n");
        if more > 0 {
            msg.push_str(&format!("\n… and {more} more grid points with errors"));
        }
        return Err(Failure::BadInput(msg));
    }
    let events: f64 = scenarios
        .iter()
        .map(|sc| crate::scenario::estimate::estimate(sc).events)
        .sum();
    super::size_guard("sweep", scenarios.len() as u64, events, o.allow_huge)?;

    // Run, in parallel; rows come back in grid order whatever the schedule.
    let progress = if o.progress && std::io::stderr().is_terminal() {
        let mp = indicatif::MultiProgress::new();
        let total = progress_bar(indices.len() as u64, "runs").map(|b| mp.add(b));
        Some((mp, total))
    } else {
        None
    };
    let run_one = |k: usize| -> Row {
        let (i, sc) = (indices[k], &scenarios[k]);
        let (idx, r) = m.point(i);
        let bar = progress.as_ref().map(|(mp, _)| {
            let b = mp.add(indicatif::ProgressBar::new(1000));
            b.set_style(
                indicatif::ProgressStyle::with_template(
                    "  {prefix:>6} [{bar:30}] {percent:>3}% {msg}",
                )
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            b.set_prefix(format!("#{i}"));
            b.set_message(m.point_sets(i).join(" "));
            b
        });
        let mut tick = |f: f64| {
            if let Some(b) = &bar {
                b.set_position((f * 1000.0) as u64);
            }
        };
        let res = crate::run::simulate(sc, m.variant.as_deref(), &mut tick);
        if let Some(b) = bar {
            b.finish_and_clear();
        }
        if let Some((_, Some(t))) = &progress {
            t.inc(1);
        }
        let mut fixed: Vec<String> = m
            .params
            .iter()
            .zip(&idx)
            .map(|(p, &v)| p.values[v].clone())
            .collect();
        fixed.push(r.to_string());
        fixed.push(sc.seed.to_string());
        fixed.push(i.to_string());
        Row {
            grid_index: i,
            fixed,
            figures: flatten_summary(&res.summary),
        }
    };
    let rows = in_pool(jobs, || {
        let work: Vec<f64> = scenarios.par_iter().map(expected_work).collect();
        run_longest_first(&work, run_one)
    })?;
    if let Some((mp, total)) = progress {
        if let Some(t) = total {
            t.finish_and_clear();
        }
        let _ = mp.clear();
    }
    let table = build_table(&m, &rows);
    let (files, note) = folder_files(&m, &table, o.charts)?;
    output::write_folder(&dir, &files).map_err(out_failure)?;

    let threads = jobs.unwrap_or_else(rayon::current_num_threads);
    let mut text = format!(
        "stratus sweep · {} · {} run{}{} · {} thread{} · {:.2} s\n\n",
        m.scenario,
        indices.len(),
        if indices.len() == 1 { "" } else { "s" },
        match shard {
            Some(s) => format!(
                " (shard {}/{} of a {}-run grid)",
                s.index, s.count, grid_size
            ),
            None => String::new(),
        },
        threads,
        if threads == 1 { "" } else { "s" },
        wall.elapsed().as_secs_f64()
    );
    text.push_str(&preview(&m, &table));
    if let Some(n) = note {
        text.push_str(&format!("\nno chart: {n}\n"));
    }
    text.push_str(&format!(
        "\nwrote {}/ (sweep.csv, sweep.json{})\n",
        dir.display(),
        if files.iter().any(|f| f.0 == "charts/sweep.png") {
            ", charts/sweep.png, charts/sweep.svg"
        } else {
            ""
        }
    ));
    Ok(Outcome { dir, text, files })
}

/// A rough cost of a run, to schedule the longest first: the expected
/// arrivals (each workload's rate integrated over the run) plus one per
/// metrics period.
pub fn expected_work(sc: &Scenario) -> f64 {
    const STEPS: u64 = 1000;
    let end = sc.duration.0;
    let dt = end as f64 / STEPS as f64;
    let mut total = 0.0;
    for w in &sc.workloads {
        let f = crate::workload::RateFn::new(&w.rate);
        let sum: f64 = (0..STEPS)
            .map(|i| f.at(((i as f64 + 0.5) * dt) as u64))
            .sum();
        total += sum * dt / 1e9;
    }
    total + sc.duration.as_secs_f64() / sc.metrics_period.as_secs_f64().max(1e-9)
}

/// Run `run(k)` for k in `0..work.len()` on the current pool's threads, the
/// longest expected `work` first (LPT: each free thread takes the longest run left,
/// so no thread idles long at the end while another finishes a big one).
/// Results come back in the input order.
pub fn run_longest_first<T: Send>(work: &[f64], run: impl Fn(usize) -> T + Sync) -> Vec<T> {
    let n = work.len();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| work[b].total_cmp(&work[a]).then(a.cmp(&b)));
    let next = std::sync::atomic::AtomicUsize::new(0);
    let slots: Vec<std::sync::Mutex<Option<T>>> =
        (0..n).map(|_| std::sync::Mutex::new(None)).collect();
    let threads = rayon::current_num_threads().min(n.max(1));
    rayon::scope(|s| {
        for _ in 0..threads {
            s.spawn(|_| {
                loop {
                    let k = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(&pos) = order.get(k) else { break };
                    let out = run(pos);
                    if let Ok(mut slot) = slots[pos].lock() {
                        *slot = Some(out);
                    }
                }
            });
        }
    });
    slots
        .into_iter()
        .map(|s| {
            s.into_inner()
                .ok()
                .flatten()
                .expect("every run finished (a panic would have propagated)")
        })
        .collect()
}

/// The first rows on the terminal: the parameters and the metric.
fn preview(m: &Manifest, t: &Table) -> String {
    const MAX: usize = 30;
    let mut cols: Vec<usize> = (0..m.params.len()).collect();
    if m.replications > 1 {
        cols.push(m.params.len());
    }
    cols.push(m.params.len() + 1);
    if let Some(c) = t.header.iter().position(|h| *h == m.metric) {
        cols.push(c);
    }
    let mut p = Table::new(cols.iter().map(|&c| t.header[c].clone()).collect());
    p.numeric = vec![true; cols.len()];
    for r in t.rows.iter().take(MAX) {
        p.rows.push(cols.iter().map(|&c| r[c].clone()).collect());
    }
    let mut s = p.text();
    if t.rows.len() > MAX {
        s.push_str(&format!(
            "… {} more rows in sweep.csv\n",
            t.rows.len() - MAX
        ));
    }
    s
}

/// One shard folder read back.
struct ShardIn {
    dir: PathBuf,
    manifest: Manifest,
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

fn read_shard(dir: &Path) -> Result<ShardIn, Failure> {
    let bad = |m: String| Failure::BadInput(format!("stratus merge: {}: {m}", dir.display()));
    let mtext = std::fs::read_to_string(dir.join("sweep.json"))
        .map_err(|e| bad(format!("not a sweep folder (sweep.json: {e})")))?;
    let manifest: Manifest = serde_json::from_str(&mtext)
        .map_err(|e| bad(format!("sweep.json is not a sweep manifest: {e}")))?;
    if manifest.stratus != "sweep" || manifest.version != 1 {
        return Err(bad("sweep.json is not a version 1 sweep manifest".into()));
    }
    let mut rd = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_path(dir.join("sweep.csv"))
        .map_err(|e| bad(format!("sweep.csv: {e}")))?;
    let header: Vec<String> = rd
        .headers()
        .map_err(|e| bad(format!("sweep.csv: {e}")))?
        .iter()
        .map(String::from)
        .collect();
    let mut want: Vec<String> = manifest.params.iter().map(|p| p.path.clone()).collect();
    want.extend(["replication", "seed", "grid_index"].map(String::from));
    if header.len() < want.len() || header[..want.len()] != want[..] {
        return Err(bad(format!(
            "sweep.csv does not start with the columns {}",
            want.join(",")
        )));
    }
    let mut rows = Vec::new();
    for r in rd.records() {
        let r = r.map_err(|e| bad(format!("sweep.csv: {e}")))?;
        rows.push(r.iter().map(String::from).collect());
    }
    Ok(ShardIn {
        dir: dir.to_path_buf(),
        manifest,
        header,
        rows,
    })
}

/// The shard indices of a sharded sweep whose rows are absent from the
/// shard folders `dirs` (folders that do not exist are skipped, so a glob
/// of the expected names works), and the shard count.
pub fn missing(dirs: &[PathBuf]) -> Result<(Vec<u64>, u64), Failure> {
    let shards = dirs
        .iter()
        .filter(|d| d.join("sweep.json").is_file())
        .map(|d| read_shard(d))
        .collect::<Result<Vec<_>, _>>()?;
    let Some(first) = shards.first() else {
        return Err(Failure::BadInput(
            "stratus merge --missing: none of the folders is a sweep shard (no sweep.json)".into(),
        ));
    };
    let m = &first.manifest;
    let n = m.shard.map_or(1, |s| s.count);
    let gi = m.params.len() + 2;
    let mut seen = vec![false; m.grid_size as usize];
    for s in shards.iter().filter(|s| s.manifest.key() == m.key()) {
        for r in &s.rows {
            if let Some(i) = r.get(gi).and_then(|x| x.parse::<u64>().ok())
                && i < m.grid_size
            {
                seen[i as usize] = true;
            }
        }
    }
    let absent: BTreeSet<u64> = (0..m.grid_size)
        .filter(|&i| !seen[i as usize])
        .map(|i| i % n)
        .collect();
    Ok((absent.into_iter().collect(), n))
}

/// Combine shard folders into one sweep folder `out`: rows by grid index,
/// after checking that the manifests agree and that every grid index is
/// there exactly once. `metric` overrides the shards' chart figure.
pub fn merge(
    dirs: &[PathBuf],
    out: &Path,
    metric: Option<&str>,
    charts: bool,
) -> Result<Outcome, Failure> {
    if dirs.is_empty() {
        return Err(Failure::BadInput(
            "stratus merge: give the shard folders to merge".into(),
        ));
    }
    output::check_replaceable(out).map_err(out_failure)?;
    let shards = dirs
        .iter()
        .map(|d| read_shard(d))
        .collect::<Result<Vec<_>, _>>()?;
    let first = &shards[0];
    for s in &shards[1..] {
        if s.manifest.key() != first.manifest.key() {
            let a = &first.manifest;
            let b = &s.manifest;
            let what = if a.scenario != b.scenario {
                "scenario"
            } else if a.params != b.params {
                "params"
            } else if a.sets != b.sets {
                "sets"
            } else if a.seed != b.seed {
                "seed"
            } else if a.replications != b.replications {
                "replications"
            } else if a.variant != b.variant {
                "variant"
            } else if a.grid_size != b.grid_size {
                "grid_size"
            } else {
                "shard count"
            };
            return Err(Failure::BadInput(format!(
                "stratus merge: {} and {} are not shards of the same sweep: their sweep.json differ in {what}",
                first.dir.display(),
                s.dir.display()
            )));
        }
    }
    let m0 = &first.manifest;
    let fixed = m0.params.len() + 3;
    let gi = fixed - 1;
    // Every row, by grid index.
    let mut by_index: BTreeMap<u64, (usize, usize)> = BTreeMap::new();
    for (si, s) in shards.iter().enumerate() {
        for (ri, r) in s.rows.iter().enumerate() {
            let i: u64 = r.get(gi).and_then(|x| x.parse().ok()).ok_or_else(|| {
                Failure::BadInput(format!(
                    "stratus merge: {}: sweep.csv row {} has no grid index",
                    s.dir.display(),
                    ri + 2
                ))
            })?;
            if i >= m0.grid_size {
                return Err(Failure::BadInput(format!(
                    "stratus merge: {}: grid index {i} is outside the grid (size {})",
                    s.dir.display(),
                    m0.grid_size
                )));
            }
            if let Some((sj, _)) = by_index.insert(i, (si, ri)) {
                return Err(Failure::BadInput(format!(
                    "stratus merge: grid index {i} is in both {} and {} (a shard given twice?)",
                    shards[sj].dir.display(),
                    s.dir.display()
                )));
            }
        }
    }
    let missing: Vec<u64> = (0..m0.grid_size)
        .filter(|i| !by_index.contains_key(i))
        .collect();
    if !missing.is_empty() {
        let list: Vec<String> = missing.iter().take(12).map(u64::to_string).collect();
        let mut msg = format!(
            "stratus merge: {} of {} grid indices are missing: {}{}",
            missing.len(),
            m0.grid_size,
            list.join(", "),
            if missing.len() > 12 { ", …" } else { "" }
        );
        if let Some(n) = m0.shard.map(|s| s.count) {
            let absent: BTreeSet<u64> = missing.iter().map(|i| i % n).collect();
            let names: Vec<String> = absent.iter().map(|k| format!("{k}/{n}")).collect();
            msg.push_str(&format!(
                " — shard{} {} not given (or incomplete)",
                if names.len() == 1 { "" } else { "s" },
                names.join(", ")
            ));
        }
        return Err(Failure::BadInput(msg));
    }
    let rows: Vec<Row> = by_index
        .iter()
        .map(|(&i, &(si, ri))| {
            let s = &shards[si];
            let r = &s.rows[ri];
            Row {
                grid_index: i,
                fixed: r[..fixed].to_vec(),
                figures: s.header[fixed..]
                    .iter()
                    .zip(&r[fixed..])
                    .filter(|(_, v)| !v.is_empty())
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect(),
            }
        })
        .collect();
    let mut m = m0.clone();
    m.shard = None;
    if let Some(x) = metric {
        m.metric = x.to_string();
    }
    let table = build_table(&m, &rows);
    if charts && !table.header.contains(&m.metric) {
        return Err(Failure::BadInput(format!(
            "--metric {}: no such column in the shards' sweep.csv",
            m.metric
        )));
    }
    let (files, note) = folder_files(&m, &table, charts)?;
    output::write_folder(out, &files).map_err(out_failure)?;
    let mut text = format!(
        "stratus merge · {} · {} shard folder{} · {} runs\n\n",
        m.scenario,
        shards.len(),
        if shards.len() == 1 { "" } else { "s" },
        rows.len()
    );
    text.push_str(&preview(&m, &table));
    if let Some(n) = note {
        text.push_str(&format!("\nno chart: {n}\n"));
    }
    text.push_str(&format!(
        "\nwrote {}/ (sweep.csv, sweep.json{})\n",
        out.display(),
        if charts { ", charts/" } else { "" }
    ));
    Ok(Outcome {
        dir: out.to_path_buf(),
        text,
        files,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn params_split_at_top_level_commas() {
        let p = parse_param("auto_scaling_groups[web].max=4, 8,16").unwrap();
        assert_eq!(p.path, "auto_scaling_groups[web].max");
        assert_eq!(p.values, ["4", "8", "16"]);
        let p = parse_param("x=[1,2],{a: 1, b: 2},'c,d'").unwrap();
        assert_eq!(p.values, ["[1,2]", "{a: 1, b: 2}", "'c,d'"]);
        assert!(parse_param("novalue").is_err());
        assert!(parse_param("x=1,,2").is_err());
        assert!(parse_param("x=1,1").is_err());
    }

    fn manifest(params: &[(&str, usize)], reps: u32) -> Manifest {
        Manifest {
            stratus: "sweep".into(),
            version: 1,
            scenario: "s".into(),
            file: "f".into(),
            variant: None,
            sets: vec![],
            seed: 1,
            params: params
                .iter()
                .map(|(p, n)| Param {
                    path: p.to_string(),
                    values: (0..*n).map(|i| i.to_string()).collect(),
                })
                .collect(),
            replications: reps,
            grid_size: params.iter().map(|p| p.1 as u64).product::<u64>() * reps as u64,
            shard: None,
            metric: DEFAULT_METRIC.into(),
        }
    }

    #[test]
    fn grid_order_is_nested_loops() {
        let m = manifest(&[("a", 2), ("b", 3)], 2);
        assert_eq!(m.grid_size, 12);
        let pts: Vec<(Vec<usize>, u32)> = (0..12).map(|i| m.point(i)).collect();
        assert_eq!(pts[0], (vec![0, 0], 0));
        assert_eq!(pts[1], (vec![0, 0], 1));
        assert_eq!(pts[2], (vec![0, 1], 0));
        assert_eq!(pts[6], (vec![1, 0], 0));
        assert_eq!(pts[11], (vec![1, 2], 1));
        assert_eq!(m.point_sets(7), ["a=1", "b=0"]);
    }

    #[test]
    fn shards() {
        let none = |_: &str| None;
        assert_eq!(
            parse_shard("1/4", None, &none).unwrap(),
            Shard { index: 1, count: 4 }
        );
        assert!(parse_shard("4/4", None, &none).is_err());
        assert!(parse_shard("0/0", None, &none).is_err());
        assert!(parse_shard("auto", Some(3), &none).is_err());
        let batch = |v: &str| (v == "AWS_BATCH_JOB_ARRAY_INDEX").then(|| "2".to_string());
        assert_eq!(
            parse_shard("auto", Some(3), &batch).unwrap(),
            Shard { index: 2, count: 3 }
        );
        assert!(parse_shard("auto", None, &batch).is_err(), "count unknown");
        let k8s = |v: &str| match v {
            "JOB_COMPLETION_INDEX" => Some("0".to_string()),
            "STRATUS_SHARDS" => Some("5".to_string()),
            _ => None,
        };
        assert_eq!(
            parse_shard("auto", None, &k8s).unwrap(),
            Shard { index: 0, count: 5 }
        );
        let slurm = |v: &str| match v {
            "SLURM_ARRAY_TASK_ID" => Some("7".to_string()),
            "SLURM_ARRAY_TASK_COUNT" => Some("8".to_string()),
            _ => None,
        };
        assert_eq!(
            parse_shard("auto", Some(8), &slurm).unwrap(),
            Shard { index: 7, count: 8 }
        );
        assert!(
            parse_shard("auto", None, &slurm).is_err(),
            "count is explicit"
        );
        // A 1-based array's last task is out of range: said, not guessed.
        assert!(parse_shard("auto", Some(7), &slurm).is_err());
    }
}
