//! Faults in the world: zone outages and recovery (with AZ rebalancing),
//! instance failures (stopped, impaired, hung) and Spot interruptions.

use super::{Act, Activity, Ev, SIMULATOR_WORDING, Why, World};
use crate::aws::ec2::LifecycleState;
use crate::aws::termination::{self, RebalanceAction};
use crate::faults::FaultAction;
use crate::scenario::{FailureMode, Market};
use crate::sim::SimTime;
use rand::RngExt;
use rand_distr::Exp1;

/// EC2 gives a Spot Instance a two-minute interruption notice
/// (`EC2:spot-interruptions`).
pub const SPOT_NOTICE: SimTime = 120_000_000_000;
/// How long an impaired instance runs before its status check fails
/// ("after a few minutes"; EC2 does not give a figure — a parameter here).
pub const IMPAIRED_DETECTION: SimTime = 180_000_000_000;

impl World {
    /// Schedule the scenario's faults.
    pub(super) fn start_faults(&mut self) {
        for (i, (t, _)) in self.fault_plan.iter().enumerate() {
            if *t <= self.end {
                self.q.push(*t, Ev::Fault { idx: i as u32 });
            }
        }
    }

    #[inline(never)]
    pub(super) fn on_fault(&mut self, idx: u32) {
        let action = self.fault_plan[idx as usize].1.clone();
        let t = self.clock_text(self.now);
        match action {
            FaultAction::AzDown(az) => {
                for g in 0..self.groups.len() {
                    let Some(z) = self.groups[g].aws.zone_index(&az) else {
                        continue;
                    };
                    self.groups[g].set_zone_down(z, true);
                    for lb in self.groups[g].aws.lbs().to_vec() {
                        self.lbs[lb as usize].aws.set_zone_down(z as u32, true);
                    }
                    let mut victims: Vec<u32> = self
                        .active_instances(g)
                        .into_iter()
                        .filter(|&i| self.instances[i as usize].az == z as u32)
                        .collect();
                    // The warm pool's instances in the zone fail too.
                    victims.extend(
                        self.pool_instances(g)
                            .into_iter()
                            .filter(|&i| self.instances[i as usize].az == z as u32),
                    );
                    for i in victims {
                        self.instance_failed(
                            i,
                            Why::new(
                                format!("At {t} an instance was taken out of service in response to an EC2 instance status checks failure."),
                                format!("Availability Zone {az} outage (the scenario's az_outage fault)"),
                            ),
                        );
                    }
                    self.maintain_warm_pool(g);
                }
            }
            FaultAction::AzUp(az) => {
                for g in 0..self.groups.len() {
                    let Some(z) = self.groups[g].aws.zone_index(&az) else {
                        continue;
                    };
                    self.groups[g].set_zone_down(z, false);
                    for lb in self.groups[g].aws.lbs().to_vec() {
                        self.lbs[lb as usize].aws.set_zone_down(z as u32, false);
                    }
                    self.activities.push(
                        Activity::new(
                            self.now,
                            self.groups[g].aws.name().to_string(),
                            Act::Rebalance,
                            format!("Availability Zone {az} recovered"),
                            format!("At {t} the Availability Zone {az} became available again and the group may require rebalancing."),
                        )
                        .with_details(format!("the scenario's az_outage fault ended; {SIMULATOR_WORDING}")),
                    );
                    self.rebalance(g);
                    self.maintain_warm_pool(g);
                }
            }
            FaultAction::FailInstances { group, count, mode } => {
                let g = group as usize;
                let mut pool: Vec<u32> = self
                    .active_instances(g)
                    .into_iter()
                    .filter(|&i| {
                        self.instances[i as usize].state == LifecycleState::InService
                            && !self.instances[i as usize].hung
                    })
                    .collect();
                for _ in 0..count {
                    if pool.is_empty() {
                        break;
                    }
                    let k = self.groups[g]
                        .rt
                        .fault_rng
                        .random_range(0..pool.len() as u64) as usize;
                    let i = pool.swap_remove(k);
                    let id = self.instances[i as usize].ec2_id.clone();
                    let how = match mode {
                        FailureMode::Stopped => "stopped",
                        FailureMode::Impaired => "impaired",
                        FailureMode::Hung => "hung",
                    };
                    self.activities.push(
                        Activity::new(
                            self.now,
                            self.groups[g].aws.name().to_string(),
                            Act::Fault,
                            format!("Instance {id} failed"),
                            "",
                        )
                        .with_details(format!(
                            "injected by the scenario's faults: the instance is {how}"
                        )),
                    );
                    match mode {
                        FailureMode::Stopped => self
                            .instance_stopped(i, "the scenario's instance_failure fault (stopped)"),
                        FailureMode::Impaired => {
                            self.instances[i as usize].hung = true;
                            let generation = self.inst_gen[i as usize];
                            self.q.push(
                                self.now + IMPAIRED_DETECTION,
                                Ev::StatusCheckFailed {
                                    inst: i,
                                    generation,
                                },
                            );
                        }
                        // Only the load balancer's health checks can see it.
                        FailureMode::Hung => self.instances[i as usize].hung = true,
                    }
                }
            }
            FaultAction::SpotInterruption { group, count } => {
                let g = group as usize;
                let mut pool: Vec<u32> = self
                    .active_instances(g)
                    .into_iter()
                    .filter(|&i| self.instances[i as usize].state == LifecycleState::InService)
                    .collect();
                for _ in 0..count {
                    if pool.is_empty() {
                        break;
                    }
                    let k = self.groups[g]
                        .rt
                        .fault_rng
                        .random_range(0..pool.len() as u64) as usize;
                    let i = pool.swap_remove(k);
                    self.spot_notice(i);
                }
            }
            FaultAction::TableLatency { .. } => {
                // Applied by the table model (see world/dynamodb.rs).
            }
        }
    }

    /// An impaired instance's status check has failed.
    #[inline(never)]
    pub(super) fn on_status_check_failed(&mut self, inst: u32, generation: u32) {
        if self.inst_gen[inst as usize] != generation
            || self.instances[inst as usize].state != LifecycleState::InService
        {
            return;
        }
        // Impaired, not stopped: the instance is marked unhealthy and
        // replaced at the documented pace, not at once.
        self.mark_unhealthy(inst, "an EC2 instance status checks failure");
    }

    /// Give a Spot Instance its two-minute notice.
    #[inline(never)]
    pub(super) fn spot_notice(&mut self, inst: u32) {
        let i = &self.instances[inst as usize];
        if i.state != LifecycleState::InService {
            return;
        }
        let g = i.asg as usize;
        let id = i.ec2_id.clone();
        let at = self.clock_text(self.now + SPOT_NOTICE);
        self.activities.push(
            Activity::new(
                self.now,
                self.groups[g].aws.name().to_string(),
                Act::SpotInterruption,
                format!("EC2 Spot Instance interruption notice for {id}"),
                format!("EC2 will interrupt the Spot Instance {id} at {at}."),
            )
            .with_details(format!("two-minute notice; {SIMULATOR_WORDING}")),
        );
        let generation = self.inst_gen[inst as usize];
        self.q.push(
            self.now + SPOT_NOTICE,
            Ev::SpotInterrupted { inst, generation },
        );
    }

    #[inline(never)]
    pub(super) fn on_spot_interrupted(&mut self, inst: u32, generation: u32) {
        if self.inst_gen[inst as usize] != generation {
            return;
        }
        let t = self.clock_text(self.now);
        self.instance_failed(
            inst,
            Why::new(
                format!("At {t} an instance was taken out of service in response to an EC2 health check indicating it has been terminated or stopped."),
                "Spot interruption",
            ),
        );
    }

    /// Schedule a Spot interruption by the group's `interruption_rate`
    /// (interruptions per instance-hour, a Poisson process per instance).
    pub(super) fn arm_spot_rate(&mut self, inst: u32) {
        let g = self.instances[inst as usize].asg as usize;
        let spec = &self.groups[g].rt.spec;
        if spec.market != Market::Spot || spec.interruption_rate <= 0.0 {
            return;
        }
        let rate = spec.interruption_rate;
        let e: f64 = self.groups[g].rt.spot_rng.sample(Exp1);
        let at = self.now + (e / rate * 3.6e12) as SimTime;
        let generation = self.inst_gen[inst as usize];
        if at <= self.end {
            self.q.push(at, Ev::SpotNotice { inst, generation });
        }
    }

    /// An instance is gone at once (stopped, interrupted, its zone failed):
    /// requests on it fail with 502, the group terminates it and launches a
    /// replacement right away; desired capacity does not change.
    pub(super) fn instance_failed(&mut self, inst: u32, why: impl Into<Why>) {
        let i = &self.instances[inst as usize];
        match i.state {
            LifecycleState::Terminated | LifecycleState::TerminatingWait => return,
            // Already on its way out (draining): it just ends now.
            LifecycleState::Terminating => return self.finish_termination(inst),
            _ => {}
        }
        let g = i.asg as usize;
        let was_active = matches!(
            i.state,
            LifecycleState::Pending | LifecycleState::PendingWait | LifecycleState::InService
        );
        let t = self.clock_text(self.now);
        self.terminate_now(inst, why);
        if was_active {
            self.replacement_launch(
                g,
                format!("At {t} an instance was launched in response to an unhealthy instance needing to be replaced."),
            );
        }
    }

    /// One step of Availability Zone rebalancing: launch in the zone with the
    /// fewest instances first (up to the documented margin over max), and
    /// only when that launch is in service terminate one in the fullest zone
    /// (`ASG:as-instance-termination`, WE-08, WE-14).
    pub(super) fn rebalance(&mut self, g: usize) {
        // Suspending AZRebalance, or Launch, stops it
        // (`ASG:understand-how-suspending-processes-affects-other-processes`).
        if self.groups[g].rebalancing()
            || self.suspended(g, crate::scenario::ScalingProcess::AzRebalance)
            || self.suspended(g, crate::scenario::ScalingProcess::Launch)
        {
            return;
        }
        let counts = self.per_az(g, &self.active_instances(g));
        let available = self.groups[g].zones_available();
        let t = self.clock_text(self.now);
        match termination::az_rebalance_action(
            &counts,
            &available,
            self.groups[g].aws.desired(),
            self.groups[g].aws.max(),
        ) {
            RebalanceAction::None => {}
            RebalanceAction::Launch { az } => {
                let zone = self.groups[g].aws.azs()[az as usize].clone();
                let cause = format!(
                    "At {t} instances were launched to balance instances in zones {zone} with other zones resulting in more than desired number of instances in the group."
                );
                if let Some(i) = self.launch_instance_in(g, Some(az), cause) {
                    self.groups[g].rebalance_launched(i);
                }
            }
            RebalanceAction::Terminate { az } => {
                let have = counts.iter().sum::<u32>();
                let want = self.groups[g].aws.desired();
                let Some((victim, why)) = self.choose_victim_in(g, Some(az)) else {
                    return;
                };
                let id = self.instances[victim as usize].ec2_id.clone();
                self.terminate_instance(
                    victim,
                    Why::new(
                        format!(
                            "At {t} an instance was taken out of service in response to a difference between desired and actual capacity, shrinking the capacity from {have} to {want}.  At {t} instance {id} was selected for termination."
                        ),
                        format!("Availability Zone rebalancing; termination policy step: {why}"),
                    ),
                );
                // Next step (another launch, if still unbalanced).
                self.rebalance(g);
            }
        }
    }

    /// A rebalancing launch is in service (or gone): take the next step.
    pub(super) fn rebalance_progress(&mut self, g: usize, inst: u32) {
        if self.groups[g].rebalance_landed(inst) {
            self.rebalance(g);
        }
    }
}
