//! Determinism: the same scenario and seed give byte-identical outputs (but
//! for `wall_s`); a different seed differs.

use crate::util::TempDir;
use assert_cmd::Command;

fn run_to(dir: &std::path::Path, extra: &[&str]) {
    let mut c = Command::cargo_bin("stratus").expect("binary");
    c.args([
        "run",
        "scenarios/quickstart.yaml",
        "--no-charts",
        "--set",
        "duration=10m",
        "--out",
    ])
    .arg(dir)
    .args(extra)
    .assert()
    .success();
}

fn summary_without_wall(p: &std::path::Path) -> serde_json::Value {
    let mut v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(p.join("summary.json")).expect("summary"))
            .expect("json");
    v.as_object_mut().expect("object").remove("wall_s");
    v
}

#[test]
fn same_seed_same_bytes_other_seed_other_bytes() {
    let t = TempDir::new("det");
    let (a, b, c) = (t.join("a"), t.join("b"), t.join("c"));
    run_to(&a, &[]);
    run_to(&b, &[]);
    run_to(&c, &["--seed", "2"]);
    for f in ["metrics.csv", "activities.csv"] {
        assert_eq!(
            std::fs::read(a.join(f)).unwrap(),
            std::fs::read(b.join(f)).unwrap(),
            "{f}"
        );
    }
    assert_eq!(summary_without_wall(&a), summary_without_wall(&b));
    assert_ne!(
        std::fs::read(a.join("metrics.csv")).unwrap(),
        std::fs::read(c.join("metrics.csv")).unwrap()
    );
    assert_ne!(summary_without_wall(&a), summary_without_wall(&c));
}
