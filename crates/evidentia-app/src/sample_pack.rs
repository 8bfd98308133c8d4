//! The selective evidence pack (`evidentia pack --sample`): only a sample's items and the ledger entries they rest on, each proved against a signed checkpoint, so an auditor's sample can leave the organisation without the rest of the population (docs/evidence-pack.md).

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context as _, anyhow, bail};
use chrono::{DateTime, Utc};
use evidentia_ledger::Hash;
use evidentia_pack::{
    CHECKPOINT_NOTE, Checkpoint, Manifest, PackPeriod, SAMPLE_FILES_DIR, SAMPLE_JSON,
    SAMPLE_PACK_FORMAT, SAMPLE_PROOF_FORMAT, SAMPLE_PROOFS_DIR, SAMPLE_VERIFY_TXT, SIGNING_KEY_PEM,
    sanitize_file_name,
};
use evidentia_store::{EvidenceStore, Head};
use serde_json::{Value, json};

use crate::Location;
use crate::entry_source::{ONE_LINE_KINDS, whole_line};
use crate::export::rfc3339;
use crate::pack::{PackFile, PackReport, PackTrust};
use crate::sample::draw_sample_at;
use crate::{AppError, open_read, request_of, verify_ledger};

/// The sample's workpaper inside a selective pack.
pub const WORKPAPER: &str = "sample/workpaper.xlsx";
/// The sample's PDF appendix inside a selective pack.
pub const APPENDIX: &str = "sample/appendix.pdf";

/// Entry kinds whose payload is one record about one subject (a person's event, an
/// execution, an approval, a decision…): disclosed whole. Every other kind — imports, the
/// policy, analysis runs, reconciliation sets of up to 1,024 inventory rows — may speak of
/// other identities, so its payload is withheld and only its hash disclosed.
const SINGLE_RECORD_KINDS: [&str; 12] = [
    "record.emergency_use",
    "record.lifecycle_event",
    "record.execution",
    "record.approval",
    "record.exception",
    "record.review_decision",
    "record.review_campaign",
    "record.activity_summary",
    "record.activity",
    "record.identity",
    "record.reconciliation",
    "record.account",
];

// Entry kinds that hold many records as `{"artifact", "rows": [{"location", "record"}]}`
// (docs/ledger-format.md §8): a row a sample cites is disclosed on its own beside the
// withheld payload.
use crate::entries::SET_KINDS;

/// The record kind of a set kind's rows, for whether a row is read from one line.
fn row_kind(set_kind: &str) -> &str {
    set_kind.strip_suffix("_set").unwrap_or(set_kind)
}

/// A raw line longer than this is not one record's line (a JSON file on one line): not shown
/// (the entry viewer shows it cut instead).
const MAX_RAW_LINE: usize = crate::entry_source::MAX_RAW_LINE;

/// What was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SamplePackReport {
    /// The zip as any pack reports it; its checkpoint is the head the proofs rest on.
    pub pack: PackReport,
    /// The population sampled.
    pub population: String,
    /// Items disclosed, one proof each.
    pub items: usize,
    /// Entries disclosed over all proofs (an entry two items rest on counts twice).
    pub entries: usize,
    /// Of those, entries whose payload is withheld.
    pub withheld: usize,
    /// Raw lines shown from artifacts: of disclosed entries, and of disclosed set rows.
    pub raw_lines: usize,
    /// Rows of set entries disclosed on their own (an item's sampled execution or cited
    /// inventory row), beside their entry's withheld payload; a row about another identity
    /// counts, its record withheld.
    pub set_rows: usize,
    /// Whether the checkpoint, the manifest and every item are signed.
    pub signed: bool,
}

/// Writes the selective pack of the sample in `sample_file` to `out` (atomically: a temporary
/// file beside it, renamed when complete). The sample must draw again exactly as the file
/// says over the current ledger; `extra_files` are added as given, under `sample/`.
pub async fn write_sample_pack(
    workspace: &Location,
    sample_file: &Path,
    extra_files: Vec<(String, Vec<u8>)>,
    out: &Path,
    now: DateTime<Utc>,
) -> anyhow::Result<SamplePackReport> {
    let sample = read_sample_file(sample_file)?;
    for (name, _) in &extra_files {
        let ok = name
            .strip_prefix(SAMPLE_FILES_DIR)
            .is_some_and(|rest| !rest.is_empty() && sanitize_file_name(rest) == rest);
        if !ok {
            bail!(
                "{name:?} cannot go into a selective pack: added files are named sample/<name>, with ASCII letters, digits, '.', '-' and '_'"
            );
        }
    }
    for (i, (name, _)) in extra_files.iter().enumerate() {
        if extra_files[..i].iter().any(|(n, _)| n == name) {
            bail!("{name:?} is given twice");
        }
    }
    let request =
        request_of(&sample).with_context(|| format!("reading {}", sample_file.display()))?;
    // An altered ledger is refused before anything else is read from it.
    let verified = verify_ledger(workspace, |_| {}).await?;
    if let Some(failure) = verified.report.failure {
        return Err(AppError::VerificationFailed(failure).into());
    }
    let head = Head {
        count: verified.report.entries,
        hash: verified.report.head,
    };
    let then = sample
        .pointer("/population/ledger_head/entries")
        .and_then(Value::as_u64)
        .ok_or_else(|| {
            anyhow!(
                "reading {}: /population/ledger_head/entries: missing or not a count",
                sample_file.display()
            )
        })?;
    let then_hash = sample
        .pointer("/population/ledger_head/hash")
        .and_then(Value::as_str)
        .unwrap_or_default();
    // The sample is drawn again from the ledger as it stood when it was drawn: that head must
    // be a prefix of this ledger (same entry hash there), whatever was imported since.
    let stated = if then == 0 || then > head.count {
        None
    } else {
        let hashes = open_hashes(workspace, then).await?;
        hashes.last().map(|h| h.to_hex())
    };
    if stated.as_deref() != Some(then_hash) {
        bail!(
            "the sample was drawn at a ledger head ({then} entries, {}) that this ledger ({} entries) does not contain: it is another workspace's, or this one was rewritten",
            if then_hash.is_empty() {
                "no hash"
            } else {
                then_hash
            },
            head.count
        );
    }
    let view = draw_sample_at(workspace, &request, Some(then), now)
        .await
        .with_context(|| format!("drawing the sample of {} again", sample_file.display()))?;
    // The workpaper (without the Population sheet: the pack discloses the sample alone) and
    // the PDF appendix go in beside the proofs.
    let mut extra_files = extra_files;
    for (name, bytes) in [
        (WORKPAPER, crate::sample::render_workpaper(&view, false)?),
        (APPENDIX, crate::sample::render_appendix(&view)?),
    ] {
        if !extra_files.iter().any(|(n, _)| n == name) {
            extra_files.push((name.to_owned(), bytes));
        }
    }
    let items = sample
        .get("items")
        .and_then(Value::as_array)
        .cloned()
        .ok_or_else(|| anyhow!("reading {}: /items: missing", sample_file.display()))?;
    let keys: Vec<Option<&str>> = items
        .iter()
        .map(|i| i.get("key").and_then(Value::as_str))
        .collect();
    let drawn: Vec<Option<&str>> = view
        .items
        .iter()
        .map(|s| Some(s.item.key.as_str()))
        .collect();
    let digest = sample.pointer("/population/digest").and_then(Value::as_str);
    if keys != drawn || digest != Some(view.population.digest.as_str()) {
        bail!(
            "{} does not draw again as it says: the population or its items differ over the same ledger (an edited sample file?); draw it again",
            sample_file.display()
        );
    }
    // Drawn again at the head the file states; the proofs are against today's checkpoint.
    if view.population.head_entries != then {
        bail!(
            "the sample was drawn again at head {} instead of {then}",
            view.population.head_entries
        );
    }
    let trust = PackTrust::build(workspace, head).await?;
    let mut disclosed_sample = sample.clone();
    if let Some(pop) = disclosed_sample
        .get_mut("population")
        .and_then(Value::as_object_mut)
    {
        // The population list is the auditor's working file: it names everyone.
        pop.remove("items");
    }
    let ws = open_read(workspace).await?;
    let workspace_id = ws.workspace_id().await;
    let proofs = async {
        let mut disclosure = Disclosure::default();
        let mut proofs = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let seqs = evidentia_pack::sample_item_entries(item).ok_or_else(|| {
                anyhow!(
                    "reading {}: /items/{i}: no entry, or an attribute without its evidence list",
                    sample_file.display()
                )
            })?;
            let rows = evidentia_pack::sample_item_rows(item).ok_or_else(|| {
                anyhow!(
                    "reading {}: /items/{i}: a row or evidence_rows that is not a count",
                    sample_file.display()
                )
            })?;
            let mut entries = Vec::with_capacity(seqs.len());
            for seq in seqs {
                let cited: Vec<u64> = rows
                    .iter()
                    .filter(|(s, _)| *s == seq)
                    .map(|(_, r)| *r)
                    .collect();
                entries.push(disclosure.entry(&ws, &trust, item, seq, &cited).await?);
            }
            let item_note = match &trust.key {
                Some(key) => Value::String(
                    key.sign_note(&evidentia_pack::sample_item_note_text(&trust.head(), item)?)?,
                ),
                None => Value::Null,
            };
            let proof = json!({
                "format": SAMPLE_PROOF_FORMAT,
                "item": item,
                "item_note": item_note,
                "checkpoint": trust.checkpoint_text(),
                "tree_size": trust.tree.size(),
                "tree_root": trust.tree.root().to_hex(),
                "entries": entries,
            });
            let mut bytes = serde_json::to_vec_pretty(&proof)?;
            bytes.push(b'\n');
            proofs.push(bytes);
        }
        Ok::<_, anyhow::Error>((proofs, disclosure))
    }
    .await;
    ws.close().await;
    let workspace_id = workspace_id?;
    let (proofs, disclosure) = proofs?;

    let manifest = Manifest {
        format: SAMPLE_PACK_FORMAT.to_owned(),
        generator: concat!("evidentia ", env!("CARGO_PKG_VERSION")).to_owned(),
        workspace_id: workspace_id.clone(),
        framework: format!("sample:{}", view.population.def.name),
        period: PackPeriod {
            from: view.population.period_from.map(|d| d.to_string()),
            to: view.population.period_to.map(|d| d.to_string()),
        },
        as_of: rfc3339(view.population.as_of),
        generated_at: rfc3339(now),
        checkpoint: Checkpoint {
            entry_count: head.count,
            head_hash: head.hash.to_hex(),
            tree_root: Some(trust.tree.root().to_hex()),
            origin: Some(trust.origin.clone()),
        },
        files: Vec::new(),
    };
    let mut sample_bytes = serde_json::to_vec_pretty(&disclosed_sample)?;
    sample_bytes.push(b'\n');
    let verify_txt = verify_txt(
        &manifest,
        view.population.def.name,
        items.len(),
        &disclosure,
        trust.signed.is_some(),
    );

    let mut file = PackFile::create(out)?;
    (|| {
        let pack = &mut file.writer;
        pack.add(SAMPLE_VERIFY_TXT, verify_txt.as_bytes())?;
        pack.add(SAMPLE_JSON, &sample_bytes)?;
        for (i, bytes) in proofs.iter().enumerate() {
            pack.add(&format!("{SAMPLE_PROOFS_DIR}{:04}.json", i + 1), bytes)?;
        }
        for (name, bytes) in &extra_files {
            pack.add(name, bytes)?;
        }
        if let Some((note, public_pem)) = &trust.signed {
            pack.add(CHECKPOINT_NOTE, note.as_bytes())?;
            pack.add(SIGNING_KEY_PEM, public_pem.as_bytes())?;
        }
        Ok::<_, std::io::Error>(())
    })()
    .with_context(|| format!("writing {}", out.display()))?;
    let pack = file.finish(manifest, &trust, head)?;
    Ok(SamplePackReport {
        pack,
        population: view.population.def.name.to_owned(),
        items: items.len(),
        entries: disclosure.entries,
        withheld: disclosure.withheld,
        raw_lines: disclosure.raw_lines,
        set_rows: disclosure.set_rows,
        signed: trust.signed.is_some(),
    })
}

/// The sample file as JSON; what is wrong with it names the file and where.
fn read_sample_file(path: &Path) -> anyhow::Result<Value> {
    let bytes = std::fs::read(path)
        .with_context(|| format!("reading the sample file {}", path.display()))?;
    let value: Value = serde_json::from_slice(&bytes).map_err(|e| {
        anyhow!(
            "reading the sample file {}: not JSON (line {}, column {}): {e}",
            path.display(),
            e.line(),
            e.column()
        )
    })?;
    if value.get("format").and_then(Value::as_str) != Some("evidentia-sample/1") {
        bail!(
            "reading the sample file {}: not an Evidentia sample file (/format is not \"evidentia-sample/1\"; write one with `evidentia sample … --out FILE`)",
            path.display()
        );
    }
    Ok(value)
}

/// The entries disclosed so far, and the artifacts read for their raw lines.
#[derive(Default)]
struct Disclosure {
    entries: usize,
    withheld: usize,
    raw_lines: usize,
    set_rows: usize,
    /// Artifact (hex) → its lines, read once however many entries cite it.
    artifacts: BTreeMap<String, Option<Vec<Vec<u8>>>>,
}

impl Disclosure {
    /// Entry `seq` as its ledger.jsonl object with its inclusion proof, its payload withheld
    /// unless it is one record, and the artifact's raw line when the record is one line. For
    /// a set entry, the `rows` the item cites (1-based) are disclosed on their own.
    async fn entry(
        &mut self,
        ws: &evidentia_store::Workspace,
        trust: &PackTrust,
        item: &Value,
        seq: u64,
        rows: &[u64],
    ) -> anyhow::Result<Value> {
        let size = trust.tree.size();
        if seq == 0 || seq > size {
            bail!("the sample cites entry {seq}, outside the ledger's {size} entries");
        }
        let entry = ws
            .entries(seq, 1)
            .await?
            .into_iter()
            .next()
            .filter(|e| e.seq == seq)
            .ok_or_else(|| anyhow!("entry {seq} is missing from the ledger"))?;
        let mut line: Value = serde_json::from_slice(&evidentia_pack::to_line(&entry)?)?;
        let inclusion: Vec<String> = trust
            .tree
            .inclusion_proof(seq - 1, size)?
            .iter()
            .map(Hash::to_hex)
            .collect();
        self.entries += 1;
        let payload = serde_json::from_slice::<Value>(&entry.payload).ok();
        let withheld = if !SINGLE_RECORD_KINDS.contains(&entry.kind.as_str()) {
            Some(format!(
                "a {} entry may name identities outside the sample: only its payload_sha256 is disclosed",
                entry.kind
            ))
        } else {
            payload
                .as_ref()
                .and_then(|p| about_another(item, p))
                .map(|whom| {
                    format!(
                        "a {} about {whom}, not the sampled item: cited for what it shows of its source (a snapshot's time and coverage), so only its payload_sha256 is disclosed",
                        entry.kind
                    )
                })
        };
        let set_rows = if rows.is_empty() {
            None
        } else {
            Some(
                self.set_rows(ws, item, seq, &entry.kind, payload.as_ref(), rows)
                    .await?,
            )
        };
        if let Some(reason) = withheld {
            self.withheld += 1;
            line["payload"] = Value::Null;
            let mut disclosed = json!({
                "entry": line,
                "inclusion": inclusion,
                "raw_line": null,
                "payload_withheld": reason,
            });
            if let Some(set_rows) = set_rows {
                disclosed["rows"] = Value::Array(set_rows);
            }
            return Ok(disclosed);
        }
        let raw_line = match &payload {
            Some(payload) if ONE_LINE_KINDS.contains(&entry.kind.as_str()) => {
                self.raw_line(ws, payload).await?
            }
            _ => None,
        };
        if raw_line.is_some() {
            self.raw_lines += 1;
        }
        Ok(json!({ "entry": line, "inclusion": inclusion, "raw_line": raw_line }))
    }

    /// The cited rows of set entry `seq`, each on its own: `{row, artifact, location, record,
    /// raw_line}`, the record being `rows[row-1]` of the payload the entry's `payload_sha256`
    /// commits to. A row about another identity (or account) than the item's keeps its place
    /// (row, artifact, location) and withholds its record, as a single record would.
    async fn set_rows(
        &mut self,
        ws: &evidentia_store::Workspace,
        item: &Value,
        seq: u64,
        kind: &str,
        payload: Option<&Value>,
        rows: &[u64],
    ) -> anyhow::Result<Vec<Value>> {
        if !SET_KINDS.contains(&kind) {
            bail!(
                "the sample cites row {} of entry {seq}, a {kind} entry, which has no rows",
                rows[0]
            );
        }
        let all = payload
            .and_then(|p| p.get("rows"))
            .and_then(Value::as_array)
            .ok_or_else(|| anyhow!("entry {seq}: a {kind} payload without its rows"))?;
        let artifact = payload.and_then(|p| p.get("artifact")).cloned();
        let mut disclosed = Vec::with_capacity(rows.len());
        for &n in rows {
            let row = usize::try_from(n)
                .ok()
                .and_then(|n| all.get(n.checked_sub(1)?))
                .ok_or_else(|| {
                    anyhow!(
                        "the sample cites row {n} of entry {seq}, which has {} rows",
                        all.len()
                    )
                })?;
            let location = row.get("location").cloned().unwrap_or(Value::Null);
            // The row as a one-record payload: what `about_another` and `raw_line` read.
            let alone = json!({
                "artifact": artifact.clone().unwrap_or(Value::Null),
                "location": location.clone(),
                "record": row.get("record").cloned().unwrap_or(Value::Null),
            });
            self.set_rows += 1;
            if let Some(whom) = about_another(item, &alone) {
                disclosed.push(json!({
                    "row": n,
                    "artifact": alone["artifact"],
                    "location": location,
                    "record": null,
                    "raw_line": null,
                    "record_withheld": format!(
                        "a {} row about {whom}, not the sampled item: cited for what it shows of its source (a snapshot's time and coverage)",
                        row_kind(kind)
                    ),
                }));
                continue;
            }
            let raw_line = if ONE_LINE_KINDS.contains(&row_kind(kind)) {
                self.raw_line(ws, &alone).await?
            } else {
                None
            };
            if raw_line.is_some() {
                self.raw_lines += 1;
            }
            disclosed.push(json!({
                "row": n,
                "artifact": alone["artifact"],
                "location": location,
                "record": alone["record"],
                "raw_line": raw_line,
            }));
        }
        Ok(disclosed)
    }

    /// The artifact's line a record was read from, when its location is exactly `line N`
    /// (a location with a pointer after the line is one value inside a line that holds
    /// more, so the line is not shown) and the line is short UTF-8 text.
    async fn raw_line(
        &mut self,
        ws: &evidentia_store::Workspace,
        payload: &Value,
    ) -> anyhow::Result<Option<String>> {
        let (Some(artifact), Some(location)) = (
            payload.get("artifact").and_then(Value::as_str),
            payload.get("location").and_then(Value::as_str),
        ) else {
            return Ok(None);
        };
        let Some(n) = whole_line(location) else {
            return Ok(None);
        };
        if !self.artifacts.contains_key(artifact) {
            let lines = match Hash::from_hex(artifact) {
                Ok(sha) => {
                    let mut bytes = Vec::new();
                    let mut idx = 0u64;
                    while let Some(chunk) = ws.artifact_chunk(&sha, idx).await? {
                        bytes.extend(chunk);
                        idx += 1;
                    }
                    (Hash::of(&bytes) == sha)
                        .then(|| bytes.split(|b| *b == b'\n').map(<[u8]>::to_vec).collect())
                }
                Err(_) => None,
            };
            self.artifacts.insert(artifact.to_owned(), lines);
        }
        let line = self
            .artifacts
            .get(artifact)
            .and_then(Option::as_ref)
            .and_then(|lines| lines.get(n - 1))
            .and_then(|l| std::str::from_utf8(l.strip_suffix(b"\r").unwrap_or(l)).ok())
            .filter(|l| l.len() <= MAX_RAW_LINE && !l.chars().any(|c| c.is_control() && c != '\t'))
            .map(str::to_owned);
        Ok(line)
    }
}

/// Whom a single record is about when that is not the sampled item: its `identity` or
/// `subject` names another identity than the item's, or (for an item without an identity) its
/// `account` another account. A record that names no subject (an execution, whose actor may
/// be anyone) is the item's evidence as cited.
fn about_another(item: &Value, payload: &Value) -> Option<String> {
    let record = payload.get("record")?;
    let field = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).map(str::to_owned);
    if let Some(own) = field(item, "identity") {
        return ["identity", "subject"]
            .iter()
            .filter_map(|k| field(record, k))
            .find(|named| *named != own)
            .map(|_| "another identity".to_owned());
    }
    let own = field(item, "account")?;
    field(record, "account")
        .filter(|named| *named != own)
        .map(|_| "another account".to_owned())
}

/// `VERIFY.txt`: how to check this pack, and what it is.
fn verify_txt(
    manifest: &Manifest,
    population: &str,
    items: usize,
    d: &Disclosure,
    signed: bool,
) -> String {
    format!(
        "Evidentia selective evidence pack ({SAMPLE_PACK_FORMAT})\n\
         \n\
         This pack discloses a sample of {items} item(s) of the population `{population}` and the\n\
         ledger entries each item rests on, nothing else: no ledger.jsonl, no artifacts, no exports.\n\
         Each proofs/sample/NNNN.json proves its item's entries against the checkpoint below with\n\
         RFC 9162 inclusion proofs; an entry whose payload could name identities outside the sample\n\
         is disclosed without it (payload null, payload_withheld saying why, payload_sha256 kept).\n\
         When an item cites row N of a set entry (an execution or an inventory row among up to\n\
         1,024 others), that row alone is disclosed beside the withheld payload, under \"rows\".\n\
         \n\
         To check it:\n\
         \n\
         1. sha256sum -c SHA256SUMS\n\
         2. evidentia pack verify THIS.zip --key the-workspace-public-key.pem\n\
         3. or, per item, with Python 3 and nothing else:\n\
            python3 verify_ledger.py --proof proofs/sample/0001.json --key the-workspace-public-key.pem\n\
            (tools/verify_ledger.py from the Evidentia repository or a full evidence pack)\n\
         \n\
         What is proven: every disclosed entry is in the ledger under the signed checkpoint, and\n\
         each item (its attributes and outcomes) was signed with it. What is not: a raw_line is\n\
         the artifact's line for reading (the artifact is not in the pack, so its hash cannot be\n\
         checked); a withheld payload's content; and that a disclosed row is rows[N-1] of its\n\
         entry's payload. A row cannot be hashed to payload_sha256 without its neighbours: it is\n\
         the workspace's statement (signed with the pack when signed), and payload_sha256 binds\n\
         it. To tie a row out, take that entry's line from a full evidence pack's ledger.jsonl\n\
         (same checkpoint or later): its payload must hash to payload_sha256 and hold the row.\n\
         \n\
         Workspace: {}\n\
         Checkpoint: {} entries, head {}, tree root {}\n\
         Signed: {}\n\
         Entries disclosed: {} ({} payloads withheld, {} raw lines, {} set rows)\n",
        manifest.workspace_id,
        manifest.checkpoint.entry_count,
        manifest.checkpoint.head_hash,
        manifest.checkpoint.tree_root.as_deref().unwrap_or("-"),
        if signed {
            "checkpoint.note, manifest.note and every item_note, by the key in signing-key.pem"
        } else {
            "no (the workspace's signing key was not available)"
        },
        d.entries,
        d.withheld,
        d.raw_lines,
        d.set_rows,
    )
}

/// The entry hashes 1…`upto` of a verified ledger.
async fn open_hashes(
    workspace: &Location,
    upto: u64,
) -> anyhow::Result<Vec<evidentia_ledger::Hash>> {
    let ws = open_read(workspace).await?;
    let hashes = ws.entry_hashes(upto).await;
    ws.close().await;
    Ok(hashes?)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use chrono::TimeZone;
    use evidentia_ledger::canonical_json;
    use evidentia_store::Access;

    use super::*;

    const AT: &str = "2026-03-01T00:00:00.000000Z";

    /// A CloudTrail-like JSON-lines log: three executions, each on its own line.
    const LOG: &str = "{\"eventName\":\"AddUserToGroup\",\"user\":\"alice\"}\n\
                       {\"eventName\":\"AddUserToGroup\",\"user\":\"bob\"}\n\
                       {\"eventName\":\"AddUserToGroup\",\"user\":\"carol\"}\n";

    fn execution(account: &str) -> Value {
        json!({"account": account, "action": "grant", "actor": "admin",
            "at": "2026-02-01T10:00:00Z", "entitlement": "admins", "failure_reason": null,
            "outcome": "success", "request_ref": null, "source_event_id": null,
            "source_event_type": "AddUserToGroup", "system": "aws"})
    }

    fn inventory_row(account: &str, identity: &str) -> Value {
        json!({"account": account, "as_of": "2026-02-02T00:00:00Z", "entitlement": null,
            "identity": identity, "last_used_at": null, "status": "active", "system": "aws"})
    }

    /// A workspace holding the log as an artifact, its three executions as one
    /// `record.execution_set` (entry 3), an inventory of two rows as one
    /// `record.reconciliation_set` (entry 4) and a lone execution (entry 5).
    async fn workspace(dir: &Path) -> (Location, Vec<u8>) {
        let path = Location::from(dir.join("sets.evidentia"));
        let now = Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).single().unwrap();
        crate::init_workspace(&path, now).await.unwrap();
        let ws = evidentia_store::Workspace::open(&path, Access::ReadWrite)
            .await
            .unwrap();
        let mut batch = ws.begin().await.unwrap();
        let sha = Hash::of(LOG.as_bytes());
        let mut writer = batch.start_artifact(sha);
        batch
            .write_artifact(&mut writer, LOG.as_bytes())
            .await
            .unwrap();
        assert_eq!(batch.finish_artifact(writer, AT).await.unwrap(), 2);
        let rows: Vec<Value> = ["alice", "bob", "carol"]
            .iter()
            .enumerate()
            .map(
                |(i, who)| json!({"location": format!("line {}", i + 1), "record": execution(who)}),
            )
            .collect();
        let set = canonical_json(&json!({"artifact": sha.to_hex(), "rows": rows})).unwrap();
        let inventory = canonical_json(&json!({
            "artifact": sha.to_hex(),
            "rows": [
                {"location": "line 1", "record": inventory_row("bob", "E2")},
                {"location": "line 2", "record": inventory_row("dave", "E9")},
            ],
        }))
        .unwrap();
        let lone = canonical_json(&json!({
            "artifact": sha.to_hex(), "location": "line 2", "record": execution("bob"),
        }))
        .unwrap();
        for (kind, payload, seq) in [
            ("record.execution_set", set.clone(), 3),
            (crate::entries::RECONCILIATION_SET_KIND, inventory, 4),
            ("record.execution", lone, 5),
        ] {
            assert_eq!(batch.append(kind, AT, payload).await.unwrap(), seq);
        }
        batch.commit().await.unwrap();
        ws.close().await;
        (path, set)
    }

    /// Discloses `seq` for `item` with the rows it cites, as the pack writer does.
    async fn disclose(path: &Location, item: &Value, seq: u64) -> anyhow::Result<(Value, usize)> {
        let ws = open_read(path).await?;
        let head = ws.head().await?;
        let trust = PackTrust::build(path, head).await?;
        let rows: Vec<u64> = evidentia_pack::sample_item_rows(item)
            .unwrap()
            .into_iter()
            .filter(|(s, _)| *s == seq)
            .map(|(_, r)| r)
            .collect();
        let mut disclosure = Disclosure::default();
        let result = disclosure.entry(&ws, &trust, item, seq, &rows).await;
        ws.close().await;
        Ok((result?, disclosure.set_rows))
    }

    fn bobs_grant() -> Value {
        json!({"key": "3:2", "entry": 3, "row": 2, "kind": "grant", "identity": "E2",
        "account": "bob", "attributes": [
            {"id": "approved", "evidence": [3], "evidence_rows": [{"entry": 3, "row": 2}]},
            {"id": "held", "evidence": [4], "evidence_rows": [
                {"entry": 4, "row": 1}, {"entry": 4, "row": 2}]},
        ]})
    }

    #[tokio::test]
    async fn a_sampled_execution_is_disclosed_alone_beside_its_withheld_set() {
        let dir = tempfile::tempdir().unwrap();
        let (path, set) = workspace(dir.path()).await;
        let (disclosed, rows) = disclose(&path, &bobs_grant(), 3).await.unwrap();
        assert_eq!(rows, 1);
        assert_eq!(disclosed["entry"]["payload"], Value::Null);
        assert!(
            disclosed["payload_withheld"]
                .as_str()
                .unwrap()
                .contains("record.execution_set")
        );
        // The hash the row is bound to is the stored payload's.
        assert_eq!(
            disclosed["entry"]["payload_sha256"],
            Hash::of(&set).to_hex()
        );
        let stored: Value = serde_json::from_slice(&set).unwrap();
        assert_eq!(
            disclosed["rows"],
            json!([{
                "row": 2,
                "artifact": Hash::of(LOG.as_bytes()).to_hex(),
                "location": "line 2",
                "record": stored["rows"][1]["record"],
                "raw_line": "{\"eventName\":\"AddUserToGroup\",\"user\":\"bob\"}",
            }])
        );
        // Its neighbours are not in the disclosure at all.
        let text = disclosed.to_string();
        assert!(!text.contains("alice") && !text.contains("carol"), "{text}");
    }

    #[tokio::test]
    async fn an_inventory_row_about_another_identity_keeps_its_place_not_its_record() {
        let dir = tempfile::tempdir().unwrap();
        let (path, _) = workspace(dir.path()).await;
        let (disclosed, rows) = disclose(&path, &bobs_grant(), 4).await.unwrap();
        assert_eq!(rows, 2);
        let rows = disclosed["rows"].as_array().unwrap();
        assert_eq!(rows[0]["record"], inventory_row("bob", "E2"));
        assert_eq!(rows[0]["raw_line"], LOG.lines().next().unwrap());
        assert_eq!(rows[1]["row"], 2);
        assert_eq!(rows[1]["location"], "line 2");
        assert_eq!(rows[1]["record"], Value::Null);
        assert_eq!(rows[1]["raw_line"], Value::Null);
        assert!(
            rows[1]["record_withheld"]
                .as_str()
                .unwrap()
                .starts_with("a record.reconciliation row about another identity"),
            "{rows:?}"
        );
        assert!(!disclosed.to_string().contains("dave"));
    }

    #[tokio::test]
    async fn a_row_the_entry_does_not_have_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let (path, _) = workspace(dir.path()).await;
        let mut item = bobs_grant();
        item["row"] = 7.into();
        let err = disclose(&path, &item, 3).await.unwrap_err().to_string();
        assert_eq!(
            err, "the sample cites row 7 of entry 3, which has 3 rows",
            "{err}"
        );
        let item = json!({"key": "5:1", "entry": 5, "row": 1, "attributes": []});
        let err = disclose(&path, &item, 5).await.unwrap_err().to_string();
        assert_eq!(
            err,
            "the sample cites row 1 of entry 5, a record.execution entry, which has no rows"
        );
        // Row 0 (the lone execution itself) is disclosed whole, as before.
        let item = json!({"key": "5", "entry": 5, "identity": "E2", "attributes": []});
        let (disclosed, rows) = disclose(&path, &item, 5).await.unwrap();
        assert_eq!(rows, 0);
        assert!(disclosed["entry"]["payload"].is_string());
        assert!(disclosed.get("rows").is_none());
    }
}
