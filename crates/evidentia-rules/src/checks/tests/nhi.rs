//! Non-human identities: owners, owners who left, credential age and human use, at the
//! boundaries the README's check semantics name.

use evidentia_domain::{IdentityKind, Outcome, ProvisioningAction};

use super::*;
use crate::checks::access::EXECUTION_FAILED_UNCONFIRMED;
use crate::checks::approvals::GRANT_WITHOUT_APPROVAL;
use crate::checks::nhi::{CREDENTIAL_LONG_LIVED, HUMAN_USE, OWNER_LEFT, WITHOUT_OWNER};

const SVC: IdentityKind = IdentityKind::ServiceAccount;
const KEY: IdentityKind = IdentityKind::AccessKey;

fn long_ago() -> Timestamp {
    at(2024, 1, 1, 0)
}

#[test]
fn without_owner_table() {
    let base = [person("o1", "engineer")];
    let cases = vec![
        (
            "created with an owner",
            vec![nhi("svc1", SVC, Some("o1"), long_ago())],
            vec![],
        ),
        (
            "created without one",
            vec![nhi("svc1", SVC, None, long_ago())],
            vec![WITHOUT_OWNER],
        ),
        (
            "the latest catalog row dropped the owner",
            vec![
                nhi("svc1", SVC, Some("o1"), long_ago()),
                owner_changed("svc1", SVC, None, t()),
            ],
            vec![WITHOUT_OWNER],
        ),
        (
            "an owner assigned later",
            vec![
                nhi("svc1", SVC, None, long_ago()),
                owner_changed("svc1", SVC, Some("o1"), t()),
            ],
            vec![],
        ),
        (
            "retired by the period end",
            vec![
                nhi("svc1", SVC, None, long_ago()),
                retired("svc1", SVC, t()),
            ],
            vec![],
        ),
        (
            "retired only after the period end",
            vec![
                nhi("svc1", SVC, None, long_ago()),
                retired("svc1", SVC, as_of() + d(1)),
            ],
            vec![WITHOUT_OWNER],
        ),
    ];
    run_table(&base, cases);
}

#[test]
fn owner_left_table() {
    // svc1 is owned by o1 from long ago; o1 leaves at t() unless a case says otherwise.
    let base = [
        person("o1", "engineer"),
        person("o2", "engineer"),
        nhi("svc1", SVC, Some("o1"), long_ago()),
    ];
    let to_o2 = |when| owner_changed("svc1", SVC, Some("o2"), when);
    let cases = vec![
        (
            "owner left, no handover",
            vec![leaver("o1", t())],
            vec![OWNER_LEFT],
        ),
        (
            "handed over 30 days after: a new owner by the end of the period",
            vec![leaver("o1", t()), to_o2(t() + d(30))],
            vec![],
        ),
        (
            "handed over only after the period ended",
            vec![leaver("o1", t()), to_o2(as_of() + d(1))],
            vec![OWNER_LEFT],
        ),
        (
            "handed over three days before the owner left",
            vec![to_o2(t() - d(3)), leaver("o1", t())],
            vec![],
        ),
        (
            "NHI retired by the period end is exempt",
            vec![leaver("o1", t()), retired("svc1", SVC, t() + d(40))],
            vec![],
        ),
        (
            "owner leaves after the period end",
            vec![leaver("o1", as_of() + d(1))],
            vec![],
        ),
        (
            "a new owner who leaves too, with no handover",
            vec![to_o2(t() - d(3)), leaver("o2", t())],
            vec![OWNER_LEFT],
        ),
    ];
    run_table(&base, cases);
}

/// An NHI still owned, in the period, by someone who left before it is owned by a leaver.
#[test]
fn owner_left_before_the_period_is_still_owned_by_a_leaver() {
    let found = check([
        person("o1", "engineer"),
        nhi("svc1", SVC, Some("o1"), long_ago()),
        leaver("o1", at(2024, 12, 1, 0)),
    ]);
    assert_eq!(found, vec![OWNER_LEFT]);
}

/// `[nhi].owner_handover` makes the handover due within a window of the owner leaving.
#[test]
fn owner_handover_window_from_the_policy() {
    let policy = Policy::from_toml(
        &POLICY.replace("[nhi]\n", "[nhi]\nowner_handover = \"30d\"\n"),
        "test.toml",
    )
    .expect("policy");
    assert_eq!(policy.nhi.owner_handover.map(|d| d.as_delta()), Some(d(30)));
    for (offset, expected) in [(d(30), 0), (d(30) + s(1), 1)] {
        let mut evidence = Evidence::default();
        let records = [
            approval("nobody", "github", "x", long_ago()),
            person("o1", "engineer"),
            person("o2", "engineer"),
            nhi("svc1", SVC, Some("o1"), long_ago()),
            leaver("o1", t()),
            owner_changed("svc1", SVC, Some("o2"), t() + offset),
        ];
        for (seq, r) in (1..).zip(records) {
            match r {
                R::Event(e) => evidence.events.push(Stored::new(seq, e)),
                R::Approval(a) => evidence.approvals.push(Stored::new(seq, a)),
                _ => {}
            }
        }
        let found = analyze(&evidence, &policy, as_of())
            .findings
            .iter()
            .filter(|f| f.check == OWNER_LEFT)
            .count();
        assert_eq!(found, expected, "handed over {offset} after");
    }
}

#[test]
fn credential_long_lived_table() {
    let base = [person("o1", "engineer")];
    let rotated = |when| {
        exec(
            "aws",
            "key1",
            ProvisioningAction::CredentialRotated,
            Some("AKIA1"),
            when,
        )
    };
    let key = |created| nhi("key1", KEY, Some("o1"), created);
    let svc_with_secret = |issued: Option<Timestamp>| {
        with_event(nhi("svc9", SVC, Some("o1"), long_ago()), move |e| {
            e.attributes.credential_issued_at = issued
        })
    };
    let cases = vec![
        (
            "a service account whose catalog dates its secret 200 days back",
            vec![svc_with_secret(Some(as_of() - d(200)))],
            vec![CREDENTIAL_LONG_LIVED],
        ),
        (
            "a service account whose catalog dates its secret 100 days back",
            vec![svc_with_secret(Some(as_of() - d(100)))],
            vec![],
        ),
        (
            "a service account with no credential date (platform-managed) is not judged",
            vec![svc_with_secret(None)],
            vec![],
        ),
        (
            "rotated 179.5 days before the period end",
            vec![key(long_ago()), rotated(as_of() - d(179) - h(12))],
            vec![],
        ),
        (
            "rotated exactly 180 days before",
            vec![key(long_ago()), rotated(as_of() - d(180))],
            vec![],
        ),
        (
            "rotated 181 days before",
            vec![key(long_ago()), rotated(as_of() - d(181))],
            vec![CREDENTIAL_LONG_LIVED],
        ),
        (
            "the latest rotation counts",
            vec![
                key(long_ago()),
                rotated(as_of() - d(181)),
                rotated(as_of() - d(10)),
            ],
            vec![],
        ),
        (
            "never rotated, catalog creation 179.5 days before",
            vec![key(as_of() - d(179) - h(12))],
            vec![],
        ),
        (
            "never rotated, catalog creation 181 days before",
            vec![key(as_of() - d(181))],
            vec![CREDENTIAL_LONG_LIVED],
        ),
        (
            "a failed rotation does not count",
            vec![
                key(long_ago()),
                outcome(rotated(as_of() - d(10)), Outcome::Failed),
            ],
            vec![EXECUTION_FAILED_UNCONFIRMED, CREDENTIAL_LONG_LIVED],
        ),
        (
            "a logged (approved) credential creation counts",
            vec![
                key(long_ago()),
                approval("key1", "aws", "AKIA1", as_of() - d(11)),
                exec(
                    "aws",
                    "key1",
                    ProvisioningAction::CredentialCreated,
                    Some("AKIA1"),
                    as_of() - d(10),
                ),
            ],
            vec![],
        ),
        (
            "certificates: 397 days is within 398",
            vec![nhi(
                "cert1",
                IdentityKind::Certificate,
                Some("o1"),
                as_of() - d(397),
            )],
            vec![],
        ),
        (
            "certificates: 399 days is over 398",
            vec![nhi(
                "cert1",
                IdentityKind::Certificate,
                Some("o1"),
                as_of() - d(399),
            )],
            vec![CREDENTIAL_LONG_LIVED],
        ),
        (
            "API tokens use the default maximum",
            vec![nhi(
                "tok1",
                IdentityKind::ApiToken,
                Some("o1"),
                as_of() - d(181),
            )],
            vec![CREDENTIAL_LONG_LIVED],
        ),
        (
            "a service account is not a credential",
            vec![nhi("svc1", SVC, Some("o1"), long_ago())],
            vec![],
        ),
        (
            "retired by the period end",
            vec![key(long_ago()), retired("key1", KEY, t())],
            vec![],
        ),
    ];
    run_table(&base, cases);
}

#[test]
fn human_use_table() {
    let e1 = mail("e1");
    let e1 = e1.as_str();
    let base = [
        person("e1", "engineer"),
        nhi("svc1", SVC, Some("e1"), long_ago()),
        approval("svc1", "aws", "console-login", t() - d(1)),
        approval("e1", "aws", "console-login", t() - d(1)),
    ];
    let login = |account: &str, event_type: &str, when| {
        source_type(grant("aws", account, "console-login", when), event_type)
    };
    let cases = vec![
        (
            "console login given to a service account",
            vec![login("svc1", "CreateLoginProfile", t())],
            vec![HUMAN_USE],
        ),
        (
            "the same event on a human's account",
            vec![login(e1, "CreateLoginProfile", t())],
            vec![],
        ),
        (
            "event types compare ignoring case",
            vec![login("svc1", "createloginprofile", t())],
            vec![HUMAN_USE],
        ),
        (
            "another interactive event",
            vec![login("svc1", "user.account.reset_password", t())],
            vec![HUMAN_USE],
        ),
        (
            "a non-interactive event on the service account",
            vec![login("svc1", "AttachUserPolicy", t())],
            vec![],
        ),
        (
            "a failed attempt is not use, only unconfirmed",
            vec![outcome(
                login("svc1", "CreateLoginProfile", t()),
                Outcome::Failed,
            )],
            vec![EXECUTION_FAILED_UNCONFIRMED],
        ),
        (
            "outside the period",
            vec![login("svc1", "CreateLoginProfile", at(2024, 12, 1, 0))],
            vec![],
        ),
        (
            "unapproved as well: two findings",
            vec![
                login("svc2", "CreateLoginProfile", t()),
                nhi("svc2", SVC, Some("e1"), long_ago()),
            ],
            vec![GRANT_WITHOUT_APPROVAL, HUMAN_USE],
        ),
    ];
    run_table(&base, cases);
}
