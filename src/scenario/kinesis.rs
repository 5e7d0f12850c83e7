//! The `streams` section of a scenario (Kinesis Data Streams) and the
//! `kinesis_put` app step. Names follow `shared/spec/scenario-format.md`
//! ("functions, apis, topics, streams": `streams[].name`, `shards`,
//! `consumers[].function`); the rest uses AWS's parameter names in snake
//! case and AWS's defaults (`docs/src/background/streams.md` cites each).

use super::dist::CountDist;
use super::units::{Duration, Size};
use schemars::JsonSchema;
use serde::Deserialize;

fn d24h() -> Duration {
    Duration::secs(crate::aws::kinesis::DEFAULT_RETENTION_H * 3600)
}
fn hundred() -> u32 {
    crate::aws::kinesis::ESM_BATCH_SIZE
}
fn one() -> u32 {
    1
}
fn three() -> u32 {
    3
}

/// How a stream's capacity is managed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CapacityMode {
    /// A fixed number of shards, changed by UpdateShardCount.
    #[default]
    Provisioned,
    /// Kinesis adds shards to keep double the previous peak write rate.
    OnDemand,
}

/// A Lambda function reading the stream (an event source mapping).
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StreamConsumer {
    /// The function.
    pub function: String,
    /// Records per invocation, 1–10000 (default 100).
    #[serde(default = "hundred")]
    pub batch_size: u32,
    /// How long to gather records before invoking, 0s–300s (default 0s).
    #[serde(default)]
    #[schemars(example = &"5s")]
    pub maximum_batching_window: Duration,
    /// Concurrent batches per shard, 1–10 (default 1); records of one
    /// partition key stay in one of them, in order.
    #[serde(default = "one")]
    #[schemars(example = 2)]
    pub parallelization_factor: u32,
    /// On a function error, split the batch in two before retrying (default false).
    #[serde(default)]
    #[schemars(example = true)]
    pub bisect_batch_on_function_error: bool,
    /// Retries of a failed batch, 0–10000 (default: infinite, AWS's -1).
    #[serde(default)]
    #[schemars(example = 3)]
    pub maximum_retry_attempts: Option<u32>,
    /// Records older than this are discarded unprocessed, 60s–604800s
    /// (default: infinite, AWS's -1; the stream's retention still applies).
    #[serde(default)]
    #[schemars(example = &"1h")]
    pub maximum_record_age: Option<Duration>,
    /// A dedicated-throughput consumer (enhanced fan-out): 2 MiB/s per
    /// shard of its own instead of sharing the shard's 5 GetRecords/s
    /// (default false).
    #[serde(default)]
    #[schemars(example = true)]
    pub enhanced_fan_out: bool,
    /// Share of records the function fails on every time (a poison record), 0–1.
    #[serde(default)]
    #[schemars(example = 0.001)]
    pub poison_rate: f64,
    /// Where discarded batches are described (an SQS queue; default none).
    #[serde(default)]
    #[schemars(example = serde_json::json!({"queue": "clicks-failed"}))]
    pub on_failure: Option<super::serverless::Destination>,
}

/// A scheduled UpdateShardCount call (UNIFORM_SCALING).
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ShardCountUpdate {
    /// When the call is made.
    pub at: Duration,
    /// The new number of shards (at most double, at least half the current).
    pub target_shard_count: u32,
}

/// How producers retry a throttled PutRecord (the SDK's standard retry mode).
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StreamProducer {
    /// Attempts per record, counting the first (default 3, the SDK's standard mode).
    #[serde(default = "three")]
    #[schemars(example = 5)]
    pub max_attempts: u32,
}

impl Default for StreamProducer {
    fn default() -> Self {
        StreamProducer {
            max_attempts: three(),
        }
    }
}

/// A Kinesis data stream.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Stream {
    /// Name.
    pub name: String,
    /// provisioned (default) | on_demand.
    #[serde(default)]
    #[schemars(example = &"on_demand")]
    pub capacity_mode: CapacityMode,
    /// Open shards at the start (provisioned; default 1). On-demand streams
    /// start with 4.
    #[serde(default)]
    pub shards: Option<u32>,
    /// Partition key of each record, as a key number (`key-<n>` is hashed
    /// with MD5), like `{dist: zipf, n: 1000, s: 1.2}` (default uniform
    /// over 1,000,000 keys).
    #[serde(default)]
    pub partition_keys: Option<CountDist>,
    /// Size of a record: data plus partition key (default 1KB, at most 1MB).
    #[serde(default)]
    pub record_size: Option<Size>,
    /// How long records stay readable (default 24h, at most 8760h).
    #[serde(default = "d24h")]
    #[schemars(example = &"48h")]
    pub retention: Duration,
    /// Producer retries of throttled records.
    #[serde(default)]
    #[schemars(example = serde_json::json!({"max_attempts": 5}))]
    pub producer: StreamProducer,
    /// Lambda functions reading the stream.
    #[serde(default)]
    pub consumers: Vec<StreamConsumer>,
    /// UpdateShardCount calls during the run (provisioned streams).
    #[serde(default)]
    pub update_shard_count: Vec<ShardCountUpdate>,
}

/// A `kinesis_put` app step: one PutRecord (the worker waits for it and its
/// retries).
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct KinesisPutStep {
    /// Stream name.
    #[schemars(example = &"clicks")]
    pub stream: String,
}
