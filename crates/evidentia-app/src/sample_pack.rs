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
const SINGLE_RECORD_KINDS: [&str; 11] = [
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
    /// Of those, entries shown with their artifact's raw line.
    pub raw_lines: usize,
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
            let mut entries = Vec::with_capacity(seqs.len());
            for seq in seqs {
                entries.push(disclosure.entry(&ws, &trust, item, seq).await?);
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
    /// Artifact (hex) → its lines, read once however many entries cite it.
    artifacts: BTreeMap<String, Option<Vec<Vec<u8>>>>,
}

impl Disclosure {
    /// Entry `seq` as its ledger.jsonl object with its inclusion proof, its payload withheld
    /// unless it is one record, and the artifact's raw line when the record is one line.
    async fn entry(
        &mut self,
        ws: &evidentia_store::Workspace,
        trust: &PackTrust,
        item: &Value,
        seq: u64,
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
        if let Some(reason) = withheld {
            self.withheld += 1;
            line["payload"] = Value::Null;
            return Ok(json!({
                "entry": line,
                "inclusion": inclusion,
                "raw_line": null,
                "payload_withheld": reason,
            }));
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
         checked); a withheld payload's content.\n\
         \n\
         Workspace: {}\n\
         Checkpoint: {} entries, head {}, tree root {}\n\
         Signed: {}\n\
         Entries disclosed: {} ({} payloads withheld, {} raw lines)\n",
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
