//! A CloudFormation template (JSON, or YAML through [`super::yaml`]).
//! Property names are those of the CloudFormation resource reference
//! (`AWS::AutoScaling::AutoScalingGroup`, `…::ScalingPolicy`,
//! `…::ScheduledAction`, `…::LifecycleHook`, `…::WarmPool`,
//! `AWS::CloudWatch::Alarm`, `AWS::ElasticLoadBalancingV2::LoadBalancer`,
//! `…::TargetGroup`, `…::Listener`, `AWS::SQS::Queue`,
//! `AWS::DynamoDB::Table`, `AWS::ApplicationAutoScaling::ScalableTarget`,
//! `…::ScalingPolicy`, `AWS::EC2::LaunchTemplate`). `Ref`, `Fn::GetAtt`,
//! `Fn::Sub` and `Fn::Join` are resolved to the physical names; each
//! resource is reshaped into the AWS CLI's output shape and read by
//! [`super::cli_json`], so the three input formats share one reader.

use super::cli_json::{self, list, s};
use super::*;
use serde_json::{Map, Value, json};

/// Whether `v` is a CloudFormation template.
pub fn is_template(v: &Value) -> bool {
    v.get("AWSTemplateFormatVersion").is_some()
        || v.get("Resources")
            .and_then(Value::as_object)
            .is_some_and(|r| {
                r.values().any(|x| {
                    x.get("Type")
                        .and_then(Value::as_str)
                        .is_some_and(|t| t.starts_with("AWS::"))
                })
            })
}

/// `AddOnHighCpu` → `add-on-high-cpu` (a policy's name when the template
/// gives none; AWS would generate one from the stack name).
pub fn kebab(id: &str) -> String {
    let mut out = String::new();
    let cs: Vec<char> = id.chars().collect();
    for (i, &c) in cs.iter().enumerate() {
        if c.is_ascii_uppercase() {
            let prev_lower =
                i > 0 && (cs[i - 1].is_ascii_lowercase() || cs[i - 1].is_ascii_digit());
            let next_lower = cs.get(i + 1).is_some_and(|n| n.is_ascii_lowercase());
            let prev_upper = i > 0 && cs[i - 1].is_ascii_uppercase();
            if i > 0 && (prev_lower || (prev_upper && next_lower)) {
                out.push('-');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

const NAME_PROP: [(&str, &str); 12] = [
    ("AWS::AutoScaling::AutoScalingGroup", "AutoScalingGroupName"),
    ("AWS::ElasticLoadBalancingV2::LoadBalancer", "Name"),
    ("AWS::ElasticLoadBalancingV2::TargetGroup", "Name"),
    ("AWS::SQS::Queue", "QueueName"),
    ("AWS::DynamoDB::Table", "TableName"),
    ("AWS::CloudWatch::Alarm", "AlarmName"),
    ("AWS::ApplicationAutoScaling::ScalingPolicy", "PolicyName"),
    ("AWS::AutoScaling::LifecycleHook", "LifecycleHookName"),
    ("AWS::EC2::LaunchTemplate", "LaunchTemplateName"),
    ("AWS::AutoScaling::ScalingPolicy", ""),
    ("AWS::AutoScaling::ScheduledAction", ""),
    ("AWS::ApplicationAutoScaling::ScalableTarget", ""),
];

struct Ctx<'a> {
    resources: &'a Map<String, Value>,
    params: Map<String, Value>,
    names: BTreeMap<String, String>,
}

impl Ctx<'_> {
    fn ty(&self, id: &str) -> &str {
        self.resources
            .get(id)
            .and_then(|r| r.get("Type"))
            .and_then(Value::as_str)
            .unwrap_or("")
    }

    /// What `Ref`/`Fn::GetAtt` of a logical id gives, as far as the
    /// scenario needs: names, and for a scaling policy an ARN naming its
    /// group and policy (what `Ref` returns for one).
    fn reference(&self, id: &str, attr: Option<&str>) -> Option<Value> {
        if let Some(p) = self.params.get(id) {
            return p.get("Default").cloned();
        }
        match id {
            "AWS::Region" => return Some("us-east-1".into()),
            "AWS::AccountId" => return Some("123456789012".into()),
            "AWS::StackName" => return Some("stack".into()),
            "AWS::NoValue" => return None,
            _ => {}
        }
        let name = self.names.get(id)?;
        if matches!(attr, Some("LatestVersionNumber" | "DefaultVersionNumber")) {
            return Some(Value::String(format!(
                "${}",
                attr.unwrap_or_default().trim_end_matches("VersionNumber")
            )));
        }
        Some(Value::String(match self.ty(id) {
            "AWS::AutoScaling::ScalingPolicy" => {
                let g = self.resources[id]
                    .get("Properties")
                    .and_then(|p| p.get("AutoScalingGroupName"))
                    .map(|g| self.resolve(g))
                    .and_then(|g| g.as_str().map(str::to_string))
                    .unwrap_or_default();
                format!(
                    "arn:aws:autoscaling:us-east-1:123456789012:scalingPolicy:cfn:autoScalingGroupName/{g}:policyName/{name}"
                )
            }
            _ => name.clone(),
        }))
    }

    /// Resolves intrinsic functions everywhere in `v`.
    fn resolve(&self, v: &Value) -> Value {
        match v {
            Value::Array(a) => Value::Array(a.iter().map(|x| self.resolve(x)).collect()),
            Value::Object(m) if m.len() == 1 => {
                let (k, x) = m.iter().next().expect("one entry");
                match k.as_str() {
                    "Ref" => x
                        .as_str()
                        .and_then(|id| self.reference(id, None))
                        .unwrap_or(Value::Null),
                    "Fn::GetAtt" => {
                        let parts: Vec<String> = match x {
                            Value::Array(a) => a
                                .iter()
                                .filter_map(|p| self.resolve(p).as_str().map(str::to_string))
                                .collect(),
                            Value::String(s) => s.splitn(2, '.').map(str::to_string).collect(),
                            _ => Vec::new(),
                        };
                        match parts.as_slice() {
                            [id, attr] => self.reference(id, Some(attr)).unwrap_or(Value::Null),
                            _ => Value::Null,
                        }
                    }
                    "Fn::Sub" => {
                        let (tmpl, vars) = match x {
                            Value::String(s) => (s.clone(), Map::new()),
                            Value::Array(a) => (
                                a.first().and_then(Value::as_str).unwrap_or("").to_string(),
                                a.get(1)
                                    .and_then(Value::as_object)
                                    .cloned()
                                    .unwrap_or_default(),
                            ),
                            _ => (String::new(), Map::new()),
                        };
                        Value::String(self.sub(&tmpl, &vars))
                    }
                    "Fn::Join" => {
                        let a = x.as_array().map_or(&[][..], Vec::as_slice);
                        let sep = a.first().and_then(Value::as_str).unwrap_or("");
                        let items = a.get(1).map(|i| self.resolve(i)).unwrap_or(Value::Null);
                        let parts: Vec<String> = items
                            .as_array()
                            .map_or(&[][..], Vec::as_slice)
                            .iter()
                            .map(|p| match p {
                                Value::String(s) => s.clone(),
                                other => other.to_string(),
                            })
                            .collect();
                        Value::String(parts.join(sep))
                    }
                    _ if k.starts_with("Fn::") => Value::Null,
                    _ => Value::Object(
                        m.iter()
                            .map(|(k, v)| (k.clone(), self.resolve(v)))
                            .collect(),
                    ),
                }
            }
            Value::Object(m) => Value::Object(
                m.iter()
                    .map(|(k, v)| (k.clone(), self.resolve(v)))
                    .collect(),
            ),
            x => x.clone(),
        }
    }

    fn sub(&self, tmpl: &str, vars: &Map<String, Value>) -> String {
        let mut out = String::new();
        let mut rest = tmpl;
        while let Some(i) = rest.find("${") {
            out.push_str(&rest[..i]);
            let after = &rest[i + 2..];
            let Some(j) = after.find('}') else {
                out.push_str(&rest[i..]);
                return out;
            };
            let var = &after[..j];
            let val = if let Some(v) = vars.get(var) {
                self.resolve(v)
            } else {
                let (id, attr) = match var.split_once('.') {
                    Some((a, b)) => (a, Some(b)),
                    None => (var, None),
                };
                self.reference(id, attr).unwrap_or(Value::Null)
            };
            match val {
                Value::String(s) => out.push_str(&s),
                Value::Null => out.push_str(&format!("${{{var}}}")),
                v => out.push_str(&v.to_string()),
            }
            rest = &after[j + 1..];
        }
        out.push_str(rest);
        out
    }
}

/// Reads a template.
pub fn read(v: &Value, shown: &str) -> Result<Account, BadInput> {
    let Some(resources) = v.get("Resources").and_then(Value::as_object) else {
        return Err(BadInput(format!(
            "{shown}:1:1: a CloudFormation template needs `Resources`"
        )));
    };
    let mut ctx = Ctx {
        resources,
        params: v
            .get("Parameters")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default(),
        names: BTreeMap::new(),
    };
    // Physical names first (literal name properties, else from the logical id).
    let mut names = BTreeMap::new();
    for (id, r) in resources {
        let ty = r.get("Type").and_then(Value::as_str).unwrap_or("");
        let prop = NAME_PROP
            .iter()
            .find(|(t, _)| *t == ty)
            .map(|(_, p)| *p)
            .unwrap_or("");
        let lit = r
            .get("Properties")
            .and_then(|p| p.get(prop))
            .and_then(Value::as_str)
            .map(str::to_string);
        names.insert(id.clone(), lit.unwrap_or_else(|| kebab(id)));
    }
    ctx.names = names;
    // A second pass resolves names given by expressions (`!Sub '${Env}-web'`).
    let mut again = BTreeMap::new();
    for (id, r) in resources {
        let ty = r.get("Type").and_then(Value::as_str).unwrap_or("");
        let prop = NAME_PROP
            .iter()
            .find(|(t, _)| *t == ty)
            .map(|(_, p)| *p)
            .unwrap_or("");
        if let Some(x) = r
            .get("Properties")
            .and_then(|p| p.get(prop))
            .filter(|x| !x.is_string())
            && let Value::String(s) = ctx.resolve(x)
        {
            again.insert(id.clone(), s);
        }
    }
    ctx.names.extend(again);

    let mut a = Account::default();
    let mut launch_types: BTreeMap<String, String> = BTreeMap::new();
    let mut listeners: Vec<(String, Vec<String>)> = Vec::new();
    let mut targets: BTreeMap<String, ScalableTarget> = BTreeMap::new();
    let mut app_pols: Vec<(String, Value)> = Vec::new();
    for (id, r) in resources {
        let ty = r.get("Type").and_then(Value::as_str).unwrap_or("");
        let p = ctx.resolve(r.get("Properties").unwrap_or(&Value::Null));
        let name = ctx.names[id].clone();
        let at = format!("{shown}: Resources.{id}");
        match ty {
            "AWS::AutoScaling::AutoScalingGroup" => {
                let mut g = obj(&p);
                g.insert("AutoScalingGroupName".into(), name.clone().into());
                if let Some(c) = g.remove("Cooldown") {
                    g.insert("DefaultCooldown".into(), c);
                }
                let mut asg = cli_json::asg(&Value::Object(g.clone()), &at)?;
                if asg.azs.is_empty() && p.get("VPCZoneIdentifier").is_some() {
                    asg.unmapped.push("VPCZoneIdentifier: zones given as subnets (list AvailabilityZones to map them)".into());
                }
                for h in list(&p, "LifecycleHookSpecificationList") {
                    a.hooks.push(Hook {
                        group: name.clone(),
                        name: s(h, "LifecycleHookName").unwrap_or_default(),
                        transition: s(h, "LifecycleTransition").unwrap_or_default(),
                        heartbeat: cli_json::u(h, "HeartbeatTimeout"),
                        default_result: s(h, "DefaultResult"),
                    });
                }
                a.asgs.push(asg);
            }
            "AWS::AutoScaling::ScalingPolicy" => {
                let mut x = obj(&p);
                x.insert("PolicyName".into(), name.into());
                x.entry("PolicyType").or_insert("SimpleScaling".into());
                a.policies.push(cli_json::policy(&Value::Object(x), &at)?);
            }
            "AWS::CloudWatch::Alarm" => {
                let mut x = obj(&p);
                x.insert("AlarmName".into(), name.into());
                a.alarms.push(cli_json::alarm(&Value::Object(x)));
            }
            "AWS::AutoScaling::ScheduledAction" => a.scheduled.push(Scheduled {
                group: s(&p, "AutoScalingGroupName").unwrap_or_default(),
                name,
                recurrence: s(&p, "Recurrence"),
                start: s(&p, "StartTime")
                    .and_then(|t| time::parse_iso(&t))
                    .map(|t| t as i64),
                time_zone: s(&p, "TimeZone"),
                min: cli_json::u(&p, "MinSize").map(|x| x as u32),
                max: cli_json::u(&p, "MaxSize").map(|x| x as u32),
                desired: cli_json::u(&p, "DesiredCapacity").map(|x| x as u32),
            }),
            "AWS::AutoScaling::LifecycleHook" => a.hooks.push(Hook {
                group: s(&p, "AutoScalingGroupName").unwrap_or_default(),
                name,
                transition: s(&p, "LifecycleTransition").unwrap_or_default(),
                heartbeat: cli_json::u(&p, "HeartbeatTimeout"),
                default_result: s(&p, "DefaultResult"),
            }),
            "AWS::AutoScaling::WarmPool" => a.warm_pools.push(WarmPool {
                group: s(&p, "AutoScalingGroupName").unwrap_or_default(),
                min_size: cli_json::u(&p, "MinSize").unwrap_or(0) as u32,
                max_prepared: cli_json::u(&p, "MaxGroupPreparedCapacity").map(|x| x as u32),
                state: s(&p, "PoolState"),
            }),
            "AWS::ElasticLoadBalancingV2::LoadBalancer" => a.lbs.push(Lb {
                name,
                kind: s(&p, "Type").unwrap_or_else(|| "application".into()),
                idle_timeout: key_values(&p, "LoadBalancerAttributes")
                    .get("idle_timeout.timeout_seconds")
                    .and_then(|t| t.parse().ok()),
            }),
            "AWS::ElasticLoadBalancingV2::TargetGroup" => a.tgs.push(Tg {
                name,
                load_balancers: Vec::new(),
                hc_interval: cli_json::u(&p, "HealthCheckIntervalSeconds"),
                hc_timeout: cli_json::u(&p, "HealthCheckTimeoutSeconds"),
                healthy: cli_json::u(&p, "HealthyThresholdCount").map(|x| x as u32),
                unhealthy: cli_json::u(&p, "UnhealthyThresholdCount").map(|x| x as u32),
                attrs: key_values(&p, "TargetGroupAttributes"),
            }),
            "AWS::ElasticLoadBalancingV2::Listener" => {
                let lb = s(&p, "LoadBalancerArn").unwrap_or_default();
                let mut tgs = Vec::new();
                for act in list(&p, "DefaultActions") {
                    if let Some(t) = s(act, "TargetGroupArn") {
                        tgs.push(arn_name(&t));
                    }
                    if let Some(fc) = act.get("ForwardConfig") {
                        for t in list(fc, "TargetGroups") {
                            if let Some(t) = s(t, "TargetGroupArn") {
                                tgs.push(arn_name(&t));
                            }
                        }
                    }
                }
                listeners.push((arn_name(&lb), tgs));
                a.extra_mapped += 1;
            }
            "AWS::SQS::Queue" => {
                let mut attrs = Map::new();
                attrs.insert(
                    "QueueArn".into(),
                    format!("arn:aws:sqs:us-east-1:123456789012:{name}").into(),
                );
                for k in [
                    "VisibilityTimeout",
                    "MessageRetentionPeriod",
                    "DelaySeconds",
                    "ReceiveMessageWaitTimeSeconds",
                    "MaximumMessageSize",
                    "FifoQueue",
                    "ContentBasedDeduplication",
                ] {
                    if let Some(v) = p.get(k) {
                        attrs.insert(k.into(), v.clone());
                    }
                }
                if let Some(r) = p.get("RedrivePolicy") {
                    let text = match r {
                        Value::String(s) => s.clone(),
                        other => other.to_string(),
                    };
                    attrs.insert("RedrivePolicy".into(), text.into());
                }
                a.queues.push(cli_json::queue(&Value::Object(attrs), &at)?);
            }
            "AWS::DynamoDB::Table" => {
                let mut x = obj(&p);
                x.insert("TableName".into(), name.into());
                let bm = s(&p, "BillingMode").unwrap_or_else(|| "PROVISIONED".into());
                x.insert("BillingModeSummary".into(), json!({ "BillingMode": bm }));
                a.tables.push(cli_json::table(&Value::Object(x)));
            }
            "AWS::ApplicationAutoScaling::ScalableTarget" => {
                targets.insert(
                    name,
                    ScalableTarget {
                        resource_id: s(&p, "ResourceId").unwrap_or_default(),
                        dimension: s(&p, "ScalableDimension").unwrap_or_default(),
                        min: cli_json::f(&p, "MinCapacity").unwrap_or(0.0),
                        max: cli_json::f(&p, "MaxCapacity").unwrap_or(0.0),
                    },
                );
            }
            "AWS::ApplicationAutoScaling::ScalingPolicy" => {
                let mut x = obj(&p);
                x.insert("PolicyName".into(), name.into());
                app_pols.push((
                    s(&p, "ScalingTargetId").unwrap_or_default(),
                    Value::Object(x),
                ));
            }
            "AWS::EC2::LaunchTemplate" => {
                if let Some(t) = p
                    .get("LaunchTemplateData")
                    .and_then(|d| s(d, "InstanceType"))
                {
                    launch_types.insert(name, t);
                }
                a.extra_mapped += 1;
            }
            other => a
                .unmapped
                .push((shown.to_string(), format!("resource {id} of type {other}"))),
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
    for (target, mut p) in app_pols {
        if let (Some(t), Some(m)) = (targets.get(&target), p.as_object_mut()) {
            m.entry("ResourceId")
                .or_insert(t.resource_id.clone().into());
            m.entry("ScalableDimension")
                .or_insert(t.dimension.clone().into());
        }
        a.app_policies.push(cli_json::app_policy(&p));
    }
    a.scalable_targets.extend(targets.into_values());
    Ok(a)
}

fn obj(v: &Value) -> Map<String, Value> {
    v.as_object().cloned().unwrap_or_default()
}

/// `[{Key, Value}]` as a map.
fn key_values(p: &Value, k: &str) -> BTreeMap<String, String> {
    list(p, k)
        .iter()
        .filter_map(|x| Some((s(x, "Key")?, s(x, "Value")?)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kebab_names() {
        assert_eq!(kebab("AddOnHighCpu"), "add-on-high-cpu");
        assert_eq!(kebab("Cpu50"), "cpu50");
        assert_eq!(kebab("WebASG"), "web-asg");
        assert_eq!(kebab("Morning"), "morning");
    }
}
