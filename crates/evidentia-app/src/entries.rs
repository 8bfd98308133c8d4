//! The ledger entry kinds the application writes, and their payload shapes.

use evidentia_domain::RecordKind;

/// Every kind of entry the application appends (the store adds `artifact.stored` itself).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryKind {
    /// Entry 1 of every workspace: `{workspace_id, format_version, created_by}`.
    WorkspaceCreated,
    /// One imported file: what it was, how it was read and what came of it.
    ImportFile,
    /// A policy version: `{source, sha256, text}` (the TOML as given); the latest is in force.
    PolicySet,
    /// One run of the checks: `{as_of, evidence_head, policy_entry, findings, findings_by_check, exceptions}`.
    AnalysisRun,
    /// A management response to one finding: `{finding, check, identity, system, account,
    /// entitlement, exception, campaign, owner, due, status, accepted_until, response,
    /// recorded_by}` (docs/ledger-format.md); the latest per finding id is its current state.
    FindingResponse,
}

impl EntryKind {
    /// The kind string stored and hashed.
    pub fn as_str(self) -> &'static str {
        match self {
            EntryKind::WorkspaceCreated => "workspace.created",
            EntryKind::ImportFile => "import.file",
            EntryKind::PolicySet => "policy.set",
            EntryKind::AnalysisRun => "analysis.run",
            EntryKind::FindingResponse => "finding.response",
        }
    }
}

/// The entry kind of a vendor inventory's rows: up to [`RECONCILIATION_SET_ROWS`] reconciliation
/// records of one imported listing in one entry, `{artifact, rows: [{location, record}]}`. A
/// million-row inventory becomes a thousand entries, not a million (docs/ledger-format.md §8).
pub const RECONCILIATION_SET_KIND: &str = "record.reconciliation_set";

/// How many rows one `record.reconciliation_set` entry holds at most.
pub const RECONCILIATION_SET_ROWS: usize = 1024;

/// The entry kind of a provisioning log's executions: up to [`EXECUTION_SET_ROWS`] execution
/// records of one imported file in one entry, `{artifact, rows: [{location, record}]}`, shaped
/// like [`RECONCILIATION_SET_KIND`] for the same reason (docs/ledger-format.md §8). Workspaces
/// written before it hold one `record.execution` entry per execution, still read.
pub const EXECUTION_SET_KIND: &str = "record.execution_set";

/// How many rows one `record.execution_set` entry holds at most.
pub const EXECUTION_SET_ROWS: usize = 1024;

/// The kinds of entry that hold many records (`rows`), each the set form of a one-record kind
/// (`record.execution_set` of `record.execution`).
pub const SET_KINDS: [&str; 2] = [RECONCILIATION_SET_KIND, EXECUTION_SET_KIND];

/// The records of an entry with their row: a set entry's rows numbered from 1 (what a
/// citation names), or a one-record entry's record as row 0. Both payloads keep the record
/// under `record` (`{artifact, location, record}` and `{artifact, rows: [{location, record}]}`).
pub(crate) fn numbered_records<T: serde::de::DeserializeOwned>(
    kind: &str,
    seq: u64,
    payload: &[u8],
) -> Result<Vec<(u32, T)>, evidentia_store::StoreError> {
    #[derive(serde::Deserialize)]
    struct Row<T> {
        record: T,
    }
    #[derive(serde::Deserialize)]
    struct Set<T> {
        rows: Vec<Row<T>>,
    }
    let unreadable = |e: serde_json::Error| {
        evidentia_store::StoreError::Corrupt(format!("entry {seq}: unreadable record: {e}"))
    };
    if SET_KINDS.contains(&kind) {
        serde_json::from_slice::<Set<T>>(payload)
            .map(|set| {
                (1..)
                    .zip(set.rows.into_iter().map(|row| row.record))
                    .collect()
            })
            .map_err(unreadable)
    } else {
        serde_json::from_slice::<Row<T>>(payload)
            .map(|one| vec![(0, one.record)])
            .map_err(unreadable)
    }
}

/// The entry kind of a normalized record: `record.<kind>`.
pub fn record_entry_kind(kind: RecordKind) -> &'static str {
    match kind {
        RecordKind::Identity => "record.identity",
        RecordKind::LifecycleEvent => "record.lifecycle_event",
        RecordKind::Approval => "record.approval",
        RecordKind::Execution => "record.execution",
        RecordKind::Reconciliation => "record.reconciliation",
        RecordKind::Exception => "record.exception",
        RecordKind::Activity => "record.activity",
        RecordKind::ReviewCampaign => "record.review_campaign",
        RecordKind::ReviewDecision => "record.review_decision",
        RecordKind::EmergencyUse => "record.emergency_use",
    }
}
