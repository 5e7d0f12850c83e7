//! Predictive scaling in the world (`ASG:ec2-auto-scaling-predictive-scaling`):
//! the load history each CloudWatch minute, the forecast when it is due, the
//! action for each hour `SchedulingBufferTime` before it, and the forecast
//! capacity in the metrics series.
//!
//! The forecast itself and the rules of a policy's settings live in
//! [`crate::aws::predictive`]; raising desired capacity to the forecast and
//! the effective maximum in [`crate::aws::scaling`] (WE-12). This file only
//! feeds them and acts on the result.
//!
//! What it writes:
//! - an activity of kind `predictive` for each forecast (every 6 hours once
//!   24 hours of history exist), with the hourly capacities in its cause;
//! - in `forecast_and_scale` mode, a `scaling` activity when an hour's
//!   forecast raises desired capacity (never lowers it), and a `predictive`
//!   activity when `IncreaseMaxCapacity` raises the group's maximum;
//! - `PredictiveCapacityForecast` in metrics.csv: each metrics period, the
//!   forecast capacity of the hour it starts in (resource: the group for its
//!   first predictive policy, `<group>/<policy>` for any other).
//!
//! How it combines with dynamic scaling: predictive scaling only ever raises
//! desired capacity at its hourly step; dynamic policies scale out and in
//! between steps by their own rules, except that a dynamic scale-in stops at
//! the forecast capacity of the hour in progress ("each policy determines
//! the desired capacity independently, and the desired capacity is set to
//! the maximum of those", `ASG:predictive-scaling-policy-overview`;
//! [`World::predictive_floor`]). AWS "strongly recommend[s]" a default instance warmup with
//! predictive scaling, which keeps pre-launched instances from being scaled
//! in before the load arrives; scenarios/predictive-scaling.yaml uses one.

use super::{Act, Activity, Ev, SIMULATOR_WORDING, World};
use crate::aws::predictive::{self as fc, HourForecast, HourlyHistory, LoadMetric};
use crate::aws::scaling::{self as rules, MaxCapacityBreach};
use crate::scenario::{AutoScalingGroup, Duration, PolicyType};
use crate::sim::SimTime;
use std::collections::BTreeMap;

const MINUTE: SimTime = 60_000_000_000;
const NS_PER_S: i64 = 1_000_000_000;

/// One predictive policy's settings and latest forecast.
struct PolicyPredictive {
    name: String,
    load: LoadMetric,
    target: f64,
    /// `forecast_and_scale` (else `forecast_only`).
    scales: bool,
    buffer: Duration,
    breach: MaxCapacityBreach,
    /// Unix hour → its forecast; a newer forecast replaces the hours it
    /// covers and keeps the hour in progress from the older one.
    forecast: BTreeMap<i64, HourForecast>,
    /// Series resource of `PredictiveCapacityForecast`.
    series_res: u32,
}

/// A group's predictive scaling state.
#[derive(Default)]
pub(crate) struct GroupPredictive {
    policies: Vec<PolicyPredictive>,
    /// Load history: the group's total CPUUtilization and its target
    /// group's RequestCount, one value per CloudWatch minute.
    cpu: HourlyHistory,
    requests: HourlyHistory,
    /// Start of the first minute of history.
    history_start: Option<SimTime>,
    last_forecast: Option<SimTime>,
    /// End of the next metrics period to write.
    next_row: SimTime,
    /// The next hour to act on (Unix hour) and when, for the policy that
    /// scales.
    next_action: Option<(i64, SimTime)>,
    /// Last `not_scaled` reason (one row per new reason).
    last_not_scaled: String,
}

impl GroupPredictive {
    pub(crate) fn new(g: &AutoScalingGroup) -> GroupPredictive {
        let policies = g
            .scaling_policies
            .iter()
            .filter(|p| p.kind == PolicyType::Predictive && p.enabled)
            .map(|p| PolicyPredictive {
                name: p.name.clone(),
                // Validation refuses other metrics.
                load: p
                    .metric
                    .as_deref()
                    .and_then(fc::predictive_metric_pair)
                    .unwrap_or(LoadMetric::TotalCpu),
                target: p.target.unwrap_or(50.0),
                scales: fc::predictive_scales(p),
                buffer: p
                    .scheduling_buffer_time
                    .unwrap_or(fc::DEFAULT_SCHEDULING_BUFFER_TIME),
                breach: fc::predictive_breach_behavior(p),
                forecast: BTreeMap::new(),
                series_res: 0,
            })
            .collect();
        GroupPredictive {
            policies,
            ..GroupPredictive::default()
        }
    }

    /// The policy that acts on its forecast (validation allows one).
    fn scaling_policy(&self) -> Option<usize> {
        self.policies.iter().position(|p| p.scales)
    }
}

impl World {
    /// The capacity below which dynamic scaling may not scale in now: the
    /// forecast capacity of the hour whose predictive action has run (the
    /// action runs `SchedulingBufferTime` before the hour), within min and
    /// max, for a `forecast_and_scale` policy. "Each policy determines the
    /// desired capacity independently, and the desired capacity is set to
    /// the maximum of those" (`ASG:predictive-scaling-policy-overview`).
    pub(super) fn predictive_floor(&self, g: usize) -> Option<u32> {
        let p = &self.groups[g].predictive;
        let k = p.scaling_policy()?;
        let pol = &p.policies[k];
        let hour =
            (self.unix_s(self.now) + (pol.buffer.nanos() / 1_000_000_000) as i64).div_euclid(3600);
        let f = pol.forecast.get(&hour)?;
        let a = &self.groups[g].aws;
        Some(f.capacity.clamp(a.min(), a.max().max(a.min())))
    }

    /// Unix seconds at simulated time `t`.
    fn unix_s(&self, t: SimTime) -> i64 {
        self.start_epoch + (t / 1_000_000_000) as i64
    }

    /// Simulated time at which Unix hour `h` starts (0 if before the run).
    fn hour_start(&self, h: i64) -> SimTime {
        let s = h * 3600 - self.start_epoch;
        if s <= 0 {
            0
        } else {
            s as SimTime * 1_000_000_000
        }
    }

    /// The first hour whose action is not before `now`, and that action's
    /// time, for policy `k`.
    fn first_action_from(&self, g: usize, k: usize, now: SimTime) -> (i64, SimTime) {
        let buffer = self.groups[g].predictive.policies[k].buffer;
        let mut h = self.unix_s(now).div_euclid(3600);
        loop {
            let at = self.hour_start(h);
            // An hour that started before the run has no action.
            if (h * 3600 - self.start_epoch) * NS_PER_S >= buffer.0 as i64 {
                let t = fc::predictive_action_time(at, buffer);
                if t >= now {
                    return (h, t);
                }
            }
            h += 1;
        }
    }

    /// Schedule the first step of each group with a predictive policy: its
    /// first metrics period and its first hourly action.
    pub(super) fn predictive_start(&mut self) {
        for g in 0..self.groups.len() {
            if self.groups[g].predictive.policies.is_empty() {
                continue;
            }
            for k in 0..self.groups[g].predictive.policies.len() {
                let name = if k == 0 {
                    self.groups[g].aws.name().to_string()
                } else {
                    format!(
                        "{}/{}",
                        self.groups[g].aws.name(),
                        self.groups[g].predictive.policies[k].name
                    )
                };
                let res = self.series.resource(&name);
                self.groups[g].predictive.policies[k].series_res = res;
            }
            self.groups[g].predictive.next_row = self.period;
            self.groups[g].predictive.next_action = self.groups[g]
                .predictive
                .scaling_policy()
                .map(|k| self.first_action_from(g, k, 0));
            self.schedule_predictive_tick(g);
        }
    }

    fn schedule_predictive_tick(&mut self, g: usize) {
        let st = &self.groups[g].predictive;
        let next = st
            .next_action
            .map_or(st.next_row, |(_, t)| t.min(st.next_row));
        if next <= self.end {
            self.q.push(next, Ev::PredictiveTick { g: g as u32 });
        }
    }

    /// One CloudWatch minute of a group's load, as the forecast's history:
    /// the sum of its InService instances' CPUUtilization, how many there
    /// were, and its load balancer's RequestCount (if it has one). A
    /// forecast due now is made here, so that it reads this minute too.
    pub(super) fn predictive_minute(
        &mut self,
        g: usize,
        minute_end: SimTime,
        cpu_sum: f64,
        _in_service: u32,
        lb_requests: Option<f64>,
    ) {
        if self.groups[g].predictive.policies.is_empty() {
            return;
        }
        let start = minute_end.saturating_sub(MINUTE);
        // A minute counts in the clock hour it starts in.
        let hour = self.unix_s(start).div_euclid(3600);
        let st = &mut self.groups[g].predictive;
        st.history_start.get_or_insert(start);
        st.cpu.add(hour, cpu_sum);
        if let Some(r) = lb_requests {
            st.requests.add(hour, r);
        }
        if fc::predictive_forecast_due(st.history_start, st.last_forecast, minute_end) {
            self.predictive_forecast(g);
        }
    }

    /// Make every predictive policy's forecast of the group now, and write
    /// it to the activity history.
    fn predictive_forecast(&mut self, g: usize) {
        let now = self.now;
        let now_s = self.unix_s(now);
        let over_before = now_s.div_euclid(3600);
        let t = self.clock_text(now);
        let mut rows = Vec::new();
        for k in 0..self.groups[g].predictive.policies.len() {
            let st = &self.groups[g].predictive;
            let p = &st.policies[k];
            let history = match p.load {
                LoadMetric::TotalCpu => st.cpu.hourly_means(over_before),
                LoadMetric::AlbRequestCount => st.requests.hourly_means(over_before),
            };
            let f = fc::predictive_forecast(&history, now_s, p.target);
            let (desc, cause) = self.forecast_text(g, k, &t, history.len(), &f);
            rows.push((desc, cause));
            // An hour whose action has already run (it runs
            // SchedulingBufferTime before the hour) keeps the forecast it
            // acted on, so its action, metrics row and scale-in floor agree;
            // older hours go.
            let buffer = p.buffer.nanos();
            let fresh: Vec<HourForecast> = f
                .iter()
                .filter(|x| {
                    !p.forecast.contains_key(&x.hour)
                        || self.hour_start(x.hour).saturating_sub(buffer) > now
                })
                .copied()
                .collect();
            let p = &mut self.groups[g].predictive.policies[k];
            p.forecast = p.forecast.split_off(&(over_before - 1));
            p.forecast.extend(fresh.iter().map(|x| (x.hour, *x)));
        }
        let st = &mut self.groups[g].predictive;
        st.last_forecast = Some(now);
        // Keep a day more than a forecast reads.
        st.cpu
            .forget_before(over_before - (fc::LOOKBACK_DAYS + 1) * 24);
        st.requests
            .forget_before(over_before - (fc::LOOKBACK_DAYS + 1) * 24);
        for (description, cause) in rows {
            self.activities.push(
                Activity::new(
                    now,
                    self.groups[g].aws.name().to_string(),
                    Act::Predictive,
                    description,
                    cause,
                )
                .with_details(SIMULATOR_WORDING),
            );
        }
    }

    /// The activity text of a forecast.
    fn forecast_text(
        &self,
        g: usize,
        k: usize,
        t: &str,
        history_hours: usize,
        f: &[HourForecast],
    ) -> (String, String) {
        let p = &self.groups[g].predictive.policies[k];
        let mode = if p.scales {
            "ForecastAndScale"
        } else {
            "ForecastOnly"
        };
        let hour_text = |h: i64| self.clock_text(self.hour_start(h));
        let (Some(first), Some(last)) = (f.first(), f.last()) else {
            return (
                format!(
                    "Forecast by predictive scaling policy {}: no hour could be forecast",
                    p.name
                ),
                format!(
                    "At {t} predictive scaling policy {} ({mode}) found no earlier day for any of the next 48 hours.",
                    p.name
                ),
            );
        };
        let lo = f.iter().map(|x| x.capacity).min().unwrap_or(0);
        let peak = f.iter().fold(
            first,
            |best, x| if x.capacity > best.capacity { x } else { best },
        );
        let caps: Vec<String> = f.iter().map(|x| x.capacity.to_string()).collect();
        (
            format!(
                "Forecast by predictive scaling policy {}: {}–{} instances from {} to {} (highest at {})",
                p.name,
                lo,
                peak.capacity,
                hour_text(first.hour),
                hour_text(last.hour + 1),
                hour_text(peak.hour)
            ),
            format!(
                "At {t} predictive scaling policy {} ({mode}) forecast the next {} hours from {history_hours} hours of history: for each hour, the mean of {} at the same hour on up to {} earlier days, divided by the target {} and rounded up. Capacity per hour from {}: {}.",
                p.name,
                f.len(),
                p.load.describe(),
                fc::LOOKBACK_DAYS,
                p.target,
                hour_text(first.hour),
                caps.join(" ")
            ),
        )
    }

    /// The group's step: the forecast rows of the metrics period that just
    /// ended, and the action for the coming hour when its time has come.
    #[inline(never)]
    pub(super) fn on_predictive_tick(&mut self, g: usize) {
        let now = self.now;
        if now >= self.groups[g].predictive.next_row {
            let t0 = now.saturating_sub(self.period);
            let hour = self.unix_s(t0).div_euclid(3600);
            for k in 0..self.groups[g].predictive.policies.len() {
                let p = &self.groups[g].predictive.policies[k];
                if let Some(f) = p.forecast.get(&hour) {
                    let (res, v) = (p.series_res, f.capacity as f64);
                    self.series.push(t0, res, "PredictiveCapacityForecast", v);
                }
            }
            self.groups[g].predictive.next_row = now + self.period;
        }
        if let Some((hour, at)) = self.groups[g].predictive.next_action
            && now >= at
        {
            self.predictive_act(g, hour);
            let k = self.groups[g].predictive.scaling_policy().unwrap_or(0);
            self.groups[g].predictive.next_action = Some(self.first_action_from(g, k, now + 1));
        }
        self.schedule_predictive_tick(g);
    }

    /// The start of an hour (`SchedulingBufferTime` early): "If actual
    /// capacity is less than the predicted capacity, Amazon EC2 Auto Scaling
    /// scales out your Auto Scaling group so that its desired capacity is
    /// equal to the predicted capacity. If actual capacity is greater than the
    /// predicted capacity, Amazon EC2 Auto Scaling doesn't scale in capacity.
    /// The values that you set for the minimum and maximum capacity of the
    /// Auto Scaling group are adhered to" (`ASG:ec2-auto-scaling-predictive-scaling`),
    /// unless `IncreaseMaxCapacity` (WE-12).
    fn predictive_act(&mut self, g: usize, hour: i64) {
        let Some(k) = self.groups[g].predictive.scaling_policy() else {
            return;
        };
        let p = &self.groups[g].predictive.policies[k];
        let Some(f) = p.forecast.get(&hour) else {
            return;
        };
        let (name, breach, cap) = (p.name.clone(), p.breach, f.capacity);
        let t = self.clock_text(self.now);
        let h_text = self.clock_text(self.hour_start(hour));
        let (desired, min, max) = {
            let a = &self.groups[g].aws;
            (a.desired(), a.min(), a.max())
        };
        let effective_max = rules::predictive_effective_max(max, cap as f64, breach);
        if effective_max > max {
            // The AWS way: IncreaseMaxCapacity raises the group's maximum
            // capacity itself, and "the increased maximum capacity then
            // becomes the new normal maximum capacity for the Auto Scaling
            // group until you manually update it. The maximum capacity does
            // not automatically decrease back to the original maximum"
            // (`API-ASG:PredictiveScalingConfiguration.MaxCapacityBreachBehavior`;
            // `ASG:predictive-scaling-policy-overview`). So it is not an
            // allowance for this hour only: dynamic policies may use it too,
            // and GroupMaxSize shows it.
            self.groups[g].aws.raise_max(effective_max);
            self.maintain_warm_pool(g);
            let buffer = match breach {
                MaxCapacityBreach::IncreaseMaxCapacity { buffer_percent } => buffer_percent,
                MaxCapacityBreach::HonorMaxCapacity => 0.0,
            };
            self.activities.push(
                Activity::new(
                    self.now,
                    self.groups[g].aws.name().to_string(),
                    Act::Predictive,
                    format!("Raising the maximum capacity from {max} to {effective_max}"),
                    format!(
                        "At {t} predictive scaling policy {name} forecast {cap} instances for the hour starting {h_text}, close to or above the maximum capacity of {max}: with IncreaseMaxCapacity and a MaxCapacityBuffer of {buffer} %, the maximum capacity becomes {effective_max}, and stays there until changed."
                    ),
                )
                .with_details(format!(
                    "forecast × (1 + buffer / 100), rounded up; {SIMULATOR_WORDING}"
                )),
            );
        }
        let new = rules::predictive_new_desired(desired, cap as f64, min, effective_max);
        if new > desired {
            self.groups[g].predictive.last_not_scaled.clear();
            self.set_desired(
                g,
                new,
                format!(
                    "At {t} a scheduled action from predictive scaling policy {name} for the hour starting {h_text} (forecast capacity {cap}) changing the desired capacity from {desired} to {new}."
                ),
            );
        } else if cap > new {
            // Held at the maximum (HonorMaxCapacity): say why, once.
            let why = format!(
                "the forecast of {cap} instances is above the maximum capacity of {effective_max} (HonorMaxCapacity)"
            );
            if self.groups[g].predictive.last_not_scaled != why {
                self.groups[g].predictive.last_not_scaled = why.clone();
                self.activities.push(
                    Activity::new(
                        self.now,
                        self.groups[g].aws.name().to_string(),
                        Act::NotScaled,
                        format!("No scaling: {why}"),
                        format!(
                            "At {t} predictive scaling policy {name} for the hour starting {h_text} did not change the desired capacity of {desired}: {why}."
                        ),
                    )
                    .with_details(SIMULATOR_WORDING),
                );
            }
        }
    }
}
