//! The workspace: the ledger, its artifacts and checkpoints, in a SQLite file on this machine or
//! in a database on a team's PostgreSQL server.
//!
//! All SQL in Evidentia lives in this crate. Everything above it speaks in ledger entries,
//! artifacts and checkpoints through [`Workspace`] and [`EvidenceStore`]; which backend holds
//! them is decided by the [`Location`] it was opened at and is invisible to the domain, the
//! importers and the checks.

mod append;
mod copy;
mod error;
mod event_chains;
mod location;
mod open;
mod postgres;
mod sqlite;
mod verify;

use std::future::Future;
use std::path::PathBuf;

use evidentia_ledger::{Entry, Hash, SigningKey, TreeHead};
use sqlx::sqlite::SqlitePool;

pub use append::{ARTIFACT_CHUNK_SIZE, ARTIFACT_ENTRY_KIND, AppendBatch, ArtifactWriter};
pub use copy::{CopyReport, copy_workspace};
pub use error::StoreError;
pub use event_chains::{
    COUNT_CAP, EntryRef, EventChainFilter, EventChainRow, EventChainSummary, EventChainWriter,
    EventCount, ProjectionRun,
};
pub use location::{Location, ServerUrl, is_server_url};
pub use open::{APPLICATION_ID, Access, FORMAT_VERSION};
pub use postgres::SERVER_FORMAT_VERSION;
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
    /// Who made it, as the façade named the acting user (`None` before format 5).
    pub created_by: Option<String>,
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
    /// tree root, signed with `signer` when one is given, naming `created_by` as its maker. An altered ledger is refused
    /// ([`StoreError::Altered`]): a checkpoint must never vouch for an alteration.
    fn add_checkpoint(
        &self,
        created_at: &str,
        created_by: &str,
        signer: Option<&SigningKey>,
    ) -> impl Future<Output = Result<Checkpoint, StoreError>> + Send;
    /// All checkpoints, oldest first.
    fn checkpoints(&self) -> impl Future<Output = Result<Vec<Checkpoint>, StoreError>> + Send;
}

/// A workspace opened for reading, or for reading and appending: a SQLite file on this machine
/// or a database on a team's PostgreSQL server. Nothing above the store learns which.
#[derive(Debug, Clone)]
pub struct Workspace {
    backend: Backend,
    location: Location,
    access: Access,
}

/// Where the SQL goes. Each method of [`Workspace`] is one `match` over this.
#[derive(Debug, Clone)]
pub(crate) enum Backend {
    Sqlite { pool: SqlitePool, path: PathBuf },
    Postgres(postgres::Server),
}

impl Workspace {
    /// Where this workspace lives: its file, or its server and database.
    pub fn location(&self) -> &Location {
        &self.location
    }

    /// The user the connection acts as, when the backend knows one (PostgreSQL's
    /// `session_user`, read at open). A file workspace has none: the façade falls back to a
    /// configured name.
    pub fn connection_user(&self) -> Option<&str> {
        match &self.backend {
            Backend::Sqlite { .. } => None,
            Backend::Postgres(server) => Some(server.user()),
        }
    }

    /// How the workspace was opened.
    pub fn access(&self) -> Access {
        self.access
    }

    /// Whether this login may append to the workspace, checked as opening it for writing
    /// checks, so a client can say "read-only" before anyone tries to write: a file whose
    /// permissions allow writing; on a server, the login's `INSERT` privilege on the ledger.
    /// Answers the same whichever [`Access`] the workspace was opened with.
    pub async fn writable(&self) -> Result<bool, StoreError> {
        match &self.backend {
            Backend::Sqlite { path, .. } => Ok(!open::is_read_only(path)),
            Backend::Postgres(server) => server.may_append().await,
        }
    }

    /// The workspace's id, written once at creation.
    pub async fn workspace_id(&self) -> Result<String, StoreError> {
        self.meta("workspace_id")
            .await
            .map(|v| v.unwrap_or_default())
    }

    /// A write-once metadata value.
    pub async fn meta(&self, key: &str) -> Result<Option<String>, StoreError> {
        match &self.backend {
            Backend::Sqlite { pool, .. } => sqlite::meta(pool, key).await,
            Backend::Postgres(server) => server.meta(key).await,
        }
    }

    /// Closes the connections; for a file, SQLite folds the write-ahead log back into it.
    pub async fn close(self) {
        match self.backend {
            Backend::Sqlite { pool, .. } => pool.close().await,
            Backend::Postgres(server) => server.close().await,
        }
    }

    /// The stored artifacts, by content address.
    pub async fn artifacts(&self) -> Result<Vec<ArtifactInfo>, StoreError> {
        match &self.backend {
            Backend::Sqlite { pool, .. } => sqlite::artifacts(pool).await,
            Backend::Postgres(server) => server.artifacts().await,
        }
    }

    /// Whether an artifact with this content address is stored.
    pub async fn has_artifact(&self, sha256: &Hash) -> Result<bool, StoreError> {
        match &self.backend {
            Backend::Sqlite { pool, .. } => sqlite::has_artifact(pool, sha256).await,
            Backend::Postgres(server) => server.has_artifact(sha256).await,
        }
    }

    /// Reads one chunk of an artifact (0-based), or `None` past its end.
    pub async fn artifact_chunk(
        &self,
        sha256: &Hash,
        idx: u64,
    ) -> Result<Option<Vec<u8>>, StoreError> {
        match &self.backend {
            Backend::Sqlite { pool, .. } => sqlite::artifact_chunk(pool, sha256, idx).await,
            Backend::Postgres(server) => server.artifact_chunk(sha256, idx).await,
        }
    }

    /// The entry hashes of entries 1..=upto, in order: the Merkle tree's leaves, for proofs.
    /// Callers verify the chain first and pass its verified count.
    pub async fn entry_hashes(&self, upto: u64) -> Result<Vec<Hash>, StoreError> {
        match &self.backend {
            Backend::Sqlite { path, .. } => sqlite::entry_hashes(path.clone(), upto).await,
            Backend::Postgres(server) => server.entry_hashes(upto).await,
        }
    }

    pub(crate) fn backend(&self) -> &Backend {
        &self.backend
    }

    /// The SQLite database that holds the event-chain projection: the workspace file itself,
    /// or, for a server workspace, this client's local cache file (created on first use).
    pub(crate) async fn projection(&self) -> Result<(PathBuf, SqlitePool), StoreError> {
        match &self.backend {
            Backend::Sqlite { pool, path } => Ok((path.clone(), pool.clone())),
            Backend::Postgres(server) => server.projection().await,
        }
    }
}

impl EvidenceStore for Workspace {
    type Batch = AppendBatch;

    async fn head(&self) -> Result<Head, StoreError> {
        match &self.backend {
            Backend::Sqlite { pool, .. } => sqlite::head(pool).await,
            Backend::Postgres(server) => server.head().await,
        }
    }

    async fn begin(&self) -> Result<AppendBatch, StoreError> {
        self.require_write()?;
        match &self.backend {
            Backend::Sqlite { pool, .. } => AppendBatch::begin(pool).await,
            Backend::Postgres(server) => server.begin().await,
        }
    }

    async fn entries(&self, from: u64, limit: u64) -> Result<Vec<Entry>, StoreError> {
        match &self.backend {
            Backend::Sqlite { pool, .. } => sqlite::entries(pool, from, limit).await,
            Backend::Postgres(server) => server.entries(from, limit).await,
        }
    }

    async fn add_checkpoint(
        &self,
        created_at: &str,
        created_by: &str,
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
        let mut checkpoint = Checkpoint {
            id: 0,
            entry_count: verified.entries,
            head_hash: verified.head,
            created_at: created_at.to_owned(),
            created_by: Some(created_by.to_owned()),
            tree_root: Some(verified.tree_root),
            note: (!note.is_empty()).then_some(note),
        };
        checkpoint.id = match &self.backend {
            Backend::Sqlite { pool, .. } => sqlite::insert_checkpoint(pool, &checkpoint).await?,
            Backend::Postgres(server) => server.insert_checkpoint(&checkpoint).await?,
        };
        Ok(checkpoint)
    }

    async fn checkpoints(&self) -> Result<Vec<Checkpoint>, StoreError> {
        match &self.backend {
            Backend::Sqlite { pool, .. } => sqlite::checkpoints(pool).await,
            Backend::Postgres(server) => server.checkpoints().await,
        }
    }
}

/// The head a `SELECT seq, entry_hash … ORDER BY seq DESC LIMIT 1` found (none: the empty
/// ledger), the same on both backends.
pub(crate) fn head_from(last: Option<(i64, &[u8])>) -> Result<Head, StoreError> {
    match last {
        None => Ok(Head {
            count: 0,
            hash: Hash::ZERO,
        }),
        Some((seq, hash)) => Ok(Head {
            count: from_i64(seq)?,
            hash: Hash::from_slice(hash)
                .ok_or_else(|| StoreError::Corrupt(format!("entry {seq}: hash is not 32 bytes")))?,
        }),
    }
}

/// Collects the entry hashes of entries `1..=upto` as rows arrive in sequence order, refusing
/// a gap, a short ledger or a malformed hash: the Merkle tree's leaves, on both backends.
pub(crate) struct Leaves {
    upto: u64,
    hashes: Vec<Hash>,
}

impl Leaves {
    pub(crate) fn new(upto: u64) -> Self {
        Leaves {
            upto,
            hashes: Vec::with_capacity(usize::try_from(upto).unwrap_or(0)),
        }
    }

    pub(crate) fn push(&mut self, seq: i64, entry_hash: &[u8]) -> Result<(), StoreError> {
        let hash = Hash::from_slice(entry_hash).ok_or_else(|| {
            StoreError::Corrupt(format!("entry {seq}: entry hash is not 32 bytes"))
        })?;
        if from_i64(seq)? != self.hashes.len() as u64 + 1 {
            return Err(StoreError::Corrupt(format!("entry {seq}: out of sequence")));
        }
        self.hashes.push(hash);
        Ok(())
    }

    pub(crate) fn finish(self) -> Result<Vec<Hash>, StoreError> {
        if self.hashes.len() as u64 != self.upto {
            return Err(StoreError::Corrupt(format!(
                "the ledger has {} entries, expected {}",
                self.hashes.len(),
                self.upto
            )));
        }
        Ok(self.hashes)
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
        let kinds: Vec<String> = kinds.iter().map(|k| (*k).to_owned()).collect();
        match &self.backend {
            Backend::Sqlite { path, .. } => {
                let path = path.clone();
                tokio::task::spawn_blocking(move || {
                    sqlite::scan_kinds_blocking(&path, &kinds, upto, state, visit)
                })
                .await
                .map_err(|e| StoreError::Corrupt(format!("reading the ledger stopped: {e}")))?
            }
            Backend::Postgres(server) => server.scan_kinds(kinds, upto, state, visit).await,
        }
    }
}
