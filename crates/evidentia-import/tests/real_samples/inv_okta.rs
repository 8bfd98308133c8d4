//! The Okta inventory samples: detected as `okta-directory`, imported with only the file's time, rows spot-checked.

use evidentia_domain::{Coverage, ReconciliationRecord, ReconciliationStatus};
use evidentia_import::{Format, ImportSummary, Location};

use crate::file_time;

const FOLDER: &str = "inventories/okta_users/";

fn import(
    rel: &str,
    scope: Option<&str>,
) -> Option<(ImportSummary, Vec<(ReconciliationRecord, Location)>)> {
    let (summary, rows) = crate::import_inventory(rel, Format::OktaDirectory, scope)?;
    assert!(summary.diagnostics.is_empty(), "{:?}", summary.diagnostics);
    Some((summary, rows))
}

#[test]
fn datahub_users_every_status_and_a_login_listed_twice() {
    let Some((summary, rows)) = import(&format!("{FOLDER}datahub_okta_users.json"), None) else {
        return;
    };
    assert_eq!(summary.rows, 5);
    use ReconciliationStatus::{Disabled as D, ExpectedPresent as P};
    let got: Vec<_> = rows
        .iter()
        .map(|(r, _)| (r.account.as_str(), r.status))
        .collect();
    assert_eq!(
        got,
        [
            ("john.doe@test.com", D),  // STAGED: cannot sign in until activated
            ("mary.jane@test.com", P), // ACTIVE
            ("mary.jane@test.com", D), // DEPROVISIONED, same login
            ("bad.boyjones@test.com", D),
            ("bad.girlriri@test.com", D), // SUSPENDED
        ]
    );
    for (row, _) in &rows {
        assert_eq!(row.system.as_str(), "okta");
        assert_eq!(row.entitlement, None);
        assert_eq!(row.last_used_at, None);
        assert_eq!(row.as_of, file_time());
        assert_eq!(row.coverage.as_deref(), Some(&Coverage::accounts()));
    }
    let warnings: Vec<_> = summary.warnings.iter().map(|w| w.reason.as_str()).collect();
    assert_eq!(warnings.len(), 2, "{warnings:?}");
    assert!(warnings.iter().any(|w| w.contains("modification time")));
    let twice = summary
        .warnings
        .iter()
        .find(|w| w.reason.contains("mary.jane@test.com"))
        .expect("the duplicate login is reported");
    assert_eq!(twice.location, Location::Pointer("/2".into()));
    assert!(
        twice.reason.contains("ACTIVE, then DEPROVISIONED"),
        "{}",
        twice.reason
    );
}

#[test]
fn okta_sdk_user_pages_and_group_members() {
    for name in [
        "DERIVED_okta-sdk-python_GET_api_v1_users_limit1_page1.json",
        "DERIVED_okta-sdk-python_GET_api_v1_users_limit1_page2.json",
        "DERIVED_okta-sdk-python_GET_api_v1_groups_id_users.json",
    ] {
        let Some((summary, rows)) = import(&format!("{FOLDER}{name}"), None) else {
            return;
        };
        assert_eq!((summary.rows, rows.len()), (1, 1), "{name}");
        let row = &rows[0].0;
        assert!(row.account.starts_with("John.Doe-"), "{}", row.account);
        assert_eq!(row.status, ReconciliationStatus::Disabled, "STAGED");
        assert_eq!(row.last_used_at, None);
    }
    // A group's member list, with the group named.
    let Some((_, rows)) = import(
        &format!("{FOLDER}DERIVED_okta-sdk-python_GET_api_v1_groups_id_users.json"),
        Some("Test-User-Group"),
    ) else {
        return;
    };
    assert_eq!(rows[0].0.account, "John.Doe-Activate@example.com");
    assert_eq!(rows[0].0.entitlement.as_deref(), Some("Test-User-Group"));
    assert_eq!(
        rows[0].0.coverage,
        Some(std::sync::Arc::new(Coverage::holders_of("Test-User-Group")))
    );
}

#[test]
fn okta_sdk_a_users_groups() {
    let rel = format!("{FOLDER}DERIVED_okta-sdk-python_GET_api_v1_users_id_groups.json");
    // With no flags: no user named, so no rows, one warning.
    let Some((summary, rows)) = import(&rel, None) else {
        return;
    };
    assert!(rows.is_empty());
    assert_eq!(summary.rows, 2);
    assert!(
        summary
            .warnings
            .iter()
            .any(|w| w.reason.contains("--scope LOGIN"))
    );
    let Some((_, rows)) = import(&rel, Some("john.doe@example.com")) else {
        return;
    };
    let got: Vec<_> = rows
        .iter()
        .map(|(r, _)| (r.account.as_str(), r.entitlement.as_deref()))
        .collect();
    assert_eq!(
        got,
        [
            ("john.doe@example.com", Some("Everyone")),
            ("john.doe@example.com", Some("Test-User-Group"))
        ]
    );
    assert_eq!(
        rows[0].0.coverage,
        Some(std::sync::Arc::new(Coverage {
            accounts: false,
            entitlements: false,
            credentials: false,
            holders_of: None
        }))
    );
}

#[test]
fn the_recorded_cassettes_are_not_listings() {
    for name in [
        "okta-sdk-python_cassette_TestGroupsResource.test_group_users_operations.yaml",
        "okta-sdk-python_cassette_TestUsersResource.test_list_user_groups.yaml",
        "okta-sdk-python_cassette_TestUsersResource.test_user_pagination.yaml",
    ] {
        let path = format!(
            "{}/../../../shared/sample-sources/inventories/okta_users/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        let Ok(bytes) = std::fs::read(&path) else {
            println!("skipping: ../shared/sample-sources not present");
            return;
        };
        let head = &bytes[..bytes.len().min(64 * 1024)];
        assert_ne!(
            evidentia_import::detect_format(head, "cassette.yaml"),
            Some(Format::OktaDirectory),
            "{name}"
        );
    }
}

#[test]
fn damaged_okta_samples_never_panic() {
    for name in [
        "datahub_okta_users.json",
        "DERIVED_okta-sdk-python_GET_api_v1_users_id_groups.json",
        "DERIVED_okta-sdk-python_GET_api_v1_groups_id_users.json",
    ] {
        crate::assert_damaged_copies_never_panic_with(
            &format!("{FOLDER}{name}"),
            Format::OktaDirectory,
            &DAMAGE,
        );
    }
}

/// The usual damage, each copy read once without and once with a scope.
pub const DAMAGE: crate::Damage = crate::Damage {
    scopes: &[None, Some("scope")],
    ..crate::DAMAGE
};
