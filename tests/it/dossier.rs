//! The fidelity dossier's measurements: each test runs a whole simulation
//! whose answer is known independently of the code — queueing theory, or a
//! figure AWS documents — asserts that the run is within tolerance, and
//! records the expected and measured figures in `target/dossier/<id>.json`.
//! `docs/build.sh` renders them in the book's fidelity dossier
//! (`docs/tools/dossier.py`), so every figure there comes from this run of
//! the suite. The scenarios are written here, not read from `scenarios/`,
//! so that a lesson's re-tuning cannot move an expected figure.

use crate::util::run;
use stratus::aws::cloudwatch::AlarmState;
use stratus::report::activity::Act;

/// One measured check.
struct Check {
    id: &'static str,
    rule: String,
    source: &'static str,
    test: &'static str,
    unit: &'static str,
    expected: f64,
    measured: f64,
    /// Allowed |measured − expected|, in `unit`.
    tolerance: f64,
}

impl Check {
    /// Asserts the tolerance, then writes target/dossier/<id>.json.
    fn record(self) {
        let err = self.measured - self.expected;
        let rel = if self.expected != 0.0 {
            100.0 * err / self.expected
        } else {
            0.0
        };
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/dossier");
        std::fs::create_dir_all(&dir).unwrap();
        let json = serde_json::json!({
            "id": self.id,
            "rule": self.rule,
            "source": self.source,
            "test": format!("tests/it/dossier.rs::{}", self.test),
            "unit": self.unit,
            "expected": self.expected,
            "measured": self.measured,
            "error": err,
            "relative_error_pct": rel,
            "tolerance": self.tolerance,
        });
        std::fs::write(
            dir.join(format!("{}.json", self.id)),
            serde_json::to_string_pretty(&json).unwrap(),
        )
        .unwrap();
        assert!(
            err.abs() <= self.tolerance,
            "{}: expected {} {}, measured {} (error {err:+}, tolerance ±{})",
            self.id,
            self.expected,
            self.unit,
            self.measured,
            self.tolerance
        );
    }
}

/// Erlang C: the probability that an arrival waits in M/M/c with offered
/// load a = λ/μ.
fn erlang_c(c: u32, a: f64) -> f64 {
    let rho = a / c as f64;
    let mut term = 1.0; // a^k / k!
    let mut sum = 0.0;
    for k in 0..c {
        if k > 0 {
            term *= a / k as f64;
        }
        sum += term;
    }
    let top = term * a / c as f64 / (1.0 - rho);
    top / (sum + top)
}

fn mmc_yaml(c: u32, lambda: f64, mean_ms: f64, minutes: u32) -> String {
    format!(
        "name: mmc\nseed: 7\nduration: {minutes}m\n\
         workloads:\n  - {{ name: p, to: {{ load_balancer: lb }}, rate: {lambda} }}\n\
         load_balancers:\n  - {{ name: lb, target_group: g }}\n\
         auto_scaling_groups:\n  - name: g\n    min: 1\n    max: 1\n    desired: 1\n\
         \x20   instance: {{ workers: {c}, queue_limit: 10000000 }}\n\
         \x20   app:\n      - compute: {{ dist: exponential, mean: {mean_ms}ms }}\n"
    )
}

/// Mean response time of M/M/c against Erlang C: W = C(c, a)/(cμ − λ) + 1/μ.
fn mmc_check(id: &'static str, test: &'static str, c: u32, lambda: f64, mean_ms: f64) {
    let mu = 1000.0 / mean_ms;
    let a = lambda / mu;
    let w_ms = 1000.0 * (erlang_c(c, a) / (c as f64 * mu - lambda) + 1.0 / mu);
    let r = run(&mmc_yaml(c, lambda, mean_ms, 20));
    Check {
        id,
        rule: format!(
            "M/M/{c} at ρ = {:.2} (λ = {lambda}/s, mean service {mean_ms} ms): mean time in system",
            a / c as f64
        ),
        source: "Erlang C formula (queueing theory)",
        test,
        unit: "ms",
        expected: w_ms,
        measured: r.summary.requests.latency_ms.mean,
        tolerance: 0.03 * w_ms,
    }
    .record();
}

#[test]
fn mm10_at_rho_09_matches_erlang_c() {
    mmc_check(
        "queueing-mm10-rho0.9",
        "mm10_at_rho_09_matches_erlang_c",
        10,
        900.0,
        10.0,
    );
}

#[test]
fn mm1_at_rho_05_matches_theory() {
    // W = 1/(μ − λ) = 1/(100 − 50) s = 20 ms.
    mmc_check(
        "queueing-mm1-rho0.5",
        "mm1_at_rho_05_matches_theory",
        1,
        50.0,
        10.0,
    );
}

#[test]
fn mm4_at_rho_075_matches_erlang_c() {
    mmc_check(
        "queueing-mm4-rho0.75",
        "mm4_at_rho_075_matches_erlang_c",
        4,
        300.0,
        10.0,
    );
}

#[test]
fn cpu_utilisation_is_rho() {
    // An instance's CPUUtilization is its busy-worker fraction: ρ = λ/(cμ).
    let r = run(&mmc_yaml(10, 900.0, 10.0, 20));
    let cpu = crate::util::mean_metric(&r, "g", "CPUUtilization");
    Check {
        id: "queueing-utilisation",
        rule: "CPUUtilization of an instance = busy-worker time / (workers × period) = ρ".into(),
        source: "utilisation law (queueing theory); CW:publishingMetrics",
        test: "cpu_utilisation_is_rho",
        unit: "%",
        expected: 90.0,
        measured: cpu,
        tolerance: 1.0,
    }
    .record();
}

#[test]
fn target_tracking_high_alarm_after_three_published_datapoints() {
    // Traffic jumps at 10 min from 20 % to far above 100 % of a fleet's
    // capacity. The high alarm needs 3 of 3 one-minute datapoints above the
    // target (ASG:as-scaling-target-tracking), each published 1 min after
    // its period (cloudwatch.publication_delay): the periods [10,11),
    // [11,12), [12,13) are seen at 12, 13 and 14 min, so the alarm goes to
    // ALARM at 14:00 = 840 s (the scaling activity follows it).
    let yaml = "name: tt\nseed: 3\nduration: 20m\n\
        workloads:\n  - { name: w, to: { load_balancer: lb }, rate: { pattern: step, steps: [ { at: 0s, rps: 80 }, { at: 10m, rps: 800 } ] } }\n\
        load_balancers:\n  - { name: lb, target_group: g }\n\
        auto_scaling_groups:\n  - name: g\n    min: 2\n    max: 20\n    desired: 2\n\
        \x20   instance: { workers: 8, queue_limit: 100 }\n\
        \x20   app:\n      - compute: { dist: lognormal, mean: 40ms, cv: 0.5 }\n\
        \x20   scaling_policies:\n      - { name: cpu50, type: target_tracking, metric: ASGAverageCPUUtilization, target: 50 }\n";
    let r = run(yaml);
    let first = r
        .activities
        .iter()
        .find(|a| {
            matches!(&a.what, Act::Alarm { alarm, to: AlarmState::Alarm } if alarm.contains("AlarmHigh"))
        })
        .map(|a| a.t as f64 / 1e9)
        .unwrap_or(f64::NAN);
    let scaled = r.activities.iter().any(
        |a| matches!(a.what, Act::Scaling { from, to } if to > from && a.t as f64 / 1e9 >= first),
    );
    assert!(scaled, "the alarm scales the group out");
    Check {
        id: "asg-target-tracking-alarm-high-timing",
        rule: "a target tracking policy's high alarm goes to ALARM on its 3rd of 3 one-minute datapoints above the target, each published a minute late".into(),
        source: "ASG:as-scaling-target-tracking; CW:AlarmThatSendsEmail",
        test: "target_tracking_high_alarm_after_three_published_datapoints",
        unit: "s",
        expected: 840.0,
        measured: first,
        tolerance: 0.0,
    }
    .record();
}

#[test]
fn dynamodb_auto_scaling_first_decision_is_consumed_over_target() {
    // WE-22: new capacity = ceil(consumed / target). At a steady 1,000
    // writes/s a 150 WCU table serves 150 units a second once its burst is
    // spent, so the first scale-out asks for ceil(150 / 0.70) = 215.
    let yaml = "name: ddb\nseed: 5\nduration: 30m\n\
        workloads:\n  - { name: w, to: { table: t }, arrivals: uniform, rate: 1000, operation: { op: put, item_size: 1KB } }\n\
        tables:\n  - name: t\n    billing_mode: provisioned\n    read_capacity: 10\n    write_capacity: 150\n\
        \x20   auto_scaling:\n      write: { min: 50, max: 2000, target: 70 }\n      update_time: 2m\n\
        \x20   sdk_retry: { mode: standard }\n";
    let r = run(yaml);
    let first = r
        .activities
        .iter()
        .find(|a| matches!(a.what, Act::TableScaling))
        .and_then(|a| {
            a.description
                .split_whitespace()
                .find_map(|w| w.trim_end_matches('.').parse::<f64>().ok())
        })
        .unwrap_or(f64::NAN);
    Check {
        id: "ddb-auto-scaling-we22",
        rule: "DynamoDB auto scaling sets capacity to ceil(consumed / target utilisation)".into(),
        source: "DDB:AutoScaling.CLI (WE-22)",
        test: "dynamodb_auto_scaling_first_decision_is_consumed_over_target",
        unit: "WCU",
        expected: 215.0,
        measured: first,
        tolerance: 0.0,
    }
    .record();
}

#[test]
fn dynamodb_burst_lasts_the_banked_seconds() {
    // 100 WCU, 50 writes/s for 10 min: 300 s of the unused 50 units are
    // banked, at most 300 × 100 = 30,000 units (DDB:bp-partition-key-design).
    // Then 250 writes/s: 150 above the rate, so the bucket lasts
    // 30,000 / 150 = 200 s before the first throttle.
    let yaml = "name: burst\nseed: 9\nduration: 20m\n\
        workloads:\n  - { name: w, to: { table: t }, arrivals: uniform, operation: { op: put, item_size: 1KB },\n\
        \x20     rate: { pattern: step, steps: [ { at: 0s, rps: 50 }, { at: 10m, rps: 250 } ] } }\n\
        tables:\n  - name: t\n    billing_mode: provisioned\n    read_capacity: 10\n    write_capacity: 100\n    partitions: 1\n\
        \x20   sdk_retry: { mode: standard }\n";
    let r = run(yaml);
    let first = r
        .activities
        .iter()
        .find(|a| matches!(a.what, Act::TableThrottling { began: true }))
        .map(|a| a.t as f64 / 1e9 - 600.0)
        .unwrap_or(f64::NAN);
    Check {
        id: "ddb-burst-300s",
        rule: "burst capacity keeps up to 300 s of unused provisioned capacity".into(),
        source: "DDB:bp-partition-key-design",
        test: "dynamodb_burst_lasts_the_banked_seconds",
        unit: "s",
        expected: 200.0,
        measured: first,
        tolerance: 1.0,
    }
    .record();
}

#[test]
fn unhealthy_replacement_batch_is_ten_percent_of_desired() {
    // WE-15: at most 10 % of desired capacity replaced at a time: 4 of 40.
    let yaml = "name: unhealthy\nseed: 4\nduration: 14m\n\
        workloads:\n  - { name: w, to: { load_balancer: lb }, rate: 400 }\n\
        load_balancers:\n  - { name: lb, target_group: g, idle_timeout: 5s,\n\
        \x20     health_check: { interval: 10s, timeout: 2s, unhealthy_threshold: 2, healthy_threshold: 3 } }\n\
        auto_scaling_groups:\n  - name: g\n    min: 40\n    max: 44\n    desired: 40\n\
        \x20   health_check: { type: ELB, grace_period: 60s }\n\
        \x20   instance: { workers: 8, queue_limit: 100 }\n\
        \x20   app:\n      - compute: { dist: lognormal, mean: 40ms, cv: 0.5 }\n\
        faults:\n  - { at: 10m, kind: instance_failure, auto_scaling_group: g, count: 8, mode: hung }\n";
    let r = run(yaml);
    let terms: Vec<u64> = r
        .activities
        .iter()
        .filter(|a| matches!(a.what, Act::Terminate))
        .map(|a| a.t)
        .collect();
    let first_batch = terms
        .first()
        .map(|t0| terms.iter().filter(|t| *t == t0).count());
    Check {
        id: "asg-unhealthy-batch-we15",
        rule: "unhealthy instances are replaced at most 10 % of desired capacity at a time".into(),
        source: "ASG:replace-unhealthy-instance (WE-15)",
        test: "unhealthy_replacement_batch_is_ten_percent_of_desired",
        unit: "instances",
        expected: 4.0,
        measured: first_batch.map(|n| n as f64).unwrap_or(f64::NAN),
        tolerance: 0.0,
    }
    .record();
}

#[test]
fn spot_interruption_gives_a_two_minute_notice() {
    // EC2 sends the interruption notice two minutes before it stops a Spot
    // Instance (EC2:spot-instance-termination-notices); the group terminates
    // it then. Time from each `spot_interruption` row to its instance's
    // `terminate` row, averaged over the three interrupted instances.
    let yaml = "name: spot\nseed: 13\nduration: 20m\n\
        workloads:\n  - { name: w, to: { load_balancer: lb }, rate: 100 }\n\
        load_balancers:\n  - { name: lb, target_group: g, deregistration_delay: 10s }\n\
        auto_scaling_groups:\n  - name: g\n    min: 4\n    max: 4\n    desired: 4\n\
        \x20   instance: { workers: 8, queue_limit: 100, market: spot, price_per_hour: 0.03 }\n\
        \x20   app:\n      - compute: { dist: lognormal, mean: 40ms, cv: 0.5 }\n\
        faults:\n  - { at: 5m, kind: spot_interruption, auto_scaling_group: g, count: 3 }\n";
    let r = run(yaml);
    let instance = |s: &str| {
        s.split_whitespace()
            .find(|w| w.starts_with("i-"))
            .map(|w| w.trim_end_matches(['.', ',', ':']).to_string())
    };
    let mut gaps = Vec::new();
    for n in r
        .activities
        .iter()
        .filter(|a| matches!(a.what, Act::SpotInterruption))
    {
        let Some(id) = instance(&n.description).or_else(|| instance(&n.details)) else {
            continue;
        };
        if let Some(t) = r
            .activities
            .iter()
            .find(|a| matches!(a.what, Act::Terminate) && a.t >= n.t && a.description.contains(&id))
        {
            gaps.push((t.t - n.t) as f64 / 1e9);
        }
    }
    assert_eq!(
        gaps.len(),
        3,
        "three notices followed by their terminations: {gaps:?}"
    );
    Check {
        id: "ec2-spot-two-minute-notice",
        rule: "a Spot Instance is interrupted two minutes after its interruption notice".into(),
        source: "EC2:spot-instance-termination-notices",
        test: "spot_interruption_gives_a_two_minute_notice",
        unit: "s",
        expected: 120.0,
        measured: gaps.iter().sum::<f64>() / gaps.len() as f64,
        tolerance: 0.5,
    }
    .record();
}
