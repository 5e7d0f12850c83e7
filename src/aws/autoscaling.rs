//! EC2 Auto Scaling groups: capacity, the fleet, and the activity history.

use crate::scenario::AutoScalingGroup;

/// A group's state.
pub struct AsgState {
    /// Name.
    pub name: String,
    /// Min size.
    pub min: u32,
    /// Max size.
    pub max: u32,
    /// Desired capacity.
    pub desired: u32,
    /// Zone names.
    pub azs: Vec<String>,
    /// Launch template name.
    pub lt_name: String,
    /// Launch template version for new instances.
    pub lt_version: u32,
    /// Instances of the group (world indices), launch order.
    pub instances: Vec<u32>,
    /// Launches, all time (including the initial fleet).
    pub launches: u64,
    /// Terminations, all time.
    pub terminations: u64,
    /// Changes of desired capacity.
    pub scaling_activities: u64,
    /// Fewest InService instances seen at a metrics tick.
    pub min_in_service: u32,
    /// Most InService instances seen at a metrics tick.
    pub max_in_service: u32,
    /// Load balancers this group's instances register with.
    pub lbs: Vec<u32>,
}

impl AsgState {
    /// The group as created.
    pub fn new(g: &AutoScalingGroup) -> Self {
        let lt = g.launch_template.as_ref();
        AsgState {
            name: g.name.clone(),
            min: g.min,
            max: g.max,
            desired: g.initial_desired(),
            azs: g.availability_zones.clone(),
            lt_name: lt.map(|l| l.name.clone()).unwrap_or_else(|| g.name.clone()),
            lt_version: lt.map(|l| l.version).unwrap_or(1),
            instances: Vec::new(),
            launches: 0,
            terminations: 0,
            scaling_activities: 0,
            min_in_service: u32::MAX,
            max_in_service: 0,
            lbs: Vec::new(),
        }
    }

    /// The zone for the next launch: the one with the fewest instances, first
    /// in the group's order on a tie, so the group stays balanced across its
    /// zones (ASG User Guide, "Availability Zone distribution").
    pub fn balanced_az(&self, counts: &[u32]) -> u32 {
        let mut best = 0usize;
        for (i, &c) in counts.iter().enumerate() {
            if c < counts[best] {
                best = i;
            }
        }
        best as u32
    }
}
