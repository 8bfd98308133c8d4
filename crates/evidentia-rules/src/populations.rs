//! Audit populations: the named sets of items an auditor samples (every leaver in the period,
//! every privileged grant, …), each item's tested attributes with the entries behind them, and
//! the seeded selection an auditor can redo with a short script (docs/audit-samples.md).
//!
//! Attributes are not a second judgement: an attribute fails exactly when a finding of its
//! check belongs to the item (it cites the item's own entries), so a workpaper can never
//! disagree with the findings. What the population adds is the items that passed, with the
//! entries that show why, and those an attribute does not apply to.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

use evidentia_domain::{
    IdentityId, IdentityKind, LifecycleEventType, Outcome, ReviewVerdict, SystemId, Tier, Timestamp,
};
use sha2::{Digest, Sha256};

use crate::checks::{approvals, exceptions as exc, lifecycle, nhi, reviews as rev};
use crate::context::is_credential_change;
use crate::{
    Analysis, Cite, Context, Direction, EventChain, Finding, LinkStatus, RevokeStatus, authority,
};

/// One attribute an auditor tests on every item of a population.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttributeDef {
    /// Short, stable id: a workpaper column.
    pub id: &'static str,
    pub title: &'static str,
    /// The checks whose findings make it fail.
    pub checks: &'static [&'static str],
}

/// A named population: what it holds, where it comes from, what is tested on each item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PopulationDef {
    pub name: &'static str,
    pub title: &'static str,
    pub definition: &'static str,
    /// The ledger kinds and policy entries the items are read from.
    pub source: &'static str,
    pub attributes: &'static [AttributeDef],
}

const APPROVAL: AttributeDef = AttributeDef {
    id: "approval",
    title: "Authorised: birthright, catalog, an approved request or a valid exception",
    checks: &[approvals::GRANT_WITHOUT_APPROVAL],
};
const APPROVED_BEFORE: AttributeDef = AttributeDef {
    id: "approved-before",
    title: "Approved at or before the access was granted",
    checks: &[approvals::ACCESS_BEFORE_APPROVAL],
};
const INDEPENDENT: AttributeDef = AttributeDef {
    id: "independent",
    title: "Approver is not the subject, the requester or (privileged) the executor",
    checks: &[approvals::SELF_APPROVAL],
};
const SECURITY: AttributeDef = AttributeDef {
    id: "security-approval",
    title: "Privileged access approved by every role its tier requires",
    checks: &[approvals::PRIVILEGED_WITHOUT_SECURITY],
};
const EXECUTED: AttributeDef = AttributeDef {
    id: "executed",
    title: "Carried out: no failed or queued change left unconfirmed",
    checks: &[crate::checks::access::EXECUTION_FAILED_UNCONFIRMED],
};
const OLD_ACCESS: AttributeDef = AttributeDef {
    id: "old-access-removed",
    title: "Old-role access removed within the transition window",
    checks: &[lifecycle::MOVER_RETAINED_ACCESS],
};
const REMOVED: AttributeDef = AttributeDef {
    id: "removed",
    title: "Access removed in every system where it was held (and not contradicted by the next snapshot)",
    checks: &[lifecycle::LEAVER_NOT_REVOKED],
};
const WITHIN_SLA: AttributeDef = AttributeDef {
    id: "within-sla",
    title: "Removed within each system's revocation SLA",
    checks: &[lifecycle::LEAVER_REVOKED_LATE],
};
const NO_USE: AttributeDef = AttributeDef {
    id: "no-use-after",
    title: "No use of the access after the leave time",
    checks: &[lifecycle::ACTIVITY_AFTER_TERMINATION],
};
const OWNER: AttributeDef = AttributeDef {
    id: "owner",
    title: "The exception has an owner",
    checks: &[exc::NO_OWNER],
};
const EXPIRY: AttributeDef = AttributeDef {
    id: "expiry",
    title: "The exception has an expiry",
    checks: &[exc::NO_EXPIRY],
};
const DURATION: AttributeDef = AttributeDef {
    id: "duration",
    title: "Each record's duration within the policy's maximum for its tier",
    checks: &[exc::TOO_LONG],
};
const ENDED: AttributeDef = AttributeDef {
    id: "ended",
    title: "Access gone once the exception expired",
    checks: &[exc::EXPIRED_ACTIVE],
};
const REVOKE_EXECUTED: AttributeDef = AttributeDef {
    id: "executed",
    title: "The revoke reached the system (its log, or a later snapshot without the item)",
    checks: &[rev::REVOKE_NOT_EXECUTED],
};
const REVOKE_SLA: AttributeDef = AttributeDef {
    id: "within-sla",
    title: "Removed within the review revoke SLA",
    checks: &[rev::REVOKE_LATE],
};
const REVOKE_CONFIRMED: AttributeDef = AttributeDef {
    id: "confirmed",
    title: "The system's next snapshot does not contradict the removal",
    checks: &[rev::REVOKE_CONTRADICTED],
};
const REVIEWER_INDEPENDENT: AttributeDef = AttributeDef {
    id: "independent",
    title: "Reviewer is not the holder (nor delegated by them)",
    checks: &[rev::SELF_REVIEW],
};
const REVIEWER_ROLE: AttributeDef = AttributeDef {
    id: "reviewer-role",
    title: "Privileged access reviewed by a role the policy makes responsible",
    checks: &[rev::PRIVILEGED_REVIEWER],
};
const NOT_HUMAN_USE: AttributeDef = AttributeDef {
    id: "not-interactive",
    title: "A non-human identity's change was not made interactively",
    checks: &[nhi::HUMAN_USE],
};

const GRANT_ATTRIBUTES: &[AttributeDef] = &[APPROVAL, APPROVED_BEFORE, INDEPENDENT, SECURITY];

/// Every population, in the order they are listed.
pub const POPULATIONS: &[PopulationDef] = &[
    PopulationDef {
        name: "joiners",
        title: "Joiners",
        definition: "Every joiner event of a person effective in the period, with the grants that carried it out in each system of the role's profile (up to 30 days after).",
        source: "record.lifecycle_event (event_type joiner, people); record.execution; the policy's access profiles",
        attributes: &[APPROVAL, APPROVED_BEFORE, INDEPENDENT, SECURITY, EXECUTED],
    },
    PopulationDef {
        name: "movers",
        title: "Movers",
        definition: "Every mover event effective in the period, with the grants of the new role and the removals of the old one in each system.",
        source: "record.lifecycle_event (event_type mover); record.execution; the policy's access profiles and mover transition window",
        attributes: &[
            APPROVAL,
            APPROVED_BEFORE,
            INDEPENDENT,
            SECURITY,
            EXECUTED,
            OLD_ACCESS,
        ],
    },
    PopulationDef {
        name: "leavers",
        title: "Leavers",
        definition: "Every leaver event of a person effective in the period, with each system where access was held at the leave time.",
        source: "record.lifecycle_event (event_type leaver); record.execution; record.reconciliation_set; record.activity_summary; the policy's revocation SLAs",
        attributes: &[REMOVED, WITHIN_SLA, NO_USE],
    },
    PopulationDef {
        name: "nhi-created",
        title: "Non-human identities created",
        definition: "Every nhi_created event effective in the period, with the grants that carried it out in each system its catalog entry or kind profile lists.",
        source: "record.lifecycle_event (event_type nhi_created); record.execution; the service catalog and the policy's profiles",
        attributes: &[APPROVAL, APPROVED_BEFORE, INDEPENDENT, SECURITY, EXECUTED],
    },
    PopulationDef {
        name: "nhi-retired",
        title: "Non-human identities retired",
        definition: "Every nhi_retired event effective in the period, with each system where the identity held access at the retirement.",
        source: "record.lifecycle_event (event_type nhi_retired); record.execution; record.reconciliation_set; record.activity_summary; the policy's revocation SLAs",
        attributes: &[REMOVED, WITHIN_SLA, NO_USE],
    },
    PopulationDef {
        name: "privileged-grants",
        title: "Privileged grants",
        definition: "Every succeeded execution in the period that added access the policy classifies as privileged, to an account of a known identity (credential events and deny policies excluded).",
        source: "record.execution (create_account, grant, enable); the policy's [tiers] privileged list",
        attributes: GRANT_ATTRIBUTES,
    },
    PopulationDef {
        name: "grants-outside-birthright",
        title: "Grants outside birthright",
        definition: "Every succeeded execution in the period that added access to an account of a known identity which neither the identity's role profile at that time nor its catalog entry grants: the grants that need an approved request or an exception (credential events and deny policies excluded).",
        source: "record.execution (create_account, grant, enable); record.identity and role history; the policy's access profiles and the service catalog",
        attributes: GRANT_ATTRIBUTES,
    },
    PopulationDef {
        name: "exceptions",
        title: "Exceptions",
        definition: "Every exception record in the register, renewals included in their record.",
        source: "record.exception; the policy's [exceptions] limits",
        attributes: &[OWNER, EXPIRY, DURATION, ENDED],
    },
    PopulationDef {
        name: "review-revokes",
        title: "Access-review revoke decisions",
        definition: "Every effective revoke or modify decision of an access-review campaign judged in the period, followed to the system's removal and its next snapshot.",
        source: "record.review_campaign; record.review_decision (revoke, modify); record.execution; record.reconciliation_set; the policy's [reviews] revoke_sla",
        attributes: &[
            REVOKE_EXECUTED,
            REVOKE_SLA,
            REVOKE_CONFIRMED,
            REVIEWER_INDEPENDENT,
            REVIEWER_ROLE,
        ],
    },
    PopulationDef {
        name: "credential-rotations",
        title: "Credential changes",
        definition: "Every credential event in the period on an account of a known identity: a key, token, certificate or secret created, rotated, deactivated, reactivated or deleted.",
        source: "record.execution (credential_created, credential_rotated, credential_deactivated, credential_reactivated, credential_deleted)",
        attributes: &[EXECUTED, NOT_HUMAN_USE],
    },
];

/// The population named `name`.
pub fn population_def(name: &str) -> Option<&'static PopulationDef> {
    POPULATIONS.iter().find(|p| p.name == name)
}

/// One item of a population.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PopulationItem {
    /// The record the item is (its event, execution, exception or decision): an entry, or a
    /// row of a set entry, so two executions of one set are two items.
    pub cite: Cite,
    /// What kind of item: the event type, the action, `exception`, or the verdict.
    pub kind: &'static str,
    pub identity: Option<IdentityId>,
    pub identity_kind: Option<IdentityKind>,
    /// The system, for items about one system.
    pub system: Option<SystemId>,
    pub account: Option<String>,
    pub entitlement: Option<String>,
    /// The exception's or campaign's id, for items that have one.
    pub reference: Option<String>,
    /// When it happened (effective, executed, granted, decided).
    pub at: Timestamp,
    /// The systems an event had to reach.
    pub systems: Vec<SystemId>,
    /// Entries besides its own that a finding about this item may cite: for an event, the
    /// executions that carried it out.
    anchors: Vec<Cite>,
    /// Evidence showing a passed attribute, per attribute id (the item's own when absent).
    support: BTreeMap<&'static str, Vec<Cite>>,
    /// Attributes that do not apply, with the reason.
    inapplicable: BTreeMap<&'static str, Cow<'static, str>>,
    /// For an execution, its position in the evidence (to look up its requests when sampled).
    execution: Option<usize>,
}

impl PopulationItem {
    /// What the seed ranks: the item's entry number in decimal (with `:row` for a row of a
    /// set entry, [`Cite::key`]).
    pub fn key(&self) -> String {
        self.cite.key()
    }

    /// The item's stratum for `by`.
    pub fn stratum(&self, by: Stratify) -> String {
        match by {
            Stratify::System => self
                .system
                .as_ref()
                .map_or_else(|| "(no system)".to_owned(), |s| s.as_str().to_owned()),
            Stratify::Kind => self.kind.to_owned(),
        }
    }
}

/// One population drawn from one analysis.
#[derive(Debug, Clone)]
pub struct Population {
    pub def: &'static PopulationDef,
    /// In ascending entry order.
    pub items: Vec<PopulationItem>,
}

impl Population {
    /// SHA-256 of every item key followed by a newline, in population order: what a workpaper
    /// names, so an auditor holding the population list can check it is the one sampled.
    pub fn digest(&self) -> String {
        let mut h = Sha256::new();
        for item in &self.items {
            h.update(item.key().as_bytes());
            h.update(b"\n");
        }
        hex::encode(h.finalize())
    }
}

/// How an attribute stands for one item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AttributeOutcome {
    Pass,
    Fail,
    NotApplicable,
}

impl AttributeOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            AttributeOutcome::Pass => "pass",
            AttributeOutcome::Fail => "fail",
            AttributeOutcome::NotApplicable => "n/a",
        }
    }
}

/// One attribute of one item, with the entries behind it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttributeResult {
    pub def: AttributeDef,
    pub outcome: AttributeOutcome,
    /// Ascending: the failing findings' evidence, or what shows the pass.
    pub evidence: Vec<Cite>,
    /// Why, in words: the findings' summaries, or what was seen.
    pub note: String,
    /// The findings that make it fail (their index in `Analysis::findings`).
    pub findings: Vec<usize>,
}

/// Builds the population `def` from the evidence and the analysis made of it (same policy and
/// `as_of`: the analysis's chains, reviews and exceptions are reused, not judged again).
/// Grants' supporting entries are left to [`build_and_draw`].
pub fn build(def: &'static PopulationDef, ctx: &Context<'_>, analysis: &Analysis) -> Population {
    let mut items = match def.name {
        "joiners" => events(analysis, |c| {
            c.event_type == LifecycleEventType::Joiner && c.identity_kind.is_human()
        }),
        "movers" => events(analysis, |c| c.event_type == LifecycleEventType::Mover),
        "leavers" => events(analysis, |c| {
            c.event_type == LifecycleEventType::Leaver && c.identity_kind.is_human()
        }),
        "nhi-created" => events(analysis, |c| c.event_type == LifecycleEventType::NhiCreated),
        "nhi-retired" => events(analysis, |c| c.event_type == LifecycleEventType::NhiRetired),
        "exceptions" => exception_items(analysis, ctx.as_of),
        "review-revokes" => revoke_items(analysis),
        "privileged-grants" | "grants-outside-birthright" | "credential-rotations" => {
            executions(ctx, analysis, def.name)
        }
        _ => Vec::new(),
    };
    // Executions arrive in entry order already (a sorted run costs one pass); events and
    // revokes do not.
    items.sort_by_key(|i| i.cite);
    items.dedup_by_key(|i| i.cite);
    Population { def, items }
}

/// Draws a sample from the population `def` and completes the sampled items' supporting
/// entries (for grants, the requests matched to them: looked up for the sample only, since
/// matching every grant of a large population would cost more than the whole draw).
pub fn build_and_draw(
    def: &'static PopulationDef,
    ctx: &Context<'_>,
    analysis: &Analysis,
    size: usize,
    seed: &str,
    stratify: Option<Stratify>,
) -> (Population, Vec<usize>) {
    let mut population = build(def, ctx, analysis);
    let chosen = draw(&population.items, size, seed, stratify);
    if def.attributes == GRANT_ATTRIBUTES {
        for &c in &chosen {
            let item = &mut population.items[c];
            let Some(i) = item.execution else {
                continue;
            };
            let (Some(subject), x) = (ctx.subject(i), &ctx.evidence.executions[i].record) else {
                continue;
            };
            let mut rows: Vec<Cite> = authority::requests_for(ctx, subject, x)
                .requests()
                .iter()
                .flat_map(|r| r.rows.iter().map(|a| a.cite()))
                .collect();
            rows.push(item.cite);
            let rows = sorted(rows);
            for a in GRANT_ATTRIBUTES {
                item.support.insert(a.id, rows.clone());
            }
        }
    }
    (population, chosen)
}

fn events(analysis: &Analysis, keep: impl Fn(&EventChain) -> bool) -> Vec<PopulationItem> {
    analysis
        .chains
        .iter()
        .filter(|c| keep(c))
        .map(|c| {
            let departure = c.event_type.is_departure();
            let mut anchors = vec![c.cite()];
            let mut decisions = vec![c.cite()];
            let mut executions = Vec::new();
            let mut removals = Vec::new();
            let mut confirmations = Vec::new();
            let mut granted = false;
            for s in &c.systems {
                decisions.extend(&s.decision.evidence);
                executions.extend(&s.execution.evidence);
                confirmations.extend(&s.confirmation.evidence);
                if !departure {
                    anchors.extend(&s.execution.evidence);
                }
                match s.direction {
                    Direction::Grant => {
                        granted |= !s.execution.evidence.is_empty();
                    }
                    Direction::Revoke => removals.extend(&s.execution.evidence),
                }
            }
            let mut support: BTreeMap<&'static str, Vec<Cite>> = BTreeMap::new();
            let mut inapplicable = BTreeMap::new();
            if departure {
                let mut shown = executions.clone();
                shown.extend(&confirmations);
                shown.push(c.cite());
                support.insert(REMOVED.id, shown.clone());
                support.insert(WITHIN_SLA.id, shown);
                support.insert(NO_USE.id, vec![c.cite()]);
                if c.systems.is_empty() {
                    let why = "no access was held anywhere at the leave time";
                    inapplicable.insert(REMOVED.id, why.into());
                    inapplicable.insert(WITHIN_SLA.id, why.into());
                }
                if c.systems
                    .iter()
                    .all(|s| s.execution.status == LinkStatus::Missing)
                    && !c.systems.is_empty()
                {
                    inapplicable.insert(
                        WITHIN_SLA.id,
                        "no removal in any log: its time is unknown".into(),
                    );
                }
            } else {
                for a in [APPROVAL, APPROVED_BEFORE, INDEPENDENT, SECURITY] {
                    support.insert(a.id, decisions.clone());
                }
                let mut shown = executions.clone();
                shown.extend(&confirmations);
                support.insert(EXECUTED.id, shown);
                support.insert(OLD_ACCESS.id, {
                    let mut r = removals.clone();
                    r.push(c.cite());
                    r
                });
                if !granted {
                    let why = "no grant was logged for this event: nothing to approve";
                    for a in [APPROVAL, APPROVED_BEFORE, INDEPENDENT, SECURITY] {
                        inapplicable.insert(a.id, why.into());
                    }
                }
                if executions.is_empty() {
                    inapplicable.insert(EXECUTED.id, "no change was logged for this event".into());
                }
                if !c.systems.iter().any(|s| s.direction == Direction::Revoke) {
                    inapplicable.insert(
                        OLD_ACCESS.id,
                        "the old role held nothing the new one does not".into(),
                    );
                }
            }
            PopulationItem {
                cite: c.cite(),
                kind: c.event_type.as_str(),
                identity: Some(c.identity.clone()),
                identity_kind: Some(c.identity_kind),
                system: None,
                account: None,
                entitlement: None,
                reference: Some(c.event_id.clone()),
                at: c.effective_at,
                systems: c.systems.iter().map(|s| s.system.clone()).collect(),
                anchors: sorted(anchors),
                support: support.into_iter().map(|(k, v)| (k, sorted(v))).collect(),
                inapplicable,
                execution: None,
            }
        })
        .collect()
}

fn executions(ctx: &Context<'_>, analysis: &Analysis, name: &str) -> Vec<PopulationItem> {
    let mut out = Vec::new();
    for (i, stored) in ctx.executions() {
        let x = &stored.record;
        if !ctx.in_period(x.at) {
            continue;
        }
        let Some(subject) = ctx.subject(i) else {
            continue;
        };
        let credential = is_credential_change(x.action);
        let item = authority::item(x.entitlement.as_deref());
        let kind = ctx.identity_kinds().get(subject).copied();
        // Allocation-free unless something is inapplicable: populations run to a million.
        let mut inapplicable: BTreeMap<&'static str, Cow<'static, str>> = BTreeMap::new();
        match name {
            "credential-rotations" => {
                if !credential {
                    continue;
                }
                if kind.is_none_or(IdentityKind::is_human) {
                    inapplicable.insert(
                        NOT_HUMAN_USE.id,
                        Cow::Borrowed("the identity is a person, not a non-human identity"),
                    );
                }
            }
            _ => {
                if x.outcome != Outcome::Succeeded
                    || !x.action.adds_access()
                    || credential
                    || ctx.is_deny(&x.system, item)
                {
                    continue;
                }
                let tier = ctx.policy.tiers.classify(&x.system, item);
                if name == "privileged-grants" && tier != Tier::Privileged {
                    continue;
                }
                // The approval checks decided it once, under the same filters as here.
                let birthright = analysis
                    .birthright_grants
                    .binary_search(&stored.cite())
                    .is_ok();
                if name == "grants-outside-birthright" && birthright {
                    continue;
                }
                // What shows a pass (the requests matched to the grant) is looked up for the
                // sampled items only: `support_grants`.
                if birthright {
                    let why = "birthright: the role's profile grants it, no request needed";
                    for a in [APPROVED_BEFORE, INDEPENDENT, SECURITY] {
                        inapplicable.insert(a.id, Cow::Borrowed(why));
                    }
                } else if crate::checks::emergency::is_preapproved_activation(ctx, x) {
                    let why = "a just-in-time activation: no request of its own; the emergency \
                               checks judge its review and duration";
                    for a in [APPROVED_BEFORE, INDEPENDENT, SECURITY] {
                        inapplicable.insert(a.id, Cow::Borrowed(why));
                    }
                } else if tier != Tier::Privileged {
                    let why = match tier {
                        Tier::Elevated => "not privileged (tier elevated)",
                        _ => "not privileged (tier standard)",
                    };
                    inapplicable.insert(SECURITY.id, Cow::Borrowed(why));
                }
            }
        }
        out.push(PopulationItem {
            cite: stored.cite(),
            kind: x.action.as_str(),
            identity: Some(subject.clone()),
            identity_kind: kind,
            system: Some(x.system.clone()),
            account: Some(x.account.to_string()),
            entitlement: x.entitlement.as_deref().map(str::to_owned),
            reference: x.request_ref.as_deref().map(str::to_owned),
            at: x.at,
            systems: Vec::new(),
            anchors: Vec::new(),
            support: BTreeMap::new(),
            inapplicable,
            execution: Some(i),
        });
    }
    out
}

fn exception_items(analysis: &Analysis, as_of: Timestamp) -> Vec<PopulationItem> {
    analysis
        .exceptions
        .iter()
        .map(|e| {
            let mut inapplicable = BTreeMap::new();
            match e.expires_at {
                None => {
                    let why = "no expiry: see the expiry attribute";
                    inapplicable.insert(DURATION.id, why.into());
                    inapplicable.insert(ENDED.id, why.into());
                }
                Some(t) if t >= as_of => {
                    inapplicable.insert(
                        ENDED.id,
                        format!("not expired by {}", as_of.format("%Y-%m-%d")).into(),
                    );
                }
                Some(_) => {}
            }
            let support = [OWNER, EXPIRY, DURATION, ENDED]
                .iter()
                .map(|a| (a.id, vec![e.cite()]))
                .collect();
            PopulationItem {
                cite: e.cite(),
                kind: "exception",
                identity: e.subject.clone(),
                identity_kind: None,
                system: e.system.clone(),
                account: None,
                entitlement: e.entitlement.clone(),
                reference: Some(e.id.to_string()),
                at: e.granted_at,
                systems: e.system.iter().cloned().collect(),
                anchors: vec![e.cite()],
                support,
                inapplicable,
                execution: None,
            }
        })
        .collect()
}

fn revoke_items(analysis: &Analysis) -> Vec<PopulationItem> {
    let mut out = Vec::new();
    for campaign in &analysis.reviews {
        for r in &campaign.revokes {
            let mut shown = vec![r.decision, campaign.cite()];
            shown.extend(r.removal.map(|(seq, _)| seq));
            shown.extend(r.confirmation.map(|(_, _, seq)| seq));
            let mut support: BTreeMap<&'static str, Vec<Cite>> = BTreeMap::new();
            for a in [REVOKE_EXECUTED, REVOKE_SLA, REVOKE_CONFIRMED] {
                support.insert(a.id, shown.clone());
            }
            for a in [REVIEWER_INDEPENDENT, REVIEWER_ROLE] {
                support.insert(a.id, vec![r.decision]);
            }
            let mut inapplicable = BTreeMap::new();
            match r.status {
                RevokeStatus::NotYetDue => {
                    let due = format!("due {}, after the analysis", r.deadline.format("%Y-%m-%d"));
                    for a in [REVOKE_EXECUTED, REVOKE_SLA, REVOKE_CONFIRMED] {
                        inapplicable.insert(a.id, due.clone().into());
                    }
                }
                RevokeStatus::NotExecuted => {
                    let why = "not executed: see the executed attribute";
                    inapplicable.insert(REVOKE_SLA.id, why.into());
                    inapplicable.insert(REVOKE_CONFIRMED.id, why.into());
                }
                RevokeStatus::RemovedUnlogged => {
                    inapplicable.insert(
                        REVOKE_SLA.id,
                        "removed without a log entry: its time is unknown".into(),
                    );
                }
                RevokeStatus::OnTime | RevokeStatus::Late if r.confirmation.is_none() => {
                    inapplicable.insert(
                        REVOKE_CONFIRMED.id,
                        "no snapshot of the system after the removal".into(),
                    );
                }
                _ => {}
            }
            out.push(PopulationItem {
                cite: r.decision,
                kind: match r.verdict {
                    ReviewVerdict::Modify => "modify",
                    _ => "revoke",
                },
                identity: r.identity.clone(),
                identity_kind: None,
                system: Some(r.system.clone()),
                account: Some(r.account.clone()),
                entitlement: r.entitlement.clone(),
                reference: Some(campaign.campaign.to_string()),
                at: r.decided_at,
                systems: vec![r.system.clone()],
                anchors: vec![r.decision],
                support: support.into_iter().map(|(k, v)| (k, sorted(v))).collect(),
                inapplicable,
                execution: None,
            });
        }
    }
    out
}

fn sorted(mut v: Vec<Cite>) -> Vec<Cite> {
    v.sort_unstable();
    v.dedup();
    v
}

/// Findings by what they cite (entry and row) and by exception, so an item's findings are
/// found without a scan per item.
#[derive(Debug)]
pub struct FindingIndex<'a> {
    findings: &'a [Finding],
    by_cite: BTreeMap<Cite, Vec<usize>>,
    by_exception: BTreeMap<&'a str, Vec<usize>>,
}

impl<'a> FindingIndex<'a> {
    pub fn new(findings: &'a [Finding]) -> Self {
        let mut by_cite: BTreeMap<Cite, Vec<usize>> = BTreeMap::new();
        let mut by_exception: BTreeMap<&'a str, Vec<usize>> = BTreeMap::new();
        for (i, f) in findings.iter().enumerate() {
            for &cite in &f.evidence {
                by_cite.entry(cite).or_default().push(i);
            }
            if let Some(e) = &f.exception {
                by_exception.entry(e.as_str()).or_default().push(i);
            }
        }
        FindingIndex {
            findings,
            by_cite,
            by_exception,
        }
    }

    /// The findings of `checks` that belong to `item`: about its exception, or citing it or
    /// one of its anchors (the same entry and row: another row of its set is another record)
    /// and about its identity (or about no identity).
    fn of(&self, item: &PopulationItem, checks: &[&str]) -> Vec<usize> {
        let mut out: BTreeSet<usize> = BTreeSet::new();
        if item.kind == "exception" {
            if let Some(id) = &item.reference {
                out.extend(self.by_exception.get(id.as_str()).into_iter().flatten());
            }
        } else {
            for cite in std::iter::once(&item.cite).chain(&item.anchors) {
                out.extend(self.by_cite.get(cite).into_iter().flatten());
            }
        }
        out.into_iter()
            .filter(|&i| {
                let f = &self.findings[i];
                checks.contains(&f.check)
                    && (item.kind == "exception"
                        || f.identity.is_none()
                        || f.identity == item.identity)
            })
            .collect()
    }
}

/// Every attribute of one item: fail when a finding of its checks belongs to it; else not
/// applicable when the item has nothing to test or the evidence the check needs was not
/// imported; else pass, citing the entries that show it.
pub fn attributes(
    def: &PopulationDef,
    item: &PopulationItem,
    analysis: &Analysis,
    index: &FindingIndex<'_>,
) -> Vec<AttributeResult> {
    def.attributes
        .iter()
        .map(|a| {
            let found = index.of(item, a.checks);
            if !found.is_empty() {
                let evidence = sorted(
                    found
                        .iter()
                        .flat_map(|&i| index.findings[i].evidence.iter().copied())
                        .collect(),
                );
                let note = found
                    .iter()
                    .map(|&i| {
                        let f = &index.findings[i];
                        format!("{}: {}", f.check, f.summary)
                    })
                    .collect::<Vec<_>>()
                    .join("; ");
                return AttributeResult {
                    def: *a,
                    outcome: AttributeOutcome::Fail,
                    evidence,
                    note,
                    findings: found,
                };
            }
            let missing: Vec<&'static str> = a
                .checks
                .iter()
                .flat_map(|c| analysis.coverage.missing_for(c))
                .collect();
            let not_applicable = |note: String| AttributeResult {
                def: *a,
                outcome: AttributeOutcome::NotApplicable,
                evidence: Vec::new(),
                note,
                findings: Vec::new(),
            };
            if let Some(why) = item.inapplicable.get(a.id) {
                return not_applicable(why.to_string());
            }
            if !missing.is_empty() {
                return not_applicable(format!("not assessed: no {} imported", missing.join(", ")));
            }
            AttributeResult {
                def: *a,
                outcome: AttributeOutcome::Pass,
                evidence: item
                    .support
                    .get(a.id)
                    .cloned()
                    .unwrap_or_else(|| vec![item.cite]),
                note: format!("no {} finding", a.checks.join(" or ")),
                findings: Vec::new(),
            }
        })
        .collect()
}

/// What strata a stratified sample is drawn from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stratify {
    System,
    Kind,
}

impl Stratify {
    pub fn as_str(self) -> &'static str {
        match self {
            Stratify::System => "system",
            Stratify::Kind => "kind",
        }
    }
}

/// How often a control operates, and the sample size the documented table gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Frequency {
    Annual,
    Quarterly,
    Monthly,
    Weekly,
    Daily,
}

impl Frequency {
    pub const ALL: [Frequency; 5] = [
        Frequency::Annual,
        Frequency::Quarterly,
        Frequency::Monthly,
        Frequency::Weekly,
        Frequency::Daily,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Frequency::Annual => "annual",
            Frequency::Quarterly => "quarterly",
            Frequency::Monthly => "monthly",
            Frequency::Weekly => "weekly",
            Frequency::Daily => "daily",
        }
    }

    pub fn parse(text: &str) -> Option<Frequency> {
        Frequency::ALL.into_iter().find(|f| f.as_str() == text)
    }

    /// The table in docs/audit-samples.md (the usual minimums for a control operating at
    /// that frequency; a population smaller than it is tested whole).
    pub fn size(self) -> usize {
        match self {
            Frequency::Annual => 1,
            Frequency::Quarterly => 2,
            Frequency::Monthly => 2,
            Frequency::Weekly => 5,
            Frequency::Daily => 25,
        }
    }
}

/// `SHA-256(seed ‖ 0x00 ‖ key)` in lowercase hex: an item's rank under a seed.
pub fn rank(seed: &str, key: &str) -> String {
    hex::encode(rank_bytes(seed, key))
}

fn rank_bytes(seed: &str, key: &str) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(seed.as_bytes());
    h.update([0u8]);
    h.update(key.as_bytes());
    h.finalize().into()
}

/// The positions in `items` of a sample of `size` drawn with `seed`, in rank order: the
/// `size` lowest ranks; with strata, each stratum's share by largest remainder
/// (docs/audit-samples.md). `size` must not exceed the population.
pub fn draw(
    items: &[PopulationItem],
    size: usize,
    seed: &str,
    stratify: Option<Stratify>,
) -> Vec<usize> {
    // Raw digests compare as their hex does; only the lowest `size` need sorting when the
    // sample is not stratified.
    let mut ranked: Vec<([u8; 32], Cite, usize)> = items
        .iter()
        .enumerate()
        .map(|(i, item)| (rank_bytes(seed, &item.key()), item.cite, i))
        .collect();
    let size = size.min(items.len());
    let Some(by) = stratify else {
        if size > 0 && size < ranked.len() {
            ranked.select_nth_unstable(size - 1);
            ranked.truncate(size);
        }
        ranked.sort_unstable();
        return ranked.into_iter().take(size).map(|(_, _, i)| i).collect();
    };
    ranked.sort_unstable();
    let mut strata: BTreeMap<String, usize> = BTreeMap::new();
    for item in items {
        *strata.entry(item.stratum(by)).or_default() += 1;
    }
    let quota = allocate(&strata, size);
    let mut taken: BTreeMap<String, usize> = BTreeMap::new();
    ranked
        .into_iter()
        .filter(|(_, _, i)| {
            let s = items[*i].stratum(by);
            let n = taken.entry(s.clone()).or_default();
            if *n < quota.get(&s).copied().unwrap_or(0) {
                *n += 1;
                true
            } else {
                false
            }
        })
        .map(|(_, _, i)| i)
        .collect()
}

/// Each stratum's share of `size`: `size · n_s / N` rounded down, the units left over going
/// to the largest remainders (ties to the stratum named first).
pub fn allocate(strata: &BTreeMap<String, usize>, size: usize) -> BTreeMap<String, usize> {
    let total: usize = strata.values().sum();
    if total == 0 {
        return BTreeMap::new();
    }
    let mut quota: BTreeMap<String, usize> = BTreeMap::new();
    let mut remainders: Vec<(usize, &String)> = Vec::new();
    for (name, &n) in strata {
        quota.insert(name.clone(), size * n / total);
        remainders.push((size * n % total, name));
    }
    let given: usize = quota.values().sum();
    // Largest remainder first; among equals, the stratum whose name sorts first.
    remainders.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
    for (_, name) in remainders.into_iter().take(size - given) {
        if let Some(q) = quota.get_mut(name) {
            *q += 1;
        }
    }
    quota
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strata(pairs: &[(&str, usize)]) -> BTreeMap<String, usize> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect()
    }

    #[test]
    fn shares_by_largest_remainder() {
        let q = allocate(&strata(&[("a", 10), ("b", 5), ("c", 1)]), 5);
        // 5·10/16 = 3.125, 5·5/16 = 1.5625, 5·1/16 = 0.3125 → 3, 1, 0 and one left for b.
        assert_eq!(q, strata(&[("a", 3), ("b", 2), ("c", 0)]));
        let even = allocate(&strata(&[("x", 1), ("y", 1)]), 1);
        assert_eq!(even, strata(&[("x", 1), ("y", 0)]));
        assert_eq!(allocate(&strata(&[("a", 3)]), 3), strata(&[("a", 3)]));
    }

    #[test]
    fn rank_is_sha256_of_seed_nul_key() {
        // printf 'audit-2025\0001234' | sha256sum
        assert_eq!(
            rank("audit-2025", "1234"),
            hex::encode(Sha256::digest(b"audit-2025\x001234"))
        );
    }

    #[test]
    fn every_frequency_parses_back() {
        for f in Frequency::ALL {
            assert_eq!(Frequency::parse(f.as_str()), Some(f));
        }
        assert_eq!(Frequency::parse("hourly"), None);
    }
}
