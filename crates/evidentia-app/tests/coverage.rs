//! Convention 13, "no evidence, no verdict": on workspaces missing whole kinds of evidence, no
//! control of either built-in framework is met unless one of its checks had the evidence it
//! needs, and the controls say which evidence was missing.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use chrono::{TimeZone, Utc};
use evidentia_app::{ActivityCapture, ControlStatus, ImportOptions};

fn samples() -> PathBuf {
    Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../evidence-samples"
    ))
    .to_owned()
}

/// A workspace with some of the demo's files (by folder) and its policy.
async fn workspace(
    dir: &Path,
    folders: &[(&str, Option<&str>)],
    activity: ActivityCapture,
) -> evidentia_app::Location {
    let now = Utc.with_ymd_and_hms(2026, 1, 15, 9, 0, 0).single().unwrap();
    let ws = evidentia_app::Location::from(dir.join("partial.evidentia"));
    evidentia_app::init_workspace(&ws, now).await.unwrap();
    for (folder, profile) in folders {
        let mut files: Vec<PathBuf> = std::fs::read_dir(samples().join(folder))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        for file in files {
            let profile = match (*folder, file.extension().and_then(|e| e.to_str())) {
                ("logs", Some("csv")) => Some("provisioning-csv".to_owned()),
                _ => profile.map(str::to_owned),
            };
            let options = ImportOptions {
                profile,
                activity,
                ..ImportOptions::default()
            };
            evidentia_app::import_files(&ws, &[file], &options, Some("tester"), now, |_, _| {})
                .await
                .unwrap();
        }
    }
    evidentia_app::set_policy(&ws, &samples().join("policy.toml"), Some("tester"), now)
        .await
        .unwrap();
    ws
}

/// Every met control has a mapped check that had all its evidence and examined something;
/// every control whose checks all lacked evidence is not assessed and names what is missing.
async fn assert_no_unearned_met(
    ws: &evidentia_app::Location,
) -> Vec<(String, String, ControlStatus, Vec<String>)> {
    let now = Utc.with_ymd_and_hms(2026, 1, 15, 9, 0, 0).single().unwrap();
    let run = evidentia_app::analyze_workspace(ws, None, now)
        .await
        .unwrap();
    let mut rows = Vec::new();
    for framework in ["nist-csf-2.0", "owasp-nhi-2025"] {
        for row in evidentia_app::control_status(&run, framework).unwrap() {
            let assessed: Vec<&String> = row
                .checks
                .iter()
                .filter(|c| {
                    let cov = &run.analysis.coverage.checks[c.as_str()];
                    cov.assessed() && cov.examined > 0
                })
                .collect();
            if row.status == ControlStatus::Met {
                assert!(
                    !assessed.is_empty(),
                    "{framework} {} is met but none of its checks {:?} had its evidence",
                    row.id,
                    row.checks
                );
            }
            if !row.checks.is_empty() && assessed.is_empty() && row.findings == 0 {
                assert_eq!(row.status, ControlStatus::NotAssessed, "{}", row.id);
                assert!(
                    !row.missing.is_empty(),
                    "{} names no missing evidence",
                    row.id
                );
            }
            rows.push((framework.to_owned(), row.id, row.status, row.missing));
        }
    }
    rows
}

fn status_of<'a>(
    rows: &'a [(String, String, ControlStatus, Vec<String>)],
    id: &str,
) -> &'a (String, String, ControlStatus, Vec<String>) {
    rows.iter().find(|r| r.1 == id).unwrap()
}

#[tokio::test]
async fn without_activity_the_activity_controls_are_not_assessed() {
    let dir = tempfile::tempdir().unwrap();
    // Everything but the snapshots (whose last-used dates are activity too), with sign-ins
    // and API calls discarded at import.
    let ws = workspace(
        dir.path(),
        &[
            ("hr", Some("hr-extract")),
            ("nhi", Some("nhi-catalog")),
            ("tickets", Some("ticket-export")),
            ("logs", None),
            ("exceptions", Some("exceptions-register")),
        ],
        ActivityCapture::None,
    )
    .await;
    let rows = assert_no_unearned_met(&ws).await;
    for id in ["DE.CM-03", "PR.AA-02", "NHI10:2025"] {
        let (_, _, status, missing) = status_of(&rows, id);
        assert_ne!(
            *status,
            ControlStatus::Met,
            "{id} met without activity evidence"
        );
        if *status == ControlStatus::NotAssessed {
            assert!(
                missing.iter().any(|m| m.starts_with("activity")),
                "{id} does not name the missing activity: {missing:?}"
            );
        }
    }
}

#[tokio::test]
async fn with_lifecycle_events_alone_nothing_is_met() {
    let dir = tempfile::tempdir().unwrap();
    let ws = workspace(
        dir.path(),
        &[("hr", Some("hr-extract"))],
        ActivityCapture::All,
    )
    .await;
    let rows = assert_no_unearned_met(&ws).await;
    let met: Vec<_> = rows
        .iter()
        .filter(|r| r.2 == ControlStatus::Met)
        .map(|r| &r.1)
        .collect();
    assert!(met.is_empty(), "met on HR events alone: {met:?}");
}

#[tokio::test]
async fn the_full_demo_meets_only_what_its_evidence_covers() {
    let dir = tempfile::tempdir().unwrap();
    let now = Utc.with_ymd_and_hms(2026, 1, 15, 9, 0, 0).single().unwrap();
    let ws = evidentia_app::Location::from(dir.path().join("demo.evidentia"));
    evidentia_app::build_demo(&samples(), &ws, now)
        .await
        .unwrap();
    assert_no_unearned_met(&ws).await;
}
