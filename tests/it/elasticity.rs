//! The elasticity scorecard on real runs: a perfectly provisioned fixed
//! fleet scores zero; a fleet that is too small is under-provisioned all
//! the time; the key names are the contract's.

use crate::util::run;

/// 250 requests/s × 40 ms = 10 busy workers; an instance of 8 workers at
/// the default 70 % carries 5.6, so demand is ⌈10 / 5.6⌉ = 2 instances in
/// every minute (Poisson noise is ±1 % per minute, far from the 3-instance
/// threshold of 16,800 requests a minute).
fn fleet(n: u32, target: Option<u32>) -> String {
    format!(
        r#"
name: fixed-fleet
seed: 4
duration: 30m
workloads:
  - name: clients
    to: {{ load_balancer: web }}
    rate: {{ pattern: constant, rps: 250 }}
load_balancers:
  - {{ name: web, target_group: web }}
auto_scaling_groups:
  - name: web
    min: {n}
    max: {n}
    instance: {{ workers: 8, boot_time: 1s }}
    app:
      - compute: 40ms
{}
"#,
        target.map_or(String::new(), |t| format!(
            "    elasticity: {{ target_utilization: {t} }}"
        ))
    )
}

#[test]
fn a_perfectly_provisioned_fixed_fleet_scores_zero() {
    let r = run(&fleet(2, None));
    let e = &r.summary.auto_scaling_groups["web"].elasticity;
    assert_eq!(e, &Default::default(), "{e:?}");
    let v = serde_json::to_value(&r.summary).unwrap();
    let keys: Vec<String> = v["auto_scaling_groups"]["web"]["elasticity"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    for k in [
        "under_accuracy_pct",
        "over_accuracy_pct",
        "under_timeshare_pct",
        "over_timeshare_pct",
        "instability_pct",
        "jitter_per_hour",
    ] {
        assert!(keys.iter().any(|x| x == k), "{k} in {keys:?}");
    }
}

#[test]
fn too_small_and_too_large_fleets_score_as_defined() {
    // One instance against a demand of 2: under by half, all the time.
    let r = run(&fleet(1, None));
    let e = &r.summary.auto_scaling_groups["web"].elasticity;
    assert_eq!(e.under_timeshare_pct, 100.0, "{e:?}");
    assert_eq!(e.under_accuracy_pct, 50.0, "{e:?}");
    assert_eq!(e.over_timeshare_pct, 0.0);
    // Refused requests count as demand: the overloaded single instance's
    // demand stays 2 although it serves less.
    assert!(r.summary.requests.errors.instance_refused > 0);
    // Four instances: over by 100 % all the time.
    let r = run(&fleet(4, None));
    let e = &r.summary.auto_scaling_groups["web"].elasticity;
    assert_eq!(e.over_timeshare_pct, 100.0, "{e:?}");
    assert_eq!(e.over_accuracy_pct, 100.0, "{e:?}");
    // At a 90 % target one instance carries 7.2 busy workers: demand is
    // still 2; at 100 %, 8 → 2; the setting is read.
    let r = run(&fleet(2, Some(100)));
    assert_eq!(
        r.summary.auto_scaling_groups["web"].elasticity,
        Default::default()
    );
    let r = run(&fleet(2, Some(30)));
    // 30 %: 2.4 per instance → demand ⌈10/2.4⌉ = 5; supply 2 is under.
    let e = &r.summary.auto_scaling_groups["web"].elasticity;
    assert_eq!(e.under_timeshare_pct, 100.0);
    assert!((e.under_accuracy_pct - 60.0).abs() < 1e-9, "{e:?}");
}

#[test]
fn target_utilization_is_validated() {
    let y = fleet(2, Some(0));
    let err =
        stratus::scenario::load_str(&y, "t.yaml", std::path::Path::new("."), &Default::default())
            .unwrap_err()
            .to_string();
    assert!(
        err.contains("auto_scaling_groups[web].elasticity.target_utilization"),
        "{err}"
    );
}
