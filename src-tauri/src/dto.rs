//! The JSON shapes the UI receives and sends, converted explicitly from the façade's types;
//! their TypeScript twins in `ui/src/lib/backend/generated/` are generated from these by a test.

use std::collections::BTreeMap;
use std::path::Path;

use evidentia_app::wire::{CheckpointJson, EntryJson, VerifyJson};
use evidentia_app::{
    AccountsReport, FileOutcome, ImportProgress, ImportRecord, ImportReport, PackVerdict,
    PublicKeyInfo, RecordedPolicy, VerifyOutcome, WorkspaceInfo,
};
use serde::{Deserialize, Serialize};

/// The workspace the window shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct WorkspaceDto {
    pub path: String,
    /// The file name without its extension, for the header.
    pub name: String,
    pub workspace_id: String,
    pub entries: u64,
    pub head_hash: String,
    /// The demo workspace the app builds on first start.
    pub is_demo: bool,
    /// A team workspace on a PostgreSQL server (`path` is then its URL, without password).
    pub is_server: bool,
    /// Who the next import, analysis or response will record as acting.
    pub acting_user: String,
    /// Whether this login may write to the workspace: false for a team workspace's reader
    /// (or a file the user may not write), so the window says "read-only" and offers no write
    /// the store would refuse.
    pub writable: bool,
}

impl WorkspaceDto {
    pub fn new(
        info: &WorkspaceInfo,
        location: &evidentia_app::Location,
        is_demo: bool,
        acting_user: String,
    ) -> Self {
        let name = workspace_name(location);
        WorkspaceDto {
            path: info.path.clone(),
            name,
            workspace_id: info.workspace_id.clone(),
            entries: info.head.count,
            head_hash: info.head.hash.to_hex(),
            is_demo,
            is_server: location.is_server(),
            acting_user,
            writable: info.writable,
        }
    }
}

/// What the header calls a workspace: a file's name without its extension, a team workspace's
/// database name.
fn workspace_name(location: &evidentia_app::Location) -> String {
    match location {
        evidentia_app::Location::File(path) => path.file_stem().map_or_else(
            || path.display().to_string(),
            |s| s.to_string_lossy().into_owned(),
        ),
        evidentia_app::Location::Server(url) => {
            let shown = url.redacted();
            let after_scheme = shown.split_once("://").map_or(shown.as_str(), |(_, r)| r);
            let path = after_scheme
                .split(['?', '#'])
                .next()
                .unwrap_or_default()
                .split_once('/')
                .map_or("", |(_, db)| db);
            if path.is_empty() {
                shown.clone()
            } else {
                path.to_owned()
            }
        }
    }
}

/// The open workspace (if any) and the recently opened ones, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct SessionDto {
    pub workspace: Option<WorkspaceDto>,
    pub recent: Vec<String>,
    /// Why the workspace chosen at start could not be opened, if it could not.
    pub startup_error: Option<crate::error::IpcError>,
}

/// One ledger entry, as the Integrity page and the Reviews page's entry viewer show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct EntryDto {
    pub seq: u64,
    pub kind: String,
    pub recorded_at: String,
    /// The payload as compact JSON text (a JSON string when it is not JSON); the page lays it
    /// out. Entries are fetched one at a time, so carrying it costs little.
    pub payload: String,
    pub payload_hash: String,
    pub prev_hash: String,
    pub entry_hash: String,
    /// Who the payload says acted (`recorded_by` of imports, policy changes, analyses and
    /// responses); none for other entries and older ones.
    pub recorded_by: Option<String>,
}

// Core types reach the UI through the façade's `wire` shapes, the same the CLI prints.
impl From<EntryJson> for EntryDto {
    fn from(e: EntryJson) -> Self {
        EntryDto {
            seq: e.seq,
            kind: e.kind,
            recorded_at: e.recorded_at,
            recorded_by: e
                .payload
                .get("recorded_by")
                .and_then(serde_json::Value::as_str)
                .map(str::to_owned),
            payload: e.payload.to_string(),
            payload_hash: e.payload_hash,
            prev_hash: e.prev_hash,
            entry_hash: e.entry_hash,
        }
    }
}

/// Where an entry's record came from, for the entry viewer: the imported file, its hash, the
/// line or pointer and the line's exact bytes (shown escaped where they are not text).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct EntrySourceDto {
    pub seq: u64,
    /// The row of a set entry shown (1-based); 0 for the entry as a whole.
    pub row: u64,
    /// For a set entry, how many rows it holds.
    pub set_rows: Option<u64>,
    pub kind: String,
    /// The `import.file` entry that recorded the file.
    pub import_seq: Option<u64>,
    pub file_name: Option<String>,
    pub artifact_sha256: String,
    /// The location as recorded (`line 12`, `line 3 /Records/0`, `/value/7`).
    pub location: Option<String>,
    pub line: Option<u64>,
    pub pointer: Option<String>,
    /// The line as text: UTF-8 as it is, other bytes and control characters as `\xNN`.
    pub raw: Option<String>,
    /// Whether `raw` holds bytes that are not plain text (escaped above).
    pub raw_escaped: bool,
    /// The line's length in bytes; more than shown when the line was cut.
    pub raw_len: Option<u64>,
    pub raw_cut: bool,
    pub line_is_record: bool,
    pub pointer_value: Option<String>,
    pub artifact_verified: bool,
    pub note: Option<String>,
}

impl From<evidentia_app::EntrySource> for EntrySourceDto {
    fn from(s: evidentia_app::EntrySource) -> Self {
        let raw = s.raw.as_deref().map(evidentia_app::escape_raw);
        let raw_escaped = match (&s.raw, &raw) {
            (Some(bytes), Some(text)) => text.as_bytes() != bytes.as_slice(),
            _ => false,
        };
        let raw_cut = matches!((&s.raw, s.raw_len), (Some(b), Some(n)) if (b.len() as u64) < n);
        EntrySourceDto {
            seq: s.seq,
            row: s.row,
            set_rows: s.set_rows,
            kind: s.kind,
            import_seq: s.import_seq,
            file_name: s.file_name,
            artifact_sha256: s.artifact_sha256,
            location: s.location,
            line: s.line,
            pointer: s.pointer,
            raw,
            raw_escaped,
            raw_len: s.raw_len,
            raw_cut,
            line_is_record: s.line_is_record,
            pointer_value: s.pointer_value,
            artifact_verified: s.artifact_verified,
            note: s.note,
        }
    }
}

/// A table as the page shows it, to be saved: exactly its visible columns and rows.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct TableExportRequest {
    /// `csv` or `xlsx`.
    pub format: String,
    /// The sheet's name (XLSX) and what error messages call the table.
    pub title: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
    /// For `csv`: the file's text, made by the page from the same rows (ui/src/lib/table.ts).
    #[cfg_attr(test, ts(optional))]
    pub csv: Option<String>,
    pub out: String,
}

/// A recorded ledger head.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct CheckpointDto {
    pub id: u64,
    pub entry_count: u64,
    pub head_hash: String,
    pub created_at: String,
    /// The Merkle tree root at `entry_count`; none for checkpoints made before format 3.
    pub tree_root: Option<String>,
    /// Whether a signed note vouches for it.
    pub signed: bool,
    /// The signed note (C2SP signed checkpoint), the text to keep outside the workspace.
    pub note: Option<String>,
    /// Who recorded it; none for checkpoints made before workspace format 5.
    pub created_by: Option<String>,
}

impl From<CheckpointJson> for CheckpointDto {
    fn from(c: CheckpointJson) -> Self {
        CheckpointDto {
            id: c.id,
            entry_count: c.entry_count,
            head_hash: c.head_hash,
            created_at: c.created_at,
            tree_root: c.tree_root,
            signed: c.signed,
            note: c.note,
            created_by: c.created_by,
        }
    }
}

/// A public signing key as the ledger records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct PublicKeyDto {
    /// The `signing_key.added` entry that recorded it.
    pub seq: u64,
    /// The key name, `evidentia/<workspace_id>`.
    pub name: String,
    /// The note verifier key text (`name+id+base64`).
    pub vkey: String,
    /// The SPKI PEM, what the export writes and `openssl pkeyutl -pubin` reads.
    pub pem: String,
}

impl From<&PublicKeyInfo> for PublicKeyDto {
    fn from(k: &PublicKeyInfo) -> Self {
        PublicKeyDto {
            seq: k.seq,
            name: k.name.clone(),
            vkey: k.vkey.clone(),
            pem: k.pem.clone(),
        }
    }
}

/// The workspace's signing key: the public key its ledger records (none yet: checkpoints are
/// not signed) and where its private key is kept, outside the workspace.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct SigningKeyDto {
    pub public_key: Option<PublicKeyDto>,
    /// The private key file in the key folder (`EVIDENTIA_KEY_DIR`, else
    /// `$XDG_CONFIG_HOME/evidentia/keys`, else `~/.config/evidentia/keys`); none when no key
    /// folder can be named.
    pub private_key_path: Option<String>,
    /// Whether that file exists, so new checkpoints can be signed here.
    pub private_key_found: bool,
}

impl SigningKeyDto {
    pub fn new(public: Option<&PublicKeyInfo>, private_key: Option<&Path>) -> Self {
        SigningKeyDto {
            public_key: public.map(PublicKeyDto::from),
            private_key_path: private_key.map(|p| p.display().to_string()),
            private_key_found: private_key.is_some_and(Path::is_file),
        }
    }
}

/// What the Integrity page asks to check: a pack, optionally against an earlier pack of the
/// same workspace and with the public key the auditor was given.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct PackCheckRequest {
    pub pack: String,
    pub against: Option<String>,
    pub public_key: Option<String>,
}

/// One thing wrong with a pack: the file or entry it is about, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct PackProblemDto {
    pub entry: Option<String>,
    pub reason: String,
}

/// What an intact pack holds, from its manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct PackSummaryDto {
    pub files: u64,
    pub bytes: u64,
    pub workspace_id: String,
    pub framework: String,
    pub period_from: Option<String>,
    pub period_to: Option<String>,
    pub generated_at: String,
    pub entry_count: u64,
    pub head_hash: String,
    pub tree_root: Option<String>,
    /// Whether the pack holds a signed checkpoint (`checkpoint.note`).
    pub signed_checkpoint: bool,
}

/// The verdict on a pack: intact (with what it holds) or every problem found, the first being
/// the one to show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct PackCheckDto {
    pub pack: String,
    pub intact: bool,
    pub summary: Option<PackSummaryDto>,
    pub problems: Vec<PackProblemDto>,
    /// A public key was given, so the checkpoint's signature was checked with it.
    pub key_checked: bool,
    /// An earlier pack was given, so this one was checked to extend it.
    pub against_checked: bool,
}

impl PackCheckDto {
    pub fn new(request: &PackCheckRequest, verdict: &PackVerdict) -> Self {
        let (summary, problems) = match verdict {
            PackVerdict::Intact(s) => {
                let m = &s.manifest;
                let summary = PackSummaryDto {
                    files: s.files as u64,
                    bytes: s.bytes,
                    workspace_id: m.workspace_id.clone(),
                    framework: m.framework.clone(),
                    period_from: m.period.from.clone(),
                    period_to: m.period.to.clone(),
                    generated_at: m.generated_at.clone(),
                    entry_count: m.checkpoint.entry_count,
                    head_hash: m.checkpoint.head_hash.clone(),
                    tree_root: m.checkpoint.tree_root.clone(),
                    signed_checkpoint: m.files.iter().any(|f| f.path == "checkpoint.note"),
                };
                (Some(summary), Vec::new())
            }
            PackVerdict::Altered(problems) => (
                None,
                problems
                    .iter()
                    .map(|p| PackProblemDto {
                        entry: p.entry.clone(),
                        reason: p.reason.clone(),
                    })
                    .collect(),
            ),
        };
        PackCheckDto {
            pack: request.pack.clone(),
            intact: verdict.is_intact(),
            summary,
            problems,
            key_checked: request.public_key.is_some(),
            against_checked: request.against.is_some(),
        }
    }
}

/// The result of recomputing the whole ledger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct VerifyDto {
    pub intact: bool,
    /// Entries that verified (all of them when intact).
    pub entries: u64,
    /// The hash of the last entry that verified.
    pub head_hash: String,
    pub artifacts: u64,
    pub artifact_bytes: u64,
    pub checkpoints: Vec<CheckpointDto>,
    /// The first entry that failed, and why, when not intact.
    pub failed_seq: Option<u64>,
    pub failure: Option<String>,
    /// When the verification finished (RFC 3339, UTC).
    pub verified_at: String,
}

impl VerifyDto {
    pub fn new(outcome: &VerifyOutcome, verified_at: String) -> Self {
        let r = VerifyJson::from(&outcome.report);
        VerifyDto {
            intact: r.intact,
            entries: r.entries,
            head_hash: r.head_hash,
            artifacts: r.artifacts,
            artifact_bytes: r.artifact_bytes,
            checkpoints: outcome
                .checkpoints
                .iter()
                .map(|c| CheckpointJson::from(c).into())
                .collect(),
            failed_seq: r.failed_seq,
            failure: r.failure,
            verified_at,
        }
    }
}

/// Verification progress, streamed through a channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct VerifyProgressDto {
    pub checked: u64,
    pub total: u64,
}

/// What the UI asks to import.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct ImportRequest {
    pub files: Vec<String>,
    /// A built-in profile name, for generic CSV/JSON files.
    pub profile: Option<String>,
    /// Import the valid rows and record the bad ones, instead of rejecting the file.
    pub skip_invalid: bool,
    /// When an inventory that states no time was taken: RFC 3339, or a date (00:00 UTC).
    #[serde(default)]
    pub as_of: Option<String>,
    /// What a listing is of when the file does not say: a group, an organization, a host.
    #[serde(default)]
    pub scope: Option<String>,
    /// The year of syslog timestamps that carry none.
    #[serde(default)]
    pub year: Option<i32>,
    /// The zone of syslog timestamps that carry none: UTC, an offset or an IANA name.
    #[serde(default)]
    pub timezone: Option<String>,
}

/// Import progress for one file, streamed through a channel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct ImportProgressDto {
    pub file: String,
    pub bytes_read: u64,
    pub bytes_total: Option<u64>,
    pub rows: u64,
}

impl ImportProgressDto {
    pub fn new(file: &std::path::Path, p: &ImportProgress) -> Self {
        ImportProgressDto {
            file: file.display().to_string(),
            bytes_read: p.bytes_read,
            bytes_total: p.bytes_total,
            rows: p.rows,
        }
    }
}

/// A bad row or an incomplete event: where, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct DiagnosticDto {
    /// `line 12`, a JSON pointer, or empty for the whole file.
    pub location: String,
    pub reason: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum ImportStatus {
    Imported,
    AlreadyImported,
}

/// What happened to one imported file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct ImportResultDto {
    pub file: String,
    pub status: ImportStatus,
    pub artifact: String,
    pub format: Option<String>,
    pub rows: u64,
    /// Records appended, by record kind.
    pub records: BTreeMap<String, u64>,
    /// Rows deliberately not recorded (read-only events), by reason.
    pub skipped: BTreeMap<String, u64>,
    /// Bad rows left out (only with skip-invalid; otherwise the file is refused).
    pub invalid: Vec<DiagnosticDto>,
    /// Events too incomplete to be evidence.
    pub warnings: Vec<DiagnosticDto>,
    /// The ledger entries appended, `first..=last`; none for an already imported file.
    pub first_entry: Option<u64>,
    pub last_entry: Option<u64>,
}

impl From<&ImportReport> for ImportResultDto {
    fn from(r: &ImportReport) -> Self {
        let file = r.file.display().to_string();
        match &r.outcome {
            FileOutcome::Imported {
                format,
                artifact,
                records,
                skipped,
                rows,
                invalid,
                warnings,
                entries,
            } => ImportResultDto {
                file,
                status: ImportStatus::Imported,
                artifact: artifact.to_hex(),
                format: Some(format.as_str().to_owned()),
                rows: *rows,
                records: records
                    .iter()
                    .map(|(k, n)| (k.as_str().to_owned(), *n))
                    .collect(),
                skipped: skipped.clone(),
                invalid: invalid
                    .iter()
                    .map(|d| DiagnosticDto {
                        location: d.location.to_string(),
                        reason: d.reason.clone(),
                    })
                    .collect(),
                warnings: warnings
                    .iter()
                    .map(|d| DiagnosticDto {
                        location: d.location.to_string(),
                        reason: d.reason.clone(),
                    })
                    .collect(),
                first_entry: Some(entries.start),
                last_entry: entries.end.checked_sub(1),
            },
            FileOutcome::AlreadyImported { artifact } => ImportResultDto {
                file,
                status: ImportStatus::AlreadyImported,
                artifact: artifact.to_hex(),
                format: None,
                rows: 0,
                records: BTreeMap::new(),
                skipped: BTreeMap::new(),
                invalid: Vec::new(),
                warnings: Vec::new(),
                first_entry: None,
                last_entry: None,
            },
        }
    }
}

/// One file in the import history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct ImportRecordDto {
    pub seq: u64,
    pub recorded_at: String,
    pub file_name: String,
    pub artifact: String,
    pub size: u64,
    pub format: String,
    pub profile: Option<String>,
    pub rows: u64,
    pub records: BTreeMap<String, u64>,
    pub skipped: BTreeMap<String, u64>,
    pub invalid_rows: u64,
    pub warnings: u64,
    /// Who imported it; none for imports recorded before entries named who acted.
    pub recorded_by: Option<String>,
}

impl From<&ImportRecord> for ImportRecordDto {
    fn from(r: &ImportRecord) -> Self {
        ImportRecordDto {
            seq: r.seq,
            recorded_at: r.recorded_at.clone(),
            file_name: r.file_name.clone(),
            artifact: r.artifact.clone(),
            size: r.size,
            format: r.format.clone(),
            profile: r.profile.clone(),
            rows: r.rows,
            records: r.records.clone(),
            skipped: r.skipped.clone(),
            invalid_rows: r.invalid_rows,
            warnings: r.warnings,
            recorded_by: r.recorded_by.clone(),
        }
    }
}

/// The policy in force: which ledger entry recorded it and the hash of its text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct PolicyDto {
    pub seq: u64,
    pub source: String,
    pub sha256: String,
}

impl From<&RecordedPolicy> for PolicyDto {
    fn from(p: &RecordedPolicy) -> Self {
        PolicyDto {
            seq: p.seq,
            source: p.source.clone(),
            sha256: p.sha256.to_hex(),
        }
    }
}

/// One system account and the identity it correlates to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct AccountDto {
    pub system: String,
    pub account: String,
    pub identity: Option<String>,
    /// The correlation rule that decided (`email`, `alias`, `none`, ...).
    pub rule: String,
    pub detail: Option<String>,
    pub executions: u64,
    pub reconciliations: u64,
    pub first_seen: String,
    pub last_seen: String,
    /// The first ledger entries that mention it.
    pub evidence: Vec<u64>,
    /// Its rows in those of them that are set entries (the first few).
    pub evidence_rows: Vec<EvidenceRowDto>,
}

/// One row of a set entry that evidence cites (docs/ledger-format.md, "Evidence citations").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct EvidenceRowDto {
    pub entry: u64,
    /// 1-based position of the record in the set.
    pub row: u32,
}

/// `evidence_rows` as the DTOs carry them.
fn evidence_rows(rows: &[evidentia_app::EvidenceRow]) -> Vec<EvidenceRowDto> {
    rows.iter()
        .map(|&(entry, row)| EvidenceRowDto { entry, row })
        .collect()
}

/// Every account, with the policy version that correlated them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct AccountsDto {
    pub policy_seq: u64,
    pub accounts: Vec<AccountDto>,
}

impl From<&AccountsReport> for AccountsDto {
    fn from(r: &AccountsReport) -> Self {
        AccountsDto {
            policy_seq: r.policy_seq,
            accounts: r
                .accounts
                .iter()
                .map(|a| AccountDto {
                    system: a.system.as_str().to_owned(),
                    account: a.account.clone(),
                    identity: a.identity.as_ref().map(|i| i.as_str().to_owned()),
                    rule: a.rule.to_owned(),
                    detail: a.detail.clone(),
                    executions: a.executions,
                    reconciliations: a.reconciliations,
                    first_seen: a.first_seen.to_rfc3339(),
                    last_seen: a.last_seen.to_rfc3339(),
                    evidence: a.evidence.clone(),
                    evidence_rows: evidence_rows(&a.evidence_rows),
                })
                .collect(),
        }
    }
}

/// The analysis the Events table shows (the last recorded run).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct EventsRunDto {
    /// The `analysis.run` ledger entry the chains come from.
    pub run_seq: u64,
    pub events: u64,
    pub systems: Vec<String>,
    pub statuses: Vec<String>,
}

impl From<&evidentia_app::EventsRun> for EventsRunDto {
    fn from(r: &evidentia_app::EventsRun) -> Self {
        EventsRunDto {
            run_seq: r.run_seq,
            events: r.events,
            systems: r.systems.clone(),
            statuses: r.statuses.clone(),
        }
    }
}

/// The Events table's filters; empty fields filter nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct EventFilterDto {
    pub kind: Option<String>,
    /// `human` or `nhi`.
    pub identity_class: Option<String>,
    pub system: Option<String>,
    pub status: Option<String>,
    /// Identities starting with this text.
    pub identity: Option<String>,
}

impl EventFilterDto {
    pub fn to_filter(&self) -> anyhow::Result<evidentia_app::EventFilter> {
        let identity_class = match self.identity_class.as_deref() {
            None | Some("") => None,
            Some("human") => Some(evidentia_app::IdentityClass::Human),
            Some("nhi") => Some(evidentia_app::IdentityClass::Nhi),
            Some(other) => {
                return Err(evidentia_app::AppError::InvalidInput(format!(
                    "unknown identity class {other:?} (human or nhi)"
                ))
                .into());
            }
        };
        let some = |v: &Option<String>| v.clone().filter(|t| !t.is_empty());
        Ok(evidentia_app::EventFilter {
            kind: some(&self.kind),
            identity_class,
            system: some(&self.system),
            status: some(&self.status),
            identity: some(&self.identity),
        })
    }
}

/// One row of the Events table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct EventRowDto {
    /// 0-based rank in the run's order.
    pub position: u64,
    pub event_seq: u64,
    pub event_id: String,
    pub identity: String,
    /// `human` or `nhi`.
    pub identity_kind: String,
    pub event_kind: String,
    pub effective_at: String,
    /// The worst link status; with a system filter, that system's.
    pub status: String,
    pub systems: Vec<String>,
}

impl From<&evidentia_app::EventChainSummary> for EventRowDto {
    fn from(r: &evidentia_app::EventChainSummary) -> Self {
        EventRowDto {
            position: r.position,
            event_seq: r.event_seq,
            event_id: r.event_id.clone(),
            identity: r.identity.clone(),
            identity_kind: r.identity_kind.clone(),
            event_kind: r.event_kind.clone(),
            effective_at: r.effective_at.clone(),
            status: r.status.clone(),
            systems: r
                .systems
                .split(',')
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect(),
        }
    }
}

/// A page of events and how many match in all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct EventPageDto {
    pub rows: Vec<EventRowDto>,
    pub total: u64,
    /// Counting stopped at the cap (identity text filters only): "at least `total`".
    pub total_capped: bool,
}

impl From<&evidentia_app::EventPage> for EventPageDto {
    fn from(p: &evidentia_app::EventPage) -> Self {
        EventPageDto {
            rows: p.rows.iter().map(EventRowDto::from).collect(),
            total: p.total,
            total_capped: p.total_capped,
        }
    }
}

/// A ledger entry a link rests on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct EvidenceDto {
    pub seq: u64,
    /// The cited row when `seq` is a set entry (1-based); 0 for a whole one-record entry.
    pub row: u32,
    pub kind: String,
    pub recorded_at: String,
    pub entry_hash: String,
}

/// Decision, execution or confirmation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct LinkDto {
    pub step: String,
    pub status: String,
    pub at: Option<String>,
    /// Seconds from the event to this evidence (negative: before the event).
    pub after_event_secs: Option<i64>,
    pub note: String,
    pub evidence: Vec<EvidenceDto>,
}

/// One system's chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct SystemChainDto {
    pub system: String,
    pub direction: String,
    pub account: Option<String>,
    pub deadline: Option<String>,
    /// The SLA in seconds after the event, where the policy sets one.
    pub sla_secs: Option<i64>,
    pub status: String,
    pub links: Vec<LinkDto>,
}

/// One event's evidence chain per system.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct EventChainDto {
    pub run_seq: u64,
    pub event: EventRowDto,
    pub systems: Vec<SystemChainDto>,
}

impl From<&evidentia_app::EventChainDetail> for EventChainDto {
    fn from(d: &evidentia_app::EventChainDetail) -> Self {
        EventChainDto {
            run_seq: d.run_seq,
            event: EventRowDto::from(&d.event),
            systems: d
                .systems
                .iter()
                .map(|s| SystemChainDto {
                    system: s.system.clone(),
                    direction: s.direction.clone(),
                    account: s.account.clone(),
                    deadline: s.deadline.clone(),
                    sla_secs: s.sla_secs,
                    status: s.status.clone(),
                    links: s
                        .links
                        .iter()
                        .map(|l| LinkDto {
                            step: l.step.clone(),
                            status: l.status.clone(),
                            at: l.at.clone(),
                            after_event_secs: l.after_event_secs,
                            note: l.note.clone(),
                            evidence: l
                                .evidence
                                .iter()
                                .map(|e| EvidenceDto {
                                    seq: e.seq,
                                    row: e.row,
                                    kind: e.kind.clone(),
                                    recorded_at: e.recorded_at.clone(),
                                    entry_hash: e.entry_hash.clone(),
                                })
                                .collect(),
                        })
                        .collect(),
                })
                .collect(),
        }
    }
}

/// A recorded analysis run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct AnalysisDto {
    /// The `analysis.run` entry.
    pub run_seq: Option<u64>,
    pub as_of: String,
    pub events: u64,
    pub findings: u64,
    /// Who the `analysis.run` entry names as having run it.
    pub recorded_by: Option<String>,
}

impl From<&evidentia_app::AnalysisRun> for AnalysisDto {
    fn from(r: &evidentia_app::AnalysisRun) -> Self {
        AnalysisDto {
            run_seq: r.recorded_at_seq,
            as_of: r.as_of.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            events: r.analysis.chains.len() as u64,
            findings: r.analysis.findings.len() as u64,
            recorded_by: r.recorded_by.clone(),
        }
    }
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct FindingDto {
    /// The stable finding id (`F-` and 12 hex digits) management responses name.
    pub id: String,
    pub check: String,
    /// The check's short title, e.g. "Leaver access not revoked".
    pub title: String,
    pub severity: String,
    pub identity: Option<String>,
    pub system: Option<String>,
    pub account: Option<String>,
    pub entitlement: Option<String>,
    pub exception: Option<String>,
    pub summary: String,
    pub evidence: Vec<u64>,
    /// The rows of set entries among what it cites (empty when it cites only one-record
    /// entries).
    pub evidence_rows: Vec<EvidenceRowDto>,
    /// The lifecycle event whose chain the Events page opens, when the finding rests on one.
    pub event_seq: Option<u64>,
    /// About a non-human identity or an unowned account (the OWASP NHI Top 10's scope).
    pub non_human: bool,
    /// Management's current response, if one is recorded.
    pub response: Option<ResponseDto>,
}

/// A finding's current management response (its latest `finding.response` entry).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct ResponseDto {
    /// The `finding.response` entry.
    pub seq: u64,
    pub recorded_at: String,
    /// `open`, `in-remediation`, `remediated` or `risk-accepted`.
    pub status: String,
    pub owner: String,
    /// YYYY-MM-DD.
    pub due: String,
    pub accepted_until: Option<String>,
    pub response: String,
    pub recorded_by: Option<String>,
    /// A risk acceptance past its date as of the analysis.
    pub expired: bool,
}

impl From<&evidentia_app::CurrentResponse> for ResponseDto {
    fn from(r: &evidentia_app::CurrentResponse) -> Self {
        ResponseDto {
            seq: r.seq,
            recorded_at: r.recorded_at.clone(),
            status: r.status.as_str().to_owned(),
            owner: r.owner.clone(),
            due: r.due.format("%Y-%m-%d").to_string(),
            accepted_until: r.accepted_until.map(|d| d.format("%Y-%m-%d").to_string()),
            response: r.response.clone(),
            recorded_by: r.recorded_by.clone(),
            expired: r.expired,
        }
    }
}

/// A management response to record, as the Findings page's form sends it; the façade checks
/// every field (dates as YYYY-MM-DD) and refuses the whole response on any problem.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct ResponseRequest {
    pub finding: String,
    pub owner: String,
    pub due: String,
    pub status: String,
    pub accepted_until: Option<String>,
    pub response: String,
    pub recorded_by: Option<String>,
}

impl From<ResponseRequest> for evidentia_app::ResponseInput {
    fn from(r: ResponseRequest) -> Self {
        evidentia_app::ResponseInput {
            finding: r.finding,
            owner: r.owner,
            due: r.due,
            status: r.status,
            accepted_until: r.accepted_until.filter(|d| !d.trim().is_empty()),
            response: r.response,
            recorded_by: r.recorded_by.filter(|b| !b.trim().is_empty()),
        }
    }
}

/// A check, what it examined and found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct CheckDto {
    pub id: String,
    /// The check's short title.
    pub title: String,
    pub severity: String,
    pub rationale: String,
    pub examined: u64,
    pub findings: u64,
}

/// A group a control sits in (CSF: function, then category).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct ControlGroupDto {
    pub id: String,
    pub title: String,
}

/// One control, judged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct ControlDto {
    pub id: String,
    pub title: String,
    pub groups: Vec<ControlGroupDto>,
    pub checks: Vec<String>,
    pub evidence: u64,
    pub findings: u64,
    /// `met`, `findings` or `not-assessed`.
    pub status: String,
    /// Evidence its checks needed that was not imported, in words: all of it when the control
    /// is not assessed, part of it when only some of its checks could look.
    pub missing: Vec<String>,
}

/// A framework's controls.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct FrameworkDto {
    pub id: String,
    pub controls: Vec<ControlDto>,
}

/// Everything the Findings page shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct FindingsDto {
    pub as_of: String,
    pub evidence_entries: u64,
    pub findings: Vec<FindingDto>,
    pub checks: Vec<CheckDto>,
    pub frameworks: Vec<FrameworkDto>,
    /// Items a check could not judge for want of evidence, shown apart from the findings.
    pub not_assessed: Vec<NotAssessedDto>,
}

/// An item a check could not judge: neither a finding nor clean.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct NotAssessedDto {
    pub check: String,
    /// The check's short title.
    pub title: String,
    pub identity: String,
    pub system: String,
    pub account: String,
    /// The credential, as the system names it.
    pub credential: String,
    /// The evidence that was missing, in words.
    pub reason: String,
    pub evidence: Vec<u64>,
    pub evidence_rows: Vec<EvidenceRowDto>,
}

impl From<&evidentia_app::NotAssessed> for NotAssessedDto {
    fn from(n: &evidentia_app::NotAssessed) -> Self {
        NotAssessedDto {
            check: n.check.to_owned(),
            title: evidentia_app::check_title(n.check)
                .unwrap_or_default()
                .to_owned(),
            identity: n.identity.as_str().to_owned(),
            system: n.system.as_str().to_owned(),
            account: n.account.clone(),
            credential: n.credential.clone(),
            reason: n.reason.to_owned(),
            evidence: evidentia_app::evidence_entries(&n.evidence),
            evidence_rows: evidence_rows(&evidentia_app::evidence_rows(&n.evidence)),
        }
    }
}

impl From<&evidentia_app::FindingsView> for FindingsDto {
    fn from(v: &evidentia_app::FindingsView) -> Self {
        FindingsDto {
            as_of: v.as_of.clone(),
            evidence_entries: v.evidence_entries,
            findings: v
                .findings
                .iter()
                .map(|f| FindingDto {
                    id: f.id.clone(),
                    title: evidentia_app::check_title(&f.check)
                        .unwrap_or_default()
                        .to_owned(),
                    check: f.check.clone(),
                    severity: f.severity.as_str().to_owned(),
                    identity: f.identity.clone(),
                    system: f.system.clone(),
                    account: f.account.clone(),
                    entitlement: f.entitlement.clone(),
                    exception: f.exception.clone(),
                    summary: f.summary.clone(),
                    evidence: f.evidence.clone(),
                    evidence_rows: evidence_rows(&f.evidence_rows),
                    event_seq: f.event_seq,
                    non_human: f.non_human,
                    response: f.response.as_ref().map(ResponseDto::from),
                })
                .collect(),
            checks: v
                .checks
                .iter()
                .map(|c| CheckDto {
                    title: evidentia_app::check_title(&c.id)
                        .unwrap_or_default()
                        .to_owned(),
                    id: c.id.clone(),
                    severity: c.severity.as_str().to_owned(),
                    rationale: c.rationale.clone(),
                    examined: c.examined as u64,
                    findings: c.findings as u64,
                })
                .collect(),
            frameworks: v
                .controls
                .iter()
                .map(|(id, controls)| FrameworkDto {
                    id: id.clone(),
                    controls: controls
                        .iter()
                        .map(|c| ControlDto {
                            id: c.id.clone(),
                            title: c.title.clone(),
                            groups: c
                                .groups
                                .iter()
                                .map(|(id, title)| ControlGroupDto {
                                    id: id.clone(),
                                    title: title.clone(),
                                })
                                .collect(),
                            checks: c.checks.clone(),
                            evidence: c.evidence as u64,
                            findings: c.findings as u64,
                            status: c.status.as_str().to_owned(),
                            missing: c.missing.clone(),
                        })
                        .collect(),
                })
                .collect(),
            not_assessed: v.not_assessed.iter().map(NotAssessedDto::from).collect(),
        }
    }
}

/// One exception with its aging and governance flags.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct ExceptionDto {
    pub id: String,
    pub seq: u64,
    pub subject: Option<String>,
    pub system: Option<String>,
    pub entitlement: Option<String>,
    pub owner: Option<String>,
    pub approver: Option<String>,
    pub granted_at: String,
    pub expires_at: Option<String>,
    pub age_days: i64,
    /// `0-30`, `31-60`, `61-90`, `>90` or `expired`.
    pub bucket: String,
    pub reapprovals: u64,
    pub expiring_soon: bool,
    pub expired_active: bool,
    pub no_owner: bool,
    pub no_expiry: bool,
    pub too_long: bool,
}

/// An aging bucket and how many exceptions are in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct AgingBucketDto {
    pub label: String,
    pub count: u64,
}

/// Everything the Exceptions page shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct ExceptionsDto {
    pub as_of: String,
    pub buckets: Vec<AgingBucketDto>,
    pub exceptions: Vec<ExceptionDto>,
}

impl From<&evidentia_app::ExceptionsView> for ExceptionsDto {
    fn from(v: &evidentia_app::ExceptionsView) -> Self {
        ExceptionsDto {
            as_of: v.as_of.clone(),
            buckets: v
                .buckets
                .iter()
                .map(|(label, count)| AgingBucketDto {
                    label: label.clone(),
                    count: *count as u64,
                })
                .collect(),
            exceptions: v
                .exceptions
                .iter()
                .map(|e| ExceptionDto {
                    id: e.id.clone(),
                    seq: e.seq,
                    subject: e.subject.clone(),
                    system: e.system.clone(),
                    entitlement: e.entitlement.clone(),
                    owner: e.owner.clone(),
                    approver: e.approver.clone(),
                    granted_at: e.granted_at.clone(),
                    expires_at: e.expires_at.clone(),
                    age_days: e.age_days,
                    bucket: e.bucket.clone(),
                    reapprovals: e.reapprovals as u64,
                    expiring_soon: e.expiring_soon,
                    expired_active: e.expired_active,
                    no_owner: e.no_owner,
                    no_expiry: e.no_expiry,
                    too_long: e.too_long,
                })
                .collect(),
        }
    }
}

/// Findings of one severity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct SeverityCountDto {
    /// `critical`, `high`, `medium` or `low`.
    pub severity: String,
    pub count: u64,
}

/// One NIST CSF 2.0 function and how its controls stand.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct FunctionDto {
    pub id: String,
    pub title: String,
    pub with_findings: u64,
    pub met: u64,
    pub not_assessed: u64,
    pub findings: u64,
}

/// Hours to revoke access in one system after leavers and retirements.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct RevokeDto {
    pub system: String,
    pub count: u64,
    pub median_hours: f64,
    pub p95_hours: f64,
}

/// The assessment the Overview page summarises.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct AssessmentDto {
    pub as_of: String,
    pub events_with_chains: u64,
    pub complete_events: u64,
    pub severities: Vec<SeverityCountDto>,
    pub functions: Vec<FunctionDto>,
    pub buckets: Vec<AgingBucketDto>,
    pub time_to_revoke: Vec<RevokeDto>,
    /// What the analysis could not look at, one sentence each; empty when nothing was missing.
    pub evidence_gaps: Vec<String>,
    /// Leaver credentials revoked within the SLA, of those judged; none: not assessed.
    pub leaver_credentials_revoked: Option<ShareDto>,
    /// Ages of the active credentials with a logged creation, in days; none: not assessed.
    pub credential_age: Option<CredentialAgeDto>,
    /// Emergency-register uses with an independent review in time; none: not assessed.
    pub emergency_reviewed: Option<ShareDto>,
}

/// Part of a whole (never built from an empty whole).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct ShareDto {
    pub part: u64,
    pub whole: u64,
}

impl From<evidentia_app::Share> for ShareDto {
    fn from(s: evidentia_app::Share) -> Self {
        ShareDto {
            part: s.part as u64,
            whole: s.whole as u64,
        }
    }
}

/// How old the active credentials are, as of the analysis.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct CredentialAgeDto {
    pub count: u64,
    pub median_days: f64,
    pub p95_days: f64,
}

impl From<&evidentia_app::AssessmentView> for AssessmentDto {
    fn from(v: &evidentia_app::AssessmentView) -> Self {
        AssessmentDto {
            as_of: v.as_of.clone(),
            events_with_chains: v.events_with_chains as u64,
            complete_events: v.complete_events as u64,
            severities: v
                .severities
                .iter()
                .map(|(s, n)| SeverityCountDto {
                    severity: s.as_str().to_owned(),
                    count: *n as u64,
                })
                .collect(),
            functions: v
                .functions
                .iter()
                .map(|f| FunctionDto {
                    id: f.id.clone(),
                    title: f.title.clone(),
                    with_findings: f.with_findings as u64,
                    met: f.met as u64,
                    not_assessed: f.not_assessed as u64,
                    findings: f.findings as u64,
                })
                .collect(),
            buckets: v
                .buckets
                .iter()
                .map(|(label, count)| AgingBucketDto {
                    label: label.clone(),
                    count: *count as u64,
                })
                .collect(),
            time_to_revoke: v
                .time_to_revoke
                .iter()
                .map(|r| RevokeDto {
                    system: r.system.clone(),
                    count: r.count as u64,
                    median_hours: r.median_hours,
                    p95_hours: r.p95_hours,
                })
                .collect(),
            evidence_gaps: v.evidence_gaps.clone(),
            leaver_credentials_revoked: v.leaver_credentials_revoked.map(ShareDto::from),
            credential_age: v.credential_age.map(|d| CredentialAgeDto {
                count: d.count as u64,
                median_days: d.median_hours / 24.0,
                p95_days: d.p95_hours / 24.0,
            }),
            emergency_reviewed: v.emergency_reviewed.map(ShareDto::from),
        }
    }
}

/// A campaign's population and decisions in one system.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct ReviewSystemDto {
    pub system: String,
    /// When the snapshot the population was drawn from was taken; none: the system had no
    /// complete snapshot at or before the start, so its population is not established.
    pub snapshot_at: Option<String>,
    /// The ledger entries holding that snapshot's rows.
    pub snapshot_entries: Vec<u64>,
    pub population: u64,
    pub decided: u64,
    pub decided_on_time: u64,
    pub keep: u64,
    pub revoke: u64,
    pub modify: u64,
    pub undecided: u64,
    /// Decision to removal in the system's log, in hours, where any revoke was removed.
    pub removal_hours: Option<RemovalHoursDto>,
}

/// Hours from decision to removal: how many, median and 95th percentile (nearest rank).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct RemovalHoursDto {
    pub count: u64,
    pub median: f64,
    pub p95: f64,
}

/// A revoke (or modify) decision → the system's removal → the next snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct ReviewRevokeDto {
    pub decision_seq: u64,
    /// `revoke` or `modify`.
    pub verdict: String,
    pub system: String,
    pub account: String,
    pub entitlement: Option<String>,
    pub identity: Option<String>,
    pub reviewer: Option<String>,
    pub decided_at: String,
    /// Decision + the policy's revoke SLA.
    pub deadline: String,
    pub removal_seq: Option<u64>,
    /// The removal's row when `removal_seq` is a set entry (null: the whole entry).
    pub removal_row: Option<u32>,
    pub removed_at: Option<String>,
    pub confirmation_seq: Option<u64>,
    /// The snapshot's row when `confirmation_seq` is a set entry (null: the whole entry).
    pub confirmation_row: Option<u32>,
    pub confirmation_at: Option<String>,
    /// The confirming snapshot still shows the item.
    pub confirmation_held: Option<bool>,
    /// `on_time`, `late`, `not_executed`, `contradicted`, `removed_unlogged` or `not_yet_due`.
    pub status: String,
}

/// One reviewer's decisions in a campaign and their fastest burst.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct ReviewerDto {
    pub reviewer: String,
    pub decisions: u64,
    pub keep: u64,
    pub revoke: u64,
    pub modify: u64,
    /// The most decisions made within the rubber-stamp window of each other.
    pub fastest_burst: u64,
    pub fastest_burst_all_keep: bool,
}

/// One access-review campaign.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct CampaignDto {
    pub id: String,
    pub name: Option<String>,
    /// The campaign's ledger entry.
    pub seq: u64,
    pub started_at: String,
    pub due_at: String,
    pub closed_at: Option<String>,
    /// Closed after its due date, or still open after it.
    pub overdue: bool,
    /// Items in the established populations, summed over systems.
    pub population: u64,
    pub decided: u64,
    pub decided_on_time: u64,
    pub systems: Vec<ReviewSystemDto>,
    pub revokes: Vec<ReviewRevokeDto>,
    pub reviewers: Vec<ReviewerDto>,
    /// Decisions on items outside the population, as their entries.
    pub outside_population: Vec<u64>,
    /// Findings of the review checks about this campaign.
    pub findings: u64,
}

/// The rubber-stamp threshold reviewers' bursts are measured against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct RubberStampDto {
    pub decisions: u64,
    pub seconds: i64,
}

/// Everything the Reviews page shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct ReviewsDto {
    pub as_of: String,
    pub rubber_stamp: RubberStampDto,
    pub campaigns: Vec<CampaignDto>,
}

impl From<&evidentia_app::ReviewsView> for ReviewsDto {
    fn from(v: &evidentia_app::ReviewsView) -> Self {
        let (decisions, seconds) = v.rubber_stamp;
        ReviewsDto {
            as_of: v.as_of.clone(),
            rubber_stamp: RubberStampDto {
                decisions: u64::from(decisions),
                seconds,
            },
            campaigns: v.campaigns.iter().map(CampaignDto::from).collect(),
        }
    }
}

impl From<&evidentia_app::CampaignItem> for CampaignDto {
    fn from(c: &evidentia_app::CampaignItem) -> Self {
        CampaignDto {
            id: c.id.clone(),
            name: c.name.clone(),
            seq: c.seq,
            started_at: c.started_at.clone(),
            due_at: c.due_at.clone(),
            closed_at: c.closed_at.clone(),
            overdue: c.overdue,
            population: c.population as u64,
            decided: c.decided as u64,
            decided_on_time: c.decided_on_time as u64,
            systems: c
                .systems
                .iter()
                .map(|s| ReviewSystemDto {
                    system: s.system.clone(),
                    snapshot_at: s.snapshot_at.clone(),
                    snapshot_entries: s.snapshot_entries.clone(),
                    population: s.population as u64,
                    decided: s.decided as u64,
                    decided_on_time: s.decided_on_time as u64,
                    keep: s.keep as u64,
                    revoke: s.revoke as u64,
                    modify: s.modify as u64,
                    undecided: s.undecided as u64,
                    removal_hours: s.removal_hours.map(|(count, median, p95)| RemovalHoursDto {
                        count: count as u64,
                        median,
                        p95,
                    }),
                })
                .collect(),
            revokes: c
                .revokes
                .iter()
                .map(|r| ReviewRevokeDto {
                    decision_seq: r.decision_seq,
                    verdict: r.verdict.clone(),
                    system: r.system.clone(),
                    account: r.account.clone(),
                    entitlement: r.entitlement.clone(),
                    identity: r.identity.clone(),
                    reviewer: r.reviewer.clone(),
                    decided_at: r.decided_at.clone(),
                    deadline: r.deadline.clone(),
                    removal_seq: r.removal_seq,
                    removal_row: r.removal_row,
                    removed_at: r.removed_at.clone(),
                    confirmation_seq: r.confirmation_seq,
                    confirmation_row: r.confirmation_row,
                    confirmation_at: r.confirmation_at.clone(),
                    confirmation_held: r.confirmation_held,
                    status: r.status.clone(),
                })
                .collect(),
            reviewers: c
                .reviewers
                .iter()
                .map(|r| ReviewerDto {
                    reviewer: r.reviewer.clone(),
                    decisions: r.decisions as u64,
                    keep: r.keep as u64,
                    revoke: r.revoke as u64,
                    modify: r.modify as u64,
                    fastest_burst: r.fastest_burst as u64,
                    fastest_burst_all_keep: r.fastest_burst_all_keep,
                })
                .collect(),
            outside_population: c.outside_population.clone(),
            findings: c.findings as u64,
        }
    }
}

/// One attribute tested on each item of a population: a workpaper column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct SampleAttributeDefDto {
    pub id: String,
    pub title: String,
    /// The checks whose findings make it fail.
    pub checks: Vec<String>,
}

impl From<&evidentia_app::AttributeDef> for SampleAttributeDefDto {
    fn from(a: &evidentia_app::AttributeDef) -> Self {
        SampleAttributeDefDto {
            id: a.id.to_owned(),
            title: a.title.to_owned(),
            checks: a.checks.iter().map(|&c| c.to_owned()).collect(),
        }
    }
}

/// A named population: what it holds, where it comes from, what is tested, and how many
/// items it holds in the period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct PopulationDto {
    pub name: String,
    pub title: String,
    pub definition: String,
    pub source: String,
    pub attributes: Vec<SampleAttributeDefDto>,
    pub count: u64,
    pub digest: String,
}

impl From<&evidentia_app::PopulationInfo> for PopulationDto {
    fn from(p: &evidentia_app::PopulationInfo) -> Self {
        PopulationDto {
            name: p.def.name.to_owned(),
            title: p.def.title.to_owned(),
            definition: p.def.definition.to_owned(),
            source: p.def.source.to_owned(),
            attributes: p
                .def
                .attributes
                .iter()
                .map(SampleAttributeDefDto::from)
                .collect(),
            count: p.count as u64,
            digest: p.digest.clone(),
        }
    }
}

/// A control frequency and the sample size the documented table gives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct FrequencyDto {
    pub name: String,
    pub size: u64,
}

/// What the Sample page's form offers: every population with its count over the period, and
/// the frequency table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct SamplePopulationsDto {
    pub populations: Vec<PopulationDto>,
    pub frequencies: Vec<FrequencyDto>,
    /// The period the counts are over (`YYYY-MM-DD`); none: open-ended.
    pub period_from: Option<String>,
    pub period_to: Option<String>,
}

impl SamplePopulationsDto {
    pub fn new(infos: &[evidentia_app::PopulationInfo]) -> Self {
        let first = infos.first();
        SamplePopulationsDto {
            populations: infos.iter().map(PopulationDto::from).collect(),
            frequencies: evidentia_app::Frequency::ALL
                .iter()
                .map(|f| FrequencyDto {
                    name: f.as_str().to_owned(),
                    size: f.size() as u64,
                })
                .collect(),
            period_from: first.and_then(|p| p.period_from).map(|d| d.to_string()),
            period_to: first.and_then(|p| p.period_to).map(|d| d.to_string()),
        }
    }
}

/// What the Sample page asks to draw: a population, a size (a number or a control frequency,
/// exactly one), a seed, optional strata and period.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct SampleRequestDto {
    pub population: String,
    pub size: Option<u64>,
    /// `annual`, `quarterly`, `monthly`, `weekly` or `daily`.
    pub frequency: Option<String>,
    pub seed: String,
    /// `system` or `kind`; none: not stratified.
    pub stratify: Option<String>,
    /// First and last day (`YYYY-MM-DD`, inclusive); empty: the policy's period.
    pub from: Option<String>,
    pub to: Option<String>,
}

impl SampleRequestDto {
    /// The façade's request; a size and a frequency together, or neither, are refused.
    pub fn to_request(&self) -> anyhow::Result<evidentia_app::SampleRequest> {
        let invalid = |m: String| anyhow::Error::from(evidentia_app::AppError::InvalidInput(m));
        let size = match (self.size, self.frequency.as_deref()) {
            (Some(n), None) => evidentia_app::SampleSize::Fixed(
                usize::try_from(n).map_err(|_| invalid(format!("a sample of {n} is too large")))?,
            ),
            (None, Some(f)) => evidentia_app::SampleSize::Frequency(
                evidentia_app::Frequency::parse(f).ok_or_else(|| {
                    invalid(format!(
                        "unknown frequency {f:?}: annual, quarterly, monthly, weekly or daily"
                    ))
                })?,
            ),
            (Some(_), Some(_)) => {
                return Err(invalid("give a size or a frequency, not both".to_owned()));
            }
            (None, None) => return Err(invalid("give a size or a frequency".to_owned())),
        };
        let stratify = match self.stratify.as_deref() {
            None | Some("") => None,
            Some("system") => Some(evidentia_app::Stratify::System),
            Some("kind") => Some(evidentia_app::Stratify::Kind),
            Some(other) => return Err(invalid(format!("stratify by {other:?}: system or kind"))),
        };
        Ok(evidentia_app::SampleRequest {
            population: self.population.clone(),
            size,
            seed: self.seed.clone(),
            stratify,
            from: day(&self.from)?,
            to: day(&self.to)?,
        })
    }
}

/// A day the UI sends (`YYYY-MM-DD`); empty or absent: none.
pub fn day(text: &Option<String>) -> anyhow::Result<Option<chrono::NaiveDate>> {
    match text.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(t) => chrono::NaiveDate::parse_from_str(t, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| {
                evidentia_app::AppError::InvalidInput(format!("{t:?} is not a date (YYYY-MM-DD)"))
                    .into()
            }),
    }
}

/// One line of a sample's method block, in the order every surface prints them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct MethodRowDto {
    pub label: String,
    pub value: String,
}

/// One attribute tested on one sampled item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct ItemAttributeDto {
    pub id: String,
    /// `pass`, `fail` or `n/a`.
    pub outcome: String,
    /// The ledger entries behind the outcome.
    pub evidence: Vec<u64>,
    /// The rows of set entries among them.
    pub evidence_rows: Vec<EvidenceRowDto>,
    pub note: String,
    /// The checks of the findings that make it fail.
    pub failing_checks: Vec<String>,
}

/// One sampled item, in rank order, with its attributes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct SampledItemDto {
    /// 1-based, in rank order.
    pub number: u64,
    pub rank: String,
    pub key: String,
    /// The ledger entry the item is read from.
    pub entry: u64,
    /// The item's row when `entry` is a set entry (1-based); 0 for a whole one-record entry.
    pub row: u32,
    pub kind: String,
    pub identity: Option<String>,
    pub system: Option<String>,
    pub account: Option<String>,
    pub entitlement: Option<String>,
    pub reference: Option<String>,
    pub at: String,
    pub systems: Vec<String>,
    pub stratum: Option<String>,
    pub attributes: Vec<ItemAttributeDto>,
}

impl From<&evidentia_app::SampledItem> for SampledItemDto {
    fn from(s: &evidentia_app::SampledItem) -> Self {
        let i = &s.item;
        SampledItemDto {
            number: s.number as u64,
            rank: s.rank.clone(),
            key: i.key.clone(),
            entry: i.seq,
            row: i.row,
            kind: i.kind.clone(),
            identity: i.identity.clone(),
            system: i.system.clone(),
            account: i.account.clone(),
            entitlement: i.entitlement.clone(),
            reference: i.reference.clone(),
            at: i.at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            systems: i.systems.clone(),
            stratum: i.stratum.clone(),
            attributes: s
                .attributes
                .iter()
                .map(|a| ItemAttributeDto {
                    id: a.id.to_owned(),
                    outcome: a.outcome.as_str().to_owned(),
                    evidence: a.evidence.clone(),
                    evidence_rows: evidence_rows(&a.evidence_rows),
                    note: a.note.clone(),
                    failing_checks: a.failing_checks.iter().map(|&c| c.to_owned()).collect(),
                })
                .collect(),
        }
    }
}

/// A stratum's population count and its share of the sample.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct StratumDto {
    pub stratum: String,
    pub population: u64,
    pub sample: u64,
}

/// A drawn sample: the population, the method as a workpaper states it, and the items.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct SampleDto {
    pub population: PopulationDto,
    pub method: Vec<MethodRowDto>,
    pub seed: String,
    pub size_rule: String,
    pub size: u64,
    pub stratify: Option<String>,
    pub strata: Vec<StratumDto>,
    pub items: Vec<SampledItemDto>,
}

impl From<&evidentia_app::SampleView> for SampleDto {
    fn from(v: &evidentia_app::SampleView) -> Self {
        SampleDto {
            population: PopulationDto::from(&v.population),
            method: evidentia_app::method_rows(v)
                .into_iter()
                .map(|(label, value)| MethodRowDto { label, value })
                .collect(),
            seed: v.seed.clone(),
            size_rule: v.size_rule.clone(),
            size: v.size as u64,
            stratify: v.stratify.map(|s| s.as_str().to_owned()),
            strata: v
                .strata
                .iter()
                .map(|(stratum, population, sample)| StratumDto {
                    stratum: stratum.clone(),
                    population: *population as u64,
                    sample: *sample as u64,
                })
                .collect(),
            items: v.items.iter().map(SampledItemDto::from).collect(),
        }
    }
}

/// What the Reports page asks for: an output kind, a framework, a period and where to write.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct OutputRequest {
    /// `pdf`, `oscal` or `pack`; or, from the Integrity page, `public-key` (the workspace's
    /// public key, PEM) or `checkpoint` (a signed checkpoint note), which ignore the
    /// framework and period.
    pub kind: String,
    pub framework: String,
    /// First and last day (`YYYY-MM-DD`, inclusive); empty: the policy's period.
    pub from: Option<String>,
    pub to: Option<String>,
    pub out: String,
    /// For `checkpoint`: which one (its id); absent, the latest signed one.
    #[cfg_attr(test, ts(optional))]
    pub checkpoint: Option<u64>,
}

/// A written report, OSCAL file, pack, public key or signed checkpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct OutputDto {
    pub path: String,
    pub bytes: u64,
    /// SHA-256 of the file, where the writer reports it (PDF, pack).
    pub sha256: Option<String>,
    /// What else to say about it (pages of a PDF, files in a pack).
    pub detail: String,
}

/// Where a long output is: `judging`, `rendering`, `writing` or `done`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct OutputProgressDto {
    pub stage: String,
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use ts_rs::{Config, TS};

    use super::*;
    use crate::error::{ErrorCode, IpcError};

    /// Where the UI keeps the generated declarations (committed, so the UI builds without Rust).
    const GENERATED: &str = "../ui/src/lib/backend/generated/types.ts";

    fn declarations() -> String {
        // Counts and sequence numbers stay far below 2^53, so plain numbers are exact.
        let cfg = Config::new().with_large_int("number");
        let decls = [
            ErrorCode::decl(&cfg),
            IpcError::decl(&cfg),
            WorkspaceDto::decl(&cfg),
            SessionDto::decl(&cfg),
            EntryDto::decl(&cfg),
            EntrySourceDto::decl(&cfg),
            TableExportRequest::decl(&cfg),
            CheckpointDto::decl(&cfg),
            PublicKeyDto::decl(&cfg),
            SigningKeyDto::decl(&cfg),
            PackCheckRequest::decl(&cfg),
            PackProblemDto::decl(&cfg),
            PackSummaryDto::decl(&cfg),
            PackCheckDto::decl(&cfg),
            VerifyDto::decl(&cfg),
            VerifyProgressDto::decl(&cfg),
            ImportRequest::decl(&cfg),
            ImportProgressDto::decl(&cfg),
            DiagnosticDto::decl(&cfg),
            ImportStatus::decl(&cfg),
            ImportResultDto::decl(&cfg),
            ImportRecordDto::decl(&cfg),
            PolicyDto::decl(&cfg),
            AccountDto::decl(&cfg),
            EvidenceRowDto::decl(&cfg),
            AccountsDto::decl(&cfg),
            EventsRunDto::decl(&cfg),
            EventFilterDto::decl(&cfg),
            EventRowDto::decl(&cfg),
            EventPageDto::decl(&cfg),
            EvidenceDto::decl(&cfg),
            LinkDto::decl(&cfg),
            SystemChainDto::decl(&cfg),
            EventChainDto::decl(&cfg),
            AnalysisDto::decl(&cfg),
            FindingDto::decl(&cfg),
            ResponseDto::decl(&cfg),
            ResponseRequest::decl(&cfg),
            CheckDto::decl(&cfg),
            ControlGroupDto::decl(&cfg),
            ControlDto::decl(&cfg),
            FrameworkDto::decl(&cfg),
            NotAssessedDto::decl(&cfg),
            FindingsDto::decl(&cfg),
            ExceptionDto::decl(&cfg),
            AgingBucketDto::decl(&cfg),
            ExceptionsDto::decl(&cfg),
            SeverityCountDto::decl(&cfg),
            FunctionDto::decl(&cfg),
            RevokeDto::decl(&cfg),
            ShareDto::decl(&cfg),
            CredentialAgeDto::decl(&cfg),
            AssessmentDto::decl(&cfg),
            ReviewSystemDto::decl(&cfg),
            RemovalHoursDto::decl(&cfg),
            ReviewRevokeDto::decl(&cfg),
            ReviewerDto::decl(&cfg),
            CampaignDto::decl(&cfg),
            RubberStampDto::decl(&cfg),
            ReviewsDto::decl(&cfg),
            SampleAttributeDefDto::decl(&cfg),
            PopulationDto::decl(&cfg),
            FrequencyDto::decl(&cfg),
            SamplePopulationsDto::decl(&cfg),
            SampleRequestDto::decl(&cfg),
            MethodRowDto::decl(&cfg),
            ItemAttributeDto::decl(&cfg),
            SampledItemDto::decl(&cfg),
            StratumDto::decl(&cfg),
            SampleDto::decl(&cfg),
            OutputRequest::decl(&cfg),
            OutputDto::decl(&cfg),
            OutputProgressDto::decl(&cfg),
        ];
        let mut out = String::from(
            "// Generated from src-tauri/src/dto.rs and error.rs by `cargo test -p evidentia-desktop`; do not edit.\n\
             // Regenerate with UPDATE_TS=1 cargo test -p evidentia-desktop generated_types.\n\n",
        );
        for d in decls {
            out.push_str("export ");
            out.push_str(&d);
            out.push_str("\n\n");
        }
        out.truncate(out.trim_end().len());
        out.push('\n');
        out
    }

    #[test]
    fn an_altered_pack_lists_every_problem_first_one_first() {
        let request = PackCheckRequest {
            pack: "/audits/pack.zip".to_owned(),
            against: Some("/audits/earlier.zip".to_owned()),
            public_key: None,
        };
        let verdict = PackVerdict::Altered(vec![
            evidentia_app::PackProblem {
                entry: Some("ledger.jsonl".to_owned()),
                reason: "entry 3: payload hash mismatch".to_owned(),
            },
            evidentia_app::PackProblem {
                entry: None,
                reason: "SHA256SUMS lists a missing file".to_owned(),
            },
        ]);
        let dto = PackCheckDto::new(&request, &verdict);
        assert!(!dto.intact);
        assert!(dto.summary.is_none());
        assert_eq!(dto.problems.len(), 2);
        assert_eq!(dto.problems[0].entry.as_deref(), Some("ledger.jsonl"));
        assert!(dto.against_checked && !dto.key_checked);
    }

    #[test]
    fn the_signing_key_says_whether_its_private_half_is_here() {
        let dir = tempfile::tempdir().expect("tempdir");
        let private = dir.path().join("ws.pem");
        let public = PublicKeyInfo {
            seq: 2,
            name: "evidentia/ws".to_owned(),
            vkey: "evidentia/ws+01020304+AQ==".to_owned(),
            pem: "-----BEGIN PUBLIC KEY-----\n".to_owned(),
        };
        let missing = SigningKeyDto::new(Some(&public), Some(&private));
        assert!(!missing.private_key_found);
        assert_eq!(missing.public_key.as_ref().map(|k| k.seq), Some(2));
        std::fs::write(&private, "key").expect("key stand-in");
        assert!(SigningKeyDto::new(Some(&public), Some(&private)).private_key_found);
        let none = SigningKeyDto::new(None, None);
        assert!(none.public_key.is_none() && none.private_key_path.is_none());
    }

    #[test]
    fn a_campaign_reaches_the_page_with_its_systems_revokes_and_reviewers() {
        let view = evidentia_app::ReviewsView {
            as_of: "2025-12-31T23:59:59Z".to_owned(),
            rubber_stamp: (20, 60),
            campaigns: vec![evidentia_app::CampaignItem {
                id: "Q1".to_owned(),
                name: Some("Q1 finance review".to_owned()),
                seq: 7,
                started_at: "2025-03-01T00:00:00Z".to_owned(),
                due_at: "2025-03-15T00:00:00Z".to_owned(),
                closed_at: None,
                overdue: true,
                population: 3,
                decided: 2,
                decided_on_time: 1,
                systems: vec![evidentia_app::ReviewSystemItem {
                    system: "finance-app".to_owned(),
                    snapshot_at: None,
                    snapshot_entries: Vec::new(),
                    population: 3,
                    decided: 2,
                    decided_on_time: 1,
                    keep: 1,
                    revoke: 1,
                    modify: 0,
                    undecided: 1,
                    removal_hours: Some((1, 36.0, 36.0)),
                }],
                revokes: vec![evidentia_app::ReviewRevokeItem {
                    decision_seq: 9,
                    verdict: "revoke".to_owned(),
                    system: "finance-app".to_owned(),
                    account: "bob".to_owned(),
                    entitlement: Some("GL-Admin".to_owned()),
                    identity: None,
                    reviewer: Some("carol".to_owned()),
                    decided_at: "2025-03-02T10:00:00Z".to_owned(),
                    deadline: "2025-03-09T10:00:00Z".to_owned(),
                    removal_seq: Some(12),
                    removal_row: Some(3),
                    removed_at: Some("2025-03-03T22:00:00Z".to_owned()),
                    confirmation_at: Some("2025-03-31T00:00:00Z".to_owned()),
                    confirmation_held: Some(false),
                    confirmation_seq: Some(15),
                    confirmation_row: None,
                    status: "on_time".to_owned(),
                }],
                reviewers: vec![evidentia_app::ReviewerItem {
                    reviewer: "carol".to_owned(),
                    decisions: 2,
                    keep: 1,
                    revoke: 1,
                    modify: 0,
                    fastest_burst: 2,
                    fastest_burst_all_keep: false,
                }],
                outside_population: vec![11],
                findings: 2,
            }],
        };
        let dto = ReviewsDto::from(&view);
        assert_eq!(
            dto.rubber_stamp,
            RubberStampDto {
                decisions: 20,
                seconds: 60
            }
        );
        let c = &dto.campaigns[0];
        assert_eq!((c.seq, c.population, c.decided, c.findings), (7, 3, 2, 2));
        assert!(c.overdue && c.closed_at.is_none());
        let s = &c.systems[0];
        assert!(s.snapshot_at.is_none());
        assert_eq!(
            s.removal_hours,
            Some(RemovalHoursDto {
                count: 1,
                median: 36.0,
                p95: 36.0
            })
        );
        let r = &c.revokes[0];
        assert_eq!(
            (r.decision_seq, r.removal_seq, r.confirmation_seq),
            (9, Some(12), Some(15))
        );
        assert_eq!((r.removal_row, r.confirmation_row), (Some(3), None));
        assert_eq!(r.confirmation_held, Some(false));
        assert_eq!(c.reviewers[0].fastest_burst, 2);
        assert_eq!(c.outside_population, vec![11]);
    }

    /// A leaver with one attribute of each outcome, as the façade draws it.
    fn leavers_sample() -> evidentia_app::SampleView {
        let def = evidentia_app::population_defs()
            .iter()
            .find(|p| p.name == "leavers")
            .expect("the leavers population");
        let at = |s: &str| {
            chrono::DateTime::parse_from_rfc3339(s)
                .expect("a time")
                .with_timezone(&chrono::Utc)
        };
        let row = evidentia_app::ItemRow {
            key: "leaver:41".to_owned(),
            seq: 41,
            row: 0,
            kind: "leaver".to_owned(),
            identity: Some("bob.lee".to_owned()),
            system: None,
            account: None,
            entitlement: None,
            reference: Some("HR-7".to_owned()),
            at: at("2025-05-02T17:00:00Z"),
            systems: vec!["finance-app".to_owned(), "github".to_owned()],
            stratum: None,
        };
        let outcomes = [
            evidentia_app::AttributeOutcome::Fail,
            evidentia_app::AttributeOutcome::Pass,
            evidentia_app::AttributeOutcome::NotApplicable,
        ];
        let attributes = def
            .attributes
            .iter()
            .zip(outcomes.iter().cycle())
            .enumerate()
            .map(|(i, (a, &outcome))| evidentia_app::ItemAttribute {
                id: a.id,
                outcome,
                evidence: vec![41, 50 + i as u64],
                evidence_rows: Vec::new(),
                note: format!("note {i}"),
                failing_checks: if outcome == evidentia_app::AttributeOutcome::Fail {
                    a.checks.to_vec()
                } else {
                    Vec::new()
                },
            })
            .collect();
        evidentia_app::SampleView {
            population: evidentia_app::PopulationInfo {
                def,
                count: 7,
                digest: "ab".repeat(32),
                period_from: chrono::NaiveDate::from_ymd_opt(2025, 1, 1),
                period_to: chrono::NaiveDate::from_ymd_opt(2025, 12, 31),
                as_of: at("2025-12-31T23:59:59Z"),
                head_entries: 120,
                head_hash: "cd".repeat(32),
                policy_entry: 2,
            },
            seed: "audit-2025".to_owned(),
            size_rule: "fixed: 1".to_owned(),
            size: 1,
            stratify: None,
            strata: Vec::new(),
            items: vec![evidentia_app::SampledItem {
                number: 1,
                rank: "0f".repeat(32),
                item: row.clone(),
                attributes,
            }],
            population_items: vec![row],
            generated_at: "2026-01-15T09:00:00Z".to_owned(),
            organisation: "Northwind Analytics".to_owned(),
        }
    }

    #[test]
    fn a_sample_reaches_the_page_with_every_attribute_of_every_item() {
        let view = leavers_sample();
        let dto = SampleDto::from(&view);
        let def = view.population.def;
        assert_eq!(dto.population.name, "leavers");
        assert_eq!((dto.population.count, dto.size), (7, 1));
        let ids: Vec<&str> = dto
            .population
            .attributes
            .iter()
            .map(|a| a.id.as_str())
            .collect();
        assert_eq!(ids, def.attributes.iter().map(|a| a.id).collect::<Vec<_>>());
        let item = &dto.items[0];
        assert_eq!((item.number, item.entry), (1, 41));
        assert_eq!(item.key, "leaver:41");
        assert_eq!(item.at, "2025-05-02T17:00:00Z");
        assert_eq!(item.systems, ["finance-app", "github"]);
        assert_eq!(item.attributes.len(), view.items[0].attributes.len());
        for (got, want) in item.attributes.iter().zip(&view.items[0].attributes) {
            assert_eq!(got.id, want.id);
            assert_eq!(got.outcome, want.outcome.as_str());
            assert_eq!(got.evidence, want.evidence);
            assert_eq!(got.note, want.note);
            assert_eq!(got.failing_checks, want.failing_checks);
        }
        let outcomes: Vec<&str> = item.attributes.iter().map(|a| a.outcome.as_str()).collect();
        assert_eq!(outcomes, ["fail", "pass", "n/a"]);
        // The method block is the façade's, row for row.
        let method: Vec<(String, String)> = dto
            .method
            .iter()
            .map(|r| (r.label.clone(), r.value.clone()))
            .collect();
        assert_eq!(method, evidentia_app::method_rows(&view));
    }

    #[test]
    fn a_sample_request_takes_a_size_or_a_frequency_never_both() {
        let request = |size: Option<u64>, frequency: Option<&str>| SampleRequestDto {
            population: "leavers".to_owned(),
            size,
            frequency: frequency.map(str::to_owned),
            seed: "audit-2025".to_owned(),
            stratify: Some("kind".to_owned()),
            from: Some("2025-01-01".to_owned()),
            to: None,
        };
        let fixed = request(Some(5), None).to_request().expect("a size");
        assert_eq!(fixed.size, evidentia_app::SampleSize::Fixed(5));
        assert_eq!(fixed.stratify, Some(evidentia_app::Stratify::Kind));
        assert_eq!(fixed.from, chrono::NaiveDate::from_ymd_opt(2025, 1, 1));
        let weekly = request(None, Some("weekly"))
            .to_request()
            .expect("a frequency");
        assert_eq!(
            weekly.size,
            evidentia_app::SampleSize::Frequency(evidentia_app::Frequency::Weekly)
        );
        assert!(request(Some(5), Some("weekly")).to_request().is_err());
        assert!(request(None, None).to_request().is_err());
        assert!(request(None, Some("hourly")).to_request().is_err());
    }

    #[test]
    fn the_populations_carry_the_frequency_table() {
        let dto = SamplePopulationsDto::new(&[]);
        let table: Vec<(&str, u64)> = dto
            .frequencies
            .iter()
            .map(|f| (f.name.as_str(), f.size))
            .collect();
        let expected: Vec<(&str, u64)> = evidentia_app::Frequency::ALL
            .iter()
            .map(|f| (f.as_str(), f.size() as u64))
            .collect();
        assert_eq!(table, expected);
        assert_eq!(table.len(), 5);
    }

    #[test]
    fn generated_types_are_current() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(GENERATED);
        let expected = declarations();
        if std::env::var_os("UPDATE_TS").is_some() {
            std::fs::write(&path, &expected).expect("writing the generated types");
            return;
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == expected,
            "{} is stale: run `UPDATE_TS=1 cargo test -p evidentia-desktop generated_types` and commit it",
            path.display()
        );
    }
}
