//! Verification over the stored bytes: the chain, the checkpoints and every artifact.

use std::collections::BTreeMap;

use evidentia_ledger::{Entry, Failure, FailureReason, Hash, Verifier};
use futures_util::TryStreamExt;
use sha2::{Digest, Sha256};
use sqlx::Row;
use sqlx::sqlite::SqliteRow;

use crate::{ARTIFACT_ENTRY_KIND, EvidenceStore, StoreError, Workspace, from_i64, to_i64};

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

pub(crate) fn entry_from_row(row: &SqliteRow) -> Result<Entry, Failure> {
    let seq: i64 = row.get(0);
    let seq_u = u64::try_from(seq).unwrap_or(0);
    let malformed = |what: &str| Failure {
        seq: seq_u,
        reason: FailureReason::Malformed(what.to_owned()),
    };
    let hash = |idx: usize, name: &str| -> Result<Hash, Failure> {
        let bytes: &[u8] = row
            .try_get(idx)
            .map_err(|_| malformed(&format!("{name} is not a blob")))?;
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
            .map_err(|_| malformed("payload is not a blob"))?,
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
    pub async fn verify(
        &self,
        progress: &mut (dyn FnMut(VerifyProgress) + Send),
    ) -> Result<VerifyReport, StoreError> {
        let total: i64 = sqlx::query("SELECT COUNT(*) FROM ledger_entries")
            .fetch_one(&self.pool)
            .await?
            .get(0);
        let total = from_i64(total)?;
        let mut verifier = Verifier::new();
        let mut chain_failure = None;
        // Content address -> (entry that committed to it, size it committed to).
        let mut committed: BTreeMap<Hash, (u64, u64)> = BTreeMap::new();
        let mut hashes_at: BTreeMap<u64, Hash> = BTreeMap::new();
        let wanted: Vec<u64> = self
            .checkpoints()
            .await?
            .iter()
            .map(|c| c.entry_count)
            .collect();
        {
            let mut rows = sqlx::query(
                "SELECT seq, kind, recorded_at, payload, payload_hash, prev_hash, entry_hash \
                 FROM ledger_entries ORDER BY seq",
            )
            .fetch(&self.pool);
            while let Some(row) = rows.try_next().await? {
                let entry = match entry_from_row(&row) {
                    Ok(e) => e,
                    Err(f) => {
                        chain_failure = Some(f);
                        break;
                    }
                };
                if let Err(f) = verifier.push(&entry) {
                    chain_failure = Some(f);
                    break;
                }
                if entry.kind == ARTIFACT_ENTRY_KIND {
                    match artifact_commitment(&entry.payload) {
                        Some((sha, size)) => {
                            committed.insert(sha, (entry.seq, size));
                        }
                        None => {
                            chain_failure = Some(Failure {
                                seq: entry.seq,
                                reason: FailureReason::Malformed("artifact entry payload".into()),
                            });
                            break;
                        }
                    }
                }
                if wanted.contains(&entry.seq) {
                    hashes_at.insert(entry.seq, entry.entry_hash);
                }
                if entry.seq % 65_536 == 0 {
                    progress(VerifyProgress {
                        entries_checked: entry.seq,
                        entries_total: total,
                    });
                }
            }
        }
        if chain_failure.is_none() && verifier.count() < total {
            // Rows past a hole in the numbering are not reached by the ordered scan's checks.
            chain_failure = Some(Failure {
                seq: verifier.count() + 1,
                reason: FailureReason::Truncated {
                    expected: total,
                    found: verifier.count(),
                },
            });
        }
        progress(VerifyProgress {
            entries_checked: verifier.count(),
            entries_total: total,
        });

        let mut failures: Vec<Failure> = chain_failure.into_iter().collect();
        let verified = verifier.count();

        let checkpoints = self.checkpoints().await?;
        for checkpoint in &checkpoints {
            if checkpoint.entry_count > verified {
                if failures.is_empty() {
                    failures.push(Failure {
                        seq: verified + 1,
                        reason: FailureReason::Truncated {
                            expected: checkpoint.entry_count,
                            found: verified,
                        },
                    });
                }
                continue;
            }
            let found = if checkpoint.entry_count == 0 {
                Hash::ZERO
            } else {
                hashes_at
                    .get(&checkpoint.entry_count)
                    .copied()
                    .unwrap_or(Hash::ZERO)
            };
            if found != checkpoint.head_hash {
                failures.push(Failure {
                    seq: checkpoint.entry_count,
                    reason: FailureReason::CheckpointMismatch {
                        checkpoint: checkpoint.id,
                        expected: checkpoint.head_hash,
                        found,
                    },
                });
            }
        }

        let (artifacts, artifact_bytes) = self.verify_artifacts(&committed, &mut failures).await?;

        let failure = failures.into_iter().min_by_key(|f| f.seq);
        Ok(VerifyReport {
            entries: verified,
            head: verifier.head(),
            artifacts,
            artifact_bytes,
            checkpoints: checkpoints.len() as u64,
            failure,
        })
    }

    async fn verify_artifacts(
        &self,
        committed: &BTreeMap<Hash, (u64, u64)>,
        failures: &mut Vec<Failure>,
    ) -> Result<(u64, u64), StoreError> {
        let rows = sqlx::query("SELECT sha256, size, chunk_count FROM artifacts ORDER BY sha256")
            .fetch_all(&self.pool)
            .await?;
        let mut seen = BTreeMap::new();
        let mut bytes_total = 0u64;
        for row in &rows {
            let sha_bytes: Vec<u8> = row.get(0);
            let size = from_i64(row.get(1))?;
            let chunk_count = from_i64(row.get(2))?;
            let label = hex_of(&sha_bytes);
            let Some(sha) = Hash::from_slice(&sha_bytes) else {
                failures.push(artifact_failure(
                    0,
                    &label,
                    "content address is not 32 bytes",
                ));
                continue;
            };
            let seq = committed.get(&sha).map_or(0, |(seq, _)| *seq);
            seen.insert(sha, ());
            match committed.get(&sha) {
                None => failures.push(artifact_failure(0, &label, "not recorded in the ledger")),
                Some((_, committed_size)) if *committed_size != size => {
                    failures.push(artifact_failure(
                        seq,
                        &label,
                        &format!("size {size} differs from the ledger's {committed_size}"),
                    ))
                }
                Some(_) => {}
            }
            match self.hash_chunks(&sha, chunk_count).await? {
                Err(problem) => failures.push(artifact_failure(seq, &label, &problem)),
                Ok((computed, computed_size)) => {
                    bytes_total += computed_size;
                    if computed != sha {
                        failures.push(artifact_failure(
                            seq,
                            &label,
                            &format!("stored bytes hash to {computed}"),
                        ));
                    } else if computed_size != size {
                        failures.push(artifact_failure(
                            seq,
                            &label,
                            &format!("stored bytes are {computed_size} long, recorded {size}"),
                        ));
                    }
                }
            }
        }
        for (sha, (seq, _)) in committed {
            if !seen.contains_key(sha) {
                failures.push(artifact_failure(
                    *seq,
                    &sha.to_hex(),
                    "missing from the workspace",
                ));
            }
        }
        Ok((rows.len() as u64, bytes_total))
    }

    /// Hashes an artifact's chunks in order; `Err` describes missing or extra chunks.
    async fn hash_chunks(
        &self,
        sha: &Hash,
        chunk_count: u64,
    ) -> Result<Result<(Hash, u64), String>, StoreError> {
        let mut hasher = Sha256::new();
        let mut size = 0u64;
        let mut expected_idx = 0u64;
        let mut rows =
            sqlx::query("SELECT idx, data FROM artifact_chunks WHERE sha256 = ? ORDER BY idx")
                .bind(sha.0.as_slice())
                .fetch(&self.pool);
        while let Some(row) = rows.try_next().await? {
            let idx: i64 = row.get(0);
            if idx != to_i64(expected_idx)? {
                return Ok(Err(format!(
                    "chunk {expected_idx} is missing (found chunk {idx})"
                )));
            }
            let data: &[u8] = row.try_get(1).unwrap_or_default();
            hasher.update(data);
            size += data.len() as u64;
            expected_idx += 1;
        }
        if expected_idx != chunk_count {
            return Ok(Err(format!(
                "has {expected_idx} chunks, recorded {chunk_count}"
            )));
        }
        let mut digest = [0u8; 32];
        digest.copy_from_slice(hasher.finalize().as_slice());
        Ok(Ok((Hash(digest), size)))
    }
}

fn artifact_commitment(payload: &[u8]) -> Option<(Hash, u64)> {
    let value: serde_json::Value = serde_json::from_slice(payload).ok()?;
    let sha = Hash::from_hex(value.get("sha256")?.as_str()?).ok()?;
    let size = value.get("size")?.as_u64()?;
    Some((sha, size))
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
