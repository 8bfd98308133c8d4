//! Correlation over the shipped example policy: the shapes docs/policy.md promises.

use evidentia_domain::{IdentityId, IdentityKind, SystemId};
use evidentia_policy::{
    Correlation, CorrelationRule, Correlator, EXAMPLE_POLICY, IdentityFacts, Policy,
};

fn person(id: &str, email: &str, aliases: &[&str]) -> IdentityFacts {
    IdentityFacts {
        id: IdentityId::new(id),
        kind: IdentityKind::Employee,
        email: Some(email.to_owned()),
        employee_id: None,
        aliases: aliases.iter().map(|a| (*a).to_owned()).collect(),
    }
}

#[test]
fn example_policy_correlates_documented_shapes() {
    let policy = Policy::from_toml(EXAMPLE_POLICY, "policy.example.toml").unwrap();
    let identities = vec![
        person("E1001", "octo@acme.example", &["octo"]),
        person("E2001", "alice@acme.example", &["alice"]),
        IdentityFacts {
            id: IdentityId::new("NHI-0042"),
            kind: IdentityKind::ServiceAccount,
            email: None,
            employee_id: None,
            aliases: vec![],
        },
        IdentityFacts {
            id: IdentityId::new("NHI-0100"),
            kind: IdentityKind::Workload,
            email: None,
            employee_id: None,
            aliases: vec!["payments:payments-api".to_owned()],
        },
    ];
    let correlator = Correlator::new(&policy, identities);
    let check = |system: &str, account: &str, identity: Option<&str>, rule: &str| {
        let Correlation {
            identity: got,
            rule: got_rule,
        } = correlator.correlate(&SystemId::new(system), account);
        assert_eq!(
            got.as_ref().map(IdentityId::as_str),
            identity,
            "{system}:{account}"
        );
        assert_eq!(got_rule.as_str(), rule, "{system}:{account}: {got_rule:?}");
    };
    check("github", "octocat", Some("E1001"), "explicit");
    check(
        "aws",
        "arn:aws:iam::123456789012:user/legacy-batch",
        Some("NHI-0042"),
        "explicit",
    );
    check("aws", "root", None, "ignored");
    check("linux", "root@bastion-01", None, "ignored");
    check("okta", "breakglass-admin", None, "ignored");
    check(
        "aws",
        "arn:aws:iam::123456789012:user/engineering/alice",
        Some("E2001"),
        "pattern",
    );
    check(
        "aws",
        "arn:aws:sts::123456789012:assumed-role/ReadOnly/alice@acme.example",
        Some("E2001"),
        "pattern",
    );
    check("linux", "alice@bastion-01", Some("E2001"), "pattern");
    check(
        "kubernetes",
        "system:serviceaccount:payments:payments-api",
        Some("NHI-0100"),
        "pattern",
    );
    check("okta", "ALICE@acme.example", Some("E2001"), "email");
    check("github", "alice", Some("E2001"), "alias");
    check("github", "mallory", None, "none");

    // The ignore rule and its reason travel with the result, for the separate report list.
    let ignored = correlator.correlate(&SystemId::new("aws"), "root");
    assert_eq!(
        ignored.rule,
        CorrelationRule::Ignored {
            pattern: "aws:root".to_owned(),
            reason: "AWS root user: break-glass only, sealed credentials".to_owned(),
        }
    );
}

/// `by_email_local_part`: usernames derived from work e-mails (`dana.ortiz` for
/// `dana.ortiz@example.com`), off unless the policy turns it on; two people with the same
/// local part are ambiguous.
#[test]
fn email_local_part_when_the_policy_says_so() {
    let text = |on: bool| {
        format!(
            "format = \"evidentia-policy/1\"\n[organisation]\nname = \"T\"\n[systems.aws]\ncriticality = \"high\"\n[correlation]\nby_email_local_part = {on}\n"
        )
    };
    let people = || {
        vec![
            person("E1", "dana.ortiz@example.com", &[]),
            person("E2", "sam.lee@example.com", &[]),
            person("E3", "sam.lee@contractor.example", &[]),
        ]
    };
    let on = Policy::from_toml(&text(true), "p.toml").unwrap();
    let correlator = Correlator::new(&on, people());
    let aws = SystemId::new("aws");
    let dana = correlator.correlate(&aws, "Dana.Ortiz");
    assert_eq!(dana.identity.as_ref().map(IdentityId::as_str), Some("E1"));
    assert_eq!(dana.rule, CorrelationRule::EmailLocalPart);
    assert_eq!(
        correlator.correlate(&aws, "sam.lee").rule.as_str(),
        "ambiguous"
    );
    let off = Policy::from_toml(&text(false), "p.toml").unwrap();
    let correlator = Correlator::new(&off, people());
    assert_eq!(
        correlator.correlate(&aws, "dana.ortiz").rule,
        CorrelationRule::None
    );
}
