//! Leavers (not revoked, late, activity after), movers and removals without a reason, at the
//! boundaries the README's check semantics name.

use evidentia_domain::{IdentityKind, Outcome, ProvisioningAction};

use super::*;
use crate::checks::access::EXECUTION_FAILED_UNCONFIRMED;
use crate::checks::approvals::GRANT_WITHOUT_APPROVAL;
use crate::checks::lifecycle::{
    ACTIVITY_AFTER_TERMINATION, CHANGE_WITHOUT_EVENT, LEAVER_NOT_REVOKED, LEAVER_REVOKED_LATE,
    MOVER_RETAINED_ACCESS,
};

/// The month-end snapshot before `t()`.
fn before() -> Timestamp {
    at(2025, 5, 31, 0)
}

/// The month-end snapshot after `t()`.
fn after() -> Timestamp {
    at(2025, 6, 30, 0)
}

#[test]
fn leaver_table() {
    let e1 = mail("e1");
    let f1 = mail("f1");
    let e1 = e1.as_str();
    let f1 = f1.as_str();
    // e1 holds okta (4h deadline, event-driven); f1 holds finance (24h SLA + 24h batch).
    let base = [
        person("e1", "engineer"),
        person("f1", "analyst"),
        row("okta", e1, "Everyone", before()),
        row("finance", f1, "GL-Read", before()),
    ];
    let cases = vec![
        (
            "never revoked",
            vec![leaver("e1", t())],
            vec![LEAVER_NOT_REVOKED],
        ),
        (
            "never revoked, later snapshots still show it: one finding, never drift",
            vec![
                leaver("e1", t()),
                row("okta", e1, "Everyone", after()),
                row("okta", e1, "Unlisted", after()),
                row("okta", e1, "Everyone", at(2025, 7, 31, 0)),
            ],
            vec![LEAVER_NOT_REVOKED],
        ),
        (
            "revoked exactly at the deadline (4h) is on time",
            vec![leaver("e1", t()), disable("okta", e1, t() + h(4))],
            vec![],
        ),
        (
            "revoked one second inside the deadline",
            vec![leaver("e1", t()), disable("okta", e1, t() + h(4) - s(1))],
            vec![],
        ),
        (
            "revoked one second past the deadline is late",
            vec![leaver("e1", t()), disable("okta", e1, t() + h(4) + s(1))],
            vec![LEAVER_REVOKED_LATE],
        ),
        (
            "revoked 24h before the effective time is on time and authorised",
            vec![leaver("e1", t()), disable("okta", e1, t() - h(24))],
            vec![],
        ),
        (
            "revoked 24h and one second before: not the leaver process (unexplained), but nothing was left to revoke",
            vec![leaver("e1", t()), disable("okta", e1, t() - h(24) - s(1))],
            vec![CHANGE_WITHOUT_EVENT],
        ),
        (
            "convention 9: the last entitlement revoked on time; the delete after is housekeeping",
            vec![
                leaver("e1", t()),
                revoke("okta", e1, "Everyone", t() + h(1)),
                exec("okta", e1, ProvisioningAction::Delete, None, t() + h(5)),
            ],
            vec![],
        ),
        (
            "burst entirely inside the deadline",
            vec![
                leaver("e1", t()),
                revoke("okta", e1, "Everyone", t() + h(1)),
                exec("okta", e1, ProvisioningAction::Delete, None, t() + h(3)),
            ],
            vec![],
        ),
        (
            "a failed removal does not count",
            vec![
                leaver("e1", t()),
                outcome(disable("okta", e1, t() + h(1)), Outcome::Failed),
            ],
            vec![EXECUTION_FAILED_UNCONFIRMED, LEAVER_NOT_REVOKED],
        ),
        (
            "batch system: SLA + batch_interval exactly is on time",
            vec![leaver("f1", t()), disable("finance", f1, t() + h(48))],
            vec![],
        ),
        (
            "batch system: past the SLA but inside the batch interval is on time",
            vec![
                leaver("f1", t()),
                disable("finance", f1, t() + h(24) + s(1)),
            ],
            vec![],
        ),
        (
            "batch system: one second past SLA + batch_interval is late",
            vec![
                leaver("f1", t()),
                disable("finance", f1, t() + h(48) + s(1)),
            ],
            vec![LEAVER_REVOKED_LATE],
        ),
        (
            "access added after the last snapshot and before T must go too",
            vec![
                approval("e1", "aws", "ReadOnly", t() - d(3)),
                grant("aws", e1, "ReadOnly", t() - d(2)),
                leaver("e1", t()),
                disable("okta", e1, t() + h(1)),
            ],
            vec![LEAVER_NOT_REVOKED],
        ),
        (
            "access added after T is not held at T",
            vec![
                leaver("e1", t()),
                disable("okta", e1, t() + h(1)),
                approval("e1", "aws", "ReadOnly", t() + d(1)),
                grant("aws", e1, "ReadOnly", t() + d(2)),
            ],
            vec![],
        ),
        (
            "one finding per departure and system",
            vec![
                approval("e1", "okta", "Other", at(2025, 1, 2, 0)),
                row("okta", e1, "Other", before()),
                leaver("e1", t()),
            ],
            vec![LEAVER_NOT_REVOKED],
        ),
        (
            "departure outside the period is not checked",
            vec![leaver("e1", as_of() + d(1))],
            vec![],
        ),
        (
            "NHI retirement is a departure",
            vec![
                nhi(
                    "svc1",
                    IdentityKind::ServiceAccount,
                    Some("e1"),
                    at(2024, 1, 1, 0),
                ),
                row("aws", "svc1", "ReadOnly", before()),
                retired("svc1", IdentityKind::ServiceAccount, t()),
            ],
            vec![LEAVER_NOT_REVOKED],
        ),
        (
            "NHI retirement revoked on time",
            vec![
                nhi(
                    "svc1",
                    IdentityKind::ServiceAccount,
                    Some("e1"),
                    at(2024, 1, 1, 0),
                ),
                row("aws", "svc1", "ReadOnly", before()),
                retired("svc1", IdentityKind::ServiceAccount, t()),
                exec("aws", "svc1", ProvisioningAction::Delete, None, t() + h(24)),
            ],
            vec![],
        ),
        (
            "NHI retirement revoked late",
            vec![
                nhi(
                    "svc1",
                    IdentityKind::ServiceAccount,
                    Some("e1"),
                    at(2024, 1, 1, 0),
                ),
                row("aws", "svc1", "ReadOnly", before()),
                retired("svc1", IdentityKind::ServiceAccount, t()),
                exec(
                    "aws",
                    "svc1",
                    ProvisioningAction::Delete,
                    None,
                    t() + h(24) + s(1),
                ),
            ],
            vec![LEAVER_REVOKED_LATE],
        ),
    ];
    run_table(&base, cases);
}

#[test]
fn activity_after_termination_table() {
    let e1 = mail("e1");
    let e1 = e1.as_str();
    // e1 leaves at t() and is revoked on okta within the deadline unless a case says otherwise.
    let base = [
        person("e1", "engineer"),
        row("okta", e1, "Everyone", before()),
        leaver("e1", t()),
    ];
    let revoked = || disable("okta", e1, t() + h(2));
    // A change by e1 on an ignored break-glass account: attributable only through its actor.
    let acts = |when| by(grant("github", "breakglass-1", "owner", when), e1);
    let cases = vec![
        (
            "acted one second after leaving (actor)",
            vec![revoked(), acts(t() + s(1))],
            vec![ACTIVITY_AFTER_TERMINATION],
        ),
        (
            "acted exactly at the departure time",
            vec![revoked(), acts(t())],
            vec![],
        ),
        (
            "acted before leaving",
            vec![revoked(), acts(t() - h(1))],
            vec![],
        ),
        (
            "acted inside the deadline, then revoked on time: only activity",
            vec![acts(t() + h(1)), revoked()],
            vec![ACTIVITY_AFTER_TERMINATION],
        ),
        (
            "two actions on one system: one finding",
            vec![revoked(), acts(t() + h(1)), acts(t() + d(3))],
            vec![ACTIVITY_AFTER_TERMINATION],
        ),
        (
            "reconciliation last_used_at after leaving",
            vec![
                revoked(),
                with_row(row("okta", e1, "Everyone", after()), |r| {
                    r.last_used_at = Some(t() + h(1));
                    r.status = ReconciliationStatus::ExpectedMissing;
                }),
            ],
            vec![ACTIVITY_AFTER_TERMINATION],
        ),
        (
            "reconciliation last_used_at exactly at the departure",
            vec![
                revoked(),
                with_row(row("okta", e1, "Everyone", after()), |r| {
                    r.last_used_at = Some(t());
                    r.status = ReconciliationStatus::ExpectedMissing;
                }),
            ],
            vec![],
        ),
        (
            "never revoked and then used: two findings",
            vec![with_row(row("okta", e1, "Everyone", after()), |r| {
                r.last_used_at = Some(t() + d(5));
            })],
            vec![ACTIVITY_AFTER_TERMINATION, LEAVER_NOT_REVOKED],
        ),
        (
            "actor and last use on different systems: one finding per system",
            vec![
                revoked(),
                acts(t() + h(1)),
                with_row(row("okta", e1, "Everyone", after()), |r| {
                    r.last_used_at = Some(t() + h(1));
                    r.status = ReconciliationStatus::ExpectedMissing;
                }),
            ],
            vec![ACTIVITY_AFTER_TERMINATION, ACTIVITY_AFTER_TERMINATION],
        ),
        (
            "someone else acting after e1 left",
            vec![
                revoked(),
                by(grant("github", "breakglass-1", "owner", t() + h(1)), "x@y"),
            ],
            vec![],
        ),
    ];
    run_table(&base, cases);
}

#[test]
fn mover_table() {
    let e1 = mail("e1");
    let e1 = e1.as_str();
    // e1 moves from engineer to analyst at t(): aws ReadOnly and github member are old-role
    // only; okta Everyone is everyone's.
    let base = [
        person("e1", "engineer"),
        row("okta", e1, "Everyone", before()),
        row("aws", e1, "ReadOnly", before()),
        mover("e1", t(), "engineer", "analyst"),
    ];
    let cases = vec![
        (
            "revoked at 6d23h59m is inside the window",
            vec![revoke("aws", e1, "ReadOnly", t() + d(6) + h(23) + m(59))],
            vec![],
        ),
        (
            "revoked exactly at 7d is inside",
            vec![revoke("aws", e1, "ReadOnly", t() + d(7))],
            vec![],
        ),
        (
            "revoked at 7d + 1s is retained",
            vec![revoke("aws", e1, "ReadOnly", t() + d(7) + s(1))],
            vec![MOVER_RETAINED_ACCESS],
        ),
        ("never removed", vec![], vec![MOVER_RETAINED_ACCESS]),
        (
            "removed 24h before the move",
            vec![revoke("aws", e1, "ReadOnly", t() - h(24))],
            vec![],
        ),
        (
            "removed 24h and one second before: not the move (unexplained), but nothing was left",
            vec![revoke("aws", e1, "ReadOnly", t() - h(24) - s(1))],
            vec![CHANGE_WITHOUT_EVENT],
        ),
        (
            "the whole account disabled inside the window",
            vec![disable("aws", e1, t() + d(2))],
            vec![],
        ),
        (
            "a different entitlement revoked does not count",
            vec![revoke("aws", e1, "Other", t() + d(2))],
            vec![CHANGE_WITHOUT_EVENT, MOVER_RETAINED_ACCESS],
        ),
        (
            "one finding per entitlement: github kept, aws removed",
            vec![
                row("github", e1, "member", before()),
                revoke("aws", e1, "ReadOnly", t() + d(1)),
            ],
            vec![MOVER_RETAINED_ACCESS],
        ),
        (
            "two old-role entitlements kept: two findings",
            vec![row("github", e1, "member", before())],
            vec![MOVER_RETAINED_ACCESS, MOVER_RETAINED_ACCESS],
        ),
        (
            "retained access is never also drift",
            vec![
                row("aws", e1, "ReadOnly", after()),
                row("aws", e1, "ReadOnly", at(2025, 7, 31, 0)),
            ],
            vec![MOVER_RETAINED_ACCESS],
        ),
    ];
    run_table(&base, cases);
}

#[test]
fn change_without_authoritative_event_table() {
    let e1 = mail("e1");
    let e1 = e1.as_str();
    let base = [
        person("e1", "engineer"),
        row("github", e1, "member", before()),
    ];
    let cases = vec![
        (
            "revoke with nothing behind it",
            vec![revoke("github", e1, "member", t())],
            vec![CHANGE_WITHOUT_EVENT],
        ),
        (
            "disable with nothing behind it",
            vec![disable("github", e1, t())],
            vec![CHANGE_WITHOUT_EVENT],
        ),
        (
            "explained by a departure effective 24h later",
            vec![
                leaver("e1", t() + h(24)),
                revoke("github", e1, "member", t()),
            ],
            vec![],
        ),
        (
            "a departure 24h and one second later does not explain it (and nothing was left)",
            vec![
                leaver("e1", t() + h(24) + s(1)),
                revoke("github", e1, "member", t()),
            ],
            vec![CHANGE_WITHOUT_EVENT],
        ),
        (
            "explained by a departure long before (late, not unexplained)",
            vec![
                row("github", e1, "member", at(2025, 4, 30, 0)),
                leaver("e1", t() - d(30)),
                revoke("github", e1, "member", t()),
            ],
            vec![LEAVER_REVOKED_LATE],
        ),
        (
            "explained by a mover whose new profile lacks the entitlement",
            vec![
                mover("e1", t(), "engineer", "analyst"),
                revoke("github", e1, "member", t() + d(1)),
            ],
            vec![],
        ),
        (
            "a mover whose new profile keeps the entitlement does not explain it",
            vec![
                mover("e1", t(), "engineer", "sre"),
                revoke("github", e1, "member", t() + d(1)),
            ],
            vec![CHANGE_WITHOUT_EVENT],
        ),
        (
            "disable explained by a mover to a role with nothing on the system",
            vec![
                mover("e1", t(), "engineer", "analyst"),
                disable("github", e1, t() + d(1)),
            ],
            vec![],
        ),
        (
            "disable not explained when the new role still has access there",
            vec![
                mover("e1", t(), "engineer", "sre"),
                disable("github", e1, t() + d(1)),
            ],
            vec![CHANGE_WITHOUT_EVENT],
        ),
        (
            "explained by an approval decided before",
            vec![
                approval("e1", "github", "member", t() - h(1)),
                revoke("github", e1, "member", t()),
            ],
            vec![],
        ),
        (
            "an approval decided after does not explain it",
            vec![
                approval("e1", "github", "member", t() + h(1)),
                revoke("github", e1, "member", t()),
            ],
            vec![CHANGE_WITHOUT_EVENT],
        ),
        (
            "an approval for another entitlement does not explain it",
            vec![
                approval("e1", "github", "maintainer", t() - h(1)),
                revoke("github", e1, "member", t()),
            ],
            vec![CHANGE_WITHOUT_EVENT],
        ),
        (
            "a failed removal is not a change",
            vec![outcome(
                revoke("github", e1, "member", t()),
                Outcome::Failed,
            )],
            vec![EXECUTION_FAILED_UNCONFIRMED],
        ),
        (
            "a removal outside the period is not checked",
            vec![revoke("github", e1, "member", at(2024, 12, 31, 0))],
            vec![],
        ),
        (
            "an unapproved grant is only a grant finding",
            vec![grant("github", e1, "maintainer", t())],
            vec![GRANT_WITHOUT_APPROVAL],
        ),
    ];
    run_table(&base, cases);
}
