//! Checks after typing: references, names, per-type required fields, and
//! the AWS rules' own validators.
//!
//! Each problem is a field path and a message; the loader locates the path in
//! the tree. All problems are reported, not just the first. The limits AWS
//! documents live with their rules in `crate::aws` (`AlarmConfig::problems`,
//! `validate_adjustment`, `validate_step_adjustments`,
//! `validate_target_tracking_target`, `validate_termination_policies`,
//! `sqs::queue_problems`, `ec2::zone_problem`, …): this module calls them and
//! adds only what is about the file (references, duplicates, required
//! fields). Warnings are problems that do not stop a run.

use super::diag::did_you_mean;
use super::dist::Rate;
use super::model::*;
use super::set::FieldPath;
use super::tree::Node;
use super::units::Duration;
use crate::aws::{cloudwatch, dynamodb, ec2, scaling, sqs, termination};
use std::collections::HashMap;

mod kinesis;
mod serverless;

/// A problem found by validation.
pub(crate) struct Problem {
    pub path: FieldPath,
    pub message: String,
    /// A warning: printed, but the scenario still loads and runs.
    pub warning: bool,
}

struct Checker<'a> {
    root: &'a Node,
    out: Vec<Problem>,
}

impl Checker<'_> {
    fn bad(&mut self, path: FieldPath, message: impl Into<String>) {
        self.out.push(Problem {
            path,
            message: message.into(),
            warning: false,
        });
    }

    fn warn(&mut self, path: FieldPath, message: impl Into<String>) {
        self.out.push(Problem {
            path,
            message: message.into(),
            warning: true,
        });
    }

    /// Reports a rule module's problems, each at `base` + its (dotted) field.
    fn all(&mut self, base: &FieldPath, problems: Vec<(&str, String)>) {
        for (field, m) in problems {
            let mut at = base.clone();
            for k in field.split('.') {
                at = at.key(k);
            }
            self.bad(at, m);
        }
    }

    /// `no <kind> named "x" (did you mean "y"?)` unless `name` is in `names`.
    fn reference(&mut self, path: FieldPath, kind: &str, name: &str, names: &[&str]) {
        if names.contains(&name) {
            return;
        }
        let hint = match did_you_mean(name, names.iter()) {
            Some(s) => format!(" (did you mean \"{s}\"?)"),
            None if names.is_empty() => format!(" (the scenario has no {kind}s)"),
            None => String::new(),
        };
        self.bad(path, format!("no {kind} named \"{name}\"{hint}"));
    }

    /// Names in a list must be unique; reports each repeat at its `name`.
    fn unique<'n>(&mut self, list: FieldPath, names: impl IntoIterator<Item = &'n str>) {
        let mut first: HashMap<&str, usize> = HashMap::new();
        for (i, n) in names.into_iter().enumerate() {
            if let Some(&j) = first.get(n) {
                let at = list.item(Some(n), j).key("name");
                let line = super::set::locate(self.root, &at.0).pos.line;
                self.bad(
                    list.item(None, i).key("name"),
                    format!("duplicate name \"{n}\" (first used at line {line})"),
                );
            } else {
                first.insert(n, i);
            }
        }
    }

    fn fraction(&mut self, path: FieldPath, what: &str, v: f64) {
        if !(0.0..=1.0).contains(&v) {
            self.bad(path, format!("{what} must be between 0 and 1, found {v}"));
        }
    }

    fn positive_duration(&mut self, path: FieldPath, what: &str, d: Duration) {
        if d.0 == 0 {
            self.bad(path, format!("{what} must be longer than 0s"));
        }
    }
}

fn names<T>(items: &[T], f: impl Fn(&T) -> &str) -> Vec<&str> {
    items.iter().map(f).collect()
}

/// Validates a typed scenario; `root` is the tree it was typed from.
pub(crate) fn validate(s: &Scenario, root: &Node) -> Vec<Problem> {
    let mut c = Checker {
        root,
        out: Vec::new(),
    };
    let top = FieldPath::root();
    let asgs = names(&s.auto_scaling_groups, |g| g.name.as_str());
    let lbs = names(&s.load_balancers, |l| l.name.as_str());
    let queues = names(&s.queues, |q| q.name.as_str());
    let tables = names(&s.tables, |t| t.name.as_str());
    let functions = names(&s.functions, |f| f.name.as_str());
    let apis = names(&s.apis, |a| a.name.as_str());
    let topics = names(&s.topics, |t| t.name.as_str());
    let streams = names(&s.streams, |t| t.name.as_str());

    // ------------------------------------------------------------ top level
    if s.name.trim().is_empty() {
        c.bad(
            top.key("name"),
            "the scenario needs a non-empty name (output goes to output/<name>/)",
        );
    } else if s.name.contains(['/', '\\']) || s.name == "." || s.name == ".." {
        c.bad(
            top.key("name"),
            format!(
                "\"{}\" cannot be a folder name (output goes to output/<name>/)",
                s.name
            ),
        );
    }
    c.positive_duration(top.key("duration"), "duration", s.duration);
    if !cloudwatch::is_valid_read_period(s.metrics_period.0) {
        c.bad(
            top.key("metrics_period"),
            format!(
                "metrics_period must be a period CloudWatch reads metrics at: 1s, 5s, 10s, 30s or a multiple of 60s, found {}",
                s.metrics_period
            ),
        );
    }
    if let Some(m) = ec2::region_problem(&s.region) {
        c.bad(top.key("region"), m);
    }
    if let Some(t) = &s.start_time
        && let Err(e) = parse_rfc3339_utc(t)
    {
        c.bad(top.key("start_time"), e);
    }
    for (list, ns) in [
        ("workloads", names(&s.workloads, |w| w.name.as_str())),
        ("load_balancers", lbs.clone()),
        ("auto_scaling_groups", asgs.clone()),
        ("queues", queues.clone()),
        ("tables", tables.clone()),
        ("variants", names(&s.variants, |v| v.name.as_str())),
        ("functions", functions.clone()),
        ("apis", apis.clone()),
        ("topics", topics.clone()),
        ("streams", streams.clone()),
    ] {
        c.unique(top.key(list), ns);
    }

    // ------------------------------------------------------------ workloads
    for (i, w) in s.workloads.iter().enumerate() {
        let p = top.key("workloads").item(Some(&w.name), i);
        let to = p.key("to");
        let given = [
            ("load_balancer", &w.to.load_balancer),
            ("queue", &w.to.queue),
            ("table", &w.to.table),
            ("function", &w.to.function),
            ("api", &w.to.api),
            ("topic", &w.to.topic),
            ("stream", &w.to.stream),
        ];
        let n = given.iter().filter(|(_, v)| v.is_some()).count();
        if n == 0 {
            c.bad(to, "expected one of `load_balancer`, `queue`, `table`, `function`, `api`, `topic` or `stream`, like `to: { load_balancer: web }`");
        } else if n > 1 {
            let which: Vec<String> = given
                .iter()
                .filter(|(_, v)| v.is_some())
                .map(|(k, _)| format!("`{k}`"))
                .collect();
            c.bad(
                to,
                format!(
                    "a workload sends to one place: give only one of {}",
                    which.join(" and ")
                ),
            );
        } else {
            if let Some(lb) = &w.to.load_balancer {
                c.reference(to.key("load_balancer"), "load balancer", lb, &lbs);
            }
            if let Some(q) = &w.to.queue {
                c.reference(to.key("queue"), "queue", q, &queues);
            }
            if let Some(t) = &w.to.table {
                c.reference(to.key("table"), "table", t, &tables);
                if w.operation.is_none() {
                    c.bad(
                        p.key("operation"),
                        "a workload that sends to a table needs `operation`, like `{op: get, item_size: 2KB}`",
                    );
                }
            }
        }
        check_rate(&mut c, p.key("rate"), &w.rate);
        if let Some(t) = w.timeout {
            c.positive_duration(p.key("timeout"), "timeout", t);
        }
        if let Some(r) = &w.retries
            && r.max_attempts == 0
        {
            c.bad(
                p.key("retries").key("max_attempts"),
                "max_attempts counts every attempt including the first: it must be at least 1",
            );
        }
        c.fraction(
            p.key("duplicate_sends"),
            "duplicate_sends",
            w.duplicate_sends,
        );
    }

    // ------------------------------------------------------------ load balancers
    for (i, lb) in s.load_balancers.iter().enumerate() {
        let p = top.key("load_balancers").item(Some(&lb.name), i);
        if !s
            .workloads
            .iter()
            .any(|w| w.to.load_balancer.as_deref() == Some(lb.name.as_str()))
            && !s
                .apis
                .iter()
                .any(|a| a.to.load_balancer.as_deref() == Some(lb.name.as_str()))
            && !s.topics.iter().any(|t| {
                t.subscribers
                    .iter()
                    .any(|x| x.load_balancer.as_deref() == Some(lb.name.as_str()))
            })
        {
            let why = if s.workloads.is_empty() {
                "the scenario has no workloads"
            } else {
                "no workload has `to: { load_balancer: ... }` naming it"
            };
            c.warn(
                p.key("name"),
                format!(
                    "load balancer \"{}\" gets no requests ({why}): the run will show health checks only",
                    lb.name
                ),
            );
        }
        c.reference(
            p.key("target_group"),
            "auto scaling group",
            &lb.target_group,
            &asgs,
        );
        let hc = &lb.health_check;
        let hp = p.key("health_check");
        c.positive_duration(hp.key("interval"), "interval", hc.interval);
        c.positive_duration(hp.key("timeout"), "timeout", hc.timeout);
        if hc.timeout.0 > 0 && hc.timeout >= hc.interval {
            c.bad(
                hp.key("timeout"),
                format!(
                    "the health check timeout ({}) must be less than its interval ({})",
                    hc.timeout, hc.interval
                ),
            );
        }
        for (k, v) in [
            ("healthy_threshold", hc.healthy_threshold),
            ("unhealthy_threshold", hc.unhealthy_threshold),
        ] {
            if v == 0 {
                c.bad(hp.key(k), format!("{k} must be at least 1"));
            }
        }
        c.positive_duration(p.key("idle_timeout"), "idle_timeout", lb.idle_timeout);
    }

    // ------------------------------------------------------------ auto scaling groups
    for (i, g) in s.auto_scaling_groups.iter().enumerate() {
        let p = top.key("auto_scaling_groups").item(Some(&g.name), i);
        if g.min > g.max {
            c.bad(
                p.key("min"),
                format!("min ({}) is greater than max ({})", g.min, g.max),
            );
        }
        if let Some(d) = g.desired {
            if d < g.min {
                c.bad(
                    p.key("desired"),
                    format!("desired ({d}) is less than min ({})", g.min),
                );
            } else if d > g.max {
                c.bad(
                    p.key("desired"),
                    format!("desired ({d}) is greater than max ({})", g.max),
                );
            }
        }
        if let Some(u) = g.elasticity.target_utilization
            && !(1.0..=100.0).contains(&u)
        {
            c.bad(
                p.key("elasticity").key("target_utilization"),
                format!("target_utilization is a percentage from 1 to 100, found {u}"),
            );
        }
        if g.availability_zones.is_empty() {
            c.bad(
                p.key("availability_zones"),
                "a group needs at least one availability zone",
            );
        }
        c.unique(
            p.key("availability_zones"),
            g.availability_zones.iter().map(String::as_str),
        );
        if ec2::is_region_code(&s.region) {
            for (k, z) in g.availability_zones.iter().enumerate() {
                if let Some(m) = ec2::zone_problem(&s.region, z) {
                    c.bad(p.key("availability_zones").item(None, k), m);
                }
            }
        }
        if let Err(m) = termination::validate_termination_policies(&g.termination_policies) {
            c.bad(p.key("termination_policies"), m);
        }
        let ip = p.key("instance");
        if g.instance.workers == 0 {
            c.bad(ip.key("workers"), "workers must be at least 1");
        }
        if !(g.instance.price_per_hour >= 0.0 && g.instance.price_per_hour.is_finite()) {
            c.bad(
                ip.key("price_per_hour"),
                format!(
                    "price_per_hour must be ≥ 0, found {}",
                    g.instance.price_per_hour
                ),
            );
        }
        if !(g.instance.interruption_rate >= 0.0 && g.instance.interruption_rate.is_finite()) {
            c.bad(
                ip.key("interruption_rate"),
                format!(
                    "interruption_rate must be ≥ 0, found {}",
                    g.instance.interruption_rate
                ),
            );
        }
        for (j, step) in g.app.iter().enumerate() {
            let sp = p.key("app").item(None, j);
            match step {
                AppStep::Dynamodb(d) => {
                    c.reference(sp.key("dynamodb").key("table"), "table", &d.table, &tables)
                }
                AppStep::SqsSend(q) => {
                    c.reference(sp.key("sqs_send").key("queue"), "queue", &q.queue, &queues)
                }
                AppStep::LambdaInvoke(l) => c.reference(
                    sp.key("lambda_invoke").key("function"),
                    "function",
                    &l.function,
                    &functions,
                ),
                AppStep::SnsPublish(t) => c.reference(
                    sp.key("sns_publish").key("topic"),
                    "topic",
                    &t.topic,
                    &topics,
                ),
                AppStep::KinesisPut(k) => c.reference(
                    sp.key("kinesis_put").key("stream"),
                    "stream",
                    &k.stream,
                    &streams,
                ),
                AppStep::Compute(_) | AppStep::Wait(_) => {}
            }
        }
        if let Some(cons) = &g.consumer {
            let cp = p.key("consumer");
            c.reference(cp.key("queue"), "queue", &cons.queue, &queues);
            c.all(&cp, sqs::consumer_problems(cons));
            if cons.threads == 0 {
                c.bad(cp.key("threads"), "threads must be at least 1");
            }
            c.fraction(cp.key("failure_rate"), "failure_rate", cons.failure_rate);
            c.fraction(cp.key("poison_rate"), "poison_rate", cons.poison_rate);
            if !(cons.cpu_share > 0.0 && cons.cpu_share <= 1.0) {
                c.bad(
                    cp.key("cpu_share"),
                    format!(
                        "cpu_share is a share of the processing time, above 0 and at most 1, found {}",
                        cons.cpu_share
                    ),
                );
            }
        }
        // Scaling policies.
        let pp = p.key("scaling_policies");
        c.unique(
            pp.clone(),
            g.scaling_policies.iter().map(|x| x.name.as_str()),
        );
        for (j, pol) in g.scaling_policies.iter().enumerate() {
            let q = pp.item(Some(&pol.name), j);
            let need = |c: &mut Checker, field: &str, ok: bool, what: &str| {
                if !ok {
                    c.bad(q.key(field), format!("a {what} policy needs `{field}`"));
                }
            };
            let has_lb = s.load_balancers.iter().any(|l| l.target_group == g.name);
            match pol.kind {
                PolicyType::Simple => {
                    need(&mut c, "adjustment", pol.adjustment.is_some(), "simple");
                    need(&mut c, "alarm", pol.alarm.is_some(), "simple");
                    if let Some(a) = pol.adjustment
                        && let Err(m) = scaling::validate_adjustment(pol.adjustment_type, a)
                    {
                        c.bad(q.key("adjustment"), m);
                    }
                }
                PolicyType::Step => {
                    need(&mut c, "alarm", pol.alarm.is_some(), "step");
                    need(&mut c, "steps", !pol.steps.is_empty(), "step");
                    if !pol.steps.is_empty()
                        && let Err(m) = scaling::validate_step_adjustments(&pol.steps)
                    {
                        c.bad(q.key("steps"), m);
                    }
                    for (k, st) in pol.steps.iter().enumerate() {
                        if let Err(m) =
                            scaling::validate_adjustment(pol.adjustment_type, st.adjustment)
                        {
                            c.bad(q.key("steps").item(None, k).key("adjustment"), m);
                        }
                    }
                }
                PolicyType::TargetTracking => {
                    need(&mut c, "metric", pol.metric.is_some(), "target_tracking");
                    need(&mut c, "target", pol.target.is_some(), "target_tracking");
                    if let Some(m) = &pol.metric {
                        let has_queue = pol.queue.is_some() || g.consumer.is_some();
                        if let Some(e) = cloudwatch::metric_problem(m, &g.name, has_lb, has_queue) {
                            c.bad(q.key("metric"), e);
                        }
                    }
                    if let Some(t) = pol.target {
                        let metric = pol.metric.as_deref().unwrap_or("");
                        if let Err(e) = scaling::validate_target_tracking_target(metric, t) {
                            c.bad(q.key("target"), e);
                        }
                    }
                }
                PolicyType::Predictive => {
                    need(&mut c, "metric", pol.metric.is_some(), "predictive");
                    need(&mut c, "target", pol.target.is_some(), "predictive");
                    if let Some(m) = &pol.mode
                        && m != "forecast_only"
                        && m != "forecast_and_scale"
                    {
                        c.bad(
                            q.key("mode"),
                            format!("unknown mode \"{m}\" (expected `forecast_only` or `forecast_and_scale`)"),
                        );
                    }
                    for (field, msg) in
                        crate::aws::predictive::predictive_policy_problems(g, j, has_lb)
                    {
                        c.bad(q.key(field), msg);
                    }
                    if let Some(t) = pol.target
                        && !(t > 0.0 && t.is_finite())
                    {
                        c.bad(
                            q.key("target"),
                            format!("target must be greater than 0, found {t}"),
                        );
                    }
                }
            }
            if let Some(x) = pol.scale_in_threshold
                && !(x > 0.0 && x <= 1.0)
            {
                c.bad(
                    q.key("scale_in_threshold"),
                    format!("scale_in_threshold is a share of the target, from 0 to 1, found {x}"),
                );
            }
            if let Some(qn) = &pol.queue {
                c.reference(q.key("queue"), "queue", qn, &queues);
            }
            if let Some(a) = &pol.alarm {
                let ap = q.key("alarm");
                if let Some(n) = &a.queue {
                    c.reference(ap.key("queue"), "queue", n, &queues);
                }
                if let Some(n) = &a.load_balancer {
                    c.reference(ap.key("load_balancer"), "load balancer", n, &lbs);
                }
                if let Some(n) = &a.table {
                    c.reference(ap.key("table"), "table", n, &tables);
                }
                let has_queue = a.queue.is_some() || g.consumer.is_some();
                if let Some(e) = cloudwatch::metric_problem(
                    &a.metric,
                    &g.name,
                    has_lb || a.load_balancer.is_some(),
                    has_queue,
                ) {
                    c.bad(ap.key("metric"), e);
                }
                let config = cloudwatch::AlarmConfig::from_alarm(pol.name.as_str(), a);
                c.all(&ap, config.problems());
                if let Some(m) = cloudwatch::simulated_period_problem(a.period.0) {
                    c.bad(ap.key("period"), m);
                }
            }
        }
        // Scheduled actions.
        let sp = p.key("scheduled_actions");
        c.unique(
            sp.clone(),
            g.scheduled_actions.iter().map(|x| x.name.as_str()),
        );
        for (j, a) in g.scheduled_actions.iter().enumerate() {
            let q = sp.item(Some(&a.name), j);
            match (&a.at, &a.recurrence) {
                (None, None) => c.bad(
                    q.key("at"),
                    "a scheduled action needs `at` (once) or `recurrence` (cron)",
                ),
                (Some(_), Some(_)) => c.bad(
                    q.key("recurrence"),
                    "give either `at` or `recurrence`, not both",
                ),
                (None, Some(r)) => {
                    if let Err(e) = check_cron(r) {
                        c.bad(q.key("recurrence"), e);
                    }
                }
                _ => {}
            }
            if a.desired.is_none()
                && a.min.is_none()
                && a.max.is_none()
                && a.launch_template_version.is_none()
            {
                c.bad(
                    q.key("desired"),
                    "a scheduled action needs at least one of `desired`, `min` or `max`",
                );
            }
            if let (Some(lo), Some(hi)) = (a.min, a.max)
                && lo > hi
            {
                c.bad(
                    q.key("min"),
                    format!("min ({lo}) is greater than max ({hi})"),
                );
            }
        }
        c.unique(
            p.key("lifecycle_hooks"),
            g.lifecycle_hooks.iter().map(|x| x.name.as_str()),
        );
        for (j, h) in g.lifecycle_hooks.iter().enumerate() {
            let q = p.key("lifecycle_hooks").item(Some(&h.name), j);
            // `API-ASG:PutLifecycleHookType.HeartbeatTimeout`: 30 to 7200 seconds.
            if h.heartbeat_timeout < Duration::secs(30)
                || h.heartbeat_timeout > Duration::secs(7200)
            {
                c.bad(
                    q.key("heartbeat_timeout"),
                    format!(
                        "heartbeat_timeout must be from 30s to 7200s (AWS's range), found {}",
                        h.heartbeat_timeout
                    ),
                );
            }
            if let Some(e) = h.heartbeat_every {
                c.positive_duration(q.key("heartbeat_every"), "heartbeat_every", e);
            }
        }
        // `API-ASG:CreateAutoScalingGroupType.MaxInstanceLifetime`: 0 (none)
        // or at least 86,400 seconds.
        if let Some(l) = g.max_instance_lifetime
            && l.0 != 0
            && l < Duration::secs(86_400)
        {
            c.bad(
                p.key("max_instance_lifetime"),
                format!(
                    "max_instance_lifetime must be 0s (none) or at least 1d (86400s), found {l}"
                ),
            );
        }
        // PutWarmPool "cannot be called on an Auto Scaling group that has a
        // mixed instances policy or a launch template … that requests Spot
        // Instances" (`API-ASG:PutWarmPool`).
        if g.warm_pool.is_some() && g.instance.market == crate::scenario::Market::Spot {
            c.bad(
                p.key("warm_pool"),
                "a warm pool cannot be used with Spot Instances (instance.market: spot)",
            );
        }
        if let Some(r) = &g.instance_refresh {
            let q = p.key("instance_refresh");
            // `API-ASG:InstanceMaintenancePolicy`: min 0–100, max 100–200,
            // at most 100 apart.
            if !(0.0..=100.0).contains(&r.min_healthy_percentage) {
                c.bad(
                    q.key("min_healthy_percentage"),
                    format!(
                        "min_healthy_percentage must be from 0 to 100, found {}",
                        r.min_healthy_percentage
                    ),
                );
            }
            if !(100.0..=200.0).contains(&r.max_healthy_percentage)
                || r.max_healthy_percentage - r.min_healthy_percentage > 100.0
            {
                c.bad(
                    q.key("max_healthy_percentage"),
                    format!(
                        "max_healthy_percentage must be from 100 to 200 and at most 100 above min_healthy_percentage, found {}",
                        r.max_healthy_percentage
                    ),
                );
            }
        }
    }

    // ------------------------------------------------------------ queues
    let fifo: HashMap<&str, bool> = s
        .queues
        .iter()
        .map(|q| (q.name.as_str(), q.kind == QueueType::Fifo))
        .collect();
    for (i, q) in s.queues.iter().enumerate() {
        let p = top.key("queues").item(Some(&q.name), i);
        c.all(&p, sqs::queue_problems(q));
        c.fraction(p.key("duplicate_rate"), "duplicate_rate", q.duplicate_rate);
        // A chain of dead-letter queues must end (a message moved back and
        // forth would never settle).
        let mut seen = vec![q.name.as_str()];
        let mut at = q;
        while let Some(r) = &at.redrive {
            if seen.contains(&r.dead_letter_queue.as_str()) {
                if r.dead_letter_queue != q.name || seen.len() > 1 {
                    c.bad(
                        p.key("redrive").key("dead_letter_queue"),
                        format!(
                            "dead-letter queues form a cycle: {} → {}",
                            seen.join(" → "),
                            r.dead_letter_queue
                        ),
                    );
                }
                break;
            }
            seen.push(r.dead_letter_queue.as_str());
            match s.queues.iter().find(|x| x.name == r.dead_letter_queue) {
                Some(x) => at = x,
                None => break,
            }
        }
        if let Some(r) = &q.redrive {
            let rp = p.key("redrive");
            if r.dead_letter_queue == q.name {
                c.bad(
                    rp.key("dead_letter_queue"),
                    "a queue cannot be its own dead-letter queue",
                );
            } else {
                c.reference(
                    rp.key("dead_letter_queue"),
                    "queue",
                    &r.dead_letter_queue,
                    &queues,
                );
                if let Some(&dlq_fifo) = fifo.get(r.dead_letter_queue.as_str()) {
                    let me = q.kind == QueueType::Fifo;
                    if dlq_fifo != me {
                        let kind = if me { "FIFO" } else { "standard" };
                        c.bad(
                            rp.key("dead_letter_queue"),
                            format!("the dead-letter queue of a {kind} queue must also be a {kind} queue"),
                        );
                    }
                }
            }
        }
    }

    // ------------------------------------------------------------ tables
    for (i, t) in s.tables.iter().enumerate() {
        let p = top.key("tables").item(Some(&t.name), i);
        for (k, v) in [
            ("read_capacity", t.read_capacity),
            ("write_capacity", t.write_capacity),
        ] {
            if let Some(v) = v
                && !(v >= 1.0 && v.is_finite())
            {
                c.bad(p.key(k), format!("{k} must be at least 1, found {v}"));
            }
        }
        if let Some(a) = &t.auto_scaling {
            for (k, sc) in [("read", &a.read), ("write", &a.write)] {
                let Some(sc) = sc else { continue };
                let sp = p.key("auto_scaling").key(k);
                if sc.min > sc.max {
                    c.bad(
                        sp.key("min"),
                        format!("min ({}) is greater than max ({})", sc.min, sc.max),
                    );
                }
                if sc.min < 1.0 {
                    c.bad(
                        sp.key("min"),
                        format!("min must be at least 1, found {}", sc.min),
                    );
                }
                if !dynamodb::TARGET_RANGE.contains(&sc.target) {
                    c.bad(
                        sp.key("target"),
                        format!(
                            "target must be from 20 to 90 (percent utilisation), found {}",
                            sc.target
                        ),
                    );
                }
            }
        }
        if t.sdk_retry.max_attempts == Some(0) {
            c.bad(
                p.key("sdk_retry").key("max_attempts"),
                "max_attempts counts every attempt including the first: it must be at least 1",
            );
        }
        let provisioned = t.billing_mode == BillingMode::Provisioned;
        if provisioned {
            for (k, v) in [
                ("read_capacity", t.read_capacity),
                ("write_capacity", t.write_capacity),
            ] {
                if v.is_none() {
                    c.bad(
                        p.key(k),
                        format!("a provisioned table needs `{k}` (CreateTable requires ProvisionedThroughput); or use `billing_mode: on_demand`"),
                    );
                }
            }
            if t.warm_throughput.is_some() {
                c.bad(
                    p.key("warm_throughput"),
                    "warm_throughput is for on-demand tables (`billing_mode: on_demand`)",
                );
            }
        } else {
            for k in ["read_capacity", "write_capacity", "auto_scaling"] {
                let set = match k {
                    "read_capacity" => t.read_capacity.is_some(),
                    "write_capacity" => t.write_capacity.is_some(),
                    _ => t.auto_scaling.is_some(),
                };
                if set {
                    c.bad(
                        p.key(k),
                        format!("an on-demand table has no `{k}` (it scales by itself); remove it or use `billing_mode: provisioned`"),
                    );
                }
            }
            if let Some(w) = &t.warm_throughput {
                for (k, v) in [("read", w.read), ("write", w.write)] {
                    if !(v >= 1.0 && v.is_finite()) {
                        c.bad(
                            p.key("warm_throughput").key(k),
                            format!("{k} must be at least 1 unit per second, found {v}"),
                        );
                    }
                }
            }
        }
        if t.initial_burst > t.burst_capacity {
            c.bad(
                p.key("initial_burst"),
                format!(
                    "initial_burst ({}) cannot exceed burst_capacity ({})",
                    t.initial_burst, t.burst_capacity
                ),
            );
        }
        if let Partitions::Fixed(n) = t.partitions
            && n > 100_000
        {
            c.bad(
                p.key("partitions"),
                format!("at most 100000 partitions, found {n}"),
            );
        }
        if t.item_count == 0 {
            c.bad(p.key("item_count"), "item_count must be at least 1");
        }
        let mut gsi_names: Vec<&str> = Vec::new();
        for (k, g) in t.global_secondary_indexes.iter().enumerate() {
            let gp = p.key("global_secondary_indexes").item(Some(&g.name), k);
            if gsi_names.contains(&g.name.as_str()) {
                c.bad(
                    gp.key("name"),
                    format!("two indexes are named \"{}\"", g.name),
                );
            }
            gsi_names.push(&g.name);
            for (key, v) in [
                ("read_capacity", g.read_capacity),
                ("write_capacity", g.write_capacity),
            ] {
                match v {
                    Some(v) if !provisioned => c.bad(
                        gp.key(key),
                        format!("an index of an on-demand table has no `{key}`, found {v}"),
                    ),
                    Some(v) if !(v >= 1.0 && v.is_finite()) => {
                        c.bad(gp.key(key), format!("{key} must be at least 1, found {v}"))
                    }
                    None if provisioned && key == "write_capacity" => c.bad(
                        gp.key(key),
                        "an index of a provisioned table needs `write_capacity`",
                    ),
                    _ => {}
                }
            }
        }
    }
    // DynamoDB's maximum item size is 400 KB (`DDB:ServiceQuotas`).
    for (i, w) in s.workloads.iter().enumerate() {
        if let Some(op) = &w.operation
            && op.item_size.0 > 400 * 1024
        {
            c.bad(
                top.key("workloads")
                    .item(Some(&w.name), i)
                    .key("operation")
                    .key("item_size"),
                format!("a DynamoDB item is at most 400KB, found {}", op.item_size),
            );
        }
    }

    // ------------------------------------------------------------ actions
    for (i, w) in s.workloads.iter().enumerate() {
        if let Some(u) = &w.users
            && matches!(u.count, super::dist::Rate::Trace { .. })
        {
            c.bad(
                top.key("workloads")
                    .item(Some(&w.name), i)
                    .key("users")
                    .key("count"),
                "a users count cannot be a trace (use step, ramp, diurnal or spike)".to_string(),
            );
        }
    }
    for ((i, field), m) in super::fidelity::action_problems(s) {
        c.bad(top.key("actions").item(None, i).key(&field), m);
    }

    // ------------------------------------------------------------ faults
    let azs: Vec<&str> = {
        let mut v: Vec<&str> = Vec::new();
        for g in &s.auto_scaling_groups {
            for z in &g.availability_zones {
                if !v.contains(&z.as_str()) {
                    v.push(z);
                }
            }
        }
        v
    };
    for (i, f) in s.faults.iter().enumerate() {
        let p = top.key("faults").item(None, i);
        match f.kind {
            FaultKind::AzOutage => match &f.az {
                None => c.bad(p.key("az"), "an az_outage fault needs `az`"),
                Some(z) => c.reference(p.key("az"), "availability zone", z, &azs),
            },
            FaultKind::InstanceFailure | FaultKind::SpotInterruption | FaultKind::LaunchFailure => {
                match &f.auto_scaling_group {
                    None => {
                        let what = match f.kind {
                            FaultKind::InstanceFailure => "an instance_failure",
                            FaultKind::SpotInterruption => "a spot_interruption",
                            _ => "a launch_failure",
                        };
                        c.bad(
                            p.key("auto_scaling_group"),
                            format!("{what} fault needs `auto_scaling_group`"),
                        )
                    }
                    Some(g) => {
                        c.reference(p.key("auto_scaling_group"), "auto scaling group", g, &asgs)
                    }
                }
            }
            FaultKind::Latency => {
                match &f.table {
                    None => c.bad(p.key("table"), "a latency fault needs `table`"),
                    Some(t) => c.reference(p.key("table"), "table", t, &tables),
                }
                if f.add.is_none() {
                    c.bad(
                        p.key("add"),
                        "a latency fault needs `add` (the added latency, like 50ms)",
                    );
                }
            }
        }
        if let Some(d) = f.duration {
            c.positive_duration(p.key("duration"), "duration", d);
        }
        if f.count == Some(0) {
            c.bad(p.key("count"), "count must be at least 1");
        }
        if let Some(q) = f.probability
            && !(0.0..=1.0).contains(&q)
        {
            c.bad(
                p.key("probability"),
                format!("probability must be between 0 and 1, found {q}"),
            );
        }
        if let Some(st) = &f.status
            && st != "Failed"
            && st != "Cancelled"
        {
            c.bad(
                p.key("status"),
                format!("status must be Failed or Cancelled, found \"{st}\""),
            );
        }
    }

    serverless::check(&mut c, s, &functions, &apis, &lbs, &queues);
    serverless::check_topics(&mut c, s, &topics, &functions, &queues, &lbs);
    kinesis::check(&mut c, s, &streams, &functions, &queues);

    // ------------------------------------------------------------ variants
    for (i, v) in s.variants.iter().enumerate() {
        let p = top.key("variants").item(Some(&v.name), i);
        if v.name.trim().is_empty() {
            c.bad(p.key("name"), "a variant needs a non-empty name");
        } else if v.name == "base" {
            c.bad(p.key("name"), "a variant cannot be named \"base\": comparisons use that name for the base scenario");
        }
    }
    // report.charts: the names of this scenario's charts.
    let known = crate::report::charts::chart_names(s);
    for (i, n) in s.report.charts.iter().enumerate() {
        if !known.iter().any(|k| k == n) {
            let hint = did_you_mean(n, &known)
                .map(|m| format!(" (did you mean \"{m}\"?)"))
                .unwrap_or_default();
            c.bad(
                top.key("report").key("charts").item(None, i),
                format!(
                    "no chart named \"{n}\" in this scenario{hint}; its charts: {}",
                    known.join(", ")
                ),
            );
        }
    }
    c.out
}

fn check_rate(c: &mut Checker, p: FieldPath, r: &Rate) {
    let ok = |v: f64| v.is_finite() && v >= 0.0;
    match r {
        Rate::Constant(v) if !ok(*v) => c.bad(p, format!("a rate must be ≥ 0, found {v}")),
        Rate::Ramp { over, .. } if over.0 == 0 => {
            c.bad(p.key("over"), "a ramp's `over` must be longer than 0s")
        }
        Rate::Spike { duration, .. } if duration.0 == 0 => c.bad(
            p.key("duration"),
            "a spike's duration must be longer than 0s",
        ),
        _ => {}
    }
}

/// A light check of a 5-field cron expression (minute hour day month weekday).
fn check_cron(r: &str) -> Result<(), String> {
    let fields: Vec<&str> = r.split_whitespace().collect();
    if fields.len() != 5 {
        return Err(format!(
            "expected a cron expression with 5 fields (minute hour day-of-month month day-of-week) like \"0 22 * * *\", found \"{r}\""
        ));
    }
    let ok = |f: &str| {
        f.chars()
            .all(|ch| ch.is_ascii_alphanumeric() || matches!(ch, '*' | ',' | '-' | '/' | '?'))
    };
    if let Some(f) = fields.iter().find(|f| !ok(f)) {
        return Err(format!("invalid cron field \"{f}\" in \"{r}\""));
    }
    Ok(())
}

/// Parses an RFC 3339 UTC time like `2026-01-05T09:00:00Z` into seconds since
/// 1970-01-01T00:00:00Z (fractional seconds are allowed and kept).
pub fn parse_rfc3339_utc(s: &str) -> Result<f64, String> {
    let bad =
        || format!("expected an RFC 3339 UTC time like \"2026-01-05T09:00:00Z\", found \"{s}\"");
    let b = s.as_bytes();
    if b.len() < 20 || !s.is_ascii() {
        return Err(bad());
    }
    let num = |r: std::ops::Range<usize>| -> Result<u32, String> {
        let t = &s[r];
        if t.bytes().all(|c| c.is_ascii_digit()) {
            t.parse().map_err(|_| bad())
        } else {
            Err(bad())
        }
    };
    if b[4] != b'-'
        || b[7] != b'-'
        || !(b[10] == b'T' || b[10] == b't')
        || b[13] != b':'
        || b[16] != b':'
    {
        return Err(bad());
    }
    let (y, mo, d, h, mi, sec) = (
        num(0..4)?,
        num(5..7)?,
        num(8..10)?,
        num(11..13)?,
        num(14..16)?,
        num(17..19)?,
    );
    let mut i = 19;
    let mut frac = 0.0;
    if b[i] == b'.' {
        let start = i + 1;
        i = start;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == start {
            return Err(bad());
        }
        frac = format!("0.{}", &s[start..i])
            .parse::<f64>()
            .map_err(|_| bad())?;
    }
    let rest = &s[i..];
    if rest != "Z" && rest != "z" {
        return Err(if rest == "+00:00" || rest.starts_with(['+', '-']) {
            format!(
                "start_time must be in UTC with a `Z` suffix, like \"2026-01-05T09:00:00Z\", found \"{s}\""
            )
        } else {
            bad()
        });
    }
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let mdays = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    if !(1..=12).contains(&mo)
        || d == 0
        || d > mdays[(mo - 1) as usize]
        || h > 23
        || mi > 59
        || sec > 60
    {
        return Err(format!("\"{s}\" is not a valid date and time"));
    }
    Ok(
        crate::report::clock::days_from_civil(y as i64, mo, d) as f64 * 86400.0
            + (h * 3600 + mi * 60 + sec) as f64
            + frac,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_utc() {
        assert_eq!(parse_rfc3339_utc("1970-01-01T00:00:00Z").unwrap(), 0.0);
        assert_eq!(
            parse_rfc3339_utc("2026-01-05T09:00:00Z").unwrap(),
            1_767_603_600.0
        );
        assert_eq!(
            parse_rfc3339_utc("2000-03-01T00:00:00.5Z").unwrap(),
            951_868_800.5
        );
        assert!(parse_rfc3339_utc("2026-01-05 09:00:00Z").is_err());
        assert!(parse_rfc3339_utc("2026-02-30T09:00:00Z").is_err());
        assert!(
            parse_rfc3339_utc("2026-01-05T09:00:00+01:00")
                .unwrap_err()
                .contains("UTC")
        );
        assert!(parse_rfc3339_utc("2026-01-05T09:00:00").is_err());
        assert!(parse_rfc3339_utc("yesterday").is_err());
        assert!(parse_rfc3339_utc("2026-01-05T09:00:00é").is_err());
    }

    #[test]
    fn cron_shape() {
        assert!(check_cron("0 22 * * *").is_ok());
        assert!(check_cron("*/5 8-18 * * MON-FRI").is_ok());
        assert!(check_cron("0 22 * *").is_err());
        assert!(check_cron("0 22 * * $").is_err());
    }
}
