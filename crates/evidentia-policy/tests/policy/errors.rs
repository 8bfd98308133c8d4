//! Bad policies are refused, each problem naming the line and the dotted key.

use evidentia_policy::{Policy, PolicyError};

const HEAD: &str = "format = \"evidentia-policy/1\"\n[organisation]\nname = \"Acme\"\n";

/// Loads `HEAD + body` and expects exactly `expected` (one line per problem).
fn check(body: &str, expected: &[&str]) {
    let text = format!("{HEAD}{body}");
    let err = Policy::from_toml(&text, "policy.toml").expect_err("policy should be refused");
    let lines: Vec<String> = err.to_string().lines().map(str::to_owned).collect();
    assert_eq!(lines, expected, "for policy:\n{text}");
}

const AWS: &str = "[systems.aws]\ncriticality = \"critical\"\n"; // lines 4-5

#[test]
fn bad_duration() {
    check(
        &format!("{AWS}revocation_sla = \"4x\"\n"),
        &[
            "policy.toml:6: systems.aws.revocation_sla: \"4x\" is not a duration (use 4h, 30m, 3d, 60s)",
        ],
    );
    check(
        &format!("{AWS}revocation_sla = 4\n"),
        &[
            "policy.toml:6: systems.aws.revocation_sla: \"4\" is not a duration (use 4h, 30m, 3d, 60s)",
        ],
    );
    check(
        &format!("{AWS}[movers]\ntransition_window = \"0d\"\n"),
        &[
            "policy.toml:7: movers.transition_window: \"0d\" is not a duration (use 4h, 30m, 3d, 60s)",
        ],
    );
    check(
        &format!("{AWS}[exceptions.max_duration]\nprivileged = \"1 month\"\n"),
        &[
            "policy.toml:7: exceptions.max_duration.privileged: \"1 month\" is not a duration (use 4h, 30m, 3d, 60s)",
        ],
    );
}

#[test]
fn unknown_keys() {
    check(
        &format!("{AWS}revocaton_sla = \"4h\"\n"),
        &[
            "policy.toml:6: systems.aws.revocaton_sla: unknown key; expected one of: name, criticality, mode, batch_interval, revocation_sla, privileged_revocation_sla, provisioning_sla, reconciled, deny_entitlements",
        ],
    );
    check(
        &format!("{AWS}[approvals]\nx = 1\n"),
        &[
            "policy.toml:6: approvals: unknown key; expected one of: format, organisation, systems, profiles, tiers, separation_of_duties, exceptions, movers, nhi, reviews, correlation, emergency",
        ],
    );
    check(
        &format!("{AWS}[tiers.standard]\nentitlements = {{ aws = [\"x\"] }}\n"),
        &["policy.toml:7: tiers.standard.entitlements: unknown key; expected one of: approvers"],
    );
}

#[test]
fn dangling_system_references() {
    check(
        &format!("{AWS}[emergency.activations]\nokta = [\"*(PIM activation)\"]\n"),
        &[
            "policy.toml:7: emergency.activations.okta: system \"okta\" is not defined in [systems] (defined: aws)",
        ],
    );
    check(
        &format!("{AWS}[emergency.approval_required]\nokta = [\"Global Administrator\"]\n"),
        &[
            "policy.toml:7: emergency.approval_required.okta: system \"okta\" is not defined in [systems] (defined: aws)",
        ],
    );
    check(
        &format!("{AWS}[profiles.engineer]\nokta = [\"Everyone\"]\n"),
        &[
            "policy.toml:7: profiles.engineer.okta: system \"okta\" is not defined in [systems] (defined: aws)",
        ],
    );
    check(
        &format!("{AWS}[[separation_of_duties]]\na = \"aws:A\"\nb = \"fin:B\"\nreason = \"r\"\n"),
        &[
            "policy.toml:8: separation_of_duties[0].b: system \"fin\" is not defined in [systems] (defined: aws)",
        ],
    );
    check(
        &format!("{AWS}[tiers.privileged.entitlements]\ngcp = [\"Owner\"]\n"),
        &[
            "policy.toml:7: tiers.privileged.entitlements.gcp: system \"gcp\" is not defined in [systems] (defined: aws)",
        ],
    );
    check(
        &format!("{AWS}[correlation.accounts]\n\"github:octocat\" = \"E1\"\n"),
        &[
            "policy.toml:7: correlation.accounts.\"github:octocat\": system \"github\" is not defined in [systems] (defined: aws)",
        ],
    );
    check(
        &format!("{AWS}[correlation.patterns]\nlinux = [\"{{alias}}@*\"]\n"),
        &[
            "policy.toml:7: correlation.patterns.linux: system \"linux\" is not defined in [systems] (defined: aws)",
        ],
    );
}

#[test]
fn other_refusals() {
    check(
        &format!("{AWS}mode = \"batch\"\n"),
        &[
            "policy.toml:4: systems.aws.batch_interval: is required when mode = \"batch\" (how far executions may trail requests)",
        ],
    );
    check(
        &format!("{AWS}revocation_sla = \"4h\"\nprivileged_revocation_sla = \"1d\"\n"),
        &[
            "policy.toml:7: systems.aws.privileged_revocation_sla: 1d is longer than revocation_sla 4h; it must be as strict or stricter",
        ],
    );
    check(
        &format!("{AWS}[tiers.privileged]\napprovers = [\"manager\", \"ciso\"]\n"),
        &[
            "policy.toml:7: tiers.privileged.approvers: \"ciso\" is not one of manager, security, system_owner, risk_owner",
        ],
    );
    check(
        &format!("{AWS}[[separation_of_duties]]\na = \"aws:A\"\nb = \"aws:a\"\nreason = \"r\"\n"),
        &["policy.toml:8: separation_of_duties[0].b: is the same entitlement as a"],
    );
    check(
        &format!("{AWS}[[correlation.ignore]]\naccount = \"aws:root\"\n"),
        &["policy.toml:6: correlation.ignore[0].reason: is required"],
    );
    check(
        &format!("{AWS}[correlation.patterns]\naws = [\"arn:aws:iam::*:user/*\"]\n"),
        &[
            "policy.toml:7: correlation.patterns.aws: \"arn:aws:iam::*:user/*\" must contain {alias} exactly once (found 0)",
        ],
    );
    check(
        &format!("{AWS}[nhi.credential_max_age_by_kind]\nemployee = \"1d\"\n"),
        &[
            "policy.toml:7: nhi.credential_max_age_by_kind.employee: \"employee\" is not a non-human identity kind (service_account, access_key, api_token, certificate, workload, ai_agent)",
        ],
    );
    check(
        &format!("{AWS}[profiles.Engineer]\naws = [\"A\"]\n[profiles.engineer]\naws = [\"B\"]\n"),
        &[
            "policy.toml:8: profiles.engineer: same role as \"Engineer\" (roles are compared ignoring case)",
        ],
    );
    check(
        &format!("{AWS}[correlation.accounts]\n\"aws:Alice\" = \"E1\"\n\"aws:alice\" = \"E2\"\n"),
        &[
            "policy.toml:8: correlation.accounts.\"aws:alice\": the same account is mapped twice (accounts are compared ignoring case)",
        ],
    );
    check(
        &format!("{AWS}[[correlation.ignore]]\naccount = \"root\"\nreason = \"r\"\n"),
        &[
            "policy.toml:7: correlation.ignore[0].account: \"root\" must be written system:account (system may be *)",
        ],
    );
    check(
        &format!("{AWS}[organisation.extra]\n"),
        &[
            "policy.toml:6: organisation.extra: unknown key; expected one of: name, period_start, period_end",
        ],
    );
    check(
        &format!("{AWS}[profiles.engineer]\naws = \"ReadOnly\"\n"),
        &["policy.toml:7: profiles.engineer.aws: must be a list of strings, not a string"],
    );
}

#[test]
fn missing_sections_and_format() {
    let err = Policy::from_toml("format = \"evidentia-policy/2\"\n", "p.toml").unwrap_err();
    assert_eq!(
        err.to_string(),
        "p.toml:1: format: \"evidentia-policy/2\" is not supported; this version reads \"evidentia-policy/1\"\n\
         p.toml:1: organisation: is required (at least `name`, shown on report covers)\n\
         p.toml:1: systems: is required: name at least one system in scope"
    );
}

#[test]
fn every_problem_is_listed_in_file_order() {
    let body =
        format!("{AWS}revocation_sla = \"4x\"\nfoo = 1\n[movers]\ntransition_window = \"2y\"\n");
    let err = Policy::from_toml(&format!("{HEAD}{body}"), "policy.toml").unwrap_err();
    let PolicyError::Invalid { problems, .. } = &err else {
        panic!("expected Invalid, got {err:?}");
    };
    let located: Vec<(usize, &str)> = problems.iter().map(|p| (p.line, p.key.as_str())).collect();
    assert_eq!(
        located,
        [
            (6, "systems.aws.revocation_sla"),
            (7, "systems.aws.foo"),
            (9, "movers.transition_window")
        ]
    );
}

#[test]
fn toml_syntax_error_names_line() {
    let err = Policy::from_toml(&format!("{HEAD}[systems.aws\n"), "policy.toml").unwrap_err();
    assert!(
        matches!(err, PolicyError::Syntax { line: 4, .. }),
        "{err:?}"
    );
    assert!(err.to_string().starts_with("policy.toml:4: "), "{err}");
}

#[test]
fn bad_review_settings() {
    check(
        &format!(
            "{AWS}[reviews]\nrevoke_sla = \"a week\"\nrubber_stamp_decisions = 1\nprivileged_reviewer_roles = [\"auditor\"]\nsla = \"7d\"\n"
        ),
        &[
            "policy.toml:7: reviews.revoke_sla: \"a week\" is not a duration (use 4h, 30m, 3d, 60s)",
            "policy.toml:8: reviews.rubber_stamp_decisions: 1 is not a count of at least 2",
            "policy.toml:9: reviews.privileged_reviewer_roles: \"auditor\" is not one of manager, security, system_owner, risk_owner",
            "policy.toml:10: reviews.sla: unknown key; expected one of: revoke_sla, rubber_stamp_decisions, rubber_stamp_window, privileged_reviewer_roles, reviewer_roles",
        ],
    );
}

#[test]
fn review_settings_have_defaults_and_take_seconds() {
    let policy = Policy::from_toml(&format!("{HEAD}{AWS}"), "policy.toml").expect("valid");
    assert_eq!(policy.reviews.revoke_sla.to_string(), "1w");
    assert_eq!(policy.reviews.rubber_stamp_decisions, 20);
    assert_eq!(policy.reviews.rubber_stamp_window.to_string(), "1m");
    let text = format!(
        "{HEAD}{AWS}[reviews]\nrevoke_sla = \"72h\"\nrubber_stamp_decisions = 5\nrubber_stamp_window = \"90s\"\nprivileged_reviewer_roles = [\"security\"]\n"
    );
    let policy = Policy::from_toml(&text, "policy.toml").expect("valid");
    assert_eq!(
        policy.reviews.revoke_sla.as_delta(),
        chrono::TimeDelta::hours(72)
    );
    assert_eq!(policy.reviews.rubber_stamp_decisions, 5);
    assert_eq!(
        policy.reviews.rubber_stamp_window.as_delta().num_seconds(),
        90
    );
    assert_eq!(
        policy.reviews.privileged_reviewer_roles,
        vec![evidentia_domain::ApproverRole::Security]
    );
}

#[test]
fn reviewer_roles_name_roles_and_people() {
    check(
        &format!("{AWS}[reviews.reviewer_roles]\nauditor = [\"H1\"]\nsecurity = \"H2\"\n"),
        &[
            "policy.toml:7: reviews.reviewer_roles.auditor: \"auditor\" is not one of manager, security, system_owner, risk_owner, other",
            "policy.toml:8: reviews.reviewer_roles.security: must be a list of strings, not a string",
        ],
    );
    let text = format!(
        "{HEAD}{AWS}[reviews.reviewer_roles]\nsecurity = [\"H1003\", \"brandon.lee@harborline.example\"]\n"
    );
    let policy = Policy::from_toml(&text, "policy.toml").expect("valid");
    let security = &policy.reviews.reviewer_roles[&evidentia_domain::ApproverRole::Security];
    let names: Vec<&str> = security.iter().map(|p| p.as_str()).collect();
    assert_eq!(names, ["H1003", "brandon.lee@harborline.example"]);
}
