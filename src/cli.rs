//! Command-line arguments (parsed as given), kept apart from what they do.

use clap::{Args, Parser, Subcommand};
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
    },
    /// Check a scenario file and print every problem.
    Validate {
        /// Scenario file.
        file: PathBuf,
        /// Scenario overrides to check too.
        #[command(flatten)]
        scenario: ScenarioArgs,
    },
    /// Print the JSON Schema of the scenario format (for editors).
    Schema,
    /// Tell the story of a run: its activity history as a timeline.
    Explain {
        /// A run folder written by `stratus run`.
        run_dir: PathBuf,
        /// Only this resource (group, load balancer, queue, table).
        #[arg(long)]
        resource: Option<String>,
    },
}
