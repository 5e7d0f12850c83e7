//! Elastic Load Balancing: targets, health, and request routing.
//!
//! One load balancer has one target group, filled by one Auto Scaling group
//! (a simplification of AWS, where a group is attached to a target group).
//! The load balancer has a node in each of the group's zones; a client's DNS
//! lookup picks a node, and the node picks a target.
//!
//! Ownership: [`LbState`] owns the targets, the routing structures and the
//! counters. [`Target`]'s fields are private: a target's health moves only
//! by the documented thresholds ([`health_after_check`], applied by
//! [`LbState::on_health_check`]) or by registration and draining, its load
//! only by [`LbState::set_load`], its request count only when it is routed
//! to. The world reads them through getters. `LbState` has no public
//! fields either: its configuration is read through getters.

use crate::scenario::{LbType, LoadBalancer, Routing, StickinessType};
use crate::sim::rng::Rng;
use crate::sim::{MinTree, OptId, SimTime};
use rand::RngExt;

/// ALB hourly price, us-east-1 (`https://aws.amazon.com/elasticloadbalancing/pricing/`):
/// $0.0225 per ALB-hour.
pub const ALB_HOUR_USD: f64 = 0.0225;
/// $0.008 per LCU-hour (same page).
pub const LCU_HOUR_USD: f64 = 0.008;
/// New connections per second in one LCU (same page: "25 new connections
/// per second"); each request is a new connection in this model.
pub const LCU_NEW_CONNECTIONS_PER_S: f64 = 25.0;

/// An ALB's bill after `hours` with `requests` served: the hourly charge
/// plus LCU-hours, where the new-connections dimension is the one that
/// counts here. Linear in both, so the bill so far at any time is the same
/// rule applied to the hours and requests so far.
pub fn alb_cost_usd(hours: f64, requests: u64) -> f64 {
    let lcu_hours = requests as f64 / LCU_NEW_CONNECTIONS_PER_S / 3600.0;
    hours.max(0.0) * ALB_HOUR_USD + lcu_hours * LCU_HOUR_USD
}

/// Health of a registered target (the ALB's target states).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TargetHealth {
    /// Registered, first health check not yet passed.
    Initial,
    /// Passing.
    Healthy,
    /// Failing.
    Unhealthy,
    /// Deregistering: no new requests, in-flight ones finish.
    Draining,
}

impl TargetHealth {
    /// AWS's lower-case state name.
    pub fn aws_name(self) -> &'static str {
        match self {
            TargetHealth::Initial => "initial",
            TargetHealth::Healthy => "healthy",
            TargetHealth::Unhealthy => "unhealthy",
            TargetHealth::Draining => "draining",
        }
    }
}

/// A registered target. Its fields are private: its health changes only
/// through [`LbState`] (registration, [`LbState::on_health_check`] with the
/// thresholds of [`health_after_check`], [`LbState::set_health`],
/// draining), its load only through [`LbState::set_load`], its request
/// count only when it is routed to.
#[derive(Clone, Copy, Debug)]
pub struct Target {
    /// Instance index in the world.
    instance: u32,
    /// Zone index (of the group's zones).
    az: u32,
    health: TargetHealth,
    /// Consecutive passed health checks.
    passes: u32,
    /// Consecutive failed health checks.
    fails: u32,
    /// Slow start: (since, until) while the target ramps up.
    slow_start: Option<(SimTime, SimTime)>,
    /// Requests routed to it in the current metrics period.
    period_requests: u64,
    /// Its outstanding requests as the world last reported them (least
    /// outstanding requests routing; see [`LbState::set_load`]).
    load: u32,
}

impl Target {
    /// Instance index in the world.
    #[inline]
    pub fn instance(&self) -> u32 {
        self.instance
    }

    /// Zone index (of the group's zones).
    #[inline]
    pub fn az(&self) -> u32 {
        self.az
    }

    /// Health.
    #[inline]
    pub fn health(&self) -> TargetHealth {
        self.health
    }

    /// Its outstanding requests as last reported ([`LbState::set_load`]).
    #[inline]
    pub fn load(&self) -> u32 {
        self.load
    }
}

/// The health a target has after one health check, by the documented
/// thresholds (`ALB:target-group-health-checks`): a new (`initial`) target
/// must pass one check; a healthy one turns unhealthy after
/// `unhealthy_threshold` consecutive failures (`fails`, this one
/// included); an unhealthy one turns healthy after `healthy_threshold`
/// consecutive passes (`passes`, this one included). A draining target
/// keeps its state.
pub fn health_after_check(
    health: TargetHealth,
    ok: bool,
    passes: u32,
    fails: u32,
    healthy_threshold: u32,
    unhealthy_threshold: u32,
) -> TargetHealth {
    match (health, ok) {
        (TargetHealth::Initial, true) => TargetHealth::Healthy,
        (TargetHealth::Unhealthy, true) if passes >= healthy_threshold => TargetHealth::Healthy,
        (TargetHealth::Initial | TargetHealth::Healthy, false) if fails >= unhealthy_threshold => {
            TargetHealth::Unhealthy
        }
        (h, _) => h,
    }
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
    /// Sticky sessions re-bound to another target (not a CloudWatch
    /// metric: `StickyRebinds` in metrics.csv).
    pub sticky_rebinds: u64,
}

/// The HTTP error codes an Application Load Balancer counts, each its own
/// CloudWatch metric (`ALB:cloudwatch-metrics`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HttpCode {
    /// HTTPCode_ELB_502_Count: the target closed or refused the connection.
    Elb502,
    /// HTTPCode_ELB_503_Count: no registered target can take the request.
    Elb503,
    /// HTTPCode_ELB_504_Count: the target did not answer within the idle timeout.
    Elb504,
    /// HTTPCode_Target_5XX_Count: the target answered with a 5xx.
    Target5xx,
}

impl LbPeriod {
    fn count(&mut self, code: HttpCode) {
        match code {
            HttpCode::Elb502 => self.elb_502 += 1,
            HttpCode::Elb503 => self.elb_503 += 1,
            HttpCode::Elb504 => self.elb_504 += 1,
            HttpCode::Target5xx => self.target_5xx += 1,
        }
    }
}

/// A load balancer's state.
pub struct LbState {
    /// Name.
    name: String,
    /// application | network.
    kind: LbType,
    /// Auto Scaling group index filling the target group (none: no group
    /// fills it).
    asg: OptId,
    /// Routing algorithm.
    routing: Routing,
    /// Cross-zone load balancing.
    cross_zone: bool,
    /// Stickiness type.
    stickiness: StickinessType,
    /// Cookie duration, ns.
    cookie_duration: SimTime,
    /// Slow start duration, ns (0 = off).
    slow_start: SimTime,
    /// Idle timeout, ns.
    idle_timeout: SimTime,
    /// Deregistration delay (connection draining), ns.
    deregistration_delay: SimTime,
    /// Target group health thresholds: (count, percentage) for DNS failover
    /// and for routing failover.
    dns_failover: (Option<u32>, Option<f64>),
    /// Routing failover thresholds.
    routing_failover: (Option<u32>, Option<f64>),
    /// Number of zones (= nodes).
    nodes: u32,
    /// Registered targets (draining ones included).
    targets: Vec<Target>,
    /// Per node, the targets (indices into `targets`) it may route to now.
    lists: Vec<Vec<u32>>,
    /// Per node, its round-robin cursor.
    cursors: Vec<usize>,
    /// Per instance (world index): its entry in `targets`, if any.
    slot: Vec<OptId>,
    /// Least outstanding requests only: per node (one for all with
    /// cross-zone on), the loads of its list's targets (list position →
    /// load) and each target's list position, if it is in the list.
    lor: Vec<(MinTree, Vec<OptId>)>,
    /// Nodes in DNS now (NLB DNS failover can remove a zone).
    dns_nodes: Vec<u32>,
    /// Zones that are down (their node leaves DNS).
    zone_down: Vec<bool>,
    /// Counters of the current metrics period.
    period: LbPeriod,
    /// Counters of the current CloudWatch minute (alarms).
    cw: LbPeriod,
    /// Requests received, all time.
    total_requests: u64,
    /// Sticky sessions moved to a new target.
    sticky_rebinds: u64,
    /// Sessions whose local state became unreachable.
    sessions_lost: u64,
}

impl LbState {
    /// Name.
    pub fn name(&self) -> &str {
        &self.name
    }
    /// The group whose instances register (none: a load balancer no group
    /// names).
    pub fn asg(&self) -> OptId {
        self.asg
    }
    /// Stickiness.
    #[inline]
    pub fn stickiness(&self) -> StickinessType {
        self.stickiness
    }
    /// The stickiness cookie's lifetime.
    #[inline]
    pub fn cookie_duration(&self) -> SimTime {
        self.cookie_duration
    }
    /// The idle timeout.
    #[inline]
    pub fn idle_timeout(&self) -> SimTime {
        self.idle_timeout
    }
    /// The target group's deregistration delay.
    pub fn deregistration_delay(&self) -> SimTime {
        self.deregistration_delay
    }
    /// A load balancer with no targets yet, with a node in each of `nodes` zones.
    /// A request reaches the load balancer (RequestCount).
    #[inline]
    pub fn on_request(&mut self) {
        self.period.requests += 1;
        self.cw.requests += 1;
        self.total_requests += 1;
    }

    /// A target answered after `response_time` ns (TargetResponseTime).
    #[inline]
    pub fn on_response(&mut self, response_time: SimTime) {
        self.period.response_time_sum += response_time as u128;
        self.period.responses += 1;
        self.cw.response_time_sum += response_time as u128;
        self.cw.responses += 1;
    }

    /// The load balancer answered a client with an error `code`.
    #[inline]
    pub fn on_error(&mut self, code: HttpCode) {
        self.period.count(code);
        self.cw.count(code);
    }

    /// A sticky request went to its cookie's target `t` without routing
    /// (RequestCountPerTarget still counts it).
    #[inline]
    pub fn on_sticky_hit(&mut self, t: usize) {
        self.targets[t].period_requests += 1;
    }

    /// A sticky session was re-bound to another target.
    pub fn on_rebind(&mut self) {
        self.sticky_rebinds += 1;
        self.period.sticky_rebinds += 1;
    }

    /// A session's state, kept on its old instance, became unreachable.
    pub fn on_session_lost(&mut self) {
        self.sessions_lost += 1;
    }

    /// The metrics period's counters; the next period starts at zero.
    pub fn flush_period(&mut self) -> LbPeriod {
        std::mem::take(&mut self.period)
    }

    /// The CloudWatch minute's counters; the next minute starts at zero.
    pub fn flush_minute(&mut self) -> LbPeriod {
        std::mem::take(&mut self.cw)
    }

    /// Requests received, all time.
    pub fn total_requests(&self) -> u64 {
        self.total_requests
    }

    /// Sticky sessions moved to a new target, all time.
    pub fn sticky_rebinds(&self) -> u64 {
        self.sticky_rebinds
    }

    /// Sessions whose local state became unreachable, all time.
    pub fn sessions_lost(&self) -> u64 {
        self.sessions_lost
    }

    /// A load balancer of the scenario's `lb`, filled by group `asg`, one
    /// node per zone.
    pub fn new(lb: &LoadBalancer, asg: OptId, nodes: u32) -> Self {
        let nodes = nodes.max(1);
        let cross_zone = lb.cross_zone.unwrap_or(lb.kind == LbType::Application);
        LbState {
            name: lb.name.clone(),
            kind: lb.kind,
            asg,
            routing: lb.routing,
            cross_zone,
            stickiness: lb.stickiness.kind,
            cookie_duration: lb
                .stickiness
                .duration
                .map(|d| d.0)
                .unwrap_or(86_400_000_000_000),
            slow_start: lb.slow_start.0,
            idle_timeout: lb.idle_timeout.0,
            deregistration_delay: lb.deregistration_delay.0,
            dns_failover: lb
                .target_group_health
                .as_ref()
                .and_then(|h| h.dns_failover.as_ref())
                .map(|d| (d.minimum_healthy_targets, d.minimum_healthy_percentage))
                .unwrap_or((None, None)),
            routing_failover: lb
                .target_group_health
                .as_ref()
                .and_then(|h| h.routing_failover.as_ref())
                .map(|d| (d.minimum_healthy_targets, d.minimum_healthy_percentage))
                .unwrap_or((None, None)),
            nodes,
            targets: Vec::new(),
            lists: vec![Vec::new(); nodes as usize],
            cursors: vec![0; nodes as usize],
            slot: Vec::new(),
            lor: Vec::new(),
            dns_nodes: (0..nodes).collect(),
            zone_down: vec![false; nodes as usize],
            period: LbPeriod::default(),
            cw: LbPeriod::default(),
            total_requests: 0,
            sticky_rebinds: 0,
            sessions_lost: 0,
        }
    }

    /// Rebuild each node's routable list after a change of targets or health.
    ///
    /// A node routes to the healthy targets it can reach (all zones with
    /// cross-zone on, its own zone with it off). If none of those is healthy
    /// but some are registered, it fails open and routes to all of them
    /// (ALB: "if all targets fail health checks at the same time in all
    /// enabled Availability Zones, the load balancer fails open";
    /// `ALB:target-group-health-checks`, WE-21). A node with no target at
    /// all answers 503 (`ALB:disable-cross-zone`, WE-21).
    pub fn rebuild(&mut self) {
        for n in 0..self.nodes {
            let reach = |t: &Target| self.cross_zone || t.az == n;
            let live = |t: &Target| t.health != TargetHealth::Draining;
            let all: Vec<u32> = (0..self.targets.len() as u32)
                .filter(|&i| {
                    let t = &self.targets[i as usize];
                    reach(t) && live(t)
                })
                .collect();
            let healthy: Vec<u32> = all
                .iter()
                .copied()
                .filter(|&i| self.targets[i as usize].health == TargetHealth::Healthy)
                .collect();
            // Routing failover: below its threshold the node routes to all
            // its targets, healthy or not (`NLB:target-group-health`, WE-20).
            let failover = Self::breached(
                self.routing_failover,
                healthy.len() as u32,
                all.len() as u32,
            );
            let list = if healthy.is_empty() || failover {
                all
            } else {
                healthy
            };
            let c = &mut self.cursors[n as usize];
            if *c >= list.len() {
                *c = 0;
            }
            self.lists[n as usize] = list;
        }
        self.lor.clear();
        if self.tracks_load() {
            // With cross-zone on every node routes over the same list: one
            // tree serves them all, so a load change is one update.
            let shared = if self.cross_zone { 1 } else { self.lists.len() };
            for list in &self.lists[..shared] {
                let tree =
                    MinTree::from_values(list.iter().map(|&t| self.targets[t as usize].load));
                let mut pos = vec![OptId::NONE; self.targets.len()];
                for (p, &t) in list.iter().enumerate() {
                    pos[t as usize] = OptId::some(p as u32);
                }
                self.lor.push((tree, pos));
            }
        }
        // DNS failover: a zone below its threshold leaves DNS; if every zone
        // does, all stay (`NLB:target-group-health`, WE-20). A zone that is
        // down leaves DNS too.
        let dns = self.dns_failover;
        let (h_all, t_all) = self.health_counts(None);
        self.dns_nodes = (0..self.nodes)
            .filter(|&n| !self.zone_down[n as usize])
            .filter(|&n| {
                let (h, t) = if self.cross_zone {
                    (h_all, t_all)
                } else {
                    self.health_counts(Some(n))
                };
                !Self::breached(dns, h, t)
            })
            .collect();
        if self.dns_nodes.is_empty() {
            self.dns_nodes = (0..self.nodes)
                .filter(|&n| !self.zone_down[n as usize])
                .collect();
        }
        if self.dns_nodes.is_empty() {
            self.dns_nodes = (0..self.nodes).collect();
        }
    }

    /// Whether a target group health threshold is breached: below the count
    /// or below the percentage, either one (`NLB:target-group-health`).
    fn breached(threshold: (Option<u32>, Option<f64>), healthy: u32, total: u32) -> bool {
        threshold.0.is_some_and(|c| healthy < c)
            || threshold
                .1
                .is_some_and(|p| total > 0 && (healthy as f64) * 100.0 < p * total as f64)
    }

    /// (healthy, registered) targets, in one zone or overall; draining ones excluded.
    fn health_counts(&self, az: Option<u32>) -> (u32, u32) {
        let mut h = 0;
        let mut t = 0;
        for x in &self.targets {
            if x.health == TargetHealth::Draining || az.is_some_and(|z| x.az != z) {
                continue;
            }
            t += 1;
            if x.health == TargetHealth::Healthy {
                h += 1;
            }
        }
        (h, t)
    }

    /// Whether routing reads targets' outstanding requests: the world then
    /// reports every change with [`LbState::set_load`].
    #[inline]
    pub fn tracks_load(&self) -> bool {
        self.kind == LbType::Application && self.routing == Routing::LeastOutstandingRequests
    }

    /// An instance's outstanding requests changed. O(nodes · log targets).
    #[inline]
    pub fn set_load(&mut self, instance: u32, load: u32) {
        let Some(t) = self.target_of(instance) else {
            return;
        };
        self.targets[t].load = load;
        for (tree, pos) in &mut self.lor {
            if let Some(p) = pos[t].get() {
                tree.set(p as usize, load);
            }
        }
    }

    /// Recompute every instance's entry index (after targets moved).
    fn reindex(&mut self) {
        self.slot.fill(OptId::NONE);
        for (k, t) in self.targets.iter().enumerate() {
            let i = t.instance as usize;
            if self.slot.len() <= i {
                self.slot.resize(i + 1, OptId::NONE);
            }
            self.slot[i] = OptId::some(k as u32);
        }
    }

    /// A zone fails or recovers: its node leaves or rejoins DNS.
    pub fn set_zone_down(&mut self, az: u32, down: bool) {
        if let Some(z) = self.zone_down.get_mut(az as usize) {
            *z = down;
            self.rebuild();
        }
    }

    /// Register an instance with the given initial health.
    pub fn register(&mut self, instance: u32, az: u32, health: TargetHealth, now: SimTime) {
        // Slow start begins when a target becomes healthy, and only if some
        // other healthy target is not in slow start (`ALB:load-balancer-target-groups`).
        let ss = if health == TargetHealth::Healthy {
            self.slow_start_window(now)
        } else {
            None
        };
        self.targets.push(Target {
            instance,
            az: az.min(self.nodes - 1),
            health,
            passes: 0,
            fails: 0,
            slow_start: ss,
            period_requests: 0,
            load: 0,
        });
        self.reindex();
        self.rebuild();
    }

    fn slow_start_window(&self, now: SimTime) -> Option<(SimTime, SimTime)> {
        if self.slow_start == 0 {
            return None;
        }
        let others = self.targets.iter().any(|t| {
            t.health == TargetHealth::Healthy && t.slow_start.is_none_or(|(_, until)| until <= now)
        });
        others.then_some((now, now + self.slow_start))
    }

    /// Index of an instance's target entry.
    #[inline]
    pub fn target_of(&self, instance: u32) -> Option<usize> {
        match self.slot.get(instance as usize) {
            Some(&k) => k.get().map(|k| k as usize),
            None => None,
        }
    }

    /// Registered targets (draining ones included), in registration order.
    pub fn targets(&self) -> &[Target] {
        &self.targets
    }

    /// The health of an instance's target, None when it is not registered.
    #[inline]
    pub fn health_of(&self, instance: u32) -> Option<TargetHealth> {
        self.target_of(instance).map(|t| self.targets[t].health)
    }

    /// One health check result for target `idx`: counts it and applies the
    /// thresholds ([`health_after_check`], both at least 1). Returns the
    /// health the thresholds give and the old health if it changed.
    pub fn on_health_check(
        &mut self,
        idx: usize,
        ok: bool,
        healthy_threshold: u32,
        unhealthy_threshold: u32,
        now: SimTime,
    ) -> (TargetHealth, Option<TargetHealth>) {
        let tg = &mut self.targets[idx];
        if ok {
            tg.passes += 1;
            tg.fails = 0;
        } else {
            tg.fails += 1;
            tg.passes = 0;
        }
        let new = health_after_check(
            tg.health,
            ok,
            tg.passes,
            tg.fails,
            healthy_threshold.max(1),
            unhealthy_threshold.max(1),
        );
        (new, self.set_health(idx, new, now))
    }

    /// The metrics period's request count of every target: `each(load
    /// balancer name, instance, requests)`, in target order; each target's
    /// count starts again at zero (per-target RequestCount, for imbalance
    /// charts).
    pub fn flush_target_requests(&mut self, mut each: impl FnMut(&str, u32, u64)) {
        for t in &mut self.targets {
            each(
                &self.name,
                t.instance,
                std::mem::take(&mut t.period_requests),
            );
        }
    }

    /// Change a target's health; returns the old health if it changed.
    pub fn set_health(
        &mut self,
        idx: usize,
        h: TargetHealth,
        now: SimTime,
    ) -> Option<TargetHealth> {
        let old = self.targets[idx].health;
        if old == h {
            return None;
        }
        self.targets[idx].health = h;
        self.targets[idx].slow_start = if h == TargetHealth::Healthy {
            self.slow_start_window(now)
        } else {
            None
        };
        self.rebuild();
        Some(old)
    }

    /// Start draining an instance: no new requests.
    pub fn drain(&mut self, instance: u32) -> bool {
        match self.target_of(instance) {
            Some(i) => {
                self.targets[i].health = TargetHealth::Draining;
                self.rebuild();
                true
            }
            None => false,
        }
    }

    /// Remove an instance from the target group.
    pub fn deregister(&mut self, instance: u32) {
        self.targets.retain(|t| t.instance != instance);
        self.reindex();
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

    /// The node a client's DNS lookup lands on.
    #[inline]
    pub fn pick_node(&self, rng: &mut Rng) -> u32 {
        match self.dns_nodes.len() {
            1 => self.dns_nodes[0],
            n => self.dns_nodes[rng.random_range(0..n as u64) as usize],
        }
    }

    /// Whether a sticky target may take the session's next request.
    #[inline]
    pub fn sticky_ok(&self, instance: u32, node: u32) -> bool {
        self.target_of(instance).is_some_and(|k| {
            let t = &self.targets[k];
            t.health == TargetHealth::Healthy && (self.cross_zone || t.az == node)
        })
    }

    /// Slow-start weight of a target now, in (0, 1].
    #[inline]
    fn weight(&self, t: &Target, now: SimTime) -> f64 {
        match t.slow_start {
            Some((since, until)) if now < until => {
                ((now - since) as f64 / (until - since) as f64).max(0.01)
            }
            _ => 1.0,
        }
    }

    /// Pick a target (instance index) for a new request entering `node`, or
    /// None: the load balancer answers 503. Least outstanding requests
    /// reads the loads reported with [`LbState::set_load`].
    #[inline]
    pub fn route(&mut self, node: u32, now: SimTime, rng: &mut Rng) -> Option<u32> {
        let list = &self.lists[node as usize];
        let n = list.len();
        if n == 0 {
            return None;
        }
        let pick = match (self.kind, self.routing) {
            // NLB: a flow hash spreads connections evenly at random.
            (LbType::Network, _) | (_, Routing::WeightedRandom) => {
                let mut k;
                let mut tries = 0;
                loop {
                    k = rng.random_range(0..n as u64) as usize;
                    tries += 1;
                    let t = &self.targets[list[k] as usize];
                    if t.slow_start.is_none()
                        || tries > 16
                        || rng.random::<f64>() < self.weight(t, now)
                    {
                        break;
                    }
                }
                k
            }
            (_, Routing::LeastOutstandingRequests) => {
                // Fewest outstanding requests; ties go to the first at or
                // after the cursor, so equal targets share the load. The
                // tree answers in O(log n) what a scan from the cursor would.
                let c = self.cursors[node as usize] % n;
                let tree = if self.cross_zone { 0 } else { node as usize };
                let best = self
                    .lor
                    .get(tree)
                    .and_then(|(tree, _)| tree.first_min_from(c))
                    .unwrap_or(c);
                self.cursors[node as usize] = if best + 1 == n { 0 } else { best + 1 };
                best
            }
            (_, Routing::RoundRobin) => {
                // Round robin; a target in slow start takes its turn only
                // with probability equal to its ramping weight.
                let mut k = self.cursors[node as usize];
                for _ in 0..n {
                    let t = &self.targets[list[k] as usize];
                    if t.slow_start.is_none() || rng.random::<f64>() < self.weight(t, now) {
                        break;
                    }
                    k = if k + 1 == n { 0 } else { k + 1 };
                }
                self.cursors[node as usize] = if k + 1 == n { 0 } else { k + 1 };
                k
            }
        };
        let ti = list[pick] as usize;
        self.targets[ti].period_requests += 1;
        Some(self.targets[ti].instance)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::LoadBalancer;

    fn lb(cross_zone: bool, nodes: u32) -> LbState {
        let spec: LoadBalancer = serde_json::from_value(serde_json::json!({
            "name": "web", "target_group": "web", "cross_zone": cross_zone
        }))
        .expect("valid load balancer");
        LbState::new(&spec, OptId::some(0), nodes)
    }

    #[test]
    fn health_checks_move_targets_by_the_thresholds() {
        use TargetHealth::*;
        // The pure rule: a new target needs one pass; a healthy one needs
        // `unhealthy_threshold` failures; an unhealthy one `healthy_threshold`
        // passes; draining stays draining.
        assert_eq!(health_after_check(Initial, true, 1, 0, 5, 2), Healthy);
        assert_eq!(health_after_check(Initial, false, 0, 1, 5, 2), Initial);
        assert_eq!(health_after_check(Healthy, false, 0, 1, 5, 2), Healthy);
        assert_eq!(health_after_check(Healthy, false, 0, 2, 5, 2), Unhealthy);
        assert_eq!(health_after_check(Unhealthy, true, 4, 0, 5, 2), Unhealthy);
        assert_eq!(health_after_check(Unhealthy, true, 5, 0, 5, 2), Healthy);
        assert_eq!(health_after_check(Draining, true, 9, 0, 5, 2), Draining);
        // Through the load balancer: consecutive counts reset on the other
        // result, and the change is reported once.
        let mut l = lb(true, 1);
        l.register(7, 0, Healthy, 0);
        let t = l.target_of(7).expect("registered");
        assert_eq!(l.on_health_check(t, false, 5, 2, 1), (Healthy, None));
        assert_eq!(l.on_health_check(t, true, 5, 2, 2), (Healthy, None));
        assert_eq!(l.on_health_check(t, false, 5, 2, 3), (Healthy, None));
        assert_eq!(
            l.on_health_check(t, false, 5, 2, 4),
            (Unhealthy, Some(Healthy))
        );
        assert_eq!(l.health_of(7), Some(Unhealthy));
        assert_eq!(l.health_of(8), None);
        for k in 0..4 {
            assert_eq!(l.on_health_check(t, true, 5, 2, 5 + k), (Unhealthy, None));
        }
        assert_eq!(
            l.on_health_check(t, true, 5, 2, 9),
            (Healthy, Some(Unhealthy))
        );
        assert_eq!(l.targets()[t].instance(), 7);
    }

    #[test]
    fn no_targets_no_route_and_round_robin_cycles() {
        let mut l = lb(true, 1);
        let mut rng = crate::sim::stream(1, "t");
        assert_eq!(l.route(0, 0, &mut rng), None);
        l.register(7, 0, TargetHealth::Healthy, 0);
        l.register(8, 0, TargetHealth::Healthy, 0);
        l.register(9, 0, TargetHealth::Initial, 0);
        let picks: Vec<u32> = (0..4).filter_map(|_| l.route(0, 0, &mut rng)).collect();
        assert_eq!(picks, vec![7, 8, 7, 8]);
        l.deregister(7);
        assert_eq!(l.route(0, 0, &mut rng), Some(8));
        assert_eq!(l.healthy_count(), 1);
    }

    /// WE-19: 2 zones, round robin, 2 targets in A and 8 in B, each node gets
    /// half the traffic: cross-zone on → 10 % each; off → 25 % (A), 6.25 % (B).
    #[test]
    fn we_19_cross_zone_distribution() {
        for (cross, a_share, b_share) in [(true, 0.10, 0.10), (false, 0.25, 0.0625)] {
            let mut l = lb(cross, 2);
            for i in 0..10 {
                l.register(i, if i < 2 { 0 } else { 1 }, TargetHealth::Healthy, 0);
            }
            let mut rng = crate::sim::stream(1, "t");
            let mut counts = [0u32; 10];
            let n = 80_000;
            for k in 0..n {
                let node = k % 2; // DNS splits clients 50/50 between the nodes
                let t = l.route(node, 0, &mut rng).expect("routed");
                counts[t as usize] += 1;
            }
            for (i, &c) in counts.iter().enumerate() {
                let want = if i < 2 { a_share } else { b_share };
                assert!(
                    (c as f64 / n as f64 - want).abs() < 1e-9,
                    "cross {cross} target {i}: {c}"
                );
            }
        }
    }

    /// WE-21: all registered targets unhealthy → fail open (no 503); none
    /// registered → 503; cross-zone off and a zone with no targets → 503.
    #[test]
    fn we_21_fail_open_and_503() {
        let mut rng = crate::sim::stream(1, "t");
        let mut l = lb(true, 1);
        l.register(1, 0, TargetHealth::Unhealthy, 0);
        l.register(2, 0, TargetHealth::Unhealthy, 0);
        let picks: Vec<u32> = (0..4).filter_map(|_| l.route(0, 0, &mut rng)).collect();
        assert_eq!(picks, vec![1, 2, 1, 2]);
        let mut empty = lb(true, 1);
        assert_eq!(empty.route(0, 0, &mut rng), None);
        let mut off = lb(false, 2);
        off.register(1, 0, TargetHealth::Healthy, 0);
        assert_eq!(off.route(0, 0, &mut rng), Some(1));
        assert_eq!(off.route(1, 0, &mut rng), None);
    }

    /// WE-20: NLB, 2 zones × 10 targets, DNS failover 50 %, routing failover
    /// 50 %, 6 targets fail in zone B. Cross-zone off: B (40 %) leaves DNS and
    /// its node routes to all 10 B targets; A is unaffected. Cross-zone on:
    /// 14/20 = 70 % healthy, normal routing to the 14 healthy targets.
    #[test]
    fn we_20_nlb_target_group_health_thresholds() {
        for cross in [false, true] {
            let mut l = lb(cross, 2);
            l.kind = LbType::Network;
            l.dns_failover = (None, Some(50.0));
            l.routing_failover = (None, Some(50.0));
            for i in 0..20u32 {
                let az = i / 10;
                let h = if az == 1 && i < 16 {
                    TargetHealth::Unhealthy
                } else {
                    TargetHealth::Healthy
                };
                l.register(i, az, h, 0);
            }
            let mut rng = crate::sim::stream(1, "t");
            if !cross {
                assert_eq!(l.dns_nodes, vec![0], "zone B leaves DNS");
                let mut seen = std::collections::BTreeSet::new();
                for _ in 0..2000 {
                    seen.insert(l.route(1, 0, &mut rng).expect("routed"));
                }
                assert_eq!(
                    seen,
                    (10..20).collect(),
                    "B's node routes to all 10 B targets"
                );
                let a: std::collections::BTreeSet<u32> =
                    (0..2000).filter_map(|_| l.route(0, 0, &mut rng)).collect();
                assert_eq!(a, (0..10).collect(), "A unaffected");
            } else {
                assert_eq!(l.dns_nodes, vec![0, 1]);
                let seen: std::collections::BTreeSet<u32> =
                    (0..4000).filter_map(|_| l.route(1, 0, &mut rng)).collect();
                let healthy: std::collections::BTreeSet<u32> = (0..10).chain(16..20).collect();
                assert_eq!(seen, healthy, "the 14 healthy targets");
            }
        }
    }

    #[test]
    fn least_outstanding_requests_picks_the_idlest() {
        let mut rng = crate::sim::stream(1, "t");
        let mut l = lb(true, 1);
        l.routing = Routing::LeastOutstandingRequests;
        for i in 0..3 {
            l.register(i, 0, TargetHealth::Healthy, 0);
        }
        for (i, load) in [5, 1, 3].into_iter().enumerate() {
            l.set_load(i as u32, load);
        }
        assert_eq!(l.route(0, 0, &mut rng), Some(1));
    }

    #[test]
    fn slow_start_ramps_a_new_targets_share_linearly() {
        let mut rng = crate::sim::stream(1, "t");
        let mut l = lb(true, 1);
        l.slow_start = 100;
        l.register(0, 0, TargetHealth::Healthy, 0); // alone: no slow start
        l.register(1, 0, TargetHealth::Healthy, 0); // ramps over [0, 100)
        let share = |l: &mut LbState, rng: &mut Rng, now| {
            let n = 20_000;
            (0..n).filter(|_| l.route(0, now, rng) == Some(1)).count() as f64 / n as f64
        };
        let early = share(&mut l, &mut rng, 10);
        let late = share(&mut l, &mut rng, 200);
        assert!(early < 0.15, "early share {early}");
        assert!((late - 0.5).abs() < 0.01, "late share {late}");
    }

    /// The old linear scan, kept as the reference: the idlest target among
    /// the node's routable ones, ties to the first at or after the cursor.
    fn lor_reference(l: &LbState, node: u32, cursor: usize, load: &[u32]) -> Option<u32> {
        let list = &l.lists[node as usize];
        let n = list.len();
        if n == 0 {
            return None;
        }
        let c = cursor % n;
        let mut best = c;
        let mut best_load = u32::MAX;
        for j in 0..n {
            let k = (c + j) % n;
            let v = load[l.targets[list[k] as usize].instance as usize];
            if v < best_load {
                best = k;
                best_load = v;
            }
        }
        Some(l.targets[list[best] as usize].instance)
    }

    proptest::proptest! {
        /// Least outstanding requests through the tree makes the same choice
        /// sequence as a linear scan, through registration, health, drain,
        /// deregistration and load churn, with cross-zone on and off.
        #[test]
        fn lor_matches_a_linear_scan_under_churn(
            cross in proptest::bool::ANY,
            ops in proptest::collection::vec((0u8..8, 0u32..24, 0u32..7), 1..300),
        ) {
            let mut l = lb(cross, 3);
            l.routing = Routing::LeastOutstandingRequests;
            let mut load = vec![0u32; 24];
            let mut rng = crate::sim::stream(1, "t");
            let mut registered = [false; 24];
            for (op, inst, v) in ops {
                let i = inst as usize;
                match op {
                    0 if !registered[i] => {
                        let h = if v % 2 == 0 { TargetHealth::Healthy } else { TargetHealth::Initial };
                        l.register(inst, v % 3, h, 0);
                        l.set_load(inst, load[i]);
                        registered[i] = true;
                    }
                    1 if registered[i] => {
                        l.deregister(inst);
                        registered[i] = false;
                    }
                    2 => {
                        if let Some(t) = l.target_of(inst) {
                            let h = [TargetHealth::Healthy, TargetHealth::Unhealthy][v as usize % 2];
                            l.set_health(t, h, 0);
                        }
                    }
                    3 => {
                        l.drain(inst);
                    }
                    _ => {
                        load[i] = v;
                        l.set_load(inst, v);
                    }
                }
                for node in 0..3 {
                    let cursor = l.cursors[node as usize];
                    let want = lor_reference(&l, node, cursor, &load);
                    let got = l.route(node, 0, &mut rng);
                    proptest::prop_assert_eq!(got, want);
                    if let Some(t) = got {
                        load[t as usize] += 1;
                        l.set_load(t, load[t as usize]);
                    }
                }
            }
        }
    }
}
