//! Bad workspace paths are refused with one clear error and nothing written.

use evidentia_store::{Access, EvidenceStore, StoreError, Workspace};

use crate::fixture::{Fixture, Kind};
use crate::*;

fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap_or_default(),
            )
        })
        .collect();
    files.sort();
    files
}

#[tokio::test]
async fn missing_file_is_not_found_and_not_created() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nope.evidentia");
    let err = Workspace::open(&path, Access::ReadWrite).await.unwrap_err();
    assert!(matches!(err, StoreError::NotFound(_)), "{err}");
    assert!(err.to_string().contains("evidentia init"));
    assert!(snapshot(dir.path()).is_empty());
}

#[tokio::test]
async fn non_sqlite_file_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.txt");
    std::fs::write(&path, b"just some text, not a database at all, but long enough to have a header ....................................................").unwrap();
    let before = snapshot(dir.path());
    let err = Workspace::open(&path, Access::ReadWrite).await.unwrap_err();
    assert!(err.to_string().contains("not an SQLite database"), "{err}");
    assert_eq!(snapshot(dir.path()), before);
}

#[tokio::test]
async fn foreign_sqlite_file_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("other.db");
    {
        let url = format!("sqlite://{}?mode=rwc", path.display());
        let mut conn = SqliteConnection::connect(&url).await.unwrap();
        sqlx::query("CREATE TABLE t (x)")
            .execute(&mut conn)
            .await
            .unwrap();
        conn.close().await.unwrap();
    }
    let before = snapshot(dir.path());
    let err = Workspace::open(&path, Access::ReadWrite).await.unwrap_err();
    assert!(err.to_string().contains("another program"), "{err}");
    assert_eq!(snapshot(dir.path()), before);
}

#[tokio::test]
async fn newer_format_is_refused_untouched() {
    let (dir, path, ws) = new_workspace().await;
    ws.close().await;
    let mut conn = raw(&path).await;
    sqlx::query("PRAGMA user_version = 99")
        .execute(&mut conn)
        .await
        .unwrap();
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();
    let before = snapshot(dir.path());
    let err = Workspace::open(&path, Access::ReadWrite).await.unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::NewerFormat {
                found: 99,
                supported: evidentia_store::FORMAT_VERSION,
                ..
            }
        ),
        "{err}"
    );
    assert_eq!(snapshot(dir.path()), before);
}

#[tokio::test]
async fn read_only_file_is_refused_for_writing_untouched() {
    let (dir, path, ws) = new_workspace().await;
    append_entries(&ws, 2).await;
    assert!(ws.writable().await.unwrap());
    ws.close().await;
    let mut perms = std::fs::metadata(&path).unwrap().permissions();
    perms.set_readonly(true);
    std::fs::set_permissions(&path, perms).unwrap();
    let before = snapshot(dir.path());
    let err = Workspace::open(&path, Access::ReadWrite).await.unwrap_err();
    assert!(matches!(err, StoreError::ReadOnly(_)), "{err}");
    assert_eq!(snapshot(dir.path()), before);
    // Readable, and says beforehand that a write would be refused.
    let ws = Workspace::open(&path, Access::ReadOnly).await.unwrap();
    assert!(!ws.writable().await.unwrap());
    ws.close().await;
}

async fn create_refuses_to_overwrite(kind: Kind) {
    let Some((fixture, ws)) = Fixture::new(kind).await else {
        return;
    };
    append_entries(&ws, 2).await;
    ws.close().await;
    let err = Workspace::create(fixture.location(), "again", T0, "tests")
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::AlreadyExists(_)), "{err}");
    let report = verify_at(fixture.location()).await;
    assert!(report.is_intact());
    assert_eq!(report.entries, 2);
}
crate::both!(create_refuses_to_overwrite);

async fn reopened_workspace_continues_the_chain(kind: Kind) {
    let Some((fixture, ws)) = Fixture::new(kind).await else {
        return;
    };
    append_entries(&ws, 5).await;
    ws.close().await;
    let ws = Workspace::open(fixture.location(), Access::ReadWrite)
        .await
        .unwrap();
    append_entries(&ws, 5).await;
    let head = ws.head().await.unwrap();
    assert_eq!(ws.workspace_id().await.unwrap(), "test");
    assert_eq!(
        ws.meta("created_by").await.unwrap().as_deref(),
        Some("tests")
    );
    let format = match kind {
        Kind::File => evidentia_store::FORMAT_VERSION,
        Kind::Server => evidentia_store::SERVER_FORMAT_VERSION,
    };
    assert_eq!(
        ws.meta("format_version").await.unwrap(),
        Some(format.to_string())
    );
    ws.close().await;
    let report = verify_at(fixture.location()).await;
    assert!(report.is_intact());
    assert_eq!(report.entries, 10);
    assert_eq!(report.head, head.hash);
}
crate::both!(reopened_workspace_continues_the_chain);

/// A file from before format 5 gains `created_by` on its next read-write open; read-only, its
/// checkpoints are still listed (with no maker).
#[tokio::test]
async fn a_format_4_file_is_migrated_on_write_and_readable_before() {
    let (_dir, path, ws) = new_workspace().await;
    append_entries(&ws, 3).await;
    ws.add_checkpoint(T0, "alice", None).await.unwrap();
    ws.close().await;
    // Back to format 4's shape: no created_by column, migration 5 not applied.
    let mut conn = raw(&path).await;
    for sql in [
        "ALTER TABLE checkpoints DROP COLUMN created_by",
        "DELETE FROM _sqlx_migrations WHERE version = 5",
        "PRAGMA user_version = 4",
    ] {
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .execute(&mut conn)
            .await
            .unwrap();
    }
    conn.close().await.unwrap();
    let ws = Workspace::open(&path, Access::ReadOnly).await.unwrap();
    let listed = ws.checkpoints().await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].created_by, None);
    ws.close().await;
    let ws = Workspace::open(&path, Access::ReadWrite).await.unwrap();
    let second = ws.add_checkpoint(T0, "bob", None).await.unwrap();
    assert_eq!(second.created_by.as_deref(), Some("bob"));
    assert_eq!(ws.checkpoints().await.unwrap()[0].created_by, None);
    ws.close().await;
    assert!(verify(&path).await.is_intact());
}
