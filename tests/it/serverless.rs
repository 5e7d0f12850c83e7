//! Lambda and API Gateway through whole runs: the documented limits hold
//! (reserved and account concurrency, the scaling rate of 1,000 new
//! environments per 10 s, token buckets), throttled sync calls are the
//! 429s, every invocation and async event ends exactly once, runs are
//! deterministic, and a function with fixed concurrency and no cold starts
//! is an M/M/c/c loss system (Erlang B). Expected figures come from AWS's
//! numbers or theory, worked out by hand; the pure rules have unit tests in
//! `src/aws/lambda.rs` and `src/aws/apigateway.rs`.

use crate::util::{run, scenario};
use stratus::run::RunResult;
use stratus::world::World;

fn f(r: &RunResult, func: &str, key: &str) -> u64 {
    r.summary.functions[func][key]
        .as_u64()
        .unwrap_or_else(|| panic!("no {key} for {func}: {}", r.summary.functions[func]))
}

fn f64_of(r: &RunResult, func: &str, key: &str) -> f64 {
    r.summary.functions[func][key]
        .as_f64()
        .unwrap_or_else(|| panic!("no {key} for {func}"))
}

fn fa(r: &RunResult, func: &str, key: &str) -> u64 {
    r.summary.functions[func]["async"][key]
        .as_u64()
        .unwrap_or_else(|| panic!("no async.{key} for {func}"))
}

fn api(r: &RunResult, a: &str, key: &str) -> f64 {
    r.summary.apis[a][key]
        .as_f64()
        .unwrap_or_else(|| panic!("no {key} for api {a}"))
}

fn metric_sum(r: &RunResult, res: &str, m: &str) -> f64 {
    r.series.get(res, m).iter().map(|p| p.1).sum()
}

/// A metric's sum over metrics.csv equals a summary total, but for the
/// events at the very end of the run (after the last period's datapoint).
fn metric_matches(r: &RunResult, res: &str, m: &str, total: f64) {
    let sum = metric_sum(r, res, m);
    assert!(
        sum <= total && total - sum <= 2.0,
        "{res} {m}: metrics.csv sums to {sum}, summary says {total}"
    );
}

/// Each invocation request ends once (ran or throttled), each run ends once
/// (finished or in flight), each async event once, each request once.
fn conserved(r: &RunResult) {
    for (name, v) in &r.summary.functions {
        let n = |k: &str| v[k].as_u64().unwrap_or_else(|| panic!("{name}: {k}"));
        let a = |k: &str| v["async"][k].as_u64().unwrap();
        assert_eq!(
            n("requests"),
            n("invocations") + n("throttles"),
            "{name}: {v}"
        );
        assert!(
            n("errors") + n("in_flight_at_end") <= n("invocations"),
            "{name}"
        );
        assert_eq!(
            a("received"),
            a("succeeded") + a("failed") + a("expired") + a("queued_at_end"),
            "{name}: {v}"
        );
        assert!(a("dead_lettered") <= a("failed") + a("expired"));
    }
    // Each notification (message × subscription) ends once: delivered,
    // filtered out, discarded, redriven to the DLQ, lost by the DLQ, or in
    // flight (HTTP/S retries) at the end.
    for (name, t) in &r.summary.topics {
        let n = |k: &str| t[k].as_u64().unwrap_or_else(|| panic!("{name}: {k}"));
        assert_eq!(
            n("published") * n("subscriptions"),
            n("delivered")
                + n("filtered_out")
                + n("discarded")
                + n("redriven_to_dlq")
                + n("failed_to_redrive_to_dlq")
                + n("in_flight_at_end"),
            "{name}: {t}"
        );
    }
    let q = &r.summary.requests;
    let e = &q.errors;
    let errors = e.elb_502
        + e.elb_503
        + e.elb_504
        + e.target_5xx
        + e.instance_refused
        + e.client_timeout
        + e.throttled;
    assert_eq!(q.ok + errors, q.total);
}

#[test]
fn reserved_concurrency_caps_and_every_throttled_sync_call_is_a_429() {
    // 20 requests/s, each holds an environment 1 s: demand 20 > 5 reserved.
    let r = run(r#"
name: reserved
duration: 10m
workloads:
  - { name: w, to: { function: f }, arrivals: uniform, rate: 20 }
functions:
  - { name: f, duration: 1s, init_duration: 100ms, reserved_concurrency: 5 }
"#);
    conserved(&r);
    assert_eq!(f(&r, "f", "max_concurrency"), 5);
    let throttles = f(&r, "f", "throttles");
    assert_eq!(r.summary.requests.errors.throttled, throttles);
    metric_matches(&r, "f", "Throttles", throttles as f64);
    // 5 environments each serve one request per second (the first after its
    // 100 ms init): ~5 of every 20 pass.
    let inv = f(&r, "f", "invocations");
    assert!((2990..=3000).contains(&inv), "{inv}");
    assert_eq!(
        f(&r, "f", "cold_starts"),
        5,
        "the 5 environments are reused"
    );
    for (_, c) in r.series.get("f", "ConcurrentExecutions") {
        assert!(c <= 5.0);
    }
}

#[test]
fn concurrency_never_exceeds_the_pool_and_grows_no_faster_than_the_scaling_rate() {
    // 2,000 new requests/s of 5 s each: demand 10,000 concurrent. The
    // account (3,000) has 500 reserved for `other`, so `f` gets 2,500 at
    // most, and from nothing it can make at most 1,000 + 100 × t
    // environments by time t (LAMBDA:scaling-behavior).
    let sc = scenario(
        r#"
name: spike
duration: 2m
account: { lambda_concurrency: 3000 }
workloads:
  - { name: w, to: { function: f }, arrivals: uniform, rate: 2000 }
  - { name: o, to: { function: other }, arrivals: uniform, rate: 10 }
functions:
  - { name: f, duration: 5s, init_duration: 200ms, timeout: 10s }
  - { name: other, duration: 100ms, reserved_concurrency: 500 }
"#,
    );
    let mut w = World::new(&sc);
    w.lambda_trace_on();
    w.run(&mut |_| {});
    let mut peak = 0;
    for &(t, func, c) in w.lambda_trace() {
        if func != 0 {
            continue;
        }
        let t_s = t as f64 / 1e9;
        assert!(
            c <= 2500,
            "concurrency {c} at {t_s}s above the unreserved pool"
        );
        assert!(
            c as f64 <= 1000.0 + 100.0 * t_s + 1e-6,
            "concurrency {c} at {t_s}s: faster than 1,000 + 100/s"
        );
        peak = peak.max(c);
    }
    // It does reach the pool: after 15 s the rate allows 2,500.
    assert_eq!(peak, 2500);
    assert!(w.lambda_unreserved_max() <= 2500);
    let s = w.lambda_summary();
    assert!(s["f"]["throttles_scaling_rate"].as_u64().unwrap() > 0);
    assert_eq!(
        s["other"]["throttles"].as_u64().unwrap(),
        0,
        "its reservation is its own"
    );
}

#[test]
fn provisioned_concurrency_serves_warm_and_spills_over() {
    let r = run(r#"
name: pc
duration: 10m
workloads:
  - { name: w, to: { function: f }, arrivals: uniform, rate: 10 }
functions:
  - { name: f, memory: 1024MB, duration: 1s, init_duration: 500ms, provisioned_concurrency: 8 }
"#);
    conserved(&r);
    // Arrivals every 100 ms of 1 s each: 10 concurrent, 8 provisioned. The
    // 9th and 10th of each second spill over; the first two on-demand
    // environments take 1.5 s (500 ms init), so they are still busy a
    // second later and two more are made; from then on the four alternate.
    assert_eq!(f(&r, "f", "cold_starts"), 4);
    let spill = f(&r, "f", "spillover_invocations");
    metric_matches(
        &r,
        "f",
        "ProvisionedConcurrencySpilloverInvocations",
        spill as f64,
    );
    assert!(spill > 0 && spill < f(&r, "f", "invocations") / 3);
    // 8 × 1 GB provisioned for 600 s at $0.0000041667 per GB-s.
    let pc = r.summary.functions["f"]["provisioned_concurrency_cost_usd"]
        .as_f64()
        .unwrap();
    assert!((pc - 8.0 * 600.0 * 0.000_004_166_7).abs() < 1e-6, "{pc}");
}

#[test]
fn idle_environments_expire_into_cold_starts() {
    // One request every 20 minutes; environments expire after 10 minutes.
    let r = run(r#"
name: idle
duration: 2h
workloads:
  - { name: w, to: { function: f }, arrivals: uniform, rate: 0.000833333333 }
functions:
  - { name: f, duration: 50ms, init_duration: 300ms }
"#);
    assert_eq!(f(&r, "f", "invocations"), f(&r, "f", "cold_starts"));
    let r2 = run(r#"
name: idle
duration: 2h
workloads:
  - { name: w, to: { function: f }, arrivals: uniform, rate: 0.000833333333 }
functions:
  - { name: f, duration: 50ms, init_duration: 300ms, idle_expiry: 1h }
"#);
    assert_eq!(f(&r2, "f", "cold_starts"), 1);
}

#[test]
fn timeouts_are_errors_and_reset_the_environment() {
    let r = run(r#"
name: timeout
duration: 5m
workloads:
  - { name: w, to: { function: f }, arrivals: uniform, rate: 1 }
functions:
  - { name: f, duration: 5s, init_duration: 100ms }
"#);
    conserved(&r);
    // Default timeout 3 s < 5 s: every invocation times out, a 5xx to the
    // caller, and every one needs a new environment.
    let inv = f(&r, "f", "invocations");
    assert_eq!(f(&r, "f", "timeouts"), f(&r, "f", "errors"));
    assert_eq!(f(&r, "f", "cold_starts"), inv);
    assert_eq!(r.summary.requests.errors.target_5xx, f(&r, "f", "errors"));
    assert_eq!(
        r.summary.functions["f"]["duration_ms"]["p99"]
            .as_f64()
            .unwrap()
            .round(),
        3000.0
    );
}

#[test]
fn async_errors_retry_twice_a_minute_then_two_apart_then_dead_letter() {
    // Every invocation fails: each event runs 3 times (at 0, +60 s, +180 s
    // plus the 10 ms handler times) and then goes to the queue `dlq`.
    let r = run(r#"
name: async
duration: 10m
workloads:
  - { name: w, to: { function: f, invocation: async }, arrivals: uniform, rate: 1 }
queues:
  - { name: dlq }
functions:
  - name: f
    duration: 10ms
    error_rate: 1.0
    event_invoke_config: { on_failure: { queue: dlq } }
"#);
    conserved(&r);
    let received = fa(&r, "f", "received");
    let failed = fa(&r, "f", "failed");
    assert_eq!(received, 600);
    // Events sent at t ≤ 600 − 180.02 s have failed for good: 419 or 420.
    assert!((419..=420).contains(&failed), "{failed}");
    assert_eq!(fa(&r, "f", "dead_lettered"), failed);
    assert_eq!(r.summary.queues["dlq"]["sent"].as_u64().unwrap(), failed);
    // Workload requests are answered 202 at once.
    assert_eq!(r.summary.requests.ok, 600);
    // 3 runs per failed event; of the 180 younger ones those sent by 540 s
    // ran twice, the last 60 once: 3 × 420 + 2 × 120 + 60 = 1,560.
    let inv = f(&r, "f", "invocations");
    assert!((1555..=1562).contains(&inv), "{inv}");
}

#[test]
fn throttled_async_events_back_off_and_expire_at_their_maximum_age() {
    // Reserved concurrency 0 throttles everything. Retries at ages 1, 3, 7,
    // 15, 31 s (1 s doubling); the next would be at 63 s, past the 60 s
    // maximum age: 6 throttled attempts, then the event is dropped.
    let r = run(r#"
name: expire
duration: 10m
workloads:
  - { name: w, to: { function: f, invocation: async }, arrivals: uniform, rate: 1 }
functions:
  - name: f
    duration: 10ms
    reserved_concurrency: 0
    event_invoke_config: { maximum_event_age: 60s }
"#);
    conserved(&r);
    let expired = fa(&r, "f", "expired");
    assert!((539..=541).contains(&expired), "{expired}");
    let done = fa(&r, "f", "throttled_attempts") - 6 * expired;
    // The events still queued at the end made their first few attempts.
    assert!(done <= 6 * fa(&r, "f", "queued_at_end"));
    assert_eq!(f(&r, "f", "invocations"), 0);
    metric_matches(&r, "f", "AsyncEventsDropped", expired as f64);
}

/// Erlang B: blocking probability of M/M/c/c with offered load `a`.
fn erlang_b(c: u32, a: f64) -> f64 {
    let mut b = 1.0;
    for k in 1..=c {
        b = a * b / (k as f64 + a * b);
    }
    b
}

#[test]
fn fixed_concurrency_without_cold_starts_is_erlang_b() {
    assert!((erlang_b(10, 8.0) - 0.12166).abs() < 1e-4);
    // c = 10 provisioned (and reserved) environments, Poisson arrivals at
    // 80/s, exponential 100 ms handlers: a = 8 Erlang.
    let r = run(r#"
name: erlang
duration: 1h
workloads:
  - { name: w, to: { function: f }, rate: 80 }
functions:
  - name: f
    duration: { dist: exponential, mean: 100ms }
    reserved_concurrency: 10
    provisioned_concurrency: 10
    timeout: 900s
"#);
    conserved(&r);
    assert_eq!(f(&r, "f", "cold_starts"), 0);
    let p = f(&r, "f", "throttles") as f64 / f(&r, "f", "requests") as f64;
    let b = erlang_b(10, 8.0);
    assert!((p - b).abs() < 0.006, "throttle fraction {p}, Erlang B {b}");
}

#[test]
fn app_steps_invoke_functions_and_a_throttle_is_the_apps_500() {
    let r = run(r#"
name: app
duration: 5m
workloads:
  - { name: w, to: { load_balancer: web }, arrivals: uniform, rate: 20 }
load_balancers:
  - { name: web, target_group: web }
auto_scaling_groups:
  - name: web
    min: 2
    max: 2
    availability_zones: [us-east-1a, us-east-1b]
    instance: { workers: 50 }
    app:
      - compute: 5ms
      - lambda_invoke: { function: f }
      - lambda_invoke: { function: g, invocation: async }
functions:
  - { name: f, duration: 1s, init_duration: 100ms, reserved_concurrency: 10 }
  - { name: g, duration: 10ms }
"#);
    conserved(&r);
    let throttles = f(&r, "f", "throttles");
    assert!(throttles > 0);
    assert_eq!(r.summary.requests.errors.target_5xx, throttles);
    // Only requests that got past `f` reach the async step.
    assert_eq!(
        fa(&r, "g", "received"),
        f(&r, "f", "invocations") - f(&r, "f", "in_flight_at_end")
    );
    assert!(r.summary.cost_usd > 0.0);
}

#[test]
fn api_gateway_stage_bucket_passes_the_burst_then_the_rate() {
    // 200 requests/s evenly against rate 100, burst 50: 50 + 100 × 60 pass
    // in a minute; the rest are 429s (`requests.errors.throttled`).
    let r = run(r#"
name: apigw
duration: 60s
workloads:
  - { name: w, to: { api: public }, arrivals: uniform, rate: 200 }
functions:
  - { name: f, duration: 20ms, init_duration: 100ms }
apis:
  - { name: public, to: { function: f }, throttle: { rate: 100, burst: 50 } }
"#);
    conserved(&r);
    let ok = api(&r, "public", "ok");
    assert!((6045.0..=6052.0).contains(&ok), "{ok}");
    let thr = api(&r, "public", "throttled");
    assert_eq!(r.summary.requests.errors.throttled as f64, thr);
    metric_matches(&r, "public", "4XXError", thr);
    metric_matches(&r, "public", "Count", api(&r, "public", "requests"));
    assert_eq!(
        (f(&r, "f", "invocations") - f(&r, "f", "in_flight_at_end")) as f64,
        ok
    );
}

#[test]
fn the_account_bucket_is_shared_by_apis() {
    let r = run(r#"
name: account
duration: 10s
account: { api_throttle: { rate: 100, burst: 100 } }
workloads:
  - { name: a, to: { api: a }, arrivals: uniform, rate: 100 }
  - { name: b, to: { api: b }, arrivals: uniform, rate: 100 }
functions:
  - { name: f, duration: 1ms }
apis:
  - { name: a, to: { function: f } }
  - { name: b, to: { function: f } }
"#);
    // 2,000 requests against 100 + 100 × 10 tokens.
    let ok = api(&r, "a", "ok") + api(&r, "b", "ok");
    assert!((1098.0..=1101.0).contains(&ok), "{ok}");
    let thr = api(&r, "a", "throttled_account") + api(&r, "b", "throttled_account");
    // The last request of each workload may still be in flight at the end.
    assert!((2000.0 - ok - thr) <= 2.0, "{ok} + {thr}");
}

#[test]
fn the_cache_answers_repeat_keys_until_their_ttl() {
    // 10 keys, TTL 300 s, 10 requests/s for 10 minutes: each key misses once
    // per 300 s (a miss stores the response when the function answers).
    let r = run(r#"
name: cache
duration: 10m
workloads:
  - { name: w, to: { api: public }, arrivals: uniform, rate: 10 }
functions:
  - { name: f, duration: 100ms }
apis:
  - name: public
    to: { function: f }
    cache: { ttl: 300s, keys: { dist: uniform, n: 10 } }
"#);
    conserved(&r);
    let misses = api(&r, "public", "cache_misses");
    assert!((20.0..=30.0).contains(&misses), "{misses}");
    assert_eq!(f(&r, "f", "invocations") as f64, misses);
    metric_matches(&r, "public", "CacheMissCount", misses);
    metric_matches(
        &r,
        "public",
        "CacheHitCount",
        api(&r, "public", "cache_hits"),
    );
    assert!(api(&r, "public", "cache_hit_ratio") > 0.99);
}

#[test]
fn the_integration_timeout_is_a_504_and_the_function_runs_on() {
    let r = run(r#"
name: slow
duration: 5m
workloads:
  - { name: w, to: { api: public }, arrivals: uniform, rate: 1 }
functions:
  - { name: f, duration: 40s, timeout: 60s }
apis:
  - { name: public, to: { function: f } }
"#);
    conserved(&r);
    let t = api(&r, "public", "integration_timeouts");
    // Requests sent by 300 − 29 s have timed out.
    assert!((270.0..=272.0).contains(&t), "{t}");
    assert_eq!(r.summary.requests.errors.target_5xx as f64, t);
    assert_eq!(r.summary.requests.ok, 0);
    // Lambda still ran (and billed) them.
    assert_eq!(f(&r, "f", "invocations"), 300);
}

#[test]
fn an_api_in_front_of_a_load_balancer() {
    let r = run(r#"
name: api-lb
duration: 5m
workloads:
  - { name: w, to: { api: public }, arrivals: uniform, rate: 50 }
load_balancers:
  - { name: web, target_group: web }
auto_scaling_groups:
  - name: web
    min: 2
    max: 2
    availability_zones: [us-east-1a, us-east-1b]
    app: [ { compute: 20ms } ]
apis:
  - { name: public, to: { load_balancer: web } }
"#);
    conserved(&r);
    assert_eq!(
        r.summary.load_balancers["web"].requests as f64,
        api(&r, "public", "requests")
    );
    assert!(api(&r, "public", "ok") >= 14_990.0);
    assert!(!r.series.get("public", "IntegrationLatency").is_empty());
}

#[test]
fn same_seed_same_results() {
    let y = r#"
name: det
duration: 10m
workloads:
  - { name: w, to: { api: public }, rate: 300 }
  - { name: a, to: { function: g, invocation: async }, rate: 20 }
functions:
  - { name: f, duration: { dist: lognormal, mean: 120ms, cv: 0.5 }, reserved_concurrency: 30, error_rate: 0.01 }
  - { name: g, duration: { dist: exponential, mean: 2s }, reserved_concurrency: 20, error_rate: 0.2 }
apis:
  - name: public
    to: { function: f }
    throttle: { rate: 250, burst: 100 }
    cache: { ttl: 60s, keys: { dist: zipf, n: 1000, s: 1.1 } }
"#;
    let a = run(y);
    let b = run(y);
    conserved(&a);
    let strip = |r: &RunResult| {
        let mut v = serde_json::to_value(&r.summary).unwrap();
        v.as_object_mut().unwrap().remove("wall_s");
        v
    };
    assert_eq!(strip(&a), strip(&b));
    assert_eq!(a.series.to_csv(), b.series.to_csv());
    let mut other = scenario(y);
    other.seed = 2;
    let c = stratus::run::simulate(&other, None, &mut |_| {});
    assert_ne!(strip(&a)["functions"], strip(&c)["functions"]);
}

// ---------------------------------------------------------------- lessons

fn lesson_runs(file: &str, variants: &[Option<&str>]) -> Vec<Vec<RunResult>> {
    use stratus::scenario::{LoadOptions, load_file};
    (1..=10u64)
        .map(|seed| {
            variants
                .iter()
                .map(|v| {
                    let opts = LoadOptions {
                        variant: v.map(str::to_string),
                        seed: Some(seed),
                        ..LoadOptions::default()
                    };
                    let sc = load_file(std::path::Path::new(file), &opts)
                        .unwrap_or_else(|d| panic!("{d}"));
                    stratus::run::simulate(&sc, *v, &mut |_| {})
                })
                .collect()
        })
        .collect()
}

#[test]
fn lesson_lambda_cold_starts_holds_for_seeds_1_to_10() {
    let runs = lesson_runs(
        "scenarios/lambda-cold-starts.yaml",
        &[
            None,
            Some("provisioned"),
            Some("short-idle"),
            Some("auto-scaled-provisioned"),
        ],
    );
    for (i, r) in runs.iter().enumerate() {
        let seed = i + 1;
        let (base, prov, idle, auto) = (&r[0], &r[1], &r[2], &r[3]);
        conserved(auto);
        // Application Auto Scaling's changes, in order: (t s, value).
        let steps: Vec<(f64, u32)> = auto
            .activities
            .iter()
            .filter(|a| a.what.kind() == "provisioned_concurrency_scaling")
            .map(|a| {
                let n = a
                    .description
                    .trim_start_matches("Setting desired concurrency to ")
                    .trim_end_matches('.')
                    .parse()
                    .unwrap();
                (a.t as f64 / 1e9, n)
            })
            .collect();
        let mut cur = 10u32;
        for &(t, n) in &steps {
            if n > cur {
                let most = (cur as f64 / 0.7).ceil() as u32;
                assert!(n <= most, "seed {seed}: {cur} → {n} at {t} s");
            }
            cur = n;
        }
        let reached = steps
            .iter()
            .find(|&&(_, n)| n >= 58)
            .unwrap_or_else(|| panic!("seed {seed}: {steps:?}"))
            .0;
        assert!(
            (720.0..=1200.0).contains(&reached),
            "seed {seed}: {reached}"
        );
        let peak = steps.iter().map(|s| s.1).max().unwrap();
        assert!(
            steps.iter().any(|&(t, n)| t > 1200.0 && n < peak),
            "seed {seed}: no scale-in: {steps:?}"
        );
        let pc = &auto.summary.functions["api"]["provisioned_concurrency"];
        let secs = pc["provisioned_concurrency_seconds"].as_f64().unwrap();
        assert!(secs < 150.0 * 3000.0 / 2.0, "seed {seed}: {secs}");
        assert_eq!(pc["scaling_activities"].as_u64(), Some(steps.len() as u64));
        // Billing follows the level: its GB-seconds at 1 GB.
        let billed = f64_of(auto, "api", "provisioned_concurrency_cost_usd");
        assert!(
            (billed - secs * 0.000_004_166_7).abs() < 1e-5,
            "seed {seed}"
        );
        conserved(base);
        let cold = f(base, "api", "cold_starts");
        assert!(cold > 200, "seed {seed}: {cold} cold starts");
        assert!(f(base, "api", "max_concurrency") > 160, "seed {seed}");
        assert!(f(prov, "api", "cold_starts") < 20, "seed {seed}");
        assert!(prov.summary.cost_usd > base.summary.cost_usd, "seed {seed}");
        assert!(f(idle, "api", "cold_starts") > cold, "seed {seed}");
    }
}

#[test]
fn lesson_lambda_throttling_holds_for_seeds_1_to_10() {
    let runs = lesson_runs(
        "scenarios/lambda-throttling.yaml",
        &[None, Some("reserve-checkout"), Some("reserve-too-little")],
    );
    for (i, r) in runs.iter().enumerate() {
        let seed = i + 1;
        let (base, reserve, little) = (&r[0], &r[1], &r[2]);
        conserved(base);
        assert!(f(base, "checkout", "throttles") > 1000, "seed {seed}");
        assert_eq!(
            base.summary.requests.errors.throttled,
            f(base, "checkout", "throttles") + f(base, "reports", "throttles")
        );
        assert_eq!(f(reserve, "checkout", "throttles"), 0, "seed {seed}");
        assert!(
            f(reserve, "reports", "throttles") > f(base, "reports", "throttles"),
            "seed {seed}"
        );
        let share =
            f(little, "checkout", "throttles") as f64 / f(little, "checkout", "requests") as f64;
        assert!(share > 0.20, "seed {seed}: {share}");
    }
}

#[test]
fn lesson_api_gateway_throttling_holds_for_seeds_1_to_10() {
    let runs = lesson_runs(
        "scenarios/api-gateway-throttling.yaml",
        &[None, Some("higher-limit"), Some("cache")],
    );
    for (i, r) in runs.iter().enumerate() {
        let seed = i + 1;
        let (base, higher, cache) = (&r[0], &r[1], &r[2]);
        conserved(base);
        let e = |r: &RunResult| {
            (
                r.summary.requests.errors.throttled,
                r.summary.requests.errors.target_5xx,
            )
        };
        let (t429, t500) = e(base);
        assert!(
            t429 > 20_000 && t500 > 5_000,
            "seed {seed}: {t429} 429s, {t500} 500s"
        );
        let (h429, h500) = e(higher);
        assert!(h429 == 0 && h500 > t500, "seed {seed}: {h429}, {h500}");
        let (c429, c500) = e(cache);
        assert!(api(cache, "public", "cache_hit_ratio") > 0.8, "seed {seed}");
        assert!(c500 < 1000 && c429 > 20_000, "seed {seed}: {c429}, {c500}");
    }
}

/// Every message a producer sent is deleted, still in the queue, or gone
/// to a dead-letter queue or retention.
fn messages_conserved(r: &RunResult, q: &str) {
    let v = &r.summary.queues[q];
    let n = |k: &str| v[k].as_u64().unwrap();
    assert_eq!(
        n("sent"),
        n("deleted")
            + n("visible_at_end")
            + n("in_flight_at_end")
            + n("delayed_at_end")
            + n("dead_lettered")
            + n("expired"),
        "{q}: {v}"
    );
}

#[test]
fn lesson_sqs_lambda_visibility_holds_for_seeds_1_to_10() {
    let runs = lesson_runs(
        "scenarios/sqs-lambda-visibility.yaml",
        &[
            None,
            Some("six-times"),
            Some("item-failures"),
            Some("no-item-failures"),
        ],
    );
    for (i, r) in runs.iter().enumerate() {
        let seed = i + 1;
        for x in r {
            conserved(x);
            messages_conserved(x, "jobs");
        }
        let q = |r: &RunResult, k: &str| r.summary.queues["jobs"][k].as_u64().unwrap();
        let (base, six, items, whole) = (&r[0], &r[1], &r[2], &r[3]);
        assert!(
            q(base, "duplicates_processed") * 20 > q(base, "sent"),
            "seed {seed}: {} duplicates of {}",
            q(base, "duplicates_processed"),
            q(base, "sent")
        );
        assert_eq!(q(six, "duplicates_processed"), 0, "seed {seed}");
        let returned = |r: &RunResult| {
            r.summary.functions["worker"]["event_source"]["returned"]
                .as_u64()
                .unwrap()
        };
        assert!(returned(items) * 2 < returned(whole), "seed {seed}");
        // The mapping never runs more batches than the documented scaling
        // allows: 5, then +300 a minute.
        let mb = r[0].summary.functions["worker"]["event_source"]["max_batches"]
            .as_u64()
            .unwrap();
        assert!(mb <= 5 + 300 * 30, "seed {seed}");
        assert!(f(base, "worker", "max_concurrency") <= mb);
    }
}

#[test]
fn sns_fans_out_to_queues_and_functions_after_filter_policies() {
    let r = run(r#"
name: sns
duration: 10m
workloads:
  - { name: w, to: { topic: t }, arrivals: uniform, rate: 10 }
topics:
  - name: t
    message_attributes: { color: { red: 0.5, blue: 0.5 } }
    subscribers:
      - { queue: all }
      - { queue: reds, filter_policy: { color: [red] } }
      - { function: f, filter_policy: { color: [red, blue] } }
      - { queue: none, filter_policy: { size: [big] } }
queues: [ { name: all }, { name: reds }, { name: none } ]
functions:
  - { name: f, duration: 10ms }
"#);
    conserved(&r);
    let t = &r.summary.topics["t"];
    let n = |k: &str| t[k].as_u64().unwrap();
    let published = n("published");
    assert_eq!(published, 6000);
    let sent = |q: &str| r.summary.queues[q]["sent"].as_u64().unwrap();
    assert_eq!(sent("all"), published);
    assert_eq!(sent("none"), 0, "a missing attribute does not match");
    let reds = sent("reds") as f64 / published as f64;
    assert!((0.47..0.53).contains(&reds), "{reds}");
    assert_eq!(fa(&r, "f", "received"), published);
    assert_eq!(n("delivered"), 2 * published + sent("reds"));
    assert_eq!(n("filtered_out"), published + (published - sent("reds")));
    metric_matches(&r, "t", "NumberOfMessagesPublished", published as f64);
    // The last publish (at the very end) delivers up to 3 notifications
    // after the last datapoint.
    let d = metric_sum(&r, "t", "NumberOfNotificationsDelivered");
    assert!(
        d <= n("delivered") as f64 && n("delivered") as f64 - d <= 3.0,
        "{d}"
    );
    // $0.50 per million publishes.
    assert!((t["cost_usd"].as_f64().unwrap() - 6000.0 * 0.5e-6).abs() < 1e-9);
}

/// A topic with one HTTP/S subscription to load balancer `web` in front of
/// `n` instances, and `extra` YAML in the subscription.
fn http_topic(n: u32, extra: &str) -> RunResult {
    run(&format!(
        r#"
name: sns-http
duration: 10m
workloads:
  - {{ name: w, to: {{ topic: t }}, arrivals: uniform, rate: 10 }}
topics:
  - name: t
    subscribers:
      - {{ load_balancer: web{extra} }}
queues: [ {{ name: dlq }} ]
load_balancers:
  - {{ name: web, target_group: web }}
auto_scaling_groups:
  - name: web
    availability_zones: [us-east-1a]
    min: {n}
    max: {n}
    desired: {n}
    instance: {{ workers: 8, queue_limit: 100, boot_time: 0s }}
    app:
      - compute: 10ms
"#
    ))
}

#[test]
fn sns_http_subscription_delivers_through_the_load_balancer() {
    let r = http_topic(2, "");
    conserved(&r);
    let t = &r.summary.topics["t"];
    let n = |k: &str| t[k].as_u64().unwrap();
    assert_eq!(n("published"), 6000);
    // Every notification is one request through the ALB, answered 200.
    assert!(n("delivered") >= 5999, "{t}");
    assert_eq!(n("failed"), 0);
    assert_eq!(n("http_attempts"), n("delivered") + n("in_flight_at_end"));
    // The deliveries are not the workload's requests.
    assert_eq!(r.summary.requests.total, 6000);
}

#[test]
fn sns_http_default_policy_retries_3_times_20_s_apart_then_redrives() {
    // No instance: every attempt is the ALB's 503. The default policy
    // (SNS:SendMessageToHttp.retry) makes 1 + 3 attempts over 60 s, then
    // the notification goes to the subscription's DLQ.
    let r = http_topic(0, ", dead_letter_queue: dlq");
    conserved(&r);
    let t = &r.summary.topics["t"];
    let n = |k: &str| t[k].as_u64().unwrap();
    assert_eq!(n("delivered"), 0);
    // Published in the last 60 s (10/s): still being retried at the end.
    let fl = n("in_flight_at_end");
    assert!((599..=601).contains(&fl), "{fl}");
    assert_eq!(n("redriven_to_dlq"), 6000 - fl);
    assert_eq!(
        r.summary.queues["dlq"]["sent"].as_u64().unwrap(),
        n("redriven_to_dlq")
    );
    // NumberOfNotificationsFailed counts every failed HTTP/S attempt.
    assert_eq!(n("failed"), n("http_attempts"));
    assert!(n("http_attempts") >= 4 * n("redriven_to_dlq"));
    assert!(n("http_attempts") <= 4 * 6000);
    metric_matches(
        &r,
        "t",
        "NumberOfNotificationsRedrivenToDlq",
        n("redriven_to_dlq") as f64,
    );
    assert_eq!(
        metric_sum(&r, "t", "NumberOfNotificationsFailedToRedriveToDlq"),
        0.0
    );
}

#[test]
fn sns_http_custom_policy_and_no_dlq_discards() {
    // One retry 5 s later: 2 attempts, then discarded (no DLQ).
    let r = http_topic(
        0,
        ", delivery_policy: { num_retries: 1, min_delay_target: 5s, max_delay_target: 5s }",
    );
    conserved(&r);
    let t = &r.summary.topics["t"];
    let n = |k: &str| t[k].as_u64().unwrap();
    let fl = n("in_flight_at_end");
    assert!((49..=51).contains(&fl), "{fl}");
    assert_eq!(n("discarded"), 6000 - fl);
    assert_eq!(n("redriven_to_dlq"), 0);
    assert_eq!(n("http_attempts"), 2 * n("discarded") + fl);
    assert!(
        r.series
            .get("t", "NumberOfNotificationsRedrivenToDlq")
            .is_empty()
    );
}

#[test]
fn sns_delivery_policy_out_of_aws_limits_is_refused_with_its_place() {
    let y = r#"name: bad
duration: 10m
topics:
  - name: t
    subscribers:
      - { load_balancer: web, delivery_policy: { num_retries: 101 } }
      - { queue: q, delivery_policy: { num_retries: 1 }, dead_letter_queue: dlx }
      - { load_balancer: web, delivery_policy: { min_delay_target: 30s, max_delay_target: 10s } }
      - { load_balancer: web, delivery_policy: { num_retries: 100, min_delay_target: 40s, max_delay_target: 40s } }
queues: [ { name: q } ]
load_balancers:
  - { name: web, target_group: web }
auto_scaling_groups:
  - { name: web, availability_zones: [us-east-1a], min: 1, max: 1, desired: 1, instance: { workers: 1 }, app: [ { compute: 1ms } ] }
"#;
    let e = crate::util::load_error(y);
    for want in [
        "bad.yaml:6:48: topics[t].subscribers[0].delivery_policy: numRetries must be between 0 and 100, found 101",
        "bad.yaml:7:38: topics[t].subscribers[1].delivery_policy: only HTTP/S subscriptions",
        r#"bad.yaml:7:77: topics[t].subscribers[1].dead_letter_queue: no queue named "dlx""#,
        "bad.yaml:8:48: topics[t].subscribers[2].delivery_policy: minDelayTarget (30s) cannot exceed maxDelayTarget (10s)",
        "topics[t].subscribers[3].delivery_policy: the policy's total retry time (4000s) cannot be greater than 3600s",
    ] {
        assert!(e.contains(want), "missing {want:?} in:\n{e}");
    }
}

#[test]
fn provisioned_concurrency_auto_scaling_out_of_range_is_refused() {
    let y = r#"name: bad
duration: 10m
functions:
  - name: f
    duration: 100ms
    reserved_concurrency: 50
    provisioned_concurrency_auto_scaling: { min: 0, max: 80, target: 70 }
"#;
    let e = crate::util::load_error(y);
    for want in [
        "functions[f].provisioned_concurrency_auto_scaling.min: min must be at least 1",
        "functions[f].provisioned_concurrency_auto_scaling.max: max (80) cannot exceed reserved_concurrency (50)",
        "functions[f].provisioned_concurrency_auto_scaling.target: target is a utilisation between 0 and 1 (AWS recommends 0.7), found 70",
    ] {
        assert!(e.contains(want), "missing {want:?} in:\n{e}");
    }
}

#[test]
fn lesson_sns_fan_out_holds_for_seeds_1_to_10() {
    let runs = lesson_runs(
        "scenarios/sns-fan-out.yaml",
        &[None, Some("more-concurrency"), Some("more-retries")],
    );
    for (i, r) in runs.iter().enumerate() {
        let seed = i + 1;
        let (base, more, retries) = (&r[0], &r[1], &r[2]);
        // The HTTP/S webhook: its outage's notifications are redriven to
        // its DLQ after the default policy's minute of retries.
        let t = &base.summary.topics["orders"];
        let n = |k: &str| t[k].as_u64().unwrap();
        let redriven = n("redriven_to_dlq");
        assert!((500..=3000).contains(&redriven), "seed {seed}: {t}");
        assert_eq!(n("failed_to_redrive_to_dlq"), 0, "seed {seed}");
        assert_eq!(
            base.summary.queues["webhook-dlq"]["sent"].as_u64().unwrap(),
            redriven,
            "seed {seed}"
        );
        assert!(n("failed") >= 4 * redriven, "seed {seed}: {t}");
        conserved(retries);
        let rt = &retries.summary.topics["orders"];
        assert_eq!(rt["redriven_to_dlq"].as_u64(), Some(0), "seed {seed}: {rt}");
        conserved(base);
        messages_conserved(base, "audit");
        let published = base.summary.topics["orders"]["published"].as_u64().unwrap();
        assert_eq!(
            base.summary.queues["audit"]["sent"].as_u64().unwrap(),
            published
        );
        let share = fa(base, "notify", "received") as f64 / published as f64;
        assert!((0.17..0.23).contains(&share), "seed {seed}: {share}");
        assert_eq!(f(base, "notify", "throttles"), 0, "seed {seed}");
        let dl = fa(base, "invoice", "dead_lettered");
        assert!(
            dl * 10 > fa(base, "invoice", "received") * 3,
            "seed {seed}: {dl}"
        );
        assert_eq!(
            base.summary.queues["invoice-dlq"]["sent"].as_u64().unwrap(),
            dl,
            "seed {seed}"
        );
        assert_eq!(fa(more, "invoice", "dead_lettered"), 0, "seed {seed}");
    }
}

#[test]
fn bad_serverless_sections_are_reported_with_their_place_and_a_hint() {
    let y = r#"name: bad
duration: 10m
workloads:
  - { name: w, to: { function: resise }, rate: 10 }
  - { name: a, to: { api: pubic }, rate: 10 }
functions:
  - name: resize
    memory: 64MB
    duration: 100ms
    timeout: 901s
    reserved_concurrency: 950
    provisioned_concurency: 3
apis:
  - name: public
    to: { function: resize }
    cache: { ttl: 2h, keys: { dist: uniform, n: 10 }, size_gb: 1 }
topics:
  - { name: t, subscribers: [ { queue: jobz } ] }
"#;
    let e = crate::util::load_error(y);
    for want in [
        r#"bad.yaml:4:32: workloads[w].to.function: no function named "resise" (did you mean "resize"?)"#,
        r#"bad.yaml:5:27: workloads[a].to.api: no api named "pubic" (did you mean "public"?)"#,
        "bad.yaml:8:13: functions[resize].memory: memory must be between 128MB and 10240MB, found 64MB",
        "bad.yaml:10:14: functions[resize].timeout:",
        "bad.yaml:11:27: functions[resize].reserved_concurrency:",
        "Lambda keeps at least 100 unreserved",
        "bad.yaml:12:5: functions[resize].provisioned_concurency: unknown field `provisioned_concurency` (did you mean `provisioned_concurrency`?)",
        "bad.yaml:16:19: apis[public].cache.ttl: ttl must be at most 3600s",
        "apis[public].cache.size_gb: size_gb must be one of 0.5, 1.6",
        r#"topics[t].subscribers[0].queue: no queue named "jobz""#,
    ] {
        assert!(e.contains(want), "missing {want:?} in:\n{e}");
    }
}

#[test]
fn an_sqs_batching_window_gathers_batches_above_10() {
    // 200 messages/s, batch size 100 with a 5 s window: the 5 first pollers
    // each gather ~40 messages/s in receives of at most 10, so a batch fills
    // in ~2.5 s — before the window ends — and invocations carry ~100
    // messages each. Without the window a batch is one receive (≤ 10).
    let y = r#"
name: window
duration: 5m
workloads:
  - { name: w, to: { queue: jobs }, rate: 200 }
queues: [ { name: jobs, visibility_timeout: 5m } ]
functions:
  - name: f
    duration: 50ms
    timeout: 30s
    event_source: { queue: jobs, batch_size: 100, maximum_batching_window: 5s }
"#;
    let r = run(y);
    conserved(&r);
    let es = &r.summary.functions["f"]["event_source"];
    let (batches, msgs) = (
        es["batches"].as_u64().unwrap(),
        es["messages"].as_u64().unwrap(),
    );
    let per = msgs as f64 / batches as f64;
    assert!(per > 80.0 && per <= 100.0, "{per}: {es}");
    assert!(msgs > 55_000, "{es}");
    let small = run(&y.replace(
        "batch_size: 100, maximum_batching_window: 5s",
        "batch_size: 10",
    ));
    let es = &small.summary.functions["f"]["event_source"];
    let per = es["messages"].as_u64().unwrap() as f64 / es["batches"].as_u64().unwrap() as f64;
    assert!(per <= 10.0, "{per}");
    // Above 10 needs a window of at least 1 s.
    let e = match stratus::scenario::load_str(
        &y.replace("maximum_batching_window: 5s", "maximum_batching_window: 0s"),
        "w.yaml",
        std::path::Path::new("."),
        &stratus::scenario::LoadOptions::default(),
    ) {
        Ok(_) => panic!("should not load"),
        Err(d) => d.to_string(),
    };
    assert!(
        e.contains("functions[f].event_source.batch_size: batch_size must be 1 to 10 without a batching window of at least 1s, found 100"),
        "{e}"
    );
}

#[test]
fn usage_plans_throttle_each_api_key_and_enforce_its_quota() {
    // 100 requests/s, evenly spaced: 60 % from 3 `free` keys (20/s each,
    // throttled to 5/s with a burst of 10; 1,000 requests a day), 40 %
    // without a key. Each free key passes 10 + 5 × t requests until its
    // quota of 1,000 is used (at ~198 s), then none: 3 × 1,000 pass in the
    // 10 minutes; the keyless requests all pass.
    let r = run(r#"
name: plans
duration: 10m
workloads:
  - { name: w, to: { api: public }, arrivals: uniform, rate: 100 }
apis:
  - name: public
    to: { function: f }
    usage_plans:
      - name: free
        throttle: { rate: 5, burst: 10 }
        quota: { limit: 1000, period: DAY }
        api_keys: 3
        share: 0.6
functions:
  - { name: f, duration: 10ms }
"#);
    conserved(&r);
    let total = api(&r, "public", "requests");
    let ok = api(&r, "public", "ok");
    // Every keyless request (about 40 % of 60,000) passes; each key 1,000.
    assert!(
        (ok - 3000.0 - 0.4 * total).abs() < 0.02 * total,
        "ok {ok} of {total}"
    );
    assert!(api(&r, "public", "quota_exceeded") > 10_000.0);
    assert!(api(&r, "public", "throttled_usage_plan") > 1000.0);
    assert_eq!(
        api(&r, "public", "throttled"),
        api(&r, "public", "throttled_usage_plan") + api(&r, "public", "quota_exceeded")
    );
    assert_eq!(
        r.summary.requests.errors.throttled as f64,
        api(&r, "public", "throttled")
    );
}

/// Lambda keeps at least 100 of the account's concurrency unreserved
/// (`LAMBDA:configuration-concurrency`), so Application Auto Scaling can
/// never set provisioned concurrency above what leaves it: with an account
/// of 300 and another function reserving 50, at most 150. A scale-out past
/// it fails (a row, nothing changed) however high the scalable target's
/// maximum.
#[test]
fn auto_scaled_provisioned_concurrency_stays_within_the_account() {
    let r = run(r#"
name: pc-quota
duration: 30m
account: { lambda_concurrency: 300 }
workloads:
  - { name: w, to: { function: f }, arrivals: uniform, rate: 1000 }
functions:
  - name: f
    duration: 200ms
    provisioned_concurrency: 10
    provisioned_concurrency_auto_scaling: { min: 10, max: 1000, target: 0.7 }
  - { name: other, duration: 100ms, reserved_concurrency: 50 }
"#);
    let rows: Vec<_> = r
        .activities
        .iter()
        .filter(|a| a.what.kind() == "provisioned_concurrency_scaling")
        .collect();
    let set: Vec<u32> = rows
        .iter()
        .filter(|a| a.details.is_empty())
        .map(|a| {
            a.description
                .trim_start_matches("Setting desired concurrency to ")
                .trim_end_matches('.')
                .parse()
                .unwrap()
        })
        .collect();
    assert!(!set.is_empty(), "it scales out");
    assert!(set.iter().all(|&n| n <= 150), "{set:?}");
    assert!(
        rows.iter()
            .any(|a| a.details.contains("failed: Lambda allows at most 150")),
        "a refused scale-out is shown"
    );
}
