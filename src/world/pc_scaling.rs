//! Application Auto Scaling of Lambda provisioned concurrency: a scalable
//! target per function with `provisioned_concurrency_auto_scaling`, and its
//! target tracking policy on `LambdaProvisionedConcurrencyUtilization`.
//! Every minute the function's ProvisionedConcurrencyUtilization (its
//! Average: provisioned-concurrent executions over provisioned concurrency,
//! time-weighted) is published (after the CloudWatch publication delay) to
//! the policy's two alarms — AlarmHigh above the target 3 of 3 minutes,
//! AlarmLow below 90 % of it 15 of 15 — and a due alarm sets a new
//! provisioned concurrency (ceil/floor of n × utilisation / target, within
//! min/max), ready after the allocation time. Rules in
//! [`crate::aws::lambda`]; alarms in [`crate::aws::cloudwatch`].

use super::lambda::SlEv;
use super::{Act, Activity, Ev, SIMULATOR_WORDING, World};
use crate::aws::cloudwatch::{self, AlarmConfig, AlarmEvaluator, TargetTrackingAlarm};
use crate::aws::lambda as rules;
use crate::scenario::Comparison;
use crate::sim::SimTime;
use std::collections::VecDeque;

const MINUTE: SimTime = 60_000_000_000;

/// One function's scalable target and policy.
pub(super) struct PcScaler {
    pub(super) f: u32,
    name: String,
    min: u32,
    max: u32,
    target: f64,
    allocation: SimTime,
    high: AlarmEvaluator,
    low: AlarmEvaluator,
    policy: String,
    /// Datapoints (minute end, utilisation) waiting for the publication delay.
    pending: VecDeque<(SimTime, Option<f64>)>,
    /// Latest visible utilisation.
    last_util: f64,
    /// The latest minute's utilisation and ProvisionedConcurrentExecutions
    /// maximum (for metrics.csv).
    pub(super) minute: (Option<f64>, u32),
    /// A change in progress: its new value.
    updating: Option<u32>,
    /// Scaling activities so far.
    pub(super) activities: u64,
}

impl World {
    /// Build the scalers and start their minute (called at t = 0).
    pub(super) fn pc_start(&mut self) {
        let origin = self.start_epoch;
        let mut out = Vec::new();
        for (i, name, a) in std::mem::take(&mut self.lambda.pc_cfg) {
            let resource = format!("function:{name}:live");
            let id = 0x1A3B_0000 + i as u64;
            let high = AlarmEvaluator::new(AlarmConfig::new(
                cloudwatch::target_tracking_alarm_name(&resource, TargetTrackingAlarm::High, id),
                Comparison::Gt,
                a.target,
                MINUTE,
                rules::PC_SCALE_OUT_DATAPOINTS,
            ))
            .with_clock_origin(origin);
            let low = AlarmEvaluator::new(AlarmConfig::new(
                cloudwatch::target_tracking_alarm_name(&resource, TargetTrackingAlarm::Low, id),
                Comparison::Lt,
                a.target * rules::PC_LOW_ALARM_FACTOR,
                MINUTE,
                rules::PC_SCALE_IN_DATAPOINTS,
            ))
            .with_clock_origin(origin);
            out.push(PcScaler {
                f: i as u32,
                name,
                min: a.min,
                max: a.max,
                target: a.target,
                allocation: a.allocation_time.0,
                high,
                low,
                policy: format!("LambdaProvisionedConcurrencyUtilization:{resource}"),
                pending: VecDeque::new(),
                last_util: 0.0,
                minute: (None, 0),
                updating: None,
                activities: 0,
            });
        }
        if !out.is_empty() && MINUTE <= self.end {
            self.q.push(
                MINUTE,
                Ev::Serverless {
                    what: SlEv::PcMinute,
                    a: 0,
                    b: 0,
                },
            );
        }
        self.lambda.pc = out;
    }

    /// A CloudWatch minute ends: datapoints, alarms, decisions.
    pub(super) fn pc_minute(&mut self) {
        let now = self.now;
        let delay = self.publication_delay;
        for k in 0..self.lambda.pc.len() {
            let f = self.lambda.pc[k].f as usize;
            let (util, max) = self.lambda.model.take_provisioned_period(f, now);
            let sc = &mut self.lambda.pc[k];
            sc.minute = (util, max);
            sc.pending.push_back((now, util));
            let mut rows = Vec::new();
            while let Some(&(end, util)) = sc.pending.front() {
                if end + delay > now {
                    break;
                }
                sc.pending.pop_front();
                if let Some(u) = util {
                    sc.last_util = u;
                }
                for al in [&mut sc.high, &mut sc.low] {
                    if let Some(ch) = al.evaluate(end, util) {
                        rows.push(super::dynamodb::alarm_row(now, &sc.name, al.name(), &ch));
                    }
                }
            }
            self.activities.extend(rows);
            self.pc_scale(k);
        }
        if now + MINUTE <= self.end {
            self.q.push(
                now + MINUTE,
                Ev::Serverless {
                    what: SlEv::PcMinute,
                    a: 0,
                    b: 0,
                },
            );
        }
    }

    /// Act on a due alarm: PutProvisionedConcurrencyConfig to the target
    /// tracking value; nothing while a change is in progress.
    fn pc_scale(&mut self, k: usize) {
        let now = self.now;
        let sc = &self.lambda.pc[k];
        if sc.updating.is_some() {
            return;
        }
        let (alarm, out) = if sc.high.actions_due() {
            (sc.high.name().to_string(), true)
        } else if sc.low.actions_due() {
            (sc.low.name().to_string(), false)
        } else {
            return;
        };
        let current = self.lambda.model.config(sc.f as usize).provisioned;
        let want = rules::pc_target_tracking_capacity(
            current,
            sc.last_util,
            sc.target,
            sc.min,
            sc.max,
            out,
        );
        if (out && want <= current) || (!out && want >= current) {
            return;
        }
        let cause = format!(
            "monitor alarm {alarm} in state ALARM triggered policy {}",
            sc.policy
        );
        let row = Activity::new(
            now,
            sc.name.clone(),
            Act::ProvisionedConcurrencyScaling,
            format!("Setting desired concurrency to {want}."),
            cause,
        );
        let allowed = self.lambda.model.provisioned_allowed(sc.f as usize);
        if want > allowed {
            // Lambda refuses the PutProvisionedConcurrencyConfig: the
            // activity fails and nothing changes; the alarm, still in
            // ALARM, tries again next minute.
            self.activities.push(row.with_details(format!(
                "failed: Lambda allows at most {allowed} provisioned concurrency here (it keeps {} of the account's concurrency unreserved); nothing changed; {SIMULATOR_WORDING}",
                rules::UNRESERVED_MINIMUM
            )));
            return;
        }
        let at = now + sc.allocation;
        let sc = &mut self.lambda.pc[k];
        sc.updating = Some(want);
        sc.activities += 1;
        self.activities.push(row);
        self.q.push(
            at,
            Ev::Serverless {
                what: SlEv::PcReady,
                a: k as u32,
                b: want,
            },
        );
    }

    /// A provisioned concurrency change is allocated (READY).
    pub(super) fn pc_ready(&mut self, k: u32, want: u32) {
        let now = self.now;
        let sc = &mut self.lambda.pc[k as usize];
        sc.updating = None;
        let f = sc.f as usize;
        self.lambda.model.set_provisioned(f, now, want);
    }
}
