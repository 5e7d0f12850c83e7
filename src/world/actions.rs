//! The scenario's `actions`: timed API calls a user or a pipeline makes
//! during the run, each written to activities.csv in AWS's words
//! (`/work/shared/research/asg-activity-causes.csv`: user_set_desired,
//! user_update_constraints, user_terminate_decrement, detach; Application
//! Auto Scaling's aas_min_set / aas_max_set).

use super::fidelity::FidEv;
use super::{Act, Activity, Ev, SIMULATOR_WORDING, Why, World};
use crate::aws::ec2::LifecycleState;
use crate::scenario::fidelity::{ActionKind, TableDimension, UserAction};

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
        self.groups.iter().position(|g| &g.aws.name == n)
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
                let old = self.groups[g].aws.desired;
                let new = a.desired.unwrap_or(old);
                if new < self.groups[g].aws.min || new > self.groups[g].aws.max {
                    // AWS refuses it (ValidationError); nothing changes.
                    self.activities.push(
                        Activity::new(
                            self.now,
                            self.groups[g].aws.name.clone(),
                            Act::UserAction,
                            format!("SetDesiredCapacity to {new} refused"),
                            format!("New SetDesiredCapacity value {new} is outside the group's bounds [{}, {}].", self.groups[g].aws.min, self.groups[g].aws.max),
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
                if let Some(m) = a.min {
                    grp.min = m as u32;
                }
                if let Some(m) = a.max {
                    grp.max = m as u32;
                }
                let old = grp.desired;
                let new = a
                    .desired
                    .unwrap_or(old)
                    .clamp(grp.min, grp.max.max(grp.min));
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
            ActionKind::TerminateInstance | ActionKind::DetachInstance => {
                let Some(g) = self.group_index(a.auto_scaling_group.as_ref()) else {
                    return;
                };
                let mut serving: Vec<u32> = self.groups[g]
                    .aws
                    .instances
                    .iter()
                    .copied()
                    .filter(|&i| self.instances[i as usize].state == LifecycleState::InService)
                    .collect();
                serving.sort_by_key(|&i| (self.instances[i as usize].launched_at, i));
                let Some(&inst) = serving.get(a.instance as usize) else {
                    return;
                };
                self.user_removes(g, inst, a.action == ActionKind::DetachInstance, a.decrement);
            }
            ActionKind::UpdateTable => {
                let Some(tb) = a.table.as_deref().and_then(|n| self.table_index(n)) else {
                    return;
                };
                let name = a.table.clone().unwrap_or_default();
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
                        .with_details(format!("the scenario's actions; {SIMULATOR_WORDING}")),
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
            ActionKind::ModifyTargetGroup => {
                let Some(lb) = a
                    .load_balancer
                    .as_ref()
                    .and_then(|n| self.lbs.iter().position(|l| &l.aws.name == n))
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
                let name = self.lbs[lb].aws.name.clone();
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
    fn user_removes(&mut self, g: usize, inst: u32, detach: bool, decrement: bool) {
        let t = self.clock_text(self.now);
        let id = self.instances[inst as usize].ec2_id.clone();
        let have = self.active_instances(g).len() as u32;
        if decrement && self.groups[g].aws.desired <= self.groups[g].aws.min {
            let min = self.groups[g].aws.min;
            self.activities.push(
                Activity::new(
                    self.now,
                    self.groups[g].aws.name.clone(),
                    Act::UserAction,
                    format!("Removing {id} with decrement refused"),
                    format!("ValidationError: Currently, desiredSize equals minSize ({min}). Terminating instance without replacement will violate group's min size constraint. Either set shouldDecrementDesiredCapacity flag to false or lower group's min size."),
                )
                .with_details(format!("the scenario's actions; the API refuses the call; {SIMULATOR_WORDING}")),
            );
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
            let old = self.groups[g].aws.desired;
            let new = old.saturating_sub(1).max(self.groups[g].aws.min);
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
                self.groups[g].aws.name.clone(),
                Act::Detach,
                format!("{act} EC2 instance: {id}"),
                cause.to_string(),
            )
            .with_details("the scenario's actions; the instance leaves the group and its load balancers at once (requests still on it are cut), and is counted among the group's terminations"),
        );
        // Leaves as a termination does (deregistered, drained), without a
        // termination row.
        self.set_state(inst, LifecycleState::Terminating);
        for lb in self.groups[g].aws.lbs.clone() {
            self.lbs[lb as usize].aws.drain(inst);
        }
        self.finish_termination(inst);
    }
}
