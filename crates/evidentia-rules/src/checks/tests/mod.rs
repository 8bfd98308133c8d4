//! Table-driven tests of every check against evidence-samples/README.md "Check semantics":
//! shared builders here, one file per family, each case its own small world.

mod access;
mod approvals;
mod citations;
mod conventions;
mod credentials;
mod emergency;
mod exceptions;
mod lifecycle;
mod metrics;
mod nhi;
mod reviews;

use chrono::{TimeDelta, TimeZone, Utc};
use evidentia_domain::*;
use evidentia_policy::Policy;

use crate::{Evidence, Stored, analyze};

/// A policy just big enough for every check: an event-driven system with a 4h SLA, a batch
/// system (24h SLA + 24h batch), one SoD pair, a 7-day mover window and NHI settings.
const POLICY: &str = r#"format = "evidentia-policy/1"
[organisation]
name = "T"
period_start = 2025-01-01

[systems.okta]
criticality = "critical"
revocation_sla = "4h"
deny_entitlements = ["Block*"]
[systems.aws]
criticality = "critical"
revocation_sla = "24h"
[systems.github]
criticality = "high"
[systems.finance]
criticality = "critical"
mode = "batch"
batch_interval = "24h"
revocation_sla = "24h"

[profiles."*"]
okta = ["Everyone"]
[profiles.engineer]
aws = ["ReadOnly"]
github = ["member"]
[profiles.sre]
aws = ["ReadOnly", "PowerUser"]
github = ["member"]
[profiles.analyst]
finance = ["Payments-Create", "GL-Read"]
[profiles.manager]
finance = ["Payments-Approve", "GL-Read"]

[tiers.elevated]
approvers = ["manager"]
entitlements = { github = ["maintainer"] }
[tiers.privileged]
approvers = ["security"]
entitlements = { aws = ["Admins"] }

[[separation_of_duties]]
id = "SOD-PAY"
a = "finance:Payments-Create"
b = "finance:Payments-Approve"
reason = "raise and approve"

[movers]
transition_window = "7d"

[nhi]
credential_max_age = "180d"
interactive_events = ["CreateLoginProfile", "user.account.reset_password"]
[nhi.credential_max_age_by_kind]
certificate = "398d"
[nhi.profiles.service_account]
aws = ["ReadOnly"]

[reviews]
revoke_sla = "3d"
rubber_stamp_decisions = 5
rubber_stamp_window = "60s"
[reviews.reviewer_roles]
security = ["sec2"]

[[correlation.ignore]]
account = "*:breakglass-*"
reason = "break-glass"

[emergency]
review_window = "72h"
[emergency.break_glass]
okta = ["bg-*"]
[emergency.jit.aws]
"BreakGlassAdmins" = "8h"
[emergency.jit.okta]
"JIT-Admins" = "4h"
[emergency.activations]
okta = ["role.activate*"]
"#;

/// One record of a case's world.
#[derive(Debug, Clone)]
enum R {
    Event(LifecycleEvent),
    Approval(Approval),
    Exec(Execution),
    Row(ReconciliationRecord),
    Exception(ExceptionRecord),
    Activity(ActivitySummary),
    Campaign(ReviewCampaign),
    Decision(ReviewDecision),
    Emergency(EmergencyUse),
}

/// Runs every check over `records` as of the period end; returns the check ids found, in the
/// engine's order (by check id), one per finding.
fn check(records: impl IntoIterator<Item = R>) -> Vec<&'static str> {
    analysis(records).findings.iter().map(|f| f.check).collect()
}

/// Runs every check over `records` (after the world's unrelated approval) as of the period end.
fn analysis(records: impl IntoIterator<Item = R>) -> crate::Analysis {
    analysis_under(POLICY, records)
}

/// [`analysis`] under another policy text.
fn analysis_under(policy: &str, records: impl IntoIterator<Item = R>) -> crate::Analysis {
    let policy = Policy::from_toml(policy, "test.toml").expect("policy");
    // Approval records are imported in every case's world (one about nobody here), so the
    // approval checks are assessed; `absence_of_approvals` tests the world without them.
    let records = std::iter::once(approval("nobody", "github", "unrelated", at(2024, 1, 1, 0)))
        .chain(records);
    let evidence = evidence_of(records);
    analyze(&evidence, &policy, as_of())
}

/// The evidence of `records`, each stored as its own entry, numbered from 1 in order.
fn evidence_of(records: impl IntoIterator<Item = R>) -> Evidence {
    let mut evidence = Evidence::default();
    for (seq, r) in (1..).zip(records) {
        match r {
            R::Event(e) => evidence.events.push(Stored::new(seq, e)),
            R::Approval(a) => evidence.approvals.push(Stored::new(seq, a)),
            R::Exec(x) => evidence.executions.push(Stored::new(seq, x)),
            R::Row(r) => evidence.reconciliations.push(Stored::new(seq, r)),
            R::Exception(x) => evidence.exceptions.push(Stored::new(seq, x)),
            R::Activity(a) => evidence.activity.push(Stored::new(seq, a)),
            R::Campaign(c) => evidence.campaigns.push(Stored::new(seq, c)),
            R::Decision(d) => evidence.decisions.push(Stored::new(seq, d)),
            R::Emergency(u) => evidence.emergency_uses.push(Stored::new(seq, u)),
        }
    }
    evidence
}

/// Runs a table: each case's records after the family's shared `base`.
fn run_table(base: &[R], cases: Vec<(&str, Vec<R>, Vec<&str>)>) {
    for (name, records, expected) in cases {
        let found = check(base.iter().cloned().chain(records));
        assert_eq!(found, expected, "{name}");
    }
}

// ------------------------------------------------------------------ time

/// The period end, and the `as_of` of every analysis here.
fn as_of() -> Timestamp {
    at(2026, 1, 1, 0)
}

fn at(y: i32, m: u32, d: u32, h: u32) -> Timestamp {
    Utc.with_ymd_and_hms(y, m, d, h, 0, 0)
        .single()
        .expect("time")
}

/// The moment most cases turn on (a departure, a move, a grant).
fn t() -> Timestamp {
    at(2025, 6, 10, 9)
}

fn s(n: i64) -> TimeDelta {
    TimeDelta::seconds(n)
}

fn m(n: i64) -> TimeDelta {
    TimeDelta::minutes(n)
}

fn h(n: i64) -> TimeDelta {
    TimeDelta::hours(n)
}

fn d(n: i64) -> TimeDelta {
    TimeDelta::days(n)
}

// ------------------------------------------------------------------ lifecycle events

/// The account every person has on every system (correlated by email).
fn mail(id: &str) -> String {
    format!("{id}@x.example")
}

fn event(
    id: &str,
    kind: IdentityKind,
    event_type: LifecycleEventType,
    effective_at: Timestamp,
    attributes: LifecycleAttributes,
) -> R {
    R::Event(LifecycleEvent {
        id: EventId::new(format!("EVT-{id}-{}", effective_at.timestamp())),
        identity: IdentityId::new(id),
        identity_kind: kind,
        event_type,
        effective_at,
        attributes,
        reason: None,
    })
}

/// A person who joined long before the period in `role`.
fn person(id: &str, role: &str) -> R {
    event(
        id,
        IdentityKind::Employee,
        LifecycleEventType::Joiner,
        at(2024, 1, 1, 0),
        LifecycleAttributes {
            email: Some(mail(id)),
            role: Some(role.into()),
            ..Default::default()
        },
    )
}

fn leaver(id: &str, effective_at: Timestamp) -> R {
    event(
        id,
        IdentityKind::Employee,
        LifecycleEventType::Leaver,
        effective_at,
        LifecycleAttributes {
            email: Some(mail(id)),
            ..Default::default()
        },
    )
}

fn mover(id: &str, effective_at: Timestamp, prior: &str, new: &str) -> R {
    event(
        id,
        IdentityKind::Employee,
        LifecycleEventType::Mover,
        effective_at,
        LifecycleAttributes {
            email: Some(mail(id)),
            previous_role: Some(prior.into()),
            role: Some(new.into()),
            ..Default::default()
        },
    )
}

/// A non-human identity created in the catalog; its account on `home` is its id.
fn nhi(id: &str, kind: IdentityKind, owner: Option<&str>, created: Timestamp) -> R {
    event(
        id,
        kind,
        LifecycleEventType::NhiCreated,
        created,
        LifecycleAttributes {
            owner: owner.map(IdentityId::new),
            location: Some("aws".into()),
            ..Default::default()
        },
    )
}

fn owner_changed(id: &str, kind: IdentityKind, owner: Option<&str>, at: Timestamp) -> R {
    event(
        id,
        kind,
        LifecycleEventType::NhiOwnerChanged,
        at,
        LifecycleAttributes {
            owner: owner.map(IdentityId::new),
            location: Some("aws".into()),
            ..Default::default()
        },
    )
}

fn retired(id: &str, kind: IdentityKind, at: Timestamp) -> R {
    event(
        id,
        kind,
        LifecycleEventType::NhiRetired,
        at,
        LifecycleAttributes::default(),
    )
}

/// Changes one lifecycle event (its attributes, kind).
fn with_event(r: R, f: impl FnOnce(&mut LifecycleEvent)) -> R {
    match r {
        R::Event(mut e) => {
            f(&mut e);
            R::Event(e)
        }
        other => other,
    }
}

// ------------------------------------------------------------------ approvals

/// An approved decision by a manager, requested by "req".
fn approval(subject: &str, system: &str, entitlement: &str, decided_at: Timestamp) -> R {
    R::Approval(Approval {
        removal: false,
        id: ApprovalId::new(format!("RITM-{subject}-{entitlement}")),
        subject: IdentityId::new(subject),
        entitlement: entitlement.into(),
        system: SystemId::new(system),
        requester: Some(IdentityId::new("req")),
        approver: IdentityId::new("mgr"),
        approver_role: ApproverRole::Manager,
        decision: Decision::Approved,
        decided_at,
        tier: Tier::Standard,
        justification: None,
        expires_at: None,
        exception: false,
    })
}

/// Changes one approval (decision, expiry).
fn with_approval(r: R, f: impl FnOnce(&mut Approval)) -> R {
    match r {
        R::Approval(mut a) => {
            f(&mut a);
            R::Approval(a)
        }
        other => other,
    }
}

// ------------------------------------------------------------------ executions

/// A succeeded change with no actor and no source event type.
fn exec(
    system: &str,
    account: &str,
    action: ProvisioningAction,
    entitlement: Option<&str>,
    at: Timestamp,
) -> R {
    R::Exec(Execution {
        system: SystemId::new(system),
        account: account.into(),
        action,
        entitlement: entitlement.map(Into::into),
        actor: None,
        at,
        outcome: Outcome::Succeeded,
        failure_reason: None,
        request_ref: None,
        source_event_id: None,
        source_event_type: None,
    })
}

fn grant(system: &str, account: &str, entitlement: &str, at: Timestamp) -> R {
    exec(
        system,
        account,
        ProvisioningAction::Grant,
        Some(entitlement),
        at,
    )
}

fn revoke(system: &str, account: &str, entitlement: &str, at: Timestamp) -> R {
    exec(
        system,
        account,
        ProvisioningAction::Revoke,
        Some(entitlement),
        at,
    )
}

fn disable(system: &str, account: &str, at: Timestamp) -> R {
    exec(system, account, ProvisioningAction::Disable, None, at)
}

/// Changes one execution (outcome, actor, source event type).
fn with_exec(r: R, f: impl FnOnce(&mut Execution)) -> R {
    match r {
        R::Exec(mut x) => {
            f(&mut x);
            R::Exec(x)
        }
        other => other,
    }
}

fn outcome(r: R, outcome: Outcome) -> R {
    with_exec(r, |x| x.outcome = outcome)
}

fn by(r: R, actor: &str) -> R {
    with_exec(r, |x| x.actor = Some(actor.into()))
}

fn source_type(r: R, event_type: &str) -> R {
    with_exec(r, |x| x.source_event_type = Some(event_type.into()))
}

// ------------------------------------------------------------------ reconciliation

/// A present row of the snapshot taken at `as_of`.
fn row(system: &str, account: &str, entitlement: &str, as_of: Timestamp) -> R {
    R::Row(ReconciliationRecord {
        created_at: None,
        never_used: false,
        revoked_at: None,
        credential: false,
        system: SystemId::new(system),
        account: account.into(),
        entitlement: Some(entitlement.into()),
        identity: None,
        last_used_at: None,
        coverage: None,
        status: ReconciliationStatus::ExpectedPresent,
        as_of,
    })
}

fn with_row(r: R, f: impl FnOnce(&mut ReconciliationRecord)) -> R {
    match r {
        R::Row(mut x) => {
            f(&mut x);
            R::Row(x)
        }
        other => other,
    }
}

// ------------------------------------------------------------------ exceptions

/// A well-formed exception: owned by "risk", granted and expiring as given.
fn exception(
    id: &str,
    subject: &str,
    system: &str,
    entitlement: &str,
    granted_at: Timestamp,
    expires_at: Option<Timestamp>,
) -> R {
    R::Exception(ExceptionRecord {
        id: ExceptionId::new(id),
        subject: Some(IdentityId::new(subject)),
        system: Some(SystemId::new(system)),
        entitlement: Some(entitlement.into()),
        owner: Some(IdentityId::new("risk")),
        approver: Some(IdentityId::new("ciso")),
        granted_at,
        expires_at,
        reapprovals: Vec::new(),
        reason: None,
        tier: Tier::Standard,
    })
}

fn with_exception(r: R, f: impl FnOnce(&mut ExceptionRecord)) -> R {
    match r {
        R::Exception(mut x) => {
            f(&mut x);
            R::Exception(x)
        }
        other => other,
    }
}

// ------------------------------------------------------------------ activity

/// Succeeded interactive sign-ins of `account` on `system`, first and last at the given times.
fn sign_in(system: &str, account: &str, first: Timestamp, last: Timestamp) -> R {
    let mark = |at: Timestamp| ActivityMark {
        at,
        location: "line 1".into(),
        source_event_id: None,
    };
    let days = day_ranges([first.date_naive(), last.date_naive()]);
    R::Activity(ActivitySummary {
        credential: None,
        account: account.into(),
        channel: ActivityChannel::SignIn,
        clients: vec!["Firefox".into()],
        count: 2,
        days,
        event_types: vec!["user.session.start".into()],
        first: mark(first),
        interactive: true,
        last: mark(last),
        outcome: Outcome::Succeeded,
        system: SystemId::new(system),
    })
}

/// An emergency-access register's row: `account` used on `system` at `at` by `used_by`
/// (`entitlement` none: a break-glass sign-in), reviewed by sec2 `reviewed` later.
fn emergency_use(
    system: &str,
    account: &str,
    entitlement: Option<&str>,
    at: Timestamp,
    used_by: &str,
    reviewed: Option<TimeDelta>,
) -> R {
    R::Emergency(EmergencyUse {
        account: account.into(),
        activated_at: at,
        entitlement: entitlement.map(Into::into),
        id: format!("EAR-{}", at.timestamp()),
        request_id: None,
        review_decision: reviewed.map(|_| "Appropriate".into()),
        reviewed_at: reviewed.map(|r| at + r),
        reviewer: reviewed.map(|_| IdentityId::new("sec2")),
        system: SystemId::new(system),
        ticket: Some("INC0001".into()),
        used_by: Some(IdentityId::new(used_by)),
    })
}

fn with_use(r: R, f: impl FnOnce(&mut EmergencyUse)) -> R {
    match r {
        R::Emergency(mut u) => {
            f(&mut u);
            R::Emergency(u)
        }
        other => other,
    }
}

fn with_activity(r: R, f: impl FnOnce(&mut ActivitySummary)) -> R {
    match r {
        R::Activity(mut a) => {
            f(&mut a);
            R::Activity(a)
        }
        other => other,
    }
}

#[test]
fn every_implemented_check_has_a_table() {
    // The families below cover these ids; a new check must add its table.
    let covered = [
        super::approvals::GRANT_WITHOUT_APPROVAL,
        super::approvals::ACCESS_BEFORE_APPROVAL,
        super::approvals::SELF_APPROVAL,
        super::approvals::PRIVILEGED_WITHOUT_SECURITY,
        super::lifecycle::LEAVER_NOT_REVOKED,
        super::lifecycle::LEAVER_REVOKED_LATE,
        super::lifecycle::ACTIVITY_AFTER_TERMINATION,
        super::credentials::CREDENTIAL_NOT_REVOKED,
        super::credentials::CREDENTIAL_REVOKED_LATE,
        super::credentials::CREDENTIAL_USED_AFTER_LEAVE,
        super::lifecycle::MOVER_RETAINED_ACCESS,
        super::access::SOD_CONFLICT,
        super::access::EXECUTION_FAILED_UNCONFIRMED,
        super::lifecycle::CHANGE_WITHOUT_EVENT,
        super::access::ORPHAN_ACCOUNT,
        super::access::UNEXPECTED_ENTITLEMENT,
        super::expiry::ACCESS_PAST_EXPIRY,
        super::emergency::EMERGENCY_HELD_TOO_LONG,
        super::emergency::EMERGENCY_NO_REVIEW,
        super::emergency::BREAK_GLASS_NO_TICKET,
        super::exceptions::EXPIRED_ACTIVE,
        super::exceptions::NO_OWNER,
        super::exceptions::NO_EXPIRY,
        super::exceptions::TOO_LONG,
        super::nhi::WITHOUT_OWNER,
        super::nhi::OWNER_LEFT,
        super::nhi::CREDENTIAL_LONG_LIVED,
        super::credentials::NHI_CREDENTIAL_STALE,
        super::nhi::HUMAN_USE,
        super::reviews::REVOKE_NOT_EXECUTED,
        super::reviews::REVOKE_LATE,
        super::reviews::REVOKE_CONTRADICTED,
        super::reviews::SELF_REVIEW,
        super::reviews::RUBBER_STAMP,
        super::reviews::INCOMPLETE,
        super::reviews::OVERDUE,
        super::reviews::PRIVILEGED_REVIEWER,
        super::reviews::OUTSIDE_POPULATION,
    ];
    assert_eq!(covered.as_slice(), super::IMPLEMENTED);
}
