//! A copy into a new server workspace: created, filled, verified and compared in one
//! transaction, so a failure at any step leaves the database as empty as it was.

use evidentia_ledger::{Entry, Hash};
use sqlx::postgres::Postgres;

use super::binary::CopyEncoder;
use super::scan::verify_on;
use super::write::{COPY_ENTRIES, encode};
use super::{ErrorContext, begin_build, checkpoints_on, connect_to_create, insert_checkpoint_in};
use crate::copy::{Destination, Source, check_copy, fill};
use crate::verify::Scope;
use crate::{Checkpoint, Location, ServerUrl, StoreError, VerifyReport, Workspace, to_i64};

struct ServerDestination<'t, 'c> {
    tx: &'t mut sqlx::Transaction<'c, Postgres>,
    errors: ErrorContext,
}

impl Destination for ServerDestination<'_, '_> {
    async fn entries(&mut self, entries: &[Entry]) -> Result<(), StoreError> {
        let mut encoder = CopyEncoder::new();
        encode(&mut encoder, entries)?;
        let errors = &self.errors;
        let mut copy = self
            .tx
            .copy_in_raw(COPY_ENTRIES)
            .await
            .map_err(|e| errors.map(e))?;
        copy.send(encoder.finish())
            .await
            .map_err(|e| errors.map(e))?;
        copy.finish().await.map_err(|e| errors.map(e))?;
        Ok(())
    }

    async fn chunk(&mut self, sha: &Hash, idx: u64, data: &[u8]) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO artifact_chunks (sha256, idx, data) VALUES ($1, $2, $3)")
            .bind(sha.0.as_slice())
            .bind(to_i64(idx)?)
            .bind(data)
            .execute(&mut **self.tx)
            .await
            .map_err(|e| self.errors.map(e))?;
        Ok(())
    }

    async fn artifact(&mut self, sha: &Hash, size: u64, chunks: u64) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO artifacts (sha256, size, chunk_count) VALUES ($1, $2, $3)")
            .bind(sha.0.as_slice())
            .bind(to_i64(size)?)
            .bind(to_i64(chunks)?)
            .execute(&mut **self.tx)
            .await
            .map_err(|e| self.errors.map(e))?;
        Ok(())
    }

    async fn checkpoint(&mut self, checkpoint: &Checkpoint) -> Result<(), StoreError> {
        insert_checkpoint_in(self.tx, checkpoint, Some(checkpoint.id))
            .await
            .map_err(|e| self.errors.map(e))?;
        Ok(())
    }
}

pub(crate) async fn copy_to_server(
    from: &Workspace,
    source: &Source,
    url: &ServerUrl,
    location: &Location,
) -> Result<(VerifyReport, u64), StoreError> {
    let mut conn = connect_to_create(url, location).await?;
    let result = async {
        let (mut tx, errors) = begin_build(
            &mut conn,
            location,
            &source.workspace_id,
            &source.created_at,
            &source.created_by,
        )
        .await?;
        let mut to = ServerDestination {
            tx: &mut tx,
            errors: errors.clone(),
        };
        let artifacts = fill(from, source, &mut to).await?;
        let report = verify_on(&mut tx, &errors, None, Scope::Everything, |_| {}).await?;
        check_copy(source, artifacts, &report, &checkpoints_on(&mut tx).await?)?;
        tx.commit().await.map_err(|e| errors.map(e))?;
        Ok((report, artifacts))
    }
    .await;
    let _ = sqlx::Connection::close(conn).await;
    result
}
