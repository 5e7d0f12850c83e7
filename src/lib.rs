//! stratus: a discrete-event simulator of how AWS systems behave under load.
//!
//! A scenario file describes traffic, load balancers, Auto Scaling groups,
//! queues, tables and faults; [`run::simulate`] plays it out on the engine in
//! [`sim`] and [`report`] writes what happened.
#![warn(missing_docs)]

pub mod aws;
pub mod cli;
pub mod experiment;
pub mod faults;
pub mod import;
pub mod report;
pub mod run;
pub mod scenario;
pub mod sim;
pub mod workload;
pub mod world;
