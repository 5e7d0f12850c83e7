//! `stratus tune`: search a scenario's parameters for the best configuration
//! that meets constraints, e.g. the cheapest target tracking target and
//! warm-up that keep errors ≤ 0.5 % and p99 ≤ 500 ms.
//!
//! The method (deterministic for a seed; every candidate runs with the same
//! seeds `seed`, `seed+1`, …: common random numbers, so two candidates differ
//! only where their settings make them differ):
//! 1. **Explore**: a Latin hypercube of ⌈0.6 · budget⌉ points over the whole
//!    space (each parameter's range cut into as many equal strata as points,
//!    one point per stratum, strata paired at random), each run once.
//! 2. The points are dealt round-robin into `--streams` independent search
//!    streams. Each stream **refines** around its incumbent (its best point so
//!    far): a Latin hypercube of its share of the remaining budget in a box
//!    around the incumbent, in two rounds, the second re-centred on the new
//!    incumbent with a box half as wide.
//! 3. **Successive halving over replications**: each stream keeps the better
//!    half of its candidates and doubles their replications (1, 2, 4, … up to
//!    `--replications`), until the survivors have every replication.
//! 4. The **winner** is the best objective (mean over replications) among the
//!    survivors that meet every constraint with their mean *plus* (for `<=`;
//!    minus for `>=`) the half-width of its 95 % confidence interval: a
//!    configuration that only meets the SLO by luck is not a winner.
//!
//! Candidates are ranked, at every step, feasible before infeasible, the
//! feasible by objective, the infeasible by their summed relative violation.
//!
//! Streams are the unit of sharding: `--shard K/N` runs the streams s with
//! `s % N == K` (so N ≤ streams), and `stratus merge` puts the shards' rows
//! back together and picks the winner from them — the same rows, so the same
//! result, as the unsharded run. Both choose the winner from `tune.csv`'s
//! printed numbers.
//!
//! Folder (`output/<scenario>-tune/` or `--out DIR`): `tune.csv` (every
//! evaluated candidate: stream, candidate, phase, the parameter values,
//! replications, the objective and constraint figures with CI half-widths,
//! feasible, survivor, then the comparison figures, means over its
//! replications), `tune.json` (the manifest `merge` checks), `tune.md`
//! (winner, runners-up, the binding constraint), `best.yaml` (the scenario
//! with the winner's values set) and `charts/tune.png|svg` (the objective
//! against each parameter, feasible points marked). A shard folder holds
//! `tune.csv` and `tune.json` only.

use super::compare::{FIGURES, figures};
use super::stats::mean_ci95;
use super::sweep::{Shard, in_pool, parse_param, parse_shard, progress_bar};
use super::table::Table;
use super::{Failure, flatten_summary, out_failure};
use crate::report::metrics::fmt_num;
use crate::report::output;
use crate::report::summary::Summary;
use crate::scenario::{self, LoadOptions, Scenario};
use rand::RngExt;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

/// Default number of candidates.
pub const DEFAULT_BUDGET: u32 = 30;
/// Default replications of the survivors.
pub const DEFAULT_REPLICATIONS: u32 = 3;
/// Default number of search streams.
pub const DEFAULT_STREAMS: u32 = 4;

/// What `stratus tune` was asked.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Scenario file.
    pub file: PathBuf,
    /// `--param PATH=RANGE`.
    pub params: Vec<String>,
    /// `--objective METRIC`.
    pub objective: String,
    /// `--maximize`.
    pub maximize: bool,
    /// `--constraint 'METRIC<=X'`.
    pub constraints: Vec<String>,
    /// `--budget N`: candidates (default 30).
    pub budget: Option<u32>,
    /// `--replications N` of the survivors (default 3).
    pub replications: Option<u32>,
    /// `--streams N` (default 4).
    pub streams: Option<u32>,
    /// `--set`s for every run.
    pub sets: Vec<String>,
    /// `--seed`.
    pub seed: Option<u64>,
    /// `--variant`.
    pub variant: Option<String>,
    /// Threads.
    pub jobs: Option<usize>,
    /// Output folder.
    pub out: Option<PathBuf>,
    /// `--shard`.
    pub shard: Option<String>,
    /// `--shards`.
    pub shards: Option<u64>,
    /// Draw the chart.
    pub charts: bool,
    /// Progress bar (on a terminal).
    pub progress: bool,
    /// Run even when the search is estimated above 1e11 events in all.
    pub allow_huge: bool,
}

/// A parameter's domain.
#[derive(Clone, Debug, PartialEq)]
pub enum Domain {
    /// lo..hi, continuous, values rounded to `step`.
    Real {
        /// Lower end.
        lo: f64,
        /// Upper end.
        hi: f64,
        /// Rounding step.
        step: f64,
        /// Durations (values in seconds, written `…s`).
        duration: bool,
    },
    /// lo..hi:int.
    Int {
        /// Lower end.
        lo: i64,
        /// Upper end.
        hi: i64,
        /// Durations in whole seconds.
        duration: bool,
    },
    /// a,b,c.
    List(Vec<String>),
}

/// One tuned parameter.
#[derive(Clone, Debug, PartialEq)]
pub struct TParam {
    /// `--set` path.
    pub path: String,
    /// Its domain.
    pub domain: Domain,
}

fn num_or_duration(s: &str) -> Result<(f64, bool), String> {
    let t = s.trim();
    let t = t.strip_suffix('%').unwrap_or(t).trim();
    if let Ok(v) = t.parse::<f64>()
        && v.is_finite()
    {
        return Ok((v, false));
    }
    crate::scenario::units::parse_duration(t)
        .map(|d| (d.as_secs_f64(), true))
        .map_err(|_| format!("\"{s}\" is neither a number, a percentage nor a duration"))
}

/// Parse `PATH=lo..hi`, `PATH=lo..hi:int` or `PATH=a,b,c`.
pub fn parse_tparam(s: &str) -> Result<TParam, Failure> {
    let bad = |why: String| Failure::BadInput(format!("--param {s}: {why}"));
    let (path, spec) = s.split_once('=').ok_or_else(|| {
        bad("expected PATH=lo..hi, PATH=lo..hi:int or PATH=a,b,c (e.g. 'auto_scaling_groups[web].scaling_policies[cpu50].target=30..80')".into())
    })?;
    let path = path.trim();
    if path.is_empty() {
        return Err(bad("the path is empty".into()));
    }
    let spec = spec.trim();
    if let Some((lo, rest)) = spec.split_once("..")
        && !spec.contains(',')
    {
        let (hi, int) = match rest.rsplit_once(':') {
            Some((h, "int")) => (h, true),
            Some((_, other)) => {
                return Err(bad(format!(
                    "unknown range suffix \":{other}\" (only \":int\")"
                )));
            }
            None => (rest, false),
        };
        let (lo_v, lo_d) = num_or_duration(lo).map_err(bad)?;
        let (hi_v, hi_d) = num_or_duration(hi).map_err(bad)?;
        if lo_d != hi_d {
            return Err(bad("both ends must be numbers, or both durations".into()));
        }
        if hi_v <= lo_v {
            return Err(bad(format!(
                "the range is empty: {} is not above {}",
                hi.trim(),
                lo.trim()
            )));
        }
        let domain = if int {
            if lo_v.fract() != 0.0 || hi_v.fract() != 0.0 {
                return Err(bad(
                    "an :int range needs whole numbers (durations in whole seconds)".into(),
                ));
            }
            Domain::Int {
                lo: lo_v as i64,
                hi: hi_v as i64,
                duration: lo_d,
            }
        } else {
            let step = 10f64.powf(((hi_v - lo_v) / 1000.0).log10().floor());
            Domain::Real {
                lo: lo_v,
                hi: hi_v,
                step,
                duration: lo_d,
            }
        };
        return Ok(TParam {
            path: path.to_string(),
            domain,
        });
    }
    let p = parse_param(s)?;
    if p.values.len() < 2 {
        return Err(bad(
            "give a range lo..hi or at least two values a,b (one value is a --set)".into(),
        ));
    }
    Ok(TParam {
        path: p.path,
        domain: Domain::List(p.values),
    })
}

impl TParam {
    /// The value at unit coordinate `u` in [0, 1], as `--set` text.
    pub fn value(&self, u: f64) -> String {
        let u = u.clamp(0.0, 1.0);
        match &self.domain {
            Domain::Real {
                lo,
                hi,
                step,
                duration,
            } => {
                let v = ((lo + u * (hi - lo)) / step).round() * step;
                let v = v.clamp(*lo, *hi);
                // Print at the step's precision.
                let digits = (-step.log10()).ceil().max(0.0) as usize;
                let text = fmt_num(format!("{v:.digits$}").parse().unwrap_or(v));
                if *duration { format!("{text}s") } else { text }
            }
            Domain::Int { lo, hi, duration } => {
                let n = (hi - lo + 1) as f64;
                let v = lo + ((u * n).floor() as i64).min(hi - lo);
                if *duration {
                    format!("{v}s")
                } else {
                    v.to_string()
                }
            }
            Domain::List(vs) => {
                let n = vs.len();
                vs[((u * n as f64).floor() as usize).min(n - 1)].clone()
            }
        }
    }

    /// The value's position on a numeric axis (list: its index).
    pub fn axis(&self, text: &str) -> f64 {
        match &self.domain {
            Domain::List(vs) => vs.iter().position(|v| v == text).unwrap_or(0) as f64,
            _ => num_or_duration(text).map(|v| v.0).unwrap_or(f64::NAN),
        }
    }
}

/// A constraint: METRIC <= X or METRIC >= X.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Constraint {
    /// The figure.
    pub metric: String,
    /// `<=` (else `>=`).
    pub at_most: bool,
    /// The bound.
    pub bound: f64,
}

impl Constraint {
    /// As written: `metric<=X`.
    pub fn text(&self) -> String {
        format!(
            "{}{}{}",
            self.metric,
            if self.at_most { "<=" } else { ">=" },
            fmt_num(self.bound)
        )
    }

    /// The pessimistic value (mean plus or minus the CI half-width) and
    /// whether it meets the bound.
    pub fn check(&self, mean: f64, hw: f64) -> (f64, bool) {
        if self.at_most {
            (mean + hw, mean + hw <= self.bound)
        } else {
            (mean - hw, mean - hw >= self.bound)
        }
    }

    /// Relative violation of the pessimistic value (0 when met).
    pub fn violation(&self, mean: f64, hw: f64) -> f64 {
        let (v, ok) = self.check(mean, hw);
        if ok {
            0.0
        } else {
            (v - self.bound).abs() / self.bound.abs().max(1e-9)
        }
    }
}

/// Parse `METRIC<=X` / `METRIC>=X` (`<` and `>` read as `<=` and `>=`).
pub fn parse_constraint(s: &str) -> Result<Constraint, Failure> {
    let bad = |why: &str| Failure::BadInput(format!("--constraint {s}: {why}"));
    let (at, op, at_most) = if let Some(i) = s.find("<=") {
        (i, 2, true)
    } else if let Some(i) = s.find(">=") {
        (i, 2, false)
    } else if let Some(i) = s.find('<') {
        (i, 1, true)
    } else if let Some(i) = s.find('>') {
        (i, 1, false)
    } else {
        return Err(bad(
            "expected METRIC<=X or METRIC>=X (e.g. 'requests.error_rate_pct<=0.5')",
        ));
    };
    let metric = s[..at].trim();
    if metric.is_empty() {
        return Err(bad("the metric is empty"));
    }
    let x = s[at + op..].trim();
    let x = x.strip_suffix('%').unwrap_or(x);
    let bound: f64 = x
        .trim()
        .parse()
        .ok()
        .filter(|v: &f64| v.is_finite())
        .ok_or_else(|| bad("the bound is not a number"))?;
    Ok(Constraint {
        metric: metric.to_string(),
        at_most,
        bound,
    })
}

/// Aliases of figure names: the spec's `requests.error_rate_pct` is the
/// comparison's `error_rate_pct`.
fn canonical(metric: &str) -> &str {
    match metric {
        "requests.error_rate_pct" => "error_rate_pct",
        "requests.latency_ms.p99" => "latency_p99_ms",
        "requests.latency_ms.p50" => "latency_p50_ms",
        m => m,
    }
}

/// A figure of a run by name: a `comparison.csv` column (`cost_usd`,
/// `error_rate_pct`, `latency_p99_ms`, `elasticity.under_accuracy_pct`, …)
/// or a flattened `summary.json` key (`auto_scaling_groups.web.cost_usd`).
pub fn metric_of(s: &Summary, metric: &str) -> Option<f64> {
    let m = canonical(metric);
    if let Some(k) = FIGURES.iter().position(|f| f.key == m) {
        return Some(figures(s)[k]);
    }
    flatten_summary(s)
        .into_iter()
        .find(|(k, _)| k == m)
        .and_then(|(_, v)| v.parse().ok())
}

fn metric_known(sc: &Scenario, metric: &str) -> bool {
    let m = canonical(metric);
    FIGURES.iter().any(|f| f.key == m) || super::sweep::metric_known(sc, m)
}

/// `tune.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// Always `tune`.
    pub stratus: String,
    /// Format version (1).
    pub version: u32,
    /// Scenario name.
    pub scenario: String,
    /// The file as given (not compared by merge).
    pub file: String,
    /// `--variant`.
    pub variant: Option<String>,
    /// `--set`s for every run.
    pub sets: Vec<String>,
    /// `--seed`, if given.
    pub seed_override: Option<u64>,
    /// Seed of replication 0.
    pub seed: u64,
    /// `--param`s as given.
    pub params: Vec<String>,
    /// `--objective`.
    pub objective: String,
    /// `--maximize`.
    pub maximize: bool,
    /// `--constraint`s.
    pub constraints: Vec<Constraint>,
    /// Candidates.
    pub budget: u32,
    /// Replications of the survivors.
    pub replications: u32,
    /// Search streams.
    pub streams: u32,
    /// This folder's share, or null.
    pub shard: Option<Shard>,
    /// The scenario file's text (for `best.yaml` after a merge elsewhere).
    pub source: String,
}

impl Manifest {
    fn key(&self) -> impl PartialEq + '_ {
        (
            (&self.scenario, &self.variant, &self.sets, self.seed),
            (
                &self.params,
                &self.objective,
                self.maximize,
                &self.constraints,
            ),
            (self.budget, self.replications, self.streams),
            (self.shard.map(|s| s.count), &self.source),
        )
    }

    /// The metrics tracked per run: the objective, then the constraints'
    /// (each once), then the comparison figures not already there.
    fn tracked(&self) -> Vec<String> {
        let mut v: Vec<String> = vec![self.objective.clone()];
        for c in &self.constraints {
            if !v.contains(&c.metric) {
                v.push(c.metric.clone());
            }
        }
        let head = v.len();
        for f in FIGURES {
            if !v[..head].iter().any(|x| canonical(x) == f.key) {
                v.push(f.key.to_string());
            }
        }
        v
    }

    /// How many of the tracked metrics carry a CI column.
    fn head(&self) -> usize {
        let mut v: Vec<&str> = vec![&self.objective];
        for c in &self.constraints {
            if !v.contains(&c.metric.as_str()) {
                v.push(&c.metric);
            }
        }
        v.len()
    }

    /// Explore points and each stream's refine share.
    fn plan(&self) -> (u32, Vec<u32>) {
        let s = self.streams.max(1);
        let explore = ((self.budget as f64 * 0.6).ceil() as u32)
            .max(s)
            .min(self.budget);
        let rest = self.budget - explore;
        let refine = (0..s).map(|j| rest / s + u32::from(j < rest % s)).collect();
        (explore, refine)
    }
}

/// One candidate inside a stream.
#[derive(Clone, Debug)]
struct Cand {
    id: u32,
    phase: &'static str,
    unit: Vec<f64>,
    values: Vec<String>,
    /// Per replication, the tracked metrics.
    runs: Vec<Vec<f64>>,
    survivor: bool,
}

/// Ranking of candidates: feasible first (by objective), then by violation.
struct Ranker<'a> {
    m: &'a Manifest,
    /// Index of each constraint's metric among the tracked ones.
    cidx: Vec<usize>,
}

impl<'a> Ranker<'a> {
    fn new(m: &'a Manifest) -> Ranker<'a> {
        let tracked = m.tracked();
        let cidx = m
            .constraints
            .iter()
            .map(|c| tracked.iter().position(|t| *t == c.metric).unwrap_or(0))
            .collect();
        Ranker { m, cidx }
    }

    /// (infeasible, score): lower is better.
    fn key(&self, stats: &[(f64, f64)]) -> (bool, f64) {
        let viol: f64 = self
            .m
            .constraints
            .iter()
            .zip(&self.cidx)
            .map(|(c, &i)| c.violation(stats[i].0, stats[i].1))
            .sum();
        if viol > 0.0 {
            (true, viol)
        } else if self.m.maximize {
            (false, -stats[0].0)
        } else {
            (false, stats[0].0)
        }
    }
}

fn stats_of(runs: &[Vec<f64>], n: usize) -> Vec<(f64, f64)> {
    (0..n)
        .map(|k| {
            let xs: Vec<f64> = runs.iter().map(|r| r[k]).collect();
            mean_ci95(&xs)
        })
        .collect()
}

/// Points of a Latin hypercube: `n` points in `d` dimensions, inside the box
/// `[lo_k, hi_k]` per dimension.
fn lhs(rng: &mut crate::sim::rng::Rng, n: usize, lo: &[f64], hi: &[f64]) -> Vec<Vec<f64>> {
    let d = lo.len();
    let mut pts = vec![vec![0.0; d]; n];
    for k in 0..d {
        let mut perm: Vec<usize> = (0..n).collect();
        // Fisher–Yates.
        for i in (1..n).rev() {
            let j = rng.random_range(0..=i as u64) as usize;
            perm.swap(i, j);
        }
        for (i, p) in pts.iter_mut().enumerate() {
            let u = (perm[i] as f64 + rng.random::<f64>()) / n as f64;
            p[k] = lo[k] + u * (hi[k] - lo[k]);
        }
    }
    pts
}

/// Runs one candidate's replications `from..to`.
type Evaluate<'a> = dyn Fn(&[String], u32) -> Result<Vec<f64>, String> + Sync + 'a;

/// One stream's search; returns its candidates in id order.
fn run_stream(
    m: &Manifest,
    params: &[TParam],
    j: u32,
    explore: &[Vec<f64>],
    refine_n: u32,
    eval: &Evaluate<'_>,
) -> Result<Vec<Cand>, String> {
    let ranker = Ranker::new(m);
    let nt = m.tracked().len();
    let d = params.len();
    let mut cands: Vec<Cand> = Vec::new();
    let add = |cands: &mut Vec<Cand>, unit: Vec<f64>, phase: &'static str| -> bool {
        let values: Vec<String> = params.iter().zip(&unit).map(|(p, &u)| p.value(u)).collect();
        if cands.iter().any(|c| c.values == values) {
            return false;
        }
        cands.push(Cand {
            id: cands.len() as u32,
            phase,
            unit,
            values,
            runs: Vec::new(),
            survivor: false,
        });
        true
    };
    let run_new = |cands: &mut Vec<Cand>, from: usize, reps: u32| -> Result<(), String> {
        let jobs: Vec<(usize, u32)> = (from..cands.len())
            .flat_map(|c| (cands[c].runs.len() as u32..reps).map(move |r| (c, r)))
            .collect();
        let out: Vec<Result<Vec<f64>, String>> = jobs
            .par_iter()
            .map(|&(c, r)| eval(&cands[c].values, r))
            .collect();
        for ((c, _), o) in jobs.into_iter().zip(out) {
            cands[c].runs.push(o?);
        }
        Ok(())
    };
    let best = |cands: &[Cand]| -> usize {
        let mut idx: Vec<usize> = (0..cands.len()).collect();
        let keys: Vec<(bool, f64)> = cands
            .iter()
            .map(|c| ranker.key(&stats_of(&c.runs, nt)))
            .collect();
        idx.sort_by(|&a, &b| {
            keys[a]
                .0
                .cmp(&keys[b].0)
                .then(keys[a].1.total_cmp(&keys[b].1))
                .then(a.cmp(&b))
        });
        idx[0]
    };
    for u in explore {
        add(&mut cands, u.clone(), "explore");
    }
    run_new(&mut cands, 0, 1)?;
    // Refine in two rounds around the incumbent.
    let mut rng = crate::sim::rng::stream(m.seed, &format!("tune/refine/{j}"));
    let n_explore = m.plan().0.max(1) as f64;
    let mut half = (0.5 / n_explore.powf(1.0 / d.max(1) as f64)).clamp(0.02, 0.5);
    let rounds = [refine_n.div_ceil(2), refine_n / 2];
    for n in rounds {
        if n == 0 || cands.is_empty() {
            continue;
        }
        // Integer and list parameters: the box is centred on the
        // incumbent's value and spans at least its neighbouring values,
        // however small it has become.
        let levels = |p: &TParam| match &p.domain {
            Domain::Int { lo, hi, .. } => Some((hi - lo + 1) as f64),
            Domain::List(v) => Some(v.len() as f64),
            Domain::Real { .. } => None,
        };
        let inc: Vec<f64> = cands[best(&cands)]
            .unit
            .iter()
            .zip(params)
            .map(|(&u, p)| match levels(p) {
                Some(n) => (((u * n).floor().min(n - 1.0)) + 0.5) / n,
                None => u,
            })
            .collect();
        let h: Vec<f64> = params
            .iter()
            .map(|p| match levels(p) {
                Some(n) => half.max(1.5 / n),
                None => half,
            })
            .collect();
        let lo: Vec<f64> = inc.iter().zip(&h).map(|(u, h)| (u - h).max(0.0)).collect();
        let hi: Vec<f64> = inc.iter().zip(&h).map(|(u, h)| (u + h).min(1.0)).collect();
        let from = cands.len();
        for p in lhs(&mut rng, n as usize, &lo, &hi) {
            // A point whose values were already evaluated (likely for
            // integer and list parameters) is redrawn in the box, so the
            // budget goes to new configurations.
            let mut p = p;
            for _ in 0..16 {
                if add(&mut cands, p, "refine") {
                    break;
                }
                p = lo
                    .iter()
                    .zip(&hi)
                    .map(|(a, b)| a + rng.random::<f64>() * (b - a))
                    .collect();
            }
        }
        run_new(&mut cands, from, 1)?;
        half /= 2.0;
    }
    // Successive halving over replications.
    let mut alive: Vec<usize> = (0..cands.len()).collect();
    let mut reps = 1u32;
    while reps < m.replications && !alive.is_empty() {
        let keys: BTreeMap<usize, (bool, f64)> = alive
            .iter()
            .map(|&c| (c, ranker.key(&stats_of(&cands[c].runs, nt))))
            .collect();
        alive.sort_by(|a, b| {
            keys[a]
                .0
                .cmp(&keys[b].0)
                .then(keys[a].1.total_cmp(&keys[b].1))
                .then(a.cmp(b))
        });
        alive.truncate(alive.len().div_ceil(2));
        alive.sort();
        reps = (reps * 2).min(m.replications);
        let jobs: Vec<(usize, u32)> = alive
            .iter()
            .flat_map(|&c| (cands[c].runs.len() as u32..reps).map(move |r| (c, r)))
            .collect();
        let out: Vec<Result<Vec<f64>, String>> = jobs
            .par_iter()
            .map(|&(c, r)| eval(&cands[c].values, r))
            .collect();
        for ((c, _), o) in jobs.into_iter().zip(out) {
            cands[c].runs.push(o?);
        }
    }
    for c in alive {
        cands[c].survivor = true;
    }
    Ok(cands)
}

/// Runs a stream will make (for the progress bar).
fn planned_runs(n: u32, reps: u32) -> u64 {
    let mut total = n as u64;
    let (mut alive, mut r) = (n, 1u32);
    while r < reps && alive > 0 {
        alive = alive.div_ceil(2);
        let next = (r * 2).min(reps);
        total += alive as u64 * (next - r) as u64;
        r = next;
    }
    total
}

/// The `tune.csv` header.
fn header(m: &Manifest, params: &[TParam]) -> Vec<String> {
    let mut h: Vec<String> = ["stream", "candidate", "phase"].map(String::from).to_vec();
    h.extend(params.iter().map(|p| p.path.clone()));
    h.push("replications".into());
    let tracked = m.tracked();
    let head = m.head();
    for (k, t) in tracked.iter().enumerate() {
        h.push(t.clone());
        if k < head {
            h.push(format!("{t}_ci95"));
        }
    }
    h.extend(["feasible", "survivor"].map(String::from));
    h
}

fn row_of(m: &Manifest, ranker: &Ranker, j: u32, c: &Cand) -> Vec<String> {
    let nt = m.tracked().len();
    let head = m.head();
    let st = stats_of(&c.runs, nt);
    let mut r = vec![j.to_string(), c.id.to_string(), c.phase.to_string()];
    r.extend(c.values.iter().cloned());
    r.push(c.runs.len().to_string());
    for (k, (mean, hw)) in st.iter().enumerate() {
        r.push(fmt_num(*mean));
        if k < head {
            r.push(fmt_num(*hw));
        }
    }
    // Feasibility is decided again from the printed numbers by `finish`.
    let _ = ranker;
    r.push(String::new());
    r.push(if c.survivor { "yes" } else { "no" }.into());
    r
}

/// A candidate read back from `tune.csv`.
#[derive(Clone, Debug)]
struct Read {
    row: Vec<String>,
    stream: u32,
    id: u32,
    values: Vec<String>,
    reps: u32,
    /// (mean, hw) of the head metrics.
    head: Vec<(f64, f64)>,
    survivor: bool,
}

fn read_rows(m: &Manifest, np: usize, rows: &[Vec<String>]) -> Result<Vec<Read>, String> {
    let head = m.head();
    rows.iter()
        .enumerate()
        .map(|(i, r)| {
            let bad = || format!("tune.csv row {}: malformed", i + 2);
            let num = |k: usize| -> Result<f64, String> {
                r.get(k).and_then(|x| x.parse().ok()).ok_or_else(bad)
            };
            let base = 3 + np + 1;
            let mut h = Vec::new();
            for k in 0..head {
                h.push((num(base + 2 * k)?, num(base + 2 * k + 1)?));
            }
            Ok(Read {
                row: r.clone(),
                stream: num(0)? as u32,
                id: num(1)? as u32,
                values: r.get(3..3 + np).ok_or_else(bad)?.to_vec(),
                reps: num(3 + np)? as u32,
                head: h,
                survivor: r.last().map(String::as_str) == Some("yes"),
            })
        })
        .collect()
}

/// The chosen configuration and the ranked finalists.
struct Verdict {
    /// Survivors with every replication, best first, duplicates removed.
    ranked: Vec<usize>,
    /// Each read row feasible?
    feasible: Vec<bool>,
    /// The winner meets every constraint.
    winner_feasible: bool,
}

fn verdict(m: &Manifest, reads: &[Read]) -> Verdict {
    let ranker = HeadRanker { m };
    let feasible: Vec<bool> = reads.iter().map(|r| !ranker.key(&r.head).0).collect();
    let mut ranked: Vec<usize> = (0..reads.len())
        .filter(|&i| reads[i].survivor && reads[i].reps == m.replications)
        .collect();
    ranked.sort_by(|&a, &b| {
        let (ka, kb) = (ranker.key(&reads[a].head), ranker.key(&reads[b].head));
        ka.0.cmp(&kb.0)
            .then(ka.1.total_cmp(&kb.1))
            .then((reads[a].stream, reads[a].id).cmp(&(reads[b].stream, reads[b].id)))
    });
    let mut seen = std::collections::BTreeSet::new();
    ranked.retain(|&i| seen.insert(reads[i].values.clone()));
    let winner_feasible = ranked.first().is_some_and(|&i| feasible[i]);
    Verdict {
        ranked,
        feasible,
        winner_feasible,
    }
}

/// Ranking on the head metrics (objective first, then constraints' metrics).
struct HeadRanker<'a> {
    m: &'a Manifest,
}

impl HeadRanker<'_> {
    fn cidx(&self, c: &Constraint) -> usize {
        let mut v: Vec<&str> = vec![&self.m.objective];
        for c in &self.m.constraints {
            if !v.contains(&c.metric.as_str()) {
                v.push(&c.metric);
            }
        }
        v.iter().position(|x| *x == c.metric).unwrap_or(0)
    }
    fn key(&self, head: &[(f64, f64)]) -> (bool, f64) {
        let viol: f64 = self
            .m
            .constraints
            .iter()
            .map(|c| {
                let (mean, hw) = head[self.cidx(c)];
                c.violation(mean, hw)
            })
            .sum();
        if viol > 0.0 {
            (true, viol)
        } else if self.m.maximize {
            (false, -head[0].0)
        } else {
            (false, head[0].0)
        }
    }
}

/// Files of a folder.
type Files = Vec<(String, Vec<u8>)>;

fn manifest_file(m: &Manifest) -> Result<(String, Vec<u8>), Failure> {
    Ok((
        "tune.json".into(),
        format!(
            "{}\n",
            serde_json::to_string_pretty(m).map_err(|e| Failure::Internal(e.to_string()))?
        )
        .into_bytes(),
    ))
}

/// The finished folder from every candidate's row (stream order): the
/// table with `feasible` filled in, `tune.md`, `best.yaml`, the chart.
fn finish(
    m: &Manifest,
    params: &[TParam],
    rows: Vec<Vec<String>>,
    charts: bool,
) -> Result<(Files, String), Failure> {
    let np = params.len();
    let reads = read_rows(m, np, &rows).map_err(Failure::BadInput)?;
    let v = verdict(m, &reads);
    let mut table = Table::new(header(m, params));
    table.numeric = table
        .header
        .iter()
        .enumerate()
        .map(|(i, _)| i != 2)
        .collect();
    for (r, f) in reads.iter().zip(&v.feasible) {
        let mut row = r.row.clone();
        let n = row.len();
        row[n - 2] = if *f { "yes" } else { "no" }.into();
        table.rows.push(row);
    }
    let mut files: Files = vec![("tune.csv".into(), table.csv().into_bytes())];
    files.push(manifest_file(m)?);
    let md = tune_md(m, params, &reads, &v);
    files.push(("tune.md".into(), md.clone().into_bytes()));
    if let Some(&w) = v.ranked.first() {
        let mut sets = m.sets.clone();
        sets.extend(
            params
                .iter()
                .zip(&reads[w].values)
                .map(|(p, x)| format!("{}={x}", p.path)),
        );
        let opts = LoadOptions {
            sets: sets.clone(),
            variant: m.variant.clone(),
            seed: m.seed_override,
        };
        let body = scenario::edited_yaml(&m.source, &m.file, &opts)
            .map_err(|d| Failure::BadInput(d.to_string()))?;
        let mut text = format!(
            "# {} with the values `stratus tune` chose{}:\n",
            m.file,
            if v.winner_feasible {
                ""
            } else {
                " (NO candidate met every constraint: this is the least violating)"
            }
        );
        for (p, x) in params.iter().zip(&reads[w].values) {
            text.push_str(&format!("#   {} = {x}\n", p.path));
        }
        text.push_str(&body);
        // It must load as it is.
        scenario::load_str(&text, "best.yaml", Path::new("."), &LoadOptions::default())
            .map_err(|d| Failure::Internal(format!("best.yaml does not validate:\n{d}")))?;
        files.push(("best.yaml".into(), text.into_bytes()));
    }
    if charts
        && let Ok((png, svg)) =
            super::tune_chart::render(m, params, &reads_points(m, params, &reads, &v))
                .map_err(Failure::Internal)?
    {
        files.push(("charts/tune.png".into(), png));
        files.push(("charts/tune.svg".into(), svg.into_bytes()));
    }
    Ok((files, md))
}

/// A point of the chart.
pub struct ChartPoint {
    /// Axis position of each parameter's value.
    pub x: Vec<f64>,
    /// Objective mean.
    pub y: f64,
    /// Meets the constraints.
    pub feasible: bool,
    /// Has every replication (a survivor).
    pub full: bool,
    /// The winner.
    pub winner: bool,
}

fn reads_points(m: &Manifest, params: &[TParam], reads: &[Read], v: &Verdict) -> Vec<ChartPoint> {
    let w = v.ranked.first().copied();
    reads
        .iter()
        .enumerate()
        .map(|(i, r)| ChartPoint {
            x: params
                .iter()
                .zip(&r.values)
                .map(|(p, x)| p.axis(x))
                .collect(),
            y: r.head[0].0,
            feasible: v.feasible[i],
            full: r.survivor && r.reps == m.replications,
            winner: Some(i) == w,
        })
        .collect()
}

fn tune_md(m: &Manifest, params: &[TParam], reads: &[Read], v: &Verdict) -> String {
    let ranker = HeadRanker { m };
    let mut s = format!(
        "# stratus tune · {}\n\n{} `{}` subject to {} · {} candidates, {} streams, survivors run {} replication{} (seeds {}…) · 95 % confidence intervals; a constraint is met when the mean {} its half-width meets it.\n\n",
        m.scenario,
        if m.maximize { "Maximise" } else { "Minimise" },
        m.objective,
        if m.constraints.is_empty() {
            "no constraints".to_string()
        } else {
            m.constraints
                .iter()
                .map(|c| format!("`{}`", c.text()))
                .collect::<Vec<_>>()
                .join(", ")
        },
        reads.len(),
        m.streams,
        m.replications,
        if m.replications == 1 { "" } else { "s" },
        m.seed,
        "plus (for ≤; minus for ≥)"
    );
    let Some(&w) = v.ranked.first() else {
        s.push_str("No candidate finished its replications.\n");
        return s;
    };
    if v.winner_feasible {
        s.push_str("## Winner\n\n");
    } else {
        s.push_str("## No candidate met every constraint\n\nThe least violating:\n\n");
    }
    let cell = |r: &Read, k: usize| -> String {
        let (mean, hw) = r.head[k];
        if m.replications > 1 {
            format!("{} ± {}", fmt_num(mean), fmt_num(hw))
        } else {
            fmt_num(mean)
        }
    };
    let mut heads: Vec<String> = vec![m.objective.clone()];
    for c in &m.constraints {
        if !heads.contains(&c.metric) {
            heads.push(c.metric.clone());
        }
    }
    let mut t = Table::new(
        ["rank".to_string()]
            .into_iter()
            .chain(params.iter().map(|p| p.path.clone()))
            .chain(heads.iter().cloned())
            .chain(["feasible".to_string()])
            .collect(),
    );
    for (rank, &i) in v.ranked.iter().take(6).enumerate() {
        let r = &reads[i];
        let mut row = vec![(rank + 1).to_string()];
        row.extend(r.values.iter().cloned());
        row.extend((0..heads.len()).map(|k| cell(r, k)));
        row.push(if v.feasible[i] { "yes" } else { "no" }.into());
        t.rows.push(row);
    }
    for (p, x) in params.iter().zip(&reads[w].values) {
        s.push_str(&format!("- `{}` = **{x}**\n", p.path));
    }
    s.push_str(&format!(
        "- {} = {}\n\n## Winner and runners-up (survivors with every replication)\n\n",
        m.objective,
        cell(&reads[w], 0)
    ));
    s.push_str(&t.markdown());
    // The binding constraint: the one that rules out most of the candidates
    // with a better objective than the winner's; ties go to the one with the
    // least slack at the winner.
    if !m.constraints.is_empty() {
        let better: Vec<&Read> = reads
            .iter()
            .filter(|r| {
                if m.maximize {
                    r.head[0].0 > reads[w].head[0].0
                } else {
                    r.head[0].0 < reads[w].head[0].0
                }
            })
            .collect();
        let mut rows = Vec::new();
        for c in &m.constraints {
            let k = ranker.cidx(c);
            let fails = better
                .iter()
                .filter(|r| !c.check(r.head[k].0, r.head[k].1).1)
                .count();
            let (pess, _) = c.check(reads[w].head[k].0, reads[w].head[k].1);
            let slack = if c.at_most {
                c.bound - pess
            } else {
                pess - c.bound
            };
            rows.push((c, fails, slack, pess));
        }
        let binding = rows
            .iter()
            .max_by(|a, b| a.1.cmp(&b.1).then(b.2.total_cmp(&a.2)))
            .map(|r| r.0.text());
        s.push_str("\n## Constraints at the winner\n\n");
        let mut ct = Table::new(
            [
                "constraint",
                "mean ± CI at the winner",
                "slack",
                "better-objective candidates it rules out",
            ]
            .map(String::from)
            .to_vec(),
        );
        for (c, fails, slack, _) in &rows {
            let k = ranker.cidx(c);
            ct.rows.push(vec![
                format!("`{}`", c.text()),
                cell(&reads[w], k),
                fmt_num(*slack),
                format!("{fails} of {}", better.len()),
            ]);
        }
        s.push_str(&ct.markdown());
        if let Some(b) = binding {
            s.push_str(&format!(
                "\nBinding constraint: `{b}` (it rules out the most candidates with a better {}; ties go to the least slack).\n",
                m.objective
            ));
        }
    }
    s
}

/// What a tune wrote.
pub struct Outcome {
    /// Folder.
    pub dir: PathBuf,
    /// What to print.
    pub text: String,
    /// Files (relative path, bytes).
    pub files: Vec<(String, Vec<u8>)>,
}

/// Run `stratus tune` (or one shard of it).
pub fn tune(o: &Options) -> Result<Outcome, Failure> {
    let wall = Instant::now();
    if o.params.is_empty() {
        return Err(Failure::BadInput(
            "stratus tune needs at least one --param PATH=RANGE".into(),
        ));
    }
    let params = o
        .params
        .iter()
        .map(|p| parse_tparam(p))
        .collect::<Result<Vec<_>, _>>()?;
    for (i, p) in params.iter().enumerate() {
        if params[..i].iter().any(|q| q.path == p.path) {
            return Err(Failure::BadInput(format!(
                "--param {}: this path is tuned twice",
                p.path
            )));
        }
    }
    let constraints = o
        .constraints
        .iter()
        .map(|c| parse_constraint(c))
        .collect::<Result<Vec<_>, _>>()?;
    let budget = o.budget.unwrap_or(DEFAULT_BUDGET);
    let replications = o.replications.unwrap_or(DEFAULT_REPLICATIONS);
    let streams = o.streams.unwrap_or(DEFAULT_STREAMS);
    if budget == 0 || replications == 0 || streams == 0 {
        return Err(Failure::BadInput(
            "--budget, --replications and --streams must be at least 1".into(),
        ));
    }
    if streams > budget {
        return Err(Failure::BadInput(format!(
            "--streams {streams} is more than --budget {budget}: each stream needs a candidate"
        )));
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
    if let Some(s) = shard
        && s.count > streams as u64
    {
        return Err(Failure::BadInput(format!(
            "--shard: {} shards but only {streams} search streams; give --streams {} (or more) to tune and to every shard",
            s.count, s.count
        )));
    }
    let source = std::fs::read_to_string(&o.file).map_err(|e| {
        Failure::BadInput(format!(
            "{}:1:1: cannot read the scenario: {e}",
            o.file.display()
        ))
    })?;
    let base = scenario::load_file(
        &o.file,
        &LoadOptions {
            sets: o.sets.clone(),
            variant: o.variant.clone(),
            seed: o.seed,
        },
    )
    .map_err(|d| Failure::BadInput(d.to_string()))?;
    // Every candidate once, and the survivors' replications: at most
    // budget × replications runs the size of the base.
    let runs = budget as u64 * replications as u64;
    let per_run = crate::scenario::estimate::estimate(&base).events;
    super::size_guard("tune", runs, per_run * runs as f64, o.allow_huge)?;
    for metric in std::iter::once(&o.objective).chain(constraints.iter().map(|c| &c.metric)) {
        if !metric_known(&base, metric) {
            return Err(Failure::BadInput(format!(
                "{metric}: not a figure of this scenario (a comparison.csv column such as cost_usd, error_rate_pct, latency_p99_ms, or a flattened summary.json key such as requests.latency_ms.p99)"
            )));
        }
    }
    let m = Manifest {
        stratus: "tune".into(),
        version: 1,
        scenario: base.name.clone(),
        file: super::shown(&o.file),
        variant: o.variant.clone(),
        sets: o.sets.clone(),
        seed_override: o.seed,
        seed: base.seed,
        params: o.params.clone(),
        objective: o.objective.clone(),
        maximize: o.maximize,
        constraints,
        budget,
        replications,
        streams,
        shard,
        source,
    };
    let dir = o.out.clone().unwrap_or_else(|| {
        let mut name = format!("{}-tune", base.name);
        if let Some(s) = shard {
            name.push_str(&format!("-shard-{}-of-{}", s.index, s.count));
        }
        PathBuf::from("output").join(name)
    });
    output::check_replaceable(&dir).map_err(out_failure)?;
    // Both ends of every range must load (with the others at their middle).
    for k in 0..params.len() {
        for u in [0.0, 1.0] {
            let sets: Vec<String> = params
                .iter()
                .enumerate()
                .map(|(i, q)| format!("{}={}", q.path, q.value(if i == k { u } else { 0.5 })))
                .collect();
            load_point(o, &m, &sets, 0).map_err(Failure::BadInput)?;
        }
    }
    let (n_explore, refine) = m.plan();
    let mut rng = crate::sim::rng::stream(m.seed, "tune/explore");
    let d = params.len();
    let explore = lhs(&mut rng, n_explore as usize, &vec![0.0; d], &vec![1.0; d]);
    let mine: Vec<u32> = (0..streams)
        .filter(|j| shard.is_none_or(|s| *j as u64 % s.count == s.index))
        .collect();
    let total: u64 = mine
        .iter()
        .map(|&j| {
            let n = explore
                .iter()
                .skip(j as usize)
                .step_by(streams as usize)
                .count() as u32;
            planned_runs(n + refine[j as usize], replications)
        })
        .sum();
    let bar = if o.progress {
        progress_bar(total, "tune runs")
    } else {
        None
    };
    let done = AtomicU64::new(0);
    let tracked = m.tracked();
    let eval = |values: &[String], r: u32| -> Result<Vec<f64>, String> {
        let sets: Vec<String> = params
            .iter()
            .zip(values)
            .map(|(p, x)| format!("{}={x}", p.path))
            .collect();
        let sc = load_point(o, &m, &sets, r)?;
        let res = crate::run::simulate(&sc, m.variant.as_deref(), &mut |_| {});
        done.fetch_add(1, Ordering::Relaxed);
        if let Some(b) = &bar {
            b.inc(1);
        }
        Ok(tracked
            .iter()
            .map(|t| metric_of(&res.summary, t).unwrap_or(f64::NAN))
            .collect())
    };
    let results: Vec<Result<Vec<Cand>, String>> = in_pool(o.jobs, || {
        mine.par_iter()
            .map(|&j| {
                let pts: Vec<Vec<f64>> = explore
                    .iter()
                    .skip(j as usize)
                    .step_by(streams as usize)
                    .cloned()
                    .collect();
                run_stream(&m, &params, j, &pts, refine[j as usize], &eval)
            })
            .collect()
    })?;
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    let ranker = Ranker::new(&m);
    let mut rows = Vec::new();
    for (&j, r) in mine.iter().zip(results) {
        for c in r.map_err(Failure::BadInput)? {
            rows.push(row_of(&m, &ranker, j, &c));
        }
    }
    let runs = done.load(Ordering::Relaxed);
    let head = format!(
        "stratus tune · {} · {} candidates · {runs} runs{} · {:.2} s\n\n",
        m.scenario,
        rows.len(),
        match shard {
            Some(s) => format!(" (shard {}/{}: streams {:?})", s.index, s.count, mine),
            None => String::new(),
        },
        wall.elapsed().as_secs_f64()
    );
    if shard.is_some() {
        let mut t = Table::new(header(&m, &params));
        t.rows = rows;
        let files = vec![
            ("tune.csv".into(), t.csv().into_bytes()),
            manifest_file(&m)?,
        ];
        output::write_folder(&dir, &files).map_err(out_failure)?;
        return Ok(Outcome {
            text: format!(
                "{head}wrote {}/ (tune.csv, tune.json); combine the shards with `stratus merge`\n",
                dir.display()
            ),
            dir,
            files,
        });
    }
    // Through the printed rows, as `merge` does.
    let rows = reparse(&header(&m, &params), rows)?;
    let (files, md) = finish(&m, &params, rows, o.charts)?;
    output::write_folder(&dir, &files).map_err(out_failure)?;
    Ok(Outcome {
        text: format!("{head}{md}\nwrote {}/ ({})\n", dir.display(), names(&files)),
        dir,
        files,
    })
}

fn names(files: &Files) -> String {
    files
        .iter()
        .map(|f| f.0.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Rows through CSV text and back, so the unsharded run decides from the
/// same text a merge reads.
fn reparse(header: &[String], rows: Vec<Vec<String>>) -> Result<Vec<Vec<String>>, Failure> {
    let mut t = Table::new(header.to_vec());
    t.rows = rows;
    let text = t.csv();
    let mut rd = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(text.as_bytes());
    rd.records()
        .map(|r| {
            r.map(|r| r.iter().map(String::from).collect())
                .map_err(|e| Failure::Internal(e.to_string()))
        })
        .collect()
}

fn load_point(o: &Options, m: &Manifest, sets: &[String], r: u32) -> Result<Scenario, String> {
    let mut all = m.sets.clone();
    all.extend(sets.iter().cloned());
    scenario::load_file(
        &o.file,
        &LoadOptions {
            sets: all,
            variant: m.variant.clone(),
            seed: Some(m.seed.wrapping_add(r as u64)),
        },
    )
    .map_err(|d| format!("at {}:\n{d}", sets.join(" ")))
}

/// Whether `dir` holds a tune folder (`tune.json`).
pub fn is_tune_dir(dir: &Path) -> bool {
    dir.join("tune.json").is_file()
}

/// One shard folder read back.
struct ShardIn {
    dir: PathBuf,
    m: Manifest,
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

fn read_shard(dir: &Path) -> Result<ShardIn, Failure> {
    let bad = |m: String| Failure::BadInput(format!("stratus merge: {}: {m}", dir.display()));
    let text = std::fs::read_to_string(dir.join("tune.json"))
        .map_err(|e| bad(format!("not a tune folder (tune.json: {e})")))?;
    let m: Manifest = serde_json::from_str(&text)
        .map_err(|e| bad(format!("tune.json is not a tune manifest: {e}")))?;
    if m.stratus != "tune" || m.version != 1 {
        return Err(bad("tune.json is not a version 1 tune manifest".into()));
    }
    let mut rd = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_path(dir.join("tune.csv"))
        .map_err(|e| bad(format!("tune.csv: {e}")))?;
    let header: Vec<String> = rd
        .headers()
        .map_err(|e| bad(format!("tune.csv: {e}")))?
        .iter()
        .map(String::from)
        .collect();
    let mut rows = Vec::new();
    for r in rd.records() {
        let r = r.map_err(|e| bad(format!("tune.csv: {e}")))?;
        rows.push(r.iter().map(String::from).collect());
    }
    Ok(ShardIn {
        dir: dir.to_path_buf(),
        m,
        header,
        rows,
    })
}

/// The shard indices missing from tune shard folders `dirs` (those that
/// exist are read; absent folders are skipped), and the shard count.
pub fn missing(dirs: &[PathBuf]) -> Result<(Vec<u64>, u64), Failure> {
    let shards: Vec<ShardIn> = dirs
        .iter()
        .filter(|d| is_tune_dir(d))
        .map(|d| read_shard(d))
        .collect::<Result<_, _>>()?;
    let Some(first) = shards.first() else {
        return Err(Failure::BadInput(
            "stratus merge --missing: none of the folders is a tune shard".into(),
        ));
    };
    let n = first.m.shard.map_or(1, |s| s.count);
    let have: std::collections::BTreeSet<u64> = shards
        .iter()
        .filter_map(|s| s.m.shard.map(|x| x.index))
        .collect();
    Ok(((0..n).filter(|k| !have.contains(k)).collect(), n))
}

/// Combine tune shard folders into one tune folder `out`.
pub fn merge(dirs: &[PathBuf], out: &Path, charts: bool) -> Result<Outcome, Failure> {
    output::check_replaceable(out).map_err(out_failure)?;
    let shards = dirs
        .iter()
        .map(|d| read_shard(d))
        .collect::<Result<Vec<_>, _>>()?;
    let Some(first) = shards.first() else {
        return Err(Failure::BadInput(
            "stratus merge: give the shard folders to merge".into(),
        ));
    };
    for s in &shards[1..] {
        if s.m.key() != first.m.key() {
            return Err(Failure::BadInput(format!(
                "stratus merge: {} and {} are not shards of the same tune (their tune.json differ)",
                first.dir.display(),
                s.dir.display()
            )));
        }
    }
    let m0 = &first.m;
    let params = m0
        .params
        .iter()
        .map(|p| parse_tparam(p))
        .collect::<Result<Vec<_>, _>>()?;
    let want = header(m0, &params);
    let mut by_stream: BTreeMap<u32, usize> = BTreeMap::new();
    let mut rows: Vec<(u32, u32, Vec<String>)> = Vec::new();
    for (si, s) in shards.iter().enumerate() {
        if s.header != want {
            return Err(Failure::BadInput(format!(
                "stratus merge: {}: tune.csv's columns are not this tune's",
                s.dir.display()
            )));
        }
        let streams: std::collections::BTreeSet<u32> = match s.m.shard {
            Some(sh) => (0..m0.streams)
                .filter(|j| *j as u64 % sh.count == sh.index)
                .collect(),
            None => (0..m0.streams).collect(),
        };
        for j in streams {
            if let Some(sj) = by_stream.insert(j, si) {
                return Err(Failure::BadInput(format!(
                    "stratus merge: search stream {j} is in both {} and {} (a shard given twice?)",
                    shards[sj].dir.display(),
                    s.dir.display()
                )));
            }
        }
        for r in &s.rows {
            let st: u32 = r.first().and_then(|x| x.parse().ok()).unwrap_or(u32::MAX);
            let id: u32 = r.get(1).and_then(|x| x.parse().ok()).unwrap_or(u32::MAX);
            rows.push((st, id, r.clone()));
        }
    }
    let absent: Vec<u32> = (0..m0.streams)
        .filter(|j| !by_stream.contains_key(j))
        .collect();
    if !absent.is_empty() {
        let n = m0.shard.map_or(1, |s| s.count);
        let ks: std::collections::BTreeSet<u64> = absent.iter().map(|j| *j as u64 % n).collect();
        return Err(Failure::BadInput(format!(
            "stratus merge: shard{} {} of {n} missing (see `stratus merge --missing`)",
            if ks.len() == 1 { "" } else { "s" },
            ks.iter().map(u64::to_string).collect::<Vec<_>>().join(",")
        )));
    }
    rows.sort_by_key(|r| (r.0, r.1));
    let mut m = m0.clone();
    m.shard = None;
    let (files, md) = finish(&m, &params, rows.into_iter().map(|r| r.2).collect(), charts)?;
    output::write_folder(out, &files).map_err(out_failure)?;
    Ok(Outcome {
        text: format!(
            "stratus merge · {} · {} tune shard folder{}\n\n{md}\nwrote {}/ ({})\n",
            m.scenario,
            shards.len(),
            if shards.len() == 1 { "" } else { "s" },
            out.display(),
            names(&files)
        ),
        dir: out.to_path_buf(),
        files,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_parse_in_scenario_units() {
        let p = parse_tparam("a=30..70").unwrap();
        assert_eq!(
            p.domain,
            Domain::Real {
                lo: 30.0,
                hi: 70.0,
                step: 0.01,
                duration: false
            }
        );
        assert_eq!(p.value(0.0), "30");
        assert_eq!(p.value(1.0), "70");
        assert_eq!(p.value(0.123456), "34.94");
        let p = parse_tparam("a=2..12:int").unwrap();
        assert_eq!(p.value(0.0), "2");
        assert_eq!(p.value(0.999), "12");
        assert_eq!(p.value(0.5), "7");
        let p = parse_tparam("w=30s..5m:int").unwrap();
        assert_eq!(p.value(1.0), "300s");
        let p = parse_tparam("w=30s..300s").unwrap();
        assert_eq!(p.value(0.5), "165s");
        let p = parse_tparam("t=40%..60%").unwrap();
        assert_eq!(p.value(0.5), "50");
        let p = parse_tparam("x=a,b,c").unwrap();
        assert_eq!(p.value(0.0), "a");
        assert_eq!(p.value(0.5), "b");
        assert_eq!(p.value(1.0), "c");
        assert!(parse_tparam("x=5..1").is_err());
        assert!(parse_tparam("x=1s..5").is_err());
        assert!(parse_tparam("x=1.5..5:int").is_err());
        assert!(parse_tparam("x=a").is_err());
        assert!(parse_tparam("x=1..5:float").is_err());
    }

    #[test]
    fn constraints_parse_and_use_the_interval() {
        let c = parse_constraint("requests.error_rate_pct<=0.5").unwrap();
        assert_eq!(c.metric, "requests.error_rate_pct");
        assert!(c.at_most);
        assert_eq!(c.bound, 0.5);
        assert!(c.check(0.4, 0.05).1);
        // Meets it on the mean, not with the half-width: not feasible.
        assert!(!c.check(0.4, 0.2).1);
        let c = parse_constraint("ok >= 1000").unwrap();
        assert!(!c.at_most);
        assert!(c.check(1100.0, 50.0).1);
        assert!(!c.check(1100.0, 150.0).1);
        assert!(parse_constraint("p99").is_err());
        assert!(parse_constraint("p99<=x").is_err());
    }

    #[test]
    fn latin_hypercube_has_one_point_per_stratum() {
        let mut r = crate::sim::rng::stream(1, "t");
        let pts = lhs(&mut r, 10, &[0.0, 0.0], &[1.0, 1.0]);
        for k in 0..2 {
            let mut strata: Vec<usize> = pts.iter().map(|p| (p[k] * 10.0) as usize).collect();
            strata.sort();
            assert_eq!(strata, (0..10).collect::<Vec<_>>());
        }
    }

    #[test]
    fn planned_runs_count_halving() {
        // 10 at 1, 5 more at 2, 3 more at 3.
        assert_eq!(planned_runs(10, 3), 10 + 5 + 3);
        assert_eq!(planned_runs(10, 1), 10);
        // 8 → 4 at 2 → 2 at 4.
        assert_eq!(planned_runs(8, 4), 8 + 4 + 2 * 2);
    }
}
