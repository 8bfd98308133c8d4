//! Bad workspace paths are refused with one clear error and nothing written.

use evidentia_store::{Access, StoreError, Workspace};

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
    ws.close().await;
    let mut perms = std::fs::metadata(&path).unwrap().permissions();
    perms.set_readonly(true);
    std::fs::set_permissions(&path, perms).unwrap();
    let before = snapshot(dir.path());
    let err = Workspace::open(&path, Access::ReadWrite).await.unwrap_err();
    assert!(matches!(err, StoreError::ReadOnly(_)), "{err}");
    assert_eq!(snapshot(dir.path()), before);
}

#[tokio::test]
async fn create_refuses_to_overwrite() {
    let (_dir, path, ws) = new_workspace().await;
    ws.close().await;
    let err = Workspace::create(&path, "again", T0, "tests")
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::AlreadyExists(_)), "{err}");
    assert!(verify(&path).await.is_intact());
}

#[tokio::test]
async fn reopened_workspace_continues_the_chain() {
    let (_dir, path, ws) = new_workspace().await;
    append_entries(&ws, 5).await;
    ws.close().await;
    let ws = Workspace::open(&path, Access::ReadWrite).await.unwrap();
    append_entries(&ws, 5).await;
    let head = ws.head().await.unwrap();
    ws.close().await;
    let report = verify(&path).await;
    assert!(report.is_intact());
    assert_eq!(report.entries, 10);
    assert_eq!(report.head, head.hash);
}
