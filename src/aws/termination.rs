//! Which instance an Auto Scaling group terminates on scale-in, and
//! Availability Zone rebalancing, as pure functions.
//!
//! The order, from `ASG:ec2-auto-scaling-termination-policies` and
//! `ASG:as-instance-termination` (see `shared/research/aws-semantics.md` §1.10):
//!
//! 1. instances protected from scale-in are never chosen;
//! 2. mixed instances groups first decide whether a Spot or an On-Demand
//!    instance goes (the caller says which, if any);
//! 3. **AZ balance** comes first: the AZs with the most instances that have at
//!    least one unprotected instance; if the AZs are balanced, all of them;
//! 4. unhealthy instances bypass the termination policies;
//! 5. the termination policies, in the order listed, each keeping the best
//!    candidates and passing ties to the next (`Default` expands to
//!    AllocationStrategy → outdated launch template or configuration →
//!    closest to the next billing hour);
//! 6. random among what is left.
//!
//! The result names the step that decided, for the activity history.

use crate::scenario::TerminationPolicy;
use crate::sim::SimTime;

/// One billing hour in nanoseconds.
const HOUR_NS: u64 = 3_600_000_000_000;

/// What an instance was launched from, relative to the group's current
/// configuration.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LaunchSource {
    /// The group's current launch template (some version of it).
    #[default]
    CurrentTemplate,
    /// A launch template other than the group's current one.
    OtherTemplate,
    /// A launch configuration.
    LaunchConfiguration,
}

/// An instance that could be terminated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Candidate {
    /// World index of the instance.
    pub index: u32,
    /// Availability Zone index within the group.
    pub az: u32,
    /// When it was launched (billing starts).
    pub launched_at_ns: u64,
    /// Launch template version (or launch configuration generation):
    /// higher is newer.
    pub lt_version: u32,
    /// What it was launched from.
    pub launch: LaunchSource,
    /// Protected from scale-in.
    pub protected: bool,
    /// Healthy as the group sees it.
    pub healthy: bool,
    /// A Spot instance.
    pub spot: bool,
}

/// The step that decided which instance goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rule {
    /// Only one instance was not protected from scale-in.
    OnlyUnprotected,
    /// The purchase option (Spot or On-Demand) chosen for a mixed group.
    PurchaseOption,
    /// The AZ with the most instances.
    AzBalance,
    /// Unhealthy instances go first, bypassing the policies.
    Unhealthy,
    /// `AllocationStrategy`.
    AllocationStrategy,
    /// `OldestLaunchTemplate` (also the Default policy's outdated-configuration step).
    OldestLaunchTemplate,
    /// `OldestLaunchConfiguration`.
    OldestLaunchConfiguration,
    /// `ClosestToNextInstanceHour`.
    ClosestToNextInstanceHour,
    /// `OldestInstance`.
    OldestInstance,
    /// `NewestInstance`.
    NewestInstance,
    /// Random among ties.
    Random,
}

impl Rule {
    /// Name for the activity history.
    pub fn name(self) -> &'static str {
        match self {
            Rule::OnlyUnprotected => "only unprotected instance",
            Rule::PurchaseOption => "purchase option",
            Rule::AzBalance => "AZ balance",
            Rule::Unhealthy => "unhealthy",
            Rule::AllocationStrategy => "AllocationStrategy",
            Rule::OldestLaunchTemplate => "OldestLaunchTemplate",
            Rule::OldestLaunchConfiguration => "OldestLaunchConfiguration",
            Rule::ClosestToNextInstanceHour => "ClosestToNextInstanceHour",
            Rule::OldestInstance => "OldestInstance",
            Rule::NewestInstance => "NewestInstance",
            Rule::Random => "random",
        }
    }
}

impl std::fmt::Display for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The chosen instance and why.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Decision {
    /// World index of the instance to terminate.
    pub index: u32,
    /// The step that narrowed the choice to it.
    pub rule: Rule,
}

/// What the choice depends on besides the candidates.
#[derive(Clone, Copy, Debug)]
pub struct ScaleIn<'a> {
    /// Now, for the billing-hour phase.
    pub now: SimTime,
    /// Instances per AZ of the group (index = AZ), protected ones included.
    pub az_counts: &'a [u32],
    /// The group's termination policies in order (empty means `[Default]`).
    pub policies: &'a [TerminationPolicy],
    /// Mixed instances groups: `Some(true)` to terminate a Spot instance,
    /// `Some(false)` an On-Demand one; `None` for single-purchase groups.
    pub terminate_spot: Option<bool>,
}

/// Checks a termination policy list: `Default`, if present, must be last.
/// `ASG:ec2-auto-scaling-termination-policies` ("If you use the Default
/// policy, it must be the last policy in the list").
pub fn validate_termination_policies(policies: &[TerminationPolicy]) -> Result<(), String> {
    if let Some(i) = policies
        .iter()
        .position(|p| *p == TerminationPolicy::Default)
        && i + 1 != policies.len()
    {
        return Err("the Default termination policy must be the last in the list".into());
    }
    Ok(())
}

// ------------------------------------------------------------ the filters

/// Keeps the candidates with the largest key (all of them on a tie).
fn keep_max_by<K: Ord>(c: &mut Vec<Candidate>, key: impl Fn(&Candidate) -> K) {
    if let Some(best) = c.iter().map(&key).max() {
        c.retain(|x| key(x) == best);
    }
}

/// The AZs eligible for a scale-in termination: those with the most
/// instances among AZs that have at least one instance not protected from
/// scale-in. Balanced AZs are all returned. Counts are `az_counts[az]` (an AZ
/// beyond the slice counts its candidates).
/// `ASG:ec2-auto-scaling-termination-policies` ("it first determines which
/// Availability Zones have the most instances, and it finds at least one
/// instance that is not protected from scale in").
pub fn az_with_most_instances(candidates: &[Candidate], az_counts: &[u32]) -> Vec<u32> {
    let count = |az: u32| {
        az_counts
            .get(az as usize)
            .copied()
            .unwrap_or_else(|| candidates.iter().filter(|c| c.az == az).count() as u32)
    };
    let mut azs: Vec<u32> = candidates
        .iter()
        .filter(|c| !c.protected)
        .map(|c| c.az)
        .collect();
    azs.sort_unstable();
    azs.dedup();
    let Some(most) = azs.iter().map(|&a| count(a)).max() else {
        return Vec::new();
    };
    azs.retain(|&a| count(a) == most);
    azs
}

/// Unhealthy instances are terminated without evaluating termination
/// policies: keeps the unhealthy ones if there are any.
/// Current `ASG:ec2-auto-scaling-termination-policies` ("Amazon EC2 Auto
/// Scaling only applies termination policies to instances that are not
/// considered unhealthy").
pub fn unhealthy_first(c: &mut Vec<Candidate>) {
    if c.iter().any(|x| !x.healthy) {
        c.retain(|x| !x.healthy);
    }
}

/// `AllocationStrategy`: keep the instances whose removal realigns the group
/// with its On-Demand/Spot allocation strategy. With the purchase option
/// given, the instances of that option; the simulator's groups have one
/// instance type, so there is no lower-priority pool to move away from and
/// otherwise every candidate stays. `ASG:ec2-auto-scaling-termination-policies`.
pub fn allocation_strategy(c: &mut Vec<Candidate>, terminate_spot: Option<bool>) {
    if let Some(spot) = terminate_spot
        && c.iter().any(|x| x.spot == spot)
    {
        c.retain(|x| x.spot == spot);
    }
}

/// `OldestLaunchTemplate`, and the Default policy's outdated-configuration
/// step for launch-template groups: in priority, instances launched from a
/// launch configuration, then from a launch template other than the current
/// one, then those on the oldest version of the current template.
/// `ASG:ec2-auto-scaling-termination-policies` (current page: "First, check
/// whether an instance was launched using a launch configuration. Then …
/// a different launch template … Finally … the oldest version of the current
/// launch template").
pub fn oldest_launch_template(c: &mut Vec<Candidate>) {
    let rank = |x: &Candidate| match x.launch {
        LaunchSource::LaunchConfiguration => 2u8,
        LaunchSource::OtherTemplate => 1,
        LaunchSource::CurrentTemplate => 0,
    };
    keep_max_by(c, rank);
    if c.iter().all(|x| x.launch == LaunchSource::CurrentTemplate) {
        keep_max_by(c, |x| std::cmp::Reverse(x.lt_version));
    }
}

/// `OldestLaunchConfiguration`: instances on the oldest launch configuration
/// (lowest generation); instances not launched from a launch configuration
/// are not distinguished. `ASG:ec2-auto-scaling-termination-policies`.
pub fn oldest_launch_configuration(c: &mut Vec<Candidate>) {
    if c.iter()
        .any(|x| x.launch == LaunchSource::LaunchConfiguration)
    {
        c.retain(|x| x.launch == LaunchSource::LaunchConfiguration);
        keep_max_by(c, |x| std::cmp::Reverse(x.lt_version));
    }
}

/// How far into its current billing hour an instance is, in nanoseconds:
/// `(now − launch) mod 1 h`. The larger, the closer to the next billing hour.
/// `ASG:ec2-auto-scaling-termination-policies`; research §7.
pub fn billing_hour_phase(now: SimTime, launched_at_ns: u64) -> u64 {
    now.saturating_sub(launched_at_ns) % HOUR_NS
}

/// `ClosestToNextInstanceHour`: the instances closest to their next billing
/// hour. `ASG:ec2-auto-scaling-termination-policies`.
pub fn closest_to_next_instance_hour(c: &mut Vec<Candidate>, now: SimTime) {
    keep_max_by(c, |x| billing_hour_phase(now, x.launched_at_ns));
}

/// `OldestInstance`: the earliest launched. `ASG:ec2-auto-scaling-termination-policies`.
pub fn oldest_instance(c: &mut Vec<Candidate>) {
    keep_max_by(c, |x| std::cmp::Reverse(x.launched_at_ns));
}

/// `NewestInstance`: the latest launched. `ASG:ec2-auto-scaling-termination-policies`.
pub fn newest_instance(c: &mut Vec<Candidate>) {
    keep_max_by(c, |x| x.launched_at_ns);
}

/// Random among ties, deterministic in `random` and independent of the
/// candidates' order. `ASG:ec2-auto-scaling-termination-policies` ("terminate
/// one of these instances at random").
pub fn random_choice(c: &[Candidate], random: u64) -> Option<u32> {
    let mut idx: Vec<u32> = c.iter().map(|x| x.index).collect();
    idx.sort_unstable();
    (!idx.is_empty()).then(|| idx[(random % idx.len() as u64) as usize])
}

// ----------------------------------------------------------- the decision

/// Applies a filter; returns the rule if it narrowed the set to one.
fn narrow(
    c: &mut Vec<Candidate>,
    rule: Rule,
    f: impl FnOnce(&mut Vec<Candidate>),
) -> Option<Decision> {
    f(c);
    (c.len() == 1).then(|| Decision {
        index: c[0].index,
        rule,
    })
}

/// Chooses the instance to terminate on scale-in (or when rebalancing or an
/// instance refresh terminates: pass only the instances of the AZ or batch
/// concerned). `None` when every candidate is protected from scale-in: the
/// desired capacity still drops, nothing is terminated
/// (`ASG:as-instance-termination`). `random` breaks the final tie.
/// See the module documentation for the order.
pub fn choose_instance_to_terminate(
    candidates: &[Candidate],
    ctx: &ScaleIn<'_>,
    random: u64,
) -> Option<Decision> {
    // Scale-in protection: `ASG:ec2-auto-scaling-instance-protection`.
    let mut c: Vec<Candidate> = candidates
        .iter()
        .filter(|x| !x.protected)
        .copied()
        .collect();
    if c.is_empty() {
        return None;
    }
    if c.len() == 1 {
        return Some(Decision {
            index: c[0].index,
            rule: Rule::OnlyUnprotected,
        });
    }
    // Mixed instances groups: the purchase option first, then the AZ with the
    // most instances *of that option*. `ASG:as-instance-termination` (note);
    // `ASG:ec2-auto-scaling-termination-policies` ("first it identifies which
    // of the two types (Spot or On-Demand) should be terminated").
    let mut counts = ctx.az_counts.to_vec();
    if let Some(spot) = ctx.terminate_spot
        && c.iter().any(|x| x.spot == spot)
    {
        if let Some(d) = narrow(&mut c, Rule::PurchaseOption, |c| {
            allocation_strategy(c, Some(spot))
        }) {
            return Some(d);
        }
        counts.fill(0);
        for x in candidates.iter().filter(|x| x.spot == spot) {
            let az = x.az as usize;
            if counts.len() <= az {
                counts.resize(az + 1, 0);
            }
            counts[az] += 1;
        }
    }
    if let Some(d) = narrow(&mut c, Rule::AzBalance, |c| {
        let azs = az_with_most_instances(c, &counts);
        c.retain(|x| azs.contains(&x.az));
    }) {
        return Some(d);
    }
    if c.iter().any(|x| !x.healthy) {
        unhealthy_first(&mut c);
        let index = if c.len() == 1 {
            c[0].index
        } else {
            random_choice(&c, random)?
        };
        return Some(Decision {
            index,
            rule: Rule::Unhealthy,
        });
    }
    let default = [TerminationPolicy::Default];
    let policies = if ctx.policies.is_empty() {
        &default[..]
    } else {
        ctx.policies
    };
    for p in policies {
        let decided = match p {
            TerminationPolicy::Default => default_termination_policy(&mut c, ctx),
            TerminationPolicy::AllocationStrategy => {
                narrow(&mut c, Rule::AllocationStrategy, |c| {
                    allocation_strategy(c, ctx.terminate_spot)
                })
            }
            TerminationPolicy::OldestLaunchTemplate => {
                narrow(&mut c, Rule::OldestLaunchTemplate, oldest_launch_template)
            }
            TerminationPolicy::OldestLaunchConfiguration => narrow(
                &mut c,
                Rule::OldestLaunchConfiguration,
                oldest_launch_configuration,
            ),
            TerminationPolicy::ClosestToNextInstanceHour => {
                narrow(&mut c, Rule::ClosestToNextInstanceHour, |c| {
                    closest_to_next_instance_hour(c, ctx.now)
                })
            }
            TerminationPolicy::OldestInstance => {
                narrow(&mut c, Rule::OldestInstance, oldest_instance)
            }
            TerminationPolicy::NewestInstance => {
                narrow(&mut c, Rule::NewestInstance, newest_instance)
            }
        };
        if decided.is_some() {
            return decided;
        }
    }
    random_choice(&c, random).map(|index| Decision {
        index,
        rule: Rule::Random,
    })
}

/// The Default termination policy's steps after AZ selection: allocation
/// strategy (mixed groups), outdated launch template or configuration,
/// closest to the next billing hour. The final random tie-break is the
/// caller's. `ASG:ec2-auto-scaling-termination-policies` ("Default
/// termination policy"); `ASG:as-instance-termination` (WE-07).
fn default_termination_policy(c: &mut Vec<Candidate>, ctx: &ScaleIn<'_>) -> Option<Decision> {
    if let Some(d) = narrow(c, Rule::AllocationStrategy, |c| {
        allocation_strategy(c, ctx.terminate_spot)
    }) {
        return Some(d);
    }
    narrow(c, Rule::OldestLaunchTemplate, oldest_launch_template).or_else(|| {
        narrow(c, Rule::ClosestToNextInstanceHour, |c| {
            closest_to_next_instance_hour(c, ctx.now)
        })
    })
}

/// Chooses `n` instances one after another, each choice seeing the AZ counts
/// left by the previous ones (so a scale-in by several keeps the AZs
/// balanced). `random` is called once per choice.
pub fn choose_instances_to_terminate(
    candidates: &[Candidate],
    ctx: &ScaleIn<'_>,
    n: usize,
    mut random: impl FnMut() -> u64,
) -> Vec<Decision> {
    let mut left = candidates.to_vec();
    let mut counts = ctx.az_counts.to_vec();
    let mut out = Vec::with_capacity(n);
    while out.len() < n {
        let step_ctx = ScaleIn {
            az_counts: &counts,
            ..*ctx
        };
        let Some(d) = choose_instance_to_terminate(&left, &step_ctx, random()) else {
            break;
        };
        if let Some(pos) = left.iter().position(|x| x.index == d.index) {
            let gone = left.swap_remove(pos);
            if let Some(k) = counts.get_mut(gone.az as usize) {
                *k = k.saturating_sub(1);
            }
        }
        out.push(d);
    }
    out
}

// ----------------------------------------------------------- AZ rebalancing

/// The AZ to launch in: the available AZ with the fewest instances, the
/// first in the group's order on a tie. `None` if no AZ is available.
/// `ASG:as-instance-termination` ("launches in the Availability Zone with the
/// fewest instances"); `API-ASG:AvailabilityZoneDistribution.CapacityDistributionStrategy`
/// (`balanced-best-effort`: an unavailable AZ is skipped).
pub fn az_with_fewest_instances(counts: &[u32], available: &[bool]) -> Option<u32> {
    (0..counts.len())
        .filter(|&i| available.get(i).copied().unwrap_or(true))
        .min_by_key(|&i| (counts[i], i))
        .map(|i| i as u32)
}

/// Whether the available AZs are balanced: their instance counts differ by at
/// most one. `ASG:as-instance-termination` ("Availability Zone rebalancing").
pub fn azs_balanced(counts: &[u32], available: &[bool]) -> bool {
    let avail = (0..counts.len())
        .filter(|&i| available.get(i).copied().unwrap_or(true))
        .map(|i| counts[i]);
    let (lo, hi) = avail.fold((u32::MAX, 0), |(lo, hi), c| (lo.min(c), hi.max(c)));
    lo == u32::MAX || hi - lo <= 1
}

/// How far above max rebalancing may take the group for a while: 10 % of
/// max or one instance, whichever is greater; 10 % is rounded down (GAP, the
/// rounding is not documented). Max 20 → 2, max 5 → 1 (WE-14).
/// `ASG:as-instance-termination` ("Availability Zone rebalancing").
pub fn rebalance_margin(max: u32) -> u32 {
    (max / 10).max(1)
}

/// The temporary ceiling during rebalancing: max + [`rebalance_margin`]
/// (20 → 22, 5 → 6; WE-14). `ASG:as-instance-termination`.
pub fn rebalance_ceiling(max: u32) -> u32 {
    max.saturating_add(rebalance_margin(max))
}

/// The next rebalancing step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RebalanceAction {
    /// Balanced (or nothing can be done): no action.
    None,
    /// Launch one instance in this AZ.
    Launch {
        /// AZ index.
        az: u32,
    },
    /// Terminate one instance in this AZ (choose it with
    /// [`choose_instance_to_terminate`] over that AZ's instances).
    Terminate {
        /// AZ index.
        az: u32,
    },
}

/// The next AZ rebalancing step, launch before terminate: with more instances
/// than desired (a rebalancing launch done), terminate one in the available
/// AZ with the most instances; else, if the available AZs are imbalanced,
/// launch one in the AZ with the fewest, as long as the group stays within
/// [`rebalance_ceiling`]. `counts` should include pending launches; call
/// again once a launch is InService. Unavailable AZs (an outage) are left to
/// health-check replacement. WE-08: desired 2 with `[0, 2]` after AZ-A
/// recovers → launch in A, then terminate in B.
/// `ASG:as-instance-termination` ("Availability Zone rebalancing").
pub fn az_rebalance_action(
    counts: &[u32],
    available: &[bool],
    desired: u32,
    max: u32,
) -> RebalanceAction {
    let is_avail = |i: usize| available.get(i).copied().unwrap_or(true);
    let total: u32 = (0..counts.len())
        .filter(|&i| is_avail(i))
        .map(|i| counts[i])
        .sum();
    let most = (0..counts.len())
        .filter(|&i| is_avail(i) && counts[i] > 0)
        .max_by_key(|&i| (counts[i], std::cmp::Reverse(i)));
    if total > desired {
        return match most {
            Some(az) => RebalanceAction::Terminate { az: az as u32 },
            None => RebalanceAction::None,
        };
    }
    if azs_balanced(counts, available) || total >= rebalance_ceiling(max) {
        return RebalanceAction::None;
    }
    match az_with_fewest_instances(counts, available) {
        Some(az) => RebalanceAction::Launch { az },
        None => RebalanceAction::None,
    }
}

// ==================================================================== tests

#[cfg(test)]
mod tests {
    use super::*;
    use TerminationPolicy as P;
    use proptest::prelude::*;

    const MIN: u64 = 60_000_000_000;

    fn inst(index: u32, az: u32, launched_min: u64) -> Candidate {
        Candidate {
            index,
            az,
            launched_at_ns: launched_min * MIN,
            lt_version: 1,
            launch: LaunchSource::CurrentTemplate,
            protected: false,
            healthy: true,
            spot: false,
        }
    }

    fn counts(c: &[Candidate], n: usize) -> Vec<u32> {
        let mut v = vec![0; n];
        for x in c {
            v[x.az as usize] += 1;
        }
        v
    }

    fn choose(c: &[Candidate], policies: &[P], now_min: u64, random: u64) -> Option<Decision> {
        let az = counts(c, 3);
        let ctx = ScaleIn {
            now: now_min * MIN,
            az_counts: &az,
            policies,
            terminate_spot: None,
        };
        choose_instance_to_terminate(c, &ctx, random)
    }

    /// WE-07: one instance type, 2 AZs, desired 2 (one per AZ), scale out to
    /// 3 (AZ 0 gets two), scale in by one.
    fn we07() -> Vec<Candidate> {
        vec![inst(0, 0, 0), inst(1, 1, 0), inst(2, 0, 10)]
    }

    #[test]
    fn we_07_default_termination_walkthrough() {
        // Step 2–3: the AZ with two instances; within it the oldest launch
        // template version, even though it is the newest instance.
        let mut c = we07();
        c[2].lt_version = 0;
        c[0].lt_version = 1;
        let d = choose(&c, &[P::Default], 30, 0).unwrap();
        assert_eq!(
            d,
            Decision {
                index: 2,
                rule: Rule::OldestLaunchTemplate
            }
        );
        // Step 4: same template version → closest to the next billing hour.
        // At 50 min: instance 0 is 50 min into its hour, instance 2 40 min.
        let c = we07();
        let d = choose(&c, &[P::Default], 50, 0).unwrap();
        assert_eq!(
            d,
            Decision {
                index: 0,
                rule: Rule::ClosestToNextInstanceHour
            }
        );
        // At 65 min: instance 0 is 5 min in, instance 2 55 min.
        let d = choose(&c, &[P::Default], 65, 0).unwrap();
        assert_eq!(
            d,
            Decision {
                index: 2,
                rule: Rule::ClosestToNextInstanceHour
            }
        );
        // Step 5: still tied → random, deterministic in the draw, never AZ 1.
        let mut c = we07();
        c[2].launched_at_ns = 0;
        let picks: Vec<_> = (0..4)
            .map(|r| choose(&c, &[P::Default], 30, r).unwrap())
            .collect();
        assert!(picks.iter().all(|d| d.rule == Rule::Random && d.index != 1));
        assert_eq!(picks[0].index, 0);
        assert_eq!(picks[1].index, 2);
        // An empty policy list means Default.
        assert_eq!(choose(&c, &[], 30, 1), choose(&c, &[P::Default], 30, 1));
    }

    #[test]
    fn we_07_i_unhealthy_bypasses_policies() {
        // The unhealthy candidate goes although the other has an older template.
        let mut c = we07();
        c[0].lt_version = 0;
        c[2].lt_version = 1;
        c[2].healthy = false;
        let d = choose(&c, &[P::Default], 30, 0).unwrap();
        assert_eq!(
            d,
            Decision {
                index: 2,
                rule: Rule::Unhealthy
            }
        );
        let d = choose(&c, &[P::OldestInstance], 30, 0).unwrap();
        assert_eq!(d.rule, Rule::Unhealthy);
    }

    #[test]
    fn we_07_ii_protected_az_is_not_eligible() {
        // Both instances of the larger AZ protected: it has no unprotected
        // instance, so the choice moves to the other AZ.
        let mut c = we07();
        c[0].protected = true;
        c[2].protected = true;
        let d = choose(&c, &[P::Default], 30, 0).unwrap();
        assert_eq!(d.index, 1);
        assert_eq!(d.rule, Rule::OnlyUnprotected);
        // AZ 1 gains a protected instance, AZ 2 an unprotected one: AZ 0
        // (2, all protected) is not eligible, AZ 1 (2) beats AZ 2 (1).
        let mut p = inst(3, 1, 0);
        p.protected = true;
        c.push(p);
        c.push(inst(4, 2, 0));
        let d = choose(&c, &[P::Default], 30, 0).unwrap();
        assert_eq!(
            d,
            Decision {
                index: 1,
                rule: Rule::AzBalance
            }
        );
        // All protected: nothing is terminated.
        for x in &mut c {
            x.protected = true;
        }
        assert_eq!(choose(&c, &[P::Default], 30, 0), None);
    }

    #[test]
    fn az_balance_comes_before_every_policy() {
        // OldestInstance would pick 1 (AZ 1), but AZ 0 has more instances.
        let c = vec![inst(0, 0, 20), inst(1, 1, 0), inst(2, 0, 30)];
        let d = choose(&c, &[P::OldestInstance], 40, 0).unwrap();
        assert_eq!(
            d,
            Decision {
                index: 0,
                rule: Rule::OldestInstance
            }
        );
        // One unprotected instance in the fullest AZ: AZ balance decides.
        let c = vec![inst(0, 0, 20), inst(1, 1, 0), inst(2, 0, 30), inst(3, 2, 0)];
        let mut c2 = c.clone();
        c2[2].protected = true;
        let d = choose(&c2, &[P::NewestInstance], 40, 0).unwrap();
        assert_eq!(
            d,
            Decision {
                index: 0,
                rule: Rule::AzBalance
            }
        );
        assert_eq!(az_with_most_instances(&c2, &counts(&c2, 3)), vec![0]);
        // Balanced AZs: the policy applies across all of them.
        let c = vec![inst(0, 0, 20), inst(1, 1, 0), inst(2, 2, 30)];
        assert_eq!(az_with_most_instances(&c, &counts(&c, 3)), vec![0, 1, 2]);
        let d = choose(&c, &[P::OldestInstance], 40, 0).unwrap();
        assert_eq!(
            d,
            Decision {
                index: 1,
                rule: Rule::OldestInstance
            }
        );
        let d = choose(&c, &[P::NewestInstance], 40, 0).unwrap();
        assert_eq!(
            d,
            Decision {
                index: 2,
                rule: Rule::NewestInstance
            }
        );
    }

    #[test]
    fn named_policies() {
        let mut c = vec![inst(0, 0, 0), inst(1, 0, 5), inst(2, 0, 50)];
        assert_eq!(choose(&c, &[P::OldestInstance], 70, 0).unwrap().index, 0);
        assert_eq!(choose(&c, &[P::NewestInstance], 70, 0).unwrap().index, 2);
        // At 70 min: phases 10, 5, 20 min → instance 2.
        assert_eq!(
            choose(&c, &[P::ClosestToNextInstanceHour], 70, 0).unwrap(),
            Decision {
                index: 2,
                rule: Rule::ClosestToNextInstanceHour
            }
        );
        // OldestLaunchTemplate: another template before an older version of
        // the current one; a launch configuration before both.
        c[0].lt_version = 1;
        c[1].lt_version = 3;
        c[1].launch = LaunchSource::OtherTemplate;
        c[2].lt_version = 2;
        assert_eq!(
            choose(&c, &[P::OldestLaunchTemplate], 70, 0).unwrap(),
            Decision {
                index: 1,
                rule: Rule::OldestLaunchTemplate
            }
        );
        c[2].launch = LaunchSource::LaunchConfiguration;
        assert_eq!(
            choose(&c, &[P::OldestLaunchTemplate], 70, 0).unwrap().index,
            2
        );
        c[1].launch = LaunchSource::CurrentTemplate;
        c[2].launch = LaunchSource::CurrentTemplate;
        assert_eq!(
            choose(&c, &[P::OldestLaunchTemplate], 70, 0).unwrap().index,
            0
        );
        // OldestLaunchConfiguration: launch-configuration instances, oldest
        // generation first; without any it does not decide.
        c[1].launch = LaunchSource::LaunchConfiguration;
        c[2].launch = LaunchSource::LaunchConfiguration;
        assert_eq!(
            choose(&c, &[P::OldestLaunchConfiguration], 70, 0).unwrap(),
            Decision {
                index: 2,
                rule: Rule::OldestLaunchConfiguration
            }
        );
        let plain = vec![inst(0, 0, 0), inst(1, 0, 0)];
        assert_eq!(
            choose(&plain, &[P::OldestLaunchConfiguration], 70, 3)
                .unwrap()
                .rule,
            Rule::Random
        );
        // AllocationStrategy on a single-purchase group doesn't narrow.
        assert_eq!(
            choose(&plain, &[P::AllocationStrategy], 70, 3)
                .unwrap()
                .rule,
            Rule::Random
        );
    }

    #[test]
    fn policy_lists_filter_in_order() {
        // Two old instances tied on launch time; ClosestToNextInstanceHour
        // can't split them but OldestLaunchTemplate can.
        let mut c = vec![inst(0, 0, 0), inst(1, 0, 0), inst(2, 0, 30)];
        c[1].lt_version = 0;
        let d = choose(
            &c,
            &[P::OldestInstance, P::ClosestToNextInstanceHour, P::Default],
            40,
            0,
        )
        .unwrap();
        assert_eq!(
            d,
            Decision {
                index: 1,
                rule: Rule::OldestLaunchTemplate
            }
        );
        // Order matters: NewestInstance first picks instance 2.
        let d = choose(&c, &[P::NewestInstance, P::OldestLaunchTemplate], 40, 0).unwrap();
        assert_eq!(
            d,
            Decision {
                index: 2,
                rule: Rule::NewestInstance
            }
        );
        assert!(validate_termination_policies(&[P::OldestInstance, P::Default]).is_ok());
        assert!(validate_termination_policies(&[]).is_ok());
        assert!(validate_termination_policies(&[P::Default, P::OldestInstance]).is_err());
    }

    #[test]
    fn mixed_groups_choose_the_purchase_option_first() {
        // AZ 0: two On-Demand; AZ 1: two Spot and one On-Demand. A Spot
        // instance is to go: it comes from AZ 1, the AZ with the most Spot.
        let mut c = vec![
            inst(0, 0, 0),
            inst(1, 0, 0),
            inst(2, 1, 0),
            inst(3, 1, 0),
            inst(4, 1, 0),
        ];
        c[2].spot = true;
        c[3].spot = true;
        let az = counts(&c, 2);
        let ctx = ScaleIn {
            now: 0,
            az_counts: &az,
            policies: &[P::Default],
            terminate_spot: Some(true),
        };
        let d = choose_instance_to_terminate(&c, &ctx, 1).unwrap();
        assert!(d.index == 2 || d.index == 3);
        assert_eq!(d.rule, Rule::Random);
        c[3].spot = false;
        let d = choose_instance_to_terminate(&c, &ctx, 0).unwrap();
        assert_eq!(
            d,
            Decision {
                index: 2,
                rule: Rule::PurchaseOption
            }
        );
    }

    #[test]
    fn several_terminations_keep_azs_balanced() {
        let c: Vec<_> = (0..6)
            .map(|i| inst(i, if i < 4 { 0 } else { 1 }, i as u64))
            .collect();
        let az = counts(&c, 2);
        let ctx = ScaleIn {
            now: 10 * MIN,
            az_counts: &az,
            policies: &[P::OldestInstance],
            terminate_spot: None,
        };
        let ds = choose_instances_to_terminate(&c, &ctx, 3, || 0);
        let idx: Vec<_> = ds.iter().map(|d| d.index).collect();
        // 4/2 → 3/2 → 2/2 → then the oldest overall (instance 2 or 4: 2).
        assert_eq!(idx, vec![0, 1, 2]);
    }

    #[test]
    fn we_08_az_outage_recovery() {
        // Desired 2 across AZs A and B; AZ-A fails and its instance is gone.
        let avail_b = [false, true];
        assert_eq!(az_with_fewest_instances(&[0, 1], &avail_b), Some(1)); // replacement in B
        // AZ-A recovers with [0, 2]: launch in A first…
        let both = [true, true];
        assert_eq!(
            az_rebalance_action(&[0, 2], &both, 2, 2),
            RebalanceAction::Launch { az: 0 }
        );
        // …then terminate one in B (the group is briefly at 3, above max 2).
        assert!(3 <= rebalance_ceiling(2));
        assert_eq!(
            az_rebalance_action(&[1, 2], &both, 2, 2),
            RebalanceAction::Terminate { az: 1 }
        );
        assert_eq!(
            az_rebalance_action(&[1, 1], &both, 2, 2),
            RebalanceAction::None
        );
        // During the outage nothing is rebalanced into A.
        assert_eq!(
            az_rebalance_action(&[0, 2], &avail_b, 2, 2),
            RebalanceAction::None
        );
        assert_eq!(az_with_fewest_instances(&[0, 0], &[false, false]), None);
    }

    #[test]
    fn we_14_rebalancing_margin() {
        assert_eq!(rebalance_ceiling(20), 22);
        assert_eq!(rebalance_ceiling(5), 6);
        assert_eq!(rebalance_margin(0), 1);
        assert_eq!(rebalance_margin(105), 10);
        assert!(azs_balanced(&[3, 2, 3], &[true; 3]));
        assert!(!azs_balanced(&[4, 2, 3], &[true; 3]));
        assert!(azs_balanced(&[], &[]));
    }

    #[test]
    fn billing_hour_phase_wraps() {
        assert_eq!(billing_hour_phase(61 * MIN, 0), MIN);
        assert_eq!(billing_hour_phase(60 * MIN, 0), 0);
        assert_eq!(billing_hour_phase(0, 5 * MIN), 0);
        assert_eq!(
            Rule::ClosestToNextInstanceHour.to_string(),
            "ClosestToNextInstanceHour"
        );
        assert_eq!(Rule::AzBalance.name(), "AZ balance");
    }

    fn arb_candidates() -> impl Strategy<Value = Vec<Candidate>> {
        prop::collection::vec(
            (
                0u32..3,
                0u64..200,
                0u32..3,
                0u8..3,
                any::<bool>(),
                prop::bool::weighted(0.9),
                any::<bool>(),
            ),
            1..12,
        )
        .prop_map(|v| {
            v.into_iter()
                .enumerate()
                .map(
                    |(i, (az, t, ver, src, protected, healthy, spot))| Candidate {
                        index: i as u32,
                        az,
                        launched_at_ns: t * MIN,
                        lt_version: ver,
                        launch: match src {
                            0 => LaunchSource::CurrentTemplate,
                            1 => LaunchSource::OtherTemplate,
                            _ => LaunchSource::LaunchConfiguration,
                        },
                        protected,
                        healthy,
                        spot,
                    },
                )
                .collect()
        })
    }

    fn arb_policies() -> impl Strategy<Value = Vec<P>> {
        prop::collection::vec(
            prop_oneof![
                Just(P::OldestInstance),
                Just(P::NewestInstance),
                Just(P::OldestLaunchTemplate),
                Just(P::OldestLaunchConfiguration),
                Just(P::ClosestToNextInstanceHour),
                Just(P::AllocationStrategy),
            ],
            0..3,
        )
        .prop_map(|mut v| {
            v.push(P::Default);
            v
        })
    }

    proptest! {
        #[test]
        fn never_protected_always_in_a_fullest_eligible_az(
            c in arb_candidates(),
            policies in arb_policies(),
            now in 0u64..500,
            r in any::<u64>(),
        ) {
            let az = counts(&c, 3);
            let ctx = ScaleIn { now: now * MIN, az_counts: &az, policies: &policies, terminate_spot: None };
            match choose_instance_to_terminate(&c, &ctx, r) {
                None => prop_assert!(c.iter().all(|x| x.protected)),
                Some(d) => {
                    let chosen = c.iter().find(|x| x.index == d.index).unwrap();
                    prop_assert!(!chosen.protected);
                    let fullest = c.iter().filter(|x| !x.protected).map(|x| az[x.az as usize]).max().unwrap();
                    prop_assert_eq!(az[chosen.az as usize], fullest);
                    // Deterministic.
                    prop_assert_eq!(choose_instance_to_terminate(&c, &ctx, r), Some(d));
                }
            }
        }

        #[test]
        fn rebalancing_stays_under_the_ceiling(
            a in 0u32..20, b in 0u32..20, cc in 0u32..20, max in 1u32..60,
        ) {
            let counts = [a, b, cc];
            let total = a + b + cc;
            let desired = total.min(max);
            if let RebalanceAction::Launch { az } = az_rebalance_action(&counts, &[true; 3], desired, max) {
                prop_assert!(total < rebalance_ceiling(max));
                prop_assert_eq!(counts[az as usize], *counts.iter().min().unwrap());
            }
        }
    }
}
