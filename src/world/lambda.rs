//! The Lambda side of the world: invocations from workloads (sync and
//! async), `lambda_invoke` app steps and API Gateway, their timing (init,
//! handler, timeout), the asynchronous event queue with its retries and
//! on-failure destination, metrics and the summary.
//!
//! The rules (concurrency pool, reserved and provisioned concurrency, the
//! scaling rate, environment reuse and expiry, retry schedules, prices) live
//! in [`crate::aws::lambda`]; [`Functions`] owns their live state.

use super::{Ev, Outcome, Sink, World};
use crate::aws::lambda::{self as rules, Admit, FunctionConfig, Lambda};
use crate::report::summary::r6;
use crate::scenario::{AppStep, Invocation, Scenario};
use crate::sim::hist::LogHist;
use crate::sim::rng::{Rng, Sampler};
use crate::sim::{SimTime, stream};
use hdrhistogram::Histogram;
use rand::RngExt;
use std::collections::BTreeMap;

/// What an [`Ev::Serverless`] event is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum SlEv {
    /// An invocation ends (a = invocation slot, b = generation).
    InvokeDone,
    /// An async event's next attempt is due (a = event slot, b = generation).
    AsyncAttempt,
    /// An API's integration-timeout FIFO is due (a = api, b = generation).
    ApiDeadline,
    /// An SQS event source poller's turn (a = poller, b = generation).
    EsmPoll,
    /// An SQS event source mapping's scaling minute (a = mapping).
    EsmScale,
    /// An SNS HTTP/S delivery's next attempt is due (a = delivery slot, b = generation).
    SnsRetry,
    /// Provisioned concurrency auto scaling's minute (`world/pc_scaling.rs`).
    PcMinute,
    /// A provisioned concurrency change is ready (a = scaler, b = new value).
    PcReady,
}

/// Who waits for an invocation.
#[derive(Clone, Copy, Debug)]
pub(super) enum Origin {
    /// A workload's synchronous request.
    Sync { req: u32, generation: u32 },
    /// A request on an instance at a `lambda_invoke` step.
    App { req: u32, generation: u32 },
    /// An async event.
    Async { ev: u32 },
    /// An API Gateway request (proxy integration).
    Api { req: u32, generation: u32 },
    /// An SQS event source poller's batch.
    Esm { poller: u32 },
    /// A Kinesis event source's batch (reader, lane).
    Kinesis { reader: u32, lane: u32 },
}

#[derive(Clone, Copy, Debug)]
struct Inv {
    f: u32,
    generation: u32,
    origin: Origin,
    provisioned: bool,
    error: bool,
    reset: bool,
    /// Init time (0: warm).
    init: SimTime,
    /// Handler time (to the timeout at most).
    dur: SimTime,
}

#[derive(Clone, Copy, Debug)]
struct AsyncEvent {
    f: u32,
    generation: u32,
    first_at: SimTime,
    /// Function errors so far.
    errors: u32,
    /// Throttled attempts so far.
    throttles: u32,
}

/// Figures of one metrics period of a function.
#[derive(Clone, Debug, Default)]
struct Period {
    invocations: u64,
    errors: u64,
    throttles: u64,
    spillover: u64,
    dur_sum: u128,
    dur_n: u64,
    init_sum: u128,
    init_n: u64,
    async_received: u64,
    async_dropped: u64,
    age_sum: u128,
    age_n: u64,
}

/// Async totals of a function.
#[derive(Clone, Debug, Default)]
pub(crate) struct AsyncTotals {
    received: u64,
    succeeded: u64,
    /// Retries exhausted.
    failed: u64,
    /// Older than the maximum event age.
    expired: u64,
    /// Sent to the on-failure destination (of failed + expired).
    dead_lettered: u64,
    retries: u64,
    throttled_attempts: u64,
}

struct FnRt {
    name: String,
    res: u32,
    memory_mb: u64,
    duration: Sampler,
    init: Sampler,
    timeout: SimTime,
    error_rate: f64,
    max_retries: u32,
    max_age: SimTime,
    dlq: Option<u32>,
    rng: Rng,
    init_rng: Rng,
    err_rng: Rng,
    period: Period,
    hist: LogHist,
    /// Whole-run handler durations, µs.
    run_hist: Histogram<u64>,
    compute_cost: f64,
    asyn: AsyncTotals,
    /// Requests answered 429 to a synchronous caller.
    sync_throttled: u64,
}

/// The live state of the account's functions, their invocations and async
/// events.
pub(crate) struct Functions {
    pub(super) model: Lambda,
    fns: Vec<FnRt>,
    invs: Vec<Inv>,
    free_invs: Vec<u32>,
    live_invs: Vec<bool>,
    events: Vec<AsyncEvent>,
    live_events: Vec<bool>,
    free_events: Vec<u32>,
    /// `lambda_invoke` app steps: (function, async).
    steps: Vec<(Option<u32>, bool)>,
    /// Per workload: its function sink, if any.
    pub(super) wl_sinks: Vec<Option<Sink>>,
    account_res: Option<u32>,
    /// SQS event source mappings.
    pub(super) esm: super::esm::Mappings,
    /// Each run's concurrency at every change, for tests: (t, function, concurrency).
    trace: Option<Vec<(SimTime, u32, u32)>>,
    /// Provisioned concurrency auto scaling (`world/pc_scaling.rs`).
    pub(super) pc: Vec<super::pc_scaling::PcScaler>,
    /// … their configurations, until `pc_start`: (function, name, settings).
    pub(super) pc_cfg: Vec<(usize, String, crate::scenario::ProvisionedScaling)>,
}

/// Default init duration: lognormal, mean 250 ms, cv 0.5 (AWS: cold starts
/// "vary from under 100 ms to over 1 second").
fn default_init() -> Sampler {
    Sampler::lognormal(250_000_000, 0.5)
}

impl Functions {
    pub(crate) fn new(sc: &Scenario, series: &mut crate::report::metrics::Series) -> Functions {
        let seed = sc.seed;
        let qidx = |n: &str| sc.queues.iter().position(|q| q.name == n).map(|i| i as u32);
        let fidx = |n: &str| {
            sc.functions
                .iter()
                .position(|f| f.name == n)
                .map(|i| i as u32)
        };
        let cfgs = sc
            .functions
            .iter()
            .map(|f| FunctionConfig {
                name: f.name.clone(),
                memory_mb: f.memory.0 / (1024 * 1024),
                reserved: f.reserved_concurrency,
                provisioned: f.initial_provisioned(),
                idle_expiry: f
                    .idle_expiry
                    .map(|d| d.0)
                    .unwrap_or(rules::DEFAULT_IDLE_EXPIRY_S * 1_000_000_000),
            })
            .collect();
        let fns = sc
            .functions
            .iter()
            .map(|f| FnRt {
                name: f.name.clone(),
                res: series.resource(&f.name),
                memory_mb: f.memory.0 / (1024 * 1024),
                duration: f.duration.sampler(),
                init: f
                    .init_duration
                    .as_ref()
                    .map(|d| d.sampler())
                    .unwrap_or_else(default_init),
                timeout: f.timeout.0,
                error_rate: f.error_rate,
                max_retries: f.event_invoke_config.maximum_retry_attempts,
                max_age: f.event_invoke_config.maximum_event_age.0,
                dlq: f
                    .event_invoke_config
                    .on_failure
                    .as_ref()
                    .and_then(|d| qidx(&d.queue)),
                rng: stream(seed, &format!("lambda/{}/duration", f.name)),
                init_rng: stream(seed, &format!("lambda/{}/init", f.name)),
                err_rng: stream(seed, &format!("lambda/{}/errors", f.name)),
                period: Period::default(),
                hist: LogHist::default(),
                run_hist: Histogram::new_with_bounds(1, 3_600_000_000, 3)
                    .expect("valid histogram bounds"),
                compute_cost: 0.0,
                asyn: AsyncTotals::default(),
                sync_throttled: 0,
            })
            .collect();
        let mut steps = Vec::new();
        for g in &sc.auto_scaling_groups {
            for s in &g.app {
                if let AppStep::LambdaInvoke(st) = s {
                    steps.push((fidx(&st.function), st.invocation == Invocation::Async));
                }
            }
        }
        let wl_sinks = sc
            .workloads
            .iter()
            .map(|w| {
                let f = w.to.function.as_deref().and_then(fidx)?;
                Some(match w.to.invocation {
                    Invocation::Sync => Sink::Function(f),
                    Invocation::Async => Sink::FunctionAsync(f),
                })
            })
            .collect();
        let account_res = (!sc.functions.is_empty()).then(|| series.resource("lambda"));
        Functions {
            model: Lambda::new(sc.account.lambda_concurrency, cfgs),
            fns,
            invs: Vec::new(),
            free_invs: Vec::new(),
            live_invs: Vec::new(),
            events: Vec::new(),
            live_events: Vec::new(),
            free_events: Vec::new(),
            steps,
            wl_sinks,
            account_res,
            esm: super::esm::Mappings::new(sc),
            pc: Vec::new(),
            pc_cfg: sc
                .functions
                .iter()
                .enumerate()
                .filter_map(|(i, f)| {
                    f.provisioned_concurrency_auto_scaling
                        .clone()
                        .map(|a| (i, f.name.clone(), a))
                })
                .collect(),
            trace: None,
        }
    }

    /// Index of the `i`-th `lambda_invoke` step's function.
    pub(super) fn step(&self, i: u32) -> (Option<u32>, bool) {
        self.steps.get(i as usize).copied().unwrap_or((None, false))
    }
}

impl World {
    /// Start the event source mappings.
    pub(super) fn lambda_start(&mut self) {
        self.esm_start();
        self.pc_start();
    }

    fn sl_push(&mut self, t: SimTime, what: SlEv, a: u32, b: u32) {
        self.q.push(t, Ev::Serverless { what, a, b });
    }

    /// Handle a serverless event.
    #[inline(never)]
    pub(super) fn on_serverless(&mut self, what: SlEv, a: u32, b: u32) {
        match what {
            SlEv::InvokeDone => self.lambda_done(a, b),
            SlEv::AsyncAttempt => {
                let l = &self.lambda;
                if l.live_events[a as usize] && l.events[a as usize].generation == b {
                    self.lambda_async_attempt(a);
                }
            }
            SlEv::ApiDeadline => self.api_deadline(a, b),
            SlEv::EsmPoll => self.esm_poll(a, b),
            SlEv::EsmScale => self.esm_scale(a),
            SlEv::SnsRetry => self.sns_http_retry(a, b),
            SlEv::PcMinute => self.pc_minute(),
            SlEv::PcReady => self.pc_ready(a, b),
        }
    }

    fn note_concurrency(&mut self, f: u32) {
        if let Some(t) = &mut self.lambda.trace {
            t.push((self.now, f, self.lambda.model.concurrency(f as usize)));
        }
    }

    /// Invoke function `f` for `origin` now. `None`: throttled (429).
    pub(super) fn lambda_invoke(&mut self, f: u32, origin: Origin) -> Option<u32> {
        let now = self.now;
        let batch_error = match origin {
            Origin::Esm { poller } => Some(self.esm_batch_error(poller)),
            Origin::Kinesis { reader, lane } => {
                self.kinesis_batch_poisoned(reader, lane).then_some(true)
            }
            _ => None,
        };
        let admit = self.lambda.model.admit(f as usize, now);
        let l = &mut self.lambda;
        let rt = &mut l.fns[f as usize];
        let provisioned = match admit {
            Admit::Throttled(_) => {
                rt.period.throttles += 1;
                return None;
            }
            Admit::Provisioned => true,
            Admit::Warm { .. } | Admit::Cold { .. } => false,
        };
        rt.period.invocations += 1;
        if matches!(
            admit,
            Admit::Warm { spillover: true } | Admit::Cold { spillover: true }
        ) {
            rt.period.spillover += 1;
        }
        let init = if let Admit::Cold { .. } = admit {
            rt.init.sample(&mut rt.init_rng)
        } else {
            0
        };
        let d = rt.duration.sample(&mut rt.rng);
        let mut error = batch_error
            .unwrap_or_else(|| rt.error_rate > 0.0 && rt.err_rng.random::<f64>() < rt.error_rate);
        let (dur, reset) = if d > rt.timeout {
            error = true;
            (rt.timeout, true)
        } else {
            (d, false)
        };
        let i = match l.free_invs.pop() {
            Some(i) => i,
            None => {
                l.invs.push(Inv {
                    f,
                    generation: 0,
                    origin,
                    provisioned,
                    error,
                    reset,
                    init,
                    dur,
                });
                l.live_invs.push(false);
                (l.invs.len() - 1) as u32
            }
        };
        let generation = l.invs[i as usize].generation;
        l.invs[i as usize] = Inv {
            f,
            generation,
            origin,
            provisioned,
            error,
            reset,
            init,
            dur,
        };
        l.live_invs[i as usize] = true;
        self.note_concurrency(f);
        self.sl_push(now + init + dur, SlEv::InvokeDone, i, generation);
        Some(i)
    }

    fn lambda_done(&mut self, i: u32, generation: u32) {
        let now = self.now;
        let l = &mut self.lambda;
        if !l.live_invs[i as usize] || l.invs[i as usize].generation != generation {
            return;
        }
        let inv = l.invs[i as usize];
        l.live_invs[i as usize] = false;
        l.invs[i as usize].generation = generation.wrapping_add(1);
        l.free_invs.push(i);
        l.model
            .finish(inv.f as usize, now, inv.provisioned, inv.error, inv.reset);
        let rt = &mut l.fns[inv.f as usize];
        let p = &mut rt.period;
        if inv.error {
            p.errors += 1;
        }
        p.dur_sum += inv.dur as u128;
        p.dur_n += 1;
        if inv.init > 0 {
            p.init_sum += inv.init as u128;
            p.init_n += 1;
        }
        rt.hist.record((inv.dur / 1_000).max(1));
        rt.run_hist.saturating_record((inv.dur / 1_000).max(1));
        // INIT is billed with the handler's duration (since 2025-08-01).
        rt.compute_cost += rules::compute_cost(
            rt.memory_mb,
            rules::billed_ms(inv.init + inv.dur),
            inv.provisioned,
        );
        self.note_concurrency(inv.f);
        match inv.origin {
            Origin::Sync { req, generation } => {
                let r = self.reqs[req as usize];
                if r.live && r.generation == generation {
                    if !r.answered {
                        let o = if inv.error {
                            Outcome::Target5xx
                        } else {
                            Outcome::Ok
                        };
                        self.answer(req, o);
                    }
                    self.free_req(req);
                }
            }
            Origin::App { req, generation } => {
                let r = self.reqs[req as usize];
                if r.live && r.generation == generation {
                    self.lambda_resume(req, !inv.error);
                }
            }
            Origin::Api { req, generation } => {
                self.api_integration_done(req, generation, !inv.error, false);
            }
            Origin::Async { ev } => self.lambda_async_done(ev, inv.error),
            Origin::Esm { poller } => self.esm_done(poller, inv.error),
            Origin::Kinesis { reader, lane } => self.kinesis_done(reader, lane, inv.error),
        }
    }

    /// A request's `lambda_invoke` step is over: go on with the next step,
    /// or end as the app's 500 if the call failed.
    fn lambda_resume(&mut self, req: u32, ok: bool) {
        let r = self.reqs[req as usize];
        self.reqs[req as usize].step = if ok { r.step + 1 } else { super::STEP_FAILED };
        self.q.push(
            self.now,
            Ev::ServiceDone {
                req,
                generation: r.generation,
            },
        );
    }

    // ------------------------------------------------------------ callers

    /// A workload's synchronous invocation (RequestResponse).
    pub(super) fn lambda_sync_request(&mut self, req: u32, f: u32) {
        let generation = self.reqs[req as usize].generation;
        if self
            .lambda_invoke(f, Origin::Sync { req, generation })
            .is_none()
        {
            // 429 TooManyRequestsException.
            self.lambda.fns[f as usize].sync_throttled += 1;
            self.answer(req, Outcome::Throttled);
            self.free_req(req);
        }
    }

    /// A workload's asynchronous invocation (Event): Lambda queues it and
    /// answers 202 at once.
    pub(super) fn lambda_async_request(&mut self, req: u32, f: u32) {
        self.lambda_async_event(f);
        self.answer(req, Outcome::Ok);
        self.free_req(req);
    }

    /// `advance` reached `lambda_invoke` step `i` (app step `k`) of a
    /// request. Returns true when the worker waits for the answer (sync).
    #[cold]
    #[inline(never)]
    pub(super) fn lambda_step(&mut self, i: u32, req: u32, k: u16) -> bool {
        let (Some(f), asyn) = self.lambda.step(i) else {
            return false;
        };
        if asyn {
            self.lambda_async_event(f);
            return false;
        }
        self.reqs[req as usize].step = k;
        let generation = self.reqs[req as usize].generation;
        if self
            .lambda_invoke(f, Origin::App { req, generation })
            .is_none()
        {
            self.lambda.fns[f as usize].sync_throttled += 1;
            self.lambda_resume(req, false);
        }
        true
    }

    /// API Gateway's proxy integration invokes `f` for `req`; false if
    /// Lambda throttled it.
    pub(super) fn lambda_api_invoke(&mut self, f: u32, req: u32) -> bool {
        let generation = self.reqs[req as usize].generation;
        let ok = self
            .lambda_invoke(f, Origin::Api { req, generation })
            .is_some();
        if !ok {
            self.lambda.fns[f as usize].sync_throttled += 1;
        }
        ok
    }

    // ------------------------------------------------------------ async

    /// SNS delivers a message to subscriber `f` (an asynchronous invocation).
    pub(super) fn lambda_async_from_sns(&mut self, f: u32) {
        self.lambda_async_event(f);
    }

    fn lambda_async_event(&mut self, f: u32) {
        let now = self.now;
        let l = &mut self.lambda;
        let ev = AsyncEvent {
            f,
            generation: 0,
            first_at: now,
            errors: 0,
            throttles: 0,
        };
        let i = match l.free_events.pop() {
            Some(i) => {
                let g = l.events[i as usize].generation;
                l.events[i as usize] = AsyncEvent {
                    generation: g,
                    ..ev
                };
                i
            }
            None => {
                l.events.push(ev);
                l.live_events.push(false);
                (l.events.len() - 1) as u32
            }
        };
        l.live_events[i as usize] = true;
        let rt = &mut l.fns[f as usize];
        rt.asyn.received += 1;
        rt.period.async_received += 1;
        self.lambda_async_attempt(i);
    }

    fn lambda_async_end(&mut self, ev: u32) {
        let l = &mut self.lambda;
        l.live_events[ev as usize] = false;
        let e = &mut l.events[ev as usize];
        e.generation = e.generation.wrapping_add(1);
        l.free_events.push(ev);
    }

    /// The event failed for good (retries exhausted, or too old): to the
    /// on-failure destination, or discarded.
    fn lambda_async_drop(&mut self, ev: u32, expired: bool) {
        let f = self.lambda.events[ev as usize].f as usize;
        let dlq = self.lambda.fns[f].dlq;
        let rt = &mut self.lambda.fns[f];
        if expired {
            rt.asyn.expired += 1;
        } else {
            rt.asyn.failed += 1;
        }
        rt.period.async_dropped += 1;
        if let Some(dlq) = dlq
            && self.sqs_send_event(dlq, 1024)
        {
            self.lambda.fns[f].asyn.dead_lettered += 1;
        }
        self.lambda_async_end(ev);
    }

    fn lambda_async_attempt(&mut self, ev: u32) {
        let now = self.now;
        let e = self.lambda.events[ev as usize];
        let rt = &self.lambda.fns[e.f as usize];
        let age = now - e.first_at;
        if age >= rt.max_age {
            self.lambda_async_drop(ev, true);
            return;
        }
        let p = &mut self.lambda.fns[e.f as usize].period;
        p.age_sum += age as u128;
        p.age_n += 1;
        if self.lambda_invoke(e.f, Origin::Async { ev }).is_some() {
            return;
        }
        // Throttled: back to the queue, retried with a growing interval,
        // until the event is too old.
        let l = &mut self.lambda;
        let x = &mut l.events[ev as usize];
        x.throttles += 1;
        let delay = rules::async_throttle_retry_delay(x.throttles);
        let max_age = l.fns[x.f as usize].max_age;
        l.fns[x.f as usize].asyn.throttled_attempts += 1;
        let at = (now + delay).min(x.first_at + max_age);
        let g = x.generation;
        self.sl_push(at, SlEv::AsyncAttempt, ev, g);
    }

    fn lambda_async_done(&mut self, ev: u32, error: bool) {
        let now = self.now;
        let e = self.lambda.events[ev as usize];
        let f = e.f as usize;
        if !error {
            self.lambda.fns[f].asyn.succeeded += 1;
            self.lambda_async_end(ev);
            return;
        }
        let rt = &self.lambda.fns[f];
        if e.errors >= rt.max_retries {
            self.lambda_async_drop(ev, false);
            return;
        }
        let delay = rules::async_error_retry_delay(e.errors + 1);
        let max_age = rt.max_age;
        let l = &mut self.lambda;
        let x = &mut l.events[ev as usize];
        x.errors += 1;
        l.fns[f].asyn.retries += 1;
        let at = (now + delay).min(x.first_at + max_age);
        let g = x.generation;
        self.sl_push(at, SlEv::AsyncAttempt, ev, g);
    }

    // ------------------------------------------------------------ metrics

    /// The metrics period ending now (started at `t0`).
    pub(super) fn lambda_metrics_tick(&mut self, t0: SimTime) {
        let now = self.now;
        let elapsed = now as f64 / 1e9;
        for f in 0..self.lambda.fns.len() {
            let conc = self.lambda.model.take_period_max(f);
            let provisioned = self.lambda.model.config(f).provisioned;
            let requests = self.lambda.model.totals(f).invocations;
            let rt = &mut self.lambda.fns[f];
            let p = std::mem::take(&mut rt.period);
            let res = rt.res;
            let s = &mut self.series;
            s.push(t0, res, "Invocations", p.invocations as f64);
            s.push(t0, res, "Errors", p.errors as f64);
            s.push(t0, res, "Throttles", p.throttles as f64);
            s.push(t0, res, "ConcurrentExecutions", conc as f64);
            if p.dur_n > 0 {
                s.push(t0, res, "Duration", p.dur_sum as f64 / p.dur_n as f64 / 1e6);
                s.push(t0, res, "Duration_p50", rt.hist.quantile(0.5) as f64 / 1e3);
                s.push(t0, res, "Duration_p99", rt.hist.quantile(0.99) as f64 / 1e3);
            }
            rt.hist.reset();
            if p.init_n > 0 {
                s.push(
                    t0,
                    res,
                    "InitDuration",
                    p.init_sum as f64 / p.init_n as f64 / 1e6,
                );
            }
            s.push(t0, res, "ColdStarts", p.init_n as f64);
            if provisioned > 0 {
                s.push(
                    t0,
                    res,
                    "ProvisionedConcurrencySpilloverInvocations",
                    p.spillover as f64,
                );
            }
            if rt.asyn.received > 0 {
                s.push(t0, res, "AsyncEventsReceived", p.async_received as f64);
                s.push(t0, res, "AsyncEventsDropped", p.async_dropped as f64);
                if p.age_n > 0 {
                    s.push(
                        t0,
                        res,
                        "AsyncEventAge",
                        p.age_sum as f64 / p.age_n as f64 / 1e6,
                    );
                }
            }
            let scaler = self.lambda.pc.iter().find(|p| p.f as usize == f);
            let prov_cost = match scaler {
                // Billed as its level changes: provisioned concurrency-seconds.
                Some(sc) => {
                    s.push(t0, res, "ProvisionedConcurrency", provisioned as f64);
                    if let Some(u) = sc.minute.0 {
                        s.push(t0, res, "ProvisionedConcurrencyUtilization", u);
                    }
                    s.push(
                        t0,
                        res,
                        "ProvisionedConcurrentExecutions",
                        sc.minute.1 as f64,
                    );
                    let secs = self.lambda.model.provisioned_seconds(f, now);
                    rules::provisioned_cost(rt.memory_mb, 1, secs)
                }
                None => rules::provisioned_cost(rt.memory_mb, provisioned, elapsed),
            };
            let cost = rules::request_cost(requests) + rt.compute_cost + prov_cost;
            s.push(t0, res, "CostUSD", cost);
        }
        if let Some(account_res) = self.lambda.account_res {
            let m = self.lambda.model.take_unreserved_period_max();
            self.series
                .push(t0, account_res, "UnreservedConcurrentExecutions", m as f64);
        }
    }

    // ------------------------------------------------------------ results

    /// The functions' figures for `summary.json`.
    pub fn lambda_summary(&self) -> BTreeMap<String, serde_json::Value> {
        let secs = self.end as f64 / 1e9;
        let l = &self.lambda;
        l.fns
            .iter()
            .enumerate()
            .map(|(f, rt)| {
                let t = l.model.totals(f);
                let c = l.model.config(f);
                let q = |p: f64| {
                    if rt.run_hist.is_empty() {
                        0.0
                    } else {
                        r6(rt.run_hist.value_at_quantile(p) as f64 / 1e3)
                    }
                };
                let scaler = l.pc.iter().find(|p| p.f as usize == f);
                let provisioned_cost = match scaler {
                    Some(_) => rules::provisioned_cost(
                        rt.memory_mb,
                        1,
                        l.model.provisioned_seconds(f, self.end),
                    ),
                    None => rules::provisioned_cost(rt.memory_mb, c.provisioned, secs),
                };
                let cost = rules::request_cost(t.invocations) + rt.compute_cost + provisioned_cost;
                let a = &rt.asyn;
                let pending = a.received - a.succeeded - a.failed - a.expired;
                let esm = l.esm.of_fn[f].map(|m| {
                    let t = l.esm.totals[m as usize];
                    serde_json::json!({
                        "batches": t.batches,
                        "messages": t.messages,
                        "succeeded": t.deleted,
                        "returned": t.returned,
                        "throttled_invokes": t.throttled_invokes,
                        "max_batches": t.max_batches,
                    })
                });
                let mut v = serde_json::json!({
                        "invocations": t.invocations,
                        "throttles": t.throttles,
                        "errors": t.errors,
                        "cold_starts": t.cold_starts,
                        "max_concurrency": t.max_concurrency,
                        "duration_ms": { "p50": q(0.5), "p99": q(0.99) },
                        "cost_usd": r6(cost),
                        "requests": t.requests,
                        "timeouts": t.timeouts,
                        "throttles_scaling_rate": t.throttles_scaling_rate,
                        "sync_throttled": rt.sync_throttled,
                        "spillover_invocations": t.spillover,
                        "in_flight_at_end": t.invocations - t.finished,
                        "expired_environments": t.expired_environments,
                        "provisioned_concurrency_cost_usd": r6(provisioned_cost),
                        "async": {
                            "received": a.received,
                            "succeeded": a.succeeded,
                            "failed": a.failed,
                            "expired": a.expired,
                            "dead_lettered": a.dead_lettered,
                            "retries": a.retries,
                            "throttled_attempts": a.throttled_attempts,
                            "queued_at_end": pending,
                        },
                });
                if let Some(e) = esm {
                    v["event_source"] = e;
                }
                if let Some(sc) = scaler {
                    v["provisioned_concurrency"] = serde_json::json!({
                        "at_end": c.provisioned,
                        "scaling_activities": sc.activities,
                        "provisioned_concurrency_seconds": r6(l.model.provisioned_seconds(f, self.end)),
                    });
                }
                (rt.name.clone(), v)
            })
            .collect()
    }

    /// The account's most unreserved concurrent executions.
    pub fn lambda_unreserved_max(&self) -> u32 {
        self.lambda.model.unreserved().1
    }

    /// Record every change of a function's concurrency (for tests); call
    /// before `run`.
    pub fn lambda_trace_on(&mut self) {
        self.lambda.trace = Some(Vec::new());
    }

    /// The recorded (time, function, concurrency) changes.
    pub fn lambda_trace(&self) -> &[(SimTime, u32, u32)] {
        self.lambda.trace.as_deref().unwrap_or(&[])
    }
}
