//! One table per audit convention (reference/audit-conventions.md, 1–14): for each, the cases
//! that must be found and the look-alikes that must not, at the boundaries the convention names.
//! Convention 6 (deny is not a grant) is the CloudTrail importer's; 10 (time zones) is the
//! profiles' and the end-to-end DST test's; 13 is `crates/evidentia-app/tests/coverage.rs`.

use evidentia_domain::{ApproverRole, Decision, IdentityKind, Outcome, ProvisioningAction};

use super::*;
use crate::checks::access::{EXECUTION_FAILED_UNCONFIRMED, SOD_CONFLICT, UNEXPECTED_ENTITLEMENT};
use crate::checks::approvals::{
    ACCESS_BEFORE_APPROVAL, GRANT_WITHOUT_APPROVAL, PRIVILEGED_WITHOUT_SECURITY, SELF_APPROVAL,
};
use crate::checks::exceptions::{EXPIRED_ACTIVE, TOO_LONG};
use crate::checks::lifecycle::{
    ACTIVITY_AFTER_TERMINATION, LEAVER_NOT_REVOKED, LEAVER_REVOKED_LATE, MOVER_RETAINED_ACCESS,
};
use crate::checks::nhi::HUMAN_USE;

fn create(system: &str, account: &str, at: Timestamp) -> R {
    exec(system, account, ProvisioningAction::CreateAccount, None, at)
}

fn joiner(id: &str, role: &str, at: Timestamp) -> R {
    with_event(person(id, role), |e| e.effective_at = at)
}

fn with_ref(r: R, reference: &str) -> R {
    with_exec(r, |x| x.request_ref = Some(reference.into()))
}

fn named(r: R, id: &str) -> R {
    with_approval(r, |a| a.id = ApprovalId::new(id))
}

fn security(r: R) -> R {
    with_approval(r, |a| {
        a.approver_role = ApproverRole::Security;
        a.approver = IdentityId::new("sec");
    })
}

#[test]
fn convention_1_birthright_needs_no_ticket() {
    let j1 = mail("j1");
    let j1 = j1.as_str();
    let cases = vec![
        (
            "a joiner's birthright grants and account, no ticket",
            vec![
                joiner("j1", "engineer", t()),
                create("aws", j1, t() + h(2)),
                grant("aws", j1, "ReadOnly", t() + h(2)),
                grant("github", j1, "member", t() + h(3)),
                grant("okta", j1, "Everyone", t() + h(1)),
            ],
            vec![],
        ),
        (
            "provisioned 24h ahead of the start is birthright",
            vec![
                joiner("j1", "engineer", t()),
                grant("aws", j1, "ReadOnly", t() - h(24)),
            ],
            vec![],
        ),
        (
            "provisioned two days ahead of the start: not yet the role",
            vec![
                joiner("j1", "engineer", t()),
                grant("aws", j1, "ReadOnly", t() - d(2)),
            ],
            vec![GRANT_WITHOUT_APPROVAL],
        ),
        (
            "beyond the profile needs a ticket",
            vec![
                joiner("j1", "engineer", t()),
                grant("aws", j1, "PowerUser", t() + h(2)),
            ],
            vec![GRANT_WITHOUT_APPROVAL],
        ),
        (
            "the role at that time: PowerUser after the move to sre",
            vec![
                joiner("j1", "engineer", at(2025, 1, 5, 9)),
                mover("j1", t(), "engineer", "sre"),
                grant("aws", j1, "PowerUser", t() + h(4)),
            ],
            vec![],
        ),
        (
            "the role at that time: PowerUser before the move is not birthright",
            vec![
                joiner("j1", "engineer", at(2025, 1, 5, 9)),
                mover("j1", t() + d(10), "engineer", "sre"),
                grant("aws", j1, "PowerUser", t()),
            ],
            vec![GRANT_WITHOUT_APPROVAL],
        ),
        (
            "a birthright grant after the identity left is not birthright",
            vec![
                joiner("j1", "engineer", at(2025, 1, 5, 9)),
                leaver("j1", t() - d(5)),
                grant("aws", j1, "ReadOnly", t()),
            ],
            vec![GRANT_WITHOUT_APPROVAL],
        ),
    ];
    run_table(&[], cases);
}

#[test]
fn convention_2_the_catalog_authorises_per_identity() {
    let svc = |id: &str, entitlements: &[&str]| {
        let list: Vec<String> = entitlements.iter().map(|e| (*e).to_owned()).collect();
        with_event(
            nhi(id, IdentityKind::Workload, Some("e1"), at(2025, 1, 2, 0)),
            move |e| e.attributes.entitlements = list,
        )
    };
    let base = [person("e1", "engineer")];
    let cases = vec![
        (
            "listed in its own catalog entry (bare: its own system)",
            vec![
                svc("wl1", &["S3-Reader"]),
                create("aws", "wl1", t()),
                grant("aws", "wl1", "S3-Reader", t()),
            ],
            vec![],
        ),
        (
            "listed as system:entitlement",
            vec![
                svc("wl1", &["github:deployer"]),
                grant("github", "wl1", "deployer", t()),
            ],
            vec![],
        ),
        (
            "another NHI's entry does not authorise this one",
            vec![
                svc("wl1", &["S3-Reader"]),
                svc("wl2", &[]),
                grant("aws", "wl2", "S3-Reader", t()),
            ],
            vec![GRANT_WITHOUT_APPROVAL],
        ),
        (
            "its kind's profile authorises (service accounts: aws ReadOnly)",
            vec![
                nhi(
                    "sa1",
                    IdentityKind::ServiceAccount,
                    Some("e1"),
                    at(2025, 1, 2, 0),
                ),
                grant("aws", "sa1", "ReadOnly", t()),
            ],
            vec![],
        ),
        (
            "a snapshot row the catalog lists is no drift",
            vec![
                svc("wl1", &["S3-Reader"]),
                row("aws", "wl1", "S3-Reader", at(2025, 6, 30, 0)),
            ],
            vec![],
        ),
        (
            "a snapshot row it does not list is drift",
            vec![
                svc("wl1", &["S3-Reader"]),
                row("aws", "wl1", "S3-Writer", at(2025, 6, 30, 0)),
            ],
            vec![UNEXPECTED_ENTITLEMENT],
        ),
    ];
    run_table(&base, cases);
}

#[test]
fn convention_3_everything_else_needs_an_approval_or_a_valid_exception() {
    let e1 = mail("e1");
    let e1 = e1.as_str();
    let base = [person("e1", "engineer")];
    let cases = vec![
        (
            "approved before",
            vec![
                approval("e1", "aws", "PowerUser", t() - h(1)),
                grant("aws", e1, "PowerUser", t()),
            ],
            vec![],
        ),
        (
            "a valid exception stands in for the approval",
            vec![
                exception(
                    "EX-1",
                    "e1",
                    "aws",
                    "PowerUser",
                    t() - d(1),
                    Some(t() + d(30)),
                ),
                grant("aws", e1, "PowerUser", t()),
            ],
            vec![],
        ),
        (
            "an exception that expired before the grant does not",
            vec![
                exception(
                    "EX-1",
                    "e1",
                    "aws",
                    "PowerUser",
                    t() - d(40),
                    Some(t() - d(1)),
                ),
                grant("aws", e1, "PowerUser", t()),
            ],
            vec![GRANT_WITHOUT_APPROVAL],
        ),
        (
            "a rejected request does not",
            vec![
                with_approval(approval("e1", "aws", "PowerUser", t() - h(1)), |a| {
                    a.decision = Decision::Rejected
                }),
                grant("aws", e1, "PowerUser", t()),
            ],
            vec![GRANT_WITHOUT_APPROVAL],
        ),
        (
            "a request to remove the access does not approve it",
            vec![
                with_approval(approval("e1", "aws", "PowerUser", t() - h(1)), |a| {
                    a.removal = true
                }),
                grant("aws", e1, "PowerUser", t()),
            ],
            vec![GRANT_WITHOUT_APPROVAL],
        ),
        (
            "approved after the grant",
            vec![
                approval("e1", "aws", "PowerUser", t() + h(1)),
                grant("aws", e1, "PowerUser", t()),
            ],
            vec![ACCESS_BEFORE_APPROVAL],
        ),
    ];
    run_table(&base, cases);
}

#[test]
fn convention_4_the_account_follows_the_entitlement() {
    let e1 = mail("e1");
    let e1 = e1.as_str();
    let base = [person("e1", "engineer")];
    let cases = vec![
        (
            "an approval for an entitlement on the system covers creating the account",
            vec![
                approval("e1", "finance", "GL-Read", t() - h(1)),
                create("finance", e1, t()),
                grant("finance", e1, "GL-Read", t()),
            ],
            vec![],
        ),
        (
            "an approval on another system does not",
            vec![
                approval("e1", "okta", "Finance", t() - h(1)),
                create("finance", e1, t()),
            ],
            vec![GRANT_WITHOUT_APPROVAL],
        ),
        (
            "an exception for an entitlement covers the account too",
            vec![
                exception(
                    "EX-1",
                    "e1",
                    "finance",
                    "GL-Read",
                    t() - d(1),
                    Some(t() + d(30)),
                ),
                create("finance", e1, t()),
            ],
            vec![],
        ),
        (
            "an account creation the source names with an entitlement (a GitHub org) is covered by an exception for another entitlement there",
            vec![
                exception(
                    "EX-1",
                    "e1",
                    "finance",
                    "GL-Post",
                    t() - d(1),
                    Some(t() + d(30)),
                ),
                exec(
                    "finance",
                    e1,
                    ProvisioningAction::CreateAccount,
                    Some("acme-org"),
                    t(),
                ),
            ],
            vec![],
        ),
        (
            "birthright on the system covers the account (engineers: aws)",
            vec![create("aws", e1, t())],
            vec![],
        ),
        (
            "an account-only snapshot row on a birthright system is no drift",
            vec![with_row(row("aws", e1, "", at(2025, 6, 30, 0)), |r| {
                r.entitlement = None
            })],
            vec![],
        ),
        (
            "an account-only snapshot row where nothing authorises it is drift",
            vec![with_row(row("finance", e1, "", at(2025, 6, 30, 0)), |r| {
                r.entitlement = None
            })],
            vec![UNEXPECTED_ENTITLEMENT],
        ),
    ];
    run_table(&base, cases);
}

#[test]
fn convention_5_credentials_are_not_grants() {
    let e1 = mail("e1");
    let e1 = e1.as_str();
    let cred = |action| exec("aws", e1, action, Some("AKIAEXAMPLE1"), t());
    let base = [person("e1", "engineer")];
    let cases = vec![
        (
            "a key created without a ticket",
            vec![cred(ProvisioningAction::CredentialCreated)],
            vec![],
        ),
        (
            "a key rotated",
            vec![cred(ProvisioningAction::CredentialRotated)],
            vec![],
        ),
        (
            "a key a snapshot lists as a credential is no drift",
            vec![with_row(
                row("aws", e1, "AKIAEXAMPLE1", at(2025, 6, 30, 0)),
                |r| r.credential = true,
            )],
            vec![],
        ),
        (
            "the same row not marked as a credential is an unexplained entitlement",
            vec![row("aws", e1, "AKIAEXAMPLE1", at(2025, 6, 30, 0))],
            vec![UNEXPECTED_ENTITLEMENT],
        ),
        (
            "a key deleted needs no lifecycle event",
            vec![cred(ProvisioningAction::CredentialDeleted)],
            vec![],
        ),
    ];
    run_table(&base, cases);
}

/// Convention 6 for groups that block access: the policy names them per system.
#[test]
fn convention_6_deny_entitlements_are_not_grants() {
    let e1 = mail("e1");
    let e1 = e1.as_str();
    let cases = vec![
        (
            "joining a block-sign-in group needs no approval and is no drift",
            vec![
                grant("okta", e1, "Block Sign-in", t()),
                row("okta", e1, "Block Sign-in", at(2025, 6, 30, 0)),
            ],
            vec![],
        ),
        (
            "a leaver left only in a block group holds no access",
            vec![
                row("okta", e1, "Block Sign-in", at(2025, 5, 31, 0)),
                leaver("e1", t()),
            ],
            vec![],
        ),
    ];
    run_table(&[person("e1", "engineer")], cases);
}

/// Convention 6 for deny policies named by the importers (`deny:…`, any case), on a system
/// whose policy lists no `deny_entitlements` at all.
#[test]
fn convention_6_deny_prefixed_entitlements_are_not_grants_on_any_system() {
    let e1 = mail("e1");
    let e1 = e1.as_str();
    let quarantine = "deny:arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantineV2";
    let cases = vec![
        (
            "attaching a quarantine policy needs no approval",
            vec![grant("aws", e1, quarantine, t())],
            vec![],
        ),
        (
            "the prefix is matched ignoring ASCII case",
            vec![grant("aws", e1, "DENY:inline:lock", t())],
            vec![],
        ),
        (
            "a leaver left only with a deny policy holds no access",
            vec![
                row("aws", e1, quarantine, at(2025, 5, 31, 0)),
                leaver("e1", t()),
            ],
            vec![],
        ),
        (
            "a policy merely named like one is still a grant",
            vec![grant("aws", e1, "inline:deny-list-editor", t())],
            vec![GRANT_WITHOUT_APPROVAL],
        ),
    ];
    run_table(&[person("e1", "engineer")], cases);
}

#[test]
fn convention_7_by_reference_first() {
    let e1 = mail("e1");
    let e1 = e1.as_str();
    let base = [person("e1", "engineer"), person("e2", "engineer")];
    let cases = vec![
        (
            "the cited request covers an item spelt differently",
            vec![
                named(
                    approval("e1", "finance", "Finance app access", t() - h(2)),
                    "REQ-7",
                ),
                with_ref(grant("finance", e1, "GL-Read", t()), "REQ-7"),
            ],
            vec![],
        ),
        (
            "the cited request is about someone else",
            vec![
                named(approval("e2", "finance", "GL-Read", t() - h(2)), "REQ-8"),
                with_ref(grant("finance", e1, "GL-Read", t()), "REQ-8"),
            ],
            vec![GRANT_WITHOUT_APPROVAL],
        ),
        (
            "a reference to a request not in the evidence falls back to content",
            vec![
                approval("e1", "finance", "GL-Read", t() - h(2)),
                with_ref(grant("finance", e1, "GL-Read", t()), "REQ-404"),
            ],
            vec![],
        ),
        (
            "without a reference, the item must match",
            vec![
                approval("e1", "finance", "Finance app access", t() - h(2)),
                grant("finance", e1, "GL-Read", t()),
            ],
            vec![GRANT_WITHOUT_APPROVAL],
        ),
        (
            "a reference to an exception number: the exception covers it",
            vec![
                exception(
                    "EXC-7",
                    "e1",
                    "finance",
                    "Rates-Edit",
                    t() - d(1),
                    Some(t() + d(30)),
                ),
                with_ref(grant("finance", e1, "RATE_EDIT", t()), "EXC-7"),
            ],
            vec![],
        ),
        (
            "an approval naming an access profile covers what it lists",
            vec![
                approval("e1", "finance", "analyst", t() - h(2)),
                grant("finance", e1, "GL-Read", t()),
            ],
            vec![],
        ),
    ];
    run_table(&base, cases);
}

#[test]
fn convention_8_one_request_several_approvers() {
    let e1 = mail("e1");
    let e1 = e1.as_str();
    let base = [person("e1", "engineer")];
    let cases = vec![
        (
            "manager and security on two rows of one request",
            vec![
                named(approval("e1", "aws", "Admins", t() - h(3)), "REQ-1"),
                named(
                    security(approval("e1", "aws", "Admins", t() - h(2))),
                    "REQ-1",
                ),
                grant("aws", e1, "Admins", t()),
            ],
            vec![],
        ),
        (
            "manager only",
            vec![
                named(
                    with_approval(approval("e1", "aws", "Admins", t() - h(3)), |a| {
                        a.approver_role = ApproverRole::Manager
                    }),
                    "REQ-1",
                ),
                grant("aws", e1, "Admins", t()),
            ],
            vec![PRIVILEGED_WITHOUT_SECURITY],
        ),
        (
            "one approver rejected the request before the grant",
            vec![
                named(
                    security(approval("e1", "aws", "Admins", t() - h(3))),
                    "REQ-1",
                ),
                named(
                    with_approval(approval("e1", "aws", "Admins", t() - h(2)), |a| {
                        a.decision = Decision::Rejected
                    }),
                    "REQ-1",
                ),
                grant("aws", e1, "Admins", t()),
            ],
            vec![GRANT_WITHOUT_APPROVAL],
        ),
        (
            "one row of the request approved by the subject",
            vec![
                named(
                    security(approval("e1", "aws", "Admins", t() - h(3))),
                    "REQ-1",
                ),
                named(
                    with_approval(approval("e1", "aws", "Admins", t() - h(2)), |a| {
                        a.approver = IdentityId::new("e1")
                    }),
                    "REQ-1",
                ),
                grant("aws", e1, "Admins", t()),
            ],
            vec![SELF_APPROVAL],
        ),
        (
            "approvers named by e-mail are the same people",
            vec![
                named(
                    with_approval(approval("e1", "aws", "PowerUser", t() - h(3)), |a| {
                        a.approver = IdentityId::new("E1@X.example");
                        a.subject = IdentityId::new("e1@x.example");
                    }),
                    "REQ-1",
                ),
                grant("aws", e1, "PowerUser", t()),
            ],
            vec![SELF_APPROVAL],
        ),
    ];
    run_table(&base, cases);
}

#[test]
fn convention_9_boundaries_are_inclusive() {
    let e1 = mail("e1");
    let e1 = e1.as_str();
    let base = [
        person("e1", "engineer"),
        row("okta", e1, "Everyone", at(2025, 5, 31, 0)),
    ];
    let cases = vec![
        (
            "approved in the same second as the grant",
            vec![
                approval("e1", "aws", "PowerUser", t()),
                grant("aws", e1, "PowerUser", t()),
            ],
            vec![],
        ),
        (
            "approved one second after",
            vec![
                approval("e1", "aws", "PowerUser", t() + s(1)),
                grant("aws", e1, "PowerUser", t()),
            ],
            vec![ACCESS_BEFORE_APPROVAL],
        ),
        (
            "revoked exactly at the SLA (okta 4h)",
            vec![leaver("e1", t()), disable("okta", e1, t() + h(4))],
            vec![],
        ),
        (
            "revoked one second past the SLA",
            vec![leaver("e1", t()), disable("okta", e1, t() + h(4) + s(1))],
            vec![LEAVER_REVOKED_LATE],
        ),
        (
            "disabled on time, deleted days later: housekeeping does not restart the clock",
            vec![
                leaver("e1", t()),
                disable("okta", e1, t() + h(2)),
                exec("okta", e1, ProvisioningAction::Delete, None, t() + d(6)),
            ],
            vec![],
        ),
        (
            "the last entitlement revoked on time is full removal",
            vec![
                leaver("e1", t()),
                revoke("okta", e1, "Everyone", t() + h(3)),
                exec("okta", e1, ProvisioningAction::Delete, None, t() + d(6)),
            ],
            vec![],
        ),
        (
            "last entitlement revoked; the bare account still listed later is no access",
            vec![
                leaver("e1", t()),
                revoke("okta", e1, "Everyone", t() + h(2)),
                with_row(row("okta", e1, "", at(2025, 6, 30, 0)), |r| {
                    r.entitlement = None
                }),
            ],
            vec![],
        ),
        (
            "last entitlement revoked but the next snapshot still shows an entitlement",
            vec![
                leaver("e1", t()),
                revoke("okta", e1, "Everyone", t() + h(2)),
                row("okta", e1, "Everyone", at(2025, 6, 30, 0)),
            ],
            vec![LEAVER_NOT_REVOKED],
        ),
        (
            "an earlier revoke of one entitlement does not stop the clock while another stays",
            vec![
                row("okta", e1, "Engineering", at(2025, 5, 31, 0)),
                approval("e1", "okta", "Engineering", at(2025, 5, 1, 0)),
                leaver("e1", t()),
                revoke("okta", e1, "Engineering", t() + h(1)),
                disable("okta", e1, t() + h(5)),
            ],
            vec![LEAVER_REVOKED_LATE],
        ),
    ];
    run_table(&base, cases);
}

#[test]
fn convention_11_each_system_at_its_own_time() {
    let e1 = mail("e1");
    let e1 = e1.as_str();
    // okta is reconciled on the 3rd at 06:15, aws on the last Friday at 18:00.
    let base = [
        person("e1", "engineer"),
        row("okta", e1, "Everyone", at(2025, 6, 3, 6) + m(15)),
        row("aws", e1, "ReadOnly", at(2025, 5, 30, 18)),
    ];
    let cases = vec![
        (
            "a leaver held access in both systems, each by its own latest snapshot",
            vec![leaver("e1", t())],
            vec![LEAVER_NOT_REVOKED, LEAVER_NOT_REVOKED],
        ),
        (
            "revoked in both on time",
            vec![
                leaver("e1", t()),
                disable("okta", e1, t() + h(1)),
                disable("aws", e1, t() + h(2)),
            ],
            vec![],
        ),
        (
            "no removal logged, but aws's next snapshot no longer shows it",
            vec![
                leaver("e1", t()),
                disable("okta", e1, t() + h(1)),
                person("e2", "engineer"),
                row("aws", &mail("e2"), "ReadOnly", at(2025, 6, 27, 18)),
            ],
            vec![],
        ),
        (
            "no removal logged and aws's snapshot after the deadline still shows it",
            vec![
                leaver("e1", t()),
                disable("okta", e1, t() + h(1)),
                row("aws", e1, "ReadOnly", at(2025, 6, 27, 18)),
            ],
            vec![LEAVER_NOT_REVOKED],
        ),
        (
            "no snapshot of github at all: the log's late removal proves it was held, and late",
            vec![
                leaver("e1", t()),
                disable("okta", e1, t() + h(1)),
                disable("aws", e1, t() + h(2)),
                exec(
                    "github",
                    e1,
                    ProvisioningAction::Delete,
                    Some("acme"),
                    t() + h(30),
                ),
            ],
            vec![LEAVER_REVOKED_LATE],
        ),
        (
            "no snapshot of github: an old-role entitlement revoked only after the window (and aws ReadOnly never)",
            vec![
                mover("e1", t(), "engineer", "analyst"),
                revoke("github", e1, "member", t() + d(8)),
            ],
            vec![MOVER_RETAINED_ACCESS, MOVER_RETAINED_ACCESS],
        ),
        (
            "a separation-of-duties pair held across systems reconciled at different times",
            vec![
                person("f1", "analyst"),
                row("finance", &mail("f1"), "Payments-Create", at(2025, 6, 2, 1)),
                row(
                    "finance",
                    &mail("f1"),
                    "Payments-Approve",
                    at(2025, 6, 2, 1),
                ),
            ],
            vec![SOD_CONFLICT, UNEXPECTED_ENTITLEMENT],
        ),
    ];
    run_table(&base, cases);
}

#[test]
fn convention_12_activity_is_evidence() {
    let e1 = mail("e1");
    let e1 = e1.as_str();
    let base = [
        person("e1", "engineer"),
        person("boss", "engineer"),
        nhi(
            "svc1",
            IdentityKind::ServiceAccount,
            Some("boss"),
            at(2025, 1, 2, 0),
        ),
    ];
    let cases = vec![
        (
            "a console sign-in 91 minutes after leaving (revoked on time)",
            vec![
                leaver("e1", t()),
                sign_in("aws", e1, t() - d(3), t() + m(91)),
            ],
            vec![ACTIVITY_AFTER_TERMINATION],
        ),
        (
            "a sign-in exactly at the leave time is not after it",
            vec![leaver("e1", t()), sign_in("aws", e1, t() - d(3), t())],
            vec![],
        ),
        (
            "a failed sign-in after leaving is not use",
            vec![
                leaver("e1", t()),
                with_activity(sign_in("okta", e1, t() + h(2), t() + h(2)), |a| {
                    a.outcome = Outcome::Failed
                }),
            ],
            vec![],
        ),
        (
            "a browser sign-in as a service account",
            vec![sign_in("aws", "svc1", t(), t())],
            vec![HUMAN_USE],
        ),
        (
            "API calls by the service account are its normal use",
            vec![with_activity(
                sign_in("aws", "svc1", t(), t() + d(3)),
                |a| {
                    a.channel = ActivityChannel::ApiCall;
                    a.interactive = false;
                    a.event_types = vec!["GetObject".into()];
                },
            )],
            vec![],
        ),
        (
            "an event type the policy lists as interactive",
            vec![with_activity(sign_in("aws", "svc1", t(), t()), |a| {
                a.interactive = false;
                a.event_types = vec!["CreateLoginProfile".into()];
            })],
            vec![HUMAN_USE],
        ),
    ];
    run_table(&base, cases);
}

#[test]
fn convention_14_exceptions_are_measured_per_record() {
    let e1 = mail("e1");
    let g = at(2025, 2, 1, 0);
    let base = [person("e1", "engineer")];
    let held = |at| row("aws", &mail("e1"), "PowerUser", at);
    let renewal = |r, at, until| {
        with_exception(r, move |x| {
            x.reapprovals.push(Reapproval {
                approved_at: at,
                approved_by: IdentityId::new("ciso"),
                expires_at: Some(until),
            })
        })
    };
    let _ = e1;
    let cases = vec![
        (
            "renewed before expiry: continuous cover",
            vec![
                renewal(
                    exception("EX-1", "e1", "aws", "PowerUser", g, Some(g + d(60))),
                    g + d(55),
                    g + d(150),
                ),
                held(g + d(90)),
            ],
            vec![],
        ),
        (
            "renewed after expiry: the access in the gap is a finding",
            vec![
                renewal(
                    exception("EX-1", "e1", "aws", "PowerUser", g, Some(g + d(60))),
                    g + d(70),
                    g + d(150),
                ),
                held(g + d(65)),
            ],
            vec![EXPIRED_ACTIVE],
        ),
        (
            "a new record renewing it (its own id) covers the access",
            vec![
                exception("EX-1", "e1", "aws", "PowerUser", g, Some(g + d(60))),
                exception(
                    "EX-1b",
                    "e1",
                    "aws",
                    "PowerUser",
                    g + d(58),
                    Some(g + d(150)),
                ),
                held(g + d(90)),
            ],
            vec![],
        ),
        (
            "each record within its maximum though the chain is longer",
            vec![
                exception("EX-1", "e1", "aws", "PowerUser", g, Some(g + d(170))),
                exception(
                    "EX-1b",
                    "e1",
                    "aws",
                    "PowerUser",
                    g + d(160),
                    Some(g + d(330)),
                ),
            ],
            vec![],
        ),
        (
            "a record longer than its maximum",
            vec![exception(
                "EX-1",
                "e1",
                "aws",
                "PowerUser",
                g,
                Some(g + d(181)),
            )],
            vec![TOO_LONG],
        ),
        (
            "unrenewed expiry with the access still held",
            vec![
                exception("EX-1", "e1", "aws", "PowerUser", g, Some(g + d(60))),
                held(g + d(61)),
            ],
            vec![EXPIRED_ACTIVE],
        ),
    ];
    run_table(&base, cases);
    let _ = (EXECUTION_FAILED_UNCONFIRMED, MOVER_RETAINED_ACCESS);
}

/// Convention 13 for the checks that rest on a missing approval: with no approval records
/// imported at all they report nothing (they were not assessed), rather than every grant.
#[test]
fn absence_of_approvals_is_no_verdict() {
    let policy = Policy::from_toml(POLICY, "test.toml").expect("policy");
    let mut evidence = Evidence::default();
    if let R::Event(e) = person("e1", "engineer") {
        evidence.events.push(Stored::new(1, e));
    }
    if let R::Exec(x) = grant("aws", &mail("e1"), "PowerUser", t()) {
        evidence.executions.push(Stored::new(2, x));
    }
    let analysis = analyze(&evidence, &policy, as_of());
    assert!(analysis.findings.is_empty(), "{:?}", analysis.findings);
    let grants = &analysis.coverage.checks[GRANT_WITHOUT_APPROVAL];
    assert_eq!(grants.examined, 0);
    assert_eq!(grants.missing, [crate::EvidenceKind::Approvals]);
}
