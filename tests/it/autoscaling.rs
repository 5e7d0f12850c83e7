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
    availability_zones: [a, b]
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
        .filter(|a| a.kind == "scaling")
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
        r.activities.iter().filter(|a| a.kind == "launch").count(),
        6
    );
    assert_eq!(
        r.activities
            .iter()
            .filter(|a| a.kind == "terminate")
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
        .filter(|a| a.kind == "launch" || a.kind == "terminate")
    {
        assert!(a.description.contains(" i-"), "{}", a.description);
    }
    // A drained scale-in loses no request (10 s of draining, 20 ms requests).
    let q = &r.summary.requests;
    assert_eq!(q.ok, q.total);
}

#[test]
fn scale_in_keeps_zones_balanced() {
    // 6 instances over 2 zones, scale in to 3: the first removal comes from
    // either zone (3/3), then zones alternate, so the survivors are 2 + 1.
    let sc = scenario(SCHEDULED);
    let r = simulate(&sc, None, &mut |_| {});
    for a in r.activities.iter().filter(|a| a.kind == "terminate") {
        assert!(
            a.cause.contains("was selected for termination"),
            "{}",
            a.cause
        );
    }
    let first = r
        .activities
        .iter()
        .find(|a| a.kind == "terminate")
        .expect("a termination");
    assert!(
        first.cause.contains("termination policy step:"),
        "{}",
        first.cause
    );
}
