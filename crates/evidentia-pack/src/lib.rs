//! The outputs an auditor takes away — exports, OSCAL assessment results, the evidence pack —
//! and the verifier that checks a pack using nothing but its own bytes.
//!
//! Everything here is pure over what it is given: tables, control rows, ledger entries, file
//! bytes. The façade (`evidentia_app::export`, `evidentia_app::pack`) reads the workspace and
//! hands them over, so a pack can be checked without a workspace at all.
//!
//! ```
//! use evidentia_pack::{Cell, Table};
//! let mut table = Table::new("findings", &["check", "summary", "entries"]);
//! table.push(vec![Cell::text("EV-X"), Cell::text("=HYPERLINK(\"x\")"), Cell::Int(3)]);
//! let csv = String::from_utf8(table.to_csv().unwrap()).unwrap();
//! assert_eq!(csv, "check,summary,entries\nEV-X,\"'=HYPERLINK(\"\"x\"\")\",3\n");
//! ```

mod ledger_jsonl;
mod manifest;
pub mod oscal;
mod table;
mod uuid;
mod verify;
pub mod workpaper;
mod writer;

pub use ledger_jsonl::{JsonlEntry, LedgerLineError, parse_line, to_line};
pub use manifest::{Checkpoint, MANIFEST_FORMAT, Manifest, ManifestFile, PackPeriod, sha256sums};
pub use table::{Cell, EXPORT_FORMAT, ExportMeta, Table, neutralize};
pub use uuid::content_uuid;
pub use verify::{
    Limits, PackSummary, Problem, Verdict, verify_pack, verify_pack_against, verify_pack_signed,
    verify_pack_with,
};
pub use writer::{FileDigest, PackWriter, sanitize_file_name};

/// The name of the checksum file inside a pack (the one file it does not list).
pub const SHA256SUMS: &str = "SHA256SUMS";
/// The name of the manifest inside a pack.
pub const MANIFEST: &str = "manifest.json";
/// The ledger export inside a pack.
pub const LEDGER_JSONL: &str = "ledger.jsonl";
/// The folder of raw artifacts inside a pack.
pub const ARTIFACTS_DIR: &str = "artifacts/";
/// The signed checkpoint of the pack's head (C2SP signed note), when the workspace's key signed it.
pub const CHECKPOINT_NOTE: &str = "checkpoint.note";
/// The signed note binding `manifest.json` (and through it every file it lists) to the
/// workspace key: `evidentia-pack/1`, the origin, the manifest's SHA-256 (docs/evidence-pack.md).
pub const MANIFEST_NOTE: &str = "manifest.note";
/// The first line of `manifest.note`'s text.
pub const MANIFEST_NOTE_TAG: &str = "evidentia-pack/1";
/// The first line of a finding proof's `finding_note` text (docs/ledger-format.md §18).
pub const FINDING_NOTE_TAG: &str = "evidentia-finding/1";
/// The text `manifest.note` signs: the tag, the origin and the manifest's SHA-256 in hex (one
/// definition for the writer and every verifier).
pub fn manifest_note_text(origin: &str, manifest_sha256: &str) -> String {
    format!("{MANIFEST_NOTE_TAG}\n{origin}\n{manifest_sha256}\n")
}

/// The text a finding proof's `finding_note` signs: the tag, the tree head's three lines and
/// the SHA-256 of the finding's canonical JSON (docs/ledger-format.md §18).
pub fn finding_note_text(
    head: &evidentia_ledger::TreeHead,
    finding: &serde_json::Value,
) -> Result<String, serde_json::Error> {
    let sha = evidentia_ledger::Hash::of(&evidentia_ledger::canonical_json(finding)?);
    Ok(format!(
        "{FINDING_NOTE_TAG}\n{}{}\n",
        head.to_text(),
        sha.to_hex()
    ))
}

/// The public key that signed `checkpoint.note` (SPKI PEM): compare it with the one you were given.
pub const SIGNING_KEY_PEM: &str = "signing-key.pem";
/// Per-finding inclusion proofs: `proofs/findings/<NNNN>.json` (docs/ledger-format.md §18).
pub const FINDING_PROOFS_DIR: &str = "proofs/findings/";
/// The `format` of a finding proof.
pub const FINDING_PROOF_FORMAT: &str = "evidentia-finding-proof/1";

/// The `format` of a selective pack's `manifest.json` (`evidentia pack --sample`): a pack that
/// discloses only a sample's items, without `ledger.jsonl` (docs/evidence-pack.md).
pub const SAMPLE_PACK_FORMAT: &str = "evidentia-sample-pack/1";
/// The sample a selective pack discloses: the sample file without its population list.
pub const SAMPLE_JSON: &str = "sample.json";
/// The auditor's instructions in a selective pack.
pub const SAMPLE_VERIFY_TXT: &str = "VERIFY.txt";
/// Per-item proofs of a selective pack: `proofs/sample/<NNNN>.json` (docs/ledger-format.md §18).
pub const SAMPLE_PROOFS_DIR: &str = "proofs/sample/";
/// Files the caller adds to a selective pack (workpaper, appendix) live under this folder.
pub const SAMPLE_FILES_DIR: &str = "sample/";
/// The `format` of a sample item proof.
pub const SAMPLE_PROOF_FORMAT: &str = "evidentia-sample-proof/1";
/// The first line of a sample item proof's `item_note` text (docs/ledger-format.md §18).
pub const SAMPLE_ITEM_NOTE_TAG: &str = "evidentia-sample-item/1";

/// The text a sample item proof's `item_note` signs: the tag, the tree head's three lines and
/// the SHA-256 of the item's canonical JSON (docs/ledger-format.md §18).
pub fn sample_item_note_text(
    head: &evidentia_ledger::TreeHead,
    item: &serde_json::Value,
) -> Result<String, serde_json::Error> {
    let sha = evidentia_ledger::Hash::of(&evidentia_ledger::canonical_json(item)?);
    Ok(format!(
        "{SAMPLE_ITEM_NOTE_TAG}\n{}{}\n",
        head.to_text(),
        sha.to_hex()
    ))
}

/// The entries a sampled item rests on, ascending and each once: the item's own `entry` and
/// every attribute's `evidence` (what its proof must disclose, no more).
pub fn sample_item_entries(item: &serde_json::Value) -> Option<Vec<u64>> {
    let mut seqs = std::collections::BTreeSet::new();
    seqs.insert(item.get("entry")?.as_u64()?);
    for attribute in item.get("attributes")?.as_array()? {
        for seq in attribute.get("evidence")?.as_array()? {
            seqs.insert(seq.as_u64()?);
        }
    }
    Some(seqs.into_iter().collect())
}

/// The rows of set entries a sampled item cites, ascending and each once, as (entry, row): the
/// item's own `row` beside its `entry`, and every attribute's `evidence_rows` (row ≥ 1; a
/// one-record entry is row 0 and never listed). What its proof discloses of those entries'
/// payloads, no more (docs/evidence-pack.md). `None` when a row is not a count.
pub fn sample_item_rows(item: &serde_json::Value) -> Option<Vec<(u64, u64)>> {
    let mut rows = std::collections::BTreeSet::new();
    if let Some(row) = item.get("row") {
        rows.insert((item.get("entry")?.as_u64()?, row.as_u64()?));
    }
    for attribute in item
        .get("attributes")
        .and_then(serde_json::Value::as_array)
        .into_iter()
        .flatten()
    {
        let Some(cited) = attribute.get("evidence_rows") else {
            continue;
        };
        for cited in cited.as_array()? {
            rows.insert((cited.get("entry")?.as_u64()?, cited.get("row")?.as_u64()?));
        }
    }
    rows.retain(|(_, row)| *row > 0);
    Some(rows.into_iter().collect())
}
