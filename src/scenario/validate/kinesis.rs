//! Checks of the `streams` section and of the workloads that target
//! streams. AWS's limits come from [`crate::aws::kinesis`]
//! (`esm_problems`, `update_shard_count_problem`); this adds references.

use super::{Checker, FieldPath, Scenario};
use crate::aws::kinesis as rules;
use crate::scenario::CapacityMode;

pub(super) fn check(
    c: &mut Checker,
    s: &Scenario,
    streams: &[&str],
    functions: &[&str],
    queues: &[&str],
) {
    let top = FieldPath::root();
    for (i, w) in s.workloads.iter().enumerate() {
        if let Some(t) = &w.to.stream {
            let to = top.key("workloads").item(Some(&w.name), i).key("to");
            c.reference(to.key("stream"), "stream", t, streams);
        }
    }
    for (i, st) in s.streams.iter().enumerate() {
        let p = top.key("streams").item(Some(&st.name), i);
        let initial = match st.capacity_mode {
            CapacityMode::Provisioned => st.shards.unwrap_or(1),
            CapacityMode::OnDemand => {
                if st.shards.is_some() {
                    c.bad(
                        p.key("shards"),
                        "an on_demand stream manages its own shards: omit `shards`",
                    );
                }
                rules::ON_DEMAND_INITIAL_SHARDS
            }
        };
        if initial == 0 || initial > rules::MAX_SHARDS_PER_STREAM {
            c.bad(
                p.key("shards"),
                format!(
                    "shards must be 1 to {}, found {initial}",
                    rules::MAX_SHARDS_PER_STREAM
                ),
            );
        }
        if let Some(sz) = st.record_size
            && (sz.0 == 0 || sz.0 > rules::MAX_RECORD_BYTES)
        {
            c.bad(
                p.key("record_size"),
                "record_size must be more than 0B and at most 1MB",
            );
        }
        let r = st.retention.as_secs_f64() / 3600.0;
        if !(rules::DEFAULT_RETENTION_H as f64..=rules::MAX_RETENTION_H as f64).contains(&r) {
            c.bad(
                p.key("retention"),
                format!(
                    "retention must be {}h to {}h, found {r}h",
                    rules::DEFAULT_RETENTION_H,
                    rules::MAX_RETENTION_H
                ),
            );
        }
        if st.producer.max_attempts == 0 {
            c.bad(
                p.key("producer").key("max_attempts"),
                "max_attempts counts the first attempt: at least 1",
            );
        }
        for (j, cons) in st.consumers.iter().enumerate() {
            let cp = p.key("consumers").item(None, j);
            c.reference(cp.key("function"), "function", &cons.function, functions);
            c.all(
                &cp,
                rules::esm_problems(
                    cons.batch_size,
                    cons.maximum_batching_window.as_secs_f64(),
                    cons.parallelization_factor,
                    cons.maximum_retry_attempts,
                    cons.maximum_record_age.map(|d| d.as_secs_f64()),
                ),
            );
            c.fraction(cp.key("poison_rate"), "poison_rate", cons.poison_rate);
            if let Some(d) = &cons.on_failure {
                c.reference(cp.key("on_failure").key("queue"), "queue", &d.queue, queues);
            }
        }
        // UpdateShardCount calls in time order, each within the limits of
        // the count the one before leaves.
        if !st.update_shard_count.is_empty() && st.capacity_mode == CapacityMode::OnDemand {
            c.bad(
                p.key("update_shard_count"),
                "UpdateShardCount is only supported for streams in provisioned mode",
            );
        }
        let mut order: Vec<usize> = (0..st.update_shard_count.len()).collect();
        order.sort_by_key(|&j| st.update_shard_count[j].at.0);
        let mut current = initial.max(1);
        let mut times: Vec<u64> = Vec::new();
        for j in order {
            let u = &st.update_shard_count[j];
            let day = 24 * 3600 * 1_000_000_000u64;
            let recent = times
                .iter()
                .filter(|&&t| u.at.0.saturating_sub(t) < day)
                .count() as u32;
            if let Some(m) =
                rules::update_shard_count_problem(current, u.target_shard_count, recent)
            {
                c.bad(
                    p.key("update_shard_count")
                        .item(None, j)
                        .key("target_shard_count"),
                    m,
                );
            } else {
                current = u.target_shard_count;
            }
            times.push(u.at.0);
        }
    }
}
