//! What the systems hold: SoD conflicts, unconfirmed changes, orphans and drift, at the
//! boundaries the README's check semantics name.

use evidentia_domain::{Coverage, IdentityKind, Outcome, ProvisioningAction, ReconciliationStatus};

use super::*;
use crate::checks::access::{
    EXECUTION_FAILED_UNCONFIRMED, ORPHAN_ACCOUNT, SOD_CONFLICT, UNEXPECTED_ENTITLEMENT,
};
use crate::checks::approvals::GRANT_WITHOUT_APPROVAL;
use crate::checks::exceptions::EXPIRED_ACTIVE;
use crate::checks::lifecycle::MOVER_RETAINED_ACCESS;

fn june() -> Timestamp {
    at(2025, 6, 30, 0)
}

fn july() -> Timestamp {
    at(2025, 7, 31, 0)
}

#[test]
fn sod_table() {
    let f1 = mail("f1");
    let f1 = f1.as_str();
    // f1, an analyst, holds Payments-Create by birthright and was approved for
    // Payments-Approve (so it is not drift): both sides of SOD-PAY at the June month-end.
    let base = [
        person("f1", "analyst"),
        approval("f1", "finance", "Payments-Approve", at(2025, 2, 1, 0)),
    ];
    let both = |when| {
        [
            row("finance", f1, "Payments-Create", when),
            row("finance", f1, "Payments-Approve", when),
        ]
    };
    let cases = vec![
        ("both sides held", both(june()).to_vec(), vec![SOD_CONFLICT]),
        (
            "one side only",
            vec![row("finance", f1, "Payments-Create", june())],
            vec![],
        ),
        (
            "held over two month-ends: one finding per identity and rule",
            [both(june()), both(july())].concat(),
            vec![SOD_CONFLICT],
        ),
        (
            "unexpired exception on the b side",
            [
                both(june()).to_vec(),
                vec![exception(
                    "EX-1",
                    "f1",
                    "finance",
                    "Payments-Approve",
                    at(2025, 6, 1, 0),
                    Some(at(2025, 7, 15, 0)),
                )],
            ]
            .concat(),
            vec![],
        ),
        (
            "unexpired exception on the a side",
            [
                both(june()).to_vec(),
                vec![exception(
                    "EX-1",
                    "f1",
                    "finance",
                    "Payments-Create",
                    at(2025, 6, 1, 0),
                    Some(at(2025, 7, 15, 0)),
                )],
            ]
            .concat(),
            vec![],
        ),
        (
            "exception expired before the snapshot: conflict, and expired-active",
            [
                both(june()).to_vec(),
                vec![exception(
                    "EX-1",
                    "f1",
                    "finance",
                    "Payments-Approve",
                    at(2025, 6, 1, 0),
                    Some(at(2025, 6, 29, 0)),
                )],
            ]
            .concat(),
            vec![EXPIRED_ACTIVE, SOD_CONFLICT],
        ),
        (
            "exception for someone else",
            [
                both(june()).to_vec(),
                vec![exception(
                    "EX-1",
                    "x9",
                    "finance",
                    "Payments-Approve",
                    at(2025, 6, 1, 0),
                    Some(at(2025, 7, 15, 0)),
                )],
            ]
            .concat(),
            vec![SOD_CONFLICT],
        ),
        (
            "snapshot outside the period",
            both(at(2024, 12, 31, 0)).to_vec(),
            vec![],
        ),
        (
            "a side shown as expected-missing is not held",
            vec![
                row("finance", f1, "Payments-Create", june()),
                with_row(row("finance", f1, "Payments-Approve", june()), |r| {
                    r.status = ReconciliationStatus::ExpectedMissing;
                }),
            ],
            vec![],
        ),
        (
            "a move that keeps the old conflicting side: mover retained + SoD",
            vec![
                row("finance", f1, "Payments-Create", at(2025, 5, 31, 0)),
                mover("f1", t(), "analyst", "manager"),
                row("finance", f1, "Payments-Create", june()),
                row("finance", f1, "Payments-Approve", june()),
            ],
            vec![MOVER_RETAINED_ACCESS, SOD_CONFLICT],
        ),
    ];
    run_table(&base, cases);
}

#[test]
fn failed_unconfirmed_table() {
    let e1 = mail("e1");
    let e1 = e1.as_str();
    let base = [
        person("e1", "engineer"),
        approval("e1", "aws", "ReadOnly", t() - d(1)),
    ];
    let failed = || outcome(grant("aws", e1, "ReadOnly", t()), Outcome::Failed);
    let cases = vec![
        (
            "failed, never retried",
            vec![failed()],
            vec![EXECUTION_FAILED_UNCONFIRMED],
        ),
        (
            "failed, retried 10 minutes later",
            vec![failed(), grant("aws", e1, "ReadOnly", t() + m(10))],
            vec![],
        ),
        (
            "failed, retried weeks later: confirmed all the same (never confirmed is the gap)",
            vec![failed(), grant("aws", e1, "ReadOnly", t() + d(40))],
            vec![],
        ),
        (
            "failed, retried only after the period",
            vec![failed(), grant("aws", e1, "ReadOnly", as_of() + d(1))],
            vec![EXECUTION_FAILED_UNCONFIRMED],
        ),
        (
            "queued, confirmed by the system's next snapshot a month later",
            vec![
                outcome(grant("aws", e1, "ReadOnly", t()), Outcome::Queued),
                row("aws", e1, "ReadOnly", t() + d(30)),
            ],
            vec![],
        ),
        (
            "failed, the retry failed too: one finding per key",
            vec![
                failed(),
                outcome(grant("aws", e1, "ReadOnly", t() + m(10)), Outcome::Failed),
            ],
            vec![EXECUTION_FAILED_UNCONFIRMED],
        ),
        (
            "failed, a different entitlement succeeded",
            vec![
                failed(),
                approval("e1", "aws", "PowerUser", t() - d(1)),
                grant("aws", e1, "PowerUser", t() + m(10)),
            ],
            vec![EXECUTION_FAILED_UNCONFIRMED],
        ),
        (
            "failed, the success came before it",
            vec![grant("aws", e1, "ReadOnly", t() - m(10)), failed()],
            vec![EXECUTION_FAILED_UNCONFIRMED],
        ),
        (
            "queued, never confirmed",
            vec![outcome(grant("aws", e1, "ReadOnly", t()), Outcome::Queued)],
            vec![EXECUTION_FAILED_UNCONFIRMED],
        ),
        (
            "queued account creation confirmed by a later account creation",
            vec![
                outcome(
                    exec("aws", e1, ProvisioningAction::CreateAccount, None, t()),
                    Outcome::Queued,
                ),
                approval("e1", "aws", "account", t() - d(1)),
                exec(
                    "aws",
                    e1,
                    ProvisioningAction::CreateAccount,
                    None,
                    t() + d(1),
                ),
            ],
            vec![],
        ),
        (
            "failed revoke, retried",
            vec![
                approval("e1", "aws", "Old", t() - d(1)),
                outcome(revoke("aws", e1, "Old", t()), Outcome::Failed),
                revoke("aws", e1, "Old", t() + h(1)),
            ],
            vec![],
        ),
        (
            "succeeded executions are never this finding",
            vec![grant("aws", e1, "ReadOnly", t())],
            vec![],
        ),
        (
            "failed outside the period",
            vec![outcome(
                grant("aws", e1, "ReadOnly", at(2024, 12, 31, 0)),
                Outcome::Failed,
            )],
            vec![],
        ),
    ];
    run_table(&base, cases);
}

/// README: "a queued account creation is confirmed by any later succeeded add". The engine
/// also requires the add to name the same entitlement as the creation (none), so a later
/// grant of a group does not confirm it.
#[test]
fn queued_account_creation_confirmed_by_any_later_add() {
    let e1 = mail("e1");
    let found = check([
        person("e1", "engineer"),
        approval("e1", "aws", "ReadOnly", t() - d(1)),
        outcome(
            exec("aws", &e1, ProvisioningAction::CreateAccount, None, t()),
            Outcome::Queued,
        ),
        grant("aws", &e1, "ReadOnly", t() + d(1)),
    ]);
    assert_eq!(found, Vec::<&str>::new());
}

#[test]
fn orphan_table() {
    let base = [person("e1", "engineer")];
    let cases = vec![
        (
            "execution on an account nobody owns",
            vec![grant("aws", "ghost", "ReadOnly", t())],
            vec![ORPHAN_ACCOUNT],
        ),
        (
            "present row of an account nobody owns",
            vec![row("aws", "ghost", "ReadOnly", june())],
            vec![ORPHAN_ACCOUNT],
        ),
        (
            "execution and rows on one account: one finding",
            vec![
                grant("aws", "ghost", "ReadOnly", t()),
                row("aws", "ghost", "ReadOnly", june()),
                row("aws", "ghost", "PowerUser", july()),
            ],
            vec![ORPHAN_ACCOUNT],
        ),
        (
            "the same name on two systems: two findings",
            vec![
                row("aws", "ghost", "ReadOnly", june()),
                row("github", "ghost", "member", june()),
            ],
            vec![ORPHAN_ACCOUNT, ORPHAN_ACCOUNT],
        ),
        (
            "an ignored break-glass account is not an orphan",
            vec![
                grant("aws", "breakglass-1", "Admins", t()),
                row("aws", "breakglass-1", "Admins", june()),
            ],
            vec![],
        ),
        (
            "an account that correlates (email) is not an orphan",
            vec![row("okta", &mail("e1"), "Everyone", june())],
            vec![],
        ),
        (
            "an expected-missing row is not an account",
            vec![with_row(row("aws", "ghost", "ReadOnly", june()), |r| {
                r.status = ReconciliationStatus::ExpectedMissing;
            })],
            vec![],
        ),
        (
            "outside the period",
            vec![
                grant("aws", "ghost", "ReadOnly", at(2024, 12, 1, 0)),
                row("aws", "ghost", "ReadOnly", at(2024, 12, 31, 0)),
            ],
            vec![],
        ),
    ];
    run_table(&base, cases);
}

#[test]
fn unexpected_entitlement_table() {
    let e1 = mail("e1");
    let e1 = e1.as_str();
    let n1 = mail("n1");
    let n1 = n1.as_str();
    let base = [
        person("e1", "engineer"),
        nhi(
            "svc1",
            IdentityKind::ServiceAccount,
            Some("own"),
            at(2024, 1, 1, 0),
        ),
    ];
    let drift = || row("aws", e1, "PowerUser", june());
    let cases = vec![
        (
            "explained by nothing",
            vec![drift()],
            vec![UNEXPECTED_ENTITLEMENT],
        ),
        (
            "explained by the role's profile",
            vec![row("aws", e1, "ReadOnly", june())],
            vec![],
        ),
        (
            "explained by the \"*\" profile",
            vec![row("okta", e1, "Everyone", june())],
            vec![],
        ),
        (
            "explained by an approval decided before the snapshot",
            vec![approval("e1", "aws", "PowerUser", june() - d(1)), drift()],
            vec![],
        ),
        (
            "an approval decided after the snapshot does not explain it",
            vec![approval("e1", "aws", "PowerUser", june() + s(1)), drift()],
            vec![UNEXPECTED_ENTITLEMENT],
        ),
        (
            "an approval expired before the snapshot does not explain it: past expiry",
            vec![
                with_approval(approval("e1", "aws", "PowerUser", june() - d(60)), |a| {
                    a.expires_at = Some(june() - d(1));
                }),
                drift(),
            ],
            // Not explained, but the approval that once covered it is the finding's evidence:
            // held past its end rather than drift (convention 17).
            vec![crate::checks::expiry::ACCESS_PAST_EXPIRY],
        ),
        (
            "a rejected approval does not explain it",
            vec![
                with_approval(approval("e1", "aws", "PowerUser", june() - d(1)), |a| {
                    a.decision = Decision::Rejected;
                }),
                drift(),
            ],
            vec![UNEXPECTED_ENTITLEMENT],
        ),
        (
            "explained by an exception",
            vec![
                exception(
                    "EX-1",
                    "e1",
                    "aws",
                    "PowerUser",
                    at(2025, 6, 1, 0),
                    Some(at(2025, 8, 1, 0)),
                ),
                drift(),
            ],
            vec![],
        ),
        (
            "an expired exception: only the exception check judges it",
            vec![
                exception(
                    "EX-1",
                    "e1",
                    "aws",
                    "PowerUser",
                    at(2025, 5, 1, 0),
                    Some(at(2025, 6, 1, 0)),
                ),
                drift(),
            ],
            vec![EXPIRED_ACTIVE],
        ),
        (
            "the prior role of a move: no drift, but kept past the window (the first aws snapshot after the move shows it)",
            vec![mover("e1", at(2025, 6, 15, 0), "sre", "engineer"), drift()],
            vec![crate::checks::lifecycle::MOVER_RETAINED_ACCESS],
        ),
        (
            "explained by a logged, approved grant",
            vec![
                approval("e1", "aws", "PowerUser", at(2025, 2, 1, 0)),
                grant("aws", e1, "PowerUser", at(2025, 2, 2, 0)),
                drift(),
            ],
            vec![],
        ),
        (
            "a logged grant that is itself a finding is never also drift",
            vec![grant("aws", e1, "PowerUser", at(2025, 2, 2, 0)), drift()],
            vec![GRANT_WITHOUT_APPROVAL],
        ),
        (
            "a grant logged before the period does not explain it",
            vec![grant("aws", e1, "PowerUser", at(2024, 12, 1, 0)), drift()],
            vec![UNEXPECTED_ENTITLEMENT],
        ),
        (
            "seen in two snapshots: one finding",
            vec![drift(), row("aws", e1, "PowerUser", july())],
            vec![UNEXPECTED_ENTITLEMENT],
        ),
        (
            "after the identity departed it is the leaver's business (and still held: not revoked)",
            vec![leaver("e1", at(2025, 6, 1, 0)), drift()],
            vec![crate::checks::lifecycle::LEAVER_NOT_REVOKED],
        ),
        (
            "NHI: explained by its kind's profile",
            vec![row("aws", "svc1", "ReadOnly", june())],
            vec![],
        ),
        (
            "NHI: not in its kind's profile",
            vec![row("aws", "svc1", "PowerUser", june())],
            vec![UNEXPECTED_ENTITLEMENT],
        ),
        (
            "NHI: the human \"*\" profile does not apply",
            vec![row("okta", "svc1", "Everyone", june())],
            vec![UNEXPECTED_ENTITLEMENT],
        ),
        (
            "the role at the snapshot decides: sre from July, PowerUser seen in July",
            vec![
                person("n1", "engineer"),
                mover("n1", at(2025, 7, 3, 0), "engineer", "sre"),
                row("aws", n1, "PowerUser", july()),
            ],
            vec![],
        ),
        (
            "the role at the snapshot decides: still an engineer in June",
            vec![
                person("n1", "engineer"),
                mover("n1", at(2025, 7, 3, 0), "engineer", "sre"),
                row("aws", n1, "PowerUser", june()),
            ],
            vec![UNEXPECTED_ENTITLEMENT],
        ),
        (
            "outside the period",
            vec![row("aws", e1, "PowerUser", at(2024, 12, 31, 0))],
            vec![],
        ),
    ];
    run_table(&base, cases);
}

/// A vendor listing shows absence only for what it covers: a queued revoke is not confirmed by
/// a member list of another group, nor by a user list; the group's own member list, or a full
/// reconciliation, confirms it.
#[test]
fn partial_listings_confirm_only_what_they_cover() {
    let (e1, e2) = (mail("e1"), mail("e2"));
    let (e1, e2) = (e1.as_str(), e2.as_str());
    // e2 holds both groups, approved: the member lists need someone in them.
    let base = [
        person("e2", "engineer"),
        approval("e2", "aws", "Other", t() - d(3)),
        approval("e2", "aws", "Old", t() - d(3)),
        person("e1", "engineer"),
        approval("e1", "aws", "Old", t() - d(1)),
        grant("aws", e1, "Old", t() - m(30)),
        outcome(revoke("aws", e1, "Old", t()), Outcome::Queued),
    ];
    let listing = |account: &str, entitlement: Option<&str>, coverage: Coverage| {
        with_row(row("aws", account, "x", t() + d(2)), |r| {
            r.entitlement = entitlement.map(Into::into);
            r.coverage = Some(std::sync::Arc::new(coverage));
        })
    };
    run_table(
        &base,
        vec![
            (
                "nothing listed since: unconfirmed",
                vec![],
                vec![EXECUTION_FAILED_UNCONFIRMED],
            ),
            (
                "another group's member list, e1 not in it: proves nothing",
                vec![listing(e2, Some("Other"), Coverage::holders_of("Other"))],
                vec![EXECUTION_FAILED_UNCONFIRMED],
            ),
            (
                "a user list showing e1's account: says nothing of the group",
                vec![listing(e1, None, Coverage::accounts())],
                vec![EXECUTION_FAILED_UNCONFIRMED],
            ),
            (
                "the group's own member list, e1 not in it: confirmed",
                vec![listing(e2, Some("Old"), Coverage::holders_of("old"))],
                vec![],
            ),
            (
                "a full reconciliation without the group: confirmed",
                vec![listing(e1, None, Coverage::full())],
                vec![],
            ),
        ],
    );
}
