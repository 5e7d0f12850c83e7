//! The load balancer side of the world: sticky sessions, session state, and
//! target health checks (real requests through each instance's queue).

use super::{Act, Activity, Ev, NONE, Request, SIMULATOR_WORDING, World};
use crate::aws::ec2::{Admission, LifecycleState};
use crate::aws::elb::TargetHealth;
use crate::scenario::{SessionStore, StickinessType};
use rand::RngExt;

impl World {
    /// A session's request was routed to `inst`: keep its cookie and its
    /// state up to date.
    pub(super) fn session_routed(&mut self, lb: u32, session: u32, inst: u32, sticky: bool) {
        let now = self.now;
        let s = &mut self.sessions[session as usize];
        let l = &mut self.lbs[lb as usize];
        let mut rebound = None;
        if sticky {
            // The sticky target is unhealthy, draining or gone: the load
            // balancer picks a new one and rewrites the cookie
            // (`ALB:sticky-sessions`).
            if s.cookie != NONE && s.cookie_expiry > now && s.cookie != inst {
                l.sticky_rebinds += 1;
                l.period.sticky_rebinds += 1;
                let why = match l.target_of(s.cookie) {
                    None => "deregistered",
                    Some(t) => l.targets[t].health.aws_name(),
                };
                rebound = Some((s.cookie, inst, why));
            }
            s.cookie = inst;
            s.cookie_expiry = now + l.cookie_duration;
        }
        // Session state kept on the instance is unreachable from any other.
        let g = self.instances[inst as usize].asg as usize;
        if self.asg_rt[g].session_store == SessionStore::Local {
            if s.home != NONE && s.home != inst && !s.lost {
                s.lost = true;
                l.sessions_lost += 1;
            }
            s.home = inst;
        }
        if let Some(example) = rebound
            && let Some(done) = self.sticky_tally[lb as usize].note(now, example)
        {
            self.sticky_row(lb, done);
        }
    }

    /// Start health-checking a newly registered target, first at a random
    /// point within one interval.
    pub(super) fn start_health_checks(&mut self, lb: u32, inst: u32) {
        let interval = self.lb_hc[lb as usize].interval.0.max(1);
        let offset = self.lb_hc_rng[lb as usize].random_range(0..interval);
        let generation = self.inst_gen[inst as usize];
        self.q.push(
            self.now + offset,
            Ev::HealthCheck {
                lb,
                inst,
                generation,
            },
        );
    }

    /// Send one health check to a target: a request that costs
    /// `health_check.cost` of a worker, through the same queue as traffic.
    pub(super) fn on_health_check(&mut self, lb: u32, inst: u32, generation: u32) {
        if self.inst_gen[inst as usize] != generation {
            return;
        }
        let Some(t) = self.lbs[lb as usize].target_of(inst) else {
            return;
        };
        if self.lbs[lb as usize].targets[t].health == TargetHealth::Draining {
            return;
        }
        let now = self.now;
        let hc = self.lb_hc[lb as usize].clone();
        self.q.push(
            now + hc.interval.0.max(1),
            Ev::HealthCheck {
                lb,
                inst,
                generation,
            },
        );
        let req = self.alloc_req(Request {
            generation: 0,
            live: true,
            answered: false,
            wl: NONE,
            session: NONE,
            lb,
            inst,
            started: now,
            attempt_at: now,
            attempts: 1,
            step: 0,
        });
        let stopped = self.instances[inst as usize].state == LifecycleState::Terminated;
        let admitted = if stopped {
            Admission::Refused
        } else {
            self.instances[inst as usize].admit(req, now)
        };
        self.load_changed(inst);
        match admitted {
            Admission::Started => self.start_service(inst, req),
            Admission::Queued => {}
            Admission::Refused => {
                // Refused at once: a failed check.
                self.health_check_result(lb, inst, false);
                self.free_req(req);
                return;
            }
        }
        let g = self.reqs[req as usize].generation;
        self.q.push(
            now + hc.timeout.0,
            Ev::HealthCheckTimeout { req, generation: g },
        );
    }

    /// A health check's response arrived (before its timeout).
    pub(super) fn health_check_done(&mut self, req: u32) {
        let r = self.reqs[req as usize];
        if r.answered {
            return;
        }
        self.reqs[req as usize].answered = true;
        self.health_check_result(r.lb, r.inst, true);
    }

    /// A health check got no response within its timeout: a failure.
    pub(super) fn on_health_check_timeout(&mut self, req: u32, generation: u32) {
        let r = self.reqs[req as usize];
        if !r.live || r.generation != generation || r.answered {
            return;
        }
        self.reqs[req as usize].answered = true;
        self.health_check_result(r.lb, r.inst, false);
    }

    /// Apply one health check result with the documented thresholds: a new
    /// target must pass one check; a healthy one turns unhealthy after
    /// `unhealthy_threshold` consecutive failures; an unhealthy one turns
    /// healthy after `healthy_threshold` consecutive passes
    /// (`ALB:target-group-health-checks`).
    fn health_check_result(&mut self, lb: u32, inst: u32, ok: bool) {
        let now = self.now;
        let hc = &self.lb_hc[lb as usize];
        let (ht, ut) = (hc.healthy_threshold.max(1), hc.unhealthy_threshold.max(1));
        let l = &mut self.lbs[lb as usize];
        let Some(t) = l.target_of(inst) else {
            return;
        };
        let tg = &mut l.targets[t];
        if ok {
            tg.passes += 1;
            tg.fails = 0;
        } else {
            tg.fails += 1;
            tg.passes = 0;
        }
        let new = match (tg.health, ok) {
            (TargetHealth::Initial, true) => TargetHealth::Healthy,
            (TargetHealth::Unhealthy, true) if tg.passes >= ht => TargetHealth::Healthy,
            (TargetHealth::Initial | TargetHealth::Healthy, false) if tg.fails >= ut => {
                TargetHealth::Unhealthy
            }
            (h, _) => h,
        };
        let Some(old) = l.set_health(t, new, now) else {
            // Auto Scaling reads the target's health on its own schedule, so
            // an instance still unhealthy after its grace period is replaced
            // then (`ASG:ec2-auto-scaling-health-checks`).
            if new == TargetHealth::Unhealthy {
                self.elb_health_says_unhealthy(inst);
            }
            return;
        };
        let id = self.instances[inst as usize].ec2_id.clone();
        let (reason, code) = if ok {
            ("Health checks passed", "")
        } else {
            ("Health checks failed", " (Target.FailedHealthChecks)")
        };
        self.activities.push(
            Activity::new(
                now,
                l.name.clone(),
                Act::Health,
                format!(
                    "Target {id} in target group {} is now {}",
                    l.name,
                    new.aws_name()
                ),
                format!("{reason}{code}."),
            )
            .with_details(format!("was {}; {SIMULATOR_WORDING}", old.aws_name())),
        );
        if new == TargetHealth::Unhealthy {
            self.elb_health_says_unhealthy(inst);
        }
        if new == TargetHealth::Healthy {
            self.target_healthy(inst);
        }
    }

    /// The summary row of a minute's sticky re-binds.
    pub(super) fn sticky_row(
        &mut self,
        lb: u32,
        (first, n, (old, new, why)): (u64, u64, (u32, u32, &'static str)),
    ) {
        let l = &self.lbs[lb as usize];
        let cookie = if l.stickiness == StickinessType::AppCookie {
            "AWSALBAPP"
        } else {
            "AWSALB"
        };
        let (a, b) = (
            self.instances[old as usize].ec2_id.clone(),
            self.instances[new as usize].ec2_id.clone(),
        );
        let sessions = if n == 1 { "session" } else { "sessions" };
        self.activities.push(
            Activity::new(
                first,
                l.name.clone(),
                Act::StickyRebind { count: n },
                format!("{n} sticky {sessions} re-bound to another target"),
                format!(
                    "The sessions' sticky targets could not serve them; the load balancer chose new targets with its routing algorithm and re-issued the {cookie} cookie."
                ),
            )
            .with_details(format!(
                "{n} re-binds in the minute from here; the first moved from {a} ({why}) to {b}; {SIMULATOR_WORDING}"
            )),
        );
    }
}
