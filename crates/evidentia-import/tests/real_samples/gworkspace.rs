//! The Google Workspace sample: counts per application:event and action, warnings, and spot-checked fields.

use std::collections::BTreeMap;

use chrono::TimeZone;
use evidentia_domain::{Outcome, ProvisioningAction as A, Record};
use evidentia_import::{Format, ImportContext, Location, Origin, import};

use crate::sample;

const SAMPLE: &str = "google-workspace/panther-fixtures_gws-admin-groups-accounts.jsonl";

#[test]
fn panther_admin_groups_accounts_fixtures() {
    let Some(bytes) = sample(SAMPLE) else { return };
    let ctx = ImportContext::new(SAMPLE);
    let mut sink: Vec<(Record, Origin)> = Vec::new();
    let summary = import(
        Format::Gworkspace,
        &mut bytes.as_slice(),
        &ctx,
        &mut sink,
        &mut |_| {},
    )
    .expect("sample imports");
    assert_eq!(summary.rows, 39);
    let (executions, activity) = crate::split(sink);
    // The sample's `login` events are account warnings (executions), not sign-ins.
    assert!(activity.is_empty(), "{activity:?}");

    // Only the OAuth grants carry everything an execution needs.
    let got: Vec<_> = executions
        .iter()
        .map(|(e, l)| {
            (
                e.source_event_type.as_deref(),
                e.action,
                e.account.as_str(),
                l.clone(),
            )
        })
        .collect();
    let line = |n| Location::LinePointer(n, String::new());
    assert_eq!(
        got,
        [
            (
                Some("token:authorize"),
                A::CredentialCreated,
                "user@example.com",
                line(28)
            ),
            (
                Some("token:authorize"),
                A::CredentialCreated,
                "user@example.com",
                line(29)
            ),
            (
                Some("token:authorize"),
                A::CredentialCreated,
                "admin@example.com",
                line(31)
            ),
        ]
    );
    let grant = &executions[0].0;
    assert_eq!(
        grant.entitlement.as_deref(),
        Some("SuspiciousThirdPartyApp")
    );
    assert_eq!(grant.actor.as_deref(), Some("user@example.com"));
    assert_eq!(
        grant.at,
        chrono::Utc
            .with_ymd_and_hms(2024, 1, 15, 10, 30, 0)
            .single()
            .expect("valid")
    );
    assert_eq!(grant.source_event_id.as_deref(), Some("987654321098765432"));
    assert_eq!(grant.outcome, Outcome::Succeeded);
    assert_eq!(grant.system.as_str(), "google-workspace");

    // Mapped events that name no account (CREATE_USER, the group moderation fixtures) or have
    // no time (the login suspensions) are warnings: not silent skips, yet well-formed, so
    // the real export imports without flags.
    assert!(summary.diagnostics.is_empty(), "{:?}", summary.diagnostics);
    let warned: Vec<String> = summary
        .warnings
        .iter()
        .map(|d| d.location.to_string())
        .collect();
    assert_eq!(
        warned,
        [
            "line 13 /parameters",
            "line 14 /parameters",
            "line 15 /id/time",
            "line 16 /id/time",
            "line 21 /id/time",
            "line 30 /parameters",
        ]
    );
    assert!(
        summary.warnings[5].reason.contains("USER_EMAIL"),
        "{}",
        summary.warnings[5]
    );

    let setting = "(a domain or application setting, not an account's access)";
    let role = "(a role defined or deleted, not assigned to anyone)";
    let takeout = "(an export of the organization's data, not an access change)";
    let own = "(an account's own security or mail setting, not access)";
    let skipped: BTreeMap<String, u64> = [
        (format!("admin:ADD_APPLICATION {setting}"), 2),
        (
            format!("admin:ADD_MOBILE_APPLICATION_TO_WHITELIST {setting}"),
            1,
        ),
        (format!("admin:ADD_TRUSTED_DOMAINS {setting}"), 1),
        (format!("admin:CHANGE_APPLICATION_SETTING {setting}"), 4),
        (format!("admin:CHANGE_CALENDAR_SETTING {setting}"), 3),
        (format!("admin:CHANGE_EMAIL_SETTING {setting}"), 2),
        (format!("admin:CREATE_APPLICATION_SETTING {setting}"), 2),
        (format!("admin:CREATE_GMAIL_SETTING {setting}"), 1),
        (format!("admin:CREATE_ROLE {role}"), 1),
        (format!("admin:CUSTOMER_TAKEOUT_CREATED {takeout}"), 1),
        (format!("admin:CUSTOMER_TAKEOUT_SUCCEEDED {takeout}"), 2),
        (format!("admin:DELETE_GMAIL_SETTING {setting}"), 1),
        (format!("admin:DELETE_ROLE {role}"), 1),
        (format!("admin:REMOVE_TRUSTED_DOMAINS {setting}"), 1),
        (format!("user_accounts:2sv_disable {own}"), 1),
        (format!("user_accounts:2sv_enroll {own}"), 2),
        (
            format!("user_accounts:email_forwarding_out_of_domain {own}"),
            1,
        ),
        (format!("user_accounts:recovery_email_edit {own}"), 1),
        (format!("user_accounts:titanium_enroll {own}"), 1),
        (format!("user_accounts:titanium_unenroll {own}"), 1),
    ]
    .into_iter()
    .collect();
    assert_eq!(summary.skipped, skipped);
    crate::assert_every_skip_has_a_reason(&summary);
    assert_eq!(
        executions.len() as u64
            + summary.skipped.values().sum::<u64>()
            + summary.warnings.len() as u64,
        39
    );
}
