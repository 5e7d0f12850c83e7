//! A small log-linear histogram for per-period percentiles on the hot path:
//! recording is a shift and an increment. 32 sub-buckets per power of two
//! bound the relative error of a reported percentile by 1/64 (a bucket's
//! midpoint); the run's summary percentiles use an HDR histogram instead.

const SUB: u32 = 5; // 2^5 = 32 sub-buckets
const BUCKETS: usize = (64 - SUB as usize + 1) * 32;

/// Log-linear histogram of u64 values.
#[derive(Clone, Debug)]
pub struct LogHist {
    counts: Vec<u32>,
    total: u64,
}

impl Default for LogHist {
    fn default() -> Self {
        LogHist {
            counts: vec![0; BUCKETS],
            total: 0,
        }
    }
}

#[inline]
fn index(v: u64) -> usize {
    if v < 32 {
        v as usize
    } else {
        let e = 63 - v.leading_zeros();
        let m = (v >> (e - SUB)) & 31;
        ((e - SUB + 1) * 32 + m as u32) as usize
    }
}

fn midpoint(idx: usize) -> u64 {
    if idx < 32 {
        return idx as u64;
    }
    let group = (idx / 32) as u32;
    let m = (idx % 32) as u64;
    let shift = group - 1;
    let lo = (32 + m) << shift;
    lo + ((1u64 << shift) >> 1)
}

impl LogHist {
    /// Record one value.
    #[inline]
    pub fn record(&mut self, v: u64) {
        self.counts[index(v)] += 1;
        self.total += 1;
    }

    /// Values recorded.
    pub fn len(&self) -> u64 {
        self.total
    }

    /// True when nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.total == 0
    }

    /// The value at quantile `q` in [0, 1] (nearest rank), as its bucket's midpoint.
    pub fn quantile(&self, q: f64) -> u64 {
        if self.total == 0 {
            return 0;
        }
        let rank = ((q * self.total as f64).ceil() as u64).clamp(1, self.total);
        let mut seen = 0u64;
        for (i, &c) in self.counts.iter().enumerate() {
            seen += c as u64;
            if seen >= rank {
                return midpoint(i);
            }
        }
        midpoint(BUCKETS - 1)
    }

    /// Forget everything.
    pub fn reset(&mut self) {
        if self.total > 0 {
            self.counts.iter_mut().for_each(|c| *c = 0);
            self.total = 0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_within_a_sixty_fourth() {
        let mut h = LogHist::default();
        for v in 1..=100_000u64 {
            h.record(v);
        }
        for (q, want) in [(0.5, 50_000.0), (0.99, 99_000.0), (0.01, 1_000.0)] {
            let got = h.quantile(q) as f64;
            assert!(
                (got / want - 1.0).abs() <= 1.0 / 64.0 + 1e-9,
                "q {q}: {got} vs {want}"
            );
        }
        assert_eq!(h.quantile(0.0), 1);
        h.reset();
        assert!(h.is_empty());
        h.record(7);
        assert_eq!(h.quantile(0.5), 7);
        h.record(u64::MAX);
        assert!(h.quantile(1.0) > 1 << 62);
    }
}
