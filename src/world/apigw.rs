//! The API Gateway side of the world: requests of workloads that target an
//! API pass the stage's and the account's token buckets (429 otherwise),
//! the stage's response cache, then the integration — a Lambda function
//! (proxy) or a load balancer (HTTP) — under the integration timeout (504).
//! The rules are in [`crate::aws::apigateway`]; [`Apis`] owns the live state.

use super::{Ev, Outcome, Request, Sink, World};
use crate::aws::apigateway::{self as rules, Cache, Limit, Quota, TokenBucket};
use crate::report::summary::r6;
use crate::scenario::{ApiType, Scenario};
use crate::sim::rng::{CountSampler, Rng};
use crate::sim::{DeadlineFifo, SimTime, stream};
use rand::RngExt;
use std::collections::BTreeMap;

use super::lambda::SlEv;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Backend {
    Function(u32),
    Lb(u32),
    None,
}

#[derive(Clone, Debug, Default)]
struct Period {
    count: u64,
    e4xx: u64,
    e5xx: u64,
    lat_sum: u128,
    lat_n: u64,
    int_sum: u128,
    int_n: u64,
    hits: u64,
    misses: u64,
}

#[derive(Clone, Debug, Default)]
struct Totals {
    requests: u64,
    throttled_stage: u64,
    throttled_account: u64,
    throttled_usage_plan: u64,
    quota_exceeded: u64,
    cache_hits: u64,
    cache_misses: u64,
    integration_timeouts: u64,
    lambda_throttled: u64,
    lambda_errors: u64,
    e4xx: u64,
    e5xx: u64,
    ok: u64,
}

struct PlanRt {
    /// Cumulative share of the API's requests up to this plan.
    cum: f64,
    keys: Vec<(TokenBucket, Quota)>,
}

struct ApiRt {
    plans: Vec<PlanRt>,
    plan_rng: Rng,
    name: String,
    res: u32,
    rest: bool,
    backend: Backend,
    stage: Option<TokenBucket>,
    cache: Option<(Cache, CountSampler, Rng)>,
    cache_per_hour: f64,
    timeout: SimTime,
    deadlines: DeadlineFifo<(u32, u32)>,
    period: Period,
    totals: Totals,
}

/// The APIs and the account's API Gateway throttle.
pub(crate) struct Apis {
    apis: Vec<ApiRt>,
    account: TokenBucket,
    /// Per request slot: the cache key its integration response fills
    /// (`u64::MAX`: none).
    req_key: Vec<u64>,
    /// Per workload: its API sink, if any.
    wl_sinks: Vec<Option<Sink>>,
}

impl Apis {
    /// The sink of workload `i` when it targets an API.
    pub(super) fn workload_sink(&self, i: usize) -> Option<Sink> {
        self.wl_sinks[i]
    }

    pub(crate) fn new(sc: &Scenario, series: &mut crate::report::metrics::Series) -> Apis {
        let apis = sc
            .apis
            .iter()
            .map(|a| {
                let backend = match (&a.to.function, &a.to.load_balancer) {
                    (Some(f), _) => sc
                        .functions
                        .iter()
                        .position(|x| &x.name == f)
                        .map(|i| Backend::Function(i as u32))
                        .unwrap_or(Backend::None),
                    (None, Some(lb)) => sc
                        .load_balancers
                        .iter()
                        .position(|x| &x.name == lb)
                        .map(|i| Backend::Lb(i as u32))
                        .unwrap_or(Backend::None),
                    _ => Backend::None,
                };
                let cache = a.cache.as_ref().map(|c| {
                    let gb = c.size_gb.unwrap_or(0.5);
                    let resp = c.response_size.map(|s| s.0).unwrap_or(1024).max(1);
                    let entries = (gb * 1e9 / resp as f64) as usize;
                    (
                        Cache::new(c.ttl.0, entries),
                        c.keys.sampler(),
                        stream(sc.seed, &format!("api/{}/cache-keys", a.name)),
                    )
                });
                let cache_per_hour = a
                    .cache
                    .as_ref()
                    .and_then(|c| rules::cache_cost_per_hour(c.size_gb.unwrap_or(0.5)))
                    .unwrap_or(0.0);
                let mut cum = 0.0;
                let plans = a
                    .usage_plans
                    .iter()
                    .map(|u| {
                        cum += u.share;
                        let (rate, burst) = u
                            .throttle
                            .as_ref()
                            .map(|t| (t.rate, t.burst))
                            .unwrap_or((f64::INFINITY, u32::MAX));
                        let (limit, period) = u
                            .quota
                            .as_ref()
                            .map(|q| {
                                (
                                    q.limit,
                                    rules::quota_period_s(q.period.name()).unwrap_or(86_400),
                                )
                            })
                            .unwrap_or((u64::MAX, 86_400));
                        PlanRt {
                            cum,
                            keys: (0..u.api_keys.max(1))
                                .map(|_| (TokenBucket::new(rate, burst), Quota::new(limit, period)))
                                .collect(),
                        }
                    })
                    .collect();
                ApiRt {
                    plans,
                    plan_rng: stream(sc.seed, &format!("api/{}/api-keys", a.name)),
                    name: a.name.clone(),
                    res: series.resource(&a.name),
                    rest: a.kind == ApiType::Rest,
                    backend,
                    stage: a
                        .throttle
                        .as_ref()
                        .map(|t| TokenBucket::new(t.rate, t.burst)),
                    cache,
                    cache_per_hour,
                    timeout: a.integration_timeout.0,
                    deadlines: DeadlineFifo::new(),
                    period: Period::default(),
                    totals: Totals::default(),
                }
            })
            .collect();
        let wl_sinks = sc
            .workloads
            .iter()
            .map(|w| {
                let n = w.to.api.as_deref()?;
                let i = sc.apis.iter().position(|a| a.name == n)?;
                Some(Sink::Api(i as u32))
            })
            .collect();
        Apis {
            apis,
            account: TokenBucket::new(sc.account.api_throttle.rate, sc.account.api_throttle.burst),
            req_key: Vec::new(),
            wl_sinks,
        }
    }
}

impl World {
    fn api_key_slot(&mut self, req: u32) -> &mut u64 {
        let k = req as usize;
        if self.apis.req_key.len() <= k {
            self.apis.req_key.resize(k + 1, u64::MAX);
        }
        &mut self.apis.req_key[k]
    }

    /// A request reaches API `a`.
    pub(super) fn api_request(&mut self, req: u32, a: u32) {
        let now = self.now;
        *self.api_key_slot(req) = u64::MAX;
        let ap = &mut self.apis;
        let api = &mut ap.apis[a as usize];
        api.period.count += 1;
        api.totals.requests += 1;
        // The request's API key, if it carries one of a usage plan's.
        let key = if api.plans.is_empty() {
            None
        } else {
            let u: f64 = api.plan_rng.random();
            let v: f64 = api.plan_rng.random();
            api.plans.iter().position(|p| u < p.cum).map(|p| {
                let n = api.plans[p].keys.len();
                (p, ((v * n as f64) as usize).min(n - 1))
            })
        };
        let key = key.map(|(p, k)| {
            let (b, q) = &mut api.plans[p].keys[k];
            (b, q)
        });
        if let Err(limit) = rules::admit_key(key, api.stage.as_mut(), &mut ap.account, now) {
            match limit {
                Limit::Stage => api.totals.throttled_stage += 1,
                Limit::Account => api.totals.throttled_account += 1,
                Limit::UsagePlan => api.totals.throttled_usage_plan += 1,
                Limit::Quota => api.totals.quota_exceeded += 1,
            }
            // 429 Too Many Requests.
            self.answer(req, Outcome::Throttled);
            self.free_req(req);
            return;
        }
        if let Some((cache, keys, rng)) = &mut api.cache {
            let key = keys.sample(rng);
            if cache.hit(key, now) {
                api.period.hits += 1;
                api.totals.cache_hits += 1;
                self.answer(req, Outcome::Ok);
                self.free_req(req);
                return;
            }
            api.period.misses += 1;
            api.totals.cache_misses += 1;
            *self.api_key_slot(req) = key;
        }
        let api = &mut self.apis.apis[a as usize];
        let generation = self.reqs[req as usize].generation;
        let at = now + api.timeout;
        if let Some(g) = api.deadlines.push(at, (req, generation)) {
            self.q.push(
                at,
                Ev::Serverless {
                    what: SlEv::ApiDeadline,
                    a,
                    b: g,
                },
            );
        }
        match api.backend {
            Backend::Function(f) => {
                if !self.lambda_api_invoke(f, req) {
                    // Lambda's 429 behind a proxy integration: a 500.
                    self.apis.apis[a as usize].totals.lambda_throttled += 1;
                    self.answer(req, Outcome::Target5xx);
                    self.free_req(req);
                }
            }
            Backend::Lb(lb) => self.lb_receive(lb, req),
            Backend::None => {
                self.answer(req, Outcome::Ok);
                self.free_req(req);
            }
        }
    }

    /// The Lambda integration of `req` answered (`ok`: no function error).
    pub(super) fn api_integration_done(&mut self, req: u32, generation: u32, ok: bool, _lb: bool) {
        let r = self.reqs[req as usize];
        if !r.live || r.generation != generation {
            return;
        }
        if !r.answered {
            if !ok && let Sink::Api(a) = self.workloads[r.wl.known() as usize].sink {
                self.apis.apis[a as usize].totals.lambda_errors += 1;
            }
            self.answer(req, if ok { Outcome::Ok } else { Outcome::Target5xx });
        }
        self.free_req(req);
    }

    /// An API's integration timeouts are due: 504 to the client.
    pub(super) fn api_deadline(&mut self, a: u32, generation: u32) {
        let now = self.now;
        let mut due = Vec::new();
        let reqs = &self.reqs;
        let live = |(r, g): (u32, u32)| {
            let q = &reqs[r as usize];
            q.live && q.generation == g
        };
        let next = self.apis.apis[a as usize].deadlines.fire(
            now,
            generation,
            |k| {
                if live(k) && !reqs[k.0 as usize].answered {
                    due.push(k.0);
                }
            },
            live,
        );
        if let Some((t, g)) = next {
            self.q.push(
                t,
                Ev::Serverless {
                    what: SlEv::ApiDeadline,
                    a,
                    b: g,
                },
            );
        }
        for r in due {
            self.apis.apis[a as usize].totals.integration_timeouts += 1;
            // The integration goes on (and frees the request when done).
            self.answer(r, Outcome::Target5xx);
        }
    }

    /// `answer` saw an attempt of an API workload end: the API's metrics,
    /// and the cache keeps a good response.
    pub(super) fn api_answered(&mut self, a: u32, req: u32, r: &Request, outcome: Outcome) {
        if outcome == Outcome::ClientTimeout {
            // The client gave up; API Gateway answers later, to no one.
            return;
        }
        let now = self.now;
        let key = self
            .apis
            .req_key
            .get(req as usize)
            .copied()
            .unwrap_or(u64::MAX);
        let api = &mut self.apis.apis[a as usize];
        let lat = now - r.attempt_at;
        api.period.lat_sum += lat as u128;
        api.period.lat_n += 1;
        match outcome {
            Outcome::Ok => {
                api.totals.ok += 1;
                if key != u64::MAX {
                    api.period.int_sum += lat as u128;
                    api.period.int_n += 1;
                    if let Some((cache, _, _)) = &mut api.cache {
                        cache.put(key, now);
                    }
                }
            }
            Outcome::Throttled => {
                api.period.e4xx += 1;
                api.totals.e4xx += 1;
            }
            _ => {
                api.period.e5xx += 1;
                api.totals.e5xx += 1;
                if key != u64::MAX || api.cache.is_none() {
                    api.period.int_sum += lat as u128;
                    api.period.int_n += 1;
                }
            }
        }
        if api.cache.is_none() && outcome == Outcome::Ok {
            api.period.int_sum += lat as u128;
            api.period.int_n += 1;
        }
        if let Some(k) = self.apis.req_key.get_mut(req as usize) {
            *k = u64::MAX;
        }
    }

    /// The metrics period ending now (started at `t0`).
    pub(super) fn apis_metrics_tick(&mut self, t0: SimTime) {
        let hours = self.now as f64 / 3.6e12;
        for api in &mut self.apis.apis {
            let p = std::mem::take(&mut api.period);
            let s = &mut self.series;
            let res = api.res;
            s.push(t0, res, "Count", p.count as f64);
            s.push(t0, res, "4XXError", p.e4xx as f64);
            s.push(t0, res, "5XXError", p.e5xx as f64);
            if p.lat_n > 0 {
                s.push(t0, res, "Latency", p.lat_sum as f64 / p.lat_n as f64 / 1e6);
            }
            if p.int_n > 0 {
                s.push(
                    t0,
                    res,
                    "IntegrationLatency",
                    p.int_sum as f64 / p.int_n as f64 / 1e6,
                );
            }
            if api.cache.is_some() {
                s.push(t0, res, "CacheHitCount", p.hits as f64);
                s.push(t0, res, "CacheMissCount", p.misses as f64);
            }
            let t = &api.totals;
            let billed = t.requests - t.throttled_stage - t.throttled_account;
            let cost = rules::request_cost(billed, api.rest) + api.cache_per_hour * hours;
            s.push(t0, res, "CostUSD", cost);
        }
    }

    /// The APIs' figures for `summary.json`.
    pub fn api_summary(&self) -> BTreeMap<String, serde_json::Value> {
        let hours = self.end as f64 / 3.6e12;
        self.apis
            .apis
            .iter()
            .map(|api| {
                let t = &api.totals;
                let billed = t.requests
                    - t.throttled_stage
                    - t.throttled_account
                    - t.throttled_usage_plan
                    - t.quota_exceeded;
                let lookups = t.cache_hits + t.cache_misses;
                let cost = rules::request_cost(billed, api.rest) + api.cache_per_hour * hours;
                (
                    api.name.clone(),
                    serde_json::json!({
                        "requests": t.requests,
                        "ok": t.ok,
                        "throttled": t.throttled_stage + t.throttled_account + t.throttled_usage_plan + t.quota_exceeded,
                        "throttled_stage": t.throttled_stage,
                        "throttled_account": t.throttled_account,
                        "throttled_usage_plan": t.throttled_usage_plan,
                        "quota_exceeded": t.quota_exceeded,
                        "4xx": t.e4xx,
                        "5xx": t.e5xx,
                        "integration_timeouts": t.integration_timeouts,
                        "lambda_throttled": t.lambda_throttled,
                        "lambda_errors": t.lambda_errors,
                        "cache_hits": t.cache_hits,
                        "cache_misses": t.cache_misses,
                        "cache_hit_ratio": if lookups > 0 { r6(t.cache_hits as f64 / lookups as f64) } else { 0.0 },
                        "cost_usd": r6(cost),
                    }),
                )
            })
            .collect()
    }
}
