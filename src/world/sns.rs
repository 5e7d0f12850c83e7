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

use super::{NONE, Outcome, Sink, World};
use crate::aws::sns as rules;
use crate::report::summary::r6;
use crate::scenario::{AppStep, Scenario};
use crate::sim::rng::Rng;
use crate::sim::{SimTime, stream};
use rand::RngExt;
use std::collections::BTreeMap;

#[derive(Clone, Copy, Debug)]
enum Target {
    Queue(u32),
    Function(u32),
    None,
}

struct Sub {
    target: Target,
    policy: Vec<(String, Vec<String>)>,
}

#[derive(Clone, Debug, Default)]
struct Counts {
    published: u64,
    delivered: u64,
    failed: u64,
    filtered_out: u64,
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
    scratch: Vec<(String, String)>,
}

/// The scenario's topics.
pub(crate) struct Topics {
    topics: Vec<TopicRt>,
    wl_sinks: Vec<Option<Sink>>,
    steps: Vec<u32>,
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
                        target: match (&s.queue, &s.function) {
                            (Some(q), _) => qidx(q).map(Target::Queue).unwrap_or(Target::None),
                            (None, Some(f)) => {
                                fidx(f).map(Target::Function).unwrap_or(Target::None)
                            }
                            _ => Target::None,
                        },
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
                    steps.push(tidx(&p.topic).unwrap_or(NONE));
                }
            }
        }
        Topics {
            topics,
            wl_sinks,
            steps,
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
                Target::None => true,
            };
            let tr = &mut self.topics.topics[t as usize];
            if ok {
                tr.period.delivered += 1;
                tr.totals.delivered += 1;
            } else {
                tr.period.failed += 1;
                tr.totals.failed += 1;
            }
        }
        self.topics.topics[t as usize].scratch = attrs;
    }

    /// A workload's Publish: answered at once.
    pub(super) fn sns_workload_publish(&mut self, req: u32, t: u32) {
        self.sns_publish(t);
        self.answer(req, Outcome::Ok);
        self.free_req(req);
    }

    /// An `sns_publish` app step: published now; (ok, round trip).
    pub(super) fn sns_app_publish(&mut self, i: u32) -> (bool, SimTime) {
        let t = self.topics.steps.get(i as usize).copied().unwrap_or(NONE);
        if t != NONE {
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
                        "subscriptions": tr.subs.len(),
                        "cost_usd": r6(rules::publish_cost(t.published, tr.size)),
                    }),
                )
            })
            .collect()
    }
}
