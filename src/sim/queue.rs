//! The future-event list, keyed by (time, insertion sequence).
//!
//! Ties in time pop in insertion order, so a run is deterministic. Cancelled
//! events are not removed: their handlers see a stale generation and ignore
//! them (see [`super::Timer`]); that measured 1.6–2.7× faster here than the
//! `priority-queue` crate's indexed removal.
//!
//! Events are nearly always scheduled at or after the time being handled, so
//! the list is a radix heap over time quanta of about a millisecond
//! (2^20 ns): events sit in buckets by the highest bit in which their
//! quantum differs from the front quantum; push is O(1), an event moves to a
//! lower bucket at most once per bit of the quantum, and the events of the
//! front quantum are sorted by (time, sequence) once, when it becomes the
//! front, and pop off the end of that vector (they waited in a binary heap
//! before, whose pops mispredicted at every level: the `sessions`
//! benchmark's 5 minutes took 13.8 s with it and 10.7 s sorted). A binary
//! heap's sift over a million pending session timers
//! made its pop most of a run's time (measured: a 3-minute run with a
//! million live sessions took 3× longer with `std::collections::BinaryHeap`);
//! buckets by the nanosecond moved each event down some 33 times, 39 % of a
//! Black Friday run. The `radix-heap` crate was tried first: it pops equal
//! keys last-in-first-out and finds the next bucket by a linear scan, which
//! cost a small M/M/10 run 40 %; here a bitmask finds it in one instruction.
//! While few events are pending (up to `SWITCH_AT`), one vector kept in
//! order serves instead: the earliest pops off its end and a new event
//! moves in from the end past the earlier ones (an M/M/10 run, ~15 pending
//! events, measured 0.35 s with a binary heap here and 0.31 s with the
//! vector).
//!
//! An event scheduled into the front quantum once it is the front, or the
//! rare one before it (an arrival kept outside the list, see
//! [`EventQueue::take_seq`], may be handled first and schedule something
//! earlier than the front), goes to a binary heap beside the sorted front;
//! `pop` takes the earlier of the two, so the order is exactly (time,
//! sequence) whatever is pushed.

use super::SimTime;
use std::cmp::Ordering;
use std::collections::BinaryHeap;

struct Entry<E> {
    /// (time << 64) | seq: one integer comparison orders by time, then by
    /// insertion.
    key: u128,
    event: E,
}

impl<E> PartialEq for Entry<E> {
    fn eq(&self, o: &Self) -> bool {
        self.key == o.key
    }
}
impl<E> Eq for Entry<E> {}
impl<E> PartialOrd for Entry<E> {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl<E> Ord for Entry<E> {
    // Reversed: BinaryHeap is a max-heap and we want the earliest first.
    #[inline]
    fn cmp(&self, o: &Self) -> Ordering {
        o.key.cmp(&self.key)
    }
}

/// While at most this many events are pending, the ordered vector alone
/// serves (an insert costs O(pending), cheap while it fits in a few cache
/// lines); past it, the radix buckets take over for the rest of the run.
const SWITCH_AT: usize = 64;

/// Buckets are by time quanta of 2^QUANTUM_SHIFT ns (about a millisecond):
/// the events of the front quantum are sorted among themselves, so an event
/// moves down the buckets at most once per bit of the quantum, not of the
/// nanosecond time (measured: the radix moves were 39 % of a Black Friday
/// run with nanosecond buckets).
const QUANTUM_SHIFT: u32 = 20;

/// Buckets 1..=64 by the highest differing bit of the quantum (bucket 0 is
/// `front`).
const BUCKETS: usize = 65;

/// A deterministic event queue.
pub struct EventQueue<E> {
    /// The front quantum: every bucketed event is in it or after it;
    /// `u64::MAX` in small mode.
    top: u64,
    /// Events of the front quantum, latest first, so the earliest pops off
    /// the end: sorted once when the quantum becomes the front (a binary
    /// heap's pops mispredicted at every level: 15 % of a Black Friday run).
    front: Vec<Entry<E>>,
    /// Events after the front quantum: bucket b holds quanta whose highest
    /// bit differing from `top` is bit b-1. Entries are (time, seq, event).
    buckets: Vec<Vec<(SimTime, u64, E)>>,
    /// Bit b set when `buckets[b]` is non-empty.
    occupied: u128,
    /// Bucketed events (front included).
    bucketed: usize,
    /// Events scheduled at or before the front quantum once it is the
    /// front (bucket mode only): `first` takes the earlier of its top and
    /// the front's end.
    early: BinaryHeap<Entry<E>>,
    /// Every event in small mode, latest first, so the earliest pops off
    /// the end.
    small: Vec<Entry<E>>,
    /// Pending events above which the queue leaves small mode.
    switch_at: usize,
    /// log2 of the quantum, ns.
    shift: u32,
    seq: u64,
}

impl<E> Default for EventQueue<E> {
    fn default() -> Self {
        Self::new()
    }
}

#[inline]
fn bucket_of(quantum: u64, top: u64) -> usize {
    (64 - (quantum ^ top).leading_zeros()) as usize
}

/// Insert into a vector kept latest first: the new entry moves in from the
/// end past every earlier key, the entries an insert would shift, without
/// comparing the later ones or calling memmove.
#[inline]
fn insert_latest_first<E>(v: &mut Vec<Entry<E>>, key: u128, event: E) {
    v.push(Entry { key, event });
    let v = &mut v[..];
    let mut i = v.len() - 1;
    while i > 0 && v[i - 1].key < key {
        v.swap(i - 1, i);
        i -= 1;
    }
}

#[inline]
fn sort_latest_first<E>(v: &mut [Entry<E>]) {
    v.sort_unstable_by_key(|e| std::cmp::Reverse(e.key));
}

#[inline]
fn key(time: SimTime, seq: u64) -> u128 {
    ((time as u128) << 64) | seq as u128
}

impl<E> EventQueue<E> {
    /// An empty queue.
    pub fn new() -> Self {
        Self::with_params(SWITCH_AT, QUANTUM_SHIFT)
    }

    /// A queue that moves from the ordered vector to the radix buckets once
    /// more than `switch_at` events are pending, with quanta of 2^`shift`.
    fn with_params(switch_at: usize, shift: u32) -> Self {
        EventQueue {
            // Small mode: every push goes to the ordered vector, until
            // `switch_to_buckets`.
            top: u64::MAX,
            switch_at,
            shift,
            front: Vec::new(),
            buckets: (0..BUCKETS).map(|_| Vec::new()).collect(),
            occupied: 0,
            bucketed: 0,
            early: BinaryHeap::new(),
            small: Vec::new(),
            seq: 0,
        }
    }

    /// Schedule `event` at `time`.
    #[inline]
    pub fn push(&mut self, time: SimTime, event: E) {
        let seq = self.seq;
        self.seq += 1;
        if self.top == u64::MAX {
            insert_latest_first(&mut self.small, key(time, seq), event);
            if self.small.len() > self.switch_at {
                self.switch_to_buckets();
            }
            return;
        }
        let q = time >> self.shift;
        if q <= self.top {
            // Into the heap beside the front: inserted into the sorted front
            // it would move past every earlier event of the quantum
            // (measured: the `high-rate` run, a thousand events a quantum,
            // 14.0 s -> 16.3 s).
            self.early.push(Entry {
                key: key(time, seq),
                event,
            });
        } else {
            let b = bucket_of(q, self.top);
            self.buckets[b].push((time, seq, event));
            self.occupied |= 1 << b;
            self.bucketed += 1;
        }
    }

    /// Leave small mode: the earliest pending quantum becomes the front and
    /// every pending event moves to the buckets (once per run).
    #[cold]
    fn switch_to_buckets(&mut self) {
        let entries = std::mem::take(&mut self.small);
        let Some(top) = entries
            .iter()
            .map(|e| ((e.key >> 64) as SimTime) >> self.shift)
            .min()
        else {
            return;
        };
        self.top = top;
        for e in entries {
            let (time, seq) = ((e.key >> 64) as SimTime, e.key as u64);
            let q = time >> self.shift;
            if q == top {
                self.front.push(e);
            } else {
                let b = bucket_of(q, top);
                self.buckets[b].push((time, seq, e.event));
                self.occupied |= 1 << b;
            }
            self.bucketed += 1;
        }
        sort_latest_first(&mut self.front);
    }

    /// Make `front` non-empty if any event is bucketed: the lowest
    /// non-empty bucket holds the earliest quantum; it becomes the new
    /// `top` and that bucket's events are spread over lower buckets.
    #[inline]
    fn fill_front(&mut self) {
        if !self.front.is_empty() || self.occupied == 0 {
            return;
        }
        let b = self.occupied.trailing_zeros() as usize;
        let mut items = std::mem::take(&mut self.buckets[b]);
        self.occupied &= !(1 << b);
        let shift = self.shift;
        let top = items.iter().map(|x| x.0 >> shift).min().unwrap_or(self.top);
        self.top = top;
        for (time, seq, event) in items.drain(..) {
            let q = time >> shift;
            if q == top {
                self.front.push(Entry {
                    key: key(time, seq),
                    event,
                });
            } else {
                let nb = bucket_of(q, top);
                self.buckets[nb].push((time, seq, event));
                self.occupied |= 1 << nb;
            }
        }
        sort_latest_first(&mut self.front);
        // Give the emptied bucket its buffer back (keeps its capacity).
        self.buckets[b] = items;
    }

    /// The earliest key, and whether it is in `early`.
    #[inline]
    fn first(&mut self) -> Option<((SimTime, u64), bool)> {
        self.fill_front();
        let split = |k: u128| ((k >> 64) as SimTime, k as u64);
        match (self.front.last(), self.early.peek()) {
            (Some(b), Some(e)) if e.key < b.key => Some((split(e.key), true)),
            (Some(b), _) => Some((split(b.key), false)),
            (None, Some(e)) => Some((split(e.key), true)),
            (None, None) => None,
        }
    }

    /// The earliest event, removed.
    #[inline]
    pub fn pop(&mut self) -> Option<(SimTime, E)> {
        if self.top == u64::MAX {
            return self
                .small
                .pop()
                .map(|e| ((e.key >> 64) as SimTime, e.event));
        }
        match self.first()? {
            ((t, _), true) => self.early.pop().map(|e| (t, e.event)),
            ((t, _), false) => {
                self.bucketed -= 1;
                self.front.pop().map(|e| (t, e.event))
            }
        }
    }

    /// Take an insertion sequence number without pushing, for an event kept
    /// outside the list (a monotone arrival stream) that must still order
    /// against listed events exactly as if it were pushed now.
    #[inline]
    pub fn take_seq(&mut self) -> u64 {
        let seq = self.seq;
        self.seq += 1;
        seq
    }

    /// (time, sequence) of the earliest event.
    #[inline]
    pub fn peek_key(&mut self) -> Option<(SimTime, u64)> {
        if self.top == u64::MAX {
            return self
                .small
                .last()
                .map(|e| ((e.key >> 64) as SimTime, e.key as u64));
        }
        self.first().map(|(k, _)| k)
    }

    /// Pending events (including cancelled ones not yet popped).
    pub fn len(&self) -> usize {
        self.bucketed + self.early.len() + self.small.len()
    }

    /// True when nothing is pending.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pops_in_time_then_insertion_order() {
        let mut q = EventQueue::new();
        q.push(5, 'a');
        q.push(3, 'b');
        q.push(5, 'c');
        q.push(3, 'd');
        q.push(0, 'e');
        let order: Vec<char> = std::iter::from_fn(|| q.pop().map(|(_, e)| e)).collect();
        assert_eq!(order, vec!['e', 'b', 'd', 'a', 'c']);
    }

    proptest::proptest! {
        /// Any mix of pushes (including ones earlier than what was popped)
        /// pops in (time, insertion) order, as a sorted reference says.
        #[test]
        fn pops_in_key_order_whatever_is_pushed(
            ops in proptest::collection::vec((0u8..3, 0u64..5000), 1..400),
            switch_at in 0usize..60,
            shift in 0u32..8,
        ) {
            // Small mode, the switch, the buckets and the front quantum's
            // heap all get exercised.
            let mut q = EventQueue::with_params(switch_at, shift);
            let mut reference: std::collections::BTreeSet<(u64, u64)> = Default::default();
            let mut n = 0u64;
            let mut now = 0u64;
            for (op, dt) in ops {
                if op == 0 {
                    let popped = q.pop();
                    let want = reference.pop_first();
                    proptest::prop_assert_eq!(popped, want);
                    if let Some((t, _)) = want {
                        now = t;
                    }
                } else {
                    // op 1: at or after now; op 2: anywhere (earlier too).
                    let t = if op == 1 { now + dt } else { dt };
                    q.push(t, n);
                    reference.insert((t, n));
                    n += 1;
                }
                proptest::prop_assert_eq!(q.peek_key().map(|k| k.0), reference.first().map(|k| k.0));
                proptest::prop_assert_eq!(q.len(), reference.len());
            }
        }
    }
}
