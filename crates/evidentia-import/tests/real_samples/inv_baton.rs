//! The Baton `.c1z` samples: two real PingFederate syncs read whole, and the files that must be refused.

use evidentia_domain::{Coverage, ReconciliationRecord, ReconciliationStatus};
use evidentia_import::{Format, ImportSummary, Location};

use crate::sample;

const FOLDER: &str = "inventories/baton_c1z/";

fn run(
    bytes: &[u8],
    rel: &str,
) -> Result<(ImportSummary, Vec<(ReconciliationRecord, Location)>), String> {
    let (result, rows) = crate::import_inventory_bytes(bytes, rel, Format::Baton, None);
    Ok((result.map_err(|e| e.to_string())?, rows))
}

/// A sample's rows, after checking it is detected as Baton.
fn sample_rows(name: &str) -> Option<(ImportSummary, Vec<(ReconciliationRecord, Location)>)> {
    crate::import_inventory(&format!("{FOLDER}{name}"), Format::Baton, None)
}

/// The bytes of a negative file in `shared/sample-sources/inventories/baton_c1z/`, when the
/// shared folder is checked out beside the repository.
fn sample_source(name: &str) -> Option<Vec<u8>> {
    crate::sample_source(&format!("inventories/baton_c1z/{name}"))
}

fn shown(rows: &[(ReconciliationRecord, Location)]) -> Vec<(&str, Option<&str>)> {
    rows.iter()
        .map(|(r, _)| (r.account.as_str(), r.entitlement.as_deref()))
        .collect()
}

fn common_checks(summary: &ImportSummary, rows: &[(ReconciliationRecord, Location)], ended: &str) {
    assert!(summary.diagnostics.is_empty(), "{:?}", summary.diagnostics);
    // The only warning: no --system was given and the sync names none.
    assert_eq!(summary.warnings.len(), 1, "{:?}", summary.warnings);
    assert!(summary.warnings[0].reason.contains("--system"));
    for (row, _) in rows {
        assert_eq!(row.system.as_str(), "baton");
        // The sync's end, stated by the file: the file time is not used.
        assert_eq!(row.as_of.to_rfc3339(), ended);
        assert_eq!(row.status, ReconciliationStatus::ExpectedPresent);
        assert!(!row.credential);
        assert_eq!(row.last_used_at, None);
        // PingFederate's connector lists users and their roles, no secrets.
        assert_eq!(
            row.coverage,
            Some(std::sync::Arc::new(Coverage {
                accounts: true,
                entitlements: true,
                credentials: false,
                holders_of: None
            }))
        );
    }
}

#[test]
fn baton_pingfed_8b54f48_reads_the_later_of_its_two_syncs() {
    let Some((summary, rows)) = sample_rows("baton-pingfed_sync_8b54f48.c1z") else {
        return;
    };
    common_checks(&summary, &rows, "2025-02-03T20:50:33.457692300+00:00");
    assert_eq!(
        summary.records[&evidentia_domain::RecordKind::Reconciliation],
        14
    );
    let accounts: Vec<_> = rows
        .iter()
        .filter(|(r, _)| r.entitlement.is_none())
        .map(|(r, _)| r.account.as_str())
        .collect();
    assert_eq!(
        accounts,
        ["Administrator", "sam-ng", "admin", "kurt-bitner"]
    );
    let grants = shown(&rows)
        .into_iter()
        .filter(|(_, e)| e.is_some())
        .collect::<Vec<_>>();
    assert_eq!(grants.len(), 10);
    assert!(grants.contains(&("kurt-bitner", Some("AUDITOR:assigned"))));
    assert!(grants.contains(&("admin", Some("CRYPTO_ADMINISTRATOR:assigned"))));
    // The grant of the earlier sync (row 48) is not read; the later one (row 57) is.
    let auditor = rows
        .iter()
        .filter(|(r, _)| r.entitlement.as_deref() == Some("AUDITOR:assigned"))
        .collect::<Vec<_>>();
    assert_eq!(auditor.len(), 1);
    assert_eq!(auditor[0].1, Location::Pointer("/v1_grants/57".into()));
    // Every row of the file is accounted for: 26 of the later sync, 25 of the earlier one.
    assert_eq!(summary.rows, 51);
    assert_eq!(
        summary.skipped["v1_grants row of another sync than the latest finished one"],
        9
    );
    assert_eq!(
        summary.skipped["role resource: granted to accounts, not an account (its grants are read)"],
        5
    );
}

#[test]
fn baton_pingfed_0d3c630_reads_the_later_of_its_two_syncs() {
    let Some((summary, rows)) = sample_rows("baton-pingfed_sync_0d3c630.c1z") else {
        return;
    };
    common_checks(&summary, &rows, "2025-01-24T14:34:14.238248500+00:00");
    let accounts: Vec<_> = rows
        .iter()
        .filter(|(r, _)| r.entitlement.is_none())
        .map(|(r, _)| r.account.as_str())
        .collect();
    // `admin` did not exist yet.
    assert_eq!(accounts, ["Administrator", "sam-ng", "kurt-bitner"]);
    assert_eq!(rows.len(), 3 + 7);
    assert!(shown(&rows).contains(&("kurt-bitner", Some("AUDITOR:assigned"))));
    assert!(shown(&rows).contains(&("sam-ng", Some("USER_ADMINISTRATOR:assigned"))));
    assert_eq!(summary.rows, 43);
}

#[test]
fn baton_samples_survive_damage() {
    for name in [
        "baton-pingfed_sync_0d3c630.c1z",
        "baton-pingfed_sync_8b54f48.c1z",
    ] {
        crate::assert_damaged_copies_never_panic(&format!("{FOLDER}{name}"), Format::Baton);
    }
}

/// A real sample with `sql` run on its database, compressed again as Baton does.
fn altered(name: &str, sql: &str) -> Option<Vec<u8>> {
    let bytes = sample(&format!("{FOLDER}{name}"))?;
    let sqlite = zstd::decode_all(&bytes[5..]).expect("decompress");
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("sync.db");
    std::fs::write(&path, sqlite).expect("write");
    let db = rusqlite::Connection::open(&path).expect("open");
    db.execute_batch(sql).expect("alter");
    db.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")
        .expect("checkpoint");
    drop(db);
    let mut out = b"C1ZF\0".to_vec();
    out.extend(
        zstd::encode_all(std::fs::read(&path).expect("read").as_slice(), 3).expect("compress"),
    );
    Some(out)
}

#[test]
fn a_real_sync_without_its_grants_table_is_refused_naming_it() {
    let Some(bytes) = altered("baton-pingfed_sync_8b54f48.c1z", "DROP TABLE v1_grants;") else {
        return;
    };
    let e = run(&bytes, "dropped.c1z").expect_err("refused");
    assert_eq!(
        e,
        "dropped.c1z: the database inside is not a Baton v1 sync: it has no table v1_grants"
    );
}

#[test]
fn a_real_sync_whose_latest_run_did_not_finish_reads_the_finished_one() {
    let Some(bytes) = altered(
        "baton-pingfed_sync_8b54f48.c1z",
        "UPDATE v1_sync_runs SET ended_at = NULL WHERE sync_id = '2sYYAiUccvih6WNvyJWegRdqKlS';",
    ) else {
        return;
    };
    let (_, rows) = run(&bytes, "resumed.c1z").expect("imports");
    assert_eq!(
        rows[0].0.as_of.to_rfc3339(),
        "2025-02-03T20:49:59.321487+00:00"
    );
    assert_eq!(rows.len(), 4 + 9);
}

#[test]
fn the_in_progress_fixture_is_refused() {
    let name = "baton-sdk_pkg_sync_testdata_sync-in-progress.c1z";
    let Some(bytes) = sample_source(name) else {
        return;
    };
    assert_eq!(
        evidentia_import::detect_format(&bytes, name),
        Some(Format::Baton)
    );
    let e = run(&bytes, name).expect_err("refused");
    assert!(
        e.contains("the sync did not finish (started 2026-03-03 09:45:13.056791"),
        "{e}"
    );
}

#[test]
fn the_pebble_fixture_is_refused_by_name() {
    let name =
        "baton-sdk_pkg_sync_expand_testdata_sync.36zGvJw3uxU1QMJKU2yPVQ1hBOC.unexpanded.pebble.c1z";
    let Some(bytes) = sample_source(name) else {
        return;
    };
    assert_eq!(
        evidentia_import::detect_format(&bytes, name),
        Some(Format::Baton)
    );
    let e = run(&bytes, name).expect_err("refused");
    assert!(
        e.contains("this is Baton's v3 (Pebble) format; this version reads v1 (SQLite) syncs"),
        "{e}"
    );
}
