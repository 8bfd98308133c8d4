//! The Entra ID audit samples (Log Analytics and Azure Monitor shapes): counts and fields.

use std::collections::BTreeMap;

use evidentia_domain::{Execution, Outcome, ProvisioningAction as A, Record};
use evidentia_import::{Format, ImportContext, ImportSummary, Location, Origin, import};

use crate::sample;

fn run(rel: &str) -> Option<(ImportSummary, Vec<(Execution, Location)>)> {
    let bytes = sample(rel)?;
    let ctx = ImportContext::new(rel);
    let mut sink: Vec<(Record, Origin)> = Vec::new();
    let summary = import(
        Format::Entra,
        &mut bytes.as_slice(),
        &ctx,
        &mut sink,
        &mut |_| {},
    )
    .expect("sample imports");
    assert!(summary.diagnostics.is_empty(), "{:?}", summary.diagnostics);
    assert!(summary.warnings.is_empty(), "{:?}", summary.warnings);
    let (executions, activity) = crate::split(sink);
    // Both samples are audit logs: no sign-ins, so no activity.
    assert!(activity.is_empty(), "{activity:?}");
    Some((summary, executions))
}

fn counts(pairs: &[(&str, u64)]) -> BTreeMap<String, u64> {
    pairs.iter().map(|(k, n)| ((*k).to_owned(), *n)).collect()
}

#[test]
fn simuland_log_analytics_export() {
    let Some((summary, executions)) = run("entra-id/otrf-simuland_AADAuditEvents.json") else {
        return;
    };
    assert_eq!(summary.rows, 4);
    // Rows 1 and 2 are one audit event (same Id) expanded twice by the Log Analytics query.
    assert_eq!(
        summary.skipped,
        counts(&[
            (
                "Update application \u{2013} Certificates and secrets management (the row before's event again, as Log Analytics expands one event into several rows)",
                1
            ),
            (
                "Update application (application properties, not its credentials or assignments)",
                1
            )
        ])
    );
    crate::assert_every_skip_has_a_reason(&summary);
    assert_eq!(executions.len(), 2);

    let (secret, at) = &executions[0];
    assert_eq!(*at, Location::LinePointer(1, String::new()));
    assert_eq!(secret.system.as_str(), "entra-id");
    assert_eq!(secret.action, A::CredentialCreated);
    assert_eq!(secret.account, "SimuLandApp");
    assert_eq!(
        secret.entitlement.as_deref(),
        Some("59eaeebc-8a6b-44a6-9f24-7d55e64420c9")
    );
    assert_eq!(secret.actor.as_deref(), Some("pgustavo@simulandlabs.com"));
    assert_eq!(secret.at.to_rfc3339(), "2021-08-02T13:29:25.983+00:00");
    assert_eq!(secret.outcome, Outcome::Succeeded);
    assert_eq!(
        secret.source_event_id.as_deref(),
        Some("Directory_10065ffb-8199-48bc-8ff5-912cb5b8295a_AUMVX_13992832")
    );

    let (consent, at) = &executions[1];
    assert_eq!(*at, Location::LinePointer(4, String::new()));
    assert_eq!(consent.action, A::Grant);
    assert_eq!(
        consent.source_event_type.as_deref(),
        Some("Add delegated permission grant")
    );
    assert_eq!(consent.account, "0d2f5969-011b-460d-ac74-3291d227d49f");
    assert_eq!(
        consent.entitlement.as_deref(),
        Some("Microsoft Graph: User.Read Mail.ReadWrite")
    );
}

const POLICY: &str = "(a tenant or application policy, not an account's access)";
const DOMAIN: &str = "(a tenant domain setting, not an account's access)";

#[test]
fn panther_azure_monitor_audit_logs() {
    let Some((summary, executions)) = run("entra-id/panther-fixtures_entra-auditlogs.jsonl") else {
        return;
    };
    assert_eq!(summary.rows, 15);
    assert_eq!(
        summary.skipped,
        counts(&[
            (&format!("Update policy {POLICY}"), 2),
            (&format!("Authentication Methods Policy Update {POLICY}"), 2),
            (&format!("Update conditional access policy {POLICY}"), 2),
            (&format!("Delete conditional access policy {POLICY}"), 1),
            (&format!("Added policy {POLICY}"), 1),
            (&format!("Set federation settings on domain {DOMAIN}"), 1),
            (&format!("Set domain authentication {DOMAIN}"), 1),
        ])
    );
    crate::assert_every_skip_has_a_reason(&summary);
    let mut by_type: BTreeMap<(String, A, Outcome), u64> = BTreeMap::new();
    for (e, _) in &executions {
        *by_type
            .entry((crate::event_type(e), e.action, e.outcome))
            .or_default() += 1;
    }
    let expected: BTreeMap<(String, A, Outcome), u64> = [
        ("Add member to role", A::Grant, Outcome::Succeeded),
        (
            "Add member to role in PIM requested (permanent)",
            A::Grant,
            Outcome::Queued,
        ),
        (
            "Add member to role in PIM completed (permanent)",
            A::Grant,
            Outcome::Succeeded,
        ),
        (
            "Add service principal",
            A::CreateAccount,
            Outcome::Succeeded,
        ),
        (
            "Add service principal credentials",
            A::CredentialCreated,
            Outcome::Succeeded,
        ),
    ]
    .into_iter()
    .map(|(t, a, o)| ((t.to_owned(), a, o), 1))
    .collect();
    assert_eq!(by_type, expected);

    let (creds, at) = executions
        .iter()
        .find(|(e, _)| e.action == A::CredentialCreated)
        .expect("credential event");
    assert_eq!(*at, Location::LinePointer(4, String::new()));
    assert_eq!(creds.account, "Production API Service");
    assert_eq!(
        creds.entitlement.as_deref(),
        Some("Client Secret for API Access")
    );
    assert_eq!(creds.actor.as_deref(), Some("frodo@lotr.com"));
    // activityDateTime (seven fractional digits) wins over the space-separated `time`.
    assert_eq!(creds.at.to_rfc3339(), "2025-01-15T09:30:20.123456700+00:00");

    let (pim, _) = executions
        .iter()
        .find(|(e, _)| {
            e.source_event_type.as_deref()
                == Some("Add member to role in PIM completed (permanent)")
        })
        .expect("PIM event");
    assert_eq!(pim.account, "Malenia");
    assert_eq!(
        pim.entitlement.as_deref(),
        Some("Application Administrator")
    );
    assert_eq!(
        pim.actor.as_deref(),
        Some("Radahn@Starscourge.onmicrosoft.com")
    );
    assert_eq!(pim.at.to_rfc3339(), "2024-12-16T16:32:16.087554+00:00");
    assert_eq!(pim.request_ref.as_deref(), Some("111111111111"));

    let (sp, _) = executions
        .iter()
        .find(|(e, _)| e.action == A::CreateAccount)
        .expect("SP event");
    assert_eq!(sp.account, "New Automation Service");
    assert_eq!(sp.actor.as_deref(), Some("cloudadmin@company.com"));
}

/// Every cut of the sample, and the sample with bytes overwritten, imports or fails cleanly.
#[test]
fn damaged_copies_never_panic() {
    crate::assert_damaged_copies_never_panic(
        "entra-id/panther-fixtures_entra-auditlogs.jsonl",
        Format::Entra,
    );
}
