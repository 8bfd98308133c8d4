//! The workspace file: one SQLite database holding the ledger, its artifacts and checkpoints.
//!
//! All SQL in Evidentia lives in this crate. Everything above it speaks in ledger entries,
//! artifacts and checkpoints through [`EvidenceStore`], so that another backend (PostgreSQL,
//! which sqlx also supports, for teams who outgrow a laptop) can be added beside
//! [`Workspace`] without touching the domain, the importers or the checks.

mod append;
mod error;
mod event_chains;
mod open;
mod verify;

use std::future::Future;
use std::path::{Path, PathBuf};

use evidentia_ledger::{Entry, Hash};
use sqlx::Row;
use sqlx::sqlite::SqlitePool;

pub use append::{ARTIFACT_CHUNK_SIZE, ARTIFACT_ENTRY_KIND, AppendBatch, ArtifactWriter};
pub use error::StoreError;
pub use event_chains::{
    COUNT_CAP, EntryRef, EventChainFilter, EventChainRow, EventChainSummary, EventChainWriter,
    EventCount, ProjectionRun,
};
pub use open::{APPLICATION_ID, Access, FORMAT_VERSION};
pub use verify::{VerifyProgress, VerifyReport};

/// The head of the ledger: how many entries, and the last one's hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Head {
    pub count: u64,
    pub hash: Hash,
}

/// A recorded head at a moment, which reports and packs cite.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    pub id: u64,
    pub entry_count: u64,
    pub head_hash: Hash,
    pub created_at: String,
}

/// Metadata of one stored artifact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArtifactInfo {
    pub sha256: Hash,
    pub size: u64,
}

/// The operations every evidence backend provides. Appends go through a batch that is
/// committed as one transaction or not at all.
pub trait EvidenceStore {
    /// The batch type that groups appends into one transaction.
    type Batch: Send;

    /// The current head.
    fn head(&self) -> impl Future<Output = Result<Head, StoreError>> + Send;
    /// Starts an all-or-nothing batch of appends (takes the write lock).
    fn begin(&self) -> impl Future<Output = Result<Self::Batch, StoreError>> + Send;
    /// Entries with `seq` in `from..from + limit`, in order.
    fn entries(
        &self,
        from: u64,
        limit: u64,
    ) -> impl Future<Output = Result<Vec<Entry>, StoreError>> + Send;
    /// Records the current head as a checkpoint.
    fn add_checkpoint(
        &self,
        created_at: &str,
    ) -> impl Future<Output = Result<Checkpoint, StoreError>> + Send;
    /// All checkpoints, oldest first.
    fn checkpoints(&self) -> impl Future<Output = Result<Vec<Checkpoint>, StoreError>> + Send;
}

/// A workspace file opened for reading, or for reading and appending.
#[derive(Debug, Clone)]
pub struct Workspace {
    pool: SqlitePool,
    path: PathBuf,
    access: Access,
}

impl Workspace {
    /// The file this workspace lives in.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// How the workspace was opened.
    pub fn access(&self) -> Access {
        self.access
    }

    /// The workspace's id, written once at creation.
    pub async fn workspace_id(&self) -> Result<String, StoreError> {
        self.meta("workspace_id")
            .await
            .map(|v| v.unwrap_or_default())
    }

    /// A write-once metadata value.
    pub async fn meta(&self, key: &str) -> Result<Option<String>, StoreError> {
        let row = sqlx::query("SELECT value FROM workspace_meta WHERE key = ?")
            .bind(key)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|r| r.get::<String, _>(0)))
    }

    /// Closes the pool, so SQLite folds the write-ahead log back into the one file.
    pub async fn close(self) {
        self.pool.close().await;
    }

    /// The stored artifacts, by content address.
    pub async fn artifacts(&self) -> Result<Vec<ArtifactInfo>, StoreError> {
        let rows = sqlx::query("SELECT sha256, size FROM artifacts ORDER BY sha256")
            .fetch_all(&self.pool)
            .await?;
        rows.into_iter()
            .map(|r| {
                let sha: Vec<u8> = r.get(0);
                let size: i64 = r.get(1);
                Ok(ArtifactInfo {
                    sha256: Hash::from_slice(&sha).ok_or_else(|| {
                        StoreError::Corrupt("artifact hash is not 32 bytes".into())
                    })?,
                    size: u64::try_from(size).unwrap_or(0),
                })
            })
            .collect()
    }

    /// Whether an artifact with this content address is stored.
    pub async fn has_artifact(&self, sha256: &Hash) -> Result<bool, StoreError> {
        let row = sqlx::query("SELECT 1 FROM artifacts WHERE sha256 = ?")
            .bind(sha256.0.as_slice())
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.is_some())
    }

    /// Reads one chunk of an artifact (0-based), or `None` past its end.
    pub async fn artifact_chunk(
        &self,
        sha256: &Hash,
        idx: u64,
    ) -> Result<Option<Vec<u8>>, StoreError> {
        let row = sqlx::query("SELECT data FROM artifact_chunks WHERE sha256 = ? AND idx = ?")
            .bind(sha256.0.as_slice())
            .bind(to_i64(idx)?)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|r| r.get::<Vec<u8>, _>(0)))
    }

    /// The connection pool, for crates that keep derived, rebuildable tables beside the ledger.
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }
}

impl EvidenceStore for Workspace {
    type Batch = AppendBatch;

    async fn head(&self) -> Result<Head, StoreError> {
        let row =
            sqlx::query("SELECT seq, entry_hash FROM ledger_entries ORDER BY seq DESC LIMIT 1")
                .fetch_optional(&self.pool)
                .await?;
        match row {
            None => Ok(Head {
                count: 0,
                hash: Hash::ZERO,
            }),
            Some(r) => {
                let seq: i64 = r.get(0);
                let hash: Vec<u8> = r.get(1);
                Ok(Head {
                    count: from_i64(seq)?,
                    hash: Hash::from_slice(&hash).ok_or_else(|| {
                        StoreError::Corrupt(format!("entry {seq}: hash is not 32 bytes"))
                    })?,
                })
            }
        }
    }

    async fn begin(&self) -> Result<AppendBatch, StoreError> {
        self.require_write()?;
        AppendBatch::begin(&self.pool).await
    }

    async fn entries(&self, from: u64, limit: u64) -> Result<Vec<Entry>, StoreError> {
        let rows = sqlx::query(
            "SELECT seq, kind, recorded_at, payload, payload_hash, prev_hash, entry_hash \
             FROM ledger_entries WHERE seq >= ? ORDER BY seq LIMIT ?",
        )
        .bind(to_i64(from)?)
        .bind(to_i64(limit)?)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(verify::entry_from_row)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|f| StoreError::Corrupt(f.to_string()))
    }

    async fn add_checkpoint(&self, created_at: &str) -> Result<Checkpoint, StoreError> {
        self.require_write()?;
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let row =
            sqlx::query("SELECT seq, entry_hash FROM ledger_entries ORDER BY seq DESC LIMIT 1")
                .fetch_optional(&mut *tx)
                .await?;
        let (count, hash) = match row {
            None => (0i64, Hash::ZERO.0.to_vec()),
            Some(r) => (r.get::<i64, _>(0), r.get::<Vec<u8>, _>(1)),
        };
        let id = sqlx::query(
            "INSERT INTO checkpoints (entry_count, head_hash, created_at) VALUES (?, ?, ?)",
        )
        .bind(count)
        .bind(&hash)
        .bind(created_at)
        .execute(&mut *tx)
        .await?
        .last_insert_rowid();
        tx.commit().await?;
        Ok(Checkpoint {
            id: from_i64(id)?,
            entry_count: from_i64(count)?,
            head_hash: Hash::from_slice(&hash)
                .ok_or_else(|| StoreError::Corrupt("head hash is not 32 bytes".into()))?,
            created_at: created_at.to_owned(),
        })
    }

    async fn checkpoints(&self) -> Result<Vec<Checkpoint>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, entry_count, head_hash, created_at FROM checkpoints ORDER BY id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|r| {
                let hash: Vec<u8> = r.get(2);
                Ok(Checkpoint {
                    id: from_i64(r.get(0))?,
                    entry_count: from_i64(r.get(1))?,
                    head_hash: Hash::from_slice(&hash).ok_or_else(|| {
                        StoreError::Corrupt("checkpoint hash is not 32 bytes".into())
                    })?,
                    created_at: r.get(3),
                })
            })
            .collect()
    }
}

/// SQLite integers are signed; sequence numbers and sizes never get near the sign bit, so
/// crossing over is checked rather than cast.
pub(crate) fn to_i64(value: u64) -> Result<i64, StoreError> {
    i64::try_from(value).map_err(|_| StoreError::Corrupt(format!("{value} is out of range")))
}

pub(crate) fn from_i64(value: i64) -> Result<u64, StoreError> {
    u64::try_from(value).map_err(|_| StoreError::Corrupt(format!("negative value {value}")))
}

/// One entry's position, kind and payload, as [`Workspace::scan_kinds`] hands them over.
#[derive(Debug, Clone, Copy)]
pub struct ScannedEntry<'a> {
    pub seq: u64,
    pub kind: &'a str,
    pub payload: &'a [u8],
}

impl Workspace {
    /// Folds `visit` over every entry whose kind is one of `kinds`, in sequence order, within
    /// one read snapshot, and returns the final state. Runs on a blocking thread through
    /// rusqlite: reading a million payloads through sqlx's row channel costs seconds (see
    /// docs/benchmarks.md).
    pub async fn scan_kinds<T, F>(
        &self,
        kinds: &[&str],
        state: T,
        visit: F,
    ) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnMut(&mut T, ScannedEntry<'_>) -> Result<(), StoreError> + Send + 'static,
    {
        let path = self.path.clone();
        let kinds: Vec<String> = kinds.iter().map(|k| (*k).to_owned()).collect();
        tokio::task::spawn_blocking(move || scan_kinds_blocking(&path, &kinds, state, visit))
            .await
            .map_err(|e| StoreError::Corrupt(format!("reading the ledger stopped: {e}")))?
    }
}

fn scan_kinds_blocking<T, F>(
    path: &Path,
    kinds: &[String],
    mut state: T,
    mut visit: F,
) -> Result<T, StoreError>
where
    F: FnMut(&mut T, ScannedEntry<'_>) -> Result<(), StoreError>,
{
    let err = |e: rusqlite::Error| StoreError::Io {
        path: path.to_owned(),
        source: std::io::Error::other(e),
    };
    let mut conn = rusqlite::Connection::open_with_flags(
        path,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(err)?;
    conn.busy_timeout(std::time::Duration::from_secs(120))
        .map_err(err)?;
    let tx = conn.transaction().map_err(err)?;
    // No index on kind: even a partial one cost imports ~2 s per million rows (see
    // docs/benchmarks.md); a sequential scan of the ledger is a fraction of a second.
    let placeholders = vec!["?"; kinds.len()].join(", ");
    let sql = format!(
        "SELECT seq, kind, payload FROM ledger_entries WHERE kind IN ({placeholders}) ORDER BY seq"
    );
    let mut stmt = tx.prepare(&sql).map_err(err)?;
    let mut rows = stmt
        .query(rusqlite::params_from_iter(kinds.iter()))
        .map_err(err)?;
    while let Some(row) = rows.next().map_err(err)? {
        let seq: i64 = row.get(0).map_err(err)?;
        let kind = row
            .get_ref(1)
            .map_err(err)?
            .as_str()
            .map_err(|e| err(e.into()))?;
        let payload = row
            .get_ref(2)
            .map_err(err)?
            .as_blob()
            .map_err(|e| err(e.into()))?;
        visit(
            &mut state,
            ScannedEntry {
                seq: from_i64(seq)?,
                kind,
                payload,
            },
        )?;
    }
    drop(rows);
    drop(stmt);
    Ok(state)
}
