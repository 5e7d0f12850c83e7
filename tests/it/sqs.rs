//! SQS queues and consumers, seen through the summary, the metrics, the
//! activity history and (for ordering) the world's message trace.
//!
//! Every test checks conservation on every queue: each message sent (or moved
//! in) is deleted, dead-lettered, expired, or still visible, in flight or
//! delayed at the end — exactly one of these.

use crate::util::{run, scenario};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use stratus::run::{RunResult, simulate};
use stratus::scenario::{LoadOptions, load_file};
use stratus::world::{SqsTrace, TraceKind, World};

const S: u64 = 1_000_000_000;

fn n(v: &Value, k: &str) -> u64 {
    v[k].as_u64()
        .unwrap_or_else(|| panic!("no integer {k} in {v}"))
}

fn assert_conserved(queues: &BTreeMap<String, Value>) {
    assert!(!queues.is_empty(), "no queue in the summary");
    for (name, q) in queues {
        let inflow = n(q, "sent") + n(q, "moved_in");
        let outflow = n(q, "deleted")
            + n(q, "dead_lettered")
            + n(q, "expired")
            + n(q, "visible_at_end")
            + n(q, "in_flight_at_end")
            + n(q, "delayed_at_end");
        assert_eq!(
            inflow, outflow,
            "queue {name} does not conserve messages: {q}"
        );
    }
}

/// Run with the summary checked for conservation.
fn run_q(yaml: &str) -> RunResult {
    let r = run(yaml);
    assert_conserved(&r.summary.queues);
    r
}

/// Run with the message trace on; returns the trace and the queues' summary.
fn traced(yaml: &str) -> (Vec<SqsTrace>, BTreeMap<String, Value>) {
    let sc = scenario(yaml);
    let mut w = World::new(&sc);
    w.sqs_trace_on();
    w.run(&mut |_| {});
    let summary = w.sqs_summary();
    assert_conserved(&summary);
    (w.sqs_trace().to_vec(), summary)
}

/// One message at t = 1 s (evenly spaced arrivals at 1/s for one second).
const ONE_MESSAGE: &str = r#"
workloads:
  - name: one
    to: { queue: jobs }
    arrivals: uniform
    rate: { pattern: step, steps: [ { at: 0s, rps: 1 }, { at: 1s, rps: 0 } ] }
"#;

// ----------------------------------------------------------- worked examples

#[test]
fn we_27_five_receives_then_the_dead_letter_queue() {
    // maxReceiveCount 5: a poison message (processing always fails) is
    // received 5 times, 30 s apart (the visibility timeout); the 6th receive
    // attempt, at 1 + 5 × 30 = 151 s, moves it and returns nothing.
    let yaml = format!(
        r#"
name: we27
duration: 5m
{ONE_MESSAGE}
queues:
  - name: jobs
    visibility_timeout: 30s
    redrive: {{ dead_letter_queue: jobs-dlq, max_receive_count: 5 }}
  - name: jobs-dlq
auto_scaling_groups:
  - name: workers
    availability_zones: [us-east-1a]
    min: 1
    max: 1
    consumer: {{ queue: jobs, threads: 1, wait_time: 20s, processing: 1s, failure_rate: 1.0 }}
"#
    );
    let r = run_q(&yaml);
    let q = &r.summary.queues["jobs"];
    assert_eq!(n(q, "sent"), 1);
    assert_eq!(n(q, "received"), 5);
    assert_eq!(n(q, "redelivered"), 4);
    assert_eq!(n(q, "dead_lettered"), 1);
    assert_eq!(n(q, "deleted"), 0);
    let d = &r.summary.queues["jobs-dlq"];
    assert_eq!(n(d, "moved_in"), 1);
    assert_eq!(n(d, "visible_at_end"), 1);
    assert_eq!(n(d, "sent"), 0, "a redrive move is not a send");
    let moves: Vec<_> = r
        .activities
        .iter()
        .filter(|a| a.kind() == "dlq_move")
        .collect();
    assert_eq!(moves.len(), 1);
    assert_eq!(moves[0].t, 151 * S);
    assert_eq!(moves[0].resource, "jobs");
    assert!(
        moves[0].description.contains("jobs-dlq"),
        "{}",
        moves[0].description
    );
    assert!(
        moves[0].details.contains("ApproximateReceiveCount 5") && moves[0].cause.contains("(5)"),
        "{} / {}",
        moves[0].cause,
        moves[0].details
    );
    // Receive counts 1..5, one receive each.
    let (trace, _) = traced(&yaml);
    let counts: Vec<u32> = trace
        .iter()
        .filter(|t| t.kind == TraceKind::Received)
        .map(|t| t.receive_count)
        .collect();
    assert_eq!(counts, vec![1, 2, 3, 4, 5]);
}

fn we_25(kind: &str) -> (u64, f64) {
    // A message spends 1 day in the source queue (received twice, 12 h
    // apart, never deleted; maxReceiveCount 2), then moves to a DLQ that
    // keeps messages 4 days.
    let yaml = format!(
        r#"
name: we25
duration: 6d
metrics_period: 1h
{ONE_MESSAGE}
queues:
  - name: jobs
    type: {kind}
    visibility_timeout: 12h
    redrive: {{ dead_letter_queue: jobs-dlq, max_receive_count: 2 }}
  - name: jobs-dlq
    type: {kind}
    message_retention: 4d
auto_scaling_groups:
  - name: workers
    availability_zones: [us-east-1a]
    min: 1
    max: 1
    consumer: {{ queue: jobs, threads: 1, wait_time: 20s, processing: 1s, failure_rate: 1.0 }}
"#
    );
    let r = run_q(&yaml);
    let d = &r.summary.queues["jobs-dlq"];
    assert_eq!(n(d, "moved_in"), 1);
    assert_eq!(n(d, "expired"), 1);
    // The move is at 1 s + 24 h; the DLQ's age counts from the move.
    (
        n(&r.summary.queues["jobs"], "dead_lettered"),
        d["max_age_s"].as_f64().unwrap(),
    )
}

#[test]
fn we_25_dead_letter_queue_retention_standard_vs_fifo() {
    // Standard keeps the original enqueue timestamp: gone 3 days after the
    // move. FIFO resets it: 4 days.
    assert_eq!(we_25("standard"), (1, 3.0 * 86_400.0));
    assert_eq!(we_25("fifo"), (1, 4.0 * 86_400.0));
}

const WE09: &str = r#"
name: we09
duration: 10m
workloads:
  # 1,510 messages in the first 1.51 s.
  - name: burst
    to: { queue: jobs }
    arrivals: uniform
    rate: { pattern: step, steps: [ { at: 0s, rps: 1000 }, { at: 1510ms, rps: 0 } ] }
queues:
  - { name: jobs, visibility_timeout: 12h }
auto_scaling_groups:
  - name: workers
    availability_zones: [us-east-1a, us-east-1b]
    min: 1
    max: 20
    desired: 10
    instance: { boot_time: 60s }
    # Each instance takes one message and works on it for an hour, so the
    # backlog holds still: 1,510 − 10 = 1,500 visible.
    consumer: { queue: jobs, threads: 1, batch: 1, wait_time: 20s, processing: 1h }
    scaling_policies:
      # Acceptable latency 10 s / 0.1 s per message = 100 per instance.
      - { name: backlog, type: target_tracking, metric: SQSBacklogPerInstance, target: 100 }
"#;

#[test]
fn we_09_backlog_per_instance_scales_ten_to_fifteen() {
    let r = run_q(WE09);
    let vis = r.series.get("jobs", "ApproximateNumberOfMessagesVisible");
    assert_eq!(vis[0].1, 1500.0, "{vis:?}");
    let scaling: Vec<_> = r
        .activities
        .iter()
        .filter(|a| a.kind() == "scaling")
        .collect();
    assert_eq!(scaling.len(), 1, "{scaling:#?}");
    assert_eq!(
        scaling[0].description,
        "Changing the desired capacity from 10 to 15"
    );
    assert!(scaling[0].cause.contains("SQS") || scaling[0].cause.contains("policy backlog"));
    // Backlog 1500 / 15 = 100 after the scale-out: no second step.
    let g = &r.summary.auto_scaling_groups["workers"];
    assert_eq!(g.max_in_service, 15);
    assert_eq!(g.launches, 15);
}

#[test]
fn a_step_policy_alarms_on_visible_messages_of_its_queue() {
    // The same backlog, a step policy on ApproximateNumberOfMessagesVisible
    // (queue dimension): the minute ending at 60 s (1,500 visible) is
    // published at 120 s and the alarm adds 2 instances.
    let yaml = WE09.replace(
        "      - { name: backlog, type: target_tracking, metric: SQSBacklogPerInstance, target: 100 }",
        r#"      - name: deep
        type: step
        adjustment_type: ChangeInCapacity
        alarm: { metric: ApproximateNumberOfMessagesVisible, queue: jobs, statistic: Average, comparison: ">=", threshold: 500, period: 1m, evaluation_periods: 1 }
        steps: [ { lower: 0, adjustment: 2 } ]"#,
    );
    assert_ne!(yaml, WE09);
    let r = run_q(&yaml);
    let first = r
        .activities
        .iter()
        .find(|a| a.kind() == "scaling")
        .expect("a scaling activity");
    assert_eq!(first.t, 120 * S);
    assert_eq!(
        first.description,
        "Changing the desired capacity from 10 to 12"
    );
    assert!(first.cause.contains("policy deep"), "{}", first.cause);
}

// ----------------------------------------------------- visibility timeouts

#[test]
fn visibility_longer_than_processing_means_no_redelivery_and_no_duplicate() {
    let r = run_q(
        r#"
name: vis-ok
duration: 30m
workloads:
  - { name: jobs, to: { queue: jobs }, rate: 40 }
queues:
  - { name: jobs, visibility_timeout: 30s }
auto_scaling_groups:
  - name: workers
    availability_zones: [us-east-1a, us-east-1b]
    min: 3
    max: 3
    consumer:
      queue: jobs
      threads: 8
      batch: 10
      wait_time: 20s
      processing: { dist: uniform, min: 100ms, max: 500ms }
"#,
    );
    let q = &r.summary.queues["jobs"];
    assert!(n(q, "sent") > 60_000);
    assert_eq!(n(q, "redelivered"), 0);
    assert_eq!(n(q, "duplicates_processed"), 0);
    assert_eq!(n(q, "received"), n(q, "deleted") + n(q, "in_flight_at_end"));
    assert!(!r.activities.iter().any(|a| a.kind() == "redelivery"));
}

/// Two threads, a visibility timeout of 30 s and 40 s of processing: the
/// message comes back while the first thread still works on it, the second
/// thread takes it, and the first thread's delete (an older receipt) does
/// not delete it while the second holds it. So it is received every 30 s and
/// never deleted: at 1, 31, 61, … s.
fn too_short(extra: &str) -> String {
    format!(
        r#"
name: vis-short
duration: 300s
{ONE_MESSAGE}
queues:
  - name: jobs
    visibility_timeout: 30s
{extra}
  - name: jobs-dlq
auto_scaling_groups:
  - name: workers
    availability_zones: [us-east-1a]
    min: 1
    max: 1
    consumer: {{ queue: jobs, threads: 2, wait_time: 20s, processing: 40s }}
"#
    )
}

#[test]
fn visibility_shorter_than_processing_redelivers_as_the_rules_imply() {
    let (trace, s) = traced(&too_short(""));
    let q = &s["jobs"];
    // Receives at 1 + 30k ≤ 300: k = 0..9.
    assert_eq!(n(q, "received"), 10);
    assert_eq!(n(q, "redelivered"), 9);
    // Every processing after the first is a duplicate.
    assert_eq!(n(q, "duplicates_processed"), 9);
    assert_eq!(n(q, "deleted"), 0);
    assert_eq!(n(q, "in_flight_at_end"), 1);
    let at: Vec<u64> = trace
        .iter()
        .filter(|t| t.kind == TraceKind::Received)
        .map(|t| t.t)
        .collect();
    let want: Vec<u64> = (0..10).map(|k| (1 + 30 * k) * S).collect();
    assert_eq!(at, want);
    // With maxReceiveCount 3 the 4th attempt, at 91 s, moves it.
    let (_, s) = traced(&too_short(
        "    redrive: { dead_letter_queue: jobs-dlq, max_receive_count: 3 }",
    ));
    let q = &s["jobs"];
    assert_eq!((n(q, "received"), n(q, "redelivered")), (3, 2));
    assert_eq!(n(q, "dead_lettered"), 1);
    assert_eq!(n(q, "duplicates_processed"), 2);
    assert_eq!(n(&s["jobs-dlq"], "moved_in"), 1);
}

/// One thread, messages every 60 s, 40 s of processing, visibility 30 s.
fn late_delete(kind: &str) -> String {
    format!(
        r#"
name: late-delete
duration: 299s
workloads:
  - {{ name: jobs, to: {{ queue: jobs }}, arrivals: uniform, rate: 0.0166666666666667 }}
queues:
  - {{ name: jobs, type: {kind}, visibility_timeout: 30s }}
auto_scaling_groups:
  - name: workers
    availability_zones: [us-east-1a]
    min: 1
    max: 1
    consumer: {{ queue: jobs, threads: 1, wait_time: 20s, processing: 40s }}
"#
    )
}

#[test]
fn a_late_delete_works_on_standard_and_fails_on_fifo() {
    // Standard: the message is visible again but nobody took it, so the late
    // delete deletes it. Messages at 60, 120, 180, 240 s: each received once.
    let r = run_q(&late_delete("standard"));
    let q = &r.summary.queues["jobs"];
    assert_eq!(n(q, "sent"), 4);
    assert_eq!((n(q, "received"), n(q, "redelivered")), (4, 0));
    assert_eq!(n(q, "deleted"), 4);
    // FIFO: a delete outside the visibility window fails, so the first
    // message is received again after each 40.01 s cycle (40 s of work, a
    // 5 ms delete, a 5 ms receive): at 60, 100.01, 140.02, 180.03, 220.04,
    // 260.05 s — and it holds its group, so no other message is served.
    let (trace, s) = traced(&late_delete("fifo"));
    let q = &s["jobs"];
    assert_eq!((n(q, "received"), n(q, "redelivered")), (6, 5));
    assert_eq!(n(q, "duplicates_processed"), 5);
    assert_eq!(n(q, "deleted"), 0);
    let received: Vec<u64> = trace
        .iter()
        .filter(|t| t.kind == TraceKind::Received)
        .map(|t| t.logical)
        .collect();
    assert!(received.iter().all(|&l| l == received[0]), "{received:?}");
    let deletes = trace
        .iter()
        .filter(|t| t.kind == TraceKind::Deleted(stratus::aws::sqs::DeleteOutcome::Failed))
        .count();
    assert_eq!(deletes, 5);
}

fn heartbeat(extend: bool) -> String {
    format!(
        r#"
name: heartbeat
duration: 20m
workloads:
  - {{ name: jobs, to: {{ queue: jobs }}, arrivals: uniform, rate: 0.1 }}
queues:
  - {{ name: jobs, visibility_timeout: 30s }}
auto_scaling_groups:
  - name: workers
    availability_zones: [us-east-1a]
    min: 2
    max: 2
    consumer: {{ queue: jobs, threads: 4, wait_time: 20s, processing: 50s, extend_visibility: {extend} }}
"#
    )
}

#[test]
fn the_heartbeat_keeps_long_work_invisible() {
    // 50 s of work, a 30 s timeout: without heartbeats messages come back
    // and are processed twice; ChangeMessageVisibility every 15 s fixes it.
    let r = run_q(&heartbeat(false));
    let q = &r.summary.queues["jobs"];
    assert!(n(q, "redelivered") > 50, "{q}");
    assert!(n(q, "duplicates_processed") > 50, "{q}");
    assert!(r.activities.iter().any(|a| a.kind() == "redelivery"));
    let r = run_q(&heartbeat(true));
    let q = &r.summary.queues["jobs"];
    assert_eq!(n(q, "redelivered"), 0, "{q}");
    assert_eq!(n(q, "duplicates_processed"), 0, "{q}");
    assert!(n(q, "deleted") >= 100);
    // The heartbeat calls are billed: sends + receives + deletes + beats.
    assert!(n(q, "requests") > n(q, "sent") + n(q, "received") + n(q, "deleted"));
}

// ------------------------------------------------------------ FIFO

fn ordering(kind: &str) -> String {
    format!(
        r#"
name: ordering
duration: 20m
workloads:
  - name: orders
    to: {{ queue: jobs }}
    rate: 30
    message_group: {{ dist: uniform, min: 1, max: 6 }}
queues:
  - {{ name: jobs, type: {kind}, visibility_timeout: 10s }}
auto_scaling_groups:
  - name: workers
    availability_zones: [us-east-1a, us-east-1b]
    min: 3
    max: 3
    consumer:
      queue: jobs
      threads: 4
      batch: 10
      wait_time: 20s
      processing: {{ dist: uniform, min: 50ms, max: 250ms }}
      failure_rate: 0.05
"#
    )
}

/// Per group: processing never overlaps, and a message starts only when
/// every earlier message of its group has been processed successfully.
/// Returns the number of violations.
fn order_violations(trace: &[SqsTrace]) -> usize {
    // Per group: its messages in send order, which are done, and how many
    // of the first ones are all done.
    let mut ids: HashMap<u64, Vec<u64>> = HashMap::new();
    for t in trace {
        ids.entry(t.group).or_default().push(t.logical);
    }
    for v in ids.values_mut() {
        v.sort();
        v.dedup();
    }
    let mut done: HashMap<u64, std::collections::HashSet<u64>> = HashMap::new();
    let mut prefix: HashMap<u64, usize> = HashMap::new();
    let mut running: HashMap<u64, u32> = HashMap::new();
    let mut bad = 0;
    for t in trace {
        match t.kind {
            TraceKind::Started => {
                let r = running.entry(t.group).or_default();
                if *r > 0 {
                    bad += 1;
                }
                *r += 1;
                let k = ids[&t.group].binary_search(&t.logical).expect("traced");
                if k > prefix.get(&t.group).copied().unwrap_or(0) {
                    bad += 1;
                }
            }
            TraceKind::Finished(ok) => {
                *running.entry(t.group).or_default() -= 1;
                if ok {
                    let d = done.entry(t.group).or_default();
                    d.insert(t.logical);
                    let p = prefix.entry(t.group).or_default();
                    let v = &ids[&t.group];
                    while *p < v.len() && d.contains(&v[*p]) {
                        *p += 1;
                    }
                }
            }
            _ => {}
        }
    }
    bad
}

#[test]
fn fifo_keeps_each_group_in_order_and_one_at_a_time() {
    let (trace, s) = traced(&ordering("fifo"));
    let q = &s["jobs"];
    assert!(n(q, "sent") > 30_000);
    assert!(n(q, "redelivered") > 100, "failures come back: {q}");
    assert_eq!(n(q, "duplicates_processed"), 0);
    assert_eq!(order_violations(&trace), 0);
    // SQS itself never has two messages of a group in flight for different
    // receives: within a group, receives of different batches alternate
    // with the previous batch's end.
    // The same traffic on a standard queue is processed out of order.
    let (trace, _) = traced(&ordering("standard"));
    assert!(order_violations(&trace) > 100);
}

#[test]
fn fifo_deduplicates_duplicate_sends_and_standard_processes_them_twice() {
    let yaml = |kind: &str| {
        format!(
            r#"
name: dedup
duration: 10m
workloads:
  - {{ name: p, to: {{ queue: jobs }}, rate: 20, duplicate_sends: 0.25,
      message_group: {{ dist: uniform, min: 1, max: 50 }} }}
queues:
  - {{ name: jobs, type: {kind} }}
auto_scaling_groups:
  - name: workers
    availability_zones: [us-east-1a]
    min: 2
    max: 2
    consumer: {{ queue: jobs, threads: 4, batch: 10, wait_time: 20s, processing: 20ms }}
"#
        )
    };
    let r = run_q(&yaml("fifo"));
    let q = &r.summary.queues["jobs"];
    let sent = n(q, "sent") as f64;
    let dedup = n(q, "deduplicated") as f64;
    assert!((dedup / sent - 0.25).abs() < 0.02, "{q}");
    assert_eq!(n(q, "duplicates_processed"), 0);
    assert_eq!(r.summary.requests.ok, r.summary.requests.total);
    let r = run_q(&yaml("standard"));
    let q = &r.summary.queues["jobs"];
    // Both copies are delivered: the one processed second is a duplicate.
    let dups = n(q, "duplicates_processed") as f64;
    let copies = n(q, "sent") as f64 - r.summary.requests.total as f64;
    assert!(copies > 2000.0);
    assert!(
        (dups - copies).abs() <= 10.0,
        "{dups} duplicates of {copies} copies"
    );
}

#[test]
fn fifo_throughput_limit_throttles_sends() {
    let r = run_q(
        r#"
name: fifo-tps
duration: 2m
workloads:
  - { name: p, to: { queue: jobs }, rate: 500, message_group: { dist: uniform, min: 1, max: 1000 } }
queues:
  - { name: jobs, type: fifo }
"#,
    );
    let q = &r.summary.queues["jobs"];
    // 300 sends per second at most; the rest is throttled.
    assert!(n(q, "sent") <= 300 * 120);
    assert!(n(q, "throttled") > 15_000);
    let t = r.summary.requests.errors.throttled;
    assert!(t <= n(q, "throttled") && t + 5 >= n(q, "throttled"));
}

// ------------------------------------------------------------ polling

fn polling(wait: &str) -> String {
    format!(
        r#"
name: polling
duration: 1h
workloads:
  - {{ name: p, to: {{ queue: jobs }}, rate: 2 }}
queues:
  - {{ name: jobs }}
auto_scaling_groups:
  - name: workers
    availability_zones: [us-east-1a]
    min: 2
    max: 2
    consumer: {{ queue: jobs, threads: 4, batch: 10, wait_time: {wait}, processing: 100ms }}
"#
    )
}

#[test]
fn short_polling_answers_empty_and_costs_more_than_long_polling() {
    let short = run_q(&polling("0s"));
    let long = run_q(&polling("20s"));
    let (s, l) = (&short.summary.queues["jobs"], &long.summary.queues["jobs"]);
    // 8 idle threads polling every 5 ms (short) versus once per 20 s at
    // most (long).
    assert!(n(s, "empty_receives") > 1_000_000, "{s}");
    assert!(n(l, "empty_receives") < 8 * 180, "{l}");
    assert!(s["cost_usd"].as_f64().unwrap() > 20.0 * l["cost_usd"].as_f64().unwrap());
    let empties = short.series.get("jobs", "NumberOfEmptyReceives");
    assert!(empties.iter().all(|p| p.1 > 0.0));
    // Both deliver everything; short polling later (a message waits for a
    // poll that samples it).
    assert_eq!(
        n(s, "sent"),
        n(s, "deleted") + n(s, "in_flight_at_end") + n(s, "visible_at_end")
    );
}

#[test]
fn the_in_flight_limit_caps_receives() {
    // 20 threads could hold 20 messages, the queue lets 10 be in flight:
    // short polls beyond get OverLimit, and NotVisible never passes 10.
    let r = run_q(
        r#"
name: in-flight
duration: 10m
workloads:
  - { name: p, to: { queue: jobs }, rate: 5 }
queues:
  - { name: jobs, in_flight_limit: 10, short_poll_sample: 1.0 }
auto_scaling_groups:
  - name: workers
    availability_zones: [us-east-1a]
    min: 2
    max: 2
    consumer: { queue: jobs, threads: 10, wait_time: 0s, processing: 10s }
"#,
    );
    let q = &r.summary.queues["jobs"];
    assert!(n(q, "over_limit") > 1000, "{q}");
    let nv = r
        .series
        .get("jobs", "ApproximateNumberOfMessagesNotVisible");
    assert!(nv.iter().all(|p| p.1 <= 10.0), "{nv:?}");
    assert!(nv.iter().skip(1).any(|p| p.1 == 10.0));
    // 10 in flight × 6 per minute < 5 per second: the backlog grows.
    assert!(n(q, "visible_at_end") > 2000);
}

// ------------------------------------------------------------ scaling in

#[test]
fn an_instance_leaving_mid_message_drops_it_until_its_timeout() {
    let r = run_q(
        r#"
name: drop
duration: 20m
workloads:
  - { name: p, to: { queue: jobs }, rate: 5 }
queues:
  - { name: jobs, visibility_timeout: 2m }
auto_scaling_groups:
  - name: workers
    availability_zones: [us-east-1a]
    min: 1
    max: 4
    desired: 4
    consumer: { queue: jobs, threads: 4, wait_time: 20s, processing: { dist: uniform, min: 1s, max: 3s } }
    scheduled_actions:
      - { name: down, at: 10m, desired: 1 }
"#,
    );
    let q = &r.summary.queues["jobs"];
    // The three terminated instances held up to 12 messages: they come back
    // after 2 minutes and are received again; nothing was processed twice
    // (the work was cut off).
    assert!(n(q, "redelivered") > 0 && n(q, "redelivered") <= 12, "{q}");
    assert_eq!(n(q, "duplicates_processed"), 0);
    assert_eq!(r.summary.auto_scaling_groups["workers"].terminations, 3);
}

// ------------------------------------------------------------ lifetimes

#[test]
fn retention_expires_and_delay_holds_messages() {
    let r = run_q(
        r#"
name: retention
duration: 10m
workloads:
  - { name: p, to: { queue: old }, arrivals: uniform, rate: 1 }
  - { name: d, to: { queue: later }, arrivals: uniform, rate: 1 }
queues:
  - { name: old, message_retention: 60s }
  - { name: later, delay: 30s }
"#,
    );
    let o = &r.summary.queues["old"];
    // Sent at 1..600 s; those sent up to 540 s have expired by 600 s.
    assert_eq!(n(o, "sent"), 600);
    assert_eq!(n(o, "expired"), 540);
    assert_eq!(n(o, "visible_at_end"), 60);
    assert_eq!(o["max_age_s"].as_f64(), Some(60.0));
    let l = &r.summary.queues["later"];
    // The last 30 s of sends are still delayed (571..600 s, and 570 s
    // becomes visible exactly at the end).
    assert_eq!(n(l, "delayed_at_end"), 30);
    assert_eq!(n(l, "visible_at_end"), 570);
    let delayed = r.series.get("later", "ApproximateNumberOfMessagesDelayed");
    assert!(
        delayed.iter().skip(1).all(|p| p.1 == 30.0 || p.1 == 31.0),
        "{delayed:?}"
    );
    let age = r.series.get("old", "ApproximateAgeOfOldestMessage");
    assert!(
        age.iter().skip(1).all(|p| p.1 == 59.0 || p.1 == 60.0),
        "{age:?}"
    );
}

#[test]
fn oversized_messages_are_refused_and_app_steps_send() {
    let r = run_q(
        r#"
name: app-send
duration: 5m
workloads:
  - { name: web, to: { load_balancer: web }, rate: 50 }
  - { name: big, to: { queue: jobs }, rate: 5, message_size: 2MB }
load_balancers:
  - { name: web, target_group: web }
queues:
  - { name: jobs, maximum_message_size: 256KB }
auto_scaling_groups:
  - name: web
    availability_zones: [us-east-1a]
    min: 2
    max: 2
    app:
      - compute: 10ms
      - sqs_send: { queue: jobs, message_size: 100KB }
      - compute: 5ms
"#,
    );
    let q = &r.summary.queues["jobs"];
    let e = &r.summary.requests.errors;
    // Every big message is refused (a 5xx of the target here)…
    assert!(n(q, "rejected") > 1000);
    assert_eq!(e.target_5xx, n(q, "rejected"));
    // …and every web request sent one 100 KB message (2 requests each); a
    // request in flight at the end may not have reached its send yet.
    let ok = r.summary.requests.ok;
    let sent = n(q, "sent");
    assert!(sent >= ok && sent <= ok + r.summary.requests.in_flight_at_end);
    assert!(n(q, "requests") >= 2 * n(q, "sent"));
    // Latency: 10 + 5 ms of work plus the 5 ms SendMessage.
    assert!((r.summary.requests.latency_ms.p50 - 20.0).abs() < 0.5);
}

#[test]
fn queue_metrics_have_cloudwatch_names() {
    let r = run_q(&polling("20s"));
    for m in [
        "ApproximateNumberOfMessagesVisible",
        "ApproximateNumberOfMessagesNotVisible",
        "ApproximateNumberOfMessagesDelayed",
        "ApproximateAgeOfOldestMessage",
        "NumberOfMessagesSent",
        "NumberOfMessagesReceived",
        "NumberOfMessagesDeleted",
        "NumberOfEmptyReceives",
    ] {
        assert_eq!(r.series.get("jobs", m).len(), 60, "{m}");
    }
    let sent: f64 = r
        .series
        .get("jobs", "NumberOfMessagesSent")
        .iter()
        .map(|p| p.1)
        .sum();
    assert_eq!(sent as u64, n(&r.summary.queues["jobs"], "sent"));
}

#[test]
fn same_seed_same_queue_results() {
    let a = run_q(&ordering("fifo"));
    let b = run_q(&ordering("fifo"));
    assert_eq!(a.summary.queues, b.summary.queues);
    assert_eq!(a.series.to_csv(), b.series.to_csv());
    assert_eq!(a.activities.len(), b.activities.len());
    let c = run_q(&ordering("fifo").replace("name: ordering", "name: ordering\nseed: 2"));
    assert_ne!(a.summary.queues, c.summary.queues);
}

// ------------------------------------------------------------ lesson files

fn lesson(file: &str, variant: Option<&str>) -> RunResult {
    let opts = LoadOptions {
        variant: variant.map(str::to_string),
        ..LoadOptions::default()
    };
    let sc = load_file(std::path::Path::new(file), &opts).expect("valid scenario");
    let r = simulate(&sc, variant, &mut |_| {});
    assert_conserved(&r.summary.queues);
    r
}

#[test]
fn scaling_on_backlog_per_instance_beats_scaling_on_cpu() {
    let cpu = lesson("scenarios/sqs-backlog-scaling.yaml", Some("cpu"));
    let backlog = lesson("scenarios/sqs-backlog-scaling.yaml", None);
    // I/O-bound consumers: CPU stays low while the backlog grows, so the CPU
    // policy never scales out.
    let cpu_pct = cpu.series.get("workers", "CPUUtilization");
    assert!(cpu_pct.iter().all(|p| p.1 < 45.0), "{cpu_pct:?}");
    assert_eq!(cpu.summary.auto_scaling_groups["workers"].max_in_service, 2);
    let (c, b) = (&cpu.summary.queues["jobs"], &backlog.summary.queues["jobs"]);
    assert!(c["max_age_s"].as_f64() > Some(10.0 * b["max_age_s"].as_f64().unwrap()));
    assert!(backlog.summary.auto_scaling_groups["workers"].max_in_service > 4);
}

#[test]
fn visibility_lesson_duplicates_then_heartbeat_fix() {
    let base = lesson("scenarios/sqs-visibility-timeout.yaml", None);
    let fix = lesson("scenarios/sqs-visibility-timeout.yaml", Some("heartbeat"));
    let (b, f) = (&base.summary.queues["jobs"], &fix.summary.queues["jobs"]);
    assert!(n(b, "duplicates_processed") > 100);
    assert!(n(b, "dead_lettered") > 10);
    assert_eq!(n(f, "duplicates_processed"), 0);
    assert_eq!(n(f, "dead_lettered"), 0);
}
