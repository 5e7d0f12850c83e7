//! Seeded random streams, one per component, and samplers for the scenario's
//! distributions.
//!
//! Every component draws from its own `ChaCha8Rng` (value-stable across
//! platforms and patch releases, unlike `StdRng`), seeded with the scenario
//! seed and switched to a stream chosen by a hash of the component's name. So
//! adding a component or changing a variant leaves the other components'
//! draws unchanged: common random numbers for comparisons.

use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};
use rand_distr::{Distribution, Exp1, Geometric, LogNormal, Pareto, Poisson, StandardNormal, Zipf};

/// The generator every component uses.
pub type Rng = ChaCha8Rng;

/// FNV-1a, 64 bit: a fixed, documented hash, so stream numbers never change.
pub fn fnv1a(s: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// How many Exp(1) draws [`Exp1Ahead`] makes at a time.
const AHEAD: usize = 64;

/// A stream's Exp(1) draws, made `AHEAD` at a time.
///
/// Drawn one by one inside the event loop, each draw waits on the
/// generator's buffer and the ziggurat's table behind the loop's
/// mispredicted branches; a block of draws that do not depend on each other
/// overlaps in the CPU (measured: the M/M/10 benchmark's arrival and service
/// draws, see `benches/production.py`). Only for a stream that serves
/// nothing but Exp(1) draws, in order: then every draw is the one the stream
/// would have given one at a time, and a run's outputs are unchanged. The
/// draws made ahead and never used only move the stream's state past the
/// end of its use.
#[derive(Clone, Debug)]
pub struct Exp1Ahead {
    buf: [f64; AHEAD],
    next: usize,
    /// Set by [`Exp1Ahead::scaled`]: every draw is `Sampler::Exp` of this
    /// mean, and the buffer holds the holds before rounding.
    scale: Option<f64>,
}

impl Default for Exp1Ahead {
    fn default() -> Self {
        Exp1Ahead {
            buf: [0.0; AHEAD],
            next: AHEAD,
            scale: None,
        }
    }
}

impl Exp1Ahead {
    /// Draws made ahead for a stream that serves only `Sampler::Exp(mean)`
    /// (and `Const`) samples: the scaling is made in the block too, with the
    /// same arithmetic as one at a time.
    pub fn scaled(mean: f64) -> Self {
        Exp1Ahead {
            scale: Some(mean),
            ..Self::default()
        }
    }

    /// The stream's next Exp(1) draw.
    #[inline]
    pub fn draw(&mut self, rng: &mut Rng) -> f64 {
        self.draw_mapped(rng, |e| e)
    }

    /// `f` of the stream's next Exp(1) draw, computed with the block's
    /// other draws (a division there overlaps with the others instead of
    /// delaying the event that waits on it). Every draw of one buffer must
    /// use the same `f`: its values are computed ahead.
    #[inline]
    pub fn draw_mapped(&mut self, rng: &mut Rng, f: impl Fn(f64) -> f64) -> f64 {
        if self.next == AHEAD {
            self.refill(rng, f);
        }
        let x = self.buf[self.next];
        self.next += 1;
        x
    }

    #[inline(never)]
    fn refill(&mut self, rng: &mut Rng, f: impl Fn(f64) -> f64) {
        for x in &mut self.buf {
            *x = f(rng.sample(Exp1));
        }
        self.next = 0;
    }
}

/// The random stream of the component named `name` (e.g. `workload/shoppers`).
pub fn stream(seed: u64, name: &str) -> Rng {
    let mut r = ChaCha8Rng::seed_from_u64(seed);
    r.set_stream(fnv1a(name));
    r
}

/// A prepared sampler of durations in nanoseconds.
#[derive(Clone, Debug)]
pub enum Sampler {
    /// Always this.
    Const(u64),
    /// Uniform on [lo, lo + span].
    Uniform {
        /// lower bound, ns
        lo: f64,
        /// width, ns
        span: f64,
    },
    /// Exponential with this mean (ns).
    Exp(f64),
    /// Normal truncated at 0 (redrawn), ns.
    Normal {
        /// mean ns
        mean: f64,
        /// sd ns
        sd: f64,
    },
    /// Lognormal, ns.
    LogNormal(LogNormal<f64>),
    /// Pareto, ns.
    Pareto(Pareto<f64>),
    /// Uniform choice.
    Empirical(Vec<u64>),
}

impl Sampler {
    /// Lognormal with this mean (ns) and coefficient of variation; a
    /// constant when either is 0.
    pub fn lognormal(mean: u64, cv: f64) -> Sampler {
        if cv == 0.0 || mean == 0 {
            return Sampler::Const(mean);
        }
        // mean m, cv c: sigma² = ln(1 + c²), mu = ln m − sigma²/2
        let s2 = (1.0 + cv * cv).ln();
        let mu = (mean as f64).ln() - s2 / 2.0;
        match LogNormal::new(mu, s2.sqrt()) {
            Ok(l) => Sampler::LogNormal(l),
            Err(_) => Sampler::Const(mean),
        }
    }

    /// Pareto with this scale (ns) and shape.
    pub fn pareto(scale: u64, shape: f64) -> Sampler {
        match Pareto::new(scale.max(1) as f64, shape) {
            Ok(p) => Sampler::Pareto(p),
            Err(_) => Sampler::Const(scale),
        }
    }

    /// Draw a duration in nanoseconds.
    #[inline]
    pub fn sample(&self, rng: &mut Rng) -> u64 {
        let x = match self {
            Sampler::Const(v) => return *v,
            Sampler::Exp(mean) => {
                let e: f64 = rng.sample(Exp1);
                e * mean
            }
            Sampler::Uniform { lo, span } => lo + span * rng.random::<f64>(),
            Sampler::Normal { mean, sd } => {
                // Truncated at 0 by redrawing (bounded: fall back to 0).
                let mut v = 0.0;
                for _ in 0..64 {
                    let z: f64 = rng.sample(StandardNormal);
                    v = mean + sd * z;
                    if v >= 0.0 {
                        break;
                    }
                    v = 0.0;
                }
                v
            }
            Sampler::LogNormal(l) => l.sample(rng),
            Sampler::Pareto(p) => p.sample(rng),
            Sampler::Empirical(v) => return v[rng.random_range(0..v.len() as u64) as usize],
        };
        // Nearest nanosecond; `as` saturates (NaN → 0, huge → u64::MAX),
        // and negative values cannot occur.
        (x + 0.5) as u64
    }

    /// Whether the sampler draws nothing but Exp(1) values (or nothing), so
    /// a stream that serves only such samplers may draw ahead
    /// ([`Exp1Ahead`]).
    pub fn draws_only_exp1(&self) -> bool {
        matches!(self, Sampler::Const(_) | Sampler::Exp(_))
    }

    /// [`Sampler::sample`] for a stream that serves only samplers for which
    /// [`Sampler::draws_only_exp1`] holds, with its draws made ahead: the
    /// same value `sample` gives.
    #[inline]
    pub fn sample_ahead(&self, rng: &mut Rng, ahead: &mut Exp1Ahead) -> u64 {
        match self {
            Sampler::Const(v) => *v,
            Sampler::Exp(mean) => match ahead.scale {
                Some(m) => {
                    debug_assert_eq!(m, *mean, "a scaled block serves one mean");
                    ahead.draw_mapped(rng, |e| e * m + 0.5) as u64
                }
                None => (ahead.draw(rng) * mean + 0.5) as u64,
            },
            _ => {
                debug_assert!(
                    false,
                    "sample_ahead on a sampler that draws more than Exp(1)"
                );
                self.sample(rng)
            }
        }
    }

    /// Whether it always gives 0.
    pub fn is_zero(&self) -> bool {
        matches!(self, Sampler::Const(0))
    }
}

/// A prepared sampler of whole numbers.
#[derive(Clone, Debug)]
pub enum CountSampler {
    /// Always this.
    Const(u64),
    /// Geometric on {1, 2, …}.
    Geometric(Geometric),
    /// Poisson.
    Poisson(Poisson<f64>),
    /// Uniform on [min, max].
    Uniform(u64, u64),
    /// Zipf on 1..=n.
    Zipf(Zipf<f64>),
}

impl CountSampler {
    /// Geometric on {1, 2, …} with this mean.
    pub fn geometric(mean: f64) -> CountSampler {
        if mean <= 1.0 {
            CountSampler::Const(1)
        } else {
            Geometric::new(1.0 / mean)
                .map(CountSampler::Geometric)
                .unwrap_or(CountSampler::Const(mean.round() as u64))
        }
    }

    /// Poisson with this mean.
    pub fn poisson(mean: f64) -> CountSampler {
        if mean <= 0.0 {
            CountSampler::Const(0)
        } else {
            Poisson::new(mean)
                .map(CountSampler::Poisson)
                .unwrap_or(CountSampler::Const(mean.round() as u64))
        }
    }

    /// Zipf on 1..=n with exponent s.
    pub fn zipf(n: u64, s: f64) -> CountSampler {
        Zipf::new(n as f64, s)
            .map(CountSampler::Zipf)
            .unwrap_or(CountSampler::Const(1))
    }

    /// Draw a count.
    #[inline]
    pub fn sample(&self, rng: &mut Rng) -> u64 {
        match self {
            CountSampler::Const(v) => *v,
            // rand_distr counts failures before the first success: shift to {1, 2, …}.
            CountSampler::Geometric(g) => g.sample(rng) + 1,
            CountSampler::Poisson(p) => p.sample(rng) as u64,
            CountSampler::Uniform(a, b) => rng.random_range(*a..=*b),
            CountSampler::Zipf(z) => z.sample(rng) as u64,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{CountDist, Duration, DurationDist};

    #[test]
    fn draws_made_ahead_are_the_streams_own_draws() {
        let exp = Sampler::Exp(1_000_000.0);
        let konst = Sampler::Const(7);
        // Plain and scaled in the block, each mixed with constant holds:
        // every hold is the one the stream gives one at a time.
        for (ahead, every) in [
            (Exp1Ahead::default(), 3),
            (Exp1Ahead::scaled(1_000_000.0), 5),
        ] {
            let mut ahead = ahead;
            let mut r = stream(9, "ahead");
            let mut reference = stream(9, "ahead");
            // More than one block, so a refill happens mid-sequence.
            for k in 0..1_000 {
                if k % every == 0 {
                    assert_eq!(konst.sample_ahead(&mut r, &mut ahead), 7);
                }
                assert_eq!(
                    exp.sample_ahead(&mut r, &mut ahead),
                    exp.sample(&mut reference),
                    "draw {k}, scaled: {}",
                    ahead.scale.is_some()
                );
            }
        }
        assert!(exp.draws_only_exp1() && konst.draws_only_exp1());
        assert!(!Sampler::Uniform { lo: 0.0, span: 1.0 }.draws_only_exp1());
    }

    #[test]
    fn streams_differ_by_name_and_repeat_by_seed() {
        let a1: Vec<u64> = (0..4).map(|_| stream(7, "a").random()).collect();
        let mut r = stream(7, "a");
        let a2: Vec<u64> = (0..4).map(|_| r.random()).collect();
        let mut r = stream(7, "b");
        let b: Vec<u64> = (0..4).map(|_| r.random()).collect();
        let mut r = stream(8, "a");
        let c: Vec<u64> = (0..4).map(|_| r.random()).collect();
        // a1 draws from four fresh streams; each first draw must equal a2[0].
        assert!(a1.iter().all(|&x| x == a2[0]));
        assert_ne!(a2, b);
        assert_ne!(a2, c);
    }

    #[test]
    fn exponential_and_lognormal_have_their_means() {
        let mut r = stream(1, "t");
        let n = 200_000;
        for d in [
            DurationDist::Exponential {
                mean: Duration::millis(10),
            },
            DurationDist::Lognormal {
                mean: Duration::millis(40),
                cv: 0.5,
            },
            DurationDist::Uniform {
                min: Duration::secs(60),
                max: Duration::secs(120),
            },
        ] {
            let s = d.sampler();
            let m: f64 = (0..n).map(|_| s.sample(&mut r) as f64).sum::<f64>() / n as f64;
            let want = d.mean_secs() * 1e9;
            assert!((m / want - 1.0).abs() < 0.01, "{d:?}: mean {m} vs {want}");
        }
    }

    #[test]
    fn geometric_counts_start_at_one_with_their_mean() {
        let mut r = stream(1, "g");
        let s = CountDist::Geometric { mean: 20.0 }.sampler();
        let n = 200_000;
        let xs: Vec<u64> = (0..n).map(|_| s.sample(&mut r)).collect();
        assert!(xs.iter().all(|&x| x >= 1));
        let m = xs.iter().sum::<u64>() as f64 / n as f64;
        assert!((m / 20.0 - 1.0).abs() < 0.02, "mean {m}");
    }
}
