//! Defaults of the keys that make stratus behave as real AWS accounts were
//! recorded behaving (`docs/recorded-fidelity.md`; the records and their
//! grades are cited at each figure in `crate::aws::recorded`).

use super::dist::DurationDist;
use super::units::Duration;
use crate::aws::recorded;

/// A constant zero duration (`instance.app_start` default).
pub fn zero_dist() -> DurationDist {
    DurationDist::Constant(Duration(0))
}

/// `health_check.stopped_detection` default: uniform 21–36 s.
pub fn stopped_detection() -> DurationDist {
    DurationDist::Uniform {
        min: Duration(recorded::STOPPED_UNHEALTHY_MIN),
        max: Duration(recorded::STOPPED_UNHEALTHY_MAX),
    }
}

/// `health_check.stopped_termination` default: 45 s.
pub fn stopped_termination() -> Duration {
    Duration(recorded::STOPPED_TERMINATION)
}

/// `health_check.stopped_relaunch` default: 2 s.
pub fn stopped_relaunch() -> Duration {
    Duration(recorded::STOPPED_RELAUNCH)
}

/// `auto_scaling_groups[].alarm_action_delay` default: uniform 7–33 s.
pub fn alarm_action_delay() -> DurationDist {
    DurationDist::Uniform {
        min: Duration(recorded::ALARM_ACTION_DELAY_MIN),
        max: Duration(recorded::ALARM_ACTION_DELAY_MAX),
    }
}
