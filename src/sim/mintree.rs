//! A minimum segment tree over a fixed number of slots.
//!
//! "Which slot holds the least value, searching from a cursor and wrapping
//! around" is the question a least-outstanding-requests router asks on every
//! request. A linear scan costs O(slots) per request; this tree answers it
//! in O(log slots) and updates one slot's value in O(log slots), so routing
//! cost does not grow with the number of targets.

/// Values `u32` per slot; empty padding slots hold `u32::MAX`.
#[derive(Clone, Debug, Default)]
pub struct MinTree {
    /// Number of real slots.
    len: usize,
    /// Leaves start here (a power of two ≥ `len`).
    base: usize,
    /// Heap-ordered nodes: `tree[1]` is the root, leaves at `base..2*base`.
    tree: Vec<u32>,
}

impl MinTree {
    /// A tree over `values` (slot i holds `values[i]`). O(n).
    pub fn from_values(values: impl ExactSizeIterator<Item = u32>) -> Self {
        let len = values.len();
        let base = len.max(1).next_power_of_two();
        let mut tree = vec![u32::MAX; 2 * base];
        for (i, v) in values.enumerate() {
            tree[base + i] = v;
        }
        for i in (1..base).rev() {
            tree[i] = tree[2 * i].min(tree[2 * i + 1]);
        }
        MinTree { len, base, tree }
    }

    /// Set slot `i` to `v`. O(log n).
    #[inline]
    pub fn set(&mut self, i: usize, v: u32) {
        debug_assert!(i < self.len);
        let mut k = self.base + i;
        if self.tree[k] == v {
            return;
        }
        self.tree[k] = v;
        while k > 1 {
            k /= 2;
            let m = self.tree[2 * k].min(self.tree[2 * k + 1]);
            if self.tree[k] == m {
                break;
            }
            self.tree[k] = m;
        }
    }

    /// The first slot holding the least value, searching slots
    /// `from, from+1, …, len-1, 0, 1, …, from-1` in that order; None when
    /// empty. O(log n).
    #[inline]
    pub fn first_min_from(&self, from: usize) -> Option<usize> {
        if self.len == 0 {
            return None;
        }
        let m = self.tree[1];
        self.first_at_most(from, m)
            .or_else(|| self.first_at_most(0, m))
    }

    /// The first slot ≥ `from` whose value is ≤ `m`.
    fn first_at_most(&self, from: usize, m: u32) -> Option<usize> {
        if from >= self.len {
            return None;
        }
        // Walk up from the leaf of `from`: at each level, if the node is a
        // left child, its right sibling covers slots just after the ones
        // already seen; descend into the first sibling whose minimum is ≤ m.
        let mut k = self.base + from;
        if self.tree[k] <= m {
            return Some(from);
        }
        loop {
            // Move to the next subtree to the right at the lowest level.
            while k % 2 == 1 {
                k /= 2;
                if k == 0 {
                    return None;
                }
            }
            k += 1;
            if self.tree[k] <= m {
                break;
            }
        }
        while k < self.base {
            k = if self.tree[2 * k] <= m {
                2 * k
            } else {
                2 * k + 1
            };
        }
        let i = k - self.base;
        (i < self.len).then_some(i)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn reference(values: &[u32], from: usize) -> Option<usize> {
        let n = values.len();
        if n == 0 {
            return None;
        }
        let mut best = from % n;
        let mut best_v = u32::MAX;
        for j in 0..n {
            let k = (from + j) % n;
            if values[k] < best_v {
                best = k;
                best_v = values[k];
            }
        }
        Some(best)
    }

    #[test]
    fn finds_the_first_minimum_after_the_cursor() {
        let t = MinTree::from_values([5u32, 1, 3, 1, 9].into_iter());
        assert_eq!(t.first_min_from(0), Some(1));
        assert_eq!(t.first_min_from(2), Some(3));
        assert_eq!(t.first_min_from(4), Some(1));
        assert_eq!(
            MinTree::from_values(std::iter::empty()).first_min_from(0),
            None
        );
    }

    proptest! {
        /// Same answer as a linear scan from the cursor, through updates.
        #[test]
        fn matches_a_linear_scan(
            init in proptest::collection::vec(0u32..6, 1..40),
            ops in proptest::collection::vec((0usize..40, 0u32..6, 0usize..40), 0..200),
        ) {
            let mut values = init.clone();
            let mut t = MinTree::from_values(init.into_iter());
            for (i, v, from) in ops {
                let i = i % values.len();
                values[i] = v;
                t.set(i, v);
                let from = from % values.len();
                prop_assert_eq!(t.first_min_from(from), reference(&values, from));
            }
        }
    }
}
