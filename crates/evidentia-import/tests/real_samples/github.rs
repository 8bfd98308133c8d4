//! The GitHub audit sample: counts per action and provisioning action, warnings, and spot-checked fields.

use std::collections::BTreeMap;

use chrono::TimeZone;
use evidentia_domain::{Execution, Outcome, ProvisioningAction as A, Record};
use evidentia_import::{Format, ImportContext, Location, Origin, import};

use crate::sample;

const SAMPLE: &str = "github-audit/panther-fixtures_github-audit-membership.jsonl";

fn at_line(executions: &[(Execution, Location)], line: u64) -> &Execution {
    executions
        .iter()
        .find(|(_, l)| *l == Location::LinePointer(line, String::new()))
        .map(|(e, _)| e)
        .expect("a record from that line")
}

#[test]
fn panther_membership_fixtures() {
    let Some(bytes) = sample(SAMPLE) else { return };
    let ctx = ImportContext::new(SAMPLE);
    let mut sink: Vec<(Record, Origin)> = Vec::new();
    let summary = import(
        Format::Github,
        &mut bytes.as_slice(),
        &ctx,
        &mut sink,
        &mut |_| {},
    )
    .expect("sample imports");
    let (executions, activity) = crate::split(sink);
    // The sample holds membership events and no git operations, so no activity.
    assert!(activity.is_empty(), "{activity:?}");
    assert_eq!(summary.rows, 31);

    let mut imported: BTreeMap<(String, A), u64> = BTreeMap::new();
    for (e, _) in &executions {
        *imported
            .entry((crate::event_type(e), e.action))
            .or_default() += 1;
    }
    let expected: BTreeMap<(String, A), u64> = [
        (("org.add_member", A::CreateAccount), 1),
        (("org.remove_member", A::Delete), 1),
        (("org.invite_member", A::CreateAccount), 1),
        (("repo.add_member", A::Grant), 1),
        (("repo.remove_member", A::Revoke), 1),
        (("organization_moderators.add_user", A::Grant), 1),
        (("organization_moderators.remove_user", A::Revoke), 1),
        (("public_key.create", A::CredentialCreated), 1),
        (("public_key.delete", A::CredentialDeleted), 1),
        (("integration_installation.create", A::CreateAccount), 2),
    ]
    .into_iter()
    .map(|((t, a), n)| ((t.to_owned(), a), n))
    .collect();
    assert_eq!(imported, expected);

    let setting = "(an organization setting, not an account's access)";
    let skipped: BTreeMap<String, u64> = [
        (format!("org.set_default_workflow_permissions {setting}"), 2),
        (
            "team.create (the team itself: its members' access is recorded by team.add_member and team.remove_member)".to_owned(),
            1,
        ),
        (
            "team.destroy (the team itself: its members' access is recorded by team.add_member and team.remove_member)".to_owned(),
            1,
        ),
        (
            "team.add_repository (a team's access to a repository, not one account's)".to_owned(),
            1,
        ),
        (
            "repo.access (a repository's visibility, not an account's access)".to_owned(),
            2,
        ),
        (format!("org.saml_disabled {setting}"), 1),
        (format!("org.saml_enabled {setting}"), 1),
        (format!("org.update_saml_provider_settings {setting}"), 1),
        (format!("org.disable_two_factor_requirement {setting}"), 1),
        (format!("org.enable_two_factor_requirement {setting}"), 1),
        (format!("org.disable_oauth_app_restrictions {setting}"), 1),
        (format!("org.enable_oauth_app_restrictions {setting}"), 1),
    ]
    .into_iter()
    .collect();
    assert_eq!(summary.skipped, skipped);
    crate::assert_every_skip_has_a_reason(&summary);

    // Invitations and role changes that name no one (or no role) cannot be evidence, but
    // they are well-formed: warnings, so the real export imports without flags.
    assert!(summary.diagnostics.is_empty(), "{:?}", summary.diagnostics);
    let warned: Vec<String> = summary
        .warnings
        .iter()
        .map(|d| d.location.to_string())
        .collect();
    assert_eq!(
        warned,
        [
            "line 5 /user",
            "line 6 /user",
            "line 7 /permission",
            "line 17 /user",
            "line 19 /user",
            "line 29 /user"
        ]
    );
    assert!(
        summary.warnings[2].reason.contains("new role"),
        "{}",
        summary.warnings[2]
    );
    assert_eq!(
        executions.len() as u64
            + summary.skipped.values().sum::<u64>()
            + summary.warnings.len() as u64,
        31
    );

    let created = chrono::Utc
        .timestamp_millis_opt(1_621_305_118_553)
        .single()
        .expect("valid");
    let grant = at_line(&executions, 1);
    assert_eq!(grant.account, "cat");
    assert_eq!(grant.actor.as_deref(), Some("bob"));
    assert_eq!(grant.entitlement.as_deref(), Some("my-org/my-repo"));
    assert_eq!(grant.at, created);
    assert_eq!(grant.system.as_str(), "github");

    let invite = at_line(&executions, 8);
    assert_eq!(
        (invite.account.as_str(), invite.outcome),
        ("bob", Outcome::Queued)
    );
    assert_eq!(
        invite.entitlement.as_deref(),
        Some("my-org"),
        "org taken from the repository owner"
    );

    let leave = at_line(&executions, 31);
    assert_eq!((leave.action, leave.account.as_str()), (A::Delete, "bob"));
    assert_eq!(leave.outcome, Outcome::Succeeded);

    let moderator = at_line(&executions, 13);
    assert_eq!(
        moderator.entitlement.as_deref(),
        Some("example-io:moderator")
    );
    assert_eq!(moderator.source_event_id.as_deref(), Some("Ab123"));
    let at = chrono::Utc
        .with_ymd_and_hms(2022, 12, 11, 5, 17, 28)
        .single()
        .expect("valid")
        + chrono::Duration::milliseconds(78);
    assert_eq!(moderator.at, at);

    let deploy_key = at_line(&executions, 15);
    assert_eq!(
        deploy_key.account, "my-org/my-repo",
        "a key on a repository is a deploy key"
    );

    let app = at_line(&executions, 20);
    assert_eq!(
        (app.account.as_str(), app.entitlement.as_deref()),
        ("Microsoft Teams for GitHub", Some("your-organization"))
    );
}
