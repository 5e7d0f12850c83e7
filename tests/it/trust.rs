//! Outputs that agree with each other (issue #11): facts of a run come from
//! its events, every total appears as the same number everywhere, each
//! alarm's series is exported, and random streams are per component and
//! purpose (common random numbers).

use crate::util::{run, scenario};
use stratus::run::simulate;
use stratus::world::Act;

const SCHEDULED: &str = r#"
name: trust
duration: 1h
metrics_period: PERIOD
workloads:
  - name: users
    to: { load_balancer: web }
    rate: 50
load_balancers:
  - name: web
    target_group: web
auto_scaling_groups:
  - name: web
    min: 1
    max: 10
    desired: 2
    availability_zones: [us-east-1a, us-east-1b]
    instance: { boot_time: { dist: uniform, min: 60s, max: 120s }, workers: 4 }
    app: [ { compute: 20ms } ]
    scheduled_actions:
      - { name: up, at: 10m, desired: 7 }
      - { name: down, at: 40m, desired: 2 }
"#;

#[test]
fn in_service_extremes_do_not_depend_on_the_metrics_period() {
    // With 30-minute or 2-hour samples the scale-out to 7 falls between
    // samples (or there is no sample at all); the facts of the run are 2–7
    // whatever the period.
    for period in ["1m", "30m", "2h"] {
        let r = run(&SCHEDULED.replace("PERIOD", period));
        let g = &r.summary.auto_scaling_groups["web"];
        assert_eq!(
            (g.min_in_service, g.max_in_service),
            (2, 7),
            "metrics_period {period}"
        );
    }
}

#[test]
fn the_total_cost_is_every_resource_and_every_output_shows_it() {
    for file in [
        "scenarios/quickstart.yaml",
        "scenarios/sqs-backlog-scaling.yaml",
        "scenarios/dynamodb-retry-storm.yaml",
    ] {
        let sc = stratus::scenario::load_file(std::path::Path::new(file), &Default::default())
            .unwrap_or_else(|d| panic!("{d}"));
        let r = simulate(&sc, None, &mut |_| {});
        let s = &r.summary;
        let cost = |v: &serde_json::Value| v["cost_usd"].as_f64().unwrap();
        let sum = s
            .auto_scaling_groups
            .values()
            .map(|g| g.cost_usd)
            .sum::<f64>()
            + s.load_balancers.values().map(|l| l.cost_usd).sum::<f64>()
            + s.queues.values().map(cost).sum::<f64>()
            + s.tables.values().map(cost).sum::<f64>();
        assert!(
            (s.cost_usd - sum).abs() < 1e-5,
            "{file}: {} vs {sum}",
            s.cost_usd
        );
        assert!(s.cost_usd > 0.0, "{file}");
        // The cost chart's total line ends at the same figure, and its
        // title says it.
        let files = stratus::report::render::dashboard(&sc, &r).unwrap();
        let svg = files
            .iter()
            .find(|f| f.0 == "charts/cost.svg")
            .map(|f| String::from_utf8_lossy(&f.1).to_string())
            .expect("a cost chart");
        assert!(
            svg.contains(&format!("total ${:.2}", s.cost_usd)),
            "{file}: the cost chart does not show ${:.2}",
            s.cost_usd
        );
        // The terminal summary too.
        let text = stratus::report::render::human_summary(&r, std::path::Path::new("x"), true);
        assert!(
            text.contains(&format!("cost       ${:.2} in all", s.cost_usd)),
            "{text}"
        );
    }
}

#[test]
fn the_load_balancer_totals_are_what_metrics_csv_adds_up_to() {
    // Refused requests are ELB 502s to CloudWatch; the summary keeps their
    // cause apart. Without retries each request is one attempt, so the two
    // accountings meet exactly.
    let sc = stratus::scenario::load_file(
        std::path::Path::new("scenarios/quickstart.yaml"),
        &Default::default(),
    )
    .unwrap();
    let r = simulate(&sc, None, &mut |_| {});
    let lb = &r.summary.load_balancers["web"];
    let e = &r.summary.requests.errors;
    assert!(e.instance_refused > 0, "the quickstart refuses requests");
    let csv = r.series.to_csv();
    for (metric, total) in &lb.cloudwatch {
        let sum: f64 = csv
            .lines()
            .filter(|l| l.contains(&format!(",web,{metric},")))
            .map(|l| l.rsplit(',').next().unwrap().parse::<f64>().unwrap())
            .sum();
        assert_eq!(sum, *total, "{metric}");
    }
    assert_eq!(
        lb.cloudwatch["HTTPCode_ELB_502_Count"] as u64,
        e.elb_502 + e.instance_refused
    );
    assert_eq!(
        r.summary.requests.error_rate_pct,
        stratus::report::summary::r6(
            100.0 * (r.summary.requests.total - r.summary.requests.ok) as f64
                / r.summary.requests.total as f64
        )
    );
}

#[test]
fn every_datapoint_an_alarm_cites_is_in_metrics_csv() {
    let sc = stratus::scenario::load_file(
        std::path::Path::new("scenarios/policies-on-a-spike.yaml"),
        &Default::default(),
    )
    .unwrap();
    let r = simulate(&sc, None, &mut |_| {});
    let mut checked = 0;
    for a in &r.activities {
        let Act::Alarm { alarm, .. } = &a.what else {
            continue;
        };
        let Some(list) = a.cause.split_once(" [").map(|x| x.1) else {
            continue;
        };
        // `[40.07 (05/01/26 09:14:00), …]`: the newest datapoint first.
        let value: f64 = list.split(' ').next().unwrap().parse().unwrap();
        let exported = r.series.get(alarm, "CPUUtilization");
        assert!(
            exported.iter().any(|p| (p.1 - value).abs() < 1e-6),
            "{alarm}: datapoint {value} of `{}` is not in its series",
            a.cause
        );
        checked += 1;
    }
    assert!(checked >= 3, "only {checked} alarm rows checked");
}

#[test]
fn an_unrelated_action_or_component_leaves_every_other_draw_unchanged() {
    // Common random numbers: the base scenario and a variant with one more
    // scheduled action (late by a random delay) and one more group must
    // see the same boot times, the same arrivals and the same service
    // times up to the new action.
    let base = SCHEDULED
        .replace("PERIOD", "10s")
        .replace("name: trust", "name: trust\nseed: 3")
        .replace(
            "    scheduled_actions:",
            "    scheduled_action_delay: { dist: uniform, min: 0s, max: 2m }\n    scheduled_actions:",
        );
    let variant = base.replace(
        "      - { name: down, at: 40m, desired: 2 }",
        "      - { name: down, at: 40m, desired: 2 }\n      - { name: extra, at: 50m, desired: 3 }",
    ) + r#"
  - name: batch
    min: 0
    max: 4
    desired: 1
    availability_zones: [us-east-1a]
    instance: { boot_time: { dist: uniform, min: 30s, max: 90s } }
    scheduled_actions:
      - { name: more, at: 5m, desired: 4 }
"#;
    let (a, b) = (run(&base), run(&variant));
    let before = |r: &stratus::run::RunResult, metric: &str| -> Vec<(f64, f64)> {
        r.series
            .get("web", metric)
            .into_iter()
            .filter(|p| p.0 < 49.0 * 60.0)
            .collect()
    };
    for m in [
        "GroupInServiceInstances",
        "GroupPendingInstances",
        "CPUUtilization",
    ] {
        assert_eq!(before(&a, m), before(&b, m), "{m}");
    }
    let rows = |r: &stratus::run::RunResult| -> Vec<(u64, String)> {
        r.activities
            .iter()
            .filter(|x| x.resource == "web" && x.t < 49 * 60_000_000_000)
            .map(|x| (x.t, x.description.clone()))
            .collect()
    };
    assert_eq!(rows(&a), rows(&b));
    let sc = scenario(&variant);
    assert_eq!(sc.auto_scaling_groups.len(), 2);
}

#[test]
fn metrics_and_activities_are_in_time_order() {
    let sc = stratus::scenario::load_file(
        std::path::Path::new("scenarios/policies-on-a-spike.yaml"),
        &Default::default(),
    )
    .unwrap();
    let r = simulate(&sc, None, &mut |_| {});
    assert!(r.series.rows.windows(2).all(|w| w[0].t <= w[1].t));
    assert!(r.activities.windows(2).all(|w| w[0].t <= w[1].t));
}
