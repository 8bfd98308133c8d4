//! The example policy loads, means what docs/policy.md says, and is the one the docs show.

use chrono::TimeDelta;
use evidentia_domain::{ApproverRole, IdentityKind, SystemId, Tier};
use evidentia_policy::{EXAMPLE_POLICY, ExecutionMode, Policy};

fn example() -> Policy {
    Policy::from_toml(EXAMPLE_POLICY, "policy.example.toml").unwrap()
}

#[test]
fn example_loads_with_its_settings() {
    let p = example();
    assert_eq!(p.organisation.name, "Acme Financial Services");
    assert_eq!(p.systems.len(), 8);
    let finance = &p.systems[&SystemId::new("finance-app")];
    assert_eq!(finance.mode, ExecutionMode::Batch);
    assert_eq!(
        finance.revocation_deadline(Tier::Standard),
        TimeDelta::hours(48)
    );
    let google = &p.systems[&SystemId::new("google-workspace")];
    assert_eq!(google.revocation_sla.to_string(), "3d");
    let aws = &p.systems[&SystemId::new("aws")];
    assert_eq!(
        aws.revocation_deadline(Tier::Privileged),
        TimeDelta::hours(4)
    );
    assert_eq!(
        aws.revocation_deadline(Tier::Elevated),
        TimeDelta::hours(24)
    );
    assert_eq!(
        p.nhi
            .credential_max_age_for(IdentityKind::Certificate)
            .to_string(),
        "365d"
    );
    assert_eq!(
        p.nhi
            .credential_max_age_for(IdentityKind::AccessKey)
            .to_string(),
        "90d"
    );
    assert!(p.nhi.is_interactive("consolelogin"));
    assert!(!p.nhi.is_interactive("AssumeRole"));
    assert_eq!(
        p.exceptions.max_duration(Tier::Privileged).to_string(),
        "30d"
    );
    assert_eq!(p.movers.transition_window.to_string(), "2w");
    assert_eq!(p.reviews.revoke_sla.to_string(), "5d");
    assert_eq!(p.reviews.rubber_stamp_decisions, 25);
    assert_eq!(p.reviews.rubber_stamp_window.to_string(), "90s");
    assert_eq!(
        p.reviews.privileged_reviewer_roles,
        [ApproverRole::Security, ApproverRole::SystemOwner]
    );
}

#[test]
fn tiers_classify_and_require_every_listed_role() {
    let p = example();
    let check = |system: &str, entitlement: &str, tier: Tier| {
        assert_eq!(
            p.tiers.classify(&SystemId::new(system), entitlement),
            tier,
            "{system}:{entitlement}"
        );
    };
    check("aws", "AdministratorAccess", Tier::Privileged);
    check("aws", "administratoraccess", Tier::Privileged);
    check("okta", "Org Admins", Tier::Privileged); // via "*" = ["*Admin*"]
    check("github", "maintainer", Tier::Elevated);
    check("github", "member", Tier::Standard);
    check("aws", "ReadOnly", Tier::Standard);
    check("unknown-system", "SuperAdmin", Tier::Privileged);
    let privileged = p.tiers.rule(Tier::Privileged);
    assert_eq!(
        privileged.missing_roles(&[ApproverRole::Manager]),
        vec![ApproverRole::Security]
    );
    assert!(
        privileged
            .missing_roles(&[ApproverRole::Security, ApproverRole::Manager])
            .is_empty()
    );
}

#[test]
fn profiles_and_sod() {
    let p = example();
    let okta = SystemId::new("okta");
    let aws = SystemId::new("aws");
    assert!(p.expects_for_role(Some("Engineer"), &aws, "readonly"));
    assert!(p.expects_for_role(Some("engineer"), &okta, "Everyone"));
    assert!(p.expects_for_role(None, &okta, "Everyone"));
    assert!(!p.expects_for_role(Some("engineer"), &aws, "AdministratorAccess"));
    assert!(!p.expects_for_role(Some("nobody"), &aws, "ReadOnly"));
    assert!(p.expects_for_nhi(IdentityKind::Workload, &SystemId::new("kubernetes"), "view"));
    let fin = SystemId::new("finance-app");
    let held = vec![
        (fin.clone(), "Payments-Create".to_owned()),
        (fin.clone(), "payments-approve".to_owned()),
        (fin, "GL-Read".to_owned()),
    ];
    let ids: Vec<&str> = p
        .sod_conflicts(&held)
        .iter()
        .map(|r| r.id.as_str())
        .collect();
    assert_eq!(ids, ["SOD-PAYMENTS"]);
}

#[test]
fn canonical_form_is_deterministic_and_normalised() {
    let a = serde_json::to_string(&example()).unwrap();
    let b = serde_json::to_string(&example()).unwrap();
    assert_eq!(a, b);
    let value: serde_json::Value = serde_json::from_str(&a).unwrap();
    assert_eq!(value["systems"]["google-workspace"]["revocation_sla"], "3d");
    assert_eq!(value["systems"]["finance-app"]["mode"], "batch");
    assert_eq!(
        value["nhi"]["credential_max_age_by_kind"]["certificate"],
        "365d"
    );
    assert_eq!(value["organisation"]["period_start"], "2025-01-01");
    // The same policy with durations spelt differently records the same.
    let respelt = EXAMPLE_POLICY.replace("revocation_sla = \"24h\"", "revocation_sla = \"1d\"");
    let c = serde_json::to_string(&Policy::from_toml(&respelt, "x.toml").unwrap()).unwrap();
    assert_eq!(a, c);
}

#[test]
fn docs_show_the_shipped_example() {
    let docs = include_str!("../../../../docs/policy.md");
    let (_, tail) = docs.split_once("## Complete example").unwrap();
    let (_, block) = tail.split_once("```toml\n").unwrap();
    let (shown, _) = block.split_once("```").unwrap();
    assert_eq!(
        shown, EXAMPLE_POLICY,
        "docs/policy.md must show policy.example.toml verbatim"
    );
}
