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

/// `cloudwatch.target_tracking_scale_in.predefined` default: 0.9.
pub fn tt_predefined() -> f64 {
    recorded::TT_SCALE_IN_PREDEFINED
}

/// `cloudwatch.target_tracking_scale_in.custom` default: 0.7.
pub fn tt_custom() -> f64 {
    recorded::TT_SCALE_IN_CUSTOM
}

/// `tables[].auto_scaling.*.low_alarm_offset` default: 20 points.
pub fn ddb_low_offset() -> f64 {
    recorded::DDB_LOW_ALARM_OFFSET
}

/// `tables[].auto_scaling.update_time` default: 32 s.
pub fn ddb_update_time() -> Duration {
    Duration(recorded::DDB_UPDATE_COMPLETE)
}

/// `tables[].auto_scaling.effective_after` default: 4.4 s.
pub fn ddb_effective_after() -> Duration {
    Duration(recorded::DDB_UPDATE_EFFECTIVE)
}
