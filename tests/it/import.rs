//! `stratus import` and `stratus backtest` (issue 15): the example account's
//! exports (examples/account/) against botocore's shapes, what survives
//! import, the three input formats agreeing, a round-trip backtest and a
//! perturbed one, and bad input.

use crate::util::TempDir;
use assert_cmd::Command;
use std::path::{Path, PathBuf};
use stratus::experiment::backtest::{BacktestArgs, backtest};
use stratus::import::{Options, import};
use stratus::scenario::{
    AdjustmentType, Comparison, LoadOptions, PolicyType, Routing, Scenario, StickinessType,
    load_str,
};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn account() -> PathBuf {
    root().join("examples/account")
}

fn cli_files() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(account().join("cli"))
        .expect("examples/account/cli")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    v.sort();
    v
}

fn stratus() -> Command {
    Command::cargo_bin("stratus").expect("binary")
}

/// Imports files in-process and loads the scenario.
fn imported(files: Vec<PathBuf>) -> (Scenario, String, usize, usize) {
    let im = import(&Options {
        files,
        out: Some(PathBuf::from("acct.yaml")),
        metrics: None,
        map: Vec::new(),
    })
    .unwrap_or_else(|e| panic!("import failed: {e}"));
    let sc = load_str(
        &im.yaml,
        "acct.yaml",
        Path::new("."),
        &LoadOptions::default(),
    )
    .unwrap_or_else(|d| panic!("imported scenario invalid:\n{d}\n{}", im.yaml));
    (sc, im.yaml, im.mapped, im.total)
}

#[test]
fn fixtures_match_botocore_output_shapes() {
    let mut files = cli_files();
    files.push(account().join("get-metric-data.json"));
    files.push(account().join("describe-scaling-activities.json"));
    let out = std::process::Command::new("python3")
        .arg(root().join("tests/shapes/check_cli_json.py"))
        .args(&files)
        .output();
    let out = match out {
        Ok(o)
            if o.status.success()
                || !String::from_utf8_lossy(&o.stderr).contains("No module named") =>
        {
            o
        }
        _ if std::env::var_os("CI").is_none() => {
            eprintln!("skipped: python3 with botocore is not installed (CI installs it)");
            return;
        }
        Ok(o) => panic!(
            "botocore missing in CI: {}",
            String::from_utf8_lossy(&o.stderr)
        ),
        Err(e) => panic!("python3 missing in CI: {e}"),
    };
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "{}{stderr}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(
        stderr.contains(&format!("checked {} files", files.len())),
        "{stderr}"
    );
}

#[test]
fn every_resource_kind_keeps_its_important_fields() {
    let (sc, yaml, mapped, total) = imported(cli_files());
    assert_eq!((mapped, total), (20, 20), "{yaml}");
    let g = &sc.auto_scaling_groups[0];
    assert_eq!(g.name, "web-asg");
    assert_eq!((g.min, g.max, g.desired), (2, 12, Some(2)));
    assert_eq!(g.availability_zones, ["us-east-1a", "us-east-1b"]);
    assert_eq!(format!("{:?}", g.health_check.kind), "Elb");
    assert_eq!(g.health_check.grace_period.as_secs_f64(), 300.0);
    assert_eq!(g.default_cooldown.as_secs_f64(), 300.0);
    assert_eq!(
        g.default_instance_warmup.map(|d| d.as_secs_f64()),
        Some(120.0)
    );
    assert_eq!(
        format!("{:?}", g.termination_policies),
        "[OldestInstance, Default]"
    );
    assert_eq!(g.instance.kind, "c5.large");
    let lt = g.launch_template.as_ref().expect("launch template");
    assert_eq!((lt.name.as_str(), lt.version), ("web-lt", 3));

    let p = |n: &str| {
        g.scaling_policies
            .iter()
            .find(|p| p.name == n)
            .unwrap_or_else(|| panic!("policy {n}"))
    };
    let tt = p("cpu50");
    assert_eq!(tt.kind, PolicyType::TargetTracking);
    assert_eq!(tt.metric.as_deref(), Some("ASGAverageCPUUtilization"));
    assert_eq!(tt.target, Some(50.0));
    let st = p("add-on-high-cpu");
    assert_eq!(st.kind, PolicyType::Step);
    assert_eq!(st.adjustment_type, AdjustmentType::ChangeInCapacity);
    assert_eq!(
        st.estimated_instance_warmup.map(|d| d.as_secs_f64()),
        Some(120.0)
    );
    let a = st.alarm.as_ref().expect("step alarm");
    assert_eq!(a.name.as_deref(), Some("web-cpu-high"));
    assert_eq!(
        (a.metric.as_str(), a.comparison, a.threshold),
        ("CPUUtilization", Comparison::Ge, 70.0)
    );
    assert_eq!(
        (
            a.period.as_secs_f64(),
            a.evaluation_periods,
            a.datapoints_to_alarm
        ),
        (60.0, 2, Some(2))
    );
    let steps: Vec<_> = st
        .steps
        .iter()
        .map(|s| (s.lower, s.upper, s.adjustment))
        .collect();
    assert_eq!(steps, [(Some(0.0), Some(15.0), 1), (Some(15.0), None, 3)]);
    let si = p("remove-on-low-cpu");
    assert_eq!(si.kind, PolicyType::Simple);
    assert_eq!(si.adjustment, Some(-1));
    assert_eq!(si.cooldown.map(|d| d.as_secs_f64()), Some(600.0));
    let a = si.alarm.as_ref().expect("simple alarm");
    assert_eq!(
        (
            a.comparison,
            a.threshold,
            a.period.as_secs_f64(),
            a.evaluation_periods
        ),
        (Comparison::Lt, 15.0, 300.0, 3)
    );

    let s = &g.scheduled_actions[0];
    assert_eq!(s.name, "morning");
    assert_eq!(s.recurrence.as_deref(), Some("0 8 * * *"));
    assert_eq!((s.desired, s.min, s.max), (Some(4), Some(3), Some(12)));
    let h = &g.lifecycle_hooks[0];
    assert_eq!(h.name, "bootstrap");
    assert_eq!(
        format!("{:?}/{:?}", h.transition, h.default_result),
        "Launching/Continue"
    );
    assert_eq!(h.heartbeat_timeout.as_secs_f64(), 600.0);

    let lb = &sc.load_balancers[0];
    assert_eq!(
        (lb.name.as_str(), lb.target_group.as_str()),
        ("web-alb", "web-asg")
    );
    assert_eq!(lb.routing, Routing::LeastOutstandingRequests);
    assert_eq!(lb.stickiness.kind, StickinessType::LbCookie);
    assert_eq!(
        lb.stickiness.duration.map(|d| d.as_secs_f64()),
        Some(3600.0)
    );
    assert_eq!(lb.deregistration_delay.as_secs_f64(), 60.0);
    assert_eq!(lb.slow_start.as_secs_f64(), 30.0);
    assert_eq!(lb.health_check.interval.as_secs_f64(), 15.0);
    assert_eq!(
        (
            lb.health_check.healthy_threshold,
            lb.health_check.unhealthy_threshold
        ),
        (3, 2)
    );

    let q = sc
        .queues
        .iter()
        .find(|q| q.name == "orders-queue")
        .expect("queue");
    assert_eq!(q.visibility_timeout.as_secs_f64(), 120.0);
    assert_eq!(q.message_retention.as_secs_f64(), 345600.0);
    let r = q.redrive.as_ref().expect("redrive");
    assert_eq!(
        (r.dead_letter_queue.as_str(), r.max_receive_count),
        ("orders-dlq", 5)
    );
    let dlq = sc
        .queues
        .iter()
        .find(|q| q.name == "orders-dlq")
        .expect("dlq");
    assert_eq!(dlq.message_retention.as_secs_f64(), 1209600.0);

    let t = &sc.tables[0];
    assert_eq!(
        (t.read_capacity, t.write_capacity),
        (Some(50.0), Some(25.0))
    );
    assert_eq!(t.item_count, 512000);
    let gsi = &t.global_secondary_indexes[0];
    assert_eq!(
        (gsi.name.as_str(), gsi.read_capacity, gsi.write_capacity),
        ("by-customer", Some(20.0), Some(25.0))
    );
    let asc = t.auto_scaling.as_ref().expect("table auto scaling");
    let rd = asc.read.as_ref().expect("read scaling");
    let wr = asc.write.as_ref().expect("write scaling");
    assert_eq!((rd.min, rd.max, rd.target), (50.0, 800.0, 70.0));
    assert_eq!((wr.min, wr.max, wr.target), (25.0, 400.0, 70.0));

    // What AWS does not describe is marked.
    assert!(yaml.contains("# assumption:"), "{yaml}");
}

/// The parts of a scenario that the three formats all describe (CLI output
/// also describes data, e.g. the table's item count, which templates do not).
fn comparable(mut sc: Scenario) -> String {
    for t in &mut sc.tables {
        t.item_count = 0;
    }
    format!(
        "{:#?}\n{:#?}\n{:#?}\n{:#?}\n{:#?}",
        sc.workloads, sc.load_balancers, sc.auto_scaling_groups, sc.queues, sc.tables
    )
}

#[test]
fn cli_json_cloudformation_and_terraform_import_alike() {
    let (cli, ..) = imported(cli_files());
    let (cfn, cfn_yaml, m, t) = imported(vec![account().join("cloudformation.yaml")]);
    assert!(
        m >= 20 && m == t,
        "CloudFormation: mapped {m} of {t}\n{cfn_yaml}"
    );
    let (tf, tf_yaml, m, t) = imported(vec![account().join("terraform-plan.json")]);
    assert!(m >= 20 && m == t, "Terraform: mapped {m} of {t}\n{tf_yaml}");
    let (a, b, c) = (comparable(cli), comparable(cfn), comparable(tf));
    assert_eq!(a, b, "CLI JSON vs CloudFormation");
    assert_eq!(a, c, "CLI JSON vs Terraform");
}

#[test]
fn import_cli_writes_a_valid_scenario_and_traces() {
    let dir = TempDir::new("import");
    let out = dir.join("acct.yaml");
    let res = stratus()
        .arg("import")
        .args(cli_files())
        .arg("--out")
        .arg(&out)
        .arg("--metrics")
        .arg(account().join("get-metric-data.json"))
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&res.stderr);
    assert!(res.status.success(), "{stderr}");
    assert!(
        stderr.trim_end().ends_with("mapped 20 of 20 resources"),
        "{stderr}"
    );
    stratus().arg("validate").arg(&out).assert().success();
    let sc = stratus::scenario::load_file(&out, &LoadOptions::default()).expect("loads");
    assert_eq!(sc.start_time.as_deref(), Some("2026-01-06T00:00:00Z"));
    assert_eq!(sc.duration.as_secs_f64(), 86400.0);
    // RequestCount Sum per minute / 60 is the requests per second.
    let w = sc
        .workloads
        .iter()
        .find(|w| w.to.load_balancer.as_deref() == Some("web-alb"))
        .expect("ALB workload");
    let stratus::scenario::Rate::Trace { points, .. } = &w.rate else {
        panic!("not a trace: {:?}", w.rate)
    };
    let md: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(account().join("get-metric-data.json")).unwrap(),
    )
    .unwrap();
    let r = &md["MetricDataResults"][0];
    let n = r["Values"].as_array().unwrap().len();
    let first = r["Values"][n - 1].as_f64().unwrap(); // newest first
    assert_eq!(points.len(), 1440);
    assert!(
        (points[0].1 - first / 60.0).abs() < 1e-9,
        "{} vs {}",
        points[0].1,
        first / 60.0
    );
    assert!(
        sc.workloads
            .iter()
            .any(|w| w.to.queue.as_deref() == Some("orders-queue"))
    );
    assert!(
        sc.workloads
            .iter()
            .any(|w| w.to.table.as_deref() == Some("orders"))
    );
}

#[test]
fn malformed_input_exits_2_and_writes_nothing() {
    let dir = TempDir::new("import-bad");
    let out = dir.join("x.yaml");
    let cases: [(&str, &str, &str); 4] = [
        (
            "truncated.json",
            "{\n  \"AutoScalingGroups\": [\n    {\"MinSize\": 2,\n",
            "truncated.json:4:1: invalid JSON",
        ),
        (
            "unknown.json",
            "{\"Foo\": []}\n",
            "unknown.json:1:1: not a recognised input",
        ),
        ("bad.yaml", "Resources:\n  A: [1, 2\n  B: 3\n", "bad.yaml:"),
        ("notcfn.yaml", "name: x\n", "notcfn.yaml:1:1:"),
    ];
    for (name, text, want) in cases {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        let res = stratus()
            .arg("import")
            .arg(cli_files()[0].clone())
            .arg(&p)
            .arg("--out")
            .arg(&out)
            .output()
            .expect("run");
        let stderr = String::from_utf8_lossy(&res.stderr);
        assert_eq!(res.status.code(), Some(2), "{name}: {stderr}");
        assert!(stderr.contains(want), "{name}: {stderr}");
        assert!(!out.exists(), "{name}: wrote {}", out.display());
    }
    // A bad metrics file: nothing written either.
    let p = dir.join("m.json");
    std::fs::write(
        &p,
        "{\"MetricDataResults\": [{\"Id\": \"a\", \"Timestamps\": [\"x\"], \"Values\": [1]}]}",
    )
    .unwrap();
    let res = stratus()
        .arg("import")
        .args(cli_files())
        .arg("--out")
        .arg(&out)
        .arg("--metrics")
        .arg(&p)
        .output()
        .unwrap();
    assert_eq!(res.status.code(), Some(2));
    assert!(!out.exists());
    assert_eq!(
        std::fs::read_dir(&dir.0).unwrap().count(),
        5,
        "only the inputs are there"
    );
}

// ------------------------------------------------------------------ backtest

const START: i64 = 1767603600; // 2026-01-05T09:00:00Z

/// A group behind a load balancer under a step in load; its workload is a
/// trace of whole requests per second, so RequestCount / 60 gives it back.
fn backtest_scenario(dir: &TempDir) -> PathBuf {
    let mut trace = String::from("t_s,rps\n");
    for m in 0..90 {
        let rps = if (20..60).contains(&m) { 300 } else { 40 };
        trace.push_str(&format!("{},{rps}\n", m * 60));
    }
    std::fs::write(dir.join("load.csv"), trace).unwrap();
    let yaml = r#"
name: rt
duration: 90m
start_time: "2026-01-05T09:00:00Z"
workloads:
  - { name: clients, to: { load_balancer: web }, rate: { pattern: trace, file: load.csv } }
load_balancers:
  - { name: web, target_group: web }
auto_scaling_groups:
  - name: web
    min: 2
    max: 10
    desired: 2
    default_instance_warmup: 60s
    instance: { workers: 8 }
    app: [ { compute: { dist: lognormal, mean: 40ms, cv: 0.5 } } ]
    scaling_policies:
      - { name: cpu50, type: target_tracking, metric: ASGAverageCPUUtilization, target: 50 }
"#;
    let p = dir.join("rt.yaml");
    std::fs::write(&p, yaml).unwrap();
    p
}

fn iso(t: f64) -> String {
    stratus::report::clock::format_utc(START + t as i64)
}

/// The run's own outputs in AWS's shapes: get-metric-data (RequestCount as
/// the trace's requests per minute; the group's capacity series) and
/// describe-scaling-activities (its launch/terminate rows, with their causes).
fn export(
    r: &stratus::run::RunResult,
    load: &[(f64, f64)],
) -> (serde_json::Value, serde_json::Value) {
    let result = |id: &str, label: &str, pts: &[(f64, f64)]| {
        let mut pts = pts.to_vec();
        pts.reverse(); // newest first, as CloudWatch returns them
        serde_json::json!({
            "Id": id, "Label": label, "StatusCode": "Complete",
            "Timestamps": pts.iter().map(|p| iso(p.0).replace('Z', "+00:00")).collect::<Vec<_>>(),
            "Values": pts.iter().map(|p| p.1).collect::<Vec<_>>(),
        })
    };
    let req: Vec<(f64, f64)> = load.iter().map(|&(t, rps)| (t, rps * 60.0)).collect();
    let md = serde_json::json!({"MetricDataResults": [
        result("requests", "web RequestCount", &req),
        result("desired", "web GroupDesiredCapacity", &r.series.get("web", "GroupDesiredCapacity")),
        result("in_service", "web GroupInServiceInstances", &r.series.get("web", "GroupInServiceInstances")),
    ], "Messages": []});
    let acts: Vec<serde_json::Value> = r
        .activities
        .iter()
        .rev()
        // The initial fleet's launches at t = 0 are the group's creation,
        // which a recorded day does not contain (the group existed before).
        .filter(|a| a.resource == "web" && a.t > 0 && (a.kind() == "launch" || a.kind() == "terminate"))
        .map(|a| {
            serde_json::json!({
                "ActivityId": "0", "AutoScalingGroupName": "web", "Description": a.description,
                "Cause": a.cause, "StartTime": iso((a.t / 1_000_000_000) as f64), "StatusCode": "Successful", "Progress": 100
            })
        })
        .collect();
    (md, serde_json::json!({"Activities": acts}))
}

fn run_backtest(
    dir: &TempDir,
    sc: &Path,
    md: &serde_json::Value,
    acts: &serde_json::Value,
    tag: &str,
) -> serde_json::Value {
    let m = dir.join(format!("{tag}-metrics.json"));
    let a = dir.join(format!("{tag}-activities.json"));
    std::fs::write(&m, md.to_string()).unwrap();
    std::fs::write(&a, acts.to_string()).unwrap();
    let out = dir.join(format!("{tag}-out"));
    backtest(&BacktestArgs {
        scenario: sc.to_path_buf(),
        metrics: m,
        activities: Some(a),
        out: Some(out.clone()),
        window: "5m".into(),
        map: Vec::new(),
        seed: None,
        no_charts: tag != "round",
    })
    .unwrap_or_else(|e| panic!("backtest: {e}"));
    for f in [
        "backtest.json",
        "backtest.csv",
        "backtest.md",
        "run/summary.json",
        "run/metrics.csv",
    ] {
        assert!(out.join(f).exists(), "{f} missing");
    }
    let csv = std::fs::read_to_string(out.join("backtest.csv")).unwrap();
    assert!(csv.starts_with("t_s,resource,metric,recorded,simulated\n"));
    serde_json::from_str(&std::fs::read_to_string(out.join("backtest.json")).unwrap()).unwrap()
}

#[test]
fn backtest_against_its_own_outputs_matches_and_reports_perturbations() {
    let dir = TempDir::new("backtest");
    let sc_path = backtest_scenario(&dir);
    let sc = stratus::scenario::load_file(&sc_path, &LoadOptions::default()).unwrap();
    let r = stratus::run::simulate(&sc, None, &mut |_| {});
    let load: Vec<(f64, f64)> = (0..90)
        .map(|m| {
            (
                m as f64 * 60.0,
                if (20..60).contains(&m) { 300.0 } else { 40.0 },
            )
        })
        .collect();
    let (md, acts) = export(&r, &load);
    // The run's desired-capacity changes: (t ns, from, to).
    let changes: Vec<(u64, u32, u32)> = r
        .activities
        .iter()
        .filter_map(|a| match a.what {
            stratus::world::Act::Scaling { from, to } => Some((a.t, from, to)),
            _ => None,
        })
        .collect();
    let n_changes = changes.len() as u64;
    assert!(
        n_changes >= 2,
        "the load step should scale the group out and in: {changes:?}"
    );

    // Round trip: everything matches, exactly.
    let b = run_backtest(&dir, &sc_path, &md, &acts, "round");
    let a = &b["activities"];
    assert_eq!(a["recorded"], n_changes, "{b:#}");
    assert_eq!(
        (
            a["matched"].as_u64(),
            a["missed"].as_u64(),
            a["extra"].as_u64()
        ),
        (Some(n_changes), Some(0), Some(0)),
        "{b:#}"
    );
    assert_eq!(a["timing_error_s"]["median"], 0.0);
    assert_eq!(a["timing_error_s"]["max"], 0.0);
    assert_eq!(b["capacity"]["mae_instances"], 0.0, "{b:#}");
    assert_eq!(b["capacity"]["max_abs_error"], 0.0);
    assert!(dir.join("round-out/charts/backtest.png").exists());

    // Perturbed: the first change recorded 2 minutes later, the last one
    // missing, desired capacity one higher over 9 of the 90 periods.
    let mut acts2 = acts.clone();
    let list = acts2["Activities"].as_array_mut().unwrap();
    let first = changes[0];
    let last = *changes.last().unwrap();
    let t_first = iso((first.0 / 1_000_000_000) as f64);
    let t_shift = iso((first.0 / 1_000_000_000) as f64 + 120.0);
    let last_at = format!("At {} ", iso((last.0 / 1_000_000_000) as f64));
    let last_clause = format!("from {} to {}", last.1, last.2);
    list.retain(|x| {
        let c = x["Cause"].as_str().unwrap();
        !(c.contains(&last_at) && c.contains(&last_clause))
    });
    for x in list.iter_mut() {
        let c = x["Cause"]
            .as_str()
            .unwrap()
            .replace(&format!("At {t_first} "), &format!("At {t_shift} "));
        x["Cause"] = c.into();
    }
    let mut md2 = md.clone();
    let vals = md2["MetricDataResults"][1]["Values"]
        .as_array_mut()
        .unwrap();
    let n = vals.len();
    for v in vals.iter_mut().take(9) {
        *v = (v.as_f64().unwrap() + 1.0).into();
    }
    let b = run_backtest(&dir, &sc_path, &md2, &acts2, "perturbed");
    let a = &b["activities"];
    assert_eq!(a["recorded"], n_changes - 1, "{b:#}");
    assert_eq!(a["matched"], n_changes - 1, "{b:#}");
    assert_eq!(
        (a["missed"].as_u64(), a["extra"].as_u64()),
        (Some(0), Some(1)),
        "{b:#}"
    );
    assert_eq!(a["timing_error_s"]["max"], 120.0, "{b:#}");
    let mae = b["capacity"]["mae_instances"].as_f64().unwrap();
    assert!(
        (mae - 9.0 / n as f64).abs() < 1e-6,
        "{mae} vs {}",
        9.0 / n as f64
    );
    assert_eq!(b["capacity"]["max_abs_error"], 1.0);
}

#[test]
fn aws_causes_give_the_desired_capacity_changes() {
    let v = serde_json::json!({"Activities": [
        {"AutoScalingGroupName": "web", "StartTime": "2026-01-05T09:14:05.120Z",
         "Cause": "At 2026-01-05T09:14:00Z a monitor alarm web-cpu-high in state ALARM triggered policy add-on-high-cpu changing the desired capacity from 2 to 4.  At 2026-01-05T09:14:05Z an instance was started in response to a difference between desired and actual capacity, increasing the capacity from 2 to 4."},
        {"AutoScalingGroupName": "web", "StartTime": "2026-01-05T09:14:05.300Z",
         "Cause": "At 2026-01-05T09:14:00Z a monitor alarm web-cpu-high in state ALARM triggered policy add-on-high-cpu changing the desired capacity from 2 to 4.  At 2026-01-05T09:14:05Z an instance was started in response to a difference between desired and actual capacity, increasing the capacity from 2 to 4."},
        {"AutoScalingGroupName": "web", "StartTime": "2026-01-05T08:00:03Z",
         "Cause": "At 2026-01-05T08:00:00Z a scheduled action update of AutoScalingGroup constraints to min: 3, max: 12, desired: 4 changing the desired capacity from 2 to 4."},
        {"AutoScalingGroupName": "web", "StartTime": "2026-01-05T10:00:00Z",
         "Cause": "At 2026-01-05T10:00:00Z an instance was started in response to an instance in an unhealthy state."}
    ]});
    let c = stratus::experiment::backtest::parse_activities(&v, "a.json").unwrap();
    let t = |s: &str| stratus::import::time::parse_iso(s).unwrap();
    assert_eq!(
        c,
        vec![
            (t("2026-01-05T08:00:00Z"), "web".to_string(), 2, 4),
            (t("2026-01-05T09:14:00Z"), "web".to_string(), 2, 4),
        ]
    );
}

#[test]
fn backtest_bad_input_exits_2() {
    let dir = TempDir::new("backtest-bad");
    let sc = backtest_scenario(&dir);
    let m = dir.join("m.json");
    std::fs::write(&m, "{\"MetricDataResults\": [\n  {\"Id\": \"requests\",\n").unwrap();
    let out = dir.join("out");
    let res = stratus()
        .arg("backtest")
        .arg(&sc)
        .arg("--metrics")
        .arg(&m)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(res.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&res.stderr).contains("m.json:3:1:"),
        "{}",
        String::from_utf8_lossy(&res.stderr)
    );
    assert!(!out.exists());
}

#[test]
fn unmapped_resources_are_comments_and_counted() {
    let dir = TempDir::new("import-unmapped");
    let p = dir.join("t.json");
    std::fs::write(
        &p,
        r#"{"AWSTemplateFormatVersion": "2010-09-09", "Resources": {
            "Resize": {"Type": "AWS::Lambda::Function", "Properties": {"Runtime": "python3.12"}},
            "Lonely": {"Type": "AWS::ElasticLoadBalancingV2::TargetGroup", "Properties": {"Name": "lonely"}},
            "Jobs": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "jobs", "VisibilityTimeout": 45}}}}"#,
    )
    .unwrap();
    let (sc, yaml, mapped, total) = imported(vec![p]);
    assert_eq!((mapped, total), (1, 3), "{yaml}");
    assert!(
        yaml.contains("# not mapped: resource Resize of type AWS::Lambda::Function"),
        "{yaml}"
    );
    assert!(yaml.contains("# not mapped: target group lonely"), "{yaml}");
    assert_eq!(sc.queues[0].visibility_timeout.as_secs_f64(), 45.0);
    assert!(sc.workloads.is_empty() && sc.auto_scaling_groups.is_empty());
}
