//! What every check needs to know, computed once: who each identity is over time, whose each
//! account and credential is, and the month-end snapshots.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::TimeDelta;
use evidentia_domain::{
    Approval, Decision, Execution, IdentityId, IdentityKind, LifecycleEventType,
    ProvisioningAction, ReconciliationRecord, SystemId, Timestamp,
};
use evidentia_policy::{Correlation, CorrelationRule, Correlator, IdentityFacts, Policy};

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
    /// Correlation of each distinct account per system, computed once; nested so lookups
    /// borrow the account name instead of allocating a key.
    correlations: HashMap<SystemId, HashMap<String, Correlation>>,
    /// Who each execution is about (index-aligned with `evidence.executions`).
    exec_subjects: Vec<Option<IdentityId>>,
    /// Executions by the identity they are about, by the identity of their actor, and by
    /// (system, account): the indexes that keep every check linear in the evidence.
    by_subject: HashMap<IdentityId, Vec<usize>>,
    by_actor: HashMap<IdentityId, Vec<usize>>,
    by_account: HashMap<SystemId, HashMap<String, Vec<usize>>>,
    /// Reconciliation rows by the identity they are about.
    rows_by_owner_all: HashMap<IdentityId, Vec<usize>>,
    /// Lifecycle events by identity, in effective-time order.
    events_by_identity: HashMap<IdentityId, Vec<usize>>,
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
        // Correlate each distinct account once: a million executions touch a few thousand.
        type Cache = HashMap<SystemId, HashMap<String, Correlation>>;
        let mut correlations: Cache = HashMap::new();
        let cache = &mut correlations;
        // Correlates once per distinct account; lookups borrow the name, no key allocation.
        let correlate =
            |cache: &mut Cache, system: &SystemId, account: &str| -> Option<IdentityId> {
                let per_system = match cache.get_mut(system) {
                    Some(m) => m,
                    None => cache.entry(system.clone()).or_default(),
                };
                if let Some(c) = per_system.get(account) {
                    return c.identity.clone();
                }
                let c = correlator.correlate(system, account);
                let identity = c.identity.clone();
                per_system.insert(account.to_owned(), c);
                identity
            };
        let credential_owner = |cache: &mut Cache, system: &SystemId, credential: Option<&str>| {
            let credential = credential?;
            correlate(cache, system, credential);
            let c = cache.get(system)?.get(credential)?;
            if c.rule == CorrelationRule::Explicit {
                c.identity.clone()
            } else {
                None
            }
        };
        let mut exec_subjects = Vec::with_capacity(evidence.executions.len());
        for x in &evidence.executions {
            let x = &x.record;
            // A credential change belongs to the credential's NHI when the policy maps the
            // credential id explicitly; otherwise to the account's identity.
            let by_credential = if is_credential_change(x.action) {
                credential_owner(cache, &x.system, x.entitlement.as_deref())
            } else {
                None
            };
            exec_subjects.push(by_credential.or_else(|| correlate(cache, &x.system, &x.account)));
        }
        let mut row_owners = Vec::with_capacity(evidence.reconciliations.len());
        for r in &evidence.reconciliations {
            let r = &r.record;
            let owner = credential_owner(cache, &r.system, r.entitlement.as_deref())
                .or_else(|| correlate(cache, &r.system, &r.account));
            row_owners.push(owner);
        }
        let mut by_subject: HashMap<IdentityId, Vec<usize>> = HashMap::new();
        let mut by_actor: HashMap<IdentityId, Vec<usize>> = HashMap::new();
        let mut by_account: HashMap<SystemId, HashMap<String, Vec<usize>>> = HashMap::new();
        for (i, x) in evidence.executions.iter().enumerate() {
            let x = &x.record;
            if let Some(subject) = &exec_subjects[i] {
                match by_subject.get_mut(subject) {
                    Some(list) => list.push(i),
                    None => {
                        by_subject.insert(subject.clone(), vec![i]);
                    }
                }
            }
            if let Some(actor) = x
                .actor
                .as_deref()
                .and_then(|a| correlate(cache, &x.system, a))
            {
                by_actor.entry(actor).or_default().push(i);
            }
            let per_system = match by_account.get_mut(&x.system) {
                Some(m) => m,
                None => by_account.entry(x.system.clone()).or_default(),
            };
            match per_system.get_mut(x.account.as_str()) {
                Some(list) => list.push(i),
                None => {
                    per_system.insert(x.account.clone(), vec![i]);
                }
            }
        }
        let mut rows_by_owner_all: HashMap<IdentityId, Vec<usize>> = HashMap::new();
        for (i, owner) in row_owners.iter().enumerate() {
            if let Some(owner) = owner {
                rows_by_owner_all.entry(owner.clone()).or_default().push(i);
            }
        }
        let mut events_by_identity: HashMap<IdentityId, Vec<usize>> = HashMap::new();
        let mut order: Vec<usize> = (0..evidence.events.len()).collect();
        order.sort_by_key(|&i| {
            (
                evidence.events[i].record.effective_at,
                evidence.events[i].seq,
            )
        });
        for i in order {
            events_by_identity
                .entry(evidence.events[i].record.identity.clone())
                .or_default()
                .push(i);
        }
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
            correlations,
            kinds,
            departed,
            roles,
            owner_history,
            home,
            exec_subjects,
            by_subject,
            by_actor,
            by_account,
            rows_by_owner_all,
            events_by_identity,
            row_owners,
            snapshots,
            approvals_by_subject,
        }
    }

    /// Whether a moment falls inside the period checked.
    pub fn in_period(&self, t: Timestamp) -> bool {
        t >= self.period_start && t < self.as_of
    }

    /// How an account correlates (cached for every account in the evidence).
    fn correlation(&self, system: &SystemId, account: &str) -> std::borrow::Cow<'_, Correlation> {
        match self.correlations.get(system).and_then(|m| m.get(account)) {
            Some(c) => std::borrow::Cow::Borrowed(c),
            None => std::borrow::Cow::Owned(self.correlator.correlate(system, account)),
        }
    }

    /// The identity an account belongs to, by correlation alone.
    pub fn owner_of(&self, system: &SystemId, account: &str) -> Option<IdentityId> {
        self.correlation(system, account).identity.clone()
    }

    /// Whether correlation found nothing at all for an account (not ignored, not ambiguous).
    pub(crate) fn is_orphan(&self, system: &SystemId, account: &str) -> bool {
        self.correlation(system, account).rule == CorrelationRule::None
    }

    /// Executions about an identity, in ledger order.
    pub(crate) fn executions_of(
        &self,
        id: &IdentityId,
    ) -> impl Iterator<Item = (usize, &'a Stored<Execution>)> + '_ {
        let evidence = self.evidence;
        self.by_subject
            .get(id)
            .into_iter()
            .flatten()
            .map(move |&i| (i, &evidence.executions[i]))
    }

    /// Executions performed by an identity (its actor correlates to it), in ledger order.
    pub(crate) fn executions_by(
        &self,
        id: &IdentityId,
    ) -> impl Iterator<Item = &'a Stored<Execution>> + '_ {
        let evidence = self.evidence;
        self.by_actor
            .get(id)
            .into_iter()
            .flatten()
            .map(move |&i| &evidence.executions[i])
    }

    /// Executions on one account of one system, in ledger order.
    pub(crate) fn executions_on(
        &self,
        system: &SystemId,
        account: &str,
    ) -> impl Iterator<Item = &'a Stored<Execution>> + '_ {
        let evidence = self.evidence;
        self.by_account
            .get(system)
            .and_then(|m| m.get(account))
            .into_iter()
            .flatten()
            .map(move |&i| &evidence.executions[i])
    }

    /// Reconciliation rows about an identity (every snapshot), in ledger order.
    pub(crate) fn rows_of(
        &self,
        id: &IdentityId,
    ) -> impl Iterator<Item = (usize, &'a Stored<ReconciliationRecord>)> + '_ {
        let evidence = self.evidence;
        self.rows_by_owner_all
            .get(id)
            .into_iter()
            .flatten()
            .map(move |&i| (i, &evidence.reconciliations[i]))
    }

    /// An identity's lifecycle events, in effective-time order.
    pub(crate) fn events_of(
        &self,
        id: &IdentityId,
    ) -> impl Iterator<Item = &'a Stored<evidentia_domain::LifecycleEvent>> + '_ {
        let evidence = self.evidence;
        self.events_by_identity
            .get(id)
            .into_iter()
            .flatten()
            .map(move |&i| &evidence.events[i])
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
