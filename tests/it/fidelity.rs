//! Behaviour as real AWS accounts were recorded doing it (issue 13;
//! `docs/src/background/recorded-fidelity.md`). Each test builds the recorded
//! configuration and checks the recorded figure within the record's own
//! precision; the comment names the record and its grade (A: AWS docs or
//! two independent captures, B: one real capture).

use stratus::run::RunResult;
use stratus::world::Activity;

const S: u64 = 1_000_000_000;
const MIN: u64 = 60 * S;

fn rows<'a>(r: &'a RunResult, kind: &str, text: &str) -> Vec<&'a Activity> {
    r.activities
        .iter()
        .filter(|a| a.kind() == kind && (a.cause.contains(text) || a.description.contains(text)))
        .collect()
}

fn with_seed(yaml: &str, seed: u64) -> RunResult {
    crate::util::run(&yaml.replace("seed: 1\n", &format!("seed: {seed}\n")))
}

/// The 2026 us-east-1 lab record (grade B): a 2-instance group behind an
/// ALB with ELB health checks; one instance stopped at t = 0 → shown
/// Unhealthy at 21–36 s → termination activity at 45 s → replacement
/// launch 2 s after the termination.
const STOPPED: &str = r#"
name: stopped
seed: 1
duration: 10m
workloads: [ { name: w, to: { load_balancer: lb }, rate: 20 } ]
load_balancers: [ { name: lb, target_group: g } ]
auto_scaling_groups:
  - name: g
    availability_zones: [us-east-1a, us-east-1b]
    min: 2
    max: 2
    health_check: { type: ELB, grace_period: 300s }
    instance: { boot_time: 20s }
    app: [ { compute: 20ms } ]
faults:
  - { at: 2m, kind: instance_failure, auto_scaling_group: g, count: 1, mode: stopped }
"#;

#[test]
fn a_stopped_instance_is_found_by_the_periodic_health_check_as_recorded() {
    let stop = 2 * MIN;
    for seed in 1..=10 {
        let r = with_seed(STOPPED, seed);
        let seen = rows(&r, "health", "terminated or stopped was reported");
        assert_eq!(seen.len(), 1, "seed {seed}");
        let d = seen[0].t - stop;
        assert!(
            (21 * S..=36 * S).contains(&d),
            "seed {seed}: Unhealthy after {d} ns"
        );
        let term = rows(&r, "terminate", "terminated or stopped");
        assert_eq!(term.len(), 1, "seed {seed}");
        assert_eq!(term[0].t - stop, 45 * S, "seed {seed}: termination");
        let launch = rows(&r, "launch", "an unhealthy instance needing to be replaced");
        assert_eq!(launch.len(), 1, "seed {seed}");
        assert_eq!(
            launch[0].t - term[0].t,
            2 * S,
            "seed {seed}: replacement launch"
        );
        let g = &r.summary.auto_scaling_groups["g"];
        assert_eq!(
            (g.launches, g.terminations, g.scaling_activities),
            (3, 1, 0)
        );
    }
}

/// The scenario format: the initial fleet starts past its health check
/// grace period, so a fault in its first `grace` seconds is acted on.
#[test]
fn the_initial_fleet_starts_past_its_grace_period() {
    let r = crate::util::run(
        r#"
name: grace
duration: 10m
workloads: [ { name: w, to: { load_balancer: lb }, rate: 20 } ]
load_balancers:
  - { name: lb, target_group: g, health_check: { interval: 10s, timeout: 2s } }
auto_scaling_groups:
  - { name: g, min: 2, max: 2, health_check: { type: ELB, grace_period: 300s },
      app: [ { compute: 10ms } ] }
faults:
  - { at: 1m, kind: instance_failure, auto_scaling_group: g, count: 1, mode: hung }
"#,
    );
    let term = rows(&r, "terminate", "ELB system health check failure");
    assert_eq!(term.len(), 1);
    // Two failed checks 10 s apart, then the next periodic health check:
    // well inside the first 300 s.
    assert!(term[0].t < 2 * MIN, "terminated at {} s", term[0].t / S);
}

fn run_file(file: &str, variant: Option<&str>, seed: u64) -> RunResult {
    let opts = stratus::scenario::LoadOptions {
        variant: variant.map(str::to_string),
        seed: Some(seed),
        ..Default::default()
    };
    let sc = stratus::scenario::load_file(std::path::Path::new(file), &opts)
        .unwrap_or_else(|d| panic!("{d}"));
    stratus::run::simulate(&sc, variant, &mut |_| {})
}

/// The 2026 lab record (grade B): an instance is InService and registered
/// before its application answers; its target goes `initial` (53 s after
/// launch) → `unhealthy` (89 s) → `healthy` (592 s). Recorded configuration:
/// ALB checks 30 s apart, 2 to fail, 5 to pass; the application answering
/// ~400 s after InService. Precision: one run (others took 464–545 s from
/// launch to healthy), so ±30 s, one check interval.
#[test]
fn an_instance_is_in_service_before_its_application_answers() {
    let r = crate::util::run(
        r#"
name: ready
duration: 15m
workloads: [ { name: w, to: { load_balancer: lb }, rate: 10 } ]
load_balancers:
  - { name: lb, target_group: g,
      health_check: { interval: 30s, timeout: 5s, healthy_threshold: 5, unhealthy_threshold: 2 } }
auto_scaling_groups:
  - name: g
    min: 1
    max: 2
    desired: 1
    health_check: { type: ELB, grace_period: 900s }
    instance: { boot_time: 53s, app_start: 400s }
    app: [ { compute: 10ms } ]
    scheduled_actions: [ { name: two, at: 0s, desired: 2 } ]
"#,
    );
    let launch = rows(&r, "launch", "a scheduled action")[0].t;
    let states: Vec<(u64, &str)> = r
        .activities
        .iter()
        .filter(|a| a.kind() == "health" && a.resource == "lb")
        .map(|a| (a.t - launch, a.description.rsplit(' ').next().unwrap_or("")))
        .collect();
    assert_eq!(
        states.iter().map(|s| s.1).collect::<Vec<_>>(),
        ["unhealthy", "healthy"],
        "{states:?}"
    );
    // initial at 53 s (registration at InService), unhealthy after two
    // failed checks: 53 s + (30..60 s) ∋ 89 s.
    assert!((83 * S..=113 * S).contains(&states[0].0), "{states:?}");
    assert!((562 * S..=622 * S).contains(&states[1].0), "{states:?}");
    // The ALB routes around a target that is not healthy while another is.
    assert_eq!(r.summary.requests.errors.instance_refused, 0);
    assert_eq!(r.summary.auto_scaling_groups["g"].terminations, 0);
}

/// Requests routed to an instance whose application does not answer yet
/// fail as an ALB answers a refused connection: 502 (`ALB:load-balancer-
/// troubleshooting`, "The target refused the connection"), counted as
/// instance_refused. With its only target not healthy the ALB fails open
/// and routes to it (WE-21); before any target is registered it answers 503.
#[test]
fn requests_to_an_application_not_yet_started_get_502() {
    let r = crate::util::run(
        r#"
name: ready
duration: 10m
workloads: [ { name: w, to: { load_balancer: lb }, arrivals: uniform, rate: 10 } ]
load_balancers: [ { name: lb, target_group: g, health_check: { interval: 10s } } ]
auto_scaling_groups:
  - name: g
    min: 0
    max: 1
    desired: 0
    instance: { boot_time: 60s, app_start: 120s }
    app: [ { compute: 10ms } ]
    scheduled_actions: [ { name: one, at: 0s, desired: 1 } ]
"#,
    );
    let e = &r.summary.requests.errors;
    // 0–60 s: nothing registered, 503 (about 600 requests); 60–180 s: the
    // target refuses, 502 (about 1200); then it answers.
    assert!((590..=610).contains(&e.elb_503), "{e:?}");
    assert!((1190..=1210).contains(&e.instance_refused), "{e:?}");
    assert!(r.summary.requests.ok > 4000);
}

/// The 2026 lab record (grade B): grace 420 s shorter than bootstrap 348 s
/// plus ALB checks (≈ 8 min to healthy) → every replacement terminated
/// ~8 min after launch, again and again, until grace was raised to 900 s.
#[test]
fn the_grace_period_loop_appears_with_short_grace_and_not_with_long() {
    for seed in 1..=10 {
        let short = run_file("scenarios/grace-period-loop.yaml", None, seed);
        let loops = rows(&short, "terminate", "ELB system health check failure");
        assert!(
            loops.len() >= 5,
            "seed {seed}: {} replacements",
            loops.len()
        );
        for t in &loops {
            // Each was launched 7–8.5 min before its termination.
            let id = t.description.rsplit(' ').next().unwrap();
            let launched = short
                .activities
                .iter()
                .find(|a| a.kind() == "launch" && a.description.ends_with(id))
                .expect("its launch")
                .t;
            let age = t.t - launched;
            assert!((420 * S..=510 * S).contains(&age), "seed {seed}: {age}");
        }
        let long = run_file("scenarios/grace-period-loop.yaml", Some("long-grace"), seed);
        assert!(
            rows(&long, "terminate", "ELB system health check failure").is_empty(),
            "seed {seed}"
        );
        let healthy = long.series.get("web", "HealthyHostCount");
        assert_eq!(healthy.last().map(|p| p.1), Some(2.0), "seed {seed}");
    }
}

/// Several records (grade A): alarm state change → scaling activity start
/// 29 s (2013), 18–33 s (2018), 7 s (2024). The desired capacity changes
/// at the alarm (its `scaling` row, whose cause opens "At T a monitor
/// alarm …"); the launch starts 7–33 s later (`alarm_action_delay`).
#[test]
fn the_launch_starts_7_to_33_s_after_the_alarm() {
    let yaml = r#"
name: delay
seed: 1
duration: 12m
workloads: [ { name: w, to: { load_balancer: lb }, rate: { pattern: step, steps: [ {at: 0s, rps: 50}, {at: 3m, rps: 400} ] } } ]
load_balancers: [ { name: lb, target_group: g } ]
auto_scaling_groups:
  - name: g
    min: 2
    max: 6
    app: [ { compute: 30ms } ]
    scaling_policies:
      - { name: add, type: step, adjustment_type: ChangeInCapacity, steps: [ { lower: 0, adjustment: 1 } ],
          alarm: { metric: CPUUtilization, statistic: Average, comparison: ">=", threshold: 60,
                   period: 1m, evaluation_periods: 1 } }
"#;
    let mut delays = Vec::new();
    for seed in 1..=10 {
        let r = with_seed(yaml, seed);
        let scaling = r
            .activities
            .iter()
            .find(|a| a.kind() == "scaling")
            .expect("a scale-out");
        assert_eq!(
            scaling.t % MIN,
            0,
            "the desired capacity changes at the alarm's minute"
        );
        let launch = r
            .activities
            .iter()
            .find(|a| a.kind() == "launch" && a.t >= scaling.t && a.t > 0)
            .expect("its launch");
        let d = launch.t - scaling.t;
        assert!((7 * S..=33 * S).contains(&d), "seed {seed}: {d}");
        assert!(launch.cause.starts_with(&scaling.cause), "{}", launch.cause);
        delays.push(d);
    }
    // A distribution, not a constant.
    assert!(delays.iter().any(|&d| d != delays[0]));
}

fn cooldown_gap(lb: bool) -> (u64, u64) {
    let (to, lbs, app_start) = if lb {
        (
            "{ load_balancer: lb }",
            "load_balancers: [ { name: lb, target_group: g, health_check: { interval: 30s } } ]",
            "150s",
        )
    } else {
        ("{ queue: q }", "queues: [ { name: q } ]", "0s")
    };
    let yaml = format!(
        r#"
name: cooldown
duration: 20m
workloads: [ {{ name: w, to: {to}, rate: 10 }} ]
{lbs}
auto_scaling_groups:
  - name: g
    min: 1
    max: 3
    desired: 1
    alarm_action_delay: 0s
    instance: {{ boot_time: 33s, app_start: {app_start} }}
    app: [ {{ compute: 10ms }} ]
    scaling_policies:
      - {{ name: add, type: simple, adjustment_type: ChangeInCapacity, adjustment: 1, cooldown: 300s,
          alarm: {{ metric: CPUUtilization, statistic: Average, comparison: ">=", threshold: 0,
                   period: 1m, evaluation_periods: 1 }} }}
"#
    );
    let r = crate::util::run(&yaml);
    let launch = r
        .activities
        .iter()
        .find(|a| a.kind() == "launch" && a.t > 0)
        .expect("a launch");
    let cooldown = r
        .activities
        .iter()
        .find(|a| a.kind() == "cooldown")
        .expect("a cooldown");
    let healthy = r
        .activities
        .iter()
        .find(|a| a.kind() == "health" && a.description.ends_with("now healthy"))
        .map(|a| a.t);
    if lb {
        assert_eq!(
            healthy,
            Some(cooldown.t),
            "the launch completes when the target is healthy"
        );
    }
    (launch.t, cooldown.t - launch.t)
}

/// The 2018 ap-northeast-1 blog record (grade B): a launch activity behind
/// an ALB lasts until the instance passes its health checks: 332–333 s,
/// 33 s without a load balancer. Recorded configuration: 33 s to
/// InService; behind the ALB the ALB's default checks (30 s apart, 5 to
/// pass) and an application answering 150 s after InService. The
/// simple policy's cooldown starts when the activity completes (AWS docs,
/// `ASG:ec2-auto-scaling-scaling-cooldowns`).
#[test]
fn a_launch_behind_a_load_balancer_lasts_until_it_is_healthy() {
    let (_, without) = cooldown_gap(false);
    assert_eq!(without, 33 * S);
    let (_, with) = cooldown_gap(true);
    // The target fails its first checks (initial → unhealthy), the
    // application answers at 33 + 150 s, and 5 passing checks 30 s apart
    // later it is healthy: 303–333 s.
    assert!((303 * S..=333 * S).contains(&with), "{with}");
}

/// DrC0okie/HEIG_CLD_Labo3 (2023, grade B): simple scaling with a 300 s
/// cooldown on a sustained breach (JMeter load, ALB, 5-minute CPU) steps
/// about 9–10 min apart (1→2 at ≈08:01, 2→3 at ≈08:10): the cooldown
/// starts when the activity completes, i.e. when the new instance is
/// healthy, and the alarm on 5-minute data is re-evaluated every 5 min.
#[test]
fn simple_scaling_steps_are_9_to_10_minutes_apart_on_a_sustained_breach() {
    let yaml = r#"
name: heig
seed: 1
duration: 40m
workloads: [ { name: jmeter, to: { load_balancer: lb }, rate: 20 } ]
load_balancers: [ { name: lb, target_group: g } ]
auto_scaling_groups:
  - name: g
    min: 1
    max: 4
    desired: 1
    health_check: { type: ELB, grace_period: 300s }
    # A CPU-bound job keeps the breach sustained however many instances
    # there are, without overloading them (their health checks pass).
    # EC2 as recorded (OS reachable 22-26 s), an application that answers a
    # minute later, the ALB's default checks (initial -> unhealthy -> 5
    # passes): healthy about 3.5-4 min after launch.
    instance: { workers: 8, queue_limit: 100, monitoring: basic, background_cpu: 80,
                boot_time: { dist: uniform, min: 16s, max: 26s }, app_start: 60s }
    app: [ { compute: 10ms } ]
    scaling_policies:
      - { name: add, type: simple, adjustment_type: ChangeInCapacity, adjustment: 1, cooldown: 300s,
          alarm: { metric: CPUUtilization, statistic: Average, comparison: ">", threshold: 50,
                   period: 5m, evaluation_periods: 1 } }
"#;
    for seed in 1..=5 {
        let r = with_seed(yaml, seed);
        let steps: Vec<u64> = r
            .activities
            .iter()
            .filter(|a| a.kind() == "scaling")
            .map(|a| a.t)
            .collect();
        assert!(steps.len() >= 3, "seed {seed}: {steps:?}");
        for w in steps.windows(2) {
            let gap = w[1] - w[0];
            assert!(
                (9 * MIN..=10 * MIN).contains(&gap),
                "seed {seed}: {steps:?}"
            );
        }
    }
}

fn alarm_reason<'a>(r: &'a RunResult, name_part: &str) -> &'a str {
    &r.activities
        .iter()
        .find(|a| {
            a.kind() == "alarm"
                && a.description.contains(name_part)
                && a.description.ends_with("to ALARM")
        })
        .unwrap_or_else(|| panic!("no {name_part} alarm"))
        .cause
}

/// Target tracking alarms AWS created (several records, grade A): AlarmLow
/// below 0.9 × target for CPU (EC2 CPU 50 → 45); 0.7 × target seen for an
/// ASG custom metric (20 → 14, grade B).
#[test]
fn target_tracking_alarm_low_ratio_depends_on_the_metric_kind() {
    let r = crate::util::run(
        r#"
name: tt
duration: 25m
workloads: [ { name: w, to: { load_balancer: lb }, rate: 5 } ]
load_balancers: [ { name: lb, target_group: g } ]
auto_scaling_groups:
  - name: g
    min: 1
    max: 4
    desired: 3
    app: [ { compute: 10ms } ]
    scaling_policies: [ { name: cpu, type: target_tracking, metric: ASGAverageCPUUtilization, target: 50 } ]
"#,
    );
    assert!(
        alarm_reason(&r, "AlarmLow").contains("the threshold (45.0)"),
        "{}",
        alarm_reason(&r, "AlarmLow")
    );
    let q = crate::util::run(
        r#"
name: tt
duration: 25m
workloads: [ { name: w, to: { queue: q }, rate: 1 } ]
queues: [ { name: q } ]
auto_scaling_groups:
  - name: g
    min: 1
    max: 4
    desired: 3
    consumer: { queue: q, processing: 100ms }
    scaling_policies: [ { name: backlog, type: target_tracking, metric: SQSBacklogPerInstance, queue: q, target: 20 } ]
"#,
    );
    assert!(
        alarm_reason(&q, "AlarmLow").contains("the threshold (14.0)"),
        "{}",
        alarm_reason(&q, "AlarmLow")
    );
}

const TABLE: &str = r#"
name: ddb
duration: 30m
metrics_period: 1m
workloads:
  - { name: w, to: { table: t }, rate: { pattern: step, steps: [ {at: 0s, rps: 2}, {at: 5m, rps: 40} ] },
      operation: { op: put, item_size: 1KB } }
tables:
  - name: t
    read_capacity: 5
    write_capacity: 10
    auto_scaling: { write: { min: 5, max: 200, target: 70 } }
"#;

/// Live probe 2026 (us-west-2, grade A): for a 70 % target AWS created
/// AlarmHigh 2 of 2 above 70 % and AlarmLow 15 of 15 below 50 % (the
/// target − 20 points); a capacity change is visible after 4.4 s and the
/// activity completes at 30–34 s.
#[test]
fn dynamodb_auto_scaling_alarms_and_timing_as_recorded() {
    let r = crate::util::run(TABLE);
    let high = alarm_reason(&r, "AlarmHigh");
    assert!(
        high.contains("2 out of the last 2") && high.contains("the threshold (70.0)"),
        "{high}"
    );
    let set: Vec<&Activity> = r
        .activities
        .iter()
        .filter(|a| {
            a.kind() == "table_scaling"
                || a.description.starts_with("Setting write capacity units to")
        })
        .collect();
    let first = set.first().expect("a scale-out");
    let new: f64 = first
        .description
        .trim_start_matches("Setting write capacity units to ")
        .trim_end_matches('.')
        .parse()
        .unwrap();
    // The period holding the change averages the old and the new capacity:
    // when the new one took effect, from that average.
    let prov = r.series.get("t", "ProvisionedWriteCapacityUnits");
    let t0 = (first.t / S) as f64;
    let avg = prov.iter().find(|p| p.0 == t0).expect("the period").1;
    let effective = 60.0 * (1.0 - (avg - 10.0) / (new - 10.0));
    assert!(
        (effective - 4.4).abs() < 0.05,
        "effective after {effective} s"
    );
    // After the load falls... not here: the idle-table test below.
    let low = crate::util::run(
        &TABLE
            .replace("{at: 5m, rps: 40}", "{at: 1m, rps: 0}")
            .replace("write_capacity: 10", "write_capacity: 50"),
    );
    let l = alarm_reason(&low, "AlarmLow");
    assert!(
        l.contains("15 out of the last 15") && l.contains("the threshold (50.0)"),
        "{l}"
    );
}

fn idle_table(policy_at: Option<&str>) -> RunResult {
    let actions = policy_at.map_or(String::new(), |at| {
        format!(
            "actions:\n  - {{ at: {at}, action: put_scaling_policy, table: t, dimension: write }}\n"
        )
    });
    crate::util::run(&format!(
        r#"
name: idle
duration: 40m
tables:
  - {{ name: t, read_capacity: 5, write_capacity: 5, auto_scaling: {{ write: {{ min: 1, max: 10, target: 70 }} }} }}
{actions}"#
    ))
}

fn scaled_in_at(r: &RunResult) -> u64 {
    let set = r
        .activities
        .iter()
        .find(|a| a.description == "Setting write capacity units to 1.")
        .expect("scaled in to Min");
    assert!(
        set.cause.starts_with("monitor alarm ") && set.cause.contains("AlarmLow"),
        "{}",
        set.cause
    );
    set.t
}

/// Live probe 2026 (grade A): an idle table scales in — WCU 5, Min 1, no
/// traffic: set to 1 about 619 s after the policy was created. A run that
/// starts with the table and its policy together: stratus publishes zero
/// consumption for an idle minute, so AlarmLow (15 of 15) fires after 15
/// minutes plus the one-minute publication delay, 960 s.
#[test]
fn an_idle_table_scales_in_to_its_minimum() {
    assert_eq!(scaled_in_at(&idle_table(None)), 960 * S);
}

/// The same probe, as it was made: the policy put on a table that already
/// existed (`put_scaling_policy` action). 15 one-minute datapoints cannot
/// fit in 619 s, so the new AlarmLow read datapoints from before it existed,
/// as CloudWatch alarms do (`CW:AlarmThatSendsEmail`: with data missing soon
/// after an alarm is created and the metric reported before, "CloudWatch
/// retrieves the most recent data points from before the alarm was
/// created"). The table's 15th idle minute is published 960 s after its
/// creation whenever the policy came, so the scale-in lands 960 s − age
/// after the policy (at the policy's first evaluation if the table is older
/// than that). Assumed, not recorded: the probe does not give the table's
/// age; 619 s means the table was 341 s (5 min 41 s) old, which is what
/// the figure implies, so this test checks the mechanism at several ages
/// and the record's figure at that implied one (one probe, to the second).
#[test]
fn a_policy_put_on_an_existing_idle_table_reads_its_earlier_minutes() {
    for (at, age_s) in [("1m", 60u64), ("5m41s", 341), ("10m", 600)] {
        let r = idle_table(Some(at));
        assert_eq!(
            scaled_in_at(&r) - age_s * S,
            (960 - age_s) * S,
            "policy at {at}"
        );
        let put = r
            .activities
            .iter()
            .find(|a| a.kind() == "user_action")
            .expect("the PutScalingPolicy row");
        assert_eq!(put.t, age_s * S);
        // Its first AlarmLow datapoints are from before the policy.
        let low = alarm_reason(&r, "AlarmLow");
        assert!(low.contains("15 out of the last 15"), "{low}");
        // No alarm row before the policy exists.
        assert!(
            !r.activities
                .iter()
                .any(|a| a.kind() == "alarm" && a.t < age_s * S)
        );
    }
    assert_eq!(
        scaled_in_at(&idle_table(Some("5m41s"))) - 341 * S,
        619 * S,
        "the probe's 619 s"
    );
    // A table older than 15 minutes: AlarmLow fires at the policy's first
    // evaluation (the next published minute).
    let old = idle_table(Some("20m30s"));
    assert_eq!(scaled_in_at(&old), 21 * MIN);
}

// ------------------------------------------------------------ user actions

const GROUP: &str = r#"
name: actions
duration: 30m
workloads: [ { name: w, to: { load_balancer: lb }, rate: 10 } ]
load_balancers: [ { name: lb, target_group: g, deregistration_delay: 0s } ]
auto_scaling_groups:
  - { name: g, min: 1, max: 6, desired: 2, alarm_action_delay: 0s, app: [ { compute: 10ms } ] }
"#;

fn with_actions(base: &str, actions: &str) -> RunResult {
    crate::util::run(&format!("{base}actions:\n{actions}"))
}

/// AWS's wording of user requests (asg-activity-causes.csv, grade A:
/// user_set_desired, user_update_constraints, user_terminate_decrement,
/// detach).
#[test]
fn user_actions_are_written_in_aws_words() {
    let r = with_actions(
        GROUP,
        r#"  - { at: 2m, action: set_desired_capacity, auto_scaling_group: g, desired: 4 }
  - { at: 8m, action: update_auto_scaling_group, auto_scaling_group: g, min: 5 }
  - { at: 12m, action: terminate_instance, auto_scaling_group: g, decrement: true }
  - { at: 13m, action: update_auto_scaling_group, auto_scaling_group: g, min: 1 }
  - { at: 14m, action: terminate_instance, auto_scaling_group: g, decrement: true }
  - { at: 16m, action: terminate_instance, auto_scaling_group: g }
  - { at: 20m, action: detach_instance, auto_scaling_group: g, decrement: true }
  - { at: 22m, action: modify_target_group, load_balancer: lb, health_check: { interval: 10s } }
"#,
    );
    let at = |m: u64| r.activities.iter().filter(move |a| a.t == m * MIN);
    let scaling: Vec<&Activity> = at(2).filter(|a| a.kind() == "scaling").collect();
    assert_eq!(scaling.len(), 1);
    let t = "2026-01-05T09:02:00Z";
    assert_eq!(
        scaling[0].cause,
        format!(
            "At {t} a user request explicitly set group desired capacity changing the desired capacity from 2 to 4."
        )
    );
    let launches: Vec<&Activity> = at(2).filter(|a| a.kind() == "launch").collect();
    assert_eq!(launches.len(), 2);
    assert!(launches.iter().all(|a| a.cause == format!("{}  At {t} an instance was started in response to a difference between desired and actual capacity, increasing the capacity from 2 to 4.", scaling[0].cause)));
    let up = at(8)
        .find(|a| a.kind() == "scaling")
        .expect("min 5 raises desired");
    assert_eq!(
        up.cause,
        "At 2026-01-05T09:08:00Z a user request update of AutoScalingGroup constraints to min: 5, desired: 5 changing the desired capacity from 4 to 5."
    );
    // 12 min: desired equals min (5), so AWS refuses a decrement.
    assert!(at(12).any(|a| a.kind() == "user_action" && a.cause.contains("violate")));
    assert!(!at(12).any(|a| a.kind() == "terminate"));
    let term = at(14)
        .find(|a| a.kind() == "terminate")
        .expect("terminated");
    let id = term
        .description
        .trim_start_matches("Terminating EC2 instance: ");
    assert!(term.cause.starts_with(&format!("At 2026-01-05T09:14:00Z instance {id} was taken out of service in response to a user request, shrinking the capacity from ")), "{}", term.cause);
    assert!(at(14).any(|a| a.kind() == "scaling"));
    assert!(!at(14).any(|a| a.kind() == "launch"));
    let term = at(16)
        .find(|a| a.kind() == "terminate")
        .expect("terminated");
    assert!(
        term.cause.ends_with("in response to a user request."),
        "{}",
        term.cause
    );
    let again = at(16).find(|a| a.kind() == "launch").expect("replaced");
    assert!(again.cause.starts_with("At 2026-01-05T09:16:00Z an instance was started in response to a difference between desired and actual capacity"), "{}", again.cause);
    let det = at(20).find(|a| a.kind() == "detach").expect("detached");
    assert!(det.description.starts_with("Detaching EC2 instance: i-"));
    assert!(
        det.cause
            .contains("was detached in response to a user request, shrinking the capacity from"),
        "{}",
        det.cause
    );
    assert!(
        at(22).any(|a| a.kind() == "user_action" && a.description.contains("ModifyTargetGroup"))
    );
}

/// Live probe 2026 (grade A): raising Min above the current capacity
/// applies at once — "Setting read capacity units to 10." caused by
/// "minimum capacity was set to 10" at 0 s.
///
/// Same probe (grade A): a manual capacity inside [Min, Max] is reverted
/// by the policy after 82 s on an idle table. The mechanism: the user's
/// UpdateTable leaves the table UPDATING for `update_time` (recorded
/// 30–34 s), when DynamoDB takes no other UpdateTable, so the policy —
/// re-invoked every minute while AlarmLow stays in ALARM — sets the value
/// back at its first re-invocation after the table is ACTIVE: 32–92 s
/// after the call, depending on where in the alarm's minute it falls (one
/// probe, its phase unrecorded; 82 s is inside). Checked at five phases;
/// 38 s into the minute gives exactly 82 s.
#[test]
fn table_bounds_and_manual_capacity_as_recorded() {
    let base = r#"
name: table-actions
duration: 25m
tables:
  - name: t
    read_capacity: 5
    write_capacity: 1
    auto_scaling: { read: { min: 1, max: 20, target: 70 }, write: { min: 1, max: 20, target: 70 } }
"#;
    for phase in [0u64, 15, 30, 38, 45] {
        let r = with_actions(
            base,
            &format!(
                "  - {{ at: 1m, action: register_scalable_target, table: t, dimension: read, min: 10 }}\n  - {{ at: 20m{phase}s, action: update_table, table: t, write_capacity: 5 }}\n"
            ),
        );
        let set = r
            .activities
            .iter()
            .find(|a| a.description == "Setting read capacity units to 10.")
            .expect("min applied");
        assert_eq!(set.t, MIN);
        assert_eq!(set.cause, "minimum capacity was set to 10");
        let call = 20 * MIN + phase * S;
        let revert = r
            .activities
            .iter()
            .find(|a| a.t > call && a.description == "Setting write capacity units to 1.")
            .unwrap_or_else(|| panic!("phase {phase}: not reverted"));
        let after = (revert.t - call) / S;
        assert!(
            (32..=92).contains(&after),
            "phase {phase}: reverted after {after} s"
        );
        if phase == 38 {
            assert_eq!(after, 82);
        }
        assert!(revert.cause.contains("AlarmLow"), "{}", revert.cause);
        // The manual value was in effect meanwhile (4.4 s after the call).
        let prov = r.series.get("t", "ProvisionedWriteCapacityUnits");
        assert!(prov.iter().any(|p| p.1 > 1.5), "phase {phase}: {prov:?}");
    }
}

/// DynamoDB takes one UpdateTable at a time: a call while the table is
/// UPDATING is refused (`ResourceInUseException`, `API-DDB:UpdateTable`).
#[test]
fn update_table_while_updating_is_refused() {
    let r = with_actions(
        r#"
name: busy
duration: 5m
tables:
  - { name: t, read_capacity: 5, write_capacity: 5 }
"#,
        "  - { at: 1m, action: update_table, table: t, write_capacity: 10 }\n  - { at: 1m10s, action: update_table, table: t, write_capacity: 20 }\n  - { at: 2m, action: update_table, table: t, write_capacity: 30 }\n",
    );
    let refused: Vec<&Activity> = r
        .activities
        .iter()
        .filter(|a| a.description == "UpdateTable refused")
        .collect();
    assert_eq!(refused.len(), 1, "{refused:?}");
    assert_eq!(refused[0].t, 70 * S);
    assert!(refused[0].cause.starts_with("ResourceInUseException"));
    let prov = r.series.get("t", "ProvisionedWriteCapacityUnits");
    // The refused 20 never applied: the minute from 2m averages 10 for
    // 4.4 s and 30 after.
    let m2 = prov.iter().find(|p| p.0 == 120.0).expect("minute 2").1;
    assert!(
        (m2 - (10.0 * 4.4 + 30.0 * 55.6) / 60.0).abs() < 1e-6,
        "{prov:?}"
    );
    assert_eq!(prov.last().unwrap().1, 30.0);
}

#[test]
fn a_bad_action_is_reported_with_its_path() {
    let yaml = format!(
        "{GROUP}actions:\n  - {{ at: 1m, action: set_desired_capacity, auto_scaling_group: gg }}\n"
    );
    let e = match stratus::scenario::load_str(
        &yaml,
        "x.yaml",
        std::path::Path::new("."),
        &Default::default(),
    ) {
        Ok(_) => panic!("accepted"),
        Err(d) => d.to_string(),
    };
    assert!(
        e.contains("actions[0].auto_scaling_group: no auto scaling group named \"gg\""),
        "{e}"
    );
    assert!(
        e.contains("actions[0].desired: a SetDesiredCapacity action needs `desired`"),
        "{e}"
    );
    assert!(e.contains("x.yaml:"), "{e}");
}

// ------------------------------------------------------------ closed loop

/// The machine-repairman (closed M/M/c with an infinite-server think
/// stage) model's exact throughput and response time for `n` users:
/// birth-death chain on the number at the station, with arrival rate
/// (N − k)/Z and service rate min(k, c)/S; R from the response time law
/// N = X (R + Z) (Kleinrock, Queueing Systems vol. 1, §3.10; Lazowska et
/// al., Quantitative System Performance, ch. 6).
fn repairman(n: u32, c: u32, s: f64, z: f64) -> (f64, f64) {
    let mut p = vec![1.0f64];
    for k in 0..n {
        let up = (n - k) as f64 / z;
        let down = (k + 1).min(c) as f64 / s;
        p.push(p[k as usize] * up / down);
    }
    let total: f64 = p.iter().sum();
    let x: f64 = p
        .iter()
        .enumerate()
        .map(|(k, pk)| pk / total * (k as u32).min(c) as f64 / s)
        .sum();
    (x, n as f64 / x - z)
}

#[test]
fn the_repairman_formula_matches_mean_value_analysis_for_one_server() {
    // Exact MVA for one queueing station and a delay: R(k) = S (1 + Q(k−1)).
    let (s, z) = (0.1, 1.0);
    let mut q = 0.0;
    let (mut x, mut r) = (0.0, 0.0);
    for k in 1..=10 {
        r = s * (1.0 + q);
        x = k as f64 / (r + z);
        q = x * r;
    }
    let (x2, r2) = repairman(10, 1, s, z);
    assert!(
        (x - x2).abs() < 1e-9 && (r - r2).abs() < 1e-9,
        "{x} {x2} {r} {r2}"
    );
}

/// Closed-loop load against theory: N users with exponential think time on
/// c workers with exponential service is the machine-repairman model,
/// whose throughput and mean response time are exact (above).
#[test]
fn closed_loop_users_match_the_machine_repairman_model() {
    for (users, workers, service_ms) in [(10u32, 1u32, 100u64), (10, 2, 200)] {
        let r = crate::util::run(&format!(
            r#"
name: closed
duration: 4h
workloads:
  - {{ name: vu, to: {{ load_balancer: lb }}, rate: 0,
       users: {{ count: {users}, think_time: {{ dist: exponential, mean: 1s }} }} }}
load_balancers: [ {{ name: lb, target_group: g }} ]
auto_scaling_groups:
  - {{ name: g, min: 1, max: 1, instance: {{ workers: {workers}, queue_limit: 1000 }},
      app: [ {{ compute: {{ dist: exponential, mean: {service_ms}ms }} }} ] }}
"#
        ));
        let (x, rt) = repairman(users, workers, service_ms as f64 / 1000.0, 1.0);
        let sim_x = r.summary.requests.total as f64 / (4.0 * 3600.0);
        let sim_r = r.summary.requests.latency_ms.mean / 1000.0;
        assert_eq!(r.summary.requests.ok, r.summary.requests.total);
        assert!(
            (sim_x / x - 1.0).abs() < 0.02,
            "c={workers}: X {sim_x} vs {x}"
        );
        assert!(
            (sim_r / rt - 1.0).abs() < 0.03,
            "c={workers}: R {sim_r} vs {rt}"
        );
    }
}

/// A user count that varies (a step, as a tester raises JMeter's thread
/// count): each stretch at a constant count is the machine-repairman model
/// of that many users, so each hour's throughput matches its exact value.
#[test]
fn closed_loop_user_count_as_a_pattern_matches_the_model_per_stretch() {
    let r = crate::util::run(
        r#"
name: closed-steps
duration: 3h
workloads:
  - { name: vu, to: { load_balancer: lb }, rate: 0,
      users: { count: { pattern: step, steps: [ {at: 0s, rps: 3}, {at: 1h, rps: 12}, {at: 2h, rps: 6} ] },
               think_time: { dist: exponential, mean: 1s } } }
load_balancers: [ { name: lb, target_group: g } ]
auto_scaling_groups:
  - { name: g, min: 1, max: 1, instance: { workers: 1, queue_limit: 1000 },
      app: [ { compute: { dist: exponential, mean: 100ms } } ] }
"#,
    );
    let counts = r.series.get("lb", "RequestCount");
    for (hour, users) in [(0u32, 3u32), (1, 12), (2, 6)] {
        // Skip each hour's first two minutes (users leaving finish first).
        let lo = hour as f64 * 3600.0 + 120.0;
        let hi = (hour + 1) as f64 * 3600.0;
        let (n, mins) = counts
            .iter()
            .filter(|p| p.0 >= lo && p.0 < hi)
            .fold((0.0, 0.0), |a, p| (a.0 + p.1, a.1 + 1.0));
        let sim_x = n / (mins * 60.0);
        let (x, _) = repairman(users, 1, 0.1, 1.0);
        assert!(
            (sim_x / x - 1.0).abs() < 0.03,
            "hour {hour}, {users} users: X {sim_x} vs {x}"
        );
    }
}

/// Offered load falls as latency rises: the same users on a slower
/// service send fewer requests (an open workload would not).
#[test]
fn closed_loop_offered_load_falls_as_latency_rises() {
    let run = |ms: u64| {
        crate::util::run(&format!(
            r#"
name: closed
duration: 30m
workloads:
  - {{ name: vu, to: {{ load_balancer: lb }}, rate: 0, users: {{ count: 50, think_time: 500ms }} }}
load_balancers: [ {{ name: lb, target_group: g }} ]
auto_scaling_groups:
  - {{ name: g, min: 1, max: 1, instance: {{ workers: 4, queue_limit: 1000 }}, app: [ {{ compute: {ms}ms }} ] }}
"#
        ))
        .summary
        .requests
        .total
    };
    let (fast, slow) = (run(10), run(100));
    // 50 users / 0.51 s ≈ 98/s; at 100 ms on 4 workers the station caps it
    // at 40/s.
    assert!(
        fast as f64 > 90.0 * 1800.0 && (slow as f64) < 41.0 * 1800.0,
        "{fast} {slow}"
    );
}

/// `instance.background_cpu` (a pattern, percent of the instance) is
/// counted in CPUUtilization on top of the requests' CPU.
#[test]
fn background_cpu_counts_in_cpu_utilization() {
    let r = crate::util::run(
        r#"
name: bg
duration: 10m
workloads: [ { name: w, to: { load_balancer: lb }, arrivals: uniform, rate: 20 } ]
load_balancers: [ { name: lb, target_group: g } ]
auto_scaling_groups:
  - name: g
    min: 1
    max: 1
    instance: { workers: 2, background_cpu: { pattern: step, steps: [ {at: 0s, rps: 0}, {at: 5m, rps: 30} ] } }
    app: [ { compute: 50ms } ]
"#,
    );
    // Requests: 20/s × 50 ms on 2 workers = 50 %; then + 30 %.
    let cpu = r.series.get("g", "CPUUtilization");
    for (t, v) in &cpu {
        let want = if *t < 300.0 { 50.0 } else { 80.0 };
        assert!((v - want).abs() < 1.5, "{t}: {v}");
    }
}

/// Failed launches (kubernetes/autoscaler#1263, aws-cli example, lab
/// record; grade A): Description "Launching a new EC2 instance.  Status
/// Reason: {reason}. Launching EC2 instance failed.", StatusCode Failed or
/// Cancelled; the group keeps retrying.
#[test]
fn launch_failures_are_written_as_aws_does_and_retried() {
    let r = crate::util::run(
        r#"
name: lf
duration: 15m
workloads: [ { name: w, to: { load_balancer: lb }, rate: 10 } ]
load_balancers: [ { name: lb, target_group: g } ]
auto_scaling_groups:
  - name: g
    min: 1
    max: 4
    desired: 2
    app: [ { compute: 10ms } ]
    scheduled_actions: [ { name: more, at: 1m, desired: 4 } ]
faults:
  - { at: 30s, kind: launch_failure, auto_scaling_group: g, duration: 4m, reason: InsufficientInstanceCapacity }
"#,
    );
    let failed: Vec<&Activity> = r
        .activities
        .iter()
        .filter(|a| a.kind() == "launch_failed")
        .collect();
    assert!(failed.len() >= 4, "{}", failed.len());
    assert!(failed.iter().all(|a| a.description
        == "Launching a new EC2 instance.  Status Reason: InsufficientInstanceCapacity. Launching EC2 instance failed."
        && a.details.starts_with("StatusCode Failed")));
    assert!(
        failed[0]
            .cause
            .contains("a scheduled action update of AutoScalingGroup constraints"),
        "{}",
        failed[0].cause
    );
    // Retried until the window ends at 4.5 min, then launched.
    assert!(failed.iter().all(|a| a.t >= MIN && a.t < 270 * S));
    let late: Vec<&Activity> = r
        .activities
        .iter()
        .filter(|a| a.kind() == "launch" && a.t >= 270 * S)
        .collect();
    assert_eq!(late.len(), 2, "{late:?}");
    assert_eq!(r.summary.auto_scaling_groups["g"].max_in_service, 4);
}

// ------------------------------------------------------------ standby, detach

/// A group behind a load balancer whose requests take 10 s, so an instance
/// leaving it always has requests in flight.
const SLOW: &str = r#"
name: standby
duration: 30m
workloads: [ { name: w, to: { load_balancer: lb }, arrivals: uniform, rate: 1 } ]
load_balancers: [ { name: lb, target_group: g, deregistration_delay: 300s } ]
auto_scaling_groups:
  - { name: g, min: 1, max: 4, desired: 3, alarm_action_delay: 0s,
      instance: { workers: 8 }, app: [ { compute: 10s } ] }
"#;

fn at_t(r: &RunResult, t: u64) -> impl Iterator<Item = &Activity> {
    r.activities.iter().filter(move |a| a.t == t)
}

fn series_at(r: &RunResult, res: &str, metric: &str, t_s: f64) -> f64 {
    r.series
        .get(res, metric)
        .iter()
        .find(|p| p.0 == t_s)
        .unwrap_or_else(|| panic!("no {metric} at {t_s}"))
        .1
}

/// EnterStandby / ExitStandby in AWS's words (asg-activity-causes.csv
/// standby_enter, standby_exit; botocore examples, aws-cli enter-standby /
/// exit-standby, awsdocs as-enter-exit-standby; grade A): "Moving EC2
/// instance to Standby: {id}" / "At {t} instance {id} was moved to standby
/// in response to a user request, shrinking the capacity from {a} to {b}.";
/// "Moving EC2 instance out of Standby: {id}" / "… was moved out of standby
/// in response to a user request, increasing the capacity from {a} to {b}."
/// The instance in Standby is deregistered from its target group with the
/// deregistration delay (in-flight requests finish), not counted in
/// service, and comes back InService (`ASG:as-enter-exit-standby`).
#[test]
fn standby_in_and_out_as_aws_words_it() {
    let r = with_actions(
        SLOW,
        r#"  - { at: 5m, action: enter_standby, auto_scaling_group: g, should_decrement_desired_capacity: true }
  - { at: 10m, action: exit_standby, auto_scaling_group: g }
  - { at: 15m, action: enter_standby, auto_scaling_group: g, instance: 1 }
  - { at: 20m, action: exit_standby, auto_scaling_group: g }
  - { at: 25m, action: exit_standby, auto_scaling_group: g }
"#,
    );
    let into = at_t(&r, 5 * MIN)
        .find(|a| a.kind() == "standby")
        .expect("moved to standby");
    let id = into
        .description
        .strip_prefix("Moving EC2 instance to Standby: ")
        .expect("AWS's description");
    assert_eq!(
        into.cause,
        format!(
            "At 2026-01-05T09:05:00Z instance {id} was moved to standby in response to a user request, shrinking the capacity from 3 to 2."
        )
    );
    let scaling: Vec<&Activity> = at_t(&r, 5 * MIN)
        .filter(|a| a.kind() == "scaling")
        .collect();
    assert_eq!(scaling.len(), 1);
    assert_eq!(scaling[0].cause, into.cause);
    assert!(!at_t(&r, 5 * MIN).any(|a| a.kind() == "launch" || a.kind() == "terminate"));
    // Not in service, not healthy on the load balancer, while in Standby.
    assert_eq!(series_at(&r, "g", "GroupInServiceInstances", 420.0), 2.0);
    assert_eq!(series_at(&r, "g", "GroupDesiredCapacity", 420.0), 2.0);
    // AWS's group metrics (`ASG:ec2-auto-scaling-metrics`): the instance
    // counts in GroupStandbyInstances ("in a Standby state … still running
    // but not actively in service"), not in GroupTotalInstances ("in
    // service, pending, and terminating").
    assert_eq!(series_at(&r, "g", "GroupStandbyInstances", 180.0), 0.0);
    assert_eq!(series_at(&r, "g", "GroupStandbyInstances", 420.0), 1.0);
    assert_eq!(series_at(&r, "g", "GroupTotalInstances", 420.0), 2.0);
    assert_eq!(series_at(&r, "lb", "HealthyHostCount", 420.0), 2.0);
    // Its in-flight requests finished: no request failed.
    assert_eq!(r.summary.requests.errors.elb_502, 0);
    assert_eq!(r.summary.requests.ok, r.summary.requests.total);

    let out = at_t(&r, 10 * MIN)
        .find(|a| a.kind() == "standby")
        .expect("moved out of standby");
    assert_eq!(
        out.description,
        format!("Moving EC2 instance out of Standby: {id}")
    );
    assert_eq!(
        out.cause,
        format!(
            "At 2026-01-05T09:10:00Z instance {id} was moved out of standby in response to a user request, increasing the capacity from 2 to 3."
        )
    );
    assert!(at_t(&r, 10 * MIN).any(|a| a.kind() == "scaling" && a.cause == out.cause));
    assert!(!at_t(&r, 10 * MIN).any(|a| a.kind() == "launch"));
    assert_eq!(series_at(&r, "g", "GroupInServiceInstances", 720.0), 3.0);
    assert_eq!(series_at(&r, "g", "GroupStandbyInstances", 720.0), 0.0);
    assert_eq!(series_at(&r, "g", "GroupTotalInstances", 720.0), 3.0);
    // Healthy again once it passes the load balancer's health checks.
    // (HealthyHostCount is read at the end of each period.)
    assert_eq!(series_at(&r, "lb", "HealthyHostCount", 780.0), 3.0);

    // Without decrement: desired stays, a replacement launches at once.
    let into = at_t(&r, 15 * MIN)
        .find(|a| a.kind() == "standby")
        .expect("moved to standby");
    assert!(
        into.cause
            .ends_with("was moved to standby in response to a user request."),
        "{}",
        into.cause
    );
    assert!(!at_t(&r, 15 * MIN).any(|a| a.kind() == "scaling"));
    let launch = at_t(&r, 15 * MIN)
        .find(|a| a.kind() == "launch")
        .expect("a replacement");
    assert!(launch.cause.starts_with("At 2026-01-05T09:15:00Z an instance was started in response to a difference between desired and actual capacity, increasing the capacity from 2 to 3."), "{}", launch.cause);
    // 20 min: out again, 3 → 4; 25 min: nothing left in Standby, nothing.
    assert!(at_t(&r, 20 * MIN).any(
        |a| a.kind() == "standby" && a.cause.ends_with("increasing the capacity from 3 to 4.")
    ));
    assert!(!at_t(&r, 25 * MIN).any(|a| a.kind() == "standby" || a.kind() == "scaling"));
    assert_eq!(series_at(&r, "g", "GroupInServiceInstances", 1380.0), 4.0);
    assert_eq!(r.summary.auto_scaling_groups["g"].terminations, 0);
}

/// The deregistration delay bounds the drain: requests of 10 s on an
/// instance moved to Standby with a 2 s delay are cut (the ALB answers 502
/// when the deregistration delay elapses with a request in flight,
/// `ALB:load-balancer-target-groups`), with 300 s they finish.
#[test]
fn standby_drains_for_the_deregistration_delay() {
    let actions = "  - { at: 5m, action: enter_standby, auto_scaling_group: g, decrement: true }\n";
    let long = with_actions(SLOW, actions);
    let short = with_actions(
        &SLOW.replace("deregistration_delay: 300s", "deregistration_delay: 2s"),
        actions,
    );
    assert_eq!(long.summary.requests.errors.elb_502, 0);
    // One request a second spread over 3 instances of 10 s each: the
    // instance leaving has about 3 in flight.
    let cut = short.summary.requests.errors.elb_502;
    assert!((1..=5).contains(&cut), "{cut}");
}

/// DetachInstances behind a load balancer deregisters the instance with
/// the target group's deregistration delay, as a termination does
/// (`ASG:detach-instance`): in-flight requests finish; the instance leaves
/// the group when they are done (asg-activity-causes.csv detach, grade A).
#[test]
fn detach_drains_its_requests_first() {
    let actions =
        "  - { at: 5m, action: detach_instance, auto_scaling_group: g, decrement: true }\n";
    let long = with_actions(SLOW, actions);
    let det = at_t(&long, 5 * MIN)
        .find(|a| a.kind() == "detach")
        .expect("detached");
    assert!(
        det.cause.ends_with(
            "was detached in response to a user request, shrinking the capacity from 3 to 2."
        ),
        "{}",
        det.cause
    );
    assert_eq!(long.summary.requests.errors.elb_502, 0);
    assert_eq!(long.summary.auto_scaling_groups["g"].terminations, 1);
    let short = with_actions(
        &SLOW.replace("deregistration_delay: 300s", "deregistration_delay: 2s"),
        actions,
    );
    assert!(short.summary.requests.errors.elb_502 >= 1);
}

/// A zone out of capacity: EC2's InsufficientInstanceCapacity message
/// (RunInstances errors captured many times, e.g. commonwarexyz/monorepo
/// #2859, aws/eks-anywhere-build-tooling#772; grade A) in AWS's failed
/// launch description (kubernetes/autoscaler#1263, grade A); with AWS's
/// default `balanced-best-effort` the group launches in another zone at
/// once (`API-ASG:AvailabilityZoneDistribution`; `balanced-only`: the
/// next test). A fault for another instance type does not strike.
#[test]
fn a_zone_out_of_capacity_sends_launches_to_other_zones() {
    let base = r#"
name: ice
duration: 10m
workloads: [ { name: w, to: { load_balancer: lb }, rate: 10 } ]
load_balancers: [ { name: lb, target_group: g } ]
auto_scaling_groups:
  - name: g
    availability_zones: [us-east-1a, us-east-1b, us-east-1c]
    min: 1
    max: 9
    desired: 3
    app: [ { compute: 10ms } ]
    scheduled_actions: [ { name: more, at: 1m, desired: 6 } ]
faults:
  - { at: 30s, kind: launch_failure, auto_scaling_group: g, az: us-east-1a, duration: 5m }
"#;
    let r = crate::util::run(base);
    let failed: Vec<&Activity> = at_t(&r, MIN)
        .filter(|a| a.kind() == "launch_failed")
        .collect();
    assert!(!failed.is_empty());
    assert_eq!(
        failed[0].description,
        "Launching a new EC2 instance.  Status Reason: We currently do not have sufficient c5.large capacity in the Availability Zone you requested (us-east-1a). Our system will be working on provisioning additional capacity. You can currently get c5.large capacity by not specifying an Availability Zone in your request or choosing us-east-1b, us-east-1c. Launching EC2 instance failed."
    );
    // Every launch in us-east-1a fails, so the 3 that succeed at the same
    // second went to the other zones.
    assert!(
        failed
            .iter()
            .all(|a| a.description.contains("(us-east-1a)"))
    );
    assert_eq!(at_t(&r, MIN).filter(|a| a.kind() == "launch").count(), 3);
    assert!(
        !r.activities
            .iter()
            .any(|a| a.kind() == "launch_failed" && a.t > MIN)
    );

    let other_type = crate::util::run(
        &base.replace("duration: 5m }", "duration: 5m, instance_type: m5.large }"),
    );
    assert!(
        !other_type
            .activities
            .iter()
            .any(|a| a.kind() == "launch_failed")
    );
    assert_eq!(
        at_t(&other_type, MIN)
            .filter(|a| a.kind() == "launch")
            .count(),
        3
    );
}

/// `balanced-only` (`ASG:ec2-auto-scaling-availability-zone-balanced`):
/// "Auto Scaling maintains an equal number of instances across enabled
/// Availability Zones. If launch attempts fail in an Availability Zone,
/// Auto Scaling will continue to attempt to launch instances in the
/// Availability Zone." (`API-ASG:AvailabilityZoneDistribution`: "will
/// continue to attempt to launch in the unhealthy zone to preserve a
/// balanced distribution".) So the other zones' shares launch at once,
/// the failing zone's share is retried there until it succeeds, and no
/// launch goes elsewhere in its place. The retry pacing (10 s, doubling to
/// 5 min) is the simulator's: AWS does not document it.
#[test]
fn balanced_only_keeps_retrying_the_failing_zone_and_launches_the_others() {
    let base = r#"
name: ice
duration: 15m
workloads: [ { name: w, to: { load_balancer: lb }, rate: 10 } ]
load_balancers: [ { name: lb, target_group: g } ]
auto_scaling_groups:
  - name: g
    availability_zones: [us-east-1a, us-east-1b, us-east-1c]
    min: 1
    max: 9
    desired: 3
    app: [ { compute: 10ms } ]
    availability_zone_distribution: { capacity_distribution_strategy: balanced-only }
    scheduled_actions: [ { name: more, at: 1m, desired: 6 } ]
faults:
  - { at: 30s, kind: launch_failure, auto_scaling_group: g, az: us-east-1a, duration: 5m }
"#;
    for (desired, launched, failed) in [(6, 2, 1), (9, 4, 2)] {
        let r = crate::util::run(&base.replace("desired: 6 }", &format!("desired: {desired} }}")));
        let now: Vec<&Activity> = at_t(&r, MIN).collect();
        // 3 → 6: one more in each zone; us-east-1a's fails, the other two
        // launch (3 → 9: two in each).
        assert_eq!(
            now.iter().filter(|a| a.kind() == "launch").count(),
            launched,
            "to {desired}"
        );
        assert_eq!(
            now.iter().filter(|a| a.kind() == "launch_failed").count(),
            failed,
            "to {desired}"
        );
        let failures: Vec<&Activity> = r
            .activities
            .iter()
            .filter(|a| a.kind() == "launch_failed")
            .collect();
        // Every attempt, first and retried, is in the failing zone, until
        // the window ends at 5.5 min.
        assert!(
            failures
                .iter()
                .all(|a| a.description.contains("(us-east-1a)"))
        );
        assert!(failures.iter().any(|a| a.t > 2 * MIN), "retried");
        assert!(failures.iter().all(|a| a.t < 330 * S));
        // Nothing else launches until the zone takes launches again; then
        // its share does.
        let later: Vec<&Activity> = r
            .activities
            .iter()
            .filter(|a| a.kind() == "launch" && a.t > MIN)
            .collect();
        assert_eq!(later.len(), failed, "to {desired}");
        assert!(later.iter().all(|a| a.t >= 330 * S), "{later:?}");
        assert_eq!(r.summary.auto_scaling_groups["g"].max_in_service, desired);
    }
}

/// A target tracking policy is re-invoked while its alarm stays in ALARM
/// (`CW:alarm-actions`: "Except for Auto Scaling actions, the actions
/// happen only on state transitions"); records, grade A: the next
/// scale-out +300 s after the state change (2024). The record gives no
/// boot time, warm-up or instance count; alarm re-invocations come once a
/// minute, so its precision is that minute's grid (+300 s is the fifth
/// re-invocation after the state change).
///
/// What the docs say decides the cadence: without a default instance
/// warmup the warm-up is the default cooldown (300 s), "the estimated time
/// … until a newly launched instance can contribute to the CloudWatch
/// metrics" (`API-ASG:PutScalingPolicyType.EstimatedInstanceWarmup`), i.e.
/// from the launch, while a default instance warmup counts from InService
/// (`API-ASG:CreateAutoScalingGroupType.DefaultInstanceWarmup`); instances
/// still warming up count toward desired capacity but not in the capacity
/// the policy computes on (`ASG:ec2-auto-scaling-default-instance-warmup`),
/// so the re-invoked policy holds until a published datapoint has them past
/// their warm-up. With the launch at the decision (`alarm_action_delay:
/// 0s`) that is +360 s; with the recorded 7–33 s from alarm to launch,
/// +420 s — one and two re-invocations after the record's +300 s
/// (docs/src/background/recorded-fidelity.md says why: the datapoint's own
/// instance count and the one-minute publication delay). Before, counting
/// the fallback warm-up from InService, the steps were +480 s and +540 s.
#[test]
fn target_tracking_steps_once_a_datapoint_has_the_new_instances_past_warm_up() {
    let yaml = r#"
name: tt-cadence
seed: 1
duration: 25m
workloads: [ { name: w, to: { load_balancer: lb }, rate: 10 } ]
load_balancers: [ { name: lb, target_group: g } ]
auto_scaling_groups:
  - name: g
    min: 1
    max: 20
    desired: 1
    instance: { background_cpu: 90 }
    app: [ { compute: 10ms } ]
    scaling_policies: [ { name: cpu50, type: target_tracking, metric: ASGAverageCPUUtilization, target: 50 } ]
"#;
    let steps_of = |r: &RunResult| -> Vec<u64> {
        let to_alarm: Vec<&Activity> = r
            .activities
            .iter()
            .filter(|a| {
                a.kind() == "alarm"
                    && a.description.contains("AlarmHigh")
                    && a.description.ends_with("to ALARM")
            })
            .collect();
        assert_eq!(to_alarm.len(), 1, "one state change");
        let steps: Vec<u64> = r
            .activities
            .iter()
            .filter(|a| a.kind() == "scaling")
            .map(|a| a.t)
            .collect();
        assert!(steps.len() >= 4, "{steps:?}");
        assert_eq!(steps[0], to_alarm[0].t);
        steps
            .windows(2)
            .take(3)
            .map(|w| (w[1] - w[0]) / S)
            .collect()
    };
    for seed in 1..=5 {
        let r = with_seed(yaml, seed);
        assert_eq!(steps_of(&r), [420, 420, 420], "seed {seed}");
        // Between the steps the policy is re-invoked every minute and
        // holds: the warming instances count toward desired capacity.
        assert!(r.activities.iter().any(|a| {
            a.kind() == "not_scaled"
                && a.description
                    .contains("instances still warming up count toward it")
        }));
    }
    let at_decision = with_seed(
        &yaml.replace(
            "    desired: 1\n",
            "    desired: 1\n    alarm_action_delay: 0s\n",
        ),
        1,
    );
    assert_eq!(steps_of(&at_decision), [360, 360, 360]);
    // A default instance warmup counts from InService instead: boot
    // (60–120 s) + 300 s, so the next step is at least +480 s.
    let diw = with_seed(
        &yaml
            .replace(
                "    desired: 1\n",
                "    desired: 1\n    default_instance_warmup: 300s\n",
            )
            .replace("duration: 25m", "duration: 35m"),
        1,
    );
    assert!(
        steps_of(&diw).iter().all(|&g| g >= 480),
        "{:?}",
        steps_of(&diw)
    );
}

#[test]
fn a_users_count_cannot_be_a_trace() {
    let yaml = r#"
name: closed
duration: 10m
workloads:
  - { name: vu, to: { load_balancer: lb }, rate: 0,
      users: { count: { pattern: trace, file: users.csv } } }
load_balancers: [ { name: lb, target_group: g } ]
auto_scaling_groups: [ { name: g, min: 1, max: 1, app: [ { compute: 10ms } ] } ]
"#;
    let e = match stratus::scenario::load_str(
        yaml,
        "x.yaml",
        std::path::Path::new("."),
        &Default::default(),
    ) {
        Ok(_) => panic!("accepted"),
        Err(d) => d.to_string(),
    };
    assert!(
        e.contains("workloads[vu].users.count: a users count cannot be a trace"),
        "{e}"
    );
}
