//! What every check needs to know, computed once: who each identity is, whose each account
//! is, and the approvals and executions indexed by subject.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use evidentia_domain::{
    Approval, Decision, Execution, IdentityId, IdentityKind, LifecycleEventType, SystemId,
    Timestamp,
};
use evidentia_policy::{Correlator, IdentityFacts, Policy};

use crate::{Evidence, Stored};

/// One identity as the authoritative sources describe it over time.
#[derive(Debug, Clone)]
pub struct IdentityInfo {
    pub kind: IdentityKind,
    /// The accountable owner now (the latest owner an event or roster named).
    pub owner: Option<IdentityId>,
    /// When the owner was last set, and by which entry.
    pub owner_since: Option<(Timestamp, u64)>,
    /// The first creation/joiner event: (time, seq).
    pub started: Option<(Timestamp, u64)>,
    /// The departure (leaver / NHI retired): (time, seq).
    pub left: Option<(Timestamp, u64)>,
    /// Every lifecycle event's entry, in order.
    pub events: Vec<u64>,
    /// For an NHI, the system it lives in (the service catalog's System column, which the
    /// `nhi-catalog` profile reads into the event's location).
    pub home_system: Option<SystemId>,
}

/// Shared, read-only state for the checks.
#[derive(Debug)]
pub struct Context<'a> {
    pub evidence: &'a Evidence,
    pub policy: &'a Policy,
    pub as_of: Timestamp,
    pub identities: BTreeMap<IdentityId, IdentityInfo>,
    correlator: Correlator<'a>,
    owners: HashMap<(SystemId, String), Option<IdentityId>>,
    /// Each identity's accounts per system, as the systems spell them.
    accounts: BTreeMap<(IdentityId, SystemId), BTreeSet<String>>,
    approvals_by_subject: BTreeMap<IdentityId, Vec<&'a Stored<Approval>>>,
}

impl<'a> Context<'a> {
    /// Indexes the evidence once.
    pub fn new(evidence: &'a Evidence, policy: &'a Policy, as_of: Timestamp) -> Self {
        let mut identities: BTreeMap<IdentityId, IdentityInfo> = BTreeMap::new();
        let mut facts = Vec::new();
        for stored in &evidence.identities {
            let i = &stored.record;
            facts.push(IdentityFacts::from(i));
            let info = identities
                .entry(i.id.clone())
                .or_insert_with(|| IdentityInfo::new(i.kind));
            info.kind = i.kind;
            if i.owner.is_some() {
                info.owner = i.owner.clone();
            }
        }
        let mut events: Vec<&Stored<evidentia_domain::LifecycleEvent>> =
            evidence.events.iter().collect();
        // Effective time decides the story, not import order.
        events.sort_by_key(|e| (e.record.effective_at, e.seq));
        for stored in events {
            let e = &stored.record;
            facts.push(IdentityFacts::from(e));
            let info = identities
                .entry(e.identity.clone())
                .or_insert_with(|| IdentityInfo::new(e.identity_kind));
            info.kind = e.identity_kind;
            info.events.push(stored.seq);
            let at = (e.effective_at, stored.seq);
            match e.event_type {
                LifecycleEventType::Joiner | LifecycleEventType::NhiCreated => {
                    info.started.get_or_insert(at);
                    // A rehire or re-creation after a departure reopens the identity.
                    info.left = None;
                }
                LifecycleEventType::Leaver | LifecycleEventType::NhiRetired => info.left = Some(at),
                LifecycleEventType::Mover | LifecycleEventType::NhiOwnerChanged => {}
            }
            if !e.identity_kind.is_human() {
                if let Some(location) = &e.attributes.location {
                    info.home_system = Some(SystemId::new(location.as_str()));
                }
            }
            if let Some(owner) = &e.attributes.owner {
                if info.owner.as_ref() != Some(owner) {
                    info.owner = Some(owner.clone());
                    info.owner_since = Some(at);
                }
            }
        }
        let correlator = Correlator::new(policy, facts);
        let mut owners = HashMap::new();
        let accounts = evidence
            .executions
            .iter()
            .map(|x| (&x.record.system, &x.record.account))
            .chain(
                evidence
                    .reconciliations
                    .iter()
                    .map(|r| (&r.record.system, &r.record.account)),
            );
        let mut by_identity: BTreeMap<(IdentityId, SystemId), BTreeSet<String>> = BTreeMap::new();
        for (system, account) in accounts {
            let key = (system.clone(), account.to_lowercase());
            let owner = owners
                .entry(key)
                .or_insert_with(|| correlator.correlate(system, account).identity);
            if let Some(id) = owner {
                by_identity
                    .entry((id.clone(), system.clone()))
                    .or_default()
                    .insert(account.clone());
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
            as_of,
            identities,
            correlator,
            owners,
            accounts: by_identity,
            approvals_by_subject,
        }
    }

    /// The identity a system account belongs to, when correlation found exactly one.
    pub fn owner_of(&self, system: &SystemId, account: &str) -> Option<&IdentityId> {
        self.owners
            .get(&(system.clone(), account.to_lowercase()))
            .and_then(Option::as_ref)
    }

    /// The identity's account on a system (the first by name when it has several).
    pub fn account_of(&self, identity: &IdentityId, system: &SystemId) -> Option<&str> {
        self.accounts
            .get(&(identity.clone(), system.clone()))
            .and_then(|set| set.iter().next())
            .map(String::as_str)
    }

    /// Whether correlation ever ran for this account (it appears in the evidence).
    pub fn is_known_account(&self, system: &SystemId, account: &str) -> bool {
        self.owners
            .contains_key(&(system.clone(), account.to_lowercase()))
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

    /// The identity an execution's actor is, when correlation can tell (actors need not
    /// appear as accounts anywhere else, so they are correlated on demand).
    pub fn actor_identity(&self, execution: &Execution) -> Option<IdentityId> {
        let actor = execution.actor.as_deref()?;
        match self.owner_of(&execution.system, actor) {
            Some(id) => Some(id.clone()),
            None => self.correlator.correlate(&execution.system, actor).identity,
        }
    }
}

impl IdentityInfo {
    fn new(kind: IdentityKind) -> Self {
        IdentityInfo {
            kind,
            owner: None,
            owner_since: None,
            started: None,
            left: None,
            events: Vec::new(),
            home_system: None,
        }
    }
}
