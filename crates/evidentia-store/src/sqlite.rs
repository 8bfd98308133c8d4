//! The SQLite file's queries behind [`crate::Workspace`]: small ones through sqlx, the big
//! ordered reads through rusqlite on a blocking thread (sqlx's per-row channel cost more than
//! the work itself; docs/benchmarks.md).

use std::path::{Path, PathBuf};

use evidentia_ledger::{Entry, Hash};
use sqlx::Row;
use sqlx::sqlite::SqlitePool;

use crate::{
    ArtifactInfo, Checkpoint, Head, Leaves, ScannedEntry, StoreError, from_i64, head_from, to_i64,
    verify,
};

pub(crate) async fn meta(pool: &SqlitePool, key: &str) -> Result<Option<String>, StoreError> {
    let row = sqlx::query("SELECT value FROM workspace_meta WHERE key = ?")
        .bind(key)
        .fetch_optional(pool)
        .await?;
    Ok(row.map(|r| r.get::<String, _>(0)))
}

pub(crate) async fn artifacts(pool: &SqlitePool) -> Result<Vec<ArtifactInfo>, StoreError> {
    let rows = sqlx::query("SELECT sha256, size FROM artifacts ORDER BY sha256")
        .fetch_all(pool)
        .await?;
    rows.into_iter()
        .map(|r| {
            let sha: Vec<u8> = r.get(0);
            let size: i64 = r.get(1);
            Ok(ArtifactInfo {
                sha256: Hash::from_slice(&sha)
                    .ok_or_else(|| StoreError::Corrupt("artifact hash is not 32 bytes".into()))?,
                size: u64::try_from(size).unwrap_or(0),
            })
        })
        .collect()
}

pub(crate) async fn has_artifact(pool: &SqlitePool, sha256: &Hash) -> Result<bool, StoreError> {
    let row = sqlx::query("SELECT 1 FROM artifacts WHERE sha256 = ?")
        .bind(sha256.0.as_slice())
        .fetch_optional(pool)
        .await?;
    Ok(row.is_some())
}

pub(crate) async fn artifact_chunk(
    pool: &SqlitePool,
    sha256: &Hash,
    idx: u64,
) -> Result<Option<Vec<u8>>, StoreError> {
    let row = sqlx::query("SELECT data FROM artifact_chunks WHERE sha256 = ? AND idx = ?")
        .bind(sha256.0.as_slice())
        .bind(to_i64(idx)?)
        .fetch_optional(pool)
        .await?;
    Ok(row.map(|r| r.get::<Vec<u8>, _>(0)))
}

/// Whether a table exists (a format-2 file opened read-only lacks the format-3 ones).
pub(crate) async fn has_table(pool: &SqlitePool, name: &str) -> Result<bool, StoreError> {
    let row = sqlx::query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?")
        .bind(name)
        .fetch_optional(pool)
        .await?;
    Ok(row.is_some())
}

/// Whether a column exists (a file before format 5 opened read-only lacks `created_by`).
async fn has_column(pool: &SqlitePool, table: &str, column: &str) -> Result<bool, StoreError> {
    let row = sqlx::query("SELECT 1 FROM pragma_table_info(?) WHERE name = ?")
        .bind(table)
        .bind(column)
        .fetch_optional(pool)
        .await?;
    Ok(row.is_some())
}

pub(crate) async fn entry_hashes(path: PathBuf, upto: u64) -> Result<Vec<Hash>, StoreError> {
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
            .prepare(
                "SELECT seq, entry_hash FROM ledger_entries WHERE seq BETWEEN 1 AND ? ORDER BY seq",
            )
            .map_err(err)?;
        let mut rows = stmt.query([to_i64(upto)?]).map_err(err)?;
        let mut leaves = Leaves::new(upto);
        while let Some(row) = rows.next().map_err(err)? {
            let seq: i64 = row.get(0).map_err(err)?;
            let bytes = row
                .get_ref(1)
                .map_err(err)?
                .as_blob()
                .map_err(|e| err(e.into()))?;
            leaves.push(seq, bytes)?;
        }
        leaves.finish()
    })
    .await
    .map_err(|e| StoreError::Corrupt(format!("reading the ledger stopped: {e}")))?
}

pub(crate) async fn head(pool: &SqlitePool) -> Result<Head, StoreError> {
    let row = sqlx::query("SELECT seq, entry_hash FROM ledger_entries ORDER BY seq DESC LIMIT 1")
        .fetch_optional(pool)
        .await?;
    let last = row.map(|r| (r.get::<i64, _>(0), r.get::<Vec<u8>, _>(1)));
    head_from(last.as_ref().map(|(seq, hash)| (*seq, hash.as_slice())))
}

pub(crate) async fn entries(
    pool: &SqlitePool,
    from: u64,
    limit: u64,
) -> Result<Vec<Entry>, StoreError> {
    let rows = sqlx::query(
        "SELECT seq, kind, recorded_at, payload, payload_hash, prev_hash, entry_hash \
         FROM ledger_entries WHERE seq >= ? ORDER BY seq LIMIT ?",
    )
    .bind(to_i64(from)?)
    .bind(to_i64(limit)?)
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(verify::entry_from_row)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|f| StoreError::Corrupt(f.to_string()))
}

/// Records a verified checkpoint (its `id` is ignored) and returns the id SQLite gave it.
pub(crate) async fn insert_checkpoint(
    pool: &SqlitePool,
    checkpoint: &Checkpoint,
) -> Result<u64, StoreError> {
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
    let id = insert_checkpoint_in(&mut tx, checkpoint, None).await?;
    tx.commit().await?;
    from_i64(id)
}

/// Inserts one checkpoint inside a write transaction, with its given id when `id` is set (a
/// copy keeps ids), and returns its id.
pub(crate) async fn insert_checkpoint_in(
    tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
    checkpoint: &Checkpoint,
    id: Option<u64>,
) -> Result<i64, StoreError> {
    let id = sqlx::query(
        "INSERT INTO checkpoints (id, entry_count, head_hash, created_at, created_by) \
         VALUES (?, ?, ?, ?, ?)",
    )
    .bind(id.map(to_i64).transpose()?)
    .bind(to_i64(checkpoint.entry_count)?)
    .bind(checkpoint.head_hash.0.as_slice())
    .bind(&checkpoint.created_at)
    .bind(checkpoint.created_by.as_deref())
    .execute(&mut **tx)
    .await?
    .last_insert_rowid();
    if let Some(root) = &checkpoint.tree_root {
        sqlx::query(
            "INSERT INTO checkpoint_trees (checkpoint_id, tree_root, note) VALUES (?, ?, ?)",
        )
        .bind(id)
        .bind(root.0.as_slice())
        .bind(checkpoint.note.as_deref().unwrap_or(""))
        .execute(&mut **tx)
        .await?;
    }
    Ok(id)
}

pub(crate) async fn checkpoints(pool: &SqlitePool) -> Result<Vec<Checkpoint>, StoreError> {
    let trees = has_table(pool, "checkpoint_trees").await?;
    let by = if has_column(pool, "checkpoints", "created_by").await? {
        "c.created_by"
    } else {
        "NULL"
    };
    let sql = if trees {
        format!(
            "SELECT c.id, c.entry_count, c.head_hash, c.created_at, t.tree_root, t.note, {by} \
             FROM checkpoints c LEFT JOIN checkpoint_trees t ON t.checkpoint_id = c.id ORDER BY c.id"
        )
    } else {
        format!(
            "SELECT c.id, c.entry_count, c.head_hash, c.created_at, NULL, NULL, {by} \
             FROM checkpoints c ORDER BY c.id"
        )
    };
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .fetch_all(pool)
        .await?;
    rows.into_iter()
        .map(|r| {
            let hash: Vec<u8> = r.get(2);
            let root: Option<Vec<u8>> = r.try_get(4).unwrap_or(None);
            let note: Option<String> = r.try_get(5).unwrap_or(None);
            Ok(Checkpoint {
                id: from_i64(r.get(0))?,
                entry_count: from_i64(r.get(1))?,
                head_hash: Hash::from_slice(&hash)
                    .ok_or_else(|| StoreError::Corrupt("checkpoint hash is not 32 bytes".into()))?,
                created_at: r.get(3),
                created_by: r.try_get(6).unwrap_or(None),
                tree_root: root.as_deref().and_then(Hash::from_slice),
                note: note.filter(|n| !n.is_empty()),
            })
        })
        .collect()
}

pub(crate) fn scan_kinds_blocking<T, F>(
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
