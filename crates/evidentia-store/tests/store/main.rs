//! Integration tests for the workspace, driving a real SQLite file per test and, where
//! `EVIDENTIA_TEST_PG_URL` names a server, a real PostgreSQL database per test.
#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.

mod copy;
mod crash;
pub mod fixture;
mod open;
mod server;
mod tamper;

use std::path::{Path, PathBuf};

use evidentia_ledger::Hash;
use evidentia_store::{EvidenceStore, Workspace};
use sqlx::Connection;
use sqlx::sqlite::SqliteConnection;

pub const T0: &str = "2026-01-01T00:00:00.000000Z";

/// A fresh workspace in a temporary directory.
pub async fn new_workspace() -> (tempfile::TempDir, PathBuf, Workspace) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("test.evidentia");
    let ws = Workspace::create(&path, "test", T0, "tests").await.unwrap();
    (dir, path, ws)
}

/// Appends `n` small entries in one batch.
pub async fn append_entries(ws: &Workspace, n: u64) {
    let mut batch = ws.begin().await.unwrap();
    for i in 0..n {
        batch
            .append(
                "note",
                T0,
                format!("{{\"i\":{i},\"text\":\"entry number {i}\"}}").into_bytes(),
            )
            .await
            .unwrap();
    }
    batch.commit().await.unwrap();
}

/// Stores an artifact in its own batch; returns its hash.
pub async fn store_artifact(ws: &Workspace, bytes: &[u8]) -> Hash {
    let sha = Hash::of(bytes);
    let mut batch = ws.begin().await.unwrap();
    let mut writer = batch.start_artifact(sha);
    batch.write_artifact(&mut writer, bytes).await.unwrap();
    batch.finish_artifact(writer, T0).await.unwrap();
    batch.commit().await.unwrap();
    sha
}

/// A raw connection that bypasses our API, as an attacker editing the file would.
pub async fn raw(path: &Path) -> SqliteConnection {
    let url = format!("sqlite://{}", path.display());
    SqliteConnection::connect(&url).await.unwrap()
}

/// Drops the append-only triggers on every table, as an attacker would first.
pub async fn drop_triggers(conn: &mut SqliteConnection) {
    for t in [
        "ledger_entries_no_update",
        "ledger_entries_no_delete",
        "artifacts_no_update",
        "artifacts_no_delete",
        "artifact_chunks_no_update",
        "artifact_chunks_no_delete",
        "checkpoints_no_update",
        "checkpoints_no_delete",
        "checkpoint_trees_no_update",
        "checkpoint_trees_no_delete",
        "ledger_entries_in_sequence",
    ] {
        sqlx::query(sqlx::AssertSqlSafe(format!("DROP TRIGGER {t}")))
            .execute(&mut *conn)
            .await
            .unwrap();
    }
}

/// Drops the append-only triggers that are still there (tampering may come in several steps).
pub async fn drop_triggers_if_present(conn: &mut SqliteConnection) {
    let names: Vec<String> =
        sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'trigger'")
            .fetch_all(&mut *conn)
            .await
            .unwrap();
    for t in names {
        sqlx::query(sqlx::AssertSqlSafe(format!("DROP TRIGGER {t}")))
            .execute(&mut *conn)
            .await
            .unwrap();
    }
}

/// Opens the workspace at `location` afresh and verifies it.
pub async fn verify_at(location: evidentia_store::Location) -> evidentia_store::VerifyReport {
    let ws = Workspace::open(location, evidentia_store::Access::ReadOnly)
        .await
        .unwrap();
    let report = ws.verify(|_| {}).await.unwrap();
    ws.close().await;
    report
}

/// Opens the workspace afresh and verifies it.
pub async fn verify(path: &Path) -> evidentia_store::VerifyReport {
    let ws = Workspace::open(path, evidentia_store::Access::ReadOnly)
        .await
        .unwrap();
    let report = ws.verify(|_| {}).await.unwrap();
    ws.close().await;
    report
}
