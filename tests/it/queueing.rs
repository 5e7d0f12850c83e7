//! Fidelity against queueing theory: Erlang C and Little's law. The expected
//! values are computed from the formulas here, never taken from a run.

use crate::util::{mean_metric, run};

/// Erlang C: probability that an arrival waits in an M/M/c queue with offered
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
    let top = term * a / c as f64 / (1.0 - rho); // a^c / c! / (1 − ρ)
    top / (sum + top)
}

fn mmc_yaml(lambda: f64, mean_ms: u32, workers: u32, duration: &str, seed: u64) -> String {
    format!(
        r#"
name: mmc
seed: {seed}
duration: {duration}
workloads:
  - name: poisson
    to: {{ load_balancer: lb }}
    rate: {lambda}
load_balancers:
  - name: lb
    target_group: one
auto_scaling_groups:
  - name: one
    min: 1
    max: 1
    instance: {{ workers: {workers}, queue_limit: 10000000 }}
    app:
      - compute: {{ dist: exponential, mean: {mean_ms}ms }}
"#
    )
}

#[test]
fn erlang_c_formula_matches_the_published_figures() {
    // des-anchors.md: M/M/10, λ = 900, μ = 100 → P(wait) = 0.66873.
    assert!((erlang_c(10, 9.0) - 0.66873).abs() < 1e-5);
    // The issue's figure: λ = 800 → W = 12.046 ms.
    let w = erlang_c(10, 8.0) / (1000.0 - 800.0) * 1e3 + 10.0;
    assert!((w - 12.046).abs() < 0.001, "W = {w}");
}

#[test]
fn mm10_mean_response_is_within_2_percent_of_erlang_c() {
    let (lambda, mu, c) = (800.0, 100.0, 10);
    let expected_ms = (erlang_c(c, lambda / mu) / (c as f64 * mu - lambda) + 1.0 / mu) * 1e3;
    let r = run(&mmc_yaml(lambda, 10, c, "30m", 7));
    let s = &r.summary.requests;
    assert_eq!(s.total, s.ok, "no request may fail in a pure M/M/c run");
    let got = s.latency_ms.mean;
    assert!(
        (got / expected_ms - 1.0).abs() < 0.02,
        "mean response {got:.3} ms vs Erlang C {expected_ms:.3} ms"
    );
}

#[test]
fn littles_law_busy_workers_equal_arrival_rate_times_service_time() {
    // Little's law on the workers: mean busy = λ × E[S] = 500 × 0.01 = 5 of 10,
    // so CPUUtilization (busy-worker fraction) averages 50 %.
    let r = run(&mmc_yaml(500.0, 10, 10, "20m", 3));
    let cpu = mean_metric(&r, "one", "CPUUtilization");
    assert!((cpu - 50.0).abs() < 1.0, "CPU {cpu}");
    // Throughput: finished requests per second ≈ λ.
    let thr = r.summary.requests.total as f64 / r.summary.simulated_s;
    assert!((thr / 500.0 - 1.0).abs() < 0.01, "throughput {thr}");
    // And L = λW for the whole system, with W from the run's own latency.
    let lat_s = r.summary.requests.latency_ms.mean / 1e3;
    let l = thr * lat_s;
    let expected_l = 500.0 * ((erlang_c(10, 5.0) / (1000.0 - 500.0)) + 0.01);
    assert!(
        (l / expected_l - 1.0).abs() < 0.02,
        "L = {l} vs {expected_l}"
    );
}

#[test]
fn deterministic_service_without_queueing_is_exact() {
    // Evenly spaced arrivals at 50/s, 10 ms of work, 1 worker: nobody waits,
    // so every latency is exactly the service time.
    let r = run(r#"
name: exact
duration: 1m
workloads:
  - { name: w, to: { load_balancer: lb }, arrivals: uniform, rate: 50 }
load_balancers: [ { name: lb, target_group: g } ]
auto_scaling_groups:
  - { name: g, min: 1, max: 1, instance: { workers: 1 }, app: [ { compute: 10ms } ] }
"#);
    let l = &r.summary.requests.latency_ms;
    assert_eq!(l.mean, 10.0);
    assert_eq!(l.max, 10.0);
    assert_eq!(
        r.summary.requests.total + r.summary.requests.in_flight_at_end,
        3000
    );
}
