//! What real AWS accounts were recorded doing, where the documentation is
//! silent: each figure with its record and grade (A = AWS documentation or
//! SDK example or two independent captures, B = one real capture, C = a
//! clone or a claim), as `/work/shared/research/recorded-aws-behaviour.md`
//! collects them. Every figure is the default of a scenario key
//! (`docs/src/background/recorded-fidelity.md` has the table of them against stratus).

use crate::sim::SimTime;

const S: SimTime = 1_000_000_000;

/// A stopped instance is shown Unhealthy 21–36 s after the stop (2026
/// us-east-1 lab record, 2-instance group behind an ALB, ELB health checks;
/// grade B): earliest.
pub const STOPPED_UNHEALTHY_MIN: SimTime = 21 * S;
/// Latest (same record).
pub const STOPPED_UNHEALTHY_MAX: SimTime = 36 * S;
/// The termination activity of a stopped instance starts 45 s after the
/// stop (same record, grade B).
pub const STOPPED_TERMINATION: SimTime = 45 * S;
/// The replacement's launch starts 2 s after that termination activity
/// (same record, grade B). For an ELB health check failure termination
/// and launch are in the same second (lab record 2026, test fixture 2022,
/// Netflix/edda#60; grade A): `World::replace_unhealthy` does that.
pub const STOPPED_RELAUNCH: SimTime = 2 * S;

/// Alarm state change → scaling activity start: 29 s (2013, simple
/// policy), 18–33 s (2018, target tracking), 7 s (2024); grade A (several
/// records). The default spans them: uniform between the extremes.
pub const ALARM_ACTION_DELAY_MIN: SimTime = 7 * S;
/// Latest of the same records.
pub const ALARM_ACTION_DELAY_MAX: SimTime = 33 * S;

/// Target tracking AlarmLow at this share of the target for predefined
/// metrics: ECS CPU 70 → 63, 80 → 72; EC2 CPU 50 → 45 (alarms AWS created,
/// several records, grade A).
pub const TT_SCALE_IN_PREDEFINED: f64 = 0.9;
/// The same seen for an ASG custom metric: 20 → 14 (one record, grade B).
pub const TT_SCALE_IN_CUSTOM: f64 = 0.7;

/// Whether a target tracking metric is one of EC2 Auto Scaling's
/// predefined metrics (`API-ASG:PredefinedMetricSpecification`).
pub fn is_predefined_metric(metric: &str) -> bool {
    matches!(
        metric,
        "ASGAverageCPUUtilization"
            | "ASGAverageNetworkIn"
            | "ASGAverageNetworkOut"
            | "ALBRequestCountPerTarget"
    )
}

/// The AlarmLow ratio of a target tracking policy on `metric`, unless the
/// policy sets its own.
pub fn tt_scale_in_ratio(metric: &str, predefined: f64, custom: f64) -> f64 {
    if is_predefined_metric(metric) {
        predefined
    } else {
        custom
    }
}

/// DynamoDB's AlarmLow for a 70 % target is a Sum below 0.50 × provisioned
/// × 60: the target minus 20 points, 15 of 15 one-minute datapoints;
/// AlarmHigh 2 of 2 above the target (live probe 2026 us-west-2, grade A).
pub const DDB_LOW_ALARM_OFFSET: f64 = 20.0;
/// A DynamoDB auto scaling change: new capacity visible 4.4 s after the
/// activity starts (live probe 2026, grade A).
pub const DDB_UPDATE_EFFECTIVE: SimTime = 4_400_000_000;
/// The activity Successful and the table ACTIVE after 30–34 s (live probe
/// 2026, n = 3; aws-cli scheduled-action example 31.4 s and 34.4 s; grade
/// A): the middle.
pub const DDB_UPDATE_COMPLETE: SimTime = 32 * S;

/// When a stopped (or externally terminated) instance is marked Unhealthy,
/// terminated, and replaced, from the stop: the detection draw, then the
/// termination no earlier than the mark, then the launch.
pub fn stopped_timeline(
    stop: SimTime,
    detection: SimTime,
    termination: SimTime,
    relaunch: SimTime,
) -> (SimTime, SimTime, SimTime) {
    let unhealthy = stop + detection;
    let terminate = (stop + termination).max(unhealthy);
    (unhealthy, terminate, terminate + relaunch)
}

/// Whether an instance is still inside its health check grace period,
/// which starts when it enters InService (`ASG:health-check-grace-period`).
/// The initial fleet (in service at t = 0) starts past it, as the scenario
/// format says.
pub fn in_grace_period(in_service_at: Option<SimTime>, now: SimTime, grace: SimTime) -> bool {
    match in_service_at {
        None => true,
        Some(0) => false,
        Some(t) => now < t + grace,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_recorded_stop_timeline() {
        // 2026 lab record (B): Unhealthy 21–36 s, termination 45 s, launch +2 s.
        assert_eq!(
            stopped_timeline(0, 30 * S, STOPPED_TERMINATION, STOPPED_RELAUNCH),
            (30 * S, 45 * S, 47 * S)
        );
        // A detection later than the termination figure: terminated when seen.
        assert_eq!(
            stopped_timeline(10 * S, 50 * S, 45 * S, 2 * S),
            (60 * S, 60 * S, 62 * S)
        );
    }

    #[test]
    fn grace_starts_at_in_service_and_the_initial_fleet_is_past_it() {
        assert!(!in_grace_period(Some(0), S, 300 * S));
        assert!(in_grace_period(Some(10 * S), 309 * S, 300 * S));
        assert!(!in_grace_period(Some(10 * S), 310 * S, 300 * S));
        assert!(in_grace_period(None, 0, 0));
    }
}
