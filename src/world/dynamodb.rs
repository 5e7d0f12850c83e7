//! DynamoDB tables in the world: calls from workloads (`to: {table}`) and
//! from `dynamodb` app steps, each with its SDK's retries; throttling,
//! metrics per period, auto scaling (Application Auto Scaling target
//! tracking) and cost.
//!
//! The rules live in [`crate::aws::dynamodb`] (capacity) and
//! [`crate::aws::retry`] (the SDK); this file only times them.
//!
//! A *call* is one logical request to a table as the application makes it:
//! the SDK sends attempts until one succeeds, the attempts are used up, or
//! the retry quota is empty. Each attempt is decided when it reaches the
//! table (capacity is taken then) and answered a base `latency` later
//! (default 5 ms; a `latency` fault adds to it). Between a throttled
//! attempt and the next, the SDK sleeps its backoff. With adaptive retries a
//! throttled client also waits for its send-rate bucket before an attempt.
//! So a call's latency is the attempts' latencies plus the backoff.
//!
//! A request on an instance keeps its worker while its table call runs; a
//! call that fails makes the request end as `target_5xx` (the app answers
//! 500). A workload calling a table directly gets `throttled`.
//!
//! Conservation, per table: `requests` = `reads` + `writes` (successful
//! calls) + `failed_after_retries` + `in_flight_at_end`.

use super::{Act, Activity, Ev, Outcome, STEP_FAILED, World};
use crate::aws::cloudwatch::{self, AlarmConfig, AlarmEvaluator, TargetTrackingAlarm};
use crate::aws::dynamodb::{self as ddb, Capacity, Dim, Mode, Throttle};
use crate::aws::retry::{self, AfterThrottle, Client};
use crate::faults::FaultAction;
use crate::report::summary::r6;
use crate::scenario::{
    AppStep, BillingMode, Comparison, Partitions, RetryMode, Scenario, TableScaling,
};
use crate::sim::OptId;
use crate::sim::rng::{CountSampler, Rng, Sampler};
use crate::sim::{SimTime, stream};
use rand::RngExt;
use std::collections::{BTreeMap, VecDeque};

const MINUTE: SimTime = 60_000_000_000;
const NS: f64 = 1e9;
/// Base latency of a table call when the scenario gives none: DynamoDB
/// answers in "single-digit milliseconds"; 5 ms is a parameter, not a
/// documented figure.
pub const DEFAULT_LATENCY: SimTime = 5_000_000;

/// What an [`Ev::Table`] event is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum TableEv {
    /// An attempt's answer reaches the SDK (a = call, b = generation).
    Reply,
    /// The SDK sends the next attempt (a = call, b = generation).
    Attempt,
    /// A CloudWatch minute of the tables ends (auto scaling, throttling rows).
    Minute,
    /// UpdateTable's new capacity takes effect (a = table, b = dimension).
    Update,
    /// The auto scaling activity completes, the table is ACTIVE again
    /// (a = table, b = dimension).
    Active,
    /// A user's UpdateTable takes effect (a = table, b = dimension).
    ManualUpdate,
}

/// A place that calls a table: a workload, or a `dynamodb` app step.
pub(crate) struct Site {
    table: u32,
    dim: Dim,
    units: f64,
    keys: CountSampler,
    /// Write units on each GSI of the table (writes only).
    gsi_units: Vec<f64>,
}

/// One call in flight.
#[derive(Clone, Copy, Debug)]
struct Call {
    generation: u32,
    live: bool,
    site: u32,
    req: u32,
    req_generation: u32,
    from_workload: bool,
    client: u32,
    hash: u64,
    attempts: u32,
    started: SimTime,
    throttled: bool,
    /// Retry-quota tokens of the last retry (0 = never retried).
    last_cost: u32,
    /// The adaptive bucket's token for the next attempt is already taken.
    reserved: bool,
}

/// Per-period CloudWatch figures.
#[derive(Clone, Debug, Default)]
struct Period {
    consumed: [f64; 2],
    /// Per partition of the table (not its indexes): units consumed and
    /// throttle events, [read, write].
    part_consumed: Vec<[f64; 2]>,
    part_throttles: Vec<[u64; 2]>,
    throttle_events: [u64; 2],
    throttled_requests: u64,
    latency_sum_ns: u128,
    latency_n: u64,
}

/// A global secondary index.
struct Gsi {
    name: String,
    cap: Capacity,
    salt: u64,
    res: u32,
    period_consumed: f64,
    period_throttles: u64,
    consumed_wcu: f64,
    write_throttles: u64,
    /// Provisioned capacity-seconds so far (read, write).
    cap_seconds: [f64; 2],
}

/// Auto scaling of one dimension (a target tracking policy and its two
/// alarms).
struct DimScaling {
    dim: Dim,
    min: f64,
    max: f64,
    target: f64,
    high: AlarmEvaluator,
    low: AlarmEvaluator,
    policy: String,
    /// Datapoints (period end, consumed units/s, utilisation %) waiting for
    /// the publication delay.
    pending: VecDeque<(SimTime, f64, Option<f64>)>,
    /// Latest visible consumed rate, units/s.
    last_consumed: f64,
    /// An UpdateTable of this dimension in progress: its new value.
    updating: Option<f64>,
    last_not_scaled: String,
    /// When the policy and its alarms were created: 0, or the time of a
    /// `put_scaling_policy` action. Before, datapoints only join the
    /// metric's history (`AlarmEvaluator::record_before_creation`).
    created_at: SimTime,
}

/// A table's runtime.
pub(crate) struct TableRt {
    name: String,
    res: u32,
    /// Series resources of its partitions (`<table>/partition-<i>`),
    /// registered as partitions appear.
    part_res: Vec<u32>,
    cap: Capacity,
    gsis: Vec<Gsi>,
    salt: u64,
    mode: RetryMode,
    max_attempts: u32,
    latency: Sampler,
    latency_rng: Rng,
    key_rng: Rng,
    retry_rng: Rng,
    /// Latency faults: (from, until, added ns).
    faults: Vec<(SimTime, SimTime, SimTime)>,
    clients: Vec<Client>,
    client_of_wl: Vec<OptId>,
    client_of_inst: Vec<OptId>,
    period: Period,
    /// Consumed units in the current CloudWatch minute.
    minute_consumed: [f64; 2],
    minute_throttles: [u64; 2],
    minute_reasons: [u64; 4],
    first_throttle_in_minute: SimTime,
    throttling: bool,
    scaling: Vec<DimScaling>,
    decreases: ddb::DecreaseLimiter,
    update_time: SimTime,
    /// When the new capacity takes effect within `update_time`.
    effective_after: SimTime,
    /// Provisioned capacity-seconds so far (read, write) and since when.
    cap_seconds: [f64; 2],
    cap_since: SimTime,
    /// `cap_seconds` at the start of the metrics period.
    cap_mark: [f64; 2],
    // Totals.
    requests: u64,
    attempts: u64,
    ok: [u64; 2],
    throttles: [u64; 2],
    by_reason: [u64; 4],
    index_throttles: u64,
    retries: u64,
    failed: u64,
    consumed: [f64; 2],
    in_flight: u64,
    call_latency_sum_ns: u128,
    scaling_activities: u64,
    /// A user's UpdateTable (`actions`): the value per dimension waiting to
    /// take effect, and when the table is ACTIVE again.
    manual: [Option<f64>; 2],
    manual_until: SimTime,
}

/// All tables, their call sites and the calls in flight.
#[derive(Default)]
pub(crate) struct Tables {
    tables: Vec<TableRt>,
    sites: Vec<Site>,
    calls: Vec<Call>,
    free: Vec<u32>,
    /// The site of each workload that calls a table.
    wl_site: Vec<Option<u32>>,
    /// Sites of `dynamodb` app steps, in group then step order.
    app_sites: Vec<u32>,
}

fn partitions(p: Partitions) -> Option<u32> {
    match p {
        Partitions::Auto => None,
        Partitions::Fixed(n) => Some(n),
    }
}

fn dim_name(d: Dim) -> (&'static str, &'static str) {
    match d {
        Dim::Read => ("read", "Read"),
        Dim::Write => ("write", "Write"),
    }
}

impl Tables {
    /// The call site of workload `i` when it targets a table.
    pub(super) fn workload_site(&self, i: usize) -> Option<u32> {
        self.wl_site[i]
    }

    /// Prepare the tables of a (validated) scenario.
    pub(crate) fn new(sc: &Scenario, start_epoch: i64) -> Tables {
        let seed = sc.seed;
        let plan = crate::faults::plan(sc);
        let mut tables: Vec<TableRt> = Vec::new();
        for (ti, t) in sc.tables.iter().enumerate() {
            let burst_s = t.burst_capacity.as_secs_f64();
            let initial = t.initial_burst.as_secs_f64();
            let cap = match t.billing_mode {
                BillingMode::Provisioned => Capacity::provisioned(
                    t.read_capacity.unwrap_or(1.0),
                    t.write_capacity.unwrap_or(1.0),
                    partitions(t.partitions),
                    burst_s,
                    initial,
                    t.adaptive_capacity,
                ),
                BillingMode::OnDemand => {
                    let warm = t
                        .warm_throughput
                        .as_ref()
                        .map_or((ddb::NEW_TABLE_WARM_READ, ddb::NEW_TABLE_WARM_WRITE), |w| {
                            (w.read, w.write)
                        });
                    Capacity::on_demand(warm, partitions(t.partitions), ddb::TABLE_MAX_UNITS)
                }
            };
            let gsis = t
                .global_secondary_indexes
                .iter()
                .map(|g| {
                    let cap = match t.billing_mode {
                        BillingMode::Provisioned => Capacity::provisioned(
                            g.read_capacity.unwrap_or(1.0),
                            g.write_capacity.unwrap_or(1.0),
                            partitions(g.partitions),
                            burst_s,
                            initial,
                            t.adaptive_capacity,
                        ),
                        BillingMode::OnDemand => {
                            let warm = t.warm_throughput.as_ref().map_or(
                                (ddb::NEW_TABLE_WARM_READ, ddb::NEW_TABLE_WARM_WRITE),
                                |w| (w.read, w.write),
                            );
                            Capacity::on_demand(
                                warm,
                                partitions(g.partitions),
                                ddb::TABLE_MAX_UNITS,
                            )
                        }
                    };
                    Gsi {
                        name: g.name.clone(),
                        cap,
                        salt: crate::sim::rng::fnv1a(&format!("{}/{}", t.name, g.name)),
                        res: 0,
                        period_consumed: 0.0,
                        period_throttles: 0,
                        consumed_wcu: 0.0,
                        write_throttles: 0,
                        cap_seconds: [0.0; 2],
                    }
                })
                .collect();
            let mode = t.sdk_retry.mode;
            let faults = plan
                .iter()
                .filter_map(|(at, a)| match a {
                    FaultAction::TableLatency { table, add, until } if table == &t.name => {
                        Some((*at, *until, *add))
                    }
                    _ => None,
                })
                .collect();
            let mut scaling = Vec::new();
            if t.billing_mode == BillingMode::Provisioned
                && let Some(a) = &t.auto_scaling
            {
                for (dim, s) in [(Dim::Read, &a.read), (Dim::Write, &a.write)] {
                    if let Some(s) = s {
                        let mut d = DimScaling::new(
                            &t.name,
                            dim,
                            s,
                            start_epoch,
                            ti as u64 * 2 + dim as u64,
                        );
                        // A `put_scaling_policy` action creates it later.
                        let want = match dim {
                            Dim::Read => crate::scenario::fidelity::TableDimension::Read,
                            Dim::Write => crate::scenario::fidelity::TableDimension::Write,
                        };
                        if let Some(put) = sc.actions.iter().find(|x| {
                            x.action == crate::scenario::fidelity::ActionKind::PutScalingPolicy
                                && x.table.as_deref() == Some(t.name.as_str())
                                && x.dimension == Some(want)
                        }) {
                            d.created_at = put.at.0;
                        }
                        scaling.push(d);
                    }
                }
            }
            tables.push(TableRt {
                name: t.name.clone(),
                res: 0,
                part_res: Vec::new(),
                cap,
                gsis,
                salt: crate::sim::rng::fnv1a(&t.name),
                mode,
                max_attempts: t
                    .sdk_retry
                    .max_attempts
                    .unwrap_or_else(|| retry::default_max_attempts(mode))
                    .max(1),
                latency: t
                    .latency
                    .as_ref()
                    .map(crate::scenario::DurationDist::sampler)
                    .unwrap_or(Sampler::Const(DEFAULT_LATENCY)),
                latency_rng: stream(seed, &format!("table/{}/latency", t.name)),
                key_rng: stream(seed, &format!("table/{}/keys", t.name)),
                retry_rng: stream(seed, &format!("table/{}/retries", t.name)),
                faults,
                clients: Vec::new(),
                client_of_wl: vec![OptId::NONE; sc.workloads.len()],
                client_of_inst: Vec::new(),
                period: Period::default(),
                minute_consumed: [0.0; 2],
                minute_throttles: [0; 2],
                minute_reasons: [0; 4],
                first_throttle_in_minute: 0,
                throttling: false,
                scaling,
                decreases: ddb::DecreaseLimiter::default(),
                update_time: t
                    .auto_scaling
                    .as_ref()
                    // Without auto scaling, only a user's UpdateTable uses
                    // it: the recorded 30–34 s (`recorded::DDB_UPDATE_COMPLETE`).
                    .map_or(crate::aws::recorded::DDB_UPDATE_COMPLETE, |a| {
                        a.update_time.0
                    }),
                effective_after: t
                    .auto_scaling
                    .as_ref()
                    .map_or(crate::aws::recorded::DDB_UPDATE_EFFECTIVE, |a| {
                        a.effective_after.0.min(a.update_time.0)
                    }),
                cap_seconds: [0.0; 2],
                cap_since: 0,
                cap_mark: [0.0; 2],
                requests: 0,
                attempts: 0,
                ok: [0; 2],
                throttles: [0; 2],
                by_reason: [0; 4],
                index_throttles: 0,
                retries: 0,
                failed: 0,
                consumed: [0.0; 2],
                in_flight: 0,
                call_latency_sum_ns: 0,
                scaling_activities: 0,
                manual: [None, None],
                manual_until: 0,
            });
        }
        let table_of = |n: &str| sc.tables.iter().position(|t| t.name == n);
        let mut sites = Vec::new();
        let site = |ti: usize,
                    op: crate::scenario::TableOp,
                    size: u64,
                    c: crate::scenario::Consistency,
                    items: Option<u64>,
                    keys: &Option<crate::scenario::CountDist>| {
            let t = &sc.tables[ti];
            let (dim, units) = ddb::op_units(op, size, c, items.unwrap_or(1));
            let gsi_units = if dim == Dim::Write {
                t.global_secondary_indexes
                    .iter()
                    .map(|g| ddb::gsi_write_units(g.projected_size.map_or(size, |s| s.0), false))
                    .collect()
            } else {
                Vec::new()
            };
            Site {
                table: ti as u32,
                dim,
                units,
                keys: match keys {
                    Some(k) => k.sampler(),
                    None => CountSampler::Uniform(0, t.item_count.max(1) - 1),
                },
                gsi_units,
            }
        };
        let mut wl_site = vec![None; sc.workloads.len()];
        for (i, w) in sc.workloads.iter().enumerate() {
            if let (Some(t), Some(op)) = (&w.to.table, &w.operation)
                && let Some(ti) = table_of(t)
            {
                sites.push(site(
                    ti,
                    op.op,
                    op.item_size.0,
                    op.consistency,
                    op.items,
                    &op.keys,
                ));
                wl_site[i] = Some(sites.len() as u32 - 1);
            }
        }
        let mut app_sites = Vec::new();
        for g in &sc.auto_scaling_groups {
            for s in &g.app {
                if let AppStep::Dynamodb(d) = s {
                    // An unknown table cannot pass validation; keep the
                    // numbering aligned anyway.
                    let ti = table_of(&d.table).unwrap_or(0);
                    if sc.tables.is_empty() {
                        continue;
                    }
                    sites.push(site(
                        ti,
                        d.op,
                        d.item_size.0,
                        d.consistency,
                        d.items,
                        &d.keys,
                    ));
                    app_sites.push(sites.len() as u32 - 1);
                }
            }
        }
        Tables {
            tables,
            sites,
            calls: Vec::new(),
            free: Vec::new(),
            wl_site,
            app_sites,
        }
    }
}

impl DimScaling {
    fn new(table: &str, dim: Dim, s: &TableScaling, origin: i64, id: u64) -> DimScaling {
        let resource = format!("table/{table}");
        let (_, cap) = dim_name(dim);
        let high_name = cloudwatch::target_tracking_alarm_name(
            &resource,
            TargetTrackingAlarm::High,
            0xD1A0_0000 + id,
        );
        let low_name = cloudwatch::target_tracking_alarm_name(
            &resource,
            TargetTrackingAlarm::Low,
            0xD1A0_0000 + id,
        );
        // `DDB:ProvisionedThroughput` (troubleshooting): scale out when 2
        // datapoints breach, scale in after 15 consecutive ones below the
        // target; `AWS/DynamoDB` alarms ignore missing data.
        let high = AlarmEvaluator::new(AlarmConfig::new(
            high_name,
            Comparison::Gt,
            s.target,
            MINUTE,
            ddb::SCALE_OUT_DATAPOINTS,
        ))
        .with_clock_origin(origin)
        .on_dynamodb_metric();
        // AlarmLow at the target minus 20 points (recorded: 70 % → 50 %,
        // `crate::aws::recorded::DDB_LOW_ALARM_OFFSET`).
        let low = AlarmEvaluator::new(AlarmConfig::new(
            low_name,
            Comparison::Lt,
            (s.target - s.low_alarm_offset).max(0.0),
            MINUTE,
            ddb::SCALE_IN_DATAPOINTS,
        ))
        .with_clock_origin(origin)
        .on_dynamodb_metric();
        DimScaling {
            dim,
            min: s.min,
            max: s.max,
            target: s.target,
            high,
            low,
            // The console's policy name for a table.
            policy: format!("DynamoDB{cap}CapacityUtilization:{resource}"),
            pending: VecDeque::new(),
            last_consumed: 0.0,
            updating: None,
            last_not_scaled: String::new(),
            created_at: 0,
        }
    }
}

impl World {
    /// Start the tables' minute.
    pub(super) fn tables_start(&mut self) {
        if self.ddb.tables.is_empty() {
            return;
        }
        for t in 0..self.ddb.tables.len() {
            let name = self.ddb.tables[t].name.clone();
            self.ddb.tables[t].res = self.series.resource(&name);
            for k in 0..self.ddb.tables[t].gsis.len() {
                let n = format!("{name}/{}", self.ddb.tables[t].gsis[k].name);
                self.ddb.tables[t].gsis[k].res = self.series.resource(&n);
            }
        }
        if MINUTE <= self.end {
            self.q.push(
                MINUTE,
                Ev::Table {
                    what: TableEv::Minute,
                    a: 0,
                    b: 0,
                },
            );
        }
    }

    /// The site index of the `i`-th `dynamodb` app step.
    pub(super) fn table_app_site(&self, i: u32) -> u32 {
        self.ddb.app_sites[i as usize]
    }

    /// A workload's request reaches its table.
    pub(super) fn table_workload_call(&mut self, req: u32, site: u32) {
        let wl = self.reqs[req as usize].wl.known() as usize;
        let t = self.ddb.sites[site as usize].table as usize;
        let client = {
            let tr = &mut self.ddb.tables[t];
            if tr.client_of_wl[wl].is_none() {
                tr.client_of_wl[wl] = OptId::some(tr.clients.len() as u32);
                let c = Client::new(tr.mode, self.now as f64 / NS);
                tr.clients.push(c);
            }
            tr.client_of_wl[wl].known()
        };
        self.table_call_start(site, req, true, client);
    }

    /// `advance` reached the `dynamodb` step `k` of a request (table step
    /// `i`): record where it is and make the call. Kept out of line: the
    /// request path without tables never comes here.
    #[cold]
    #[inline(never)]
    pub(super) fn table_step(&mut self, i: u32, inst: u32, req: u32, k: u16) {
        self.reqs[req as usize].step = k;
        self.table_app_call(i, inst, req);
    }

    /// A request on an instance reaches a `dynamodb` step (app step `i`).
    pub(super) fn table_app_call(&mut self, i: u32, inst: u32, req: u32) {
        let site = self.table_app_site(i);
        let t = self.ddb.sites[site as usize].table as usize;
        let client = {
            let tr = &mut self.ddb.tables[t];
            let k = inst as usize;
            if tr.client_of_inst.len() <= k {
                tr.client_of_inst.resize(k + 1, OptId::NONE);
            }
            if tr.client_of_inst[k].is_none() {
                tr.client_of_inst[k] = OptId::some(tr.clients.len() as u32);
                let c = Client::new(tr.mode, self.now as f64 / NS);
                tr.clients.push(c);
            }
            tr.client_of_inst[k].known()
        };
        self.table_call_start(site, req, false, client);
    }

    fn table_call_start(&mut self, site: u32, req: u32, from_workload: bool, client: u32) {
        let s = &self.ddb.sites[site as usize];
        let t = s.table as usize;
        let tr = &mut self.ddb.tables[t];
        let key = s.keys.sample(&mut tr.key_rng);
        let hash = ddb::key_hash(key, tr.salt);
        tr.requests += 1;
        tr.in_flight += 1;
        let call = Call {
            generation: 0,
            live: true,
            site,
            req,
            req_generation: self.reqs[req as usize].generation,
            from_workload,
            client,
            hash,
            attempts: 0,
            started: self.now,
            throttled: false,
            last_cost: 0,
            reserved: false,
        };
        let c = if let Some(i) = self.ddb.free.pop() {
            let g = self.ddb.calls[i as usize].generation;
            self.ddb.calls[i as usize] = Call {
                generation: g,
                ..call
            };
            i
        } else {
            self.ddb.calls.push(call);
            (self.ddb.calls.len() - 1) as u32
        };
        self.table_attempt(c);
    }

    /// The SDK is about to send an attempt: in adaptive mode, once a
    /// throttle has switched its rate limiter on, it waits for a token.
    fn table_attempt(&mut self, c: u32) {
        let call = self.ddb.calls[c as usize];
        let t = self.ddb.sites[call.site as usize].table as usize;
        let tr = &mut self.ddb.tables[t];
        if !call.reserved
            && let Some(l) = tr.clients[call.client as usize].limiter.as_mut()
        {
            let wait = l.before_send(self.now as f64 / NS);
            if wait > 0.0 {
                self.ddb.calls[c as usize].reserved = true;
                let at = self.now + (wait * NS).ceil() as SimTime;
                self.q.push(
                    at,
                    Ev::Table {
                        what: TableEv::Attempt,
                        a: c,
                        b: call.generation,
                    },
                );
                return;
            }
        }
        self.table_send(c);
    }

    /// An attempt reaches the table: capacity decides, the answer comes
    /// back `latency` later.
    fn table_send(&mut self, c: u32) {
        let now = self.now;
        let call = {
            let call = &mut self.ddb.calls[c as usize];
            call.reserved = false;
            call.attempts += 1;
            *call
        };
        let site = &self.ddb.sites[call.site as usize];
        let (dim, units) = (site.dim, site.units);
        let t = site.table as usize;
        let tr = &mut self.ddb.tables[t];
        tr.attempts += 1;
        if call.attempts > 1 {
            tr.retries += 1;
        }
        let d = dim as usize;
        // The table, then every index a write touches: all or nothing.
        let part = ddb::partition_of(call.hash, tr.cap.partitions());
        let mut result = tr.cap.plan(now, part, dim, units);
        let mut takes = Vec::new();
        let mut index_short = None;
        if result.is_ok() && !site.gsi_units.is_empty() {
            for (k, g) in tr.gsis.iter_mut().enumerate() {
                let p = ddb::partition_of(ddb::key_hash(call.hash, g.salt), g.cap.partitions());
                match g.cap.plan(now, p, Dim::Write, site.gsi_units[k]) {
                    Ok(take) => takes.push(take),
                    Err(e) => {
                        index_short = Some((k, e));
                        break;
                    }
                }
            }
        }
        let short_index = index_short.is_some();
        if let Some((k, e)) = index_short {
            result = Err(e);
            let g = &mut tr.gsis[k];
            g.period_throttles += 1;
            g.write_throttles += 1;
            tr.index_throttles += 1;
        }
        let throttled = match result {
            Ok(take) => {
                tr.cap.commit(take);
                for (k, take) in takes.into_iter().enumerate() {
                    let g = &mut tr.gsis[k];
                    g.cap.commit(take);
                    g.period_consumed += site.gsi_units[k];
                    g.consumed_wcu += site.gsi_units[k];
                }
                tr.consumed[d] += units;
                tr.period.consumed[d] += units;
                let pc = &mut tr.period.part_consumed;
                if pc.len() <= part as usize {
                    pc.resize(part as usize + 1, [0.0; 2]);
                }
                pc[part as usize][d] += units;
                tr.minute_consumed[d] += units;
                false
            }
            Err(reason) => {
                tr.throttles[d] += 1;
                tr.period.throttle_events[d] += 1;
                if !short_index {
                    let pt = &mut tr.period.part_throttles;
                    if pt.len() <= part as usize {
                        pt.resize(part as usize + 1, [0; 2]);
                    }
                    pt[part as usize][d] += 1;
                }
                tr.period.throttled_requests += 1;
                let r = match reason {
                    _ if short_index => 3,
                    Throttle::Provisioned => 0,
                    Throttle::KeyRange => 1,
                    Throttle::OnDemand => 2,
                };
                tr.by_reason[r] += 1;
                tr.minute_reasons[r] += 1;
                if tr.minute_throttles == [0, 0] {
                    tr.first_throttle_in_minute = now;
                }
                tr.minute_throttles[d] += 1;
                true
            }
        };
        let mut latency = tr.latency.sample(&mut tr.latency_rng);
        for &(from, until, add) in &tr.faults {
            if now >= from && now < until {
                latency += add;
            }
        }
        if !throttled {
            tr.period.latency_sum_ns += latency as u128;
            tr.period.latency_n += 1;
        }
        self.ddb.calls[c as usize].throttled = throttled;
        self.q.push(
            now + latency,
            Ev::Table {
                what: TableEv::Reply,
                a: c,
                b: call.generation,
            },
        );
    }

    #[inline(never)]
    pub(super) fn on_table(&mut self, what: TableEv, a: u32, b: u32) {
        match what {
            TableEv::Reply => {
                if self.ddb.calls[a as usize].live && self.ddb.calls[a as usize].generation == b {
                    self.table_reply(a);
                }
            }
            TableEv::Attempt => {
                if self.ddb.calls[a as usize].live && self.ddb.calls[a as usize].generation == b {
                    self.table_attempt(a);
                }
            }
            TableEv::Minute => self.table_minute(),
            TableEv::Update => self.table_update_done(a as usize, b),
            TableEv::Active => self.table_active(a as usize, b),
            TableEv::ManualUpdate => {
                let t = a as usize;
                let dim = if b == 0 { Dim::Read } else { Dim::Write };
                if let Some(v) = self.ddb.tables[t].manual[b as usize].take() {
                    self.table_bill(t);
                    let now = self.now;
                    self.ddb.tables[t].cap.set_provisioned(now, dim, v);
                }
            }
        }
    }

    /// The SDK has the answer of an attempt.
    fn table_reply(&mut self, c: u32) {
        let now_s = self.now as f64 / NS;
        let call = self.ddb.calls[c as usize];
        let t = self.ddb.sites[call.site as usize].table as usize;
        let tr = &mut self.ddb.tables[t];
        let client = &mut tr.clients[call.client as usize];
        if let Some(l) = client.limiter.as_mut() {
            l.on_response(now_s, call.throttled);
        }
        if !call.throttled {
            if tr.mode != RetryMode::Legacy {
                client
                    .quota
                    .on_success((call.last_cost > 0).then_some(call.last_cost));
            }
            self.table_call_done(c, true);
            return;
        }
        let u: f64 = tr.retry_rng.random();
        match retry::after_throttle(
            tr.mode,
            call.attempts,
            tr.max_attempts,
            &mut client.quota,
            u,
        ) {
            AfterThrottle::Retry { delay_s, cost } => {
                self.ddb.calls[c as usize].last_cost = cost;
                let at = self.now + (delay_s * NS).round() as SimTime;
                self.q.push(
                    at,
                    Ev::Table {
                        what: TableEv::Attempt,
                        a: c,
                        b: call.generation,
                    },
                );
            }
            AfterThrottle::MaxAttempts | AfterThrottle::QuotaExhausted => {
                self.table_call_done(c, false)
            }
        }
    }

    fn table_call_done(&mut self, c: u32, ok: bool) {
        let now = self.now;
        let call = self.ddb.calls[c as usize];
        let site = &self.ddb.sites[call.site as usize];
        let tr = &mut self.ddb.tables[site.table as usize];
        tr.in_flight -= 1;
        if ok {
            tr.ok[site.dim as usize] += 1;
            tr.call_latency_sum_ns += (now - call.started) as u128;
        } else {
            tr.failed += 1;
        }
        {
            let slot = &mut self.ddb.calls[c as usize];
            slot.live = false;
            slot.generation = slot.generation.wrapping_add(1);
            self.ddb.free.push(c);
        }
        let req = call.req;
        let r = self.reqs[req as usize];
        if !r.live || r.generation != call.req_generation {
            // The request is gone (its instance was terminated).
            return;
        }
        if call.from_workload {
            if !r.answered {
                self.answer(req, if ok { Outcome::Ok } else { Outcome::Throttled });
            }
            self.free_req(req);
        } else {
            self.resume_request(req, ok);
        }
    }

    /// A request's table call is over: continue its app steps after the
    /// call, or end it as the app's 500 if the call failed. Through a
    /// `ServiceDone` event now, so the request path keeps a single caller of
    /// `advance`/`on_service_done` from the table side (they stay inlined
    /// in the hot loop).
    fn resume_request(&mut self, req: u32, ok: bool) {
        let r = self.reqs[req as usize];
        self.reqs[req as usize].step = if ok { r.step + 1 } else { STEP_FAILED };
        self.q.push(
            self.now,
            Ev::ServiceDone {
                req,
                generation: r.generation,
            },
        );
    }

    /// Provisioned capacity-seconds up to now.
    fn table_bill(&mut self, t: usize) {
        let now = self.now;
        let tr = &mut self.ddb.tables[t];
        let dt = (now - tr.cap_since) as f64 / NS;
        if tr.cap.mode() == Mode::Provisioned {
            tr.cap_seconds[0] += dt * tr.cap.rate(Dim::Read);
            tr.cap_seconds[1] += dt * tr.cap.rate(Dim::Write);
            for g in &mut tr.gsis {
                g.cap_seconds[0] += dt * g.cap.rate(Dim::Read);
                g.cap_seconds[1] += dt * g.cap.rate(Dim::Write);
            }
        }
        tr.cap_since = now;
    }

    fn table_cost(&self, t: usize, end: SimTime) -> f64 {
        let tr = &self.ddb.tables[t];
        match tr.cap.mode() {
            Mode::Provisioned => {
                let dt = (end.max(tr.cap_since) - tr.cap_since) as f64 / NS;
                let mut r = tr.cap_seconds[0] + dt * tr.cap.rate(Dim::Read);
                let mut w = tr.cap_seconds[1] + dt * tr.cap.rate(Dim::Write);
                for g in &tr.gsis {
                    r += g.cap_seconds[0] + dt * g.cap.rate(Dim::Read);
                    w += g.cap_seconds[1] + dt * g.cap.rate(Dim::Write);
                }
                ddb::rule_provisioned_cost(r / 3600.0, w / 3600.0)
            }
            Mode::OnDemand => {
                let w: f64 = tr.consumed[1] + tr.gsis.iter().map(|g| g.consumed_wcu).sum::<f64>();
                ddb::rule_on_demand_cost(tr.consumed[0], w)
            }
        }
    }

    /// Metrics rows of the period that ended (start `t0`).
    pub(super) fn table_metrics(&mut self, t0: SimTime) {
        let now = self.now;
        let secs = (now - t0).max(1) as f64 / NS;
        for t in 0..self.ddb.tables.len() {
            self.table_bill(t);
            let cost = self.table_cost(t, now);
            let tr = &mut self.ddb.tables[t];
            let p = std::mem::take(&mut tr.period);
            // Provisioned capacity: its average over the period (it changes
            // when an UpdateTable completes).
            let prov = [
                (tr.cap_seconds[0] - tr.cap_mark[0]) / secs,
                (tr.cap_seconds[1] - tr.cap_mark[1]) / secs,
            ];
            tr.cap_mark = tr.cap_seconds;
            let s = &mut self.series;
            let res = tr.res;
            s.push(t0, res, "ConsumedReadCapacityUnits", p.consumed[0]);
            s.push(t0, res, "ConsumedWriteCapacityUnits", p.consumed[1]);
            if tr.cap.mode() == Mode::Provisioned {
                s.push(t0, res, "ProvisionedReadCapacityUnits", prov[0]);
                s.push(t0, res, "ProvisionedWriteCapacityUnits", prov[1]);
            }
            s.push(t0, res, "ReadThrottleEvents", p.throttle_events[0] as f64);
            s.push(t0, res, "WriteThrottleEvents", p.throttle_events[1] as f64);
            s.push(t0, res, "ThrottledRequests", p.throttled_requests as f64);
            if p.latency_n > 0 {
                s.push(
                    t0,
                    res,
                    "SuccessfulRequestLatency",
                    p.latency_sum_ns as f64 / p.latency_n as f64 / 1e6,
                );
            }
            s.push(t0, res, "CostUSD", cost);
            // Per partition (the simulator's own series: CloudWatch has no
            // per-partition metrics), for tables of more than one.
            let n = tr.cap.partitions() as usize;
            if n > 1 {
                while tr.part_res.len() < n {
                    let name = format!("{}/partition-{}", tr.name, tr.part_res.len());
                    tr.part_res.push(s.resource(&name));
                }
                for (i, &r) in tr.part_res.iter().enumerate().take(n) {
                    let c = p.part_consumed.get(i).copied().unwrap_or([0.0; 2]);
                    let th = p.part_throttles.get(i).copied().unwrap_or([0; 2]);
                    s.push(t0, r, "ConsumedReadCapacityUnits", c[0]);
                    s.push(t0, r, "ConsumedWriteCapacityUnits", c[1]);
                    s.push(t0, r, "ReadThrottleEvents", th[0] as f64);
                    s.push(t0, r, "WriteThrottleEvents", th[1] as f64);
                }
            }
            for g in &mut tr.gsis {
                s.push(t0, g.res, "ConsumedWriteCapacityUnits", g.period_consumed);
                if g.cap.mode() == Mode::Provisioned {
                    s.push(
                        t0,
                        g.res,
                        "ProvisionedWriteCapacityUnits",
                        g.cap.rate(Dim::Write),
                    );
                }
                s.push(t0, g.res, "WriteThrottleEvents", g.period_throttles as f64);
                g.period_consumed = 0.0;
                g.period_throttles = 0;
            }
        }
    }

    /// A CloudWatch minute of the tables ends: datapoints for auto scaling
    /// (visible after the publication delay), alarms, decisions; a row in
    /// the activity history when throttling starts or stops.
    fn table_minute(&mut self) {
        let now = self.now;
        let delay = self.publication_delay;
        for t in 0..self.ddb.tables.len() {
            self.table_throttle_rows(t);
            if self.ddb.tables[t].cap.mode() == Mode::OnDemand {
                self.ddb.tables[t].cap.grow_on_demand_partitions(now);
            }
            let consumed = std::mem::take(&mut self.ddb.tables[t].minute_consumed);
            for k in 0..self.ddb.tables[t].scaling.len() {
                let tr = &mut self.ddb.tables[t];
                let dim = tr.scaling[k].dim;
                let per_s = consumed[dim as usize] / 60.0;
                let prov = tr.cap.rate(dim);
                // No traffic: a zero datapoint, as an idle table was
                // recorded scaling in (live probe 2026, grade A).
                let util = (prov > 0.0).then(|| per_s / prov * 100.0);
                let sc = &mut tr.scaling[k];
                sc.pending.push_back((now, per_s, util));
                while let Some(&(end, per_s, util)) = sc.pending.front() {
                    if end + delay > now {
                        break;
                    }
                    sc.pending.pop_front();
                    if util.is_some() {
                        sc.last_consumed = per_s;
                    }
                    if now < sc.created_at {
                        // No policy yet: the datapoint is history the
                        // alarms will read once created.
                        sc.high.record_before_creation(end, util);
                        sc.low.record_before_creation(end, util);
                        continue;
                    }
                    if let Some(ch) = sc.high.evaluate(end, util) {
                        let name = sc.high.name().to_string();
                        self.activities.push(alarm_row(now, &tr.name, &name, &ch));
                    }
                    if let Some(ch) = sc.low.evaluate(end, util) {
                        let name = sc.low.name().to_string();
                        self.activities.push(alarm_row(now, &tr.name, &name, &ch));
                    }
                }
                self.table_scale(t, k);
            }
        }
        if now + MINUTE <= self.end {
            self.q.push(
                now + MINUTE,
                Ev::Table {
                    what: TableEv::Minute,
                    a: 0,
                    b: 0,
                },
            );
        }
    }

    /// Throttling started or stopped in the minute that just ended: one row
    /// per change.
    fn table_throttle_rows(&mut self, t: usize) {
        let now = self.now;
        let tr = &mut self.ddb.tables[t];
        let n = tr.minute_throttles;
        let reasons = std::mem::take(&mut tr.minute_reasons);
        tr.minute_throttles = [0, 0];
        let any = n[0] + n[1] > 0;
        if any && !tr.throttling {
            tr.throttling = true;
            let (exc, why) = if reasons[3] > 0 && reasons[3] >= reasons[0] + reasons[1] {
                (
                    "ProvisionedThroughputExceededException",
                    "a global secondary index lacks write capacity, so the table write is throttled (IndexWriteProvisionedThroughputExceeded)",
                )
            } else if reasons[2] > 0 {
                (
                    "ThrottlingException",
                    "on-demand traffic above twice the previous peak (or the table quota)",
                )
            } else if reasons[1] >= reasons[0] {
                (
                    "ProvisionedThroughputExceededException",
                    "a partition at its maximum of 3,000 read / 1,000 write units per second (KeyRangeThroughputExceeded)",
                )
            } else {
                (
                    "ProvisionedThroughputExceededException",
                    "provisioned throughput and burst capacity exhausted (ProvisionedThroughputExceeded)",
                )
            };
            let at = tr.first_throttle_in_minute;
            let row = Activity::new(
                at,
                tr.name.clone(),
                Act::TableThrottling { began: true },
                format!(
                    "Requests throttled with {exc}: {} read and {} write attempts in the minute to {}",
                    n[0],
                    n[1],
                    crate::report::clock::format_utc(
                        self.start_epoch + (now / 1_000_000_000) as i64
                    )
                ),
                format!("Throttling began: {why}."),
            );
            self.activities.push(row);
        } else if !any && tr.throttling {
            tr.throttling = false;
            let row = Activity::new(
                now - MINUTE,
                tr.name.clone(),
                Act::TableThrottling { began: false },
                "No requests throttled in the last minute".to_string(),
                "Throttling ended.".to_string(),
            );
            self.activities.push(row);
        }
    }

    /// Act on a dimension's alarms: UpdateTable to the target tracking
    /// capacity (WE-22), within min/max and the daily decrease limit
    /// (WE-31); nothing while an update is in progress.
    fn table_scale(&mut self, t: usize, k: usize) {
        let now = self.now;
        let unix = self.start_epoch + (now / 1_000_000_000) as i64;
        let tr = &mut self.ddb.tables[t];
        let sc = &mut tr.scaling[k];
        // Nothing while an update is in progress, the policy's own or a
        // user's (the table is UPDATING: DynamoDB takes one UpdateTable at
        // a time).
        if sc.updating.is_some() || now < tr.manual_until || now < sc.created_at {
            return;
        }
        let (alarm, out) = if sc.high.actions_due() {
            (sc.high.name().to_string(), true)
        } else if sc.low.actions_due() {
            (sc.low.name().to_string(), false)
        } else {
            return;
        };
        let current = tr.cap.rate(sc.dim);
        let want = ddb::rule_target_tracking_capacity(sc.last_consumed, sc.target, sc.min, sc.max);
        let (dim_text, cap_text) = dim_name(sc.dim);
        let cause = format!(
            "monitor alarm {alarm} in state ALARM triggered policy {}",
            sc.policy
        );
        if (out && want <= current) || (!out && want >= current) {
            return;
        }
        if !out && !tr.decreases.allowed(unix) {
            let reason = format!(
                "Failed to set {dim_text} capacity units to {want}. Reason: Subscriber limit exceeded: Provisioned throughput decreases are limited within a given UTC day ({} so far today).",
                tr.decreases.today(unix)
            );
            // One row per hour at most.
            let key = format!("{}", unix / 3600);
            if sc.last_not_scaled != key {
                sc.last_not_scaled = key;
                let row = Activity::new(now, tr.name.clone(), Act::NotScaled, reason, cause);
                self.activities.push(row);
            }
            return;
        }
        if !out {
            tr.decreases.record(unix);
        }
        sc.updating = Some(want);
        let dim = sc.dim;
        tr.scaling_activities += 1;
        let _ = cap_text;
        let row = Activity::new(
            now,
            tr.name.clone(),
            Act::TableScaling,
            format!("Setting {dim_text} capacity units to {want}."),
            cause,
        );
        let (effective, active) = (now + tr.effective_after, now + tr.update_time);
        self.activities.push(row);
        for (at, what) in [(effective, TableEv::Update), (active, TableEv::Active)] {
            self.q.push(
                at,
                Ev::Table {
                    what,
                    a: t as u32,
                    b: dim as u32,
                },
            );
        }
    }

    /// UpdateTable is done: the new capacity applies.
    fn table_update_done(&mut self, t: usize, dim: u32) {
        let dim = if dim == 0 { Dim::Read } else { Dim::Write };
        self.table_bill(t);
        let now = self.now;
        let tr = &mut self.ddb.tables[t];
        let Some(k) = tr.scaling.iter().position(|s| s.dim == dim) else {
            return;
        };
        if let Some(v) = tr.scaling[k].updating {
            tr.cap.set_provisioned(now, dim, v);
        }
    }

    /// The auto scaling activity is done: the policy may act again.
    fn table_active(&mut self, t: usize, dim: u32) {
        let dim = if dim == 0 { Dim::Read } else { Dim::Write };
        let tr = &mut self.ddb.tables[t];
        if let Some(k) = tr.scaling.iter().position(|s| s.dim == dim) {
            tr.scaling[k].updating = None;
        }
    }

    /// The figures of every table for `summary.json`.
    pub(crate) fn table_summaries(&self) -> BTreeMap<String, serde_json::Value> {
        let mut out = BTreeMap::new();
        for (t, tr) in self.ddb.tables.iter().enumerate() {
            let ok = tr.ok[0] + tr.ok[1];
            let mean = if ok > 0 {
                tr.call_latency_sum_ns as f64 / ok as f64 / 1e6
            } else {
                0.0
            };
            let mut v = serde_json::json!({
                "reads": tr.ok[0],
                "writes": tr.ok[1],
                "read_throttles": tr.throttles[0],
                "write_throttles": tr.throttles[1],
                "retries": tr.retries,
                "failed_after_retries": tr.failed,
                "consumed_rcu": r6(tr.consumed[0]),
                "consumed_wcu": r6(tr.consumed[1]),
                "in_flight_at_end": tr.in_flight,
                "cost_usd": r6(self.table_cost(t, self.end)),
                "requests": tr.requests,
                "attempts": tr.attempts,
                "partition_throttles": tr.by_reason[1],
                "index_throttles": tr.index_throttles,
                "mean_call_latency_ms": r6(mean),
                "partitions": tr.cap.partitions(),
                "scaling_activities": tr.scaling_activities,
            });
            if tr.cap.mode() == Mode::Provisioned {
                v["provisioned_rcu_at_end"] = tr.cap.rate(Dim::Read).into();
                v["provisioned_wcu_at_end"] = tr.cap.rate(Dim::Write).into();
            }
            out.insert(tr.name.clone(), v);
        }
        out
    }
}

/// An Application Auto Scaling alarm's state change, as an activity row of
/// its scalable resource (a table, a function's provisioned concurrency).
pub(super) fn alarm_row(
    now: SimTime,
    resource: &str,
    alarm: &str,
    ch: &cloudwatch::StateChange,
) -> Activity {
    Activity::new(
        now,
        resource,
        Act::Alarm {
            alarm: alarm.to_string(),
            to: ch.new,
        },
        format!(
            "Alarm {alarm} changed from {} to {}",
            ch.old.as_str(),
            ch.new.as_str()
        ),
        ch.reason.clone(),
    )
}

// ------------------------------------------------ user actions (`world::actions`)

impl World {
    /// The index of a table by name.
    pub(super) fn table_index(&self, name: &str) -> Option<usize> {
        self.ddb.tables.iter().position(|t| t.name == name)
    }

    /// Whether a table is UPDATING (an UpdateTable in progress, the
    /// policy's or a user's): DynamoDB refuses another UpdateTable then
    /// (`ResourceInUseException`).
    pub(super) fn table_updating(&self, t: usize) -> bool {
        let tr = &self.ddb.tables[t];
        self.now < tr.manual_until || tr.scaling.iter().any(|s| s.updating.is_some())
    }

    /// A manual UpdateTable: the capacity takes effect after the table's
    /// `effective_after`, and the table is UPDATING for `update_time`, during
    /// which the scaling policy cannot act. A policy whose alarm stays in
    /// ALARM then sets the value back at its next re-invocation, one each
    /// minute (recorded: a manual value inside [Min, Max] reverted by
    /// AlarmLow after 82 s on an idle table, live probe 2026, grade A: the
    /// mechanism gives `update_time` to `update_time` + 60 s, 32–92 s).
    pub(super) fn table_manual_update(&mut self, t: usize, write: bool, units: f64) {
        let dim = if write { Dim::Write } else { Dim::Read };
        let now = self.now;
        let tr = &mut self.ddb.tables[t];
        tr.manual[dim as usize] = Some(units);
        tr.manual_until = tr.manual_until.max(now + tr.update_time);
        self.q.push(
            now + tr.effective_after,
            Ev::Table {
                what: TableEv::ManualUpdate,
                a: t as u32,
                b: dim as u32,
            },
        );
    }

    /// RegisterScalableTarget: new bounds for a dimension's policy. A
    /// minimum above the current capacity (or a maximum below it) applies at
    /// once, with AWS's activity text (live probe 2026, grade A: "Setting
    /// read capacity units to 10." caused by "minimum capacity was set to
    /// 10" at 0 s); a capacity already outside new bounds is not otherwise
    /// re-enforced.
    pub(super) fn table_set_bounds(
        &mut self,
        t: usize,
        write: bool,
        min: Option<f64>,
        max: Option<f64>,
    ) {
        let dim = if write { Dim::Write } else { Dim::Read };
        let now = self.now;
        let Some(k) = self.ddb.tables[t].scaling.iter().position(|s| s.dim == dim) else {
            return;
        };
        let tr = &mut self.ddb.tables[t];
        let sc = &mut tr.scaling[k];
        if let Some(m) = min {
            sc.min = m;
        }
        if let Some(m) = max {
            sc.max = m;
        }
        let current = tr.cap.rate(dim);
        let (want, cause) = if min.is_some_and(|m| m > current) {
            (sc.min, format!("minimum capacity was set to {}", sc.min))
        } else if max.is_some_and(|m| m < current) {
            (sc.max, format!("maximum capacity was set to {}", sc.max))
        } else {
            return;
        };
        let (dim_text, _) = dim_name(dim);
        sc.updating = Some(want);
        tr.scaling_activities += 1;
        let row = Activity::new(
            now,
            tr.name.clone(),
            Act::TableScaling,
            format!("Setting {dim_text} capacity units to {want}."),
            cause,
        );
        self.activities.push(row);
        let (effective, active) = (now + tr.effective_after, now + tr.update_time);
        for (at, what) in [(effective, TableEv::Update), (active, TableEv::Active)] {
            self.q.push(
                at,
                Ev::Table {
                    what,
                    a: t as u32,
                    b: dim as u32,
                },
            );
        }
    }
}
