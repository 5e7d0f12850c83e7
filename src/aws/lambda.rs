//! AWS Lambda as pure rules: the account's concurrency pool, reserved and
//! provisioned concurrency, the concurrency scaling rate, execution
//! environments (cold starts, reuse, idle expiry), asynchronous invocation
//! retries, timeouts, and prices. No events: the world (`world/lambda.rs`)
//! calls in with the time. The state of every function is private to
//! [`Lambda`]; the world asks it to [`Lambda::admit`] an invocation (the
//! plan: warm provisioned, warm on-demand, cold, or throttled and why) and
//! tells it when the invocation [`Lambda::finish`]es (the commit).
//!
//! Every rule is one named function, type or constant, with its source
//! (full citations and quotes in `docs/src/background/serverless.md`; `LAMBDA:<page>` is
//! `https://docs.aws.amazon.com/lambda/latest/dg/<page>.html`):
//!
//! | Rule | Where | Citation | Grade |
//! |---|---|---|---|
//! | Account concurrency quota 1,000 per Region by default, shared by functions | [`DEFAULT_ACCOUNT_CONCURRENCY`], [`Lambda::admit`] | `LAMBDA:lambda-concurrency`, `LAMBDA:gettingstarted-limits` | DOC |
//! | Reserved concurrency caps the function and is taken from the pool; ≥ 100 stays unreserved | [`Lambda::admit`], [`UNRESERVED_MINIMUM`], [`account_problems`], [`Lambda::provisioned_allowed`] | `LAMBDA:configuration-concurrency` | DOC |
//! | Provisioned concurrency: pre-initialised environments, used first; beyond it, on-demand (spillover) | [`Lambda::admit`] (`Admit::Provisioned`, `spillover`) | `LAMBDA:provisioned-concurrency`, `LAMBDA:monitoring-concurrency` | DOC |
//! | Scaling rate: 1,000 new execution environments per 10 s per function, refilled continuously, never accrued beyond 1,000 | [`ScalingBucket`], [`SCALING_BURST`], [`SCALING_REFILL_PER_S`] | `LAMBDA:scaling-behavior` | DOC |
//! | Over the limit or the scaling rate: 429 `TooManyRequestsException` | [`Throttle`] | `LAMBDA:scaling-behavior` | DOC |
//! | Timeout default 3 s, at most 900 s; a timed-out environment is reset | [`DEFAULT_TIMEOUT_S`], [`MAX_TIMEOUT_S`], [`Lambda::finish`] (`reset`) | `LAMBDA:configuration-timeout`, `LAMBDA:lambda-runtime-environment` | DOC |
//! | Memory 128 MB – 10,240 MB, default 128 MB | [`MEMORY_MB`], [`DEFAULT_MEMORY_MB`] | `LAMBDA:configuration-memory` | DOC |
//! | Idle environments are eventually reclaimed (when: undocumented) | [`DEFAULT_IDLE_EXPIRY_S`] | `LAMBDA:lambda-runtime-environment` ("frozen… may be reused"); time GAP | GAP |
//! | Reuse: a warm environment is used before a new one is made | [`Lambda::admit`] | `LAMBDA:lambda-runtime-environment` | DOC (which one: GAP, we take the most recent) |
//! | Async: 2 retries on function error, 1 min then 2 min apart; max event age 6 h (60 s – 6 h) | [`async_error_retry_delay`], [`DEFAULT_MAX_RETRY_ATTEMPTS`], [`DEFAULT_MAX_EVENT_AGE_S`] | `LAMBDA:invocation-async-error-handling`, `LAMBDA:invocation-async-configuring` | DOC |
//! | Async throttles: back to the queue, retried 1 s doubling to 5 min, up to the max event age | [`async_throttle_retry_delay`] | `LAMBDA:invocation-async-error-handling` | DOC (doubling: our reading of "increases exponentially") |
//! | Price: $0.20 per million requests, $0.0000166667 per GB-second (x86, us-east-1), billed per 1 ms; INIT billed | [`request_cost`], [`compute_cost`], [`billed_ms`] | aws.amazon.com/lambda/pricing; AWS Compute Blog 2025 (INIT billing) | DOC |
//! | SQS event source: 5 concurrent batches, +300 per minute while messages remain, at most 1,000; back to 5 when quiet; maximum concurrency 2–1,000; batch size ≤ 10 by default | [`esm_next_batches`], [`ESM_BATCH_SIZE`] | `LAMBDA:services-sqs-scaling`, `LAMBDA:API_ScalingConfig` | DOC |
//! | SQS batching window 0–300 s; batch size up to 10,000 on a standard queue with a window of at least 1 s (FIFO: 10); a poller gathers receives of at most 10 messages until the batch is full or the window has passed | [`esm_sqs_problem`], [`RECEIVE_MAX`] | `LAMBDA:services-sqs-parameters`, `LAMBDA:API_CreateEventSourceMapping` | DOC (the 6 MB payload cap is not modelled) |
//! | Provisioned concurrency: $0.0000041667 per GB-second configured, $0.0000097222 per GB-second of duration on it | [`provisioned_cost`], [`compute_cost`] | aws.amazon.com/lambda/pricing | DOC |
//! | Application Auto Scaling of provisioned concurrency: target tracking on `LambdaProvisionedConcurrencyUtilization` (ProvisionedConcurrencyUtilization, Average), 0.7 recommended; AlarmHigh above the target 3 of 3 one-minute datapoints, AlarmLow below 90 % of it 15 of 15; scale-out ceil(n × u / target), scale-in floor(n × u / target), within min/max; cooldowns 0 s | [`PC_RECOMMENDED_TARGET`], [`PC_SCALE_OUT_DATAPOINTS`], [`PC_SCALE_IN_DATAPOINTS`], [`PC_LOW_ALARM_FACTOR`], [`pc_target_tracking_capacity`], [`pc_auto_scaling_problems`] | `LAMBDA:provisioned-concurrency` (Managing provisioned concurrency with Application Auto Scaling: "both … alarms use the average statistic"; 63 % for a 70 % target), AWS Compute blog (G. Mao, 2020: 3 × 1 min, 15 × 1 min); `AAS:application-auto-scaling-target-tracking` (cooldowns 0 for Lambda) | DOC (datapoints: AWS blog) |
//! | New provisioned concurrency is ready after an allocation time (Status IN_PROGRESS → READY); how long is not documented | [`DEFAULT_PC_ALLOCATION_S`] | `API-LAMBDA:GetProvisionedConcurrencyConfig` (Status); time GAP | GAP (60 s, a parameter) |

use crate::sim::SimTime;
use std::collections::VecDeque;

const NS: f64 = 1e9;

/// Default account concurrency quota per Region.
pub const DEFAULT_ACCOUNT_CONCURRENCY: u32 = 1000;
/// Concurrency that must stay unreserved ("You can reserve up to the
/// Unreserved account concurrency value … minus 100").
pub const UNRESERVED_MINIMUM: u32 = 100;
/// New execution environments the scaling rate allows at once.
pub const SCALING_BURST: f64 = 1000.0;
/// … refilled at 1,000 per 10 seconds, continuously.
pub const SCALING_REFILL_PER_S: f64 = 100.0;
/// Default function timeout.
pub const DEFAULT_TIMEOUT_S: u64 = 3;
/// Largest function timeout.
pub const MAX_TIMEOUT_S: u64 = 900;
/// Memory range, MB.
pub const MEMORY_MB: (u64, u64) = (128, 10240);
/// Default memory, MB.
pub const DEFAULT_MEMORY_MB: u64 = 128;
/// Idle execution environments are reclaimed after this long (AWS does not
/// document it; observed lifetimes are 5–15 minutes, a parameter here).
pub const DEFAULT_IDLE_EXPIRY_S: u64 = 600;
/// Async: retries after a function error, by default (0–2).
pub const DEFAULT_MAX_RETRY_ATTEMPTS: u32 = 2;
/// Async: maximum event age by default (and at most), seconds.
pub const DEFAULT_MAX_EVENT_AGE_S: u64 = 6 * 3600;
/// Async: shortest maximum event age, seconds.
pub const MIN_MAX_EVENT_AGE_S: u64 = 60;
/// Price per request, USD.
pub const PRICE_PER_REQUEST: f64 = 0.20 / 1e6;
/// Price per GB-second of on-demand duration (x86, us-east-1), USD.
pub const PRICE_PER_GB_S: f64 = 0.000_016_666_7;
/// Price per GB-second of duration on provisioned concurrency, USD.
pub const PRICE_PER_GB_S_PROVISIONED_DURATION: f64 = 0.000_009_722_2;
/// Price per GB-second of provisioned concurrency configured, USD.
pub const PRICE_PER_GB_S_PROVISIONED: f64 = 0.000_004_166_7;

/// Target value AWS recommends for `LambdaProvisionedConcurrencyUtilization`.
pub const PC_RECOMMENDED_TARGET: f64 = 0.7;
/// AlarmHigh: one-minute datapoints above the target, all of them.
pub const PC_SCALE_OUT_DATAPOINTS: u32 = 3;
/// AlarmLow: one-minute datapoints below its threshold, all of them.
pub const PC_SCALE_IN_DATAPOINTS: u32 = 15;
/// AlarmLow's threshold as a share of the target (63 % for 70 %).
pub const PC_LOW_ALARM_FACTOR: f64 = 0.9;
/// Time for a provisioned concurrency change to become ready (GAP).
pub const DEFAULT_PC_ALLOCATION_S: u64 = 60;

/// Rule "target tracking of provisioned concurrency": the new value when
/// AlarmHigh (`out`) or AlarmLow fired, at utilisation `util` (0–1) of
/// `current`: ceil/floor of current × util / target, within [min, max].
pub fn pc_target_tracking_capacity(
    current: u32,
    util: f64,
    target: f64,
    min: u32,
    max: u32,
    out: bool,
) -> u32 {
    let n = if out {
        crate::aws::scaling::target_tracking_scale_out_capacity(current, util, target)
    } else {
        crate::aws::scaling::target_tracking_scale_in_capacity(current, util, target)
    };
    n.clamp(min, max.max(min))
}

/// Problems with a provisioned concurrency scalable target, as (field,
/// message): 1 ≤ min ≤ max, within reserved concurrency; a target in (0, 1].
pub fn pc_auto_scaling_problems(
    min: u32,
    max: u32,
    target: f64,
    reserved: Option<u32>,
) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    if min < 1 || min > max {
        out.push((
            "min",
            format!("min must be at least 1 and at most max ({max}), found {min}"),
        ));
    }
    if let Some(r) = reserved
        && max > r
    {
        out.push((
            "max",
            format!("max ({max}) cannot exceed reserved_concurrency ({r})"),
        ));
    }
    if !(target > 0.0 && target <= 1.0) {
        out.push((
            "target",
            format!(
                "target is a utilisation between 0 and 1 (AWS recommends {PC_RECOMMENDED_TARGET}), found {target}"
            ),
        ));
    }
    out
}

/// Lambda bills duration rounded up to the next millisecond.
pub fn billed_ms(ns: SimTime) -> u64 {
    ns.div_ceil(1_000_000)
}

/// Cost of `n` requests.
pub fn request_cost(n: u64) -> f64 {
    n as f64 * PRICE_PER_REQUEST
}

/// Cost of `ms` billed milliseconds of a function with `memory_mb`, on an
/// on-demand or a provisioned environment.
pub fn compute_cost(memory_mb: u64, ms: u64, provisioned: bool) -> f64 {
    let gb_s = memory_mb as f64 / 1024.0 * ms as f64 / 1000.0;
    gb_s * if provisioned {
        PRICE_PER_GB_S_PROVISIONED_DURATION
    } else {
        PRICE_PER_GB_S
    }
}

/// Cost of keeping `n` environments of `memory_mb` provisioned for
/// `seconds`.
pub fn provisioned_cost(memory_mb: u64, n: u32, seconds: f64) -> f64 {
    memory_mb as f64 / 1024.0 * n as f64 * seconds * PRICE_PER_GB_S_PROVISIONED
}

/// Delay before async retry `retry` (1 or 2) after a function error: one
/// minute before the second attempt, two before the third.
pub fn async_error_retry_delay(retry: u32) -> SimTime {
    match retry {
        0 | 1 => 60_000_000_000,
        _ => 120_000_000_000,
    }
}

/// Delay before re-trying a throttled async event for the `n`-th time
/// (1-based): 1 s, doubling, at most 5 minutes.
pub fn async_throttle_retry_delay(n: u32) -> SimTime {
    let s = 1u64 << (n.saturating_sub(1)).min(20);
    s.min(300) * 1_000_000_000
}

/// The concurrency scaling rate of one function: a bucket of 1,000 new
/// environments refilled at 100 per second, never above 1,000.
#[derive(Clone, Debug)]
pub struct ScalingBucket {
    tokens: f64,
    at: SimTime,
}

impl Default for ScalingBucket {
    fn default() -> Self {
        ScalingBucket {
            tokens: SCALING_BURST,
            at: 0,
        }
    }
}

impl ScalingBucket {
    fn refill(&mut self, now: SimTime) {
        if now > self.at {
            let dt = (now - self.at) as f64 / NS;
            self.tokens = (self.tokens + dt * SCALING_REFILL_PER_S).min(SCALING_BURST);
            self.at = now;
        }
    }
    /// New environments allowed now.
    pub fn available(&mut self, now: SimTime) -> f64 {
        self.refill(now);
        self.tokens
    }
    /// Take one new environment; false if the rate is exhausted.
    pub fn take(&mut self, now: SimTime) -> bool {
        self.refill(now);
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

/// Why an invocation was throttled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Throttle {
    /// The function is at its reserved concurrency.
    Reserved,
    /// The account's unreserved pool is used up.
    Account,
    /// No new environment allowed yet (the scaling rate).
    ScalingRate,
}

/// Where an admitted invocation runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Admit {
    /// On a provisioned (pre-initialised) environment.
    Provisioned,
    /// On a warm on-demand environment (a reuse).
    Warm {
        /// Provisioned concurrency was all busy (spillover).
        spillover: bool,
    },
    /// On a new environment: init first (a cold start).
    Cold {
        /// Provisioned concurrency was all busy (spillover).
        spillover: bool,
    },
    /// Refused: 429.
    Throttled(Throttle),
}

/// A function's configuration, as the rules need it.
#[derive(Clone, Debug)]
pub struct FunctionConfig {
    /// Name.
    pub name: String,
    /// Memory, MB.
    pub memory_mb: u64,
    /// Reserved concurrency.
    pub reserved: Option<u32>,
    /// Provisioned concurrency.
    pub provisioned: u32,
    /// Idle environments are reclaimed after this long.
    pub idle_expiry: SimTime,
}

/// Totals of one function.
#[derive(Clone, Debug, Default)]
pub struct FunctionTotals {
    /// Invocation requests (admitted or throttled).
    pub requests: u64,
    /// Invocations that ran (CloudWatch `Invocations`).
    pub invocations: u64,
    /// Throttled invocation requests (`Throttles`).
    pub throttles: u64,
    /// … of which by the scaling rate.
    pub throttles_scaling_rate: u64,
    /// Cold starts (new environments).
    pub cold_starts: u64,
    /// Invocations on on-demand environments while provisioned ones were busy.
    pub spillover: u64,
    /// Invocations finished.
    pub finished: u64,
    /// … with a function error or timeout (`Errors`).
    pub errors: u64,
    /// … of which timeouts.
    pub timeouts: u64,
    /// Environments reclaimed idle.
    pub expired_environments: u64,
    /// Most concurrent executions.
    pub max_concurrency: u32,
}

struct FnState {
    cfg: FunctionConfig,
    /// Concurrent executions (including init).
    busy: u32,
    /// … of which on provisioned environments.
    prov_busy: u32,
    /// Idle on-demand environments, by when they went idle (oldest first).
    idle: VecDeque<SimTime>,
    bucket: ScalingBucket,
    totals: FunctionTotals,
    /// Most concurrent executions in the current metrics period.
    period_max: u32,
    /// Since `area_at`: ∫ prov_busy dt and ∫ provisioned dt (ns), for
    /// ProvisionedConcurrencyUtilization's Average.
    area_busy: f64,
    area_prov: f64,
    area_at: SimTime,
    /// ∫ provisioned dt over the whole run (ns), for billing.
    prov_ns: f64,
    /// Most provisioned-concurrent executions in the period.
    prov_period_max: u32,
}

impl FnState {
    fn advance_area(&mut self, now: SimTime) {
        let dt = now.saturating_sub(self.area_at) as f64;
        self.area_busy += self.prov_busy as f64 * dt;
        self.area_prov += self.cfg.provisioned as f64 * dt;
        self.prov_ns += self.cfg.provisioned as f64 * dt;
        self.area_at = now;
    }
}

/// Lambda in one account and Region.
pub struct Lambda {
    account: u32,
    reserved_sum: u32,
    /// Concurrency claimed from the unreserved pool: Σ over functions
    /// without reserved concurrency of max(busy, provisioned).
    unreserved_used: u32,
    unreserved_max: u32,
    unreserved_period_max: u32,
    fns: Vec<FnState>,
}

impl Lambda {
    /// An account with `account` concurrency and these functions.
    pub fn new(account: u32, fns: Vec<FunctionConfig>) -> Lambda {
        let reserved_sum = fns.iter().filter_map(|f| f.reserved).sum();
        let unreserved_used = fns
            .iter()
            .filter(|f| f.reserved.is_none())
            .map(|f| f.provisioned)
            .sum();
        Lambda {
            account,
            reserved_sum,
            unreserved_used,
            unreserved_max: unreserved_used,
            unreserved_period_max: unreserved_used,
            fns: fns
                .into_iter()
                .map(|cfg| FnState {
                    cfg,
                    busy: 0,
                    prov_busy: 0,
                    idle: VecDeque::new(),
                    bucket: ScalingBucket::default(),
                    totals: FunctionTotals::default(),
                    period_max: 0,
                    area_busy: 0.0,
                    area_prov: 0.0,
                    area_at: 0,
                    prov_ns: 0.0,
                    prov_period_max: 0,
                })
                .collect(),
        }
    }

    /// Number of functions.
    pub fn len(&self) -> usize {
        self.fns.len()
    }

    /// No functions.
    pub fn is_empty(&self) -> bool {
        self.fns.is_empty()
    }

    /// The unreserved pool's size.
    pub fn unreserved_pool(&self) -> u32 {
        self.account.saturating_sub(self.reserved_sum)
    }

    /// Most provisioned concurrency `f` may be given now: its reserved
    /// concurrency if it has one, else what keeps [`UNRESERVED_MINIMUM`]
    /// of the unreserved pool free of every function's provisioned
    /// concurrency (`LAMBDA:configuration-concurrency`; the rule
    /// [`account_problems`] checks at load). Lambda refuses a
    /// PutProvisionedConcurrencyConfig above it.
    pub fn provisioned_allowed(&self, f: usize) -> u32 {
        if let Some(r) = self.fns[f].cfg.reserved {
            return r;
        }
        let others: u32 = self
            .fns
            .iter()
            .enumerate()
            .filter(|(i, x)| *i != f && x.cfg.reserved.is_none())
            .map(|(_, x)| x.cfg.provisioned)
            .sum();
        self.unreserved_pool()
            .saturating_sub(UNRESERVED_MINIMUM)
            .saturating_sub(others)
    }

    /// Reclaim environments of `f` idle longer than its expiry.
    fn expire(&mut self, f: usize, now: SimTime) {
        let s = &mut self.fns[f];
        while let Some(&t) = s.idle.front() {
            if now.saturating_sub(t) >= s.cfg.idle_expiry {
                s.idle.pop_front();
                s.totals.expired_environments += 1;
            } else {
                break;
            }
        }
    }

    /// An invocation request for function `f` arrives now: where it runs,
    /// or why it is throttled. Admitted invocations count as concurrent
    /// executions until [`Lambda::finish`].
    pub fn admit(&mut self, f: usize, now: SimTime) -> Admit {
        self.expire(f, now);
        let pool = self.unreserved_pool();
        let s = &mut self.fns[f];
        s.totals.requests += 1;
        let out = if s.prov_busy < s.cfg.provisioned {
            s.advance_area(now);
            s.prov_busy += 1;
            s.prov_period_max = s.prov_period_max.max(s.prov_busy);
            Admit::Provisioned
        } else {
            let spillover = s.cfg.provisioned > 0;
            // An on-demand execution: within the function's cap?
            let capped = match s.cfg.reserved {
                Some(r) => (s.busy >= r).then_some(Throttle::Reserved),
                // busy ≥ provisioned here, so one more claims one more
                // unit of the unreserved pool.
                None => (self.unreserved_used >= pool).then_some(Throttle::Account),
            };
            match capped {
                Some(t) => Admit::Throttled(t),
                None => {
                    if s.idle.pop_back().is_some() {
                        Admit::Warm { spillover }
                    } else if s.bucket.take(now) {
                        Admit::Cold { spillover }
                    } else {
                        Admit::Throttled(Throttle::ScalingRate)
                    }
                }
            }
        };
        match out {
            Admit::Throttled(t) => {
                s.totals.throttles += 1;
                if t == Throttle::ScalingRate {
                    s.totals.throttles_scaling_rate += 1;
                }
            }
            a => {
                let before = s.busy.max(s.cfg.provisioned);
                s.busy += 1;
                let after = s.busy.max(s.cfg.provisioned);
                s.totals.invocations += 1;
                if let Admit::Cold { .. } = a {
                    s.totals.cold_starts += 1;
                }
                if matches!(
                    a,
                    Admit::Warm { spillover: true } | Admit::Cold { spillover: true }
                ) {
                    s.totals.spillover += 1;
                }
                s.totals.max_concurrency = s.totals.max_concurrency.max(s.busy);
                s.period_max = s.period_max.max(s.busy);
                if s.cfg.reserved.is_none() {
                    self.unreserved_used += after - before;
                    self.unreserved_max = self.unreserved_max.max(self.unreserved_used);
                    self.unreserved_period_max =
                        self.unreserved_period_max.max(self.unreserved_used);
                }
            }
        }
        out
    }

    /// An admitted invocation of `f` ends now. `provisioned`: it ran on a
    /// provisioned environment; `error`: a function error; `reset`: the
    /// environment is discarded (a timeout resets it), else it goes idle
    /// and may be reused.
    pub fn finish(&mut self, f: usize, now: SimTime, provisioned: bool, error: bool, reset: bool) {
        let s = &mut self.fns[f];
        let before = s.busy.max(s.cfg.provisioned);
        s.busy -= 1;
        let after = s.busy.max(s.cfg.provisioned);
        s.totals.finished += 1;
        if error {
            s.totals.errors += 1;
        }
        if reset && error {
            s.totals.timeouts += 1;
        }
        if provisioned {
            s.advance_area(now);
            s.prov_busy -= 1;
        } else if !reset {
            s.idle.push_back(now);
        }
        if s.cfg.reserved.is_none() {
            self.unreserved_used -= before - after;
        }
    }

    /// Concurrent executions of `f` now.
    pub fn concurrency(&self, f: usize) -> u32 {
        self.fns[f].busy
    }

    /// Most concurrent executions of `f` since the last call (the period's
    /// `ConcurrentExecutions` Maximum); the next period starts at the
    /// current concurrency.
    pub fn take_period_max(&mut self, f: usize) -> u32 {
        let s = &mut self.fns[f];
        std::mem::replace(&mut s.period_max, s.busy)
    }

    /// Environments of `f` now (busy on-demand, idle, provisioned).
    pub fn environments(&mut self, f: usize, now: SimTime) -> u32 {
        self.expire(f, now);
        let s = &self.fns[f];
        s.busy - s.prov_busy + s.idle.len() as u32 + s.cfg.provisioned
    }

    /// The account's unreserved concurrency in use now, and its maximum.
    pub fn unreserved(&self) -> (u32, u32) {
        (self.unreserved_used, self.unreserved_max)
    }

    /// Most unreserved concurrency claimed since the last call
    /// (`UnreservedConcurrentExecutions` Maximum of a period).
    pub fn take_unreserved_period_max(&mut self) -> u32 {
        std::mem::replace(&mut self.unreserved_period_max, self.unreserved_used)
    }

    /// Totals of `f`.
    pub fn totals(&self, f: usize) -> &FunctionTotals {
        &self.fns[f].totals
    }

    /// Configuration of `f`.
    pub fn config(&self, f: usize) -> &FunctionConfig {
        &self.fns[f].cfg
    }

    /// Provisioned concurrency of `f` becomes `n` now (a change allocated
    /// by PutProvisionedConcurrencyConfig). Invocations running on
    /// environments beyond `n` finish there.
    pub fn set_provisioned(&mut self, f: usize, now: SimTime, n: u32) {
        let s = &mut self.fns[f];
        s.advance_area(now);
        let before = s.busy.max(s.cfg.provisioned);
        s.cfg.provisioned = n;
        let after = s.busy.max(n);
        if s.cfg.reserved.is_none() {
            self.unreserved_used = self.unreserved_used + after - before;
            self.unreserved_max = self.unreserved_max.max(self.unreserved_used);
            self.unreserved_period_max = self.unreserved_period_max.max(self.unreserved_used);
        }
    }

    /// The period ending now of `f`: ProvisionedConcurrencyUtilization's
    /// Average (None without provisioned concurrency) and
    /// ProvisionedConcurrentExecutions' Maximum.
    pub fn take_provisioned_period(&mut self, f: usize, now: SimTime) -> (Option<f64>, u32) {
        let s = &mut self.fns[f];
        s.advance_area(now);
        let u = (s.area_prov > 0.0).then(|| s.area_busy / s.area_prov);
        s.area_busy = 0.0;
        s.area_prov = 0.0;
        let m = std::mem::replace(&mut s.prov_period_max, s.prov_busy);
        (u, m)
    }

    /// Provisioned concurrency-seconds of `f` up to `now` (for billing).
    pub fn provisioned_seconds(&self, f: usize, now: SimTime) -> f64 {
        let s = &self.fns[f];
        (s.prov_ns + s.cfg.provisioned as f64 * now.saturating_sub(s.area_at) as f64) / NS
    }
}

/// Problems with one function's settings, as (field, message).
pub fn function_problems(
    memory_mb: u64,
    timeout_s: f64,
    reserved: Option<u32>,
    provisioned: u32,
    max_event_age_s: f64,
    max_retries: u32,
) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    if memory_mb < MEMORY_MB.0 || memory_mb > MEMORY_MB.1 {
        out.push((
            "memory",
            format!(
                "memory must be between {}MB and {}MB, found {memory_mb}MB",
                MEMORY_MB.0, MEMORY_MB.1
            ),
        ));
    }
    if timeout_s <= 0.0 || timeout_s > MAX_TIMEOUT_S as f64 {
        out.push((
            "timeout",
            format!(
                "timeout must be longer than 0s and at most {MAX_TIMEOUT_S}s, found {timeout_s}s"
            ),
        ));
    }
    if let Some(r) = reserved
        && provisioned > r
    {
        out.push((
            "provisioned_concurrency",
            format!(
                "provisioned_concurrency ({provisioned}) cannot exceed reserved_concurrency ({r})"
            ),
        ));
    }
    if !(MIN_MAX_EVENT_AGE_S as f64..=DEFAULT_MAX_EVENT_AGE_S as f64).contains(&max_event_age_s) {
        out.push((
            "event_invoke_config.maximum_event_age",
            format!(
                "maximum_event_age must be between {MIN_MAX_EVENT_AGE_S}s and {DEFAULT_MAX_EVENT_AGE_S}s, found {max_event_age_s}s"
            ),
        ));
    }
    if max_retries > 2 {
        out.push((
            "event_invoke_config.maximum_retry_attempts",
            format!("maximum_retry_attempts is 0, 1 or 2, found {max_retries}"),
        ));
    }
    out
}

/// Problem with the account's reservations: reserved concurrency (and the
/// provisioned concurrency of unreserved functions) must leave
/// [`UNRESERVED_MINIMUM`] unreserved.
pub fn account_problems(
    account: u32,
    reserved_sum: u32,
    unreserved_provisioned: u32,
) -> Option<String> {
    let left = account as i64 - reserved_sum as i64 - unreserved_provisioned as i64;
    (left < UNRESERVED_MINIMUM as i64).then(|| {
        format!(
            "reserved ({reserved_sum}) and provisioned ({unreserved_provisioned}) concurrency leave {left} of the account's {account} unreserved: Lambda keeps at least {UNRESERVED_MINIMUM} unreserved"
        )
    })
}

/// SQS event source mapping: concurrent batches when messages appear.
pub const ESM_INITIAL_BATCHES: u32 = 5;
/// … added per minute while messages are still available.
pub const ESM_SCALE_PER_MINUTE: u32 = 300;
/// … at most (per mapping).
pub const ESM_MAX_BATCHES: u32 = 1000;
/// Range of an SQS mapping's maximum concurrency.
pub const ESM_MAXIMUM_CONCURRENCY: (u32, u32) = (2, 1000);
/// Default (and, without a batching window, largest) batch size.
pub const ESM_BATCH_SIZE: u32 = 10;
/// Largest batch size with a batching window of at least 1 s (standard
/// queues; FIFO queues stay at 10).
pub const ESM_MAX_BATCH_SIZE_WINDOWED: u32 = 10_000;
/// Largest batching window, seconds.
pub const ESM_MAX_WINDOW_S: u64 = 300;
/// Messages one ReceiveMessage returns at most.
pub const RECEIVE_MAX: u32 = 10;

/// Rule "SQS batch size and window" (`LAMBDA:services-sqs-parameters`,
/// `LAMBDA:API_CreateEventSourceMapping`): batch size 1–10, or up to 10,000
/// on a standard queue when the batching window is at least 1 s ("When you
/// set BatchSize to a value greater than 10, you must set
/// MaximumBatchingWindowInSeconds to at least 1"); the window is 0–300 s.
pub fn esm_sqs_problem(
    batch_size: u32,
    window_s: f64,
    fifo: bool,
) -> Option<(&'static str, String)> {
    if !(0.0..=ESM_MAX_WINDOW_S as f64).contains(&window_s) {
        return Some((
            "maximum_batching_window",
            format!("maximum_batching_window must be 0s to {ESM_MAX_WINDOW_S}s, found {window_s}s"),
        ));
    }
    let max = if fifo {
        ESM_BATCH_SIZE
    } else if window_s >= 1.0 {
        ESM_MAX_BATCH_SIZE_WINDOWED
    } else {
        ESM_BATCH_SIZE
    };
    (!(1..=max).contains(&batch_size)).then(|| {
        let why = if fifo {
            "on a FIFO queue"
        } else if window_s >= 1.0 {
            "with a batching window"
        } else {
            "without a batching window of at least 1s"
        };
        (
            "batch_size",
            format!("batch_size must be 1 to {max} {why}, found {batch_size}"),
        )
    })
}

/// Rule "SQS event source scaling" (`LAMBDA:services-sqs-scaling`): the
/// concurrent batches a mapping runs in the next minute — five to start;
/// while messages are still available (all its batches were busy and
/// messages wait) up to 300 more each minute, to at most 1,000 (or the
/// mapping's maximum concurrency); when traffic is low it scales back
/// toward five: here to the most batches busy at once in the minute (AWS
/// does not say how fast; GAP).
pub fn esm_next_batches(current: u32, messages_available: bool, peak_busy: u32, cap: u32) -> u32 {
    let cap = cap.clamp(1, ESM_MAX_BATCHES);
    if messages_available {
        (current + ESM_SCALE_PER_MINUTE).min(cap)
    } else {
        peak_busy
            .clamp(ESM_INITIAL_BATCHES, current.max(ESM_INITIAL_BATCHES))
            .min(cap)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: SimTime = 1_000_000_000;

    fn cfg(reserved: Option<u32>, provisioned: u32) -> FunctionConfig {
        FunctionConfig {
            name: "f".into(),
            memory_mb: 1024,
            reserved,
            provisioned,
            idle_expiry: 600 * S,
        }
    }

    #[test]
    fn scaling_rate_is_1000_per_10_seconds_refilled_continuously_not_accrued() {
        // LAMBDA:scaling-behavior: at most 1,000 new environments at once,
        // 1,000 more every 10 s, refilled continuously, never above 1,000.
        let mut b = ScalingBucket::default();
        let mut n = 0;
        while b.take(0) {
            n += 1;
        }
        assert_eq!(n, 1000);
        // 5 s later: 500 more.
        let mut m = 0;
        while b.take(5 * S) {
            m += 1;
        }
        assert_eq!(m, 500);
        // An idle hour does not accrue more than 1,000.
        assert_eq!(b.available(3600 * S), 1000.0);
    }

    #[test]
    fn a_burst_of_3000_gets_1000_cold_starts_then_429() {
        let mut l = Lambda::new(5000, vec![cfg(None, 0)]);
        let mut cold = 0;
        let mut rate = 0;
        for _ in 0..3000 {
            match l.admit(0, 0) {
                Admit::Cold { .. } => cold += 1,
                Admit::Throttled(Throttle::ScalingRate) => rate += 1,
                a => panic!("{a:?}"),
            }
        }
        assert_eq!((cold, rate), (1000, 2000));
        // 10 s later another 1,000 may start.
        let mut more = 0;
        for _ in 0..2000 {
            if let Admit::Cold { .. } = l.admit(0, 10 * S) {
                more += 1;
            }
        }
        assert_eq!(more, 1000);
    }

    #[test]
    fn reserved_concurrency_caps_the_function_and_shrinks_the_pool() {
        // LAMBDA:configuration-concurrency.
        let mut l = Lambda::new(1000, vec![cfg(Some(50), 0), cfg(None, 0)]);
        assert_eq!(l.unreserved_pool(), 950);
        for _ in 0..50 {
            assert!(matches!(l.admit(0, 0), Admit::Cold { .. }));
        }
        assert_eq!(l.admit(0, 0), Admit::Throttled(Throttle::Reserved));
        for _ in 0..950 {
            assert!(!matches!(l.admit(1, 0), Admit::Throttled(_)));
        }
        assert_eq!(l.admit(1, 0), Admit::Throttled(Throttle::Account));
        assert_eq!(l.unreserved(), (950, 950));
        l.finish(1, S, false, false, false);
        // The freed environment is reused: no cold start.
        assert_eq!(l.admit(1, 2 * S), Admit::Warm { spillover: false });
    }

    #[test]
    fn provisioned_concurrency_target_tracking_uses_aws_numbers() {
        // 0.7 target: 100 provisioned at 91 % utilisation → 130; at 35 % →
        // 50; within min/max.
        assert_eq!(
            pc_target_tracking_capacity(100, 0.91, 0.7, 10, 500, true),
            130
        );
        assert_eq!(
            pc_target_tracking_capacity(100, 0.35, 0.7, 10, 500, false),
            50
        );
        assert_eq!(
            pc_target_tracking_capacity(100, 0.99, 0.7, 10, 120, true),
            120
        );
        assert_eq!(
            pc_target_tracking_capacity(100, 0.01, 0.7, 10, 500, false),
            10
        );
        // AlarmLow at 63 % for a 70 % target (LAMBDA:provisioned-concurrency).
        assert!((PC_RECOMMENDED_TARGET * PC_LOW_ALARM_FACTOR - 0.63).abs() < 1e-12);
        assert_eq!((PC_SCALE_OUT_DATAPOINTS, PC_SCALE_IN_DATAPOINTS), (3, 15));
        assert!(pc_auto_scaling_problems(1, 10, 0.7, None).is_empty());
        assert_eq!(pc_auto_scaling_problems(0, 10, 0.7, None).len(), 1);
        assert_eq!(pc_auto_scaling_problems(5, 10, 70.0, Some(8)).len(), 2);
    }

    #[test]
    fn provisioned_concurrency_changes_keep_the_pool_and_the_bill() {
        let mut l = Lambda::new(1000, vec![cfg(None, 2)]);
        assert_eq!(l.admit(0, 0), Admit::Provisioned);
        // Half the period one of 2 busy, then none: utilisation 1/4.
        l.finish(0, 30 * 1_000_000_000, true, false, false);
        let (u, m) = l.take_provisioned_period(0, 60 * 1_000_000_000);
        assert!((u.unwrap() - 0.25).abs() < 1e-12);
        assert_eq!(m, 1);
        l.set_provisioned(0, 60 * 1_000_000_000, 10);
        assert_eq!(l.unreserved().0, 10);
        // 2 for 60 s + 10 for 60 s = 720 provisioned-seconds.
        assert!((l.provisioned_seconds(0, 120 * 1_000_000_000) - 720.0).abs() < 1e-9);
        l.set_provisioned(0, 120 * 1_000_000_000, 4);
        assert_eq!(l.unreserved().0, 4);
    }

    #[test]
    fn provisioned_first_then_spillover_and_it_claims_the_pool_while_idle() {
        let mut l = Lambda::new(1000, vec![cfg(None, 2)]);
        assert_eq!(l.unreserved(), (2, 2));
        assert_eq!(l.admit(0, 0), Admit::Provisioned);
        assert_eq!(l.admit(0, 0), Admit::Provisioned);
        assert_eq!(l.unreserved().0, 2);
        assert_eq!(l.admit(0, 0), Admit::Cold { spillover: true });
        assert_eq!(l.unreserved().0, 3);
        assert_eq!(l.totals(0).spillover, 1);
        assert_eq!(l.totals(0).cold_starts, 1);
        l.finish(0, S, true, false, false);
        l.finish(0, S, true, false, false);
        l.finish(0, S, false, false, false);
        // Provisioned concurrency stays claimed while idle.
        assert_eq!(l.unreserved().0, 2);
        assert_eq!(l.environments(0, S), 3);
    }

    #[test]
    fn idle_environments_expire_and_a_timeout_resets_one() {
        let mut l = Lambda::new(1000, vec![cfg(None, 0)]);
        assert!(matches!(l.admit(0, 0), Admit::Cold { .. }));
        l.finish(0, S, false, false, false);
        assert_eq!(l.admit(0, 500 * S), Admit::Warm { spillover: false });
        l.finish(0, 501 * S, false, false, false);
        // Idle 600 s: reclaimed, the next invocation is cold.
        assert!(matches!(l.admit(0, 1101 * S), Admit::Cold { .. }));
        assert_eq!(l.totals(0).expired_environments, 1);
        // A timeout discards the environment.
        l.finish(0, 1102 * S, false, true, true);
        assert_eq!(l.environments(0, 1102 * S), 0);
        assert_eq!(l.totals(0).timeouts, 1);
    }

    #[test]
    fn async_retry_schedules_are_aws_numbers() {
        // LAMBDA:invocation-async-error-handling.
        assert_eq!(async_error_retry_delay(1), 60 * S);
        assert_eq!(async_error_retry_delay(2), 120 * S);
        let d: Vec<u64> = (1..=11)
            .map(|n| async_throttle_retry_delay(n) / S)
            .collect();
        assert_eq!(d, [1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300]);
    }

    #[test]
    fn prices_are_the_published_ones() {
        // 1M requests: $0.20; 1 GB for 1 s: $0.0000166667.
        assert!((request_cost(1_000_000) - 0.20).abs() < 1e-12);
        assert!((compute_cost(1024, 1000, false) - 0.000_016_666_7).abs() < 1e-15);
        // Worked by hand: 3M invocations of 120 ms at 1536 MB are
        // 3M × 0.12 s × 1.5 GB = 540,000 GB-s × $0.0000166667 = $9.00.
        let c = compute_cost(1536, 120, false) * 3e6;
        assert!((c - 9.000_018).abs() < 1e-3, "{c}");
        assert_eq!(billed_ms(1), 1);
        assert_eq!(billed_ms(1_000_001), 2);
        // 100 provisioned × 1 GB for an hour.
        assert!((provisioned_cost(1024, 100, 3600.0) - 1.500_012).abs() < 1e-6);
    }

    #[test]
    fn sqs_mapping_scales_by_300_a_minute_from_5_to_1000() {
        // LAMBDA:services-sqs-scaling.
        let mut n = ESM_INITIAL_BATCHES;
        let mut seen = vec![n];
        for _ in 0..4 {
            n = esm_next_batches(n, true, n, ESM_MAX_BATCHES);
            seen.push(n);
        }
        assert_eq!(seen, [5, 305, 605, 905, 1000]);
        // Quiet: back toward five (to what was busy).
        assert_eq!(esm_next_batches(1000, false, 0, 1000), 5);
        assert_eq!(esm_next_batches(1000, false, 40, 1000), 40);
        // Maximum concurrency caps it.
        assert_eq!(esm_next_batches(5, true, 5, 50), 50);
        assert_eq!(esm_next_batches(5, false, 0, 2), 2);
    }

    #[test]
    fn sqs_batch_size_above_10_needs_a_window_of_a_second() {
        assert!(esm_sqs_problem(10, 0.0, false).is_none());
        assert!(esm_sqs_problem(11, 0.0, false).is_some());
        assert!(esm_sqs_problem(11, 0.5, false).is_some());
        assert!(esm_sqs_problem(10_000, 1.0, false).is_none());
        assert!(esm_sqs_problem(10_001, 300.0, false).is_some());
        assert!(esm_sqs_problem(11, 5.0, true).is_some());
        assert!(esm_sqs_problem(10, 301.0, false).is_some());
    }

    #[test]
    fn validation_numbers() {
        assert!(function_problems(128, 3.0, None, 0, 21600.0, 2).is_empty());
        assert_eq!(function_problems(64, 901.0, Some(1), 2, 30.0, 3).len(), 5);
        assert!(account_problems(1000, 900, 0).is_none());
        assert!(account_problems(1000, 901, 0).is_some());
    }
}
