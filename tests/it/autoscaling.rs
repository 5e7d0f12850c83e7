//! Auto Scaling behaviour seen through the public outputs.

use crate::util::{run, scenario};
use stratus::run::simulate;

const SCHEDULED: &str = r#"
name: sched
duration: 40m
start_time: "2026-01-05T09:00:00Z"
workloads:
  - { name: w, to: { load_balancer: lb }, rate: 100 }
load_balancers:
  - { name: lb, target_group: web, deregistration_delay: 10s }
auto_scaling_groups:
  - name: web
    availability_zones: [us-east-1a, us-east-1b]
    min: 2
    max: 10
    instance: { boot_time: 90s }
    app: [ { compute: 20ms } ]
    scheduled_actions:
      - { name: up, at: 10m, desired: 6 }
      - { name: down, at: 25m, desired: 3, min: 3 }
"#;

#[test]
fn scheduled_actions_change_desired_with_one_scaling_row_each() {
    let r = run(SCHEDULED);
    let scaling: Vec<_> = r
        .activities
        .iter()
        .filter(|a| a.kind() == "scaling")
        .collect();
    assert_eq!(scaling.len(), 2);
    assert_eq!(r.summary.auto_scaling_groups["web"].scaling_activities, 2);
    assert_eq!(scaling[0].t, 600_000_000_000);
    assert!(scaling[0].cause.starts_with(
        "At 2026-01-05T09:10:00Z a scheduled action update of AutoScalingGroup constraints to desired: 6 changing the desired capacity from 2 to 6."
    ), "{}", scaling[0].cause);
    // 2 initial + 4 launched; 3 terminated.
    let g = &r.summary.auto_scaling_groups["web"];
    assert_eq!(g.launches, 6);
    assert_eq!(g.terminations, 3);
    assert_eq!(
        r.activities.iter().filter(|a| a.kind() == "launch").count(),
        6
    );
    assert_eq!(
        r.activities
            .iter()
            .filter(|a| a.kind() == "terminate")
            .count(),
        3
    );
    // Instances boot in 90 s: desired 6 at 10:00, in service at 11:30.
    let ins = r.series.get("web", "GroupInServiceInstances");
    let at = |t: f64| {
        ins.iter()
            .find(|p| p.0 == t)
            .map(|p| p.1)
            .expect("datapoint")
    };
    assert_eq!(
        at(600.0),
        2.0,
        "the tick at the end of minute 10 still sees 2"
    );
    assert_eq!(at(720.0), 6.0);
    assert_eq!(at(1800.0), 3.0);
    let desired = r.series.get("web", "GroupDesiredCapacity");
    assert_eq!(desired.iter().map(|p| p.1).fold(0.0, f64::max), 6.0);
    // Every launch and termination names an instance id.
    for a in r
        .activities
        .iter()
        .filter(|a| a.kind() == "launch" || a.kind() == "terminate")
    {
        assert!(a.description.contains(" i-"), "{}", a.description);
    }
    // A drained scale-in loses no request (10 s of draining, 20 ms requests).
    let q = &r.summary.requests;
    assert_eq!(q.ok, q.total);
}

#[test]
fn every_termination_names_the_rule_that_chose_the_instance() {
    // Zone balance on scale-in is checked in tests/it/faults.rs (WE-08) and
    // by the termination unit tests; here, the activity text says why.
    let sc = scenario(SCHEDULED);
    let r = simulate(&sc, None, &mut |_| {});
    for a in r.activities.iter().filter(|a| a.kind() == "terminate") {
        assert!(
            a.cause.contains("was selected for termination"),
            "{}",
            a.cause
        );
    }
    let first = r
        .activities
        .iter()
        .find(|a| a.kind() == "terminate")
        .expect("a termination");
    assert!(
        first.details.contains("termination policy step:"),
        "{}",
        first.details
    );
    // AWS's sentence carries no simulator note in parentheses.
    assert!(
        !first.cause.contains("(termination policy step"),
        "{}",
        first.cause
    );
}

fn run_file(file: &str, variant: Option<&str>) -> stratus::run::RunResult {
    let opts = stratus::scenario::LoadOptions {
        variant: variant.map(str::to_string),
        ..Default::default()
    };
    let sc = stratus::scenario::load_file(std::path::Path::new(file), &opts)
        .unwrap_or_else(|d| panic!("{d}"));
    simulate(&sc, variant, &mut |_| {})
}

#[test]
fn launch_hooks_hold_instances_in_pending_wait_and_abandon_replaces_them() {
    let ok = run_file("scenarios/lifecycle-hook.yaml", None);
    let hooks: Vec<_> = ok
        .activities
        .iter()
        .filter(|a| a.kind() == "lifecycle")
        .collect();
    assert_eq!(hooks.len(), 3, "one Pending:Wait per new instance");
    assert!(
        hooks
            .iter()
            .all(|a| a.description.contains("Pending:Wait") && a.cause.contains("CONTINUE"))
    );
    // Boot (≥ 60 s) + hook (≥ 120 s): no new instance in service before 13:00.
    let ins = ok.series.get("web", "GroupInServiceInstances");
    assert!(
        ins.iter().filter(|p| p.0 < 780.0).all(|p| p.1 == 3.0),
        "{ins:?}"
    );
    assert_eq!(ins.last().unwrap().1, 6.0);
    // The heartbeat timeout (300 s) comes before the 6–8 minute bootstrap:
    // ABANDON terminates each new instance and the group launches another.
    let slow = run_file("scenarios/lifecycle-hook.yaml", Some("slow-bootstrap"));
    let g = &slow.summary.auto_scaling_groups["web"];
    assert!(
        g.terminations >= 6 && g.launches == 6 + g.terminations,
        "{g:?}"
    );
    assert_eq!(g.max_in_service, 3, "capacity never arrives");
    assert!(
        slow.activities
            .iter()
            .any(|a| a.cause.contains("completed with result ABANDON"))
    );
}

#[test]
fn recurring_scheduled_actions_follow_their_cron() {
    let r = run(r#"
name: cron
duration: 3h
start_time: "2026-01-05T09:00:00Z"
workloads:
  - { name: w, to: { load_balancer: lb }, rate: 10 }
load_balancers:
  - { name: lb, target_group: web }
auto_scaling_groups:
  - name: web
    min: 1
    max: 10
    app: [ { compute: 10ms } ]
    scheduled_actions:
      - { name: up, recurrence: "15 * * * *", desired: 3 }
      - { name: down, recurrence: "45 * * * *", desired: 1 }
"#);
    let t: Vec<u64> = r
        .activities
        .iter()
        .filter(|a| a.kind() == "scaling")
        .map(|a| a.t / 60_000_000_000)
        .collect();
    assert_eq!(t, vec![15, 45, 75, 105, 135, 165]);
}

#[test]
fn termination_policies_choose_different_instances_from_the_same_fleet() {
    let chosen = |v: Option<&str>| -> Vec<String> {
        run_file("scenarios/termination-policies.yaml", v)
            .activities
            .iter()
            .filter(|a| a.kind() == "terminate")
            .map(|a| a.description.clone())
            .collect()
    };
    let launches: Vec<String> = run_file("scenarios/termination-policies.yaml", None)
        .activities
        .iter()
        .filter(|a| a.kind() == "launch")
        .map(|a| {
            a.description.replace(
                "Launching a new EC2 instance: ",
                "Terminating EC2 instance: ",
            )
        })
        .collect();
    // Launch order: v2 at 0, v1 at 10 min (a rollback), v3 at 20 and 30 min;
    // one scale-in at 75 min.
    let oldest = chosen(Some("oldest"));
    let newest = chosen(Some("newest"));
    let olt = chosen(Some("oldest-launch-template"));
    let closest = chosen(Some("closest-to-next-hour"));
    assert_eq!(launches.len(), 4);
    assert_eq!(oldest, [launches[0].clone()]);
    assert_eq!(newest, [launches[3].clone()]);
    // The oldest version (v1), not the oldest instance.
    assert_eq!(olt, [launches[1].clone()]);
    // 55 minutes into its billing hour (launched at 20 min, now 75 min).
    assert_eq!(closest, [launches[2].clone()]);
    assert_ne!(oldest, newest);
}

#[test]
fn we07_default_termination_walk_through() {
    // Two zones, desired 2 (one each) on launch template version 1. A
    // scale-out to 3 with version 2 puts the third instance in one zone; the
    // scale-in by one then chooses that zone (AZ balance), and within it the
    // instance of the oldest launch template (version 1), not the newer one.
    let r = run(r#"
name: we07
duration: 30m
auto_scaling_groups:
  - name: g
    availability_zones: [us-east-1a, us-east-1b]
    min: 1
    max: 4
    desired: 2
    launch_template: { name: web, version: 1 }
    instance: { boot_time: 60s }
    scheduled_actions:
      - { name: out, at: 5m, desired: 3, launch_template_version: 2 }
      - { name: in, at: 20m, desired: 2 }
"#);
    let launches: Vec<_> = r
        .activities
        .iter()
        .filter(|a| a.kind() == "launch")
        .collect();
    assert_eq!(launches.len(), 3);
    let id = |a: &stratus::world::Activity| a.description.rsplit(' ').next().unwrap().to_string();
    let initial: Vec<String> = launches[..2].iter().map(|a| id(a)).collect();
    let terms: Vec<_> = r
        .activities
        .iter()
        .filter(|a| a.kind() == "terminate")
        .collect();
    assert_eq!(terms.len(), 1);
    assert_eq!(terms[0].t, 20 * 60 * 1_000_000_000);
    // An initial (version 1) instance goes, chosen by the oldest launch
    // template once AZ balance narrowed the choice to the fuller zone.
    assert!(
        initial
            .iter()
            .any(|i| terms[0].description.ends_with(i.as_str())),
        "{terms:?}"
    );
    assert!(
        terms[0]
            .details
            .contains("termination policy step: OldestLaunchTemplate"),
        "{}",
        terms[0].details
    );
}

#[test]
fn we13_scheduled_actions_at_their_utc_times() {
    // WE-13: desired 3 at 08:00 (scale out if fewer), desired 1 at 16:00
    // (scale in if more), and a recurring `30 6 * * 2` action every Tuesday
    // 06:30 UTC. 2021-03-31 is a Wednesday: the Tuesday action first runs on
    // 2021-04-06.
    let r = run(r#"
name: we13
duration: 7d
metrics_period: 1h
start_time: "2021-03-31T00:00:00Z"
auto_scaling_groups:
  - name: g
    min: 1
    max: 6
    desired: 1
    instance: { boot_time: 60s }
    scheduled_actions:
      - { name: morning, recurrence: "0 8 * * *", desired: 3 }
      - { name: evening, recurrence: "0 16 * * *", desired: 1 }
      - { name: tuesday, recurrence: "30 6 * * 2", desired: 5 }
"#);
    let scaling: Vec<_> = r
        .activities
        .iter()
        .filter(|a| a.kind() == "scaling")
        .collect();
    assert!(
        scaling[0]
            .cause
            .starts_with("At 2021-03-31T08:00:00Z a scheduled action")
    );
    assert!(scaling[0].description.ends_with("from 1 to 3"));
    assert!(
        scaling[1]
            .cause
            .starts_with("At 2021-03-31T16:00:00Z a scheduled action")
    );
    assert!(scaling[1].description.ends_with("from 3 to 1"));
    let tuesday: Vec<_> = scaling
        .iter()
        .filter(|a| a.cause.contains("desired: 5"))
        .collect();
    assert_eq!(tuesday.len(), 1);
    assert!(
        tuesday[0].cause.starts_with("At 2021-04-06T06:30:00Z"),
        "{}",
        tuesday[0].cause
    );
    // On Tuesday 08:00 the morning action then scales in from 5 to 3.
    assert!(
        scaling
            .iter()
            .any(|a| a.cause.starts_with("At 2021-04-06T08:00:00Z")
                && a.description.ends_with("from 5 to 3"))
    );
    // Seven mornings and seven evenings, plus Tuesday's two-step.
    assert_eq!(scaling.len(), 7 + 7 + 1);
}
