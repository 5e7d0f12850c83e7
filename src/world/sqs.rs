//! The SQS side of the world: producers (workloads sending to a queue and
//! `sqs_send` app steps), the queues' timers (visibility timeouts, delivery
//! delays, retention), and consumers — the instances of a group with
//! `consumer:` polling their queue.
//!
//! The queue rules live in [`crate::aws::sqs`]; this file only times them.
//!
//! A consumer instance runs `threads` polling loops. Each calls
//! ReceiveMessage (up to `batch` messages; long polling waits up to
//! `wait_time` for one to arrive, short polling answers at once and samples),
//! processes the messages one after another (holding the thread: a busy
//! thread is CPU, scaled by `cpu_share`), and deletes each one that succeeded.
//! Every API call takes the queue's `api_latency` (a round trip; the call
//! takes effect at SQS when it is made). A failed message is left to come
//! back when its visibility timeout ends; on a FIFO queue the thread also
//! skips the rest of that message group in its batch, so the group stays in
//! order. With `extend_visibility` the thread calls
//! ChangeMessageVisibility(timeout) on every message it still holds each
//! half timeout (AWS's heartbeat advice). An instance leaving service drops
//! what it holds: those messages come back after their visibility timeout.

use super::{Act, Activity, Ev, SIMULATOR_WORDING, World};
use crate::sim::OptId;

/// What an instance's admission records for a consumer thread's batch: a
/// worker held by no request (`Instance::admit` takes a request index).
const THREAD_HOLDS_WORKER: u32 = u32::MAX;
use crate::aws::ec2::LifecycleState;
use crate::aws::sqs::{
    self as rules, DeleteOutcome, Moved, QueueConfig, ReceiveStatus, SendOutcome, Sqs,
};
use crate::report::summary::r6;
use crate::scenario::{AppStep, QueueType, Scenario};
use crate::sim::rng::{CountSampler, Rng, Sampler};
use crate::sim::{DeadlineFifo, SimTime, Timer, stream};
use rand::RngExt;
use std::collections::{BTreeMap, VecDeque};

/// What an [`Ev::Sqs`] event is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum SqsEv {
    /// A queue's visibility-timeout FIFO is due (a = queue, b = generation).
    VisibilityFifo,
    /// A changed visibility deadline (a = message slot, b = receipt).
    Visibility,
    /// A queue's delivery-delay FIFO is due (a = queue, b = generation).
    DelayFifo,
    /// A queue's retention timer (a = queue, b = generation).
    Expiry,
    /// A consumer thread's ReceiveMessage reaches SQS (a = thread, b = call).
    Poll,
    /// A consumer group's long-poll deadlines are due: those still waiting
    /// waited `wait_time` for nothing (a = group, b = generation).
    PollTimeout,
    /// A consumer thread finished a message (a = thread, b = call).
    Processed,
    /// A consumer thread's visibility heartbeat (a = thread, b = beat).
    Heartbeat,
    /// A producer's SendMessage answered OK (a = request, b = generation).
    SentOk,
    /// … throttled (FIFO throughput limit).
    SentThrottled,
    /// … refused (message too large).
    SentRejected,
}

/// What happened to a message, for tests (see [`World::sqs_trace_on`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TraceKind {
    /// ReceiveMessage returned it.
    Received,
    /// A consumer started processing it.
    Started,
    /// A consumer finished processing it (true: success).
    Finished(bool),
    /// A consumer's DeleteMessage.
    Deleted(DeleteOutcome),
}

/// One row of the SQS trace.
#[derive(Clone, Copy, Debug)]
pub struct SqsTrace {
    /// When.
    pub t: SimTime,
    /// Queue index.
    pub queue: u32,
    /// The producer's message (the same over redeliveries and moves).
    pub logical: u64,
    /// MessageGroupId.
    pub group: u64,
    /// What.
    pub kind: TraceKind,
    /// Consumer thread (None: a Lambda event source mapping).
    pub thread: Option<u32>,
    /// ApproximateReceiveCount then.
    pub receive_count: u32,
}

struct ConsumerRt {
    queue: u32,
    threads: u32,
    batch: u32,
    wait: SimTime,
    processing: Sampler,
    failure_rate: f64,
    poison_rate: f64,
    extend: bool,
    cpu_workers: u32,
    rng: Rng,
    fail_rng: Rng,
    /// Long polls' deadlines, (thread, call): all wait `wait`, so they come
    /// in time order and one timer serves them (instead of a heap event per
    /// poll, most of them stale: a long poll usually ends early).
    timeouts: DeadlineFifo<(u32, u32)>,
}

struct ProducerRt {
    size: u64,
    group: Option<CountSampler>,
    duplicate: f64,
    rng: Rng,
}

struct AppSend {
    /// Its queue (validation makes sure it exists).
    queue: Option<u32>,
    size: u64,
    group: Option<CountSampler>,
    rng: Rng,
}

struct Poller {
    inst: u32,
    g: u32,
    q: u32,
    live: bool,
    call: u32,
    beat: u32,
    waiting: bool,
    asked_at: SimTime,
    /// The batch: (slot, receipt); no slot = skipped.
    batch: Vec<(OptId, u32)>,
    /// MessageGroupId of each message of the batch.
    keys: Vec<u64>,
    /// The current message is a poison message.
    poison: bool,
    pos: usize,
}

/// The SQS state of the world and its timers.
pub(crate) struct SqsWorld {
    model: Sqs,
    vis: Vec<DeadlineFifo<(u32, u32)>>,
    delay: Vec<DeadlineFifo<(u32, u32)>>,
    expiry: Vec<(Timer, SimTime)>,
    waiters: Vec<VecDeque<(u32, u32)>>,
    pollers: Vec<Poller>,
    free_pollers: Vec<u32>,
    inst_pollers: Vec<Vec<u32>>,
    consumers: Vec<Option<ConsumerRt>>,
    producers: Vec<Option<ProducerRt>>,
    sends: Vec<AppSend>,
    res: Vec<u32>,
    /// Visible messages per queue at each CloudWatch minute's end.
    cw: VecDeque<(SimTime, Vec<u64>)>,
    out: Vec<(u32, u32)>,
    moved: Vec<Moved>,
    trace: Option<Vec<SqsTrace>>,
}

const KB: u64 = 1024;

impl SqsWorld {
    /// The queues, producers and consumers of a scenario.
    pub(crate) fn new(sc: &Scenario, series: &mut crate::report::metrics::Series) -> SqsWorld {
        let seed = sc.seed;
        let index = |n: &str| sc.queues.iter().position(|q| q.name == n).map(|i| i as u32);
        let cfgs: Vec<QueueConfig> = sc
            .queues
            .iter()
            .map(|q| {
                let fifo = q.kind == QueueType::Fifo;
                let mut c = QueueConfig::new(&q.name, fifo);
                c.visibility_timeout = q.visibility_timeout.0;
                c.retention = q.message_retention.0;
                c.delay = q.delay.0;
                c.redrive = q.redrive.as_ref().and_then(|r| {
                    index(&r.dead_letter_queue).map(|d| (d, r.max_receive_count.max(1)))
                });
                c.duplicate_rate = if fifo { 0.0 } else { q.duplicate_rate };
                if let Some(m) = q.maximum_message_size {
                    c.max_message_size = m.0;
                }
                if let Some(l) = q.in_flight_limit {
                    c.in_flight_limit = l;
                }
                if let Some(l) = q.throughput_limit
                    && fifo
                {
                    c.calls_per_second = l;
                }
                if let Some(x) = q.short_poll_sample {
                    c.short_poll_sample = x;
                }
                if let Some(d) = q.api_latency {
                    c.api_latency = d.0;
                }
                c
            })
            .collect();
        let rngs = sc
            .queues
            .iter()
            .map(|q| stream(seed, &format!("sqs/{}/service", q.name)))
            .collect();
        let n = cfgs.len();
        let consumers = sc
            .auto_scaling_groups
            .iter()
            .map(|g| {
                let c = g.consumer.as_ref()?;
                let queue = index(&c.queue)?;
                let threads = c.threads.max(1);
                Some(ConsumerRt {
                    queue,
                    threads,
                    batch: c.batch.clamp(1, 10),
                    wait: c.wait_time.0,
                    processing: c.processing.sampler(),
                    failure_rate: c.failure_rate,
                    poison_rate: c.poison_rate,
                    extend: c.extend_visibility,
                    // CPUUtilization = busy threads × cpu_share / threads.
                    cpu_workers: ((threads as f64 / c.cpu_share.clamp(1e-3, 1.0)).round() as u32)
                        .max(threads),
                    rng: stream(seed, &format!("sqs/consumer/{}/processing", g.name)),
                    fail_rng: stream(seed, &format!("sqs/consumer/{}/failures", g.name)),
                    timeouts: DeadlineFifo::new(),
                })
            })
            .collect();
        let producers = sc
            .workloads
            .iter()
            .map(|w| {
                index(w.to.queue.as_deref()?)?;
                Some(ProducerRt {
                    size: w.message_size.map(|s| s.0).unwrap_or(KB),
                    group: w
                        .message_group
                        .as_ref()
                        .map(crate::scenario::CountDist::sampler),
                    duplicate: w.duplicate_sends,
                    rng: stream(seed, &format!("sqs/producer/{}", w.name)),
                })
            })
            .collect();
        let mut sends = Vec::new();
        for g in &sc.auto_scaling_groups {
            for (k, st) in g.app.iter().enumerate() {
                if let AppStep::SqsSend(s) = st {
                    sends.push(AppSend {
                        queue: index(&s.queue),
                        size: s.message_size.map(|s| s.0).unwrap_or(KB),
                        group: s
                            .message_group
                            .as_ref()
                            .map(crate::scenario::CountDist::sampler),
                        rng: stream(seed, &format!("sqs/app/{}/{k}", g.name)),
                    });
                }
            }
        }
        SqsWorld {
            model: Sqs::new(cfgs, rngs),
            vis: (0..n).map(|_| DeadlineFifo::new()).collect(),
            delay: (0..n).map(|_| DeadlineFifo::new()).collect(),
            expiry: vec![(Timer::default(), 0); n],
            waiters: vec![VecDeque::new(); n],
            pollers: Vec::new(),
            free_pollers: Vec::new(),
            inst_pollers: Vec::new(),
            consumers,
            producers,
            sends,
            res: sc.queues.iter().map(|q| series.resource(&q.name)).collect(),
            cw: VecDeque::new(),
            out: Vec::with_capacity(10),
            moved: Vec::new(),
            trace: None,
        }
    }

    fn trace(&mut self, t: SimTime, q: u32, m: u32, kind: TraceKind, thread: Option<u32>) {
        if let Some(tr) = &mut self.trace {
            let msg = &self.model.msgs[m as usize];
            tr.push(SqsTrace {
                t,
                queue: q,
                logical: msg.logical,
                group: msg.group_key,
                kind,
                thread,
                receive_count: msg.receive_count,
            });
        }
    }
}

/// A `MessageId`-like text for a message number.
fn message_id(id: u64) -> String {
    let h = crate::sim::rng::fnv1a(&id.to_string());
    let l = h.rotate_left(29) ^ 0x9e37_79b9_7f4a_7c15;
    format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        h >> 32,
        (h >> 16) & 0xffff,
        h & 0xfff,
        0x8000 | (l >> 48) & 0x3fff,
        l & 0xffff_ffff_ffff
    )
}

/// Whether a visibility deadline's (message, receipt) still matters: the
/// message is in flight under that receipt.
#[inline]
fn still_in_flight(model: &Sqs, (m, r): (u32, u32)) -> bool {
    let x = &model.msgs[m as usize];
    x.state == rules::MsgState::InFlight && x.receipt == r
}

impl World {
    // ------------------------------------------------------------ timers

    fn sqs_push(&mut self, t: SimTime, what: SqsEv, a: u32, b: u32) {
        self.q.push(t, Ev::Sqs { what, a, b });
    }

    /// Handle an SQS event.
    #[inline(never)]
    pub(super) fn on_sqs(&mut self, what: SqsEv, a: u32, b: u32) {
        match what {
            SqsEv::VisibilityFifo => self.sqs_visibility_fifo(a, b),
            SqsEv::Visibility => {
                if self.sqs.model.visibility_due(a, b, self.now) {
                    let q = self.sqs.model.msgs[a as usize].queue.known();
                    self.sqs_serve_waiters(q);
                }
            }
            SqsEv::DelayFifo => self.sqs_delay_fifo(a, b),
            SqsEv::Expiry => {
                if self.sqs.expiry[a as usize].0.fire(b) {
                    self.sqs.model.expire_due(a, self.now);
                    self.sqs_arm_expiry(a);
                }
            }
            SqsEv::Poll => self.sqs_poll(a, b),
            SqsEv::PollTimeout => self.sqs_poll_timeout(a, b),
            SqsEv::Processed => self.sqs_processed(a, b),
            SqsEv::Heartbeat => self.sqs_heartbeat(a, b),
            SqsEv::SentOk | SqsEv::SentThrottled | SqsEv::SentRejected => {
                let r = self.reqs[a as usize];
                if r.live && r.generation == b {
                    let outcome = match what {
                        SqsEv::SentOk => super::Outcome::Ok,
                        SqsEv::SentThrottled => super::Outcome::Throttled,
                        // SQS refuses the message (400): stratus has no 4xx
                        // outcome, so it counts as an error of the target.
                        _ => super::Outcome::Target5xx,
                    };
                    if !r.answered {
                        self.answer(a, outcome);
                    }
                    self.free_req(a);
                }
            }
        }
    }

    fn sqs_visibility_fifo(&mut self, q: u32, generation: u32) {
        let now = self.now;
        let mut due = std::mem::take(&mut self.sqs.out);
        due.clear();
        let s = &mut self.sqs;
        let model = &s.model;
        let next = s.vis[q as usize].fire(
            now,
            generation,
            |k| due.push(k),
            |k| still_in_flight(model, k),
        );
        if let Some((t, g)) = next {
            self.sqs_push(t, SqsEv::VisibilityFifo, q, g);
        }
        let mut any = false;
        for &(m, r) in &due {
            any |= self.sqs.model.visibility_due(m, r, now);
        }
        self.sqs.out = due;
        if any {
            self.sqs_serve_waiters(q);
        }
    }

    fn sqs_delay_fifo(&mut self, q: u32, generation: u32) {
        let now = self.now;
        let mut due = Vec::new();
        let s = &mut self.sqs;
        let model = &s.model;
        let next = s.delay[q as usize].fire(
            now,
            generation,
            |k| due.push(k),
            |(m, r)| {
                let x = &model.msgs[m as usize];
                x.state == rules::MsgState::Delayed && x.receipt == r
            },
        );
        if let Some((t, g)) = next {
            self.sqs_push(t, SqsEv::DelayFifo, q, g);
        }
        let mut any = false;
        for (m, r) in due {
            any |= self.sqs.model.delay_ended(m, r);
        }
        if any {
            self.sqs_serve_waiters(q);
        }
    }

    /// Keep the queue's retention timer at its earliest expiry.
    fn sqs_arm_expiry(&mut self, q: u32) {
        let Some(t) = self.sqs.model.next_expiry(q) else {
            return;
        };
        if t > self.end {
            return;
        }
        let (timer, at) = &mut self.sqs.expiry[q as usize];
        if timer.is_armed() && *at <= t {
            return;
        }
        let g = timer.arm();
        *at = t;
        self.sqs_push(t.max(self.now), SqsEv::Expiry, q, g);
    }

    /// Start the visibility timers of the messages just received.
    fn sqs_received(&mut self, q: u32) {
        let vt = self.sqs.model.queues[q as usize].cfg.visibility_timeout;
        let at = rules::visibility_deadline(self.now, vt);
        for k in 0..self.sqs.out.len() {
            let key = self.sqs.out[k];
            if let Some(g) = self.sqs.vis[q as usize].push(at, key) {
                self.sqs_push(at, SqsEv::VisibilityFifo, q, g);
            }
        }
        // Messages deleted before their visibility timeout leave dead
        // entries: drop them as the FIFO grows.
        let s = &mut self.sqs;
        let model = &s.model;
        s.vis[q as usize].compact(|k| still_in_flight(model, k));
    }

    /// Messages moved to dead-letter queues: one activity row each; their
    /// new queue may have waiting consumers.
    fn sqs_moved(&mut self) {
        if self.sqs.moved.is_empty() {
            return;
        }
        let moved = std::mem::take(&mut self.sqs.moved);
        for mv in &moved {
            if let Some(done) = self.dlq_tally[mv.from as usize].note(self.now, *mv) {
                self.dlq_row(done);
            }
        }
        let mut targets: Vec<u32> = moved.iter().map(|m| m.to).collect();
        targets.dedup();
        self.sqs.moved = moved;
        self.sqs.moved.clear();
        for d in targets {
            self.sqs_arm_expiry(d);
            self.sqs_serve_waiters(d);
        }
    }

    // ------------------------------------------------------------ producers

    /// SendMessage from anywhere: the queue takes it (or not) now.
    fn sqs_send(&mut self, q: u32, size: u64, group: u64, logical: u64, twin: bool) -> SendOutcome {
        let now = self.now;
        let out = self.sqs.model.send(q, now, size, group, logical, twin);
        if let SendOutcome::Accepted { msg, delayed } = out {
            if delayed {
                let at = now + self.sqs.model.queues[q as usize].cfg.delay;
                let key = (msg, self.sqs.model.msgs[msg as usize].receipt);
                if let Some(g) = self.sqs.delay[q as usize].push(at, key) {
                    self.sqs_push(at, SqsEv::DelayFifo, q, g);
                }
            } else if !self.sqs.waiters[q as usize].is_empty() {
                self.sqs_serve_waiters(q);
            }
            self.sqs_arm_expiry(q);
        }
        out
    }

    /// SendMessage of a new message from another service (a Lambda
    /// on-failure destination): whether the queue took it.
    pub(super) fn sqs_send_event(&mut self, q: u32, size: u64) -> bool {
        let logical = self.sqs.model.new_logical();
        matches!(
            self.sqs_send(q, size, 0, logical, false),
            SendOutcome::Accepted { .. } | SendOutcome::Deduplicated
        )
    }

    /// ReceiveMessage by a Lambda event source mapping (a long poll that
    /// returns what is there): up to `max` messages into `batch`, each
    /// started (duplicates counted), their visibility timers running.
    pub(super) fn sqs_esm_receive(&mut self, q: u32, max: u32, batch: &mut Vec<(u32, u32)>) {
        let now = self.now;
        let mut out = std::mem::take(&mut self.sqs.out);
        let mut moved = std::mem::take(&mut self.sqs.moved);
        let st = self
            .sqs
            .model
            .receive(q, now, now, max, false, &mut out, &mut moved);
        self.sqs.out = out;
        self.sqs.moved = moved;
        batch.clear();
        if let ReceiveStatus::Messages(_) = st {
            self.sqs_received(q);
            for k in 0..self.sqs.out.len() {
                let (m, r) = self.sqs.out[k];
                self.sqs.model.start_processing(q, m, r);
                self.sqs.trace(now, q, m, TraceKind::Received, None);
                batch.push((m, r));
            }
        }
        self.sqs_moved();
    }

    /// An event source mapping's long poll waited 20 s for nothing: one
    /// empty receive.
    pub(super) fn sqs_esm_empty(&mut self, q: u32) {
        self.sqs.model.empty_receive(q);
    }

    /// An event source mapping is done with `(m, r)` of queue `q`: deleted
    /// if it succeeded (a stale receipt deletes nothing), else left to
    /// come back after its visibility timeout.
    pub(super) fn sqs_esm_done(&mut self, q: u32, m: u32, r: u32, ok: bool) {
        let now = self.now;
        self.sqs.model.end_processing(m, r, ok);
        self.sqs.trace(now, q, m, TraceKind::Finished(ok), None);
        if ok {
            let out = self.sqs.model.delete(q, m, r, now);
            self.sqs.model.bill_call(q);
            self.sqs.trace(now, q, m, TraceKind::Deleted(out), None);
            if out == DeleteOutcome::Deleted && !self.sqs.waiters[q as usize].is_empty() {
                self.sqs_serve_waiters(q);
            }
        }
    }

    /// Visible messages of queue `q` now.
    pub(super) fn sqs_visible(&self, q: u32) -> u64 {
        self.sqs.model.queues[q as usize].visible
    }

    /// A workload's request to a queue: one SendMessage (and its duplicate,
    /// for `duplicate_sends`), answered after the call's round trip.
    pub(super) fn sqs_producer_send(&mut self, req: u32, q: u32) {
        let wl = self.reqs[req as usize].wl.known() as usize;
        let (size, group, dup) = {
            let Some(p) = self.sqs.producers[wl].as_mut() else {
                return;
            };
            let group = p.group.as_ref().map(|s| s.sample(&mut p.rng)).unwrap_or(0);
            let dup = p.duplicate > 0.0 && p.rng.random::<f64>() < p.duplicate;
            (p.size, group, dup)
        };
        let logical = self.sqs.model.new_logical();
        let out = self.sqs_send(q, size, group, logical, dup);
        if dup {
            // The producer sends the same message again (its first
            // acknowledgement was lost): a FIFO queue drops it.
            self.sqs_send(q, size, group, logical, true);
        }
        let what = match out {
            SendOutcome::Accepted { .. } | SendOutcome::Deduplicated => SqsEv::SentOk,
            SendOutcome::Throttled => SqsEv::SentThrottled,
            SendOutcome::TooLarge => SqsEv::SentRejected,
        };
        let lat = self.sqs.model.queues[q as usize].cfg.api_latency;
        let generation = self.reqs[req as usize].generation;
        self.sqs_push(self.now + lat, what, req, generation);
    }

    /// An `sqs_send` app step: the message is sent now; returns whether it
    /// was accepted and the call's round trip.
    pub(super) fn sqs_app_send(&mut self, i: u32) -> (bool, SimTime) {
        let s = &mut self.sqs.sends[i as usize];
        let Some(q) = s.queue else {
            return (true, 0);
        };
        let size = s.size;
        let group = s.group.as_ref().map(|d| d.sample(&mut s.rng)).unwrap_or(0);
        let logical = self.sqs.model.new_logical();
        let out = self.sqs_send(q, size, group, logical, false);
        let lat = self.sqs.model.queues[q as usize].cfg.api_latency;
        (
            matches!(
                out,
                SendOutcome::Accepted { .. } | SendOutcome::Deduplicated
            ),
            lat,
        )
    }

    // ------------------------------------------------------------ consumers

    /// Start every InService consumer instance of the initial fleet.
    pub(super) fn sqs_start(&mut self) {
        for i in 0..self.instances.len() as u32 {
            self.consumer_started(i);
        }
    }

    /// An instance entered service: if its group consumes a queue, start its
    /// polling threads.
    pub(crate) fn consumer_started(&mut self, inst: u32) {
        let g = self.instances[inst as usize].asg as usize;
        let Some(c) = self.sqs.consumers.get(g).and_then(|c| c.as_ref()) else {
            return;
        };
        if self.instances[inst as usize].state != LifecycleState::InService {
            return;
        }
        let (q, threads, cpu_workers) = (c.queue, c.threads, c.cpu_workers);
        let now = self.now;
        self.instances[inst as usize].workers = cpu_workers;
        if self.sqs.inst_pollers.len() <= inst as usize {
            self.sqs.inst_pollers.resize(inst as usize + 1, Vec::new());
        }
        if !self.sqs.inst_pollers[inst as usize].is_empty() {
            return;
        }
        for _ in 0..threads {
            let p = Poller {
                inst,
                g: g as u32,
                q,
                live: true,
                call: 0,
                beat: 0,
                waiting: false,
                asked_at: 0,
                batch: Vec::with_capacity(10),
                keys: Vec::with_capacity(10),
                poison: false,
                pos: 0,
            };
            let id = match self.sqs.free_pollers.pop() {
                Some(id) => {
                    let old = &self.sqs.pollers[id as usize];
                    let (call, beat) = (old.call.wrapping_add(1), old.beat.wrapping_add(1));
                    self.sqs.pollers[id as usize] = Poller { call, beat, ..p };
                    id
                }
                None => {
                    self.sqs.pollers.push(p);
                    (self.sqs.pollers.len() - 1) as u32
                }
            };
            self.sqs.inst_pollers[inst as usize].push(id);
            let call = self.sqs.pollers[id as usize].call;
            self.sqs_push(now, SqsEv::Poll, id, call);
        }
    }

    /// An instance leaves service (terminating, failed): its threads stop;
    /// the messages they hold stay in flight until their visibility timeout.
    pub(crate) fn consumer_stopped(&mut self, inst: u32) {
        let Some(list) = self.sqs.inst_pollers.get_mut(inst as usize) else {
            return;
        };
        let list = std::mem::take(list);
        let now = self.now;
        for p in list {
            let pl = &mut self.sqs.pollers[p as usize];
            if !pl.live {
                continue;
            }
            let busy = pl.pos < pl.batch.len();
            if busy {
                let (m, r) = pl.batch[pl.pos];
                if let Some(m) = m.get() {
                    self.sqs.model.end_processing(m, r, false);
                }
                self.instances[inst as usize].release(now);
                self.load_changed(inst);
            }
            let pl = &mut self.sqs.pollers[p as usize];
            pl.live = false;
            pl.waiting = false;
            pl.call = pl.call.wrapping_add(1);
            pl.beat = pl.beat.wrapping_add(1);
            pl.batch.clear();
            pl.pos = 0;
            self.sqs.free_pollers.push(p);
        }
    }

    fn sqs_poll(&mut self, p: u32, call: u32) {
        let pl = &self.sqs.pollers[p as usize];
        if !pl.live || pl.call != call || self.instances[pl.inst as usize].hung {
            // A hung instance makes no more calls.
            return;
        }
        let (q, g) = (pl.q, pl.g as usize);
        let (batch, wait) = {
            let c = self.sqs.consumers[g].as_ref().expect("a consumer group");
            (c.batch, c.wait)
        };
        let now = self.now;
        let mut out = std::mem::take(&mut self.sqs.out);
        let mut moved = std::mem::take(&mut self.sqs.moved);
        let st = self
            .sqs
            .model
            .receive(q, now, now, batch, wait == 0, &mut out, &mut moved);
        self.sqs.out = out;
        self.sqs.moved = moved;
        let lat = self.sqs.model.queues[q as usize].cfg.api_latency;
        match st {
            ReceiveStatus::Messages(_) => {
                self.sqs_received(q);
                self.sqs_start_batch(p);
            }
            ReceiveStatus::Empty if wait > 0 => {
                // Long polling: wait for a message, at most `wait_time`.
                let pl = &mut self.sqs.pollers[p as usize];
                pl.waiting = true;
                pl.asked_at = now;
                self.sqs.waiters[q as usize].push_back((p, call));
                let c = self.sqs.consumers[g].as_mut().expect("a consumer group");
                if let Some(gen_) = c.timeouts.push(now + wait, (p, call)) {
                    self.sqs_push(now + wait, SqsEv::PollTimeout, g as u32, gen_);
                }
            }
            _ => self.sqs_push(now + lat, SqsEv::Poll, p, call),
        }
        self.sqs_moved();
    }

    fn sqs_poll_timeout(&mut self, g: u32, generation: u32) {
        let now = self.now;
        let mut due = std::mem::take(&mut self.sqs.out);
        due.clear();
        let s = &mut self.sqs;
        let pollers = &s.pollers;
        let waiting = |(p, call): (u32, u32)| {
            let pl = &pollers[p as usize];
            pl.live && pl.call == call && pl.waiting
        };
        let c = s.consumers[g as usize].as_mut().expect("a consumer group");
        let next = c.timeouts.fire(
            now,
            generation,
            |k| {
                if waiting(k) {
                    due.push(k)
                }
            },
            waiting,
        );
        if let Some((t, gen_)) = next {
            self.sqs_push(t, SqsEv::PollTimeout, g, gen_);
        }
        for &(p, call) in &due {
            let pl = &mut self.sqs.pollers[p as usize];
            pl.waiting = false;
            let q = pl.q;
            self.sqs.model.empty_receive(q);
            let lat = self.sqs.model.queues[q as usize].cfg.api_latency;
            self.sqs_push(now + lat, SqsEv::Poll, p, call);
        }
        due.clear();
        self.sqs.out = due;
    }

    /// Messages are receivable: long polls waiting on the queue get them, in
    /// the order they asked.
    fn sqs_serve_waiters(&mut self, q: u32) {
        let now = self.now;
        while self.sqs.model.has_receivable(q) {
            let Some((p, call)) = self.sqs.waiters[q as usize].pop_front() else {
                break;
            };
            let pl = &self.sqs.pollers[p as usize];
            if !pl.live || pl.call != call || !pl.waiting || self.instances[pl.inst as usize].hung {
                continue;
            }
            let (asked, g) = (pl.asked_at, pl.g as usize);
            let batch = self.sqs.consumers[g].as_ref().map(|c| c.batch).unwrap_or(1);
            let mut out = std::mem::take(&mut self.sqs.out);
            let mut moved = std::mem::take(&mut self.sqs.moved);
            let st = self
                .sqs
                .model
                .receive(q, now, asked, batch, false, &mut out, &mut moved);
            self.sqs.out = out;
            self.sqs.moved = moved;
            match st {
                ReceiveStatus::Messages(_) => {
                    let pl = &mut self.sqs.pollers[p as usize];
                    pl.waiting = false;
                    pl.call = pl.call.wrapping_add(1);
                    self.sqs_received(q);
                    self.sqs_start_batch(p);
                    self.sqs_moved();
                }
                _ => {
                    // Nothing after all (moved to a dead-letter queue, or
                    // throttled): it keeps waiting.
                    self.sqs.waiters[q as usize].push_front((p, call));
                    self.sqs_moved();
                    break;
                }
            }
        }
    }

    /// A thread got messages (in `self.sqs.out`): it is busy until it has
    /// processed them all.
    fn sqs_start_batch(&mut self, p: u32) {
        let now = self.now;
        let out = std::mem::take(&mut self.sqs.out);
        let pl = &mut self.sqs.pollers[p as usize];
        pl.batch.clear();
        pl.batch
            .extend(out.iter().map(|&(m, r)| (OptId::some(m), r)));
        pl.keys.clear();
        let model = &self.sqs.model;
        pl.keys
            .extend(out.iter().map(|&(m, _)| model.msgs[m as usize].group_key));
        pl.pos = 0;
        pl.beat = pl.beat.wrapping_add(1);
        let (q, g, inst, beat) = (pl.q, pl.g as usize, pl.inst, pl.beat);
        for &(m, _) in &out {
            self.sqs.trace(now, q, m, TraceKind::Received, Some(p));
        }
        self.sqs.out = out;
        self.instances[inst as usize].admit(THREAD_HOLDS_WORKER, now);
        self.load_changed(inst);
        let c = self.sqs.consumers[g].as_ref().expect("a consumer group");
        let vt = self.sqs.model.queues[q as usize].cfg.visibility_timeout;
        if c.extend && vt >= 2 {
            self.sqs_push(now + vt / 2, SqsEv::Heartbeat, p, beat);
        }
        let lat = self.sqs.model.queues[q as usize].cfg.api_latency;
        self.sqs_next_message(p, now + lat);
    }

    /// Start the thread's next message at `at`, or end the batch.
    fn sqs_next_message(&mut self, p: u32, at: SimTime) {
        let now = self.now;
        let pl = &mut self.sqs.pollers[p as usize];
        while pl.pos < pl.batch.len() && pl.batch[pl.pos].0.is_none() {
            pl.pos += 1;
        }
        let (q, g, call) = (pl.q, pl.g as usize, pl.call);
        if pl.pos >= pl.batch.len() {
            // The batch is done: the thread polls again.
            pl.batch.clear();
            pl.pos = 0;
            pl.beat = pl.beat.wrapping_add(1);
            let inst = pl.inst;
            self.instances[inst as usize].finish(now);
            self.load_changed(inst);
            self.sqs_push(at, SqsEv::Poll, p, call);
            return;
        }
        let (m, r) = pl.batch[pl.pos];
        let m = m.known();
        self.sqs.model.start_processing(q, m, r);
        self.sqs.trace(at, q, m, TraceKind::Started, Some(p));
        // The message's work: drawn once, the same for every consumer.
        let known = self.sqs.model.same_message(m, r);
        let work = match self.sqs.model.msgs[m as usize].work {
            Some(w) if known => w,
            _ => {
                let c = self.sqs.consumers[g].as_mut().expect("a consumer group");
                let d = c.processing.sample(&mut c.rng);
                let poison = c.poison_rate > 0.0 && c.fail_rng.random::<f64>() < c.poison_rate;
                if known {
                    self.sqs.model.msgs[m as usize].work = Some((d, poison));
                }
                (d, poison)
            }
        };
        self.sqs.pollers[p as usize].poison = work.1;
        self.sqs_push(at + work.0, SqsEv::Processed, p, call);
    }

    fn sqs_processed(&mut self, p: u32, call: u32) {
        let now = self.now;
        let pl = &self.sqs.pollers[p as usize];
        if !pl.live || pl.call != call || pl.pos >= pl.batch.len() {
            return;
        }
        if self.instances[pl.inst as usize].hung {
            // A hung instance never finishes: its messages time out.
            return;
        }
        let (q, g) = (pl.q, pl.g as usize);
        let (m, r) = pl.batch[pl.pos];
        let m = m.known();
        let c = self.sqs.consumers[g].as_mut().expect("a consumer group");
        let failed = self.sqs.pollers[p as usize].poison
            || (c.failure_rate > 0.0 && c.fail_rng.random::<f64>() < c.failure_rate);
        self.sqs.model.end_processing(m, r, !failed);
        self.sqs
            .trace(now, q, m, TraceKind::Finished(!failed), Some(p));
        let lat = self.sqs.model.queues[q as usize].cfg.api_latency;
        let next_at = if failed {
            if self.sqs.model.queues[q as usize].cfg.fifo {
                // Keep the group in order: leave its later messages too.
                let pl = &mut self.sqs.pollers[p as usize];
                let key = pl.keys[pl.pos];
                for k in pl.pos + 1..pl.batch.len() {
                    if pl.keys[k] == key {
                        pl.batch[k].0 = OptId::NONE;
                    }
                }
            }
            now
        } else {
            let out = self.sqs.model.delete(q, m, r, now);
            self.sqs.model.bill_call(q);
            self.sqs.trace(now, q, m, TraceKind::Deleted(out), Some(p));
            if out == DeleteOutcome::Deleted && !self.sqs.waiters[q as usize].is_empty() {
                // A FIFO group unlocked, or room under the in-flight limit.
                self.sqs_serve_waiters(q);
            }
            now + lat
        };
        self.sqs.pollers[p as usize].pos += 1;
        self.sqs_next_message(p, next_at);
    }

    fn sqs_heartbeat(&mut self, p: u32, beat: u32) {
        let now = self.now;
        let pl = &self.sqs.pollers[p as usize];
        if !pl.live || pl.beat != beat || pl.pos >= pl.batch.len() {
            return;
        }
        if self.instances[pl.inst as usize].hung {
            return;
        }
        let q = pl.q;
        let vt = self.sqs.model.queues[q as usize].cfg.visibility_timeout;
        let held: Vec<(u32, u32)> = pl.batch[pl.pos..]
            .iter()
            .filter_map(|&(m, r)| m.get().map(|m| (m, r)))
            .collect();
        // One ChangeMessageVisibilityBatch call.
        self.sqs.model.bill_call(q);
        for (m, r) in held {
            if let Ok(t) = self.sqs.model.change_visibility(q, m, r, now, vt) {
                self.sqs_push(t, SqsEv::Visibility, m, r);
            }
        }
        self.sqs_push(now + vt / 2, SqsEv::Heartbeat, p, beat);
    }

    // ------------------------------------------------------------ metrics

    /// CloudWatch's minute: the queues' visible messages now (for alarms
    /// and backlog-per-instance target tracking after the publication delay).
    pub(super) fn sqs_cloudwatch_minute(&mut self) {
        if self.sqs.model.queues.is_empty() {
            return;
        }
        let v = self.sqs.model.queues.iter().map(|q| q.visible).collect();
        self.sqs.cw.push_back((self.now, v));
        while self.sqs.cw.len() > 64 {
            self.sqs.cw.pop_front();
        }
    }

    /// ApproximateNumberOfMessagesVisible of queue `q` at the CloudWatch
    /// minute ending `end`.
    pub(super) fn sqs_visible_at(&self, q: u32, end: SimTime) -> Option<f64> {
        self.sqs
            .cw
            .iter()
            .rev()
            .find(|x| x.0 == end)
            .and_then(|x| x.1.get(q as usize))
            .map(|&v| v as f64)
    }

    /// The metrics period ending now (started at `t0`): one row per queue
    /// metric, and a `redelivery` activity row for the period's redeliveries.
    pub(super) fn sqs_metrics_tick(&mut self, t0: SimTime) {
        let now = self.now;
        for q in 0..self.sqs.model.queues.len() {
            let res = self.sqs.res[q];
            let age = self.sqs.model.age_of_oldest(q as u32, now);
            let qu = &mut self.sqs.model.queues[q];
            let p = std::mem::take(&mut qu.period);
            let s = &mut self.series;
            s.push(
                t0,
                res,
                "ApproximateNumberOfMessagesVisible",
                qu.visible as f64,
            );
            s.push(
                t0,
                res,
                "ApproximateNumberOfMessagesNotVisible",
                qu.in_flight as f64,
            );
            s.push(
                t0,
                res,
                "ApproximateNumberOfMessagesDelayed",
                qu.delayed as f64,
            );
            s.push(
                t0,
                res,
                "ApproximateAgeOfOldestMessage",
                (age / 1_000_000_000) as f64,
            );
            s.push(t0, res, "NumberOfMessagesSent", p.sent as f64);
            s.push(t0, res, "NumberOfMessagesReceived", p.received as f64);
            s.push(t0, res, "NumberOfMessagesDeleted", p.deleted as f64);
            s.push(t0, res, "NumberOfEmptyReceives", p.empty_receives as f64);
            // Cost so far (cumulative, USD), for the dashboard's cost chart.
            let cost = qu.totals.requests as f64 / 1e6 * rules::price_per_million(qu.cfg.fifo);
            s.push(t0, res, "CostUSD", cost);
            if p.redelivered > 0 {
                let name = qu.cfg.name.clone();
                let vt = qu.cfg.visibility_timeout / 1_000_000_000;
                let (a, b) = (self.clock_text(t0), self.clock_text(now));
                self.activities.push(Activity::new(
                    p.first_redelivery,
                    name.clone(),
                    Act::Redelivery { count: p.redelivered },
                    format!("Redelivered {} messages", p.redelivered),
                    format!(
                        "Between {a} and {b} queue {name} returned {} messages it had returned before (ApproximateReceiveCount 2 or more): they were not deleted before their visibility timeout ({vt} s) ended — processing failed or took longer than the timeout, or the consumer went away.",
                        p.redelivered
                    ),
                ));
            }
        }
    }

    /// The summary row of a minute's dead-letter moves out of one queue.
    pub(super) fn dlq_row(&mut self, (first, n, mv): (u64, u64, crate::aws::sqs::Moved)) {
        let t = self.clock_text(first);
        let from = self.sqs.model.queues[mv.from as usize].cfg.name.clone();
        let to = self.sqs.model.queues[mv.to as usize].cfg.name.clone();
        let max = self.sqs.model.queues[mv.from as usize]
            .cfg
            .redrive
            .map(|r| r.1)
            .unwrap_or(0);
        let id = message_id(mv.id);
        let messages = if n == 1 { "message" } else { "messages" };
        self.activities.push(
            Activity::new(
                first,
                from.clone(),
                Act::DlqMove { count: n },
                format!("Moving {n} {messages} to dead-letter queue {to}"),
                format!(
                    "At {t} ReceiveMessage calls on queue {from} found messages at the redrive policy's maxReceiveCount ({max}), so they were moved to the dead-letter queue {to} instead of being returned."
                ),
            )
            .with_details(format!(
                "{n} moves in the minute from here; the first was message {id} with ApproximateReceiveCount {}; {SIMULATOR_WORDING}",
                mv.receive_count
            )),
        );
    }

    // ------------------------------------------------------------ results

    /// The queues' figures for `summary.json` (keys as in
    /// `shared/spec/outputs.md`, and a few more).
    pub fn sqs_summary(&self) -> BTreeMap<String, serde_json::Value> {
        let now = self.now;
        let m = &self.sqs.model;
        m.queues
            .iter()
            .enumerate()
            .map(|(i, q)| {
                let t = &q.totals;
                (
                    q.cfg.name.clone(),
                    serde_json::json!({
                        "sent": t.sent,
                        "received": t.received,
                        "deleted": t.deleted,
                        "redelivered": t.redelivered,
                        "dead_lettered": t.dead_lettered,
                        "moved_in": t.moved_in,
                        "expired": t.expired,
                        "duplicates_processed": t.duplicates_processed,
                        "max_age_s": r6(m.max_age(i as u32, now) as f64 / 1e9),
                        "visible_at_end": q.visible,
                        "in_flight_at_end": q.in_flight,
                        "delayed_at_end": q.delayed,
                        "cost_usd": r6(m.cost_usd(i as u32)),
                        "requests": t.requests,
                        "empty_receives": t.empty_receives,
                        "deduplicated": t.deduplicated,
                        "rejected": t.rejected,
                        "throttled": t.throttled,
                        "over_limit": t.over_limit,
                    }),
                )
            })
            .collect()
    }

    /// Record every message event of the run (for tests); call before `run`.
    pub fn sqs_trace_on(&mut self) {
        self.sqs.trace = Some(Vec::new());
    }

    /// The recorded message events.
    pub fn sqs_trace(&self) -> &[SqsTrace] {
        self.sqs.trace.as_deref().unwrap_or(&[])
    }

    /// Queue index by name.
    pub fn queue_index(&self, name: &str) -> Option<u32> {
        self.sqs
            .model
            .queues
            .iter()
            .position(|q| q.cfg.name == name)
            .map(|i| i as u32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqs_events_keep_the_event_small() {
        // The SQS variant must not grow the event every request pays for.
        assert!(
            std::mem::size_of::<Ev>() <= 16,
            "{}",
            std::mem::size_of::<Ev>()
        );
    }

    #[test]
    fn message_ids_look_like_aws_ones() {
        let id = message_id(42);
        assert_eq!(id.len(), 36);
        assert_eq!(id.as_bytes()[14], b'4');
        assert_ne!(message_id(43), id);
    }
}
