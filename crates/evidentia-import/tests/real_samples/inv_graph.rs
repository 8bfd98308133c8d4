//! The Microsoft Graph inventory samples: detected as `graph-directory`, imported with only the file's time, rows spot-checked.

use std::collections::BTreeMap;

use evidentia_domain::{Coverage, ReconciliationRecord, ReconciliationStatus};
use evidentia_import::{Format, ImportError, ImportSummary, Location};

use crate::{file_time, sample};

const FOLDER: &str = "inventories/msgraph_users/";

fn import(rel: &str) -> Option<(ImportSummary, Vec<(ReconciliationRecord, Location)>)> {
    let (summary, rows) = crate::import_inventory(rel, Format::GraphDirectory, None)?;
    assert!(summary.diagnostics.is_empty(), "{:?}", summary.diagnostics);
    Some((summary, rows))
}

fn reasons(summary: &ImportSummary) -> Vec<&str> {
    summary.warnings.iter().map(|w| w.reason.as_str()).collect()
}

#[test]
fn datahub_users_are_named_by_upn_even_with_one_id() {
    let Some((summary, rows)) = import(&format!("{FOLDER}datahub_azure_ad_users.json")) else {
        return;
    };
    assert_eq!(summary.rows, 2);
    let names: Vec<_> = rows.iter().map(|(r, _)| r.account.as_str()).collect();
    assert_eq!(names, ["johngreen@acryl.io", "adamhall@acryl.io"]);
    for (row, _) in &rows {
        assert_eq!(row.system.as_str(), "entra-id");
        assert_eq!(row.entitlement, None);
        assert_eq!(row.status, ReconciliationStatus::ExpectedPresent);
        assert_eq!(row.last_used_at, None);
        assert_eq!(row.as_of, file_time());
        assert_eq!(row.coverage.as_deref(), Some(&Coverage::accounts()));
    }
    assert_eq!(rows[1].1, Location::Pointer("/1".into()));
    // The default property set has no accountEnabled, and the file no time of its own.
    let warnings = reasons(&summary);
    assert_eq!(warnings.len(), 2, "{warnings:?}");
    assert!(warnings.iter().any(|w| w.contains("modification time")));
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("accountEnabled was not selected"))
    );
}

#[test]
fn datahub_nested_group_members_mix_users_groups_and_a_contact() {
    let Some((summary, rows)) = import(&format!(
        "{FOLDER}datahub_azure_ad_nested_groups_members.json"
    )) else {
        return;
    };
    assert_eq!(summary.rows, 4);
    let got: Vec<_> = rows
        .iter()
        .map(|(r, at)| (r.account.as_str(), r.entitlement.as_deref(), at.to_string()))
        .collect();
    // Without --scope the rows name no group; the nested groups are named by display name.
    assert_eq!(
        got,
        [
            ("foobar@acryl.io", None, "/0".to_owned()),
            ("groupDisplayName1", None, "/1".to_owned()),
            ("groupDisplayName2", None, "/2".to_owned()),
        ]
    );
    assert!(rows.iter().all(|(r, _)| r.coverage.as_deref()
        == Some(&Coverage {
            accounts: false,
            entitlements: false,
            credentials: false,
            holders_of: None
        })));
    assert_eq!(
        summary.skipped,
        BTreeMap::from([("orgContact (not an account)".to_owned(), 1)])
    );
    let warnings = reasons(&summary);
    assert!(
        warnings.iter().any(|w| w.contains("--scope GROUP")),
        "{warnings:?}"
    );
}

#[test]
fn datahub_nested_group_members_with_scope_hold_the_group() {
    let rel = format!("{FOLDER}datahub_azure_ad_nested_groups_members.json");
    let Some(bytes) = sample(&rel) else { return };
    let (summary, sink) =
        crate::import_inventory_bytes(&bytes, &rel, Format::GraphDirectory, Some("Finance Admins"));
    let summary = summary.expect("imports");
    assert_eq!(summary.total_records(), 3);
    for (r, _) in sink {
        assert_eq!(r.entitlement.as_deref(), Some("Finance Admins"));
        assert_eq!(
            r.coverage.as_deref(),
            Some(&Coverage::holders_of("Finance Admins"))
        );
    }
}

#[test]
fn the_dev_proxy_mocks_file_is_recognised_and_refused() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/sample-sources/inventories/msgraph_users/DERIVED_pnp-proxy-samples_graph-docs-mocks_users_members_subset.json"
    );
    let Ok(bytes) = std::fs::read(path) else {
        println!("skipping: ../shared/sample-sources not present");
        return;
    };
    assert_eq!(
        evidentia_import::detect_format(&bytes, "mocks.json"),
        Some(Format::GraphDirectory)
    );
    let (result, sink) =
        crate::import_inventory_bytes(&bytes, "mocks.json", Format::GraphDirectory, None);
    let err = result.expect_err("refused");
    let ImportError::Unreadable(d) = &err else {
        panic!("{err:?}")
    };
    assert!(d.reason.contains("Dev Proxy mocks file"), "{d}");
    assert!(d.reason.contains("response.body"), "{d}");
    assert!(sink.is_empty());
}

#[test]
fn no_other_real_sample_is_taken_for_a_graph_or_okta_listing() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/real-samples/");
    let Ok(folders) = std::fs::read_dir(root) else {
        return;
    };
    let mut files = Vec::new();
    for entry in folders.flatten() {
        let path = entry.path();
        if path.ends_with("inventories") {
            for inner in std::fs::read_dir(&path).into_iter().flatten().flatten() {
                files.extend(
                    std::fs::read_dir(inner.path())
                        .into_iter()
                        .flatten()
                        .flatten(),
                );
            }
        } else if path.is_dir() {
            files.extend(std::fs::read_dir(&path).into_iter().flatten().flatten());
        }
    }
    assert!(!files.is_empty());
    for file in files {
        let path = file.path();
        let name = path.to_string_lossy();
        let Ok(bytes) = std::fs::read(&path) else {
            continue;
        };
        let head = &bytes[..bytes.len().min(64 * 1024)];
        let got = evidentia_import::detect_format(head, "export.bin");
        let mine = match got {
            Some(Format::GraphDirectory) => name.contains("/msgraph_users/"),
            Some(Format::OktaDirectory) => name.contains("/okta_users/"),
            _ => !(name.contains("/msgraph_users/") || name.contains("/okta_users/")),
        };
        assert!(mine, "{name} detected as {got:?}");
    }
}

#[test]
fn damaged_graph_samples_never_panic() {
    for name in [
        "datahub_azure_ad_users.json",
        "datahub_azure_ad_nested_groups_members.json",
    ] {
        crate::assert_damaged_copies_never_panic_with(
            &format!("{FOLDER}{name}"),
            Format::GraphDirectory,
            &crate::inv_okta::DAMAGE,
        );
    }
}
