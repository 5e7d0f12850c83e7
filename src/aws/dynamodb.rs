//! DynamoDB as pure rules: capacity units from item sizes, the provisioned
//! capacity of a table (per-second allowance, burst capacity, partitions,
//! the per-partition maximum, adaptive capacity), on-demand throughput (the
//! previous-peak rule), auto scaling arithmetic, the daily limit on
//! decreases, and prices. No events: the world calls in with the time, and
//! buckets are brought up to date lazily, when touched.
//!
//! Every rule is one named function or type, with its citation key from
//! `shared/research/aws-semantics.md` (§5, §8 WE-22, WE-23, WE-28…WE-32,
//! §9 #11–14, #26, §10):
//!
//! | Rule | Where | Citation | Grade |
//! |---|---|---|---|
//! | Reads round up to 4 KB; eventual ½, transactional ×2; a missing item costs 1 / ½ | [`read_units`] | `DDB:ProvisionedThroughput`, `DDB:HowItWorks.ReadWriteCapacityMode` (WE-23) | DOC |
//! | Writes round up to 1 KB; transactional ×2 | [`write_units`] | same | DOC |
//! | BatchGetItem / BatchWriteItem round each item, then sum | [`batch_get_units`], [`batch_write_units`] | `DDB:ProvisionedThroughput` | DOC |
//! | Query rounds the total once; Scan counts the items evaluated | [`query_units`], [`scan_units`] | same | DOC |
//! | PutItem replacing / UpdateItem: the larger size | [`replace_write_units`] | same | DOC |
//! | Failed conditional write: the new item's size, or 1 for a new item | [`failed_conditional_write_units`] | same | DOC |
//! | GSI writes: 1 index write per put or delete (2 when the indexed key changes) | [`gsi_write_units`] | `DDB:GSI` | DOC |
//! | Enforcement per second | [`Capacity`] (per-second allowance) | `DDB:ProvisionedThroughput` (WE-32) | DOC |
//! | Burst: up to 300 s of unused capacity | [`rule_burst_accrual`], [`BURST_SECONDS`] | `DDB:bp-partition-key-design` | DOC (bucket mechanics GAP, §10) |
//! | Per-partition maximum 3,000 RCU / 1,000 WCU (a linear combination) | [`rule_partition_maximum`] | `DDB:bp-partition-key-design`; Knowledge Center | DOC |
//! | Adaptive capacity: a hot partition may use the table's unused capacity, instantly | [`Capacity`] (`adaptive`) | `DDB:bp-partition-key-design` (WE-29) | DOC ("instantly"; mechanics GAP) |
//! | Initial partitions ceil(RCU/3,000 + WCU/1,000); doubling on an increase | [`initial_partitions`], [`partitions_after_increase`] | `HIST-DDB@21cfcaf:GuidelinesForTables` (WE-30) | HIST |
//! | A storage split halves the parent's throughput | [`split_for_storage`] | same (WE-30) | HIST |
//! | Keys → partitions by hash range | [`partition_of`] | (deterministic stand-in for DynamoDB's internal hash) | GAP |
//! | On-demand: instantly up to 2 × the previous peak; a new peak counts after 30 min | [`OnDemandPeak`] | `DDB:HowItWorks.ReadWriteCapacityMode` (WE-28) | DOC (the 30-min maturing is our reading) |
//! | New on-demand table: 4,000 WRU/s and 12,000 RRU/s | [`NEW_TABLE_WARM_READ`], [`NEW_TABLE_WARM_WRITE`] | WEB on-demand-capacity-mode (current) | DOC |
//! | Switching to on-demand: the larger of the provisioned, new-table and earlier peak | [`rule_switch_to_on_demand`] | `DDB:HowItWorks.ReadWriteCapacityMode` (WE-28 c–e) | DOC |
//! | Table quota 40,000 units/s per dimension | [`TABLE_MAX_UNITS`] | `DDB:ServiceQuotas` | DOC |
//! | Auto scaling: new capacity = ceil(consumed / target) | [`rule_target_tracking_capacity`] | `DDB:AutoScaling.CLI` (WE-22) | DOC |
//! | Target 20–90 % | [`TARGET_RANGE`] | `DDB:AutoScaling` | DOC |
//! | Scale-out alarm 2 datapoints, scale-in 15 | [`SCALE_OUT_DATAPOINTS`], [`SCALE_IN_DATAPOINTS`] | `DDB:ProvisionedThroughput` (troubleshooting) | DOC |
//! | Decreases: 4 per UTC day, then 1 per hour with none in the last hour (27/day) | [`DecreaseLimiter`] | `DDB:ServiceQuotas` (WE-31) | DOC |
//! | Prices (us-east-1) | [`rule_on_demand_cost`], [`rule_provisioned_cost`] | AWS DynamoDB pricing pages (2025) | DOC |

use crate::scenario::{Consistency, TableOp};
use std::collections::VecDeque;

/// Bytes in a read capacity unit's block (4 KB).
pub const READ_BLOCK: u64 = 4096;
/// Bytes in a write capacity unit's block (1 KB).
pub const WRITE_BLOCK: u64 = 1024;

/// How a read is made.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReadKind {
    /// Eventually consistent (half a unit per 4 KB; DynamoDB's default).
    Eventual,
    /// Strongly consistent (one unit per 4 KB).
    Strong,
    /// Transactional (two units per 4 KB).
    Transactional,
}

impl ReadKind {
    fn factor(self) -> f64 {
        match self {
            ReadKind::Eventual => 0.5,
            ReadKind::Strong => 1.0,
            ReadKind::Transactional => 2.0,
        }
    }
}

impl From<Consistency> for ReadKind {
    fn from(c: Consistency) -> ReadKind {
        match c {
            Consistency::Eventual => ReadKind::Eventual,
            Consistency::Strong => ReadKind::Strong,
        }
    }
}

fn blocks(bytes: u64, block: u64) -> u64 {
    bytes.div_ceil(block).max(1)
}

/// Rule "read rounding" (`DDB:ProvisionedThroughput`,
/// `DDB:HowItWorks.ReadWriteCapacityMode`; WE-23 a–d, h, q): round the size
/// up to the next 4 KB; one RCU per 4 KB strongly consistent, half that
/// eventually consistent, twice that transactional. A read of an item that
/// does not exist (`bytes` = 0) still costs one block.
pub fn read_units(bytes: u64, kind: ReadKind) -> f64 {
    blocks(bytes, READ_BLOCK) as f64 * kind.factor()
}

/// Rule "write rounding" (same sources; WE-23 i, j, n): round the size up
/// to the next 1 KB; one WCU per KB, twice that transactional.
pub fn write_units(bytes: u64, transactional: bool) -> f64 {
    blocks(bytes, WRITE_BLOCK) as f64 * if transactional { 2.0 } else { 1.0 }
}

/// Rule "BatchGetItem" (`DDB:ProvisionedThroughput`; WE-23 e): each item is
/// rounded up to 4 KB on its own, then the units are summed.
pub fn batch_get_units(sizes: &[u64], kind: ReadKind) -> f64 {
    sizes.iter().map(|&b| read_units(b, kind)).sum()
}

/// Rule "BatchWriteItem" (`DDB:ProvisionedThroughput`; WE-23 k): each item
/// is rounded up to 1 KB on its own, then summed.
pub fn batch_write_units(sizes: &[u64]) -> f64 {
    sizes.iter().map(|&b| write_units(b, false)).sum()
}

/// Rule "Query" (`DDB:ProvisionedThroughput`; WE-23 f, g, p): the total size
/// of the items returned is rounded up to 4 KB once.
pub fn query_units(total_bytes: u64, kind: ReadKind) -> f64 {
    read_units(total_bytes, kind)
}

/// Rule "Scan" (`DDB:ProvisionedThroughput`): the size of the items
/// *evaluated* (not returned), rounded up to 4 KB once.
pub fn scan_units(evaluated_bytes: u64, kind: ReadKind) -> f64 {
    read_units(evaluated_bytes, kind)
}

/// Rule "PutItem replacing an item / UpdateItem" (`DDB:ProvisionedThroughput`):
/// the larger of the old and new item sizes.
pub fn replace_write_units(old_bytes: u64, new_bytes: u64) -> f64 {
    write_units(old_bytes.max(new_bytes), false)
}

/// Rule "failed conditional write" (`DDB:ProvisionedThroughput`; WE-23 l):
/// for an existing item, the size of the new item ("a failed conditional
/// write of a 1 KB item would consume one write capacity unit. If the new
/// item were twice that size … two"); for a new item, one WCU.
pub fn failed_conditional_write_units(item_exists: bool, new_item_bytes: u64) -> f64 {
    if item_exists {
        write_units(new_item_bytes, false)
    } else {
        1.0
    }
}

/// Rule "GSI writes" (`DDB:GSI`): a put or delete costs one index write of
/// the projected entry's size, an update that changes the indexed key two
/// (delete the old entry, put the new one).
pub fn gsi_write_units(entry_bytes: u64, key_changes: bool) -> f64 {
    write_units(entry_bytes, false) * if key_changes { 2.0 } else { 1.0 }
}

/// Reads per second a table of `rcu` serves for items of `bytes`
/// (WE-23 a: 10 RCU → 10 strong or 20 eventual reads/s of 4 KB).
pub fn reads_per_second(rcu: f64, bytes: u64, kind: ReadKind) -> f64 {
    rcu / read_units(bytes, kind)
}

/// Read throughput in KB/s of `rcu` (WE-23 o).
pub fn read_kb_per_second(rcu: f64, kind: ReadKind) -> f64 {
    rcu * (READ_BLOCK / 1024) as f64 / kind.factor()
}

/// Write throughput in KB/s of `wcu` (WE-23 o).
pub fn write_kb_per_second(wcu: f64, transactional: bool) -> f64 {
    wcu / if transactional { 2.0 } else { 1.0 }
}

/// Which capacity a request uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Dim {
    /// Read capacity.
    Read = 0,
    /// Write capacity.
    Write = 1,
}

/// What one call of an operation costs: the dimension and the units, from
/// the scenario's operation (item size, consistency, items per query/scan).
pub fn op_units(op: TableOp, item_bytes: u64, consistency: Consistency, items: u64) -> (Dim, f64) {
    let kind = ReadKind::from(consistency);
    let items = items.max(1);
    match op {
        TableOp::Get => (Dim::Read, read_units(item_bytes, kind)),
        TableOp::Query => (Dim::Read, query_units(item_bytes * items, kind)),
        TableOp::Scan => (Dim::Read, scan_units(item_bytes * items, kind)),
        TableOp::TransactGet => (Dim::Read, read_units(item_bytes, ReadKind::Transactional)),
        TableOp::Put | TableOp::Update | TableOp::Delete => {
            (Dim::Write, write_units(item_bytes, false))
        }
        TableOp::TransactWrite => (Dim::Write, write_units(item_bytes, true)),
    }
}

// ------------------------------------------------------------- partitions

/// A partition's maximum read units per second (`DDB:bp-partition-key-design`).
pub const PARTITION_MAX_RCU: f64 = 3000.0;
/// A partition's maximum write units per second (same).
pub const PARTITION_MAX_WCU: f64 = 1000.0;
/// Data a partition holds before a storage split, historical (about 10 GB,
/// `HIST-DDB@21cfcaf:GuidelinesForTables`).
pub const PARTITION_BYTES: u64 = 10 * 1024 * 1024 * 1024;

/// Rule "initial partitions", historical (`HIST-DDB@21cfcaf:GuidelinesForTables`;
/// WE-30; removed from current docs, §9 #14): ceil(RCU/3,000 + WCU/1,000),
/// at least 1.
pub fn initial_partitions(rcu: f64, wcu: f64) -> u32 {
    let x = rcu / PARTITION_MAX_RCU + wcu / PARTITION_MAX_WCU;
    ((x - 1e-9).ceil() as u32).max(1)
}

/// Rule "throughput increase doubles the partitions", historical (same
/// source, WE-30): when the current partitions cannot accommodate the new
/// throughput, their number doubles (here: again, until it can).
/// Partitions never decrease.
pub fn partitions_after_increase(current: u32, rcu: f64, wcu: f64) -> u32 {
    let need = initial_partitions(rcu, wcu);
    let mut p = current.max(1);
    while p < need {
        p *= 2;
    }
    p
}

/// Rule "storage split", historical (same source, WE-30): the partition at
/// `idx` splits in two, each child getting half of its (RCU, WCU).
pub fn split_for_storage(shares: &[(f64, f64)], idx: usize) -> Vec<(f64, f64)> {
    let mut out = Vec::with_capacity(shares.len() + 1);
    for (i, &(r, w)) in shares.iter().enumerate() {
        if i == idx {
            out.push((r / 2.0, w / 2.0));
            out.push((r / 2.0, w / 2.0));
        } else {
            out.push((r, w));
        }
    }
    out
}

/// Partitions needed for `bytes` of data, historical (10 GB each).
pub fn storage_partitions(bytes: u64) -> u32 {
    bytes.div_ceil(PARTITION_BYTES).max(1) as u32
}

/// SplitMix64: the key hash (a stand-in for DynamoDB's internal hash, which
/// is not documented; deterministic and well mixed).
pub fn key_hash(key: u64, salt: u64) -> u64 {
    let mut z = (key ^ salt).wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Rule "keys → partitions" (GAP: DynamoDB partitions by a hash of the
/// partition key; the hash is internal): partition = the hash's range,
/// floor(hash × n / 2⁶⁴). Doubling the partitions splits every range in two
/// (partition p becomes 2p and 2p + 1), as a split does.
pub fn partition_of(hash: u64, n: u32) -> u32 {
    ((hash as u128 * n as u128) >> 64) as u32
}

/// Rule "per-partition maximum" (`DDB:bp-partition-key-design`,
/// `DDB:ProvisionedThroughput`; Knowledge Center on-demand throttling): a
/// partition serves at most 3,000 read units *or* 1,000 write units per
/// second, or a linear combination: reads/3,000 + writes/1,000 ≤ 1. `load`
/// is that sum so far in the current second; true if `units` more of `dim`
/// fit.
pub fn rule_partition_maximum(load: f64, dim: Dim, units: f64) -> bool {
    load + units / partition_max(dim) <= 1.0 + 1e-9
}

fn partition_max(dim: Dim) -> f64 {
    match dim {
        Dim::Read => PARTITION_MAX_RCU,
        Dim::Write => PARTITION_MAX_WCU,
    }
}

// --------------------------------------------------- burst and on-demand

/// Burst capacity: seconds of unused capacity retained
/// (`DDB:bp-partition-key-design`: "retains up to five minutes (300 seconds)
/// of unused read and write capacity"; it "might change in the future").
pub const BURST_SECONDS: f64 = 300.0;

/// Rule "burst accrual" (`DDB:bp-partition-key-design`; mechanics GAP §10:
/// a bucket holding at most 300 s of the partition's share): at the end of
/// a second, the unused part of the partition's share goes into its burst
/// bucket, capped at `burst_seconds × share`. `lent` is the fraction of the
/// unused share that adaptive capacity gave to other partitions that second
/// (0 without adaptive capacity), which is not banked twice.
pub fn rule_burst_accrual(
    bucket: f64,
    share: f64,
    used: f64,
    lent: f64,
    burst_seconds: f64,
) -> f64 {
    let unused = (share - used).max(0.0) * (1.0 - lent).clamp(0.0, 1.0);
    (bucket + unused).min(burst_seconds * share).max(0.0)
}

/// Instant on-demand throughput of a new table, read request units/s
/// (WEB on-demand-capacity-mode, current; aws-semantics.md §5.4).
pub const NEW_TABLE_WARM_READ: f64 = 12_000.0;
/// Instant on-demand throughput of a new table, write request units/s.
pub const NEW_TABLE_WARM_WRITE: f64 = 4_000.0;
/// Default per-table throughput quota, units/s per dimension
/// (`DDB:ServiceQuotas`: 40,000 RRU/WRU per on-demand table, 40,000
/// RCU/WCU per provisioned table; adjustable).
pub const TABLE_MAX_UNITS: f64 = 40_000.0;
/// How long a new on-demand peak takes to count (WE-28 b: "exceeding 2×
/// the previous peak within 30 minutes may throttle").
pub const PEAK_WINDOW_S: u64 = 30 * 60;

/// Rule "switching to on-demand" (`DDB:HowItWorks.ReadWriteCapacityMode`;
/// Knowledge Center; WE-28 c–e): the table can at first serve the larger of
/// its previous provisioned throughput, a new table's (12,000 RRU / 4,000
/// WRU) and any earlier peak (`earlier`: e.g. a table once provisioned at
/// 10,000/10,000). Returns (read, write) units per second.
pub fn rule_switch_to_on_demand(
    provisioned: (f64, f64),
    earlier: Option<(f64, f64)>,
) -> (f64, f64) {
    let (er, ew) = earlier.unwrap_or((0.0, 0.0));
    (
        provisioned.0.max(NEW_TABLE_WARM_READ).max(er),
        provisioned.1.max(NEW_TABLE_WARM_WRITE).max(ew),
    )
}

/// Rule "on-demand previous peak" (`DDB:HowItWorks.ReadWriteCapacityMode`;
/// WE-28 a, b): an on-demand table instantly serves up to twice its
/// previous peak. A higher per-second rate it served becomes the new
/// previous peak 30 minutes later (our reading of "throttling can occur if
/// you exceed double your previous peak within 30 minutes"), so traffic
/// can double every 30 minutes without throttling. Also capped by the
/// table quota.
#[derive(Clone, Debug, PartialEq)]
pub struct OnDemandPeak {
    peak: f64,
    /// Seconds served above the peak, not yet 30 minutes old: (second,
    /// units), increasing in both.
    pending: VecDeque<(u64, f64)>,
    table_max: f64,
}

impl OnDemandPeak {
    /// A table that can instantly serve `warm` units per second (previous
    /// peak = warm / 2).
    pub fn new(warm: f64) -> Self {
        OnDemandPeak {
            peak: warm / 2.0,
            pending: VecDeque::new(),
            table_max: TABLE_MAX_UNITS,
        }
    }

    /// Sets the table quota (default [`TABLE_MAX_UNITS`]).
    pub fn with_table_max(mut self, max: f64) -> Self {
        self.table_max = max;
        self
    }

    /// Second `s` ended having served `units`.
    pub fn close_second(&mut self, s: u64, units: f64) {
        let top = self
            .pending
            .back()
            .map_or(self.peak, |p| p.1.max(self.peak));
        if units > top {
            self.pending.push_back((s, units));
        }
    }

    fn mature(&mut self, now_s: u64) {
        while let Some(&(s, v)) = self.pending.front() {
            if s + PEAK_WINDOW_S <= now_s {
                self.peak = self.peak.max(v);
                self.pending.pop_front();
            } else {
                break;
            }
        }
    }

    /// The previous peak in second `now_s`.
    pub fn peak(&mut self, now_s: u64) -> f64 {
        self.mature(now_s);
        self.peak
    }

    /// Units per second the table serves instantly in second `now_s`:
    /// min(2 × previous peak, table quota).
    pub fn limit(&mut self, now_s: u64) -> f64 {
        (2.0 * self.peak(now_s)).min(self.table_max)
    }
}

// ------------------------------------------------------------- capacity

/// Why a request was throttled (`API-DDB:ThrottlingReason.reason`, current;
/// aws-semantics.md §5.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Throttle {
    /// `…ProvisionedThroughputExceeded`: the table's (or index's)
    /// provisioned throughput and burst are used up.
    Provisioned,
    /// `…KeyRangeThroughputExceeded`: the partition's maximum.
    KeyRange,
    /// On-demand above twice the previous peak (or the table quota).
    OnDemand,
}

/// Capacity mode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Provisioned capacity with burst.
    Provisioned,
    /// On-demand.
    OnDemand,
}

#[derive(Clone, Debug, Default)]
struct Part {
    /// Allowance used this second, per dimension.
    used: [f64; 2],
    /// Burst bucket, per dimension.
    burst: [f64; 2],
    /// reads/3,000 + writes/1,000 served this second.
    load: f64,
}

/// What admitting a request takes (see [`Capacity::plan`]).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Take {
    part: u32,
    dim: Dim,
    units: f64,
    from_allowance: f64,
    from_burst: f64,
}

/// The throughput state of a table or index: per-second allowance, burst
/// buckets and partitions (provisioned), or the previous-peak rule
/// (on-demand); the per-partition maximum in both modes.
///
/// Provisioned model (documented rules, GAP mechanics in §10): each whole
/// second the table has its provisioned units; a partition's share is
/// provisioned / partitions. A request first takes from the second's
/// allowance — only its partition's share without adaptive capacity, any
/// unused part of the table's allowance with it (first come, first served)
/// — and the rest from its partition's burst bucket. Unused share goes to
/// the burst bucket at the end of the second ([`rule_burst_accrual`]).
/// Buckets start with `initial_burst_s` seconds of share (0 by default:
/// "unused capacity" needs time to accrue).
#[derive(Clone, Debug)]
pub struct Capacity {
    mode: Mode,
    rate: [f64; 2],
    burst_s: f64,
    adaptive: bool,
    /// Partition count follows the historical doubling rule.
    auto_partitions: bool,
    second: u64,
    used: [f64; 2],
    served: [f64; 2],
    parts: Vec<Part>,
    peaks: [OnDemandPeak; 2],
}

const NS: u64 = 1_000_000_000;

impl Capacity {
    /// A provisioned table or index. `partitions`: `None` = the historical
    /// rule ([`initial_partitions`]), later doubled on increases.
    pub fn provisioned(
        rcu: f64,
        wcu: f64,
        partitions: Option<u32>,
        burst_s: f64,
        initial_burst_s: f64,
        adaptive: bool,
    ) -> Capacity {
        let p = partitions
            .unwrap_or_else(|| initial_partitions(rcu, wcu))
            .max(1);
        let init = initial_burst_s.clamp(0.0, burst_s);
        let parts = (0..p)
            .map(|_| Part {
                burst: [init * rcu / p as f64, init * wcu / p as f64],
                ..Part::default()
            })
            .collect();
        Capacity {
            mode: Mode::Provisioned,
            rate: [rcu, wcu],
            burst_s,
            adaptive,
            auto_partitions: partitions.is_none(),
            second: 0,
            used: [0.0; 2],
            served: [0.0; 2],
            parts,
            peaks: [OnDemandPeak::new(0.0), OnDemandPeak::new(0.0)],
        }
    }

    /// An on-demand table that instantly serves `warm` = (read, write) units
    /// per second. `partitions`: `None` = the historical rule applied to the
    /// warm throughput, doubled as the peak grows.
    pub fn on_demand(warm: (f64, f64), partitions: Option<u32>, table_max: f64) -> Capacity {
        let p = partitions
            .unwrap_or_else(|| initial_partitions(warm.0, warm.1))
            .max(1);
        Capacity {
            mode: Mode::OnDemand,
            rate: [0.0; 2],
            burst_s: 0.0,
            adaptive: true,
            auto_partitions: partitions.is_none(),
            second: 0,
            used: [0.0; 2],
            served: [0.0; 2],
            parts: vec![Part::default(); p as usize],
            peaks: [
                OnDemandPeak::new(warm.0).with_table_max(table_max),
                OnDemandPeak::new(warm.1).with_table_max(table_max),
            ],
        }
    }

    /// The mode.
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// Partitions now.
    pub fn partitions(&self) -> u32 {
        self.parts.len() as u32
    }

    /// Provisioned units per second of `dim` (0 for on-demand).
    pub fn rate(&self, dim: Dim) -> f64 {
        self.rate[dim as usize]
    }

    /// Burst units banked in partition `p` for `dim` (as of the last access).
    pub fn burst(&self, p: u32, dim: Dim) -> f64 {
        self.parts[p as usize].burst[dim as usize]
    }

    /// On-demand: the units per second served instantly at `t` (ns).
    pub fn on_demand_limit(&mut self, t: u64, dim: Dim) -> f64 {
        self.peaks[dim as usize].limit(t / NS)
    }

    /// Bring the per-second state up to second `s`: close the current
    /// second (burst accrual, on-demand peaks) and account for idle seconds.
    pub fn roll(&mut self, s: u64) {
        if s <= self.second {
            return;
        }
        let n = self.parts.len() as f64;
        match self.mode {
            Mode::Provisioned => {
                for d in 0..2 {
                    let share = self.rate[d] / n;
                    // Unused table allowance, and the sum of unused shares:
                    // the difference was lent by adaptive capacity.
                    let unused_table = (self.rate[d] - self.used[d]).max(0.0);
                    let unused_shares: f64 = self
                        .parts
                        .iter()
                        .map(|p| (share - p.used[d]).max(0.0))
                        .sum();
                    let lent = if unused_shares > 0.0 {
                        1.0 - unused_table / unused_shares
                    } else {
                        0.0
                    };
                    let idle = (s - self.second - 1) as f64;
                    for p in &mut self.parts {
                        let b =
                            rule_burst_accrual(p.burst[d], share, p.used[d], lent, self.burst_s);
                        // Whole idle seconds bank the whole share.
                        p.burst[d] = (b + idle * share).min(self.burst_s * share);
                    }
                }
            }
            Mode::OnDemand => {
                for d in 0..2 {
                    self.peaks[d].close_second(self.second, self.served[d]);
                }
            }
        }
        for p in &mut self.parts {
            p.used = [0.0; 2];
            p.load = 0.0;
        }
        self.used = [0.0; 2];
        self.served = [0.0; 2];
        self.second = s;
    }

    /// Whether `units` of `dim` on partition `part` can be served at `t`
    /// (ns), and from where; nothing changes until [`Self::commit`].
    pub fn plan(&mut self, t: u64, part: u32, dim: Dim, units: f64) -> Result<Take, Throttle> {
        self.roll(t / NS);
        let d = dim as usize;
        let p = &self.parts[part as usize];
        if !rule_partition_maximum(p.load, dim, units) {
            return Err(Throttle::KeyRange);
        }
        match self.mode {
            Mode::Provisioned => {
                let share = self.rate[d] / self.parts.len() as f64;
                let pool_left = (self.rate[d] - self.used[d]).max(0.0);
                let allow = if self.adaptive {
                    pool_left
                } else {
                    (share - p.used[d]).max(0.0).min(pool_left)
                };
                let from_allowance = allow.min(units);
                let from_burst = units - from_allowance;
                if from_burst > p.burst[d] + 1e-9 {
                    return Err(Throttle::Provisioned);
                }
                Ok(Take {
                    part,
                    dim,
                    units,
                    from_allowance,
                    from_burst,
                })
            }
            Mode::OnDemand => {
                let limit = self.peaks[d].limit(self.second);
                if self.served[d] + units > limit + 1e-9 {
                    return Err(Throttle::OnDemand);
                }
                Ok(Take {
                    part,
                    dim,
                    units,
                    from_allowance: units,
                    from_burst: 0.0,
                })
            }
        }
    }

    /// Apply a [`Take`] from [`Self::plan`] (same instant).
    pub fn commit(&mut self, k: Take) {
        let d = k.dim as usize;
        let p = &mut self.parts[k.part as usize];
        p.used[d] += k.from_allowance;
        p.burst[d] = (p.burst[d] - k.from_burst).max(0.0);
        p.load += k.units / partition_max(k.dim);
        self.used[d] += k.from_allowance;
        self.served[d] += k.units;
    }

    /// [`Self::plan`] then [`Self::commit`].
    pub fn consume(&mut self, t: u64, part: u32, dim: Dim, units: f64) -> Result<(), Throttle> {
        let k = self.plan(t, part, dim, units)?;
        self.commit(k);
        Ok(())
    }

    /// UpdateTable takes effect at `t`: new provisioned units of `dim`.
    /// With automatic partitioning the historical doubling rule applies;
    /// each child keeps half its parent's burst. Buckets are clipped to the
    /// new cap.
    pub fn set_provisioned(&mut self, t: u64, dim: Dim, units: f64) {
        self.roll(t / NS);
        self.rate[dim as usize] = units;
        if self.auto_partitions {
            let want = partitions_after_increase(self.partitions(), self.rate[0], self.rate[1]);
            while (self.parts.len() as u32) < want {
                let old = std::mem::take(&mut self.parts);
                for p in old {
                    let half = Part {
                        used: [p.used[0] / 2.0, p.used[1] / 2.0],
                        burst: [p.burst[0] / 2.0, p.burst[1] / 2.0],
                        load: p.load / 2.0,
                    };
                    self.parts.push(half.clone());
                    self.parts.push(half);
                }
            }
        }
        let n = self.parts.len() as f64;
        for d in 0..2 {
            let cap = self.burst_s * self.rate[d] / n;
            for p in &mut self.parts {
                p.burst[d] = p.burst[d].min(cap);
            }
        }
    }

    /// On-demand: partitions follow the peak (historical doubling rule on
    /// the instant throughput). Call after the peak may have grown.
    pub fn grow_on_demand_partitions(&mut self, t: u64) {
        if self.mode != Mode::OnDemand || !self.auto_partitions {
            return;
        }
        let s = t / NS;
        let r = self.peaks[0].limit(s);
        let w = self.peaks[1].limit(s);
        let want = partitions_after_increase(self.partitions(), r, w);
        while (self.parts.len() as u32) < want {
            let old = std::mem::take(&mut self.parts);
            for p in old {
                let half = Part {
                    used: [p.used[0] / 2.0, p.used[1] / 2.0],
                    burst: [0.0; 2],
                    load: p.load / 2.0,
                };
                self.parts.push(half.clone());
                self.parts.push(half);
            }
        }
    }
}

// --------------------------------------------------------- auto scaling

/// Target utilisation range, percent (`DDB:AutoScaling`).
pub const TARGET_RANGE: std::ops::RangeInclusive<f64> = 20.0..=90.0;
/// Scale-out alarm: datapoints above the target
/// (`DDB:ProvisionedThroughput`, troubleshooting: "2 data points breach").
pub const SCALE_OUT_DATAPOINTS: u32 = 2;
/// Scale-in alarm: consecutive datapoints below the target (same: "15
/// consecutive data points are lower than the target").
pub const SCALE_IN_DATAPOINTS: u32 = 15;
/// Smallest provisioned capacity (`DDB:ServiceQuotas`: minimum 1).
pub const MIN_CAPACITY: f64 = 1.0;

/// Rule "target tracking capacity" (`DDB:AutoScaling.CLI`; WE-22): the new
/// provisioned capacity is the smallest whole number that puts the
/// consumed rate at or below the target: ceil(consumed / target), clamped
/// to [min, max] (200 WCU, target 70 %, consumed 150 → 215).
pub fn rule_target_tracking_capacity(
    consumed_per_s: f64,
    target_pct: f64,
    min: f64,
    max: f64,
) -> f64 {
    let raw = (consumed_per_s / (target_pct / 100.0) - 1e-9).ceil();
    raw.max(MIN_CAPACITY)
        .clamp(min.max(MIN_CAPACITY), max.max(min))
}

/// Rule "decreases per day" (`DDB:ServiceQuotas`; WE-31): within a UTC day a
/// table (and each GSI, separately) may decrease its provisioned throughput
/// 4 times at any time, and once more whenever there was no decrease in the
/// past hour — 4 in the first hour, then 1 per hour: 27 per day. Increases
/// are not limited.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DecreaseLimiter {
    day: i64,
    count: u32,
    last: Option<i64>,
}

/// Decreases allowed at any time within a UTC day.
pub const DECREASES_ANYTIME: u32 = 4;

impl DecreaseLimiter {
    /// Whether a decrease at `unix_s` is allowed.
    pub fn allowed(&self, unix_s: i64) -> bool {
        let day = unix_s.div_euclid(86_400);
        if day != self.day || self.count < DECREASES_ANYTIME {
            return true;
        }
        self.last.is_none_or(|l| unix_s - l >= 3600)
    }

    /// Record a decrease at `unix_s`.
    pub fn record(&mut self, unix_s: i64) {
        let day = unix_s.div_euclid(86_400);
        if day != self.day {
            self.day = day;
            self.count = 0;
        }
        self.count += 1;
        self.last = Some(unix_s);
    }

    /// Decreases so far in the current UTC day.
    pub fn today(&self, unix_s: i64) -> u32 {
        if unix_s.div_euclid(86_400) == self.day {
            self.count
        } else {
            0
        }
    }
}

// ---------------------------------------------------------------- prices

/// On-demand, USD per million write request units (us-east-1, DynamoDB
/// pricing page after the November 2024 reduction).
pub const ON_DEMAND_USD_PER_MILLION_WRU: f64 = 0.625;
/// On-demand, USD per million read request units (same).
pub const ON_DEMAND_USD_PER_MILLION_RRU: f64 = 0.125;
/// Provisioned, USD per WCU-hour (us-east-1).
pub const PROVISIONED_USD_PER_WCU_HOUR: f64 = 0.00065;
/// Provisioned, USD per RCU-hour (us-east-1).
pub const PROVISIONED_USD_PER_RCU_HOUR: f64 = 0.00013;

/// Rule "on-demand price": per request unit consumed (throttled requests
/// are not charged). Storage, the free tier and data transfer are left out.
pub fn rule_on_demand_cost(read_units: f64, write_units: f64) -> f64 {
    read_units / 1e6 * ON_DEMAND_USD_PER_MILLION_RRU
        + write_units / 1e6 * ON_DEMAND_USD_PER_MILLION_WRU
}

/// Rule "provisioned price": per capacity-hour provisioned, used or not
/// (here integrated over time; AWS bills the hour's provisioned capacity).
pub fn rule_provisioned_cost(rcu_hours: f64, wcu_hours: f64) -> f64 {
    rcu_hours * PROVISIONED_USD_PER_RCU_HOUR + wcu_hours * PROVISIONED_USD_PER_WCU_HOUR
}

#[cfg(test)]
mod tests {
    use super::*;

    const KB: u64 = 1024;
    use ReadKind::*;

    #[test]
    fn we23_capacity_unit_calculations() {
        // (a) 10 RCU: 10 strong or 20 eventual reads/s of items ≤ 4 KB.
        assert_eq!(reads_per_second(10.0, 4 * KB, Strong), 10.0);
        assert_eq!(reads_per_second(10.0, 4 * KB, Eventual), 20.0);
        // (b) 8 KB: strong 2, eventual 1, transactional 4.
        assert_eq!(read_units(8 * KB, Strong), 2.0);
        assert_eq!(read_units(8 * KB, Eventual), 1.0);
        assert_eq!(read_units(8 * KB, Transactional), 4.0);
        // (c) 3,500 B is charged as 4 KB.
        assert_eq!(read_units(3500, Strong), read_units(4 * KB, Strong));
        assert_eq!(read_units(3500, Strong), 1.0);
        // (d) 10 KB is charged as 12 KB: strong 3, eventual 1.5.
        assert_eq!(read_units(10 * KB, Strong), 3.0);
        assert_eq!(read_units(10 * KB, Eventual), 1.5);
        // (e) BatchGetItem of 1.5 KB + 6.5 KB: 12 KB, not 8 → strong 3.
        assert_eq!(batch_get_units(&[1536, 6656], Strong), 3.0);
        assert_ne!(read_units(1536 + 6656, Strong), 3.0);
        // (f) Query returning 40.8 KB → 44 KB: strong 11, eventual 5.5.
        let b = (40.8 * 1024.0) as u64;
        assert_eq!(query_units(b, Strong), 11.0);
        assert_eq!(query_units(b, Eventual), 5.5);
        // (g) Query returning 1,500 × 64 B = 96 KB: strong 24, eventual 12.
        assert_eq!(query_units(1500 * 64, Strong), 24.0);
        assert_eq!(query_units(1500 * 64, Eventual), 12.0);
        // (h) eventually consistent read totalling 80 KB: 10 RCU.
        assert_eq!(query_units(80 * KB, Eventual), 10.0);
        // (i) 2 KB write: 2 WCU, transactional 4.
        assert_eq!(write_units(2 * KB, false), 2.0);
        assert_eq!(write_units(2 * KB, true), 4.0);
        // (j) put or delete of 1.6 KB → 2 KB → 2 WCU.
        assert_eq!(write_units((1.6 * 1024.0) as u64, false), 2.0);
        // (k) BatchWriteItem of 500 B + 3.5 KB → 5 KB → 5 WCU.
        assert_eq!(batch_write_units(&[500, 3584]), 5.0);
        // (l) failed conditional write: 1 KB → 1; twice that → 2; new item → 1.
        assert_eq!(failed_conditional_write_units(true, KB), 1.0);
        assert_eq!(failed_conditional_write_units(true, 2 * KB), 2.0);
        assert_eq!(failed_conditional_write_units(false, 2 * KB), 1.0);
        // (m) 80 strong reads/s of 3 KB → 80 RCU.
        assert_eq!(80.0 * read_units(3 * KB, Strong), 80.0);
        // (n) 100 writes/s of 512 B → 100 WCU.
        assert_eq!(100.0 * write_units(512, false), 100.0);
        // (o) 6 RCU / 6 WCU: 24 KB/s strong, 48 eventual, 12 transactional;
        // 6 KB/s writes, 3 KB/s transactional writes.
        assert_eq!(read_kb_per_second(6.0, Strong), 24.0);
        assert_eq!(read_kb_per_second(6.0, Eventual), 48.0);
        assert_eq!(read_kb_per_second(6.0, Transactional), 12.0);
        assert_eq!(write_kb_per_second(6.0, false), 6.0);
        assert_eq!(write_kb_per_second(6.0, true), 3.0);
        // (p) GSI query of 8 × 2,000 B = 16,000 B → 16 KB → 0.5 × 4 = 2 RCU
        // (GSI queries are eventually consistent).
        assert_eq!(query_units(8 * 2000, Eventual), 2.0);
        // (q) read of a missing item: 1 strong, 0.5 eventual.
        assert_eq!(read_units(0, Strong), 1.0);
        assert_eq!(read_units(0, Eventual), 0.5);
    }

    #[test]
    fn operations_map_to_units() {
        use crate::scenario::Consistency as C;
        assert_eq!(
            op_units(TableOp::Get, 8 * KB, C::Eventual, 1),
            (Dim::Read, 1.0)
        );
        assert_eq!(
            op_units(TableOp::Get, 8 * KB, C::Strong, 1),
            (Dim::Read, 2.0)
        );
        assert_eq!(
            op_units(TableOp::TransactGet, 8 * KB, C::Eventual, 1),
            (Dim::Read, 4.0)
        );
        assert_eq!(
            op_units(TableOp::Query, 64, C::Strong, 1500),
            (Dim::Read, 24.0)
        );
        assert_eq!(
            op_units(TableOp::Put, 2 * KB, C::Eventual, 1),
            (Dim::Write, 2.0)
        );
        assert_eq!(
            op_units(TableOp::TransactWrite, 2 * KB, C::Eventual, 1),
            (Dim::Write, 4.0)
        );
        assert_eq!(gsi_write_units(300, false), 1.0);
        assert_eq!(gsi_write_units(300, true), 2.0);
        assert_eq!(replace_write_units(500, 1600), 2.0);
    }

    #[test]
    fn we30_partition_arithmetic_historical() {
        assert_eq!(initial_partitions(1000.0, 500.0), 1);
        assert_eq!(initial_partitions(1000.0, 1000.0), 2);
        assert_eq!(initial_partitions(5000.0, 2000.0), 4);
        // 5,000 → 8,000 RCU doubles 4 to 8: 1,000 RCU / 250 WCU each.
        let p = partitions_after_increase(4, 8000.0, 2000.0);
        assert_eq!(p, 8);
        assert_eq!((8000.0 / p as f64, 2000.0 / p as f64), (1000.0, 250.0));
        // An increase the partitions can hold changes nothing; never fewer.
        assert_eq!(partitions_after_increase(4, 6000.0, 1000.0), 4);
        assert_eq!(partitions_after_increase(8, 10.0, 10.0), 8);
        // Storage: 8 partitions hold 80 GB; one split → 9 and 90 GB.
        assert_eq!(storage_partitions(80 * 1024 * 1024 * 1024), 8);
        let eight = vec![(1000.0, 250.0); 8];
        let nine = split_for_storage(&eight, 3);
        assert_eq!(nine.len(), 9);
        assert_eq!(nine.len() as u64 * 10, 90);
        // The 4-partition table: one split → 5, children 625 RCU / 250 WCU.
        let four = vec![(1250.0, 500.0); 4];
        let five = split_for_storage(&four, 0);
        assert_eq!(five.len(), 5);
        assert_eq!(five.iter().filter(|s| **s == (625.0, 250.0)).count(), 2);
        assert_eq!(five.iter().filter(|s| **s == (1250.0, 500.0)).count(), 3);
        // Total unchanged.
        let total: f64 = five.iter().map(|s| s.0).sum();
        assert_eq!(total, 5000.0);
    }

    #[test]
    fn partition_mapping_splits_ranges_on_doubling() {
        for k in 0..10_000u64 {
            let h = key_hash(k, 7);
            let p = partition_of(h, 3);
            assert!(p < 3);
            let q = partition_of(h, 6);
            assert!(q == 2 * p || q == 2 * p + 1);
        }
    }

    #[test]
    fn we32_per_second_enforcement_without_burst() {
        // 60 WCU, burst disabled and empty: 3,600 writes in second 0 → 60
        // succeed, the other 3,540 are throttled.
        let mut c = Capacity::provisioned(1.0, 60.0, Some(1), 0.0, 0.0, true);
        let ok = (0..3600)
            .filter(|i| c.consume(*i as u64 * 100_000, 0, Dim::Write, 1.0).is_ok())
            .count();
        assert_eq!(ok, 60);
        // With burst on, up to 300 s × 60 = 18,000 WCU may be banked.
        let mut c = Capacity::provisioned(1.0, 60.0, Some(1), BURST_SECONDS, 0.0, true);
        c.roll(1000);
        assert_eq!(c.burst(0, Dim::Write), 18_000.0);
    }

    #[test]
    fn burst_banks_unused_share_and_is_spent_after_the_allowance() {
        // 10 WCU, 1 partition, empty at t = 0. Second 0 uses 4: 6 banked.
        let mut c = Capacity::provisioned(1.0, 10.0, Some(1), 300.0, 0.0, true);
        for _ in 0..4 {
            c.consume(0, 0, Dim::Write, 1.0).unwrap();
        }
        c.roll(1);
        assert_eq!(c.burst(0, Dim::Write), 6.0);
        // Second 1: 16 writes: 10 from the allowance, 6 from burst, then throttled.
        let ok = (0..20)
            .filter(|_| c.consume(NS, 0, Dim::Write, 1.0).is_ok())
            .count();
        assert_eq!(ok, 16);
        assert_eq!(
            c.consume(NS, 0, Dim::Write, 1.0),
            Err(Throttle::Provisioned)
        );
        // Idle for 1,000 s: capped at 300 s × 10.
        c.roll(1002);
        assert_eq!(c.burst(0, Dim::Write), 3000.0);
    }

    #[test]
    fn we29_adaptive_capacity_serves_a_hot_partition() {
        // 400 WCU over 4 partitions (100 each); partitions 1–3 write 50/s,
        // partition 4 150/s. Table total 300 ≤ 400.
        let run = |adaptive: bool| {
            let mut c = Capacity::provisioned(1.0, 400.0, Some(4), 300.0, 0.0, adaptive);
            let mut throttled = [0u32; 4];
            for s in 0..600u64 {
                for i in 0..150u64 {
                    // Interleave the partitions through the second.
                    let t = s * NS + i * (NS / 150);
                    for (p, n) in [(0u32, 50u64), (1, 50), (2, 50), (3, 150)] {
                        if i < n && c.consume(t, p, Dim::Write, 1.0).is_err() {
                            throttled[p as usize] += 1;
                        }
                    }
                }
            }
            throttled
        };
        // With adaptive capacity: 150/s served, no throttling.
        assert_eq!(run(true), [0; 4]);
        // Without (before adaptive capacity): partition 4 is held to its
        // 100/s share plus burst; the bucket starts empty, so from the first
        // second 50/s are throttled, the others never.
        let t = run(false);
        assert_eq!(&t[..3], &[0, 0, 0]);
        assert_eq!(t[3], 600 * 50);
    }

    #[test]
    fn partition_maximum_is_a_linear_combination() {
        // One partition, far more provisioned than a partition can serve.
        let mut c = Capacity::provisioned(40_000.0, 40_000.0, Some(1), 300.0, 0.0, true);
        let w = (0..1200)
            .filter(|_| c.consume(0, 0, Dim::Write, 1.0).is_ok())
            .count();
        assert_eq!(w, 1000);
        assert_eq!(c.consume(0, 0, Dim::Read, 1.0), Err(Throttle::KeyRange));
        // Half the writes leave room for half the reads.
        let mut c = Capacity::provisioned(40_000.0, 40_000.0, Some(1), 300.0, 0.0, true);
        for _ in 0..500 {
            c.consume(0, 0, Dim::Write, 1.0).unwrap();
        }
        let r = (0..2000)
            .filter(|_| c.consume(0, 0, Dim::Read, 1.0).is_ok())
            .count();
        assert_eq!(r, 1500);
        assert!(rule_partition_maximum(0.0, Dim::Read, 3000.0));
        assert!(!rule_partition_maximum(0.0, Dim::Read, 3000.5));
    }

    #[test]
    fn adaptive_lending_is_not_banked_twice() {
        // 2 partitions of 50; partition 0 uses 80 (30 lent by partition 1),
        // partition 1 uses 0: the table's unused 20 is all that is banked.
        let mut c = Capacity::provisioned(1.0, 100.0, Some(2), 300.0, 0.0, true);
        for _ in 0..80 {
            c.consume(0, 0, Dim::Write, 1.0).unwrap();
        }
        c.roll(1);
        assert_eq!(c.burst(0, Dim::Write), 0.0);
        assert!((c.burst(1, Dim::Write) - 20.0).abs() < 1e-9);
    }

    #[test]
    fn we28_on_demand_previous_peak() {
        // (a) previous peak 50,000 reads/s: instantly up to 100,000.
        let mut p = OnDemandPeak::new(100_000.0).with_table_max(f64::INFINITY);
        assert_eq!(p.limit(0), 100_000.0);
        // 100,000/s sustained: after 30 minutes up to 200,000.
        for s in 0..=1800 {
            p.close_second(s, 100_000.0);
        }
        assert_eq!(p.limit(1799), 100_000.0); // (b) within 30 min: still 2 × 50,000
        assert_eq!(p.limit(1800), 200_000.0);
        // Through the capacity model: more than 2× the previous peak within
        // 30 minutes is throttled.
        let mut c = Capacity::on_demand((12_000.0, 4_000.0), Some(100), f64::INFINITY);
        let mut served = 0.0;
        for i in 0..100u32 {
            for _ in 0..50 {
                if c.consume(0, i, Dim::Write, 1.0).is_ok() {
                    served += 1.0;
                }
            }
        }
        assert_eq!(served, 4000.0);
        assert_eq!(c.consume(0, 7, Dim::Write, 1.0), Err(Throttle::OnDemand));
        // (c) provisioned 100 WCU / 100 RCU → ≥ 4,000 WRU/s, 12,000 RRU/s.
        assert_eq!(
            rule_switch_to_on_demand((100.0, 100.0), None),
            (12_000.0, 4_000.0)
        );
        // (d) 24,000 RCU / 8,000 WCU → ≥ 24,000 / 8,000.
        assert_eq!(
            rule_switch_to_on_demand((24_000.0, 8_000.0), None),
            (24_000.0, 8_000.0)
        );
        // (e) once 10,000/10,000, now 10/10 → ≥ 10,000/10,000.
        assert_eq!(
            rule_switch_to_on_demand((10.0, 10.0), Some((10_000.0, 10_000.0))),
            (12_000.0, 10_000.0)
        );
        // The table quota caps on-demand throughput.
        let mut p = OnDemandPeak::new(100_000.0);
        assert_eq!(p.limit(0), TABLE_MAX_UNITS);
    }

    #[test]
    fn we22_auto_scaling_step() {
        // 200 WCU, target 70 %, consumed 150 (75 %) → 215 (150/215 = 69.77 %).
        let n = rule_target_tracking_capacity(150.0, 70.0, 1.0, 40_000.0);
        assert_eq!(n, 215.0);
        assert!(150.0 / n <= 0.70);
        assert!(150.0 / (n - 1.0) > 0.70);
        // Exact quotients are not rounded up past themselves.
        assert_eq!(
            rule_target_tracking_capacity(140.0, 70.0, 1.0, 1000.0),
            200.0
        );
        // Clamped to [min, max].
        assert_eq!(
            rule_target_tracking_capacity(150.0, 70.0, 1.0, 100.0),
            100.0
        );
        assert_eq!(rule_target_tracking_capacity(1.0, 70.0, 5.0, 100.0), 5.0);
    }

    #[test]
    fn we31_twenty_seven_decreases_per_utc_day() {
        // Try a decrease every minute of a UTC day.
        let day0 = 20_000 * 86_400i64;
        let mut l = DecreaseLimiter::default();
        let mut n = 0;
        let mut first_hour = 0;
        for m in 0..1440 {
            let t = day0 + m * 60;
            if l.allowed(t) {
                l.record(t);
                n += 1;
                if m < 60 {
                    first_hour += 1;
                }
            }
        }
        assert_eq!(first_hour, 4);
        assert_eq!(n, 27);
        // A new UTC day starts afresh.
        assert!(l.allowed(day0 + 86_400));
        assert_eq!(l.today(day0 + 86_400), 0);
    }

    #[test]
    fn prices() {
        // 1 M writes of 1 KB and 1 M strong reads of 4 KB on demand.
        assert!((rule_on_demand_cost(1e6, 1e6) - 0.75).abs() < 1e-12);
        // 100 RCU and 100 WCU for 24 h.
        let c = rule_provisioned_cost(2400.0, 2400.0);
        assert!((c - (2400.0 * 0.00013 + 2400.0 * 0.00065)).abs() < 1e-12);
    }
}
