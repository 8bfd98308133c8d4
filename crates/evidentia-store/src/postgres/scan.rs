//! The full ordered reads of a server workspace: verification, kind scans and entry hashes.
//! Rows leave the server as a binary `COPY` (no per-row protocol round trip or row object) and
//! are decoded on blocking threads, where verification splits them into the same ranges, with
//! the same checks and the same report, as a file's.

use std::sync::atomic::{AtomicU64, Ordering};

use evidentia_ledger::{EntryRef, Failure, FailureReason, Hash};
use futures_util::StreamExt;
use sqlx::Row;
use sqlx::postgres::PgConnection;
use tokio::sync::mpsc;

use super::binary::{CopyReader, CopyRow, for_each_row};
use super::{ErrorContext, Server, quote_literal};
use crate::verify::{
    RangeScan, RangeScanner, Scope, Snapshot, TreeRow, conclude, parallelism, range_bounds,
};
use crate::{Leaves, ScannedEntry, StoreError, VerifyProgress, VerifyReport, from_i64, to_i64};

/// The async side forwards the server's COPY data in batches of about this size.
const FORWARD_BATCH: usize = 256 * 1024;

/// A verification range's worker receives rows in batches of about this size.
const RANGE_BATCH: usize = 256 * 1024;

/// Runs `sql` (a `COPY … TO STDOUT (FORMAT binary)`) on `conn` and hands its rows to `consume`
/// on a blocking thread. A server error wins over what the consumer made of the cut-off data;
/// if the consumer stops early, the rest is still read, so the connection stays usable.
async fn copy_out<T, F>(
    conn: &mut PgConnection,
    sql: &str,
    errors: &ErrorContext,
    consume: F,
) -> Result<T, StoreError>
where
    T: Send + 'static,
    F: FnOnce(&mut CopyReader) -> Result<T, StoreError> + Send + 'static,
{
    let (sender, receiver) = mpsc::channel::<Vec<u8>>(8);
    let consumer = tokio::task::spawn_blocking(move || consume(&mut CopyReader::new(receiver)));
    let forwarded = async {
        let mut stream = conn.copy_out_raw(sql).await?;
        let mut batch = Vec::with_capacity(FORWARD_BATCH);
        let mut open = true;
        while let Some(chunk) = stream.next().await {
            let chunk = chunk?;
            if !open {
                continue;
            }
            batch.extend_from_slice(&chunk);
            if batch.len() >= FORWARD_BATCH {
                let full = std::mem::replace(&mut batch, Vec::with_capacity(FORWARD_BATCH));
                open = sender.send(full).await.is_ok();
            }
        }
        if open && !batch.is_empty() {
            let _ = sender.send(batch).await;
        }
        Ok::<_, sqlx::Error>(())
    }
    .await;
    drop(sender);
    let consumed = consumer
        .await
        .map_err(|e| StoreError::Corrupt(format!("reading the ledger stopped: {e}")))?;
    forwarded.map_err(|e| errors.map(e))?;
    consumed
}

/// Borrows one COPY row of the seven ledger columns as an entry; a field of the wrong shape is
/// a malformed entry, as in a file.
fn entry_of<'a>(row: &CopyRow<'a>) -> Result<EntryRef<'a>, Failure> {
    let seq = row.int8(0).and_then(|s| u64::try_from(s).ok()).unwrap_or(0);
    let malformed = |what: String| Failure {
        seq,
        reason: FailureReason::Malformed(what),
    };
    let text = |idx: usize, name: &str| {
        row.text(idx)
            .ok_or_else(|| malformed(format!("{name} is not UTF-8 text")))
    };
    let bytes = |idx: usize, name: &str| {
        row.get(idx)
            .ok_or_else(|| malformed(format!("{name} is missing")))
    };
    let hash = |idx: usize, name: &str| {
        Hash::from_slice(bytes(idx, name)?)
            .ok_or_else(|| malformed(format!("{name} is not 32 bytes")))
    };
    Ok(EntryRef {
        seq,
        kind: text(1, "kind")?,
        recorded_at: text(2, "recorded time")?,
        payload: bytes(3, "payload")?,
        payload_hash: hash(4, "payload hash")?,
        prev_hash: hash(5, "previous hash")?,
        entry_hash: hash(6, "entry hash")?,
    })
}

/// One verification range being fed on its own thread.
struct RangeFeed {
    /// `None` once the range has all its rows, so its worker can finish.
    rows: Option<std::sync::mpsc::SyncSender<Vec<u8>>>,
    batch: Vec<u8>,
}

impl RangeFeed {
    fn send(&mut self) {
        if self.batch.is_empty() {
            return;
        }
        let batch = std::mem::replace(&mut self.batch, Vec::with_capacity(RANGE_BATCH));
        if let Some(rows) = &self.rows {
            // A worker that stopped at a failure has nothing more to read.
            let _ = rows.send(batch);
        }
    }

    fn close(&mut self) {
        self.send();
        self.rows = None;
    }
}

impl Server {
    /// Verifies everything in one `REPEATABLE READ READ ONLY` snapshot: the same checks and
    /// report as a file's, with the entries split into the same parallel ranges.
    pub(crate) async fn verify(
        &self,
        scope: Scope,
        progress: impl FnMut(VerifyProgress) + Send + 'static,
    ) -> Result<VerifyReport, StoreError> {
        let errors = self.errors();
        let mut tx = self
            .pool()
            .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            .await
            .map_err(|e| errors.map(e))?;
        let report = verify_on(&mut tx, &errors, Some(self), scope, progress).await?;
        tx.rollback().await.map_err(|e| errors.map(e))?;
        Ok(report)
    }

    /// Folds `visit` over the entries of these kinds in `1..=upto`, in order, on a blocking
    /// thread; the kinds are filtered by the server.
    pub(crate) async fn scan_kinds<T, F>(
        &self,
        kinds: Vec<String>,
        upto: u64,
        state: T,
        mut visit: F,
    ) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnMut(&mut T, ScannedEntry<'_>) -> Result<(), StoreError> + Send + 'static,
    {
        if kinds.is_empty() {
            return Ok(state);
        }
        let list = kinds
            .iter()
            .map(|k| quote_literal(k))
            .collect::<Result<Vec<_>, _>>()?
            .join(", ");
        let upto = to_i64(upto)?;
        let sql = format!(
            "COPY (SELECT seq, kind, payload FROM ledger_entries \
             WHERE kind IN ({list}) AND seq BETWEEN 1 AND {upto} ORDER BY seq) \
             TO STDOUT (FORMAT binary)"
        );
        let errors = self.errors();
        let mut conn = self.pool().acquire().await.map_err(|e| errors.map(e))?;
        copy_out(&mut conn, &sql, &errors, move |reader| {
            let mut state = state;
            while let Some(row) = reader.next_row()? {
                let seq = row.int8(0).unwrap_or(0);
                let (Some(kind), Some(payload)) = (row.text(1), row.get(2)) else {
                    return Err(StoreError::Corrupt(format!("entry {seq}: unreadable row")));
                };
                visit(
                    &mut state,
                    ScannedEntry {
                        seq: from_i64(seq)?,
                        kind,
                        payload,
                    },
                )?;
            }
            Ok(state)
        })
        .await
    }

    /// The entry hashes of entries `1..=upto`, in order.
    pub(crate) async fn entry_hashes(&self, upto: u64) -> Result<Vec<Hash>, StoreError> {
        let limit = to_i64(upto)?;
        let sql = format!(
            "COPY (SELECT seq, entry_hash FROM ledger_entries \
             WHERE seq BETWEEN 1 AND {limit} ORDER BY seq) TO STDOUT (FORMAT binary)"
        );
        let errors = self.errors();
        let mut conn = self.pool().acquire().await.map_err(|e| errors.map(e))?;
        copy_out(&mut conn, &sql, &errors, move |reader| {
            let mut leaves = Leaves::new(upto);
            while let Some(row) = reader.next_row()? {
                leaves.push(row.int8(0).unwrap_or(0), row.get(1).unwrap_or_default())?;
            }
            leaves.finish()
        })
        .await
    }
}

/// Splits the ordered rows into verification ranges, each checked on its own thread as its
/// rows arrive; a range starts from the stored hash of the row before it, as in a file.
fn verify_rows(
    reader: &mut CopyReader,
    snapshot: Snapshot,
    progress: &mut impl FnMut(VerifyProgress),
) -> Result<crate::verify::ChainVerdict, StoreError> {
    let total = snapshot.total;
    let wanted = snapshot.wanted();
    let ranges = range_bounds(total, parallelism());
    let checked = AtomicU64::new(0);
    let (bounds, scans) = std::thread::scope(|scope| {
        let mut feeds: Vec<RangeFeed> = Vec::new();
        let mut workers = Vec::new();
        let mut bounds = Vec::new();
        // The last row seen: its seq and stored entry hash, the next range's start.
        let mut last: Option<(u64, Hash)> = None;
        let open_until = |index: usize,
                          last: Option<(u64, Hash)>,
                          feeds: &mut Vec<RangeFeed>,
                          workers: &mut Vec<_>,
                          bounds: &mut Vec<(u64, u64, Hash)>| {
            while feeds.len() <= index {
                let (from, to) = ranges[feeds.len()];
                let start_head = match last {
                    Some((seq, hash)) if seq + 1 == from => hash,
                    _ => Hash::ZERO,
                };
                let (rows, received) = std::sync::mpsc::sync_channel::<Vec<u8>>(4);
                let wanted = &wanted;
                let checked = &checked;
                workers.push(scope.spawn(move || {
                    let mut scanner = RangeScanner::new(from, to, start_head, wanted, checked);
                    let mut going = true;
                    for batch in received {
                        if !going {
                            continue;
                        }
                        for_each_row(&batch, |row| {
                            going = scanner.push(entry_of(&row));
                            going
                        })?;
                    }
                    Ok::<RangeScan, StoreError>(scanner.finish())
                }));
                bounds.push((from, to, start_head));
                feeds.push(RangeFeed {
                    rows: Some(rows),
                    batch: Vec::with_capacity(RANGE_BATCH),
                });
            }
        };
        let mut read = || -> Result<(), StoreError> {
            let mut rows = 0u64;
            while let Some(row) = reader.next_row()? {
                let seq = row.int8(0).and_then(|s| u64::try_from(s).ok()).unwrap_or(0);
                let index = ranges
                    .iter()
                    .position(|(_, to)| seq <= *to)
                    .unwrap_or(ranges.len() - 1);
                if feeds.len() <= index {
                    // The ranges before have all their rows: let their workers finish.
                    feeds.iter_mut().for_each(RangeFeed::close);
                    open_until(index, last, &mut feeds, &mut workers, &mut bounds);
                }
                let feed = &mut feeds[index];
                feed.batch.extend_from_slice(row.raw());
                if feed.batch.len() >= RANGE_BATCH {
                    feed.send();
                }
                let hash = row.get(6).and_then(Hash::from_slice).unwrap_or_default();
                last = Some((seq, hash));
                rows += 1;
                if rows % 16_384 == 0 {
                    progress(VerifyProgress {
                        entries_checked: checked.load(Ordering::Relaxed),
                        entries_total: total,
                    });
                }
            }
            Ok(())
        };
        let outcome = read();
        open_until(
            ranges.len() - 1,
            last,
            &mut feeds,
            &mut workers,
            &mut bounds,
        );
        feeds.iter_mut().for_each(RangeFeed::close);
        let scans: Vec<Result<RangeScan, StoreError>> = workers
            .into_iter()
            .map(|w| {
                w.join().unwrap_or_else(|_| {
                    Err(StoreError::Corrupt("verification thread failed".into()))
                })
            })
            .collect();
        outcome.map(|()| (bounds, scans))
    })?;
    conclude(&snapshot, &bounds, scans)
}

/// Verifies what `conn` sees: in its transaction, which the caller begins (a read-only
/// snapshot, or a copy's write transaction before it commits) and ends.
///
/// With `lanes`, a large ledger's ranges are read side by side, each on a connection of its own
/// that imports this transaction's snapshot (`pg_export_snapshot`), as a file's ranges each have
/// their own connection; without (a copy's write transaction, whose rows no other session can
/// see yet), one `COPY` is split into the ranges as it arrives.
pub(crate) async fn verify_on(
    tx: &mut PgConnection,
    errors: &ErrorContext,
    lanes: Option<&Server>,
    scope: Scope,
    mut progress: impl FnMut(VerifyProgress) + Send + 'static,
) -> Result<VerifyReport, StoreError> {
    let map = |e| errors.map(e);
    let row = sqlx::query("SELECT max(seq), min(seq) FROM ledger_entries")
        .fetch_one(&mut *tx)
        .await
        .map_err(map)?;
    let total: Option<i64> = row.get(0);
    let total = u64::try_from(total.unwrap_or(0)).unwrap_or(0);
    let checkpoints = sqlx::query("SELECT id, entry_count, head_hash FROM checkpoints ORDER BY id")
        .fetch_all(&mut *tx)
        .await
        .map_err(map)?
        .iter()
        .map(|r| {
            let hash: Vec<u8> = r.get(2);
            (
                u64::try_from(r.get::<i64, _>(0)).unwrap_or(0),
                u64::try_from(r.get::<i64, _>(1)).unwrap_or(u64::MAX),
                Hash::from_slice(&hash).unwrap_or_default(),
            )
        })
        .collect();
    let trees: Vec<TreeRow> = sqlx::query(
        "SELECT id, tree_root, note FROM checkpoints WHERE tree_root IS NOT NULL ORDER BY id",
    )
    .fetch_all(&mut *tx)
    .await
    .map_err(map)?
    .iter()
    .map(|r| {
        let note: Option<String> = r.get(2);
        (
            u64::try_from(r.get::<i64, _>(0)).unwrap_or(0),
            r.get::<Vec<u8>, _>(1),
            note.unwrap_or_default(),
        )
    })
    .collect();
    let workspace_id: String =
        sqlx::query_scalar("SELECT value FROM workspace_meta WHERE key = 'workspace_id'")
            .fetch_optional(&mut *tx)
            .await
            .map_err(map)?
            .unwrap_or_default();
    let snapshot = Snapshot {
        total,
        lowest: row.get(1),
        checkpoints,
        trees,
        workspace_id,
    };
    let ranges = range_bounds(total, parallelism());
    let verdict = match lanes {
        Some(server) if ranges.len() > 1 => {
            let id: String = sqlx::query_scalar("SELECT pg_export_snapshot()")
                .fetch_one(&mut *tx)
                .await
                .map_err(map)?;
            let mut bounds = Vec::with_capacity(ranges.len());
            for (from, to) in ranges {
                let start_head = if from == 1 {
                    Hash::ZERO
                } else {
                    // A missing or malformed predecessor is reported by the range that owns it.
                    sqlx::query_scalar::<_, Vec<u8>>(
                        "SELECT entry_hash FROM ledger_entries WHERE seq = $1",
                    )
                    .bind(to_i64(from - 1)?)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(map)?
                    .and_then(|h| Hash::from_slice(&h))
                    .unwrap_or_default()
                };
                bounds.push((from, to, start_head));
            }
            let scans = scan_lanes(
                server,
                &id,
                &bounds,
                snapshot.wanted(),
                total,
                &mut progress,
            )
            .await;
            let verdict = conclude(&snapshot, &bounds, scans)?;
            progress(VerifyProgress {
                entries_checked: verdict.verified,
                entries_total: total,
            });
            verdict
        }
        _ => {
            let sql = format!(
                "COPY (SELECT seq, kind, recorded_at, payload, payload_hash, prev_hash, entry_hash \
                 FROM ledger_entries WHERE seq BETWEEN 1 AND {total} ORDER BY seq) \
                 TO STDOUT (FORMAT binary)"
            );
            copy_out(tx, &sql, errors, move |reader| {
                let verdict = verify_rows(reader, snapshot, &mut progress)?;
                progress(VerifyProgress {
                    entries_checked: verdict.verified,
                    entries_total: total,
                });
                Ok(verdict)
            })
            .await?
        }
    };
    let artifacts = match scope {
        Scope::ChainAndCheckpoints => None,
        Scope::Everything => {
            let mut audit = verdict.artifact_audit();
            let artifacts =
                sqlx::query("SELECT sha256, size, chunk_count FROM artifacts ORDER BY sha256")
                    .fetch_all(&mut *tx)
                    .await
                    .map_err(map)?;
            for artifact in &artifacts {
                let sha: Vec<u8> = artifact.get(0);
                let Some(mut check) = audit.artifact(&sha, artifact.get(1), artifact.get(2)) else {
                    continue;
                };
                let mut chunks = sqlx::query(
                    "SELECT idx, data FROM artifact_chunks WHERE sha256 = $1 ORDER BY idx",
                )
                .bind(&sha)
                .fetch(&mut *tx);
                while let Some(chunk) = chunks.next().await {
                    let chunk = chunk.map_err(map)?;
                    if !check.chunk(chunk.get(0), chunk.try_get::<&[u8], _>(1).ok()) {
                        break;
                    }
                }
                drop(chunks);
                audit.end(check);
            }
            Some(audit)
        }
    };
    Ok(verdict.report(artifacts))
}

/// Verifies each range on a connection of its own, in the snapshot `snapshot_id`, reporting
/// progress while they run.
async fn scan_lanes(
    server: &Server,
    snapshot_id: &str,
    bounds: &[(u64, u64, Hash)],
    wanted: Vec<u64>,
    total: u64,
    progress: &mut impl FnMut(VerifyProgress),
) -> Vec<Result<RangeScan, StoreError>> {
    let wanted = std::sync::Arc::new(wanted);
    let checked = std::sync::Arc::new(AtomicU64::new(0));
    let lanes = bounds.iter().map(|&(from, to, start_head)| {
        let wanted = wanted.clone();
        let checked = checked.clone();
        async move {
            let errors = server.errors();
            if !snapshot_id
                .bytes()
                .all(|b| b.is_ascii_hexdigit() || b == b'-')
            {
                return Err(StoreError::Corrupt(format!(
                    "unexpected snapshot id {snapshot_id:?}"
                )));
            }
            let mut tx = server
                .pool()
                .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                .await
                .map_err(|e| errors.map(e))?;
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "SET TRANSACTION SNAPSHOT '{snapshot_id}'"
            )))
            .execute(&mut *tx)
            .await
            .map_err(|e| errors.map(e))?;
            let sql = format!(
                "COPY (SELECT seq, kind, recorded_at, payload, payload_hash, prev_hash, entry_hash \
                 FROM ledger_entries WHERE seq BETWEEN {from} AND {to} ORDER BY seq) \
                 TO STDOUT (FORMAT binary)"
            );
            let scan = copy_out(&mut tx, &sql, &errors, move |reader| {
                let mut scanner = RangeScanner::new(from, to, start_head, &wanted, &checked);
                while let Some(row) = reader.next_row()? {
                    if !scanner.push(entry_of(&row)) {
                        break;
                    }
                }
                Ok(scanner.finish())
            })
            .await;
            let _ = tx.rollback().await;
            scan
        }
    });
    let mut all = std::pin::pin!(futures_util::future::join_all(lanes));
    loop {
        tokio::select! {
            scans = &mut all => return scans,
            () = tokio::time::sleep(std::time::Duration::from_millis(50)) => progress(VerifyProgress {
                entries_checked: checked.load(Ordering::Relaxed),
                entries_total: total,
            }),
        }
    }
}
