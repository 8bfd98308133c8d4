//! A leaver's credentials judged one by one (issue #19): revoked within the SLA (exactly at it
//! is on time), late, never, contradicted by the next listing, used after the leave time, and
//! independent of the account's own verdict.

use evidentia_domain::ProvisioningAction;

use super::*;
use crate::checks::credentials::{
    CREDENTIAL_NOT_REVOKED, CREDENTIAL_REVOKED_LATE, CREDENTIAL_USED_AFTER_LEAVE,
};
use crate::checks::lifecycle::{ACTIVITY_AFTER_TERMINATION, LEAVER_NOT_REVOKED};

const KEY: &str = "AKIAEXAMPLEKEY000001";

/// The month-end listing before `t()`.
fn before() -> Timestamp {
    at(2025, 5, 31, 0)
}

/// The month-end listing after `t()`.
fn after() -> Timestamp {
    at(2025, 6, 30, 0)
}

/// `account`'s access key in aws's listing at `as_of`, last used at `used` if given.
fn key_row(account: &str, as_of: Timestamp, used: Option<Timestamp>) -> R {
    with_row(row("aws", account, KEY, as_of), |r| {
        r.credential = true;
        r.last_used_at = used;
    })
}

fn key_change(account: &str, action: ProvisioningAction, at: Timestamp) -> R {
    exec("aws", account, action, Some(KEY), at)
}

#[test]
fn leaver_credential_table() {
    let e1 = mail("e1");
    let e1 = e1.as_str();
    // e1 holds aws (24h SLA): ReadOnly and an access key of its own.
    let base = [
        person("e1", "engineer"),
        row("aws", e1, "ReadOnly", before()),
        key_row(e1, before(), Some(before() - d(1))),
    ];
    let account_gone = |at| revoke("aws", e1, "ReadOnly", at);
    let cases = vec![
        (
            "account and key removed on time: clean",
            vec![
                leaver("e1", t()),
                account_gone(t() + h(1)),
                key_change(e1, ProvisioningAction::CredentialDeactivated, t() + h(2)),
            ],
            vec![],
        ),
        (
            "key deactivated exactly at the SLA (24h) is on time",
            vec![
                leaver("e1", t()),
                account_gone(t() + h(1)),
                key_change(e1, ProvisioningAction::CredentialDeactivated, t() + h(24)),
            ],
            vec![],
        ),
        (
            "key deactivated one second past the SLA is late; the account was on time",
            vec![
                leaver("e1", t()),
                account_gone(t() + h(1)),
                key_change(
                    e1,
                    ProvisioningAction::CredentialDeleted,
                    t() + h(24) + s(1),
                ),
            ],
            vec![CREDENTIAL_REVOKED_LATE],
        ),
        (
            "the AWS case: account revoked on time, the key still active in the next listing",
            vec![
                leaver("e1", t()),
                account_gone(t() + h(1)),
                key_row(e1, after(), Some(before() - d(1))),
            ],
            vec![CREDENTIAL_NOT_REVOKED],
        ),
        (
            "never revoked and no listing after: the log is the evidence",
            vec![leaver("e1", t()), account_gone(t() + h(1))],
            vec![CREDENTIAL_NOT_REVOKED],
        ),
        (
            "deactivated on time, but the next listing still shows it active",
            vec![
                leaver("e1", t()),
                account_gone(t() + h(1)),
                key_change(e1, ProvisioningAction::CredentialDeactivated, t() + h(2)),
                key_row(e1, after(), None),
            ],
            vec![CREDENTIAL_NOT_REVOKED],
        ),
        (
            "gone from the next listing without a logged revocation: removed, time unknown",
            vec![
                leaver("e1", t()),
                account_gone(t() + h(1)),
                // The next full listing shows someone else, not e1's key.
                person("e2", "engineer"),
                row("aws", &mail("e2"), "ReadOnly", after()),
            ],
            vec![],
        ),
        (
            "the account deleted takes its keys with it",
            vec![
                leaver("e1", t()),
                exec("aws", e1, ProvisioningAction::Delete, None, t() + h(3)),
            ],
            vec![],
        ),
        (
            "a key used after the leave time: its own finding, not also account activity",
            vec![
                leaver("e1", t()),
                account_gone(t() + h(1)),
                key_change(e1, ProvisioningAction::CredentialDeactivated, t() + h(2)),
                key_row(e1, after(), Some(t() + h(1))),
            ],
            vec![CREDENTIAL_USED_AFTER_LEAVE, CREDENTIAL_NOT_REVOKED],
        ),
        (
            "a key last used exactly at the leave time is not use after it",
            vec![
                leaver("e1", t()),
                account_gone(t() + h(1)),
                key_change(e1, ProvisioningAction::CredentialDeleted, t() + h(2)),
                with_row(key_row(e1, after(), Some(t())), |r| {
                    r.status = ReconciliationStatus::Disabled;
                }),
            ],
            vec![],
        ),
        (
            "a call signed with the key after leaving is the key's use; a console sign-in stays the account's",
            vec![
                leaver("e1", t()),
                account_gone(t() + h(1)),
                key_change(e1, ProvisioningAction::CredentialDeleted, t() + h(2)),
                with_activity(sign_in("aws", e1, t() + m(30), t() + m(30)), |a| {
                    a.channel = ActivityChannel::ApiCall;
                    a.interactive = false;
                    a.credential = Some(KEY.into());
                }),
                sign_in("aws", e1, t() + m(40), t() + m(40)),
            ],
            vec![ACTIVITY_AFTER_TERMINATION, CREDENTIAL_USED_AFTER_LEAVE],
        ),
        (
            "the account never revoked: one finding, the account's (its key is part of it)",
            vec![leaver("e1", t())],
            vec![LEAVER_NOT_REVOKED],
        ),
    ];
    run_table(&base, cases);
}

/// svc9's access key in aws's listing at `listed`, last used at `used`.
fn svc_key(listed: Timestamp, used: Option<Timestamp>) -> R {
    with_row(row("aws", "svc9", "AKIASVC9KEY000000001", listed), |r| {
        r.credential = true;
        r.last_used_at = used;
    })
}

#[test]
fn nhi_credential_stale_table() {
    use crate::checks::credentials::NHI_CREDENTIAL_STALE;
    let listed = at(2025, 6, 30, 0);
    let base = [
        person("o1", "engineer"),
        nhi(
            "svc9",
            IdentityKind::ServiceAccount,
            Some("o1"),
            at(2024, 1, 1, 0),
        ),
    ];
    let cases = vec![
        (
            "idle exactly the limit (90 days) at the listing: not stale",
            vec![svc_key(listed, Some(listed - d(90)))],
            vec![],
        ),
        (
            "idle one second more: stale",
            vec![svc_key(listed, Some(listed - d(90) - s(1)))],
            vec![NHI_CREDENTIAL_STALE],
        ),
        (
            "stale at two listings: one finding",
            vec![
                svc_key(listed, Some(listed - d(100))),
                svc_key(at(2025, 7, 31, 0), Some(listed - d(100))),
            ],
            vec![NHI_CREDENTIAL_STALE],
        ),
        (
            "a call it signed after the listing's last-used date counts as its last use",
            vec![
                svc_key(listed, Some(listed - d(100))),
                with_activity(
                    sign_in("aws", "svc9", listed - d(10), listed - d(10)),
                    |a| {
                        a.channel = ActivityChannel::ApiCall;
                        a.interactive = false;
                        a.credential = Some("AKIASVC9KEY000000001".into());
                    },
                ),
            ],
            vec![],
        ),
        (
            "a listing before the period is not judged",
            vec![svc_key(at(2024, 12, 31, 0), Some(at(2024, 1, 1, 0)))],
            vec![],
        ),
        (
            "no last-used date: not assessed, not a finding",
            vec![svc_key(listed, None)],
            vec![],
        ),
    ];
    run_table(&base, cases);
    // The credential with no last-used date is listed as not assessed, with its listing.
    let judged = analysis(
        base.iter()
            .cloned()
            .chain([svc_key(listed, None), svc_key(at(2025, 7, 31, 0), None)]),
    );
    let [unjudged] = judged.not_assessed.as_slice() else {
        panic!("{:?}", judged.not_assessed);
    };
    assert_eq!(
        (
            unjudged.check,
            unjudged.credential.as_str(),
            unjudged.evidence.len()
        ),
        (NHI_CREDENTIAL_STALE, "AKIASVC9KEY000000001", 2)
    );
}

#[test]
fn access_past_expiry_table() {
    use crate::checks::expiry::ACCESS_PAST_EXPIRY;
    let e1 = mail("e1");
    let e1 = e1.as_str();
    let decided = at(2025, 5, 1, 9);
    let ends = at(2025, 5, 31, 23);
    let timebound = || {
        with_approval(approval("e1", "aws", "PowerUser", decided), |a| {
            a.expires_at = Some(ends)
        })
    };
    let base = [
        person("e1", "engineer"),
        timebound(),
        grant("aws", e1, "PowerUser", decided + h(1)),
    ];
    let cases = vec![
        (
            "removed exactly at the expiry: in time",
            vec![revoke("aws", e1, "PowerUser", ends)],
            vec![],
        ),
        (
            "removed one second after the expiry",
            vec![revoke("aws", e1, "PowerUser", ends + s(1))],
            vec![ACCESS_PAST_EXPIRY],
        ),
        (
            "never removed, the next listing still shows it: past expiry, not drift",
            vec![
                row("aws", e1, "ReadOnly", at(2025, 6, 30, 0)),
                row("aws", e1, "PowerUser", at(2025, 6, 30, 0)),
            ],
            vec![ACCESS_PAST_EXPIRY],
        ),
        (
            "gone from the next listing: removed at a time the evidence does not tell",
            vec![row("aws", e1, "ReadOnly", at(2025, 6, 30, 0))],
            vec![],
        ),
        (
            "renewed before the expiry with no end: still covered",
            vec![
                approval("e1", "aws", "PowerUser", ends - d(1)),
                row("aws", e1, "PowerUser", at(2025, 6, 30, 0)),
            ],
            vec![],
        ),
    ];
    run_table(&base, cases);
}

/// Access granted before the evidence begins and first listed after the approval's end is the
/// access the approval covered, unless the log shows it granted anew after the end.
#[test]
fn access_past_expiry_first_listed_after_the_end_table() {
    use crate::checks::approvals::GRANT_WITHOUT_APPROVAL;
    use crate::checks::expiry::ACCESS_PAST_EXPIRY;
    let e1 = mail("e1");
    let e1 = e1.as_str();
    let decided = at(2025, 5, 1, 9);
    let ends = at(2025, 5, 31, 23);
    let base = [
        person("e1", "engineer"),
        with_approval(approval("e1", "aws", "PowerUser", decided), |a| {
            a.expires_at = Some(ends)
        }),
        row("aws", e1, "ReadOnly", at(2025, 6, 30, 0)),
        row("aws", e1, "PowerUser", at(2025, 6, 30, 0)),
    ];
    let cases = vec![
        (
            "held from before the log, still listed after the end: past expiry",
            vec![],
            vec![ACCESS_PAST_EXPIRY],
        ),
        (
            "granted anew after the end: that grant is judged, not the old approval",
            vec![grant("aws", e1, "PowerUser", ends + d(2))],
            vec![GRANT_WITHOUT_APPROVAL],
        ),
    ];
    run_table(&base, cases);
}

#[test]
fn emergency_held_too_long_table() {
    use crate::checks::emergency::EMERGENCY_HELD_TOO_LONG;
    let e1 = mail("e1");
    let e1 = e1.as_str();
    let on = at(2025, 5, 10, 9);
    // Eligible for the JIT group (its approval), activated at `on`; the test policy allows
    // 8 hours.
    let base = [
        person("e1", "engineer"),
        approval("e1", "aws", "BreakGlassAdmins", on - d(30)),
        grant("aws", e1, "BreakGlassAdmins", on),
    ];
    let cases = vec![
        (
            "removed exactly at the maximum: in time",
            vec![revoke("aws", e1, "BreakGlassAdmins", on + h(8))],
            vec![],
        ),
        (
            "removed one second past the maximum",
            vec![revoke("aws", e1, "BreakGlassAdmins", on + h(8) + s(1))],
            vec![EMERGENCY_HELD_TOO_LONG],
        ),
        (
            "the account disabled within the maximum ends it (the disable itself has no reason)",
            vec![disable("aws", e1, on + h(2))],
            vec![crate::checks::lifecycle::CHANGE_WITHOUT_EVENT],
        ),
        ("never removed", vec![], vec![EMERGENCY_HELD_TOO_LONG]),
    ];
    run_table(&base, cases);
}
