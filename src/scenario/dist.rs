//! Distributions and rate patterns as written in scenario files.
//!
//! A distribution of durations is a bare duration (constant) or a map with
//! `dist`; a count distribution is a bare number or a map with `dist`. Both are
//! read through a flat "raw" struct (so unknown keys are still reported with a
//! hint) and then checked for the fields their `dist` needs.

use super::units::{Duration, parse_duration};
use crate::sim::rng::{CountSampler, Sampler};
use schemars::JsonSchema;
use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, Visitor, value::MapAccessDeserializer};
use std::borrow::Cow;
use std::fmt;

/// Names of distributions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DistKind {
    /// Always `value`.
    Constant,
    /// Uniform on [min, max].
    Uniform,
    /// Exponential with `mean`.
    Exponential,
    /// Normal with `mean` and `sd`, truncated at 0.
    Normal,
    /// Lognormal with `mean` and `cv` (= sd / mean).
    Lognormal,
    /// Pareto with `scale` and `shape`.
    Pareto,
    /// Uniform choice among `values`.
    Empirical,
    /// Geometric count with `mean` (at least 1).
    Geometric,
    /// Poisson count with `mean`.
    Poisson,
    /// Zipf over `n` keys with exponent `s`.
    Zipf,
}

/// The raw map form of a duration distribution.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DurationDistRaw {
    /// Which distribution.
    pub dist: DistKind,
    /// constant
    #[schemars(example = &"40ms")]
    pub value: Option<Duration>,
    /// uniform
    pub min: Option<Duration>,
    /// uniform
    pub max: Option<Duration>,
    /// exponential, normal, lognormal
    pub mean: Option<Duration>,
    /// normal
    #[schemars(example = &"5ms")]
    pub sd: Option<Duration>,
    /// lognormal
    pub cv: Option<f64>,
    /// pareto
    #[schemars(example = &"10ms")]
    pub scale: Option<Duration>,
    /// pareto
    #[schemars(example = 1.5)]
    pub shape: Option<f64>,
    /// empirical
    pub values: Option<Vec<Duration>>,
}

/// A distribution of durations.
#[derive(Clone, Debug, PartialEq)]
pub enum DurationDist {
    /// Always this.
    Constant(Duration),
    /// Uniform on [min, max].
    Uniform {
        /// lower bound
        min: Duration,
        /// upper bound
        max: Duration,
    },
    /// Exponential.
    Exponential {
        /// mean
        mean: Duration,
    },
    /// Normal truncated at 0.
    Normal {
        /// mean
        mean: Duration,
        /// standard deviation
        sd: Duration,
    },
    /// Lognormal by mean and coefficient of variation.
    Lognormal {
        /// mean
        mean: Duration,
        /// sd / mean
        cv: f64,
    },
    /// Pareto.
    Pareto {
        /// scale (minimum)
        scale: Duration,
        /// shape (alpha)
        shape: f64,
    },
    /// Uniform choice among values.
    Empirical(Vec<Duration>),
}

impl DurationDist {
    /// The engine's sampler for this distribution (ns).
    pub fn sampler(&self) -> Sampler {
        match self {
            DurationDist::Constant(v) => Sampler::Const(v.0),
            DurationDist::Uniform { min, max } => Sampler::Uniform {
                lo: min.0 as f64,
                span: (max.0 - min.0) as f64,
            },
            DurationDist::Exponential { mean } => Sampler::Exp(mean.0 as f64),
            DurationDist::Normal { mean, sd } => Sampler::Normal {
                mean: mean.0 as f64,
                sd: sd.0 as f64,
            },
            DurationDist::Lognormal { mean, cv } => Sampler::lognormal(mean.0, *cv),
            DurationDist::Pareto { scale, shape } => Sampler::pareto(scale.0, *shape),
            DurationDist::Empirical(v) => Sampler::Empirical(v.iter().map(|d| d.0).collect()),
        }
    }
}

impl CountDist {
    /// The engine's sampler for this distribution.
    pub fn sampler(&self) -> CountSampler {
        match self {
            CountDist::Constant(v) => CountSampler::Const(*v),
            CountDist::Geometric { mean } => CountSampler::geometric(*mean),
            CountDist::Poisson { mean } => CountSampler::poisson(*mean),
            CountDist::Uniform { min, max } => CountSampler::Uniform(*min, *max),
            CountDist::Zipf { n, s } => CountSampler::zipf(*n, *s),
        }
    }
}

impl DurationDist {
    /// The distribution's mean, in seconds (for docs, checks and summaries).
    pub fn mean_secs(&self) -> f64 {
        match self {
            DurationDist::Constant(d) => d.as_secs_f64(),
            DurationDist::Uniform { min, max } => (min.as_secs_f64() + max.as_secs_f64()) / 2.0,
            DurationDist::Exponential { mean }
            | DurationDist::Normal { mean, .. }
            | DurationDist::Lognormal { mean, .. } => mean.as_secs_f64(),
            DurationDist::Pareto { scale, shape } => {
                if *shape > 1.0 {
                    scale.as_secs_f64() * shape / (shape - 1.0)
                } else {
                    f64::INFINITY
                }
            }
            DurationDist::Empirical(v) => {
                v.iter().map(|d| d.as_secs_f64()).sum::<f64>() / v.len().max(1) as f64
            }
        }
    }
}

fn need<T: Clone>(v: &Option<T>, dist: &str, field: &str) -> Result<T, String> {
    v.clone()
        .ok_or_else(|| format!("a {dist} distribution needs `{field}`"))
}

impl TryFrom<DurationDistRaw> for DurationDist {
    type Error = String;
    fn try_from(r: DurationDistRaw) -> Result<Self, String> {
        Ok(match r.dist {
            DistKind::Constant => DurationDist::Constant(need(&r.value, "constant", "value")?),
            DistKind::Uniform => {
                let min = need(&r.min, "uniform", "min")?;
                let max = need(&r.max, "uniform", "max")?;
                if min > max {
                    return Err(format!("uniform min ({min}) is greater than max ({max})"));
                }
                DurationDist::Uniform { min, max }
            }
            DistKind::Exponential => DurationDist::Exponential {
                mean: need(&r.mean, "exponential", "mean")?,
            },
            DistKind::Normal => DurationDist::Normal {
                mean: need(&r.mean, "normal", "mean")?,
                sd: need(&r.sd, "normal", "sd")?,
            },
            DistKind::Lognormal => {
                let cv = need(&r.cv, "lognormal", "cv")?;
                if !(cv >= 0.0 && cv.is_finite()) {
                    return Err(format!("lognormal cv must be ≥ 0, found {cv}"));
                }
                DurationDist::Lognormal {
                    mean: need(&r.mean, "lognormal", "mean")?,
                    cv,
                }
            }
            DistKind::Pareto => {
                let shape = need(&r.shape, "pareto", "shape")?;
                if !(shape > 0.0 && shape.is_finite()) {
                    return Err(format!("pareto shape must be > 0, found {shape}"));
                }
                DurationDist::Pareto {
                    scale: need(&r.scale, "pareto", "scale")?,
                    shape,
                }
            }
            DistKind::Empirical => {
                let v = need(&r.values, "empirical", "values")?;
                if v.is_empty() {
                    return Err("an empirical distribution needs at least one value".into());
                }
                DurationDist::Empirical(v)
            }
            other => {
                return Err(format!(
                    "`{}` is a count distribution; durations take constant, uniform, exponential, normal, lognormal, pareto or empirical",
                    kind_name(other)
                ));
            }
        })
    }
}

fn kind_name(k: DistKind) -> &'static str {
    match k {
        DistKind::Constant => "constant",
        DistKind::Uniform => "uniform",
        DistKind::Exponential => "exponential",
        DistKind::Normal => "normal",
        DistKind::Lognormal => "lognormal",
        DistKind::Pareto => "pareto",
        DistKind::Empirical => "empirical",
        DistKind::Geometric => "geometric",
        DistKind::Poisson => "poisson",
        DistKind::Zipf => "zipf",
    }
}

struct DurationDistVisitor;

impl<'de> Visitor<'de> for DurationDistVisitor {
    type Value = DurationDist;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a duration like \"40ms\" or a map like {dist: exponential, mean: 40ms}")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<DurationDist, E> {
        parse_duration(v)
            .map(DurationDist::Constant)
            .map_err(E::custom)
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<DurationDist, E> {
        Err(E::custom(format!(
            "expected a duration like \"{v}ms\", found {v}"
        )))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<DurationDist, E> {
        Err(E::custom(format!(
            "expected a duration like \"30s\", found {v}"
        )))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<DurationDist, E> {
        Err(E::custom(format!(
            "expected a duration like \"30s\", found {v}"
        )))
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<DurationDist, A::Error> {
        let raw = DurationDistRaw::deserialize(MapAccessDeserializer::new(map))?;
        DurationDist::try_from(raw).map_err(de::Error::custom)
    }
}

impl<'de> Deserialize<'de> for DurationDist {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(DurationDistVisitor)
    }
}

impl JsonSchema for DurationDist {
    fn schema_name() -> Cow<'static, str> {
        "DurationDist".into()
    }
    fn json_schema(g: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let d = g.subschema_for::<Duration>();
        let m = g.subschema_for::<DurationDistRaw>();
        schemars::json_schema!({ "anyOf": [d, m] })
    }
}

/// The raw map form of a count distribution.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CountDistRaw {
    /// Which distribution: constant, geometric, poisson, uniform, zipf.
    pub dist: DistKind,
    /// constant
    #[schemars(example = 3)]
    pub value: Option<f64>,
    /// geometric, poisson
    pub mean: Option<f64>,
    /// uniform (integer bounds, inclusive)
    pub min: Option<f64>,
    /// uniform
    pub max: Option<f64>,
    /// zipf, uniform: number of distinct values
    pub n: Option<u64>,
    /// zipf exponent
    pub s: Option<f64>,
}

/// A distribution of whole numbers (request counts, keys, message groups).
#[derive(Clone, Debug, PartialEq)]
pub enum CountDist {
    /// Always this.
    Constant(u64),
    /// Geometric on {1, 2, …} with this mean.
    Geometric {
        /// mean (≥ 1)
        mean: f64,
    },
    /// Poisson with this mean.
    Poisson {
        /// mean
        mean: f64,
    },
    /// Uniform over `n` values 0..n (keys, groups) or over [min, max].
    Uniform {
        /// lowest value
        min: u64,
        /// highest value
        max: u64,
    },
    /// Zipf over `n` values with exponent `s` (rank 1 is the hottest).
    Zipf {
        /// number of values
        n: u64,
        /// exponent
        s: f64,
    },
}

impl CountDist {
    /// Mean of the distribution.
    pub fn mean(&self) -> f64 {
        match self {
            CountDist::Constant(v) => *v as f64,
            CountDist::Geometric { mean } | CountDist::Poisson { mean } => *mean,
            CountDist::Uniform { min, max } => (*min as f64 + *max as f64) / 2.0,
            CountDist::Zipf { n, .. } => *n as f64 / 2.0,
        }
    }
}

impl TryFrom<CountDistRaw> for CountDist {
    type Error = String;
    fn try_from(r: CountDistRaw) -> Result<Self, String> {
        let nonneg = |v: f64, what: &str| {
            if v.is_finite() && v >= 0.0 {
                Ok(v)
            } else {
                Err(format!("{what} must be a number ≥ 0, found {v}"))
            }
        };
        Ok(match r.dist {
            DistKind::Constant => {
                CountDist::Constant(nonneg(need(&r.value, "constant", "value")?, "value")? as u64)
            }
            DistKind::Geometric => {
                let mean = nonneg(need(&r.mean, "geometric", "mean")?, "mean")?;
                if mean < 1.0 {
                    return Err(format!("a geometric count has mean ≥ 1, found {mean}"));
                }
                CountDist::Geometric { mean }
            }
            DistKind::Poisson => CountDist::Poisson {
                mean: nonneg(need(&r.mean, "poisson", "mean")?, "mean")?,
            },
            DistKind::Uniform => match (r.n, r.min, r.max) {
                (Some(n), None, None) if n >= 1 => CountDist::Uniform { min: 0, max: n - 1 },
                (None, Some(a), Some(b)) if a <= b && a >= 0.0 => CountDist::Uniform {
                    min: a as u64,
                    max: b as u64,
                },
                _ => {
                    return Err(
                        "a uniform count needs `n` (values 0..n) or `min` ≤ `max`".to_string()
                    );
                }
            },
            DistKind::Zipf => {
                let n = need(&r.n, "zipf", "n")?;
                let s = need(&r.s, "zipf", "s")?;
                if n == 0 || !(s > 0.0 && s.is_finite()) {
                    return Err("a zipf distribution needs n ≥ 1 and s > 0".into());
                }
                CountDist::Zipf { n, s }
            }
            other => {
                return Err(format!(
                    "`{}` is a duration distribution; counts take constant, geometric, poisson, uniform or zipf",
                    kind_name(other)
                ));
            }
        })
    }
}

struct CountDistVisitor;

impl<'de> Visitor<'de> for CountDistVisitor {
    type Value = CountDist;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a whole number or a map like {dist: geometric, mean: 20}")
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<CountDist, E> {
        Ok(CountDist::Constant(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<CountDist, E> {
        if v >= 0 {
            Ok(CountDist::Constant(v as u64))
        } else {
            Err(E::custom(format!("expected a count ≥ 0, found {v}")))
        }
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<CountDist, E> {
        Err(E::custom(format!("expected a whole number, found {v}")))
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<CountDist, A::Error> {
        let raw = CountDistRaw::deserialize(MapAccessDeserializer::new(map))?;
        CountDist::try_from(raw).map_err(de::Error::custom)
    }
}

impl<'de> Deserialize<'de> for CountDist {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(CountDistVisitor)
    }
}

impl JsonSchema for CountDist {
    fn schema_name() -> Cow<'static, str> {
        "CountDist".into()
    }
    fn json_schema(g: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let m = g.subschema_for::<CountDistRaw>();
        schemars::json_schema!({ "anyOf": [{"type": "integer", "minimum": 0}, m] })
    }
}

/// Rate pattern names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PatternKind {
    /// Constant `rps`.
    Constant,
    /// Piecewise constant `steps`.
    Step,
    /// Linear from `from` to `to` starting at `start`, over `over`.
    Ramp,
    /// Sinusoid between `min` and `max` with `period`, peaking at `peak_at`.
    Diurnal,
    /// `base`, jumping to `peak` at `at` for `duration`.
    Spike,
    /// A CSV trace `t_s,rps`.
    Trace,
}

/// Interpolation between trace rows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Interpolation {
    /// Each row's rate holds until the next (right for per-minute averages).
    #[default]
    Step,
    /// Linear between rows.
    Linear,
}

/// One step of a `step` pattern.
#[derive(Clone, Debug, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RateStep {
    /// When this rate starts (offset from the run start).
    pub at: Duration,
    /// Rate from then on, per second.
    pub rps: f64,
}

/// The raw map form of a rate pattern.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RatePatternRaw {
    /// Which pattern.
    pub pattern: PatternKind,
    /// constant
    #[schemars(example = 300)]
    pub rps: Option<f64>,
    /// step
    pub steps: Option<Vec<RateStep>>,
    /// ramp
    #[schemars(example = 100)]
    pub from: Option<f64>,
    /// ramp
    #[schemars(example = 600)]
    pub to: Option<f64>,
    /// ramp start; trace: skip this far into the trace
    #[schemars(example = &"5m")]
    pub start: Option<Duration>,
    /// ramp length
    #[schemars(example = &"10m")]
    pub over: Option<Duration>,
    /// diurnal
    pub min: Option<f64>,
    /// diurnal
    pub max: Option<f64>,
    /// diurnal period (default 24h)
    pub period: Option<Duration>,
    /// diurnal: time of the peak within the period
    pub peak_at: Option<Duration>,
    /// spike
    pub base: Option<f64>,
    /// spike
    pub peak: Option<f64>,
    /// spike start
    pub at: Option<Duration>,
    /// spike length
    pub duration: Option<Duration>,
    /// trace CSV (header `t_s,rps`), relative to the scenario file
    #[schemars(example = &"traces/monday.csv")]
    pub file: Option<String>,
    /// trace: multiply the rate
    #[schemars(example = 2)]
    pub scale: Option<f64>,
    /// trace: stretch time
    #[schemars(example = 0.5)]
    pub time_scale: Option<f64>,
    /// trace interpolation
    #[schemars(example = &"linear")]
    pub interpolation: Option<Interpolation>,
}

/// An arrival rate over time, per second.
#[derive(Clone, Debug, PartialEq)]
pub enum Rate {
    /// Constant.
    Constant(f64),
    /// Piecewise constant; before the first step the rate is 0.
    Step(Vec<RateStep>),
    /// Linear ramp.
    Ramp {
        /// rate before `start`
        from: f64,
        /// rate after `start + over`
        to: f64,
        /// ramp start
        start: Duration,
        /// ramp length
        over: Duration,
    },
    /// Raised cosine between min and max.
    Diurnal {
        /// lowest rate
        min: f64,
        /// highest rate
        max: f64,
        /// period
        period: Duration,
        /// when within the period the peak is
        peak_at: Duration,
    },
    /// A rectangular spike.
    Spike {
        /// rate outside the spike
        base: f64,
        /// rate during the spike
        peak: f64,
        /// spike start
        at: Duration,
        /// spike length
        duration: Duration,
    },
    /// A trace file; resolved into points by the loader.
    Trace {
        /// path as written (relative to the scenario file)
        file: String,
        /// skip this far into the trace
        start: Duration,
        /// multiply the rate
        scale: f64,
        /// stretch time
        time_scale: f64,
        /// interpolation
        interpolation: Interpolation,
        /// (t_s, rps) rows read from the file, filled in by the loader
        points: Vec<(f64, f64)>,
    },
}

impl TryFrom<RatePatternRaw> for Rate {
    type Error = String;
    fn try_from(r: RatePatternRaw) -> Result<Self, String> {
        let rate_ok = |v: f64, what: &str| {
            if v.is_finite() && v >= 0.0 {
                Ok(v)
            } else {
                Err(format!("{what} must be a rate ≥ 0 per second, found {v}"))
            }
        };
        Ok(match r.pattern {
            PatternKind::Constant => {
                Rate::Constant(rate_ok(need(&r.rps, "constant", "rps")?, "rps")?)
            }
            PatternKind::Step => {
                let steps = need(&r.steps, "step", "steps")?;
                if steps.is_empty() {
                    return Err("a step pattern needs at least one step".into());
                }
                for w in steps.windows(2) {
                    if w[1].at < w[0].at {
                        return Err(format!(
                            "steps must be in time order ({} comes after {})",
                            w[1].at, w[0].at
                        ));
                    }
                }
                for s in &steps {
                    rate_ok(s.rps, "rps")?;
                }
                Rate::Step(steps)
            }
            PatternKind::Ramp => Rate::Ramp {
                from: rate_ok(need(&r.from, "ramp", "from")?, "from")?,
                to: rate_ok(need(&r.to, "ramp", "to")?, "to")?,
                start: r.start.unwrap_or_default(),
                over: need(&r.over, "ramp", "over")?,
            },
            PatternKind::Diurnal => {
                let min = rate_ok(need(&r.min, "diurnal", "min")?, "min")?;
                let max = rate_ok(need(&r.max, "diurnal", "max")?, "max")?;
                if min > max {
                    return Err(format!("diurnal min ({min}) is greater than max ({max})"));
                }
                let period = r.period.unwrap_or(Duration::secs(86400));
                if period.0 == 0 {
                    return Err("diurnal period must be longer than 0s".into());
                }
                Rate::Diurnal {
                    min,
                    max,
                    period,
                    peak_at: r.peak_at.unwrap_or(Duration::secs(14 * 3600)),
                }
            }
            PatternKind::Spike => Rate::Spike {
                base: rate_ok(need(&r.base, "spike", "base")?, "base")?,
                peak: rate_ok(need(&r.peak, "spike", "peak")?, "peak")?,
                at: need(&r.at, "spike", "at")?,
                duration: need(&r.duration, "spike", "duration")?,
            },
            PatternKind::Trace => {
                let scale = r.scale.unwrap_or(1.0);
                let time_scale = r.time_scale.unwrap_or(1.0);
                rate_ok(scale, "scale")?;
                if !(time_scale > 0.0 && time_scale.is_finite()) {
                    return Err(format!("time_scale must be > 0, found {time_scale}"));
                }
                Rate::Trace {
                    file: need(&r.file, "trace", "file")?,
                    start: r.start.unwrap_or_default(),
                    scale,
                    time_scale,
                    interpolation: r.interpolation.unwrap_or_default(),
                    points: Vec::new(),
                }
            }
        })
    }
}

struct RateVisitor;

impl<'de> Visitor<'de> for RateVisitor {
    type Value = Rate;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a rate per second like 120, or a pattern like {pattern: step, steps: [...]}")
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Rate, E> {
        Ok(Rate::Constant(v as f64))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Rate, E> {
        if v >= 0 {
            Ok(Rate::Constant(v as f64))
        } else {
            Err(E::custom(format!("a rate must be ≥ 0, found {v}")))
        }
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Rate, E> {
        if v.is_finite() && v >= 0.0 {
            Ok(Rate::Constant(v))
        } else {
            Err(E::custom(format!("a rate must be ≥ 0, found {v}")))
        }
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Rate, E> {
        Err(E::custom(format!(
            "expected a rate per second (a plain number like 120), found \"{v}\""
        )))
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Rate, A::Error> {
        let raw = RatePatternRaw::deserialize(MapAccessDeserializer::new(map))?;
        Rate::try_from(raw).map_err(de::Error::custom)
    }
}

impl<'de> Deserialize<'de> for Rate {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(RateVisitor)
    }
}

impl JsonSchema for Rate {
    fn schema_name() -> Cow<'static, str> {
        "Rate".into()
    }
    fn json_schema(g: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let m = g.subschema_for::<RatePatternRaw>();
        schemars::json_schema!({ "anyOf": [{"type": "number", "minimum": 0}, m] })
    }
}
