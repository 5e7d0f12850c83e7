//! The scenario file format: typed model, units, distributions, and the loader
//! (YAML → positioned tree → `--set`/variants → typed scenario → validation),
//! whose errors read `FILE:LINE:COL: PATH: message`.

mod de;
mod diag;
pub mod dist;
mod emit;
pub mod estimate;
pub(crate) mod fidelity;
pub(crate) mod kinesis;
mod load;
pub mod model;
pub mod serverless;
mod set;
mod tree;
pub mod units;
mod validate;

pub(crate) use diag::did_you_mean;
pub use dist::{CountDist, DurationDist, Rate};
pub use kinesis::*;
pub use load::{
    Diagnostic, Diagnostics, Guard, LoadOptions, Loaded, edited_yaml, load_file, load_file_checked,
    load_str, load_str_checked, schema_json, variant_names, variant_names_str,
};
pub use model::*;
pub use serverless::*;
pub use units::{Duration, Nanos, Size};
pub use validate::parse_rfc3339_utc;
