//! PostgreSQL-only behaviour: concurrent writers, refusals at open, the read-only role.

use evidentia_store::{Access, EvidenceStore, Location, StoreError, Workspace};
use sqlx::Connection;

use crate::fixture::{self, Fixture, Kind, PgDb};
use crate::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_workspace_appends_verifies_and_heads_match_a_file() {
    let Some((fixture, ws)) = Fixture::new(Kind::Server).await else {
        return;
    };
    append_entries(&ws, 1000).await;
    store_artifact(&ws, &vec![7u8; 3_000_000]).await;
    let checkpoint = ws.add_checkpoint(T0, "alice", None).await.unwrap();
    append_entries(&ws, 10).await;
    let head = ws.head().await.unwrap();
    let report = ws.verify(|_| {}).await.unwrap();
    assert_eq!(report.failure, None);
    assert_eq!((report.entries, report.head), (head.count, head.hash));
    assert_eq!(report.artifacts, 1);
    assert_eq!(ws.checkpoints().await.unwrap(), vec![checkpoint.clone()]);
    assert_eq!(checkpoint.created_by.as_deref(), Some("alice"));
    ws.close().await;

    // Artifact chunks are compressed with lz4 where the server has it (Debian's has), not the
    // slower pglz default: the write transaction asks for it.
    let Fixture::Server(db) = &fixture else {
        unreachable!("a server fixture")
    };
    let mut conn = sqlx::PgConnection::connect(&db.url).await.unwrap();
    let has_lz4: bool = sqlx::query_scalar(
        "SELECT 'lz4' = ANY (enumvals) FROM pg_settings WHERE name = 'default_toast_compression'",
    )
    .fetch_one(&mut conn)
    .await
    .unwrap();
    let methods: Vec<Option<String>> =
        sqlx::query_scalar("SELECT DISTINCT pg_column_compression(data) FROM artifact_chunks")
            .fetch_all(&mut conn)
            .await
            .unwrap();
    if has_lz4 {
        assert_eq!(methods, vec![Some("lz4".to_owned())]);
    }
    conn.close().await.unwrap();

    // The same appends into a file give the same head: the hashes do not depend on the backend.
    let (_dir, _path, file) = new_workspace().await;
    append_entries(&file, 1000).await;
    store_artifact(&file, &vec![7u8; 3_000_000]).await;
    append_entries(&file, 10).await;
    assert_eq!(file.head().await.unwrap(), head);
    file.close().await;

    let ws = Workspace::open(fixture.location(), Access::ReadOnly)
        .await
        .unwrap();
    assert!(ws.verify(|_| {}).await.unwrap().is_intact());
    assert!(ws.connection_user().is_some());
    ws.close().await;
}

/// Four clients, each with its own connections, append at once: every batch lands, in one
/// chain, and it verifies.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn four_concurrent_writers_never_fork_the_chain() {
    let Some((fixture, ws)) = Fixture::new(Kind::Server).await else {
        return;
    };
    ws.close().await;
    const WRITERS: u64 = 4;
    const ROUNDS: u64 = 20;
    const PER_BATCH: u64 = 50;
    let mut tasks = Vec::new();
    for writer in 0..WRITERS {
        let location = fixture.location();
        tasks.push(tokio::spawn(async move {
            let ws = Workspace::open(location, Access::ReadWrite).await.unwrap();
            for round in 0..ROUNDS {
                let mut batch = ws.begin().await.unwrap();
                for i in 0..PER_BATCH {
                    batch
                        .append(
                            "note",
                            T0,
                            format!("{{\"writer\":{writer},\"round\":{round},\"i\":{i}}}")
                                .into_bytes(),
                        )
                        .await
                        .unwrap();
                }
                batch.commit().await.unwrap();
            }
            ws.close().await;
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    let ws = Workspace::open(fixture.location(), Access::ReadOnly)
        .await
        .unwrap();
    let report = ws.verify(|_| {}).await.unwrap();
    assert_eq!(report.failure, None);
    assert_eq!(report.entries, WRITERS * ROUNDS * PER_BATCH);
    // Each batch is contiguous: one writer's 50 entries were never interleaved with another's.
    let entries = ws.entries(1, report.entries).await.unwrap();
    for batch in entries.chunks(PER_BATCH as usize) {
        let first: serde_json::Value = serde_json::from_slice(&batch[0].payload).unwrap();
        for (i, e) in batch.iter().enumerate() {
            let v: serde_json::Value = serde_json::from_slice(&e.payload).unwrap();
            assert_eq!(
                (v["writer"].clone(), v["round"].clone()),
                (first["writer"].clone(), first["round"].clone())
            );
            assert_eq!(v["i"], i as u64);
        }
    }
    ws.close().await;
}

/// The tables of the test database's current schema, to show nothing was written.
async fn tables(db: &PgDb) -> Vec<String> {
    let mut conn = db.raw().await;
    let names = sqlx::query_scalar(
        "SELECT c.relname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE n.nspname = current_schema() AND c.relkind = 'r' ORDER BY 1",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    conn.close().await.unwrap();
    names
}

#[tokio::test]
async fn an_unreachable_server_is_one_line_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let socket_dir = dir.path().join("no-server-here");
    let url = format!(
        "postgres://evidentia@{}/engagement",
        socket_dir.display().to_string().replace('/', "%2F")
    );
    for err in [
        Workspace::open(url.as_str(), Access::ReadWrite)
            .await
            .unwrap_err(),
        Workspace::create(url.as_str(), "x", T0, "tests")
            .await
            .unwrap_err(),
    ] {
        assert!(matches!(err, StoreError::Unreachable { .. }), "{err}");
        let line = err.to_string();
        assert!(
            !line.contains('\n') && line.contains("engagement"),
            "{line}"
        );
    }
    assert!(!socket_dir.exists());
}

#[tokio::test]
async fn a_refused_login_and_a_missing_database_are_named() {
    let Some(db) = PgDb::new().await else {
        return;
    };
    let unknown_role = db.url.replacen("postgres@", "no_such_role_evt@", 1);
    assert_ne!(unknown_role, db.url, "the test URL names user postgres");
    let err = Workspace::open(unknown_role.as_str(), Access::ReadOnly)
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Unauthorized { .. }), "{err}");
    let missing = fixture::with_database(&db.url, &format!("{}_missing", db.name));
    let err = Workspace::open(missing.as_str(), Access::ReadOnly)
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound(_)), "{err}");
    assert!(err.to_string().contains("evidentia init"), "{err}");
    assert!(tables(&db).await.is_empty());
}

#[tokio::test]
async fn an_empty_database_is_not_found_on_open_and_stays_empty() {
    let Some(db) = PgDb::new().await else {
        return;
    };
    for access in [Access::ReadOnly, Access::ReadWrite] {
        let err = Workspace::open(db.location(), access).await.unwrap_err();
        assert!(matches!(err, StoreError::NotFound(_)), "{err}");
        assert!(err.to_string().contains("evidentia init"), "{err}");
    }
    assert!(tables(&db).await.is_empty());
}

#[tokio::test]
async fn another_programs_database_is_refused_untouched() {
    let Some(db) = PgDb::new().await else {
        return;
    };
    let mut conn = db.raw().await;
    sqlx::query("CREATE TABLE invoices (id int PRIMARY KEY)")
        .execute(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();
    for access in [Access::ReadOnly, Access::ReadWrite] {
        let err = Workspace::open(db.location(), access).await.unwrap_err();
        assert!(matches!(err, StoreError::NotAWorkspace { .. }), "{err}");
        assert!(err.to_string().contains("invoices"), "{err}");
    }
    let err = Workspace::create(db.location(), "x", T0, "tests")
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotAWorkspace { .. }), "{err}");
    assert!(err.to_string().contains("invoices"), "{err}");
    assert!(err.to_string().contains("needs an empty database"), "{err}");
    assert_eq!(tables(&db).await, vec!["invoices".to_owned()]);
}

#[tokio::test]
async fn a_newer_format_is_refused_before_any_migration_runs() {
    let Some((fixture, ws)) = Fixture::new(Kind::Server).await else {
        return;
    };
    append_entries(&ws, 3).await;
    ws.close().await;
    let Fixture::Server(db) = &fixture else {
        unreachable!()
    };
    let mut conn = db.raw().await;
    sqlx::query(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
         VALUES (99, 'from the future', true, '\\x00'::bytea, 0)",
    )
    .execute(&mut conn)
    .await
    .unwrap();
    let before: Vec<(i64, String)> =
        sqlx::query_as("SELECT version, description FROM _sqlx_migrations ORDER BY version")
            .fetch_all(&mut conn)
            .await
            .unwrap();
    for access in [Access::ReadOnly, Access::ReadWrite] {
        let err = Workspace::open(fixture.location(), access)
            .await
            .unwrap_err();
        assert!(
            matches!(
                err,
                StoreError::NewerFormat {
                    found: 99,
                    supported: evidentia_store::SERVER_FORMAT_VERSION,
                    ..
                }
            ),
            "{err}"
        );
    }
    let after: Vec<(i64, String)> =
        sqlx::query_as("SELECT version, description FROM _sqlx_migrations ORDER BY version")
            .fetch_all(&mut conn)
            .await
            .unwrap();
    assert_eq!(before, after);
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM ledger_entries")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(count, 3);
    conn.close().await.unwrap();
}

#[tokio::test]
async fn create_makes_a_missing_database_and_refuses_an_existing_workspace() {
    let Some(db) = PgDb::new().await else {
        return;
    };
    // A database that does not exist yet is created (the test login may).
    let fresh = PgDb {
        admin_url: db.admin_url.clone(),
        name: format!("{}_new", db.name),
        url: fixture::with_database(&db.url, &format!("{}_new", db.name)),
    };
    let ws = Workspace::create(fresh.location(), "fresh", T0, "tests")
        .await
        .unwrap();
    assert_eq!(ws.workspace_id().await.unwrap(), "fresh");
    ws.close().await;
    let err = Workspace::create(fresh.location(), "again", T0, "tests")
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::AlreadyExists(_)), "{err}");
    let ws = Workspace::open(fresh.location(), Access::ReadOnly)
        .await
        .unwrap();
    assert_eq!(ws.workspace_id().await.unwrap(), "fresh");
    ws.close().await;
}

/// The SQL of docs/team-workspaces.md ("Roles"), for a database named `db`: run by its owner.
pub fn roles_sql(db: &str) -> Vec<String> {
    let doc = include_str!("../../../../docs/team-workspaces.md");
    let start = doc
        .find("```sql\n-- roles")
        .expect("docs/team-workspaces.md has the roles SQL");
    let body = &doc[start + "```sql\n".len()..];
    let body = &body[..body.find("```").unwrap()];
    let statements: String = body
        .replace("engagement", db)
        .lines()
        .filter(|l| !l.trim_start().starts_with("--"))
        .collect::<Vec<_>>()
        .join("\n");
    statements
        .split(';')
        .filter(|s| !s.trim().is_empty())
        .map(|s| s.trim().to_owned())
        .collect()
}

/// Creates the documented roles and two logins in them; returns (writer, reader) URLs.
async fn with_roles(db: &PgDb) -> (String, String) {
    let mut conn = db.raw().await;
    for sql in roles_sql(&db.name) {
        let sql = sql.replace("'…'", "'unused'");
        sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
            .execute(&mut conn)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }
    conn.close().await.unwrap();
    let login = |user: &str| db.url.replacen("postgres@", &format!("{user}@"), 1);
    (
        login(&format!("{}_alice", db.name)),
        login(&format!("{}_bob", db.name)),
    )
}

/// Drops the roles the documented SQL made (they are cluster-wide, unlike the database).
async fn drop_roles(db: &PgDb) {
    let mut conn = db.raw().await;
    for role in ["alice", "bob", "writer", "reader"] {
        let role = format!("{}_{role}", db.name);
        let _ = sqlx::query(sqlx::AssertSqlSafe(format!("DROP OWNED BY {role}")))
            .execute(&mut conn)
            .await;
    }
    conn.close().await.unwrap();
    let mut admin = sqlx::PgConnection::connect(&db.admin_url).await.unwrap();
    for role in ["alice", "bob", "writer", "reader"] {
        let role = format!("{}_{role}", db.name);
        let _ = sqlx::query(sqlx::AssertSqlSafe(format!("DROP ROLE IF EXISTS {role}")))
            .execute(&mut admin)
            .await;
    }
    admin.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_reader_role_verifies_but_cannot_write_and_the_writer_can() {
    let Some((fixture, ws)) = Fixture::new(Kind::Server).await else {
        return;
    };
    append_entries(&ws, 20).await;
    store_artifact(&ws, b"evidence").await;
    ws.close().await;
    let Fixture::Server(db) = &fixture else {
        unreachable!()
    };
    let (writer, reader) = with_roles(db).await;
    let outcome = async {
        // The reader: refused for writing at open, in one line naming the user; reads verify.
        let err = Workspace::open(reader.as_str(), Access::ReadWrite)
            .await
            .unwrap_err();
        match &err {
            StoreError::PermissionDenied { user, .. } => {
                assert_eq!(user, &format!("{}_bob", db.name))
            }
            other => panic!("{other}"),
        }
        let ws = Workspace::open(reader.as_str(), Access::ReadOnly)
            .await
            .unwrap();
        assert_eq!(
            ws.connection_user(),
            Some(format!("{}_bob", db.name).as_str())
        );
        // What a client shows before anyone tries to write.
        assert!(!ws.writable().await.unwrap());
        let report = ws.verify(|_| {}).await.unwrap();
        assert_eq!(
            (report.failure, report.entries, report.artifacts),
            (None, 21, 1)
        );
        assert_eq!(ws.checkpoints().await.unwrap(), vec![]);
        let notes = ws
            .scan_kinds(&["note"], 21, 0u64, |n: &mut u64, _| {
                *n += 1;
                Ok(())
            })
            .await
            .unwrap();
        assert_eq!(notes, 20);
        assert!(matches!(ws.begin().await, Err(StoreError::ReadOnly(_))));
        ws.close().await;

        // The writer may write however it opened the workspace.
        let ws = Workspace::open(writer.as_str(), Access::ReadOnly)
            .await
            .unwrap();
        assert!(ws.writable().await.unwrap());
        ws.close().await;

        // The writer appends, checkpoints, and its rows are attested with its login.
        let ws = Workspace::open(writer.as_str(), Access::ReadWrite)
            .await
            .unwrap();
        assert!(ws.writable().await.unwrap());
        append_entries(&ws, 5).await;
        store_artifact(&ws, b"more evidence").await;
        let checkpoint = ws.add_checkpoint(T0, "alice", None).await.unwrap();
        assert_eq!(checkpoint.entry_count, 27);
        assert!(ws.verify(|_| {}).await.unwrap().is_intact());
        ws.close().await;
        let mut conn = db.raw().await;
        let by: Vec<String> =
            sqlx::query_scalar("SELECT DISTINCT recorded_by FROM ledger_entries WHERE seq > 21")
                .fetch_all(&mut conn)
                .await
                .unwrap();
        assert_eq!(by, vec![format!("{}_alice", db.name)]);
        // The writer cannot change what is there, even without the triggers' help.
        let as_writer = sqlx::PgConnection::connect(&writer).await;
        let mut as_writer = as_writer.unwrap();
        for sql in [
            "UPDATE ledger_entries SET kind = 'x' WHERE seq = 1",
            "DELETE FROM artifact_chunks",
            "UPDATE ledger_entries SET recorded_by = 'someone else' WHERE seq = 1",
        ] {
            let err = sqlx::query(sql).execute(&mut as_writer).await.unwrap_err();
            assert_eq!(
                err.as_database_error().and_then(|e| e.code()).as_deref(),
                Some("42501"),
                "{sql}: {err}"
            );
        }
        as_writer.close().await.unwrap();
        conn.close().await.unwrap();
    }
    .await;
    drop_roles(db).await;
    outcome
}

/// A write the open-time check could not foresee (a privilege revoked on one table) is still
/// refused as a permission error, and the batch leaves nothing behind.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_write_is_permission_denied_and_rolls_back() {
    let Some((fixture, ws)) = Fixture::new(Kind::Server).await else {
        return;
    };
    append_entries(&ws, 3).await;
    ws.close().await;
    let Fixture::Server(db) = &fixture else {
        unreachable!()
    };
    let (writer, _) = with_roles(db).await;
    let outcome = async {
        let mut conn = db.raw().await;
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "REVOKE INSERT ON artifact_chunks FROM {}_writer",
            db.name
        )))
        .execute(&mut conn)
        .await
        .unwrap();
        conn.close().await.unwrap();
        let ws = Workspace::open(writer.as_str(), Access::ReadWrite)
            .await
            .unwrap();
        let sha = evidentia_ledger::Hash::of(b"x");
        let mut batch = ws.begin().await.unwrap();
        batch.append("note", T0, b"{}".to_vec()).await.unwrap();
        let mut artifact = batch.start_artifact(sha);
        batch.write_artifact(&mut artifact, b"x").await.unwrap();
        batch.finish_artifact(artifact, T0).await.unwrap();
        let err = batch.commit().await.unwrap_err();
        assert!(matches!(err, StoreError::PermissionDenied { .. }), "{err}");
        assert_eq!(ws.head().await.unwrap().count, 3);
        assert!(ws.verify(|_| {}).await.unwrap().is_intact());
        ws.close().await;
    }
    .await;
    drop_roles(db).await;
    outcome
}

/// A second appender waits for the lock (up to `lock_timeout`, then `Busy`) rather than failing
/// or forking.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_held_append_lock_is_waited_for() {
    let Some((fixture, ws)) = Fixture::new(Kind::Server).await else {
        return;
    };
    let held = ws.begin().await.unwrap();
    let location = fixture.location();
    let second = tokio::spawn(async move {
        let ws = Workspace::open(location, Access::ReadWrite).await.unwrap();
        let mut batch = ws.begin().await.unwrap();
        batch.append("note", T0, b"{}".to_vec()).await.unwrap();
        batch.commit().await.unwrap()
    });
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(
        !second.is_finished(),
        "the second appender must wait for the lock"
    );
    let mut held = held;
    held.append("note", T0, b"{\"first\":true}".to_vec())
        .await
        .unwrap();
    held.commit().await.unwrap();
    let head = second.await.unwrap();
    assert_eq!(head.count, 2);
    ws.close().await;
}

/// An appender that cannot get the lock within `lock_timeout` gives up with `Busy` (one line
/// naming the workspace) and writes nothing, while readers go on. The wait is the URL's
/// `options=-c lock_timeout=…` here (120 s by default); nothing else on the server is touched.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lock_held_past_the_timeout_is_busy_and_readers_go_on() {
    let Some((fixture, ws)) = Fixture::new(Kind::Server).await else {
        return;
    };
    append_entries(&ws, 3).await;
    let before = ws.head().await.unwrap();
    let held = ws.begin().await.unwrap();

    let Fixture::Server(db) = &fixture else {
        unreachable!("a server fixture")
    };
    let impatient = Location::parse(&format!("{}?options=-c%20lock_timeout%3D700ms", db.url));
    let other = Workspace::open(impatient.clone(), Access::ReadWrite)
        .await
        .unwrap();
    let started = std::time::Instant::now();
    let refused = match other.begin().await {
        Err(e) => e,
        Ok(_) => panic!("the lock is held: the second appender must not get it"),
    };
    let waited = started.elapsed();
    assert!(
        matches!(refused, StoreError::Busy(_)),
        "expected Busy, got {refused:?}"
    );
    assert!(
        waited >= std::time::Duration::from_millis(600)
            && waited < std::time::Duration::from_secs(30),
        "waited {waited:?} for a 700 ms lock_timeout"
    );
    let message = refused.to_string();
    assert!(!message.contains('\n'), "one line: {message}");
    assert!(
        message.contains(&impatient.to_string()),
        "names the workspace: {message}"
    );

    // A reader is not held up by the writer's lock.
    let reader = Workspace::open(fixture.location(), Access::ReadOnly)
        .await
        .unwrap();
    let report = reader.verify(|_| {}).await.unwrap();
    assert!(report.is_intact());
    assert_eq!(report.head, before.hash);
    reader.close().await;

    held.rollback().await.unwrap();
    assert_eq!(ws.head().await.unwrap(), before, "nothing was written");
    // Once the lock is free, the impatient client appends.
    let mut batch = other.begin().await.unwrap();
    batch.append("note", T0, b"{}".to_vec()).await.unwrap();
    assert_eq!(batch.commit().await.unwrap().count, before.count + 1);
    other.close().await;
    ws.close().await;
}

/// Turns a server workspace back into format 5 by SQL, as one made before format 6: format
/// 5's in-sequence check over a transition table, and no migration 6.
async fn back_to_format_5(db: &PgDb) {
    let v5 = include_str!("../../migrations/postgres/0005_workspace.sql");
    let start = v5
        .find("CREATE FUNCTION evidentia_ledger_in_sequence()")
        .unwrap();
    let end = start + v5[start..].find("END $$;").unwrap() + "END $$;".len();
    let function = v5[start..end].replacen("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1);
    let mut conn = db.raw().await;
    for sql in [
        "DROP TRIGGER ledger_entries_in_sequence ON ledger_entries",
        "DROP TRIGGER ledger_entries_head_before ON ledger_entries",
        "DROP FUNCTION evidentia_ledger_head_before()",
        function.as_str(),
        "CREATE TRIGGER ledger_entries_in_sequence AFTER INSERT ON ledger_entries \
         REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT \
         EXECUTE FUNCTION evidentia_ledger_in_sequence()",
        "DELETE FROM _sqlx_migrations WHERE version = 6",
    ] {
        sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()))
            .execute(&mut conn)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }
    conn.close().await.unwrap();
}

/// (format, whether the in-sequence trigger reads a transition table) as the server has them.
async fn format_and_check(db: &PgDb) -> (i64, bool) {
    let mut conn = db.raw().await;
    let format: i64 = sqlx::query_scalar("SELECT max(version) FROM _sqlx_migrations")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    let transition: bool = sqlx::query_scalar(
        "SELECT tgnewtable IS NOT NULL FROM pg_trigger \
         WHERE tgname = 'ledger_entries_in_sequence'",
    )
    .fetch_one(&mut conn)
    .await
    .unwrap();
    conn.close().await.unwrap();
    (format, transition)
}

/// A format-5 server workspace is written as it is by a writer login (which could not replace
/// the owner's triggers) and gains format 6 when its owner opens it for writing; the chain
/// stays one and every append after either is checked.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_format_5_workspace_is_written_as_it_is_and_upgraded_by_its_owner() {
    let Some((fixture, ws)) = Fixture::new(Kind::Server).await else {
        return;
    };
    append_entries(&ws, 5).await;
    ws.close().await;
    let Fixture::Server(db) = &fixture else {
        unreachable!()
    };
    assert_eq!(format_and_check(db).await, (6, false));
    back_to_format_5(db).await;
    assert_eq!(format_and_check(db).await, (5, true));
    let (writer, _) = with_roles(db).await;
    let outcome = async {
        let ws = Workspace::open(writer.as_str(), Access::ReadWrite)
            .await
            .unwrap();
        append_entries(&ws, 3).await;
        assert!(ws.verify(|_| {}).await.unwrap().is_intact());
        ws.close().await;
        assert_eq!(format_and_check(db).await, (5, true), "the writer left it");

        let ws = Workspace::open(fixture.location(), Access::ReadWrite)
            .await
            .unwrap();
        assert_eq!(
            format_and_check(db).await,
            (6, false),
            "the owner upgraded it"
        );
        append_entries(&ws, 3).await;
        let report = ws.verify(|_| {}).await.unwrap();
        assert!(report.is_intact());
        assert_eq!(report.entries, 11);
        ws.close().await;
        // The format-6 check still refuses a gap and a row that does not name the head.
        let ws = Workspace::open(writer.as_str(), Access::ReadWrite)
            .await
            .unwrap();
        append_entries(&ws, 2).await;
        ws.close().await;
        let mut conn = db.raw().await;
        for seq in [15, 13, 0] {
            let sql = format!(
                "INSERT INTO ledger_entries (seq, kind, recorded_at, payload, payload_hash, \
                 prev_hash, entry_hash) SELECT {seq}, kind, recorded_at, payload, payload_hash, \
                 prev_hash, entry_hash FROM ledger_entries WHERE seq = 1"
            );
            assert!(
                sqlx::query(sqlx::AssertSqlSafe(sql))
                    .execute(&mut conn)
                    .await
                    .is_err(),
                "a row at {seq} after head 13 is refused"
            );
        }
        let forked = sqlx::query(
            "INSERT INTO ledger_entries (seq, kind, recorded_at, payload, payload_hash, \
             prev_hash, entry_hash) SELECT 14, kind, recorded_at, payload, payload_hash, \
             prev_hash, entry_hash FROM ledger_entries WHERE seq = 3",
        )
        .execute(&mut conn)
        .await
        .unwrap_err();
        assert!(
            forked.to_string().contains("after the head"),
            "a row not naming the head as its predecessor: {forked}"
        );
        conn.close().await.unwrap();
    }
    .await;
    drop_roles(db).await;
    outcome
}
