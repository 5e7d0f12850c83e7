//! TEMPORARY loader (to be replaced): serde-saphyr straight into the model.
use super::model::Scenario;
use std::fmt;
use std::path::Path;

/// Options applied while loading.
#[derive(Clone, Debug, Default)]
pub struct LoadOptions {
    /// `PATH=VALUE` overrides, applied in order after the variant's.
    pub sets: Vec<String>,
    /// Apply this variant's `set` first.
    pub variant: Option<String>,
    /// Override the seed.
    pub seed: Option<u64>,
}

/// One problem in a scenario file.
#[derive(Clone, Debug)]
pub struct Diagnostic {
    /// File as given.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub col: usize,
    /// Field path.
    pub path: String,
    /// Message.
    pub message: String,
}

/// All problems found.
#[derive(Clone, Debug, Default)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for d in &self.0 {
            writeln!(f, "{}:{}:{}: {}: {}", d.file, d.line, d.col, d.path, d.message)?;
        }
        Ok(())
    }
}

/// Load a scenario file.
pub fn load_file(path: &Path, opts: &LoadOptions) -> Result<Scenario, Diagnostics> {
    let src = std::fs::read_to_string(path).map_err(|e| {
        Diagnostics(vec![Diagnostic {
            file: path.display().to_string(),
            line: 1,
            col: 1,
            path: String::new(),
            message: e.to_string(),
        }])
    })?;
    let base = path.parent().unwrap_or(Path::new("."));
    load_str(&src, &path.display().to_string(), base, opts)
}

/// Load a scenario from text.
pub fn load_str(
    src: &str,
    file: &str,
    _base_dir: &Path,
    opts: &LoadOptions,
) -> Result<Scenario, Diagnostics> {
    let mut s: Scenario = serde_saphyr::from_str(src).map_err(|e| {
        Diagnostics(vec![Diagnostic {
            file: file.to_string(),
            line: 1,
            col: 1,
            path: String::new(),
            message: e.to_string(),
        }])
    })?;
    if let Some(seed) = opts.seed {
        s.seed = seed;
    }
    Ok(s)
}

/// JSON Schema of the format.
pub fn schema_json() -> String {
    serde_json::to_string_pretty(&schemars::schema_for!(Scenario)).unwrap_or_default()
}
