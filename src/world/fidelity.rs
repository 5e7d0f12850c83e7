//! Behaviour as real AWS accounts were recorded doing it, where the
//! documentation is silent (`crate::aws::recorded`, `docs/src/background/recorded-fidelity.md`):
//! a stopped instance found by the group's periodic health check, an
//! application that answers some time after its instance is InService.

use super::{Act, Activity, Ev, Outcome, SIMULATOR_WORDING, Why, World};
use crate::aws::ec2::LifecycleState;
use crate::aws::recorded;
use crate::scenario::{AutoScalingGroup, Duration, ScalingProcess, Scenario};
use crate::sim::rng::{Rng, Sampler};
use crate::sim::{SimTime, stream};

const S: SimTime = 1_000_000_000;

/// The events of this module (`Ev::Fidelity`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FidEv {
    /// The group's health check sees a stopped instance (a = instance,
    /// b = its generation).
    StoppedSeen,
    /// The group terminates the stopped instance (a, b as above).
    StoppedTerminate,
    /// The replacement of a stopped instance launches (a = group).
    StoppedRelaunch,
    /// A scaling policy's decision starts its activity (a = slot in
    /// `FidState::actions`).
    AlarmAction,
    /// One of the scenario's `actions` is due (a = its index).
    UserAction,
    /// A group retries its failed launches (a = group).
    LaunchRetry,
    /// A Standby instance's deregistration delay ends (a = instance, b =
    /// its generation).
    StandbyDrainTimeout,
}

/// A `launch_failure` fault of one group.
struct LaunchFailure {
    from: SimTime,
    until: SimTime,
    az: Option<String>,
    probability: f64,
    reason: String,
    status: String,
}

/// Per group: the recorded timings' samplers.
pub(crate) struct GroupFidelity {
    detection: Sampler,
    termination: SimTime,
    relaunch: SimTime,
    app_start: Sampler,
    rng: Rng,
    app_rng: Rng,
    action_delay: Sampler,
    action_rng: Rng,
    failures: Vec<LaunchFailure>,
    failure_rng: Rng,
    /// Consecutive failed launches (retry backoff), and a retry queued.
    failed_in_a_row: u32,
    retry_armed: bool,
    /// `balanced-best-effort`: a launch failing in one zone goes to another.
    best_effort: bool,
    instance_type: String,
    /// Zones whose launch failed at this instant (tried no more now).
    zone_failed_at: Vec<(u32, SimTime)>,
}

/// A policy decision waiting for its activity: group, new desired
/// capacity, AWS's cause, the simple policy's cooldown.
type PendingAction = (usize, u32, String, Option<Duration>);

/// This module's state.
pub(crate) struct FidState {
    groups: Vec<GroupFidelity>,
    actions: Vec<Option<PendingAction>>,
    /// The scenario's timed user actions (`world::actions`).
    pub(super) user_actions: Vec<crate::scenario::fidelity::UserAction>,
    /// Closed-loop workloads whose user count is a pattern.
    pub(super) varying_users: Vec<super::closed_loop::VaryingUsers>,
}

impl FidState {
    pub(crate) fn new(sc: &Scenario) -> FidState {
        let g = |g: &AutoScalingGroup| GroupFidelity {
            detection: g.health_check.stopped_detection.sampler(),
            termination: g.health_check.stopped_termination.0,
            relaunch: g.health_check.stopped_relaunch.0,
            app_start: g.instance.app_start.sampler(),
            rng: stream(sc.seed, &format!("asg/{}/stopped-detection", g.name)),
            app_rng: stream(sc.seed, &format!("asg/{}/app-start", g.name)),
            action_delay: g.alarm_action_delay.sampler(),
            action_rng: stream(sc.seed, &format!("asg/{}/alarm-action-delay", g.name)),
            failures: sc
                .faults
                .iter()
                .filter(|f| {
                    f.kind == crate::scenario::FaultKind::LaunchFailure
                        && f.auto_scaling_group.as_deref() == Some(g.name.as_str())
                        && f.instance_type
                            .as_ref()
                            .is_none_or(|t| *t == g.instance.kind)
                })
                .map(|f| LaunchFailure {
                    from: f.at.0,
                    until: f.duration.map_or(SimTime::MAX, |d| f.at.0 + d.0),
                    az: f.az.clone(),
                    probability: f.probability.unwrap_or(1.0),
                    reason: f
                        .reason
                        .clone()
                        .unwrap_or_else(|| "InsufficientInstanceCapacity".into()),
                    status: f.status.clone().unwrap_or_else(|| "Failed".into()),
                })
                .collect(),
            failure_rng: stream(sc.seed, &format!("asg/{}/launch-failures", g.name)),
            failed_in_a_row: 0,
            retry_armed: false,
            best_effort: g
                .availability_zone_distribution
                .capacity_distribution_strategy
                == crate::scenario::fidelity::CapacityDistributionStrategy::BalancedBestEffort,
            instance_type: g.instance.kind.clone(),
            zone_failed_at: Vec::new(),
        };
        FidState {
            groups: sc.auto_scaling_groups.iter().map(g).collect(),
            actions: Vec::new(),
            user_actions: Vec::new(),
            varying_users: Vec::new(),
        }
    }
}

impl World {
    /// Route one of this module's events.
    #[inline(never)]
    pub(super) fn on_fidelity(&mut self, what: FidEv, a: u32, b: u32) {
        match what {
            FidEv::StoppedSeen => self.stopped_seen(a, b),
            FidEv::StoppedTerminate => self.stopped_terminate(a, b),
            FidEv::StoppedRelaunch => self.stopped_relaunch(a as usize),
            FidEv::UserAction => self.on_user_action(a as usize),
            FidEv::StandbyDrainTimeout => {
                if self.inst_gen[a as usize] == b
                    && self.instances[a as usize].state == LifecycleState::Standby
                {
                    self.standby_drained(a, true);
                }
            }
            FidEv::LaunchRetry => {
                let g = a as usize;
                self.fid.groups[g].retry_armed = false;
                if (self.active_instances(g).len() as u32) < self.groups[g].aws.desired() {
                    // The retry's cause is AWS's launch clause alone.
                    self.reconcile(g, "");
                }
            }
            FidEv::AlarmAction => {
                if let Some((g, _, reason, simple)) =
                    self.fid.actions.get_mut(a as usize).and_then(Option::take)
                {
                    let before = self.groups[g].aws.instances().to_vec();
                    let was_active = self.active_instances(g);
                    self.reconcile(g, &reason);
                    self.track_simple_activity(g, &before, was_active, simple);
                }
            }
        }
    }

    /// A policy's decision changes the desired capacity now (its `scaling`
    /// row), and the launches or terminations start `alarm_action_delay`
    /// later, as recorded; false when the delay is zero (do it all now).
    pub(super) fn delay_alarm_action(
        &mut self,
        g: usize,
        best: u32,
        reason: String,
        simple: Option<Duration>,
    ) -> bool {
        let f = &mut self.fid.groups[g];
        let d = f.action_delay.sample(&mut f.action_rng);
        if d == 0 {
            return false;
        }
        let slot = match self.fid.actions.iter().position(Option::is_none) {
            Some(k) => k,
            None => {
                self.fid.actions.push(None);
                self.fid.actions.len() - 1
            }
        };
        self.change_desired(g, best, &reason);
        self.fid.actions[slot] = Some((g, best, reason, simple));
        self.q.push(
            self.now + d,
            Ev::Fidelity {
                what: FidEv::AlarmAction,
                a: slot as u32,
                b: 0,
            },
        );
        true
    }

    /// A `launch_failure` fault strikes this launch (in zone `az`): a
    /// `launch_failed` row with AWS's description (kubernetes/autoscaler#1263,
    /// aws-cli example, lab record; grade A) and a retry, as the group
    /// keeps retrying: 10 s after the first failure, doubling to at most
    /// 5 min (the pacing is the simulator's; AWS does not document it).
    pub(super) fn launch_fails(&mut self, g: usize, az: u32, cause: &str) -> bool {
        let now = self.now;
        let zone = self.groups[g]
            .aws
            .azs()
            .get(az as usize)
            .cloned()
            .unwrap_or_default();
        let f = &mut self.fid.groups[g];
        let Some(k) = f.failures.iter().position(|x| {
            now >= x.from && now < x.until && x.az.as_ref().is_none_or(|z| *z == zone)
        }) else {
            f.failed_in_a_row = 0;
            return false;
        };
        let p = f.failures[k].probability;
        if p < 1.0 {
            let u: f64 = rand::RngExt::random(&mut f.failure_rng);
            if u >= p {
                f.failed_in_a_row = 0;
                return false;
            }
        }
        let (mut reason, status) = (f.failures[k].reason.clone(), f.failures[k].status.clone());
        let zonal = f.failures[k].az.is_some();
        if zonal {
            f.zone_failed_at.retain(|z| z.1 == now);
            f.zone_failed_at.push((az, now));
        }
        if zonal && reason == "InsufficientInstanceCapacity" {
            // EC2's message for a zone out of capacity (many captures,
            // e.g. RunInstances errors quoted in commonwarexyz/monorepo#2859,
            // aws/eks-anywhere-build-tooling#772; grade A).
            let ty = &f.instance_type;
            let others: Vec<String> = self.groups[g]
                .aws
                .azs()
                .iter()
                .filter(|z| **z != zone)
                .cloned()
                .collect();
            reason = format!(
                "We currently do not have sufficient {ty} capacity in the Availability Zone you requested ({zone}). Our system will be working on provisioning additional capacity. You can currently get {ty} capacity by not specifying an Availability Zone in your request or choosing {}.",
                others.join(", ")
            );
        }
        f.failed_in_a_row += 1;
        let backoff = (10 * S)
            .saturating_mul(1u64 << (f.failed_in_a_row - 1).min(5))
            .min(300 * S);
        let arm = !f.retry_armed;
        f.retry_armed = true;
        self.activities.push(
            Activity::new(
                now,
                self.groups[g].aws.name().to_string(),
                Act::LaunchFailed,
                format!(
                    "Launching a new EC2 instance.  Status Reason: {reason}{} Launching EC2 instance failed.",
                    if reason.ends_with('.') { "" } else { "." }
                ),
                cause.to_string(),
            )
            .with_details(format!(
                "StatusCode {status}; the scenario's launch_failure fault in {zone}; the group retries after {} s",
                backoff / S
            )),
        );
        if arm {
            self.q.push(
                now + backoff,
                Ev::Fidelity {
                    what: FidEv::LaunchRetry,
                    a: g as u32,
                    b: 0,
                },
            );
        }
        true
    }

    /// `balanced-only`: how many launches failed in each zone at this
    /// instant. Such a group "maintains an equal number of instances across
    /// enabled Availability Zones. If launch attempts fail in an
    /// Availability Zone, Auto Scaling will continue to attempt to launch
    /// instances in the Availability Zone" (`ASG:ec2-auto-scaling-availability-zone-balanced`;
    /// `API-ASG:AvailabilityZoneDistribution`): a failed attempt keeps its
    /// zone's share, so the next launches of the same activity go to the
    /// other zones' shares (they launch), and the retry comes back to the
    /// failing zone. Zeros for `balanced-best-effort`, whose failed zone is
    /// skipped at once (`launch_elsewhere`).
    pub(super) fn failed_shares_now(&self, g: usize, zones: usize) -> Vec<u32> {
        let mut shares = vec![0u32; zones];
        let f = &self.fid.groups[g];
        if !f.best_effort {
            for &(z, t) in &f.zone_failed_at {
                if t == self.now && (z as usize) < zones {
                    shares[z as usize] += 1;
                }
            }
        }
        shares
    }

    /// A launch failed in zone `az` because of a zone's launch failure: with
    /// `balanced-best-effort` (AWS's default) the group launches in another
    /// zone at once (`API-ASG:AvailabilityZoneDistribution`: "Auto Scaling
    /// will attempt to launch in another healthy Availability Zone
    /// instead"), the zone with the fewest instances among those not failed
    /// now; with `balanced-only` the failed attempt keeps its zone's share
    /// (`failed_shares_now`) and the group retries later.
    pub(super) fn launch_elsewhere(
        &mut self,
        g: usize,
        forced: bool,
        cause: String,
    ) -> Option<u32> {
        let now = self.now;
        if forced || !self.fid.groups[g].best_effort {
            return None;
        }
        loop {
            let failed: Vec<u32> = self.fid.groups[g]
                .zone_failed_at
                .iter()
                .filter(|z| z.1 == now)
                .map(|z| z.0)
                .collect();
            if failed.is_empty() {
                return None;
            }
            let per_az = self.per_az(g, &self.active_instances(g));
            let available: Vec<bool> = self.groups[g]
                .zones_available()
                .into_iter()
                .enumerate()
                .map(|(z, up)| up && !failed.contains(&(z as u32)))
                .collect();
            let z = crate::aws::termination::az_with_fewest_instances(&per_az, &available)?;
            if let Some(i) = self.launch_into(g, Some(z), cause.clone(), false) {
                return Some(i);
            }
            if !self.fid.groups[g]
                .zone_failed_at
                .iter()
                .any(|x| x.0 == z && x.1 == now)
            {
                // It failed there for another reason: no zone to try.
                return None;
            }
        }
    }

    /// Whether a group's launch is done when its instance is InService, or
    /// only when it passes its load balancers' health checks (recorded: a
    /// launch behind an ALB lasts until then, 332 s vs 33 s without one;
    /// 2018 ap-northeast-1 record, grade B).
    pub(super) fn launch_done_at_in_service(&mut self, g: usize, inst: u32) {
        if self.groups[g].aws.lbs().is_empty()
            || self.suspended(g, ScalingProcess::AddToLoadBalancer)
        {
            self.scaling_activity_done(g, inst);
        }
    }

    /// A target passed its health checks: when it is healthy on every load
    /// balancer of its group, its launch is done.
    pub(super) fn target_healthy(&mut self, inst: u32) {
        let g = self.instances[inst as usize].asg as usize;
        if self.instances[inst as usize].state != LifecycleState::InService {
            return;
        }
        let all = self.groups[g].aws.lbs().iter().all(|&lb| {
            self.lbs[lb as usize].aws.health_of(inst)
                == Some(crate::aws::elb::TargetHealth::Healthy)
        });
        if all {
            self.scaling_activity_done(g, inst);
        }
    }

    /// An instance stops (or EC2 terminates it) outside Auto Scaling: it
    /// refuses everything at once and its requests fail with 502, but the
    /// group notices only at its periodic health check, marks it Unhealthy,
    /// terminates it and launches a replacement on the recorded timeline
    /// (`recorded::stopped_timeline`).
    pub(super) fn instance_stopped(&mut self, inst: u32, details: &str) {
        let i = &self.instances[inst as usize];
        if i.state != LifecycleState::InService || i.stopped {
            // Not serving: the old rule (gone at once, replaced) applies.
            let t = self.clock_text(self.now);
            return self.instance_failed(
                inst,
                Why::new(
                    format!("At {t} an instance was taken out of service in response to an EC2 health check indicating it has been terminated or stopped."),
                    details.to_string(),
                ),
            );
        }
        let g = i.asg as usize;
        self.instances[inst as usize].stopped = true;
        self.consumer_stopped(inst);
        self.cut_requests(inst);
        let f = &mut self.fid.groups[g];
        let detection = f.detection.sample(&mut f.rng);
        let (seen, term, _) =
            recorded::stopped_timeline(self.now, detection, f.termination, f.relaunch);
        let generation = self.inst_gen[inst as usize];
        let ev = |what| Ev::Fidelity {
            what,
            a: inst,
            b: generation,
        };
        self.q.push(seen, ev(FidEv::StoppedSeen));
        self.q.push(term, ev(FidEv::StoppedTerminate));
    }

    /// Requests queued or in service on an instance fail: the load balancer
    /// answers 502 (the connection is cut); health checks on it are dropped.
    pub(super) fn cut_requests(&mut self, inst: u32) {
        let mut cut: Vec<u32> = self.instances[inst as usize].waiting.drain(..).collect();
        for (r, q) in self.reqs.iter().enumerate() {
            if q.live && q.inst.is(inst) && !cut.contains(&(r as u32)) {
                cut.push(r as u32);
            }
        }
        for r in cut {
            if !self.reqs[r as usize].answered && self.reqs[r as usize].wl.is_some() {
                self.answer(r, Outcome::Elb502);
            }
            self.free_req(r);
        }
        let now = self.now;
        self.instances[inst as usize].release_all(now);
    }

    fn still_stopped(&self, inst: u32, generation: u32) -> bool {
        self.inst_gen[inst as usize] == generation
            && self.instances[inst as usize].stopped
            && self.instances[inst as usize].state == LifecycleState::InService
    }

    fn stopped_seen(&mut self, inst: u32, generation: u32) {
        if !self.still_stopped(inst, generation) {
            return;
        }
        let g = self.instances[inst as usize].asg as usize;
        let t = self.clock_text(self.now);
        let id = self.instances[inst as usize].ec2_id.clone();
        self.activities.push(
            Activity::new(
                self.now,
                self.groups[g].aws.name().to_string(),
                Act::Health,
                format!("Instance {id} marked Unhealthy"),
                format!("At {t} an EC2 health check indicating it has been terminated or stopped was reported."),
            )
            .with_details(format!(
                "the group's periodic health check found the stopped instance (health_check.stopped_detection); {SIMULATOR_WORDING}"
            )),
        );
    }

    fn stopped_terminate(&mut self, inst: u32, generation: u32) {
        if !self.still_stopped(inst, generation) {
            return;
        }
        let g = self.instances[inst as usize].asg as usize;
        if self.suspended(g, ScalingProcess::HealthCheck)
            || self.suspended(g, ScalingProcess::ReplaceUnhealthy)
            || self.suspended(g, ScalingProcess::Terminate)
        {
            return;
        }
        let t = self.clock_text(self.now);
        let id = self.instances[inst as usize].ec2_id.clone();
        let relaunch = self.fid.groups[g].relaunch;
        self.terminate_instance(
            inst,
            Why::new(
                format!("At {t} an instance was taken out of service in response to an EC2 health check indicating it has been terminated or stopped.  At {t} instance {id} was selected for termination."),
                "the instance was stopped (health_check.stopped_termination after the stop)",
            ),
        );
        self.q.push(
            self.now + relaunch,
            Ev::Fidelity {
                what: FidEv::StoppedRelaunch,
                a: g as u32,
                b: 0,
            },
        );
    }

    fn stopped_relaunch(&mut self, g: usize) {
        if (self.active_instances(g).len() as u32) >= self.groups[g].aws.desired() {
            return;
        }
        let t = self.clock_text(self.now);
        self.replacement_launch(
            g,
            format!("At {t} an instance was launched in response to an unhealthy instance needing to be replaced."),
        );
    }

    /// The instance entered InService: its application answers after
    /// `instance.app_start`.
    pub(super) fn app_starts(&mut self, inst: u32) {
        let g = self.instances[inst as usize].asg as usize;
        let f = &mut self.fid.groups[g];
        let d = f.app_start.sample(&mut f.app_rng);
        self.instances[inst as usize].app_ready_at = self.now + d;
    }

    /// Whether a group's ELB health check result may mark an instance
    /// unhealthy now: past its grace period (the initial fleet starts past
    /// it).
    pub(super) fn past_grace(&self, inst: u32, grace: SimTime) -> bool {
        let i = &self.instances[inst as usize];
        !recorded::in_grace_period(i.in_service_at, self.now, grace)
    }
}
