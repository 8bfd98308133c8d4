//! Trust trials: alterations made between two signed checkpoints by someone who holds the
//! workspace file or the pack and can recompute every hash, caught only by what the auditor
//! kept outside them: the signed checkpoint, the public key, an earlier pack
//! (docs/ledger-format.md §16–§19, docs/evidence-pack.md).
//!
//! Part one alters copies of a workspace after checkpoint B and checks each with
//! `verify --trusted-checkpoint B.note --key pub.pem`. Part two alters copies of a pack made
//! at B and checks each with `pack verify --key --against` and with the pack's own steps
//! (VERIFY.md: `sha256sum -c`, `tools/verify_ledger.py`, openssl, the artifact and proof
//! checks). Honest controls, including packs rebuilt by this trial's own rewriting code with
//! nothing changed, must pass every check, so each detection is the alteration's doing.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context, anyhow, bail};
use evidentia_ledger::note::sign_checkpoint;
use evidentia_ledger::{
    Entry, Hash, MerkleTree, SigningKey, TreeHead, canonical_json, entry_hash, payload_hash,
};
use evidentia_pack::{
    CHECKPOINT_NOTE, FINDING_PROOFS_DIR, LEDGER_JSONL, MANIFEST, MANIFEST_NOTE, Manifest,
    PackWriter, SHA256SUMS, SIGNING_KEY_PEM,
};
use evidentia_samples::rng::Rng;
use rusqlite::{Connection, params};

use crate::run::{PANIC_EXIT, Ran, Tool, copy_workspace};
use crate::table::Table;

const ARTIFACT_STORED: &str = "artifact.stored";
const SIGNING_KEY_ADDED: &str = "signing_key.added";

/// The workspace alterations, each applied to a fresh copy of the workspace at checkpoint B.
const WORKSPACE_KINDS: &[&str] = &[
    "entry ≤ B: a byte of a column changed",
    "entry ≤ B: deleted",
    "entry ≤ B: a copy inserted after it, later entries renumbered",
    "entries ≤ B: two swapped",
    "truncated back to A, B's checkpoint deleted",
    "truncated below B, checkpoints past the cut deleted",
    "checkpoint row: count or head changed",
    "checkpoint row: deleted, its tree row left",
    "checkpoint tree row: root or signed note changed",
    "consistent rewrite, stored checkpoints deleted",
    "consistent rewrite, checkpoints re-recorded unsigned",
    "consistent rewrite, own key recorded, checkpoints re-signed",
    "row outside the chain (seq 0 or below)",
];

/// The pack alterations, each applied to a copy of the honest pack made at checkpoint B.
const PACK_KINDS: &[&str] = &[
    "a byte flipped, SHA256SUMS and manifest left alone",
    "a byte flipped in a ledger-bound file, SHA256SUMS and manifest rewritten",
    "a byte flipped in a file outside the ledger, SHA256SUMS and manifest rewritten",
    "an artifact removed, SHA256SUMS and manifest rewritten",
    "consistent forgery: an entry edited, re-signed by a forger, proofs regenerated",
    "consistent forgery: an entry edited, re-signed by a forger, proofs left stale",
    "ledger truncated, re-signed by a forger, proofs regenerated",
    "a finding's severity changed in its proof and in exports/findings.json, sums rewritten",
    "a finding proof removed, SHA256SUMS and manifest left alone",
    "a finding proof removed, SHA256SUMS and manifest rewritten",
    "signature stripped: checkpoint.note and signing-key.pem removed, sums rewritten",
];

/// The documented openssl check (docs/evidence-pack.md, VERIFY.md step 3), word for word.
const OPENSSL_STEPS: &str = "head -n 3 checkpoint.note > checkpoint.txt
tail -n 1 checkpoint.note | awk '{print $3}' | base64 -d | tail -c 64 > checkpoint.sig
openssl pkeyutl -verify -pubin -inkey their-key.pem -rawin -in checkpoint.txt -sigfile checkpoint.sig
";

/// The documented artifact check (VERIFY.md step 4), word for word.
const ARTIFACT_STEPS: &str = r#"for f in artifacts/*; do n=$(basename "$f"); h=$(sha256sum "$f" | cut -c1-64); [ "${n%%-*}" = "$h" ] && echo "OK $n" || echo "ALTERED $n"; done
grep -o '"kind":"artifact.stored".*sha256\\":\\"[0-9a-f]*' ledger.jsonl | grep -o '[0-9a-f]\{64\}$' | while read h; do ls artifacts/$h-* >/dev/null 2>&1 || echo "MISSING $h"; done
"#;

/// The three tables of the trial: honest controls, workspace alterations, pack alterations.
pub fn trials(
    tool: &Tool,
    rng: &mut Rng,
    alterations: usize,
    pack_alterations: usize,
    samples: &Path,
    root: &Path,
) -> anyhow::Result<Vec<Table>> {
    let fx = Fixture::build(tool, samples, root).context("building the base workspace")?;
    let mut controls = Table::new("trust-controls", &["honest control", "check", "exit"]);
    workspace_controls(tool, &fx, &mut controls)?;
    let packs = Packs::build(tool, &fx).context("making the honest packs")?;
    pack_controls(tool, &fx, &packs, &mut controls)?;
    let workspace = workspace_trials(tool, rng, &fx, alterations)?;
    let pack = pack_trials(tool, rng, &fx, &packs, pack_alterations)?;
    Ok(vec![controls, workspace, pack])
}

/// The workspace at checkpoint B, a copy at A, both signed notes and the public key.
struct Fixture {
    dir: PathBuf,
    base: PathBuf,
    at_a: PathBuf,
    a_note: String,
    b_note: String,
    public: String,
    /// The workspace's own private key: used only by the controls that rebuild an honest
    /// pack through the forging code.
    private: PathBuf,
    /// A CSV for the honest import after B.
    later_csv: String,
    origin: String,
    count_a: u64,
    count_b: u64,
    verifier: PathBuf,
}

impl Fixture {
    /// Policy, two grant files, signed checkpoint A; a third file, signed checkpoint B. A few
    /// rows of each file fall in the policy's period, so the packs carry a few findings and
    /// their proofs; the rest keep the ledger at a couple of hundred entries.
    fn build(tool: &Tool, samples: &Path, root: &Path) -> anyhow::Result<Fixture> {
        let dir = tool.work.join("trust");
        std::fs::create_dir_all(&dir)?;
        let base = dir.join("base.evidentia");
        let _ = std::fs::remove_file(&base);
        let csv = |name: &str, in_period: usize| -> anyhow::Result<String> {
            let path = dir.join(format!("{name}.csv"));
            std::fs::write(&path, grants(name, 60, in_period))?;
            Ok(arg(&path))
        };
        tool.ok(&base, &["init"])?;
        tool.ok(
            &base,
            &["policy", "set", &arg(&samples.join("policy.toml"))],
        )?;
        for (name, in_period) in [("first", 3), ("second", 2)] {
            import(tool, &base, &csv(name, in_period)?)?;
        }
        let (a_note, count_a) = signed_checkpoint(tool, &base, &dir.join("A.note"))?;
        settle(&base)?;
        let at_a = dir.join("at-a.evidentia");
        copy_workspace(&base, &at_a)?;
        import(tool, &base, &csv("third", 3)?)?;
        let (b_note, count_b) = signed_checkpoint(tool, &base, &dir.join("B.note"))?;
        let public = arg(&dir.join("pub.pem"));
        tool.ok(&base, &["key", "export", "--out", &public])?;
        settle(&base)?;
        let note = std::fs::read_to_string(&b_note)?;
        let origin = note.lines().next().unwrap_or_default().to_owned();
        let id = origin
            .strip_prefix("evidentia/")
            .ok_or_else(|| anyhow!("B.note names origin {origin:?}"))?;
        Ok(Fixture {
            private: tool.work.join("keys").join(format!("{id}.pem")),
            later_csv: csv("later", 1)?,
            dir,
            base,
            at_a,
            a_note,
            b_note,
            public,
            origin,
            count_a,
            count_b,
            verifier: root.join("tools/verify_ledger.py"),
        })
    }

    /// `verify --trusted-checkpoint NOTE --key pub.pem` on `ws`.
    fn trusted(&self, tool: &Tool, ws: &Path, note: &str) -> anyhow::Result<Ran> {
        tool.run(
            ws,
            &[
                "verify",
                "--trusted-checkpoint",
                note,
                "--key",
                self.public.as_str(),
            ],
        )
    }
}

fn arg(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

/// Provisioning grants: the first `in_period` in 2025 (the policy's period: each is a finding,
/// an account no identity owns), the rest in 2024 (out of the period: evidence, no finding).
fn grants(tag: &str, rows: usize, in_period: usize) -> String {
    let mut csv =
        String::from("Timestamp,System,Account,Action,Role,Performed By,Result,Request\n");
    for i in 0..rows {
        let year = if i < in_period { 2025 } else { 2024 };
        csv.push_str(&format!(
            "03/04/{year} 10:{:02},finance-app,{tag}-user{i},Add Role,approver,admin,Success,REQ-{tag}-{i}\n",
            i % 60
        ));
    }
    csv
}

fn import(tool: &Tool, ws: &Path, csv: &str) -> anyhow::Result<()> {
    tool.ok(ws, &["import", "--profile", "provisioning-csv", csv])?;
    Ok(())
}

/// Records a signed checkpoint and saves `checkpoint --list --note`: its path and size.
fn signed_checkpoint(tool: &Tool, ws: &Path, out: &Path) -> anyhow::Result<(String, u64)> {
    tool.ok(ws, &["checkpoint"])?;
    let note = tool.ok(ws, &["checkpoint", "--list", "--note"])?.stdout;
    std::fs::write(out, &note)?;
    let size = note
        .lines()
        .nth(1)
        .and_then(|l| l.parse().ok())
        .ok_or_else(|| anyhow!("checkpoint --list --note printed {note:?}"))?;
    Ok((arg(out), size))
}

/// Moves everything into the main file, so a plain copy of it is the whole workspace.
fn settle(ws: &Path) -> anyhow::Result<()> {
    let db = Connection::open(ws)?;
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

/// Failures, at most three alike (same alteration, same check) in full, then how many more:
/// a long run would otherwise list hundreds of the same line.
#[derive(Debug, Default)]
struct Misses {
    seen: BTreeMap<String, usize>,
}

impl Misses {
    fn add(&mut self, table: &mut Table, alike: String, line: String) {
        let n = self.seen.entry(alike).or_default();
        *n += 1;
        if *n <= 3 {
            table.fail(line);
        }
    }

    fn finish(self, table: &mut Table) {
        for (alike, n) in self.seen {
            if n > 3 {
                table.fail(format!("{alike}: {} more like the above", n - 3));
            }
        }
    }
}

/// One row of the controls table; a control that does not hold fails the run.
fn control(table: &mut Table, what: &str, check: &str, ran: &Ran) {
    table.row(vec![
        what.to_owned(),
        check.to_owned(),
        ran.code.to_string(),
    ]);
    if ran.code != 0 {
        table.fail(format!(
            "control {what}: {check} exited {}: {} {}",
            ran.code,
            first_line(&ran.stdout),
            first_line(&ran.stderr)
        ));
    }
}

fn first_line(text: &str) -> &str {
    text.lines().find(|l| !l.trim().is_empty()).unwrap_or("")
}

fn workspace_controls(tool: &Tool, fx: &Fixture, table: &mut Table) -> anyhow::Result<()> {
    let ws = fx.dir.join("control.evidentia");
    let notes = [("A.note", &fx.a_note), ("B.note", &fx.b_note)];
    copy_workspace(&fx.base, &ws)?;
    for (name, note) in notes {
        let ran = fx.trusted(tool, &ws, note)?;
        control(
            table,
            "workspace at B, untouched",
            &format!("`verify --trusted-checkpoint {name} --key pub.pem`"),
            &ran,
        );
    }
    import(tool, &ws, &fx.later_csv)?;
    for (name, note) in notes {
        let ran = fx.trusted(tool, &ws, note)?;
        control(
            table,
            "workspace with one more import after B",
            &format!("`verify --trusted-checkpoint {name} --key pub.pem`"),
            &ran,
        );
    }
    // The workspace's own checkpoints are the file's claims, not the auditor's: removing them
    // leaves every entry B names in place, so B still holds.
    copy_workspace(&fx.base, &ws)?;
    {
        let db = Connection::open(&ws)?;
        drop_triggers(&db)?;
        db.execute_batch("DELETE FROM checkpoint_trees; DELETE FROM checkpoints;")?;
    }
    let ran = fx.trusted(tool, &ws, &fx.b_note)?;
    control(
        table,
        "workspace at B with its own checkpoints deleted, entries untouched",
        "`verify --trusted-checkpoint B.note --key pub.pem`",
        &ran,
    );
    // The hash code the rewrites below use reproduces every stored hash.
    let db = Connection::open(&fx.base)?;
    let stored = read_entries(&db)?;
    let mut again = stored.clone();
    rechain(&mut again, 0);
    let same = stored == again;
    table.row(vec![
        "this trial's hash recomputation over the workspace at B".into(),
        "every payload hash, prev hash and entry hash as stored".into(),
        if same { "0" } else { "1" }.into(),
    ]);
    if !same {
        table.fail("the trial's entry hash recomputation differs from the stored hashes");
    }
    Ok(())
}

#[derive(Debug, Default, Clone, Copy)]
struct WorkspaceCount {
    applied: u64,
    alone: u64,
    caught: u64,
    errored: u64,
    missed: u64,
    panicked: u64,
}

fn workspace_trials(
    tool: &Tool,
    rng: &mut Rng,
    fx: &Fixture,
    alterations: usize,
) -> anyhow::Result<Table> {
    let mut table = Table::new(
        "trust-workspace",
        &[
            "alteration",
            "applied",
            "plain `verify`: exit 3",
            "`verify --trusted-checkpoint B.note --key pub.pem`: exit 3",
            "refused with an error",
            "missed",
            "panicked",
        ],
    );
    let ws = fx.dir.join("altered.evidentia");
    let mut counts: BTreeMap<&str, WorkspaceCount> = BTreeMap::new();
    let mut misses = Misses::default();
    for i in 0..alterations {
        copy_workspace(&fx.base, &ws)?;
        // Every kind in turn, so a short run tries each about equally often.
        let kind = WORKSPACE_KINDS[i % WORKSPACE_KINDS.len()];
        let what = {
            let db = Connection::open(&ws)?;
            drop_triggers(&db)?;
            let what =
                alter_workspace(&db, rng, fx, kind).with_context(|| format!("applying {kind}"))?;
            db.close().map_err(|(_, e)| e)?;
            what
        };
        let alone = tool.run(&ws, &["verify"])?;
        let ran = fx.trusted(tool, &ws, &fx.b_note)?;
        let c = counts.entry(kind).or_default();
        c.applied += 1;
        // A rewrite or a cut tail is meant to verify on its own; if it does not, the trial did
        // not build what it claims to test.
        let self_consistent = kind.starts_with("consistent") || kind.starts_with("truncated");
        match alone.code {
            3 => {
                c.alone += 1;
                if self_consistent {
                    misses.add(
                        &mut table,
                        format!("{kind}: does not verify on its own"),
                        format!(
                            "{kind} ({what}) does not verify on its own: {}",
                            first_line(&alone.stdout)
                        ),
                    );
                }
            }
            PANIC_EXIT => misses.add(
                &mut table,
                format!("{kind}: plain verify panicked"),
                format!(
                    "{kind} ({what}): plain verify panicked: {}",
                    first_line(&alone.stderr)
                ),
            ),
            _ => {}
        }
        match ran.code {
            3 => c.caught += 1,
            0 => {
                c.missed += 1;
                misses.add(
                    &mut table,
                    format!("{kind}: not caught"),
                    format!(
                        "{kind}: not caught ({what}): `verify --trusted-checkpoint B.note --key pub.pem` exited 0: {}",
                        first_line(&ran.stdout)
                    ),
                );
            }
            PANIC_EXIT => {
                c.panicked += 1;
                misses.add(
                    &mut table,
                    format!("{kind}: verify panicked"),
                    format!(
                        "{kind}: verify panicked ({what}): {}",
                        first_line(&ran.stderr)
                    ),
                );
            }
            _ => c.errored += 1,
        }
    }
    misses.finish(&mut table);
    let mut total = WorkspaceCount::default();
    for (kind, c) in &counts {
        table.row(vec![
            (*kind).to_owned(),
            c.applied.to_string(),
            c.alone.to_string(),
            c.caught.to_string(),
            c.errored.to_string(),
            c.missed.to_string(),
            c.panicked.to_string(),
        ]);
        total.applied += c.applied;
        total.alone += c.alone;
        total.caught += c.caught;
        total.errored += c.errored;
        total.missed += c.missed;
        total.panicked += c.panicked;
    }
    table.row(vec![
        "**all**".into(),
        total.applied.to_string(),
        total.alone.to_string(),
        format!(
            "{} (**{:.1}%**)",
            total.caught,
            100.0 * total.caught as f64 / total.applied.max(1) as f64
        ),
        total.errored.to_string(),
        total.missed.to_string(),
        total.panicked.to_string(),
    ]);
    Ok(table)
}

/// Applies one workspace alteration of `kind`; returns what it did, for failure messages.
fn alter_workspace(
    db: &Connection,
    rng: &mut Rng,
    fx: &Fixture,
    kind: &str,
) -> anyhow::Result<String> {
    let count_b = i64::try_from(fx.count_b)?;
    let seq = 1 + rng.below(fx.count_b) as i64;
    match kind {
        "entry ≤ B: a byte of a column changed" => {
            let column = *rng.pick(&[
                "kind",
                "recorded_at",
                "payload",
                "payload_hash",
                "prev_hash",
                "entry_hash",
            ]);
            if matches!(column, "kind" | "recorded_at") {
                let old: String = db.query_row(
                    &format!("SELECT {column} FROM ledger_entries WHERE seq = ?1"),
                    [seq],
                    |r| r.get(0),
                )?;
                let mut bytes = old.into_bytes();
                let i = rng.below(bytes.len() as u64) as usize;
                bytes[i] = if bytes[i] == b'0' { b'1' } else { b'0' };
                db.execute(
                    &format!("UPDATE ledger_entries SET {column} = ?1 WHERE seq = ?2"),
                    params![String::from_utf8_lossy(&bytes), seq],
                )?;
            } else {
                crate::tamper::flip_entry_blob(db, column, seq, rng)?;
            }
            Ok(format!("{column} of entry {seq}"))
        }
        "entry ≤ B: deleted" => {
            db.execute("DELETE FROM ledger_entries WHERE seq = ?1", [seq])?;
            Ok(format!("entry {seq} deleted"))
        }
        "entry ≤ B: a copy inserted after it, later entries renumbered" => {
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
            Ok(format!("a copy of entry {seq} inserted after it"))
        }
        "entries ≤ B: two swapped" => {
            let other = 1 + rng.below(fx.count_b) as i64;
            let other = if other == seq {
                seq % count_b + 1
            } else {
                other
            };
            db.execute("UPDATE ledger_entries SET seq = -1 WHERE seq = ?1", [seq])?;
            db.execute(
                "UPDATE ledger_entries SET seq = ?1 WHERE seq = ?2",
                params![seq, other],
            )?;
            db.execute("UPDATE ledger_entries SET seq = ?1 WHERE seq = -1", [other])?;
            Ok(format!("entries {seq} and {other} swapped"))
        }
        "truncated back to A, B's checkpoint deleted" => {
            truncate(db, fx.count_a)?;
            Ok(format!("entries after {} deleted", fx.count_a))
        }
        "truncated below B, checkpoints past the cut deleted" => {
            let cut = 1 + rng.below(fx.count_b - 1);
            truncate(db, cut)?;
            Ok(format!("entries after {cut} deleted"))
        }
        "checkpoint row: count or head changed" => {
            let id = 1 + rng.below(2) as i64;
            if rng.chance(50) {
                let delta = *rng.pick(&[-1i64, 1]);
                db.execute(
                    "UPDATE checkpoints SET entry_count = entry_count + ?1 WHERE id = ?2",
                    params![delta, id],
                )?;
                Ok(format!("checkpoint {id}: entry_count {delta:+}"))
            } else {
                let mut head: Vec<u8> = db.query_row(
                    "SELECT head_hash FROM checkpoints WHERE id = ?1",
                    [id],
                    |r| r.get(0),
                )?;
                flip(&mut head, rng);
                db.execute(
                    "UPDATE checkpoints SET head_hash = ?1 WHERE id = ?2",
                    params![head, id],
                )?;
                Ok(format!("checkpoint {id}: a bit of head_hash"))
            }
        }
        "checkpoint row: deleted, its tree row left" => {
            let id = 1 + rng.below(2) as i64;
            db.execute("DELETE FROM checkpoints WHERE id = ?1", [id])?;
            Ok(format!("checkpoint {id} deleted"))
        }
        "checkpoint tree row: root or signed note changed" => {
            let id = 1 + rng.below(2) as i64;
            let (mut root, note): (Vec<u8>, String) = db.query_row(
                "SELECT tree_root, note FROM checkpoint_trees WHERE checkpoint_id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?;
            match rng.below(3) {
                0 => {
                    flip(&mut root, rng);
                    db.execute(
                        "UPDATE checkpoint_trees SET tree_root = ?1 WHERE checkpoint_id = ?2",
                        params![root, id],
                    )?;
                    Ok(format!("checkpoint {id}: a bit of tree_root"))
                }
                1 => {
                    let (changed, at) = change_ascii(&note, rng);
                    db.execute(
                        "UPDATE checkpoint_trees SET note = ?1 WHERE checkpoint_id = ?2",
                        params![changed, id],
                    )?;
                    Ok(format!("checkpoint {id}: note character {at} changed"))
                }
                _ => {
                    // The same head, signed by a key the ledger never recorded.
                    let text: String = note.split_inclusive('\n').take(3).collect();
                    let head = TreeHead::parse(&text)?;
                    let forged = sign_checkpoint(&head, &SigningKey::generate(&fx.origin)?)?;
                    db.execute(
                        "UPDATE checkpoint_trees SET note = ?1 WHERE checkpoint_id = ?2",
                        params![forged, id],
                    )?;
                    Ok(format!("checkpoint {id}: note re-signed by another key"))
                }
            }
        }
        "consistent rewrite, stored checkpoints deleted" => rewrite(db, rng, fx, Rerecord::Delete),
        "consistent rewrite, checkpoints re-recorded unsigned" => {
            rewrite(db, rng, fx, Rerecord::Unsigned)
        }
        "consistent rewrite, own key recorded, checkpoints re-signed" => {
            rewrite(db, rng, fx, Rerecord::OwnKey)
        }
        "row outside the chain (seq 0 or below)" => {
            let at = -(rng.below(3) as i64);
            db.execute(
                "INSERT INTO ledger_entries SELECT ?1, kind, recorded_at, payload, payload_hash, prev_hash, entry_hash FROM ledger_entries WHERE seq = ?2",
                params![at, seq],
            )?;
            Ok(format!("a copy of entry {seq} inserted at seq {at}"))
        }
        _ => bail!("unknown alteration {kind}"),
    }
}

use crate::tamper::flip;

/// One ASCII letter or digit of `text` replaced by another (the text stays UTF-8, the
/// format the same); returns the text and the position.
fn change_ascii(text: &str, rng: &mut Rng) -> (String, usize) {
    let mut bytes = text.as_bytes().to_vec();
    let places: Vec<usize> = (0..bytes.len())
        .filter(|&i| bytes[i].is_ascii_alphanumeric())
        .collect();
    if places.is_empty() {
        bytes.push(b'x');
        return (String::from_utf8_lossy(&bytes).into_owned(), text.len());
    }
    let i = places[rng.below(places.len() as u64) as usize];
    bytes[i] = match bytes[i] {
        b'z' => b'a',
        b'Z' => b'A',
        b'9' => b'0',
        b => b + 1,
    };
    (String::from_utf8_lossy(&bytes).into_owned(), i)
}

/// Deletes the entries after `cut`, the checkpoints (and tree rows) that name any of them,
/// and the artifacts no remaining entry commits to: a shorter ledger that verifies alone.
fn truncate(db: &Connection, cut: u64) -> anyhow::Result<()> {
    let cut = i64::try_from(cut)?;
    db.execute("DELETE FROM ledger_entries WHERE seq > ?1", [cut])?;
    db.execute(
        "DELETE FROM checkpoint_trees WHERE checkpoint_id IN (SELECT id FROM checkpoints WHERE entry_count > ?1)",
        [cut],
    )?;
    db.execute("DELETE FROM checkpoints WHERE entry_count > ?1", [cut])?;
    let committed: BTreeSet<String> = read_entries(db)?
        .iter()
        .filter(|e| e.kind == ARTIFACT_STORED)
        .filter_map(|e| committed_sha(&e.payload))
        .collect();
    let stored: Vec<Vec<u8>> = db
        .prepare("SELECT sha256 FROM artifacts")?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    for sha in stored {
        if !committed.contains(&hex::encode(&sha)) {
            db.execute("DELETE FROM artifact_chunks WHERE sha256 = ?1", [&sha])?;
            db.execute("DELETE FROM artifacts WHERE sha256 = ?1", [&sha])?;
        }
    }
    Ok(())
}

fn committed_sha(payload: &[u8]) -> Option<String> {
    let v: serde_json::Value = serde_json::from_slice(payload).ok()?;
    v.get("sha256")?.as_str().map(str::to_owned)
}

fn read_entries(db: &Connection) -> anyhow::Result<Vec<Entry>> {
    let mut stmt = db.prepare(
        "SELECT seq, kind, recorded_at, payload, payload_hash, prev_hash, entry_hash FROM ledger_entries ORDER BY seq",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, Vec<u8>>(3)?,
            r.get::<_, Vec<u8>>(4)?,
            r.get::<_, Vec<u8>>(5)?,
            r.get::<_, Vec<u8>>(6)?,
        ))
    })?;
    let hash =
        |b: &[u8]| Hash::from_slice(b).ok_or_else(|| anyhow!("a stored hash is not 32 bytes"));
    let mut out = Vec::new();
    for row in rows {
        let (seq, kind, recorded_at, payload, ph, prev, eh) = row?;
        out.push(Entry {
            seq: u64::try_from(seq)?,
            kind,
            recorded_at,
            payload,
            payload_hash: hash(&ph)?,
            prev_hash: hash(&prev)?,
            entry_hash: hash(&eh)?,
        });
    }
    Ok(out)
}

/// Recomputes the payload hash, link and entry hash of every entry from index `from` on, as
/// anyone with docs/ledger-format.md §4–§5 can.
fn rechain(entries: &mut [Entry], from: usize) {
    for i in from..entries.len() {
        let prev = if i == 0 {
            Hash::ZERO
        } else {
            entries[i - 1].entry_hash
        };
        let e = &mut entries[i];
        e.payload_hash = payload_hash(&e.payload);
        e.prev_hash = prev;
        e.entry_hash = entry_hash(e.seq, &e.kind, &e.recorded_at, &e.payload_hash, &prev);
    }
}

/// One lowercase letter of a payload moved to the next (the payload stays canonical JSON).
fn edit_payload(payload: &mut [u8], rng: &mut Rng) -> usize {
    let places: Vec<usize> = (0..payload.len())
        .filter(|&i| payload[i].is_ascii_lowercase())
        .collect();
    if places.is_empty() {
        flip(payload, rng);
        return 0;
    }
    let i = places[rng.below(places.len() as u64) as usize];
    payload[i] = if payload[i] == b'z' {
        b'a'
    } else {
        payload[i] + 1
    };
    i
}

/// Entries a rewrite may edit: any at or before B except artifact commitments (their
/// payloads are parsed: an edit there is caught by the artifact check, not the rewrite's
/// point) and the signing key (replaced wholesale where a rewrite wants its own).
fn editable(entries: &[Entry], count: u64) -> Vec<usize> {
    (0..entries.len())
        .filter(|&i| {
            entries[i].seq <= count
                && entries[i].kind != ARTIFACT_STORED
                && entries[i].kind != SIGNING_KEY_ADDED
        })
        .collect()
}

/// A `signing_key.added` payload for `key`, as `evidentia key new` writes it.
fn key_payload(key: &SigningKey) -> anyhow::Result<Vec<u8>> {
    let verifier = key.verifier();
    Ok(canonical_json(&serde_json::json!({
        "name": key.name(),
        "public_key_pem": verifier.to_pem()?,
        "vkey": verifier.to_vkey(),
    }))?)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rerecord {
    /// The workspace's checkpoints and tree rows deleted.
    Delete,
    /// Every checkpoint given the forged head and root, its note blank (unsigned).
    Unsigned,
    /// The ledger's signing key replaced by the forger's, every checkpoint re-signed with it.
    OwnKey,
}

/// A consistent rewrite: one payload at or before B edited and every later hash recomputed,
/// the stored checkpoints dealt with as `mode` says. The result verifies on its own.
fn rewrite(db: &Connection, rng: &mut Rng, fx: &Fixture, mode: Rerecord) -> anyhow::Result<String> {
    let mut entries = read_entries(db)?;
    let candidates = editable(&entries, fx.count_b);
    let i = candidates[rng.below(candidates.len() as u64) as usize];
    let at = edit_payload(&mut entries[i].payload, rng);
    let mut what = format!("payload byte {at} of entry {}", entries[i].seq);
    let mut first = i;
    let key = if mode == Rerecord::OwnKey {
        let key = SigningKey::generate(&fx.origin)?;
        let k = entries
            .iter()
            .position(|e| e.kind == SIGNING_KEY_ADDED)
            .ok_or_else(|| anyhow!("no signing_key.added entry"))?;
        entries[k].payload = key_payload(&key)?;
        what.push_str(&format!(", key entry {} replaced", entries[k].seq));
        first = first.min(k);
        Some(key)
    } else {
        None
    };
    rechain(&mut entries, first);
    for e in &entries[first..] {
        db.execute(
            "UPDATE ledger_entries SET payload = ?1, payload_hash = ?2, prev_hash = ?3, entry_hash = ?4 WHERE seq = ?5",
            params![
                e.payload,
                e.payload_hash.0.to_vec(),
                e.prev_hash.0.to_vec(),
                e.entry_hash.0.to_vec(),
                i64::try_from(e.seq)?
            ],
        )?;
    }
    what.push_str(&format!(
        ", entries {}..{} rehashed",
        entries[first].seq,
        entries.len()
    ));
    if mode == Rerecord::Delete {
        db.execute_batch("DELETE FROM checkpoint_trees; DELETE FROM checkpoints;")?;
        return Ok(what);
    }
    let tree = MerkleTree::from_entry_hashes(entries.iter().map(|e| &e.entry_hash));
    let checkpoints: Vec<(i64, i64)> = db
        .prepare("SELECT id, entry_count FROM checkpoints")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    for (id, count) in checkpoints {
        let size = u64::try_from(count)?;
        let head = entries
            .get(usize::try_from(size)?.wrapping_sub(1))
            .map_or(Hash::ZERO, |e| e.entry_hash);
        let root = tree.root_at(size)?;
        let note = match &key {
            Some(key) => sign_checkpoint(
                &TreeHead {
                    origin: fx.origin.clone(),
                    size,
                    root,
                },
                key,
            )?,
            None => String::new(),
        };
        db.execute(
            "UPDATE checkpoints SET head_hash = ?1 WHERE id = ?2",
            params![head.0.to_vec(), id],
        )?;
        db.execute(
            "UPDATE checkpoint_trees SET tree_root = ?1, note = ?2 WHERE checkpoint_id = ?3",
            params![root.0.to_vec(), note, id],
        )?;
    }
    Ok(what)
}

// ---------------------------------------------------------------------------------------------
// Packs

type Files = Vec<(String, Vec<u8>)>;

/// The earlier pack (at A), the honest later pack (at B), both read and the earlier extracted.
struct Packs {
    earlier: String,
    earlier_ledger: String,
    later: Files,
    /// The workspace argument `pack verify` is given (it reads no workspace).
    none: PathBuf,
}

impl Packs {
    fn build(tool: &Tool, fx: &Fixture) -> anyhow::Result<Packs> {
        // Packs are made from copies: making one must not change the workspaces above.
        let ws = fx.dir.join("pack-source.evidentia");
        copy_workspace(&fx.at_a, &ws)?;
        let earlier = fx.dir.join("earlier.zip");
        tool.ok(&ws, &["pack", "--out", &arg(&earlier)])?;
        copy_workspace(&fx.base, &ws)?;
        let later = fx.dir.join("later.zip");
        tool.ok(&ws, &["pack", "--out", &arg(&later)])?;
        let earlier_dir = fx.dir.join("earlier");
        extract(&read_zip(&earlier)?, &earlier_dir)?;
        Ok(Packs {
            earlier: arg(&earlier),
            earlier_ledger: arg(&earlier_dir.join(LEDGER_JSONL)),
            later: read_zip(&later)?,
            none: fx.dir.join("none.evidentia"),
        })
    }
}

fn read_zip(path: &Path) -> anyhow::Result<Files> {
    let file = std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let mut archive = zip::ZipArchive::new(file)?;
    let mut files = Vec::new();
    for i in 0..archive.len() {
        let mut f = archive.by_index(i)?;
        let mut bytes = Vec::new();
        f.read_to_end(&mut bytes)?;
        files.push((f.name().to_owned(), bytes));
    }
    Ok(files)
}

/// Writes the files as they are, `manifest.json` and `SHA256SUMS` included, with the pack
/// writer's entry options.
fn write_raw(files: &Files, out: &Path) -> anyhow::Result<()> {
    use zip::write::SimpleFileOptions;
    let mut zip = zip::ZipWriter::new(BufWriter::new(std::fs::File::create(out)?));
    for (name, bytes) in files {
        let options = SimpleFileOptions::DEFAULT
            .compression_method(zip::CompressionMethod::Deflated)
            .compression_level(Some(6))
            .last_modified_time(zip::DateTime::DEFAULT)
            .unix_permissions(0o644)
            .large_file(name == LEDGER_JSONL);
        zip.start_file(name.as_str(), options)?;
        zip.write_all(bytes)?;
    }
    zip.finish()?.flush()?;
    Ok(())
}

/// Writes the files through Evidentia's own pack writer, which makes `manifest.json` (from
/// `manifest`, its file list filled in) and `SHA256SUMS` agree with them: what a forger with
/// the source would do.
fn write_resummed(
    files: &Files,
    manifest: Manifest,
    signer: Option<&SigningKey>,
    out: &Path,
) -> anyhow::Result<()> {
    let old_note = file(files, MANIFEST_NOTE).map(|b| String::from_utf8_lossy(b).into_owned());
    let origin = manifest
        .checkpoint
        .origin
        .clone()
        .unwrap_or_else(|| format!("evidentia/{}", manifest.workspace_id));
    let mut pack = PackWriter::new(BufWriter::new(std::fs::File::create(out)?));
    for (name, bytes) in files {
        if name == MANIFEST || name == MANIFEST_NOTE || name == SHA256SUMS {
            continue;
        }
        if name == LEDGER_JSONL {
            pack.start(name, None)?;
            pack.write(bytes)?;
        } else {
            pack.add(name, bytes)?;
        }
    }
    let (mut writer, _) = pack.finish_with_note(manifest, |json| match signer {
        Some(key) => {
            let text = evidentia_pack::manifest_note_text(&origin, &Hash::of(json).to_hex());
            key.sign_note(&text)
                .map(Some)
                .map_err(std::io::Error::other)
        }
        None => Ok(old_note),
    })?;
    writer.flush()?;
    Ok(())
}

fn manifest_of(files: &Files) -> anyhow::Result<Manifest> {
    let bytes = file(files, MANIFEST).ok_or_else(|| anyhow!("the pack has no manifest.json"))?;
    Ok(serde_json::from_slice(bytes)?)
}

fn file<'a>(files: &'a Files, name: &str) -> Option<&'a [u8]> {
    files
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, b)| b.as_slice())
}

fn set_file(files: &mut Files, name: &str, bytes: Vec<u8>) {
    match files.iter_mut().find(|(n, _)| n == name) {
        Some(slot) => slot.1 = bytes,
        None => files.push((name.to_owned(), bytes)),
    }
}

fn extract(files: &Files, dir: &Path) -> anyhow::Result<()> {
    let _ = std::fs::remove_dir_all(dir);
    for (name, bytes) in files {
        let path = dir.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(&path, bytes)?;
    }
    Ok(())
}

/// An altered pack: its files, and the manifest to rewrite `manifest.json` and `SHA256SUMS`
/// from (`None`: both left as they are in `files`).
struct AlteredPack {
    files: Files,
    manifest: Option<Manifest>,
    /// The key that re-signs `manifest.note` when the manifest is rewritten (a forger's);
    /// `None` keeps the pack's own `manifest.note`, which then no longer names the manifest.
    manifest_signer: Option<SigningKey>,
    what: String,
}

impl AlteredPack {
    fn write(&self, out: &Path) -> anyhow::Result<()> {
        match &self.manifest {
            Some(m) => write_resummed(&self.files, m.clone(), self.manifest_signer.as_ref(), out),
            None => write_raw(&self.files, out),
        }
    }
}

/// What every check made of one pack.
#[derive(Debug, Default)]
struct PackVerdict {
    /// `pack verify X --key pub.pem --against earlier.zip`.
    evidentia: Option<Ran>,
    /// `pack verify X`: the pack on its own.
    plain: i32,
    /// `sha256sum -c SHA256SUMS`: not every line `OK`, a warning, or a non-zero exit.
    sums: bool,
    /// `verify_ledger.py … --note --key --against`: its exit code.
    python: i32,
    python_said: String,
    /// The openssl steps: non-zero exit.
    openssl: bool,
    /// Steps 4 (artifacts) and 5 (every finding proof with --proof --key): any failure.
    steps45: bool,
}

impl PackVerdict {
    fn evidentia_code(&self) -> i32 {
        self.evidentia.as_ref().map_or(-1, |r| r.code)
    }

    fn independent(&self) -> bool {
        self.sums || self.python != 0 || self.openssl || self.steps45
    }
}

/// Runs every check on the pack at `zip`, whose files are `files`.
fn check_pack(
    tool: &Tool,
    fx: &Fixture,
    packs: &Packs,
    zip: &Path,
    files: &Files,
) -> anyhow::Result<PackVerdict> {
    let zip_arg = arg(zip);
    let evidentia = tool.run(
        &packs.none,
        &[
            "pack",
            "verify",
            &zip_arg,
            "--key",
            &fx.public,
            "--against",
            &packs.earlier,
        ],
    )?;
    let plain = tool.run(&packs.none, &["pack", "verify", &zip_arg])?.code;
    let x = fx.dir.join("x");
    extract(files, &x)?;
    std::fs::copy(&fx.public, x.join("their-key.pem"))?;
    let run = |program: &str, args: &[&str]| -> anyhow::Result<std::process::Output> {
        Command::new(program)
            .args(args)
            .current_dir(&x)
            .stdin(Stdio::null())
            .output()
            .with_context(|| format!("starting {program}"))
    };
    let sums = run("sha256sum", &["-c", SHA256SUMS])?;
    let sums_fail = !sums.status.success()
        || !sums.stderr.is_empty()
        || String::from_utf8_lossy(&sums.stdout)
            .lines()
            .any(|l| !l.ends_with(": OK"));
    let verifier = arg(&fx.verifier);
    let python = run(
        "python3",
        &[
            &verifier,
            LEDGER_JSONL,
            "--manifest",
            MANIFEST,
            "--note",
            CHECKPOINT_NOTE,
            "--key",
            "their-key.pem",
            "--against",
            &packs.earlier_ledger,
        ],
    )?;
    let artifacts = run("bash", &["-c", ARTIFACT_STEPS])?;
    let artifacts_fail = String::from_utf8_lossy(&artifacts.stdout)
        .lines()
        .any(|l| l.starts_with("ALTERED") || l.starts_with("MISSING"));
    // Step 5 for every finding proof, in one interpreter.
    let mut proofs: Vec<String> = files
        .iter()
        .filter(|(n, _)| n.starts_with(FINDING_PROOFS_DIR))
        .map(|(n, _)| n.clone())
        .collect();
    proofs.sort();
    let tools_dir = fx
        .verifier
        .parent()
        .map(arg)
        .ok_or_else(|| anyhow!("no tools folder"))?;
    let mut step5: Vec<&str> = vec![
        "-c",
        "import sys; sys.path.insert(0, sys.argv[1]); import verify_ledger as v; \
         sys.exit(max([0] + [v.main(['--proof', p, '--key', 'their-key.pem']) for p in sys.argv[2:]]))",
        &tools_dir,
    ];
    step5.extend(proofs.iter().map(String::as_str));
    let proofs_ok = run("python3", &step5)?.status.success();
    let openssl = run("bash", &["-c", OPENSSL_STEPS])?;
    Ok(PackVerdict {
        evidentia: Some(evidentia),
        plain,
        sums: sums_fail,
        python: python.status.code().unwrap_or(-1),
        python_said: String::from_utf8_lossy(&python.stdout).into_owned()
            + &String::from_utf8_lossy(&python.stderr),
        openssl: !openssl.status.success(),
        steps45: artifacts_fail || !proofs_ok,
    })
}

fn pack_controls(
    tool: &Tool,
    fx: &Fixture,
    packs: &Packs,
    table: &mut Table,
) -> anyhow::Result<()> {
    let earlier = tool.run(
        &packs.none,
        &["pack", "verify", &packs.earlier, "--key", &fx.public],
    )?;
    control(
        table,
        "earlier pack (at A)",
        "`pack verify earlier.zip --key pub.pem`",
        &earlier,
    );
    let trusted = std::fs::read(&fx.verifier)?;
    let carried = file(&packs.later, "tools/verify_ledger.py").unwrap_or_default();
    table.row(vec![
        "later pack (at B)".into(),
        "its tools/verify_ledger.py is the source tree's (which the trials run)".into(),
        if carried == trusted.as_slice() {
            "0"
        } else {
            "1"
        }
        .into(),
    ]);
    if carried != trusted.as_slice() {
        table.fail("the pack's tools/verify_ledger.py differs from the source tree's");
    }
    let honest = fx.dir.join("later.zip");
    let verdict = check_pack(tool, fx, packs, &honest, &packs.later)?;
    verdict_controls(table, "later pack (at B), as made", &verdict);
    // The trial's own rewriting, with nothing altered, must give a pack that passes too.
    let rezipped = fx.dir.join("rezipped.zip");
    write_resummed(&packs.later, manifest_of(&packs.later)?, None, &rezipped)?;
    let same = std::fs::read(&rezipped)? == std::fs::read(&honest)?;
    let verdict = check_pack(tool, fx, packs, &rezipped, &packs.later)?;
    verdict_controls(
        table,
        &format!(
            "later pack rewritten by this trial's zip, sums and manifest code, nothing changed ({})",
            if same {
                "byte-identical"
            } else {
                "not byte-identical"
            }
        ),
        &verdict,
    );
    let key = SigningKey::from_pem(&fx.origin, &std::fs::read_to_string(&fx.private)?)?;
    let forged = forge(&packs.later, &mut Rng::new(0), &key, Forgery::Nothing, true)?;
    let reforged = fx.dir.join("reforged.zip");
    forged.write(&reforged)?;
    let verdict = check_pack(tool, fx, packs, &reforged, &forged.files)?;
    verdict_controls(
        table,
        "later pack rebuilt by this trial's forging code, nothing edited, signed with the workspace's own key",
        &verdict,
    );
    Ok(())
}

fn verdict_controls(table: &mut Table, what: &str, v: &PackVerdict) {
    let code = |failed: bool| Ran {
        code: i32::from(failed),
        stdout: String::new(),
        stderr: String::new(),
        max_rss_kib: None,
    };
    if let Some(ran) = &v.evidentia {
        control(
            table,
            what,
            "`pack verify X --key pub.pem --against earlier.zip`",
            ran,
        );
    }
    control(table, what, "`sha256sum -c SHA256SUMS`", &code(v.sums));
    let python = Ran {
        code: v.python,
        stdout: v.python_said.clone(),
        stderr: String::new(),
        max_rss_kib: None,
    };
    control(
        table,
        what,
        "`verify_ledger.py ledger.jsonl --manifest --note --key --against`",
        &python,
    );
    control(table, what, "openssl `pkeyutl -verify`", &code(v.openssl));
    control(
        table,
        what,
        "VERIFY.md steps 4–5 (artifacts; every finding proof with `--proof --key`)",
        &code(v.steps45),
    );
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Forgery {
    /// Nothing edited (the control).
    Nothing,
    /// One entry's payload edited.
    Edit,
    /// The ledger cut short.
    Truncate,
}

/// A self-consistent forgery of a pack: the ledger edited (or cut), every later hash
/// recomputed, artifacts no entry commits to removed, the manifest's checkpoint and tree root
/// recomputed, `checkpoint.note` signed with `key` and `signing-key.pem` its public half,
/// finding proofs regenerated (findings whose entries were cut dropped) or left stale,
/// `SHA256SUMS` and the manifest rewritten. Half the time the ledger's own
/// `signing_key.added` entry is replaced by `key`'s too.
fn forge(
    files: &Files,
    rng: &mut Rng,
    key: &SigningKey,
    forgery: Forgery,
    regenerate_proofs: bool,
) -> anyhow::Result<AlteredPack> {
    let ledger = file(files, LEDGER_JSONL).ok_or_else(|| anyhow!("no ledger.jsonl"))?;
    let mut entries = Vec::new();
    for (i, line) in ledger.split(|b| *b == b'\n').enumerate() {
        if !line.is_empty() {
            entries.push(evidentia_pack::parse_line(line, i as u64 + 1)?);
        }
    }
    let size = entries.len() as u64;
    let mut what = String::new();
    let mut first = entries.len();
    match forgery {
        Forgery::Nothing => what.push_str("nothing edited"),
        Forgery::Edit => {
            let candidates = editable(&entries, size);
            let i = candidates[rng.below(candidates.len() as u64) as usize];
            let at = edit_payload(&mut entries[i].payload, rng);
            what.push_str(&format!("payload byte {at} of entry {}", entries[i].seq));
            first = i;
        }
        Forgery::Truncate => {
            let cut = 1 + rng.below(size - 1);
            entries.truncate(usize::try_from(cut)?);
            what.push_str(&format!("ledger cut to {cut} of {size} entries"));
        }
    }
    if forgery != Forgery::Nothing && rng.chance(50) {
        if let Some(k) = entries.iter().position(|e| e.kind == SIGNING_KEY_ADDED) {
            entries[k].payload = key_payload(key)?;
            what.push_str(&format!(", key entry {} replaced", entries[k].seq));
            first = first.min(k);
        }
    }
    rechain(&mut entries, first);
    if first < entries.len() {
        what.push_str(&format!(
            ", entries {}..{} rehashed",
            entries[first].seq,
            entries.len()
        ));
    }
    let n = entries.len() as u64;
    let mut lines = Vec::new();
    for e in &entries {
        lines.extend(evidentia_pack::to_line(e)?);
    }
    let tree = MerkleTree::from_entry_hashes(entries.iter().map(|e| &e.entry_hash));
    let root = tree.root();
    let mut manifest = manifest_of(files)?;
    let origin = manifest
        .checkpoint
        .origin
        .clone()
        .unwrap_or_else(|| format!("evidentia/{}", manifest.workspace_id));
    let note = sign_checkpoint(
        &TreeHead {
            origin,
            size: n,
            root,
        },
        key,
    )?;
    manifest.checkpoint.entry_count = n;
    manifest.checkpoint.head_hash = entries.last().map_or(Hash::ZERO, |e| e.entry_hash).to_hex();
    manifest.checkpoint.tree_root = Some(root.to_hex());

    let committed: BTreeSet<String> = entries
        .iter()
        .filter(|e| e.kind == ARTIFACT_STORED)
        .filter_map(|e| committed_sha(&e.payload))
        .collect();
    let mut out: Files = files
        .iter()
        .filter(|(name, _)| match name.strip_prefix("artifacts/") {
            Some(rest) => committed.contains(rest.get(..64).unwrap_or_default()),
            None => true,
        })
        .cloned()
        .collect();
    let removed = files.len() - out.len();
    if removed > 0 {
        what.push_str(&format!(", {removed} uncommitted artifacts removed"));
    }
    set_file(&mut out, LEDGER_JSONL, lines);
    set_file(&mut out, CHECKPOINT_NOTE, note.clone().into_bytes());
    set_file(
        &mut out,
        SIGNING_KEY_PEM,
        key.verifier().to_pem()?.into_bytes(),
    );
    if regenerate_proofs {
        let dropped = regenerate(&mut out, &entries, &tree, &note, key)?;
        if dropped > 0 {
            what.push_str(&format!(
                ", {dropped} findings citing cut entries dropped with their proofs"
            ));
        }
    } else {
        what.push_str(", proofs left stale");
    }
    Ok(AlteredPack {
        files: out,
        manifest: Some(manifest),
        manifest_signer: Some(key.clone()),
        what,
    })
}

/// Rewrites every finding proof against the forged tree and note; a finding citing an entry
/// past the ledger's end is dropped, with its row of `exports/findings.json`, and the later
/// proofs renumbered. Returns how many were dropped.
fn regenerate(
    files: &mut Files,
    entries: &[Entry],
    tree: &MerkleTree,
    note: &str,
    key: &SigningKey,
) -> anyhow::Result<usize> {
    let n = entries.len() as u64;
    let names: Vec<String> = files
        .iter()
        .filter(|(name, _)| name.starts_with(FINDING_PROOFS_DIR))
        .map(|(name, _)| name.clone())
        .collect();
    let mut kept = Vec::new();
    let mut dropped_rows = Vec::new();
    for (index, name) in names.iter().enumerate() {
        let bytes = file(files, name).unwrap_or_default();
        let mut proof: serde_json::Value = serde_json::from_slice(bytes)?;
        let seqs: Vec<u64> = proof["entries"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|e| e["entry"]["seq"].as_u64())
            .collect();
        if seqs.iter().any(|s| *s == 0 || *s > n) {
            dropped_rows.push(index);
            continue;
        }
        let mut proved = Vec::new();
        for seq in seqs {
            let line = evidentia_pack::to_line(&entries[usize::try_from(seq - 1)?])?;
            let entry: serde_json::Value = serde_json::from_slice(&line)?;
            let inclusion: Vec<String> = tree
                .inclusion_proof(seq - 1, n)?
                .iter()
                .map(Hash::to_hex)
                .collect();
            proved.push(serde_json::json!({ "entry": entry, "inclusion": inclusion }));
        }
        proof["entries"] = serde_json::Value::Array(proved);
        proof["checkpoint"] = note.into();
        proof["tree_size"] = n.into();
        proof["tree_root"] = tree.root().to_hex().into();
        // The forger signs the finding's words too, as the writer does with the real key.
        let head = TreeHead {
            origin: note.lines().next().unwrap_or_default().to_owned(),
            size: n,
            root: tree.root(),
        };
        let text = evidentia_pack::finding_note_text(&head, &proof["finding"])?;
        proof["finding_note"] = key.sign_note(&text)?.into();
        let mut bytes = serde_json::to_vec_pretty(&proof)?;
        bytes.push(b'\n');
        kept.push(bytes);
    }
    files.retain(|(name, _)| !name.starts_with(FINDING_PROOFS_DIR));
    for (i, bytes) in kept.into_iter().enumerate() {
        files.push((format!("{FINDING_PROOFS_DIR}{:04}.json", i + 1), bytes));
    }
    if !dropped_rows.is_empty() {
        let name = "exports/findings.json";
        let bytes = file(files, name).ok_or_else(|| anyhow!("no {name}"))?;
        let mut findings: serde_json::Value = serde_json::from_slice(bytes)?;
        if let Some(rows) = findings["rows"].as_array_mut() {
            for i in dropped_rows.iter().rev() {
                if *i < rows.len() {
                    rows.remove(*i);
                }
            }
        }
        let mut bytes = serde_json::to_vec_pretty(&findings)?;
        bytes.push(b'\n');
        set_file(files, name, bytes);
    }
    Ok(dropped_rows.len())
}

/// The `n`-th `"severity": "…"` of a pretty-printed JSON file set to `low` (or `high` when it
/// was `low`), the rest of the bytes untouched; returns the file and the old severity.
fn set_severity(bytes: &[u8], n: usize) -> anyhow::Result<(Vec<u8>, String)> {
    const KEY: &str = "\"severity\": \"";
    let text = std::str::from_utf8(bytes)?;
    let start = text
        .match_indices(KEY)
        .nth(n)
        .map(|(at, _)| at + KEY.len())
        .ok_or_else(|| anyhow!("no severity number {n}"))?;
    let end = start
        + text[start..]
            .find('"')
            .ok_or_else(|| anyhow!("unterminated severity"))?;
    let old = &text[start..end];
    let new = if old == "low" { "high" } else { "low" };
    Ok((
        format!("{}{new}{}", &text[..start], &text[end..]).into_bytes(),
        old.to_owned(),
    ))
}

/// Files a ledger-bound edit may hit: what the chain, the signed root or the proofs commit to.
fn ledger_bound(name: &str) -> bool {
    name == LEDGER_JSONL
        || name == CHECKPOINT_NOTE
        || name.starts_with("artifacts/")
        || name.starts_with(FINDING_PROOFS_DIR)
}

/// Applies one pack alteration of `kind` to a copy of the honest later pack.
fn alter_pack(
    later: &Files,
    rng: &mut Rng,
    fx: &Fixture,
    kind: &str,
) -> anyhow::Result<AlteredPack> {
    let mut files = later.clone();
    let resummed = |files: Files, what: String| -> anyhow::Result<AlteredPack> {
        let manifest = manifest_of(later)?;
        Ok(AlteredPack {
            files,
            manifest: Some(manifest),
            manifest_signer: None,
            what,
        })
    };
    let pick = |rng: &mut Rng, files: &Files, keep: &dyn Fn(&str) -> bool| -> Option<usize> {
        let places: Vec<usize> = (0..files.len()).filter(|&i| keep(&files[i].0)).collect();
        (!places.is_empty()).then(|| places[rng.below(places.len() as u64) as usize])
    };
    let flip_in = |rng: &mut Rng, files: &mut Files, i: usize| -> String {
        let bytes = &mut files[i].1;
        let at = rng.below(bytes.len().max(1) as u64) as usize;
        let bit = rng.below(8);
        if let Some(b) = bytes.get_mut(at) {
            *b ^= 1 << bit;
        }
        format!("bit {bit} of byte {at} of {}", files[i].0)
    };
    match kind {
        "a byte flipped, SHA256SUMS and manifest left alone" => {
            let i = rng.below(files.len() as u64) as usize;
            let what = flip_in(rng, &mut files, i);
            Ok(AlteredPack {
                files,
                manifest: None,
                manifest_signer: None,
                what,
            })
        }
        "a byte flipped in a ledger-bound file, SHA256SUMS and manifest rewritten" => {
            let i = pick(rng, &files, &ledger_bound).ok_or_else(|| anyhow!("no such file"))?;
            let what = flip_in(rng, &mut files, i);
            resummed(files, what)
        }
        "a byte flipped in a file outside the ledger, SHA256SUMS and manifest rewritten" => {
            let i = pick(rng, &files, &|n| {
                !ledger_bound(n) && n != MANIFEST && n != SHA256SUMS
            })
            .ok_or_else(|| anyhow!("no such file"))?;
            let what = flip_in(rng, &mut files, i);
            resummed(files, what)
        }
        "an artifact removed, SHA256SUMS and manifest rewritten" => {
            let i = pick(rng, &files, &|n| n.starts_with("artifacts/"))
                .ok_or_else(|| anyhow!("no artifact"))?;
            let (name, _) = files.remove(i);
            resummed(files, format!("{name} removed"))
        }
        "consistent forgery: an entry edited, re-signed by a forger, proofs regenerated" => forge(
            later,
            rng,
            &SigningKey::generate(&fx.origin)?,
            Forgery::Edit,
            true,
        ),
        "consistent forgery: an entry edited, re-signed by a forger, proofs left stale" => forge(
            later,
            rng,
            &SigningKey::generate(&fx.origin)?,
            Forgery::Edit,
            false,
        ),
        "ledger truncated, re-signed by a forger, proofs regenerated" => forge(
            later,
            rng,
            &SigningKey::generate(&fx.origin)?,
            Forgery::Truncate,
            true,
        ),
        "a finding proof removed, SHA256SUMS and manifest left alone"
        | "a finding proof removed, SHA256SUMS and manifest rewritten" => {
            let i = pick(rng, &files, &|n| n.starts_with(FINDING_PROOFS_DIR))
                .ok_or_else(|| anyhow!("the pack has no finding proofs"))?;
            let (name, _) = files.remove(i);
            if kind.ends_with("left alone") {
                Ok(AlteredPack {
                    files,
                    manifest: None,
                    manifest_signer: None,
                    what: format!("{name} removed"),
                })
            } else {
                resummed(files, format!("{name} removed"))
            }
        }
        "a finding's severity changed in its proof and in exports/findings.json, sums rewritten" => {
            let i = pick(rng, &files, &|n| n.starts_with(FINDING_PROOFS_DIR))
                .ok_or_else(|| anyhow!("the pack has no finding proofs"))?;
            let name = files[i].0.clone();
            // proofs/findings/NNNN.json proves row NNNN of exports/findings.json.
            let row: usize = name
                .trim_start_matches(FINDING_PROOFS_DIR)
                .trim_end_matches(".json")
                .parse()?;
            let (proof, old) = set_severity(&files[i].1, 0)?;
            files[i].1 = proof;
            let findings = "exports/findings.json";
            let table = file(&files, findings).ok_or_else(|| anyhow!("no {findings}"))?;
            let (table, _) = set_severity(table, row - 1)?;
            set_file(&mut files, findings, table);
            let new = if old == "low" { "high" } else { "low" };
            resummed(
                files,
                format!("{name} and row {row} of {findings}: severity {old} → {new}"),
            )
        }
        "signature stripped: checkpoint.note and signing-key.pem removed, sums rewritten" => {
            files.retain(|(n, _)| n != CHECKPOINT_NOTE && n != SIGNING_KEY_PEM);
            resummed(files, "checkpoint.note and signing-key.pem removed".into())
        }
        _ => bail!("unknown alteration {kind}"),
    }
}

#[derive(Debug, Default, Clone, Copy)]
struct PackCount {
    applied: u64,
    evidentia: u64,
    plain: u64,
    sums: u64,
    python: u64,
    python_unusable: u64,
    openssl: u64,
    steps45: u64,
    independent: u64,
    missed_evidentia: u64,
    missed_independent: u64,
}

fn pack_trials(
    tool: &Tool,
    rng: &mut Rng,
    fx: &Fixture,
    packs: &Packs,
    alterations: usize,
) -> anyhow::Result<Table> {
    let mut table = Table::new(
        "trust-pack",
        &[
            "alteration",
            "applied",
            "`pack verify --key pub.pem --against earlier.zip`: exit 3",
            "plain `pack verify`: exit 3",
            "`sha256sum -c` fails",
            "`verify_ledger.py --note --key --against`: exit 1 (2)",
            "openssl fails",
            "steps 4–5 fail",
            "caught by the pack's own steps",
            "missed by evidentia",
            "missed by the pack's own steps",
        ],
    );
    let zip = fx.dir.join("altered.zip");
    let mut counts: BTreeMap<&str, PackCount> = BTreeMap::new();
    let mut kept = BTreeSet::new();
    let mut misses = Misses::default();
    for i in 0..alterations {
        let kind = PACK_KINDS[i % PACK_KINDS.len()];
        let altered =
            alter_pack(&packs.later, rng, fx, kind).with_context(|| format!("applying {kind}"))?;
        altered.write(&zip)?;
        // The files as written (manifest.json and SHA256SUMS as the pack now has them).
        let files = read_zip(&zip)?;
        let v = check_pack(tool, fx, packs, &zip, &files)?;
        let c = counts.entry(kind).or_default();
        c.applied += 1;
        let code = v.evidentia_code();
        let what = &altered.what;
        let mut missed = false;
        match code {
            3 => c.evidentia += 1,
            PANIC_EXIT => {
                missed = true;
                misses.add(
                    &mut table,
                    format!("{kind}: pack verify panicked"),
                    format!("{kind}: pack verify panicked ({what})"),
                );
            }
            _ => {
                c.missed_evidentia += 1;
                missed = true;
                let said = v.evidentia.as_ref().map_or("", |r| first_line(&r.stdout));
                misses.add(
                    &mut table,
                    format!("{kind}: not caught by evidentia"),
                    format!(
                        "{kind}: not caught by evidentia ({what}): `pack verify X --key pub.pem --against earlier.zip` exited {code}: {said}"
                    ),
                );
            }
        }
        // The regenerated forgeries are meant to pass on their own: only the key or the
        // earlier pack may tell them apart.
        let self_consistent = kind.ends_with("proofs regenerated");
        if v.plain == 3 {
            c.plain += 1;
        }
        if self_consistent && v.plain != 0 {
            misses.add(
                &mut table,
                format!("{kind}: not self-consistent"),
                format!(
                    "{kind} ({what}): plain `pack verify` exited {}: the forgery is not self-consistent",
                    v.plain
                ),
            );
        }
        c.sums += u64::from(v.sums);
        match v.python {
            1 => c.python += 1,
            0 => {}
            _ => c.python_unusable += 1,
        }
        c.openssl += u64::from(v.openssl);
        c.steps45 += u64::from(v.steps45);
        if v.independent() {
            c.independent += 1;
        } else {
            c.missed_independent += 1;
            missed = true;
            misses.add(
                &mut table,
                format!("{kind}: not caught by the pack's own steps"),
                format!(
                    "{kind}: not caught by the pack's own steps ({what}): sha256sum -c, verify_ledger.py (exit 0: {}), openssl and steps 4–5 all pass",
                    first_line(&v.python_said)
                ),
            );
        }
        // The first miss of each kind stays in the scratch folder, to look at.
        if missed && kept.insert(kind) {
            let n = PACK_KINDS.iter().position(|k| *k == kind).unwrap_or(0) + 1;
            std::fs::copy(&zip, fx.dir.join(format!("missed-{n:02}.zip")))?;
        }
    }
    misses.finish(&mut table);
    let mut total = PackCount::default();
    for (kind, c) in &counts {
        table.row(pack_row(kind, c));
        total.applied += c.applied;
        total.evidentia += c.evidentia;
        total.plain += c.plain;
        total.sums += c.sums;
        total.python += c.python;
        total.python_unusable += c.python_unusable;
        total.openssl += c.openssl;
        total.steps45 += c.steps45;
        total.independent += c.independent;
        total.missed_evidentia += c.missed_evidentia;
        total.missed_independent += c.missed_independent;
    }
    table.row(pack_row("**all**", &total));
    Ok(table)
}

fn pack_row(kind: &str, c: &PackCount) -> Vec<String> {
    vec![
        kind.to_owned(),
        c.applied.to_string(),
        c.evidentia.to_string(),
        c.plain.to_string(),
        c.sums.to_string(),
        format!("{} ({})", c.python, c.python_unusable),
        c.openssl.to_string(),
        c.steps45.to_string(),
        c.independent.to_string(),
        c.missed_evidentia.to_string(),
        c.missed_independent.to_string(),
    ]
}
