//! Shared helpers for the integration tests.

use std::path::Path;
use stratus::run::{RunResult, simulate};
use stratus::scenario::{LoadOptions, Scenario, load_str};

/// Load a scenario from YAML text (panics with the diagnostics if invalid).
pub fn scenario(yaml: &str) -> Scenario {
    match load_str(yaml, "test.yaml", Path::new("."), &LoadOptions::default()) {
        Ok(s) => s,
        Err(d) => panic!("test scenario is invalid:\n{d}"),
    }
}

/// The diagnostics of YAML text that must not load (read as `bad.yaml`).
pub fn load_error(yaml: &str) -> String {
    match load_str(yaml, "bad.yaml", Path::new("."), &LoadOptions::default()) {
        Ok(_) => panic!("the scenario should not load"),
        Err(d) => d.to_string(),
    }
}

/// Simulate YAML text.
pub fn run(yaml: &str) -> RunResult {
    simulate(&scenario(yaml), None, &mut |_| {})
}

/// Mean of a metric of a resource over the periods of a run.
pub fn mean_metric(r: &RunResult, resource: &str, metric: &str) -> f64 {
    let v = r.series.get(resource, metric);
    assert!(!v.is_empty(), "no {metric} for {resource}");
    v.iter().map(|p| p.1).sum::<f64>() / v.len() as f64
}

/// A temporary folder removed on drop.
pub struct TempDir(pub std::path::PathBuf);

impl TempDir {
    /// A new, empty folder.
    pub fn new(tag: &str) -> TempDir {
        static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = N.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let p = std::env::temp_dir().join(format!("stratus-it-{tag}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).expect("create temp dir");
        TempDir(p)
    }
    /// A path inside.
    pub fn join(&self, p: impl AsRef<std::path::Path>) -> std::path::PathBuf {
        self.0.join(p)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
