//! Importing access reviews through the façade: decisions on a campaign the ledger does not hold are refused whole and leave the workspace as it was; once the campaign is imported (in an earlier run, or by an earlier file of the same run) they import.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use chrono::{DateTime, TimeZone, Utc};
use evidentia_app::{FileOutcome, ImportOptions};
use evidentia_domain::RecordKind;

const DECISIONS_HEADER: &str = "Campaign ID,Campaign Name,Campaign Systems,Campaign Scope,Campaign Start,Campaign Due,Campaign Closed,Item ID,Reviewer,Reviewer Role,Subject,System,Account,Entitlement,Decision,Decided At,Delegated To,Comment";

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 12, 1, 9, 0, 0).single().unwrap()
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn options(profile: &str) -> ImportOptions {
    ImportOptions {
        profile: Some(profile.to_owned()),
        ..ImportOptions::default()
    }
}

/// Decisions on campaign Q3 that do not carry its columns.
fn decisions(dir: &Path) -> PathBuf {
    write(
        dir,
        "q3-decisions.csv",
        &format!(
            "{DECISIONS_HEADER}\n\
             Q3,,,,,,,I-1,E0042,Line Manager,E1001,okta,alice.martin,Finance Admins,Keep,2025-07-02T10:00:00Z,,\n\
             Q3,,,,,,,I-2,E0042,Line Manager,E1002,okta,bob.king,,Revoke,2025-07-02T10:05:00Z,,Left\n"
        ),
    )
}

fn campaigns(dir: &Path) -> PathBuf {
    write(
        dir,
        "campaigns.csv",
        "Campaign ID,Name,Systems,Scope,Start,Due,Closed\n\
         Q3,Q3 2025 review,okta,,2025-07-01,2025-07-31,\n",
    )
}

async fn entry_count(ws: &evidentia_app::Location) -> u64 {
    let outcome = evidentia_app::verify_ledger(ws, |_| {}).await.unwrap();
    assert!(outcome.report.failure.is_none(), "{:?}", outcome.report);
    outcome.report.entries
}

fn records(outcome: &FileOutcome) -> Vec<(RecordKind, u64)> {
    match outcome {
        FileOutcome::Imported { records, .. } => records.iter().map(|(k, n)| (*k, *n)).collect(),
        other => panic!("expected an import, got {other:?}"),
    }
}

#[tokio::test]
async fn decisions_before_their_campaign_are_refused_and_leave_nothing_behind() {
    let dir = tempfile::tempdir().unwrap();
    let ws = evidentia_app::Location::from(dir.path().join("reviews.evidentia"));
    evidentia_app::init_workspace(&ws, now()).await.unwrap();
    let before = entry_count(&ws).await;
    let decisions = decisions(dir.path());

    let error = evidentia_app::import_files(
        &ws,
        std::slice::from_ref(&decisions),
        &options("access-review"),
        Some("tester"),
        now(),
        |_, _| {},
    )
    .await
    .expect_err("decisions on an unknown campaign are refused");
    let message = error.to_string();
    let shown = decisions.display();
    assert!(
        message.contains(&format!(
            "{shown}:line 2: unknown campaign \"Q3\": import its campaign file first or give the Campaign Start and Campaign Due columns"
        )),
        "{message}"
    );
    assert!(
        message.contains(&format!("{shown}:line 3: unknown campaign \"Q3\"")),
        "{message}"
    );
    assert!(
        message.contains("2 invalid rows; nothing was imported"),
        "{message}"
    );
    assert_eq!(
        entry_count(&ws).await,
        before,
        "nothing was appended and the ledger verifies"
    );

    // The campaign first, then the same decisions.
    let imported = evidentia_app::import_files(
        &ws,
        &[campaigns(dir.path())],
        &options("access-review-campaigns"),
        Some("tester"),
        now(),
        |_, _| {},
    )
    .await
    .unwrap();
    assert_eq!(
        records(&imported[0].outcome),
        [(RecordKind::ReviewCampaign, 1)]
    );
    let imported = evidentia_app::import_files(
        &ws,
        &[decisions],
        &options("access-review"),
        Some("tester"),
        now(),
        |_, _| {},
    )
    .await
    .unwrap();
    assert_eq!(
        records(&imported[0].outcome),
        [(RecordKind::ReviewDecision, 2)],
        "the campaign came from the ledger and is not recorded again"
    );
    assert!(
        entry_count(&ws).await > before,
        "and the ledger still verifies"
    );
}

#[tokio::test]
async fn a_campaign_an_earlier_file_of_the_run_added_is_known_to_the_next() {
    let dir = tempfile::tempdir().unwrap();
    let ws = evidentia_app::Location::from(dir.path().join("reviews.evidentia"));
    evidentia_app::init_workspace(&ws, now()).await.unwrap();
    let defining = write(
        dir.path(),
        "q3-managers.csv",
        &format!(
            "{DECISIONS_HEADER}\n\
             Q3,Q3 2025 review,okta,,2025-07-01T00:00:00Z,2025-07-31T00:00:00Z,,I-9,E0050,Manager,E1009,okta,carol,,Keep,2025-07-03T10:00:00Z,,\n"
        ),
    );
    // The second file names the campaign only by its id: it was not in the ledger when the
    // run began.
    let results = evidentia_app::import_files(
        &ws,
        &[defining, decisions(dir.path())],
        &options("access-review"),
        Some("tester"),
        now(),
        |_, _| {},
    )
    .await
    .unwrap();
    assert_eq!(
        records(&results[0].outcome),
        [
            (RecordKind::ReviewCampaign, 1),
            (RecordKind::ReviewDecision, 1)
        ]
    );
    assert_eq!(
        records(&results[1].outcome),
        [(RecordKind::ReviewDecision, 2)]
    );
}
