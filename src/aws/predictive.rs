//! Predictive scaling's forecast as pure functions: which load metric a
//! policy's metric pair reads, when a forecast is due, the hourly load and
//! capacity forecast itself, and the checks of a policy's settings.
//!
//! What AWS documents (`ASG:ec2-auto-scaling-predictive-scaling`; the current
//! page WEB https://docs.aws.amazon.com/autoscaling/ec2/userguide/predictive-scaling-policy-overview.html,
//! cited here as `ASG:predictive-scaling-policy-overview`): a forecast needs at
//! least 24 hours of history, reads up to the last 14 days, is hourly for the
//! next 48 hours and is updated every 6 hours. Capacity comes from a *load
//! metric* and a *target* for the matching *scaling metric*
//! (`API-ASG:PredictiveScalingPredefinedMetricPair`: for `ASGCPUUtilization`
//! "the Auto Scaling group's total CPU metric is used as the load metric, and
//! the average CPU metric is used for the scaling metric"; for
//! `ALBRequestCount` "the number of requests the target group receives per
//! minute provides the load metric, and the request count averaged between
//! the members of the target group provides the scaling metric",
//! `API-ASG:PredictiveScalingMetricSpecification`).
//!
//! What AWS does not document is the model: "Predictive scaling uses machine
//! learning to predict capacity requirements based on historical data". The
//! stand-in here is deliberately simple and explainable, see
//! [`predictive_forecast`].
//!
//! Hours are clock hours in UTC, numbered as Unix hours (`epoch_s / 3600`), so
//! "the same hour of the day" of hour `h` on an earlier day is `h − 24k`.

use crate::scenario::{AutoScalingGroup, Duration, PolicyType, ScalingPolicy};
use crate::sim::SimTime;
use std::collections::VecDeque;

/// One hour, ns.
pub const HOUR: SimTime = 3_600_000_000_000;

/// History needed before the first forecast: 24 hours.
/// `ASG:ec2-auto-scaling-predictive-scaling` ("at least 24 hours of historical data").
pub const MIN_HISTORY: SimTime = 24 * HOUR;

/// How far back a forecast reads: 14 days.
/// `ASG:ec2-auto-scaling-predictive-scaling` ("the previous 14 days").
pub const LOOKBACK_DAYS: i64 = 14;

/// How far ahead a forecast reaches: 48 hourly values.
/// `ASG:ec2-auto-scaling-predictive-scaling` ("an hourly forecast for the next 48 hours").
pub const FORECAST_HOURS: i64 = 48;

/// How often the forecast is made again: every 6 hours.
/// `ASG:predictive-scaling-policy-overview` ("The forecast is updated every 6
/// hours"; the 2023 guide said "daily", the current page and
/// `aws-semantics.md` §1.9 say 6 hours).
pub const REFRESH_INTERVAL: SimTime = 6 * HOUR;

/// `SchedulingBufferTime` when not given: 300 s.
/// `API-ASG:PredictiveScalingConfiguration.SchedulingBufferTime`.
pub const DEFAULT_SCHEDULING_BUFFER_TIME: Duration = Duration::secs(300);

/// Relative tolerance so that 150 / 50 computed as 3.0000000000000004 is 3
/// instances, not 4 (the same rule as `aws::scaling`).
const EPS: f64 = 1e-9;

/// The load metric a predictive policy's metric pair forecasts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LoadMetric {
    /// `ASGCPUUtilization`: the group's total CPU (the sum of its InService
    /// instances' CPUUtilization, percent × instances); the target is the
    /// average CPU per instance.
    TotalCpu,
    /// `ALBRequestCount`: requests the target group receives per minute; the
    /// target is requests per target per minute.
    AlbRequestCount,
}

impl LoadMetric {
    /// How the activity history names it.
    pub fn describe(self) -> &'static str {
        match self {
            LoadMetric::TotalCpu => "the group's total CPUUtilization",
            LoadMetric::AlbRequestCount => "the target group's RequestCount per minute",
        }
    }
}

/// The load metric of a policy's `metric`: the predefined metric pair's name
/// (`ASGCPUUtilization`, `ALBRequestCount`), or the scaling metric's name as
/// target tracking spells it (`ASGAverageCPUUtilization`,
/// `ALBRequestCountPerTarget`). `ASGNetworkIn`/`ASGNetworkOut` are pairs AWS
/// offers that stratus does not model (no network); they and anything else
/// are `None`. `API-ASG:PredictiveScalingPredefinedMetricPair.PredefinedMetricType`.
pub fn predictive_metric_pair(metric: &str) -> Option<LoadMetric> {
    match metric {
        "ASGCPUUtilization" | "ASGAverageCPUUtilization" | "ASGTotalCPUUtilization" => {
            Some(LoadMetric::TotalCpu)
        }
        "ALBRequestCount" | "ALBRequestCountPerTarget" | "ALBTargetGroupRequestCount" => {
            Some(LoadMetric::AlbRequestCount)
        }
        _ => None,
    }
}

/// Whether a forecast is due at `now`: never before 24 hours of history,
/// then as soon as there are, then every 6 hours.
/// `ASG:ec2-auto-scaling-predictive-scaling` ("Forecast creation starts
/// immediately after you create your policy if there is at least 24 hours of
/// historical data"); `ASG:predictive-scaling-policy-overview` (every 6 hours).
pub fn predictive_forecast_due(
    history_start: Option<SimTime>,
    last_forecast: Option<SimTime>,
    now: SimTime,
) -> bool {
    let Some(start) = history_start else {
        return false;
    };
    now.saturating_sub(start) >= MIN_HISTORY
        && last_forecast.is_none_or(|last| now >= last + REFRESH_INTERVAL)
}

/// The capacity that carries `load` at `target` per instance, rounded up to
/// whole instances (capacity forecast = load forecast / target).
/// `API-ASG:PredictiveScalingMetricSpecification.TargetValue`; the rounding
/// is undocumented, up as target tracking does when it adds capacity.
pub fn predictive_capacity_forecast(load: f64, target: f64) -> u32 {
    // NaN fails both comparisons and gives 0 too.
    if target.is_nan() || target <= 0.0 || !load.is_finite() || load <= 0.0 {
        return 0;
    }
    let x = load / target;
    let c = (x - EPS * x.max(1.0)).ceil();
    if c >= u32::MAX as f64 {
        u32::MAX
    } else {
        c as u32
    }
}

/// When the action for the hour starting at `hour_start` runs: that long
/// before it (`SchedulingBufferTime`: "the forecast says to add capacity at
/// 10:00 AM, and you choose to pre-launch instances by 5 minutes. In that
/// case, the instances will be launched at 9:55 AM").
/// `API-ASG:PredictiveScalingConfiguration.SchedulingBufferTime`.
pub fn predictive_action_time(hour_start: SimTime, scheduling_buffer_time: Duration) -> SimTime {
    hour_start.saturating_sub(scheduling_buffer_time.0)
}

/// One hour of a forecast.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct HourForecast {
    /// Unix hour (`epoch_s / 3600`) the forecast is for.
    pub hour: i64,
    /// Forecast load, in the load metric's unit.
    pub load: f64,
    /// Forecast capacity, instances.
    pub capacity: u32,
    /// How many earlier days went into it.
    pub days: u32,
}

/// The forecast made at Unix second `now_s` from `history` (complete clock
/// hours as `(unix hour, mean load)`, in hour order): one value for each of
/// the next 48 hours that start at or after `now_s`.
///
/// **The model (stratus's, not AWS's: AWS uses undocumented machine
/// learning):** the load forecast for an hour is the mean load of the same
/// hour of the day on every earlier day of the last 14 that the history
/// holds (so with 24 hours of history it repeats yesterday; with a week it
/// smooths out one-off days); the capacity forecast is that load divided by
/// the target, rounded up. It captures the daily cycle AWS's documentation
/// describes as the fitting workload ("high use of resources during regular
/// business hours and low use of resources during evenings"), is exact for a
/// cycle that repeats, and lags a trend or a weekly pattern by design. An
/// hour with no earlier day in the history is left out (no forecast, no
/// action).
pub fn predictive_forecast(history: &[(i64, f64)], now_s: i64, target: f64) -> Vec<HourForecast> {
    let first = now_s.div_euclid(3600) + i64::from(now_s.rem_euclid(3600) != 0);
    // "Up to the past 14 days": hours that started no earlier than 14 days
    // before the forecast, and that are over by now.
    let oldest = first - LOOKBACK_DAYS * 24;
    let complete_before = now_s.div_euclid(3600);
    let mut out = Vec::with_capacity(FORECAST_HOURS as usize);
    for hour in first..first + FORECAST_HOURS {
        let (mut sum, mut days) = (0.0, 0u32);
        let mut past = hour - 24;
        while past >= oldest {
            if past < complete_before
                && let Ok(i) = history.binary_search_by_key(&past, |x| x.0)
            {
                sum += history[i].1;
                days += 1;
            }
            past -= 24;
        }
        if days > 0 {
            let load = sum / days as f64;
            out.push(HourForecast {
                hour,
                load,
                capacity: predictive_capacity_forecast(load, target),
                days,
            });
        }
    }
    out
}

/// A load metric's minutes, summed into clock hours: what the forecast
/// reads. Each one-minute datapoint counts in the hour it starts in.
#[derive(Clone, Debug, Default)]
pub struct HourlyHistory {
    /// `(unix hour, sum of the minutes' values, minutes)`, in hour order.
    hours: VecDeque<(i64, f64, u32)>,
}

impl HourlyHistory {
    /// Add one minute's value to its hour.
    pub fn add(&mut self, hour: i64, value: f64) {
        match self.hours.back_mut() {
            Some(last) if last.0 == hour => {
                last.1 += value;
                last.2 += 1;
            }
            _ => self.hours.push_back((hour, value, 1)),
        }
    }

    /// Forget hours before `hour` (older than any forecast reads).
    pub fn forget_before(&mut self, hour: i64) {
        while self.hours.front().is_some_and(|h| h.0 < hour) {
            self.hours.pop_front();
        }
    }

    /// The mean of each hour that started before `before_hour` (the hours
    /// that are over), in hour order.
    pub fn hourly_means(&self, before_hour: i64) -> Vec<(i64, f64)> {
        self.hours
            .iter()
            .filter(|h| h.0 < before_hour && h.2 > 0)
            .map(|h| (h.0, h.1 / h.2 as f64))
            .collect()
    }
}

/// What a predictive policy may do when the forecast is near or above max
/// (`max_capacity_breach_behavior`, or implied by `max_capacity_buffer`):
/// `IncreaseMaxCapacity` exactly when a buffer is given, since AWS requires
/// the buffer with `IncreaseMaxCapacity` and refuses it otherwise.
/// `API-ASG:PredictiveScalingConfiguration.MaxCapacityBreachBehavior`/`MaxCapacityBuffer`.
pub fn predictive_breach_behavior(p: &ScalingPolicy) -> super::scaling::MaxCapacityBreach {
    use super::scaling::MaxCapacityBreach;
    match (
        p.max_capacity_breach_behavior.as_deref(),
        p.max_capacity_buffer,
    ) {
        (Some("honor_max_capacity"), _) | (None, None) => MaxCapacityBreach::HonorMaxCapacity,
        (_, b) => MaxCapacityBreach::IncreaseMaxCapacity {
            buffer_percent: b.unwrap_or(0.0),
        },
    }
}

/// Whether a predictive policy scales (`mode: forecast_and_scale`) rather
/// than only forecasting (`forecast_only`, AWS's default).
/// `API-ASG:PredictiveScalingConfiguration.Mode`.
pub fn predictive_scales(p: &ScalingPolicy) -> bool {
    p.mode.as_deref() == Some("forecast_and_scale")
}

/// The problems of the group's predictive policy number `j`, as
/// `(field, message)`. AWS's rules: `SchedulingBufferTime` "must be less than
/// the forecast interval duration of 3600 seconds"; `MaxCapacityBuffer` is 0
/// to 100, "required if the MaxCapacityBreachBehavior property is set to
/// IncreaseMaxCapacity, and cannot be used otherwise"
/// (`API-ASG:PredictiveScalingConfiguration`); several predictive policies may
/// exist "but only one of the policies can be used for active scaling"
/// (`ASG:ec2-auto-scaling-predictive-scaling`); the `ALBRequestCount` pair
/// needs a target group attached to the group
/// (`API-ASG:PredictiveScalingPredefinedMetricPair.ResourceLabel`).
pub fn predictive_policy_problems(
    g: &AutoScalingGroup,
    j: usize,
    has_load_balancer: bool,
) -> Vec<(&'static str, String)> {
    let p = &g.scaling_policies[j];
    let mut out = Vec::new();
    if let Some(m) = &p.metric {
        match predictive_metric_pair(m) {
            None => out.push((
                "metric",
                format!(
                    "predictive scaling forecasts `ASGCPUUtilization` (or `ASGAverageCPUUtilization`) or `ALBRequestCount` (or `ALBRequestCountPerTarget`), found \"{m}\""
                ),
            )),
            Some(LoadMetric::AlbRequestCount) if !has_load_balancer => out.push((
                "metric",
                format!(
                    "\"{m}\" needs a load balancer whose target_group is this group (\"{}\")",
                    g.name
                ),
            )),
            Some(_) => {}
        }
    }
    if let Some(b) = p.scheduling_buffer_time
        && b >= Duration::secs(3600)
    {
        out.push((
            "scheduling_buffer_time",
            format!("scheduling_buffer_time must be less than 1h (AWS: less than 3600 seconds), found {b}"),
        ));
    }
    if let Some(x) = p.max_capacity_buffer
        && !(0.0..=100.0).contains(&x)
    {
        out.push((
            "max_capacity_buffer",
            format!("max_capacity_buffer is a percentage from 0 to 100, found {x}"),
        ));
    }
    match p.max_capacity_breach_behavior.as_deref() {
        None => {}
        Some("honor_max_capacity") if p.max_capacity_buffer.is_some() => out.push((
            "max_capacity_buffer",
            "max_capacity_buffer goes with `max_capacity_breach_behavior: increase_max_capacity` (AWS refuses it with honor_max_capacity)".to_string(),
        )),
        Some("honor_max_capacity") => {}
        Some("increase_max_capacity") if p.max_capacity_buffer.is_none() => out.push((
            "max_capacity_buffer",
            "increase_max_capacity needs `max_capacity_buffer` (a percentage, 0 to 100)".to_string(),
        )),
        Some("increase_max_capacity") => {}
        Some(other) => out.push((
            "max_capacity_breach_behavior",
            format!(
                "unknown max_capacity_breach_behavior \"{other}\" (expected `honor_max_capacity` or `increase_max_capacity`)"
            ),
        )),
    }
    if p.enabled && predictive_scales(p) {
        let earlier = g.scaling_policies[..j]
            .iter()
            .find(|q| q.kind == PolicyType::Predictive && q.enabled && predictive_scales(q));
        if let Some(q) = earlier {
            out.push((
                "mode",
                format!(
                    "only one predictive policy of a group can scale, and \"{}\" already does (use `mode: forecast_only` here)",
                    q.name
                ),
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: i64 = 3600;

    /// A day's hourly loads repeated: `loads[h]` at hour of day `h`.
    fn days(first_hour: i64, n_days: i64, loads: &[f64; 24]) -> Vec<(i64, f64)> {
        (0..n_days * 24)
            .map(|i| (first_hour + i, loads[(i % 24) as usize]))
            .collect()
    }

    fn business_day() -> [f64; 24] {
        let mut d = [100.0; 24];
        for x in d.iter_mut().take(18).skip(8) {
            *x = 400.0;
        }
        d
    }

    #[test]
    fn no_forecast_before_24_hours_of_history_then_every_6_hours() {
        let h = HOUR;
        assert!(!predictive_forecast_due(None, None, 100 * h));
        assert!(!predictive_forecast_due(Some(0), None, 24 * h - 1));
        assert!(predictive_forecast_due(Some(0), None, 24 * h));
        // History that began later needs its own 24 hours.
        assert!(!predictive_forecast_due(Some(2 * h), None, 25 * h));
        // Refreshed 6 hours after the last forecast, not before.
        assert!(!predictive_forecast_due(Some(0), Some(24 * h), 29 * h));
        assert!(predictive_forecast_due(Some(0), Some(24 * h), 30 * h));
    }

    #[test]
    fn forecast_covers_the_next_48_hours_from_the_next_hour_boundary() {
        // Day 0 starts at Unix hour 480,000 (a midnight: 480,000 = 20,000 × 24).
        let d0 = 480_000;
        let hist = days(d0, 1, &business_day());
        // Made at 24:00 exactly: hours 24..72.
        let f = predictive_forecast(&hist, (d0 + 24) * H, 50.0);
        assert_eq!(f.len(), 48);
        assert_eq!(f[0].hour, d0 + 24);
        assert_eq!(f[47].hour, d0 + 71);
        // Made at 24:30: the first hour is 25:00.
        let f = predictive_forecast(&hist, (d0 + 24) * H + 1800, 50.0);
        assert_eq!(f[0].hour, d0 + 25);
        assert_eq!(f.len(), 48);
    }

    #[test]
    fn with_one_day_of_history_the_forecast_repeats_that_day() {
        let d0 = 480_000;
        let hist = days(d0, 1, &business_day());
        let f = predictive_forecast(&hist, (d0 + 24) * H, 50.0);
        for x in &f {
            let hod = (x.hour - d0).rem_euclid(24) as usize;
            assert_eq!(x.load, business_day()[hod], "hour {hod}");
            assert_eq!(x.days, 1);
        }
        // 400 % of total CPU at a 50 % target: 8 instances; 100 → 2.
        assert_eq!(f[9].capacity, 8);
        assert_eq!(f[3].capacity, 2);
        // The second day ahead reads the same single day, two days back.
        assert_eq!(f[24 + 9].capacity, 8);
    }

    #[test]
    fn the_forecast_is_the_mean_of_the_same_hour_over_the_past_days() {
        let d0 = 480_000;
        // Day 0 at 100 everywhere, day 1 at 300 everywhere.
        let mut hist = days(d0, 1, &[100.0; 24]);
        hist.extend(days(d0 + 24, 1, &[300.0; 24]));
        let f = predictive_forecast(&hist, (d0 + 48) * H, 50.0);
        assert!(
            f.iter()
                .all(|x| x.load == 200.0 && x.days == 2 && x.capacity == 4)
        );
    }

    #[test]
    fn only_the_last_14_days_count() {
        let d0 = 480_000;
        // 20 days: the first 6 at 1,000, the last 14 at 100.
        let mut hist = days(d0, 6, &[1000.0; 24]);
        hist.extend(days(d0 + 6 * 24, 14, &[100.0; 24]));
        let f = predictive_forecast(&hist, (d0 + 20 * 24) * H, 10.0);
        assert!(
            f.iter().all(|x| x.load == 100.0 && x.capacity == 10),
            "{:?}",
            f[0]
        );
        assert!(f.iter().all(|x| x.days <= 14));
    }

    #[test]
    fn an_hour_not_yet_over_is_not_history() {
        let d0 = 480_000;
        let mut hist = days(d0, 1, &[100.0; 24]);
        // The hour in progress (24:00–25:00) already holds a high partial mean.
        hist.push((d0 + 24, 900.0));
        let f = predictive_forecast(&hist, (d0 + 24) * H + 1800, 50.0);
        // Hour 48 (24 h after the hour in progress) reads day 0 only.
        let h48 = f.iter().find(|x| x.hour == d0 + 48).expect("hour 48");
        assert_eq!((h48.load, h48.days), (100.0, 1));
    }

    #[test]
    fn capacity_forecast_is_load_over_target_rounded_up() {
        // ALBRequestCount: 12,000 requests/min at 1,000 per target → 12.
        assert_eq!(predictive_capacity_forecast(12_000.0, 1000.0), 12);
        assert_eq!(predictive_capacity_forecast(12_001.0, 1000.0), 13);
        // 150 / 50 in floating point is not above 3.
        assert_eq!(predictive_capacity_forecast(0.1 * 1500.0, 50.0), 3);
        assert_eq!(predictive_capacity_forecast(0.0, 50.0), 0);
        assert_eq!(predictive_capacity_forecast(f64::NAN, 50.0), 0);
    }

    #[test]
    fn actions_run_scheduling_buffer_time_before_the_hour() {
        // "add capacity at 10:00 AM … pre-launch instances by 5 minutes …
        // launched at 9:55 AM".
        let ten = 10 * HOUR;
        assert_eq!(
            predictive_action_time(ten, DEFAULT_SCHEDULING_BUFFER_TIME),
            ten - 300_000_000_000
        );
        assert_eq!(predictive_action_time(ten, Duration::secs(0)), ten);
    }

    #[test]
    fn hourly_history_means_only_finished_hours() {
        let mut h = HourlyHistory::default();
        for _ in 0..60 {
            h.add(10, 2.0);
        }
        h.add(11, 5.0);
        h.add(11, 7.0);
        assert_eq!(h.hourly_means(11), vec![(10, 2.0)]);
        assert_eq!(h.hourly_means(12), vec![(10, 2.0), (11, 6.0)]);
        h.forget_before(11);
        assert_eq!(h.hourly_means(12), vec![(11, 6.0)]);
    }

    #[test]
    fn metric_pairs() {
        assert_eq!(
            predictive_metric_pair("ASGCPUUtilization"),
            Some(LoadMetric::TotalCpu)
        );
        assert_eq!(
            predictive_metric_pair("ALBRequestCountPerTarget"),
            Some(LoadMetric::AlbRequestCount)
        );
        assert_eq!(predictive_metric_pair("ASGNetworkIn"), None);
    }
}
