//! The `stratus import` subcommand.

use crate::experiment::Failure;
use clap::Args;
use std::path::PathBuf;

/// `stratus import FILE... [--out SCENARIO.yaml] [--metrics METRICS.json]`.
#[derive(Args, Debug, Clone)]
pub struct ImportArgs {
    /// AWS CLI JSON outputs, CloudFormation templates, Terraform plan JSON
    /// (recognised by content; several files form one account).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Scenario file to write (default: print it). Trace files for
    /// --metrics are written beside it.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// `aws cloudwatch get-metric-data` output: the workloads, as traces.
    #[arg(long, value_name = "METRICS.json")]
    pub metrics: Option<PathBuf>,
    /// Which resource a metric result measures: ID=NAME (when the label
    /// does not say and there are several of its kind).
    #[arg(long = "map", value_name = "ID=NAME")]
    pub map: Vec<String>,
}

/// Runs `stratus import`.
pub fn run(a: &ImportArgs) -> Result<(), Failure> {
    if a.metrics.is_some() && a.out.is_none() {
        return Err(Failure::BadInput(
            "stratus import: --metrics needs --out SCENARIO.yaml (the workload traces are written beside it)".into(),
        ));
    }
    let o = super::Options {
        files: a.files.clone(),
        out: a.out.clone(),
        metrics: a.metrics.clone(),
        map: a.map.clone(),
    };
    let im = super::import(&o).map_err(|e| Failure::BadInput(e.0))?;
    // The scenario must load: check it (with its traces) before writing.
    let dir = tempdir()?;
    let probe = dir.join(
        a.out
            .as_ref()
            .and_then(|p| p.file_name())
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_else(|| "imported.yaml".into()),
    );
    let check = super::write(&probe, &im)
        .map_err(|e| Failure::Internal(e.to_string()))
        .and_then(|_| {
            crate::scenario::load_file(&probe, &Default::default())
                .map(|_| ())
                .map_err(|d| {
                    Failure::Internal(format!("the imported scenario does not validate:\n{d}"))
                })
        });
    let _ = std::fs::remove_dir_all(&dir);
    check?;
    match &a.out {
        Some(p) => {
            super::write(p, &im).map_err(|e| Failure::Internal(format!("{}: {e}", p.display())))?;
        }
        None => print!("{}", im.yaml),
    }
    eprintln!("mapped {} of {} resources", im.mapped, im.total);
    Ok(())
}

fn tempdir() -> Result<PathBuf, Failure> {
    let d = std::env::temp_dir().join(format!(
        "stratus-import-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0)
    ));
    std::fs::create_dir_all(&d).map_err(|e| Failure::Internal(e.to_string()))?;
    Ok(d)
}
