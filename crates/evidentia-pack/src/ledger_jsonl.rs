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

/// The keys of a line, in the one order a line may have them (docs/ledger-format.md, §15).
const LINE_KEYS: [&str; 8] = [
    "seq",
    "kind",
    "recorded_at",
    "payload_encoding",
    "payload",
    "payload_sha256",
    "prev_hash",
    "entry_hash",
];

/// A line's values, read in one pass over its keys, and the first thing wrong with its keys.
#[derive(Default)]
struct StrictLine {
    seq: Option<u64>,
    strings: [Option<String>; 7],
    /// Key positions in [`LINE_KEYS`], in the order the line has them.
    order: Vec<usize>,
    problem: Option<String>,
}

impl<'de> serde::de::DeserializeSeed<'de> for &mut StrictLine {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> serde::de::Visitor<'de> for &mut StrictLine {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON object with the eight keys of a ledger.jsonl line")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        use serde::de::Error as _;
        while let Some(key) = map.next_key::<String>()? {
            let Some(at) = LINE_KEYS.iter().position(|k| *k == key) else {
                let shown: String = key.chars().take(64).collect();
                self.problem = Some(format!("unknown key {shown:?}"));
                return Err(A::Error::custom("unknown key"));
            };
            if self.order.contains(&at) {
                self.problem = Some(format!("duplicate key {key:?}"));
                return Err(A::Error::custom("duplicate key"));
            }
            self.order.push(at);
            if at == 0 {
                self.seq = Some(map.next_value()?);
            } else {
                self.strings[at - 1] = Some(map.next_value()?);
            }
        }
        Ok(())
    }
}

impl StrictLine {
    /// The line's fields, or the key that is missing; with them, what is wrong with the order
    /// of its keys, if anything.
    fn into_entry(self) -> Result<(JsonlEntry, Option<String>), String> {
        if let Some(missing) = (0..LINE_KEYS.len()).find(|at| !self.order.contains(at)) {
            return Err(format!("missing key {:?}", LINE_KEYS[missing]));
        }
        let misordered = self
            .order
            .iter()
            .enumerate()
            .any(|(i, at)| i != *at)
            .then(|| {
                let found: Vec<&str> = self.order.iter().map(|at| LINE_KEYS[*at]).collect();
                format!(
                    "keys out of order ({}; the format is {})",
                    found.join(", "),
                    LINE_KEYS.join(", ")
                )
            });
        let [
            kind,
            recorded_at,
            payload_encoding,
            payload,
            payload_sha256,
            prev_hash,
            entry_hash,
        ] = self.strings.map(Option::unwrap_or_default);
        let entry = JsonlEntry {
            seq: self.seq.unwrap_or_default(),
            kind,
            recorded_at,
            payload_encoding,
            payload,
            payload_sha256,
            prev_hash,
            entry_hash,
        };
        Ok((entry, misordered))
    }
}

/// Reads one line (without its `\n`) back into an entry, exactly as it was stored; `line` is
/// the 1-based line number used in errors. The line must be one JSON object with exactly the
/// eight keys of the format, each once, in its order: an extra, missing, repeated or misplaced
/// key is an error naming the line and, once read, the entry's `seq`. The hashes are not
/// checked here — that is the [`evidentia_ledger::Verifier`]'s job.
pub fn parse_line(text: &[u8], line: u64) -> Result<Entry, LedgerLineError> {
    let (entry, misordered) = read_line(text, line)?;
    match misordered {
        Some(err) => Err(err),
        None => Ok(entry),
    }
}

/// [`parse_line`], with keys in another order read as an entry all the same: the order's
/// problem comes beside it, for the pack verifier to report once the chain has judged the
/// entry (an edited entry is reported by what the chain finds, e.g. its payload hash, even
/// when the editing tool also reordered its keys).
pub(crate) fn read_line(
    text: &[u8],
    line: u64,
) -> Result<(Entry, Option<LedgerLineError>), LedgerLineError> {
    let mut strict = StrictLine::default();
    let mut de = serde_json::Deserializer::from_slice(text);
    let read =
        serde::de::DeserializeSeed::deserialize(&mut strict, &mut de).and_then(|()| de.end());
    let fail = |seq: Option<u64>, reason: String| LedgerLineError {
        line,
        reason: match seq {
            Some(seq) => format!("entry {seq}: {reason}"),
            None => reason,
        },
    };
    let seq = strict.seq;
    if let Err(err) = read {
        return Err(match strict.problem.take() {
            Some(problem) => fail(seq, problem),
            None => fail(seq, format!("not a ledger entry: {err}")),
        });
    }
    let (e, misordered) = strict.into_entry().map_err(|reason| fail(seq, reason))?;
    let fail = |reason: String| fail(seq, reason);
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
    let entry = Entry {
        seq: e.seq,
        kind: e.kind,
        recorded_at: e.recorded_at,
        payload,
        payload_hash: hash("payload_sha256", &e.payload_sha256)?,
        prev_hash: hash("prev_hash", &e.prev_hash)?,
        entry_hash: hash("entry_hash", &e.entry_hash)?,
    };
    Ok((entry, misordered.map(fail)))
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
        assert_eq!(err.to_string(), "line 7: entry 1: missing key \"kind\"");
        let err = parse_line(b"[1]", 7).unwrap_err();
        assert!(
            err.to_string().starts_with("line 7: not a ledger entry: "),
            "{err}"
        );
        let err = parse_line(b"{\"seq\":\"1\"}", 7).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("line 7: not a ledger entry: invalid type"),
            "{err}"
        );
    }

    /// A good line with `edit` applied to its text.
    fn edited(edit: impl Fn(&str) -> String) -> Vec<u8> {
        let mut chain = Chain::new();
        let e = chain.next_entry("note", "2026-01-01T00:00:00.000000Z", b"{}".to_vec());
        let line = String::from_utf8(to_line(&e).unwrap()).unwrap();
        let text = edit(line.trim_end_matches('\n'));
        assert_ne!(
            text,
            line.trim_end_matches('\n'),
            "the edit changed nothing"
        );
        text.into_bytes()
    }

    #[test]
    fn exactly_the_eight_keys_in_their_order() {
        // docs/ledger-format.md, section 15: "exactly these eight keys, in this order".
        let cases: [(Vec<u8>, &str); 6] = [
            (
                edited(|l| l.replacen('{', "{\"note\":1,", 1)),
                "line 3: unknown key \"note\"",
            ),
            (
                edited(|l| format!("{},\"note\":1}}", &l[..l.len() - 1])),
                "line 3: entry 1: unknown key \"note\"",
            ),
            (
                edited(|l| l.replacen(",\"kind\":\"note\"", "", 1)),
                "line 3: entry 1: missing key \"kind\"",
            ),
            (
                edited(|l| {
                    l.replacen(
                        ",\"kind\":\"note\"",
                        ",\"kind\":\"note\",\"kind\":\"note\"",
                        1,
                    )
                }),
                "line 3: entry 1: duplicate key \"kind\"",
            ),
            (
                edited(|l| {
                    l.replacen(
                        "{\"seq\":1,\"kind\":\"note\"",
                        "{\"kind\":\"note\",\"seq\":1",
                        1,
                    )
                }),
                "line 3: entry 1: keys out of order (kind, seq, recorded_at,",
            ),
            (
                edited(|l| format!("{l} x")),
                "line 3: entry 1: not a ledger entry: trailing characters",
            ),
        ];
        for (line, want) in cases {
            let err = parse_line(&line, 3).unwrap_err().to_string();
            assert!(
                err.starts_with(want),
                "{err}\nfor {}",
                String::from_utf8_lossy(&line)
            );
        }
    }
}
