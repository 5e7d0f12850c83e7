//! The scenario's `actions`: timed API calls a user or a pipeline makes
//! during the run, each written to activities.csv in AWS's words
//! (`/work/shared/research/asg-activity-causes.csv`: user_set_desired,
//! user_update_constraints, user_terminate_decrement, detach,
//! standby_enter, standby_exit; Application Auto Scaling's aas_min_set /
//! aas_max_set).

use super::fidelity::FidEv;
use super::{Act, Activity, Ev, SIMULATOR_WORDING, Why, World};
use crate::aws::ec2::LifecycleState;
use crate::scenario::ScalingProcess;
use crate::scenario::fidelity::{ActionKind, TableDimension, UserAction};
use crate::sim::SimTime;

impl World {
    /// Queue the scenario's actions.
    pub(super) fn actions_start(&mut self, actions: &[UserAction]) {
        self.fid.user_actions = actions.to_vec();
        for (i, a) in actions.iter().enumerate() {
            if a.at.0 <= self.end {
                self.q.push(
                    a.at.0,
                    Ev::Fidelity {
                        what: FidEv::UserAction,
                        a: i as u32,
                        b: 0,
                    },
                );
            }
        }
    }

    fn group_index(&self, name: Option<&String>) -> Option<usize> {
        let n = name?;
        self.groups.iter().position(|g| g.aws.name() == n)
    }

    /// One action is due.
    pub(super) fn on_user_action(&mut self, idx: usize) {
        let a = self.fid.user_actions[idx].clone();
        let t = self.clock_text(self.now);
        match a.action {
            ActionKind::SetDesiredCapacity => {
                let Some(g) = self.group_index(a.auto_scaling_group.as_ref()) else {
                    return;
                };
                let old = self.groups[g].aws.desired();
                let new = a.desired.unwrap_or(old);
                if new < self.groups[g].aws.min() || new > self.groups[g].aws.max() {
                    // AWS refuses it (ValidationError); nothing changes.
                    self.activities.push(
                        Activity::new(
                            self.now,
                            self.groups[g].aws.name().to_string(),
                            Act::UserAction,
                            format!("SetDesiredCapacity to {new} refused"),
                            format!("New SetDesiredCapacity value {new} is outside the group's bounds [{}, {}].", self.groups[g].aws.min(), self.groups[g].aws.max()),
                        )
                        .with_details(SIMULATOR_WORDING),
                    );
                    return;
                }
                self.set_desired(
                    g,
                    new,
                    format!("At {t} a user request explicitly set group desired capacity changing the desired capacity from {old} to {new}."),
                );
            }
            ActionKind::UpdateAutoScalingGroup => {
                let Some(g) = self.group_index(a.auto_scaling_group.as_ref()) else {
                    return;
                };
                let grp = &mut self.groups[g].aws;
                let old = grp.desired();
                let new = grp.update_constraints(
                    a.min.map(|m| m as u32),
                    a.max.map(|m| m as u32),
                    a.desired,
                );
                let mut parts = Vec::new();
                if let Some(m) = a.min {
                    parts.push(format!("min: {m}"));
                }
                if let Some(m) = a.max {
                    parts.push(format!("max: {m}"));
                }
                parts.push(format!("desired: {new}"));
                let reason = format!(
                    "At {t} a user request update of AutoScalingGroup constraints to {} changing the desired capacity from {old} to {new}.",
                    parts.join(", ")
                );
                if new != old {
                    self.set_desired(g, new, reason);
                } else {
                    self.maintain_warm_pool(g);
                }
            }
            ActionKind::TerminateInstance
            | ActionKind::DetachInstance
            | ActionKind::EnterStandby => {
                let Some(g) = self.group_index(a.auto_scaling_group.as_ref()) else {
                    return;
                };
                let mut serving: Vec<u32> = self.groups[g]
                    .aws
                    .instances()
                    .iter()
                    .copied()
                    .filter(|&i| self.instances[i as usize].state == LifecycleState::InService)
                    .collect();
                serving.sort_by_key(|&i| (self.instances[i as usize].launched_at, i));
                let Some(&inst) = serving.get(a.instance as usize) else {
                    return;
                };
                if a.action == ActionKind::EnterStandby {
                    self.enter_standby(g, inst, a.decrement);
                } else {
                    self.user_removes(g, inst, a.action == ActionKind::DetachInstance, a.decrement);
                }
            }
            ActionKind::ExitStandby => {
                let Some(g) = self.group_index(a.auto_scaling_group.as_ref()) else {
                    return;
                };
                let mut standby: Vec<u32> = self.groups[g]
                    .aws
                    .instances()
                    .iter()
                    .copied()
                    .filter(|&i| self.instances[i as usize].state == LifecycleState::Standby)
                    .collect();
                standby.sort_by_key(|&i| (self.instances[i as usize].launched_at, i));
                if let Some(&inst) = standby.get(a.instance as usize) {
                    self.exit_standby(g, inst);
                }
            }
            ActionKind::UpdateTable => {
                let Some(tb) = a.table.as_deref().and_then(|n| self.table_index(n)) else {
                    return;
                };
                let name = a.table.clone().unwrap_or_default();
                if self.table_updating(tb) {
                    self.activities.push(
                        Activity::new(
                            self.now,
                            name.clone(),
                            Act::UserAction,
                            "UpdateTable refused".to_string(),
                            format!("ResourceInUseException: Attempt to change a resource which is still in use: Table is being updated: {name}"),
                        )
                        .with_details(format!("the scenario's actions; the table is UPDATING (an UpdateTable in progress); {SIMULATOR_WORDING}")),
                    );
                    return;
                }
                for (write, v) in [(false, a.read_capacity), (true, a.write_capacity)] {
                    let Some(v) = v else { continue };
                    let dim = if write { "write" } else { "read" };
                    self.activities.push(
                        Activity::new(
                            self.now,
                            name.clone(),
                            Act::UserAction,
                            format!("UpdateTable: {dim} capacity units to {v}"),
                            format!("At {t} a user request updated the provisioned {dim} capacity of table {name} to {v}."),
                        )
                        .with_details(format!("the scenario's actions; in effect after effective_after, the table UPDATING for update_time (the policy waits); {SIMULATOR_WORDING}")),
                    );
                    self.table_manual_update(tb, write, v);
                }
            }
            ActionKind::RegisterScalableTarget => {
                let Some(tb) = a.table.as_deref().and_then(|n| self.table_index(n)) else {
                    return;
                };
                let write = a.dimension == Some(TableDimension::Write);
                self.table_set_bounds(tb, write, a.min, a.max);
            }
            ActionKind::PutScalingPolicy => {
                let Some(name) = a.table.clone() else { return };
                let dim = if a.dimension == Some(TableDimension::Write) {
                    "write"
                } else {
                    "read"
                };
                self.activities.push(
                    Activity::new(
                        self.now,
                        name.clone(),
                        Act::UserAction,
                        format!("PutScalingPolicy: {dim} capacity of table {name}"),
                        format!("At {t} a user request created the target tracking scaling policy of table {name} ({dim} capacity) and its two alarms."),
                    )
                    .with_details(format!("the scenario's actions; the new alarms evaluate the datapoints the table published before they existed (CW:AlarmThatSendsEmail); {SIMULATOR_WORDING}")),
                );
            }
            ActionKind::ModifyTargetGroup => {
                let Some(lb) = a
                    .load_balancer
                    .as_ref()
                    .and_then(|n| self.lbs.iter().position(|l| l.aws.name() == n))
                else {
                    return;
                };
                let Some(h) = &a.health_check else { return };
                let hc = &mut self.lbs[lb].hc;
                if let Some(v) = h.interval {
                    hc.interval = v;
                }
                if let Some(v) = h.timeout {
                    hc.timeout = v;
                }
                if let Some(v) = h.healthy_threshold {
                    hc.healthy_threshold = v;
                }
                if let Some(v) = h.unhealthy_threshold {
                    hc.unhealthy_threshold = v;
                }
                let (i, to, ht, ut) = (
                    hc.interval.0 / 1_000_000_000,
                    hc.timeout.0 / 1_000_000_000,
                    hc.healthy_threshold,
                    hc.unhealthy_threshold,
                );
                let name = self.lbs[lb].aws.name().to_string();
                self.activities.push(
                    Activity::new(
                        self.now,
                        name.clone(),
                        Act::UserAction,
                        format!("ModifyTargetGroup: health check of {name}"),
                        format!("At {t} a user request modified the health check of target group {name}: interval {i}s, timeout {to}s, healthy threshold {ht}, unhealthy threshold {ut}."),
                    )
                    .with_details(format!("the scenario's actions; checks already scheduled keep their time; {SIMULATOR_WORDING}")),
                );
            }
        }
    }

    /// TerminateInstanceInAutoScalingGroup or DetachInstances: with
    /// `decrement` the desired capacity goes down by one (one `scaling`
    /// row); without it the group launches a replacement.
    /// A user call the Auto Scaling API refuses: a `user_action` row with
    /// the API's error, nothing else happens.
    fn refused_action(&mut self, g: usize, description: String, error: String) {
        self.activities.push(
            Activity::new(
                self.now,
                self.groups[g].aws.name().to_string(),
                Act::UserAction,
                description,
                error,
            )
            .with_details(format!(
                "the scenario's actions; the API refuses the call; {SIMULATOR_WORDING}"
            )),
        );
    }

    fn user_removes(&mut self, g: usize, inst: u32, detach: bool, decrement: bool) {
        let t = self.clock_text(self.now);
        let id = self.instances[inst as usize].ec2_id.clone();
        let have = self.active_instances(g).len() as u32;
        if decrement && self.groups[g].aws.desired() <= self.groups[g].aws.min() {
            let min = self.groups[g].aws.min();
            self.refused_action(g, format!("Removing {id} with decrement refused"), format!("ValidationError: Currently, desiredSize equals minSize ({min}). Terminating instance without replacement will violate group's min size constraint. Either set shouldDecrementDesiredCapacity flag to false or lower group's min size."));
            return;
        }
        let (verb, act) = if detach {
            ("detached", "Detaching")
        } else {
            ("taken out of service", "Terminating")
        };
        let cause = if decrement {
            format!(
                "At {t} instance {id} was {verb} in response to a user request, shrinking the capacity from {have} to {}.",
                have - 1
            )
        } else {
            format!("At {t} instance {id} was {verb} in response to a user request.")
        };
        if decrement {
            let old = self.groups[g].aws.desired();
            let new = old.saturating_sub(1).max(self.groups[g].aws.min());
            self.change_desired(g, new, &cause);
        }
        if detach {
            // Out of the group (and its load balancers, after draining);
            // the instance runs on outside the group, billed no more here.
            self.detach_from_group(inst, &id, act, &cause);
        } else {
            self.terminate_instance(inst, Why::new(cause.clone(), "the scenario's actions"));
        }
        if !decrement {
            // The replacement's cause is AWS's launch clause alone.
            self.reconcile(g, "");
        }
    }

    fn detach_from_group(&mut self, inst: u32, id: &str, act: &str, cause: &str) {
        let g = self.instances[inst as usize].asg as usize;
        self.activities.push(
            Activity::new(
                self.now,
                self.groups[g].aws.name().to_string(),
                Act::Detach,
                format!("{act} EC2 instance: {id}"),
                cause.to_string(),
            )
            .with_details("the scenario's actions; the instance is deregistered from the group's load balancers and leaves the group when its in-flight requests finish (at most the deregistration delay; requests still on it then get a 502); it is counted among the group's terminations"),
        );
        // Leaves as a termination does (deregistered, drained for up to the
        // deregistration delay), without a termination row
        // (`ASG:detach-instance`: "If the Auto Scaling group has an attached
        // load balancer, the instance is deregistered from the load
        // balancer"; with connection draining, in-flight requests finish).
        self.set_state(inst, LifecycleState::Terminating);
        self.consumer_stopped(inst);
        let delay = self.drain_targets(g, inst);
        let busy = {
            let i = &self.instances[inst as usize];
            i.busy > 0 || !i.waiting.is_empty()
        };
        if !busy || delay == 0 {
            self.finish_termination(inst);
        } else {
            let generation = self.inst_gen[inst as usize];
            self.q
                .push(self.now + delay, Ev::DrainTimeout { inst, generation });
        }
    }

    /// Start deregistering an instance from its group's load balancers
    /// (targets `draining`); the longest deregistration delay among those
    /// it was registered with.
    fn drain_targets(&mut self, g: usize, inst: u32) -> SimTime {
        let mut delay: SimTime = 0;
        for lb in self.groups[g].aws.lbs().to_vec() {
            let l = &mut self.lbs[lb as usize].aws;
            if l.drain(inst) {
                delay = delay.max(l.deregistration_delay());
            }
        }
        delay
    }

    /// EnterStandby: the InService instance leaves service (not counted in
    /// service, not a scale-in candidate, still running and billed), is
    /// deregistered from the group's load balancers with their
    /// deregistration delay, and with `decrement` the desired capacity goes
    /// down by one; without it the group launches a replacement
    /// (`ASG:as-enter-exit-standby`). AWS's words (asg-activity-causes.csv
    /// standby_enter, grade A): "Moving EC2 instance to Standby: {id}",
    /// "At {t} instance {id} was moved to standby in response to a user
    /// request, shrinking the capacity from {a} to {b}."
    pub(super) fn enter_standby(&mut self, g: usize, inst: u32, decrement: bool) {
        let t = self.clock_text(self.now);
        let id = self.instances[inst as usize].ec2_id.clone();
        let old = self.groups[g].aws.desired();
        if decrement && old <= self.groups[g].aws.min() {
            let min = self.groups[g].aws.min();
            self.refused_action(g, format!("Moving {id} to Standby with decrement refused"), format!("ValidationError: AutoScalingGroup {} has min-size={min}, max-size={}, and desired-size={old}. Entering standby with decrement would violate the group's min size constraint.", self.groups[g].aws.name(), self.groups[g].aws.max()));
            return;
        }
        let cause = if decrement {
            format!(
                "At {t} instance {id} was moved to standby in response to a user request, shrinking the capacity from {old} to {}.",
                old - 1
            )
        } else {
            format!("At {t} instance {id} was moved to standby in response to a user request.")
        };
        if decrement {
            self.change_desired(g, old - 1, &cause);
        }
        self.activities.push(
            Activity::new(
                self.now,
                self.groups[g].aws.name().to_string(),
                Act::Standby { entered: true },
                format!("Moving EC2 instance to Standby: {id}"),
                cause,
            )
            .with_details(if decrement {
                "the scenario's actions; the instance is deregistered from the group's load balancers (its in-flight requests finish within the deregistration delay) and no longer counts in service"
            } else {
                "the scenario's actions; the instance is deregistered from the group's load balancers (its in-flight requests finish within the deregistration delay) and no longer counts in service; desired capacity is unchanged, so the group launches a replacement (the no-decrement ending of the cause follows AWS's detach and terminate wording)"
            }),
        );
        // Its timers (health checks, Spot notices) end; exit starts new ones.
        self.inst_gen[inst as usize] = self.inst_gen[inst as usize].wrapping_add(1);
        self.set_state(inst, LifecycleState::Standby);
        self.load_changed(inst);
        let delay = self.drain_targets(g, inst);
        let busy = {
            let i = &self.instances[inst as usize];
            i.busy > 0 || !i.waiting.is_empty()
        };
        if !busy || delay == 0 {
            self.standby_drained(inst, true);
        } else {
            self.q.push(
                self.now + delay,
                Ev::Fidelity {
                    what: FidEv::StandbyDrainTimeout,
                    a: inst,
                    b: self.inst_gen[inst as usize],
                },
            );
        }
        if !decrement {
            // The replacement's cause is AWS's launch clause alone.
            self.reconcile(g, "");
        }
    }

    /// A Standby instance's deregistration ends: when its last in-flight
    /// request finishes (`timeout` false) or when the deregistration delay
    /// elapses (requests still on it then get a 502, as an ALB closes them).
    pub(super) fn standby_drained(&mut self, inst: u32, timeout: bool) {
        let g = self.instances[inst as usize].asg as usize;
        let draining = self.groups[g].aws.lbs().iter().any(|&lb| {
            self.lbs[lb as usize].aws.health_of(inst)
                == Some(crate::aws::elb::TargetHealth::Draining)
        });
        if !draining {
            return;
        }
        let busy = {
            let i = &self.instances[inst as usize];
            i.busy > 0 || !i.waiting.is_empty()
        };
        if busy && !timeout {
            return;
        }
        if busy {
            self.cut_requests(inst);
        }
        for lb in self.groups[g].aws.lbs().to_vec() {
            self.lbs[lb as usize].aws.deregister(inst);
        }
        self.load_changed(inst);
    }

    /// ExitStandby: the instance returns to InService, registers with the
    /// group's load balancers (`initial` until it passes health checks) and
    /// the desired capacity goes up by one (AWS refuses it above the
    /// maximum). AWS's words (standby_exit, grade A): "Moving EC2 instance
    /// out of Standby: {id}", "At {t} instance {id} was moved out of
    /// standby in response to a user request, increasing the capacity from
    /// {a} to {b}."
    pub(super) fn exit_standby(&mut self, g: usize, inst: u32) {
        let t = self.clock_text(self.now);
        let id = self.instances[inst as usize].ec2_id.clone();
        let old = self.groups[g].aws.desired();
        if old >= self.groups[g].aws.max() {
            let max = self.groups[g].aws.max();
            self.refused_action(g, format!("Moving {id} out of Standby refused"), format!("ValidationError: AutoScalingGroup {} has min-size={}, max-size={max}, and desired-size={old}. Exiting standby would violate the group's max size constraint.", self.groups[g].aws.name(), self.groups[g].aws.min()));
            return;
        }
        let cause = format!(
            "At {t} instance {id} was moved out of standby in response to a user request, increasing the capacity from {old} to {}.",
            old + 1
        );
        self.change_desired(g, old + 1, &cause);
        self.activities.push(
            Activity::new(
                self.now,
                self.groups[g].aws.name().to_string(),
                Act::Standby { entered: false },
                format!("Moving EC2 instance out of Standby: {id}"),
                cause,
            )
            .with_details("the scenario's actions; InService again at once, registered with the group's load balancers as `initial` until it passes their health checks"),
        );
        // Stale drain and health check timers of the Standby spell end.
        self.inst_gen[inst as usize] = self.inst_gen[inst as usize].wrapping_add(1);
        let now = self.now;
        self.set_state(inst, LifecycleState::InService);
        self.instances[inst as usize].reset_accounting(now);
        self.arm_spot_rate(inst);
        self.consumer_started(inst);
        if self.suspended(g, ScalingProcess::AddToLoadBalancer) {
            return;
        }
        let az = self.instances[inst as usize].az;
        for lb in self.groups[g].aws.lbs().to_vec() {
            let l = &mut self.lbs[lb as usize].aws;
            if l.target_of(inst).is_some() {
                l.deregister(inst);
            }
            l.register(inst, az, crate::aws::elb::TargetHealth::Initial, now);
            self.load_changed(inst);
            self.start_health_checks(lb, inst);
        }
    }
}
