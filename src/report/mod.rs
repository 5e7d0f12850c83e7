//! What a run leaves behind: metrics, the summary, the activity history,
//! charts, and the run folder.

pub mod activity;
pub mod charts;
pub mod dashboard;
pub use crate::sim::clock;
pub mod elasticity;
pub mod explain;
pub mod html;
pub mod metrics;
pub mod output;
#[cfg(feature = "parquet")]
pub mod parquet;
pub mod reference;
pub mod render;
pub mod summary;
