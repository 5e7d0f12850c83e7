//! The activity history as typed records.
//!
//! Each row of `activities.csv` is an [`Activity`]: when, which resource,
//! what happened as a typed [`Act`] (the facts a chart or a test needs:
//! the capacities of a scaling change, the end of a cooldown, the alarm and
//! its new state, how many per-request events a summary row stands for),
//! and three texts. `description` and `cause` hold only AWS's own wording
//! (`../shared/research/asg-activity-causes.csv`); `details` holds the
//! simulator's explanation (the termination policy step, the batch rule, the
//! fault behind a termination, whether the wording is the simulator's own).
//!
//! Charts, `explain` and the tests read the typed [`Act`]; nothing parses the
//! prose back.

use crate::aws::cloudwatch::AlarmState;
use crate::sim::SimTime;

/// What an activity is, with the facts that belong to it.
#[derive(Clone, Debug, PartialEq)]
pub enum Act {
    /// An EC2 instance launch (one row per instance, as AWS writes it).
    Launch,
    /// A launch that failed (no zone available, a launch failure fault).
    LaunchFailed,
    /// An EC2 instance termination (one row per instance).
    Terminate,
    /// A change of desired capacity: exactly one row per change.
    Scaling {
        /// Desired capacity before.
        from: u32,
        /// Desired capacity after.
        to: u32,
    },
    /// An alarm changed state.
    Alarm {
        /// The alarm's name.
        alarm: String,
        /// Its new state.
        to: AlarmState,
    },
    /// An alarm or forecast asked for a change that was not made.
    NotScaled,
    /// A simple scaling policy's cooldown started.
    Cooldown {
        /// When it ends, ns since the start of the run.
        until: SimTime,
    },
    /// An Auto Scaling process was due but is suspended.
    Suspended,
    /// An instance entered a lifecycle hook's wait state.
    Lifecycle,
    /// A health change: an ELB target's health, or an instance marked
    /// Unhealthy by its group.
    Health,
    /// Availability Zone rebalancing.
    Rebalance,
    /// A Spot Instance interruption notice.
    SpotInterruption,
    /// A scenario fault struck.
    Fault,
    /// A predictive scaling forecast or action.
    Predictive,
    /// An instance refresh started or finished.
    InstanceRefresh,
    /// Sticky sessions re-bound to another target, summarised per minute.
    StickyRebind {
        /// Re-binds in this row's minute.
        count: u64,
    },
    /// Messages redelivered, summarised per minute.
    Redelivery {
        /// Redeliveries in this row's minute.
        count: u64,
    },
    /// Messages moved to a dead-letter queue, summarised per minute.
    DlqMove {
        /// Messages moved in this row's minute.
        count: u64,
    },
    /// A table's capacity change by Application Auto Scaling.
    TableScaling,
    /// A function's provisioned concurrency change by Application Auto Scaling.
    ProvisionedConcurrencyScaling,
    /// A table started or stopped throttling.
    TableThrottling {
        /// Throttling began (true) or ended.
        began: bool,
    },
    /// An instance detached from its group by a user request.
    Detach,
    /// An instance moved to Standby (`entered`) or out of it by a user
    /// request.
    Standby {
        /// Into Standby (true) or out of it.
        entered: bool,
    },
    /// A user's or pipeline's API call from the scenario's `actions`
    /// (UpdateTable, ModifyTargetGroup) that is not a scaling activity.
    UserAction,
    /// A Kinesis stream's shard count update (UpdateShardCount or on-demand
    /// growth): started, refused or completed.
    Reshard,
}

impl Act {
    /// The `kind` column: lower snake case.
    pub fn kind(&self) -> &'static str {
        match self {
            Act::Launch => "launch",
            Act::LaunchFailed => "launch_failed",
            Act::Terminate => "terminate",
            Act::Scaling { .. } => "scaling",
            Act::Alarm { .. } => "alarm",
            Act::NotScaled => "not_scaled",
            Act::Cooldown { .. } => "cooldown",
            Act::Suspended => "suspended",
            Act::Lifecycle => "lifecycle",
            Act::Health => "health",
            Act::Rebalance => "rebalance",
            Act::SpotInterruption => "spot_interruption",
            Act::Fault => "fault",
            Act::Predictive => "predictive",
            Act::InstanceRefresh => "instance_refresh",
            Act::StickyRebind { .. } => "sticky_rebind",
            Act::Redelivery { .. } => "redelivery",
            Act::DlqMove { .. } => "dlq_move",
            Act::TableScaling => "table_scaling",
            Act::ProvisionedConcurrencyScaling => "provisioned_concurrency_scaling",
            Act::Detach => "detach",
            Act::Standby { .. } => "standby",
            Act::UserAction => "user_action",
            Act::TableThrottling { .. } => "table_throttling",
            Act::Reshard => "reshard",
        }
    }
}

/// One row of the activity history.
#[derive(Clone, Debug)]
pub struct Activity {
    /// When it started, ns.
    pub t: SimTime,
    /// Resource name.
    pub resource: String,
    /// What happened.
    pub what: Act,
    /// AWS's description.
    pub description: String,
    /// AWS's cause.
    pub cause: String,
    /// The simulator's explanation (empty when AWS's text says it all).
    pub details: String,
}

impl Activity {
    /// A row without simulator details.
    pub fn new(
        t: SimTime,
        resource: impl Into<String>,
        what: Act,
        description: impl Into<String>,
        cause: impl Into<String>,
    ) -> Activity {
        Activity {
            t,
            resource: resource.into(),
            what,
            description: description.into(),
            cause: cause.into(),
            details: String::new(),
        }
    }

    /// The same row with the simulator's explanation.
    pub fn with_details(mut self, details: impl Into<String>) -> Activity {
        self.details = details.into();
        self
    }

    /// The `kind` column.
    pub fn kind(&self) -> &'static str {
        self.what.kind()
    }
}

/// Wording for rows whose event AWS has never been recorded describing
/// publicly: the sentence is ours, in AWS's style.
pub const SIMULATOR_WORDING: &str =
    "wording is the simulator's: AWS has no recorded activity text for this event";
