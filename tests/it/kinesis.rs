//! Kinesis Data Streams through whole runs: records land on the shard the
//! MD5 of their partition key picks, a shard accepts at most 1,000 records
//! a second, producers retry and give up, every record ends exactly once
//! (per consumer: processed, failed, expired or still pending; per
//! producer: accepted, given up or still retrying), UpdateShardCount keeps
//! its limits and timing, on-demand streams grow, the Lambda event source
//! keeps one batch per shard × parallelization factor, retries, bisects and
//! discards as configured, runs are deterministic, and the
//! `kinesis-hot-shard` lesson holds for seeds 1–10. The pure rules have
//! unit tests with AWS's numbers in `src/aws/kinesis.rs`.

use crate::util::run;
use stratus::aws::kinesis as rules;
use stratus::run::RunResult;

fn st<'a>(r: &'a RunResult, s: &str) -> &'a serde_json::Value {
    &r.summary.streams[s]
}

fn n(v: &serde_json::Value, k: &str) -> u64 {
    v[k].as_u64().unwrap_or_else(|| panic!("no {k} in {v}"))
}

fn consumer<'a>(r: &'a RunResult, s: &str, f: &str) -> &'a serde_json::Value {
    st(r, s)["consumers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["function"] == f)
        .unwrap_or_else(|| panic!("no consumer {f}"))
}

fn shard<'a>(r: &'a RunResult, s: &str, id: u32) -> &'a serde_json::Value {
    let name = format!("shardId-{id:012}");
    st(r, s)["shards"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["shard_id"] == name.as_str())
        .unwrap_or_else(|| panic!("no {name}"))
}

/// Every record ends once: for the producers (accepted, given up, still
/// retrying) and for each consumer (processed, failed, expired, pending);
/// each workload request once (ok, throttled, or in flight).
fn conserved(r: &RunResult) {
    for (name, v) in &r.summary.streams {
        assert_eq!(
            n(v, "records_put"),
            n(v, "records_accepted") + n(v, "put_failed") + n(v, "put_in_retry_at_end"),
            "{name}: {v}"
        );
        let per_shard: u64 = v["shards"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| n(s, "records"))
            .sum();
        assert_eq!(per_shard, n(v, "records_accepted"), "{name}");
        let thr: u64 = v["shards"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| n(s, "write_throttles"))
            .sum();
        assert_eq!(thr, n(v, "write_throttles"), "{name}");
        for c in v["consumers"].as_array().unwrap() {
            assert_eq!(
                n(v, "records_accepted"),
                n(c, "processed") + n(c, "failed") + n(c, "expired") + n(c, "pending_at_end"),
                "{name}: {c}"
            );
        }
    }
    let q = &r.summary.requests;
    let errs: u64 = [
        q.errors.elb_502,
        q.errors.elb_503,
        q.errors.elb_504,
        q.errors.target_5xx,
        q.errors.instance_refused,
        q.errors.client_timeout,
        q.errors.throttled,
    ]
    .iter()
    .sum();
    assert_eq!(q.ok + errs, q.total);
}

fn metric_sum(r: &RunResult, res: &str, m: &str) -> f64 {
    r.series.get(res, m).iter().map(|p| p.1).sum()
}

fn last(r: &RunResult, res: &str, m: &str) -> f64 {
    r.series.get(res, m).last().map(|p| p.1).unwrap_or(0.0)
}

#[test]
fn one_key_lands_on_the_shard_its_md5_picks_and_a_shard_takes_1000_a_second() {
    // 1,500 records/s, all with partition key "key-7", evenly spaced, on a
    // 4-shard stream, no retries: exactly 1,000 a second are accepted, all
    // on the shard whose range holds MD5("key-7"); the rest are refused.
    let r = run(r#"
name: one-key
duration: 2m
workloads:
  - { name: w, to: { stream: s }, arrivals: uniform, rate: 1500 }
streams:
  - name: s
    shards: 4
    partition_keys: 7
    producer: { max_attempts: 1 }
"#);
    conserved(&r);
    let s = st(&r, "s");
    let hot = rules::shard_for(&rules::uniform_ranges(4), rules::hash_key("key-7")) as u32;
    // Arrivals at k/1500 s for k = 1 … 179,999 (the last before 120 s):
    // 120 whole seconds of 1,000 accepted.
    assert_eq!(n(s, "records_put"), 179_999);
    assert_eq!(n(s, "records_accepted"), 120_000);
    assert_eq!(n(shard(&r, "s", hot), "records"), 120_000);
    for id in (0..4).filter(|&i| i != hot) {
        assert_eq!(n(shard(&r, "s", id), "records"), 0, "shard {id}");
        assert_eq!(n(shard(&r, "s", id), "write_throttles"), 0);
    }
    assert_eq!(n(s, "write_throttles"), 59_999);
    assert_eq!(n(s, "put_failed"), 59_999);
    assert_eq!(r.summary.requests.errors.throttled, 59_999);
    // CloudWatch per minute: 60,000 IncomingRecords on the hot shard.
    let res = format!("s/shardId-{hot:012}");
    for (_, v) in r.series.get(&res, "IncomingRecords") {
        assert_eq!(v, 60_000.0);
    }
    assert_eq!(
        metric_sum(&r, "s", "WriteProvisionedThroughputExceeded"),
        59_999.0
    );
    // Cost: 4 shards × 2 min × $0.015/h + 120,000 PUT units × $0.014/M.
    let want = 4.0 * (2.0 / 60.0) * 0.015 + 120_000.0 * 0.014e-6;
    let got = s["cost_usd"].as_f64().unwrap();
    assert!((got - want).abs() < 1e-6, "{got} vs {want}");
}

#[test]
fn producers_retry_with_backoff_and_most_retries_land_in_a_later_second() {
    // 1,200 records/s on one shard with 3 attempts: 200/s are refused at
    // first; their retries come U[0,1) s and U[0,2) s later, into seconds
    // that are full again, so most give up — but every record is
    // accounted for.
    let r = run(r#"
name: retries
duration: 3m
workloads:
  - { name: w, to: { stream: s }, rate: 1200 }
streams:
  - { name: s, shards: 1 }
"#);
    conserved(&r);
    let s = st(&r, "s");
    assert!(n(s, "producer_retries") > 20_000, "{s}");
    assert!(n(s, "put_failed") > 10_000, "{s}");
    // Never more than 1,000 a second: 180 s × 1,000.
    assert!(n(s, "records_accepted") <= 180_000);
    assert!(n(s, "records_accepted") > 170_000, "{s}");
    assert_eq!(r.summary.requests.errors.throttled, n(s, "put_failed"));
}

#[test]
fn a_lambda_consumer_processes_every_record_once_with_one_batch_per_shard() {
    let r = run(r#"
name: consume
duration: 5m
workloads:
  - { name: w, to: { stream: s }, rate: 500 }
streams:
  - name: s
    shards: 3
    consumers: [ { function: f, batch_size: 50, parallelization_factor: 2 } ]
functions:
  - { name: f, duration: 20ms }
"#);
    conserved(&r);
    let c = consumer(&r, "s", "f");
    let acc = n(st(&r, "s"), "records_accepted");
    // What is left is at most the last second or two of records.
    assert!(n(c, "processed") + 1000 >= acc, "{c}");
    // Polled about once a second per shard: far under 5 calls/s.
    assert_eq!(n(c, "read_throttles"), 0, "{c}");
    assert_eq!(n(c, "failed") + n(c, "expired"), 0);
    // At most shards × parallelization factor concurrent batches.
    let mc = r.summary.functions["f"]["max_concurrency"]
        .as_u64()
        .unwrap();
    assert!((2..=6).contains(&mc), "{mc}");
    assert_eq!(
        r.summary.functions["f"]["invocations"].as_u64().unwrap(),
        n(c, "invocations")
    );
    // Keeping up: the iterator age stays under 2 s.
    assert!(c["max_iterator_age_ms"].as_f64().unwrap() < 2000.0, "{c}");
    assert!(!r.series.get("f", "IteratorAge").is_empty());
}

#[test]
fn a_poison_record_blocks_its_shard_until_retries_are_exhausted_and_bisect_isolates_it() {
    // One record in 2,000 fails every time. Without a retry limit the
    // shard that holds it retries forever: nothing behind it is processed
    // and the iterator age grows. With 3 retries and bisect the batch is
    // split until the poison record is alone; the discarded batches go to
    // the on-failure queue; far fewer records are lost than a whole batch
    // each time.
    let base = r#"
name: poison
seed: 3
duration: 10m
workloads:
  - { name: w, to: { stream: s }, rate: 100 }
queues: [ { name: failed } ]
streams:
  - name: s
    shards: 2
    consumers: [ { function: f, batch_size: 100, poison_rate: 0.0005 } ]
functions:
  - { name: f, duration: 10ms }
"#;
    let stuck = run(base);
    conserved(&stuck);
    let c = consumer(&stuck, "s", "f");
    assert!(n(c, "batch_errors") > 20, "{c}");
    assert_eq!(n(c, "failed"), 0);
    assert!(n(c, "pending_at_end") > 1000, "{c}");
    assert!(c["max_iterator_age_ms"].as_f64().unwrap() > 60_000.0, "{c}");

    let bisect = run(&base.replace(
        "poison_rate: 0.0005 }",
        "poison_rate: 0.0005, maximum_retry_attempts: 3, bisect_batch_on_function_error: true, on_failure: { queue: failed } }",
    ));
    conserved(&bisect);
    let c = consumer(&bisect, "s", "f");
    assert!(n(c, "bisects") > 0, "{c}");
    assert!(n(c, "failed") > 0, "{c}");
    // Bisecting 100 → 50 → 25 → 12 over 3 retries: each discard loses at
    // most 13 records, and one poison record in 2,000 among ~60,000.
    assert!(n(c, "failed") <= 13 * n(c, "dead_lettered").max(1), "{c}");
    assert_eq!(
        bisect.summary.queues["failed"]["sent"].as_u64().unwrap(),
        n(c, "dead_lettered")
    );
    assert!(n(c, "pending_at_end") < 500, "{c}");
}

#[test]
fn maximum_record_age_discards_old_records_and_retention_expires_unread_ones() {
    // A function that is always throttled (reserved concurrency 0) never
    // reads: with a 60 s maximum record age its batches expire; with none,
    // records expire only after the 24 h retention.
    let r = run(r#"
name: age
duration: 25h
workloads:
  - { name: w, to: { stream: s }, arrivals: uniform, rate: 0.1 }
streams:
  - name: s
    consumers:
      - { function: stuck }
      - { function: aged, maximum_record_age: 60s }
functions:
  - { name: stuck, duration: 10ms, reserved_concurrency: 0 }
  - { name: aged, duration: 10ms, reserved_concurrency: 0 }
"#);
    conserved(&r);
    let put = n(st(&r, "s"), "records_accepted");
    assert_eq!(put, 9000);
    let stuck = consumer(&r, "s", "stuck");
    // Records of the first hour (~360) are older than 24 h at the end, but
    // for those Lambda had already read: its throttled batch (100) and its
    // lane's buffer (under 100 more). They stay pending.
    let e = n(stuck, "expired");
    assert!((360 - 200..=361).contains(&e), "{stuck}");
    assert_eq!(n(stuck, "processed") + n(stuck, "failed"), 0);
    let aged = consumer(&r, "s", "aged");
    assert!(n(aged, "expired") > 8900, "{aged}");
    assert_eq!(n(aged, "processed"), 0);
}

#[test]
fn update_shard_count_splits_uniformly_after_its_delay_and_refuses_what_aws_refuses() {
    let r = run(r#"
name: reshard
duration: 10m
workloads:
  - { name: w, to: { stream: s }, rate: 200 }
streams:
  - name: s
    shards: 2
    consumers: [ { function: f } ]
    update_shard_count:
      - { at: 1m, target_shard_count: 4 }
      - { at: 90s, target_shard_count: 4 }
functions:
  - { name: f, duration: 5ms }
"#);
    conserved(&r);
    let s = st(&r, "s");
    assert_eq!(n(s, "open_shards_at_end"), 4);
    assert_eq!(n(s, "reshards"), 1);
    // The second call came while the stream was UPDATING.
    assert_eq!(n(s, "refused_updates"), 1);
    assert_eq!(s["shards"].as_array().unwrap().len(), 6);
    let acts: Vec<_> = r
        .activities
        .iter()
        .filter(|a| a.kind() == "reshard")
        .collect();
    assert_eq!(acts.len(), 3, "{acts:?}");
    // Started at 60 s, refused at 90 s, done 60 s after the start
    // (2 closed + 4 opened × 10 s, at least 60 s).
    assert_eq!(acts[0].t, 60_000_000_000);
    assert!(acts[1].cause.contains("ResourceInUseException"));
    assert_eq!(
        acts[2].t,
        60_000_000_000 + rules::reshard_duration_s(2, 4) * 1_000_000_000
    );
    // Shard-hours: 2 shards for 2 min, 4 for 8 min.
    let h = s["shard_hours"].as_f64().unwrap();
    assert!((h - (2.0 * 2.0 + 4.0 * 8.0) / 60.0).abs() < 1e-6, "{h}");
    // The parents close; the consumer finishes them and reads the children.
    let c = consumer(&r, "s", "f");
    assert!(n(c, "pending_at_end") < 400, "{c}");
    assert!(last(&r, "s", "OpenShardCount") == 4.0);
}

#[test]
fn an_on_demand_stream_grows_to_double_its_peak() {
    let r = run(r#"
name: od
duration: 40m
workloads:
  - name: w
    to: { stream: s }
    rate: { pattern: step, steps: [ { at: 0s, rps: 1000 }, { at: 5m, rps: 6000 } ] }
streams:
  - { name: s, capacity_mode: on_demand }
"#);
    conserved(&r);
    let s = st(&r, "s");
    // Starts at 4 shards; a 6,000/s peak asks for 12: doubling at most
    // per update (4 → 8 → 12), 15 minutes each.
    // (ceil(2 × a minute's ~6,000/s ÷ 1,000), 12 or 13.)
    assert!((12..=13).contains(&n(s, "open_shards_at_end")), "{s}");
    assert_eq!(n(s, "reshards"), 2, "{s}");
    assert!(n(s, "write_throttles") > 0);
    assert!(
        r.activities
            .iter()
            .any(|a| a.kind() == "reshard" && a.cause.contains("on-demand"))
    );
}

#[test]
fn a_kinesis_put_step_holds_the_worker_through_retries_and_fails_the_request_after() {
    let r = run(r#"
name: step
duration: 3m
workloads:
  - { name: w, to: { load_balancer: web }, rate: 1500 }
load_balancers: [ { name: web, target_group: web } ]
auto_scaling_groups:
  - name: web
    min: 4
    max: 4
    desired: 4
    instance: { workers: 400 }
    app: [ { compute: 2ms }, { kinesis_put: { stream: s } } ]
streams:
  - { name: s, shards: 1, partition_keys: 1 }
"#);
    conserved(&r);
    let s = st(&r, "s");
    assert!(n(s, "put_failed") > 1000, "{s}");
    // A record the producer gave up on is the app's 500.
    assert_eq!(r.summary.requests.errors.target_5xx, n(s, "put_failed"));
}

#[test]
fn runs_are_deterministic() {
    let y = r#"
name: det
duration: 3m
workloads:
  - { name: w, to: { stream: s }, rate: 1500 }
streams:
  - name: s
    shards: 2
    partition_keys: { dist: zipf, n: 100, s: 1.2 }
    consumers: [ { function: f, poison_rate: 0.001, maximum_retry_attempts: 2, bisect_batch_on_function_error: true } ]
    update_shard_count: [ { at: 1m, target_shard_count: 3 } ]
functions:
  - { name: f, duration: { dist: exponential, mean: 50ms } }
"#;
    let (a, b) = (run(y), run(y));
    conserved(&a);
    assert_eq!(a.summary.streams, b.summary.streams);
    assert_eq!(a.series.rows.len(), b.series.rows.len());
    for (x, y) in a.series.rows.iter().zip(&b.series.rows) {
        assert_eq!(
            (x.t, x.resource, x.metric, x.value),
            (y.t, y.resource, y.metric, y.value)
        );
    }
}

#[test]
fn bad_stream_sections_are_reported_with_their_place() {
    let y = r#"name: bad
duration: 10m
workloads:
  - { name: w, to: { stream: clics }, rate: 10 }
streams:
  - name: clicks
    shards: 4
    consumers: [ { function: nope, batch_size: 20000, parallelization_factor: 11 } ]
    update_shard_count: [ { at: 1m, target_shard_count: 9 } ]
  - { name: od, capacity_mode: on_demand, shards: 2 }
functions:
  - { name: f, duration: 1ms }
"#;
    let e = crate::util::load_error(y);
    for want in [
        r#"workloads[w].to.stream: no stream named "clics" (did you mean "clicks"?)"#,
        r#"streams[clicks].consumers[0].function: no function named "nope""#,
        "streams[clicks].consumers[0].batch_size: batch_size must be 1 to 10000, found 20000",
        "streams[clicks].consumers[0].parallelization_factor: parallelization_factor must be 1 to 10",
        "streams[clicks].update_shard_count[0].target_shard_count: UpdateShardCount cannot scale up to more than double",
        "streams[od].shards: an on_demand stream manages its own shards",
    ] {
        assert!(e.contains(want), "missing {want:?} in:\n{e}");
    }
}

fn lesson_runs(variants: &[Option<&str>]) -> Vec<Vec<RunResult>> {
    use stratus::scenario::{LoadOptions, load_file};
    (1..=10u64)
        .map(|seed| {
            variants
                .iter()
                .map(|v| {
                    let opts = LoadOptions {
                        variant: v.map(str::to_string),
                        seed: Some(seed),
                        ..LoadOptions::default()
                    };
                    let sc = load_file(
                        std::path::Path::new("scenarios/kinesis-hot-shard.yaml"),
                        &opts,
                    )
                    .unwrap_or_else(|d| panic!("{d}"));
                    stratus::run::simulate(&sc, *v, &mut |_| {})
                })
                .collect()
        })
        .collect()
}

#[test]
fn lesson_kinesis_hot_shard_holds_for_seeds_1_to_10() {
    let runs = lesson_runs(&[None, Some("reshard"), Some("better-keys")]);
    let age_s = |r: &RunResult, id: u32| {
        last(
            r,
            &format!("clicks/shardId-{id:012}"),
            "IteratorAgeMilliseconds",
        ) / 1e3
    };
    for (i, r) in runs.iter().enumerate() {
        let seed = i + 1;
        let (base, reshard, better) = (&r[0], &r[1], &r[2]);
        for x in r {
            conserved(x);
        }
        // Base: the hot key's shard throttles, alone; its consumer falls behind.
        let s = st(base, "clicks");
        let hot = rules::shard_for(&rules::uniform_ranges(8), rules::hash_key("key-1")) as u32;
        assert_eq!(hot, 1);
        assert!(n(s, "write_throttles") > 30_000, "seed {seed}: {s}");
        assert_eq!(
            n(shard(base, "clicks", hot), "write_throttles"),
            n(s, "write_throttles")
        );
        assert!(age_s(base, hot) > 60.0, "seed {seed}: {}", age_s(base, hot));
        for id in (0..8).filter(|&i| i != hot) {
            assert!(
                age_s(base, id) < 5.0,
                "seed {seed} shard {id}: {}",
                age_s(base, id)
            );
        }
        // Resharding: 16 shards, the throttles and the lag go on, more cost.
        let s2 = st(reshard, "clicks");
        assert_eq!(n(s2, "open_shards_at_end"), 16, "seed {seed}");
        assert!(n(s2, "write_throttles") > 10_000, "seed {seed}: {s2}");
        assert!(
            last(reshard, "clicks", "GetRecords.IteratorAgeMilliseconds") > 60_000.0,
            "seed {seed}"
        );
        assert!(s2["cost_usd"].as_f64().unwrap() > s["cost_usd"].as_f64().unwrap());
        // Better keys: no throttle, every shard keeps up.
        let s3 = st(better, "clicks");
        assert_eq!(n(s3, "write_throttles"), 0, "seed {seed}");
        for id in 0..8 {
            let a = better.series.get(
                &format!("clicks/shardId-{id:012}"),
                "IteratorAgeMilliseconds",
            );
            assert!(
                a.iter().all(|p| p.1 < 5000.0),
                "seed {seed} shard {id}: {a:?}"
            );
        }
    }
}

#[test]
fn six_standard_consumers_share_5_get_records_a_second_and_enhanced_fan_out_does_not() {
    // Each consumer polls its shard about once a second; six of them on
    // one shard ask for ~6 GetRecords calls a second against a shared
    // limit of 5: some are refused (ReadProvisionedThroughputExceeded).
    // With enhanced fan-out each has 2 MiB/s of its own: none is refused.
    let y = r#"
name: fan
duration: 5m
workloads:
  - { name: w, to: { stream: s }, rate: 50 }
streams:
  - name: s
    consumers:
      - { function: a }
      - { function: b }
      - { function: c }
      - { function: d }
      - { function: e }
      - { function: f }
functions:
  - { name: a, duration: 5ms }
  - { name: b, duration: 5ms }
  - { name: c, duration: 5ms }
  - { name: d, duration: 5ms }
  - { name: e, duration: 5ms }
  - { name: f, duration: 5ms }
"#;
    let shared = run(y);
    conserved(&shared);
    let s = st(&shared, "s");
    assert!(n(s, "read_throttles") > 100, "{s}");
    // metrics.csv has them all but the polls at the very end (after the
    // last period's datapoint).
    let m = metric_sum(&shared, "s", "ReadProvisionedThroughputExceeded");
    let t = n(s, "read_throttles") as f64;
    assert!(m <= t && t - m <= 6.0, "{m} vs {t}");
    let mut ey = y.to_string();
    for f in ["a", "b", "c", "d", "e", "f"] {
        ey = ey.replace(
            &format!("- {{ function: {f} }}"),
            &format!("- {{ function: {f}, enhanced_fan_out: true }}"),
        );
    }
    assert_eq!(ey.matches("enhanced_fan_out").count(), 6);
    let efo = run(&ey);
    conserved(&efo);
    let s = st(&efo, "s");
    assert_eq!(n(s, "read_throttles"), 0, "{s}");
    // Enhanced fan-out is billed per consumer-shard-hour on top.
    assert!(s["cost_usd"].as_f64().unwrap() > st(&shared, "s")["cost_usd"].as_f64().unwrap());
}
