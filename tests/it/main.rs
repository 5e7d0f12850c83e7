//! The integration tests: one binary, one module per topic.

mod autoscaling;
mod charts;
mod cli;
mod compare;
mod conservation;
mod determinism;
mod dossier;
mod dynamodb;
mod elasticity;
mod elb;
mod faults;
mod import;
mod maintenance;
mod monitoring;
mod parquet_output;
mod predictive;
mod queueing;
mod reference;
mod scaling;
mod scenario_load;
mod sqs;
mod trust;
mod tune;
mod util;
mod validation;
