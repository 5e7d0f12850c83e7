//! A Terraform plan as JSON (`terraform show -json plan.out`; HashiCorp's
//! "JSON Output Format": `format_version`, `planned_values.root_module` with
//! `resources[]` of `{address, mode, type, name, values}` and
//! `child_modules[]`, recursively). Attribute names are the AWS provider's
//! (`aws_autoscaling_group`, `aws_autoscaling_policy`,
//! `aws_autoscaling_schedule`, `aws_autoscaling_lifecycle_hook`,
//! `aws_cloudwatch_metric_alarm`, `aws_lb`, `aws_lb_target_group`,
//! `aws_lb_listener`, `aws_sqs_queue`, `aws_dynamodb_table`,
//! `aws_appautoscaling_target`, `aws_appautoscaling_policy`,
//! `aws_launch_template`). A plan of existing resources knows their ARNs, so
//! references are resolved through them; values only known after apply are
//! absent from `planned_values` and become `# not mapped:` comments.
//! Each resource is reshaped into the AWS CLI's output shape and read by
//! [`super::cli_json`].

use super::cli_json::{self, b, f, list, s, strings, u};
use super::*;
use serde_json::{Map, Value, json};

/// Whether `v` is a plan.
pub fn is_plan(v: &Value) -> bool {
    v.get("format_version").is_some()
        && (v.get("planned_values").is_some() || v.get("values").is_some())
}

fn collect<'a>(m: &'a Value, out: &mut Vec<&'a Value>) {
    out.extend(list(m, "resources"));
    for c in list(m, "child_modules") {
        collect(c, out);
    }
}

/// The first object of a nested block (`[ {...} ]`).
fn block<'a>(v: &'a Value, k: &str) -> Option<&'a Value> {
    list(v, k).first()
}

fn put(m: &mut Map<String, Value>, k: &str, v: Option<Value>) {
    if let Some(v) = v.filter(|v| !v.is_null()) {
        m.insert(k.into(), v);
    }
}

/// Reads a plan.
pub fn read(v: &Value, shown: &str) -> Result<Account, BadInput> {
    let Some(root) = v
        .get("planned_values")
        .or_else(|| v.get("values"))
        .and_then(|p| p.get("root_module"))
    else {
        return Err(BadInput(format!(
            "{shown}:1:1: a Terraform plan needs `planned_values.root_module` (`terraform show -json plan.out`)"
        )));
    };
    let mut rs = Vec::new();
    collect(root, &mut rs);
    let mut a = Account::default();
    let mut launch_types: BTreeMap<String, String> = BTreeMap::new();
    let mut listeners: Vec<(String, Vec<String>)> = Vec::new();
    for r in rs {
        if s(r, "mode").as_deref() == Some("data") {
            continue;
        }
        let ty = s(r, "type").unwrap_or_default();
        let addr = s(r, "address").unwrap_or_default();
        let x = r.get("values").cloned().unwrap_or(Value::Null);
        let at = format!("{shown}: {addr}");
        match ty.as_str() {
            "aws_autoscaling_group" => {
                let mut g = Map::new();
                put(&mut g, "AutoScalingGroupName", x.get("name").cloned());
                put(&mut g, "MinSize", x.get("min_size").cloned());
                put(&mut g, "MaxSize", x.get("max_size").cloned());
                put(
                    &mut g,
                    "DesiredCapacity",
                    x.get("desired_capacity").cloned(),
                );
                put(
                    &mut g,
                    "AvailabilityZones",
                    x.get("availability_zones").cloned(),
                );
                put(
                    &mut g,
                    "HealthCheckType",
                    x.get("health_check_type").cloned(),
                );
                put(
                    &mut g,
                    "HealthCheckGracePeriod",
                    x.get("health_check_grace_period").cloned(),
                );
                put(
                    &mut g,
                    "DefaultCooldown",
                    x.get("default_cooldown").cloned(),
                );
                put(
                    &mut g,
                    "DefaultInstanceWarmup",
                    x.get("default_instance_warmup")
                        .cloned()
                        .filter(|w| w.as_f64().is_some_and(|w| w > 0.0)),
                );
                put(
                    &mut g,
                    "TerminationPolicies",
                    x.get("termination_policies").cloned(),
                );
                put(
                    &mut g,
                    "NewInstancesProtectedFromScaleIn",
                    x.get("protect_from_scale_in").cloned(),
                );
                put(
                    &mut g,
                    "MaxInstanceLifetime",
                    x.get("max_instance_lifetime")
                        .cloned()
                        .filter(|w| w.as_f64().is_some_and(|w| w > 0.0)),
                );
                put(
                    &mut g,
                    "TargetGroupARNs",
                    x.get("target_group_arns").cloned(),
                );
                put(
                    &mut g,
                    "SuspendedProcesses",
                    Some(Value::Array(
                        strings(&x, "suspended_processes")
                            .into_iter()
                            .map(|p| json!({"ProcessName": p}))
                            .collect(),
                    )),
                );
                if let Some(lt) = block(&x, "launch_template") {
                    g.insert(
                        "LaunchTemplate".into(),
                        json!({"LaunchTemplateName": s(lt, "name").or_else(|| s(lt, "id")), "Version": s(lt, "version")}),
                    );
                }
                let name = s(&x, "name").unwrap_or_else(|| s(r, "name").unwrap_or_default());
                for h in list(&x, "initial_lifecycle_hook") {
                    a.hooks.push(Hook {
                        group: name.clone(),
                        name: s(h, "name").unwrap_or_default(),
                        transition: s(h, "lifecycle_transition").unwrap_or_default(),
                        heartbeat: u(h, "heartbeat_timeout"),
                        default_result: s(h, "default_result"),
                    });
                }
                if let Some(w) = block(&x, "warm_pool") {
                    a.warm_pools.push(WarmPool {
                        group: name.clone(),
                        min_size: u(w, "min_size").unwrap_or(0) as u32,
                        max_prepared: f(w, "max_group_prepared_capacity")
                            .filter(|m| *m >= 0.0)
                            .map(|m| m as u32),
                        state: s(w, "pool_state"),
                    });
                }
                a.asgs.push(cli_json::asg(&Value::Object(g), &at)?);
            }
            "aws_autoscaling_policy" => {
                let mut p = Map::new();
                put(
                    &mut p,
                    "AutoScalingGroupName",
                    x.get("autoscaling_group_name").cloned(),
                );
                put(&mut p, "PolicyName", x.get("name").cloned());
                put(&mut p, "PolicyType", x.get("policy_type").cloned());
                put(&mut p, "Enabled", x.get("enabled").cloned());
                put(
                    &mut p,
                    "AdjustmentType",
                    x.get("adjustment_type").cloned().filter(|t| t != ""),
                );
                put(
                    &mut p,
                    "ScalingAdjustment",
                    x.get("scaling_adjustment").cloned(),
                );
                put(
                    &mut p,
                    "Cooldown",
                    x.get("cooldown")
                        .cloned()
                        .filter(|w| w.as_f64().is_some_and(|w| w > 0.0)),
                );
                put(
                    &mut p,
                    "EstimatedInstanceWarmup",
                    // The provider writes 0 for "not set".
                    x.get("estimated_instance_warmup")
                        .cloned()
                        .filter(|w| w.as_f64().is_some_and(|w| w > 0.0)),
                );
                put(
                    &mut p,
                    "MetricAggregationType",
                    x.get("metric_aggregation_type")
                        .cloned()
                        .filter(|t| t != ""),
                );
                put(
                    &mut p,
                    "MinAdjustmentMagnitude",
                    x.get("min_adjustment_magnitude").cloned(),
                );
                let steps: Vec<Value> = list(&x, "step_adjustment")
                    .iter()
                    .map(|st| {
                        let mut m = Map::new();
                        // The provider keeps the bounds as strings ("" = none).
                        put(
                            &mut m,
                            "MetricIntervalLowerBound",
                            f(st, "metric_interval_lower_bound").map(Value::from),
                        );
                        put(
                            &mut m,
                            "MetricIntervalUpperBound",
                            f(st, "metric_interval_upper_bound").map(Value::from),
                        );
                        put(
                            &mut m,
                            "ScalingAdjustment",
                            st.get("scaling_adjustment").cloned(),
                        );
                        Value::Object(m)
                    })
                    .collect();
                p.insert("StepAdjustments".into(), Value::Array(steps));
                if let Some(tt) = block(&x, "target_tracking_configuration") {
                    let mut t = Map::new();
                    put(&mut t, "TargetValue", tt.get("target_value").cloned());
                    put(
                        &mut t,
                        "DisableScaleIn",
                        tt.get("disable_scale_in").cloned(),
                    );
                    if let Some(pm) = block(tt, "predefined_metric_specification") {
                        t.insert(
                            "PredefinedMetricSpecification".into(),
                            json!({"PredefinedMetricType": s(pm, "predefined_metric_type")}),
                        );
                    }
                    if block(tt, "customized_metric_specification").is_some() {
                        t.insert("CustomizedMetricSpecification".into(), json!({}));
                    }
                    p.insert("TargetTrackingConfiguration".into(), Value::Object(t));
                }
                a.policies.push(cli_json::policy(&Value::Object(p), &at)?);
            }
            "aws_cloudwatch_metric_alarm" => {
                let mut m = Map::new();
                put(&mut m, "AlarmName", x.get("alarm_name").cloned());
                put(&mut m, "MetricName", x.get("metric_name").cloned());
                put(&mut m, "Namespace", x.get("namespace").cloned());
                put(
                    &mut m,
                    "Statistic",
                    x.get("statistic").cloned().filter(|t| t != ""),
                );
                put(
                    &mut m,
                    "ExtendedStatistic",
                    x.get("extended_statistic").cloned().filter(|t| t != ""),
                );
                put(&mut m, "Period", x.get("period").cloned());
                put(
                    &mut m,
                    "EvaluationPeriods",
                    x.get("evaluation_periods").cloned(),
                );
                put(
                    &mut m,
                    "DatapointsToAlarm",
                    x.get("datapoints_to_alarm")
                        .cloned()
                        .filter(|d| d.as_f64().is_some_and(|d| d > 0.0)),
                );
                put(&mut m, "Threshold", x.get("threshold").cloned());
                put(
                    &mut m,
                    "ComparisonOperator",
                    x.get("comparison_operator").cloned(),
                );
                put(
                    &mut m,
                    "TreatMissingData",
                    x.get("treat_missing_data").cloned(),
                );
                put(&mut m, "AlarmActions", x.get("alarm_actions").cloned());
                let dims: Vec<Value> = x
                    .get("dimensions")
                    .and_then(Value::as_object)
                    .map(|d| {
                        d.iter()
                            .map(|(k, v)| json!({"Name": k, "Value": v}))
                            .collect()
                    })
                    .unwrap_or_default();
                m.insert("Dimensions".into(), Value::Array(dims));
                a.alarms.push(cli_json::alarm(&Value::Object(m)));
            }
            "aws_autoscaling_schedule" => a.scheduled.push(Scheduled {
                group: s(&x, "autoscaling_group_name").unwrap_or_default(),
                name: s(&x, "scheduled_action_name").unwrap_or_default(),
                recurrence: s(&x, "recurrence").filter(|r| !r.is_empty()),
                start: s(&x, "start_time")
                    .and_then(|t| time::parse_iso(&t))
                    .map(|t| t as i64),
                time_zone: s(&x, "time_zone").filter(|r| !r.is_empty()),
                min: f(&x, "min_size").filter(|v| *v >= 0.0).map(|v| v as u32),
                max: f(&x, "max_size").filter(|v| *v >= 0.0).map(|v| v as u32),
                desired: f(&x, "desired_capacity")
                    .filter(|v| *v >= 0.0)
                    .map(|v| v as u32),
            }),
            "aws_autoscaling_lifecycle_hook" => a.hooks.push(Hook {
                group: s(&x, "autoscaling_group_name").unwrap_or_default(),
                name: s(&x, "name").unwrap_or_default(),
                transition: s(&x, "lifecycle_transition").unwrap_or_default(),
                heartbeat: u(&x, "heartbeat_timeout"),
                default_result: s(&x, "default_result"),
            }),
            "aws_lb" | "aws_alb" => a.lbs.push(Lb {
                name: s(&x, "name").unwrap_or_default(),
                kind: s(&x, "load_balancer_type").unwrap_or_else(|| "application".into()),
                idle_timeout: u(&x, "idle_timeout"),
            }),
            "aws_lb_target_group" | "aws_alb_target_group" => {
                let hc = block(&x, "health_check");
                let mut attrs = BTreeMap::new();
                if let Some(st) = block(&x, "stickiness") {
                    attrs.insert(
                        "stickiness.enabled".into(),
                        b(st, "enabled").unwrap_or(false).to_string(),
                    );
                    if let Some(t) = s(st, "type") {
                        attrs.insert("stickiness.type".into(), t.clone());
                        if let Some(d) = u(st, "cookie_duration") {
                            attrs.insert(format!("stickiness.{t}.duration_seconds"), d.to_string());
                        }
                        if let Some(c) = s(st, "cookie_name").filter(|c| !c.is_empty()) {
                            attrs.insert(format!("stickiness.{t}.cookie_name"), c);
                        }
                    }
                }
                if let Some(d) = s(&x, "deregistration_delay") {
                    attrs.insert("deregistration_delay.timeout_seconds".into(), d);
                }
                if let Some(d) = s(&x, "slow_start") {
                    attrs.insert("slow_start.duration_seconds".into(), d);
                }
                if let Some(d) = s(&x, "load_balancing_algorithm_type") {
                    attrs.insert("load_balancing.algorithm.type".into(), d);
                }
                if let Some(d) = s(&x, "load_balancing_cross_zone_enabled") {
                    attrs.insert("load_balancing.cross_zone.enabled".into(), d);
                }
                a.tgs.push(Tg {
                    name: s(&x, "name").unwrap_or_default(),
                    load_balancers: Vec::new(),
                    hc_interval: hc.and_then(|h| u(h, "interval")),
                    hc_timeout: hc.and_then(|h| u(h, "timeout")),
                    healthy: hc.and_then(|h| u(h, "healthy_threshold")).map(|x| x as u32),
                    unhealthy: hc
                        .and_then(|h| u(h, "unhealthy_threshold"))
                        .map(|x| x as u32),
                    attrs,
                });
            }
            "aws_lb_listener" | "aws_alb_listener" => {
                let lb = s(&x, "load_balancer_arn")
                    .map(|l| arn_name(&l))
                    .unwrap_or_default();
                let tgs = list(&x, "default_action")
                    .iter()
                    .filter_map(|d| s(d, "target_group_arn"))
                    .map(|t| arn_name(&t))
                    .collect();
                listeners.push((lb, tgs));
                a.extra_mapped += 1;
            }
            "aws_sqs_queue" => {
                let name = s(&x, "name").unwrap_or_default();
                let mut m = Map::new();
                m.insert(
                    "QueueArn".into(),
                    s(&x, "arn")
                        .unwrap_or_else(|| format!("arn:aws:sqs:us-east-1:123456789012:{name}"))
                        .into(),
                );
                for (k, tf) in [
                    ("VisibilityTimeout", "visibility_timeout_seconds"),
                    ("MessageRetentionPeriod", "message_retention_seconds"),
                    ("DelaySeconds", "delay_seconds"),
                    ("ReceiveMessageWaitTimeSeconds", "receive_wait_time_seconds"),
                    ("MaximumMessageSize", "max_message_size"),
                    ("FifoQueue", "fifo_queue"),
                    ("ContentBasedDeduplication", "content_based_deduplication"),
                    ("RedrivePolicy", "redrive_policy"),
                ] {
                    if let Some(v) = s(&x, tf).filter(|v| !v.is_empty()) {
                        m.insert(k.into(), v.into());
                    }
                }
                a.queues.push(cli_json::queue(&Value::Object(m), &at)?);
            }
            "aws_dynamodb_table" => {
                let billing = s(&x, "billing_mode").unwrap_or_else(|| "PROVISIONED".into());
                let gsis: Vec<Value> = list(&x, "global_secondary_index")
                    .iter()
                    .map(|g| {
                        json!({"IndexName": s(g, "name"), "ProvisionedThroughput": {
                            "ReadCapacityUnits": f(g, "read_capacity"), "WriteCapacityUnits": f(g, "write_capacity")}})
                    })
                    .collect();
                a.tables.push(cli_json::table(&json!({
                    "TableName": s(&x, "name"),
                    "BillingModeSummary": {"BillingMode": billing},
                    "ProvisionedThroughput": {"ReadCapacityUnits": f(&x, "read_capacity"), "WriteCapacityUnits": f(&x, "write_capacity")},
                    "GlobalSecondaryIndexes": gsis,
                })));
            }
            "aws_appautoscaling_target" => a.scalable_targets.push(ScalableTarget {
                resource_id: s(&x, "resource_id").unwrap_or_default(),
                dimension: s(&x, "scalable_dimension").unwrap_or_default(),
                min: f(&x, "min_capacity").unwrap_or(0.0),
                max: f(&x, "max_capacity").unwrap_or(0.0),
            }),
            "aws_appautoscaling_policy" => {
                let tt = block(&x, "target_tracking_scaling_policy_configuration");
                a.app_policies.push(AppPolicy {
                    name: s(&x, "name").unwrap_or_default(),
                    resource_id: s(&x, "resource_id").unwrap_or_default(),
                    dimension: s(&x, "scalable_dimension").unwrap_or_default(),
                    kind: s(&x, "policy_type").unwrap_or_else(|| "StepScaling".into()),
                    target: tt.and_then(|t| f(t, "target_value")),
                });
            }
            "aws_launch_template" => {
                if let (Some(n), Some(t)) = (s(&x, "name"), s(&x, "instance_type")) {
                    launch_types.insert(n, t);
                }
                a.extra_mapped += 1;
            }
            other => a.unmapped.push((
                shown.to_string(),
                format!("resource {addr} of type {other}"),
            )),
        }
    }
    for (lb, tgs) in listeners {
        for t in tgs {
            if let Some(tg) = a.tgs.iter_mut().find(|x| x.name == t)
                && !tg.load_balancers.contains(&lb)
            {
                tg.load_balancers.push(lb.clone());
            }
        }
    }
    for g in &mut a.asgs {
        if g.instance_type.is_none()
            && let Some((lt, _)) = &g.launch_template
        {
            g.instance_type = launch_types.get(lt).cloned();
        }
    }
    Ok(a)
}
