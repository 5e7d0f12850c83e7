//! What drives the system: arrival processes with time-varying rates, and
//! client sessions.
//!
//! Non-homogeneous Poisson arrivals are drawn by thinning (Lewis & Shedler):
//! candidates at the pattern's maximum rate, each kept with probability
//! rate(t)/max. Rejected candidates cost a random draw, not an event.

use crate::scenario::dist::Interpolation;
use crate::scenario::{Rate, Workload};
use crate::sim::SimTime;
use crate::sim::rng::{CountSampler, Exp1Ahead, Rng, Sampler};
use rand::RngExt;
use rand_distr::Exp1;

const NS: f64 = 1e9;

/// A rate pattern prepared for evaluation at any time.
#[derive(Clone, Debug)]
pub struct RateFn {
    rate: Rate,
    max: f64,
}

impl RateFn {
    /// Prepare a rate pattern.
    pub fn new(rate: &Rate) -> RateFn {
        let max = match rate {
            Rate::Constant(r) => *r,
            Rate::Step(steps) => steps.iter().map(|s| s.rps).fold(0.0, f64::max),
            Rate::Ramp { from, to, .. } => from.max(*to),
            Rate::Diurnal { max, .. } => *max,
            Rate::Spike { base, peak, .. } => base.max(*peak),
            Rate::Trace { points, scale, .. } => {
                points.iter().map(|p| p.1).fold(0.0, f64::max) * scale
            }
        };
        RateFn {
            rate: rate.clone(),
            max,
        }
    }

    /// The largest rate the pattern reaches.
    pub fn max(&self) -> f64 {
        self.max
    }

    /// Rate per second at time `t` (ns since start).
    pub fn at(&self, t: SimTime) -> f64 {
        let ts = t as f64 / NS;
        match &self.rate {
            Rate::Constant(r) => *r,
            Rate::Step(steps) => {
                // Before the first step: 0.
                let mut r = 0.0;
                for s in steps {
                    if s.at.0 <= t {
                        r = s.rps;
                    } else {
                        break;
                    }
                }
                r
            }
            Rate::Ramp {
                from,
                to,
                start,
                over,
            } => {
                if t <= start.0 {
                    *from
                } else if over.0 == 0 || t >= start.0 + over.0 {
                    *to
                } else {
                    from + (to - from) * ((t - start.0) as f64 / over.0 as f64)
                }
            }
            Rate::Diurnal {
                min,
                max,
                period,
                peak_at,
            } => {
                let phase = (ts - peak_at.as_secs_f64()) / period.as_secs_f64();
                min + (max - min) * (1.0 + (2.0 * std::f64::consts::PI * phase).cos()) / 2.0
            }
            Rate::Spike {
                base,
                peak,
                at,
                duration,
            } => {
                if t >= at.0 && t < at.0 + duration.0 {
                    *peak
                } else {
                    *base
                }
            }
            Rate::Trace {
                start,
                scale,
                time_scale,
                interpolation,
                points,
                ..
            } => {
                if points.is_empty() {
                    return 0.0;
                }
                let tau = start.as_secs_f64() + ts / time_scale;
                let i = points.partition_point(|p| p.0 <= tau);
                let r = if i == 0 {
                    points[0].1
                } else if i >= points.len() {
                    // After the last row its rate holds.
                    points[points.len() - 1].1
                } else {
                    let (t0, r0) = points[i - 1];
                    match interpolation {
                        Interpolation::Step => r0,
                        Interpolation::Linear => {
                            let (t1, r1) = points[i];
                            r0 + (r1 - r0) * (tau - t0) / (t1 - t0)
                        }
                    }
                };
                r * scale
            }
        }
    }
}

/// A workload's arrival process.
pub struct ArrivalProcess {
    rate: RateFn,
    poisson: bool,
    /// Constant-rate fast path.
    constant: bool,
}

impl ArrivalProcess {
    /// Prepare the arrival process of a workload.
    pub fn new(w: &Workload) -> ArrivalProcess {
        let rate = RateFn::new(&w.rate);
        ArrivalProcess {
            constant: matches!(w.rate, Rate::Constant(_)),
            poisson: w.arrivals == crate::scenario::Arrivals::Poisson,
            rate,
        }
    }

    /// The rate pattern.
    pub fn rate(&self) -> &RateFn {
        &self.rate
    }

    /// The next arrival strictly after `now`, or None if none before `end`.
    #[inline]
    /// A constant-rate Poisson process draws nothing from `rng` but Exp(1)
    /// gaps, so they come from `ahead`; otherwise `ahead` is unused.
    pub fn next(
        &self,
        now: SimTime,
        end: SimTime,
        rng: &mut Rng,
        ahead: &mut Exp1Ahead,
    ) -> Option<SimTime> {
        let max = self.rate.max;
        if max <= 0.0 {
            return None;
        }
        if self.poisson {
            let mut t = now as f64;
            loop {
                t += if self.constant {
                    ahead.draw_mapped(rng, |e| e * NS / max)
                } else {
                    let e: f64 = rng.sample(Exp1);
                    e * NS / max
                };
                if t > end as f64 {
                    return None;
                }
                let ti = ((t + 0.5) as SimTime).max(now + 1);
                if self.constant || rng.random::<f64>() * max < self.rate.at(ti) {
                    return Some(ti);
                }
            }
        } else {
            // Evenly spaced at the current rate; where the rate is 0, look
            // ahead in 1 s steps.
            let mut t = now;
            loop {
                let r = self.rate.at(t);
                if r > 0.0 {
                    let next = t + ((NS / r).round() as SimTime).max(1);
                    return (next <= end).then_some(next);
                }
                t += 1_000_000_000;
                if t > end {
                    return None;
                }
            }
        }
    }
}

/// Samplers of a workload's sessions.
pub struct SessionModel {
    /// Requests per session.
    pub requests: CountSampler,
    /// Think time.
    pub think: Sampler,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Duration;
    use crate::scenario::dist::RateStep;

    #[test]
    fn patterns_evaluate_as_documented() {
        let s = RateFn::new(&Rate::Step(vec![
            RateStep {
                at: Duration::secs(0),
                rps: 100.0,
            },
            RateStep {
                at: Duration::secs(1800),
                rps: 600.0,
            },
        ]));
        assert_eq!(s.at(0), 100.0);
        assert_eq!(s.at(1800 * 1_000_000_000), 600.0);
        assert_eq!(s.max(), 600.0);
        let r = RateFn::new(&Rate::Ramp {
            from: 50.0,
            to: 600.0,
            start: Duration::secs(600),
            over: Duration::secs(3600),
        });
        assert_eq!(r.at(0), 50.0);
        assert!((r.at(2400 * 1_000_000_000) - 325.0).abs() < 1e-9);
        let d = RateFn::new(&Rate::Diurnal {
            min: 100.0,
            max: 1000.0,
            period: Duration::secs(86400),
            peak_at: Duration::secs(14 * 3600),
        });
        assert!((d.at(14 * 3600 * 1_000_000_000) - 1000.0).abs() < 1e-9);
        assert!((d.at(2 * 3600 * 1_000_000_000) - 100.0).abs() < 1e-9);
    }

    #[test]
    fn poisson_thinning_matches_the_integrated_rate() {
        // A ramp 0 → 1000/s over 100 s has 50,000 expected arrivals.
        let p = ArrivalProcess {
            rate: RateFn::new(&Rate::Ramp {
                from: 0.0,
                to: 1000.0,
                start: Duration(0),
                over: Duration::secs(100),
            }),
            poisson: true,
            constant: false,
        };
        let mut rng = crate::sim::stream(3, "t");
        let end = 100 * 1_000_000_000;
        let mut t = 0;
        let mut n = 0u64;
        let mut ahead = Exp1Ahead::default();
        while let Some(nt) = p.next(t, end, &mut rng, &mut ahead) {
            t = nt;
            n += 1;
        }
        // sd = sqrt(50000) ≈ 224; 4 sd.
        assert!((n as f64 - 50_000.0).abs() < 900.0, "n = {n}");
    }

    #[test]
    fn constant_poisson_gaps_drawn_ahead_are_the_streams_own() {
        // 900/s: each gap is the stream's next Exp(1) draw scaled by the
        // mean gap, rounded to the nanosecond, exactly as drawn one by one.
        let p = ArrivalProcess {
            rate: RateFn::new(&Rate::Constant(900.0)),
            poisson: true,
            constant: true,
        };
        let mut rng = crate::sim::stream(5, "t");
        let mut reference = crate::sim::stream(5, "t");
        let mut ahead = Exp1Ahead::default();
        let end = 10 * 1_000_000_000;
        let mut t = 0;
        let mut n = 0;
        while let Some(nt) = p.next(t, end, &mut rng, &mut ahead) {
            let e: f64 = reference.sample(Exp1);
            let want = ((t as f64 + e * NS / 900.0 + 0.5) as SimTime).max(t + 1);
            assert_eq!(nt, want, "arrival {n}");
            t = nt;
            n += 1;
        }
        assert!(n > 8_000, "{n} arrivals in 10 s at 900/s");
    }
}
