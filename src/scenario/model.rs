//! The typed scenario: what a scenario file says, with the defaults filled in.
//!
//! Field names follow `shared/spec/scenario-format.md` (binding). Defaults are
//! AWS's API defaults unless a comment says why the simulator differs.

use super::dist::{CountDist, DurationDist, Rate};
use super::units::{Duration, Size};
use schemars::JsonSchema;
use serde::Deserialize;
use std::collections::BTreeMap;

fn one() -> u64 {
    1
}
fn minute() -> Duration {
    Duration::secs(60)
}

/// A whole scenario file.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Scenario name; output goes to `output/<name>/`.
    pub name: String,
    /// Shown in reports.
    #[serde(default)]
    pub description: Option<String>,
    /// Seed of every random stream (default 1).
    #[serde(default = "one")]
    pub seed: u64,
    /// The AWS Region (default us-east-1); availability zones are named
    /// after it (`us-east-1a`).
    #[serde(default = "default_region")]
    #[schemars(example = &"eu-west-1")]
    pub region: String,
    /// Simulated time.
    pub duration: Duration,
    /// Period of the output time series (default 1m).
    #[serde(default = "minute")]
    pub metrics_period: Duration,
    /// Wall-clock origin for activity text, RFC 3339 UTC (default 2026-01-05T09:00:00Z).
    #[serde(default)]
    pub start_time: Option<String>,
    /// CloudWatch model settings.
    #[serde(default)]
    #[schemars(example = serde_json::json!({"publication_delay": "1m"}))]
    pub cloudwatch: CloudWatchConfig,
    /// Traffic sources.
    #[serde(default)]
    pub workloads: Vec<Workload>,
    /// Load balancers.
    #[serde(default)]
    pub load_balancers: Vec<LoadBalancer>,
    /// Auto Scaling groups.
    #[serde(default)]
    pub auto_scaling_groups: Vec<AutoScalingGroup>,
    /// SQS queues.
    #[serde(default)]
    pub queues: Vec<Queue>,
    /// DynamoDB tables.
    #[serde(default)]
    pub tables: Vec<Table>,
    /// Injected faults.
    #[serde(default)]
    pub faults: Vec<Fault>,
    /// Named variants to compare.
    #[serde(default)]
    pub variants: Vec<Variant>,
    /// Account-wide quotas (Lambda concurrency, API Gateway throttle).
    #[serde(default)]
    pub account: super::serverless::Account,
    /// Lambda functions.
    #[serde(default)]
    pub functions: Vec<super::serverless::Function>,
    /// API Gateway APIs.
    #[serde(default)]
    pub apis: Vec<super::serverless::Api>,
    /// SNS topics.
    #[serde(default)]
    pub topics: Vec<super::serverless::Topic>,
    /// Kinesis data streams.
    #[serde(default)]
    pub streams: Vec<super::kinesis::Stream>,
    /// Timed API calls a user or a pipeline makes during the run
    /// (`docs/src/background/recorded-fidelity.md`).
    #[serde(default)]
    #[schemars(example = serde_json::json!([{"at": "10m", "action": "set_desired_capacity", "auto_scaling_group": "web", "desired": 4}]))]
    pub actions: Vec<crate::scenario::fidelity::UserAction>,
    /// How report.html presents the run: the lesson and its charts first.
    #[serde(default)]
    pub report: ReportConfig,
}

/// CloudWatch model settings.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CloudWatchConfig {
    /// How long after a period ends its datapoint reaches alarms (AWS does not document it; default 1m).
    #[serde(default = "minute")]
    #[schemars(example = &"2m")]
    pub publication_delay: Duration,
    /// Target tracking AlarmLow threshold as a share of the target, by
    /// metric kind, where a policy does not set `scale_in_threshold`.
    #[serde(default)]
    #[schemars(example = serde_json::json!({"predefined": 0.9, "custom": 0.7}))]
    pub target_tracking_scale_in: TargetTrackingScaleIn,
}

/// Target tracking AlarmLow ratios by metric kind (`docs/src/background/recorded-fidelity.md`).
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TargetTrackingScaleIn {
    /// Predefined metrics (ASGAverageCPUUtilization, ALBRequestCountPerTarget,
    /// ASGAverageNetworkIn/Out): recorded 0.9 (EC2 and ECS CPU, grade A).
    #[serde(default = "crate::scenario::fidelity::tt_predefined")]
    #[schemars(example = 0.9)]
    pub predefined: f64,
    /// Custom metrics (e.g. a backlog per instance): recorded 0.7 (one ASG
    /// custom metric, grade B).
    #[serde(default = "crate::scenario::fidelity::tt_custom")]
    #[schemars(example = 0.7)]
    pub custom: f64,
}

impl Default for TargetTrackingScaleIn {
    fn default() -> Self {
        TargetTrackingScaleIn {
            predefined: crate::scenario::fidelity::tt_predefined(),
            custom: crate::scenario::fidelity::tt_custom(),
        }
    }
}

impl Default for CloudWatchConfig {
    fn default() -> Self {
        CloudWatchConfig {
            publication_delay: minute(),
            target_tracking_scale_in: TargetTrackingScaleIn::default(),
        }
    }
}

/// How `report.html` presents a run (`report: { lesson: …, charts: [...] }`).
#[derive(Clone, Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportConfig {
    /// The lesson in a sentence or two, shown at the top of the report
    /// (default: the description).
    #[serde(default)]
    pub lesson: Option<String>,
    /// Names of the charts that tell the lesson (as under `charts/`, e.g.
    /// `capacity`, `targets`, `queue-jobs`, `receives-jobs`, `table-orders`,
    /// `alarms`), shown first on the dashboard.
    #[serde(default)]
    pub charts: Vec<String>,
}

/// A named variant: the base scenario with some paths replaced.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Variant {
    /// Variant name.
    pub name: String,
    /// Optional text for reports.
    #[serde(default)]
    pub description: Option<String>,
    /// Path → replacement value.
    #[serde(default)]
    pub set: BTreeMap<String, serde_json::Value>,
}

// ---------------------------------------------------------------- workloads

/// Where a workload sends its requests: exactly one of the three.
#[derive(Clone, Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WorkloadTarget {
    /// A load balancer by name.
    pub load_balancer: Option<String>,
    /// A queue by name.
    pub queue: Option<String>,
    /// A table by name.
    pub table: Option<String>,
    /// A Lambda function by name.
    #[serde(default)]
    pub function: Option<String>,
    /// With `function`: sync (default) | async.
    /// AWS default: `sync`, RequestResponse (API-LAMBDA:Invoke.InvocationType).
    #[serde(default)]
    #[schemars(example = &"async")]
    pub invocation: super::serverless::Invocation,
    /// An API Gateway API by name.
    #[serde(default)]
    pub api: Option<String>,
    /// An SNS topic by name.
    #[serde(default)]
    pub topic: Option<String>,
    /// A Kinesis stream by name: each request is one PutRecord.
    #[serde(default)]
    pub stream: Option<String>,
}

/// How arrivals are spaced.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Arrivals {
    /// Poisson process (exponential gaps).
    #[default]
    Poisson,
    /// Evenly spaced, deterministic.
    Uniform,
}

/// Client sessions: each sends `requests` one after another with `think_time` between.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Sessions {
    /// Requests per session (at least one is sent).
    pub requests: CountDist,
    /// Wait after each response.
    pub think_time: DurationDist,
}

/// What a client retries on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RetryOn {
    /// Any 5xx from the load balancer or target.
    #[serde(rename = "5xx")]
    ServerError,
    /// A client-side timeout.
    Timeout,
}

/// Client retries.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ClientRetries {
    /// Which outcomes are retried.
    #[schemars(example = serde_json::json!(["5xx", "timeout"]))]
    pub on: Vec<RetryOn>,
    /// Total attempts including the first (default 1).
    #[serde(default = "one_u32")]
    #[schemars(example = 3)]
    pub max_attempts: u32,
    /// Wait before a retry.
    #[serde(default = "zero_dist")]
    #[schemars(example = serde_json::json!({"dist": "exponential", "mean": "200ms"}))]
    pub backoff: DurationDist,
}

fn one_u32() -> u32 {
    1
}
fn zero_dist() -> DurationDist {
    DurationDist::Constant(Duration(0))
}

/// Table operations.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TableOp {
    /// GetItem
    Get,
    /// PutItem
    Put,
    /// Query
    Query,
    /// UpdateItem
    Update,
    /// DeleteItem
    Delete,
    /// Scan
    Scan,
    /// TransactGetItems (one item)
    TransactGet,
    /// TransactWriteItems (one item)
    TransactWrite,
}

/// Read consistency.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Consistency {
    /// Eventually consistent (half the RCU); the DynamoDB default.
    #[default]
    Eventual,
    /// Strongly consistent.
    Strong,
}

/// A table operation as sent by a workload.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TableOperation {
    /// The operation.
    pub op: TableOp,
    /// Item size.
    pub item_size: Size,
    /// Read consistency.
    #[serde(default)]
    #[schemars(example = &"strong")]
    pub consistency: Consistency,
    /// Key popularity (default uniform over the table's item_count).
    #[serde(default)]
    pub keys: Option<CountDist>,
    /// Query/scan: items returned per call.
    #[serde(default)]
    #[schemars(example = serde_json::json!({"dist": "geometric", "mean": 20}))]
    pub items: Option<u64>,
}

/// A traffic source.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Workload {
    /// Workload name.
    pub name: String,
    /// Where requests go.
    pub to: WorkloadTarget,
    /// Arrival process.
    #[serde(default)]
    pub arrivals: Arrivals,
    /// Requests (or, with sessions, new sessions) per second.
    pub rate: Rate,
    /// Optional client sessions (cookies for stickiness).
    #[serde(default)]
    pub sessions: Option<Sessions>,
    /// Client gives up after this (default: never; the LB's idle timeout answers 504 first).
    #[serde(default)]
    pub timeout: Option<Duration>,
    /// Client retries (default: none).
    #[serde(default)]
    #[schemars(example = serde_json::json!({"on": ["5xx"], "max_attempts": 3, "backoff": "100ms"}))]
    pub retries: Option<ClientRetries>,
    /// Table workloads: the operation.
    #[serde(default)]
    pub operation: Option<TableOperation>,
    /// Queue workloads: message size (default 1KB).
    #[serde(default)]
    pub message_size: Option<Size>,
    /// FIFO queue workloads: message group of each message.
    #[serde(default)]
    pub message_group: Option<CountDist>,
    /// FIFO queue workloads: share of messages sent twice (deduplication).
    #[serde(default)]
    pub duplicate_sends: f64,
    /// A closed loop instead of open arrivals: this many virtual users,
    /// each sending a request, waiting for its answer, thinking, and
    /// sending the next (as JMeter, Gatling, k6 and Locust do); `rate` is
    /// then ignored (`docs/src/background/recorded-fidelity.md`).
    #[serde(default)]
    #[schemars(example = serde_json::json!({"count": 200, "think_time": "5s"}))]
    pub users: Option<crate::scenario::fidelity::VirtualUsers>,
}

// ------------------------------------------------------------ load balancers

/// Load balancer type.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum LbType {
    /// Application Load Balancer.
    #[default]
    Application,
    /// Network Load Balancer.
    Network,
}

/// ALB routing algorithm.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Routing {
    /// Round robin (the ALB default).
    #[default]
    RoundRobin,
    /// Least outstanding requests.
    LeastOutstandingRequests,
    /// Weighted random.
    WeightedRandom,
}

/// Stickiness type.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum StickinessType {
    /// No stickiness.
    #[default]
    None,
    /// Load-balancer generated cookie (AWSALB).
    LbCookie,
    /// Application cookie.
    AppCookie,
}

/// Stickiness settings.
#[derive(Clone, Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Stickiness {
    /// Type.
    #[serde(rename = "type", default)]
    pub kind: StickinessType,
    /// Cookie duration (default 1d, the AWS default).
    /// AWS default: `1d` (ALB:sticky-sessions).
    #[serde(default)]
    pub duration: Option<Duration>,
    /// Application cookie name.
    #[serde(default)]
    #[schemars(example = &"SESSIONID")]
    pub cookie_name: Option<String>,
}

fn d300s() -> Duration {
    Duration::secs(300)
}
fn d60s() -> Duration {
    Duration::secs(60)
}
fn d30s() -> Duration {
    Duration::secs(30)
}

/// Target health check.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LbHealthCheck {
    /// Interval (ALB default 30s).
    /// AWS default: `30s` for an ALB target group (ALB:target-group-health-checks).
    #[serde(default = "d30s")]
    pub interval: Duration,
    /// Timeout (ALB default 5s).
    /// AWS default: `5s` for an ALB target group with instance targets (ALB:target-group-health-checks).
    #[serde(default = "d5s")]
    pub timeout: Duration,
    /// Consecutive successes to become healthy (ALB default 5).
    /// AWS default: `5` for an ALB target group (ALB:target-group-health-checks).
    #[serde(default = "five")]
    pub healthy_threshold: u32,
    /// Consecutive failures to become unhealthy (ALB default 2).
    /// AWS default: `2` for an ALB target group (ALB:target-group-health-checks).
    #[serde(default = "two")]
    pub unhealthy_threshold: u32,
    /// Worker time one health check costs on the instance (default 1ms).
    #[serde(default = "d1ms")]
    #[schemars(example = &"2ms")]
    pub cost: Duration,
}

fn d5s() -> Duration {
    Duration::secs(5)
}
fn d1ms() -> Duration {
    Duration::millis(1)
}
fn five() -> u32 {
    5
}
fn two() -> u32 {
    2
}

impl Default for LbHealthCheck {
    fn default() -> Self {
        LbHealthCheck {
            interval: d30s(),
            timeout: d5s(),
            healthy_threshold: 5,
            unhealthy_threshold: 2,
            cost: d1ms(),
        }
    }
}

/// NLB DNS failover setting.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DnsFailover {
    /// Minimum healthy targets (per zone with cross-zone off, else overall).
    #[serde(default)]
    #[schemars(example = 2)]
    pub minimum_healthy_targets: Option<u32>,
    /// Minimum healthy percentage (per zone with cross-zone off, else overall).
    #[serde(default)]
    #[schemars(example = 50)]
    pub minimum_healthy_percentage: Option<f64>,
}

/// Target group health settings.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TargetGroupHealth {
    /// DNS failover: below the threshold a zone leaves DNS.
    #[serde(default)]
    #[schemars(example = serde_json::json!({"minimum_healthy_targets": 1}))]
    pub dns_failover: Option<DnsFailover>,
    /// Routing failover: below the threshold a node routes to all of its
    /// targets, healthy or not (same fields as `dns_failover`).
    #[serde(default)]
    #[schemars(example = serde_json::json!({"minimum_healthy_percentage": 50}))]
    pub routing_failover: Option<DnsFailover>,
}

/// A load balancer with one target group (named after its Auto Scaling group).
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LoadBalancer {
    /// Name.
    pub name: String,
    /// application | network.
    #[serde(rename = "type", default)]
    pub kind: LbType,
    /// Routing algorithm.
    /// AWS default: `round_robin` (ALB:load-balancer-target-groups, routing algorithm).
    #[serde(default)]
    pub routing: Routing,
    /// Cross-zone load balancing (default: on for ALB, off for NLB).
    /// AWS default: on for an ALB (always, at the load balancer), off for an NLB (ELB:how-elastic-load-balancing-works, cross-zone load balancing).
    #[serde(default)]
    pub cross_zone: Option<bool>,
    /// Stickiness.
    #[serde(default)]
    pub stickiness: Stickiness,
    /// Connection draining (default 300s).
    /// AWS default: `300s` (ALB:load-balancer-target-groups, deregistration delay).
    #[serde(default = "d300s")]
    pub deregistration_delay: Duration,
    /// Slow start (default 0s, off).
    /// AWS default: `0s`, off (ALB:load-balancer-target-groups, slow start mode).
    #[serde(default)]
    #[schemars(example = &"60s")]
    pub slow_start: Duration,
    /// Idle timeout (default 60s): a request unanswered this long gets a 504.
    /// AWS default: `60s` (ALB:application-load-balancers, connection idle timeout).
    #[serde(default = "d60s")]
    pub idle_timeout: Duration,
    /// Health check.
    #[serde(default)]
    pub health_check: LbHealthCheck,
    /// The Auto Scaling group whose instances are targets.
    pub target_group: String,
    /// Target group health (NLB DNS failover).
    #[serde(default)]
    #[schemars(example = serde_json::json!({"dns_failover": {"minimum_healthy_targets": 1}}))]
    pub target_group_health: Option<TargetGroupHealth>,
}

// --------------------------------------------------------- auto scaling

/// Launch template reference.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LaunchTemplate {
    /// Template name.
    pub name: String,
    /// Version (default 1).
    #[serde(default = "one_u32")]
    pub version: u32,
}

/// Billing granularity.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Billing {
    /// Per second with a 60 s minimum (Linux on-demand and spot).
    #[default]
    PerSecond,
    /// Per started hour.
    Hourly,
}

/// Purchase option.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Market {
    /// On-Demand.
    #[default]
    OnDemand,
    /// Spot.
    Spot,
}

/// EC2 monitoring.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Monitoring {
    /// 1-minute metrics (the simulator's default, so scaling shows in short runs).
    #[default]
    Detailed,
    /// 5-minute metrics (the launch template API default).
    Basic,
}

fn default_boot() -> DurationDist {
    DurationDist::Uniform {
        min: Duration::secs(60),
        max: Duration::secs(120),
    }
}
fn default_workers() -> u32 {
    8
}
fn default_queue_limit() -> u32 {
    100
}
fn default_price() -> f64 {
    0.085
}
fn default_type() -> String {
    "c5.large".into()
}

/// The instances of a group.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InstanceSpec {
    /// Instance type (informational; default c5.large).
    #[serde(rename = "type", default = "default_type")]
    pub kind: String,
    /// Time from launch to running (default uniform 60–120 s).
    #[serde(default = "default_boot")]
    pub boot_time: DurationDist,
    /// Requests served at once (default 8).
    #[serde(default = "default_workers")]
    pub workers: u32,
    /// Waiting requests before the instance refuses (default 100).
    #[serde(default = "default_queue_limit")]
    pub queue_limit: u32,
    /// Price per hour in USD (default 0.085, c5.large us-east-1).
    #[serde(default = "default_price")]
    pub price_per_hour: f64,
    /// Billing granularity.
    /// AWS default: `per_second` with a 60 s minimum for Linux instances (aws.amazon.com/ec2/pricing/on-demand).
    #[serde(default)]
    pub billing: Billing,
    /// Purchase option.
    /// AWS default: `on_demand` (API-ASG:InstancesDistribution.OnDemandPercentageAboveBaseCapacity: 100).
    #[serde(default)]
    pub market: Market,
    /// Spot: interruptions per instance-hour (default 0).
    #[serde(default)]
    pub interruption_rate: f64,
    /// Monitoring.
    /// AWS default: `basic` (5-minute) for a launch template; `detailed` for a launch configuration made in the console (ASG:enable-as-instance-metrics).
    #[serde(default)]
    pub monitoring: Monitoring,
    /// Time from InService until the application answers (default 0s):
    /// meanwhile the instance refuses connections, so ELB health checks
    /// fail and requests routed to it get a 502 (`docs/src/background/recorded-fidelity.md`).
    #[serde(default = "crate::scenario::fidelity::zero_dist")]
    pub app_start: DurationDist,
    /// CPU used on each instance by something other than requests (a batch
    /// job, a `yes` loop), percent of the instance, counted in CPUUtilization
    /// (default 0).
    #[serde(default)]
    #[schemars(example = 20)]
    pub background_cpu: Option<Rate>,
}

impl Default for InstanceSpec {
    fn default() -> Self {
        InstanceSpec {
            kind: default_type(),
            boot_time: default_boot(),
            workers: default_workers(),
            queue_limit: default_queue_limit(),
            price_per_hour: default_price(),
            billing: Billing::default(),
            market: Market::default(),
            interruption_rate: 0.0,
            monitoring: Monitoring::default(),
            app_start: crate::scenario::fidelity::zero_dist(),
            background_cpu: None,
        }
    }
}

/// A DynamoDB call made by a request on an instance.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DynamoStep {
    /// Table name.
    pub table: String,
    /// Operation.
    pub op: TableOp,
    /// Item size.
    pub item_size: Size,
    /// Read consistency.
    #[serde(default)]
    pub consistency: Consistency,
    /// Key popularity.
    #[serde(default)]
    #[schemars(example = serde_json::json!({"dist": "zipf", "n": 100000, "s": 1.1}))]
    pub keys: Option<CountDist>,
    /// Query/scan: items per call.
    #[serde(default)]
    #[schemars(example = serde_json::json!({"dist": "geometric", "mean": 20}))]
    pub items: Option<u64>,
}

/// An SQS send made by a request on an instance.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SqsSendStep {
    /// Queue name.
    #[schemars(example = &"jobs")]
    pub queue: String,
    /// Message size (default 1KB).
    #[serde(default)]
    #[schemars(example = &"4KB")]
    pub message_size: Option<Size>,
    /// FIFO queues: message group of each message (default: one group).
    #[serde(default)]
    #[schemars(example = serde_json::json!({"dist": "uniform", "min": 1, "max": 100}))]
    pub message_group: Option<CountDist>,
}

/// One step of what a request does on an instance.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum AppStep {
    /// Use a worker for this long.
    Compute(DurationDist),
    /// Wait (holding the worker) without using CPU, e.g. a downstream call.
    #[schemars(example = serde_json::json!({"wait": "30ms"}))]
    Wait(DurationDist),
    /// Call a DynamoDB table.
    Dynamodb(DynamoStep),
    /// Send a message to a queue.
    #[schemars(example = serde_json::json!({"sqs_send": {"queue": "jobs", "message_size": "4KB"}}))]
    SqsSend(SqsSendStep),
    /// Invoke a Lambda function (sync: the worker waits for it).
    #[schemars(example = serde_json::json!({"lambda_invoke": {"function": "resize", "invocation": "async"}}))]
    LambdaInvoke(super::serverless::LambdaInvokeStep),
    /// Publish a message to an SNS topic.
    #[schemars(example = serde_json::json!({"sns_publish": {"topic": "orders"}}))]
    SnsPublish(super::serverless::SnsPublishStep),
    /// Put a record to a Kinesis stream (the worker waits for its retries).
    #[schemars(example = serde_json::json!({"kinesis_put": {"stream": "clicks"}}))]
    KinesisPut(super::kinesis::KinesisPutStep),
}

/// Queue consumer settings for a group that polls a queue.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Consumer {
    /// Queue name.
    pub queue: String,
    /// Polling threads per instance (default 1).
    #[serde(default = "one_u32")]
    pub threads: u32,
    /// Messages per receive, 1–10 (default 1, the AWS default).
    /// AWS default: `1` (API-SQS:ReceiveMessageRequest.MaxNumberOfMessages).
    #[serde(default = "one_u32")]
    pub batch: u32,
    /// Long-poll wait, 0–20 s (default 0s: short polling, the AWS default).
    /// AWS default: `0s`, short polling (API-SQS:CreateQueueRequest.Attributes ReceiveMessageWaitTimeSeconds).
    #[serde(default)]
    pub wait_time: Duration,
    /// Processing time per message.
    pub processing: DurationDist,
    /// Share of messages whose processing fails (not deleted).
    #[serde(default)]
    pub failure_rate: f64,
    /// Heartbeat with ChangeMessageVisibility while working.
    #[serde(default)]
    pub extend_visibility: bool,
    /// Share of messages that fail every time they are processed (poison
    /// messages: a payload the code cannot handle). Default 0.
    #[serde(default)]
    pub poison_rate: f64,
    /// Share of processing time that uses the CPU (the rest waits on I/O,
    /// e.g. a downstream API): CPUUtilization counts a busy thread as this
    /// much of a thread. Default 1.
    #[serde(default = "one_f64")]
    pub cpu_share: f64,
}

fn one_f64() -> f64 {
    1.0
}

/// Where session state lives.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SessionStore {
    /// On the instance: lost with it.
    #[default]
    Local,
    /// In ElastiCache: survives instances.
    External,
}

/// Health check type of a group.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, JsonSchema)]
pub enum HealthCheckType {
    /// EC2 status checks only (the AWS default).
    #[default]
    #[serde(rename = "EC2")]
    Ec2,
    /// EC2 plus the load balancer's health checks.
    #[serde(rename = "ELB")]
    Elb,
}

/// Group health check settings.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AsgHealthCheck {
    /// EC2 | ELB.
    /// AWS default: `EC2` (ASG:ec2-auto-scaling-health-checks).
    #[serde(rename = "type", default)]
    pub kind: HealthCheckType,
    /// Grace period (AWS API default 0s; the console's 300s is common).
    /// AWS default: `0s` through the API and CLI, `300s` in the console (ASG:health-check-grace-period).
    #[serde(default)]
    pub grace_period: Duration,
    /// How often Auto Scaling's periodic health check runs: an instance a
    /// health check reports unhealthy is marked so, and replaced, at the
    /// next one (undocumented: "periodically"; default 10s).
    #[serde(default = "d10s")]
    #[schemars(example = &"15s")]
    pub interval: Duration,
    /// Time from an instance stopping or being terminated outside Auto
    /// Scaling until the group marks it Unhealthy (recorded 21–36 s, grade B;
    /// default uniform 21s–36s).
    #[serde(default = "crate::scenario::fidelity::stopped_detection")]
    #[schemars(example = serde_json::json!({"dist": "uniform", "min": "21s", "max": "36s"}))]
    pub stopped_detection: DurationDist,
    /// Time from the stop until the group's termination activity (recorded
    /// 45 s, grade B; default 45s; never before the Unhealthy mark).
    #[serde(default = "crate::scenario::fidelity::stopped_termination")]
    #[schemars(example = &"45s")]
    pub stopped_termination: Duration,
    /// Time from that termination until the replacement's launch (recorded
    /// 2 s, grade B; default 2s).
    #[serde(default = "crate::scenario::fidelity::stopped_relaunch")]
    #[schemars(example = &"2s")]
    pub stopped_relaunch: Duration,
}

fn d10s() -> Duration {
    Duration::secs(10)
}

impl Default for AsgHealthCheck {
    fn default() -> Self {
        AsgHealthCheck {
            kind: HealthCheckType::Ec2,
            grace_period: Duration(0),
            interval: d10s(),
            stopped_detection: crate::scenario::fidelity::stopped_detection(),
            stopped_termination: crate::scenario::fidelity::stopped_termination(),
            stopped_relaunch: crate::scenario::fidelity::stopped_relaunch(),
        }
    }
}

/// Auto Scaling processes that can be suspended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, JsonSchema)]
pub enum ScalingProcess {
    /// Launch
    Launch,
    /// Terminate
    Terminate,
    /// HealthCheck
    HealthCheck,
    /// ReplaceUnhealthy
    ReplaceUnhealthy,
    /// AZRebalance
    #[serde(rename = "AZRebalance")]
    AzRebalance,
    /// AlarmNotification
    AlarmNotification,
    /// ScheduledActions
    ScheduledActions,
    /// AddToLoadBalancer
    AddToLoadBalancer,
    /// InstanceRefresh
    InstanceRefresh,
}

/// Termination policies.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, JsonSchema)]
pub enum TerminationPolicy {
    /// The documented default order.
    Default,
    /// Oldest launch time first.
    OldestInstance,
    /// Newest launch time first.
    NewestInstance,
    /// Oldest launch template version first.
    OldestLaunchTemplate,
    /// Oldest launch configuration first.
    OldestLaunchConfiguration,
    /// Closest to the next billing hour.
    ClosestToNextInstanceHour,
    /// Per the allocation strategy (spot/on-demand mix).
    AllocationStrategy,
}

/// Scaling policy types.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PolicyType {
    /// Target tracking.
    TargetTracking,
    /// Step scaling.
    Step,
    /// Simple scaling (the API default type).
    Simple,
    /// Predictive scaling.
    Predictive,
}

/// Adjustment types.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, JsonSchema)]
pub enum AdjustmentType {
    /// Add or remove this many.
    #[default]
    ChangeInCapacity,
    /// Set to this many.
    ExactCapacity,
    /// Change by this percentage.
    PercentChangeInCapacity,
}

/// Alarm comparison operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, JsonSchema)]
pub enum Comparison {
    /// GreaterThanOrEqualToThreshold
    #[serde(rename = ">=")]
    Ge,
    /// GreaterThanThreshold
    #[serde(rename = ">")]
    Gt,
    /// LessThanThreshold
    #[serde(rename = "<")]
    Lt,
    /// LessThanOrEqualToThreshold
    #[serde(rename = "<=")]
    Le,
}

/// Alarm statistics.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, JsonSchema)]
pub enum Statistic {
    /// Average
    #[default]
    Average,
    /// Sum
    Sum,
    /// Minimum
    Minimum,
    /// Maximum
    Maximum,
    /// SampleCount
    SampleCount,
    /// p50
    #[serde(rename = "p50")]
    P50,
    /// p90
    #[serde(rename = "p90")]
    P90,
    /// p99
    #[serde(rename = "p99")]
    P99,
}

/// Treatment of missing data.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TreatMissing {
    /// Missing (the default): the alarm looks further back.
    #[default]
    Missing,
    /// Missing counts as breaching.
    Breaching,
    /// Missing counts as not breaching.
    NotBreaching,
    /// Keep the current state.
    Ignore,
}

/// A CloudWatch alarm as attached to a simple or step policy.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Alarm {
    /// Optional alarm name (default `<group>-<policy>`).
    #[serde(default)]
    #[schemars(example = &"web-cpu-high")]
    pub name: Option<String>,
    /// Metric name (CloudWatch name).
    pub metric: String,
    /// Statistic (default Average).
    #[serde(default)]
    pub statistic: Statistic,
    /// Comparison operator.
    pub comparison: Comparison,
    /// Threshold.
    pub threshold: f64,
    /// Period (default 1m).
    #[serde(default = "minute")]
    pub period: Duration,
    /// Evaluation periods N (default 1).
    #[serde(default = "one_u32")]
    pub evaluation_periods: u32,
    /// Datapoints to alarm M (default N).
    /// AWS default: N, the evaluation periods (API-CW:PutMetricAlarmInput.DatapointsToAlarm).
    #[serde(default)]
    #[schemars(example = 2)]
    pub datapoints_to_alarm: Option<u32>,
    /// Treatment of missing data.
    /// AWS default: `missing` (CW:AlarmThatSendsEmail, treating missing data).
    #[serde(default)]
    #[schemars(example = &"not_breaching")]
    pub treat_missing_data: TreatMissing,
    /// Dimension: a queue (for SQS metrics).
    #[serde(default)]
    #[schemars(example = &"jobs")]
    pub queue: Option<String>,
    /// Dimension: a load balancer (for ELB metrics).
    #[serde(default)]
    #[schemars(example = &"web")]
    pub load_balancer: Option<String>,
    /// Dimension: a table (for DynamoDB metrics).
    #[serde(default)]
    #[schemars(example = &"orders")]
    pub table: Option<String>,
}

/// A step adjustment; bounds are relative to the alarm threshold.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StepAdjustment {
    /// Lower bound (none = −∞).
    #[serde(default)]
    pub lower: Option<f64>,
    /// Upper bound (none = +∞).
    #[serde(default)]
    pub upper: Option<f64>,
    /// Adjustment.
    pub adjustment: i64,
}

/// A scaling policy (fields used depend on `type`).
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScalingPolicy {
    /// Name.
    pub name: String,
    /// Type.
    #[serde(rename = "type")]
    pub kind: PolicyType,
    /// Disabled policies ignore alarms.
    /// AWS default: `true` (API-ASG:PutScalingPolicyType.Enabled).
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Target tracking / predictive: the metric.
    #[serde(default)]
    pub metric: Option<String>,
    /// Target tracking: custom metric dimension (queue, for SQSBacklogPerInstance).
    #[serde(default)]
    pub queue: Option<String>,
    /// Target tracking / predictive: the target value.
    #[serde(default)]
    pub target: Option<f64>,
    /// Target tracking: never scale in.
    /// AWS default: `false` (API-ASG:TargetTrackingConfiguration.DisableScaleIn).
    #[serde(default)]
    #[schemars(example = true)]
    pub disable_scale_in: bool,
    /// Target tracking: low alarm at this × target (default 0.9; observed, undocumented).
    #[serde(default)]
    #[schemars(example = 0.8)]
    pub scale_in_threshold: Option<f64>,
    /// Simple / step: adjustment type.
    /// AWS default: none: required for simple and step policies (API-ASG:PutScalingPolicyType.AdjustmentType).
    #[serde(default)]
    pub adjustment_type: AdjustmentType,
    /// Simple: the adjustment.
    #[serde(default)]
    pub adjustment: Option<i64>,
    /// Simple: cooldown (default: the group's).
    /// AWS default: the group's default cooldown (API-ASG:PutScalingPolicyType.Cooldown).
    #[serde(default)]
    pub cooldown: Option<Duration>,
    /// Simple / step: the alarm.
    #[serde(default)]
    pub alarm: Option<Alarm>,
    /// Step: adjustments.
    #[serde(default)]
    pub steps: Vec<StepAdjustment>,
    /// PercentChangeInCapacity: minimum magnitude.
    #[serde(default)]
    #[schemars(example = 2)]
    pub min_adjustment_magnitude: Option<i64>,
    /// Step / target tracking: warm-up (default: the group's default_instance_warmup),
    /// counted from the instance's launch ("until a newly launched instance can contribute").
    /// AWS default: the group's default instance warm-up (API-ASG:PutScalingPolicyType.EstimatedInstanceWarmup).
    #[serde(default)]
    pub estimated_instance_warmup: Option<Duration>,
    /// Step: aggregation of the metric (default Average).
    /// AWS default: `Average` (API-ASG:PutScalingPolicyType.MetricAggregationType).
    #[serde(default)]
    #[schemars(example = &"Maximum")]
    pub metric_aggregation_type: Option<Statistic>,
    /// Predictive: forecast_only | forecast_and_scale.
    /// AWS default: `forecast_only` (API-ASG:PredictiveScalingConfiguration.Mode).
    #[serde(default)]
    pub mode: Option<String>,
    /// Predictive: buffer over the forecast, percent.
    #[serde(default)]
    #[schemars(example = 10)]
    pub max_capacity_buffer: Option<f64>,
    /// Predictive: honor_max_capacity (AWS's default) | increase_max_capacity
    /// (implied by `max_capacity_buffer` when not given).
    /// AWS default: `honor_max_capacity` (API-ASG:PredictiveScalingConfiguration.MaxCapacityBreachBehavior).
    #[serde(default)]
    #[schemars(example = &"increase_max_capacity")]
    pub max_capacity_breach_behavior: Option<String>,
    /// Predictive: launch this long before each forecast hour (default 300s).
    /// AWS default: `300s` (API-ASG:PredictiveScalingConfiguration.SchedulingBufferTime).
    #[serde(default)]
    pub scheduling_buffer_time: Option<Duration>,
}

fn yes() -> bool {
    true
}

/// A scheduled action.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScheduledAction {
    /// Name.
    pub name: String,
    /// Once, at this offset from the run start.
    #[serde(default)]
    pub at: Option<Duration>,
    /// Recurring, cron (UTC, from start_time).
    #[serde(default)]
    #[schemars(example = &"0 9 * * 1-5")]
    pub recurrence: Option<String>,
    /// New desired capacity.
    #[serde(default)]
    pub desired: Option<u32>,
    /// New min.
    #[serde(default)]
    pub min: Option<u32>,
    /// New max.
    #[serde(default)]
    #[schemars(example = 20)]
    pub max: Option<u32>,
    /// Change the launch template version.
    #[serde(default)]
    pub launch_template_version: Option<u32>,
}

/// Lifecycle transitions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Transition {
    /// autoscaling:EC2_INSTANCE_LAUNCHING
    Launching,
    /// autoscaling:EC2_INSTANCE_TERMINATING
    Terminating,
}

/// Lifecycle hook result.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, JsonSchema)]
pub enum HookResult {
    /// Abandon (the AWS default).
    #[default]
    #[serde(rename = "ABANDON")]
    Abandon,
    /// Continue.
    #[serde(rename = "CONTINUE")]
    Continue,
}

fn d3600s() -> Duration {
    Duration::secs(3600)
}

/// A lifecycle hook.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LifecycleHook {
    /// Name.
    pub name: String,
    /// Which transition.
    pub transition: Transition,
    /// Heartbeat timeout (default 3600s).
    /// AWS default: `3600s` (API-ASG:PutLifecycleHookType.HeartbeatTimeout).
    #[serde(default = "d3600s")]
    pub heartbeat_timeout: Duration,
    /// Result on timeout (default ABANDON).
    /// AWS default: `ABANDON` (API-ASG:PutLifecycleHookType.DefaultResult).
    #[serde(default)]
    pub default_result: HookResult,
    /// When the hook's action completes it (none: it times out).
    #[serde(default)]
    pub completes_after: Option<DurationDist>,
    /// The hook's action calls RecordLifecycleActionHeartbeat this often
    /// while it works (none: never), each call restarting the heartbeat
    /// timeout.
    #[serde(default)]
    pub heartbeat_every: Option<Duration>,
    /// At most this many heartbeats (default: until the action completes).
    #[serde(default)]
    #[schemars(example = 3)]
    pub heartbeats: Option<u32>,
}

/// Warm pool instance state.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, JsonSchema)]
pub enum PoolState {
    /// Stopped (the default).
    #[default]
    Stopped,
    /// Running.
    Running,
    /// Hibernated.
    Hibernated,
}

/// A warm pool.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WarmPool {
    /// Minimum pool size.
    /// AWS default: `0` (API-ASG:PutWarmPoolType.MinSize).
    #[serde(default)]
    pub min_size: u32,
    /// Max group prepared capacity (default: the group's max).
    /// AWS default: the group's maximum size (API-ASG:PutWarmPoolType.MaxGroupPreparedCapacity).
    #[serde(default)]
    #[schemars(example = 20)]
    pub max_group_prepared_capacity: Option<u32>,
    /// Pool state.
    /// AWS default: `stopped` (API-ASG:PutWarmPoolType.PoolState).
    #[serde(default)]
    pub pool_state: PoolState,
    /// Time for a pooled instance to become InService.
    #[serde(default)]
    pub resume_time: Option<DurationDist>,
}

/// An instance refresh.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InstanceRefresh {
    /// When it starts.
    pub at: Duration,
    /// Minimum healthy percentage (default 90).
    /// AWS default: `90` (API-ASG:RefreshPreferences.MinHealthyPercentage).
    #[serde(default = "ninety")]
    pub min_healthy_percentage: f64,
    /// Maximum healthy percentage (default 100).
    /// AWS default: `100` (API-ASG:RefreshPreferences.MaxHealthyPercentage).
    #[serde(default = "hundred")]
    pub max_healthy_percentage: f64,
    /// Instance warm-up.
    /// AWS default: the group's default instance warm-up, else its health check grace period (API-ASG:RefreshPreferences.InstanceWarmup).
    #[serde(default)]
    pub instance_warmup: Option<Duration>,
    /// The launch template version refreshed to (default current + 1).
    #[serde(default)]
    #[schemars(example = 3)]
    pub launch_template_version: Option<u32>,
}

fn ninety() -> f64 {
    90.0
}
fn hundred() -> f64 {
    100.0
}

/// An Auto Scaling group.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AutoScalingGroup {
    /// Name.
    pub name: String,
    /// Zones (default one: the region's zone `a`, like us-east-1a).
    #[serde(default = "default_azs")]
    pub availability_zones: Vec<String>,
    /// Minimum size.
    pub min: u32,
    /// Maximum size.
    pub max: u32,
    /// Desired capacity (default min, as in the API).
    /// AWS default: the minimum size (API-ASG:CreateAutoScalingGroupType.DesiredCapacity).
    #[serde(default)]
    pub desired: Option<u32>,
    /// Launch template (default: named after the group, version 1).
    #[serde(default)]
    pub launch_template: Option<LaunchTemplate>,
    /// Instances.
    #[serde(default)]
    pub instance: InstanceSpec,
    /// What a request does on an instance.
    #[serde(default)]
    pub app: Vec<AppStep>,
    /// Instead of app: poll a queue.
    #[serde(default)]
    pub consumer: Option<Consumer>,
    /// Session state store.
    #[serde(default)]
    pub session_store: SessionStore,
    /// Health check.
    #[serde(default)]
    pub health_check: AsgHealthCheck,
    /// Default cooldown (300s).
    /// AWS default: `300s` (API-ASG:CreateAutoScalingGroupType.DefaultCooldown).
    #[serde(default = "d300s")]
    pub default_cooldown: Duration,
    /// Default instance warm-up, counted from InService (AWS: none; falls back
    /// to the cooldown, then counted from launch).
    /// AWS default: none; scaling then uses the cooldown or the policy's EstimatedInstanceWarmup (ASG:ec2-auto-scaling-default-instance-warmup).
    #[serde(default)]
    pub default_instance_warmup: Option<Duration>,
    /// Suspended processes.
    /// AWS default: none (ASG:as-suspend-resume-processes).
    #[serde(default)]
    #[schemars(example = serde_json::json!(["AZRebalance"]))]
    pub suspended_processes: Vec<ScalingProcess>,
    /// Termination policies, in order.
    /// AWS default: `[Default]` (ASG:ec2-auto-scaling-termination-policies).
    #[serde(default = "default_termination")]
    pub termination_policies: Vec<TerminationPolicy>,
    /// Scale-in protection for new instances.
    /// AWS default: `false` (API-ASG:CreateAutoScalingGroupType.NewInstancesProtectedFromScaleIn).
    #[serde(default)]
    #[schemars(example = true)]
    pub new_instances_protected_from_scale_in: bool,
    /// Scaling policies.
    #[serde(default)]
    pub scaling_policies: Vec<ScalingPolicy>,
    /// Scheduled actions.
    #[serde(default)]
    pub scheduled_actions: Vec<ScheduledAction>,
    /// Delay before a scheduled action runs (AWS: "up to two minutes").
    /// AWS default: "up to two minutes", not a setting (ASG:ec2-auto-scaling-scheduled-scaling).
    #[serde(default = "zero_dist")]
    #[schemars(example = &"30s")]
    pub scheduled_action_delay: DurationDist,
    /// Lifecycle hooks.
    #[serde(default)]
    pub lifecycle_hooks: Vec<LifecycleHook>,
    /// Warm pool.
    #[serde(default)]
    pub warm_pool: Option<WarmPool>,
    /// Instance refresh.
    #[serde(default)]
    pub instance_refresh: Option<InstanceRefresh>,
    /// Maximum instance lifetime.
    /// AWS default: none, `0` in the API (API-ASG:CreateAutoScalingGroupType.MaxInstanceLifetime).
    #[serde(default)]
    pub max_instance_lifetime: Option<Duration>,
    /// How the elasticity scorecard sizes the demand (not an AWS setting).
    #[serde(default)]
    #[schemars(example = serde_json::json!({"target_utilization": 60}))]
    pub elasticity: Elasticity,
    /// From an alarm invoking a simple, step or target tracking policy to
    /// the start of its scaling activity (recorded 7–33 s, grade A; default
    /// uniform 7s–33s; `docs/src/background/recorded-fidelity.md`).
    #[serde(default = "crate::scenario::fidelity::alarm_action_delay")]
    #[schemars(example = serde_json::json!({"dist": "uniform", "min": "7s", "max": "33s"}))]
    pub alarm_action_delay: DurationDist,
    /// Where the group launches when launches fail in a zone (AWS's
    /// `AvailabilityZoneDistribution`; default balanced-best-effort).
    #[serde(default)]
    #[schemars(example = serde_json::json!({"capacity_distribution_strategy": "balanced-only"}))]
    pub availability_zone_distribution: crate::scenario::fidelity::ZoneDistribution,
}

/// Settings of the elasticity scorecard of a group (SPEC Research Group
/// metrics in `summary.json`): demand(t) is the fewest InService instances
/// that would carry the offered load at `target_utilization`.
#[derive(Clone, Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Elasticity {
    /// Utilisation of an instance's workers at which it is "just enough",
    /// percent, 1–100 (default: the target of the group's target tracking
    /// policy on ASGAverageCPUUtilization, if any, else 70).
    #[serde(default)]
    #[schemars(example = 60)]
    pub target_utilization: Option<f64>,
}

fn default_region() -> String {
    crate::aws::ec2::DEFAULT_REGION.to_string()
}
/// The loader renames this default after the scenario's `region`.
fn default_azs() -> Vec<String> {
    vec!["us-east-1a".into()]
}
fn default_termination() -> Vec<TerminationPolicy> {
    vec![TerminationPolicy::Default]
}

impl AutoScalingGroup {
    /// Desired capacity at start: `desired`, or `min` as the API does.
    pub fn initial_desired(&self) -> u32 {
        self.desired.unwrap_or(self.min)
    }
}

// ------------------------------------------------------------------ queues

/// Queue type.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum QueueType {
    /// Standard.
    #[default]
    Standard,
    /// FIFO.
    Fifo,
}

/// Redrive policy.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Redrive {
    /// The dead-letter queue.
    pub dead_letter_queue: String,
    /// Receives before the move.
    pub max_receive_count: u32,
}

fn d4d() -> Duration {
    Duration::secs(4 * 86400)
}

/// An SQS queue.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Queue {
    /// Name.
    pub name: String,
    /// standard | fifo.
    /// AWS default: `standard` (API-SQS:CreateQueueRequest.Attributes FifoQueue).
    #[serde(rename = "type", default)]
    pub kind: QueueType,
    /// Visibility timeout (default 30s).
    /// AWS default: `30s` (API-SQS:CreateQueueRequest.Attributes VisibilityTimeout).
    #[serde(default = "d30s")]
    pub visibility_timeout: Duration,
    /// Retention (default 4d).
    /// AWS default: `4d`, 345,600 s (API-SQS:CreateQueueRequest.Attributes MessageRetentionPeriod).
    #[serde(default = "d4d")]
    pub message_retention: Duration,
    /// Delivery delay (default 0s).
    /// AWS default: `0s` (API-SQS:CreateQueueRequest.Attributes DelaySeconds).
    #[serde(default)]
    #[schemars(example = &"30s")]
    pub delay: Duration,
    /// Redrive to a dead-letter queue.
    /// AWS default: none (API-SQS:CreateQueueRequest.Attributes RedrivePolicy).
    #[serde(default)]
    pub redrive: Option<Redrive>,
    /// Standard queues: share of receives that also deliver a copy elsewhere.
    #[serde(default)]
    pub duplicate_rate: f64,
    /// FIFO: content-based deduplication.
    /// AWS default: `false` (API-SQS:CreateQueueRequest.Attributes ContentBasedDeduplication).
    #[serde(default)]
    #[schemars(example = true)]
    pub content_based_deduplication: bool,
    /// Largest message (default 1MB, the current API limit; the 2023 guide
    /// said 256KB). A larger SendMessage fails.
    /// AWS default: `1MiB` in the current API reference, 256 KiB in the 2023 guide (API-SQS:CreateQueueRequest.Attributes MaximumMessageSize).
    #[serde(default)]
    #[schemars(example = &"256KB")]
    pub maximum_message_size: Option<Size>,
    /// Messages in flight at most (default 120000, both types, current API
    /// reference; the 2023 guide said 20000 for FIFO).
    /// AWS default: 120,000, a quota (SQS:sqs-visibility-timeout; API-SQS:ChangeMessageVisibility).
    #[serde(default)]
    #[schemars(example = 20000)]
    pub in_flight_limit: Option<u32>,
    /// FIFO: calls per second per API action (default 300, without
    /// high-throughput mode); above it calls are throttled.
    /// AWS default: 300 calls per second per action without batching or high throughput, a quota (SQS:partitions-and-data-distribution).
    #[serde(default)]
    #[schemars(example = 3000)]
    pub throughput_limit: Option<u32>,
    /// Share of visible messages one short poll finds (it samples a subset of
    /// SQS's servers; default 0.01, so a receive of 10 is most likely short
    /// below ~1000 messages, as documented).
    #[serde(default)]
    #[schemars(example = 0.05)]
    pub short_poll_sample: Option<f64>,
    /// Round trip of one SQS API call (SendMessage, ReceiveMessage returning,
    /// DeleteMessage, ChangeMessageVisibility). Default 5ms.
    #[serde(default)]
    #[schemars(example = &"10ms")]
    pub api_latency: Option<Duration>,
}

// ------------------------------------------------------------------ tables

/// Billing mode.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum BillingMode {
    /// Provisioned capacity.
    #[default]
    Provisioned,
    /// On-demand.
    OnDemand,
}

/// Table auto scaling for one dimension.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TableScaling {
    /// Minimum capacity.
    pub min: f64,
    /// Maximum capacity.
    pub max: f64,
    /// Target utilisation percent (20–90).
    /// AWS default: `70` in the console (DDB:AutoScaling.Console).
    pub target: f64,
    /// AlarmLow fires below `target` minus this many percentage points
    /// (recorded 20: a 70 % target makes a 50 % AlarmLow, grade A).
    #[serde(default = "crate::scenario::fidelity::ddb_low_offset")]
    #[schemars(example = 20)]
    pub low_alarm_offset: f64,
}

fn default_update_time() -> Duration {
    crate::scenario::fidelity::ddb_update_time()
}

/// Table auto scaling.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TableAutoScaling {
    /// Reads.
    #[serde(default)]
    #[schemars(example = serde_json::json!({"min": 5, "max": 1000, "target": 70}))]
    pub read: Option<TableScaling>,
    /// Writes.
    #[serde(default)]
    pub write: Option<TableScaling>,
    /// How long an auto scaling activity lasts, from UpdateTable until the
    /// table is ACTIVE again and the policy may act again (recorded 30–34 s,
    /// grade A; default 32s).
    #[serde(default = "default_update_time")]
    pub update_time: Duration,
    /// When the new capacity takes effect after UpdateTable (recorded 4.4 s,
    /// grade A; default 4400ms; at most `update_time`).
    #[serde(default = "crate::scenario::fidelity::ddb_effective_after")]
    pub effective_after: Duration,
}

/// What an on-demand table can serve at once (the `WarmThroughput` of the
/// API), units per second.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WarmThroughput {
    /// Read request units per second (a new table: 12000).
    #[schemars(example = 12000)]
    pub read: f64,
    /// Write request units per second (a new table: 4000).
    #[schemars(example = 4000)]
    pub write: f64,
}

/// A global secondary index: its own provisioned capacity; every write to
/// the table also writes the index, and a write the index cannot take is
/// throttled on the table.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GlobalSecondaryIndex {
    /// Index name.
    pub name: String,
    /// Provisioned RCU (provisioned tables; default 1).
    #[serde(default)]
    pub read_capacity: Option<f64>,
    /// Provisioned WCU (required for provisioned tables).
    #[serde(default)]
    pub write_capacity: Option<f64>,
    /// Size of an index entry (default: the item size of the write).
    #[serde(default)]
    pub projected_size: Option<Size>,
    /// Partitions of the index.
    #[serde(default)]
    #[schemars(example = 2)]
    pub partitions: Partitions,
}

/// Partitions: `auto` or a number.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Partitions {
    /// From the historical sizing rule.
    #[default]
    Auto,
    /// This many.
    Fixed(u32),
}

impl<'de> Deserialize<'de> for Partitions {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Partitions;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("`auto` or a number of partitions")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Partitions, E> {
                if v == "auto" {
                    Ok(Partitions::Auto)
                } else {
                    Err(E::custom(format!(
                        "expected `auto` or a number of partitions, found \"{v}\""
                    )))
                }
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Partitions, E> {
                if v >= 1 && v <= u32::MAX as u64 {
                    Ok(Partitions::Fixed(v as u32))
                } else {
                    Err(E::custom("partitions must be at least 1"))
                }
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Partitions, E> {
                if v >= 1 {
                    self.visit_u64(v as u64)
                } else {
                    Err(E::custom("partitions must be at least 1"))
                }
            }
        }
        d.deserialize_any(V)
    }
}

impl JsonSchema for Partitions {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Partitions".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({"anyOf": [{"const": "auto"}, {"type": "integer", "minimum": 1}]})
    }
}

/// SDK retry modes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RetryMode {
    /// boto3's legacy DynamoDB schedule (10 attempts, 50 ms base).
    Legacy,
    /// Standard (3 attempts, full jitter, 20 s cap, retry quota).
    #[default]
    Standard,
    /// Adaptive (standard plus client-side rate limiting).
    Adaptive,
}

/// SDK retry settings.
#[derive(Clone, Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SdkRetry {
    /// Mode.
    /// AWS default: `legacy` in boto3 (BOTO:retries).
    #[serde(default)]
    pub mode: RetryMode,
    /// Total attempts including the first (default per mode).
    /// AWS default: 5 in boto3's legacy mode, 10 for DynamoDB; 3 in standard and adaptive modes (BOTO:retries).
    #[serde(default)]
    pub max_attempts: Option<u32>,
}

/// A DynamoDB table.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Table {
    /// Name.
    pub name: String,
    /// Billing mode.
    #[serde(default)]
    pub billing_mode: BillingMode,
    /// Provisioned RCU.
    #[serde(default)]
    pub read_capacity: Option<f64>,
    /// Provisioned WCU.
    #[serde(default)]
    pub write_capacity: Option<f64>,
    /// Auto scaling.
    #[serde(default)]
    pub auto_scaling: Option<TableAutoScaling>,
    /// Partitions.
    #[serde(default)]
    pub partitions: Partitions,
    /// Items in the table (default 1000000).
    #[serde(default = "default_items")]
    pub item_count: u64,
    /// SDK retry behaviour of clients.
    #[serde(default)]
    pub sdk_retry: SdkRetry,
    /// Base latency of a successful request (default 5ms).
    #[serde(default)]
    #[schemars(example = &"8ms")]
    pub latency: Option<DurationDist>,
    /// Adaptive capacity (always on in AWS; `false` gives the behaviour
    /// before it, for teaching).
    /// AWS default: always on, not a setting (DDB:bp-partition-key-design).
    #[serde(default = "yes")]
    pub adaptive_capacity: bool,
    /// Burst capacity: how many seconds of unused capacity a partition keeps
    /// (AWS: 300s; 0s disables burst).
    /// AWS default: `300s`, not a setting (DDB:bp-partition-key-design).
    #[serde(default = "default_burst")]
    pub burst_capacity: Duration,
    /// Burst already banked at t = 0, in seconds of capacity (default 0s).
    #[serde(default)]
    pub initial_burst: Duration,
    /// On-demand: what the table serves at once (default a new table's:
    /// 12000 reads/s, 4000 writes/s).
    /// AWS default: 12,000 reads and 4,000 writes a second for a new on-demand table (WEB on-demand-capacity-mode).
    #[serde(default)]
    #[schemars(example = serde_json::json!({"read": 12000, "write": 4000}))]
    pub warm_throughput: Option<WarmThroughput>,
    /// Global secondary indexes.
    #[serde(default)]
    pub global_secondary_indexes: Vec<GlobalSecondaryIndex>,
}

fn default_burst() -> Duration {
    Duration(300_000_000_000)
}

fn default_items() -> u64 {
    1_000_000
}

// ------------------------------------------------------------------ faults

/// Fault kinds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum FaultKind {
    /// A whole AZ fails.
    AzOutage,
    /// Instances of a group fail.
    InstanceFailure,
    /// Spot interruptions.
    SpotInterruption,
    /// Extra latency on a table.
    Latency,
    /// Launches of a group fail (in a zone or for all), with an AWS reason
    /// (`docs/src/background/recorded-fidelity.md`).
    LaunchFailure,
}

/// How a failed instance fails.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum FailureMode {
    /// Status check fails at once; in-flight requests fail.
    #[default]
    Stopped,
    /// Status checks fail after a few minutes.
    Impaired,
    /// Only ELB health checks see it.
    Hung,
}

/// A fault (fields used depend on `kind`).
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Fault {
    /// When.
    pub at: Duration,
    /// What.
    pub kind: FaultKind,
    /// az_outage: the zone.
    #[serde(default)]
    pub az: Option<String>,
    /// How long (az_outage, latency).
    #[serde(default)]
    pub duration: Option<Duration>,
    /// instance_failure, spot_interruption: the group.
    #[serde(default)]
    pub auto_scaling_group: Option<String>,
    /// How many instances.
    #[serde(default)]
    pub count: Option<u32>,
    /// instance_failure: how.
    #[serde(default)]
    pub mode: FailureMode,
    /// latency: the table.
    #[serde(default)]
    #[schemars(example = &"orders")]
    pub table: Option<String>,
    /// latency: added latency.
    #[serde(default)]
    #[schemars(example = &"50ms")]
    pub add: Option<Duration>,
    /// launch_failure: the share of launches that fail (default 1).
    #[serde(default)]
    #[schemars(example = 0.5)]
    pub probability: Option<f64>,
    /// launch_failure: AWS's status reason (default
    /// `InsufficientInstanceCapacity`).
    #[serde(default)]
    #[schemars(example = &"InsufficientInstanceCapacity")]
    pub reason: Option<String>,
    /// launch_failure: StatusCode Failed (default) or Cancelled.
    #[serde(default)]
    #[schemars(example = &"Cancelled")]
    pub status: Option<String>,
    /// launch_failure: only launches of this instance type fail (default:
    /// any; the group's `instance.type`).
    #[serde(default)]
    #[schemars(example = &"c5.large")]
    pub instance_type: Option<String>,
}
