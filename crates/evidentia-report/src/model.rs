//! What a report is made of, as plain data: the façade fills it from the workspace, the renderer
//! only draws it, so the PDF depends on nothing but this struct.

use chrono::{DateTime, NaiveDate, Utc};

/// Everything one framework-mapped report shows, for one period.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportModel {
    /// The organisation named in the policy in force.
    pub organisation: String,
    pub framework: Framework,
    /// First and last day of the period, inclusive; `None` when the policy leaves it open.
    pub period_from: Option<NaiveDate>,
    pub period_to: Option<NaiveDate>,
    /// The instant the checks judged the evidence at (exceptions age relative to it).
    pub as_of: DateTime<Utc>,
    /// Printed on every page and used as the PDF's creation date: fixed by the caller so the
    /// same model always gives the same bytes.
    pub generated_at: DateTime<Utc>,
    pub workspace_id: String,
    pub ledger: LedgerHead,
    /// The `policy.set` entry in force and the SHA-256 of its text.
    pub policy_entry: u64,
    pub policy_sha256: String,
    pub completeness: Completeness,
    /// Every leaf control of the framework, in catalog order.
    pub controls: Vec<ControlLine>,
    /// Findings mapped to at least one control of this framework.
    pub findings: Vec<FindingLine>,
    /// Findings of the period that map to no control of this framework.
    pub unmapped_findings: usize,
    pub exceptions: Vec<ExceptionLine>,
    /// Exceptions per aging bucket, in display order (`0-30` … `expired`).
    pub exceptions_by_bucket: Vec<(String, usize)>,
    /// Hours from leaver/retirement to revocation, per system.
    pub time_to_revoke: Vec<RevokeLine>,
    /// Access-review campaigns, one line per campaign and system, in campaign order.
    pub reviews: Vec<ReviewLine>,
    /// Items a check could not judge for want of evidence (convention 13), in the analysis's
    /// order: neither findings nor clean.
    pub not_assessed: Vec<NotAssessedLine>,
    /// Issue #19's credential and emergency-access figures.
    pub credentials: CredentialFigures,
    /// Every imported file, oldest first.
    pub artifacts: Vec<ArtifactLine>,
    /// What the analysis could not look at: kinds of evidence never imported (with the checks
    /// they left unassessed), systems without a snapshot in the period or without a log.
    pub evidence_gaps: Vec<String>,
    /// What the report covers: systems, populations, evidence classes, and whether only
    /// non-human identities are counted.
    pub scope: Scope,
}

/// The scope and applicability statement: what was looked at, what could not be.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scope {
    /// Only non-human identities are counted (the OWASP NHI report): people are out of scope.
    pub nhi_only: bool,
    /// Every system of the policy, with the evidence imported for it.
    pub systems: Vec<SystemScope>,
    /// Populations of the period, label → count (e.g. "leavers" → 23), in display order.
    pub populations: Vec<(String, usize)>,
    /// Each class of evidence, present or missing.
    pub evidence: Vec<EvidenceClass>,
}

/// One system of the policy and what was imported for it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SystemScope {
    pub system: String,
    /// Provisioning log records (executions) in the ledger for the system.
    pub log_records: usize,
    /// Inventory or reconciliation rows for the system.
    pub inventory_rows: usize,
    /// Access-review campaigns that covered the system.
    pub reviews: usize,
    /// The policy's revocation SLA, as written (e.g. "24h").
    pub revocation_sla: String,
}

/// One class of evidence (approvals, provisioning logs, …): how many records were imported,
/// and what it would have shown when none was.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EvidenceClass {
    pub name: String,
    pub records: usize,
    /// What this evidence shows (printed as "would have shown" when missing).
    pub shows: String,
}

/// Management's response to a finding, as recorded in the ledger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManagementResponse {
    /// "open", "in remediation", "remediated" or "risk accepted".
    pub status: String,
    /// Who answers for it: "Dana Ito (E1234)".
    pub owner: Option<String>,
    pub due: Option<NaiveDate>,
    /// For an accepted risk: until when.
    pub accepted_until: Option<NaiveDate>,
    pub response: String,
    /// The ledger entry that recorded the response.
    pub entry_seq: u64,
    /// An accepted risk whose acceptance has expired, or a due date passed while the finding
    /// is still open or in remediation.
    pub expired: bool,
}

/// The framework a report is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Framework {
    /// Catalog id, e.g. `nist-csf-2.0`.
    pub id: String,
    pub title: String,
    pub version: String,
    pub publisher: String,
}

/// The ledger head the evidence was read at, and the checkpoint that recorded it, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerHead {
    pub entries: u64,
    pub head_hash: String,
    /// The checkpoint that records this head (exactly, or a later head containing it), if any.
    pub checkpoint: Option<CheckpointRef>,
}

/// A recorded checkpoint, as the cover names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckpointRef {
    /// The checkpoint's number (1 for the first one recorded).
    pub number: u64,
    /// The entries it records; equal to the report's head, or more when it records a later
    /// head of the same chain (which contains the report's as a prefix).
    pub entry_count: u64,
    pub recorded_at: String,
    /// The signing key's name and key id ("evidentia/658b5a03974a528f, key id 1a2b3c4d"),
    /// `None` for an unsigned checkpoint.
    pub signer: Option<String>,
}

/// Evidence-chain completeness: events whose every link (decision, execution, confirmation)
/// is complete, out of the events that had to reach at least one system.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Completeness {
    pub complete_events: usize,
    pub events_with_chains: usize,
}

impl Completeness {
    /// The share as a percentage; 100 when no event needed any system.
    pub fn percent(&self) -> f64 {
        if self.events_with_chains == 0 {
            100.0
        } else {
            self.complete_events as f64 * 100.0 / self.events_with_chains as f64
        }
    }
}

/// A control's status for the period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Met,
    Findings,
    NotAssessed,
}

impl Status {
    /// The words the report prints.
    pub fn label(self) -> &'static str {
        match self {
            Status::Met => "Met",
            Status::Findings => "Findings",
            Status::NotAssessed => "Not assessed",
        }
    }
}

/// One leaf control, judged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ControlLine {
    pub id: String,
    /// The statement when the catalog has one, else the title.
    pub text: String,
    /// Enclosing groups, outermost first (CSF: function, category): `(id, title)`.
    pub groups: Vec<(String, String)>,
    pub status: Status,
    pub evidence: usize,
    pub findings: usize,
    /// Evidence the control's checks needed that was not imported (all of it when not
    /// assessed, some of it when only part of its checks could look).
    pub missing: Vec<String>,
}

/// A finding's severity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Critical,
    High,
    Medium,
    Low,
}

impl Severity {
    pub const ALL: [Severity; 4] = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Severity::Critical => "Critical",
            Severity::High => "High",
            Severity::Medium => "Medium",
            Severity::Low => "Low",
        }
    }
}

/// One finding and what it rests on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FindingLine {
    pub check: String,
    /// The check's short title ("Leaver access not revoked").
    pub title: String,
    pub severity: Severity,
    pub summary: String,
    /// The identity, with its name when known: "Dana Ito (E1234)".
    pub identity: Option<String>,
    pub system: Option<String>,
    pub account: Option<String>,
    /// Ledger sequence numbers of the entries the finding rests on.
    pub evidence: Vec<u64>,
    /// The rows of set entries among them, as (entry, 1-based row), ascending.
    pub evidence_rows: Vec<(u64, u32)>,
    /// This framework's controls the finding's check maps to.
    pub controls: Vec<String>,
    /// Management's response, when one is recorded.
    pub response: Option<ManagementResponse>,
}

/// One exception of the register, aged as of the analysis time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExceptionLine {
    pub id: String,
    pub subject: Option<String>,
    pub system: Option<String>,
    pub entitlement: Option<String>,
    pub owner: Option<String>,
    pub granted: NaiveDate,
    pub expires: Option<NaiveDate>,
    pub age_days: i64,
    pub bucket: String,
    pub expiring_soon: bool,
    /// The ledger entry that recorded it.
    pub seq: u64,
}

/// Time to revoke on one system, in hours.
#[derive(Debug, Clone, PartialEq)]
pub struct RevokeLine {
    pub system: String,
    pub count: usize,
    pub median_hours: f64,
    pub p95_hours: f64,
    /// The policy's revocation SLA for the system, in hours.
    pub sla_hours: Option<f64>,
    /// Revocations that landed after the SLA (the revoked-late findings on the system).
    pub late: usize,
}

/// One access-review campaign in one system.
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewLine {
    pub campaign: String,
    pub name: Option<String>,
    pub started_at: DateTime<Utc>,
    pub due_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    pub system: String,
    /// Closed after its due date, or open past it.
    pub overdue: bool,
    /// Items in the population; `None` when no snapshot at or before the start established it.
    pub population: Option<usize>,
    pub decided: usize,
    pub decided_on_time: usize,
    /// Revoke and modify decisions, and how they ended in the system.
    pub revokes: usize,
    pub removed_on_time: usize,
    pub removed_late: usize,
    pub not_executed: usize,
    pub contradicted: usize,
}

/// One imported file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArtifactLine {
    /// The `import.file` ledger entry.
    pub seq: u64,
    pub file_name: String,
    pub format: String,
    /// The mapping profile a generic CSV/JSON file was read through.
    pub profile: Option<String>,
    pub size: u64,
    pub sha256: String,
}

/// The PDF appendix of an audit sample: how the population was defined and the sample drawn,
/// the attributes tested, and each sampled item's results with the ledger entries behind them.
/// The same sample as the XLSX workpaper, as a printable document for the evidence pack.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SampleAppendix {
    pub organisation: String,
    /// e.g. "Audit sample: leavers"
    pub title: String,
    /// "YYYY-MM-DDTHH:MM:SSZ", the document's fixed date (equal models → equal bytes).
    pub generated_at: String,
    /// Method rows in order, label → value (population, definition, source, period, ledger head,
    /// checkpoint, population count, population digest, seed, algorithm, size rule, sample size,
    /// stratification).
    pub method: Vec<(String, String)>,
    /// The attributes tested, in column order.
    pub attributes: Vec<AppendixAttribute>,
    pub items: Vec<AppendixItem>,
}

/// One attribute the auditor tests on every sampled item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppendixAttribute {
    /// Short, e.g. `removed`, `within-sla`: the column heading of the items table.
    pub id: String,
    pub title: String,
    /// The checks whose results decide the attribute.
    pub checks: Vec<String>,
}

/// One sampled item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppendixItem {
    /// 1-based position in the sample.
    pub number: usize,
    /// The item's key (what the seed ranks), e.g. "1234".
    pub key: String,
    /// One line describing the item, e.g. "E1042 (Dana Reyes) · leaver · 2025-03-02 17:00 UTC".
    pub label: String,
    /// One per attribute, in the attributes' order.
    pub results: Vec<AppendixResult>,
}

/// One attribute tested on one item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppendixResult {
    /// "pass" | "fail" | "n/a"
    pub result: String,
    /// Ledger sequence numbers of the entries the result rests on.
    pub evidence: Vec<u64>,
    /// The rows of set entries among them, as (entry, 1-based row), ascending.
    pub evidence_rows: Vec<(u64, u32)>,
    pub note: String,
}

/// One item a check could not judge, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotAssessedLine {
    pub check: String,
    /// The check's title, in words.
    pub title: String,
    /// The identity, with its name where one is known.
    pub identity: String,
    pub system: String,
    pub account: String,
    /// The credential (key, token, certificate) as the system names it.
    pub credential: String,
    /// The evidence that was missing, in words.
    pub reason: String,
    /// The ledger entries that show the item (empty when none does).
    pub evidence: Vec<u64>,
}

/// Credential and emergency-access figures; each `None` when its evidence was not imported,
/// printed "not assessed", never as 0 % or 100 %.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct CredentialFigures {
    /// Leaver credentials revoked within the SLA, of those judged: `(revoked, judged)`.
    pub leaver_revoked: Option<(usize, usize)>,
    /// Active credentials in the latest listings with a logged creation: `(count, median
    /// days, p95 days)`, as of the analysis.
    pub credential_age: Option<(usize, f64, f64)>,
    /// Emergency-register uses with an independent review in the window: `(reviewed, uses)`.
    pub emergency_reviewed: Option<(usize, usize)>,
}
