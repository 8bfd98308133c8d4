//! Records that share a set entry stay distinct evidence: grants of one execution set are
//! judged, collected into populations and matched to findings by entry and row, not entry.

use evidentia_domain::ProvisioningAction;

use super::*;
use crate::checks::access::EXECUTION_FAILED_UNCONFIRMED;
use crate::checks::approvals::GRANT_WITHOUT_APPROVAL;
use crate::populations::{AttributeOutcome, FindingIndex, attributes, build, population_def};
use crate::{Cite, Context, analyze_in};

/// The evidence of `records`, each stored at its (entry, row): row 0 a one-record entry, 1..
/// the rows of a set entry. An unrelated approval comes first (entry 1) so the approval
/// checks are assessed, as in [`analysis`].
fn stored(records: Vec<(u64, u32, R)>) -> Evidence {
    let mut evidence = Evidence::default();
    let unrelated = approval("nobody", "github", "unrelated", at(2024, 1, 1, 0));
    for (seq, row, r) in std::iter::once((1, 0, unrelated)).chain(records) {
        match r {
            R::Event(e) => evidence.events.push(Stored::in_set(seq, row, e)),
            R::Approval(a) => evidence.approvals.push(Stored::in_set(seq, row, a)),
            R::Exec(x) => evidence.executions.push(Stored::in_set(seq, row, x)),
            R::Row(r) => evidence.reconciliations.push(Stored::in_set(seq, row, r)),
            R::Exception(x) => evidence.exceptions.push(Stored::in_set(seq, row, x)),
            R::Activity(a) => evidence.activity.push(Stored::in_set(seq, row, a)),
            R::Campaign(c) => evidence.campaigns.push(Stored::in_set(seq, row, c)),
            R::Decision(d) => evidence.decisions.push(Stored::in_set(seq, row, d)),
            R::Emergency(u) => evidence.emergency_uses.push(Stored::in_set(seq, row, u)),
        }
    }
    evidence
}

fn policy() -> Policy {
    Policy::from_toml(POLICY, "test.toml").expect("policy")
}

#[test]
fn a_birthright_grant_does_not_excuse_the_other_grants_of_its_set() {
    let e1 = mail("e1");
    // Entry 3 is a set of three grants: ReadOnly is the engineer's birthright, PowerUser and
    // maintainer need an approval and have none.
    let evidence = stored(vec![
        (2, 0, person("e1", "engineer")),
        (3, 1, grant("aws", &e1, "ReadOnly", t())),
        (3, 2, grant("aws", &e1, "PowerUser", t())),
        (3, 3, grant("github", &e1, "maintainer", t())),
    ]);
    let policy = policy();
    let ctx = Context::new(&evidence, &policy, as_of());
    let analysis = analyze_in(&ctx);
    assert_eq!(analysis.birthright_grants, vec![Cite::set_row(3, 1)]);
    let unapproved: Vec<(&str, &[Cite])> = analysis
        .findings
        .iter()
        .filter(|f| f.check == GRANT_WITHOUT_APPROVAL)
        .map(|f| {
            (
                f.entitlement.as_deref().unwrap_or(""),
                f.evidence.as_slice(),
            )
        })
        .collect();
    assert_eq!(
        unapproved,
        vec![
            ("PowerUser", &[Cite::set_row(3, 2)][..]),
            ("maintainer", &[Cite::set_row(3, 3)][..]),
        ]
    );
    // Two distinct items from one entry, each failing its approval; the birthright row is not
    // one of them.
    let def = population_def("grants-outside-birthright").expect("population");
    let population = build(def, &ctx, &analysis);
    let items: Vec<Cite> = population.items.iter().map(|i| i.cite).collect();
    assert_eq!(items, vec![Cite::set_row(3, 2), Cite::set_row(3, 3)]);
    assert_eq!(
        population.items.iter().map(|i| i.key()).collect::<Vec<_>>(),
        vec!["3:2", "3:3"]
    );
    let index = FindingIndex::new(&analysis.findings);
    for item in &population.items {
        let approval = attributes(def, item, &analysis, &index)
            .into_iter()
            .find(|a| a.def.id == "approval")
            .expect("approval attribute");
        assert_eq!(approval.outcome, AttributeOutcome::Fail, "{}", item.cite);
        assert_eq!(approval.evidence, vec![item.cite]);
    }
}

#[test]
fn a_finding_about_an_unowned_account_stays_with_its_own_row() {
    let e1 = mail("e1");
    let joiner = event(
        "e1",
        IdentityKind::Employee,
        LifecycleEventType::Joiner,
        t(),
        LifecycleAttributes {
            email: Some(mail("e1")),
            role: Some("engineer".into()),
            ..Default::default()
        },
    );
    // Entry 3 holds the joiner's grant (row 1) and a failed grant on an account nobody owns
    // (row 2): the failure is a finding about no identity, citing row 2 only.
    let evidence = stored(vec![
        (2, 0, joiner),
        (3, 1, grant("aws", &e1, "ReadOnly", t() + h(1))),
        (
            3,
            2,
            outcome(
                exec(
                    "aws",
                    "ghost",
                    ProvisioningAction::Grant,
                    Some("PowerUser"),
                    t() + h(1),
                ),
                Outcome::Failed,
            ),
        ),
    ]);
    let policy = policy();
    let ctx = Context::new(&evidence, &policy, as_of());
    let analysis = analyze_in(&ctx);
    let failed = analysis
        .findings
        .iter()
        .find(|f| f.check == EXECUTION_FAILED_UNCONFIRMED)
        .expect("the failed grant is a finding");
    assert_eq!(failed.identity, None);
    assert_eq!(failed.evidence, vec![Cite::set_row(3, 2)]);
    let def = population_def("joiners").expect("population");
    let population = build(def, &ctx, &analysis);
    let [item] = population.items.as_slice() else {
        panic!("one joiner: {:?}", population.items);
    };
    assert_eq!(item.cite, Cite::entry(2));
    let index = FindingIndex::new(&analysis.findings);
    let executed = attributes(def, item, &analysis, &index)
        .into_iter()
        .find(|a| a.def.id == "executed")
        .expect("executed attribute");
    // Anchored on row 1 of entry 3 (its grant), the joiner is not failed by row 2's finding.
    assert_eq!(
        executed.outcome,
        AttributeOutcome::Pass,
        "{}",
        executed.note
    );
    assert!(executed.evidence.contains(&Cite::set_row(3, 1)));
    assert!(!executed.evidence.contains(&Cite::set_row(3, 2)));
}

#[test]
fn a_citation_reads_as_its_entry_and_row() {
    assert_eq!(Cite::entry(17).to_string(), "entry 17");
    assert_eq!(Cite::set_row(17, 5).to_string(), "entry 17 row 5");
    assert_eq!(Cite::entry(17).key(), "17");
    assert_eq!(Cite::set_row(17, 5).key(), "17:5");
    let mut cites = vec![
        Cite::set_row(17, 5),
        Cite::entry(9),
        Cite::set_row(17, 1),
        Cite::set_row(17, 5),
    ];
    cites.sort_unstable();
    assert_eq!(
        cites,
        vec![
            Cite::entry(9),
            Cite::set_row(17, 1),
            Cite::set_row(17, 5),
            Cite::set_row(17, 5)
        ]
    );
    assert_eq!(crate::cited_entries(&cites), vec![9, 17]);
    assert_eq!(
        crate::cited_rows(&cites),
        vec![Cite::set_row(17, 1), Cite::set_row(17, 5)]
    );
}
