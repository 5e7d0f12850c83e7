//! Closed-loop workloads: N virtual users, each sending a request, waiting
//! for its answer, thinking, then sending the next — the way JMeter,
//! Gatling, k6 and Locust drive load — so the offered load falls when
//! latency rises (`recorded-aws-behaviour.md`: "150 looping JMeter threads"
//! is not an open Poisson rate). Each user is a session that never ends,
//! reusing the session machinery (cookies, DNS node, think time).

use super::{Ev, NONE, Session, World};
use crate::scenario::Scenario;
use crate::sim::rng::CountSampler;
use crate::workload::SessionModel;

impl World {
    /// Start every closed-loop workload's users, each at a random point of
    /// its first think time, and switch off its open arrivals.
    pub(super) fn closed_loop_start(&mut self, sc: &Scenario) {
        for (wl, w) in sc.workloads.iter().enumerate() {
            let Some(u) = &w.users else { continue };
            let think = u.think_time.sampler();
            self.next_arrival[wl] = (crate::sim::SimTime::MAX, u64::MAX);
            let state = &mut self.workloads[wl];
            state.sessions = Some(SessionModel {
                requests: CountSampler::Const(u64::MAX),
                think: think.clone(),
            });
            for _ in 0..u.count {
                let first = think.sample(&mut state.session_rng);
                let s = Session {
                    remaining: u64::MAX,
                    node: NONE,
                    cookie: NONE,
                    cookie_expiry: 0,
                    home: NONE,
                    lost: false,
                };
                self.sessions.push(s);
                self.session_wl.push(wl as u32);
                let session = (self.sessions.len() - 1) as u32;
                if first <= self.end {
                    self.q.push(first, Ev::SessionNext { session });
                }
            }
        }
        self.find_first_arrival();
    }
}
