//! Dynamic scaling through the whole model: alarms, policies, cooldowns,
//! warm-up — checked against the documented rules on the public outputs.

use std::path::Path;
use stratus::run::{RunResult, simulate};
use stratus::scenario::{LoadOptions, load_file};

fn spike(variant: Option<&str>) -> RunResult {
    let opts = LoadOptions {
        variant: variant.map(str::to_string),
        ..LoadOptions::default()
    };
    let sc = load_file(Path::new("scenarios/policies-on-a-spike.yaml"), &opts)
        .unwrap_or_else(|d| panic!("{d}"));
    simulate(&sc, variant, &mut |_| {})
}

fn desired_changes(r: &RunResult) -> Vec<(f64, u32, u32)> {
    r.activities
        .iter()
        .filter(|a| a.kind() == "scaling")
        .map(|a| {
            let w: Vec<&str> = a.description.split_whitespace().collect();
            let from: u32 = w[w.len() - 3].parse().expect("from");
            let to: u32 = w[w.len() - 1].parse().expect("to");
            (a.t as f64 / 1e9, from, to)
        })
        .collect()
}

#[test]
fn desired_capacity_stays_within_min_and_max_and_every_change_is_one_scaling_row() {
    for v in [None, Some("step"), Some("simple")] {
        let r = spike(v);
        let d = r.series.get("web", "GroupDesiredCapacity");
        assert!(d.iter().all(|p| (2.0..=12.0).contains(&p.1)), "{v:?}");
        let changes = desired_changes(&r);
        assert_eq!(
            changes.len() as u64,
            r.summary.auto_scaling_groups["web"].scaling_activities
        );
        // Each change starts from the previous one's result.
        let mut cur = 2;
        for (_, from, to) in &changes {
            assert_eq!(*from, cur, "{v:?} {changes:?}");
            cur = *to;
        }
        // Every launch and termination is in the history, one row each.
        let g = &r.summary.auto_scaling_groups["web"];
        assert_eq!(
            r.activities.iter().filter(|a| a.kind() == "launch").count() as u64,
            g.launches
        );
        assert!(
            r.activities
                .iter()
                .filter(|a| a.kind() == "terminate")
                .count() as u64
                >= g.terminations
        );
    }
}

#[test]
fn target_tracking_scales_out_to_ceil_n_times_metric_over_target() {
    let r = spike(None);
    let first = r
        .activities
        .iter()
        .find(|a| a.kind() == "scaling")
        .expect("a scale-out");
    // The high alarm needs 3 datapoints above 50 % (the jump at 10 min, each
    // published a minute after its period): it fires at 14:00.
    assert_eq!(first.t, 14 * 60 * 1_000_000_000);
    assert!(
        first.cause.contains("TargetTracking-web-AlarmHigh-"),
        "{}",
        first.cause
    );
    // n = 2 instances past warm-up; the datapoint that fired was the latest
    // CPU average over them (min(100, ...)); new desired = ceil(2 × cpu / 50).
    let alarm = r
        .activities
        .iter()
        .find(|a| {
            a.kind() == "alarm"
                && a.description.contains("AlarmHigh")
                && a.description.ends_with("to ALARM")
        })
        .expect("alarm row");
    let v: f64 = alarm
        .cause
        .split('[')
        .nth(1)
        .unwrap()
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let want = (2.0 * v / 50.0 - 1e-9).ceil() as u32;
    let (_, from, to) = desired_changes(&r)[0];
    assert_eq!((from, to), (2, want.min(12)));
}

#[test]
fn simple_scaling_never_acts_inside_its_cooldown() {
    let r = spike(Some("simple"));
    let changes = desired_changes(&r);
    assert!(changes.len() >= 3, "{changes:?}");
    // The cooldown (300 s) starts when the last instance of an activity is
    // done: in service after a scale-out (boot ≥ 60 s, so ≥ 360 s between
    // actions), drained after a scale-in (≥ 300 s).
    for w in changes.windows(2) {
        let gap = w[1].0 - w[0].0;
        let after_scale_out = w[0].2 > w[0].1;
        assert!(
            gap >= if after_scale_out { 360.0 } else { 300.0 },
            "{changes:?}"
        );
    }
    assert!(
        r.activities
            .iter()
            .any(|a| a.kind() == "not_scaled" && a.description.contains("cooldown until")),
        "the blocked decisions are recorded"
    );
}

#[test]
fn step_scaling_adds_more_the_further_the_metric_is_above_the_threshold() {
    // The step is chosen by how far the alarm's newest datapoint is above
    // the 60 % threshold: [0, 20) → +1, [20, 30) → +2, ≥ 30 → +4, applied
    // to the two instances (both past warm-up at the first breach).
    let first_step = |r: &RunResult| {
        let alarm = r
            .activities
            .iter()
            .find(|a| a.kind() == "alarm" && a.description.ends_with("to ALARM"))
            .expect("the step-out alarm fires");
        let v: f64 = alarm
            .cause
            .split('[')
            .nth(1)
            .and_then(|s| s.split(' ').next())
            .and_then(|s| s.parse().ok())
            .unwrap();
        let step = match v - 60.0 {
            x if x < 20.0 => 1,
            x if x < 30.0 => 2,
            _ => 4,
        };
        let changes = desired_changes(r);
        let (_, from, to) = changes[0];
        assert_eq!((from, to), (2, 2 + step), "datapoint {v}: {changes:?}");
        to - from
    };
    // The 4x spike saturates both instances: the largest step.
    let big = first_step(&spike(Some("step")));
    // A gentler step (300 requests/s, ~75 % CPU on two instances) is less
    // far above the threshold: a smaller step.
    let opts = LoadOptions {
        variant: Some("step".into()),
        sets: vec![
            "workloads[shoppers].rate.steps[1].rps=300".into(),
            "duration=20m".into(),
        ],
        ..LoadOptions::default()
    };
    let sc = load_file(Path::new("scenarios/policies-on-a-spike.yaml"), &opts)
        .unwrap_or_else(|d| panic!("{d}"));
    let small = first_step(&simulate(&sc, Some("step"), &mut |_| {}));
    assert!(big > small, "steps {big} (4x spike) vs {small} (gentle)");
}

mod properties {
    //! Properties over generated groups: whatever the policies, upkeep
    //! features and faults, desired capacity stays within [min, max], each
    //! change is one `scaling` row starting where the last ended, instances
    //! in service never exceed max + the rebalancing allowance, every EC2
    //! launch and termination is one row, simple policies never act inside
    //! their cooldown, and a run is deterministic.

    use super::desired_changes;
    use crate::util::scenario;
    use proptest::prelude::*;
    use stratus::run::simulate;

    #[derive(Debug, Clone)]
    struct Group {
        min: u32,
        span: u32,
        extra: u32,
        policy: u8,
        base: u32,
        peak: u32,
        pool: bool,
        refresh: bool,
        faults: u8,
        hook: bool,
        /// Basic (5-minute) monitoring, a running pool, a launch-first
        /// refresh, ABANDON hooks, Spot (without a pool), one suspended
        /// process (0: none).
        basic: bool,
        running_pool: bool,
        surge: bool,
        abandon: bool,
        spot: bool,
        suspend: u8,
    }

    fn group() -> impl Strategy<Value = Group> {
        (
            (1u32..4, 0u32..6, 0u32..4, 0u8..4),
            (20u32..200, 200u32..1500),
            (any::<bool>(), any::<bool>(), 0u8..4, any::<bool>()),
            (
                any::<bool>(),
                any::<bool>(),
                any::<bool>(),
                any::<bool>(),
                any::<bool>(),
                0u8..10,
            ),
        )
            .prop_map(
                |(
                    (min, span, extra, policy),
                    (base, peak),
                    (pool, refresh, faults, hook),
                    (basic, running_pool, surge, abandon, spot, suspend),
                )| Group {
                    min,
                    span,
                    extra,
                    policy,
                    base,
                    peak,
                    pool,
                    refresh,
                    faults,
                    hook,
                    basic,
                    running_pool,
                    surge,
                    abandon,
                    spot: spot && !pool,
                    suspend,
                },
            )
    }

    fn yaml(g: &Group) -> String {
        let max = g.min + g.span;
        let desired = (g.min + g.extra).min(max);
        let policy = match g.policy {
            0 => "[ { name: tt, type: target_tracking, metric: ASGAverageCPUUtilization, target: 50 } ]",
            1 => {
                "[ { name: step, type: step, alarm: { metric: CPUUtilization, comparison: \">=\", threshold: 60, period: 1m, evaluation_periods: 2 }, steps: [ { lower: 0, upper: 20, adjustment: 1 }, { lower: 20, adjustment: 3 } ] },
                   { name: step-in, type: step, alarm: { metric: CPUUtilization, comparison: \"<=\", threshold: 20, period: 1m, evaluation_periods: 3 }, steps: [ { upper: 0, adjustment: -1 } ] } ]"
            }
            2 => {
                "[ { name: add, type: simple, adjustment: 2, cooldown: 240s, alarm: { metric: CPUUtilization, comparison: \">=\", threshold: 60, period: 1m, evaluation_periods: 2 } },
                   { name: remove, type: simple, adjustment: -1, cooldown: 240s, alarm: { metric: CPUUtilization, comparison: \"<=\", threshold: 20, period: 1m, evaluation_periods: 3 } } ]"
            }
            _ => "[]",
        };
        let pool = match (g.pool, g.running_pool) {
            (false, _) => "",
            (true, false) => "warm_pool: { min_size: 1 }",
            (true, true) => "warm_pool: { min_size: 1, pool_state: Running }",
        };
        let refresh = match (g.refresh, g.surge) {
            (false, _) => "",
            (true, false) => "instance_refresh: { at: 12m, instance_warmup: 60s }",
            (true, true) => {
                "instance_refresh: { at: 12m, instance_warmup: 60s, min_healthy_percentage: 100, max_healthy_percentage: 150 }"
            }
        };
        let hook = match (g.hook, g.abandon) {
            (false, _) => "",
            (true, false) => {
                "lifecycle_hooks: [ { name: h, transition: launching, heartbeat_timeout: 60s, default_result: CONTINUE, completes_after: { dist: uniform, min: 10s, max: 90s } } ]"
            }
            (true, true) => {
                "lifecycle_hooks: [ { name: h, transition: launching, heartbeat_timeout: 60s, default_result: ABANDON, completes_after: { dist: uniform, min: 10s, max: 90s } } ]"
            }
        };
        let suspended = [
            "",
            "Launch",
            "Terminate",
            "HealthCheck",
            "ReplaceUnhealthy",
            "AZRebalance",
            "AlarmNotification",
            "ScheduledActions",
            "AddToLoadBalancer",
            "InstanceRefresh",
        ][g.suspend as usize];
        let monitoring = if g.basic { "basic" } else { "detailed" };
        let market = if g.spot {
            "market: spot, interruption_rate: 2,"
        } else {
            ""
        };
        let faults = match g.faults {
            0 => "[]",
            1 => "[ { at: 8m, kind: az_outage, az: us-east-1a, duration: 6m } ]",
            2 => {
                "[ { at: 7m, kind: instance_failure, auto_scaling_group: g, count: 2, mode: hung } ]"
            }
            _ => {
                "[ { at: 9m, kind: instance_failure, auto_scaling_group: g, count: 1, mode: stopped } ]"
            }
        };
        format!(
            r#"
name: prop
duration: 30m
workloads:
  - {{ name: w, to: {{ load_balancer: lb }}, timeout: 10s,
       rate: {{ pattern: spike, base: {base}, peak: {peak}, at: 6m, duration: 10m }} }}
load_balancers:
  - {{ name: lb, target_group: g, idle_timeout: 10s, deregistration_delay: 20s,
       health_check: {{ interval: 10s, timeout: 2s }} }}
auto_scaling_groups:
  - name: g
    availability_zones: [us-east-1a, us-east-1b]
    min: {min}
    max: {max}
    desired: {desired}
    default_instance_warmup: 60s
    health_check: {{ type: ELB, grace_period: 30s }}
    instance: {{ workers: 4, queue_limit: 40, boot_time: {{ dist: uniform, min: 40s, max: 90s }}, monitoring: {monitoring}, {market} }}
    suspended_processes: [{suspended}]
    app: [ {{ compute: {{ dist: exponential, mean: 20ms }} }} ]
    scaling_policies: {policy}
    {pool}
    {refresh}
    {hook}
faults: {faults}
"#,
            base = g.base,
            peak = g.peak,
            min = g.min,
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

        #[test]
        fn auto_scaling_invariants_hold_for_generated_groups(g in group()) {
            let sc = scenario(&yaml(&g));
            let r = simulate(&sc, None, &mut |_| {});
            let (min, max) = (g.min as f64, (g.min + g.span) as f64);
            // Desired within [min, max] in every period.
            for p in r.series.get("g", "GroupDesiredCapacity") {
                prop_assert!(p.1 >= min && p.1 <= max, "{g:?}: desired {} at {}", p.1, p.0);
            }
            // In service never above max + max(1, 10 % of max) (WE-14).
            let mut ceiling = max + (max * 0.1).floor().max(1.0);
            if g.refresh && g.surge {
                // A launch-first refresh may run up to MaxHealthyPercentage
                // (150 %) of desired capacity (`API-ASG:InstanceMaintenancePolicy`).
                ceiling = ceiling.max((max * 1.5).floor());
            }
            for p in r.series.get("g", "GroupInServiceInstances") {
                prop_assert!(p.1 <= ceiling, "{g:?}: {} in service at {}", p.1, p.0);
            }
            // One `scaling` row per change, each starting where the last ended.
            let changes = desired_changes(&r);
            let s = &r.summary.auto_scaling_groups["g"];
            prop_assert_eq!(changes.len() as u64, s.scaling_activities);
            let mut cur = (g.min + g.extra).min(g.min + g.span);
            for (_, from, to) in &changes {
                prop_assert_eq!(*from, cur);
                prop_assert!(*to as f64 >= min && *to as f64 <= max);
                cur = *to;
            }
            // Every EC2 launch is one row (a start from the warm pool is
            // not a launch), every termination at most one.
            let launches = r
                .activities
                .iter()
                .filter(|a| a.kind() == "launch" && !a.description.contains("from warm pool"))
                .count() as u64;
            prop_assert_eq!(launches, s.launches);
            let terms = r.activities.iter().filter(|a| a.kind() == "terminate").count() as u64;
            prop_assert!(terms >= s.terminations, "{} rows < {}", terms, s.terminations);
            // Simple policies: no change of desired capacity by a simple
            // policy inside the cooldown that a `cooldown` row announced.
            if g.policy == 2 {
                let mut until = 0u64;
                for a in &r.activities {
                    if a.kind() == "cooldown" {
                        let secs: u64 = a.description
                            .trim_start_matches("Cooldown until ")
                            .trim_end_matches('s')
                            .parse()
                            .unwrap();
                        until = secs * 1_000_000_000;
                    }
                    if a.kind() == "scaling" && a.cause.contains("triggered policy") {
                        prop_assert!(a.t >= until, "{g:?}: scaled at {} inside cooldown until {}", a.t, until);
                    }
                }
            }
            // Deterministic: the same scenario again gives the same history.
            let again = simulate(&sc, None, &mut |_| {});
            prop_assert_eq!(r.activities.len(), again.activities.len());
            for (a, b) in r.activities.iter().zip(&again.activities) {
                prop_assert_eq!((a.t, &a.description, &a.cause), (b.t, &b.description, &b.cause));
            }
        }
    }
}

#[test]
fn we18_a_five_minute_alarm_is_evaluated_every_minute_over_a_sliding_window() {
    // 600 requests a minute, 1,200 from 7 min on; a 5-minute Sum alarm
    // above 4,000 with N = 1. Sliding: the window ending at 9 min (minutes
    // 5–9: 3 × 600 + 2 × 1,200 = 4,200) breaches, published a minute later,
    // so the alarm goes to ALARM at 10:00. Evaluated only at period ends it
    // would wait for the window ending at 10 min, seen at 11:00.
    let r = crate::util::run(
        r#"
name: we18
duration: 15m
workloads:
  - { name: w, to: { load_balancer: lb }, arrivals: uniform,
      rate: { pattern: step, steps: [ { at: 0s, rps: 10 }, { at: 7m, rps: 20 } ] } }
load_balancers: [ { name: lb, target_group: g } ]
auto_scaling_groups:
  - name: g
    min: 2
    max: 4
    app: [ { compute: 5ms } ]
    scaling_policies:
      - name: add
        type: simple
        adjustment: 1
        alarm: { name: busy, metric: RequestCount, statistic: Sum, comparison: ">",
                 threshold: 4000, period: 5m, evaluation_periods: 1 }
"#,
    );
    let to_alarm = r
        .activities
        .iter()
        .find(|a| a.kind() == "alarm" && a.description.ends_with("to ALARM"))
        .expect("the alarm fires");
    assert_eq!(to_alarm.t, 10 * 60 * 1_000_000_000, "{to_alarm:?}");
}

mod worked_examples {
    //! WE-03…WE-06 through whole runs: simple policies on alarms over
    //! GroupInServiceInstances, a metric the run makes exact, so the first
    //! `scaling` row shows AWS's arithmetic on the public output.

    use super::desired_changes;
    use crate::util::run;

    /// A group of `desired` (min, max) with simple `policies` whose alarm
    /// is GroupInServiceInstances `cmp` `threshold`; the first change.
    fn first_change(min: u32, max: u32, desired: u32, policies: &[&str]) -> (u32, u32) {
        let pols: Vec<String> = policies
            .iter()
            .enumerate()
            .map(|(k, p)| {
                format!(
                    "      - {{ name: p{k}, type: simple, {p}, cooldown: 1h,\n          alarm: {{ metric: GroupInServiceInstances, comparison: \">=\", threshold: 1, period: 1m, evaluation_periods: 1 }} }}"
                )
            })
            .collect();
        let r = run(&format!(
            r#"
name: we
duration: 10m
auto_scaling_groups:
  - name: g
    min: {min}
    max: {max}
    desired: {desired}
    scaling_policies:
{}
"#,
            pols.join("\n")
        ));
        let c = desired_changes(&r);
        assert!(!c.is_empty(), "no change");
        assert_eq!(c[0].0, 120.0, "first datapoint (minute 1) is seen at 2:00");
        (c[0].1, c[0].2)
    }

    #[test]
    fn we03_percent_change_rounds_toward_zero_but_never_to_zero() {
        // +17 % of 4 = 0.68 → +1; −14 % of 4 = −0.56 → −1; +330 % of 4 =
        // 13.2 → +13 (truncated, like WE-03's 12.7 → 12).
        let pc = |p: &str| format!("adjustment_type: PercentChangeInCapacity, adjustment: {p}");
        assert_eq!(first_change(1, 30, 4, &[&pc("17")]), (4, 5));
        assert_eq!(first_change(1, 30, 4, &[&pc("-14")]), (4, 3));
        assert_eq!(first_change(1, 30, 4, &[&pc("330")]), (4, 17));
    }

    #[test]
    fn we04_min_adjustment_magnitude() {
        // +25 % of 4 = 1, MinAdjustmentMagnitude 2 → +2 (6 instances).
        assert_eq!(
            first_change(
                1,
                10,
                4,
                &[
                    "adjustment_type: PercentChangeInCapacity, adjustment: 25, min_adjustment_magnitude: 2"
                ]
            ),
            (4, 6)
        );
    }

    #[test]
    fn we05_clamping_to_min_and_max() {
        // (a) max 3, current 2, +3 → 3; (b) min 2, current 3, −2 → 2.
        assert_eq!(first_change(1, 3, 2, &["adjustment: 3"]), (2, 3));
        assert_eq!(first_change(2, 6, 3, &["adjustment: -2"]), (3, 2));
    }

    #[test]
    fn we06_several_policies_at_once_the_largest_capacity_wins() {
        // Scale-out: +1 and +2 at once → +2.
        assert_eq!(
            first_change(1, 10, 2, &["adjustment: 1", "adjustment: 2"]),
            (2, 4)
        );
        // Scale-in: a group of 8; −3 and −25 % (= −2) at once → −2.
        assert_eq!(
            first_change(
                1,
                10,
                8,
                &[
                    "adjustment: -3",
                    "adjustment_type: PercentChangeInCapacity, adjustment: -25"
                ]
            ),
            (8, 6)
        );
    }
}

#[test]
fn target_tracking_does_not_scale_in_twice_on_the_larger_fleets_datapoints() {
    // 700 requests/s of exactly 40 ms on 12 instances × 8 workers: 29.2 %
    // CPU, below 0.9 × 50 % for 15 minutes, so the low alarm scales in to
    // floor(12 × 29.2 / 50) = 7. The datapoints of the next minutes were
    // still measured on 12 instances: they describe the same load, which 7
    // instances carry at 50 %, so no second scale-in follows (applying them
    // to 7 instances would give floor(7 × 29.2 / 50) = 4).
    let r = crate::util::run(
        r#"
name: tt-in
duration: 30m
workloads: [ { name: w, to: { load_balancer: lb }, arrivals: uniform, rate: 700 } ]
load_balancers: [ { name: lb, target_group: g, deregistration_delay: 0s } ]
auto_scaling_groups:
  - name: g
    min: 1
    max: 12
    desired: 12
    instance: { workers: 8, queue_limit: 100 }
    app: [ { compute: 40ms } ]
    scaling_policies:
      - { name: cpu, type: target_tracking, metric: ASGAverageCPUUtilization, target: 50 }
"#,
    );
    let changes = desired_changes(&r);
    assert_eq!(
        changes.first().map(|c| (c.1, c.2)),
        Some((12, 7)),
        "{changes:?}"
    );
    // No further scale-in (at 7 the fleet runs at or just above 50 %: the
    // health checks' cost may tip the high alarm into adding one back).
    assert!(changes.iter().skip(1).all(|c| c.2 > c.1), "{changes:?}");
}
