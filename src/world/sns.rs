//! The SNS side of the world: topics that fan each published message out
//! to their subscribers — SQS queues (SendMessage) and Lambda functions (an
//! asynchronous invocation) — after each subscription's filter policy.
//! Rules in [`crate::aws::sns`]; [`Topics`] owns the live state.
//!
//! Deliveries to SQS and Lambda are AWS-managed endpoints: SNS retries them
//! 100,015 times over 23 days, and both accept at once here (a queue
//! refuses only a message over its size limit: NumberOfNotificationsFailed),
//! so a slow Lambda subscriber shows up in its own async queue (throttles,
//! AsyncEventAge, its on-failure destination), not in SNS.
//!
//! An HTTP/S subscription (`load_balancer`) is a customer-managed
//! endpoint: each delivery attempt is a request through the load balancer
//! (its target's app steps run as for any request); a 2xx is delivered, a
//! 5xx (502/503/504 from the load balancer, a target's 500) is retried per
//! the subscription's delivery policy, and when the policy is exhausted —
//! or at once for a client error — the notification goes to the
//! subscription's dead-letter queue, or is discarded. Each notification
//! (message × matching subscription) ends exactly once: delivered,
//! discarded, redriven to the DLQ, lost when the DLQ refuses it, or still
//! in flight at the end.

use super::{Ev, Outcome, Request, SNS_WL, Sink, World, lambda::SlEv};
use crate::aws::sns as rules;
use crate::report::summary::r6;
use crate::scenario::{AppStep, Scenario};
use crate::sim::OptId;
use crate::sim::rng::Rng;
use crate::sim::{SimTime, stream};
use rand::RngExt;
use std::collections::BTreeMap;

#[derive(Clone, Copy, Debug)]
enum Target {
    Queue(u32),
    Function(u32),
    Http(u32),
    None,
}

struct Sub {
    target: Target,
    policy: Vec<(String, Vec<String>)>,
    dlq: Option<u32>,
    http: rules::HttpDeliveryPolicy,
}

#[derive(Clone, Debug, Default)]
struct Counts {
    published: u64,
    delivered: u64,
    /// NumberOfNotificationsFailed (HTTP/S: every failed attempt).
    failed: u64,
    filtered_out: u64,
    redriven: u64,
    failed_to_redrive: u64,
    discarded: u64,
    http_attempts: u64,
}

/// An HTTP/S notification being delivered.
#[derive(Clone, Copy, Debug)]
struct Delivery {
    topic: u32,
    sub: u32,
    retries: u32,
    generation: u32,
    live: bool,
}

struct TopicRt {
    name: String,
    res: u32,
    size: u64,
    subs: Vec<Sub>,
    /// Per attribute: its values and their cumulative shares.
    attrs: Vec<(String, Vec<(String, f64)>)>,
    rng: Rng,
    period: Counts,
    totals: Counts,
    in_flight: u64,
    scratch: Vec<(String, String)>,
}

/// The scenario's topics.
pub(crate) struct Topics {
    topics: Vec<TopicRt>,
    wl_sinks: Vec<Option<Sink>>,
    steps: Vec<Option<u32>>,
    deliveries: Vec<Delivery>,
    free: Vec<u32>,
    /// Per request slot: the HTTP/S delivery it carries.
    req_delivery: Vec<OptId>,
}

impl Topics {
    /// The sink of workload `i` when it targets a topic.
    pub(super) fn workload_sink(&self, i: usize) -> Option<Sink> {
        self.wl_sinks[i]
    }

    pub(crate) fn new(sc: &Scenario, series: &mut crate::report::metrics::Series) -> Topics {
        let qidx = |n: &str| sc.queues.iter().position(|q| q.name == n).map(|i| i as u32);
        let fidx = |n: &str| {
            sc.functions
                .iter()
                .position(|f| f.name == n)
                .map(|i| i as u32)
        };
        let tidx = |n: &str| sc.topics.iter().position(|t| t.name == n).map(|i| i as u32);
        let lidx = |n: &str| {
            sc.load_balancers
                .iter()
                .position(|l| l.name == n)
                .map(|i| i as u32)
        };
        let topics = sc
            .topics
            .iter()
            .map(|t| TopicRt {
                name: t.name.clone(),
                res: series.resource(&t.name),
                size: t.message_size.map(|s| s.0).unwrap_or(1024),
                subs: t
                    .subscribers
                    .iter()
                    .map(|s| Sub {
                        target: match (&s.queue, &s.function, &s.load_balancer) {
                            (Some(q), _, _) => qidx(q).map(Target::Queue).unwrap_or(Target::None),
                            (None, Some(f), _) => {
                                fidx(f).map(Target::Function).unwrap_or(Target::None)
                            }
                            (None, None, Some(l)) => {
                                lidx(l).map(Target::Http).unwrap_or(Target::None)
                            }
                            _ => Target::None,
                        },
                        dlq: s.dead_letter_queue.as_deref().and_then(qidx),
                        http: s
                            .delivery_policy
                            .as_ref()
                            .map(|d| d.rules())
                            .unwrap_or(rules::HttpDeliveryPolicy::DEFAULT),
                        policy: s
                            .filter_policy
                            .iter()
                            .map(|(k, v)| (k.clone(), v.clone()))
                            .collect(),
                    })
                    .collect(),
                attrs: t
                    .message_attributes
                    .iter()
                    .map(|(k, vals)| {
                        let total: f64 = vals.values().sum();
                        let mut acc = 0.0;
                        let cum = vals
                            .iter()
                            .map(|(v, w)| {
                                acc += w / total.max(1e-300);
                                (v.clone(), acc)
                            })
                            .collect();
                        (k.clone(), cum)
                    })
                    .collect(),
                rng: stream(sc.seed, &format!("sns/{}/attributes", t.name)),
                period: Counts::default(),
                totals: Counts::default(),
                in_flight: 0,
                scratch: Vec::new(),
            })
            .collect();
        let wl_sinks = sc
            .workloads
            .iter()
            .map(|w| w.to.topic.as_deref().and_then(tidx).map(Sink::Topic))
            .collect();
        let mut steps = Vec::new();
        for g in &sc.auto_scaling_groups {
            for s in &g.app {
                if let AppStep::SnsPublish(p) = s {
                    steps.push(tidx(&p.topic));
                }
            }
        }
        Topics {
            topics,
            wl_sinks,
            steps,
            deliveries: Vec::new(),
            free: Vec::new(),
            req_delivery: Vec::new(),
        }
    }
}

impl World {
    /// Publish one message to topic `t` and fan it out.
    fn sns_publish(&mut self, t: u32) {
        let tr = &mut self.topics.topics[t as usize];
        tr.period.published += 1;
        tr.totals.published += 1;
        let mut attrs = std::mem::take(&mut tr.scratch);
        attrs.clear();
        for (k, cum) in &tr.attrs {
            let u: f64 = tr.rng.random();
            let v = cum
                .iter()
                .find(|(_, c)| u < *c)
                .or(cum.last())
                .map(|x| x.0.clone());
            if let Some(v) = v {
                attrs.push((k.clone(), v));
            }
        }
        let size = tr.size;
        for i in 0..self.topics.topics[t as usize].subs.len() {
            let tr = &mut self.topics.topics[t as usize];
            let sub = &tr.subs[i];
            if !rules::matches(&sub.policy, &attrs) {
                tr.period.filtered_out += 1;
                tr.totals.filtered_out += 1;
                continue;
            }
            let ok = match sub.target {
                Target::Queue(q) => self.sqs_send_event(q, size),
                Target::Function(f) => {
                    self.lambda_async_from_sns(f);
                    true
                }
                Target::Http(_) => {
                    self.sns_http_start(t, i as u32);
                    continue;
                }
                Target::None => true,
            };
            if ok {
                let tr = &mut self.topics.topics[t as usize];
                tr.period.delivered += 1;
                tr.totals.delivered += 1;
            } else {
                // An SQS queue refuses only what it can never take (a
                // client-side error): not retried.
                self.sns_count_failed(t, false, true);
                self.sns_give_up(t, i as u32);
            }
        }
        self.topics.topics[t as usize].scratch = attrs;
    }

    fn sns_count_failed(&mut self, t: u32, http: bool, last: bool) {
        let n = rules::failed_metric_increment(http, last);
        let tr = &mut self.topics.topics[t as usize];
        tr.period.failed += n;
        tr.totals.failed += n;
    }

    /// SNS stops trying to deliver to subscription `sub` of topic `t`: to
    /// its dead-letter queue, or discarded.
    fn sns_give_up(&mut self, t: u32, sub: u32) {
        let tr = &self.topics.topics[t as usize];
        let (dlq, size) = (tr.subs[sub as usize].dlq, tr.size);
        let accepted = dlq.map(|q| self.sqs_send_event(q, size));
        let tr = &mut self.topics.topics[t as usize];
        match rules::final_fate(accepted) {
            rules::Fate::Discarded => tr.totals.discarded += 1,
            rules::Fate::Redriven => {
                tr.period.redriven += 1;
                tr.totals.redriven += 1;
            }
            rules::Fate::FailedToRedrive => {
                tr.period.failed_to_redrive += 1;
                tr.totals.failed_to_redrive += 1;
            }
        }
    }

    /// A notification for HTTP/S subscription `sub` of topic `t`: its first
    /// attempt now.
    fn sns_http_start(&mut self, t: u32, sub: u32) {
        let tp = &mut self.topics;
        let d = Delivery {
            topic: t,
            sub,
            retries: 0,
            generation: 0,
            live: true,
        };
        let slot = if let Some(i) = tp.free.pop() {
            let generation = tp.deliveries[i as usize].generation;
            tp.deliveries[i as usize] = Delivery { generation, ..d };
            i
        } else {
            tp.deliveries.push(d);
            (tp.deliveries.len() - 1) as u32
        };
        tp.topics[t as usize].in_flight += 1;
        self.sns_http_attempt(slot);
    }

    /// One HTTP/S delivery attempt: a request through the load balancer.
    fn sns_http_attempt(&mut self, d: u32) {
        let dl = self.topics.deliveries[d as usize];
        let Target::Http(lb) = self.topics.topics[dl.topic as usize].subs[dl.sub as usize].target
        else {
            return;
        };
        let now = self.now;
        let tr = &mut self.topics.topics[dl.topic as usize];
        tr.period.http_attempts += 1;
        tr.totals.http_attempts += 1;
        let req = self.alloc_req(Request {
            generation: 0,
            live: true,
            answered: false,
            wl: OptId::some(SNS_WL),
            session: OptId::NONE,
            lb: OptId::NONE,
            inst: OptId::NONE,
            started: now,
            attempt_at: now,
            attempts: dl.retries + 1,
            step: 0,
            idle: super::elb::IdleLink::UNLINKED,
        });
        let k = req as usize;
        if self.topics.req_delivery.len() <= k {
            self.topics.req_delivery.resize(k + 1, OptId::NONE);
        }
        self.topics.req_delivery[k] = OptId::some(d);
        self.lb_receive(lb, req);
    }

    /// `answer` saw an HTTP/S delivery attempt end with `outcome`.
    pub(super) fn sns_http_answered(&mut self, req: u32, outcome: Outcome) {
        let Some(d) =
            std::mem::replace(&mut self.topics.req_delivery[req as usize], OptId::NONE).get()
        else {
            return;
        };
        let status = match outcome {
            Outcome::Ok => Some(200),
            Outcome::Elb502 | Outcome::InstanceRefused => Some(502),
            Outcome::Elb503 => Some(503),
            Outcome::Elb504 => Some(504),
            Outcome::Target5xx => Some(500),
            Outcome::Throttled => Some(429),
            Outcome::ClientTimeout => None,
        };
        let dl = self.topics.deliveries[d as usize];
        let t = dl.topic;
        let result = rules::classify_http_status(status);
        if result == rules::HttpResult::Delivered {
            let tr = &mut self.topics.topics[t as usize];
            tr.period.delivered += 1;
            tr.totals.delivered += 1;
            self.sns_delivery_end(d);
            return;
        }
        let policy = self.topics.topics[t as usize].subs[dl.sub as usize].http;
        let retry = dl.retries + 1;
        let delay = match result {
            rules::HttpResult::ServerError => rules::http_retry_delay_s(&policy, retry),
            _ => None,
        };
        self.sns_count_failed(t, true, delay.is_none());
        match delay {
            Some(s) => {
                let dl = &mut self.topics.deliveries[d as usize];
                dl.retries = retry;
                let generation = dl.generation;
                let at = self.now + (s * 1e9).round() as SimTime;
                self.q.push(
                    at,
                    Ev::Serverless {
                        what: SlEv::SnsRetry,
                        a: d,
                        b: generation,
                    },
                );
            }
            None => {
                self.sns_give_up(t, dl.sub);
                self.sns_delivery_end(d);
            }
        }
    }

    fn sns_delivery_end(&mut self, d: u32) {
        let tp = &mut self.topics;
        let dl = &mut tp.deliveries[d as usize];
        dl.live = false;
        dl.generation = dl.generation.wrapping_add(1);
        tp.topics[dl.topic as usize].in_flight -= 1;
        tp.free.push(d);
    }

    /// An HTTP/S delivery's retry is due.
    pub(super) fn sns_http_retry(&mut self, d: u32, generation: u32) {
        let dl = self.topics.deliveries[d as usize];
        if dl.live && dl.generation == generation {
            self.sns_http_attempt(d);
        }
    }

    /// A workload's Publish: answered at once.
    pub(super) fn sns_workload_publish(&mut self, req: u32, t: u32) {
        self.sns_publish(t);
        self.answer(req, Outcome::Ok);
        self.free_req(req);
    }

    /// An `sns_publish` app step: published now; (ok, round trip).
    pub(super) fn sns_app_publish(&mut self, i: u32) -> (bool, SimTime) {
        if let Some(t) = self.topics.steps.get(i as usize).copied().flatten() {
            self.sns_publish(t);
        }
        (true, 0)
    }

    /// The metrics period ending now (started at `t0`).
    pub(super) fn topics_metrics_tick(&mut self, t0: SimTime) {
        for tr in &mut self.topics.topics {
            let p = std::mem::take(&mut tr.period);
            let s = &mut self.series;
            s.push(t0, tr.res, "NumberOfMessagesPublished", p.published as f64);
            s.push(
                t0,
                tr.res,
                "NumberOfNotificationsDelivered",
                p.delivered as f64,
            );
            s.push(t0, tr.res, "NumberOfNotificationsFailed", p.failed as f64);
            s.push(
                t0,
                tr.res,
                "NumberOfNotificationsFilteredOut",
                p.filtered_out as f64,
            );
            if tr.subs.iter().any(|s| s.dlq.is_some()) {
                s.push(
                    t0,
                    tr.res,
                    "NumberOfNotificationsRedrivenToDlq",
                    p.redriven as f64,
                );
                s.push(
                    t0,
                    tr.res,
                    "NumberOfNotificationsFailedToRedriveToDlq",
                    p.failed_to_redrive as f64,
                );
            }
            s.push(
                t0,
                tr.res,
                "CostUSD",
                rules::publish_cost(tr.totals.published, tr.size),
            );
        }
    }

    /// The topics' figures for `summary.json`.
    pub fn topic_summary(&self) -> BTreeMap<String, serde_json::Value> {
        self.topics
            .topics
            .iter()
            .map(|tr| {
                let t = &tr.totals;
                (
                    tr.name.clone(),
                    serde_json::json!({
                        "published": t.published,
                        "delivered": t.delivered,
                        "failed": t.failed,
                        "filtered_out": t.filtered_out,
                        "redriven_to_dlq": t.redriven,
                        "failed_to_redrive_to_dlq": t.failed_to_redrive,
                        "discarded": t.discarded,
                        "http_attempts": t.http_attempts,
                        "in_flight_at_end": tr.in_flight,
                        "subscriptions": tr.subs.len(),
                        "cost_usd": r6(rules::publish_cost(t.published, tr.size)),
                    }),
                )
            })
            .collect()
    }
}
