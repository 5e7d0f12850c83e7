//! Faults that strike the system, compiled from the scenario into timed
//! actions for the world.

use crate::scenario::{FailureMode, FaultKind, Scenario};
use crate::sim::SimTime;

/// What a fault does when it strikes.
#[derive(Clone, Debug, PartialEq)]
pub enum FaultAction {
    /// An Availability Zone fails: its instances fail, no launches there.
    AzDown(String),
    /// The zone recovers; groups rebalance.
    AzUp(String),
    /// `count` InService instances of a group fail in the given way.
    FailInstances {
        /// group index
        group: u32,
        /// how many
        count: u32,
        /// how they fail
        mode: FailureMode,
    },
    /// `count` Spot Instances of a group get the two-minute interruption notice.
    SpotInterruption {
        /// group index
        group: u32,
        /// how many
        count: u32,
    },
    /// Extra latency on a table (applied by the table model).
    TableLatency {
        /// table name
        table: String,
        /// added latency, ns
        add: SimTime,
        /// until when
        until: SimTime,
    },
}

/// The faults of a scenario as (time, action), in time order.
pub fn plan(sc: &Scenario) -> Vec<(SimTime, FaultAction)> {
    let group = |name: &Option<String>| {
        name.as_ref()
            .and_then(|n| sc.auto_scaling_groups.iter().position(|g| &g.name == n))
            .map(|i| i as u32)
    };
    let mut out = Vec::new();
    for f in &sc.faults {
        match f.kind {
            FaultKind::AzOutage => {
                if let Some(az) = &f.az {
                    out.push((f.at.0, FaultAction::AzDown(az.clone())));
                    if let Some(d) = f.duration {
                        out.push((f.at.0 + d.0, FaultAction::AzUp(az.clone())));
                    }
                }
            }
            FaultKind::InstanceFailure => {
                if let Some(g) = group(&f.auto_scaling_group) {
                    out.push((
                        f.at.0,
                        FaultAction::FailInstances {
                            group: g,
                            count: f.count.unwrap_or(1),
                            mode: f.mode,
                        },
                    ));
                }
            }
            FaultKind::SpotInterruption => {
                if let Some(g) = group(&f.auto_scaling_group) {
                    out.push((
                        f.at.0,
                        FaultAction::SpotInterruption {
                            group: g,
                            count: f.count.unwrap_or(1),
                        },
                    ));
                }
            }
            // Applied at each launch (`world::fidelity`).
            FaultKind::LaunchFailure => {}
            FaultKind::Latency => {
                if let (Some(t), Some(add)) = (&f.table, f.add) {
                    out.push((
                        f.at.0,
                        FaultAction::TableLatency {
                            table: t.clone(),
                            add: add.0,
                            until: f.at.0 + f.duration.map(|d| d.0).unwrap_or(u64::MAX / 2),
                        },
                    ));
                }
            }
        }
    }
    out.sort_by_key(|(t, _)| *t);
    out
}
