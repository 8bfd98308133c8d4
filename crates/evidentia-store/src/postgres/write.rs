//! The PostgreSQL side of an append batch: entries stream into one binary `COPY` for as long as
//! the batch sends nothing else, so the server ingests while the client hashes the next rows;
//! artifacts and lookups are plain statements in the same transaction.

use evidentia_ledger::{Entry, Hash};
use sqlx::Transaction;
use sqlx::postgres::Postgres;
use tokio::sync::mpsc;

use super::ErrorContext;
use super::binary::CopyEncoder;
use crate::append::Command;
use crate::{StoreError, to_i64};

pub(crate) const COPY_ENTRIES: &str = "COPY ledger_entries \
     (seq, kind, recorded_at, payload, payload_hash, prev_hash, entry_hash) \
     FROM STDIN (FORMAT binary)";

/// Encoded rows are sent to the server once this many bytes have gathered.
const SEND_AT: usize = 256 * 1024;

/// A write transaction holding the append lock.
#[derive(Debug)]
pub(crate) struct PgWriteTx {
    tx: Transaction<'static, Postgres>,
    errors: ErrorContext,
}

impl PgWriteTx {
    pub(crate) fn new(tx: Transaction<'static, Postgres>, errors: ErrorContext) -> PgWriteTx {
        PgWriteTx { tx, errors }
    }

    fn map(&self, e: sqlx::Error) -> StoreError {
        self.errors.map(e)
    }

    /// Opens a `COPY` with `entries` and keeps feeding it the batch's following inserts.
    /// Returns the outcome and the first other command received, which the caller handles
    /// next (`None` when the batch was dropped, and the transaction is rolled back).
    pub(crate) async fn stream_entries(
        &mut self,
        entries: Vec<Entry>,
        commands: &mut mpsc::Receiver<Command>,
    ) -> (Result<(), StoreError>, Option<Command>) {
        let errors = self.errors.clone();
        let mut copy = match self.tx.copy_in_raw(COPY_ENTRIES).await {
            Ok(copy) => copy,
            Err(e) => return (Err(errors.map(e)), None),
        };
        let mut encoder = CopyEncoder::new();
        if let Err(e) = encode(&mut encoder, &entries) {
            return (Err(e), None);
        }
        loop {
            if encoder.len() >= SEND_AT {
                if let Err(e) = copy.send(encoder.take()).await {
                    return (Err(errors.map(e)), None);
                }
            }
            match commands.recv().await {
                Some(Command::Insert(more)) => {
                    if let Err(e) = encode(&mut encoder, &more) {
                        return (Err(e), None);
                    }
                }
                None => {
                    // The batch was dropped: abandon the COPY; the transaction rolls back.
                    let _ = copy.abort("the append batch was dropped").await;
                    return (Ok(()), None);
                }
                Some(other) => {
                    let result = async {
                        copy.send(encoder.finish()).await?;
                        copy.finish().await
                    }
                    .await;
                    return (result.map(|_| ()).map_err(|e| errors.map(e)), Some(other));
                }
            }
        }
    }

    pub(crate) async fn insert_chunk(
        &mut self,
        sha: &Hash,
        idx: u64,
        data: &[u8],
    ) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO artifact_chunks (sha256, idx, data) VALUES ($1, $2, $3)")
            .bind(sha.0.as_slice())
            .bind(to_i64(idx)?)
            .bind(data)
            .execute(&mut *self.tx)
            .await
            .map_err(|e| self.map(e))?;
        Ok(())
    }

    pub(crate) async fn insert_artifact(
        &mut self,
        sha: &Hash,
        size: u64,
        chunks: u64,
    ) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO artifacts (sha256, size, chunk_count) VALUES ($1, $2, $3)")
            .bind(sha.0.as_slice())
            .bind(to_i64(size)?)
            .bind(to_i64(chunks)?)
            .execute(&mut *self.tx)
            .await
            .map_err(|e| self.map(e))?;
        Ok(())
    }

    pub(crate) async fn has_artifact(&mut self, sha: &Hash) -> Result<bool, StoreError> {
        let row = sqlx::query("SELECT 1 FROM artifacts WHERE sha256 = $1")
            .bind(sha.0.as_slice())
            .fetch_optional(&mut *self.tx)
            .await
            .map_err(|e| self.map(e))?;
        Ok(row.is_some())
    }

    pub(crate) async fn commit(self) -> Result<(), StoreError> {
        let errors = self.errors;
        self.tx.commit().await.map_err(|e| errors.map(e))
    }

    pub(crate) async fn rollback(self) -> Result<(), StoreError> {
        let errors = self.errors;
        self.tx.rollback().await.map_err(|e| errors.map(e))
    }
}

pub(crate) fn encode(encoder: &mut CopyEncoder, entries: &[Entry]) -> Result<(), StoreError> {
    for e in entries {
        encoder.row(7);
        encoder.int8(to_i64(e.seq)?);
        encoder.bytes(e.kind.as_bytes());
        encoder.bytes(e.recorded_at.as_bytes());
        encoder.bytes(&e.payload);
        encoder.bytes(&e.payload_hash.0);
        encoder.bytes(&e.prev_hash.0);
        encoder.bytes(&e.entry_hash.0);
    }
    Ok(())
}
