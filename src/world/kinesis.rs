//! The Kinesis side of the world: streams and their shards, producers
//! (workloads and `kinesis_put` app steps) with their SDK retries, the
//! Lambda event source mappings that read the shards, resharding
//! (UpdateShardCount and on-demand growth), metrics and the summary.
//!
//! The rules (MD5 hashing onto hash key ranges, the per-shard write and
//! read limits, UpdateShardCount's limits, uniform scaling, on-demand
//! capacity, prices) live in [`crate::aws::kinesis`]; [`Streams`] owns the
//! live state.
//!
//! A record is put to the open shard whose hash key range holds the MD5 of
//! its partition key (`key-<n>`, `n` drawn from the stream's
//! `partition_keys`). A shard over 1,000 records or 1 MiB in the current
//! second refuses it (`WriteProvisionedThroughputExceeded`): the producer
//! retries with the SDK's standard backoff (U[0,1) × min(2^(n−1), 20) s) up
//! to `max_attempts`, then gives up (a workload request ends `throttled`).
//!
//! Each consumer (an event source mapping) has a reader per shard with
//! `parallelization_factor` lanes. Once a second — and at once when its
//! lanes are empty and a batch's worth of records waits — the reader calls
//! GetRecords while its lanes hold less than a batch each (5 calls/s per
//! shard shared by standard consumers, 2 MiB/s; enhanced fan-out: 2 MiB/s
//! of its own), takes what the shard's read budget serves (at most 10,000
//! records), spreads the records over the lanes by partition key, and
//! each idle lane invokes the function with up to `batch_size` records when
//! it has them, its batching window has passed, or the window is 0. A
//! throttled invocation is retried a second later; a function error retries
//! the batch (split in two first with `bisect_batch_on_function_error`)
//! until `maximum_retry_attempts`, then discards it (its description goes
//! to `on_failure`). While a lane retries, its records behind wait — the
//! iterator age grows. A child shard is read only when its parents are
//! read to their end. Records older than the retention expire unread.

use super::lambda::Origin;
use super::{Ev, Outcome, STEP_FAILED, Sink, World};
use crate::aws::kinesis::{self as rules, HashRange, ReadLimiter, WriteWindow};
use crate::report::activity::{Act, Activity, SIMULATOR_WORDING};
use crate::report::summary::r6;
use crate::scenario::{AppStep, CapacityMode, Scenario};
use crate::sim::rng::{CountSampler, Rng};
use crate::sim::{SimTime, stream};
use rand::RngExt;
use std::collections::{BTreeMap, VecDeque};

const SECOND: SimTime = 1_000_000_000;
/// Lanes' partition-key slot: divisible by every parallelization factor 1–10.
const LANE_SLOTS: u128 = 2520;

/// What an [`Ev::Kinesis`] event is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum KinEv {
    /// A throttled record's next attempt (a = put slot, b = generation).
    PutRetry,
    /// A reader's once-a-second poll (a = reader).
    Poll,
    /// A scheduled UpdateShardCount call (a = stream, b = update index).
    UpdateShardCount,
    /// A reshard is complete (a = stream, b = target shard count).
    ReshardDone,
    /// An on-demand stream's minute (a = stream).
    OnDemandMinute,
}

#[derive(Clone, Copy, Debug)]
struct Rec {
    /// When the stream accepted it.
    t: SimTime,
    bytes: u32,
    /// Hash key modulo [`LANE_SLOTS`]: its lane is this modulo the factor.
    slot: u16,
    /// A uniform draw: poison for a consumer whose threshold is above it.
    u: u16,
}

#[derive(Clone, Copy, Debug, Default)]
struct ShardPeriod {
    records: u64,
    bytes: u64,
    write_throttles: u64,
    read_throttles: u64,
    iterator_age_ms: Option<f64>,
}

struct Shard {
    id: u32,
    open: bool,
    parents: Vec<u32>,
    write: WriteWindow,
    read: ReadLimiter,
    log: VecDeque<Rec>,
    /// Absolute index of `log[0]`.
    base: u64,
    /// Per consumer: its reader of this shard.
    readers: Vec<u32>,
    res: u32,
    period: ShardPeriod,
    records: u64,
    write_throttles: u64,
    opened_at: SimTime,
    closed_at: Option<SimTime>,
}

impl Shard {
    fn end(&self) -> u64 {
        self.base + self.log.len() as u64
    }
    fn name(&self) -> String {
        format!("shardId-{:012}", self.id)
    }
    fn open_seconds(&self, t: SimTime) -> f64 {
        let until = self.closed_at.unwrap_or(t).min(t);
        until.saturating_sub(self.opened_at) as f64 / 1e9
    }
}

#[derive(Clone, Copy, Debug, Default)]
struct ConsumerTotals {
    processed: u64,
    failed: u64,
    expired: u64,
    invocations: u64,
    batch_errors: u64,
    retries: u64,
    bisects: u64,
    dead_lettered: u64,
    throttled_invokes: u64,
    get_records: u64,
    read_throttles: u64,
    bytes_read: u64,
    max_iterator_age_ms: f64,
}

struct Consumer {
    /// Its function (validation makes sure it exists).
    f: Option<u32>,
    fname: String,
    fres: u32,
    batch_size: u32,
    window: SimTime,
    pf: u32,
    bisect: bool,
    max_retries: Option<u32>,
    max_age: Option<SimTime>,
    efo: bool,
    /// Records with `u` below this are poison.
    poison: u32,
    dlq: Option<u32>,
    totals: ConsumerTotals,
    period_age_ms: Option<f64>,
}

#[derive(Clone, Debug, Default)]
struct Lane {
    buf: VecDeque<Rec>,
    /// When `buf` got its first record (the batching window's start).
    first_at: SimTime,
    batch: Vec<Rec>,
    has_batch: bool,
    in_flight: bool,
    retry_at: SimTime,
    /// Retries of the current batch so far.
    retries: u32,
}

struct Reader {
    stream: u32,
    consumer: u32,
    shard: u32,
    pos: u64,
    lanes: Vec<Lane>,
    efo: ReadLimiter,
    done: bool,
}

#[derive(Clone, Copy, Debug, Default)]
struct StreamPeriod {
    records: u64,
    bytes: u64,
    write_throttles: u64,
    read_throttles: u64,
    get_calls: u64,
    get_records: u64,
    iterator_age_ms: Option<f64>,
}

/// Totals of one stream.
#[derive(Clone, Copy, Debug, Default)]
struct StreamTotals {
    /// Records producers tried to put (each counted once, however many attempts).
    put: u64,
    /// … accepted by a shard.
    accepted: u64,
    bytes_in: u64,
    put_units: u64,
    /// Attempts refused by a shard's write limit.
    write_throttles: u64,
    /// Attempts after the first.
    retries: u64,
    /// Records the producer gave up on.
    put_failed: u64,
    read_throttles: u64,
    get_calls: u64,
    bytes_out: u64,
    max_iterator_age_ms: f64,
    reshards: u64,
    refused_updates: u64,
}

struct StreamRt {
    name: String,
    res: u32,
    mode: CapacityMode,
    size: u64,
    keys: CountSampler,
    key_rng: Rng,
    rec_rng: Rng,
    retry_rng: Rng,
    max_attempts: u32,
    retention: SimTime,
    shards: Vec<Shard>,
    /// Open shards, by range.
    open: Vec<u32>,
    open_ranges: Vec<HashRange>,
    consumers: Vec<Consumer>,
    updating: bool,
    update_calls: Vec<SimTime>,
    updates: Vec<(SimTime, u32)>,
    minute_records: u64,
    minute_bytes: u64,
    peak_records: f64,
    peak_bytes: f64,
    period: StreamPeriod,
    totals: StreamTotals,
}

#[derive(Clone, Copy, Debug)]
enum PutOrigin {
    Workload { req: u32, generation: u32 },
    App { req: u32, generation: u32 },
}

#[derive(Clone, Copy, Debug)]
struct Put {
    stream: u32,
    generation: u32,
    live: bool,
    origin: PutOrigin,
    hash: u128,
    attempts: u32,
}

/// The scenario's streams, their readers and the records producers retry.
pub(crate) struct Streams {
    streams: Vec<StreamRt>,
    readers: Vec<Reader>,
    puts: Vec<Put>,
    free_puts: Vec<u32>,
    wl_sinks: Vec<Option<Sink>>,
    /// Per `kinesis_put` app step, its stream.
    steps: Vec<Option<u32>>,
}

/// What a `kinesis_put` step did at once.
pub(super) enum StepPut {
    /// Accepted: go on.
    Done,
    /// Throttled, a retry is due: the worker waits.
    Wait,
}

impl Streams {
    /// The sink of workload `i` when it targets a stream.
    pub(super) fn workload_sink(&self, i: usize) -> Option<Sink> {
        self.wl_sinks[i]
    }

    pub(crate) fn new(sc: &Scenario, series: &mut crate::report::metrics::Series) -> Streams {
        let seed = sc.seed;
        let fidx = |n: &str| {
            sc.functions
                .iter()
                .position(|f| f.name == n)
                .map(|i| i as u32)
        };
        let qidx = |n: &str| sc.queues.iter().position(|q| q.name == n).map(|i| i as u32);
        let tidx = |n: &str| {
            sc.streams
                .iter()
                .position(|t| t.name == n)
                .map(|i| i as u32)
        };
        let streams = sc
            .streams
            .iter()
            .map(|st| {
                let res = series.resource(&st.name);
                let n = match st.capacity_mode {
                    CapacityMode::Provisioned => st.shards.unwrap_or(1).max(1),
                    CapacityMode::OnDemand => rules::ON_DEMAND_INITIAL_SHARDS,
                };
                let mut updates: Vec<(SimTime, u32)> = st
                    .update_shard_count
                    .iter()
                    .map(|u| (u.at.0, u.target_shard_count))
                    .collect();
                updates.sort_by_key(|u| u.0);
                let consumers = st
                    .consumers
                    .iter()
                    .map(|c| Consumer {
                        f: fidx(&c.function),
                        fname: c.function.clone(),
                        fres: series.resource(&c.function),
                        batch_size: c.batch_size.max(1),
                        window: c.maximum_batching_window.0,
                        pf: c.parallelization_factor.clamp(1, 10),
                        bisect: c.bisect_batch_on_function_error,
                        max_retries: c.maximum_retry_attempts,
                        max_age: c.maximum_record_age.map(|d| d.0),
                        efo: c.enhanced_fan_out,
                        poison: (c.poison_rate.clamp(0.0, 1.0) * 65536.0) as u32,
                        dlq: c.on_failure.as_ref().and_then(|d| qidx(&d.queue)),
                        totals: ConsumerTotals::default(),
                        period_age_ms: None,
                    })
                    .collect();
                let mut s = StreamRt {
                    name: st.name.clone(),
                    res,
                    mode: st.capacity_mode,
                    size: st.record_size.map(|s| s.0).unwrap_or(1024).max(1),
                    keys: st
                        .partition_keys
                        .as_ref()
                        .map(|k| k.sampler())
                        .unwrap_or(CountSampler::Uniform(0, 999_999)),
                    key_rng: stream(seed, &format!("kinesis/{}/keys", st.name)),
                    rec_rng: stream(seed, &format!("kinesis/{}/records", st.name)),
                    retry_rng: stream(seed, &format!("kinesis/{}/retries", st.name)),
                    max_attempts: st.producer.max_attempts.max(1),
                    retention: st.retention.0,
                    shards: Vec::new(),
                    open: Vec::new(),
                    open_ranges: Vec::new(),
                    consumers,
                    updating: false,
                    update_calls: Vec::new(),
                    updates,
                    minute_records: 0,
                    minute_bytes: 0,
                    peak_records: 0.0,
                    peak_bytes: 0.0,
                    period: StreamPeriod::default(),
                    totals: StreamTotals::default(),
                };
                for r in rules::uniform_ranges(n) {
                    let id = s.shards.len() as u32;
                    let name = format!("{}/shardId-{:012}", st.name, id);
                    s.shards
                        .push(new_shard(id, Vec::new(), series.resource(&name), 0));
                    s.open.push(id);
                    s.open_ranges.push(r);
                }
                s
            })
            .collect();
        let wl_sinks = sc
            .workloads
            .iter()
            .map(|w| w.to.stream.as_deref().and_then(tidx).map(Sink::Stream))
            .collect();
        let mut steps = Vec::new();
        for g in &sc.auto_scaling_groups {
            for s in &g.app {
                if let AppStep::KinesisPut(p) = s {
                    steps.push(tidx(&p.stream));
                }
            }
        }
        Streams {
            streams,
            readers: Vec::new(),
            puts: Vec::new(),
            free_puts: Vec::new(),
            wl_sinks,
            steps,
        }
    }
}

fn new_shard(id: u32, parents: Vec<u32>, res: u32, at: SimTime) -> Shard {
    Shard {
        id,
        open: true,
        parents,
        write: WriteWindow::default(),
        read: ReadLimiter::default(),
        log: VecDeque::new(),
        base: 0,
        readers: Vec::new(),
        res,
        period: ShardPeriod::default(),
        records: 0,
        write_throttles: 0,
        opened_at: at,
        closed_at: None,
    }
}

fn max_opt(a: Option<f64>, b: f64) -> Option<f64> {
    Some(a.map_or(b, |x| x.max(b)))
}

impl World {
    fn kin_push(&mut self, t: SimTime, what: KinEv, a: u32, b: u32) {
        if t <= self.end {
            self.q.push(t, Ev::Kinesis { what, a, b });
        }
    }

    /// Route the workloads that target streams; start the readers and the
    /// scheduled calls.
    pub(super) fn streams_start(&mut self) {
        for st in 0..self.streams.streams.len() as u32 {
            let shards: Vec<u32> = self.streams.streams[st as usize].open.clone();
            for s in shards {
                self.kin_add_readers(st, s);
            }
            let ups: Vec<SimTime> = self.streams.streams[st as usize]
                .updates
                .iter()
                .map(|u| u.0)
                .collect();
            for (i, at) in ups.into_iter().enumerate() {
                self.kin_push(at, KinEv::UpdateShardCount, st, i as u32);
            }
            if self.streams.streams[st as usize].mode == CapacityMode::OnDemand {
                self.kin_push(60 * SECOND, KinEv::OnDemandMinute, st, 0);
            }
        }
    }

    fn kin_add_readers(&mut self, st: u32, shard: u32) {
        let n = self.streams.streams[st as usize].consumers.len();
        for c in 0..n {
            let pf = self.streams.streams[st as usize].consumers[c].pf;
            let r = self.streams.readers.len() as u32;
            self.streams.readers.push(Reader {
                stream: st,
                consumer: c as u32,
                shard,
                pos: 0,
                lanes: vec![Lane::default(); pf as usize],
                efo: ReadLimiter::efo(),
                done: false,
            });
            self.streams.streams[st as usize].shards[shard as usize]
                .readers
                .push(r);
            let now = self.now;
            self.kin_push(now, KinEv::Poll, r, 0);
        }
    }

    /// Handle a Kinesis event.
    #[inline(never)]
    pub(super) fn on_kinesis(&mut self, what: KinEv, a: u32, b: u32) {
        match what {
            KinEv::PutRetry => {
                let p = self.streams.puts[a as usize];
                if p.live && p.generation == b {
                    self.kin_attempt(a);
                }
            }
            KinEv::Poll => {
                self.kin_poll(a, true);
                let r = &self.streams.readers[a as usize];
                if !r.done {
                    let t = self.now + SECOND;
                    self.kin_push(t, KinEv::Poll, a, 0);
                }
            }
            KinEv::UpdateShardCount => {
                let target = self.streams.streams[a as usize].updates[b as usize].1;
                self.kin_update_shard_count(a, target, false);
            }
            KinEv::ReshardDone => self.kin_reshard_done(a, b),
            KinEv::OnDemandMinute => self.kin_on_demand_minute(a),
        }
    }

    // ------------------------------------------------------------ producers

    fn kin_new_put(&mut self, st: u32, origin: PutOrigin) -> u32 {
        let s = &mut self.streams.streams[st as usize];
        let k = s.keys.sample(&mut s.key_rng);
        let hash = rules::hash_key(&format!("key-{k}"));
        s.totals.put += 1;
        let p = Put {
            stream: st,
            generation: 0,
            live: true,
            origin,
            hash,
            attempts: 0,
        };
        let ps = &mut self.streams;
        match ps.free_puts.pop() {
            Some(i) => {
                let g = ps.puts[i as usize].generation;
                ps.puts[i as usize] = Put { generation: g, ..p };
                i
            }
            None => {
                ps.puts.push(p);
                (ps.puts.len() - 1) as u32
            }
        }
    }

    fn kin_end_put(&mut self, i: u32) {
        let p = &mut self.streams.puts[i as usize];
        p.live = false;
        p.generation = p.generation.wrapping_add(1);
        self.streams.free_puts.push(i);
    }

    /// One PutRecord attempt of put `i`: accepted, retried later, or given up.
    /// Returns whether it is settled (accepted or given up) and accepted.
    fn kin_attempt(&mut self, i: u32) -> Option<bool> {
        let now = self.now;
        let p = self.streams.puts[i as usize];
        let s = &mut self.streams.streams[p.stream as usize];
        if p.attempts > 0 {
            s.totals.retries += 1;
        }
        self.streams.puts[i as usize].attempts += 1;
        let k = rules::shard_for(&s.open_ranges, p.hash);
        let sh_i = s.open[k] as usize;
        let size = s.size;
        let ok = s.shards[sh_i].write.try_write(now, size);
        if ok {
            let u: u16 = s.rec_rng.random();
            let has_readers = !s.consumers.is_empty();
            let sh = &mut s.shards[sh_i];
            if has_readers {
                sh.log.push_back(Rec {
                    t: now,
                    bytes: size.min(u32::MAX as u64) as u32,
                    slot: (p.hash % LANE_SLOTS) as u16,
                    u,
                });
            } else {
                sh.base += 1;
            }
            sh.records += 1;
            sh.period.records += 1;
            sh.period.bytes += size;
            s.period.records += 1;
            s.period.bytes += size;
            s.totals.accepted += 1;
            s.totals.bytes_in += size;
            s.totals.put_units += rules::put_payload_units(size);
            s.minute_records += 1;
            s.minute_bytes += size;
        } else {
            let sh = &mut s.shards[sh_i];
            sh.write_throttles += 1;
            sh.period.write_throttles += 1;
            s.period.write_throttles += 1;
            s.totals.write_throttles += 1;
        }
        let attempts = p.attempts + 1;
        let settled = if ok {
            Some(true)
        } else if attempts >= s.max_attempts {
            s.totals.put_failed += 1;
            Some(false)
        } else {
            let u: f64 = s.retry_rng.random();
            let delay = crate::aws::retry::standard_delay(attempts, u);
            let g = p.generation;
            self.kin_push(now + (delay * 1e9) as SimTime, KinEv::PutRetry, i, g);
            None
        };
        if let Some(accepted) = settled
            && self.streams.puts[i as usize].attempts > 1
        {
            // A retry settled it: tell whoever waits.
            self.kin_settle(i, accepted);
        }
        settled
    }

    /// A retried put is settled: answer its workload request or resume its
    /// app step; free the slot.
    fn kin_settle(&mut self, i: u32, accepted: bool) {
        let p = self.streams.puts[i as usize];
        self.kin_end_put(i);
        match p.origin {
            PutOrigin::Workload { req, generation } => {
                let r = self.reqs[req as usize];
                if r.live && r.generation == generation {
                    if !r.answered {
                        self.answer(
                            req,
                            if accepted {
                                Outcome::Ok
                            } else {
                                Outcome::Throttled
                            },
                        );
                    }
                    self.free_req(req);
                }
            }
            PutOrigin::App { req, generation } => {
                let r = self.reqs[req as usize];
                if r.live && r.generation == generation {
                    self.reqs[req as usize].step = if accepted { r.step + 1 } else { STEP_FAILED };
                    self.q.push(
                        self.now,
                        Ev::ServiceDone {
                            req,
                            generation: r.generation,
                        },
                    );
                }
            }
        }
    }

    /// A workload's PutRecord.
    pub(super) fn kinesis_workload_put(&mut self, req: u32, st: u32) {
        let generation = self.reqs[req as usize].generation;
        let i = self.kin_new_put(st, PutOrigin::Workload { req, generation });
        if let Some(accepted) = self.kin_attempt(i) {
            self.kin_end_put(i);
            self.answer(
                req,
                if accepted {
                    Outcome::Ok
                } else {
                    Outcome::Throttled
                },
            );
            self.free_req(req);
        }
    }

    /// `advance` reached `kinesis_put` step `i` (app step `k`) of a request.
    /// `None`: the record was refused for good (the app answers 500).
    #[cold]
    #[inline(never)]
    pub(super) fn kinesis_step(&mut self, i: u32, req: u32, k: u16) -> Option<StepPut> {
        let Some(st) = self.streams.steps.get(i as usize).copied().flatten() else {
            return Some(StepPut::Done);
        };
        self.reqs[req as usize].step = k;
        let generation = self.reqs[req as usize].generation;
        let p = self.kin_new_put(st, PutOrigin::App { req, generation });
        match self.kin_attempt(p) {
            Some(accepted) => {
                self.kin_end_put(p);
                accepted.then_some(StepPut::Done)
            }
            None => Some(StepPut::Wait),
        }
    }

    // ------------------------------------------------------------ resharding

    /// An UpdateShardCount call (`auto`: on-demand growth, no call limits).
    fn kin_update_shard_count(&mut self, st: u32, target: u32, auto: bool) {
        let now = self.now;
        let t = self.clock_text(now);
        let s = &mut self.streams.streams[st as usize];
        let current = s.open.len() as u32;
        let day = 24 * 3600 * SECOND;
        let recent = s
            .update_calls
            .iter()
            .filter(|&&c| now.saturating_sub(c) < day)
            .count() as u32;
        let refused = if s.updating {
            Some(format!(
                "ResourceInUseException: stream {} is UPDATING",
                s.name
            ))
        } else if auto {
            None
        } else {
            rules::update_shard_count_problem(current, target, recent)
                .map(|m| format!("LimitExceededException: {m}"))
        };
        let name = s.name.clone();
        if let Some(why) = refused {
            s.totals.refused_updates += 1;
            self.activities.push(
                Activity::new(
                    now,
                    name.clone(),
                    Act::Reshard,
                    format!("Updating the shard count of stream {name} from {current} to {target}: refused"),
                    format!("At {t} an UpdateShardCount call failed: {why}"),
                )
                .with_details(SIMULATOR_WORDING),
            );
            return;
        }
        if !auto {
            s.update_calls.push(now);
        }
        s.updating = true;
        let secs = if auto {
            rules::ON_DEMAND_SCALE_S
        } else {
            rules::reshard_duration_s(current, target)
        };
        let who = if auto {
            "Kinesis Data Streams (on-demand capacity)"
        } else {
            "a user request"
        };
        self.activities.push(
            Activity::new(
                now,
                name.clone(),
                Act::Reshard,
                format!(
                    "Updating the shard count of stream {name} from {current} to {target} (UNIFORM_SCALING): the stream is UPDATING"
                ),
                format!("At {t} {who} called UpdateShardCount with TargetShardCount {target}."),
            )
            .with_details(format!(
                "{SIMULATOR_WORDING}; writes and reads go on meanwhile; the new shards open in {secs} s (AWS: \"a few minutes\", duration modelled)"
            )),
        );
        self.kin_push(now + secs * SECOND, KinEv::ReshardDone, st, target);
    }

    /// The reshard is done: the open shards close, `target` shards with
    /// uniform ranges open, each a child of the shards it overlaps.
    fn kin_reshard_done(&mut self, st: u32, target: u32) {
        let now = self.now;
        let s = &mut self.streams.streams[st as usize];
        let old_ranges = s.open_ranges.clone();
        let old = std::mem::take(&mut s.open);
        let new_ranges = rules::uniform_ranges(target);
        let parents = rules::children_of(&old_ranges, &new_ranges);
        for &o in &old {
            let sh = &mut s.shards[o as usize];
            sh.open = false;
            sh.closed_at = Some(now);
        }
        let mut created = Vec::new();
        for ps in parents {
            let id = s.shards.len() as u32;
            let name = format!("{}/shardId-{:012}", s.name, id);
            let res = self.series.resource(&name);
            let ps = ps.iter().map(|&p| old[p]).collect();
            s.shards.push(new_shard(id, ps, res, now));
            s.open.push(id);
            created.push(id);
        }
        s.open_ranges = new_ranges;
        s.updating = false;
        s.totals.reshards += 1;
        let name = s.name.clone();
        let from = old.len();
        for id in created {
            self.kin_add_readers(st, id);
        }
        let t = self.clock_text(now);
        self.activities.push(
            Activity::new(
                now,
                name.clone(),
                Act::Reshard,
                format!("Stream {name} is ACTIVE with {target} open shards"),
                format!("At {t} the shard count update of stream {name} from {from} to {target} completed."),
            )
            .with_details(format!(
                "{SIMULATOR_WORDING}; the {from} parent shards are closed to writes and read to their end before their children"
            )),
        );
    }

    /// An on-demand stream's minute: the peak write rate so far, and growth
    /// to double it.
    fn kin_on_demand_minute(&mut self, st: u32) {
        let s = &mut self.streams.streams[st as usize];
        let recs = std::mem::take(&mut s.minute_records) as f64 / 60.0;
        let bytes = std::mem::take(&mut s.minute_bytes) as f64 / 60.0;
        // The peak write throughput the stream has served.
        s.peak_records = s.peak_records.max(recs);
        s.peak_bytes = s.peak_bytes.max(bytes);
        let want = rules::on_demand_shards(s.peak_records, s.peak_bytes);
        let current = s.open.len() as u32;
        let updating = s.updating;
        if want > current && !updating {
            self.kin_update_shard_count(st, want.min(current * 2), true);
        }
        let t = self.now + 60 * SECOND;
        self.kin_push(t, KinEv::OnDemandMinute, st, 0);
    }

    // ------------------------------------------------------------ consumers

    /// Whether every parent of reader `r`'s shard is read to its end by the
    /// same consumer.
    fn kin_parents_done(&self, r: u32) -> bool {
        let x = &self.streams.readers[r as usize];
        let s = &self.streams.streams[x.stream as usize];
        s.shards[x.shard as usize].parents.iter().all(|&p| {
            let pr = s.shards[p as usize].readers[x.consumer as usize];
            self.streams.readers[pr as usize].done
        })
    }

    /// Drop what the retention no longer keeps (expired for the readers
    /// that had not read it) and what every reader has read.
    fn kin_trim(&mut self, st: u32, shard: u32) {
        let now = self.now;
        let ps = &mut self.streams;
        let s = &mut ps.streams[st as usize];
        let retention = s.retention;
        let sh = &mut s.shards[shard as usize];
        while let Some(front) = sh.log.front() {
            let old = front.t + retention <= now;
            let min_pos = sh
                .readers
                .iter()
                .map(|&r| ps.readers[r as usize].pos)
                .min()
                .unwrap_or(u64::MAX);
            if old {
                for &r in &sh.readers {
                    let x = &mut ps.readers[r as usize];
                    if x.pos <= sh.base {
                        x.pos = sh.base + 1;
                        s.consumers[x.consumer as usize].totals.expired += 1;
                    }
                }
            } else if min_pos <= sh.base {
                break;
            }
            sh.log.pop_front();
            sh.base += 1;
        }
    }

    /// A reader's turn: read what its lanes lack, start batches.
    fn kin_poll(&mut self, r: u32, tick: bool) {
        let now = self.now;
        if self.streams.readers[r as usize].done {
            return;
        }
        if !self.kin_parents_done(r) {
            return;
        }
        let (st, c, shard) = {
            let x = &self.streams.readers[r as usize];
            (x.stream, x.consumer, x.shard)
        };
        self.kin_trim(st, shard);
        self.kin_start_batches(r);
        // Read.
        let ps = &mut self.streams;
        let s = &mut ps.streams[st as usize];
        let cons = &mut s.consumers[c as usize];
        let x = &mut ps.readers[r as usize];
        let sh = &mut s.shards[shard as usize];
        let buffered: usize = x.lanes.iter().map(|l| l.buf.len()).sum();
        let want = (cons.pf * cons.batch_size) as usize;
        let unread = sh.end().saturating_sub(x.pos.max(sh.base));
        // Lambda polls each shard once a second; between polls it reads on
        // only while a batch's worth of records waits and its lanes are
        // empty ("keeps processing batches until it catches up").
        let read = buffered < want && (tick || (buffered == 0 && unread >= cons.batch_size as u64));
        if read {
            let limiter = if cons.efo { &mut x.efo } else { &mut sh.read };
            if !limiter.try_call(now) {
                sh.period.read_throttles += 1;
                s.period.read_throttles += 1;
                s.totals.read_throttles += 1;
                cons.totals.read_throttles += 1;
            } else {
                x.pos = x.pos.max(sh.base);
                // The poller asks for what the shard's read budget can
                // serve now (at most 10,000 records or 10 MiB a call).
                let n = (rules::GET_RECORDS_MAX_RECORDS as usize).min(unread as usize);
                let cap = limiter.budget().min(rules::GET_RECORDS_MAX_BYTES);
                let mut bytes = 0u64;
                let mut last = None;
                let mut got = 0u64;
                for k in 0..n {
                    let rec = sh.log[(x.pos - sh.base) as usize + k];
                    if bytes + rec.bytes as u64 > cap && got > 0 {
                        break;
                    }
                    bytes += rec.bytes as u64;
                    let lane = (rec.slot as u32 % cons.pf) as usize;
                    let l = &mut x.lanes[lane];
                    if l.buf.is_empty() {
                        l.first_at = now;
                    }
                    l.buf.push_back(rec);
                    last = Some(rec.t);
                    got += 1;
                }
                x.pos += got;
                limiter.took(bytes);
                s.period.get_calls += 1;
                s.period.get_records += got;
                s.totals.get_calls += 1;
                s.totals.bytes_out += bytes;
                cons.totals.get_records += 1;
                cons.totals.bytes_read += bytes;
                let age = last.map(|t| (now - t) as f64 / 1e6).unwrap_or(0.0);
                s.period.iterator_age_ms = max_opt(s.period.iterator_age_ms, age);
                sh.period.iterator_age_ms = max_opt(sh.period.iterator_age_ms, age);
                s.totals.max_iterator_age_ms = s.totals.max_iterator_age_ms.max(age);
            }
        }
        self.kin_start_batches(r);
        // Done: a closed shard read to its end, nothing left in the lanes.
        let ps = &mut self.streams;
        let x = &ps.readers[r as usize];
        let sh = &ps.streams[st as usize].shards[shard as usize];
        if !sh.open
            && x.pos.max(sh.base) >= sh.end()
            && x.lanes.iter().all(|l| l.buf.is_empty() && !l.has_batch)
        {
            ps.readers[r as usize].done = true;
            // Its children may start now.
            let kids: Vec<u32> = ps.streams[st as usize]
                .shards
                .iter()
                .filter(|k| k.parents.contains(&shard))
                .map(|k| k.readers[c as usize])
                .collect();
            for k in kids {
                self.kin_poll(k, false);
            }
        }
    }

    /// Form and invoke the batches reader `r`'s idle lanes can.
    fn kin_start_batches(&mut self, r: u32) {
        let now = self.now;
        let lanes = self.streams.readers[r as usize].lanes.len();
        for lane in 0..lanes {
            loop {
                let (st, c) = {
                    let x = &self.streams.readers[r as usize];
                    (x.stream, x.consumer)
                };
                let ps = &mut self.streams;
                let cons = &mut ps.streams[st as usize].consumers[c as usize];
                let l = &mut ps.readers[r as usize].lanes[lane];
                if l.in_flight || (l.has_batch && now < l.retry_at) {
                    break;
                }
                if !l.has_batch {
                    let ready = !l.buf.is_empty()
                        && (l.buf.len() >= cons.batch_size as usize
                            || cons.window == 0
                            || now >= l.first_at + cons.window);
                    if !ready {
                        break;
                    }
                    let mut bytes = 0u64;
                    l.batch.clear();
                    while let Some(&rec) = l.buf.front() {
                        if l.batch.len() >= cons.batch_size as usize
                            || (bytes + rec.bytes as u64 > rules::MAX_BATCH_BYTES
                                && !l.batch.is_empty())
                        {
                            break;
                        }
                        bytes += rec.bytes as u64;
                        l.batch.push(rec);
                        l.buf.pop_front();
                    }
                    l.first_at = now;
                    l.has_batch = true;
                    l.retries = 0;
                }
                // Records older than the maximum record age are discarded.
                if let Some(max_age) = cons.max_age {
                    let before = l.batch.len();
                    l.batch.retain(|rec| now.saturating_sub(rec.t) < max_age);
                    cons.totals.expired += (before - l.batch.len()) as u64;
                    if l.batch.is_empty() {
                        l.has_batch = false;
                        continue;
                    }
                }
                let last = l.batch.last().map(|x| x.t).unwrap_or(now);
                let age = (now - last) as f64 / 1e6;
                cons.period_age_ms = max_opt(cons.period_age_ms, age);
                cons.totals.max_iterator_age_ms = cons.totals.max_iterator_age_ms.max(age);
                let Some(f) = cons.f else {
                    break;
                };
                let lane_u = lane as u32;
                if self
                    .lambda_invoke(
                        f,
                        Origin::Kinesis {
                            reader: r,
                            lane: lane_u,
                        },
                    )
                    .is_some()
                {
                    let ps = &mut self.streams;
                    ps.readers[r as usize].lanes[lane].in_flight = true;
                    ps.streams[st as usize].consumers[c as usize]
                        .totals
                        .invocations += 1;
                } else {
                    let ps = &mut self.streams;
                    ps.readers[r as usize].lanes[lane].retry_at = now + SECOND;
                    ps.streams[st as usize].consumers[c as usize]
                        .totals
                        .throttled_invokes += 1;
                }
                break;
            }
        }
    }

    /// Whether lane `lane` of reader `r` holds a poison record (the
    /// function fails on the batch).
    pub(super) fn kinesis_batch_poisoned(&self, r: u32, lane: u32) -> bool {
        let x = &self.streams.readers[r as usize];
        let cons = &self.streams.streams[x.stream as usize].consumers[x.consumer as usize];
        cons.poison > 0
            && x.lanes[lane as usize]
                .batch
                .iter()
                .any(|rec| (rec.u as u32) < cons.poison)
    }

    /// The invocation of a lane's batch ended.
    pub(super) fn kinesis_done(&mut self, r: u32, lane: u32, error: bool) {
        let now = self.now;
        let (st, c) = {
            let x = &self.streams.readers[r as usize];
            (x.stream, x.consumer)
        };
        let ps = &mut self.streams;
        let cons = &mut ps.streams[st as usize].consumers[c as usize];
        let l = &mut ps.readers[r as usize].lanes[lane as usize];
        l.in_flight = false;
        let mut dlq = None;
        if !error {
            cons.totals.processed += l.batch.len() as u64;
            l.batch.clear();
            l.has_batch = false;
        } else {
            cons.totals.batch_errors += 1;
            if cons.max_retries.is_some_and(|m| l.retries >= m) {
                // Retries exhausted: the batch is discarded.
                cons.totals.failed += l.batch.len() as u64;
                l.batch.clear();
                l.has_batch = false;
                dlq = cons.dlq;
            } else {
                l.retries += 1;
                cons.totals.retries += 1;
                if cons.bisect && l.batch.len() > 1 {
                    let back = l.batch.split_off(l.batch.len() / 2);
                    for rec in back.into_iter().rev() {
                        l.buf.push_front(rec);
                    }
                    cons.totals.bisects += 1;
                }
                // Retried after 1 s, doubling to at most a minute (AWS does
                // not document the interval).
                let d = (1u64 << (l.retries - 1).min(6)).min(60);
                l.retry_at = now + d * SECOND;
            }
        }
        if let Some(dlq) = dlq
            && self.sqs_send_event(dlq, 1024)
        {
            self.streams.streams[st as usize].consumers[c as usize]
                .totals
                .dead_lettered += 1;
        }
        self.kin_poll(r, false);
    }

    // ------------------------------------------------------------ metrics

    fn kin_cost(&self, st: usize, t: SimTime) -> f64 {
        let s = &self.streams.streams[st];
        let shard_hours: f64 = s.shards.iter().map(|sh| sh.open_seconds(t)).sum::<f64>() / 3600.0;
        let base = match s.mode {
            CapacityMode::Provisioned => rules::provisioned_cost(shard_hours, s.totals.put_units),
            CapacityMode::OnDemand => {
                // Each record is billed as at least 1 KB.
                let kb = s.size.max(1024);
                rules::on_demand_cost(
                    t as f64 / 3.6e12,
                    s.totals.accepted * kb,
                    s.consumers
                        .iter()
                        .filter(|c| !c.efo)
                        .map(|c| c.totals.bytes_read)
                        .sum(),
                )
            }
        };
        let efo: f64 = s
            .consumers
            .iter()
            .filter(|c| c.efo)
            .map(|c| rules::efo_cost(shard_hours, c.totals.bytes_read))
            .sum();
        base + efo
    }

    /// The metrics period ending now (started at `t0`).
    pub(super) fn streams_metrics_tick(&mut self, t0: SimTime) {
        let now = self.now;
        for st in 0..self.streams.streams.len() {
            let cost = self.kin_cost(st, now);
            let s = &mut self.streams.streams[st];
            let p = std::mem::take(&mut s.period);
            let res = s.res;
            let out = &mut self.series;
            out.push(t0, res, "IncomingRecords", p.records as f64);
            out.push(t0, res, "IncomingBytes", p.bytes as f64);
            out.push(
                t0,
                res,
                "WriteProvisionedThroughputExceeded",
                p.write_throttles as f64,
            );
            out.push(
                t0,
                res,
                "ReadProvisionedThroughputExceeded",
                p.read_throttles as f64,
            );
            out.push(t0, res, "GetRecords.Records", p.get_records as f64);
            if let Some(a) = p.iterator_age_ms {
                out.push(t0, res, "GetRecords.IteratorAgeMilliseconds", a);
            }
            out.push(t0, res, "OpenShardCount", s.open.len() as f64);
            out.push(t0, res, "CostUSD", cost);
            for sh in &mut s.shards {
                if !sh.open && sh.closed_at.is_some_and(|c| c < t0) && sh.log.is_empty() {
                    continue;
                }
                let q = std::mem::take(&mut sh.period);
                out.push(t0, sh.res, "IncomingRecords", q.records as f64);
                out.push(t0, sh.res, "IncomingBytes", q.bytes as f64);
                out.push(
                    t0,
                    sh.res,
                    "WriteProvisionedThroughputExceeded",
                    q.write_throttles as f64,
                );
                out.push(
                    t0,
                    sh.res,
                    "ReadProvisionedThroughputExceeded",
                    q.read_throttles as f64,
                );
                if let Some(a) = q.iterator_age_ms {
                    out.push(t0, sh.res, "IteratorAgeMilliseconds", a);
                }
            }
            for c in &mut s.consumers {
                if let Some(a) = c.period_age_ms.take() {
                    out.push(t0, c.fres, "IteratorAge", a);
                }
            }
        }
    }

    // ------------------------------------------------------------ results

    /// Records of consumer `c` of stream `st` not settled: unread, in its
    /// lanes, or in flight.
    fn kin_pending(&self, st: usize, c: usize) -> u64 {
        let s = &self.streams.streams[st];
        self.streams
            .readers
            .iter()
            .filter(|x| x.stream as usize == st && x.consumer as usize == c)
            .map(|x| {
                let sh = &s.shards[x.shard as usize];
                sh.end().saturating_sub(x.pos.max(sh.base))
                    + x.lanes
                        .iter()
                        .map(|l| l.buf.len() as u64 + l.batch.len() as u64)
                        .sum::<u64>()
            })
            .sum()
    }

    /// The streams' figures for `summary.json`.
    pub fn stream_summary(&self) -> BTreeMap<String, serde_json::Value> {
        (0..self.streams.streams.len())
            .map(|st| {
                let s = &self.streams.streams[st];
                let t = &s.totals;
                let in_retry = self
                    .streams
                    .puts
                    .iter()
                    .filter(|p| p.live && p.stream as usize == st)
                    .count() as u64;
                let shard_hours: f64 = s
                    .shards
                    .iter()
                    .map(|sh| sh.open_seconds(self.end))
                    .sum::<f64>()
                    / 3600.0;
                let consumers: Vec<serde_json::Value> = s
                    .consumers
                    .iter()
                    .enumerate()
                    .map(|(c, k)| {
                        let x = &k.totals;
                        serde_json::json!({
                                "function": k.fname,
                                "processed": x.processed,
                                "failed": x.failed,
                                "expired": x.expired,
                                "pending_at_end": self.kin_pending(st, c),
                                "invocations": x.invocations,
                                "batch_errors": x.batch_errors,
                                "retries": x.retries,
                                "bisects": x.bisects,
                                "dead_lettered": x.dead_lettered,
                                "throttled_invokes": x.throttled_invokes,
                                "get_records_calls": x.get_records,
                                "read_throttles": x.read_throttles,
                                "max_iterator_age_ms": r6(x.max_iterator_age_ms),
                        })
                    })
                    .collect();
                let shards: Vec<serde_json::Value> = s
                    .shards
                    .iter()
                    .map(|sh| {
                        serde_json::json!({
                            "shard_id": sh.name(),
                            "records": sh.records,
                            "write_throttles": sh.write_throttles,
                            "open_at_end": sh.open,
                        })
                    })
                    .collect();
                (
                    s.name.clone(),
                    serde_json::json!({
                        "capacity_mode": match s.mode {
                            CapacityMode::Provisioned => "provisioned",
                            CapacityMode::OnDemand => "on_demand",
                        },
                        "open_shards_at_end": s.open.len(),
                        "shard_hours": r6(shard_hours),
                        "records_put": t.put,
                        "records_accepted": t.accepted,
                        "bytes_in": t.bytes_in,
                        "write_throttles": t.write_throttles,
                        "producer_retries": t.retries,
                        "put_failed": t.put_failed,
                        "put_in_retry_at_end": in_retry,
                        "read_throttles": t.read_throttles,
                        "get_records_calls": t.get_calls,
                        "max_iterator_age_ms": r6(t.max_iterator_age_ms),
                        "reshards": t.reshards,
                        "refused_updates": t.refused_updates,
                        "cost_usd": r6(self.kin_cost(st, self.end)),
                        "consumers": consumers,
                        "shards": shards,
                    }),
                )
            })
            .collect()
    }
}
