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
}

impl EntryKind {
    /// The kind string stored and hashed.
    pub fn as_str(self) -> &'static str {
        match self {
            EntryKind::WorkspaceCreated => "workspace.created",
            EntryKind::ImportFile => "import.file",
            EntryKind::PolicySet => "policy.set",
            EntryKind::AnalysisRun => "analysis.run",
        }
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
    }
}
