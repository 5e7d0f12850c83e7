//! The least value among a fixed number of slots, found from a cursor.
//!
//! "Which slot holds the least value, searching from a cursor and wrapping
//! around" is the question a least-outstanding-requests router asks on every
//! request, and every request changes a slot's value twice (admitted,
//! finished). A linear scan costs O(slots) per request. Here each value
//! below `cap` has a two-level (64-ary) bitset of the slots holding it, so a
//! change is a few bit operations and the query is a `trailing_zeros` per
//! level: O(log₆₄ slots). Values at or above `cap` (a fleet whose every target
//! has over a thousand requests outstanding) fall back to a binary segment
//! tree, O(log₂ slots). Memory is at most `cap` bitsets of slots/8 bytes, and
//! only for values that occur.
//!
//! Measured on the `many-targets` benchmark shape (1,000 targets): the binary
//! tree alone spent 35 % of a least-outstanding-requests run in its update
//! and query (`perf record`).

/// Values below this have a bitset each.
const CAP: u32 = 1024;

/// A hierarchical bitset: `levels[0]` has a bit per slot, `levels[k + 1]` a
/// bit per non-empty word of `levels[k]`; the last level is one word.
#[derive(Clone, Debug, Default)]
struct Bits {
    levels: Vec<Vec<u64>>,
}

impl Bits {
    fn new(len: usize) -> Self {
        let mut levels = Vec::new();
        let mut n = len.max(1);
        loop {
            let words = n.div_ceil(64);
            levels.push(vec![0u64; words]);
            if words == 1 {
                break;
            }
            n = words;
        }
        Bits { levels }
    }

    #[inline]
    fn insert(&mut self, mut i: usize) {
        for level in &mut self.levels {
            let w = &mut level[i / 64];
            let was = *w;
            *w |= 1 << (i % 64);
            if was != 0 {
                return;
            }
            i /= 64;
        }
    }

    #[inline]
    fn remove(&mut self, mut i: usize) {
        for level in &mut self.levels {
            let w = &mut level[i / 64];
            *w &= !(1 << (i % 64));
            if *w != 0 {
                return;
            }
            i /= 64;
        }
    }

    /// The first set slot at or after `from`.
    #[inline]
    fn next_from(&self, from: usize) -> Option<usize> {
        let mut idx = from;
        let mut lvl = 0;
        loop {
            let words = &self.levels[lvl];
            let w = idx / 64;
            if w >= words.len() {
                return None;
            }
            let word = words[w] & (!0u64 << (idx % 64));
            if word != 0 {
                idx = w * 64 + word.trailing_zeros() as usize;
                break;
            }
            if lvl + 1 == self.levels.len() {
                return None;
            }
            idx = w + 1;
            lvl += 1;
        }
        while lvl > 0 {
            lvl -= 1;
            idx = idx * 64 + self.levels[lvl][idx].trailing_zeros() as usize;
        }
        Some(idx)
    }
}

/// Values `u32` per slot, with the least one found from a cursor.
#[derive(Clone, Debug, Default)]
pub struct MinTree {
    values: Vec<u32>,
    /// Per value below `cap`: how many slots hold it, and which.
    count: Vec<u32>,
    sets: Vec<Bits>,
    /// Slots holding `cap` or more, with their values (others `u32::MAX`).
    high: Segments,
    /// Slots holding `cap` or more.
    high_count: usize,
    /// The least value held (meaningless when there are no slots).
    min: u32,
    cap: u32,
}

impl MinTree {
    /// A tree over `values` (slot i holds `values[i]`). O(n).
    pub fn from_values(values: impl ExactSizeIterator<Item = u32>) -> Self {
        Self::with_cap(values, CAP)
    }

    fn with_cap(values: impl ExactSizeIterator<Item = u32>, cap: u32) -> Self {
        let values: Vec<u32> = values.collect();
        let mut t = MinTree {
            high: Segments::from_values(
                values.iter().map(|&v| if v >= cap { v } else { u32::MAX }),
            ),
            high_count: values.iter().filter(|&&v| v >= cap).count(),
            min: values.iter().copied().min().unwrap_or(0),
            count: Vec::new(),
            sets: Vec::new(),
            values,
            cap,
        };
        for i in 0..t.values.len() {
            let v = t.values[i];
            if v < cap {
                t.add_low(i, v);
            }
        }
        t
    }

    #[inline]
    fn add_low(&mut self, i: usize, v: u32) {
        let v = v as usize;
        if self.sets.len() <= v {
            self.grow(v);
        }
        self.count[v] += 1;
        self.sets[v].insert(i);
    }

    /// Bitsets for every value up to `v` (once per value a run reaches).
    #[cold]
    fn grow(&mut self, v: usize) {
        let n = self.values.len();
        self.sets.resize_with(v + 1, || Bits::new(n));
        self.count.resize(v + 1, 0);
    }

    /// Set slot `i` to `v`. O(log₆₄ n) below `cap`.
    #[inline]
    pub fn set(&mut self, i: usize, v: u32) {
        let old = self.values[i];
        if old == v {
            return;
        }
        self.values[i] = v;
        if old < self.cap {
            self.count[old as usize] -= 1;
            self.sets[old as usize].remove(i);
        } else {
            self.high_count -= 1;
        }
        if v < self.cap {
            self.add_low(i, v);
            if old >= self.cap {
                self.high.set(i, u32::MAX);
            }
        } else {
            self.high_count += 1;
            self.high.set(i, v);
        }
        if v < self.min {
            self.min = v;
        } else if old == self.min && !self.holds(old) {
            self.min = self.least_from(old);
        }
    }

    /// Whether some slot holds `v`.
    #[inline]
    fn holds(&self, v: u32) -> bool {
        if v < self.cap {
            self.count[v as usize] > 0
        } else {
            self.high.tree[1] == v
        }
    }

    /// The least value held, knowing none is below `floor`.
    #[cold]
    fn least_from(&self, floor: u32) -> u32 {
        let low = (floor as usize..self.count.len()).find(|&v| self.count[v] > 0);
        match low {
            Some(v) => v as u32,
            None => self.high.tree[1],
        }
    }

    /// The first slot holding the least value, searching slots
    /// `from, from+1, …, len-1, 0, 1, …, from-1` in that order; None when
    /// empty.
    #[inline]
    pub fn first_min_from(&self, from: usize) -> Option<usize> {
        if self.values.is_empty() {
            return None;
        }
        if self.min < self.cap {
            let s = &self.sets[self.min as usize];
            s.next_from(from).or_else(|| s.next_from(0))
        } else {
            debug_assert_eq!(self.high_count, self.values.len());
            self.high.first_min_from(from)
        }
    }
}

/// A binary segment tree of minima: `u32` per slot, empty padding slots
/// hold `u32::MAX`. It serves the slots whose value is at least
/// [`MinTree`]'s `cap`.
#[derive(Clone, Debug, Default)]
struct Segments {
    /// Number of real slots.
    len: usize,
    /// Leaves start here (a power of two ≥ `len`).
    base: usize,
    /// Heap-ordered nodes: `tree[1]` is the root, leaves at `base..2*base`.
    tree: Vec<u32>,
}

impl Segments {
    /// A tree over `values` (slot i holds `values[i]`). O(n).
    fn from_values(values: impl ExactSizeIterator<Item = u32>) -> Self {
        let len = values.len();
        let base = len.max(1).next_power_of_two();
        let mut tree = vec![u32::MAX; 2 * base];
        for (i, v) in values.enumerate() {
            tree[base + i] = v;
        }
        for i in (1..base).rev() {
            tree[i] = tree[2 * i].min(tree[2 * i + 1]);
        }
        Segments { len, base, tree }
    }

    /// Set slot `i` to `v`. O(log n).
    #[inline]
    fn set(&mut self, i: usize, v: u32) {
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
    fn first_min_from(&self, from: usize) -> Option<usize> {
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
        /// Same answer as a linear scan from the cursor, through updates:
        /// with every value below the bitsets' cap, and with a cap of 3 so
        /// that values move between the bitsets and the segment tree.
        #[test]
        fn matches_a_linear_scan(
            init in proptest::collection::vec(0u32..6, 1..40),
            ops in proptest::collection::vec((0usize..40, 0u32..6, 0usize..40), 0..200),
            cap in prop_oneof![Just(CAP), Just(3u32), Just(0u32)],
        ) {
            let mut values = init.clone();
            let mut t = MinTree::with_cap(init.into_iter(), cap);
            for (i, v, from) in ops {
                let i = i % values.len();
                values[i] = v;
                t.set(i, v);
                let from = from % values.len();
                prop_assert_eq!(t.first_min_from(from), reference(&values, from));
            }
        }

        /// Slot counts past one and two bitset words (64, 4,096) and ±1
        /// steps, as a router's loads move.
        #[test]
        fn matches_a_linear_scan_on_many_slots(
            n in prop_oneof![Just(65usize), Just(700usize), Just(4100usize)],
            ops in proptest::collection::vec((0usize..5000, any::<bool>(), 0usize..5000), 0..300),
        ) {
            let mut values = vec![1u32; n];
            let mut t = MinTree::from_values(values.clone().into_iter());
            for (i, up, from) in ops {
                let i = i % n;
                values[i] = if up { values[i] + 1 } else { values[i].saturating_sub(1) };
                t.set(i, values[i]);
                let from = from % n;
                prop_assert_eq!(t.first_min_from(from), reference(&values, from));
            }
        }
    }
}
