//! EC2 Auto Scaling decision rules as pure functions: adjustment arithmetic,
//! step selection, warm-up, several policies at once, target tracking,
//! cooldowns, and the other arithmetic the documentation pins down (warm
//! pools, lifecycle hooks, predictive scaling, health replacement pacing,
//! instance refresh batches).
//!
//! Nothing here holds state or reads the clock: the world passes in counts and
//! times and applies the result. Every rule sits in one function named after
//! it, with the citation key of `shared/research/aws-semantics.md` beside it
//! (`ASG:<page>` is a page of the EC2 Auto Scaling User Guide, `API-ASG:` the
//! API reference, `HIST-ASG@…` an earlier guide version) and the worked example
//! (`WE-nn`) its test checks.
//!
//! Capacities are in capacity units, which are instances unless instance
//! weighting is used.

use crate::scenario::{AdjustmentType, Duration, StepAdjustment};
use crate::sim::SimTime;

/// Relative tolerance for float capacity formulas, so that 10 × 150 / 100
/// computed as 15.000000000000002 still rounds up to 15, not 16.
const EPS: f64 = 1e-9;

fn ceil_tolerant(x: f64) -> f64 {
    (x - EPS * x.abs().max(1.0)).ceil()
}

fn floor_tolerant(x: f64) -> f64 {
    (x + EPS * x.abs().max(1.0)).floor()
}

/// Float to capacity: negative and NaN become 0, huge values saturate.
fn to_units(x: f64) -> u32 {
    if x.is_nan() || x <= 0.0 { 0 } else { x as u32 }
}

// ===================================================== 1.5 adjustment types

/// Rounds a `PercentChangeInCapacity` delta given as the exact fraction
/// `numer / denom` (`denom > 0`). `ASG:as-scaling-simple-step` ("Scaling
/// adjustment types"), WE-03: values greater than 1 are rounded down (12.7 →
/// 12), values between 0 and 1 are rounded to 1 (0.67 → 1), values between 0
/// and −1 to −1 (−0.58 → −1), values less than −1 are rounded up (−6.67 → −6).
/// That is: truncate toward zero, except that a non-zero delta never becomes 0.
pub fn round_percent_delta(numer: i64, denom: i64) -> i64 {
    debug_assert!(denom > 0, "denominator must be positive");
    let q = numer / denom.max(1); // Rust's `/` truncates toward zero
    if q == 0 && numer != 0 {
        numer.signum()
    } else {
        q
    }
}

/// The rounded delta of `PercentChangeInCapacity`: `percent` % of `current`,
/// computed exactly and rounded by [`round_percent_delta`].
/// `ASG:as-scaling-simple-step`; WE-01 (+30 % of 11 = 3.3 → 3).
pub fn percent_change_delta(current: u32, percent: i64) -> i64 {
    round_percent_delta((current as i64).saturating_mul(percent), 100)
}

/// `MinAdjustmentMagnitude`: a percentage step never moves by fewer than this
/// many units. The direction is the sign of the percentage, so a +25 % step on
/// a group of 4 (= 1) with magnitude 2 adds 2 (WE-04), and a 0 % step stays 0.
/// Applies only to `PercentChangeInCapacity`, after rounding.
/// `ASG:as-scaling-simple-step`; `API-ASG:PutScalingPolicyType.MinAdjustmentMagnitude`.
pub fn apply_min_adjustment_magnitude(delta: i64, percent: i64, min_magnitude: Option<i64>) -> i64 {
    match min_magnitude {
        Some(m) if m > 0 && percent != 0 && delta.abs() < m => percent.signum() * m,
        _ => delta,
    }
}

/// The capacity a simple or step adjustment asks for, before clamping:
/// `ChangeInCapacity` adds, `ExactCapacity` sets, `PercentChangeInCapacity`
/// adds the rounded percentage (with `MinAdjustmentMagnitude`).
/// `ASG:as-scaling-simple-step` ("Scaling adjustment types": current 3, +5 → 8;
/// exact 5 → 5; current 10, +10 % → 11).
pub fn adjusted_capacity(
    kind: AdjustmentType,
    current: u32,
    adjustment: i64,
    min_adjustment_magnitude: Option<i64>,
) -> i64 {
    let current = current as i64;
    match kind {
        AdjustmentType::ChangeInCapacity => current.saturating_add(adjustment),
        AdjustmentType::ExactCapacity => adjustment,
        AdjustmentType::PercentChangeInCapacity => {
            let delta = percent_change_delta(current as u32, adjustment);
            current.saturating_add(apply_min_adjustment_magnitude(
                delta,
                adjustment,
                min_adjustment_magnitude,
            ))
        }
    }
}

/// Checks an adjustment against its type: `ExactCapacity` must be ≥ 0.
/// `ASG:as-scaling-simple-step` ("Specify a positive value with this
/// adjustment type"); `API-ASG:PutScalingPolicyType.AdjustmentType`.
pub fn validate_adjustment(kind: AdjustmentType, adjustment: i64) -> Result<(), String> {
    if kind == AdjustmentType::ExactCapacity && adjustment < 0 {
        return Err(format!(
            "ExactCapacity adjustment must be 0 or more, found {adjustment}"
        ));
    }
    Ok(())
}

/// Checks a target tracking policy's target value: above 0 and finite;
/// for a utilisation metric (`CPUUtilization`, `ASGAverageCPUUtilization`:
/// a percentage) at most 100, since the metric can never exceed 100 and a
/// higher target would never scale out (`API-ASG:TargetTrackingConfiguration.TargetValue`;
/// `ASG:as-scaling-target-tracking`).
pub fn validate_target_tracking_target(metric: &str, target: f64) -> Result<(), String> {
    if !(target > 0.0 && target.is_finite()) {
        return Err(format!("target must be greater than 0, found {target}"));
    }
    if matches!(metric, "CPUUtilization" | "ASGAverageCPUUtilization") && target > 100.0 {
        return Err(format!(
            "{metric} is a percentage: the target must be above 0 and at most 100, found {target}"
        ));
    }
    Ok(())
}

/// Dynamic scaling never takes the group outside `[min, max]`.
/// `ASG:as-scale-based-on-demand`; WE-05 (max 3, current 2, +3 → 3; min 2,
/// current 3, −2 → 2). Never panics: with `min > max` the result is `max`.
pub fn clamp_to_group_limits(capacity: i64, min: u32, max: u32) -> u32 {
    capacity.max(min as i64).min(max as i64) as u32
}

// ============================================ 1.1 instance weighting (WE-05)

/// With instance weighting the group may go above `MaxSize`, but never by
/// more than the largest instance weight.
/// `ASG:as-scale-based-on-demand`; `API-ASG:CreateAutoScalingGroupType.MaxSize`.
pub fn weighted_capacity_ceiling(max: u32, largest_weight: u32) -> u32 {
    max.saturating_add(largest_weight)
}

/// Instances of weight `weight` to launch so that the current units reach
/// the desired units: a whole instance is launched even when it overshoots
/// (max 12, current 10, desired 12, weight 6 → 1 instance, current 16; WE-05c).
/// `ASG:as-scale-based-on-demand`.
pub fn weighted_instances_to_launch(current_units: u32, desired_units: u32, weight: u32) -> u32 {
    let missing = desired_units.saturating_sub(current_units);
    missing.div_ceil(weight.max(1))
}

// ================================================ 1.4 step scaling: steps

/// Aggregates the most recent datapoints as `MetricAggregationType` says:
/// `Minimum`, `Maximum` or `Average`; none means `Average`. Other statistics
/// are not valid there and are treated as `Average`. `None` for no data.
/// `API-ASG:PutScalingPolicyType.MetricAggregationType`; `ASG:as-scaling-simple-step`.
pub fn metric_aggregation(
    values: &[f64],
    aggregation: Option<crate::scenario::Statistic>,
) -> Option<f64> {
    use crate::scenario::Statistic;
    if values.is_empty() {
        return None;
    }
    Some(match aggregation {
        Some(Statistic::Minimum) => values.iter().copied().fold(f64::INFINITY, f64::min),
        Some(Statistic::Maximum) => values.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        _ => values.iter().sum::<f64>() / values.len() as f64,
    })
}

fn lo(s: &StepAdjustment) -> f64 {
    s.lower.unwrap_or(f64::NEG_INFINITY)
}

fn hi(s: &StepAdjustment) -> f64 {
    s.upper.unwrap_or(f64::INFINITY)
}

/// Whether a step covers `diff` (metric − threshold) when the metric is above
/// the threshold: lower bound inclusive, upper exclusive, `[lo, hi)`.
/// `ASG:as-scaling-simple-step`; `API-ASG:StepAdjustment.MetricIntervalLowerBound`.
pub fn step_contains_above_threshold(step: &StepAdjustment, diff: f64) -> bool {
    lo(step) <= diff && diff < hi(step)
}

/// Whether a step covers `diff` (metric − threshold) when the metric is below
/// the threshold: lower bound exclusive, upper inclusive, `(lo, hi]`.
/// `ASG:as-scaling-simple-step`; `API-ASG:StepAdjustment.MetricIntervalUpperBound`.
pub fn step_contains_below_threshold(step: &StepAdjustment, diff: f64) -> bool {
    lo(step) < diff && diff <= hi(step)
}

/// The step adjustment for an aggregated metric value, bounds being relative
/// to the alarm threshold. Above the threshold `[lo, hi)` applies, below it
/// `(lo, hi]`. Exactly at the threshold the doc says neither; the `[lo, hi)`
/// step is taken if one covers 0, else the `(lo, hi]` one, so that both a
/// `>=` scale-out set `[0, …)` and a `<=` scale-in set `(…, 0]` fire there.
/// `None` when no step covers the value (a gap, or no breach).
/// `ASG:as-scaling-simple-step` ("Step adjustments"); WE-01.
pub fn select_step_adjustment(
    steps: &[StepAdjustment],
    metric: f64,
    threshold: f64,
) -> Option<&StepAdjustment> {
    let diff = metric - threshold;
    if diff.is_nan() {
        return None;
    }
    let above = || {
        steps
            .iter()
            .find(|s| step_contains_above_threshold(s, diff))
    };
    let below = || {
        steps
            .iter()
            .find(|s| step_contains_below_threshold(s, diff))
    };
    if diff > 0.0 {
        above()
    } else if diff < 0.0 {
        below()
    } else {
        above().or_else(below)
    }
}

/// Most step adjustments in one policy. `ASG:ec2-auto-scaling-quotas`.
pub const MAX_STEP_ADJUSTMENTS: usize = 20;

/// Validates a step set as `ASG:as-scaling-simple-step` lists: ranges must not
/// overlap or leave a gap; at most one null lower bound, required if any lower
/// bound is negative; at most one null upper bound, required if any upper bound
/// is positive; no step with both bounds null; upper > lower. Also at least one
/// step and at most [`MAX_STEP_ADJUSTMENTS`] (`ASG:ec2-auto-scaling-quotas`).
pub fn validate_step_adjustments(steps: &[StepAdjustment]) -> Result<(), String> {
    if steps.is_empty() {
        return Err("a step scaling policy needs at least one step adjustment".into());
    }
    if steps.len() > MAX_STEP_ADJUSTMENTS {
        return Err(format!(
            "{} step adjustments; a policy can have at most {MAX_STEP_ADJUSTMENTS}",
            steps.len()
        ));
    }
    for (i, s) in steps.iter().enumerate() {
        if s.lower.is_some_and(|v| !v.is_finite()) || s.upper.is_some_and(|v| !v.is_finite()) {
            return Err(format!("step {}: bounds must be finite numbers", i + 1));
        }
        match (s.lower, s.upper) {
            (None, None) => {
                return Err(format!(
                    "step {}: the lower and upper bound can't both be null",
                    i + 1
                ));
            }
            (Some(l), Some(u)) if u <= l => {
                return Err(format!(
                    "step {}: the upper bound ({u}) must be greater than the lower bound ({l})",
                    i + 1
                ));
            }
            _ => {}
        }
    }
    let null_lower = steps.iter().filter(|s| s.lower.is_none()).count();
    let null_upper = steps.iter().filter(|s| s.upper.is_none()).count();
    if null_lower > 1 {
        return Err("only one step adjustment can have a null lower bound".into());
    }
    if null_upper > 1 {
        return Err("only one step adjustment can have a null upper bound".into());
    }
    if null_lower == 0 && steps.iter().any(|s| s.lower.is_some_and(|l| l < 0.0)) {
        return Err(
            "a step has a negative lower bound, so one step needs a null lower bound (−infinity)"
                .into(),
        );
    }
    if null_upper == 0 && steps.iter().any(|s| s.upper.is_some_and(|u| u > 0.0)) {
        return Err(
            "a step has a positive upper bound, so one step needs a null upper bound (+infinity)"
                .into(),
        );
    }
    let mut sorted: Vec<&StepAdjustment> = steps.iter().collect();
    sorted.sort_by(|a, b| lo(a).total_cmp(&lo(b)));
    for w in sorted.windows(2) {
        let (end, start) = (hi(w[0]), lo(w[1]));
        if end > start {
            return Err(format!(
                "step ranges overlap: one ends at {end} after the next starts at {start}"
            ));
        }
        if end < start {
            return Err(format!("step ranges leave a gap between {end} and {start}"));
        }
    }
    Ok(())
}

// ========================================= 1.4 / 1.7 warm-up and capacity

/// A group's capacity as the scaling rules see it, in capacity units.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Capacity {
    /// Desired capacity now.
    pub desired: u32,
    /// InService instances whose warm-up has expired (they feed the metrics).
    pub past_warmup: u32,
    /// Instances launched and not yet past warm-up (Pending, Pending:Wait, or
    /// InService within the warm-up). They count toward desired capacity.
    pub warming: u32,
    /// Instances terminating (scale-in counts them as current capacity).
    pub terminating: u32,
    /// Group minimum.
    pub min: u32,
    /// Group maximum.
    pub max: u32,
}

impl Capacity {
    /// A settled group: `n` instances, all past warm-up, desired `n`.
    pub fn settled(n: u32, min: u32, max: u32) -> Self {
        Capacity {
            desired: n,
            past_warmup: n,
            warming: 0,
            terminating: 0,
            min,
            max,
        }
    }
}

/// The warm-up that applies to instances a policy launches:
/// `EstimatedInstanceWarmup`, else the group's `DefaultInstanceWarmup`, else
/// the group's `DefaultCooldown`. `ASG:consolidated-view-of-warm-up-and-cooldown-settings`;
/// `ASG:ec2-auto-scaling-default-instance-warmup`; `API-ASG:PutScalingPolicyType.EstimatedInstanceWarmup`.
pub fn effective_instance_warmup(
    policy_warmup: Option<Duration>,
    default_instance_warmup: Option<Duration>,
    default_cooldown: Duration,
) -> Duration {
    policy_warmup
        .or(default_instance_warmup)
        .unwrap_or(default_cooldown)
}

/// Whether an instance's warm-up counts from its launch rather than from
/// InService. The group's `DefaultInstanceWarmup` counts from InService:
/// "until a new instance is considered to have finished initializing and
/// resource consumption to become stable after it enters the InService
/// state" (`API-ASG:CreateAutoScalingGroupType.DefaultInstanceWarmup`;
/// `ASG:ec2-auto-scaling-default-instance-warmup`). A policy's
/// `EstimatedInstanceWarmup`, and the group's `DefaultCooldown` it falls
/// back to when no default instance warmup is set, is "the estimated time,
/// in seconds, until a newly launched instance can contribute to the
/// CloudWatch metrics" (`API-ASG:PutScalingPolicyType.EstimatedInstanceWarmup`),
/// i.e. from the launch ("the default cooldown might be applied when
/// instances launch", `ASG:ec2-auto-scaling-default-instance-warmup`).
pub fn warm_up_counts_from_launch(
    policy_warmup: Option<Duration>,
    default_instance_warmup: Option<Duration>,
) -> bool {
    policy_warmup.is_some() || default_instance_warmup.is_none()
}

/// When an instance's warm-up starts: its launch or its entry into
/// InService ([`warm_up_counts_from_launch`]); `None` while it is not
/// InService (it feeds no metric yet).
pub fn warm_up_start(
    launched_at: SimTime,
    in_service_at: Option<SimTime>,
    from_launch: bool,
) -> Option<SimTime> {
    let in_service = in_service_at?;
    Some(if from_launch {
        launched_at.min(in_service)
    } else {
        in_service
    })
}

/// Whether an instance's warm-up has expired: warm-up starts when it enters
/// InService. Until then it does not count in the aggregated metrics.
/// `ASG:ec2-auto-scaling-default-instance-warmup`; `ASG:as-scaling-simple-step` ("Instance warm-up").
pub fn warm_up_expired(now: SimTime, in_service_at: SimTime, warmup: Duration) -> bool {
    now >= in_service_at.saturating_add(warmup.nanos())
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Direction {
    Out,
    In,
    Hold,
}

/// Which way a simple or step adjustment points: the sign of the adjustment,
/// or for `ExactCapacity` whether it is above or below desired capacity.
fn direction(kind: AdjustmentType, adjustment: i64, desired: u32) -> Direction {
    let sign = match kind {
        AdjustmentType::ExactCapacity => adjustment.cmp(&(desired as i64)),
        _ => adjustment.cmp(&0),
    };
    match sign {
        std::cmp::Ordering::Greater => Direction::Out,
        std::cmp::Ordering::Less => Direction::In,
        std::cmp::Ordering::Equal => Direction::Hold,
    }
}

/// New desired capacity after a step scaling adjustment, with warm-up.
///
/// Scale-out computes the adjustment on the instances past warm-up and raises
/// desired capacity to the result only if it is higher: warming instances
/// already count toward desired, so repeated breaches in the same step make
/// one activity (WE-02: desired 11 with 10 warmed, +10 % → 11, no change;
/// +30 % → 13, adding 2). Scale-in is blocked while any instance warms up;
/// otherwise it computes the adjustment on the instances past warm-up plus
/// those terminating and lowers desired only if the result is lower (so a
/// second breach while the first victim terminates removes nothing more).
/// Clamped to `[min, max]` (WE-05).
/// `HIST-ASG@634c880:as-scaling-simple-step` ("Instance warm-up");
/// `ASG:as-scaling-simple-step`; `ASG:ec2-auto-scaling-default-instance-warmup`.
pub fn step_scaling_new_desired(
    cap: &Capacity,
    kind: AdjustmentType,
    adjustment: i64,
    min_adjustment_magnitude: Option<i64>,
) -> u32 {
    match direction(kind, adjustment, cap.desired) {
        Direction::Hold => cap.desired,
        Direction::Out => {
            let target =
                adjusted_capacity(kind, cap.past_warmup, adjustment, min_adjustment_magnitude);
            clamp_to_group_limits(target.max(cap.desired as i64), cap.min, cap.max)
        }
        Direction::In => {
            if scale_in_blocked_by_warmup(cap) {
                return cap.desired;
            }
            let base = cap.past_warmup.saturating_add(cap.terminating);
            let target = adjusted_capacity(kind, base, adjustment, min_adjustment_magnitude);
            clamp_to_group_limits(target.min(cap.desired as i64), cap.min, cap.max)
        }
    }
}

/// Scale-in by step and target-tracking policies is blocked until every
/// instance has finished warming up.
/// `ASG:ec2-auto-scaling-default-instance-warmup` ("This blocks scale-in
/// activities initiated by scaling policies until the instances finish warming up").
pub fn scale_in_blocked_by_warmup(cap: &Capacity) -> bool {
    cap.warming > 0
}

/// New desired capacity after a simple scaling adjustment. Simple scaling has
/// no warm-up rule (it waits for the activity and the cooldown instead, see
/// [`simple_policy_may_respond`]): the adjustment applies to the current
/// capacity (every instance not terminating), never moves desired capacity
/// against the adjustment's direction, and is clamped to `[min, max]`.
/// WE-05(d) follows: desired 30, current 32 (weighting), −1 → no action.
/// `ASG:as-scaling-simple-step`; `ASG:as-scale-based-on-demand`.
pub fn simple_scaling_new_desired(
    cap: &Capacity,
    kind: AdjustmentType,
    adjustment: i64,
    min_adjustment_magnitude: Option<i64>,
) -> u32 {
    let current = cap.past_warmup.saturating_add(cap.warming);
    let target = adjusted_capacity(kind, current, adjustment, min_adjustment_magnitude);
    let directed = match direction(kind, adjustment, cap.desired) {
        Direction::Hold => return cap.desired,
        Direction::Out => target.max(cap.desired as i64),
        Direction::In => target.min(cap.desired as i64),
    };
    clamp_to_group_limits(directed, cap.min, cap.max)
}

// ====================================== 1.2 several policies at the same time

/// When several policies trigger together, the one giving the largest
/// capacity wins, for scale-out and for scale-in alike (so scale-in removes the
/// fewest). `None` when no policy triggered.
/// `ASG:as-scale-based-on-demand` ("Multiple dynamic scaling policies"); WE-06.
pub fn largest_capacity_wins(capacities: impl IntoIterator<Item = u32>) -> Option<u32> {
    capacities.into_iter().max()
}

// ======================================================= 1.6 target tracking

/// Which managed alarm of a target tracking policy is in ALARM.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TargetAlarm {
    /// The metric is above the target (AlarmHigh).
    High,
    /// The metric is below the scale-in threshold (AlarmLow).
    Low,
}

/// What one target tracking policy wants.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TargetVote {
    /// Scale out to this capacity (it may equal desired when warming
    /// instances already cover it; the policy is still not ready to scale in).
    Out(u32),
    /// Scale in to this capacity.
    In(u32),
    /// Not ready to scale (metric in the band, no data, or warm-up blocks).
    Hold,
    /// Scale-in disabled and not scaling out: does not take part in the
    /// all-must-agree scale-in rule.
    Abstain,
}

/// The low alarm's threshold: `scale_in_threshold` × target, 0.9 by default.
/// Only "usually more than 10 % lower" is documented (`AAS:application-auto-scaling-target-tracking`);
/// the factor is pinned in `shared/spec/scenario-format.md` ("Target tracking").
pub fn target_tracking_scale_in_threshold(target: f64, scale_in_threshold: Option<f64>) -> f64 {
    target * scale_in_threshold.unwrap_or(0.9)
}

/// Scale-out capacity `ceil(n × metric / target)`, n being the InService
/// instances past warm-up (pinned in `shared/spec/scenario-format.md`,
/// "Target tracking"; the docs give only the rounding: round up when adding,
/// `ASG:as-scaling-target-tracking`). With n = 0 the formula is applied to
/// n = 1, so a group scaled to zero can scale out again. WE-09: n 10, backlog
/// 150, target 100 → 15. Returns n for a non-positive target or a NaN metric.
pub fn target_tracking_scale_out_capacity(n: u32, metric: f64, target: f64) -> u32 {
    if target.is_nan() || target <= 0.0 || metric.is_nan() {
        return n;
    }
    to_units(ceil_tolerant(n.max(1) as f64 * metric / target))
}

/// Scale-in capacity `floor(n × metric / target)`, n being the InService
/// instances past warm-up (round down when removing,
/// `ASG:as-scaling-target-tracking`; formula pinned in
/// `shared/spec/scenario-format.md`). Returns n for a non-positive target or a
/// NaN metric.
pub fn target_tracking_scale_in_capacity(n: u32, metric: f64, target: f64) -> u32 {
    if target.is_nan() || target <= 0.0 || metric.is_nan() {
        return n;
    }
    to_units(floor_tolerant(n as f64 * metric / target))
}

/// One target tracking policy's vote, given which of its alarms is in ALARM
/// (`None`: neither, or no data — no scaling until data returns). Scale-out
/// raises desired to `ceil(n × metric / target)` if higher; scale-in lowers
/// it to `floor(n × metric / target)` if lower, unless `disable_scale_in` or
/// an instance is warming up; both clamped to `[min, max]`.
/// `ASG:as-scaling-target-tracking`; `ASG:ec2-auto-scaling-default-instance-warmup`;
/// `API-ASG:TargetTrackingConfiguration.DisableScaleIn`.
pub fn target_tracking_vote(
    cap: &Capacity,
    alarm: Option<TargetAlarm>,
    metric: f64,
    target: f64,
    disable_scale_in: bool,
) -> TargetVote {
    match alarm {
        Some(TargetAlarm::High) => {
            let want = target_tracking_scale_out_capacity(cap.past_warmup, metric, target);
            TargetVote::Out(clamp_to_group_limits(
                want.max(cap.desired) as i64,
                cap.min,
                cap.max,
            ))
        }
        Some(TargetAlarm::Low) if disable_scale_in => TargetVote::Abstain,
        Some(TargetAlarm::Low) => {
            if scale_in_blocked_by_warmup(cap) {
                return TargetVote::Hold;
            }
            let want = target_tracking_scale_in_capacity(cap.past_warmup, metric, target);
            TargetVote::In(clamp_to_group_limits(
                want.min(cap.desired) as i64,
                cap.min,
                cap.max,
            ))
        }
        None if disable_scale_in => TargetVote::Abstain,
        None => TargetVote::Hold,
    }
}

/// Several target tracking policies: scale out if any policy wants to (the
/// largest capacity wins), scale in only if every policy with scale-in enabled
/// wants to (again the largest capacity, i.e. the smallest removal). `None`:
/// no change. `ASG:as-scaling-target-tracking` ("Multiple target tracking
/// policies"); `ASG:as-scale-based-on-demand`.
pub fn combine_target_tracking(votes: &[TargetVote]) -> Option<u32> {
    let out = votes.iter().filter_map(|v| match v {
        TargetVote::Out(c) => Some(*c),
        _ => None,
    });
    if let Some(c) = largest_capacity_wins(out) {
        return Some(c);
    }
    if votes.contains(&TargetVote::Hold) {
        return None;
    }
    largest_capacity_wins(votes.iter().filter_map(|v| match v {
        TargetVote::In(c) => Some(*c),
        _ => None,
    }))
}

// =================================================== SQS backlog (WE-09)

/// The acceptable backlog per instance, the target value for
/// backlog-per-instance target tracking: acceptable latency ÷ average
/// processing time per message (10 s / 0.1 s = 100, WE-09). `ASG:as-using-sqs-queue`.
pub fn sqs_acceptable_backlog_per_instance(
    acceptable_latency_s: f64,
    processing_time_s: f64,
) -> f64 {
    acceptable_latency_s / processing_time_s
}

/// Backlog per instance: `ApproximateNumberOfMessages` ÷ InService instances
/// (1500 / 10 = 150, WE-09). With no instance it is the whole backlog, as if
/// one instance were there. `ASG:as-using-sqs-queue`.
pub fn sqs_backlog_per_instance(messages: u64, in_service: u32) -> f64 {
    messages as f64 / in_service.max(1) as f64
}

// ======================================================= 1.3 simple cooldowns

/// The cooldown of a simple policy: its own `Cooldown`, else the group's
/// `DefaultCooldown` (300 s by default).
/// `API-ASG:PutScalingPolicyType.Cooldown`; `ASG:ec2-auto-scaling-scaling-cooldowns`.
pub fn effective_cooldown(
    policy_cooldown: Option<Duration>,
    default_cooldown: Duration,
) -> Duration {
    policy_cooldown.unwrap_or(default_cooldown)
}

/// When a cooldown ends. It starts when the **last** instance of the activity
/// finishes launching or terminating: pass the time the last launched
/// instance entered InService (after any launch lifecycle hook), or, for
/// scale-in behind a load balancer, the time the last terminating instance
/// finished deregistration (draining), not the end of a termination hook.
/// `ASG:ec2-auto-scaling-scaling-cooldowns`.
pub fn cooldown_until(last_instance_done_at: SimTime, cooldown: Duration) -> SimTime {
    last_instance_done_at.saturating_add(cooldown.nanos())
}

/// Whether a simple policy is still in its cooldown at `now`. Only simple
/// policies have one; step, target tracking, scheduled actions and health
/// replacement ignore it. `ASG:ec2-auto-scaling-scaling-cooldowns`.
pub fn simple_policy_in_cooldown(now: SimTime, cooldown_until: Option<SimTime>) -> bool {
    matches!(cooldown_until, Some(until) if now < until)
}

/// Whether a simple policy responds to an alarm: it waits for the scaling
/// activity (or health-check replacement) in progress to finish and then for
/// the cooldown. `ASG:as-scaling-simple-step` ("the policy must wait for the
/// scaling activity or health check replacement to complete and the cooldown
/// period to expire"); `ASG:ec2-auto-scaling-scaling-cooldowns`.
pub fn simple_policy_may_respond(
    now: SimTime,
    activity_in_progress: bool,
    cooldown_until: Option<SimTime>,
) -> bool {
    !activity_in_progress && !simple_policy_in_cooldown(now, cooldown_until)
}

// ====================================================== 1.8 scheduled (WE-13)

/// Min, max and desired capacity of a group.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GroupSize {
    /// Minimum.
    pub min: u32,
    /// Maximum.
    pub max: u32,
    /// Desired capacity.
    pub desired: u32,
}

/// A scheduled action sets any of min, max and desired; a new min above the
/// desired capacity raises it, a new max below lowers it (WE-13: desired 3
/// scales a smaller group out to 3, desired 1 scales a larger one in to 1).
/// `ASG:ec2-auto-scaling-scheduled-scaling`; `API-ASG:UpdateAutoScalingGroupType.MinSize`/`MaxSize`.
pub fn apply_scheduled_action(
    current: GroupSize,
    min: Option<u32>,
    max: Option<u32>,
    desired: Option<u32>,
) -> GroupSize {
    let min = min.unwrap_or(current.min);
    let max = max.unwrap_or(current.max);
    let desired = clamp_to_group_limits(desired.unwrap_or(current.desired) as i64, min, max);
    GroupSize { min, max, desired }
}

// ===================================================== 1.9 predictive (WE-12)

/// What predictive scaling may do when the forecast is near or above max.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum MaxCapacityBreach {
    /// `HonorMaxCapacity` (the default): never above max.
    HonorMaxCapacity,
    /// `IncreaseMaxCapacity` with `MaxCapacityBuffer` in percent.
    IncreaseMaxCapacity {
        /// Buffer over the forecast, percent.
        buffer_percent: f64,
    },
}

/// The effective maximum under predictive scaling: with
/// `IncreaseMaxCapacity`, forecast × (1 + buffer / 100) when that is above max
/// (forecast 50, max 40, buffer 10 → 55; buffer 0 → 50; WE-12). Rounding of a
/// fractional result is undocumented: rounded up.
/// `ASG:ec2-auto-scaling-predictive-scaling`; `API-ASG:PredictiveScalingConfiguration.MaxCapacityBuffer`.
pub fn predictive_effective_max(max: u32, forecast: f64, breach: MaxCapacityBreach) -> u32 {
    match breach {
        MaxCapacityBreach::HonorMaxCapacity => max,
        MaxCapacityBreach::IncreaseMaxCapacity { buffer_percent } => {
            let buffered = to_units(ceil_tolerant(forecast * (1.0 + buffer_percent / 100.0)));
            buffered.max(max)
        }
    }
}

/// Desired capacity at the start of an hour under predictive scaling: raised
/// to the forecast (rounded up) if below it, never lowered, within
/// `[min, effective max]`. `ASG:ec2-auto-scaling-predictive-scaling`.
pub fn predictive_new_desired(desired: u32, forecast: f64, min: u32, effective_max: u32) -> u32 {
    let want = to_units(ceil_tolerant(forecast));
    clamp_to_group_limits(want.max(desired) as i64, min, effective_max)
}

// ===================================================== 1.14 warm pools (WE-10)

/// Warm pool size: `MaxGroupPreparedCapacity` (default: the group's max)
/// minus desired capacity, but at least the pool's `MinSize` (desired 6, max
/// 10 → 4; with prepared 8 → 2; WE-10). `ASG:ec2-auto-scaling-warm-pools`.
pub fn warm_pool_size(
    desired: u32,
    max: u32,
    max_group_prepared_capacity: Option<u32>,
    min_size: u32,
) -> u32 {
    max_group_prepared_capacity
        .unwrap_or(max)
        .saturating_sub(desired)
        .max(min_size)
}

// ================================================ 1.13 lifecycle hooks (WE-11)

/// Longest a lifecycle hook can hold an instance, heartbeats included:
/// min(48 h, 100 × heartbeat timeout) (3600 s → 172,800 s; 120 s → 12,000 s;
/// WE-11). `API-ASG:LifecycleHook.GlobalTimeout`; `ASG:lifecycle-hooks`.
pub fn lifecycle_hook_global_timeout(heartbeat_timeout: Duration) -> Duration {
    Duration(
        heartbeat_timeout
            .nanos()
            .saturating_mul(100)
            .min(Duration::secs(172_800).nanos()),
    )
}

/// When a lifecycle hook's wait ends by timeout: heartbeat timeout after the
/// start or after the last `RecordLifecycleActionHeartbeat`, never past the
/// global timeout (1 h timeout, heartbeat at 30 min → 90 min; WE-11).
/// `ASG:completing-lifecycle-hooks`; `API-ASG:LifecycleHook.GlobalTimeout`.
pub fn lifecycle_hook_deadline(
    started_at: SimTime,
    heartbeat_timeout: Duration,
    last_heartbeat: Option<SimTime>,
) -> SimTime {
    let from = last_heartbeat.unwrap_or(started_at).max(started_at);
    let by_heartbeat = from.saturating_add(heartbeat_timeout.nanos());
    let global =
        started_at.saturating_add(lifecycle_hook_global_timeout(heartbeat_timeout).nanos());
    by_heartbeat.min(global)
}

/// How a lifecycle hook's wait ends when its action does not complete it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HookTimeout {
    /// The heartbeat timeout ran out (after the last heartbeat, if any).
    Heartbeat,
    /// Heartbeats kept it alive until the global timeout.
    Global,
}

/// When a lifecycle hook's wait times out, counted from its start, for an
/// action that records a heartbeat every `every` (at most `count` times,
/// none: until the wait ends): each heartbeat that arrives while the wait
/// still runs restarts the heartbeat timeout, never past the global timeout
/// (1 h timeout, one heartbeat at 30 min → 90 min; heartbeats every 30 min
/// on a 1 h timeout → 48 h; WE-11). `ASG:completing-lifecycle-hooks`;
/// `API-ASG:LifecycleHook.GlobalTimeout`.
pub fn lifecycle_hook_times_out_at(
    heartbeat_timeout: Duration,
    every: Option<Duration>,
    count: Option<u32>,
) -> (SimTime, HookTimeout) {
    let global = lifecycle_hook_global_timeout(heartbeat_timeout).nanos();
    let mut deadline = lifecycle_hook_deadline(0, heartbeat_timeout, None);
    if let Some(e) = every.map(|e| e.nanos()).filter(|&e| e > 0) {
        let mut k: u64 = 1;
        loop {
            let beat = e.saturating_mul(k);
            // A heartbeat after the wait ended, or past the allowed count,
            // does not count.
            if beat >= deadline || count.is_some_and(|c| k > c as u64) {
                break;
            }
            deadline = lifecycle_hook_deadline(0, heartbeat_timeout, Some(beat));
            if deadline >= global {
                break;
            }
            k += 1;
        }
    }
    let why = if deadline >= global {
        HookTimeout::Global
    } else {
        HookTimeout::Heartbeat
    };
    (deadline.min(global), why)
}

// =========================================== 1.12 health replacement (WE-15)

/// Most unhealthy instances replaced at a time: 10 % of desired capacity, or
/// one at a time when that is less than one (desired 50 → 5, desired 5 → 1;
/// WE-15). `ASG:ec2-auto-scaling-health-checks` ("How Amazon EC2 Auto Scaling
/// minimizes downtime").
pub fn unhealthy_replacement_batch(desired: u32) -> u32 {
    (desired / 10).max(1)
}

/// Whether unhealthy instances may be replaced now. Instances no longer
/// running or marked unhealthy through `SetInstanceHealth` (`immediate`) are
/// replaced at once. Others wait while the group is at or below 90 % of
/// desired capacity, counting the InService instances past warm-up (which
/// covers "a scaling activity is in progress and the group is below desired by
/// 10 percent or more").
/// `ASG:ec2-auto-scaling-health-checks` ("How Amazon EC2 Auto Scaling minimizes downtime").
pub fn unhealthy_replacement_may_proceed(
    in_service_ready: u32,
    desired: u32,
    immediate: bool,
) -> bool {
    immediate || in_service_ready as u64 * 10 > desired as u64 * 9
}

// ======================================== 1.15 refresh and lifetime (WE-16)

/// The warm-up of an instance refresh: its `InstanceWarmup`, else the group's
/// `DefaultInstanceWarmup`, else its health check grace period.
/// `ASG:understand-instance-refresh-default-values`; `API-ASG:RefreshPreferences.InstanceWarmup`.
pub fn instance_refresh_warmup(
    refresh_warmup: Option<Duration>,
    default_instance_warmup: Option<Duration>,
    health_check_grace_period: Duration,
) -> Duration {
    refresh_warmup
        .or(default_instance_warmup)
        .unwrap_or(health_check_grace_period)
}

/// Instances an instance refresh replaces at a time. At least
/// `MinHealthyPercentage` of desired capacity (rounded up) stays healthy, and
/// at most `MaxHealthyPercentage` (rounded down; 100 by default) may be in
/// service or pending, so a batch is the difference, at least one and at most
/// the group: 90 % → 10 % of the group, 100 % → one at a time, 0 % → all at
/// once (WE-16). `ASG:asg-instance-refresh`; `ASG:understand-instance-refresh-default-values`;
/// `API-ASG:RefreshPreferences.MinHealthyPercentage`; `API-ASG:InstanceMaintenancePolicy.MaxHealthyPercentage`.
pub fn instance_refresh_batch(
    desired: u32,
    min_healthy_percent: f64,
    max_healthy_percent: f64,
) -> u32 {
    let d = desired as f64;
    let keep = to_units(ceil_tolerant(d * min_healthy_percent / 100.0));
    let ceiling = to_units(floor_tolerant(d * max_healthy_percent.max(100.0) / 100.0));
    ceiling.saturating_sub(keep).max(1).min(desired)
}

/// Instances replaced at a time for maximum instance lifetime: usually one,
/// up to 10 % of current capacity when needed. `ASG:asg-max-instance-lifetime`.
pub fn max_instance_lifetime_batch(current: u32) -> u32 {
    (current / 10).max(1)
}

// ==================================================================== tests

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Statistic;
    use AdjustmentType::*;
    use proptest::prelude::*;

    fn step(lower: Option<f64>, upper: Option<f64>, adjustment: i64) -> StepAdjustment {
        StepAdjustment {
            lower,
            upper,
            adjustment,
        }
    }

    /// WE-11 through the heartbeat schedule: (a) 1 h timeout, one heartbeat
    /// at 30 min → 90 min; no heartbeat → 1 h; (b) heartbeats every 30 min
    /// on a 1 h timeout reach the 48 h global timeout; (c) a 120 s timeout
    /// kept alive by heartbeats every 60 s ends at 12,000 s; heartbeats
    /// slower than the timeout never arrive in time.
    #[test]
    fn we11_hook_wait_with_heartbeats() {
        let h = Duration::secs(3600);
        let m = |s: u64| s * 1_000_000_000;
        assert_eq!(
            lifecycle_hook_times_out_at(h, None, None),
            (m(3600), HookTimeout::Heartbeat)
        );
        assert_eq!(
            lifecycle_hook_times_out_at(h, Some(Duration::secs(1800)), Some(1)),
            (m(5400), HookTimeout::Heartbeat)
        );
        assert_eq!(
            lifecycle_hook_times_out_at(h, Some(Duration::secs(1800)), None),
            (m(172_800), HookTimeout::Global)
        );
        assert_eq!(
            lifecycle_hook_times_out_at(Duration::secs(120), Some(Duration::secs(60)), None),
            (m(12_000), HookTimeout::Global)
        );
        assert_eq!(
            lifecycle_hook_times_out_at(h, Some(Duration::secs(4000)), None),
            (m(3600), HookTimeout::Heartbeat)
        );
    }

    /// WE-01's scale-out set: [0,10) → 0 %, [10,20) → +10 %, [20,∞) → +30 %.
    fn we01_out() -> Vec<StepAdjustment> {
        vec![
            step(Some(0.0), Some(10.0), 0),
            step(Some(10.0), Some(20.0), 10),
            step(Some(20.0), None, 30),
        ]
    }

    /// WE-01's scale-in set: (−10,0] → 0, (−20,−10] → −10 %, (−∞,−20] → −30 %.
    fn we01_in() -> Vec<StepAdjustment> {
        vec![
            step(Some(-10.0), Some(0.0), 0),
            step(Some(-20.0), Some(-10.0), -10),
            step(None, Some(-20.0), -30),
        ]
    }

    /// Runs WE-01's two policies (threshold 50) on a metric value.
    fn we01_apply(cap: &Capacity, metric: f64) -> u32 {
        let mut results = Vec::new();
        for set in [we01_out(), we01_in()] {
            if let Some(s) = select_step_adjustment(&set, metric, 50.0) {
                results.push(step_scaling_new_desired(
                    cap,
                    PercentChangeInCapacity,
                    s.adjustment,
                    None,
                ));
            }
        }
        // At exactly 50 both 0 % steps match; several policies combine by
        // the largest capacity (WE-06).
        largest_capacity_wins(results).unwrap_or(cap.desired)
    }

    #[test]
    fn we_01_step_scaling_percent_change() {
        assert!(validate_step_adjustments(&we01_out()).is_ok());
        assert!(validate_step_adjustments(&we01_in()).is_ok());
        // 1: metric 60, +10 % of 10 → 11.
        assert_eq!(we01_apply(&Capacity::settled(10, 0, 100), 60.0), 11);
        // 2: metric 70 after warm-up (current 11), +30 % of 11 = 3.3 → 3 → 14.
        assert_eq!(we01_apply(&Capacity::settled(11, 0, 100), 70.0), 14);
        // 3: metric 40, −10 % of 14 = −1.4 → −1 → 13.
        assert_eq!(we01_apply(&Capacity::settled(14, 0, 100), 40.0), 13);
        // 4: metric 30, −30 % of 13 = −3.9 → −3 → 10.
        assert_eq!(we01_apply(&Capacity::settled(13, 0, 100), 30.0), 10);
        // Invariant: no change for a metric in (40, 60).
        for m in [40.001, 45.0, 50.0, 55.0, 59.999] {
            assert_eq!(
                we01_apply(&Capacity::settled(10, 0, 100), m),
                10,
                "metric {m}"
            );
        }
    }

    #[test]
    fn we_02_warming_instances_count_toward_desired() {
        let out = we01_out();
        let pick = |m: f64| select_step_adjustment(&out, m, 50.0).unwrap().adjustment;
        // Metric 60 on a settled group of 10: +1 → 11.
        let settled = Capacity::settled(10, 0, 100);
        assert_eq!(
            step_scaling_new_desired(&settled, PercentChangeInCapacity, pick(60.0), None),
            11
        );
        // The new instance warms up: desired 11, 10 past warm-up, 1 warming.
        let warming = Capacity {
            desired: 11,
            past_warmup: 10,
            warming: 1,
            terminating: 0,
            min: 0,
            max: 100,
        };
        // Metric 62, same step: 10 % of 10 = 1, desired already 11 → no change.
        assert_eq!(
            step_scaling_new_desired(&warming, PercentChangeInCapacity, pick(62.0), None),
            11
        );
        // Metric 70: 30 % of 10 = 3 → 13; desired 11, so 2 are added.
        assert_eq!(
            step_scaling_new_desired(&warming, PercentChangeInCapacity, pick(70.0), None),
            13
        );
        // Scale-in is blocked while the instance warms up.
        assert_eq!(
            step_scaling_new_desired(&warming, ChangeInCapacity, -3, None),
            11
        );
    }

    #[test]
    fn scale_in_counts_terminating_instances() {
        // HIST-ASG@634c880: while scaling in, terminating instances are part
        // of the current capacity, so a second breach in the same step while
        // the first victim terminates removes nothing more.
        let cap = Capacity {
            desired: 13,
            past_warmup: 13,
            warming: 0,
            terminating: 1,
            min: 0,
            max: 100,
        };
        assert_eq!(
            step_scaling_new_desired(&cap, PercentChangeInCapacity, -10, None),
            13
        );
        assert_eq!(
            step_scaling_new_desired(&cap, PercentChangeInCapacity, -30, None),
            10
        );
    }

    #[test]
    fn we_03_percent_change_rounding() {
        assert_eq!(round_percent_delta(127, 10), 12); // 12.7 → 12
        assert_eq!(round_percent_delta(67, 100), 1); // 0.67 → 1
        assert_eq!(round_percent_delta(-58, 100), -1); // −0.58 → −1
        assert_eq!(round_percent_delta(-667, 100), -6); // −6.67 → −6
    }

    #[test]
    fn percent_rounding_edges() {
        assert_eq!(round_percent_delta(0, 100), 0);
        assert_eq!(round_percent_delta(100, 100), 1);
        assert_eq!(round_percent_delta(-100, 100), -1);
        assert_eq!(round_percent_delta(199, 100), 1);
        assert_eq!(round_percent_delta(-199, 100), -1);
        assert_eq!(round_percent_delta(200, 100), 2);
        assert_eq!(round_percent_delta(1, 100), 1);
        assert_eq!(round_percent_delta(-1, 100), -1);
        // The documented examples of adjustment types.
        assert_eq!(adjusted_capacity(ChangeInCapacity, 3, 5, None), 8);
        assert_eq!(adjusted_capacity(ExactCapacity, 3, 5, None), 5);
        assert_eq!(adjusted_capacity(PercentChangeInCapacity, 10, 10, None), 11);
        // 1 % of 10 = 0.1 → 1; −1 % → −1; 0 % stays 0 even with a magnitude.
        assert_eq!(percent_change_delta(10, 1), 1);
        assert_eq!(percent_change_delta(10, -1), -1);
        assert_eq!(
            adjusted_capacity(PercentChangeInCapacity, 10, 0, Some(2)),
            10
        );
        assert!(validate_adjustment(ExactCapacity, -1).is_err());
        assert!(validate_adjustment(ExactCapacity, 0).is_ok());
        assert!(validate_adjustment(ChangeInCapacity, -1).is_ok());
    }

    #[test]
    fn we_04_min_adjustment_magnitude() {
        // +25 % of 4 = 1, magnitude 2 → +2, 6 instances.
        assert_eq!(percent_change_delta(4, 25), 1);
        assert_eq!(
            adjusted_capacity(PercentChangeInCapacity, 4, 25, Some(2)),
            6
        );
        let cap = Capacity::settled(4, 0, 10);
        assert_eq!(
            step_scaling_new_desired(&cap, PercentChangeInCapacity, 25, Some(2)),
            6
        );
        // Scale-in by magnitude too; ChangeInCapacity ignores it.
        assert_eq!(
            adjusted_capacity(PercentChangeInCapacity, 4, -25, Some(2)),
            2
        );
        assert_eq!(adjusted_capacity(ChangeInCapacity, 4, 1, Some(2)), 5);
        // A larger delta is kept.
        assert_eq!(
            adjusted_capacity(PercentChangeInCapacity, 20, 25, Some(2)),
            25
        );
    }

    #[test]
    fn we_05_clamping_and_weights() {
        // (a) max 3, current 2, +3 → 3 (+1).
        let a = Capacity::settled(2, 0, 3);
        assert_eq!(step_scaling_new_desired(&a, ChangeInCapacity, 3, None), 3);
        assert_eq!(simple_scaling_new_desired(&a, ChangeInCapacity, 3, None), 3);
        // (b) min 2, current 3, −2 → 2 (−1).
        let b = Capacity::settled(3, 2, 10);
        assert_eq!(step_scaling_new_desired(&b, ChangeInCapacity, -2, None), 2);
        assert_eq!(
            simple_scaling_new_desired(&b, ChangeInCapacity, -2, None),
            2
        );
        // (c) weights {1,4,6}, max 12, current 10 units, +5 units: desired 12;
        // the allocation picks weight 6, so one instance: current 16 ≤ 12 + 6.
        let desired =
            clamp_to_group_limits(adjusted_capacity(ChangeInCapacity, 10, 5, None), 0, 12);
        assert_eq!(desired, 12);
        let n = weighted_instances_to_launch(10, desired, 6);
        assert_eq!(n, 1);
        assert_eq!(10 + n * 6, 16);
        assert!(10 + n * 6 <= weighted_capacity_ceiling(12, 6));
        // (d) desired 30, current 32 units, −1 → no action.
        let d = Capacity {
            desired: 30,
            past_warmup: 32,
            warming: 0,
            terminating: 0,
            min: 0,
            max: 40,
        };
        assert_eq!(
            simple_scaling_new_desired(&d, ChangeInCapacity, -1, None),
            30
        );
        assert_eq!(step_scaling_new_desired(&d, ChangeInCapacity, -1, None), 30);
    }

    #[test]
    fn we_06_several_policies_largest_capacity_wins() {
        // Scale-out: a CPU step policy +1 and an SQS target tracking policy +2.
        let cap = Capacity::settled(8, 0, 20);
        let step_out = step_scaling_new_desired(&cap, ChangeInCapacity, 1, None);
        // Target tracking asking for two more: backlog 125 on 8, target 100 → 10.
        let tt = target_tracking_vote(&cap, Some(TargetAlarm::High), 125.0, 100.0, false);
        assert_eq!(tt, TargetVote::Out(10));
        let tt_cap = combine_target_tracking(&[tt]).unwrap();
        assert_eq!(largest_capacity_wins([step_out, tt_cap]), Some(10)); // +2
        // Scale-in: group of 8, A −3, B −25 % (= −2): −2, 6 remain.
        let a = step_scaling_new_desired(&cap, ChangeInCapacity, -3, None);
        let b = step_scaling_new_desired(&cap, PercentChangeInCapacity, -25, None);
        assert_eq!((a, b), (5, 6));
        assert_eq!(largest_capacity_wins([a, b]), Some(6));
        assert_eq!(largest_capacity_wins([]), None);
    }

    #[test]
    fn multiple_target_tracking_out_if_any_in_only_if_all() {
        let cap = Capacity::settled(10, 1, 50);
        let out = target_tracking_vote(&cap, Some(TargetAlarm::High), 60.0, 50.0, false);
        let inn = target_tracking_vote(&cap, Some(TargetAlarm::Low), 30.0, 50.0, false);
        let hold = target_tracking_vote(&cap, None, 48.0, 50.0, false);
        let off = target_tracking_vote(&cap, None, 48.0, 50.0, true);
        assert_eq!(out, TargetVote::Out(12));
        assert_eq!(inn, TargetVote::In(6));
        assert_eq!(off, TargetVote::Abstain);
        assert_eq!(combine_target_tracking(&[out, inn]), Some(12));
        assert_eq!(combine_target_tracking(&[inn, hold]), None);
        // A policy with scale-in disabled doesn't veto the others' scale-in.
        assert_eq!(combine_target_tracking(&[inn, off]), Some(6));
        let inn2 = target_tracking_vote(&cap, Some(TargetAlarm::Low), 40.0, 50.0, false);
        assert_eq!(inn2, TargetVote::In(8));
        assert_eq!(combine_target_tracking(&[inn, inn2]), Some(8));
        assert_eq!(combine_target_tracking(&[off]), None);
        assert_eq!(combine_target_tracking(&[]), None);
    }

    #[test]
    fn target_tracking_rounding_limits_and_warmup() {
        // Round up when adding, down when removing (ASG:as-scaling-target-tracking).
        assert_eq!(target_tracking_scale_out_capacity(3, 75.0, 50.0), 5); // 4.5 → 5
        assert_eq!(target_tracking_scale_in_capacity(3, 25.0, 50.0), 1); // 1.5 → 1
        // Float noise doesn't push an exact result over.
        // (3 × 0.30000000000000004 / 0.1 = 9.000000000000002; 0.7 / 0.1 = 6.999999999999999.)
        assert_eq!(target_tracking_scale_out_capacity(3, 0.1 * 3.0, 0.1), 9);
        assert_eq!(target_tracking_scale_in_capacity(1, 0.7, 0.1), 7);
        // Never above max or below min.
        let cap = Capacity::settled(10, 4, 12);
        assert_eq!(
            target_tracking_vote(&cap, Some(TargetAlarm::High), 500.0, 50.0, false),
            TargetVote::Out(12)
        );
        assert_eq!(
            target_tracking_vote(&cap, Some(TargetAlarm::Low), 1.0, 50.0, false),
            TargetVote::In(4)
        );
        // Scale-in blocked while an instance warms up; disable_scale_in.
        let warming = Capacity {
            warming: 1,
            desired: 11,
            ..cap
        };
        assert_eq!(
            target_tracking_vote(&warming, Some(TargetAlarm::Low), 10.0, 50.0, false),
            TargetVote::Hold
        );
        assert_eq!(
            target_tracking_vote(&cap, Some(TargetAlarm::Low), 10.0, 50.0, true),
            TargetVote::Abstain
        );
        // Warming instances count toward desired: n = 10 past warm-up, desired
        // 13, ceil(10 × 60 / 50) = 12 → stays 13.
        let w = Capacity {
            desired: 13,
            past_warmup: 10,
            warming: 3,
            terminating: 0,
            min: 1,
            max: 50,
        };
        assert_eq!(
            target_tracking_vote(&w, Some(TargetAlarm::High), 60.0, 50.0, false),
            TargetVote::Out(13)
        );
        // From zero: n is taken as 1.
        assert_eq!(target_tracking_scale_out_capacity(0, 250.0, 100.0), 3);
        assert_eq!(target_tracking_scale_in_capacity(0, 0.0, 100.0), 0);
        assert!((target_tracking_scale_in_threshold(50.0, None) - 45.0).abs() < 1e-12);
        assert!((target_tracking_scale_in_threshold(50.0, Some(0.8)) - 40.0).abs() < 1e-12);
    }

    #[test]
    fn we_09_sqs_backlog_per_instance() {
        let target = sqs_acceptable_backlog_per_instance(10.0, 0.1);
        assert!((target - 100.0).abs() < 1e-9);
        let backlog = sqs_backlog_per_instance(1500, 10);
        assert!((backlog - 150.0).abs() < 1e-12);
        let cap = Capacity::settled(10, 1, 100);
        // Scale out by 5 → 15, where the backlog per instance is 100.
        assert_eq!(
            target_tracking_vote(&cap, Some(TargetAlarm::High), backlog, target, false),
            TargetVote::Out(15)
        );
        assert!((sqs_backlog_per_instance(1500, 15) - target).abs() < 1e-9);
    }

    #[test]
    fn step_inclusivity_at_bounds() {
        let out = we01_out();
        let inn = we01_in();
        let adj = |set: &[StepAdjustment], m: f64| {
            select_step_adjustment(set, m, 50.0).map(|s| s.adjustment)
        };
        // Above the threshold: [lo, hi).
        assert_eq!(adj(&out, 50.0), Some(0));
        assert_eq!(adj(&out, 59.999), Some(0));
        assert_eq!(adj(&out, 60.0), Some(10));
        assert_eq!(adj(&out, 70.0), Some(30));
        assert_eq!(adj(&out, 1e9), Some(30));
        assert_eq!(adj(&out, 49.0), None);
        // Below the threshold: (lo, hi].
        assert_eq!(adj(&inn, 50.0), Some(0));
        assert_eq!(adj(&inn, 40.0), Some(-10));
        assert_eq!(adj(&inn, 40.001), Some(0));
        assert_eq!(adj(&inn, 30.0), Some(-30));
        assert_eq!(adj(&inn, 30.001), Some(-10));
        assert_eq!(adj(&inn, -1e9), Some(-30));
        assert_eq!(adj(&inn, 51.0), None);
        assert_eq!(adj(&inn, f64::NAN), None);
        // A set spanning the threshold: at exactly the threshold the
        // above-threshold step [0, ∞) wins.
        let both = vec![step(None, Some(0.0), -1), step(Some(0.0), None, 1)];
        assert!(validate_step_adjustments(&both).is_ok());
        assert_eq!(adj(&both, 50.0), Some(1));
        assert_eq!(adj(&both, 49.0), Some(-1));
    }

    #[test]
    fn step_validation_rules() {
        let bad = |steps: Vec<StepAdjustment>, needle: &str| {
            let e = validate_step_adjustments(&steps).unwrap_err();
            assert!(e.contains(needle), "{e:?} lacks {needle:?}");
        };
        bad(vec![], "at least one");
        bad(vec![step(None, None, 1)], "both be null");
        bad(
            vec![step(Some(5.0), Some(5.0), 1), step(Some(5.0), None, 1)],
            "greater than",
        );
        bad(
            vec![step(Some(0.0), Some(10.0), 1), step(Some(20.0), None, 2)],
            "gap",
        );
        bad(
            vec![step(Some(0.0), Some(15.0), 1), step(Some(10.0), None, 2)],
            "overlap",
        );
        bad(
            vec![step(None, Some(-10.0), -2), step(None, Some(0.0), -1)],
            "one step adjustment can have a null lower",
        );
        bad(
            vec![step(Some(0.0), None, 1), step(Some(10.0), None, 2)],
            "one step adjustment can have a null upper",
        );
        bad(
            vec![step(Some(-10.0), Some(0.0), -1)],
            "negative lower bound",
        );
        bad(vec![step(Some(0.0), Some(10.0), 1)], "positive upper bound");
        bad(vec![step(Some(0.0), Some(f64::NAN), 1)], "finite");
        let many: Vec<_> = (0..21)
            .map(|i| {
                let l = i as f64;
                step(Some(l), if i == 20 { None } else { Some(l + 1.0) }, 1)
            })
            .collect();
        bad(many, "at most 20");
        // Order of steps doesn't matter.
        let mut shuffled = we01_in();
        shuffled.reverse();
        assert!(validate_step_adjustments(&shuffled).is_ok());
    }

    #[test]
    fn metric_aggregation_types() {
        let v = [1.0, 5.0, 3.0];
        assert_eq!(metric_aggregation(&v, None), Some(3.0));
        assert_eq!(metric_aggregation(&v, Some(Statistic::Average)), Some(3.0));
        assert_eq!(metric_aggregation(&v, Some(Statistic::Minimum)), Some(1.0));
        assert_eq!(metric_aggregation(&v, Some(Statistic::Maximum)), Some(5.0));
        assert_eq!(metric_aggregation(&[], None), None);
    }

    #[test]
    fn simple_cooldown_predicate() {
        let s = 1_000_000_000u64;
        let cd = effective_cooldown(None, Duration::secs(300));
        assert_eq!(cd, Duration::secs(300));
        assert_eq!(
            effective_cooldown(Some(Duration::secs(60)), Duration::secs(300)),
            Duration::secs(60)
        );
        // The last instance entered InService at 100 s: cooldown until 400 s.
        let until = cooldown_until(100 * s, cd);
        assert_eq!(until, 400 * s);
        assert!(!simple_policy_in_cooldown(50 * s, None));
        assert!(simple_policy_in_cooldown(399 * s, Some(until)));
        assert!(!simple_policy_in_cooldown(400 * s, Some(until)));
        assert!(!simple_policy_may_respond(500 * s, true, None));
        assert!(!simple_policy_may_respond(399 * s, false, Some(until)));
        assert!(simple_policy_may_respond(400 * s, false, Some(until)));
    }

    #[test]
    fn warmup_fallbacks() {
        let c = Duration::secs(300);
        assert_eq!(
            effective_instance_warmup(Some(Duration::secs(60)), Some(Duration::secs(120)), c),
            Duration::secs(60)
        );
        assert_eq!(
            effective_instance_warmup(None, Some(Duration::secs(120)), c),
            Duration::secs(120)
        );
        assert_eq!(effective_instance_warmup(None, None, c), c);
        assert_eq!(
            instance_refresh_warmup(None, None, Duration::secs(0)),
            Duration::secs(0)
        );
        assert_eq!(
            instance_refresh_warmup(None, Some(Duration::secs(90)), Duration::secs(0)),
            Duration::secs(90)
        );
        let s = 1_000_000_000u64;
        assert!(!warm_up_expired(159 * s, 100 * s, Duration::secs(60)));
        assert!(warm_up_expired(160 * s, 100 * s, Duration::secs(60)));
    }

    #[test]
    fn we_10_warm_pool_size() {
        assert_eq!(warm_pool_size(6, 10, None, 0), 4);
        assert_eq!(warm_pool_size(6, 10, Some(8), 0), 2);
        // MinSize is a floor; desired above prepared leaves an empty pool.
        assert_eq!(warm_pool_size(6, 10, Some(8), 3), 3);
        assert_eq!(warm_pool_size(9, 10, Some(8), 0), 0);
    }

    #[test]
    fn we_11_lifecycle_hook_timing() {
        let s = 1_000_000_000u64;
        // (a) timeout 1 h, heartbeat at 30 min → the wait ends at 90 min.
        assert_eq!(
            lifecycle_hook_deadline(0, Duration::secs(3600), Some(1800 * s)),
            5400 * s
        );
        assert_eq!(
            lifecycle_hook_deadline(0, Duration::secs(3600), None),
            3600 * s
        );
        // (b) 3600 s → min(172,800, 360,000) = 172,800 s.
        assert_eq!(
            lifecycle_hook_global_timeout(Duration::secs(3600)),
            Duration::secs(172_800)
        );
        // (c) 120 s → min(172,800, 12,000) = 12,000 s.
        assert_eq!(
            lifecycle_hook_global_timeout(Duration::secs(120)),
            Duration::secs(12_000)
        );
        // Heartbeats can't extend past the global timeout.
        assert_eq!(
            lifecycle_hook_deadline(0, Duration::secs(120), Some(11_950 * s)),
            12_000 * s
        );
    }

    #[test]
    fn we_12_predictive_max_capacity_buffer() {
        let inc = |b| MaxCapacityBreach::IncreaseMaxCapacity { buffer_percent: b };
        assert_eq!(predictive_effective_max(40, 50.0, inc(10.0)), 55);
        assert_eq!(predictive_effective_max(40, 50.0, inc(0.0)), 50);
        assert_eq!(
            predictive_effective_max(40, 50.0, MaxCapacityBreach::HonorMaxCapacity),
            40
        );
        assert_eq!(predictive_effective_max(40, 20.0, inc(10.0)), 40);
        // Raises desired to the forecast, never lowers it.
        assert_eq!(predictive_new_desired(30, 50.0, 1, 55), 50);
        assert_eq!(predictive_new_desired(30, 50.0, 1, 40), 40);
        assert_eq!(predictive_new_desired(30, 10.0, 1, 40), 30);
        assert_eq!(predictive_new_desired(3, 4.2, 1, 40), 5);
    }

    #[test]
    fn we_13_scheduled_actions() {
        let g = |desired| GroupSize {
            min: 1,
            max: 10,
            desired,
        };
        // 08:00 desired 3: a group of fewer scales out to 3.
        assert_eq!(apply_scheduled_action(g(1), None, None, Some(3)).desired, 3);
        // 16:00 desired 1: a group of more scales in to 1.
        assert_eq!(apply_scheduled_action(g(3), None, None, Some(1)).desired, 1);
        // A new min above desired raises it; a new max below lowers it.
        assert_eq!(
            apply_scheduled_action(g(2), Some(4), None, None),
            GroupSize {
                min: 4,
                max: 10,
                desired: 4
            }
        );
        assert_eq!(
            apply_scheduled_action(g(8), None, Some(5), None),
            GroupSize {
                min: 1,
                max: 5,
                desired: 5
            }
        );
    }

    #[test]
    fn we_15_health_replacement_pacing() {
        assert_eq!(unhealthy_replacement_batch(50), 5);
        assert_eq!(unhealthy_replacement_batch(5), 1);
        // Above 90 % of desired: replace; at or below it wait, unless the
        // instance is not running (immediate).
        assert!(unhealthy_replacement_may_proceed(46, 50, false));
        assert!(!unhealthy_replacement_may_proceed(45, 50, false));
        assert!(unhealthy_replacement_may_proceed(45, 50, true));
        assert!(unhealthy_replacement_may_proceed(5, 5, false));
        assert!(!unhealthy_replacement_may_proceed(4, 5, false));
        assert_eq!(max_instance_lifetime_batch(5), 1);
        assert_eq!(max_instance_lifetime_batch(30), 3);
    }

    #[test]
    fn we_16_instance_refresh_batch() {
        // 90 % (default): 10 % of capacity per batch.
        assert_eq!(instance_refresh_batch(10, 90.0, 100.0), 1);
        assert_eq!(instance_refresh_batch(20, 90.0, 100.0), 2);
        assert_eq!(instance_refresh_batch(50, 90.0, 100.0), 5);
        // 100: one at a time; 0: all at once.
        assert_eq!(instance_refresh_batch(20, 100.0, 100.0), 1);
        assert_eq!(instance_refresh_batch(20, 0.0, 100.0), 20);
        // Min healthy rounds up: 90 % of 5 = 4.5 → keep 5 → still one.
        assert_eq!(instance_refresh_batch(5, 90.0, 100.0), 1);
        // Max healthy 150 % launches ahead: min 100 %, 10 → 5 at a time.
        assert_eq!(instance_refresh_batch(10, 100.0, 150.0), 5);
        assert_eq!(instance_refresh_batch(0, 90.0, 100.0), 0);
    }

    proptest! {
        #[test]
        fn results_stay_within_min_max(
            min in 0u32..50,
            span in 0u32..200,
            d in 0u32..300,
            w in 0u32..20,
            t in 0u32..20,
            past in 0u32..300,
            adj in -500i64..500,
            mam in proptest::option::of(0i64..20),
            kind in prop_oneof![Just(ChangeInCapacity), Just(ExactCapacity), Just(PercentChangeInCapacity)],
            metric in 0.0f64..1e4,
            target in 0.1f64..1e3,
            high in any::<bool>(),
            off in any::<bool>(),
        ) {
            let max = min + span;
            let cap = Capacity {
                desired: min + d % (span + 1),
                past_warmup: past,
                warming: w,
                terminating: t,
                min,
                max,
            };
            let in_range = |c: u32| (min..=max).contains(&c);
            prop_assert!(in_range(step_scaling_new_desired(&cap, kind, adj, mam)));
            prop_assert!(in_range(simple_scaling_new_desired(&cap, kind, adj, mam)));
            let alarm = if high { TargetAlarm::High } else { TargetAlarm::Low };
            let vote = target_tracking_vote(&cap, Some(alarm), metric, target, off);
            if let TargetVote::Out(c) | TargetVote::In(c) = vote {
                prop_assert!(in_range(c));
            }
            if let Some(c) = combine_target_tracking(&[vote, TargetVote::Hold]) {
                prop_assert!(in_range(c));
            }
            // Scale-out never lowers desired, scale-in never raises it.
            let stepped = step_scaling_new_desired(&cap, ChangeInCapacity, adj, None);
            if adj > 0 { prop_assert!(stepped >= cap.desired); }
            if adj < 0 { prop_assert!(stepped <= cap.desired); }
        }

        #[test]
        fn percent_rounding_is_toward_zero_but_never_zero(numer in -100_000i64..100_000) {
            let r = round_percent_delta(numer, 100);
            let exact = numer as f64 / 100.0;
            if numer == 0 {
                prop_assert_eq!(r, 0);
            } else if exact.abs() < 1.0 {
                prop_assert_eq!(r, numer.signum());
            } else {
                prop_assert_eq!(r, exact.trunc() as i64);
            }
        }
    }
}
