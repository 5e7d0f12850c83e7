//! The scenario text of an [`Account`]: AWS's values in the scenario
//! format, the simulator's defaults for what AWS does not describe
//! (commented `# assumption:`), and a `# not mapped:` comment for every
//! resource or field left out.

use super::metrics::{self, MetricData, ResourceKind};
use super::*;
use std::fmt::Write;

/// Simulator defaults written for what AWS does not describe.
const ASSUMED_COMPUTE: &str = "{ dist: lognormal, mean: 40ms, cv: 0.5 }";
const ASSUMED_WORKERS: u32 = 8;
const ASSUMED_RPS: f64 = 10.0;

/// YAML scalar for a string (JSON strings are YAML double-quoted scalars).
fn q(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}

fn secs(s: u64) -> String {
    format!("{s}s")
}

fn num(x: f64) -> String {
    crate::report::metrics::fmt_num(x)
}

struct Out {
    text: String,
    mapped: usize,
    total: usize,
}

impl Out {
    fn line(&mut self, indent: usize, s: impl AsRef<str>) {
        for _ in 0..indent {
            self.text.push_str("  ");
        }
        self.text.push_str(s.as_ref());
        self.text.push('\n');
    }
    fn note(&mut self, indent: usize, s: impl AsRef<str>) {
        let s = s.as_ref().replace('\n', " ");
        self.line(indent, format!("# {s}"));
    }
    fn unmapped(&mut self, indent: usize, what: impl AsRef<str>) {
        self.total += 1;
        self.note(indent, format!("not mapped: {}", what.as_ref()));
    }
    fn ok(&mut self) {
        self.total += 1;
        self.mapped += 1;
    }
}

/// One scenario load balancer: an AWS load balancer forwarding to a
/// target group that an Auto Scaling group is attached to.
struct LbPlan<'a> {
    name: String,
    lb: Option<&'a Lb>,
    tg: &'a Tg,
    asg: String,
}

fn comparison(c: &str) -> Option<&'static str> {
    Some(match c {
        "GreaterThanOrEqualToThreshold" => ">=",
        "GreaterThanThreshold" => ">",
        "LessThanThreshold" => "<",
        "LessThanOrEqualToThreshold" => "<=",
        _ => return None,
    })
}

fn statistic(s: &str) -> Option<&'static str> {
    Some(match s {
        "Average" => "Average",
        "Sum" => "Sum",
        "Minimum" => "Minimum",
        "Maximum" => "Maximum",
        "SampleCount" => "SampleCount",
        "p50" => "p50",
        "p90" => "p90",
        "p99" => "p99",
        _ => return None,
    })
}

/// Builds the scenario text for an account (and, with metrics, its trace
/// files named `<trace_prefix>-<workload>.csv`).
pub fn scenario(
    acc: &Account,
    md: Option<&MetricData>,
    name: &str,
    trace_prefix: &str,
    map: &[String],
) -> Result<Imported, BadInput> {
    let mut acc = acc.clone();
    attach_loose(&mut acc);
    // One order whatever the input's (CLI output order, template keys).
    acc.asgs.sort_by(|a, b| a.name.cmp(&b.name));
    acc.policies
        .sort_by(|a, b| (&a.group, &a.name).cmp(&(&b.group, &b.name)));
    acc.scheduled
        .sort_by(|a, b| (&a.group, &a.name).cmp(&(&b.group, &b.name)));
    acc.hooks
        .sort_by(|a, b| (&a.group, &a.name).cmp(&(&b.group, &b.name)));
    acc.lbs.sort_by(|a, b| a.name.cmp(&b.name));
    acc.tgs.sort_by(|a, b| a.name.cmp(&b.name));
    acc.queues.sort_by(|a, b| a.name.cmp(&b.name));
    acc.tables.sort_by(|a, b| a.name.cmp(&b.name));
    let mut o = Out {
        text: String::new(),
        mapped: 0,
        total: 0,
    };
    let mut traces = Vec::new();

    // Which scenario load balancers there are.
    let mut plans: Vec<LbPlan> = Vec::new();
    let mut tg_notes = Vec::new();
    for tg in &acc.tgs {
        let groups: Vec<&Asg> = acc
            .asgs
            .iter()
            .filter(|g| g.target_groups.contains(&tg.name))
            .collect();
        let Some(g) = groups.first() else {
            tg_notes.push(format!(
                "target group {}: no Auto Scaling group in the inputs is attached to it",
                tg.name
            ));
            continue;
        };
        let lbs: Vec<&Lb> = acc
            .lbs
            .iter()
            .filter(|l| tg.load_balancers.contains(&l.name))
            .collect();
        let lb = lbs.first().copied();
        let base = lb.map_or_else(|| tg.name.clone(), |l| l.name.clone());
        let shared = acc
            .tgs
            .iter()
            .filter(|t| lb.is_some_and(|l| t.load_balancers.contains(&l.name)))
            .count()
            > 1;
        plans.push(LbPlan {
            name: if shared {
                format!("{base}-{}", tg.name)
            } else {
                base
            },
            lb,
            tg,
            asg: g.name.clone(),
        });
    }

    // Workloads from metrics.
    let (start, end, period) = match md {
        Some(m) => match (m.start(), m.end()) {
            (Some(s), Some(e)) => (Some(s), Some(e), m.period()),
            _ => (None, None, 60.0),
        },
        None => (None, None, 60.0),
    };
    let lb_names: Vec<String> = plans.iter().map(|p| p.name.clone()).collect();
    let q_names: Vec<String> = acc.queues.iter().map(|q| q.name.clone()).collect();
    let t_names: Vec<String> = acc.tables.iter().map(|t| t.name.clone()).collect();
    let g_names: Vec<String> = acc.asgs.iter().map(|g| g.name.clone()).collect();
    let names = |k: ResourceKind| match k {
        ResourceKind::LoadBalancer => lb_names.clone(),
        ResourceKind::Queue => q_names.clone(),
        ResourceKind::Table => t_names.clone(),
        ResourceKind::Group => g_names.clone(),
    };
    let (assigned, metric_notes) = match md {
        Some(m) => {
            metrics::assign(m, &names, map).map_err(|e| BadInput(format!("stratus import: {e}")))?
        }
        None => (Vec::new(), Vec::new()),
    };

    // ------------------------------------------------------------ header
    o.line(
        0,
        "# Written by `stratus import` from AWS descriptions. AWS's values are kept;",
    );
    o.line(
        0,
        "# what AWS does not describe is a simulator default marked `# assumption:` (edit",
    );
    o.line(0, "# those to match your application); what could not be mapped is a `# not mapped:` comment.");
    o.line(0, format!("name: {}", q(name)));
    match (start, end) {
        (Some(s), Some(e)) => {
            o.line(
                0,
                format!(
                    "duration: {}   # the recorded window",
                    secs((e - s).round() as u64)
                ),
            );
            o.line(
                0,
                format!("metrics_period: {}", secs(period.round() as u64)),
            );
            o.line(
                0,
                format!(
                    "start_time: {}",
                    q(&crate::report::clock::format_utc(s.floor() as i64))
                ),
            );
        }
        _ => {
            o.line(0, "duration: 1h   # assumption: how long to simulate (give --metrics to take the recorded window)");
        }
    }

    // ------------------------------------------------------------ workloads
    let ws = o.text.len();
    o.line(0, "workloads:");
    let mut any_workload = false;
    let mut lb_with_workload = Vec::new();
    if let (Some(m), Some(s), Some(e)) = (md, start, end) {
        for a in &assigned {
            let r = &m.results[a.result];
            let (to, extra, per_unit, what) = match a.metric {
                "RequestCount" => (
                    "load_balancer",
                    None,
                    1.0,
                    "requests/s = RequestCount Sum / period",
                ),
                "NumberOfMessagesSent" => (
                    "queue",
                    Some("message_size: 1KB   # assumption"),
                    1.0,
                    "messages/s = NumberOfMessagesSent Sum / period",
                ),
                "ConsumedWriteCapacityUnits" => (
                    "table",
                    Some("operation: { op: put, item_size: 1KB }   # assumption: 1 WCU per write"),
                    1.0,
                    "writes/s = ConsumedWriteCapacityUnits Sum / period (1 KB items)",
                ),
                "ConsumedReadCapacityUnits" => (
                    "table",
                    Some(
                        "operation: { op: get, item_size: 4KB, consistency: eventual }   # assumption: 0.5 RCU per read",
                    ),
                    2.0,
                    "reads/s = 2 x ConsumedReadCapacityUnits Sum / period (eventual 4 KB reads)",
                ),
                _ => continue,
            };
            let wname = format!("{}-{}", a.resource, a.metric);
            let file = format!("{trace_prefix}-{wname}.csv");
            let pts = metrics::rate_trace(r, s, e, period, per_unit);
            let mut csv = String::from("t_s,rps\n");
            for (t, v) in &pts {
                let _ = writeln!(csv, "{},{}", num(*t), num(*v));
            }
            traces.push((file.clone(), csv));
            o.line(1, format!("- name: {}", q(&wname)));
            o.note(
                2,
                format!(
                    "from metric result {} ({}): {what}",
                    r.id,
                    if r.label.is_empty() {
                        a.metric
                    } else {
                        &r.label
                    }
                ),
            );
            o.line(2, format!("to: {{ {to}: {} }}", q(&a.resource)));
            o.line(2, format!("rate: {{ pattern: trace, file: {} }}", q(&file)));
            if let Some(x) = extra {
                o.line(2, x);
            }
            if a.kind == ResourceKind::LoadBalancer {
                lb_with_workload.push(a.resource.clone());
            }
            any_workload = true;
        }
    }
    for n in &metric_notes {
        o.note(1, n);
    }
    for p in &plans {
        if !lb_with_workload.contains(&p.name) {
            o.line(1, format!("- name: {}", q(&format!("{}-clients", p.name))));
            o.line(2, format!("to: {{ load_balancer: {} }}", q(&p.name)));
            o.line(2, format!("rate: {}   # assumption: requests per second (give --metrics to replay RequestCount)", num(ASSUMED_RPS)));
            any_workload = true;
        }
    }
    if !any_workload {
        // `workloads: []` keeps the list valid.
        o.text
            .replace_range(ws..ws + "workloads:\n".len(), "workloads: []\n");
    }

    // ------------------------------------------------------------ load balancers
    o.line(0, "load_balancers:");
    if plans.is_empty() {
        o.text.truncate(o.text.len() - "load_balancers:\n".len());
        o.line(0, "load_balancers: []");
    }
    for p in &plans {
        o.line(1, format!("- name: {}", q(&p.name)));
        match p.lb {
            Some(l) => {
                o.ok();
                o.note(
                    2,
                    format!(
                        "load balancer {} ({}), target group {}",
                        l.name, l.kind, p.tg.name
                    ),
                );
                match l.kind.as_str() {
                    "network" => o.line(2, "type: network"),
                    "application" => o.line(2, "type: application"),
                    k => o.note(
                        2,
                        format!("not mapped: load balancer type {k} (modelled as application)"),
                    ),
                }
                if let Some(t) = l.idle_timeout {
                    o.line(2, format!("idle_timeout: {}", secs(t)));
                }
            }
            None => o.note(
                2,
                format!(
                    "target group {} with no load balancer in the inputs",
                    p.tg.name
                ),
            ),
        }
        o.ok();
        o.line(2, format!("target_group: {}", q(&p.asg)));
        let a = &p.tg.attrs;
        if let Some(alg) = a.get("load_balancing.algorithm.type") {
            match alg.as_str() {
                "round_robin" | "least_outstanding_requests" | "weighted_random" => {
                    o.line(2, format!("routing: {alg}"))
                }
                x => o.note(2, format!("not mapped: load_balancing.algorithm.type {x}")),
            }
        }
        if a.get("stickiness.enabled").map(String::as_str) == Some("true") {
            match a.get("stickiness.type").map(String::as_str) {
                Some("lb_cookie") => {
                    let d = a
                        .get("stickiness.lb_cookie.duration_seconds")
                        .cloned()
                        .unwrap_or_else(|| "86400".into());
                    o.line(
                        2,
                        format!("stickiness: {{ type: lb_cookie, duration: {d}s }}"),
                    );
                }
                Some("app_cookie") => {
                    let d = a
                        .get("stickiness.app_cookie.duration_seconds")
                        .cloned()
                        .unwrap_or_else(|| "86400".into());
                    let c = a
                        .get("stickiness.app_cookie.cookie_name")
                        .cloned()
                        .unwrap_or_default();
                    o.line(
                        2,
                        format!(
                            "stickiness: {{ type: app_cookie, duration: {d}s, cookie_name: {} }}",
                            q(&c)
                        ),
                    );
                }
                x => o.note(
                    2,
                    format!("not mapped: stickiness.type {}", x.unwrap_or("?")),
                ),
            }
        }
        if let Some(d) = a.get("deregistration_delay.timeout_seconds") {
            o.line(2, format!("deregistration_delay: {d}s"));
        }
        if let Some(d) = a.get("slow_start.duration_seconds") {
            o.line(2, format!("slow_start: {d}s"));
        }
        match a
            .get("load_balancing.cross_zone.enabled")
            .map(String::as_str)
        {
            Some("true") => o.line(2, "cross_zone: true"),
            Some("false") => o.line(2, "cross_zone: false"),
            _ => {}
        }
        let t = p.tg;
        if t.hc_interval.is_some()
            || t.hc_timeout.is_some()
            || t.healthy.is_some()
            || t.unhealthy.is_some()
        {
            let mut parts = Vec::new();
            if let Some(x) = t.hc_interval {
                parts.push(format!("interval: {x}s"));
            }
            if let Some(x) = t.hc_timeout {
                parts.push(format!("timeout: {x}s"));
            }
            if let Some(x) = t.healthy {
                parts.push(format!("healthy_threshold: {x}"));
            }
            if let Some(x) = t.unhealthy {
                parts.push(format!("unhealthy_threshold: {x}"));
            }
            o.line(2, format!("health_check: {{ {} }}", parts.join(", ")));
        }
        for (k, v) in a {
            let known = [
                "load_balancing.algorithm.type",
                "stickiness.enabled",
                "stickiness.type",
                "stickiness.lb_cookie.duration_seconds",
                "stickiness.app_cookie.duration_seconds",
                "stickiness.app_cookie.cookie_name",
                "deregistration_delay.timeout_seconds",
                "slow_start.duration_seconds",
                "load_balancing.cross_zone.enabled",
            ];
            if !known.contains(&k.as_str()) {
                o.note(2, format!("not mapped: target group attribute {k} = {v}"));
            }
        }
    }
    for l in &acc.lbs {
        if !plans.iter().any(|p| p.lb.is_some_and(|x| x.name == l.name)) {
            o.unmapped(0, format!("load balancer {}: it forwards to no target group of an Auto Scaling group in the inputs", l.name));
        }
    }
    for n in &tg_notes {
        o.unmapped(0, n);
    }

    // ------------------------------------------------------------ groups
    o.line(0, "auto_scaling_groups:");
    if acc.asgs.is_empty() {
        o.text
            .truncate(o.text.len() - "auto_scaling_groups:\n".len());
        o.line(0, "auto_scaling_groups: []");
    }
    for g in &acc.asgs {
        o.ok();
        group(&mut o, &acc, g, start, end);
    }
    for p in &acc.policies {
        if !acc.asgs.iter().any(|g| g.name == p.group) {
            o.unmapped(
                0,
                format!(
                    "scaling policy {} of group {}, which is not in the inputs",
                    p.name, p.group
                ),
            );
        }
    }
    for a in &acc.alarms {
        let acts = a.actions.iter().any(|(g, p)| {
            acc.asgs.iter().any(|x| &x.name == g)
                && acc.policies.iter().any(|x| &x.name == p && &x.group == g)
        });
        let tt = a.name.starts_with("TargetTracking-");
        if tt {
            // Part of a target tracking policy: the simulator makes its own.
            o.ok();
        } else if !acts {
            o.unmapped(
                0,
                format!(
                    "alarm {}: it triggers no scaling policy in the inputs",
                    a.name
                ),
            );
        }
    }

    // ------------------------------------------------------------ queues
    o.line(0, "queues:");
    if acc.queues.is_empty() {
        o.text.truncate(o.text.len() - "queues:\n".len());
        o.line(0, "queues: []");
    }
    for qu in &acc.queues {
        o.ok();
        queue(&mut o, &acc, qu);
    }

    // ------------------------------------------------------------ tables
    o.line(0, "tables:");
    if acc.tables.is_empty() {
        o.text.truncate(o.text.len() - "tables:\n".len());
        o.line(0, "tables: []");
    }
    for t in &acc.tables {
        o.ok();
        table(&mut o, &acc, t);
    }
    for st in &acc.scalable_targets {
        let table_dim = st.dimension == "dynamodb:table:ReadCapacityUnits"
            || st.dimension == "dynamodb:table:WriteCapacityUnits";
        let known = st
            .resource_id
            .strip_prefix("table/")
            .is_some_and(|n| acc.tables.iter().any(|t| t.name == n));
        if !(table_dim && known) {
            o.unmapped(0, format!("scalable target {} {}: only DynamoDB table read/write capacity of a table in the inputs is modelled", st.resource_id, st.dimension));
        }
    }
    for p in &acc.app_policies {
        let used = p.kind == "TargetTrackingScaling"
            && acc
                .scalable_targets
                .iter()
                .any(|s| s.resource_id == p.resource_id && s.dimension == p.dimension)
            && p.resource_id
                .strip_prefix("table/")
                .is_some_and(|n| acc.tables.iter().any(|t| t.name == n))
            && p.dimension.starts_with("dynamodb:table:");
        if !used {
            o.unmapped(
                0,
                format!(
                    "Application Auto Scaling policy {} ({} on {} {})",
                    p.name, p.kind, p.resource_id, p.dimension
                ),
            );
        }
    }
    for w in &acc.warm_pools {
        if acc.asgs.len() != 1 && w.group.is_empty() {
            o.unmapped(0, "warm pool: `describe-warm-pool` output does not name its group, and there is not exactly one group");
        }
    }
    for (src, a) in &acc.loose_tg_attrs {
        if acc.tgs.len() != 1 {
            o.unmapped(0, format!("target group attributes in {src}: the output does not name its target group, and there is not exactly one ({} keys)", a.len()));
        }
    }
    for (src, what) in &acc.unmapped {
        o.unmapped(0, format!("{what} ({src})"));
    }
    o.mapped += acc.extra_mapped;
    o.total += acc.extra_mapped;
    let _ = writeln!(o.text, "# mapped {} of {} resources", o.mapped, o.total);
    Ok(Imported {
        yaml: o.text,
        traces,
        mapped: o.mapped,
        total: o.total,
    })
}

/// Target group / load balancer / warm pool attributes read without a name
/// go to the only one there is.
fn attach_loose(acc: &mut Account) {
    if acc.tgs.len() == 1 {
        for (_, a) in std::mem::take(&mut acc.loose_tg_attrs) {
            acc.tgs[0].attrs.extend(a);
        }
    }
    if acc.lbs.len() == 1 {
        for (_, a) in std::mem::take(&mut acc.loose_lb_attrs) {
            if let Some(t) = a
                .get("idle_timeout.timeout_seconds")
                .and_then(|t| t.parse().ok())
            {
                acc.lbs[0].idle_timeout = Some(t);
            }
        }
    }
    if acc.asgs.len() == 1 {
        let g = acc.asgs[0].name.clone();
        for w in &mut acc.warm_pools {
            if w.group.is_empty() {
                w.group = g.clone();
            }
        }
    }
}

fn group(o: &mut Out, acc: &Account, g: &Asg, start: Option<f64>, end: Option<f64>) {
    o.line(1, format!("- name: {}", q(&g.name)));
    if !g.azs.is_empty() {
        let z: Vec<String> = g.azs.iter().map(|z| q(z)).collect();
        o.line(2, format!("availability_zones: [{}]", z.join(", ")));
    }
    o.line(2, format!("min: {}", g.min));
    o.line(2, format!("max: {}", g.max));
    if let Some(d) = g.desired {
        o.line(2, format!("desired: {d}"));
    }
    if let Some((n, v)) = &g.launch_template {
        o.ok();
        match v.parse::<u32>() {
            Ok(v) => o.line(
                2,
                format!("launch_template: {{ name: {}, version: {v} }}", q(n)),
            ),
            Err(_) => o.line(
                2,
                format!(
                    "launch_template: {{ name: {}, version: 1 }}   # AWS: version {v}",
                    q(n)
                ),
            ),
        }
    }
    o.line(2, "instance:");
    match &g.instance_type {
        Some(t) => o.line(3, format!("type: {}", q(t))),
        None => o.line(
            3,
            "type: \"c5.large\"   # assumption: no instance type in the inputs",
        ),
    }
    o.line(
        3,
        format!("workers: {ASSUMED_WORKERS}   # assumption: requests one instance serves at once"),
    );
    o.line(3, "price_per_hour: 0.085   # assumption: c5.large on-demand in us-east-1; edit for your type and region");
    o.line(
        2,
        "app:   # assumption: what one request costs an instance (AWS does not describe it)",
    );
    o.line(3, format!("- compute: {ASSUMED_COMPUTE}"));
    match g.health_check_type.as_deref() {
        Some(t @ ("EC2" | "ELB")) => o.line(
            2,
            format!(
                "health_check: {{ type: {t}, grace_period: {} }}",
                secs(g.grace_period.unwrap_or(0))
            ),
        ),
        Some(t) => o.note(
            2,
            format!("not mapped: health check type {t} (EC2 is used)"),
        ),
        None => {}
    }
    if let Some(c) = g.cooldown {
        o.line(2, format!("default_cooldown: {}", secs(c)));
    }
    if let Some(w) = g.warmup {
        o.line(2, format!("default_instance_warmup: {}", secs(w)));
    }
    let known_tp = [
        "Default",
        "OldestInstance",
        "NewestInstance",
        "OldestLaunchTemplate",
        "OldestLaunchConfiguration",
        "ClosestToNextInstanceHour",
        "AllocationStrategy",
    ];
    let tps: Vec<&String> = g
        .termination_policies
        .iter()
        .filter(|t| known_tp.contains(&t.as_str()))
        .collect();
    if !tps.is_empty() {
        let t: Vec<&str> = tps.iter().map(|s| s.as_str()).collect();
        o.line(2, format!("termination_policies: [{}]", t.join(", ")));
    }
    for t in &g.termination_policies {
        if !known_tp.contains(&t.as_str()) {
            o.note(
                2,
                format!("not mapped: termination policy {t} (a custom Lambda policy)"),
            );
        }
    }
    if g.protect {
        o.line(2, "new_instances_protected_from_scale_in: true");
    }
    let known_sp = [
        "Launch",
        "Terminate",
        "HealthCheck",
        "ReplaceUnhealthy",
        "AZRebalance",
        "AlarmNotification",
        "ScheduledActions",
        "AddToLoadBalancer",
        "InstanceRefresh",
    ];
    let sps: Vec<&str> = g
        .suspended
        .iter()
        .map(String::as_str)
        .filter(|s| known_sp.contains(s))
        .collect();
    if !sps.is_empty() {
        o.line(2, format!("suspended_processes: [{}]", sps.join(", ")));
    }
    if let Some(l) = g.max_lifetime {
        o.line(2, format!("max_instance_lifetime: {}", secs(l)));
    }
    for u in &g.unmapped {
        o.note(2, format!("not mapped: {u}"));
    }
    // Policies.
    let pols: Vec<&Policy> = acc.policies.iter().filter(|p| p.group == g.name).collect();
    if !pols.is_empty() {
        o.line(2, "scaling_policies:");
    }
    for p in pols {
        policy(o, acc, g, p);
    }
    // Scheduled actions.
    let sched: Vec<&Scheduled> = acc.scheduled.iter().filter(|s| s.group == g.name).collect();
    let mut header = false;
    for s in sched {
        let tz_ok = s
            .time_zone
            .as_deref()
            .is_none_or(|z| matches!(z, "UTC" | "Etc/UTC" | "GMT" | "Etc/GMT"));
        let sizes = {
            let mut v = Vec::new();
            if let Some(d) = s.desired {
                v.push(format!("desired: {d}"));
            }
            if let Some(x) = s.min {
                v.push(format!("min: {x}"));
            }
            if let Some(x) = s.max {
                v.push(format!("max: {x}"));
            }
            v.join(", ")
        };
        let when = match (&s.recurrence, s.start, start) {
            (Some(r), _, _) if tz_ok => Some(format!("recurrence: {}", q(r))),
            (None, Some(at), Some(st))
                if at >= st as i64 && end.is_none_or(|e| (at as f64) < e) =>
            {
                Some(format!("at: {}", secs((at - st as i64) as u64)))
            }
            _ => None,
        };
        match when {
            Some(w) => {
                if !header {
                    o.line(2, "scheduled_actions:");
                    header = true;
                }
                o.ok();
                o.line(3, format!("- {{ name: {}, {w}, {sizes} }}", q(&s.name)));
            }
            None => {
                let why = if !tz_ok {
                    format!(
                        "its TimeZone {} is not UTC (the scenario's cron is UTC)",
                        s.time_zone.clone().unwrap_or_default()
                    )
                } else {
                    "a one-off action outside the simulated window (give --metrics to set the window)".to_string()
                };
                o.unmapped(2, format!("scheduled action {}: {why}", s.name));
            }
        }
    }
    // Lifecycle hooks.
    let hooks: Vec<&Hook> = acc.hooks.iter().filter(|h| h.group == g.name).collect();
    let mut header = false;
    for h in hooks {
        let tr = match h.transition.as_str() {
            "autoscaling:EC2_INSTANCE_LAUNCHING" => "launching",
            "autoscaling:EC2_INSTANCE_TERMINATING" => "terminating",
            t => {
                o.unmapped(2, format!("lifecycle hook {}: transition {t}", h.name));
                continue;
            }
        };
        if !header {
            o.line(2, "lifecycle_hooks:");
            header = true;
        }
        o.ok();
        let mut parts = vec![format!("name: {}", q(&h.name)), format!("transition: {tr}")];
        if let Some(t) = h.heartbeat {
            parts.push(format!("heartbeat_timeout: {}", secs(t)));
        }
        if let Some(r) = &h.default_result {
            parts.push(format!("default_result: {r}"));
        }
        parts.push("completes_after: { dist: uniform, min: 30s, max: 90s }".into());
        o.line(3, format!("- {{ {} }}   # assumption: completes_after (when your instance calls complete-lifecycle-action)", parts.join(", ")));
    }
    // Warm pool.
    if let Some(w) = acc.warm_pools.iter().find(|w| w.group == g.name) {
        o.ok();
        let mut parts = vec![format!("min_size: {}", w.min_size)];
        if let Some(m) = w.max_prepared {
            parts.push(format!("max_group_prepared_capacity: {m}"));
        }
        if let Some(s) = &w.state {
            parts.push(format!("pool_state: {s}"));
        }
        o.line(2, format!("warm_pool: {{ {} }}", parts.join(", ")));
    }
}

fn policy(o: &mut Out, acc: &Account, g: &Asg, p: &Policy) {
    let alarm = acc.alarms.iter().find(|a| {
        a.actions
            .iter()
            .any(|(gg, pp)| gg == &g.name && pp == &p.name)
            && !a.name.starts_with("TargetTracking-")
    });
    let name = q(&p.name);
    match p.kind.as_str() {
        "TargetTrackingScaling" => {
            let m = match p.tt_metric.as_deref() {
                Some(m @ ("ASGAverageCPUUtilization" | "ALBRequestCountPerTarget")) => m,
                other => {
                    o.unmapped(
                        3,
                        format!(
                            "target tracking policy {}: metric {}",
                            p.name,
                            other.unwrap_or("customized")
                        ),
                    );
                    return;
                }
            };
            o.ok();
            o.line(3, format!("- name: {name}"));
            o.line(4, "type: target_tracking");
            o.line(4, format!("metric: {m}"));
            o.line(4, format!("target: {}", num(p.tt_target.unwrap_or(0.0))));
            if p.disable_scale_in {
                o.line(4, "disable_scale_in: true");
            }
            if let Some(w) = p.warmup {
                o.line(4, format!("estimated_instance_warmup: {}", secs(w)));
            }
        }
        "StepScaling" | "SimpleScaling" => {
            let Some(a) = alarm else {
                o.unmapped(3, format!("{} policy {}: no alarm in the inputs triggers it (export `cloudwatch describe-alarms`)", p.kind, p.name));
                return;
            };
            let Some(cmp) = comparison(&a.comparison) else {
                o.unmapped(
                    3,
                    format!(
                        "policy {}: its alarm {} compares with {}",
                        p.name, a.name, a.comparison
                    ),
                );
                return;
            };
            let Some(stat) = statistic(&a.statistic) else {
                o.unmapped(
                    3,
                    format!(
                        "policy {}: its alarm {} uses statistic {}",
                        p.name, a.name, a.statistic
                    ),
                );
                return;
            };
            o.ok();
            o.ok(); // the alarm
            o.line(3, format!("- name: {name}"));
            o.line(
                4,
                format!(
                    "type: {}",
                    if p.kind == "StepScaling" {
                        "step"
                    } else {
                        "simple"
                    }
                ),
            );
            if !p.enabled {
                o.line(4, "enabled: false");
            }
            if let Some(t) = &p.adjustment_type {
                o.line(4, format!("adjustment_type: {t}"));
            }
            let mut al = vec![
                format!("name: {}", q(&a.name)),
                format!("metric: {}", q(&a.metric)),
                format!("statistic: {stat}"),
                format!("comparison: \"{cmp}\""),
                format!("threshold: {}", num(a.threshold)),
                format!("period: {}", secs(a.period)),
                format!("evaluation_periods: {}", a.evaluation_periods),
            ];
            if let Some(d) = a.datapoints_to_alarm {
                al.push(format!("datapoints_to_alarm: {d}"));
            }
            match a.treat_missing.as_deref() {
                Some("breaching") => al.push("treat_missing_data: breaching".into()),
                Some("notBreaching") => al.push("treat_missing_data: not_breaching".into()),
                Some("ignore") => al.push("treat_missing_data: ignore".into()),
                _ => {}
            }
            if let Some(q_) = a.dimensions.get("QueueName") {
                al.push(format!("queue: {}", q(q_)));
            }
            if let Some(t) = a.dimensions.get("TableName") {
                al.push(format!("table: {}", q(t)));
            }
            o.line(4, format!("alarm: {{ {} }}", al.join(", ")));
            if p.kind == "StepScaling" {
                o.line(4, "steps:");
                for s in &p.steps {
                    let mut parts = Vec::new();
                    if let Some(l) = s.lower {
                        parts.push(format!("lower: {}", num(l)));
                    }
                    if let Some(u) = s.upper {
                        parts.push(format!("upper: {}", num(u)));
                    }
                    parts.push(format!("adjustment: {}", s.adjustment));
                    o.line(5, format!("- {{ {} }}", parts.join(", ")));
                }
                if let Some(w) = p.warmup {
                    o.line(4, format!("estimated_instance_warmup: {}", secs(w)));
                }
                if let Some(m) = &p.aggregation {
                    match statistic(m) {
                        Some(s) => o.line(4, format!("metric_aggregation_type: {s}")),
                        None => o.note(4, format!("not mapped: MetricAggregationType {m}")),
                    }
                }
            } else {
                o.line(4, format!("adjustment: {}", p.adjustment.unwrap_or(0)));
                if let Some(c) = p.cooldown {
                    o.line(4, format!("cooldown: {}", secs(c)));
                }
            }
            if let Some(m) = p.min_adjustment_magnitude {
                o.line(4, format!("min_adjustment_magnitude: {m}"));
            }
        }
        k => {
            o.unmapped(3, format!("policy {} of type {k}", p.name));
            return;
        }
    }
    for u in &p.unmapped {
        o.note(4, format!("not mapped: {u}"));
    }
}

fn queue(o: &mut Out, acc: &Account, qu: &Queue) {
    let a = &qu.attrs;
    o.line(1, format!("- name: {}", q(&qu.name)));
    if a.get("FifoQueue").map(String::as_str) == Some("true") {
        o.line(2, "type: fifo");
    }
    let dur = |k: &str| a.get(k).and_then(|v| v.parse::<u64>().ok());
    if let Some(v) = dur("VisibilityTimeout") {
        o.line(2, format!("visibility_timeout: {}", secs(v)));
    }
    if let Some(v) = dur("MessageRetentionPeriod") {
        o.line(2, format!("message_retention: {}", secs(v)));
    }
    if let Some(v) = dur("DelaySeconds") {
        o.line(2, format!("delay: {}", secs(v)));
    }
    if let Some(v) = dur("MaximumMessageSize") {
        o.line(2, format!("maximum_message_size: {v}B"));
    }
    if a.get("ContentBasedDeduplication").map(String::as_str) == Some("true") {
        o.line(2, "content_based_deduplication: true");
    }
    if let Some(w) = dur("ReceiveMessageWaitTimeSeconds").filter(|w| *w > 0) {
        o.note(2, format!("ReceiveMessageWaitTimeSeconds {w}: long polling is the consumer's `wait_time: {w}s` in the scenario"));
    }
    if let Some((dlq, n)) = &qu.redrive {
        if acc.queues.iter().any(|x| &x.name == dlq) {
            o.line(
                2,
                format!(
                    "redrive: {{ dead_letter_queue: {}, max_receive_count: {n} }}",
                    q(dlq)
                ),
            );
        } else {
            o.note(2, format!("not mapped: redrive to {dlq}, which is not in the inputs (export its attributes too)"));
        }
    }
}

fn table(o: &mut Out, acc: &Account, t: &Table) {
    o.line(1, format!("- name: {}", q(&t.name)));
    if t.billing_mode == "PAY_PER_REQUEST" {
        o.line(2, "billing_mode: on_demand");
    } else {
        o.line(2, "billing_mode: provisioned");
        if let Some(r) = t.rcu {
            o.line(2, format!("read_capacity: {}", num(r)));
        }
        if let Some(w) = t.wcu {
            o.line(2, format!("write_capacity: {}", num(w)));
        }
    }
    if let Some(n) = t.item_count {
        o.line(2, format!("item_count: {n}"));
    }
    let rid = format!("table/{}", t.name);
    let mut scale = Vec::new();
    for (dim, key) in [
        ("dynamodb:table:ReadCapacityUnits", "read"),
        ("dynamodb:table:WriteCapacityUnits", "write"),
    ] {
        let Some(st) = acc
            .scalable_targets
            .iter()
            .find(|s| s.resource_id == rid && s.dimension == dim)
        else {
            continue;
        };
        let pol = acc.app_policies.iter().find(|p| {
            p.resource_id == rid && p.dimension == dim && p.kind == "TargetTrackingScaling"
        });
        match pol.and_then(|p| p.target) {
            Some(target) => {
                o.ok(); // the scalable target
                o.ok(); // its policy
                scale.push(format!(
                    "{key}: {{ min: {}, max: {}, target: {} }}",
                    num(st.min),
                    num(st.max),
                    num(target)
                ));
            }
            None => o.unmapped(
                2,
                format!("scalable target {rid} {dim}: no target tracking policy in the inputs"),
            ),
        }
    }
    if !scale.is_empty() {
        o.line(2, format!("auto_scaling: {{ {} }}", scale.join(", ")));
    }
    if !t.gsis.is_empty() {
        o.line(2, "global_secondary_indexes:");
        for (n, r, w) in &t.gsis {
            let mut parts = vec![format!("name: {}", q(n))];
            if t.billing_mode != "PAY_PER_REQUEST" {
                if let Some(r) = r {
                    parts.push(format!("read_capacity: {}", num(*r)));
                }
                if let Some(w) = w {
                    parts.push(format!("write_capacity: {}", num(*w)));
                }
            }
            o.line(3, format!("- {{ {} }}", parts.join(", ")));
        }
    }
}
