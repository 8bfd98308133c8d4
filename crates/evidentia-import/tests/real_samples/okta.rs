//! The Okta System Log sample: counts per event type and spot-checked fields.

use std::collections::BTreeMap;

use evidentia_domain::{ActivityChannel, Outcome, ProvisioningAction, Record};
use evidentia_import::{Format, ImportContext, Location, Origin, import};

use crate::sample;

#[test]
fn panther_okta_system_log() {
    let rel = "okta/panther-fixtures_okta-systemlog.jsonl";
    let Some(bytes) = sample(rel) else { return };
    let ctx = ImportContext::new(rel);
    let mut sink: Vec<(Record, Origin)> = Vec::new();
    let summary = import(
        Format::Okta,
        &mut bytes.as_slice(),
        &ctx,
        &mut sink,
        &mut |_| {},
    )
    .expect("sample imports");
    assert!(summary.diagnostics.is_empty(), "{:?}", summary.diagnostics);
    // Four sign-ins have `"published": "redacted"`: they prove no use at any time, so they
    // are skipped, with one warning for the file, and the file still imports.
    assert_eq!(summary.warnings.len(), 1, "{:?}", summary.warnings);
    assert_eq!(
        summary.warnings[0].location,
        Location::LinePointer(21, String::new())
    );
    assert!(
        summary.warnings[0].reason.starts_with("4 sign-in(s)"),
        "{}",
        summary.warnings[0].reason
    );
    assert_eq!(summary.rows, 46);

    // The file's only provisioning event is a (failed) group privilege grant; the dated,
    // attributed sign-ins are activity; the rest is policy, MFA and rate-limit noise, skipped
    // by type.
    let (executions, activity) = crate::split(sink);
    assert_eq!(executions.len(), 1);
    let (grant, location) = &executions[0];
    assert_eq!(*location, Location::LinePointer(9, String::new()));
    assert_eq!(grant.system.as_str(), "okta");
    assert_eq!(grant.action, ProvisioningAction::Grant);
    assert_eq!(
        grant.source_event_type.as_deref(),
        Some("group.privilege.grant")
    );
    assert_eq!(grant.account, "App (123)");
    assert_eq!(grant.entitlement.as_deref(), Some("admin-privilege"));
    assert_eq!(grant.actor.as_deref(), Some("homer.simpson@duff.com"));
    assert_eq!(grant.at.to_rfc3339(), "2022-12-13T00:58:19.811+00:00");
    assert_eq!(grant.outcome, Outcome::Failed);
    assert_eq!(grant.source_event_id.as_deref(), Some("aa-11-22-33-44-bb"));

    // `user.session.start`: lines 2 and 3 (Casey, succeeded and failed) and 44 and 45 (Homer,
    // failed) are activity; line 12 has no outcome; lines 21–24 are undated. Both
    // `user.authentication.sso` events name no actor.
    let got: Vec<_> = activity
        .iter()
        .map(|a| {
            assert_eq!(a.system.as_str(), "okta");
            assert_eq!(a.channel, ActivityChannel::SignIn);
            assert!(a.interactive);
            assert_eq!(a.event_types, ["user.session.start"]);
            (
                a.account.as_str(),
                a.outcome,
                a.count,
                a.first.location.as_str(),
                a.last.location.as_str(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (
                "casey.hill@hey.com",
                Outcome::Succeeded,
                1,
                "line 2",
                "line 2"
            ),
            ("casey.hill@hey.com", Outcome::Failed, 1, "line 3", "line 3"),
            (
                "homer.simpson@duff.com",
                Outcome::Failed,
                2,
                "line 44",
                "line 45"
            ),
        ]
    );
    let casey = &activity[0];
    assert_eq!(casey.first.at.to_rfc3339(), "2024-04-02T19:17:37.621+00:00");
    assert_eq!(
        casey.first.source_event_id.as_deref(),
        Some("aac560bd-f125-11ee-9caa-cd5d09945def")
    );
    assert_eq!(casey.days[0].to_string(), "2024-04-02");
    assert_eq!(casey.clients.len(), 1);
    assert!(casey.clients[0].starts_with("Mozilla/5.0 (Macintosh;"));

    let policy = "(a policy evaluation or change, not an account's access)";
    let rate = "(an API rate limit, not an account's access)";
    let signal = "(a security signal, not an access change)";
    let step = "(a step of a sign-in, not the sign-in itself)";
    let factor = "(an authentication factor, not access)";
    let config = "(an application's or identity provider's configuration, not an account's access)";
    let skipped: BTreeMap<String, u64> = [
        (
            "user.session.start (no decided outcome: proves neither use nor refusal)".to_owned(),
            1,
        ),
        ("user.session.start (undated)".to_owned(), 4),
        ("user.authentication.sso (no account)".to_owned(), 2),
        (format!("policy.evaluate_sign_on {policy}"), 5),
        (format!("system.org.rate_limit.warning {rate}"), 4),
        (
            "application.user_membership.show_password (a user revealing an app's password: no access changes)"
                .to_owned(),
            3,
        ),
        (format!("user.authentication.auth_via_mfa {step}"), 3),
        (format!("application.lifecycle.update {config}"), 2),
        (format!("system.operation.rate_limit.violation {rate}"), 2),
        (format!("security.threat.detected {signal}"), 2),
        (
            "user.session.impersonation.grant (Okta Support access to the org, no account's)"
                .to_owned(),
            1,
        ),
        (format!("system.mfa.factor.deactivate {factor}"), 1),
        (format!("user.mfa.factor.deactivate {factor}"), 1),
        (format!("user.mfa.factor.reset_all {factor}"), 1),
        (format!("application.lifecycle.create {config}"), 1),
        (format!("system.idp.lifecycle.create {config}"), 1),
        (format!("app.oauth2.authorize.code {step}"), 1),
        (format!("app.oauth2.token.detect_reuse {signal}"), 1),
        (format!("app.token.reuse {signal}"), 1),
        (
            format!("user.account.report_suspicious_activity_by_enduser {signal}"),
            1,
        ),
        (
            format!("application.integration.rate_limit_exceeded {rate}"),
            1,
        ),
        (format!("app.generic.unauth_app_access_attempt {signal}"), 1),
        (format!("user.authentication.auth_via_IDP {step}"), 1),
    ]
    .into_iter()
    .collect();
    assert_eq!(summary.skipped, skipped);
    crate::assert_every_skip_has_a_reason(&summary);
    // Every event is an execution, a skip, or one of the activity summaries' occurrences.
    let occurrences: u64 = activity.iter().map(|a| a.count).sum();
    assert_eq!(
        summary.skipped.values().sum::<u64>() + executions.len() as u64 + occurrences,
        46
    );
}

/// Every cut of the sample, and the sample with bytes overwritten, imports or fails cleanly.
#[test]
fn damaged_copies_never_panic() {
    crate::assert_damaged_copies_never_panic(
        "okta/panther-fixtures_okta-systemlog.jsonl",
        Format::Okta,
    );
}
