//! Conservation: every request ends exactly once, as ok or as one error kind.

use crate::util::run;
use stratus::run::RunResult;

fn check(r: &RunResult) {
    let q = &r.summary.requests;
    let e = &q.errors;
    let errors = e.elb_502
        + e.elb_503
        + e.elb_504
        + e.target_5xx
        + e.instance_refused
        + e.client_timeout
        + e.throttled;
    assert_eq!(q.ok + errors, q.total, "ok + Σ errors = total");
}

#[test]
fn every_request_ends_once_under_overload_timeouts_and_no_targets() {
    // Overloaded instances (refusals), a short idle timeout (504s), client
    // timeouts, and a second balancer with no targets (503s).
    let r = run(r#"
name: chaos
duration: 5m
workloads:
  - { name: a, to: { load_balancer: busy }, rate: 400, timeout: 2s }
  - { name: b, to: { load_balancer: empty }, rate: 10 }
load_balancers:
  - { name: busy, target_group: web, idle_timeout: 1s }
  - { name: empty, target_group: none }
auto_scaling_groups:
  - name: web
    min: 2
    max: 2
    instance: { workers: 4, queue_limit: 200 }
    app: [ { compute: { dist: exponential, mean: 25ms } } ]
  - { name: none, min: 0, max: 0, app: [ { compute: 1ms } ] }
"#);
    check(&r);
    let q = &r.summary.requests;
    // Capacity is 2 × 4 / 25 ms = 320/s against 400/s offered.
    assert!(q.errors.instance_refused > 0, "{q:?}");
    assert!(q.errors.elb_504 > 0, "{q:?}");
    assert!(q.errors.elb_503 > 0, "{q:?}");
    // Without retries each request reaches its balancer once.
    let lb_total: u64 = r.summary.load_balancers.values().map(|l| l.requests).sum();
    assert_eq!(lb_total, q.total + q.in_flight_at_end);
    // The empty balancer answers every request with 503, at once.
    assert_eq!(r.summary.load_balancers["empty"].requests, q.errors.elb_503);
}

#[test]
fn client_timeouts_are_counted_once_and_retries_do_not_double_count() {
    let r = run(r#"
name: retries
duration: 3m
workloads:
  - name: a
    to: { load_balancer: lb }
    rate: 300
    timeout: 500ms
    retries: { on: [5xx, timeout], max_attempts: 3, backoff: 100ms }
load_balancers: [ { name: lb, target_group: web } ]
auto_scaling_groups:
  - name: web
    min: 1
    max: 1
    instance: { workers: 2, queue_limit: 50 }
    app: [ { compute: { dist: exponential, mean: 10ms } } ]
"#);
    check(&r);
    let q = &r.summary.requests;
    assert!(q.errors.client_timeout + q.errors.instance_refused > 0);
    // Retries make more attempts than logical requests.
    assert!(r.summary.load_balancers["lb"].requests > q.total + q.in_flight_at_end);
}

#[test]
fn sessions_send_their_requests_one_after_another() {
    // 2 sessions/s × 5 requests each (constant) with 1 s think time over 10 min.
    let r = run(r#"
name: sessions
duration: 10m
workloads:
  - name: a
    to: { load_balancer: lb }
    arrivals: uniform
    rate: 2
    sessions: { requests: 5, think_time: 1s }
load_balancers: [ { name: lb, target_group: web } ]
auto_scaling_groups:
  - { name: web, min: 1, max: 1, app: [ { compute: 5ms } ] }
"#);
    check(&r);
    let q = &r.summary.requests;
    // 1,200 sessions start (t = 0.5 s … 600 s); those started in the last
    // ~4 s are still going. So total + in flight lies in [5 × 1,190, 5 × 1,200].
    let all = q.total;
    assert!((5 * 1190..=5 * 1200).contains(&all), "total {all}");
    assert_eq!(q.ok, q.total);
}
