//! The evidence pack: one zip an auditor can check offline with standard tools — the report,
//! every export, the OSCAL results, the raw artifacts, the ledger as JSON lines, a manifest
//! naming the checkpoint, `SHA256SUMS`, instructions and a stdlib-only Python verifier — and
//! `verify_pack_file`, which checks one without extracting it (docs/evidence-pack.md).

use std::io::{BufReader, BufWriter, Read as _};
use std::path::{Path, PathBuf};

use anyhow::{Context as _, anyhow};
use evidentia_ledger::note::TreeHead;
use evidentia_ledger::{Hash, MerkleTree};
use evidentia_pack::{
    CHECKPOINT_NOTE, Checkpoint, FINDING_PROOF_FORMAT, FINDING_PROOFS_DIR, LEDGER_JSONL, Limits,
    MANIFEST_FORMAT, Manifest, PackPeriod, PackWriter, SIGNING_KEY_PEM, Verdict,
};
use evidentia_store::{EvidenceStore, Head};

use crate::Location;
use crate::export::{
    ExportFormat, ExportKind, ExportSource, artifact_pack_path, export_source, rfc3339,
};
use crate::{AppError, ReportOptions, open_read, render_report, verify_ledger};

/// The stdlib-only verifier every pack carries (`tools/verify_ledger.py` in the repository).
pub const VERIFY_LEDGER_PY: &str = include_str!("../../../tools/verify_ledger.py");

/// The auditor's instructions: the part of docs/evidence-pack.md between its VERIFY.md markers.
const EVIDENCE_PACK_DOC: &str = include_str!("../../../docs/evidence-pack.md");
const VERIFY_BEGIN: &str = "<!-- VERIFY.md begins -->";
const VERIFY_END: &str = "<!-- VERIFY.md ends -->";

/// Ledger entries read per page while writing `ledger.jsonl`.
const LEDGER_PAGE: u64 = 5_000;

/// What was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackReport {
    pub path: PathBuf,
    /// Files in the archive, `manifest.json` and `SHA256SUMS` included.
    pub files: usize,
    /// Bytes of those files, uncompressed.
    pub bytes: u64,
    /// Size and SHA-256 of the zip itself.
    pub zip_size: u64,
    pub zip_sha256: String,
    /// The ledger head the pack was made from (its checkpoint).
    pub checkpoint: Head,
}

/// `VERIFY.md`: the instructions of docs/evidence-pack.md, then what this pack is.
fn verify_md(source: &ExportSource, manifest: &Manifest, signed: bool) -> anyhow::Result<String> {
    let start = EVIDENCE_PACK_DOC
        .find(VERIFY_BEGIN)
        .ok_or_else(|| anyhow!("docs/evidence-pack.md has no VERIFY.md section"))?
        + VERIFY_BEGIN.len();
    let end = EVIDENCE_PACK_DOC
        .find(VERIFY_END)
        .ok_or_else(|| anyhow!("docs/evidence-pack.md has no end to its VERIFY.md section"))?;
    let body = EVIDENCE_PACK_DOC
        .get(start..end)
        .ok_or_else(|| anyhow!("docs/evidence-pack.md: VERIFY.md markers out of order"))?
        .trim();
    let period = |d: &Option<String>| d.clone().unwrap_or_else(|| "-".to_owned());
    Ok(format!(
        "{body}\n\n## This pack\n\n\
         - Workspace: `{}`\n\
         - Framework: `{}`\n\
         - Period: {} to {} (judged as of {})\n\
         - Generated at: {}\n\
         - Checkpoint: {} entries, head `{}`, tree root `{}`\n\
         - Signed checkpoint: {}\n\n\
         Keep the checkpoint line above somewhere outside this pack: it is what a rewritten \
         ledger cannot match.\n",
        source.workspace_id,
        manifest.framework,
        period(&manifest.period.from),
        period(&manifest.period.to),
        manifest.as_of,
        manifest.generated_at,
        manifest.checkpoint.entry_count,
        manifest.checkpoint.head_hash,
        manifest.checkpoint.tree_root.as_deref().unwrap_or("-"),
        if signed {
            "`checkpoint.note`, signed by the workspace key in `signing-key.pem`"
        } else {
            "none (the workspace's signing key was not available when the pack was made)"
        },
    ))
}

/// What ties a pack to its ledger beyond the chain: the Merkle tree over the entries it
/// carries, and the signed checkpoint of its root when the workspace's key is available.
pub(crate) struct PackTrust {
    pub(crate) tree: MerkleTree,
    pub(crate) origin: String,
    /// The signed note, and the public key (SPKI PEM) that signed it.
    pub(crate) signed: Option<(String, String)>,
    /// The key itself, to sign the manifest and each finding.
    pub(crate) key: Option<evidentia_ledger::SigningKey>,
}

impl PackTrust {
    pub(crate) async fn build(workspace: &Location, head: Head) -> anyhow::Result<PackTrust> {
        let ws = open_read(workspace).await?;
        let result = async {
            let hashes = ws.entry_hashes(head.count).await?;
            if hashes.last().copied().unwrap_or(Hash::ZERO) != head.hash {
                return Err(anyhow!(
                    "the ledger changed under the pack: entry {} is not the analysed head",
                    head.count
                ));
            }
            let tree = MerkleTree::from_entry_hashes(&hashes);
            let origin = evidentia_store::Checkpoint::origin(&ws.workspace_id().await?);
            let key = crate::trust::load_signing_key(&ws, head.count, None).await?;
            let signed = match &key {
                Some(key) => {
                    let note = evidentia_ledger::note::sign_checkpoint(
                        &TreeHead {
                            origin: origin.clone(),
                            size: head.count,
                            root: tree.root(),
                        },
                        key,
                    )?;
                    Some((note, key.verifier().to_pem()?))
                }
                None => None,
            };
            Ok::<_, anyhow::Error>(PackTrust {
                key,
                tree,
                origin,
                signed,
            })
        }
        .await;
        ws.close().await;
        result
    }

    /// `manifest.note`: the manifest's SHA-256 signed with the workspace key, which binds
    /// every file the manifest lists (report, exports, OSCAL, instructions, proofs) to the
    /// signer, not just the ledger (docs/evidence-pack.md).
    pub(crate) fn manifest_note(&self, manifest_json: &[u8]) -> anyhow::Result<Option<String>> {
        let Some(key) = &self.key else {
            return Ok(None);
        };
        let text =
            evidentia_pack::manifest_note_text(&self.origin, &Hash::of(manifest_json).to_hex());
        Ok(Some(key.sign_note(&text)?))
    }

    /// A finding proof's `finding_note`: the finding's canonical JSON hash and the tree it
    /// rests on, signed, so one proof handed over alone cannot carry another finding's words
    /// (docs/ledger-format.md §18). `null` when nothing can sign.
    fn finding_note(&self, finding: &serde_json::Value) -> anyhow::Result<serde_json::Value> {
        let Some(key) = &self.key else {
            return Ok(serde_json::Value::Null);
        };
        let text = evidentia_pack::finding_note_text(&self.head(), finding)?;
        Ok(serde_json::Value::String(key.sign_note(&text)?))
    }

    /// The checkpoint text proofs carry: the signed note, or the unsigned checkpoint text
    /// followed by the empty line (docs/ledger-format.md §18).
    pub(crate) fn checkpoint_text(&self) -> String {
        crate::trust::checkpoint_text(&self.head(), self.signed.as_ref().map(|(n, _)| n.as_str()))
    }

    /// The tree head the pack's checkpoint names.
    pub(crate) fn head(&self) -> TreeHead {
        TreeHead {
            origin: self.origin.clone(),
            size: self.tree.size(),
            root: self.tree.root(),
        }
    }
}

/// Builds the pack for `options` into `out` (atomically: a temporary file beside it, renamed
/// when complete), rendering the PDF report through [`render_report`].
pub async fn write_pack(
    workspace: &Location,
    options: &ReportOptions,
    out: &Path,
) -> anyhow::Result<PackReport> {
    ensure_intact(workspace).await?;
    let pdf = render_report(workspace, options)
        .await
        .context("rendering the report for the pack")?;
    write_verified(workspace, options, &pdf, out).await
}

/// A pack of an altered ledger would carry the alteration as evidence: refuse it, before
/// anything is read from the ledger or written.
pub(crate) async fn ensure_intact(workspace: &Location) -> anyhow::Result<()> {
    let verified = verify_ledger(workspace, |_| {}).await?;
    match verified.report.failure {
        Some(failure) => Err(AppError::VerificationFailed(failure).into()),
        None => Ok(()),
    }
}

/// Builds the pack around an already rendered report (`report-<framework>.pdf`).
pub async fn write_pack_with_report(
    workspace: &Location,
    options: &ReportOptions,
    report_pdf: &[u8],
    out: &Path,
) -> anyhow::Result<PackReport> {
    ensure_intact(workspace).await?;
    write_verified(workspace, options, report_pdf, out).await
}

async fn write_verified(
    workspace: &Location,
    options: &ReportOptions,
    report_pdf: &[u8],
    out: &Path,
) -> anyhow::Result<PackReport> {
    let source = export_source(workspace, options).await?;
    let trust = PackTrust::build(workspace, source.run.head).await?;
    let mut file = PackFile::create(out)?;
    fill(&mut file.writer, workspace, &source, &trust, report_pdf)
        .await
        .with_context(|| format!("writing {}", out.display()))?;
    file.finish(manifest_for(&source, &trust), &trust, source.run.head)
}

/// A pack being written: a temporary file beside `out`, so that nothing is half-written;
/// [`PackFile::finish`] adds the signed manifest and `SHA256SUMS` and renames it into place.
pub(crate) struct PackFile {
    tmp: tempfile::NamedTempFile,
    pub(crate) writer: PackWriter<BufWriter<std::fs::File>>,
    out: PathBuf,
}

impl PackFile {
    pub(crate) fn create(out: &Path) -> anyhow::Result<PackFile> {
        let dir = match out.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        let tmp = tempfile::Builder::new()
            .prefix(".evidentia-pack-")
            .tempfile_in(dir)
            .with_context(|| format!("creating a temporary file in {}", dir.display()))?;
        let file = tmp
            .as_file()
            .try_clone()
            .with_context(|| format!("writing {}", out.display()))?;
        Ok(PackFile {
            tmp,
            writer: PackWriter::new(BufWriter::new(file)),
            out: out.to_owned(),
        })
    }

    /// The manifest (signed when the trust allows) and `SHA256SUMS` last, the file synced,
    /// hashed and renamed to `out`.
    pub(crate) fn finish(
        self,
        manifest: Manifest,
        trust: &PackTrust,
        checkpoint: Head,
    ) -> anyhow::Result<PackReport> {
        let out = self.out;
        let writing = || format!("writing {}", out.display());
        let (writer, all) = self
            .writer
            .finish_with_note(manifest, |json| {
                trust.manifest_note(json).map_err(std::io::Error::other)
            })
            .with_context(writing)?;
        let file = writer
            .into_inner()
            .map_err(|e| e.into_error())
            .with_context(writing)?;
        file.sync_all().with_context(writing)?;
        drop(file);
        let (zip_sha256, zip_size) = hash_file(self.tmp.path())?;
        self.tmp.persist(&out).with_context(writing)?;
        Ok(PackReport {
            path: out.clone(),
            files: all.len(),
            bytes: all.iter().map(|f| f.size).sum(),
            zip_size,
            zip_sha256,
            checkpoint,
        })
    }
}

/// The manifest of a pack made from `source`, without its file list (the writer fills it).
fn manifest_for(source: &ExportSource, trust: &PackTrust) -> Manifest {
    let org = &source.run.policy.policy.organisation;
    let day = |d: Option<chrono::NaiveDate>| d.map(|d| d.format("%Y-%m-%d").to_string());
    Manifest {
        format: MANIFEST_FORMAT.to_owned(),
        generator: concat!("evidentia ", env!("CARGO_PKG_VERSION")).to_owned(),
        workspace_id: source.workspace_id.clone(),
        framework: source.options.framework.clone(),
        period: PackPeriod {
            from: day(org.period_start),
            to: day(org.period_end),
        },
        as_of: rfc3339(source.run.as_of),
        generated_at: rfc3339(source.options.generated_at),
        checkpoint: Checkpoint {
            entry_count: source.run.head.count,
            head_hash: source.run.head.hash.to_hex(),
            tree_root: Some(trust.tree.root().to_hex()),
            origin: Some(trust.origin.clone()),
        },
        files: Vec::new(),
    }
}

pub(crate) fn hash_file(path: &Path) -> anyhow::Result<(String, u64)> {
    use sha2::Digest as _;
    let mut f = std::fs::File::open(path).with_context(|| format!("reading {}", path.display()))?;
    let mut hasher = sha2::Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut n = 0u64;
    loop {
        let read = f
            .read(&mut buf)
            .with_context(|| format!("reading {}", path.display()))?;
        if read == 0 {
            break;
        }
        hasher.update(&buf[..read]);
        n += read as u64;
    }
    Ok((hex::encode(hasher.finalize()), n))
}

/// Every file but the manifest and `SHA256SUMS`, in the pack's fixed order.
async fn fill<W: std::io::Write + std::io::Seek>(
    pack: &mut PackWriter<W>,
    workspace: &Location,
    source: &ExportSource,
    trust: &PackTrust,
    report_pdf: &[u8],
) -> anyhow::Result<()> {
    // VERIFY.md describes the pack, so it needs the manifest's facts, not its file list.
    let facts = manifest_for(source, trust);
    pack.add(
        "VERIFY.md",
        verify_md(source, &facts, trust.signed.is_some())?.as_bytes(),
    )?;
    // The findings as exported, to give each its proof file (same rows, same order).
    let findings_json = source.render(ExportKind::Findings, ExportFormat::Json)?;
    let findings: serde_json::Value = serde_json::from_slice(&findings_json)?;
    let rows = findings["rows"].as_array().cloned().unwrap_or_default();
    let mut wanted: std::collections::BTreeMap<u64, Option<serde_json::Value>> = rows
        .iter()
        .flat_map(|r| r["evidence"].as_array().cloned().unwrap_or_default())
        .filter_map(|v| v.as_u64())
        .map(|seq| (seq, None))
        .collect();
    pack.add(
        &format!(
            "report-{}.pdf",
            evidentia_pack::sanitize_file_name(&source.options.framework)
        ),
        report_pdf,
    )?;
    for kind in ExportKind::ALL {
        for format in [ExportFormat::Csv, ExportFormat::Json] {
            let bytes = source.render(kind, format)?;
            pack.add(
                &format!("exports/{}.{}", kind.as_str(), format.extension()),
                &bytes,
            )?;
        }
    }
    pack.add("oscal/assessment-results.json", &source.oscal()?)?;

    let ws = open_read(workspace).await?;
    let result = async {
        // ledger.jsonl: exactly the entries the analysis read, 1..=head.
        let head = source.run.head;
        pack.start(LEDGER_JSONL, None)?;
        let mut next = 1u64;
        while next <= head.count {
            let limit = LEDGER_PAGE.min(head.count - next + 1);
            let entries = ws.entries(next, limit).await?;
            if entries.is_empty() {
                return Err(anyhow!("the ledger ended at entry {} before its head {}", next - 1, head.count));
            }
            let mut buf = Vec::with_capacity(entries.len() * 512);
            for e in &entries {
                let line = evidentia_pack::to_line(e)?;
                if let Some(slot) = wanted.get_mut(&e.seq) {
                    *slot = Some(serde_json::from_slice(&line)?);
                }
                buf.extend(line);
            }
            pack.write(&buf)?;
            next += entries.len() as u64;
        }
        // Artifacts, by content address, streamed chunk by chunk from the workspace.
        for import in &source.imports {
            let sha = Hash::from_hex(&import.artifact)
                .map_err(|e| anyhow!("import entry {}: artifact {}", import.seq, e.0))?;
            let path = artifact_pack_path(import);
            pack.start(&path, Some(import.size))?;
            let mut idx = 0u64;
            while let Some(chunk) = ws.artifact_chunk(&sha, idx).await? {
                pack.write(&chunk)?;
                idx += 1;
            }
            let written = pack.end_file()?;
            if written.sha256 != import.artifact || written.size != import.size {
                return Err(anyhow!(
                    "artifact {} in the workspace is {} bytes hashing to {}, not what entry {} recorded; run `evidentia verify`",
                    import.artifact,
                    written.size,
                    written.sha256,
                    import.seq
                ));
            }
        }
        Ok(())
    }
    .await;
    ws.close().await;
    result?;
    pack.add("tools/verify_ledger.py", VERIFY_LEDGER_PY.as_bytes())?;
    if let Some((note, public_pem)) = &trust.signed {
        pack.add(CHECKPOINT_NOTE, note.as_bytes())?;
        pack.add(SIGNING_KEY_PEM, public_pem.as_bytes())?;
    }
    // One proof per finding: its entries, each with its inclusion proof against the pack's
    // checkpoint, so a single finding can be handed over without the whole ledger.
    let checkpoint = trust.checkpoint_text();
    let size = trust.tree.size();
    for (i, row) in rows.iter().enumerate() {
        let mut entries = Vec::new();
        for seq in row["evidence"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|v| v.as_u64())
        {
            let entry = wanted.get(&seq).cloned().flatten().ok_or_else(|| {
                anyhow!(
                    "finding {} cites entry {seq}, past the pack's head {size}",
                    i + 1
                )
            })?;
            let inclusion: Vec<String> = trust
                .tree
                .inclusion_proof(seq - 1, size)?
                .iter()
                .map(Hash::to_hex)
                .collect();
            entries.push(serde_json::json!({ "entry": entry, "inclusion": inclusion }));
        }
        let proof = serde_json::json!({
            "format": FINDING_PROOF_FORMAT,
            "finding": row,
            "finding_note": trust.finding_note(row)?,
            "checkpoint": checkpoint,
            "tree_size": size,
            "tree_root": trust.tree.root().to_hex(),
            "entries": entries,
        });
        let mut bytes = serde_json::to_vec_pretty(&proof)?;
        bytes.push(b'\n');
        pack.add(&format!("{FINDING_PROOFS_DIR}{:04}.json", i + 1), &bytes)?;
    }
    Ok(())
}

/// Checks a pack file without extracting it; see [`evidentia_pack::verify_pack`].
pub async fn verify_pack_file(path: &Path) -> anyhow::Result<Verdict> {
    let path = path.to_owned();
    tokio::task::spawn_blocking(move || {
        let file =
            std::fs::File::open(&path).with_context(|| format!("opening {}", path.display()))?;
        evidentia_pack::verify_pack(
            BufReader::with_capacity(256 * 1024, file),
            &Limits::default(),
        )
        .with_context(|| format!("reading {}", path.display()))
    })
    .await
    .map_err(|e| anyhow!("pack verification stopped: {e}"))?
}

/// Checks a pack file as [`verify_pack_file`] does and, when given, against an earlier pack of
/// the same workspace (its ledger must be a prefix of this one's; see
/// [`evidentia_pack::verify_pack_against`]) and with a trusted public key file (PEM or the note
/// verifier key text) that must have signed the pack's `checkpoint.note` (see
/// [`evidentia_pack::verify_pack_signed`]). With both, both must hold, and every problem of
/// every check is reported. A public key that cannot be read is an error naming its file.
pub async fn verify_pack_file_with(
    path: &Path,
    against: Option<&Path>,
    public_key: Option<&Path>,
) -> anyhow::Result<Verdict> {
    let path = path.to_owned();
    let against = against.map(Path::to_owned);
    let public_key = public_key.map(Path::to_owned);
    tokio::task::spawn_blocking(move || {
        let key = match &public_key {
            Some(p) => Some(
                std::fs::read_to_string(p)
                    .with_context(|| format!("reading the public key {}", p.display()))?,
            ),
            None => None,
        };
        let file =
            std::fs::File::open(&path).with_context(|| format!("opening {}", path.display()))?;
        let earlier = match &against {
            Some(e) => Some(BufReader::with_capacity(
                256 * 1024,
                std::fs::File::open(e)
                    .with_context(|| format!("opening the earlier pack {}", e.display()))?,
            )),
            None => None,
        };
        evidentia_pack::verify_pack_with(
            BufReader::with_capacity(256 * 1024, file),
            earlier,
            key.as_deref(),
            &Limits::default(),
        )
        .map_err(|e| {
            let context = match (&public_key, &against) {
                // Checked before either pack is read: the key file is what is wrong.
                (Some(p), _) if e.kind() == std::io::ErrorKind::InvalidInput => {
                    format!("the public key {}", p.display())
                }
                (_, Some(earlier)) => format!(
                    "reading {} and the earlier pack {}",
                    path.display(),
                    earlier.display()
                ),
                _ => format!("reading {}", path.display()),
            };
            anyhow::Error::new(e).context(context)
        })
    })
    .await
    .map_err(|e| anyhow!("pack verification stopped: {e}"))?
}
