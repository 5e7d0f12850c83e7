//! Lazily cancelled timers.
//!
//! A [`Timer`] is a generation counter: arming returns the new generation,
//! which the scheduled event carries; cancelling or re-arming bumps it, so the
//! old event, when popped, is recognised as stale and ignored in O(1) with no
//! hashing.
//!
//! A [`DeadlineFifo`] serves many deadlines that are added in time order (all
//! requests through one load balancer time out `idle_timeout` after they
//! arrive): one queue entry per request and a single armed timer, instead of a
//! heap event per request.

use super::SimTime;
use std::collections::VecDeque;

/// A cancellable timer slot.
#[derive(Clone, Copy, Debug, Default)]
pub struct Timer {
    generation: u32,
    armed: bool,
}

impl Timer {
    /// Arm (or re-arm) the timer: returns the generation the event must carry.
    #[inline]
    pub fn arm(&mut self) -> u32 {
        self.generation = self.generation.wrapping_add(1);
        self.armed = true;
        self.generation
    }
    /// Cancel: any scheduled event becomes stale.
    #[inline]
    pub fn cancel(&mut self) {
        self.generation = self.generation.wrapping_add(1);
        self.armed = false;
    }
    /// Called when the event fires: true if it is the live one (and disarms).
    #[inline]
    pub fn fire(&mut self, generation: u32) -> bool {
        if self.armed && self.generation == generation {
            self.armed = false;
            true
        } else {
            false
        }
    }
    /// Whether an event is pending.
    pub fn is_armed(&self) -> bool {
        self.armed
    }
}

/// Deadlines added in non-decreasing time order, each tagged with a key
/// (e.g. a request slot and its generation).
#[derive(Debug, Default)]
pub struct DeadlineFifo<K> {
    items: VecDeque<(SimTime, K)>,
    /// The one timer of this FIFO.
    pub timer: Timer,
    /// Length after the last compaction (see [`DeadlineFifo::compact`]).
    mark: usize,
}

/// Below this many entries a FIFO is never compacted.
const COMPACT_MIN: usize = 1024;

impl<K: Copy> DeadlineFifo<K> {
    /// An empty FIFO.
    pub fn new() -> Self {
        DeadlineFifo {
            items: VecDeque::new(),
            timer: Timer::default(),
            mark: 0,
        }
    }

    /// Add a deadline. Returns `Some(generation)` when the caller must schedule the
    /// timer event at `deadline` (the FIFO had no armed timer).
    #[inline]
    pub fn push(&mut self, deadline: SimTime, key: K) -> Option<u32> {
        debug_assert!(self.items.back().is_none_or(|b| b.0 <= deadline));
        self.items.push_back((deadline, key));
        if self.timer.is_armed() {
            None
        } else {
            Some(self.timer.arm())
        }
    }

    /// The timer fired at `now`: hands every due key to `due` (which decides
    /// whether it was still live), then drops keys `live` says are finished
    /// from the front. Returns `Some((time, generation))` when the timer must be
    /// scheduled again.
    pub fn fire(
        &mut self,
        now: SimTime,
        generation: u32,
        mut due: impl FnMut(K),
        mut live: impl FnMut(K) -> bool,
    ) -> Option<(SimTime, u32)> {
        if !self.timer.fire(generation) {
            return None;
        }
        while let Some(&(t, k)) = self.items.front() {
            if t <= now {
                self.items.pop_front();
                due(k);
            } else if !live(k) {
                self.items.pop_front();
            } else {
                break;
            }
        }
        self.items.front().map(|&(t, _)| (t, self.timer.arm()))
    }

    /// Drop the keys `live` says are finished once the FIFO has doubled
    /// since the last compaction. Call after each push: a deadline usually
    /// outlives its key by far (a request done in 20 ms keeps a 60 s idle
    /// timeout), and without this the FIFO holds rate × timeout entries
    /// instead of what is in flight. Each compaction costs O(len) after at
    /// least len/2 pushes, so O(1) amortised, and the FIFO never holds more
    /// than about twice its live keys (plus `COMPACT_MIN`). The armed timer
    /// stays valid: when it fires early, `fire` finds nothing due and
    /// re-arms for the new front.
    #[inline]
    pub fn compact(&mut self, mut live: impl FnMut(K) -> bool) {
        if self.items.len() < 2 * self.mark.max(COMPACT_MIN) {
            return;
        }
        self.items.retain(|&(_, k)| live(k));
        self.mark = self.items.len();
    }

    /// Deadlines held (live or not yet cleaned).
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stale_timer_events_are_ignored() {
        let mut t = Timer::default();
        let g1 = t.arm();
        let g2 = t.arm();
        assert!(!t.fire(g1));
        assert!(t.fire(g2));
        assert!(!t.fire(g2));
        let g3 = t.arm();
        t.cancel();
        assert!(!t.fire(g3));
    }

    #[test]
    fn deadline_fifo_fires_due_keys_and_skips_finished() {
        let mut f: DeadlineFifo<u32> = DeadlineFifo::new();
        let g = f.push(10, 1).expect("first push arms");
        assert!(f.push(20, 2).is_none());
        assert!(f.push(30, 3).is_none());
        let mut due = vec![];
        // key 2 finished early; key 3 is live
        let next = f.fire(10, g, |k| due.push(k), |k| k != 2);
        assert_eq!(due, vec![1]);
        let (t, g2) = next.expect("re-armed");
        assert_eq!(t, 30);
        let next = f.fire(30, g2, |k| due.push(k), |_| true);
        assert_eq!(due, vec![1, 3]);
        assert!(next.is_none());
        assert!(f.push(40, 4).is_some());
    }

    #[test]
    fn compaction_keeps_live_keys_in_order_and_bounds_memory() {
        let mut f: DeadlineFifo<u32> = DeadlineFifo::new();
        let mut g = f.push(1_000_000, 0).expect("arms");
        // Keys finish 10 pushes after they start: at most 10 live at once.
        for k in 1..100_000u32 {
            f.push(1_000_000 + k as u64, k);
            f.compact(|x| x + 10 >= k);
            assert!(
                f.len() <= 2 * COMPACT_MIN + 10,
                "{} held at key {k}",
                f.len()
            );
        }
        // What is left fires in order, finished keys skipped.
        let mut fired = Vec::new();
        while let Some((_, next)) = f.fire(u64::MAX, g, |k| fired.push(k), |_| true) {
            g = next;
        }
        assert!(fired.windows(2).all(|w| w[0] < w[1]));
        assert!(
            (99_989..100_000).all(|k| fired.contains(&k)),
            "live keys kept"
        );
    }
}
