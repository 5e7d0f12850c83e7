//! Amazon SNS as pure rules: subscription filter policies on message
//! attributes, the delivery retry policy of AWS-managed endpoints, and
//! prices. `SNS:<page>` is `https://docs.aws.amazon.com/sns/latest/dg/<page>.html`.
//!
//! | Rule | Where | Citation | Grade |
//! |---|---|---|---|
//! | A filter policy matches when every attribute it names has one of its values (AND across keys, OR within a key); a message without the attribute does not match | [`matches`] | `SNS:sns-subscription-filter-policies`, `SNS:attribute-key-matching` | DOC (exact string values only) |
//! | No filter policy: every message | [`matches`] | same | DOC |
//! | Delivery to SQS and Lambda (AWS-managed endpoints): 100,015 attempts over 23 days | [`MANAGED_ENDPOINT_ATTEMPTS`] | `SNS:sns-message-delivery-retries` | DOC |
//! | Price: $0.50 per million publishes (64 KB chunks); deliveries to SQS and Lambda free | [`publish_cost`] | aws.amazon.com/sns/pricing | DOC |
//! | HTTP/S default delivery policy: 3 retries, 20 s apart (minDelayTarget = maxDelayTarget = 20 s, linear backoff, no immediate, pre- or post-backoff retries) | [`HttpDeliveryPolicy::DEFAULT`] | `SNS:SendMessageToHttp.retry`, `SNS:sns-message-delivery-retries` | DOC |
//! | The four phases: immediate (no delay), pre-backoff (minDelayTarget apart), backoff (from minDelayTarget to maxDelayTarget, linear or exponential), post-backoff (maxDelayTarget apart) | [`http_retry_delay_s`] | `SNS:sns-message-delivery-retries` ("Delivery policy stages") | DOC (phases); the backoff curves are only drawn (a graph): ours reach maxDelayTarget at the last backoff retry; no jitter |
//! | An HTTP/S policy: numRetries 0–100, minDelayTarget ≥ 1 s and ≤ maxDelayTarget, maxDelayTarget ≤ 3,600 s, the phases within numRetries, the total retry time ≤ 3,600 s (a hard limit) | [`http_policy_problem`], [`http_total_retry_time_s`] | `SNS:sns-message-delivery-retries` (Creating an HTTP/S delivery policy; "cannot be greater than 3,600 seconds") | DOC |
//! | A 2xx is delivered; a 5xx (or a timeout, no connection) is a server-side error, retried; any other status is a client-side error, not retried | [`classify_http_status`] | `SNS:sns-dead-letter-queues` ("Why do message deliveries fail?") | DOC |
//! | Retries exhausted or a client-side error: to the subscription's dead-letter queue (RedrivePolicy), else discarded; a DLQ that refuses the message loses it (NumberOfNotificationsFailedToRedriveToDlq) | [`final_fate`] | `SNS:sns-dead-letter-queues`, `SNS:sns-monitoring-using-cloudwatch` | DOC |
//! | NumberOfNotificationsFailed counts every failed HTTP/S attempt (retries included), but once per message for SQS and Lambda | [`failed_metric_increment`] | `SNS:sns-monitoring-using-cloudwatch` | DOC |

/// Attempts SNS makes to deliver to an AWS-managed endpoint (SQS, Lambda):
/// 3 immediate, 2 at 1 s, 10 backing off from 1 to 20 s, 100,000 at 20 s.
pub const MANAGED_ENDPOINT_ATTEMPTS: u32 = 3 + 2 + 10 + 100_000;

/// How the backoff phase of an HTTP/S delivery policy spaces its retries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backoff {
    /// From minDelayTarget to maxDelayTarget in equal steps (the default).
    Linear,
    /// From minDelayTarget to maxDelayTarget by a constant factor.
    Exponential,
}

/// An HTTP/S subscription's `healthyRetryPolicy` (seconds).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct HttpDeliveryPolicy {
    /// Retries after the first attempt, all phases (`numRetries`).
    pub num_retries: u32,
    /// Immediate retries (`numNoDelayRetries`).
    pub num_no_delay_retries: u32,
    /// Pre-backoff retries, minDelayTarget apart (`numMinDelayRetries`).
    pub num_min_delay_retries: u32,
    /// Post-backoff retries, maxDelayTarget apart (`numMaxDelayRetries`).
    pub num_max_delay_retries: u32,
    /// `minDelayTarget`, s.
    pub min_delay_target_s: u32,
    /// `maxDelayTarget`, s.
    pub max_delay_target_s: u32,
    /// `backoffFunction`.
    pub backoff: Backoff,
}

impl HttpDeliveryPolicy {
    /// Rule "HTTP/S default delivery policy": "up to three retries with a
    /// delay between failed attempts set at 20 seconds"
    /// (`SNS:SendMessageToHttp.retry`).
    pub const DEFAULT: HttpDeliveryPolicy = HttpDeliveryPolicy {
        num_retries: 3,
        num_no_delay_retries: 0,
        num_min_delay_retries: 0,
        num_max_delay_retries: 0,
        min_delay_target_s: 20,
        max_delay_target_s: 20,
        backoff: Backoff::Linear,
    };
}

/// Largest `numRetries` of an HTTP/S policy.
pub const MAX_HTTP_RETRIES: u32 = 100;
/// Largest `maxDelayTarget`, and the hard limit on the total retry time, s.
pub const MAX_HTTP_RETRY_TIME_S: u32 = 3600;

/// Rule "delivery policy phases": the delay (s) before retry `retry`
/// (1-based) of an HTTP/S delivery, or `None` when the policy is exhausted.
pub fn http_retry_delay_s(p: &HttpDeliveryPolicy, retry: u32) -> Option<f64> {
    if retry == 0 || retry > p.num_retries {
        return None;
    }
    let (min, max) = (p.min_delay_target_s as f64, p.max_delay_target_s as f64);
    let backoff = p
        .num_retries
        .saturating_sub(p.num_no_delay_retries + p.num_min_delay_retries + p.num_max_delay_retries);
    let mut k = retry;
    if k <= p.num_no_delay_retries {
        return Some(0.0);
    }
    k -= p.num_no_delay_retries;
    if k <= p.num_min_delay_retries {
        return Some(min);
    }
    k -= p.num_min_delay_retries;
    if k <= backoff {
        let x = k as f64 / backoff as f64;
        return Some(match p.backoff {
            Backoff::Linear => min + (max - min) * x,
            Backoff::Exponential => min * (max / min).powf(x),
        });
    }
    Some(max)
}

/// The total retry time of an HTTP/S policy, s (the sum of its delays).
pub fn http_total_retry_time_s(p: &HttpDeliveryPolicy) -> f64 {
    (1..=p.num_retries)
        .map(|r| http_retry_delay_s(p, r).unwrap_or(0.0))
        .sum()
}

/// Rule "HTTP/S policy limits": what is wrong with `p`, if anything.
pub fn http_policy_problem(p: &HttpDeliveryPolicy) -> Option<String> {
    if p.num_retries > MAX_HTTP_RETRIES {
        return Some(format!(
            "numRetries must be between 0 and {MAX_HTTP_RETRIES}, found {}",
            p.num_retries
        ));
    }
    if p.min_delay_target_s < 1 {
        return Some("minDelayTarget must be at least 1s".into());
    }
    if p.min_delay_target_s > p.max_delay_target_s {
        return Some(format!(
            "minDelayTarget ({}s) cannot exceed maxDelayTarget ({}s)",
            p.min_delay_target_s, p.max_delay_target_s
        ));
    }
    if p.max_delay_target_s > MAX_HTTP_RETRY_TIME_S {
        return Some(format!(
            "maxDelayTarget must be at most {MAX_HTTP_RETRY_TIME_S}s, found {}s",
            p.max_delay_target_s
        ));
    }
    let phases = p.num_no_delay_retries + p.num_min_delay_retries + p.num_max_delay_retries;
    if phases > p.num_retries {
        return Some(format!(
            "numNoDelayRetries + numMinDelayRetries + numMaxDelayRetries ({phases}) cannot exceed numRetries ({})",
            p.num_retries
        ));
    }
    let total = http_total_retry_time_s(p);
    if total > MAX_HTTP_RETRY_TIME_S as f64 {
        return Some(format!(
            "the policy's total retry time ({total:.0}s) cannot be greater than {MAX_HTTP_RETRY_TIME_S}s (a hard limit)"
        ));
    }
    None
}

/// What an HTTP/S delivery attempt's answer means to SNS.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HttpResult {
    /// 2xx: delivered.
    Delivered,
    /// 5xx, a timeout or no connection: retried per the policy.
    ServerError,
    /// Anything else (4xx): not retried.
    ClientError,
}

/// Rule "which answers are retried": an HTTP status (`None`: a timeout or
/// no connection at all).
pub fn classify_http_status(status: Option<u16>) -> HttpResult {
    match status {
        Some(200..=299) => HttpResult::Delivered,
        Some(500..=599) | None => HttpResult::ServerError,
        Some(_) => HttpResult::ClientError,
    }
}

/// How an undeliverable notification ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fate {
    /// No dead-letter queue: discarded.
    Discarded,
    /// Sent to the dead-letter queue (NumberOfNotificationsRedrivenToDlq).
    Redriven,
    /// The dead-letter queue refused it: lost
    /// (NumberOfNotificationsFailedToRedriveToDlq).
    FailedToRedrive,
}

/// Rule "redrive policy": `dlq` is `None` without a dead-letter queue, or
/// whether the queue accepted the message.
pub fn final_fate(dlq: Option<bool>) -> Fate {
    match dlq {
        None => Fate::Discarded,
        Some(true) => Fate::Redriven,
        Some(false) => Fate::FailedToRedrive,
    }
}

/// Rule "NumberOfNotificationsFailed": how much one failed attempt adds —
/// every HTTP/S attempt counts; for other protocols only the attempt after
/// which SNS stops (`last`).
pub fn failed_metric_increment(http: bool, last: bool) -> u64 {
    u64::from(http || last)
}

/// Bytes of one billed publish chunk.
pub const PUBLISH_CHUNK: u64 = 64 * 1024;

/// Rule "filter policy": `policy` lists, per attribute name, the accepted
/// values; `attrs` are the message's (name, value) pairs.
pub fn matches(policy: &[(String, Vec<String>)], attrs: &[(String, String)]) -> bool {
    policy.iter().all(|(k, vals)| {
        attrs
            .iter()
            .any(|(name, v)| name == k && vals.iter().any(|x| x == v))
    })
}

/// Price of `n` publishes of `size` bytes each (each 64 KB chunk bills as
/// one request).
pub fn publish_cost(n: u64, size: u64) -> f64 {
    let chunks = size.div_ceil(PUBLISH_CHUNK).max(1);
    (n * chunks) as f64 * 0.50 / 1e6
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(x: &str) -> String {
        x.to_string()
    }

    #[test]
    fn filter_policy_and_across_keys_or_within() {
        let p = vec![
            (s("type"), vec![s("image"), s("video")]),
            (s("region"), vec![s("eu")]),
        ];
        assert!(matches(
            &p,
            &[(s("type"), s("video")), (s("region"), s("eu"))]
        ));
        assert!(!matches(
            &p,
            &[(s("type"), s("text")), (s("region"), s("eu"))]
        ));
        // Missing attribute: no match.
        assert!(!matches(&p, &[(s("type"), s("image"))]));
        // No policy: everything.
        assert!(matches(&[], &[]));
    }

    #[test]
    fn http_default_policy_is_three_retries_20_s_apart() {
        let p = HttpDeliveryPolicy::DEFAULT;
        let d: Vec<_> = (1..=4).map(|r| http_retry_delay_s(&p, r)).collect();
        assert_eq!(d, vec![Some(20.0), Some(20.0), Some(20.0), None]);
        assert_eq!(http_total_retry_time_s(&p), 60.0);
        assert_eq!(http_policy_problem(&p), None);
    }

    #[test]
    fn http_policy_phases_and_limits() {
        // AWS's example policy shape: 2 immediate, 3 at 5 s, backoff to
        // 600 s, 5 at 600 s (numRetries 15: 5 backoff retries).
        let p = HttpDeliveryPolicy {
            num_retries: 15,
            num_no_delay_retries: 2,
            num_min_delay_retries: 3,
            num_max_delay_retries: 5,
            min_delay_target_s: 5,
            max_delay_target_s: 600,
            backoff: Backoff::Exponential,
        };
        assert_eq!(http_retry_delay_s(&p, 1), Some(0.0));
        assert_eq!(http_retry_delay_s(&p, 3), Some(5.0));
        assert_eq!(http_retry_delay_s(&p, 5), Some(5.0));
        let b: Vec<f64> = (6..=10)
            .map(|r| http_retry_delay_s(&p, r).unwrap())
            .collect();
        assert!(b.windows(2).all(|w| w[0] < w[1]), "{b:?}");
        assert!((b[4] - 600.0).abs() < 1e-9);
        assert_eq!(http_retry_delay_s(&p, 15), Some(600.0));
        assert_eq!(http_retry_delay_s(&p, 16), None);
        // 5 × 600 s post-backoff alone exceed the 3,600 s hard limit.
        assert!(http_policy_problem(&p).unwrap().contains("3600s"));
        let bad = |f: fn(&mut HttpDeliveryPolicy)| {
            let mut q = HttpDeliveryPolicy::DEFAULT;
            f(&mut q);
            http_policy_problem(&q)
        };
        assert!(bad(|q| q.num_retries = 101).is_some());
        assert_eq!(bad(|q| q.num_retries = 100), None, "100 × 20 s = 2,000 s");
        assert!(
            bad(|q| {
                q.num_retries = 100;
                q.min_delay_target_s = 40;
                q.max_delay_target_s = 40;
            })
            .unwrap()
            .contains("total retry time (4000s)")
        );
        assert!(bad(|q| q.min_delay_target_s = 0).is_some());
        assert!(bad(|q| q.max_delay_target_s = 10).is_some());
        assert!(bad(|q| q.max_delay_target_s = 3601).is_some());
        assert!(bad(|q| q.num_no_delay_retries = 4).is_some());
        assert_eq!(
            bad(|q| {
                q.num_retries = 100;
                q.num_no_delay_retries = 100;
            }),
            None
        );
    }

    #[test]
    fn http_answers_fates_and_the_failed_metric() {
        assert_eq!(classify_http_status(Some(200)), HttpResult::Delivered);
        assert_eq!(classify_http_status(Some(503)), HttpResult::ServerError);
        assert_eq!(classify_http_status(None), HttpResult::ServerError);
        assert_eq!(classify_http_status(Some(403)), HttpResult::ClientError);
        assert_eq!(final_fate(None), Fate::Discarded);
        assert_eq!(final_fate(Some(true)), Fate::Redriven);
        assert_eq!(final_fate(Some(false)), Fate::FailedToRedrive);
        // HTTP: every failed attempt; SQS/Lambda: once, when SNS stops.
        assert_eq!(failed_metric_increment(true, false), 1);
        assert_eq!(failed_metric_increment(false, false), 0);
        assert_eq!(failed_metric_increment(false, true), 1);
    }

    #[test]
    fn retry_policy_and_prices() {
        assert_eq!(MANAGED_ENDPOINT_ATTEMPTS, 100_015);
        assert!((publish_cost(1_000_000, 1024) - 0.50).abs() < 1e-12);
        // A 100 KB message bills as two publishes.
        assert!((publish_cost(1_000_000, 100 * 1024) - 1.00).abs() < 1e-12);
    }
}
