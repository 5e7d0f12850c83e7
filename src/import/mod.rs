//! `stratus import`: a scenario from real AWS descriptions.
//!
//! Each input file is recognised by its content and read into one
//! [`Account`] (AWS's own names and values, references resolved to names):
//! - [`cli_json`]: the JSON the AWS CLI prints for the `describe-*` /
//!   `get-queue-attributes` calls (shapes: botocore's service models);
//! - [`cfn`]: a CloudFormation template, JSON or YAML with the short-form
//!   intrinsic functions (`!Ref`, `!GetAtt`, `!Sub`, …; see [`yaml`]);
//! - [`terraform`]: `terraform show -json plan.out` (`planned_values`).
//!
//! [`emit`] writes the scenario: AWS's values, the simulator's defaults where
//! AWS describes nothing (commented as assumptions), a comment for every
//! resource or field it could not map. [`metrics`] reads `cloudwatch
//! get-metric-data` output (workload traces here, and `stratus backtest`).

pub mod cfn;
pub mod cli;
pub mod cli_json;
pub mod emit;
pub mod metrics;
pub mod terraform;
pub mod time;
pub mod yaml;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// An Auto Scaling group.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Asg {
    /// AutoScalingGroupName.
    pub name: String,
    /// MinSize.
    pub min: u32,
    /// MaxSize.
    pub max: u32,
    /// DesiredCapacity.
    pub desired: Option<u32>,
    /// AvailabilityZones.
    pub azs: Vec<String>,
    /// HealthCheckType (EC2 | ELB | …).
    pub health_check_type: Option<String>,
    /// HealthCheckGracePeriod, s.
    pub grace_period: Option<u64>,
    /// DefaultCooldown, s.
    pub cooldown: Option<u64>,
    /// DefaultInstanceWarmup, s.
    pub warmup: Option<u64>,
    /// TerminationPolicies.
    pub termination_policies: Vec<String>,
    /// NewInstancesProtectedFromScaleIn.
    pub protect: bool,
    /// SuspendedProcesses (names).
    pub suspended: Vec<String>,
    /// MaxInstanceLifetime, s.
    pub max_lifetime: Option<u64>,
    /// Target groups (names) the group is attached to.
    pub target_groups: Vec<String>,
    /// Launch template name and version as AWS writes it.
    pub launch_template: Option<(String, String)>,
    /// Instance type (from the instances or the launch template).
    pub instance_type: Option<String>,
    /// Fields seen but not mapped.
    pub unmapped: Vec<String>,
}

/// A step adjustment (bounds relative to the alarm threshold).
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    /// MetricIntervalLowerBound.
    pub lower: Option<f64>,
    /// MetricIntervalUpperBound.
    pub upper: Option<f64>,
    /// ScalingAdjustment.
    pub adjustment: i64,
}

/// An Auto Scaling policy.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Policy {
    /// AutoScalingGroupName.
    pub group: String,
    /// PolicyName.
    pub name: String,
    /// PolicyType (TargetTrackingScaling | StepScaling | SimpleScaling | PredictiveScaling).
    pub kind: String,
    /// Enabled.
    pub enabled: bool,
    /// Target tracking: PredefinedMetricType.
    pub tt_metric: Option<String>,
    /// Target tracking: TargetValue.
    pub tt_target: Option<f64>,
    /// Target tracking: DisableScaleIn.
    pub disable_scale_in: bool,
    /// AdjustmentType.
    pub adjustment_type: Option<String>,
    /// ScalingAdjustment (simple).
    pub adjustment: Option<i64>,
    /// Cooldown, s (simple).
    pub cooldown: Option<u64>,
    /// StepAdjustments.
    pub steps: Vec<Step>,
    /// MinAdjustmentMagnitude.
    pub min_adjustment_magnitude: Option<i64>,
    /// EstimatedInstanceWarmup, s.
    pub warmup: Option<u64>,
    /// MetricAggregationType.
    pub aggregation: Option<String>,
    /// Fields seen but not mapped.
    pub unmapped: Vec<String>,
}

/// A CloudWatch metric alarm.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Alarm {
    /// AlarmName.
    pub name: String,
    /// MetricName.
    pub metric: String,
    /// Namespace.
    pub namespace: String,
    /// Statistic (or ExtendedStatistic).
    pub statistic: String,
    /// Dimensions.
    pub dimensions: BTreeMap<String, String>,
    /// Period, s.
    pub period: u64,
    /// EvaluationPeriods.
    pub evaluation_periods: u32,
    /// DatapointsToAlarm.
    pub datapoints_to_alarm: Option<u32>,
    /// Threshold.
    pub threshold: f64,
    /// ComparisonOperator.
    pub comparison: String,
    /// TreatMissingData.
    pub treat_missing: Option<String>,
    /// AlarmActions resolved to (group, policy) names.
    pub actions: Vec<(String, String)>,
}

/// A scheduled action.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Scheduled {
    /// AutoScalingGroupName.
    pub group: String,
    /// ScheduledActionName.
    pub name: String,
    /// Recurrence (cron).
    pub recurrence: Option<String>,
    /// StartTime, Unix s.
    pub start: Option<i64>,
    /// TimeZone.
    pub time_zone: Option<String>,
    /// MinSize.
    pub min: Option<u32>,
    /// MaxSize.
    pub max: Option<u32>,
    /// DesiredCapacity.
    pub desired: Option<u32>,
}

/// A lifecycle hook.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Hook {
    /// AutoScalingGroupName.
    pub group: String,
    /// LifecycleHookName.
    pub name: String,
    /// LifecycleTransition.
    pub transition: String,
    /// HeartbeatTimeout, s.
    pub heartbeat: Option<u64>,
    /// DefaultResult.
    pub default_result: Option<String>,
}

/// A warm pool.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct WarmPool {
    /// The group (empty: the only group).
    pub group: String,
    /// MinSize.
    pub min_size: u32,
    /// MaxGroupPreparedCapacity.
    pub max_prepared: Option<u32>,
    /// PoolState.
    pub state: Option<String>,
}

/// A load balancer.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Lb {
    /// LoadBalancerName.
    pub name: String,
    /// Type (application | network | gateway).
    pub kind: String,
    /// idle_timeout.timeout_seconds.
    pub idle_timeout: Option<u64>,
}

/// A target group.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Tg {
    /// TargetGroupName.
    pub name: String,
    /// Load balancers (names) that forward to it.
    pub load_balancers: Vec<String>,
    /// HealthCheckIntervalSeconds.
    pub hc_interval: Option<u64>,
    /// HealthCheckTimeoutSeconds.
    pub hc_timeout: Option<u64>,
    /// HealthyThresholdCount.
    pub healthy: Option<u32>,
    /// UnhealthyThresholdCount.
    pub unhealthy: Option<u32>,
    /// Target group attributes (`describe-target-group-attributes` keys).
    pub attrs: BTreeMap<String, String>,
}

/// An SQS queue: `get-queue-attributes` keys and values.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Queue {
    /// Queue name.
    pub name: String,
    /// Attributes.
    pub attrs: BTreeMap<String, String>,
    /// RedrivePolicy resolved: (dead-letter queue name, maxReceiveCount).
    pub redrive: Option<(String, u32)>,
}

/// A DynamoDB table.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Table {
    /// TableName.
    pub name: String,
    /// PROVISIONED | PAY_PER_REQUEST.
    pub billing_mode: String,
    /// ReadCapacityUnits.
    pub rcu: Option<f64>,
    /// WriteCapacityUnits.
    pub wcu: Option<f64>,
    /// ItemCount.
    pub item_count: Option<u64>,
    /// GSIs: (IndexName, RCU, WCU).
    pub gsis: Vec<(String, Option<f64>, Option<f64>)>,
}

/// An Application Auto Scaling scalable target.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ScalableTarget {
    /// ResourceId, e.g. `table/orders`.
    pub resource_id: String,
    /// ScalableDimension, e.g. `dynamodb:table:WriteCapacityUnits`.
    pub dimension: String,
    /// MinCapacity.
    pub min: f64,
    /// MaxCapacity.
    pub max: f64,
}

/// An Application Auto Scaling target tracking policy.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AppPolicy {
    /// PolicyName.
    pub name: String,
    /// ResourceId.
    pub resource_id: String,
    /// ScalableDimension.
    pub dimension: String,
    /// PolicyType.
    pub kind: String,
    /// TargetValue.
    pub target: Option<f64>,
}

/// Everything read from the inputs.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Account {
    /// Auto Scaling groups.
    pub asgs: Vec<Asg>,
    /// Scaling policies.
    pub policies: Vec<Policy>,
    /// Metric alarms.
    pub alarms: Vec<Alarm>,
    /// Scheduled actions.
    pub scheduled: Vec<Scheduled>,
    /// Lifecycle hooks.
    pub hooks: Vec<Hook>,
    /// Warm pools.
    pub warm_pools: Vec<WarmPool>,
    /// Load balancers.
    pub lbs: Vec<Lb>,
    /// Target groups.
    pub tgs: Vec<Tg>,
    /// Target group attributes read without a target group named (the
    /// CLI's `describe-target-group-attributes` output names none): they
    /// apply to the only target group.
    pub loose_tg_attrs: Vec<(String, BTreeMap<String, String>)>,
    /// Load balancer attributes read without a load balancer named.
    pub loose_lb_attrs: Vec<(String, BTreeMap<String, String>)>,
    /// Queues.
    pub queues: Vec<Queue>,
    /// Tables.
    pub tables: Vec<Table>,
    /// Scalable targets.
    pub scalable_targets: Vec<ScalableTarget>,
    /// Application Auto Scaling policies.
    pub app_policies: Vec<AppPolicy>,
    /// Resources in the inputs that are not mapped: (source, description).
    pub unmapped: Vec<(String, String)>,
    /// Resources counted as mapped that are not resources of their own in
    /// the scenario (listeners, launch templates, target tracking alarms).
    pub extra_mapped: usize,
}

impl Account {
    /// Adds another account's contents (several files form one account).
    pub fn extend(&mut self, o: Account) {
        self.asgs.extend(o.asgs);
        self.policies.extend(o.policies);
        self.alarms.extend(o.alarms);
        self.scheduled.extend(o.scheduled);
        self.hooks.extend(o.hooks);
        self.warm_pools.extend(o.warm_pools);
        self.lbs.extend(o.lbs);
        self.tgs.extend(o.tgs);
        self.loose_tg_attrs.extend(o.loose_tg_attrs);
        self.loose_lb_attrs.extend(o.loose_lb_attrs);
        self.queues.extend(o.queues);
        self.tables.extend(o.tables);
        self.scalable_targets.extend(o.scalable_targets);
        self.app_policies.extend(o.app_policies);
        self.unmapped.extend(o.unmapped);
        self.extra_mapped += o.extra_mapped;
    }
}

/// The last `/`- or `:`-separated part of an ARN (`…:targetgroup/web-tg/73e2…`
/// gives the part after the resource type instead: see [`arn_name`]).
pub fn arn_tail(arn: &str) -> &str {
    arn.rsplit([':', '/']).next().unwrap_or(arn)
}

/// The resource name inside an ARN: `targetgroup/NAME/id`,
/// `loadbalancer/app/NAME/id`, `…:QUEUE`, `table/NAME`,
/// `autoScalingGroupName/NAME`. Anything else: the whole string.
pub fn arn_name(arn: &str) -> String {
    if !arn.starts_with("arn:") {
        return arn.to_string();
    }
    let res = arn.splitn(6, ':').nth(5).unwrap_or("");
    let parts: Vec<&str> = res.split('/').collect();
    match parts.as_slice() {
        ["targetgroup", name, ..] => name.to_string(),
        ["loadbalancer", "app" | "net" | "gwy", name, ..] => name.to_string(),
        ["table", name, ..] => name.to_string(),
        _ => {
            if let Some(i) = res.find("autoScalingGroupName/") {
                let rest = &res[i + "autoScalingGroupName/".len()..];
                return rest.split(':').next().unwrap_or(rest).to_string();
            }
            arn_tail(arn).to_string()
        }
    }
}

/// (group, policy) from an Auto Scaling policy ARN
/// (`…:scalingPolicy:ID:autoScalingGroupName/G:policyName/P`).
pub fn policy_arn_names(arn: &str) -> Option<(String, String)> {
    let g = arn.split(":autoScalingGroupName/").nth(1)?;
    let (g, rest) = g.split_once(":policyName/")?;
    Some((g.to_string(), rest.to_string()))
}

/// A bad input: the message is already `FILE[:LINE:COL]: …`.
#[derive(Debug, Clone, PartialEq)]
pub struct BadInput(pub String);

impl std::fmt::Display for BadInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// What one input file is.
#[derive(Debug)]
pub enum Input {
    /// Part of the account.
    Account(Box<Account>),
    /// `get-metric-data` output.
    Metrics(metrics::MetricData),
}

/// Reads one file, recognised by its content.
pub fn read_input(path: &Path) -> Result<Input, BadInput> {
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(path)
        .map_err(|e| BadInput(format!("{shown}:1:1: cannot read the file: {e}")))?;
    parse_input(&text, &shown)
}

/// Parses one input given as text; `shown` names it in messages.
pub fn parse_input(text: &str, shown: &str) -> Result<Input, BadInput> {
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    if trimmed.starts_with('{') || trimmed.starts_with('[') {
        let v: serde_json::Value = serde_json::from_str(text).map_err(|e| {
            BadInput(format!(
                "{shown}:{}:{}: invalid JSON: {e}",
                e.line(),
                e.column().max(1)
            ))
        })?;
        return classify_json(v, shown);
    }
    // Not JSON: a CloudFormation template in YAML is the only YAML input.
    let v = yaml::to_json(text, shown)?;
    if cfn::is_template(&v) {
        return cfn::read(&v, shown).map(|a| Input::Account(Box::new(a)));
    }
    Err(BadInput(format!(
        "{shown}:1:1: not a recognised input: a YAML file must be a CloudFormation template (with `Resources`)"
    )))
}

fn classify_json(v: serde_json::Value, shown: &str) -> Result<Input, BadInput> {
    if metrics::is_metric_data(&v) {
        return metrics::read(&v, shown).map(Input::Metrics);
    }
    if cfn::is_template(&v) {
        return cfn::read(&v, shown).map(|a| Input::Account(Box::new(a)));
    }
    if terraform::is_plan(&v) {
        return terraform::read(&v, shown).map(|a| Input::Account(Box::new(a)));
    }
    if v.get("Activities").is_some() {
        return Err(BadInput(format!(
            "{shown}:1:1: this is `autoscaling describe-scaling-activities` output: give it to `stratus backtest --activities`, not to `import`"
        )));
    }
    cli_json::read(&v, shown).map(|a| Input::Account(Box::new(a)))
}

/// What `import` produced.
#[derive(Debug)]
pub struct Imported {
    /// The scenario text.
    pub yaml: String,
    /// Trace files to write beside it: (file name, CSV text).
    pub traces: Vec<(String, String)>,
    /// Resources mapped.
    pub mapped: usize,
    /// Resources seen.
    pub total: usize,
}

/// Options of `stratus import`.
#[derive(Debug, Default, Clone)]
pub struct Options {
    /// Input files.
    pub files: Vec<PathBuf>,
    /// Scenario file to write (stdout when none).
    pub out: Option<PathBuf>,
    /// `get-metric-data` output for the workloads.
    pub metrics: Option<PathBuf>,
    /// `ID=RESOURCE` mappings of metric results to resources.
    pub map: Vec<String>,
}

/// Reads the inputs and builds the scenario (writes nothing).
pub fn import(o: &Options) -> Result<Imported, BadInput> {
    let mut acc = Account::default();
    let mut md: Option<metrics::MetricData> = None;
    for f in &o.files {
        match read_input(f)? {
            Input::Account(a) => acc.extend(*a),
            Input::Metrics(m) => md = Some(merge_metrics(md, m)),
        }
    }
    if let Some(p) = &o.metrics {
        let shown = p.display().to_string();
        match read_input(p)? {
            Input::Metrics(m) => md = Some(merge_metrics(md, m)),
            Input::Account(_) => {
                return Err(BadInput(format!(
                    "{shown}:1:1: --metrics expects `cloudwatch get-metric-data` output (`MetricDataResults`)"
                )));
            }
        }
    }
    let name = o
        .out
        .as_ref()
        .and_then(|p| p.file_stem())
        .map(|s| s.to_string_lossy().to_string())
        .unwrap_or_else(|| "imported".to_string());
    let trace_prefix = name.clone();
    emit::scenario(&acc, md.as_ref(), &name, &trace_prefix, &o.map)
}

fn merge_metrics(a: Option<metrics::MetricData>, b: metrics::MetricData) -> metrics::MetricData {
    match a {
        None => b,
        Some(mut a) => {
            a.results.extend(b.results);
            a
        }
    }
}

/// Writes the scenario and its trace files (all or nothing: each is written
/// to a temporary file first, then renamed into place).
pub fn write(out: &Path, im: &Imported) -> std::io::Result<()> {
    let dir = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&dir)?;
    let mut files = vec![(out.to_path_buf(), im.yaml.clone())];
    for (n, csv) in &im.traces {
        files.push((dir.join(n), csv.clone()));
    }
    let mut tmps = Vec::new();
    for (p, text) in &files {
        let tmp = dir.join(format!(
            ".{}.tmp-{}",
            p.file_name()
                .map(|s| s.to_string_lossy())
                .unwrap_or_default(),
            std::process::id()
        ));
        if let Err(e) = std::fs::write(&tmp, text) {
            for t in &tmps {
                let _ = std::fs::remove_file(t);
            }
            let _ = std::fs::remove_file(&tmp);
            return Err(e);
        }
        tmps.push(tmp);
    }
    for (tmp, (p, _)) in tmps.iter().zip(&files) {
        std::fs::rename(tmp, p)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arn_names() {
        assert_eq!(
            arn_name(
                "arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/web-tg/73e2d6bc24d8a067"
            ),
            "web-tg"
        );
        assert_eq!(
            arn_name("arn:aws:elasticloadbalancing:us-east-1:1:loadbalancer/app/web-alb/50dc"),
            "web-alb"
        );
        assert_eq!(arn_name("arn:aws:sqs:us-east-1:1:orders-dlq"), "orders-dlq");
        assert_eq!(
            arn_name("arn:aws:dynamodb:us-east-1:1:table/orders"),
            "orders"
        );
        assert_eq!(
            policy_arn_names(
                "arn:aws:autoscaling:us-east-1:1:scalingPolicy:c3:autoScalingGroupName/web-asg:policyName/add-on-high-cpu"
            ),
            Some(("web-asg".into(), "add-on-high-cpu".into()))
        );
    }
}
