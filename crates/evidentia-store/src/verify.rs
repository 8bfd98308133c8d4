//! Verification over the stored bytes: the chain, the checkpoints and every artifact.

use std::collections::BTreeMap;

use std::path::Path;

use evidentia_ledger::{
    Entry, EntryRef, Failure, FailureReason, Hash, RootBuilder, Verifier, VerifierKey,
};
use rusqlite::types::ValueRef;
use sha2::{Digest, Sha256};

use crate::{ARTIFACT_ENTRY_KIND, Backend, StoreError, Workspace};

/// How far verification has got, for progress bars.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VerifyProgress {
    pub entries_checked: u64,
    pub entries_total: u64,
}

/// The outcome of a verification: what was checked, and the first failure if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyReport {
    /// Entries that verified (all of them when `failure` is `None`).
    pub entries: u64,
    /// The hash of the last entry that verified.
    pub head: Hash,
    /// The RFC 9162 Merkle tree root over the entries that verified.
    pub tree_root: Hash,
    pub artifacts: u64,
    pub artifact_bytes: u64,
    pub checkpoints: u64,
    /// The first failing position and why; `None` means intact.
    pub failure: Option<Failure>,
}

impl VerifyReport {
    /// True when nothing failed.
    pub fn is_intact(&self) -> bool {
        self.failure.is_none()
    }
}

/// One `SELECT seq, kind, recorded_at, payload, payload_hash, prev_hash, entry_hash` row as
/// an entry, on either backend; a field of the wrong type or size is the entry's failure.
pub(crate) fn entry_from_row<'r, R>(row: &'r R) -> Result<Entry, Failure>
where
    R: sqlx::Row,
    usize: sqlx::ColumnIndex<R>,
    i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    Vec<u8>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    &'r [u8]: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    let seq: i64 = row.get(0);
    let seq_u = u64::try_from(seq).unwrap_or(0);
    let malformed = |what: &str| Failure {
        seq: seq_u,
        reason: FailureReason::Malformed(what.to_owned()),
    };
    let hash = |idx: usize, name: &str| -> Result<Hash, Failure> {
        let bytes: &[u8] = row
            .try_get(idx)
            .map_err(|_| malformed(&format!("{name} is not bytes")))?;
        Hash::from_slice(bytes).ok_or_else(|| malformed(&format!("{name} is not 32 bytes")))
    };
    Ok(Entry {
        seq: seq_u,
        kind: row.try_get(1).map_err(|_| malformed("kind is not text"))?,
        recorded_at: row
            .try_get(2)
            .map_err(|_| malformed("recorded time is not text"))?,
        payload: row
            .try_get(3)
            .map_err(|_| malformed("payload is not bytes"))?,
        payload_hash: hash(4, "payload hash")?,
        prev_hash: hash(5, "previous hash")?,
        entry_hash: hash(6, "entry hash")?,
    })
}

impl Workspace {
    /// Recomputes every hash from the stored bytes and names the first entry that fails.
    ///
    /// Checks, in order of sequence: each entry's payload hash, entry hash and link to its
    /// predecessor, with no gaps; every checkpoint against the entry at its position; every
    /// artifact's chunks against its content address and the `artifact.stored` entry that
    /// commits to it. The reported failure is the one with the lowest sequence number.
    ///
    /// Everything is read in one snapshot, even while another client appends: for a file, one
    /// read transaction through rusqlite on blocking threads (sqlx's per-row channel cost more
    /// than the hashing itself; see docs/benchmarks.md); on PostgreSQL, one `REPEATABLE READ
    /// READ ONLY` transaction whose entries arrive as a binary COPY.
    pub async fn verify(
        &self,
        progress: impl FnMut(VerifyProgress) + Send + 'static,
    ) -> Result<VerifyReport, StoreError> {
        self.verify_scope(Scope::Everything, progress).await
    }

    /// Verifies the chain and the checkpoints but not the artifacts' bytes: what every
    /// reader of entries runs first, so that it reads only what verification covers
    /// (docs/ledger-format.md §19). Artifacts are verified where they are read (packs).
    pub async fn verify_chain(&self) -> Result<VerifyReport, StoreError> {
        self.verify_scope(Scope::ChainAndCheckpoints, |_| {}).await
    }

    async fn verify_scope(
        &self,
        scope: Scope,
        progress: impl FnMut(VerifyProgress) + Send + 'static,
    ) -> Result<VerifyReport, StoreError> {
        match self.backend() {
            Backend::Sqlite { path, .. } => {
                let path = path.clone();
                tokio::task::spawn_blocking(move || verify_file(&path, scope, progress))
                    .await
                    .map_err(|e| StoreError::Corrupt(format!("verification stopped: {e}")))?
            }
            Backend::Postgres(server) => server.verify(scope, progress).await,
        }
    }
}

fn sql_err(path: &Path) -> impl Fn(rusqlite::Error) -> StoreError + '_ {
    move |e| StoreError::Io {
        path: path.to_owned(),
        source: std::io::Error::other(e),
    }
}

/// What a verification covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scope {
    Everything,
    ChainAndCheckpoints,
}

/// The entry kind that records the workspace's public signing key (docs/ledger-format.md §17).
pub const SIGNING_KEY_ENTRY_KIND: &str = "signing_key.added";

/// What verification reads before the entries, from the same snapshot.
pub(crate) struct Snapshot {
    /// The highest sequence number stored (0 for none).
    pub total: u64,
    /// The lowest sequence number stored, when there are rows.
    pub lowest: Option<i64>,
    /// `(id, entry_count, head_hash)` of every checkpoint, by id.
    pub checkpoints: Vec<(u64, u64, Hash)>,
    pub trees: Vec<TreeRow>,
    pub workspace_id: String,
}

impl Snapshot {
    /// The entry counts the checkpoints name: the scans keep the hashes at those positions.
    pub fn wanted(&self) -> Vec<u64> {
        self.checkpoints.iter().map(|c| c.1).collect()
    }
}

/// Splits `1..=total` into ranges verified side by side, cut on whole Merkle blocks so each
/// range hashes its own blocks' subtrees; `(from, to)` pairs.
pub(crate) fn range_bounds(total: u64, parallelism: u64) -> Vec<(u64, u64)> {
    let ranges = if total < 200_000 {
        1
    } else {
        parallelism.max(1)
    };
    (0..ranges)
        .map(|i| {
            let cut = |i: u64| (total * i / ranges / MERKLE_BLOCK * MERKLE_BLOCK).min(total);
            let from = if i == 0 { 1 } else { cut(i) + 1 };
            let to = if i + 1 == ranges { total } else { cut(i + 1) };
            (from, to)
        })
        .collect()
}

/// How many ranges a verification runs at once.
pub(crate) fn parallelism() -> u64 {
    std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(4) as u64
}

fn verify_file(
    path: &Path,
    scope: Scope,
    mut progress: impl FnMut(VerifyProgress),
) -> Result<VerifyReport, StoreError> {
    let err = sql_err(path);
    let mut conn = rusqlite::Connection::open_with_flags(
        path,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(&err)?;
    conn.busy_timeout(std::time::Duration::from_secs(120))
        .map_err(&err)?;
    let tx = conn.transaction().map_err(&err)?;

    // MAX over the rowid is a lookup; COUNT(*) would be a second full scan. A hole in the
    // numbering shows up as a gap during the scan anyway.
    let total: Option<i64> = tx
        .query_row("SELECT MAX(seq) FROM ledger_entries", [], |r| r.get(0))
        .map_err(&err)?;
    let total = u64::try_from(total.unwrap_or(0)).unwrap_or(0);
    // Rows below seq 1 are outside the chain: no hash covers them, so they must not exist.
    let lowest: Option<i64> = tx
        .query_row("SELECT MIN(seq) FROM ledger_entries", [], |r| r.get(0))
        .map_err(&err)?;
    let snapshot = Snapshot {
        total,
        lowest,
        checkpoints: read_checkpoints(&tx).map_err(&err)?,
        trees: read_checkpoint_trees(&tx).map_err(&err)?,
        workspace_id: tx
            .query_row(
                "SELECT value FROM workspace_meta WHERE key = 'workspace_id'",
                [],
                |r| r.get(0),
            )
            .unwrap_or_default(),
    };
    let wanted = snapshot.wanted();

    // Each range is verified on its own thread and connection; ranges are stitched by checking
    // that each range's verified head is the hash the next range starts from.
    let mut bounds = Vec::new();
    for (from, to) in range_bounds(total, parallelism()) {
        let start_head = if from == 1 {
            Hash::ZERO
        } else {
            stored_hash(&tx, from - 1).map_err(&err)?
        };
        bounds.push((from, to, start_head));
    }
    let checked = std::sync::atomic::AtomicU64::new(0);
    let scans: Vec<Result<RangeScan, StoreError>> = std::thread::scope(|scope| {
        let handles: Vec<_> = bounds
            .iter()
            .map(|&(from, to, start_head)| {
                let wanted = &wanted;
                let checked = &checked;
                scope.spawn(move || scan_range(path, from, to, start_head, wanted, checked))
            })
            .collect();
        // Report progress from this thread while the scans run.
        loop {
            if handles.iter().all(|h| h.is_finished()) {
                break;
            }
            progress(VerifyProgress {
                entries_checked: checked.load(std::sync::atomic::Ordering::Relaxed),
                entries_total: total,
            });
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        handles
            .into_iter()
            .map(|h| {
                h.join().unwrap_or_else(|_| {
                    Err(StoreError::Corrupt("verification thread failed".into()))
                })
            })
            .collect()
    });
    let verdict = conclude(&snapshot, &bounds, scans)?;
    progress(VerifyProgress {
        entries_checked: verdict.verified,
        entries_total: total,
    });
    let artifacts = match scope {
        Scope::Everything => {
            let mut audit = verdict.artifact_audit();
            verify_artifacts(&tx, &mut audit).map_err(&err)?;
            Some(audit)
        }
        Scope::ChainAndCheckpoints => None,
    };
    Ok(verdict.report(artifacts))
}

/// What the chain, its checkpoints and their trees came to, before the artifacts.
pub(crate) struct ChainVerdict {
    pub verified: u64,
    head: Hash,
    tree_root: Hash,
    failures: Vec<Failure>,
    committed: BTreeMap<Hash, (u64, u64)>,
    checkpoints: u64,
}

impl ChainVerdict {
    /// Starts checking the artifacts against what the verified entries commit to.
    pub fn artifact_audit(&self) -> ArtifactAudit {
        ArtifactAudit {
            committed: self.committed.clone(),
            // Commitments past a chain failure were never read, so "not recorded" means
            // nothing then.
            chain_complete: self.failures.is_empty(),
            failures: Vec::new(),
            seen: BTreeMap::new(),
            artifacts: 0,
            bytes: 0,
        }
    }

    /// The report, with the artifacts' audit when they were checked.
    pub fn report(self, artifacts: Option<ArtifactAudit>) -> VerifyReport {
        let mut failures = self.failures;
        let (count, bytes) = match artifacts {
            Some(audit) => {
                let (count, bytes, more) = audit.finish();
                failures.extend(more);
                (count, bytes)
            }
            None => (0, 0),
        };
        VerifyReport {
            entries: self.verified,
            head: self.head,
            tree_root: self.tree_root,
            artifacts: count,
            artifact_bytes: bytes,
            checkpoints: self.checkpoints,
            failure: failures.into_iter().min_by_key(|f| f.seq),
        }
    }
}

/// Stitches the ranges' scans together and checks the checkpoints and their trees.
/// `bounds` are the ranges' `(from, to, stored hash of entry from - 1)`, in order.
pub(crate) fn conclude(
    snapshot: &Snapshot,
    bounds: &[(u64, u64, Hash)],
    scans: Vec<Result<RangeScan, StoreError>>,
) -> Result<ChainVerdict, StoreError> {
    let total = snapshot.total;
    let outside = snapshot.lowest.filter(|s| *s < 1).map(|seq| Failure {
        seq: 0,
        reason: FailureReason::OutsideChain { seq },
    });
    let mut verifier = Verifier::new();
    let mut chain_failure = None;
    let mut committed: BTreeMap<Hash, (u64, u64)> = BTreeMap::new();
    let mut duplicate_failures = Vec::new();
    let mut hashes_at: BTreeMap<u64, Hash> = BTreeMap::new();
    let mut entry_hashes: Vec<Hash> = Vec::with_capacity(usize::try_from(total).unwrap_or(0));
    let mut keys: Vec<(u64, Vec<u8>)> = Vec::new();
    let mut block_roots: Vec<Hash> = Vec::new();
    for (scan, (from, _, start_head)) in scans.into_iter().zip(bounds) {
        let scan = scan?;
        if chain_failure.is_none()
            && verifier.head() != *start_head
            && verifier.count() + 1 == *from
        {
            // The previous range ended on a hash other than the one this range continues from:
            // the stored hash of entry `from - 1` was not what verifying it produced.
            chain_failure = Some(Failure {
                seq: *from,
                reason: FailureReason::BrokenLink {
                    expected: verifier.head(),
                    found: *start_head,
                },
            });
        }
        for (sha, (seq, size)) in scan.committed {
            match committed.get(&sha) {
                Some((first, _)) => {
                    duplicate_failures.push(duplicate_commitment(seq, &sha, *first))
                }
                None => {
                    committed.insert(sha, (seq, size));
                }
            }
        }
        hashes_at.extend(scan.hashes_at);
        keys.extend(scan.keys);
        if chain_failure.is_none() {
            verifier = Verifier::resume(scan.count, scan.head);
            chain_failure = scan.failure;
            entry_hashes.extend(scan.entry_hashes);
            block_roots.extend(scan.block_roots);
        }
    }
    // Only the entries that verified (and, past a failure, none of a later range) count.
    entry_hashes.truncate(usize::try_from(verifier.count()).unwrap_or(usize::MAX));
    if chain_failure.is_none() && verifier.count() < total {
        chain_failure = Some(Failure {
            seq: verifier.count() + 1,
            reason: FailureReason::Truncated {
                expected: total,
                found: verifier.count(),
            },
        });
    }

    let mut failures: Vec<Failure> = chain_failure.into_iter().chain(outside).collect();
    failures.extend(duplicate_failures);
    let verified = verifier.count();
    for (id, entry_count, head_hash) in &snapshot.checkpoints {
        if *entry_count > verified {
            if failures.is_empty() {
                failures.push(Failure {
                    seq: verified + 1,
                    reason: FailureReason::Truncated {
                        expected: *entry_count,
                        found: verified,
                    },
                });
            }
            continue;
        }
        let found = if *entry_count == 0 {
            Hash::ZERO
        } else {
            hashes_at.get(entry_count).copied().unwrap_or(Hash::ZERO)
        };
        if found != *head_hash {
            failures.push(Failure {
                seq: *entry_count,
                reason: FailureReason::CheckpointMismatch {
                    checkpoint: *id,
                    expected: *head_hash,
                    found,
                },
            });
        }
    }

    let tree_root = check_trees(
        &snapshot.checkpoints,
        &snapshot.trees,
        &entry_hashes,
        &block_roots,
        &keys,
        &snapshot.workspace_id,
        &mut failures,
    );
    Ok(ChainVerdict {
        verified,
        head: verifier.head(),
        tree_root,
        failures,
        committed,
        checkpoints: snapshot.checkpoints.len() as u64,
    })
}

/// What verifying one range of sequence numbers found.
pub(crate) struct RangeScan {
    /// The last sequence number that verified, and its hash.
    count: u64,
    head: Hash,
    failure: Option<Failure>,
    /// Content address -> (entry that committed to it, size it committed to).
    committed: BTreeMap<Hash, (u64, u64)>,
    /// Entry hashes at checkpoint positions.
    hashes_at: BTreeMap<u64, Hash>,
    /// Every verified entry hash, in order (the Merkle tree's leaves).
    entry_hashes: Vec<Hash>,
    /// `signing_key.added` payloads by entry.
    keys: Vec<(u64, Vec<u8>)>,
    /// The Merkle subtree root of every whole [`MERKLE_BLOCK`] of entries this range verified.
    block_roots: Vec<Hash>,
}

/// Entries per Merkle block: ranges start on block boundaries and hash their blocks' subtrees
/// in parallel, leaving the main thread one node per block to join (docs/benchmarks.md).
const MERKLE_BLOCK: u64 = 1 << MERKLE_BLOCK_LEVEL;
const MERKLE_BLOCK_LEVEL: u32 = 16;

fn stored_hash(tx: &rusqlite::Transaction<'_>, seq: u64) -> rusqlite::Result<Hash> {
    let bytes: Option<Vec<u8>> = tx
        .query_row(
            "SELECT entry_hash FROM ledger_entries WHERE seq = ?",
            [seq as i64],
            |r| r.get(0),
        )
        .ok();
    // A missing or malformed predecessor is reported by the range that owns it.
    Ok(bytes.and_then(|b| Hash::from_slice(&b)).unwrap_or_default())
}

/// Verifies one range's entries as they are read, whatever reads them.
pub(crate) struct RangeScanner<'w> {
    verifier: Verifier,
    scan: RangeScan,
    to: u64,
    wanted: &'w [u64],
    checked: &'w std::sync::atomic::AtomicU64,
}

impl<'w> RangeScanner<'w> {
    pub fn new(
        from: u64,
        to: u64,
        start_head: Hash,
        wanted: &'w [u64],
        checked: &'w std::sync::atomic::AtomicU64,
    ) -> RangeScanner<'w> {
        RangeScanner {
            verifier: Verifier::resume(from - 1, start_head),
            scan: RangeScan {
                count: from - 1,
                head: start_head,
                failure: None,
                committed: BTreeMap::new(),
                hashes_at: BTreeMap::new(),
                entry_hashes: Vec::with_capacity(usize::try_from(to + 1 - from).unwrap_or(0)),
                keys: Vec::new(),
                block_roots: Vec::new(),
            },
            to,
            wanted,
            checked,
        }
    }

    /// Checks the next entry (or the reason its row could not be read as one). Returns false
    /// once the range has failed: nothing after a failure is read.
    pub fn push(&mut self, entry: Result<EntryRef<'_>, Failure>) -> bool {
        let scan = &mut self.scan;
        let entry = match entry {
            Ok(e) => e,
            Err(f) => {
                scan.failure = Some(f);
                return false;
            }
        };
        if let Err(f) = self.verifier.push_ref(entry) {
            scan.failure = Some(f);
            return false;
        }
        if entry.kind == ARTIFACT_ENTRY_KIND {
            match artifact_commitment(entry.payload) {
                Some((sha, _)) if scan.committed.contains_key(&sha) => {
                    let first = scan.committed[&sha].0;
                    scan.failure = Some(duplicate_commitment(entry.seq, &sha, first));
                    return false;
                }
                Some((sha, size)) => {
                    scan.committed.insert(sha, (entry.seq, size));
                }
                None => {
                    scan.failure = Some(Failure {
                        seq: entry.seq,
                        reason: FailureReason::Malformed(
                            "artifact entry payload (exactly \"sha256\" and \"size\")".into(),
                        ),
                    });
                    return false;
                }
            }
        } else if entry.kind == SIGNING_KEY_ENTRY_KIND {
            scan.keys.push((entry.seq, entry.payload.to_vec()));
        }
        scan.entry_hashes.push(entry.entry_hash);
        if self.wanted.contains(&entry.seq) {
            scan.hashes_at.insert(entry.seq, entry.entry_hash);
        }
        if entry.seq % 16_384 == 0 {
            self.checked
                .fetch_add(16_384, std::sync::atomic::Ordering::Relaxed);
        }
        true
    }

    /// Ends the range: rows missing at its end are a gap.
    pub fn finish(self) -> RangeScan {
        let RangeScanner {
            verifier,
            mut scan,
            to,
            ..
        } = self;
        if scan.failure.is_none() && verifier.count() < to {
            scan.failure = Some(Failure {
                seq: verifier.count() + 1,
                reason: FailureReason::Gap {
                    expected: verifier.count() + 1,
                    found: to + 1,
                },
            });
        }
        scan.count = verifier.count();
        scan.head = verifier.head();
        // The range starts on a block boundary (see `range_bounds`), so its whole blocks are
        // its leading chunks of verified hashes.
        for block in scan.entry_hashes.chunks_exact(MERKLE_BLOCK as usize) {
            let mut sub = RootBuilder::new();
            block.iter().for_each(|h| sub.push_entry(h));
            scan.block_roots.push(sub.root());
        }
        scan
    }
}

fn scan_range(
    path: &Path,
    from: u64,
    to: u64,
    start_head: Hash,
    wanted: &[u64],
    checked: &std::sync::atomic::AtomicU64,
) -> Result<RangeScan, StoreError> {
    let err = sql_err(path);
    let conn = rusqlite::Connection::open_with_flags(
        path,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(&err)?;
    conn.busy_timeout(std::time::Duration::from_secs(120))
        .map_err(&err)?;
    let mut scanner = RangeScanner::new(from, to, start_head, wanted, checked);
    let mut stmt = conn
        .prepare(
            "SELECT seq, kind, recorded_at, payload, payload_hash, prev_hash, entry_hash \
             FROM ledger_entries WHERE seq >= ? AND seq <= ? ORDER BY seq",
        )
        .map_err(&err)?;
    let mut rows = stmt.query([from as i64, to as i64]).map_err(&err)?;
    while let Some(row) = rows.next().map_err(&err)? {
        if !scanner.push(entry_ref(row)) {
            break;
        }
    }
    Ok(scanner.finish())
}

/// Borrows one row's fields; a field of the wrong type or size is a malformed entry.
fn entry_ref<'a>(row: &'a rusqlite::Row<'_>) -> Result<EntryRef<'a>, Failure> {
    let seq: i64 = row.get(0).unwrap_or(0);
    let seq = u64::try_from(seq).unwrap_or(0);
    let malformed = |what: String| Failure {
        seq,
        reason: FailureReason::Malformed(what),
    };
    let text = |idx: usize, name: &str| -> Result<&'a str, Failure> {
        match row.get_ref(idx) {
            Ok(ValueRef::Text(t)) => {
                std::str::from_utf8(t).map_err(|_| malformed(format!("{name} is not UTF-8")))
            }
            _ => Err(malformed(format!("{name} is not text"))),
        }
    };
    let blob = |idx: usize, name: &str| -> Result<&'a [u8], Failure> {
        match row.get_ref(idx) {
            Ok(ValueRef::Blob(b)) => Ok(b),
            _ => Err(malformed(format!("{name} is not a blob"))),
        }
    };
    let hash = |idx: usize, name: &str| -> Result<Hash, Failure> {
        Hash::from_slice(blob(idx, name)?)
            .ok_or_else(|| malformed(format!("{name} is not 32 bytes")))
    };
    Ok(EntryRef {
        seq,
        kind: text(1, "kind")?,
        recorded_at: text(2, "recorded time")?,
        payload: blob(3, "payload")?,
        payload_hash: hash(4, "payload hash")?,
        prev_hash: hash(5, "previous hash")?,
        entry_hash: hash(6, "entry hash")?,
    })
}

fn read_checkpoints(tx: &rusqlite::Transaction<'_>) -> rusqlite::Result<Vec<(u64, u64, Hash)>> {
    let mut stmt = tx.prepare("SELECT id, entry_count, head_hash FROM checkpoints ORDER BY id")?;
    let rows = stmt.query_map([], |r| {
        let id: i64 = r.get(0)?;
        let count: i64 = r.get(1)?;
        let hash: Vec<u8> = r.get(2)?;
        Ok((
            u64::try_from(id).unwrap_or(0),
            u64::try_from(count).unwrap_or(u64::MAX),
            Hash::from_slice(&hash).unwrap_or_default(),
        ))
    })?;
    rows.collect()
}

fn verify_artifacts(
    tx: &rusqlite::Transaction<'_>,
    audit: &mut ArtifactAudit,
) -> rusqlite::Result<()> {
    let mut stmt = tx.prepare("SELECT sha256, size, chunk_count FROM artifacts ORDER BY sha256")?;
    let artifacts: Vec<(Vec<u8>, i64, i64)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<Result<_, _>>()?;
    let mut chunks =
        tx.prepare("SELECT idx, data FROM artifact_chunks WHERE sha256 = ? ORDER BY idx")?;
    for (sha_bytes, size, chunk_count) in &artifacts {
        let Some(mut check) = audit.artifact(sha_bytes, *size, *chunk_count) else {
            continue;
        };
        let mut rows = chunks.query([sha_bytes])?;
        while let Some(row) = rows.next()? {
            let data = match row.get_ref(1)? {
                ValueRef::Blob(b) => Some(b),
                _ => None,
            };
            if !check.chunk(row.get(0)?, data) {
                break;
            }
        }
        audit.end(check);
    }
    Ok(())
}

/// Checks each stored artifact against its chunks and the ledger's commitments, one artifact
/// and one chunk at a time, whatever reads them.
pub(crate) struct ArtifactAudit {
    committed: BTreeMap<Hash, (u64, u64)>,
    chain_complete: bool,
    failures: Vec<Failure>,
    seen: BTreeMap<Hash, ()>,
    artifacts: u64,
    bytes: u64,
}

/// One artifact being checked chunk by chunk.
pub(crate) struct ArtifactCheck {
    sha: Hash,
    label: String,
    seq: u64,
    size: i64,
    chunk_count: i64,
    hasher: Sha256,
    computed_size: u64,
    expected_idx: i64,
    problem: Option<String>,
}

impl ArtifactAudit {
    /// Starts on one `artifacts` row; `None` when its address is not even a hash (reported).
    pub fn artifact(
        &mut self,
        sha_bytes: &[u8],
        size: i64,
        chunk_count: i64,
    ) -> Option<ArtifactCheck> {
        self.artifacts += 1;
        let label = hex_of(sha_bytes);
        let Some(sha) = Hash::from_slice(sha_bytes) else {
            self.failures.push(artifact_failure(
                0,
                &label,
                "content address is not 32 bytes",
            ));
            return None;
        };
        self.seen.insert(sha, ());
        let seq = self.committed.get(&sha).map_or(0, |(seq, _)| *seq);
        match self.committed.get(&sha) {
            None if self.chain_complete => {
                self.failures
                    .push(artifact_failure(0, &label, "not recorded in the ledger"));
            }
            None => {}
            Some((_, committed_size)) if i64::try_from(*committed_size).ok() != Some(size) => {
                self.failures.push(artifact_failure(
                    seq,
                    &label,
                    &format!("size {size} differs from the ledger's {committed_size}"),
                ))
            }
            Some(_) => {}
        }
        Some(ArtifactCheck {
            sha,
            label,
            seq,
            size,
            chunk_count,
            hasher: Sha256::new(),
            computed_size: 0,
            expected_idx: 0,
            problem: None,
        })
    }

    /// Ends one artifact: its chunks' count, hash and size.
    pub fn end(&mut self, mut check: ArtifactCheck) {
        if check.problem.is_none() && check.expected_idx != check.chunk_count {
            check.problem = Some(format!(
                "has {} chunks, recorded {}",
                check.expected_idx, check.chunk_count
            ));
        }
        if let Some(problem) = check.problem {
            self.failures
                .push(artifact_failure(check.seq, &check.label, &problem));
            return;
        }
        self.bytes += check.computed_size;
        let mut digest = [0u8; 32];
        digest.copy_from_slice(check.hasher.finalize().as_slice());
        let computed = Hash(digest);
        let size = check.size;
        if computed != check.sha {
            self.failures.push(artifact_failure(
                check.seq,
                &check.label,
                &format!("stored bytes hash to {computed}"),
            ));
        } else if i64::try_from(check.computed_size).ok() != Some(size) {
            self.failures.push(artifact_failure(
                check.seq,
                &check.label,
                &format!(
                    "stored bytes are {} long, recorded {size}",
                    check.computed_size
                ),
            ));
        }
    }

    /// `(artifacts, bytes, failures)`, with every committed artifact that was never seen.
    fn finish(mut self) -> (u64, u64, Vec<Failure>) {
        for (sha, (seq, _)) in &self.committed {
            if !self.seen.contains_key(sha) {
                self.failures.push(artifact_failure(
                    *seq,
                    &sha.to_hex(),
                    "missing from the workspace",
                ));
            }
        }
        (self.artifacts, self.bytes, self.failures)
    }
}

impl ArtifactCheck {
    /// Hashes the next chunk (`None` when its data is not bytes). Returns false once the
    /// artifact has a problem: its later chunks need not be read.
    pub fn chunk(&mut self, idx: i64, data: Option<&[u8]>) -> bool {
        if idx != self.expected_idx {
            self.problem = Some(format!(
                "chunk {} is missing (found chunk {idx})",
                self.expected_idx
            ));
            return false;
        }
        let Some(data) = data else {
            self.problem = Some(format!("chunk {idx} is not a blob"));
            return false;
        };
        self.hasher.update(data);
        self.computed_size += data.len() as u64;
        self.expected_idx += 1;
        true
    }
}

/// The commitment of an `artifact.stored` payload: an object with exactly `sha256` (64
/// lowercase hex digits) and `size`; anything else is malformed (docs/ledger-format.md §19).
pub(crate) fn artifact_commitment(payload: &[u8]) -> Option<(Hash, u64)> {
    let value: serde_json::Value = serde_json::from_slice(payload).ok()?;
    let object = value.as_object()?;
    if object.len() != 2 {
        return None;
    }
    let text = object.get("sha256")?.as_str()?;
    if text.len() != 64 || !text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        return None;
    }
    let sha = Hash::from_hex(text).ok()?;
    let size = object.get("size")?.as_u64()?;
    Some((sha, size))
}

fn duplicate_commitment(seq: u64, sha: &Hash, first: u64) -> Failure {
    Failure {
        seq,
        reason: FailureReason::Malformed(format!(
            "artifact {sha} already committed by entry {first}"
        )),
    }
}

/// `(checkpoint id, tree root bytes, signed note)` of every checkpoint recorded with a tree.
pub(crate) type TreeRow = (u64, Vec<u8>, String);

fn read_checkpoint_trees(tx: &rusqlite::Transaction<'_>) -> rusqlite::Result<Vec<TreeRow>> {
    // A format-2 file opened read-only has no such table yet: its checkpoints have no trees.
    let exists: Option<String> = tx
        .query_row(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'checkpoint_trees'",
            [],
            |r| r.get(0),
        )
        .ok();
    if exists.is_none() {
        return Ok(Vec::new());
    }
    let mut stmt = tx.prepare(
        "SELECT checkpoint_id, tree_root, note FROM checkpoint_trees ORDER BY checkpoint_id",
    )?;
    let rows = stmt.query_map([], |r| {
        let id: i64 = r.get(0)?;
        let root = match r.get_ref(1)? {
            ValueRef::Blob(b) => b.to_vec(),
            _ => Vec::new(),
        };
        let note = match r.get_ref(2)? {
            ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned(),
            _ => "\u{fffd}".to_owned(),
        };
        Ok((u64::try_from(id).unwrap_or(0), root, note))
    })?;
    rows.collect()
}

/// Checks every checkpoint's tree root (and signed note) against the verified entries and
/// returns the tree root over all of them.
fn check_trees(
    checkpoints: &[(u64, u64, Hash)],
    trees: &[TreeRow],
    entry_hashes: &[Hash],
    block_roots: &[Hash],
    keys: &[(u64, Vec<u8>)],
    workspace_id: &str,
    failures: &mut Vec<Failure>,
) -> Hash {
    let verified = entry_hashes.len() as u64;
    let mut wanted: BTreeMap<u64, Hash> = BTreeMap::new();
    let counts: BTreeMap<u64, u64> = checkpoints.iter().map(|(id, n, _)| (*id, *n)).collect();
    for (id, _, _) in trees {
        if let Some(n) = counts.get(id).filter(|n| **n <= verified) {
            wanted.insert(*n, Hash::ZERO);
        }
    }
    let mut builder = RootBuilder::new();
    if let Some(root) = wanted.get_mut(&0) {
        *root = builder.root();
    }
    // Whole blocks join as subtrees, unless a wanted size falls inside one; the rest leaf by
    // leaf. Block roots exist only for blocks of verified entries that start a range's chunk.
    let mut block_roots = block_roots.iter();
    for (b, block) in entry_hashes.chunks(MERKLE_BLOCK as usize).enumerate() {
        let start = b as u64 * MERKLE_BLOCK;
        let end = start + block.len() as u64;
        let whole = block.len() as u64 == MERKLE_BLOCK;
        let root = if whole { block_roots.next() } else { None };
        let inside = wanted.range(start + 1..end).next().is_some();
        match root {
            Some(r) if !inside => builder.push_subtree(MERKLE_BLOCK_LEVEL, *r),
            _ => {
                for h in block {
                    builder.push_entry(h);
                    if let Some(root) = wanted.get_mut(&builder.size()) {
                        *root = builder.root();
                    }
                }
            }
        }
        if let Some(root) = wanted.get_mut(&end) {
            *root = builder.root();
        }
    }
    let origin = format!("evidentia/{workspace_id}");
    for (id, stored_root, note) in trees {
        let Some(&count) = counts.get(id) else {
            failures.push(Failure {
                seq: 0,
                reason: FailureReason::CheckpointTree {
                    checkpoint: *id,
                    problem: "a tree root is recorded for a checkpoint that does not exist".into(),
                },
            });
            continue;
        };
        let Some(root) = wanted.get(&count) else {
            continue; // past the verified entries: reported as truncated
        };
        let fail = |problem: String| Failure {
            seq: count,
            reason: FailureReason::CheckpointTree {
                checkpoint: *id,
                problem,
            },
        };
        if Hash::from_slice(stored_root) != Some(*root) {
            failures.push(fail(format!(
                "tree root {} differs from the root of entries 1..{count}, {root}",
                hex_of(stored_root)
            )));
            continue;
        }
        if note.is_empty() {
            continue;
        }
        let Some(key) = keys
            .iter()
            .rev()
            .find(|(seq, _)| *seq <= count)
            .and_then(|(_, payload)| signing_key_of(payload))
        else {
            failures.push(fail(format!(
                "has a signed note but no readable {SIGNING_KEY_ENTRY_KIND} entry at or before entry {count}"
            )));
            continue;
        };
        match evidentia_ledger::note::open_checkpoint(note, &key) {
            Err(e) => failures.push(fail(format!("signed note: {e}"))),
            Ok(head) if head.origin != origin || head.size != count || head.root != *root => {
                failures.push(fail(format!(
                    "signed note names {} at {} entries with root {}, not {origin} at {count} with {root}",
                    head.origin, head.size, head.root
                )))
            }
            Ok(_) => {}
        }
    }
    builder.root()
}

/// The verifier key recorded by a `signing_key.added` payload.
pub(crate) fn signing_key_of(payload: &[u8]) -> Option<VerifierKey> {
    let value: serde_json::Value = serde_json::from_slice(payload).ok()?;
    VerifierKey::parse(value.get("vkey")?.as_str()?, "").ok()
}

fn artifact_failure(seq: u64, sha256: &str, problem: &str) -> Failure {
    Failure {
        seq,
        reason: FailureReason::Artifact {
            sha256: sha256.to_owned(),
            problem: problem.to_owned(),
        },
    }
}

fn hex_of(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
