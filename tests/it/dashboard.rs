//! report.html's interactive dashboard — a run's and a comparison's — in a
//! real browser: headless Chromium
//! driven by Playwright (`tests/browser/check_report.mjs`, playwright-core
//! from npm, installed by `.ci/run` into `tests/browser/node_modules`).
//! Hovering a chart reads out values (on every chart: the time axis is
//! shared), clicking a legend entry hides its series, the activity filter
//! filters, and the page logs no console error and makes no request; the
//! lesson's charts come first. Without Node or playwright-core the test is
//! skipped with a note, except in CI (`CI` set), where it fails.

use crate::util::TempDir;
use assert_cmd::Command;
use std::path::Path;

/// Whether the browser check can run here (panics in CI when it cannot).
fn playwright_ready() -> bool {
    let node = std::process::Command::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    let module = Path::new("tests/browser/node_modules/playwright-core").is_dir();
    let chromium =
        Path::new("/usr/bin/chromium").is_file() || std::env::var_os("CHROMIUM").is_some();
    if node && module && chromium {
        return true;
    }
    let what = format!(
        "node {node}, tests/browser/node_modules/playwright-core {module}, chromium {chromium} \
         (npm install --prefix tests/browser; apt-get install -y chromium nodejs npm)"
    );
    if std::env::var_os("CI").is_some() {
        panic!("the Playwright check cannot run in CI: {what}; .ci/run installs them");
    }
    eprintln!("note: skipping the Playwright check of report.html: {what}");
    false
}

/// Runs the check script on a report; its JSON line.
fn check(report: &Path) -> serde_json::Value {
    let out = std::process::Command::new("node")
        .arg("tests/browser/check_report.mjs")
        .arg(report)
        .output()
        .expect("run node");
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    let line = text.lines().last().unwrap_or_default();
    let v: serde_json::Value = serde_json::from_str(line).unwrap_or_else(|e| {
        panic!(
            "no JSON from check_report.mjs ({e}): {text}\n{}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    assert!(
        out.status.success() && v["ok"] == true,
        "{}: {}",
        report.display(),
        v["failures"]
    );
    v
}

fn run(t: &TempDir, scenario: &str, sets: &[&str]) -> std::path::PathBuf {
    let dir = t.join(Path::new(scenario).file_stem().unwrap());
    let mut cmd = Command::cargo_bin("stratus").expect("binary");
    cmd.args(["run", scenario, "--out"]).arg(&dir);
    for s in sets {
        cmd.args(["--set", s]);
    }
    cmd.assert().success();
    dir.join("report.html")
}

#[test]
fn dashboard_hovers_toggles_and_filters_in_chromium() {
    if !playwright_ready() {
        return;
    }
    let t = TempDir::new("dashboard");
    // A group behind a load balancer; the lesson's chart is `targets`.
    let page = run(
        &t,
        "scenarios/unhealthy-replacement.yaml",
        &["duration=15m"],
    );
    let v = check(&page);
    let seen = &v["seen"];
    assert_eq!(seen["first_chart"], "targets", "{seen}");
    assert!(seen["lesson_charts"].as_u64().unwrap() >= 2, "{seen}");
    assert!(seen["charts"].as_u64().unwrap() >= 5, "{seen}");
    assert_eq!(seen["console_errors"], 0);
    // A queue-only run: the empty receives are the lesson.
    let page = run(&t, "scenarios/sqs-polling.yaml", &["duration=10m"]);
    let v = check(&page);
    assert_eq!(v["seen"]["first_chart"], "receives-events", "{}", v["seen"]);
}

#[test]
fn comparison_dashboard_has_a_series_per_variant_in_chromium() {
    if !playwright_ready() {
        return;
    }
    let t = TempDir::new("dashboard-compare");
    let out = t.join("cmp");
    Command::cargo_bin("stratus")
        .expect("binary")
        .args([
            "compare",
            "scenarios/policies-on-a-spike.yaml",
            "--set",
            "duration=20m",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success();
    // The same checks as a run's page (shared cursor, hover read-outs,
    // legend toggles, the activity filter, no console error, nothing
    // fetched), plus the variant filter of the merged timeline.
    let v = check(&out.join("report.html"));
    let seen = &v["seen"];
    // The lesson's charts first (`report.charts: [capacity, alarms,
    // errors]`; an overlay of alarms does not exist).
    assert_eq!(seen["first_chart"], "capacity", "{seen}");
    assert_eq!(seen["lesson_charts"], 2, "{seen}");
    assert!(seen["charts"].as_u64().unwrap() >= 4, "{seen}");
    // One series per variant, named after it, with a value at the cursor.
    assert_eq!(
        seen["first_chart_series"],
        serde_json::json!(["base", "step", "simple"]),
        "{seen}"
    );
    assert_eq!(seen["hover_values"].as_array().unwrap().len(), 3, "{seen}");
    assert_eq!(
        seen["variants"],
        serde_json::json!(["base", "step", "simple"]),
        "{seen}"
    );
    assert!(seen["variant_rows"].as_u64().unwrap() > 0, "{seen}");
    assert_eq!(seen["console_errors"], 0);
}
