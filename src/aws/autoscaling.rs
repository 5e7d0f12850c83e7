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
    /// InService instances now (kept by every transition, so the extremes
    /// above are facts of the run, not of its metric samples).
    pub in_service: u32,
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
            in_service: 0,
            max_in_service: 0,
            lbs: Vec::new(),
        }
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
