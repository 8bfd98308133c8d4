//! The Okta System Log sample: counts per event type and spot-checked fields.

use std::collections::BTreeMap;

use evidentia_domain::{Outcome, ProvisioningAction, Record};
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
    assert!(summary.warnings.is_empty(), "{:?}", summary.warnings);
    assert_eq!(summary.rows, 46);

    // The file's only provisioning event is a (failed) group privilege grant; the rest is
    // sign-in, policy, MFA and rate-limit noise, skipped by type.
    assert_eq!(sink.len(), 1);
    let (Record::Execution(grant), origin) = &sink[0] else {
        panic!("{:?}", sink[0])
    };
    assert_eq!(origin.location, Location::LinePointer(9, String::new()));
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

    let skipped: BTreeMap<String, u64> = [
        ("user.session.start", 9),
        ("policy.evaluate_sign_on", 5),
        ("system.org.rate_limit.warning", 4),
        ("application.user_membership.show_password", 3),
        ("user.authentication.auth_via_mfa", 3),
        ("application.lifecycle.update", 2),
        ("user.authentication.sso", 2),
        ("system.operation.rate_limit.violation", 2),
        ("security.threat.detected", 2),
        ("user.session.impersonation.grant", 1),
        ("system.mfa.factor.deactivate", 1),
        ("user.mfa.factor.deactivate", 1),
        ("user.mfa.factor.reset_all", 1),
        ("application.lifecycle.create", 1),
        ("system.idp.lifecycle.create", 1),
        ("app.oauth2.authorize.code", 1),
        ("app.oauth2.token.detect_reuse", 1),
        ("app.token.reuse", 1),
        ("user.account.report_suspicious_activity_by_enduser", 1),
        ("application.integration.rate_limit_exceeded", 1),
        ("app.generic.unauth_app_access_attempt", 1),
        ("user.authentication.auth_via_IDP", 1),
    ]
    .into_iter()
    .map(|(t, n)| (t.to_owned(), n))
    .collect();
    assert_eq!(summary.skipped, skipped);
    assert_eq!(
        summary.skipped.values().sum::<u64>() + summary.total_records(),
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
