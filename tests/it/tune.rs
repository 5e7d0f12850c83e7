//! `stratus tune`: a known optimum found within the budget, constraints
//! respected, sharded equals unsharded, deterministic for a seed.

use crate::util::TempDir;
use std::path::{Path, PathBuf};
use stratus::experiment::tune::{Options, merge, missing, tune};

/// A fixed fleet of `min` instances (8 workers, 40 ms per request: 200
/// requests/s each at 100 %) under 500 requests/s: two instances (400/s)
/// are overloaded and refuse requests; three (600/s, 83 %) carry it. Cost
/// rises with the fleet, so the cheapest fleet with errors ≤ 0.5 % is 3,
/// by construction.
const FLEET: &str = r#"# Lesson: test
name: fleet
seed: 3
duration: 4m
workloads:
  - name: clients
    to: { load_balancer: web }
    rate: { pattern: constant, rps: 500 }
load_balancers:
  - { name: web, target_group: web }
auto_scaling_groups:
  - name: web
    min: 1
    max: 10
    instance: { workers: 8, queue_limit: 50, boot_time: 1s }
    app:
      - compute: 40ms
"#;

fn write(dir: &TempDir) -> PathBuf {
    let p = dir.join("fleet.yaml");
    std::fs::write(&p, FLEET).unwrap();
    p
}

fn opts(file: &Path, out: PathBuf) -> Options {
    Options {
        file: file.to_path_buf(),
        params: vec!["auto_scaling_groups[web].min=1..10:int".into()],
        objective: "cost_usd".into(),
        constraints: vec!["requests.error_rate_pct<=0.5".into()],
        budget: Some(8),
        replications: Some(2),
        streams: Some(2),
        out: Some(out),
        charts: true,
        jobs: Some(2),
        ..Default::default()
    }
}

fn file(dir: &Path, name: &str) -> Vec<u8> {
    std::fs::read(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[test]
fn finds_the_known_optimum_and_respects_the_constraint() {
    let d = TempDir::new("tune-opt");
    let f = write(&d);
    let out = d.join("t");
    let done = tune(&opts(&f, out.clone())).unwrap();
    let md = String::from_utf8(file(&out, "tune.md")).unwrap();
    assert!(
        md.contains("`auto_scaling_groups[web].min` = **3**"),
        "{}\n{md}",
        done.text
    );
    let best = String::from_utf8(file(&out, "best.yaml")).unwrap();
    let sc = stratus::scenario::load_str(&best, "best.yaml", Path::new("."), &Default::default())
        .unwrap();
    assert_eq!(sc.auto_scaling_groups[0].min, 3);
    // Every row marked feasible meets the bound with its CI half-width,
    // and the two-instance fleet is infeasible.
    let mut rd = csv::Reader::from_path(out.join("tune.csv")).unwrap();
    let h = rd.headers().unwrap().clone();
    let col = |n: &str| h.iter().position(|x| x == n).unwrap();
    let (e, ci, feas, min) = (
        col("requests.error_rate_pct"),
        col("requests.error_rate_pct_ci95"),
        col("feasible"),
        col("auto_scaling_groups[web].min"),
    );
    let mut saw_two = false;
    for r in rd.records() {
        let r = r.unwrap();
        let v: f64 = r[e].parse().unwrap();
        let hw: f64 = r[ci].parse().unwrap();
        assert_eq!(&r[feas] == "yes", v + hw <= 0.5, "{r:?}");
        if &r[min] == "2" || &r[min] == "1" {
            saw_two = true;
            assert_eq!(&r[feas], "no", "an overloaded fleet is infeasible: {r:?}");
        }
    }
    assert!(saw_two, "the Latin hypercube covers the small fleets");
    assert!(out.join("charts/tune.png").is_file());
}

#[test]
fn sharded_tune_merges_to_the_unsharded_result_and_is_deterministic() {
    let d = TempDir::new("tune-shard");
    let f = write(&d);
    let mut o = opts(&f, d.join("whole"));
    o.budget = Some(6);
    o.replications = Some(2);
    tune(&o).unwrap();
    // Again: the same bytes.
    let mut again = o.clone();
    again.out = Some(d.join("again"));
    tune(&again).unwrap();
    for name in [
        "tune.csv",
        "tune.md",
        "best.yaml",
        "tune.json",
        "charts/tune.svg",
    ] {
        assert_eq!(
            file(&d.join("whole"), name),
            file(&d.join("again"), name),
            "{name}"
        );
    }
    // Two shards, merged.
    let mut dirs = Vec::new();
    for k in 0..2 {
        let mut s = o.clone();
        s.shard = Some(format!("{k}/2"));
        s.out = Some(d.join(format!("shard-{k}")));
        tune(&s).unwrap();
        dirs.push(d.join(format!("shard-{k}")));
    }
    // With one shard absent, --missing names it and merge refuses.
    let (absent, n) = missing(&[dirs[0].clone(), d.join("shard-9")]).unwrap();
    assert_eq!((absent, n), (vec![1], 2));
    assert!(merge(&dirs[..1], &d.join("partial"), true).is_err());
    merge(&dirs, &d.join("merged"), true).unwrap();
    for name in [
        "tune.csv",
        "tune.md",
        "best.yaml",
        "tune.json",
        "charts/tune.svg",
    ] {
        assert_eq!(
            file(&d.join("whole"), name),
            file(&d.join("merged"), name),
            "{name}"
        );
    }
}

#[test]
fn bad_ranges_and_metrics_are_refused() {
    let d = TempDir::new("tune-bad");
    let f = write(&d);
    let mut o = opts(&f, d.join("x"));
    o.params = vec!["auto_scaling_groups[web].min=5..1".into()];
    assert!(tune(&o).is_err());
    let mut o = opts(&f, d.join("x"));
    o.objective = "no_such_metric".into();
    assert!(tune(&o).is_err());
    let mut o = opts(&f, d.join("x"));
    o.shard = Some("0/3".into());
    assert!(tune(&o).is_err(), "more shards than streams");
    assert!(!d.join("x").exists(), "bad input writes nothing");
}
