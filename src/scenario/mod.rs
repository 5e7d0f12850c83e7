//! The scenario file format: typed model, units, distributions, and the loader
//! (YAML → positioned tree → `--set`/variants → typed scenario → validation),
//! whose errors read `FILE:LINE:COL: PATH: message`.

pub mod dist;
mod load;
pub mod model;
pub mod units;

pub use dist::{CountDist, DurationDist, Rate};
pub use load::{Diagnostic, Diagnostics, LoadOptions, load_file, load_str, schema_json};
pub use model::*;
pub use units::{Duration, Nanos, Size};
