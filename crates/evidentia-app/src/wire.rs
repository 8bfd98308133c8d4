//! JSON shapes for machines (`--json`, and later IPC): converted explicitly from core types,
//! so the core never bends to a transport.

use serde::Serialize;

use evidentia_store::{Checkpoint, VerifyReport};

/// A ledger entry as `evidentia log --json` prints it (one object per line).
#[derive(Debug, Serialize)]
pub struct EntryJson {
    pub seq: u64,
    pub kind: String,
    pub recorded_at: String,
    /// The payload, as JSON when it is JSON (it always is for entries we write).
    pub payload: serde_json::Value,
    pub payload_hash: String,
    pub prev_hash: String,
    pub entry_hash: String,
    /// How many records a set entry holds (`record.execution_set`, `record.reconciliation_set`);
    /// absent for every other kind.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rows: Option<usize>,
}

impl From<&evidentia_ledger::Entry> for EntryJson {
    fn from(e: &evidentia_ledger::Entry) -> Self {
        let payload: serde_json::Value = serde_json::from_slice(&e.payload).unwrap_or_else(|_| {
            serde_json::Value::String(String::from_utf8_lossy(&e.payload).into_owned())
        });
        let rows = crate::SET_KINDS
            .contains(&e.kind.as_str())
            .then(|| payload["rows"].as_array().map(Vec::len))
            .flatten();
        EntryJson {
            seq: e.seq,
            kind: e.kind.clone(),
            recorded_at: e.recorded_at.clone(),
            payload,
            payload_hash: e.payload_hash.to_hex(),
            prev_hash: e.prev_hash.to_hex(),
            entry_hash: e.entry_hash.to_hex(),
            rows,
        }
    }
}

/// A checkpoint for `--json`.
#[derive(Debug, Serialize)]
pub struct CheckpointJson {
    pub id: u64,
    pub entry_count: u64,
    pub head_hash: String,
    pub created_at: String,
    /// The Merkle tree root at `entry_count` (checkpoints since workspace format 3).
    pub tree_root: Option<String>,
    /// Whether a signed note (C2SP) vouches for it.
    pub signed: bool,
    /// The signed note itself, for keeping outside the workspace.
    pub note: Option<String>,
    /// Who recorded it (checkpoints since workspace format 5).
    pub created_by: Option<String>,
}

impl From<&Checkpoint> for CheckpointJson {
    fn from(c: &Checkpoint) -> Self {
        CheckpointJson {
            id: c.id,
            entry_count: c.entry_count,
            head_hash: c.head_hash.to_hex(),
            created_at: c.created_at.clone(),
            tree_root: c.tree_root.map(|h| h.to_hex()),
            signed: c.note.is_some(),
            note: c.note.clone(),
            created_by: c.created_by.clone(),
        }
    }
}

/// The verification result for `--json`.
#[derive(Debug, Serialize)]
pub struct VerifyJson {
    pub intact: bool,
    pub entries: u64,
    pub head_hash: String,
    /// The Merkle tree root over the verified entries.
    pub tree_root: String,
    pub artifacts: u64,
    pub artifact_bytes: u64,
    pub checkpoints: u64,
    /// The first failing entry's sequence number, when not intact.
    pub failed_seq: Option<u64>,
    pub failure: Option<String>,
}

impl From<&VerifyReport> for VerifyJson {
    fn from(r: &VerifyReport) -> Self {
        VerifyJson {
            intact: r.is_intact(),
            entries: r.entries,
            head_hash: r.head.to_hex(),
            tree_root: r.tree_root.to_hex(),
            artifacts: r.artifacts,
            artifact_bytes: r.artifact_bytes,
            checkpoints: r.checkpoints,
            failed_seq: r.failure.as_ref().map(|f| f.seq),
            failure: r.failure.as_ref().map(|f| f.reason.to_string()),
        }
    }
}

/// A `finding.response` entry for `responses --json`.
#[derive(Debug, Serialize)]
pub struct ResponseJson {
    /// The `finding.response` entry.
    pub entry: u64,
    pub recorded_at: String,
    pub finding: String,
    pub current: bool,
    pub check: String,
    pub identity: Option<String>,
    pub system: Option<String>,
    pub account: Option<String>,
    pub entitlement: Option<String>,
    pub exception: Option<String>,
    pub campaign: Option<String>,
    pub status: &'static str,
    pub owner: String,
    pub due: String,
    pub accepted_until: Option<String>,
    pub response: String,
    pub recorded_by: Option<String>,
}

fn day(d: chrono::NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

impl From<&crate::ResponseRecord> for ResponseJson {
    fn from(r: &crate::ResponseRecord) -> Self {
        ResponseJson {
            entry: r.seq,
            recorded_at: r.recorded_at.clone(),
            finding: r.finding.clone(),
            current: r.current,
            check: r.check.clone(),
            identity: r.identity.clone(),
            system: r.system.clone(),
            account: r.account.clone(),
            entitlement: r.entitlement.clone(),
            exception: r.exception.clone(),
            campaign: r.campaign.clone(),
            status: r.status.as_str(),
            owner: r.owner.clone(),
            due: day(r.due),
            accepted_until: r.accepted_until.map(day),
            response: r.response.clone(),
            recorded_by: r.recorded_by.clone(),
        }
    }
}

/// A finding's current response for `findings --json` (and the desktop's findings view).
#[derive(Debug, Serialize)]
pub struct CurrentResponseJson {
    pub entry: u64,
    pub recorded_at: String,
    pub status: &'static str,
    pub owner: String,
    pub due: String,
    pub accepted_until: Option<String>,
    /// A risk acceptance past its date as of the analysis: no longer accepted.
    pub expired: bool,
    pub response: String,
    pub recorded_by: Option<String>,
}

impl From<&crate::CurrentResponse> for CurrentResponseJson {
    fn from(r: &crate::CurrentResponse) -> Self {
        CurrentResponseJson {
            entry: r.seq,
            recorded_at: r.recorded_at.clone(),
            status: r.status.as_str(),
            owner: r.owner.clone(),
            due: day(r.due),
            accepted_until: r.accepted_until.map(day),
            expired: r.expired,
            response: r.response.clone(),
            recorded_by: r.recorded_by.clone(),
        }
    }
}

/// An item a check could not judge, as `analyze --json` prints it: what, why, and the entries
/// that show it (`evidence_rows` only where it cites rows of set entries).
pub fn not_assessed_json(n: &evidentia_rules::NotAssessed) -> serde_json::Value {
    let mut json = serde_json::json!({
        "check": n.check,
        "identity": n.identity.as_str(),
        "system": n.system.as_str(),
        "account": n.account,
        "credential": n.credential,
        "reason": n.reason,
        "evidence": crate::evidence_entries(&n.evidence),
    });
    let rows = crate::evidence_rows(&n.evidence);
    if !rows.is_empty() {
        json["evidence_rows"] = crate::evidence_rows_json(&rows);
    }
    json
}

/// Issue #19's figures for `metrics --json`: each `null` when not assessed (its evidence was
/// not imported), never 0 or 1 made up from nothing.
pub fn credential_metrics_json(m: &evidentia_rules::Metrics) -> serde_json::Value {
    let share = |s: Option<evidentia_rules::Share>| {
        s.map(|s| serde_json::json!({"part": s.part, "whole": s.whole, "ratio": s.ratio()}))
    };
    serde_json::json!({
        "leaver_credentials_revoked": share(m.leaver_credentials_revoked),
        "credential_age": m.credential_age.map(|d| serde_json::json!({
            "count": d.count,
            "median_days": d.median_hours / 24.0,
            "p95_days": d.p95_hours / 24.0,
        })),
        "emergency_uses_reviewed_in_time": share(m.emergency_reviewed),
    })
}
