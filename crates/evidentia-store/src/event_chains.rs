//! The event-chain projection: a rebuildable cache of the last recorded analysis's chains, so a
//! million events page and filter in SQLite rather than in memory. Not evidence: nothing in the
//! ledger commits to these rows, verification ignores them and the next analysis replaces them.

use std::collections::HashMap;
use std::path::Path;

use evidentia_ledger::Hash;
use sqlx::Row;
use tokio::sync::mpsc;

use crate::{Backend, StoreError, Workspace, from_i64, to_i64};

/// One event of the projection as the writer receives it. `links` is opaque to the store: the
/// façade encodes each system's links there (a compact binary encoding naming shared texts by
/// term number) and decodes them again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventChainRow {
    pub event_seq: u64,
    pub event_id: String,
    pub identity: String,
    pub identity_kind: String,
    pub event_kind: String,
    pub effective_at: String,
    pub status: String,
    /// Each system the event had to reach, once, with that system's own (worst) status.
    pub systems: Vec<(String, String)>,
    pub links: Vec<u8>,
    /// Texts this event's links name for the first time in the run (system ids, note
    /// templates): they become terms `terms so far`, `terms so far + 1`, ... in this order.
    pub new_terms: Vec<String>,
}

/// One row of a page: everything but the links.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventChainSummary {
    /// 0-based rank in the run's order (effective time, then ledger seq).
    pub position: u64,
    pub event_seq: u64,
    pub event_id: String,
    pub identity: String,
    pub identity_kind: String,
    pub event_kind: String,
    pub effective_at: String,
    /// The worst link status; with a system filter, that system's.
    pub status: String,
    /// System ids, comma-separated.
    pub systems: String,
}

/// Equality filters the projection has indexes for, and an identity prefix.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventChainFilter {
    pub event_kind: Option<String>,
    pub identity_kind: Option<String>,
    pub system: Option<String>,
    pub status: Option<String>,
    /// Identities starting with this text, case-insensitively.
    pub identity_prefix: Option<String>,
}

impl EventChainFilter {
    fn is_empty(&self) -> bool {
        *self == EventChainFilter::default()
    }
}

/// The run a projection was written from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProjectionRun {
    pub run_seq: u64,
    pub events: u64,
}

/// How many events match a filter; `capped` when counting stopped at [`COUNT_CAP`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventCount {
    pub events: u64,
    pub capped: bool,
}

/// Identity-prefix filters are counted row by row (no precomputed count can serve free text);
/// counting stops here so a prefix that matches almost everything stays fast.
pub const COUNT_CAP: u64 = 10_000;

/// A ledger entry an evidence link rests on, as the chain detail shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryRef {
    pub seq: u64,
    pub kind: String,
    pub recorded_at: String,
    pub entry_hash: Hash,
}

#[derive(Debug)]
enum WriterMessage {
    Row(Box<EventChainRow>),
    Commit,
}

/// Streams one run's chains into the projection in one transaction on a blocking thread, so a
/// million chains never sit in memory at once. Dropped without [`EventChainWriter::finish`], the
/// transaction rolls back and the previous projection stays.
#[derive(Debug)]
pub struct EventChainWriter {
    rows: mpsc::Sender<WriterMessage>,
    done: tokio::task::JoinHandle<Result<u64, StoreError>>,
}

const QUEUE_DEPTH: usize = 4096;

impl EventChainWriter {
    /// Queues one event; fails only if the writer already stopped (its error comes from
    /// [`EventChainWriter::finish`]).
    pub async fn push(&mut self, row: EventChainRow) -> Result<(), StoreError> {
        if self
            .rows
            .send(WriterMessage::Row(Box::new(row)))
            .await
            .is_err()
        {
            return Err(StoreError::Corrupt(
                "the event-chain writer stopped early".into(),
            ));
        }
        Ok(())
    }

    /// Commits the projection and returns how many events it holds.
    pub async fn finish(self) -> Result<u64, StoreError> {
        // If the writer stopped, the send fails and its own error is the one to report.
        let _ = self.rows.send(WriterMessage::Commit).await;
        drop(self.rows);
        self.done
            .await
            .map_err(|e| StoreError::Corrupt(format!("writing the event chains stopped: {e}")))?
    }
}

impl Workspace {
    /// Starts replacing the projection with the chains of the `analysis.run` entry `run_seq`.
    /// On a server workspace the projection is this client's local cache, which a reader may
    /// write too (docs/team-workspace-design.md §2.9).
    pub fn event_chain_writer(&self, run_seq: u64) -> Result<EventChainWriter, StoreError> {
        if !self.location().is_server() {
            self.require_write()?;
        }
        let (rows, receiver) = mpsc::channel(QUEUE_DEPTH);
        let workspace = self.clone();
        let done = tokio::spawn(async move {
            let (path, _) = workspace.projection().await?;
            // A client's cache names the run by its entry hash too: two databases holding
            // copies of one workspace, each analysed at the same seq, share a cache file.
            let run_hash = if workspace.location().is_server() {
                Some(workspace.run_entry_hash(run_seq).await?.ok_or_else(|| {
                    StoreError::Corrupt(format!("entry {run_seq} is not in the ledger"))
                })?)
            } else {
                None
            };
            tokio::task::spawn_blocking(move || write_blocking(&path, run_seq, run_hash, receiver))
                .await
                .map_err(|e| {
                    StoreError::Corrupt(format!("writing the event chains stopped: {e}"))
                })?
        });
        Ok(EventChainWriter { rows, done })
    }

    /// The run the projection holds, or `None` when no analysis has been recorded since the
    /// workspace gained the projection in its current shape (or it predates format 4 and was
    /// opened read-only).
    pub async fn event_chain_run(&self) -> Result<Option<ProjectionRun>, StoreError> {
        if !self.has_projection().await? {
            return Ok(None);
        }
        let (_, pool) = self.projection().await?;
        let row = sqlx::query("SELECT run_seq, events FROM event_chain_runs LIMIT 1")
            .fetch_optional(&pool)
            .await?;
        let run = row
            .map(|r| {
                Ok::<_, StoreError>(ProjectionRun {
                    run_seq: from_i64(r.get(0))?,
                    events: from_i64(r.get(1))?,
                })
            })
            .transpose()?;
        match run {
            Some(run) if self.location().is_server() => {
                // A client's cache holds this workspace's run only if the hash it was written
                // for is the ledger's entry at that seq (else: another copy's run, or a cache
                // from before the hash was kept; the caller judges the run again).
                let cached: Option<Vec<u8>> =
                    sqlx::query_scalar("SELECT run_hash FROM projection_source WHERE run_seq = ?")
                        .bind(to_i64(run.run_seq)?)
                        .fetch_optional(&pool)
                        .await
                        .ok()
                        .flatten();
                let ledger = self.run_entry_hash(run.run_seq).await?;
                Ok((cached.is_some() && cached == ledger.map(|h| h.0.to_vec())).then_some(run))
            }
            run => Ok(run),
        }
    }

    /// The hash of entry `seq`, if the ledger holds it.
    async fn run_entry_hash(&self, seq: u64) -> Result<Option<Hash>, StoreError> {
        Ok(self
            .entry_refs(&[seq])
            .await?
            .into_iter()
            .find(|r| r.seq == seq)
            .map(|r| r.entry_hash))
    }

    async fn has_projection(&self) -> Result<bool, StoreError> {
        let (_, pool) = self.projection().await?;
        let row = sqlx::query(
            // `event_chain_terms` came with the compact links (format 4): an older projection,
            // in a file opened read-only before it could be migrated, is not read.
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'event_chain_terms'",
        )
        .fetch_optional(&pool)
        .await?;
        Ok(row.is_some())
    }

    /// Up to `limit` events matching `filter`, from the `offset`-th match on, in run order, and
    /// how many match in all. Runs on a blocking thread through rusqlite: finding a deep page
    /// takes a few hundred index seeks, which sqlx's per-query round trip would make slow.
    pub async fn event_chain_page(
        &self,
        filter: &EventChainFilter,
        offset: u64,
        limit: u64,
    ) -> Result<(Vec<EventChainSummary>, EventCount), StoreError> {
        let (path, _) = self.projection().await?;
        let filter = filter.clone();
        tokio::task::spawn_blocking(move || page_blocking(&path, &filter, offset, limit))
            .await
            .map_err(|e| StoreError::Corrupt(format!("reading the event chains stopped: {e}")))?
    }

    /// The distinct systems and statuses in the projection, for the filter menus.
    pub async fn event_chain_facets(&self) -> Result<(Vec<String>, Vec<String>), StoreError> {
        let (_, pool) = self.projection().await?;
        let systems = sqlx::query(
            "SELECT DISTINCT system FROM event_chain_combos WHERE system <> '' ORDER BY system",
        )
        .fetch_all(&pool)
        .await?
        .iter()
        .map(|r| r.get::<String, _>(0))
        .collect();
        let statuses =
            sqlx::query("SELECT DISTINCT status FROM event_chain_combos ORDER BY status")
                .fetch_all(&pool)
                .await?
                .iter()
                .map(|r| r.get::<String, _>(0))
                .collect();
        Ok((systems, statuses))
    }

    /// One event of the projection with its encoded links.
    pub async fn event_chain(
        &self,
        event_seq: u64,
    ) -> Result<Option<(EventChainSummary, Vec<u8>)>, StoreError> {
        let (_, pool) = self.projection().await?;
        let row = sqlx::query(
            "SELECT position, event_seq, event_id, identity, identity_kind, event_kind, \
             effective_at, status, systems, links FROM event_chains WHERE event_seq = ?",
        )
        .bind(to_i64(event_seq)?)
        .fetch_optional(&pool)
        .await?;
        row.map(|r| {
            Ok((
                EventChainSummary {
                    position: from_i64(r.get(0))?,
                    event_seq: from_i64(r.get(1))?,
                    event_id: r.get(2),
                    identity: r.get(3),
                    identity_kind: r.get(4),
                    event_kind: r.get(5),
                    effective_at: r.get(6),
                    status: r.get(7),
                    systems: r.get(8),
                },
                r.get(9),
            ))
        })
        .transpose()
    }

    /// The texts of these terms of the projection's run (unknown ones are left out).
    pub async fn event_chain_terms(
        &self,
        terms: &[u64],
    ) -> Result<HashMap<u64, String>, StoreError> {
        let (_, pool) = self.projection().await?;
        let mut texts = HashMap::with_capacity(terms.len());
        for &term in terms {
            if texts.contains_key(&term) {
                continue;
            }
            let row = sqlx::query("SELECT text FROM event_chain_terms WHERE term = ?")
                .bind(to_i64(term)?)
                .fetch_optional(&pool)
                .await?;
            if let Some(r) = row {
                texts.insert(term, r.get(0));
            }
        }
        Ok(texts)
    }

    /// The ledger entries with these sequence numbers (unknown ones are left out), in order.
    pub async fn entry_refs(&self, seqs: &[u64]) -> Result<Vec<EntryRef>, StoreError> {
        let pool = match self.backend() {
            Backend::Sqlite { pool, .. } => pool,
            Backend::Postgres(server) => return server.entry_refs(seqs).await,
        };
        let mut refs = Vec::with_capacity(seqs.len());
        let mut sorted: Vec<u64> = seqs.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        for seq in sorted {
            let row = sqlx::query(
                "SELECT seq, kind, recorded_at, entry_hash FROM ledger_entries WHERE seq = ?",
            )
            .bind(to_i64(seq)?)
            .fetch_optional(pool)
            .await?;
            if let Some(r) = row {
                let hash: Vec<u8> = r.get(3);
                refs.push(EntryRef {
                    seq: from_i64(r.get(0))?,
                    kind: r.get(1),
                    recorded_at: r.get(2),
                    entry_hash: Hash::from_slice(&hash).ok_or_else(|| {
                        StoreError::Corrupt(format!("entry {seq}: hash is not 32 bytes"))
                    })?,
                });
            }
        }
        Ok(refs)
    }
}

fn escape_like(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

type Combo = (String, String, String, String);

fn rusqlite_err(path: &Path) -> impl Fn(rusqlite::Error) -> StoreError + '_ {
    move |e| StoreError::Io {
        path: path.to_owned(),
        source: std::io::Error::other(e),
    }
}

/// Rows per multi-row `INSERT`: one statement execution per batch instead of per row, well under
/// SQLite's limit of 32,766 bound values.
const EVENT_BATCH: usize = 100;
const INDEX_BATCH: usize = 300;

/// The projection's lookup indexes on `event_chains` (as migration 0004 creates them). The
/// writer drops them before a bulk write and builds each once, sorted, at the end: cheaper than
/// keeping them ordered through a million random inserts.
const EVENT_INDEXES: [(&str, &str); 2] = [
    (
        "event_chains_by_seq",
        "CREATE UNIQUE INDEX event_chains_by_seq ON event_chains (event_seq)",
    ),
    (
        "event_chains_by_identity",
        "CREATE INDEX event_chains_by_identity ON event_chains (identity, position)",
    ),
];

/// The writer's page cache (KiB, as `PRAGMA cache_size` takes it negated). Only this
/// connection's memory: durability and the ledger's connections are unaffected.
const WRITER_CACHE_KIB: i64 = 64 * 1024;

/// One table's pending rows, inserted `rows` at a time by one prepared multi-row statement.
struct BatchInsert<'c> {
    head: &'static str,
    columns: usize,
    rows: usize,
    full: rusqlite::Statement<'c>,
    values: Vec<rusqlite::types::Value>,
}

fn values_sql(head: &str, columns: usize, rows: usize) -> String {
    let row = format!("({})", vec!["?"; columns].join(", "));
    format!("{head} VALUES {}", vec![row; rows].join(", "))
}

impl<'c> BatchInsert<'c> {
    fn new(
        tx: &'c rusqlite::Transaction<'_>,
        head: &'static str,
        columns: usize,
        rows: usize,
    ) -> rusqlite::Result<Self> {
        Ok(BatchInsert {
            head,
            columns,
            rows,
            full: tx.prepare(&values_sql(head, columns, rows))?,
            values: Vec::with_capacity(columns * rows),
        })
    }

    fn push<const N: usize>(&mut self, row: [rusqlite::types::Value; N]) -> rusqlite::Result<()> {
        debug_assert_eq!(N, self.columns);
        self.values.extend(row);
        if self.values.len() == self.columns * self.rows {
            self.full
                .execute(rusqlite::params_from_iter(self.values.drain(..)))?;
        }
        Ok(())
    }

    /// Inserts what is left (fewer than a full batch).
    fn flush(&mut self, tx: &rusqlite::Transaction<'_>) -> rusqlite::Result<()> {
        if !self.values.is_empty() {
            let rows = self.values.len() / self.columns;
            tx.prepare(&values_sql(self.head, self.columns, rows))?
                .execute(rusqlite::params_from_iter(self.values.drain(..)))?;
        }
        Ok(())
    }
}

fn write_blocking(
    path: &Path,
    run_seq: u64,
    run_hash: Option<Hash>,
    mut rows: mpsc::Receiver<WriterMessage>,
) -> Result<u64, StoreError> {
    use rusqlite::types::Value;

    let err = rusqlite_err(path);
    let mut conn = rusqlite::Connection::open_with_flags(
        path,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_WRITE | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(&err)?;
    conn.busy_timeout(std::time::Duration::from_secs(120))
        .map_err(&err)?;
    conn.pragma_update(None, "cache_size", -WRITER_CACHE_KIB)
        .map_err(&err)?;
    let tx = conn
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .map_err(&err)?;
    let mut clear = String::from(
        "DELETE FROM event_chain_runs; DELETE FROM event_chain_terms; \
         DELETE FROM event_chain_combos; DELETE FROM event_chain_index;",
    );
    for (name, _) in EVENT_INDEXES {
        clear.push_str(&format!(" DROP INDEX IF EXISTS {name};"));
    }
    clear.push_str(" DELETE FROM event_chains;");
    tx.execute_batch(&clear).map_err(&err)?;
    // Combination -> its id; and each combination's events (positions, in order: an event's
    // rank is its place here). The index rows are inserted per combination at the end, in key
    // order, so each lands at the end of the table's B-tree rather than at one of ~70
    // interleaved insertion points; 4 bytes per membership (14 MB for a million events in 3.5).
    // Combinations are found by a length-prefixed byte key built in one reused buffer, so the
    // 3.5 lookups per event allocate nothing once the combination is known.
    let mut combo_ids: HashMap<Vec<u8>, usize> = HashMap::new();
    let mut combos: Vec<Combo> = Vec::new();
    let mut key: Vec<u8> = Vec::new();
    let mut members: Vec<Vec<u32>> = Vec::new();
    let mut position: i64 = 0;
    let mut terms: i64 = 0;
    let mut committed = false;
    {
        let mut event = BatchInsert::new(
            &tx,
            "INSERT INTO event_chains (position, event_seq, event_id, identity, identity_kind, \
             event_kind, effective_at, status, systems, links)",
            10,
            EVENT_BATCH,
        )
        .map_err(&err)?;
        let mut term = tx
            .prepare("INSERT INTO event_chain_terms (term, text) VALUES (?, ?)")
            .map_err(&err)?;
        while let Some(message) = rows.blocking_recv() {
            let row = match message {
                WriterMessage::Row(row) => *row,
                WriterMessage::Commit => {
                    committed = true;
                    break;
                }
            };
            for text in &row.new_terms {
                term.execute(rusqlite::params![terms, text]).map_err(&err)?;
                terms += 1;
            }
            let names: Vec<&str> = row.systems.iter().map(|(s, _)| s.as_str()).collect();
            let names = names.join(",");
            let compact = u32::try_from(position).map_err(|_| {
                StoreError::Corrupt(format!(
                    "more than {} events in one analysis: the projection cannot hold them",
                    u32::MAX
                ))
            })?;
            let memberships = std::iter::once(("", row.status.as_str())).chain(
                row.systems
                    .iter()
                    .map(|(system, status)| (system.as_str(), status.as_str())),
            );
            for (system, status) in memberships {
                key.clear();
                for part in [system, &row.identity_kind, &row.event_kind, status] {
                    key.extend_from_slice(&(part.len() as u64).to_le_bytes());
                    key.extend_from_slice(part.as_bytes());
                }
                let id = match combo_ids.get(key.as_slice()) {
                    Some(id) => *id,
                    None => {
                        let id = combos.len();
                        combo_ids.insert(key.clone(), id);
                        combos.push((
                            system.to_owned(),
                            row.identity_kind.clone(),
                            row.event_kind.clone(),
                            status.to_owned(),
                        ));
                        members.push(Vec::new());
                        id
                    }
                };
                members[id].push(compact);
            }
            event
                .push([
                    Value::Integer(position),
                    Value::Integer(to_i64(row.event_seq)?),
                    Value::Text(row.event_id),
                    Value::Text(row.identity),
                    Value::Text(row.identity_kind),
                    Value::Text(row.event_kind),
                    Value::Text(row.effective_at),
                    Value::Text(row.status),
                    Value::Text(names),
                    Value::Blob(row.links),
                ])
                .map_err(&err)?;
            position += 1;
        }
        event.flush(&tx).map_err(&err)?;
        let mut index = BatchInsert::new(
            &tx,
            "INSERT INTO event_chain_index (combo, position, rank)",
            3,
            INDEX_BATCH,
        )
        .map_err(&err)?;
        for (id, positions) in members.iter().enumerate() {
            for (rank, position) in positions.iter().enumerate() {
                index
                    .push([
                        Value::Integer(to_i64(id as u64)?),
                        Value::Integer(i64::from(*position)),
                        Value::Integer(to_i64(rank as u64)?),
                    ])
                    .map_err(&err)?;
            }
        }
        index.flush(&tx).map_err(&err)?;
        let mut combo = tx
            .prepare(
                "INSERT INTO event_chain_combos \
                 (combo, system, identity_kind, event_kind, status, events) \
                 VALUES (?, ?, ?, ?, ?, ?)",
            )
            .map_err(&err)?;
        for (id, (system, identity_kind, event_kind, status)) in combos.iter().enumerate() {
            combo
                .execute(rusqlite::params![
                    to_i64(id as u64)?,
                    system,
                    identity_kind,
                    event_kind,
                    status,
                    to_i64(members[id].len() as u64)?
                ])
                .map_err(&err)?;
        }
    }
    if !committed {
        // The producer gave up: the transaction rolls back when dropped.
        return Err(StoreError::Corrupt(
            "writing the event chains was abandoned".into(),
        ));
    }
    for (_, create) in EVENT_INDEXES {
        tx.execute_batch(create).map_err(&err)?;
    }
    tx.execute(
        "INSERT INTO event_chain_runs (run_seq, events) VALUES (?, ?)",
        rusqlite::params![to_i64(run_seq)?, position],
    )
    .map_err(&err)?;
    if let Some(hash) = run_hash {
        // Only a client's cache of a server workspace has this table (not a workspace file,
        // whose projection is its own ledger's).
        tx.execute_batch(
            "CREATE TABLE IF NOT EXISTS projection_source (run_seq INTEGER NOT NULL, \
             run_hash BLOB NOT NULL); DELETE FROM projection_source;",
        )
        .map_err(&err)?;
        tx.execute(
            "INSERT INTO projection_source (run_seq, run_hash) VALUES (?, ?)",
            rusqlite::params![to_i64(run_seq)?, hash.0.to_vec()],
        )
        .map_err(&err)?;
    }
    tx.commit().map_err(&err)?;
    from_i64(position)
}

/// A combination matching the filter: its id, its status and how many events it holds.
struct Matching {
    id: i64,
    identity_kind: String,
    event_kind: String,
    status: String,
    events: i64,
}

const SUMMARY_SQL: &str = "SELECT position, event_seq, event_id, identity, identity_kind, \
     event_kind, effective_at, status, systems FROM event_chains";

fn summary(row: &rusqlite::Row<'_>) -> rusqlite::Result<(i64, i64, EventChainSummary)> {
    let position: i64 = row.get(0)?;
    let event_seq: i64 = row.get(1)?;
    Ok((
        position,
        event_seq,
        EventChainSummary {
            position: 0,
            event_seq: 0,
            event_id: row.get(2)?,
            identity: row.get(3)?,
            identity_kind: row.get(4)?,
            event_kind: row.get(5)?,
            effective_at: row.get(6)?,
            status: row.get(7)?,
            systems: row.get(8)?,
        },
    ))
}

fn finish_summary(
    (position, event_seq, mut s): (i64, i64, EventChainSummary),
) -> Result<EventChainSummary, StoreError> {
    s.position = from_i64(position)?;
    s.event_seq = from_i64(event_seq)?;
    Ok(s)
}

fn page_blocking(
    path: &Path,
    filter: &EventChainFilter,
    offset: u64,
    limit: u64,
) -> Result<(Vec<EventChainSummary>, EventCount), StoreError> {
    let err = rusqlite_err(path);
    let mut conn = rusqlite::Connection::open_with_flags(
        path,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(&err)?;
    conn.busy_timeout(std::time::Duration::from_secs(120))
        .map_err(&err)?;
    // One read snapshot: counts, seeks and rows agree even if an analysis replaces them.
    let tx = conn.transaction().map_err(&err)?;
    let offset = to_i64(offset)?;
    let limit = to_i64(limit)?;

    let mut sql = String::from(
        "SELECT combo, identity_kind, event_kind, status, events FROM event_chain_combos \
         WHERE system = ?",
    );
    let mut binds = vec![filter.system.clone().unwrap_or_default()];
    for (column, value) in [
        ("identity_kind", &filter.identity_kind),
        ("event_kind", &filter.event_kind),
        ("status", &filter.status),
    ] {
        if let Some(v) = value {
            sql.push_str(&format!(" AND {column} = ?"));
            binds.push(v.clone());
        }
    }
    let matching: Vec<Matching> = tx
        .prepare(&sql)
        .map_err(&err)?
        .query_map(rusqlite::params_from_iter(binds.iter()), |r| {
            Ok(Matching {
                id: r.get(0)?,
                identity_kind: r.get(1)?,
                event_kind: r.get(2)?,
                status: r.get(3)?,
                events: r.get(4)?,
            })
        })
        .map_err(&err)?
        .collect::<Result<_, _>>()
        .map_err(&err)?;

    if let Some(prefix) = &filter.identity_prefix {
        return identity_page(&tx, path, filter, prefix, &matching, offset, limit);
    }

    let total: i64 = matching.iter().map(|m| m.events).sum();
    let count = EventCount {
        events: from_i64(total)?,
        capped: false,
    };
    if offset >= total {
        return Ok((Vec::new(), count));
    }
    let mut by_position = tx
        .prepare(&format!("{SUMMARY_SQL} WHERE position = ?"))
        .map_err(&err)?;
    if filter.is_empty() {
        // Positions are dense 0..N: the offset is a position.
        let mut rows = Vec::new();
        let mut stmt = tx
            .prepare(&format!(
                "{SUMMARY_SQL} WHERE position >= ? ORDER BY position LIMIT ?"
            ))
            .map_err(&err)?;
        for row in stmt
            .query_map(rusqlite::params![offset, limit], summary)
            .map_err(&err)?
        {
            rows.push(finish_summary(row.map_err(&err)?)?);
        }
        return Ok((rows, count));
    }

    // How many matches lie before position `x`: per combination, the rank of its first event at
    // or after `x` (one index seek each).
    let mut seek = tx
        .prepare(
            "SELECT rank FROM event_chain_index WHERE combo = ? AND position >= ? \
             ORDER BY position LIMIT 1",
        )
        .map_err(&err)?;
    let mut before = |x: i64| -> Result<i64, StoreError> {
        let mut n = 0;
        for m in &matching {
            let rank: Option<i64> = seek
                .query_row(rusqlite::params![m.id, x], |r| r.get(0))
                .map(Some)
                .or_else(|e| match e {
                    rusqlite::Error::QueryReturnedNoRows => Ok(None),
                    e => Err(e),
                })
                .map_err(&err)?;
            n += rank.unwrap_or(m.events);
        }
        Ok(n)
    };
    let last: i64 = tx
        .query_row(
            "SELECT coalesce(max(position), -1) FROM event_chains",
            [],
            |r| r.get(0),
        )
        .map_err(&err)?;
    // The smallest x with `offset + 1` matches before it; the match at `offset` sits at x - 1.
    let (mut lo, mut hi) = (1, last + 1);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if before(mid)? > offset {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    let start = lo - 1;

    // The page: each combination's next events from `start`, merged in position order.
    let mut next = tx
        .prepare(
            "SELECT position FROM event_chain_index WHERE combo = ? AND position >= ? \
             ORDER BY position LIMIT ?",
        )
        .map_err(&err)?;
    let mut found: Vec<(i64, &str)> = Vec::new();
    for m in &matching {
        for position in next
            .query_map(rusqlite::params![m.id, start, limit], |r| {
                r.get::<_, i64>(0)
            })
            .map_err(&err)?
        {
            found.push((position.map_err(&err)?, m.status.as_str()));
        }
    }
    found.sort_unstable();
    found.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    let mut rows = Vec::with_capacity(found.len());
    for (position, status) in found {
        let mut row = finish_summary(by_position.query_row([position], summary).map_err(&err)?)?;
        // With a system chosen, the row shows that system's status.
        status.clone_into(&mut row.status);
        rows.push(row);
    }
    Ok((rows, count))
}

/// The identity text filter: the identity index narrows to a prefix, the other filters are
/// checked per row (with a system, by seeking the event in that system's combinations), and
/// counting stops at [`COUNT_CAP`].
fn identity_page(
    tx: &rusqlite::Transaction<'_>,
    path: &Path,
    filter: &EventChainFilter,
    prefix: &str,
    matching: &[Matching],
    offset: i64,
    limit: i64,
) -> Result<(Vec<EventChainSummary>, EventCount), StoreError> {
    let err = rusqlite_err(path);
    let mut stmt = tx
        .prepare(&format!(
            "{SUMMARY_SQL} WHERE identity LIKE ? ESCAPE '\\' ORDER BY position"
        ))
        .map_err(&err)?;
    let mut member = tx
        .prepare("SELECT 1 FROM event_chain_index WHERE combo = ? AND position = ?")
        .map_err(&err)?;
    let mut rows = Vec::new();
    let mut matched: i64 = 0;
    let cap = to_i64(COUNT_CAP)?;
    let pattern = format!("{}%", escape_like(prefix));
    let mut candidates = stmt.query([pattern]).map_err(&err)?;
    while let Some(candidate) = candidates.next().map_err(&err)? {
        let (position, seq, mut row) = summary(candidate).map_err(&err)?;
        // The combination this event falls in for the chosen system (or for any system).
        let mut status = None;
        for m in matching
            .iter()
            .filter(|m| m.identity_kind == row.identity_kind && m.event_kind == row.event_kind)
        {
            let here = member
                .exists(rusqlite::params![m.id, position])
                .map_err(&err)?;
            if here {
                status = Some(m.status.clone());
                break;
            }
        }
        let Some(status) = status else { continue };
        if matched >= offset && matched < offset + limit {
            if filter.system.is_some() {
                row.status = status;
            }
            rows.push(finish_summary((position, seq, row))?);
        }
        matched += 1;
        if matched > cap {
            break;
        }
    }
    Ok((
        rows,
        EventCount {
            events: from_i64(matched.min(cap))?,
            capped: matched > cap,
        },
    ))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.

    use super::*;
    use crate::Access;

    /// Turns a current workspace back into format 3 with a projection in the format-2 shape
    /// (links as JSON text, no terms table), as a workspace from before compact links has it.
    fn make_format_3(path: &Path) {
        let db = rusqlite::Connection::open(path).unwrap();
        db.execute_batch(
            "DROP TABLE event_chain_terms; DROP TABLE event_chains;
             CREATE TABLE event_chains (
                 position INTEGER PRIMARY KEY NOT NULL, event_seq INTEGER NOT NULL UNIQUE,
                 event_id TEXT NOT NULL, identity TEXT NOT NULL COLLATE NOCASE,
                 identity_kind TEXT NOT NULL, event_kind TEXT NOT NULL,
                 effective_at TEXT NOT NULL, status TEXT NOT NULL, systems TEXT NOT NULL,
                 links TEXT NOT NULL) STRICT;
             CREATE INDEX event_chains_by_identity ON event_chains (identity, position);
             INSERT INTO event_chains VALUES (0, 7, 'EV-1', 'alice', 'human', 'joiner',
                 '2026-01-01T00:00:00Z', 'missing', 'okta',
                 '[{\"system\":\"okta\",\"direction\":\"grant\",\"account\":null,\"deadline\":null,\"sla_secs\":null,\"status\":\"missing\",\"links\":[]}]');
             INSERT INTO event_chain_runs (run_seq, events) VALUES (9, 1);
             DELETE FROM _sqlx_migrations WHERE version = 4;
             PRAGMA user_version = 3;",
        )
        .unwrap();
    }

    fn row(seq: u64, identity: &str) -> EventChainRow {
        EventChainRow {
            event_seq: seq,
            event_id: format!("EV-{seq}"),
            identity: identity.into(),
            identity_kind: "human".into(),
            event_kind: "joiner".into(),
            effective_at: "2026-01-01T00:00:00Z".into(),
            status: "late".into(),
            systems: vec![("okta".into(), "late".into())],
            links: vec![1, 0, 0xff],
            new_terms: if seq == 1 {
                vec!["okta".into()]
            } else {
                Vec::new()
            },
        }
    }

    async fn write(
        ws: &Workspace,
        run_seq: u64,
        rows: Vec<EventChainRow>,
    ) -> Result<u64, StoreError> {
        let mut writer = ws.event_chain_writer(run_seq)?;
        for r in rows {
            writer.push(r).await?;
        }
        writer.finish().await
    }

    #[tokio::test]
    async fn an_older_projection_is_dropped_and_the_next_write_shows_events_again() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.evidentia");
        let ws = Workspace::create(&path, "old", "2026-01-01T00:00:00.000000Z", "tests")
            .await
            .unwrap();
        ws.close().await;
        make_format_3(&path);

        // Read-only, the file stays format 3: its old projection is not read as the new one.
        let ws = Workspace::open(&path, Access::ReadOnly).await.unwrap();
        assert_eq!(ws.event_chain_run().await.unwrap(), None);
        ws.close().await;

        // Opened for writing, it is migrated: the old rows are gone, no run is claimed.
        let ws = Workspace::open(&path, Access::ReadWrite).await.unwrap();
        assert_eq!(ws.event_chain_run().await.unwrap(), None);
        assert_eq!(ws.event_chain(7).await.unwrap(), None);
        let rows = (1..=3).map(|seq| row(seq, "bob")).collect();
        assert_eq!(write(&ws, 12, rows).await.unwrap(), 3);
        assert_eq!(
            ws.event_chain_run().await.unwrap(),
            Some(ProjectionRun {
                run_seq: 12,
                events: 3
            })
        );
        let (summary, links) = ws.event_chain(2).await.unwrap().unwrap();
        assert_eq!((summary.position, summary.identity.as_str()), (1, "bob"));
        assert_eq!(links, vec![1, 0, 0xff]);
        let terms = ws.event_chain_terms(&[0, 1]).await.unwrap();
        assert_eq!(terms, HashMap::from([(0, "okta".to_owned())]));
        ws.close().await;
        let db = rusqlite::Connection::open(&path).unwrap();
        let version: u32 = db
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(version, crate::FORMAT_VERSION);
    }

    #[tokio::test]
    async fn a_failed_write_keeps_the_previous_projection_and_its_indexes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ws.evidentia");
        let ws = Workspace::create(&path, "ws", "2026-01-01T00:00:00.000000Z", "tests")
            .await
            .unwrap();
        // More rows than one multi-row batch, so full batches and the remainder both run.
        let rows: Vec<EventChainRow> = (1..=EVENT_BATCH as u64 * 2 + 7)
            .map(|seq| row(seq, if seq % 2 == 0 { "Bob" } else { "alice" }))
            .collect();
        assert_eq!(
            write(&ws, 5, rows.clone()).await.unwrap(),
            rows.len() as u64
        );

        // The same event twice: the unique seq index, built at the end, refuses it whole.
        let mut twice = rows.clone();
        twice.push(row(3, "carol"));
        let err = write(&ws, 6, twice).await.unwrap_err();
        assert!(err.to_string().contains("UNIQUE"), "{err}");

        assert_eq!(
            ws.event_chain_run().await.unwrap(),
            Some(ProjectionRun {
                run_seq: 5,
                events: rows.len() as u64
            })
        );
        let filter = EventChainFilter {
            identity_prefix: Some("bo".into()),
            ..EventChainFilter::default()
        };
        let (page, count) = ws.event_chain_page(&filter, 0, 1000).await.unwrap();
        assert_eq!(count.events, rows.len() as u64 / 2);
        assert!(page.iter().all(|r| r.identity == "Bob"));
        ws.close().await;
        let db = rusqlite::Connection::open(&path).unwrap();
        let indexes: Vec<String> = db
            .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'event_chains' ORDER BY name")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(indexes, ["event_chains_by_identity", "event_chains_by_seq"]);
    }
}
