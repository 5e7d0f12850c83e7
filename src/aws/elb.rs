//! Elastic Load Balancing: targets and request routing.
//!
//! One load balancer has one target group, filled by one Auto Scaling group
//! (a simplification of AWS, where a group is attached to a target group).

use crate::scenario::{LoadBalancer, Routing};
use crate::sim::DeadlineFifo;

/// Health of a registered target.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TargetHealth {
    /// Registered, first health checks not yet passed.
    Initial,
    /// Passing.
    Healthy,
    /// Failing.
    Unhealthy,
    /// Deregistering: no new requests, in-flight ones finish.
    Draining,
}

/// A registered target.
#[derive(Clone, Copy, Debug)]
pub struct Target {
    /// Instance index in the world.
    pub instance: u32,
    /// Health.
    pub health: TargetHealth,
}

/// Per-period counters of a load balancer (CloudWatch AWS/ApplicationELB).
#[derive(Clone, Copy, Debug, Default)]
pub struct LbPeriod {
    /// RequestCount
    pub requests: u64,
    /// Sum of target response times, ns.
    pub response_time_sum: u128,
    /// Responses timed.
    pub responses: u64,
    /// HTTPCode_ELB_502_Count
    pub elb_502: u64,
    /// HTTPCode_ELB_503_Count
    pub elb_503: u64,
    /// HTTPCode_ELB_504_Count
    pub elb_504: u64,
    /// HTTPCode_Target_5XX_Count
    pub target_5xx: u64,
}

/// A load balancer's state.
pub struct LbState {
    /// Name.
    pub name: String,
    /// Auto Scaling group index filling the target group.
    pub asg: u32,
    /// Routing.
    pub routing: Routing,
    /// Idle timeout, ns.
    pub idle_timeout: u64,
    /// Deregistration delay (connection draining), ns.
    pub deregistration_delay: u64,
    /// Registered targets.
    pub targets: Vec<Target>,
    /// Targets that may receive requests now (instance indices).
    routable: Vec<u32>,
    rr: usize,
    /// Counters of the current metrics period.
    pub period: LbPeriod,
    /// Requests routed, all time.
    pub total_requests: u64,
    /// Idle-timeout deadlines of requests sent to targets: (request slot, generation).
    pub deadlines: DeadlineFifo<(u32, u32)>,
}

impl LbState {
    /// A load balancer with no targets yet.
    pub fn new(lb: &LoadBalancer, asg: u32) -> Self {
        LbState {
            name: lb.name.clone(),
            asg,
            routing: lb.routing,
            idle_timeout: lb.idle_timeout.0,
            deregistration_delay: lb.deregistration_delay.0,
            targets: Vec::new(),
            routable: Vec::new(),
            rr: 0,
            period: LbPeriod::default(),
            total_requests: 0,
            deadlines: DeadlineFifo::new(),
        }
    }

    fn rebuild(&mut self) {
        self.routable.clear();
        self.routable.extend(
            self.targets
                .iter()
                .filter(|t| t.health == TargetHealth::Healthy)
                .map(|t| t.instance),
        );
        if self.rr >= self.routable.len() {
            self.rr = 0;
        }
    }

    /// Register an instance with the given initial health.
    pub fn register(&mut self, instance: u32, health: TargetHealth) {
        self.targets.push(Target { instance, health });
        self.rebuild();
    }

    /// Remove an instance from the target group.
    pub fn deregister(&mut self, instance: u32) {
        self.targets.retain(|t| t.instance != instance);
        self.rebuild();
    }

    /// Healthy targets now (HealthyHostCount).
    pub fn healthy_count(&self) -> usize {
        self.targets
            .iter()
            .filter(|t| t.health == TargetHealth::Healthy)
            .count()
    }

    /// Unhealthy targets now (UnHealthyHostCount).
    pub fn unhealthy_count(&self) -> usize {
        self.targets
            .iter()
            .filter(|t| t.health == TargetHealth::Unhealthy)
            .count()
    }

    /// Pick a target for a new request, or None (the ALB answers 503).
    #[inline]
    pub fn route(&mut self) -> Option<u32> {
        let n = self.routable.len();
        if n == 0 {
            return None;
        }
        // Round robin: each routable target in turn.
        let i = self.rr;
        self.rr = if i + 1 == n { 0 } else { i + 1 };
        Some(self.routable[i])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lb() -> LbState {
        LbState {
            name: "web".into(),
            asg: 0,
            routing: Routing::RoundRobin,
            idle_timeout: 60_000_000_000,
            deregistration_delay: 0,
            targets: vec![],
            routable: vec![],
            rr: 0,
            period: LbPeriod::default(),
            total_requests: 0,
            deadlines: DeadlineFifo::new(),
        }
    }

    #[test]
    fn no_targets_no_route_and_round_robin_cycles() {
        let mut l = lb();
        assert_eq!(l.route(), None);
        l.register(7, TargetHealth::Healthy);
        l.register(8, TargetHealth::Healthy);
        l.register(9, TargetHealth::Initial);
        let picks: Vec<u32> = (0..4).filter_map(|_| l.route()).collect();
        assert_eq!(picks, vec![7, 8, 7, 8]);
        l.deregister(7);
        assert_eq!(l.route(), Some(8));
        assert_eq!(l.healthy_count(), 1);
    }
}
