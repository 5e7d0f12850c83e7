//! stratus: a discrete-event simulator of how AWS systems behave under load.
pub mod scenario;
