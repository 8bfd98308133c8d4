//! Trust that outlives the workspace file: the signing key kept outside it, signed
//! checkpoints, Merkle inclusion and consistency proofs, and checking a workspace against a
//! head the auditor kept (docs/ledger-format.md §16–§18).

use std::path::{Path, PathBuf};

use anyhow::{Context as _, anyhow, bail};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use chrono::{DateTime, Utc};
use evidentia_ledger::note::{self, TreeHead};
use evidentia_ledger::{Failure, FailureReason, Hash, MerkleTree, SigningKey, VerifierKey};
use evidentia_ledger::{canonical_json, format_recorded_at};
use evidentia_store::{Checkpoint, EvidenceStore, SIGNING_KEY_ENTRY_KIND, VerifyReport, Workspace};

use crate::{AppError, Location, open_read, open_write};

/// Where signing keys live unless `--key` says otherwise: `$EVIDENTIA_KEY_DIR`, else
/// `$XDG_CONFIG_HOME/evidentia/keys`, else `~/.config/evidentia/keys`. Never beside the
/// workspace by default: whoever can rewrite the file should not find the key next to it.
pub fn key_dir() -> anyhow::Result<PathBuf> {
    if let Some(dir) = std::env::var_os("EVIDENTIA_KEY_DIR").filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(dir));
    }
    if let Some(dir) = std::env::var_os("XDG_CONFIG_HOME").filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(dir).join("evidentia").join("keys"));
    }
    let home = std::env::var_os("HOME")
        .filter(|d| !d.is_empty())
        .context("no key folder: set EVIDENTIA_KEY_DIR or HOME, or pass --key FILE")?;
    Ok(PathBuf::from(home)
        .join(".config")
        .join("evidentia")
        .join("keys"))
}

/// The default private-key file of a workspace.
pub fn default_key_path(workspace_id: &str) -> anyhow::Result<PathBuf> {
    Ok(key_dir()?.join(format!("{workspace_id}.pem")))
}

/// A workspace's public signing key, as recorded in its ledger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicKeyInfo {
    /// The `signing_key.added` entry that recorded it.
    pub seq: u64,
    pub name: String,
    /// The note verifier key (`name+id+base64`).
    pub vkey: String,
    /// SPKI PEM, what `openssl pkeyutl -pubin` reads.
    pub pem: String,
}

/// A new signing key: where its private half was written and the public key recorded.
#[derive(Debug, Clone)]
pub struct KeyCreated {
    pub private_key_path: PathBuf,
    pub public: PublicKeyInfo,
}

/// Verifies the chain and checkpoints and returns the report, or the failure as
/// [`AppError::VerificationFailed`]: every reader of entries starts here, so nothing outside
/// the verified chain is ever read.
pub(crate) async fn verified(ws: &Workspace) -> anyhow::Result<VerifyReport> {
    let report = ws.verify_chain().await.context("verifying the ledger")?;
    match report.failure.clone() {
        Some(failure) => Err(AppError::VerificationFailed(failure).into()),
        None => Ok(report),
    }
}

/// Creates a signing key for the workspace: the private key (PKCS#8 PEM, mode 0600) at
/// `key_path` or the default path, which must not exist yet; the public key recorded in the
/// ledger as a `signing_key.added` entry. A later key replaces an earlier one for new
/// checkpoints; earlier checkpoints stay verifiable with the key recorded before them.
pub async fn create_signing_key(
    workspace: &Location,
    key_path: Option<&Path>,
    now: DateTime<Utc>,
) -> anyhow::Result<KeyCreated> {
    let ws = open_write(workspace).await?;
    let result = async {
        verified(&ws).await?;
        let workspace_id = ws.workspace_id().await?;
        let path = match key_path {
            Some(p) => p.to_owned(),
            None => default_key_path(&workspace_id)?,
        };
        let key = SigningKey::generate(&Checkpoint::origin(&workspace_id))?;
        write_private_key(&path, &key)?;
        let verifier = key.verifier();
        let public = PublicKeyInfo {
            seq: 0,
            name: key.name().to_owned(),
            vkey: verifier.to_vkey(),
            pem: verifier.to_pem()?,
        };
        let payload = canonical_json(&serde_json::json!({
            "name": public.name,
            "public_key_pem": public.pem,
            "vkey": public.vkey,
        }))?;
        let appended = async {
            let mut batch = ws.begin().await?;
            let seq = batch
                .append(SIGNING_KEY_ENTRY_KIND, &format_recorded_at(now), payload)
                .await?;
            batch.commit().await?;
            Ok::<_, anyhow::Error>(seq)
        }
        .await;
        match appended {
            Ok(seq) => Ok(KeyCreated {
                private_key_path: path,
                public: PublicKeyInfo { seq, ..public },
            }),
            Err(e) => {
                // Nothing half-made: a key the ledger does not name is removed again.
                let _ = std::fs::remove_file(&path);
                Err(e)
            }
        }
    }
    .await;
    ws.close().await;
    result
}

fn write_private_key(path: &Path, key: &SigningKey) -> anyhow::Result<()> {
    use std::io::Write as _;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("creating the key folder {}", dir.display()))?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let mut file = options.open(path).with_context(|| {
        if path.exists() {
            format!(
                "{} already exists; a signing key is never overwritten (pass --key FILE for another)",
                path.display()
            )
        } else {
            format!("writing the signing key {}", path.display())
        }
    })?;
    file.write_all(key.to_pem()?.as_bytes())
        .and_then(|()| file.sync_all())
        .with_context(|| format!("writing the signing key {}", path.display()))?;
    Ok(())
}

/// The latest public key the verified ledger records.
pub async fn public_key(workspace: &Location) -> anyhow::Result<Option<PublicKeyInfo>> {
    let ws = open_read(workspace).await?;
    let result = async {
        let report = verified(&ws).await?;
        recorded_key(&ws, report.entries).await
    }
    .await;
    ws.close().await;
    result
}

async fn recorded_key(ws: &Workspace, upto: u64) -> anyhow::Result<Option<PublicKeyInfo>> {
    let found = ws
        .scan_kinds(
            &[SIGNING_KEY_ENTRY_KIND],
            upto,
            None,
            |last: &mut Option<(u64, Vec<u8>)>, e| {
                *last = Some((e.seq, e.payload.to_vec()));
                Ok(())
            },
        )
        .await?;
    let Some((seq, payload)) = found else {
        return Ok(None);
    };
    let value: serde_json::Value = serde_json::from_slice(&payload)
        .with_context(|| format!("entry {seq}: unreadable signing key"))?;
    let text = |k: &str| value.get(k).and_then(|v| v.as_str()).unwrap_or_default();
    Ok(Some(PublicKeyInfo {
        seq,
        name: text("name").to_owned(),
        vkey: text("vkey").to_owned(),
        pem: text("public_key_pem").to_owned(),
    }))
}

/// The workspace's private signing key, if one is available: from `key_path`, else from the
/// default path (absent there: `None`). A key that is not the one the ledger records is an
/// error, so a checkpoint is never signed with a key an auditor would not accept.
pub async fn load_signing_key(
    ws: &Workspace,
    upto: u64,
    key_path: Option<&Path>,
) -> anyhow::Result<Option<SigningKey>> {
    let workspace_id = ws.workspace_id().await?;
    let path = match key_path {
        Some(p) => p.to_owned(),
        None => {
            let p = default_key_path(&workspace_id)?;
            if !p.exists() {
                return Ok(None);
            }
            p
        }
    };
    let pem = std::fs::read_to_string(&path)
        .with_context(|| format!("reading the signing key {}", path.display()))?;
    let key = SigningKey::from_pem(&Checkpoint::origin(&workspace_id), &pem)
        .with_context(|| format!("reading the signing key {}", path.display()))?;
    let Some(recorded) = recorded_key(ws, upto).await? else {
        bail!(
            "the workspace records no signing key, so {} cannot sign for it (create one with `evidentia key new`)",
            path.display()
        );
    };
    if recorded.vkey != key.verifier().to_vkey() {
        bail!(
            "{} is not the workspace's signing key (the ledger records {} in entry {})",
            path.display(),
            recorded.vkey,
            recorded.seq
        );
    }
    Ok(Some(key))
}

/// Verifies the chain, then records its head as a checkpoint with its Merkle root, signed
/// when the workspace's key is available, and who recorded it ([`crate::acting_user`] with
/// `user` as the configured name).
pub async fn create_checkpoint(
    workspace: &Location,
    now: DateTime<Utc>,
    key_path: Option<&Path>,
    user: Option<&str>,
) -> anyhow::Result<Checkpoint> {
    let ws = open_write(workspace).await?;
    let result = async {
        let created_by = crate::acting_user(&ws, user)?;
        // add_checkpoint verifies the chain and refuses an altered one; verifying here too
        // would read the whole ledger twice.
        let upto = ws.head().await?.count;
        let key = match load_signing_key(&ws, upto, key_path).await {
            Ok(key) => key,
            // A key the ledger does not match may be the alteration itself: say that first.
            Err(e) => {
                verified(&ws).await?;
                return Err(e);
            }
        };
        let checkpoint = ws
            .add_checkpoint(&format_recorded_at(now), &created_by, key.as_ref())
            .await
            .map_err(store_error)?;
        Ok::<_, anyhow::Error>(checkpoint)
    }
    .await;
    ws.close().await;
    result
}

/// Lifts a store's "altered" refusal into the error the clients exit 3 on.
pub(crate) fn store_error(e: evidentia_store::StoreError) -> anyhow::Error {
    match e {
        evidentia_store::StoreError::Altered(failure) => {
            AppError::VerificationFailed(failure).into()
        }
        other => other.into(),
    }
}

/// A head the auditor kept: a signed checkpoint (note) or `COUNT:HASH`, where the hash is the
/// entry hash at COUNT (a report's or pack's `head_hash`) or the tree root at COUNT.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TrustedHead {
    Note(String),
    Count { count: u64, hash: Hash },
}

impl TrustedHead {
    /// Reads `--trusted-checkpoint`: an existing file holds a signed checkpoint; otherwise the
    /// text must be `COUNT:HASH`.
    pub fn parse(arg: &str) -> anyhow::Result<TrustedHead> {
        let path = Path::new(arg);
        if path.is_file() {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading the trusted checkpoint {arg}"))?;
            return Ok(TrustedHead::Note(text));
        }
        let Some((count, hash)) = arg.split_once(':') else {
            bail!("--trusted-checkpoint {arg:?}: no such file, and not COUNT:HASH");
        };
        let count: u64 = count.parse().map_err(|_| {
            anyhow!("--trusted-checkpoint {arg:?}: {count:?} is not an entry count")
        })?;
        let hash = Hash::from_hex(hash)
            .map_err(|_| anyhow!("--trusted-checkpoint {arg:?}: {hash:?} is not 64 hex digits"))?;
        Ok(TrustedHead::Count { count, hash })
    }
}

/// The outcome of checking a workspace against a trusted head.
#[derive(Debug, Clone)]
pub struct TrustOutcome {
    /// The full verification of the workspace itself.
    pub report: VerifyReport,
    /// The trusted head's size and the root at that size.
    pub trusted_size: u64,
    pub trusted_root: Option<Hash>,
    /// Whether the trusted note's signature was checked (a key was given).
    pub signature_checked: bool,
    /// `None` when the trusted head is a prefix of this ledger; else why not.
    pub divergence: Option<Failure>,
    /// The consistency proof from the trusted size to the verified head, when it holds.
    pub consistency: Vec<Hash>,
}

/// Verifies the whole workspace and then that `trusted` is a prefix of it (consistency).
/// A malformed note or key is an error (exit 1); a note the key did not sign, or a ledger
/// that does not extend the trusted head, is a divergence (exit 3).
pub async fn check_trusted(
    workspace: &Location,
    trusted: &TrustedHead,
    key: Option<&VerifierKey>,
) -> anyhow::Result<TrustOutcome> {
    let ws = open_read(workspace).await?;
    let result = async {
        let report = ws.verify(|_| {}).await.context("verifying the ledger")?;
        let workspace_id = ws.workspace_id().await?;
        let origin = Checkpoint::origin(&workspace_id);
        let mut outcome = TrustOutcome {
            report: report.clone(),
            trusted_size: 0,
            trusted_root: None,
            signature_checked: false,
            divergence: None,
            consistency: Vec::new(),
        };
        let diverged = |seq: u64, problem: String| Failure {
            seq,
            reason: FailureReason::Diverged { problem },
        };
        let (size, expected) = match trusted {
            TrustedHead::Note(text) => {
                let head = match key {
                    Some(k) => match note::open_checkpoint(text, k) {
                        Ok(head) => {
                            outcome.signature_checked = true;
                            head
                        }
                        Err(e) if e.is_altered() => {
                            outcome.divergence = Some(diverged(0, format!("trusted checkpoint: {e}")));
                            return Ok(outcome);
                        }
                        Err(e) => bail!("the trusted checkpoint: {e}"),
                    },
                    None => {
                        let parsed = note::parse_note(text)
                            .map_err(|e| anyhow!("the trusted checkpoint: {e}"))?;
                        TreeHead::parse(parsed.text)
                            .map_err(|e| anyhow!("the trusted checkpoint: {e}"))?
                    }
                };
                if head.origin != origin {
                    outcome.divergence = Some(diverged(
                        0,
                        format!("the trusted checkpoint is of {}, this workspace is {origin}", head.origin),
                    ));
                    return Ok(outcome);
                }
                (head.size, Expect::Root(head.root))
            }
            TrustedHead::Count { count, hash } => (*count, Expect::HeadOrRoot(*hash)),
        };
        outcome.trusted_size = size;
        if report.failure.is_some() {
            return Ok(outcome);
        }
        if size > report.entries {
            outcome.divergence = Some(diverged(
                report.entries + 1,
                format!(
                    "truncated: the trusted checkpoint names {size} entries, the workspace has {}",
                    report.entries
                ),
            ));
            return Ok(outcome);
        }
        let hashes = ws.entry_hashes(report.entries).await?;
        let tree = MerkleTree::from_entry_hashes(&hashes);
        let root = tree.root_at(size)?;
        outcome.trusted_root = Some(root);
        let head_at = if size == 0 { Hash::ZERO } else { hashes[(size - 1) as usize] };
        let holds = match expected {
            Expect::Root(r) => r == root,
            Expect::HeadOrRoot(h) => h == root || h == head_at,
        };
        if !holds {
            outcome.divergence = Some(diverged(
                size,
                format!(
                    "diverged: the workspace's first {size} entries are not those the trusted checkpoint commits to \
                     (its tree root there is {root}); entries up to {size} were rewritten — compare with an earlier \
                     pack (`evidentia pack verify --against`) to find the first one"
                ),
            ));
            return Ok(outcome);
        }
        outcome.consistency = tree.consistency_proof(size, report.entries)?;
        Ok(outcome)
    }
    .await;
    ws.close().await;
    result
}

enum Expect {
    Root(Hash),
    HeadOrRoot(Hash),
}

/// A verified workspace's Merkle tree and the checkpoints that can anchor proofs.
async fn tree_and_checkpoints(ws: &Workspace) -> anyhow::Result<(MerkleTree, Vec<Checkpoint>)> {
    let report = verified(ws).await?;
    let hashes = ws.entry_hashes(report.entries).await?;
    let checkpoints = ws.checkpoints().await?;
    Ok((MerkleTree::from_entry_hashes(&hashes), checkpoints))
}

/// The checkpoint text a proof carries: the signed note, or the unsigned checkpoint text
/// followed by the blank line (docs/ledger-format.md §18).
pub(crate) fn checkpoint_text(head: &TreeHead, note: Option<&str>) -> String {
    match note {
        Some(n) => n.to_owned(),
        None => format!("{}\n", head.to_text()),
    }
}

/// An inclusion proof of entry `seq` in the C2SP tlog-proof format, against checkpoint `id`
/// (default: the latest checkpoint with a tree that covers the entry, signed ones first).
/// Returns the proof text and whether its checkpoint is signed.
pub async fn inclusion_proof(
    workspace: &Location,
    seq: u64,
    checkpoint_id: Option<u64>,
) -> anyhow::Result<(String, bool)> {
    let ws = open_read(workspace).await?;
    let result = async {
        let (tree, checkpoints) = tree_and_checkpoints(&ws).await?;
        if seq == 0 || seq > tree.size() {
            bail!("entry {seq} is not in the ledger (1 … {})", tree.size());
        }
        let usable = |c: &&Checkpoint| c.tree_root.is_some() && c.entry_count >= seq;
        let checkpoint = match checkpoint_id {
            Some(id) => checkpoints
                .iter()
                .find(|c| c.id == id)
                .filter(usable)
                .with_context(|| format!("checkpoint {id} does not exist, has no tree root, or does not cover entry {seq}"))?,
            None => checkpoints
                .iter()
                .rev()
                .filter(usable)
                .max_by_key(|c| (c.note.is_some(), c.id))
                .with_context(|| format!("no checkpoint covers entry {seq} yet: record one with `evidentia checkpoint`"))?,
        };
        let origin = Checkpoint::origin(&ws.workspace_id().await?);
        let entry = ws
            .entries(seq, 1)
            .await?
            .into_iter()
            .next()
            .with_context(|| format!("entry {seq} is missing"))?;
        let mut line = evidentia_pack::to_line(&entry)?;
        if line.last() == Some(&b'\n') {
            line.pop();
        }
        let proof = tree.inclusion_proof(seq - 1, checkpoint.entry_count)?;
        let mut out = String::from("c2sp.org/tlog-proof@v1\n");
        out.push_str(&format!("extra {}\n", B64.encode(&line)));
        out.push_str(&format!("index {}\n", seq - 1));
        for h in &proof {
            out.push_str(&B64.encode(h.0));
            out.push('\n');
        }
        out.push('\n');
        let root = checkpoint.tree_root.unwrap_or_default();
        let head = TreeHead { origin, size: checkpoint.entry_count, root };
        out.push_str(&checkpoint_text(&head, checkpoint.note.as_deref()));
        Ok::<_, anyhow::Error>((out, checkpoint.note.is_some()))
    }
    .await;
    ws.close().await;
    result
}

/// A consistency proof from the tree of `old` entries to the tree of `new` entries
/// (default: the verified head), as `evidentia/consistency-proof@v1` text.
pub async fn consistency_proof(
    workspace: &Location,
    old: u64,
    new: Option<u64>,
) -> anyhow::Result<String> {
    let ws = open_read(workspace).await?;
    let result = async {
        let (tree, _) = tree_and_checkpoints(&ws).await?;
        let new = new.unwrap_or(tree.size());
        if new > tree.size() {
            bail!("the ledger has {} entries, not {new}", tree.size());
        }
        if old > new {
            bail!("the earlier size {old} is larger than the later size {new}");
        }
        let proof = tree.consistency_proof(old, new)?;
        let mut out = String::from("evidentia/consistency-proof@v1\n");
        out.push_str(&format!("old {old} {}\n", B64.encode(tree.root_at(old)?.0)));
        out.push_str(&format!("new {new} {}\n", B64.encode(tree.root_at(new)?.0)));
        for h in &proof {
            out.push_str(&B64.encode(h.0));
            out.push('\n');
        }
        Ok::<_, anyhow::Error>(out)
    }
    .await;
    ws.close().await;
    result
}

/// Reads a public key file given on the command line (SPKI PEM or the vkey text) for a
/// workspace origin; a malformed one is an error naming the file (exit 1).
pub fn read_verifier_key(path: &Path, origin_for_pem: &str) -> anyhow::Result<VerifierKey> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading the public key {}", path.display()))?;
    VerifierKey::parse(&text, origin_for_pem).map_err(|e| anyhow!("{}: {e}", path.display()))
}

/// What checking a proof file found: which kind of proof, what it proves, and, when it does
/// not hold, why (the CLI exits 3). Unreadable input is an `Err` (exit 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProofCheck {
    pub kind: &'static str,
    pub summary: String,
    /// Whether the checkpoint's signature was checked with a given key.
    pub signature_checked: bool,
    pub problem: Option<String>,
}

/// One entry as a proof carries it (its `ledger.jsonl` object), recomputed: its leaf hash,
/// or why it does not recompute.
fn proved_entry(object: &serde_json::Value) -> anyhow::Result<(u64, Result<Hash, String>)> {
    let line: evidentia_pack::JsonlEntry = serde_json::from_value(object.clone())
        .map_err(|e| anyhow!("not a ledger.jsonl entry: {e}"))?;
    let bytes = serde_json::to_vec(&line)?;
    let entry = evidentia_pack::parse_line(&bytes, 1).map_err(|e| anyhow!("{}", e.reason))?;
    let payload = evidentia_ledger::payload_hash(&entry.payload);
    if payload != entry.payload_hash {
        return Ok((
            entry.seq,
            Err(format!(
                "entry {}: payload hash mismatch: the payload hashes to {payload}, payload_sha256 says {}",
                entry.seq, entry.payload_hash
            )),
        ));
    }
    let computed = evidentia_ledger::entry_hash(
        entry.seq,
        &entry.kind,
        &entry.recorded_at,
        &entry.payload_hash,
        &entry.prev_hash,
    );
    if computed != entry.entry_hash {
        return Ok((
            entry.seq,
            Err(format!(
                "entry {}: entry hash mismatch: its fields hash to {computed}, entry_hash says {}",
                entry.seq, entry.entry_hash
            )),
        ));
    }
    Ok((
        entry.seq,
        Ok(evidentia_ledger::merkle::leaf_hash(&entry.entry_hash.0)),
    ))
}

/// The tree head a proof's checkpoint names: opened with `key` when given (a signature by
/// another key is a problem, not an error), else parsed unchecked. Unsigned checkpoint text
/// (docs/ledger-format.md §18) is accepted only without a key.
fn proof_checkpoint(
    text: &str,
    key: Option<&VerifierKey>,
) -> anyhow::Result<Result<TreeHead, String>> {
    match key {
        Some(k) => match note::open_checkpoint(text, k) {
            Ok(head) => Ok(Ok(head)),
            Err(e) if e.is_altered() => Ok(Err(format!("its checkpoint: {e}"))),
            Err(e) => Err(anyhow!("its checkpoint: {e}")),
        },
        None => {
            let body = match note::parse_note(text) {
                Ok(n) => n.text,
                Err(_) => text.strip_suffix('\n').unwrap_or(text),
            };
            Ok(Ok(
                TreeHead::parse(body).map_err(|e| anyhow!("its checkpoint: {e}"))?
            ))
        }
    }
}

fn b64_hash(text: &str) -> anyhow::Result<Hash> {
    B64.decode(text.trim_end_matches('\r'))
        .ok()
        .and_then(|b| Hash::from_slice(&b))
        .ok_or_else(|| anyhow!("{text:?} is not a 32-byte hash in base64"))
}

/// Checks a proof file: a C2SP tlog-proof (`proof inclusion`), a consistency proof
/// (`proof consistency`) or a pack's finding proof (`proofs/findings/NNNN.json`), with the
/// checkpoint's signature checked against `key` when one is given.
pub fn verify_proof(text: &str, key: Option<&VerifierKey>) -> anyhow::Result<ProofCheck> {
    let signature_checked = key.is_some();
    if let Some(rest) = text.strip_prefix("c2sp.org/tlog-proof@v1\n") {
        let mut lines = rest.split('\n');
        let extra = lines
            .next()
            .and_then(|l| l.strip_prefix("extra "))
            .context("no `extra` line carrying the entry (docs/ledger-format.md §18)")?;
        let extra = B64
            .decode(extra)
            .map_err(|_| anyhow!("the extra line is not base64"))?;
        let object: serde_json::Value = serde_json::from_slice(&extra)
            .map_err(|e| anyhow!("the extra line is not a ledger.jsonl entry: {e}"))?;
        let index: u64 = lines
            .next()
            .and_then(|l| l.strip_prefix("index "))
            .and_then(|n| n.parse().ok())
            .context("no `index N` line")?;
        let mut hashes = Vec::new();
        for line in lines.by_ref() {
            if line.is_empty() {
                break;
            }
            hashes.push(b64_hash(line)?);
        }
        let checkpoint: Vec<&str> = lines.collect();
        let checkpoint = checkpoint.join("\n");
        let head = match proof_checkpoint(&checkpoint, key)? {
            Ok(h) => h,
            Err(problem) => {
                return Ok(ProofCheck {
                    kind: "inclusion",
                    summary: String::new(),
                    signature_checked,
                    problem: Some(problem),
                });
            }
        };
        let (seq, leaf) = proved_entry(&object)?;
        let summary = format!(
            "entry {seq} in {} at {} entries, root {}",
            head.origin, head.size, head.root
        );
        let problem = match leaf {
            Err(p) => Some(p),
            Ok(_) if seq != index + 1 => {
                Some(format!("the proof is for leaf {index}, the entry is {seq}"))
            }
            Ok(leaf) => merkle_problem(evidentia_ledger::merkle::verify_inclusion(
                index, head.size, &leaf, &hashes, &head.root,
            )),
        };
        return Ok(ProofCheck {
            kind: "inclusion",
            summary,
            signature_checked,
            problem,
        });
    }
    if let Some(rest) = text.strip_prefix("evidentia/consistency-proof@v1\n") {
        if key.is_some() {
            bail!(
                "a consistency proof carries no checkpoint to check a key against; check each checkpoint with `verify --trusted-checkpoint`"
            );
        }
        let mut lines = rest.lines();
        let mut size_root = |label: &str| -> anyhow::Result<(u64, Hash)> {
            let line = lines.next().with_context(|| format!("no `{label}` line"))?;
            let mut parts = line.split(' ');
            if parts.next() != Some(label) {
                bail!("expected `{label} SIZE ROOT`, found {line:?}");
            }
            let size = parts
                .next()
                .and_then(|n| n.parse().ok())
                .with_context(|| format!("{line:?}: no size"))?;
            let root = b64_hash(parts.next().unwrap_or_default())?;
            Ok((size, root))
        };
        let (old, old_root) = size_root("old")?;
        let (new, new_root) = size_root("new")?;
        let hashes = lines.map(b64_hash).collect::<anyhow::Result<Vec<_>>>()?;
        return Ok(ProofCheck {
            kind: "consistency",
            summary: format!(
                "the tree of {old} entries (root {old_root}) is a prefix of the tree of {new} (root {new_root})"
            ),
            signature_checked: false,
            problem: merkle_problem(evidentia_ledger::merkle::verify_consistency(
                old, new, &old_root, &new_root, &hashes,
            )),
        });
    }
    let proof: serde_json::Value = serde_json::from_str(text).map_err(|_| {
        anyhow!("not a proof: neither a tlog-proof, a consistency proof nor a finding proof")
    })?;
    if proof["format"] != evidentia_pack::FINDING_PROOF_FORMAT {
        bail!(
            "not a finding proof: format is {}, not {}",
            proof["format"],
            evidentia_pack::FINDING_PROOF_FORMAT
        );
    }
    let checkpoint = proof["checkpoint"].as_str().context("no checkpoint text")?;
    let size = proof["tree_size"].as_u64().context("no tree_size")?;
    let root = Hash::from_hex(proof["tree_root"].as_str().unwrap_or_default())
        .map_err(|_| anyhow!("tree_root is not 64 hex digits"))?;
    let check = |problem: Option<String>, summary: String| ProofCheck {
        kind: "finding",
        summary,
        signature_checked,
        problem,
    };
    let head = match proof_checkpoint(checkpoint, key)? {
        Ok(h) => h,
        Err(problem) => return Ok(check(Some(problem), String::new())),
    };
    let finding = &proof["finding"];
    let summary = format!(
        "finding {} {} rests on entries in {} at {} entries, root {}",
        finding["check"].as_str().unwrap_or("?"),
        finding["identity"].as_str().unwrap_or("-"),
        head.origin,
        head.size,
        head.root
    );
    // The finding's own words are bound by its finding_note (docs/ledger-format.md §18).
    let expected_note = evidentia_pack::finding_note_text(
        &TreeHead {
            origin: head.origin.clone(),
            size,
            root,
        },
        finding,
    )?;
    let mut summary = summary;
    match (&proof["finding_note"], key) {
        (serde_json::Value::String(n), Some(k)) => match k.open(n) {
            Ok(text) if text == expected_note => {}
            Ok(_) => return Ok(check(Some("its finding_note names another finding or tree: the finding's fields were changed".into()), summary)),
            Err(e) if e.is_altered() => return Ok(check(Some(format!("its finding_note: {e}")), summary)),
            Err(e) => bail!("its finding_note: {e}"),
        },
        (serde_json::Value::String(n), None) => {
            let parsed = note::parse_note(n).map_err(|e| anyhow!("its finding_note: {e}"))?;
            if parsed.text != expected_note {
                return Ok(check(Some("its finding_note names another finding or tree: the finding's fields were changed".into()), summary));
            }
        }
        (_, Some(_)) => {
            return Ok(check(Some("the finding's fields are not signed (no finding_note)".into()), summary));
        }
        (_, None) => summary.push_str(" (nothing signs the finding's fields: the pack was made without a signing key)"),
    }
    if head.size != size || head.root != root {
        return Ok(check(
            Some(format!(
                "its checkpoint names {} entries and root {}, the proof {size} and {root}",
                head.size, head.root
            )),
            summary,
        ));
    }
    let evidence: Vec<u64> = finding["evidence"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_u64())
        .collect();
    let mut proved = Vec::new();
    for item in proof["entries"].as_array().context("no entries")? {
        let (seq, leaf) = proved_entry(&item["entry"])?;
        proved.push(seq);
        let hashes = item["inclusion"]
            .as_array()
            .context("an entry without its inclusion proof")?
            .iter()
            .map(|h| {
                Hash::from_hex(h.as_str().unwrap_or_default())
                    .map_err(|_| anyhow!("an inclusion hash is not 64 hex digits"))
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        let problem = match leaf {
            Err(p) => Some(p),
            Ok(_) if seq == 0 => Some("entry 0 is not a ledger position".to_owned()),
            Ok(leaf) => merkle_problem(evidentia_ledger::merkle::verify_inclusion(
                seq - 1,
                size,
                &leaf,
                &hashes,
                &root,
            ))
            .map(|p| format!("entry {seq}: {p}")),
        };
        if problem.is_some() {
            return Ok(check(problem, summary));
        }
    }
    if proved != evidence {
        return Ok(check(
            Some(format!(
                "it proves entries {proved:?}, the finding rests on {evidence:?}"
            )),
            summary,
        ));
    }
    Ok(check(None, summary))
}

fn merkle_problem(result: Result<(), evidentia_ledger::ProofError>) -> Option<String> {
    result
        .err()
        .map(|e| format!("the proof does not hold: {e}"))
}
