//! Predictive scaling through whole runs, checked against what AWS documents
//! (`ASG:ec2-auto-scaling-predictive-scaling`, `aws-semantics.md` §1.9,
//! WE-12): no forecast before 24 hours of history, a forecast every 6 hours,
//! desired capacity raised to the forecast `SchedulingBufferTime` (300 s)
//! before each hour and never lowered, `forecast_only` never scaling, min and
//! max honoured unless `IncreaseMaxCapacity`.
//!
//! The traffic is a business day repeated (quiet nights, a busy 09:00–18:00),
//! sent evenly (`arrivals: uniform`) so each hour's load is exact and so is
//! the forecast: stratus's model repeats the mean of the same hour on the
//! earlier days, and with one earlier day that is the day itself.

use crate::util::{run, scenario};
use stratus::run::RunResult;
use stratus::scenario::{LoadOptions, load_str};

const S: u64 = 1_000_000_000;

/// A day's traffic repeated for three days: `night` requests/s from 00:00,
/// `day` from 09:00, `night` again from 18:00 (start 2026-01-05T00:00:00Z).
fn steps(night: f64, day: f64) -> String {
    let mut s = Vec::new();
    for d in 0..3 {
        for (h, r) in [(0, night), (9, day), (18, night)] {
            s.push(format!("{{ at: {}h, rps: {r} }}", d * 24 + h));
        }
    }
    s.join(", ")
}

/// A group behind a load balancer with one predictive policy `policy` (the
/// YAML map's inner text).
fn yaml(duration: &str, night: f64, day: f64, max: u32, policy: &str) -> String {
    format!(
        r#"
name: predictive-test
seed: 3
duration: {duration}
start_time: "2026-01-05T00:00:00Z"
workloads:
  - name: users
    to: {{ load_balancer: web }}
    arrivals: uniform
    rate: {{ pattern: step, steps: [ {steps} ] }}
load_balancers:
  - {{ name: web, target_group: web }}
auto_scaling_groups:
  - name: web
    availability_zones: [us-east-1a, us-east-1b]
    min: 2
    max: {max}
    desired: 2
    instance: {{ workers: 8, queue_limit: 100, boot_time: 60s }}
    app:
      - compute: 500ms
    scaling_policies:
      - {{ name: forecast, type: predictive, {policy} }}
"#,
        steps = steps(night, day)
    )
}

/// ALBRequestCount at 250 requests per target per minute: 24 requests/s by
/// day is 1,440 a minute, a forecast of ceil(5.76) = 6 instances; 4/s by
/// night is 240 a minute, ceil(0.96) = 1, held at min 2.
fn alb(duration: &str, mode: &str, extra: &str) -> RunResult {
    run(&yaml(
        duration,
        4.0,
        24.0,
        10,
        &format!("metric: ALBRequestCount, target: 250, mode: {mode}{extra}"),
    ))
}

/// (t in s, from, to) of each change of desired capacity.
fn desired_changes(r: &RunResult) -> Vec<(u64, u32, u32)> {
    r.activities
        .iter()
        .filter(|a| a.kind() == "scaling")
        .map(|a| {
            let w: Vec<&str> = a.description.split_whitespace().collect();
            let from = w[w.len() - 3].parse().expect("from");
            let to = w[w.len() - 1].parse().expect("to");
            (a.t / S, from, to)
        })
        .collect()
}

fn forecasts(r: &RunResult) -> Vec<u64> {
    r.activities
        .iter()
        .filter(|a| a.kind() == "predictive" && a.description.starts_with("Forecast"))
        .map(|a| a.t / S)
        .collect()
}

/// The PredictiveCapacityForecast of the metrics period starting at `t_s`.
fn forecast_at(r: &RunResult, resource: &str, t_s: f64) -> Option<f64> {
    r.series
        .get(resource, "PredictiveCapacityForecast")
        .into_iter()
        .find(|p| p.0 == t_s)
        .map(|p| p.1)
}

#[test]
fn forecast_and_scale_raises_desired_300_s_before_the_day_2_peak_and_never_lowers_it() {
    // 44 h: day 1, then day 2 up to 20:00 (past the evening drop at 18:00).
    let r = alb("44h", "forecast_and_scale", "");
    // The first forecast comes with 24 h of history, then every 6 hours.
    assert_eq!(
        forecasts(&r),
        vec![24 * 3600, 30 * 3600, 36 * 3600, 42 * 3600]
    );
    // The only change: 2 → 6 at 08:55 on day 2, the 09:00 hour's action
    // SchedulingBufferTime (300 s) early; nothing at 18:00 when the forecast
    // falls back to 1 (predictive scaling does not scale in).
    assert_eq!(desired_changes(&r), vec![(33 * 3600 - 300, 2, 6)]);
    let change = r.activities.iter().find(|a| a.kind() == "scaling").unwrap();
    assert!(
        change.cause.starts_with(
            "At 2026-01-06T08:55:00Z a scheduled action from predictive scaling policy forecast"
        ) && change
            .cause
            .contains("changing the desired capacity from 2 to 6."),
        "{}",
        change.cause
    );
    // The capacity is ready when the peak lands: launched at 08:55, booted
    // in 60 s, in service from 08:56 (the 09:00 period shows all six).
    let in_service = r.series.get("web", "GroupInServiceInstances");
    let at_nine = in_service.iter().find(|p| p.0 == (33 * 3600) as f64);
    assert_eq!(at_nine.map(|p| p.1), Some(6.0));
    // Desired capacity never goes down.
    let d = r.series.get("web", "GroupDesiredCapacity");
    assert!(d.windows(2).all(|w| w[1].1 >= w[0].1));
    assert_eq!(d.last().map(|p| p.1), Some(6.0));
    // The forecast in metrics.csv: 6 by day, 1 by night, from 24:00 on.
    assert_eq!(forecast_at(&r, "web", (33 * 3600) as f64), Some(6.0));
    assert_eq!(forecast_at(&r, "web", (30 * 3600) as f64), Some(1.0));
    assert_eq!(forecast_at(&r, "web", (43 * 3600) as f64), Some(1.0));
    assert_eq!(forecast_at(&r, "web", (23 * 3600) as f64), None);
}

#[test]
fn forecast_only_writes_forecasts_but_never_changes_desired_capacity() {
    let r = alb("44h", "forecast_only", "");
    assert_eq!(
        forecasts(&r),
        vec![24 * 3600, 30 * 3600, 36 * 3600, 42 * 3600]
    );
    assert_eq!(forecast_at(&r, "web", (33 * 3600) as f64), Some(6.0));
    assert!(desired_changes(&r).is_empty());
    assert_eq!(r.summary.auto_scaling_groups["web"].scaling_activities, 0);
    let d = r.series.get("web", "GroupDesiredCapacity");
    assert!(d.iter().all(|p| p.1 == 2.0));
    // AWS's default mode is ForecastOnly: leaving `mode` out does the same.
    let r = run(&yaml(
        "36h",
        4.0,
        24.0,
        10,
        "metric: ALBRequestCount, target: 250",
    ));
    assert_eq!(forecasts(&r).len(), 3);
    assert!(desired_changes(&r).is_empty());
}

#[test]
fn with_less_than_24_hours_of_history_nothing_is_forecast_or_scaled() {
    // The day-1 peak is there, but 23 h 59 min of history is not enough.
    let r = alb("23h59m", "forecast_and_scale", "");
    assert!(forecasts(&r).is_empty());
    assert!(desired_changes(&r).is_empty());
    assert!(r.series.get("web", "PredictiveCapacityForecast").is_empty());
}

#[test]
fn scheduling_buffer_time_moves_the_action_before_the_hour() {
    // 0 s: at 09:00 itself; 20 min: at 08:40.
    for (buffer, at) in [("0s", 33 * 3600), ("20m", 33 * 3600 - 1200)] {
        let r = alb(
            "34h",
            "forecast_and_scale",
            &format!(", scheduling_buffer_time: {buffer}"),
        );
        assert_eq!(desired_changes(&r), vec![(at, 2, 6)], "{buffer}");
    }
}

#[test]
fn cpu_pair_forecasts_total_cpu_over_the_target() {
    // 24 requests/s of 500 ms on 8-worker instances keep 12 workers busy:
    // total CPU 150 % (two instances at 75 %). At a 20 % target that is
    // ceil(7.5) = 8 instances; by night 4/s → 25 % → ceil(1.25) = 2.
    let r = run(&yaml(
        "34h",
        4.0,
        24.0,
        10,
        "metric: ASGCPUUtilization, target: 20, mode: forecast_and_scale",
    ));
    assert_eq!(desired_changes(&r), vec![(33 * 3600 - 300, 2, 8)]);
    assert_eq!(forecast_at(&r, "web", (33 * 3600) as f64), Some(8.0));
    assert_eq!(forecast_at(&r, "web", (25 * 3600) as f64), Some(2.0));
}

/// WE-12 through a run: the day's forecast is 50 instances against a max
/// of 40. ALBRequestCount at 10 per target per minute: 8.25 requests/s by
/// day is 495 a minute, ceil(49.5) = 50; 0.1/s by night, 1 (min 2).
fn we12(extra: &str) -> RunResult {
    run(&yaml(
        "34h",
        0.1,
        8.25,
        40,
        &format!("metric: ALBRequestCount, target: 10, mode: forecast_and_scale{extra}"),
    ))
}

#[test]
fn we_12_increase_max_capacity_with_a_10_percent_buffer_lets_desired_reach_the_forecast() {
    let r = we12(", max_capacity_buffer: 10");
    assert_eq!(forecast_at(&r, "web", (33 * 3600) as f64), Some(50.0));
    // Effective max = 50 × 1.1 = 55; desired rises to the forecast, 50.
    assert_eq!(desired_changes(&r), vec![(33 * 3600 - 300, 2, 50)]);
    let max = r.series.get("web", "GroupMaxSize");
    assert_eq!(max.last().map(|p| p.1), Some(55.0));
    assert_eq!(max.first().map(|p| p.1), Some(40.0));
    assert!(
        r.activities.iter().any(|a| a.kind() == "predictive"
            && a.description == "Raising the maximum capacity from 40 to 55"),
        "the raised maximum is in the history"
    );
    // The same, said explicitly.
    let r = we12(", max_capacity_breach_behavior: increase_max_capacity, max_capacity_buffer: 10");
    assert_eq!(desired_changes(&r), vec![(33 * 3600 - 300, 2, 50)]);
}

#[test]
fn we_12_buffer_0_scales_to_the_forecast_and_no_further() {
    let r = we12(", max_capacity_buffer: 0");
    assert_eq!(desired_changes(&r), vec![(33 * 3600 - 300, 2, 50)]);
    let max = r.series.get("web", "GroupMaxSize");
    assert_eq!(max.last().map(|p| p.1), Some(50.0));
}

#[test]
fn we_12_honor_max_capacity_never_goes_above_max() {
    for extra in ["", ", max_capacity_breach_behavior: honor_max_capacity"] {
        let r = we12(extra);
        assert_eq!(
            desired_changes(&r),
            vec![(33 * 3600 - 300, 2, 40)],
            "{extra}"
        );
        let d = r.series.get("web", "GroupDesiredCapacity");
        assert!(d.iter().all(|p| p.1 <= 40.0));
        assert!(
            r.series
                .get("web", "GroupMaxSize")
                .iter()
                .all(|p| p.1 == 40.0)
        );
        assert!(
            r.activities.iter().any(|a| a.kind() == "not_scaled"
                && a.description.contains("above the maximum capacity of 40")),
            "{extra}: the capped forecast is explained"
        );
    }
}

#[test]
fn only_the_documented_settings_are_accepted() {
    let bad = |policy: &str| -> String {
        let y = yaml("1h", 1.0, 1.0, 10, policy);
        match load_str(
            &y,
            "t.yaml",
            std::path::Path::new("."),
            &LoadOptions::default(),
        ) {
            Ok(_) => panic!("accepted: {policy}"),
            Err(d) => d.to_string(),
        }
    };
    // SchedulingBufferTime "must be less than … 3600 seconds".
    let e = bad("metric: ASGCPUUtilization, target: 50, scheduling_buffer_time: 1h");
    assert!(
        e.contains("scaling_policies[forecast].scheduling_buffer_time"),
        "{e}"
    );
    // MaxCapacityBuffer: 0 to 100; not with HonorMaxCapacity; required with
    // IncreaseMaxCapacity.
    let e = bad("metric: ASGCPUUtilization, target: 50, max_capacity_buffer: 101");
    assert!(e.contains("max_capacity_buffer"), "{e}");
    let e = bad(
        "metric: ASGCPUUtilization, target: 50, max_capacity_breach_behavior: honor_max_capacity, max_capacity_buffer: 10",
    );
    assert!(e.contains("max_capacity_buffer"), "{e}");
    let e = bad(
        "metric: ASGCPUUtilization, target: 50, max_capacity_breach_behavior: increase_max_capacity",
    );
    assert!(e.contains("max_capacity_buffer"), "{e}");
    // Metric pairs stratus models.
    let e = bad("metric: ASGNetworkIn, target: 50");
    assert!(e.contains("scaling_policies[forecast].metric"), "{e}");
    // Only one predictive policy may scale.
    let y = yaml(
        "1h",
        1.0,
        1.0,
        10,
        "metric: ASGCPUUtilization, target: 50, mode: forecast_and_scale",
    )
    .replace(
        "    scaling_policies:\n",
        "    scaling_policies:\n      - { name: other, type: predictive, metric: ASGCPUUtilization, target: 40, mode: forecast_and_scale }\n",
    );
    let e = load_str(
        &y,
        "t.yaml",
        std::path::Path::new("."),
        &LoadOptions::default(),
    )
    .err()
    .map(|d| d.to_string())
    .unwrap_or_default();
    assert!(e.contains("scaling_policies[forecast].mode"), "{e}");
    // The documented shape is fine.
    scenario(&yaml(
        "1h",
        1.0,
        1.0,
        10,
        "metric: ALBRequestCount, target: 1000, mode: forecast_and_scale, max_capacity_buffer: 10, scheduling_buffer_time: 10m",
    ));
}

#[test]
fn a_dynamic_scale_in_stops_at_the_hours_forecast() {
    // Target tracking at 1,000 requests per target wants 2 instances all day
    // (240 a minute per target at most); predictive scaling forecasts 6 for
    // 09:00–18:00. Each policy decides on its own and the larger capacity
    // wins (`ASG:predictive-scaling-policy-overview`): target tracking's
    // scale-in stops at 6 until the 18:00 hour, whose forecast (1, held at
    // min 2) lets it go.
    let text = yaml(
        "43h",
        4.0,
        24.0,
        10,
        "metric: ALBRequestCount, target: 250, mode: forecast_and_scale",
    ) + "      - { name: tt, type: target_tracking, metric: ALBRequestCountPerTarget, target: 1000 }\n";
    let r = run(&text);
    let changes = desired_changes(&r);
    let raise = changes
        .iter()
        .position(|c| c.0 == 33 * 3600 - 300 && c.2 == 6)
        .expect("the 08:55 predictive action");
    // Nothing lowers desired capacity between 08:55 and 18:00 on day 2 …
    let next = changes[raise + 1..].first().copied();
    assert!(next.is_none_or(|c| c.0 >= 42 * 3600 - 300), "{changes:?}");
    // … and target tracking's held scale-in is recorded with its reason.
    assert!(
        r.activities.iter().any(|a| a.kind() == "not_scaled"
            && a.t >= 33 * 3600 * S
            && a.cause
                .contains("predictive scaling forecasts 6 instances for this hour")),
        "no not_scaled row naming the forecast"
    );
    // After 18:00 the scale-in goes ahead.
    let last = changes.last().unwrap();
    assert!(last.0 >= 42 * 3600 - 300 && last.2 < 6, "{changes:?}");
}
