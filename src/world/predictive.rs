//! Predictive scaling in the world (`ASG:ec2-auto-scaling-predictive-scaling`).
//!
//! Work in progress: the hourly forecast and the capacity it schedules.

use super::World;
use crate::scenario::{AutoScalingGroup, Scenario};
use crate::sim::SimTime;

/// A group's predictive scaling state.
#[derive(Default)]
#[allow(dead_code)] // filled in by the predictive scaling work
pub(crate) struct GroupPredictive {}

impl GroupPredictive {
    pub(crate) fn new(_sc: &Scenario, _g: &AutoScalingGroup) -> GroupPredictive {
        GroupPredictive::default()
    }
}

impl World {
    /// Schedule the first hourly step of each group with a predictive policy.
    pub(super) fn predictive_start(&mut self) {}

    /// One CloudWatch minute of a group's load, as the forecast's history:
    /// the sum of its InService instances' CPUUtilization, how many there
    /// were, and its load balancer's RequestCount (if it has one).
    pub(super) fn predictive_minute(
        &mut self,
        _g: usize,
        _minute_end: SimTime,
        _cpu_sum: f64,
        _in_service: u32,
        _lb_requests: Option<f64>,
    ) {
    }

    /// The hourly step: refresh the forecast when due and act on it.
    pub(super) fn on_predictive_tick(&mut self, _g: usize) {}
}
