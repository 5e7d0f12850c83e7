//! Elastic Load Balancing: draining, stickiness, routing, health checks —
//! checked through the public outputs of the library's lesson scenarios.

use crate::util::run;
use std::path::Path;
use stratus::run::{RunResult, simulate};
use stratus::scenario::{LoadOptions, load_file};

fn run_file(file: &str, variant: Option<&str>) -> RunResult {
    let opts = LoadOptions {
        variant: variant.map(str::to_string),
        ..LoadOptions::default()
    };
    let sc = load_file(Path::new(file), &opts).unwrap_or_else(|d| panic!("{d}"));
    simulate(&sc, variant, &mut |_| {})
}

fn conserved(r: &RunResult) {
    let q = &r.summary.requests;
    let e = &q.errors;
    assert_eq!(
        q.ok + e.elb_502
            + e.elb_503
            + e.elb_504
            + e.target_5xx
            + e.instance_refused
            + e.client_timeout
            + e.throttled,
        q.total
    );
}

#[test]
fn draining_loses_no_request_and_zero_delay_cuts_some_off() {
    let drained = run_file("scenarios/draining.yaml", None);
    let abrupt = run_file("scenarios/draining.yaml", Some("abrupt"));
    conserved(&drained);
    conserved(&abrupt);
    assert_eq!(drained.summary.requests.total, drained.summary.requests.ok);
    assert_eq!(drained.summary.auto_scaling_groups["web"].terminations, 3);
    // With a 0 s delay the three leaving instances were mid-request (2 s
    // requests at 10/s keep ~20 in flight over 6 instances).
    assert!(abrupt.summary.requests.errors.elb_502 > 0);
    assert_eq!(
        abrupt.summary.requests.errors.elb_502,
        abrupt.summary.requests.total - abrupt.summary.requests.ok
    );
}

#[test]
fn stickiness_keeps_sessions_until_their_target_goes_away() {
    let local = run_file("scenarios/sticky-sessions.yaml", None);
    let external = run_file("scenarios/sticky-sessions.yaml", Some("external-store"));
    let none = run_file("scenarios/sticky-sessions.yaml", Some("no-stickiness"));
    for r in [&local, &external, &none] {
        conserved(r);
    }
    let l = &local.summary.load_balancers["web"];
    // Re-binds happen only when targets leave (the scale-in at 15 min).
    assert!(l.sticky_rebinds > 0);
    let rebinds: Vec<_> = local
        .activities
        .iter()
        .filter(|a| a.kind() == "sticky_rebind")
        .collect();
    // Re-binds are summarised: at most one row per minute, their counts
    // adding up to the summary's total and to the per-period metric.
    let counted: u64 = rebinds
        .iter()
        .map(|a| match a.what {
            stratus::world::Act::StickyRebind { count } => count,
            _ => unreachable!(),
        })
        .sum();
    assert_eq!(counted, l.sticky_rebinds);
    let minutes: std::collections::BTreeSet<u64> =
        rebinds.iter().map(|a| a.t / 60_000_000_000).collect();
    assert_eq!(minutes.len(), rebinds.len(), "one row per minute at most");
    let metric: f64 = local
        .series
        .to_csv()
        .lines()
        .filter(|l| l.contains(",web,StickyRebinds,"))
        .map(|l| l.rsplit(',').next().unwrap().parse::<f64>().unwrap())
        .sum();
    assert_eq!(metric as u64, l.sticky_rebinds);
    assert!(
        rebinds.iter().all(|a| a.t >= 900_000_000_000),
        "no re-bind before the scale-in"
    );
    assert!(
        rebinds
            .iter()
            .all(|a| a.details.contains("draining") || a.details.contains("deregistered"))
    );
    // Local state is lost exactly for the re-bound sessions; external keeps it.
    assert_eq!(l.sessions_lost, l.sticky_rebinds);
    let e = &external.summary.load_balancers["web"];
    assert_eq!(
        e.sticky_rebinds, l.sticky_rebinds,
        "same traffic, same re-binds (common random numbers)"
    );
    assert_eq!(e.sessions_lost, 0);
    // Without stickiness there are no re-binds, and local state is lost far more.
    let n = &none.summary.load_balancers["web"];
    assert_eq!(n.sticky_rebinds, 0);
    assert!(n.sessions_lost > 10 * l.sessions_lost);
}

#[test]
fn least_outstanding_requests_beats_round_robin_on_p99_with_mixed_service_times() {
    let lor = run_file("scenarios/least-outstanding.yaml", None);
    let rr = run_file("scenarios/least-outstanding.yaml", Some("round-robin"));
    conserved(&lor);
    conserved(&rr);
    assert!(
        lor.summary.requests.latency_ms.p99 < 0.7 * rr.summary.requests.latency_ms.p99,
        "LOR p99 {} vs RR p99 {}",
        lor.summary.requests.latency_ms.p99,
        rr.summary.requests.latency_ms.p99
    );
}

#[test]
fn round_robin_spreads_requests_evenly_over_targets() {
    let r = run(r#"
name: rr
duration: 10m
workloads: [ { name: w, to: { load_balancer: lb }, rate: 200 } ]
load_balancers: [ { name: lb, target_group: g } ]
auto_scaling_groups:
  - { name: g, min: 5, max: 5, availability_zones: [us-east-1a, us-east-1b], app: [ { compute: 5ms } ] }
"#);
    let per_target: Vec<f64> = r
        .series
        .resources
        .iter()
        .filter(|n| n.starts_with("lb/i-"))
        .map(|n| r.series.get(n, "RequestCount").iter().map(|p| p.1).sum())
        .collect();
    assert_eq!(per_target.len(), 5);
    let total: f64 = per_target.iter().sum();
    for c in &per_target {
        // Round robin is exact: each target within one request of a fifth
        // (health checks aside, which are not requests).
        assert!((c - total / 5.0).abs() <= 1.0, "{per_target:?}");
    }
}

#[test]
fn an_overloaded_instance_fails_health_checks_and_is_replaced_with_elb_health_checks() {
    // A fleet so overloaded (600/s against 400/s of capacity) that health
    // checks, queued behind up to 1,000 requests (5 s), time out after 2 s.
    // With ELB health checks the group replaces unhealthy instances; the
    // load balancer fails open meanwhile.
    let r = run(r#"
name: spiral
duration: 15m
workloads: [ { name: w, to: { load_balancer: lb }, rate: 600, timeout: 10s } ]
load_balancers:
  - { name: lb, target_group: g, health_check: { interval: 10s, timeout: 2s, unhealthy_threshold: 2, healthy_threshold: 2 } }
auto_scaling_groups:
  - name: g
    min: 2
    max: 2
    health_check: { type: ELB, grace_period: 60s }
    instance: { workers: 4, queue_limit: 1000, boot_time: 60s }
    app: [ { compute: 20ms } ]
"#);
    conserved(&r);
    let health: Vec<_> = r
        .activities
        .iter()
        .filter(|a| a.kind() == "health")
        .collect();
    assert!(
        health
            .iter()
            .any(|a| a.description.contains("is now unhealthy")),
        "{health:?}"
    );
    let g = &r.summary.auto_scaling_groups["g"];
    assert!(g.terminations > 0 && g.launches > 2, "{g:?}");
    assert!(r.activities.iter().any(|a| {
        a.cause
            .contains("in response to an ELB system health check failure")
    }));
    assert!(r.activities.iter().any(|a| {
        a.cause
            .contains("an unhealthy instance needing to be replaced")
    }));
    // Replacement does not change desired capacity: no scaling rows.
    assert_eq!(g.scaling_activities, 0);
}

#[test]
fn we_19_cross_zone_off_sends_half_the_traffic_to_the_lone_instance() {
    for (variant, lone_share) in [(None, 1.0 / 3.0), (Some("cross-zone-off"), 0.5)] {
        let r = run_file("scenarios/cross-zone.yaml", variant);
        conserved(&r);
        let mut per: Vec<f64> = r
            .series
            .resources
            .iter()
            .filter(|n| n.starts_with("web/i-"))
            .map(|n| r.series.get(n, "RequestCount").iter().map(|p| p.1).sum())
            .collect();
        per.sort_by(f64::total_cmp);
        let total: f64 = per.iter().sum();
        let top = per[2] / total;
        assert!((top - lone_share).abs() < 0.01, "{variant:?}: {per:?}");
    }
}
