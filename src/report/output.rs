//! Writing the run folder atomically: everything goes to a temporary sibling
//! folder, which replaces the target only when complete. A folder is only
//! replaced when it is empty or an earlier stratus output.

use crate::report::metrics::{csv_field, fmt_secs};
use crate::run::RunResult;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// The marker file that says a folder is stratus output.
pub const MARKER: &str = ".stratus-output";

/// Why an output folder cannot be used.
#[derive(Debug)]
pub enum OutputError {
    /// The folder exists and is not ours: refused (bad input, exit 2).
    NotOurs(PathBuf),
    /// I/O failure (exit 1).
    Io(io::Error),
}

impl std::fmt::Display for OutputError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OutputError::NotOurs(p) => write!(
                f,
                "{}: refusing to replace a folder that is not an earlier stratus output (it is not empty and has no {MARKER}); choose another --out",
                p.display()
            ),
            OutputError::Io(e) => write!(f, "{e}"),
        }
    }
}

impl From<io::Error> for OutputError {
    fn from(e: io::Error) -> Self {
        OutputError::Io(e)
    }
}

/// Check, before running, that `dir` may be replaced.
pub fn check_replaceable(dir: &Path) -> Result<(), OutputError> {
    if !dir.exists() {
        return Ok(());
    }
    if !dir.is_dir() {
        return Err(OutputError::NotOurs(dir.to_path_buf()));
    }
    // Never the current folder, its parents, or the home folder.
    if let (Ok(c), Ok(cwd)) = (
        dir.canonicalize(),
        std::env::current_dir().and_then(|d| d.canonicalize()),
    ) {
        let home = std::env::var_os("HOME").map(PathBuf::from);
        if cwd.starts_with(&c) || home.is_some_and(|h| h.canonicalize().is_ok_and(|h| h == c)) {
            return Err(OutputError::NotOurs(dir.to_path_buf()));
        }
    }
    if dir.join(MARKER).exists() || fs::read_dir(dir)?.next().is_none() {
        Ok(())
    } else {
        Err(OutputError::NotOurs(dir.to_path_buf()))
    }
}

/// Write files (relative path → bytes) as the folder `dir`, atomically.
pub fn write_folder(dir: &Path, files: &[(String, Vec<u8>)]) -> Result<(), OutputError> {
    check_replaceable(dir)?;
    let parent = dir
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    fs::create_dir_all(parent)?;
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| "out".into());
    let tmp = parent.join(format!(".{name}.tmp-{}", std::process::id()));
    if tmp.exists() {
        fs::remove_dir_all(&tmp)?;
    }
    let result = (|| -> io::Result<()> {
        fs::create_dir_all(&tmp)?;
        fs::write(tmp.join(MARKER), b"written by stratus; safe to delete\n")?;
        for (rel, bytes) in files {
            let p = tmp.join(rel);
            if let Some(d) = p.parent() {
                fs::create_dir_all(d)?;
            }
            fs::write(p, bytes)?;
        }
        Ok(())
    })();
    if let Err(e) = result {
        let _ = fs::remove_dir_all(&tmp);
        return Err(e.into());
    }
    if dir.exists() {
        let old = parent.join(format!(".{name}.old-{}", std::process::id()));
        fs::rename(dir, &old)?;
        if let Err(e) = fs::rename(&tmp, dir) {
            let _ = fs::rename(&old, dir);
            return Err(e.into());
        }
        let _ = fs::remove_dir_all(&old);
    } else {
        fs::rename(&tmp, dir)?;
    }
    Ok(())
}

/// `activities.csv` text.
pub fn activities_csv(r: &RunResult) -> String {
    let mut s = String::from("t_s,resource,kind,description,cause,details\n");
    for a in &r.activities {
        s.push_str(&format!(
            "{},{},{},{},{},{}\n",
            fmt_secs(a.t),
            csv_field(&a.resource),
            a.kind(),
            csv_field(&a.description),
            csv_field(&a.cause),
            csv_field(&a.details)
        ));
    }
    s
}

/// The files of a run folder (charts are added by the caller when wanted).
pub fn run_files(r: &RunResult) -> Vec<(String, Vec<u8>)> {
    let mut json = serde_json::to_string_pretty(&r.summary).unwrap_or_default();
    json.push('\n');
    vec![
        ("summary.json".into(), json.into_bytes()),
        ("metrics.csv".into(), r.series.to_csv().into_bytes()),
        ("activities.csv".into(), activities_csv(r).into_bytes()),
    ]
}
