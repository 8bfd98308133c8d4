//! Access reviews at the boundaries docs/access-reviews.md names: the revoke SLA to the second,
//! the rubber-stamp window and count, self-review directly and by delegation, the population
//! drawn from the snapshot at the start, and the precedence of the revoke checks.

use evidentia_domain::{
    ApproverRole, CampaignId, IdentityId, Outcome, ReviewCampaign, ReviewDecision, ReviewVerdict,
    SystemId,
};

use super::*;
use crate::RevokeStatus;
use crate::checks::access::{EXECUTION_FAILED_UNCONFIRMED, ORPHAN_ACCOUNT};
use crate::checks::lifecycle::CHANGE_WITHOUT_EVENT;
use crate::checks::reviews::{
    INCOMPLETE, OUTSIDE_POPULATION, OVERDUE, PRIVILEGED_REVIEWER, REVOKE_CONTRADICTED, REVOKE_LATE,
    REVOKE_NOT_EXECUTED, RUBBER_STAMP, SELF_REVIEW,
};
use crate::reviews::wildcard;

/// The snapshot the population is drawn from: the last before the start.
fn before() -> Timestamp {
    at(2025, 6, 1, 0)
}

/// The campaign's start.
fn start() -> Timestamp {
    at(2025, 6, 2, 9)
}

/// When most decisions are made.
fn decided() -> Timestamp {
    start() + d(1)
}

/// The revoke SLA of the test policy.
fn sla() -> TimeDelta {
    d(3)
}

fn campaign_with(f: impl FnOnce(&mut ReviewCampaign)) -> R {
    let mut c = ReviewCampaign {
        closed_at: Some(start() + d(10)),
        due_at: start() + d(14),
        entitlements: Vec::new(),
        id: CampaignId::new("UAR-Q2"),
        name: Some("Q2 access review".into()),
        started_at: start(),
        systems: vec![SystemId::new("aws")],
    };
    f(&mut c);
    R::Campaign(c)
}

fn campaign() -> R {
    campaign_with(|_| {})
}

/// A decision on `account`'s `entitlement` (`None`: the account itself) on aws.
fn decision(
    reviewer: &str,
    role: Option<ApproverRole>,
    account: &str,
    entitlement: Option<&str>,
    verdict: ReviewVerdict,
    at: Timestamp,
) -> R {
    R::Decision(ReviewDecision {
        account: account.into(),
        campaign: CampaignId::new("UAR-Q2"),
        comment: None,
        decided_at: Some(at),
        decision: verdict,
        delegated_to: None,
        assigned_to: None,
        entitlement: entitlement.map(str::to_owned),
        item: None,
        reviewer: Some(IdentityId::new(reviewer)),
        reviewer_role: role,
        subject: None,
        system: SystemId::new("aws"),
    })
}

fn with_decision(r: R, f: impl FnOnce(&mut ReviewDecision)) -> R {
    match r {
        R::Decision(mut x) => {
            f(&mut x);
            R::Decision(x)
        }
        other => other,
    }
}

/// The manager's decision on `person`'s ReadOnly.
fn by_boss(person: &str, verdict: ReviewVerdict, at: Timestamp) -> R {
    decision(
        "boss",
        Some(ApproverRole::Manager),
        &mail(person),
        Some("ReadOnly"),
        verdict,
        at,
    )
}

/// Five engineers with ReadOnly on aws (birthright) and e1 with Admins (approved, privileged)
/// in the snapshot before the start; a closed campaign over aws where the manager kept every
/// ReadOnly an hour apart and security kept Admins.
fn base() -> Vec<R> {
    let mut world = vec![
        person("boss", "manager"),
        person("sec1", "engineer"),
        approval("e1", "aws", "Admins", at(2025, 1, 10, 0)),
        row("aws", &mail("e1"), "Admins", before()),
        campaign(),
        decision(
            "sec1",
            Some(ApproverRole::Security),
            &mail("e1"),
            Some("Admins"),
            ReviewVerdict::Keep,
            decided(),
        ),
    ];
    for (k, p) in ["e1", "e2", "e3", "e4", "e5"].into_iter().enumerate() {
        world.push(person(p, "engineer"));
        world.push(row("aws", &mail(p), "ReadOnly", before()));
        world.push(by_boss(p, ReviewVerdict::Keep, decided() + h(k as i64 + 1)));
    }
    world
}

/// The base world with e1's ReadOnly decided `verdict` (replacing the keep) at `decided()`.
fn base_deciding(verdict: ReviewVerdict) -> Vec<R> {
    let mut world: Vec<R> = base()
        .into_iter()
        .filter(|r| {
            !matches!(r, R::Decision(d) if d.account == mail("e1") && d.entitlement.as_deref() == Some("ReadOnly"))
        })
        .collect();
    world.push(by_boss("e1", verdict, decided()));
    world
}

fn run_cases(base: &[R], cases: Vec<(&str, Vec<R>, Vec<&str>)>) {
    run_table(base, cases);
}

#[test]
fn the_base_world_is_clean() {
    let a = analysis(base());
    assert!(a.findings.is_empty(), "{:?}", a.findings);
    let review = &a.reviews[0];
    assert_eq!(review.systems[0].population, 6);
    assert_eq!(review.systems[0].decided, 6);
    assert_eq!(review.systems[0].decided_on_time, 6);
    assert_eq!(review.systems[0].keep, 6);
    assert!(!review.overdue);
    for check in [
        SELF_REVIEW,
        RUBBER_STAMP,
        INCOMPLETE,
        OVERDUE,
        PRIVILEGED_REVIEWER,
        OUTSIDE_POPULATION,
    ] {
        let c = &a.coverage.checks[check];
        assert!(c.assessed() && c.examined > 0, "{check}: {c:?}");
    }
}

#[test]
fn revoke_table() {
    let e1 = mail("e1");
    let e1 = e1.as_str();
    let world = base_deciding(ReviewVerdict::Revoke);
    let after_deadline = decided() + sla() + d(1);
    let cases = vec![
        (
            "removed exactly at the SLA is on time",
            vec![revoke("aws", e1, "ReadOnly", decided() + sla())],
            vec![],
        ),
        (
            "removed one second after the SLA is late",
            vec![revoke("aws", e1, "ReadOnly", decided() + sla() + s(1))],
            vec![REVOKE_LATE],
        ),
        (
            "removed after the start but before the decision: on time, but the removal itself had no authority yet",
            vec![revoke("aws", e1, "ReadOnly", start() + h(1))],
            vec![CHANGE_WITHOUT_EVENT],
        ),
        (
            "no removal, no snapshot since: not executed",
            vec![],
            vec![REVOKE_NOT_EXECUTED],
        ),
        (
            "a removal before the campaign started does not count",
            vec![revoke("aws", e1, "ReadOnly", start() - h(1))],
            vec![CHANGE_WITHOUT_EVENT, REVOKE_NOT_EXECUTED],
        ),
        (
            "no removal, the snapshot after the deadline still shows it",
            vec![
                row("aws", e1, "ReadOnly", after_deadline),
                row("aws", &mail("e2"), "ReadOnly", after_deadline),
            ],
            vec![REVOKE_NOT_EXECUTED],
        ),
        (
            "no removal, but the snapshot after the deadline no longer shows it: removed unlogged",
            vec![row("aws", &mail("e2"), "ReadOnly", after_deadline)],
            vec![],
        ),
        (
            "no removal, a snapshot before the deadline no longer shows it",
            vec![row("aws", &mail("e2"), "ReadOnly", decided() + d(1))],
            vec![],
        ),
        (
            "a failed removal is no removal",
            vec![outcome(
                revoke("aws", e1, "ReadOnly", decided() + h(1)),
                Outcome::Failed,
            )],
            vec![EXECUTION_FAILED_UNCONFIRMED, REVOKE_NOT_EXECUTED],
        ),
        (
            "removed on time, but the next snapshot still shows it: contradicted",
            vec![
                revoke("aws", e1, "ReadOnly", decided() + h(1)),
                row("aws", e1, "ReadOnly", decided() + d(1)),
            ],
            vec![REVOKE_CONTRADICTED],
        ),
        (
            "removed late and contradicted: one finding, contradicted",
            vec![
                revoke("aws", e1, "ReadOnly", decided() + sla() + h(1)),
                row("aws", e1, "ReadOnly", after_deadline),
            ],
            vec![REVOKE_CONTRADICTED],
        ),
        (
            "granted again between the removal and the snapshot: not contradicted",
            vec![
                revoke("aws", e1, "ReadOnly", decided() + h(1)),
                grant("aws", e1, "ReadOnly", decided() + h(5)),
                row("aws", e1, "ReadOnly", decided() + d(1)),
            ],
            vec![],
        ),
        (
            "the account disabled on time removes the item; the disable itself asked more than the decision did",
            vec![
                disable("aws", e1, decided() + h(1)),
                row("aws", e1, "ReadOnly", decided() + d(1)),
            ],
            vec![CHANGE_WITHOUT_EVENT],
        ),
        (
            "another system's removal is not this one's",
            vec![revoke("github", e1, "ReadOnly", decided() + h(1))],
            vec![CHANGE_WITHOUT_EVENT, REVOKE_NOT_EXECUTED],
        ),
        (
            "a later keep replaces the revoke: nothing to follow",
            vec![by_boss("e1", ReviewVerdict::Keep, decided() + h(2))],
            vec![],
        ),
        (
            "two revoke decisions on one item: one finding",
            vec![decision(
                "sec1",
                Some(ApproverRole::Security),
                e1,
                Some("ReadOnly"),
                ReviewVerdict::Revoke,
                decided() + m(30),
            )],
            vec![REVOKE_NOT_EXECUTED],
        ),
    ];
    run_cases(&world, cases);
}

#[test]
fn revoke_not_yet_due_at_as_of() {
    let e1 = mail("e1");
    let late = as_of() - d(1);
    let world = base().into_iter().chain([
        campaign_with(|c| {
            c.id = CampaignId::new("UAR-Q4");
            c.started_at = late - d(1);
            c.due_at = late + d(20);
            c.closed_at = None;
        }),
        with_decision(by_boss("e1", ReviewVerdict::Revoke, late), |d| {
            d.campaign = CampaignId::new("UAR-Q4")
        }),
    ]);
    let a = analysis(world);
    assert!(a.findings.is_empty(), "{:?}", a.findings);
    let q4 = a
        .reviews
        .iter()
        .find(|r| r.campaign.as_str() == "UAR-Q4")
        .expect("judged");
    assert_eq!(q4.revokes[0].status, RevokeStatus::NotYetDue);
    assert_eq!(q4.revokes[0].account, e1);
    // Its population is the snapshot at its own start: the same six items, none decided yet,
    // and the campaign is neither closed nor past due.
    assert_eq!(q4.systems[0].population, 6);
    assert_eq!(q4.systems[0].decided, 1);
}

#[test]
fn modify_is_followed_like_revoke() {
    let e1 = mail("e1");
    let world = base_deciding(ReviewVerdict::Modify);
    run_cases(
        &world,
        vec![
            ("never removed", vec![], vec![REVOKE_NOT_EXECUTED]),
            (
                "removed in time",
                vec![revoke("aws", &e1, "ReadOnly", decided() + h(2))],
                vec![],
            ),
        ],
    );
}

#[test]
fn revoke_finding_fields_and_evidence() {
    let e1 = mail("e1");
    let a = analysis(
        base_deciding(ReviewVerdict::Revoke)
            .into_iter()
            .chain([revoke("aws", &e1, "ReadOnly", decided() + sla() + s(1))]),
    );
    let f = &a.findings[0];
    assert_eq!(f.check, REVOKE_LATE);
    assert_eq!(f.campaign.as_ref().map(|c| c.as_str()), Some("UAR-Q2"));
    assert_eq!(f.identity.as_ref().map(|i| i.as_str()), Some("e1"));
    assert_eq!(f.system.as_ref().map(|s| s.as_str()), Some("aws"));
    assert_eq!(f.account.as_deref(), Some(e1.as_str()));
    assert_eq!(f.entitlement.as_deref(), Some("ReadOnly"));
    assert!(
        f.summary.contains("UAR-Q2") && f.summary.contains("boss"),
        "{}",
        f.summary
    );
    // The campaign, the decision, the snapshot row at the start, the removal.
    let chain = &a.reviews[0].revokes[0];
    let held = a.reviews[0].systems[0]
        .snapshot
        .as_ref()
        .map(|s| s.entries.clone())
        .unwrap_or_default();
    assert!(f.evidence.contains(&a.reviews[0].cite()));
    assert!(f.evidence.contains(&chain.decision));
    assert!(
        f.evidence
            .contains(&chain.removal.map(|r| r.0).unwrap_or_default())
    );
    assert!(f.evidence.iter().any(|e| held.contains(&e.seq)));
    assert_eq!(chain.status, RevokeStatus::Late);
    assert_eq!(chain.deadline, decided() + sla());
}

#[test]
fn a_revoke_decision_authorises_its_removal() {
    let e1 = mail("e1");
    let e1 = e1.as_str();
    let removal = || revoke("aws", e1, "ReadOnly", decided() + h(1));
    run_cases(
        &base(),
        vec![
            (
                "kept: the removal has no authority",
                vec![removal()],
                vec![CHANGE_WITHOUT_EVENT],
            ),
            (
                "revoked by the reviewer first: authorised",
                vec![by_boss("e1", ReviewVerdict::Revoke, decided()), removal()],
                vec![],
            ),
            (
                "decided on the account itself: authorises the disable",
                vec![
                    by_boss("e1", ReviewVerdict::Revoke, decided()),
                    decision(
                        "boss",
                        Some(ApproverRole::Manager),
                        e1,
                        None,
                        ReviewVerdict::Revoke,
                        decided(),
                    ),
                    disable("aws", e1, decided() + h(1)),
                ],
                vec![],
            ),
            (
                "the decision names another entitlement",
                vec![
                    decision(
                        "sec1",
                        Some(ApproverRole::Security),
                        e1,
                        Some("Admins"),
                        ReviewVerdict::Revoke,
                        decided() + h(10),
                    ),
                    revoke("aws", e1, "Admins", decided() + h(11)),
                    removal(),
                ],
                vec![CHANGE_WITHOUT_EVENT],
            ),
        ],
    );
}

#[test]
fn self_review_table() {
    let e1 = mail("e1");
    let e1 = e1.as_str();
    let mine = |reviewer: &str, verdict| {
        decision(
            reviewer,
            Some(ApproverRole::Manager),
            e1,
            Some("ReadOnly"),
            verdict,
            decided() + m(10),
        )
    };
    let delegation = |by: &str, to: &str| {
        with_decision(
            decision(
                by,
                None,
                e1,
                Some("ReadOnly"),
                ReviewVerdict::Delegated,
                decided(),
            ),
            |d| d.delegated_to = Some(IdentityId::new(to)),
        )
    };
    let cases = vec![
        (
            "the holder keeps their own access (named by e-mail)",
            vec![mine(e1, ReviewVerdict::Keep)],
            vec![SELF_REVIEW],
        ),
        (
            "the holder keeps their own access (named by id)",
            vec![mine("e1", ReviewVerdict::Keep)],
            vec![SELF_REVIEW],
        ),
        (
            "a modify is a certification too",
            vec![
                mine("e1", ReviewVerdict::Modify),
                revoke("aws", e1, "ReadOnly", decided() + h(1)),
            ],
            vec![SELF_REVIEW],
        ),
        (
            "revoking one's own access is no self-review",
            vec![
                mine("e1", ReviewVerdict::Revoke),
                revoke("aws", e1, "ReadOnly", decided() + h(1)),
            ],
            vec![],
        ),
        (
            "handed by the holder to a colleague who keeps it",
            vec![delegation("e1", "e2"), mine("e2", ReviewVerdict::Keep)],
            vec![SELF_REVIEW],
        ),
        (
            "handed by the manager to a colleague: no self-review",
            vec![delegation("boss", "e2"), mine("e2", ReviewVerdict::Keep)],
            vec![],
        ),
        (
            "handed by the holder to someone else than the reviewer",
            vec![delegation("e1", "e3"), mine("e2", ReviewVerdict::Keep)],
            vec![],
        ),
        (
            "assigned to the holder on the decision's own row, kept by a colleague",
            vec![with_decision(mine("e2", ReviewVerdict::Keep), |d| {
                d.assigned_to = Some(IdentityId::new("e1"))
            })],
            vec![SELF_REVIEW],
        ),
        (
            "assigned to the manager, kept by a colleague: no self-review",
            vec![with_decision(mine("e2", ReviewVerdict::Keep), |d| {
                d.assigned_to = Some(IdentityId::new("boss"))
            })],
            vec![],
        ),
    ];
    run_cases(&base(), cases);
}

#[test]
fn self_review_by_the_subject_of_an_uncorrelated_account() {
    let world = base().into_iter().chain([
        row("aws", "svc-legacy", "ReadOnly", before()),
        with_decision(
            decision(
                "e3@x.example",
                Some(ApproverRole::Manager),
                "svc-legacy",
                Some("ReadOnly"),
                ReviewVerdict::Keep,
                decided() + m(10),
            ),
            |d| d.subject = Some(IdentityId::new("E3")),
        ),
    ]);
    let a = analysis(world);
    let checks: Vec<_> = a.findings.iter().map(|f| f.check).collect();
    assert_eq!(checks, [ORPHAN_ACCOUNT, SELF_REVIEW]);
    assert_eq!(
        a.findings[1].identity.as_ref().map(|i| i.as_str()),
        Some("e3")
    );
}

#[test]
fn rubber_stamp_table() {
    // The manager's five keep decisions, `gap` apart.
    let burst = |gap: TimeDelta, verdicts: [ReviewVerdict; 5]| -> Vec<R> {
        let mut world: Vec<R> = base()
            .into_iter()
            .filter(|r| !matches!(r, R::Decision(d) if d.reviewer.as_ref().is_some_and(|r| r.as_str() == "boss")))
            .collect();
        for (k, (p, verdict)) in ["e1", "e2", "e3", "e4", "e5"]
            .into_iter()
            .zip(verdicts)
            .enumerate()
        {
            world.push(by_boss(p, verdict, decided() + gap * k as i32));
            if verdict == ReviewVerdict::Revoke {
                world.push(revoke("aws", &mail(p), "ReadOnly", decided() + h(1)));
            }
        }
        world
    };
    let keep = ReviewVerdict::Keep;
    let cases: Vec<(&str, Vec<R>, Vec<&str>)> = vec![
        (
            "five keeps exactly 60s from first to last",
            burst(s(15), [keep; 5]),
            vec![RUBBER_STAMP],
        ),
        (
            "five keeps 61s from first to last",
            burst(s(15) + TimeDelta::milliseconds(250), [keep; 5]),
            vec![],
        ),
        (
            "one revoke among them",
            burst(s(15), [keep, keep, ReviewVerdict::Revoke, keep, keep]),
            vec![],
        ),
    ];
    for (name, world, expected) in cases {
        assert_eq!(check(world), expected, "{name}");
    }
    // One decision fewer: four keeps within the window, the fifth an hour later.
    let mut four = burst(s(15), [keep; 5]);
    four.retain(|r| !matches!(r, R::Decision(d) if d.account == mail("e5")));
    four.push(by_boss("e5", keep, decided() + h(1)));
    assert_eq!(check(four), Vec::<&str>::new(), "one decision fewer");
    // The finding is about the reviewer, cites the burst, names the campaign.
    let a = analysis(burst(s(15), [keep; 5]));
    let f = &a.findings[0];
    assert_eq!(f.identity.as_ref().map(|i| i.as_str()), Some("boss"));
    assert_eq!(f.system, None);
    assert_eq!(f.campaign.as_ref().map(|c| c.as_str()), Some("UAR-Q2"));
    assert_eq!(f.evidence.len(), 6, "{:?}", f.evidence);
    let pace = &a.reviews[0].reviewers[0];
    assert_eq!((pace.fastest_burst, pace.fastest_burst_all_keep), (5, true));
}

#[test]
fn incomplete_and_overdue_table() {
    let without = |person: &str| -> Vec<R> {
        base()
            .into_iter()
            .filter(|r| !matches!(r, R::Decision(d) if d.account == mail(person) && d.entitlement.as_deref() == Some("ReadOnly")))
            .collect()
    };
    let reclosed = |world: Vec<R>, closed: Option<Timestamp>, due: Timestamp| -> Vec<R> {
        world
            .into_iter()
            .map(|r| match r {
                R::Campaign(mut c) => {
                    c.closed_at = closed;
                    c.due_at = due;
                    R::Campaign(c)
                }
                other => other,
            })
            .collect()
    };
    let due = start() + d(14);
    let cases = vec![
        (
            "closed with one item undecided",
            without("e3"),
            vec![INCOMPLETE],
        ),
        ("closed complete", base(), vec![]),
        (
            "open, not yet due at as_of: not judged incomplete",
            reclosed(without("e3"), None, as_of() + d(1)),
            vec![],
        ),
        (
            "open and past due: incomplete and overdue",
            reclosed(without("e3"), None, due),
            vec![INCOMPLETE, OVERDUE],
        ),
        (
            "open past due but every item decided: overdue",
            reclosed(base(), None, due),
            vec![OVERDUE],
        ),
        (
            "closed one second after it was due",
            reclosed(base(), Some(due + s(1)), due),
            vec![OVERDUE],
        ),
        (
            "closed exactly when due",
            reclosed(base(), Some(due), due),
            vec![],
        ),
        (
            "a decision after the close does not count",
            without("e3")
                .into_iter()
                .chain([by_boss("e3", ReviewVerdict::Keep, start() + d(10) + s(1))])
                .collect(),
            vec![INCOMPLETE],
        ),
        (
            "a decision at the close counts",
            without("e3")
                .into_iter()
                .chain([by_boss("e3", ReviewVerdict::Keep, start() + d(10))])
                .collect(),
            vec![],
        ),
        (
            "delegated is not a decision",
            without("e3")
                .into_iter()
                .chain([by_boss("e3", ReviewVerdict::Delegated, decided())])
                .collect(),
            vec![INCOMPLETE],
        ),
    ];
    run_cases(&[], cases);
    // The finding is about the campaign in one system, with no account.
    let a = analysis(without("e3"));
    let f = &a.findings[0];
    assert_eq!(f.system.as_ref().map(|s| s.as_str()), Some("aws"));
    assert_eq!((f.identity.as_ref(), f.account.as_ref()), (None, None));
    assert!(f.summary.contains("1 of the 6"), "{}", f.summary);
    let undecided = &a.reviews[0].systems[0].undecided;
    assert_eq!(undecided.len(), 1);
    assert!(f.evidence.contains(&undecided[0].2));
    let overdue = analysis(reclosed(base(), Some(due + s(1)), due));
    let f = &overdue.findings[0];
    assert_eq!(
        (
            f.system.as_ref(),
            f.identity.as_ref(),
            f.campaign.as_ref().map(|c| c.as_str())
        ),
        (None, None, Some("UAR-Q2"))
    );
}

#[test]
fn population_is_the_snapshot_at_the_start() {
    let later = start() + d(3);
    let cases = vec![
        (
            "access granted after the start is not in the population",
            vec![
                row("aws", &mail("e6"), "ReadOnly", later),
                person("e6", "engineer"),
            ],
            vec![],
        ),
        (
            "deciding on it is outside the population",
            vec![
                row("aws", &mail("e6"), "ReadOnly", later),
                person("e6", "engineer"),
                by_boss("e6", ReviewVerdict::Keep, decided()),
            ],
            vec![OUTSIDE_POPULATION],
        ),
        (
            "deciding on access nobody held",
            vec![decision(
                "boss",
                Some(ApproverRole::Manager),
                &mail("e2"),
                Some("PowerUser"),
                ReviewVerdict::Keep,
                decided(),
            )],
            vec![OUTSIDE_POPULATION],
        ),
        (
            "an earlier snapshot's row that the last one before the start lacks is not an item",
            vec![
                person("e6", "engineer"),
                row("aws", &mail("e6"), "ReadOnly", before() - d(30)),
            ],
            vec![],
        ),
    ];
    run_cases(&base(), cases);
}

#[test]
fn population_items() {
    let population = |extra: Vec<R>, f: fn(&mut ReviewCampaign)| {
        let world: Vec<R> = base()
            .into_iter()
            .map(|r| match r {
                R::Campaign(mut c) => {
                    f(&mut c);
                    R::Campaign(c)
                }
                other => other,
            })
            .chain(extra)
            .collect();
        let a = analysis(world);
        a.reviews[0].systems[0].population
    };
    let bare =
        |account: &str| with_row(row("aws", account, "x", before()), |r| r.entitlement = None);
    let none: fn(&mut ReviewCampaign) = |_| {};
    assert_eq!(population(vec![], none), 6);
    assert_eq!(
        population(vec![bare("e6@x.example")], none),
        7,
        "an account holding nothing is reviewed as itself"
    );
    assert_eq!(
        population(vec![bare(&mail("e2"))], none),
        6,
        "an account holding entitlements is not an item itself"
    );
    let credential = with_row(row("aws", &mail("e2"), "AKIA1", before()), |r| {
        r.credential = true
    });
    assert_eq!(
        population(vec![credential], none),
        6,
        "credentials are not items"
    );
    assert_eq!(
        population(
            vec![row("aws", &mail("e2"), "deny:AWSDenyAll", before())],
            none
        ),
        6,
        "deny entitlements are not items"
    );
    assert_eq!(
        population(vec![row("aws", "breakglass-1", "Admins", before())], none),
        6,
        "accounts the correlation ignores are not items"
    );
    let disabled = with_row(bare(&mail("e2")), |r| {
        r.status = ReconciliationStatus::Disabled
    });
    assert_eq!(
        population(vec![disabled], none),
        5,
        "rows of an account listed as disabled are not items"
    );
    assert_eq!(
        population(vec![row("aws", &mail("E2"), "readonly", before())], none),
        6,
        "one item whatever the case"
    );
    let admins: fn(&mut ReviewCampaign) = |c| c.entitlements = vec!["admin?".into()];
    assert_eq!(
        population(vec![bare("e6@x.example")], admins),
        1,
        "patterns"
    );
    let every_system: fn(&mut ReviewCampaign) = |c| c.systems.clear();
    assert_eq!(
        population(vec![], every_system),
        6,
        "systems its decisions name"
    );
}

#[test]
fn a_system_without_snapshot_before_the_start_has_no_population() {
    let world = base().into_iter().chain([
        campaign_with(|c| c.systems.push(SystemId::new("github"))),
        row("github", &mail("e1"), "member", start() + d(1)),
    ]);
    let a = analysis(world);
    assert!(a.findings.is_empty(), "{:?}", a.findings);
    let github = a.reviews[0]
        .systems
        .iter()
        .find(|s| s.system.as_str() == "github")
        .expect("in scope");
    assert_eq!((github.snapshot.as_ref(), github.population), (None, 0));
    assert_eq!(
        a.coverage.campaigns_without_population,
        [(CampaignId::new("UAR-Q2"), SystemId::new("github"))]
    );
    assert_eq!(a.metrics.reviews.campaigns[0].without_population.len(), 1);
    // A decision there is not outside a population nobody established.
    let with_decision = base().into_iter().chain([
        campaign_with(|c| c.systems.push(SystemId::new("github"))),
        row("github", &mail("e1"), "member", start() + d(1)),
        with_decision(by_boss("e1", ReviewVerdict::Keep, decided()), |d| {
            d.system = SystemId::new("github");
            d.entitlement = Some("member".into());
        }),
    ]);
    assert_eq!(check(with_decision), Vec::<&str>::new());
}

#[test]
fn privileged_reviewer_table() {
    let e1 = mail("e1");
    let admins = |reviewer: &str, role: Option<ApproverRole>, at: Timestamp| {
        decision(reviewer, role, &e1, Some("Admins"), ReviewVerdict::Keep, at)
    };
    let cases = vec![
        (
            "kept by the manager",
            vec![admins(
                "boss",
                Some(ApproverRole::Manager),
                decided() + h(9),
            )],
            vec![PRIVILEGED_REVIEWER],
        ),
        (
            "kept by someone in no recorded role",
            vec![admins("boss", None, decided() + h(9))],
            vec![PRIVILEGED_REVIEWER],
        ),
        (
            "kept by the system owner",
            vec![admins(
                "boss",
                Some(ApproverRole::SystemOwner),
                decided() + h(9),
            )],
            vec![],
        ),
        (
            "the manager's decision replaced by security's",
            vec![admins(
                "boss",
                Some(ApproverRole::Manager),
                decided() - h(1),
            )],
            vec![],
        ),
        ("kept by security (the base)", vec![], vec![]),
        (
            "kept by someone in no recorded role whom the policy lists as security (by e-mail)",
            vec![
                person("sec2", "engineer"),
                admins(&mail("sec2"), None, decided() + h(9)),
            ],
            vec![],
        ),
        (
            "the role the export states wins over the policy's list",
            vec![
                person("sec2", "engineer"),
                admins("sec2", Some(ApproverRole::Manager), decided() + h(9)),
            ],
            vec![PRIVILEGED_REVIEWER],
        ),
        (
            "someone the policy does not list, in no recorded role",
            vec![
                person("sec3", "engineer"),
                admins(&mail("sec3"), None, decided() + h(9)),
            ],
            vec![PRIVILEGED_REVIEWER],
        ),
    ];
    run_cases(&base(), cases);
    let a = analysis(base().into_iter().chain([admins(
        "boss",
        Some(ApproverRole::Manager),
        decided() + h(9),
    )]));
    let f = &a.findings[0];
    assert_eq!(
        (
            f.identity.as_ref().map(|i| i.as_str()),
            f.entitlement.as_deref()
        ),
        (Some("e1"), Some("Admins"))
    );
    assert!(f.summary.contains("manager"), "{}", f.summary);
}

#[test]
fn campaigns_and_the_period() {
    let moved = |f: fn(&mut ReviewCampaign)| -> Vec<R> {
        base()
            .into_iter()
            .map(|r| match r {
                R::Campaign(mut c) => {
                    f(&mut c);
                    R::Campaign(c)
                }
                other => other,
            })
            .collect()
    };
    // Closed before the period began: a previous period's evidence.
    let old = analysis(moved(|c| {
        c.started_at = at(2024, 11, 1, 0);
        c.due_at = at(2024, 11, 20, 0);
        c.closed_at = Some(at(2024, 12, 31, 0));
    }));
    assert!(old.reviews.is_empty());
    // Starting at as_of: not judged yet.
    let future = analysis(moved(|c| c.started_at = at(2026, 1, 1, 0)));
    assert!(future.reviews.is_empty());
    // A close after as_of is still open at as_of.
    let open = analysis(moved(|c| c.closed_at = Some(at(2026, 2, 1, 0))));
    assert_eq!(open.reviews[0].closed_at, None);
}

#[test]
fn review_metrics() {
    let e1 = mail("e1");
    let world = base_deciding(ReviewVerdict::Revoke)
        .into_iter()
        .filter(|r| !matches!(r, R::Decision(d) if d.account == mail("e5")))
        .chain([
            revoke("aws", &e1, "ReadOnly", decided() + h(6)),
            // Decided after the due date, before the close (moved to after it).
            by_boss("e5", ReviewVerdict::Keep, start() + d(15)),
        ])
        .map(|r| match r {
            R::Campaign(mut c) => {
                c.closed_at = Some(start() + d(20));
                R::Campaign(c)
            }
            other => other,
        })
        .collect::<Vec<_>>();
    let a = analysis(world);
    let m = &a.metrics.reviews;
    let figures = m.campaigns[0].figures;
    assert_eq!(
        (figures.population, figures.decided, figures.decided_on_time),
        (6, 6, 5)
    );
    assert_eq!((figures.keep, figures.revoke, figures.modify), (5, 1, 0));
    assert_eq!(figures.coverage(), Some(1.0));
    assert_eq!(figures.revoke_rate(), Some(1.0 / 6.0));
    let aws = SystemId::new("aws");
    assert_eq!(m.decision_to_removal[&aws].median_hours, 6.0);
    assert_eq!(
        a.reviews[0].systems[0].decision_to_removal.map(|d| d.count),
        Some(1)
    );
    assert_eq!(m.figures, figures);
    assert_eq!(
        a.findings.iter().map(|f| f.check).collect::<Vec<_>>(),
        [OVERDUE]
    );
}

#[test]
fn wildcard_patterns() {
    assert!(wildcard("Admin*", "AdministratorAccess"));
    assert!(wildcard("admin?", "Admins"));
    assert!(!wildcard("admin?", "Admin"));
    assert!(wildcard("*-prod-*", "db-prod-rw"));
    assert!(wildcard("*", ""));
    assert!(!wildcard("a*b", "a-c"));
    assert!(wildcard("a*b*c", "aXbYbZc"));
    assert!(!wildcard("", "x"));
    // Hostile names stay linear-ish.
    let long = "a".repeat(5000);
    assert!(!wildcard("*a*a*a*a*a*b", &long));
}
