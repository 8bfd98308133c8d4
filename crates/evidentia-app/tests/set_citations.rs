//! Inventories are written as `record.reconciliation_set` entries of many rows, and provisioning
//! logs as `record.execution_set` entries: a finding about what an inventory or a log shows cites
//! its row, and that row, read back from the ledger itself, is the record the finding is about.
//! Uses a real AWS credential report and a real CloudTrail log from `../shared/real-samples/` and
//! skips when that folder is absent.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use chrono::{TimeZone, Utc};
use evidentia_app::{Format, ImportOptions};

const REPORT: &str =
    "inventories/aws_credential_report/DERIVED_cloudmapper_iam-get-credential-report.Content.csv";

const POLICY: &str = r#"format = "evidentia-policy/1"
[organisation]
name = "Set citations"
period_start = 2025-01-01
period_end = 2025-12-31
[systems.aws]
criticality = "critical"
revocation_sla = "24h"
"#;

const CLOUDTRAIL: &str = "cloudtrail/stratus-red-team_iam-detonations.json";

const POLICY_2024: &str = r#"format = "evidentia-policy/1"
[organisation]
name = "Execution set citations"
period_start = 2024-01-01
period_end = 2024-12-31
[systems.aws]
criticality = "critical"
revocation_sla = "24h"
"#;

fn sample(rel: &str) -> Option<PathBuf> {
    let root = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/real-samples/"
    ));
    if !root.is_dir() {
        println!("skipping: ../shared/real-samples not present");
        return None;
    }
    Some(root.join(rel))
}

/// The kind of entry `seq` and, for a set, the record at its `row` (1-based), read from the
/// workspace file's ledger.
fn stored_row(ws: &Path, seq: u64, row: u32) -> (String, serde_json::Value) {
    let db = rusqlite::Connection::open(ws).unwrap();
    let (kind, payload): (String, Vec<u8>) = db
        .query_row(
            "SELECT kind, payload FROM ledger_entries WHERE seq = ?1",
            [seq as i64],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    let mut set: serde_json::Value = serde_json::from_slice(&payload).unwrap();
    (kind, set["rows"][row as usize - 1]["record"].take())
}

#[tokio::test]
async fn findings_about_an_inventory_cite_the_row_of_their_set() {
    let Some(report) = sample(REPORT) else {
        return;
    };
    let now = Utc.with_ymd_and_hms(2026, 1, 15, 9, 0, 0).single().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("aws.evidentia");
    let ws = evidentia_app::Location::from(path.clone());
    evidentia_app::init_workspace(&ws, now).await.unwrap();
    let options = ImportOptions {
        format: Some(Format::AwsCredentialReport),
        as_of: Some(
            Utc.with_ymd_and_hms(2025, 6, 30, 12, 0, 0)
                .single()
                .unwrap(),
        ),
        ..ImportOptions::default()
    };
    evidentia_app::import_files(&ws, &[report], &options, Some("tester"), now, |_, _| {})
        .await
        .unwrap();
    let policy = dir.path().join("policy.toml");
    std::fs::write(&policy, POLICY).unwrap();
    evidentia_app::set_policy(&ws, &policy, Some("tester"), now)
        .await
        .unwrap();
    let view = evidentia_app::findings_view(&ws, now).await.unwrap();
    // No identity source: every IAM user of the report is an account nobody owns.
    let orphans: Vec<_> = view
        .findings
        .iter()
        .filter(|f| f.check == "EV-ORPHAN-ACCOUNT")
        .collect();
    assert!(orphans.len() >= 2, "{:?}", view.findings);
    let mut rows_seen = Vec::new();
    for f in orphans {
        let account = f.account.as_deref().expect("an orphan names its account");
        assert!(!f.evidence_rows.is_empty(), "{account}: {:?}", f.evidence);
        for &(seq, row) in &f.evidence_rows {
            assert_eq!(f.evidence, vec![seq], "{account}");
            let (kind, record) = stored_row(&path, seq, row);
            assert_eq!(kind, "record.reconciliation_set");
            assert_eq!(record["system"], "aws");
            // The row is this account's, not another row of the same entry.
            assert_eq!(record["account"], account, "{seq}:{row}");
            rows_seen.push((seq, row));
        }
    }
    // Two accounts of one report: the same entry, two different rows.
    rows_seen.sort_unstable();
    rows_seen.dedup();
    assert!(
        rows_seen
            .windows(2)
            .any(|w| w[0].0 == w[1].0 && w[0].1 != w[1].1),
        "{rows_seen:?}"
    );
}

/// A CloudTrail log's executions go into one `record.execution_set` entry; each account nobody
/// owns is a finding citing its own rows of that entry, never a neighbour's.
#[tokio::test]
async fn findings_about_a_log_cite_the_row_of_their_execution_set() {
    let Some(log) = sample(CLOUDTRAIL) else {
        return;
    };
    let now = Utc.with_ymd_and_hms(2025, 1, 15, 9, 0, 0).single().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cloudtrail.evidentia");
    let ws = evidentia_app::Location::from(path.clone());
    evidentia_app::init_workspace(&ws, now).await.unwrap();
    let imported = evidentia_app::import_files(
        &ws,
        &[log],
        &ImportOptions::default(),
        Some("tester"),
        now,
        |_, _| {},
    )
    .await
    .unwrap();
    let policy = dir.path().join("policy.toml");
    std::fs::write(&policy, POLICY_2024).unwrap();
    evidentia_app::set_policy(&ws, &policy, Some("tester"), now)
        .await
        .unwrap();
    // Every execution of the file is one row of a set entry: none is an entry of its own.
    let entries = evidentia_app::list_entries(&ws, 1, 1_000).await.unwrap();
    let kinds: Vec<&str> = entries.iter().map(|e| e.kind.as_str()).collect();
    assert!(!kinds.contains(&"record.execution"), "{kinds:?}");
    let sets: Vec<_> = entries
        .iter()
        .filter(|e| e.kind == "record.execution_set")
        .collect();
    assert_eq!(sets.len(), 1, "{kinds:?}");
    let set: serde_json::Value = serde_json::from_slice(&sets[0].payload).unwrap();
    let evidentia_app::FileOutcome::Imported { records, .. } = &imported[0].outcome else {
        panic!("{:?}", imported[0].outcome);
    };
    let executions = records[&evidentia_domain::RecordKind::Execution];
    assert!(executions >= 5, "{records:?}");
    assert_eq!(set["rows"].as_array().unwrap().len() as u64, executions);

    let view = evidentia_app::findings_view(&ws, now).await.unwrap();
    // No identity source: every IAM user the log changes is an account nobody owns.
    let orphans: Vec<_> = view
        .findings
        .iter()
        .filter(|f| f.check == "EV-ORPHAN-ACCOUNT")
        .collect();
    assert!(orphans.len() >= 2, "{:?}", view.findings);
    let mut rows_seen = Vec::new();
    for f in orphans {
        let account = f.account.as_deref().expect("an orphan names its account");
        assert!(!f.evidence_rows.is_empty(), "{account}: {:?}", f.evidence);
        for &(seq, row) in &f.evidence_rows {
            assert_eq!(f.evidence, vec![seq], "{account}");
            let (kind, record) = stored_row(&path, seq, row);
            assert_eq!(kind, "record.execution_set");
            assert_eq!(record["system"], "aws");
            // The row is this account's execution, not another row of the same entry.
            assert_eq!(record["account"], account, "{seq}:{row}");
            rows_seen.push((seq, row));
        }
    }
    // Two accounts of one log: the same entry, two different rows.
    rows_seen.sort_unstable();
    rows_seen.dedup();
    assert!(
        rows_seen
            .windows(2)
            .any(|w| w[0].0 == w[1].0 && w[0].1 != w[1].1),
        "{rows_seen:?}"
    );
}
