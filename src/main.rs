//! The `stratus` command: parse arguments, call the library, map errors to
//! exit codes (0 ok, 2 bad input, 1 internal error).

use clap::{CommandFactory, FromArgMatches};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use stratus::cli::{Cli, Command, Format};
use stratus::experiment;
use stratus::report::{output, render};
use stratus::scenario::estimate::{self, Estimate};
use stratus::scenario::{self, Guard, LoadOptions};

enum Failure {
    BadInput(String),
    Internal(String),
}

fn main() -> ExitCode {
    let matches = Cli::command().get_matches();
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    match dispatch(cli, &matches) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::BadInput(msg)) => {
            eprint!("{msg}");
            if !msg.ends_with('\n') {
                eprintln!();
            }
            ExitCode::from(2)
        }
        Err(Failure::Internal(msg)) => {
            eprintln!("stratus: internal error: {msg}");
            ExitCode::from(1)
        }
    }
}

fn dispatch(cli: Cli, matches: &clap::ArgMatches) -> Result<(), Failure> {
    match cli.command {
        Command::Compare {
            file,
            variants,
            seed,
            replications,
            out,
            jobs,
            no_charts,
            allow_huge,
            ..
        } => {
            let sub = matches
                .subcommand_matches("compare")
                .ok_or_else(|| Failure::Internal("compare: no arguments".into()))?;
            if let Some(d) = &out {
                stratus::cli::check_out_path(d).map_err(Failure::BadInput)?;
            }
            let (sets, adhoc) = stratus::cli::compare_variant_sets(sub);
            let o = experiment::compare::Options {
                file,
                sets,
                seed,
                pick: variants,
                adhoc,
                replications,
                out,
                charts: !no_charts,
                jobs,
                allow_huge,
            };
            let done = experiment::compare::compare(&o).map_err(failure)?;
            print!("{}", done.text);
            Ok(())
        }
        Command::Sweep {
            file,
            params,
            scenario: sa,
            variant,
            replications,
            jobs,
            out,
            shard,
            shards,
            metric,
            no_charts,
            allow_huge,
        } => {
            if let Some(d) = &out {
                stratus::cli::check_out_path(d).map_err(Failure::BadInput)?;
            }
            let o = experiment::sweep::Options {
                file,
                params,
                sets: sa.sets,
                seed: sa.seed,
                variant,
                replications,
                jobs,
                out,
                shard,
                shards,
                metric: Some(metric),
                charts: !no_charts,
                progress: true,
                allow_huge,
            };
            let done = experiment::sweep::sweep(&o).map_err(failure)?;
            print!("{}", done.text);
            Ok(())
        }
        Command::Merge {
            dirs,
            out,
            missing,
            metric,
            no_charts,
        } => {
            let tune = dirs.iter().any(|d| experiment::tune::is_tune_dir(d));
            if missing {
                let (absent, _) = if tune {
                    experiment::tune::missing(&dirs)
                } else {
                    experiment::sweep::missing(&dirs)
                }
                .map_err(failure)?;
                let list: Vec<String> = absent.iter().map(u64::to_string).collect();
                if !list.is_empty() {
                    println!("{}", list.join(","));
                }
                return Ok(());
            }
            let out =
                out.ok_or_else(|| Failure::BadInput("stratus merge: give --out DIR".into()))?;
            let text = if tune {
                experiment::tune::merge(&dirs, &out, !no_charts).map(|d| d.text)
            } else {
                experiment::sweep::merge(&dirs, &out, metric.as_deref(), !no_charts).map(|d| d.text)
            }
            .map_err(failure)?;
            print!("{text}");
            Ok(())
        }
        Command::Tune {
            file,
            params,
            objective,
            maximize,
            constraints,
            budget,
            replications,
            streams,
            scenario: sa,
            variant,
            jobs,
            out,
            shard,
            shards,
            no_charts,
            allow_huge,
        } => {
            let o = experiment::tune::Options {
                file,
                params,
                objective,
                maximize,
                constraints,
                budget,
                replications,
                streams,
                sets: sa.sets,
                seed: sa.seed,
                variant,
                jobs,
                out,
                shard,
                shards,
                charts: !no_charts,
                progress: true,
                allow_huge,
            };
            let done = experiment::tune::tune(&o).map_err(failure)?;
            print!("{}", done.text);
            Ok(())
        }
        Command::Explain {
            run_dir,
            resource,
            kind,
        } => {
            let text = stratus::report::explain::explain_filtered(
                &run_dir,
                resource.as_deref(),
                kind.as_deref(),
            )
            .map_err(Failure::BadInput)?;
            print!("{text}");
            Ok(())
        }
        Command::Import(a) => stratus::import::cli::run(&a).map_err(failure),
        Command::Backtest(a) => experiment::backtest::run(&a).map_err(failure),
        Command::Reference { out } => {
            let files = stratus::report::reference::write(&out)
                .map_err(|e| Failure::BadInput(format!("--out {}: {e}", out.display())))?;
            for f in files {
                println!("wrote {}", f.display());
            }
            Ok(())
        }
        Command::Schema => {
            println!("{}", scenario::schema_json());
            Ok(())
        }
        Command::Validate {
            file,
            scenario: sa,
            allow_huge,
        } => {
            let opts = LoadOptions {
                sets: sa.sets,
                variant: None,
                seed: sa.seed,
            };
            match scenario::load_file_checked(&file, &opts, Guard { allow_huge }) {
                Ok(l) => {
                    print_warnings(&l.warnings);
                    println!(
                        "{}: ok ({}; {})",
                        file.display(),
                        l.scenario.name,
                        l.estimate.line()
                    );
                    Ok(())
                }
                Err(d) => Err(Failure::BadInput(d.to_string())),
            }
        }
        Command::Run {
            file,
            out,
            variant,
            scenario: sa,
            json,
            no_charts,
            allow_huge,
            format,
        } => {
            let opts = LoadOptions {
                sets: sa.sets,
                variant: variant.clone(),
                seed: sa.seed,
            };
            let loaded = scenario::load_file_checked(&file, &opts, Guard { allow_huge })
                .map_err(|d| Failure::BadInput(d.to_string()))?;
            print_warnings(&loaded.warnings);
            let sc = loaded.scenario;
            let dir = out.unwrap_or_else(|| PathBuf::from("output").join(&sc.name));
            stratus::cli::check_out_path(&dir).map_err(Failure::BadInput)?;
            output::check_replaceable(&dir).map_err(out_err)?;
            if format.contains(&Format::Parquet) && !cfg!(feature = "parquet") {
                // Refused before running, like any bad input.
                return Err(Failure::BadInput(NO_PARQUET.into()));
            }
            show_estimate(&loaded.estimate);
            let mut bar = Progress::new(sc.duration.as_secs_f64());
            let mut tick = |f: f64| bar.tick(f);
            let result = stratus::run::simulate(&sc, variant.as_deref(), &mut tick);
            bar.finish();
            let mut files = output::run_files(&result);
            if !format.contains(&Format::Csv) {
                files.retain(|(name, _)| !name.ends_with(".csv"));
            }
            if format.contains(&Format::Parquet) {
                files.extend(parquet_files(&result)?);
            }
            if !no_charts {
                files.extend(render::dashboard(&sc, &result).map_err(Failure::Internal)?);
            }
            output::write_folder(&dir, &files).map_err(|e| out_err_at(e, &dir))?;
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&result.summary)
                        .map_err(|e| Failure::Internal(e.to_string()))?
                );
            } else {
                let mut text = render::human_summary(&result, &dir, !no_charts);
                if format != [Format::Csv] {
                    let mut names = Vec::new();
                    if format.contains(&Format::Csv) {
                        names.push("metrics.csv, activities.csv");
                    }
                    if format.contains(&Format::Parquet) {
                        names.push("metrics.parquet, activities.parquet");
                    }
                    text = text.replace("metrics.csv, activities.csv", &names.join(", "));
                }
                print!("{text}");
            }
            Ok(())
        }
    }
}

#[cfg(feature = "parquet")]
fn parquet_files(r: &stratus::run::RunResult) -> Result<Vec<(String, Vec<u8>)>, Failure> {
    stratus::report::parquet::run_files(r).map_err(Failure::Internal)
}

#[cfg(not(feature = "parquet"))]
fn parquet_files(_: &stratus::run::RunResult) -> Result<Vec<(String, Vec<u8>)>, Failure> {
    Err(Failure::BadInput(NO_PARQUET.into()))
}

const NO_PARQUET: &str = "--format parquet: this stratus was built without the `parquet` feature (build it with the default features)";

fn failure(e: experiment::Failure) -> Failure {
    match e {
        experiment::Failure::BadInput(m) => Failure::BadInput(m),
        experiment::Failure::Internal(m) => Failure::Internal(m),
    }
}

fn out_err(e: output::OutputError) -> Failure {
    match e {
        output::OutputError::NotOurs(_) => Failure::BadInput(format!("stratus: {e}")),
        output::OutputError::Io(_) => Failure::Internal(e.to_string()),
    }
}

/// An output-folder error while writing `dir`: a folder that is not ours
/// is bad input; an I/O failure names the folder.
fn out_err_at(e: output::OutputError, dir: &std::path::Path) -> Failure {
    match e {
        output::OutputError::Io(_) => Failure::Internal(format!("writing {}: {e}", dir.display())),
        e => out_err(e),
    }
}

/// Warnings of a loaded scenario, on stderr.
fn print_warnings(w: &[scenario::Diagnostic]) {
    for d in w {
        let mut d = d.clone();
        d.message = format!("warning: {}", d.message);
        eprintln!("{d}");
    }
}

/// The estimated size and ETA of a run, on stderr, when it should take more
/// than a few seconds.
fn show_estimate(e: &Estimate) {
    if e.eta_s() > estimate::SHOW_ETA_ABOVE_S {
        eprintln!("stratus: {}", e.line());
    }
}

/// The progress bar on a terminal: simulated time, events per second and an
/// ETA. The world calls the progress function once every
/// [`EVENTS_PER_TICK`] events (`World::run_inner`), so the calls count the
/// events.
struct Progress {
    bar: Option<indicatif::ProgressBar>,
    simulated_s: f64,
    ticks: u64,
    started: std::time::Instant,
}

/// Events between two progress calls (`World::run_inner`: every 2^16).
const EVENTS_PER_TICK: u64 = 1 << 16;

impl Progress {
    fn new(simulated_s: f64) -> Progress {
        let bar = std::io::stderr().is_terminal().then(|| {
            let b = indicatif::ProgressBar::new(1000);
            b.set_style(
                indicatif::ProgressStyle::with_template("{spinner} [{bar:20}] {percent:>3}% {msg}")
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            b
        });
        Progress {
            bar,
            simulated_s,
            ticks: 0,
            started: std::time::Instant::now(),
        }
    }

    fn tick(&mut self, f: f64) {
        self.ticks += 1;
        let Some(b) = &self.bar else { return };
        b.set_position((f * 1000.0) as u64);
        let wall = self.started.elapsed().as_secs_f64().max(1e-9);
        let events = (self.ticks * EVENTS_PER_TICK) as f64;
        let eta = if f > 0.0 {
            estimate::human_duration(wall * (1.0 - f) / f)
        } else {
            "?".into()
        };
        b.set_message(format!(
            "{} of {} · {:.1} M events/s · ETA {eta}",
            estimate::human_duration(f * self.simulated_s),
            estimate::human_duration(self.simulated_s),
            events / wall / 1e6
        ));
    }

    fn finish(self) {
        if let Some(b) = self.bar {
            b.finish_and_clear();
        }
    }
}
