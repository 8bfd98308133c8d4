//! Tamper trials: random edits made straight to the SQLite file, as someone with the file and
//! a SQLite shell could (append-only triggers dropped first); `verify` must catch every one.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Context;
use rusqlite::{Connection, params};

use crate::run::{Tool, copy_workspace, provisioning_csv};
use crate::table::Table;
use evidentia_samples::rng::Rng;

/// The kinds of edit, each applied to a fresh copy of the base workspace.
const MUTATIONS: &[&str] = &[
    "entry: change a column",
    "entry: flip a bit in a blob",
    "entry: delete a row",
    "entry: insert a row",
    "entry: swap two rows",
    "artifact: flip a bit in a chunk",
    "artifact: delete or add a chunk",
    "artifact: change size or chunk count",
    "artifact: delete the artifact row",
    "checkpoint: change its count or head",
];

#[derive(Debug, Default, Clone, Copy)]
struct Count {
    applied: u64,
    detected: u64,
    errored: u64,
    missed: u64,
    panicked: u64,
}

pub fn trials(
    tool: &Tool,
    rng: &mut Rng,
    mutations: usize,
    samples: &Path,
) -> anyhow::Result<Table> {
    let dir = tool.work.join("tamper");
    std::fs::create_dir_all(&dir)?;
    let base = dir.join("base.evidentia");
    build_base(tool, &base, samples).context("building the base workspace")?;
    let ws = dir.join("trial.evidentia");
    // The control: an untouched copy verifies, so every exit 3 below is the mutation's doing.
    copy_workspace(&base, &ws)?;
    if tool.verify(&ws)?.0 != 0 {
        anyhow::bail!("the untouched base workspace does not verify");
    }

    let mut counts: BTreeMap<&str, Count> = BTreeMap::new();
    let mut table = Table::new(
        "tamper",
        &[
            "mutation",
            "applied",
            "detected (exit 3)",
            "refused with an error",
            "missed",
        ],
    );
    for _ in 0..mutations {
        copy_workspace(&base, &ws)?;
        let kind = *rng.pick(MUTATIONS);
        let what = {
            let db = Connection::open(&ws)?;
            drop_triggers(&db)?;
            let what = mutate(&db, rng, kind).with_context(|| format!("applying {kind}"))?;
            db.close().map_err(|(_, e)| e)?;
            what
        };
        let (code, json, stderr) = tool.verify(&ws)?;
        let c = counts.entry(kind).or_default();
        c.applied += 1;
        match code {
            3 if json.is_some_and(|j| j["intact"] == false) => c.detected += 1,
            0 => {
                c.missed += 1;
                table.fail(format!("{kind}: not detected ({what})"));
            }
            101 => {
                c.panicked += 1;
                table.fail(format!(
                    "{kind}: verify panicked ({what}): {}",
                    stderr.trim()
                ));
            }
            _ => c.errored += 1,
        }
    }
    let mut total = Count::default();
    for (kind, c) in &counts {
        table.row(vec![
            (*kind).to_owned(),
            c.applied.to_string(),
            c.detected.to_string(),
            c.errored.to_string(),
            c.missed.to_string(),
        ]);
        total.applied += c.applied;
        total.detected += c.detected;
        total.errored += c.errored;
        total.missed += c.missed;
    }
    let caught = total.detected + total.errored;
    table.row(vec![
        "**all**".into(),
        total.applied.to_string(),
        total.detected.to_string(),
        total.errored.to_string(),
        format!(
            "{} (**{:.1}% detected**)",
            total.missed,
            100.0 * caught as f64 / total.applied.max(1) as f64
        ),
    ]);
    Ok(table)
}

/// A small but varied workspace: a CSV import, a JSON log import, a checkpoint at the head.
fn build_base(tool: &Tool, base: &Path, samples: &Path) -> anyhow::Result<()> {
    let _ = std::fs::remove_file(base);
    tool.ok(base, &["init"])?;
    let csv = base.with_extension("csv");
    std::fs::write(&csv, provisioning_csv("tamper", 40))?;
    tool.ok(
        base,
        &[
            "import",
            "--profile",
            "provisioning-csv",
            &csv.to_string_lossy(),
        ],
    )?;
    let okta = samples.join("logs/okta-system-log.jsonl");
    tool.ok(base, &["import", &okta.to_string_lossy()])?;
    tool.ok(base, &["checkpoint"])?;
    let db = Connection::open(base)?;
    db.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
    Ok(())
}

fn drop_triggers(db: &Connection) -> anyhow::Result<()> {
    let names: Vec<String> = db
        .prepare("SELECT name FROM sqlite_master WHERE type = 'trigger'")?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    for name in names {
        db.execute_batch(&format!("DROP TRIGGER \"{name}\""))?;
    }
    Ok(())
}

fn max_seq(db: &Connection) -> anyhow::Result<i64> {
    Ok(db.query_row("SELECT MAX(seq) FROM ledger_entries", [], |r| r.get(0))?)
}

pub(crate) fn flip(bytes: &mut [u8], rng: &mut Rng) {
    if !bytes.is_empty() {
        let i = rng.below(bytes.len() as u64) as usize;
        bytes[i] ^= 1 << rng.below(8);
    }
}

/// Flips one bit of a blob column of entry `seq` (the trials' commonest edit).
pub(crate) fn flip_entry_blob(
    db: &Connection,
    column: &str,
    seq: i64,
    rng: &mut Rng,
) -> rusqlite::Result<()> {
    let mut blob: Vec<u8> = db.query_row(
        &format!("SELECT {column} FROM ledger_entries WHERE seq = ?1"),
        [seq],
        |r| r.get(0),
    )?;
    flip(&mut blob, rng);
    db.execute(
        &format!("UPDATE ledger_entries SET {column} = ?1 WHERE seq = ?2"),
        params![blob, seq],
    )?;
    Ok(())
}

/// Applies one edit of `kind`; returns what it did, for the failure message.
fn mutate(db: &Connection, rng: &mut Rng, kind: &str) -> anyhow::Result<String> {
    let max = max_seq(db)?;
    let seq = 1 + rng.below(max as u64) as i64;
    match kind {
        "entry: change a column" => {
            let column = *rng.pick(&[
                "seq",
                "kind",
                "recorded_at",
                "payload",
                "payload_hash",
                "prev_hash",
                "entry_hash",
            ]);
            match column {
                "seq" => {
                    db.execute(
                        "UPDATE ledger_entries SET seq = ?1 WHERE seq = ?2",
                        params![max + 1 + rng.below(5) as i64, seq],
                    )?;
                }
                "kind" | "recorded_at" => {
                    let old: String = db.query_row(
                        &format!("SELECT {column} FROM ledger_entries WHERE seq = ?1"),
                        [seq],
                        |r| r.get(0),
                    )?;
                    let mut bytes = old.into_bytes();
                    // Change one ASCII character to another ASCII character.
                    let i = rng.below(bytes.len() as u64) as usize;
                    bytes[i] = if bytes[i] == b'0' { b'1' } else { b'0' };
                    let new = String::from_utf8_lossy(&bytes).into_owned();
                    db.execute(
                        &format!("UPDATE ledger_entries SET {column} = ?1 WHERE seq = ?2"),
                        params![new, seq],
                    )?;
                }
                _ => {
                    let mut blob: Vec<u8> = db.query_row(
                        &format!("SELECT {column} FROM ledger_entries WHERE seq = ?1"),
                        [seq],
                        |r| r.get(0),
                    )?;
                    let original = blob.clone();
                    // Replace with another row's value, or truncate, or extend.
                    match rng.below(3) {
                        0 => blob.truncate(blob.len().saturating_sub(1)),
                        1 => blob.push(b' '),
                        _ => {
                            let other = 1 + rng.below(max as u64) as i64;
                            let value: Vec<u8> = db.query_row(
                                &format!("SELECT {column} FROM ledger_entries WHERE seq = ?1"),
                                [if other == seq { seq % max + 1 } else { other }],
                                |r| r.get(0),
                            )?;
                            blob = value;
                        }
                    }
                    if blob == original {
                        // Two entries can carry the same bytes (identical rows): edit instead.
                        blob.push(b' ');
                    }
                    db.execute(
                        &format!("UPDATE ledger_entries SET {column} = ?1 WHERE seq = ?2"),
                        params![blob, seq],
                    )?;
                }
            }
            Ok(format!("{column} of entry {seq}"))
        }
        "entry: flip a bit in a blob" => {
            let column = *rng.pick(&["payload", "payload_hash", "prev_hash", "entry_hash"]);
            flip_entry_blob(db, column, seq, rng)?;
            Ok(format!("a bit of {column} in entry {seq}"))
        }
        "entry: delete a row" => {
            db.execute("DELETE FROM ledger_entries WHERE seq = ?1", [seq])?;
            Ok(format!("entry {seq} deleted"))
        }
        "entry: insert a row" => {
            if rng.below(2) == 0 {
                // Appended after the head: a copy of an existing entry under the next number.
                db.execute(
                    "INSERT INTO ledger_entries SELECT ?1, kind, recorded_at, payload, payload_hash, prev_hash, entry_hash FROM ledger_entries WHERE seq = ?2",
                    params![max + 1, seq],
                )?;
                Ok(format!("copy of entry {seq} appended as {}", max + 1))
            } else {
                // Inserted in the middle, later entries renumbered to make room.
                db.execute(
                    "UPDATE ledger_entries SET seq = seq + 1000000000 WHERE seq > ?1",
                    [seq],
                )?;
                db.execute(
                    "UPDATE ledger_entries SET seq = seq - 999999999 WHERE seq > 1000000000",
                    [],
                )?;
                db.execute(
                    "INSERT INTO ledger_entries SELECT ?1, kind, recorded_at, payload, payload_hash, prev_hash, entry_hash FROM ledger_entries WHERE seq = ?2",
                    params![seq + 1, seq],
                )?;
                Ok(format!("copy of entry {seq} inserted after it"))
            }
        }
        "entry: swap two rows" => {
            let other = 1 + rng.below(max as u64) as i64;
            let other = if other == seq { seq % max + 1 } else { other };
            db.execute("UPDATE ledger_entries SET seq = -1 WHERE seq = ?1", [seq])?;
            db.execute(
                "UPDATE ledger_entries SET seq = ?1 WHERE seq = ?2",
                params![seq, other],
            )?;
            db.execute("UPDATE ledger_entries SET seq = ?1 WHERE seq = -1", [other])?;
            Ok(format!("entries {seq} and {other} swapped"))
        }
        "artifact: flip a bit in a chunk" => {
            let (sha, idx, mut data) = random_chunk(db, rng)?;
            flip(&mut data, rng);
            db.execute(
                "UPDATE artifact_chunks SET data = ?1 WHERE sha256 = ?2 AND idx = ?3",
                params![data, sha, idx],
            )?;
            Ok(format!(
                "a bit of chunk {idx} of artifact {}",
                hex::encode(&sha[..4])
            ))
        }
        "artifact: delete or add a chunk" => {
            let (sha, idx, data) = random_chunk(db, rng)?;
            if rng.below(2) == 0 {
                db.execute(
                    "DELETE FROM artifact_chunks WHERE sha256 = ?1 AND idx = ?2",
                    params![sha, idx],
                )?;
                Ok(format!(
                    "chunk {idx} of artifact {} deleted",
                    hex::encode(&sha[..4])
                ))
            } else {
                let next: i64 = db.query_row(
                    "SELECT MAX(idx) + 1 FROM artifact_chunks WHERE sha256 = ?1",
                    [&sha],
                    |r| r.get(0),
                )?;
                db.execute(
                    "INSERT INTO artifact_chunks (sha256, idx, data) VALUES (?1, ?2, ?3)",
                    params![sha, next, data],
                )?;
                Ok(format!(
                    "chunk {next} added to artifact {}",
                    hex::encode(&sha[..4])
                ))
            }
        }
        "artifact: change size or chunk count" => {
            let (sha, _, _) = random_chunk(db, rng)?;
            let column = *rng.pick(&["size", "chunk_count"]);
            db.execute(
                &format!("UPDATE artifacts SET {column} = {column} + 1 WHERE sha256 = ?1"),
                [&sha],
            )?;
            Ok(format!("{column} of artifact {}", hex::encode(&sha[..4])))
        }
        "artifact: delete the artifact row" => {
            let (sha, _, _) = random_chunk(db, rng)?;
            db.execute("DELETE FROM artifacts WHERE sha256 = ?1", [&sha])?;
            Ok(format!(
                "artifact {} deleted (chunks left)",
                hex::encode(&sha[..4])
            ))
        }
        _ => {
            let column = *rng.pick(&["entry_count", "head_hash"]);
            if column == "entry_count" {
                let delta = *rng.pick(&[-1i64, 1]);
                db.execute(
                    "UPDATE checkpoints SET entry_count = entry_count + ?1",
                    [delta],
                )?;
            } else {
                let mut head: Vec<u8> =
                    db.query_row("SELECT head_hash FROM checkpoints LIMIT 1", [], |r| {
                        r.get(0)
                    })?;
                flip(&mut head, rng);
                db.execute("UPDATE checkpoints SET head_hash = ?1", [head])?;
            }
            Ok(format!("checkpoint {column}"))
        }
    }
}

fn random_chunk(db: &Connection, rng: &mut Rng) -> anyhow::Result<(Vec<u8>, i64, Vec<u8>)> {
    let n: i64 = db.query_row("SELECT COUNT(*) FROM artifact_chunks", [], |r| r.get(0))?;
    let pick = rng.below(n.max(1) as u64) as i64;
    Ok(db.query_row(
        "SELECT sha256, idx, data FROM artifact_chunks ORDER BY sha256, idx LIMIT 1 OFFSET ?1",
        [pick],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?)
}
