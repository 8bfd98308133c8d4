//! Checking a selective pack (`evidentia pack --sample`, docs/evidence-pack.md) from its own bytes: it has no `ledger.jsonl`, so each item proof's entries are checked against the pack's checkpoint through their inclusion proofs, withheld payloads through their `payload_sha256` alone.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{Read, Seek};

use evidentia_ledger::merkle::{leaf_hash, verify_inclusion};
use evidentia_ledger::note::parse_note;
use evidentia_ledger::{Hash, TreeHead, VerifierKey, entry_hash};
use serde::Deserialize;
use serde_json::Value;
use sha2::{Digest, Sha256};
use zip::ZipArchive;

use super::trust::{
    Whole, check_manifest_note, check_note, origin_of, pem_key, problem, read_whole, trusted,
};
use super::{Inspection, Limits, NOT_IN_LAYOUT, Problem, is_lower_hex_sha256, parse_sums};
use crate::manifest::Manifest;
use crate::{
    CHECKPOINT_NOTE, MANIFEST, MANIFEST_NOTE, SAMPLE_FILES_DIR, SAMPLE_ITEM_NOTE_TAG, SAMPLE_JSON,
    SAMPLE_PACK_FORMAT, SAMPLE_PROOF_FORMAT, SAMPLE_PROOFS_DIR, SAMPLE_VERIFY_TXT, SHA256SUMS,
    SIGNING_KEY_PEM, sanitize_file_name,
};

/// Whether the archive's `manifest.json` names a selective pack (anything unreadable is left
/// to the full pack's checks, which report it).
pub(super) fn is_sample_pack<R: Read + Seek>(
    archive: &mut ZipArchive<R>,
    limits: &Limits,
) -> std::io::Result<bool> {
    Ok(
        match read_whole(archive, MANIFEST, limits.max_text_bytes)? {
            Whole::Bytes(bytes) => serde_json::from_slice::<Value>(&bytes)
                .ok()
                .and_then(|v| v.get("format").and_then(Value::as_str).map(str::to_owned))
                .is_some_and(|f| f == SAMPLE_PACK_FORMAT),
            _ => false,
        },
    )
}

/// The proof of item `n` (1-based): `proofs/sample/<NNNN>.json`.
fn proof_name(n: usize) -> String {
    format!("{SAMPLE_PROOFS_DIR}{n:04}.json")
}

/// A name a selective pack may hold.
fn in_layout(name: &str) -> bool {
    if [
        MANIFEST,
        MANIFEST_NOTE,
        SHA256SUMS,
        CHECKPOINT_NOTE,
        SIGNING_KEY_PEM,
        SAMPLE_JSON,
        SAMPLE_VERIFY_TXT,
    ]
    .contains(&name)
    {
        return true;
    }
    if let Some(rest) = name.strip_prefix(SAMPLE_PROOFS_DIR) {
        return rest.len() == 9
            && rest.ends_with(".json")
            && rest[..4].bytes().all(|b| b.is_ascii_digit());
    }
    // Added files (workpaper, appendix): one level under sample/, names a file system keeps.
    name.strip_prefix(SAMPLE_FILES_DIR)
        .is_some_and(|rest| !rest.is_empty() && sanitize_file_name(rest) == rest)
}

/// One item proof (docs/ledger-format.md §18, `evidentia-sample-proof/1`).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SampleProof {
    format: String,
    item: Value,
    #[serde(default)]
    item_note: Option<Value>,
    checkpoint: String,
    tree_size: u64,
    tree_root: String,
    entries: Vec<DisclosedEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DisclosedEntry {
    entry: Value,
    inclusion: Vec<String>,
    #[serde(default)]
    raw_line: Option<String>,
    #[serde(default)]
    payload_withheld: Option<String>,
    /// The rows of a set entry the item cites, each disclosed on its own.
    #[serde(default)]
    rows: Option<Vec<DisclosedRow>>,
}

/// One row of a set entry, disclosed without its neighbours (docs/ledger-format.md §18).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DisclosedRow {
    row: u64,
    artifact: Value,
    location: Value,
    record: Value,
    #[serde(default)]
    raw_line: Option<String>,
    #[serde(default)]
    record_withheld: Option<String>,
}

/// Reads every file of a selective pack whole (it holds no ledger and no artifacts, so each
/// is small) and checks it: the layout, `SHA256SUMS` and `manifest.json`, the notes, and
/// every item proof against `sample.json` and the checkpoint.
pub(super) fn inspect<R: Read + Seek>(
    archive: &mut ZipArchive<R>,
    names: &[String],
    limits: &Limits,
    public_key: Option<&str>,
) -> std::io::Result<Inspection> {
    let mut problems = Vec::new();
    let mut files: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    let mut total = 0u64;
    for name in names {
        if !in_layout(name) {
            problems.push(problem(name, NOT_IN_LAYOUT));
            continue;
        }
        match read_whole(archive, name, limits.max_text_bytes)? {
            Whole::Bytes(bytes) => {
                total = total.saturating_add(bytes.len() as u64);
                files.insert(name.clone(), bytes);
            }
            Whole::TooLarge(n) => problems.push(problem(
                name,
                format!(
                    "declares {n} bytes, over the {} a selective pack's file may have",
                    limits.max_text_bytes
                ),
            )),
            Whole::Unreadable => problems.push(problem(name, "cannot be read")),
        }
    }
    for required in [MANIFEST, SHA256SUMS, SAMPLE_JSON, SAMPLE_VERIFY_TXT] {
        if !names.iter().any(|n| n == required) {
            problems.push(problem(required, "missing from the pack"));
        }
    }
    let sha = |b: &[u8]| hex::encode(Sha256::digest(b));
    // SHA256SUMS lists every other file, with its hash.
    if let Some(sums) = files.get(SHA256SUMS) {
        match parse_sums(sums) {
            Err(reason) => problems.push(problem(SHA256SUMS, reason)),
            Ok(listed) => {
                for (name, bytes) in &files {
                    if name == SHA256SUMS {
                        continue;
                    }
                    match listed.get(name.as_str()) {
                        None => problems.push(problem(name, "not listed in SHA256SUMS")),
                        Some(h) if *h != sha(bytes) => problems.push(problem(
                            name,
                            format!("SHA-256 {} differs from SHA256SUMS ({h})", sha(bytes)),
                        )),
                        Some(_) => {}
                    }
                }
                for name in listed.keys() {
                    if !names.iter().any(|n| n == name) {
                        problems.push(problem(name, "listed in SHA256SUMS, missing from the pack"));
                    }
                }
            }
        }
    }
    // manifest.json lists every file but itself, its note and the sums.
    let manifest =
        files
            .get(MANIFEST)
            .and_then(|bytes| match serde_json::from_slice::<Manifest>(bytes) {
                Ok(m) => Some(m),
                Err(e) => {
                    problems.push(problem(MANIFEST, format!("not a pack manifest: {e}")));
                    None
                }
            });
    if let Some(m) = &manifest {
        let mut listed = BTreeSet::new();
        for f in &m.files {
            listed.insert(f.path.as_str());
            match files.get(&f.path) {
                _ if [MANIFEST, MANIFEST_NOTE, SHA256SUMS].contains(&f.path.as_str()) => problems
                    .push(problem(
                        &f.path,
                        "listed in manifest.json, which cannot list itself, its note or the sums",
                    )),
                None if !names.contains(&f.path) => problems.push(problem(
                    &f.path,
                    "listed in manifest.json, missing from the pack",
                )),
                None => {}
                Some(bytes) if bytes.len() as u64 != f.size || sha(bytes) != f.sha256 => problems
                    .push(problem(
                        &f.path,
                        format!(
                            "{} bytes with SHA-256 {}, manifest.json says {} bytes with {}",
                            bytes.len(),
                            sha(bytes),
                            f.size,
                            f.sha256
                        ),
                    )),
                Some(_) => {}
            }
        }
        for name in files.keys() {
            if ![MANIFEST, MANIFEST_NOTE, SHA256SUMS].contains(&name.as_str())
                && !listed.contains(name.as_str())
            {
                problems.push(problem(name, "not listed in manifest.json"));
            }
        }
    }
    let note_in_pack = names.iter().any(|n| n == CHECKPOINT_NOTE);
    let mut unsigned_items = Vec::new();
    if let Some(m) = &manifest {
        check_notes(m, &files, note_in_pack, &mut problems);
        check_proofs(
            m,
            &files,
            names,
            public_key,
            &mut problems,
            &mut unsigned_items,
        );
    }
    Ok(Inspection {
        problems,
        files: names.len(),
        bytes: total,
        manifest,
        note_in_pack,
        note: files.get(CHECKPOINT_NOTE).cloned(),
        manifest_note: files.get(MANIFEST_NOTE).cloned(),
        unsigned_findings: unsigned_items,
        ledger: None,
    })
}

/// The checkpoint: `manifest.json` names a tree root, `checkpoint.note` (when signed) names
/// the same head and verifies with `signing-key.pem`, and `manifest.note` signs the manifest.
fn check_notes(
    m: &Manifest,
    files: &BTreeMap<String, Vec<u8>>,
    note_in_pack: bool,
    problems: &mut Vec<Problem>,
) {
    let pem = files.get(SIGNING_KEY_PEM).map(Vec::as_slice);
    match m.checkpoint.tree_root.as_deref() {
        Some(root) if is_lower_hex_sha256(root) => {
            if let Some(note) = files.get(CHECKPOINT_NOTE) {
                check_note(note, Some(m), None, pem, problems);
                let named = std::str::from_utf8(note)
                    .ok()
                    .and_then(|t| parse_note(t).ok())
                    .and_then(|n| TreeHead::parse(n.text).ok());
                if let Some(head) = named {
                    if head.root.to_hex() != root {
                        problems.push(problem(
                            CHECKPOINT_NOTE,
                            format!(
                                "names root {}, manifest.json's checkpoint {root}",
                                head.root.to_hex()
                            ),
                        ));
                    }
                }
            }
        }
        _ => problems.push(problem(
            MANIFEST,
            "checkpoint.tree_root is missing or not 64 lowercase hex digits: a selective pack proves against it",
        )),
    }
    let signed_files = [CHECKPOINT_NOTE, MANIFEST_NOTE, SIGNING_KEY_PEM]
        .map(|n| files.contains_key(n) || (n == CHECKPOINT_NOTE && note_in_pack));
    if signed_files.iter().any(|b| *b) && !signed_files.iter().all(|b| *b) {
        problems.push(problem(
            CHECKPOINT_NOTE,
            "checkpoint.note, manifest.note and signing-key.pem go together: a signed pack has all three, an unsigned one none",
        ));
    }
    if let (Some(note), Some(bytes)) = (files.get(MANIFEST_NOTE), files.get(MANIFEST)) {
        let sha = hex::encode(Sha256::digest(bytes));
        check_manifest_note(note, m, &sha, pem, problems);
    }
}

/// Every item of `sample.json` has its proof, and each proof holds.
fn check_proofs(
    m: &Manifest,
    files: &BTreeMap<String, Vec<u8>>,
    names: &[String],
    public_key: Option<&str>,
    problems: &mut Vec<Problem>,
    unsigned_items: &mut Vec<Problem>,
) {
    let Some(sample) = files.get(SAMPLE_JSON) else {
        return; // missing: already a problem
    };
    let items = match serde_json::from_slice::<Value>(sample) {
        Ok(v) => match v.get("items").and_then(Value::as_array) {
            Some(items) => items.clone(),
            None => {
                problems.push(problem(SAMPLE_JSON, "has no /items list"));
                return;
            }
        },
        Err(e) => {
            problems.push(problem(SAMPLE_JSON, format!("not JSON: {e}")));
            return;
        }
    };
    if serde_json::from_slice::<Value>(sample)
        .ok()
        .and_then(|v| v.pointer("/population/items").cloned())
        .is_some()
    {
        problems.push(problem(
            SAMPLE_JSON,
            "holds /population/items: a selective pack never carries the population list",
        ));
    }
    let (Some(root_hex), count) = (m.checkpoint.tree_root.as_deref(), m.checkpoint.entry_count)
    else {
        return; // already a problem
    };
    let Ok(root) = Hash::from_hex(root_hex) else {
        return; // already a problem
    };
    let origin = origin_of(m);
    let head = TreeHead {
        origin: origin.clone(),
        size: count,
        root,
    };
    let signed = files.contains_key(CHECKPOINT_NOTE);
    let checkpoint = match files.get(CHECKPOINT_NOTE) {
        Some(note) => String::from_utf8_lossy(note).into_owned(),
        None => format!("{}\n", head.to_text()),
    };
    let pem = pem_key(files.get(SIGNING_KEY_PEM).map(Vec::as_slice), &origin)
        .ok()
        .flatten();
    let trusted_key = public_key.and_then(|k| VerifierKey::parse(k, &origin).ok());
    let check = ItemCheck {
        head,
        signed,
        checkpoint,
        pem,
    };
    for (i, item) in items.iter().enumerate() {
        let name = proof_name(i + 1);
        let Some(bytes) = files.get(&name) else {
            problems.push(problem(
                &name,
                format!(
                    "missing from the pack: the proof of item {} of sample.json",
                    i + 1
                ),
            ));
            continue;
        };
        let checked = serde_json::from_slice::<SampleProof>(bytes)
            .map_err(|e| format!("not a sample item proof (docs/ledger-format.md §18): {e}"))
            .and_then(|proof| {
                if let (Some(key), Some(Value::String(note))) = (&trusted_key, &proof.item_note) {
                    if signed {
                        unsigned_items.extend(trusted(key, &name, "item_note: ", note, "item"));
                    }
                }
                check.check(i + 1, item, &proof)
            });
        if let Err(reason) = checked {
            problems.push(problem(&name, reason));
        }
    }
    for name in names {
        if name.starts_with(SAMPLE_PROOFS_DIR) && !(1..=items.len()).any(|n| proof_name(n) == *name)
        {
            problems.push(problem(
                name,
                format!(
                    "not the proof of an item: sample.json has {} items",
                    items.len()
                ),
            ));
        }
    }
}

/// What each item proof is checked against: the pack's tree head and checkpoint text.
struct ItemCheck {
    head: TreeHead,
    signed: bool,
    checkpoint: String,
    pem: Option<VerifierKey>,
}

impl ItemCheck {
    fn check(&self, n: usize, item: &Value, proof: &SampleProof) -> Result<(), String> {
        if proof.format != SAMPLE_PROOF_FORMAT {
            return Err(format!(
                "format is {:?}, not {SAMPLE_PROOF_FORMAT:?}",
                proof.format
            ));
        }
        if proof.item != *item {
            return Err(format!("its item is not item {n} of sample.json"));
        }
        if proof.tree_size != self.head.size {
            return Err(format!(
                "tree_size is {}, the pack's checkpoint has {} entries",
                proof.tree_size, self.head.size
            ));
        }
        let root = self.head.root.to_hex();
        if proof.tree_root != root {
            return Err(format!(
                "tree_root is {}, the pack's checkpoint root is {root}",
                proof.tree_root
            ));
        }
        if proof.checkpoint != self.checkpoint {
            return Err("its checkpoint is not the pack's".into());
        }
        match (self.signed, &proof.item_note) {
            (false, None | Some(Value::Null)) => {}
            (false, Some(_)) => {
                return Err("item_note is not null, but the pack is unsigned".into());
            }
            (true, None | Some(Value::Null)) => {
                return Err("item_note is missing: in a signed pack every item proof carries one (docs/ledger-format.md §18)".into());
            }
            (true, Some(Value::String(note))) => self.check_item_note(note, &proof.item)?,
            (true, Some(_)) => return Err("item_note is not a string (a signed note)".into()),
        }
        let wanted = crate::sample_item_entries(&proof.item).ok_or_else(|| {
            "its item has no entry or an attribute without its evidence list".to_owned()
        })?;
        let given: Vec<Option<u64>> = proof
            .entries
            .iter()
            .map(|e| e.entry.get("seq").and_then(Value::as_u64))
            .collect();
        if given.len() != wanted.len() || given.iter().zip(&wanted).any(|(a, b)| *a != Some(*b)) {
            let shown: Vec<String> = given
                .iter()
                .map(|s| s.map_or_else(|| "?".to_owned(), |s| s.to_string()))
                .collect();
            return Err(format!(
                "discloses entries [{}], item {n} rests on entries {wanted:?}",
                shown.join(", ")
            ));
        }
        let cited = crate::sample_item_rows(&proof.item)
            .ok_or_else(|| "its item has a row or evidence_rows that is not a count".to_owned())?;
        for (disclosed, seq) in proof.entries.iter().zip(&wanted) {
            self.check_entry(*seq, disclosed)
                .map_err(|reason| format!("entry {seq}: {reason}"))?;
            let rows: Vec<u64> = cited
                .iter()
                .filter(|(s, _)| s == seq)
                .map(|(_, r)| *r)
                .collect();
            check_rows(disclosed, &rows).map_err(|reason| format!("entry {seq}: {reason}"))?;
        }
        Ok(())
    }

    fn check_item_note(&self, note: &str, item: &Value) -> Result<(), String> {
        let parsed = parse_note(note).map_err(|e| format!("item_note: {e}"))?;
        let expected = crate::sample_item_note_text(&self.head, item)
            .map_err(|e| format!("its item cannot be hashed: {e}"))?;
        if parsed.text != expected {
            let named = parsed.text.lines().last().unwrap_or_default();
            let want = expected.lines().last().unwrap_or_default();
            return Err(
                if parsed.text.starts_with(SAMPLE_ITEM_NOTE_TAG) && named != want {
                    format!(
                        "item_note names an item with SHA-256 {named}, but this item's canonical JSON hashes to {want}: its fields changed after they were signed"
                    )
                } else {
                    format!(
                        "item_note's text is not the five lines of docs/ledger-format.md §18 ({SAMPLE_ITEM_NOTE_TAG}, the origin, the tree size, the root, the item's SHA-256)"
                    )
                },
            );
        }
        if let Some(key) = &self.pem {
            key.open(note)
                .map_err(|e| format!("item_note does not verify with signing-key.pem: {e}"))?;
        }
        Ok(())
    }

    /// One disclosed entry: its payload (when disclosed) hashes to `payload_sha256`, its
    /// fields to `entry_hash`, and its inclusion proof leads to the pack's root.
    fn check_entry(&self, seq: u64, disclosed: &DisclosedEntry) -> Result<(), String> {
        let Some(fields) = disclosed.entry.as_object() else {
            return Err("entry is not a JSON object".into());
        };
        const KEYS: [&str; 8] = [
            "seq",
            "kind",
            "recorded_at",
            "payload_encoding",
            "payload",
            "payload_sha256",
            "prev_hash",
            "entry_hash",
        ];
        if fields.len() != KEYS.len() || KEYS.iter().any(|k| !fields.contains_key(*k)) {
            return Err(format!(
                "entry does not have exactly the keys of a ledger.jsonl line ({})",
                KEYS.join(", ")
            ));
        }
        let text = |k: &str| {
            fields
                .get(k)
                .and_then(Value::as_str)
                .ok_or_else(|| format!("{k} is not a string"))
        };
        let hash = |name: &str, text: &str| {
            if !is_lower_hex_sha256(text) {
                return Err(format!("{name} is not 64 lowercase hex digits"));
            }
            Hash::from_hex(text).map_err(|err| format!("{name}: {}", err.0))
        };
        let stated_payload = hash("payload_sha256", text("payload_sha256")?)?;
        match (fields.get("payload"), &disclosed.payload_withheld) {
            (Some(Value::Null), Some(_)) => {
                if disclosed.raw_line.is_some() {
                    return Err("a raw line beside a withheld payload".into());
                }
            }
            (Some(Value::Null), None) => {
                return Err("payload is null without payload_withheld saying why".into());
            }
            (Some(Value::String(payload)), None) => {
                let bytes = match text("payload_encoding")? {
                    "utf-8" => payload.clone().into_bytes(),
                    "hex" => hex::decode(payload).map_err(|err| format!("payload: {err}"))?,
                    other => return Err(format!("unknown payload_encoding {other:?}")),
                };
                let computed = Hash::of(&bytes);
                if computed != stated_payload {
                    return Err(format!(
                        "payload hash mismatch: the payload hashes to {computed}, payload_sha256 says {stated_payload}"
                    ));
                }
            }
            (Some(Value::String(_)), Some(_)) => {
                return Err("payload_withheld beside a disclosed payload".into());
            }
            _ => return Err("payload is neither a string nor null".into()),
        }
        if fields.get("seq").and_then(Value::as_u64) != Some(seq) {
            return Err("seq is not a count".into());
        }
        let prev = hash("prev_hash", text("prev_hash")?)?;
        let stated = hash("entry_hash", text("entry_hash")?)?;
        let computed = entry_hash(
            seq,
            text("kind")?,
            text("recorded_at")?,
            &stated_payload,
            &prev,
        );
        if computed != stated {
            return Err(format!(
                "entry hash mismatch: its fields hash to {computed}, entry_hash says {stated}"
            ));
        }
        if seq == 0 || seq > self.head.size {
            return Err(format!(
                "not among the checkpoint's {} entries",
                self.head.size
            ));
        }
        let path = disclosed
            .inclusion
            .iter()
            .enumerate()
            .map(|(i, h)| hash(&format!("inclusion hash {}", i + 1), h))
            .collect::<Result<Vec<Hash>, String>>()?;
        verify_inclusion(
            seq - 1,
            self.head.size,
            &leaf_hash(&stated.0),
            &path,
            &self.head.root,
        )
        .map_err(|err| format!("its inclusion proof does not lead to the tree root: {err}"))?;
        Ok(())
    }
}

/// A set entry's disclosed rows: exactly the rows the item cites of it, ascending (packs made
/// before rows were disclosed have none, which hides nothing of what is proven); each row is
/// either its record or `record_withheld` saying why, never a raw line beside a withheld
/// record. When the entry's payload is disclosed too, each row must be `rows[row-1]` of it;
/// when it is withheld, a row cannot be checked against `payload_sha256` (docs/evidence-pack.md).
fn check_rows(disclosed: &DisclosedEntry, cited: &[u64]) -> Result<(), String> {
    let Some(rows) = &disclosed.rows else {
        return Ok(());
    };
    let given: Vec<u64> = rows.iter().map(|r| r.row).collect();
    if given != cited {
        return Err(format!(
            "discloses rows {given:?}, the item cites rows {cited:?} of it"
        ));
    }
    let payload = match disclosed.entry.get("payload") {
        Some(Value::String(text)) => Some(
            serde_json::from_str::<Value>(text)
                .map_err(|e| format!("payload with rows is not JSON: {e}"))?,
        ),
        _ => None,
    };
    for row in rows {
        let n = row.row;
        match (&row.record, &row.record_withheld) {
            (Value::Object(_), None) => {}
            (Value::Null, Some(_)) if row.raw_line.is_none() => {}
            (Value::Null, Some(_)) => {
                return Err(format!("row {n}: a raw line beside a withheld record"));
            }
            (Value::Null, None) => {
                return Err(format!(
                    "row {n}: record is null without record_withheld saying why"
                ));
            }
            _ => {
                return Err(format!(
                    "row {n}: record is neither an object nor null beside record_withheld"
                ));
            }
        }
        if let Some(payload) = &payload {
            let stored = usize::try_from(n)
                .ok()
                .and_then(|i| payload.get("rows")?.as_array()?.get(i.checked_sub(1)?))
                .ok_or_else(|| format!("row {n}: the disclosed payload has no such row"))?;
            let same = stored.get("location") == Some(&row.location)
                && payload.get("artifact") == Some(&row.artifact)
                && (row.record.is_null() || stored.get("record") == Some(&row.record));
            if !same {
                return Err(format!(
                    "row {n}: differs from rows[{}] of the disclosed payload",
                    n - 1
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use std::io::Cursor;

    use evidentia_ledger::note::sign_checkpoint;
    use evidentia_ledger::{Chain, MerkleTree, SigningKey};
    use serde_json::json;

    use super::*;
    use crate::{
        Checkpoint, PackPeriod, PackWriter, Verdict, to_line, verify_pack, verify_pack_signed,
    };

    /// Entry 3: a set of two executions, the second the item's (row 2), the first another's.
    const SET_PAYLOAD: &str = r#"{"artifact":"ab","rows":[{"location":"line 2","record":{"account":"u2"}},{"location":"line 3","record":{"account":"u1"}}]}"#;

    /// A signed selective pack of one item resting on entries 1 and 3 (row 2) of a three-entry
    /// ledger, entry 3's payload withheld and its row 2 disclosed alone; `edit` changes the
    /// proof before the files are hashed.
    fn pack(key: &SigningKey, edit: impl Fn(&mut Value)) -> Vec<u8> {
        let mut chain = Chain::new();
        let mut tree = MerkleTree::new();
        let mut lines = Vec::new();
        for (kind, payload) in [
            (
                "record.lifecycle_event",
                b"{\"record\":{\"identity\":\"u1\"}}".to_vec(),
            ),
            ("record.execution", b"{\"record\":{}}".to_vec()),
            ("record.execution_set", SET_PAYLOAD.as_bytes().to_vec()),
        ] {
            let entry = chain.next_entry(kind, "2026-01-01T00:00:00.000000Z", payload);
            tree.push_entry(&entry.entry_hash);
            lines.push(serde_json::from_slice::<Value>(&to_line(&entry).unwrap()).unwrap());
        }
        let origin = "evidentia/w".to_owned();
        let head = TreeHead {
            origin: origin.clone(),
            size: 3,
            root: tree.root(),
        };
        let note = sign_checkpoint(&head, key).unwrap();
        let item = json!({"key": "1", "entry": 1, "identity": "u1",
            "attributes": [{"id": "removed", "evidence": [3, 1],
                "evidence_rows": [{"entry": 3, "row": 2}]}]});
        lines[2]["payload"] = Value::Null;
        let entry = |i: usize, withheld: bool| {
            let mut e = json!({
                "entry": lines[i],
                "inclusion": tree.inclusion_proof(i as u64, 3).unwrap().iter().map(Hash::to_hex).collect::<Vec<_>>(),
                "raw_line": null,
            });
            if withheld {
                e["payload_withheld"] = "may name others".into();
                e["rows"] = json!([{"row": 2, "artifact": "ab", "location": "line 3",
                    "record": {"account": "u1"}, "raw_line": "u1,grant"}]);
            }
            e
        };
        let mut proof = json!({
            "format": SAMPLE_PROOF_FORMAT,
            "item": item,
            "item_note": key.sign_note(&crate::sample_item_note_text(&head, &item).unwrap()).unwrap(),
            "checkpoint": note,
            "tree_size": 3,
            "tree_root": tree.root().to_hex(),
            "entries": [entry(0, false), entry(2, true)],
        });
        edit(&mut proof);
        let mut w = PackWriter::new(Cursor::new(Vec::new()));
        w.add(SAMPLE_VERIFY_TXT, b"check it\n").unwrap();
        w.add(
            SAMPLE_JSON,
            &serde_json::to_vec(&json!({"items": [item]})).unwrap(),
        )
        .unwrap();
        w.add(
            "proofs/sample/0001.json",
            &serde_json::to_vec(&proof).unwrap(),
        )
        .unwrap();
        w.add(CHECKPOINT_NOTE, note.as_bytes()).unwrap();
        w.add(SIGNING_KEY_PEM, key.verifier().to_pem().unwrap().as_bytes())
            .unwrap();
        let manifest = Manifest {
            format: SAMPLE_PACK_FORMAT.into(),
            generator: "test".into(),
            workspace_id: "w".into(),
            framework: "sample:leavers".into(),
            period: PackPeriod {
                from: None,
                to: None,
            },
            as_of: "2026-01-02T00:00:00Z".into(),
            generated_at: "2026-01-02T00:00:00Z".into(),
            checkpoint: Checkpoint {
                entry_count: 3,
                head_hash: chain.head().to_hex(),
                tree_root: Some(tree.root().to_hex()),
                origin: Some(origin.clone()),
            },
            files: Vec::new(),
        };
        w.finish_with_note(manifest, |json| {
            let text = crate::manifest_note_text(&origin, &hex::encode(Sha256::digest(json)));
            Ok(Some(key.sign_note(&text).unwrap()))
        })
        .unwrap()
        .0
        .into_inner()
    }

    /// A change made to a proof, and what the verifier must then say about it.
    type ProofEdit = Box<dyn Fn(&mut Value)>;

    fn problems(bytes: &[u8]) -> Vec<String> {
        match verify_pack(Cursor::new(bytes), &Limits::default()).unwrap() {
            Verdict::Intact(_) => Vec::new(),
            Verdict::Altered(p) => p.iter().map(ToString::to_string).collect(),
        }
    }

    #[test]
    fn an_honest_selective_pack_is_intact_with_its_key_and_not_with_another() {
        let key = SigningKey::generate("evidentia/w").unwrap();
        let bytes = pack(&key, |_| {});
        assert_eq!(problems(&bytes), Vec::<String>::new());
        let pem = key.verifier().to_pem().unwrap();
        let signed = verify_pack_signed(Cursor::new(&bytes), &Limits::default(), &pem).unwrap();
        assert!(signed.is_intact(), "{signed:?}");
        let other = SigningKey::generate("evidentia/w")
            .unwrap()
            .verifier()
            .to_pem()
            .unwrap();
        let Verdict::Altered(p) =
            verify_pack_signed(Cursor::new(&bytes), &Limits::default(), &other).unwrap()
        else {
            panic!("another key passed")
        };
        assert!(
            p.iter()
                .any(|p| p.entry.as_deref() == Some("proofs/sample/0001.json")),
            "{p:?}"
        );
    }

    #[test]
    fn an_edited_proof_is_altered_naming_it() {
        let key = SigningKey::generate("evidentia/w").unwrap();
        let cases: Vec<(ProofEdit, &str)> = vec![
            (
                Box::new(|p| {
                    p["entries"][0]["entry"]["payload"] =
                        "{\"record\":{\"identity\":\"u9\"}}".into()
                }),
                "entry 1: payload hash mismatch",
            ),
            (
                Box::new(|p| p["entries"][1]["inclusion"][0] = "00".repeat(32).into()),
                "entry 3: its inclusion proof does not lead to the tree root",
            ),
            (
                Box::new(|p| {
                    p["entries"][1]["payload_withheld"] = Value::Null;
                }),
                "entry 3: payload is null without payload_withheld",
            ),
            (
                Box::new(|p| {
                    let e = p["entries"].as_array_mut().unwrap();
                    e.pop();
                }),
                "discloses entries [1], item 1 rests on entries [1, 3]",
            ),
            (
                Box::new(|p| p["item"]["identity"] = "u2".into()),
                "its item is not item 1 of sample.json",
            ),
            (
                Box::new(|p| p["entries"][1]["rows"][0]["row"] = 1.into()),
                "entry 3: discloses rows [1], the item cites rows [2] of it",
            ),
            (
                Box::new(|p| p["entries"][1]["rows"][0]["record"] = Value::Null),
                "entry 3: row 2: record is null without record_withheld",
            ),
            (
                Box::new(|p| {
                    p["entries"][1]["rows"][0]["record"] = Value::Null;
                    p["entries"][1]["rows"][0]["record_withheld"] = "another's".into();
                }),
                "entry 3: row 2: a raw line beside a withheld record",
            ),
            (
                // With the whole payload disclosed, a row is checked against it: row 2 claimed
                // to be row 1's record.
                Box::new(|p| {
                    p["entries"][1]["entry"]["payload"] = SET_PAYLOAD.into();
                    p["entries"][1]["payload_withheld"] = Value::Null;
                    p["entries"][1]["rows"][0]["record"] = json!({"account": "u2"});
                }),
                "entry 3: row 2: differs from rows[1] of the disclosed payload",
            ),
        ];
        for (edit, says) in cases {
            let found = problems(&pack(&key, edit));
            assert!(
                found
                    .iter()
                    .any(|p| p.starts_with("proofs/sample/0001.json: ") && p.contains(says)),
                "{says:?} in {found:?}"
            );
        }
    }

    #[test]
    fn a_row_checked_against_its_disclosed_payload_is_intact() {
        let key = SigningKey::generate("evidentia/w").unwrap();
        let disclosed = pack(&key, |p| {
            p["entries"][1]["entry"]["payload"] = SET_PAYLOAD.into();
            p["entries"][1]["payload_withheld"] = Value::Null;
        });
        assert_eq!(problems(&disclosed), Vec::<String>::new());
        // A pack made before rows were disclosed has none, and still verifies.
        let older = pack(&key, |p| {
            p["entries"][1].as_object_mut().unwrap().remove("rows");
        });
        assert_eq!(problems(&older), Vec::<String>::new());
    }

    #[test]
    fn files_outside_the_selective_layout_are_altered() {
        for name in [
            "ledger.jsonl",
            "sample/../x",
            "proofs/sample/1.json",
            "sample/",
        ] {
            assert!(!in_layout(name), "{name}");
        }
        for name in [
            "sample/workpaper.xlsx",
            "sample/appendix.pdf",
            "proofs/sample/0001.json",
        ] {
            assert!(in_layout(name), "{name}");
        }
    }
}
