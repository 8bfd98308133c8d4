//! The policy as a workspace setting: each version recorded in the ledger as its TOML text, the
//! latest one in force.

use std::path::Path;

use anyhow::{Context, anyhow};
use chrono::{DateTime, Utc};
use evidentia_ledger::{Hash, canonical_json, format_recorded_at};
use evidentia_policy::Policy;
use evidentia_store::{EvidenceStore, StoreError, Workspace};

use crate::Location;
use crate::{EntryKind, open_read, open_write};

/// A policy version as recorded in the ledger.
#[derive(Debug, Clone)]
pub struct RecordedPolicy {
    /// The `policy.set` entry that recorded it.
    pub seq: u64,
    /// The file name it was read from.
    pub source: String,
    /// SHA-256 of the TOML text.
    pub sha256: Hash,
    pub text: String,
    pub policy: Policy,
}

/// What `set_policy` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PolicyChange {
    /// A new version is in force, recorded at this entry.
    Recorded { seq: u64, sha256: Hash },
    /// The file equals the policy already in force; nothing was added.
    Unchanged { seq: u64, sha256: Hash },
}

/// Validates a policy file and records it as the policy in force, with who set it (`user`, the
/// configured acting user, else as [`crate::acting_user`] resolves it).
pub async fn set_policy(
    workspace: &Location,
    file: &Path,
    user: Option<&str>,
    now: DateTime<Utc>,
) -> anyhow::Result<PolicyChange> {
    if let Some(name) = user {
        crate::check_user_name(name)?;
    }
    let text =
        std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    let source = file.file_name().map_or_else(
        || file.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    // Validate before touching the workspace: a bad policy never lands.
    Policy::from_toml(&text, &file.display().to_string()).map_err(|e| anyhow!("{e}"))?;
    let sha256 = Hash::of(text.as_bytes());
    let ws = open_write(workspace).await?;
    let result = async {
        let verified = crate::trust::verified(&ws).await?;
        if let Some(current) = load_current(&ws, verified.entries).await? {
            if current.sha256 == sha256 {
                return Ok(PolicyChange::Unchanged {
                    seq: current.seq,
                    sha256,
                });
            }
        }
        let payload = canonical_json(&serde_json::json!({
            "source": source,
            "sha256": sha256.to_hex(),
            "text": text,
            "recorded_by": crate::acting_user(&ws, user)?,
        }))?;
        let mut batch = ws.begin().await?;
        let seq = batch
            .append(
                EntryKind::PolicySet.as_str(),
                &format_recorded_at(now),
                payload,
            )
            .await?;
        batch.commit().await?;
        Ok::<_, anyhow::Error>(PolicyChange::Recorded { seq, sha256 })
    }
    .await;
    ws.close().await;
    result
}

/// The policy in force, if one was ever set.
pub async fn current_policy(workspace: &Location) -> anyhow::Result<Option<RecordedPolicy>> {
    let ws = open_read(workspace).await?;
    let result = async {
        let verified = crate::trust::verified(&ws).await?;
        load_current(&ws, verified.entries).await
    }
    .await;
    ws.close().await;
    result
}

/// The latest policy among entries `1..=upto` (the verified count).
pub(crate) async fn load_current(
    ws: &Workspace,
    upto: u64,
) -> anyhow::Result<Option<RecordedPolicy>> {
    // Policy entries are few; one sequential scan of the ledger finds them.
    let latest = ws
        .scan_kinds(
            &[EntryKind::PolicySet.as_str()],
            upto,
            None,
            |latest: &mut Option<(u64, Vec<u8>)>, entry| {
                *latest = Some((entry.seq, entry.payload.to_vec()));
                Ok::<(), StoreError>(())
            },
        )
        .await?;
    let Some((seq, payload)) = latest else {
        return Ok(None);
    };
    let value: serde_json::Value =
        serde_json::from_slice(&payload).with_context(|| format!("reading policy entry {seq}"))?;
    let text = value
        .get("text")
        .and_then(|t| t.as_str())
        .ok_or_else(|| anyhow!("policy entry {seq} has no text"))?;
    let source = value
        .get("source")
        .and_then(|t| t.as_str())
        .unwrap_or("policy.toml")
        .to_owned();
    let policy = Policy::from_toml(text, &format!("{source} (ledger entry {seq})"))
        .map_err(|e| anyhow!("{e}"))?;
    Ok(Some(RecordedPolicy {
        seq,
        source,
        sha256: Hash::of(text.as_bytes()),
        text: text.to_owned(),
        policy,
    }))
}
