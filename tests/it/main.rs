//! The integration tests: one binary, one module per topic.

mod cli;
mod conservation;
mod determinism;
mod queueing;
mod scenario_load;
mod util;
mod autoscaling;
mod elb;
mod charts;
mod scaling;
mod faults;
mod sqs;
mod compare;
mod dynamodb;
