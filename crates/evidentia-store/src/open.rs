//! Creating and opening workspace files, refusing anything that is not ours before touching it.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use sqlx::ConnectOptions;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

use crate::{Location, StoreError, Workspace};

/// `PRAGMA application_id` of every Evidentia workspace: ASCII `EVID`.
pub const APPLICATION_ID: u32 = 0x4556_4944;

/// The workspace format this build reads and writes (`PRAGMA user_version`).
/// Format 2 added the event-chain projection (a rebuildable cache, not evidence); format 3
/// the checkpoints' tree roots and signed notes, and the in-sequence insert trigger; format 4
/// the projection's compact links (its older rows are dropped, the next analysis rewrites them);
/// format 5 the checkpoints' `created_by`. On PostgreSQL the format is `max(version)` of
/// `_sqlx_migrations`, and a server workspace starts at format 5.
pub const FORMAT_VERSION: u32 = 5;

/// How long a writer waits for another process's write transaction before giving up.
/// Imports can hold the write lock for a while; users should see waiting, not an error.
const BUSY_TIMEOUT: Duration = Duration::from_secs(120);

pub(crate) static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Whether a workspace is opened for appending or only for reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    ReadOnly,
    ReadWrite,
}

impl Workspace {
    /// Creates a new, empty workspace. Refuses to overwrite anything.
    pub async fn create(
        location: impl Into<Location>,
        workspace_id: &str,
        created_at: &str,
        created_by: &str,
    ) -> Result<Workspace, StoreError> {
        let location = location.into();
        let path = match &location {
            Location::File(path) => path.as_path(),
            Location::Server(url) => {
                return crate::postgres::create(
                    url,
                    &location,
                    workspace_id,
                    created_at,
                    created_by,
                )
                .await;
            }
        };
        if path.exists() {
            return Err(StoreError::AlreadyExists(location.clone()));
        }
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            if !dir.is_dir() {
                return Err(StoreError::Io {
                    path: dir.to_owned(),
                    source: std::io::Error::new(std::io::ErrorKind::NotFound, "no such directory"),
                });
            }
        }
        // Build the file under a temporary name and rename it into place, so a crash during
        // creation never leaves a half-made workspace at the user's path.
        let staging = staging_path(path);
        let result = build(&staging, workspace_id, created_at, created_by).await;
        if let Err(e) = result {
            remove_with_sidecars(&staging);
            return Err(e);
        }
        std::fs::rename(&staging, path).map_err(|source| {
            remove_with_sidecars(&staging);
            StoreError::Io {
                path: path.to_owned(),
                source,
            }
        })?;
        Workspace::open(path, Access::ReadWrite).await
    }

    /// Opens an existing workspace. Checks the file header first, so a missing file, a file
    /// that is not ours or one from a newer Evidentia is refused without writing anything.
    pub async fn open(
        location: impl Into<Location>,
        access: Access,
    ) -> Result<Workspace, StoreError> {
        let location = location.into();
        let path = match &location {
            Location::File(path) => path.as_path(),
            Location::Server(url) => return crate::postgres::open(url, &location, access).await,
        };
        let version = check_header(path)?;
        if access == Access::ReadWrite && is_read_only(path) {
            return Err(StoreError::ReadOnly(location.clone()));
        }
        let options = connect_options(path)
            .create_if_missing(false)
            .read_only(access == Access::ReadOnly);
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await?;
        if access == Access::ReadWrite && version < FORMAT_VERSION {
            // An older workspace gains the newer migrations (never edited, only added), then
            // says so in its header.
            MIGRATOR.run(&pool).await?;
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "PRAGMA user_version = {FORMAT_VERSION}"
            )))
            .execute(&pool)
            .await?;
        }
        Ok(Workspace::new(
            crate::Backend::Sqlite {
                pool,
                path: path.to_owned(),
            },
            location,
            access,
        ))
    }

    pub(crate) fn new(backend: crate::Backend, location: Location, access: Access) -> Workspace {
        Workspace {
            backend,
            location,
            access,
        }
    }

    pub(crate) fn require_write(&self) -> Result<(), StoreError> {
        match self.access {
            Access::ReadWrite => Ok(()),
            Access::ReadOnly => Err(StoreError::ReadOnly(self.location.clone())),
        }
    }
}

fn connect_options(path: &Path) -> SqliteConnectOptions {
    SqliteConnectOptions::new()
        .filename(path)
        .journal_mode(SqliteJournalMode::Wal)
        // FULL: a committed import survives power loss, not only a crash of the process.
        .synchronous(SqliteSynchronous::Full)
        .busy_timeout(BUSY_TIMEOUT)
        .foreign_keys(true)
        .disable_statement_logging()
}

async fn build(
    path: &Path,
    workspace_id: &str,
    created_at: &str,
    created_by: &str,
) -> Result<(), StoreError> {
    // Identify the file before switching to WAL, so the header on disk carries the
    // application id and format version from the first moment.
    let options = SqliteConnectOptions::from_str("sqlite:")
        .map_err(StoreError::Database)?
        .filename(path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Delete)
        .synchronous(SqliteSynchronous::Full)
        .pragma("application_id", APPLICATION_ID.to_string())
        .disable_statement_logging();
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(options)
        .await?;
    MIGRATOR.run(&pool).await?;
    let mut tx = pool.begin().await?;
    for (key, value) in [
        ("workspace_id", workspace_id),
        ("created_at", created_at),
        ("created_by", created_by),
        ("format_version", &FORMAT_VERSION.to_string()),
    ] {
        sqlx::query("INSERT INTO workspace_meta (key, value) VALUES (?, ?)")
            .bind(key)
            .bind(value)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "PRAGMA user_version = {FORMAT_VERSION}"
    )))
    .execute(&pool)
    .await?;
    sqlx::query("PRAGMA journal_mode = WAL")
        .execute(&pool)
        .await?;
    pool.close().await;
    Ok(())
}

/// Reads the 100-byte SQLite header: magic string, `user_version` (offset 60) and
/// `application_id` (offset 68), both big-endian.
fn check_header(path: &Path) -> Result<u32, StoreError> {
    let not_ours = |why: &str| StoreError::NotAWorkspace {
        path: Location::from(path),
        why: why.to_owned(),
    };
    let mut file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(StoreError::NotFound(Location::from(path)));
        }
        Err(source) => {
            return Err(StoreError::Io {
                path: path.to_owned(),
                source,
            });
        }
    };
    if file.metadata().map(|m| m.is_dir()).unwrap_or(false) {
        return Err(not_ours("it is a directory"));
    }
    let mut header = [0u8; 100];
    let mut read = 0;
    while read < header.len() {
        match file.read(&mut header[read..]) {
            Ok(0) => break,
            Ok(n) => read += n,
            Err(source) => {
                return Err(StoreError::Io {
                    path: path.to_owned(),
                    source,
                });
            }
        }
    }
    if read < header.len() || &header[..16] != b"SQLite format 3\0" {
        return Err(not_ours("not an SQLite database"));
    }
    let word = |at: usize| {
        u32::from_be_bytes([header[at], header[at + 1], header[at + 2], header[at + 3]])
    };
    if word(68) != APPLICATION_ID {
        return Err(not_ours("an SQLite database made by another program"));
    }
    let version = word(60);
    if version > FORMAT_VERSION {
        return Err(StoreError::NewerFormat {
            path: Location::from(path),
            found: version,
            supported: FORMAT_VERSION,
        });
    }
    Ok(version)
}

/// A file is read-only if its permission bits say so (which root would otherwise ignore) or
/// if it cannot be opened for writing.
pub(crate) fn is_read_only(path: &Path) -> bool {
    let marked = std::fs::metadata(path)
        .map(|m| m.permissions().readonly())
        .unwrap_or(true);
    marked || std::fs::OpenOptions::new().write(true).open(path).is_err()
}

fn staging_path(path: &Path) -> PathBuf {
    let mut name = path
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_default();
    name.push(format!(".creating-{}", std::process::id()));
    path.with_file_name(name)
}

pub(crate) fn remove_with_sidecars(path: &Path) {
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let mut name = path.as_os_str().to_os_string();
        name.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(name));
    }
}
