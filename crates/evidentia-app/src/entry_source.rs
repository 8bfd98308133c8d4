//! Where a ledger entry came from: the imported file, its hash, the line or JSON pointer and the exact bytes of that line, so a number in the app leads back to the evidence as it was imported.

use anyhow::Context as _;
use evidentia_ledger::Hash;
use evidentia_store::{EvidenceStore, Workspace};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::Location;
use crate::entries::{EXECUTION_SET_KIND, RECONCILIATION_SET_KIND};
use crate::{list_imports, open_read};

/// Kinds whose record is exactly one line of its artifact, so that line can be shown as the
/// record. A campaign is read from its first decision row (someone else's), an activity
/// summary from many lines: neither line is the record.
pub(crate) const ONE_LINE_KINDS: [&str; 9] = [
    "record.emergency_use",
    "record.lifecycle_event",
    "record.execution",
    "record.approval",
    "record.exception",
    "record.review_decision",
    "record.identity",
    "record.reconciliation",
    "record.account",
];

/// Set kinds and the kind of record each row holds: a row is shown like an entry of that kind.
const SET_KINDS: [(&str, &str); 2] = [
    (RECONCILIATION_SET_KIND, "record.reconciliation"),
    (EXECUTION_SET_KIND, "record.execution"),
];

/// A raw line longer than this is cut (a JSON document on one line is not one record's line):
/// the viewer shows this much and says how long the line is.
pub const MAX_RAW_LINE: usize = 16 * 1024;

/// An artifact larger than this is not parsed to show the value at a JSON pointer (parsing
/// holds the whole document in memory); its line-based records are still shown.
const MAX_POINTER_DOCUMENT: u64 = 32 * 1024 * 1024;

/// The line number of a location that is exactly `line N` (N ≥ 1): the record is that line.
/// A location with a pointer after the line is one value inside a line that holds more.
pub(crate) fn whole_line(location: &str) -> Option<usize> {
    location
        .strip_prefix("line ")
        .and_then(|n| n.parse::<usize>().ok())
        .filter(|n| *n >= 1)
}

/// A location as recorded, split: `line 12`, `line 3 /Records/0`, `/value/7` or empty.
fn split_location(location: &str) -> (Option<u64>, Option<String>) {
    let location = location.trim();
    if let Some(rest) = location.strip_prefix("line ") {
        let (n, pointer) = match rest.split_once(' ') {
            Some((n, p)) => (n, Some(p.to_owned())),
            None => (rest, None),
        };
        if let Ok(n) = n.parse::<u64>() {
            return (Some(n), pointer.filter(|p| !p.is_empty()));
        }
    }
    if location.starts_with('/') {
        return (None, Some(location.to_owned()));
    }
    (None, None)
}

/// Where one entry's record was read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntrySource {
    /// The entry asked about.
    pub seq: u64,
    /// The row of a set entry asked about (1-based); 0 for the entry as a whole.
    pub row: u64,
    /// For a set entry, how many rows it holds.
    pub set_rows: Option<u64>,
    /// Its kind.
    pub kind: String,
    /// The `import.file` entry that recorded the artifact (none for a file whose import entry
    /// this ledger lacks).
    pub import_seq: Option<u64>,
    /// The file name as the user imported it.
    pub file_name: Option<String>,
    /// SHA-256 of the artifact's bytes (hex), as the payload cites it.
    pub artifact_sha256: String,
    /// The location as recorded in the payload (`line 12`, `line 3 /Records/0`, `/value/7`);
    /// for a set entry, its first and last row's, and for one row of a set, that row's.
    pub location: Option<String>,
    /// The 1-based line, when the location names one.
    pub line: Option<u64>,
    /// The JSON pointer, when the location names one.
    pub pointer: Option<String>,
    /// The exact bytes of that line as imported (without its line ending), cut at
    /// [`MAX_RAW_LINE`].
    pub raw: Option<Vec<u8>>,
    /// The line's full length in bytes, when it was read (larger than `raw` when cut).
    pub raw_len: Option<u64>,
    /// Whether the line is the record itself (the location is exactly that line and the kind
    /// is one line per record), rather than a line that holds it among other values.
    pub line_is_record: bool,
    /// For a pointer into a document read whole: the value there, re-serialised (indented),
    /// since no single line of the file is the record.
    pub pointer_value: Option<String>,
    /// Whether the stored bytes were read back and hash to `artifact_sha256`; `false` means
    /// they did not (the raw line is then withheld) or the artifact is not stored.
    pub artifact_verified: bool,
    /// Why something above is missing, in a sentence for the user.
    pub note: Option<String>,
}

/// The source of entry `seq`, or of its `row` (1-based) when it is a set entry
/// (`record.reconciliation_set`, `record.execution_set`); row 0 is the entry as a whole. `None`
/// for an entry that cites no artifact (workspace creation, policy, analysis runs,
/// checkpoints' keys). The chain is verified first, as for every reader of entries; an entry
/// past the verified head, a row of an entry that is not a set and a row past a set's end are
/// refused.
pub async fn entry_source(
    workspace: &Location,
    seq: u64,
    row: u64,
) -> anyhow::Result<Option<EntrySource>> {
    let ws = open_read(workspace).await?;
    let result = source_in(&ws, seq, row).await;
    ws.close().await;
    let Some(mut source) = result? else {
        return Ok(None);
    };
    // The file's name is in its import entry (one scan of the few import entries).
    if let Some(import) = list_imports(workspace)
        .await?
        .into_iter()
        .find(|i| i.artifact == source.artifact_sha256)
    {
        source.import_seq = Some(import.seq);
        source.file_name = Some(import.file_name);
    }
    Ok(Some(source))
}

async fn source_in(ws: &Workspace, seq: u64, row: u64) -> anyhow::Result<Option<EntrySource>> {
    let verified = crate::trust::verified(ws).await?;
    if seq == 0 || seq > verified.entries {
        anyhow::bail!(
            "entry {seq} is not in the ledger (it has {} entries)",
            verified.entries
        );
    }
    let entry = ws
        .entries(seq, 1)
        .await?
        .into_iter()
        .next()
        .filter(|e| e.seq == seq)
        .with_context(|| format!("entry {seq} is missing from the ledger"))?;
    let set_record_kind = SET_KINDS
        .iter()
        .find(|(set, _)| *set == entry.kind)
        .map(|(_, record)| *record);
    if row > 0 && set_record_kind.is_none() {
        anyhow::bail!(
            "entry {seq} ({}) holds one record, not rows: it has no row {row}",
            entry.kind
        );
    }
    let Ok(payload) = serde_json::from_slice::<Value>(&entry.payload) else {
        if row > 0 {
            anyhow::bail!("entry {seq} ({}): its payload is not readable", entry.kind);
        }
        return Ok(None);
    };
    let text = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).map(str::to_owned);
    // Records and imports cite `artifact`; the store's own `artifact.stored` entry `sha256`.
    let artifact = match text(&payload, "artifact") {
        Some(a) => a,
        None if entry.kind == "artifact.stored" => match text(&payload, "sha256") {
            Some(a) => a,
            None => return Ok(None),
        },
        None => return Ok(None),
    };
    let mut source = EntrySource {
        seq,
        row,
        set_rows: None,
        kind: entry.kind.clone(),
        import_seq: None,
        file_name: None,
        artifact_sha256: artifact.clone(),
        location: None,
        line: None,
        pointer: None,
        raw: None,
        raw_len: None,
        line_is_record: false,
        pointer_value: None,
        artifact_verified: false,
        note: None,
    };
    // The kind whose record the location points at: a set's row is one record of its set's kind.
    let mut record_kind = entry.kind.as_str();
    let mut row_location = None;
    if let Some(set_record_kind) = set_record_kind {
        let rows = payload
            .get("rows")
            .and_then(Value::as_array)
            .map_or(&[][..], Vec::as_slice);
        let n = rows.len();
        source.set_rows = Some(n as u64);
        if row == 0 {
            // The set as a whole: the range of its rows' locations, no one line.
            let first = rows.first().and_then(|r| text(r, "location"));
            let last = rows.last().and_then(|r| text(r, "location"));
            source.location = match (first, last) {
                (Some(a), Some(b)) if a != b => Some(format!("{a} … {b}")),
                (Some(a), _) => Some(a),
                _ => None,
            };
            let rows_text = if n == 1 {
                "1 row".to_owned()
            } else {
                format!("{n} rows")
            };
            source.note = Some(format!(
                "a set of {rows_text} ({set_record_kind}): no single line is this entry; each row's location is in the payload, and a cited row opens on its own"
            ));
            source.artifact_verified = artifact_matches(ws, &artifact).await?;
            return Ok(Some(source));
        }
        let Some(cited) = usize::try_from(row - 1).ok().and_then(|i| rows.get(i)) else {
            anyhow::bail!(
                "entry {seq} ({}) has {n} row{}: there is no row {row}",
                entry.kind,
                if n == 1 { "" } else { "s" }
            );
        };
        record_kind = set_record_kind;
        row_location = Some(text(cited, "location"));
    }
    let Some(location) = row_location.unwrap_or_else(|| text(&payload, "location")) else {
        source.artifact_verified = artifact_matches(ws, &artifact).await?;
        source.note = Some(if row > 0 {
            format!("row {row} of this set records no location in the file")
        } else {
            "the entry is about the whole file, not one of its rows".to_owned()
        });
        return Ok(Some(source));
    };
    let (line, pointer) = split_location(&location);
    source.location = Some(location.clone());
    source.line = line;
    source.pointer = pointer.clone();
    source.line_is_record =
        whole_line(&location).is_some() && ONE_LINE_KINDS.contains(&record_kind);
    let Ok(sha) = Hash::from_hex(&artifact) else {
        source.note = Some(format!(
            "the payload cites an artifact that is not a SHA-256 ({artifact})"
        ));
        return Ok(Some(source));
    };
    match line {
        Some(n) => {
            let read = read_line(ws, &sha, n).await?;
            source.artifact_verified = read.matches;
            if !read.stored {
                source.note = Some("the artifact's bytes are not stored in this workspace".into());
            } else if !read.matches {
                source.note = Some(
                    "the stored artifact does not hash to what the entry cites: the raw line is not shown (run verify)"
                        .into(),
                );
            } else if let Some((bytes, len)) = read.line {
                source.raw = Some(bytes);
                source.raw_len = Some(len);
                if !source.line_is_record {
                    source.note = Some(
                        "this line holds the record among other values (see the pointer)".into(),
                    );
                }
            } else {
                source.note = Some(format!("the artifact has no line {n}"));
            }
        }
        None => {
            let (matches, value) = match &pointer {
                Some(p) => pointer_value(ws, &sha, p).await?,
                None => (artifact_matches(ws, &artifact).await?, None),
            };
            source.artifact_verified = matches;
            source.pointer_value = value;
            source.note = Some(match (&pointer, &source.pointer_value) {
                (_, _) if !matches => {
                    "the stored artifact does not hash to what the entry cites (run verify)".into()
                }
                (Some(_), Some(_)) => "the file is one JSON document: shown is the value at the pointer, re-indented (the exact bytes are in the stored file)".into(),
                (Some(_), None) => "the file is one JSON document too large to show a value from here; the pointer names the record in it".into(),
                (None, _) => "the record's location names no line".into(),
            });
        }
    }
    Ok(Some(source))
}

/// What reading one line of an artifact found.
struct LineRead {
    /// Any chunk of the artifact is stored.
    stored: bool,
    /// The bytes read hash to the artifact's address.
    matches: bool,
    /// The line's bytes (cut at [`MAX_RAW_LINE`], without `\n` or `\r\n`) and full length.
    line: Option<(Vec<u8>, u64)>,
}

/// Streams the artifact chunk by chunk (memory bounded by a chunk and the line), keeping line
/// `n` and hashing everything, so the line shown is from bytes that match the ledger.
async fn read_line(ws: &Workspace, sha: &Hash, n: u64) -> anyhow::Result<LineRead> {
    let mut hasher = Sha256::new();
    let mut current = 1u64;
    let mut kept: Vec<u8> = Vec::new();
    let mut len = 0u64;
    let mut found = false;
    let mut ended = false;
    let mut idx = 0u64;
    while let Some(chunk) = ws.artifact_chunk(sha, idx).await? {
        hasher.update(&chunk);
        idx += 1;
        if ended {
            continue;
        }
        for part in chunk.split_inclusive(|b| *b == b'\n') {
            let newline = part.last() == Some(&b'\n');
            if current == n {
                found = true;
                let body = if newline {
                    &part[..part.len() - 1]
                } else {
                    part
                };
                len += body.len() as u64;
                let room = MAX_RAW_LINE.saturating_sub(kept.len());
                kept.extend_from_slice(&body[..body.len().min(room)]);
            }
            if newline {
                current += 1;
                if current > n {
                    ended = true;
                    break;
                }
            }
        }
    }
    let matches = idx > 0 && Hash(hasher.finalize().into()) == *sha;
    // A line ending in \r\n is shown without the \r (it is the line ending, not the record).
    if found && kept.last() == Some(&b'\r') && (len as usize) == kept.len() {
        kept.pop();
        len -= 1;
    }
    Ok(LineRead {
        stored: idx > 0,
        matches,
        line: found.then_some((kept, len)),
    })
}

/// Whether the artifact's stored bytes hash to its address.
async fn artifact_matches(ws: &Workspace, artifact: &str) -> anyhow::Result<bool> {
    let Ok(sha) = Hash::from_hex(artifact) else {
        return Ok(false);
    };
    Ok(read_line(ws, &sha, u64::MAX).await?.matches)
}

/// The value at `pointer` in an artifact read as one JSON document, indented; `None` when the
/// document is too large to parse here or the pointer names nothing.
async fn pointer_value(
    ws: &Workspace,
    sha: &Hash,
    pointer: &str,
) -> anyhow::Result<(bool, Option<String>)> {
    let mut bytes = Vec::new();
    let mut idx = 0u64;
    let mut too_large = false;
    let mut hasher = Sha256::new();
    while let Some(chunk) = ws.artifact_chunk(sha, idx).await? {
        hasher.update(&chunk);
        idx += 1;
        if !too_large {
            bytes.extend_from_slice(&chunk);
            too_large = bytes.len() as u64 > MAX_POINTER_DOCUMENT;
            if too_large {
                bytes = Vec::new();
            }
        }
    }
    let matches = idx > 0 && Hash(hasher.finalize().into()) == *sha;
    if !matches || too_large {
        return Ok((matches, None));
    }
    let value = serde_json::from_slice::<Value>(&bytes)
        .ok()
        .and_then(|doc| doc.pointer(pointer).cloned())
        .and_then(|v| serde_json::to_string_pretty(&v).ok());
    Ok((matches, value))
}

/// Bytes as text for reading: valid UTF-8 as it is, each byte of an invalid sequence and each
/// control character other than tab as `\xNN`, so nothing in the file can hide or disguise
/// itself on screen.
pub fn escape_raw(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            if c.is_control() && c != '\t' {
                let mut buf = [0u8; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    out.push_str(&format!("\\x{b:02X}"));
                }
            } else {
                out.push(c);
            }
        }
        for b in chunk.invalid() {
            out.push_str(&format!("\\x{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    #[test]
    fn locations_split_into_line_and_pointer() {
        assert_eq!(split_location("line 12"), (Some(12), None));
        assert_eq!(
            split_location("line 3 /Records/0"),
            (Some(3), Some("/Records/0".into()))
        );
        assert_eq!(split_location("/value/7"), (None, Some("/value/7".into())));
        assert_eq!(split_location(""), (None, None));
        assert_eq!(whole_line("line 3 /Records/0"), None);
        assert_eq!(whole_line("line 0"), None);
        assert_eq!(whole_line("line 9"), Some(9));
    }

    #[test]
    fn raw_bytes_are_escaped_not_lost() {
        assert_eq!(escape_raw(b"a,b\tc"), "a,b\tc");
        assert_eq!(escape_raw(b"caf\xc3\xa9"), "café");
        assert_eq!(escape_raw(b"bad\xff\xfeend"), "bad\\xFF\\xFEend");
        assert_eq!(escape_raw(b"esc\x1b[31m"), "esc\\x1B[31m");
    }

    /// A real CSV imported into a real workspace: its execution entry leads back to the file,
    /// its line and the exact bytes, including a non-UTF-8 byte and a CRLF ending.
    #[tokio::test]
    async fn an_imported_row_leads_back_to_its_exact_line() {
        let dir = tempfile::tempdir().unwrap();
        let ws = crate::Location::from(dir.path().join("w.evidentia"));
        let now = Utc.with_ymd_and_hms(2026, 3, 1, 9, 0, 0).unwrap();
        let demo = dir.path().join("samples");
        crate::write_embedded_samples(&demo).unwrap();
        let report = crate::build_demo(&demo, &ws, now).await;
        assert!(report.is_ok(), "{report:?}");
        let entries = crate::list_entries(&ws, 1, 100_000).await.unwrap();
        // A record read from one line of a CSV or JSON-lines file.
        let execution = entries
            .iter()
            .find(|e| {
                ONE_LINE_KINDS.contains(&e.kind.as_str())
                    && serde_json::from_slice::<Value>(&e.payload)
                        .is_ok_and(|p| p["location"].as_str().and_then(whole_line).is_some())
            })
            .expect("the demo has line-based records");
        let source = entry_source(&ws, execution.seq, 0).await.unwrap().unwrap();
        assert!(source.file_name.is_some(), "{source:?}");
        // The import entry closes the import's transaction, after its records.
        assert!(source.import_seq.is_some_and(|s| s > execution.seq));
        assert!(source.artifact_verified);
        let payload: Value = serde_json::from_slice(&execution.payload).unwrap();
        assert_eq!(
            payload["artifact"].as_str(),
            Some(source.artifact_sha256.as_str())
        );
        if let Some(n) = source.line {
            let raw = source
                .raw
                .clone()
                .expect("a line-based record shows its line");
            // The same line read independently from the file on disk.
            let name = source.file_name.clone().unwrap();
            let on_disk = find_file(&demo, &name).expect("the sample file");
            let bytes = std::fs::read(on_disk).unwrap();
            let line = bytes.split(|b| *b == b'\n').nth(n as usize - 1).unwrap();
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            assert_eq!(raw, line);
            assert_eq!(source.raw_len, Some(line.len() as u64));
        }
        // A one-record entry has no rows.
        let no_row = entry_source(&ws, execution.seq, 1).await.unwrap_err();
        assert!(
            no_row
                .to_string()
                .ends_with("holds one record, not rows: it has no row 1"),
            "{no_row}"
        );
        // Entries without an artifact have no source; entries past the head are refused.
        assert_eq!(entry_source(&ws, 1, 0).await.unwrap(), None);
        let past = entry_source(&ws, entries.len() as u64 + 5, 0).await;
        assert!(past.unwrap_err().to_string().contains("not in the ledger"));
    }

    fn find_file(dir: &std::path::Path, name: &str) -> Option<std::path::PathBuf> {
        for e in std::fs::read_dir(dir).ok()?.flatten() {
            let p = e.path();
            if p.is_dir() {
                if let Some(found) = find_file(&p, name) {
                    return Some(found);
                }
            } else if p.file_name().and_then(|n| n.to_str()) == Some(name) {
                return Some(p);
            }
        }
        None
    }
}
