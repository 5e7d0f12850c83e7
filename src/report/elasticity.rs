//! The elasticity scorecard: the SPEC Research Group's elasticity metrics
//! (Herbst et al., "Quantifying Cloud Performance and Dependability:
//! Taxonomy, Metric Design, and Emerging Challenges", ACM TOMPECS 3(4),
//! 2018; SPEC-RG-2016-01 "Ready for Rain? A View from SPEC Research on the
//! Future of Cloud Metrics"; Ilyushkin et al., "An Experimental Performance
//! Evaluation of Autoscaling Policies for Complex Workflows", ICPE 2017)
//! over a supply and a demand series of instance counts.
//!
//! With samples t = 1…n, each lasting Δt (one metrics period), T = n·Δt,
//! supply sₜ and demand dₜ (dₜ ≥ 1):
//! - under-provisioning accuracy θ_U = 100/T · Σ (dₜ − sₜ)⁺ / dₜ · Δt, %:
//!   the mean share of the demand that was missing;
//! - over-provisioning accuracy θ_O = 100/T · Σ (sₜ − dₜ)⁺ / dₜ · Δt, %:
//!   the mean excess, relative to the demand (can exceed 100);
//! - timeshares τ_U = 100/T · Σ [sₜ < dₜ] · Δt and τ_O = 100/T · Σ [sₜ > dₜ] · Δt,
//!   % of the time under- / over-provisioned;
//! - instability υ = 100/(T − Δt) · Σₜ₌₂ⁿ min(1, |sgn Δsₜ − sgn Δdₜ|) · Δt, %:
//!   the share of steps in which supply and demand did not move the same
//!   way (one changed and the other did not, or they moved oppositely),
//!   Δxₜ = xₜ − xₜ₋₁;
//! - jitter j = (E_S − E_D) / T, per hour: supply adaptations (steps where
//!   s changed) minus demand changes, per hour; negative means the supply
//!   followed fewer changes than the demand made (inertia), positive that
//!   it adapted more often than the demand changed (flapping).
//!
//! Demand is the fewest instances that carry the offered work at a target
//! utilisation u: dₜ = max(1, ⌈Wₜ / (c · Δt · u)⌉), Wₜ the worker-seconds
//! offered in period t and c the workers of one instance. See
//! [`group_series`] for how a run's series give Wₜ.

use crate::report::metrics::Series;
use crate::report::summary::r6;
use crate::scenario::{AppStep, AutoScalingGroup, PolicyType, Scenario};
use serde::Serialize;

/// The scorecard of a group (keys as in `shared/spec/outputs.md`).
#[derive(Clone, Debug, Default, Serialize, PartialEq)]
pub struct Elasticity {
    /// θ_U, %.
    pub under_accuracy_pct: f64,
    /// θ_O, %.
    pub over_accuracy_pct: f64,
    /// τ_U, %.
    pub under_timeshare_pct: f64,
    /// τ_O, %.
    pub over_timeshare_pct: f64,
    /// υ, %.
    pub instability_pct: f64,
    /// j, adaptations per hour.
    pub jitter_per_hour: f64,
}

/// The keys of [`Elasticity`], in order.
pub const KEYS: [&str; 6] = [
    "under_accuracy_pct",
    "over_accuracy_pct",
    "under_timeshare_pct",
    "over_timeshare_pct",
    "instability_pct",
    "jitter_per_hour",
];

impl Elasticity {
    /// The values in [`KEYS`] order.
    pub fn values(&self) -> [f64; 6] {
        [
            self.under_accuracy_pct,
            self.over_accuracy_pct,
            self.under_timeshare_pct,
            self.over_timeshare_pct,
            self.instability_pct,
            self.jitter_per_hour,
        ]
    }
}

fn sgn(x: f64) -> i32 {
    if x > 0.0 {
        1
    } else if x < 0.0 {
        -1
    } else {
        0
    }
}

/// The metrics of equally spaced samples `dt_s` seconds apart. Pairs are
/// (supply, demand); a demand below 1 counts as 1. Empty input scores 0.
pub fn score(supply: &[f64], demand: &[f64], dt_s: f64) -> Elasticity {
    let n = supply.len().min(demand.len());
    if n == 0 || dt_s <= 0.0 {
        return Elasticity::default();
    }
    let total = n as f64 * dt_s;
    let (mut au, mut ao, mut tu, mut to) = (0.0, 0.0, 0.0, 0.0);
    for t in 0..n {
        let (s, d) = (supply[t], demand[t].max(1.0));
        if s < d {
            au += (d - s) / d * dt_s;
            tu += dt_s;
        } else if s > d {
            ao += (s - d) / d * dt_s;
            to += dt_s;
        }
    }
    let (mut unstable, mut es, mut ed) = (0.0, 0u64, 0u64);
    for t in 1..n {
        let ds = sgn(supply[t] - supply[t - 1]);
        let dd = sgn(demand[t].max(1.0) - demand[t - 1].max(1.0));
        if ds != dd {
            unstable += dt_s;
        }
        es += (ds != 0) as u64;
        ed += (dd != 0) as u64;
    }
    let steps = (n - 1) as f64 * dt_s;
    Elasticity {
        under_accuracy_pct: r6(100.0 * au / total),
        over_accuracy_pct: r6(100.0 * ao / total),
        under_timeshare_pct: r6(100.0 * tu / total),
        over_timeshare_pct: r6(100.0 * to / total),
        instability_pct: if steps > 0.0 {
            r6(100.0 * unstable / steps)
        } else {
            0.0
        },
        jitter_per_hour: r6((es as f64 - ed as f64) / (total / 3600.0)),
    }
}

/// The fewest instances of `workers` workers that carry `work_s`
/// worker-seconds in `period_s` at utilisation `util_pct` (at least 1).
pub fn demand_of(work_s: f64, workers: f64, period_s: f64, util_pct: f64) -> f64 {
    let per = workers * period_s * util_pct / 100.0;
    if per <= 0.0 || !work_s.is_finite() {
        return 1.0;
    }
    // A hair below an integer (float noise) is that integer.
    ((work_s / per) - 1e-9).ceil().max(1.0)
}

/// The target utilisation the scorecard uses for a group: its
/// `elasticity.target_utilization`, else the target of its (first enabled)
/// target tracking policy on `ASGAverageCPUUtilization`, else 70 %.
pub fn target_utilization(g: &AutoScalingGroup) -> f64 {
    if let Some(u) = g.elasticity.target_utilization {
        return u;
    }
    g.scaling_policies
        .iter()
        .filter(|p| p.enabled && p.kind == PolicyType::TargetTracking)
        .find(|p| p.metric.as_deref() == Some("ASGAverageCPUUtilization"))
        .and_then(|p| p.target)
        .filter(|t| (1.0..=100.0).contains(t))
        .unwrap_or(70.0)
}

/// Worker-seconds one request holds on an instance of the group: the mean
/// of its `compute` and `wait` steps (calls to tables and queues are not
/// counted: their latency depends on the run).
pub fn work_per_request(g: &AutoScalingGroup) -> f64 {
    g.app
        .iter()
        .map(|s| match s {
            AppStep::Compute(d) | AppStep::Wait(d) => d.mean_secs(),
            _ => 0.0,
        })
        .sum()
}

/// A group's series for the scorecard.
#[derive(Clone, Debug, PartialEq)]
pub struct GroupSeries {
    /// Period starts, s.
    pub t_s: Vec<f64>,
    /// InService instances at the end of each period.
    pub supply: Vec<f64>,
    /// Instances needed for the period's offered work.
    pub demand: Vec<f64>,
    /// Metrics period, s.
    pub period_s: f64,
    /// Utilisation used, %.
    pub target_utilization: f64,
}

/// Supply and demand of group `g` from a run's series. The offered work is
/// read from what arrived, refused requests included:
/// - a group behind load balancers: the sum of their `RequestCount` per
///   period (counted when a request reaches the load balancer, before it is
///   routed, so 503s and refusals by a full instance are in it) times the
///   mean worker time of a request ([`work_per_request`]), over the
///   instance's `workers`;
/// - a queue consumer: the queue's `NumberOfMessagesSent` times the mean
///   processing time, over the consumer's `threads`.
///
/// None when the group has neither (nothing to measure demand by).
pub fn group_series(sc: &Scenario, series: &Series, g: &AutoScalingGroup) -> Option<GroupSeries> {
    let period_s = sc.metrics_period.as_secs_f64();
    let supply_pts = series.get(&g.name, "GroupInServiceInstances");
    if supply_pts.is_empty() || period_s <= 0.0 {
        return None;
    }
    let u = target_utilization(g);
    let (sources, per_item, workers): (Vec<(&str, &str)>, f64, f64) = if let Some(c) = &g.consumer {
        (
            vec![(c.queue.as_str(), "NumberOfMessagesSent")],
            c.processing.mean_secs(),
            c.threads.max(1) as f64,
        )
    } else {
        let lbs: Vec<(&str, &str)> = sc
            .load_balancers
            .iter()
            .filter(|l| l.target_group == g.name)
            .map(|l| (l.name.as_str(), "RequestCount"))
            .collect();
        if lbs.is_empty() {
            return None;
        }
        (lbs, work_per_request(g), g.instance.workers.max(1) as f64)
    };
    let mut offered = vec![0.0; supply_pts.len()];
    for (res, metric) in sources {
        for (t, v) in series.get(res, metric) {
            // Align by period start.
            if let Some(k) = supply_pts.iter().position(|p| (p.0 - t).abs() < 1e-6) {
                offered[k] += v;
            }
        }
    }
    Some(GroupSeries {
        t_s: supply_pts.iter().map(|p| p.0).collect(),
        supply: supply_pts.iter().map(|p| p.1).collect(),
        demand: offered
            .iter()
            .map(|n| demand_of(n * per_item, workers, period_s, u))
            .collect(),
        period_s,
        target_utilization: u,
    })
}

/// The scorecard of group `g` (all zeros when its demand cannot be read).
pub fn group_score(sc: &Scenario, series: &Series, g: &AutoScalingGroup) -> Elasticity {
    match group_series(sc, series, g) {
        Some(gs) => score(&gs.supply, &gs.demand, gs.period_s),
        None => Elasticity::default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn perfectly_provisioned_fixed_fleet_scores_zero() {
        let s = [4.0; 60];
        let e = score(&s, &s, 60.0);
        assert_eq!(e, Elasticity::default());
    }

    #[test]
    fn hand_worked_example() {
        // Four 1-minute periods (T = 4 min):
        //   demand 2 4 4 2, supply 2 2 4 4.
        // t2: under by 2 of 4 (50 %); t4: over by 2 of 2 (100 %).
        // θ_U = 50/4 = 12.5 %, θ_O = 100/4 = 25 %, τ_U = τ_O = 25 %.
        // Steps: (Δs, Δd) = (0,+), (+,0), (0,−): all three differ → υ = 100 %.
        // E_S = 1 (supply changes once), E_D = 2:
        // j = (1 − 2) / (4/60 h) = −15 per hour.
        let d = [2.0, 4.0, 4.0, 2.0];
        let s = [2.0, 2.0, 4.0, 4.0];
        let e = score(&s, &d, 60.0);
        assert_eq!(e.under_accuracy_pct, 12.5);
        assert_eq!(e.over_accuracy_pct, 25.0);
        assert_eq!(e.under_timeshare_pct, 25.0);
        assert_eq!(e.over_timeshare_pct, 25.0);
        assert_eq!(e.instability_pct, 100.0);
        assert_eq!(e.jitter_per_hour, -15.0);
    }

    #[test]
    fn supply_that_follows_demand_is_stable() {
        // Same shape, moving together: no under/over, no instability, j = 0.
        let d = [1.0, 2.0, 3.0, 3.0, 2.0, 1.0];
        let e = score(&d, &d, 60.0);
        assert_eq!(e, Elasticity::default());
        // Supply lagging by one period: under on the way up, over on the
        // way down; every step but the flat one and the first is out of phase.
        let s = [1.0, 1.0, 2.0, 3.0, 3.0, 2.0];
        let e = score(&s, &d, 60.0);
        // under at t2 (1/2), t3 (1/3); over at t5 (1/2), t6 (1/1).
        let t = 6.0;
        assert!((e.under_accuracy_pct - 100.0 * (0.5 + 1.0 / 3.0) / t).abs() < 1e-6);
        assert!((e.over_accuracy_pct - 100.0 * 1.5 / t).abs() < 1e-6);
        assert!((e.under_timeshare_pct - 100.0 * 2.0 / t).abs() < 1e-6);
        assert!((e.over_timeshare_pct - 100.0 * 2.0 / t).abs() < 1e-6);
        // Steps (Δs,Δd): (0,+)(+,+)(+,0)(0,−)(−,−): 3 of 5 differ.
        assert_eq!(e.instability_pct, 60.0);
        // E_S = 3, E_D = 4 over 6 min: −10 per hour.
        assert_eq!(e.jitter_per_hour, -10.0);
    }

    #[test]
    fn flapping_supply_has_positive_jitter() {
        let d = [3.0; 8];
        let s = [3.0, 4.0, 3.0, 4.0, 3.0, 4.0, 3.0, 4.0];
        let e = score(&s, &d, 300.0);
        // 7 adaptations, no demand change, T = 40 min: 10.5 per hour.
        assert_eq!(e.jitter_per_hour, 10.5);
        assert_eq!(e.instability_pct, 100.0);
        assert_eq!(e.over_timeshare_pct, 50.0);
        assert!((e.over_accuracy_pct - 100.0 * 4.0 * (1.0 / 3.0) / 8.0).abs() < 1e-6);
        assert_eq!(e.under_accuracy_pct, 0.0);
    }

    #[test]
    fn demand_rounds_up_to_whole_instances() {
        // 8 workers × 60 s × 70 % = 336 worker-s per instance.
        assert_eq!(demand_of(336.0, 8.0, 60.0, 70.0), 1.0);
        assert_eq!(demand_of(336.5, 8.0, 60.0, 70.0), 2.0);
        assert_eq!(demand_of(0.0, 8.0, 60.0, 70.0), 1.0);
        assert_eq!(demand_of(3.0 * 336.0, 8.0, 60.0, 70.0), 3.0);
        // 600 req/s × 40 ms = 24 worker-s/s; at 50 % of 8 workers: 6.
        assert_eq!(demand_of(600.0 * 60.0 * 0.04, 8.0, 60.0, 50.0), 6.0);
    }
}
