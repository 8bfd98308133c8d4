//! The domain fields each kind of input can fill, their types and which ones a record cannot lack.

use evidentia_domain::{
    ActivityChannel, ApproverRole, Decision, IdentityKind, LifecycleEventType, Outcome,
    ProvisioningAction, ReconciliationStatus, ReviewVerdict, Tier,
};

use super::InputKind;

/// How a field's text is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FieldType {
    /// Free text or an identifier, taken as it stands (trimmed).
    Text,
    /// A moment, read with the profile's time formats and zone.
    Time,
    /// One of a closed set of canonical names (a domain enum or a yes/no flag).
    Choice(Choice),
    /// Several values in one cell, split on the profile's `list_separator`.
    List,
    /// The exceptions register's encoded renewal history.
    Reapprovals,
}

/// The closed sets a choice field can take, each with its canonical names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Choice {
    IdentityKind,
    EventType,
    ApproverRole,
    Decision,
    Tier,
    Action,
    Outcome,
    /// The outcome of a use of an account: it happened or it was refused (never queued).
    UseOutcome,
    Channel,
    Status,
    /// A reviewer's decision on an access-review item.
    Verdict,
    Flag,
}

const USE_OUTCOMES: &[Outcome] = &[Outcome::Succeeded, Outcome::Failed];
const FLAG_TRUE: &[&str] = &["true", "yes", "y", "1", "x"];
const FLAG_FALSE: &[&str] = &["false", "no", "n", "0"];

impl Choice {
    /// The canonical name `text` denotes without any value map, if any.
    pub(crate) fn canonical(self, text: &str) -> Option<&'static str> {
        fn via<T: Copy>(parsed: Option<T>, name: fn(T) -> &'static str) -> Option<&'static str> {
            parsed.map(name)
        }
        match self {
            Choice::IdentityKind => via(IdentityKind::parse(text), IdentityKind::as_str),
            Choice::EventType => via(LifecycleEventType::parse(text), LifecycleEventType::as_str),
            Choice::ApproverRole => via(ApproverRole::parse(text), ApproverRole::as_str),
            Choice::Decision => via(Decision::parse(text), Decision::as_str),
            Choice::Tier => via(Tier::parse(text), Tier::as_str),
            Choice::Action => via(ProvisioningAction::parse(text), ProvisioningAction::as_str),
            Choice::Outcome => via(Outcome::parse(text), Outcome::as_str),
            Choice::UseOutcome => via(
                Outcome::parse(text).filter(|o| *o != Outcome::Queued),
                Outcome::as_str,
            ),
            Choice::Channel => via(ActivityChannel::parse(text), ActivityChannel::as_str),
            Choice::Status => via(
                ReconciliationStatus::parse(text),
                ReconciliationStatus::as_str,
            ),
            Choice::Verdict => via(ReviewVerdict::parse(text), ReviewVerdict::as_str),
            Choice::Flag => {
                let lower = text.trim().to_ascii_lowercase();
                if FLAG_TRUE.contains(&lower.as_str()) {
                    Some("true")
                } else if FLAG_FALSE.contains(&lower.as_str()) {
                    Some("false")
                } else {
                    None
                }
            }
        }
    }

    /// Every canonical name, for diagnostics that list what is accepted.
    pub(crate) fn names(self) -> Vec<&'static str> {
        fn all<T: Copy>(values: &[T], name: fn(T) -> &'static str) -> Vec<&'static str> {
            values.iter().map(|v| name(*v)).collect()
        }
        match self {
            Choice::IdentityKind => all(IdentityKind::ALL, IdentityKind::as_str),
            Choice::EventType => all(LifecycleEventType::ALL, LifecycleEventType::as_str),
            Choice::ApproverRole => all(ApproverRole::ALL, ApproverRole::as_str),
            Choice::Decision => all(Decision::ALL, Decision::as_str),
            Choice::Tier => all(Tier::ALL, Tier::as_str),
            Choice::Action => all(ProvisioningAction::ALL, ProvisioningAction::as_str),
            Choice::Outcome => all(Outcome::ALL, Outcome::as_str),
            Choice::UseOutcome => all(USE_OUTCOMES, Outcome::as_str),
            Choice::Channel => all(ActivityChannel::ALL, ActivityChannel::as_str),
            Choice::Status => all(ReconciliationStatus::ALL, ReconciliationStatus::as_str),
            Choice::Verdict => all(ReviewVerdict::ALL, ReviewVerdict::as_str),
            Choice::Flag => FLAG_TRUE.iter().chain(FLAG_FALSE).copied().collect(),
        }
    }
}

/// One field a kind of input can fill.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct FieldSpec {
    pub(crate) name: &'static str,
    pub(crate) ty: FieldType,
    /// The record cannot exist without it: the profile must map it or give a default.
    pub(crate) required: bool,
}

const fn f(name: &'static str, ty: FieldType, required: bool) -> FieldSpec {
    FieldSpec { name, ty, required }
}

use FieldType::{Choice as C, List, Reapprovals, Text, Time};

const EVENTS: &[FieldSpec] = &[
    f("id", Text, false),
    f("identity", Text, true),
    f("identity_kind", C(Choice::IdentityKind), true),
    f("event_type", C(Choice::EventType), true),
    f("effective_at", Time, true),
    f("display_name", Text, false),
    f("email", Text, false),
    f("role", Text, false),
    f("previous_role", Text, false),
    f("department", Text, false),
    f("manager", Text, false),
    f("location", Text, false),
    f("employment_class", Text, false),
    f("owner", Text, false),
    f("ends_at", Time, false),
    f("entitlements", List, false),
    f("aliases", List, false),
    f("credential_issued_at", Time, false),
    f("credential_id", Text, false),
    f("reason", Text, false),
];

const IDENTITIES: &[FieldSpec] = &[
    f("id", Text, true),
    f("kind", C(Choice::IdentityKind), true),
    f("display_name", Text, false),
    f("email", Text, false),
    f("owner", Text, false),
    f("manager", Text, false),
    f("department", Text, false),
    f("role", Text, false),
    f("ends_at", Time, false),
    f("aliases", List, false),
];

const APPROVALS: &[FieldSpec] = &[
    f("id", Text, true),
    f("subject", Text, true),
    f("entitlement", Text, true),
    f("system", Text, true),
    f("requester", Text, false),
    f("approver", Text, true),
    f("approver_role", C(Choice::ApproverRole), true),
    f("decision", C(Choice::Decision), true),
    f("decided_at", Time, true),
    f("tier", C(Choice::Tier), true),
    f("justification", Text, false),
    f("expires_at", Time, false),
    f("exception", C(Choice::Flag), false),
    f("removal", C(Choice::Flag), false),
];

const PROVISIONING: &[FieldSpec] = &[
    f("system", Text, true),
    f("account", Text, true),
    f("action", C(Choice::Action), true),
    f("entitlement", Text, false),
    f("actor", Text, false),
    f("at", Time, true),
    f("outcome", C(Choice::Outcome), true),
    f("failure_reason", Text, false),
    f("request_ref", Text, false),
    f("source_event_id", Text, false),
    f("source_event_type", Text, false),
];

const RECONCILIATION: &[FieldSpec] = &[
    f("system", Text, true),
    f("as_of", Time, true),
    f("account", Text, true),
    f("identity", Text, false),
    f("entitlement", Text, false),
    f("status", C(Choice::Status), true),
    f("last_used_at", Time, false),
    f("created_at", Time, false),
    f("revoked_at", Time, false),
    f("credential", C(Choice::Flag), false),
    f("entitlements", List, false),
];

const EXCEPTIONS: &[FieldSpec] = &[
    f("id", Text, true),
    f("subject", Text, false),
    f("system", Text, false),
    f("entitlement", Text, false),
    f("tier", C(Choice::Tier), true),
    f("owner", Text, false),
    f("approver", Text, false),
    f("granted_at", Time, true),
    f("expires_at", Time, false),
    f("reason", Text, false),
    f("reapprovals", Reapprovals, false),
    f("reapproved_by", Text, false),
    f("reapproved_at", Time, false),
    f("reapproved_expires", Time, false),
];

const ACTIVITY: &[FieldSpec] = &[
    f("system", Text, true),
    f("account", Text, true),
    f("at", Time, true),
    f("event_type", Text, false),
    f("outcome", C(Choice::UseOutcome), false),
    f("interactive", C(Choice::Flag), false),
    f("client", Text, false),
    f("source_event_id", Text, false),
    f("channel", C(Choice::Channel), false),
];

const WORKERS: &[FieldSpec] = &[
    f("identity", Text, true),
    f("identity_kind", C(Choice::IdentityKind), true),
    f("started_at", Time, false),
    f("ended_at", Time, false),
    f("display_name", Text, false),
    f("email", Text, false),
    f("role", Text, false),
    f("department", Text, false),
    f("manager", Text, false),
    f("location", Text, false),
    f("employment_class", Text, false),
    f("owner", Text, false),
    f("entitlements", List, false),
    f("aliases", List, false),
    f("credential_issued_at", Time, false),
    f("credential_id", Text, false),
    f("reason", Text, false),
];

const REVIEW_CAMPAIGNS: &[FieldSpec] = &[
    f("id", Text, true),
    f("name", Text, false),
    f("systems", List, false),
    f("entitlements", List, false),
    f("started_at", Time, true),
    f("due_at", Time, true),
    f("closed_at", Time, false),
];

const REVIEW_DECISIONS: &[FieldSpec] = &[
    f("campaign", Text, true),
    f("campaign_name", Text, false),
    f("campaign_systems", List, false),
    f("campaign_entitlements", List, false),
    f("campaign_started_at", Time, false),
    f("campaign_due_at", Time, false),
    f("campaign_closed_at", Time, false),
    f("item", Text, false),
    f("reviewer", Text, false),
    f("reviewer_role", C(Choice::ApproverRole), false),
    f("subject", Text, false),
    f("system", Text, true),
    f("account", Text, true),
    f("entitlement", Text, false),
    f("decision", C(Choice::Verdict), true),
    f("decided_at", Time, false),
    f("delegated_to", Text, false),
    f("assigned_to", Text, false),
    f("comment", Text, false),
];

const EMERGENCY_USES: &[FieldSpec] = &[
    f("id", Text, true),
    f("system", Text, true),
    f("account", Text, true),
    f("activated_at", Time, true),
    f("entitlement", Text, false),
    f("ticket", Text, false),
    f("request_id", Text, false),
    f("used_by", Text, false),
    f("reviewer", Text, false),
    f("review_decision", Text, false),
    f("reviewed_at", Time, false),
];

/// The fields a kind of input can fill, in documentation order.
pub(crate) fn fields(kind: InputKind) -> &'static [FieldSpec] {
    match kind {
        InputKind::Events => EVENTS,
        InputKind::Identities => IDENTITIES,
        InputKind::Approvals => APPROVALS,
        InputKind::Provisioning => PROVISIONING,
        InputKind::Reconciliation => RECONCILIATION,
        InputKind::Exceptions => EXCEPTIONS,
        InputKind::Activity => ACTIVITY,
        InputKind::Workers => WORKERS,
        InputKind::ReviewCampaigns => REVIEW_CAMPAIGNS,
        InputKind::ReviewDecisions => REVIEW_DECISIONS,
        InputKind::EmergencyUses => EMERGENCY_USES,
    }
}

/// Looks up one field of a kind by name.
pub(crate) fn field(kind: InputKind, name: &str) -> Option<FieldSpec> {
    fields(kind).iter().copied().find(|spec| spec.name == name)
}
