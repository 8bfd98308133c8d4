//! Issue #19's metrics at their boundaries: absent when their evidence was not imported (never
//! 0 % or 100 % made up from nothing), and counted as the checks judge.

use evidentia_domain::ProvisioningAction;

use super::*;
use crate::checks::emergency::EMERGENCY_NO_REVIEW;
use crate::metrics::Share;

const KEY: &str = "AKIAEXAMPLEKEY000001";

fn key_row(account: &str, as_of: Timestamp) -> R {
    with_row(row("aws", account, KEY, as_of), |r| r.credential = true)
}

fn key_change(account: &str, action: ProvisioningAction, at: Timestamp) -> R {
    exec("aws", account, action, Some(KEY), at)
}

/// e1 (aws, 24h SLA) holding ReadOnly and a key in the listing before `t()`, leaving at `t()`
/// with the account revoked on time.
fn leaver_world() -> Vec<R> {
    let e1 = mail("e1");
    vec![
        person("e1", "engineer"),
        row("aws", &e1, "ReadOnly", at(2025, 5, 31, 0)),
        key_row(&e1, at(2025, 5, 31, 0)),
        leaver("e1", t()),
        revoke("aws", &e1, "ReadOnly", t() + h(1)),
    ]
}

#[test]
fn nothing_imported_leaves_every_new_metric_absent() {
    let m = analysis([]).metrics;
    assert_eq!(m.leaver_credentials_revoked, None);
    assert_eq!(m.credential_age, None);
    assert_eq!(m.emergency_reviewed, None);
}

#[test]
fn leaver_credentials_revoked_counts_each_judged_key() {
    let e1 = mail("e1");
    let share = |extra: Vec<R>| {
        analysis(leaver_world().into_iter().chain(extra))
            .metrics
            .leaver_credentials_revoked
    };
    // Exactly at the SLA is on time: all revoked, 100 %.
    let all = share(vec![key_change(
        &e1,
        ProvisioningAction::CredentialDeactivated,
        t() + h(24),
    )])
    .expect("judged");
    assert_eq!((all.part, all.whole, all.ratio()), (1, 1, 1.0));
    // One second late: judged, none in time (0 %, not absent).
    let late = share(vec![key_change(
        &e1,
        ProvisioningAction::CredentialDeleted,
        t() + h(24) + s(1),
    )]);
    assert_eq!(late, Share::of(0, 1));
    // Never revoked: judged and not revoked.
    assert_eq!(share(vec![]), Share::of(0, 1));
    // Gone from a later listing with no revocation logged: revoked at a time the evidence
    // does not tell, so not counted either way.
    let untimed = share(vec![row("aws", &e1, "Other", at(2025, 6, 30, 0))]);
    assert_eq!(untimed, None);
}

#[test]
fn credential_age_is_the_median_of_dated_active_credentials_in_the_latest_listing() {
    let listed = at(2025, 12, 1, 0);
    let created = at(2025, 10, 2, 0);
    let world = |extra: Vec<R>| {
        analysis(
            [person("e1", "engineer"), key_row(&mail("e1"), listed)]
                .into_iter()
                .chain(extra),
        )
        .metrics
        .credential_age
    };
    // No creation logged: its age is unknown, so absent rather than 0 days.
    assert_eq!(world(vec![]), None);
    let dated = world(vec![key_change(
        &mail("e1"),
        ProvisioningAction::CredentialCreated,
        created,
    )])
    .expect("dated");
    assert_eq!(dated.count, 1);
    assert_eq!(dated.median_hours, (as_of() - created).num_hours() as f64);
    // The listing's own creation date dates it as well.
    let listed_dated = analysis([
        person("e1", "engineer"),
        with_row(key_row(&mail("e1"), listed), |r| {
            r.created_at = Some(created)
        }),
    ])
    .metrics
    .credential_age
    .expect("dated by its listing");
    assert_eq!(
        listed_dated.median_hours,
        (as_of() - created).num_hours() as f64
    );
    // A rotation after the creation restarts its age.
    let rotated = world(vec![
        key_change(&mail("e1"), ProvisioningAction::CredentialCreated, created),
        key_change(
            &mail("e1"),
            ProvisioningAction::CredentialRotated,
            created + d(30),
        ),
    ])
    .expect("dated");
    assert_eq!(
        rotated.median_hours,
        (as_of() - created - d(30)).num_hours() as f64
    );
    // A later listing that shows it inactive: no active credential to age.
    let inactive = world(vec![
        key_change(&mail("e1"), ProvisioningAction::CredentialCreated, created),
        with_row(key_row(&mail("e1"), listed + d(7)), |r| {
            r.status = ReconciliationStatus::Disabled
        }),
    ]);
    assert_eq!(inactive, None);
}

fn emergency_use(
    id: &str,
    reviewer: Option<&str>,
    reviewed_after: Option<TimeDelta>,
) -> EmergencyUse {
    EmergencyUse {
        // One account per use, so that each missed review is its own finding.
        account: format!("bg-{id}"),
        activated_at: t(),
        entitlement: None,
        id: id.into(),
        request_id: None,
        review_decision: reviewed_after.map(|_| "approved".into()),
        reviewed_at: reviewed_after.map(|after| t() + after),
        reviewer: reviewer.map(IdentityId::new),
        system: SystemId::new("okta"),
        ticket: Some("INC-1".into()),
        used_by: Some(IdentityId::new("e1")),
    }
}

fn with_register(uses: Vec<EmergencyUse>) -> crate::Analysis {
    let policy = Policy::from_toml(POLICY, "test.toml").expect("policy");
    let mut evidence = Evidence::default();
    for (seq, u) in (1..).zip(uses) {
        evidence.emergency_uses.push(Stored::new(seq, u));
    }
    analyze(&evidence, &policy, as_of())
}

#[test]
fn emergency_uses_reviewed_in_time_as_the_review_check_reads_them() {
    let a = with_register(vec![
        // Exactly the 72h window, by someone else: in time.
        emergency_use("U1", Some("sec1"), Some(h(72))),
        // One second past the window.
        emergency_use("U2", Some("sec1"), Some(h(72) + s(1))),
        // Reviewed by its own user.
        emergency_use("U3", Some("e1"), Some(h(1))),
        // Never reviewed.
        emergency_use("U4", None, None),
    ]);
    assert_eq!(a.metrics.emergency_reviewed, Share::of(1, 4));
    let missed = a
        .findings
        .iter()
        .filter(|f| f.check == EMERGENCY_NO_REVIEW)
        .count();
    assert_eq!(missed, 3, "the metric and the check read the same uses");
    let all = with_register(vec![emergency_use("U1", Some("sec1"), Some(h(2)))]);
    assert_eq!(all.metrics.emergency_reviewed.map(|s| s.ratio()), Some(1.0));
    assert_eq!(with_register(vec![]).metrics.emergency_reviewed, None);
}

#[test]
fn share_of_nothing_is_absent() {
    assert_eq!(Share::of(0, 0), None);
    assert_eq!(Share::of(3, 4).map(|s| s.ratio()), Some(0.75));
}
