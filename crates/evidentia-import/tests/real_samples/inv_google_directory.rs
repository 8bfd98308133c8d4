//! The Google Directory samples (Forseti's fixtures): detected from content, imported with only the file's time, rows and warnings checked; the Python modules they came from are refused.

use evidentia_domain::{Coverage, ReconciliationRecord, ReconciliationStatus as S};
use evidentia_import::{Format, ImportError, ImportSummary, Location, detect_format};

use crate::{file_time, sample};

const DIR: &str = "inventories/google_directory/";

/// Detects and imports one sample as the CLI would: no flags, the file's modification time.
fn read(name: &str) -> Option<(ImportSummary, Vec<(ReconciliationRecord, Location)>)> {
    let rel = format!("{DIR}{name}");
    let (summary, rows) = crate::import_inventory(&rel, Format::GoogleDirectory, None)?;
    assert!(
        summary.diagnostics.is_empty(),
        "{rel}: {:?}",
        summary.diagnostics
    );
    Some((summary, rows))
}

fn brief(rows: &[(ReconciliationRecord, Location)]) -> Vec<(&str, Option<&str>, S)> {
    rows.iter()
        .map(|(r, _)| (r.account.as_str(), r.entitlement.as_deref(), r.status))
        .collect()
}

fn warned(summary: &ImportSummary, text: &str) -> usize {
    summary
        .warnings
        .iter()
        .filter(|w| w.reason.contains(text))
        .count()
}

#[test]
fn forseti_users_list() {
    let Some((summary, rows)) = read("DERIVED_forseti_users.list.json") else {
        return;
    };
    assert_eq!(summary.rows, 1);
    assert_eq!(
        brief(&rows),
        [("auser@mydomain.test", None, S::ExpectedPresent)]
    );
    let (row, at) = &rows[0];
    assert_eq!(*at, Location::Pointer("/users/0".into()));
    assert_eq!(row.system.as_str(), "google-workspace");
    assert_eq!(row.as_of, file_time());
    assert_eq!(row.last_used_at, None);
    // The fixture states no `isAdmin`: it covers accounts only.
    assert_eq!(row.coverage.as_deref(), Some(&Coverage::accounts()));
    assert_eq!(warned(&summary, "modification time"), 1);
    assert_eq!(summary.warnings.len(), 1);
}

#[test]
fn forseti_member_lists_without_scope() {
    let Some((summary, rows)) = read("DERIVED_forseti_members.list_1.json") else {
        return;
    };
    assert_eq!(summary.rows, 3);
    assert_eq!(
        brief(&rows),
        [
            (
                "writer@my-gcp-project.iam.gserviceaccount.com",
                None,
                S::ExpectedPresent
            ),
            ("myuser@mydomain.com", None, S::ExpectedPresent),
            // The member without an e-mail is named by its id, with a warning.
            ("33333", None, S::ExpectedPresent),
        ]
    );
    let covers_nothing = Coverage {
        accounts: false,
        entitlements: false,
        credentials: false,
        holders_of: None,
    };
    assert!(
        rows.iter()
            .all(|(r, _)| r.coverage.as_deref() == Some(&covers_nothing.clone()))
    );
    assert_eq!(
        warned(&summary, "does not name its group: give --scope GROUP"),
        1
    );
    assert_eq!(warned(&summary, "1 member(s) have no `email`"), 1);
    assert_eq!(warned(&summary, "modification time"), 1);

    let Some((summary, rows)) = read("DERIVED_forseti_members.list_2.json") else {
        return;
    };
    assert_eq!(summary.rows, 2);
    assert_eq!(
        brief(&rows),
        [
            (
                "reader@my-gcp-project.iam.gserviceaccount.com",
                None,
                S::ExpectedPresent
            ),
            // An OWNER is a member; the role is not recorded (the log records no role changes).
            ("myuser2@mydomain.com", None, S::ExpectedPresent),
        ]
    );
}

#[test]
fn forseti_member_list_with_its_group() {
    let rel = format!("{DIR}DERIVED_forseti_members.list_2.json");
    let Some(bytes) = sample(&rel) else { return };
    let (summary, sink) =
        crate::import_inventory_bytes(&bytes, &rel, Format::GoogleDirectory, Some("bbbbb@foo.com"));
    let summary = summary.expect("imports");
    assert_eq!(warned(&summary, "--scope"), 0);
    let row = &sink[1].0;
    assert_eq!(row.account, "myuser2@mydomain.com");
    assert_eq!(row.entitlement.as_deref(), Some("bbbbb@foo.com"));
    assert_eq!(
        row.coverage.as_deref(),
        Some(&Coverage::holders_of("bbbbb@foo.com"))
    );
}

#[test]
fn forseti_groups_list_is_skipped() {
    let Some((summary, rows)) = read("DERIVED_forseti_groups.list.json") else {
        return;
    };
    assert!(rows.is_empty());
    assert_eq!(summary.rows, 3);
    assert_eq!(
        summary
            .skipped
            .get("group (groups.list describes groups, not who holds them)"),
        Some(&3)
    );
    // No row, so no moment was needed and none was warned about.
    assert!(summary.warnings.is_empty());
}

#[test]
fn python_modules_holding_responses_are_refused() {
    let Some(files) = crate::sample_sources_in("inventories/google_directory/") else {
        return;
    };
    let mut seen = 0;
    for (name, bytes) in files {
        seen += 1;
        let head = &bytes[..bytes.len().min(64 * 1024)];
        assert_ne!(
            detect_format(head, &name),
            Some(Format::GoogleDirectory),
            "{name}"
        );
        let (result, _) =
            crate::import_inventory_bytes(&bytes, &name, Format::GoogleDirectory, None);
        let Err(ImportError::Unreadable(d)) = result else {
            panic!("{name} must be refused, got {result:?}")
        };
        assert!(d.reason.starts_with("not JSON"), "{name}: {d}");
    }
    assert_eq!(seen, 3);
}

#[test]
fn damaged_copies_never_panic() {
    for name in [
        "DERIVED_forseti_users.list.json",
        "DERIVED_forseti_members.list_1.json",
        "DERIVED_forseti_members.list_2.json",
        "DERIVED_forseti_groups.list.json",
    ] {
        crate::assert_damaged_copies_never_panic(&format!("{DIR}{name}"), Format::GoogleDirectory);
    }
}
