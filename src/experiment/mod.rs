//! Many runs of one scenario: `stratus compare` (the base against variants,
//! with common random numbers and replications) and `stratus sweep` (a grid
//! of `--set` values, in parallel, shardable across machines and merged
//! back with `stratus merge`).

pub mod backtest;
pub mod compare;
pub mod stats;
pub mod sweep;
pub mod sweep_chart;
pub mod table;
pub mod tune;
pub mod tune_chart;

use crate::report::metrics::fmt_num;
use crate::report::summary::Summary;
use std::path::Path;

/// Why a command failed: bad input (exit 2, nothing written) or an internal
/// error (exit 1).
#[derive(Debug, Clone, PartialEq)]
pub enum Failure {
    /// The user's input is wrong.
    BadInput(String),
    /// Something broke.
    Internal(String),
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::BadInput(m) | Failure::Internal(m) => f.write_str(m),
        }
    }
}

/// The size guard of a command that makes many runs (compare, sweep,
/// tune), as `stratus run` has for one: work estimated above
/// [`estimate::HUGE_EVENTS`] events in all is refused (exit 2) unless
/// `allow_huge`; an estimate and ETA go to stderr when the work should take
/// more than a few seconds. `events` is the sum of the runs' estimates.
///
/// [`estimate::HUGE_EVENTS`]: crate::scenario::estimate::HUGE_EVENTS
pub fn size_guard(what: &str, runs: u64, events: f64, allow_huge: bool) -> Result<(), Failure> {
    use crate::scenario::estimate::{self, Estimate};
    let e = Estimate {
        events,
        by_workload: Vec::new(),
        periodic: 0.0,
        simulated_s: 0.0,
    };
    if e.is_huge() && !allow_huge {
        return Err(Failure::BadInput(format!(
            "{what}: {runs} runs, {} in all (one core); the limit is {} events. Hint: fewer runs, a shorter `duration` or a lower `rate` (check one run with `stratus validate`), or --allow-huge to run it anyway",
            e.line(),
            estimate::sci(estimate::HUGE_EVENTS)
        )));
    }
    if e.eta_s() > estimate::SHOW_ETA_ABOVE_S {
        eprintln!("stratus: {what}: {runs} runs, {} on one core", e.line());
    }
    Ok(())
}

/// Map an output-folder error (a folder that is not ours is bad input).
pub fn out_failure(e: crate::report::output::OutputError) -> Failure {
    match e {
        crate::report::output::OutputError::NotOurs(_) => {
            Failure::BadInput(format!("stratus: {e}"))
        }
        crate::report::output::OutputError::Io(_) => Failure::Internal(e.to_string()),
    }
}

/// Keys of `summary.json` that are not figures of the run: its identity and
/// the wall-clock time (the one value that varies between identical runs).
const NOT_FIGURES: [&str; 4] = ["scenario", "variant", "seed", "wall_s"];

/// The figures of a summary flattened to dotted keys in `summary.json`
/// order, e.g. `requests.ok`, `requests.latency_ms.p99`,
/// `auto_scaling_groups.web.cost_usd`; numbers as `metrics.csv` prints them
/// (integers plain, at most 6 decimals). `scenario`, `variant`, `seed` and
/// `wall_s` are left out.
pub fn flatten_summary(s: &Summary) -> Vec<(String, String)> {
    // Through the JSON text, read back in order (serde_json's own map would
    // sort the keys).
    let text = serde_json::to_string(s).unwrap_or_default();
    let v: Ordered = serde_json::from_str(&text).unwrap_or(Ordered::Other);
    let mut out = Vec::new();
    if let Ordered::Obj(m) = v {
        for (k, v) in m {
            if !NOT_FIGURES.contains(&k.as_str()) {
                flatten_into(&k, &v, &mut out);
            }
        }
    }
    out
}

/// A JSON value that keeps the order of object keys.
enum Ordered {
    Num(serde_json::Number),
    Obj(Vec<(String, Ordered)>),
    Other,
}

impl<'de> serde::Deserialize<'de> for Ordered {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Ordered;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_u64<E>(self, v: u64) -> Result<Ordered, E> {
                Ok(Ordered::Num(v.into()))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Ordered, E> {
                Ok(Ordered::Num(v.into()))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Ordered, E> {
                Ok(serde_json::Number::from_f64(v).map_or(Ordered::Other, Ordered::Num))
            }
            fn visit_bool<E>(self, v: bool) -> Result<Ordered, E> {
                Ok(Ordered::Num((v as u64).into()))
            }
            fn visit_str<E>(self, _: &str) -> Result<Ordered, E> {
                Ok(Ordered::Other)
            }
            fn visit_unit<E>(self) -> Result<Ordered, E> {
                Ok(Ordered::Other)
            }
            fn visit_none<E>(self) -> Result<Ordered, E> {
                Ok(Ordered::Other)
            }
            fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<Ordered, D::Error> {
                serde::Deserialize::deserialize(d)
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut a: A,
            ) -> Result<Ordered, A::Error> {
                while a.next_element::<serde::de::IgnoredAny>()?.is_some() {}
                Ok(Ordered::Other)
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut a: A,
            ) -> Result<Ordered, A::Error> {
                let mut out = Vec::new();
                while let Some((k, v)) = a.next_entry::<String, Ordered>()? {
                    out.push((k, v));
                }
                Ok(Ordered::Obj(out))
            }
        }
        d.deserialize_any(V)
    }
}

fn flatten_into(prefix: &str, v: &Ordered, out: &mut Vec<(String, String)>) {
    match v {
        Ordered::Obj(m) => {
            for (k, x) in m {
                flatten_into(&format!("{prefix}.{k}"), x, out);
            }
        }
        Ordered::Num(n) => {
            let text = match (n.as_u64(), n.as_i64(), n.as_f64()) {
                (Some(u), _, _) => u.to_string(),
                (None, Some(i), _) => i.to_string(),
                (None, None, Some(f)) => fmt_num(f),
                _ => n.to_string(),
            };
            out.push((prefix.to_string(), text));
        }
        // Strings, nulls and lists are not figures.
        Ordered::Other => {}
    }
}

/// A folder name for a variant (file-name-safe).
pub fn folder_name(name: &str) -> String {
    crate::report::charts::slug(name)
}

/// The scenario file's name for messages.
pub fn shown(path: &Path) -> String {
    path.display().to_string()
}
