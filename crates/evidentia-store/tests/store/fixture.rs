//! Where a test's workspace lives: a file in a temporary directory, or a database of its own on
//! the PostgreSQL server named by `EVIDENTIA_TEST_PG_URL` (created per test, dropped after), so
//! the same behaviour tests run on both backends and in parallel.

use std::path::PathBuf;

use evidentia_store::{Location, Workspace};
use sqlx::postgres::{PgConnection, PgPool};
use sqlx::sqlite::SqliteConnection;
use sqlx::{Connection, Executor};

use crate::T0;

/// A value bound to a raw statement.
#[derive(Debug, Clone)]
pub enum Arg {
    Int(i64),
    Text(String),
    Bytes(Vec<u8>),
}

/// Which backend a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    File,
    Server,
}

/// A test's workspace location and what it takes to clean up after it.
#[derive(Debug)]
pub enum Fixture {
    File {
        _dir: tempfile::TempDir,
        path: PathBuf,
    },
    Server(PgDb),
}

/// The server URL tests use, or `None` (with the line `make test` greps for) when unset.
pub fn pg_url() -> Option<String> {
    match std::env::var("EVIDENTIA_TEST_PG_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            eprintln!("SKIPPED: EVIDENTIA_TEST_PG_URL is not set");
            None
        }
    }
}

/// `url` with its database name replaced by `name`.
pub fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.find('?') {
        Some(q) => (&url[..q], &url[q..]),
        None => (url, ""),
    };
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let path_start = base[authority_start..]
        .find('/')
        .map_or(base.len(), |i| authority_start + i);
    format!("{}/{name}{query}", &base[..path_start])
}

/// A database of one test's own, dropped when the test ends (best effort).
#[derive(Debug)]
pub struct PgDb {
    pub admin_url: String,
    pub name: String,
    pub url: String,
}

impl PgDb {
    /// Creates `evt_<random>`; `None` when no server is configured.
    pub async fn new() -> Option<PgDb> {
        let admin_url = pg_url()?;
        let name = format!("evt_{:016x}", rand_u64());
        let mut admin = PgConnection::connect(&admin_url)
            .await
            .expect("connect to EVIDENTIA_TEST_PG_URL");
        admin
            .execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .await
            .unwrap();
        admin.close().await.unwrap();
        let url = with_database(&admin_url, &name);
        Some(PgDb {
            admin_url,
            name,
            url,
        })
    }

    /// A superuser connection to the test's database, as an attacker with the server's
    /// credentials would have.
    pub async fn raw(&self) -> PgConnection {
        PgConnection::connect(&self.url).await.unwrap()
    }

    pub fn location(&self) -> Location {
        Location::parse(&self.url)
    }
}

impl Drop for PgDb {
    fn drop(&mut self) {
        // Dropping needs async; a thread of its own keeps this usable from any runtime.
        let admin_url = self.admin_url.clone();
        let name = self.name.clone();
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async {
                if let Ok(pool) = PgPool::connect(&admin_url).await {
                    let _ = pool
                        .execute(sqlx::AssertSqlSafe(format!(
                            "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                        )))
                        .await;
                    pool.close().await;
                }
            });
        })
        .join();
    }
}

fn rand_u64() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    h.write_u32(std::process::id());
    h.finish()
}

impl Fixture {
    /// An empty place for a workspace; `None` for a server test without a server.
    pub async fn empty(kind: Kind) -> Option<Fixture> {
        match kind {
            Kind::File => {
                let dir = tempfile::tempdir().unwrap();
                let path = dir.path().join("test.evidentia");
                Some(Fixture::File { _dir: dir, path })
            }
            Kind::Server => PgDb::new().await.map(Fixture::Server),
        }
    }

    /// A fresh workspace; `None` for a server test without a server.
    pub async fn new(kind: Kind) -> Option<(Fixture, Workspace)> {
        let fixture = Fixture::empty(kind).await?;
        let ws = Workspace::create(fixture.location(), "test", T0, "tests")
            .await
            .unwrap();
        Some((fixture, ws))
    }

    pub fn location(&self) -> Location {
        match self {
            Fixture::File { path, .. } => Location::File(path.clone()),
            Fixture::Server(db) => db.location(),
        }
    }

    pub fn kind(&self) -> Kind {
        match self {
            Fixture::File { .. } => Kind::File,
            Fixture::Server(_) => Kind::Server,
        }
    }

    /// Runs one statement behind the store's back, triggers as they are (`?` placeholders on a
    /// file, `$n` on a server); the error text when it is refused.
    pub async fn exec(&self, sqlite: &str, pg: &str, args: &[Arg]) -> Result<(), String> {
        match self {
            Fixture::File { path, .. } => {
                let mut conn = raw_sqlite(path).await;
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sqlite));
                for a in args {
                    q = match a {
                        Arg::Int(i) => q.bind(*i),
                        Arg::Text(t) => q.bind(t.clone()),
                        Arg::Bytes(b) => q.bind(b.clone()),
                    };
                }
                let result = q
                    .execute(&mut conn)
                    .await
                    .map(|_| ())
                    .map_err(|e| e.to_string());
                conn.close().await.unwrap();
                result
            }
            Fixture::Server(db) => {
                let mut conn = db.raw().await;
                let mut q = sqlx::query(sqlx::AssertSqlSafe(pg));
                for a in args {
                    q = match a {
                        Arg::Int(i) => q.bind(*i),
                        Arg::Text(t) => q.bind(t.clone()),
                        Arg::Bytes(b) => q.bind(b.clone()),
                    };
                }
                let result = q
                    .execute(&mut conn)
                    .await
                    .map(|_| ())
                    .map_err(|e| e.to_string());
                conn.close().await.unwrap();
                result
            }
        }
    }

    /// Reads one BLOB/BYTEA value behind the store's back.
    pub async fn bytes(&self, sqlite: &str, pg: &str) -> Vec<u8> {
        match self {
            Fixture::File { path, .. } => {
                let mut conn = raw_sqlite(path).await;
                let v = sqlx::query_scalar(sqlx::AssertSqlSafe(sqlite))
                    .fetch_one(&mut conn)
                    .await
                    .unwrap();
                conn.close().await.unwrap();
                v
            }
            Fixture::Server(db) => {
                let mut conn = db.raw().await;
                let v = sqlx::query_scalar(sqlx::AssertSqlSafe(pg))
                    .fetch_one(&mut conn)
                    .await
                    .unwrap();
                conn.close().await.unwrap();
                v
            }
        }
    }

    /// Runs tampering SQL behind the store's back, with the append-only triggers (and on a
    /// server the `seq >= 1` check) out of the way first, as an attacker with the file or the
    /// database owner's login would: `sqlite` on a file, `pg` on a server.
    pub async fn tamper(&self, sqlite: &[&str], pg: &[&str]) {
        match self {
            Fixture::File { path, .. } => {
                let mut conn = raw_sqlite(path).await;
                crate::drop_triggers_if_present(&mut conn).await;
                for sql in sqlite {
                    conn.execute(sqlx::AssertSqlSafe(*sql)).await.unwrap();
                }
                conn.close().await.unwrap();
            }
            Fixture::Server(db) => {
                let mut conn = db.raw().await;
                for table in [
                    "ledger_entries",
                    "artifacts",
                    "artifact_chunks",
                    "checkpoints",
                    "workspace_meta",
                ] {
                    conn.execute(sqlx::AssertSqlSafe(format!(
                        "ALTER TABLE {table} DISABLE TRIGGER USER"
                    )))
                    .await
                    .unwrap();
                }
                conn.execute(
                    "ALTER TABLE ledger_entries DROP CONSTRAINT IF EXISTS ledger_entries_seq_check",
                )
                .await
                .unwrap();
                for sql in pg {
                    conn.execute(sqlx::AssertSqlSafe(*sql)).await.unwrap();
                }
                conn.close().await.unwrap();
            }
        }
    }
}

pub async fn raw_sqlite(path: &std::path::Path) -> SqliteConnection {
    let url = format!("sqlite://{}", path.display());
    SqliteConnection::connect(&url).await.unwrap()
}

/// Runs a test body once per backend: `both!(name)` makes `name::file` and `name::server`
/// from `async fn name(kind: Kind)`.
#[macro_export]
macro_rules! both {
    ($name:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn file() {
                super::$name($crate::fixture::Kind::File).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn server() {
                super::$name($crate::fixture::Kind::Server).await
            }
        }
    };
}
