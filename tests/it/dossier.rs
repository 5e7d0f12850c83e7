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

#[test]
fn api_gateway_throttle_holds_the_rate_after_the_burst() {
    // A stage throttle of 500 requests/s with a burst of 1,000 (a token
    // bucket, APIGW:api-gateway-request-throttling). Uniform arrivals step
    // from 100/s (the bucket stays full) to 750/s for 2 minutes: the bucket
    // passes its 1,000 tokens plus 500 a second, so of 90,000 requests
    // 1,000 + 500 × 120 = 61,000 pass and 29,000 get a 429.
    let yaml = "name: apigw\nseed: 2\nduration: 4m\n\
        functions:\n  - { name: f, duration: 10ms }\n\
        apis:\n  - { name: api, to: { function: f }, throttle: { rate: 500, burst: 1000 } }\n\
        workloads:\n  - { name: w, to: { api: api }, arrivals: uniform,\n\
        \x20     rate: { pattern: step, steps: [ { at: 0s, rps: 100 }, { at: 1m, rps: 750 }, { at: 3m, rps: 100 } ] } }\n";
    let r = run(yaml);
    let throttled = r.summary.apis["api"]["throttled"]
        .as_f64()
        .unwrap_or(f64::NAN);
    Check {
        id: "apigw-token-bucket-run",
        rules: &["apigateway::TokenBucket", "apigateway::admit"],
        rule: "a stage throttle (500/s, burst 1,000) under 750 requests/s for 2 minutes: 429s = requests − burst − rate × time".into(),
        source: "APIGW:api-gateway-request-throttling (token bucket)",
        test: "api_gateway_throttle_holds_the_rate_after_the_burst",
        unit: "requests",
        expected: 29_000.0,
        measured: throttled,
        tolerance: 290.0,
    }
    .record();
}

#[test]
fn lambda_scaling_rate_in_a_whole_run() {
    // LAMBDA:scaling-behavior: a function gets 1,000 new execution
    // environments at once, then 1,000 every 10 seconds. 3,000 requests a
    // second of 10 s each need 30,000 at once; with the account's quota
    // raised out of the way, the environments after 60 s are
    // 1,000 + 100 × 60 = 7,000, all busy.
    let yaml = "name: scaling\nseed: 2\nduration: 1m\n\
        account: { lambda_concurrency: 50000 }\n\
        functions:\n  - { name: f, duration: 10s, timeout: 30s }\n\
        workloads:\n  - { name: w, to: { function: f }, arrivals: uniform, rate: 3000 }\n";
    let r = run(yaml);
    let peak = r.summary.functions["f"]["max_concurrency"]
        .as_f64()
        .unwrap_or(f64::NAN);
    Check {
        id: "lambda-scaling-rate-run",
        rules: &[
            "lambda::ScalingBucket",
            "lambda::SCALING_BURST",
            "lambda::SCALING_REFILL_PER_S",
        ],
        rule:
            "3,000 requests/s of 10 s for a minute: concurrent executions reach 1,000 + 100 × 60 s"
                .into(),
        source: "LAMBDA:scaling-behavior (1,000 environments every 10 seconds per function)",
        test: "lambda_scaling_rate_in_a_whole_run",
        unit: "environments",
        expected: 7_000.0,
        measured: peak,
        tolerance: 10.0,
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
        apigateway, cloudwatch, dynamodb, elb, kinesis, lambda, predictive, recorded, scaling, sqs,
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

    // ------------------------------------------------------ ELB codes

    #[test]
    fn elb_error_codes_are_cloudwatch_metrics_of_their_own() {
        use elb::HttpCode as C;
        let names = [C::Elb502, C::Elb503, C::Elb504, C::Target5xx].map(|c| match c {
            C::Elb502 => "HTTPCode_ELB_502_Count",
            C::Elb503 => "HTTPCode_ELB_503_Count",
            C::Elb504 => "HTTPCode_ELB_504_Count",
            C::Target5xx => "HTTPCode_Target_5XX_Count",
        });
        let listed: Vec<&str> = stratus::report::reference::METRICS
            .iter()
            .map(|m| m.0)
            .filter(|n| names.contains(n))
            .collect();
        exact(
            "elb-http-codes",
            &["elb::HttpCode"],
            "ALB:cloudwatch-metrics",
            "HTTPCode_ELB_502/503/504_Count and HTTPCode_Target_5XX_Count are separate metrics",
            4usize,
            listed.len(),
        );
    }

    // ------------------------------------------------------ usage plans

    #[test]
    fn apigateway_usage_plan_throttle_first_then_quota() {
        // A key with a 1-request bucket and a quota of 2 a day: the first
        // request passes, the second (same instant) meets the key's
        // throttle, the third (a second later) passes, the fourth (later
        // still) meets the quota; a new day resets it.
        let mut bucket = apigateway::TokenBucket::new(1.0, 1);
        let mut quota = apigateway::Quota::new(2, apigateway::quota_period_s("DAY").unwrap());
        let mut account = apigateway::TokenBucket::new(10_000.0, 5_000);
        let mut at = |t: u64| {
            apigateway::admit_key(Some((&mut bucket, &mut quota)), None, &mut account, t * S)
        };
        let got = [at(0), at(0), at(1), at(5), at(86_400)];
        use apigateway::Limit::{Quota, UsagePlan};
        exact(
            "apigw-usage-plans",
            &[
                "apigateway::Quota",
                "apigateway::admit_key",
                "apigateway::quota_period_s",
            ],
            "APIGW:api-gateway-api-usage-plans, APIGW:api-gateway-request-throttling",
            "a key's throttle applies first, then its quota per DAY/WEEK/MONTH (429 Limit Exceeded)",
            [Ok(()), Err(UsagePlan), Ok(()), Err(Quota), Ok(())],
            got,
        );
    }

    // ------------------------------------------------------ SQS batching

    #[test]
    fn lambda_sqs_batch_size_and_window() {
        let p = |b: u32, w: f64, fifo: bool| lambda::esm_sqs_problem(b, w, fifo).is_some();
        exact(
            "lambda-sqs-batching-window",
            &["lambda::esm_sqs_problem", "lambda::RECEIVE_MAX"],
            "LAMBDA:services-sqs-parameters, LAMBDA:API_CreateEventSourceMapping",
            "batch size 1-10, or up to 10,000 on a standard queue with a window of at least 1 s; window 0-300 s; a receive returns at most 10",
            (false, true, false, true, true, true, 10u32),
            (
                p(10, 0.0, false),
                p(11, 0.0, false),
                p(10_000, 1.0, false),
                p(10_001, 1.0, false),
                p(11, 1.0, true),
                p(10, 301.0, false),
                lambda::RECEIVE_MAX,
            ),
        );
    }

    // ------------------------------------------------------ Kinesis

    #[test]
    fn kinesis_partition_keys_hash_by_md5_onto_even_ranges() {
        // RFC 1321's test vector MD5("a") = 0cc175b9c0f1b6a831c399e269772661:
        // its top bit is 0, so of two even shards the key goes to the first;
        // MD5("abc") = 900150983cd24fb0d6963f7d28e17f72 goes to the second.
        let two = kinesis::uniform_ranges(2);
        exact(
            "kinesis-md5-hash-key",
            &[
                "kinesis::md5",
                "kinesis::hash_key",
                "kinesis::shard_for",
                "kinesis::uniform_ranges",
            ],
            "KAPI:PutRecord (PartitionKey), KAPI:CreateStream",
            "an MD5 hash maps a partition key to a 128-bit integer; even shards split 0..2^128-1",
            (
                0x0cc175b9c0f1b6a831c399e269772661u128,
                0usize,
                1usize,
                (0u128, u128::MAX / 2),
                (u128::MAX / 2 + 1, u128::MAX),
            ),
            (
                kinesis::hash_key("a"),
                kinesis::shard_for(&two, kinesis::hash_key("a")),
                kinesis::shard_for(&two, kinesis::hash_key("abc")),
                two[0],
                two[1],
            ),
        );
    }

    #[test]
    fn kinesis_shard_limits_are_aws_figures() {
        // A shard takes 1,000 records/s or 1 MiB/s: the 1,001st record of a
        // second is refused, a new second starts afresh; one 1 MiB record
        // fills the second.
        let mut w = kinesis::WriteWindow::default();
        let first: usize = (0..1001).filter(|_| w.try_write(0, 10)).count();
        let next = w.try_write(S, 10);
        let mut big = kinesis::WriteWindow::default();
        let filled = (big.try_write(0, 1024 * 1024), big.try_write(0, 1));
        // Five GetRecords calls per shard per second, shared; enhanced
        // fan-out has no call limit.
        let mut r = kinesis::ReadLimiter::default();
        let calls = (0..6).filter(|_| r.try_call(0)).count();
        let mut e = kinesis::ReadLimiter::efo();
        let efo_calls = (0..6).filter(|_| e.try_call(0)).count();
        exact(
            "kinesis-shard-limits",
            &[
                "kinesis::WriteWindow",
                "kinesis::WRITE_RECORDS_PER_S",
                "kinesis::WRITE_BYTES_PER_S",
                "kinesis::ReadLimiter",
                "kinesis::READ_TX_PER_S",
                "kinesis::READ_BYTES_PER_S",
                "kinesis::GET_RECORDS_MAX_RECORDS",
                "kinesis::GET_RECORDS_MAX_BYTES",
                "kinesis::ReadLimiter::efo",
            ],
            "KDS:service-sizes-and-limits, KAPI:GetRecords, KDS:enhanced-consumers",
            "writes 1,000 records/s and 1 MiB/s per shard; reads 5 calls/s and 2 MiB/s per shard (enhanced fan-out: 2 MiB/s per consumer, no call limit); a call returns at most 10,000 records or 10 MiB",
            (
                1000usize,
                true,
                (true, false),
                5usize,
                6usize,
                2 * 1024 * 1024u64,
                10_000u32,
                10 * 1024 * 1024u64,
            ),
            (
                first,
                next,
                filled,
                calls,
                efo_calls,
                r.budget(),
                kinesis::GET_RECORDS_MAX_RECORDS,
                kinesis::GET_RECORDS_MAX_BYTES,
            ),
        );
    }

    #[test]
    fn kinesis_update_shard_count_limits() {
        let p = kinesis::update_shard_count_problem;
        exact(
            "kinesis-update-shard-count",
            &[
                "kinesis::update_shard_count_problem",
                "kinesis::MAX_SHARDS_PER_STREAM",
                "kinesis::UPDATES_PER_24H",
            ],
            "KAPI:UpdateShardCount",
            "at most double and at least half the current count, at most 10,000 shards, at most 10 calls per rolling 24 h",
            (false, true, false, true, true, true),
            (
                p(4, 8, 0).is_some(),
                p(4, 9, 0).is_some(),
                p(4, 2, 0).is_some(),
                p(4, 1, 0).is_some(),
                p(6000, 12_000, 0).is_some(),
                p(4, 8, 10).is_some(),
            ),
        );
    }

    #[test]
    fn kinesis_reshard_duration_is_our_parameter() {
        exact(
            "kinesis-reshard-duration",
            &["kinesis::reshard_duration_s"],
            "GAP: AWS says only that UpdateShardCount \"could take a few minutes\"",
            "10 s per shard created or closed, at least 60 s",
            (240u64, 60u64),
            (
                kinesis::reshard_duration_s(8, 16),
                kinesis::reshard_duration_s(2, 3),
            ),
        );
    }

    #[test]
    fn kinesis_children_are_read_after_their_parents() {
        // Uniform scaling from 2 to 4 shards: each new shard lies in one
        // parent; back to 2, each new shard has two parents.
        let (two, four) = (kinesis::uniform_ranges(2), kinesis::uniform_ranges(4));
        exact(
            "kinesis-reshard-parents",
            &["kinesis::children_of"],
            "KDS:kinesis-using-sdk-java-after-resharding",
            "after a reshard the parent shard is read to its end before its children",
            (
                vec![vec![0], vec![0], vec![1], vec![1]],
                vec![vec![0, 1], vec![2, 3]],
            ),
            (
                kinesis::children_of(&two, &four),
                kinesis::children_of(&four, &two),
            ),
        );
    }

    #[test]
    fn kinesis_on_demand_starts_at_4_mb_and_doubles_the_peak() {
        exact(
            "kinesis-on-demand",
            &[
                "kinesis::on_demand_shards",
                "kinesis::ON_DEMAND_INITIAL_SHARDS",
                "kinesis::ON_DEMAND_SCALE_S",
            ],
            "KDS:how-do-i-size-a-stream",
            "on-demand starts at 4 MB/s of write capacity and accommodates up to double its previous peak within 15 minutes",
            (4u32, 4u32, 10u32, 900u64),
            (
                kinesis::on_demand_shards(0.0, 0.0),
                kinesis::on_demand_shards(2000.0, 0.0),
                kinesis::on_demand_shards(5000.0, 0.0),
                kinesis::ON_DEMAND_SCALE_S,
            ),
        );
    }

    #[test]
    fn kinesis_lambda_event_source_settings() {
        exact(
            "kinesis-esm-settings",
            &[
                "kinesis::esm_problems",
                "kinesis::ESM_BATCH_SIZE",
                "kinesis::ESM_MAX_BATCH_SIZE",
                "kinesis::ESM_MAX_WINDOW_S",
                "kinesis::ESM_MAX_PARALLELIZATION",
                "kinesis::ESM_MAX_RETRIES",
                "kinesis::ESM_RECORD_AGE_S",
                "kinesis::MAX_BATCH_BYTES",
            ],
            "LAMBDA:with-kinesis, LAMBDA:services-kinesis-parameters",
            "batch size 1-10,000 (default 100), window up to 300 s, parallelization factor up to 10, retries up to 10,000, maximum record age 60 s-604,800 s, batches of at most 6 MB",
            (
                100u32,
                10_000u32,
                300u64,
                10u32,
                10_000u32,
                (60u64, 604_800u64),
                6 * 1024 * 1024u64,
            ),
            (
                kinesis::ESM_BATCH_SIZE,
                kinesis::ESM_MAX_BATCH_SIZE,
                kinesis::ESM_MAX_WINDOW_S,
                kinesis::ESM_MAX_PARALLELIZATION,
                kinesis::ESM_MAX_RETRIES,
                kinesis::ESM_RECORD_AGE_S,
                kinesis::MAX_BATCH_BYTES,
            ),
        );
    }

    #[test]
    fn kinesis_keys_keep_their_order_in_one_lane() {
        let h = kinesis::hash_key("user-1");
        let lanes: Vec<u32> = (0..5).map(|_| kinesis::lane_of(h, 4)).collect();
        exact(
            "kinesis-key-order",
            &["kinesis::lane_of"],
            "LAMBDA:with-kinesis",
            "records of one partition key are processed in order, whatever the parallelization factor",
            (true, 0u32),
            (
                lanes.iter().all(|&l| l == lanes[0] && l < 4),
                kinesis::lane_of(h, 1),
            ),
        );
    }

    #[test]
    fn kinesis_prices() {
        exact(
            "kinesis-prices",
            &[
                "kinesis::put_payload_units",
                "kinesis::provisioned_cost",
                "kinesis::on_demand_cost",
                "kinesis::efo_cost",
                "kinesis::PUT_PAYLOAD_UNIT",
            ],
            "aws.amazon.com/kinesis/data-streams/pricing (us-east-1)",
            "$0.015 per shard-hour, $0.014 per million 25 KB PUT payload units; on-demand $0.04 per stream-hour, $0.08/GB in, $0.04/GB out; enhanced fan-out $0.015 per consumer-shard-hour and $0.013/GB",
            (1u64, 2u64, 29_000u64, 160_000u64, 28_000u64),
            (
                kinesis::put_payload_units(25 * 1024),
                kinesis::put_payload_units(25 * 1024 + 1),
                (kinesis::provisioned_cost(1.0, 1_000_000) * 1e6).round() as u64,
                (kinesis::on_demand_cost(1.0, 1 << 30, 1 << 30) * 1e6).round() as u64,
                (kinesis::efo_cost(1.0, 1 << 30) * 1e6).round() as u64,
            ),
        );
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
        let mut lb = elb::LbState::new(&spec, stratus::sim::OptId::some(0), 2);
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
            &[
                "lambda::Lambda::admit",
                "lambda::Lambda::admit(Admit::Provisioned)",
                "lambda::Lambda::finish(reset)",
            ],
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

    #[test]
    fn sns_http_delivery_policy_and_redrive() {
        use stratus::aws::sns::{self, Backoff, Fate, HttpDeliveryPolicy, HttpResult};
        let d = HttpDeliveryPolicy::DEFAULT;
        exact(
            "sns-http-default-policy",
            &[
                "sns::HttpDeliveryPolicy::DEFAULT",
                "sns::http_retry_delay_s",
            ],
            "SNS:SendMessageToHttp.retry (\"up to three retries with a delay between failed attempts set at 20 seconds\")",
            "retries 1–3 after 20 s each, none after; 60 s in all",
            (vec![Some(20.0), Some(20.0), Some(20.0), None], 60.0),
            (
                (1..=4)
                    .map(|r| sns::http_retry_delay_s(&d, r))
                    .collect::<Vec<_>>(),
                sns::http_total_retry_time_s(&d),
            ),
        );
        let p = HttpDeliveryPolicy {
            num_retries: 10,
            num_no_delay_retries: 1,
            num_min_delay_retries: 2,
            num_max_delay_retries: 2,
            min_delay_target_s: 5,
            max_delay_target_s: 60,
            backoff: Backoff::Linear,
        };
        exact(
            "sns-http-policy-phases",
            &["sns::http_retry_delay_s"],
            "SNS:sns-message-delivery-retries (Delivery policy stages: immediate, pre-backoff at minDelayTarget, backoff, post-backoff at maxDelayTarget)",
            "1 immediate, 2 at 5 s, 5 backing off linearly to 60 s, 2 at 60 s",
            vec![0.0, 5.0, 5.0, 16.0, 27.0, 38.0, 49.0, 60.0, 60.0, 60.0],
            (1..=10)
                .map(|r| sns::http_retry_delay_s(&p, r).unwrap())
                .collect::<Vec<_>>(),
        );
        let with = |n: u32, min: u32, max: u32| {
            sns::http_policy_problem(&HttpDeliveryPolicy {
                num_retries: n,
                min_delay_target_s: min,
                max_delay_target_s: max,
                ..d
            })
            .is_none()
        };
        exact(
            "sns-http-policy-limits",
            &["sns::http_policy_problem"],
            "SNS:sns-message-delivery-retries (numRetries 0–100; minDelayTarget ≥ 1 s ≤ maxDelayTarget ≤ 3,600 s; total retry time ≤ 3,600 s, a hard limit)",
            "100 × 20 s allowed; 101 retries, 0 s min, min > max, 3,601 s max, 100 × 40 s refused",
            [true, false, false, false, false, false],
            [
                with(100, 20, 20),
                with(101, 20, 20),
                with(3, 0, 20),
                with(3, 30, 20),
                with(3, 20, 3601),
                with(100, 40, 40),
            ],
        );
        exact(
            "sns-redrive",
            &[
                "sns::classify_http_status",
                "sns::final_fate",
                "sns::failed_metric_increment",
            ],
            "SNS:sns-dead-letter-queues (client errors not retried; exhausted → DLQ or discarded); SNS:sns-monitoring-using-cloudwatch (HTTP/S: every failed attempt is NumberOfNotificationsFailed)",
            "200 delivered, 503 and timeouts retried, 403 not; no DLQ discards, a DLQ redrives, a refusing DLQ loses it; an HTTP attempt counts, an SQS retry does not",
            (
                [
                    HttpResult::Delivered,
                    HttpResult::ServerError,
                    HttpResult::ServerError,
                    HttpResult::ClientError,
                ],
                [Fate::Discarded, Fate::Redriven, Fate::FailedToRedrive],
                (1, 0),
            ),
            (
                [
                    sns::classify_http_status(Some(200)),
                    sns::classify_http_status(Some(503)),
                    sns::classify_http_status(None),
                    sns::classify_http_status(Some(403)),
                ],
                [
                    sns::final_fate(None),
                    sns::final_fate(Some(true)),
                    sns::final_fate(Some(false)),
                ],
                (
                    sns::failed_metric_increment(true, false),
                    sns::failed_metric_increment(false, false),
                ),
            ),
        );
    }

    #[test]
    fn lambda_provisioned_concurrency_auto_scaling() {
        use stratus::aws::lambda;
        exact(
            "lambda-pc-target-tracking",
            &[
                "lambda::PC_RECOMMENDED_TARGET",
                "lambda::PC_SCALE_OUT_DATAPOINTS",
                "lambda::PC_SCALE_IN_DATAPOINTS",
                "lambda::PC_LOW_ALARM_FACTOR",
                "lambda::pc_target_tracking_capacity",
            ],
            "LAMBDA:provisioned-concurrency (target 0.7; AlarmLow at 63 % for 70 %; Average statistic); AWS Compute blog 2020 (3 × 1 min high, 15 × 1 min low)",
            "target 0.7, AlarmLow 0.63, 3 and 15 datapoints; 100 at 91 % → 130, at 35 % → 50; at 100 % utilisation 10 → 15 (×1/0.7 at most)",
            (0.7, 0.63, 3, 15, 130, 50, 15),
            (
                lambda::PC_RECOMMENDED_TARGET,
                (lambda::PC_RECOMMENDED_TARGET * lambda::PC_LOW_ALARM_FACTOR * 100.0).round()
                    / 100.0,
                lambda::PC_SCALE_OUT_DATAPOINTS,
                lambda::PC_SCALE_IN_DATAPOINTS,
                lambda::pc_target_tracking_capacity(100, 0.91, 0.7, 1, 500, true),
                lambda::pc_target_tracking_capacity(100, 0.35, 0.7, 1, 500, false),
                lambda::pc_target_tracking_capacity(10, 1.0, 0.7, 1, 500, true),
            ),
        );
        exact(
            "lambda-pc-allocation",
            &["lambda::DEFAULT_PC_ALLOCATION_S"],
            "GAP: Lambda documents the IN_PROGRESS → READY status, not its duration",
            "60 s, a parameter (allocation_time)",
            60,
            lambda::DEFAULT_PC_ALLOCATION_S,
        );
    }

    // ------------------------------------------- Auto Scaling (2): the WEs

    #[test]
    fn scaling_we01_step_scaling_walkthrough() {
        use stratus::scenario::AdjustmentType::PercentChangeInCapacity;
        // `ASG:as-scaling-simple-step`'s example: threshold 50; out [0,10) 0 %,
        // [10,20) +10 %, [20,∞) +30 %; in (−10,0] 0, (−20,−10] −10 %,
        // (−∞,−20] −30 %.
        let out = [
            step(Some(0.0), Some(10.0), 0),
            step(Some(10.0), Some(20.0), 10),
            step(Some(20.0), None, 30),
        ];
        let inn = [
            step(Some(-10.0), Some(0.0), 0),
            step(Some(-20.0), Some(-10.0), -10),
            step(None, Some(-20.0), -30),
        ];
        let apply = |n: u32, metric: f64| {
            let cap = scaling::Capacity::settled(n, 0, 100);
            let r: Vec<u32> = [&out[..], &inn[..]]
                .iter()
                .filter_map(|set| scaling::select_step_adjustment(set, metric, 50.0))
                .map(|st| {
                    scaling::step_scaling_new_desired(
                        &cap,
                        PercentChangeInCapacity,
                        st.adjustment,
                        None,
                    )
                })
                .collect();
            scaling::largest_capacity_wins(r).unwrap_or(n)
        };
        exact(
            "asg-we01-steps",
            &[
                "scaling::select_step_adjustment",
                "scaling::step_scaling_new_desired",
                "scaling::validate_step_adjustments",
                "scaling::percent_change_delta",
                "scaling::round_percent_delta",
            ],
            "ASG:as-scaling-simple-step (WE-01)",
            "10 instances at 60 → 11; 11 at 70 → 14 (+3.3 → 3); 14 at 40 → 13 (−1.4 → −1); 13 at 30 → 10 (−3.9 → −3); 50 → no change",
            (true, true, [11, 14, 13, 10, 10]),
            (
                scaling::validate_step_adjustments(&out).is_ok(),
                scaling::validate_step_adjustments(&inn).is_ok(),
                [
                    apply(10, 60.0),
                    apply(11, 70.0),
                    apply(14, 40.0),
                    apply(13, 30.0),
                    apply(10, 50.0),
                ],
            ),
        );
    }

    #[test]
    fn scaling_we02_we03_warm_up_and_rounding() {
        use stratus::scenario::AdjustmentType::{
            ChangeInCapacity, ExactCapacity, PercentChangeInCapacity,
        };
        exact(
            "asg-we03-rounding",
            &[
                "scaling::round_percent_delta",
                "scaling::percent_change_delta",
                "scaling::adjusted_capacity",
                "scaling::validate_adjustment",
            ],
            "ASG:as-scaling-simple-step (scaling adjustment types; WE-03)",
            "12.7 → 12, 0.67 → 1, −0.58 → −1, −6.67 → −6; current 3 +5 → 8, exact 5 → 5, 10 +10 % → 11; an ExactCapacity below 0 is refused",
            ([12, 1, -1, -6], [8, 5, 11], (false, true)),
            (
                [
                    scaling::round_percent_delta(127, 10),
                    scaling::round_percent_delta(67, 100),
                    scaling::round_percent_delta(-58, 100),
                    scaling::round_percent_delta(-667, 100),
                ],
                [
                    scaling::adjusted_capacity(ChangeInCapacity, 3, 5, None),
                    scaling::adjusted_capacity(ExactCapacity, 3, 5, None),
                    scaling::adjusted_capacity(PercentChangeInCapacity, 10, 10, None),
                ],
                (
                    scaling::validate_adjustment(ExactCapacity, -1).is_ok(),
                    scaling::validate_adjustment(ExactCapacity, 0).is_ok(),
                ),
            ),
        );
        // WE-02: desired 11 with 10 past warm-up; +10 % → 11 (no change), +30 % → 13.
        let cap = scaling::Capacity {
            desired: 11,
            past_warmup: 10,
            warming: 1,
            terminating: 0,
            min: 0,
            max: 100,
        };
        exact(
            "asg-we02-warm-up",
            &[
                "scaling::step_scaling_new_desired",
                "scaling::effective_instance_warmup",
                "scaling::warm_up_expired",
            ],
            "HIST-ASG@634c880:as-scaling-simple-step (instance warm-up, WE-02); ASG:ec2-auto-scaling-default-instance-warmup",
            "warming instances count toward desired: +10 % of the 10 warmed leaves 11, +30 % gives 13; warm-up is the policy's, else the group's default, else the cooldown; it ends 60 s after InService",
            (11, 13, [60, 120, 300], (false, true)),
            (
                scaling::step_scaling_new_desired(&cap, PercentChangeInCapacity, 10, None),
                scaling::step_scaling_new_desired(&cap, PercentChangeInCapacity, 30, None),
                [
                    scaling::effective_instance_warmup(
                        Some(Duration::secs(60)),
                        Some(Duration::secs(120)),
                        Duration::secs(300),
                    )
                    .0 / S,
                    scaling::effective_instance_warmup(
                        None,
                        Some(Duration::secs(120)),
                        Duration::secs(300),
                    )
                    .0 / S,
                    scaling::effective_instance_warmup(None, None, Duration::secs(300)).0 / S,
                ],
                (
                    scaling::warm_up_expired(159 * S, 100 * S, Duration::secs(60)),
                    scaling::warm_up_expired(160 * S, 100 * S, Duration::secs(60)),
                ),
            ),
        );
    }

    #[test]
    fn scaling_warm_up_counts_from_launch_unless_it_is_the_default_instance_warmup() {
        let d = |s| Some(Duration::secs(s));
        exact(
            "asg-warm-up-start",
            &[
                "scaling::warm_up_counts_from_launch",
                "scaling::warm_up_start",
            ],
            "API-ASG:PutScalingPolicyType.EstimatedInstanceWarmup (\"until a newly launched instance can contribute to the CloudWatch metrics\"); API-ASG:CreateAutoScalingGroupType.DefaultInstanceWarmup (\"after it enters the InService state\"); ASG:ec2-auto-scaling-default-instance-warmup",
            "EstimatedInstanceWarmup and the DefaultCooldown fallback count from launch, DefaultInstanceWarmup from InService; launched at 100 s, InService at 160 s: from 100 s or 160 s; not yet InService: none",
            (true, true, false, Some(100), Some(160), None),
            (
                scaling::warm_up_counts_from_launch(d(60), None),
                scaling::warm_up_counts_from_launch(None, None),
                scaling::warm_up_counts_from_launch(None, d(120)),
                scaling::warm_up_start(100 * S, Some(160 * S), true).map(|t| t / S),
                scaling::warm_up_start(100 * S, Some(160 * S), false).map(|t| t / S),
                scaling::warm_up_start(100 * S, None, true),
            ),
        );
    }

    #[test]
    fn cloudwatch_a_new_alarm_reads_datapoints_from_before_it_existed() {
        // 15 of 15 below 50: 10 datapoints published before the alarm, 5
        // after; the first evaluation after creation that holds 15 goes
        // to ALARM (`CW:AlarmThatSendsEmail`).
        let c = cloudwatch::AlarmConfig::new(
            "low",
            stratus::scenario::Comparison::Lt,
            50.0,
            60 * S,
            15,
        );
        let mut a = cloudwatch::AlarmEvaluator::new(c);
        for m in 1..=10u64 {
            a.record_before_creation(m * 60 * S, Some(0.0));
        }
        let mut states = vec![a.state()];
        for m in 11..=15u64 {
            a.evaluate(m * 60 * S, Some(0.0));
            states.push(a.state());
        }
        use cloudwatch::AlarmState::{Alarm as A, InsufficientData as I};
        exact(
            "cw-history-before-creation",
            &["cloudwatch::AlarmEvaluator::record_before_creation"],
            "CW:AlarmThatSendsEmail (\"CloudWatch retrieves the most recent data points from before the alarm was created\")",
            "datapoints published before the alarm change no state; with them the 15-of-15 alarm fires at the 5th datapoint after creation, not the 15th",
            vec![I, I, I, I, I, A],
            states,
        );
    }

    use stratus::scenario::Duration;

    #[test]
    fn scaling_we05_limits_and_weights() {
        use stratus::scenario::AdjustmentType::ChangeInCapacity;
        let a = scaling::Capacity::settled(2, 0, 3);
        let b = scaling::Capacity::settled(3, 2, 10);
        let d = scaling::Capacity {
            desired: 30,
            past_warmup: 32,
            warming: 0,
            terminating: 0,
            min: 0,
            max: 40,
        };
        let desired = scaling::clamp_to_group_limits(
            scaling::adjusted_capacity(ChangeInCapacity, 10, 5, None),
            0,
            12,
        );
        exact(
            "asg-we05-limits-weights",
            &[
                "scaling::clamp_to_group_limits",
                "scaling::simple_scaling_new_desired",
                "scaling::weighted_capacity_ceiling",
                "scaling::weighted_instances_to_launch",
            ],
            "ASG:as-scale-based-on-demand; API-ASG:CreateAutoScalingGroupType.MaxSize (WE-05)",
            "max 3, current 2, +3 → 3; min 2, current 3, −2 → 2; weights up to 6, max 12, 10 units +5 → desired 12, one instance of weight 6 (16 ≤ 12 + 6); desired 30 with 32 units, −1 → no action",
            (3, 3, 2, 2, 12, 1, 18, 30, 30),
            (
                scaling::step_scaling_new_desired(&a, ChangeInCapacity, 3, None),
                scaling::simple_scaling_new_desired(&a, ChangeInCapacity, 3, None),
                scaling::step_scaling_new_desired(&b, ChangeInCapacity, -2, None),
                scaling::simple_scaling_new_desired(&b, ChangeInCapacity, -2, None),
                desired,
                scaling::weighted_instances_to_launch(10, desired, 6),
                scaling::weighted_capacity_ceiling(12, 6),
                scaling::simple_scaling_new_desired(&d, ChangeInCapacity, -1, None),
                scaling::step_scaling_new_desired(&d, ChangeInCapacity, -1, None),
            ),
        );
    }

    #[test]
    fn scaling_we06_we09_several_policies_and_target_tracking() {
        use scaling::{TargetAlarm, TargetVote};
        use stratus::scenario::AdjustmentType::{ChangeInCapacity, PercentChangeInCapacity};
        let cap = scaling::Capacity::settled(8, 0, 20);
        let tt = scaling::target_tracking_vote(&cap, Some(TargetAlarm::High), 125.0, 100.0, false);
        let step_out = scaling::step_scaling_new_desired(&cap, ChangeInCapacity, 1, None);
        let a = scaling::step_scaling_new_desired(&cap, ChangeInCapacity, -3, None);
        let b = scaling::step_scaling_new_desired(&cap, PercentChangeInCapacity, -25, None);
        exact(
            "asg-we06-largest-wins",
            &[
                "scaling::largest_capacity_wins",
                "scaling::target_tracking_vote",
                "scaling::combine_target_tracking",
            ],
            "ASG:as-scale-based-on-demand (multiple policies, WE-06)",
            "8 instances: step +1 and target tracking to 10 → 10; in: −3 and −25 % (−2) → 6",
            (TargetVote::Out(10), Some(10), Some(6)),
            (
                tt,
                scaling::largest_capacity_wins([
                    step_out,
                    scaling::combine_target_tracking(&[tt]).unwrap_or(0),
                ]),
                scaling::largest_capacity_wins([a, b]),
            ),
        );
        let cap = scaling::Capacity::settled(10, 1, 50);
        let out = scaling::target_tracking_vote(&cap, Some(TargetAlarm::High), 60.0, 50.0, false);
        let inn = scaling::target_tracking_vote(&cap, Some(TargetAlarm::Low), 30.0, 50.0, false);
        let hold = scaling::target_tracking_vote(&cap, None, 48.0, 50.0, false);
        let off = scaling::target_tracking_vote(&cap, None, 48.0, 50.0, true);
        exact(
            "asg-target-tracking",
            &[
                "scaling::target_tracking_scale_out_capacity",
                "scaling::target_tracking_scale_in_capacity",
                "scaling::target_tracking_scale_in_threshold",
                "scaling::target_tracking_vote",
                "scaling::combine_target_tracking",
            ],
            "ASG:as-scaling-target-tracking (round up adding, down removing; scale out if any policy wants to, in only if all do)",
            "3 at 75 % for 50 → 5 (4.5 up); 3 at 25 % → 1 (1.5 down); 10 at 60 → 12, at 30 → 6; low alarm at 0.9 × 50 = 45; out wins over in; in needs every policy (one with scale-in disabled abstains)",
            (5, 1, 45.0, Some(12), None, Some(6)),
            (
                scaling::target_tracking_scale_out_capacity(3, 75.0, 50.0),
                scaling::target_tracking_scale_in_capacity(3, 25.0, 50.0),
                scaling::target_tracking_scale_in_threshold(50.0, None),
                scaling::combine_target_tracking(&[out, inn]),
                scaling::combine_target_tracking(&[inn, hold]),
                scaling::combine_target_tracking(&[inn, off]),
            ),
        );
        let target = scaling::sqs_acceptable_backlog_per_instance(10.0, 0.1);
        let backlog = scaling::sqs_backlog_per_instance(1500, 10);
        let cap = scaling::Capacity::settled(10, 1, 100);
        exact(
            "asg-we09-sqs-backlog",
            &[
                "scaling::sqs_acceptable_backlog_per_instance",
                "scaling::sqs_backlog_per_instance",
            ],
            "ASG:as-using-sqs-queue (WE-09)",
            "latency 10 s over 0.1 s a message → 100 acceptable per instance; 1,500 messages on 10 → 150; target tracking scales to 15",
            (100, 150.0, TargetVote::Out(15)),
            (
                target.round() as u32,
                backlog,
                scaling::target_tracking_vote(
                    &cap,
                    Some(TargetAlarm::High),
                    backlog,
                    target,
                    false,
                ),
            ),
        );
        use stratus::scenario::Statistic::{Maximum, Minimum};
        let v = [1.0, 3.0, 5.0];
        exact(
            "asg-metric-aggregation",
            &["scaling::metric_aggregation"],
            "API-ASG:PutScalingPolicyType.MetricAggregationType (Minimum, Maximum, Average; default Average)",
            "1, 3, 5: Average 3, Minimum 1, Maximum 5; no data, none",
            [Some(3.0), Some(1.0), Some(5.0), None],
            [
                scaling::metric_aggregation(&v, None),
                scaling::metric_aggregation(&v, Some(Minimum)),
                scaling::metric_aggregation(&v, Some(Maximum)),
                scaling::metric_aggregation(&[], None),
            ],
        );
    }

    #[test]
    fn scaling_simple_policy_cooldown() {
        let cd = scaling::effective_cooldown(None, Duration::secs(300));
        let until = scaling::cooldown_until(100 * S, cd);
        exact(
            "asg-cooldown",
            &[
                "scaling::effective_cooldown",
                "scaling::cooldown_until",
                "scaling::simple_policy_in_cooldown",
                "scaling::simple_policy_may_respond",
            ],
            "ASG:ec2-auto-scaling-scaling-cooldowns (the group's 300 s unless the policy sets one; counted from the activity's end; a simple policy waits for the activity and the cooldown)",
            "the group's 300 s; the policy's 60 s wins; an activity ended at 100 s holds until 400 s; while an activity runs the policy waits",
            (300, 60, 400 * S, [true, false], [false, false, true]),
            (
                cd.0 / S,
                scaling::effective_cooldown(Some(Duration::secs(60)), Duration::secs(300)).0 / S,
                until,
                [
                    scaling::simple_policy_in_cooldown(399 * S, Some(until)),
                    scaling::simple_policy_in_cooldown(400 * S, Some(until)),
                ],
                [
                    scaling::simple_policy_may_respond(500 * S, true, None),
                    scaling::simple_policy_may_respond(399 * S, false, Some(until)),
                    scaling::simple_policy_may_respond(400 * S, false, Some(until)),
                ],
            ),
        );
    }

    #[test]
    fn scaling_we10_to_we16() {
        use scaling::{GroupSize, HookTimeout, MaxCapacityBreach};
        exact(
            "asg-we10-warm-pool",
            &["scaling::warm_pool_size"],
            "ASG:ec2-auto-scaling-warm-pools (WE-10)",
            "desired 6, max 10 → a pool of 4; MaxGroupPreparedCapacity 8 → 2; MinSize 3 is a floor → 3; desired 9 over 8 → 0",
            [4, 2, 3, 0],
            [
                scaling::warm_pool_size(6, 10, None, 0),
                scaling::warm_pool_size(6, 10, Some(8), 0),
                scaling::warm_pool_size(6, 10, Some(8), 3),
                scaling::warm_pool_size(9, 10, Some(8), 0),
            ],
        );
        let h = Duration::secs(3600);
        exact(
            "asg-we11-lifecycle-hooks",
            &[
                "scaling::lifecycle_hook_global_timeout",
                "scaling::lifecycle_hook_deadline",
                "scaling::lifecycle_hook_times_out_at",
            ],
            "ASG:lifecycle-hooks-overview (heartbeat timeout; global timeout 48 h or 100 × the heartbeat timeout, the smaller; WE-11)",
            "timeout 1 h with a heartbeat at 30 min → 90 min; 3,600 s → global 172,800 s; 120 s → 12,000 s; heartbeats every 30 min forever → the global 172,800 s",
            (
                5400 * S,
                172_800,
                12_000,
                12_000 * S,
                (172_800 * S, HookTimeout::Global),
            ),
            (
                scaling::lifecycle_hook_deadline(0, h, Some(1800 * S)),
                scaling::lifecycle_hook_global_timeout(h).0 / S,
                scaling::lifecycle_hook_global_timeout(Duration::secs(120)).0 / S,
                scaling::lifecycle_hook_deadline(0, Duration::secs(120), Some(11_950 * S)),
                scaling::lifecycle_hook_times_out_at(h, Some(Duration::secs(1800)), None),
            ),
        );
        let inc = |b| MaxCapacityBreach::IncreaseMaxCapacity { buffer_percent: b };
        exact(
            "asg-we12-predictive-max",
            &[
                "scaling::predictive_effective_max",
                "scaling::predictive_new_desired",
            ],
            "API-ASG:PredictiveScalingConfiguration.MaxCapacityBuffer (WE-12)",
            "max 40, forecast 50: buffer 10 % → 55, 0 % → 50, honour max → 40; desired raised to the forecast, never lowered",
            [55, 50, 40, 50, 40, 30],
            [
                scaling::predictive_effective_max(40, 50.0, inc(10.0)),
                scaling::predictive_effective_max(40, 50.0, inc(0.0)),
                scaling::predictive_effective_max(40, 50.0, MaxCapacityBreach::HonorMaxCapacity),
                scaling::predictive_new_desired(30, 50.0, 1, 55),
                scaling::predictive_new_desired(30, 50.0, 1, 40),
                scaling::predictive_new_desired(30, 10.0, 1, 40),
            ],
        );
        let g = |desired| GroupSize {
            min: 1,
            max: 10,
            desired,
        };
        exact(
            "asg-we13-scheduled",
            &["scaling::apply_scheduled_action"],
            "ASG:ec2-auto-scaling-scheduled-scaling (WE-13)",
            "desired 3 at 08:00 from 1 → 3; desired 1 at 16:00 from 3 → 1; a new min 4 above desired 2 raises it; a new max 5 below desired 8 lowers it",
            [3, 1, 4, 5],
            [
                scaling::apply_scheduled_action(g(1), None, None, Some(3)).desired,
                scaling::apply_scheduled_action(g(3), None, None, Some(1)).desired,
                scaling::apply_scheduled_action(g(2), Some(4), None, None).desired,
                scaling::apply_scheduled_action(g(8), None, Some(5), None).desired,
            ],
        );
        exact(
            "asg-we15-replacement-pacing",
            &[
                "scaling::unhealthy_replacement_batch",
                "scaling::unhealthy_replacement_may_proceed",
                "scaling::max_instance_lifetime_batch",
            ],
            "ASG:replace-unhealthy-instance; ASG:asg-max-instance-lifetime (WE-15)",
            "10 % of desired at a time (50 → 5, 5 → 1); replace while above 90 % healthy, or at once for an instance not running; lifetime replacements 5 → 1, 30 → 3",
            (5, 1, [true, false, true], 1, 3),
            (
                scaling::unhealthy_replacement_batch(50),
                scaling::unhealthy_replacement_batch(5),
                [
                    scaling::unhealthy_replacement_may_proceed(46, 50, false),
                    scaling::unhealthy_replacement_may_proceed(45, 50, false),
                    scaling::unhealthy_replacement_may_proceed(45, 50, true),
                ],
                scaling::max_instance_lifetime_batch(5),
                scaling::max_instance_lifetime_batch(30),
            ),
        );
        exact(
            "asg-we16-instance-refresh",
            &[
                "scaling::instance_refresh_batch",
                "scaling::instance_refresh_warmup",
            ],
            "API-ASG:RefreshPreferences (MinHealthyPercentage 90, MaxHealthyPercentage 100; WE-16)",
            "90 %: 10 of 100 → 1, 20 → 2, 50 → 5; 100 %: one at a time; 0 %: all; 90 % of 5 rounds up, one at a time; max 150 % on 10 → 5; warm-up: its own, else the group's default, else the grace period",
            ([1, 2, 5, 1, 20, 1, 5], 90),
            (
                [
                    scaling::instance_refresh_batch(10, 90.0, 100.0),
                    scaling::instance_refresh_batch(20, 90.0, 100.0),
                    scaling::instance_refresh_batch(50, 90.0, 100.0),
                    scaling::instance_refresh_batch(20, 100.0, 100.0),
                    scaling::instance_refresh_batch(20, 0.0, 100.0),
                    scaling::instance_refresh_batch(5, 90.0, 100.0),
                    scaling::instance_refresh_batch(10, 100.0, 150.0),
                ],
                scaling::instance_refresh_warmup(None, Some(Duration::secs(90)), Duration::secs(0))
                    .0
                    / S,
            ),
        );
    }

    // ------------------------------------------------------- DynamoDB (2)

    #[test]
    fn dynamodb_we23_capacity_units() {
        use dynamodb::ReadKind::{Eventual, Strong, Transactional};
        const KB: u64 = 1024;
        let b = (40.8 * 1024.0) as u64;
        exact(
            "ddb-we23-units",
            &[
                "dynamodb::read_units",
                "dynamodb::write_units",
                "dynamodb::batch_get_units",
                "dynamodb::batch_write_units",
                "dynamodb::query_units",
                "dynamodb::scan_units",
                "dynamodb::failed_conditional_write_units",
            ],
            "DDB:read-write-operations; DDB:provisioned-capacity-mode (WE-23)",
            "reads round up to 4 KB: 8 KB strong 2, eventual 1, transactional 4; 3.5 KB 1; 10 KB 3 / 1.5; BatchGetItem 1.5 KB + 6.5 KB → 1 + 2 = 3; Query of 40.8 KB → 11 / 5.5; writes round up to 1 KB: 2 KB 2, transactional 4; 1.6 KB 2; BatchWriteItem 500 B + 3.5 KB → 1 + 4 = 5; a failed conditional write of an existing 2 KB item 2, of a new one 1; a Scan counts what it evaluates",
            (
                [2.0, 1.0, 4.0, 1.0, 3.0, 1.5],
                3.0,
                (11.0, 5.5),
                [2.0, 4.0, 2.0],
                5.0,
                [2.0, 1.0],
                10.0,
            ),
            (
                [
                    dynamodb::read_units(8 * KB, Strong),
                    dynamodb::read_units(8 * KB, Eventual),
                    dynamodb::read_units(8 * KB, Transactional),
                    dynamodb::read_units(3500, Strong),
                    dynamodb::read_units(10 * KB, Strong),
                    dynamodb::read_units(10 * KB, Eventual),
                ],
                dynamodb::batch_get_units(&[1536, 6656], Strong),
                (
                    dynamodb::query_units(b, Strong),
                    dynamodb::query_units(b, Eventual),
                ),
                [
                    dynamodb::write_units(2 * KB, false),
                    dynamodb::write_units(2 * KB, true),
                    dynamodb::write_units((1.6 * 1024.0) as u64, false),
                ],
                dynamodb::batch_write_units(&[500, 3584]),
                [
                    dynamodb::failed_conditional_write_units(true, 2 * KB),
                    dynamodb::failed_conditional_write_units(false, 2 * KB),
                ],
                dynamodb::scan_units(80 * KB, Eventual),
            ),
        );
        exact(
            "ddb-update-and-gsi-units",
            &["dynamodb::replace_write_units", "dynamodb::gsi_write_units"],
            "DDB:read-write-operations (UpdateItem and a replacing PutItem: the larger of the old and new item); DDB:GSI.ThroughputConsiderations (a put or delete 1 index write, a key change 2)",
            "replacing 500 B by 1.6 KB costs 2; a 300 B index entry 1 write, 2 when the indexed key changes",
            (2.0, 1.0, 2.0),
            (
                dynamodb::replace_write_units(500, 1600),
                dynamodb::gsi_write_units(300, false),
                dynamodb::gsi_write_units(300, true),
            ),
        );
    }

    #[test]
    fn dynamodb_partitions_and_their_limits() {
        use dynamodb::Dim::{Read, Write};
        // One partition, far more provisioned than a partition serves.
        let mut c = dynamodb::Capacity::provisioned(40_000.0, 40_000.0, Some(1), 300.0, 0.0, true);
        let writes = (0..1200)
            .filter(|_| c.consume(0, 0, Write, 1.0).is_ok())
            .count();
        let mut c = dynamodb::Capacity::provisioned(40_000.0, 40_000.0, Some(1), 300.0, 0.0, true);
        for _ in 0..500 {
            c.consume(0, 0, Write, 1.0).unwrap();
        }
        let reads = (0..2000)
            .filter(|_| c.consume(0, 0, Read, 1.0).is_ok())
            .count();
        exact(
            "ddb-partition-maximum",
            &["dynamodb::rule_partition_maximum", "dynamodb::Capacity"],
            "DDB:bp-partition-key-design (a partition serves at most 3,000 RCU and 1,000 WCU)",
            "a partition serves 1,000 writes a second; after 500 writes, 1,500 reads (the limit is a linear combination)",
            (1000, 1500, true, false),
            (
                writes,
                reads,
                dynamodb::rule_partition_maximum(0.0, Read, 3000.0),
                dynamodb::rule_partition_maximum(0.0, Read, 3000.5),
            ),
        );
        // WE-32: 60 WCU, burst off: 3,600 writes in one second, 60 served.
        let mut c = dynamodb::Capacity::provisioned(1.0, 60.0, Some(1), 0.0, 0.0, true);
        let ok = (0..3600)
            .filter(|i| c.consume(*i as u64 * 100_000, 0, Write, 1.0).is_ok())
            .count();
        let mut banked =
            dynamodb::Capacity::provisioned(1.0, 60.0, Some(1), dynamodb::BURST_SECONDS, 0.0, true);
        banked.roll(1000);
        exact(
            "ddb-we32-per-second",
            &[
                "dynamodb::Capacity",
                "dynamodb::BURST_SECONDS",
                "dynamodb::rule_burst_accrual",
            ],
            "DDB:ProvisionedThroughput; DDB:bp-partition-key-design (burst: 300 s of unused capacity) (WE-32)",
            "60 WCU and no burst: of 3,600 writes in a second 60 succeed; with burst, 300 × 60 = 18,000 units bank",
            (60, 18_000.0),
            (ok, banked.burst(0, Write)),
        );
        let p = dynamodb::initial_partitions(5000.0, 2000.0);
        let five = dynamodb::split_for_storage(&[(1250.0, 500.0); 4], 0);
        exact(
            "ddb-we30-partitions",
            &[
                "dynamodb::initial_partitions",
                "dynamodb::partitions_after_increase",
                "dynamodb::split_for_storage",
                "dynamodb::partition_of",
            ],
            "HIST-DDB (partitions = ceil(RCU/3,000 + WCU/1,000), doubling on an increase; a split halves a partition's share) (WE-30)",
            "1,000 RCU + 500 WCU → 1 partition; 1,000 + 1,000 → 2; 5,000 + 2,000 → 4; 4 at 6,000/1,000 stay 4, 8,000/2,000 → 8; splitting one of 4 partitions of 1,250/500 gives 5, two of 625/250",
            (1, 2, 4, 4, 8, 5, 2, true),
            (
                dynamodb::initial_partitions(1000.0, 500.0),
                dynamodb::initial_partitions(1000.0, 1000.0),
                p,
                dynamodb::partitions_after_increase(4, 6000.0, 1000.0),
                dynamodb::partitions_after_increase(4, 8000.0, 2000.0),
                five.len(),
                five.iter().filter(|x| **x == (625.0, 250.0)).count(),
                (0..1000u64).all(|k| {
                    let h = dynamodb::key_hash(k, 1);
                    let (a, b) = (dynamodb::partition_of(h, 4), dynamodb::partition_of(h, 8));
                    b == 2 * a || b == 2 * a + 1
                }),
            ),
        );
    }

    #[test]
    fn dynamodb_we28_on_demand_and_the_quota() {
        let mut p = dynamodb::OnDemandPeak::new(100_000.0).with_table_max(f64::INFINITY);
        let first = p.limit(0);
        for s in 0..=1800 {
            p.close_second(s, 100_000.0);
        }
        let (before, after) = (p.limit(1799), p.limit(1800));
        let mut q = dynamodb::OnDemandPeak::new(100_000.0);
        exact(
            "ddb-we28-on-demand",
            &[
                "dynamodb::OnDemandPeak",
                "dynamodb::TABLE_MAX_UNITS",
                "dynamodb::rule_switch_to_on_demand",
            ],
            "DDB:HowItWorks.ReadWriteCapacityMode (instantly up to double the previous peak; more within 30 minutes may throttle); DDB:ServiceQuotas (40,000 units per table) (WE-28)",
            "a previous peak of 50,000 reads/s serves 100,000 at once; 100,000 sustained counts as the new peak 30 minutes later (200,000); the table quota caps it at 40,000; switched from 24,000/8,000 provisioned → 24,000/8,000",
            (
                100_000.0,
                100_000.0,
                200_000.0,
                40_000.0,
                (24_000.0, 8_000.0),
            ),
            (
                first,
                before,
                after,
                q.limit(0),
                dynamodb::rule_switch_to_on_demand((24_000.0, 8_000.0), None),
            ),
        );
    }

    #[test]
    fn dynamodb_we31_decreases_and_prices() {
        let day0 = 20_000 * 86_400i64;
        let mut l = dynamodb::DecreaseLimiter::default();
        let (mut n, mut first_hour) = (0, 0);
        for m in 0..1440 {
            let t = day0 + m * 60;
            if l.allowed(t) {
                l.record(t);
                n += 1;
                first_hour += usize::from(m < 60);
            }
        }
        exact(
            "ddb-we31-decreases",
            &["dynamodb::DecreaseLimiter"],
            "DDB:ServiceQuotas (4 decreases a UTC day at any time, then one an hour with none in the last hour: 27) (WE-31)",
            "a decrease tried every minute of a UTC day: 4 in the first hour, 27 in the day; the next day starts afresh",
            (4, 27, true),
            (first_hour, n, l.allowed(day0 + 86_400)),
        );
        exact(
            "ddb-prices",
            &[
                "dynamodb::rule_on_demand_cost",
                "dynamodb::rule_provisioned_cost",
            ],
            "aws.amazon.com/dynamodb/pricing (us-east-1: $0.625 per million write request units, $0.125 per million reads; $0.00065 per WCU-hour, $0.00013 per RCU-hour)",
            "a million writes and a million reads on demand $0.75; 100 RCU and 100 WCU for a day $1.872",
            (0.75, 1.872),
            (
                usd(dynamodb::rule_on_demand_cost(1e6, 1e6)),
                usd(dynamodb::rule_provisioned_cost(2400.0, 2400.0)),
            ),
        );
    }

    // ---------------------------------------------------- SDK retries

    /// To the microsecond (the delays are sums of powers of two).
    fn us(x: f64) -> f64 {
        (x * 1e6).round() / 1e6
    }

    #[test]
    fn retry_we33_to_we35_schedules() {
        use stratus::aws::retry;
        use stratus::scenario::RetryMode::{Adaptive, Legacy, Standard};
        let legacy: Vec<f64> = (1..=9)
            .map(|n| us(retry::legacy_dynamodb_delay(n)))
            .collect();
        exact(
            "retry-we33-legacy-dynamodb",
            &[
                "retry::default_max_attempts",
                "retry::legacy_dynamodb_delay",
            ],
            "BOTO:retries (legacy mode: DynamoDB 10 attempts, 50 ms × 2^(n−1), no jitter) (WE-33)",
            "10 attempts; sleeps 0.05, 0.1, … 12.8 s, 25.55 s in all",
            (
                10,
                vec![0.05, 0.1, 0.2, 0.4, 0.8, 1.6, 3.2, 6.4, 12.8],
                25.55,
            ),
            (
                retry::default_max_attempts(Legacy),
                legacy.clone(),
                us(legacy.iter().sum()),
            ),
        );
        exact(
            "retry-we34-legacy-default",
            &["retry::legacy_default_delay"],
            "BOTO:retries (legacy mode: 5 attempts, U[0,1) × 2^(n−1)) (WE-34)",
            "5 attempts; a draw of 0.5 waits 0.5, 1, 2, 4 s; a draw of 0 does not wait",
            (5, [0.5, 1.0, 2.0, 4.0], 0.0),
            (
                retry::LEGACY_DEFAULT_MAX_ATTEMPTS,
                [1, 2, 3, 4].map(|n| us(retry::legacy_default_delay(n, 0.5))),
                retry::legacy_default_delay(3, 0.0),
            ),
        );
        exact(
            "retry-we35-standard",
            &["retry::standard_delay", "retry::default_max_attempts"],
            "BOTO:retries (standard and adaptive: 3 attempts; U[0,1) × min(2^(n−1), 20 s)) (WE-35)",
            "3 attempts; draws 0.5 → 0.5, 1 s; a draw of 1 → 16 s at the 5th, 20 s (not 32) at the 6th; 0.25 at the 40th → 5 s",
            ((3, 3), [0.5, 1.0, 16.0, 20.0, 5.0]),
            (
                (
                    retry::default_max_attempts(Standard),
                    retry::default_max_attempts(Adaptive),
                ),
                [
                    us(retry::standard_delay(1, 0.5)),
                    us(retry::standard_delay(2, 0.5)),
                    us(retry::standard_delay(5, 1.0)),
                    us(retry::standard_delay(6, 1.0)),
                    us(retry::standard_delay(40, 0.25)),
                ],
            ),
        );
        let drain = |timeout: bool| {
            let mut q = retry::RetryQuota::default();
            std::iter::from_fn(|| q.acquire(timeout)).count()
        };
        let mut q = retry::RetryQuota::default();
        let c = q.acquire(false);
        let after_retry = q.available();
        q.on_success(c);
        exact(
            "retry-quota",
            &["retry::RetryQuota"],
            "BOTO:retries (standard mode's retry quota: 500 tokens, 5 a retry, 10 after a timeout, back on success)",
            "a fresh quota allows 100 retries, or 50 after timeouts; a retry leaves 495, its success returns them",
            (100, 50, 495, 500),
            (drain(false), drain(true), after_retry, q.available()),
        );
    }

    #[test]
    fn retry_adaptive_mode_follows_botocore() {
        use stratus::aws::retry;
        let mut c = retry::Cubic::new(0.0, 0.0);
        let after_throttle = c.error_received(10.0, 5.0);
        let (w, k, _) = c.params();
        let mut b = retry::RateBucket::new(1.0, 0.0);
        let waits = (us(b.acquire(0.0)), us(b.acquire(0.0)));
        let slow = retry::RateBucket::new(0.1, 0.0);
        let mut clock = retry::RateClocker::new(0.0);
        for i in 0..5 {
            clock.record(0.1 * i as f64);
        }
        let measured = us(clock.record(0.6));
        let mut l = retry::RateLimiter::new(0.0);
        let off = (l.before_send(0.0), l.enabled());
        let mut t = 0.2;
        while t < 2.2 {
            l.on_response(t, false);
            t += 0.05;
        }
        l.on_response(2.2, true);
        exact(
            "retry-adaptive",
            &[
                "retry::Cubic",
                "retry::RateBucket",
                "retry::RateClocker",
                "retry::RateLimiter",
            ],
            "botocore's adaptive mode (BOTO:retries; botocore/retries/adaptive.py, bucket.py, throttling.py: CUBIC C = 0.4, β = 0.7; minimum rate 0.5/s; smoothing 0.8 over 0.5 s buckets)",
            "a throttle at 10/s sets 7/s and W_max 10, back to 10 after K = ∛7.5 s; a 1/s bucket spaces sends 1 s apart; the rate never drops below 0.5/s; 6 responses in 0.6 s measure 0.8 × 12 = 9.6/s; no limit before the first throttle, then one below the measured rate",
            (
                7.0,
                10.0,
                us(7.5f64.cbrt()),
                (1.0, 2.0),
                0.5,
                9.6,
                (0.0, false),
                true,
                true,
            ),
            (
                us(after_throttle),
                w,
                us(k),
                waits,
                slow.max_rate(),
                measured,
                off,
                l.enabled(),
                l.max_rate() > 5.0 && l.max_rate() < 15.0,
            ),
        );
    }

    // -------------------------------------------------- CloudWatch (2)

    #[test]
    fn cloudwatch_we18_and_the_evaluation_rules() {
        use cloudwatch::AlarmState::{Alarm as A, InsufficientData as I, Ok as O};
        use stratus::scenario::{Comparison, Monitoring, Statistic};
        const MIN: u64 = 60 * S;
        let mut c = cloudwatch::AlarmConfig::new("a", Comparison::Ge, 1.0, MIN, 5);
        c.datapoints_to_alarm = 4;
        let b = cloudwatch::AlarmConfig::new("b", Comparison::Ge, 1.0, 10 * MIN, 3);
        exact(
            "cw-we18-windows",
            &[
                "cloudwatch::AlarmConfig::evaluation_interval_ns",
                "cloudwatch::evaluation_cadence_ns",
                "cloudwatch::low_sample_count_threshold",
            ],
            "CW:AlarmThatSendsEmail (WE-18)",
            "1-minute period, 4 of 5 → a 5-minute window; 10 minutes × 3 → 30; periods of a minute or more evaluated every minute, 10–30 s periods every 10 s; a p99 needs 1,000 samples, a p10 100",
            (5 * MIN, 30 * MIN, MIN, 10 * S, 1000, 100),
            (
                c.evaluation_interval_ns(),
                b.evaluation_interval_ns(),
                cloudwatch::evaluation_cadence_ns(5 * MIN),
                cloudwatch::evaluation_cadence_ns(30 * S),
                cloudwatch::low_sample_count_threshold(0.99),
                cloudwatch::low_sample_count_threshold(0.10),
            ),
        );
        let valid = |p: u64, n: u32| {
            cloudwatch::AlarmConfig::new("v", Comparison::Gt, 1.0, p * S, n)
                .validate()
                .is_ok()
        };
        exact(
            "cw-valid-periods",
            &["cloudwatch::AlarmConfig::validate"],
            "API-CW:PutMetricAlarmInput.Period (10, 20, 30 or a multiple of 60 s; N × period at most a day, 7 days for periods of an hour or more)",
            "10, 30, 60, 120 s valid; 5, 45, 90 s not; 1,440 one-minute periods valid, 1,441 not",
            [true, true, true, true, false, false, false, true, false],
            [
                valid(10, 1),
                valid(30, 1),
                valid(60, 1),
                valid(120, 1),
                valid(5, 1),
                valid(45, 1),
                valid(90, 1),
                valid(60, 1440),
                valid(60, 1441),
            ],
        );
        // A new alarm, then OK → ALARM, actions due while it stays.
        let mut a = cloudwatch::AlarmEvaluator::new(cloudwatch::AlarmConfig::new(
            "r",
            Comparison::Gt,
            50.0,
            MIN,
            1,
        ));
        let initial = (a.state(), a.actions_due());
        a.evaluate(MIN, Some(10.0));
        let ok = (a.state(), a.actions_due());
        a.evaluate(2 * MIN, Some(90.0));
        let alarm = (a.state(), a.actions_due());
        a.evaluate(3 * MIN, Some(90.0));
        let still = (a.state(), a.actions_due());
        exact(
            "cw-states-and-actions",
            &[
                "cloudwatch::AlarmEvaluator::new",
                "cloudwatch::AlarmEvaluator::actions_due",
            ],
            "CW:AlarmThatSendsEmail (a new alarm is INSUFFICIENT_DATA; Auto Scaling actions are invoked on the change and for every period the alarm stays in ALARM)",
            "INSUFFICIENT_DATA with no action; OK; ALARM with its action; still ALARM a minute later, the action again",
            [(I, false), (O, false), (A, true), (A, true)],
            [initial, ok, alarm, still],
        );
        let mut st = cloudwatch::MetricStats::new();
        for v in [1.0, 4.0, 7.0] {
            st.add(v);
        }
        let mut p = cloudwatch::MetricStats::with_samples();
        for v in 1..=100 {
            p.add(v as f64);
        }
        exact(
            "cw-statistics",
            &["cloudwatch::MetricStats::value"],
            "CW:publishingMetrics (Sum, SampleCount, Minimum, Maximum per period; Average = Sum / SampleCount; percentiles from the samples)",
            "1, 4, 7: Sum 12, SampleCount 3, Average 4, Minimum 1, Maximum 7; 1…100: p50 50, p90 90, p99 99",
            [
                Some(12.0),
                Some(3.0),
                Some(4.0),
                Some(1.0),
                Some(7.0),
                Some(50.0),
                Some(90.0),
                Some(99.0),
            ],
            [
                st.value(Statistic::Sum),
                st.value(Statistic::SampleCount),
                st.value(Statistic::Average),
                st.value(Statistic::Minimum),
                st.value(Statistic::Maximum),
                p.value(Statistic::P50),
                p.value(Statistic::P90),
                p.value(Statistic::P99),
            ],
        );
        let minutes: Vec<u64> = (1..=60u64)
            .filter(|&k| cloudwatch::rule_finer_period_sees_coarse_datapoint(k * MIN, 5 * MIN))
            .collect();
        exact(
            "cw-ec2-resolution",
            &[
                "cloudwatch::ec2_metric_period_ns",
                "cloudwatch::rule_finer_period_sees_coarse_datapoint",
            ],
            "ASG:enable-as-instance-metrics (basic monitoring 5 minutes, detailed 1 minute; a 1-minute alarm on basic data finds no data in as many as four of every five periods)",
            "basic 300 s, detailed 60 s; in an hour a one-minute alarm finds a 5-minute datapoint in 12 minutes (5, 10, 15, …)",
            (300 * S, 60 * S, 12, vec![5, 10, 15]),
            (
                cloudwatch::ec2_metric_period_ns(Monitoring::Basic),
                cloudwatch::ec2_metric_period_ns(Monitoring::Detailed),
                minutes.len(),
                minutes[..3].to_vec(),
            ),
        );
    }

    // ---------------------------------------------- SQS, predictive (2)

    #[test]
    fn sqs_dead_letter_size_polling_and_delete() {
        use sqs::DeleteRule::{Delete, Error, Ignore};
        let mut rng = stratus::sim::stream(3, "dossier-poll");
        let n = 2000;
        let short = |visible: u64, rng: &mut stratus::sim::rng::Rng| {
            (0..n)
                .filter(|_| {
                    sqs::short_poll_found(visible, sqs::DEFAULT_SHORT_POLL_SAMPLE, rng) >= 10
                })
                .count() as f64
                / n as f64
        };
        let full_at_3000 = short(3000, &mut rng) > 0.99;
        let full_at_200 = short(200, &mut rng) < 0.01;
        exact(
            "sqs-dlq-size-polling-delete",
            &[
                "sqs::moves_to_dead_letter_queue",
                "sqs::message_size_ok",
                "sqs::short_poll_found",
                "sqs::delete_rule",
            ],
            "API-SQS:CreateQueueRequest.Attributes (RedrivePolicy, MaximumMessageSize); SQS:sqs-short-and-long-polling; SQS:sqs-visibility-timeout, API-SQS:DeleteMessage (WE-27)",
            "maxReceiveCount 5: received 5 times, the 6th receive moves it; 1 MiB accepted, 1 MiB + 1 refused; a short poll for 10 fills it among 3,000 messages, rarely among 200; long polling sees all; a FIFO delete outside the window fails, a standard one with an old receipt is ignored while another holds it",
            (
                [false, true],
                [true, false],
                (true, true, 7),
                [Delete, Error, Ignore, Delete],
            ),
            (
                [
                    sqs::moves_to_dead_letter_queue(4, 5),
                    sqs::moves_to_dead_letter_queue(5, 5),
                ],
                [
                    sqs::message_size_ok(1_048_576, sqs::MAX_MESSAGE_SIZE),
                    sqs::message_size_ok(1_048_577, sqs::MAX_MESSAGE_SIZE),
                ],
                (
                    full_at_3000,
                    full_at_200,
                    sqs::short_poll_found(7, 1.0, &mut rng),
                ),
                [
                    sqs::delete_rule(true, true, false, true),
                    sqs::delete_rule(true, true, false, false),
                    sqs::delete_rule(false, false, true, true),
                    sqs::delete_rule(false, false, false, false),
                ],
            ),
        );
    }

    #[test]
    fn predictive_metric_pairs_and_actions() {
        use predictive::LoadMetric::{AlbRequestCount, TotalCpu};
        let h = predictive::HOUR;
        exact(
            "predictive-pairs-capacity-actions",
            &[
                "predictive::predictive_metric_pair",
                "predictive::predictive_capacity_forecast",
                "predictive::predictive_action_time",
                "predictive::DEFAULT_SCHEDULING_BUFFER_TIME",
                "predictive::predictive_forecast_due",
            ],
            "API-ASG:PredictiveScalingPredefinedMetricPair; API-ASG:PredictiveScalingMetricSpecification.TargetValue; API-ASG:PredictiveScalingConfiguration.SchedulingBufferTime (\"add capacity at 10:00 AM … pre-launch by 5 minutes … launched at 9:55 AM\")",
            "ASGCPUUtilization reads total CPU, ALBRequestCount the target group's requests, ASGNetworkIn is not modelled; 300 % of total CPU at a 50 % target → 6 instances; the 10:00 action at 09:55 by default; a forecast due after 24 h",
            (
                [Some(TotalCpu), Some(TotalCpu), Some(AlbRequestCount), None],
                6,
                10 * h - 300 * S,
                300,
                true,
            ),
            (
                [
                    predictive::predictive_metric_pair("ASGCPUUtilization"),
                    predictive::predictive_metric_pair("ASGAverageCPUUtilization"),
                    predictive::predictive_metric_pair("ALBRequestCount"),
                    predictive::predictive_metric_pair("ASGNetworkIn"),
                ],
                predictive::predictive_capacity_forecast(300.0, 50.0),
                predictive::predictive_action_time(
                    10 * h,
                    predictive::DEFAULT_SCHEDULING_BUFFER_TIME,
                ),
                predictive::DEFAULT_SCHEDULING_BUFFER_TIME.0 / S,
                predictive::predictive_forecast_due(Some(0), None, 24 * h),
            ),
        );
    }

    #[test]
    fn recorded_grace_period_starts_at_in_service() {
        exact(
            "asg-grace-period",
            &["recorded::in_grace_period"],
            "ASG:health-check-grace-period (the grace period starts when the instance enters InService)",
            "InService at 100 s with a 300 s grace: inside at 399 s, past at 400 s; not yet in service: inside; the initial fleet: past",
            [true, false, true, false],
            [
                recorded::in_grace_period(Some(100 * S), 399 * S, 300 * S),
                recorded::in_grace_period(Some(100 * S), 400 * S, 300 * S),
                recorded::in_grace_period(None, 400 * S, 300 * S),
                recorded::in_grace_period(Some(0), 10 * S, 300 * S),
            ],
        );
    }

    // --------------------------------------------------- Termination (2)

    #[test]
    fn termination_we07_default_policy() {
        use stratus::scenario::TerminationPolicy as P;
        use termination::Rule;
        // WE-07: two AZs, instances 0 (AZ 0, at 0 min), 1 (AZ 1, at 0) and 2
        // (AZ 0, at 10 min); scale in by one.
        let we07 = || vec![candidate(0, 0, 0), candidate(1, 1, 0), candidate(2, 0, 10)];
        let choose = |c: &[termination::Candidate], policies: &[P], now_min: u64| {
            let counts = [
                c.iter().filter(|x| x.az == 0).count() as u32,
                c.iter().filter(|x| x.az == 1).count() as u32,
            ];
            let ctx = termination::ScaleIn {
                now: now_min * 60 * S,
                az_counts: &counts,
                policies,
                terminate_spot: None,
            };
            termination::choose_instance_to_terminate(c, &ctx, 0).map(|d| (d.index, d.rule))
        };
        let mut old_template = we07();
        old_template[2].lt_version = 0;
        let mut unhealthy = we07();
        unhealthy[0].lt_version = 0;
        unhealthy[2].healthy = false;
        let mut protected = we07();
        protected[0].protected = true;
        protected[2].protected = true;
        exact(
            "asg-we07-default-termination",
            &[
                "termination::choose_instance_to_terminate",
                "termination::az_with_most_instances",
                "termination::billing_hour_phase",
                "termination::validate_termination_policies",
            ],
            "ASG:ec2-auto-scaling-termination-policies (the default policy, its example; WE-07)",
            "the AZ with two instances; there the oldest template version (instance 2, though newest); same version: closest to its billing hour (at 50 min instance 0, at 65 min instance 2); an unhealthy one first; an AZ whose instances are all protected is skipped; Default must come last",
            (
                Some((2, Rule::OldestLaunchTemplate)),
                Some((0, Rule::ClosestToNextInstanceHour)),
                Some((2, Rule::ClosestToNextInstanceHour)),
                Some((2, Rule::Unhealthy)),
                Some((1, Rule::OnlyUnprotected)),
                vec![0, 1],
                (true, false),
            ),
            (
                choose(&old_template, &[P::Default], 30),
                choose(&we07(), &[P::Default], 50),
                choose(&we07(), &[P::Default], 65),
                choose(&unhealthy, &[P::Default], 30),
                choose(&protected, &[P::Default], 30),
                termination::az_with_most_instances(
                    &[candidate(0, 0, 0), candidate(1, 1, 0)],
                    &[1, 1],
                ),
                (
                    termination::validate_termination_policies(&[P::OldestInstance, P::Default])
                        .is_ok(),
                    termination::validate_termination_policies(&[P::Default, P::OldestInstance])
                        .is_ok(),
                ),
            ),
        );
    }

    #[test]
    fn termination_we08_we14_rebalancing() {
        use termination::RebalanceAction::{Launch, Terminate};
        let both = [true, true];
        exact(
            "asg-we08-we14-rebalancing",
            &[
                "termination::az_with_fewest_instances",
                "termination::azs_balanced",
                "termination::rebalance_margin",
                "termination::rebalance_ceiling",
                "termination::az_rebalance_action",
            ],
            "ASG:as-instance-termination (rebalancing: launch before terminating, up to 10 % above max; WE-08, WE-14)",
            "AZ A down: the replacement goes to B; A back with [0, 2]: launch in A, then terminate in B; max 20 → 22, max 5 → 6; [3, 2, 3] is balanced, [4, 2, 3] is not",
            (
                Some(1),
                Launch { az: 0 },
                Terminate { az: 1 },
                termination::RebalanceAction::None,
                (22, 6, 1),
                (true, false),
            ),
            (
                termination::az_with_fewest_instances(&[0, 1], &[false, true]),
                termination::az_rebalance_action(&[0, 2], &both, 2, 2),
                termination::az_rebalance_action(&[1, 2], &both, 2, 2),
                termination::az_rebalance_action(&[0, 2], &[false, true], 2, 2),
                (
                    termination::rebalance_ceiling(20),
                    termination::rebalance_ceiling(5),
                    termination::rebalance_margin(0),
                ),
                (
                    termination::azs_balanced(&[3, 2, 3], &[true; 3]),
                    termination::azs_balanced(&[4, 2, 3], &[true; 3]),
                ),
            ),
        );
    }

    #[test]
    fn dynamodb_we29_adaptive_capacity() {
        use dynamodb::Dim::Write;
        // 400 WCU over 4 partitions (100 each); three write 50/s, one 150/s:
        // the table's total 300 is within its 400.
        let run = |adaptive: bool| {
            let mut c = dynamodb::Capacity::provisioned(1.0, 400.0, Some(4), 300.0, 0.0, adaptive);
            let mut throttled = [0u32; 4];
            for sec in 0..600u64 {
                for i in 0..150u64 {
                    let t = sec * S + i * (S / 150);
                    for (p, n) in [(0u32, 50u64), (1, 50), (2, 50), (3, 150)] {
                        if i < n && c.consume(t, p, Write, 1.0).is_err() {
                            throttled[p as usize] += 1;
                        }
                    }
                }
            }
            throttled
        };
        let without = run(false);
        exact(
            "ddb-we29-adaptive",
            &["dynamodb::Capacity(adaptive)"],
            "DDB:bp-partition-key-design (adaptive capacity lets a hot partition use the table's unused throughput, instantly) (WE-29)",
            "400 WCU on 4 partitions, one written at 150/s: with adaptive capacity nothing is throttled; without it only the hot partition is",
            ([0; 4], [0, 0, 0], true),
            (
                run(true),
                [without[0], without[1], without[2]],
                without[3] > 0,
            ),
        );
    }
}
