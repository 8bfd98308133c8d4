//! The workspace file: one SQLite database holding the ledger, its artifacts and checkpoints.
//!
//! All SQL in Evidentia lives in this crate. Everything above it speaks in ledger entries,
//! artifacts and checkpoints through [`EvidenceStore`], so that another backend (PostgreSQL,
//! which sqlx also supports, for teams who outgrow a laptop) can be added beside
//! [`Workspace`] without touching the domain, the importers or the checks.

mod append;
mod error;
mod event_chains;
mod location;
mod open;
mod verify;

use std::future::Future;
use std::path::{Path, PathBuf};

use evidentia_ledger::{Entry, Hash, SigningKey, TreeHead};
use sqlx::Row;
use sqlx::sqlite::SqlitePool;

pub use append::{ARTIFACT_CHUNK_SIZE, ARTIFACT_ENTRY_KIND, AppendBatch, ArtifactWriter};
pub use error::StoreError;
pub use event_chains::{
    COUNT_CAP, EntryRef, EventChainFilter, EventChainRow, EventChainSummary, EventChainWriter,
    EventCount, ProjectionRun,
};
pub use location::{Location, ServerUrl, is_server_url};
pub use open::{APPLICATION_ID, Access, FORMAT_VERSION};
pub use verify::{SIGNING_KEY_ENTRY_KIND, VerifyProgress, VerifyReport};

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
    /// The Merkle tree root over entries 1..=entry_count (checkpoints since format 3).
    pub tree_root: Option<Hash>,
    /// The C2SP signed note of that tree head, when a signing key was available.
    pub note: Option<String>,
}

impl Checkpoint {
    /// The checkpoint's origin line and key name: `evidentia/<workspace id>`.
    pub fn origin(workspace_id: &str) -> String {
        format!("evidentia/{workspace_id}")
    }
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
    /// Verifies the chain, then records its verified head as a checkpoint with its Merkle
    /// tree root, signed with `signer` when one is given. An altered ledger is refused
    /// ([`StoreError::Altered`]): a checkpoint must never vouch for an alteration.
    fn add_checkpoint(
        &self,
        created_at: &str,
        signer: Option<&SigningKey>,
    ) -> impl Future<Output = Result<Checkpoint, StoreError>> + Send;
    /// All checkpoints, oldest first.
    fn checkpoints(&self) -> impl Future<Output = Result<Vec<Checkpoint>, StoreError>> + Send;
}

/// A workspace file opened for reading, or for reading and appending.
#[derive(Debug, Clone)]
pub struct Workspace {
    pool: SqlitePool,
    path: PathBuf,
    location: Location,
    access: Access,
}

impl Workspace {
    /// Where this workspace lives: its file, or its server and database.
    pub fn location(&self) -> &Location {
        &self.location
    }

    /// The user the connection acts as, when the backend knows one (PostgreSQL's
    /// `session_user`). A file workspace has none: the façade falls back to a configured name.
    pub fn connection_user(&self) -> Option<&str> {
        None
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

    /// Whether a table exists (a format-2 file opened read-only lacks the format-3 ones).
    async fn has_table(&self, name: &str) -> Result<bool, StoreError> {
        let row = sqlx::query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?")
            .bind(name)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.is_some())
    }

    /// The entry hashes of entries 1..=upto, in order: the Merkle tree's leaves, for proofs.
    /// Callers verify the chain first and pass its verified count.
    pub async fn entry_hashes(&self, upto: u64) -> Result<Vec<Hash>, StoreError> {
        let path = self.path.clone();
        tokio::task::spawn_blocking(move || {
            let err = |e: rusqlite::Error| StoreError::Io {
                path: path.clone(),
                source: std::io::Error::other(e),
            };
            let conn = rusqlite::Connection::open_with_flags(
                &path,
                rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
            )
            .map_err(err)?;
            conn.busy_timeout(std::time::Duration::from_secs(120))
                .map_err(err)?;
            let mut stmt = conn
                .prepare("SELECT seq, entry_hash FROM ledger_entries WHERE seq BETWEEN 1 AND ? ORDER BY seq")
                .map_err(err)?;
            let mut rows = stmt.query([to_i64(upto)?]).map_err(err)?;
            let mut out = Vec::with_capacity(usize::try_from(upto).unwrap_or(0));
            while let Some(row) = rows.next().map_err(err)? {
                let seq: i64 = row.get(0).map_err(err)?;
                let bytes = row.get_ref(1).map_err(err)?.as_blob().map_err(|e| err(e.into()))?;
                let hash = Hash::from_slice(bytes).ok_or_else(|| {
                    StoreError::Corrupt(format!("entry {seq}: entry hash is not 32 bytes"))
                })?;
                if from_i64(seq)? != out.len() as u64 + 1 {
                    return Err(StoreError::Corrupt(format!("entry {seq}: out of sequence")));
                }
                out.push(hash);
            }
            if out.len() as u64 != upto {
                return Err(StoreError::Corrupt(format!(
                    "the ledger has {} entries, expected {upto}",
                    out.len()
                )));
            }
            Ok(out)
        })
        .await
        .map_err(|e| StoreError::Corrupt(format!("reading the ledger stopped: {e}")))?
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

    async fn add_checkpoint(
        &self,
        created_at: &str,
        signer: Option<&SigningKey>,
    ) -> Result<Checkpoint, StoreError> {
        self.require_write()?;
        let verified = self.verify_chain().await?;
        if let Some(failure) = verified.failure {
            return Err(StoreError::Altered(failure));
        }
        let workspace_id = self.workspace_id().await?;
        let note = match signer {
            Some(key) => {
                let head = TreeHead {
                    origin: Checkpoint::origin(&workspace_id),
                    size: verified.entries,
                    root: verified.tree_root,
                };
                evidentia_ledger::note::sign_checkpoint(&head, key)
                    .map_err(|e| StoreError::Corrupt(format!("signing the checkpoint: {e}")))?
            }
            None => String::new(),
        };
        // The verified head, even if another process appended since: a checkpoint at an
        // earlier head is still true, and what was verified is what is vouched for.
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let id = sqlx::query(
            "INSERT INTO checkpoints (entry_count, head_hash, created_at) VALUES (?, ?, ?)",
        )
        .bind(to_i64(verified.entries)?)
        .bind(verified.head.0.as_slice())
        .bind(created_at)
        .execute(&mut *tx)
        .await?
        .last_insert_rowid();
        sqlx::query(
            "INSERT INTO checkpoint_trees (checkpoint_id, tree_root, note) VALUES (?, ?, ?)",
        )
        .bind(id)
        .bind(verified.tree_root.0.as_slice())
        .bind(&note)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Checkpoint {
            id: from_i64(id)?,
            entry_count: verified.entries,
            head_hash: verified.head,
            created_at: created_at.to_owned(),
            tree_root: Some(verified.tree_root),
            note: (!note.is_empty()).then_some(note),
        })
    }

    async fn checkpoints(&self) -> Result<Vec<Checkpoint>, StoreError> {
        let trees = self.has_table("checkpoint_trees").await?;
        let sql = if trees {
            "SELECT c.id, c.entry_count, c.head_hash, c.created_at, t.tree_root, t.note \
             FROM checkpoints c LEFT JOIN checkpoint_trees t ON t.checkpoint_id = c.id ORDER BY c.id"
        } else {
            "SELECT id, entry_count, head_hash, created_at, NULL, NULL FROM checkpoints ORDER BY id"
        };
        let rows = sqlx::query(sql).fetch_all(&self.pool).await?;
        rows.into_iter()
            .map(|r| {
                let hash: Vec<u8> = r.get(2);
                let root: Option<Vec<u8>> = r.try_get(4).unwrap_or(None);
                let note: Option<String> = r.try_get(5).unwrap_or(None);
                Ok(Checkpoint {
                    id: from_i64(r.get(0))?,
                    entry_count: from_i64(r.get(1))?,
                    head_hash: Hash::from_slice(&hash).ok_or_else(|| {
                        StoreError::Corrupt("checkpoint hash is not 32 bytes".into())
                    })?,
                    created_at: r.get(3),
                    tree_root: root.as_deref().and_then(Hash::from_slice),
                    note: note.filter(|n| !n.is_empty()),
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
    ///
    /// Only entries `1..=upto` are read: callers pass the count [`Workspace::verify_chain`]
    /// verified, so no row outside the verified chain is ever read (docs/ledger-format.md §19).
    pub async fn scan_kinds<T, F>(
        &self,
        kinds: &[&str],
        upto: u64,
        state: T,
        visit: F,
    ) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnMut(&mut T, ScannedEntry<'_>) -> Result<(), StoreError> + Send + 'static,
    {
        let path = self.path.clone();
        let kinds: Vec<String> = kinds.iter().map(|k| (*k).to_owned()).collect();
        tokio::task::spawn_blocking(move || scan_kinds_blocking(&path, &kinds, upto, state, visit))
            .await
            .map_err(|e| StoreError::Corrupt(format!("reading the ledger stopped: {e}")))?
    }
}

fn scan_kinds_blocking<T, F>(
    path: &Path,
    kinds: &[String],
    upto: u64,
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
        "SELECT seq, kind, payload FROM ledger_entries \
         WHERE kind IN ({placeholders}) AND seq BETWEEN 1 AND ? ORDER BY seq"
    );
    let mut stmt = tx.prepare(&sql).map_err(err)?;
    let mut params: Vec<rusqlite::types::Value> = kinds
        .iter()
        .map(|k| rusqlite::types::Value::Text(k.clone()))
        .collect();
    params.push(rusqlite::types::Value::Integer(to_i64(upto)?));
    let mut rows = stmt
        .query(rusqlite::params_from_iter(params.iter()))
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
