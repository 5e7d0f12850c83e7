//! The group's own upkeep, outside scaling policies: replacing unhealthy
//! instances at the documented pace (WE-15), maximum instance lifetime,
//! instance refresh (WE-16) and the warm pool (WE-10).
//!
//! All of it runs in one place, the group's periodic sweep
//! (`Ev::GroupSweep`), which Auto Scaling's own documentation describes as
//! its "periodic health check": each sweep looks at the group afresh, acts,
//! and arms the next sweep only when there is something left to do — a
//! group with none of these features never gets a sweep event.

use super::{Act, Activity, Ev, SIMULATOR_WORDING, Why, World};
use crate::aws::ec2::LifecycleState;
use crate::aws::scaling as rules;
use crate::scenario::{AutoScalingGroup, PoolState, ScalingProcess};
use crate::sim::SimTime;
use crate::sim::rng::Sampler;

const NS: SimTime = 1_000_000_000;

/// An instance refresh in progress.
#[derive(Clone, Debug)]
struct Refresh {
    at: SimTime,
    min_healthy: f64,
    max_healthy: f64,
    warmup: SimTime,
    to_version: Option<u32>,
    state: RefreshState,
    /// Replacements launched and not yet past warm-up.
    new: Vec<u32>,
    /// Launch-first batches (max healthy > 100 %): old instances still to
    /// terminate once the new ones are ready.
    owed: u32,
    replaced: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum RefreshState {
    NotStarted,
    Running,
    Done,
}

/// A warm pool's settings.
#[derive(Clone, Debug)]
struct Pool {
    min_size: u32,
    max_prepared: Option<u32>,
    state: PoolState,
    resume: Sampler,
}

/// A group's upkeep state.
pub(crate) struct GroupMaintenance {
    interval: SimTime,
    /// The next sweep already queued.
    armed: Option<SimTime>,
    /// Instances Auto Scaling marked unhealthy, still in service, with
    /// the failed check in AWS's words ("an ELB system health check failure").
    unhealthy: Vec<(u32, &'static str)>,
    /// Replacements of unhealthy instances not yet past warm-up.
    replacing: Vec<u32>,
    /// The group's instance warm-up (default instance warm-up, else its
    /// cooldown), which replacement batches wait for.
    warmup: SimTime,
    lifetime: Option<SimTime>,
    lifetime_replacing: Vec<u32>,
    refresh: Option<Refresh>,
    pool: Option<Pool>,
}

impl GroupMaintenance {
    pub(crate) fn new(g: &AutoScalingGroup) -> GroupMaintenance {
        // Auto Scaling's periodic health check interval: the documentation
        // says only "periodically" and "at the next periodic health check"
        // (`ASG:ec2-auto-scaling-health-checks`); `health_check.interval`.
        let warmup =
            rules::effective_instance_warmup(None, g.default_instance_warmup, g.default_cooldown);
        GroupMaintenance {
            interval: g.health_check.interval.0.max(NS),
            armed: None,
            unhealthy: Vec::new(),
            replacing: Vec::new(),
            warmup: warmup.0,
            lifetime: g.max_instance_lifetime.map(|d| d.0).filter(|&d| d > 0),
            lifetime_replacing: Vec::new(),
            refresh: g.instance_refresh.as_ref().map(|r| Refresh {
                at: r.at.0,
                min_healthy: r.min_healthy_percentage,
                max_healthy: r.max_healthy_percentage,
                warmup: rules::instance_refresh_warmup(
                    r.instance_warmup,
                    g.default_instance_warmup,
                    g.health_check.grace_period,
                )
                .0,
                to_version: r.launch_template_version,
                state: RefreshState::NotStarted,
                new: Vec::new(),
                owed: 0,
                replaced: 0,
            }),
            pool: g.warm_pool.as_ref().map(|w| Pool {
                min_size: w.min_size,
                max_prepared: w.max_group_prepared_capacity,
                state: w.pool_state,
                resume: (w.resume_time.as_ref().unwrap_or(
                    &crate::scenario::DurationDist::Constant(crate::scenario::Duration::secs(
                        match w.pool_state {
                            PoolState::Running => 0,
                            PoolState::Stopped | PoolState::Hibernated => 30,
                        },
                    )),
                ))
                .sampler(),
            }),
        }
    }
}

impl World {
    /// Arm the first sweep of each group that needs one, and fill warm pools.
    pub(super) fn maintenance_start(&mut self) {
        for g in 0..self.groups.len() {
            self.fill_initial_warm_pool(g);
            self.arm_next_sweep(g);
        }
    }

    /// Queue a sweep at `at` unless one is queued earlier.
    fn arm_sweep(&mut self, g: usize, at: SimTime) {
        if at > self.end {
            return;
        }
        let m = &mut self.groups[g].maint;
        if m.armed.is_none_or(|a| at < a) {
            m.armed = Some(at);
            self.q.push(at, Ev::GroupSweep { g: g as u32 });
        }
    }

    /// The next sweep: soon while replacements, a refresh or the warm pool
    /// have work left, else when the next instance reaches its maximum
    /// lifetime or the refresh is due.
    fn arm_next_sweep(&mut self, g: usize) {
        let now = self.now;
        let m = &self.groups[g].maint;
        let next_tick = (now / m.interval + 1) * m.interval;
        let busy = !m.unhealthy.is_empty()
            || !m.replacing.is_empty()
            || !m.lifetime_replacing.is_empty()
            || m.refresh
                .as_ref()
                .is_some_and(|r| r.state == RefreshState::Running);
        let mut at = busy.then_some(next_tick);
        if let Some(r) = &m.refresh
            && r.state == RefreshState::NotStarted
        {
            at = Some(at.map_or(r.at, |a| a.min(r.at)));
        }
        if let Some(life) = m.lifetime {
            let due = self.groups[g]
                .aws
                .instances()
                .iter()
                .filter(|&&i| self.instances[i as usize].state == LifecycleState::InService)
                .map(|&i| self.in_service_since(i) + life)
                .min();
            if let Some(d) = due {
                // Checked at the periodic health check after it is due.
                let d = d.max(now + 1).div_ceil(m.interval) * m.interval;
                at = Some(at.map_or(d, |a| a.min(d)));
            }
        }
        if let Some(at) = at {
            self.arm_sweep(g, at);
        }
    }

    /// The group's periodic sweep.
    #[inline(never)]
    pub(super) fn on_group_sweep(&mut self, g: usize) {
        if self.groups[g].maint.armed != Some(self.now) {
            return; // superseded by an earlier sweep
        }
        self.groups[g].maint.armed = None;
        self.replace_unhealthy(g);
        self.replace_at_max_lifetime(g);
        self.instance_refresh_step(g);
        self.refill_shortfall(g);
        self.maintain_warm_pool(g);
        self.arm_next_sweep(g);
    }

    /// Auto Scaling keeps the group at its desired capacity: a shortfall
    /// (a launch that failed while every zone was down, or suspended) is
    /// made up at the next sweep when a zone is available.
    fn refill_shortfall(&mut self, g: usize) {
        let have = self.active_instances(g).len() as u32;
        if have < self.groups[g].aws.desired()
            && self.groups[g].any_zone_up()
            && !self.suspended(g, ScalingProcess::Launch)
        {
            let t = self.clock_text(self.now);
            self.reconcile(
                g,
                &format!("At {t} the group was below its desired capacity."),
            );
        }
    }

    /// Whether an instance is in service and past `warmup`.
    fn ready(&self, inst: u32, warmup: SimTime) -> bool {
        let i = &self.instances[inst as usize];
        i.state == LifecycleState::InService
            && i.in_service_at
                .is_some_and(|t| t == 0 || t + warmup <= self.now)
    }

    /// Still on its way to being ready (launching, booting, warming up).
    fn on_its_way(&self, inst: u32, warmup: SimTime) -> bool {
        let i = &self.instances[inst as usize];
        matches!(
            i.state,
            LifecycleState::Pending | LifecycleState::PendingWait | LifecycleState::InService
        ) && !self.ready(inst, warmup)
    }

    /// InService instances of the group past warm-up.
    fn ready_count(&self, g: usize, warmup: SimTime) -> u32 {
        self.groups[g]
            .aws
            .instances()
            .iter()
            .filter(|&&i| self.ready(i, warmup))
            .count() as u32
    }

    /// Whether Auto Scaling has marked the instance unhealthy.
    pub(super) fn is_marked_unhealthy(&self, g: usize, inst: u32) -> bool {
        self.groups[g].maint.unhealthy.iter().any(|u| u.0 == inst)
    }

    /// Launch a replacement: from the warm pool when it has an instance
    /// (AWS draws on the pool for any launch toward desired capacity),
    /// else a new instance.
    pub(super) fn replacement_launch(&mut self, g: usize, cause: String) -> Option<u32> {
        match self.take_from_warm_pool(g, &cause) {
            Some(i) => Some(i),
            None => self.launch_instance_in(g, None, cause),
        }
    }

    /// An instance entered service: when the group has a maximum instance
    /// lifetime, a sweep is due when it reaches it.
    pub(super) fn lifetime_starts(&mut self, g: usize) {
        if let Some(life) = self.groups[g].maint.lifetime {
            let i = self.groups[g].maint.interval;
            self.arm_sweep(g, (self.now + life).div_ceil(i) * i);
        }
    }

    // ------------------------------------------------ unhealthy (WE-15)

    /// Auto Scaling marks an instance unhealthy (an ELB health check or an
    /// EC2 status check failed): the replacement waits for the next periodic
    /// health check and the documented pacing. `ASG:ec2-auto-scaling-health-checks`.
    pub(super) fn mark_unhealthy(&mut self, inst: u32, check: &'static str) {
        let g = self.instances[inst as usize].asg as usize;
        if self.suspended(g, ScalingProcess::HealthCheck)
            || self.instances[inst as usize].state != LifecycleState::InService
            || self.groups[g].maint.unhealthy.iter().any(|u| u.0 == inst)
        {
            return;
        }
        self.groups[g].maint.unhealthy.push((inst, check));
        let t = self.clock_text(self.now);
        let id = self.instances[inst as usize].ec2_id.clone();
        self.activities.push(
            Activity::new(
                self.now,
                self.groups[g].aws.name().to_string(),
                Act::Health,
                format!("Instance {id} marked Unhealthy"),
                format!("At {t} {check} was reported."),
            )
            .with_details(format!(
                "the group replaces the instance from its next periodic health check on; {SIMULATOR_WORDING}"
            )),
        );
        let next = (self.now / self.groups[g].maint.interval + 1) * self.groups[g].maint.interval;
        self.arm_sweep(g, next);
    }

    /// Replace unhealthy instances the way Auto Scaling minimises downtime:
    /// while the group is at or below 90 % of desired capacity in ready
    /// instances it waits; otherwise it replaces at most 10 % of desired
    /// capacity at a time (one when that is below one), and the next batch
    /// waits until the previous replacements are in service and warmed up
    /// (WE-15). Termination and the replacement's launch start together.
    /// `ASG:ec2-auto-scaling-health-checks` ("How Amazon EC2 Auto Scaling
    /// minimizes downtime"); suspending ReplaceUnhealthy or Terminate stops
    /// it, suspending Launch terminates without replacing
    /// (`ASG:understand-how-suspending-processes-affects-other-processes`).
    fn replace_unhealthy(&mut self, g: usize) {
        let warmup = self.groups[g].maint.warmup;
        let unhealthy: Vec<(u32, &'static str)> = self.groups[g]
            .maint
            .unhealthy
            .iter()
            .copied()
            .filter(|&(i, _)| self.instances[i as usize].state == LifecycleState::InService)
            .collect();
        self.groups[g].maint.unhealthy = unhealthy;
        let replacing: Vec<u32> = self.groups[g]
            .maint
            .replacing
            .iter()
            .copied()
            .filter(|&i| self.on_its_way(i, warmup))
            .collect();
        self.groups[g].maint.replacing = replacing;
        if self.groups[g].maint.unhealthy.is_empty()
            || self.suspended(g, ScalingProcess::ReplaceUnhealthy)
            || self.suspended(g, ScalingProcess::Terminate)
        {
            return;
        }
        let desired = self.groups[g].aws.desired();
        let ready = self.ready_count(g, warmup);
        if !rules::unhealthy_replacement_may_proceed(ready, desired, false) {
            return;
        }
        // A batch at a time: the next waits until every replacement of the
        // previous one is in service and warmed up.
        if !self.groups[g].maint.replacing.is_empty() {
            return;
        }
        let batch = rules::unhealthy_replacement_batch(desired) as usize;
        for _ in 0..batch {
            if self.groups[g].maint.unhealthy.is_empty() {
                break;
            }
            let (inst, check) = self.groups[g].maint.unhealthy.remove(0);
            let t = self.clock_text(self.now);
            let id = self.instances[inst as usize].ec2_id.clone();
            self.terminate_instance(
                inst,
                Why::new(
                    format!("At {t} an instance was taken out of service in response to {check}.  At {t} instance {id} was selected for termination."),
                    format!("unhealthy; replacing at most {batch} at a time: 10 % of desired capacity {desired}, at least one"),
                ),
            );
            if let Some(new) = self.replacement_launch(
                g,
                format!("At {t} an instance was launched in response to an unhealthy instance needing to be replaced."),
            ) {
                self.groups[g].maint.replacing.push(new);
            }
        }
    }

    // ----------------------------------------- maximum instance lifetime

    /// When the instance entered service: the lifetime is "the maximum
    /// amount of time … an instance can be in service", so time spent in a
    /// warm pool does not count (`ASG:asg-max-instance-lifetime`).
    fn in_service_since(&self, inst: u32) -> SimTime {
        let i = &self.instances[inst as usize];
        i.in_service_at.unwrap_or(i.launched_at)
    }

    /// Replace instances that reached the group's maximum instance lifetime:
    /// one at a time, each after the previous replacement is ready; when
    /// several are due together, up to 10 % of current capacity at once.
    /// `ASG:asg-max-instance-lifetime`.
    fn replace_at_max_lifetime(&mut self, g: usize) {
        let Some(life) = self.groups[g].maint.lifetime else {
            return;
        };
        let warmup = self.groups[g].maint.warmup;
        let replacing: Vec<u32> = self.groups[g]
            .maint
            .lifetime_replacing
            .iter()
            .copied()
            .filter(|&i| self.on_its_way(i, warmup))
            .collect();
        self.groups[g].maint.lifetime_replacing = replacing;
        if !self.groups[g].maint.lifetime_replacing.is_empty()
            || self.suspended(g, ScalingProcess::Terminate)
            || self.suspended(g, ScalingProcess::Launch)
        {
            return;
        }
        let now = self.now;
        let mut due: Vec<u32> = self.groups[g]
            .aws
            .instances()
            .iter()
            .copied()
            .filter(|&i| {
                let x = &self.instances[i as usize];
                x.state == LifecycleState::InService
                    && self.in_service_since(i) + life <= now
                    && !self.groups[g].maint.unhealthy.iter().any(|u| u.0 == i)
            })
            .collect();
        if due.is_empty() {
            return;
        }
        due.sort_by_key(|&i| (self.in_service_since(i), i));
        let current = self.active_instances(g).len() as u32;
        let batch = if due.len() > 1 {
            rules::max_instance_lifetime_batch(current) as usize
        } else {
            1
        };
        let t = self.clock_text(now);
        let days = life as f64 / 86_400e9;
        for &inst in due.iter().take(batch) {
            let id = self.instances[inst as usize].ec2_id.clone();
            self.terminate_instance(
                inst,
                Why::new(
                    format!("At {t} an instance was taken out of service in response to the maximum instance lifetime ({days} days) being reached.  At {t} instance {id} was selected for termination."),
                    SIMULATOR_WORDING,
                ),
            );
            if let Some(new) = self.replacement_launch(
                g,
                format!("At {t} an instance was launched to replace an instance that reached the group's maximum instance lifetime."),
            ) {
                self.groups[g].maint.lifetime_replacing.push(new);
            }
        }
    }

    // ------------------------------------------------ instance refresh

    /// One step of an instance refresh: start it when due (the group's
    /// launch template version becomes the new one), then replace the
    /// instances on older versions in batches of
    /// [`rules::instance_refresh_batch`] (WE-16), each batch waiting until
    /// the previous one is in service and past the refresh's warm-up. With
    /// a maximum healthy percentage of 100 it terminates first and launches
    /// the replacements at once; above 100 it launches first and terminates
    /// the old instances when the new ones are ready.
    /// `ASG:asg-instance-refresh`; `ASG:understand-instance-refresh-default-values`.
    fn instance_refresh_step(&mut self, g: usize) {
        let Some(mut r) = self.groups[g].maint.refresh.clone() else {
            return;
        };
        let now = self.now;
        if r.state == RefreshState::NotStarted {
            if now < r.at {
                return;
            }
            let from = self.groups[g].aws.launch_template_version();
            let to = r.to_version.unwrap_or(from + 1);
            self.groups[g].aws.set_launch_template_version(to);
            r.state = RefreshState::Running;
            let t = self.clock_text(now);
            let batch = rules::instance_refresh_batch(
                self.groups[g].aws.desired(),
                r.min_healthy,
                r.max_healthy,
            );
            self.activities.push(
                Activity::new(
                    now,
                    self.groups[g].aws.name().to_string(),
                    Act::InstanceRefresh,
                    format!("Instance refresh started: launch template version {from} to {to}"),
                    format!(
                        "At {t} an instance refresh started with MinHealthyPercentage {}, MaxHealthyPercentage {} and instance warm-up {}s.",
                        r.min_healthy,
                        r.max_healthy,
                        r.warmup / NS
                    ),
                )
                .with_details(format!(
                    "{batch} instance(s) at a time; {SIMULATOR_WORDING}"
                )),
            );
        }
        if r.state != RefreshState::Running {
            self.groups[g].maint.refresh = Some(r);
            return;
        }
        // The desired configuration is the group's: a version changed
        // during the refresh (a scheduled action) becomes its target.
        let to = self.groups[g].aws.launch_template_version();
        let warmup = r.warmup;
        r.new.retain(|&i| self.on_its_way(i, warmup));
        let stale = |w: &World, i: u32| w.instances[i as usize].lt_version != to;
        let mut old: Vec<u32> = self
            .active_instances(g)
            .into_iter()
            .filter(|&i| stale(self, i))
            .collect();
        old.sort_by_key(|&i| (self.instances[i as usize].launched_at, i));
        let blocked = [
            ScalingProcess::InstanceRefresh,
            ScalingProcess::Launch,
            ScalingProcess::Terminate,
        ]
        .iter()
        .any(|&p| self.suspended(g, p));
        if !r.new.is_empty() || blocked {
            self.groups[g].maint.refresh = Some(r);
            return;
        }
        let t = self.clock_text(now);
        let refresh_cause = |id: &str| {
            format!(
                "At {t} an instance was taken out of service in response to an instance refresh.  At {t} instance {id} was selected for termination."
            )
        };
        // Launch-first: the previous batch is ready, so as many old
        // instances go as the group is now above desired capacity (a
        // scale-in meanwhile may already have taken the surplus).
        let surplus =
            (self.active_instances(g).len() as u32).saturating_sub(self.groups[g].aws.desired());
        for _ in 0..r.owed.min(surplus) {
            if old.is_empty() {
                break;
            }
            let inst = old.remove(0);
            r.replaced += 1;
            let id = self.instances[inst as usize].ec2_id.clone();
            self.terminate_instance(inst, refresh_cause(&id));
        }
        r.owed = 0;
        if old.is_empty() {
            // Then the warm pool: its instances on older versions go, and
            // the pool refills from the new version
            // (`API-ASG:InstanceRefresh.ProgressDetails` reports the warm
            // pool's progress apart).
            let pool_old: Vec<u32> = self
                .pool_instances(g)
                .into_iter()
                .filter(|&i| stale(self, i))
                .collect();
            for &inst in &pool_old {
                let id = self.instances[inst as usize].ec2_id.clone();
                r.replaced += 1;
                self.terminate_instance(inst, refresh_cause(&id));
            }
            if !pool_old.is_empty() {
                self.maintain_warm_pool(g);
            }
            r.state = RefreshState::Done;
            self.activities.push(
                Activity::new(
                    now,
                    self.groups[g].aws.name().to_string(),
                    Act::InstanceRefresh,
                    format!(
                        "Instance refresh finished: {} instance(s) replaced",
                        r.replaced
                    ),
                    format!(
                        "At {t} every instance of the group runs launch template version {to}."
                    ),
                )
                .with_details(SIMULATOR_WORDING),
            );
            self.groups[g].maint.refresh = Some(r);
            return;
        }
        // A batch: at least MinHealthyPercentage of desired capacity stays
        // in service and at most MaxHealthyPercentage is running. Above 100 %
        // the headroom is launched first and its old instances go when the
        // new ones are ready; the rest are terminated now and replaced at
        // once (WE-16).
        let desired = self.groups[g].aws.desired();
        let batch = rules::instance_refresh_batch(desired, r.min_healthy, r.max_healthy)
            .min(old.len() as u32);
        let ceiling = (desired as f64 * r.max_healthy.max(100.0) / 100.0 + 1e-9).floor() as u32;
        let launch_first = ceiling.saturating_sub(desired).min(batch);
        for &inst in old.iter().take((batch - launch_first) as usize) {
            let id = self.instances[inst as usize].ec2_id.clone();
            r.replaced += 1;
            self.terminate_instance(inst, refresh_cause(&id));
        }
        for k in 0..batch {
            if let Some(new) = self.launch_instance_in(
                g,
                None,
                format!("At {t} an instance was launched in response to an instance refresh."),
            ) {
                r.new.push(new);
                if k >= batch - launch_first {
                    r.owed += 1;
                }
            }
        }
        self.groups[g].maint.refresh = Some(r);
    }

    // ------------------------------------------------------- warm pool

    /// The warm pool's instances (launching into it, or waiting in it).
    pub(super) fn pool_instances(&self, g: usize) -> Vec<u32> {
        self.groups[g]
            .aws
            .instances()
            .iter()
            .copied()
            .filter(|&i| {
                matches!(
                    self.instances[i as usize].state,
                    LifecycleState::WarmedPending
                        | LifecycleState::WarmedPendingWait
                        | LifecycleState::Warmed(_)
                )
            })
            .collect()
    }

    /// The zone for the next warm pool launch: the available zone with the
    /// fewest pool instances (the pool is balanced over the group's zones
    /// like the group itself).
    fn pool_zone(&self, g: usize) -> Option<u32> {
        let per_az = self.per_az(g, &self.pool_instances(g));
        let available = self.groups[g].zones_available();
        crate::aws::termination::az_with_fewest_instances(&per_az, &available)
    }

    /// The pool's size now: `MaxGroupPreparedCapacity` (default max) minus
    /// desired, at least `MinSize` (WE-10).
    pub(super) fn warm_pool_target(&self, g: usize) -> Option<u32> {
        let p = self.groups[g].maint.pool.as_ref()?;
        let a = &self.groups[g].aws;
        Some(rules::warm_pool_size(
            a.desired(),
            a.max(),
            p.max_prepared,
            p.min_size,
        ))
    }

    /// The initial pool starts prepared, like the initial fleet: in the
    /// pool's state at t = 0, its launches in the history at t = 0.
    fn fill_initial_warm_pool(&mut self, g: usize) {
        let Some(target) = self.warm_pool_target(g) else {
            return;
        };
        let state = self.groups[g].maint.pool.as_ref().map(|p| p.state);
        let Some(state) = state else { return };
        for k in 0..target {
            if let Some(i) = self.launch_into_pool(g, k, target) {
                self.put_in_warm_pool(i, state);
                // Prepared before the run: no launch run to bill.
                self.instances[i as usize].earlier_runs = (0.0, 0.0, 0.0);
            }
        }
    }

    /// Launch the pool's `k`-th instance of `target`, in the zone with the
    /// fewest pool instances; None when every zone is down.
    fn launch_into_pool(&mut self, g: usize, k: u32, target: u32) -> Option<u32> {
        let t = self.clock_text(self.now);
        let cause = format!(
            "At {t} an instance was started in the warm pool in response to a difference between the warm pool's desired and actual size, increasing it from {k} to {target}."
        );
        let az = self.pool_zone(g)?;
        self.launch_into(g, Some(az), cause, true)
    }

    /// A prepared instance enters the pool in the pool's state; a stopped
    /// or hibernated one stops being billed for compute.
    fn put_in_warm_pool(&mut self, inst: u32, state: PoolState) {
        let now = self.now;
        // Events of its launch (a boot still pending for the initial pool)
        // are stale once it is in the pool.
        self.inst_gen[inst as usize] = self.inst_gen[inst as usize].wrapping_add(1);
        let i = &mut self.instances[inst as usize];
        i.state = LifecycleState::Warmed(state);
        if state != PoolState::Running {
            i.stop_running(now);
        }
    }

    /// Keep the warm pool at its size: launch into it when short, terminate
    /// the excess (newest first) when over. Instances launched into the
    /// pool boot, then stop (or keep running, or hibernate).
    /// `ASG:ec2-auto-scaling-warm-pools`.
    pub(super) fn maintain_warm_pool(&mut self, g: usize) {
        let Some(target) = self.warm_pool_target(g) else {
            return;
        };
        let mut pool = self.pool_instances(g);
        let have = pool.len() as u32;
        let t = self.clock_text(self.now);
        if have < target && !self.suspended(g, ScalingProcess::Launch) {
            for k in have..target {
                if self.launch_into_pool(g, k, target).is_none() {
                    break;
                }
            }
        } else if have > target && !self.suspended(g, ScalingProcess::Terminate) {
            pool.sort_by_key(|&i| (std::cmp::Reverse(self.instances[i as usize].launched_at), i));
            for &i in pool.iter().take((have - target) as usize) {
                let id = self.instances[i as usize].ec2_id.clone();
                self.terminate_instance(
                    i,
                    format!("At {t} an instance was taken out of the warm pool in response to a difference between the warm pool's desired and actual size, shrinking it from {have} to {target}.  At {t} instance {id} was selected for termination."),
                );
            }
        }
    }

    /// A warm pool instance finished booting into the pool. Launch
    /// lifecycle hooks run on the way in (Warmed:Pending:Wait) as well as on
    /// the way out (`ASG:warm-pool-instance-lifecycle`).
    pub(super) fn warm_pool_booted(&mut self, inst: u32) {
        let g = self.instances[inst as usize].asg as usize;
        if let Some((after, proceed, hook)) =
            self.run_hooks(g, crate::scenario::Transition::Launching)
        {
            self.wait_for_hooks(
                inst,
                LifecycleState::WarmedPendingWait,
                &hook,
                after,
                proceed,
            );
            return;
        }
        self.enter_warm_pool(inst);
    }

    /// The instance is prepared: it enters the pool in the pool's state.
    pub(super) fn enter_warm_pool(&mut self, inst: u32) {
        let g = self.instances[inst as usize].asg as usize;
        let state = self.groups[g]
            .maint
            .pool
            .as_ref()
            .map(|p| p.state)
            .unwrap_or_default();
        self.put_in_warm_pool(inst, state);
    }

    /// A scale-out takes a prepared instance from the warm pool, in the
    /// available zone with the fewest active instances, when there is one:
    /// it starts (a warm start, faster than a launch) and then enters
    /// service like any other. Returns it, or None (launch a new one).
    pub(super) fn take_from_warm_pool(&mut self, g: usize, cause: &str) -> Option<u32> {
        let resume = {
            let p = self.groups[g].maint.pool.as_ref()?;
            p.resume.clone()
        };
        if self.suspended(g, ScalingProcess::Launch) {
            return None;
        }
        let per_az = self.per_az(g, &self.active_instances(g));
        let inst = self.groups[g]
            .aws
            .instances()
            .iter()
            .copied()
            .filter(|&i| {
                let x = &self.instances[i as usize];
                matches!(x.state, LifecycleState::Warmed(_))
                    && !self.groups[g].zone_down(x.az as usize)
            })
            .min_by_key(|&i| (per_az[self.instances[i as usize].az as usize], i))?;
        let now = self.now;
        let id = self.instances[inst as usize].ec2_id.clone();
        {
            let i = &mut self.instances[inst as usize];
            i.state = LifecycleState::Pending;
            i.start_running(now);
            i.warm_up_launch = now;
        }
        self.activities.push(
            Activity::new(
                now,
                self.groups[g].aws.name().to_string(),
                Act::Launch,
                format!("Launching a new EC2 instance from warm pool: {id}"),
                cause,
            )
            .with_details(SIMULATOR_WORDING),
        );
        let rt = &mut self.groups[g].rt;
        let after = resume.sample(&mut rt.resume_rng);
        let generation = self.inst_gen[inst as usize];
        self.q
            .push(now + after, Ev::InstanceBooted { inst, generation });
        Some(inst)
    }
}
