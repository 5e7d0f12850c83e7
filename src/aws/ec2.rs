//! EC2 instances: lifecycle state, a pool of workers with a FIFO accept queue,
//! CPU accounting and billing.

use crate::scenario::{Billing, InstanceSpec};
use crate::sim::SimTime;
use std::collections::VecDeque;

/// Lifecycle states, as Auto Scaling names them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LifecycleState {
    /// Booting.
    Pending,
    /// Waiting on a launch lifecycle hook.
    PendingWait,
    /// Serving.
    InService,
    /// Being terminated (draining, hooks).
    Terminating,
    /// Waiting on a termination lifecycle hook.
    TerminatingWait,
    /// Gone.
    Terminated,
    /// Launching into the group's warm pool (`Warmed:Pending`).
    WarmedPending,
    /// Held by a launch lifecycle hook on its way into the warm pool
    /// (`Warmed:Pending:Wait`).
    WarmedPendingWait,
    /// Waiting in the warm pool, stopped, running or hibernated.
    Warmed(crate::scenario::PoolState),
    /// Taken out of service by EnterStandby: running and billed, not
    /// counted in service, no load balancer sends it requests (after its
    /// deregistration delay).
    Standby,
}

impl LifecycleState {
    /// AWS's name for the state.
    pub fn aws_name(self) -> &'static str {
        match self {
            LifecycleState::Pending => "Pending",
            LifecycleState::PendingWait => "Pending:Wait",
            LifecycleState::InService => "InService",
            LifecycleState::Terminating => "Terminating",
            LifecycleState::TerminatingWait => "Terminating:Wait",
            LifecycleState::Terminated => "Terminated",
            LifecycleState::WarmedPending => "Warmed:Pending",
            LifecycleState::WarmedPendingWait => "Warmed:Pending:Wait",
            LifecycleState::Warmed(crate::scenario::PoolState::Stopped) => "Warmed:Stopped",
            LifecycleState::Warmed(crate::scenario::PoolState::Running) => "Warmed:Running",
            LifecycleState::Warmed(crate::scenario::PoolState::Hibernated) => "Warmed:Hibernated",
            LifecycleState::Standby => "Standby",
        }
    }
}

/// What an instance did with a request offered to it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Admission {
    /// A worker started it now.
    Started,
    /// It waits in the FIFO queue.
    Queued,
    /// The queue is full: refused.
    Refused,
}

/// One EC2 instance.
#[derive(Debug)]
pub struct Instance {
    /// `i-` followed by 17 hex digits.
    pub ec2_id: String,
    /// Owning group index.
    pub asg: u32,
    /// Availability zone index within the group.
    pub az: u32,
    /// Launch template version it was launched from.
    pub lt_version: u32,
    /// Lifecycle state.
    pub state: LifecycleState,
    /// When it was launched (billing starts).
    pub launched_at: SimTime,
    /// When it entered InService.
    pub in_service_at: Option<SimTime>,
    /// When it was terminated (billing stops).
    pub terminated_at: Option<SimTime>,
    /// Running (billed) since; None while stopped or hibernated in a warm
    /// pool, where EC2 bills only storage (`EC2:ec2-instance-lifecycle`).
    pub running_since: Option<SimTime>,
    /// Earlier runs, ended by a stop: seconds run, and seconds billed per
    /// second and hourly (each start is billed on its own).
    pub earlier_runs: (f64, f64, f64),
    /// Worker count.
    pub workers: u32,
    /// Max waiting requests.
    pub queue_limit: u32,
    /// Workers busy now.
    pub busy: u32,
    /// Waiting request slots, FIFO.
    pub waiting: VecDeque<u32>,
    /// Busy-worker nanoseconds accumulated in the current metrics period.
    busy_area: u128,
    /// The same for the current CloudWatch minute.
    cw_area: u128,
    last_change: SimTime,
    /// Requests served to completion, all time.
    pub served: u64,
    /// Protected from scale-in.
    pub protected: bool,
    /// Hung or impaired: accepts requests but never answers.
    pub hung: bool,
    /// Stopped (or terminated outside Auto Scaling): refuses everything
    /// until the group notices (`crate::aws::recorded::stopped_timeline`).
    pub stopped: bool,
    /// When its application starts answering (`instance.app_start` after
    /// InService); before that it refuses connections.
    pub app_ready_at: SimTime,
    /// CPU percent used by something other than requests
    /// (`instance.background_cpu`), a pattern over time.
    pub background_cpu: Option<crate::workload::RateFn>,
    /// When it was launched for the warm-up's clock
    /// (`crate::aws::scaling::warm_up_start`): its launch, or the moment it
    /// left a warm pool.
    pub warm_up_launch: SimTime,
}

impl Instance {
    /// A new instance.
    pub fn new(
        ec2_id: String,
        asg: u32,
        az: u32,
        spec: &InstanceSpec,
        lt_version: u32,
        now: SimTime,
    ) -> Self {
        Instance {
            ec2_id,
            asg,
            az,
            lt_version,
            state: LifecycleState::Pending,
            launched_at: now,
            warm_up_launch: now,
            in_service_at: None,
            terminated_at: None,
            running_since: Some(now),
            earlier_runs: (0.0, 0.0, 0.0),
            workers: spec.workers.max(1),
            queue_limit: spec.queue_limit,
            busy: 0,
            waiting: VecDeque::new(),
            busy_area: 0,
            cw_area: 0,
            last_change: now,
            served: 0,
            protected: false,
            hung: false,
            stopped: false,
            app_ready_at: 0,
            background_cpu: spec
                .background_cpu
                .as_ref()
                .map(crate::workload::RateFn::new),
        }
    }

    #[inline]
    fn account(&mut self, now: SimTime) {
        let a = self.busy as u128 * (now - self.last_change) as u128;
        self.busy_area += a;
        self.cw_area += a;
        self.last_change = now;
    }

    /// Offer a request: a free worker starts it, else it queues, else refused.
    #[inline]
    pub fn admit(&mut self, req: u32, now: SimTime) -> Admission {
        if self.stopped || now < self.app_ready_at {
            // Nothing listens: the connection is refused.
            Admission::Refused
        } else if self.busy < self.workers {
            self.account(now);
            self.busy += 1;
            Admission::Started
        } else if (self.waiting.len() as u32) < self.queue_limit {
            self.waiting.push_back(req);
            Admission::Queued
        } else {
            Admission::Refused
        }
    }

    /// A worker finished: returns the next waiting request, which keeps the
    /// worker busy, or frees the worker.
    #[inline]
    pub fn finish(&mut self, now: SimTime) -> Option<u32> {
        self.served += 1;
        match self.waiting.pop_front() {
            Some(r) => Some(r),
            None => {
                self.account(now);
                self.busy -= 1;
                None
            }
        }
    }

    /// CPUUtilization for CloudWatch's minute (its own accumulator, so the
    /// output's metrics period can differ from alarms' one minute).
    pub fn take_cw_cpu(&mut self, now: SimTime, period: SimTime) -> f64 {
        self.account(now);
        let area = std::mem::take(&mut self.cw_area);
        if period == 0 {
            return 0.0;
        }
        self.with_background(
            100.0 * area as f64 / (self.workers as f64 * period as f64),
            now,
            period,
        )
    }

    /// Requests' CPU plus the background's, at the middle of the period,
    /// capped at 100 %.
    fn with_background(&self, requests: f64, now: SimTime, period: SimTime) -> f64 {
        match &self.background_cpu {
            None => requests,
            Some(bg) => (requests + bg.at(now.saturating_sub(period / 2)).max(0.0)).min(100.0),
        }
    }

    /// Start CPU accounting afresh (when the instance enters service).
    pub fn reset_accounting(&mut self, now: SimTime) {
        self.busy_area = 0;
        self.cw_area = 0;
        self.last_change = now;
    }

    /// Drop every request (the instance is gone).
    pub fn release_all(&mut self, now: SimTime) {
        self.account(now);
        self.busy = 0;
        self.waiting.clear();
    }

    /// Release a worker without counting a completion (request dropped).
    pub fn release(&mut self, now: SimTime) {
        self.account(now);
        self.busy = self.busy.saturating_sub(1);
    }

    /// CPUUtilization over the period ending `now` of length `period`, in
    /// percent: the busy-worker fraction (busy-worker time / (workers ×
    /// period)). Resets the accumulator.
    pub fn take_cpu(&mut self, now: SimTime, period: SimTime) -> f64 {
        self.account(now);
        let area = std::mem::take(&mut self.busy_area);
        if period == 0 {
            return 0.0;
        }
        self.with_background(
            100.0 * area as f64 / (self.workers as f64 * period as f64),
            now,
            period,
        )
    }

    /// The instance stops (into a warm pool): this run is billed on its own.
    pub fn stop_running(&mut self, now: SimTime) {
        if let Some(from) = self.running_since.take() {
            let run = now.saturating_sub(from) as f64 / 1e9;
            self.earlier_runs.0 += run;
            self.earlier_runs.1 += billing::billed_seconds(Billing::PerSecond, run);
            self.earlier_runs.2 += billing::billed_seconds(Billing::Hourly, run);
        }
    }

    /// The instance starts again (out of a warm pool).
    pub fn start_running(&mut self, now: SimTime) {
        if self.running_since.is_none() {
            self.running_since = Some(now);
        }
    }

    /// Seconds of the current run up to `end`.
    fn current_run_seconds(&self, end: SimTime) -> f64 {
        let stop = self.terminated_at.unwrap_or(end).min(end);
        match self.running_since {
            Some(from) if from < stop => (stop - from) as f64 / 1e9,
            _ => 0.0,
        }
    }

    /// Seconds billed, as EC2 bills them, up to `end`: each run from a start
    /// to a stop or termination on its own.
    pub fn billed_seconds(&self, billing: Billing, end: SimTime) -> f64 {
        let earlier = match billing {
            Billing::PerSecond => self.earlier_runs.1,
            Billing::Hourly => self.earlier_runs.2,
        };
        let run = self.current_run_seconds(end);
        let current = if self.running_since.is_some_and(|f| f <= end) {
            billing::billed_seconds(billing, run)
        } else {
            0.0
        };
        earlier + current
    }

    /// Seconds run up to `end`.
    pub fn run_seconds(&self, end: SimTime) -> f64 {
        self.earlier_runs.0 + self.current_run_seconds(end)
    }
}

/// EC2 billing rules.
pub mod billing {
    use crate::scenario::Billing;

    /// Per-second billing has a 60-second minimum; hourly bills each started
    /// hour. (EC2 User Guide, "Amazon EC2 billing and purchasing options":
    /// "per-second billing … with a minimum of 60 seconds".)
    pub fn billed_seconds(billing: Billing, run_s: f64) -> f64 {
        match billing {
            Billing::PerSecond => run_s.ceil().max(60.0),
            Billing::Hourly => (run_s / 3600.0).ceil().max(1.0) * 3600.0,
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn per_second_has_a_minute_minimum_and_hourly_rounds_up() {
            assert_eq!(billed_seconds(Billing::PerSecond, 10.0), 60.0);
            assert_eq!(billed_seconds(Billing::PerSecond, 61.2), 62.0);
            assert_eq!(billed_seconds(Billing::Hourly, 61.0), 3600.0);
            assert_eq!(billed_seconds(Billing::Hourly, 3601.0), 7200.0);
        }
    }
}

// ------------------------------------------------------------ regions and zones

/// The Region a scenario is in when it names none.
pub const DEFAULT_REGION: &str = "us-east-1";

/// Whether `r` has the shape of an AWS Region code: lowercase words joined by
/// `-`, the first of two letters (the area: `us`, `eu`, `ap`, `cn`, …), at
/// least one more word (`east`, `gov-west`, …) and a number last, like
/// `us-east-1`, `ap-southeast-2` or `us-gov-west-1`
/// (`EC2:using-regions-availability-zones`). Not a list of today's Regions:
/// a new Region of the same shape is accepted.
pub fn is_region_code(r: &str) -> bool {
    let parts: Vec<&str> = r.split('-').collect();
    parts.len() >= 3
        && parts[0].len() == 2
        && parts[..parts.len() - 1]
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase()))
        && parts[parts.len() - 1].bytes().all(|b| b.is_ascii_digit())
        && !parts[parts.len() - 1].is_empty()
}

/// Why `r` cannot be a scenario's `region`, or `None`.
pub fn region_problem(r: &str) -> Option<String> {
    if is_region_code(r) {
        None
    } else {
        Some(format!(
            "\"{r}\" is not a Region code: expected lowercase words and a number joined by `-`, like \"us-east-1\" or \"eu-west-2\""
        ))
    }
}

/// Why `zone` cannot be an Availability Zone of `region`, or `None`. An
/// Availability Zone's name is its Region's code followed by one letter
/// (`us-east-1a`; `EC2:using-regions-availability-zones`). Local Zones and
/// Wavelength Zones (`us-east-1-bos-1a`) are not modelled.
pub fn zone_problem(region: &str, zone: &str) -> Option<String> {
    let letter = zone.chars().last().filter(|c| c.is_ascii_lowercase());
    let zone_region = letter.map(|_| &zone[..zone.len() - 1]);
    match zone_region {
        Some(r) if r == region => None,
        Some(r) if is_region_code(r) => Some(format!(
            "\"{zone}\" is a zone of Region {r}, but the scenario is in {region} (set `region: {r}` at the top, or use {region}a, {region}b, …)"
        )),
        _ => Some(format!(
            "\"{zone}\" is not an Availability Zone name: a zone is its Region's code and a letter, like \"{region}a\" (the scenario's region is {region}; set `region:` at the top for another)"
        )),
    }
}

/// An instance id like AWS's: `i-` and 17 lowercase hex digits.
pub fn instance_id(bits: u64, extra: u8) -> String {
    format!("i-{:016x}{:x}", bits, extra & 0xf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workers_then_queue_then_refuse() {
        let spec = InstanceSpec {
            workers: 2,
            queue_limit: 1,
            ..InstanceSpec::default()
        };
        let mut i = Instance::new(instance_id(1, 2), 0, 0, &spec, 1, 0);
        assert_eq!(i.admit(1, 0), Admission::Started);
        assert_eq!(i.admit(2, 0), Admission::Started);
        assert_eq!(i.admit(3, 0), Admission::Queued);
        assert_eq!(i.admit(4, 0), Admission::Refused);
        assert_eq!(i.finish(50), Some(3));
        assert_eq!(i.finish(100), None);
        assert_eq!(i.finish(100), None);
        assert_eq!(i.busy, 0);
        // 2 workers busy for 100 ns then none: over a 200 ns period, 50 %.
        assert!((i.take_cpu(200, 200) - 50.0).abs() < 1e-9);
        assert_eq!(instance_id(0xabc, 5).len(), 19);
    }

    #[test]
    fn region_and_zone_names() {
        for r in [
            "us-east-1",
            "eu-west-2",
            "ap-southeast-7",
            "us-gov-west-1",
            "cn-north-1",
        ] {
            assert!(is_region_code(r), "{r}");
        }
        for r in [
            "mars-1",
            "us-east",
            "US-EAST-1",
            "us-east-1a",
            "u-east-1",
            "us--1",
            "",
        ] {
            assert!(!is_region_code(r), "{r}");
        }
        assert_eq!(zone_problem("us-east-1", "us-east-1a"), None);
        assert_eq!(zone_problem("eu-west-1", "eu-west-1c"), None);
        let mars = zone_problem("us-east-1", "mars-1a").unwrap();
        assert!(mars.contains("not an Availability Zone name"), "{mars}");
        let other = zone_problem("us-east-1", "eu-west-1a").unwrap();
        assert!(other.contains("region: eu-west-1"), "{other}");
        for z in ["a", "us-east-1", "us-east-1A", "us-east-1-bos-1a"] {
            assert!(zone_problem("us-east-1", z).is_some(), "{z}");
        }
    }
}
