//! Appending entries and artifacts in one transaction: all of a batch lands, or none of it.

use evidentia_ledger::{Chain, Entry, Hash, canonical_json};
use sha2::{Digest, Sha256};
use sqlx::sqlite::{Sqlite, SqlitePool};
use sqlx::{QueryBuilder, Row, Transaction};
use tokio::sync::{mpsc, oneshot};

use crate::{Head, StoreError, from_i64, to_i64};

/// Artifacts are stored in chunks of this size, so no file sits in memory whole.
pub const ARTIFACT_CHUNK_SIZE: usize = 1 << 20;

/// The entry kind the store appends when an artifact is stored, so the ledger commits to
/// every artifact's content address and verification can tell a deleted one.
pub const ARTIFACT_ENTRY_KIND: &str = "artifact.stored";

/// Entries are written in multi-row inserts of this many (7 parameters each, far below
/// SQLite's limit), which is most of what makes bulk appends fast.
const INSERT_BATCH: usize = 256;

/// ... or fewer, once their payloads reach this many bytes: a set entry holds 1,024 records
/// (some 300 KB), and 256 of them would keep the writer idle while 77 MB gathered, then
/// leave most of an import's writing for its commit.
const INSERT_BYTES: usize = 1 << 20;

/// An open write transaction. Dropping it without [`AppendBatch::commit`] rolls everything
/// back, which is what makes an interrupted import leave the workspace as it was.
///
/// The transaction itself lives in a writer task fed through a bounded channel: the caller
/// parses, serializes and hashes the next entries while SQLite inserts the previous ones,
/// which uses both cores of a laptop on large imports. The bound keeps memory flat.
#[derive(Debug)]
pub struct AppendBatch {
    commands: mpsc::Sender<Command>,
    writer: Option<tokio::task::JoinHandle<()>>,
    chain: Chain,
    pending: Vec<Entry>,
    /// Payload bytes in `pending`.
    pending_bytes: usize,
    first_seq: u64,
}

/// Streams one artifact's bytes into the batch while hashing them.
#[derive(Debug)]
pub struct ArtifactWriter {
    expected: Hash,
    hasher: Sha256,
    size: u64,
    next_idx: u64,
    buffer: Vec<u8>,
}

/// Work for the writer task, in order.
#[derive(Debug)]
pub(crate) enum Command {
    Insert(Vec<Entry>),
    Chunk { sha: Hash, idx: u64, data: Vec<u8> },
    Artifact { sha: Hash, size: u64, chunks: u64 },
    HasArtifact(Hash, oneshot::Sender<Result<bool, StoreError>>),
    Commit(oneshot::Sender<Result<(), StoreError>>),
    Rollback(oneshot::Sender<Result<(), StoreError>>),
}

/// How many commands may wait for the writer: enough to keep it busy, few enough that a
/// fast parser cannot pile a file's worth of entries into memory.
const QUEUE_DEPTH: usize = 8;

impl AppendBatch {
    pub(crate) async fn begin(pool: &SqlitePool) -> Result<AppendBatch, StoreError> {
        // IMMEDIATE takes the write lock now: a second importer waits here (busy timeout)
        // instead of failing later when its read snapshot cannot be upgraded.
        let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
        let row =
            sqlx::query("SELECT seq, entry_hash FROM ledger_entries ORDER BY seq DESC LIMIT 1")
                .fetch_optional(&mut *tx)
                .await?;
        let chain = match row {
            None => Chain::new(),
            Some(r) => {
                let seq = from_i64(r.get(0))?;
                let hash: Vec<u8> = r.get(1);
                let hash = Hash::from_slice(&hash).ok_or_else(|| {
                    StoreError::Corrupt(format!("entry {seq}: hash is not 32 bytes"))
                })?;
                Chain::resume(seq, hash)
            }
        };
        Ok(AppendBatch::start(WriteTx::Sqlite(tx), chain))
    }

    /// Hands an open write transaction, already holding the backend's append lock, to a writer
    /// task; `chain` resumes from the head read inside that transaction.
    pub(crate) fn start(tx: WriteTx, chain: Chain) -> AppendBatch {
        let first_seq = chain.count() + 1;
        let (commands, receiver) = mpsc::channel(QUEUE_DEPTH);
        let writer = tokio::spawn(run_writer(tx, receiver));
        AppendBatch {
            commands,
            writer: Some(writer),
            chain,
            pending: Vec::with_capacity(INSERT_BATCH),
            pending_bytes: 0,
            first_seq,
        }
    }

    async fn send(&self, command: Command) -> Result<(), StoreError> {
        self.commands
            .send(command)
            .await
            .map_err(|_| StoreError::Corrupt("the write transaction ended unexpectedly".into()))
    }

    /// Appends one entry and returns its sequence number. `recorded_at` must be spelled by
    /// `evidentia_ledger::format_recorded_at`.
    pub async fn append(
        &mut self,
        kind: &str,
        recorded_at: &str,
        payload: Vec<u8>,
    ) -> Result<u64, StoreError> {
        let entry = self.chain.next_entry(kind, recorded_at, payload);
        let seq = entry.seq;
        self.pending_bytes += entry.payload.len();
        self.pending.push(entry);
        if self.pending.len() >= INSERT_BATCH || self.pending_bytes >= INSERT_BYTES {
            self.flush().await?;
        }
        Ok(seq)
    }

    /// The head as it will be once committed.
    pub fn head(&self) -> Head {
        Head {
            count: self.chain.count(),
            hash: self.chain.head(),
        }
    }

    /// Sequence numbers this batch has appended so far (empty range if none).
    pub fn appended(&self) -> std::ops::Range<u64> {
        self.first_seq..self.chain.count() + 1
    }

    /// Whether an artifact is already stored (committed, or earlier in this batch).
    pub async fn has_artifact(&mut self, sha256: &Hash) -> Result<bool, StoreError> {
        self.flush().await?;
        let (reply, answer) = oneshot::channel();
        self.send(Command::HasArtifact(*sha256, reply)).await?;
        answer
            .await
            .map_err(|_| StoreError::Corrupt("the write transaction ended unexpectedly".into()))?
    }

    /// Starts storing an artifact whose SHA-256 the caller computed beforehand; the bytes
    /// are hashed again on the way in and must match.
    pub fn start_artifact(&self, expected: Hash) -> ArtifactWriter {
        ArtifactWriter {
            expected,
            hasher: Sha256::new(),
            size: 0,
            next_idx: 0,
            buffer: Vec::with_capacity(ARTIFACT_CHUNK_SIZE),
        }
    }

    /// Adds bytes to an artifact being stored.
    pub async fn write_artifact(
        &mut self,
        writer: &mut ArtifactWriter,
        mut bytes: &[u8],
    ) -> Result<(), StoreError> {
        while !bytes.is_empty() {
            let room = ARTIFACT_CHUNK_SIZE - writer.buffer.len();
            let (now, rest) = bytes.split_at(room.min(bytes.len()));
            writer.buffer.extend_from_slice(now);
            bytes = rest;
            if writer.buffer.len() == ARTIFACT_CHUNK_SIZE {
                self.flush_chunk(writer).await?;
            }
        }
        Ok(())
    }

    /// Finishes an artifact: checks its hash and records it, with an `artifact.stored`
    /// ledger entry. Returns that entry's sequence number.
    pub async fn finish_artifact(
        &mut self,
        mut writer: ArtifactWriter,
        recorded_at: &str,
    ) -> Result<u64, StoreError> {
        if !writer.buffer.is_empty() || writer.next_idx == 0 {
            self.flush_chunk(&mut writer).await?;
        }
        let mut digest = [0u8; 32];
        digest.copy_from_slice(writer.hasher.finalize().as_slice());
        let found = Hash(digest);
        if found != writer.expected {
            return Err(StoreError::ArtifactChanged {
                expected: writer.expected.to_hex(),
                found: found.to_hex(),
            });
        }
        self.send(Command::Artifact {
            sha: found,
            size: writer.size,
            chunks: writer.next_idx,
        })
        .await?;
        let payload = canonical_json(&serde_json::json!({
            "sha256": found.to_hex(),
            "size": writer.size,
        }))
        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        self.append(ARTIFACT_ENTRY_KIND, recorded_at, payload).await
    }

    async fn flush_chunk(&mut self, writer: &mut ArtifactWriter) -> Result<(), StoreError> {
        writer.hasher.update(&writer.buffer);
        writer.size += writer.buffer.len() as u64;
        let data = std::mem::replace(&mut writer.buffer, Vec::with_capacity(ARTIFACT_CHUNK_SIZE));
        self.send(Command::Chunk {
            sha: writer.expected,
            idx: writer.next_idx,
            data,
        })
        .await?;
        writer.next_idx += 1;
        Ok(())
    }

    async fn flush(&mut self) -> Result<(), StoreError> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let entries = std::mem::replace(&mut self.pending, Vec::with_capacity(INSERT_BATCH));
        self.pending_bytes = 0;
        self.send(Command::Insert(entries)).await
    }

    /// Writes what is pending and commits the transaction; returns the new head.
    pub async fn commit(mut self) -> Result<Head, StoreError> {
        self.flush().await?;
        let head = self.head();
        let (reply, answer) = oneshot::channel();
        self.send(Command::Commit(reply)).await?;
        answer.await.map_err(|_| {
            StoreError::Corrupt("the write transaction ended unexpectedly".into())
        })??;
        if let Some(writer) = self.writer.take() {
            let _ = writer.await;
        }
        Ok(head)
    }

    /// Abandons the batch; nothing of it is kept.
    pub async fn rollback(mut self) -> Result<(), StoreError> {
        self.pending.clear();
        self.pending_bytes = 0;
        let (reply, answer) = oneshot::channel();
        self.send(Command::Rollback(reply)).await?;
        let result = answer
            .await
            .map_err(|_| StoreError::Corrupt("the write transaction ended unexpectedly".into()))?;
        if let Some(writer) = self.writer.take() {
            let _ = writer.await;
        }
        result
    }
}

/// The transaction a batch writes in, on either backend.
#[derive(Debug)]
pub(crate) enum WriteTx {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(crate::postgres::PgWriteTx),
}

impl WriteTx {
    async fn insert_chunk(&mut self, sha: &Hash, idx: u64, data: &[u8]) -> Result<(), StoreError> {
        match self {
            WriteTx::Sqlite(tx) => insert_chunk(tx, sha, idx, data).await,
            WriteTx::Postgres(tx) => tx.insert_chunk(sha, idx, data).await,
        }
    }

    async fn insert_artifact(
        &mut self,
        sha: &Hash,
        size: u64,
        chunks: u64,
    ) -> Result<(), StoreError> {
        match self {
            WriteTx::Sqlite(tx) => insert_artifact(tx, sha, size, chunks).await,
            WriteTx::Postgres(tx) => tx.insert_artifact(sha, size, chunks).await,
        }
    }

    async fn has_artifact(&mut self, sha: &Hash) -> Result<bool, StoreError> {
        match self {
            WriteTx::Sqlite(tx) => Ok(sqlx::query("SELECT 1 FROM artifacts WHERE sha256 = ?")
                .bind(sha.0.as_slice())
                .fetch_optional(&mut **tx)
                .await?
                .is_some()),
            WriteTx::Postgres(tx) => tx.has_artifact(sha).await,
        }
    }

    async fn commit(self) -> Result<(), StoreError> {
        match self {
            WriteTx::Sqlite(tx) => Ok(tx.commit().await?),
            WriteTx::Postgres(tx) => tx.commit().await,
        }
    }

    async fn rollback(self) -> Result<(), StoreError> {
        match self {
            WriteTx::Sqlite(tx) => Ok(tx.rollback().await?),
            WriteTx::Postgres(tx) => tx.rollback().await,
        }
    }
}

/// Owns the transaction and applies commands in order. The first failure is kept and
/// returned at commit; everything after it is skipped, and the transaction rolls back.
async fn run_writer(mut tx: WriteTx, mut commands: mpsc::Receiver<Command>) {
    let mut failed: Option<StoreError> = None;
    // A command a streaming insert received and handed back, to be handled next.
    let mut pending: Option<Command> = None;
    loop {
        let command = match pending.take() {
            Some(command) => command,
            None => match commands.recv().await {
                Some(command) => command,
                None => break,
            },
        };
        let result = match command {
            Command::Commit(reply) => {
                let outcome = match failed.take() {
                    Some(error) => Err(error),
                    None => tx.commit().await,
                };
                let _ = reply.send(outcome);
                return;
            }
            Command::Rollback(reply) => {
                let _ = reply.send(tx.rollback().await);
                return;
            }
            Command::HasArtifact(sha, reply) => {
                let answer = match &failed {
                    Some(error) => Err(StoreError::Corrupt(error.to_string())),
                    None => tx.has_artifact(&sha).await,
                };
                let _ = reply.send(answer);
                continue;
            }
            _ if failed.is_some() => continue,
            Command::Insert(entries) => match &mut tx {
                WriteTx::Sqlite(tx) => insert_entries(tx, &entries).await,
                WriteTx::Postgres(tx) => {
                    let (result, next) = tx.stream_entries(entries, &mut commands).await;
                    pending = next;
                    result
                }
            },
            Command::Chunk { sha, idx, data } => tx.insert_chunk(&sha, idx, &data).await,
            Command::Artifact { sha, size, chunks } => tx.insert_artifact(&sha, size, chunks).await,
        };
        if let Err(e) = result {
            failed = Some(e);
        }
    }
    // The batch was dropped without commit: dropping the transaction rolls it back.
}

pub(crate) async fn insert_chunk(
    tx: &mut Transaction<'static, Sqlite>,
    sha: &Hash,
    idx: u64,
    data: &[u8],
) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO artifact_chunks (sha256, idx, data) VALUES (?, ?, ?)")
        .bind(sha.0.as_slice())
        .bind(to_i64(idx)?)
        .bind(data)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub(crate) async fn insert_artifact(
    tx: &mut Transaction<'static, Sqlite>,
    sha: &Hash,
    size: u64,
    chunks: u64,
) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO artifacts (sha256, size, chunk_count) VALUES (?, ?, ?)")
        .bind(sha.0.as_slice())
        .bind(to_i64(size)?)
        .bind(to_i64(chunks)?)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub(crate) async fn insert_entries(
    tx: &mut Transaction<'static, Sqlite>,
    entries: &[Entry],
) -> Result<(), StoreError> {
    let mut builder: QueryBuilder<Sqlite> = QueryBuilder::new(
        "INSERT INTO ledger_entries (seq, kind, recorded_at, payload, payload_hash, prev_hash, entry_hash) ",
    );
    let mut bad_seq = None;
    builder.push_values(entries.iter(), |mut row, e| {
        let seq = i64::try_from(e.seq).unwrap_or_else(|_| {
            bad_seq = Some(e.seq);
            0
        });
        row.push_bind(seq)
            .push_bind(e.kind.as_str())
            .push_bind(e.recorded_at.as_str())
            .push_bind(e.payload.as_slice())
            .push_bind(e.payload_hash.0.as_slice())
            .push_bind(e.prev_hash.0.as_slice())
            .push_bind(e.entry_hash.0.as_slice());
    });
    if let Some(seq) = bad_seq {
        return Err(StoreError::Corrupt(format!(
            "sequence number {seq} is out of range"
        )));
    }
    builder.build().execute(&mut **tx).await?;
    Ok(())
}
