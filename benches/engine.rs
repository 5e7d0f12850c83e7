//! Engine benchmarks: the bare event queue (hold model) and the M/M/10
//! scenario through the whole model (workload → ALB → instance).
//!
//! `cargo bench --bench engine`. Throughput is reported per event (hold) and
//! per request (M/M/10; each request is three model events: arrival, service
//! start, departure).

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use rand::RngExt;
use rand_distr::Exp1;
use std::hint::black_box;
use std::path::Path;
use stratus::scenario::{LoadOptions, load_str};
use stratus::sim::{EventQueue, stream};

/// Hold model: pop the earliest event, push one at now + Exp(1) ms.
fn hold(c: &mut Criterion) {
    let mut g = c.benchmark_group("event_queue_hold");
    for &pending in &[1_000usize, 100_000] {
        let mut rng = stream(1, "bench");
        let deltas: Vec<u64> = (0..1 << 16)
            .map(|_| {
                let e: f64 = rng.sample(Exp1);
                (e * 1e6) as u64 + 1
            })
            .collect();
        let mut q: EventQueue<u32> = EventQueue::new();
        for i in 0..pending {
            q.push(deltas[i % deltas.len()] * 3, i as u32);
        }
        let mut k = 0usize;
        g.throughput(Throughput::Elements(1));
        g.bench_function(BenchmarkId::from_parameter(pending), |b| {
            b.iter(|| {
                let (t, e) = q.pop().expect("non-empty");
                k = (k + 1) & 0xFFFF;
                q.push(t + deltas[k], black_box(e));
            })
        });
    }
    g.finish();
}

const MM10: &str = r#"
name: mm10-bench
seed: 42
duration: 60s
workloads:
  - { name: poisson, to: { load_balancer: lb }, rate: 900 }
load_balancers:
  - { name: lb, target_group: one }
auto_scaling_groups:
  - name: one
    min: 1
    max: 1
    instance: { workers: 10, queue_limit: 1000000 }
    app: [ { compute: { dist: exponential, mean: 10ms } } ]
"#;

fn mm10(c: &mut Criterion) {
    let sc = load_str(MM10, "mm10.yaml", Path::new("."), &LoadOptions::default()).expect("valid");
    let requests = stratus::run::simulate(&sc, None, &mut |_| {})
        .summary
        .requests
        .total;
    let mut g = c.benchmark_group("mm10_scenario");
    g.sample_size(20);
    g.throughput(Throughput::Elements(requests));
    g.bench_function("60s_at_900rps_requests", |b| {
        b.iter(|| {
            black_box(
                stratus::run::simulate(&sc, None, &mut |_| {})
                    .summary
                    .events,
            )
        })
    });
    g.finish();
}

criterion_group!(benches, hold, mm10);
criterion_main!(benches);
