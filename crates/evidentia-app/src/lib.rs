//! The one API every client uses: the CLI and the desktop shell only translate to and from it.
//!
//! Functions here are use cases (`init_workspace`, `import_files`, `verify_ledger`, ...). They
//! take the time as an argument (callers pass `Utc::now()`, tests a fixed clock), own the
//! transaction that makes an import all-or-nothing, and return plain structs; JSON shapes for
//! machines live in [`wire`].

mod accounts;
mod acting;
mod analysis;
mod controls;
mod demo;
mod entries;
mod entry_source;
mod events;
mod export;
mod identity_names;
mod import;
mod imports;
mod names;
mod pack;
mod policy;
mod report;
mod responses;
mod review;
mod reviews;
mod sample;
mod sample_pack;
mod table_export;
mod trust;
pub mod wire;
mod workspace;

use anyhow::Context;
use chrono::{DateTime, Utc};
use evidentia_ledger::{Failure, Hash, canonical_json, format_recorded_at};
use evidentia_store::{Access, Checkpoint, EvidenceStore, Head, VerifyProgress, Workspace};
pub use evidentia_store::{Location, ServerUrl};

pub use accounts::{AccountRow, AccountsReport, list_accounts};
pub use acting::{MAX_USER_CHARS, UNKNOWN_USER, acting_user, acting_user_of, check_user_name};
pub use analysis::{
    AnalysisRun, Period, analyze_period, analyze_workspace, load_evidence, policy_warnings,
    record_analysis,
};
pub use controls::{ControlRow, catalogs, check_info, control_status};
pub use demo::{
    DEMO_USER, DemoReport, build_demo, build_embedded_demo, embedded_samples,
    write_embedded_samples,
};
pub use entries::{
    EXECUTION_SET_KIND, EntryKind, RECONCILIATION_SET_KIND, SET_KINDS, record_entry_kind,
};
pub use entry_source::{EntrySource, MAX_RAW_LINE, entry_source, escape_raw};
pub use events::{
    EventChainDetail, EventFilter, EventPage, EventsRun, EvidenceRef, IdentityClass, LinkDetail,
    MAX_PAGE, PageRequest, SystemChainDetail, event_chain, events_run, list_events,
    write_event_chains, write_event_chains_at,
};
pub use evidentia_frameworks::{ControlStatus, OWASP_NHI_2025, Severity, check_title};
pub use evidentia_import::{ActivityCapture, Format, InputKind, Progress as ImportProgress, Zone};
pub use evidentia_pack::{
    PackSummary, Problem as PackProblem, SAMPLE_PACK_FORMAT, Verdict as PackVerdict,
};
pub use evidentia_rules::populations::{
    AttributeDef, AttributeOutcome, Frequency, PopulationDef, Stratify,
};
pub use evidentia_rules::{
    AgingBucket, Analysis, Cite, Direction, Durations, EventChain, ExceptionAging, Finding, Link,
    LinkStatus, Metrics, NotAssessed, ReviewFigures, ReviewMetrics, Share, SystemChain,
};
pub use evidentia_store::EventChainSummary;
pub use export::{
    ExportFormat, ExportKind, ExportSource, artifact_pack_path, export_oscal, export_source,
    export_table, write_atomically,
};
pub use identity_names::{KnownIdentity, identity_names};
pub use import::{
    FileOutcome, ImportOptions, ImportRejection, ImportReport, import_each, import_files,
    parse_moment,
};
pub use imports::{ImportRecord, builtin_profiles, list_imports};
pub use pack::{
    PackReport, VERIFY_LEDGER_PY, verify_pack_file, verify_pack_file_with, write_pack,
    write_pack_with_report,
};
pub use policy::{PolicyChange, RecordedPolicy, current_policy, set_policy};
pub use report::{
    ReportOptions, ReportSummary, evidence_gaps, render_report, report_model, write_report,
};
pub use responses::{
    CurrentResponse, MAX_RESPONSE_CHARS, RecordedResponse, ResponseInput, ResponseRecord,
    ResponseStatus, list_responses, record_response,
};
pub use review::{
    AssessmentView, CheckItem, ExceptionItem, ExceptionsView, FRAMEWORKS, FindingItem,
    FindingsView, FunctionItem, RevokeItem, assessment_view, exceptions_view, findings_view,
};
pub use reviews::{
    CampaignItem, ReviewRevokeItem, ReviewSystemItem, ReviewerItem, ReviewsView, reviews_of,
    reviews_view,
};
pub use sample::{
    ItemAttribute, ItemRow, PopulationInfo, SampleRequest, SampleSize, SampleView, SampledItem,
    draw_sample, draw_sample_at, method_rows, population_counts, population_defs, population_items,
    population_json, render_appendix as render_sample_appendix,
    render_workpaper as render_sample_workpaper, request_of, sample_json, write_sample_workpaper,
};
pub use sample_pack::{SamplePackReport, write_sample_pack};
pub use table_export::{TableFile, table_xlsx, write_table_xlsx};
pub use trust::{
    KeyCreated, ProofCheck, PublicKeyInfo, TrustOutcome, TrustedHead, check_trusted,
    consistency_proof, create_checkpoint, create_signing_key, default_key_path, inclusion_proof,
    key_dir, public_key, read_verifier_key, verify_proof,
};
pub use workspace::{migrate_workspace, open_workspace};

/// Errors the clients branch on; everything else is an `anyhow` chain with context.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The ledger did not verify (the CLI exits 3 on this).
    #[error("ledger verification failed at entry {}: {}", .0.seq, .0.reason)]
    VerificationFailed(Failure),
    /// A file had bad rows and `--skip-invalid` was not given; nothing was imported.
    #[error("{0}")]
    InvalidInput(String),
}

/// The ledger failure behind an error, when the error is a refusal to read or vouch for an
/// altered ledger (clients exit 3 on it, as `verify` does).
pub fn altered_failure(e: &anyhow::Error) -> Option<&Failure> {
    e.chain().find_map(|c| {
        if let Some(AppError::VerificationFailed(f)) = c.downcast_ref() {
            return Some(f);
        }
        match c.downcast_ref() {
            Some(evidentia_store::StoreError::Altered(f)) => Some(f),
            _ => None,
        }
    })
}

/// What a freshly created or opened workspace looks like.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkspaceInfo {
    /// Where it is, as shown to people: the file's path, or the server URL without its password.
    pub path: String,
    pub workspace_id: String,
    pub head: Head,
    /// The role the server logged in as (PostgreSQL `session_user`); `None` for a file.
    pub connection_user: Option<String>,
    /// Whether this login may write (import, analyze, checkpoint, respond): false for a reader
    /// of a team workspace or a file the user may not write, so a client can say so before a
    /// write is refused.
    pub writable: bool,
}

/// Creates a new workspace (a file, or a database on a team's server) and records its creation
/// as entry 1.
pub async fn init_workspace(
    location: &Location,
    now: DateTime<Utc>,
) -> anyhow::Result<WorkspaceInfo> {
    let recorded_at = format_recorded_at(now);
    let workspace_id = workspace_id_for(location, &recorded_at);
    let created_by = concat!("evidentia ", env!("CARGO_PKG_VERSION"));
    let ws = Workspace::create(location, &workspace_id, &recorded_at, created_by)
        .await
        .with_context(|| format!("creating workspace {location}"))?;
    let payload = canonical_json(&serde_json::json!({
        "workspace_id": workspace_id,
        // The format the workspace was made at: a server's is numbered on its own.
        "format_version": if location.is_server() {
            evidentia_store::SERVER_FORMAT_VERSION
        } else {
            evidentia_store::FORMAT_VERSION
        },
        "created_by": created_by,
    }))?;
    let mut batch = ws.begin().await?;
    batch
        .append(EntryKind::WorkspaceCreated.as_str(), &recorded_at, payload)
        .await?;
    let head = batch.commit().await?;
    let connection_user = ws.connection_user().map(str::to_owned);
    ws.close().await;
    Ok(WorkspaceInfo {
        path: location.to_string(),
        workspace_id,
        head,
        connection_user,
        // It has just written its first entry.
        writable: true,
    })
}

/// One row of a set entry that evidence cites: (entry, 1-based row). The outputs list the
/// entries cited as they always have and add these beside them (docs/ledger-format.md,
/// "Evidence citations").
pub type EvidenceRow = (u64, u32);

/// The entries `cites` names, ascending and each once: an output's `evidence` list.
pub fn evidence_entries(cites: &[Cite]) -> Vec<u64> {
    evidentia_rules::cited_entries(cites)
}

/// The rows of set entries among `cites`, ascending and each once: an output's
/// `evidence_rows`, empty when everything cited is a one-record entry.
pub fn evidence_rows(cites: &[Cite]) -> Vec<EvidenceRow> {
    evidentia_rules::cited_rows(cites)
        .into_iter()
        .map(|c| (c.seq, c.row))
        .collect()
}

/// `evidence_rows` as JSON outputs write it: `[{"entry": 17, "row": 5}]`.
pub fn evidence_rows_json(rows: &[EvidenceRow]) -> serde_json::Value {
    serde_json::Value::Array(
        rows.iter()
            .map(|(entry, row)| serde_json::json!({"entry": entry, "row": row}))
            .collect(),
    )
}

/// The entries a chain link cites, each once, in the order the link first cites them (the
/// order a link's evidence has always been listed in).
pub fn link_entries(cites: &[Cite]) -> Vec<u64> {
    let mut entries: Vec<u64> = Vec::with_capacity(cites.len());
    for cite in cites {
        if !entries.contains(&cite.seq) {
            entries.push(cite.seq);
        }
    }
    entries
}

/// A stable-looking id for a new workspace: a hash of where and when it was made. A server
/// workspace is seeded from its URL as shown (no password), so the id never depends on a
/// secret; files keep the seed they always had.
fn workspace_id_for(location: &Location, recorded_at: &str) -> String {
    let seed = format!("{}|{}|{}", location, recorded_at, std::process::id());
    Hash::of(seed.as_bytes()).to_hex()[..16].to_owned()
}

/// Opens a workspace for reading only.
pub async fn open_read(location: &Location) -> anyhow::Result<Workspace> {
    Ok(Workspace::open(location, Access::ReadOnly).await?)
}

/// Opens a workspace for appending.
pub async fn open_write(location: &Location) -> anyhow::Result<Workspace> {
    Ok(Workspace::open(location, Access::ReadWrite).await?)
}

/// The result of verifying a workspace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyOutcome {
    pub report: evidentia_store::VerifyReport,
    pub checkpoints: Vec<Checkpoint>,
}

/// Recomputes the whole ledger from the stored bytes. A failure is reported in the outcome,
/// not as an error: the caller decides (the CLI exits 3).
pub async fn verify_ledger(
    workspace: &Location,
    progress: impl FnMut(VerifyProgress) + Send + 'static,
) -> anyhow::Result<VerifyOutcome> {
    let ws = open_read(workspace).await?;
    let report = ws.verify(progress).await.context("verifying the ledger")?;
    // A checkpoint row too malformed to list is already the report's failure (exit 3, as
    // docs/ledger-format.md §19 says), not an error of its own.
    let checkpoints = match ws.checkpoints().await {
        Ok(c) => c,
        Err(_) if report.failure.is_some() => Vec::new(),
        Err(e) => {
            ws.close().await;
            return Err(e.into());
        }
    };
    ws.close().await;
    Ok(VerifyOutcome {
        report,
        checkpoints,
    })
}

/// Lists ledger entries from `from`, at most `limit`, never past the last stored entry's
/// position (rows outside 1..=head are not entries; `verify` names them).
pub async fn list_entries(
    workspace: &Location,
    from: u64,
    limit: u64,
) -> anyhow::Result<Vec<evidentia_ledger::Entry>> {
    let ws = open_read(workspace).await?;
    let entries = ws.entries(from.max(1), limit).await;
    ws.close().await;
    Ok(entries?)
}

/// All checkpoints, oldest first.
pub async fn list_checkpoints(workspace: &Location) -> anyhow::Result<Vec<Checkpoint>> {
    let ws = open_read(workspace).await?;
    let checkpoints = ws.checkpoints().await?;
    ws.close().await;
    Ok(checkpoints)
}
