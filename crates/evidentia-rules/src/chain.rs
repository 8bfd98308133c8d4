//! Linking: for each lifecycle event and each system it had to reach, the chain decision →
//! execution → confirmation, each link judged and pointing at the ledger entries behind it.

use std::collections::{BTreeMap, BTreeSet};

use chrono::TimeDelta;
use evidentia_domain::{
    IdentityId, IdentityKind, LifecycleEventType, Outcome, SystemId, Timestamp,
};

use crate::context::DAY;
use crate::holdings::Snapshot;
use crate::{Cite, Context, Stored, departure};

/// How one link of a chain stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LinkStatus {
    /// The evidence is there and on time.
    Complete,
    /// No evidence at all.
    Missing,
    /// The evidence is there, outside the SLA or after the access it should precede.
    Late,
    /// The system reports the change failed (or is still queued).
    Failed,
    /// "Ticket closed" is not proof: no later reconciliation confirms it.
    Unconfirmed,
    /// A later reconciliation shows the opposite (access that should be gone, or missing).
    Contradicted,
}

impl LinkStatus {
    /// The name exports and the UI use.
    pub fn as_str(self) -> &'static str {
        match self {
            LinkStatus::Complete => "complete",
            LinkStatus::Missing => "missing",
            LinkStatus::Late => "late",
            LinkStatus::Failed => "failed",
            LinkStatus::Unconfirmed => "unconfirmed",
            LinkStatus::Contradicted => "contradicted",
        }
    }
}

/// One link: its status, when its evidence happened, and the ledger entries behind it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub status: LinkStatus,
    pub at: Option<Timestamp>,
    pub evidence: Vec<Cite>,
    /// Why the link stands as it does, in words (who decided is in the evidence entries).
    pub note: &'static str,
}

impl Link {
    fn new(
        status: LinkStatus,
        at: Option<Timestamp>,
        evidence: Vec<Cite>,
        note: &'static str,
    ) -> Link {
        Link {
            status,
            at,
            evidence,
            note,
        }
    }
}

/// Whether an event had to add access on a system, or take it away.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Direction {
    Grant,
    Revoke,
}

/// The chain for one system an event had to reach.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SystemChain {
    pub system: SystemId,
    pub direction: Direction,
    pub account: Option<String>,
    /// When the execution was due (the SLA, where the policy sets one).
    pub deadline: Option<Timestamp>,
    pub decision: Link,
    pub execution: Link,
    pub confirmation: Link,
}

impl SystemChain {
    /// Every link complete.
    pub fn is_complete(&self) -> bool {
        [&self.decision, &self.execution, &self.confirmation]
            .iter()
            .all(|l| l.status == LinkStatus::Complete)
    }
}

/// One lifecycle event with its chain per system.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventChain {
    /// The event's entry: what a finding about the event and its population item cite.
    pub seq: u64,
    /// The event's row, when it came from a set entry (0 otherwise).
    pub row: u32,
    pub event_id: String,
    pub identity: IdentityId,
    pub identity_kind: IdentityKind,
    pub event_type: LifecycleEventType,
    pub effective_at: Timestamp,
    pub systems: Vec<SystemChain>,
}

impl EventChain {
    /// The citation of the event itself.
    pub fn cite(&self) -> Cite {
        Cite::set_row(self.seq, self.row)
    }

    /// Every link of every system complete (an event that had to reach no system is complete).
    pub fn is_complete(&self) -> bool {
        self.systems.iter().all(SystemChain::is_complete)
    }
}

/// How long after a joiner or mover event grants still count as its execution.
const GRANT_WINDOW: TimeDelta = TimeDelta::days(30);

/// Builds the chains of every lifecycle event in the period, oldest first.
pub(crate) fn chains(ctx: &Context<'_>) -> Vec<EventChain> {
    let mut events: Vec<&Stored<evidentia_domain::LifecycleEvent>> = ctx
        .evidence
        .events
        .iter()
        .filter(|e| ctx.in_period(e.record.effective_at))
        .collect();
    events.sort_by_key(|e| (e.record.effective_at, e.seq));
    events
        .into_iter()
        .map(|stored| {
            let e = &stored.record;
            let systems = if e.event_type.is_departure() {
                // A departure reaches the systems where something was held, judged once.
                departure::systems_of(ctx, &e.identity)
                    .into_iter()
                    .filter_map(|system| {
                        let outcome = departure::judge(ctx, &e.identity, e.effective_at, system)?;
                        Some(departure_chain(
                            system.clone(),
                            authority_link(stored),
                            &outcome,
                        ))
                    })
                    .collect()
            } else {
                reach(ctx, e)
                    .into_iter()
                    .map(|(system, direction)| match direction {
                        Direction::Grant => grant_chain(ctx, stored, system),
                        Direction::Revoke => revoke_chain(ctx, stored, system),
                    })
                    .collect()
            };
            EventChain {
                seq: stored.seq,
                row: stored.row,
                event_id: e.id.to_string(),
                identity: e.identity.clone(),
                identity_kind: e.identity_kind,
                event_type: e.event_type,
                effective_at: e.effective_at,
                systems,
            }
        })
        .collect()
}

/// The decision link of an event that removes access: the authoritative event itself.
fn authority_link(event: &Stored<evidentia_domain::LifecycleEvent>) -> Link {
    Link::new(
        LinkStatus::Complete,
        Some(event.record.effective_at),
        vec![event.cite()],
        "the authoritative event is the decision",
    )
}

/// The systems a joiner, mover or NHI creation had to reach, and in which direction.
fn reach(ctx: &Context<'_>, e: &evidentia_domain::LifecycleEvent) -> BTreeMap<SystemId, Direction> {
    let mut out = BTreeMap::new();
    let profile_systems = |role: &str| -> BTreeSet<SystemId> {
        let profile = if role == evidentia_policy::ANY {
            ctx.policy.profiles.get(role)
        } else {
            ctx.policy.profile(role)
        };
        profile
            .map(|p| p.entitlements.keys().cloned().collect())
            .unwrap_or_default()
    };
    match e.event_type {
        LifecycleEventType::Joiner => {
            let everyone = profile_systems(evidentia_policy::ANY);
            let own = e
                .attributes
                .role
                .as_deref()
                .map(profile_systems)
                .unwrap_or_default();
            for s in everyone.into_iter().chain(own) {
                out.insert(s, Direction::Grant);
            }
        }
        LifecycleEventType::NhiCreated => {
            if let Some(s) = &e.attributes.location {
                out.insert(SystemId::new(s.as_str()), Direction::Grant);
            }
        }
        LifecycleEventType::Mover => {
            let (old, new) = (
                e.attributes
                    .previous_role
                    .as_deref()
                    .map(profile_systems)
                    .unwrap_or_default(),
                e.attributes
                    .role
                    .as_deref()
                    .map(profile_systems)
                    .unwrap_or_default(),
            );
            for s in old.difference(&new) {
                out.insert(s.clone(), Direction::Revoke);
            }
            for s in new.difference(&old) {
                out.insert(s.clone(), Direction::Grant);
            }
        }
        // Departures are chained from their judgement in `chains`.
        LifecycleEventType::Leaver
        | LifecycleEventType::NhiRetired
        | LifecycleEventType::NhiOwnerChanged => {}
    }
    out.retain(|s, _| ctx.policy.systems.contains_key(s));
    out
}

fn grant_chain(
    ctx: &Context<'_>,
    event: &Stored<evidentia_domain::LifecycleEvent>,
    system: SystemId,
) -> SystemChain {
    let (id, t) = (&event.record.identity, event.record.effective_at);
    let adds: Vec<_> = ctx
        .executions_of(id)
        .filter(|(_, x)| {
            let r = &x.record;
            r.system == system
                && r.action.adds_access()
                && r.at >= t - DAY
                && r.at <= t + GRANT_WINDOW
        })
        .map(|(_, x)| x)
        .collect();
    let first_ok = adds
        .iter()
        .filter(|x| x.record.outcome == Outcome::Succeeded)
        .min_by_key(|x| x.record.at);
    let deadline = ctx
        .policy
        .systems
        .get(&system)
        .and_then(|s| s.provisioning_deadline())
        .map(|d| t + d);
    let execution = match first_ok {
        Some(x) if deadline.is_some_and(|d| x.record.at > d) => Link::new(
            LinkStatus::Late,
            Some(x.record.at),
            vec![x.cite()],
            "granted after the provisioning SLA",
        ),
        Some(x) => Link::new(
            LinkStatus::Complete,
            Some(x.record.at),
            vec![x.cite()],
            x.record.action.as_str(),
        ),
        None if !adds.is_empty() => Link::new(
            LinkStatus::Failed,
            adds.first().map(|x| x.record.at),
            adds.iter().map(|x| x.cite()).collect(),
            "the system reports the grant failed or still queued",
        ),
        None => Link::new(
            LinkStatus::Missing,
            None,
            vec![],
            "no grant in the system's own log",
        ),
    };
    let account = first_ok.map(|x| x.record.account.clone());
    // Birthright needs no ticket (convention 1): the role profile, or for an NHI its catalog
    // entry, makes the authoritative event itself the decision.
    let decision = Link::new(
        LinkStatus::Complete,
        Some(t),
        vec![event.cite()],
        if event.record.identity_kind.is_human() {
            "birthright of the role profile: the authoritative event is the decision"
        } else {
            "the service catalog entry is the decision"
        },
    );
    let confirmation = match first_ok {
        None => Link::new(
            LinkStatus::Unconfirmed,
            None,
            vec![],
            "nothing executed to confirm",
        ),
        Some(x) => confirm(ctx, id, &system, x.record.at, Direction::Grant),
    };
    SystemChain {
        system,
        direction: Direction::Grant,
        account: account.map(Into::into),
        deadline,
        decision,
        execution,
        confirmation,
    }
}

/// A mover's chain in a system only the old role had: removal within the transition window.
fn revoke_chain(
    ctx: &Context<'_>,
    event: &Stored<evidentia_domain::LifecycleEvent>,
    system: SystemId,
) -> SystemChain {
    let (id, t) = (&event.record.identity, event.record.effective_at);
    let decision = authority_link(event);
    let removals: Vec<_> = ctx
        .executions_of(id)
        .filter(|(_, x)| {
            let r = &x.record;
            r.system == system && r.action.removes_access() && r.at >= t - DAY
        })
        .map(|(_, x)| x)
        .collect();
    let last_ok = removals
        .iter()
        .filter(|x| x.record.outcome == Outcome::Succeeded)
        .max_by_key(|x| x.record.at);
    let deadline = Some(t + ctx.policy.movers.transition_window.as_delta());
    let execution = match last_ok {
        Some(x) if deadline.is_some_and(|d| x.record.at > d) => Link::new(
            LinkStatus::Late,
            Some(x.record.at),
            vec![x.cite()],
            "revoked after the deadline",
        ),
        Some(x) => Link::new(
            LinkStatus::Complete,
            Some(x.record.at),
            vec![x.cite()],
            x.record.action.as_str(),
        ),
        None if !removals.is_empty() => Link::new(
            LinkStatus::Failed,
            removals.first().map(|x| x.record.at),
            removals.iter().map(|x| x.cite()).collect(),
            "the system reports the revocation failed or still queued",
        ),
        None => Link::new(
            LinkStatus::Missing,
            None,
            vec![],
            "no revocation in the system's own log",
        ),
    };
    let account = last_ok.map(|x| x.record.account.clone());
    let confirmation = confirm(
        ctx,
        id,
        &system,
        last_ok.map_or(t, |x| x.record.at),
        Direction::Revoke,
    );
    SystemChain {
        system,
        direction: Direction::Revoke,
        account: account.map(Into::into),
        deadline,
        decision,
        execution,
        confirmation,
    }
}

/// A leaver's or retirement's chain in one system, from the same judgement the leaver checks
/// make: the full removal against the deadline, and the system's next snapshot.
fn departure_chain(
    system: SystemId,
    decision: Link,
    outcome: &departure::Outcome<'_>,
) -> SystemChain {
    use departure::Verdict;
    let execution = match (outcome.removal, outcome.verdict) {
        (Some(x), Verdict::Late) => Link::new(
            LinkStatus::Late,
            Some(x.record.at),
            vec![x.cite()],
            "access fully removed after the deadline",
        ),
        (Some(x), _) => Link::new(
            LinkStatus::Complete,
            Some(x.record.at),
            vec![x.cite()],
            "access fully removed",
        ),
        (None, _) if !outcome.attempts.is_empty() => Link::new(
            LinkStatus::Failed,
            outcome.attempts.first().map(|x| x.record.at),
            outcome.attempts.iter().map(|x| x.cite()).collect(),
            "the system reports the removal failed or still queued",
        ),
        (None, Verdict::RemovedUnlogged { .. }) => Link::new(
            LinkStatus::Missing,
            None,
            vec![],
            "gone by the next snapshot, but no removal in the system's own log",
        ),
        (None, _) => Link::new(
            LinkStatus::Missing,
            None,
            vec![],
            "no removal in the system's own log",
        ),
    };
    let confirmation = match outcome.confirmation {
        Some(Snapshot::Lacks { at }) => Link::new(
            LinkStatus::Complete,
            Some(at),
            vec![],
            "the next reconciliation shows no access",
        ),
        Some(Snapshot::Shows { at, row }) => Link::new(
            LinkStatus::Contradicted,
            Some(at),
            vec![row],
            "the next reconciliation still shows the access",
        ),
        None => Link::new(
            LinkStatus::Unconfirmed,
            None,
            vec![],
            "no reconciliation of this system since",
        ),
    };
    SystemChain {
        system,
        direction: Direction::Revoke,
        account: Some(outcome.account.clone()),
        deadline: Some(outcome.deadline),
        decision,
        execution,
        confirmation,
    }
}

/// The first snapshot at or after `after`: does the system agree?
fn confirm(
    ctx: &Context<'_>,
    id: &IdentityId,
    system: &SystemId,
    after: Timestamp,
    direction: Direction,
) -> Link {
    // The account's presence or absence is the question: a listing of accounts answers it.
    let Some(snapshot) = ctx.first_snapshot_covering_from(system, after, crate::authority::ACCOUNT)
    else {
        return Link::new(
            LinkStatus::Unconfirmed,
            None,
            vec![],
            "no reconciliation since",
        );
    };
    let mut rows: Vec<Cite> = ctx
        .rows_of(id)
        .filter(|(_, r)| {
            r.record.as_of == snapshot && ctx.present(&r.record) && &r.record.system == system
        })
        .map(|(_, r)| r.cite())
        .collect();
    // Each row once (an inventory's rows share their set's entry, and are cited by row).
    rows.sort_unstable();
    rows.dedup();
    match (direction, rows.is_empty()) {
        (Direction::Grant, false) | (Direction::Revoke, true) => Link::new(
            LinkStatus::Complete,
            Some(snapshot),
            rows,
            "the next reconciliation agrees",
        ),
        (Direction::Grant, true) => Link::new(
            LinkStatus::Contradicted,
            Some(snapshot),
            vec![],
            "the next reconciliation does not show the access",
        ),
        (Direction::Revoke, false) => Link::new(
            LinkStatus::Contradicted,
            Some(snapshot),
            rows,
            "the next reconciliation still shows the access",
        ),
    }
}
