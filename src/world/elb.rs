//! The load balancer side of the world: where an ALB decides a request's
//! fate. A request arrives (`lb_receive`): the client's DNS lookup picks a
//! node, stickiness or the routing algorithm picks a target (no target:
//! 503), the idle timeout is armed (it expires: 504, `on_lb_deadline`), the
//! target admits or refuses it (refused: 502); the target's answer is timed
//! (`lb_responded`), and every error the client gets from the load balancer
//! is counted under its CloudWatch metric (`http_code`). Also sticky
//! sessions, session state and target health checks (real requests through
//! each instance's queue).
//!
//! The pure rules it applies (routing algorithms, health thresholds, the
//! HTTP codes, pricing) are in `aws::elb`; each load balancer's state is one
//! [`Lb`].

use super::{Act, Activity, Ev, Outcome, Request, SIMULATOR_WORDING, World};
use crate::aws::ec2::{Admission, LifecycleState};
use crate::aws::elb::{HttpCode, TargetHealth};
use crate::scenario::{SessionStore, StickinessType};
use crate::sim::{OptId, SimTime, Timer};
use rand::RngExt;

/// One load balancer: AWS's state of it (`aws::elb::LbState`: targets,
/// routing, counters) and what this world keeps beside it.
pub(crate) struct Lb {
    /// AWS's state.
    pub(super) aws: crate::aws::elb::LbState,
    /// Routing stream (random routing, ties).
    pub(super) rng: crate::sim::rng::Rng,
    /// Clients' DNS lookups (which node).
    pub(super) dns_rng: crate::sim::rng::Rng,
    /// Each new target's first health check offset.
    pub(super) hc_rng: crate::sim::rng::Rng,
    /// Target response times of the current period, µs.
    pub(super) hist: crate::sim::hist::LogHist,
    /// Health check settings.
    pub(super) hc: crate::scenario::LbHealthCheck,
    /// Its resource in the series.
    pub(super) res: u32,
    /// This minute's sticky re-binds (old target, new target, why the old
    /// one could not serve).
    pub(super) sticky: super::MinuteTally<(u32, u32, &'static str)>,
    /// Requests sent to targets and not yet answered, for the idle timeout.
    pub(super) in_flight: InFlight,
}

/// A load balancer's unanswered requests, oldest first: a list linked
/// through the requests themselves ([`IdleLink`]), so adding one and taking
/// out an answered one are O(1) and it holds only requests in flight (a
/// queue of deadlines kept every request's entry until compacted: a sweep
/// per request, and memory that grew with rate × idle timeout). Every
/// request's idle timeout is the same, so the oldest times out first: one
/// timer, armed for the head's deadline, serves them all.
#[derive(Debug)]
pub(super) struct InFlight {
    head: u32,
    tail: u32,
    timer: Timer,
}

impl Default for InFlight {
    fn default() -> Self {
        InFlight {
            head: NIL,
            tail: NIL,
            timer: Timer::default(),
        }
    }
}

const NIL: u32 = u32::MAX;

/// A request's neighbours in its load balancer's [`InFlight`] list.
#[derive(Clone, Copy, Debug)]
pub(super) struct IdleLink {
    prev: u32,
    next: u32,
    linked: bool,
}

impl IdleLink {
    /// Not in any list.
    pub(super) const UNLINKED: IdleLink = IdleLink {
        prev: NIL,
        next: NIL,
        linked: false,
    };

    #[inline]
    pub(super) fn is_linked(&self) -> bool {
        self.linked
    }
}

impl Lb {
    pub(super) fn new(
        aws: crate::aws::elb::LbState,
        lb: &crate::scenario::LoadBalancer,
        seed: u64,
        res: u32,
    ) -> Lb {
        use crate::sim::stream;
        Lb {
            aws,
            rng: stream(seed, &format!("elb/{}", lb.name)),
            dns_rng: stream(seed, &format!("elb/{}/dns", lb.name)),
            hc_rng: stream(seed, &format!("elb/{}/health-checks", lb.name)),
            hist: Default::default(),
            hc: lb.health_check.clone(),
            res,
            sticky: super::MinuteTally::new(),
            in_flight: InFlight::default(),
        }
    }
}

/// How an attempt's outcome shows in the load balancer's HTTPCode metrics.
///
/// A request the instance refuses (its queue is full) reaches the client as
/// a 502 from the load balancer, so CloudWatch counts it in
/// HTTPCode_ELB_502_Count; the summary keeps its cause apart
/// (`instance_refused`). Client timeouts and throttles are not the load
/// balancer's answer.
pub(super) fn http_code(outcome: Outcome) -> Option<HttpCode> {
    match outcome {
        Outcome::Elb502 | Outcome::InstanceRefused => Some(HttpCode::Elb502),
        Outcome::Elb503 => Some(HttpCode::Elb503),
        Outcome::Elb504 => Some(HttpCode::Elb504),
        Outcome::Target5xx => Some(HttpCode::Target5xx),
        Outcome::Ok | Outcome::ClientTimeout | Outcome::Throttled => None,
    }
}

impl World {
    /// A request reaches load balancer `lb`: a node by DNS, a target by
    /// stickiness or by the routing algorithm, 503 when there is none, the
    /// idle timeout armed, then the target's admission (502 when refused).
    pub(super) fn lb_receive(&mut self, lb: u32, req: u32) {
        let now = self.now;
        let session = self.reqs[req as usize].session;
        // The idle timeout runs from here.
        self.reqs[req as usize].attempt_at = now;
        let lbx = &mut self.lbs[lb as usize];
        let (l, dns_rng, rng) = (&mut lbx.aws, &mut lbx.dns_rng, &mut lbx.rng);
        l.on_request();
        self.reqs[req as usize].lb = OptId::some(lb);
        // The client's DNS lookup picks a node; a session keeps its node.
        let node = match session.get() {
            None => l.pick_node(dns_rng),
            Some(session) => {
                let s = &mut self.sessions[session as usize];
                match s.node.get() {
                    Some(n) => n,
                    None => {
                        let n = l.pick_node(dns_rng);
                        s.node = OptId::some(n);
                        n
                    }
                }
            }
        };
        let sticky = session.is_some() && l.stickiness() != crate::scenario::StickinessType::None;
        let mut routed = None;
        if sticky {
            let s = &self.sessions[session.known() as usize];
            if let Some(cookie) = s.cookie.get()
                && s.cookie_expiry > now
                && l.sticky_ok(cookie, node)
            {
                routed = Some(cookie);
                if let Some(t) = l.target_of(cookie) {
                    l.on_sticky_hit(t);
                }
            }
        }
        if routed.is_none() {
            routed = l.route(node, now, rng);
        }
        let Some(inst) = routed else {
            // No registered target the node can reach: 503.
            self.answer(req, Outcome::Elb503);
            self.free_req(req);
            return;
        };
        if let Some(session) = session.get() {
            self.session_routed(lb, session, inst, sticky);
        }
        self.idle_link(lb, req);
        self.reqs[req as usize].inst = OptId::some(inst);
        let admitted = self.instances[inst as usize].admit(req, now);
        self.load_changed(inst);
        match admitted {
            Admission::Started => self.start_service(inst, req),
            Admission::Queued => {}
            Admission::Refused => {
                self.answer(req, Outcome::InstanceRefused);
                self.free_req(req);
            }
        }
    }
    /// An instance's outstanding requests (in service + waiting) changed:
    /// tell the load balancers that route by them. O(1) for the others.
    #[inline(always)]
    pub(super) fn load_changed(&mut self, inst: u32) {
        if self.any_load_tracked {
            self.report_load(inst);
        }
    }

    /// `load_changed` where some load balancer routes by load.
    fn report_load(&mut self, inst: u32) {
        let i = &self.instances[inst as usize];
        let g = i.asg as usize;
        if !self.groups[g].load_tracked() {
            return;
        }
        let load = i.busy + i.waiting.len() as u32;
        for k in 0..self.groups[g].aws.lbs().len() {
            let l = &mut self.lbs[self.groups[g].aws.lbs()[k] as usize].aws;
            if l.tracks_load() {
                l.set_load(inst, load);
            }
        }
    }
    /// Request `req` was sent to a target through `lb`: it joins the end of
    /// the load balancer's unanswered requests, and the idle-timeout timer
    /// is armed if none is.
    #[inline]
    fn idle_link(&mut self, lb: u32, req: u32) {
        let f = &mut self.lbs[lb as usize].in_flight;
        let tail = f.tail;
        f.tail = req;
        if tail == NIL {
            f.head = req;
        } else {
            self.reqs[tail as usize].idle.next = req;
        }
        self.reqs[req as usize].idle = IdleLink {
            prev: tail,
            next: NIL,
            linked: true,
        };
        if !f.timer.is_armed() {
            let generation = f.timer.arm();
            let at = self.now + self.lbs[lb as usize].aws.idle_timeout();
            self.q.push(at, Ev::LbDeadline { lb, generation });
        }
    }

    /// Debug builds, every metrics period: each load balancer's list holds
    /// exactly its linked requests, all live and unanswered, in the order
    /// they were sent, with consistent back links.
    #[cfg(debug_assertions)]
    pub(super) fn check_in_flight(&self) {
        for (lb, l) in self.lbs.iter().enumerate() {
            let (mut at, mut prev, mut n, mut last) = (l.in_flight.head, NIL, 0usize, 0);
            while at != NIL {
                let r = &self.reqs[at as usize];
                assert!(
                    r.idle.linked && r.live && !r.answered,
                    "lb {lb}: request {at} listed"
                );
                assert!(r.lb.is(lb as u32), "lb {lb}: request {at} of another");
                assert_eq!(r.idle.prev, prev, "lb {lb}: back link of {at}");
                assert!(r.attempt_at >= last, "lb {lb}: list out of order at {at}");
                (prev, last, at) = (at, r.attempt_at, r.idle.next);
                n += 1;
            }
            assert_eq!(l.in_flight.tail, prev, "lb {lb}: tail");
            let linked = self
                .reqs
                .iter()
                .filter(|r| r.idle.linked && r.lb.is(lb as u32))
                .count();
            assert_eq!(n, linked, "lb {lb}: listed vs linked requests");
        }
    }

    /// Request `req` is answered (or gone): out of `lb`'s list. The timer
    /// stays armed; when it fires it finds the new head.
    #[inline]
    pub(super) fn idle_unlink(&mut self, lb: u32, req: u32) {
        let IdleLink { prev, next, .. } = self.reqs[req as usize].idle;
        self.reqs[req as usize].idle = IdleLink::UNLINKED;
        let f = &mut self.lbs[lb as usize].in_flight;
        if prev == NIL {
            f.head = next;
        } else {
            self.reqs[prev as usize].idle.next = next;
        }
        if next == NIL {
            f.tail = prev;
        } else {
            self.reqs[next as usize].idle.prev = prev;
        }
    }

    /// The idle-timeout timer fired: every request whose idle timeout has
    /// run out gets a 504, oldest first; the timer is re-armed for the next.
    pub(super) fn on_lb_deadline(&mut self, lb: u32, generation: u32) {
        if !self.lbs[lb as usize].in_flight.timer.fire(generation) {
            return;
        }
        let idle = self.lbs[lb as usize].aws.idle_timeout();
        let mut due = Vec::new();
        loop {
            let head = self.lbs[lb as usize].in_flight.head;
            if head == NIL {
                break;
            }
            let deadline = self.reqs[head as usize].attempt_at + idle;
            if deadline > self.now {
                let f = &mut self.lbs[lb as usize].in_flight;
                let generation = f.timer.arm();
                self.q.push(deadline, Ev::LbDeadline { lb, generation });
                break;
            }
            self.idle_unlink(lb, head);
            due.push(head);
        }
        for r in due {
            // The ALB gives up on the target after its idle timeout: 504.
            self.answer(r, Outcome::Elb504);
        }
    }

    /// A target answered request `lb`'s attempt after `response_time` ns.
    #[inline]
    pub(super) fn lb_responded(&mut self, lb: u32, response_time: SimTime) {
        let l = &mut self.lbs[lb as usize];
        l.aws.on_response(response_time);
        l.hist.record((response_time / 1_000).max(1));
    }

    /// A session's request was routed to `inst`: keep its cookie and its
    /// state up to date.
    pub(super) fn session_routed(&mut self, lb: u32, session: u32, inst: u32, sticky: bool) {
        let now = self.now;
        let s = &mut self.sessions[session as usize];
        let l = &mut self.lbs[lb as usize].aws;
        let mut rebound = None;
        if sticky {
            // The sticky target is unhealthy, draining or gone: the load
            // balancer picks a new one and rewrites the cookie
            // (`ALB:sticky-sessions`).
            if let Some(cookie) = s.cookie.get()
                && s.cookie_expiry > now
                && cookie != inst
            {
                l.on_rebind();
                let why = match l.health_of(cookie) {
                    None => "deregistered",
                    Some(h) => h.aws_name(),
                };
                rebound = Some((cookie, inst, why));
            }
            s.cookie = OptId::some(inst);
            s.cookie_expiry = now + l.cookie_duration();
        }
        // Session state kept on the instance is unreachable from any other.
        let g = self.instances[inst as usize].asg as usize;
        if self.groups[g].rt.session_store == SessionStore::Local {
            if s.home.is_some() && !s.home.is(inst) && !s.lost {
                s.lost = true;
                l.on_session_lost();
            }
            s.home = OptId::some(inst);
        }
        if let Some(example) = rebound
            && let Some(done) = self.lbs[lb as usize].sticky.note(now, example)
        {
            self.sticky_row(lb, done);
        }
    }

    /// Start health-checking a newly registered target, first at a random
    /// point within one interval.
    pub(super) fn start_health_checks(&mut self, lb: u32, inst: u32) {
        let interval = self.lbs[lb as usize].hc.interval.0.max(1);
        let offset = self.lbs[lb as usize].hc_rng.random_range(0..interval);
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
    #[inline(never)]
    pub(super) fn on_health_check(&mut self, lb: u32, inst: u32, generation: u32) {
        if self.inst_gen[inst as usize] != generation {
            return;
        }
        match self.lbs[lb as usize].aws.health_of(inst) {
            None | Some(TargetHealth::Draining) => return,
            Some(_) => {}
        }
        let now = self.now;
        let hc = self.lbs[lb as usize].hc.clone();
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
            wl: OptId::NONE,
            session: OptId::NONE,
            lb: OptId::some(lb),
            inst: OptId::some(inst),
            started: now,
            attempt_at: now,
            attempts: 1,
            step: 0,
            idle: IdleLink::UNLINKED,
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
        self.health_check_result(r.lb.known(), r.inst.known(), true);
    }

    /// A health check got no response within its timeout: a failure.
    #[inline(never)]
    pub(super) fn on_health_check_timeout(&mut self, req: u32, generation: u32) {
        let r = self.reqs[req as usize];
        if !r.live || r.generation != generation || r.answered {
            return;
        }
        self.reqs[req as usize].answered = true;
        self.health_check_result(r.lb.known(), r.inst.known(), false);
    }

    /// Apply one health check result with the documented thresholds: a new
    /// target must pass one check; a healthy one turns unhealthy after
    /// `unhealthy_threshold` consecutive failures; an unhealthy one turns
    /// healthy after `healthy_threshold` consecutive passes
    /// (`ALB:target-group-health-checks`).
    fn health_check_result(&mut self, lb: u32, inst: u32, ok: bool) {
        let now = self.now;
        let hc = &self.lbs[lb as usize].hc;
        let (ht, ut) = (hc.healthy_threshold, hc.unhealthy_threshold);
        let l = &mut self.lbs[lb as usize].aws;
        let Some(t) = l.target_of(inst) else {
            return;
        };
        let (new, changed) = l.on_health_check(t, ok, ht, ut, now);
        let Some(old) = changed else {
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
                l.name().to_string(),
                Act::Health,
                format!(
                    "Target {id} in target group {} is now {}",
                    l.name(),
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
        let l = &self.lbs[lb as usize].aws;
        let cookie = if l.stickiness() == StickinessType::AppCookie {
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
                l.name().to_string(),
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
