//! A team workspace in a PostgreSQL database: opening and creating it (refusing anything that is
//! not ours before writing), and the small queries behind [`crate::Workspace`].
//!
//! The big reads (verification, scans) are in `scan`, appends in `write`, the binary COPY format
//! both use in `binary`, and the client's local projection cache in `projection`.

mod binary;
mod copy;
mod projection;
mod scan;
mod write;

use std::path::PathBuf;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use evidentia_ledger::{Chain, Entry, Hash};
use sqlx::postgres::{PgConnectOptions, PgConnection, PgPool, PgPoolOptions, PgRow};
use sqlx::sqlite::SqlitePool;
use sqlx::{ConnectOptions, Connection, Row};

use crate::append::{AppendBatch, WriteTx};
use crate::{
    Access, ArtifactInfo, Backend, Checkpoint, EntryRef, Head, Location, ServerUrl, StoreError,
    Workspace, from_i64, to_i64,
};

pub(crate) use copy::copy_to_server;
pub(crate) use write::PgWriteTx;

/// Embedded PostgreSQL migrations; the first is numbered 5 (the format a server workspace
/// starts at), so `max(version)` is the format on both backends.
pub(crate) static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// The server workspace format this build reads and writes: `max(version)` of
/// `_sqlx_migrations`. A server workspace started at 5 (a file's format then); 6 made the
/// in-sequence check read the statement's rows back instead of a transition table. A format-5
/// workspace is read and written as it is; it gains format 6 when a login that owns its
/// tables opens it for writing (a writer role could not replace the owner's triggers).
pub const SERVER_FORMAT_VERSION: u32 = 6;

/// How long connecting may take before the server counts as unreachable.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Set at the start of every write transaction, in one round trip:
/// - how long an appender waits for another client's append lock (SQLite's busy timeout):
///   120 s, unless the server, the role or the URL (`?options=-c%20lock_timeout%3D5s`) sets a
///   `lock_timeout` of its own; then `Busy`;
/// - lz4 rather than pglz for TOASTed values (the 1 MiB artifact chunks), where the server has
///   it: 0.2 s against 0.77 s of server time for a 108 MB CSV, and reads decompress faster.
///   Stored values say how they were compressed, so any client reads either.
const WRITE_SETTINGS: &str = "\
    SELECT set_config('lock_timeout', '120s', true) WHERE current_setting('lock_timeout') = '0'; \
    SELECT set_config('default_toast_compression', 'lz4', true) FROM pg_settings \
     WHERE name = 'default_toast_compression' AND 'lz4' = ANY (enumvals);";

/// The advisory lock every appender of a workspace takes, in PostgreSQL's two-`int4` key space
/// (disjoint from the one-`bigint` keys sqlx's migrator uses): `EVID` as an int4, lock 1.
pub(crate) const APPEND_LOCK: (i32, i32) = (0x4556_4944, 1);

/// Connections per client: one appender, a verification (its snapshot and up to four ranges
/// read side by side) and a read beside them.
const POOL_SIZE: u32 = 7;

/// An open server workspace. Cheap to clone: everything lives behind one `Arc`.
#[derive(Debug, Clone)]
pub(crate) struct Server {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    pool: PgPool,
    /// `session_user` as the server reported it at open.
    user: String,
    location: Location,
    workspace_id: String,
    projection: tokio::sync::OnceCell<(PathBuf, SqlitePool)>,
}

/// Turns a server error into the variant callers act on: a missing privilege is a read-only
/// workspace for this user, a lock wait that ran out is a busy workspace, a lost connection
/// is an unreachable server.
#[derive(Debug, Clone)]
pub(crate) struct ErrorContext {
    location: Location,
    user: String,
}

impl ErrorContext {
    pub(crate) fn map(&self, e: sqlx::Error) -> StoreError {
        if let sqlx::Error::Database(db) = &e {
            match db.code().as_deref() {
                Some("42501") => {
                    return StoreError::PermissionDenied {
                        location: self.location.clone(),
                        user: self.user.clone(),
                    };
                }
                Some("55P03") => return StoreError::Busy(self.location.clone()),
                // admin_shutdown, crash_shutdown, cannot_connect_now
                Some("57P01" | "57P02" | "57P03") => {
                    return StoreError::Unreachable {
                        location: self.location.clone(),
                        reason: db.message().to_owned(),
                    };
                }
                _ => {}
            }
        }
        match e {
            sqlx::Error::Io(io) => StoreError::Unreachable {
                location: self.location.clone(),
                reason: format!("the connection was lost ({io})"),
            },
            sqlx::Error::PoolTimedOut => StoreError::Unreachable {
                location: self.location.clone(),
                reason: format!("no connection within {} s", CONNECT_TIMEOUT.as_secs()),
            },
            other => StoreError::Database(other),
        }
    }
}

/// Whether the login may append, asked at a write's open and by [`Server::may_append`]: INSERT
/// on any column of the ledger, as the writer role of docs/team-workspaces.md is granted INSERT
/// on the hashed columns only (a table-wide check would call every writer read-only).
const MAY_APPEND: &str = "SELECT has_any_column_privilege('ledger_entries', 'INSERT')";

/// Whether the login owns the ledger (is, or is a member of, its owner role): only then may it
/// apply a newer migration, which replaces the owner's triggers.
const OWNS_LEDGER: &str = "SELECT pg_has_role(session_user, c.relowner, 'USAGE') \
     FROM pg_class c WHERE c.oid = 'ledger_entries'::regclass";

/// What a database holds, as far as telling a workspace from anything else goes.
enum Found {
    /// No tables at all in the current schema.
    Empty,
    /// An Evidentia workspace at this format, with this id.
    Workspace { format: u32, workspace_id: String },
}

/// Parses the URL and sets what every connection of ours uses.
fn connect_options(url: &ServerUrl, location: &Location) -> Result<PgConnectOptions, StoreError> {
    let options =
        PgConnectOptions::from_str(url.secret_url()).map_err(|e| StoreError::Unreachable {
            location: location.clone(),
            reason: format!("the URL is not a valid PostgreSQL URL ({e})"),
        })?;
    Ok(options
        .application_name("evidentia")
        .disable_statement_logging())
}

/// Connects once, mapping every way that can fail to one line.
async fn connect(
    options: &PgConnectOptions,
    location: &Location,
) -> Result<PgConnection, StoreError> {
    match tokio::time::timeout(CONNECT_TIMEOUT, PgConnection::connect_with(options)).await {
        Err(_) => Err(StoreError::Unreachable {
            location: location.clone(),
            reason: format!("no answer within {} s", CONNECT_TIMEOUT.as_secs()),
        }),
        Ok(Ok(conn)) => Ok(conn),
        Ok(Err(e)) => Err(connect_error(e, location)),
    }
}

fn connect_error(e: sqlx::Error, location: &Location) -> StoreError {
    let unreachable = |reason: String| StoreError::Unreachable {
        location: location.clone(),
        reason,
    };
    match e {
        sqlx::Error::Io(io) => unreachable(match io.kind() {
            std::io::ErrorKind::NotFound => {
                "no server socket there (is the server running?)".to_owned()
            }
            std::io::ErrorKind::ConnectionRefused => {
                "connection refused (is the server running?)".to_owned()
            }
            _ => io.to_string(),
        }),
        sqlx::Error::Tls(tls) => unreachable(format!("TLS failed ({tls})")),
        sqlx::Error::Database(db) => match db.code().as_deref() {
            // invalid_password, invalid_authorization_specification (unknown role, pg_hba)
            Some("28P01" | "28000") => StoreError::Unauthorized {
                location: location.clone(),
                reason: db.message().to_owned(),
            },
            Some("3D000") => StoreError::NotFound(location.clone()),
            Some("57P03" | "53300") => unreachable(db.message().to_owned()),
            _ => StoreError::Database(sqlx::Error::Database(db)),
        },
        other => unreachable(other.to_string()),
    }
}

/// Reads what the database holds without writing anything: its encoding, the login, and
/// whether the current schema is empty, an Evidentia workspace, or something else.
async fn inspect(
    conn: &mut PgConnection,
    location: &Location,
) -> Result<(String, Found), StoreError> {
    let not_ours = |why: String| StoreError::NotAWorkspace {
        path: location.clone(),
        why,
    };
    let encoding: String = sqlx::query_scalar("SHOW server_encoding")
        .fetch_one(&mut *conn)
        .await?;
    if encoding != "UTF8" {
        return Err(not_ours(format!(
            "its server encoding is {encoding}; Evidentia needs UTF8"
        )));
    }
    let row = sqlx::query("SELECT session_user::text, current_schema()::text")
        .fetch_one(&mut *conn)
        .await?;
    let user: String = row.get(0);
    let schema: Option<String> = row.get(1);
    if schema.is_none() {
        return Err(not_ours("no schema is on the login's search_path".into()));
    }
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT c.relname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'v', 'm', 'f') \
         ORDER BY 1",
    )
    .fetch_all(&mut *conn)
    .await?;
    if tables.is_empty() {
        return Ok((user, Found::Empty));
    }
    if !tables.iter().any(|t| t == "workspace_meta")
        || !tables.iter().any(|t| t == "_sqlx_migrations")
    {
        let shown: Vec<&str> = tables.iter().take(3).map(String::as_str).collect();
        return Err(not_ours(format!(
            "its schema holds other tables ({}{})",
            shown.join(", "),
            if tables.len() > 3 { ", …" } else { "" }
        )));
    }
    let workspace_id: Option<String> =
        sqlx::query_scalar("SELECT value FROM workspace_meta WHERE key = 'workspace_id'")
            .fetch_optional(&mut *conn)
            .await
            .map_err(|_| not_ours("its workspace_meta table is not Evidentia's".into()))?;
    let Some(workspace_id) = workspace_id else {
        return Err(not_ours("it has no workspace id".into()));
    };
    let format: Option<i64> =
        sqlx::query_scalar("SELECT max(version) FROM _sqlx_migrations WHERE success")
            .fetch_one(&mut *conn)
            .await
            .map_err(|_| not_ours("its migration table is not Evidentia's".into()))?;
    let format = u32::try_from(format.unwrap_or(0)).unwrap_or(u32::MAX);
    Ok((
        user,
        Found::Workspace {
            format,
            workspace_id,
        },
    ))
}

/// Opens a server workspace: connect, identify, check the format and (for writing) the
/// login's privilege, all before anything is written.
pub(crate) async fn open(
    url: &ServerUrl,
    location: &Location,
    access: Access,
) -> Result<Workspace, StoreError> {
    let options = connect_options(url, location)?;
    let mut conn = connect(&options, location).await?;
    let result = open_checked(&mut conn, location, access).await;
    let _ = conn.close().await;
    let (user, workspace_id) = result?;
    let pool = PgPoolOptions::new()
        .max_connections(POOL_SIZE)
        .min_connections(0)
        .acquire_timeout(CONNECT_TIMEOUT)
        .connect_lazy_with(options);
    let server = Server {
        inner: Arc::new(Inner {
            pool,
            user,
            location: location.clone(),
            workspace_id,
            projection: tokio::sync::OnceCell::new(),
        }),
    };
    Ok(Workspace::new(
        Backend::Postgres(server),
        location.clone(),
        access,
    ))
}

async fn open_checked(
    conn: &mut PgConnection,
    location: &Location,
    access: Access,
) -> Result<(String, String), StoreError> {
    let (user, found) = inspect(conn, location).await?;
    let errors = ErrorContext {
        location: location.clone(),
        user: user.clone(),
    };
    let (format, workspace_id) = match found {
        Found::Empty => return Err(StoreError::NotFound(location.clone())),
        Found::Workspace {
            format,
            workspace_id,
        } => (format, workspace_id),
    };
    // Checked before the migrator could run: it would refuse a newer database with a
    // "version missing" error instead of saying what happened.
    if format > SERVER_FORMAT_VERSION {
        return Err(StoreError::NewerFormat {
            path: location.clone(),
            found: format,
            supported: SERVER_FORMAT_VERSION,
        });
    }
    if access == Access::ReadWrite {
        let may_insert: bool = sqlx::query_scalar(MAY_APPEND)
            .fetch_one(&mut *conn)
            .await
            .map_err(|e| errors.map(e))?;
        if !may_insert {
            return Err(StoreError::PermissionDenied {
                location: location.clone(),
                user,
            });
        }
        let owner: bool = sqlx::query_scalar(OWNS_LEDGER)
            .fetch_one(&mut *conn)
            .await
            .map_err(|e| errors.map(e))?;
        if format < SERVER_FORMAT_VERSION && owner {
            // An older workspace gains the newer migrations (never edited, only added).
            // `run_direct`: `run` over a borrowed connection makes a future that is not `Send`.
            MIGRATOR.run_direct(None, &mut *conn, false).await?;
        }
    }
    Ok((user, workspace_id))
}

/// Creates a workspace in an empty database (creating the database first when it does not
/// exist and the login may): the migrations and the metadata in one transaction, so a failure
/// leaves the database as it was.
pub(crate) async fn create(
    url: &ServerUrl,
    location: &Location,
    workspace_id: &str,
    created_at: &str,
    created_by: &str,
) -> Result<Workspace, StoreError> {
    let mut conn = connect_to_create(url, location).await?;
    let result = async {
        let (tx, errors) =
            begin_build(&mut conn, location, workspace_id, created_at, created_by).await?;
        tx.commit().await.map_err(|e| errors.map(e))
    }
    .await;
    let _ = conn.close().await;
    result?;
    open(url, location, Access::ReadWrite).await
}

/// Connects for creating a workspace, creating the database first when it does not exist.
pub(crate) async fn connect_to_create(
    url: &ServerUrl,
    location: &Location,
) -> Result<PgConnection, StoreError> {
    let options = connect_options(url, location)?;
    match connect(&options, location).await {
        Err(StoreError::NotFound(_)) => {
            create_database(&options, location).await?;
            connect(&options, location).await
        }
        other => other,
    }
}

/// Refuses anything but an empty schema, then begins the transaction that creates the
/// workspace: the migrations and the metadata, written last. The caller may add more (a
/// copy's rows) before committing; nothing is visible until it does.
pub(crate) async fn begin_build<'c>(
    conn: &'c mut PgConnection,
    location: &Location,
    workspace_id: &str,
    created_at: &str,
    created_by: &str,
) -> Result<(sqlx::Transaction<'c, sqlx::Postgres>, ErrorContext), StoreError> {
    let (user, found) = match inspect(conn, location).await {
        Ok(found) => found,
        // Anything already there, ours or not, is not overwritten; another program's tables
        // are named, so the user knows to pick an empty database rather than "open it".
        Err(StoreError::NotAWorkspace { path, why }) => {
            return Err(StoreError::NotAWorkspace {
                path,
                why: format!("{why}; a new workspace needs an empty database"),
            });
        }
        Err(e) => return Err(e),
    };
    if !matches!(found, Found::Empty) {
        return Err(StoreError::AlreadyExists(location.clone()));
    }
    let errors = ErrorContext {
        location: location.clone(),
        user,
    };
    let mut tx = conn.begin().await.map_err(|e| errors.map(e))?;
    MIGRATOR
        .run_direct(None, &mut *tx, false)
        .await
        .map_err(|e| match e {
            sqlx::migrate::MigrateError::Execute(e) => errors.map(e),
            other => StoreError::Migrate(other),
        })?;
    for (key, value) in [
        ("workspace_id", workspace_id),
        ("created_at", created_at),
        ("created_by", created_by),
        ("format_version", &SERVER_FORMAT_VERSION.to_string()),
    ] {
        sqlx::query("INSERT INTO workspace_meta (key, value) VALUES ($1, $2)")
            .bind(key)
            .bind(value)
            .execute(&mut *tx)
            .await
            .map_err(|e| errors.map(e))?;
    }
    Ok((tx, errors))
}

/// `CREATE DATABASE` through the server's maintenance database, for `evidentia init` on a
/// database that does not exist yet.
async fn create_database(
    options: &PgConnectOptions,
    location: &Location,
) -> Result<(), StoreError> {
    let name = options.get_database().unwrap_or_default().to_owned();
    let maintenance = options.clone().database("postgres");
    let mut conn = connect(&maintenance, location).await.map_err(|e| match e {
        StoreError::NotFound(_) => StoreError::Unreachable {
            location: location.clone(),
            reason: format!("database \"{name}\" does not exist; create it first"),
        },
        other => other,
    })?;
    let sql = format!("CREATE DATABASE {}", quote_ident(&name));
    let result = sqlx::query(sqlx::AssertSqlSafe(sql))
        .execute(&mut conn)
        .await;
    let _ = conn.close().await;
    match result {
        Ok(_) => Ok(()),
        // Someone else created it meanwhile: fine, it is checked for emptiness next.
        Err(sqlx::Error::Database(db)) if db.code().as_deref() == Some("42P04") => Ok(()),
        Err(sqlx::Error::Database(db)) if db.code().as_deref() == Some("42501") => {
            Err(StoreError::Unauthorized {
                location: location.clone(),
                reason: format!(
                    "database \"{name}\" does not exist and this login may not create it \
                     (ask an administrator: CREATE DATABASE {})",
                    quote_ident(&name)
                ),
            })
        }
        Err(e) => Err(StoreError::Database(e)),
    }
}

/// An SQL identifier in double quotes, for the one statement that cannot take a parameter.
fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// A string literal for statements that cannot take parameters (`COPY (SELECT …)`): the `E''`
/// form with backslashes and quotes doubled means the same whatever
/// `standard_conforming_strings` says.
pub(crate) fn quote_literal(text: &str) -> Result<String, StoreError> {
    if text.contains('\0') {
        return Err(StoreError::Corrupt(
            "text with a NUL byte cannot be queried".into(),
        ));
    }
    Ok(format!(
        "E'{}'",
        text.replace('\\', "\\\\").replace('\'', "''")
    ))
}

fn hash_of(bytes: &[u8], what: impl FnOnce() -> String) -> Result<Hash, StoreError> {
    Hash::from_slice(bytes)
        .ok_or_else(|| StoreError::Corrupt(format!("{} is not 32 bytes", what())))
}

impl Server {
    pub(crate) fn user(&self) -> &str {
        &self.inner.user
    }

    pub(crate) fn pool(&self) -> &PgPool {
        &self.inner.pool
    }

    pub(crate) fn errors(&self) -> ErrorContext {
        ErrorContext {
            location: self.inner.location.clone(),
            user: self.inner.user.clone(),
        }
    }

    fn map(&self, e: sqlx::Error) -> StoreError {
        self.errors().map(e)
    }

    pub(crate) async fn close(self) {
        self.inner.pool.close().await;
        if let Some((_, pool)) = self.inner.projection.get() {
            pool.close().await;
        }
    }

    /// Whether the login may append now (the privilege is read afresh: an administrator may
    /// have granted or revoked the writer role since the workspace was opened).
    pub(crate) async fn may_append(&self) -> Result<bool, StoreError> {
        sqlx::query_scalar(MAY_APPEND)
            .fetch_one(self.pool())
            .await
            .map_err(|e| self.map(e))
    }

    pub(crate) async fn meta(&self, key: &str) -> Result<Option<String>, StoreError> {
        sqlx::query_scalar("SELECT value FROM workspace_meta WHERE key = $1")
            .bind(key)
            .fetch_optional(self.pool())
            .await
            .map_err(|e| self.map(e))
    }

    pub(crate) async fn artifacts(&self) -> Result<Vec<ArtifactInfo>, StoreError> {
        let rows = sqlx::query("SELECT sha256, size FROM artifacts ORDER BY sha256")
            .fetch_all(self.pool())
            .await
            .map_err(|e| self.map(e))?;
        rows.into_iter()
            .map(|r| {
                let sha: Vec<u8> = r.get(0);
                let size: i64 = r.get(1);
                Ok(ArtifactInfo {
                    sha256: hash_of(&sha, || "an artifact hash".into())?,
                    size: u64::try_from(size).unwrap_or(0),
                })
            })
            .collect()
    }

    pub(crate) async fn has_artifact(&self, sha256: &Hash) -> Result<bool, StoreError> {
        let row = sqlx::query("SELECT 1 FROM artifacts WHERE sha256 = $1")
            .bind(sha256.0.as_slice())
            .fetch_optional(self.pool())
            .await
            .map_err(|e| self.map(e))?;
        Ok(row.is_some())
    }

    pub(crate) async fn artifact_chunk(
        &self,
        sha256: &Hash,
        idx: u64,
    ) -> Result<Option<Vec<u8>>, StoreError> {
        sqlx::query_scalar("SELECT data FROM artifact_chunks WHERE sha256 = $1 AND idx = $2")
            .bind(sha256.0.as_slice())
            .bind(to_i64(idx)?)
            .fetch_optional(self.pool())
            .await
            .map_err(|e| self.map(e))
    }

    pub(crate) async fn head(&self) -> Result<Head, StoreError> {
        let row =
            sqlx::query("SELECT seq, entry_hash FROM ledger_entries ORDER BY seq DESC LIMIT 1")
                .fetch_optional(self.pool())
                .await
                .map_err(|e| self.map(e))?;
        head_of(row)
    }

    /// A READ COMMITTED transaction holding the append lock (waiting at most
    /// `lock_timeout` for it): what every write of the ledger or checkpoints runs in.
    async fn locked(&self) -> Result<sqlx::Transaction<'static, sqlx::Postgres>, StoreError> {
        let mut tx = self
            .pool()
            .begin_with("BEGIN ISOLATION LEVEL READ COMMITTED")
            .await
            .map_err(|e| self.map(e))?;
        sqlx::raw_sql(WRITE_SETTINGS)
            .execute(&mut *tx)
            .await
            .map_err(|e| self.map(e))?;
        sqlx::query("SELECT pg_advisory_xact_lock($1, $2)")
            .bind(APPEND_LOCK.0)
            .bind(APPEND_LOCK.1)
            .execute(&mut *tx)
            .await
            .map_err(|e| self.map(e))?;
        Ok(tx)
    }

    /// Starts an append: READ COMMITTED (so the head read after the lock sees the previous
    /// holder's commit; docs/team-workspace-design.md §2.3), the append lock with a bounded
    /// wait, then the head.
    pub(crate) async fn begin(&self) -> Result<AppendBatch, StoreError> {
        let mut tx = self.locked().await?;
        let row =
            sqlx::query("SELECT seq, entry_hash FROM ledger_entries ORDER BY seq DESC LIMIT 1")
                .fetch_optional(&mut *tx)
                .await
                .map_err(|e| self.map(e))?;
        let head = head_of(row)?;
        let chain = if head.count == 0 {
            Chain::new()
        } else {
            Chain::resume(head.count, head.hash)
        };
        Ok(AppendBatch::start(
            WriteTx::Postgres(PgWriteTx::new(tx, self.errors())),
            chain,
        ))
    }

    pub(crate) async fn entries(&self, from: u64, limit: u64) -> Result<Vec<Entry>, StoreError> {
        let rows = sqlx::query(
            "SELECT seq, kind, recorded_at, payload, payload_hash, prev_hash, entry_hash \
             FROM ledger_entries WHERE seq >= $1 ORDER BY seq LIMIT $2",
        )
        .bind(to_i64(from)?)
        .bind(to_i64(limit)?)
        .fetch_all(self.pool())
        .await
        .map_err(|e| self.map(e))?;
        rows.iter()
            .map(crate::verify::entry_from_row)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|f| StoreError::Corrupt(f.to_string()))
    }

    /// Records a verified checkpoint under the append lock (ids are `max + 1`, dense as in
    /// SQLite) and returns its id.
    pub(crate) async fn insert_checkpoint(
        &self,
        checkpoint: &Checkpoint,
    ) -> Result<u64, StoreError> {
        let mut tx = self.locked().await?;
        let id = insert_checkpoint_in(&mut tx, checkpoint, None)
            .await
            .map_err(|e| self.map(e))?;
        tx.commit().await.map_err(|e| self.map(e))?;
        Ok(id)
    }

    pub(crate) async fn checkpoints(&self) -> Result<Vec<Checkpoint>, StoreError> {
        let mut conn = self.pool().acquire().await.map_err(|e| self.map(e))?;
        checkpoints_on(&mut conn).await.map_err(|e| match e {
            StoreError::Database(e) => self.map(e),
            other => other,
        })
    }

    pub(crate) async fn entry_refs(&self, seqs: &[u64]) -> Result<Vec<EntryRef>, StoreError> {
        let mut sorted: Vec<i64> = seqs.iter().map(|s| to_i64(*s)).collect::<Result<_, _>>()?;
        sorted.sort_unstable();
        sorted.dedup();
        let rows = sqlx::query(
            "SELECT seq, kind, recorded_at, entry_hash FROM ledger_entries \
             WHERE seq = ANY($1) ORDER BY seq",
        )
        .bind(&sorted)
        .fetch_all(self.pool())
        .await
        .map_err(|e| self.map(e))?;
        rows.into_iter()
            .map(|r| {
                let seq: i64 = r.get(0);
                let hash: Vec<u8> = r.get(3);
                Ok(EntryRef {
                    seq: from_i64(seq)?,
                    kind: r.get(1),
                    recorded_at: r.get(2),
                    entry_hash: hash_of(&hash, || format!("entry {seq}: its hash"))?,
                })
            })
            .collect()
    }

    pub(crate) fn workspace_id(&self) -> &str {
        &self.inner.workspace_id
    }
}

/// Inserts one checkpoint in a transaction that holds the append lock: with its given id (a
/// copy keeps ids) or the next one. Returns its id.
pub(crate) async fn insert_checkpoint_in(
    conn: &mut PgConnection,
    checkpoint: &Checkpoint,
    id: Option<u64>,
) -> Result<u64, sqlx::Error> {
    let id: i64 = match id {
        Some(id) => i64::try_from(id).unwrap_or(i64::MAX),
        None => {
            sqlx::query_scalar("SELECT COALESCE(max(id), 0) + 1 FROM checkpoints")
                .fetch_one(&mut *conn)
                .await?
        }
    };
    sqlx::query(
        "INSERT INTO checkpoints (id, entry_count, head_hash, created_at, created_by, tree_root, note) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(id)
    .bind(i64::try_from(checkpoint.entry_count).unwrap_or(i64::MAX))
    .bind(checkpoint.head_hash.0.as_slice())
    .bind(&checkpoint.created_at)
    .bind(checkpoint.created_by.as_deref())
    .bind(checkpoint.tree_root.as_ref().map(|r| r.0.to_vec()))
    .bind(
        checkpoint
            .tree_root
            .as_ref()
            .map(|_| checkpoint.note.clone().unwrap_or_default()),
    )
    .execute(&mut *conn)
    .await?;
    Ok(u64::try_from(id).unwrap_or(0))
}

/// All checkpoints, oldest first, as `conn` sees them.
pub(crate) async fn checkpoints_on(conn: &mut PgConnection) -> Result<Vec<Checkpoint>, StoreError> {
    let rows = sqlx::query(
        "SELECT id, entry_count, head_hash, created_at, tree_root, note, created_by \
         FROM checkpoints ORDER BY id",
    )
    .fetch_all(&mut *conn)
    .await?;
    rows.into_iter()
        .map(|r| {
            let hash: Vec<u8> = r.get(2);
            let root: Option<Vec<u8>> = r.get(4);
            let note: Option<String> = r.get(5);
            Ok(Checkpoint {
                id: from_i64(r.get(0))?,
                entry_count: from_i64(r.get(1))?,
                head_hash: hash_of(&hash, || "a checkpoint hash".into())?,
                created_at: r.get(3),
                created_by: r.get(6),
                tree_root: root.as_deref().and_then(Hash::from_slice),
                note: note.filter(|n| !n.is_empty()),
            })
        })
        .collect()
}

fn head_of(row: Option<PgRow>) -> Result<Head, StoreError> {
    let last = row.map(|r| (r.get::<i64, _>(0), r.get::<Vec<u8>, _>(1)));
    crate::head_from(last.as_ref().map(|(seq, hash)| (*seq, hash.as_slice())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_are_quoted_whatever_the_server_setting() {
        assert_eq!(quote_literal("note").unwrap(), "E'note'");
        assert_eq!(quote_literal("it's").unwrap(), "E'it''s'");
        assert_eq!(quote_literal(r"a\'b").unwrap(), r"E'a\\''b'");
        assert!(quote_literal("a\0b").is_err());
        assert_eq!(quote_ident("we\"ird"), "\"we\"\"ird\"");
    }
}
