//! The group's upkeep through the public outputs: unhealthy replacement
//! pacing (WE-15), maximum instance lifetime, instance refresh (WE-16), warm
//! pools (WE-10), lifecycle hook heartbeats and the global timeout (WE-11),
//! and suspended processes.

use crate::util::run;
use stratus::world::Activity;

const S: u64 = 1_000_000_000;
const MIN: u64 = 60 * S;

/// Termination rows whose cause contains `what`, as (time, row).
fn terminations<'a>(acts: &'a [Activity], what: &str) -> Vec<&'a Activity> {
    acts.iter()
        .filter(|a| a.kind() == "terminate" && a.cause.contains(what))
        .collect()
}

/// Times at which rows happen, grouped: (time, how many).
fn batches(rows: &[&Activity]) -> Vec<(u64, usize)> {
    let mut out: Vec<(u64, usize)> = Vec::new();
    for r in rows {
        match out.last_mut() {
            Some(b) if b.0 == r.t => b.1 += 1,
            _ => out.push((r.t, 1)),
        }
    }
    out
}

/// A fleet of `desired` behind a load balancer, `hung` of them hung at
/// 5 min: only ELB health checks see it, so they are replaced as unhealthy
/// instances, not as stopped ones.
fn hung_fleet(desired: u32, hung: u32) -> stratus::run::RunResult {
    run(&format!(
        r#"
name: pacing
duration: 30m
workloads: [ {{ name: w, to: {{ load_balancer: lb }}, rate: 50 }} ]
load_balancers:
  - {{ name: lb, target_group: g, idle_timeout: 5s, health_check: {{ interval: 10s, timeout: 2s }} }}
auto_scaling_groups:
  - name: g
    availability_zones: [us-east-1a, us-east-1b]
    min: {desired}
    max: {desired}
    health_check: {{ type: ELB, grace_period: 0s }}
    default_instance_warmup: 60s
    instance: {{ boot_time: 60s, workers: 8 }}
    app: [ {{ compute: 5ms }} ]
faults:
  - {{ at: 5m, kind: instance_failure, auto_scaling_group: g, count: {hung}, mode: hung }}
"#
    ))
}

#[test]
fn we15_unhealthy_instances_are_replaced_ten_percent_of_desired_at_a_time() {
    // Desired 50, 8 unhealthy: batches of at most 5 (10 % of 50); the
    // second batch waits until the first batch's replacements are in
    // service (60 s boot) and warmed up (60 s).
    let r = hung_fleet(50, 8);
    let t = terminations(&r.activities, "ELB system health check failure");
    assert_eq!(t.len(), 8, "{t:#?}");
    let b = batches(&t);
    assert_eq!(
        b.iter().map(|x| x.1).collect::<Vec<_>>(),
        vec![5, 3],
        "{b:?}"
    );
    assert!(b[1].0 - b[0].0 >= 120 * S, "{b:?}");
    // Each replacement launches when its termination starts; desired stays.
    let g = &r.summary.auto_scaling_groups["g"];
    assert_eq!(g.launches, 58);
    assert_eq!(g.scaling_activities, 0);
    let marked = r
        .activities
        .iter()
        .filter(|a| a.kind() == "health" && a.description.contains("marked Unhealthy"))
        .count();
    assert_eq!(marked, 8);
}

#[test]
fn we15_a_small_group_replaces_one_at_a_time() {
    // Desired 5: 10 % is 0.5, so one at a time, each after the previous
    // replacement is in service and warmed up.
    let r = hung_fleet(5, 3);
    let t = terminations(&r.activities, "ELB system health check failure");
    assert_eq!(t.len(), 3);
    let b = batches(&t);
    assert!(b.iter().all(|x| x.1 == 1), "{b:?}");
    for w in b.windows(2) {
        assert!(w[1].0 - w[0].0 >= 120 * S, "{b:?}");
    }
}

#[test]
fn suspending_replace_unhealthy_keeps_unhealthy_instances() {
    let r = run(r#"
name: no-replace
duration: 15m
workloads: [ { name: w, to: { load_balancer: lb }, rate: 20 } ]
load_balancers:
  - { name: lb, target_group: g, idle_timeout: 5s, health_check: { interval: 10s, timeout: 2s } }
auto_scaling_groups:
  - name: g
    min: 3
    max: 3
    health_check: { type: ELB }
    suspended_processes: [ReplaceUnhealthy]
    app: [ { compute: 5ms } ]
faults:
  - { at: 2m, kind: instance_failure, auto_scaling_group: g, count: 1, mode: hung }
"#);
    // Marked unhealthy, never terminated.
    assert!(
        r.activities
            .iter()
            .any(|a| a.kind() == "health" && a.description.contains("marked Unhealthy"))
    );
    assert_eq!(r.summary.auto_scaling_groups["g"].terminations, 0);
}

#[test]
fn maximum_instance_lifetime_replaces_instances_one_at_a_time() {
    // Three instances launched at t = 0 with a one-day lifetime: replaced
    // from 24 h on, one at a time (10 % of 3 is below one), each after the
    // previous replacement is ready (90 s boot + 60 s warm-up).
    let r = run(r#"
name: lifetime
duration: 25h
metrics_period: 5m
workloads: [ { name: w, to: { load_balancer: lb }, rate: 1 } ]
load_balancers: [ { name: lb, target_group: g } ]
auto_scaling_groups:
  - name: g
    min: 3
    max: 3
    default_instance_warmup: 60s
    max_instance_lifetime: 1d
    instance: { boot_time: 90s }
    app: [ { compute: 5ms } ]
"#);
    let t = terminations(&r.activities, "maximum instance lifetime");
    assert_eq!(t.len(), 3, "{t:#?}");
    assert!(t[0].t >= 24 * 60 * MIN && t[0].t < 24 * 60 * MIN + MIN);
    let b = batches(&t);
    assert!(b.iter().all(|x| x.1 == 1), "{b:?}");
    for w in b.windows(2) {
        assert!(w[1].0 - w[0].0 >= 150 * S, "{b:?}");
    }
    let g = &r.summary.auto_scaling_groups["g"];
    assert_eq!(
        (g.launches, g.terminations, g.scaling_activities),
        (6, 3, 0)
    );
}

#[test]
fn maximum_instance_lifetime_below_a_day_is_rejected() {
    let sc = r#"
name: bad
duration: 1h
auto_scaling_groups:
  - { name: g, min: 1, max: 1, max_instance_lifetime: 12h }
"#;
    let err = stratus::scenario::load_str(
        sc,
        "bad.yaml",
        std::path::Path::new("."),
        &Default::default(),
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("bad.yaml:5:"), "{err}");
    assert!(
        err.contains("max_instance_lifetime must be 0s (none) or at least 1d"),
        "{err}"
    );
}

fn refresh(min_healthy: u32, max_healthy: u32) -> stratus::run::RunResult {
    run(&format!(
        r#"
name: refresh
duration: 50m
workloads: [ {{ name: w, to: {{ load_balancer: lb }}, rate: 50 }} ]
load_balancers: [ {{ name: lb, target_group: g, deregistration_delay: 5s }} ]
auto_scaling_groups:
  - name: g
    min: 10
    max: 20
    instance: {{ boot_time: 60s }}
    app: [ {{ compute: 5ms }} ]
    instance_refresh: {{ at: 5m, min_healthy_percentage: {min_healthy}, max_healthy_percentage: {max_healthy}, instance_warmup: 60s }}
"#
    ))
}

fn min_in_service_after(r: &stratus::run::RunResult, from_s: f64) -> f64 {
    r.series
        .get("g", "GroupInServiceInstances")
        .iter()
        .filter(|p| p.0 >= from_s)
        .map(|p| p.1)
        .fold(f64::MAX, f64::min)
}

#[test]
fn we16_instance_refresh_at_90_percent_replaces_one_tenth_at_a_time() {
    let r = refresh(90, 100);
    let t = terminations(&r.activities, "in response to an instance refresh");
    assert_eq!(t.len(), 10);
    let b = batches(&t);
    assert!(b.iter().all(|x| x.1 == 1), "{b:?}");
    // Each batch waits for its replacement: 60 s boot + 60 s warm-up.
    for w in b.windows(2) {
        assert!(w[1].0 - w[0].0 >= 120 * S, "{b:?}");
    }
    assert!(min_in_service_after(&r, 0.0) >= 9.0);
    let launched = r
        .activities
        .iter()
        .filter(|a| a.kind() == "launch" && a.cause.contains("in response to an instance refresh"))
        .count();
    assert_eq!(launched, 10);
    let rows: Vec<_> = r
        .activities
        .iter()
        .filter(|a| a.kind() == "instance_refresh")
        .collect();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].t, 5 * MIN);
    assert!(rows[0].description.contains("version 1 to 2"));
    assert!(rows[1].description.contains("10 instance(s) replaced"));
    assert_eq!(r.summary.auto_scaling_groups["g"].scaling_activities, 0);
}

#[test]
fn we16_instance_refresh_at_0_percent_replaces_all_at_once() {
    let r = refresh(0, 100);
    let t = terminations(&r.activities, "in response to an instance refresh");
    assert_eq!(batches(&t), vec![(5 * MIN, 10)]);
}

#[test]
fn instance_refresh_above_100_percent_launches_first() {
    // Min 100 %, max 110 %: one new instance at a time, launched before the
    // old one goes, so in-service capacity never drops below desired.
    let r = refresh(100, 110);
    let t = terminations(&r.activities, "in response to an instance refresh");
    assert_eq!(t.len(), 10);
    let first_launch = r
        .activities
        .iter()
        .find(|a| a.kind() == "launch" && a.cause.contains("instance refresh"))
        .unwrap();
    assert!(first_launch.t < t[0].t);
    assert!(min_in_service_after(&r, 0.0) >= 10.0);
}

const POOL: &str = r#"
name: pool
duration: 30m
workloads: [ { name: w, to: { load_balancer: lb }, rate: 50 } ]
load_balancers: [ { name: lb, target_group: g, deregistration_delay: 0s } ]
auto_scaling_groups:
  - name: g
    min: 1
    max: 10
    desired: 6
    instance: { boot_time: 240s, price_per_hour: 0.1 }
    app: [ { compute: 5ms } ]
    warm_pool: { min_size: 0 }
    scheduled_actions:
      - { name: up, at: 10m, desired: 8 }
      - { name: down, at: 20m, desired: 6 }
"#;

fn last(r: &stratus::run::RunResult, metric: &str, before_s: f64) -> f64 {
    r.series
        .get("g", metric)
        .iter()
        .rfind(|p| p.0 < before_s)
        .map(|p| p.1)
        .unwrap()
}

#[test]
fn we10_warm_pool_size_is_max_or_prepared_capacity_minus_desired() {
    let r = run(POOL);
    // Desired 6, max 10 → 4 in the pool.
    assert_eq!(last(&r, "WarmPoolDesiredCapacity", 540.0), 4.0);
    assert_eq!(last(&r, "WarmPoolWarmedCapacity", 540.0), 4.0);
    let r = run(&POOL.replace(
        "warm_pool: { min_size: 0 }",
        "warm_pool: { max_group_prepared_capacity: 8 }",
    ));
    // With MaxGroupPreparedCapacity 8 → 2.
    assert_eq!(last(&r, "WarmPoolDesiredCapacity", 540.0), 2.0);
    assert_eq!(last(&r, "WarmPoolWarmedCapacity", 540.0), 2.0);
}

#[test]
fn a_scale_out_takes_warm_pool_instances_first_and_they_start_fast() {
    let r = run(POOL);
    let warm: Vec<_> = r
        .activities
        .iter()
        .filter(|a| a.kind() == "launch" && a.description.contains("from warm pool"))
        .collect();
    assert_eq!(warm.len(), 2);
    assert!(warm.iter().all(|a| a.t == 10 * MIN));
    // A stopped pool instance starts in 30 s instead of a 240 s boot: in
    // service at 10:30, well before a cold launch could be. (A metrics row
    // at t holds the value at the end of its period, t + 60 s.)
    let ins = r.series.get("g", "GroupInServiceInstances");
    let at = |t: f64| ins.iter().find(|p| p.0 == t).map(|p| p.1).unwrap();
    assert_eq!(at(540.0), 6.0);
    assert_eq!(at(600.0), 8.0);
    // While desired is 8 the pool holds max − desired = 2; the scale-in to 6
    // terminates two instances (no reuse policy) and refills the pool to 4
    // with new launches into it.
    assert_eq!(last(&r, "WarmPoolDesiredCapacity", 1140.0), 2.0);
    assert_eq!(last(&r, "WarmPoolWarmedCapacity", 1140.0), 2.0);
    let refills = r
        .activities
        .iter()
        .filter(|a| a.kind() == "launch" && a.t == 20 * MIN && a.cause.contains("warm pool"))
        .count();
    assert_eq!(refills, 2);
    assert_eq!(last(&r, "WarmPoolWarmedCapacity", 1800.0), 4.0);
    assert_eq!(r.summary.auto_scaling_groups["g"].terminations, 2);
}

#[test]
fn stopped_warm_pool_instances_are_not_billed_for_compute() {
    // 6 in service for 30 min = 3 instance-hours; the 4 stopped in the pool
    // (prepared before the run) add nothing.
    let quiet = POOL
        .replace("      - { name: up, at: 10m, desired: 8 }\n", "")
        .replace("      - { name: down, at: 20m, desired: 6 }\n", "")
        .replace("scheduled_actions:", "scheduled_actions: []");
    let r = run(&quiet);
    let g = &r.summary.auto_scaling_groups["g"];
    assert!((g.instance_hours - 3.0).abs() < 1e-9, "{g:?}");
    let r = run(POOL);
    let g = &r.summary.auto_scaling_groups["g"];
    // Eight in service from 10 to 20 min (two out of the pool), then six;
    // plus the two refill launches, billed while they boot into the pool
    // (240 s each) and not after they stop.
    let expect = (6.0 * 30.0 + 2.0 * 10.0) / 60.0 + 2.0 * 240.0 / 3600.0;
    assert!(
        (g.instance_hours - expect).abs() < 1e-6,
        "{} vs {expect}",
        g.instance_hours
    );
}

fn hook(fields: &str) -> stratus::run::RunResult {
    run(&format!(
        r#"
name: hook
duration: 4h
metrics_period: 5m
workloads: [ {{ name: w, to: {{ load_balancer: lb }}, rate: 1 }} ]
load_balancers: [ {{ name: lb, target_group: g }} ]
auto_scaling_groups:
  - name: g
    min: 1
    max: 2
    desired: 1
    instance: {{ boot_time: 60s }}
    app: [ {{ compute: 5ms }} ]
    scheduled_actions: [ {{ name: up, at: 1m, desired: 2 }} ]
    lifecycle_hooks:
      - {{ name: setup, transition: launching, {fields} }}
"#
    ))
}

#[test]
fn we11a_one_heartbeat_extends_the_wait_to_ninety_minutes() {
    // Heartbeat timeout 1 h, one heartbeat at 30 min, never completed:
    // the wait ends at 90 min with the default result (CONTINUE here).
    let r = hook(
        "heartbeat_timeout: 3600s, default_result: CONTINUE, heartbeat_every: 30m, heartbeats: 1",
    );
    let row = r
        .activities
        .iter()
        .find(|a| a.kind() == "lifecycle" && a.description.contains("Pending:Wait"))
        .unwrap();
    // Launched at 1 min, booted at 2 min, released at 2 min + 90 min.
    assert_eq!(row.t, 2 * MIN);
    assert!(
        row.cause.contains("T10:32:00Z with result CONTINUE"),
        "{}",
        row.cause
    );
    assert!(row.cause.contains("heartbeat timeout"), "{}", row.cause);
}

#[test]
fn we11c_heartbeats_cannot_outlast_the_global_timeout() {
    // Heartbeat timeout 120 s kept alive every 60 s: the global timeout
    // min(48 h, 100 × 120 s) = 12,000 s ends the wait; ABANDON (the
    // default) terminates the instance and launches another.
    let r = hook("heartbeat_timeout: 120s, heartbeat_every: 60s");
    let row = r
        .activities
        .iter()
        .find(|a| a.kind() == "lifecycle" && a.description.contains("Pending:Wait"))
        .unwrap();
    assert!(row.cause.contains("global timeout"), "{}", row.cause);
    assert!(row.cause.contains("with result ABANDON"), "{}", row.cause);
    let abandoned = r
        .activities
        .iter()
        .find(|a| a.kind() == "terminate" && a.cause.contains("ABANDON"))
        .unwrap();
    assert_eq!(abandoned.t, 2 * MIN + 12_000 * S);
}

#[test]
fn suspended_launch_and_scheduled_actions_do_nothing_and_say_so() {
    let r = run(r#"
name: suspended
duration: 10m
auto_scaling_groups:
  - name: g
    min: 1
    max: 5
    desired: 2
    suspended_processes: [Launch]
    scheduled_actions: [ { name: up, at: 1m, desired: 4 } ]
"#);
    let g = &r.summary.auto_scaling_groups["g"];
    assert_eq!(g.launches, 2);
    assert!(
        r.activities
            .iter()
            .any(|a| a.kind() == "suspended" && a.cause.contains("its Launch process is suspended"))
    );
    let r = run(r#"
name: suspended
duration: 10m
auto_scaling_groups:
  - name: g
    min: 1
    max: 5
    desired: 2
    suspended_processes: [ScheduledActions]
    scheduled_actions: [ { name: up, at: 1m, desired: 4 } ]
"#);
    assert_eq!(r.summary.auto_scaling_groups["g"].scaling_activities, 0);
    assert!(
        r.activities
            .iter()
            .any(|a| a.kind() == "suspended" && a.cause.contains("the scheduled action up was due"))
    );
}

#[test]
fn suspended_terminate_blocks_scale_in() {
    let r = run(r#"
name: suspended
duration: 10m
auto_scaling_groups:
  - name: g
    min: 1
    max: 5
    desired: 4
    suspended_processes: [Terminate]
    scheduled_actions: [ { name: down, at: 1m, desired: 1 } ]
"#);
    assert_eq!(r.summary.auto_scaling_groups["g"].terminations, 0);
    assert_eq!(r.summary.auto_scaling_groups["g"].min_in_service, 4);
}

#[test]
fn suspended_alarm_notification_changes_alarm_states_but_not_capacity() {
    let r = run(r#"
name: alarms
duration: 20m
workloads: [ { name: w, to: { load_balancer: lb }, rate: 300 } ]
load_balancers: [ { name: lb, target_group: g } ]
auto_scaling_groups:
  - name: g
    min: 2
    max: 6
    suspended_processes: [AlarmNotification]
    instance: { workers: 4 }
    app: [ { compute: 20ms } ]
    scaling_policies:
      - { name: cpu, type: target_tracking, metric: ASGAverageCPUUtilization, target: 40 }
"#);
    assert!(
        r.activities
            .iter()
            .any(|a| a.kind() == "alarm" && a.description.contains("to ALARM"))
    );
    assert_eq!(r.summary.auto_scaling_groups["g"].scaling_activities, 0);
    assert!(r.activities.iter().any(|a| {
        a.kind() == "not_scaled"
            && a.description
                .contains("AlarmNotification process is suspended")
    }));
}

/// A small group behind a load balancer with `extra` settings (YAML lines
/// at the group's indentation) — the shape of the review's reproductions.
fn small(duration: &str, min: u32, max: u32, desired: u32, extra: &str) -> stratus::run::RunResult {
    run(&format!(
        r#"
name: small
seed: 9
duration: {duration}
metrics_period: 1m
workloads: [ {{ name: api, to: {{ load_balancer: web }}, rate: 20, timeout: 10s }} ]
load_balancers: [ {{ name: web, target_group: web, deregistration_delay: 5s }} ]
auto_scaling_groups:
  - name: web
    availability_zones: [us-east-1a, us-east-1b]
    min: {min}
    max: {max}
    desired: {desired}
    default_instance_warmup: 60s
    launch_template: {{ name: web, version: 1 }}
    instance: {{ workers: 4, boot_time: {{ dist: uniform, min: 60s, max: 120s }} }}
    app: [ {{ compute: 20ms }} ]
{extra}
"#
    ))
}

#[test]
fn maximum_lifetime_applies_to_instances_launched_later() {
    // The group starts empty; three instances launched at 1 h are replaced
    // a day after they entered service.
    let r = small(
        "1d2h",
        0,
        6,
        0,
        "    max_instance_lifetime: 1d\n    scheduled_actions: [ { name: up, at: 1h, desired: 3 } ]",
    );
    let t = terminations(&r.activities, "maximum instance lifetime");
    assert_eq!(t.len(), 3, "{t:#?}");
    assert!(t[0].t >= 25 * 60 * MIN);
}

#[test]
fn instance_refresh_also_replaces_the_warm_pool() {
    // After the group's instances, the pool's version-1 instances go and the
    // pool refills from version 2: a later scale-out starts version-2
    // instances only, so nothing after the refresh is terminated as stale.
    let r = small(
        "1h",
        2,
        4,
        2,
        "    warm_pool: { pool_state: Stopped }\n    instance_refresh: { at: 5m, min_healthy_percentage: 50 }\n    scheduled_actions: [ { name: up, at: 40m, desired: 4 } ]",
    );
    let done = r
        .activities
        .iter()
        .find(|a| a.kind() == "instance_refresh" && a.description.contains("finished"))
        .unwrap();
    // 2 in service + 2 in the pool.
    assert!(
        done.description.contains("4 instance(s) replaced"),
        "{}",
        done.description
    );
    let pool_refills = r
        .activities
        .iter()
        .filter(|a| a.t == done.t && a.description.contains("into warm pool"))
        .count();
    assert_eq!(pool_refills, 2);
    let warm_starts: Vec<_> = r
        .activities
        .iter()
        .filter(|a| a.description.contains("from warm pool"))
        .collect();
    assert_eq!(warm_starts.len(), 2);
    // The instances started at 40 min are ones launched into the pool
    // after the refresh began.
    let pool_launch_ids: Vec<&str> = r
        .activities
        .iter()
        .filter(|a| a.t >= 5 * MIN && a.description.contains("into warm pool"))
        .map(|a| a.description.rsplit(' ').next().unwrap())
        .collect();
    for w in warm_starts {
        let id = w.description.rsplit(' ').next().unwrap();
        assert!(pool_launch_ids.contains(&id), "{id} predates the refresh");
    }
}

#[test]
fn a_scale_in_during_a_launch_first_refresh_keeps_desired_capacity() {
    let r = small(
        "1h",
        1,
        20,
        10,
        "    instance_refresh: { at: 5m, min_healthy_percentage: 100, max_healthy_percentage: 110 }\n    scheduled_actions: [ { name: down, at: 5m30s, desired: 9 } ]",
    );
    let ins = r.series.get("web", "GroupInServiceInstances");
    let last = ins.last().unwrap().1;
    assert_eq!(last, 9.0, "{ins:?}");
    assert!(
        r.activities
            .iter()
            .any(|a| a.description.contains("Instance refresh finished"))
    );
}

#[test]
fn a_refresh_between_100_and_110_percent_never_runs_above_the_maximum() {
    // Min 90 %, max 110 % of 10: at most 11 running (in service + pending),
    // at least 9 in service.
    let r = small(
        "1h",
        10,
        20,
        10,
        "    instance_refresh: { at: 5m, min_healthy_percentage: 90, max_healthy_percentage: 110 }",
    );
    let ins = r.series.get("web", "GroupInServiceInstances");
    let pend = r.series.get("web", "GroupPendingInstances");
    for (a, b) in ins.iter().zip(&pend) {
        assert!(a.1 + b.1 <= 11.0, "{} running at {}", a.1 + b.1, a.0);
        assert!(a.1 >= 9.0, "{} in service at {}", a.1, a.0);
    }
    assert!(
        r.activities
            .iter()
            .any(|a| a.description.contains("10 instance(s) replaced"))
    );
}

#[test]
fn a_version_change_during_a_refresh_becomes_its_target() {
    let r = small(
        "2h",
        2,
        4,
        2,
        "    instance_refresh: { at: 5m, min_healthy_percentage: 50 }\n    scheduled_actions: [ { name: v3, at: 6m, launch_template_version: 3 } ]",
    );
    let done = r
        .activities
        .iter()
        .find(|a| a.description.contains("Instance refresh finished"))
        .expect("the refresh finishes");
    assert!(done.cause.contains("version 3"), "{}", done.cause);
    assert!(r.summary.auto_scaling_groups["web"].terminations <= 6);
}

#[test]
fn the_warm_pool_is_spread_over_the_zones_and_refills_away_from_a_failed_one() {
    let r = small(
        "40m",
        2,
        10,
        2,
        "    warm_pool: { pool_state: Stopped }\nfaults: [ { at: 10m, kind: az_outage, az: us-east-1a, duration: 20m } ]",
    );
    // 8 in the pool, 4 per zone; the outage takes zone a's 4 (and its
    // in-service instance, replaced from the pool), and the pool refills in
    // zone b while a is down.
    let failed = r
        .activities
        .iter()
        .filter(|a| a.kind() == "terminate" && a.t == 10 * MIN)
        .count();
    assert_eq!(failed, 5);
    let warmed = r.series.get("web", "WarmPoolWarmedCapacity");
    let at = |t: f64| warmed.iter().find(|p| p.0 == t).map(|p| p.1).unwrap();
    // (A row at t holds the value at t + 60 s.)
    assert_eq!(at(480.0), 8.0);
    // Refilled (boot ≤ 120 s) well before the zone returns.
    assert_eq!(at(900.0), 8.0);
}

#[test]
fn a_warm_pool_with_spot_instances_is_rejected() {
    let err = stratus::scenario::load_str(
        "name: x\nduration: 1h\nauto_scaling_groups:\n  - { name: g, min: 1, max: 3, instance: { market: spot }, warm_pool: { min_size: 0 } }\n",
        "x.yaml",
        std::path::Path::new("."),
        &Default::default(),
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("a warm pool cannot be used with Spot Instances"),
        "{err}"
    );
}

#[test]
fn launch_hooks_run_on_the_way_into_the_warm_pool_and_out_of_it() {
    let r = run(&POOL.replace(
        "    warm_pool: { min_size: 0 }",
        "    warm_pool: { min_size: 0 }\n    lifecycle_hooks: [ { name: setup, transition: launching, default_result: CONTINUE, completes_after: 60s } ]",
    ));
    let waits: Vec<&str> = r
        .activities
        .iter()
        .filter(|a| a.kind() == "lifecycle")
        .map(|a| a.description.as_str())
        .collect();
    // Two warm starts at 10 min wait in Pending:Wait; the two refills
    // launched into the pool at 20 min wait in Warmed:Pending:Wait.
    assert_eq!(
        waits
            .iter()
            .filter(|d| d.contains("entered Pending:Wait"))
            .count(),
        2,
        "{waits:?}"
    );
    assert_eq!(
        waits
            .iter()
            .filter(|d| d.contains("entered Warmed:Pending:Wait"))
            .count(),
        2,
        "{waits:?}"
    );
    // The refills still end up warmed: boot 240 s + hook 60 s.
    assert_eq!(last(&r, "WarmPoolWarmedCapacity", 1800.0), 4.0);
}
