//! The `/etc/passwd` and `/etc/group` samples (shadow-utils' test fixtures): detected, imported with only the file's time, rows spot-checked; shadow-style files refused.

use evidentia_domain::{Coverage, ReconciliationRecord, ReconciliationStatus};
use evidentia_import::{Format, ImportError, ImportSummary, detect_format};

const DIR: &str = "inventories/linux_passwd_group/";

fn run(
    bytes: &[u8],
    name: &str,
) -> Result<(Vec<ReconciliationRecord>, ImportSummary), ImportError> {
    let (result, rows) = crate::import_inventory_bytes(bytes, name, Format::UnixAccounts, None);
    Ok((rows.into_iter().map(|(r, _)| r).collect(), result?))
}

/// Detects and imports one real sample as the CLI would, with no flags.
fn rows(name: &str) -> Option<(Vec<ReconciliationRecord>, ImportSummary)> {
    let (summary, rows) =
        crate::import_inventory(&format!("{DIR}{name}"), Format::UnixAccounts, None)?;
    let records: Vec<ReconciliationRecord> = rows.into_iter().map(|(r, _)| r).collect();
    assert!(
        summary.diagnostics.is_empty(),
        "{name}: {:?}",
        summary.diagnostics
    );
    assert!(
        records
            .iter()
            .all(|r| r.system.as_str() == "linux" && r.last_used_at.is_none())
    );
    // No --scope: bare names, with the warning that says so.
    assert!(
        summary
            .warnings
            .iter()
            .any(|w| w.reason.contains("--scope HOST"))
    );
    assert!(
        summary
            .warnings
            .iter()
            .any(|w| w.reason.contains("modification time"))
    );
    Some((records, summary))
}

fn status(records: &[ReconciliationRecord], account: &str) -> ReconciliationStatus {
    records
        .iter()
        .find(|r| r.account == account && r.entitlement.is_none())
        .map(|r| r.status)
        .unwrap_or_else(|| panic!("no account {account}"))
}

#[test]
fn debian_passwd() {
    let Some((records, summary)) = rows("shadow-maint_tests_chage_03_etc_passwd") else {
        return;
    };
    assert_eq!(records.len(), 26);
    assert_eq!(summary.rows, 26);
    assert!(records.iter().all(|r| r.entitlement.is_none()));
    assert!(
        records
            .iter()
            .all(|r| r.coverage.as_deref() == Some(&Coverage::accounts()))
    );
    assert_eq!(records[0].account, "root");
    assert_eq!(records[25].account, "myuser7");
    assert_eq!(
        status(&records, "Debian-exim"),
        ReconciliationStatus::Disabled
    );
    assert_eq!(
        status(&records, "sync"),
        ReconciliationStatus::ExpectedPresent
    );
    assert_eq!(
        records
            .iter()
            .filter(|r| r.status == ReconciliationStatus::Disabled)
            .count(),
        1
    );
}

#[test]
fn newusers_passwd_with_a_shared_uid_and_empty_homes() {
    let Some((records, summary)) =
        rows("shadow-maint_tests_newusers_20_multiple_users_data_passwd")
    else {
        return;
    };
    assert_eq!(records.len(), 37);
    assert!(records.iter().any(|r| r.account == "foo1a"));
    let shared: Vec<&str> = summary
        .warnings
        .iter()
        .filter(|w| w.reason.contains("is shared by"))
        .map(|w| w.reason.as_str())
        .collect();
    assert_eq!(shared.len(), 1, "{shared:?}");
    assert!(
        shared[0].contains("uid 1000 is shared by foo1 (line 21), foo1a (line 22)"),
        "{shared:?}"
    );
}

#[test]
fn group_files_list_supplementary_members() {
    let Some((records, summary)) = rows("shadow-maint_tests_usertools_22_supplementary_data_group")
    else {
        return;
    };
    let pairs: Vec<(&str, &str)> = records
        .iter()
        .map(|r| {
            (
                r.account.as_str(),
                r.entitlement.as_deref().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        pairs,
        vec![
            ("foo", "daemon"),
            ("foo", "bin"),
            ("root", "sys"),
            ("root", "adm"),
            ("foo", "adm"),
            ("foo", "lp"),
            ("root", "lp"),
            ("foo", "fax"),
            ("foo", "floppy"),
            ("foo", "users"),
        ]
    );
    let coverage = Coverage {
        accounts: false,
        entitlements: true,
        credentials: false,
        holders_of: None,
    };
    assert!(
        records
            .iter()
            .all(|r| r.coverage.as_deref() == Some(&coverage))
    );
    assert_eq!(summary.rows, 42);
    assert_eq!(
        summary.skipped.get("group with no listed members"),
        Some(&34)
    );

    // Groups without members list nothing.
    let Some((records, summary)) = rows_of("shadow-maint_tests_chage_03_etc_group") else {
        return;
    };
    assert!(records.is_empty());
    assert_eq!(
        summary.skipped.get("group with no listed members"),
        Some(&42)
    );

    let Some((records, _)) = rows_of("shadow-maint_tests_newusers_20_multiple_users_data_group")
    else {
        return;
    };
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].entitlement.as_deref(), Some("foo"));
}

fn rows_of(name: &str) -> Option<(Vec<ReconciliationRecord>, ImportSummary)> {
    rows(name)
}

/// The edge files kept beside the samples: read where they are accounts and groups, refused
/// by name where they hold password hashes.
#[test]
fn shadow_style_files_are_refused_and_bsd_group_is_read() {
    let root = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/sample-sources/inventories/linux_passwd_group/"
    );
    if !std::path::Path::new(root).is_dir() {
        return;
    }
    let read = |name: &str| std::fs::read(format!("{root}{name}")).expect("edge file");
    for (name, says) in [
        (
            "shadow-maint_tests_chage_03_etc_shadow",
            "line 1: a shadow file holds password hashes",
        ),
        (
            "shadow-maint_tests_chage_03_etc_gshadow",
            "line 1: a gshadow file",
        ),
        (
            "freebsd-src_etc_master.passwd",
            "line 2: this line has ten fields",
        ),
    ] {
        let bytes = read(name);
        assert_eq!(
            detect_format(&bytes, name),
            Some(Format::UnixAccounts),
            "{name}"
        );
        let err = run(&bytes, name).expect_err(name);
        assert!(err.to_string().contains(says), "{name}: {err}");
    }
    let (records, _) = run(&read("freebsd-src_etc_group"), "group").expect("BSD group");
    assert!(
        records
            .iter()
            .any(|r| r.account == "root" && r.entitlement.as_deref() == Some("wheel"))
    );
}

#[test]
fn damaged_account_files_never_panic() {
    for name in [
        "shadow-maint_tests_newusers_20_multiple_users_data_passwd",
        "shadow-maint_tests_usertools_22_supplementary_data_group",
    ] {
        crate::assert_damaged_copies_never_panic_with(
            &format!("{DIR}{name}"),
            Format::UnixAccounts,
            &crate::inv_k8s_rbac::DAMAGE,
        );
    }
}
