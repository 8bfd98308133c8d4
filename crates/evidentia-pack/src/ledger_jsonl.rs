//! `ledger.jsonl`: every ledger entry as one JSON object per line, with the exact payload bytes
//! so that anyone can recompute every hash (format in docs/ledger-format.md, section 15).

use evidentia_ledger::{Entry, Hash};
use serde::{Deserialize, Serialize};

/// One line of `ledger.jsonl`. Field order is the order written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JsonlEntry {
    pub seq: u64,
    pub kind: String,
    pub recorded_at: String,
    /// `utf-8`: `payload` is the payload's exact text (every payload Evidentia writes is
    /// canonical JSON, so UTF-8); `hex`: `payload` is its bytes in lowercase hex.
    pub payload_encoding: String,
    pub payload: String,
    pub payload_sha256: String,
    pub prev_hash: String,
    pub entry_hash: String,
}

/// Why a `ledger.jsonl` line cannot be read as an entry.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {reason}")]
pub struct LedgerLineError {
    pub line: u64,
    pub reason: String,
}

/// The line for one entry, ending in `\n`.
pub fn to_line(entry: &Entry) -> Result<Vec<u8>, serde_json::Error> {
    let (payload_encoding, payload) = match std::str::from_utf8(&entry.payload) {
        Ok(text) => ("utf-8", text.to_owned()),
        Err(_) => ("hex", hex::encode(&entry.payload)),
    };
    let line = JsonlEntry {
        seq: entry.seq,
        kind: entry.kind.clone(),
        recorded_at: entry.recorded_at.clone(),
        payload_encoding: payload_encoding.to_owned(),
        payload,
        payload_sha256: entry.payload_hash.to_hex(),
        prev_hash: entry.prev_hash.to_hex(),
        entry_hash: entry.entry_hash.to_hex(),
    };
    let mut out = serde_json::to_vec(&line)?;
    out.push(b'\n');
    Ok(out)
}

/// Reads one line (without its `\n`) back into an entry, exactly as it was stored; `line` is
/// the 1-based line number used in errors. The hashes are not checked here — that is the
/// [`evidentia_ledger::Verifier`]'s job.
pub fn parse_line(text: &[u8], line: u64) -> Result<Entry, LedgerLineError> {
    let fail = |reason: String| LedgerLineError { line, reason };
    let e: JsonlEntry =
        serde_json::from_slice(text).map_err(|err| fail(format!("not a ledger entry: {err}")))?;
    let payload = match e.payload_encoding.as_str() {
        "utf-8" => e.payload.into_bytes(),
        "hex" => hex::decode(&e.payload).map_err(|err| fail(format!("payload: {err}")))?,
        other => return Err(fail(format!("unknown payload_encoding {other:?}"))),
    };
    // Exactly one spelling per hash: 64 lowercase hex digits.
    let hash = |name: &str, v: &str| {
        if v.len() != 64 || !v.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
            return Err(fail(format!("{name} is not 64 lowercase hex digits")));
        }
        Hash::from_hex(v).map_err(|err| fail(format!("{name}: {}", err.0)))
    };
    Ok(Entry {
        seq: e.seq,
        kind: e.kind,
        recorded_at: e.recorded_at,
        payload,
        payload_hash: hash("payload_sha256", &e.payload_sha256)?,
        prev_hash: hash("prev_hash", &e.prev_hash)?,
        entry_hash: hash("entry_hash", &e.entry_hash)?,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use evidentia_ledger::Chain;

    use super::*;

    #[test]
    fn round_trips_text_and_binary_payloads() {
        let mut chain = Chain::new();
        for payload in [
            b"{\"a\":\"\\u0001 \xc3\xa9\"}".to_vec(),
            vec![0xff, 0x00, 0x10],
            Vec::new(),
        ] {
            let e = chain.next_entry("note", "2026-01-01T00:00:00.000000Z", payload);
            let line = to_line(&e).unwrap();
            assert_eq!(line.last(), Some(&b'\n'));
            assert_eq!(parse_line(&line[..line.len() - 1], 1).unwrap(), e);
        }
    }

    #[test]
    fn documented_example_line() {
        // docs/ledger-format.md, section 15: entry 1 of the worked example.
        let doc = include_str!("../../../docs/ledger-format.md");
        let mut chain = Chain::new();
        let e = chain.next_entry(
            "workspace.created",
            "2026-01-01T00:00:00.000000Z",
            br#"{"format_version":1,"workspace_id":"demo"}"#.to_vec(),
        );
        let line = String::from_utf8(to_line(&e).unwrap()).unwrap();
        assert!(doc.contains(&line), "docs/ledger-format.md lacks:\n{line}");
    }

    #[test]
    fn names_the_line_of_a_bad_entry() {
        let err = parse_line(b"{\"seq\":1}", 7).unwrap_err();
        assert_eq!(err.line, 7);
        assert!(err.reason.contains("missing field"), "{err}");
    }
}
