//! Feasibility spike for issue #18 (a team workspace on PostgreSQL), not the backend itself:
//! can several clients append to one hash chain on a real server without forking it?
//!
//! Four tasks append 1,000 entries in small transactions; each takes
//! `pg_advisory_xact_lock(APPEND_LOCK)` first, then reads the head *in a new statement* (READ
//! COMMITTED, so it sees the previous holder's commit) and chains from it with the ledger crate's
//! own `Chain`. The result is read back through the ledger's `Verifier`, replayed into a SQLite
//! workspace (the heads must be equal), and two refusals are checked: a forked append (wrong
//! `prev_hash`) and a write by a role granted SELECT only (SQLSTATE 42501).
//!
//! Runs only when asked, against a server named by `EVIDENTIA_TEST_PG_URL`:
//!
//! ```text
//! tools/pg_cluster.sh start target/pg
//! EVIDENTIA_TEST_PG_URL=$(tools/pg_cluster.sh url target/pg) \
//!   cargo test -p evidentia-store --test pg_spike -- --ignored --nocapture
//! tools/pg_cluster.sh stop target/pg
//! ```
//!
//! Everything it creates lives in a schema of its own (and one role), dropped at the end.
#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.

use std::str::FromStr;
use std::time::{Duration, Instant};

use evidentia_ledger::{Chain, Entry, Hash, Verifier};
use evidentia_store::{EvidenceStore, Workspace};
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions, Postgres};
use sqlx::{QueryBuilder, Row};

/// The advisory lock key every appender of a workspace takes: one per database, so a constant.
/// (The real backend would derive it from the workspace, e.g. the first 8 bytes of
/// SHA-256("evidentia/append"), to stay clear of other applications' keys.)
const APPEND_LOCK: i64 = 0x4556_4944_0000_0001;

const TASKS: usize = 4;
const TRANSACTIONS_PER_TASK: usize = 50;
const ENTRIES_PER_TRANSACTION: usize = 5;
const T0: &str = "2026-01-01T00:00:00.000000Z";

/// The ledger tables as the PostgreSQL migration would shape them: BYTEA for BLOB, BIGINT for
/// INTEGER PRIMARY KEY, and the SQLite triggers rewritten in PL/pgSQL.
const SCHEMA: &str = r#"
CREATE TABLE ledger_entries (
    seq          BIGINT PRIMARY KEY CHECK (seq >= 1),
    kind         TEXT   NOT NULL,
    recorded_at  TEXT   NOT NULL,
    payload      BYTEA  NOT NULL,
    payload_hash BYTEA  NOT NULL CHECK (octet_length(payload_hash) = 32),
    prev_hash    BYTEA  NOT NULL CHECK (octet_length(prev_hash) = 32),
    entry_hash   BYTEA  NOT NULL CHECK (octet_length(entry_hash) = 32),
    -- Who appended it, as the server saw them; not hashed (the hashed record is the payload).
    recorded_by  TEXT   NOT NULL DEFAULT session_user
);

-- Defence in depth, as in SQLite's format 3: a row goes only at the next sequence number and
-- must name the current head as its predecessor. A row trigger sees the rows earlier in the
-- same multi-row INSERT, so batches are checked row by row.
CREATE FUNCTION ledger_entries_in_sequence() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    head_seq  BIGINT;
    head_hash BYTEA;
BEGIN
    SELECT seq, entry_hash INTO head_seq, head_hash
      FROM ledger_entries ORDER BY seq DESC LIMIT 1;
    IF NEW.seq IS DISTINCT FROM COALESCE(head_seq, 0) + 1
       OR NEW.prev_hash IS DISTINCT FROM COALESCE(head_hash, '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea) THEN
        RAISE EXCEPTION 'ledger entries are appended at the next sequence number, after the head'
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER ledger_entries_in_sequence BEFORE INSERT ON ledger_entries
    FOR EACH ROW EXECUTE FUNCTION ledger_entries_in_sequence();

CREATE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'ledger entries are append-only' USING ERRCODE = 'integrity_constraint_violation';
END $$;
CREATE TRIGGER ledger_entries_append_only BEFORE UPDATE OR DELETE ON ledger_entries
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER ledger_entries_no_truncate BEFORE TRUNCATE ON ledger_entries
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "needs a PostgreSQL server: set EVIDENTIA_TEST_PG_URL (tools/pg_cluster.sh start target/pg)"]
async fn concurrent_appends_chain_without_forking() {
    let Ok(url) = std::env::var("EVIDENTIA_TEST_PG_URL") else {
        eprintln!(
            "pg_spike: SKIPPED, EVIDENTIA_TEST_PG_URL is not set \
             (run `tools/pg_cluster.sh start target/pg` and set it to the URL it prints)"
        );
        return;
    };
    let schema = format!("evidentia_spike_{}", std::process::id());
    let admin = PgPool::connect(&url)
        .await
        .expect("connect to EVIDENTIA_TEST_PG_URL");
    let pool = fresh_schema(&url, &admin, &schema).await;
    let outcome = run(&pool, &admin, &schema).await;
    pool.close().await;
    exec(&admin, &format!("DROP SCHEMA {schema} CASCADE")).await;

    // The same race without the lock: the server's constraints must refuse every stale
    // append (the appender retries), so the chain still cannot fork; the lock only turns
    // refusals into waiting.
    let unlocked = format!("{schema}_unlocked");
    let pool = fresh_schema(&url, &admin, &unlocked).await;
    let outcome_unlocked = run_racy(&pool, Mode::Unlocked).await;
    pool.close().await;
    exec(&admin, &format!("DROP SCHEMA {unlocked} CASCADE")).await;

    // The lock under REPEATABLE READ: the snapshot dates from the lock statement, so the head
    // read after the wait is stale; again refused and retried, never forked. This is why the
    // real append transaction stays READ COMMITTED.
    let repeatable = format!("{schema}_rr");
    let pool = fresh_schema(&url, &admin, &repeatable).await;
    let outcome_repeatable = run_racy(&pool, Mode::LockedRepeatableRead).await;
    pool.close().await;
    exec(&admin, &format!("DROP SCHEMA {repeatable} CASCADE")).await;
    admin.close().await;
    outcome.unwrap();
    outcome_unlocked.unwrap();
    outcome_repeatable.unwrap();
}

/// How an appender's transaction is run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// The design: READ COMMITTED, advisory lock, then read the head.
    Locked,
    /// No lock: the server's constraints are all that stands between clients.
    Unlocked,
    /// The lock, but REPEATABLE READ: the head is read from a snapshot older than the lock.
    LockedRepeatableRead,
}

/// A schema of our own (named after the process, so reruns never collide) holding the ledger
/// table, and a pool whose connections use it.
async fn fresh_schema(url: &str, admin: &PgPool, schema: &str) -> PgPool {
    exec(admin, &format!("DROP SCHEMA IF EXISTS {schema} CASCADE")).await;
    exec(admin, &format!("CREATE SCHEMA {schema}")).await;
    let options = PgConnectOptions::from_str(url)
        .unwrap()
        .options([("search_path", schema)]);
    let pool = PgPoolOptions::new()
        .max_connections(TASKS as u32 + 1)
        .connect_with(options)
        .await
        .unwrap();
    sqlx::raw_sql(SCHEMA).execute(&pool).await.unwrap();
    pool
}

async fn run(pool: &PgPool, admin: &PgPool, schema: &str) -> Result<(), String> {
    // 1. Four appenders race for the lock.
    let started = Instant::now();
    let mut tasks = Vec::new();
    for task in 0..TASKS {
        let pool = pool.clone();
        tasks.push(tokio::spawn(async move {
            appender(&pool, task, Mode::Locked).await.0
        }));
    }
    let mut waits = Vec::new();
    for t in tasks {
        waits.extend(t.await.unwrap());
    }
    let elapsed = started.elapsed();
    let total = TASKS * TRANSACTIONS_PER_TASK * ENTRIES_PER_TRANSACTION;
    waits.sort();
    let pct = |p: usize| waits[(waits.len() * p / 100).min(waits.len() - 1)];
    eprintln!(
        "pg_spike: {total} entries in {} transactions from {TASKS} tasks: {:.0} ms \
         ({:.0} entries/s); transaction latency p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        waits.len(),
        ms(elapsed),
        total as f64 / elapsed.as_secs_f64(),
        ms(pct(50)),
        ms(pct(99)),
        ms(*waits.last().unwrap()),
    );

    // 2. Read it back: every seq 1..N once, each prev the previous hash, hashes recomputed.
    let entries = read_all(pool).await;
    if entries.len() != total {
        return Err(format!(
            "{} entries stored, {total} appended",
            entries.len()
        ));
    }
    let mut verifier = Verifier::new();
    for (i, e) in entries.iter().enumerate() {
        if e.seq != i as u64 + 1 {
            return Err(format!("row {i} has seq {}", e.seq));
        }
        verifier.push(e).map_err(|f| format!("chain broken: {f}"))?;
    }
    let forks: i64 =
        sqlx::query_scalar("SELECT count(*) - count(DISTINCT prev_hash) FROM ledger_entries")
            .fetch_one(pool)
            .await
            .unwrap();
    if forks != 0 {
        return Err(format!("{forks} entries share a predecessor"));
    }
    let per_task: Vec<i64> = sqlx::query_scalar(
        "SELECT count(*) FROM ledger_entries GROUP BY substring(kind from 'task-[0-9]+') ORDER BY 1",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    eprintln!(
        "pg_spike: verified {} entries, no fork; head {}; entries per task {per_task:?}",
        verifier.count(),
        verifier.head()
    );

    // 3. The same entries in the same order give the same head in a SQLite workspace.
    let dir = tempfile::tempdir().unwrap();
    let ws = Workspace::create(&dir.path().join("spike.evidentia"), "spike", T0, "pg_spike")
        .await
        .unwrap();
    let mut batch = ws.begin().await.unwrap();
    for e in &entries {
        batch
            .append(&e.kind, &e.recorded_at, e.payload.clone())
            .await
            .unwrap();
    }
    let sqlite_head = batch.commit().await.unwrap();
    ws.close().await;
    if sqlite_head.hash != verifier.head() || sqlite_head.count != verifier.count() {
        return Err(format!("SQLite head {} differs", sqlite_head.hash));
    }
    eprintln!("pg_spike: the SQLite workspace replaying them has the same head");

    // 4. A fork is refused by the server even without the lock: an entry at the next seq whose
    //    prev_hash is not the head.
    let last = entries.last().unwrap();
    let mut forged = Chain::resume(last.seq, entries[entries.len() - 2].entry_hash);
    let fork = forged.next_entry("fork", T0, b"{}".to_vec());
    match insert(pool, std::slice::from_ref(&fork)).await {
        Ok(()) => return Err("a forked entry was accepted".into()),
        Err(e) => eprintln!("pg_spike: forked append refused: {e}"),
    }
    match sqlx::query("DELETE FROM ledger_entries WHERE seq = 1")
        .execute(pool)
        .await
    {
        Ok(_) => return Err("a ledger row was deleted".into()),
        Err(e) => eprintln!("pg_spike: delete refused: {e}"),
    }

    // 5. A role granted SELECT only cannot append; the error is SQLSTATE 42501, which the
    //    backend would turn into StoreError::ReadOnly (one clear line, exit 1).
    let role = format!("{schema}_reader");
    exec(admin, &format!("DROP ROLE IF EXISTS {role}")).await;
    exec(admin, &format!("CREATE ROLE {role} NOLOGIN")).await;
    exec(admin, &format!("GRANT USAGE ON SCHEMA {schema} TO {role}")).await;
    exec(
        admin,
        &format!("GRANT SELECT ON ALL TABLES IN SCHEMA {schema} TO {role}"),
    )
    .await;
    let mut conn = pool.acquire().await.unwrap();
    exec(&mut *conn, &format!("SET ROLE {role}")).await;
    let n: i64 = sqlx::query_scalar("SELECT count(*) FROM ledger_entries")
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    let mut chain = Chain::resume(last.seq, last.entry_hash);
    let next = chain.next_entry("reader", T0, b"{}".to_vec());
    let refused = sqlx::query("INSERT INTO ledger_entries (seq, kind, recorded_at, payload, payload_hash, prev_hash, entry_hash) VALUES ($1, $2, $3, $4, $5, $6, $7)")
        .bind(i64::try_from(next.seq).unwrap())
        .bind(&next.kind)
        .bind(&next.recorded_at)
        .bind(&next.payload)
        .bind(next.payload_hash.0.as_slice())
        .bind(next.prev_hash.0.as_slice())
        .bind(next.entry_hash.0.as_slice())
        .execute(&mut *conn)
        .await;
    exec(&mut *conn, "RESET ROLE").await;
    drop(conn);
    exec(admin, &format!("DROP OWNED BY {role}")).await;
    exec(admin, &format!("DROP ROLE {role}")).await;
    let code = match refused {
        Ok(_) => return Err("the read-only role appended".into()),
        Err(e) => e
            .as_database_error()
            .and_then(|d| d.code().map(|c| c.into_owned()))
            .unwrap_or_default(),
    };
    if code != "42501" {
        return Err(format!(
            "the read-only role's write failed with {code}, not 42501"
        ));
    }
    eprintln!("pg_spike: the read-only role read {n} entries and its append was refused (42501)");
    Ok(())
}

/// One client: small transactions, each under the append lock (when `lock`), chaining from the
/// head it reads after taking the lock. Returns each transaction's wall time (lock wait
/// included) and, without the lock, how many attempts the server refused (each retried).
async fn appender(pool: &PgPool, task: usize, mode: Mode) -> (Vec<Duration>, usize) {
    let mut times = Vec::new();
    let mut refused = 0;
    let mut round = 0;
    while round < TRANSACTIONS_PER_TASK {
        let started = Instant::now();
        let mut tx = if mode == Mode::LockedRepeatableRead {
            pool.begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ")
                .await
                .unwrap()
        } else {
            pool.begin().await.unwrap()
        };
        // Blocks until the previous holder commits or rolls back; released at our COMMIT.
        if mode != Mode::Unlocked {
            sqlx::query("SELECT pg_advisory_xact_lock($1)")
                .bind(APPEND_LOCK)
                .execute(&mut *tx)
                .await
                .unwrap();
        }
        // A new statement, so a new READ COMMITTED snapshot taken after the lock: it sees the
        // previous holder's rows. (Under REPEATABLE READ the snapshot would date from the lock
        // statement and miss them: the append would then be refused, never forked.)
        let head =
            sqlx::query("SELECT seq, entry_hash FROM ledger_entries ORDER BY seq DESC LIMIT 1")
                .fetch_optional(&mut *tx)
                .await
                .unwrap();
        let mut chain = match head {
            None => Chain::new(),
            Some(r) => Chain::resume(
                u64::try_from(r.get::<i64, _>(0)).unwrap(),
                Hash::from_slice(&r.get::<Vec<u8>, _>(1)).unwrap(),
            ),
        };
        let batch: Vec<Entry> = (0..ENTRIES_PER_TRANSACTION)
            .map(|i| {
                let payload = format!("{{\"i\":{i},\"round\":{round},\"task\":{task}}}");
                chain.next_entry(&format!("spike.task-{task}"), T0, payload.into_bytes())
            })
            .collect();
        match insert(&mut *tx, &batch).await {
            Ok(()) => tx.commit().await.unwrap(),
            Err(e) if mode != Mode::Locked => {
                // Another client appended first: 23505 (its seq is taken), the in-sequence
                // trigger's 23000, or a serialization failure (40001). Roll back and chain from
                // the new head.
                let code = e.as_database_error().and_then(|d| d.code());
                assert!(
                    matches!(code.as_deref(), Some("23505" | "23000" | "40001")),
                    "unexpected error: {e}"
                );
                tx.rollback().await.unwrap();
                refused += 1;
                continue;
            }
            Err(e) => panic!("append under the lock failed: {e}"),
        }
        times.push(started.elapsed());
        round += 1;
    }
    (times, refused)
}

/// A race without the design's guarantees (`mode`): every refused append is retried; the result
/// must still be one chain of exactly the entries appended.
async fn run_racy(pool: &PgPool, mode: Mode) -> Result<(), String> {
    let started = Instant::now();
    let mut tasks = Vec::new();
    for task in 0..TASKS {
        let pool = pool.clone();
        tasks.push(tokio::spawn(
            async move { appender(&pool, task, mode).await.1 },
        ));
    }
    let mut refused = 0;
    for t in tasks {
        refused += t.await.unwrap();
    }
    let elapsed = started.elapsed();
    let entries = read_all(pool).await;
    let mut verifier = Verifier::new();
    for e in &entries {
        verifier
            .push(e)
            .map_err(|f| format!("{mode:?}: chain broken: {f}"))?;
    }
    let total = TASKS * TRANSACTIONS_PER_TASK * ENTRIES_PER_TRANSACTION;
    if entries.len() != total {
        return Err(format!(
            "{mode:?}: {} entries stored, {total} appended",
            entries.len()
        ));
    }
    eprintln!(
        "pg_spike: {mode:?}: {total} entries in {:.0} ms, {refused} stale appends \
         refused by the server and retried, chain verified, no fork",
        ms(elapsed)
    );
    Ok(())
}

async fn insert<'e, E>(executor: E, entries: &[Entry]) -> Result<(), sqlx::Error>
where
    E: sqlx::Executor<'e, Database = Postgres>,
{
    let mut builder: QueryBuilder<Postgres> = QueryBuilder::new(
        "INSERT INTO ledger_entries (seq, kind, recorded_at, payload, payload_hash, prev_hash, entry_hash) ",
    );
    builder.push_values(entries, |mut row, e| {
        row.push_bind(i64::try_from(e.seq).unwrap())
            .push_bind(e.kind.clone())
            .push_bind(e.recorded_at.clone())
            .push_bind(e.payload.clone())
            .push_bind(e.payload_hash.0.to_vec())
            .push_bind(e.prev_hash.0.to_vec())
            .push_bind(e.entry_hash.0.to_vec());
    });
    builder.build().execute(executor).await.map(|_| ())
}

async fn read_all(pool: &PgPool) -> Vec<Entry> {
    let rows = sqlx::query(
        "SELECT seq, kind, recorded_at, payload, payload_hash, prev_hash, entry_hash \
         FROM ledger_entries ORDER BY seq",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    let hash = |v: Vec<u8>| Hash::from_slice(&v).unwrap();
    rows.into_iter()
        .map(|r| Entry {
            seq: u64::try_from(r.get::<i64, _>(0)).unwrap(),
            kind: r.get(1),
            recorded_at: r.get(2),
            payload: r.get(3),
            payload_hash: hash(r.get(4)),
            prev_hash: hash(r.get(5)),
            entry_hash: hash(r.get(6)),
        })
        .collect()
}

/// Runs one statement built at run time (schema and role names); test-only, names are ours.
async fn exec<'e, E>(executor: E, sql: &str)
where
    E: sqlx::Executor<'e, Database = Postgres>,
{
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_owned()))
        .execute(executor)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
