//! Closed-loop workloads: N virtual users, each sending a request, waiting
//! for its answer, thinking, then sending the next — the way JMeter,
//! Gatling, k6 and Locust drive load — so the offered load falls when
//! latency rises (`recorded-aws-behaviour.md`: "150 looping JMeter threads"
//! is not an open Poisson rate). Each user is a session that never ends,
//! reusing the session machinery (cookies, DNS node, think time).
//!
//! The count may be a pattern over time (a ramp-up of threads, a step): the
//! users are numbered, and user k is active while k < count(t). An inactive
//! user finishes its request in flight, then waits until it is active again
//! (checked each second) and sends at once.

use super::{Ev, Session, World};
use crate::scenario::Scenario;
use crate::scenario::dist::Rate;
use crate::sim::OptId;
use crate::sim::SimTime;
use crate::sim::rng::CountSampler;
use crate::workload::{RateFn, SessionModel};

/// A closed-loop workload whose user count varies: its users are the
/// sessions `first..first + n`.
pub(crate) struct VaryingUsers {
    first: u32,
    n: u32,
    count: RateFn,
}

/// How often a waiting user looks at the count again.
const RECHECK: SimTime = 1_000_000_000;

impl World {
    /// Start every closed-loop workload's users, each at a random point of
    /// its first think time, and switch off its open arrivals.
    pub(super) fn closed_loop_start(&mut self, sc: &Scenario) {
        for (wl, w) in sc.workloads.iter().enumerate() {
            let Some(u) = &w.users else { continue };
            let think = u.think_time.sampler();
            self.next_arrival[wl] = (crate::sim::SimTime::MAX, u64::MAX);
            let count = RateFn::new(&u.count);
            let n = count.max().ceil().max(0.0) as u32;
            if !matches!(u.count, Rate::Constant(_)) {
                self.fid.varying_users.push(VaryingUsers {
                    first: self.sessions.len() as u32,
                    n,
                    count,
                });
            }
            let state = &mut self.workloads[wl];
            state.sessions = Some(SessionModel {
                requests: CountSampler::Const(u64::MAX),
                think: think.clone(),
            });
            for _ in 0..n {
                let first = think.sample(&mut state.session_rng);
                let s = Session {
                    remaining: u64::MAX,
                    node: OptId::NONE,
                    cookie: OptId::NONE,
                    cookie_expiry: 0,
                    home: OptId::NONE,
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

    /// Whether a session is a closed-loop user not active now (its number
    /// at or above the count): it then waits and is woken when it is.
    pub(super) fn closed_loop_parked(&mut self, session: u32) -> bool {
        let Some(v) = self
            .fid
            .varying_users
            .iter()
            .find(|v| session >= v.first && session < v.first + v.n)
        else {
            return false;
        };
        let k = (session - v.first) as f64;
        if k < v.count.at(self.now) {
            return false;
        }
        let mut t = self.now;
        loop {
            t += RECHECK;
            if t > self.end {
                return true;
            }
            if k < v.count.at(t) {
                break;
            }
        }
        self.q.push(t, Ev::SessionNext { session });
        true
    }
}
