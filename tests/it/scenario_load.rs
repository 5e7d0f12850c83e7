//! The scenario loader: spec'd error messages and positions, `--set`,
//! variants, seed override, trace files, and never panicking on any input.

use proptest::prelude::*;
use std::path::{Path, PathBuf};
use stratus::scenario::{
    AppStep, Diagnostics, Duration, DurationDist, LoadOptions, PolicyType, Rate, Scenario,
    load_file, load_str, schema_json, variant_names,
};

/// A small valid scenario; line numbers matter to the tests below.
const BASE: &str = "\
name: t
duration: 1h
workloads:
  - name: a
    to: { load_balancer: web }
    rate: 10
load_balancers:
  - name: web
    target_group: web
auto_scaling_groups:
  - name: web
    min: 1
    max: 3
    app:
      - compute: 40ms
";

/// Every section of the format, as in the spec.
const FULL: &str = r#"name: flash-sale
description: >
  Traffic jumps 6x at 10:00; compare simple vs target tracking scaling.
seed: 42
duration: 2h
metrics_period: 1m
start_time: "2026-01-05T09:00:00Z"
cloudwatch: { publication_delay: 1m }

workloads:
  - name: shoppers
    to: { load_balancer: web }
    arrivals: poisson
    rate: { pattern: step, steps: [{at: 0s, rps: 100}, {at: 30m, rps: 600}] }
    sessions:
      requests: { dist: geometric, mean: 20 }
      think_time: { dist: exponential, mean: 5s }
    timeout: 30s
    retries: { on: [5xx, timeout], max_attempts: 3, backoff: {dist: exponential, mean: 200ms} }
  - name: writers
    to: { table: orders }
    rate: 50
    operation: { op: put, item_size: 2KB, consistency: eventual, keys: {dist: zipf, n: 100000, s: 1.1} }
  - name: producers
    to: { queue: jobs }
    rate: { pattern: ramp, from: 50, to: 600, start: 10m, over: 1h }
    message_size: 2KB

load_balancers:
  - name: web
    type: application
    routing: round_robin
    cross_zone: true
    stickiness: { type: lb_cookie, duration: 1d }
    deregistration_delay: 300s
    slow_start: 0s
    idle_timeout: 60s
    health_check: { interval: 30s, timeout: 5s, healthy_threshold: 5, unhealthy_threshold: 2 }
    target_group: web

auto_scaling_groups:
  - name: web
    availability_zones: [us-east-1a, us-east-1b, us-east-1c]
    min: 2
    max: 20
    desired: 2
    launch_template: { name: web, version: 1 }
    instance:
      type: c5.large
      boot_time: { dist: uniform, min: 60s, max: 120s }
      workers: 8
      queue_limit: 100
      price_per_hour: 0.085
      billing: per_second
      market: on_demand
      monitoring: detailed
    app:
      - compute: { dist: lognormal, mean: 40ms, cv: 0.5 }
      - dynamodb: { table: orders, op: get, item_size: 2KB, consistency: eventual }
      - sqs_send: { queue: jobs, message_size: 1KB }
    session_store: local
    health_check: { type: ELB, grace_period: 300s }
    default_cooldown: 300s
    default_instance_warmup: 300s
    suspended_processes: []
    termination_policies: [Default]
    new_instances_protected_from_scale_in: false
    scaling_policies:
      - name: cpu50
        type: target_tracking
        metric: ASGAverageCPUUtilization
        target: 50
        disable_scale_in: false
        scale_in_threshold: 0.9
      - name: add-on-high-cpu
        type: step
        adjustment_type: ChangeInCapacity
        alarm: { metric: CPUUtilization, statistic: Average, comparison: ">=",
                 threshold: 60, period: 1m, evaluation_periods: 3, datapoints_to_alarm: 3 }
        steps:
          - { lower: 0, upper: 10, adjustment: 1 }
          - { lower: 10, upper: 20, adjustment: 2 }
          - { lower: 20, adjustment: 3 }
        min_adjustment_magnitude: 1
        estimated_instance_warmup: 300s
      - name: simple-add
        type: simple
        adjustment_type: ChangeInCapacity
        adjustment: 1
        cooldown: 300s
        alarm: { metric: CPUUtilization, comparison: ">", threshold: 70 }
    scheduled_actions:
      - { name: morning, at: 8h, desired: 6, min: 4, max: 20 }
      - { name: nightly, recurrence: "0 22 * * *", desired: 2 }
    scheduled_action_delay: 0s
    lifecycle_hooks:
      - { name: bootstrap, transition: launching, heartbeat_timeout: 3600s,
          default_result: CONTINUE, completes_after: { dist: uniform, min: 30s, max: 90s } }
    warm_pool: { min_size: 0, max_group_prepared_capacity: 10, pool_state: Stopped }
    instance_refresh: { at: 1h, min_healthy_percentage: 90, instance_warmup: 300s }
    max_instance_lifetime: 7d
  - name: workers
    min: 1
    max: 5
    consumer:
      queue: jobs
      threads: 4
      batch: 10
      wait_time: 20s
      processing: { dist: exponential, mean: 8s }
      failure_rate: 0.01
      extend_visibility: false

queues:
  - name: jobs
    type: standard
    visibility_timeout: 30s
    message_retention: 4d
    delay: 0s
    redrive: { dead_letter_queue: jobs-dlq, max_receive_count: 5 }
    duplicate_rate: 0.0
  - name: jobs-dlq

tables:
  - name: orders
    billing_mode: provisioned
    read_capacity: 100
    write_capacity: 50
    auto_scaling: { read: {min: 5, max: 1000, target: 70}, write: {min: 5, max: 500, target: 70} }
    partitions: auto
    item_count: 1000000
    sdk_retry: { mode: standard, max_attempts: 3 }

faults:
  - { at: 45m, kind: az_outage, az: us-east-1a, duration: 20m }
  - { at: 30m, kind: instance_failure, auto_scaling_group: web, count: 2, mode: stopped }
  - { at: 1h, kind: spot_interruption, auto_scaling_group: web, count: 3 }
  - { at: 20m, kind: latency, table: orders, add: 50ms, duration: 10m }

variants:
  - name: simple-scaling
    set:
      auto_scaling_groups[web].scaling_policies: [ { name: add, type: simple, adjustment: 1, alarm: { metric: CPUUtilization, comparison: ">=", threshold: 60 } } ]
  - name: short-cooldown
    set: { auto_scaling_groups[web].default_cooldown: 60s }
"#;

fn opts() -> LoadOptions {
    LoadOptions::default()
}

fn load_with(src: &str, o: &LoadOptions) -> Result<Scenario, Diagnostics> {
    load_str(src, "x.yaml", Path::new("."), o)
}

fn load(src: &str) -> Result<Scenario, Diagnostics> {
    load_with(src, &opts())
}

/// The error lines of a document that must not load.
fn errors_with(src: &str, o: &LoadOptions) -> Vec<String> {
    match load_with(src, o) {
        Ok(_) => panic!("expected errors, the scenario loaded:\n{src}"),
        Err(d) => {
            let text = d.to_string();
            assert_eq!(text.lines().count(), d.0.len(), "one line per problem");
            text.lines().map(str::to_string).collect()
        }
    }
}

fn errors(src: &str) -> Vec<String> {
    errors_with(src, &opts())
}

fn sets(s: &[&str]) -> LoadOptions {
    LoadOptions {
        sets: s.iter().map(|x| x.to_string()).collect(),
        ..LoadOptions::default()
    }
}

/// A fresh folder under the system temp dir.
fn temp_dir(tag: &str) -> PathBuf {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static N: AtomicUsize = AtomicUsize::new(0);
    let d = std::env::temp_dir().join(format!(
        "stratus-scenario-load-{}-{}-{tag}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

// ------------------------------------------------------------------ valid input

#[test]
fn base_and_full_scenarios_load() {
    let s = load(BASE).unwrap();
    assert_eq!(s.name, "t");
    assert_eq!(s.seed, 1, "default seed");
    assert_eq!(s.duration, Duration::secs(3600));
    assert_eq!(s.metrics_period, Duration::secs(60));
    assert!(matches!(s.workloads[0].rate, Rate::Constant(r) if r == 10.0));
    assert!(matches!(
        s.auto_scaling_groups[0].app[0],
        AppStep::Compute(DurationDist::Constant(d)) if d == Duration::millis(40)
    ));

    let f = load(FULL).unwrap();
    assert_eq!(f.seed, 42);
    assert_eq!(f.workloads.len(), 3);
    let web = &f.auto_scaling_groups[0];
    assert_eq!(web.app.len(), 3);
    assert!(matches!(web.app[1], AppStep::Dynamodb(_)));
    assert!(matches!(web.app[2], AppStep::SqsSend(_)));
    assert_eq!(web.scaling_policies[0].kind, PolicyType::TargetTracking);
    assert_eq!(
        web.scaling_policies[0].target,
        Some(50.0),
        "an integer into an f64 field"
    );
    assert_eq!(web.scaling_policies[1].steps.len(), 3);
    assert_eq!(f.faults.len(), 4);
    assert_eq!(f.variants.len(), 2);
    assert_eq!(f.variants[1].set.len(), 1);
}

#[test]
fn shipped_scenarios_validate() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return;
    };
    let mut seen = 0;
    for e in entries.flatten() {
        let p = e.path();
        if !p.extension().is_some_and(|x| x == "yaml" || x == "yml") {
            continue;
        }
        seen += 1;
        // Every scenario of the library opens with the lesson it teaches.
        let text = std::fs::read_to_string(&p).unwrap();
        assert!(
            text.starts_with("# Lesson: "),
            "{} does not open with `# Lesson: `",
            p.display()
        );
        if let Err(d) = load_file(&p, &opts()) {
            panic!("{} does not validate:\n{d}", p.display());
        }
        // And each of its variants loads too.
        for v in variant_names(&p).unwrap() {
            let o = LoadOptions {
                variant: Some(v.clone()),
                ..opts()
            };
            if let Err(d) = load_file(&p, &o) {
                panic!("{} variant {v} does not validate:\n{d}", p.display());
            }
        }
    }
    assert!(seen >= 25, "only {seen} scenarios found");
}

#[test]
fn quoted_numbers_are_strings_and_plain_scalars_are_names() {
    // A quoted "30" is a string: not a whole number.
    let e = errors(&BASE.replace("    min: 1\n", "    min: \"1\"\n"));
    assert_eq!(
        e,
        [
            "x.yaml:12:10: auto_scaling_groups[web].min: expected a whole number from 0 to 4294967295, found \"1\""
        ]
    );
    // A plain number where text is wanted is that text (a name `123`).
    let s = load(&BASE.replace("name: t\n", "name: 123\n")).unwrap();
    assert_eq!(s.name, "123");
    // `no` is a string in YAML 1.2 (no Norway problem).
    let s = load(&BASE.replace("name: t\n", "name: no\n")).unwrap();
    assert_eq!(s.name, "no");
}

#[test]
fn null_lists_are_empty_and_comments_are_ignored() {
    let s = load(&format!("{BASE}faults:\n  # none yet\nqueues: ~\n")).unwrap();
    assert!(s.faults.is_empty());
    assert!(s.queues.is_empty());
}

#[test]
fn anchors_aliases_and_merge_keys_work() {
    let src = "\
name: t
duration: 1h
auto_scaling_groups:
  - &g
    name: a
    min: 1
    max: 3
  - <<: *g
    name: b
";
    let s = load(src).unwrap();
    assert_eq!(s.auto_scaling_groups[1].name, "b");
    assert_eq!(s.auto_scaling_groups[1].max, 3);
}

#[test]
fn schema_is_json_with_the_top_level_fields() {
    let v: serde_json::Value = serde_json::from_str(&schema_json()).unwrap();
    let props = &v["properties"];
    for k in [
        "name",
        "duration",
        "workloads",
        "auto_scaling_groups",
        "variants",
    ] {
        assert!(props.get(k).is_some(), "schema lacks {k}");
    }
}

// ------------------------------------------------------------------ spec'd errors

#[test]
fn unknown_field_has_did_you_mean_at_the_key() {
    let e = errors(&BASE.replace("    max: 3\n", "    max: 3\n    desird: 2\n"));
    assert_eq!(
        e,
        [
            "x.yaml:14:5: auto_scaling_groups[web].desird: unknown field `desird` (did you mean `desired`?)"
        ]
    );
}

#[test]
fn unknown_field_without_close_match_lists_the_fields() {
    let e = errors(&BASE.replace("duration: 1h\n", "duration: 1h\nzzzzqqq: 1\n"));
    assert_eq!(e.len(), 1);
    assert!(
        e[0].starts_with("x.yaml:3:1: zzzzqqq: unknown field `zzzzqqq` (expected one of `name`, "),
        "{e:?}"
    );
}

#[test]
fn unknown_field_in_a_flow_map_points_at_the_key() {
    let e = errors(&BASE.replace("{ load_balancer: web }", "{ load_balancr: web }"));
    assert_eq!(
        e,
        [
            "x.yaml:5:11: workloads[a].to.load_balancr: unknown field `load_balancr` (did you mean `load_balancer`?)"
        ]
    );
}

#[test]
fn unknown_field_inside_a_distribution_points_at_the_key() {
    let e = errors(&BASE.replace(
        "compute: 40ms",
        "compute: { dist: exponential, maen: 40ms }",
    ));
    assert_eq!(
        e,
        [
            "x.yaml:15:39: auto_scaling_groups[web].app[0].compute.maen: unknown field `maen` (did you mean `mean`?)"
        ]
    );
}

#[test]
fn bare_number_for_a_duration_is_an_error_at_the_value() {
    let e = errors(&BASE.replace("    rate: 10\n", "    rate: 10\n    timeout: 30\n"));
    assert_eq!(
        e,
        ["x.yaml:7:14: workloads[a].timeout: expected a duration like \"30s\", found 30"]
    );
}

#[test]
fn bare_number_inside_a_distribution_map_is_located_at_the_inner_value() {
    let e = errors(&BASE.replace("compute: 40ms", "compute: { dist: exponential, mean: 40 }"));
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(
        e[0].starts_with(
            "x.yaml:15:45: auto_scaling_groups[web].app[0].compute.mean: expected a duration like"
        ),
        "{e:?}"
    );
}

#[test]
fn bad_unit_is_an_error() {
    let e = errors(&BASE.replace("duration: 1h", "duration: 1hr"));
    assert_eq!(
        e,
        ["x.yaml:2:11: duration: unknown duration unit \"hr\" in \"1hr\" (use ms, s, m, h or d)"]
    );
    let e = errors(&FULL.replace("message_size: 2KB", "message_size: 2kb"));
    assert!(
        e[0].contains("workloads[producers].message_size: unknown size unit \"kb\""),
        "{e:?}"
    );
    let e = errors(&FULL.replace("message_size: 2KB", "message_size: 2048"));
    assert!(
        e[0].contains(
            "workloads[producers].message_size: expected a size like \"2048B\", found 2048"
        ),
        "{e:?}"
    );
}

#[test]
fn broken_reference_has_did_you_mean_at_the_value() {
    let e = errors(&BASE.replace("    target_group: web\n", "    target_group: webb\n"));
    assert_eq!(
        e,
        [
            "x.yaml:9:19: load_balancers[web].target_group: no auto scaling group named \"webb\" (did you mean \"web\"?)"
        ]
    );
}

#[test]
fn every_kind_of_reference_is_checked() {
    let bad = FULL
        .replace("to: { queue: jobs }", "to: { queue: jobz }")
        .replace("to: { table: orders }", "to: { table: order }")
        .replace("{ table: orders, op: get", "{ table: ordrs, op: get")
        .replace(
            "{ queue: jobs, message_size: 1KB }",
            "{ queue: job, message_size: 1KB }",
        )
        .replace(
            "      queue: jobs\n      threads",
            "      queue: jbs\n      threads",
        )
        .replace("dead_letter_queue: jobs-dlq", "dead_letter_queue: jobs-dql")
        .replace("az: us-east-1a,", "az: us-east-1z,")
        .replace(
            "auto_scaling_group: web, count: 2",
            "auto_scaling_group: wbe, count: 2",
        )
        .replace(
            "kind: latency, table: orders",
            "kind: latency, table: tables",
        );
    let e = errors(&bad).join("\n");
    for want in [
        "workloads[producers].to.queue: no queue named \"jobz\" (did you mean \"jobs\"?)",
        "workloads[writers].to.table: no table named \"order\" (did you mean \"orders\"?)",
        "auto_scaling_groups[web].app[1].dynamodb.table: no table named \"ordrs\" (did you mean \"orders\"?)",
        "auto_scaling_groups[web].app[2].sqs_send.queue: no queue named \"job\" (did you mean \"jobs\"?)",
        "auto_scaling_groups[workers].consumer.queue: no queue named \"jbs\" (did you mean \"jobs\"?)",
        "queues[jobs].redrive.dead_letter_queue: no queue named \"jobs-dql\" (did you mean \"jobs-dlq\"?)",
        "faults[0].az: no availability zone named \"us-east-1z\" (did you mean \"us-east-1a\"?)",
        "faults[1].auto_scaling_group: no auto scaling group named \"wbe\"",
        "faults[3].table: no table named \"tables\"",
    ] {
        assert!(e.contains(want), "missing `{want}` in:\n{e}");
    }
    assert_eq!(e.lines().count(), 9, "{e}");
    // And alarm dimensions.
    let e = errors(&FULL.replace(
        "comparison: \">\", threshold: 70 }",
        "comparison: \">\", threshold: 70, queue: jbos }",
    ));
    assert!(
        e[0].contains("auto_scaling_groups[web].scaling_policies[simple-add].alarm.queue: no queue named \"jbos\""),
        "{e:?}"
    );
}

#[test]
fn workload_target_needs_exactly_one() {
    let e = errors(&BASE.replace("{ load_balancer: web }", "{ load_balancer: web, queue: q }"));
    assert_eq!(e.len(), 1);
    assert!(
        e[0].starts_with("x.yaml:5:9: workloads[a].to: a workload sends to one place"),
        "{e:?}"
    );
    let e = errors(&BASE.replace("{ load_balancer: web }", "{}"));
    assert!(
        e[0].starts_with("x.yaml:5:9: workloads[a].to: expected one of `load_balancer`"),
        "{e:?}"
    );
    // A table workload needs an operation.
    let e = errors(&FULL.replace(
        "    operation: { op: put, item_size: 2KB, consistency: eventual, keys: {dist: zipf, n: 100000, s: 1.1} }\n",
        "",
    ));
    assert!(
        e[0].contains(
            "workloads[writers].operation: a workload that sends to a table needs `operation`"
        ),
        "{e:?}"
    );
}

#[test]
fn min_greater_than_max() {
    let e = errors(&BASE.replace("    min: 1\n", "    min: 5\n"));
    assert_eq!(
        e,
        ["x.yaml:12:10: auto_scaling_groups[web].min: min (5) is greater than max (3)"]
    );
}

#[test]
fn desired_outside_min_max() {
    let e = errors(&BASE.replace("    max: 3\n", "    max: 3\n    desired: 4\n"));
    assert_eq!(
        e,
        ["x.yaml:14:14: auto_scaling_groups[web].desired: desired (4) is greater than max (3)"]
    );
}

#[test]
fn yaml_syntax_error_has_line_and_col() {
    let e = errors("name: t\nduration: [1h\nseed: 2\n");
    assert_eq!(e.len(), 1);
    assert!(e[0].starts_with("x.yaml:"), "{e:?}");
    assert!(e[0].contains("invalid YAML"), "{e:?}");
    let e = errors("name: t\n  duration: 1h\n");
    assert!(e[0].starts_with("x.yaml:2:"), "{e:?}");
    // Tabs for indentation.
    let e = errors("name: t\nworkloads:\n\t- name: a\n");
    assert!(e[0].starts_with("x.yaml:3:"), "{e:?}");
}

#[test]
fn duplicate_keys_are_errors() {
    let e = errors(&BASE.replace("    max: 3\n", "    max: 3\n    min: 2\n"));
    assert_eq!(
        e,
        ["x.yaml:14:5: duplicate key `min` (first given at line 12)"]
    );
}

#[test]
fn missing_required_field_is_at_the_enclosing_map() {
    let e = errors(&BASE.replace("    min: 1\n", ""));
    assert_eq!(
        e,
        ["x.yaml:11:5: auto_scaling_groups[web].min: missing required field `min`"]
    );
    let e = errors(&BASE.replace("duration: 1h\n", ""));
    assert_eq!(
        e,
        ["x.yaml:1:1: duration: missing required field `duration`"]
    );
}

#[test]
fn duplicate_names() {
    let src = format!("{BASE}queues:\n  - name: q\n  - name: r\n  - name: q\n");
    let e = errors(&src);
    assert_eq!(
        e,
        ["x.yaml:19:11: queues[2].name: duplicate name \"q\" (first used at line 17)"]
    );
    let e = errors(&FULL.replace("name: simple-add", "name: cpu50"));
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(
        e[0].contains(
            "auto_scaling_groups[web].scaling_policies[2].name: duplicate name \"cpu50\""
        ),
        "{e:?}"
    );
    let e = errors(&FULL.replace("name: short-cooldown", "name: simple-scaling"));
    assert!(
        e[0].contains("variants[1].name: duplicate name \"simple-scaling\""),
        "{e:?}"
    );
}

#[test]
fn wrong_types_and_enums() {
    let e = errors(&BASE.replace("    min: 1\n", "    min: -1\n"));
    assert_eq!(
        e,
        [
            "x.yaml:12:10: auto_scaling_groups[web].min: expected a whole number from 0 to 4294967295, found -1"
        ]
    );
    let e = errors(&BASE.replace("    max: 3\n", "    max: [3]\n"));
    assert!(e[0].contains("auto_scaling_groups[web].max: expected a whole number from 0 to 4294967295, found a list"), "{e:?}");
    let e = errors(&FULL.replace("routing: round_robin", "routing: round-robin"));
    assert!(
        e[0].ends_with(
            "load_balancers[web].routing: unknown value `round-robin` (did you mean `round_robin`?)"
        ),
        "{e:?}"
    );
    let e = errors(&FULL.replace("type: ELB", "type: elb"));
    assert!(
        e[0].ends_with("health_check.type: unknown value `elb` (did you mean `ELB`?)"),
        "{e:?}"
    );
    // An externally tagged app step with a typo, located at the key.
    let e = errors(&BASE.replace("- compute: 40ms", "- compte: 40ms"));
    assert_eq!(
        e,
        [
            "x.yaml:15:9: auto_scaling_groups[web].app[0].compte: unknown value `compte` (did you mean `compute`?)"
        ]
    );
    // A number where an enum name is wanted is not a variant index.
    let e = errors(&FULL.replace("routing: round_robin", "routing: 0"));
    assert!(e[0].contains("routing: unknown value `0`"), "{e:?}");
    // A rate as text.
    let e = errors(&BASE.replace("rate: 10", "rate: 10/s"));
    assert_eq!(
        e,
        [
            "x.yaml:6:11: workloads[a].rate: expected a rate per second (a plain number like 120), found \"10/s\""
        ]
    );
}

#[test]
fn distribution_errors_point_at_the_distribution() {
    let e = errors(&BASE.replace("compute: 40ms", "compute: { dist: uniform, min: 40ms }"));
    assert_eq!(
        e,
        [
            "x.yaml:15:18: auto_scaling_groups[web].app[0].compute: a uniform distribution needs `max`"
        ]
    );
}

#[test]
fn per_type_required_fields_and_ranges() {
    let src = format!(
        "{}{}",
        BASE.replace(
            "    app:\n",
            "    scaling_policies:\n      - { name: s, type: simple }\n      - { name: st, type: step }\n      - { name: tt, type: target_tracking }\n    app:\n"
        ),
        "queues:\n  - { name: q, visibility_timeout: 13h, message_retention: 30s }\nfaults:\n  - { at: 1m, kind: az_outage }\n  - { at: 1m, kind: spot_interruption }\n  - { at: 1m, kind: latency }\n"
    );
    let e = errors(&src).join("\n");
    for want in [
        "scaling_policies[s].adjustment: a simple policy needs `adjustment`",
        "scaling_policies[s].alarm: a simple policy needs `alarm`",
        "scaling_policies[st].alarm: a step policy needs `alarm`",
        "scaling_policies[st].steps: a step policy needs `steps`",
        "scaling_policies[tt].metric: a target_tracking policy needs `metric`",
        "scaling_policies[tt].target: a target_tracking policy needs `target`",
        "queues[q].visibility_timeout: visibility_timeout must be at most 12h",
        "queues[q].message_retention: message_retention must be from 60s to 14d",
        "faults[0].az: an az_outage fault needs `az`",
        "faults[1].auto_scaling_group: a spot_interruption fault needs `auto_scaling_group`",
        "faults[2].table: a latency fault needs `table`",
        "faults[2].add: a latency fault needs `add`",
    ] {
        assert!(e.contains(want), "missing `{want}` in:\n{e}");
    }
    assert_eq!(e.lines().count(), 12, "{e}");
}

#[test]
fn consumer_and_table_ranges() {
    let e = errors(
        &FULL
            .replace("batch: 10", "batch: 11")
            .replace("wait_time: 20s", "wait_time: 21s")
            .replace("failure_rate: 0.01", "failure_rate: 1.5")
            .replace(
                "write: {min: 5, max: 500, target: 70}",
                "write: {min: 5, max: 500, target: 95}",
            ),
    )
    .join("\n");
    for want in [
        "auto_scaling_groups[workers].consumer.batch: batch must be from 1 to 10",
        "auto_scaling_groups[workers].consumer.wait_time: wait_time must be at most 20s",
        "auto_scaling_groups[workers].consumer.failure_rate: failure_rate must be between 0 and 1, found 1.5",
        "tables[orders].auto_scaling.write.target: target must be from 20 to 90",
    ] {
        assert!(e.contains(want), "missing `{want}` in:\n{e}");
    }
}

#[test]
fn top_level_ranges_and_start_time() {
    let e = errors(&BASE.replace(
        "duration: 1h\n",
        "duration: 0s\nmetrics_period: 1500ms\nstart_time: 2026-01-05 09:00\n",
    ));
    assert_eq!(
        e,
        [
            "x.yaml:2:11: duration: duration must be longer than 0s",
            "x.yaml:3:17: metrics_period: metrics_period must be a period CloudWatch reads metrics at: 1s, 5s, 10s, 30s or a multiple of 60s, found 1500ms",
            "x.yaml:4:13: start_time: expected an RFC 3339 UTC time like \"2026-01-05T09:00:00Z\", found \"2026-01-05 09:00\"",
        ]
    );
}

#[test]
fn all_problems_are_reported_in_file_order() {
    let src = BASE
        .replace("    target_group: web\n", "    target_group: webb\n")
        .replace("    min: 1\n", "    min: 5\n");
    let e = errors(&src);
    assert_eq!(e.len(), 2, "{e:?}");
    assert!(
        e[0].starts_with("x.yaml:9:19: load_balancers[web].target_group"),
        "{e:?}"
    );
    assert!(
        e[1].starts_with("x.yaml:12:10: auto_scaling_groups[web].min"),
        "{e:?}"
    );
}

#[test]
fn unreadable_and_empty_files() {
    let d = load_file(Path::new("/nonexistent/dir/x.yaml"), &opts()).unwrap_err();
    assert_eq!(
        d.to_string(),
        "/nonexistent/dir/x.yaml:1:1: cannot read the scenario: no such file\n"
    );
    let e = errors("");
    assert_eq!(
        e,
        ["x.yaml:1:1: the scenario is empty: expected a map with at least `name` and `duration`"]
    );
    let e = errors("- a\n- b\n");
    assert!(e[0].starts_with("x.yaml:1:1: a scenario is a map"), "{e:?}");
    let e = errors("a: 1\n---\nb: 2\n");
    assert!(
        e[0].starts_with("x.yaml:2:1: expected one YAML document"),
        "{e:?}"
    );
}

// ------------------------------------------------------------------ --set

#[test]
fn set_by_name_and_index_on_nested_paths() {
    let s = load_with(
        FULL,
        &sets(&[
            "workloads[writers].rate=400",
            "auto_scaling_groups[web].scaling_policies[cpu50].target=70",
            "auto_scaling_groups[0].scaling_policies[2].adjustment=3",
            "duration=2h30m",
            "auto_scaling_groups[web].max=40",
        ]),
    )
    .unwrap();
    assert!(matches!(s.workloads[1].rate, Rate::Constant(r) if r == 400.0));
    let web = &s.auto_scaling_groups[0];
    assert_eq!(web.scaling_policies[0].target, Some(70.0));
    assert_eq!(web.scaling_policies[2].adjustment, Some(3));
    assert_eq!(s.duration, Duration::secs(9000));
    assert_eq!(web.max, 40);
}

#[test]
fn set_parses_flow_values_and_creates_keys() {
    let s = load_with(
        BASE,
        &sets(&[
            "auto_scaling_groups[web].scaling_policies=[{name: a, type: target_tracking, metric: ASGAverageCPUUtilization, target: 40}]",
            "auto_scaling_groups[web].desired=2",
            "cloudwatch.publication_delay=2m",
            "description=\"42\"",
        ]),
    )
    .unwrap();
    let web = &s.auto_scaling_groups[0];
    assert_eq!(web.scaling_policies.len(), 1);
    assert_eq!(web.scaling_policies[0].target, Some(40.0));
    assert_eq!(web.desired, Some(2));
    assert_eq!(s.cloudwatch.publication_delay, Duration::secs(120));
    assert_eq!(s.description.as_deref(), Some("42"));
}

#[test]
fn set_errors_name_the_set() {
    // A type error in a --set value: column within PATH=VALUE.
    let e = errors_with(BASE, &sets(&["duration=2h", "workloads[a].timeout=30"]));
    assert_eq!(
        e,
        ["--set:2:22: workloads[a].timeout: expected a duration like \"30s\", found 30"]
    );
    // A missing list item, with did-you-mean, pointing at the `[...]`.
    let e = errors_with(BASE, &sets(&["auto_scaling_groups[webb].max=4"]));
    assert_eq!(
        e,
        [
            "--set:1:20: auto_scaling_groups[webb]: no item named \"webb\" in `auto_scaling_groups` (did you mean \"web\"?)"
        ]
    );
    // An unknown field created by --set.
    let e = errors_with(BASE, &sets(&["auto_scaling_groups[web].desird=2"]));
    assert_eq!(
        e,
        [
            "--set:1:1: auto_scaling_groups[web].desird: unknown field `desird` (did you mean `desired`?)"
        ]
    );
    // Validation problems caused by a --set point at its value.
    let e = errors_with(BASE, &sets(&["auto_scaling_groups[web].min=9"]));
    assert_eq!(
        e,
        ["--set:1:30: auto_scaling_groups[web].min: min (9) is greater than max (3)"]
    );
    // Bad syntax.
    let e = errors_with(BASE, &sets(&["duration"]));
    assert!(e[0].starts_with("--set:1:1: expected PATH=VALUE"), "{e:?}");
    let e = errors_with(BASE, &sets(&["workloads[a.rate=3"]));
    assert!(
        e[0].starts_with("--set:1:10: workloads: missing `]`"),
        "{e:?}"
    );
    let e = errors_with(BASE, &sets(&["workloads[a].to={load_balancer: [web"]));
    assert!(e[0].starts_with("--set:1:"), "{e:?}");
    assert!(e[0].contains("invalid YAML"), "{e:?}");
    let e = errors_with(BASE, &sets(&["workloads[3].rate=1"]));
    assert!(
        e[0].contains("index 3 is out of range: `workloads` has 1 items"),
        "{e:?}"
    );
    let e = errors_with(BASE, &sets(&["duration.x=1"]));
    assert!(
        e[0].contains("`duration` is \"1h\", so it has no field `x`"),
        "{e:?}"
    );
}

// ------------------------------------------------------------------ variants and seed

#[test]
fn variants_apply_their_set() {
    let o = LoadOptions {
        variant: Some("short-cooldown".into()),
        ..LoadOptions::default()
    };
    let s = load_with(FULL, &o).unwrap();
    assert_eq!(
        s.auto_scaling_groups[0].default_cooldown,
        Duration::secs(60)
    );
    let o = LoadOptions {
        variant: Some("simple-scaling".into()),
        sets: vec!["auto_scaling_groups[web].scaling_policies[add].adjustment=2".into()],
        ..LoadOptions::default()
    };
    let s = load_with(FULL, &o).unwrap();
    let pols = &s.auto_scaling_groups[0].scaling_policies;
    assert_eq!(pols.len(), 1);
    assert_eq!(pols[0].kind, PolicyType::Simple);
    assert_eq!(
        pols[0].adjustment,
        Some(2),
        "--set applies after the variant"
    );
    // The base is untouched.
    let b = load(FULL).unwrap();
    assert_eq!(
        b.auto_scaling_groups[0].default_cooldown,
        Duration::secs(300)
    );
}

#[test]
fn unknown_variant_has_did_you_mean() {
    let o = LoadOptions {
        variant: Some("short-cooldwn".into()),
        ..LoadOptions::default()
    };
    let e = errors_with(FULL, &o);
    assert_eq!(
        e,
        [
            "--variant:1:1: variants: no variant named \"short-cooldwn\" (did you mean \"short-cooldown\"?)"
        ]
    );
}

#[test]
fn broken_variants_are_reported_at_their_values() {
    let src = FULL.replace(
        "set: { auto_scaling_groups[web].default_cooldown: 60s }",
        "set: { auto_scaling_groups[web].default_cooldown: 60 }",
    );
    let line = src
        .lines()
        .position(|l| l.contains("default_cooldown: 60 }"))
        .unwrap()
        + 1;
    let col = src.lines().nth(line - 1).unwrap().find("60 }").unwrap() + 1;
    let e = errors(&src);
    assert_eq!(
        e,
        [format!(
            "x.yaml:{line}:{col}: auto_scaling_groups[web].default_cooldown: in variant \"short-cooldown\": expected a duration like \"60s\", found 60"
        )]
    );
    let src = FULL.replace(
        "set: { auto_scaling_groups[web].default_cooldown: 60s }",
        "set: { auto_scaling_groups[wbe].default_cooldown: 60s }",
    );
    let e = errors(&src);
    assert!(
        e[0].contains(": auto_scaling_groups[wbe]: in variant \"short-cooldown\": no item named \"wbe\" in `auto_scaling_groups` (did you mean \"web\"?)"),
        "{e:?}"
    );
}

#[test]
fn variant_names_in_file_order() {
    let d = temp_dir("variants");
    let p = d.join("s.yaml");
    std::fs::write(&p, FULL).unwrap();
    assert_eq!(
        variant_names(&p).unwrap(),
        ["simple-scaling", "short-cooldown"]
    );
    std::fs::write(&p, BASE).unwrap();
    assert!(variant_names(&p).unwrap().is_empty());
    let _ = std::fs::remove_dir_all(d);
}

#[test]
fn seed_override() {
    let o = LoadOptions {
        seed: Some(7),
        ..LoadOptions::default()
    };
    assert_eq!(load_with(FULL, &o).unwrap().seed, 7);
    // The override wins even over a bad seed in the file.
    let bad = FULL.replace("seed: 42", "seed: forty-two");
    assert_eq!(load_with(&bad, &o).unwrap().seed, 7);
    let e = errors(&bad);
    assert_eq!(
        e,
        ["x.yaml:4:7: seed: expected a whole number ≥ 0, found \"forty-two\""]
    );
}

// ------------------------------------------------------------------ traces

const TRACE_WORKLOAD: &str = "  - name: replay\n    to: { load_balancer: web }\n    rate: { pattern: trace, file: traces/t.csv, scale: 0.5 }\n";

fn with_trace(dir: &Path, csv: Option<&str>) -> Result<Scenario, Diagnostics> {
    if let Some(csv) = csv {
        std::fs::create_dir_all(dir.join("traces")).unwrap();
        std::fs::write(dir.join("traces/t.csv"), csv).unwrap();
    }
    let src = BASE.replace(
        "load_balancers:\n",
        &format!("{TRACE_WORKLOAD}load_balancers:\n"),
    );
    let p = dir.join("s.yaml");
    std::fs::write(&p, src).unwrap();
    load_file(&p, &opts())
}

#[test]
fn trace_files_are_read_relative_to_the_scenario() {
    let d = temp_dir("trace-ok");
    let s = with_trace(&d, Some("t_s,rps\n0,10\n60, 20.5\n120,0\n")).unwrap();
    match &s.workloads[1].rate {
        Rate::Trace { points, scale, .. } => {
            assert_eq!(points, &vec![(0.0, 10.0), (60.0, 20.5), (120.0, 0.0)]);
            assert_eq!(*scale, 0.5);
        }
        r => panic!("not a trace: {r:?}"),
    }
    let _ = std::fs::remove_dir_all(d);
}

#[test]
fn trace_problems_point_at_the_file_value() {
    let d = temp_dir("trace-bad");
    let p = d.join("s.yaml").display().to_string();
    let at = format!("{p}:9:35: workloads[replay].rate.file: ");
    let e = with_trace(&d, None).unwrap_err().to_string();
    assert!(e.starts_with(&at), "{e}");
    assert!(e.contains("cannot read trace file \"traces/t.csv\""), "{e}");
    for (csv, want) in [
        (
            "t,rps\n0,1\n",
            "must start with the header `t_s,rps`, found `t,rps`",
        ),
        (
            "t_s,rps\n0,1\n60,x\n",
            "trace file \"traces/t.csv\" line 3: rps must be a number ≥ 0, found \"x\"",
        ),
        (
            "t_s,rps\n0,1\n60,-1\n",
            "line 3: rps must be a number ≥ 0, found \"-1\"",
        ),
        (
            "t_s,rps\n60,1\n0,1\n",
            "line 3: t_s must increase from row to row (0 comes after 60)",
        ),
        (
            "t_s,rps\n0,1,2\n",
            "line 2: expected 2 columns (t_s,rps), found 3",
        ),
        ("t_s,rps\n", "has no rows"),
    ] {
        let e = with_trace(&d, Some(csv)).unwrap_err().to_string();
        assert!(e.starts_with(&at), "{e}");
        assert!(e.contains(want), "want `{want}` in {e}");
        assert_eq!(e.lines().count(), 1, "{e}");
    }
    let _ = std::fs::remove_dir_all(d);
}

// ------------------------------------------------------------------ never panic

/// Loads without panicking; any error must be well formed.
fn check_no_panic(src: &str) {
    let o = LoadOptions {
        sets: vec!["auto_scaling_groups[web].max=4".into()],
        ..LoadOptions::default()
    };
    for o in [&opts(), &o] {
        if let Err(d) = load_with(src, o) {
            assert!(!d.0.is_empty(), "an error with no diagnostics");
            for x in &d.0 {
                assert!(x.line >= 1 && x.col >= 1, "{x}");
                assert!(!x.message.is_empty(), "{x}");
                assert!(
                    !x.message.contains('\n') || x.message.contains("invalid YAML"),
                    "{x}"
                );
            }
        }
    }
}

#[test]
fn every_byte_mutation_of_a_valid_scenario_is_handled() {
    let bytes = BASE.as_bytes();
    for i in 0..bytes.len() {
        for repl in [
            b' ', b':', b'-', b'[', b'{', b'"', b'\'', b'#', b'&', b'*', b'!', b'\t', b'\n', b'0',
            b'x', b'|',
        ] {
            let mut m = bytes.to_vec();
            m[i] = repl;
            if let Ok(s) = std::str::from_utf8(&m) {
                check_no_panic(s);
            }
        }
        // Deletion and duplication of the byte.
        let mut del = bytes.to_vec();
        del.remove(i);
        check_no_panic(std::str::from_utf8(&del).unwrap());
        let mut dup = bytes.to_vec();
        dup.insert(i, bytes[i]);
        check_no_panic(std::str::from_utf8(&dup).unwrap());
    }
}

#[test]
fn line_truncations_and_shuffles_of_the_full_scenario_are_handled() {
    let lines: Vec<&str> = FULL.lines().collect();
    for i in 0..lines.len() {
        // Drop a line.
        let mut v = lines.clone();
        v.remove(i);
        check_no_panic(&v.join("\n"));
        // Truncate after a line.
        check_no_panic(&lines[..i].join("\n"));
        // Indent a line.
        let mut v: Vec<String> = lines.iter().map(|s| s.to_string()).collect();
        v[i] = format!("  {}", v[i]);
        check_no_panic(&v.join("\n"));
    }
}

fn yamlish() -> impl Strategy<Value = String> {
    let atom = prop_oneof![
        Just("name".to_string()),
        Just("duration".to_string()),
        Just("1h".to_string()),
        Just("30".to_string()),
        Just("-1".to_string()),
        Just("0.5".to_string()),
        Just("~".to_string()),
        Just("true".to_string()),
        Just("\"x\"".to_string()),
        Just("web".to_string()),
        Just("workloads".to_string()),
        Just("auto_scaling_groups".to_string()),
        Just("min".to_string()),
        Just("max".to_string()),
        Just("app".to_string()),
        Just("compute".to_string()),
        Just("rate".to_string()),
        Just("to".to_string()),
        Just("{dist: uniform, min: 1s}".to_string()),
        "[a-z_]{1,8}",
    ];
    let sep = prop_oneof![
        Just(": ".to_string()),
        Just("\n".to_string()),
        Just("\n  ".to_string()),
        Just("\n  - ".to_string()),
        Just("\n    ".to_string()),
        Just(", ".to_string()),
        Just(" [".to_string()),
        Just("]".to_string()),
        Just(" {".to_string()),
        Just("}".to_string()),
        Just(" &a ".to_string()),
        Just(" *a".to_string()),
        Just("\n<<: ".to_string()),
    ];
    proptest::collection::vec((atom, sep), 0..40).prop_map(|v| {
        let mut s = String::new();
        for (a, b) in v {
            s.push_str(&a);
            s.push_str(&b);
        }
        s
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_strings_never_panic(s in "\\PC{0,300}") {
        check_no_panic(&s);
    }

    #[test]
    fn yamlish_documents_never_panic(s in yamlish()) {
        check_no_panic(&s);
        check_no_panic(&format!("{BASE}{s}"));
    }

    #[test]
    fn mutated_scenarios_never_panic(
        edits in proptest::collection::vec((0usize..2000, "[ -~\\n\\t]{0,4}", 0usize..4), 1..6)
    ) {
        let mut s = FULL.to_string();
        for (at, text, del) in edits {
            let mut at = at % (s.len() + 1);
            while !s.is_char_boundary(at) { at -= 1; }
            let mut end = (at + del).min(s.len());
            while !s.is_char_boundary(end) { end += 1; }
            s.replace_range(at..end, &text);
        }
        check_no_panic(&s);
    }

    #[test]
    fn arbitrary_sets_never_panic(path in "[a-z_\\[\\]0-9.=]{0,40}", value in "\\PC{0,30}") {
        let o = LoadOptions { sets: vec![format!("{path}={value}")], ..LoadOptions::default() };
        let _ = load_with(FULL, &o);
        let o = LoadOptions { sets: vec![path.clone()], variant: Some(value), ..LoadOptions::default() };
        let _ = load_with(FULL, &o);
    }
}

#[test]
fn deep_nesting_is_refused_or_loaded_without_overflow() {
    for depth in [30usize, 63, 64, 65, 200] {
        let deep = format!("{}1{}", "[".repeat(depth), "]".repeat(depth));
        check_no_panic(&format!(
            "{BASE}variants:\n  - name: v\n    set: {{ description: {deep} }}\n"
        ));
        let o = sets(&[&format!("description={deep}")]);
        let _ = load_with(BASE, &o);
        let o = sets(&[&format!("variants={deep}")]);
        let _ = load_with(BASE, &o);
    }
}
