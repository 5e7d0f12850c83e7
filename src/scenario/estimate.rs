//! How big a run is, before it starts: an estimate of its simulation events
//! from the scenario alone (workload rates × duration × the events each
//! request, message or call costs, plus the periodic work of health checks
//! and metrics), and the guard built on it.
//!
//! The per-unit costs are averages measured on the shipped scenarios (see
//! the README's "How big a run is" paragraph), not exact counts: a run's
//! events also depend on retries, refusals and how many instances scaling
//! launches. The estimate is meant to tell a run of seconds from one of
//! hours, and an absurd scenario (`rate: 1e9`, or `duration: 10000d` at hundreds of requests per second) from a
//! big one. On the 31 shipped scenarios it is within 15 % of the events
//! the run counts (`tests/it/validation.rs` holds five of them to a factor
//! of two).

use super::dist::Rate;
use super::model::{AppStep, Scenario, Workload};
use super::set::FieldPath;
use crate::aws::sqs;
use crate::workload::RateFn;

/// Events a request through a load balancer costs besides its app steps
/// (arrival, the load balancer's idle-timeout deadline, the response).
pub const EVENTS_PER_REQUEST: f64 = 1.7;
/// Events each step of an instance's app costs a request (compute, wait,
/// a DynamoDB call, an SQS send).
pub const EVENTS_PER_APP_STEP: f64 = 0.3;
/// Events a message sent to a queue costs until it is deleted (the send,
/// delivery, a consumer's receive, processing and delete).
pub const EVENTS_PER_MESSAGE: f64 = 4.0;
/// Events a workload's call to a table costs.
pub const EVENTS_PER_TABLE_CALL: f64 = 2.0;
/// Periodic events per instance and simulated second (health checks,
/// per-minute metrics, consumer polls).
pub const EVENTS_PER_INSTANCE_SECOND: f64 = 0.5;
/// Events per simulated second a run costs whatever it holds (metrics ticks,
/// alarm evaluations).
pub const EVENTS_PER_SECOND_FIXED: f64 = 0.1;

/// Events per wall second of a release build on the reference machine (2
/// cores shared with other work, load average ≈ 9): 6,480,106 events in
/// 1.97 s, `stratus run scenarios/mmc-erlang.yaml --set duration=1h
/// --no-charts` (`/usr/bin/time -v`; 8.6 M/s on the quiet machine of the
/// README's figures). Used only for the ETA shown before a run, so it errs
/// on the slow side.
pub const EVENTS_PER_WALL_SECOND: f64 = 3.3e6;

/// Above this many estimated events a scenario is refused unless
/// `--allow-huge` is given: at the reference speed about 3.5 hours of one
/// machine, and more memory than the in-flight work of most such runs fits.
pub const HUGE_EVENTS: f64 = 1e11;

/// Show the estimate and an ETA on stderr when a run should take longer
/// than this many wall seconds.
pub const SHOW_ETA_ABOVE_S: f64 = 5.0;

/// A run's estimated size.
#[derive(Clone, Debug, PartialEq)]
pub struct Estimate {
    /// Estimated simulation events of the whole run.
    pub events: f64,
    /// Each workload's share (requests, messages or calls × their cost), in
    /// scenario order.
    pub by_workload: Vec<f64>,
    /// Periodic events (instances, metrics, consumers' polls), not tied to a
    /// workload.
    pub periodic: f64,
    /// Simulated seconds.
    pub simulated_s: f64,
}

impl Estimate {
    /// Estimated wall seconds at [`EVENTS_PER_WALL_SECOND`].
    pub fn eta_s(&self) -> f64 {
        self.events / EVENTS_PER_WALL_SECOND
    }

    /// Whether the estimate is above [`HUGE_EVENTS`].
    pub fn is_huge(&self) -> bool {
        self.events > HUGE_EVENTS || self.events.is_nan()
    }

    /// One line for stderr: `estimated 3.2e9 events (≈ 6 min at 8 M events/s)`.
    pub fn line(&self) -> String {
        format!(
            "estimated {} events (about {} at {} M events/s)",
            sci(self.events),
            human_duration(self.eta_s()),
            EVENTS_PER_WALL_SECOND / 1e6
        )
    }
}

/// `3.2e9`; plain below ten thousand.
pub fn sci(v: f64) -> String {
    if !v.is_finite() {
        return "infinitely many".into();
    }
    if v < 1e4 {
        format!("{v:.0}")
    } else {
        let e = v.log10().floor();
        let m = v / 10f64.powf(e);
        format!("{m:.1}e{e}")
    }
}

/// `45 s`, `12 min`, `3.4 h`, `26 days`.
pub fn human_duration(s: f64) -> String {
    if !s.is_finite() {
        "forever".into()
    } else if s < 90.0 {
        format!("{s:.0} s")
    } else if s < 90.0 * 60.0 {
        format!("{:.0} min", s / 60.0)
    } else if s < 48.0 * 3600.0 {
        format!("{:.1} h", s / 3600.0)
    } else {
        format!("{:.0} days", s / 86400.0)
    }
}

/// The mean of a rate pattern over `[0, duration]`, in per second: exact for
/// constant rates, otherwise from up to 100,000 evenly spaced samples (the
/// patterns are piecewise linear or smooth, and a guard needs no more).
pub fn mean_rate(rate: &Rate, duration_ns: u64) -> f64 {
    if let Rate::Constant(r) = rate {
        return *r;
    }
    let f = RateFn::new(rate);
    if duration_ns == 0 {
        return f.at(0);
    }
    let n: u64 = 100_000.min((duration_ns / 1_000_000_000).max(1));
    let step = duration_ns as f64 / n as f64;
    let sum: f64 = (0..n).map(|i| f.at(((i as f64 + 0.5) * step) as u64)).sum();
    sum / n as f64
}

/// Requests (or messages, or calls) per second a workload sends on average
/// over the run: its rate, times the requests per session with sessions.
pub fn workload_calls_per_s(w: &Workload, duration_ns: u64) -> f64 {
    let per = w
        .sessions
        .as_ref()
        .map_or(1.0, |s| s.requests.mean().max(1.0));
    mean_rate(&w.rate, duration_ns) * per
}

/// Estimates a validated scenario's events.
pub fn estimate(sc: &Scenario) -> Estimate {
    let d = sc.duration.0;
    let secs = sc.duration.as_secs_f64();
    let by_workload = sc
        .workloads
        .iter()
        .map(|w| {
            let calls = workload_calls_per_s(w, d) * secs;
            calls * cost_per_call(sc, w)
        })
        .collect::<Vec<f64>>();
    let instances: f64 = sc
        .auto_scaling_groups
        .iter()
        .map(|g| (g.min as f64 + g.max as f64) / 2.0)
        .sum();
    let polls: f64 = sc
        .auto_scaling_groups
        .iter()
        .filter_map(|g| {
            let c = g.consumer.as_ref()?;
            let q = sc.queues.iter().find(|q| q.name == c.queue)?;
            // An idle thread short-polls once per API round trip, or
            // long-polls once per wait.
            let each = if c.wait_time.0 == 0 {
                q.api_latency.map_or(sqs::DEFAULT_API_LATENCY, |d| d.0)
            } else {
                c.wait_time.0
            };
            let threads = c.threads as f64 * (g.min as f64 + g.max as f64) / 2.0;
            Some(threads * 1e9 / each.max(1) as f64)
        })
        .sum();
    let periodic =
        secs * (EVENTS_PER_SECOND_FIXED + instances * EVENTS_PER_INSTANCE_SECOND + polls);
    Estimate {
        events: by_workload.iter().sum::<f64>() + periodic,
        by_workload,
        periodic,
        simulated_s: secs,
    }
}

/// Events one request, message or call of `w` costs.
fn cost_per_call(sc: &Scenario, w: &Workload) -> f64 {
    if w.to.queue.is_some() {
        return EVENTS_PER_MESSAGE;
    }
    if w.to.table.is_some() {
        return EVENTS_PER_TABLE_CALL;
    }
    let Some(lb) = &w.to.load_balancer else {
        return 0.0;
    };
    let group = sc
        .load_balancers
        .iter()
        .find(|l| &l.name == lb)
        .and_then(|l| {
            sc.auto_scaling_groups
                .iter()
                .find(|g| g.name == l.target_group)
        });
    let steps = group.map_or(0.0, |g| {
        g.app
            .iter()
            .map(|s| match s {
                AppStep::Compute(_) | AppStep::Wait(_) => EVENTS_PER_APP_STEP,
                AppStep::Dynamodb(_) => EVENTS_PER_APP_STEP + EVENTS_PER_TABLE_CALL,
                AppStep::SqsSend(_) => EVENTS_PER_APP_STEP + EVENTS_PER_MESSAGE,
                AppStep::LambdaInvoke(_) | AppStep::SnsPublish(_) | AppStep::KinesisPut(_) => {
                    EVENTS_PER_APP_STEP + EVENTS_PER_MESSAGE
                }
            })
            .sum::<f64>()
    });
    EVENTS_PER_REQUEST + steps
}

/// Where a refusal points, and its message, when the estimate is above
/// [`HUGE_EVENTS`]: at the rate of the workload that costs most when one
/// day of it alone is above the limit (the rate is absurd), else at
/// `duration` (the run is too long).
pub(crate) fn refusal(sc: &Scenario, e: &Estimate) -> Option<(FieldPath, String)> {
    if !e.is_huge() {
        return None;
    }
    let top = FieldPath::root();
    let day = 86_400.0 / e.simulated_s.max(1e-9);
    let worst = e
        .by_workload
        .iter()
        .enumerate()
        .max_by(|a, b| a.1.total_cmp(b.1));
    let head = format!(
        "this run is too big for one machine: {}, above the limit of {} events",
        e.line(),
        sci(HUGE_EVENTS)
    );
    let anyway = "or pass --allow-huge to run it anyway";
    match worst {
        Some((i, &ev)) if ev * day > HUGE_EVENTS => {
            let w = &sc.workloads[i];
            let rate = workload_calls_per_s(w, sc.duration.0);
            Some((
                top.key("workloads").item(Some(&w.name), i).key("rate"),
                format!(
                    "{head}; workload \"{}\" alone sends {} per second on average ({} events a day): lower its rate, {anyway}",
                    w.name,
                    sci(rate),
                    sci(ev * day)
                ),
            ))
        }
        _ => Some((
            top.key("duration"),
            format!("{head}: shorten `duration` ({}), {anyway}", sc.duration),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Duration;

    #[test]
    fn mean_of_patterns() {
        assert_eq!(mean_rate(&Rate::Constant(40.0), 3_600_000_000_000), 40.0);
        let spike = Rate::Spike {
            base: 100.0,
            peak: 1100.0,
            at: Duration::secs(600),
            duration: Duration::secs(600),
        };
        // 10 of 60 minutes at 1,100, the rest at 100: 100 + 1000/6.
        let m = mean_rate(&spike, 3_600_000_000_000);
        assert!((m - (100.0 + 1000.0 / 6.0)).abs() < 0.5, "{m}");
        let diurnal = Rate::Diurnal {
            min: 100.0,
            max: 300.0,
            period: Duration::secs(86_400),
            peak_at: Duration::secs(50_400),
        };
        // A raised cosine averages to its midpoint over whole periods, even
        // over 10,000 days.
        let m = mean_rate(&diurnal, 10_000 * 86_400_000_000_000);
        assert!((m - 200.0).abs() < 2.0, "{m}");
    }

    #[test]
    fn numbers_read_well() {
        assert_eq!(sci(3.21e9), "3.2e9");
        assert_eq!(sci(512.0), "512");
        assert_eq!(human_duration(30.0), "30 s");
        assert_eq!(human_duration(600.0), "10 min");
        assert_eq!(human_duration(7200.0), "2.0 h");
        assert_eq!(human_duration(86400.0 * 10.0), "10 days");
    }
}
