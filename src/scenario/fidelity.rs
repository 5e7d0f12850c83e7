//! Defaults of the keys that make stratus behave as real AWS accounts were
//! recorded behaving (`docs/src/background/recorded-fidelity.md`; the records and their
//! grades are cited at each figure in `crate::aws::recorded`).

use super::dist::DurationDist;
use super::units::Duration;
use crate::aws::recorded;
use schemars::JsonSchema;
use serde::Deserialize;

/// Closed-loop load: virtual users.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VirtualUsers {
    /// How many users: a number, or a pattern over time like a workload's
    /// `rate` (step, ramp, diurnal, spike; the values given as `rps` are
    /// users; not a trace). When the count falls, users finish their
    /// request in flight and stop; when it rises, users start at once.
    #[schemars(example = 200)]
    pub count: super::dist::Rate,
    /// Think time after each response (default 0s).
    #[serde(default = "zero_dist")]
    #[schemars(example = serde_json::json!({"dist": "exponential", "mean": "5s"}))]
    pub think_time: DurationDist,
}

/// AWS's `AvailabilityZoneDistribution` of a group.
#[derive(Clone, Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ZoneDistribution {
    /// What the group does when launches fail in a zone
    /// (`API-ASG:AvailabilityZoneDistribution`; default
    /// `balanced-best-effort`).
    #[serde(default)]
    #[schemars(example = &"balanced-only")]
    pub capacity_distribution_strategy: CapacityDistributionStrategy,
}

/// AWS's `CapacityDistributionStrategy`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, JsonSchema)]
pub enum CapacityDistributionStrategy {
    /// "If launches fail in an Availability Zone, Auto Scaling will attempt
    /// to launch in another healthy Availability Zone instead" (AWS's
    /// default).
    #[default]
    #[serde(rename = "balanced-best-effort")]
    BalancedBestEffort,
    /// "Auto Scaling will continue to attempt to launch in the unhealthy
    /// zone to preserve a balanced distribution."
    #[serde(rename = "balanced-only")]
    BalancedOnly,
}

/// Which API call a user action makes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ActionKind {
    /// `SetDesiredCapacity` (`desired`).
    SetDesiredCapacity,
    /// `UpdateAutoScalingGroup` (`min`, `max`, `desired`).
    UpdateAutoScalingGroup,
    /// `TerminateInstanceInAutoScalingGroup` (`decrement`).
    TerminateInstance,
    /// `DetachInstances` (`decrement`).
    DetachInstance,
    /// `EnterStandby` (`decrement`, AWS's
    /// `ShouldDecrementDesiredCapacity`; `instance` among the InService
    /// instances).
    EnterStandby,
    /// `ExitStandby` (`instance` among the Standby instances, by launch
    /// order).
    ExitStandby,
    /// DynamoDB `UpdateTable` (`read_capacity`, `write_capacity`).
    UpdateTable,
    /// Application Auto Scaling `RegisterScalableTarget` (`dimension`,
    /// `min`, `max`).
    RegisterScalableTarget,
    /// ELB `ModifyTargetGroup` (`health_check`).
    ModifyTargetGroup,
    /// Application Auto Scaling `PutScalingPolicy` for a table
    /// (`table`, `dimension`): the policy of `tables[].auto_scaling` for
    /// that dimension, and its two alarms, are created at `at` instead of
    /// at the start; the alarms then evaluate the table's datapoints
    /// published before they existed.
    PutScalingPolicy,
}

/// A table's capacity dimension.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TableDimension {
    /// Read capacity units.
    Read,
    /// Write capacity units.
    Write,
}

/// A health check change (the fields given replace the current ones).
#[derive(Clone, Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HealthCheckChange {
    /// Seconds between checks.
    #[serde(default)]
    #[schemars(example = &"10s")]
    pub interval: Option<Duration>,
    /// Check timeout.
    #[serde(default)]
    #[schemars(example = &"5s")]
    pub timeout: Option<Duration>,
    /// Passes from unhealthy to healthy.
    #[serde(default)]
    #[schemars(example = 2)]
    pub healthy_threshold: Option<u32>,
    /// Failures from healthy to unhealthy.
    #[serde(default)]
    #[schemars(example = 3)]
    pub unhealthy_threshold: Option<u32>,
}

/// One timed API call (fields used depend on `action`).
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UserAction {
    /// When, from the start of the run.
    #[schemars(example = &"10m")]
    pub at: Duration,
    /// Which call.
    #[schemars(example = &"update_auto_scaling_group")]
    pub action: ActionKind,
    /// The group (group actions).
    #[serde(default)]
    #[schemars(example = &"web")]
    pub auto_scaling_group: Option<String>,
    /// The table (table actions).
    #[serde(default)]
    #[schemars(example = &"orders")]
    pub table: Option<String>,
    /// The load balancer whose target group changes.
    #[serde(default)]
    #[schemars(example = &"web")]
    pub load_balancer: Option<String>,
    /// New desired capacity.
    #[serde(default)]
    #[schemars(example = 4)]
    pub desired: Option<u32>,
    /// New minimum (group or scalable target).
    #[serde(default)]
    #[schemars(example = 2)]
    pub min: Option<f64>,
    /// New maximum (group or scalable target).
    #[serde(default)]
    #[schemars(example = 10)]
    pub max: Option<f64>,
    /// Terminate, detach or enter standby: also lower desired capacity
    /// (AWS's `ShouldDecrementDesiredCapacity`; the API requires it be
    /// given; here it defaults to false). AWS's name
    /// `should_decrement_desired_capacity` is accepted too.
    #[serde(default, alias = "should_decrement_desired_capacity")]
    #[schemars(example = true)]
    pub decrement: bool,
    /// Terminate, detach or enter standby: which InService instance, by
    /// launch order (0 = oldest; default 0). Exit standby: which Standby
    /// instance, by launch order.
    #[serde(default)]
    #[schemars(example = 1)]
    pub instance: u32,
    /// UpdateTable: new read capacity.
    #[serde(default)]
    #[schemars(example = 100)]
    pub read_capacity: Option<f64>,
    /// UpdateTable: new write capacity.
    #[serde(default)]
    #[schemars(example = 50)]
    pub write_capacity: Option<f64>,
    /// RegisterScalableTarget: the dimension.
    #[serde(default)]
    #[schemars(example = &"write")]
    pub dimension: Option<TableDimension>,
    /// ModifyTargetGroup: the health check fields to change.
    #[serde(default)]
    #[schemars(example = serde_json::json!({"interval": "10s", "healthy_threshold": 2}))]
    pub health_check: Option<HealthCheckChange>,
}

/// A problem with an action: its index, the field, the message.
pub(crate) type ActionProblem = ((usize, String), String);

/// Problems with the scenario's actions.
pub(crate) fn action_problems(sc: &super::Scenario) -> Vec<ActionProblem> {
    let mut out = Vec::new();
    let groups: Vec<&str> = sc
        .auto_scaling_groups
        .iter()
        .map(|g| g.name.as_str())
        .collect();
    let tables: Vec<&str> = sc.tables.iter().map(|t| t.name.as_str()).collect();
    let lbs: Vec<&str> = sc.load_balancers.iter().map(|l| l.name.as_str()).collect();
    for (i, a) in sc.actions.iter().enumerate() {
        let p = |f: &str| (i, f.to_string());
        let name = format!("{:?}", a.action);
        let need = |out: &mut Vec<ActionProblem>,
                    field: &str,
                    v: Option<&String>,
                    names: &[&str],
                    kind: &str| match v {
            None => out.push((p(field), format!("a {name} action needs `{field}`"))),
            Some(n) if !names.contains(&n.as_str()) => {
                let hint = crate::scenario::did_you_mean(n, names.iter())
                    .map(|s| format!(" (did you mean \"{s}\"?)"))
                    .unwrap_or_default();
                out.push((p(field), format!("no {kind} named \"{n}\"{hint}")))
            }
            _ => {}
        };
        match a.action {
            ActionKind::SetDesiredCapacity
            | ActionKind::UpdateAutoScalingGroup
            | ActionKind::TerminateInstance
            | ActionKind::DetachInstance
            | ActionKind::EnterStandby
            | ActionKind::ExitStandby => {
                need(
                    &mut out,
                    "auto_scaling_group",
                    a.auto_scaling_group.as_ref(),
                    &groups,
                    "auto scaling group",
                );
                if a.action == ActionKind::SetDesiredCapacity && a.desired.is_none() {
                    out.push((
                        p("desired"),
                        "a SetDesiredCapacity action needs `desired`".into(),
                    ));
                }
                if a.action == ActionKind::UpdateAutoScalingGroup
                    && a.desired.is_none()
                    && a.min.is_none()
                    && a.max.is_none()
                {
                    out.push((
                        p("action"),
                        "an UpdateAutoScalingGroup action needs `min`, `max` or `desired`".into(),
                    ));
                }
                if let (Some(lo), Some(hi)) = (a.min, a.max)
                    && lo > hi
                {
                    out.push((p("min"), format!("min ({lo}) is greater than max ({hi})")));
                }
            }
            ActionKind::UpdateTable => {
                need(&mut out, "table", a.table.as_ref(), &tables, "table");
                if a.read_capacity.is_none() && a.write_capacity.is_none() {
                    out.push((
                        p("action"),
                        "an UpdateTable action needs `read_capacity` or `write_capacity`".into(),
                    ));
                }
            }
            ActionKind::RegisterScalableTarget => {
                need(&mut out, "table", a.table.as_ref(), &tables, "table");
                if a.dimension.is_none() {
                    out.push((
                        p("dimension"),
                        "a RegisterScalableTarget action needs `dimension` (read | write)".into(),
                    ));
                }
                if let (Some(lo), Some(hi)) = (a.min, a.max)
                    && lo > hi
                {
                    out.push((p("min"), format!("min ({lo}) is greater than max ({hi})")));
                }
            }
            ActionKind::PutScalingPolicy => {
                need(&mut out, "table", a.table.as_ref(), &tables, "table");
                let table = sc.tables.iter().find(|t| Some(&t.name) == a.table.as_ref());
                match (a.dimension, table) {
                    (None, _) => out.push((
                        p("dimension"),
                        "a PutScalingPolicy action needs `dimension` (read | write)".into(),
                    )),
                    (Some(d), Some(t)) => {
                        let s = t.auto_scaling.as_ref().and_then(|s| match d {
                            TableDimension::Read => s.read.as_ref(),
                            TableDimension::Write => s.write.as_ref(),
                        });
                        if s.is_none() {
                            out.push((
                                p("dimension"),
                                format!(
                                    "table {:?} has no auto_scaling policy for this dimension to put",
                                    t.name
                                ),
                            ));
                        }
                    }
                    _ => {}
                }
            }
            ActionKind::ModifyTargetGroup => {
                need(
                    &mut out,
                    "load_balancer",
                    a.load_balancer.as_ref(),
                    &lbs,
                    "load balancer",
                );
                if a.health_check.is_none() {
                    out.push((
                        p("health_check"),
                        "a ModifyTargetGroup action needs `health_check`".into(),
                    ));
                }
            }
        }
        if a.at.0 > sc.duration.0 {
            out.push((
                p("at"),
                format!(
                    "the action is due after the end of the run ({}s)",
                    sc.duration.0 / 1_000_000_000
                ),
            ));
        }
    }
    out
}

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
