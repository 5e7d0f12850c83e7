//! The Auto Scaling side of the world: changing desired capacity, launching
//! and terminating instances to match it, draining, scheduled actions, and the
//! activity history in AWS's words.
//!
//! Ownership: a group is one [`Group`]. AWS's state of it is an
//! `aws::autoscaling::AsgState` whose fields are private (the capacity rules
//! and the run's InService range live there); the world changes it only
//! through its methods (`set_desired`, `update_constraints`, `on_launch`,
//! `on_in_service_change`, …), and the per-group state this world adds is
//! private to this file behind `Group`'s methods, except the parts owned by
//! one module each (`scaling`, `predictive`, `maint`) and the runtime `rt`.

use super::{Act, Activity, Ev, Outcome, SIMULATOR_WORDING, Why, World};
use crate::aws::ec2::{Instance, LifecycleState};
use crate::aws::elb::TargetHealth;
use crate::aws::scaling as rules;
use crate::aws::termination;
use crate::scenario::{HookResult, LifecycleHook, ScalingProcess, Transition};
use crate::sim::SimTime;
use rand::RngExt;

/// One Auto Scaling group: AWS's state of it (`aws::autoscaling::AsgState`)
/// and everything this world keeps per group beside it, in one place.
///
/// Who may touch what: `aws` is AWS's state, changed only through
/// `AsgState`'s methods (its own fields are private); `scaling`,
/// `predictive` and `maint` are each owned by the module of the same
/// purpose (`world::scaling`, `world::predictive`, `world::maintenance`)
/// and used nowhere else; `rt` is the group's configuration, samplers and
/// random streams, which the world reads and draws from (drawing needs
/// `&mut` to the stream, and a method per draw would add nothing). The rest
/// (zones down, rebalancing launches, the last not-scaled reason, the
/// series resource, the default cooldown, load tracking) is private to this
/// file behind the methods below.
pub(crate) struct Group {
    /// AWS's state: capacity, instances, counters.
    pub(super) aws: crate::aws::autoscaling::AsgState,
    /// What a request does on its instances, samplers and random streams.
    pub(super) rt: super::AsgRuntime,
    /// Its resource in the series.
    res: u32,
    /// Dynamic scaling: alarms, policies, cooldowns (`world::scaling`).
    pub(super) scaling: super::scaling::GroupScaling,
    /// The group's default cooldown.
    default_cooldown: crate::scenario::Duration,
    /// The last `not_scaled` reason not tied to one policy (one row per
    /// new reason).
    last_not_scaled: String,
    /// Per zone: the zone is down.
    az_down: Vec<bool>,
    /// Rebalancing launches not yet in service.
    rebalance_pending: Vec<u32>,
    /// Predictive scaling (`world::predictive`).
    pub(super) predictive: super::predictive::GroupPredictive,
    /// Health replacement, lifetime, refresh and warm pool
    /// (`world::maintenance`).
    pub(super) maint: super::maintenance::GroupMaintenance,
    /// Some load balancer of it routes by outstanding requests.
    load_tracked: bool,
}

impl Group {
    pub(super) fn new(
        sc: &crate::scenario::Scenario,
        g: &crate::scenario::AutoScalingGroup,
        rt: super::AsgRuntime,
        start_epoch: i64,
        res: u32,
    ) -> Group {
        Group {
            aws: crate::aws::autoscaling::AsgState::new(g),
            rt,
            res,
            scaling: super::scaling::GroupScaling::new(sc, g, start_epoch),
            default_cooldown: g.default_cooldown,
            last_not_scaled: String::new(),
            az_down: vec![false; g.availability_zones.len().max(1)],
            rebalance_pending: Vec::new(),
            predictive: super::predictive::GroupPredictive::new(g),
            maint: super::maintenance::GroupMaintenance::new(g),
            load_tracked: false,
        }
    }

    /// Attach load balancer `lb` (its target group) to the group;
    /// `tracks_load`: it routes by outstanding requests, so the group's
    /// instances report their load changes to it.
    pub(super) fn attach_lb(&mut self, lb: u32, tracks_load: bool) {
        self.aws.attach_lb(lb);
        self.load_tracked |= tracks_load;
    }

    /// Some load balancer of the group routes by outstanding requests.
    pub(super) fn load_tracked(&self) -> bool {
        self.load_tracked
    }

    /// The group's resource in the series.
    pub(super) fn res(&self) -> u32 {
        self.res
    }

    /// The group's default cooldown.
    pub(super) fn default_cooldown(&self) -> crate::scenario::Duration {
        self.default_cooldown
    }

    /// Zone `z` failed (`true`) or recovered (`false`).
    pub(super) fn set_zone_down(&mut self, z: usize, down: bool) {
        self.az_down[z] = down;
    }

    /// Zone `z` is down.
    pub(super) fn zone_down(&self, z: usize) -> bool {
        self.az_down[z]
    }

    /// Per zone: it can take launches (it is not down).
    pub(super) fn zones_available(&self) -> Vec<bool> {
        self.az_down.iter().map(|d| !d).collect()
    }

    /// Some zone is up.
    pub(super) fn any_zone_up(&self) -> bool {
        self.az_down.iter().any(|d| !d)
    }

    /// A rebalancing step is under way (its launch is not yet in service).
    pub(super) fn rebalancing(&self) -> bool {
        !self.rebalance_pending.is_empty()
    }

    /// A rebalancing launch started.
    pub(super) fn rebalance_launched(&mut self, inst: u32) {
        self.rebalance_pending.push(inst);
    }

    /// `inst` is in service (or gone): true when it was a rebalancing
    /// launch, which is then done.
    pub(super) fn rebalance_landed(&mut self, inst: u32) -> bool {
        match self.rebalance_pending.iter().position(|&i| i == inst) {
            Some(k) => {
                self.rebalance_pending.swap_remove(k);
                true
            }
            None => false,
        }
    }

    /// A group-wide not-scaled reason: true when it differs from the last
    /// one (one row per new reason, not one per minute).
    pub(super) fn note_not_scaled(&mut self, key: String) -> bool {
        if self.last_not_scaled == key {
            return false;
        }
        self.last_not_scaled = key;
        true
    }
}

impl World {
    /// Instances that count toward the group's capacity (not terminating).
    pub(crate) fn active_instances(&self, g: usize) -> Vec<u32> {
        self.groups[g]
            .aws
            .instances()
            .iter()
            .copied()
            .filter(|&i| {
                matches!(
                    self.instances[i as usize].state,
                    LifecycleState::Pending
                        | LifecycleState::PendingWait
                        | LifecycleState::InService
                )
            })
            .collect()
    }

    /// Change a group's desired capacity (one `scaling` activity) and launch
    /// or terminate instances to match. `reason` is AWS's first cause clause,
    /// e.g. "At … a monitor alarm … triggered policy … changing the desired
    /// capacity from 2 to 3."
    pub(crate) fn set_desired(&mut self, g: usize, new: u32, reason: String) {
        if self.change_desired(g, new, &reason) {
            self.reconcile(g, &reason);
        }
    }

    /// Only the change of desired capacity and its `scaling` row; false when
    /// it does not change.
    pub(crate) fn change_desired(&mut self, g: usize, new: u32, reason: &str) -> bool {
        let Some((old, new)) = self.groups[g].aws.set_desired(new) else {
            return false;
        };
        self.activities.push(Activity::new(
            self.now,
            self.groups[g].aws.name().to_string(),
            Act::Scaling { from: old, to: new },
            format!("Changing the desired capacity from {old} to {new}"),
            reason.to_string(),
        ));
        true
    }

    /// Launch or terminate until the active instances match desired capacity.
    pub(crate) fn reconcile(&mut self, g: usize, reason: &str) {
        let active = self.active_instances(g);
        let have = active.len() as u32;
        let want = self.groups[g].aws.desired();
        let t = self.clock_text(self.now);
        if want > have {
            if self.suspended(g, ScalingProcess::Launch) {
                self.process_suspended(
                    g,
                    "Launch",
                    &format!("the group cannot launch instances to go from {have} to {want}"),
                );
                return;
            }
            for _ in have..want {
                let cause = format!(
                    "{reason}  At {t} an instance was started in response to a difference between desired and actual capacity, increasing the capacity from {have} to {want}."
                )
                .trim_start()
                .to_string();
                // A warm pool's prepared instances go first (a warm start).
                if self.take_from_warm_pool(g, &cause).is_none() {
                    self.launch_instance(g, cause);
                }
            }
        } else if want < have {
            if self.suspended(g, ScalingProcess::Terminate) {
                self.process_suspended(
                    g,
                    "Terminate",
                    &format!("the group cannot terminate instances to go from {have} to {want}"),
                );
                return;
            }
            for _ in want..have {
                let Some((victim, why)) = self.choose_victim(g) else {
                    break;
                };
                let id = self.instances[victim as usize].ec2_id.clone();
                let cause = format!(
                    "{reason}  At {t} an instance was taken out of service in response to a difference between desired and actual capacity, shrinking the capacity from {have} to {want}.  At {t} instance {id} was selected for termination."
                );
                self.terminate_instance(
                    victim,
                    Why::new(cause, format!("termination policy step: {why}")),
                );
            }
        }
        self.maintain_warm_pool(g);
    }

    /// A `suspended` row: a process the group would have run is suspended
    /// (`ASG:understand-how-suspending-processes-affects-other-processes`).
    pub(super) fn process_suspended(&mut self, g: usize, process: &str, what: &str) {
        let t = self.clock_text(self.now);
        self.activities.push(
            Activity::new(
                self.now,
                self.groups[g].aws.name().to_string(),
                Act::Suspended,
                format!("The {process} process is suspended"),
                format!("At {t} {what}, but its {process} process is suspended."),
            )
            .with_details(SIMULATOR_WORDING),
        );
    }

    /// Which instance a scale-in removes, and the rule that decided it, by
    /// the group's termination policies (`crate::aws::termination`).
    fn choose_victim(&mut self, g: usize) -> Option<(u32, String)> {
        self.choose_victim_in(g, None)
    }

    /// The same, among the instances of one zone when `az` is given.
    pub(super) fn choose_victim_in(&mut self, g: usize, az: Option<u32>) -> Option<(u32, String)> {
        let active: Vec<u32> = self
            .active_instances(g)
            .into_iter()
            .filter(|&i| az.is_none_or(|z| self.instances[i as usize].az == z))
            .collect();
        let nazs = self.groups[g].aws.zone_count();
        let mut az_counts = vec![0u32; nazs];
        let mut cands = Vec::with_capacity(active.len());
        for &i in &active {
            let inst = &self.instances[i as usize];
            az_counts[inst.az as usize] += 1;
            cands.push(termination::Candidate {
                index: i,
                az: inst.az,
                launched_at_ns: inst.launched_at,
                lt_version: inst.lt_version,
                // One template per group here: older versions of the current
                // template, not other templates (OldestLaunchTemplate then
                // picks the oldest version first).
                launch: termination::LaunchSource::CurrentTemplate,
                protected: inst.protected,
                // Instances marked unhealthy go first (WE-07 i).
                healthy: !self.is_marked_unhealthy(g, i),
                spot: self.groups[g].rt.spec.market == crate::scenario::Market::Spot,
            });
        }
        let random: u64 = self.groups[g].rt.term_rng.random();
        let ctx = termination::ScaleIn {
            now: self.now,
            az_counts: &az_counts,
            policies: &self.groups[g].rt.termination,
            terminate_spot: None,
        };
        termination::choose_instance_to_terminate(&cands, &ctx, random)
            .map(|d| (d.index, d.rule.to_string()))
    }

    /// How many of `instances` stand in each of the group's zones.
    pub(super) fn per_az(&self, g: usize, instances: &[u32]) -> Vec<u32> {
        let mut per_az = vec![0u32; self.groups[g].aws.zone_count()];
        for &i in instances {
            per_az[self.instances[i as usize].az as usize] += 1;
        }
        per_az
    }

    /// Start a new instance in the available zone with the fewest instances.
    pub(super) fn launch_instance(&mut self, g: usize, cause: String) {
        self.launch_instance_in(g, None, cause);
    }

    /// Start a new instance, in `az` or else in the available zone with the
    /// fewest instances; None when every zone is down.
    pub(super) fn launch_instance_in(
        &mut self,
        g: usize,
        az: Option<u32>,
        cause: String,
    ) -> Option<u32> {
        self.launch_into(g, az, cause, false)
    }

    /// Start a new instance into the group (InService after boot) or into
    /// its warm pool (Warmed:Pending, then the pool's state).
    pub(super) fn launch_into(
        &mut self,
        g: usize,
        az: Option<u32>,
        cause: String,
        into_pool: bool,
    ) -> Option<u32> {
        if self.suspended(g, ScalingProcess::Launch) {
            return None;
        }
        let forced = az.is_some();
        let mut per_az = self.per_az(g, &self.active_instances(g));
        let failed_now = self.failed_shares_now(g, per_az.len());
        for (n, failed) in per_az.iter_mut().zip(failed_now) {
            *n += failed;
        }
        let available = self.groups[g].zones_available();
        let az = match az.or_else(|| termination::az_with_fewest_instances(&per_az, &available)) {
            Some(z) => z,
            None => {
                let t = self.clock_text(self.now);
                self.activities.push(Activity::new(
                    self.now,
                    self.groups[g].aws.name().to_string(),
                    Act::LaunchFailed,
                    "Launching a new EC2 instance.  Status Reason: no Availability Zone of the group is available. Launching EC2 instance failed.",
                    format!("At {t} an instance launch was attempted, but every Availability Zone of the group is down."),
                ).with_details("every Availability Zone of the group is down (a zone outage fault)"));
                return None;
            }
        };
        if !into_pool && self.launch_fails(g, az, &cause) {
            return self.launch_elsewhere(g, forced, cause);
        }
        let id = self.new_instance_id(g);
        let idx = self.instances.len() as u32;
        let version = self.groups[g].aws.launch_template_version();
        let mut inst = Instance::new(
            id.clone(),
            g as u32,
            az,
            &self.groups[g].rt.spec,
            version,
            self.now,
        );
        inst.protected = self.groups[g].rt.protect_new;
        if into_pool {
            inst.state = LifecycleState::WarmedPending;
        }
        self.instances.push(inst);
        self.inst_gen.push(0);
        self.groups[g].aws.on_launch(idx);
        let into = if into_pool { " into warm pool" } else { "" };
        let row = Activity::new(
            self.now,
            self.groups[g].aws.name().to_string(),
            Act::Launch,
            format!("Launching a new EC2 instance{into}: {id}"),
            cause,
        );
        self.activities.push(if into_pool {
            row.with_details(SIMULATOR_WORDING)
        } else {
            row
        });
        let rt = &mut self.groups[g].rt;
        let boot = rt.boot.sample(&mut rt.boot_rng);
        self.q.push(
            self.now + boot,
            Ev::InstanceBooted {
                inst: idx,
                generation: 0,
            },
        );
        Some(idx)
    }

    /// Boot finished: the instance enters InService and registers with the
    /// group's load balancers.
    #[inline(never)]
    pub(crate) fn on_instance_booted(&mut self, inst: u32) {
        match self.instances[inst as usize].state {
            LifecycleState::Pending => {}
            LifecycleState::WarmedPending => return self.warm_pool_booted(inst),
            _ => return,
        }
        let g = self.instances[inst as usize].asg as usize;
        if let Some((after, proceed, hook)) = self.run_hooks(g, Transition::Launching) {
            // Launch lifecycle hooks hold the instance in Pending:Wait.
            self.wait_for_hooks(inst, LifecycleState::PendingWait, &hook, after, proceed);
            return;
        }
        self.enter_service(inst);
    }

    /// Run a transition's lifecycle hooks: how long until they are all done,
    /// whether the instance proceeds (CONTINUE) or is abandoned, and the hook
    /// that decided, with how its wait ended. Each hook completes after
    /// `completes_after`, or times out with its default result (ABANDON
    /// unless set): `heartbeat_timeout` after its start or its action's last
    /// heartbeat, never past the global timeout (WE-11); the first ABANDON
    /// decides, otherwise the last CONTINUE (`ASG:lifecycle-hooks`).
    pub(super) fn run_hooks(
        &mut self,
        g: usize,
        transition: Transition,
    ) -> Option<(SimTime, bool, String)> {
        let hooks: Vec<LifecycleHook> = self.groups[g]
            .rt
            .hooks
            .iter()
            .filter(|h| h.transition == transition)
            .cloned()
            .collect();
        if hooks.is_empty() {
            return None;
        }
        let mut last_continue = (0, String::new());
        let mut first_abandon: Option<(SimTime, String)> = None;
        for h in &hooks {
            let done = h.completes_after.as_ref().map(|d| {
                let rt = &mut self.groups[g].rt;
                d.sampler().sample(&mut rt.hook_rng)
            });
            let (times_out, why) = rules::lifecycle_hook_times_out_at(
                h.heartbeat_timeout,
                h.heartbeat_every,
                h.heartbeats,
            );
            let (t, result, how) = match done {
                Some(t) if t < times_out => (t, HookResult::Continue, "completed"),
                _ => (
                    times_out,
                    h.default_result,
                    match why {
                        rules::HookTimeout::Heartbeat => "heartbeat timeout",
                        rules::HookTimeout::Global => "global timeout",
                    },
                ),
            };
            let label = format!("{} ({how})", h.name);
            match result {
                HookResult::Continue => {
                    if t >= last_continue.0 {
                        last_continue = (t, label);
                    }
                }
                HookResult::Abandon => {
                    if first_abandon.as_ref().is_none_or(|a| t < a.0) {
                        first_abandon = Some((t, label));
                    }
                }
            }
        }
        Some(match first_abandon {
            Some((t, name)) => (t, false, name),
            None => (last_continue.0, true, last_continue.1),
        })
    }

    /// Hold an instance in Pending:Wait or Terminating:Wait until its hooks
    /// are done (`after` from now), with a `lifecycle` row.
    pub(super) fn wait_for_hooks(
        &mut self,
        inst: u32,
        state: LifecycleState,
        hook: &str,
        after: SimTime,
        proceed: bool,
    ) {
        self.set_state(inst, state);
        let g = self.instances[inst as usize].asg as usize;
        let id = self.instances[inst as usize].ec2_id.clone();
        let until = self.clock_text(self.now + after);
        let result = if proceed { "CONTINUE" } else { "ABANDON" };
        self.activities.push(
            Activity::new(
                self.now,
                self.groups[g].aws.name().to_string(),
                Act::Lifecycle,
                format!("Instance {id} entered {}", state.aws_name()),
                format!("The lifecycle hook {hook} completes at {until} with result {result}."),
            )
            .with_details(format!("lifecycle hook {hook}; {SIMULATOR_WORDING}")),
        );
        let generation = self.inst_gen[inst as usize];
        self.q.push(
            self.now + after,
            Ev::HookDone {
                inst,
                generation,
                proceed,
            },
        );
    }

    /// Terminate an instance at once, without draining (it failed, or its
    /// launch was abandoned): a `terminate` row, requests on it cut off.
    pub(super) fn terminate_now(&mut self, inst: u32, why: impl Into<Why>) {
        let why = why.into();
        let g = self.instances[inst as usize].asg as usize;
        let id = self.instances[inst as usize].ec2_id.clone();
        self.activities.push(
            Activity::new(
                self.now,
                self.groups[g].aws.name().to_string(),
                Act::Terminate,
                format!("Terminating EC2 instance: {id}"),
                why.aws,
            )
            .with_details(why.details),
        );
        self.set_state(inst, LifecycleState::Terminating);
        self.finish_termination(inst);
    }

    /// A transition's lifecycle hooks are done.
    #[inline(never)]
    pub(super) fn on_hook_done(&mut self, inst: u32, generation: u32, proceed: bool) {
        if self.inst_gen[inst as usize] != generation {
            return;
        }
        match self.instances[inst as usize].state {
            LifecycleState::PendingWait if proceed => self.enter_service(inst),
            LifecycleState::PendingWait => {
                // ABANDON on launch: the group terminates the instance and
                // launches another in its place.
                let t = self.clock_text(self.now);
                let g = self.instances[inst as usize].asg as usize;
                self.terminate_now(
                    inst,
                    format!("At {t} an instance was taken out of service because its launch lifecycle hook completed with result ABANDON."),
                );
                self.replacement_launch(
                    g,
                    format!("At {t} an instance was started in response to a difference between desired and actual capacity (the previous launch was abandoned by its lifecycle hook)."),
                );
            }
            LifecycleState::WarmedPendingWait if proceed => self.enter_warm_pool(inst),
            LifecycleState::WarmedPendingWait => {
                // ABANDON on the way into the pool: terminated, and the
                // pool launches another.
                let t = self.clock_text(self.now);
                let g = self.instances[inst as usize].asg as usize;
                self.terminate_now(
                    inst,
                    format!("At {t} an instance was taken out of the warm pool because its launch lifecycle hook completed with result ABANDON."),
                );
                self.maintain_warm_pool(g);
            }
            LifecycleState::TerminatingWait => self.terminated(inst),
            _ => {}
        }
    }

    /// The instance enters InService: it registers with the group's load
    /// balancers (as `initial`, until it passes a health check).
    fn enter_service(&mut self, inst: u32) {
        self.set_state(inst, LifecycleState::InService);
        let i = &mut self.instances[inst as usize];
        i.in_service_at = Some(self.now);
        i.reset_accounting(self.now);
        let (g, az) = (i.asg as usize, i.az);
        self.app_starts(inst);
        self.launch_done_at_in_service(g, inst);
        self.rebalance_progress(g, inst);
        self.lifetime_starts(g);
        self.arm_spot_rate(inst);
        self.consumer_started(inst);
        if self.suspended(g, ScalingProcess::AddToLoadBalancer) {
            return;
        }
        for lb in self.groups[g].aws.lbs().to_vec() {
            // A new target is `initial` until it passes a health check.
            self.lbs[lb as usize]
                .aws
                .register(inst, az, TargetHealth::Initial, self.now);
            self.load_changed(inst);
            self.start_health_checks(lb, inst);
        }
    }

    /// Take an instance out of service: deregister it (no new requests), let
    /// its in-flight requests finish for up to the deregistration delay, then
    /// terminate it.
    pub(crate) fn terminate_instance(&mut self, inst: u32, why: impl Into<Why>) {
        let why = why.into();
        let g = self.instances[inst as usize].asg as usize;
        let was_pending = matches!(
            self.instances[inst as usize].state,
            LifecycleState::Pending
                | LifecycleState::WarmedPending
                | LifecycleState::WarmedPendingWait
                | LifecycleState::Warmed(_)
        );
        self.set_state(inst, LifecycleState::Terminating);
        self.consumer_stopped(inst);
        let id = self.instances[inst as usize].ec2_id.clone();
        self.activities.push(
            Activity::new(
                self.now,
                self.groups[g].aws.name().to_string(),
                Act::Terminate,
                format!("Terminating EC2 instance: {id}"),
                why.aws,
            )
            .with_details(why.details),
        );
        let mut delay: SimTime = 0;
        for lb in self.groups[g].aws.lbs().to_vec() {
            let l = &mut self.lbs[lb as usize].aws;
            if l.drain(inst) {
                delay = delay.max(l.deregistration_delay());
            }
        }
        let busy = {
            let i = &self.instances[inst as usize];
            i.busy > 0 || !i.waiting.is_empty()
        };
        if was_pending || !busy || delay == 0 {
            self.finish_termination(inst);
        } else {
            let generation = self.inst_gen[inst as usize];
            self.q
                .push(self.now + delay, Ev::DrainTimeout { inst, generation });
        }
    }

    /// Called when a terminating instance may have drained.
    pub(crate) fn maybe_drained(&mut self, inst: u32) {
        let i = &self.instances[inst as usize];
        if i.state == LifecycleState::Standby {
            return self.standby_drained(inst, false);
        }
        if i.state == LifecycleState::Terminating && i.busy == 0 && i.waiting.is_empty() {
            self.finish_termination(inst);
        }
    }

    #[inline(never)]
    pub(crate) fn on_drain_timeout(&mut self, inst: u32, generation: u32) {
        if self.inst_gen[inst as usize] == generation
            && self.instances[inst as usize].state == LifecycleState::Terminating
        {
            self.finish_termination(inst);
        }
    }

    /// The instance is gone: requests still on it are cut off (the load
    /// balancer answers 502), billing stops.
    pub(super) fn finish_termination(&mut self, inst: u32) {
        self.inst_gen[inst as usize] = self.inst_gen[inst as usize].wrapping_add(1);
        let now = self.now;
        self.consumer_stopped(inst);
        // Requests still queued or in service on it.
        let mut cut: Vec<u32> = self.instances[inst as usize].waiting.drain(..).collect();
        for (r, q) in self.reqs.iter().enumerate() {
            if q.live && q.inst.is(inst) && !cut.contains(&(r as u32)) {
                cut.push(r as u32);
            }
        }
        for r in cut {
            // Requests still running when the deregistration delay elapses
            // get a 502 (`ALB:load-balancer-target-groups`).
            if !self.reqs[r as usize].answered && self.reqs[r as usize].wl.is_some() {
                self.answer(r, Outcome::Elb502);
            }
            self.free_req(r);
        }
        let g = self.instances[inst as usize].asg as usize;
        for lb in self.groups[g].aws.lbs().to_vec() {
            self.lbs[lb as usize].aws.deregister(inst);
        }
        self.instances[inst as usize].release_all(now);
        self.load_changed(inst);
        let g = self.instances[inst as usize].asg as usize;
        // The cooldown starts when deregistration ends, not after the
        // termination hook (`ASG:ec2-auto-scaling-scaling-cooldowns`).
        self.scaling_activity_done(g, inst);
        if let Some((after, _, hook)) = self.run_hooks(g, Transition::Terminating) {
            self.wait_for_hooks(inst, LifecycleState::TerminatingWait, &hook, after, true);
        } else {
            self.terminated(inst);
        }
    }

    /// The instance is gone; billing stops.
    fn terminated(&mut self, inst: u32) {
        self.set_state(inst, LifecycleState::Terminated);
        let i = &mut self.instances[inst as usize];
        i.terminated_at = Some(self.now);
        let g = i.asg as usize;
        self.groups[g].aws.on_terminated();
    }

    /// Schedule the next run of a recurring (cron) action after `from`, if
    /// before the end.
    pub(super) fn schedule_recurrence(&mut self, g: usize, idx: usize, from: SimTime) {
        let Some(expr) = self.groups[g].rt.scheduled[idx].recurrence.clone() else {
            return;
        };
        let Some(cron) = crate::aws::autoscaling::cron::Cron::parse(&expr) else {
            return;
        };
        let from_s = self.start_epoch + (from / 1_000_000_000) as i64;
        let Some(next) = cron.next_after(from_s) else {
            return;
        };
        let at = (next - self.start_epoch).max(0) as u64 * 1_000_000_000;
        let rt = &mut self.groups[g].rt;
        let late = rt.scheduled_delay.sample(&mut rt.sched_rng);
        if at <= self.end {
            self.q.push(
                at + late,
                Ev::ScheduledAction {
                    g: g as u32,
                    idx: idx as u32,
                },
            );
        }
    }

    /// A scheduled action runs: new min, max and desired capacity.
    #[inline(never)]
    pub(crate) fn on_scheduled_action(&mut self, g: usize, idx: usize) {
        let a = self.groups[g].rt.scheduled[idx].clone();
        if a.recurrence.is_some() {
            // Its next run counts from its nominal minute, not from the delay.
            let nominal = self.now - self.now % 60_000_000_000;
            self.schedule_recurrence(g, idx, nominal);
        }
        if self.suspended(g, ScalingProcess::ScheduledActions) {
            let what = format!("the scheduled action {} was due", a.name);
            self.process_suspended(g, "ScheduledActions", &what);
            return;
        }
        let grp = &mut self.groups[g].aws;
        let old = grp.desired();
        if let Some(v) = a.launch_template_version {
            grp.set_launch_template_version(v);
        }
        let new = grp.update_constraints(a.min, a.max, a.desired);
        let t = self.clock_text(self.now);
        let mut parts = Vec::new();
        if let Some(m) = a.min {
            parts.push(format!("min: {m}"));
        }
        if let Some(m) = a.max {
            parts.push(format!("max: {m}"));
        }
        if let Some(d) = a.desired {
            parts.push(format!("desired: {d}"));
        }
        let reason = format!(
            "At {t} a scheduled action update of AutoScalingGroup constraints to {} changing the desired capacity from {old} to {new}.",
            parts.join(", ")
        );
        if new != old {
            self.set_desired(g, new, reason);
        } else {
            // A new max changes the warm pool's size.
            self.maintain_warm_pool(g);
        }
    }

    /// The load balancer marked an instance unhealthy: a group with ELB
    /// health checks marks it Unhealthy once its grace period is over, and
    /// replaces it at the pace of `World::replace_unhealthy`
    /// (`ASG:ec2-auto-scaling-health-checks`).
    pub(crate) fn elb_health_says_unhealthy(&mut self, inst: u32) {
        let i = &self.instances[inst as usize];
        let g = i.asg as usize;
        let rt = &self.groups[g].rt;
        // A stopped instance is the EC2 health check's (`world::fidelity`).
        if !rt.elb_health
            || i.stopped
            || !self.past_grace(inst, rt.grace)
            || i.state != LifecycleState::InService
        {
            return;
        }
        self.mark_unhealthy(inst, "an ELB system health check failure");
    }
}
