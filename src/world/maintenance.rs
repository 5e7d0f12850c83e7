//! The group's own upkeep, outside scaling policies: replacing unhealthy
//! instances at the documented pace (WE-15), maximum instance lifetime,
//! instance refresh (WE-16) and the warm pool (WE-10).

use super::World;
use crate::scenario::{AutoScalingGroup, Scenario};

/// A group's upkeep state.
#[derive(Default)]
pub(crate) struct GroupMaintenance {}

impl GroupMaintenance {
    pub(crate) fn new(_sc: &Scenario, _g: &AutoScalingGroup) -> GroupMaintenance {
        GroupMaintenance::default()
    }
}

impl World {
    pub(super) fn maintenance_start(&mut self) {}

    pub(super) fn on_group_sweep(&mut self, _g: usize) {}
}
