//! The numbers beside the findings, keeping provisioning (did systems change, how fast) apart
//! from governance (were changes decided and exceptions kept in hand).

use std::collections::BTreeMap;

use evidentia_domain::{LifecycleEventType, SystemId};

use crate::chain::{Direction, EventChain, LinkStatus};
use crate::{AgingBucket, ExceptionAging, Finding};

/// Median and 95th percentile of a set of durations, in hours.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Durations {
    pub count: usize,
    pub median_hours: f64,
    pub p95_hours: f64,
}

impl Durations {
    /// Nearest-rank percentiles of the given hours; `None` for an empty set.
    pub fn of(mut hours: Vec<f64>) -> Option<Durations> {
        if hours.is_empty() {
            return None;
        }
        hours.sort_by(f64::total_cmp);
        let rank = |p: f64| {
            let idx = ((p * hours.len() as f64).ceil() as usize).clamp(1, hours.len()) - 1;
            hours[idx]
        };
        Some(Durations {
            count: hours.len(),
            median_hours: rank(0.5),
            p95_hours: rank(0.95),
        })
    }
}

/// Every figure of one analysis.
#[derive(Debug, Clone, PartialEq)]
pub struct Metrics {
    /// Events that had to reach at least one system.
    pub events_with_chains: usize,
    /// Of those, events whose every link is complete.
    pub complete_events: usize,
    /// Link outcomes: (link, status) → count, links being decision, execution, confirmation.
    pub links: BTreeMap<(&'static str, &'static str), usize>,
    /// Hours from joiner/mover/NHI creation to the system's first grant, per system.
    pub time_to_provision: BTreeMap<SystemId, Durations>,
    /// Hours from leaver/retirement to the system's last revocation, per system.
    pub time_to_revoke: BTreeMap<SystemId, Durations>,
    pub exceptions_by_bucket: BTreeMap<AgingBucket, usize>,
    pub findings_by_check: BTreeMap<&'static str, usize>,
    /// Approved decisions per approver role (governance, not provisioning).
    pub approvals_by_role: BTreeMap<&'static str, usize>,
}

impl Metrics {
    /// Share of events whose every link is complete, 0.0–1.0 (1.0 when no event needed any).
    pub fn completeness(&self) -> f64 {
        if self.events_with_chains == 0 {
            1.0
        } else {
            self.complete_events as f64 / self.events_with_chains as f64
        }
    }
}

pub(crate) fn compute(
    chains: &[EventChain],
    exceptions: &[ExceptionAging],
    findings: &[Finding],
    approvals: &[crate::Stored<evidentia_domain::Approval>],
) -> Metrics {
    let mut links = BTreeMap::new();
    let mut provision: BTreeMap<SystemId, Vec<f64>> = BTreeMap::new();
    let mut revoke: BTreeMap<SystemId, Vec<f64>> = BTreeMap::new();
    let mut with_chains = 0;
    let mut complete = 0;
    for chain in chains.iter().filter(|c| !c.systems.is_empty()) {
        with_chains += 1;
        if chain.is_complete() {
            complete += 1;
        }
        for s in &chain.systems {
            for (name, link) in [
                ("decision", &s.decision),
                ("execution", &s.execution),
                ("confirmation", &s.confirmation),
            ] {
                *links.entry((name, link.status.as_str())).or_insert(0) += 1;
            }
            let done = matches!(s.execution.status, LinkStatus::Complete | LinkStatus::Late);
            let Some(at) = s.execution.at.filter(|_| done) else {
                continue;
            };
            let hours = (at - chain.effective_at).num_seconds().max(0) as f64 / 3600.0;
            match (s.direction, chain.event_type) {
                (Direction::Grant, _) => provision.entry(s.system.clone()).or_default().push(hours),
                (
                    Direction::Revoke,
                    LifecycleEventType::Leaver | LifecycleEventType::NhiRetired,
                ) => {
                    revoke.entry(s.system.clone()).or_default().push(hours);
                }
                (Direction::Revoke, _) => {}
            }
        }
    }
    let mut exceptions_by_bucket: BTreeMap<AgingBucket, usize> =
        AgingBucket::ALL.iter().map(|b| (*b, 0)).collect();
    for e in exceptions {
        *exceptions_by_bucket.entry(e.bucket).or_insert(0) += 1;
    }
    let mut findings_by_check = BTreeMap::new();
    for f in findings {
        *findings_by_check.entry(f.check).or_insert(0) += 1;
    }
    let mut approvals_by_role = BTreeMap::new();
    for a in approvals
        .iter()
        .filter(|a| a.record.decision == evidentia_domain::Decision::Approved)
    {
        *approvals_by_role
            .entry(a.record.approver_role.as_str())
            .or_insert(0) += 1;
    }
    Metrics {
        events_with_chains: with_chains,
        complete_events: complete,
        links,
        time_to_provision: provision
            .into_iter()
            .filter_map(|(s, h)| Some((s, Durations::of(h)?)))
            .collect(),
        time_to_revoke: revoke
            .into_iter()
            .filter_map(|(s, h)| Some((s, Durations::of(h)?)))
            .collect(),
        exceptions_by_bucket,
        findings_by_check,
        approvals_by_role,
    }
}

#[cfg(test)]
mod tests {
    use super::Durations;

    #[test]
    fn nearest_rank_percentiles() {
        let d = Durations::of((1..=20).map(f64::from).collect()).expect("non-empty");
        assert_eq!((d.count, d.median_hours, d.p95_hours), (20, 10.0, 19.0));
        let one = Durations::of(vec![7.5]).expect("non-empty");
        assert_eq!((one.median_hours, one.p95_hours), (7.5, 7.5));
        assert!(Durations::of(vec![]).is_none());
    }
}
