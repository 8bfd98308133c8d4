//! Which kinds of evidence each check needs, and which of them were imported: a control is
//! never met on evidence that was never imported (audit convention 13).

use std::collections::{BTreeMap, BTreeSet};

use evidentia_domain::{CampaignId, SystemId, Timestamp};

use crate::Context;

/// A kind of evidence, as an auditor asks for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum EvidenceKind {
    /// Joiner, mover and leaver records (HR, contractor system) or NHI lifecycle events.
    Lifecycle,
    /// The service catalog of non-human identities.
    Catalog,
    /// Approval records (tickets, IGA decisions).
    Approvals,
    /// Provisioning logs: the systems' own records of changes.
    Executions,
    /// Sign-ins, console logins, API calls, or inventories' last-used dates.
    Activity,
    /// Reconciliation or inventory snapshots.
    Reconciliation,
    /// The exceptions register (or approvals flagged as exceptions).
    Exceptions,
    /// Access-review campaigns and their reviewers' decisions.
    Reviews,
    /// The emergency-access register: JIT activations and break-glass uses, with their
    /// tickets and post-activation reviews.
    Emergency,
    /// Approvals with an expiry (time-bound access).
    TimeBound,
}

impl EvidenceKind {
    /// Every kind, in the order reports list them.
    pub const ALL: [EvidenceKind; 10] = [
        EvidenceKind::Lifecycle,
        EvidenceKind::Catalog,
        EvidenceKind::Approvals,
        EvidenceKind::Executions,
        EvidenceKind::Activity,
        EvidenceKind::Reconciliation,
        EvidenceKind::Exceptions,
        EvidenceKind::Reviews,
        EvidenceKind::Emergency,
        EvidenceKind::TimeBound,
    ];

    /// A stable name for exports.
    pub fn as_str(self) -> &'static str {
        match self {
            EvidenceKind::Lifecycle => "lifecycle",
            EvidenceKind::Catalog => "catalog",
            EvidenceKind::Approvals => "approvals",
            EvidenceKind::Executions => "provisioning",
            EvidenceKind::Activity => "activity",
            EvidenceKind::Reconciliation => "reconciliation",
            EvidenceKind::Exceptions => "exceptions",
            EvidenceKind::Reviews => "reviews",
            EvidenceKind::Emergency => "emergency",
            EvidenceKind::TimeBound => "time-bound-approvals",
        }
    }

    /// What to import, in words a user can act on.
    pub fn describe(self) -> &'static str {
        match self {
            EvidenceKind::Lifecycle => {
                "lifecycle events (HR joiners, movers, leavers; NHI catalog)"
            }
            EvidenceKind::Catalog => "the NHI service catalog",
            EvidenceKind::Approvals => "approval records (tickets, IGA decisions)",
            EvidenceKind::Executions => "provisioning logs",
            EvidenceKind::Activity => {
                "activity (sign-ins, console logins, API calls or last-used dates)"
            }
            EvidenceKind::Reconciliation => "reconciliation or inventory snapshots",
            EvidenceKind::Exceptions => "the exceptions register",
            EvidenceKind::Reviews => "access-review campaigns and their decisions",
            EvidenceKind::Emergency => {
                "the emergency-access register (JIT activations and break-glass uses, their tickets and reviews)"
            }
            EvidenceKind::TimeBound => "approvals with an expiry (time-bound access)",
        }
    }
}

/// What one check needs: every kind in `all`, and at least one of `any` (when not empty).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Needs {
    pub all: &'static [EvidenceKind],
    pub any: &'static [EvidenceKind],
}

/// How far one check could look.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckCoverage {
    /// Items it examined in the period (0 when its evidence is missing).
    pub examined: usize,
    /// The kinds of evidence it needs that were not imported.
    pub missing: Vec<EvidenceKind>,
}

impl CheckCoverage {
    /// Whether the check had the evidence it needs.
    pub fn assessed(&self) -> bool {
        self.missing.is_empty()
    }
}

/// The evidence behind an analysis: per check, and per system in scope.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Coverage {
    pub checks: BTreeMap<&'static str, CheckCoverage>,
    /// Kinds of evidence imported at all.
    pub present: BTreeSet<EvidenceKind>,
    /// Systems in scope with no reconciliation snapshot in the period (those the policy marks
    /// `reconciled` first): their drift, confirmation and held-access rest on logs alone.
    pub systems_without_snapshot: Vec<SystemId>,
    /// Systems in scope with no provisioning log at all: no removal or grant can be proven
    /// there except by snapshots.
    pub systems_without_log: Vec<SystemId>,
    /// Access-review campaigns and systems in their scope with no complete snapshot at or
    /// before the campaign's start: no established population, so coverage there is not
    /// assessed (docs/access-reviews.md).
    pub campaigns_without_population: Vec<(CampaignId, SystemId)>,
}

impl Coverage {
    /// Missing evidence of one check, in words (empty when it was assessed).
    pub fn missing_for(&self, check: &str) -> Vec<&'static str> {
        self.checks
            .get(check)
            .map(|c| c.missing.iter().map(|k| k.describe()).collect())
            .unwrap_or_default()
    }
}

/// The kinds of evidence imported, the systems without snapshots or logs, and per check the
/// items it examined (zeroed when it lacked evidence).
pub(crate) fn compute(
    ctx: &Context<'_>,
    needs: &[(&'static str, Needs)],
    examined: &BTreeMap<&'static str, usize>,
) -> Coverage {
    let evidence = ctx.evidence;
    let mut present = BTreeSet::new();
    if !evidence.events.is_empty() {
        present.insert(EvidenceKind::Lifecycle);
    }
    if evidence
        .events
        .iter()
        .any(|e| !e.record.identity_kind.is_human())
    {
        present.insert(EvidenceKind::Catalog);
    }
    if !evidence.approvals.is_empty() {
        present.insert(EvidenceKind::Approvals);
    }
    if !evidence.executions.is_empty() {
        present.insert(EvidenceKind::Executions);
    }
    if !evidence.activity.is_empty()
        || evidence
            .reconciliations
            .iter()
            .any(|r| r.record.last_used_at.is_some())
    {
        present.insert(EvidenceKind::Activity);
    }
    if !evidence.reconciliations.is_empty() {
        present.insert(EvidenceKind::Reconciliation);
    }
    if !evidence.exceptions.is_empty() {
        present.insert(EvidenceKind::Exceptions);
    }
    // A campaign nobody decided anything in is still evidence: of an incomplete review.
    if !evidence.campaigns.is_empty() {
        present.insert(EvidenceKind::Reviews);
    }
    if !evidence.emergency_uses.is_empty() {
        present.insert(EvidenceKind::Emergency);
    }
    if evidence
        .approvals
        .iter()
        .any(|a| a.record.expires_at.is_some() && !a.record.exception)
    {
        present.insert(EvidenceKind::TimeBound);
    }
    let checks = needs
        .iter()
        .map(|(check, need)| {
            let mut missing: Vec<EvidenceKind> = need
                .all
                .iter()
                .copied()
                .filter(|k| !present.contains(k))
                .collect();
            if !need.any.is_empty() && !need.any.iter().any(|k| present.contains(k)) {
                missing.extend(need.any.iter().copied());
            }
            missing.sort();
            missing.dedup();
            let examined = if missing.is_empty() {
                examined.get(check).copied().unwrap_or(0)
            } else {
                0
            };
            (*check, CheckCoverage { examined, missing })
        })
        .collect();
    let in_period = |t: Timestamp| ctx.in_period(t);
    let mut without_snapshot: Vec<(bool, SystemId)> = ctx
        .policy
        .systems
        .iter()
        .filter(|(id, _)| !ctx.snapshot_times(id).any(in_period))
        .map(|(id, s)| (!s.reconciled, id.clone()))
        .collect();
    without_snapshot.sort();
    let systems_without_log = ctx
        .policy
        .systems
        .keys()
        .filter(|id| !ctx.is_logged(id))
        .cloned()
        .collect();
    Coverage {
        checks,
        present,
        systems_without_snapshot: without_snapshot.into_iter().map(|(_, id)| id).collect(),
        systems_without_log,
        campaigns_without_population: Vec::new(),
    }
}
