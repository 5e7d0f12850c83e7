//! Amazon Kinesis Data Streams as pure rules: partition-key hashing onto
//! shards (MD5 into the 128-bit hash key range), the per-shard write and
//! read limits, UpdateShardCount's limits and uniform scaling (splits and
//! merges, parent shards read before their children), on-demand capacity,
//! the Lambda event source mapping's parameters for streams, and prices.
//! No events: the world (`world/kinesis.rs`) calls in with the time.
//!
//! `KDS:<page>` is `https://docs.aws.amazon.com/streams/latest/dev/<page>.html`,
//! `KAPI:<op>` is `https://docs.aws.amazon.com/kinesis/latest/APIReference/API_<op>.html`,
//! `LAMBDA:<page>` is `https://docs.aws.amazon.com/lambda/latest/dg/<page>.html`
//! (quotes in `docs/src/background/streams.md`).
//!
//! | Rule | Where | Citation | Grade |
//! |---|---|---|---|
//! | "an MD5 hash function is used to map partition keys to 128-bit integer values and to map associated data records to shards"; all records with one key go to one shard | [`md5`], [`hash_key`], [`shard_for`] | `KAPI:PutRecord` (PartitionKey), `KAPI:PutRecordsRequestEntry` | DOC |
//! | A new stream's (and uniform scaling's) shards split the hash key range 0 … 2^128 − 1 evenly | [`uniform_ranges`] | `KAPI:CreateStream`, `KAPI:UpdateShardCount` ("Uniform scaling creates shards of equal size") | DOC |
//! | Writes: 1,000 records/s and 1 MiB/s per shard, else `ProvisionedThroughputExceededException` (`WriteProvisionedThroughputExceeded`) | [`WriteWindow`], [`WRITE_RECORDS_PER_S`], [`WRITE_BYTES_PER_S`] | `KDS:service-sizes-and-limits`, `KAPI:CreateStream` | DOC (enforced per whole second here: AWS does not say over what window; GAP) |
//! | Reads: 5 GetRecords transactions/s per shard shared by its standard consumers, 2 MiB/s per shard; a call returns at most 10,000 records or 10 MiB, and a call that returns 10 MiB makes the calls of the next 5 s fail (`ReadProvisionedThroughputExceeded`) | [`ReadLimiter`], [`READ_TX_PER_S`], [`READ_BYTES_PER_S`], [`GET_RECORDS_MAX_RECORDS`] | `KDS:service-sizes-and-limits`, `KAPI:GetRecords` | DOC |
//! | Enhanced fan-out: 2 MiB/s per consumer per shard, no shared transaction limit | [`ReadLimiter::efo`] | `KDS:enhanced-consumers` | DOC |
//! | UpdateShardCount: at most double, at least half the current count, at most 10,000 shards per stream, at most 10 times per rolling 24 h; asynchronous (UPDATING "could take a few minutes") | [`update_shard_count_problem`], [`reshard_duration_s`] | `KAPI:UpdateShardCount` | DOC (duration GAP: 10 s per shard created or closed, at least 60 s) |
//! | After a reshard the parent shard is read to its end before its children | [`children_of`] (parents), `world/kinesis.rs` | `KDS:kinesis-using-sdk-java-after-resharding` | DOC |
//! | On-demand: starts at 4 MB/s write (4 shards), scales to double the previous peak; traffic above twice the previous peak within 15 minutes may be throttled | [`on_demand_shards`], [`ON_DEMAND_SCALE_S`] | `KDS:how-do-i-size-a-stream` | DOC (shards = write capacity / 1 MiB; timing: our reading of "within a 15-minute duration") |
//! | Lambda on a stream: batch size 1–10,000 (default 100), batching window 0–300 s (default 0), parallelization factor 1–10 (default 1), retries −1 (infinite) – 10,000, maximum record age −1 or 60 s – 604,800 s, bisect on error off; a batch is at most 6 MB | [`esm_problems`], [`MAX_BATCH_BYTES`] | `LAMBDA:services-kinesis-parameters`, `LAMBDA:with-kinesis` | DOC |
//! | Records of one partition key stay in order across the parallelization factor's batches | [`lane_of`] | `LAMBDA:with-kinesis` ("Lambda … guarantees order processing at the partition-key level") | DOC (which lane a key takes: ours) |
//! | Price (us-east-1, provisioned): $0.015 per shard-hour, $0.014 per million PUT payload units of 25 KB; on-demand: $0.04 per stream-hour, $0.08 per GB written, $0.04 per GB read; enhanced fan-out $0.015 per consumer-shard-hour and $0.013 per GB | [`put_payload_units`], [`provisioned_cost`], [`on_demand_cost`] | aws.amazon.com/kinesis/data-streams/pricing | DOC |

use crate::sim::SimTime;

const NS: u64 = 1_000_000_000;

/// Records per second one shard accepts.
pub const WRITE_RECORDS_PER_S: u32 = 1000;
/// Bytes per second one shard accepts (1 MiB).
pub const WRITE_BYTES_PER_S: u64 = 1024 * 1024;
/// GetRecords calls per second per shard, shared by standard consumers.
pub const READ_TX_PER_S: u32 = 5;
/// Bytes per second read from one shard (2 MiB), per shard (standard) or
/// per consumer (enhanced fan-out).
pub const READ_BYTES_PER_S: u64 = 2 * 1024 * 1024;
/// Records one GetRecords call returns at most.
pub const GET_RECORDS_MAX_RECORDS: u32 = 10_000;
/// Bytes one GetRecords call returns at most (10 MiB).
pub const GET_RECORDS_MAX_BYTES: u64 = 10 * 1024 * 1024;
/// Largest record payload (1 MiB; AWS raised the quota to 10 MiB in 2025
/// for streams that opt in: not modelled).
pub const MAX_RECORD_BYTES: u64 = 1024 * 1024;
/// Default retention, hours.
pub const DEFAULT_RETENTION_H: u64 = 24;
/// Largest retention, hours (365 days).
pub const MAX_RETENTION_H: u64 = 8760;
/// Most shards UpdateShardCount may target in one stream by default.
pub const MAX_SHARDS_PER_STREAM: u32 = 10_000;
/// UpdateShardCount calls per stream per rolling 24 hours.
pub const UPDATES_PER_24H: u32 = 10;
/// Shards of a new on-demand stream (4 MB/s of write capacity).
pub const ON_DEMAND_INITIAL_SHARDS: u32 = 4;
/// How long an on-demand stream takes to grow, seconds.
pub const ON_DEMAND_SCALE_S: u64 = 15 * 60;
/// One PUT payload unit, bytes (25 KB).
pub const PUT_PAYLOAD_UNIT: u64 = 25 * 1024;
/// Largest payload of one synchronous Lambda invocation (6 MB).
pub const MAX_BATCH_BYTES: u64 = 6 * 1024 * 1024;
/// Lambda stream event source: default batch size.
pub const ESM_BATCH_SIZE: u32 = 100;
/// … largest batch size.
pub const ESM_MAX_BATCH_SIZE: u32 = 10_000;
/// … largest batching window, seconds.
pub const ESM_MAX_WINDOW_S: u64 = 300;
/// … largest parallelization factor.
pub const ESM_MAX_PARALLELIZATION: u32 = 10;
/// … largest maximum retry attempts.
pub const ESM_MAX_RETRIES: u32 = 10_000;
/// … range of the maximum record age, seconds.
pub const ESM_RECORD_AGE_S: (u64, u64) = (60, 604_800);

/// Price of a shard-hour (provisioned, us-east-1), USD.
pub const PRICE_SHARD_HOUR: f64 = 0.015;
/// Price per million PUT payload units, USD.
pub const PRICE_PER_MILLION_PUT_UNITS: f64 = 0.014;
/// On-demand: price of a stream-hour, USD.
pub const PRICE_ON_DEMAND_STREAM_HOUR: f64 = 0.04;
/// On-demand: per GB written, USD.
pub const PRICE_ON_DEMAND_GB_IN: f64 = 0.08;
/// On-demand: per GB read, USD.
pub const PRICE_ON_DEMAND_GB_OUT: f64 = 0.04;
/// Enhanced fan-out: per consumer-shard-hour, USD.
pub const PRICE_EFO_SHARD_HOUR: f64 = 0.015;
/// Enhanced fan-out: per GB retrieved, USD.
pub const PRICE_EFO_GB: f64 = 0.013;

const GB: f64 = 1024.0 * 1024.0 * 1024.0;

/// MD5 (RFC 1321) of `data`, by RustCrypto's `md-5`.
pub fn md5(data: &[u8]) -> [u8; 16] {
    use md5::Digest;
    md5::Md5::digest(data).into()
}

/// Rule "partition key hashing": the 128-bit hash key of a partition key
/// (its MD5 digest read as a big-endian unsigned integer).
pub fn hash_key(partition_key: &str) -> u128 {
    u128::from_be_bytes(md5(partition_key.as_bytes()))
}

/// A shard's hash key range, inclusive.
pub type HashRange = (u128, u128);

/// Rule "uniform ranges": `n` shards splitting 0 … 2^128 − 1 evenly; shard
/// `i` starts at ⌊i × 2^128 / n⌋.
pub fn uniform_ranges(n: u32) -> Vec<HashRange> {
    if n <= 1 {
        return vec![(0, u128::MAX)];
    }
    let n = n as u128;
    // ⌊i × 2^128 / n⌋ = i × q + ⌊i × r / n⌋ with 2^128 = q n + r.
    let q = u128::MAX / n;
    let r = u128::MAX % n + 1; // 2^128 − q n, ≤ n
    let (q, r) = if r == n { (q + 1, 0) } else { (q, r) };
    let start = |i: u128| i * q + (i * r) / n;
    (0..n)
        .map(|i| {
            let end = if i + 1 == n {
                u128::MAX
            } else {
                start(i + 1) - 1
            };
            (start(i), end)
        })
        .collect()
}

/// The shard (index into `ranges`, sorted and covering the key space) whose
/// range holds `hash`.
pub fn shard_for(ranges: &[HashRange], hash: u128) -> usize {
    ranges
        .partition_point(|r| r.1 < hash)
        .min(ranges.len().saturating_sub(1))
}

/// For each of `new` ranges, the indices of `old` ranges it overlaps (its
/// parents after a reshard).
pub fn children_of(old: &[HashRange], new: &[HashRange]) -> Vec<Vec<usize>> {
    new.iter()
        .map(|n| {
            old.iter()
                .enumerate()
                .filter(|(_, o)| o.0 <= n.1 && n.0 <= o.1)
                .map(|(i, _)| i)
                .collect()
        })
        .collect()
}

/// Which of `factor` concurrent batches of a shard a partition key's
/// records go to (records of a key stay in order in one of them).
pub fn lane_of(hash: u128, factor: u32) -> u32 {
    (hash % factor.max(1) as u128) as u32
}

// ------------------------------------------------------------------ limits

/// A shard's write limit: 1,000 records and 1 MiB per second.
#[derive(Clone, Copy, Debug, Default)]
pub struct WriteWindow {
    second: u64,
    records: u32,
    bytes: u64,
}

impl WriteWindow {
    /// A record of `bytes` arrives now: accepted (true) or
    /// `ProvisionedThroughputExceededException`.
    pub fn try_write(&mut self, now: SimTime, bytes: u64) -> bool {
        let s = now / NS;
        if s != self.second {
            *self = WriteWindow {
                second: s,
                records: 0,
                bytes: 0,
            };
        }
        if self.records >= WRITE_RECORDS_PER_S || self.bytes + bytes > WRITE_BYTES_PER_S {
            return false;
        }
        self.records += 1;
        self.bytes += bytes;
        true
    }
}

/// A shard's read limits for standard consumers (5 GetRecords per second
/// shared, 2 MiB/s), or one enhanced fan-out consumer's 2 MiB/s.
#[derive(Clone, Copy, Debug)]
pub struct ReadLimiter {
    second: u64,
    calls: u32,
    /// Byte budget: refilled at 2 MiB/s up to 2 MiB; a large call drives it
    /// below zero and the calls after it fail until it refills.
    tokens: f64,
    at: SimTime,
    efo: bool,
}

impl Default for ReadLimiter {
    fn default() -> Self {
        ReadLimiter {
            second: u64::MAX,
            calls: 0,
            tokens: READ_BYTES_PER_S as f64,
            at: 0,
            efo: false,
        }
    }
}

impl ReadLimiter {
    /// An enhanced fan-out consumer's limiter (no shared call limit).
    pub fn efo() -> ReadLimiter {
        ReadLimiter {
            efo: true,
            ..ReadLimiter::default()
        }
    }

    fn refill(&mut self, now: SimTime) {
        if now > self.at {
            let dt = (now - self.at) as f64 / NS as f64;
            self.tokens = (self.tokens + dt * READ_BYTES_PER_S as f64).min(READ_BYTES_PER_S as f64);
            self.at = now;
        }
    }

    /// A GetRecords call now: allowed (true) or
    /// `ReadProvisionedThroughputExceeded`.
    pub fn try_call(&mut self, now: SimTime) -> bool {
        self.refill(now);
        if self.tokens <= 0.0 {
            return false;
        }
        if !self.efo {
            let s = now / NS;
            if s != self.second {
                self.second = s;
                self.calls = 0;
            }
            if self.calls >= READ_TX_PER_S {
                return false;
            }
            self.calls += 1;
        }
        true
    }

    /// Bytes the budget holds now (after [`ReadLimiter::try_call`]): what a
    /// call can take without making the next ones fail.
    pub fn budget(&self) -> u64 {
        self.tokens.max(0.0) as u64
    }

    /// The allowed call returned `bytes`.
    pub fn took(&mut self, bytes: u64) {
        self.tokens -= bytes as f64;
    }
}

// ------------------------------------------------------------------ resharding

/// Rule "UpdateShardCount limits": why a call from `current` to `target`
/// shards is refused (`LimitExceededException`), with `recent` the calls
/// made in the last 24 hours, or `None`.
pub fn update_shard_count_problem(current: u32, target: u32, recent: u32) -> Option<String> {
    if target == 0 {
        return Some("target_shard_count must be at least 1".into());
    }
    if target > current.saturating_mul(2) {
        return Some(format!(
            "UpdateShardCount cannot scale up to more than double the current shard count ({current} → at most {})",
            current * 2
        ));
    }
    if target < current.div_ceil(2) {
        return Some(format!(
            "UpdateShardCount cannot scale down below half the current shard count ({current} → at least {})",
            current.div_ceil(2)
        ));
    }
    if target > MAX_SHARDS_PER_STREAM {
        return Some(format!(
            "UpdateShardCount cannot scale above {MAX_SHARDS_PER_STREAM} shards in a stream"
        ));
    }
    if recent >= UPDATES_PER_24H {
        return Some(format!(
            "UpdateShardCount can scale a stream at most {UPDATES_PER_24H} times per rolling 24-hour period"
        ));
    }
    None
}

/// How long a reshard from `current` to `target` shards keeps the stream
/// UPDATING, seconds: AWS says "a few minutes" depending on the size; here
/// 10 s per shard created or closed, at least 60 s (GAP).
pub fn reshard_duration_s(current: u32, target: u32) -> u64 {
    let ops = if target == current {
        0
    } else {
        (current + target) as u64
    };
    (10 * ops).max(60)
}

/// Rule "on-demand capacity": the shards an on-demand stream keeps for a
/// previous peak of `peak_records` records/s and `peak_bytes` bytes/s —
/// double the peak, at least the initial 4 MB/s.
pub fn on_demand_shards(peak_records: f64, peak_bytes: f64) -> u32 {
    let by_records = (2.0 * peak_records / WRITE_RECORDS_PER_S as f64).ceil() as u32;
    let by_bytes = (2.0 * peak_bytes / WRITE_BYTES_PER_S as f64).ceil() as u32;
    by_records.max(by_bytes).max(ON_DEMAND_INITIAL_SHARDS)
}

// ------------------------------------------------------------------ prices

/// PUT payload units of one record of `bytes` (25 KB each, at least one).
pub fn put_payload_units(bytes: u64) -> u64 {
    bytes.div_ceil(PUT_PAYLOAD_UNIT).max(1)
}

/// Provisioned: `shard_hours` and `put_units`.
pub fn provisioned_cost(shard_hours: f64, put_units: u64) -> f64 {
    shard_hours * PRICE_SHARD_HOUR + put_units as f64 / 1e6 * PRICE_PER_MILLION_PUT_UNITS
}

/// On-demand: `hours` of the stream, bytes written and read (each record
/// rounded up to 1 KB).
pub fn on_demand_cost(hours: f64, bytes_in: u64, bytes_out: u64) -> f64 {
    hours * PRICE_ON_DEMAND_STREAM_HOUR
        + bytes_in as f64 / GB * PRICE_ON_DEMAND_GB_IN
        + bytes_out as f64 / GB * PRICE_ON_DEMAND_GB_OUT
}

/// Enhanced fan-out: `consumer_shard_hours` and bytes retrieved.
pub fn efo_cost(consumer_shard_hours: f64, bytes: u64) -> f64 {
    consumer_shard_hours * PRICE_EFO_SHARD_HOUR + bytes as f64 / GB * PRICE_EFO_GB
}

// ------------------------------------------------------------------ checks

/// Problems with a stream's Lambda event source settings, as (field, message).
pub fn esm_problems(
    batch_size: u32,
    window_s: f64,
    parallelization: u32,
    max_retries: Option<u32>,
    max_record_age_s: Option<f64>,
) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    if !(1..=ESM_MAX_BATCH_SIZE).contains(&batch_size) {
        out.push((
            "batch_size",
            format!("batch_size must be 1 to {ESM_MAX_BATCH_SIZE}, found {batch_size}"),
        ));
    }
    if !(0.0..=ESM_MAX_WINDOW_S as f64).contains(&window_s) {
        out.push((
            "maximum_batching_window",
            format!("maximum_batching_window must be 0s to {ESM_MAX_WINDOW_S}s, found {window_s}s"),
        ));
    }
    if !(1..=ESM_MAX_PARALLELIZATION).contains(&parallelization) {
        out.push((
            "parallelization_factor",
            format!(
                "parallelization_factor must be 1 to {ESM_MAX_PARALLELIZATION}, found {parallelization}"
            ),
        ));
    }
    if let Some(r) = max_retries
        && r > ESM_MAX_RETRIES
    {
        out.push((
            "maximum_retry_attempts",
            format!("maximum_retry_attempts must be 0 to {ESM_MAX_RETRIES} (omit it for infinite), found {r}"),
        ));
    }
    if let Some(a) = max_record_age_s
        && !(ESM_RECORD_AGE_S.0 as f64..=ESM_RECORD_AGE_S.1 as f64).contains(&a)
    {
        out.push((
            "maximum_record_age",
            format!(
                "maximum_record_age must be {}s to {}s (omit it for infinite), found {a}s",
                ESM_RECORD_AGE_S.0, ESM_RECORD_AGE_S.1
            ),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: SimTime = NS;

    fn hex(d: [u8; 16]) -> String {
        d.iter().map(|b| format!("{b:02x}")).collect()
    }

    #[test]
    fn md5_is_rfc_1321() {
        // RFC 1321, appendix A.5 test suite.
        assert_eq!(hex(md5(b"")), "d41d8cd98f00b204e9800998ecf8427e");
        assert_eq!(hex(md5(b"a")), "0cc175b9c0f1b6a831c399e269772661");
        assert_eq!(hex(md5(b"abc")), "900150983cd24fb0d6963f7d28e17f72");
        assert_eq!(
            hex(md5(b"message digest")),
            "f96b697d7cb7938d525a2f31aaf161d0"
        );
        assert_eq!(
            hex(md5(
                b"12345678901234567890123456789012345678901234567890123456789012345678901234567890"
            )),
            "57edf4a22be3c955ac49da2e2107b67a"
        );
    }

    #[test]
    fn partition_keys_map_through_md5_onto_uniform_ranges() {
        assert_eq!(uniform_ranges(1), vec![(0, u128::MAX)]);
        // 2 shards: the first ends at 2^127 − 1, as CreateStream makes them.
        let r = uniform_ranges(2);
        assert_eq!(r[0], (0, (1u128 << 127) - 1));
        assert_eq!(r[1], (1u128 << 127, u128::MAX));
        // 10 shards: shard 1 starts at ⌊2^128 / 10⌋ (ListShards of a
        // 10-shard stream shows 34028236692093846346337460743176821145).
        let r10 = uniform_ranges(10);
        assert_eq!(r10[1].0, 34028236692093846346337460743176821145);
        assert_eq!(r10[9].1, u128::MAX);
        for w in r10.windows(2) {
            assert_eq!(w[0].1 + 1, w[1].0);
        }
        // MD5("a") = 0cc175b9…: its top bit is 0 → shard 0 of 2; the key
        // "abc" (90015098…) has its top bit set → shard 1.
        assert_eq!(shard_for(&r, hash_key("a")), 0);
        assert_eq!(shard_for(&r, hash_key("abc")), 1);
        assert_eq!(hash_key("a") >> 120, 0x0c);
        // One key always lands on one shard, whatever else is written.
        let s = shard_for(&r10, hash_key("user-42"));
        for _ in 0..3 {
            assert_eq!(shard_for(&r10, hash_key("user-42")), s);
        }
        // Many keys spread evenly: 100,000 keys over 4 shards within 2 %.
        let r4 = uniform_ranges(4);
        let mut n = [0u32; 4];
        for k in 0..100_000 {
            n[shard_for(&r4, hash_key(&format!("key-{k}")))] += 1;
        }
        for c in n {
            assert!((24_500..=25_500).contains(&c), "{n:?}");
        }
    }

    #[test]
    fn a_shard_takes_1000_records_or_1_mib_per_second() {
        let mut w = WriteWindow::default();
        let ok = (0..1500).filter(|_| w.try_write(0, 100)).count();
        assert_eq!(ok, 1000);
        // Next second: accepted again.
        assert!(w.try_write(S, 100));
        // 1 MiB/s: 10 records of 100 KiB, the 11th refused.
        let mut w = WriteWindow::default();
        let ok = (0..20).filter(|_| w.try_write(5 * S, 100 * 1024)).count();
        assert_eq!(ok, 10);
    }

    #[test]
    fn reads_are_5_calls_per_second_shared_and_2_mib_per_second() {
        let mut r = ReadLimiter::default();
        let ok = (0..8).filter(|_| r.try_call(0)).count();
        assert_eq!(ok, 5);
        assert!(r.try_call(S));
        // A 10 MiB call: the next 4 seconds' calls fail, the 5th succeeds.
        let mut r = ReadLimiter::default();
        assert!(r.try_call(0));
        r.took(GET_RECORDS_MAX_BYTES);
        for t in 1..=4 {
            assert!(!r.try_call(t * S), "second {t}");
        }
        assert!(r.try_call(5 * S + 1));
        // Enhanced fan-out: no call limit.
        let mut e = ReadLimiter::efo();
        assert_eq!((0..50).filter(|_| e.try_call(0)).count(), 50);
    }

    #[test]
    fn update_shard_count_limits() {
        assert!(update_shard_count_problem(4, 8, 0).is_none());
        assert!(update_shard_count_problem(4, 2, 0).is_none());
        assert!(update_shard_count_problem(4, 9, 0).is_some());
        assert!(update_shard_count_problem(5, 2, 0).is_some());
        assert!(update_shard_count_problem(5, 3, 0).is_none());
        assert!(update_shard_count_problem(6000, 12000, 0).is_some());
        assert!(update_shard_count_problem(4, 8, 9).is_none());
        assert!(update_shard_count_problem(4, 8, 10).is_some());
        assert_eq!(reshard_duration_s(8, 16), 240);
        assert_eq!(reshard_duration_s(2, 4), 60);
        assert_eq!(reshard_duration_s(1, 1), 60);
        // Doubling splits each parent in two; halving merges pairs.
        let (four, eight) = (uniform_ranges(4), uniform_ranges(8));
        let up = children_of(&four, &eight);
        assert!(up.iter().enumerate().all(|(i, p)| p == &vec![i / 2]));
        let down = children_of(&eight, &four);
        assert!(
            down.iter()
                .enumerate()
                .all(|(i, p)| p == &vec![2 * i, 2 * i + 1])
        );
    }

    #[test]
    fn on_demand_doubles_the_peak() {
        assert_eq!(on_demand_shards(0.0, 0.0), 4);
        assert_eq!(on_demand_shards(3000.0, 3e6), 6);
        assert_eq!(on_demand_shards(500.0, 4.0 * 1048576.0), 8);
    }

    #[test]
    fn prices_are_the_published_ones() {
        assert_eq!(put_payload_units(1), 1);
        assert_eq!(put_payload_units(25 * 1024), 1);
        assert_eq!(put_payload_units(25 * 1024 + 1), 2);
        // 4 shards for a month (730 h) and 1,000 1 KB records/s:
        // 2,920 shard-hours × $0.015 = $43.80; 2,628 M units × $0.014/M = $36.79.
        let c = provisioned_cost(4.0 * 730.0, 1000 * 3600 * 730);
        assert!((c - (43.80 + 36.792)).abs() < 1e-6, "{c}");
        assert!((on_demand_cost(1.0, 1 << 30, 1 << 30) - 0.16).abs() < 1e-12);
    }

    #[test]
    fn esm_parameter_ranges() {
        assert!(esm_problems(100, 0.0, 1, None, None).is_empty());
        assert!(esm_problems(10_000, 300.0, 10, Some(10_000), Some(604_800.0)).is_empty());
        assert_eq!(
            esm_problems(10_001, 301.0, 11, Some(10_001), Some(59.0)).len(),
            5
        );
        assert_eq!(lane_of(7, 1), 0);
        assert_eq!(lane_of(7, 3), 1);
    }
}
