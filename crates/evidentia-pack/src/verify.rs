//! Checking a pack from its own bytes, without extracting anything: the archive's structure
//! (no paths that could escape a folder, no links, no duplicates), its layout (every file the
//! pack must hold and nothing else, docs/evidence-pack.md), every file against `SHA256SUMS` and
//! `manifest.json`, the ledger chain in `ledger.jsonl` (with [`evidentia_ledger::Verifier`]) up
//! to the manifest's checkpoint, and the artifacts against the ledger: each one named by its
//! content's SHA-256 and committed by an `artifact.stored` entry with its size, and every
//! committed artifact in the pack exactly once.
//!
//! Memory stays bounded: entries are streamed through SHA-256, each read is capped at its
//! declared size (a zip bomb that inflates past its header is caught, not followed), and the
//! [`Limits`] cap the entry count, every entry and the total.

use std::collections::btree_map::Entry as MapEntry;
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::io::{BufReader, Read, Seek, SeekFrom};

use evidentia_ledger::Verifier;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use zip::{CompressionMethod, ZipArchive};

use crate::ledger_jsonl::read_line;
use crate::manifest::{MANIFEST_FORMAT, Manifest};
use crate::{ARTIFACTS_DIR, LEDGER_JSONL, MANIFEST, SHA256SUMS, sanitize_file_name};

/// How the verifier describes a file that is not one of a pack's (docs/evidence-pack.md).
const NOT_IN_LAYOUT: &str = "not part of the pack layout (docs/evidence-pack.md)";
const VERIFY_MD: &str = "VERIFY.md";
const VERIFY_LEDGER_PY: &str = "tools/verify_ledger.py";
const OSCAL_RESULTS: &str = "oscal/assessment-results.json";
/// The exported tables, each as `exports/<table>.csv` and `exports/<table>.json`.
const EXPORT_TABLES: [&str; 5] = ["controls", "events", "exceptions", "findings", "metrics"];
const EXPORT_FORMATS: [&str; 2] = ["csv", "json"];
/// Files the pack writer is gaining: accepted by name here, their content is checked elsewhere.
const ACCEPTED_FILES: [&str; 2] = ["checkpoint.note", "signing-key.pem"];
/// `proofs/findings/<digits>.json`, accepted by name like [`ACCEPTED_FILES`].
const FINDING_PROOFS_DIR: &str = "proofs/findings/";
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
    fixed.contains(name)
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
pub fn verify_pack<R: Read + Seek>(mut reader: R, limits: &Limits) -> std::io::Result<Verdict> {
    let archive_problem = |reason: String| {
        Ok(Verdict::Altered(vec![Problem {
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
        return Ok(Verdict::Altered(problems));
    }
    let mut archive = match ZipArchive::new(&mut reader) {
        Ok(a) => a,
        Err(zip::result::ZipError::Io(e)) => return Err(e),
        Err(e) => return archive_problem(format!("not a readable zip archive: {e}")),
    };
    let mut state = Contents::default();
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
            return Ok(Verdict::Altered(problems));
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
    if problems.is_empty() {
        let Some(manifest) = state.manifest else {
            return archive_problem("manifest.json is missing".into());
        };
        Ok(Verdict::Intact(Box::new(PackSummary {
            files: names.len(),
            bytes: total,
            manifest,
        })))
    } else {
        Ok(Verdict::Altered(problems))
    }
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
}

struct LedgerState {
    verifier: Verifier,
    /// The first problem, naming its line.
    failure: Option<String>,
    /// sha256 → (seq, size), from `artifact.stored` entries.
    commitments: BTreeMap<String, (u64, u64)>,
    line: u64,
    pending: Vec<u8>,
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
    fn new() -> Self {
        LedgerState {
            verifier: Verifier::new(),
            failure: None,
            commitments: BTreeMap::new(),
            line: 0,
            pending: Vec::new(),
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
        let keep_text = name == MANIFEST || name == SHA256SUMS;
        if keep_text && declared > limits.max_text_bytes {
            return Err(EntryError::Altered(format!(
                "{declared} bytes, over the {} a pack's {name} may have",
                limits.max_text_bytes
            )));
        }
        let mut ledger = (name == LEDGER_JSONL).then(LedgerState::new);
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
        // manifest.json: every file but itself and SHA256SUMS, with size and hash.
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
                if name != MANIFEST && name != SHA256SUMS && !listed.contains(name.as_str()) {
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

    use evidentia_ledger::Chain;
    use zip::write::SimpleFileOptions;

    use super::*;
    use crate::{Checkpoint, PackPeriod, PackWriter, to_line};

    const ABC_SHA: &str = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

    /// What a test pack is made of.
    struct Spec {
        framework: String,
        /// The ledger's entries, (kind, payload), all recorded at one time.
        entries: Vec<(&'static str, Vec<u8>)>,
        /// Every file but `manifest.json` and `SHA256SUMS`, in archive order; the bytes given
        /// for `ledger.jsonl` are replaced by the ledger of `entries`.
        files: Vec<(String, Vec<u8>)>,
    }

    fn abc_commitment() -> Vec<u8> {
        format!("{{\"sha256\":\"{ABC_SHA}\",\"size\":3}}").into_bytes()
    }

    fn abc_path() -> String {
        format!("artifacts/{ABC_SHA}-a.txt")
    }

    impl Spec {
        /// A small honest pack, laid out as the writer in `evidentia_app::pack` lays one out:
        /// a three-entry ledger committing to the artifact `abc`.
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
                entries: vec![
                    ("workspace.created", b"{}".to_vec()),
                    ("artifact.stored", abc_commitment()),
                    ("import.file", b"{\"file_name\":\"a.txt\"}".to_vec()),
                ],
                files,
            }
        }

        /// The pack's bytes, `edit_ledger` applied to `ledger.jsonl`; `manifest.json` and
        /// `SHA256SUMS` list exactly the files written, as an editor re-making them would.
        fn pack(&self, edit_ledger: impl Fn(&mut Vec<u8>)) -> Vec<u8> {
            let mut chain = Chain::new();
            let t = "2026-01-01T00:00:00.000000Z";
            let mut ledger = Vec::new();
            for (kind, payload) in &self.entries {
                ledger.extend(to_line(&chain.next_entry(kind, t, payload.clone())).unwrap());
            }
            edit_ledger(&mut ledger);
            let mut w = PackWriter::new(Cursor::new(Vec::new()));
            for (path, bytes) in &self.files {
                let bytes = if path == LEDGER_JSONL { &ledger } else { bytes };
                w.add(path, bytes).unwrap();
            }
            let manifest = Manifest {
                format: MANIFEST_FORMAT.into(),
                generator: "test".into(),
                workspace_id: "w".into(),
                framework: self.framework.clone(),
                period: PackPeriod {
                    from: None,
                    to: None,
                },
                as_of: "2026-01-02T00:00:00Z".into(),
                generated_at: "2026-01-02T00:00:00Z".into(),
                checkpoint: Checkpoint {
                    entry_count: self.entries.len() as u64,
                    head_hash: chain.head().to_hex(),
                },
                files: Vec::new(),
            };
            w.finish(manifest).unwrap().0.into_inner()
        }
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
                assert_eq!(s.files, 18);
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

    #[test]
    fn files_the_writer_is_gaining_are_accepted_by_name() {
        let mut spec = Spec::honest();
        for name in [
            "checkpoint.note",
            "signing-key.pem",
            "proofs/findings/1.json",
            "proofs/findings/20260101.json",
        ] {
            spec.files.push((name.to_owned(), name.as_bytes().to_vec()));
        }
        match verdict(&spec.pack(|_| {})) {
            Verdict::Intact(s) => assert_eq!(s.files, 22),
            Verdict::Altered(p) => panic!("{p:#?}"),
        }
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
}
