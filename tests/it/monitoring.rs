//! EC2 basic and detailed monitoring through whole runs, checked against
//! AWS's documented rules:
//! - basic monitoring gives EC2 metrics at five-minute granularity, detailed
//!   at one minute (`ASG:enable-as-instance-metrics`);
//! - an alarm checking every minute on a five-minute metric "might find no
//!   data available for as many as four out of every five periods" (same
//!   page), and what it does in those periods is the missing-data algorithm
//!   of `CW:AlarmThatSendsEmail`;
//! - target tracking's alarms keep a 60 s period
//!   (`API-ASG:TargetTrackingMetricStat.Period`), so scaling on 5-minute
//!   metrics gives "slower response times and scaling on stale metric data"
//!   (`ASG:as-scaling-target-tracking`);
//! - load balancer metrics are one-minute whatever the instances' monitoring
//!   (`ALB:load-balancer-cloudwatch-metrics`).
//!
//! Datapoints reach alarms `cloudwatch.publication_delay` (default 1 min)
//! after their period ends.

use crate::util::run;
use std::path::Path;
use stratus::run::{RunResult, simulate};
use stratus::scenario::{LoadOptions, load_file};

const MIN: u64 = 60_000_000_000;
/// The default publication delay.
const DELAY: u64 = MIN;

fn lesson(variant: Option<&str>) -> RunResult {
    let opts = LoadOptions {
        variant: variant.map(str::to_string),
        ..LoadOptions::default()
    };
    let sc = load_file(Path::new("scenarios/basic-monitoring.yaml"), &opts)
        .unwrap_or_else(|d| panic!("{d}"));
    simulate(&sc, variant, &mut |_| {})
}

/// Minutes since the start, for messages.
fn minutes(t: u64) -> f64 {
    t as f64 / MIN as f64
}

/// The alarm rows whose description names `alarm`: (time, new state).
fn transitions(r: &RunResult, alarm: &str) -> Vec<(u64, String)> {
    r.activities
        .iter()
        .filter(|a| a.kind() == "alarm" && a.description.contains(alarm))
        .map(|a| {
            let to = a
                .description
                .rsplit(" to ")
                .next()
                .unwrap_or("")
                .to_string();
            (a.t, to)
        })
        .collect()
}

/// The first number in brackets of a reason: the newest datapoint shown.
fn first_datapoint(reason: &str) -> f64 {
    reason
        .split('[')
        .nth(1)
        .and_then(|s| s.split(' ').next())
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no datapoint in {reason}"))
}

/// Every datapoint value in brackets of a reason.
fn datapoints(reason: &str) -> Vec<f64> {
    let list = reason.split('[').nth(1).unwrap_or("");
    let list = list.split(']').next().unwrap_or("");
    list.split(", ")
        .filter_map(|d| d.split(' ').next())
        .filter_map(|v| v.parse().ok())
        .collect()
}

/// Activities and summary (without the wall-clock time): everything a run
/// writes that could depend on the monitoring setting.
fn fingerprint(r: &RunResult) -> (Vec<String>, serde_json::Value) {
    let rows = r
        .activities
        .iter()
        .map(|a| {
            format!(
                "{}|{}|{}|{}|{}",
                a.t,
                a.resource,
                a.kind(),
                a.description,
                a.cause
            )
        })
        .collect();
    let mut s = serde_json::to_value(&r.summary).expect("summary json");
    s.as_object_mut().expect("object").remove("wall_s");
    (rows, s)
}

// ---------------------------------------------------------------------------
// The lesson scenario: one spike, detailed vs basic
// ---------------------------------------------------------------------------

#[test]
fn basic_monitoring_scales_out_later_and_on_stale_data() {
    let d = lesson(None);
    let b = lesson(Some("basic"));
    let first = |r: &RunResult| {
        r.activities
            .iter()
            .find(|a| a.kind() == "scaling")
            .expect("a scale-out")
            .clone()
    };
    let (fd, fb) = (first(&d), first(&b));
    // Detailed: traffic quadruples at 12:00; the one-minute datapoints of
    // 12–13, 13–14 and 14–15 are above 50 %, the third is published at
    // 16:00 and AlarmHigh (3 of 3) fires then.
    assert_eq!(fd.t, 16 * MIN, "{}", fd.cause);
    // Basic: the first 5-minute datapoint that holds the spike covers
    // 10–15 and is published at 16:00; the one-minute AlarmHigh finds it
    // alone in its range (`- - - - X`, too recent) and alarms when it is
    // three periods old (`- - X - -`, premature-alarm rule): 18:00.
    assert_eq!(fb.t, 18 * MIN, "{}", fb.cause);
    assert!(fb.cause.contains("TargetTracking-web-AlarmHigh-"));

    // Stale data: the datapoint that fired averages two quiet minutes with
    // three saturated ones, so it is well below the saturated minutes that
    // detailed monitoring saw one by one.
    let fired = |r: &RunResult| {
        r.activities
            .iter()
            .find(|a| {
                a.kind() == "alarm"
                    && a.description.contains("AlarmHigh")
                    && a.description.ends_with("to ALARM")
            })
            .expect("AlarmHigh to ALARM")
            .cause
            .clone()
    };
    let (cd, cb) = (fired(&d), fired(&b));
    let vd = datapoints(&cd).into_iter().fold(0.0, f64::max);
    let vb = first_datapoint(&cb);
    assert!(vd > 95.0, "detailed saw a saturated minute: {cd}");
    assert!(vb < vd - 10.0, "basic {vb} vs detailed {vd}");
    // The basic datapoint is stamped with its 5-minute period's start.
    let row = b
        .activities
        .iter()
        .find(|a| a.kind() == "alarm" && a.description.ends_with("to ALARM"))
        .unwrap();
    assert!(row.cause.contains(" 09:10:00)"), "{}", row.cause);
    let to_of = |desc: &str| -> u32 { desc.rsplit(' ').next().unwrap().parse().unwrap() };
    assert_eq!(
        to_of(&fb.description),
        (2.0 * vb / 50.0 - 1e-9).ceil() as u32,
        "ceil(n × metric / target) on the stale datapoint"
    );
    // Sized on the stale average, basic's first step is below what the
    // saturated minute detailed monitoring saw would have asked for.
    assert!(to_of(&fb.description) < (2.0 * vd / 50.0 - 1e-9).ceil() as u32);

    // With basic monitoring AlarmHigh moves only when a datapoint arrives
    // (a 5-minute boundary + the delay) or two minutes later (the
    // premature-alarm rule).
    for (t, to) in transitions(&b, "AlarmHigh") {
        let phase = (t - DELAY) % (5 * MIN);
        let want = if to == "ALARM" { 2 * MIN } else { 0 };
        assert_eq!(phase, want, "AlarmHigh to {to} at {} min", minutes(t));
    }

    // What it costs: more requests refused while the fleet is short.
    let err = |r: &RunResult| r.summary.requests.total - r.summary.requests.ok;
    assert!(
        err(&b) as f64 > 1.5 * err(&d) as f64,
        "errors basic {} vs detailed {}",
        err(&b),
        err(&d)
    );
}

#[test]
fn basic_monitoring_runs_are_deterministic() {
    // The 5-minute averages are summed in instance order, so the same seed
    // gives the same bytes.
    assert_eq!(
        fingerprint(&lesson(Some("basic"))),
        fingerprint(&lesson(Some("basic")))
    );
}

// ---------------------------------------------------------------------------
// Alarms on a basic-monitoring group, scenario by scenario
// ---------------------------------------------------------------------------

/// Two instances (no room to scale: max = min = 2) behind a load balancer;
/// traffic from 150 to 600 requests/s at 12 min and back at 30 min, so CPU
/// goes from ~37 % to 100 % and back. `policies` is the YAML list.
fn fixed_pair(monitoring: &str, policies: &str) -> String {
    format!(
        r#"
name: monitoring-test
seed: 5
duration: 45m
workloads:
  - name: w
    to: {{ load_balancer: lb }}
    rate: {{ pattern: step, steps: [ {{ at: 0s, rps: 150 }}, {{ at: 12m, rps: 600 }}, {{ at: 30m, rps: 150 }} ] }}
    timeout: 10s
load_balancers:
  - {{ name: lb, target_group: web }}
auto_scaling_groups:
  - name: web
    min: 2
    max: 2
    instance: {{ workers: 8, queue_limit: 100, monitoring: {monitoring} }}
    app:
      - compute: {{ dist: lognormal, mean: 40ms, cv: 0.5 }}
    scaling_policies: {policies}
"#
    )
}

const ALARMS_1M_AND_5M: &str = r#"
      - name: one-minute
        type: simple
        adjustment: 1
        alarm: { name: cpu-1m, metric: CPUUtilization, statistic: Average, comparison: ">=",
                 threshold: 60, period: 1m, evaluation_periods: 1, treat_missing_data: ignore }
      - name: five-minute
        type: simple
        adjustment: 1
        alarm: { name: cpu-5m, metric: CPUUtilization, statistic: Average, comparison: ">=",
                 threshold: 60, period: 5m, evaluation_periods: 1 }
"#;

#[test]
fn basic_cpu_alarms_change_state_only_at_five_minute_boundaries_plus_the_delay() {
    let b = run(&fixed_pair("basic", ALARMS_1M_AND_5M));
    for alarm in ["cpu-1m", "cpu-5m"] {
        let tr = transitions(&b, alarm);
        // OK, then ALARM for the spike, then OK again.
        let states: Vec<&str> = tr.iter().map(|x| x.1.as_str()).collect();
        assert_eq!(states, vec!["OK", "ALARM", "OK"], "{alarm}: {tr:?}");
        for (t, to) in &tr {
            assert_eq!(
                (t - DELAY) % (5 * MIN),
                0,
                "{alarm} to {to} at {} min",
                minutes(*t)
            );
        }
        // The spike's first 5-minute datapoint (10–15) is published at 16:00.
        assert_eq!(tr[1].0, 16 * MIN, "{alarm}");
    }
    // Each 5-minute datapoint is the average of the instances over the five
    // minutes: the metrics' own per-minute CPU averages to the same value.
    let row = b
        .activities
        .iter()
        .find(|a| a.description.contains("cpu-5m") && a.description.ends_with("to ALARM"))
        .unwrap();
    let v = first_datapoint(&row.cause);
    let cpu = b.series.get("web", "CPUUtilization");
    // Series rows are stamped with their period's start, in seconds.
    let window: Vec<f64> = cpu
        .iter()
        .filter(|p| (600.0..900.0).contains(&p.0))
        .map(|p| p.1)
        .collect();
    assert_eq!(window.len(), 5, "{cpu:?}");
    let mean = window.iter().sum::<f64>() / 5.0;
    assert!(
        (v - mean).abs() < 0.5,
        "datapoint {v} vs mean of minutes {mean}"
    );

    // Detailed: the one-minute alarm sees the spike's first minute (12–13)
    // at 14:00, off any 5-minute boundary.
    let d = run(&fixed_pair("detailed", ALARMS_1M_AND_5M));
    let tr = transitions(&d, "cpu-1m");
    assert_eq!(tr[1], (14 * MIN, "ALARM".to_string()), "{tr:?}");
}

fn one_minute_alarm(treat: &str) -> String {
    format!(
        r#"
      - name: add
        type: simple
        adjustment: 1
        cooldown: 60s
        alarm: {{ name: cpu-high, metric: CPUUtilization, statistic: Average, comparison: ">=",
                 threshold: 80, period: 1m, evaluation_periods: 1, treat_missing_data: {treat} }}
"#
    )
}

/// Two to six instances at a steady ~37 % CPU (150 requests/s), watched by a
/// one-minute, one-period alarm at 80 %: it should never fire on the data.
fn steady(monitoring: &str, treat: &str) -> RunResult {
    run(&format!(
        r#"
name: steady
seed: 3
duration: 31m
workloads:
  - name: w
    to: {{ load_balancer: lb }}
    rate: 150
    timeout: 10s
load_balancers:
  - {{ name: lb, target_group: web }}
auto_scaling_groups:
  - name: web
    min: 2
    max: 6
    instance: {{ workers: 8, queue_limit: 100, monitoring: {monitoring} }}
    app:
      - compute: {{ dist: lognormal, mean: 40ms, cv: 0.5 }}
    scaling_policies: {}
"#,
        one_minute_alarm(treat)
    ))
}

#[test]
fn a_one_minute_alarm_between_five_minute_datapoints_follows_treat_missing_data() {
    // With N = 1 the evaluation range is 3 periods: the datapoint of each
    // 5-minute period is in range for three minutes (the one it arrives in
    // and two more); in the other two the range is empty and the treatment
    // decides (CW:AlarmThatSendsEmail, "- - - - -" row).
    let at = |tr: &[(u64, String)]| -> Vec<(u64, String)> {
        tr.iter().map(|(t, s)| (*t / MIN, s.clone())).collect()
    };
    let s = |x: &str| x.to_string();

    // missing: INSUFFICIENT_DATA for two minutes of every five. Datapoints
    // for periods ending at 5, 10, … min arrive at 6, 11, … min; the range
    // is empty at 9, 14, … min.
    let r = steady("basic", "missing");
    let tr = at(&transitions(&r, "cpu-high"));
    assert_eq!(
        &tr[..4],
        &[
            (6, s("OK")),
            (9, s("INSUFFICIENT_DATA")),
            (11, s("OK")),
            (14, s("INSUFFICIENT_DATA"))
        ]
    );
    assert!(tr.iter().all(|x| x.1 != "ALARM"));

    // breaching: the empty minutes count as breaching, so the alarm fires
    // on no data at all and the group scales out at a steady 37 % CPU.
    let r = steady("basic", "breaching");
    let tr = at(&transitions(&r, "cpu-high"));
    assert_eq!(
        &tr[..4],
        &[
            (2, s("ALARM")),
            (6, s("OK")),
            (9, s("ALARM")),
            (11, s("OK"))
        ]
    );
    assert!(r.summary.auto_scaling_groups["web"].scaling_activities >= 1);
    // Every scale-out comes in a minute whose range held no datapoint: the
    // minute evaluated (one before the clock, for the delay) is one of the
    // two empty ones of its five, or before the first datapoint.
    for a in r.activities.iter().filter(|a| a.kind() == "scaling") {
        let evaluated = a.t / MIN - 1;
        assert!(
            evaluated < 5 || matches!(evaluated % 5, 3 | 4),
            "scale-out at {} min",
            minutes(a.t)
        );
    }

    // notBreaching: the empty minutes are fine: OK from the first minute.
    // ignore: the state stays as the datapoints left it.
    for (treat, first) in [("not_breaching", 2), ("ignore", 6)] {
        let r = steady("basic", treat);
        assert_eq!(
            at(&transitions(&r, "cpu-high")),
            vec![(first, s("OK"))],
            "{treat}"
        );
        assert_eq!(r.summary.auto_scaling_groups["web"].scaling_activities, 0);
    }

    // Detailed monitoring: a datapoint every minute, the treatment never
    // matters: OK at 2:00 and nothing else.
    for treat in ["missing", "breaching", "not_breaching", "ignore"] {
        let r = steady("detailed", treat);
        assert_eq!(
            at(&transitions(&r, "cpu-high")),
            vec![(2, s("OK"))],
            "{treat}"
        );
    }
}

#[test]
fn a_step_policy_on_a_one_minute_alarm_scales_on_the_five_minute_datapoint() {
    // 2 of 2 one-minute periods, range 4: the 10–15 datapoint (published at
    // 16:00) is alone in its range and alarms once it is two periods old
    // (premature-alarm rule) at 17:00, a minute without a datapoint of its
    // own. The step is chosen on the breach of that latest datapoint.
    let policy = r#"{ name: out, type: step, adjustment_type: ChangeInCapacity,
          alarm: { name: cpu-step, metric: CPUUtilization, statistic: Average, comparison: ">=",
                   threshold: 60, period: 1m, evaluation_periods: 2 },
          steps: [ { lower: 0, upper: 20, adjustment: 1 }, { lower: 20, adjustment: 3 } ] }"#;
    let b = spike(Some("basic"), policy);
    let alarm = b
        .activities
        .iter()
        .find(|a| a.description.contains("cpu-step") && a.description.ends_with("to ALARM"))
        .expect("the step alarm fires");
    assert_eq!(alarm.t, 17 * MIN, "{}", alarm.cause);
    let v = first_datapoint(&alarm.cause);
    let first = b
        .activities
        .iter()
        .find(|a| a.kind() == "scaling")
        .expect("a scale-out");
    assert_eq!(first.t, 17 * MIN);
    let add = if v - 60.0 < 20.0 { 1 } else { 3 };
    assert!(
        first
            .description
            .ends_with(&format!("from 2 to {}", 2 + add)),
        "datapoint {v}: {}",
        first.description
    );
}

// ---------------------------------------------------------------------------
// What does not change
// ---------------------------------------------------------------------------

/// The spike of the lesson on a group that scales on a load balancer
/// metric, or on CPU (`policy`), with `monitoring` (None: not set).
fn spike(monitoring: Option<&str>, policy: &str) -> RunResult {
    let m = monitoring
        .map(|m| format!(", monitoring: {m}"))
        .unwrap_or_default();
    run(&format!(
        r#"
name: spike
seed: 9
duration: 45m
workloads:
  - name: w
    to: {{ load_balancer: lb }}
    rate: {{ pattern: step, steps: [ {{ at: 0s, rps: 150 }}, {{ at: 12m, rps: 600 }}, {{ at: 35m, rps: 150 }} ] }}
    timeout: 10s
load_balancers:
  - {{ name: lb, target_group: web }}
auto_scaling_groups:
  - name: web
    min: 2
    max: 12
    default_instance_warmup: 120s
    instance: {{ workers: 8, queue_limit: 100{m} }}
    app:
      - compute: {{ dist: lognormal, mean: 40ms, cv: 0.5 }}
    scaling_policies:
      - {policy}
"#
    ))
}

const ALB_POLICY: &str =
    "{ name: per-target, type: target_tracking, metric: ALBRequestCountPerTarget, target: 6000 }";
const CPU_POLICY: &str =
    "{ name: cpu50, type: target_tracking, metric: ASGAverageCPUUtilization, target: 50 }";

#[test]
fn load_balancer_metric_policies_ignore_the_group_monitoring() {
    // ALB metrics are one-minute whatever the instances' monitoring: the
    // whole run is the same.
    let d = spike(Some("detailed"), ALB_POLICY);
    let b = spike(Some("basic"), ALB_POLICY);
    assert!(d.summary.auto_scaling_groups["web"].scaling_activities >= 1);
    assert_eq!(fingerprint(&d), fingerprint(&b));
    // A CPU policy on the same spike does depend on it.
    assert_ne!(
        fingerprint(&spike(Some("detailed"), CPU_POLICY)).0,
        fingerprint(&spike(Some("basic"), CPU_POLICY)).0
    );
}

#[test]
fn monitoring_defaults_to_detailed() {
    let default = spike(None, CPU_POLICY);
    assert_eq!(
        fingerprint(&default),
        fingerprint(&spike(Some("detailed"), CPU_POLICY))
    );
    // And detailed means one-minute data: AlarmHigh fires three datapoints
    // after the jump (12–15) plus the delay, at 16:00, which basic
    // monitoring cannot do (its datapoint for 10–15 fires it at 18:00).
    let first = default
        .activities
        .iter()
        .find(|a| a.kind() == "scaling")
        .expect("a scale-out");
    assert_eq!(first.t, 16 * MIN);
}
