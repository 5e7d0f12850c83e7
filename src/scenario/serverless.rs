//! The serverless sections of a scenario: `account`, `functions`, `apis`
//! (and the `lambda_invoke` app step). Names follow
//! `shared/spec/scenario-format.md` ("functions, apis, topics, streams");
//! the rest uses AWS's parameter names in snake case and AWS's defaults
//! (`docs/src/background/serverless.md` cites each).

use super::dist::{CountDist, DurationDist};
use super::units::{Duration, Size};
use schemars::JsonSchema;
use serde::Deserialize;
use std::collections::BTreeMap;

fn d1000() -> u32 {
    crate::aws::lambda::DEFAULT_ACCOUNT_CONCURRENCY
}
fn mb128() -> Size {
    Size(crate::aws::lambda::DEFAULT_MEMORY_MB * 1024 * 1024)
}
fn d3s() -> Duration {
    Duration::secs(crate::aws::lambda::DEFAULT_TIMEOUT_S)
}
fn d6h() -> Duration {
    Duration::secs(crate::aws::lambda::DEFAULT_MAX_EVENT_AGE_S)
}
fn two() -> u32 {
    crate::aws::lambda::DEFAULT_MAX_RETRY_ATTEMPTS
}
fn d29s() -> Duration {
    Duration::secs(crate::aws::apigateway::DEFAULT_INTEGRATION_TIMEOUT_S)
}
fn d300s() -> Duration {
    Duration::secs(crate::aws::apigateway::DEFAULT_CACHE_TTL_S)
}
fn account_throttle() -> ApiThrottle {
    ApiThrottle {
        rate: crate::aws::apigateway::ACCOUNT_RATE,
        burst: crate::aws::apigateway::ACCOUNT_BURST,
    }
}

/// Account-wide quotas (one account, one Region).
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Account {
    /// Lambda concurrent executions shared by the account's functions (default 1000).
    /// AWS default: `1000` per Region, a quota (LAMBDA:lambda-concurrency).
    #[serde(default = "d1000")]
    pub lambda_concurrency: u32,
    /// API Gateway's account-level throttle per Region (default rate 10000, burst 5000).
    /// AWS default: `{ rate: 10000, burst: 5000 }` per account and Region, a quota (APIGW:limits).
    #[serde(default = "account_throttle")]
    #[schemars(example = serde_json::json!({"rate": 10000, "burst": 5000}))]
    pub api_throttle: ApiThrottle,
}

impl Default for Account {
    fn default() -> Self {
        Account {
            lambda_concurrency: d1000(),
            api_throttle: account_throttle(),
        }
    }
}

/// Where a function's failed asynchronous events go.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Destination {
    /// An SQS queue by name.
    pub queue: String,
}

/// Asynchronous invocation settings (Lambda's `EventInvokeConfig`).
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EventInvokeConfig {
    /// Retries after a function error, 0–2 (default 2).
    /// AWS default: `2` (LAMBDA:invocation-async-error-handling).
    #[serde(default = "two")]
    #[schemars(example = 0)]
    pub maximum_retry_attempts: u32,
    /// How long an event may wait in the async queue, 60s–6h (default 6h).
    /// AWS default: `6h` (LAMBDA:invocation-async-error-handling).
    #[serde(default = "d6h")]
    pub maximum_event_age: Duration,
    /// The on-failure destination (a queue); without it failed events are discarded.
    /// AWS default: none (LAMBDA:invocation-async-retain-records).
    #[serde(default)]
    pub on_failure: Option<Destination>,
}

impl Default for EventInvokeConfig {
    fn default() -> Self {
        EventInvokeConfig {
            maximum_retry_attempts: two(),
            maximum_event_age: d6h(),
            on_failure: None,
        }
    }
}

/// A Lambda function.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Function {
    /// Name.
    pub name: String,
    /// Memory (128MB–10240MB, default 128MB); the GB-second price follows it.
    /// AWS default: `128MB` (LAMBDA:configuration-memory).
    #[serde(default = "mb128")]
    pub memory: Size,
    /// Handler time per invocation.
    pub duration: DurationDist,
    /// Init (cold start) of a new execution environment (default lognormal,
    /// mean 250ms, cv 0.5: AWS says cold starts take "from under 100 ms to
    /// over 1 second").
    #[serde(default)]
    pub init_duration: Option<DurationDist>,
    /// Caps this function and reserves it from the account pool.
    /// AWS default: none: the function shares the unreserved pool (LAMBDA:configuration-concurrency).
    #[serde(default)]
    pub reserved_concurrency: Option<u32>,
    /// Pre-initialised environments, billed while configured (default 0).
    /// AWS default: `0` (LAMBDA:provisioned-concurrency).
    #[serde(default)]
    pub provisioned_concurrency: u32,
    /// Application Auto Scaling of the provisioned concurrency: target
    /// tracking on its utilisation (it starts at `min`, or at
    /// `provisioned_concurrency` if larger).
    /// AWS default: none, provisioned concurrency fixed (LAMBDA:provisioned-concurrency).
    #[serde(default)]
    #[schemars(example = serde_json::json!({"min": 10, "max": 200, "target": 0.7}))]
    pub provisioned_concurrency_auto_scaling: Option<ProvisionedScaling>,
    /// Timeout (default 3s, at most 900s): the invocation fails and its
    /// environment is reset.
    /// AWS default: `3s` (LAMBDA:configuration-timeout).
    #[serde(default = "d3s")]
    pub timeout: Duration,
    /// Share of invocations whose handler throws (a function error), 0–1.
    #[serde(default)]
    pub error_rate: f64,
    /// How long an idle environment is kept (AWS does not document it; default 10m).
    #[serde(default)]
    pub idle_expiry: Option<Duration>,
    /// Asynchronous invocations: retries, maximum event age, on-failure destination.
    #[serde(default)]
    pub event_invoke_config: EventInvokeConfig,
    /// An SQS queue Lambda polls for this function (an event source mapping).
    #[serde(default)]
    pub event_source: Option<SqsEventSource>,
}

fn pc_target() -> f64 {
    crate::aws::lambda::PC_RECOMMENDED_TARGET
}
fn pc_allocation() -> Duration {
    Duration::secs(crate::aws::lambda::DEFAULT_PC_ALLOCATION_S)
}

/// A provisioned concurrency scalable target and its target tracking
/// policy (`LambdaProvisionedConcurrencyUtilization`).
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProvisionedScaling {
    /// Smallest provisioned concurrency (MinCapacity), at least 1.
    #[schemars(example = 10)]
    pub min: u32,
    /// Largest provisioned concurrency (MaxCapacity).
    #[schemars(example = 200)]
    pub max: u32,
    /// Target utilisation, 0–1 (default 0.7, AWS's recommendation).
    /// AWS default: `0.7` recommended (LAMBDA:provisioned-concurrency).
    #[serde(default = "pc_target")]
    #[schemars(example = 0.7)]
    pub target: f64,
    /// How long new provisioned concurrency takes to be ready (AWS does not
    /// document it; default 60s).
    #[serde(default = "pc_allocation")]
    #[schemars(example = &"2m")]
    pub allocation_time: Duration,
}

impl Function {
    /// Provisioned concurrency at the start: `provisioned_concurrency`, at
    /// least the auto scaling minimum.
    pub fn initial_provisioned(&self) -> u32 {
        match &self.provisioned_concurrency_auto_scaling {
            Some(a) => self.provisioned_concurrency.clamp(a.min, a.max.max(a.min)),
            None => self.provisioned_concurrency,
        }
    }
}

fn ten() -> u32 {
    crate::aws::lambda::ESM_BATCH_SIZE
}

/// An SQS event source mapping.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SqsEventSource {
    /// The queue.
    pub queue: String,
    /// Messages per invocation, 1–10 (default 10); up to 10000 on a
    /// standard queue with a batching window of at least 1s.
    /// AWS default: `10` (LAMBDA:with-sqs).
    #[serde(default = "ten")]
    pub batch_size: u32,
    /// How long a poller gathers messages before invoking, 0s–300s
    /// (default 0s: each receive of up to 10 messages is a batch).
    #[serde(default)]
    #[schemars(example = &"2s")]
    pub maximum_batching_window: Duration,
    /// Caps the concurrent invocations of this mapping, 2–1000 (default: none).
    /// AWS default: none (LAMBDA:with-sqs, maximum concurrency).
    #[serde(default)]
    #[schemars(example = 50)]
    pub maximum_concurrency: Option<u32>,
    /// The function reports which messages failed (`ReportBatchItemFailures`):
    /// the others are deleted. Without it one failure returns the whole batch.
    /// AWS default: `false` (LAMBDA:with-sqs, batch item failures).
    #[serde(default)]
    pub report_batch_item_failures: bool,
}

/// How a function is invoked.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Invocation {
    /// RequestResponse: the caller waits; a throttle is a 429 to it.
    #[default]
    Sync,
    /// Event: Lambda queues the event (202) and retries it.
    Async,
}

/// A `lambda_invoke` app step.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LambdaInvokeStep {
    /// Function name.
    #[schemars(example = &"resize")]
    pub function: String,
    /// sync (default) | async.
    /// AWS default: `sync`, RequestResponse (API-LAMBDA:Invoke.InvocationType).
    #[serde(default)]
    #[schemars(example = &"async")]
    pub invocation: Invocation,
}

/// One subscription of a topic: exactly one endpoint.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Subscriber {
    /// An SQS queue.
    #[serde(default)]
    pub queue: Option<String>,
    /// A Lambda function (invoked asynchronously).
    #[serde(default)]
    pub function: Option<String>,
    /// An HTTP/S endpoint behind a load balancer: each delivery is a
    /// request through it; a 2xx is delivered, a 5xx or timeout is retried
    /// per `delivery_policy`.
    #[serde(default)]
    #[schemars(example = &"web")]
    pub load_balancer: Option<String>,
    /// Attribute name → accepted values (AND across names, OR within).
    #[serde(default)]
    pub filter_policy: BTreeMap<String, Vec<String>>,
    /// The subscription's dead-letter queue (its RedrivePolicy): an SQS
    /// queue that gets each notification SNS gives up on; without it they
    /// are discarded.
    /// AWS default: none (SNS:sns-dead-letter-queues).
    #[serde(default)]
    #[schemars(example = &"orders-dlq")]
    pub dead_letter_queue: Option<String>,
    /// HTTP/S subscriptions only: the retry policy (`healthyRetryPolicy`).
    /// AWS default: 3 retries 20s apart (SNS:SendMessageToHttp.retry).
    #[serde(default)]
    #[schemars(example = serde_json::json!({"num_retries": 10, "min_delay_target": "5s", "max_delay_target": "60s", "backoff_function": "exponential"}))]
    pub delivery_policy: Option<DeliveryPolicy>,
}

fn three() -> u32 {
    crate::aws::sns::HttpDeliveryPolicy::DEFAULT.num_retries
}
fn d20s() -> Duration {
    Duration::secs(crate::aws::sns::HttpDeliveryPolicy::DEFAULT.min_delay_target_s as u64)
}

/// The backoff phase's curve.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum BackoffFunction {
    /// Equal steps from min to max delay.
    #[default]
    Linear,
    /// A constant factor from min to max delay.
    Exponential,
}

/// An HTTP/S delivery policy (SNS's `healthyRetryPolicy`, snake case).
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DeliveryPolicy {
    /// Retries after the first attempt, all phases, 0–100 (default 3).
    /// AWS default: `3` (SNS:sns-message-delivery-retries).
    #[serde(default = "three")]
    #[schemars(example = 10)]
    pub num_retries: u32,
    /// Immediate retries (default 0).
    /// AWS default: `0` (SNS:sns-message-delivery-retries).
    #[serde(default)]
    #[schemars(example = 1)]
    pub num_no_delay_retries: u32,
    /// Pre-backoff retries, `min_delay_target` apart (default 0).
    /// AWS default: `0` (SNS:sns-message-delivery-retries).
    #[serde(default)]
    #[schemars(example = 2)]
    pub num_min_delay_retries: u32,
    /// Post-backoff retries, `max_delay_target` apart (default 0).
    /// AWS default: `0` (SNS:sns-message-delivery-retries).
    #[serde(default)]
    #[schemars(example = 2)]
    pub num_max_delay_retries: u32,
    /// Shortest delay, whole seconds, at least 1s (default 20s).
    /// AWS default: `20s` (SNS:sns-message-delivery-retries).
    #[serde(default = "d20s")]
    #[schemars(example = &"5s")]
    pub min_delay_target: Duration,
    /// Longest delay, whole seconds, at most 3600s (default 20s).
    /// AWS default: `20s` (SNS:sns-message-delivery-retries).
    #[serde(default = "d20s")]
    #[schemars(example = &"60s")]
    pub max_delay_target: Duration,
    /// linear (default) | exponential.
    /// AWS default: `linear` (SNS:sns-message-delivery-retries).
    #[serde(default)]
    #[schemars(example = &"exponential")]
    pub backoff_function: BackoffFunction,
}

impl DeliveryPolicy {
    /// The rules' form (delays rounded down to whole seconds).
    pub fn rules(&self) -> crate::aws::sns::HttpDeliveryPolicy {
        use crate::aws::sns::{Backoff, HttpDeliveryPolicy};
        HttpDeliveryPolicy {
            num_retries: self.num_retries,
            num_no_delay_retries: self.num_no_delay_retries,
            num_min_delay_retries: self.num_min_delay_retries,
            num_max_delay_retries: self.num_max_delay_retries,
            min_delay_target_s: self.min_delay_target.as_secs_f64().min(u32::MAX as f64) as u32,
            max_delay_target_s: self.max_delay_target.as_secs_f64().min(u32::MAX as f64) as u32,
            backoff: match self.backoff_function {
                BackoffFunction::Linear => Backoff::Linear,
                BackoffFunction::Exponential => Backoff::Exponential,
            },
        }
    }
}

/// An SNS topic.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Topic {
    /// Name.
    pub name: String,
    /// Subscriptions.
    #[serde(default)]
    pub subscribers: Vec<Subscriber>,
    /// Each published message's attributes: name → {value: share}.
    #[serde(default)]
    pub message_attributes: BTreeMap<String, BTreeMap<String, f64>>,
    /// Size of a published message (default 1KB).
    #[serde(default)]
    #[schemars(example = &"2KB")]
    pub message_size: Option<Size>,
}

/// An `sns_publish` app step.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SnsPublishStep {
    /// Topic name.
    #[schemars(example = &"orders")]
    pub topic: String,
}

/// A token-bucket throttle: steady rate (requests/s) and burst (bucket size).
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ApiThrottle {
    /// Steady-state requests per second.
    pub rate: f64,
    /// Bucket size (requests).
    pub burst: u32,
}

/// What an API integrates with: exactly one.
#[derive(Clone, Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ApiTarget {
    /// A Lambda function (proxy integration).
    pub function: Option<String>,
    /// A load balancer (HTTP integration).
    #[schemars(example = &"web")]
    pub load_balancer: Option<String>,
}

/// REST or HTTP API (prices and caching differ).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ApiType {
    /// REST API (caching available).
    #[default]
    Rest,
    /// HTTP API.
    Http,
}

/// A stage's response cache (REST APIs).
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ApiCache {
    /// Time to live (default 300s, at most 3600s).
    /// AWS default: `300s` (APIGW:api-gateway-caching).
    #[serde(default = "d300s")]
    pub ttl: Duration,
    /// Cache key of each request (its popularity), like `{dist: zipf, n: 10000, s: 1.1}`.
    pub keys: CountDist,
    /// Cache capacity, one of 0.5, 1.6, 6.1, 13.5, 28.4, 58.2, 118, 237 GB (default 0.5).
    /// AWS default: `0.5` in the console (APIGW:api-gateway-caching).
    #[serde(default)]
    #[schemars(example = 1.6)]
    pub size_gb: Option<f64>,
    /// Size of one cached response (default 1KB): capacity / size = entries kept.
    #[serde(default)]
    #[schemars(example = &"4KB")]
    pub response_size: Option<Size>,
}

/// A usage plan quota's period.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum QuotaPeriod {
    /// A day.
    Day,
    /// A week.
    Week,
    /// A month (30 days here).
    Month,
}

impl QuotaPeriod {
    /// AWS's name (DAY, WEEK, MONTH).
    pub fn name(self) -> &'static str {
        match self {
            QuotaPeriod::Day => "DAY",
            QuotaPeriod::Week => "WEEK",
            QuotaPeriod::Month => "MONTH",
        }
    }
}

/// A usage plan's quota per API key.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UsageQuota {
    /// Requests per period.
    #[schemars(example = 100000)]
    pub limit: u64,
    /// DAY | WEEK | MONTH.
    #[schemars(example = &"DAY")]
    pub period: QuotaPeriod,
}

/// A usage plan: the throttle and quota of each of its API keys.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UsagePlan {
    /// Name.
    #[schemars(example = &"partners")]
    pub name: String,
    /// Each key's token bucket (default: none).
    #[serde(default)]
    #[schemars(example = serde_json::json!({"rate": 100, "burst": 200}))]
    pub throttle: Option<ApiThrottle>,
    /// Each key's quota (default: none).
    #[serde(default)]
    #[schemars(example = serde_json::json!({"limit": 100000, "period": "DAY"}))]
    pub quota: Option<UsageQuota>,
    /// API keys (clients) on the plan, sending equal shares (default 1).
    #[serde(default = "one_key")]
    #[schemars(example = 20)]
    pub api_keys: u32,
    /// Share of the API's requests sent with this plan's keys, 0–1 (the
    /// rest carry no key).
    #[schemars(example = 0.3)]
    pub share: f64,
}

fn one_key() -> u32 {
    1
}

/// An API Gateway API (one stage).
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Api {
    /// Name.
    pub name: String,
    /// rest (default) | http.
    #[serde(rename = "type", default)]
    #[schemars(example = &"http")]
    pub kind: ApiType,
    /// The integration.
    pub to: ApiTarget,
    /// Stage throttle (default: none beyond the account's).
    /// AWS default: none: the account's level applies (APIGW:api-gateway-request-throttling).
    #[serde(default)]
    pub throttle: Option<ApiThrottle>,
    /// Response cache (REST only; default none).
    /// AWS default: none, caching off (APIGW:api-gateway-caching).
    #[serde(default)]
    pub cache: Option<ApiCache>,
    /// Integration timeout (default 29s): then 504.
    /// AWS default: `29s` (APIGW:limits).
    #[serde(default = "d29s")]
    #[schemars(example = &"10s")]
    pub integration_timeout: Duration,
    /// Usage plans: API keys with their own throttle and quota.
    #[serde(default)]
    #[schemars(example = serde_json::json!([{"name": "partners", "throttle": {"rate": 100, "burst": 200}, "api_keys": 20, "share": 0.3}]))]
    pub usage_plans: Vec<UsagePlan>,
}
