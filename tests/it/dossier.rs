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
    /// The rules of `src/aws/` the check measures, as `module::Name` (the
    /// names of the rule's row in the dossier).
    rules: &'static [&'static str],
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
            "kind": "measured",
            "rules": self.rules,
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
        rules: &[],
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
        rules: &[],
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
        rules: &["cloudwatch::AlarmEvaluator::target_tracking_high", "cloudwatch::rule_m_out_of_n"],
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
        rules: &["dynamodb::rule_target_tracking_capacity"],
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
        rules: &["dynamodb::rule_burst_accrual", "dynamodb::BURST_SECONDS"],
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
        rules: &["scaling::unhealthy_replacement_batch"],
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
        rules: &[],
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

/// Rule by rule: each test calls a rule of `src/aws/` with the figures of
/// AWS's documentation (a limit, a default, a worked example) and checks
/// the documented value or decision exactly; [`exact`] records each check
/// in `target/dossier/rule-<id>.json` with the rule names it covers, so the
/// dossier's row for the rule says "exact" and names the test.
mod rules {
    use serde_json::json;
    use std::fmt::Debug;
    use stratus::aws::{
        apigateway, cloudwatch, dynamodb, elb, lambda, predictive, recorded, scaling, sqs,
        termination,
    };

    const S: u64 = 1_000_000_000;

    /// Records an exact check, then asserts it. `rules`: `module::Name` of
    /// the rows it covers; `what`: the documented figure or decision. A
    /// `source` starting with `GAP` is a check of a parameter AWS does not
    /// document (the dossier says so instead of "exact").
    pub(super) fn exact<T: PartialEq + Debug>(
        id: &str,
        rules: &[&str],
        source: &str,
        what: &str,
        expected: T,
        measured: T,
    ) {
        let test = std::thread::current().name().unwrap_or("?").to_string();
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/dossier");
        std::fs::create_dir_all(&dir).unwrap();
        let rec = json!({
            "id": id,
            "kind": if source.starts_with("GAP") { "gap" } else { "exact" },
            "rules": rules,
            "rule": what,
            "source": source,
            // `dossier::rules::name` → tests/it/dossier.rs::name, as the
            // dossier names the tests it finds.
            "test": format!(
                "tests/it/{}.rs::{}",
                test.split("::").next().unwrap_or("?"),
                test.rsplit("::").next().unwrap_or("?")
            ),
            "expected": format!("{expected:?}"),
            "measured": format!("{measured:?}"),
            "passed": expected == measured,
        });
        std::fs::write(
            dir.join(format!("rule-{id}.json")),
            serde_json::to_string_pretty(&rec).unwrap(),
        )
        .unwrap();
        assert_eq!(measured, expected, "{id}: {what} ({source})");
    }

    // ------------------------------------------------------ API Gateway

    #[test]
    fn apigateway_integration_timeout_is_29_seconds_at_most() {
        let ok = |ms: f64| apigateway::api_problems(true, ms, None, None).is_empty();
        exact(
            "apigw-integration-timeout",
            &["apigateway::DEFAULT_INTEGRATION_TIMEOUT_S"],
            "APIGW:limits",
            "integration timeout: 50 ms to 29 s; 29 s by default",
            (false, true, true, false, 29),
            (
                ok(49.0),
                ok(50.0),
                ok(29_000.0),
                ok(29_001.0),
                apigateway::DEFAULT_INTEGRATION_TIMEOUT_S,
            ),
        );
        let s = crate::util::scenario(
            "name: a\nduration: 1m\nfunctions:\n  - { name: f, duration: 10ms }\n\
             apis:\n  - { name: api, to: { function: f }, cache: { keys: { dist: zipf, n: 10, s: 1.1 } } }\n\
             workloads:\n  - { name: w, to: { api: api }, rate: 1 }\n",
        );
        exact(
            "apigw-defaults",
            &[
                "apigateway::DEFAULT_INTEGRATION_TIMEOUT_S",
                "apigateway::DEFAULT_CACHE_TTL_S",
            ],
            "APIGW:limits; APIGW:api-gateway-caching",
            "an API that sets neither waits 29 s for its integration and caches for 300 s",
            (29 * S, 300 * S),
            (
                s.apis[0].integration_timeout.0,
                s.apis[0].cache.as_ref().map(|c| c.ttl.0).unwrap_or(0),
            ),
        );
    }

    #[test]
    fn apigateway_cache_ttl_and_sizes() {
        let cache =
            |ttl: f64, size: f64| apigateway::api_problems(true, 29_000.0, Some((ttl, size)), None);
        exact(
            "apigw-cache-ttl",
            &[
                "apigateway::DEFAULT_CACHE_TTL_S",
                "apigateway::MAX_CACHE_TTL_S",
            ],
            "APIGW:api-gateway-caching",
            "cache TTL 300 s by default, 0 (off) to 3,600 s",
            (300, true, true, false),
            (
                apigateway::DEFAULT_CACHE_TTL_S,
                cache(0.0, 0.5).is_empty(),
                cache(3600.0, 0.5).is_empty(),
                cache(3601.0, 0.5).is_empty(),
            ),
        );
        exact(
            "apigw-cache-sizes",
            &[
                "apigateway::CACHE_SIZES_GB",
                "apigateway::cache_cost_per_hour",
            ],
            "APIGW:api-gateway-caching; aws.amazon.com/api-gateway/pricing",
            "cache sizes 0.5, 1.6, 6.1, 13.5, 28.4, 58.2, 118 and 237 GB ($0.02 to $3.80 an hour); no other",
            (Some(0.020), Some(0.038), Some(3.800), None, false, true),
            (
                apigateway::cache_cost_per_hour(0.5),
                apigateway::cache_cost_per_hour(1.6),
                apigateway::cache_cost_per_hour(237.0),
                apigateway::cache_cost_per_hour(1.0),
                cache(300.0, 1.0).is_empty(),
                cache(300.0, 118.0).is_empty(),
            ),
        );
    }

    // ------------------------------------------------------- CloudWatch

    /// The state an M-of-N alarm (≥ 10, 5-minute periods) reaches from
    /// INSUFFICIENT_DATA after a WE-17 row (oldest first: `X` breaching,
    /// `0` not, `-` missing), evaluated period by period.
    fn we17_row(
        m: u32,
        n: u32,
        treat: stratus::scenario::TreatMissing,
        row: &str,
    ) -> cloudwatch::AlarmState {
        let mut c =
            cloudwatch::AlarmConfig::new("t", stratus::scenario::Comparison::Ge, 10.0, 300 * S, n);
        c.datapoints_to_alarm = m;
        c.treat_missing_data = treat;
        let mut a = cloudwatch::AlarmEvaluator::new(c);
        for (i, sym) in row.split_whitespace().enumerate() {
            let v = match sym {
                "X" => Some(20.0),
                "0" => Some(0.0),
                _ => None,
            };
            a.evaluate((10 + i as u64) * 300 * S, v);
        }
        a.state()
    }

    #[test]
    fn cloudwatch_we17_tables_and_the_premature_alarm_rule() {
        use cloudwatch::AlarmState::{Alarm as A, Ok as O};
        use stratus::scenario::TreatMissing::{Breaching, Missing, NotBreaching};
        // `CW:AlarmThatSendsEmail`, "How CloudWatch alarms treat missing
        // data": the two tables (M = 3 and M = 2 of N = 3), columns MISSING,
        // BREACHING, NOT BREACHING (IGNORE keeps the earlier state).
        let rows: [(u32, &str, [cloudwatch::AlarmState; 3]); 9] = [
            (3, "0 - X - X", [O, O, O]),
            (3, "0 - - - -", [O, O, O]),
            (3, "0 X X - X", [A, A, A]),
            (3, "- - X - -", [A, A, O]),
            (2, "0 - X - X", [A, A, A]),
            (2, "0 0 X 0 X", [A, A, A]),
            (2, "0 - X - -", [O, A, O]),
            (2, "- - - - 0", [O, A, O]),
            (2, "- - - X -", [A, A, O]),
        ];
        let expected: Vec<_> = rows.iter().map(|r| (r.0, r.1, r.2)).collect();
        let measured: Vec<_> = rows
            .iter()
            .map(|r| {
                (
                    r.0,
                    r.1,
                    [Missing, Breaching, NotBreaching].map(|t| we17_row(r.0, 3, t, r.1)),
                )
            })
            .collect();
        exact(
            "cw-we17-tables",
            &[
                "cloudwatch::AlarmEvaluator::decide",
                "cloudwatch::rule_m_out_of_n",
                "cloudwatch::rule_premature_alarm",
                "cloudwatch::default_evaluation_range",
            ],
            "CW:AlarmThatSendsEmail (WE-17)",
            "the documented tables of how an M-of-3 alarm treats missing data, row by row",
            expected,
            measured,
        );
        // The premature-alarm rule itself: the oldest breaching datapoint at
        // least M periods old, the others breaching or missing.
        exact(
            "cw-premature-alarm",
            &["cloudwatch::rule_premature_alarm"],
            "CW:AlarmThatSendsEmail (WE-17)",
            "`- - X - -` at M = 3 and `- - - X -` at M = 2 alarm; `0 - X - -` at M = 2 and `- - - - X` at M = 3 do not",
            [true, true, false, false],
            [
                cloudwatch::rule_premature_alarm(Some(3), false, 3),
                cloudwatch::rule_premature_alarm(Some(2), false, 2),
                cloudwatch::rule_premature_alarm(Some(3), true, 2),
                cloudwatch::rule_premature_alarm(Some(1), false, 3),
            ],
        );
    }

    #[test]
    fn cloudwatch_dynamodb_alarms_ignore_missing_data() {
        use stratus::scenario::TreatMissing::{Breaching, Ignore, Missing, NotBreaching};
        exact(
            "cw-dynamodb-ignore",
            &["cloudwatch::rule_dynamodb_ignores_missing_data"],
            "API-CW:PutMetricAlarmInput.TreatMissingData",
            "an AWS/DynamoDB alarm evaluates as `ignore` whatever it sets; other alarms keep their setting",
            [Ignore, Ignore, Ignore, Ignore, Breaching],
            [
                cloudwatch::rule_dynamodb_ignores_missing_data(Missing, true),
                cloudwatch::rule_dynamodb_ignores_missing_data(Breaching, true),
                cloudwatch::rule_dynamodb_ignores_missing_data(NotBreaching, true),
                cloudwatch::rule_dynamodb_ignores_missing_data(Ignore, true),
                cloudwatch::rule_dynamodb_ignores_missing_data(Breaching, false),
            ],
        );
        // Through an alarm: breaching, then no data. Set to `breaching`, a
        // 2-of-2 DynamoDB alarm in ALARM stays there on missing data
        // because missing data is ignored, where a plain alarm set to
        // `not_breaching` would go OK.
        let mk = |ddb: bool| {
            let mut c = cloudwatch::AlarmConfig::new(
                "t",
                stratus::scenario::Comparison::Gt,
                10.0,
                60 * S,
                2,
            );
            c.treat_missing_data = NotBreaching;
            let a = cloudwatch::AlarmEvaluator::new(c);
            let mut a = if ddb { a.on_dynamodb_metric() } else { a };
            for (i, v) in [Some(20.0), Some(20.0), None, None, None]
                .into_iter()
                .enumerate()
            {
                a.evaluate((1 + i as u64) * 60 * S, v);
            }
            a.state()
        };
        exact(
            "cw-dynamodb-ignore-alarm",
            &["cloudwatch::rule_dynamodb_ignores_missing_data"],
            "API-CW:PutMetricAlarmInput.TreatMissingData",
            "after 2 breaching minutes and 3 missing ones: a DynamoDB alarm stays in ALARM, a plain `not_breaching` one goes OK",
            (cloudwatch::AlarmState::Alarm, cloudwatch::AlarmState::Ok),
            (mk(true), mk(false)),
        );
    }

    #[test]
    fn cloudwatch_target_tracking_alarms_keep_a_60_second_period() {
        let hi = cloudwatch::AlarmEvaluator::target_tracking_high(50.0)
            .with_metric_period(cloudwatch::EC2_BASIC_PERIOD_NS);
        let lo = cloudwatch::AlarmEvaluator::target_tracking_low(50.0, 0.9)
            .with_metric_period(cloudwatch::EC2_BASIC_PERIOD_NS);
        exact(
            "cw-tt-period",
            &[
                "cloudwatch::TT_PERIOD_NS",
                "cloudwatch::AlarmEvaluator::target_tracking_high",
                "cloudwatch::AlarmEvaluator::target_tracking_low",
            ],
            "API-ASG:TargetTrackingMetricStat.Period (default 60; 10, 30, 60 accepted)",
            "target tracking alarms: 60 s periods, 3 of 3 above the target and 15 of 15 below 0.9 × target, even on a 5-minute metric",
            (60 * S, 3, 3, 60 * S, 15, 15, 45.0),
            (
                hi.config().period_ns,
                hi.config().evaluation_periods,
                hi.config().datapoints_to_alarm,
                lo.config().period_ns,
                lo.config().evaluation_periods,
                lo.config().datapoints_to_alarm,
                lo.config().threshold,
            ),
        );
    }

    // --------------------------------------------------------- DynamoDB

    #[test]
    fn dynamodb_new_on_demand_table_serves_4000_writes_12000_reads() {
        exact(
            "ddb-new-table-warm",
            &[
                "dynamodb::NEW_TABLE_WARM_READ",
                "dynamodb::NEW_TABLE_WARM_WRITE",
                "dynamodb::rule_switch_to_on_demand",
            ],
            "WEB on-demand-capacity-mode (current)",
            "a new on-demand table, or one switched from 100/100 provisioned, serves 12,000 read and 4,000 write request units a second at once; one once provisioned at 20,000/10,000 keeps those",
            ((12_000.0, 4_000.0), (20_000.0, 10_000.0)),
            (
                dynamodb::rule_switch_to_on_demand((100.0, 100.0), None),
                dynamodb::rule_switch_to_on_demand((100.0, 100.0), Some((20_000.0, 10_000.0))),
            ),
        );
    }

    #[test]
    fn dynamodb_auto_scaling_target_range_and_alarms() {
        let target_ok = |t: f64| dynamodb::TARGET_RANGE.contains(&t);
        exact(
            "ddb-target-range",
            &["dynamodb::TARGET_RANGE"],
            "DDB:AutoScaling",
            "target utilisation between 20 % and 90 %",
            [false, true, true, false],
            [
                target_ok(19.9),
                target_ok(20.0),
                target_ok(90.0),
                target_ok(90.1),
            ],
        );
        // A scenario outside the range is refused by `stratus validate`.
        let yaml = |t: u32| {
            format!(
                "name: d\nduration: 5m\nworkloads:\n  - {{ name: w, to: {{ table: t }}, rate: 10, operation: {{ op: put, item_size: 1KB }} }}\n\
                 tables:\n  - name: t\n    billing_mode: provisioned\n    read_capacity: 10\n    write_capacity: 10\n\
                 \x20   auto_scaling:\n      write: {{ min: 5, max: 100, target: {t} }}\n"
            )
        };
        let loads = |t: u32| {
            stratus::scenario::load_str(
                &yaml(t),
                "t.yaml",
                std::path::Path::new("."),
                &Default::default(),
            )
            .is_ok()
        };
        exact(
            "ddb-target-range-validated",
            &["dynamodb::TARGET_RANGE"],
            "DDB:AutoScaling",
            "a table's auto scaling target of 19 or 91 is refused, 20 and 90 accepted",
            [false, true, true, false],
            [loads(19), loads(20), loads(90), loads(91)],
        );
        // The alarms DynamoDB auto scaling creates: out on 2 datapoints above
        // the target, in after 15 below. Minute datapoints through an alarm
        // built with the constants: ALARM at the 2nd breaching minute, and
        // the low one only at the 15th.
        let first_alarm = |n: u32, comparison, v: f64| {
            let mut a = cloudwatch::AlarmEvaluator::new(cloudwatch::AlarmConfig::new(
                "t",
                comparison,
                70.0,
                60 * S,
                n,
            ))
            .on_dynamodb_metric();
            (1..=30u64).find(|&k| {
                a.evaluate(k * 60 * S, Some(v));
                a.state() == cloudwatch::AlarmState::Alarm
            })
        };
        use stratus::scenario::Comparison;
        exact(
            "ddb-alarm-datapoints",
            &[
                "dynamodb::SCALE_OUT_DATAPOINTS",
                "dynamodb::SCALE_IN_DATAPOINTS",
            ],
            "DDB:ProvisionedThroughput (troubleshooting: \"2 data points breach\", \"15 consecutive data points are lower\")",
            "the scale-out alarm fires on the 2nd minute above the target, the scale-in alarm on the 15th below",
            (Some(2), Some(15)),
            (
                first_alarm(dynamodb::SCALE_OUT_DATAPOINTS, Comparison::Gt, 90.0),
                first_alarm(dynamodb::SCALE_IN_DATAPOINTS, Comparison::Lt, 10.0),
            ),
        );
    }

    // -------------------------------------------------------------- ELB

    #[test]
    fn elb_alb_hourly_price() {
        let usd = |x: f64| (x * 1e6).round() / 1e6;
        exact(
            "elb-alb-price",
            &["elb::ALB_HOUR_USD"],
            "https://aws.amazon.com/elasticloadbalancing/pricing/",
            "an ALB costs $0.0225 an hour, plus $0.008 per LCU-hour (25 new connections a second = 1 LCU)",
            (0.0225, 0.54, 0.0305),
            (
                usd(elb::alb_cost_usd(1.0, 0)),
                usd(elb::alb_cost_usd(24.0, 0)),
                usd(elb::alb_cost_usd(1.0, 90_000)),
            ),
        );
    }

    #[test]
    fn elb_routable_lists_fail_open_and_answer_503_without_targets() {
        // WE-21: cross-zone off, two zones. Zone 0 has targets 1 (healthy)
        // and 2 (unhealthy), zone 1 none.
        let spec: stratus::scenario::LoadBalancer = serde_json::from_value(
            json!({"name": "web", "target_group": "web", "cross_zone": false}),
        )
        .unwrap();
        let mut lb = elb::LbState::new(&spec, 0, 2);
        lb.register(1, 0, elb::TargetHealth::Healthy, 0);
        lb.register(2, 0, elb::TargetHealth::Unhealthy, 0);
        let mut rng = stratus::sim::stream(1, "dossier");
        let mut picks = |lb: &mut elb::LbState, node: u32| -> Vec<Option<u32>> {
            (0..4).map(|_| lb.route(node, 0, &mut rng)).collect()
        };
        let healthy_only = picks(&mut lb, 0);
        let no_targets = picks(&mut lb, 1);
        // Target 1 fails too: every target of zone 0 unhealthy, so the node
        // fails open and routes to all of them.
        let k = lb.target_of(1).unwrap();
        lb.set_health(k, elb::TargetHealth::Unhealthy, 0);
        let mut open: Vec<Option<u32>> = picks(&mut lb, 0);
        open.sort();
        open.dedup();
        // An explicit rebuild from the same targets changes nothing.
        lb.rebuild();
        let mut again: Vec<Option<u32>> = picks(&mut lb, 0);
        again.sort();
        again.dedup();
        exact(
            "elb-rebuild-we21",
            &["elb::rebuild"],
            "ALB:target-group-health-checks (fail open), ALB:disable-cross-zone (WE-21)",
            "a node routes to its zone's healthy targets only; with all of them unhealthy it fails open to all; a node whose zone has no target answers 503",
            (
                vec![Some(1); 4],
                vec![None; 4],
                vec![Some(1), Some(2)],
                vec![Some(1), Some(2)],
            ),
            (healthy_only, no_targets, open, again),
        );
    }

    // ----------------------------------------------------------- Lambda

    #[test]
    fn lambda_memory_128_mb_to_10240_mb_default_128() {
        let ok = |mb: u64| lambda::function_problems(mb, 3.0, None, 0, 21_600.0, 2).is_empty();
        let s = crate::util::scenario(
            "name: l\nduration: 1m\nfunctions:\n  - { name: f, duration: 10ms }\n\
             workloads:\n  - { name: w, to: { function: f }, rate: 1 }\n",
        );
        exact(
            "lambda-memory",
            &["lambda::MEMORY_MB", "lambda::DEFAULT_MEMORY_MB"],
            "LAMBDA:configuration-memory",
            "memory from 128 MB to 10,240 MB, 128 MB by default",
            (false, true, true, false, 128 * 1024 * 1024),
            (
                ok(127),
                ok(128),
                ok(10_240),
                ok(10_241),
                s.functions[0].memory.0,
            ),
        );
    }

    #[test]
    fn lambda_idle_environments_are_reclaimed_after_the_idle_expiry() {
        // GAP: AWS documents that idle environments are reclaimed, not when.
        // The check is of the parameter: reused within it, cold after it.
        let cfg = lambda::FunctionConfig {
            name: "f".into(),
            memory_mb: 128,
            reserved: None,
            provisioned: 0,
            idle_expiry: lambda::DEFAULT_IDLE_EXPIRY_S * S,
        };
        let mut l = lambda::Lambda::new(1000, vec![cfg]);
        let mut got = Vec::new();
        let mut t = 0;
        for gap in [
            0,
            lambda::DEFAULT_IDLE_EXPIRY_S - 1,
            lambda::DEFAULT_IDLE_EXPIRY_S,
        ] {
            t += gap * S;
            got.push(l.admit(0, t));
            t += S;
            l.finish(0, t, false, false, false);
        }
        use lambda::Admit::{Cold, Warm};
        exact(
            "lambda-idle-expiry",
            &["lambda::DEFAULT_IDLE_EXPIRY_S"],
            "GAP (LAMBDA:lambda-runtime-environment: reclaimed, when undocumented)",
            "an environment idle 599 s is reused, one idle 600 s is gone (a cold start)",
            vec![
                Cold { spillover: false },
                Warm { spillover: false },
                Cold { spillover: false },
            ],
            got,
        );
    }

    // ------------------------------------------------------- Predictive

    #[test]
    fn predictive_forecast_timing() {
        let h = predictive::HOUR;
        let due = predictive::predictive_forecast_due;
        exact(
            "predictive-timing",
            &["predictive::MIN_HISTORY", "predictive::REFRESH_INTERVAL"],
            "ASG:ec2-auto-scaling-predictive-scaling (24 hours of history); ASG:predictive-scaling-policy-overview (updated every 6 hours)",
            "no forecast before 24 h of history, one at 24 h, the next 6 h later",
            [false, false, true, false, true],
            [
                due(None, None, 100 * h),
                due(Some(0), None, 24 * h - 1),
                due(Some(0), None, 24 * h),
                due(Some(0), Some(24 * h), 30 * h - 1),
                due(Some(0), Some(24 * h), 30 * h),
            ],
        );
        // 20 days of history, one value per hour: the forecast made at the
        // start of day 20 has 48 hourly values, each the mean of the same
        // hour on the 14 previous days.
        let history: Vec<(i64, f64)> = (0..20 * 24).map(|k| (k, 100.0 + (k / 24) as f64)).collect();
        let f = predictive::predictive_forecast(&history, 20 * 86_400, 50.0);
        let days: Vec<u32> = f.iter().map(|x| x.days).collect();
        exact(
            "predictive-horizon",
            &["predictive::FORECAST_HOURS", "predictive::LOOKBACK_DAYS"],
            "ASG:ec2-auto-scaling-predictive-scaling (\"the previous 14 days\", \"an hourly forecast for the next 48 hours\")",
            "48 hourly values, each from the last 14 days (days 6–19: mean load 112.5, 3 instances at 50)",
            (48, vec![14; 48], 480, 112.5, 3),
            (f.len(), days, f[0].hour, f[0].load, f[0].capacity),
        );
    }

    fn predictive_group() -> stratus::scenario::AutoScalingGroup {
        crate::util::scenario(
            "name: p\nduration: 1h\nworkloads:\n  - { name: w, to: { load_balancer: lb }, rate: 10 }\n\
             load_balancers:\n  - { name: lb, target_group: g }\n\
             auto_scaling_groups:\n  - name: g\n    min: 1\n    max: 4\n    desired: 1\n\
             \x20   app:\n      - compute: { dist: exponential, mean: 10ms }\n\
             \x20   scaling_policies:\n      - { name: f, type: predictive, metric: ASGCPUUtilization, target: 50 }\n",
        )
        .auto_scaling_groups
        .remove(0)
    }

    #[test]
    fn predictive_policy_settings() {
        use scaling::MaxCapacityBreach::{HonorMaxCapacity, IncreaseMaxCapacity};
        let g = predictive_group();
        let with = |behaviour: Option<&str>, buffer: Option<f64>| {
            let mut p = g.scaling_policies[0].clone();
            p.max_capacity_breach_behavior = behaviour.map(str::to_string);
            p.max_capacity_buffer = buffer;
            predictive::predictive_breach_behavior(&p)
        };
        exact(
            "predictive-breach",
            &["predictive::predictive_breach_behavior"],
            "API-ASG:PredictiveScalingConfiguration.MaxCapacityBreachBehavior/MaxCapacityBuffer",
            "HonorMaxCapacity by default; IncreaseMaxCapacity with its buffer",
            [
                HonorMaxCapacity,
                IncreaseMaxCapacity {
                    buffer_percent: 10.0,
                },
                HonorMaxCapacity,
            ],
            [
                with(None, None),
                with(Some("increase_max_capacity"), Some(10.0)),
                with(Some("honor_max_capacity"), None),
            ],
        );
        let mode = |m: Option<&str>| {
            let mut p = g.scaling_policies[0].clone();
            p.mode = m.map(str::to_string);
            predictive::predictive_scales(&p)
        };
        exact(
            "predictive-mode",
            &["predictive::predictive_scales"],
            "API-ASG:PredictiveScalingConfiguration.Mode (default ForecastOnly)",
            "a policy scales only in ForecastAndScale mode; ForecastOnly is the default",
            [false, false, true],
            [
                mode(None),
                mode(Some("forecast_only")),
                mode(Some("forecast_and_scale")),
            ],
        );
        let problems = |f: &dyn Fn(&mut stratus::scenario::ScalingPolicy), lb: bool| {
            let mut g = g.clone();
            f(&mut g.scaling_policies[0]);
            predictive::predictive_policy_problems(&g, 0, lb)
                .into_iter()
                .map(|(field, _)| field)
                .collect::<Vec<_>>()
        };
        use stratus::scenario::Duration;
        let none: Vec<&str> = vec![];
        exact(
            "predictive-problems",
            &["predictive::predictive_policy_problems"],
            "API-ASG:PredictiveScalingConfiguration; API-ASG:PredictiveScalingPredefinedMetricPair.ResourceLabel",
            "SchedulingBufferTime below 3,600 s; MaxCapacityBuffer 0–100 and only with IncreaseMaxCapacity; ALBRequestCount needs a target group",
            (
                none.clone(),
                none.clone(),
                vec!["scheduling_buffer_time"],
                vec!["max_capacity_buffer"],
                vec!["max_capacity_buffer"],
                vec!["metric"],
                none,
                vec!["metric"],
            ),
            (
                problems(&|_| {}, true),
                problems(
                    &|p| p.scheduling_buffer_time = Some(Duration::secs(3599)),
                    true,
                ),
                problems(
                    &|p| p.scheduling_buffer_time = Some(Duration::secs(3600)),
                    true,
                ),
                problems(
                    &|p| {
                        p.max_capacity_breach_behavior = Some("increase_max_capacity".into());
                        p.max_capacity_buffer = Some(101.0)
                    },
                    true,
                ),
                problems(
                    &|p| {
                        p.max_capacity_breach_behavior = Some("honor_max_capacity".into());
                        p.max_capacity_buffer = Some(10.0)
                    },
                    true,
                ),
                problems(&|p| p.metric = Some("ALBRequestCount".into()), false),
                problems(&|p| p.metric = Some("ALBRequestCount".into()), true),
                problems(&|p| p.metric = Some("ASGNetworkIn".into()), true),
            ),
        );
    }

    #[test]
    fn recorded_predefined_metrics_are_the_four_of_the_api() {
        let m = recorded::is_predefined_metric;
        exact(
            "asg-predefined-metrics",
            &["recorded::is_predefined_metric"],
            "API-ASG:PredefinedMetricSpecification",
            "ASGAverageCPUUtilization, ASGAverageNetworkIn, ASGAverageNetworkOut and ALBRequestCountPerTarget are predefined; CPUUtilization and an SQS metric are not",
            [true, true, true, true, false, false],
            [
                m("ASGAverageCPUUtilization"),
                m("ASGAverageNetworkIn"),
                m("ASGAverageNetworkOut"),
                m("ALBRequestCountPerTarget"),
                m("CPUUtilization"),
                m("ApproximateNumberOfMessagesVisible"),
            ],
        );
    }

    // ---------------------------------------------------------- Scaling

    fn step(
        lower: Option<f64>,
        upper: Option<f64>,
        adjustment: i64,
    ) -> stratus::scenario::StepAdjustment {
        stratus::scenario::StepAdjustment {
            lower,
            upper,
            adjustment,
        }
    }

    #[test]
    fn scaling_min_adjustment_magnitude() {
        use stratus::scenario::AdjustmentType::{ChangeInCapacity, PercentChangeInCapacity};
        exact(
            "asg-min-adjustment-magnitude-we04",
            &[
                "scaling::apply_min_adjustment_magnitude",
                "scaling::adjusted_capacity",
            ],
            "ASG:as-scaling-simple-step; API-ASG:PutScalingPolicyType.MinAdjustmentMagnitude (WE-04)",
            "+25 % of 4 instances is 1, raised to MinAdjustmentMagnitude 2 → 6; −25 % → 2; a ChangeInCapacity step ignores it",
            (2, -2, 6, 2, 5),
            (
                scaling::apply_min_adjustment_magnitude(1, 25, Some(2)),
                scaling::apply_min_adjustment_magnitude(-1, -25, Some(2)),
                scaling::adjusted_capacity(PercentChangeInCapacity, 4, 25, Some(2)),
                scaling::adjusted_capacity(PercentChangeInCapacity, 4, -25, Some(2)),
                scaling::adjusted_capacity(ChangeInCapacity, 4, 1, Some(2)),
            ),
        );
    }

    #[test]
    fn scaling_target_tracking_target_values() {
        let ok = |m: &str, t: f64| scaling::validate_target_tracking_target(m, t).is_ok();
        exact(
            "asg-tt-target",
            &["scaling::validate_target_tracking_target"],
            "API-ASG:TargetTrackingConfiguration.TargetValue; ASG:as-scaling-target-tracking",
            "a CPU target is a percentage above 0 and at most 100; a request-count target any positive number",
            [false, true, true, false, true],
            [
                ok("ASGAverageCPUUtilization", 0.0),
                ok("ASGAverageCPUUtilization", 0.5),
                ok("ASGAverageCPUUtilization", 100.0),
                ok("ASGAverageCPUUtilization", 100.5),
                ok("ALBRequestCountPerTarget", 1000.0),
            ],
        );
    }

    #[test]
    fn scaling_step_bounds_inclusive_and_exclusive() {
        // "If the metric value is above the breach threshold, the lower bound
        // is inclusive and the upper bound is exclusive. If the metric value
        // is below the breach threshold, the lower bound is exclusive and the
        // upper bound is inclusive."
        let up = step(Some(0.0), Some(10.0), 1);
        let down = step(Some(-10.0), Some(0.0), -1);
        exact(
            "asg-step-bounds",
            &[
                "scaling::step_contains_above_threshold",
                "scaling::step_contains_below_threshold",
                "scaling::select_step_adjustment",
            ],
            "ASG:as-scaling-simple-step; API-ASG:StepAdjustment.MetricIntervalLowerBound/UpperBound",
            "above the threshold [0, 10) holds 0 but not 10; below it (−10, 0] holds 0 but not −10",
            ([true, true, false], [false, true, true]),
            (
                [0.0, 9.99, 10.0].map(|d| scaling::step_contains_above_threshold(&up, d)),
                [-10.0, -9.99, 0.0].map(|d| scaling::step_contains_below_threshold(&down, d)),
            ),
        );
        // The guide's example: threshold 50, steps 0–10 → 0, 10–20 → +10 %,
        // 20–∞ → +30 %: a metric of 60 takes the second step, 70 the third.
        let steps = [
            step(Some(0.0), Some(10.0), 0),
            step(Some(10.0), Some(20.0), 10),
            step(Some(20.0), None, 30),
        ];
        let pick = |m: f64| scaling::select_step_adjustment(&steps, m, 50.0).map(|s| s.adjustment);
        exact(
            "asg-step-selection",
            &["scaling::select_step_adjustment"],
            "ASG:as-scaling-simple-step (\"Step adjustments\" example)",
            "threshold 50: metric 55 → 0, 60 → +10 %, 70 → +30 %",
            [Some(0), Some(10), Some(30)],
            [pick(55.0), pick(60.0), pick(70.0)],
        );
    }

    #[test]
    fn scaling_at_most_20_step_adjustments() {
        let steps = |n: usize| -> Vec<_> {
            (0..n)
                .map(|k| {
                    step(
                        Some(10.0 * k as f64),
                        if k + 1 == n {
                            None
                        } else {
                            Some(10.0 * (k + 1) as f64)
                        },
                        k as i64,
                    )
                })
                .collect()
        };
        exact(
            "asg-max-steps",
            &[
                "scaling::MAX_STEP_ADJUSTMENTS",
                "scaling::validate_step_adjustments",
            ],
            "ASG:ec2-auto-scaling-quotas (step adjustments per step scaling policy: 20)",
            "20 step adjustments are accepted, 21 refused",
            (true, false),
            (
                scaling::validate_step_adjustments(&steps(20)).is_ok(),
                scaling::validate_step_adjustments(&steps(21)).is_ok(),
            ),
        );
    }

    #[test]
    fn scaling_scale_in_waits_for_warm_up() {
        use stratus::scenario::AdjustmentType::ChangeInCapacity;
        let warming = scaling::Capacity {
            desired: 4,
            past_warmup: 3,
            warming: 1,
            terminating: 0,
            min: 1,
            max: 10,
        };
        let settled = scaling::Capacity::settled(4, 1, 10);
        exact(
            "asg-scale-in-blocked-by-warmup",
            &[
                "scaling::scale_in_blocked_by_warmup",
                "scaling::step_scaling_new_desired",
            ],
            "ASG:ec2-auto-scaling-default-instance-warmup (\"blocks scale-in activities initiated by scaling policies until the instances finish warming up\")",
            "a −1 step while one instance warms up leaves desired at 4; settled, it goes to 3; a +2 step is not blocked (3 warmed + 2 = 5)",
            (true, false, 4, 3, 5),
            (
                scaling::scale_in_blocked_by_warmup(&warming),
                scaling::scale_in_blocked_by_warmup(&settled),
                scaling::step_scaling_new_desired(&warming, ChangeInCapacity, -1, None),
                scaling::step_scaling_new_desired(&settled, ChangeInCapacity, -1, None),
                scaling::step_scaling_new_desired(&warming, ChangeInCapacity, 2, None),
            ),
        );
    }

    // -------------------------------------------------------------- SQS

    fn queue(extra: serde_json::Value) -> stratus::scenario::Queue {
        let mut q = json!({"name": "q"});
        q.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        serde_json::from_value(q).unwrap()
    }

    fn refused(extra: serde_json::Value) -> Vec<&'static str> {
        sqs::queue_problems(&queue(extra))
            .into_iter()
            .map(|p| p.0)
            .collect()
    }

    #[test]
    fn sqs_queue_attribute_limits() {
        let none: Vec<&str> = vec![];
        exact(
            "sqs-attribute-limits",
            &[
                "sqs::MAX_VISIBILITY",
                "sqs::MAX_DELAY",
                "sqs::MIN_MAX_MESSAGE_SIZE",
                "sqs::MAX_MESSAGE_SIZE",
                "sqs::MIN_RETENTION",
                "sqs::MAX_RETENTION",
                "sqs::MAX_RECEIVE_COUNT",
            ],
            "API-SQS:CreateQueueRequest.Attributes (VisibilityTimeout 0–43,200 s, DelaySeconds 0–900, MaximumMessageSize 1,024 B–1 MiB, MessageRetentionPeriod 60 s–14 d); SQS:sqs-visibility-timeout (12 h)",
            "each attribute accepted at its documented limit, refused one unit past it",
            (
                [none.clone(), vec!["visibility_timeout"]],
                [none.clone(), vec!["delay"]],
                [
                    vec!["maximum_message_size"],
                    none.clone(),
                    none.clone(),
                    vec!["maximum_message_size"],
                ],
                [
                    vec!["message_retention"],
                    none.clone(),
                    none.clone(),
                    vec!["message_retention"],
                ],
            ),
            (
                [
                    refused(json!({"visibility_timeout": "43200s"})),
                    refused(json!({"visibility_timeout": "43201s"})),
                ],
                [
                    refused(json!({"delay": "900s"})),
                    refused(json!({"delay": "901s"})),
                ],
                [
                    refused(json!({"maximum_message_size": "1023B"})),
                    refused(json!({"maximum_message_size": "1024B"})),
                    refused(json!({"maximum_message_size": "1048576B"})),
                    refused(json!({"maximum_message_size": "1048577B"})),
                ],
                [
                    refused(json!({"message_retention": "59s"})),
                    refused(json!({"message_retention": "60s"})),
                    refused(json!({"message_retention": "1209600s"})),
                    refused(json!({"message_retention": "1209601s"})),
                ],
            ),
        );
        // The 12 h cap counts from the receive (WE-26).
        exact(
            "sqs-visibility-cap-we26",
            &["sqs::MAX_VISIBILITY", "sqs::visibility_change"],
            "SQS:sqs-visibility-timeout; API-SQS:ChangeMessageVisibility (WE-26)",
            "5 s after a receive, a new timeout of 43,195 s is accepted and 43,200 s refused",
            (Ok(43_200 * S), Err(sqs::VisibilityError::ExceedsMaximum)),
            (
                sqs::visibility_change(5 * S, 0, 43_195 * S),
                sqs::visibility_change(5 * S, 0, 43_200 * S),
            ),
        );
    }

    #[test]
    fn sqs_receive_parameter_limits() {
        let consumer = |batch: u32, wait: &str| -> Vec<&'static str> {
            let c: stratus::scenario::Consumer = serde_json::from_value(
                json!({"queue": "q", "batch": batch, "wait_time": wait, "processing": "10ms"}),
            )
            .unwrap();
            sqs::consumer_problems(&c)
                .into_iter()
                .map(|p| p.0)
                .collect()
        };
        let none: Vec<&str> = vec![];
        exact(
            "sqs-receive-limits",
            &["sqs::MAX_RECEIVE_BATCH", "sqs::MAX_WAIT_TIME"],
            "API-SQS:ReceiveMessageRequest.MaxNumberOfMessages (1–10), .WaitTimeSeconds (0–20)",
            "a receive asks for 1 to 10 messages and waits at most 20 s",
            [
                vec!["batch"],
                none.clone(),
                none.clone(),
                vec!["batch"],
                none,
                vec!["wait_time"],
            ],
            [
                consumer(0, "0s"),
                consumer(1, "0s"),
                consumer(10, "20s"),
                consumer(11, "0s"),
                consumer(1, "20s"),
                consumer(1, "21s"),
            ],
        );
    }

    #[test]
    fn sqs_queue_type_limits() {
        let std_q = sqs::QueueConfig::new("s", false);
        let fifo = sqs::QueueConfig::new("f.fifo", true);
        exact(
            "sqs-in-flight-and-fifo-throughput",
            &[
                "sqs::STANDARD_IN_FLIGHT_LIMIT",
                "sqs::FIFO_IN_FLIGHT_LIMIT",
                "sqs::FIFO_CALLS_PER_SECOND",
            ],
            "SQS:sqs-visibility-timeout (≈120,000 in flight); API-SQS:ChangeMessageVisibility (120,000 for FIFO); SQS:partitions-and-data-distribution (300 calls/s)",
            "120,000 messages in flight in either queue type; a FIFO queue serves 300 calls of an action a second, a standard one no fixed number",
            (120_000, 120_000, 300, 0),
            (
                std_q.in_flight_limit,
                fifo.in_flight_limit,
                fifo.calls_per_second,
                std_q.calls_per_second,
            ),
        );
        exact(
            "sqs-fifo-call-allowed",
            &["sqs::fifo_call_allowed", "sqs::FIFO_CALLS_PER_SECOND"],
            "SQS:partitions-and-data-distribution",
            "the 300th call of a second is served, the 301st throttled; no limit, no throttle",
            [true, false, true],
            [
                sqs::fifo_call_allowed(299, sqs::FIFO_CALLS_PER_SECOND),
                sqs::fifo_call_allowed(300, sqs::FIFO_CALLS_PER_SECOND),
                sqs::fifo_call_allowed(1_000_000, 0),
            ],
        );
        // Through the queue: 301 sends in one second to a FIFO queue.
        let mut q = sqs::Sqs::new(vec![fifo], vec![stratus::sim::stream(1, "q")]);
        let mut throttled = 0;
        for k in 0..301u64 {
            if matches!(
                q.send(0, k * 1_000_000, 100, 0, k + 1, false),
                sqs::SendOutcome::Throttled
            ) {
                throttled += 1;
            }
        }
        exact(
            "sqs-fifo-send-throttled",
            &["sqs::fifo_call_allowed", "sqs::FIFO_CALLS_PER_SECOND"],
            "SQS:partitions-and-data-distribution",
            "of 301 SendMessage calls within one second, one is throttled",
            1,
            throttled,
        );
    }

    #[test]
    fn sqs_deduplication_interval_is_five_minutes() {
        exact(
            "sqs-dedup",
            &["sqs::DEDUP_INTERVAL", "sqs::is_duplicate_send"],
            "API-SQS:SendMessageRequest.MessageDeduplicationId (5-minute deduplication interval)",
            "the same deduplication id 299.999 s later is a duplicate, 300 s later a new message",
            [false, true, false],
            [
                sqs::is_duplicate_send(None, 10 * S),
                sqs::is_duplicate_send(Some(0), 300 * S - 1_000_000),
                sqs::is_duplicate_send(Some(0), 300 * S),
            ],
        );
    }

    #[test]
    fn sqs_visibility_and_retention_deadlines() {
        exact(
            "sqs-visibility-deadline-we24",
            &["sqs::visibility_deadline", "sqs::visibility_change"],
            "SQS:sqs-visibility-timeout (WE-24)",
            "timeout 60 s, changed to 10 s at 15 s: visible at 25 s; the next receive at 30 s reverts to 60 s: visible at 90 s",
            (Ok(25 * S), 90 * S),
            (
                sqs::visibility_change(15 * S, 0, 10 * S),
                sqs::visibility_deadline(30 * S, 60 * S),
            ),
        );
        exact(
            "sqs-retention",
            &["sqs::expires_at", "sqs::dead_letter_enqueue_timestamp"],
            "API-SQS:CreateQueueRequest.Attributes (MessageRetentionPeriod, default 4 days); SQS:sqs-dead-letter-queues (WE-25)",
            "sent at 0 with the default 4 days: gone at 345,600 s; moved to a 4-day DLQ after 1 day: standard keeps its timestamp (gone at 4 d), FIFO resets it (gone at 5 d)",
            (345_600 * S, 345_600 * S, 432_000 * S),
            (
                sqs::expires_at(0, 345_600 * S),
                sqs::expires_at(
                    sqs::dead_letter_enqueue_timestamp(false, 0, 86_400 * S),
                    345_600 * S,
                ),
                sqs::expires_at(
                    sqs::dead_letter_enqueue_timestamp(true, 0, 86_400 * S),
                    345_600 * S,
                ),
            ),
        );
    }

    #[test]
    fn sqs_three_receives_move_a_message_to_the_back() {
        exact(
            "sqs-age-metric-receives",
            &[
                "sqs::AGE_METRIC_RECEIVES",
                "sqs::counts_for_age_metric",
                "sqs::returns_to_back",
            ],
            "SQS:sqs-available-cloudwatch-metrics (ApproximateAgeOfOldestMessage: \"after a message is received three times (or more) and not processed, the message is moved to the back of the queue\")",
            "received 0–2 times a message counts for the age metric and keeps its place; from the 3rd receive it goes to the back and is skipped",
            (
                [true, true, true, false, false],
                [false, false, false, true, true],
            ),
            (
                [0, 1, 2, 3, 4].map(sqs::counts_for_age_metric),
                [0, 1, 2, 3, 4].map(sqs::returns_to_back),
            ),
        );
    }

    // ------------------------------------------------------ Termination

    fn candidate(index: u32, az: u32, launched_min: u64) -> termination::Candidate {
        termination::Candidate {
            index,
            az,
            launched_at_ns: launched_min * 60 * S,
            lt_version: 1,
            launch: termination::LaunchSource::CurrentTemplate,
            protected: false,
            healthy: true,
            spot: false,
        }
    }

    fn kept(c: &[termination::Candidate]) -> Vec<u32> {
        c.iter().map(|x| x.index).collect()
    }

    #[test]
    fn termination_policy_filters() {
        use termination::LaunchSource::{LaunchConfiguration, OtherTemplate};
        // Four instances: 0 launched at 0 min, 1 at 10, 2 at 20, 3 at 30.
        let base: Vec<_> = (0..4).map(|i| candidate(i, 0, 10 * i as u64)).collect();
        let apply = |f: &dyn Fn(&mut Vec<termination::Candidate>), c: &[termination::Candidate]| {
            let mut c = c.to_vec();
            f(&mut c);
            kept(&c)
        };
        let mut unhealthy = base.clone();
        unhealthy[2].healthy = false;
        let mut sources = base.clone();
        sources[0].launch = OtherTemplate;
        sources[1].launch = LaunchConfiguration;
        sources[1].lt_version = 3;
        sources[3].launch = LaunchConfiguration;
        sources[3].lt_version = 2;
        let mut versions = base.clone();
        versions[1].lt_version = 0;
        let mut spot = base.clone();
        spot[1].spot = true;
        spot[3].spot = true;
        // At 55 min: instance 0 is 55 min into its hour, 3 is 25 min.
        let at55 = 55 * 60 * S;
        exact(
            "asg-termination-filters",
            &[
                "termination::unhealthy_first",
                "termination::allocation_strategy",
                "termination::oldest_launch_template",
                "termination::oldest_launch_configuration",
                "termination::closest_to_next_instance_hour",
                "termination::oldest_instance",
                "termination::newest_instance",
            ],
            "ASG:ec2-auto-scaling-termination-policies",
            "unhealthy first; AllocationStrategy keeps the purchase option to remove; OldestLaunchTemplate: launch configurations, then other templates, then the oldest version; OldestLaunchConfiguration: the oldest configuration; ClosestToNextInstanceHour, OldestInstance, NewestInstance",
            (
                vec![2],
                vec![0, 1, 2, 3],
                vec![1, 3],
                vec![0, 1, 2, 3],
                vec![1, 3],
                vec![1],
                vec![3],
                vec![0, 1, 2, 3],
                vec![0],
                vec![0],
                vec![3],
            ),
            (
                apply(&termination::unhealthy_first, &unhealthy),
                apply(&termination::unhealthy_first, &base),
                apply(&|c| termination::allocation_strategy(c, Some(true)), &spot),
                apply(&|c| termination::allocation_strategy(c, None), &spot),
                apply(&termination::oldest_launch_template, &sources),
                apply(&termination::oldest_launch_template, &versions),
                apply(&termination::oldest_launch_configuration, &sources),
                apply(&termination::oldest_launch_configuration, &base),
                apply(
                    &|c| termination::closest_to_next_instance_hour(c, at55),
                    &base,
                ),
                apply(&termination::oldest_instance, &base),
                apply(&termination::newest_instance, &base),
            ),
        );
    }

    #[test]
    fn termination_random_tie_break_ignores_the_order() {
        let c: Vec<_> = (0..3).map(|i| candidate(10 + i, 0, 0)).collect();
        let mut rev = c.clone();
        rev.reverse();
        exact(
            "asg-termination-random",
            &["termination::random_choice"],
            "ASG:ec2-auto-scaling-termination-policies (\"terminate one of these instances at random\")",
            "every tied instance can be drawn, the same one for the same draw whatever the candidates' order; none from no candidate",
            (
                vec![Some(10), Some(11), Some(12)],
                vec![Some(10), Some(11), Some(12)],
                None,
            ),
            (
                (0..3)
                    .map(|r| termination::random_choice(&c, r))
                    .collect::<Vec<_>>(),
                (0..3)
                    .map(|r| termination::random_choice(&rev, r))
                    .collect::<Vec<_>>(),
                termination::random_choice(&[], 7),
            ),
        );
    }

    // --------------------------------------- API Gateway, Lambda, SNS (2)

    /// Dollars to the micro-dollar, so that a price is compared as AWS
    /// prints it.
    fn usd(x: f64) -> f64 {
        (x * 1e6).round() / 1e6
    }

    #[test]
    fn apigateway_account_bucket_and_throttle_order() {
        let mut account =
            apigateway::TokenBucket::new(apigateway::ACCOUNT_RATE, apigateway::ACCOUNT_BURST);
        let at0 = (0..20_000)
            .filter(|_| apigateway::admit(None, &mut account, 0).is_ok())
            .count();
        // A tenth of a second later 1,000 tokens have come back.
        let at100ms = (0..20_000)
            .filter(|_| apigateway::admit(None, &mut account, S / 10).is_ok())
            .count();
        exact(
            "apigw-account-bucket",
            &[
                "apigateway::TokenBucket",
                "apigateway::ACCOUNT_RATE",
                "apigateway::ACCOUNT_BURST",
            ],
            "APIGW:limits (10,000 requests/s, burst 5,000 per account and Region); APIGW:api-gateway-request-throttling (token bucket)",
            "20,000 requests at once: 5,000 pass (the burst); 0.1 s later 1,000 more (10,000/s)",
            (5_000, 1_000),
            (at0, at100ms),
        );
        // A stage at 10/s, burst 2, in front of the account: the stage
        // refuses first, and a refused request takes no account token.
        let mut stage = apigateway::TokenBucket::new(10.0, 2);
        let mut account = apigateway::TokenBucket::new(apigateway::ACCOUNT_RATE, 3);
        let got: Vec<_> = (0..4)
            .map(|_| apigateway::admit(Some(&mut stage), &mut account, 0))
            .collect();
        let after = apigateway::admit(None, &mut account, 0);
        use apigateway::Limit::Stage;
        exact(
            "apigw-throttle-order",
            &["apigateway::admit"],
            "Knowledge Center api-gateway-429-limit (stage and method limits, then the account's)",
            "stage burst 2 within an account burst 3: two pass, then the stage refuses; the account still has its third token",
            (vec![Ok(()), Ok(()), Err(Stage), Err(Stage)], Ok(())),
            (got, after),
        );
    }

    #[test]
    fn apigateway_lambda_statuses_and_prices() {
        use apigateway::LambdaResult::{Error, Ok as Fine, Throttled};
        exact(
            "apigw-lambda-status",
            &["apigateway::lambda_status"],
            "Knowledge Center api-gateway-internal-server-error, api-gateway-502-error-lambda",
            "behind a Lambda proxy integration: an answer 200, a throttled function 500, a function error 502",
            [200, 500, 502],
            [
                apigateway::lambda_status(Fine),
                apigateway::lambda_status(Throttled),
                apigateway::lambda_status(Error),
            ],
        );
        exact(
            "apigw-prices",
            &[
                "apigateway::request_cost",
                "apigateway::cache_cost_per_hour",
            ],
            "aws.amazon.com/api-gateway/pricing (us-east-1)",
            "a million REST requests $3.50, HTTP $1.00; a 0.5 GB cache $0.02 an hour",
            (3.5, 1.0, Some(0.02)),
            (
                usd(apigateway::request_cost(1_000_000, true)),
                usd(apigateway::request_cost(1_000_000, false)),
                apigateway::cache_cost_per_hour(0.5),
            ),
        );
    }

    #[test]
    fn apigateway_cache_keeps_entries_for_the_ttl() {
        // GAP: which entry goes when the cache is full (oldest first here).
        let mut c = apigateway::Cache::new(300 * S, 2);
        c.put(1, 0);
        let hits = [c.hit(1, 299 * S), c.hit(1, 300 * S)];
        c.put(1, 0);
        c.put(2, S);
        c.put(3, 2 * S);
        exact(
            "apigw-cache",
            &["apigateway::Cache"],
            "GAP (APIGW:api-gateway-caching documents the TTL, not the eviction)",
            "an entry is a hit within its 300 s TTL and a miss at 300 s; full with 2 entries, the oldest goes",
            ([true, false], false, true, true),
            (hits, c.hit(1, 3 * S), c.hit(2, 3 * S), c.hit(3, 3 * S)),
        );
    }

    fn function(reserved: Option<u32>, provisioned: u32) -> lambda::FunctionConfig {
        lambda::FunctionConfig {
            name: "f".into(),
            memory_mb: 1024,
            reserved,
            provisioned,
            idle_expiry: 600 * S,
        }
    }

    #[test]
    fn lambda_account_concurrency_and_reserved() {
        use lambda::Admit::{Cold, Throttled};
        use lambda::Throttle::{Account, Reserved};
        let mut l = lambda::Lambda::new(
            lambda::DEFAULT_ACCOUNT_CONCURRENCY,
            vec![function(None, 0), function(None, 0)],
        );
        let first = (0..1000)
            .filter(|_| matches!(l.admit(0, 0), Cold { .. }))
            .count();
        let other = l.admit(1, 0);
        let mut r = lambda::Lambda::new(1000, vec![function(Some(2), 0)]);
        let reserved: Vec<_> = (0..3).map(|_| r.admit(0, 0)).collect();
        exact(
            "lambda-account-concurrency",
            &[
                "lambda::DEFAULT_ACCOUNT_CONCURRENCY",
                "lambda::Lambda::admit",
                "lambda::Throttle",
            ],
            "LAMBDA:lambda-concurrency (1,000 per Region, shared); LAMBDA:configuration-concurrency (reserved caps the function); LAMBDA:scaling-behavior (429 TooManyRequestsException)",
            "one function takes the account's 1,000: the other is throttled; with 2 reserved, the 3rd concurrent request is throttled",
            (
                1000,
                Throttled(Account),
                vec![
                    Cold { spillover: false },
                    Cold { spillover: false },
                    Throttled(Reserved),
                ],
            ),
            (first, other, reserved),
        );
    }

    #[test]
    fn lambda_provisioned_first_then_spillover_and_reuse() {
        use lambda::Admit::{Cold, Provisioned, Warm};
        let mut l = lambda::Lambda::new(1000, vec![function(None, 2)]);
        let mut got: Vec<_> = (0..3).map(|_| l.admit(0, 0)).collect();
        l.finish(0, S, false, false, false);
        got.push(l.admit(0, 2 * S));
        // A timed-out environment is reset, not reused.
        l.finish(0, 3 * S, false, true, true);
        got.push(l.admit(0, 4 * S));
        exact(
            "lambda-provisioned-reuse",
            &["lambda::Lambda::admit", "lambda::Lambda::finish"],
            "LAMBDA:provisioned-concurrency (used first; spillover on demand); LAMBDA:lambda-runtime-environment (a warm environment is reused; a timeout resets it)",
            "2 provisioned: the first two requests run on them, the 3rd cold on demand; after it ends the next reuses it warm; after a timeout the next is cold",
            vec![
                Provisioned,
                Provisioned,
                Cold { spillover: true },
                Warm { spillover: true },
                Cold { spillover: true },
            ],
            got,
        );
    }

    #[test]
    fn lambda_scaling_rate_1000_per_10_seconds() {
        let mut b = lambda::ScalingBucket::default();
        let at0 = (0..2000).filter(|_| b.take(0)).count();
        let after_1s = b.available(S);
        let after_20s = b.available(20 * S);
        exact(
            "lambda-scaling-rate",
            &[
                "lambda::ScalingBucket",
                "lambda::SCALING_BURST",
                "lambda::SCALING_REFILL_PER_S",
            ],
            "LAMBDA:scaling-behavior (1,000 execution environments every 10 seconds per function)",
            "1,000 new environments at once, then 100 a second, never more than 1,000 banked",
            (1000, 100.0, 1000.0),
            (at0, after_1s, after_20s),
        );
    }

    #[test]
    fn lambda_timeout_and_async_retries() {
        let ok = |t: f64| lambda::function_problems(128, t, None, 0, 21_600.0, 2).is_empty();
        let s = crate::util::scenario(
            "name: l\nduration: 1m\nfunctions:\n  - { name: f, duration: 10ms }\n\
             workloads:\n  - { name: w, to: { function: f }, rate: 1 }\n",
        );
        exact(
            "lambda-timeout",
            &["lambda::DEFAULT_TIMEOUT_S", "lambda::MAX_TIMEOUT_S"],
            "LAMBDA:configuration-timeout (3 s by default, at most 900 s)",
            "a function without a timeout stops at 3 s; 900 s is accepted, 901 s refused",
            (3 * S, true, false),
            (s.functions[0].timeout.0, ok(900.0), ok(901.0)),
        );
        exact(
            "lambda-async-retries",
            &[
                "lambda::async_error_retry_delay",
                "lambda::DEFAULT_MAX_RETRY_ATTEMPTS",
                "lambda::DEFAULT_MAX_EVENT_AGE_S",
            ],
            "LAMBDA:invocation-async-error-handling (2 retries, one minute then two minutes apart; events kept up to 6 hours)",
            "retry 1 after 60 s, retry 2 after 120 s; 2 retries and 6 h by default",
            (60 * S, 120 * S, 2, 21_600, 2, 21_600 * S),
            (
                lambda::async_error_retry_delay(1),
                lambda::async_error_retry_delay(2),
                lambda::DEFAULT_MAX_RETRY_ATTEMPTS,
                lambda::DEFAULT_MAX_EVENT_AGE_S,
                s.functions[0].event_invoke_config.maximum_retry_attempts,
                s.functions[0].event_invoke_config.maximum_event_age.0,
            ),
        );
        exact(
            "lambda-async-throttle-retries",
            &["lambda::async_throttle_retry_delay"],
            "LAMBDA:invocation-async-error-handling (throttled events retried from 1 s, increasing, up to 5 minutes apart)",
            "1, 2, 4, … 256 s, then 300 s",
            vec![1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300],
            (1..=11)
                .map(|n| lambda::async_throttle_retry_delay(n) / S)
                .collect::<Vec<_>>(),
        );
    }

    #[test]
    fn lambda_prices() {
        exact(
            "lambda-prices",
            &[
                "lambda::request_cost",
                "lambda::compute_cost",
                "lambda::billed_ms",
                "lambda::provisioned_cost",
            ],
            "aws.amazon.com/lambda/pricing (x86, us-east-1)",
            "a million requests $0.20; 1,000 s at 1 GB $0.016667; 1.2 ms bills as 2 ms; 1 GB provisioned for an hour $0.015; its duration $0.0000097222 per GB-s",
            (0.2, 0.016667, 2, 0.015, 0.009722),
            (
                usd(lambda::request_cost(1_000_000)),
                usd(lambda::compute_cost(1024, 1_000_000, false)),
                lambda::billed_ms(1_200_000),
                usd(lambda::provisioned_cost(1024, 1, 3600.0)),
                usd(lambda::compute_cost(1024, 1_000_000, true)),
            ),
        );
    }

    #[test]
    fn lambda_sqs_event_source_scaling() {
        let mut n = lambda::ESM_INITIAL_BATCHES;
        let mut minutes = vec![n];
        for _ in 0..4 {
            n = lambda::esm_next_batches(n, true, n, lambda::ESM_MAX_BATCHES);
            minutes.push(n);
        }
        exact(
            "lambda-esm-scaling",
            &["lambda::esm_next_batches", "lambda::ESM_BATCH_SIZE"],
            "LAMBDA:services-sqs-scaling (5 concurrent batches, up to 300 more a minute, at most 1,000); LAMBDA:with-sqs (batch size 10 by default)",
            "5, 305, 605, 905, 1,000 batches in the first minutes while messages wait; a maximum concurrency of 50 caps it; batches of 10",
            (vec![5, 305, 605, 905, 1000], 50, 10),
            (
                minutes,
                lambda::esm_next_batches(5, true, 5, 50),
                lambda::ESM_BATCH_SIZE,
            ),
        );
    }

    #[test]
    fn sns_filter_policy_retries_and_price() {
        let s = |x: &str| x.to_string();
        let policy = vec![
            (s("type"), vec![s("express"), s("same-day")]),
            (s("region"), vec![s("eu")]),
        ];
        exact(
            "sns-filter-policy",
            &["sns::matches"],
            "SNS:sns-subscription-filter-policies (AND across attribute names, OR within a name's values; no policy: every message)",
            "express/eu matches; standard/eu and express without a region do not; no policy matches everything",
            [true, false, false, true],
            [
                stratus::aws::sns::matches(
                    &policy,
                    &[(s("type"), s("express")), (s("region"), s("eu"))],
                ),
                stratus::aws::sns::matches(
                    &policy,
                    &[(s("type"), s("standard")), (s("region"), s("eu"))],
                ),
                stratus::aws::sns::matches(&policy, &[(s("type"), s("express"))]),
                stratus::aws::sns::matches(&[], &[(s("type"), s("standard"))]),
            ],
        );
        exact(
            "sns-retries-price",
            &["sns::MANAGED_ENDPOINT_ATTEMPTS", "sns::publish_cost"],
            "SNS:sns-message-delivery-retries (AWS-managed endpoints: 3 immediate, 2 at 1 s, 10 backing off, 100,000 at 20 s); aws.amazon.com/sns/pricing ($0.50 per million, 64 KB chunks)",
            "100,015 attempts; a million 1 KB publishes $0.50, of 100 KB $1.00",
            (100_015, 0.5, 1.0),
            (
                stratus::aws::sns::MANAGED_ENDPOINT_ATTEMPTS,
                usd(stratus::aws::sns::publish_cost(1_000_000, 1024)),
                usd(stratus::aws::sns::publish_cost(1_000_000, 100 * 1024)),
            ),
        );
    }
}
