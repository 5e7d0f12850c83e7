//! Every scenario in `scenarios/` states its lesson as a measurable claim in
//! its header ("Claim (every seed): …"); each test here checks that claim
//! through the public outputs — the `summary.json` figures (read by their
//! JSON paths), the `metrics.csv` series and the `activities.csv` rows — for
//! seeds 1–10, on the scenario as shipped (its own duration), not only for
//! the file's own seed.
//!
//! The runs are in process (the library API `stratus run` uses, without
//! charts or files), every seed and variant in parallel, and each seed's
//! runs are dropped once its claim is checked. `STRATUS_LESSON_SEEDS=N
//! cargo test --test it lessons::` checks seeds 1..=N instead of 1–10.

use rayon::prelude::*;
use serde_json::Value;
use std::collections::BTreeMap;
use stratus::run::{RunResult, simulate};
use stratus::scenario::{LoadOptions, load_file};

/// One run's public outputs.
struct Out {
    summary: Value,
    run: RunResult,
}

impl Out {
    /// A figure of `summary.json` by its dotted path
    /// (`queues.orders.visible_at_end`).
    fn f(&self, path: &str) -> f64 {
        let mut v = &self.summary;
        for p in path.split('.') {
            v = v
                .get(p)
                .unwrap_or_else(|| panic!("summary.json has no {path} (at {p})"));
        }
        v.as_f64()
            .unwrap_or_else(|| panic!("summary.json {path} is not a number: {v}"))
    }

    /// A metric of a resource, `(t_s, value)` per period, as in metrics.csv.
    fn series(&self, resource: &str, metric: &str) -> Vec<(f64, f64)> {
        let s = self.run.series.get(resource, metric);
        assert!(!s.is_empty(), "metrics.csv has no {metric} for {resource}");
        s
    }

    /// Sum of a metric over the periods starting in `[from_s, to_s)`.
    fn sum_between(&self, resource: &str, metric: &str, from_s: f64, to_s: f64) -> f64 {
        self.series(resource, metric)
            .iter()
            .filter(|(t, _)| *t >= from_s && *t < to_s)
            .map(|p| p.1)
            .sum()
    }

    /// First period start at or after `from_s` where the metric reaches `at_least`.
    fn first_reaching(
        &self,
        resource: &str,
        metric: &str,
        from_s: f64,
        at_least: f64,
    ) -> Option<f64> {
        self.series(resource, metric)
            .iter()
            .find(|(t, v)| *t >= from_s && *v >= at_least)
            .map(|p| p.0)
    }

    /// `activities.csv` rows of a kind: (t_s, description, details).
    fn activities(&self, kind: &str) -> Vec<(f64, String, String)> {
        self.run
            .activities
            .iter()
            .filter(|a| a.what.kind() == kind)
            .map(|a| (a.t as f64 / 1e9, a.description.clone(), a.details.clone()))
            .collect()
    }

    fn errors(&self) -> f64 {
        self.f("requests.total") - self.f("requests.ok")
    }
}

/// The seeds to check: 1–10, the guide's promise ("every lesson's claim
/// holds for seeds 1–10"); `STRATUS_LESSON_SEEDS=N` checks 1..=N instead
/// (fewer while tuning a scenario, more to look further).
fn seeds() -> Vec<u64> {
    let n = std::env::var("STRATUS_LESSON_SEEDS")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
        .filter(|n| *n > 0)
        .unwrap_or(10);
    (1..=n).collect()
}

/// One run of `scenarios/<name>.yaml` as shipped, in process (the library
/// API `stratus run` uses, without charts or files): `variant` is `base`, a
/// variant of the file, or either followed by `--set`s of its own
/// (`base+PATH=VALUE+PATH=VALUE`).
fn run_one(name: &str, variant: &str, seed: u64) -> Out {
    let path = std::path::PathBuf::from(format!("scenarios/{name}.yaml"));
    let mut parts = variant.split('+');
    let file_variant = parts.next().unwrap_or("base");
    let opts = LoadOptions {
        sets: parts.map(str::to_string).collect(),
        variant: (file_variant != "base").then(|| file_variant.to_string()),
        seed: Some(seed),
    };
    let sc = load_file(&path, &opts).unwrap_or_else(|d| panic!("{name} {variant}: {d}"));
    let run = simulate(&sc, opts.variant.as_deref(), &mut |_| {});
    let summary = serde_json::to_value(&run.summary).expect("summary json");
    Out { summary, run }
}

/// Checks `claim` for every seed of [`seeds`] on the scenario as shipped
/// (its own duration: the claim is about the file). Seeds run in parallel,
/// each seed's variants together; a seed's runs are dropped once its claim
/// is checked. Every failing seed is reported, not only the first.
fn each_seed(name: &str, variants: &[&str], claim: impl Fn(u64, &BTreeMap<&str, &Out>) + Sync) {
    let failures: Vec<String> = seeds()
        .into_par_iter()
        .filter_map(|seed| {
            let outs: Vec<Out> = variants
                .par_iter()
                .map(|v| run_one(name, v, seed))
                .collect();
            let r: BTreeMap<&str, &Out> = variants.iter().copied().zip(outs.iter()).collect();
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| claim(seed, &r)))
                .err()
                .map(|e| {
                    e.downcast_ref::<String>()
                        .cloned()
                        .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                        .unwrap_or_else(|| format!("{name} seed {seed}: failed"))
                })
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

macro_rules! claim {
    ($cond:expr, $name:expr, $seed:expr, $($fmt:tt)+) => {
        assert!($cond, "{} seed {}: {}", $name, $seed, format!($($fmt)+));
    };
}

const MIN: f64 = 60.0;

#[test]
fn termination_policies_each_remove_a_different_instance() {
    let n = "termination-policies";
    let vs = [
        "base",
        "oldest",
        "newest",
        "oldest-launch-template",
        "closest-to-next-hour",
    ];
    each_seed(n, &vs, |s, r| {
        let mut picked = BTreeMap::new();
        for v in vs {
            let o = r[v];
            let launches = o.activities("launch");
            let t = o.activities("terminate");
            claim!(t.len() == 1, n, s, "{v}: {} terminations", t.len());
            let (at, desc, details) = &t[0];
            claim!(
                (*at - 75.0 * MIN).abs() < 1.0,
                n,
                s,
                "{v}: terminated at {at}"
            );
            claim!(
                !details.contains("random"),
                n,
                s,
                "{v}: decided at random: {details}"
            );
            let id = desc.rsplit(' ').next().unwrap().to_string();
            let launched = launches
                .iter()
                .find(|l| l.1.ends_with(&id))
                .map(|l| l.0 / MIN)
                .unwrap();
            picked.insert(v, (launched.round() as i64, details.clone()));
        }
        // i1 0 min v2, i2 10 min v1, i3 20 min v3, i4 30 min v3.
        let want = [
            ("base", 10, "OldestLaunchTemplate"),
            ("oldest", 0, "OldestInstance"),
            ("newest", 30, "NewestInstance"),
            ("oldest-launch-template", 10, "OldestLaunchTemplate"),
            ("closest-to-next-hour", 20, "ClosestToNextInstanceHour"),
        ];
        for (v, launched, rule) in want {
            let (l, d) = &picked[v];
            claim!(
                *l == launched && d.contains(rule),
                n,
                s,
                "{v}: removed the instance launched at {l} min ({d}); expected {launched} min by {rule}"
            );
        }
    });
}

#[test]
fn lifecycle_hook_delays_capacity_and_an_abandoned_hook_never_delivers() {
    let n = "lifecycle-hook";
    each_seed(n, &["base", "slow-bootstrap", "heartbeats"], |s, r| {
        let (b, slow, hb) = (r["base"], r["slow-bootstrap"], r["heartbeats"]);
        claim!(b.errors() > 0.0, n, s, "base has no errors");
        claim!(
            b.errors() < hb.errors() && hb.errors() < slow.errors(),
            n,
            s,
            "errors base {} < heartbeats {} < slow-bootstrap {}",
            b.errors(),
            hb.errors(),
            slow.errors()
        );
        claim!(
            slow.f("auto_scaling_groups.web.max_in_service") == 3.0,
            n,
            s,
            "slow-bootstrap reached {} in service",
            slow.f("auto_scaling_groups.web.max_in_service")
        );
        claim!(
            hb.f("auto_scaling_groups.web.max_in_service") == 6.0,
            n,
            s,
            "heartbeats never reached 6"
        );
    });
}

#[test]
fn quickstart_a_fixed_fleet_spirals_under_a_tripled_load() {
    let n = "quickstart";
    each_seed(n, &["base"], |s, r| {
        let b = r["base"];
        let refused = b.f("requests.errors.instance_refused");
        claim!(b.errors() > 200_000.0, n, s, "{} errors", b.errors());
        claim!(
            refused == b.errors(),
            n,
            s,
            "errors other than refusals: {} of {}",
            b.errors() - refused,
            b.errors()
        );
        let healthy = b
            .series("web", "HealthyHostCount")
            .iter()
            .filter(|(t, _)| *t >= 20.0 * MIN && *t < 40.0 * MIN)
            .map(|p| p.1)
            .fold(f64::MAX, f64::min);
        claim!(
            healthy <= 1.0,
            n,
            s,
            "HealthyHostCount never fell below {healthy}"
        );
        let before = b.sum_between("web", "HTTPCode_ELB_5XX_Count", 0.0, 20.0 * MIN);
        claim!(before == 0.0, n, s, "{before} 5XX before the step");
    });
}

#[test]
fn cooldown_trades_flapping_for_reaction_time() {
    let n = "cooldown-flapping";
    each_seed(n, &["base", "no-cooldown"], |s, r| {
        let (b, nc) = (r["base"], r["no-cooldown"]);
        let act = |o: &Out| o.f("auto_scaling_groups.web.scaling_activities");
        let launches = |o: &Out| o.f("auto_scaling_groups.web.launches");
        claim!(
            act(nc) >= 1.8 * act(b),
            n,
            s,
            "activities {} vs {}",
            act(nc),
            act(b)
        );
        claim!(
            launches(nc) >= 1.5 * launches(b),
            n,
            s,
            "launches {} vs {}",
            launches(nc),
            launches(b)
        );
        claim!(
            nc.f("cost_usd") > b.f("cost_usd"),
            n,
            s,
            "cost {} vs {}",
            nc.f("cost_usd"),
            b.f("cost_usd")
        );
        claim!(
            b.errors() > nc.errors(),
            n,
            s,
            "errors {} vs {}",
            b.errors(),
            nc.errors()
        );
        claim!(
            !b.activities("not_scaled").is_empty(),
            n,
            s,
            "no not_scaled rows with a cooldown"
        );
    });
}

#[test]
fn az_outage_replaces_elsewhere_then_rebalances() {
    let n = "az-outage";
    each_seed(n, &["base"], |s, r| {
        let b = r["base"];
        let g = |k: &str| b.f(&format!("auto_scaling_groups.web.{k}"));
        claim!(
            g("scaling_activities") == 0.0,
            n,
            s,
            "desired capacity changed"
        );
        claim!(
            g("launches") == 10.0 && g("terminations") == 4.0,
            n,
            s,
            "launches {} terminations {}",
            g("launches"),
            g("terminations")
        );
        claim!(
            g("max_in_service") == 7.0,
            n,
            s,
            "max in service {}",
            g("max_in_service")
        );
        claim!(
            b.f("requests.errors.elb_502") > 0.0,
            n,
            s,
            "no 502 from the failed zone"
        );
        claim!(
            !b.activities("rebalance").is_empty(),
            n,
            s,
            "no rebalance rows"
        );
    });
}

#[test]
fn basic_monitoring_scales_later_and_fails_more() {
    let n = "basic-monitoring";
    each_seed(n, &["base", "basic"], |s, r| {
        let (d, b) = (r["base"], r["basic"]);
        claim!(
            b.errors() > 1.30 * d.errors(),
            n,
            s,
            "errors basic {} vs detailed {}",
            b.errors(),
            d.errors()
        );
        claim!(
            b.f("cost_usd") < d.f("cost_usd"),
            n,
            s,
            "basic is not cheaper"
        );
        let first = |o: &Out| {
            o.activities("scaling")
                .iter()
                .map(|a| a.0)
                .find(|t| *t > 0.0)
                .unwrap_or(f64::MAX)
        };
        claim!(
            first(b) > first(d),
            n,
            s,
            "basic scaled first ({} vs {})",
            first(b),
            first(d)
        );
    });
}

#[test]
fn cross_zone_off_overloads_the_lone_instance() {
    let n = "cross-zone";
    each_seed(n, &["base", "cross-zone-off"], |s, r| {
        let (on, off) = (r["base"], r["cross-zone-off"]);
        claim!(
            on.errors() == 0.0,
            n,
            s,
            "{} errors with cross-zone on",
            on.errors()
        );
        claim!(
            off.f("requests.error_rate_pct") > 3.0,
            n,
            s,
            "error rate {} with cross-zone off",
            off.f("requests.error_rate_pct")
        );
        claim!(
            off.f("requests.latency_ms.p99") > 3.0 * on.f("requests.latency_ms.p99"),
            n,
            s,
            "p99 not worse"
        );
    });
}

#[test]
fn draining_spares_in_flight_requests() {
    let n = "draining";
    each_seed(n, &["base", "abrupt"], |s, r| {
        claim!(
            r["base"].errors() == 0.0,
            n,
            s,
            "{} errors while draining",
            r["base"].errors()
        );
        claim!(
            r["abrupt"].f("requests.errors.elb_502") > 0.0,
            n,
            s,
            "no 502 without draining"
        );
    });
}

#[test]
fn dynamodb_adaptive_capacity_serves_the_hot_partition() {
    let n = "dynamodb-adaptive-capacity";
    each_seed(n, &["base", "before-adaptive-capacity"], |s, r| {
        let t = |o: &Out| o.f("tables.orders.write_throttles");
        claim!(
            t(r["base"]) == 0.0,
            n,
            s,
            "{} throttles with adaptive capacity",
            t(r["base"])
        );
        claim!(
            t(r["before-adaptive-capacity"]) > 50_000.0,
            n,
            s,
            "only {} throttles before",
            t(r["before-adaptive-capacity"])
        );
    });
}

#[test]
fn dynamodb_auto_scaling_lags_a_step_for_rounds() {
    let n = "dynamodb-auto-scaling-lag";
    each_seed(n, &["base", "on-demand"], |s, r| {
        let (p, od) = (r["base"], r["on-demand"]);
        let act = p.f("tables.orders.scaling_activities");
        claim!(act >= 6.0, n, s, "{act} table scaling activities");
        claim!(
            p.f("tables.orders.write_throttles") > 500_000.0,
            n,
            s,
            "few throttles"
        );
        // Throttling lasts at least 25 minutes after the step at 10 min.
        let throttled_minutes = p
            .series("orders", "WriteThrottleEvents")
            .iter()
            .filter(|(t, v)| *t >= 10.0 * MIN && *v > 0.0)
            .count();
        claim!(
            throttled_minutes >= 25,
            n,
            s,
            "throttled for {throttled_minutes} min only"
        );
        claim!(
            od.f("tables.orders.write_throttles") == 0.0 && od.errors() == 0.0,
            n,
            s,
            "on-demand throttled"
        );
        claim!(
            od.f("cost_usd") > p.f("cost_usd"),
            n,
            s,
            "on-demand is not dearer"
        );
    });
}

#[test]
fn dynamodb_burst_absorbs_a_short_spike_only() {
    let n = "dynamodb-burst";
    each_seed(n, &["base", "no-burst"], |s, r| {
        let short =
            |o: &Out| o.sum_between("events", "WriteThrottleEvents", 10.0 * MIN, 12.0 * MIN);
        let long = |o: &Out| o.sum_between("events", "WriteThrottleEvents", 30.0 * MIN, 41.0 * MIN);
        claim!(
            short(r["base"]) == 0.0,
            n,
            s,
            "the short spike throttled {} writes",
            short(r["base"])
        );
        claim!(
            long(r["base"]) > 30_000.0,
            n,
            s,
            "the long spike throttled only {}",
            long(r["base"])
        );
        claim!(
            short(r["no-burst"]) > 5_000.0,
            n,
            s,
            "without burst the short spike throttled {}",
            short(r["no-burst"])
        );
    });
}

#[test]
fn dynamodb_gsi_throttles_its_table() {
    let n = "dynamodb-gsi-throttling";
    each_seed(n, &["base", "gsi-sized"], |s, r| {
        let b = r["base"];
        claim!(
            b.f("tables.orders.index_throttles") > 100_000.0,
            n,
            s,
            "index throttles {}",
            b.f("tables.orders.index_throttles")
        );
        claim!(
            b.f("tables.orders.write_throttles") == b.f("tables.orders.index_throttles"),
            n,
            s,
            "throttles other than the index's"
        );
        claim!(
            r["gsi-sized"].f("tables.orders.write_throttles") == 0.0,
            n,
            s,
            "gsi-sized throttles"
        );
    });
}

#[test]
fn dynamodb_hot_partition_throttles_below_table_capacity() {
    let n = "dynamodb-hot-partition";
    each_seed(n, &["base", "uniform-keys", "more-capacity"], |s, r| {
        let b = r["base"];
        claim!(
            b.f("tables.sessions.partition_throttles") > 100_000.0,
            n,
            s,
            "partition throttles {}",
            b.f("tables.sessions.partition_throttles")
        );
        let consumed = b.series("sessions", "ConsumedWriteCapacityUnits");
        let max_per_s = consumed.iter().map(|p| p.1).fold(0.0, f64::max) / MIN;
        claim!(
            max_per_s < 4_000.0 * 0.7,
            n,
            s,
            "consumed {max_per_s}/s, near the 4,000 provisioned"
        );
        claim!(
            r["uniform-keys"].f("tables.sessions.write_throttles") == 0.0,
            n,
            s,
            "uniform keys throttled"
        );
        claim!(
            r["more-capacity"].f("tables.sessions.write_throttles") == 0.0,
            n,
            s,
            "more capacity throttled"
        );
        claim!(
            r["more-capacity"].f("cost_usd") > 1.9 * b.f("cost_usd"),
            n,
            s,
            "more capacity is not twice the bill"
        );
    });
}

#[test]
fn dynamodb_flat_traffic_is_cheaper_provisioned() {
    let n = "dynamodb-on-demand-vs-provisioned";
    each_seed(n, &["base", "flat-on-demand"], |s, r| {
        let c = |v: &str| r[v].f("cost_usd");
        claim!(
            c("base") < c("flat-on-demand"),
            n,
            s,
            "flat: provisioned {} vs on-demand {}",
            c("base"),
            c("flat-on-demand")
        );
        for v in ["base", "flat-on-demand"] {
            claim!(
                r[v].f("tables.events.write_throttles") == 0.0,
                n,
                s,
                "{v} throttled"
            );
        }
    });
}

#[test]
fn dynamodb_spiky_traffic_is_cheaper_on_demand() {
    let n = "dynamodb-on-demand-vs-provisioned";
    each_seed(n, &["spiky-provisioned", "spiky-on-demand"], |s, r| {
        let c = |v: &str| r[v].f("cost_usd");
        claim!(
            c("spiky-on-demand") < c("spiky-provisioned"),
            n,
            s,
            "spiky: on-demand {} vs provisioned {}",
            c("spiky-on-demand"),
            c("spiky-provisioned")
        );
        for v in ["spiky-provisioned", "spiky-on-demand"] {
            claim!(
                r[v].f("tables.events.write_throttles") == 0.0,
                n,
                s,
                "{v} throttled"
            );
        }
    });
}

#[test]
fn dynamodb_retries_decide_how_the_excess_fails() {
    let n = "dynamodb-retry-storm";
    each_seed(
        n,
        &["base", "standard", "adaptive", "no-retries"],
        |s, r| {
            let p99 = |v: &str| r[v].f("requests.latency_ms.p99");
            claim!(
                p99("no-retries") < p99("adaptive")
                    && p99("adaptive") < p99("standard")
                    && p99("standard") < p99("base"),
                n,
                s,
                "p99 no-retries {} < adaptive {} < standard {} < legacy {}",
                p99("no-retries"),
                p99("adaptive"),
                p99("standard"),
                p99("base")
            );
            let th = |v: &str| r[v].f("tables.products.read_throttles");
            claim!(
                th("adaptive") < 2_000.0 && th("base") > 100_000.0,
                n,
                s,
                "throttles adaptive {} legacy {}",
                th("adaptive"),
                th("base")
            );
            for v in ["base", "standard", "adaptive", "no-retries"] {
                claim!(
                    r[v].errors() > 250_000.0,
                    n,
                    s,
                    "{v}: retries added capacity ({} errors)",
                    r[v].errors()
                );
            }
            claim!(
                r["no-retries"].f("requests.errors.target_5xx") == r["no-retries"].errors(),
                n,
                s,
                "no-retries fails other than fast 5xx"
            );
        },
    );
}

#[test]
fn instance_refresh_three_ways() {
    let n = "instance-refresh";
    each_seed(n, &["base", "all-at-once", "launch-first"], |s, r| {
        let g = |v: &str, k: &str| r[v].f(&format!("auto_scaling_groups.web.{k}"));
        claim!(
            r["base"].errors() == 0.0 && g("base", "min_in_service") == 9.0,
            n,
            s,
            "the gentle roll dipped below 9 or failed requests"
        );
        claim!(
            r["all-at-once"].errors() > 5_000.0 && g("all-at-once", "min_in_service") == 0.0,
            n,
            s,
            "all-at-once kept capacity"
        );
        claim!(
            r["launch-first"].errors() == 0.0
                && g("launch-first", "min_in_service") == 10.0
                && g("launch-first", "max_in_service") == 11.0,
            n,
            s,
            "launch-first dipped"
        );
        claim!(
            r["launch-first"].f("cost_usd") > r["base"].f("cost_usd"),
            n,
            s,
            "launch-first is not dearer"
        );
    });
}

#[test]
fn least_outstanding_cuts_the_tail() {
    let n = "least-outstanding";
    each_seed(n, &["base", "round-robin"], |s, r| {
        let p99 = |v: &str| r[v].f("requests.latency_ms.p99");
        claim!(
            p99("round-robin") > 2.0 * p99("base"),
            n,
            s,
            "p99 round robin {} vs LOR {}",
            p99("round-robin"),
            p99("base")
        );
    });
}

#[test]
fn max_instance_lifetime_recycles_one_at_a_time() {
    let n = "max-instance-lifetime";
    each_seed(n, &["base"], |s, r| {
        let b = r["base"];
        claim!(
            b.f("auto_scaling_groups.web.terminations") == 6.0,
            n,
            s,
            "terminations {}",
            b.f("auto_scaling_groups.web.terminations")
        );
        claim!(
            b.f("auto_scaling_groups.web.min_in_service") == 5.0,
            n,
            s,
            "in service dipped to {}",
            b.f("auto_scaling_groups.web.min_in_service")
        );
        claim!(b.errors() == 0.0, n, s, "{} errors", b.errors());
        claim!(
            b.activities("terminate")
                .iter()
                .all(|t| t.0 >= 24.0 * 3600.0),
            n,
            s,
            "a termination before a day"
        );
    });
}

#[test]
fn mmc_agrees_with_erlang_c() {
    let n = "mmc-erlang";
    each_seed(n, &["base"], |s, r| {
        let mean = r["base"].f("requests.latency_ms.mean");
        claim!(
            (mean - 16.687).abs() / 16.687 < 0.05,
            n,
            s,
            "mean latency {mean} ms vs Erlang C 16.687 ms"
        );
    });
}

#[test]
fn simple_scaling_is_the_slowest_to_catch_a_step() {
    let n = "policies-on-a-spike";
    each_seed(n, &["base", "step", "simple"], |s, r| {
        let six = |v: &str| {
            r[v].first_reaching("web", "GroupInServiceInstances", 10.0 * MIN, 6.0)
                .unwrap_or(f64::MAX)
        };
        claim!(
            six("simple") >= six("base") + 10.0 * MIN && six("simple") >= six("step") + 10.0 * MIN,
            n,
            s,
            "6 in service at: target tracking {} step {} simple {}",
            six("base"),
            six("step"),
            six("simple")
        );
        claim!(
            r["simple"].f("cost_usd") < r["base"].f("cost_usd")
                && r["simple"].f("cost_usd") < r["step"].f("cost_usd"),
            n,
            s,
            "simple is not the cheapest"
        );
        claim!(
            r["simple"]
                .activities("not_scaled")
                .iter()
                .any(|a| a.2.contains("cooldown") || a.1.contains("cooldown")),
            n,
            s,
            "no cooldown not_scaled rows"
        );
    });
}

#[test]
fn predictive_scaling_is_ready_before_the_peak() {
    let n = "predictive-scaling";
    each_seed(n, &["base", "target-tracking-only"], |s, r| {
        let days = r["base"].f("simulated_s") / 86_400.0;
        let after_day1 = |v: &str| {
            r[v].sum_between(
                "web",
                "HTTPCode_ELB_5XX_Count",
                24.0 * 3600.0,
                72.0 * 3600.0,
            )
        };
        claim!(
            after_day1("base") < 100.0,
            n,
            s,
            "{} 5XX after day 1 with predictive scaling",
            after_day1("base")
        );
        claim!(
            after_day1("target-tracking-only") > 2_500.0 * (days - 1.0),
            n,
            s,
            "only {} 5XX after day 1 without",
            after_day1("target-tracking-only")
        );
        claim!(
            !r["base"].activities("predictive").is_empty(),
            n,
            s,
            "no forecast"
        );
    });
}

#[test]
fn scheduled_scaling_is_ready_before_the_peak() {
    let n = "scheduled-scaling";
    each_seed(n, &["base"], |s, r| {
        let b = r["base"];
        claim!(b.errors() == 0.0, n, s, "{} errors", b.errors());
        let nine = b
            .first_reaching("web", "GroupInServiceInstances", 0.0, 9.0)
            .unwrap_or(f64::MAX);
        claim!(
            nine < 30.0 * MIN,
            n,
            s,
            "9 in service only at {nine} s, after the peak"
        );
    });
}

#[test]
fn spot_is_cheap_until_interrupted() {
    let n = "spot-interruptions";
    each_seed(n, &["base", "on-demand"], |s, r| {
        let (spot, od) = (r["base"], r["on-demand"]);
        claim!(
            spot.f("cost_usd") < 0.55 * od.f("cost_usd"),
            n,
            s,
            "spot {} vs on-demand {}",
            spot.f("cost_usd"),
            od.f("cost_usd")
        );
        claim!(
            spot.f("requests.errors.elb_502") > 0.0 && od.errors() == 0.0,
            n,
            s,
            "interruptions cost nothing"
        );
        claim!(
            spot.f("auto_scaling_groups.web.launches") >= 11.0,
            n,
            s,
            "only {} launches",
            spot.f("auto_scaling_groups.web.launches")
        );
        claim!(
            spot.activities("spot_interruption").len() >= 3,
            n,
            s,
            "fewer than 3 interruption notices"
        );
    });
}

#[test]
fn sqs_scale_on_backlog_not_cpu() {
    let n = "sqs-backlog-scaling";
    each_seed(n, &["base", "cpu"], |s, r| {
        let (b, cpu) = (r["base"], r["cpu"]);
        claim!(
            b.f("queues.jobs.max_age_s") < 300.0,
            n,
            s,
            "oldest {} s with backlog scaling",
            b.f("queues.jobs.max_age_s")
        );
        claim!(
            b.f("queues.jobs.visible_at_end") < 100.0,
            n,
            s,
            "backlog scaling left {}",
            b.f("queues.jobs.visible_at_end")
        );
        claim!(
            cpu.f("queues.jobs.visible_at_end") > 40_000.0,
            n,
            s,
            "CPU scaling left only {}",
            cpu.f("queues.jobs.visible_at_end")
        );
        claim!(
            cpu.f("queues.jobs.max_age_s") > 1800.0,
            n,
            s,
            "oldest {} s with CPU scaling",
            cpu.f("queues.jobs.max_age_s")
        );
        claim!(
            cpu.f("auto_scaling_groups.workers.max_in_service") == 2.0,
            n,
            s,
            "CPU scaling scaled out"
        );
    });
}

#[test]
fn sqs_fifo_orders_one_at_a_time_per_group() {
    let n = "sqs-fifo-ordering";
    each_seed(n, &["base", "one-group", "standard"], |s, r| {
        let q = |v: &str, k: &str| r[v].f(&format!("queues.orders.{k}"));
        claim!(
            q("base", "duplicates_processed") == 0.0
                && q("base", "max_age_s") < 120.0
                && q("base", "visible_at_end") < 200.0,
            n,
            s,
            "FIFO with 20 groups: duplicates {} oldest {} left {}",
            q("base", "duplicates_processed"),
            q("base", "max_age_s"),
            q("base", "visible_at_end")
        );
        claim!(
            q("one-group", "visible_at_end") > 40_000.0 && q("one-group", "max_age_s") > 2_000.0,
            n,
            s,
            "one group: left {} oldest {}",
            q("one-group", "visible_at_end"),
            q("one-group", "max_age_s")
        );
        claim!(
            q("standard", "duplicates_processed") > 500.0,
            n,
            s,
            "standard: {} duplicates",
            q("standard", "duplicates_processed")
        );
        claim!(
            q("base", "deduplicated") > 0.0,
            n,
            s,
            "no duplicate send was dropped"
        );
    });
}

#[test]
fn sqs_poison_messages_park_in_the_dlq() {
    let n = "sqs-poison-messages";
    each_seed(n, &["base", "no-dlq", "max-receive-1"], |s, r| {
        let q = |v: &str, k: &str| r[v].f(&format!("queues.{k}"));
        let poison = q("base", "orders.sent") * 0.005;
        claim!(
            (q("base", "orders-dlq.visible_at_end") - poison).abs() < 0.25 * poison,
            n,
            s,
            "DLQ holds {} for ~{poison} poison messages",
            q("base", "orders-dlq.visible_at_end")
        );
        claim!(
            q("no-dlq", "orders.redelivered") > 5.0 * q("base", "orders.redelivered"),
            n,
            s,
            "no-dlq redelivered {} vs {}",
            q("no-dlq", "orders.redelivered"),
            q("base", "orders.redelivered")
        );
        claim!(
            q("max-receive-1", "orders.dead_lettered") > 2.0 * q("base", "orders.dead_lettered"),
            n,
            s,
            "max-receive-1 dead-lettered {} vs {}",
            q("max-receive-1", "orders.dead_lettered"),
            q("base", "orders.dead_lettered")
        );
    });
}

#[test]
fn sqs_short_polling_pays_for_empty_answers() {
    let n = "sqs-polling";
    each_seed(n, &["base", "long-polling"], |s, r| {
        let q = |v: &str, k: &str| r[v].f(&format!("queues.events.{k}"));
        claim!(
            q("base", "empty_receives") > 1_000_000.0,
            n,
            s,
            "short polling: {} empty receives",
            q("base", "empty_receives")
        );
        claim!(
            q("long-polling", "empty_receives") < 0.001 * q("base", "empty_receives"),
            n,
            s,
            "long polling: {} empty receives",
            q("long-polling", "empty_receives")
        );
        claim!(
            q("base", "cost_usd") > 100.0 * q("long-polling", "cost_usd"),
            n,
            s,
            "cost {} vs {}",
            q("base", "cost_usd"),
            q("long-polling", "cost_usd")
        );
        let empty = r["base"].sum_between("events", "NumberOfEmptyReceives", 0.0, 3600.0);
        claim!(
            (empty - q("base", "empty_receives")).abs() <= 0.01 * empty,
            n,
            s,
            "NumberOfEmptyReceives {empty} vs summary"
        );
    });
}

#[test]
fn sqs_visibility_timeout_shorter_than_the_work() {
    let n = "sqs-visibility-timeout";
    each_seed(n, &["base", "heartbeat", "long-timeout"], |s, r| {
        let q = |v: &str, k: &str| r[v].f(&format!("queues.jobs.{k}"));
        claim!(
            q("base", "duplicates_processed") > 1_000.0 && q("base", "dead_lettered") > 300.0,
            n,
            s,
            "base: duplicates {} dead-lettered {}",
            q("base", "duplicates_processed"),
            q("base", "dead_lettered")
        );
        for v in ["heartbeat", "long-timeout"] {
            claim!(
                q(v, "duplicates_processed") == 0.0 && q(v, "dead_lettered") == 0.0,
                n,
                s,
                "{v}: duplicates or DLQ"
            );
        }
    });
}

#[test]
fn sticky_sessions_lose_local_state_on_scale_in() {
    let n = "sticky-sessions";
    each_seed(n, &["base", "external-store", "no-stickiness"], |s, r| {
        let lb = |v: &str, k: &str| r[v].f(&format!("load_balancers.web.{k}"));
        claim!(
            lb("base", "sticky_rebinds") > 200.0
                && lb("base", "sessions_lost") == lb("base", "sticky_rebinds"),
            n,
            s,
            "base: rebinds {} lost {}",
            lb("base", "sticky_rebinds"),
            lb("base", "sessions_lost")
        );
        claim!(
            lb("external-store", "sticky_rebinds") == lb("base", "sticky_rebinds")
                && lb("external-store", "sessions_lost") == 0.0,
            n,
            s,
            "external store lost sessions"
        );
        claim!(
            lb("no-stickiness", "sessions_lost") > 10.0 * lb("base", "sessions_lost"),
            n,
            s,
            "no-stickiness lost only {}",
            lb("no-stickiness", "sessions_lost")
        );
    });
}

#[test]
fn tune_target_tracking_trades_cost_for_headroom() {
    let n = "tune-target-tracking";
    let t30 = "base+auto_scaling_groups[web].scaling_policies[cpu].target=30";
    let t80 = "base+auto_scaling_groups[web].scaling_policies[cpu].target=80";
    each_seed(n, &[t30, "base", t80], |s, r| {
        let c = |v: &str| r[v].f("cost_usd");
        claim!(
            c(t30) > c("base") && c("base") > c(t80),
            n,
            s,
            "cost target 30 {} > 50 {} > 80 {}",
            c(t30),
            c("base"),
            c(t80)
        );
        claim!(
            r[t30].f("requests.error_rate_pct") <= 0.5
                && r[t30].f("requests.latency_ms.p99") <= 500.0,
            n,
            s,
            "target 30 misses the SLO"
        );
        claim!(
            r[t80].f("requests.latency_ms.p99") > 2.0 * r[t30].f("requests.latency_ms.p99"),
            n,
            s,
            "target 80 has the headroom of 30"
        );
    });
}

#[test]
fn unhealthy_instances_replaced_a_batch_at_a_time() {
    let n = "unhealthy-replacement";
    each_seed(n, &["base", "ec2-health-checks"], |s, r| {
        let (elb, ec2) = (r["base"], r["ec2-health-checks"]);
        let end = elb.f("simulated_s") - MIN;
        let t = elb.activities("terminate");
        claim!(t.len() == 8, n, s, "{} terminations", t.len());
        let mut batches: BTreeMap<u64, usize> = BTreeMap::new();
        for a in &t {
            *batches.entry(a.0.round() as u64).or_default() += 1;
        }
        claim!(
            batches.len() >= 2 && batches.values().all(|&k| k <= 4),
            n,
            s,
            "batches {batches:?} (at most 10 % of 40)"
        );
        let healthy_at = |o: &Out, at: f64| {
            o.series("web", "HealthyHostCount")
                .iter()
                .find(|p| p.0 >= at)
                .map(|p| p.1)
                .unwrap()
        };
        claim!(
            healthy_at(elb, 10.0 * MIN) < 40.0 && healthy_at(elb, 25.0 * MIN) == 40.0,
            n,
            s,
            "HealthyHostCount did not dip and recover"
        );
        claim!(
            healthy_at(ec2, end) == 32.0,
            n,
            s,
            "EC2 checks: HealthyHostCount {} at the end",
            healthy_at(ec2, end)
        );
        claim!(
            ec2.f("auto_scaling_groups.web.terminations") == 0.0,
            n,
            s,
            "EC2 health checks replaced instances"
        );
        claim!(
            ec2.f("requests.latency_ms.mean") > 1.8 * elb.f("requests.latency_ms.mean"),
            n,
            s,
            "mean latency {} vs {}",
            ec2.f("requests.latency_ms.mean"),
            elb.f("requests.latency_ms.mean")
        );
    });
}

#[test]
fn warm_pool_turns_a_slow_launch_into_a_fast_start() {
    let n = "warm-pool";
    each_seed(n, &["base", "no-pool"], |s, r| {
        let (pool, cold) = (r["base"], r["no-pool"]);
        claim!(
            pool.errors() < 0.6 * cold.errors(),
            n,
            s,
            "errors with the pool {} vs without {}",
            pool.errors(),
            cold.errors()
        );
        claim!(
            pool.f("cost_usd") < 1.2 * cold.f("cost_usd"),
            n,
            s,
            "the pool costs {} vs {}",
            pool.f("cost_usd"),
            cold.f("cost_usd")
        );
        claim!(
            pool.activities("launch")
                .iter()
                .any(|a| a.1.contains("warm pool")),
            n,
            s,
            "no launch from the warm pool"
        );
    });
}

/// `stratus compare` of a scenario (library API) into a temporary folder:
/// comparison.csv as (header, rows) and comparison.md.
fn compare(name: &str, sets: &[&str]) -> (Vec<String>, Vec<Vec<String>>, String) {
    let t = crate::util::TempDir::new("lessons-compare");
    let o = stratus::experiment::compare::Options {
        file: format!("scenarios/{name}.yaml").into(),
        sets: sets.iter().map(|s| s.to_string()).collect(),
        replications: 1,
        out: Some(t.join("cmp")),
        charts: false,
        ..Default::default()
    };
    let done = stratus::experiment::compare::compare(&o).expect("compare");
    let mut r = csv::Reader::from_path(done.dir.join("comparison.csv")).expect("comparison.csv");
    let header: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
    let rows = r
        .records()
        .map(|x| x.unwrap().iter().map(str::to_string).collect())
        .collect();
    let md = std::fs::read_to_string(done.dir.join("comparison.md")).unwrap();
    (header, rows, md)
}

fn cell(header: &[String], row: &[String], key: &str) -> f64 {
    let i = header
        .iter()
        .position(|h| h == key)
        .unwrap_or_else(|| panic!("comparison.csv has no column {key}: {header:?}"));
    row[i].parse().unwrap()
}

#[test]
fn comparison_carries_each_queues_and_tables_figures() {
    // The FIFO lesson is in the queue's own columns: what one group leaves.
    let (h, rows, md) = compare("sqs-fifo-ordering", &["duration=20m"]);
    let one = rows.iter().find(|r| r[0] == "one-group").unwrap();
    let base = rows.iter().find(|r| r[0] == "base").unwrap();
    assert!(cell(&h, one, "queues.orders.visible_at_end") > 10_000.0);
    assert!(cell(&h, base, "queues.orders.visible_at_end") < 200.0);
    assert!(cell(&h, one, "queues.orders.max_age_s") > 600.0);
    assert!(
        md.contains("orders left") && md.contains("orders oldest"),
        "{md}"
    );
    // Queue-only: the calls' latency is not a column, ok/errors are calls.
    assert!(
        !md.contains("p99 (ms)") && md.contains("calls failed"),
        "{md}"
    );
    // The table's own scaling activities (the groups' column is 0 here and
    // left out of the Markdown: there is no group).
    let (h, rows, md) = compare("dynamodb-auto-scaling-lag", &["duration=40m"]);
    let base = rows.iter().find(|r| r[0] == "base").unwrap();
    assert!(cell(&h, base, "tables.orders.scaling_activities") >= 4.0);
    assert!(cell(&h, base, "tables.orders.write_throttles") > 100_000.0);
    assert_eq!(cell(&h, base, "scaling_activities"), 0.0);
    assert!(
        md.contains("orders scaling") && md.contains("orders write throttles"),
        "{md}"
    );
    assert!(!md.contains("min in service") && !md.contains("θU"), "{md}");
    // The earlier columns keep their names and order.
    assert_eq!(&h[..4], ["variant", "seed", "replications", "cost_usd"]);
}

#[test]
fn explain_by_kind_reads_the_termination_choice() {
    let o = run_one("termination-policies", "closest-to-next-hour", 1);
    let csv = stratus::report::output::activities_csv(&o.run);
    let text =
        stratus::report::explain::explain_csv_filtered(csv.as_bytes(), None, Some("terminate"))
            .unwrap();
    assert!(
        text.contains("terminate: Terminating EC2 instance"),
        "{text}"
    );
    assert!(text.contains("ClosestToNextInstanceHour"), "{text}");
    assert!(!text.contains("launch: "), "{text}");
    // A kind the run has none of lists the kinds it has.
    let t = crate::util::TempDir::new("explain-kind");
    std::fs::write(t.join("activities.csv"), &csv).unwrap();
    let e = stratus::report::explain::explain_filtered(&t.0, None, Some("dlq_move")).unwrap_err();
    assert!(e.contains("--kind") && e.contains("terminate"), "{e}");
}

#[test]
fn every_claim_has_a_test_here_and_every_test_a_claim() {
    // A header's "Claim (every seed): …" is checked here; claims checked
    // elsewhere say where ("Claim (checked for seeds 1–10 by …)").
    let me = include_str!("lessons.rs");
    let mut claimed = Vec::new();
    for e in std::fs::read_dir("scenarios").unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "yaml") {
            let stem = p.file_stem().unwrap().to_string_lossy().to_string();
            let text = std::fs::read_to_string(&p).unwrap();
            let has_claim = text
                .lines()
                .take_while(|l| l.starts_with('#'))
                .any(|l| l.contains("Claim (every seed): "));
            let tested = me.contains(&format!("let n = \"{stem}\";"));
            assert!(
                has_claim == tested,
                "scenarios/{stem}.yaml: claim {has_claim}, test in lessons.rs {tested}"
            );
            if has_claim {
                claimed.push(stem);
            }
        }
    }
    assert!(claimed.len() >= 30, "{claimed:?}");
}
