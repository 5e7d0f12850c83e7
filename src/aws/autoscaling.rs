//! EC2 Auto Scaling groups: capacity, the fleet, and the activity history.
//!
//! [`AsgState`] is AWS's state of one group and its only owner: its fields
//! are private, and every change goes through a method named after what
//! happens in AWS (`set_desired`, `set_bounds`, `set_launch_template_version`,
//! `on_launch`, `on_terminated`, `on_in_service_change`), so the rules that
//! keep it consistent (desired within [min, max], the run's InService
//! extremes kept at every transition) live here and nowhere else. The world
//! (`world::asg::Group`) holds one beside its own runtime state.

use crate::scenario::AutoScalingGroup;

/// A group's state (AWS's view of it). Read through the getters; changed
/// only by the methods below.
pub struct AsgState {
    name: String,
    min: u32,
    max: u32,
    desired: u32,
    azs: Vec<String>,
    lt_name: String,
    lt_version: u32,
    /// Instances of the group (world indices), launch order.
    instances: Vec<u32>,
    launches: u64,
    terminations: u64,
    scaling_activities: u64,
    /// InService instances now and the fewest and most seen since the
    /// initial fleet was in service: facts of the run's events, not of its
    /// metric samples.
    in_service: InServiceRange,
    /// Load balancers this group's instances register with.
    lbs: Vec<u32>,
}

/// The group's InService count and its extremes over the run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct InServiceRange {
    /// InService instances now.
    pub now: u32,
    /// Fewest at any moment since the initial fleet.
    pub min: u32,
    /// Most at any moment since the initial fleet.
    pub max: u32,
}

impl AsgState {
    /// The group as created: no instances yet (the initial fleet is
    /// launched with [`AsgState::on_initial_launch`]).
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
            in_service: InServiceRange::default(),
            lbs: Vec::new(),
        }
    }

    /// Name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Min size.
    pub fn min(&self) -> u32 {
        self.min
    }

    /// Max size.
    pub fn max(&self) -> u32 {
        self.max
    }

    /// Desired capacity.
    pub fn desired(&self) -> u32 {
        self.desired
    }

    /// Zone names, in the group's order (an instance's `az` indexes them).
    pub fn azs(&self) -> &[String] {
        &self.azs
    }

    /// The number of zones, at least one (a group without zones has one
    /// unnamed zone).
    pub fn zone_count(&self) -> usize {
        self.azs.len().max(1)
    }

    /// The index of a zone by name.
    pub fn zone_index(&self, name: &str) -> Option<usize> {
        self.azs.iter().position(|a| a == name)
    }

    /// Launch template name.
    pub fn launch_template_name(&self) -> &str {
        &self.lt_name
    }

    /// Launch template version for new instances.
    pub fn launch_template_version(&self) -> u32 {
        self.lt_version
    }

    /// Instances of the group (world indices), launch order, terminated
    /// ones included.
    pub fn instances(&self) -> &[u32] {
        &self.instances
    }

    /// Launches, all time (including the initial fleet).
    pub fn launches(&self) -> u64 {
        self.launches
    }

    /// Terminations, all time.
    pub fn terminations(&self) -> u64 {
        self.terminations
    }

    /// Changes of desired capacity.
    pub fn scaling_activities(&self) -> u64 {
        self.scaling_activities
    }

    /// InService instances now, and the fewest and most of the run.
    pub fn in_service(&self) -> InServiceRange {
        self.in_service
    }

    /// Load balancers (world indices) this group's instances register with.
    pub fn lbs(&self) -> &[u32] {
        &self.lbs
    }

    /// Attach a load balancer (its target group) to the group.
    pub fn attach_lb(&mut self, lb: u32) {
        self.lbs.push(lb);
    }

    /// Change the desired capacity, kept within [min, max] as every caller
    /// of AWS's SetDesiredCapacity is (a user call outside the bounds is
    /// refused before it gets here; policies clamp). Returns `(from, to)`
    /// when it changes (one scaling activity), None when it does not.
    pub fn set_desired(&mut self, n: u32) -> Option<(u32, u32)> {
        debug_assert!(
            n >= self.min && n <= self.max.max(self.min),
            "desired {n} outside [{}, {}] of {}",
            self.min,
            self.max,
            self.name
        );
        let n = n.clamp(self.min, self.max.max(self.min));
        let old = self.desired;
        if n == old {
            return None;
        }
        self.desired = n;
        self.scaling_activities += 1;
        Some((old, n))
    }

    /// New min and/or max size (UpdateAutoScalingGroup, by a user or a
    /// scheduled action). Returns the desired capacity the update asks for
    /// (`desired`, else the current one), within the new bounds; the caller
    /// sets it with [`AsgState::set_desired`] (one scaling activity) so
    /// that its cause can be written.
    pub fn update_constraints(
        &mut self,
        min: Option<u32>,
        max: Option<u32>,
        desired: Option<u32>,
    ) -> u32 {
        if let Some(m) = min {
            self.min = m;
        }
        if let Some(m) = max {
            self.max = m;
        }
        desired
            .unwrap_or(self.desired)
            .clamp(self.min, self.max.max(self.min))
    }

    /// Predictive scaling's IncreaseMaxCapacity raises the maximum, and it
    /// stays raised (`API-ASG:PredictiveScalingConfiguration.MaxCapacityBreachBehavior`).
    pub fn raise_max(&mut self, max: u32) {
        debug_assert!(max >= self.max);
        self.max = max;
    }

    /// The launch template version new instances get (a scheduled action or
    /// an instance refresh).
    pub fn set_launch_template_version(&mut self, v: u32) {
        self.lt_version = v;
    }

    /// An instance of the initial fleet: launched and InService at t = 0.
    /// The run's InService extremes start from the initial fleet.
    pub fn on_initial_launch(&mut self, inst: u32) {
        self.on_launch(inst);
        let n = self.in_service.now + 1;
        self.in_service = InServiceRange {
            now: n,
            min: n,
            max: n,
        };
    }

    /// An instance is launched (it joins the group's instances).
    pub fn on_launch(&mut self, inst: u32) {
        self.instances.push(inst);
        self.launches += 1;
    }

    /// An instance of the group is terminated.
    pub fn on_terminated(&mut self) {
        self.terminations += 1;
    }

    /// An instance entered (`true`) or left (`false`) InService: the count
    /// and the run's extremes follow.
    pub fn on_in_service_change(&mut self, entered: bool) {
        let r = &mut self.in_service;
        if entered {
            r.now += 1;
        } else {
            r.now -= 1;
        }
        r.min = r.min.min(r.now);
        r.max = r.max.max(r.now);
    }
}

/// Recurring scheduled actions: Unix cron expressions (minute hour
/// day-of-month month day-of-week, UTC), as `Recurrence` takes them
/// (`API-ASG:PutScheduledUpdateGroupActionType.Recurrence`).
pub mod cron {
    /// One parsed field: which values match.
    fn field(spec: &str, lo: u32, hi: u32) -> Option<Vec<bool>> {
        let mut ok = vec![false; (hi + 1) as usize];
        for part in spec.split(',') {
            let (range, step) = match part.split_once('/') {
                Some((r, s)) => (r, s.parse::<u32>().ok().filter(|&s| s > 0)?),
                None => (part, 1),
            };
            let (a, b) = if range == "*" {
                (lo, hi)
            } else if let Some((a, b)) = range.split_once('-') {
                (a.parse().ok()?, b.parse().ok()?)
            } else {
                let v: u32 = range.parse().ok()?;
                (v, if part.contains('/') { hi } else { v })
            };
            if a < lo || b > hi || a > b {
                return None;
            }
            let mut v = a;
            while v <= b {
                ok[v as usize] = true;
                v += step;
            }
        }
        Some(ok)
    }

    /// A parsed cron expression.
    #[derive(Clone, Debug)]
    pub struct Cron {
        minute: Vec<bool>,
        hour: Vec<bool>,
        dom: Vec<bool>,
        month: Vec<bool>,
        dow: Vec<bool>,
        dom_any: bool,
        dow_any: bool,
    }

    impl Cron {
        /// Parse `m h dom mon dow`; None if malformed.
        pub fn parse(expr: &str) -> Option<Cron> {
            let f: Vec<&str> = expr.split_whitespace().collect();
            if f.len() != 5 {
                return None;
            }
            let mut dow = field(f[4], 0, 7)?;
            if dow[7] {
                dow[0] = true; // 7 is Sunday too
            }
            Some(Cron {
                minute: field(f[0], 0, 59)?,
                hour: field(f[1], 0, 23)?,
                dom: field(f[2], 1, 31)?,
                month: field(f[3], 1, 12)?,
                dow,
                dom_any: f[2] == "*",
                dow_any: f[4] == "*",
            })
        }

        fn matches(&self, t: i64) -> bool {
            let days = t.div_euclid(86400);
            let secs = t.rem_euclid(86400);
            let (_, m, d) = crate::sim::clock::civil(days);
            let wd = ((days + 4).rem_euclid(7)) as usize; // 1970-01-01 was a Thursday
            let (h, mi) = ((secs / 3600) as usize, ((secs / 60) % 60) as usize);
            // Classic cron: if both day fields are restricted, either matches.
            let day = match (self.dom_any, self.dow_any) {
                (true, true) => true,
                (false, true) => self.dom[d as usize],
                (true, false) => self.dow[wd],
                (false, false) => self.dom[d as usize] || self.dow[wd],
            };
            self.minute[mi] && self.hour[h] && self.month[m as usize] && day
        }

        /// The first matching minute strictly after `t` (Unix seconds),
        /// looking at most a year and a day ahead.
        pub fn next_after(&self, t: i64) -> Option<i64> {
            let mut m = t.div_euclid(60) * 60 + 60;
            for _ in 0..(366 * 24 * 60 + 1) {
                if self.matches(m) {
                    return Some(m);
                }
                m += 60;
            }
            None
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;
        use crate::sim::clock::{format_utc, parse_utc};

        #[test]
        fn next_occurrences() {
            let c = Cron::parse("0 22 * * *").unwrap();
            let t = parse_utc("2026-01-05T09:00:00Z").unwrap();
            assert_eq!(format_utc(c.next_after(t).unwrap()), "2026-01-05T22:00:00Z");
            let n = c.next_after(c.next_after(t).unwrap()).unwrap();
            assert_eq!(format_utc(n), "2026-01-06T22:00:00Z");
            // Weekdays at 08:30: 2026-01-09 is a Friday, the next is Monday 12th.
            let w = Cron::parse("30 8 * * 1-5").unwrap();
            let fri = parse_utc("2026-01-09T09:00:00Z").unwrap();
            assert_eq!(
                format_utc(w.next_after(fri).unwrap()),
                "2026-01-12T08:30:00Z"
            );
            let q = Cron::parse("*/15 * * * *").unwrap();
            assert_eq!(format_utc(q.next_after(t).unwrap()), "2026-01-05T09:15:00Z");
            assert!(Cron::parse("61 * * * *").is_none());
            assert!(Cron::parse("* * *").is_none());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{LoadOptions, load_str};
    use std::path::Path;

    fn group(min: u32, max: u32, desired: u32) -> AsgState {
        let src = format!(
            "name: t\nduration: 1m\nauto_scaling_groups:\n  - name: web\n    availability_zones: [us-east-1a, us-east-1b]\n    min: {min}\n    max: {max}\n    desired: {desired}\n    instance: {{ type: c5.large, workers: 1 }}\n    app:\n      - compute: {{ dist: constant, value: 10ms }}\n"
        );
        let sc = load_str(&src, "t.yaml", Path::new("."), &LoadOptions::default())
            .expect("valid scenario");
        AsgState::new(&sc.auto_scaling_groups[0])
    }

    #[test]
    fn desired_changes_count_once_and_stay_in_bounds() {
        let mut a = group(1, 5, 2);
        assert_eq!(a.desired(), 2);
        assert_eq!(a.set_desired(2), None, "no change, no activity");
        assert_eq!(a.scaling_activities(), 0);
        assert_eq!(a.set_desired(4), Some((2, 4)));
        assert_eq!(a.scaling_activities(), 1);
        // UpdateAutoScalingGroup: a new max below desired pulls it down.
        assert_eq!(a.update_constraints(None, Some(3), None), 3);
        assert_eq!((a.min(), a.max(), a.desired()), (1, 3, 4));
        assert_eq!(a.set_desired(3), Some((4, 3)));
        // min above max: the range is [min, min], as before.
        assert_eq!(a.update_constraints(Some(4), None, Some(9)), 4);
        assert_eq!(a.zone_count(), 2);
        assert_eq!(a.zone_index("us-east-1b"), Some(1));
    }

    #[test]
    fn in_service_extremes_start_from_the_initial_fleet() {
        let mut a = group(0, 9, 3);
        for i in 0..3 {
            a.on_initial_launch(i);
        }
        let r = a.in_service();
        assert_eq!((r.now, r.min, r.max), (3, 3, 3));
        assert_eq!(a.launches(), 3);
        a.on_in_service_change(false);
        a.on_in_service_change(false);
        a.on_launch(3);
        a.on_in_service_change(true);
        a.on_in_service_change(true);
        a.on_in_service_change(true);
        let r = a.in_service();
        assert_eq!((r.now, r.min, r.max), (4, 1, 4));
        assert_eq!(a.instances(), &[0, 1, 2, 3]);
        a.on_terminated();
        assert_eq!(a.terminations(), 1);
        // A group that starts empty starts at 0.
        let b = group(0, 9, 0);
        assert_eq!(b.in_service(), InServiceRange::default());
    }
}
