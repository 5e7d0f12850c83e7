//! SQS queues as Lambda event sources (event source mappings): pollers
//! that receive batches, invoke the function, and delete what succeeded.
//!
//! Each mapping runs a number of concurrent batches set once a minute by
//! [`crate::aws::lambda::esm_next_batches`] (5 to start, +300 per minute
//! while messages remain, at most 1,000 or `maximum_concurrency`). A
//! poller's loop: ReceiveMessage (up to `batch_size`); nothing → poll again
//! in a second (a long poll that returns when a message comes; one empty
//! receive is billed per 20 s of waiting); a batch → invoke the function
//! (throttled → retry the invoke in a second, the messages stay in flight);
//! done → delete the messages that succeeded (all, or none when the
//! function failed without `report_batch_item_failures`). The messages keep
//! the queue's visibility timeout: a handler slower than it lets another
//! poller receive the same message — the duplicate lesson.

use super::lambda::{Origin, SlEv};
use super::{Ev, World};
use crate::aws::lambda as rules;
use crate::scenario::Scenario;
use crate::sim::rng::Rng;
use crate::sim::{SimTime, stream};
use rand::RngExt;

const SECOND: SimTime = 1_000_000_000;
/// An idle poller polls again after this (a long poll returning early).
const REPOLL: SimTime = SECOND;
/// An empty long poll is billed once per this much waiting.
const LONG_POLL: SimTime = 20 * SECOND;

struct Mapping {
    f: u32,
    q: u32,
    batch_size: u32,
    /// Batching window (0: each receive is a batch).
    window: SimTime,
    cap: u32,
    partial: bool,
    error_rate: f64,
    /// Concurrent batches allowed now.
    target: u32,
    /// Pollers running.
    running: u32,
    /// Pollers holding a batch now, and the most this minute.
    busy: u32,
    peak_busy: u32,
    fail_rng: Rng,
}

#[derive(Clone, Debug, Default)]
struct Poller {
    mapping: u32,
    generation: u32,
    live: bool,
    batch: Vec<(u32, u32)>,
    /// The batch is complete (invoking, or waiting to invoke again).
    ready: bool,
    /// When the batch's first message was received (the window's start).
    first_at: SimTime,
    scratch: Vec<(u32, u32)>,
    failed: Vec<bool>,
    waited: SimTime,
}

/// Totals of one mapping.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct EsmTotals {
    pub(crate) batches: u64,
    pub(crate) messages: u64,
    pub(crate) deleted: u64,
    pub(crate) returned: u64,
    pub(crate) throttled_invokes: u64,
    pub(crate) max_batches: u32,
}

/// The event source mappings of the scenario.
pub(crate) struct Mappings {
    maps: Vec<Mapping>,
    pollers: Vec<Poller>,
    free: Vec<u32>,
    /// Per function: its mapping, if it has one.
    pub(crate) of_fn: Vec<Option<u32>>,
    pub(crate) totals: Vec<EsmTotals>,
}

impl Mappings {
    pub(crate) fn new(sc: &Scenario) -> Mappings {
        let mut maps = Vec::new();
        let mut of_fn = vec![None; sc.functions.len()];
        for (i, f) in sc.functions.iter().enumerate() {
            let Some(es) = &f.event_source else { continue };
            let Some(q) = sc.queues.iter().position(|q| q.name == es.queue) else {
                continue;
            };
            let cap = es.maximum_concurrency.unwrap_or(rules::ESM_MAX_BATCHES);
            of_fn[i] = Some(maps.len() as u32);
            maps.push(Mapping {
                f: i as u32,
                q: q as u32,
                batch_size: es.batch_size.max(1),
                window: es.maximum_batching_window.0,
                cap,
                partial: es.report_batch_item_failures,
                error_rate: f.error_rate,
                target: rules::ESM_INITIAL_BATCHES.min(cap),
                running: 0,
                busy: 0,
                peak_busy: 0,
                fail_rng: stream(sc.seed, &format!("lambda/{}/sqs-failures", f.name)),
            });
        }
        let totals = vec![EsmTotals::default(); maps.len()];
        Mappings {
            maps,
            pollers: Vec::new(),
            free: Vec::new(),
            of_fn,
            totals,
        }
    }
}

impl World {
    fn esm_push(&mut self, t: SimTime, what: SlEv, a: u32, b: u32) {
        self.q.push(t, Ev::Serverless { what, a, b });
    }

    /// Start every mapping's first pollers and its scaling minute.
    pub(super) fn esm_start(&mut self) {
        for m in 0..self.lambda.esm.maps.len() as u32 {
            self.esm_fill(m);
            self.esm_push(60 * SECOND, SlEv::EsmScale, m, 0);
        }
    }

    /// Start pollers up to the mapping's target.
    fn esm_fill(&mut self, m: u32) {
        while self.lambda.esm.maps[m as usize].running < self.lambda.esm.maps[m as usize].target {
            let e = &mut self.lambda.esm;
            e.maps[m as usize].running += 1;
            let p = match e.free.pop() {
                Some(p) => p,
                None => {
                    e.pollers.push(Poller::default());
                    (e.pollers.len() - 1) as u32
                }
            };
            let x = &mut e.pollers[p as usize];
            x.mapping = m;
            x.live = true;
            x.batch.clear();
            x.ready = false;
            x.waited = 0;
            let g = x.generation;
            let now = self.now;
            self.esm_push(now, SlEv::EsmPoll, p, g);
        }
        let e = &mut self.lambda.esm;
        let t = &mut e.totals[m as usize];
        t.max_batches = t.max_batches.max(e.maps[m as usize].running);
    }

    /// A mapping's minute: scale its concurrent batches.
    pub(super) fn esm_scale(&mut self, m: u32) {
        let (q, cur, cap, busy, peak) = {
            let x = &mut self.lambda.esm.maps[m as usize];
            let peak = std::mem::replace(&mut x.peak_busy, x.busy);
            (x.q, x.target, x.cap, x.busy, peak)
        };
        // Messages are "still available" when every batch is busy and
        // messages wait.
        let available = self.sqs_visible(q) > 0 && busy >= cur;
        self.lambda.esm.maps[m as usize].target =
            rules::esm_next_batches(cur, available, peak, cap);
        self.esm_fill(m);
        if self.now + 60 * SECOND <= self.end {
            self.esm_push(self.now + 60 * SECOND, SlEv::EsmScale, m, 0);
        }
    }

    /// A poller's turn: retire if above the target, else receive (or, with
    /// a batch in hand, invoke again after a throttle).
    pub(super) fn esm_poll(&mut self, p: u32, generation: u32) {
        let now = self.now;
        let e = &mut self.lambda.esm;
        let x = &e.pollers[p as usize];
        if !x.live || x.generation != generation {
            return;
        }
        let m = x.mapping as usize;
        if !x.ready {
            if x.batch.is_empty() && e.maps[m].running > e.maps[m].target {
                e.maps[m].running -= 1;
                let x = &mut e.pollers[p as usize];
                x.live = false;
                x.generation = x.generation.wrapping_add(1);
                e.free.push(p);
                return;
            }
            let (q, size, window) = (e.maps[m].q, e.maps[m].batch_size, e.maps[m].window);
            let have = e.pollers[p as usize].batch.len() as u32;
            // One ReceiveMessage returns at most 10 messages.
            let want = (size - have).min(rules::RECEIVE_MAX);
            let mut got = std::mem::take(&mut e.pollers[p as usize].scratch);
            self.sqs_esm_receive(q, want, &mut got);
            let e = &mut self.lambda.esm;
            let x = &mut e.pollers[p as usize];
            let n = got.len() as u32;
            x.batch.extend_from_slice(&got);
            x.scratch = got;
            if x.batch.is_empty() {
                x.waited += REPOLL;
                if x.waited >= LONG_POLL {
                    x.waited = 0;
                    self.sqs_esm_empty(q);
                }
                self.esm_push(now + REPOLL, SlEv::EsmPoll, p, generation);
                return;
            }
            x.waited = 0;
            if have == 0 {
                x.first_at = now;
            }
            // A batching window: gather until the batch is full or the
            // window has passed (at once while receives come back full).
            let until = x.first_at + window;
            if (x.batch.len() as u32) < size && window > 0 && now < until {
                let next = if n == want {
                    now
                } else {
                    (now + REPOLL).min(until)
                };
                self.esm_push(next, SlEv::EsmPoll, p, generation);
                return;
            }
            x.ready = true;
            // Which messages the handler fails on.
            let mp = &mut e.maps[m];
            x.failed.clear();
            for _ in 0..x.batch.len() {
                x.failed
                    .push(mp.error_rate > 0.0 && mp.fail_rng.random::<f64>() < mp.error_rate);
            }
            mp.busy += 1;
            mp.peak_busy = mp.peak_busy.max(mp.busy);
            let t = &mut e.totals[m];
            t.batches += 1;
            t.messages += x.batch.len() as u64;
        }
        let f = self.lambda.esm.maps[m].f;
        if self.lambda_invoke(f, Origin::Esm { poller: p }).is_none() {
            self.lambda.esm.totals[m].throttled_invokes += 1;
            self.esm_push(now + SECOND, SlEv::EsmPoll, p, generation);
        }
    }

    /// Whether the batch of poller `p` makes the invocation a function
    /// error: a timeout, or a failed message without batch item failures.
    pub(super) fn esm_batch_error(&self, p: u32) -> bool {
        let e = &self.lambda.esm;
        let x = &e.pollers[p as usize];
        !e.maps[x.mapping as usize].partial && x.failed.iter().any(|&b| b)
    }

    /// The invocation of poller `p`'s batch ended (`error`: the function
    /// failed as a whole).
    pub(super) fn esm_done(&mut self, p: u32, error: bool) {
        let e = &mut self.lambda.esm;
        let x = &mut e.pollers[p as usize];
        let m = x.mapping as usize;
        let q = e.maps[m].q;
        let batch = std::mem::take(&mut x.batch);
        let failed = std::mem::take(&mut x.failed);
        let g = x.generation;
        e.maps[m].busy -= 1;
        let mut deleted = 0;
        for (k, &(msg, r)) in batch.iter().enumerate() {
            let ok = !error && !failed[k];
            deleted += ok as u64;
            self.sqs_esm_done(q, msg, r, ok);
        }
        let e = &mut self.lambda.esm;
        e.totals[m].deleted += deleted;
        e.totals[m].returned += batch.len() as u64 - deleted;
        let x = &mut e.pollers[p as usize];
        x.batch = batch;
        x.batch.clear();
        x.ready = false;
        x.failed = failed;
        let now = self.now;
        self.esm_push(now, SlEv::EsmPoll, p, g);
    }
}
