//! The simulated world: every resource of a scenario, the event enum, and the
//! loop that routes events between the services.
//!
//! Hot path (one request through a load balancer to an instance and back):
//! two heap events (arrival, service done) plus one deadline-FIFO entry; no
//! allocation (request and session slots are recycled), no formatting, no
//! hashing.

use crate::aws::autoscaling::AsgState;
use crate::aws::ec2::{self, Instance, LifecycleState};
use crate::aws::elb::{LbState, TargetHealth};
use crate::report::clock;
use crate::report::metrics::Series;
use crate::scenario::{AppStep, RetryOn, Scenario};
use crate::sim::rng::{Exp1Ahead, Rng, Sampler};
use crate::sim::{DeadlineFifo, EventQueue, OptId, SimTime, stream};
use crate::workload::{ArrivalProcess, SessionModel};
use hdrhistogram::Histogram;

mod actions;
mod apigw;
mod asg;
mod closed_loop;
mod dynamodb;
mod elb;
mod esm;
mod faults;
mod fidelity;
mod kinesis;
mod lambda;
mod maintenance;
mod pc_scaling;
mod predictive;
mod scaling;
mod sns;
mod sqs;
use rand::RngExt;
pub use sqs::{SqsEv, SqsTrace, TraceKind};

/// The `wl` of a request that is an SNS HTTP/S delivery (`world/sns.rs`).
const SNS_WL: u32 = u32::MAX - 1;
/// `Request::step` of a request whose app step failed (the app answers 500).
const STEP_FAILED: u16 = u16::MAX;

/// Every kind of event.
#[derive(Clone, Copy, Debug)]
pub enum Ev {
    /// A workload's next arrival (a request, or a new session).
    Arrival {
        /// workload index
        wl: u32,
    },
    /// A session sends its next request.
    SessionNext {
        /// session slot
        session: u32,
    },
    /// A retry of a request is sent.
    Retry {
        /// request slot
        req: u32,
        /// slot generation
        generation: u32,
    },
    /// An instance's worker finished a request.
    ServiceDone {
        /// request slot
        req: u32,
        /// slot generation
        generation: u32,
    },
    /// A load balancer's idle-timeout FIFO is due.
    LbDeadline {
        /// load balancer index
        lb: u32,
        /// timer generation
        generation: u32,
    },
    /// A workload's client-timeout FIFO is due.
    ClientDeadline {
        /// workload index
        wl: u32,
        /// timer generation
        generation: u32,
    },
    /// End of a metrics period.
    MetricsTick,
    /// An instance finished booting.
    InstanceBooted {
        /// instance index
        inst: u32,
        /// instance generation
        generation: u32,
    },
    /// A terminating instance's deregistration delay ended.
    DrainTimeout {
        /// instance index
        inst: u32,
        /// instance generation
        generation: u32,
    },
    /// Time to health-check a target.
    HealthCheck {
        /// load balancer index
        lb: u32,
        /// instance index
        inst: u32,
        /// instance generation
        generation: u32,
    },
    /// A health check's timeout.
    HealthCheckTimeout {
        /// request slot
        req: u32,
        /// slot generation
        generation: u32,
    },
    /// A table event (see `world/dynamodb.rs`).
    Table {
        /// what it is about
        what: dynamodb::TableEv,
        /// call or table
        a: u32,
        /// generation or dimension
        b: u32,
    },
    /// A CloudWatch minute ends: datapoints, alarms, scaling policies.
    CloudWatchMinute,
    /// An instance's lifecycle hooks are done.
    HookDone {
        /// instance index
        inst: u32,
        /// instance generation
        generation: u32,
        /// CONTINUE (true) or ABANDON
        proceed: bool,
    },
    /// An SQS timer, consumer thread or producer call (`world::sqs`).
    Sqs {
        /// what it is about
        what: SqsEv,
        /// queue, message slot, consumer thread or request
        a: u32,
        /// generation, receipt or call
        b: u32,
    },
    /// A scenario fault strikes.
    Fault {
        /// index into the fault plan
        idx: u32,
    },
    /// An impaired instance's EC2 status check fails.
    StatusCheckFailed {
        /// instance index
        inst: u32,
        /// instance generation
        generation: u32,
    },
    /// A Spot Instance gets its two-minute notice (interruption rate).
    SpotNotice {
        /// instance index
        inst: u32,
        /// instance generation
        generation: u32,
    },
    /// A Spot Instance is interrupted.
    SpotInterrupted {
        /// instance index
        inst: u32,
        /// instance generation
        generation: u32,
    },
    /// The hourly step of a group's predictive scaling (`world::predictive`).
    PredictiveTick {
        /// group index
        g: u32,
    },
    /// A group's periodic health and maintenance sweep: unhealthy
    /// replacement, maximum instance lifetime, instance refresh, warm pool.
    GroupSweep {
        /// group index
        g: u32,
    },
    /// A scheduled action is due.
    ScheduledAction {
        /// group index
        g: u32,
        /// action index
        idx: u32,
    },
    /// A Lambda or API Gateway event (`world/lambda.rs`, `world/apigw.rs`).
    Serverless {
        /// what it is about
        what: lambda::SlEv,
        /// invocation, event or API
        a: u32,
        /// generation
        b: u32,
    },
    /// A Kinesis event (`world/kinesis.rs`).
    Kinesis {
        /// what it is about
        what: kinesis::KinEv,
        /// put, reader or stream
        a: u32,
        /// generation or index
        b: u32,
    },
    /// Recorded-fidelity behaviour (`world::fidelity`).
    Fidelity {
        /// what it is about
        what: fidelity::FidEv,
        /// instance or group
        a: u32,
        /// generation or index
        b: u32,
    },
}

/// How one request ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Outcome {
    /// 2xx.
    Ok = 0,
    /// ELB 502 (bad gateway: connection cut).
    Elb502 = 1,
    /// ELB 503 (no target).
    Elb503 = 2,
    /// ELB 504 (idle timeout).
    Elb504 = 3,
    /// 5xx from the target.
    Target5xx = 4,
    /// The instance's queue was full.
    InstanceRefused = 5,
    /// The client gave up.
    ClientTimeout = 6,
    /// Throttled (DynamoDB, after retries).
    Throttled = 7,
}

/// Number of outcomes.
pub const OUTCOMES: usize = 8;

impl Outcome {
    /// The error key in summary.json.
    pub fn key(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Elb502 => "elb_502",
            Outcome::Elb503 => "elb_503",
            Outcome::Elb504 => "elb_504",
            Outcome::Target5xx => "target_5xx",
            Outcome::InstanceRefused => "instance_refused",
            Outcome::ClientTimeout => "client_timeout",
            Outcome::Throttled => "throttled",
        }
    }
    /// All outcomes in summary order.
    pub const ALL: [Outcome; OUTCOMES] = [
        Outcome::Ok,
        Outcome::Elb502,
        Outcome::Elb503,
        Outcome::Elb504,
        Outcome::Target5xx,
        Outcome::InstanceRefused,
        Outcome::ClientTimeout,
        Outcome::Throttled,
    ];
    fn is_5xx(self) -> bool {
        matches!(
            self,
            Outcome::Elb502
                | Outcome::Elb503
                | Outcome::Elb504
                | Outcome::Target5xx
                | Outcome::InstanceRefused
        )
    }
}

/// One attempt of a request, alive while it is in flight.
#[derive(Clone, Copy, Debug)]
struct Request {
    generation: u32,
    live: bool,
    /// The client already has an outcome for this attempt.
    answered: bool,
    /// Its workload (none: a health check the load balancer sends).
    wl: OptId,
    /// Its session (none: the workload has no sessions).
    session: OptId,
    /// The load balancer it went through (none: not one).
    lb: OptId,
    /// The instance serving it (none: not yet on one).
    inst: OptId,
    /// When the logical request started (first attempt), for client latency.
    started: SimTime,
    /// When this attempt reached the load balancer.
    attempt_at: SimTime,
    attempts: u32,
    /// Next app step to run on the instance.
    step: u16,
    /// Its place among its load balancer's unanswered requests
    /// (`elb::InFlight`).
    idle: elb::IdleLink,
}

struct Session {
    remaining: u64,
    /// The load balancer node the client's DNS lookup chose (none: not yet).
    node: OptId,
    /// Sticky cookie: bound target instance (none: no cookie) and expiry.
    cookie: OptId,
    cookie_expiry: SimTime,
    /// The instance holding the session's state (none: none yet).
    home: OptId,
    /// State already lost once.
    lost: bool,
}

/// Where a workload's requests go.
#[derive(Clone, Copy, Debug)]
enum Sink {
    Lb(u32),
    /// A table: the call site's index (`world/dynamodb.rs`).
    Table(u32),
    /// A queue: each request is one SendMessage.
    Queue(u32),
    /// A Lambda function, invoked synchronously.
    Function(u32),
    /// A Lambda function, invoked asynchronously (Event).
    FunctionAsync(u32),
    /// An API Gateway API.
    Api(u32),
    /// An SNS topic: each request is one Publish.
    Topic(u32),
    /// A Kinesis stream: each request is one PutRecord.
    Stream(u32),
}

struct WlState {
    name: String,
    sink: Sink,
    arrivals: ArrivalProcess,
    rng: Rng,
    /// `rng`'s gaps drawn ahead (constant-rate Poisson arrivals only).
    arrival_ahead: Exp1Ahead,
    session_rng: Rng,
    retry_rng: Rng,
    sessions: Option<SessionModel>,
    timeout: Option<u64>,
    deadlines: DeadlineFifo<(u32, u32)>,
    retry_on_5xx: bool,
    retry_on_timeout: bool,
    max_attempts: u32,
    backoff: Sampler,
}

/// Per-group runtime pieces that are not AWS state.
struct AsgRuntime {
    /// Compute/wait steps of a request, as samplers (summed into one hold).
    /// What a request does on an instance, in order.
    steps: Vec<StepRt>,
    rng: Rng,
    /// `rng`'s draws made ahead, when every hold draws only Exp(1) values.
    app_ahead: Option<Exp1Ahead>,
    id_rng: Rng,
    price_per_hour: f64,
    billing: crate::scenario::Billing,
    spec: crate::scenario::InstanceSpec,
    boot: Sampler,
    boot_rng: Rng,
    /// Scheduled actions' lateness (its own stream: adding an action must
    /// not shift any boot time).
    sched_rng: Rng,
    /// Warm pool instances' resume times.
    resume_rng: Rng,
    /// Spot interruptions by rate.
    spot_rng: Rng,
    /// Which instances a fault strikes.
    fault_rng: Rng,
    term_rng: Rng,
    scheduled: Vec<crate::scenario::ScheduledAction>,
    scheduled_delay: Sampler,
    /// The group replaces instances its load balancer finds unhealthy.
    elb_health: bool,
    grace: SimTime,
    session_store: crate::scenario::SessionStore,
    termination: Vec<crate::scenario::TerminationPolicy>,
    protect_new: bool,
    hooks: Vec<crate::scenario::LifecycleHook>,
    hook_rng: Rng,
    /// Suspended Auto Scaling processes.
    suspended: Vec<crate::scenario::ScalingProcess>,
}

/// One prepared step of what a request does on an instance.
///
/// Consecutive `Hold` steps are summed into one event. A step that calls
/// another service (a table, a queue) is a variant here: `advance` hands the
/// request to that service, which calls `resume_request` when it answers, and
/// the worker stays busy meanwhile.
#[derive(Clone, Debug)]
pub(crate) enum StepRt {
    /// Hold the worker this long (`compute`, `wait`).
    Hold(Sampler),
    /// A DynamoDB call (`dynamodb`): the step's index among all groups'
    /// table steps.
    Table(u32),
    /// SendMessage (`sqs_send`): index into the world's SQS app sends.
    QueueSend(u32),
    /// A `lambda_invoke` step: index among all groups' invoke steps.
    Invoke(u32),
    /// An `sns_publish` step: index among all groups' publish steps.
    Publish(u32),
    /// A `kinesis_put` step: index among all groups' put steps.
    Put(u32),
}

/// Aggregate request statistics.
pub struct RequestStats {
    /// Finished logical requests by outcome.
    pub by_outcome: [u64; OUTCOMES],
    /// Logical requests started.
    pub started: u64,
    /// Latency of OK requests, µs.
    pub hist: Histogram<u64>,
    /// Sum of OK latencies, ns.
    pub latency_sum_ns: u128,
    /// Largest OK latency, ns.
    pub latency_max_ns: u64,
}

pub use crate::report::activity::{Act, Activity, SIMULATOR_WORDING};

/// Why an instance is terminated: AWS's cause text, and the simulator's
/// explanation that goes to the `details` column.
pub(crate) struct Why {
    aws: String,
    details: String,
}

impl Why {
    fn new(aws: String, details: impl Into<String>) -> Why {
        Why {
            aws,
            details: details.into(),
        }
    }
}

/// Events that happen per request, session or message (sticky re-binds,
/// dead-letter moves) of one resource, summarised in at most one activity
/// row per minute, so activities.csv stays small whatever the load (the
/// spec's bound). Counting costs a compare and an add; the row is written
/// when the next minute's first event arrives, or at the end of the run.
#[derive(Clone, Copy, Debug)]
pub(crate) struct MinuteTally<E: Copy> {
    /// Minute (since the start) of the events counted; `u64::MAX`: none.
    minute: u64,
    /// When the minute's first event happened.
    first: SimTime,
    /// Events in the minute.
    count: u64,
    /// The minute's first event, as the row's example.
    example: Option<E>,
}

impl<E: Copy> MinuteTally<E> {
    const MINUTE: SimTime = 60_000_000_000;

    fn new() -> Self {
        MinuteTally {
            minute: u64::MAX,
            first: 0,
            count: 0,
            example: None,
        }
    }

    /// Count one event; a finished minute comes back when `now` starts a
    /// new one.
    #[inline]
    fn note(&mut self, now: SimTime, example: E) -> Option<(SimTime, u64, E)> {
        let m = now / Self::MINUTE;
        if m == self.minute {
            self.count += 1;
            return None;
        }
        let done = self.take();
        *self = MinuteTally {
            minute: m,
            first: now,
            count: 1,
            example: Some(example),
        };
        done
    }

    /// The minute being counted, if any: (first event, count, example).
    fn take(&mut self) -> Option<(SimTime, u64, E)> {
        self.minute = u64::MAX;
        let e = self.example.take()?;
        Some((self.first, self.count, e))
    }
}

impl From<String> for Why {
    fn from(aws: String) -> Why {
        Why {
            aws,
            details: String::new(),
        }
    }
}

/// The world.
pub struct World {
    /// Now.
    pub now: SimTime,
    /// End of the run.
    pub end: SimTime,
    q: EventQueue<Ev>,
    period: SimTime,
    start_epoch: i64,
    workloads: Vec<WlState>,
    /// Next arrival of each workload as (time, seq), kept out of the heap:
    /// arrival streams are monotone, so this saves a push and a pop per
    /// arrival. `u64::MAX` time = none.
    next_arrival: Vec<(SimTime, u64)>,
    /// The workload with the earliest next arrival.
    first_arrival: usize,
    /// Some load balancer routes by outstanding requests: instances report
    /// their load changes (`elb::load_changed`).
    any_load_tracked: bool,
    /// Load balancers: AWS's state and this world's wiring (`world::elb`).
    lbs: Vec<elb::Lb>,
    /// Auto Scaling groups: AWS's state and this world's wiring (`world::asg`).
    groups: Vec<asg::Group>,
    /// All instances ever launched.
    pub instances: Vec<Instance>,
    /// Generation per instance, bumped when it terminates (stale timers).
    inst_gen: Vec<u32>,
    reqs: Vec<Request>,
    free_reqs: Vec<u32>,
    sessions: Vec<Session>,
    session_wl: Vec<u32>,
    free_sessions: Vec<u32>,
    /// Request statistics.
    pub stats: RequestStats,
    /// Time series.
    pub series: Series,
    /// Activity history.
    pub activities: Vec<Activity>,
    /// Events processed.
    pub events: u64,
    /// CloudWatch publication delay.
    publication_delay: SimTime,
    /// DynamoDB tables, call sites and calls in flight.
    ddb: dynamodb::Tables,
    /// The scenario's faults in time order.
    fault_plan: Vec<(SimTime, crate::faults::FaultAction)>,
    /// Queues, their timers, producers and consumers.
    sqs: sqs::SqsWorld,
    /// Per queue: this minute's dead-letter moves (the first move).
    dlq_tally: Vec<MinuteTally<crate::aws::sqs::Moved>>,
    /// Lambda functions, invocations and async events.
    lambda: lambda::Functions,
    /// API Gateway APIs.
    apis: apigw::Apis,
    /// SNS topics.
    topics: sns::Topics,
    /// Kinesis streams.
    streams: kinesis::Streams,
    /// Recorded-fidelity state (`world::fidelity`).
    fid: fidelity::FidState,
}

impl World {
    /// Build the world of a (validated) scenario at t = 0.
    pub fn new(sc: &Scenario) -> World {
        let seed = sc.seed;
        let start_epoch = sc
            .start_time
            .as_deref()
            .and_then(clock::parse_utc)
            .or_else(|| clock::parse_utc(clock::DEFAULT_START))
            .unwrap_or(0);
        let mut series = Series::default();
        let mut sqs_sends = 0u32;
        let mut table_steps = 0u32;
        let mut invoke_steps = 0u32;
        let mut publish_steps = 0u32;
        let mut put_steps = 0u32;
        let mut asg_rt: Vec<AsgRuntime> = sc
            .auto_scaling_groups
            .iter()
            .map(|g| AsgRuntime {
                steps: g
                    .app
                    .iter()
                    .map(|s| match s {
                        AppStep::Compute(d) | AppStep::Wait(d) => StepRt::Hold(d.sampler()),
                        AppStep::Dynamodb(_) => {
                            table_steps += 1;
                            StepRt::Table(table_steps - 1)
                        }
                        AppStep::SqsSend(_) => {
                            sqs_sends += 1;
                            StepRt::QueueSend(sqs_sends - 1)
                        }
                        AppStep::LambdaInvoke(_) => {
                            invoke_steps += 1;
                            StepRt::Invoke(invoke_steps - 1)
                        }
                        AppStep::SnsPublish(_) => {
                            publish_steps += 1;
                            StepRt::Publish(publish_steps - 1)
                        }
                        AppStep::KinesisPut(_) => {
                            put_steps += 1;
                            StepRt::Put(put_steps - 1)
                        }
                    })
                    .collect(),
                rng: stream(seed, &format!("asg/{}/app", g.name)),
                app_ahead: None,
                id_rng: stream(seed, &format!("asg/{}/ids", g.name)),
                price_per_hour: g.instance.price_per_hour,
                billing: g.instance.billing,
                spec: g.instance.clone(),
                boot: g.instance.boot_time.sampler(),
                boot_rng: stream(seed, &format!("asg/{}/boot", g.name)),
                sched_rng: stream(seed, &format!("asg/{}/scheduled", g.name)),
                resume_rng: stream(seed, &format!("asg/{}/warm-pool-resume", g.name)),
                spot_rng: stream(seed, &format!("asg/{}/spot", g.name)),
                fault_rng: stream(seed, &format!("asg/{}/faults", g.name)),
                term_rng: stream(seed, &format!("asg/{}/termination", g.name)),
                scheduled: g.scheduled_actions.clone(),
                scheduled_delay: g.scheduled_action_delay.sampler(),
                session_store: g.session_store,
                termination: g.termination_policies.clone(),
                protect_new: g.new_instances_protected_from_scale_in,
                hooks: g.lifecycle_hooks.clone(),
                suspended: g.suspended_processes.clone(),
                hook_rng: stream(seed, &format!("asg/{}/hooks", g.name)),
                elb_health: g.health_check.kind == crate::scenario::HealthCheckType::Elb,
                grace: g.health_check.grace_period.0,
            })
            .collect();
        for rt in &mut asg_rt {
            // The app stream serves only the holds: when each draws Exp(1)
            // values or nothing, its draws can be made ahead.
            let exp_only = rt.steps.iter().all(|s| match s {
                StepRt::Hold(h) => h.draws_only_exp1(),
                _ => true,
            });
            if exp_only {
                // One mean for every drawing hold (as in the usual single
                // `compute` step): the scaling is made ahead too.
                let mut means = rt.steps.iter().filter_map(|s| match s {
                    StepRt::Hold(Sampler::Exp(m)) => Some(*m),
                    _ => None,
                });
                let one_mean = means
                    .next()
                    .filter(|m| means.all(|x| x.to_bits() == m.to_bits()));
                rt.app_ahead = Some(match one_mean {
                    Some(m) => Exp1Ahead::scaled(m),
                    None => Exp1Ahead::default(),
                });
            }
        }
        let asg_index = |name: &str| {
            sc.auto_scaling_groups
                .iter()
                .position(|g| g.name == name)
                .map(|i| i as u32)
        };
        // Resources are registered in this order (load balancers, groups,
        // then the other services): metrics.csv lists them so.
        let lbs: Vec<elb::Lb> = sc
            .load_balancers
            .iter()
            .map(|lb| {
                let g = asg_index(&lb.target_group);
                let nodes = g
                    .map(|g| sc.auto_scaling_groups[g as usize].availability_zones.len() as u32)
                    .unwrap_or(1);
                elb::Lb::new(
                    LbState::new(lb, OptId::from_option(g), nodes),
                    lb,
                    seed,
                    series.resource(&lb.name),
                )
            })
            .collect();
        let groups: Vec<asg::Group> = sc
            .auto_scaling_groups
            .iter()
            .zip(asg_rt)
            .map(|(g, rt)| asg::Group::new(sc, g, rt, start_epoch, series.resource(&g.name)))
            .collect();
        let sqs = sqs::SqsWorld::new(sc, &mut series);
        let lambda = lambda::Functions::new(sc, &mut series);
        let apis = apigw::Apis::new(sc, &mut series);
        let topics = sns::Topics::new(sc, &mut series);
        let streams = kinesis::Streams::new(sc, &mut series);
        let ddb = dynamodb::Tables::new(sc, start_epoch);
        let workloads = sc
            .workloads
            .iter()
            .enumerate()
            .map(|(i, w)| {
                // Validation makes `to` name exactly one existing target.
                let lb = w.to.load_balancer.as_ref();
                let queue = w.to.queue.as_ref();
                let sink = sc
                    .load_balancers
                    .iter()
                    .position(|l| Some(&l.name) == lb)
                    .map(|k| Sink::Lb(k as u32))
                    .or_else(|| {
                        sc.queues
                            .iter()
                            .position(|q| Some(&q.name) == queue)
                            .map(|k| Sink::Queue(k as u32))
                    })
                    .or_else(|| ddb.workload_site(i).map(Sink::Table))
                    .or_else(|| lambda.wl_sinks[i])
                    .or_else(|| apis.workload_sink(i))
                    .or_else(|| topics.workload_sink(i))
                    .or_else(|| streams.workload_sink(i))
                    .expect("validation gives every workload one target");
                let r = w.retries.as_ref();
                WlState {
                    name: w.name.clone(),
                    sink,
                    arrivals: ArrivalProcess::new(w),
                    rng: stream(seed, &format!("workload/{}/arrivals", w.name)),
                    arrival_ahead: Exp1Ahead::default(),
                    session_rng: stream(seed, &format!("workload/{}/sessions", w.name)),
                    retry_rng: stream(seed, &format!("workload/{}/retries", w.name)),
                    sessions: w.sessions.as_ref().map(|s| SessionModel {
                        requests: s.requests.sampler(),
                        think: s.think_time.sampler(),
                    }),
                    timeout: w.timeout.map(|d| d.0),
                    deadlines: DeadlineFifo::new(),
                    retry_on_5xx: r.is_some_and(|r| r.on.contains(&RetryOn::ServerError)),
                    retry_on_timeout: r.is_some_and(|r| r.on.contains(&RetryOn::Timeout)),
                    max_attempts: r.map(|r| r.max_attempts.max(1)).unwrap_or(1),
                    backoff: r.map(|r| r.backoff.sampler()).unwrap_or(Sampler::Const(0)),
                }
            })
            .collect();
        let mut w = World {
            now: 0,
            end: sc.duration.0,
            q: EventQueue::new(),
            period: sc.metrics_period.0.max(1),
            start_epoch,
            next_arrival: vec![(SimTime::MAX, u64::MAX); sc.workloads.len()],
            first_arrival: 0,
            any_load_tracked: false,
            workloads,
            lbs,
            groups,
            instances: Vec::new(),
            inst_gen: Vec::new(),
            reqs: Vec::new(),
            free_reqs: Vec::new(),
            sessions: Vec::new(),
            session_wl: Vec::new(),
            free_sessions: Vec::new(),
            stats: RequestStats {
                by_outcome: [0; OUTCOMES],
                started: 0,
                hist: Histogram::new_with_bounds(1, 3_600_000_000 * 48, 3)
                    .expect("valid histogram bounds"),
                latency_sum_ns: 0,
                latency_max_ns: 0,
            },
            series,
            activities: Vec::new(),
            events: 0,
            publication_delay: sc.cloudwatch.publication_delay.0,
            ddb,
            fault_plan: crate::faults::plan(sc),
            sqs,
            dlq_tally: vec![MinuteTally::new(); sc.queues.len()],
            lambda,
            apis,
            topics,
            streams,
            fid: fidelity::FidState::new(sc),
        };
        for (i, lb) in w.lbs.iter().enumerate() {
            let lb = &lb.aws;
            if let Some(g) = lb.asg().get() {
                w.groups[g as usize].attach_lb(i as u32, lb.tracks_load());
                w.any_load_tracked |= lb.tracks_load();
            }
        }
        for g in 0..w.groups.len() {
            w.launch_initial_fleet(g);
            for idx in 0..w.groups[g].rt.scheduled.len() {
                // One-off actions at `at` (recurring cron actions come with
                // the scheduled-scaling work). AWS runs them "up to two
                // minutes" late: `scheduled_action_delay`.
                if let Some(at) = w.groups[g].rt.scheduled[idx].at {
                    let rt = &mut w.groups[g].rt;
                    let late = rt.scheduled_delay.sample(&mut rt.sched_rng);
                    w.q.push(
                        at.0 + late,
                        Ev::ScheduledAction {
                            g: g as u32,
                            idx: idx as u32,
                        },
                    );
                } else {
                    w.schedule_recurrence(g, idx, 0);
                }
            }
        }
        for i in 0..w.workloads.len() {
            w.schedule_arrival(i as u32);
        }
        w.find_first_arrival();
        if w.period <= w.end {
            w.q.push(w.period, Ev::MetricsTick);
        }
        w.start_cloudwatch();
        w.predictive_start();
        w.maintenance_start();
        w.sqs_start();
        w.start_faults();
        w.tables_start();
        w.lambda_start();
        w.streams_start();
        w.actions_start(&sc.actions);
        w.closed_loop_start(sc);
        for i in 0..w.instances.len() as u32 {
            w.arm_spot_rate(i);
        }
        w
    }

    /// AWS's state of group `g` (scenario order).
    pub fn asg(&self, g: usize) -> &AsgState {
        &self.groups[g].aws
    }

    /// AWS's state of every group, in scenario order.
    pub fn asgs(&self) -> impl Iterator<Item = &AsgState> {
        self.groups.iter().map(|g| &g.aws)
    }

    /// AWS's state of every load balancer, in scenario order.
    pub fn load_balancers(&self) -> impl Iterator<Item = &LbState> {
        self.lbs.iter().map(|l| &l.aws)
    }

    /// Whether a group's Auto Scaling process is suspended
    /// (`ASG:as-suspend-resume-processes`).
    pub(crate) fn suspended(&self, g: usize, p: crate::scenario::ScalingProcess) -> bool {
        self.groups[g].rt.suspended.contains(&p)
    }

    /// Wall-clock text of a simulated time.
    pub fn clock_text(&self, t: SimTime) -> String {
        clock::format_utc(self.start_epoch + (t / 1_000_000_000) as i64)
    }

    fn new_instance_id(&mut self, g: usize) -> String {
        let rt = &mut self.groups[g].rt;
        let bits: u64 = rt.id_rng.random();
        let extra: u8 = rt.id_rng.random();
        ec2::instance_id(bits, extra)
    }

    /// The initial fleet starts warm: InService, registered and healthy at
    /// t = 0, its launches in the activity history at t = 0.
    fn launch_initial_fleet(&mut self, g: usize) {
        let desired = self.groups[g].aws.desired();
        let nazs = self.groups[g].aws.zone_count();
        let mut per_az = vec![0u32; nazs];
        let t = self.clock_text(0);
        for _ in 0..desired {
            let az = crate::aws::termination::az_with_fewest_instances(&per_az, &[]).unwrap_or(0);
            per_az[az as usize] += 1;
            let id = self.new_instance_id(g);
            let idx = self.instances.len() as u32;
            let spec_version = self.groups[g].aws.launch_template_version();
            let mut inst = Instance::new(
                id.clone(),
                g as u32,
                az,
                &self.groups[g].rt.spec,
                spec_version,
                0,
            );
            inst.protected = self.groups[g].rt.protect_new;
            inst.state = LifecycleState::InService;
            inst.in_service_at = Some(0);
            self.instances.push(inst);
            self.inst_gen.push(0);
            self.groups[g].aws.on_initial_launch(idx);
            for &lb in &self.groups[g].aws.lbs().to_vec() {
                self.lbs[lb as usize]
                    .aws
                    .register(idx, az, TargetHealth::Healthy, 0);
                self.start_health_checks(lb, idx);
            }
            self.activities.push(Activity::new(
                0,
                self.groups[g].aws.name().to_string(),
                Act::Launch,
                format!("Launching a new EC2 instance: {id}"),
                format!(
                    "At {t} a user request created an AutoScalingGroup changing the desired capacity from 0 to {desired}.  At {t} an instance was started in response to a difference between desired and actual capacity, increasing the capacity from 0 to {desired}."
                ),
            ));
        }
    }

    fn schedule_arrival(&mut self, wl: u32) {
        let w = &mut self.workloads[wl as usize];
        self.next_arrival[wl as usize] =
            match w
                .arrivals
                .next(self.now, self.end, &mut w.rng, &mut w.arrival_ahead)
            {
                Some(t) => (t, self.q.take_seq()),
                None => (SimTime::MAX, u64::MAX),
            };
    }

    fn find_first_arrival(&mut self) {
        let mut best = 0;
        for (i, k) in self.next_arrival.iter().enumerate() {
            if *k < self.next_arrival[best] {
                best = i;
            }
        }
        self.first_arrival = best;
    }

    /// The next event: the earlier of the heap's top and the first arrival.
    #[inline]
    fn next_event(&mut self, limit: SimTime) -> Option<(SimTime, Ev)> {
        let a = self
            .next_arrival
            .get(self.first_arrival)
            .copied()
            .unwrap_or((SimTime::MAX, u64::MAX));
        match self.q.peek_key() {
            Some(h) if h < a => {
                if h.0 > limit {
                    None
                } else {
                    self.q.pop()
                }
            }
            _ if a.0 != SimTime::MAX && a.0 <= limit => Some((
                a.0,
                Ev::Arrival {
                    wl: self.first_arrival as u32,
                },
            )),
            _ => None,
        }
    }

    #[inline]
    fn alloc_req(&mut self, r: Request) -> u32 {
        if let Some(i) = self.free_reqs.pop() {
            let slot = &mut self.reqs[i as usize];
            let generation = slot.generation;
            *slot = Request { generation, ..r };
            i
        } else {
            self.reqs.push(r);
            (self.reqs.len() - 1) as u32
        }
    }

    #[inline]
    fn free_req(&mut self, i: u32) {
        if self.reqs[i as usize].idle.is_linked() {
            self.idle_unlink(self.reqs[i as usize].lb.known(), i);
        }
        let r = &mut self.reqs[i as usize];
        r.live = false;
        r.generation = r.generation.wrapping_add(1);
        self.free_reqs.push(i);
    }

    /// Run up to `until` (events at `until` included), to inspect the world
    /// mid-run; `run` then continues to the end.
    pub fn run_until(&mut self, until: SimTime, progress: &mut dyn FnMut(f64)) {
        self.run_inner(until.min(self.end), progress);
    }

    /// An instance changes lifecycle state: the group's InService count and
    /// its extremes follow.
    pub(crate) fn set_state(&mut self, inst: u32, new: LifecycleState) {
        let i = &mut self.instances[inst as usize];
        let (was, now) = (
            i.state == LifecycleState::InService,
            new == LifecycleState::InService,
        );
        i.state = new;
        if was != now {
            self.groups[i.asg as usize].aws.on_in_service_change(now);
        }
    }

    /// Write the per-minute summary rows still being counted.
    fn flush_tallies(&mut self) {
        for lb in 0..self.lbs.len() {
            if let Some(done) = self.lbs[lb].sticky.take() {
                self.sticky_row(lb as u32, done);
            }
        }
        for q in 0..self.dlq_tally.len() {
            if let Some(done) = self.dlq_tally[q].take() {
                self.dlq_row(done);
            }
        }
    }

    /// Run to the end. `progress` gets the fraction done now and then.
    pub fn run(&mut self, progress: &mut dyn FnMut(f64)) {
        self.run_inner(self.end, progress);
        self.now = self.end;
        self.flush_tallies();
        // Summary rows are written when their minute is over, and a few
        // rows describe a minute that has ended: the history in time order.
        self.activities.sort_by_key(|a| a.t);
        // Alarms' datapoints are written when CloudWatch publishes them, a
        // minute or more after their period: metrics.csv in time order.
        self.series.rows.sort_by_key(|r| r.t);
        progress(1.0);
    }

    fn run_inner(&mut self, limit: SimTime, progress: &mut dyn FnMut(f64)) {
        while let Some((t, ev)) = self.next_event(limit) {
            self.now = t;
            self.events += 1;
            if self.events & 0xFFFF == 0 {
                progress(t as f64 / self.end.max(1) as f64);
            }
            self.handle(ev);
        }
        self.now = limit;
    }

    /// The one `match` over events. The handlers of rare events are
    /// `#[inline(never)]`: inlined (LTO inlines every function called
    /// once), they made this a 55 KB function whose every call saved and
    /// restored the registers their code needed.
    #[inline]
    fn handle(&mut self, ev: Ev) {
        match ev {
            Ev::Arrival { wl } => self.on_arrival(wl),
            Ev::SessionNext { session } => {
                if !self.fid.varying_users.is_empty() && self.closed_loop_parked(session) {
                    return;
                }
                let wl = self.session_workload(session);
                self.start_request(wl, OptId::some(session));
            }
            Ev::Retry { req, generation } => {
                if self.reqs[req as usize].generation == generation {
                    self.send_attempt(req);
                }
            }
            Ev::ServiceDone { req, generation } => self.on_service_done(req, generation),
            Ev::LbDeadline { lb, generation } => self.on_lb_deadline(lb, generation),
            Ev::ClientDeadline { wl, generation } => self.on_client_deadline(wl, generation),
            Ev::MetricsTick => self.on_metrics_tick(),
            Ev::InstanceBooted { inst, generation } => {
                if self.inst_gen[inst as usize] == generation {
                    self.on_instance_booted(inst)
                }
            }
            Ev::DrainTimeout { inst, generation } => self.on_drain_timeout(inst, generation),
            Ev::ScheduledAction { g, idx } => self.on_scheduled_action(g as usize, idx as usize),
            Ev::CloudWatchMinute => self.on_cloudwatch_minute(),
            Ev::PredictiveTick { g } => self.on_predictive_tick(g as usize),
            Ev::GroupSweep { g } => self.on_group_sweep(g as usize),
            Ev::Table { what, a, b } => self.on_table(what, a, b),
            Ev::Fault { idx } => self.on_fault(idx),
            Ev::Sqs { what, a, b } => self.on_sqs(what, a, b),
            Ev::Serverless { what, a, b } => self.on_serverless(what, a, b),
            Ev::HookDone {
                inst,
                generation,
                proceed,
            } => self.on_hook_done(inst, generation, proceed),
            Ev::StatusCheckFailed { inst, generation } => {
                self.on_status_check_failed(inst, generation)
            }
            Ev::SpotNotice { inst, generation } => {
                if self.inst_gen[inst as usize] == generation {
                    self.spot_notice(inst)
                }
            }
            Ev::SpotInterrupted { inst, generation } => self.on_spot_interrupted(inst, generation),
            Ev::HealthCheck {
                lb,
                inst,
                generation,
            } => self.on_health_check(lb, inst, generation),
            Ev::HealthCheckTimeout { req, generation } => {
                self.on_health_check_timeout(req, generation)
            }
            Ev::Fidelity { what, a, b } => self.on_fidelity(what, a, b),
            Ev::Kinesis { what, a, b } => self.on_kinesis(what, a, b),
        }
    }

    fn session_workload(&self, session: u32) -> u32 {
        self.session_wl[session as usize]
    }

    fn on_arrival(&mut self, wl: u32) {
        self.schedule_arrival(wl);
        if self.next_arrival.len() > 1 {
            self.find_first_arrival();
        }
        let w = &mut self.workloads[wl as usize];
        let session = match &w.sessions {
            None => OptId::NONE,
            Some(m) => {
                let n = m.requests.sample(&mut w.session_rng).max(1);
                let s = Session {
                    remaining: n,
                    node: OptId::NONE,
                    cookie: OptId::NONE,
                    cookie_expiry: 0,
                    home: OptId::NONE,
                    lost: false,
                };
                if let Some(i) = self.free_sessions.pop() {
                    self.sessions[i as usize] = s;
                    self.session_wl[i as usize] = wl;
                    OptId::some(i)
                } else {
                    self.sessions.push(s);
                    self.session_wl.push(wl);
                    OptId::some((self.sessions.len() - 1) as u32)
                }
            }
        };
        self.start_request(wl, session);
    }

    fn start_request(&mut self, wl: u32, session: OptId) {
        self.stats.started += 1;
        let now = self.now;
        let req = self.alloc_req(Request {
            generation: 0,
            live: true,
            answered: false,
            wl: OptId::some(wl),
            session,
            lb: OptId::NONE,
            inst: OptId::NONE,
            started: now,
            attempt_at: now,
            attempts: 1,
            step: 0,
            idle: elb::IdleLink::UNLINKED,
        });
        self.send_attempt(req);
    }

    /// Send one attempt of a request to its workload's sink.
    fn send_attempt(&mut self, req: u32) {
        let now = self.now;
        let wl = self.reqs[req as usize].wl.known();
        let sink = self.workloads[wl as usize].sink;
        {
            let r = &mut self.reqs[req as usize];
            r.attempt_at = now;
        }
        let generation = self.reqs[req as usize].generation;
        if let Some(timeout) = self.workloads[wl as usize].timeout {
            let w = &mut self.workloads[wl as usize];
            if let Some(g) = w.deadlines.push(now + timeout, (req, generation)) {
                self.q
                    .push(now + timeout, Ev::ClientDeadline { wl, generation: g });
            }
            let reqs = &self.reqs;
            w.deadlines.compact(|k| unanswered(reqs, k));
        }
        match sink {
            Sink::Lb(lb) => self.lb_receive(lb, req),
            Sink::Table(s) => self.table_workload_call(req, s),
            Sink::Queue(q) => self.sqs_producer_send(req, q),
            Sink::Function(f) => self.lambda_sync_request(req, f),
            Sink::FunctionAsync(f) => self.lambda_async_request(req, f),
            Sink::Api(a) => self.api_request(req, a),
            Sink::Topic(t) => self.sns_workload_publish(req, t),
            Sink::Stream(st) => self.kinesis_workload_put(req, st),
        }
    }

    #[inline]
    fn start_service(&mut self, inst: u32, req: u32) {
        if self.reqs[req as usize].wl.is_none() {
            // A health check: its configured cost.
            let hold = self.lbs[self.reqs[req as usize].lb.known() as usize]
                .hc
                .cost
                .0;
            let generation = self.reqs[req as usize].generation;
            self.q
                .push(self.now + hold, Ev::ServiceDone { req, generation });
            return;
        }
        self.reqs[req as usize].step = 0;
        self.advance(inst, req);
    }

    /// Run a request's app steps from `step` on: sum the holds up to the next
    /// call to another service (or the end) into one `ServiceDone` event.
    #[inline]
    fn advance(&mut self, inst: u32, req: u32) {
        let g = self.instances[inst as usize].asg as usize;
        let mut hold = 0u64;
        let mut k = self.reqs[req as usize].step as usize;
        loop {
            let rt = &mut self.groups[g].rt;
            let Some(step) = rt.steps.get(k) else {
                break;
            };
            match step {
                StepRt::Hold(s) => {
                    hold += match &mut rt.app_ahead {
                        Some(ahead) => s.sample_ahead(&mut rt.rng, ahead),
                        None => s.sample(&mut rt.rng),
                    }
                }
                &StepRt::Table(i) => {
                    // The call is made when the holds before it end; the
                    // worker waits for the answer (`resume_request`).
                    if hold == 0 {
                        self.table_step(i, inst, req, k as u16);
                        return;
                    }
                    break;
                }
                &StepRt::QueueSend(i) => {
                    // The call is made when the holds before it end.
                    if hold > 0 {
                        break;
                    }
                    let (ok, latency) = self.sqs_app_send(i);
                    hold += latency;
                    if !ok {
                        k = STEP_FAILED as usize;
                        break;
                    }
                }
                &StepRt::Invoke(i) => {
                    // Made when the holds before it end; a sync invocation
                    // holds the worker until Lambda answers.
                    if hold > 0 {
                        break;
                    }
                    if self.lambda_step(i, req, k as u16) {
                        return;
                    }
                }
                &StepRt::Publish(i) => {
                    if hold > 0 {
                        break;
                    }
                    let (_, latency) = self.sns_app_publish(i);
                    hold += latency;
                }
                &StepRt::Put(i) => {
                    // Made when the holds before it end; a throttled record
                    // holds the worker through its retries.
                    if hold > 0 {
                        break;
                    }
                    match self.kinesis_step(i, req, k as u16) {
                        Some(kinesis::StepPut::Done) => {}
                        Some(kinesis::StepPut::Wait) => return,
                        None => {
                            k = STEP_FAILED as usize;
                            break;
                        }
                    }
                }
            }
            k += 1;
        }
        self.reqs[req as usize].step = k as u16;
        let generation = self.reqs[req as usize].generation;
        self.q
            .push(self.now + hold, Ev::ServiceDone { req, generation });
    }

    fn on_service_done(&mut self, req: u32, generation: u32) {
        let r = self.reqs[req as usize];
        if !r.live || r.generation != generation {
            return;
        }
        let inst = r.inst.known();
        if self.instances[inst as usize].hung {
            // A hung instance never answers.
            return;
        }
        if r.wl.is_some() {
            let g = self.instances[inst as usize].asg as usize;
            if (r.step as usize) < self.groups[g].rt.steps.len() {
                // A hold ended before a call to another service.
                self.advance(inst, req);
                return;
            }
        }
        let now = self.now;
        let mut drained_check = false;
        let next = self.instances[inst as usize].finish(now);
        self.load_changed(inst);
        if let Some(next) = next {
            self.start_service(inst, next);
        } else {
            drained_check = matches!(
                self.instances[inst as usize].state,
                LifecycleState::Terminating | LifecycleState::Standby
            );
        }
        if r.wl.is_none() {
            self.health_check_done(req);
        } else if !r.answered {
            self.lb_responded(r.lb.known(), now - r.attempt_at);
            // An app step's call failed: the app answers 500.
            let outcome = if r.step == STEP_FAILED {
                Outcome::Target5xx
            } else {
                Outcome::Ok
            };
            self.answer(req, outcome);
        }
        self.free_req(req);
        if drained_check {
            self.maybe_drained(inst);
        }
    }

    #[inline(never)]
    fn on_client_deadline(&mut self, wl: u32, generation: u32) {
        let (due, next) = due_requests(
            &mut self.workloads[wl as usize].deadlines,
            &self.reqs,
            self.now,
            generation,
        );
        if let Some((t, g)) = next {
            self.q.push(t, Ev::ClientDeadline { wl, generation: g });
        }
        for r in due {
            // The client gives up; the instance still works on the request.
            self.answer(r, Outcome::ClientTimeout);
        }
    }

    /// Deliver an attempt's outcome to the client: count it on the load
    /// balancer, then retry it, or finish the logical request (and move its
    /// session on).
    fn answer(&mut self, req: u32, outcome: Outcome) {
        let now = self.now;
        let r = {
            let r = &mut self.reqs[req as usize];
            r.answered = true;
            *r
        };
        if r.idle.is_linked() {
            // Answered: its load balancer's idle timeout no longer applies.
            self.idle_unlink(r.lb.known(), req);
        }
        if let Some(lb) = r.lb.get()
            && let Some(code) = elb::http_code(outcome)
        {
            self.lbs[lb as usize].aws.on_error(code);
        }
        if r.wl.is(SNS_WL) {
            self.sns_http_answered(req, outcome);
            return;
        }
        let wl = r.wl.known();
        if let Sink::Api(a) = self.workloads[wl as usize].sink {
            self.api_answered(a, req, &r, outcome);
        }
        let w = &mut self.workloads[wl as usize];
        let retryable = (outcome.is_5xx() && w.retry_on_5xx)
            || (outcome == Outcome::ClientTimeout && w.retry_on_timeout);
        if retryable && r.attempts < w.max_attempts {
            let backoff = w.backoff.sample(&mut w.retry_rng);
            let retry = self.alloc_req(Request {
                generation: 0,
                live: true,
                answered: false,
                lb: OptId::NONE,
                inst: OptId::NONE,
                attempts: r.attempts + 1,
                step: 0,
                idle: elb::IdleLink::UNLINKED,
                ..r
            });
            let generation = self.reqs[retry as usize].generation;
            self.q.push(
                now + backoff,
                Ev::Retry {
                    req: retry,
                    generation,
                },
            );
            return;
        }
        self.stats.by_outcome[outcome as usize] += 1;
        if outcome == Outcome::Ok {
            let lat = now - r.started;
            self.stats.latency_sum_ns += lat as u128;
            self.stats.latency_max_ns = self.stats.latency_max_ns.max(lat);
            let us = (lat / 1_000).max(1);
            self.stats.hist.saturating_record(us);
        }
        if let Some(session) = r.session.get() {
            let w = &mut self.workloads[wl as usize];
            let s = &mut self.sessions[session as usize];
            s.remaining -= 1;
            if s.remaining > 0 {
                let m = w.sessions.as_ref().expect("session workload has a model");
                let think = m.think.sample(&mut w.session_rng);
                self.q.push(now + think, Ev::SessionNext { session });
            } else {
                self.free_sessions.push(session);
            }
        }
    }

    #[inline(never)]
    fn on_metrics_tick(&mut self) {
        #[cfg(debug_assertions)]
        self.check_in_flight();
        #[cfg(debug_assertions)]
        for l in &self.lbs {
            let l = &l.aws;
            if l.tracks_load() {
                for t in l.targets() {
                    let i = &self.instances[t.instance() as usize];
                    debug_assert_eq!(
                        t.load(),
                        i.busy + i.waiting.len() as u32,
                        "{}: load of {} not reported",
                        l.name(),
                        i.ec2_id
                    );
                }
            }
        }
        let now = self.now;
        let t0 = now - self.period;
        for i in 0..self.lbs.len() {
            let res = self.lbs[i].res;
            let active: u64 = self.lbs[i]
                .aws
                .targets()
                .iter()
                .map(|t| {
                    let x = &self.instances[t.instance() as usize];
                    (x.busy + x.waiting.len() as u32) as u64
                })
                .sum();
            let lbx = &mut self.lbs[i];
            let (l, h) = (&mut lbx.aws, &mut lbx.hist);
            let p = l.flush_period();
            let s = &mut self.series;
            s.push(t0, res, "RequestCount", p.requests as f64);
            let trt = if p.responses > 0 {
                p.response_time_sum as f64 / p.responses as f64 / 1e9
            } else {
                0.0
            };
            s.push(t0, res, "TargetResponseTime", trt);
            if p.responses > 0 {
                s.push(
                    t0,
                    res,
                    "TargetResponseTime_p50",
                    h.quantile(0.5) as f64 / 1e6,
                );
                s.push(
                    t0,
                    res,
                    "TargetResponseTime_p99",
                    h.quantile(0.99) as f64 / 1e6,
                );
            }
            h.reset();
            s.push(
                t0,
                res,
                "HTTPCode_ELB_5XX_Count",
                (p.elb_502 + p.elb_503 + p.elb_504) as f64,
            );
            s.push(t0, res, "HTTPCode_ELB_502_Count", p.elb_502 as f64);
            s.push(t0, res, "HTTPCode_ELB_503_Count", p.elb_503 as f64);
            s.push(t0, res, "HTTPCode_ELB_504_Count", p.elb_504 as f64);
            s.push(t0, res, "HTTPCode_Target_5XX_Count", p.target_5xx as f64);
            let healthy = l.healthy_count();
            s.push(t0, res, "HealthyHostCount", healthy as f64);
            s.push(t0, res, "UnHealthyHostCount", l.unhealthy_count() as f64);
            // RequestCountPerTarget: requests / healthy targets (CloudWatch's
            // definition for the target group dimension).
            s.push(
                t0,
                res,
                "RequestCountPerTarget",
                if healthy > 0 {
                    p.requests as f64 / healthy as f64
                } else {
                    p.requests as f64
                },
            );
            s.push(t0, res, "ActiveConnectionCount", active as f64);
            if l.stickiness() != crate::scenario::StickinessType::None {
                s.push(t0, res, "StickyRebinds", p.sticky_rebinds as f64);
            }
            // Per-target request counts, so imbalance can be charted.
            let (instances, series) = (&self.instances, &mut self.series);
            l.flush_target_requests(|lb, inst, n| {
                let name = format!("{lb}/{}", instances[inst as usize].ec2_id);
                let r = series.resource(&name);
                series.push(t0, r, "RequestCount", n as f64);
            });
        }
        for g in 0..self.groups.len() {
            let res = self.groups[g].res();
            let mut in_service = 0u32;
            let mut pending = 0u32;
            let mut terminating = 0u32;
            let mut standby = 0u32;
            let (mut pool_pending, mut pool_warmed) = (0u32, 0u32);
            let pool_size = self.warm_pool_target(g);
            let mut cpu_sum = 0.0;
            for &i in self.groups[g].aws.instances() {
                let inst = &mut self.instances[i as usize];
                match inst.state {
                    LifecycleState::InService => {
                        in_service += 1;
                        cpu_sum += inst.take_cpu(now, self.period);
                    }
                    LifecycleState::Pending | LifecycleState::PendingWait => pending += 1,
                    LifecycleState::Terminating | LifecycleState::TerminatingWait => {
                        terminating += 1
                    }
                    LifecycleState::WarmedPending | LifecycleState::WarmedPendingWait => {
                        pool_pending += 1
                    }
                    LifecycleState::Warmed(_) => pool_warmed += 1,
                    LifecycleState::Standby => standby += 1,
                    LifecycleState::Terminated => {}
                }
            }
            let a = &self.groups[g].aws;
            debug_assert_eq!(a.in_service().now, in_service);
            let s = &mut self.series;
            s.push(t0, res, "GroupDesiredCapacity", a.desired() as f64);
            s.push(t0, res, "GroupInServiceInstances", in_service as f64);
            s.push(t0, res, "GroupPendingInstances", pending as f64);
            s.push(t0, res, "GroupTerminatingInstances", terminating as f64);
            // Standby instances run but are not in service; the total is
            // "the number of instances that are in service, pending, and
            // terminating" (`ASG:ec2-auto-scaling-metrics`).
            s.push(t0, res, "GroupStandbyInstances", standby as f64);
            s.push(
                t0,
                res,
                "GroupTotalInstances",
                (in_service + pending + terminating) as f64,
            );
            s.push(t0, res, "GroupMinSize", a.min() as f64);
            s.push(t0, res, "GroupMaxSize", a.max() as f64);
            if in_service > 0 {
                s.push(t0, res, "CPUUtilization", cpu_sum / in_service as f64);
            }
            if let Some(size) = pool_size {
                // The group's warm pool metrics (`ASG:ec2-auto-scaling-metrics`).
                s.push(t0, res, "WarmPoolDesiredCapacity", size as f64);
                s.push(t0, res, "WarmPoolWarmedCapacity", pool_warmed as f64);
                s.push(t0, res, "WarmPoolPendingCapacity", pool_pending as f64);
            }
            // Cost so far, as billed (cumulative, USD).
            let (_, cost) = self.asg_cost_at(g, now);
            self.series.push(t0, res, "CostUSD", cost);
        }
        self.sqs_metrics_tick(t0);
        self.table_metrics(t0);
        self.lambda_metrics_tick(t0);
        self.apis_metrics_tick(t0);
        self.topics_metrics_tick(t0);
        self.streams_metrics_tick(t0);
        if now + self.period <= self.end {
            self.q.push(now + self.period, Ev::MetricsTick);
        }
    }

    /// Cost and instance-hours of a group up to the end of the run.
    pub fn asg_cost(&self, g: usize) -> (f64, f64) {
        self.asg_cost_at(g, self.end)
    }

    /// Instance-hours and cost of a group up to `t`.
    fn asg_cost_at(&self, g: usize, t: SimTime) -> (f64, f64) {
        let rt = &self.groups[g].rt;
        let mut hours = 0.0;
        let mut cost = 0.0;
        for &i in self.groups[g].aws.instances() {
            let inst = &self.instances[i as usize];
            hours += inst.run_seconds(t) / 3600.0;
            cost += inst.billed_seconds(rt.billing, t) / 3600.0 * rt.price_per_hour;
        }
        (hours, cost)
    }

    /// A load balancer's CloudWatch metrics summed over metrics.csv's
    /// periods: the totals CloudWatch would show for the run.
    pub fn lb_cloudwatch_totals(&self, lb: &str) -> std::collections::BTreeMap<String, f64> {
        const SUMMED: [&str; 6] = [
            "RequestCount",
            "HTTPCode_ELB_5XX_Count",
            "HTTPCode_ELB_502_Count",
            "HTTPCode_ELB_503_Count",
            "HTTPCode_ELB_504_Count",
            "HTTPCode_Target_5XX_Count",
        ];
        let mut out: std::collections::BTreeMap<String, f64> =
            SUMMED.iter().map(|m| (m.to_string(), 0.0)).collect();
        let Some(r) = self.series.resources.iter().position(|x| x == lb) else {
            return out;
        };
        for row in &self.series.rows {
            if row.resource == r as u32
                && let Some(v) = out.get_mut(row.metric)
            {
                *v += row.value;
            }
        }
        out
    }

    /// Logical requests still in flight.
    pub fn in_flight(&self) -> u64 {
        self.stats.started - self.stats.by_outcome.iter().sum::<u64>()
    }

    /// Workload names.
    pub fn workload_names(&self) -> Vec<String> {
        self.workloads.iter().map(|w| w.name.clone()).collect()
    }
}

/// Whether a request-deadline key still matters: the same attempt of a
/// live request, not yet answered.
#[inline]
fn unanswered(reqs: &[Request], (r, g): (u32, u32)) -> bool {
    let q = &reqs[r as usize];
    q.live && q.generation == g && !q.answered
}

/// Fire a request-deadline FIFO: the requests whose deadline has come and
/// that are still unanswered, and when to fire next.
fn due_requests(
    fifo: &mut DeadlineFifo<(u32, u32)>,
    reqs: &[Request],
    now: SimTime,
    generation: u32,
) -> (Vec<u32>, Option<(SimTime, u32)>) {
    let mut due = Vec::new();
    let live = |(r, g): (u32, u32)| {
        let q = &reqs[r as usize];
        q.live && q.generation == g
    };
    let next = fifo.fire(
        now,
        generation,
        |k| {
            if unanswered(reqs, k) {
                due.push(k.0);
            }
        },
        live,
    );
    (due, next)
}
