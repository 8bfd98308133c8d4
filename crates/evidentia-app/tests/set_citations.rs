//! Inventories are written as `record.reconciliation_set` entries of many rows, and provisioning
//! logs as `record.execution_set` entries: a finding about what an inventory or a log shows cites
//! its row, and that row, read back from the ledger itself, is the record the finding is about;
//! the entry viewer opens that row's own line of the file. Uses a real AWS credential report and
//! a real CloudTrail log from `../shared/real-samples/` (skipped when that folder is absent) and
//! the demo's provisioning log.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use chrono::{TimeZone, Utc};
use evidentia_app::{Format, ImportOptions};
use evidentia_store::EvidenceStore as _;

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

/// The rows the `EV-ORPHAN-ACCOUNT` findings cite, each checked to be a row of a `set_kind`
/// entry holding that finding's own account on `aws` (not another row of the same entry), as
/// (account, entry, row).
fn orphan_rows(
    view: &evidentia_app::FindingsView,
    path: &Path,
    set_kind: &str,
) -> Vec<(String, u64, u32)> {
    let orphans: Vec<_> = view
        .findings
        .iter()
        .filter(|f| f.check == "EV-ORPHAN-ACCOUNT")
        .collect();
    assert!(orphans.len() >= 2, "{:?}", view.findings);
    let mut cited = Vec::new();
    for f in orphans {
        let account = f.account.as_deref().expect("an orphan names its account");
        assert!(!f.evidence_rows.is_empty(), "{account}: {:?}", f.evidence);
        for &(seq, row) in &f.evidence_rows {
            assert_eq!(f.evidence, vec![seq], "{account}");
            let (kind, record) = stored_row(path, seq, row);
            assert_eq!(kind, set_kind);
            assert_eq!(record["system"], "aws");
            assert_eq!(record["account"], account, "{seq}:{row}");
            cited.push((account.to_owned(), seq, row));
        }
    }
    // Two accounts of one file: the same entry, two different rows.
    let mut rows: Vec<(u64, u32)> = cited.iter().map(|(_, seq, row)| (*seq, *row)).collect();
    rows.sort_unstable();
    rows.dedup();
    assert!(
        rows.windows(2)
            .any(|w| w[0].0 == w[1].0 && w[0].1 != w[1].1),
        "{rows:?}"
    );
    cited
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
    evidentia_app::import_files(
        &ws,
        std::slice::from_ref(&report),
        &options,
        Some("tester"),
        now,
        |_, _| {},
    )
    .await
    .unwrap();
    let policy = dir.path().join("policy.toml");
    std::fs::write(&policy, POLICY).unwrap();
    evidentia_app::set_policy(&ws, &policy, Some("tester"), now)
        .await
        .unwrap();
    let view = evidentia_app::findings_view(&ws, now).await.unwrap();
    // No identity source: every IAM user of the report is an account nobody owns.
    let cited = orphan_rows(&view, &path, "record.reconciliation_set");
    for (account, seq, row) in &cited {
        let (seq, row) = (*seq, *row);
        // The entry viewer opens the row: its own line of the report, the account's.
        let source = evidentia_app::entry_source(&ws, seq, u64::from(row))
            .await
            .unwrap()
            .expect("a set row cites the report");
        assert_eq!((source.seq, source.row), (seq, u64::from(row)));
        assert!(
            source.line_is_record && source.artifact_verified,
            "{source:?}"
        );
        let n = source.line.expect("a CSV row is a line");
        assert_eq!(source.location, Some(format!("line {n}")));
        let raw = source.raw.expect("the row's line is shown");
        assert_eq!(raw, line_of(&report, n), "{seq}:{row}");
        assert!(
            String::from_utf8_lossy(&raw).contains(account.as_str()),
            "{seq}:{row} {}",
            String::from_utf8_lossy(&raw)
        );
    }
    // The set as a whole names its range of lines; a row past its end is refused.
    let (_, seq, _) = cited[0];
    let whole = evidentia_app::entry_source(&ws, seq, 0)
        .await
        .unwrap()
        .unwrap();
    let n = whole.set_rows.expect("a set says how many rows it holds");
    assert!(whole.raw.is_none() && whole.line.is_none(), "{whole:?}");
    assert!(
        whole.note.as_deref().is_some_and(
            |note| note.contains(&format!("a set of {n} rows (record.reconciliation)"))
        ),
        "{whole:?}"
    );
    let past = evidentia_app::entry_source(&ws, seq, n + 1)
        .await
        .unwrap_err();
    assert_eq!(
        past.to_string(),
        format!(
            "entry {seq} (record.reconciliation_set) has {n} rows: there is no row {}",
            n + 1
        )
    );
}

/// Line `n` (1-based) of a file as the viewer shows it: without its line ending.
fn line_of(path: &Path, n: u64) -> Vec<u8> {
    let bytes = std::fs::read(path).unwrap();
    let line = bytes.split(|b| *b == b'\n').nth(n as usize - 1).unwrap();
    line.strip_suffix(b"\r").unwrap_or(line).to_vec()
}

/// A `record.execution_set` entry built by hand from the executions the demo's provisioning log
/// was imported as, its rows in the reverse of the file's order (so a row's number is not its
/// line's): each row opens its own line of the log, the set as a whole its range, and rows that
/// are not there are refused.
#[tokio::test]
async fn a_row_of_an_execution_set_opens_its_own_line() {
    let now = Utc.with_ymd_and_hms(2026, 3, 1, 9, 0, 0).single().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let ws = evidentia_app::Location::from(dir.path().join("demo.evidentia"));
    let samples = dir.path().join("samples");
    evidentia_app::write_embedded_samples(&samples).unwrap();
    evidentia_app::build_demo(&samples, &ws, now).await.unwrap();
    // The executions as the importer wrote them (one entry each, or already in sets), by the
    // file they were read from.
    let entries = evidentia_app::list_entries(&ws, 1, 1_000_000)
        .await
        .unwrap();
    let mut by_artifact: std::collections::BTreeMap<String, Vec<serde_json::Value>> =
        Default::default();
    let mut one_record = None;
    for e in &entries {
        let payload: serde_json::Value = serde_json::from_slice(&e.payload).unwrap();
        let rows = match e.kind.as_str() {
            "record.execution" => {
                one_record.get_or_insert(e.seq);
                let mut record = payload.clone();
                let location = record["location"].take();
                let record = record.get("record").cloned().unwrap_or(record);
                vec![serde_json::json!({"location": location, "record": record})]
            }
            "record.execution_set" => payload["rows"].as_array().unwrap().clone(),
            _ => continue,
        };
        let artifact = payload["artifact"].as_str().unwrap().to_owned();
        by_artifact.entry(artifact).or_default().extend(rows);
    }
    let (artifact, executions) = by_artifact
        .into_iter()
        .find(|(_, rows)| {
            rows.len() >= 3
                && rows.iter().all(|r| {
                    r["location"]
                        .as_str()
                        .is_some_and(|l| l.starts_with("line "))
                })
        })
        .expect("the demo has a provisioning log read line by line");
    let rows: Vec<_> = executions.iter().rev().take(3).cloned().collect();
    let payload = evidentia_ledger::canonical_json(&serde_json::json!({
        "artifact": artifact,
        "rows": rows,
    }))
    .unwrap();
    let store = evidentia_store::Workspace::open(&ws, evidentia_store::Access::ReadWrite)
        .await
        .unwrap();
    let mut batch = store.begin().await.unwrap();
    let set = batch
        .append(
            "record.execution_set",
            &evidentia_ledger::format_recorded_at(now),
            payload,
        )
        .await
        .unwrap();
    batch.commit().await.unwrap();
    store.close().await;

    let mut lines = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        let n = i as u64 + 1;
        let source = evidentia_app::entry_source(&ws, set, n)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (source.kind.as_str(), source.row),
            ("record.execution_set", n)
        );
        assert_eq!(source.set_rows, Some(3));
        assert_eq!(source.artifact_sha256, artifact);
        assert_eq!(source.location.as_deref(), row["location"].as_str());
        assert!(
            source.line_is_record && source.artifact_verified,
            "{source:?}"
        );
        assert_eq!(source.note, None);
        let name = source.file_name.expect("the log's import names it");
        let on_disk = find_file(&samples, &name).expect("the sample file");
        let line = source.line.expect("a CSV record is a line");
        assert_eq!(source.raw.unwrap(), line_of(&on_disk, line));
        lines.push(line);
    }
    // Three different lines, last first: row 1 is the latest of them.
    assert!(lines.windows(2).all(|w| w[0] > w[1]), "{lines:?}");

    let whole = evidentia_app::entry_source(&ws, set, 0)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        whole.location,
        Some(format!("line {} … line {}", lines[0], lines[2]))
    );
    assert!(whole.raw.is_none() && whole.line.is_none(), "{whole:?}");
    assert!(
        whole
            .note
            .as_deref()
            .is_some_and(|n| n.starts_with("a set of 3 rows (record.execution)")),
        "{whole:?}"
    );
    let past = evidentia_app::entry_source(&ws, set, 4).await.unwrap_err();
    assert_eq!(
        past.to_string(),
        format!("entry {set} (record.execution_set) has 3 rows: there is no row 4")
    );
    // A one-record entry has no rows.
    if let Some(seq) = one_record {
        let err = evidentia_app::entry_source(&ws, seq, 1).await.unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("entry {seq} (record.execution) holds one record, not rows: it has no row 1")
        );
    }
}

fn find_file(dir: &Path, name: &str) -> Option<PathBuf> {
    for e in std::fs::read_dir(dir).ok()?.flatten() {
        let p = e.path();
        if p.is_dir() {
            if let Some(found) = find_file(&p, name) {
                return Some(found);
            }
        } else if p.file_name().and_then(|n| n.to_str()) == Some(name) {
            return Some(p);
        }
    }
    None
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
    // No identity source: every IAM user the log changes is an account nobody owns, each
    // citing its own rows of the one set.
    orphan_rows(&view, &path, "record.execution_set");
}

// Issue #19's acceptance on a real file: an AWS credential report (a Cloud Custodian test
// account) where IAM user `rome` has no console password but an active access key. When rome
// has left, the key is the finding — not the account, whose console access is gone — and its
// use after the leave time is its own finding.

const LEAVER_REPORT: &str = "inventories/aws_credential_report/DERIVED_c7n_test_iam_user_unused_keys_iam.GetCredentialReport_2.Content.csv";

const LEAVER_POLICY: &str = r#"format = "evidentia-policy/1"
[organisation]
name = "Credential report"
period_start = 2016-01-01
period_end = 2016-12-31
[systems.aws]
criticality = "critical"
revocation_sla = "24h"
[correlation.accounts]
"aws:rome" = "E100"
"#;

/// rome's leave: a month before the report, which still lists his key active and last used
/// on 2016-11-25.
const LEAVER_HR: &str = "Event ID,Employee ID,Worker Name,Work Email,Worker Type,Event,Event Reason,Effective Date,Job Code,Prior Job Code,Department,Manager ID,Location,Employee Class,Contract End
EVT-1,E100,Rome Example,rome@example.com,Employee,Hire,,01/04/2016,ENG,,Engineering,,Remote,Regular,
EVT-2,E100,Rome Example,rome@example.com,Employee,Termination,Resigned,10/31/2016,ENG,,Engineering,,Remote,Regular,
";

#[tokio::test]
async fn a_leavers_key_left_active_in_a_real_credential_report_is_found() {
    let Some(report) = sample(LEAVER_REPORT) else {
        return;
    };
    let now = Utc.with_ymd_and_hms(2017, 1, 15, 9, 0, 0).single().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let ws = evidentia_app::Location::from(dir.path().join("cred.evidentia"));
    evidentia_app::init_workspace(&ws, now).await.unwrap();
    let hr = dir.path().join("hr.csv");
    std::fs::write(&hr, LEAVER_HR).unwrap();
    let policy = dir.path().join("policy.toml");
    std::fs::write(&policy, LEAVER_POLICY).unwrap();
    evidentia_app::set_policy(&ws, &policy, Some("tester"), now)
        .await
        .unwrap();
    let imports = [
        (
            hr,
            ImportOptions {
                profile: Some("hr-extract".into()),
                ..ImportOptions::default()
            },
        ),
        (
            report,
            ImportOptions {
                format: Some(Format::AwsCredentialReport),
                // The report was generated on 2016-11-28 (its last use is the 25th).
                as_of: Some(
                    Utc.with_ymd_and_hms(2016, 11, 28, 12, 0, 0)
                        .single()
                        .unwrap(),
                ),
                ..ImportOptions::default()
            },
        ),
    ];
    for (file, options) in imports {
        evidentia_app::import_files(&ws, &[file], &options, Some("tester"), now, |_, _| {})
            .await
            .unwrap();
    }
    let view = evidentia_app::findings_view(&ws, now).await.unwrap();
    let of_rome: Vec<_> = view
        .findings
        .iter()
        .filter(|f| f.identity.as_deref() == Some("E100"))
        .map(|f| {
            (
                f.check.as_str(),
                f.account.as_deref(),
                f.entitlement.as_deref(),
            )
        })
        .collect();
    assert!(
        of_rome.contains(&(
            "EV-LEAVER-CREDENTIAL-NOT-REVOKED",
            Some("rome"),
            Some("access-key-1")
        )),
        "{of_rome:?}"
    );
    assert!(
        of_rome.contains(&(
            "EV-CREDENTIAL-USED-AFTER-LEAVE",
            Some("rome"),
            Some("access-key-1")
        )),
        "{of_rome:?}"
    );
    // The account's console access is gone: the account itself is not the finding, and the
    // key's use is not also account activity (convention 17).
    for check in ["EV-LEAVER-NOT-REVOKED", "EV-ACTIVITY-AFTER-TERMINATION"] {
        assert!(
            !of_rome.iter().any(|f| f.0 == check),
            "{check}: {of_rome:?}"
        );
    }
}
