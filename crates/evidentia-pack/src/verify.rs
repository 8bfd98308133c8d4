//! Checking a pack from its own bytes, without extracting anything: the archive's structure
//! (no paths that could escape a folder, no links, no duplicates), its layout (every file the
//! pack must hold and nothing else, docs/evidence-pack.md), every file against `SHA256SUMS` and
//! `manifest.json`, the ledger chain in `ledger.jsonl` (with [`evidentia_ledger::Verifier`]) up
//! to the manifest's checkpoint, and the artifacts against the ledger: each one named by its
//! content's SHA-256 and committed by an `artifact.stored` entry with its size, and every
//! committed artifact in the pack exactly once. Then what ties the pack to the ledger's Merkle
//! tree and to its signer ([`trust`]): the manifest's tree root and origin, `checkpoint.note`
//! and `manifest.note` (which signs `manifest.json`, and through it every file it lists) with
//! `signing-key.pem`, and every finding proof with its `finding_note`; with a trusted public key
//! ([`verify_pack_signed`]) or against an earlier pack ([`verify_pack_against`]).
//!
//! Memory stays bounded: entries are streamed through SHA-256, each read is capped at its
//! declared size (a zip bomb that inflates past its header is caught, not followed), and the
//! [`Limits`] cap the entry count, every entry and the total. Beyond that, only the Merkle
//! tree's right edge (logarithmic), `exports/findings.json`, the `ledger.jsonl` lines a finding
//! cites and one finding proof at a time are held — and every entry hash (32 bytes each) when
//! comparing with an earlier pack.

use std::collections::btree_map::Entry as MapEntry;
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::io::{BufReader, Read, Seek, SeekFrom};

use evidentia_ledger::{Hash, RootBuilder, Verifier};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use zip::{CompressionMethod, ZipArchive};

use crate::ledger_jsonl::read_line;
use crate::manifest::{MANIFEST_FORMAT, Manifest};
use crate::{
    ARTIFACTS_DIR, CHECKPOINT_NOTE, FINDING_PROOFS_DIR, LEDGER_JSONL, MANIFEST, MANIFEST_NOTE,
    SHA256SUMS, SIGNING_KEY_PEM, sanitize_file_name,
};

mod sample;
mod trust;

/// How the verifier describes a file that is not one of a pack's (docs/evidence-pack.md).
const NOT_IN_LAYOUT: &str = "not part of the pack layout (docs/evidence-pack.md)";
const VERIFY_MD: &str = "VERIFY.md";
const VERIFY_LEDGER_PY: &str = "tools/verify_ledger.py";
const OSCAL_RESULTS: &str = "oscal/assessment-results.json";
/// The exported tables, each as `exports/<table>.csv` and `exports/<table>.json`.
const EXPORT_TABLES: [&str; 5] = ["controls", "events", "exceptions", "findings", "metrics"];
const EXPORT_FORMATS: [&str; 2] = ["csv", "json"];
/// Tables packs hold since access reviews were added: accepted in the layout but not
/// required, so packs made before them still verify (the signed manifest and `SHA256SUMS`
/// still list, and so pin, every file a pack holds).
const LATER_EXPORT_TABLES: [&str; 2] = ["review-revokes", "reviews"];
/// The signed checkpoint, the signed manifest and their key: optional files, checked in
/// [`trust`] when present.
const ACCEPTED_FILES: [&str; 3] = [CHECKPOINT_NOTE, MANIFEST_NOTE, SIGNING_KEY_PEM];
/// The files the pack writes about itself, which `manifest.json` does not list (it cannot
/// list its own hash, nor the note and the sums that hash it).
const UNLISTED_FILES: [&str; 3] = [MANIFEST, MANIFEST_NOTE, SHA256SUMS];
/// `exports/findings.json`: the findings `proofs/findings/<NNNN>.json` prove, in its order.
const FINDINGS_JSON: &str = "exports/findings.json";
const ARTIFACT_ENTRY_KIND: &str = "artifact.stored";

/// Every file a pack holds whatever its framework: all but the report.
fn fixed_files() -> Vec<String> {
    let mut out: Vec<String> = [
        VERIFY_MD,
        MANIFEST,
        SHA256SUMS,
        LEDGER_JSONL,
        VERIFY_LEDGER_PY,
    ]
    .map(str::to_owned)
    .into();
    out.push(OSCAL_RESULTS.to_owned());
    for table in EXPORT_TABLES {
        for format in EXPORT_FORMATS {
            out.push(format!("exports/{table}.{format}"));
        }
    }
    out
}

/// The report's name for the manifest's framework, made as the pack writer makes it: the
/// framework's id itself for every built-in framework, `_` for characters a file name may not
/// carry in a user catalog's id.
fn report_name(framework: &str) -> String {
    format!("report-{}.pdf", sanitize_file_name(framework))
}

fn is_lower_hex_sha256(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// The content address an artifact's name gives, if `name` is
/// `artifacts/<64 lowercase hex>-<name>` with a non-empty name of `A-Z a-z 0-9 . - _`.
fn artifact_address(name: &str) -> Option<&str> {
    let (sha, file) = name.strip_prefix(ARTIFACTS_DIR)?.split_once('-')?;
    let file_ok = !file.is_empty()
        && file
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'));
    (is_lower_hex_sha256(sha) && file_ok).then_some(sha)
}

/// Whether `name` is a file of the documented layout. `report` is the report's name, `None`
/// when the manifest cannot tell it (then any `report-*.pdf` passes here: the manifest is
/// already a problem).
fn in_layout(name: &str, fixed: &HashSet<String>, report: Option<&str>) -> bool {
    let is_report = match report {
        Some(report) => name == report,
        None => name.starts_with("report-") && name.ends_with(".pdf"),
    };
    let is_proof = name
        .strip_prefix(FINDING_PROOFS_DIR)
        .and_then(|rest| rest.strip_suffix(".json"))
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
    let is_later_export = name.strip_prefix("exports/").is_some_and(|file| {
        LATER_EXPORT_TABLES.iter().any(|table| {
            EXPORT_FORMATS
                .iter()
                .any(|format| file == format!("{table}.{format}"))
        })
    });
    fixed.contains(name)
        || is_later_export
        || is_report
        || artifact_address(name).is_some()
        || ACCEPTED_FILES.contains(&name)
        || is_proof
}

/// Bounds on what a pack may ask the verifier to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Entries in the archive.
    pub max_entries: usize,
    /// Uncompressed bytes of any one entry.
    pub max_entry_bytes: u64,
    /// Uncompressed bytes of all entries together.
    pub max_total_bytes: u64,
    /// `manifest.json`, `SHA256SUMS` and any one `ledger.jsonl` line are held in memory.
    pub max_text_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_entries: 1_000_000,
            max_entry_bytes: 64 << 30,
            max_total_bytes: 256 << 30,
            max_text_bytes: 256 << 20,
        }
    }
}

/// One thing found wrong, naming the pack entry it concerns (none for the archive itself).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub entry: Option<String>,
    pub reason: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.entry {
            Some(e) => write!(f, "{e}: {}", self.reason),
            None => f.write_str(&self.reason),
        }
    }
}

/// What an intact pack holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackSummary {
    pub files: usize,
    pub bytes: u64,
    pub manifest: Manifest,
}

/// The outcome: intact, or altered with every problem found (the first is the one to show).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Intact(Box<PackSummary>),
    Altered(Vec<Problem>),
}

impl Verdict {
    pub fn is_intact(&self) -> bool {
        matches!(self, Verdict::Intact(_))
    }
}

const S_IFMT: u32 = 0o170_000;
const S_IFREG: u32 = 0o100_000;
const S_IFLNK: u32 = 0o120_000;
const CENTRAL_HEADER_SIG: u32 = 0x0201_4b50;

/// One central-directory record, read straight from the bytes (the zip library folds
/// duplicate names into one, so names are counted here).
struct RawEntry {
    name: Vec<u8>,
    flags: u16,
    external_attributes: u32,
}

fn u16_at(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([b[at], b[at + 1]])
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

fn central_directory<R: Read + Seek>(
    reader: &mut R,
    start: u64,
    limits: &Limits,
) -> std::io::Result<Result<Vec<RawEntry>, String>> {
    reader.seek(SeekFrom::Start(start))?;
    let mut r = BufReader::new(reader);
    let mut out = Vec::new();
    loop {
        let mut fixed = [0u8; 46];
        match r.read_exact(&mut fixed[..4]) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => break,
            Err(e) => return Err(e),
        }
        if u32_at(&fixed, 0) != CENTRAL_HEADER_SIG {
            break;
        }
        if out.len() >= limits.max_entries {
            return Ok(Err(format!("more than {} entries", limits.max_entries)));
        }
        if r.read_exact(&mut fixed[4..]).is_err() {
            return Ok(Err("central directory is cut short".into()));
        }
        let name_len = usize::from(u16_at(&fixed, 28));
        let skip = u64::from(u16_at(&fixed, 30)) + u64::from(u16_at(&fixed, 32));
        let mut name = vec![0u8; name_len];
        if r.read_exact(&mut name).is_err() {
            return Ok(Err("central directory is cut short".into()));
        }
        std::io::copy(&mut (&mut r).take(skip), &mut std::io::sink())?;
        out.push(RawEntry {
            name,
            flags: u16_at(&fixed, 8),
            external_attributes: u32_at(&fixed, 38),
        });
    }
    Ok(Ok(out))
}

/// Why a name cannot be a pack entry, if it cannot.
fn unsafe_name(name: &str) -> Option<&'static str> {
    if name.is_empty() {
        return Some("empty name");
    }
    if name.starts_with('/') {
        return Some("absolute path");
    }
    if name.contains('\\') {
        return Some("backslash in name");
    }
    if name.contains(':') {
        return Some("drive or stream name (`:`)");
    }
    if name.chars().any(char::is_control) {
        return Some("control character in name");
    }
    if name.ends_with('/') {
        return Some("directory entry (a pack holds only files)");
    }
    for part in name.split('/') {
        match part {
            ".." => return Some("parent directory (`..`) in path"),
            "" | "." => return Some("not a plain relative path"),
            _ => {}
        }
    }
    None
}

/// Verifies a pack. I/O errors reading `reader` are errors; anything wrong with the pack's
/// contents is an [`Verdict::Altered`].
///
/// Beyond the files, the layout and the chain, it checks what ties the pack to its ledger's
/// Merkle tree (docs/ledger-format.md §16–§18): `manifest.json`'s `checkpoint.tree_root` and
/// `origin`, the signed `checkpoint.note` against the `signing-key.pem` beside it (that key is
/// the pack's own claim: [`verify_pack_signed`] checks the note with a key you trust), and
/// every finding proof in `proofs/findings/` against `exports/findings.json` and the ledger.
/// A signed pack (one with `checkpoint.note`) also carries `manifest.note`, naming the SHA-256
/// of its `manifest.json`, and a `finding_note` in every proof, naming the SHA-256 of its
/// finding and the tree: each must say exactly that and verify with `signing-key.pem`. An
/// unsigned pack carries neither.
pub fn verify_pack<R: Read + Seek>(reader: R, limits: &Limits) -> std::io::Result<Verdict> {
    Ok(inspect(reader, limits, false, None)?.verdict())
}

/// [`verify_pack`], and the pack's `checkpoint.note` must be there and verify with
/// `public_key` — the text of an Ed25519 public key in PEM (SPKI, whose signatures then carry
/// the manifest's origin as their key name) or a note verifier key `name+id+base64` — and so
/// must its `manifest.note` and every finding proof's `finding_note`. This is what makes the
/// pack's checkpoint, its files and its findings the workspace's, rather than whoever made the
/// zip.
///
/// A `public_key` that cannot be read is an error of kind
/// [`std::io::ErrorKind::InvalidInput`], before the pack is read; a note it did not sign is
/// [`Verdict::Altered`], naming the file that carries it.
pub fn verify_pack_signed<R: Read + Seek>(
    reader: R,
    limits: &Limits,
    public_key: &str,
) -> std::io::Result<Verdict> {
    verify_pack_with(reader, None::<R>, Some(public_key), limits)
}

/// [`verify_pack`] on both packs, and `earlier` must be an earlier pack of the same ledger:
/// the same workspace, no more entries than `current`, the same entry hashes for its entries,
/// and an RFC 9162 consistency proof from its tree root to `current`'s that verifies.
/// Problems of the earlier pack itself name its entries prefixed `earlier:`.
pub fn verify_pack_against<R1: Read + Seek, R2: Read + Seek>(
    current: R1,
    earlier: R2,
    limits: &Limits,
) -> std::io::Result<Verdict> {
    verify_pack_with(current, Some(earlier), None, limits)
}

/// [`verify_pack`], plus [`verify_pack_against`] when `earlier` is given and
/// [`verify_pack_signed`] when `public_key` is, reading each pack once and reporting every
/// problem of every check (the current pack's own first).
pub fn verify_pack_with<R1: Read + Seek, R2: Read + Seek>(
    current: R1,
    earlier: Option<R2>,
    public_key: Option<&str>,
    limits: &Limits,
) -> std::io::Result<Verdict> {
    if let Some(key) = public_key {
        trust::check_public_key(key)?;
    }
    let mut now = inspect(current, limits, earlier.is_some(), public_key)?;
    if let Some(key) = public_key {
        let signed = trust::signed_by(&now, key);
        now.problems.extend(signed);
    }
    if let Some(earlier) = earlier {
        let before = inspect(earlier, limits, true, None)?;
        // A selective pack carries no ledger to compare: say so rather than pass silently.
        let selective = |i: &Inspection| {
            i.manifest
                .as_ref()
                .is_some_and(|m| m.format == crate::SAMPLE_PACK_FORMAT)
        };
        if selective(&before) || selective(&now) {
            now.problems.push(Problem {
                entry: None,
                reason: "a selective pack has no ledger.jsonl, so it cannot be compared with an earlier pack: compare its checkpoint with one you hold instead".into(),
            });
            return Ok(now.verdict());
        }
        let cross = trust::compare(&before, &now);
        now.problems
            .extend(before.problems.into_iter().map(trust::earlier_problem));
        now.problems.extend(cross);
    }
    Ok(now.verdict())
}

/// What one reading of a pack found: its problems, and what the checks between packs and
/// with a trusted key need.
struct Inspection {
    problems: Vec<Problem>,
    files: usize,
    bytes: u64,
    manifest: Option<Manifest>,
    /// Whether the archive has a `checkpoint.note`, and its bytes when they were read whole.
    note_in_pack: bool,
    note: Option<Vec<u8>>,
    /// `manifest.note`, when read whole.
    manifest_note: Option<Vec<u8>>,
    /// With a trusted key: each finding proof whose `finding_note` it did not sign (checked as
    /// the proofs are read, one at a time).
    unsigned_findings: Vec<Problem>,
    /// The ledger, when `ledger.jsonl` verified.
    ledger: Option<LedgerFacts>,
}

/// A verified `ledger.jsonl`: its size and Merkle root, and (when asked for) its entry hashes.
struct LedgerFacts {
    count: u64,
    root: Hash,
    hashes: Vec<Hash>,
}

impl Inspection {
    fn altered(problems: Vec<Problem>) -> Inspection {
        Inspection {
            problems,
            files: 0,
            bytes: 0,
            manifest: None,
            note_in_pack: false,
            note: None,
            manifest_note: None,
            unsigned_findings: Vec::new(),
            ledger: None,
        }
    }

    fn verdict(self) -> Verdict {
        if !self.problems.is_empty() {
            return Verdict::Altered(self.problems);
        }
        match self.manifest {
            Some(manifest) => Verdict::Intact(Box::new(PackSummary {
                files: self.files,
                bytes: self.bytes,
                manifest,
            })),
            None => Verdict::Altered(vec![Problem {
                entry: None,
                reason: "manifest.json is missing".into(),
            }]),
        }
    }
}

/// One pass over a pack; `keep_hashes` keeps every entry hash of its ledger (32 bytes an
/// entry) for a comparison with another pack; with `public_key` (already checked by
/// [`trust::check_public_key`]), each proof's `finding_note` is checked with it as it is read.
fn inspect<R: Read + Seek>(
    mut reader: R,
    limits: &Limits,
    keep_hashes: bool,
    public_key: Option<&str>,
) -> std::io::Result<Inspection> {
    let archive_problem = |reason: String| {
        Ok(Inspection::altered(vec![Problem {
            entry: None,
            reason,
        }]))
    };
    let (dir_start, count) = match ZipArchive::new(&mut reader) {
        Ok(a) => (a.central_directory_start(), a.len()),
        Err(zip::result::ZipError::Io(e)) => return Err(e),
        Err(e) => return archive_problem(format!("not a readable zip archive: {e}")),
    };
    let raw = match central_directory(&mut reader, dir_start, limits)? {
        Ok(raw) => raw,
        Err(reason) => return archive_problem(reason),
    };
    let mut problems = Vec::new();
    let mut names = Vec::with_capacity(raw.len());
    let mut seen = HashSet::new();
    for entry in &raw {
        let Ok(name) = String::from_utf8(entry.name.clone()) else {
            problems.push(Problem {
                entry: Some(String::from_utf8_lossy(&entry.name).into_owned()),
                reason: "name is not UTF-8".into(),
            });
            continue;
        };
        let mode = entry.external_attributes >> 16;
        let problem = if let Some(why) = unsafe_name(&name) {
            Some(why)
        } else if mode & S_IFMT == S_IFLNK {
            Some("symbolic link")
        } else if mode & S_IFMT != 0 && mode & S_IFMT != S_IFREG {
            Some("not a regular file")
        } else if entry.flags & 1 != 0 {
            Some("encrypted entry")
        } else if !seen.insert(name.clone()) {
            Some("duplicate name")
        } else {
            None
        };
        if let Some(reason) = problem {
            problems.push(Problem {
                entry: Some(name.clone()),
                reason: reason.into(),
            });
        }
        names.push(name);
    }
    if names.len() != count && problems.is_empty() {
        problems.push(Problem {
            entry: None,
            reason: format!(
                "central directory lists {} entries, the archive resolves {count}",
                names.len()
            ),
        });
    }
    if !problems.is_empty() {
        // A pack whose structure is wrong is not read further: nothing in it is trusted.
        return Ok(Inspection::altered(problems));
    }
    let mut archive = match ZipArchive::new(&mut reader) {
        Ok(a) => a,
        Err(zip::result::ZipError::Io(e)) => return Err(e),
        Err(e) => return archive_problem(format!("not a readable zip archive: {e}")),
    };
    // A selective pack has no ledger: its item proofs stand on the checkpoint alone.
    if sample::is_sample_pack(&mut archive, limits)? {
        return sample::inspect(&mut archive, &names, limits, public_key);
    }
    // The findings first, whatever the archive order: the ledger pass keeps the lines their
    // proofs cite, and only those.
    let findings = trust::read_findings(&mut archive, limits)?;
    let mut state = Contents {
        cited: findings.cited(),
        keep_hashes,
        ..Contents::default()
    };
    let mut total = 0u64;
    let mut spans = Vec::with_capacity(count);
    for i in 0..count {
        let file = match archive.by_index(i) {
            Ok(f) => f,
            Err(zip::result::ZipError::Io(e)) => return Err(e),
            Err(e) => {
                let name = names.get(i).cloned();
                problems.push(Problem {
                    entry: name,
                    reason: format!("cannot be read: {e}"),
                });
                continue;
            }
        };
        let name = file.name().to_owned();
        if !matches!(
            file.compression(),
            CompressionMethod::Stored | CompressionMethod::Deflated
        ) {
            problems.push(Problem {
                entry: Some(name),
                reason: format!("unexpected compression {:?}", file.compression()),
            });
            continue;
        }
        let declared = file.size();
        total = total.saturating_add(declared);
        if declared > limits.max_entry_bytes || total > limits.max_total_bytes {
            problems.push(Problem {
                entry: Some(name),
                reason: format!(
                    "declares {declared} bytes, over the verifier's limit ({} per entry, {} in all)",
                    limits.max_entry_bytes, limits.max_total_bytes
                ),
            });
            return Ok(Inspection::altered(problems));
        }
        if let Some(start) = file.data_start() {
            spans.push((start, file.compressed_size(), name.clone()));
        }
        match state.read_entry(&name, file, declared, limits) {
            Ok(()) => {}
            Err(EntryError::Altered(reason)) => problems.push(Problem {
                entry: Some(name),
                reason,
            }),
        }
    }
    // Two entries sharing compressed bytes is how the worst zip bombs multiply themselves.
    spans.sort();
    for pair in spans.windows(2) {
        if pair[0].0.saturating_add(pair[0].1) > pair[1].0 {
            problems.push(Problem {
                entry: Some(pair[1].2.clone()),
                reason: format!("its data overlaps {}", pair[0].2),
            });
        }
    }
    state.check(&names, &mut problems);
    trust::check_trust(&state, &names, &findings, &mut problems);
    // Each finding proof, read again by name once the ledger is known (one at a time).
    let note_in_pack = names.iter().any(|n| n == CHECKPOINT_NOTE);
    let mut unsigned_findings = Vec::new();
    if let Some(proofs) = trust::ProofCheck::new(&state, &findings, note_in_pack, public_key) {
        for (index, name) in proofs.expected_names().enumerate() {
            if !state.actual.contains_key(&name) {
                continue; // missing or unreadable: already a problem
            }
            match trust::read_whole(&mut archive, &name, limits.max_text_bytes)? {
                trust::Whole::Bytes(bytes) => {
                    let checked = trust::FindingProof::read(&bytes).and_then(|proof| {
                        unsigned_findings.extend(proofs.check_trusted(&name, &proof));
                        proofs.check(index, &proof)
                    });
                    if let Err(reason) = checked {
                        problems.push(Problem {
                            entry: Some(name),
                            reason,
                        });
                    }
                }
                trust::Whole::TooLarge(declared) => problems.push(Problem {
                    entry: Some(name),
                    reason: format!(
                        "{declared} bytes, over the {} a finding proof may have",
                        limits.max_text_bytes
                    ),
                }),
                trust::Whole::Unreadable => {}
            }
        }
    }
    let ledger = state
        .ledger
        .take()
        .filter(|l| l.failure.is_none())
        .map(|l| LedgerFacts {
            count: l.verifier.count(),
            root: l.tree.root(),
            hashes: l.hashes.unwrap_or_default(),
        });
    Ok(Inspection {
        problems,
        files: names.len(),
        bytes: total,
        manifest: state.manifest.take(),
        note_in_pack,
        note: state.note_bytes.take(),
        manifest_note: state.manifest_note_bytes.take(),
        unsigned_findings,
        ledger,
    })
}

enum EntryError {
    Altered(String),
}

/// What reading the entries found, checked against each other once all are read.
#[derive(Default)]
struct Contents {
    /// path → (size, SHA-256 hex) as read.
    actual: BTreeMap<String, (u64, String)>,
    manifest_bytes: Option<Vec<u8>>,
    sums_bytes: Option<Vec<u8>>,
    manifest: Option<Manifest>,
    ledger: Option<LedgerState>,
    /// `checkpoint.note`, `manifest.note` and `signing-key.pem`, as read.
    note_bytes: Option<Vec<u8>>,
    manifest_note_bytes: Option<Vec<u8>>,
    pem_bytes: Option<Vec<u8>>,
    /// The entries finding proofs cite: their `ledger.jsonl` lines are kept.
    cited: BTreeSet<u64>,
    /// Keep every entry hash of the ledger (for a comparison with another pack).
    keep_hashes: bool,
}

struct LedgerState {
    verifier: Verifier,
    /// The first problem, naming its line.
    failure: Option<String>,
    /// sha256 → (seq, size), from `artifact.stored` entries.
    commitments: BTreeMap<String, (u64, u64)>,
    line: u64,
    pending: Vec<u8>,
    /// The Merkle root of the entries read so far, in logarithmic memory.
    tree: RootBuilder,
    /// Every entry hash, when asked for.
    hashes: Option<Vec<Hash>>,
    /// The entries whose lines to keep, and those lines as read (JSON values).
    cited: BTreeSet<u64>,
    lines: BTreeMap<u64, serde_json::Value>,
}

/// An `artifact.stored` payload: exactly these two keys (docs/ledger-format.md, section 9).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ArtifactCommitment {
    sha256: String,
    size: u64,
}

impl ArtifactCommitment {
    fn read(payload: &[u8]) -> Result<Self, String> {
        let c: ArtifactCommitment = serde_json::from_slice(payload).map_err(|e| e.to_string())?;
        if !is_lower_hex_sha256(&c.sha256) {
            return Err("sha256 is not 64 lowercase hex digits".into());
        }
        Ok(c)
    }
}

impl LedgerState {
    fn new(cited: BTreeSet<u64>, keep_hashes: bool) -> Self {
        LedgerState {
            verifier: Verifier::new(),
            failure: None,
            commitments: BTreeMap::new(),
            line: 0,
            pending: Vec::new(),
            tree: RootBuilder::new(),
            hashes: keep_hashes.then(Vec::new),
            cited,
            lines: BTreeMap::new(),
        }
    }

    fn feed(&mut self, mut bytes: &[u8], max_line: u64) {
        while !bytes.is_empty() {
            if self.failure.is_some() {
                return;
            }
            match bytes.iter().position(|&b| b == b'\n') {
                Some(at) => {
                    self.pending.extend_from_slice(&bytes[..at]);
                    bytes = &bytes[at + 1..];
                    let line = std::mem::take(&mut self.pending);
                    self.line_done(&line);
                }
                None => {
                    self.pending.extend_from_slice(bytes);
                    bytes = &[];
                }
            }
            if self.pending.len() as u64 > max_line {
                self.failure = Some(format!(
                    "line {} is longer than {max_line} bytes",
                    self.line + 1
                ));
            }
        }
    }

    fn line_done(&mut self, text: &[u8]) {
        self.line += 1;
        let (entry, misordered) = match read_line(text, self.line) {
            Ok(read) => read,
            Err(e) => {
                self.failure = Some(e.to_string());
                return;
            }
        };
        if let Err(f) = self.verifier.push(&entry) {
            self.failure = Some(format!("line {}: entry {}: {}", self.line, f.seq, f.reason));
            return;
        }
        // After the chain: an edited entry is named by what the chain finds.
        if let Some(e) = misordered {
            self.failure = Some(e.to_string());
            return;
        }
        self.tree.push_entry(&entry.entry_hash);
        if let Some(hashes) = self.hashes.as_mut() {
            hashes.push(entry.entry_hash);
        }
        if self.cited.contains(&entry.seq) {
            match serde_json::from_slice(text) {
                Ok(value) => {
                    self.lines.insert(entry.seq, value);
                }
                Err(e) => {
                    self.failure = Some(format!("line {}: not JSON: {e}", self.line));
                    return;
                }
            }
        }
        if entry.kind == ARTIFACT_ENTRY_KIND {
            match ArtifactCommitment::read(&entry.payload) {
                Ok(c) => match self.commitments.entry(c.sha256) {
                    MapEntry::Vacant(v) => {
                        v.insert((entry.seq, c.size));
                    }
                    // The store commits to a content address once; a second commitment is
                    // not something Evidentia writes.
                    MapEntry::Occupied(o) => {
                        self.failure = Some(format!(
                            "line {}: entry {} commits again to artifact {}, already committed by entry {}",
                            self.line,
                            entry.seq,
                            o.key(),
                            o.get().0
                        ));
                    }
                },
                Err(e) => {
                    self.failure = Some(format!(
                        "line {}: entry {}: malformed artifact entry payload: {e}",
                        self.line, entry.seq
                    ));
                }
            }
        }
    }

    fn end(&mut self) {
        if self.failure.is_none() && !self.pending.is_empty() {
            self.failure = Some(format!(
                "line {} does not end with a newline",
                self.line + 1
            ));
        }
    }
}

impl Contents {
    fn read_entry<F: Read>(
        &mut self,
        name: &str,
        file: F,
        declared: u64,
        limits: &Limits,
    ) -> Result<(), EntryError> {
        let keep_text = [
            MANIFEST,
            SHA256SUMS,
            CHECKPOINT_NOTE,
            MANIFEST_NOTE,
            SIGNING_KEY_PEM,
        ]
        .contains(&name);
        if keep_text && declared > limits.max_text_bytes {
            return Err(EntryError::Altered(format!(
                "{declared} bytes, over the {} a pack's {name} may have",
                limits.max_text_bytes
            )));
        }
        let mut ledger = (name == LEDGER_JSONL)
            .then(|| LedgerState::new(std::mem::take(&mut self.cited), self.keep_hashes));
        let mut text = Vec::new();
        let mut hasher = Sha256::new();
        let mut read = 0u64;
        // One byte more than declared: an entry that inflates past its header is caught here.
        let mut limited = file.take(declared.saturating_add(1));
        let mut buf = vec![0u8; 256 * 1024];
        loop {
            let n = match limited.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(EntryError::Altered(format!("cannot be read: {e}"))),
            };
            read += n as u64;
            if read > declared {
                return Err(EntryError::Altered(format!(
                    "inflates past its declared size of {declared} bytes"
                )));
            }
            let chunk = &buf[..n];
            hasher.update(chunk);
            if keep_text {
                text.extend_from_slice(chunk);
            }
            if let Some(l) = ledger.as_mut() {
                l.feed(chunk, limits.max_text_bytes);
            }
        }
        if read != declared {
            return Err(EntryError::Altered(format!(
                "holds {read} bytes, its header declares {declared}"
            )));
        }
        self.actual
            .insert(name.to_owned(), (read, hex::encode(hasher.finalize())));
        if name == MANIFEST {
            self.manifest_bytes = Some(text);
        } else if name == SHA256SUMS {
            self.sums_bytes = Some(text);
        } else if name == CHECKPOINT_NOTE {
            self.note_bytes = Some(text);
        } else if name == MANIFEST_NOTE {
            self.manifest_note_bytes = Some(text);
        } else if name == SIGNING_KEY_PEM {
            self.pem_bytes = Some(text);
        } else if let Some(mut l) = ledger {
            l.end();
            self.ledger = Some(l);
        }
        Ok(())
    }

    fn check(&mut self, names: &[String], problems: &mut Vec<Problem>) {
        let p = |entry: &str, reason: String| Problem {
            entry: Some(entry.to_owned()),
            reason,
        };
        let in_pack: HashSet<&str> = names.iter().map(String::as_str).collect();
        // The files every pack holds (the report, named after the framework, is checked once
        // the manifest is read).
        let fixed: HashSet<String> = fixed_files().into_iter().collect();
        for required in fixed_files() {
            if !in_pack.contains(required.as_str()) {
                problems.push(p(&required, "missing from the pack".into()));
            }
        }
        // SHA256SUMS: every file but itself, each once, each matching.
        let sums = match self.sums_bytes.as_deref().map(parse_sums) {
            Some(Ok(s)) => Some(s),
            Some(Err(reason)) => {
                problems.push(p(SHA256SUMS, reason));
                None
            }
            None => None,
        };
        if let Some(sums) = &sums {
            for name in names.iter().filter(|n| n.as_str() != SHA256SUMS) {
                match (sums.get(name.as_str()), self.actual.get(name)) {
                    (None, _) => problems.push(p(name, "not listed in SHA256SUMS".into())),
                    (Some(want), Some((_, got))) if want != got => {
                        problems.push(p(name, format!("SHA-256 is {got}, SHA256SUMS says {want}")))
                    }
                    _ => {}
                }
            }
            for listed in sums.keys() {
                if !in_pack.contains(listed) {
                    problems.push(p(listed, "listed in SHA256SUMS but not in the pack".into()));
                }
            }
        }
        // manifest.json: every file but itself, manifest.note and SHA256SUMS, with size and
        // hash.
        let manifest = match self.manifest_bytes.as_deref() {
            Some(bytes) => match serde_json::from_slice::<Manifest>(bytes) {
                Ok(m) if m.format == MANIFEST_FORMAT => Some(m),
                Ok(m) => {
                    problems.push(p(MANIFEST, format!("unknown format {:?}", m.format)));
                    None
                }
                Err(e) => {
                    problems.push(p(MANIFEST, format!("not a pack manifest: {e}")));
                    None
                }
            },
            None => None,
        };
        if let Some(m) = &manifest {
            let mut listed = BTreeSet::new();
            for f in &m.files {
                if !listed.insert(f.path.as_str()) {
                    problems.push(p(&f.path, "listed twice in manifest.json".into()));
                }
                if UNLISTED_FILES.contains(&f.path.as_str()) {
                    problems.push(p(
                        &f.path,
                        format!(
                            "listed in manifest.json, which lists every file but {} (docs/evidence-pack.md)",
                            UNLISTED_FILES.join(", ")
                        ),
                    ));
                    continue;
                }
                match self.actual.get(&f.path) {
                    None if !in_pack.contains(f.path.as_str()) => problems.push(p(
                        &f.path,
                        "listed in manifest.json but not in the pack".into(),
                    )),
                    Some((size, sha)) if *size != f.size || *sha != f.sha256 => {
                        problems.push(p(
                            &f.path,
                            format!(
                                "{size} bytes with SHA-256 {sha}; manifest.json says {} bytes with {}",
                                f.size, f.sha256
                            ),
                        ));
                    }
                    _ => {}
                }
            }
            for name in names {
                if !UNLISTED_FILES.contains(&name.as_str()) && !listed.contains(name.as_str()) {
                    problems.push(p(name, "not listed in manifest.json".into()));
                }
            }
        }
        // The ledger chain, up to the checkpoint the manifest names.
        if let Some(l) = &self.ledger {
            if let Some(f) = &l.failure {
                problems.push(p(LEDGER_JSONL, f.clone()));
            } else if let Some(m) = &manifest {
                let head = l.verifier.head().to_hex();
                if l.verifier.count() != m.checkpoint.entry_count || head != m.checkpoint.head_hash
                {
                    problems.push(p(
                        LEDGER_JSONL,
                        format!(
                            "ends at entry {} with head {head}; manifest.json's checkpoint is entry {} with head {}",
                            l.verifier.count(),
                            m.checkpoint.entry_count,
                            m.checkpoint.head_hash
                        ),
                    ));
                }
            }
        }
        // Artifacts: named by their hash, one file per content address, committed by the
        // ledger with their size — and every committed artifact in the pack.
        let ledger = self.ledger.as_ref().filter(|l| l.failure.is_none());
        let mut artifacts: BTreeMap<&str, &str> = BTreeMap::new();
        for name in names {
            let Some(named) = artifact_address(name) else {
                continue; // not an artifact, or not a name the layout allows (below)
            };
            match artifacts.entry(named) {
                MapEntry::Occupied(first) => {
                    problems.push(p(
                        name,
                        format!(
                            "a second file for artifact {named}, already in the pack as {}",
                            first.get()
                        ),
                    ));
                    continue;
                }
                MapEntry::Vacant(v) => {
                    v.insert(name);
                }
            }
            let Some((size, sha)) = self.actual.get(name) else {
                continue; // unreadable: already a problem
            };
            if named != sha {
                problems.push(p(
                    name,
                    format!("content hashes to {sha}, its name says {named}"),
                ));
            } else if let Some(l) = ledger {
                match l.commitments.get(sha) {
                    None => problems.push(p(
                        name,
                        "no artifact.stored entry in ledger.jsonl commits to it".into(),
                    )),
                    Some((_, committed)) if committed != size => problems.push(p(
                        name,
                        format!("{size} bytes, its artifact.stored entry says {committed}"),
                    )),
                    _ => {}
                }
            }
        }
        if let Some(l) = ledger {
            let mut absent: Vec<(u64, u64, &str)> = l
                .commitments
                .iter()
                .filter(|(sha, _)| !artifacts.contains_key(sha.as_str()))
                .map(|(sha, (seq, size))| (*seq, *size, sha.as_str()))
                .collect();
            absent.sort_unstable();
            for (seq, size, sha) in absent {
                problems.push(p(
                    LEDGER_JSONL,
                    format!(
                        "entry {seq} commits to artifact {sha} ({size} bytes), which is not in the pack"
                    ),
                ));
            }
        }
        // The layout: exactly one report, the one for the manifest's framework, and no file
        // the documented layout does not name.
        let report = manifest.as_ref().map(|m| report_name(&m.framework));
        if let Some(report) = &report {
            if !in_pack.contains(report.as_str()) {
                problems.push(p(report, "missing from the pack".into()));
            }
        }
        for name in names {
            if !in_layout(name, &fixed, report.as_deref()) {
                problems.push(p(name, NOT_IN_LAYOUT.into()));
            }
        }
        self.manifest = manifest;
    }
}

/// `SHA256SUMS` as written by `sha256sum`: `<64 lowercase hex>  <path>\n` per line.
fn parse_sums(bytes: &[u8]) -> Result<BTreeMap<&str, &str>, String> {
    let text = std::str::from_utf8(bytes).map_err(|_| "not UTF-8 text".to_owned())?;
    if !text.is_empty() && !text.ends_with('\n') {
        return Err("does not end with a newline".into());
    }
    let mut out = BTreeMap::new();
    for (i, line) in text.lines().enumerate() {
        let bad = || format!("line {}: not `<sha256>  <path>`", i + 1);
        let (hash, path) = line.split_once("  ").ok_or_else(bad)?;
        if hash.len() != 64 || !hash.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
            return Err(bad());
        }
        if out.insert(path, hash).is_some() {
            return Err(format!("line {}: {path} is listed twice", i + 1));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use std::io::{Cursor, Write as _};

    use evidentia_ledger::note::{parse_note, sign_checkpoint};
    use evidentia_ledger::{Chain, MerkleTree, SigningKey, TreeHead, canonical_json};
    use zip::write::SimpleFileOptions;

    use super::*;
    use crate::{
        Checkpoint, FINDING_NOTE_TAG, MANIFEST_NOTE_TAG, ManifestFile, PackPeriod, PackWriter,
        sha256sums, to_line,
    };

    const ABC_SHA: &str = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

    /// What a test pack is made of.
    struct Spec {
        framework: String,
        workspace_id: String,
        /// The ledger's entries, (kind, payload), all recorded at one time.
        entries: Vec<(&'static str, Vec<u8>)>,
        /// Every file but `manifest.json`, `manifest.note` and `SHA256SUMS`, in archive order;
        /// the bytes given
        /// for `ledger.jsonl` are replaced by the ledger of `entries`, those of
        /// `exports/findings.json` by the export of `findings`.
        files: Vec<(String, Vec<u8>)>,
        /// The rows of `exports/findings.json`, each proved in `proofs/findings/`.
        findings: Vec<serde_json::Value>,
        /// Signs `checkpoint.note`, `manifest.note` and every proof's `finding_note` (with
        /// `signing-key.pem` beside them) when set.
        key: Option<SigningKey>,
    }

    fn abc_commitment() -> Vec<u8> {
        format!("{{\"sha256\":\"{ABC_SHA}\",\"size\":3}}").into_bytes()
    }

    fn abc_path() -> String {
        format!("artifacts/{ABC_SHA}-a.txt")
    }

    /// A workspace key named for the test workspace `w`.
    fn key() -> SigningKey {
        SigningKey::generate("evidentia/w").unwrap()
    }

    /// A pack's entries as (name, bytes), in archive order.
    type Files = Vec<(String, Vec<u8>)>;

    impl Spec {
        /// A small honest pack, laid out as the writer in `evidentia_app::pack` lays one out:
        /// a three-entry ledger committing to the artifact `abc`, two findings with their
        /// proofs, no signing key.
        fn honest() -> Spec {
            let mut files = vec![
                ("VERIFY.md".to_owned(), b"check me".to_vec()),
                ("report-nist-csf-2.0.pdf".to_owned(), b"%PDF-1.7".to_vec()),
            ];
            for table in ["controls", "events", "exceptions", "findings", "metrics"] {
                for format in ["csv", "json"] {
                    files.push((
                        format!("exports/{table}.{format}"),
                        table.as_bytes().to_vec(),
                    ));
                }
            }
            files.extend([
                ("oscal/assessment-results.json".to_owned(), b"{}".to_vec()),
                (LEDGER_JSONL.to_owned(), Vec::new()),
                (abc_path(), b"abc".to_vec()),
                ("tools/verify_ledger.py".to_owned(), b"print()".to_vec()),
            ]);
            Spec {
                framework: "nist-csf-2.0".into(),
                workspace_id: "w".into(),
                entries: vec![
                    ("workspace.created", b"{}".to_vec()),
                    ("artifact.stored", abc_commitment()),
                    ("import.file", b"{\"file_name\":\"a.txt\"}".to_vec()),
                ],
                files,
                findings: vec![
                    serde_json::json!({"check": "EV-1", "severity": "high", "identity": "alice",
                        "summary": "imported a.txt", "evidence": [2, 3]}),
                    serde_json::json!({"check": "EV-2", "severity": "low", "identity": null,
                        "summary": "the workspace", "evidence": [1]}),
                ],
                key: None,
            }
        }

        /// [`Spec::honest`], its checkpoint signed by `key`.
        fn signed(key: &SigningKey) -> Spec {
            Spec {
                key: Some(key.clone()),
                ..Spec::honest()
            }
        }

        /// The pack's bytes, `edit_ledger` applied to `ledger.jsonl`; `manifest.json` and
        /// `SHA256SUMS` list exactly the files written, as an editor re-making them would.
        fn pack(&self, edit_ledger: impl Fn(&mut Vec<u8>)) -> Vec<u8> {
            self.build(edit_ledger, |_| {}, |_| {})
        }

        /// The pack's bytes with `edit_files` applied to every file but `manifest.json`,
        /// `manifest.note` and `SHA256SUMS` once they are made (the ledger, the findings, the
        /// signed checkpoint and the proofs with their finding notes, all from the honest
        /// ledger), and `edit_checkpoint` to the manifest's checkpoint; the manifest,
        /// `manifest.note` (signed by `key`) and `SHA256SUMS` are made to match.
        fn edited(
            &self,
            edit_files: impl Fn(&mut Files),
            edit_checkpoint: impl Fn(&mut Checkpoint),
        ) -> Vec<u8> {
            self.build(|_| {}, edit_files, edit_checkpoint)
        }

        fn build(
            &self,
            edit_ledger: impl Fn(&mut Vec<u8>),
            edit_files: impl Fn(&mut Files),
            edit_checkpoint: impl Fn(&mut Checkpoint),
        ) -> Vec<u8> {
            let mut chain = Chain::new();
            let t = "2026-01-01T00:00:00.000000Z";
            let mut lines = Vec::new();
            let mut tree = MerkleTree::new();
            for (kind, payload) in &self.entries {
                let entry = chain.next_entry(kind, t, payload.clone());
                tree.push_entry(&entry.entry_hash);
                lines.push(to_line(&entry).unwrap());
            }
            let mut ledger = lines.concat();
            edit_ledger(&mut ledger);
            let findings = serde_json::to_vec_pretty(&serde_json::json!({
                "meta": {"format": "evidentia-export/1"},
                "columns": ["check", "severity", "identity", "summary", "evidence"],
                "rows": self.findings,
            }))
            .unwrap();
            let mut files: Files = self
                .files
                .iter()
                .map(|(path, bytes)| {
                    let bytes = match path.as_str() {
                        LEDGER_JSONL => ledger.clone(),
                        FINDINGS_JSON => findings.clone(),
                        _ => bytes.clone(),
                    };
                    (path.clone(), bytes)
                })
                .collect();
            // What the writer adds after tools/verify_ledger.py (evidentia_app::pack::fill).
            let origin = format!("evidentia/{}", self.workspace_id);
            let head = TreeHead {
                origin: origin.clone(),
                size: tree.size(),
                root: tree.root(),
            };
            let checkpoint = match &self.key {
                Some(key) => {
                    let note = sign_checkpoint(&head, key).unwrap();
                    files.push((CHECKPOINT_NOTE.into(), note.clone().into_bytes()));
                    let pem = key.verifier().to_pem().unwrap();
                    files.push((SIGNING_KEY_PEM.into(), pem.into_bytes()));
                    note
                }
                None => format!("{}\n", head.to_text()),
            };
            for (i, row) in self.findings.iter().enumerate() {
                let finding_note = match &self.key {
                    Some(key) => key.sign_note(&finding_text(&head, row)).unwrap().into(),
                    None => serde_json::Value::Null,
                };
                let entries: Vec<serde_json::Value> = row["evidence"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|seq| {
                        let seq = seq.as_u64().unwrap();
                        let line = &lines[usize::try_from(seq).unwrap() - 1];
                        let entry: serde_json::Value = serde_json::from_slice(line).unwrap();
                        let inclusion: Vec<String> = tree
                            .inclusion_proof(seq - 1, tree.size())
                            .unwrap()
                            .iter()
                            .map(Hash::to_hex)
                            .collect();
                        serde_json::json!({"entry": entry, "inclusion": inclusion})
                    })
                    .collect();
                let proof = serde_json::json!({
                    "format": crate::FINDING_PROOF_FORMAT,
                    "finding": row,
                    "finding_note": finding_note,
                    "checkpoint": checkpoint,
                    "tree_size": tree.size(),
                    "tree_root": tree.root().to_hex(),
                    "entries": entries,
                });
                let mut bytes = serde_json::to_vec_pretty(&proof).unwrap();
                bytes.push(b'\n');
                files.push((format!("{FINDING_PROOFS_DIR}{:04}.json", i + 1), bytes));
            }
            edit_files(&mut files);
            let mut w = PackWriter::new(Cursor::new(Vec::new()));
            for (path, bytes) in &files {
                w.add(path, bytes).unwrap();
            }
            let mut checkpoint = Checkpoint {
                entry_count: self.entries.len() as u64,
                head_hash: chain.head().to_hex(),
                tree_root: Some(tree.root().to_hex()),
                origin: Some(origin.clone()),
            };
            edit_checkpoint(&mut checkpoint);
            let manifest = Manifest {
                format: MANIFEST_FORMAT.into(),
                generator: "test".into(),
                workspace_id: self.workspace_id.clone(),
                framework: self.framework.clone(),
                period: PackPeriod {
                    from: None,
                    to: None,
                },
                as_of: "2026-01-02T00:00:00Z".into(),
                generated_at: "2026-01-02T00:00:00Z".into(),
                checkpoint,
                files: Vec::new(),
            };
            let note_for = |json: &[u8]| {
                Ok(self
                    .key
                    .as_ref()
                    .map(|key| key.sign_note(&manifest_text(&origin, json)).unwrap()))
            };
            w.finish_with_note(manifest, note_for)
                .unwrap()
                .0
                .into_inner()
        }
    }

    /// `manifest.note`'s text for a manifest of `origin` whose bytes are `json`.
    fn manifest_text(origin: &str, json: &[u8]) -> String {
        format!(
            "{MANIFEST_NOTE_TAG}\n{origin}\n{}\n",
            Hash::of(json).to_hex()
        )
    }

    /// A `finding_note`'s text: the finding's canonical JSON hash with the tree it rests on.
    fn finding_text(head: &TreeHead, finding: &serde_json::Value) -> String {
        let sha = Hash::of(&canonical_json(finding).unwrap()).to_hex();
        format!("{FINDING_NOTE_TAG}\n{}{sha}\n", head.to_text())
    }

    /// The honest pack with `edit_ledger` applied to `ledger.jsonl`.
    fn honest(edit_ledger: impl Fn(&mut Vec<u8>)) -> Vec<u8> {
        Spec::honest().pack(edit_ledger)
    }

    /// The honest pack with `edit` applied to the first line of `ledger.jsonl` (entry 1).
    fn first_line_edited(edit: impl Fn(&str) -> String) -> Vec<u8> {
        honest(|l| {
            let text = String::from_utf8(l.clone()).unwrap();
            let (first, rest) = text.split_once('\n').unwrap();
            let edited = edit(first);
            assert_ne!(edited, first, "the edit changed nothing");
            *l = format!("{edited}\n{rest}").into_bytes();
        })
    }

    fn verdict(bytes: &[u8]) -> Verdict {
        verify_pack(Cursor::new(bytes), &Limits::default()).unwrap()
    }

    #[track_caller]
    fn altered(bytes: &[u8], entry: Option<&str>, reason: &str) {
        match verdict(bytes) {
            Verdict::Intact(_) => panic!("intact, expected {entry:?}: {reason}"),
            Verdict::Altered(problems) => {
                let first = &problems[0];
                assert_eq!(first.entry.as_deref(), entry, "{problems:#?}");
                assert!(first.reason.contains(reason), "{problems:#?}");
            }
        }
    }

    #[test]
    fn an_honest_pack_is_intact_and_reproducible() {
        let a = honest(|_| {});
        assert_eq!(a, honest(|_| {}), "same input, same bytes");
        match verdict(&a) {
            Verdict::Intact(s) => {
                assert_eq!(s.files, 20, "18 files and two finding proofs");
                assert_eq!(s.manifest.checkpoint.entry_count, 3);
            }
            Verdict::Altered(p) => panic!("{p:#?}"),
        }
    }

    #[test]
    fn an_edited_ledger_with_matching_sums_fails_the_chain() {
        // The pack is internally consistent (sums and manifest re-made), only the chain breaks.
        let pack = honest(|l| {
            let text = String::from_utf8(l.clone())
                .unwrap()
                .replace("a.txt", "b.txt");
            *l = text.into_bytes();
        });
        altered(
            &pack,
            Some(LEDGER_JSONL),
            "line 3: entry 3: payload hash mismatch",
        );
    }

    #[test]
    fn an_edited_line_with_its_keys_reordered_is_named_by_the_chain() {
        // An editor that rewrites a line through a JSON tree sorts its keys too (serde_json's
        // map, Python's sort_keys): the edit, not the order, is what to report. A line whose
        // only fault is the order is altered all the same (the next test).
        let pack = honest(|l| {
            let text = String::from_utf8(l.clone()).unwrap();
            let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
            let mut entry: serde_json::Value = serde_json::from_str(&lines[2]).unwrap();
            entry["payload"] = "{\"file_name\":\"b.txt\"}".into();
            let sorted: BTreeMap<String, serde_json::Value> =
                serde_json::from_value(entry).unwrap();
            lines[2] = serde_json::to_string(&sorted).unwrap();
            assert!(lines[2].starts_with("{\"entry_hash\""), "{}", lines[2]);
            *l = (lines.join("\n") + "\n").into_bytes();
        });
        altered(
            &pack,
            Some(LEDGER_JSONL),
            "line 3: entry 3: payload hash mismatch",
        );
    }

    #[test]
    fn a_truncated_ledger_misses_the_checkpoint() {
        let pack = honest(|l| {
            let keep = l.iter().filter(|&&b| b == b'\n').count() - 1;
            let mut n = 0;
            let cut = l
                .iter()
                .position(|&b| {
                    n += usize::from(b == b'\n');
                    n == keep
                })
                .unwrap();
            l.truncate(cut + 1);
        });
        altered(&pack, Some(LEDGER_JSONL), "ends at entry 2");
    }

    #[test]
    fn a_committed_artifact_removed_with_sums_and_manifest_rewritten_is_altered() {
        // What the tester did: delete the artifact, re-make SHA256SUMS and manifest.json.
        let mut spec = Spec::honest();
        spec.files.retain(|(path, _)| *path != abc_path());
        altered(
            &spec.pack(|_| {}),
            Some(LEDGER_JSONL),
            &format!("entry 2 commits to artifact {ABC_SHA} (3 bytes), which is not in the pack"),
        );
    }

    #[test]
    fn two_files_for_one_artifact_are_altered() {
        let mut spec = Spec::honest();
        let second = format!("artifacts/{ABC_SHA}-b.txt");
        spec.files.push((second.clone(), b"abc".to_vec()));
        altered(
            &spec.pack(|_| {}),
            Some(&second),
            &format!(
                "a second file for artifact {ABC_SHA}, already in the pack as {}",
                abc_path()
            ),
        );
    }

    #[test]
    fn a_second_commitment_to_one_artifact_is_altered() {
        let mut spec = Spec::honest();
        spec.entries.push(("artifact.stored", abc_commitment()));
        altered(
            &spec.pack(|_| {}),
            Some(LEDGER_JSONL),
            &format!(
                "line 4: entry 4 commits again to artifact {ABC_SHA}, already committed by entry 2"
            ),
        );
    }

    #[test]
    fn an_artifact_payload_with_another_key_is_altered() {
        // docs/ledger-format.md, section 9: exactly `sha256` and `size`.
        let mut spec = Spec::honest();
        spec.entries[1].1 =
            format!("{{\"name\":\"a.txt\",\"sha256\":\"{ABC_SHA}\",\"size\":3}}").into_bytes();
        altered(
            &spec.pack(|_| {}),
            Some(LEDGER_JSONL),
            "line 2: entry 2: malformed artifact entry payload: unknown field `name`",
        );
        spec.entries[1].1 =
            format!("{{\"sha256\":\"{}\",\"size\":3}}", ABC_SHA.to_uppercase()).into_bytes();
        altered(
            &spec.pack(|_| {}),
            Some(LEDGER_JSONL),
            "line 2: entry 2: malformed artifact entry payload: sha256 is not 64 lowercase hex",
        );
    }

    #[test]
    fn a_ledger_line_with_other_keys_or_another_order_is_altered() {
        // docs/ledger-format.md, section 15: exactly eight keys, in a fixed order. The hashes
        // do not cover the line's keys, so only reading the line strictly catches these.
        let extra = first_line_edited(|l| format!("{},\"note\":\"x\"}}", &l[..l.len() - 1]));
        altered(
            &extra,
            Some(LEDGER_JSONL),
            "line 1: entry 1: unknown key \"note\"",
        );
        let swapped = first_line_edited(|l| {
            l.replacen(
                "\"seq\":1,\"kind\":\"workspace.created\"",
                "\"kind\":\"workspace.created\",\"seq\":1",
                1,
            )
        });
        altered(
            &swapped,
            Some(LEDGER_JSONL),
            "line 1: entry 1: keys out of order (kind, seq,",
        );
        let twice = first_line_edited(|l| {
            l.replacen(
                "\"kind\":\"workspace.created\"",
                "\"kind\":\"workspace.created\",\"kind\":\"workspace.created\"",
                1,
            )
        });
        altered(
            &twice,
            Some(LEDGER_JSONL),
            "line 1: entry 1: duplicate key \"kind\"",
        );
        let missing = first_line_edited(|l| l.replacen(",\"payload_encoding\":\"utf-8\"", "", 1));
        altered(
            &missing,
            Some(LEDGER_JSONL),
            "line 1: entry 1: missing key \"payload_encoding\"",
        );
    }

    #[test]
    fn a_file_outside_the_layout_is_altered_even_when_listed() {
        // Each one added to an honest pack and listed in SHA256SUMS and manifest.json.
        for extra in [
            "notes.txt".to_owned(),
            "exports/extra.csv".to_owned(),
            "exports/findings.xlsx".to_owned(),
            "exports/reviews.txt".to_owned(),
            "exports/review-revokes.xlsx".to_owned(),
            "report-owasp-nhi-2025.pdf".to_owned(),
            "oscal/other.json".to_owned(),
            "tools/other.py".to_owned(),
            "proofs/findings/x.json".to_owned(),
            "proofs/findings/.json".to_owned(),
            "proofs/other/1.json".to_owned(),
            format!("artifacts/{}-x.txt", "A".repeat(64)),
            format!("artifacts/{}-", "a".repeat(64)),
            format!("artifacts/{}-a b.txt", "a".repeat(64)),
            "artifacts/x.txt".to_owned(),
            "VERIFY.md.bak".to_owned(),
        ] {
            let mut spec = Spec::honest();
            spec.files.push((extra.clone(), b"extra".to_vec()));
            altered(
                &spec.pack(|_| {}),
                Some(&extra),
                "not part of the pack layout (docs/evidence-pack.md)",
            );
        }
    }

    #[test]
    fn the_review_tables_are_accepted_but_not_required() {
        // Packs made since access reviews hold them; packs made before do not (honest()).
        let mut spec = Spec::honest();
        for table in ["reviews", "review-revokes"] {
            for format in ["csv", "json"] {
                spec.files.push((
                    format!("exports/{table}.{format}"),
                    table.as_bytes().to_vec(),
                ));
            }
        }
        assert!(verdict(&spec.pack(|_| {})).is_intact());
        assert!(verdict(&Spec::honest().pack(|_| {})).is_intact());
    }

    #[test]
    fn every_required_file_missing_is_altered() {
        // Removed, with SHA256SUMS and manifest.json re-made without it.
        let mut required: Vec<String> = vec![
            "VERIFY.md".into(),
            "report-nist-csf-2.0.pdf".into(),
            "oscal/assessment-results.json".into(),
            "tools/verify_ledger.py".into(),
            LEDGER_JSONL.into(),
        ];
        for table in ["controls", "events", "exceptions", "findings", "metrics"] {
            for format in ["csv", "json"] {
                required.push(format!("exports/{table}.{format}"));
            }
        }
        for gone in required {
            let mut spec = Spec::honest();
            spec.files.retain(|(path, _)| *path != gone);
            altered(&spec.pack(|_| {}), Some(&gone), "missing from the pack");
        }
    }

    #[test]
    fn the_report_is_the_manifests_frameworks_own() {
        // A report named for another framework is both missing and out of the layout.
        let mut spec = Spec::honest();
        spec.framework = "owasp-nhi-2025".into();
        altered(
            &spec.pack(|_| {}),
            Some("report-owasp-nhi-2025.pdf"),
            "missing from the pack",
        );
        // A user catalog's id is made a file name the way the writer makes it.
        let mut spec = Spec::honest();
        spec.framework = "ISO 27001:2022".into();
        spec.files[1].0 = "report-ISO_27001_2022.pdf".into();
        assert!(verdict(&spec.pack(|_| {})).is_intact());
    }

    fn signed_verdict(bytes: &[u8], public_key: &str) -> Verdict {
        verify_pack_signed(Cursor::new(bytes), &Limits::default(), public_key).unwrap()
    }

    fn against_verdict(current: &[u8], earlier: &[u8]) -> Verdict {
        verify_pack_against(
            Cursor::new(current),
            Cursor::new(earlier),
            &Limits::default(),
        )
        .unwrap()
    }

    #[track_caller]
    fn first_problem(verdict: Verdict, entry: Option<&str>, reason: &str) {
        match verdict {
            Verdict::Intact(_) => panic!("intact, expected {entry:?}: {reason}"),
            Verdict::Altered(problems) => {
                let first = &problems[0];
                assert_eq!(first.entry.as_deref(), entry, "{problems:#?}");
                assert!(first.reason.contains(reason), "{problems:#?}");
            }
        }
    }

    #[track_caller]
    fn intact(verdict: Verdict) -> Box<PackSummary> {
        match verdict {
            Verdict::Intact(s) => s,
            Verdict::Altered(p) => panic!("{p:#?}"),
        }
    }

    /// The proof file `n` of `files`, edited as JSON.
    fn edit_proof(files: &mut Files, n: usize, edit: impl Fn(&mut serde_json::Value)) {
        let name = format!("{FINDING_PROOFS_DIR}{n:04}.json");
        let (_, bytes) = files.iter_mut().find(|(p, _)| *p == name).unwrap();
        let mut proof: serde_json::Value = serde_json::from_slice(bytes).unwrap();
        let before = proof.clone();
        edit(&mut proof);
        assert_ne!(proof, before, "the edit changed nothing");
        *bytes = serde_json::to_vec_pretty(&proof).unwrap();
    }

    #[test]
    fn an_honest_signed_pack_is_intact_and_verifies_with_its_key() {
        let key = key();
        let spec = Spec::signed(&key);
        let pack = spec.pack(|_| {});
        assert_eq!(pack, spec.pack(|_| {}), "same key, same bytes");
        let s = intact(verdict(&pack));
        assert_eq!(
            s.files, 23,
            "with checkpoint.note, manifest.note and signing-key.pem"
        );
        let pem = key.verifier().to_pem().unwrap();
        intact(signed_verdict(&pack, &pem));
        intact(signed_verdict(&pack, &key.verifier().to_vkey()));
        // The proofs carry the note itself.
        let files = contents(&pack).unwrap();
        let note = &files.iter().find(|(n, _)| n == CHECKPOINT_NOTE).unwrap().1;
        let proof = &files
            .iter()
            .find(|(n, _)| n == "proofs/findings/0001.json")
            .unwrap()
            .1;
        let proof: serde_json::Value = serde_json::from_slice(proof).unwrap();
        assert_eq!(proof["checkpoint"].as_str().unwrap().as_bytes(), &note[..]);
    }

    #[test]
    fn a_note_re_signed_by_another_key_is_self_consistent_but_not_the_trusted_key() {
        // Whoever rebuilt the pack signed its checkpoint with their own key and shipped that
        // key as signing-key.pem: the pack agrees with itself, not with the auditor's key.
        let trusted = key();
        let forger = key();
        let pack = Spec::signed(&forger).pack(|_| {});
        intact(verdict(&pack));
        first_problem(
            signed_verdict(&pack, &trusted.verifier().to_pem().unwrap()),
            Some(CHECKPOINT_NOTE),
            "not signed by the given public key",
        );
        first_problem(
            signed_verdict(&pack, &trusted.verifier().to_vkey()),
            Some(CHECKPOINT_NOTE),
            "not signed by the given public key",
        );
    }

    #[test]
    fn a_signed_check_of_an_unsigned_pack_is_altered() {
        let pack = honest(|_| {});
        intact(verdict(&pack));
        first_problem(
            signed_verdict(&pack, &key().verifier().to_pem().unwrap()),
            Some(CHECKPOINT_NOTE),
            "missing from the pack",
        );
    }

    #[test]
    fn a_malformed_public_key_is_an_input_error() {
        let pack = Spec::signed(&key()).pack(|_| {});
        for bad in [
            "",
            "not a key",
            "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n",
            "evidentia/w+00000000+AQ==",
        ] {
            let e = verify_pack_signed(Cursor::new(&pack), &Limits::default(), bad).expect_err(bad);
            assert_eq!(e.kind(), std::io::ErrorKind::InvalidInput, "{bad:?}: {e}");
            assert!(
                e.to_string()
                    .starts_with("not a usable public key: malformed key: "),
                "{e}"
            );
        }
    }

    #[test]
    fn a_note_that_does_not_verify_with_its_pem_is_altered() {
        // The note signed by one key, signing-key.pem another's.
        let signer = key();
        let other = key().verifier().to_pem().unwrap();
        let pack = Spec::signed(&signer).edited(
            |files| {
                let (_, pem) = files
                    .iter_mut()
                    .find(|(n, _)| n == SIGNING_KEY_PEM)
                    .unwrap();
                *pem = other.clone().into_bytes();
            },
            |_| {},
        );
        altered(
            &pack,
            Some(CHECKPOINT_NOTE),
            "does not verify with signing-key.pem: the note is not signed by key",
        );
    }

    #[test]
    fn a_note_or_its_key_alone_is_altered() {
        let spec = Spec::signed(&key());
        let without =
            |gone: &'static str| spec.edited(|files| files.retain(|(n, _)| n != gone), |_| {});
        altered(
            &without(SIGNING_KEY_PEM),
            Some(CHECKPOINT_NOTE),
            "present without signing-key.pem",
        );
        // Without the note, the proofs' checkpoint is not the unsigned text either (later).
        altered(
            &without(CHECKPOINT_NOTE),
            Some(SIGNING_KEY_PEM),
            "present without checkpoint.note",
        );
    }

    #[test]
    fn a_note_of_another_head_is_altered_even_when_signed() {
        // Validly signed by the key beside it, but not of this ledger: the root of two
        // entries, the size of another pack, another origin.
        let key = key();
        let spec = Spec::signed(&key);
        let resigned = |head: TreeHead| {
            let note = sign_checkpoint(&head, &key).unwrap();
            spec.edited(
                |files| {
                    for (name, bytes) in files.iter_mut() {
                        if name == CHECKPOINT_NOTE {
                            *bytes = note.clone().into_bytes();
                        }
                    }
                },
                |_| {},
            )
        };
        let mut tree = MerkleTree::new();
        tree.push_entry(&Hash::of(b"x"));
        let root = tree.root();
        let honest_root = {
            let s = intact(verdict(&spec.pack(|_| {})));
            Hash::from_hex(s.manifest.checkpoint.tree_root.as_deref().unwrap()).unwrap()
        };
        altered(
            &resigned(TreeHead {
                origin: "evidentia/w".into(),
                size: 3,
                root,
            }),
            Some(CHECKPOINT_NOTE),
            &format!(
                "names root {}, the Merkle root of ledger.jsonl is",
                root.to_hex()
            ),
        );
        altered(
            &resigned(TreeHead {
                origin: "evidentia/w".into(),
                size: 4,
                root: honest_root,
            }),
            Some(CHECKPOINT_NOTE),
            "names 4 entries, manifest.json's checkpoint 3",
        );
        altered(
            &resigned(TreeHead {
                origin: "evidentia/v".into(),
                size: 3,
                root: honest_root,
            }),
            Some(CHECKPOINT_NOTE),
            "names origin \"evidentia/v\", manifest.json's is \"evidentia/w\"",
        );
        // A fourth line (C2SP allows extension lines; Evidentia's checkpoints have three).
        let head = TreeHead {
            origin: "evidentia/w".into(),
            size: 3,
            root: honest_root,
        };
        let note = key
            .sign_note(&format!("{}extension\n", head.to_text()))
            .unwrap();
        let pack = spec.edited(
            |files| {
                for (name, bytes) in files.iter_mut() {
                    if name == CHECKPOINT_NOTE {
                        *bytes = note.clone().into_bytes();
                    }
                }
            },
            |_| {},
        );
        altered(
            &pack,
            Some(CHECKPOINT_NOTE),
            "malformed checkpoint: not exactly three lines (origin, size, root)",
        );
    }

    #[test]
    fn a_tree_root_or_origin_edited_in_the_manifest_is_altered() {
        // SHA256SUMS and manifest.json re-made to match: only the claim is wrong.
        let spec = Spec::honest();
        let other = Hash::of(b"another root").to_hex();
        altered(
            &spec.edited(|_| {}, |c| c.tree_root = Some(other.clone())),
            Some(MANIFEST),
            &format!("checkpoint.tree_root is {other}, the Merkle root of ledger.jsonl is"),
        );
        altered(
            &spec.edited(|_| {}, |c| c.origin = Some("evidentia/v".into())),
            Some(MANIFEST),
            "checkpoint.origin is \"evidentia/v\", not \"evidentia/w\"",
        );
        // Packs from before the fields existed.
        intact(verdict(&spec.edited(
            |_| {},
            |c| {
                c.tree_root = None;
                c.origin = None;
            },
        )));
    }

    #[test]
    fn a_proof_with_a_flipped_inclusion_hash_is_altered() {
        let pack = Spec::honest().edited(
            |files| {
                edit_proof(files, 1, |p| {
                    let h = p["entries"][1]["inclusion"][0].as_str().unwrap().to_owned();
                    let flipped = if h.starts_with('0') { "1" } else { "0" };
                    p["entries"][1]["inclusion"][0] = format!("{flipped}{}", &h[1..]).into();
                });
            },
            |_| {},
        );
        altered(
            &pack,
            Some("proofs/findings/0001.json"),
            "entry 3: its inclusion proof does not lead to the tree root",
        );
    }

    #[test]
    fn a_proof_with_a_changed_payload_is_altered() {
        let pack = Spec::honest().edited(
            |files| {
                edit_proof(files, 1, |p| {
                    p["entries"][1]["entry"]["payload"] = "{\"file_name\":\"b.txt\"}".into();
                });
            },
            |_| {},
        );
        altered(
            &pack,
            Some("proofs/findings/0001.json"),
            "entry 3: payload hash mismatch",
        );
    }

    #[test]
    fn a_proof_entry_spelled_otherwise_than_its_ledger_line_is_altered() {
        // The same bytes as hex: every hash and the inclusion proof still hold, but the entry
        // is not its line of ledger.jsonl.
        let pack = Spec::honest().edited(
            |files| {
                edit_proof(files, 2, |p| {
                    p["entries"][0]["entry"]["payload_encoding"] = "hex".into();
                    p["entries"][0]["entry"]["payload"] = hex::encode(b"{}").into();
                });
            },
            |_| {},
        );
        altered(
            &pack,
            Some("proofs/findings/0002.json"),
            "entry 1: not its line of ledger.jsonl",
        );
    }

    #[test]
    fn a_missing_or_extra_proof_is_altered() {
        let spec = Spec::honest();
        altered(
            &spec.edited(
                |files| files.retain(|(n, _)| n != "proofs/findings/0002.json"),
                |_| {},
            ),
            Some("proofs/findings/0002.json"),
            "missing from the pack: the proof of finding 2 of exports/findings.json",
        );
        let copy = |to: &'static str| {
            spec.edited(
                |files| {
                    let first = files
                        .iter()
                        .find(|(n, _)| n == "proofs/findings/0001.json")
                        .unwrap()
                        .1
                        .clone();
                    files.push((to.to_owned(), first));
                },
                |_| {},
            )
        };
        altered(
            &copy("proofs/findings/0003.json"),
            Some("proofs/findings/0003.json"),
            "not the proof of a finding: exports/findings.json has 2 findings, whose proofs are proofs/findings/0001.json to proofs/findings/0002.json",
        );
        altered(
            &copy("proofs/findings/1.json"),
            Some("proofs/findings/1.json"),
            "not the proof of a finding",
        );
    }

    #[test]
    fn a_proof_that_does_not_match_its_finding_or_the_pack_is_altered() {
        let spec = Spec::honest();
        type Edit = Box<dyn Fn(&mut serde_json::Value)>;
        let cases: Vec<(&str, Edit, &str)> = vec![
            (
                "not JSON of the shape",
                Box::new(|p| p["extra"] = 1.into()),
                "not a finding proof (docs/ledger-format.md §18): unknown field `extra`",
            ),
            (
                "another format",
                Box::new(|p| p["format"] = "evidentia-finding-proof/2".into()),
                "format is \"evidentia-finding-proof/2\", not \"evidentia-finding-proof/1\"",
            ),
            (
                "another finding",
                Box::new(|p| p["finding"]["severity"] = "low".into()),
                "its finding is not finding 1 of exports/findings.json",
            ),
            (
                "another size",
                Box::new(|p| p["tree_size"] = 4.into()),
                "tree_size is 4, ledger.jsonl has 3 entries",
            ),
            (
                "another root",
                Box::new(|p| p["tree_root"] = Hash::of(b"r").to_hex().into()),
                "tree_root is",
            ),
            (
                "another time recorded, the payload unchanged",
                Box::new(|p| {
                    p["entries"][1]["entry"]["recorded_at"] = "2026-01-01T00:00:01.000000Z".into();
                }),
                "entry 3: entry hash mismatch: its fields hash to",
            ),
            (
                "another checkpoint",
                Box::new(|p| p["checkpoint"] = "evidentia/w\n3\nAAAA\n\n".into()),
                "its checkpoint is not the pack's unsigned checkpoint text",
            ),
            (
                "an entry left out",
                Box::new(|p| {
                    p["entries"].as_array_mut().unwrap().pop();
                }),
                "proves entries [2], finding 1 rests on entries [2, 3]",
            ),
            (
                "entries swapped",
                Box::new(|p| p["entries"].as_array_mut().unwrap().swap(0, 1)),
                "proves entries [3, 2], finding 1 rests on entries [2, 3]",
            ),
        ];
        for (what, edit, reason) in cases {
            let pack = spec.edited(|files| edit_proof(files, 1, &edit), |_| {});
            match verdict(&pack) {
                Verdict::Intact(_) => panic!("{what}: intact"),
                Verdict::Altered(problems) => {
                    let first = &problems[0];
                    assert_eq!(
                        first.entry.as_deref(),
                        Some("proofs/findings/0001.json"),
                        "{what}: {problems:#?}"
                    );
                    assert!(first.reason.contains(reason), "{what}: {problems:#?}");
                }
            }
        }
    }

    #[test]
    fn a_pack_with_no_findings_has_no_proofs() {
        let mut spec = Spec::honest();
        spec.findings.clear();
        intact(verdict(&spec.pack(|_| {})));
    }

    /// [`Spec::honest`] with one more entry: what the same workspace holds later.
    fn extended() -> Spec {
        let mut spec = Spec::honest();
        spec.entries.push(("note", b"{\"n\":4}".to_vec()));
        spec
    }

    #[test]
    fn against_an_earlier_pack_of_the_same_ledger_is_intact() {
        let earlier = Spec::honest().pack(|_| {});
        let current = extended().pack(|_| {});
        let s = intact(against_verdict(&current, &earlier));
        assert_eq!(s.manifest.checkpoint.entry_count, 4);
        // The same head twice, and an earlier pack from before tree_root existed.
        intact(against_verdict(&earlier, &earlier));
        let old = Spec::honest().edited(|_| {}, |c| c.tree_root = None);
        intact(against_verdict(&current, &old));
        // Both checks at once.
        let key = key();
        let mut signed = extended();
        signed.key = Some(key.clone());
        intact(
            verify_pack_with(
                Cursor::new(signed.pack(|_| {})),
                Some(Cursor::new(&earlier)),
                Some(&key.verifier().to_vkey()),
                &Limits::default(),
            )
            .unwrap(),
        );
    }

    #[test]
    fn against_an_earlier_pack_whose_entry_3_differs_is_altered() {
        // Each pack is honest on its own: the later one was rebuilt from a rewritten ledger.
        let mut earlier = Spec::honest();
        earlier.entries[2].1 = b"{\"file_name\":\"original.txt\"}".to_vec();
        let earlier = earlier.pack(|_| {});
        let current = extended().pack(|_| {});
        intact(verdict(&earlier));
        intact(verdict(&current));
        first_problem(
            against_verdict(&current, &earlier),
            Some(LEDGER_JSONL),
            "entry 3 differs from the earlier pack's (entry hash ",
        );
        match against_verdict(&current, &earlier) {
            Verdict::Altered(p) => {
                assert!(
                    p[0].reason
                        .ends_with("): the ledger was rewritten from entry 3"),
                    "{p:#?}"
                );
                assert!(
                    p[1].reason.contains("is not a prefix of this one's"),
                    "{p:#?}"
                );
            }
            Verdict::Intact(_) => unreachable!(),
        }
    }

    #[test]
    fn against_an_earlier_pack_with_more_entries_is_altered() {
        let earlier = extended().pack(|_| {});
        let current = Spec::honest().pack(|_| {});
        first_problem(
            against_verdict(&current, &earlier),
            Some(LEDGER_JSONL),
            "the earlier pack has 4 entries, this one 3: entries were removed",
        );
    }

    #[test]
    fn against_a_pack_of_another_workspace_is_altered() {
        let mut other = Spec::honest();
        other.workspace_id = "v".into();
        let earlier = other.pack(|_| {});
        intact(verdict(&earlier));
        first_problem(
            against_verdict(&extended().pack(|_| {}), &earlier),
            Some(MANIFEST),
            "the earlier pack is of workspace v, this one of w",
        );
    }

    #[test]
    fn against_an_altered_earlier_pack_names_its_entries_as_earlier() {
        let earlier = honest(|l| {
            *l = String::from_utf8(l.clone())
                .unwrap()
                .replace("a.txt", "b.txt")
                .into_bytes();
        });
        first_problem(
            against_verdict(&extended().pack(|_| {}), &earlier),
            Some("earlier:ledger.jsonl"),
            "line 3: entry 3: payload hash mismatch",
        );
        first_problem(
            against_verdict(&extended().pack(|_| {}), b"not a zip"),
            Some("earlier"),
            "not a readable zip archive",
        );
    }

    #[test]
    fn a_consistency_proof_to_another_earlier_root_is_altered() {
        // The entry hashes agree, but the earlier root does not lead to the current one (the
        // comparison, given an earlier tree_root no intact pack can carry).
        let read =
            |bytes: &[u8]| inspect(Cursor::new(bytes), &Limits::default(), true, None).unwrap();
        let current = read(&extended().pack(|_| {}));
        let mut earlier = read(&Spec::honest().pack(|_| {}));
        assert!(trust::compare(&earlier, &current).is_empty());
        earlier.manifest.as_mut().unwrap().checkpoint.tree_root = Some(Hash::of(b"r").to_hex());
        let problems = trust::compare(&earlier, &current);
        assert_eq!(problems.len(), 1, "{problems:#?}");
        assert_eq!(problems[0].entry.as_deref(), Some(LEDGER_JSONL));
        assert!(
            problems[0]
                .reason
                .starts_with("the earlier pack's tree (3 entries, root "),
            "{problems:#?}"
        );
    }

    fn zip_with(names: &[(&str, Option<u32>)]) -> Vec<u8> {
        let mut z = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for (name, mode) in names {
            let mut o = SimpleFileOptions::DEFAULT;
            if let Some(m) = mode {
                o = o.unix_permissions(*m);
            }
            z.start_file(*name, o).unwrap();
            z.write_all(b"x").unwrap();
        }
        z.finish().unwrap().into_inner()
    }

    #[test]
    fn unsafe_entries_are_refused() {
        altered(
            &zip_with(&[("../x", None)]),
            Some("../x"),
            "parent directory",
        );
        altered(
            &zip_with(&[("/etc/x", None)]),
            Some("/etc/x"),
            "absolute path",
        );
        altered(&zip_with(&[("a\\b", None)]), Some("a\\b"), "backslash");
        altered(&zip_with(&[("a/./b", None)]), Some("a/./b"), "not a plain");
        let mut link = zip::ZipWriter::new(Cursor::new(Vec::new()));
        link.add_symlink("evil", "/etc/passwd", SimpleFileOptions::DEFAULT)
            .unwrap();
        altered(
            &link.finish().unwrap().into_inner(),
            Some("evil"),
            "symbolic link",
        );
    }

    #[test]
    fn duplicate_names_are_refused() {
        // Two entries `aa` and `ab`, then the second renamed to `aa` in both its headers.
        let mut bytes = zip_with(&[("aa", None), ("ab", None)]);
        let mut patched = 0;
        for i in 0..bytes.len() - 1 {
            if &bytes[i..i + 2] == b"ab" {
                bytes[i + 1] = b'a';
                patched += 1;
            }
        }
        assert_eq!(patched, 2, "local and central header");
        altered(&bytes, Some("aa"), "duplicate name");
    }

    #[test]
    fn a_non_zip_is_altered_not_a_crash() {
        altered(b"not a zip at all", None, "not a readable zip archive");
        let pack = honest(|_| {});
        altered(&pack[..pack.len() / 2], None, "not a readable zip archive");
    }

    /// Every entry's name and bytes, as an extracting tool would see them.
    fn contents(bytes: &[u8]) -> Option<Vec<(String, Vec<u8>)>> {
        let mut a = zip::ZipArchive::new(Cursor::new(bytes)).ok()?;
        let mut out = Vec::new();
        for i in 0..a.len() {
            let mut f = a.by_index(i).ok()?;
            let mut data = Vec::new();
            f.read_to_end(&mut data).ok()?;
            out.push((f.name().to_owned(), data));
        }
        Some(out)
    }

    #[test]
    fn no_flipped_byte_changes_content_and_still_verifies() {
        let pack = honest(|_| {});
        let original = contents(&pack).unwrap();
        // Flipping a byte of zip metadata nobody reads (a local header's CRC copy, a
        // timestamp) may leave the pack intact; flipping one that changes what comes out of
        // it must not.
        for i in 0..pack.len() {
            let mut copy = pack.clone();
            copy[i] ^= 0x01;
            if let Ok(Verdict::Intact(_)) = verify_pack(Cursor::new(&copy), &Limits::default()) {
                assert_eq!(
                    contents(&copy).as_ref(),
                    Some(&original),
                    "byte {i} flipped: content changed and the pack still verifies"
                );
            }
        }
    }

    /// The bytes of the pack's entry `name`.
    fn entry_of(pack: &[u8], name: &str) -> Vec<u8> {
        contents(pack)
            .unwrap()
            .into_iter()
            .find(|(n, _)| n == name)
            .unwrap_or_else(|| panic!("no {name} in the pack"))
            .1
    }

    fn get(files: &Files, name: &str) -> Option<Vec<u8>> {
        files
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, b)| b.clone())
    }

    fn set(files: &mut Files, name: &str, bytes: Vec<u8>) {
        files.iter_mut().find(|(n, _)| n == name).unwrap().1 = bytes;
    }

    fn sha_hex(bytes: &[u8]) -> String {
        hex::encode(Sha256::digest(bytes))
    }

    /// `note` with `key`'s signature added beside the others when its text is `text` (a note
    /// may carry several signatures), else `text` signed by `key` alone.
    fn resign(note: &str, text: &str, key: &SigningKey) -> String {
        let signed = key.sign_note(text).unwrap();
        match parse_note(note) {
            Ok(parsed) if parsed.text == text => format!("{note}{}", &signed[text.len() + 1..]),
            _ => signed,
        }
    }

    /// A zip of `files` in their order, `SHA256SUMS` re-made over every other file.
    fn rezip(mut files: Files) -> Vec<u8> {
        let listed: Vec<ManifestFile> = files
            .iter()
            .filter(|(n, _)| n != SHA256SUMS)
            .map(|(n, b)| ManifestFile {
                path: n.clone(),
                size: b.len() as u64,
                sha256: sha_hex(b),
            })
            .collect();
        set(&mut files, SHA256SUMS, sha256sums(&listed).into_bytes());
        let mut z = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for (name, bytes) in &files {
            z.start_file(name.as_str(), SimpleFileOptions::DEFAULT)
                .unwrap();
            z.write_all(bytes).unwrap();
        }
        z.finish().unwrap().into_inner()
    }

    /// What the trust trial's tamperer did with an unzipped pack: `edit` its files, re-make
    /// `manifest.json`'s file list and `SHA256SUMS` to match, and zip it again, leaving
    /// `manifest.note` as it is. With `forger`, the tamperer also signs with their own key and
    /// ships it as `signing-key.pem`: a note whose text did not change (the checkpoint, an
    /// untouched finding) gets their signature beside the workspace's, one whose text did (the
    /// manifest, an edited finding) theirs alone — a pack consistent with itself.
    fn tampered(
        pack: &[u8],
        edit: impl FnOnce(&mut Files),
        forger: Option<&SigningKey>,
    ) -> Vec<u8> {
        let mut files = contents(pack).unwrap();
        edit(&mut files);
        if let Some(forger) = forger {
            let pem = forger.verifier().to_pem().unwrap();
            set(&mut files, SIGNING_KEY_PEM, pem.into_bytes());
            let old = String::from_utf8(get(&files, CHECKPOINT_NOTE).unwrap()).unwrap();
            let text = parse_note(&old).unwrap().text.to_owned();
            let checkpoint = resign(&old, &text, forger);
            set(&mut files, CHECKPOINT_NOTE, checkpoint.clone().into_bytes());
            let head = TreeHead::parse(&text).unwrap();
            for (name, bytes) in files.iter_mut() {
                if !name.starts_with(FINDING_PROOFS_DIR) {
                    continue;
                }
                let mut proof: serde_json::Value = serde_json::from_slice(bytes).unwrap();
                proof["checkpoint"] = checkpoint.clone().into();
                if let Some(note) = proof["finding_note"].as_str() {
                    let text = finding_text(&head, &proof["finding"]);
                    proof["finding_note"] = resign(note, &text, forger).into();
                }
                *bytes = serde_json::to_vec_pretty(&proof).unwrap();
            }
        }
        let json = get(&files, MANIFEST).unwrap();
        let mut manifest: Manifest = serde_json::from_slice(&json).unwrap();
        let listed: Vec<ManifestFile> = files
            .iter()
            .filter(|(n, _)| !UNLISTED_FILES.contains(&n.as_str()))
            .map(|(n, b)| ManifestFile {
                path: n.clone(),
                size: b.len() as u64,
                sha256: sha_hex(b),
            })
            .collect();
        if listed != manifest.files {
            manifest.files = listed;
            let mut json = serde_json::to_vec_pretty(&manifest).unwrap();
            json.push(b'\n');
            set(&mut files, MANIFEST, json);
        }
        if let (Some(forger), Some(old)) = (forger, get(&files, MANIFEST_NOTE)) {
            let text = manifest_text("evidentia/w", &get(&files, MANIFEST).unwrap());
            let note = resign(std::str::from_utf8(&old).unwrap(), &text, forger);
            set(&mut files, MANIFEST_NOTE, note.into_bytes());
        }
        rezip(files)
    }

    /// Whether `verdict` names `entry` with a reason containing `reason`, among its problems.
    #[track_caller]
    fn has_problem(verdict: &Verdict, entry: &str, reason: &str) -> bool {
        match verdict {
            Verdict::Intact(_) => panic!("intact, expected {entry}: {reason}"),
            Verdict::Altered(problems) => problems
                .iter()
                .any(|p| p.entry.as_deref() == Some(entry) && p.reason.contains(reason)),
        }
    }

    #[test]
    fn a_signed_pack_signs_its_manifest_and_each_finding() {
        let key = key();
        let pack = Spec::signed(&key).pack(|_| {});
        let vk = key.verifier();
        // manifest.note names this manifest; the manifest does not list it, SHA256SUMS does.
        let manifest = entry_of(&pack, MANIFEST);
        let note = String::from_utf8(entry_of(&pack, MANIFEST_NOTE)).unwrap();
        assert_eq!(
            vk.open(&note).unwrap(),
            format!("evidentia-pack/1\nevidentia/w\n{}\n", sha_hex(&manifest))
        );
        let m: Manifest = serde_json::from_slice(&manifest).unwrap();
        assert!(m.files.iter().all(|f| f.path != MANIFEST_NOTE), "{m:#?}");
        let sums = String::from_utf8(entry_of(&pack, SHA256SUMS)).unwrap();
        assert!(
            sums.contains(&format!("{}  {MANIFEST_NOTE}\n", sha_hex(note.as_bytes()))),
            "{sums}"
        );
        // Each finding_note names the finding's canonical JSON and the pack's tree.
        let checkpoint = String::from_utf8(entry_of(&pack, CHECKPOINT_NOTE)).unwrap();
        let tree = vk.open(&checkpoint).unwrap();
        for (n, finding) in Spec::honest().findings.iter().enumerate() {
            let name = format!("{FINDING_PROOFS_DIR}{:04}.json", n + 1);
            let proof: serde_json::Value = serde_json::from_slice(&entry_of(&pack, &name)).unwrap();
            let sha = sha_hex(&canonical_json(finding).unwrap());
            assert_eq!(
                vk.open(proof["finding_note"].as_str().unwrap()).unwrap(),
                format!("evidentia-finding/1\n{tree}{sha}\n")
            );
        }
        // Re-zipping changes nothing.
        intact(signed_verdict(
            &tampered(&pack, |_| {}, None),
            &vk.to_vkey(),
        ));
        // Another signer beside the workspace's changes the proofs (their checkpoint carries
        // the new signature), hence the manifest, which only the other key then signs.
        let other = SigningKey::generate("evidentia/w").unwrap();
        let cosigned = tampered(&pack, |_| {}, Some(&other));
        intact(verdict(&cosigned));
        intact(signed_verdict(&cosigned, &other.verifier().to_vkey()));
        first_problem(
            signed_verdict(&cosigned, &vk.to_vkey()),
            Some(MANIFEST_NOTE),
            "not signed by the given public key",
        );
    }

    #[test]
    fn an_unsigned_pack_carries_no_manifest_note_and_null_finding_notes() {
        let spec = Spec::honest();
        let pack = spec.pack(|_| {});
        intact(verdict(&pack));
        assert!(
            contents(&pack)
                .unwrap()
                .iter()
                .all(|(n, _)| n != MANIFEST_NOTE)
        );
        let proof: serde_json::Value =
            serde_json::from_slice(&entry_of(&pack, "proofs/findings/0001.json")).unwrap();
        assert!(proof["finding_note"].is_null(), "{proof:#?}");
        // A proof without the field at all (packs made before it existed) is intact too.
        intact(verdict(&spec.edited(
            |files| {
                edit_proof(files, 1, |p| {
                    p.as_object_mut().unwrap().remove("finding_note");
                });
            },
            |_| {},
        )));
        altered(
            &spec.edited(
                |files| edit_proof(files, 1, |p| p["finding_note"] = "x".into()),
                |_| {},
            ),
            Some("proofs/findings/0001.json"),
            "finding_note is not null, but the pack is unsigned (no checkpoint.note)",
        );
        // manifest.note with no checkpoint.note: one key signs both.
        let signer = key();
        let text = manifest_text("evidentia/w", &entry_of(&pack, MANIFEST));
        let with_note = tampered(
            &pack,
            |files| {
                let at = files.len() - 1; // before SHA256SUMS, as the writer puts it
                files.insert(
                    at,
                    (
                        MANIFEST_NOTE.into(),
                        signer.sign_note(&text).unwrap().into_bytes(),
                    ),
                );
            },
            None,
        );
        altered(
            &with_note,
            Some(MANIFEST_NOTE),
            "present without checkpoint.note: one key signs both",
        );
    }

    /// The files of a pack outside its ledger that the trust trial altered.
    const OUTSIDE_THE_LEDGER: [&str; 6] = [
        "report-nist-csf-2.0.pdf",
        "exports/controls.csv",
        "exports/metrics.json",
        "oscal/assessment-results.json",
        "VERIFY.md",
        "tools/verify_ledger.py",
    ];

    #[test]
    fn a_file_outside_the_ledger_changed_with_sums_and_manifest_rewritten_is_altered() {
        let trusted = key();
        let forger = key();
        let pem = trusted.verifier().to_pem().unwrap();
        let pack = Spec::signed(&trusted).pack(|_| {});
        for victim in OUTSIDE_THE_LEDGER {
            let flip = |files: &mut Files| {
                let (_, bytes) = files.iter_mut().find(|(n, _)| n == victim).unwrap();
                bytes[0] ^= 0x01;
            };
            // manifest.note left as it was: it names the manifest before the edit.
            let edited = tampered(&pack, flip, None);
            let stale = "names manifest.json with SHA-256 ";
            altered(&edited, Some(MANIFEST_NOTE), stale);
            first_problem(signed_verdict(&edited, &pem), Some(MANIFEST_NOTE), stale);
            // Re-signed by whoever edited it, their key as signing-key.pem: the pack agrees
            // with itself, not with the workspace's key.
            let forged = tampered(&pack, flip, Some(&forger));
            intact(verdict(&forged));
            for trusted_key in [pem.clone(), trusted.verifier().to_vkey()] {
                first_problem(
                    signed_verdict(&forged, &trusted_key),
                    Some(MANIFEST_NOTE),
                    "not signed by the given public key",
                );
            }
        }
    }

    /// One finding's severity changed where an auditor reads it: `exports/findings.json` and
    /// its proof.
    fn severity_changed(files: &mut Files) {
        let (_, bytes) = files.iter_mut().find(|(n, _)| n == FINDINGS_JSON).unwrap();
        let mut export: serde_json::Value = serde_json::from_slice(bytes).unwrap();
        assert_eq!(export["rows"][0]["severity"], "high");
        export["rows"][0]["severity"] = "low".into();
        *bytes = serde_json::to_vec_pretty(&export).unwrap();
        edit_proof(files, 1, |p| p["finding"]["severity"] = "low".into());
    }

    #[test]
    fn a_findings_severity_changed_in_the_export_and_its_proof_is_altered() {
        let trusted = key();
        let forger = key();
        let pem = trusted.verifier().to_pem().unwrap();
        let spec = Spec::signed(&trusted);
        let changed = "finding_note names a finding with SHA-256 ";
        // The manifest re-made and signed by the workspace key: the finding_note alone tells.
        altered(
            &spec.edited(severity_changed, |_| {}),
            Some("proofs/findings/0001.json"),
            changed,
        );
        // As the trial did it: sums and manifest rewritten, manifest.note left as it was.
        let pack = spec.pack(|_| {});
        let edited = verdict(&tampered(&pack, severity_changed, None));
        assert!(
            has_problem(&edited, MANIFEST_NOTE, "names manifest.json with SHA-256 ")
                && has_problem(&edited, "proofs/findings/0001.json", changed),
            "{edited:#?}"
        );
        // Re-signed by another key: consistent with itself, and the workspace's key signs
        // neither the manifest nor this finding (the other one it still signs).
        let forged = tampered(&pack, severity_changed, Some(&forger));
        intact(verdict(&forged));
        let checked = signed_verdict(&forged, &pem);
        let not_signed = "finding_note: not signed by the given public key";
        assert!(
            has_problem(
                &checked,
                MANIFEST_NOTE,
                "not signed by the given public key"
            ) && has_problem(&checked, "proofs/findings/0001.json", not_signed)
                && !has_problem(&checked, "proofs/findings/0002.json", ""),
            "{checked:#?}"
        );
    }

    #[test]
    fn a_finding_note_re_signed_by_another_key_is_caught_by_the_trusted_key() {
        // Checkpoint and manifest carry the workspace's signature too, beside the forger's
        // (no tamperer could sign the manifest so; this leaves the finding notes alone to
        // tell).
        let trusted = key();
        let forger = key();
        let forged = tampered(
            &Spec::signed(&trusted).pack(|_| {}),
            |files| {
                for n in [1, 2] {
                    edit_proof(files, n, |p| {
                        let head = TreeHead::parse(
                            parse_note(p["checkpoint"].as_str().unwrap()).unwrap().text,
                        )
                        .unwrap();
                        let text = finding_text(&head, &p["finding"]);
                        p["finding_note"] = forger.sign_note(&text).unwrap().into();
                    });
                }
            },
            Some(&forger),
        );
        let mut files = contents(&forged).unwrap();
        let text = manifest_text("evidentia/w", &get(&files, MANIFEST).unwrap());
        let note = resign(&forger.sign_note(&text).unwrap(), &text, &trusted);
        set(&mut files, MANIFEST_NOTE, note.into_bytes());
        let pack = rezip(files);
        intact(verdict(&pack));
        match signed_verdict(&pack, &trusted.verifier().to_vkey()) {
            Verdict::Altered(p) => {
                let named: Vec<&str> = p.iter().filter_map(|p| p.entry.as_deref()).collect();
                assert_eq!(
                    named,
                    ["proofs/findings/0001.json", "proofs/findings/0002.json"],
                    "{p:#?}"
                );
                assert!(
                    p[0].reason
                        .starts_with("finding_note: not signed by the given public key"),
                    "{p:#?}"
                );
            }
            Verdict::Intact(_) => panic!("intact"),
        }
    }

    #[test]
    fn a_pack_re_signed_by_another_key_names_every_note_it_signed() {
        let trusted = key();
        let pack = Spec::signed(&key()).pack(|_| {});
        match signed_verdict(&pack, &trusted.verifier().to_pem().unwrap()) {
            Verdict::Altered(p) => {
                let named: Vec<&str> = p.iter().filter_map(|p| p.entry.as_deref()).collect();
                assert_eq!(
                    named,
                    [
                        CHECKPOINT_NOTE,
                        MANIFEST_NOTE,
                        "proofs/findings/0001.json",
                        "proofs/findings/0002.json"
                    ],
                    "{p:#?}"
                );
            }
            Verdict::Intact(_) => panic!("intact"),
        }
    }

    #[test]
    fn a_signed_pack_whose_finding_note_is_missing_or_wrong_is_altered() {
        let signer = key();
        let other = key();
        let spec = Spec::signed(&signer);
        let head = {
            let note = String::from_utf8(entry_of(&spec.pack(|_| {}), CHECKPOINT_NOTE)).unwrap();
            TreeHead::parse(signer.verifier().open(&note).unwrap()).unwrap()
        };
        let right = finding_text(&head, &spec.findings[0]);
        let signed = |text: &str| serde_json::Value::from(signer.sign_note(text).unwrap());
        let sha = sha_hex(&canonical_json(&spec.findings[0]).unwrap());
        let tree = |origin: &str, size: u64, root: Hash| {
            TreeHead {
                origin: origin.into(),
                size,
                root,
            }
            .to_text()
        };
        type Edit = Box<dyn Fn(&mut serde_json::Value)>;
        let set_to = |note: serde_json::Value| -> Edit {
            Box::new(move |p| p["finding_note"] = note.clone())
        };
        let cases: Vec<(&str, Edit, &str)> = vec![
            (
                "removed",
                Box::new(|p| {
                    p.as_object_mut().unwrap().remove("finding_note");
                }),
                "finding_note is missing: in a signed pack every finding proof carries one",
            ),
            (
                "null",
                set_to(serde_json::Value::Null),
                "finding_note is missing",
            ),
            (
                "not a string",
                set_to(1.into()),
                "finding_note is not a string",
            ),
            (
                "not a signed note",
                set_to("evidentia-finding/1\n".into()),
                "finding_note: malformed signed note",
            ),
            (
                "another tag",
                set_to(signed(&right.replacen("/1", "/2", 1))),
                "finding_note's text is not the five lines of docs/ledger-format.md §18",
            ),
            (
                "a sixth line",
                set_to(signed(&format!("{right}extra\n"))),
                "finding_note's text is not the five lines",
            ),
            (
                "another origin",
                set_to(signed(&format!(
                    "evidentia-finding/1\n{}{sha}\n",
                    tree("evidentia/v", 3, head.root)
                ))),
                "finding_note names origin \"evidentia/v\", the pack's is \"evidentia/w\"",
            ),
            (
                "another size",
                set_to(signed(&format!(
                    "evidentia-finding/1\n{}{sha}\n",
                    tree("evidentia/w", 2, head.root)
                ))),
                "finding_note names a tree of 2 entries, ledger.jsonl has 3",
            ),
            (
                "another root",
                set_to(signed(&format!(
                    "evidentia-finding/1\n{}{sha}\n",
                    tree("evidentia/w", 3, Hash::of(b"r"))
                ))),
                "finding_note names root ",
            ),
            (
                "another finding's",
                set_to(signed(&finding_text(&head, &spec.findings[1]))),
                "finding_note names a finding with SHA-256 ",
            ),
            (
                "signed by a key not in signing-key.pem",
                set_to(other.sign_note(&right).unwrap().into()),
                "finding_note does not verify with signing-key.pem: the note is not signed by key",
            ),
        ];
        for (what, edit, reason) in cases {
            let pack = spec.edited(|files| edit_proof(files, 1, &edit), |_| {});
            for v in [
                verdict(&pack),
                signed_verdict(&pack, &signer.verifier().to_vkey()),
            ] {
                match v {
                    Verdict::Intact(_) => panic!("{what}: intact"),
                    Verdict::Altered(problems) => {
                        let first = &problems[0];
                        assert_eq!(
                            first.entry.as_deref(),
                            Some("proofs/findings/0001.json"),
                            "{what}: {problems:#?}"
                        );
                        assert!(first.reason.contains(reason), "{what}: {problems:#?}");
                    }
                }
            }
        }
    }

    #[test]
    fn a_signed_pack_without_its_manifest_note_is_altered() {
        // Removed, SHA256SUMS rewritten (the manifest never listed it).
        let key = key();
        let pack = Spec::signed(&key).pack(|_| {});
        let without = tampered(
            &pack,
            |files| files.retain(|(n, _)| n != MANIFEST_NOTE),
            None,
        );
        let reason = "missing from the pack: a pack with checkpoint.note carries manifest.note";
        altered(&without, Some(MANIFEST_NOTE), reason);
        first_problem(
            signed_verdict(&without, &key.verifier().to_vkey()),
            Some(MANIFEST_NOTE),
            reason,
        );
    }

    #[test]
    fn a_manifest_note_that_does_not_name_this_manifest_is_altered() {
        let signer = key();
        let other = key();
        let pack = Spec::signed(&signer).pack(|_| {});
        let sha = sha_hex(&entry_of(&pack, MANIFEST));
        let with_note = |note: String| {
            tampered(
                &pack,
                |files| set(files, MANIFEST_NOTE, note.into_bytes()),
                None,
            )
        };
        let sign = |text: String| signer.sign_note(&text).unwrap();
        intact(verdict(&with_note(sign(format!(
            "evidentia-pack/1\nevidentia/w\n{sha}\n"
        )))));
        let cases = [
            (
                sign(format!("evidentia-pack/1\nevidentia/v\n{sha}\n")),
                "names origin \"evidentia/v\", manifest.json's is \"evidentia/w\"",
            ),
            (
                sign(format!(
                    "evidentia-pack/1\nevidentia/w\n{}\n",
                    "0".repeat(64)
                )),
                &format!(
                    "names manifest.json with SHA-256 {}, but manifest.json hashes to {sha}",
                    "0".repeat(64)
                ),
            ),
            (
                sign(format!(
                    "evidentia-pack/1\nevidentia/w\n{}\n",
                    sha.to_uppercase()
                )),
                "names manifest.json with SHA-256 ",
            ),
            (
                sign(format!("evidentia-pack/2\nevidentia/w\n{sha}\n")),
                "its text is not the three lines of docs/evidence-pack.md",
            ),
            (
                sign(format!("evidentia-pack/1\nevidentia/w\n{sha}\nextra\n")),
                "its text is not the three lines of docs/evidence-pack.md",
            ),
            (
                other
                    .sign_note(&format!("evidentia-pack/1\nevidentia/w\n{sha}\n"))
                    .unwrap(),
                "does not verify with signing-key.pem: the note is not signed by key",
            ),
            ("not a note\n".to_owned(), "malformed signed note"),
        ];
        for (note, reason) in cases {
            altered(&with_note(note), Some(MANIFEST_NOTE), reason);
        }
    }

    #[test]
    fn a_manifest_listing_its_note_itself_or_the_sums_is_altered() {
        // Listed, then the manifest re-signed and the sums re-made: only the listing is wrong.
        let signer = key();
        let pack = Spec::signed(&signer).pack(|_| {});
        for name in UNLISTED_FILES {
            let mut files = contents(&pack).unwrap();
            let bytes = get(&files, name).unwrap();
            let mut m: Manifest = serde_json::from_slice(&get(&files, MANIFEST).unwrap()).unwrap();
            m.files.push(ManifestFile {
                path: name.into(),
                size: bytes.len() as u64,
                sha256: sha_hex(&bytes),
            });
            let mut json = serde_json::to_vec_pretty(&m).unwrap();
            json.push(b'\n');
            let note = signer
                .sign_note(&manifest_text("evidentia/w", &json))
                .unwrap();
            set(&mut files, MANIFEST, json);
            set(&mut files, MANIFEST_NOTE, note.into_bytes());
            altered(
                &rezip(files),
                Some(name),
                "listed in manifest.json, which lists every file but manifest.json, manifest.note, SHA256SUMS",
            );
        }
    }
}
