//! AWS SDK retry behaviour: the three botocore retry modes, as pure functions
//! and small state machines. No events, no clock of its own: the caller
//! passes the time (seconds) and the random draws (U[0,1) values from its own
//! stream), so every rule is testable on its own.
//!
//! | Rule | Where | Citation (aws-semantics.md §6, §8 WE-33…WE-35) |
//! |---|---|---|
//! | Attempts per mode (legacy DynamoDB 10, legacy default 5, standard/adaptive 3), counted with the first | [`default_max_attempts`] | `BOTO:botocore/data/_retry.json`; `BOTO:botocore/retries/standard.py` `DEFAULT_MAX_ATTEMPTS` |
//! | Legacy DynamoDB delay 0.05 s × 2^(n−1), no jitter, no cap | [`legacy_dynamodb_delay`] | `BOTO:botocore/data/_retry.json`, `BOTO:botocore/retryhandler.py` (WE-33) |
//! | Legacy default delay U[0,1) × 2^(n−1), no cap | [`legacy_default_delay`] | same (WE-34) |
//! | Standard delay U[0,1) × min(2^(n−1), 20) (full jitter) | [`standard_delay`] | `BOTO:botocore/retries/standard.py` `ExponentialBackoff` (WE-35) |
//! | Retry quota: 500 tokens, retry 5, timeout retry 10, refund 1 on a first-try success, the last cost on a success after retries | [`RetryQuota`] | `BOTO:botocore/retries/quota.py`, `standard.py` `RetryQuotaChecker` (WE-35) |
//! | Adaptive: CUBIC (C = 0.4, β = 0.7) | [`Cubic`] | `BOTO:botocore/retries/throttling.py` |
//! | Adaptive: send-rate token bucket, min rate 0.5/s | [`RateBucket`] | `BOTO:botocore/retries/bucket.py` |
//! | Adaptive: measured rate, smoothing 0.8 over 0.5 s buckets | [`RateClocker`] | `BOTO:botocore/retries/adaptive.py` |
//! | Adaptive: enabled by the first throttle; new rate = min(CUBIC, 2 × measured) | [`RateLimiter`] | `BOTO:botocore/retries/adaptive.py` `ClientRateLimiter` |
//!
//! Only the behaviour of the default (non-opt-in) botocore retry code is
//! modelled; the opt-in `AWS_NEW_RETRIES_2026` behaviour (aws-semantics.md
//! §6.1) is not.

use crate::scenario::RetryMode;

/// Rule "attempts per mode" (`BOTO:botocore/data/_retry.json`: DynamoDB
/// `max_attempts: 10` in legacy mode, which counts the first request;
/// `BOTO:botocore/retries/standard.py` `DEFAULT_MAX_ATTEMPTS = 3` for
/// standard and adaptive). The clients here call DynamoDB, so legacy is 10.
pub fn default_max_attempts(mode: RetryMode) -> u32 {
    match mode {
        RetryMode::Legacy => 10,
        RetryMode::Standard | RetryMode::Adaptive => 3,
    }
}

/// Legacy mode's default attempts for services without their own entry in
/// `_retry.json` (`__default__`: 5; WE-34).
pub const LEGACY_DEFAULT_MAX_ATTEMPTS: u32 = 5;

/// Legacy DynamoDB base, seconds (`_retry.json` `"base": 0.05`).
pub const LEGACY_DYNAMODB_BASE_S: f64 = 0.05;

/// Standard mode's backoff cap, seconds (`ExponentialBackoff._MAX_BACKOFF`).
pub const STANDARD_MAX_BACKOFF_S: f64 = 20.0;

/// Rule "legacy DynamoDB backoff" (WE-33; `BOTO:botocore/retryhandler.py`
/// `delay_exponential` with base 0.05, growth factor 2): the sleep before
/// retry `n` (n = 1 for the first retry) is 0.05 × 2^(n−1) seconds, with no
/// jitter and no cap: 0.05, 0.1, 0.2 … 12.8 s for n = 1…9.
pub fn legacy_dynamodb_delay(n: u32) -> f64 {
    LEGACY_DYNAMODB_BASE_S * 2f64.powi(n.saturating_sub(1) as i32)
}

/// Rule "legacy default backoff" (WE-34; `_retry.json` `"base": "rand"`):
/// the sleep before retry `n` is U[0,1) × 2^(n−1) seconds, no cap. `u` is the
/// U[0,1) draw.
pub fn legacy_default_delay(n: u32, u: f64) -> f64 {
    u * 2f64.powi(n.saturating_sub(1) as i32)
}

/// Rule "standard backoff" (WE-35; `BOTO:botocore/retries/standard.py`
/// `ExponentialBackoff.delay_amount`, also `SMITHY:…/standard.rs`
/// `calculate_exponential_backoff`): the sleep before retry `n` is
/// U[0,1) × min(2^(n−1), 20) seconds (full jitter, base 1 s, cap 20 s).
pub fn standard_delay(n: u32, u: f64) -> f64 {
    u * 2f64
        .powi(n.saturating_sub(1).min(62) as i32)
        .min(STANDARD_MAX_BACKOFF_S)
}

/// The delay before retry `n` of a DynamoDB call in `mode` (`u` = a U[0,1)
/// draw, unused by legacy mode, whose DynamoDB schedule has no jitter).
pub fn retry_delay(mode: RetryMode, n: u32, u: f64) -> f64 {
    match mode {
        RetryMode::Legacy => legacy_dynamodb_delay(n),
        RetryMode::Standard | RetryMode::Adaptive => standard_delay(n, u),
    }
}

/// The retry quota of standard and adaptive mode
/// (`BOTO:botocore/retries/quota.py` `RetryQuota`,
/// `BOTO:botocore/retries/standard.py` `RetryQuotaChecker`; same figures in
/// `SMITHY:…/token_bucket.rs`): 500 tokens; a retry takes 5 (10 after a
/// timeout); an empty quota means no retry; a call that succeeds on its
/// first attempt returns 1 token, one that succeeds after retries returns
/// the amount its last retry took. Never above the capacity.
#[derive(Clone, Debug, PartialEq)]
pub struct RetryQuota {
    available: u32,
    capacity: u32,
}

/// Retry quota capacity (`RetryQuota.INITIAL_CAPACITY`).
pub const QUOTA_CAPACITY: u32 = 500;
/// Cost of a retry after a non-timeout error (`_RETRY_COST`).
pub const QUOTA_RETRY_COST: u32 = 5;
/// Cost of a retry after a timeout (`_TIMEOUT_RETRY_REQUEST`).
pub const QUOTA_TIMEOUT_RETRY_COST: u32 = 10;
/// Refund after a first-attempt success (`_NO_RETRY_INCREMENT`).
pub const QUOTA_NO_RETRY_INCREMENT: u32 = 1;

impl Default for RetryQuota {
    fn default() -> Self {
        RetryQuota::new(QUOTA_CAPACITY)
    }
}

impl RetryQuota {
    /// A full quota of `capacity` tokens.
    pub fn new(capacity: u32) -> Self {
        RetryQuota {
            available: capacity,
            capacity,
        }
    }

    /// Tokens left.
    pub fn available(&self) -> u32 {
        self.available
    }

    /// Rule "acquire" (`RetryQuota.acquire`, `RetryQuotaChecker.acquire_retry_quota`):
    /// take the cost of a retry (5, or 10 after a timeout); `None` when the
    /// quota cannot cover it (then the SDK does not retry).
    pub fn acquire(&mut self, timeout: bool) -> Option<u32> {
        let cost = if timeout {
            QUOTA_TIMEOUT_RETRY_COST
        } else {
            QUOTA_RETRY_COST
        };
        if cost > self.available {
            return None;
        }
        self.available -= cost;
        Some(cost)
    }

    /// Rule "release" (`RetryQuotaChecker.release_retry_quota`): after a
    /// successful (2xx) call, give back 1 if it was never retried, else the
    /// amount of its last acquisition (`last_cost`); capped at the capacity.
    /// Failed calls give nothing back.
    pub fn on_success(&mut self, last_cost: Option<u32>) {
        let amount = last_cost.unwrap_or(QUOTA_NO_RETRY_INCREMENT);
        self.available = (self.available + amount).min(self.capacity);
    }
}

/// CUBIC send-rate calculator of adaptive mode
/// (`BOTO:botocore/retries/throttling.py` `CubicCalculator`): after a
/// throttle at rate `r` the new rate is β·r and the curve
/// `C·(t − t_fail − K)³ + W_max` with `W_max = r`, `K = ∛(W_max·(1 − β)/C)`
/// takes it back to `r` at `t_fail + K`, and beyond.
#[derive(Clone, Debug, PartialEq)]
pub struct Cubic {
    w_max: f64,
    k: f64,
    last_fail: f64,
}

/// CUBIC scale constant C (`_SCALE_CONSTANT`).
pub const CUBIC_SCALE: f64 = 0.4;
/// CUBIC β (`_BETA`).
pub const CUBIC_BETA: f64 = 0.7;

impl Cubic {
    /// `CubicCalculator(starting_max_rate, start_time)`.
    pub fn new(starting_max_rate: f64, start_time: f64) -> Self {
        let mut c = Cubic {
            w_max: starting_max_rate,
            k: 0.0,
            last_fail: start_time,
        };
        c.k = c.zero_point();
        c
    }

    fn zero_point(&self) -> f64 {
        (self.w_max * (1.0 - CUBIC_BETA) / CUBIC_SCALE).cbrt()
    }

    /// `success_received`: the rate the curve allows at `t`.
    pub fn success_received(&self, t: f64) -> f64 {
        CUBIC_SCALE * (t - self.last_fail - self.k).powi(3) + self.w_max
    }

    /// `error_received`: a throttle at `current_rate`; returns β × that rate.
    pub fn error_received(&mut self, current_rate: f64, t: f64) -> f64 {
        self.w_max = current_rate;
        self.k = self.zero_point();
        self.last_fail = t;
        current_rate * CUBIC_BETA
    }

    /// (W_max, K, last failure time), as `get_params_snapshot`.
    pub fn params(&self) -> (f64, f64, f64) {
        (self.w_max, self.k, self.last_fail)
    }
}

/// The client-side send-rate token bucket of adaptive mode
/// (`BOTO:botocore/retries/bucket.py` `TokenBucket`): fill rate = max rate
/// (at least 0.5/s), capacity = max(rate, 1), starts empty. A caller that
/// finds it short waits `(1 − tokens)/rate`; here the token is reserved at
/// once (tokens may go negative), which spaces concurrent callers exactly as
/// botocore's blocked threads are.
#[derive(Clone, Debug, PartialEq)]
pub struct RateBucket {
    fill_rate: f64,
    max_capacity: f64,
    current: f64,
    last: f64,
}

/// The bucket's minimum fill rate, requests per second (`_MIN_RATE`).
pub const BUCKET_MIN_RATE: f64 = 0.5;

impl RateBucket {
    /// `TokenBucket(max_rate, clock)` created at `t`.
    pub fn new(max_rate: f64, t: f64) -> Self {
        let mut b = RateBucket {
            fill_rate: 0.0,
            max_capacity: 1.0,
            current: 0.0,
            last: t,
        };
        b.set_max_rate(max_rate, t);
        b
    }

    fn refill(&mut self, t: f64) {
        if t > self.last {
            self.current = (self.current + (t - self.last) * self.fill_rate).min(self.max_capacity);
            self.last = t;
        }
    }

    /// The `max_rate` setter: refill at the old rate, then set the fill rate
    /// (≥ 0.5), the capacity (max(rate, 1)) and clip the tokens.
    pub fn set_max_rate(&mut self, value: f64, t: f64) {
        self.refill(t);
        self.fill_rate = value.max(BUCKET_MIN_RATE);
        self.max_capacity = if value >= 1.0 { value } else { 1.0 };
        self.current = self.current.min(self.max_capacity);
    }

    /// The fill rate (`max_rate`).
    pub fn max_rate(&self) -> f64 {
        self.fill_rate
    }

    /// Tokens now (may be negative while callers wait).
    pub fn available(&self) -> f64 {
        self.current
    }

    /// `acquire(1)` at `t`: the wait in seconds before the request may be
    /// sent (0 if a token is there). The token is taken at once.
    pub fn acquire(&mut self, t: f64) -> f64 {
        self.refill(t);
        let wait = if self.current >= 1.0 {
            0.0
        } else {
            (1.0 - self.current) / self.fill_rate
        };
        self.current -= 1.0;
        wait
    }
}

/// The measured send rate of adaptive mode
/// (`BOTO:botocore/retries/adaptive.py` `RateClocker`): responses are counted
/// in 0.5 s buckets; when a new bucket starts, rate = count / elapsed, and
/// the measured rate = 0.8 × that + 0.2 × the previous value.
#[derive(Clone, Debug, PartialEq)]
pub struct RateClocker {
    measured: f64,
    last_bucket: f64,
    count: f64,
}

/// Smoothing of the measured rate (`_DEFAULT_SMOOTHING`).
pub const CLOCKER_SMOOTHING: f64 = 0.8;
/// Width of a measuring bucket, seconds (`_TIME_BUCKET_RANGE`).
pub const CLOCKER_BUCKET_S: f64 = 0.5;

impl RateClocker {
    /// Created at `t` (its first bucket starts at `floor(t)`).
    pub fn new(t: f64) -> Self {
        RateClocker {
            measured: 0.0,
            last_bucket: t.floor(),
            count: 0.0,
        }
    }

    /// `record()` at `t`: count one response; returns the measured rate.
    pub fn record(&mut self, t: f64) -> f64 {
        let scale = 1.0 / CLOCKER_BUCKET_S;
        let bucket = (t * scale).floor() / scale;
        self.count += 1.0;
        if bucket > self.last_bucket {
            let current = self.count / (bucket - self.last_bucket);
            self.measured = current * CLOCKER_SMOOTHING + self.measured * (1.0 - CLOCKER_SMOOTHING);
            self.count = 0.0;
            self.last_bucket = bucket;
        }
        self.measured
    }

    /// The measured rate.
    pub fn measured(&self) -> f64 {
        self.measured
    }
}

/// Adaptive mode's client rate limiter
/// (`BOTO:botocore/retries/adaptive.py` `ClientRateLimiter`): before each
/// attempt, once enabled, take a token from [`RateBucket`]; after each
/// response, measure the rate and move the bucket's rate along the CUBIC
/// curve (success) or cut it (throttle), never above twice the measured
/// rate. Enabled by the first throttling response.
#[derive(Clone, Debug, PartialEq)]
pub struct RateLimiter {
    cubic: Cubic,
    clocker: RateClocker,
    bucket: RateBucket,
    enabled: bool,
}

/// `_MAX_RATE_ADJUST_SCALE`: the bucket's rate never exceeds this times the
/// measured rate.
pub const MAX_RATE_ADJUST_SCALE: f64 = 2.0;

impl RateLimiter {
    /// `register_retry_handler` at `t`: CUBIC from 0, bucket rate 1.
    pub fn new(t: f64) -> Self {
        RateLimiter {
            cubic: Cubic::new(0.0, t),
            clocker: RateClocker::new(t),
            bucket: RateBucket::new(1.0, t),
            enabled: false,
        }
    }

    /// Whether a throttle has switched the limiter on.
    pub fn enabled(&self) -> bool {
        self.enabled
    }

    /// The send rate the bucket allows now.
    pub fn max_rate(&self) -> f64 {
        self.bucket.max_rate()
    }

    /// `on_sending_request` at `t`: the wait before the attempt may go out.
    pub fn before_send(&mut self, t: f64) -> f64 {
        if self.enabled {
            self.bucket.acquire(t)
        } else {
            0.0
        }
    }

    /// `on_receiving_response` at `t` (`throttled`: a throttling error).
    pub fn on_response(&mut self, t: f64, throttled: bool) {
        let measured = self.clocker.record(t);
        let new_rate = if !throttled {
            self.cubic.success_received(t)
        } else {
            let rate = if self.enabled {
                measured.min(self.bucket.max_rate())
            } else {
                measured
            };
            self.enabled = true;
            self.cubic.error_received(rate, t)
        };
        self.bucket
            .set_max_rate(new_rate.min(MAX_RATE_ADJUST_SCALE * measured), t);
    }
}

/// One SDK client's retry state (the quota, and the rate limiter in
/// adaptive mode). Legacy mode keeps none.
#[derive(Clone, Debug)]
pub struct Client {
    /// Retry quota (standard and adaptive).
    pub quota: RetryQuota,
    /// Rate limiter (adaptive only).
    pub limiter: Option<RateLimiter>,
}

impl Client {
    /// A fresh client in `mode`, created at `t` seconds.
    pub fn new(mode: RetryMode, t: f64) -> Self {
        Client {
            quota: RetryQuota::default(),
            limiter: (mode == RetryMode::Adaptive).then(|| RateLimiter::new(t)),
        }
    }
}

/// What the SDK does after a throttled attempt.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum AfterThrottle {
    /// Retry after this many seconds; `cost` = retry-quota tokens taken.
    Retry {
        /// Sleep before the next attempt, seconds.
        delay_s: f64,
        /// Quota tokens taken (0 in legacy mode).
        cost: u32,
    },
    /// Attempts used up: raise the error.
    MaxAttempts,
    /// The retry quota is empty: raise the error.
    QuotaExhausted,
}

/// Rule "needs retry" for a retryable throttling error
/// (`ProvisionedThroughputExceededException` and `ThrottlingException` are
/// retryable in every mode; aws-semantics.md §6.1): after attempt
/// `attempt` (1-based) of at most `max_attempts`, retry unless the attempts
/// are used up; in standard and adaptive mode a retry must also get its
/// tokens from the quota (checked after the attempt count, as
/// `RetryHandler.needs_retry` does). `u` is a U[0,1) draw for the jitter.
pub fn after_throttle(
    mode: RetryMode,
    attempt: u32,
    max_attempts: u32,
    quota: &mut RetryQuota,
    u: f64,
) -> AfterThrottle {
    if attempt >= max_attempts {
        return AfterThrottle::MaxAttempts;
    }
    let cost = match mode {
        RetryMode::Legacy => 0,
        RetryMode::Standard | RetryMode::Adaptive => match quota.acquire(false) {
            Some(c) => c,
            None => return AfterThrottle::QuotaExhausted,
        },
    };
    AfterThrottle::Retry {
        delay_s: retry_delay(mode, attempt, u),
        cost,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn we33_legacy_dynamodb_schedule() {
        // 10 attempts; sleeps after attempts 1–9 = 0.05 … 12.8 s, sum 25.55 s.
        assert_eq!(default_max_attempts(RetryMode::Legacy), 10);
        let want = [0.05, 0.1, 0.2, 0.4, 0.8, 1.6, 3.2, 6.4, 12.8];
        let got: Vec<f64> = (1..=9).map(legacy_dynamodb_delay).collect();
        for (g, w) in got.iter().zip(want) {
            assert!(close(*g, w), "{got:?}");
        }
        assert!(close(got.iter().sum::<f64>(), 25.55));
        // No jitter: the draw is ignored.
        assert_eq!(retry_delay(RetryMode::Legacy, 3, 0.0), 0.2);
        assert_eq!(retry_delay(RetryMode::Legacy, 3, 0.99), 0.2);
        // No sleep after attempt 10: the error is raised.
        let mut q = RetryQuota::default();
        let mut sleeps = Vec::new();
        for attempt in 1..=10 {
            match after_throttle(RetryMode::Legacy, attempt, 10, &mut q, 0.5) {
                AfterThrottle::Retry { delay_s, cost } => {
                    assert_eq!(cost, 0);
                    sleeps.push(delay_s);
                }
                AfterThrottle::MaxAttempts => assert_eq!(attempt, 10),
                AfterThrottle::QuotaExhausted => panic!("legacy has no quota"),
            }
        }
        assert_eq!(sleeps.len(), 9);
        assert!(close(sleeps.iter().sum::<f64>(), 25.55));
        // Legacy takes nothing from the quota.
        assert_eq!(q.available(), 500);
    }

    #[test]
    fn we34_legacy_default_schedule() {
        // Retry n sleeps U[0,1) × 2^(n−1): < 1, < 2, < 4, < 8 s; 5 attempts.
        assert_eq!(LEGACY_DEFAULT_MAX_ATTEMPTS, 5);
        for (n, bound) in [(1, 1.0), (2, 2.0), (3, 4.0), (4, 8.0)] {
            assert_eq!(legacy_default_delay(n, 0.0), 0.0);
            let just_below = legacy_default_delay(n, 1.0 - f64::EPSILON);
            assert!(just_below < bound && just_below > bound * 0.999);
            assert!(close(legacy_default_delay(n, 0.5), bound / 2.0));
        }
    }

    #[test]
    fn we35_standard_backoff_and_quota() {
        // U[0,1) × min(2^(n−1), 20), 3 attempts (2 retries) by default.
        assert_eq!(default_max_attempts(RetryMode::Standard), 3);
        assert_eq!(default_max_attempts(RetryMode::Adaptive), 3);
        assert!(close(standard_delay(1, 0.5), 0.5));
        assert!(close(standard_delay(2, 0.5), 1.0));
        assert!(close(standard_delay(5, 1.0), 16.0));
        assert!(close(standard_delay(6, 1.0), 20.0)); // 32 capped at 20
        assert!(close(standard_delay(40, 0.25), 5.0));
        // A fresh 500-token bucket allows 100 retries at 5 …
        let mut q = RetryQuota::default();
        let mut n = 0;
        while q.acquire(false).is_some() {
            n += 1;
        }
        assert_eq!(n, 100);
        // … or 50 timeout retries at 10.
        let mut q = RetryQuota::default();
        let mut n = 0;
        while q.acquire(true).is_some() {
            n += 1;
        }
        assert_eq!(n, 50);
        // Each first-try success restores 1 token.
        q.on_success(None);
        assert_eq!(q.available(), 1);
        q.on_success(None);
        assert_eq!(q.available(), 2);
        // A success after retries returns its last retry's cost.
        let mut q = RetryQuota::default();
        let c = q.acquire(false);
        assert_eq!(q.available(), 495);
        q.on_success(c);
        assert_eq!(q.available(), 500);
        // Never above capacity.
        q.on_success(None);
        assert_eq!(q.available(), 500);
        // smithy's test_bounded_permits_exhaustion: capacity 10, cost 5 → 2.
        let mut q = RetryQuota::new(10);
        assert!(q.acquire(false).is_some());
        assert!(q.acquire(false).is_some());
        assert!(q.acquire(false).is_none());
    }

    #[test]
    fn standard_stops_at_max_attempts_then_at_an_empty_quota() {
        let mut q = RetryQuota::default();
        assert!(matches!(
            after_throttle(RetryMode::Standard, 1, 3, &mut q, 0.5),
            AfterThrottle::Retry { cost: 5, .. }
        ));
        assert!(matches!(
            after_throttle(RetryMode::Standard, 2, 3, &mut q, 0.5),
            AfterThrottle::Retry { cost: 5, .. }
        ));
        assert_eq!(
            after_throttle(RetryMode::Standard, 3, 3, &mut q, 0.5),
            AfterThrottle::MaxAttempts
        );
        assert_eq!(q.available(), 490);
        let mut q = RetryQuota::new(4);
        assert_eq!(
            after_throttle(RetryMode::Standard, 1, 3, &mut q, 0.5),
            AfterThrottle::QuotaExhausted
        );
    }

    #[test]
    fn cubic_follows_botocore() {
        // From 0: K = 0, success rate at dt = 0.4 dt³.
        let c = Cubic::new(0.0, 0.0);
        assert!(close(c.success_received(2.0), 0.4 * 8.0));
        // A throttle at 10/s: new rate 7, W_max 10, K = ∛(10 × 0.3 / 0.4) = ∛7.5.
        let mut c = Cubic::new(0.0, 0.0);
        assert!(close(c.error_received(10.0, 5.0), 7.0));
        let (w, k, t) = c.params();
        assert_eq!((w, t), (10.0, 5.0));
        assert!(close(k, 7.5f64.cbrt()));
        // Back to W_max at t_fail + K; at t_fail the curve gives β × W_max.
        assert!(close(c.success_received(5.0 + k), 10.0));
        assert!(close(c.success_received(5.0), 7.0));
    }

    #[test]
    fn rate_bucket_follows_botocore() {
        // Rate 1, starts empty: the first acquire waits 1 s.
        let mut b = RateBucket::new(1.0, 0.0);
        assert!(close(b.acquire(0.0), 1.0));
        // Two concurrent callers are spaced by 1/rate.
        assert!(close(b.acquire(0.0), 2.0));
        // Minimum rate 0.5/s, capacity at least 1.
        let mut b = RateBucket::new(0.1, 0.0);
        assert_eq!(b.max_rate(), 0.5);
        assert!(close(b.acquire(10.0), 0.0)); // full after 2 s, capped at 1
        assert!(close(b.acquire(10.0), 2.0));
    }

    #[test]
    fn rate_clocker_smooths_over_half_second_buckets() {
        let mut c = RateClocker::new(0.0);
        // 5 responses in [0, 0.5): no new bucket yet.
        for i in 0..5 {
            assert_eq!(c.record(0.1 * i as f64), 0.0);
        }
        // The 6th, in bucket 0.5: rate 6 / 0.5 = 12, smoothed 0.8 × 12.
        assert!(close(c.record(0.6), 9.6));
    }

    #[test]
    fn adaptive_limiter_is_off_until_the_first_throttle() {
        let mut l = RateLimiter::new(0.0);
        assert_eq!(l.before_send(0.0), 0.0);
        l.on_response(0.1, false);
        assert!(!l.enabled());
        assert_eq!(l.before_send(0.2), 0.0);
        // Responses at 20/s for 2 s, then a throttle.
        let mut t = 0.2;
        while t < 2.2 {
            l.on_response(t, false);
            t += 0.05;
        }
        l.on_response(2.2, true);
        assert!(l.enabled());
        // New rate ≤ 0.7 × measured (~20/s) and ≤ 2 × measured.
        assert!(
            l.max_rate() > 5.0 && l.max_rate() < 15.0,
            "{}",
            l.max_rate()
        );
        // Sending now has to wait for tokens.
        let mut waits = 0.0;
        for _ in 0..10 {
            waits += l.before_send(2.2);
        }
        assert!(waits > 0.0);
    }
}
