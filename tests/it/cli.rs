//! The command line as a user meets it: outputs, exit codes, and bad input
//! that writes nothing.

use crate::util::TempDir;
use assert_cmd::Command;

fn stratus() -> Command {
    Command::cargo_bin("stratus").expect("binary")
}

#[test]
fn run_writes_the_run_folder_with_every_required_summary_key() {
    let t = TempDir::new("cli-run");
    let out = t.join("run");
    let o = stratus()
        .args([
            "run",
            "scenarios/quickstart.yaml",
            "--no-charts",
            "--json",
            "--set",
            "duration=5m",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success();
    let stdout: serde_json::Value =
        serde_json::from_slice(&o.get_output().stdout).expect("--json prints JSON");
    let file: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
    for k in [
        "scenario",
        "variant",
        "seed",
        "simulated_s",
        "events",
        "wall_s",
        "requests",
        "auto_scaling_groups",
        "load_balancers",
        "queues",
        "tables",
    ] {
        assert!(file.get(k).is_some(), "summary.json lacks {k}");
    }
    for k in ["total", "ok", "in_flight_at_end", "errors", "latency_ms"] {
        assert!(file["requests"].get(k).is_some(), "requests lacks {k}");
    }
    for k in [
        "elb_502",
        "elb_503",
        "elb_504",
        "target_5xx",
        "instance_refused",
        "client_timeout",
        "throttled",
    ] {
        assert!(file["requests"]["errors"][k].is_u64(), "errors lacks {k}");
    }
    for k in ["mean", "p50", "p90", "p99", "max"] {
        assert!(
            file["requests"]["latency_ms"][k].is_number(),
            "latency lacks {k}"
        );
    }
    for k in [
        "launches",
        "terminations",
        "min_in_service",
        "max_in_service",
        "instance_hours",
        "cost_usd",
        "scaling_activities",
    ] {
        assert!(
            file["auto_scaling_groups"]["web"][k].is_number(),
            "group lacks {k}"
        );
    }
    assert_eq!(file["queues"], serde_json::json!({}));
    assert_eq!(file["tables"], serde_json::json!({}));
    assert_eq!(stdout["requests"], file["requests"]);
    assert_eq!(file["simulated_s"], 300.0);

    let metrics = std::fs::read_to_string(out.join("metrics.csv")).unwrap();
    assert!(metrics.starts_with("t_s,resource,metric,value\n"));
    for m in [
        "RequestCount",
        "TargetResponseTime",
        "HTTPCode_ELB_5XX_Count",
        "GroupDesiredCapacity",
        "GroupInServiceInstances",
        "CPUUtilization",
        "HealthyHostCount",
    ] {
        assert!(metrics.contains(&format!(",{m},")), "metrics.csv lacks {m}");
    }
    // 5 one-minute periods of RequestCount for the balancer.
    assert_eq!(metrics.matches(",web,RequestCount,").count(), 5);

    // The warm initial fleet: 4 launches at t = 0 with instance ids.
    let acts = std::fs::read_to_string(out.join("activities.csv")).unwrap();
    assert!(acts.starts_with("t_s,resource,kind,description,cause,details\n"));
    let launches: Vec<&str> = acts
        .lines()
        .filter(|l| l.starts_with("0,web,launch,Launching a new EC2 instance: i-"))
        .collect();
    assert_eq!(launches.len(), 4, "{acts}");
}

#[test]
fn human_summary_is_readable() {
    let t = TempDir::new("cli-human");
    stratus()
        .args([
            "run",
            "scenarios/quickstart.yaml",
            "--no-charts",
            "--set",
            "duration=2m",
            "--out",
        ])
        .arg(t.join("r"))
        .assert()
        .success()
        .stdout(predicates::str::contains("requests"))
        .stdout(predicates::str::contains("latency"))
        .stdout(predicates::str::contains("p99"));
}

fn bad_input(yaml: &str, expect: &[&str]) {
    let t = TempDir::new("cli-bad");
    let f = t.join("bad.yaml");
    std::fs::write(&f, yaml).unwrap();
    let out = t.join("never");
    let a = stratus()
        .arg("run")
        .arg(&f)
        .arg("--out")
        .arg(&out)
        .assert()
        .code(2);
    let err = String::from_utf8_lossy(&a.get_output().stderr).to_string();
    for e in expect {
        assert!(err.contains(e), "stderr lacks {e:?}:\n{err}");
    }
    assert!(!out.exists(), "bad input must write nothing");
    // validate reports the same and exits 2.
    stratus().arg("validate").arg(&f).assert().code(2);
}

const GOOD: &str = "name: t\nduration: 1m\nworkloads:\n  - name: a\n    to: { load_balancer: web }\n    rate: 10\nload_balancers:\n  - name: web\n    target_group: web\nauto_scaling_groups:\n  - name: web\n    min: 1\n    max: 3\n";

#[test]
fn bad_input_exits_2_with_file_line_col_path_and_writes_nothing() {
    // Unknown key, with a did-you-mean hint, at the key's line and column.
    bad_input(
        &GOOD.replace("    max: 3\n", "    max: 3\n    desird: 2\n"),
        &[
            "bad.yaml:14:5: auto_scaling_groups[web].desird",
            "desird",
            "did you mean",
            "desired",
        ],
    );
    // A bare number where a duration is needed.
    bad_input(
        &GOOD.replace("    rate: 10\n", "    rate: 10\n    timeout: 30\n"),
        &[
            "bad.yaml:7:14: workloads[a].timeout",
            "expected a duration like \"30s\", found 30",
        ],
    );
    // A bad unit.
    bad_input(
        &GOOD.replace("duration: 1m", "duration: 1 fortnight"),
        &["bad.yaml:2:11: duration"],
    );
    // A broken reference.
    bad_input(
        &GOOD.replace("    target_group: web", "    target_group: webb"),
        &[
            "load_balancers[web].target_group",
            "no auto scaling group named \"webb\"",
            "did you mean \"web\"",
        ],
    );
    // min > max.
    bad_input(
        &GOOD.replace("    min: 1\n    max: 3", "    min: 5\n    max: 3"),
        &[
            "auto_scaling_groups[web].min",
            "min (5) is greater than max (3)",
        ],
    );
    // YAML syntax error.
    bad_input(&GOOD.replace("rate: 10", "rate: [10"), &["bad.yaml:"]);
}

#[test]
fn out_refuses_a_folder_that_is_not_stratus_output() {
    let t = TempDir::new("cli-out");
    std::fs::write(t.join("precious.txt"), "keep me").unwrap();
    stratus()
        .args([
            "run",
            "scenarios/quickstart.yaml",
            "--no-charts",
            "--set",
            "duration=1m",
            "--out",
        ])
        .arg(&t.0)
        .assert()
        .code(2);
    assert_eq!(
        std::fs::read_to_string(t.join("precious.txt")).unwrap(),
        "keep me"
    );
    stratus()
        .args([
            "run",
            "scenarios/quickstart.yaml",
            "--no-charts",
            "--out",
            ".",
        ])
        .assert()
        .code(2);
}

#[test]
fn a_second_run_replaces_an_earlier_output() {
    let t = TempDir::new("cli-replace");
    let out = t.join("r");
    for d in ["1m", "2m"] {
        stratus()
            .args([
                "run",
                "scenarios/quickstart.yaml",
                "--no-charts",
                "--set",
                &format!("duration={d}"),
                "--out",
            ])
            .arg(&out)
            .assert()
            .success();
    }
    let v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(v["simulated_s"], 120.0);
}

#[test]
fn schema_prints_a_json_schema() {
    let o = stratus().arg("schema").assert().success();
    let v: serde_json::Value = serde_json::from_slice(&o.get_output().stdout).expect("JSON");
    assert!(v["properties"]["auto_scaling_groups"].is_object());
}

#[test]
fn every_library_scenario_validates() {
    for e in std::fs::read_dir("scenarios").unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "yaml") {
            stratus().arg("validate").arg(&p).assert().success();
        }
    }
}

#[test]
fn explain_tells_the_story_of_a_run() {
    let t = TempDir::new("cli-explain");
    let out = t.join("r");
    stratus()
        .args([
            "run",
            "scenarios/scheduled-scaling.yaml",
            "--no-charts",
            "--set",
            "duration=30m",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success();
    let o = stratus().arg("explain").arg(&out).assert().success();
    let text = String::from_utf8_lossy(&o.get_output().stdout).to_string();
    assert!(text.contains("+00:20:00"), "{text}");
    assert!(
        text.contains("a scheduled action update of AutoScalingGroup constraints to desired: 9"),
        "{text}"
    );
    // The simulator's notes come apart from AWS's sentences.
    let full = t.join("full");
    stratus()
        .args([
            "run",
            "scenarios/scheduled-scaling.yaml",
            "--no-charts",
            "--out",
        ])
        .arg(&full)
        .assert()
        .success();
    let o = stratus().arg("explain").arg(&full).assert().success();
    let text = String::from_utf8_lossy(&o.get_output().stdout).to_string();
    assert!(
        text.contains("(stratus: termination policy step: "),
        "{text}"
    );
    let o = stratus()
        .arg("explain")
        .arg(&out)
        .args(["--resource", "nothing"])
        .assert()
        .code(2);
    // A resource the run does not have is bad input that lists the resources (issue 11 item 10).
    assert!(
        String::from_utf8_lossy(&o.get_output().stderr)
            .contains("no resource named \"nothing\"; its resources are \"web\"")
    );
    stratus()
        .arg("explain")
        .arg(t.join("missing"))
        .assert()
        .code(2);
}
