//! The discrete-event engine. It knows nothing of AWS: integer time, an event
//! queue ordered by (time, insertion sequence), lazily cancelled timers and
//! seeded random streams per component.

pub mod clock;
pub mod hist;
pub mod id;
pub mod mintree;
pub mod queue;
pub mod rng;
pub mod timer;

pub use id::OptId;
pub use mintree::MinTree;
pub use queue::EventQueue;
pub use rng::{Sampler, stream};
pub use timer::{DeadlineFifo, Timer};

/// Simulated time in nanoseconds since the start of the run.
pub type SimTime = u64;
