//! Running a scenario: build the world, play it, collect the results.

use crate::report::metrics::Series;
use crate::report::summary::{self, AsgSummary, Errors, Latency, LbSummary, Requests, Summary};
use crate::scenario::Scenario;
use crate::world::{Activity, Outcome, World};
use std::time::Instant;

/// Everything a run produces.
pub struct RunResult {
    /// The figures.
    pub summary: Summary,
    /// Time series.
    pub series: Series,
    /// Activity history.
    pub activities: Vec<Activity>,
}

/// Simulate a loaded, validated scenario. `variant` is only recorded.
pub fn simulate(sc: &Scenario, variant: Option<&str>, progress: &mut dyn FnMut(f64)) -> RunResult {
    let wall = Instant::now();
    let mut w = World::new(sc);
    w.run(progress);
    let by = w.stats.by_outcome;
    let total: u64 = by.iter().sum();
    let h = &w.stats.hist;
    let ok = by[Outcome::Ok as usize];
    let q = |p: f64| {
        if ok > 0 {
            h.value_at_quantile(p) as f64 / 1e3
        } else {
            0.0
        }
    };
    let latency_ms = Latency {
        mean: if ok > 0 {
            summary::r6(w.stats.latency_sum_ns as f64 / ok as f64 / 1e6)
        } else {
            0.0
        },
        p50: summary::r6(q(0.50)),
        p90: summary::r6(q(0.90)),
        p99: summary::r6(q(0.99)),
        max: summary::r6(w.stats.latency_max_ns as f64 / 1e6),
    };
    let requests = Requests {
        total,
        ok,
        error_rate_pct: if total > 0 {
            summary::r6(100.0 * (total - ok) as f64 / total as f64)
        } else {
            0.0
        },
        in_flight_at_end: w.in_flight(),
        errors: Errors {
            elb_502: by[Outcome::Elb502 as usize],
            elb_503: by[Outcome::Elb503 as usize],
            elb_504: by[Outcome::Elb504 as usize],
            target_5xx: by[Outcome::Target5xx as usize],
            instance_refused: by[Outcome::InstanceRefused as usize],
            client_timeout: by[Outcome::ClientTimeout as usize],
            throttled: by[Outcome::Throttled as usize],
        },
        latency_ms,
    };
    let hours = sc.duration.as_secs_f64() / 3600.0;
    let auto_scaling_groups: std::collections::BTreeMap<String, AsgSummary> = w
        .asgs()
        .enumerate()
        .map(|(g, a)| {
            let (ih, cost) = w.asg_cost(g);
            (
                a.name().to_string(),
                AsgSummary {
                    launches: a.launches(),
                    terminations: a.terminations(),
                    min_in_service: a.in_service().min as u64,
                    max_in_service: a.in_service().max as u64,
                    instance_hours: summary::r6(ih),
                    cost_usd: summary::r6(cost),
                    scaling_activities: a.scaling_activities(),
                    elasticity: sc
                        .auto_scaling_groups
                        .iter()
                        .find(|x| x.name == a.name())
                        .map(|x| crate::report::elasticity::group_score(sc, &w.series, x))
                        .unwrap_or_default(),
                },
            )
        })
        .collect();
    let load_balancers: std::collections::BTreeMap<String, LbSummary> = w
        .load_balancers()
        .map(|l| {
            (
                l.name().to_string(),
                LbSummary {
                    requests: l.total_requests(),
                    sticky_rebinds: l.sticky_rebinds(),
                    sessions_lost: l.sessions_lost(),
                    cost_usd: summary::r6(crate::aws::elb::alb_cost_usd(hours, l.total_requests())),
                    cloudwatch: w.lb_cloudwatch_totals(l.name()),
                },
            )
        })
        .collect();
    let queues = w.sqs_summary();
    let tables = w.table_summaries();
    let functions = w.lambda_summary();
    let apis = w.api_summary();
    let topics = w.topic_summary();
    let streams = w.stream_summary();
    let cost = |v: &serde_json::Value| v.get("cost_usd").and_then(|c| c.as_f64()).unwrap_or(0.0);
    let cost_usd = summary::r6(
        auto_scaling_groups
            .values()
            .map(|g| g.cost_usd)
            .sum::<f64>()
            + load_balancers.values().map(|l| l.cost_usd).sum::<f64>()
            + queues.values().map(cost).sum::<f64>()
            + tables.values().map(cost).sum::<f64>()
            + functions.values().map(cost).sum::<f64>()
            + apis.values().map(cost).sum::<f64>()
            + topics.values().map(cost).sum::<f64>()
            + streams.values().map(cost).sum::<f64>(),
    );
    let summary = Summary {
        scenario: sc.name.clone(),
        variant: variant.map(str::to_string),
        seed: sc.seed,
        simulated_s: summary::r6(sc.duration.as_secs_f64()),
        events: w.events,
        wall_s: summary::r6(wall.elapsed().as_secs_f64()),
        cost_usd,
        requests,
        auto_scaling_groups,
        load_balancers,
        queues,
        tables,
        functions,
        apis,
        topics,
        streams,
    };
    RunResult {
        summary,
        series: std::mem::take(&mut w.series),
        activities: std::mem::take(&mut w.activities),
    }
}
