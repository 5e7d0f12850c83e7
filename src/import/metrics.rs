//! `aws cloudwatch get-metric-data` output: `MetricDataResults[]` with `Id`,
//! `Label`, `Timestamps` (period starts, newest first by default) and
//! `Values` (botocore `cloudwatch` 2010-08-01, GetMetricData). The output
//! does not name the metric or its dimensions: the `Label` does (its default
//! is the metric name; the docs ask for labels like `web-alb RequestCount`),
//! else the `Id`, and `--map ID=RESOURCE` settles the rest.

use super::BadInput;
use super::cli_json::{list, s};
use serde_json::Value;

/// One result: (Unix seconds of the period start, value), oldest first.
#[derive(Clone, Debug, PartialEq)]
pub struct MetricResult {
    /// Id.
    pub id: String,
    /// Label.
    pub label: String,
    /// Datapoints.
    pub points: Vec<(f64, f64)>,
}

/// A `get-metric-data` output.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MetricData {
    /// The results.
    pub results: Vec<MetricResult>,
}

/// Metrics `import` and `backtest` understand.
pub const KNOWN: [&str; 7] = [
    "RequestCount",
    "NumberOfMessagesSent",
    "ConsumedWriteCapacityUnits",
    "ConsumedReadCapacityUnits",
    "GroupDesiredCapacity",
    "GroupInServiceInstances",
    "CPUUtilization",
];

/// What kind of resource a metric belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResourceKind {
    /// Load balancer.
    LoadBalancer,
    /// Queue.
    Queue,
    /// Table.
    Table,
    /// Auto Scaling group.
    Group,
}

impl ResourceKind {
    /// For messages.
    pub fn noun(self) -> &'static str {
        match self {
            ResourceKind::LoadBalancer => "load balancer",
            ResourceKind::Queue => "queue",
            ResourceKind::Table => "table",
            ResourceKind::Group => "Auto Scaling group",
        }
    }
}

/// The kind of resource of a known metric.
pub fn kind_of(metric: &str) -> ResourceKind {
    match metric {
        "RequestCount" => ResourceKind::LoadBalancer,
        "NumberOfMessagesSent" => ResourceKind::Queue,
        "ConsumedWriteCapacityUnits" | "ConsumedReadCapacityUnits" => ResourceKind::Table,
        _ => ResourceKind::Group,
    }
}

/// Whether `v` is a `get-metric-data` output.
pub fn is_metric_data(v: &Value) -> bool {
    v.get("MetricDataResults").is_some_and(Value::is_array)
}

/// Reads a `get-metric-data` output.
pub fn read(v: &Value, shown: &str) -> Result<MetricData, BadInput> {
    let mut results = Vec::new();
    for (i, r) in list(v, "MetricDataResults").iter().enumerate() {
        let at = |m: String| BadInput(format!("{shown}:1:1: MetricDataResults[{i}]: {m}"));
        let id = s(r, "Id").ok_or_else(|| at("no Id".into()))?;
        let label = s(r, "Label").unwrap_or_default();
        let ts = list(r, "Timestamps");
        let vs = list(r, "Values");
        if ts.len() != vs.len() {
            return Err(at(format!(
                "{} Timestamps but {} Values",
                ts.len(),
                vs.len()
            )));
        }
        let mut points = Vec::with_capacity(ts.len());
        for (t, x) in ts.iter().zip(vs) {
            let t = t
                .as_str()
                .and_then(super::time::parse_iso)
                .ok_or_else(|| at(format!("Timestamps: expected an ISO 8601 time, found {t}")))?;
            let x = x
                .as_f64()
                .ok_or_else(|| at(format!("Values: expected a number, found {x}")))?;
            points.push((t, x));
        }
        points.sort_by(|a, b| a.0.total_cmp(&b.0));
        results.push(MetricResult { id, label, points });
    }
    Ok(MetricData { results })
}

impl MetricData {
    /// The earliest period start (Unix s).
    pub fn start(&self) -> Option<f64> {
        self.results
            .iter()
            .filter_map(|r| r.points.first().map(|p| p.0))
            .min_by(f64::total_cmp)
    }

    /// The period: the smallest gap between consecutive timestamps (60 s
    /// when no result has two).
    pub fn period(&self) -> f64 {
        self.results
            .iter()
            .flat_map(|r| r.points.windows(2).map(|w| w[1].0 - w[0].0))
            .filter(|d| *d > 0.0)
            .min_by(f64::total_cmp)
            .unwrap_or(60.0)
    }

    /// The end of the last period (Unix s).
    pub fn end(&self) -> Option<f64> {
        let last = self
            .results
            .iter()
            .filter_map(|r| r.points.last().map(|p| p.0))
            .max_by(f64::total_cmp)?;
        Some(last + self.period())
    }
}

/// The known metric a result measures, from its Label, else its Id.
pub fn metric_of(r: &MetricResult) -> Option<&'static str> {
    // Longest names first, so `ConsumedWriteCapacityUnits` is not taken for a
    // shorter name inside it.
    let by_len = {
        let mut k = KNOWN;
        k.sort_by_key(|m| std::cmp::Reverse(m.len()));
        k
    };
    by_len
        .iter()
        .find(|m| r.label.contains(**m))
        .or_else(|| {
            let id = r.id.to_ascii_lowercase().replace(['_', '-'], "");
            by_len.iter().find(|m| id.contains(&m.to_ascii_lowercase()))
        })
        .copied()
}

/// One result assigned to a resource.
#[derive(Clone, Debug)]
pub struct Assigned {
    /// Index into `MetricData::results`.
    pub result: usize,
    /// The metric.
    pub metric: &'static str,
    /// The resource's kind.
    pub kind: ResourceKind,
    /// The resource's name.
    pub resource: String,
}

/// Assigns each result of a known metric to one resource of its kind:
/// `--map ID=NAME` first, then a resource name that is a word of the Label,
/// then the only resource of the kind. `names(kind)` lists the candidates.
/// Returns the assignments and a note per result left out.
pub fn assign(
    md: &MetricData,
    names: &dyn Fn(ResourceKind) -> Vec<String>,
    map: &[String],
) -> Result<(Vec<Assigned>, Vec<String>), String> {
    let mut explicit = Vec::new();
    for m in map {
        let Some((id, name)) = m.split_once('=') else {
            return Err(format!(
                "--map {m}: expected ID=RESOURCE, e.g. --map requests=web"
            ));
        };
        if !md.results.iter().any(|r| r.id == id) {
            let ids: Vec<&str> = md.results.iter().map(|r| r.id.as_str()).collect();
            return Err(format!(
                "--map {m}: no metric result with Id \"{id}\" (the Ids are: {})",
                ids.join(", ")
            ));
        }
        explicit.push((id.to_string(), name.to_string()));
    }
    let mut out = Vec::new();
    let mut notes = Vec::new();
    for (i, r) in md.results.iter().enumerate() {
        let Some(metric) = metric_of(r) else {
            notes.push(format!(
                "metric result {} (label \"{}\") is none of {}: not used",
                r.id,
                r.label,
                KNOWN.join(", ")
            ));
            continue;
        };
        let kind = kind_of(metric);
        let cands = names(kind);
        let resource = if let Some((_, n)) = explicit.iter().find(|(id, _)| *id == r.id) {
            if !cands.contains(n) {
                return Err(format!(
                    "--map {}={n}: {metric} belongs to a {}, and there is no {} named \"{n}\" (there are: {})",
                    r.id,
                    kind.noun(),
                    kind.noun(),
                    if cands.is_empty() {
                        "none".to_string()
                    } else {
                        cands.join(", ")
                    }
                ));
            }
            n.clone()
        } else {
            let words: Vec<&str> = r
                .label
                .split(|c: char| c.is_whitespace() || c == '/' || c == ',' || c == '"')
                .collect();
            let hits: Vec<&String> = cands
                .iter()
                .filter(|c| words.contains(&c.as_str()))
                .collect();
            match (hits.as_slice(), cands.as_slice()) {
                ([one], _) => (*one).clone(),
                ([], [only]) => only.clone(),
                ([], []) => {
                    notes.push(format!(
                        "metric result {} ({metric}) is for a {}, and there is none: not used",
                        r.id,
                        kind.noun()
                    ));
                    continue;
                }
                _ => {
                    return Err(format!(
                        "metric result {} ({metric}, label \"{}\"): which {} does it measure? ({}) Say it with --map {}=NAME, or put the name in the query's Label",
                        r.id,
                        r.label,
                        kind.noun(),
                        cands.join(", "),
                        r.id
                    ));
                }
            }
        };
        out.push(Assigned {
            result: i,
            metric,
            kind,
            resource,
        });
    }
    Ok((out, notes))
}

/// A per-period Sum as a rate per second over `[start, end)`, one value per
/// period (periods without a datapoint are 0: CloudWatch publishes no Sum
/// for a period without requests). Returns (offset s, per second).
pub fn rate_trace(
    r: &MetricResult,
    start: f64,
    end: f64,
    period: f64,
    per_unit: f64,
) -> Vec<(f64, f64)> {
    let n = ((end - start) / period).round().max(0.0) as usize;
    let mut out: Vec<(f64, f64)> = (0..n).map(|k| (k as f64 * period, 0.0)).collect();
    for &(t, v) in &r.points {
        let k = ((t - start) / period).round();
        if k >= 0.0 && (k as usize) < n {
            out[k as usize].1 = v / period * per_unit;
        }
    }
    out
}

/// A gauge's values at offsets from `start` (s).
pub fn offsets(r: &MetricResult, start: f64) -> Vec<(f64, f64)> {
    r.points.iter().map(|&(t, v)| (t - start, v)).collect()
}
