//! Production scale: per-request events summarised per minute under
//! overload, least-outstanding-requests routing kept exact through churn, and
//! the black-friday lesson for seeds 1–10. Speed and memory targets live in
//! benches/production.py, not here.

use std::path::Path;
use stratus::run::{RunResult, simulate};
use stratus::scenario::{LoadOptions, load_file};
use stratus::world::Act;

const MIN: u64 = 60_000_000_000;

/// An overloaded fleet with sticky sessions: instances fail health checks,
/// their sessions are re-bound again and again.
const OVERLOAD: &str = r#"
name: sticky-overload
seed: 3
duration: 20m
workloads:
  - name: shoppers
    to: { load_balancer: web }
    rate: 200
    sessions:
      requests: { dist: geometric, mean: 20 }
      think_time: { dist: exponential, mean: 2s }
load_balancers:
  - name: web
    target_group: web
    stickiness: { type: lb_cookie, duration: 1h }
    health_check: { interval: 10s, timeout: 2s, healthy_threshold: 2, unhealthy_threshold: 2 }
auto_scaling_groups:
  - name: web
    availability_zones: [us-east-1a, us-east-1b]
    min: 4
    max: 4
    desired: 4
    instance: { workers: 4, queue_limit: 20 }
    app: [ { compute: { dist: exponential, mean: 30ms } } ]
"#;

#[test]
fn sticky_rebinds_under_overload_stay_one_row_per_minute_and_add_up() {
    let r = crate::util::run(OVERLOAD);
    let l = &r.summary.load_balancers["web"];
    let rows: Vec<_> = r
        .activities
        .iter()
        .filter(|a| matches!(a.what, Act::StickyRebind { .. }))
        .collect();
    assert!(
        l.sticky_rebinds > 20 * rows.len() as u64,
        "an overload with many re-binds: {} in {} rows",
        l.sticky_rebinds,
        rows.len()
    );
    let minutes: std::collections::BTreeSet<u64> = rows.iter().map(|a| a.t / MIN).collect();
    assert_eq!(minutes.len(), rows.len(), "at most one row per minute");
    let counted: u64 = rows
        .iter()
        .map(|a| match a.what {
            Act::StickyRebind { count } => count,
            _ => 0,
        })
        .sum();
    assert_eq!(counted, l.sticky_rebinds, "rows add up to the summary");
    let metric: f64 = r
        .series
        .get("web", "StickyRebinds")
        .iter()
        .map(|p| p.1)
        .sum();
    assert_eq!(metric as u64, l.sticky_rebinds, "the metric adds up too");
    // The whole history stays small: per-request kinds are summarised.
    assert!(
        r.activities.len() < 20 * 25,
        "{} activity rows in 20 minutes",
        r.activities.len()
    );
}

/// Least outstanding requests through scale-out, scale-in (draining),
/// failing health checks and SQS consumers on the same instances. In debug
/// builds the world checks at every metrics period that the load balancer's
/// view of each target's outstanding requests is the instance's real count
/// (`World::on_metrics_tick`), so a missed update fails this test; the
/// routing tree is checked against a linear scan in `aws::elb`'s unit tests.
#[test]
fn least_outstanding_requests_tracks_every_load_change_through_churn() {
    let yaml = r#"
name: lor-churn
seed: 5
duration: 40m
workloads:
  - name: api
    to: { load_balancer: web }
    rate: { pattern: step, steps: [ { at: 0s, rps: 100 }, { at: 10m, rps: 700 }, { at: 25m, rps: 80 } ] }
    timeout: 5s
load_balancers:
  - name: web
    target_group: web
    routing: least_outstanding_requests
    deregistration_delay: 20s
    health_check: { interval: 10s, timeout: 2s, healthy_threshold: 2, unhealthy_threshold: 2 }
auto_scaling_groups:
  - name: web
    availability_zones: [us-east-1a, us-east-1b]
    min: 2
    max: 12
    desired: 2
    health_check: { type: ELB, grace_period: 60s }
    default_instance_warmup: 60s
    instance: { workers: 4, queue_limit: 30, boot_time: 60s }
    app: [ { compute: { dist: lognormal, mean: 40ms, cv: 1.0 } } ]
    scaling_policies:
      - { name: cpu50, type: target_tracking, metric: ASGAverageCPUUtilization, target: 50 }
"#;
    let r = crate::util::run(yaml);
    let g = &r.summary.auto_scaling_groups["web"];
    assert!(
        g.launches > 4 && g.terminations > 0,
        "the fleet churned: {g:?}"
    );
    let lb = &r.summary.load_balancers["web"];
    assert!(lb.requests > 500_000);
}

fn errors(r: &RunResult) -> u64 {
    r.summary.requests.total - r.summary.requests.ok
}

/// The black-friday lesson on the hour around 08:00 at 1/20 of the traffic
/// and the fleet (the full day is the production-day benchmark): the
/// diurnal phase is shifted so that minute 30 is 08:00.
#[test]
fn black_friday_pre_scaling_removes_the_step_errors_and_a_warm_pool_only_some() {
    let scaled = [
        "duration=45m",
        "workloads[everyday].rate.min=7.5",
        "workloads[everyday].rate.max=60",
        "workloads[everyday].rate.peak_at=7h30m",
        "workloads[doorbusters].rate.peak=60",
        "workloads[doorbusters].rate.at=30m",
        "auto_scaling_groups[shop].desired=6",
        "auto_scaling_groups[shop].min=1",
        "auto_scaling_groups[shop].max=50",
    ];
    let variant = |v: Option<&str>, extra: &[&str], seed: u64| {
        let mut sets: Vec<String> = scaled.iter().map(|s| s.to_string()).collect();
        sets.extend(extra.iter().map(|s| s.to_string()));
        let opts = LoadOptions {
            variant: v.map(str::to_string),
            sets,
            seed: Some(seed),
        };
        let sc = load_file(Path::new("scenarios/black-friday.yaml"), &opts)
            .unwrap_or_else(|d| panic!("{d}"));
        simulate(&sc, v, &mut |_| {})
    };
    for seed in 1..=10 {
        let base = variant(None, &[], seed);
        let pre = variant(
            Some("pre-scale"),
            &[
                "auto_scaling_groups[shop].scheduled_actions[doorbusters].at=15m",
                "auto_scaling_groups[shop].scheduled_actions[doorbusters].min=23",
            ],
            seed,
        );
        let warm = variant(
            Some("warm-pool"),
            &["auto_scaling_groups[shop].warm_pool.min_size=3"],
            seed,
        );
        let (b, p, w) = (errors(&base), errors(&pre), errors(&warm));
        assert!(b > 10_000, "seed {seed}: the step hurts ({b} errors)");
        assert!(p * 100 < b, "seed {seed}: pre-scale {p} vs base {b}");
        assert!(w < b && w * 4 > b, "seed {seed}: warm pool {w} vs base {b}");
    }
}
