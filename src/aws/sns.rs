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

/// Attempts SNS makes to deliver to an AWS-managed endpoint (SQS, Lambda):
/// 3 immediate, 2 at 1 s, 10 backing off from 1 to 20 s, 100,000 at 20 s.
pub const MANAGED_ENDPOINT_ATTEMPTS: u32 = 3 + 2 + 10 + 100_000;

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
    fn retry_policy_and_prices() {
        assert_eq!(MANAGED_ENDPOINT_ATTEMPTS, 100_015);
        assert!((publish_cost(1_000_000, 1024) - 0.50).abs() < 1e-12);
        // A 100 KB message bills as two publishes.
        assert!((publish_cost(1_000_000, 100 * 1024) - 1.00).abs() < 1e-12);
    }
}
