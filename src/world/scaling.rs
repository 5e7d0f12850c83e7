//! Dynamic scaling in the world: CloudWatch datapoints each minute (published
//! after `cloudwatch.publication_delay`), the alarms of simple, step and
//! target tracking policies, and the decisions they lead to — including the
//! decisions not taken, which go to the activity history as `not_scaled`.
//!
//! A group's EC2 metric (CPUUtilization) follows its `instance.monitoring`:
//! one datapoint a minute (detailed) or one per five minutes (basic), the
//! latter published with the same delay after its 5-minute period ends and
//! missing from the other four minutes of one-minute alarms. Load balancer,
//! queue and Auto Scaling group metrics stay one-minute.
//!
//! The rules themselves live in [`crate::aws::cloudwatch`] (alarm
//! evaluation) and [`crate::aws::scaling`] (adjustments, warm-up, cooldown,
//! combining policies); this file only feeds them and acts on the result.

use super::{Act, Activity, Ev, SIMULATOR_WORDING, World};
use crate::aws::cloudwatch::{self, AlarmEvaluator, AlarmState, MetricStats, TargetTrackingAlarm};
use crate::aws::ec2::LifecycleState;
use crate::aws::scaling::{self as rules, Capacity, TargetAlarm, TargetVote};
use crate::scenario::{
    AutoScalingGroup, Duration, PolicyType, ScalingPolicy, ScalingProcess, Scenario, Statistic,
};
use crate::sim::SimTime;
use std::collections::{BTreeMap, VecDeque};

const MINUTE: SimTime = 60_000_000_000;

/// Where a policy's metric comes from.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Source {
    /// The group's average CPUUtilization (instances past warm-up for step
    /// and target tracking policies, all reporting instances otherwise).
    GroupCpu,
    /// A load balancer's RequestCount.
    LbRequests(u32),
    /// ALBRequestCountPerTarget: requests per healthy target.
    LbRequestsPerTarget(u32),
    /// TargetResponseTime (average, seconds).
    LbResponseTime(u32),
    /// HTTPCode_ELB_5XX_Count.
    Lb5xx(u32),
    /// GroupInServiceInstances.
    InService,
    /// An SQS queue's ApproximateNumberOfMessagesVisible.
    QueueVisible(u32),
    /// A queue's visible messages per InService instance (WE-09).
    QueueBacklogPerInstance(u32),
    /// A metric stratus does not model yet: always missing.
    Unknown,
}

impl Source {
    /// The CloudWatch metric name of the series (`metric` in metrics.csv).
    fn metric_name(self) -> &'static str {
        match self {
            Source::GroupCpu => "CPUUtilization",
            Source::LbRequests(_) => "RequestCount",
            Source::LbRequestsPerTarget(_) => "RequestCountPerTarget",
            Source::LbResponseTime(_) => "TargetResponseTime",
            Source::Lb5xx(_) => "HTTPCode_ELB_5XX_Count",
            Source::InService => "GroupInServiceInstances",
            Source::QueueVisible(_) => "ApproximateNumberOfMessagesVisible",
            Source::QueueBacklogPerInstance(_) => "BacklogPerInstance",
            Source::Unknown => "Unknown",
        }
    }
}

/// One minute's datapoints of a group.
#[derive(Clone, Copy, Debug, Default)]
struct Minute {
    end: SimTime,
    /// The minute's CPU average (what predictive scaling learns from).
    cpu_all: Option<f64>,
    in_service: f64,
    /// CPUUtilization as alarms find it in this minute: the minute's own
    /// datapoint with detailed monitoring; with basic monitoring the
    /// 5-minute datapoint in the minute that ends its period and nothing in
    /// the other four ([`cloudwatch::rule_finer_period_sees_coarse_datapoint`]).
    cw_cpu_all: Option<f64>,
    cw_cpu_warm: Option<f64>,
    /// Instances past warm-up behind this minute's CPU datapoint.
    n_warm: f64,
}

/// One instance's CPU minutes within the current EC2 metric period (basic
/// monitoring): all of them, and those past the group's warm-up.
#[derive(Clone, Copy, Debug, Default)]
struct InstancePeriod {
    all: f64,
    n_all: u32,
    warm: f64,
    n_warm: u32,
}

/// A policy's runtime state.
pub(crate) struct PolicyRt {
    spec: ScalingPolicy,
    source: Source,
    alarm: Option<AlarmEvaluator>,
    high: Option<AlarmEvaluator>,
    low: Option<AlarmEvaluator>,
    warmup: Duration,
    /// Whether `warmup` counts from launch (`rules::warm_up_counts_from_launch`).
    warmup_from_launch: bool,
    period: SimTime,
    statistic: Statistic,
    /// The last `period` of minutes' values (None: no datapoint).
    acc: VecDeque<Option<f64>>,
    last_value: Option<f64>,
    /// How many instances stood behind `last_value` (per-instance metrics).
    last_n: Option<f64>,
    last_not_scaled: String,
    /// metrics.csv resources of the policy's alarms, in alarm, high, low
    /// order (registered at the first datapoint).
    alarm_res: Vec<u32>,
}

/// A group's scaling state.
#[derive(Default)]
pub(crate) struct GroupScaling {
    policies: Vec<PolicyRt>,
    pending: VecDeque<Minute>,
    /// Each pending minute's load balancer datapoints (RequestCount,
    /// per target, TargetResponseTime, ELB 5xx), by load balancer.
    pending_lb: VecDeque<Vec<(f64, f64, f64, f64)>>,
    /// Simple scaling: instances of the activity in progress, and the
    /// cooldown that starts when the last of them is done.
    activity: Vec<u32>,
    activity_cooldown: Duration,
    cooldown_until: Option<SimTime>,
    /// Warm-up used for the group's aggregated metric.
    metric_warmup: Duration,
    /// Whether it counts from launch (`rules::warm_up_counts_from_launch`).
    metric_warmup_from_launch: bool,
    /// The period of the group's EC2 metrics: 1 min (detailed monitoring)
    /// or 5 min (basic).
    ec2_period: SimTime,
    /// Basic monitoring: each instance's CPU minutes in the current period,
    /// by instance index. A BTreeMap, so the group average sums in the same
    /// order on every run (floating-point sums depend on it).
    ec2_acc: BTreeMap<u32, InstancePeriod>,
}

fn source_of(sc: &Scenario, g: &AutoScalingGroup, metric: &str, lb_name: Option<&str>) -> Source {
    let lb = lb_name
        .and_then(|n| sc.load_balancers.iter().position(|l| l.name == n))
        .or_else(|| {
            sc.load_balancers
                .iter()
                .position(|l| l.target_group == g.name)
        })
        .map(|i| i as u32);
    match (metric, lb) {
        ("CPUUtilization" | "ASGAverageCPUUtilization", _) => Source::GroupCpu,
        ("ALBRequestCountPerTarget" | "RequestCountPerTarget", Some(l)) => {
            Source::LbRequestsPerTarget(l)
        }
        ("RequestCount", Some(l)) => Source::LbRequests(l),
        ("TargetResponseTime", Some(l)) => Source::LbResponseTime(l),
        ("HTTPCode_ELB_5XX_Count", Some(l)) => Source::Lb5xx(l),
        ("GroupInServiceInstances", _) => Source::InService,
        _ => Source::Unknown,
    }
}

/// SQS metrics of the queue an alarm or policy names (default: the queue
/// the group consumes): `ApproximateNumberOfMessagesVisible`, and the
/// backlog per instance of `ASG:as-using-sqs-queue` (`SQSBacklogPerInstance`).
fn queue_source(
    sc: &Scenario,
    g: &AutoScalingGroup,
    metric: &str,
    queue: Option<&str>,
) -> Option<Source> {
    let name = queue.or(g.consumer.as_ref().map(|c| c.queue.as_str()))?;
    let q = sc.queues.iter().position(|x| x.name == name)? as u32;
    match metric {
        "ApproximateNumberOfMessagesVisible" => Some(Source::QueueVisible(q)),
        "SQSBacklogPerInstance" | "BacklogPerInstance" => Some(Source::QueueBacklogPerInstance(q)),
        _ => None,
    }
}

/// The group's CPUUtilization datapoints for one EC2 metric period from its
/// instances' minutes: each instance's datapoint is the average of its
/// minutes, and the group's (the `AutoScalingGroupName` dimension) is the
/// Average over the instances' datapoints, Sum / SampleCount
/// (`CW:publishingMetrics`). An instance that left during the period still
/// published its datapoint for it. Returns (all instances, past warm-up).
fn ec2_period_datapoints(acc: &BTreeMap<u32, InstancePeriod>) -> (Option<f64>, Option<f64>) {
    let (mut all, mut warm) = (MetricStats::new(), MetricStats::new());
    for p in acc.values() {
        if p.n_all > 0 {
            all.add(p.all / p.n_all as f64);
        }
        if p.n_warm > 0 {
            warm.add(p.warm / p.n_warm as f64);
        }
    }
    (
        all.value(Statistic::Average),
        warm.value(Statistic::Average),
    )
}

impl GroupScaling {
    /// Prepare a group's policies.
    pub(crate) fn new(sc: &Scenario, g: &AutoScalingGroup, origin_s: i64) -> GroupScaling {
        let mut policies = Vec::new();
        let ec2_period = cloudwatch::ec2_metric_period_ns(g.instance.monitoring);
        // Only the group's EC2 metric follows the monitoring setting.
        let metric_period = |s: Source| {
            if s == Source::GroupCpu {
                ec2_period
            } else {
                MINUTE
            }
        };
        for (k, p) in g.scaling_policies.iter().enumerate() {
            if !p.enabled {
                continue;
            }
            let warmup = rules::effective_instance_warmup(
                p.estimated_instance_warmup,
                g.default_instance_warmup,
                g.default_cooldown,
            );
            let mut rt = PolicyRt {
                spec: p.clone(),
                source: Source::Unknown,
                alarm: None,
                high: None,
                low: None,
                warmup,
                warmup_from_launch: rules::warm_up_counts_from_launch(
                    p.estimated_instance_warmup,
                    g.default_instance_warmup,
                ),
                period: MINUTE,
                statistic: Statistic::Average,
                acc: VecDeque::new(),
                last_value: None,
                last_n: None,
                last_not_scaled: String::new(),
                alarm_res: Vec::new(),
            };
            match p.kind {
                PolicyType::Simple | PolicyType::Step => {
                    if let Some(a) = &p.alarm {
                        let name = a
                            .name
                            .clone()
                            .unwrap_or_else(|| format!("{}-{}", g.name, p.name));
                        rt.source = queue_source(sc, g, &a.metric, a.queue.as_deref())
                            .unwrap_or_else(|| {
                                source_of(sc, g, &a.metric, a.load_balancer.as_deref())
                            });
                        rt.period = a.period.0.max(MINUTE) / MINUTE * MINUTE;
                        rt.statistic = a.statistic;
                        rt.alarm = Some(
                            AlarmEvaluator::from_alarm(name, a)
                                .with_clock_origin(origin_s)
                                .with_metric_period(metric_period(rt.source)),
                        );
                    }
                }
                PolicyType::TargetTracking => {
                    let metric = p.metric.as_deref().unwrap_or("ASGAverageCPUUtilization");
                    rt.source = queue_source(sc, g, metric, p.queue.as_deref())
                        .unwrap_or_else(|| source_of(sc, g, metric, None));
                    let target = p.target.unwrap_or(50.0);
                    let id = crate::sim::rng::fnv1a(&format!("{}/{}", g.name, p.name)) ^ k as u64;
                    rt.statistic = if matches!(rt.source, Source::LbRequestsPerTarget(_)) {
                        Statistic::Sum
                    } else {
                        Statistic::Average
                    };
                    rt.high = Some(
                        AlarmEvaluator::target_tracking_high(target)
                            .with_name(cloudwatch::target_tracking_alarm_name(
                                &g.name,
                                TargetTrackingAlarm::High,
                                id,
                            ))
                            .with_clock_origin(origin_s)
                            .with_metric_period(metric_period(rt.source)),
                    );
                    if !p.disable_scale_in {
                        // Per metric kind unless the policy sets it
                        // (`crate::aws::recorded::tt_scale_in_ratio`).
                        let kinds = &sc.cloudwatch.target_tracking_scale_in;
                        let thr = p.scale_in_threshold.unwrap_or_else(|| {
                            crate::aws::recorded::tt_scale_in_ratio(
                                metric,
                                kinds.predefined,
                                kinds.custom,
                            )
                        });
                        rt.low = Some(
                            AlarmEvaluator::target_tracking_low(target, thr)
                                .with_name(cloudwatch::target_tracking_alarm_name(
                                    &g.name,
                                    TargetTrackingAlarm::Low,
                                    id,
                                ))
                                .with_clock_origin(origin_s)
                                .with_metric_period(metric_period(rt.source)),
                        );
                    }
                }
                PolicyType::Predictive => {}
            }
            policies.push(rt);
        }
        GroupScaling {
            policies,
            metric_warmup: rules::effective_instance_warmup(
                None,
                g.default_instance_warmup,
                g.default_cooldown,
            ),
            metric_warmup_from_launch: rules::warm_up_counts_from_launch(
                None,
                g.default_instance_warmup,
            ),
            ec2_period,
            ..GroupScaling::default()
        }
    }

    /// Whether the group has anything to evaluate each minute.
    pub(crate) fn is_active(&self) -> bool {
        !self.policies.is_empty()
    }
}

impl World {
    /// Schedule the first CloudWatch minute if any group scales dynamically.
    pub(super) fn start_cloudwatch(&mut self) {
        if self.groups.iter().any(|g| g.scaling.is_active()) && MINUTE <= self.end {
            self.q.push(MINUTE, Ev::CloudWatchMinute);
        }
    }

    /// The group's capacity as the policy rules see it.
    fn capacity(&self, g: usize, warmup: Duration, from_launch: bool) -> Capacity {
        let a = &self.groups[g].aws;
        let mut cap = Capacity {
            desired: a.desired(),
            past_warmup: 0,
            warming: 0,
            terminating: 0,
            min: a.min(),
            max: a.max(),
        };
        for &i in a.instances() {
            let inst = &self.instances[i as usize];
            match inst.state {
                LifecycleState::InService => {
                    let since =
                        rules::warm_up_start(inst.warm_up_launch, inst.in_service_at, from_launch)
                            .unwrap_or(0);
                    // The initial fleet starts past warm-up.
                    if inst.in_service_at.unwrap_or(0) == 0
                        || rules::warm_up_expired(self.now, since, warmup)
                    {
                        cap.past_warmup += 1;
                    } else {
                        cap.warming += 1;
                    }
                }
                LifecycleState::Pending | LifecycleState::PendingWait => cap.warming += 1,
                LifecycleState::Terminating | LifecycleState::TerminatingWait => {
                    cap.terminating += 1
                }
                // Warm pool instances count toward nothing until they leave it.
                LifecycleState::Terminated
                | LifecycleState::Standby
                | LifecycleState::WarmedPending
                | LifecycleState::WarmedPendingWait
                | LifecycleState::Warmed(_) => {}
            }
        }
        cap
    }

    /// Every minute: take the groups' datapoints, publish those whose delay
    /// has passed, evaluate the alarms and act.
    #[inline(never)]
    pub(super) fn on_cloudwatch_minute(&mut self) {
        let now = self.now;
        let delay = self.publication_delay;
        self.sqs_cloudwatch_minute();
        for g in 0..self.groups.len() {
            if !self.groups[g].scaling.is_active() {
                continue;
            }
            let warmup = self.groups[g].scaling.metric_warmup;
            let from_launch = self.groups[g].scaling.metric_warmup_from_launch;
            let ec2_period = self.groups[g].scaling.ec2_period;
            let basic = ec2_period > MINUTE;
            let (mut all, mut n_all, mut warm, mut n_warm) = (0.0, 0u32, 0.0, 0u32);
            for k in 0..self.groups[g].aws.instances().len() {
                let i = self.groups[g].aws.instances()[k];
                let inst = &mut self.instances[i as usize];
                if inst.state != LifecycleState::InService {
                    continue;
                }
                let cpu = inst.take_cw_cpu(now, MINUTE);
                all += cpu;
                n_all += 1;
                let since =
                    rules::warm_up_start(inst.warm_up_launch, inst.in_service_at, from_launch)
                        .unwrap_or(0);
                let is_warm = inst.in_service_at.unwrap_or(0) == 0
                    || rules::warm_up_expired(now, since, warmup);
                if is_warm {
                    warm += cpu;
                    n_warm += 1;
                }
                if basic {
                    // The instance's datapoint averages its own minutes of
                    // the period; instances still warming up at a minute
                    // leave that minute out of the warm aggregate.
                    let acc = self.groups[g].scaling.ec2_acc.entry(i).or_default();
                    acc.all += cpu;
                    acc.n_all += 1;
                    if is_warm {
                        acc.warm += cpu;
                        acc.n_warm += 1;
                    }
                }
            }
            let in_service = n_all as f64;
            let cpu_all = (n_all > 0).then(|| all / n_all as f64);
            let cpu_warm = (n_warm > 0).then(|| warm / n_warm as f64);
            let (cw_cpu_all, cw_cpu_warm) = if !basic {
                (cpu_all, cpu_warm)
            } else if cloudwatch::rule_finer_period_sees_coarse_datapoint(now, ec2_period) {
                ec2_period_datapoints(&std::mem::take(&mut self.groups[g].scaling.ec2_acc))
            } else {
                (None, None)
            };
            self.groups[g].scaling.pending.push_back(Minute {
                end: now,
                cpu_all,
                in_service,
                cw_cpu_all,
                cw_cpu_warm,
                n_warm: n_warm as f64,
            });
        }
        // Load balancer minutes are shared by the groups' policies.
        let lb_minute: Vec<(f64, f64, f64, f64)> = self
            .lbs
            .iter_mut()
            .map(|l| {
                let l = &mut l.aws;
                let m = l.flush_minute();
                let healthy = l.healthy_count().max(1) as f64;
                let rt = if m.responses > 0 {
                    m.response_time_sum as f64 / m.responses as f64 / 1e9
                } else {
                    f64::NAN
                };
                (
                    m.requests as f64,
                    m.requests as f64 / healthy,
                    rt,
                    (m.elb_502 + m.elb_503 + m.elb_504) as f64,
                )
            })
            .collect();
        for g in 0..self.groups.len() {
            if let Some(m) = self.groups[g].scaling.pending.back().copied()
                && m.end == now
            {
                let lb = self.groups[g]
                    .aws
                    .lbs()
                    .first()
                    .map(|&l| lb_minute[l as usize].0);
                let cpu_sum = m.cpu_all.unwrap_or(0.0) * m.in_service;
                self.predictive_minute(g, now, cpu_sum, m.in_service as u32, lb);
            }
        }
        for g in 0..self.groups.len() {
            if !self.groups[g].scaling.is_active() {
                continue;
            }
            // Load balancer datapoints of this minute wait with the group's
            // for the same publication delay.
            self.groups[g]
                .scaling
                .pending_lb
                .push_back(lb_minute.clone());
            while let Some(m) = self.groups[g].scaling.pending.front().copied() {
                if m.end + delay > now {
                    break;
                }
                self.groups[g].scaling.pending.pop_front();
                let lbm = self.groups[g]
                    .scaling
                    .pending_lb
                    .pop_front()
                    .unwrap_or_default();
                self.evaluate_group(g, m, &lbm);
            }
        }
        if now + MINUTE <= self.end {
            self.q.push(now + MINUTE, Ev::CloudWatchMinute);
        }
    }

    fn evaluate_group(&mut self, g: usize, m: Minute, lbm: &[(f64, f64, f64, f64)]) {
        let now = self.now;
        let t = self.clock_text(now);
        let mut candidates: Vec<(u32, String)> = Vec::new();
        let mut votes: Vec<(TargetVote, String)> = Vec::new();
        let mut fired: Vec<String> = Vec::new();
        for p in 0..self.groups[g].scaling.policies.len() {
            let (value, kind, behind) = {
                let rt = &self.groups[g].scaling.policies[p];
                // The instance count a per-instance datapoint was averaged
                // over, so that target tracking computes the load the
                // datapoint measured (metric × that count), not the metric
                // times today's count: after a scale-in the datapoints of the
                // larger fleet still arrive for a minute or two, and
                // applying them to the smaller fleet would scale in again.
                let behind = match rt.source {
                    Source::GroupCpu if rt.spec.kind != PolicyType::Simple => Some(m.n_warm),
                    Source::LbRequestsPerTarget(l) => lbm
                        .get(l as usize)
                        .filter(|x| x.1 > 0.0)
                        .map(|x| (x.0 / x.1).round()),
                    Source::QueueBacklogPerInstance(_) => Some(m.in_service),
                    _ => None,
                };
                let v = match rt.source {
                    Source::GroupCpu => {
                        if rt.spec.kind == PolicyType::Simple {
                            m.cw_cpu_all
                        } else {
                            m.cw_cpu_warm
                        }
                    }
                    Source::LbRequests(l) => lbm.get(l as usize).map(|x| x.0),
                    Source::LbRequestsPerTarget(l) => lbm.get(l as usize).map(|x| x.1),
                    Source::LbResponseTime(l) => {
                        lbm.get(l as usize).map(|x| x.2).filter(|x| x.is_finite())
                    }
                    Source::Lb5xx(l) => lbm.get(l as usize).map(|x| x.3),
                    Source::InService => Some(m.in_service),
                    Source::QueueVisible(q) => self.sqs_visible_at(q, m.end),
                    Source::QueueBacklogPerInstance(q) => self
                        .sqs_visible_at(q, m.end)
                        .map(|v| rules::sqs_backlog_per_instance(v as u64, m.in_service as u32)),
                    Source::Unknown => None,
                };
                (v, rt.spec.kind, behind)
            };
            // An alarm with a period of one minute or more is evaluated
            // every minute over a sliding window of its period (period 5 min,
            // N = 1: minutes 1–5 at the end of minute 5, 2–6 at the end of
            // minute 6; `CW:AlarmThatSendsEmail`, WE-18): the datapoint is
            // the statistic of the last `period` of minutes, and the
            // evaluator takes its N datapoints a period apart.
            let rt = &mut self.groups[g].scaling.policies[p];
            let minutes = (rt.period / MINUTE).max(1) as usize;
            rt.acc.push_back(value);
            while rt.acc.len() > minutes {
                rt.acc.pop_front();
            }
            let vals = rt.acc.iter().flatten();
            let n = rt.acc.iter().flatten().count();
            let dp = if n == 0 {
                None
            } else {
                Some(match rt.statistic {
                    Statistic::Sum | Statistic::SampleCount => vals.sum(),
                    Statistic::Maximum => vals.cloned().fold(f64::MIN, f64::max),
                    Statistic::Minimum => vals.cloned().fold(f64::MAX, f64::min),
                    _ => vals.sum::<f64>() / n as f64,
                })
            };
            if dp.is_some() {
                rt.last_n = behind;
            }
            rt.last_value = dp.or(rt.last_value);
            // The series each alarm evaluates, under the alarm's name, so
            // every datapoint an alarm's reason cites is in metrics.csv (it
            // can differ from the group's series: step and target tracking
            // policies see only the instances past their warm-up).
            if let Some(v) = dp {
                if rt.alarm_res.is_empty() {
                    for e in [rt.alarm.as_ref(), rt.high.as_ref(), rt.low.as_ref()]
                        .into_iter()
                        .flatten()
                    {
                        rt.alarm_res.push(self.series.resource(e.name()));
                    }
                }
                let metric = rt.source.metric_name();
                for &res in &rt.alarm_res {
                    self.series.push(m.end - MINUTE, res, metric, v);
                }
            }
            let rt = &mut self.groups[g].scaling.policies[p];
            let mut changes = Vec::new();
            for ev in [rt.alarm.as_mut(), rt.high.as_mut(), rt.low.as_mut()]
                .into_iter()
                .flatten()
            {
                if let Some(c) = ev.evaluate(m.end, dp) {
                    changes.push((ev.name().to_string(), c));
                }
            }
            for (name, c) in changes {
                self.activities.push(Activity::new(
                    now,
                    self.groups[g].aws.name().to_string(),
                    Act::Alarm {
                        alarm: name.clone(),
                        to: c.new,
                    },
                    format!("Alarm {name} state changed from {} to {}", c.old, c.new),
                    c.reason,
                ));
            }
            let rt = &self.groups[g].scaling.policies[p];
            let pname = rt.spec.name.clone();
            match kind {
                PolicyType::Simple | PolicyType::Step => {
                    let Some(alarm) = &rt.alarm else { continue };
                    if !alarm.actions_due() {
                        continue;
                    }
                    let aname = alarm.name().to_string();
                    let cap = self.capacity(g, rt.warmup, rt.warmup_from_launch);
                    let adj_type = rt.spec.adjustment_type;
                    let mam = rt.spec.min_adjustment_magnitude;
                    let new = if kind == PolicyType::Simple {
                        let cd = &self.groups[g].scaling;
                        if !rules::simple_policy_may_respond(
                            now,
                            !cd.activity.is_empty(),
                            cd.cooldown_until,
                        ) {
                            let why = if !cd.activity.is_empty() {
                                "a scaling activity is still in progress".to_string()
                            } else {
                                format!(
                                    "the group is in cooldown until {}",
                                    self.clock_text(cd.cooldown_until.unwrap_or(now))
                                )
                            };
                            self.not_scaled(g, Some(p), &aname, &pname, &why);
                            continue;
                        }
                        rules::simple_scaling_new_desired(
                            &cap,
                            adj_type,
                            rt.spec.adjustment.unwrap_or(0),
                            mam,
                        )
                    } else {
                        let threshold = rt.spec.alarm.as_ref().map(|a| a.threshold).unwrap_or(0.0);
                        // The breach is measured on the alarm's latest
                        // datapoint: an alarm re-invoked in a minute without
                        // one (5-minute data under a one-minute alarm, or a
                        // premature-alarm ALARM) still picks its step.
                        let Some(v) = rt.last_value else { continue };
                        match rules::select_step_adjustment(&rt.spec.steps, v, threshold) {
                            Some(step) => rules::step_scaling_new_desired(
                                &cap,
                                adj_type,
                                step.adjustment,
                                mam,
                            ),
                            None => cap.desired,
                        }
                    };
                    fired.push(aname.clone());
                    candidates.push((new, format!(
                        "At {t} a monitor alarm {aname} in state ALARM triggered policy {pname} changing the desired capacity from {} to {new}.",
                        cap.desired
                    )));
                    let _ = p;
                }
                PolicyType::TargetTracking => {
                    let high = rt.high.as_ref().is_some_and(|a| a.actions_due());
                    let low = rt.low.as_ref().is_some_and(|a| a.actions_due());
                    let which = if high {
                        Some(TargetAlarm::High)
                    } else if low {
                        Some(TargetAlarm::Low)
                    } else {
                        None
                    };
                    let metric = rt.last_value.unwrap_or(0.0);
                    let mut cap = self.capacity(g, rt.warmup, rt.warmup_from_launch);
                    if let Some(n) = rt.last_n {
                        cap.past_warmup = n as u32;
                    }
                    let target = rt.spec.target.unwrap_or(50.0);
                    let vote = rules::target_tracking_vote(
                        &cap,
                        which,
                        metric,
                        target,
                        rt.spec.disable_scale_in,
                    );
                    let aname = match which {
                        Some(TargetAlarm::High) => rt.high.as_ref().map(|a| a.name().to_string()),
                        Some(TargetAlarm::Low) => rt.low.as_ref().map(|a| a.name().to_string()),
                        None => None,
                    };
                    if let Some(a) = &aname {
                        fired.push(a.clone());
                    }
                    votes.push((vote, aname.map(|a| format!("At {t} a monitor alarm {a} in state ALARM triggered policy {pname}")).unwrap_or_default()));
                }
                PolicyType::Predictive => {}
            }
        }
        let tt: Vec<TargetVote> = votes.iter().map(|v| v.0).collect();
        if let Some(c) = rules::combine_target_tracking(&tt) {
            let why = votes
                .iter()
                .find(|v| matches!(v.0, TargetVote::Out(x) | TargetVote::In(x) if x == c))
                .map(|v| v.1.clone())
                .unwrap_or_default();
            candidates.push((
                c,
                format!(
                    "{why} changing the desired capacity from {} to {c}.",
                    self.groups[g].aws.desired()
                ),
            ));
        }
        let Some(best) = rules::largest_capacity_wins(candidates.iter().map(|c| c.0)) else {
            return;
        };
        if self.suspended(g, ScalingProcess::AlarmNotification) {
            // Alarms still change state, but the group does not act on them
            // (`ASG:as-suspend-resume-processes`).
            if !fired.is_empty() {
                let a = fired.join(", ");
                self.not_scaled(
                    g,
                    None,
                    &a,
                    "",
                    "the AlarmNotification process is suspended",
                );
            }
            return;
        }
        let old = self.groups[g].aws.desired();
        // A scale-in stops at predictive scaling's forecast for this hour:
        // the larger capacity wins (`World::predictive_floor`).
        let wanted = best;
        let floor = self.predictive_floor(g).filter(|&f| best < old && best < f);
        let best = floor.map_or(best, |f| f.min(old));
        if best == old {
            if !fired.is_empty() {
                let why = if let Some(f) = floor {
                    format!(
                        "predictive scaling forecasts {f} instances for this hour, and the larger capacity wins"
                    )
                } else if best == self.groups[g].aws.max() {
                    format!("the desired capacity is already at the group's maximum ({best})")
                } else if best == self.groups[g].aws.min() {
                    format!("the desired capacity is already at the group's minimum ({best})")
                } else {
                    format!(
                        "the new desired capacity equals the current one ({best}); instances still warming up count toward it"
                    )
                };
                let a = fired.join(", ");
                self.not_scaled(g, None, &a, "", &why);
            }
            return;
        }
        let mut reason = candidates
            .iter()
            .find(|c| c.0 == wanted)
            .map(|c| c.1.clone())
            .unwrap_or_default();
        if best != wanted {
            reason = format!(
                "{}  The scale-in stops at {best}, predictive scaling's forecast for this hour (the larger capacity wins).",
                reason.replace(&format!(" to {wanted}."), &format!(" to {best}."))
            );
        }
        let simple = self.groups[g]
            .scaling
            .policies
            .iter()
            .find(|p| {
                reason.contains(&format!("policy {} ", p.spec.name))
                    && p.spec.kind == PolicyType::Simple
            })
            .map(|p| rules::effective_cooldown(p.spec.cooldown, self.groups[g].default_cooldown()));
        for p in &mut self.groups[g].scaling.policies {
            p.last_not_scaled.clear();
        }
        // The desired capacity changes now; its launches or terminations
        // start a little later (`alarm_action_delay`, `world::fidelity`).
        if self.delay_alarm_action(g, best, reason.clone(), simple) {
            return;
        }
        let before: Vec<u32> = self.groups[g].aws.instances().to_vec();
        let was_active = self.active_instances(g);
        self.set_desired(g, best, reason);
        self.track_simple_activity(g, &before, was_active, simple);
    }

    /// For simple scaling, the cooldown starts when the activity's last
    /// instance is done: the instances launched since `before`, and those of
    /// `was_active` now terminating.
    pub(super) fn track_simple_activity(
        &mut self,
        g: usize,
        before: &[u32],
        was_active: Vec<u32>,
        simple: Option<Duration>,
    ) {
        let now = self.now;
        if let Some(cooldown) = simple {
            // The cooldown starts when the last instance of this activity is
            // done launching (InService) or terminating (drained).
            let launched: Vec<u32> = self.groups[g]
                .aws
                .instances()
                .iter()
                .copied()
                .filter(|i| !before.contains(i))
                .collect();
            let gone: Vec<u32> = was_active
                .into_iter()
                .filter(|&i| self.instances[i as usize].state == LifecycleState::Terminating)
                .collect();
            let s = &mut self.groups[g].scaling;
            s.activity = launched.into_iter().chain(gone).collect();
            s.activity_cooldown = cooldown;
            if s.activity.is_empty() {
                let until = rules::cooldown_until(now, cooldown);
                s.cooldown_until = Some(until);
                self.cooldown_activity(g, until);
            }
        }
    }

    /// A `not_scaled` row: alarms fired but the desired capacity stays.
    /// `p` is the policy the reason belongs to (None: the group's combined
    /// decision).
    fn not_scaled(&mut self, g: usize, p: Option<usize>, alarm: &str, policy: &str, why: &str) {
        // One row per new reason, not one per minute.
        let key = format!("{alarm}|{why}");
        if let Some(p) = p {
            if self.groups[g].scaling.policies[p].last_not_scaled == key {
                return;
            }
            self.groups[g].scaling.policies[p].last_not_scaled = key;
        } else if !self.groups[g].note_not_scaled(key) {
            return;
        }
        let t = self.clock_text(self.now);
        let pol = if policy.is_empty() {
            String::new()
        } else {
            format!(" triggered policy {policy}, but")
        };
        self.activities.push(
            Activity::new(
                self.now,
                self.groups[g].aws.name().to_string(),
                Act::NotScaled,
                format!("No scaling: {why}"),
                format!("At {t} a monitor alarm {alarm} in state ALARM{pol} the desired capacity was not changed: {why}."),
            )
            .with_details(SIMULATOR_WORDING),
        );
    }

    /// An instance of a simple policy's activity is done (InService or
    /// terminated): when it is the last, the cooldown starts.
    pub(super) fn scaling_activity_done(&mut self, g: usize, inst: u32) {
        let now = self.now;
        let s = &mut self.groups[g].scaling;
        if let Some(k) = s.activity.iter().position(|&i| i == inst) {
            s.activity.swap_remove(k);
            if s.activity.is_empty() {
                let until = rules::cooldown_until(now, s.activity_cooldown);
                s.cooldown_until = Some(until);
                self.cooldown_activity(g, until);
            }
        }
    }

    /// A `cooldown` row: the window in which simple policies ignore alarms
    /// (the dashboard shades it).
    fn cooldown_activity(&mut self, g: usize, until: SimTime) {
        let secs = until / 1_000_000_000;
        let (t, u) = (self.clock_text(self.now), self.clock_text(until));
        self.activities.push(
            Activity::new(
                self.now,
                self.groups[g].aws.name().to_string(),
                Act::Cooldown { until },
                format!("Cooldown until {secs}s"),
                format!("At {t} the last instance of the scaling activity finished; simple scaling policies wait until {u} before responding to alarms."),
            )
            .with_details(SIMULATOR_WORDING),
        );
    }

    /// The state of a group's alarms (for tests and reports).
    pub fn alarm_states(&self, g: usize) -> Vec<(String, AlarmState)> {
        self.groups[g]
            .scaling
            .policies
            .iter()
            .flat_map(|p| [p.alarm.as_ref(), p.high.as_ref(), p.low.as_ref()])
            .flatten()
            .map(|a| (a.name().to_string(), a.state()))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::cloudwatch::PRODUCIBLE_METRICS;

    /// Validation accepts exactly the metrics `aws::cloudwatch` lists as
    /// producible; the world must resolve every one of them to a series,
    /// or an accepted alarm would silently never fire.
    #[test]
    fn every_producible_metric_has_a_source() {
        let sc = crate::scenario::load_str(
            r#"
name: sources
duration: 10m
workloads:
  - { name: users, to: { load_balancer: web }, rate: 10 }
load_balancers:
  - { name: web, target_group: web }
queues:
  - { name: jobs }
auto_scaling_groups:
  - name: web
    min: 1
    max: 2
    desired: 1
    availability_zones: [us-east-1a]
    consumer: { queue: jobs, processing: 1s }
"#,
            "sources.yaml",
            std::path::Path::new("."),
            &Default::default(),
        )
        .unwrap_or_else(|d| panic!("{d}"));
        let g = &sc.auto_scaling_groups[0];
        for (metric, _) in PRODUCIBLE_METRICS {
            let s = queue_source(&sc, g, metric, None)
                .unwrap_or_else(|| source_of(&sc, g, metric, None));
            assert_ne!(s, Source::Unknown, "{metric}");
        }
    }
}
