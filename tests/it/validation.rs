//! Inputs refused with a reason (issue 11 items 1–4 and 10; issue 12's size
//! guard): every rule AWS documents is checked by the rule module's own
//! validator, every phase is reported in one go, and bad output paths,
//! unknown resources and absurd runs are bad input (exit 2).

use crate::util::TempDir;
use assert_cmd::Command;
use std::path::Path;
use stratus::aws::{cloudwatch, sqs};
use stratus::scenario::estimate::HUGE_EVENTS;
use stratus::scenario::{Guard, LoadOptions, Loaded, load_str, load_str_checked};

const BASE: &str = r#"name: v
duration: 10m
workloads:
  - name: shoppers
    to: { load_balancer: web }
    rate: 50
load_balancers:
  - name: web
    target_group: app
auto_scaling_groups:
  - name: app
    min: 2
    max: 6
    availability_zones: [us-east-1a, us-east-1b]
    app: [ { compute: 20ms } ]
    scaling_policies:
      - name: cpu
        type: simple
        adjustment: 1
        alarm: { metric: CPUUtilization, comparison: ">=", threshold: 70, period: 1m, evaluation_periods: 2 }
"#;

fn with_sets(src: &str, sets: &[&str], guard: Guard) -> Result<Loaded, Vec<String>> {
    let o = LoadOptions {
        sets: sets.iter().map(|s| s.to_string()).collect(),
        ..LoadOptions::default()
    };
    load_str_checked(src, "x.yaml", Path::new("."), &o, guard)
        .map_err(|d| d.to_string().lines().map(str::to_string).collect())
}

/// The problems of BASE with these `--set`s (panics if it loads).
fn errors(sets: &[&str]) -> Vec<String> {
    match with_sets(BASE, sets, Guard::default()) {
        Ok(_) => panic!("expected a refusal with {sets:?}"),
        Err(e) => e,
    }
}

fn loads(sets: &[&str]) -> Loaded {
    with_sets(BASE, sets, Guard::default()).unwrap_or_else(|e| panic!("{sets:?}: {e:?}"))
}

const ALARM: &str = "auto_scaling_groups[app].scaling_policies[cpu].alarm";

// ------------------------------------------------------------ item 1

#[test]
fn an_alarm_metric_the_simulator_cannot_produce_is_refused_with_did_you_mean() {
    let e = errors(&[&format!("{ALARM}.metric=CPUUtilisation")]);
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(
        e[0].starts_with("--set:1:") && e[0].contains(&format!("{ALARM}.metric:")),
        "{e:?}"
    );
    assert!(e[0].contains("did you mean \"CPUUtilization\"?"), "{e:?}");
    // The list the message offers is the rule module's list.
    for (name, _) in cloudwatch::PRODUCIBLE_METRICS {
        assert!(e[0].contains(name), "{name} missing from {e:?}");
    }
    // Every producible group metric loads; a load balancer metric needs one.
    for (name, on) in cloudwatch::PRODUCIBLE_METRICS {
        let r = with_sets(BASE, &[&format!("{ALARM}.metric={name}")], Guard::default());
        match on {
            cloudwatch::MetricOn::Queue => {
                let e = r.expect_err(name);
                assert!(e[0].contains("is an SQS metric"), "{e:?}");
            }
            _ => assert!(r.is_ok(), "{name}: {r:?}"),
        }
    }
    let no_lb = BASE.replace(
        "load_balancers:\n  - name: web\n    target_group: app\n",
        "",
    );
    let no_lb = no_lb.replace("to: { load_balancer: web }", "to: { queue: jobs }")
        + "queues:\n  - name: jobs\n";
    let e = with_sets(
        &no_lb,
        &[&format!("{ALARM}.metric=RequestCount")],
        Guard::default(),
    )
    .unwrap_err();
    assert!(e[0].contains("is a load balancer metric"), "{e:?}");
    // Target tracking metrics come from the same list.
    let e = errors(&[
        "auto_scaling_groups[app].scaling_policies=[{name: tt, type: target_tracking, metric: ASGAverageCPUUtilisation, target: 50}]",
    ]);
    assert!(
        e[0].contains("did you mean \"ASGAverageCPUUtilization\"?"),
        "{e:?}"
    );
}

// ------------------------------------------------------------ item 2

#[test]
fn alarm_periods_follow_cloudwatch_and_are_never_floored() {
    let e = errors(&[&format!("{ALARM}.period=90s")]);
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(
        e[0].ends_with(&format!(
            "{ALARM}.period: period must be 10s, 20s, 30s or a multiple of 60s (PutMetricAlarm Period), found 90s"
        )),
        "{e:?}"
    );
    // High-resolution periods are AWS-valid but not simulated: refused with the reason.
    let e = errors(&[&format!("{ALARM}.period=30s")]);
    assert!(e[0].contains("high-resolution"), "{e:?}");
    loads(&[&format!("{ALARM}.period=2m")]);
    // N × P above a day (CloudWatch's cap below 1 h periods).
    let e = errors(&[
        &format!("{ALARM}.period=1m"),
        &format!("{ALARM}.evaluation_periods=1441"),
    ]);
    assert!(e[0].contains("must not exceed 1d"), "{e:?}");
}

#[test]
fn default_must_be_the_last_termination_policy() {
    let e = errors(&["auto_scaling_groups[app].termination_policies=[Default, OldestInstance]"]);
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(
        e[0].ends_with(
            "auto_scaling_groups[app].termination_policies: the Default termination policy must be the last in the list"
        ),
        "{e:?}"
    );
    loads(&["auto_scaling_groups[app].termination_policies=[OldestInstance, Default]"]);
}

#[test]
fn step_sets_and_adjustments_use_the_scaling_rules() {
    let step = |steps: &str| {
        format!(
            "auto_scaling_groups[app].scaling_policies=[{{name: st, type: step, alarm: {{metric: CPUUtilization, comparison: \">=\", threshold: 60}}, steps: {steps}}}]"
        )
    };
    let e = errors(&[&step(
        "[{lower: 0, upper: 10, adjustment: 1}, {lower: 20, adjustment: 2}]",
    )]);
    assert!(
        e[0].contains("steps: step ranges leave a gap between 10 and 20"),
        "{e:?}"
    );
    loads(&[&step(
        "[{lower: 0, upper: 10, adjustment: 1}, {lower: 10, adjustment: 2}]",
    )]);
    let e = errors(&[
        "auto_scaling_groups[app].scaling_policies[cpu].adjustment_type=ExactCapacity",
        "auto_scaling_groups[app].scaling_policies[cpu].adjustment=-1",
    ]);
    assert!(
        e[0].contains("ExactCapacity adjustment must be 0 or more, found -1"),
        "{e:?}"
    );
}

#[test]
fn sqs_limits_come_from_the_sqs_module() {
    let src = BASE.to_string()
        + "queues:\n  - { name: q, message_retention: 59s, delay: 16m, redrive: { dead_letter_queue: dlq, max_receive_count: 1001 } }\n  - { name: dlq }\n";
    let e = with_sets(&src, &[], Guard::default())
        .unwrap_err()
        .join("\n");
    let retention = format!(
        "queues[q].message_retention: message_retention must be from {}s to 14d",
        sqs::MIN_RETENTION / 1_000_000_000
    );
    for want in [
        retention.as_str(),
        "queues[q].delay: delay must be at most 15m (SQS's limit), found 16m",
        "queues[q].redrive.max_receive_count: max_receive_count must be from 1 to 1000, found 1001",
    ] {
        assert!(e.contains(want), "missing `{want}` in:\n{e}");
    }
    assert_eq!(*sqs::MAX_RECEIVE_COUNT.end(), 1000);
}

// ------------------------------------------------------------ item 3

#[test]
fn zones_must_be_the_region_plus_a_letter() {
    let e = errors(&["auto_scaling_groups[app].availability_zones=[us-east-1a, mars-1a]"]);
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(
        e[0].contains("auto_scaling_groups[app].availability_zones[1]: \"mars-1a\" is not an Availability Zone name"),
        "{e:?}"
    );
    // Another region's zone says which region to name.
    let e = errors(&["auto_scaling_groups[app].availability_zones=[eu-west-1a]"]);
    assert!(e[0].contains("set `region: eu-west-1`"), "{e:?}");
    let l = loads(&[
        "region=eu-west-1",
        "auto_scaling_groups[app].availability_zones=[eu-west-1a, eu-west-1b]",
    ]);
    assert_eq!(l.scenario.region, "eu-west-1");
    let e = errors(&["region=mars"]);
    assert!(
        e[0].contains("region: \"mars\" is not a Region code"),
        "{e:?}"
    );
    // A group without zones gets its region's `a` zone.
    let src = BASE
        .replace("    availability_zones: [us-east-1a, us-east-1b]\n", "")
        .replace("name: v\n", "name: v\nregion: ap-southeast-2\n");
    let l = with_sets(&src, &[], Guard::default()).unwrap();
    assert_eq!(
        l.scenario.auto_scaling_groups[0].availability_zones,
        ["ap-southeast-2a"]
    );
    let l = loads(&[]);
    assert_eq!(l.scenario.region, "us-east-1");
}

#[test]
fn target_tracking_cpu_targets_are_percentages() {
    let tt = |t: &str| {
        format!(
            "auto_scaling_groups[app].scaling_policies=[{{name: tt, type: target_tracking, metric: ASGAverageCPUUtilization, target: {t}}}]"
        )
    };
    let e = errors(&[&tt("150")]);
    assert!(
        e[0].ends_with("ASGAverageCPUUtilization is a percentage: the target must be above 0 and at most 100, found 150"),
        "{e:?}"
    );
    loads(&[&tt("100")]);
    let e = errors(&[&tt("0")]);
    assert!(e[0].contains("target must be greater than 0"), "{e:?}");
    // Request counts per target are not percentages.
    loads(&[&tt("150").replace("ASGAverageCPUUtilization", "ALBRequestCountPerTarget")]);
}

#[test]
fn metrics_period_is_a_cloudwatch_read_period() {
    let e = errors(&["metrics_period=7s"]);
    assert!(
        e[0].ends_with("metrics_period: metrics_period must be a period CloudWatch reads metrics at: 1s, 5s, 10s, 30s or a multiple of 60s, found 7s"),
        "{e:?}"
    );
    for ok in ["1s", "10s", "30s", "1m", "5m", "30m", "2h"] {
        loads(&[&format!("metrics_period={ok}")]);
    }
    errors(&["metrics_period=90s"]);
}

#[test]
fn a_load_balancer_without_workloads_is_a_warning() {
    let l = loads(&["workloads=[]"]);
    assert_eq!(l.warnings.len(), 1, "{:?}", l.warnings);
    let w = l.warnings[0].to_string();
    assert!(
        w.starts_with("x.yaml:8:11: load_balancers[web].name: load balancer \"web\" gets no requests (the scenario has no workloads)"),
        "{w}"
    );
    assert!(loads(&[]).warnings.is_empty());
}

// ------------------------------------------------------------ item 4

#[test]
fn every_phase_is_reported_in_one_go() {
    let src = BASE
        .replace("    rate: 50\n", "    rate: 50\n    colour: blue\n")
        .replace(
            "    target_group: app\n",
            "    target_group: ap\n    stickyness: true\n",
        )
        .replace("    min: 2\n", "    min: 8\n");
    let e = with_sets(&src, &[], Guard::default()).unwrap_err();
    assert_eq!(e.len(), 4, "{e:?}");
    assert!(
        e[0].starts_with("x.yaml:7:5: workloads[shoppers].colour: unknown field `colour`"),
        "{e:?}"
    );
    assert!(e[1].starts_with("x.yaml:10:19: load_balancers[web].target_group: no auto scaling group named \"ap\" (did you mean \"app\"?)"), "{e:?}");
    assert!(
        e[2].starts_with("x.yaml:11:5: load_balancers[web].stickyness: unknown field"),
        "{e:?}"
    );
    assert!(
        e[3].starts_with(
            "x.yaml:14:10: auto_scaling_groups[app].min: min (8) is greater than max (6)"
        ),
        "{e:?}"
    );
    // A bad value is reported once: nothing about the default it leaves.
    let e = with_sets(
        BASE,
        &["auto_scaling_groups[app].max=many"],
        Guard::default(),
    )
    .unwrap_err();
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(
        e[0].contains("auto_scaling_groups[app].max: expected a whole number"),
        "{e:?}"
    );
    let e = with_sets(
        BASE,
        &[
            "auto_scaling_groups[app].default_cooldown=soon",
            "auto_scaling_groups[app].min=9",
        ],
        Guard::default(),
    )
    .unwrap_err();
    assert_eq!(e.len(), 2, "{e:?}");
}

// ------------------------------------------------------------ the size guard

#[test]
fn a_ten_thousand_day_run_gets_an_estimate_and_a_longer_one_is_refused_unless_allowed() {
    // 50 requests/s for 10,000 days: 4.3e10 requests, hours of wall time.
    let l = loads(&["duration=10000d"]);
    let requests = 50.0 * 10_000.0 * 86_400.0;
    assert!(l.estimate.events > requests, "{:?}", l.estimate);
    assert!(l.estimate.eta_s() > 3600.0, "{:?}", l.estimate);
    assert!(
        l.estimate.line().starts_with("estimated 8."),
        "{}",
        l.estimate.line()
    );
    // Ten times the rate: too long a run, refused at the duration.
    let huge = ["workloads[shoppers].rate=500", "duration=10000d"];
    let e = errors(&huge);
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(
        e[0].starts_with(
            "--set:2:10: duration: this run is too big for one machine: estimated 8.7e11 events"
        ),
        "{e:?}"
    );
    assert!(
        e[0].contains("shorten `duration` (10000d), or pass --allow-huge"),
        "{e:?}"
    );
    let l = with_sets(BASE, &huge, Guard { allow_huge: true }).unwrap();
    assert!(l.estimate.events > HUGE_EVENTS, "{:?}", l.estimate);
    // Plain loading (compare, sweep, the tests) is not guarded.
    let o = LoadOptions {
        sets: huge.iter().map(|s| s.to_string()).collect(),
        ..LoadOptions::default()
    };
    assert!(load_str(BASE, "x.yaml", Path::new("."), &o).is_ok());
}

#[test]
fn an_absurd_rate_is_refused_at_the_rate() {
    let e = errors(&["workloads[shoppers].rate=1e9"]);
    assert!(
        e[0].starts_with("--set:1:26: workloads[shoppers].rate: this run is too big"),
        "{e:?}"
    );
    assert!(
        e[0].contains("workload \"shoppers\" alone sends 1.0e9 per second"),
        "{e:?}"
    );
    // In the file, the position is the rate's.
    let src = BASE.replace("rate: 50", "rate: 1e9");
    let e = with_sets(&src, &[], Guard::default()).unwrap_err();
    assert!(
        e[0].starts_with("x.yaml:6:11: workloads[shoppers].rate:"),
        "{e:?}"
    );
}

#[test]
fn the_estimate_is_within_a_factor_of_two_of_the_events_run() {
    // The shipped scenarios' shapes: a load balancer with compute, sessions,
    // a queue with consumers, a table.
    for (file, sets) in [
        ("scenarios/quickstart.yaml", vec!["duration=5m"]),
        ("scenarios/mmc-erlang.yaml", vec!["duration=5m"]),
        ("scenarios/sticky-sessions.yaml", vec!["duration=5m"]),
        ("scenarios/sqs-backlog-scaling.yaml", vec!["duration=10m"]),
        ("scenarios/dynamodb-burst.yaml", vec!["duration=5m"]),
    ] {
        let o = LoadOptions {
            sets: sets.iter().map(|s| s.to_string()).collect(),
            ..LoadOptions::default()
        };
        let l = stratus::scenario::load_file_checked(Path::new(file), &o, Guard::default())
            .unwrap_or_else(|d| panic!("{file}: {d}"));
        let r = stratus::run::simulate(&l.scenario, None, &mut |_| {});
        let real = r.summary.events as f64;
        let ratio = l.estimate.events / real;
        assert!(
            (0.5..=2.0).contains(&ratio),
            "{file}: estimated {} events, the run had {real} (ratio {ratio:.2})",
            l.estimate.events
        );
    }
}

// ------------------------------------------------------------ item 10: the CLI

fn stratus() -> Command {
    Command::cargo_bin("stratus").expect("binary")
}

#[test]
fn a_bad_out_path_is_bad_input_naming_the_path() {
    for args in [
        vec!["run", "scenarios/quickstart.yaml", "--no-charts"],
        vec!["compare", "scenarios/quickstart.yaml", "--no-charts"],
        vec![
            "sweep",
            "scenarios/quickstart.yaml",
            "--no-charts",
            "--param",
            "duration=1m,2m",
        ],
    ] {
        let o = stratus()
            .args(&args)
            .args(["--out", "/proc/nope/x"])
            .assert()
            .code(2);
        let err = String::from_utf8_lossy(&o.get_output().stderr).to_string();
        assert!(
            err.contains("/proc/nope/x") && !err.contains("internal error"),
            "{args:?}: {err}"
        );
    }
    // A file where a folder should be.
    let t = TempDir::new("validation-out");
    let f = t.join("file");
    std::fs::write(&f, "x").unwrap();
    let o = stratus()
        .args(["run", "scenarios/quickstart.yaml", "--no-charts", "--out"])
        .arg(f.join("run"))
        .assert()
        .code(2);
    let err = String::from_utf8_lossy(&o.get_output().stderr).to_string();
    assert!(err.contains("is not a folder"), "{err}");
}

#[test]
fn explain_an_unknown_resource_lists_the_resources_and_no_charts_claims_none() {
    let t = TempDir::new("validation-explain");
    let out = t.join("run");
    let o = stratus()
        .args([
            "run",
            "scenarios/quickstart.yaml",
            "--no-charts",
            "--set",
            "duration=2m",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success();
    let text = String::from_utf8_lossy(&o.get_output().stdout).to_string();
    assert!(
        text.contains("(summary.json, metrics.csv, activities.csv)"),
        "{text}"
    );
    assert!(!text.contains("charts/"), "{text}");
    assert!(!out.join("charts").exists());
    let o = stratus()
        .arg("explain")
        .arg(&out)
        .args(["--resource", "nosuch"])
        .assert()
        .code(2);
    let err = String::from_utf8_lossy(&o.get_output().stderr).to_string();
    assert!(
        err.contains("no resource named \"nosuch\"") && err.contains("\"web\""),
        "{err}"
    );
    stratus()
        .arg("explain")
        .arg(&out)
        .args(["--resource", "web"])
        .assert()
        .success();
}

#[test]
fn validate_prints_warnings_and_refuses_huge_runs() {
    let t = TempDir::new("validation-cli");
    let f = t.join("s.yaml");
    std::fs::write(
        &f,
        BASE.replace(
            "workloads:\n  - name: shoppers\n    to: { load_balancer: web }\n    rate: 50\n",
            "workloads: []\n",
        ),
    )
    .unwrap();
    let o = stratus().arg("validate").arg(&f).assert().success();
    let err = String::from_utf8_lossy(&o.get_output().stderr).to_string();
    assert!(
        err.contains("load_balancers[web].name: warning: load balancer \"web\" gets no requests"),
        "{err}"
    );
    let f = t.join("huge.yaml");
    std::fs::write(&f, BASE).unwrap();
    let o = stratus()
        .arg("validate")
        .arg(&f)
        .args(["--set", "workloads[shoppers].rate=1e9"])
        .assert()
        .code(2);
    let err = String::from_utf8_lossy(&o.get_output().stderr).to_string();
    assert!(
        err.contains("--set:1:26: workloads[shoppers].rate: this run is too big"),
        "{err}"
    );
    let o = stratus()
        .arg("run")
        .arg(&f)
        .args(["--set", "workloads[shoppers].rate=1e9", "--out"])
        .arg(t.join("never"))
        .assert()
        .code(2);
    assert!(String::from_utf8_lossy(&o.get_output().stderr).contains("--allow-huge"));
    assert!(!t.join("never").exists());
    stratus()
        .arg("validate")
        .arg(&f)
        .args(["--set", "workloads[shoppers].rate=1e9", "--allow-huge"])
        .assert()
        .success();
}

/// compare, sweep and tune refuse work that is too big in all, as `run`
/// refuses one run, before writing anything; `--allow-huge` lifts it.
#[test]
fn many_runs_that_are_too_big_in_all_are_refused() {
    let t = crate::util::TempDir::new("size-guard");
    let f = t.join("s.yaml");
    std::fs::write(
        &f,
        "name: s\nduration: 1000d\nworkloads:\n  - { name: w, to: { load_balancer: lb }, rate: 40 }\nload_balancers:\n  - { name: lb, target_group: g }\nauto_scaling_groups:\n  - { name: g, min: 1, max: 1, desired: 1 }\nvariants:\n  - { name: v, set: { \"workloads[w].rate\": 41 } }\n",
    )
    .unwrap();
    // One run is allowed…
    let one = stratus::scenario::estimate::estimate(
        &stratus::scenario::load_file(&f, &Default::default()).unwrap(),
    );
    assert!(!one.is_huge(), "{}", one.line());
    // …but not 2 variants × 20 replications, a 40-point sweep or a
    // 40-candidate tune of it.
    let n = (stratus::scenario::estimate::HUGE_EVENTS / one.events).ceil() as u32 + 1;
    let reps = n.to_string();
    let values: Vec<String> = (1..=n).map(|i| (40 + i).to_string()).collect();
    let grid = format!("workloads[w].rate={}", values.join(","));
    let budget = (n * 2).to_string();
    for (cmd, args) in [
        ("compare", vec!["--replications", reps.as_str()]),
        ("sweep", vec!["--param", grid.as_str()]),
        (
            "tune",
            vec![
                "--param",
                "workloads[w].rate=10..50",
                "--objective",
                "cost_usd",
                "--budget",
                budget.as_str(),
                "--replications",
                "1",
            ],
        ),
    ] {
        let out = t.join(cmd);
        let o = stratus()
            .arg(cmd)
            .arg(&f)
            .args(&args)
            .arg("--out")
            .arg(&out)
            .assert()
            .code(2);
        let err = String::from_utf8_lossy(&o.get_output().stderr).to_string();
        assert!(err.contains(&format!("{cmd}: ")), "{err}");
        assert!(err.contains("runs, estimated"), "{err}");
        assert!(err.contains("--allow-huge"), "{err}");
        assert!(!out.exists(), "{cmd} wrote {}", out.display());
    }
    // The guard is per command, not per run: a small compare passes.
    let out = t.join("small");
    let mut small = std::fs::read_to_string(&f).unwrap();
    small = small.replace("duration: 1000d", "duration: 10m");
    std::fs::write(&f, small).unwrap();
    stratus()
        .args(["compare"])
        .arg(&f)
        .args(["--no-charts", "--out"])
        .arg(&out)
        .assert()
        .success();
}
