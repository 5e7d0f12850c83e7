//! The JSON the AWS CLI prints, recognised by its top-level keys. Shapes
//! are the output shapes of botocore's service models (the models the CLI
//! is generated from): `autoscaling` 2011-01-01 (DescribeAutoScalingGroups,
//! DescribePolicies, DescribeScheduledActions, DescribeLifecycleHooks,
//! DescribeWarmPool), `cloudwatch` 2010-08-01 (DescribeAlarms), `elbv2`
//! 2015-12-01 (DescribeLoadBalancers, DescribeTargetGroups,
//! DescribeTargetGroupAttributes, DescribeLoadBalancerAttributes), `sqs`
//! 2012-11-05 (GetQueueAttributes), `dynamodb` 2012-08-10 (DescribeTable),
//! `application-autoscaling` 2016-02-06 (DescribeScalableTargets,
//! DescribeScalingPolicies). `tests/shapes/check_cli_json.py` checks the
//! example account's files against those models.

use super::*;
use serde_json::Value;

/// `v[k]` as a string.
pub fn s(v: &Value, k: &str) -> Option<String> {
    match v.get(k)? {
        Value::String(x) => Some(x.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// `v[k]` as a number (numbers, or strings holding one, as SQS and
/// CloudFormation write them).
pub fn f(v: &Value, k: &str) -> Option<f64> {
    match v.get(k)? {
        Value::Number(n) => n.as_f64(),
        Value::String(x) => x.trim().parse().ok(),
        _ => None,
    }
}

/// `v[k]` as a non-negative integer.
pub fn u(v: &Value, k: &str) -> Option<u64> {
    f(v, k)
        .filter(|x| *x >= 0.0 && x.fract() == 0.0)
        .map(|x| x as u64)
}

/// `v[k]` as a bool (also `"true"`).
pub fn b(v: &Value, k: &str) -> Option<bool> {
    match v.get(k)? {
        Value::Bool(b) => Some(*b),
        Value::String(x) => x.parse().ok(),
        _ => None,
    }
}

/// `v[k]` as a list (empty when absent).
pub fn list<'a>(v: &'a Value, k: &str) -> &'a [Value] {
    v.get(k)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// `v[k]` as a list of strings.
pub fn strings(v: &Value, k: &str) -> Vec<String> {
    list(v, k)
        .iter()
        .filter_map(|x| x.as_str().map(str::to_string))
        .collect()
}

fn bad(shown: &str, msg: impl std::fmt::Display) -> BadInput {
    BadInput(format!("{shown}:1:1: {msg}"))
}

/// Reads one CLI output.
pub fn read(v: &Value, shown: &str) -> Result<Account, BadInput> {
    let mut a = Account::default();
    let Some(obj) = v.as_object() else {
        return Err(bad(shown, "not a recognised input: expected a JSON object"));
    };
    if let Some(gs) = obj.get("AutoScalingGroups") {
        for g in gs.as_array().map_or(&[][..], Vec::as_slice) {
            a.asgs.push(asg(g, shown)?);
        }
    } else if obj.contains_key("ScalingPolicies") {
        for p in list(v, "ScalingPolicies") {
            if p.get("ServiceNamespace").is_some() {
                a.app_policies.push(app_policy(p));
            } else {
                a.policies.push(policy(p, shown)?);
            }
        }
    } else if obj.contains_key("ScheduledUpdateGroupActions") {
        for x in list(v, "ScheduledUpdateGroupActions") {
            a.scheduled.push(Scheduled {
                group: s(x, "AutoScalingGroupName").unwrap_or_default(),
                name: s(x, "ScheduledActionName").unwrap_or_default(),
                recurrence: s(x, "Recurrence"),
                start: s(x, "StartTime")
                    .and_then(|t| time::parse_iso(&t))
                    .map(|t| t as i64),
                time_zone: s(x, "TimeZone"),
                min: u(x, "MinSize").map(|x| x as u32),
                max: u(x, "MaxSize").map(|x| x as u32),
                desired: u(x, "DesiredCapacity").map(|x| x as u32),
            });
        }
    } else if obj.contains_key("LifecycleHooks") {
        for x in list(v, "LifecycleHooks") {
            a.hooks.push(Hook {
                group: s(x, "AutoScalingGroupName").unwrap_or_default(),
                name: s(x, "LifecycleHookName").unwrap_or_default(),
                transition: s(x, "LifecycleTransition").unwrap_or_default(),
                heartbeat: u(x, "HeartbeatTimeout"),
                default_result: s(x, "DefaultResult"),
            });
        }
    } else if obj.contains_key("WarmPoolConfiguration")
        || (obj.contains_key("Instances") && obj.len() <= 3)
    {
        if let Some(w) = obj.get("WarmPoolConfiguration").filter(|w| w.is_object()) {
            a.warm_pools.push(WarmPool {
                group: String::new(),
                min_size: u(w, "MinSize").unwrap_or(0) as u32,
                max_prepared: u(w, "MaxGroupPreparedCapacity").map(|x| x as u32),
                state: s(w, "PoolState"),
            });
        }
    } else if obj.contains_key("MetricAlarms") || obj.contains_key("CompositeAlarms") {
        for x in list(v, "MetricAlarms") {
            a.alarms.push(alarm(x));
        }
        for x in list(v, "CompositeAlarms") {
            a.unmapped.push((
                shown.to_string(),
                format!(
                    "composite alarm {}: composite alarms are not modelled",
                    s(x, "AlarmName").unwrap_or_default()
                ),
            ));
        }
    } else if obj.contains_key("LoadBalancers") {
        for x in list(v, "LoadBalancers") {
            if x.get("LoadBalancerArn").is_none() {
                return Err(bad(
                    shown,
                    "this looks like Classic Load Balancer output (`elb describe-load-balancers`); export `elbv2 describe-load-balancers`",
                ));
            }
            a.lbs.push(Lb {
                name: s(x, "LoadBalancerName").unwrap_or_default(),
                kind: s(x, "Type").unwrap_or_else(|| "application".into()),
                idle_timeout: None,
            });
        }
    } else if obj.contains_key("TargetGroups") {
        for x in list(v, "TargetGroups") {
            a.tgs.push(Tg {
                name: s(x, "TargetGroupName").unwrap_or_default(),
                load_balancers: strings(x, "LoadBalancerArns")
                    .iter()
                    .map(|a| arn_name(a))
                    .collect(),
                hc_interval: u(x, "HealthCheckIntervalSeconds"),
                hc_timeout: u(x, "HealthCheckTimeoutSeconds"),
                healthy: u(x, "HealthyThresholdCount").map(|x| x as u32),
                unhealthy: u(x, "UnhealthyThresholdCount").map(|x| x as u32),
                attrs: BTreeMap::new(),
            });
        }
    } else if let Some(attrs) = obj.get("Attributes") {
        match attrs {
            // elbv2 describe-target-group-attributes / describe-load-balancer-attributes
            Value::Array(items) => {
                let m: BTreeMap<String, String> = items
                    .iter()
                    .filter_map(|x| Some((s(x, "Key")?, s(x, "Value")?)))
                    .collect();
                let tg_keys = [
                    "stickiness.",
                    "deregistration_delay.",
                    "slow_start.",
                    "load_balancing.algorithm",
                ];
                if m.keys().any(|k| tg_keys.iter().any(|p| k.starts_with(p))) {
                    a.loose_tg_attrs.push((shown.to_string(), m));
                } else {
                    a.loose_lb_attrs.push((shown.to_string(), m));
                }
            }
            // sqs get-queue-attributes
            Value::Object(_) => a.queues.push(queue(attrs, shown)?),
            _ => return Err(bad(shown, "`Attributes` is neither a list nor a map")),
        }
    } else if let Some(t) = obj.get("Table") {
        a.tables.push(table(t));
    } else if obj.contains_key("ScalableTargets") {
        for x in list(v, "ScalableTargets") {
            a.scalable_targets.push(ScalableTarget {
                resource_id: s(x, "ResourceId").unwrap_or_default(),
                dimension: s(x, "ScalableDimension").unwrap_or_default(),
                min: f(x, "MinCapacity").unwrap_or(0.0),
                max: f(x, "MaxCapacity").unwrap_or(0.0),
            });
        }
    } else {
        let keys: Vec<&str> = obj.keys().map(String::as_str).take(4).collect();
        return Err(bad(
            shown,
            format!(
                "not a recognised input (top-level keys: {}): expected the JSON output of an AWS CLI describe call, a CloudFormation template or a Terraform plan (`terraform show -json`)",
                if keys.is_empty() {
                    "none".to_string()
                } else {
                    keys.join(", ")
                }
            ),
        ));
    }
    Ok(a)
}

/// An Auto Scaling group from `describe-auto-scaling-groups` keys.
pub fn asg(g: &Value, shown: &str) -> Result<Asg, BadInput> {
    let name = s(g, "AutoScalingGroupName")
        .ok_or_else(|| bad(shown, "AutoScalingGroups[]: no AutoScalingGroupName"))?;
    let mut unmapped = Vec::new();
    if g.get("MixedInstancesPolicy").is_some() {
        unmapped.push("MixedInstancesPolicy (one instance type is modelled)".to_string());
    }
    if b(g, "CapacityRebalance") == Some(true) {
        unmapped.push("CapacityRebalance".to_string());
    }
    if let Some(lc) = s(g, "LaunchConfigurationName") {
        unmapped.push(format!("LaunchConfigurationName {lc} (launch configurations are not modelled; the group's instances are)"));
    }
    if !strings(g, "LoadBalancerNames").is_empty() {
        unmapped.push("LoadBalancerNames (Classic Load Balancers)".to_string());
    }
    let lt = g.get("LaunchTemplate").map(|t| {
        (
            s(t, "LaunchTemplateName")
                .or_else(|| s(t, "LaunchTemplateId"))
                .unwrap_or_default(),
            s(t, "Version").unwrap_or_else(|| "$Default".into()),
        )
    });
    let instance_type = list(g, "Instances")
        .iter()
        .find_map(|i| s(i, "InstanceType"));
    let warm = g.get("WarmPoolConfiguration");
    let _ = warm;
    Ok(Asg {
        name,
        min: u(g, "MinSize").unwrap_or(0) as u32,
        max: u(g, "MaxSize").unwrap_or(0) as u32,
        desired: u(g, "DesiredCapacity").map(|x| x as u32),
        azs: strings(g, "AvailabilityZones"),
        health_check_type: s(g, "HealthCheckType"),
        grace_period: u(g, "HealthCheckGracePeriod"),
        cooldown: u(g, "DefaultCooldown"),
        warmup: u(g, "DefaultInstanceWarmup"),
        termination_policies: strings(g, "TerminationPolicies"),
        protect: b(g, "NewInstancesProtectedFromScaleIn").unwrap_or(false),
        suspended: list(g, "SuspendedProcesses")
            .iter()
            .filter_map(|p| s(p, "ProcessName"))
            .collect(),
        max_lifetime: u(g, "MaxInstanceLifetime"),
        target_groups: strings(g, "TargetGroupARNs")
            .iter()
            .map(|a| arn_name(a))
            .collect(),
        launch_template: lt,
        instance_type,
        unmapped,
    })
}

/// A step adjustment from AWS's keys.
pub fn step(x: &Value) -> Step {
    Step {
        lower: f(x, "MetricIntervalLowerBound"),
        upper: f(x, "MetricIntervalUpperBound"),
        adjustment: f(x, "ScalingAdjustment").unwrap_or(0.0) as i64,
    }
}

/// A scaling policy from `describe-policies` keys.
pub fn policy(p: &Value, shown: &str) -> Result<Policy, BadInput> {
    let mut unmapped = Vec::new();
    let tt = p.get("TargetTrackingConfiguration");
    let tt_metric = tt.and_then(|t| {
        t.get("PredefinedMetricSpecification")
            .and_then(|m| s(m, "PredefinedMetricType"))
    });
    if tt.is_some_and(|t| t.get("CustomizedMetricSpecification").is_some()) {
        unmapped.push(
            "TargetTrackingConfiguration.CustomizedMetricSpecification (a customized metric)"
                .into(),
        );
    }
    Ok(Policy {
        group: s(p, "AutoScalingGroupName")
            .ok_or_else(|| bad(shown, "ScalingPolicies[]: no AutoScalingGroupName"))?,
        name: s(p, "PolicyName").unwrap_or_default(),
        kind: s(p, "PolicyType").unwrap_or_else(|| "SimpleScaling".into()),
        enabled: b(p, "Enabled").unwrap_or(true),
        tt_metric,
        tt_target: tt.and_then(|t| f(t, "TargetValue")),
        disable_scale_in: tt.and_then(|t| b(t, "DisableScaleIn")).unwrap_or(false),
        adjustment_type: s(p, "AdjustmentType"),
        adjustment: f(p, "ScalingAdjustment").map(|x| x as i64),
        cooldown: u(p, "Cooldown"),
        steps: list(p, "StepAdjustments").iter().map(step).collect(),
        min_adjustment_magnitude: f(p, "MinAdjustmentMagnitude").map(|x| x as i64),
        warmup: u(p, "EstimatedInstanceWarmup"),
        aggregation: s(p, "MetricAggregationType"),
        unmapped,
    })
}

/// A metric alarm from `describe-alarms` keys.
pub fn alarm(x: &Value) -> Alarm {
    Alarm {
        name: s(x, "AlarmName").unwrap_or_default(),
        metric: s(x, "MetricName").unwrap_or_default(),
        namespace: s(x, "Namespace").unwrap_or_default(),
        statistic: s(x, "Statistic")
            .or_else(|| s(x, "ExtendedStatistic"))
            .unwrap_or_else(|| "Average".into()),
        dimensions: list(x, "Dimensions")
            .iter()
            .filter_map(|d| Some((s(d, "Name")?, s(d, "Value")?)))
            .collect(),
        period: u(x, "Period").unwrap_or(60),
        evaluation_periods: u(x, "EvaluationPeriods").unwrap_or(1) as u32,
        datapoints_to_alarm: u(x, "DatapointsToAlarm").map(|x| x as u32),
        threshold: f(x, "Threshold").unwrap_or(0.0),
        comparison: s(x, "ComparisonOperator").unwrap_or_default(),
        treat_missing: s(x, "TreatMissingData"),
        actions: strings(x, "AlarmActions")
            .iter()
            .filter_map(|a| policy_arn_names(a))
            .collect(),
    }
}

/// A queue from `get-queue-attributes` (or CloudFormation/Terraform values
/// renamed to the same keys). `QueueArn` names it.
pub fn queue(attrs: &Value, shown: &str) -> Result<Queue, BadInput> {
    let m: BTreeMap<String, String> = attrs
        .as_object()
        .map(|o| {
            o.iter()
                .filter_map(|(k, v)| {
                    let t = match v {
                        Value::String(s) => s.clone(),
                        Value::Number(n) => n.to_string(),
                        Value::Bool(b) => b.to_string(),
                        _ => return None,
                    };
                    Some((k.clone(), t))
                })
                .collect()
        })
        .unwrap_or_default();
    let Some(arn) = m.get("QueueArn") else {
        return Err(bad(
            shown,
            "SQS attributes without `QueueArn`, so the queue has no name: export with `aws sqs get-queue-attributes --queue-url URL --attribute-names All`",
        ));
    };
    let name = arn_name(arn);
    let redrive = match m.get("RedrivePolicy") {
        Some(r) => Some(redrive_policy(r).ok_or_else(|| {
            bad(shown, format!("Attributes.RedrivePolicy: expected JSON with deadLetterTargetArn and maxReceiveCount, found {r}"))
        })?),
        None => None,
    };
    Ok(Queue {
        name,
        attrs: m,
        redrive,
    })
}

/// `{"deadLetterTargetArn": ARN, "maxReceiveCount": N}` (N a number or a string).
pub fn redrive_policy(text: &str) -> Option<(String, u32)> {
    let v: Value = serde_json::from_str(text).ok()?;
    Some((
        arn_name(&s(&v, "deadLetterTargetArn")?),
        u(&v, "maxReceiveCount")? as u32,
    ))
}

/// A table from `describe-table` keys (`Table`).
pub fn table(t: &Value) -> Table {
    let pt = t.get("ProvisionedThroughput");
    let billing = t
        .get("BillingModeSummary")
        .and_then(|b| s(b, "BillingMode"))
        .unwrap_or_else(|| "PROVISIONED".into());
    let cap = |p: Option<&Value>, k: &str| p.and_then(|p| f(p, k)).filter(|x| *x > 0.0);
    Table {
        name: s(t, "TableName").unwrap_or_default(),
        rcu: cap(pt, "ReadCapacityUnits"),
        wcu: cap(pt, "WriteCapacityUnits"),
        billing_mode: billing,
        item_count: u(t, "ItemCount").filter(|n| *n > 0),
        gsis: list(t, "GlobalSecondaryIndexes")
            .iter()
            .map(|g| {
                let p = g.get("ProvisionedThroughput");
                (
                    s(g, "IndexName").unwrap_or_default(),
                    cap(p, "ReadCapacityUnits"),
                    cap(p, "WriteCapacityUnits"),
                )
            })
            .collect(),
    }
}

/// An Application Auto Scaling policy from `describe-scaling-policies` keys.
pub fn app_policy(p: &Value) -> AppPolicy {
    let tt = p.get("TargetTrackingScalingPolicyConfiguration");
    AppPolicy {
        name: s(p, "PolicyName").unwrap_or_default(),
        resource_id: s(p, "ResourceId").unwrap_or_default(),
        dimension: s(p, "ScalableDimension").unwrap_or_default(),
        kind: s(p, "PolicyType").unwrap_or_default(),
        target: tt.and_then(|t| f(t, "TargetValue")),
    }
}
