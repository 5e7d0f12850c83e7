//! CloudWatch metric alarms: per-period statistics and alarm evaluation.
//!
//! A pure, event-free module. The world aggregates each period's samples in a
//! [`MetricStats`], turns them into a datapoint (`None` = no data was
//! published, i.e. a *missing* datapoint) and hands it to an
//! [`AlarmEvaluator`] when the datapoint becomes visible to alarms (the world
//! applies the publication delay). The evaluator keeps the recent datapoints,
//! applies AWS's documented evaluation rules and reports state changes with a
//! reason text in CloudWatch's style.
//!
//! Every rule is a function or constant named after it, with its citation key
//! from `aws-semantics.md` (§2, §8 WE-17/WE-18, §9, §10) beside it:
//!
//! | Rule | Where | Citation |
//! |---|---|---|
//! | Datapoint = Sum/SampleCount/Min/Max per period, Average = Sum/SampleCount | [`MetricStats::value`] | `CW:publishingMetrics` |
//! | Percentile low-sample rule (p99 → 1,000 samples) | [`low_sample_count_threshold`] | `CW:AlarmThatSendsEmail` (WE-18) |
//! | Initial state INSUFFICIENT_DATA | [`AlarmEvaluator::new`] | `CW:AlarmThatSendsEmail` |
//! | M out of N, M defaults to N | [`rule_m_out_of_n`], [`AlarmConfig::from_alarm`] | `CW:AlarmThatSendsEmail`; `API-CW:PutMetricAlarmInput.DatapointsToAlarm` |
//! | Evaluation range larger than N (5 for N = 3) | [`default_evaluation_range`] | `CW:AlarmThatSendsEmail` (GAP beyond N = 3) |
//! | Missing-data algorithm and the four treatments | `AlarmEvaluator::decide` (private) and the `rule_*` functions it calls | `CW:AlarmThatSendsEmail`; `API-CW:PutMetricAlarmInput.TreatMissingData` (WE-17) |
//! | Premature-alarm rule | [`rule_premature_alarm`] | `CW:AlarmThatSendsEmail` (WE-17) |
//! | `AWS/DynamoDB` alarms always ignore missing data | [`rule_dynamodb_ignores_missing_data`] | `API-CW:PutMetricAlarmInput.TreatMissingData` (§9 #22) |
//! | Evaluation every minute (periods ≥ 60 s) or every 10 s, sliding window | [`evaluation_cadence_ns`] | `CW:AlarmThatSendsEmail` (WE-18) |
//! | Evaluation interval = N × period | [`AlarmConfig::evaluation_interval_ns`] | `CW:AlarmThatSendsEmail` (WE-18) |
//! | Valid periods; N × period cap | [`AlarmConfig::validate`] | `API-CW:PutMetricAlarmInput.Period` (§9 #23) |
//! | Auto Scaling actions re-invoked while the alarm stays in the state | [`AlarmEvaluator::actions_due`] | `CW:AlarmThatSendsEmail` (§9 #21) |
//! | Target tracking alarm shapes and names | [`AlarmEvaluator::target_tracking_high`], [`AlarmEvaluator::target_tracking_low`], [`target_tracking_alarm_name`] | `ASG:as-scaling-target-tracking` (§1.6, 3P/GAP §10); `scenario-format.md` |
//! | Target tracking alarms keep a 60 s period whatever the monitoring | [`TT_PERIOD_NS`] | `API-ASG:TargetTrackingMetricStat.Period` |
//! | EC2 metric resolution: basic 5 min, detailed 1 min | [`ec2_metric_period_ns`] | `ASG:enable-as-instance-metrics`; `EC2:using-cloudwatch-new` (§2.3) |
//! | An alarm period shorter than the metric's resolution finds data in one period of several (4 of 5 missing at 1 min on 5-min data) | [`rule_finer_period_sees_coarse_datapoint`] | `ASG:enable-as-instance-metrics`; `API-CW:PutMetricAlarmInput.Period` (which minute: GAP) |
//!
//! Datapoints are kept by the end time of their period, so the world may call
//! [`AlarmEvaluator::evaluate`] once per period, or once per evaluation
//! cadence with a sliding window (a 5-minute alarm evaluated every minute):
//! the evaluator looks up the datapoints ending at `t`, `t − P`, `t − 2P`, …
//! and a period with no call counts as missing.

use std::collections::VecDeque;
use std::fmt;

use crate::scenario::{Alarm, Comparison, Monitoring, Statistic, TreatMissing};
use crate::sim::clock;

const NS_PER_S: u64 = 1_000_000_000;

// ---------------------------------------------------------------------------
// Per-period statistics
// ---------------------------------------------------------------------------

/// The samples published in one period, aggregated as CloudWatch stores them:
/// Sum, SampleCount, Minimum and Maximum; Average = Sum / SampleCount
/// (`CW:publishingMetrics`).
///
/// Percentiles (p50/p90/p99) need the samples themselves. They are kept only
/// by an accumulator made with [`MetricStats::with_samples`] (one `f64` per
/// sample; a percentile costs O(n) by selection). Without samples a percentile
/// datapoint is `None`. Percentiles are exact nearest-rank values (the sample
/// of rank ⌈p·n⌉), whereas CloudWatch's are approximations; the difference is
/// below the resolution that matters for alarms.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MetricStats {
    sum: f64,
    count: u64,
    min: f64,
    max: f64,
    samples: Option<Vec<f64>>,
}

impl MetricStats {
    /// An empty accumulator without percentile support.
    pub fn new() -> Self {
        MetricStats::default()
    }

    /// An empty accumulator that keeps every sample, for percentiles.
    pub fn with_samples() -> Self {
        MetricStats {
            samples: Some(Vec::new()),
            ..MetricStats::default()
        }
    }

    /// Adds one published value.
    pub fn add(&mut self, v: f64) {
        if self.count == 0 {
            self.min = v;
            self.max = v;
        } else {
            self.min = self.min.min(v);
            self.max = self.max.max(v);
        }
        self.sum += v;
        self.count += 1;
        if let Some(s) = &mut self.samples {
            s.push(v);
        }
    }

    /// Adds a statistic set (`PutMetricData` `StatisticValues`): `count`
    /// values with this sum, minimum and maximum. Percentile samples cannot be
    /// recovered from a set, so an accumulator keeping samples stops doing so.
    pub fn add_set(&mut self, sum: f64, count: u64, min: f64, max: f64) {
        if count == 0 {
            return;
        }
        if self.count == 0 {
            self.min = min;
            self.max = max;
        } else {
            self.min = self.min.min(min);
            self.max = self.max.max(max);
        }
        self.sum += sum;
        self.count += count;
        self.samples = None;
    }

    /// Merges another accumulator of the same period (e.g. one per instance).
    pub fn merge(&mut self, other: &MetricStats) {
        if other.count == 0 {
            return;
        }
        let samples = match (self.samples.take(), &other.samples) {
            (Some(mut a), Some(b)) => {
                a.extend_from_slice(b);
                Some(a)
            }
            _ => None,
        };
        self.add_set(other.sum, other.count, other.min, other.max);
        self.samples = samples;
    }

    /// Empties the accumulator for the next period (keeps percentile support).
    pub fn clear(&mut self) {
        self.sum = 0.0;
        self.count = 0;
        self.min = 0.0;
        self.max = 0.0;
        if let Some(s) = &mut self.samples {
            s.clear();
        }
    }

    /// SampleCount.
    pub fn sample_count(&self) -> u64 {
        self.count
    }

    /// The datapoint for `stat`, or `None` when no value was published in the
    /// period: CloudWatch then has no datapoint at all (a *missing* datapoint,
    /// not a zero), for every statistic including SampleCount and Sum
    /// (`CW:publishingMetrics`; `ALB:load-balancer-cloudwatch-metrics`: "no
    /// data points" when no requests flow).
    pub fn value(&self, stat: Statistic) -> Option<f64> {
        if self.count == 0 {
            return None;
        }
        match stat {
            Statistic::Average => Some(self.sum / self.count as f64),
            Statistic::Sum => Some(self.sum),
            Statistic::Minimum => Some(self.min),
            Statistic::Maximum => Some(self.max),
            Statistic::SampleCount => Some(self.count as f64),
            Statistic::P50 | Statistic::P90 | Statistic::P99 => {
                self.percentile(percentile_fraction(stat)?)
            }
        }
    }

    /// Nearest-rank percentile `p` in (0, 1) of the kept samples.
    pub fn percentile(&self, p: f64) -> Option<f64> {
        let s = self.samples.as_ref()?;
        if s.is_empty() || !(p > 0.0 && p < 1.0) {
            return None;
        }
        let rank = ((p * s.len() as f64).ceil() as usize).clamp(1, s.len());
        let mut v = s.clone();
        let (_, x, _) = v.select_nth_unstable_by(rank - 1, f64::total_cmp);
        Some(*x)
    }

    /// Whether a percentile datapoint of `stat` rests on too few samples to be
    /// statistically significant ([`low_sample_count_threshold`]). Always
    /// false for non-percentile statistics.
    pub fn is_low_sample(&self, stat: Statistic) -> bool {
        percentile_fraction(stat).is_some_and(|p| self.count < low_sample_count_threshold(p))
    }
}

/// The fraction of a percentile statistic (p90 → 0.9), `None` otherwise.
pub fn percentile_fraction(stat: Statistic) -> Option<f64> {
    match stat {
        Statistic::P50 => Some(0.5),
        Statistic::P90 => Some(0.9),
        Statistic::P99 => Some(0.99),
        _ => None,
    }
}

/// Rule "percentile alarms with few samples" (`CW:AlarmThatSendsEmail`,
/// `EvaluateLowSampleCountPercentile`; WE-18): the low-sample option applies
/// when there are fewer samples than this: 10 / (1 − p) for p in [0.5, 1)
/// (p99 → 1,000), 10 / p for p in (0, 0.5) (p10 → 100).
pub fn low_sample_count_threshold(p: f64) -> u64 {
    let x = if p >= 0.5 { 10.0 / (1.0 - p) } else { 10.0 / p };
    // 10 / (1 − 0.99) is 1000.0000000000009 in binary floating point.
    (x - 1e-6).ceil() as u64
}

/// What a percentile alarm does with a low-sample datapoint
/// (`EvaluateLowSampleCountPercentile`; `CW:AlarmThatSendsEmail`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LowSampleCountPercentile {
    /// Evaluate anyway (the API default when the parameter is omitted).
    #[default]
    Evaluate,
    /// Leave the alarm state unchanged until there are enough samples.
    Ignore,
}

// ---------------------------------------------------------------------------
// States, configuration, cadence
// ---------------------------------------------------------------------------

/// The three alarm states (`CW:AlarmThatSendsEmail`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AlarmState {
    /// `OK`: the metric is within the threshold.
    Ok,
    /// `ALARM`: the metric is outside the threshold.
    Alarm,
    /// `INSUFFICIENT_DATA`: just started, or not enough data.
    InsufficientData,
}

impl AlarmState {
    /// AWS's name: `OK`, `ALARM`, `INSUFFICIENT_DATA`.
    pub fn as_str(self) -> &'static str {
        match self {
            AlarmState::Ok => "OK",
            AlarmState::Alarm => "ALARM",
            AlarmState::InsufficientData => "INSUFFICIENT_DATA",
        }
    }
}

impl fmt::Display for AlarmState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A state transition, with CloudWatch's `StateReason`-style text.
#[derive(Clone, Debug, PartialEq)]
pub struct StateChange {
    /// End of the newest period evaluated, ns.
    pub period_end: u64,
    /// State before.
    pub old: AlarmState,
    /// State after.
    pub new: AlarmState,
    /// Reason, e.g. `Threshold Crossed: 3 out of the last 3 datapoints [...]
    /// were greater than or equal to the threshold (60.0) (minimum 3
    /// datapoints for OK -> ALARM transition).`
    pub reason: String,
}

/// An alarm's configuration (the `PutMetricAlarm` parameters that matter).
#[derive(Clone, Debug, PartialEq)]
pub struct AlarmConfig {
    /// Alarm name.
    pub name: String,
    /// Statistic of the datapoints.
    pub statistic: Statistic,
    /// Comparison operator.
    pub comparison: Comparison,
    /// Threshold.
    pub threshold: f64,
    /// Period P, ns.
    pub period_ns: u64,
    /// EvaluationPeriods N.
    pub evaluation_periods: u32,
    /// DatapointsToAlarm M (1 ≤ M ≤ N).
    pub datapoints_to_alarm: u32,
    /// TreatMissingData, as in effect (see [`rule_dynamodb_ignores_missing_data`]).
    pub treat_missing_data: TreatMissing,
    /// The evaluation range: how many periods CloudWatch retrieves (≥ N).
    /// See [`default_evaluation_range`].
    pub evaluation_range: u32,
    /// EvaluateLowSampleCountPercentile.
    pub low_sample_count_percentile: LowSampleCountPercentile,
    /// How often Auto Scaling actions are re-invoked while the alarm stays in
    /// a state, ns. See [`AUTOSCALING_REINVOKE_INTERVAL_NS`].
    pub autoscaling_reinvoke_interval_ns: u64,
}

/// Rule "evaluation range" (`CW:AlarmThatSendsEmail`): CloudWatch retrieves
/// more datapoints than N; the documented example is N = 3 → 5 datapoints.
/// The number for other N is not documented ("depends on the length of the
/// alarm period and whether it is based on a metric with standard resolution
/// or high resolution"): GAP, parameterised by
/// [`AlarmConfig::evaluation_range`]; default N + 2, which reproduces the
/// documented case.
pub fn default_evaluation_range(evaluation_periods: u32) -> u32 {
    evaluation_periods + 2
}

/// Rule "Auto Scaling actions are re-invoked" (`CW:AlarmThatSendsEmail`,
/// aws-semantics.md §2.1 and §9 #21): "For Amazon EC2 Auto Scaling actions,
/// the alarm continues to invoke the action for every period that the alarm
/// remains in the new state"; the research summarises the current page as
/// once per minute. Default 60 s: with one-minute evaluation (periods ≥ 60 s)
/// that is every evaluation.
pub const AUTOSCALING_REINVOKE_INTERVAL_NS: u64 = 60 * NS_PER_S;

/// Rule "evaluation cadence" (`CW:AlarmThatSendsEmail`, WE-18): alarms with a
/// period of 60 s or more are evaluated every minute over a sliding window
/// (period 5 min, N = 1: at minute 6 the window is minutes 2–6); alarms with
/// 10-, 20- or 30-second periods every 10 s.
pub fn evaluation_cadence_ns(period_ns: u64) -> u64 {
    if period_ns >= 60 * NS_PER_S {
        60 * NS_PER_S
    } else {
        10 * NS_PER_S
    }
}

/// Rule "`AWS/DynamoDB` alarms always ignore missing data"
/// (`API-CW:PutMetricAlarmInput.TreatMissingData`, aws-semantics.md §2.2,
/// §9 #22): whatever is configured, the alarm behaves as `ignore`.
pub fn rule_dynamodb_ignores_missing_data(
    configured: TreatMissing,
    dynamodb_metric: bool,
) -> TreatMissing {
    if dynamodb_metric {
        TreatMissing::Ignore
    } else {
        configured
    }
}

impl AlarmConfig {
    /// A configuration with AWS's defaults: Average, M = N, missing data
    /// treated as `missing`, the default evaluation range and re-invocation
    /// interval.
    pub fn new(
        name: impl Into<String>,
        comparison: Comparison,
        threshold: f64,
        period_ns: u64,
        evaluation_periods: u32,
    ) -> Self {
        AlarmConfig {
            name: name.into(),
            statistic: Statistic::Average,
            comparison,
            threshold,
            period_ns,
            evaluation_periods,
            datapoints_to_alarm: evaluation_periods,
            treat_missing_data: TreatMissing::Missing,
            evaluation_range: default_evaluation_range(evaluation_periods),
            low_sample_count_percentile: LowSampleCountPercentile::Evaluate,
            autoscaling_reinvoke_interval_ns: AUTOSCALING_REINVOKE_INTERVAL_NS,
        }
    }

    /// From a scenario alarm. DatapointsToAlarm defaults to N: the API uses it
    /// "only if you are setting an M out of N alarm"
    /// (`API-CW:PutMetricAlarmInput.DatapointsToAlarm`). An alarm with a
    /// `table` dimension is on an `AWS/DynamoDB` metric and so ignores missing
    /// data ([`rule_dynamodb_ignores_missing_data`]).
    pub fn from_alarm(name: impl Into<String>, a: &Alarm) -> Self {
        let n = a.evaluation_periods;
        AlarmConfig {
            statistic: a.statistic,
            datapoints_to_alarm: a.datapoints_to_alarm.unwrap_or(n),
            treat_missing_data: rule_dynamodb_ignores_missing_data(
                a.treat_missing_data,
                a.table.is_some(),
            ),
            ..AlarmConfig::new(name, a.comparison, a.threshold, a.period.0, n)
        }
    }

    /// The evaluation interval N × P (`CW:AlarmThatSendsEmail`, WE-18: 4 of 5
    /// at 1 min → 5 min; 3 of 3 at 10 min → 30 min).
    pub fn evaluation_interval_ns(&self) -> u64 {
        self.evaluation_periods as u64 * self.period_ns
    }

    /// How often the alarm is evaluated ([`evaluation_cadence_ns`]).
    pub fn evaluation_cadence_ns(&self) -> u64 {
        evaluation_cadence_ns(self.period_ns)
    }

    /// Checks the documented limits (`API-CW:PutMetricAlarmInput.Period`,
    /// `…EvaluationPeriods`, `…DatapointsToAlarm`, current): period 10, 20,
    /// 30 s or a multiple of 60 s; N ≥ 1; 1 ≤ M ≤ N; N × P ≤ 1 day when
    /// P < 1 h, ≤ 7 days otherwise. Also the simulator's own: evaluation
    /// range ≥ N.
    pub fn validate(&self) -> Result<(), String> {
        match self.problems().into_iter().next() {
            Some((_, m)) => Err(format!("alarm {}: {m}", self.name)),
            None => Ok(()),
        }
    }

    /// Every problem [`AlarmConfig::validate`] checks, each with the
    /// scenario field it is about (`period`, `evaluation_periods`,
    /// `datapoints_to_alarm`), in that order.
    pub fn problems(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        let p = self.period_ns;
        if !is_valid_alarm_period(p) {
            out.push((
                "period",
                format!(
                    "period must be 10s, 20s, 30s or a multiple of 60s (PutMetricAlarm Period), found {}",
                    crate::scenario::Duration(p)
                ),
            ));
        }
        if self.evaluation_periods == 0 {
            out.push((
                "evaluation_periods",
                "evaluation_periods must be at least 1".to_string(),
            ));
        } else if self.datapoints_to_alarm == 0
            || self.datapoints_to_alarm > self.evaluation_periods
        {
            out.push((
                "datapoints_to_alarm",
                format!(
                    "datapoints_to_alarm ({}) must be from 1 to evaluation_periods ({})",
                    self.datapoints_to_alarm, self.evaluation_periods
                ),
            ));
        }
        let cap_s: u64 = if p < 3600 * NS_PER_S { 86_400 } else { 604_800 };
        if p > 0 && self.evaluation_interval_ns() > cap_s * NS_PER_S {
            out.push((
                "evaluation_periods",
                format!(
                    "period × evaluation_periods must not exceed {} (PutMetricAlarm Period), found {}",
                    crate::scenario::Duration::secs(cap_s),
                    crate::scenario::Duration(self.evaluation_interval_ns())
                ),
            ));
        }
        if self.evaluation_range < self.evaluation_periods {
            out.push((
                "evaluation_periods",
                format!(
                    "evaluation range ({}) must be at least evaluation_periods ({})",
                    self.evaluation_range, self.evaluation_periods
                ),
            ));
        }
        out
    }
}

/// Rule "valid alarm periods" (`API-CW:PutMetricAlarmInput.Period`, current;
/// aws-semantics.md §2.1): 10, 20 or 30 s (high-resolution metrics) or any
/// multiple of 60 s.
pub fn is_valid_alarm_period(period_ns: u64) -> bool {
    let secs = period_ns / NS_PER_S;
    period_ns.is_multiple_of(NS_PER_S)
        && (matches!(secs, 10 | 20 | 30) || (secs > 0 && secs.is_multiple_of(60)))
}

/// Rule "periods a metric can be read at" (`CW:cloudwatch_concepts`,
/// `CW:publishingMetrics`; aws-semantics.md §2.3): 1, 5, 10 or 30 s (high
/// resolution) or any multiple of 60 s. The scenario's `metrics_period`, the
/// period of its output series, must be one of these, so every row of
/// metrics.csv is a datapoint CloudWatch could show.
pub fn is_valid_read_period(period_ns: u64) -> bool {
    let secs = period_ns / NS_PER_S;
    period_ns.is_multiple_of(NS_PER_S)
        && (matches!(secs, 1 | 5 | 10 | 30) || (secs > 0 && secs.is_multiple_of(60)))
}

/// The simulator's own limit on alarm periods: its metrics are one-minute
/// datapoints (EC2 detailed monitoring, ELB and SQS metrics; scenario
/// `monitoring`), so an alarm period must be a whole number of minutes.
/// AWS's high-resolution periods (10, 20, 30 s) need 1-second custom
/// metrics, which stratus does not produce; they are refused rather than
/// evaluated at a minute.
pub const SIMULATED_ALARM_PERIOD_NS: u64 = 60 * NS_PER_S;

/// [`SIMULATED_ALARM_PERIOD_NS`] as a check: `None` when the simulator can
/// evaluate an alarm of this period (which AWS also accepts, see
/// [`is_valid_alarm_period`]).
pub fn simulated_period_problem(period_ns: u64) -> Option<String> {
    if is_valid_alarm_period(period_ns) && !period_ns.is_multiple_of(SIMULATED_ALARM_PERIOD_NS) {
        Some(format!(
            "a {} period needs a high-resolution (1-second) metric, which stratus does not produce: its metrics are one-minute datapoints, so use a multiple of 60s",
            crate::scenario::Duration(period_ns)
        ))
    } else {
        None
    }
}

// ---------------------------------------------------------------------------
// The metrics stratus produces
// ---------------------------------------------------------------------------

/// What a producible metric is measured on, beyond the group the policy
/// belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MetricOn {
    /// The group itself (its instances).
    Group,
    /// A load balancer: the alarm's `load_balancer`, else the one whose
    /// target group is the policy's group.
    LoadBalancer,
    /// An SQS queue: the alarm's (or target tracking policy's) `queue`, else
    /// the one the group consumes.
    Queue,
}

/// Every metric name an alarm or a target tracking policy of a group can
/// use: the metrics the simulator produces, with what each is measured on.
/// A name not in this list would be an alarm that is always missing data,
/// so validation refuses it. Names follow CloudWatch (`AWS/EC2`,
/// `AWS/AutoScaling`, `AWS/ApplicationELB`, `AWS/SQS`) and the predefined
/// target tracking metric types (`API-ASG:PredefinedMetricSpecification`);
/// `SQSBacklogPerInstance` is `ASG:as-using-sqs-queue`'s backlog per
/// instance (`BacklogPerInstance` and `RequestCountPerTarget` are accepted
/// spellings).
pub const PRODUCIBLE_METRICS: &[(&str, MetricOn)] = &[
    ("CPUUtilization", MetricOn::Group),
    ("ASGAverageCPUUtilization", MetricOn::Group),
    ("GroupInServiceInstances", MetricOn::Group),
    ("ALBRequestCountPerTarget", MetricOn::LoadBalancer),
    ("RequestCountPerTarget", MetricOn::LoadBalancer),
    ("RequestCount", MetricOn::LoadBalancer),
    ("TargetResponseTime", MetricOn::LoadBalancer),
    ("HTTPCode_ELB_5XX_Count", MetricOn::LoadBalancer),
    ("ApproximateNumberOfMessagesVisible", MetricOn::Queue),
    ("SQSBacklogPerInstance", MetricOn::Queue),
    ("BacklogPerInstance", MetricOn::Queue),
];

/// What `metric` is measured on, or `None` when the simulator does not
/// produce it ([`PRODUCIBLE_METRICS`]).
pub fn producible_metric(metric: &str) -> Option<MetricOn> {
    PRODUCIBLE_METRICS
        .iter()
        .find(|(n, _)| *n == metric)
        .map(|&(_, on)| on)
}

/// Why a group's alarm or target tracking policy cannot have `metric`:
/// `None` when the simulator produces it and what it is measured on exists
/// (`has_load_balancer`: a named or attached load balancer; `has_queue`: a
/// named or consumed queue). The message names the producible metrics.
pub fn metric_problem(
    metric: &str,
    group: &str,
    has_load_balancer: bool,
    has_queue: bool,
) -> Option<String> {
    match producible_metric(metric) {
        None => {
            let names: Vec<&str> = PRODUCIBLE_METRICS.iter().map(|(n, _)| *n).collect();
            let hint = match crate::scenario::did_you_mean(metric, names.iter()) {
                Some(s) => format!("did you mean \"{s}\"? "),
                None => String::new(),
            };
            Some(format!(
                "stratus does not produce a metric named \"{metric}\", so the alarm would never have data ({hint}the metrics are {})",
                names.join(", ")
            ))
        }
        Some(MetricOn::LoadBalancer) if !has_load_balancer => Some(format!(
            "\"{metric}\" is a load balancer metric: give `load_balancer`, or attach a load balancer whose target_group is \"{group}\""
        )),
        Some(MetricOn::Queue) if !has_queue => Some(format!(
            "\"{metric}\" is an SQS metric: give `queue`, or make \"{group}\" a consumer of a queue"
        )),
        Some(_) => None,
    }
}

// ---------------------------------------------------------------------------
// Target tracking alarms
// ---------------------------------------------------------------------------

/// Which of a target tracking policy's two managed alarms.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TargetTrackingAlarm {
    /// `AlarmHigh`: triggers scale-out.
    High,
    /// `AlarmLow`: triggers scale-in.
    Low,
}

/// Target tracking high alarm: 3 of 3 one-minute datapoints (GAP/3P,
/// aws-semantics.md §1.6, §10; pinned in scenario-format.md).
pub const TT_HIGH_DATAPOINTS: u32 = 3;
/// Target tracking low alarm: 15 of 15 one-minute datapoints (same sources).
pub const TT_LOW_DATAPOINTS: u32 = 15;
/// Target tracking alarm period, 60 s (`TargetTrackingMetricStat.Period`
/// default; aws-semantics.md §1.6).
///
/// The same with basic monitoring: `API-ASG:TargetTrackingMetricStat.Period`
/// reads "The default value is 60. Accepted values are 10, 30, and 60", and
/// `ASG:policy-creating-high-resolution-metrics` "A metric period greater
/// than 60 isn't supported", so the managed alarms cannot follow a 5-minute
/// metric. On basic monitoring they therefore find a datapoint in one minute
/// of five ([`rule_finer_period_sees_coarse_datapoint`]) and the missing-data
/// algorithm decides the other four: AlarmHigh (3 of 3, range 5) sees
/// `- - - - X` (INSUFFICIENT_DATA) when a breaching datapoint arrives and
/// goes to ALARM two minutes later by the premature-alarm rule — the "slower
/// response times and scaling on stale metric data" of
/// `ASG:as-scaling-target-tracking`. AWS does not describe the managed alarms
/// of a basic-monitoring group; this is the composition of the documented
/// rules, not an observation.
pub const TT_PERIOD_NS: u64 = 60 * NS_PER_S;
/// Default `scale_in_threshold`: the low alarm sits at 0.9 × target (3P; AWS
/// documents only "usually more than 10% lower", `AAS:application-auto-scaling-target-tracking`).
pub const TT_DEFAULT_SCALE_IN_THRESHOLD: f64 = 0.9;

/// AWS's name for a target tracking alarm,
/// `TargetTracking-{asg}-AlarmHigh-{uuid}` / `…-AlarmLow-{uuid}`
/// (asg-activity-causes.csv `alarm_policy`, e.g.
/// `TargetTracking-my-asg-AlarmLow-b9376cab-18a7-4385-920c-dfa3f7783f82`).
/// The UUID is a version-4-shaped UUID derived deterministically from `id`.
pub fn target_tracking_alarm_name(asg: &str, which: TargetTrackingAlarm, id: u64) -> String {
    let kind = match which {
        TargetTrackingAlarm::High => "AlarmHigh",
        TargetTrackingAlarm::Low => "AlarmLow",
    };
    format!("TargetTracking-{asg}-{kind}-{}", deterministic_uuid(id))
}

/// A lowercase UUID string with version 4 and RFC 4122 variant bits, from
/// two SplitMix64 outputs seeded by `id`.
pub fn deterministic_uuid(id: u64) -> String {
    let mut s = id;
    let hi = splitmix64(&mut s);
    let lo = splitmix64(&mut s);
    let hi = (hi & !0xF000) | 0x4000; // version 4
    let lo = (lo & !(0b11 << 62)) | (0b10 << 62); // variant 10xx
    format!(
        "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        hi >> 32,
        (hi >> 16) & 0xFFFF,
        hi & 0xFFFF,
        lo >> 48,
        lo & 0xFFFF_FFFF_FFFF
    )
}

fn splitmix64(s: &mut u64) -> u64 {
    *s = s.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *s;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

// ---------------------------------------------------------------------------
// Metric resolution (EC2 basic and detailed monitoring)
// ---------------------------------------------------------------------------

/// EC2 detailed monitoring: one datapoint per minute (`ASG:enable-as-instance-metrics`).
pub const EC2_DETAILED_PERIOD_NS: u64 = 60 * NS_PER_S;
/// EC2 basic monitoring: one datapoint per five minutes (same page).
pub const EC2_BASIC_PERIOD_NS: u64 = 300 * NS_PER_S;

/// Rule "EC2 metric resolution" (`ASG:enable-as-instance-metrics`,
/// `EC2:using-cloudwatch-new`; aws-semantics.md §2.3): instance metrics such
/// as CPUUtilization come at "basic monitoring (five-minute granularity) or
/// detailed monitoring (one-minute granularity)". Only the EC2 metrics follow
/// the setting: Auto Scaling group metrics (GroupInServiceInstances, …) "are
/// available at one-minute granularity" (`ASG:ec2-auto-scaling-metrics`), and
/// ALB and SQS metrics are sent every minute (§2.3).
pub fn ec2_metric_period_ns(monitoring: Monitoring) -> u64 {
    match monitoring {
        Monitoring::Detailed => EC2_DETAILED_PERIOD_NS,
        Monitoring::Basic => EC2_BASIC_PERIOD_NS,
    }
}

/// Rule "an alarm period shorter than the metric's resolution finds no data
/// in most periods" (`ASG:enable-as-instance-metrics`: alarms left at 60 s
/// after a switch to basic monitoring "continue to check for statistics
/// every minute. They might find no data available for as many as four out
/// of every five periods"; `API-CW:PutMetricAlarmInput.Period` says the same
/// of 10–30 s periods on one-minute metrics: "it does not receive data for
/// the attempts that do not correspond to a one-minute data resolution, and
/// the alarm might often lapse into INSUFFICIENT_DATA status").
///
/// Whether the one-minute period ending at `minute_end_ns` holds the
/// datapoint of a metric published every `metric_period_ns`: true for the
/// last minute the datapoint covers, false for the others (which are
/// missing). Which of the minutes holds it is not documented (GAP). The last
/// one is the minute at whose end the datapoint is complete, and the only
/// choice in which an alarm with a 3-period evaluation range (N = 1) sees
/// every datapoint, as "four out of every five" implies: stamped in its first
/// minute, a datapoint would already be five periods old when published.
/// Alarms with longer periods gather the minutes of their period, so a
/// 300 s alarm sees exactly one datapoint per period.
pub fn rule_finer_period_sees_coarse_datapoint(minute_end_ns: u64, metric_period_ns: u64) -> bool {
    metric_period_ns == 0 || minute_end_ns.is_multiple_of(metric_period_ns)
}

// ---------------------------------------------------------------------------
// Evaluation rules
// ---------------------------------------------------------------------------

/// Rule "threshold comparison" (`API-CW:PutMetricAlarmInput.ComparisonOperator`):
/// whether a datapoint breaches. `>=`/`<=` breach at equality, `>`/`<` do not.
pub fn breaches(comparison: Comparison, value: f64, threshold: f64) -> bool {
    match comparison {
        Comparison::Ge => value >= threshold,
        Comparison::Gt => value > threshold,
        Comparison::Lt => value < threshold,
        Comparison::Le => value <= threshold,
    }
}

/// Rule "M out of N" (`CW:AlarmThatSendsEmail`): of the N datapoints
/// evaluated, ALARM if at least M breach (they need not be consecutive),
/// otherwise OK.
pub fn rule_m_out_of_n(breaching: u32, datapoints_to_alarm: u32) -> AlarmState {
    if breaching >= datapoints_to_alarm {
        AlarmState::Alarm
    } else {
        AlarmState::Ok
    }
}

/// Rule "premature-alarm" (`CW:AlarmThatSendsEmail`, WE-17 rows `- - X - -`
/// at M = 3 and `- - - X -` at M = 2): with missing data treated as `missing`,
/// the alarm goes to ALARM when the oldest breaching datapoint in the
/// evaluation range is at least M periods old and every other datapoint in
/// the range is breaching or missing — even with fewer than M breaching
/// datapoints. "Other" covers older points too: WE-17 row `0 - X - -` at
/// M = 2 stays OK. `oldest_breaching_age` counts periods back from the newest
/// (the newest datapoint has age 1).
pub fn rule_premature_alarm(
    oldest_breaching_age: Option<u32>,
    any_not_breaching: bool,
    datapoints_to_alarm: u32,
) -> bool {
    !any_not_breaching && oldest_breaching_age.is_some_and(|age| age >= datapoints_to_alarm)
}

/// What an evaluation decides.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Verdict {
    /// Go to (or stay in) this state, for this reason.
    To(AlarmState, Why),
    /// Keep the current state (`ignore`).
    Retain,
}

/// Why, for the reason text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Why {
    /// Counted `breaching` of `evaluated` datapoints, `filled` of them missing
    /// datapoints filled in by the treatment.
    Counted {
        breaching: u32,
        evaluated: u32,
        filled: u32,
    },
    /// No datapoint in the range; all N treated by the setting.
    NoData,
    /// Premature-alarm rule.
    Premature,
    /// `missing` with too little data.
    Unknown,
}

/// One datapoint in the evaluation range: end of its period, value.
type Point = (u64, Option<f64>);

// ---------------------------------------------------------------------------
// The evaluator
// ---------------------------------------------------------------------------

/// A CloudWatch metric alarm: configuration, recent datapoints, state.
#[derive(Clone, Debug)]
pub struct AlarmEvaluator {
    config: AlarmConfig,
    /// Datapoints by period end, ascending; within the evaluation range.
    history: VecDeque<Point>,
    state: AlarmState,
    /// The current state was entered by a transition (not the initial state).
    entered_by_transition: bool,
    last_action_at: Option<u64>,
    actions_due: bool,
    /// Unix seconds of simulated t = 0, for datapoint timestamps in reasons.
    clock_origin_s: i64,
    /// The metric's own period when coarser than the alarm's (5-minute EC2
    /// data under a 1-minute alarm), for datapoint timestamps in reasons.
    metric_period_ns: u64,
}

impl AlarmEvaluator {
    /// A new alarm. Its state is INSUFFICIENT_DATA ("The alarm has just
    /// started", `CW:AlarmThatSendsEmail`).
    pub fn new(config: AlarmConfig) -> Self {
        AlarmEvaluator {
            config,
            history: VecDeque::new(),
            state: AlarmState::InsufficientData,
            entered_by_transition: false,
            last_action_at: None,
            actions_due: false,
            clock_origin_s: clock::parse_utc(clock::DEFAULT_START).unwrap_or(0),
            metric_period_ns: 0,
        }
    }

    /// A new alarm from a scenario alarm ([`AlarmConfig::from_alarm`]).
    pub fn from_alarm(name: impl Into<String>, a: &Alarm) -> Self {
        AlarmEvaluator::new(AlarmConfig::from_alarm(name, a))
    }

    /// Target tracking `AlarmHigh` (scale out): Average above `target`
    /// (`GreaterThanThreshold`), 3 of 3 one-minute datapoints, missing data
    /// `missing` (so it goes to INSUFFICIENT_DATA and does not scale when data
    /// stop, `ASG:as-scaling-target-tracking`). GAP/3P M and N, pinned in
    /// scenario-format.md; aws-semantics.md §1.6, §10.
    pub fn target_tracking_high(target: f64) -> Self {
        AlarmEvaluator::new(AlarmConfig::new(
            "",
            Comparison::Gt,
            target,
            TT_PERIOD_NS,
            TT_HIGH_DATAPOINTS,
        ))
    }

    /// Target tracking `AlarmLow` (scale in): Average below
    /// `scale_in_threshold × target` (`LessThanThreshold`), 15 of 15
    /// one-minute datapoints. Same sources as [`Self::target_tracking_high`];
    /// the usual `scale_in_threshold` is [`TT_DEFAULT_SCALE_IN_THRESHOLD`].
    pub fn target_tracking_low(target: f64, scale_in_threshold: f64) -> Self {
        AlarmEvaluator::new(AlarmConfig::new(
            "",
            Comparison::Lt,
            target * scale_in_threshold,
            TT_PERIOD_NS,
            TT_LOW_DATAPOINTS,
        ))
    }

    /// Sets the alarm name.
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.config.name = name.into();
        self
    }

    /// Sets the wall-clock origin (Unix seconds of simulated t = 0) used for
    /// datapoint timestamps in reasons. Default: `clock::DEFAULT_START`.
    pub fn with_clock_origin(mut self, unix_s: i64) -> Self {
        self.clock_origin_s = unix_s;
        self
    }

    /// Sets the period at which the metric itself is published (e.g. 5-minute
    /// EC2 basic monitoring, [`ec2_metric_period_ns`]). Evaluation does not
    /// change: the world hands over the datapoints as the alarm finds them
    /// ([`rule_finer_period_sees_coarse_datapoint`]). Reasons stamp each
    /// datapoint with the start of the metric's period, as CloudWatch does,
    /// rather than the start of the alarm's one-minute slot.
    pub fn with_metric_period(mut self, metric_period_ns: u64) -> Self {
        self.metric_period_ns = metric_period_ns;
        self
    }

    /// Marks the metric as an `AWS/DynamoDB` one
    /// ([`rule_dynamodb_ignores_missing_data`]).
    pub fn on_dynamodb_metric(mut self) -> Self {
        self.config.treat_missing_data =
            rule_dynamodb_ignores_missing_data(self.config.treat_missing_data, true);
        self
    }

    /// The configuration.
    pub fn config(&self) -> &AlarmConfig {
        &self.config
    }

    /// Mutable configuration (e.g. to change M, the range or the treatment
    /// before the first evaluation).
    pub fn config_mut(&mut self) -> &mut AlarmConfig {
        &mut self.config
    }

    /// The alarm name.
    pub fn name(&self) -> &str {
        &self.config.name
    }

    /// The current state.
    pub fn state(&self) -> AlarmState {
        self.state
    }

    /// Whether the alarm's Auto Scaling actions for its current state are
    /// due after the latest evaluation. True on the evaluation that moved the
    /// alarm into ALARM, and on later evaluations while it stays in ALARM once
    /// [`AlarmConfig::autoscaling_reinvoke_interval_ns`] has passed since the
    /// last invocation — every evaluation with the default one minute.
    ///
    /// Source: `CW:AlarmThatSendsEmail` (aws-semantics.md §2.1 "Actions",
    /// §9 #21): "After an alarm invokes an action due to a change in state,
    /// its subsequent behavior depends on the type of action … For Amazon EC2
    /// Auto Scaling actions, the alarm continues to invoke the action for
    /// every period that the alarm remains in the new state. For Amazon SNS
    /// notifications, no additional actions are invoked." SNS-style actions
    /// are due only on a [`StateChange`]. The initial INSUFFICIENT_DATA was
    /// not entered by a change, so nothing re-fires from it.
    pub fn actions_due(&self) -> bool {
        self.actions_due && self.state == AlarmState::Alarm
    }

    /// Like [`Self::actions_due`] for whichever state the alarm is in: the
    /// state whose Auto Scaling actions are due, if any.
    pub fn state_actions_due(&self) -> Option<AlarmState> {
        self.actions_due.then_some(self.state)
    }

    /// Records the datapoint for the period ending at `period_end` (ns; `None`
    /// = missing) and evaluates the alarm, as CloudWatch does when the
    /// datapoint becomes available. Returns the transition, if any.
    pub fn evaluate(&mut self, period_end: u64, datapoint: Option<f64>) -> Option<StateChange> {
        self.record(period_end, datapoint);
        self.evaluate_at(period_end)
    }

    /// A datapoint of the alarm's metric published before the alarm
    /// existed: it joins the metric's history, which the alarm's evaluations
    /// read once it is created (an alarm evaluates the metric's most recent
    /// datapoints, wherever they came from; "if data points are missing
    /// soon after you create an alarm, and the metric was being reported to
    /// CloudWatch before you created the alarm, CloudWatch retrieves the
    /// most recent data points from before the alarm was created",
    /// `CW:AlarmThatSendsEmail`). No state change, no action.
    pub fn record_before_creation(&mut self, period_end: u64, datapoint: Option<f64>) {
        self.record(period_end, datapoint);
    }

    /// [`Self::evaluate`] from a period's statistics, applying the statistic
    /// and, for percentiles with [`LowSampleCountPercentile::Ignore`], the
    /// low-sample rule: such a period leaves the state unchanged
    /// (`CW:AlarmThatSendsEmail`, "ignore the metric while the sample size is
    /// low"); the period is then recorded as missing.
    pub fn evaluate_stats(&mut self, period_end: u64, stats: &MetricStats) -> Option<StateChange> {
        let stat = self.config.statistic;
        if self.config.low_sample_count_percentile == LowSampleCountPercentile::Ignore
            && stats.sample_count() > 0
            && stats.is_low_sample(stat)
        {
            self.record(period_end, None);
            self.apply(period_end, Verdict::Retain, &[]);
            return None;
        }
        self.evaluate(period_end, stats.value(stat))
    }

    /// Evaluates at `period_end` with the datapoints already recorded
    /// (periods never recorded count as missing).
    pub fn evaluate_at(&mut self, period_end: u64) -> Option<StateChange> {
        let window = self.window(period_end);
        let verdict = self.decide(&window);
        self.apply(period_end, verdict, &window)
    }

    fn record(&mut self, period_end: u64, datapoint: Option<f64>) {
        match self.history.binary_search_by_key(&period_end, |p| p.0) {
            Ok(i) => self.history[i].1 = datapoint,
            Err(i) => self.history.insert(i, (period_end, datapoint)),
        }
        // Keep what a later evaluation's range can reach.
        let newest = self.history.back().map_or(period_end, |p| p.0);
        let span = self
            .config
            .evaluation_range
            .max(self.config.evaluation_periods) as u64
            * self.config.period_ns;
        while let Some(&(t, _)) = self.history.front() {
            if t + span <= newest {
                self.history.pop_front();
            } else {
                break;
            }
        }
    }

    /// The evaluation range ending at `period_end`, newest first: the
    /// datapoints ending at `period_end − k·P` for k in 0..R.
    fn window(&self, period_end: u64) -> Vec<Point> {
        let r = self
            .config
            .evaluation_range
            .max(self.config.evaluation_periods) as u64;
        let p = self.config.period_ns;
        (0..r)
            .map(|k| {
                let t = period_end.checked_sub(k * p);
                let v = t.and_then(|t| {
                    self.history
                        .binary_search_by_key(&t, |x| x.0)
                        .ok()
                        .and_then(|i| self.history[i].1)
                });
                (t.unwrap_or(0), v)
            })
            .collect()
    }

    /// The documented algorithm (`CW:AlarmThatSendsEmail`, "How alarm state
    /// is evaluated when data is missing"; aws-semantics.md §2.2; WE-17).
    /// `window` is the evaluation range, newest first.
    fn decide(&self, window: &[Point]) -> Verdict {
        let c = &self.config;
        let n = c.evaluation_periods;
        let m = c.datapoints_to_alarm;
        let treat = c.treat_missing_data;
        let breach = |v: f64| breaches(c.comparison, v, c.threshold);
        let real: Vec<(u32, f64)> = window
            .iter()
            .enumerate()
            .filter_map(|(k, p)| p.1.map(|v| (k as u32 + 1, v)))
            .collect();

        // Rule "no datapoint in the range" (WE-17 row `- - - - -`): missing →
        // INSUFFICIENT_DATA, ignore → retain, breaching → ALARM, notBreaching → OK.
        if real.is_empty() {
            return match treat {
                TreatMissing::Missing => Verdict::To(AlarmState::InsufficientData, Why::NoData),
                TreatMissing::Ignore => Verdict::Retain,
                TreatMissing::Breaching => Verdict::To(rule_m_out_of_n(n, m), Why::NoData),
                TreatMissing::NotBreaching => Verdict::To(rule_m_out_of_n(0, m), Why::NoData),
            };
        }

        // Rule "enough real datapoints": if none is missing, or at least N
        // real datapoints are in the range, use the most recent N real ones;
        // the missing-data setting "is not needed and is ignored" (WE-17 rows
        // `0 - X - X`, `0 X X - X`, `0 0 X 0 X`).
        if real.len() >= n as usize {
            let b = real[..n as usize].iter().filter(|x| breach(x.1)).count() as u32;
            return Verdict::To(
                rule_m_out_of_n(b, m),
                Why::Counted {
                    breaching: b,
                    evaluated: n,
                    filled: 0,
                },
            );
        }

        let real_b = real.iter().filter(|x| breach(x.1)).count() as u32;
        let real_nb = real.len() as u32 - real_b;
        let filled = n - real.len() as u32;
        match treat {
            // Rule "fill missing datapoints as few times as possible": all
            // real datapoints plus N − real fills, each breaching or not per
            // the setting (WE-17 rows `0 - - - -`, `0 - X - -`, `- - - - 0`).
            TreatMissing::Breaching | TreatMissing::NotBreaching => {
                let b = real_b
                    + if treat == TreatMissing::Breaching {
                        filled
                    } else {
                        0
                    };
                Verdict::To(
                    rule_m_out_of_n(b, m),
                    Why::Counted {
                        breaching: b,
                        evaluated: n,
                        filled,
                    },
                )
            }
            // `missing` ("does not consider missing data points") and `ignore`
            // ("the current alarm state is maintained") judge the real
            // datapoints alone.
            TreatMissing::Missing | TreatMissing::Ignore => {
                // M real breaching datapoints: ALARM.
                if real_b >= m {
                    return Verdict::To(
                        AlarmState::Alarm,
                        Why::Counted {
                            breaching: real_b,
                            evaluated: real.len() as u32,
                            filled: 0,
                        },
                    );
                }
                // A real non-breaching datapoint and fewer than M breaching:
                // OK (WE-17 `0 - - - -` M = 3, `0 - X - -` and `- - - - 0`
                // M = 2: OK under MISSING and IGNORE).
                if real_nb > 0 {
                    return Verdict::To(
                        AlarmState::Ok,
                        Why::Counted {
                            breaching: real_b,
                            evaluated: real.len() as u32,
                            filled: 0,
                        },
                    );
                }
                // Only breaching datapoints, fewer than M.
                let oldest_breaching_age = real.last().map(|x| x.0);
                if rule_premature_alarm(oldest_breaching_age, real_nb > 0, m) {
                    // WE-17: MISSING → ALARM, IGNORE → retain.
                    return match treat {
                        TreatMissing::Missing => Verdict::To(AlarmState::Alarm, Why::Premature),
                        _ => Verdict::Retain,
                    };
                }
                // Too recent to alarm ("`- - - - X` and `- - - X -` with M = 3
                // do not alarm", WE-17). The 2023 guide's table lists `- - - - X`
                // as INSUFFICIENT_DATA under MISSING and "retain" under IGNORE.
                match treat {
                    TreatMissing::Missing => {
                        Verdict::To(AlarmState::InsufficientData, Why::Unknown)
                    }
                    _ => Verdict::Retain,
                }
            }
        }
    }

    fn apply(
        &mut self,
        period_end: u64,
        verdict: Verdict,
        window: &[Point],
    ) -> Option<StateChange> {
        let old = self.state;
        let (new, why) = match verdict {
            Verdict::To(s, why) => (s, Some(why)),
            Verdict::Retain => (old, None),
        };
        let change = if new != old {
            self.state = new;
            self.entered_by_transition = true;
            Some(StateChange {
                period_end,
                old,
                new,
                reason: self.reason(old, new, why.unwrap_or(Why::Unknown), window),
            })
        } else {
            None
        };
        // Auto Scaling action invocation (see `actions_due`).
        let interval = self.config.autoscaling_reinvoke_interval_ns;
        self.actions_due = if change.is_some() {
            true
        } else {
            self.entered_by_transition
                && self
                    .last_action_at
                    .is_none_or(|t| period_end >= t.saturating_add(interval))
        };
        if self.actions_due {
            self.last_action_at = Some(period_end);
        }
        change
    }

    // -- reason text --------------------------------------------------------

    /// CloudWatch-style `StateReason`. The shapes follow AWS's alarm history
    /// ("Threshold Crossed: …", "Insufficient Data: … was unknown.", "no
    /// datapoints were received for … treated as [Breaching]"); AWS does not
    /// document them, and the wording for partly filled and premature cases
    /// is the simulator's.
    fn reason(&self, old: AlarmState, new: AlarmState, why: Why, window: &[Point]) -> String {
        let c = &self.config;
        let n = c.evaluation_periods;
        let m = c.datapoints_to_alarm;
        let thr = fmt_value(c.threshold);
        let breach = |v: f64| breaches(c.comparison, v, c.threshold);
        match why {
            Why::NoData if new == AlarmState::InsufficientData => format!(
                "Insufficient Data: {n} {} unknown.",
                plural(n, "datapoint was", "datapoints were")
            ),
            Why::NoData => {
                let treated = if c.treat_missing_data == TreatMissing::Breaching {
                    "Breaching"
                } else {
                    "NonBreaching"
                };
                format!(
                    "Threshold Crossed: no datapoints were received for {n} {} and {n} missing {} treated as [{treated}].",
                    plural(n, "period", "periods"),
                    plural(n, "datapoint was", "datapoints were"),
                )
            }
            Why::Unknown => {
                let unknown = n - self.real_count(window, n);
                format!(
                    "Insufficient Data: {unknown} {} unknown.",
                    plural(unknown, "datapoint was", "datapoints were")
                )
            }
            Why::Premature => {
                let pts: Vec<Point> = window.iter().filter(|p| p.1.is_some()).copied().collect();
                let k = pts.len() as u32;
                format!(
                    "Threshold Crossed: {k} {} [{}] {} {} the threshold ({thr}) and the newer datapoints were missing; the oldest breaching datapoint is at least {m} {} old (premature alarm rule, {old} -> ALARM transition).",
                    plural(k, "datapoint", "datapoints"),
                    self.fmt_points(&pts),
                    plural(k, "was", "were"),
                    comparison_text(c.comparison),
                    plural(m, "period", "periods"),
                )
            }
            Why::Counted {
                breaching,
                evaluated,
                filled,
            } => {
                let to_alarm = new == AlarmState::Alarm;
                // The datapoints counted: breaching ones for ALARM, the
                // others for OK, newest first, among those evaluated.
                let evaluated_real: Vec<Point> = window
                    .iter()
                    .filter(|p| p.1.is_some())
                    .take((evaluated - filled) as usize)
                    .copied()
                    .collect();
                let shown: Vec<Point> = evaluated_real
                    .iter()
                    .filter(|p| p.1.is_some_and(|v| breach(v) == to_alarm))
                    .copied()
                    .collect();
                let count = if to_alarm {
                    breaching
                } else {
                    evaluated - breaching
                };
                let op = if to_alarm {
                    comparison_text(c.comparison).to_string()
                } else {
                    format!("not {}", comparison_text(c.comparison))
                };
                let fill = if filled > 0 {
                    let t = if c.treat_missing_data == TreatMissing::Breaching {
                        "Breaching"
                    } else {
                        "NonBreaching"
                    };
                    format!(
                        " {filled} missing {} treated as [{t}].",
                        plural(filled, "datapoint was", "datapoints were")
                    )
                } else {
                    String::new()
                };
                // AWS's minimum: M breaching to alarm, N − M + 1 not breaching
                // to leave ALARM.
                let needed = if to_alarm { m } else { n + 1 - m };
                let head = if evaluated == 1 {
                    format!("{count} datapoint")
                } else {
                    format!(
                        "{count} out of the last {evaluated} {}",
                        plural(evaluated, "datapoint", "datapoints")
                    )
                };
                let mut s = format!(
                    "Threshold Crossed: {head} [{}] {} {op} the threshold ({thr})",
                    self.fmt_points(&shown),
                    plural(count, "was", "were"),
                );
                if n > 1 {
                    s.push_str(&format!(
                        " (minimum {needed} {} for {old} -> {new} transition)",
                        plural(needed, "datapoint", "datapoints")
                    ));
                }
                s.push('.');
                s.push_str(&fill);
                s
            }
        }
    }

    fn real_count(&self, window: &[Point], n: u32) -> u32 {
        (window.iter().filter(|p| p.1.is_some()).count() as u32).min(n)
    }

    /// `72.1 (05/01/26 09:14:00), …`: value and the period's start time
    /// (CloudWatch stamps a datapoint with its period start), dd/MM/yy.
    fn fmt_points(&self, pts: &[Point]) -> String {
        pts.iter()
            .filter_map(|&(end, v)| {
                let v = v?;
                let span = self.config.period_ns.max(self.metric_period_ns);
                let start_ns = end.saturating_sub(span);
                Some(format!(
                    "{} ({})",
                    fmt_value(v),
                    fmt_timestamp(self.clock_origin_s + (start_ns / NS_PER_S) as i64)
                ))
            })
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// AWS's words for a comparison in reasons.
fn comparison_text(c: Comparison) -> &'static str {
    match c {
        Comparison::Ge => "greater than or equal to",
        Comparison::Gt => "greater than",
        Comparison::Lt => "less than",
        Comparison::Le => "less than or equal to",
    }
}

fn plural(n: u32, one: &'static str, many: &'static str) -> &'static str {
    if n == 1 { one } else { many }
}

/// A value as CloudWatch prints it: shortest round-trip, always with a
/// decimal point (`60.0`, `72.1`, `66.66666666666667`).
fn fmt_value(v: f64) -> String {
    format!("{v:?}")
}

/// `dd/MM/yy HH:mm:ss`, UTC, as in CloudWatch's reasons.
fn fmt_timestamp(unix_s: i64) -> String {
    let iso = clock::format_utc(unix_s); // YYYY-MM-DDTHH:MM:SSZ
    format!(
        "{}/{}/{} {}",
        &iso[8..10],
        &iso[5..7],
        &iso[2..4],
        &iso[11..19]
    )
}

// ---------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::units::Duration;

    const MIN: u64 = 60 * NS_PER_S;
    const FIVE_MIN: u64 = 5 * MIN;

    /// Threshold 10, `>=`: X = 20 (breaching), 0 = 0 (not breaching).
    fn alarm(m: u32, n: u32, treat: TreatMissing) -> AlarmEvaluator {
        let mut c = AlarmConfig::new("t", Comparison::Ge, 10.0, FIVE_MIN, n);
        c.datapoints_to_alarm = m;
        c.treat_missing_data = treat;
        AlarmEvaluator::new(c)
    }

    /// Evaluates a WE-17 row (oldest first, 5 symbols; the evaluation range
    /// of an M-of-3 alarm is 5 datapoints) with the alarm currently in
    /// `start`, and returns the resulting state.
    fn run_row(m: u32, n: u32, treat: TreatMissing, row: &str, start: AlarmState) -> AlarmState {
        let mut a = alarm(m, n, treat);
        assert_eq!(a.config().evaluation_range, 5);
        a.state = start;
        let syms: Vec<&str> = row.split_whitespace().collect();
        assert_eq!(syms.len(), 5);
        let base = 10 * FIVE_MIN;
        for (i, s) in syms.iter().enumerate() {
            let v = match *s {
                "X" => Some(20.0),
                "0" => Some(0.0),
                "-" => None,
                _ => unreachable!(),
            };
            a.record(base + i as u64 * FIVE_MIN, v);
        }
        a.evaluate_at(base + 4 * FIVE_MIN);
        a.state()
    }

    use AlarmState::{Alarm as A, InsufficientData as I, Ok as O};
    use TreatMissing::{Breaching, Ignore, Missing, NotBreaching};

    /// `Retain` cells are checked from every starting state.
    #[derive(Clone, Copy)]
    enum Cell {
        Is(AlarmState),
        Retain,
    }
    use Cell::{Is, Retain};

    fn check_table(m: u32, n: u32, rows: &[(&str, [Cell; 4])]) {
        for (row, cells) in rows {
            for (treat, cell) in [Missing, Ignore, Breaching, NotBreaching]
                .into_iter()
                .zip(cells)
            {
                for start in [O, A, I] {
                    let got = run_row(m, n, treat, row, start);
                    let want = match cell {
                        Is(s) => *s,
                        Retain => start,
                    };
                    assert_eq!(
                        got, want,
                        "M={m} N={n} row `{row}` treat {treat:?} from {start}"
                    );
                }
            }
        }
    }

    // ---- WE-17 (CW:AlarmThatSendsEmail), exactly as tabulated ----------

    #[test]
    fn we17_table_a_m3_n3() {
        check_table(
            3,
            3,
            &[
                ("0 - X - X", [Is(O), Is(O), Is(O), Is(O)]),
                ("0 - - - -", [Is(O), Is(O), Is(O), Is(O)]),
                ("- - - - -", [Is(I), Retain, Is(A), Is(O)]),
                ("0 X X - X", [Is(A), Is(A), Is(A), Is(A)]),
                ("- - X - -", [Is(A), Retain, Is(A), Is(O)]),
            ],
        );
    }

    #[test]
    fn we17_table_b_m2_n3() {
        check_table(
            2,
            3,
            &[
                ("0 - X - X", [Is(A), Is(A), Is(A), Is(A)]),
                ("0 0 X 0 X", [Is(A), Is(A), Is(A), Is(A)]),
                ("0 - X - -", [Is(O), Is(O), Is(A), Is(O)]),
                ("- - - - 0", [Is(O), Is(O), Is(A), Is(O)]),
                ("- - - X -", [Is(A), Retain, Is(A), Is(O)]),
            ],
        );
    }

    #[test]
    fn we17_premature_alarm_guard_m3() {
        // "`- - - - X` and `- - - X -` with M = 3 do not alarm", whatever the
        // state before, with missing data treated as missing.
        for row in ["- - - - X", "- - - X -"] {
            for start in [O, I] {
                assert_ne!(run_row(3, 3, Missing, row, start), A, "{row} from {start}");
            }
        }
        // The evaluation range for M = N = 3 is 5 datapoints.
        assert_eq!(default_evaluation_range(3), 5);
    }

    #[test]
    fn we17_note_second_row_goes_to_alarm_when_data_stays_missing() {
        // "In the second row … the alarm stays OK even if missing data is
        // treated as breaching … The next time this alarm is evaluated, if the
        // data is still missing it will go to ALARM, as that non-breaching
        // data point will no longer be among the 5 most recent data points."
        let mut a = alarm(3, 3, Breaching);
        for (i, v) in [Some(0.0), None, None, None, None].into_iter().enumerate() {
            a.evaluate(FIVE_MIN * (i as u64 + 1), v);
        }
        assert_eq!(a.state(), O);
        a.evaluate(FIVE_MIN * 6, None);
        assert_eq!(a.state(), A);
    }

    #[test]
    fn earlier_guide_rows_m3_n3() {
        // Two rows that an earlier revision of the same page tabulated
        // (awsdocs/amazon-cloudwatch-user-guide@05fd32f
        // doc_source/AlarmThatSendsEmail.md, not in aws-semantics.md): the
        // too-recent breach gives INSUFFICIENT_DATA, the old one ALARM ("the
        // oldest evaluated data point is breaching and there aren't any
        // non-breaching data points").
        check_table(
            3,
            3,
            &[
                ("- - - - X", [Is(I), Retain, Is(A), Is(O)]),
                ("X - - - -", [Is(A), Retain, Is(A), Is(O)]),
            ],
        );
        check_table(2, 3, &[("- - - - X", [Is(I), Retain, Is(A), Is(O)])]);
    }

    // ---- WE-18 (CW:AlarmThatSendsEmail) ---------------------------------

    #[test]
    fn we18_evaluation_window_arithmetic() {
        let mut c = AlarmConfig::new("a", Comparison::Ge, 1.0, MIN, 5);
        c.datapoints_to_alarm = 4;
        assert_eq!(c.evaluation_interval_ns(), 5 * MIN);
        let c = AlarmConfig::new("b", Comparison::Ge, 1.0, 10 * MIN, 3);
        assert_eq!(c.evaluation_interval_ns(), 30 * MIN);
        // Period 5 min, N = 1: evaluated each minute over a sliding window.
        assert_eq!(evaluation_cadence_ns(FIVE_MIN), MIN);
        assert_eq!(evaluation_cadence_ns(30 * NS_PER_S), 10 * NS_PER_S);
        assert_eq!(evaluation_cadence_ns(10 * NS_PER_S), 10 * NS_PER_S);
        assert_eq!(low_sample_count_threshold(0.99), 1000);
        assert_eq!(low_sample_count_threshold(0.10), 100);
    }

    #[test]
    fn we18_sliding_window_five_minute_period_n1() {
        // At the end of minute 5 the datapoint covers minutes 1–5, at minute 6
        // minutes 2–6: the world hands over one sliding datapoint per minute
        // and each is evaluated on its own (N = 1).
        let mut a = AlarmEvaluator::new(AlarmConfig::new("s", Comparison::Gt, 50.0, FIVE_MIN, 1));
        let per_minute = [10.0, 10.0, 10.0, 10.0, 10.0, 300.0, 300.0];
        let mut states = vec![];
        for minute in 5..=per_minute.len() {
            let w = &per_minute[minute - 5..minute];
            let avg = w.iter().sum::<f64>() / 5.0;
            a.evaluate(minute as u64 * MIN, Some(avg));
            states.push(a.state());
        }
        // Minutes 1–5 average 10 (OK); minutes 2–6 average 68 (> 50, ALARM).
        assert_eq!(states, vec![O, A, A]);
    }

    #[test]
    fn percentile_low_sample_rule() {
        let mut s = MetricStats::with_samples();
        for i in 0..999 {
            s.add(i as f64);
        }
        assert!(s.is_low_sample(Statistic::P99));
        s.add(999.0);
        assert!(!s.is_low_sample(Statistic::P99));
        assert!(!s.is_low_sample(Statistic::Average));
        // p90: 10 / 0.1 = 100 samples; p50: 10 / 0.5 = 20.
        assert_eq!(low_sample_count_threshold(0.9), 100);
        assert_eq!(low_sample_count_threshold(0.5), 20);

        // With Ignore, a low-sample period leaves the state unchanged.
        let mut c = AlarmConfig::new("p", Comparison::Gt, 100.0, MIN, 1);
        c.statistic = Statistic::P99;
        c.low_sample_count_percentile = LowSampleCountPercentile::Ignore;
        let mut a = AlarmEvaluator::new(c);
        let mut few = MetricStats::with_samples();
        few.add(500.0);
        assert_eq!(a.evaluate_stats(MIN, &few), None);
        assert_eq!(a.state(), I);
        a.config_mut().low_sample_count_percentile = LowSampleCountPercentile::Evaluate;
        assert!(a.evaluate_stats(2 * MIN, &few).is_some());
        assert_eq!(a.state(), A);
    }

    // ---- Statistics (CW:publishingMetrics) ------------------------------

    #[test]
    fn statistics_of_a_period() {
        let mut s = MetricStats::new();
        assert_eq!(
            s.value(Statistic::SampleCount),
            None,
            "no data is missing, not 0"
        );
        assert_eq!(s.value(Statistic::Sum), None);
        for v in [4.0, 1.0, 7.0] {
            s.add(v);
        }
        assert_eq!(s.value(Statistic::Sum), Some(12.0));
        assert_eq!(s.value(Statistic::SampleCount), Some(3.0));
        assert_eq!(s.value(Statistic::Average), Some(4.0));
        assert_eq!(s.value(Statistic::Minimum), Some(1.0));
        assert_eq!(s.value(Statistic::Maximum), Some(7.0));
        assert_eq!(s.value(Statistic::P90), None, "no samples kept");

        let mut p = MetricStats::with_samples();
        for v in 1..=100 {
            p.add(v as f64);
        }
        assert_eq!(p.value(Statistic::P50), Some(50.0));
        assert_eq!(p.value(Statistic::P90), Some(90.0));
        assert_eq!(p.value(Statistic::P99), Some(99.0));

        // Statistic sets and merging keep Sum/SampleCount/Min/Max.
        let mut a = MetricStats::new();
        a.add_set(30.0, 3, 5.0, 15.0);
        let mut b = MetricStats::new();
        b.add(-1.0);
        a.merge(&b);
        assert_eq!(a.value(Statistic::Sum), Some(29.0));
        assert_eq!(a.value(Statistic::SampleCount), Some(4.0));
        assert_eq!(a.value(Statistic::Minimum), Some(-1.0));
        assert_eq!(a.value(Statistic::Maximum), Some(15.0));
        a.clear();
        assert_eq!(a.value(Statistic::Average), None);
    }

    // ---- Documented evaluation rules -------------------------------------

    #[test]
    fn initial_state_is_insufficient_data() {
        let a = alarm(1, 1, Missing);
        assert_eq!(a.state(), I);
        assert!(!a.actions_due());
        assert_eq!(
            AlarmState::InsufficientData.to_string(),
            "INSUFFICIENT_DATA"
        );
        assert_eq!(AlarmState::Ok.to_string(), "OK");
        assert_eq!(AlarmState::Alarm.to_string(), "ALARM");
    }

    #[test]
    fn documented_figure_three_of_three() {
        // CW:AlarmThatSendsEmail figure: threshold 3, M = N = 3; ALARM when
        // periods 3–5 breach, OK at period 6 when the value dips, and a single
        // breach at period 9 leaves it OK.
        let mut c = AlarmConfig::new("fig", Comparison::Gt, 3.0, MIN, 3);
        c.treat_missing_data = Missing;
        let mut a = AlarmEvaluator::new(c);
        let values = [1.0, 2.0, 4.0, 5.0, 4.0, 2.0, 1.0, 2.0, 4.0, 2.0];
        let states: Vec<AlarmState> = values
            .iter()
            .enumerate()
            .map(|(i, &v)| {
                a.evaluate((i as u64 + 1) * MIN, Some(v));
                a.state()
            })
            .collect();
        assert_eq!(states[4], A, "third through fifth periods breach");
        assert_eq!(states[5], O, "period six dips below");
        assert_eq!(states[8], O, "period nine: one breach only");
        assert!(states[..4].iter().all(|&s| s != A));
    }

    #[test]
    fn m_out_of_n_need_not_be_consecutive() {
        // 3 of 5 with gaps in between: breaching points need not be
        // consecutive, only within the last N (CW:AlarmThatSendsEmail).
        let mut c = AlarmConfig::new("m", Comparison::Ge, 10.0, MIN, 5);
        c.datapoints_to_alarm = 3;
        let mut a = AlarmEvaluator::new(c);
        for (i, v) in [20.0, 0.0, 20.0, 0.0, 20.0].into_iter().enumerate() {
            a.evaluate((i as u64 + 1) * MIN, Some(v));
        }
        assert_eq!(a.state(), A, "X 0 X 0 X: 3 of 5");
        // The oldest breach leaves the last five: X 0 X 0 X → 0 X 0 X 0.
        a.evaluate(6 * MIN, Some(0.0));
        assert_eq!(a.state(), O, "0 X 0 X 0: 2 of 5");
        a.evaluate(7 * MIN, Some(20.0));
        assert_eq!(a.state(), A, "X 0 X 0 X again");

        // 3 of 5 with missing datapoints: at least N = 5 real points in the
        // range (7), so the 5 most recent real ones are used.
        let mut c = AlarmConfig::new("m", Comparison::Ge, 10.0, MIN, 5);
        c.datapoints_to_alarm = 3;
        assert_eq!(c.evaluation_range, 7);
        let mut a = AlarmEvaluator::new(c);
        let row = [
            Some(0.0),
            Some(20.0),
            None,
            Some(20.0),
            Some(0.0),
            None,
            Some(20.0),
        ];
        for (i, v) in row.into_iter().enumerate() {
            a.evaluate((i as u64 + 1) * MIN, v);
        }
        // Real, newest first: X 0 X X 0 → 3 breaching.
        assert_eq!(a.state(), A);
        let mut a2 = alarm(3, 5, Missing);
        let row = [
            Some(20.0),
            Some(20.0),
            None,
            Some(0.0),
            Some(0.0),
            None,
            Some(20.0),
        ];
        for (i, v) in row.into_iter().enumerate() {
            a2.evaluate((i as u64 + 1) * FIVE_MIN, v);
        }
        // Real, newest first: X 0 0 X X → 3 breaching.
        assert_eq!(a2.state(), A);
        a2.evaluate(8 * FIVE_MIN, Some(0.0));
        // Real in range (7 periods: 2..=8), newest first: 0 X 0 0 X → 2 of 5 → OK.
        assert_eq!(a2.state(), O);
    }

    #[test]
    fn each_treatment_on_a_gap_sequence() {
        // M = N = 3, range 5. Data: X X X then two missing periods, then
        // three more missing periods (stream stopped).
        let seq = [
            Some(20.0),
            Some(20.0),
            Some(20.0),
            None,
            None,
            None,
            None,
            None,
        ];
        let run = |treat| {
            let mut a = alarm(3, 3, treat);
            seq.iter()
                .enumerate()
                .map(|(i, &v)| {
                    a.evaluate((i as u64 + 1) * FIVE_MIN, v);
                    a.state()
                })
                .collect::<Vec<_>>()
        };
        // After X X X: ALARM (3 real ≥ N). The alarm keeps re-evaluating the
        // last datapoints after the metric stops ("may repeatedly re-evaluate
        // the last set of data points"): with 3 real points still in the range,
        // the setting is ignored.
        // missing: `X X X - -` → ALARM; `X X - - -` premature rule (oldest
        // breaching 5 ≥ 3) → ALARM; `X - - - -` → ALARM; then `- - - - -`
        // → INSUFFICIENT_DATA.
        assert_eq!(run(Missing), vec![I, I, A, A, A, A, A, I]);
        // ignore: premature cases retain ALARM, all-missing retains too.
        assert_eq!(run(Ignore), vec![I, I, A, A, A, A, A, A]);
        // breaching: fills are breaching → ALARM throughout after data.
        // The first two evaluations have `- - - - X`, `- - - X X`: 1+2, 2+1.
        assert_eq!(run(Breaching), vec![A, A, A, A, A, A, A, A]);
        // notBreaching: `- - X X X` still has 3 real points → ALARM; then
        // `- - - X X` → 2 real + 1 fill not breaching = 2 < 3 → OK.
        assert_eq!(run(NotBreaching), vec![O, O, A, A, A, O, O, O]);
    }

    #[test]
    fn equality_ge_breaches_gt_does_not() {
        assert!(breaches(Comparison::Ge, 60.0, 60.0));
        assert!(!breaches(Comparison::Gt, 60.0, 60.0));
        assert!(breaches(Comparison::Le, 60.0, 60.0));
        assert!(!breaches(Comparison::Lt, 60.0, 60.0));
        let mut ge = AlarmEvaluator::new(AlarmConfig::new("ge", Comparison::Ge, 60.0, MIN, 1));
        let mut gt = AlarmEvaluator::new(AlarmConfig::new("gt", Comparison::Gt, 60.0, MIN, 1));
        ge.evaluate(MIN, Some(60.0));
        gt.evaluate(MIN, Some(60.0));
        assert_eq!(ge.state(), A);
        assert_eq!(gt.state(), O);
    }

    #[test]
    fn autoscaling_actions_reinvoked_while_in_alarm() {
        // CW:AlarmThatSendsEmail: Auto Scaling actions are invoked on the
        // change to ALARM and again for every period it stays there.
        let mut a = AlarmEvaluator::new(AlarmConfig::new("r", Comparison::Gt, 50.0, MIN, 1));
        a.evaluate(MIN, Some(10.0));
        assert_eq!(a.state(), O);
        assert!(!a.actions_due());
        assert_eq!(
            a.state_actions_due(),
            Some(O),
            "OK actions on the change to OK"
        );
        let ch = a.evaluate(2 * MIN, Some(90.0)).expect("OK -> ALARM");
        assert_eq!((ch.old, ch.new), (O, A));
        assert!(a.actions_due());
        assert!(
            a.evaluate(3 * MIN, Some(90.0)).is_none(),
            "no new state change"
        );
        assert!(a.actions_due(), "re-invoked while still in ALARM");
        a.evaluate(4 * MIN, Some(90.0));
        assert!(a.actions_due());
        a.evaluate(5 * MIN, Some(10.0));
        assert!(!a.actions_due());
        // 10-second alarm evaluated every 10 s: re-invoked once a minute.
        let mut h = AlarmEvaluator::new(AlarmConfig::new(
            "h",
            Comparison::Gt,
            50.0,
            10 * NS_PER_S,
            1,
        ));
        let due: Vec<bool> = (1..=8)
            .map(|k| {
                h.evaluate(k * 10 * NS_PER_S, Some(90.0));
                h.actions_due()
            })
            .collect();
        assert_eq!(
            due,
            vec![true, false, false, false, false, false, true, false]
        );
    }

    #[test]
    fn dynamodb_metrics_always_ignore_missing_data() {
        let a = Alarm {
            name: None,
            metric: "ConsumedWriteCapacityUnits".into(),
            statistic: Statistic::Sum,
            comparison: Comparison::Ge,
            threshold: 100.0,
            period: Duration::secs(60),
            evaluation_periods: 2,
            datapoints_to_alarm: None,
            treat_missing_data: Breaching,
            queue: None,
            load_balancer: None,
            table: Some("orders".into()),
        };
        let c = AlarmConfig::from_alarm("d", &a);
        assert_eq!(c.treat_missing_data, Ignore);
        assert_eq!(c.datapoints_to_alarm, 2, "M defaults to N");
        assert_eq!(c.period_ns, MIN);
        let mut e = AlarmEvaluator::from_alarm("d", &a);
        e.evaluate(MIN, Some(500.0));
        e.evaluate(2 * MIN, Some(500.0));
        assert_eq!(e.state(), A);
        for k in 3..10 {
            e.evaluate(k * MIN, None);
        }
        assert_eq!(e.state(), A, "stays in its state with no data");
        let non_ddb = Alarm { table: None, ..a };
        assert_eq!(
            AlarmConfig::from_alarm("x", &non_ddb).treat_missing_data,
            Breaching
        );
    }

    #[test]
    fn validation_limits() {
        let ok = AlarmConfig::new("v", Comparison::Gt, 1.0, MIN, 3);
        assert!(ok.validate().is_ok());
        for p in [10, 20, 30, 60, 120, 3600] {
            assert!(
                AlarmConfig::new("v", Comparison::Gt, 1.0, p * NS_PER_S, 1)
                    .validate()
                    .is_ok(),
                "{p}"
            );
        }
        for p in [0, 5, 45, 90] {
            assert!(
                AlarmConfig::new("v", Comparison::Gt, 1.0, p * NS_PER_S, 1)
                    .validate()
                    .is_err(),
                "{p}"
            );
        }
        let mut m = ok.clone();
        m.datapoints_to_alarm = 4;
        assert!(m.validate().is_err());
        // 1 day cap below 1 h periods, 7 days at 1 h and above.
        assert!(
            AlarmConfig::new("v", Comparison::Gt, 1.0, MIN, 1440)
                .validate()
                .is_ok()
        );
        assert!(
            AlarmConfig::new("v", Comparison::Gt, 1.0, MIN, 1441)
                .validate()
                .is_err()
        );
        assert!(
            AlarmConfig::new("v", Comparison::Gt, 1.0, 3600 * NS_PER_S, 168)
                .validate()
                .is_ok()
        );
        assert!(
            AlarmConfig::new("v", Comparison::Gt, 1.0, 3600 * NS_PER_S, 169)
                .validate()
                .is_err()
        );
    }

    // ---- Target tracking (scenario-format.md; aws-semantics.md §1.6, §10) -

    #[test]
    fn target_tracking_high_three_of_three_above_target() {
        let mut h = AlarmEvaluator::target_tracking_high(50.0);
        let c = h.config();
        assert_eq!((c.evaluation_periods, c.datapoints_to_alarm), (3, 3));
        assert_eq!(c.period_ns, MIN);
        assert_eq!(c.comparison, Comparison::Gt);
        assert_eq!(c.threshold, 50.0);
        assert_eq!(c.statistic, Statistic::Average);
        // At the target is not above it.
        for k in 1..=3 {
            h.evaluate(k * MIN, Some(50.0));
        }
        assert_eq!(h.state(), O);
        h.evaluate(4 * MIN, Some(51.0));
        h.evaluate(5 * MIN, Some(70.0));
        assert_eq!(h.state(), O, "two datapoints above");
        h.evaluate(6 * MIN, Some(60.0));
        assert_eq!(h.state(), A, "three one-minute datapoints above");
        assert!(h.actions_due());
        // Missing data: INSUFFICIENT_DATA and no scaling
        // (ASG:as-scaling-target-tracking).
        for k in 7..=11 {
            h.evaluate(k * MIN, None);
        }
        assert_eq!(h.state(), I);
        assert!(!h.actions_due());
    }

    #[test]
    fn target_tracking_low_fifteen_of_fifteen_below() {
        let mut l = AlarmEvaluator::target_tracking_low(50.0, 0.9);
        let c = l.config();
        assert_eq!((c.evaluation_periods, c.datapoints_to_alarm), (15, 15));
        assert_eq!(c.comparison, Comparison::Lt);
        assert_eq!(c.threshold, 45.0);
        for k in 1..=14 {
            l.evaluate(k * MIN, Some(30.0));
        }
        assert_ne!(l.state(), A, "14 below is not enough");
        l.evaluate(15 * MIN, Some(30.0));
        assert_eq!(l.state(), A, "15 of 15 below 0.9 × target");
        l.evaluate(16 * MIN, Some(45.0));
        assert_eq!(l.state(), O, "at the low threshold is not below it");
    }

    // ---- Basic monitoring: 5-minute data under 1-minute alarms -----------
    // (ASG:enable-as-instance-metrics; API-ASG:TargetTrackingMetricStat.Period;
    // the missing-data algorithm of CW:AlarmThatSendsEmail.)

    #[test]
    fn ec2_metric_resolution_follows_the_monitoring_type() {
        assert_eq!(ec2_metric_period_ns(Monitoring::Basic), FIVE_MIN);
        assert_eq!(ec2_metric_period_ns(Monitoring::Detailed), MIN);
        // The simulator's default is detailed (scenario-format.md).
        assert_eq!(Monitoring::default(), Monitoring::Detailed);
    }

    #[test]
    fn one_minute_alarm_finds_no_data_in_four_of_five_periods() {
        // "They might find no data available for as many as four out of
        // every five periods."
        let hours = (1..=60u64)
            .filter(|&k| rule_finer_period_sees_coarse_datapoint(k * MIN, FIVE_MIN))
            .collect::<Vec<_>>();
        assert_eq!(hours.len(), 12);
        assert_eq!(&hours[..3], &[5, 10, 15]);
        // Detailed data: every minute has its datapoint.
        assert!((1..=60).all(|k| rule_finer_period_sees_coarse_datapoint(k * MIN, MIN)));
    }

    /// Feeds a one-minute alarm the minutes 1..=`last` of a 5-minute metric
    /// whose datapoints are `value(minute)`, and returns each minute's state
    /// and whether Auto Scaling actions were due.
    fn on_five_minute_data(
        a: &mut AlarmEvaluator,
        last: u64,
        value: impl Fn(u64) -> f64,
    ) -> Vec<(AlarmState, bool)> {
        (1..=last)
            .map(|k| {
                let dp =
                    rule_finer_period_sees_coarse_datapoint(k * MIN, FIVE_MIN).then(|| value(k));
                a.evaluate(k * MIN, dp);
                (a.state(), a.actions_due())
            })
            .collect()
    }

    #[test]
    fn target_tracking_high_alarm_on_five_minute_data() {
        // The managed alarm stays 3 of 3 at 60 s. Each 5-minute datapoint is
        // the only real point in its range of 5: `- - - - X` and `- - - X -`
        // are too recent to alarm (INSUFFICIENT_DATA under `missing`), and
        // `- - X - -` alarms by the premature-alarm rule, two minutes after
        // the datapoint arrived.
        let mut h = AlarmEvaluator::target_tracking_high(50.0);
        assert_eq!(h.config().period_ns, MIN);
        let got = on_five_minute_data(&mut h, 12, |_| 80.0);
        let states: Vec<AlarmState> = got.iter().map(|x| x.0).collect();
        assert_eq!(states, vec![I, I, I, I, I, I, A, A, A, I, I, A]);
        let due: Vec<u64> = (1..=12).filter(|&k| got[k as usize - 1].1).collect();
        assert_eq!(
            due,
            vec![7, 8, 9, 12],
            "scaling on entering ALARM and while in it"
        );
        // On 1-minute data the same load alarms at minute 3.
        let mut d = AlarmEvaluator::target_tracking_high(50.0);
        for k in 1..=3 {
            d.evaluate(k * MIN, Some(80.0));
        }
        assert_eq!(d.state(), A);
        // A datapoint at or below the target: OK at once, and OK in between
        // (a real non-breaching point is in every range).
        let mut ok = AlarmEvaluator::target_tracking_high(50.0);
        let got = on_five_minute_data(&mut ok, 12, |_| 30.0);
        assert!(got[4..].iter().all(|x| x.0 == O), "{got:?}");
    }

    #[test]
    fn target_tracking_low_alarm_on_five_minute_data() {
        // 15 of 15 at 60 s, range 17: three or four real points, all below
        // the low threshold; ALARM when the oldest is at least 15 periods old
        // (premature-alarm rule), INSUFFICIENT_DATA otherwise.
        let mut l = AlarmEvaluator::target_tracking_low(50.0, 0.9);
        let got = on_five_minute_data(&mut l, 30, |_| 10.0);
        let states: Vec<AlarmState> = got.iter().map(|x| x.0).collect();
        assert!(states[..18].iter().all(|&s| s == I), "{states:?}");
        // Minute 19: points at 5, 10, 15; the oldest is 15 periods old →
        // ALARM. It stays in range (ages 16, 17) for two more minutes.
        assert_eq!(&states[18..21], &[A, A, A]);
        // Minute 22: the oldest real point is at 10, 13 periods old → too
        // recent again; ALARM once it is 15 old (minute 24).
        assert_eq!(&states[21..23], &[I, I]);
        assert_eq!(&states[23..26], &[A, A, A]);
    }

    #[test]
    fn one_minute_n1_alarm_between_five_minute_datapoints() {
        // N = 1, range 3: a datapoint is in range for the minute it arrives
        // and the next two; in the other two minutes of five the range is
        // empty and the treatment decides (WE-17 row `- - - - -`).
        let run = |treat, v: f64| {
            let mut c = AlarmConfig::new("c", Comparison::Gt, 50.0, MIN, 1);
            c.treat_missing_data = treat;
            let mut a = AlarmEvaluator::new(c);
            on_five_minute_data(&mut a, 10, |_| v)[4..]
                .iter()
                .map(|x| x.0)
                .collect::<Vec<_>>()
        };
        // Breaching datapoints at 5 and 10.
        assert_eq!(run(Missing, 80.0), vec![A, A, A, I, I, A]);
        assert_eq!(run(Ignore, 80.0), vec![A, A, A, A, A, A]);
        assert_eq!(run(Breaching, 80.0), vec![A, A, A, A, A, A]);
        assert_eq!(run(NotBreaching, 80.0), vec![A, A, A, O, O, A]);
        // Datapoints well below the threshold.
        assert_eq!(run(Missing, 10.0), vec![O, O, O, I, I, O]);
        assert_eq!(run(Ignore, 10.0), vec![O, O, O, O, O, O]);
        assert_eq!(
            run(Breaching, 10.0),
            vec![O, O, O, A, A, O],
            "missing minutes breach on their own"
        );
        assert_eq!(run(NotBreaching, 10.0), vec![O, O, O, O, O, O]);
    }

    #[test]
    fn reasons_stamp_a_five_minute_datapoint_with_its_period_start() {
        // The datapoint of 09:10–09:15 reaches a one-minute alarm in the
        // minute ending 09:15; CloudWatch stamps it 09:10:00.
        let origin = clock::parse_utc("2026-01-05T09:00:00Z").unwrap();
        let mut a = AlarmEvaluator::new(AlarmConfig::new("b", Comparison::Gt, 50.0, MIN, 1))
            .with_clock_origin(origin)
            .with_metric_period(FIVE_MIN);
        let ch = a.evaluate(15 * MIN, Some(80.0)).unwrap();
        assert!(
            ch.reason.contains("80.0 (05/01/26 09:10:00)"),
            "{}",
            ch.reason
        );
    }

    #[test]
    fn target_tracking_alarm_names() {
        let hi = target_tracking_alarm_name("web", TargetTrackingAlarm::High, 7);
        let lo = target_tracking_alarm_name("web", TargetTrackingAlarm::Low, 7);
        assert!(hi.starts_with("TargetTracking-web-AlarmHigh-"), "{hi}");
        assert!(lo.starts_with("TargetTracking-web-AlarmLow-"), "{lo}");
        let uuid = &hi["TargetTracking-web-AlarmHigh-".len()..];
        // Same shape as AWS's, e.g. b9376cab-18a7-4385-920c-dfa3f7783f82.
        let groups: Vec<&str> = uuid.split('-').collect();
        assert_eq!(
            groups.iter().map(|g| g.len()).collect::<Vec<_>>(),
            vec![8, 4, 4, 4, 12]
        );
        assert!(
            uuid.chars()
                .all(|c| c == '-' || c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
        );
        assert!(groups[2].starts_with('4'), "version 4");
        assert!(
            matches!(groups[3].as_bytes()[0], b'8' | b'9' | b'a' | b'b'),
            "variant"
        );
        assert_eq!(deterministic_uuid(7), deterministic_uuid(7));
        assert_ne!(deterministic_uuid(7), deterministic_uuid(8));
    }

    // ---- Reason text ------------------------------------------------------

    #[test]
    fn reason_text_in_cloudwatch_style() {
        let origin = clock::parse_utc("2026-01-05T09:00:00Z").unwrap();
        let mut a = AlarmEvaluator::new(AlarmConfig::new("r", Comparison::Ge, 60.0, MIN, 3))
            .with_clock_origin(origin);
        a.evaluate(13 * MIN, Some(65.2));
        a.evaluate(14 * MIN, Some(70.0));
        let ch = a.evaluate(15 * MIN, Some(72.1)).unwrap();
        assert_eq!(ch.old, I);
        assert_eq!(ch.new, A);
        assert_eq!(
            ch.reason,
            "Threshold Crossed: 3 out of the last 3 datapoints [72.1 (05/01/26 09:14:00), \
             70.0 (05/01/26 09:13:00), 65.2 (05/01/26 09:12:00)] were greater than or equal \
             to the threshold (60.0) (minimum 3 datapoints for INSUFFICIENT_DATA -> ALARM transition)."
        );
        let ch = a.evaluate(16 * MIN, Some(10.0)).unwrap();
        assert_eq!(
            ch.reason,
            "Threshold Crossed: 1 out of the last 3 datapoints [10.0 (05/01/26 09:15:00)] was not \
             greater than or equal to the threshold (60.0) (minimum 1 datapoint for ALARM -> OK transition)."
        );
        let mut one = AlarmEvaluator::new(AlarmConfig::new("o", Comparison::Gt, 1.0, MIN, 1))
            .with_clock_origin(origin);
        let ch = one.evaluate(3 * MIN, Some(2.0)).unwrap();
        assert_eq!(
            ch.reason,
            "Threshold Crossed: 1 datapoint [2.0 (05/01/26 09:02:00)] was greater than the threshold (1.0)."
        );
        // Range 3 (N + 2): the datapoint of 09:02 keeps the alarm in ALARM
        // until it leaves the range.
        assert_eq!(one.evaluate(4 * MIN, None), None);
        assert_eq!(one.evaluate(5 * MIN, None), None);
        let ch = one.evaluate(6 * MIN, None).unwrap();
        assert_eq!((ch.old, ch.new), (A, I));
        assert_eq!(ch.reason, "Insufficient Data: 1 datapoint was unknown.");
        // notBreaching with no data at all.
        let mut nb = AlarmConfig::new("nb", Comparison::Gt, 1.0, MIN, 2);
        nb.treat_missing_data = NotBreaching;
        let mut nb = AlarmEvaluator::new(nb);
        let ch = nb.evaluate(MIN, None).unwrap();
        assert_eq!(
            ch.reason,
            "Threshold Crossed: no datapoints were received for 2 periods and 2 missing datapoints were treated as [NonBreaching]."
        );
    }
}
