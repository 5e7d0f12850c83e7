//! The dashboard charts (plotters, with an embedded DejaVu Sans font).
use crate::run::RunResult;
use crate::scenario::Scenario;

/// Draw the dashboard of a run: (relative path, bytes) per file.
pub fn dashboard(_sc: &Scenario, _r: &RunResult) -> Result<Vec<(String, Vec<u8>)>, String> {
    Ok(Vec::new())
}
