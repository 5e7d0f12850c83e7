//! Command-line arguments (parsed as given), kept apart from what they do.

use clap::{ArgMatches, Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// stratus: see how AWS systems behave under load.
#[derive(Parser, Debug)]
#[command(name = "stratus", version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Scenario options shared by the commands that load one.
#[derive(Args, Debug, Clone, Default)]
pub struct ScenarioArgs {
    /// Replace a value: PATH=VALUE, e.g. 'workloads[clients].rate=400' or duration=2h.
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub sets: Vec<String>,
    /// Override the scenario's seed.
    #[arg(long)]
    pub seed: Option<u64>,
}

/// Table format of a run folder's metrics and activities.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// `metrics.csv`, `activities.csv`.
    Csv,
    /// `metrics.parquet`, `activities.parquet`.
    Parquet,
}

/// Commands.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Simulate a scenario and write its run folder.
    Run {
        /// Scenario file.
        file: PathBuf,
        /// Run folder (default output/<scenario name>/).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Run this variant instead of the base scenario.
        #[arg(long)]
        variant: Option<String>,
        /// Scenario overrides.
        #[command(flatten)]
        scenario: ScenarioArgs,
        /// Print the summary as JSON on stdout.
        #[arg(long)]
        json: bool,
        /// Do not draw the charts.
        #[arg(long)]
        no_charts: bool,
        /// Run even when the run is estimated above 1e11 events (see
        /// `stratus validate`).
        #[arg(long)]
        allow_huge: bool,
        /// Table format of metrics and activities: csv (metrics.csv,
        /// activities.csv), parquet (metrics.parquet, activities.parquet,
        /// typed columns), or both: csv,parquet.
        #[arg(long, value_enum, value_delimiter = ',', default_value = "csv")]
        format: Vec<Format>,
    },
    /// Check a scenario file and print every problem.
    Validate {
        /// Scenario file.
        file: PathBuf,
        /// Scenario overrides to check too.
        #[command(flatten)]
        scenario: ScenarioArgs,
        /// Do not report a run estimated above 1e11 events as a problem.
        #[arg(long)]
        allow_huge: bool,
    },
    /// Print the JSON Schema of the scenario format (for editors).
    Schema,
    /// Run the base scenario and variants with common random numbers; compare them.
    ///
    /// `--set`s given before the first `--variant` apply to every run (the
    /// base too); each `--set` after `--variant NAME` belongs to NAME, up to
    /// the next `--variant`. A NAME that is one of the file's variants applies
    /// that variant and then its `--set`s.
    Compare {
        /// Scenario file.
        file: PathBuf,
        /// Run only these of the file's variants (comma-separated; `''` for
        /// none: only the base and the command line's).
        #[arg(long, value_name = "A,B", value_delimiter = ',')]
        variants: Option<Vec<String>>,
        /// Add a variant; the `--set`s that follow belong to it.
        #[arg(long = "variant", value_name = "NAME")]
        variant: Vec<String>,
        /// Replace a value: PATH=VALUE (for every run before any --variant,
        /// else for the preceding --variant).
        #[arg(long = "set", value_name = "PATH=VALUE")]
        sets: Vec<String>,
        /// Override the scenario's seed.
        #[arg(long)]
        seed: Option<u64>,
        /// Runs per variant, with seeds seed, seed+1, …; means with 95 %
        /// confidence intervals when more than 1.
        #[arg(long, default_value_t = 1, value_name = "N")]
        replications: u32,
        /// Output folder (default output/<scenario name>-compare/).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Threads (default: one per core).
        #[arg(long, value_name = "N")]
        jobs: Option<usize>,
        /// Do not draw the charts.
        #[arg(long)]
        no_charts: bool,
        /// Run even when the runs are estimated above 1e11 events in all.
        #[arg(long)]
        allow_huge: bool,
    },
    /// Run a grid of parameter values in parallel; one row per run in sweep.csv.
    ///
    /// Grid indices count from 0, the first --param varying slowest and the
    /// replication fastest. `--shard K/N` runs the indices i with
    /// i % N == K; `--shard auto` takes K from AWS_BATCH_JOB_ARRAY_INDEX,
    /// JOB_COMPLETION_INDEX or SLURM_ARRAY_TASK_ID (arrays numbered from 0)
    /// and N from --shards or STRATUS_SHARDS.
    Sweep {
        /// Scenario file.
        file: PathBuf,
        /// A swept value: PATH=V1,V2,... (repeat for a grid).
        #[arg(long = "param", value_name = "PATH=V1,V2,...", required = true)]
        params: Vec<String>,
        /// Scenario overrides for every run.
        #[command(flatten)]
        scenario: ScenarioArgs,
        /// Sweep this variant instead of the base scenario.
        #[arg(long)]
        variant: Option<String>,
        /// Runs per grid point, with seeds seed, seed+1, ….
        #[arg(long, default_value_t = 1, value_name = "N")]
        replications: u32,
        /// Threads (default: one per core).
        #[arg(long, value_name = "N")]
        jobs: Option<usize>,
        /// Output folder (default output/<scenario name>-sweep/, or
        /// output/<scenario name>-sweep-shard-K-of-N/ for a shard).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Run one share of the grid: K/N (K from 0) or auto.
        #[arg(long, value_name = "K/N|auto")]
        shard: Option<String>,
        /// Number of shards for --shard auto (else STRATUS_SHARDS).
        #[arg(long, value_name = "N")]
        shards: Option<u64>,
        /// The figure to chart, a flattened summary.json key.
        #[arg(long, value_name = "NAME", default_value = "requests.latency_ms.p99")]
        metric: String,
        /// Do not draw the chart.
        #[arg(long)]
        no_charts: bool,
        /// Run even when the runs are estimated above 1e11 events in all.
        #[arg(long)]
        allow_huge: bool,
    },
    /// Combine the shard folders of a sweep (or a tune) into one folder.
    ///
    /// With `--missing`, write nothing: print the shard indices that are
    /// absent or incomplete, comma-separated (e.g. `3,5`, for
    /// `sbatch --array=3,5`), or nothing when every shard is there.
    Merge {
        /// Shard folders written by `stratus sweep --shard` or `stratus tune --shard`.
        #[arg(required = true)]
        dirs: Vec<PathBuf>,
        /// The merged folder.
        #[arg(long, required_unless_present = "missing")]
        out: Option<PathBuf>,
        /// List the missing shard indices instead of merging.
        #[arg(long)]
        missing: bool,
        /// Chart this figure instead of the shards' --metric.
        #[arg(long, value_name = "NAME")]
        metric: Option<String>,
        /// Do not draw the chart.
        #[arg(long)]
        no_charts: bool,
    },
    /// Search parameters for the best configuration that meets constraints.
    ///
    /// Latin hypercube exploration, refinement around each stream's best
    /// point, then successive halving over replications with common random
    /// numbers; constraints are checked on the mean plus the 95 % CI
    /// half-width. `--shard` splits the search streams like `sweep` splits
    /// its grid; `stratus merge` combines the shards.
    Tune {
        /// Scenario file.
        file: PathBuf,
        /// A tuned value: PATH=lo..hi, PATH=lo..hi:int or PATH=a,b,c
        /// (durations like 30s..5m, percentages like 30%..80% or plain numbers).
        #[arg(long = "param", value_name = "PATH=RANGE", required = true)]
        params: Vec<String>,
        /// The figure to optimise: a comparison.csv column (cost_usd,
        /// latency_p99_ms, error_rate_pct, …) or a flattened summary.json key.
        #[arg(long, value_name = "METRIC", default_value = "cost_usd")]
        objective: String,
        /// Maximise the objective (default: minimise).
        #[arg(long)]
        maximize: bool,
        /// A constraint METRIC<=X or METRIC>=X (repeat).
        #[arg(long = "constraint", value_name = "METRIC<=X")]
        constraints: Vec<String>,
        /// Candidates to evaluate (default 30).
        #[arg(long, value_name = "N")]
        budget: Option<u32>,
        /// Replications of the surviving candidates (default 3).
        #[arg(long, value_name = "N")]
        replications: Option<u32>,
        /// Independent search streams, the unit of sharding (default 4).
        #[arg(long, value_name = "N")]
        streams: Option<u32>,
        /// Scenario overrides for every run.
        #[command(flatten)]
        scenario: ScenarioArgs,
        /// Tune this variant instead of the base scenario.
        #[arg(long)]
        variant: Option<String>,
        /// Threads (default: one per core).
        #[arg(long, value_name = "N")]
        jobs: Option<usize>,
        /// Output folder (default output/<scenario name>-tune/).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Run one share of the search streams: K/N (K from 0) or auto.
        #[arg(long, value_name = "K/N|auto")]
        shard: Option<String>,
        /// Number of shards for --shard auto (else STRATUS_SHARDS).
        #[arg(long, value_name = "N")]
        shards: Option<u64>,
        /// Do not draw the chart.
        #[arg(long)]
        no_charts: bool,
        /// Run even when the runs are estimated above 1e11 events in all.
        #[arg(long)]
        allow_huge: bool,
    },
    /// Write a scenario from AWS descriptions (CLI JSON, CloudFormation, Terraform plan JSON).
    Import(crate::import::cli::ImportArgs),
    /// Replay recorded CloudWatch load and compare with what AWS recorded.
    Backtest(crate::experiment::backtest::BacktestArgs),
    /// Write the book's reference pages (scenario format, command line,
    /// outputs) as Markdown, generated from the schema, clap and the code's
    /// lists.
    Reference {
        /// Folder to write scenario-format.md, cli.md and outputs.md into.
        #[arg(long, default_value = "docs/src/reference")]
        out: PathBuf,
    },
    /// Tell the story of a run: its activity history as a timeline.
    Explain {
        /// A run folder written by `stratus run`.
        run_dir: PathBuf,
        /// Only this resource (group, load balancer, queue, table).
        #[arg(long)]
        resource: Option<String>,
        /// Only activities of this kind (`scaling`, `terminate`, `alarm`, …).
        #[arg(long)]
        kind: Option<String>,
    },
}

/// Checks, before anything runs, that the folder `dir` can be written: its
/// nearest existing ancestor must be a folder in which a folder can be
/// created (tried and removed at once). A bad `--out` is bad input, so the
/// message names the path.
pub fn check_out_path(dir: &std::path::Path) -> Result<(), String> {
    let bad = |why: String| {
        format!(
            "--out: cannot write the output folder {}: {why}",
            dir.display()
        )
    };
    let mut at = dir;
    let existing = loop {
        match std::fs::metadata(at) {
            Ok(m) => break (at, m),
            Err(_) => match at.parent() {
                Some(p) if !p.as_os_str().is_empty() => at = p,
                _ => return Ok(()), // a relative path under the current folder
            },
        }
    };
    let (folder, meta) = existing;
    if !meta.is_dir() {
        return Err(bad(format!("{} is not a folder", folder.display())));
    }
    if folder == dir {
        // The folder exists: whether it may be replaced is checked later.
        return Ok(());
    }
    let probe = folder.join(format!(".stratus-probe-{}", std::process::id()));
    match std::fs::create_dir(&probe) {
        Ok(()) => {
            let _ = std::fs::remove_dir(&probe);
            Ok(())
        }
        Err(e) => Err(bad(format!(
            "cannot create a folder in {} ({})",
            folder.display(),
            io_words(&e)
        ))),
    }
}

/// An I/O error in words, without the `(os error N)` tail.
fn io_words(e: &std::io::Error) -> String {
    let s = e.to_string();
    match s.find(" (os error") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

/// `compare`'s `--set`s grouped by argv order: those before the first
/// `--variant` (for every run), then each `--variant NAME` with the `--set`s
/// that follow it. `m` is the `compare` subcommand's matches.
pub fn compare_variant_sets(m: &ArgMatches) -> (Vec<String>, Vec<(String, Vec<String>)>) {
    let get = |id: &str| -> Vec<(usize, String)> {
        match (m.indices_of(id), m.get_many::<String>(id)) {
            (Some(i), Some(v)) => i.zip(v.cloned()).collect(),
            _ => Vec::new(),
        }
    };
    let variants = get("variant");
    let mut global = Vec::new();
    let mut out: Vec<(String, Vec<String>)> =
        variants.iter().map(|v| (v.1.clone(), Vec::new())).collect();
    for (at, set) in get("sets") {
        match variants.iter().rposition(|v| v.0 < at) {
            Some(k) => out[k].1.push(set),
            None => global.push(set),
        }
    }
    (global, out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn compare_sets_follow_their_variant() {
        let m = Cli::command()
            .try_get_matches_from([
                "stratus",
                "compare",
                "f.yaml",
                "--set",
                "duration=5m",
                "--variant",
                "big",
                "--set",
                "a=1",
                "--set=b=2",
                "--replications",
                "3",
                "--variant",
                "small",
                "--set",
                "a=0",
                "--variant",
                "same",
            ])
            .unwrap();
        let (_, sub) = m.subcommand().unwrap();
        let (global, vars) = compare_variant_sets(sub);
        assert_eq!(global, ["duration=5m"]);
        assert_eq!(
            vars,
            vec![
                (
                    "big".to_string(),
                    vec!["a=1".to_string(), "b=2".to_string()]
                ),
                ("small".to_string(), vec!["a=0".to_string()]),
                ("same".to_string(), vec![]),
            ]
        );
    }
}
