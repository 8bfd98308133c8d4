//! The numbers beside the findings, keeping provisioning (did systems change, how fast) apart
//! from governance (were changes decided and exceptions kept in hand).

use std::collections::BTreeMap;

use evidentia_domain::{
    CampaignId, LifecycleEventType, Outcome, ProvisioningAction, SystemId, Timestamp,
};

use crate::chain::{Direction, EventChain, LinkStatus};
use crate::{AgingBucket, CampaignReview, Context, ExceptionAging, Finding};

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
    /// Access reviews: coverage, completion, revoke rate and decision-to-removal times
    /// (governance, not provisioning).
    pub reviews: ReviewMetrics,
    /// Issue #19: of the leaver credentials the credential checks judged, those revoked
    /// within the system's revocation deadline. `None` when none was judged (no departure
    /// with a credential shown held, or the evidence was not imported): not assessed.
    pub leaver_credentials_revoked: Option<Share>,
    /// Issue #19: ages of the active credentials in each system's latest credential listing
    /// at or before the analysis time, as of that time, for those whose creation (or last
    /// rotation) a provisioning log dates. `None` when none is dated: not assessed.
    pub credential_age: Option<Durations>,
    /// Issue #19: of the emergency-access register's uses in the period, those with a
    /// decision by someone other than their user within `[emergency] review_window`. `None`
    /// without a register use in the period or without a review window: not assessed.
    pub emergency_reviewed: Option<Share>,
}

/// Part of a whole, both counted; only built with a whole above zero, so a share is never a
/// 0 % or 100 % made up from nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Share {
    pub part: usize,
    pub whole: usize,
}

impl Share {
    /// `part` of `whole`; `None` when the whole is empty (nothing to judge).
    pub fn of(part: usize, whole: usize) -> Option<Share> {
        (whole > 0).then_some(Share {
            part: part.min(whole),
            whole,
        })
    }

    /// The part over the whole, 0.0–1.0.
    pub fn ratio(&self) -> f64 {
        self.part as f64 / self.whole as f64
    }
}

/// Access-review figures of one scope: a campaign, one system of it, or all campaigns.
/// Counts are population items; `population` counts only systems whose population was
/// established (a complete snapshot at or before the start).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReviewFigures {
    pub population: usize,
    /// Items with an effective decision by the close (coverage).
    pub decided: usize,
    /// Items decided by `due_at` (completion on time).
    pub decided_on_time: usize,
    pub keep: usize,
    pub revoke: usize,
    pub modify: usize,
}

impl ReviewFigures {
    /// Decided over population, 0.0–1.0; `None` without a population.
    pub fn coverage(&self) -> Option<f64> {
        ratio(self.decided, self.population)
    }

    /// Decided by the due date over population, 0.0–1.0; `None` without a population.
    pub fn completion(&self) -> Option<f64> {
        ratio(self.decided_on_time, self.population)
    }

    /// (Revoke + modify) over decided, 0.0–1.0; `None` when nothing was decided.
    pub fn revoke_rate(&self) -> Option<f64> {
        ratio(self.revoke + self.modify, self.decided)
    }

    fn add(&mut self, other: &ReviewFigures) {
        self.population += other.population;
        self.decided += other.decided;
        self.decided_on_time += other.decided_on_time;
        self.keep += other.keep;
        self.revoke += other.revoke;
        self.modify += other.modify;
    }
}

fn ratio(part: usize, whole: usize) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

/// One campaign's figures, in total and per system in its scope.
#[derive(Debug, Clone, PartialEq)]
pub struct CampaignMetrics {
    pub campaign: CampaignId,
    pub started_at: Timestamp,
    pub figures: ReviewFigures,
    /// Per system whose population was established.
    pub systems: BTreeMap<SystemId, ReviewFigures>,
    /// Systems in scope with no established population (not assessed).
    pub without_population: Vec<SystemId>,
    /// Hours from a revoke or modify decision to the removal in the system's log, per system.
    pub decision_to_removal: BTreeMap<SystemId, Durations>,
}

/// Access-review governance figures.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReviewMetrics {
    /// Every campaign judged, in order of start: the trend across campaigns.
    pub campaigns: Vec<CampaignMetrics>,
    /// All campaigns together.
    pub figures: ReviewFigures,
    /// Hours from decision to removal per system, across campaigns.
    pub decision_to_removal: BTreeMap<SystemId, Durations>,
}

impl ReviewMetrics {
    /// The figures of the campaigns judged (in order of start).
    pub fn of(reviews: &[CampaignReview]) -> ReviewMetrics {
        let mut all = ReviewFigures::default();
        let mut removal_hours: BTreeMap<SystemId, Vec<f64>> = BTreeMap::new();
        let mut ordered: Vec<&CampaignReview> = reviews.iter().collect();
        ordered.sort_by(|a, b| (a.started_at, &a.campaign).cmp(&(b.started_at, &b.campaign)));
        let campaigns = ordered
            .into_iter()
            .map(|c| {
                let mut figures = ReviewFigures::default();
                let mut systems = BTreeMap::new();
                let mut without_population = Vec::new();
                for s in &c.systems {
                    if s.snapshot.is_none() {
                        without_population.push(s.system.clone());
                        continue;
                    }
                    let f = ReviewFigures {
                        population: s.population,
                        decided: s.decided,
                        decided_on_time: s.decided_on_time,
                        keep: s.keep,
                        revoke: s.revoke,
                        modify: s.modify,
                    };
                    figures.add(&f);
                    systems.insert(s.system.clone(), f);
                }
                all.add(&figures);
                let mut hours: BTreeMap<SystemId, Vec<f64>> = BTreeMap::new();
                for r in &c.revokes {
                    if let Some((_, removed)) = r.removal {
                        let h = (removed - r.decided_at).num_seconds().max(0) as f64 / 3600.0;
                        hours.entry(r.system.clone()).or_default().push(h);
                        removal_hours.entry(r.system.clone()).or_default().push(h);
                    }
                }
                CampaignMetrics {
                    campaign: c.campaign.clone(),
                    started_at: c.started_at,
                    figures,
                    systems,
                    without_population,
                    decision_to_removal: durations(hours),
                }
            })
            .collect();
        ReviewMetrics {
            campaigns,
            figures: all,
            decision_to_removal: durations(removal_hours),
        }
    }
}

fn durations(hours: BTreeMap<SystemId, Vec<f64>>) -> BTreeMap<SystemId, Durations> {
    hours
        .into_iter()
        .filter_map(|(s, h)| Some((s, Durations::of(h)?)))
        .collect()
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
    ctx: &Context<'_>,
    chains: &[EventChain],
    exceptions: &[ExceptionAging],
    findings: &[Finding],
    reviews: &[CampaignReview],
    judged: &crate::checks::BesideChains,
) -> Metrics {
    let approvals = &ctx.evidence.approvals;
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
        time_to_provision: durations(provision),
        time_to_revoke: durations(revoke),
        exceptions_by_bucket,
        findings_by_check,
        approvals_by_role,
        reviews: ReviewMetrics::of(reviews),
        leaver_credentials_revoked: leaver_credentials_revoked(judged.leaver_credentials),
        credential_age: credential_age(ctx),
        emergency_reviewed: emergency_reviewed(ctx, judged.emergency),
    }
}

fn leaver_credentials_revoked(t: crate::checks::credentials::LeaverCredentials) -> Option<Share> {
    Share::of(t.in_time, t.in_time + t.late + t.not_revoked)
}

/// The ages, in hours as of the analysis time, of the credentials each system's latest
/// credential listing at or before then shows active, where the listing (`created_at`) or the
/// log dates the credential's creation or rotation (the latest at or before the listing).
fn credential_age(ctx: &Context<'_>) -> Option<Durations> {
    let latest: BTreeMap<&SystemId, Timestamp> = ctx
        .reconciled_systems()
        .filter_map(|s| Some((s, ctx.last_credential_snapshot_before(s, ctx.as_of)?)))
        .collect();
    if latest.is_empty() {
        return None;
    }
    // (system, credential lower-cased) → latest creation or rotation logged at or before
    // the listing.
    let mut created: BTreeMap<(&SystemId, String), Timestamp> = BTreeMap::new();
    for (_, x) in ctx.executions() {
        let r = &x.record;
        let Some(&listed) = latest.get(&r.system) else {
            continue;
        };
        let Some(key) = r.entitlement.as_deref() else {
            continue;
        };
        if r.outcome == Outcome::Succeeded
            && r.at <= listed
            && matches!(
                r.action,
                ProvisioningAction::CredentialCreated | ProvisioningAction::CredentialRotated
            )
        {
            let at = created
                .entry((&r.system, key.trim().to_lowercase()))
                .or_insert(r.at);
            *at = (*at).max(r.at);
        }
    }
    // One age per credential, though a listing may show it on more than one row.
    let mut ages: BTreeMap<(&SystemId, String), f64> = BTreeMap::new();
    for (_, row) in ctx.rows() {
        let r = &row.record;
        let Some(key) = r.entitlement.as_deref() else {
            continue;
        };
        if latest.get(&r.system) != Some(&r.as_of)
            || !r.status.is_present()
            || !crate::holdings::is_credential_row(ctx, r)
        {
            continue;
        }
        let k = (&r.system, key.trim().to_lowercase());
        // The later of the listing's own creation date and the log's creation or rotation.
        let born = match (created.get(&k).copied(), r.created_at) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
        if let Some(at) = born.as_ref() {
            let hours = (ctx.as_of - *at).num_seconds().max(0) as f64 / 3600.0;
            ages.insert(k, hours);
        }
    }
    Durations::of(ages.into_values().collect())
}

/// The emergency uses in the period (the register's rows, and activations the register does
/// not hold) with an independent decision within the review window, as the emergency check
/// judges them (`emergency::register`: exactly the window is in time, people resolved).
fn emergency_reviewed(ctx: &Context<'_>, t: crate::checks::emergency::Reviews) -> Option<Share> {
    ctx.policy.emergency.review_window?;
    Share::of(t.reviewed, t.uses)
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
