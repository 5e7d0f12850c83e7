//! `summary.json`: the run's figures, keys as in `shared/spec/outputs.md`.

use serde::Serialize;
use std::collections::BTreeMap;

/// Error counts by kind.
#[derive(Clone, Debug, Default, Serialize, PartialEq)]
pub struct Errors {
    /// ELB 502.
    pub elb_502: u64,
    /// ELB 503 (no target).
    pub elb_503: u64,
    /// ELB 504 (idle timeout).
    pub elb_504: u64,
    /// Target 5xx.
    pub target_5xx: u64,
    /// Instance queue full.
    pub instance_refused: u64,
    /// Client gave up.
    pub client_timeout: u64,
    /// Throttled after retries.
    pub throttled: u64,
}

/// Latency of OK requests, ms.
#[derive(Clone, Debug, Default, Serialize, PartialEq)]
pub struct Latency {
    /// Mean.
    pub mean: f64,
    /// Median.
    pub p50: f64,
    /// 90th percentile.
    pub p90: f64,
    /// 99th percentile.
    pub p99: f64,
    /// Maximum.
    pub max: f64,
}

/// Request figures.
#[derive(Clone, Debug, Default, Serialize, PartialEq)]
pub struct Requests {
    /// Finished requests (ok + every error).
    pub total: u64,
    /// OK.
    pub ok: u64,
    /// 100 × Σ errors / total.
    pub error_rate_pct: f64,
    /// Still in flight at the end (counted nowhere else).
    pub in_flight_at_end: u64,
    /// Errors by kind.
    pub errors: Errors,
    /// Latency of OK requests, ms.
    pub latency_ms: Latency,
}

/// Figures of an Auto Scaling group.
#[derive(Clone, Debug, Default, Serialize, PartialEq)]
pub struct AsgSummary {
    /// Launches (including the initial fleet).
    pub launches: u64,
    /// Terminations.
    pub terminations: u64,
    /// Fewest InService instances at a metrics tick.
    pub min_in_service: u64,
    /// Most InService instances at a metrics tick.
    pub max_in_service: u64,
    /// Instance-hours run.
    pub instance_hours: f64,
    /// Cost as billed.
    pub cost_usd: f64,
    /// Changes of desired capacity.
    pub scaling_activities: u64,
    /// The SPEC Research Group's elasticity metrics of the group
    /// ([`crate::report::elasticity`]).
    pub elasticity: crate::report::elasticity::Elasticity,
}

/// Figures of a load balancer.
#[derive(Clone, Debug, Default, Serialize, PartialEq)]
pub struct LbSummary {
    /// Requests received.
    pub requests: u64,
    /// Sticky re-binds.
    pub sticky_rebinds: u64,
    /// Sessions whose state was lost.
    pub sessions_lost: u64,
    /// Cost.
    pub cost_usd: f64,
    /// What CloudWatch shows for the load balancer over the run: each
    /// metric's sum over metrics.csv's periods (`RequestCount`,
    /// `HTTPCode_ELB_502_Count`, …). CloudWatch counts every attempt the
    /// load balancer answered, and an instance that refuses a connection is
    /// an ELB 502 there; `requests.errors` counts each logical request once,
    /// by its cause.
    pub cloudwatch: BTreeMap<String, f64>,
}

/// The whole summary.
#[derive(Clone, Debug, Default, Serialize, PartialEq)]
pub struct Summary {
    /// Scenario name.
    pub scenario: String,
    /// Variant name, or null for the base.
    pub variant: Option<String>,
    /// Seed.
    pub seed: u64,
    /// Simulated seconds.
    pub simulated_s: f64,
    /// Events processed.
    pub events: u64,
    /// Wall-clock seconds (the only figure that varies between identical runs).
    pub wall_s: f64,
    /// Every resource's bill together (groups, load balancers, queues,
    /// tables); each chart or table that shows a total shows this number.
    pub cost_usd: f64,
    /// Requests.
    pub requests: Requests,
    /// Auto Scaling groups by name.
    pub auto_scaling_groups: BTreeMap<String, AsgSummary>,
    /// Load balancers by name.
    pub load_balancers: BTreeMap<String, LbSummary>,
    /// Queues by name.
    pub queues: BTreeMap<String, serde_json::Value>,
    /// Tables by name.
    pub tables: BTreeMap<String, serde_json::Value>,
    /// Lambda functions by name.
    pub functions: BTreeMap<String, serde_json::Value>,
    /// API Gateway APIs by name.
    pub apis: BTreeMap<String, serde_json::Value>,
    /// SNS topics by name.
    pub topics: BTreeMap<String, serde_json::Value>,
    /// Kinesis streams by name.
    pub streams: BTreeMap<String, serde_json::Value>,
}

/// Round to 6 decimals so the JSON text is stable and readable.
pub fn r6(v: f64) -> f64 {
    if v.is_finite() {
        (v * 1e6).round() / 1e6
    } else {
        0.0
    }
}
