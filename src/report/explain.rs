//! `stratus explain RUN_DIR`: the activity history as a readable timeline —
//! what happened, and why.

use std::fmt::Write;
use std::path::Path;

/// Render the timeline of a run folder, optionally for one resource; a
/// resource the run does not have is an error that lists those it has.
pub fn explain(dir: &Path, resource: Option<&str>) -> Result<String, String> {
    explain_filtered(dir, resource, None)
}

/// [`explain`], optionally only the activities of one kind (`scaling`,
/// `terminate`, `alarm`, … as in activities.csv's `kind`); a kind the run has
/// no activity of is an error that lists the kinds it has.
pub fn explain_filtered(
    dir: &Path,
    resource: Option<&str>,
    kind: Option<&str>,
) -> Result<String, String> {
    let path = dir.join("activities.csv");
    let bytes = std::fs::read(&path)
        .map_err(|e| format!("{}: {e} (is this a stratus run folder?)", path.display()))?;
    if let Some(r) = resource {
        let known = resources(dir, &path)?;
        if !known.iter().any(|k| k == r) {
            let list = known
                .iter()
                .map(|k| format!("\"{k}\""))
                .collect::<Vec<_>>()
                .join(", ");
            return Err(format!(
                "--resource: the run in {} has no resource named \"{r}\"; its resources are {list}",
                dir.display()
            ));
        }
    }
    if let Some(k) = kind {
        let kinds = kinds(&bytes).map_err(|e| format!("{}: {e}", path.display()))?;
        if !kinds.iter().any(|x| x == k) {
            return Err(format!(
                "--kind: the run in {} has no activity of kind \"{k}\"; its kinds are {}",
                dir.display(),
                kinds.join(", ")
            ));
        }
    }
    explain_csv_filtered(&bytes, resource, kind).map_err(|e| format!("{}: {e}", path.display()))
}

/// The kinds of activity in an `activities.csv` text, sorted.
fn kinds(activities_csv: &[u8]) -> Result<Vec<String>, String> {
    let mut rd = csv::Reader::from_reader(activities_csv);
    let mut out = std::collections::BTreeSet::new();
    for rec in rd.records() {
        let rec = rec.map_err(|e| e.to_string())?;
        out.insert(rec.get(2).unwrap_or("").to_string());
    }
    Ok(out.into_iter().collect())
}

/// Render the timeline of an `activities.csv` text (as
/// [`crate::report::output::activities_csv`] writes it), optionally for one
/// resource.
pub fn explain_csv(activities_csv: &[u8], resource: Option<&str>) -> Result<String, String> {
    explain_csv_filtered(activities_csv, resource, None)
}

/// [`explain_csv`], optionally only the activities of one kind.
pub fn explain_csv_filtered(
    activities_csv: &[u8],
    resource: Option<&str>,
    only_kind: Option<&str>,
) -> Result<String, String> {
    let mut rd = csv::Reader::from_reader(activities_csv);
    let mut out = String::new();
    let mut n = 0;
    let mut last_t = String::new();
    for rec in rd.records() {
        let rec = rec.map_err(|e| e.to_string())?;
        let (t, res, kind, desc, cause, details) = (
            rec.get(0).unwrap_or(""),
            rec.get(1).unwrap_or(""),
            rec.get(2).unwrap_or(""),
            rec.get(3).unwrap_or(""),
            rec.get(4).unwrap_or(""),
            rec.get(5).unwrap_or(""),
        );
        if resource.is_some_and(|r| r != res) || only_kind.is_some_and(|k| k != kind) {
            continue;
        }
        n += 1;
        let secs: f64 = t.parse().unwrap_or(0.0);
        let stamp = format!(
            "+{:02}:{:02}:{:02}",
            (secs / 3600.0) as u64,
            (secs / 60.0) as u64 % 60,
            secs as u64 % 60
        );
        if stamp != last_t {
            let _ = writeln!(out, "{stamp}");
            last_t = stamp;
        }
        let _ = writeln!(out, "  [{res}] {kind}: {desc}");
        // The cause is a run of AWS-style sentences; one per line reads best.
        for sentence in cause.split("  ").filter(|s| !s.is_empty()) {
            let _ = writeln!(out, "      {sentence}");
        }
        // The simulator's own explanation, apart from AWS's words.
        if !details.is_empty() {
            let _ = writeln!(out, "      (stratus: {details})");
        }
    }
    if n == 0 {
        let _ = writeln!(
            out,
            "no activities{}{}",
            only_kind
                .map(|k| format!(" of kind {k}"))
                .unwrap_or_default(),
            resource.map(|r| format!(" for {r}")).unwrap_or_default()
        );
    }
    Ok(out)
}

/// The run's resources: the groups, load balancers, queues and tables of its
/// summary.json, and any other resource its activities name, sorted.
fn resources(dir: &Path, activities: &Path) -> Result<Vec<String>, String> {
    let mut out = std::collections::BTreeSet::new();
    let summary = dir.join("summary.json");
    if let Ok(text) = std::fs::read_to_string(&summary) {
        let v: serde_json::Value =
            serde_json::from_str(&text).map_err(|e| format!("{}: {e}", summary.display()))?;
        for k in ["auto_scaling_groups", "load_balancers", "queues", "tables"] {
            if let Some(m) = v.get(k).and_then(|m| m.as_object()) {
                out.extend(m.keys().cloned());
            }
        }
    }
    let mut rd =
        csv::Reader::from_path(activities).map_err(|e| format!("{}: {e}", activities.display()))?;
    for rec in rd.records() {
        let rec = rec.map_err(|e| format!("{}: {e}", activities.display()))?;
        if let Some(r) = rec.get(1) {
            out.insert(r.to_string());
        }
    }
    Ok(out.into_iter().collect())
}
