//! Dynamic scaling through the whole model: alarms, policies, cooldowns,
//! warm-up — checked against the documented rules on the public outputs.

use std::path::Path;
use stratus::run::{RunResult, simulate};
use stratus::scenario::{LoadOptions, load_file};

fn spike(variant: Option<&str>) -> RunResult {
    let opts = LoadOptions {
        variant: variant.map(str::to_string),
        ..LoadOptions::default()
    };
    let sc = load_file(Path::new("scenarios/policies-on-a-spike.yaml"), &opts)
        .unwrap_or_else(|d| panic!("{d}"));
    simulate(&sc, variant, &mut |_| {})
}

fn desired_changes(r: &RunResult) -> Vec<(f64, u32, u32)> {
    r.activities
        .iter()
        .filter(|a| a.kind == "scaling")
        .map(|a| {
            let w: Vec<&str> = a.description.split_whitespace().collect();
            let from: u32 = w[w.len() - 3].parse().expect("from");
            let to: u32 = w[w.len() - 1].parse().expect("to");
            (a.t as f64 / 1e9, from, to)
        })
        .collect()
}

#[test]
fn desired_capacity_stays_within_min_and_max_and_every_change_is_one_scaling_row() {
    for v in [None, Some("step"), Some("simple")] {
        let r = spike(v);
        let d = r.series.get("web", "GroupDesiredCapacity");
        assert!(d.iter().all(|p| (2.0..=12.0).contains(&p.1)), "{v:?}");
        let changes = desired_changes(&r);
        assert_eq!(
            changes.len() as u64,
            r.summary.auto_scaling_groups["web"].scaling_activities
        );
        // Each change starts from the previous one's result.
        let mut cur = 2;
        for (_, from, to) in &changes {
            assert_eq!(*from, cur, "{v:?} {changes:?}");
            cur = *to;
        }
        // Every launch and termination is in the history, one row each.
        let g = &r.summary.auto_scaling_groups["web"];
        assert_eq!(
            r.activities.iter().filter(|a| a.kind == "launch").count() as u64,
            g.launches
        );
        assert!(
            r.activities
                .iter()
                .filter(|a| a.kind == "terminate")
                .count() as u64
                >= g.terminations
        );
    }
}

#[test]
fn target_tracking_scales_out_to_ceil_n_times_metric_over_target() {
    let r = spike(None);
    let first = r
        .activities
        .iter()
        .find(|a| a.kind == "scaling")
        .expect("a scale-out");
    // The high alarm needs 3 datapoints above 50 % (the jump at 10 min, each
    // published a minute after its period): it fires at 14:00.
    assert_eq!(first.t, 14 * 60 * 1_000_000_000);
    assert!(
        first.cause.contains("TargetTracking-web-AlarmHigh-"),
        "{}",
        first.cause
    );
    // n = 2 instances past warm-up; the datapoint that fired was the latest
    // CPU average over them (min(100, ...)); new desired = ceil(2 × cpu / 50).
    let alarm = r
        .activities
        .iter()
        .find(|a| {
            a.kind == "alarm"
                && a.description.contains("AlarmHigh")
                && a.description.ends_with("to ALARM")
        })
        .expect("alarm row");
    let v: f64 = alarm
        .cause
        .split('[')
        .nth(1)
        .unwrap()
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let want = (2.0 * v / 50.0 - 1e-9).ceil() as u32;
    let (_, from, to) = desired_changes(&r)[0];
    assert_eq!((from, to), (2, want.min(12)));
}

#[test]
fn simple_scaling_never_acts_inside_its_cooldown() {
    let r = spike(Some("simple"));
    let changes = desired_changes(&r);
    assert!(changes.len() >= 3, "{changes:?}");
    // The cooldown (300 s) starts when the last instance of an activity is
    // done: in service after a scale-out (boot ≥ 60 s, so ≥ 360 s between
    // actions), drained after a scale-in (≥ 300 s).
    for w in changes.windows(2) {
        let gap = w[1].0 - w[0].0;
        let after_scale_out = w[0].2 > w[0].1;
        assert!(
            gap >= if after_scale_out { 360.0 } else { 300.0 },
            "{changes:?}"
        );
    }
    assert!(
        r.activities
            .iter()
            .any(|a| a.kind == "not_scaled" && a.description.contains("cooldown until")),
        "the blocked decisions are recorded"
    );
}

#[test]
fn step_scaling_adds_more_the_further_the_metric_is_above_the_threshold() {
    let r = spike(Some("step"));
    let changes = desired_changes(&r);
    // At 100 % CPU the metric is 40 above the 60 % threshold: the third step
    // (+4) applies to the instances past warm-up.
    let (_, from, to) = changes[0];
    assert_eq!(to, from + 4, "{changes:?}");
}
