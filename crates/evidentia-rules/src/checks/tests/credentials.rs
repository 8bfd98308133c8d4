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

/// A listing that says when a key was revoked (an API key report's `Revoked` column) times
/// the revocation, where the listing alone shows only that it is gone.
#[test]
fn leaver_credential_revoked_per_the_listing_table() {
    let e1 = mail("e1");
    let e1 = e1.as_str();
    let base = [
        person("e1", "engineer"),
        row("aws", e1, "ReadOnly", before()),
        key_row(e1, before(), Some(before() - d(1))),
        leaver("e1", t()),
        revoke("aws", e1, "ReadOnly", t() + h(1)),
    ];
    let revoked_row = |at: Timestamp| {
        with_row(key_row(e1, after(), None), |r| {
            r.status = ReconciliationStatus::Disabled;
            r.revoked_at = Some(at);
        })
    };
    let cases = vec![
        (
            "listed revoked exactly at the SLA (24h): on time",
            vec![revoked_row(t() + h(24))],
            vec![],
        ),
        (
            "listed revoked one second past the SLA: late",
            vec![revoked_row(t() + h(24) + s(1))],
            vec![CREDENTIAL_REVOKED_LATE],
        ),
        (
            "listed revoked before the departure: not a leaver's key",
            vec![revoked_row(t() - d(3))],
            vec![],
        ),
    ];
    run_table(&base, cases);
}

/// "Never used" in a listing is last-used information: idle since the credential's creation.
#[test]
fn nhi_credential_never_used_table() {
    use crate::checks::credentials::NHI_CREDENTIAL_STALE;
    let listed = at(2025, 6, 30, 0);
    let never = |created: Option<Timestamp>| {
        with_row(svc_key(listed, None), |r| {
            r.never_used = true;
            r.created_at = created;
        })
    };
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
            "never used, created exactly the limit before the listing: not stale",
            vec![never(Some(listed - d(90)))],
            vec![],
        ),
        (
            "never used, created one second earlier: stale",
            vec![never(Some(listed - d(90) - s(1)))],
            vec![NHI_CREDENTIAL_STALE],
        ),
    ];
    run_table(&base, cases);
    // Never used with no creation date: how long it has idled is unknown.
    let judged = analysis(base.iter().cloned().chain([never(None)]));
    assert_eq!(judged.not_assessed.len(), 1, "{:?}", judged.not_assessed);
}

/// A catalogued NHI's dated credential that no listing, log or sign-in shows is not assessed;
/// the NHI's own non-interactive sign-in is its credential's use, a person's `su` is not.
#[test]
fn catalog_credential_without_use_is_not_assessed() {
    let catalogued = with_event(
        nhi(
            "svc8",
            IdentityKind::ServiceAccount,
            Some("o1"),
            at(2024, 1, 1, 0),
        ),
        |e| {
            e.attributes.aliases = vec!["svc8".into()];
            e.attributes.credential_issued_at = Some(at(2025, 3, 1, 0));
            e.attributes.credential_id = Some("SHA256:abc".into());
        },
    );
    let base = [person("o1", "engineer"), catalogued];
    let unjudged = |extra: Vec<R>| {
        analysis(base.iter().cloned().chain(extra))
            .not_assessed
            .iter()
            .map(|n| {
                (
                    n.identity.to_string(),
                    n.system.to_string(),
                    n.credential.clone(),
                )
            })
            .collect::<Vec<_>>()
    };
    let svc8 = vec![("svc8".to_owned(), "aws".to_owned(), "SHA256:abc".to_owned())];
    assert_eq!(unjudged(vec![]), svc8, "no use anywhere: not assessed");
    let own_sign_in = with_activity(
        sign_in("aws", "svc8", at(2025, 6, 1, 0), at(2025, 6, 1, 0)),
        |a| {
            a.interactive = false;
        },
    );
    assert_eq!(
        unjudged(vec![own_sign_in]),
        vec![],
        "its own sign-in is its use"
    );
    let su = sign_in("aws", "svc8", at(2025, 6, 1, 0), at(2025, 6, 1, 0));
    assert_eq!(
        unjudged(vec![su]),
        svc8,
        "a person's interactive use is not the key's"
    );
}

/// Post-activation review and break-glass tickets (issue #19): every use in the register and
/// every activation in the log.
#[test]
fn emergency_review_table() {
    use crate::checks::emergency::{BREAK_GLASS_NO_TICKET, EMERGENCY_NO_REVIEW};
    let e1 = mail("e1");
    let e1 = e1.as_str();
    let on = at(2025, 5, 10, 9);
    // e1 activates the JIT group for an hour; the register records it (window 72h).
    let activation = |at: Timestamp| {
        vec![
            grant("aws", e1, "BreakGlassAdmins", at),
            revoke("aws", e1, "BreakGlassAdmins", at + h(1)),
        ]
    };
    let base: Vec<R> = [person("e1", "engineer"), person("sec2", "security")]
        .into_iter()
        .chain(activation(on))
        .collect();
    let used = |reviewed| emergency_use("aws", e1, Some("BreakGlassAdmins"), on, "e1", reviewed);
    let glass = |ticket: Option<&str>| {
        with_use(
            emergency_use(
                "okta",
                "bg-admin",
                Some("Super Admin (break-glass)"),
                on + d(1),
                "e1",
                Some(h(2)),
            ),
            |u| u.ticket = ticket.map(Into::into),
        )
    };
    let cases = vec![
        (
            "reviewed exactly at the window's end: in time",
            vec![used(Some(h(72)))],
            vec![],
        ),
        (
            "reviewed one second after the window",
            vec![used(Some(h(72) + s(1)))],
            vec![EMERGENCY_NO_REVIEW],
        ),
        (
            "never reviewed",
            vec![used(None)],
            vec![EMERGENCY_NO_REVIEW],
        ),
        (
            "reviewed by its own user",
            vec![with_use(used(Some(h(1))), |u| {
                u.reviewer = Some(IdentityId::new(mail("e1")))
            })],
            vec![EMERGENCY_NO_REVIEW],
        ),
        (
            "a second activation in the log with no register row: never reviewed",
            [used(Some(h(1)))]
                .into_iter()
                .chain(activation(on + d(2)))
                .collect(),
            vec![EMERGENCY_NO_REVIEW],
        ),
        (
            "the register's start 15 minutes off the log's: the same use",
            vec![with_use(used(Some(h(1))), |u| u.activated_at = on + m(15))],
            vec![],
        ),
        (
            "a break-glass account (by the policy's pattern) used without a ticket",
            vec![used(Some(h(1))), glass(None)],
            vec![BREAK_GLASS_NO_TICKET],
        ),
        (
            "a break-glass use with a ticket",
            vec![used(Some(h(1))), glass(Some("INC0002"))],
            vec![],
        ),
    ];
    run_table(&base, cases);
    // Without a review window in the policy, no use is judged for review, logged or not.
    let policy = POLICY.replace("review_window = \"72h\"\n", "");
    let found = analysis_under(
        &policy,
        base.iter()
            .cloned()
            .chain(activation(on + d(2)))
            .chain([used(None)]),
    );
    assert!(
        !found
            .findings
            .iter()
            .any(|f| f.check == EMERGENCY_NO_REVIEW),
        "{:?}",
        found.findings
    );
}

/// Where the policy names a system's activation events, only those are activations: a direct
/// assignment of the JIT entitlement is a grant like any other.
#[test]
fn jit_activation_events_table() {
    use crate::checks::approvals::GRANT_WITHOUT_APPROVAL;
    let e1 = mail("e1");
    let e1 = e1.as_str();
    let on = at(2025, 5, 10, 9);
    let base = [person("e1", "engineer")];
    let cases = vec![
        (
            "activated and expired by PIM-like events: no request needed, no authority for its end",
            vec![
                source_type(grant("okta", e1, "JIT-Admins", on), "role.activate"),
                source_type(
                    revoke("okta", e1, "JIT-Admins", on + h(4)),
                    "role.activate.expired",
                ),
            ],
            vec![],
        ),
        (
            "assigned directly (another event type): a grant without approval, not an activation",
            vec![source_type(
                grant("okta", e1, "JIT-Admins", on),
                "role.assign",
            )],
            vec![GRANT_WITHOUT_APPROVAL],
        ),
    ];
    run_table(&base, cases);
}

/// Where the policy requires an approval per activation (PIM's "require approval to
/// activate"), an activation is judged like a grant: none, or one decided after it, is a
/// finding; one approved before it is not. Its end still needs no authority.
#[test]
fn activations_needing_their_own_approval_table() {
    use crate::checks::approvals::{ACCESS_BEFORE_APPROVAL, GRANT_WITHOUT_APPROVAL};
    let policy = format!("{POLICY}[emergency.approval_required]\nokta = [\"jit-*\"]\n");
    let e1 = mail("e1");
    let e1 = e1.as_str();
    let on = at(2025, 5, 10, 9);
    let activation = |approved: Option<Timestamp>| {
        let mut records = vec![
            person("e1", "engineer"),
            source_type(grant("okta", e1, "JIT-Admins", on), "role.activate"),
            source_type(
                revoke("okta", e1, "JIT-Admins", on + h(2)),
                "role.activate.expired",
            ),
        ];
        records.extend(approved.map(|t| approval("e1", "okta", "JIT-Admins", t)));
        records
    };
    let found = |policy: &str, records| -> Vec<&'static str> {
        analysis_under(policy, records)
            .findings
            .iter()
            .map(|f| f.check)
            .collect()
    };
    for (name, approved, expected) in [
        ("no request", None, vec![GRANT_WITHOUT_APPROVAL]),
        (
            "approved an hour after it",
            Some(on + h(1)),
            vec![ACCESS_BEFORE_APPROVAL],
        ),
        (
            "approved a minute before it",
            Some(on - TimeDelta::minutes(1)),
            vec![],
        ),
    ] {
        assert_eq!(found(&policy, activation(approved)), expected, "{name}");
    }
    // Without the setting, the eligibility authorises it.
    assert_eq!(found(POLICY, activation(None)), Vec::<&str>::new());
}
