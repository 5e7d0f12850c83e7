//! Checks of the serverless sections (`account`, `functions`, `apis`) and
//! of the workloads that target them. AWS's limits come from their rules
//! (`aws::lambda::function_problems`, `account_problems`,
//! `aws::apigateway::api_problems`); this adds references.

use super::{Checker, FieldPath, Scenario};
use crate::aws::{apigateway, lambda, sns};

pub(super) fn check(
    c: &mut Checker,
    s: &Scenario,
    functions: &[&str],
    apis: &[&str],
    lbs: &[&str],
    queues: &[&str],
) {
    let top = FieldPath::root();
    for (i, w) in s.workloads.iter().enumerate() {
        let to = top.key("workloads").item(Some(&w.name), i).key("to");
        if let Some(f) = &w.to.function {
            c.reference(to.key("function"), "function", f, functions);
        }
        if let Some(a) = &w.to.api {
            c.reference(to.key("api"), "api", a, apis);
        }
        if w.to.invocation == crate::scenario::Invocation::Async && w.to.function.is_none() {
            c.bad(
                to.key("invocation"),
                "`invocation` goes with `function` (how the function is invoked)",
            );
        }
    }
    let mut reserved_sum = 0u32;
    let mut unreserved_provisioned = 0u32;
    for (i, f) in s.functions.iter().enumerate() {
        let p = top.key("functions").item(Some(&f.name), i);
        if let Some(a) = &f.provisioned_concurrency_auto_scaling {
            c.all(
                &p.key("provisioned_concurrency_auto_scaling"),
                lambda::pc_auto_scaling_problems(a.min, a.max, a.target, f.reserved_concurrency),
            );
        }
        let e = &f.event_invoke_config;
        c.all(
            &p,
            lambda::function_problems(
                f.memory.0 / (1024 * 1024),
                f.timeout.as_secs_f64(),
                f.reserved_concurrency,
                f.initial_provisioned(),
                e.maximum_event_age.as_secs_f64(),
                e.maximum_retry_attempts,
            ),
        );
        c.fraction(p.key("error_rate"), "error_rate", f.error_rate);
        if let Some(r) = f.reserved_concurrency {
            reserved_sum += r;
        } else {
            unreserved_provisioned += f.initial_provisioned();
        }
        if let Some(d) = &e.on_failure {
            c.reference(
                p.key("event_invoke_config").key("on_failure").key("queue"),
                "queue",
                &d.queue,
                queues,
            );
        }
        if let Some(es) = &f.event_source {
            let ep = p.key("event_source");
            c.reference(ep.key("queue"), "queue", &es.queue, queues);
            let fifo = s
                .queues
                .iter()
                .find(|q| q.name == es.queue)
                .is_some_and(|q| q.kind == crate::scenario::QueueType::Fifo);
            if let Some((k, m)) = lambda::esm_sqs_problem(
                es.batch_size,
                es.maximum_batching_window.as_secs_f64(),
                fifo,
            ) {
                c.bad(ep.key(k), m);
            }
            let (lo, hi) = lambda::ESM_MAXIMUM_CONCURRENCY;
            if let Some(m) = es.maximum_concurrency
                && !(lo..=hi).contains(&m)
            {
                c.bad(
                    ep.key("maximum_concurrency"),
                    format!("maximum_concurrency must be {lo} to {hi}, found {m}"),
                );
            }
        }
        if let Some(d) = f.idle_expiry {
            c.positive_duration(p.key("idle_expiry"), "idle_expiry", d);
        }
    }
    if let Some(m) = lambda::account_problems(
        s.account.lambda_concurrency,
        reserved_sum,
        unreserved_provisioned,
    ) {
        let at = if s.functions.iter().any(|f| f.reserved_concurrency.is_some()) {
            let (i, f) = s
                .functions
                .iter()
                .enumerate()
                .rev()
                .find(|(_, f)| f.reserved_concurrency.is_some())
                .expect("a function with reserved concurrency");
            top.key("functions")
                .item(Some(&f.name), i)
                .key("reserved_concurrency")
        } else {
            top.key("functions")
        };
        c.bad(at, m);
    }
    let t = &s.account.api_throttle;
    if t.rate <= 0.0 || t.burst == 0 {
        c.bad(
            top.key("account").key("api_throttle"),
            "rate and burst must be positive",
        );
    }
    for (i, a) in s.apis.iter().enumerate() {
        let p = top.key("apis").item(Some(&a.name), i);
        let to = p.key("to");
        match (&a.to.function, &a.to.load_balancer) {
            (Some(f), None) => c.reference(to.key("function"), "function", f, functions),
            (None, Some(l)) => c.reference(to.key("load_balancer"), "load balancer", l, lbs),
            (None, None) => c.bad(
                to,
                "expected one of `function` or `load_balancer`, like `to: { function: resize }`",
            ),
            (Some(_), Some(_)) => c.bad(
                to,
                "an API integrates with one backend: give only one of `function` and `load_balancer`",
            ),
        }
        let mut share = 0.0;
        for (j, u) in a.usage_plans.iter().enumerate() {
            let up = p.key("usage_plans").item(Some(&u.name), j);
            c.fraction(up.key("share"), "share", u.share);
            share += u.share;
            if u.api_keys == 0 {
                c.bad(up.key("api_keys"), "api_keys must be at least 1");
            }
            if let Some(t) = &u.throttle
                && (t.rate <= 0.0 || t.burst == 0)
            {
                c.bad(up.key("throttle"), "rate and burst must be positive");
            }
            if let Some(q) = &u.quota
                && q.limit == 0
            {
                c.bad(up.key("quota").key("limit"), "limit must be at least 1");
            }
        }
        if share > 1.0 + 1e-9 {
            c.bad(
                p.key("usage_plans"),
                format!("the plans' shares add up to {share}, more than 1"),
            );
        }
        c.unique(
            p.key("usage_plans"),
            a.usage_plans.iter().map(|u| u.name.as_str()),
        );
        c.all(
            &p,
            apigateway::api_problems(
                a.kind == crate::scenario::ApiType::Rest,
                a.integration_timeout.0 as f64 / 1e6,
                a.cache
                    .as_ref()
                    .map(|k| (k.ttl.as_secs_f64(), k.size_gb.unwrap_or(0.5))),
                a.throttle.as_ref().map(|t| (t.rate, t.burst)),
            ),
        );
    }
}

pub(super) fn check_topics(
    c: &mut Checker,
    s: &Scenario,
    topics: &[&str],
    functions: &[&str],
    queues: &[&str],
    lbs: &[&str],
) {
    let top = FieldPath::root();
    for (i, w) in s.workloads.iter().enumerate() {
        if let Some(t) = &w.to.topic {
            let to = top.key("workloads").item(Some(&w.name), i).key("to");
            c.reference(to.key("topic"), "topic", t, topics);
        }
    }
    for (i, t) in s.topics.iter().enumerate() {
        let p = top.key("topics").item(Some(&t.name), i);
        for (j, sub) in t.subscribers.iter().enumerate() {
            let sp = p.key("subscribers").item(None, j);
            match (&sub.queue, &sub.function, &sub.load_balancer) {
                (Some(q), None, None) => c.reference(sp.key("queue"), "queue", q, queues),
                (None, Some(f), None) => {
                    c.reference(sp.key("function"), "function", f, functions)
                }
                (None, None, Some(l)) => {
                    c.reference(sp.key("load_balancer"), "load balancer", l, lbs)
                }
                _ => c.bad(
                    sp.clone(),
                    "a subscription has one endpoint: `queue`, `function` or `load_balancer`, like `{ queue: jobs }`",
                ),
            }
            if let Some(q) = &sub.dead_letter_queue {
                c.reference(sp.key("dead_letter_queue"), "queue", q, queues);
            }
            if let Some(d) = &sub.delivery_policy {
                let dp = sp.key("delivery_policy");
                if sub.load_balancer.is_none() {
                    c.bad(
                        dp.clone(),
                        "only HTTP/S subscriptions (`load_balancer`) take a delivery policy: SNS's policies for SQS and Lambda are fixed",
                    );
                }
                for (k, v) in [
                    ("min_delay_target", d.min_delay_target),
                    ("max_delay_target", d.max_delay_target),
                ] {
                    if v.0 % 1_000_000_000 != 0 {
                        c.bad(dp.key(k), format!("{k} must be a whole number of seconds"));
                    }
                }
                if let Some(m) = sns::http_policy_problem(&d.rules()) {
                    c.bad(dp, m);
                }
            }
        }
        for (k, vals) in &t.message_attributes {
            if vals.values().any(|w| w.is_nan() || *w < 0.0) || vals.values().sum::<f64>() <= 0.0 {
                c.bad(
                    p.key("message_attributes").key(k),
                    "shares must be ≥ 0 and not all 0, like `{ image: 0.3, text: 0.7 }`",
                );
            }
        }
    }
}
