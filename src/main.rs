//! The `stratus` command: parse arguments, call the library, map errors to
//! exit codes (0 ok, 2 bad input, 1 internal error).

use clap::{CommandFactory, FromArgMatches};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use stratus::cli::{Cli, Command, Format};
use stratus::experiment;
use stratus::report::{output, render};
use stratus::scenario::{self, LoadOptions};

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
            ..
        } => {
            let sub = matches
                .subcommand_matches("compare")
                .ok_or_else(|| Failure::Internal("compare: no arguments".into()))?;
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
        } => {
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
            };
            let done = experiment::sweep::sweep(&o).map_err(failure)?;
            print!("{}", done.text);
            Ok(())
        }
        Command::Merge {
            dirs,
            out,
            metric,
            no_charts,
        } => {
            let done = experiment::sweep::merge(&dirs, &out, metric.as_deref(), !no_charts)
                .map_err(failure)?;
            print!("{}", done.text);
            Ok(())
        }
        Command::Explain { run_dir, resource } => {
            let text = stratus::report::explain::explain(&run_dir, resource.as_deref())
                .map_err(Failure::BadInput)?;
            print!("{text}");
            Ok(())
        }
        Command::Schema => {
            println!("{}", scenario::schema_json());
            Ok(())
        }
        Command::Validate { file, scenario: sa } => {
            let opts = LoadOptions {
                sets: sa.sets,
                variant: None,
                seed: sa.seed,
            };
            match scenario::load_file(&file, &opts) {
                Ok(sc) => {
                    println!("{}: ok ({})", file.display(), sc.name);
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
            format,
        } => {
            let opts = LoadOptions {
                sets: sa.sets,
                variant: variant.clone(),
                seed: sa.seed,
            };
            let sc =
                scenario::load_file(&file, &opts).map_err(|d| Failure::BadInput(d.to_string()))?;
            let dir = out.unwrap_or_else(|| PathBuf::from("output").join(&sc.name));
            output::check_replaceable(&dir).map_err(out_err)?;
            if format.contains(&Format::Parquet) && !cfg!(feature = "parquet") {
                // Refused before running, like any bad input.
                return Err(Failure::BadInput(NO_PARQUET.into()));
            }
            let bar = progress_bar();
            let mut tick = |f: f64| {
                if let Some(b) = &bar {
                    b.set_position((f * 1000.0) as u64);
                }
            };
            let result = stratus::run::simulate(&sc, variant.as_deref(), &mut tick);
            if let Some(b) = bar {
                b.finish_and_clear();
            }
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
            output::write_folder(&dir, &files).map_err(out_err)?;
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&result.summary)
                        .map_err(|e| Failure::Internal(e.to_string()))?
                );
            } else {
                let mut text = render::human_summary(&result, &dir);
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

fn progress_bar() -> Option<indicatif::ProgressBar> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let b = indicatif::ProgressBar::new(1000);
    b.set_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} simulating [{bar:40}] {percent}% {elapsed}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    Some(b)
}
