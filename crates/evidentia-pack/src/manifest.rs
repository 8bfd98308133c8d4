//! `manifest.json` and `SHA256SUMS`: what a pack claims to hold, in a form tools can check.

use serde::{Deserialize, Serialize};

/// The version tag of `manifest.json`.
pub const MANIFEST_FORMAT: &str = "evidentia-pack/1";

/// The ledger head a pack was made from: the checkpoint to keep outside the workspace.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Checkpoint {
    pub entry_count: u64,
    /// The entry hash of entry `entry_count` (64 zeros for an empty ledger).
    pub head_hash: String,
    /// The RFC 9162 Merkle tree root over entries 1..=entry_count (packs since format 3 of
    /// the ledger; absent in older packs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tree_root: Option<String>,
    /// The checkpoint origin and key name, `evidentia/<workspace_id>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
}

/// The reporting period, both days inclusive (YYYY-MM-DD), as far as the policy sets it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PackPeriod {
    pub from: Option<String>,
    pub to: Option<String>,
}

/// One file of the pack.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManifestFile {
    pub path: String,
    pub size: u64,
    pub sha256: String,
}

/// `manifest.json`: every file but itself and `SHA256SUMS`, in archive order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    pub format: String,
    pub generator: String,
    pub workspace_id: String,
    pub framework: String,
    pub period: PackPeriod,
    /// The instant the checks judged as of (RFC 3339).
    pub as_of: String,
    pub generated_at: String,
    pub checkpoint: Checkpoint,
    pub files: Vec<ManifestFile>,
}

/// `SHA256SUMS` in the exact format `sha256sum -c` reads: `<hex>  <path>\n` per file.
pub fn sha256sums(files: &[ManifestFile]) -> String {
    let mut out = String::new();
    for f in files {
        out.push_str(&f.sha256);
        out.push_str("  ");
        out.push_str(&f.path);
        out.push('\n');
    }
    out
}
