//! Workspace paths that are not a usable workspace: refused with one `error:` line, and nothing
//! on disk is created or changed.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use crate::{
    assert_same_files, init_ws, path_str, provisioning_csv, run_ws, snapshot, sql, sqlite3, write,
};

/// Runs `args` on `ws` and checks the refusal contract, with `dir` untouched.
#[track_caller]
fn refused_without_writing(dir: &Path, ws: &Path, args: &[&str]) -> String {
    let before = snapshot(dir);
    let run = run_ws(ws, args);
    run.expect_one_line_error();
    assert_same_files(&before, &snapshot(dir));
    run.stderr
}

#[test]
fn verify_on_a_missing_path() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("nowhere.evidentia");
    let stderr = refused_without_writing(dir.path(), &ws, &["verify"]);
    assert!(stderr.contains("nowhere.evidentia"), "{stderr}");
    assert!(!ws.exists());
}

#[test]
fn a_text_file_is_not_a_workspace() {
    let dir = tempfile::tempdir().unwrap();
    let ws = write(
        dir.path(),
        "notes.txt",
        "these are my notes, not a workspace\n",
    );
    refused_without_writing(dir.path(), &ws, &["verify"]);
    let csv = write(dir.path(), "grants.csv", provisioning_csv("x", 1));
    refused_without_writing(
        dir.path(),
        &ws,
        &["import", "--profile", "provisioning-csv", path_str(&csv)],
    );
    refused_without_writing(dir.path(), &ws, &["checkpoint"]);
}

#[test]
fn another_programs_sqlite_database_is_not_a_workspace() {
    let Some(sqlite3) = sqlite3() else { return };
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("foreign.db");
    sql(
        &sqlite3,
        &ws,
        "CREATE TABLE t(x); INSERT INTO t VALUES (1);",
    );
    refused_without_writing(dir.path(), &ws, &["verify"]);
    let csv = write(dir.path(), "grants.csv", provisioning_csv("x", 1));
    refused_without_writing(
        dir.path(),
        &ws,
        &["import", "--profile", "provisioning-csv", path_str(&csv)],
    );
    refused_without_writing(dir.path(), &ws, &["checkpoint"]);
}

#[test]
fn a_workspace_from_a_newer_format_is_refused() {
    let Some(sqlite3) = sqlite3() else { return };
    let dir = tempfile::tempdir().unwrap();
    let ws = init_ws(dir.path());
    sql(
        &sqlite3,
        &ws,
        "PRAGMA user_version = 99; PRAGMA wal_checkpoint(TRUNCATE);",
    );
    let stderr = refused_without_writing(dir.path(), &ws, &["verify"]);
    assert!(
        stderr.contains("99"),
        "the error should say which format it found: {stderr}"
    );
    let csv = write(dir.path(), "grants.csv", provisioning_csv("x", 1));
    refused_without_writing(
        dir.path(),
        &ws,
        &["import", "--profile", "provisioning-csv", path_str(&csv)],
    );
    refused_without_writing(dir.path(), &ws, &["checkpoint"]);
}

#[test]
fn a_read_only_workspace_refuses_import_and_checkpoint() {
    let dir = tempfile::tempdir().unwrap();
    let ws = init_ws(dir.path());
    let csv = write(dir.path(), "grants.csv", provisioning_csv("x", 2));
    std::fs::set_permissions(&ws, std::fs::Permissions::from_mode(0o444)).unwrap();

    let stderr = refused_without_writing(
        dir.path(),
        &ws,
        &["import", "--profile", "provisioning-csv", path_str(&csv)],
    );
    assert!(stderr.contains("read-only"), "{stderr}");
    let stderr = refused_without_writing(dir.path(), &ws, &["checkpoint"]);
    assert!(stderr.contains("read-only"), "{stderr}");
}

#[test]
fn init_refuses_an_existing_path() {
    let dir = tempfile::tempdir().unwrap();
    let ws = init_ws(dir.path());
    refused_without_writing(dir.path(), &ws, &["init"]);
    let text = write(dir.path(), "keep.txt", "precious\n");
    refused_without_writing(dir.path(), &text, &["init"]);
    assert_eq!(std::fs::read_to_string(&text).unwrap(), "precious\n");
}
