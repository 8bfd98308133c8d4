//! What every check needs to know, computed once: who each identity is over time, whose each
//! account and credential is, and the month-end snapshots.

use std::collections::{BTreeMap, BTreeSet};

use chrono::TimeDelta;
use evidentia_domain::{
    Approval, Decision, Execution, IdentityId, IdentityKind, LifecycleEventType,
    ProvisioningAction, ReconciliationRecord, SystemId, Timestamp,
};
use evidentia_policy::{CorrelationRule, Correlator, IdentityFacts, Policy};

use crate::{Evidence, Stored};

/// Changes to credentials name the credential (key id, token id) as their entitlement.
pub(crate) fn is_credential_change(action: ProvisioningAction) -> bool {
    matches!(
        action,
        ProvisioningAction::CredentialCreated
            | ProvisioningAction::CredentialRotated
            | ProvisioningAction::CredentialDeactivated
            | ProvisioningAction::CredentialDeleted
    )
}

/// One day, the tolerance the checks give to "at the same time" across systems.
pub(crate) const DAY: TimeDelta = TimeDelta::days(1);

/// Shared, read-only state for the checks.
#[derive(Debug)]
pub struct Context<'a> {
    pub evidence: &'a Evidence,
    pub policy: &'a Policy,
    /// The period checked: `[period_start, as_of)`. Credentials age, and exceptions expire,
    /// relative to `as_of`.
    pub period_start: Timestamp,
    pub as_of: Timestamp,
    pub(crate) correlator: Correlator<'a>,
    /// Each identity's kind, as its authoritative source last said.
    pub(crate) kinds: BTreeMap<IdentityId, IdentityKind>,
    /// The last departure (leaver, NHI retired) of each identity: (effective time, entry).
    pub(crate) departed: BTreeMap<IdentityId, (Timestamp, u64)>,
    /// Role (job code) changes over time, oldest first.
    roles: BTreeMap<IdentityId, Vec<(Timestamp, String)>>,
    /// For NHIs, the owner each non-retirement event named: (time, owner, entry).
    pub(crate) owner_history: BTreeMap<IdentityId, Vec<(Timestamp, Option<IdentityId>, u64)>>,
    /// For NHIs, the system the service catalog says it lives in.
    pub(crate) home: BTreeMap<IdentityId, SystemId>,
    /// Who each execution is about (index-aligned with `evidence.executions`).
    exec_subjects: Vec<Option<IdentityId>>,
    /// Who each reconciliation row is about (index-aligned with `evidence.reconciliations`).
    row_owners: Vec<Option<IdentityId>>,
    /// Snapshot times, and the present rows of each (indexes into `evidence.reconciliations`).
    snapshots: BTreeMap<Timestamp, Vec<usize>>,
    approvals_by_subject: BTreeMap<IdentityId, Vec<&'a Stored<Approval>>>,
}

impl<'a> Context<'a> {
    /// Indexes the evidence once.
    pub fn new(evidence: &'a Evidence, policy: &'a Policy, as_of: Timestamp) -> Self {
        let period_start = policy
            .organisation
            .period_start
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map_or(Timestamp::MIN_UTC, |t| t.and_utc());
        let mut facts: Vec<IdentityFacts> = evidence
            .identities
            .iter()
            .map(|i| IdentityFacts::from(&i.record))
            .collect();
        let mut kinds = BTreeMap::new();
        for i in &evidence.identities {
            kinds.insert(i.record.id.clone(), i.record.kind);
        }
        let mut departed = BTreeMap::new();
        let mut roles: BTreeMap<IdentityId, Vec<(Timestamp, String)>> = BTreeMap::new();
        let mut owner_history: BTreeMap<IdentityId, Vec<(Timestamp, Option<IdentityId>, u64)>> =
            BTreeMap::new();
        let mut home = BTreeMap::new();
        let mut events: Vec<_> = evidence.events.iter().collect();
        // Effective time tells the story, not the order files were imported in.
        events.sort_by_key(|e| (e.record.effective_at, e.seq));
        for stored in events {
            let e = &stored.record;
            facts.push(IdentityFacts::from(e));
            let id = &e.identity;
            kinds.insert(id.clone(), e.identity_kind);
            if e.event_type.is_departure() {
                departed.insert(id.clone(), (e.effective_at, stored.seq));
            }
            if let Some(role) = &e.attributes.role {
                roles
                    .entry(id.clone())
                    .or_default()
                    .push((e.effective_at, role.clone()));
            }
            if !e.identity_kind.is_human() {
                if e.event_type != LifecycleEventType::NhiRetired {
                    owner_history.entry(id.clone()).or_default().push((
                        e.effective_at,
                        e.attributes.owner.clone(),
                        stored.seq,
                    ));
                }
                if let Some(location) = &e.attributes.location {
                    home.entry(id.clone())
                        .or_insert_with(|| SystemId::new(location.as_str()));
                }
            }
        }
        let correlator = Correlator::new(policy, facts);
        let credential_owner = |system: &SystemId, credential: Option<&str>| {
            let c = correlator.correlate(system, credential?);
            (c.rule == CorrelationRule::Explicit)
                .then_some(c.identity)
                .flatten()
        };
        let exec_subjects = evidence
            .executions
            .iter()
            .map(|x| {
                let x = &x.record;
                // A credential change belongs to the credential's NHI when the policy maps
                // the credential id explicitly; otherwise to the account's identity.
                is_credential_change(x.action)
                    .then(|| credential_owner(&x.system, x.entitlement.as_deref()))
                    .flatten()
                    .or_else(|| correlator.correlate(&x.system, &x.account).identity)
            })
            .collect();
        let row_owners = evidence
            .reconciliations
            .iter()
            .map(|r| {
                let r = &r.record;
                credential_owner(&r.system, r.entitlement.as_deref())
                    .or_else(|| correlator.correlate(&r.system, &r.account).identity)
            })
            .collect();
        let mut snapshots: BTreeMap<Timestamp, Vec<usize>> = BTreeMap::new();
        for (i, r) in evidence.reconciliations.iter().enumerate() {
            let rows = snapshots.entry(r.record.as_of).or_default();
            if r.record.status.is_present() {
                rows.push(i);
            }
        }
        let mut approvals_by_subject: BTreeMap<IdentityId, Vec<&Stored<Approval>>> =
            BTreeMap::new();
        for a in &evidence.approvals {
            approvals_by_subject
                .entry(a.record.subject.clone())
                .or_default()
                .push(a);
        }
        Context {
            evidence,
            policy,
            period_start,
            as_of,
            correlator,
            kinds,
            departed,
            roles,
            owner_history,
            home,
            exec_subjects,
            row_owners,
            snapshots,
            approvals_by_subject,
        }
    }

    /// Whether a moment falls inside the period checked.
    pub fn in_period(&self, t: Timestamp) -> bool {
        t >= self.period_start && t < self.as_of
    }

    /// The identity an account belongs to, by correlation alone.
    pub fn owner_of(&self, system: &SystemId, account: &str) -> Option<IdentityId> {
        self.correlator.correlate(system, account).identity
    }

    /// Whether correlation found nothing at all for an account (not ignored, not ambiguous).
    pub(crate) fn is_orphan(&self, system: &SystemId, account: &str) -> bool {
        self.correlator.correlate(system, account).rule == CorrelationRule::None
    }

    /// The identity execution `i` is about (credential-aware).
    pub(crate) fn subject(&self, i: usize) -> Option<&IdentityId> {
        self.exec_subjects.get(i).and_then(Option::as_ref)
    }

    /// The identity reconciliation row `i` is about (credential-aware).
    pub(crate) fn row_owner(&self, i: usize) -> Option<&IdentityId> {
        self.row_owners.get(i).and_then(Option::as_ref)
    }

    /// Executions with their index, in ledger order.
    pub(crate) fn executions(&self) -> impl Iterator<Item = (usize, &'a Stored<Execution>)> {
        self.evidence.executions.iter().enumerate()
    }

    /// Reconciliation rows with their index, in ledger order.
    pub(crate) fn rows(&self) -> impl Iterator<Item = (usize, &'a Stored<ReconciliationRecord>)> {
        self.evidence.reconciliations.iter().enumerate()
    }

    /// Snapshot times, oldest first.
    pub(crate) fn snapshot_times(&self) -> impl Iterator<Item = Timestamp> + '_ {
        self.snapshots.keys().copied()
    }

    /// The latest snapshot at or before `t`.
    pub(crate) fn last_snapshot_before(&self, t: Timestamp) -> Option<Timestamp> {
        self.snapshots.range(..=t).next_back().map(|(at, _)| *at)
    }

    /// The present rows of the snapshot taken at `at` (indexes into the reconciliations).
    pub(crate) fn present_rows(&self, at: Timestamp) -> &[usize] {
        self.snapshots.get(&at).map_or(&[], Vec::as_slice)
    }

    /// The role an identity had at `t` (its first known role if `t` is earlier).
    pub(crate) fn role_at(&self, id: &IdentityId, t: Timestamp) -> Option<&str> {
        let history = self.roles.get(id)?;
        history
            .iter()
            .rev()
            .find(|(at, _)| *at <= t)
            .or(history.first())
            .map(|(_, r)| r.as_str())
    }

    /// Approved decisions about `subject`'s access to `entitlement` on `system`.
    pub fn approvals_for(
        &self,
        subject: &IdentityId,
        system: &SystemId,
        entitlement: &str,
    ) -> Vec<&'a Stored<Approval>> {
        self.approvals_by_subject
            .get(subject)
            .map(|list| {
                list.iter()
                    .copied()
                    .filter(|a| {
                        a.record.decision == Decision::Approved
                            && &a.record.system == system
                            && a.record.entitlement.eq_ignore_ascii_case(entitlement)
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Every approval about `subject` (any decision).
    pub(crate) fn approvals_of(&self, subject: &IdentityId) -> &[&'a Stored<Approval>] {
        self.approvals_by_subject
            .get(subject)
            .map_or(&[], Vec::as_slice)
    }

    /// The identity an execution's actor is, when correlation can tell.
    pub fn actor_identity(&self, execution: &Execution) -> Option<IdentityId> {
        self.owner_of(&execution.system, execution.actor.as_deref()?)
    }

    /// The identities that appear anywhere, with their kinds.
    pub(crate) fn identity_kinds(&self) -> &BTreeMap<IdentityId, IdentityKind> {
        &self.kinds
    }

    /// Which identities a set of rows belongs to, grouped (used by snapshot-wide checks).
    pub(crate) fn rows_by_owner(&self, rows: &[usize]) -> BTreeMap<&IdentityId, Vec<usize>> {
        let mut by: BTreeMap<&IdentityId, Vec<usize>> = BTreeMap::new();
        for &i in rows {
            if let Some(owner) = self.row_owner(i) {
                by.entry(owner).or_default().push(i);
            }
        }
        by
    }
}

/// Distinct values in order, for evidence lists.
pub(crate) fn sorted<T: Ord>(items: impl IntoIterator<Item = T>) -> Vec<T> {
    items
        .into_iter()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect()
}
