//! What ties a pack to its ledger and its signer beyond the chain (docs/ledger-format.md
//! §16–§18, docs/evidence-pack.md): the Merkle root and origin in `manifest.json`, the signed
//! `checkpoint.note` and `manifest.note` with their `signing-key.pem`, the finding proofs in
//! `proofs/findings/` with their `finding_note`s, a trusted public key, and an earlier pack of
//! the same ledger.
//!
//! Nothing here trusts `signing-key.pem`: the pack checks that its notes are self-consistent;
//! [`signed_by`] checks them against a key the auditor holds.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::io::{Read, Seek};

use evidentia_ledger::merkle::{leaf_hash, verify_consistency, verify_inclusion};
use evidentia_ledger::note::parse_note;
use evidentia_ledger::{
    Hash, MerkleTree, NoteError, TreeHead, VerifierKey, canonical_json, entry_hash,
};
use serde::Deserialize;
use serde_json::Value;
use zip::ZipArchive;
use zip::result::ZipError;

use super::{
    CHECKPOINT_NOTE, Contents, FINDING_PROOFS_DIR, FINDINGS_JSON, Inspection, LEDGER_JSONL,
    LedgerState, Limits, MANIFEST, MANIFEST_NOTE, Problem, SIGNING_KEY_PEM, is_lower_hex_sha256,
};
use crate::ledger_jsonl::JsonlEntry;
use crate::manifest::Manifest;
use crate::{FINDING_NOTE_TAG, FINDING_PROOF_FORMAT, MANIFEST_NOTE_TAG};

pub(super) fn problem(entry: &str, reason: impl Into<String>) -> Problem {
    Problem {
        entry: Some(entry.to_owned()),
        reason: reason.into(),
    }
}

/// The checkpoint origin and key name of a pack: the manifest's `checkpoint.origin`, else
/// `evidentia/<workspace_id>` (what it must be; a pack written before the field existed).
pub(super) fn origin_of(m: &Manifest) -> String {
    m.checkpoint
        .origin
        .clone()
        .unwrap_or_else(|| format!("evidentia/{}", m.workspace_id))
}

/// The proof of finding `n` (1-based): `proofs/findings/<NNNN>.json`.
fn proof_name(n: usize) -> String {
    format!("{FINDING_PROOFS_DIR}{n:04}.json")
}

/// The key `signing-key.pem` holds, named `origin` (its signatures carry the pack's origin):
/// `Ok(None)` when the pack has no `signing-key.pem` (or it was not read).
pub(super) fn pem_key(pem: Option<&[u8]>, origin: &str) -> Result<Option<VerifierKey>, String> {
    let Some(pem) = pem else {
        return Ok(None);
    };
    let Some(pem) = std::str::from_utf8(pem)
        .ok()
        .filter(|t| t.trim_start().starts_with("-----BEGIN PUBLIC KEY-----"))
    else {
        return Err("not a PEM public key (-----BEGIN PUBLIC KEY-----)".into());
    };
    VerifierKey::parse(pem, origin)
        .map(Some)
        .map_err(|e| e.to_string())
}

/// One entry read whole.
pub(super) enum Whole {
    Bytes(Vec<u8>),
    /// Its header declares more bytes than the verifier holds in memory.
    TooLarge(u64),
    /// Not in the archive, or not readable: the pass over every entry reports why.
    Unreadable,
}

/// Reads the entry `name` whole, by name (in any archive order), if it has at most `max`
/// bytes; a read is capped at its declared size.
pub(super) fn read_whole<R: Read + Seek>(
    archive: &mut ZipArchive<R>,
    name: &str,
    max: u64,
) -> std::io::Result<Whole> {
    let file = match archive.by_name(name) {
        Ok(f) => f,
        Err(ZipError::Io(e)) => return Err(e),
        Err(_) => return Ok(Whole::Unreadable),
    };
    let declared = file.size();
    if declared > max {
        return Ok(Whole::TooLarge(declared));
    }
    let mut bytes = Vec::new();
    match file
        .take(declared.saturating_add(1))
        .read_to_end(&mut bytes)
    {
        Ok(_) if bytes.len() as u64 == declared => Ok(Whole::Bytes(bytes)),
        _ => Ok(Whole::Unreadable),
    }
}

/// `exports/findings.json`, as far as the finding proofs need it.
pub(super) enum FindingsRead {
    /// Not in the pack or not readable: already a problem, and no proof can be checked.
    Absent,
    /// Read, but not an export the proofs can be checked against.
    Bad(String),
    /// Its rows, and each row's `evidence` (the entries the finding rests on).
    Rows {
        rows: Vec<Value>,
        evidence: Vec<Vec<u64>>,
    },
}

impl FindingsRead {
    /// Every entry some finding cites.
    pub(super) fn cited(&self) -> BTreeSet<u64> {
        match self {
            FindingsRead::Rows { evidence, .. } => evidence.iter().flatten().copied().collect(),
            _ => BTreeSet::new(),
        }
    }
}

/// Reads `exports/findings.json` (`{"meta": …, "columns": …, "rows": [...]}`), each row's
/// `evidence` a list of ledger entry numbers.
pub(super) fn read_findings<R: Read + Seek>(
    archive: &mut ZipArchive<R>,
    limits: &Limits,
) -> std::io::Result<FindingsRead> {
    let bytes = match read_whole(archive, FINDINGS_JSON, limits.max_text_bytes)? {
        Whole::Bytes(b) => b,
        Whole::Unreadable => return Ok(FindingsRead::Absent),
        Whole::TooLarge(declared) => {
            return Ok(FindingsRead::Bad(format!(
                "{declared} bytes, over the {} the verifier reads to check the finding proofs",
                limits.max_text_bytes
            )));
        }
    };
    #[derive(Deserialize)]
    struct Export {
        rows: Vec<Value>,
    }
    let export: Export = match serde_json::from_slice(&bytes) {
        Ok(e) => e,
        Err(e) => {
            return Ok(FindingsRead::Bad(format!(
                "not a findings export with rows, so the finding proofs cannot be checked: {e}"
            )));
        }
    };
    let mut evidence = Vec::with_capacity(export.rows.len());
    for (i, row) in export.rows.iter().enumerate() {
        let seqs = row
            .get("evidence")
            .and_then(Value::as_array)
            .and_then(|list| {
                list.iter()
                    .map(|v| v.as_u64().filter(|&seq| seq >= 1))
                    .collect::<Option<Vec<u64>>>()
            });
        match seqs {
            Some(seqs) => evidence.push(seqs),
            None => {
                return Ok(FindingsRead::Bad(format!(
                    "finding {}: evidence is not a list of ledger entry numbers",
                    i + 1
                )));
            }
        }
    }
    Ok(FindingsRead::Rows {
        rows: export.rows,
        evidence,
    })
}

/// The manifest's tree root and origin, `checkpoint.note` with `signing-key.pem`, and which
/// finding proofs the pack must hold (their contents: [`ProofCheck`]).
pub(super) fn check_trust(
    state: &Contents,
    names: &[String],
    findings: &FindingsRead,
    problems: &mut Vec<Problem>,
) {
    let in_pack: HashSet<&str> = names.iter().map(String::as_str).collect();
    let ledger = state.ledger.as_ref().filter(|l| l.failure.is_none());
    if let Some(m) = &state.manifest {
        let expected = format!("evidentia/{}", m.workspace_id);
        if let Some(origin) = &m.checkpoint.origin {
            if *origin != expected {
                problems.push(problem(
                    MANIFEST,
                    format!("checkpoint.origin is {origin:?}, not {expected:?} (evidentia/<workspace_id>)"),
                ));
            }
        }
        if let (Some(tree_root), Some(l)) = (&m.checkpoint.tree_root, ledger) {
            // A ledger that does not end at the checkpoint is already a problem.
            let root = l.tree.root().to_hex();
            if l.verifier.count() == m.checkpoint.entry_count && *tree_root != root {
                problems.push(problem(
                    MANIFEST,
                    format!(
                        "checkpoint.tree_root is {tree_root}, the Merkle root of ledger.jsonl is {root}"
                    ),
                ));
            }
        }
    }
    let has_note = in_pack.contains(CHECKPOINT_NOTE);
    let has_pem = in_pack.contains(SIGNING_KEY_PEM);
    if has_note && !has_pem {
        problems.push(problem(
            CHECKPOINT_NOTE,
            "present without signing-key.pem, the public key that signed it",
        ));
    }
    if has_pem && !has_note {
        problems.push(problem(
            SIGNING_KEY_PEM,
            "present without checkpoint.note, the checkpoint it signs",
        ));
    }
    if let Some(note) = &state.note_bytes {
        check_note(
            note,
            state.manifest.as_ref(),
            ledger,
            state.pem_bytes.as_deref(),
            problems,
        );
    }
    // One key signs the checkpoint and the manifest: a pack has both notes or neither.
    let has_manifest_note = in_pack.contains(MANIFEST_NOTE);
    if has_note && !has_manifest_note {
        problems.push(problem(
            MANIFEST_NOTE,
            "missing from the pack: a pack with checkpoint.note carries manifest.note, its manifest signed by the same key (docs/evidence-pack.md)",
        ));
    }
    if has_manifest_note && !has_note {
        problems.push(problem(
            MANIFEST_NOTE,
            "present without checkpoint.note: one key signs both (docs/evidence-pack.md)",
        ));
    }
    let manifest_sha = state.actual.get(MANIFEST).map(|(_, sha)| sha.as_str());
    if let (Some(note), Some(m), Some(sha)) =
        (&state.manifest_note_bytes, &state.manifest, manifest_sha)
    {
        check_manifest_note(note, m, sha, state.pem_bytes.as_deref(), problems);
    }
    match findings {
        FindingsRead::Absent => {}
        FindingsRead::Bad(reason) => problems.push(problem(FINDINGS_JSON, reason.clone())),
        FindingsRead::Rows { rows, .. } => {
            let n = rows.len();
            let expected: BTreeSet<String> = (1..=n).map(proof_name).collect();
            for name in names.iter().filter(|n| n.starts_with(FINDING_PROOFS_DIR)) {
                if !expected.contains(name) {
                    let why = if n == 0 {
                        "not the proof of a finding: exports/findings.json has no findings".into()
                    } else {
                        format!(
                            "not the proof of a finding: exports/findings.json has {n} findings, whose proofs are {} to {}",
                            proof_name(1),
                            proof_name(n)
                        )
                    };
                    problems.push(problem(name, why));
                }
            }
            for i in 1..=n {
                let name = proof_name(i);
                if !in_pack.contains(name.as_str()) {
                    problems.push(problem(
                        &name,
                        format!(
                            "missing from the pack: the proof of finding {i} of exports/findings.json"
                        ),
                    ));
                }
            }
        }
    }
}

/// `checkpoint.note` must be a signed note of the three-line checkpoint of the manifest's
/// origin and entry count and the ledger's Merkle root, verifying with `signing-key.pem`.
pub(super) fn check_note(
    note: &[u8],
    manifest: Option<&Manifest>,
    ledger: Option<&LedgerState>,
    pem: Option<&[u8]>,
    problems: &mut Vec<Problem>,
) {
    let Ok(text) = std::str::from_utf8(note) else {
        problems.push(problem(CHECKPOINT_NOTE, "not UTF-8 text"));
        return;
    };
    let parsed = match parse_note(text) {
        Ok(parsed) => parsed,
        Err(e) => {
            problems.push(problem(CHECKPOINT_NOTE, e.to_string()));
            return;
        }
    };
    let head = match TreeHead::parse(parsed.text) {
        Ok(head) => head,
        Err(e) => {
            problems.push(problem(CHECKPOINT_NOTE, e.to_string()));
            return;
        }
    };
    if parsed.text != head.to_text() {
        problems.push(problem(
            CHECKPOINT_NOTE,
            "its checkpoint text is not the three lines of docs/ledger-format.md §17 (origin, size, root)",
        ));
    }
    let Some(m) = manifest else {
        return; // no manifest to compare with: already a problem
    };
    let origin = origin_of(m);
    if head.origin != origin {
        problems.push(problem(
            CHECKPOINT_NOTE,
            format!(
                "names origin {:?}, manifest.json's is {origin:?}",
                head.origin
            ),
        ));
    }
    if head.size != m.checkpoint.entry_count {
        problems.push(problem(
            CHECKPOINT_NOTE,
            format!(
                "names {} entries, manifest.json's checkpoint {}",
                head.size, m.checkpoint.entry_count
            ),
        ));
    } else if let Some(l) = ledger.filter(|l| l.verifier.count() == head.size) {
        let root = l.tree.root();
        if head.root != root {
            problems.push(problem(
                CHECKPOINT_NOTE,
                format!(
                    "names root {}, the Merkle root of ledger.jsonl is {}",
                    head.root.to_hex(),
                    root.to_hex()
                ),
            ));
        }
    }
    let key = match pem_key(pem, &origin) {
        Ok(Some(key)) => key,
        Ok(None) => return, // the note without its key: already a problem
        Err(reason) => {
            problems.push(problem(SIGNING_KEY_PEM, reason));
            return;
        }
    };
    if let Err(e) = key.open(text) {
        problems.push(problem(
            CHECKPOINT_NOTE,
            format!("does not verify with signing-key.pem: {e}"),
        ));
    }
}

/// `manifest.note` must be a signed note of exactly the three lines `evidentia-pack/1`, the
/// manifest's origin and the SHA-256 of this `manifest.json` (`manifest_sha`), verifying with
/// `signing-key.pem` (docs/evidence-pack.md).
pub(super) fn check_manifest_note(
    note: &[u8],
    m: &Manifest,
    manifest_sha: &str,
    pem: Option<&[u8]>,
    problems: &mut Vec<Problem>,
) {
    let Ok(note) = std::str::from_utf8(note) else {
        problems.push(problem(MANIFEST_NOTE, "not UTF-8 text"));
        return;
    };
    let parsed = match parse_note(note) {
        Ok(parsed) => parsed,
        Err(e) => {
            problems.push(problem(MANIFEST_NOTE, e.to_string()));
            return;
        }
    };
    let origin = origin_of(m);
    let expected = crate::manifest_note_text(&origin, manifest_sha);
    if parsed.text != expected {
        let lines: Vec<&str> = parsed.text.trim_end_matches('\n').split('\n').collect();
        let reason = match lines.as_slice() {
            [MANIFEST_NOTE_TAG, named, _] if *named != origin => {
                format!("names origin {named:?}, manifest.json's is {origin:?}")
            }
            [MANIFEST_NOTE_TAG, _, named] if *named != manifest_sha => format!(
                "names manifest.json with SHA-256 {named}, but manifest.json hashes to {manifest_sha}: the manifest, or a file it lists, changed after it was signed"
            ),
            _ => format!(
                "its text is not the three lines of docs/evidence-pack.md ({MANIFEST_NOTE_TAG}, the origin, the SHA-256 of manifest.json)"
            ),
        };
        problems.push(problem(MANIFEST_NOTE, reason));
    }
    // No key beside it, or one that cannot be read: already a problem.
    if let Ok(Some(key)) = pem_key(pem, &origin) {
        if let Err(e) = key.open(note) {
            problems.push(problem(
                MANIFEST_NOTE,
                format!("does not verify with signing-key.pem: {e}"),
            ));
        }
    }
}

/// `proofs/findings/<NNNN>.json` (docs/ledger-format.md §18).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FindingProof {
    format: String,
    finding: Value,
    /// The signed note binding `finding` to the tree; `null` (or absent) in an unsigned pack.
    #[serde(default)]
    finding_note: Option<Value>,
    checkpoint: String,
    tree_size: u64,
    tree_root: String,
    entries: Vec<ProvedEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ProvedEntry {
    entry: Value,
    inclusion: Vec<String>,
}

impl FindingProof {
    pub(super) fn read(bytes: &[u8]) -> Result<FindingProof, String> {
        serde_json::from_slice(bytes)
            .map_err(|e| format!("not a finding proof (docs/ledger-format.md §18): {e}"))
    }
}

/// What every finding proof of a pack is checked against: the findings, the verified ledger
/// (its size, root and the lines the findings cite), the pack's checkpoint, and whether it is
/// signed (then with what `signing-key.pem` holds).
pub(super) struct ProofCheck<'a> {
    rows: &'a [Value],
    evidence: &'a [Vec<u64>],
    count: u64,
    root: Hash,
    /// The pack's origin (the key name of its signatures).
    origin: String,
    /// Whether the pack has `checkpoint.note`: then every proof carries a `finding_note`.
    signed: bool,
    /// The key of `signing-key.pem`, when it is there and readable.
    pem: Option<VerifierKey>,
    /// The key the caller trusts, when given (and usable under the pack's origin).
    trusted: Option<VerifierKey>,
    /// The checkpoint text every proof carries, and how problems call it; `None` when
    /// `checkpoint.note` is there but unreadable (already a problem).
    checkpoint: Option<(String, &'static str)>,
    lines: &'a BTreeMap<u64, Value>,
}

impl<'a> ProofCheck<'a> {
    /// `None` when the proofs cannot be checked: no readable findings, no verified ledger or
    /// no manifest (each already a problem). `public_key` is the key the caller trusts.
    pub(super) fn new(
        state: &'a Contents,
        findings: &'a FindingsRead,
        note_in_pack: bool,
        public_key: Option<&str>,
    ) -> Option<ProofCheck<'a>> {
        let FindingsRead::Rows { rows, evidence } = findings else {
            return None;
        };
        let ledger = state.ledger.as_ref().filter(|l| l.failure.is_none())?;
        let manifest = state.manifest.as_ref()?;
        let count = ledger.verifier.count();
        let root = ledger.tree.root();
        let origin = origin_of(manifest);
        // Not there or not readable: already a problem (the notes' texts are still checked).
        let pem = pem_key(state.pem_bytes.as_deref(), &origin).ok().flatten();
        // A key that cannot be named so is reported by `signed_by`, for checkpoint.note.
        let trusted = public_key.and_then(|k| VerifierKey::parse(k, &origin).ok());
        let checkpoint = match &state.note_bytes {
            Some(note) => std::str::from_utf8(note)
                .ok()
                .map(|t| (t.to_owned(), "the pack's checkpoint.note")),
            None if note_in_pack => None,
            None => {
                let head = TreeHead {
                    origin: origin.clone(),
                    size: count,
                    root,
                };
                Some((
                    format!("{}\n", head.to_text()),
                    "the pack's unsigned checkpoint text (origin, size, root and an empty line)",
                ))
            }
        };
        Some(ProofCheck {
            rows,
            evidence,
            count,
            root,
            origin,
            signed: note_in_pack,
            pem,
            trusted,
            checkpoint,
            lines: &ledger.lines,
        })
    }

    /// The proofs the pack must hold, in the findings' order.
    pub(super) fn expected_names(&self) -> impl Iterator<Item = String> + use<> {
        (1..=self.rows.len()).map(proof_name)
    }

    /// With a trusted key, in a signed pack: a problem naming the proof `name` unless its
    /// `finding_note` carries a verifying signature of that key (a missing or malformed one is
    /// a problem of the pack itself, [`ProofCheck::check`]).
    pub(super) fn check_trusted(&self, name: &str, proof: &FindingProof) -> Option<Problem> {
        let key = self.trusted.as_ref().filter(|_| self.signed)?;
        let Some(Value::String(note)) = &proof.finding_note else {
            return None;
        };
        trusted(key, name, "finding_note: ", note, "finding")
    }

    /// Checks the proof of finding `index + 1`.
    pub(super) fn check(&self, index: usize, proof: &FindingProof) -> Result<(), String> {
        let n = index + 1;
        if proof.format != FINDING_PROOF_FORMAT {
            return Err(format!(
                "format is {:?}, not {FINDING_PROOF_FORMAT:?}",
                proof.format
            ));
        }
        if proof.finding != self.rows[index] {
            return Err(format!(
                "its finding is not finding {n} of exports/findings.json"
            ));
        }
        if proof.tree_size != self.count {
            return Err(format!(
                "tree_size is {}, ledger.jsonl has {} entries",
                proof.tree_size, self.count
            ));
        }
        let root = self.root.to_hex();
        if proof.tree_root != root {
            return Err(format!(
                "tree_root is {}, the Merkle root of ledger.jsonl is {root}",
                proof.tree_root
            ));
        }
        if let Some((checkpoint, what)) = &self.checkpoint {
            if proof.checkpoint != *checkpoint {
                return Err(format!("its checkpoint is not {what}"));
            }
        }
        match (self.signed, &proof.finding_note) {
            (false, None) => {}
            (false, Some(_)) => {
                return Err(
                    "finding_note is not null, but the pack is unsigned (no checkpoint.note)"
                        .into(),
                );
            }
            (true, None) => {
                return Err(
                    "finding_note is missing: in a signed pack every finding proof carries one (docs/ledger-format.md §18)"
                        .into(),
                );
            }
            (true, Some(Value::String(note))) => self.check_finding_note(note, &proof.finding)?,
            (true, Some(_)) => return Err("finding_note is not a string (a signed note)".into()),
        }
        let seqs: Vec<Option<u64>> = proof
            .entries
            .iter()
            .map(|e| e.entry.get("seq").and_then(Value::as_u64))
            .collect();
        let evidence = &self.evidence[index];
        if seqs.len() != evidence.len() || seqs.iter().zip(evidence).any(|(a, b)| *a != Some(*b)) {
            let shown: Vec<String> = seqs
                .iter()
                .map(|s| s.map_or_else(|| "?".to_owned(), |s| s.to_string()))
                .collect();
            return Err(format!(
                "proves entries [{}], finding {n} rests on entries {evidence:?}",
                shown.join(", ")
            ));
        }
        for (proved, seq) in proof.entries.iter().zip(evidence) {
            self.check_entry(*seq, proved)
                .map_err(|reason| format!("entry {seq}: {reason}"))?;
        }
        Ok(())
    }

    /// A `finding_note`: a signed note of exactly the five lines `evidentia-finding/1`, the
    /// origin, the tree size, the root in base64 and the SHA-256 of the finding's canonical
    /// JSON (docs/ledger-format.md §18), verifying with `signing-key.pem`.
    fn check_finding_note(&self, note: &str, finding: &Value) -> Result<(), String> {
        let parsed = parse_note(note).map_err(|e| format!("finding_note: {e}"))?;
        let sha = canonical_json(finding)
            .map(|bytes| Hash::of(&bytes).to_hex())
            .map_err(|e| format!("its finding cannot be hashed: {e}"))?;
        let head = TreeHead {
            origin: self.origin.clone(),
            size: self.count,
            root: self.root,
        };
        // The checkpoint text is the middle three lines.
        let expected = crate::finding_note_text(&head, finding)
            .map_err(|e| format!("its finding cannot be hashed: {e}"))?;
        if parsed.text != expected {
            let lines: Vec<&str> = parsed.text.trim_end_matches('\n').split('\n').collect();
            let want: Vec<&str> = expected.trim_end_matches('\n').split('\n').collect();
            let reason = match lines.as_slice() {
                [FINDING_NOTE_TAG, named, _, _, _] if *named != want[1] => format!(
                    "finding_note names origin {named:?}, the pack's is {:?}",
                    want[1]
                ),
                [FINDING_NOTE_TAG, _, named, _, _] if *named != want[2] => format!(
                    "finding_note names a tree of {named} entries, ledger.jsonl has {}",
                    want[2]
                ),
                [FINDING_NOTE_TAG, _, _, named, _] if *named != want[3] => format!(
                    "finding_note names root {named}, the Merkle root of ledger.jsonl is {}",
                    want[3]
                ),
                [FINDING_NOTE_TAG, _, _, _, named] if *named != sha => format!(
                    "finding_note names a finding with SHA-256 {named}, but this finding's canonical JSON hashes to {sha}: its fields changed after they were signed"
                ),
                _ => format!(
                    "finding_note's text is not the five lines of docs/ledger-format.md §18 ({FINDING_NOTE_TAG}, the origin, the tree size, the root, the finding's SHA-256)"
                ),
            };
            return Err(reason);
        }
        if let Some(key) = &self.pem {
            key.open(note)
                .map_err(|e| format!("finding_note does not verify with signing-key.pem: {e}"))?;
        }
        Ok(())
    }

    /// One proved entry: its hashes recompute, its inclusion proof leads to the root, and it
    /// is the entry's line of `ledger.jsonl`.
    fn check_entry(&self, seq: u64, proved: &ProvedEntry) -> Result<(), String> {
        let e = JsonlEntry::deserialize(&proved.entry)
            .map_err(|e| format!("not a ledger.jsonl entry: {e}"))?;
        let payload = match e.payload_encoding.as_str() {
            "utf-8" => e.payload.clone().into_bytes(),
            "hex" => hex::decode(&e.payload).map_err(|err| format!("payload: {err}"))?,
            other => return Err(format!("unknown payload_encoding {other:?}")),
        };
        let payload_hash = Hash::of(&payload);
        if payload_hash.to_hex() != e.payload_sha256 {
            return Err(format!(
                "payload hash mismatch: the payload hashes to {payload_hash}, payload_sha256 says {}",
                e.payload_sha256
            ));
        }
        let hash = |name: &str, text: &str| {
            if !is_lower_hex_sha256(text) {
                return Err(format!("{name} is not 64 lowercase hex digits"));
            }
            Hash::from_hex(text).map_err(|err| format!("{name}: {}", err.0))
        };
        let prev = hash("prev_hash", &e.prev_hash)?;
        let stated = hash("entry_hash", &e.entry_hash)?;
        let computed = entry_hash(seq, &e.kind, &e.recorded_at, &payload_hash, &prev);
        if computed != stated {
            return Err(format!(
                "entry hash mismatch: its fields hash to {computed}, entry_hash says {stated}"
            ));
        }
        if seq > self.count {
            return Err(format!("not in ledger.jsonl's {} entries", self.count));
        }
        let path = proved
            .inclusion
            .iter()
            .enumerate()
            .map(|(i, h)| hash(&format!("inclusion hash {}", i + 1), h))
            .collect::<Result<Vec<Hash>, String>>()?;
        verify_inclusion(
            seq - 1,
            self.count,
            &leaf_hash(&stated.0),
            &path,
            &self.root,
        )
        .map_err(|err| format!("its inclusion proof does not lead to the tree root: {err}"))?;
        if self.lines.get(&seq) != Some(&proved.entry) {
            return Err(
                "not its line of ledger.jsonl (the entry as proved differs from the ledger's)"
                    .into(),
            );
        }
        Ok(())
    }
}

/// A public key given to check a pack with: the text of an Ed25519 SPKI PEM key or a note
/// verifier key. One that cannot be read is an input error, not an altered pack.
pub(super) fn check_public_key(text: &str) -> std::io::Result<()> {
    // The PEM's key name is the pack's origin, not known yet: any valid name checks the key.
    VerifierKey::parse(text, "evidentia/key")
        .map(drop)
        .map_err(|e| {
            std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                format!("not a usable public key: {e}"),
            )
        })
}

/// The pack's `checkpoint.note` must be there and carry a verifying signature of `public_key`
/// (already checked by [`check_public_key`]), and so must its `manifest.note` and every proof's
/// `finding_note` (whose presence the pack's own checks require); a PEM key's signatures carry
/// the pack's origin. Each note not signed so is a problem naming the file that carries it.
pub(super) fn signed_by(pack: &Inspection, public_key: &str) -> Vec<Problem> {
    let Some(m) = &pack.manifest else {
        return Vec::new(); // no manifest: already a problem
    };
    if !pack.note_in_pack {
        return vec![problem(
            CHECKPOINT_NOTE,
            "missing from the pack: a pack signed by the given public key carries checkpoint.note",
        )];
    }
    let Some(note) = pack
        .note
        .as_deref()
        .and_then(|b| std::str::from_utf8(b).ok())
    else {
        return Vec::new(); // unreadable: already a problem
    };
    let origin = origin_of(m);
    let key = match VerifierKey::parse(public_key, &origin) {
        Ok(key) => key,
        Err(e) => {
            return vec![problem(
                CHECKPOINT_NOTE,
                format!(
                    "cannot be checked with the given public key under the name {origin:?}: {e}"
                ),
            )];
        }
    };
    let mut out = Vec::new();
    out.extend(trusted(&key, CHECKPOINT_NOTE, "", note, "checkpoint"));
    // Missing or unreadable: already a problem of the pack itself.
    if let Some(note) = pack
        .manifest_note
        .as_deref()
        .and_then(|b| std::str::from_utf8(b).ok())
    {
        out.extend(trusted(&key, MANIFEST_NOTE, "", note, "manifest"));
    }
    out.extend(pack.unsigned_findings.iter().cloned());
    out
}

/// A problem naming `entry` unless `note` carries a verifying signature of the trusted `key`;
/// `field` prefixes the reason when the note is a field of the entry, `what` names what the
/// note signs.
pub(super) fn trusted(
    key: &VerifierKey,
    entry: &str,
    field: &str,
    note: &str,
    what: &str,
) -> Option<Problem> {
    let reason = match key.open(note) {
        Ok(_) => return None,
        Err(NoteError::NotSignedBy(_)) => format!(
            "{field}not signed by the given public key {}: no signature of that key (it was signed by another key)",
            key.to_vkey()
        ),
        Err(NoteError::BadSignature(_)) => format!(
            "{field}the signature of the given public key {} does not verify: the {what} was altered",
            key.to_vkey()
        ),
        Err(e) => format!("{field}cannot be checked with the given public key: {e}"),
    };
    Some(problem(entry, reason))
}

/// A problem of the earlier pack, its entry name prefixed `earlier:` (`earlier` for the
/// archive itself).
pub(super) fn earlier_problem(p: Problem) -> Problem {
    Problem {
        entry: Some(match p.entry {
            Some(entry) => format!("earlier:{entry}"),
            None => "earlier".to_owned(),
        }),
        reason: p.reason,
    }
}

/// The earlier pack's ledger must be a prefix of the current one's: same workspace, no fewer
/// entries, the same entry hashes line by line, and a consistency proof from the earlier
/// tree root to the current one that verifies (RFC 9162 §2.1.4). Nothing is compared when
/// either ledger did not verify (already a problem).
pub(super) fn compare(earlier: &Inspection, current: &Inspection) -> Vec<Problem> {
    let (Some(em), Some(cm)) = (&earlier.manifest, &current.manifest) else {
        return Vec::new();
    };
    if em.workspace_id != cm.workspace_id {
        return vec![problem(
            MANIFEST,
            format!(
                "the earlier pack is of workspace {}, this one of {}",
                em.workspace_id, cm.workspace_id
            ),
        )];
    }
    let (Some(el), Some(cl)) = (&earlier.ledger, &current.ledger) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let (old, new) = (el.count, cl.count);
    if old > new {
        out.push(problem(
            LEDGER_JSONL,
            format!("the earlier pack has {old} entries, this one {new}: entries were removed"),
        ));
    }
    if let Some(at) = el.hashes.iter().zip(&cl.hashes).position(|(a, b)| a != b) {
        let k = at + 1;
        out.push(problem(
            LEDGER_JSONL,
            format!(
                "entry {k} differs from the earlier pack's (entry hash {}, earlier {}): the ledger was rewritten from entry {k}",
                cl.hashes[at], el.hashes[at]
            ),
        ));
    }
    if old <= new {
        let tree = MerkleTree::from_entry_hashes(&cl.hashes);
        let old_root = em
            .checkpoint
            .tree_root
            .as_deref()
            .and_then(|t| Hash::from_hex(t).ok())
            .unwrap_or(el.root);
        let new_root = tree.root();
        let consistent = tree
            .consistency_proof(old, new)
            .and_then(|proof| verify_consistency(old, new, &old_root, &new_root, &proof));
        if let Err(e) = consistent {
            out.push(problem(
                LEDGER_JSONL,
                format!(
                    "the earlier pack's tree ({old} entries, root {old_root}) is not a prefix of this one's ({new} entries, root {new_root}): {e}"
                ),
            ));
        }
    }
    out
}
