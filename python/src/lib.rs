//! `stratus._stratus`: the native half of the Python package. It loads and
//! validates scenarios with the library's loader, runs them with the GIL
//! released, and hands the results to `stratus/__init__.py` as plain values
//! (JSON text, CSV text, packed little-endian columns, SVG text, Parquet
//! bytes), which builds the pandas/polars objects.
//!
//! Every simulation runs on a worker thread while the calling thread, with
//! the GIL released, waits for it and checks for signals every 50 ms; on
//! Ctrl-C (KeyboardInterrupt) it raises a flag that the runs' progress
//! callbacks poll, and they unwind promptly.

use pyo3::exceptions::{PyOSError, PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyBytes;
use std::collections::HashMap;
use std::panic::AssertUnwindSafe;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use stratus::experiment::table::Table;
use stratus::experiment::{self, Failure, compare as cmp, stats, sweep as swp};
use stratus::report::{charts, explain, metrics::fmt_num, output, parquet, render};
use stratus::run::RunResult;
use stratus::scenario::{self as scn, Diagnostics, LoadOptions};

// ------------------------------------------------------------------ errors

/// `stratus.ScenarioError(message, problems)`, problems as
/// `(file, line, col, path, message)` tuples.
fn scenario_error(py: Python<'_>, prefix: &str, d: &Diagnostics) -> PyErr {
    let problems: Vec<(String, usize, usize, String, String)> = d
        .iter()
        .map(|p| {
            (
                p.file.clone(),
                p.line,
                p.col,
                p.path.clone(),
                p.message.clone(),
            )
        })
        .collect();
    let text = format!("{prefix}{}", d.to_string().trim_end());
    match py
        .import("stratus._errors")
        .and_then(|m| m.getattr("ScenarioError"))
        .and_then(|cls| cls.call1((text.clone(), problems)))
    {
        Ok(e) => PyErr::from_value(e),
        Err(e) => e,
    }
}

fn failure(f: Failure) -> PyErr {
    match f {
        Failure::BadInput(m) => PyValueError::new_err(m),
        Failure::Internal(m) => PyRuntimeError::new_err(m),
    }
}

fn out_error(e: output::OutputError) -> PyErr {
    match e {
        output::OutputError::NotOurs(_) => PyValueError::new_err(e.to_string()),
        output::OutputError::Io(_) => PyOSError::new_err(e.to_string()),
    }
}

// ------------------------------------------------------------ interrupts

/// The payload a cancelled run unwinds with.
struct Interrupted;

/// A progress callback that unwinds the run when `cancel` is set.
fn watch(cancel: &AtomicBool) -> impl FnMut(f64) + '_ {
    move |_| {
        if cancel.load(Ordering::Relaxed) {
            std::panic::resume_unwind(Box::new(Interrupted));
        }
    }
}

/// Run `work` on a worker thread with the GIL released; the calling thread
/// checks for signals meanwhile and, when one raises (Ctrl-C), sets the
/// flag `work`'s runs poll and raises the signal's exception once the
/// worker has stopped.
fn interruptible<T: Send>(
    py: Python<'_>,
    work: impl FnOnce(&AtomicBool) -> T + Send,
) -> PyResult<T> {
    let cancel = AtomicBool::new(false);
    let mut signal: Option<PyErr> = None;
    let result = py.detach(|| {
        std::thread::scope(|s| {
            let (tx, rx) = std::sync::mpsc::channel();
            let cancel = &cancel;
            s.spawn(move || {
                let r = std::panic::catch_unwind(AssertUnwindSafe(|| work(cancel)));
                let _ = tx.send(r);
            });
            loop {
                match rx.recv_timeout(Duration::from_millis(50)) {
                    Ok(r) => return Some(r),
                    Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => return None,
                    Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                        if signal.is_none()
                            && let Err(e) = Python::attach(|py| py.check_signals())
                        {
                            signal = Some(e);
                            cancel.store(true, Ordering::Relaxed);
                        }
                    }
                }
            }
        })
    });
    match result {
        Some(Ok(v)) => match signal {
            // The work finished before it saw the flag: still honour Ctrl-C.
            Some(e) => Err(e),
            None => Ok(v),
        },
        Some(Err(p)) if p.is::<Interrupted>() => {
            Err(signal.unwrap_or_else(|| PyRuntimeError::new_err("the run was interrupted")))
        }
        Some(Err(p)) => {
            let why = p
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "a run panicked".into());
            Err(signal.unwrap_or_else(|| PyRuntimeError::new_err(format!("internal error: {why}"))))
        }
        None => Err(PyRuntimeError::new_err("the worker thread stopped")),
    }
}

// --------------------------------------------------------------- scenario

/// A loaded, validated scenario and how it was loaded (so that variants,
/// `set`s and seeds can be applied again from the source).
#[pyclass(module = "stratus._stratus", frozen)]
struct NativeScenario {
    src: Arc<String>,
    file: String,
    base_dir: PathBuf,
    opts: LoadOptions,
    sc: Arc<scn::Scenario>,
}

impl NativeScenario {
    fn reload(&self, opts: LoadOptions) -> Result<scn::Scenario, Diagnostics> {
        scn::load_str(&self.src, &self.file, &self.base_dir, &opts)
    }
}

#[pymethods]
impl NativeScenario {
    /// Load again with other options (sets, variant, seed).
    #[pyo3(signature = (sets, variant=None, seed=None))]
    fn with_options(
        &self,
        py: Python<'_>,
        sets: Vec<String>,
        variant: Option<String>,
        seed: Option<u64>,
    ) -> PyResult<NativeScenario> {
        let opts = LoadOptions {
            sets,
            variant,
            seed,
        };
        let sc = self
            .reload(opts.clone())
            .map_err(|d| scenario_error(py, "", &d))?;
        Ok(NativeScenario {
            src: self.src.clone(),
            file: self.file.clone(),
            base_dir: self.base_dir.clone(),
            opts,
            sc: Arc::new(sc),
        })
    }
    #[getter]
    fn name(&self) -> String {
        self.sc.name.clone()
    }
    #[getter]
    fn seed(&self) -> u64 {
        self.sc.seed
    }
    #[getter]
    fn duration_s(&self) -> f64 {
        self.sc.duration.as_secs_f64()
    }
    #[getter]
    fn variants(&self) -> Vec<String> {
        self.sc.variants.iter().map(|v| v.name.clone()).collect()
    }
    #[getter]
    fn source(&self) -> String {
        self.src.to_string()
    }
    #[getter]
    fn file(&self) -> String {
        self.file.clone()
    }
    #[getter]
    fn sets(&self) -> Vec<String> {
        self.opts.sets.clone()
    }
    #[getter]
    fn variant(&self) -> Option<String> {
        self.opts.variant.clone()
    }
    #[getter]
    fn seed_override(&self) -> Option<u64> {
        self.opts.seed
    }
    #[getter]
    fn groups(&self) -> Vec<String> {
        self.sc
            .auto_scaling_groups
            .iter()
            .map(|g| g.name.clone())
            .collect()
    }
    #[getter]
    fn load_balancers(&self) -> Vec<String> {
        self.sc
            .load_balancers
            .iter()
            .map(|l| l.name.clone())
            .collect()
    }
}

/// Load a scenario file as `stratus validate FILE` / `stratus run FILE` do.
#[pyfunction]
#[pyo3(signature = (path, sets=vec![], variant=None, seed=None))]
fn load_file(
    py: Python<'_>,
    path: PathBuf,
    sets: Vec<String>,
    variant: Option<String>,
    seed: Option<u64>,
) -> PyResult<NativeScenario> {
    let opts = LoadOptions {
        sets,
        variant,
        seed,
    };
    let sc = scn::load_file(&path, &opts).map_err(|d| scenario_error(py, "", &d))?;
    // It loaded, so it reads as UTF-8 text.
    let src = std::fs::read_to_string(&path).map_err(|e| PyOSError::new_err(e.to_string()))?;
    let base = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let base_dir = base.canonicalize().unwrap_or(base);
    Ok(NativeScenario {
        src: Arc::new(src),
        file: path.display().to_string(),
        base_dir,
        opts,
        sc: Arc::new(sc),
    })
}

/// Load a scenario from YAML text; `file` names it in messages, trace files
/// are looked up in `base_dir`.
#[pyfunction]
#[pyo3(signature = (src, file, base_dir, sets=vec![], variant=None, seed=None))]
fn load_text(
    py: Python<'_>,
    src: String,
    file: String,
    base_dir: PathBuf,
    sets: Vec<String>,
    variant: Option<String>,
    seed: Option<u64>,
) -> PyResult<NativeScenario> {
    let opts = LoadOptions {
        sets,
        variant,
        seed,
    };
    let sc =
        scn::load_str(&src, &file, &base_dir, &opts).map_err(|d| scenario_error(py, "", &d))?;
    Ok(NativeScenario {
        src: Arc::new(src),
        file,
        base_dir,
        opts,
        sc: Arc::new(sc),
    })
}

/// The JSON Schema of the scenario format (`stratus schema`).
#[pyfunction]
fn schema() -> String {
    scn::schema_json()
}

// -------------------------------------------------------------------- run

type Files = Vec<(String, Vec<u8>)>;

/// One run's results.
#[pyclass(module = "stratus._stratus", frozen)]
struct NativeRun {
    sc: Arc<scn::Scenario>,
    r: Arc<RunResult>,
    dashboard: OnceLock<Result<Files, String>>,
}

impl NativeRun {
    fn new(sc: Arc<scn::Scenario>, r: RunResult) -> NativeRun {
        NativeRun {
            sc,
            r: Arc::new(r),
            dashboard: OnceLock::new(),
        }
    }

    fn dashboard_files(&self, py: Python<'_>) -> PyResult<&Files> {
        let d = py.detach(|| {
            self.dashboard
                .get_or_init(|| render::dashboard(&self.sc, &self.r))
        });
        d.as_ref().map_err(|e| PyRuntimeError::new_err(e.clone()))
    }
}

fn le_bytes<'py, T: Copy, const N: usize>(
    py: Python<'py>,
    v: impl Iterator<Item = T>,
    f: fn(T) -> [u8; N],
) -> Bound<'py, PyBytes> {
    let mut out = Vec::new();
    for x in v {
        out.extend_from_slice(&f(x));
    }
    PyBytes::new(py, &out)
}

#[pymethods]
impl NativeRun {
    /// `summary.json` as `stratus run` writes it.
    fn summary_json(&self) -> PyResult<String> {
        let mut s = serde_json::to_string_pretty(&self.r.summary)
            .map_err(|e| PyRuntimeError::new_err(e.to_string()))?;
        s.push('\n');
        Ok(s)
    }
    /// `metrics.csv` text.
    fn metrics_csv(&self) -> String {
        self.r.series.to_csv()
    }
    /// `activities.csv` text.
    fn activities_csv(&self) -> String {
        output::activities_csv(&self.r)
    }
    /// The rows of `metrics.csv` as packed columns: t_s (f64), resource
    /// codes (i32) and names, metric codes (i32) and names, value (f64, as
    /// the CSV prints it).
    #[allow(clippy::type_complexity)]
    fn metrics_columns<'py>(
        &self,
        py: Python<'py>,
    ) -> (
        Bound<'py, PyBytes>,
        Bound<'py, PyBytes>,
        Vec<String>,
        Bound<'py, PyBytes>,
        Vec<String>,
        Bound<'py, PyBytes>,
    ) {
        let rows = &self.r.series.rows;
        let mut names: Vec<&'static str> = Vec::new();
        let mut index: HashMap<&'static str, i32> = HashMap::new();
        let codes: Vec<i32> = rows
            .iter()
            .map(|r| {
                *index.entry(r.metric).or_insert_with(|| {
                    names.push(r.metric);
                    names.len() as i32 - 1
                })
            })
            .collect();
        (
            le_bytes(py, rows.iter().map(|r| r.t as f64 / 1e9), f64::to_le_bytes),
            le_bytes(py, rows.iter().map(|r| r.resource as i32), i32::to_le_bytes),
            self.r.series.resources.clone(),
            le_bytes(py, codes.into_iter(), i32::to_le_bytes),
            names.into_iter().map(String::from).collect(),
            le_bytes(
                py,
                rows.iter().map(|r| parquet::csv_value(r.value)),
                f64::to_le_bytes,
            ),
        )
    }
    /// The dashboard's charts as (name, SVG text), in dashboard order.
    fn charts(&self, py: Python<'_>) -> PyResult<Vec<(String, String)>> {
        Ok(self
            .dashboard_files(py)?
            .iter()
            .filter_map(|(name, bytes)| {
                let n = name.strip_prefix("charts/")?.strip_suffix(".svg")?;
                Some((n.to_string(), String::from_utf8_lossy(bytes).into_owned()))
            })
            .collect())
    }
    /// The run's `report.html`.
    fn report_html(&self, py: Python<'_>) -> PyResult<String> {
        Ok(self
            .dashboard_files(py)?
            .iter()
            .find(|(n, _)| n == "report.html")
            .map(|(_, b)| String::from_utf8_lossy(b).into_owned())
            .unwrap_or_default())
    }
    /// `stratus explain`'s timeline.
    #[pyo3(signature = (resource=None))]
    fn explain(&self, resource: Option<&str>) -> PyResult<String> {
        explain::explain_csv(output::activities_csv(&self.r).as_bytes(), resource)
            .map_err(PyRuntimeError::new_err)
    }
    /// `metrics.parquet` and `activities.parquet` bytes.
    fn parquet<'py>(&self, py: Python<'py>) -> PyResult<Vec<(String, Bound<'py, PyBytes>)>> {
        let files = py
            .detach(|| parquet::run_files(&self.r))
            .map_err(PyRuntimeError::new_err)?;
        Ok(files
            .into_iter()
            .map(|(n, b)| (n, PyBytes::new(py, &b)))
            .collect())
    }
    /// Write the run folder as `stratus run --out DIR` does (atomically,
    /// only replacing an empty folder or an earlier stratus output).
    #[pyo3(signature = (out, csv=true, parquet=false, charts=true))]
    fn write(
        &self,
        py: Python<'_>,
        out: PathBuf,
        csv: bool,
        parquet: bool,
        charts: bool,
    ) -> PyResult<()> {
        output::check_replaceable(&out).map_err(out_error)?;
        let mut files = output::run_files(&self.r);
        if !csv {
            files.retain(|(n, _)| !n.ends_with(".csv"));
        }
        if parquet {
            files.extend(
                py.detach(|| parquet::run_files(&self.r))
                    .map_err(PyRuntimeError::new_err)?,
            );
        }
        if charts {
            files.extend(self.dashboard_files(py)?.iter().cloned());
        }
        py.detach(|| output::write_folder(&out, &files))
            .map_err(out_error)
    }
}

/// Simulate a scenario (the GIL released; Ctrl-C interrupts).
#[pyfunction]
fn simulate(py: Python<'_>, s: &NativeScenario) -> PyResult<NativeRun> {
    let sc = s.sc.clone();
    let variant = s.opts.variant.clone();
    let r = interruptible(py, |cancel| {
        stratus::run::simulate(&sc, variant.as_deref(), &mut watch(cancel))
    })?;
    Ok(NativeRun::new(sc, r))
}

// ---------------------------------------------------------------- compare

/// A comparison's results.
#[pyclass(module = "stratus._stratus", frozen)]
struct NativeComparison {
    base: Arc<scn::Scenario>,
    names: Vec<String>,
    seed: u64,
    replications: u32,
    /// Per variant, per replication.
    runs: Vec<Vec<Arc<RunResult>>>,
    scenarios: Vec<Arc<scn::Scenario>>,
    csv: String,
    replications_csv: Option<String>,
}

#[pymethods]
impl NativeComparison {
    /// `comparison.csv` text, as `stratus compare` writes it.
    fn comparison_csv(&self) -> String {
        self.csv.clone()
    }
    /// `replications.csv` text (more than one replication).
    fn replications_csv(&self) -> Option<String> {
        self.replications_csv.clone()
    }
    #[getter]
    fn names(&self) -> Vec<String> {
        self.names.clone()
    }
    #[getter]
    fn seed(&self) -> u64 {
        self.seed
    }
    #[getter]
    fn replications(&self) -> u32 {
        self.replications
    }
    /// Each variant's first-seed run (as `runs/<variant>/`).
    fn runs(&self) -> Vec<(String, NativeRun)> {
        self.names
            .iter()
            .zip(&self.runs)
            .zip(&self.scenarios)
            .map(|((n, rs), sc)| {
                (
                    n.clone(),
                    NativeRun {
                        sc: sc.clone(),
                        r: rs[0].clone(),
                        dashboard: OnceLock::new(),
                    },
                )
            })
            .collect()
    }
    /// The overlay charts as (name, title, SVG text), as `stratus compare`
    /// draws them (means over replications).
    fn charts(&self, py: Python<'_>) -> PyResult<Vec<(String, String, String)>> {
        let runs: Vec<Vec<&RunResult>> = self
            .runs
            .iter()
            .map(|rs| rs.iter().map(|r| r.as_ref()).collect())
            .collect();
        let subtitle = format!(
            "{} · seed {}{}",
            self.base.name,
            self.seed,
            if self.replications > 1 {
                format!(" · mean of {} seeds", self.replications)
            } else {
                String::new()
            }
        );
        let list = cmp::overlays(&self.base, &self.names, &runs);
        let dur = self.base.duration.as_secs_f64();
        py.detach(|| {
            list.iter()
                .map(|ov| {
                    charts::overlay(ov, dur, &subtitle)
                        .map(|(_, svg)| (ov.name.clone(), ov.title.clone(), svg))
                })
                .collect::<Result<Vec<_>, String>>()
        })
        .map_err(PyRuntimeError::new_err)
    }
}

/// Run the base and variants with common random numbers, as `stratus
/// compare` does. `pick`: the file's variants to run (None: all);
/// `adhoc`: (name, sets) variants added after them.
#[pyfunction]
#[pyo3(signature = (s, pick=None, adhoc=vec![], replications=1, jobs=None))]
fn compare(
    py: Python<'_>,
    s: &NativeScenario,
    pick: Option<Vec<String>>,
    adhoc: Vec<(String, Vec<String>)>,
    replications: u32,
    jobs: Option<usize>,
) -> PyResult<NativeComparison> {
    if replications == 0 {
        return Err(PyValueError::new_err("replications: must be at least 1"));
    }
    if s.opts.variant.is_some() {
        return Err(PyValueError::new_err(
            "compare runs the base scenario and its variants: pass the base scenario, not one variant",
        ));
    }
    let base = s.sc.clone();
    let file_variants: Vec<String> = base.variants.iter().map(|v| v.name.clone()).collect();
    let specs = cmp::plan(&file_variants, pick.as_deref(), &adhoc).map_err(failure)?;
    let seed0 = base.seed;
    // Load every run first: bad input stops everything before any work.
    let mut jobs_list: Vec<(usize, u32, Arc<scn::Scenario>)> = Vec::new();
    for (i, spec) in specs.iter().enumerate() {
        for r in 0..replications {
            let mut sets = s.opts.sets.clone();
            sets.extend(spec.sets.iter().cloned());
            let sc = s
                .reload(LoadOptions {
                    sets,
                    variant: spec.file_variant.clone(),
                    seed: Some(seed0.wrapping_add(r as u64)),
                })
                .map_err(|d| {
                    let prefix = if i > 0 {
                        format!("in variant \"{}\":\n", spec.name)
                    } else {
                        String::new()
                    };
                    scenario_error(py, &prefix, &d)
                })?;
            jobs_list.push((i, r, Arc::new(sc)));
        }
    }
    let names: Vec<String> = specs.iter().map(|s| s.name.clone()).collect();
    let results: Vec<RunResult> = interruptible(py, |cancel| {
        let cost: Vec<f64> = jobs_list.iter().map(|j| swp::expected_work(&j.2)).collect();
        swp::in_pool(jobs, || {
            swp::run_longest_first(&cost, |k| {
                let (spec, _, sc) = &jobs_list[k];
                let name = (*spec > 0).then(|| names[*spec].as_str());
                stratus::run::simulate(sc, name, &mut watch(cancel))
            })
        })
    })?
    .map_err(failure)?;

    let n = specs.len();
    let mut per: Vec<Vec<Vec<f64>>> = vec![Vec::new(); n];
    let mut runs: Vec<Vec<Arc<RunResult>>> = vec![Vec::new(); n];
    let mut scenarios: Vec<Option<Arc<scn::Scenario>>> = vec![None; n];
    let mut rep_rows = Vec::new();
    // The same columns as `stratus compare` (per queue and table too).
    let all: Vec<&stratus::report::summary::Summary> = results.iter().map(|r| &r.summary).collect();
    let cols = cmp::columns(&all);
    for ((spec, rep, sc), r) in jobs_list.iter().zip(results) {
        let f = cmp::column_values(&cols, &r.summary);
        rep_rows.push((*spec, *rep, sc.seed, f.clone()));
        per[*spec].push(f);
        runs[*spec].push(Arc::new(r));
        if *rep == 0 {
            scenarios[*spec] = Some(sc.clone());
        }
    }
    let st: Vec<Vec<(f64, f64)>> = per
        .iter()
        .map(|rows| {
            (0..cols.len())
                .map(|k| {
                    let xs: Vec<f64> = rows.iter().map(|r| r[k]).collect();
                    stats::mean_ci95(&xs)
                })
                .collect()
        })
        .collect();
    let csv = cmp::comparison_csv(&names, &cols, &st, seed0, replications);
    let replications_csv = (replications > 1).then(|| {
        let mut header: Vec<String> = ["variant", "replication", "seed"].map(String::from).into();
        header.extend(cols.iter().map(|f| f.key.clone()));
        let mut t = Table::new(header);
        for (spec, rep, seed, f) in &rep_rows {
            let mut row = vec![names[*spec].clone(), rep.to_string(), seed.to_string()];
            row.extend(f.iter().map(|v| fmt_num(*v)));
            t.rows.push(row);
        }
        t.csv()
    });
    Ok(NativeComparison {
        base,
        names,
        seed: seed0,
        replications,
        runs,
        scenarios: scenarios.into_iter().map(|s| s.expect("rep 0")).collect(),
        csv,
        replications_csv,
    })
}

// ------------------------------------------------------------------ sweep

/// Run a grid of `set`s, as `stratus sweep` does: `params` as (path,
/// values); returns the parameter columns and rows of (fixed cells:
/// parameter values, replication, seed, grid index; figures as flattened
/// `summary.json` keys and the text `sweep.csv` prints).
#[pyfunction]
#[pyo3(signature = (s, params, replications=1, jobs=None))]
#[allow(clippy::type_complexity)]
fn sweep(
    py: Python<'_>,
    s: &NativeScenario,
    params: Vec<(String, Vec<String>)>,
    replications: u32,
    jobs: Option<usize>,
) -> PyResult<(Vec<String>, Vec<(Vec<String>, Vec<(String, String)>)>)> {
    if replications == 0 {
        return Err(PyValueError::new_err("replications: must be at least 1"));
    }
    if params.is_empty() {
        return Err(PyValueError::new_err("sweep needs at least one parameter"));
    }
    let mut ps: Vec<swp::Param> = Vec::new();
    for (path, values) in params {
        let path = path.trim().to_string();
        if path.is_empty() {
            return Err(PyValueError::new_err("a parameter's path is empty"));
        }
        if ps.iter().any(|p| p.path == path) {
            return Err(PyValueError::new_err(format!(
                "{path}: this path is swept twice"
            )));
        }
        if values.is_empty() {
            return Err(PyValueError::new_err(format!("{path}: no values")));
        }
        for (i, v) in values.iter().enumerate() {
            if values[..i].contains(v) {
                return Err(PyValueError::new_err(format!(
                    "{path}: the value {v} is listed twice"
                )));
            }
        }
        ps.push(swp::Param { path, values });
    }
    let grid_size = ps
        .iter()
        .try_fold(replications as u64, |acc, p| {
            acc.checked_mul(p.values.len() as u64)
        })
        .filter(|n| *n <= 100_000_000)
        .ok_or_else(|| PyValueError::new_err("the grid is too large (over 10⁸ runs)"))?;
    let m = swp::Manifest {
        stratus: "sweep".into(),
        version: 1,
        scenario: s.sc.name.clone(),
        file: s.file.clone(),
        variant: s.opts.variant.clone(),
        sets: s.opts.sets.clone(),
        seed: s.sc.seed,
        params: ps,
        replications,
        grid_size,
        shard: None,
        metric: swp::DEFAULT_METRIC.into(),
    };
    let mut scenarios = Vec::with_capacity(grid_size as usize);
    for i in 0..grid_size {
        let (_, r) = m.point(i);
        let extra = m.point_sets(i);
        let mut sets = m.sets.clone();
        sets.extend(extra.iter().cloned());
        let sc = s
            .reload(LoadOptions {
                sets,
                variant: m.variant.clone(),
                seed: Some(m.seed.wrapping_add(r as u64)),
            })
            .map_err(|d| scenario_error(py, &format!("at {}:\n", extra.join(" ")), &d))?;
        scenarios.push(sc);
    }
    let rows = interruptible(py, |cancel| {
        let work: Vec<f64> = scenarios.iter().map(swp::expected_work).collect();
        swp::in_pool(jobs, || {
            swp::run_longest_first(&work, |k| {
                let sc = &scenarios[k];
                let res = stratus::run::simulate(sc, m.variant.as_deref(), &mut watch(cancel));
                let (idx, r) = m.point(k as u64);
                let mut fixed: Vec<String> = m
                    .params
                    .iter()
                    .zip(&idx)
                    .map(|(p, &v)| p.values[v].clone())
                    .collect();
                fixed.push(r.to_string());
                fixed.push(sc.seed.to_string());
                fixed.push(k.to_string());
                (fixed, experiment::flatten_summary(&res.summary))
            })
        })
    })?
    .map_err(failure)?;
    Ok((m.params.iter().map(|p| p.path.clone()).collect(), rows))
}

/// The version of the package.
#[pyfunction]
fn version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}

/// The native module.
#[pymodule]
fn _stratus(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<NativeScenario>()?;
    m.add_class::<NativeRun>()?;
    m.add_class::<NativeComparison>()?;
    m.add_function(wrap_pyfunction!(load_file, m)?)?;
    m.add_function(wrap_pyfunction!(load_text, m)?)?;
    m.add_function(wrap_pyfunction!(schema, m)?)?;
    m.add_function(wrap_pyfunction!(simulate, m)?)?;
    m.add_function(wrap_pyfunction!(compare, m)?)?;
    m.add_function(wrap_pyfunction!(sweep, m)?)?;
    m.add_function(wrap_pyfunction!(version, m)?)?;
    Ok(())
}
