//! Amazon API Gateway as pure rules: token-bucket throttling (account level
//! per Region, then the stage), the response cache (TTL, capacity), the
//! integration timeout, the status codes a client sees, and prices.
//! `APIGW:<page>` is `https://docs.aws.amazon.com/apigateway/latest/developerguide/<page>.html`;
//! quotes are in `docs/src/background/serverless.md`.
//!
//! | Rule | Where | Citation | Grade |
//! |---|---|---|---|
//! | Throttling is a token bucket, a token per request; over rate and burst: 429 Too Many Requests | [`TokenBucket`] | `APIGW:api-gateway-request-throttling` | DOC |
//! | Account level per Region: 10,000 requests/s, burst 5,000 | [`ACCOUNT_RATE`], [`ACCOUNT_BURST`] | `APIGW:limits`; Knowledge Center `api-gateway-429-limit` | DOC |
//! | Order: stage/method limits, then the account's | [`admit`] | Knowledge Center `api-gateway-429-limit` | DOC |
//! | Usage plans: each API key's own throttle (a token bucket) is applied first, before the stage's and the account's; its quota (requests per DAY, WEEK or MONTH) refuses with 429 `Limit Exceeded` once used up, until the period ends | [`Quota`], [`admit_key`] | `APIGW:api-gateway-api-usage-plans`, `APIGW:api-gateway-request-throttling` ("Per-client or per-method throttling limits that you set for an API stage in a usage plan" first) | DOC (quota periods counted from the start of the run, a month as 30 days: GAP; a throttled request uses no quota: GAP) |
//! | Integration timeout 29 s by default (50 ms – 29 s): 504 | [`DEFAULT_INTEGRATION_TIMEOUT_S`] | `APIGW:limits` | DOC |
//! | Cache TTL default 300 s, at most 3,600 s, 0 = off; sizes 0.5–237 GB | [`DEFAULT_CACHE_TTL_S`], [`MAX_CACHE_TTL_S`], [`CACHE_SIZES_GB`] | `APIGW:api-gateway-caching` | DOC |
//! | Cache eviction when full | [`Cache`] (oldest entry first) | not documented | GAP |
//! | Lambda throttled or failing behind a proxy integration: 500 / 502 | [`lambda_status`] | Knowledge Center `api-gateway-internal-server-error`, `api-gateway-502-error-lambda` | DOC |
//! | Prices (us-east-1): REST $3.50 per million, HTTP $1.00 per million; cache per hour by size | [`request_cost`], [`cache_cost_per_hour`] | aws.amazon.com/api-gateway/pricing | DOC |

use crate::sim::SimTime;
use std::collections::{HashMap, VecDeque};

/// Account-level steady rate per Region, requests/s.
pub const ACCOUNT_RATE: f64 = 10_000.0;
/// Account-level burst per Region, requests.
pub const ACCOUNT_BURST: u32 = 5_000;
/// Default integration timeout, seconds.
pub const DEFAULT_INTEGRATION_TIMEOUT_S: u64 = 29;
/// Default cache TTL, seconds.
pub const DEFAULT_CACHE_TTL_S: u64 = 300;
/// Largest cache TTL, seconds.
pub const MAX_CACHE_TTL_S: u64 = 3600;
/// Cache sizes (GB) and their price per hour (USD, us-east-1).
pub const CACHE_SIZES_GB: [(f64, f64); 8] = [
    (0.5, 0.020),
    (1.6, 0.038),
    (6.1, 0.200),
    (13.5, 0.250),
    (28.4, 0.500),
    (58.2, 1.000),
    (118.0, 1.900),
    (237.0, 3.800),
];

/// A token bucket: `burst` tokens, refilled at `rate` per second, one per
/// request. Starts full.
#[derive(Clone, Debug)]
pub struct TokenBucket {
    rate: f64,
    burst: f64,
    tokens: f64,
    at: SimTime,
}

impl TokenBucket {
    /// A full bucket.
    pub fn new(rate: f64, burst: u32) -> TokenBucket {
        TokenBucket {
            rate,
            burst: burst as f64,
            tokens: burst as f64,
            at: 0,
        }
    }
    fn refill(&mut self, now: SimTime) {
        if now > self.at {
            self.tokens = (self.tokens + (now - self.at) as f64 / 1e9 * self.rate).min(self.burst);
            self.at = now;
        }
    }
    /// Whether a request may pass now (without taking a token).
    pub fn has(&mut self, now: SimTime) -> bool {
        self.refill(now);
        self.tokens >= 1.0
    }
    /// Take a token.
    pub fn take(&mut self, now: SimTime) {
        self.refill(now);
        self.tokens -= 1.0;
    }
}

/// A usage plan's quota for one API key: `limit` requests per `period`,
/// renewed at each period's end.
#[derive(Clone, Debug)]
pub struct Quota {
    limit: u64,
    period: SimTime,
    window: u64,
    used: u64,
}

/// Seconds of a quota period: DAY, WEEK or MONTH (30 days here).
pub fn quota_period_s(period: &str) -> Option<u64> {
    match period {
        "DAY" => Some(86_400),
        "WEEK" => Some(7 * 86_400),
        "MONTH" => Some(30 * 86_400),
        _ => None,
    }
}

impl Quota {
    /// `limit` requests per `period_s` seconds.
    pub fn new(limit: u64, period_s: u64) -> Quota {
        Quota {
            limit,
            period: period_s.max(1) * 1_000_000_000,
            window: 0,
            used: 0,
        }
    }
    /// Whether a request may use the quota now (without using it).
    pub fn has(&mut self, now: SimTime) -> bool {
        let w = now / self.period;
        if w != self.window {
            self.window = w;
            self.used = 0;
        }
        self.used < self.limit
    }
    /// Use one request of the quota.
    pub fn take(&mut self) {
        self.used += 1;
    }
}

/// Rule "usage plan first": a request with an API key passes the key's
/// throttle, then the stage's and the account's ([`admit`]), then the key's
/// quota; it takes a token of each throttle and one request of the quota
/// only when all pass.
pub fn admit_key(
    key: Option<(&mut TokenBucket, &mut Quota)>,
    stage: Option<&mut TokenBucket>,
    account: &mut TokenBucket,
    now: SimTime,
) -> Result<(), Limit> {
    let Some((bucket, quota)) = key else {
        return admit(stage, account, now);
    };
    if !bucket.has(now) {
        return Err(Limit::UsagePlan);
    }
    if let Some(s) = &stage
        && !TokenBucket::clone(s).has(now)
    {
        return Err(Limit::Stage);
    }
    if !TokenBucket::clone(account).has(now) {
        return Err(Limit::Account);
    }
    if !quota.has(now) {
        return Err(Limit::Quota);
    }
    admit(stage, account, now)?;
    bucket.take(now);
    quota.take();
    Ok(())
}

/// Which limit throttled a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Limit {
    /// The API key's usage plan throttle (429 Too Many Requests).
    UsagePlan,
    /// The API key's usage plan quota (429 Limit Exceeded).
    Quota,
    /// The stage's (or method's) throttle.
    Stage,
    /// The account's per Region.
    Account,
}

/// Rule "order of throttles": the stage's limit first, then the account's;
/// a request passes only if both have a token, and then takes one of each.
pub fn admit(
    stage: Option<&mut TokenBucket>,
    account: &mut TokenBucket,
    now: SimTime,
) -> Result<(), Limit> {
    if let Some(s) = stage {
        if !s.has(now) {
            return Err(Limit::Stage);
        }
        if !account.has(now) {
            return Err(Limit::Account);
        }
        s.take(now);
    } else if !account.has(now) {
        return Err(Limit::Account);
    }
    account.take(now);
    Ok(())
}

/// What a Lambda proxy integration's outcome becomes for the client.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LambdaResult {
    /// The function answered.
    Ok,
    /// The function was throttled (429 from Lambda).
    Throttled,
    /// A function error or timeout.
    Error,
}

/// Rule "Lambda behind API Gateway": a throttled function is a 500
/// Internal server error (not the 429 of API Gateway's own throttle), a
/// function error a 502.
pub fn lambda_status(r: LambdaResult) -> u16 {
    match r {
        LambdaResult::Ok => 200,
        LambdaResult::Throttled => 500,
        LambdaResult::Error => 502,
    }
}

/// A stage's response cache: entries by key with their expiry; at
/// capacity the oldest entry goes first.
#[derive(Clone, Debug)]
pub struct Cache {
    ttl: SimTime,
    capacity: usize,
    entries: HashMap<u64, SimTime>,
    order: VecDeque<(u64, SimTime)>,
}

impl Cache {
    /// A cache keeping `capacity` entries for `ttl`.
    pub fn new(ttl: SimTime, capacity: usize) -> Cache {
        Cache {
            ttl,
            capacity: capacity.max(1),
            entries: HashMap::new(),
            order: VecDeque::new(),
        }
    }
    /// Whether `key` has a fresh entry now.
    pub fn hit(&mut self, key: u64, now: SimTime) -> bool {
        match self.entries.get(&key) {
            Some(&exp) if exp > now => true,
            Some(_) => {
                self.entries.remove(&key);
                false
            }
            None => false,
        }
    }
    /// Store the integration's response for `key` (now).
    pub fn put(&mut self, key: u64, now: SimTime) {
        if self.ttl == 0 {
            return;
        }
        let exp = now + self.ttl;
        self.entries.insert(key, exp);
        self.order.push_back((key, exp));
        while self.entries.len() > self.capacity || self.order.len() > 4 * self.capacity {
            let Some((k, e)) = self.order.pop_front() else {
                break;
            };
            // Only the entry this record describes (a key may have been
            // stored again since).
            if self.entries.get(&k) == Some(&e) {
                self.entries.remove(&k);
            }
        }
    }
    /// Entries held.
    pub fn len(&self) -> usize {
        self.entries.len()
    }
    /// No entries.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// Price of `n` requests (REST or HTTP API, first pricing tier).
pub fn request_cost(n: u64, rest: bool) -> f64 {
    n as f64 / 1e6 * if rest { 3.50 } else { 1.00 }
}

/// Hourly price of a cache of `size_gb`, if it is one of AWS's sizes.
pub fn cache_cost_per_hour(size_gb: f64) -> Option<f64> {
    CACHE_SIZES_GB
        .iter()
        .find(|(s, _)| (s - size_gb).abs() < 1e-9)
        .map(|x| x.1)
}

/// Problems with an API's settings, as (field, message).
pub fn api_problems(
    rest: bool,
    integration_timeout_ms: f64,
    cache: Option<(f64, f64)>,
    throttle: Option<(f64, u32)>,
) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    if !(50.0..=DEFAULT_INTEGRATION_TIMEOUT_S as f64 * 1000.0).contains(&integration_timeout_ms) {
        out.push((
            "integration_timeout",
            format!(
                "integration_timeout must be between 50ms and 29s, found {integration_timeout_ms}ms"
            ),
        ));
    }
    if let Some((ttl_s, size)) = cache {
        if !rest {
            out.push((
                "cache",
                "response caching is a REST API feature (`type: rest`)".to_string(),
            ));
        }
        if ttl_s > MAX_CACHE_TTL_S as f64 {
            out.push((
                "cache.ttl",
                format!("ttl must be at most {MAX_CACHE_TTL_S}s, found {ttl_s}s"),
            ));
        }
        if cache_cost_per_hour(size).is_none() {
            let sizes: Vec<String> = CACHE_SIZES_GB.iter().map(|x| x.0.to_string()).collect();
            out.push((
                "cache.size_gb",
                format!("size_gb must be one of {}, found {size}", sizes.join(", ")),
            ));
        }
    }
    if let Some((rate, burst)) = throttle
        && (rate <= 0.0 || burst == 0)
    {
        out.push((
            "throttle",
            format!("rate and burst must be positive, found rate {rate}, burst {burst}"),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: SimTime = 1_000_000_000;

    #[test]
    fn usage_plan_throttle_comes_first_and_the_quota_renews_each_period() {
        const S: SimTime = 1_000_000_000;
        let mut key = TokenBucket::new(1.0, 2);
        let mut q = Quota::new(3, quota_period_s("DAY").unwrap());
        let mut stage = TokenBucket::new(100.0, 100);
        let mut acct = TokenBucket::new(ACCOUNT_RATE, ACCOUNT_BURST);
        let mut go = |t, key: &mut TokenBucket, q: &mut Quota| {
            admit_key(Some((key, q)), Some(&mut stage), &mut acct, t)
        };
        // Burst 2, then the key's own throttle.
        assert_eq!(go(0, &mut key, &mut q), Ok(()));
        assert_eq!(go(0, &mut key, &mut q), Ok(()));
        assert_eq!(go(0, &mut key, &mut q), Err(Limit::UsagePlan));
        // A second later: a token, and the third request of the quota.
        assert_eq!(go(S, &mut key, &mut q), Ok(()));
        // Quota used up for the day.
        assert_eq!(go(10 * S, &mut key, &mut q), Err(Limit::Quota));
        // The next day it renews.
        assert_eq!(go(86_400 * S, &mut key, &mut q), Ok(()));
        assert_eq!(quota_period_s("WEEK"), Some(604_800));
        assert_eq!(quota_period_s("YEAR"), None);
    }

    #[test]
    fn account_bucket_passes_the_burst_then_the_rate() {
        // 10,000 rps, burst 5,000: at t = 0 exactly 5,000 pass, then
        // 10,000 per second.
        let mut a = TokenBucket::new(ACCOUNT_RATE, ACCOUNT_BURST);
        let mut n = 0;
        while admit(None, &mut a, 0).is_ok() {
            n += 1;
        }
        assert_eq!(n, 5000);
        let mut m = 0;
        while admit(None, &mut a, S).is_ok() {
            m += 1;
        }
        // Refilled for one second, capped at the burst.
        assert_eq!(m, 5000);
        let mut k = 0;
        for i in 0..20_000u64 {
            // 20,000 requests evenly over the next second: 10,000 pass.
            if admit(None, &mut a, S + i * S / 20_000).is_ok() {
                k += 1;
            }
        }
        assert!((9_999..=10_001).contains(&k), "{k}");
    }

    #[test]
    fn the_stage_limit_comes_first() {
        let mut st = TokenBucket::new(10.0, 2);
        let mut a = TokenBucket::new(ACCOUNT_RATE, ACCOUNT_BURST);
        assert!(admit(Some(&mut st), &mut a, 0).is_ok());
        assert!(admit(Some(&mut st), &mut a, 0).is_ok());
        assert_eq!(admit(Some(&mut st), &mut a, 0), Err(Limit::Stage));
        // A stage refusal takes no account token: 4,998 left.
        let mut n = 0;
        while admit(None, &mut a, 0).is_ok() {
            n += 1;
        }
        assert_eq!(n, 4998);
    }

    #[test]
    fn cache_ttl_and_capacity() {
        let mut c = Cache::new(300 * S, 2);
        assert!(!c.hit(1, 0));
        c.put(1, 0);
        assert!(c.hit(1, 299 * S));
        assert!(!c.hit(1, 300 * S));
        c.put(1, 0);
        c.put(2, 1);
        c.put(3, 2);
        assert_eq!(c.len(), 2);
        assert!(!c.hit(1, 3), "the oldest entry was evicted");
        assert!(c.hit(3, 3));
    }

    #[test]
    fn statuses_and_prices() {
        assert_eq!(lambda_status(LambdaResult::Throttled), 500);
        assert_eq!(lambda_status(LambdaResult::Error), 502);
        assert!((request_cost(1_000_000, true) - 3.5).abs() < 1e-12);
        assert!((request_cost(1_000_000, false) - 1.0).abs() < 1e-12);
        assert_eq!(cache_cost_per_hour(0.5), Some(0.020));
        assert_eq!(cache_cost_per_hour(1.0), None);
        assert!(api_problems(true, 29_000.0, Some((300.0, 0.5)), Some((100.0, 50))).is_empty());
        assert_eq!(
            api_problems(false, 30_000.0, Some((3601.0, 2.0)), Some((0.0, 0))).len(),
            5
        );
    }
}
