//! Exports for spreadsheets and GRC tools: events with their chains, findings, exceptions,
//! metrics and controls as CSV or JSON, and OSCAL assessment results — all from one analysis
//! of the chosen period, in a fixed order, so the same workspace and options give the same
//! bytes. The tables and documents themselves are built by `evidentia_pack`.

use std::io::Write as _;
use std::path::Path;

use anyhow::{Context as _, anyhow};
use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use evidentia_pack::oscal::{
    ArtifactInput, AssessmentInput, ControlInput, FindingInput, NotAssessedInput,
    ResponseInput as OscalResponse,
};
use evidentia_pack::{Cell, EXPORT_FORMAT, ExportMeta, Table, sanitize_file_name};

use crate::Location;
use crate::responses::current_of;
use crate::{
    AnalysisRun, Direction, ImportRecord, Link, Period, ReportOptions, ResponseRecord,
    analyze_period, catalogs, check_info, control_status, list_imports, open_workspace,
};

/// Writes one `(metric, subject, count, value)` row of the metrics table.
trait MetricRow: FnMut(&str, &str, Option<usize>, Option<f64>) {}
impl<F: FnMut(&str, &str, Option<usize>, Option<f64>)> MetricRow for F {}

/// What can be exported as a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ExportKind {
    Controls,
    Events,
    Exceptions,
    Findings,
    Metrics,
    ReviewRevokes,
    Reviews,
    /// The management-response history (`finding.response` entries). Exported on request,
    /// not part of [`ExportKind::ALL`]: a pack carries the entries themselves in
    /// `ledger.jsonl`, and its layout is fixed (docs/evidence-pack.md).
    Responses,
    /// Items a check could not judge for want of evidence (convention 13): a table of its own
    /// beside the findings, not rows of them, since they carry no severity, finding id or
    /// response and must never be counted as findings. On request, like the responses: a
    /// pack's report lists them, and its layout is fixed.
    NotAssessed,
}

impl ExportKind {
    /// Every table a pack holds, in its order (all but [`ExportKind::Responses`]).
    pub const ALL: [ExportKind; 7] = [
        ExportKind::Controls,
        ExportKind::Events,
        ExportKind::Exceptions,
        ExportKind::Findings,
        ExportKind::Metrics,
        ExportKind::ReviewRevokes,
        ExportKind::Reviews,
    ];

    /// The name used on the command line and in file names.
    pub fn as_str(self) -> &'static str {
        match self {
            ExportKind::Controls => "controls",
            ExportKind::Events => "events",
            ExportKind::Exceptions => "exceptions",
            ExportKind::Findings => "findings",
            ExportKind::Metrics => "metrics",
            ExportKind::ReviewRevokes => "review-revokes",
            ExportKind::Reviews => "reviews",
            ExportKind::Responses => "responses",
            ExportKind::NotAssessed => "not-assessed",
        }
    }
}

/// How a table is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Csv,
    Json,
}

impl ExportFormat {
    pub fn extension(self) -> &'static str {
        match self {
            ExportFormat::Csv => "csv",
            ExportFormat::Json => "json",
        }
    }
}

/// One analysis of a period and what the exports cite beside it: the source of every export,
/// the OSCAL document and the pack.
#[derive(Debug, Clone)]
pub struct ExportSource {
    pub run: AnalysisRun,
    pub options: ReportOptions,
    pub workspace_id: String,
    /// The imported files the analysed ledger holds, by content address.
    pub imports: Vec<ImportRecord>,
    /// Every management response in the analysed ledger, oldest first, the latest per finding
    /// marked current.
    pub responses: Vec<ResponseRecord>,
}

/// RFC 3339, whole seconds, `Z`: the one spelling of instants in exports.
pub(crate) fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn day(d: Option<NaiveDate>) -> Option<String> {
    d.map(day_text)
}

fn day_text(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// Analyses the period `options` names (judged as of its end; nothing is recorded) and reads
/// what the exports cite. Fails on an unknown framework before any work.
pub async fn export_source(
    workspace: &Location,
    options: &ReportOptions,
) -> anyhow::Result<ExportSource> {
    let (catalogs, _) = catalogs()?;
    if catalogs.get(&options.framework).is_none() {
        let known: Vec<&str> = catalogs.iter().map(|c| c.id()).collect();
        return Err(anyhow!(
            "unknown framework {:?}; built in: {}",
            options.framework,
            known.join(", ")
        ));
    }
    let run = analyze_period(workspace, options.from, options.to, options.generated_at).await?;
    let workspace_id = open_workspace(workspace).await?.workspace_id;
    let mut imports: Vec<ImportRecord> = list_imports(workspace)
        .await?
        .into_iter()
        .filter(|i| i.seq <= run.head.count)
        .collect();
    imports.sort_by(|a, b| a.artifact.cmp(&b.artifact).then(a.seq.cmp(&b.seq)));
    imports.dedup_by(|a, b| a.artifact == b.artifact);
    let responses = run.responses.clone();
    Ok(ExportSource {
        run,
        options: options.clone(),
        workspace_id,
        imports,
        responses,
    })
}

/// One table export of the period, as CSV or JSON.
pub async fn export_table(
    workspace: &Location,
    kind: ExportKind,
    format: ExportFormat,
    options: &ReportOptions,
) -> anyhow::Result<Vec<u8>> {
    export_source(workspace, options)
        .await?
        .render(kind, format)
}

/// The OSCAL assessment results of the period for `options.framework`.
pub async fn export_oscal(
    workspace: &Location,
    options: &ReportOptions,
) -> anyhow::Result<Vec<u8>> {
    export_source(workspace, options).await?.oscal()
}

/// Where an artifact sits in a pack: `artifacts/<sha256>-<sanitized file name>`.
pub fn artifact_pack_path(import: &ImportRecord) -> String {
    format!(
        "{}{}-{}",
        evidentia_pack::ARTIFACTS_DIR,
        import.artifact,
        sanitize_file_name(&import.file_name)
    )
}

fn link_cells(l: &Link) -> [Cell; 4] {
    [
        Cell::text(l.status.as_str()),
        Cell::opt(l.at.map(rfc3339)),
        Cell::Seqs(crate::link_entries(&l.evidence)),
        Cell::text(l.note),
    ]
}

/// The rows of set entries a link cites (the events export's trailing row columns).
fn link_rows(l: &Link) -> Cell {
    Cell::Rows(crate::evidence_rows(&l.evidence))
}

impl ExportSource {
    fn period(&self) -> (Option<NaiveDate>, Option<NaiveDate>) {
        let org = &self.run.policy.policy.organisation;
        (org.period_start, org.period_end)
    }

    /// What a JSON export says about itself.
    pub fn meta(&self, export: &str) -> ExportMeta {
        let (from, to) = self.period();
        ExportMeta {
            format: EXPORT_FORMAT,
            export: export.to_owned(),
            workspace_id: self.workspace_id.clone(),
            framework: self.options.framework.clone(),
            period_from: day(from),
            period_to: day(to),
            as_of: rfc3339(self.run.as_of),
            generated_at: rfc3339(self.options.generated_at),
            ledger_entries: self.run.head.count,
            ledger_head: self.run.head.hash.to_hex(),
        }
    }

    /// The bytes of one export.
    pub fn render(&self, kind: ExportKind, format: ExportFormat) -> anyhow::Result<Vec<u8>> {
        let table = self.table(kind)?;
        match format {
            ExportFormat::Csv => table
                .to_csv()
                .with_context(|| format!("writing the {} CSV", kind.as_str())),
            ExportFormat::Json => table
                .to_json(&self.meta(kind.as_str()))
                .with_context(|| format!("writing the {} JSON", kind.as_str())),
        }
    }

    /// One table, rows in a fixed order.
    pub fn table(&self, kind: ExportKind) -> anyhow::Result<Table> {
        Ok(match kind {
            ExportKind::Events => self.events(),
            ExportKind::Findings => self.findings()?,
            ExportKind::Exceptions => self.exceptions(),
            ExportKind::Metrics => self.metrics(),
            ExportKind::Controls => self.controls()?,
            ExportKind::Reviews => self.reviews(),
            ExportKind::ReviewRevokes => self.review_revokes(),
            ExportKind::Responses => self.responses(),
            ExportKind::NotAssessed => self.not_assessed()?,
        })
    }

    /// One row per event and system it had to reach (an event that had to reach none gets one
    /// row with the system columns empty), oldest event first.
    fn events(&self) -> Table {
        let mut t = Table::new(
            "events",
            &[
                "entry",
                "event_id",
                "identity",
                "identity_kind",
                "event_type",
                "effective_at",
                "event_complete",
                "system",
                "direction",
                "account",
                "deadline",
                "decision_status",
                "decision_at",
                "decision_evidence",
                "decision_note",
                "execution_status",
                "execution_at",
                "execution_evidence",
                "execution_note",
                "confirmation_status",
                "confirmation_at",
                "confirmation_evidence",
                "confirmation_note",
                // Appended after the original columns so readers by position still work.
                "decision_evidence_rows",
                "execution_evidence_rows",
                "confirmation_evidence_rows",
            ],
        );
        let mut chains: Vec<_> = self.run.analysis.chains.iter().collect();
        chains.sort_by_key(|c| (c.effective_at, c.seq));
        for c in chains {
            let head = [
                Cell::seq(c.seq),
                Cell::text(&c.event_id),
                Cell::text(c.identity.as_str()),
                Cell::text(c.identity_kind.as_str()),
                Cell::text(c.event_type.as_str()),
                Cell::text(rfc3339(c.effective_at)),
                Cell::Bool(c.is_complete()),
            ];
            if c.systems.is_empty() {
                let mut row = head.to_vec();
                row.resize(t.columns.len(), Cell::Empty);
                t.push(row);
                continue;
            }
            let mut systems: Vec<_> = c.systems.iter().collect();
            systems.sort_by(|a, b| {
                (a.system.as_str(), a.direction, &a.account).cmp(&(
                    b.system.as_str(),
                    b.direction,
                    &b.account,
                ))
            });
            for s in systems {
                let mut row = head.to_vec();
                row.extend([
                    Cell::text(s.system.as_str()),
                    Cell::text(match s.direction {
                        Direction::Grant => "grant",
                        Direction::Revoke => "revoke",
                    }),
                    Cell::opt(s.account.clone()),
                    Cell::opt(s.deadline.map(rfc3339)),
                ]);
                row.extend(link_cells(&s.decision));
                row.extend(link_cells(&s.execution));
                row.extend(link_cells(&s.confirmation));
                row.extend([&s.decision, &s.execution, &s.confirmation].map(link_rows));
                t.push(row);
            }
        }
        t
    }

    /// Every finding of the period with its severity and the framework's controls it maps to.
    fn findings(&self) -> anyhow::Result<Table> {
        let (_, mapping) = catalogs()?;
        let mut t = Table::new(
            "findings",
            &[
                "check",
                "severity",
                "identity",
                "system",
                "account",
                "entitlement",
                "exception",
                "campaign",
                "summary",
                "evidence",
                "controls",
                "rationale",
                // Appended after the original columns so readers by position still work.
                "finding_id",
                "response_status",
                "response_owner",
                "response_due",
                "response_accepted_until",
                "response_expired",
                "response_entry",
                "evidence_rows",
            ],
        );
        let current = current_of(&self.responses);
        let mut findings: Vec<_> = self.run.analysis.findings.iter().collect();
        findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        for f in findings {
            let id = f.id();
            let response = current.get(&id);
            let (severity, rationale) = check_info(&mapping, f.check);
            let controls: Vec<&str> = mapping
                .check(f.check)
                .map(|m| m.controls_in(&self.options.framework).collect())
                .unwrap_or_default();
            t.push(vec![
                Cell::text(f.check),
                Cell::text(severity.as_str()),
                Cell::opt(f.identity.as_ref().map(|i| i.as_str())),
                Cell::opt(f.system.as_ref().map(|s| s.as_str())),
                Cell::opt(f.account.clone()),
                Cell::opt(f.entitlement.clone()),
                Cell::opt(f.exception.as_ref().map(|e| e.as_str())),
                Cell::opt(f.campaign.as_ref().map(|c| c.as_str())),
                Cell::text(&f.summary),
                Cell::Seqs(crate::evidence_entries(&f.evidence)),
                Cell::text(controls.join(" ")),
                Cell::text(rationale),
                Cell::text(&id),
                Cell::opt(response.map(|r| r.status.as_str())),
                Cell::opt(response.map(|r| r.owner.clone())),
                Cell::opt(response.map(|r| day_text(r.due))),
                Cell::opt(response.and_then(|r| r.accepted_until).map(day_text)),
                response.map_or(Cell::Empty, |r| Cell::Bool(r.expired(self.run.as_of))),
                response.map_or(Cell::Empty, |r| Cell::seq(r.seq)),
                Cell::Rows(crate::evidence_rows(&f.evidence)),
            ]);
        }
        Ok(t)
    }

    /// Every item a check could not judge, in the analysis's order (check, identity, system,
    /// credential): what, why, the entries that show it and the controls it leaves open.
    fn not_assessed(&self) -> anyhow::Result<Table> {
        let (_, mapping) = catalogs()?;
        let mut t = Table::new(
            "not-assessed",
            &[
                "check",
                "identity",
                "system",
                "account",
                "credential",
                "reason",
                "evidence",
                "controls",
                "evidence_rows",
            ],
        );
        for n in &self.run.analysis.not_assessed {
            let controls: Vec<&str> = mapping
                .check(n.check)
                .map(|m| m.controls_in(&self.options.framework).collect())
                .unwrap_or_default();
            t.push(vec![
                Cell::text(n.check),
                Cell::text(n.identity.as_str()),
                Cell::text(n.system.as_str()),
                Cell::text(&n.account),
                Cell::text(&n.credential),
                Cell::text(n.reason),
                Cell::Seqs(crate::evidence_entries(&n.evidence)),
                Cell::text(controls.join(" ")),
                Cell::Rows(crate::evidence_rows(&n.evidence)),
            ]);
        }
        Ok(t)
    }

    /// Every management response in the analysed ledger, oldest first: the history, each row
    /// saying whether it is its finding's current one and whether its acceptance has expired
    /// as of the analysis.
    fn responses(&self) -> Table {
        let mut t = Table::new(
            "responses",
            &[
                "entry",
                "recorded_at",
                "finding_id",
                "current",
                "check",
                "identity",
                "system",
                "account",
                "entitlement",
                "exception",
                "campaign",
                "status",
                "owner",
                "due",
                "accepted_until",
                "expired",
                "response",
                "recorded_by",
            ],
        );
        for r in &self.responses {
            t.push(vec![
                Cell::seq(r.seq),
                Cell::text(&r.recorded_at),
                Cell::text(&r.finding),
                Cell::Bool(r.current),
                Cell::text(&r.check),
                Cell::opt(r.identity.clone()),
                Cell::opt(r.system.clone()),
                Cell::opt(r.account.clone()),
                Cell::opt(r.entitlement.clone()),
                Cell::opt(r.exception.clone()),
                Cell::opt(r.campaign.clone()),
                Cell::text(r.status.as_str()),
                Cell::text(&r.owner),
                Cell::text(day_text(r.due)),
                Cell::opt(r.accepted_until.map(day_text)),
                Cell::Bool(r.expired(self.run.as_of)),
                Cell::text(&r.response),
                Cell::opt(r.recorded_by.clone()),
            ]);
        }
        t
    }

    /// One row per access-review campaign and system in its scope: the population drawn from
    /// the system's snapshot at the start, coverage, completion and decisions (governance).
    fn reviews(&self) -> Table {
        let mut t = Table::new(
            "reviews",
            &[
                "campaign",
                "entry",
                "name",
                "started_at",
                "due_at",
                "closed_at",
                "overdue",
                "system",
                "population_snapshot_at",
                "population_evidence",
                "population",
                "decided",
                "decided_on_time",
                "undecided",
                "keep",
                "revoke",
                "modify",
                "removals",
                "decision_to_removal_median_hours",
                "decision_to_removal_p95_hours",
            ],
        );
        for c in &self.run.analysis.reviews {
            for s in &c.systems {
                let removal = s.decision_to_removal;
                t.push(vec![
                    Cell::text(c.campaign.as_str()),
                    Cell::seq(c.seq),
                    Cell::opt(c.name.clone()),
                    Cell::text(rfc3339(c.started_at)),
                    Cell::text(rfc3339(c.due_at)),
                    Cell::opt(c.closed_at.map(rfc3339)),
                    Cell::Bool(c.overdue),
                    Cell::text(s.system.as_str()),
                    Cell::opt(s.snapshot.as_ref().map(|p| rfc3339(p.as_of))),
                    Cell::Seqs(
                        s.snapshot
                            .as_ref()
                            .map(|p| p.entries.clone())
                            .unwrap_or_default(),
                    ),
                    Cell::Int(s.population as i64),
                    Cell::Int(s.decided as i64),
                    Cell::Int(s.decided_on_time as i64),
                    Cell::Int(s.undecided.len() as i64),
                    Cell::Int(s.keep as i64),
                    Cell::Int(s.revoke as i64),
                    Cell::Int(s.modify as i64),
                    Cell::Int(removal.map_or(0, |d| d.count as i64)),
                    removal.map_or(Cell::Empty, |d| Cell::Float(d.median_hours)),
                    removal.map_or(Cell::Empty, |d| Cell::Float(d.p95_hours)),
                ]);
            }
        }
        t
    }

    /// One row per revoke (or modify) decision: decision → the system's removal → the next
    /// snapshot, with the entries behind each link.
    fn review_revokes(&self) -> Table {
        let mut t = Table::new(
            "review-revokes",
            &[
                "campaign",
                "decision_entry",
                "decision",
                "system",
                "account",
                "entitlement",
                "identity",
                "reviewer",
                "decided_at",
                "deadline",
                "removal_entry",
                "removed_at",
                "confirmation_entry",
                "confirmation_at",
                "confirmation_shows_access",
                "status",
                // Trailing, so the columns before keep their places: the row of a set entry
                // the removal or the snapshot is (empty for a one-record entry).
                "removal_row",
                "confirmation_row",
            ],
        );
        for c in &self.run.analysis.reviews {
            for r in &c.revokes {
                t.push(vec![
                    Cell::text(c.campaign.as_str()),
                    Cell::seq(r.decision.seq),
                    Cell::text(r.verdict.as_str()),
                    Cell::text(r.system.as_str()),
                    Cell::text(&r.account),
                    Cell::opt(r.entitlement.clone()),
                    Cell::opt(r.identity.as_ref().map(|i| i.as_str())),
                    Cell::opt(r.reviewer.as_ref().map(|i| i.as_str())),
                    Cell::text(rfc3339(r.decided_at)),
                    Cell::text(rfc3339(r.deadline)),
                    r.removal
                        .map_or(Cell::Empty, |(cite, _)| Cell::seq(cite.seq)),
                    Cell::opt(r.removal.map(|(_, at)| rfc3339(at))),
                    r.confirmation
                        .map_or(Cell::Empty, |(_, _, cite)| Cell::seq(cite.seq)),
                    Cell::opt(r.confirmation.map(|(at, _, _)| rfc3339(at))),
                    r.confirmation
                        .map_or(Cell::Empty, |(_, held, _)| Cell::Bool(held)),
                    Cell::text(r.status.as_str()),
                    row_cell(r.removal.map(|(cite, _)| cite)),
                    row_cell(r.confirmation.map(|(_, _, cite)| cite)),
                ]);
            }
        }
        t
    }

    /// The exceptions register as of the period's end, with aging buckets.
    fn exceptions(&self) -> Table {
        let mut t = Table::new(
            "exceptions",
            &[
                "id",
                "entry",
                "subject",
                "system",
                "entitlement",
                "owner",
                "granted_at",
                "expires_at",
                "age_days",
                "bucket",
                "expiring_soon",
            ],
        );
        let mut list: Vec<_> = self.run.analysis.exceptions.iter().collect();
        list.sort_by(|a, b| (a.id.as_str(), a.seq).cmp(&(b.id.as_str(), b.seq)));
        for e in list {
            t.push(vec![
                Cell::text(e.id.as_str()),
                Cell::seq(e.seq),
                Cell::opt(e.subject.as_ref().map(|s| s.as_str())),
                Cell::opt(e.system.as_ref().map(|s| s.as_str())),
                Cell::opt(e.entitlement.clone()),
                Cell::opt(e.owner.as_ref().map(|o| o.as_str())),
                Cell::text(rfc3339(e.granted_at)),
                Cell::opt(e.expires_at.map(rfc3339)),
                Cell::Int(e.age_days),
                Cell::text(e.bucket.as_str()),
                Cell::Bool(e.expiring_soon),
            ]);
        }
        t
    }

    /// Every figure as (metric, subject, count, value): subject is the system, link status,
    /// bucket, check or role the figure is about; value is set for rates and durations.
    fn metrics(&self) -> Table {
        let m = &self.run.analysis.metrics;
        let mut t = Table::new("metrics", &["metric", "subject", "count", "value"]);
        let mut row = |metric: &str, subject: &str, count: Option<usize>, value: Option<f64>| {
            t.push(vec![
                Cell::text(metric),
                if subject.is_empty() {
                    Cell::Empty
                } else {
                    Cell::text(subject)
                },
                count.map_or(Cell::Empty, Cell::count),
                value.map_or(Cell::Empty, Cell::Float),
            ]);
        };
        row("events_with_chains", "", Some(m.events_with_chains), None);
        row("complete_events", "", Some(m.complete_events), None);
        row("chain_completeness", "", None, Some(m.completeness()));
        for ((link, status), n) in &m.links {
            row("link_status", &format!("{link}/{status}"), Some(*n), None);
        }
        for (name, map) in [
            ("time_to_provision", &m.time_to_provision),
            ("time_to_revoke", &m.time_to_revoke),
        ] {
            for (system, d) in map {
                row(
                    &format!("{name}_median_hours"),
                    system.as_str(),
                    Some(d.count),
                    Some(d.median_hours),
                );
                row(
                    &format!("{name}_p95_hours"),
                    system.as_str(),
                    Some(d.count),
                    Some(d.p95_hours),
                );
            }
        }
        for (bucket, n) in &m.exceptions_by_bucket {
            row("exceptions_by_bucket", bucket.as_str(), Some(*n), None);
        }
        for (check, n) in &m.findings_by_check {
            row("findings_by_check", check, Some(*n), None);
        }
        for (role, n) in &m.approvals_by_role {
            row("approvals_by_role", role, Some(*n), None);
        }
        // Issue #19: always written, with empty count and value when not assessed (its
        // evidence was not imported), so that absence never reads as 0 % or 100 %.
        for (name, share) in [
            ("leaver_credentials_revoked", m.leaver_credentials_revoked),
            ("emergency_uses_reviewed_in_time", m.emergency_reviewed),
        ] {
            row(name, "", share.map(|s| s.part), share.map(|s| s.ratio()));
            row(&format!("{name}_judged"), "", share.map(|s| s.whole), None);
        }
        let age = m.credential_age;
        row(
            "credential_age_median_hours",
            "",
            age.map(|d| d.count),
            age.map(|d| d.median_hours),
        );
        row(
            "credential_age_p95_hours",
            "",
            age.map(|d| d.count),
            age.map(|d| d.p95_hours),
        );
        // Governance: access reviews, all campaigns together, then each campaign in order of
        // start (the trend) and each of its systems (subject `campaign/system`).
        let review_rows =
            |subject: &str, f: &evidentia_rules::ReviewFigures, row: &mut dyn MetricRow| {
                row("review_population", subject, Some(f.population), None);
                row("review_coverage", subject, Some(f.decided), f.coverage());
                row(
                    "review_completion_on_time",
                    subject,
                    Some(f.decided_on_time),
                    f.completion(),
                );
                row(
                    "review_revoke_rate",
                    subject,
                    Some(f.revoke + f.modify),
                    f.revoke_rate(),
                );
            };
        let r = &m.reviews;
        if !r.campaigns.is_empty() {
            review_rows("", &r.figures, &mut row);
            for c in &r.campaigns {
                review_rows(c.campaign.as_str(), &c.figures, &mut row);
                for (system, f) in &c.systems {
                    review_rows(&format!("{}/{}", c.campaign, system), f, &mut row);
                }
            }
            for (system, d) in &r.decision_to_removal {
                row(
                    "review_decision_to_removal_median_hours",
                    system.as_str(),
                    Some(d.count),
                    Some(d.median_hours),
                );
                row(
                    "review_decision_to_removal_p95_hours",
                    system.as_str(),
                    Some(d.count),
                    Some(d.p95_hours),
                );
            }
        }
        t
    }

    /// Every control of the framework, in catalog order, with its status.
    fn controls(&self) -> anyhow::Result<Table> {
        let mut t = Table::new(
            "controls",
            &[
                "framework",
                "control",
                "title",
                "groups",
                "status",
                "evidence",
                "findings",
                "checks",
                "missing_evidence",
            ],
        );
        for r in control_status(&self.run, &self.options.framework)? {
            t.push(vec![
                Cell::text(&self.options.framework),
                Cell::text(&r.id),
                Cell::text(&r.title),
                Cell::text(
                    r.groups
                        .iter()
                        .map(|(id, _)| id.as_str())
                        .collect::<Vec<_>>()
                        .join(" "),
                ),
                Cell::text(r.status.as_str()),
                Cell::count(r.evidence),
                Cell::count(r.findings),
                Cell::text(r.checks.join(" ")),
                Cell::text(r.missing.join("; ")),
            ]);
        }
        Ok(t)
    }

    /// The OSCAL assessment results of the period.
    pub fn oscal(&self) -> anyhow::Result<Vec<u8>> {
        let (catalogs, mapping) = catalogs()?;
        let catalog = catalogs
            .get(&self.options.framework)
            .ok_or_else(|| anyhow!("unknown framework {:?}", self.options.framework))?;
        let (from, to) = self.period();
        let as_of = self.run.as_of;
        let start = from.map_or(as_of, |d| d.and_time(chrono::NaiveTime::MIN).and_utc());
        let end = to
            .and_then(|to| Period { from: to, to }.end_instant())
            .unwrap_or(as_of);
        let controls = control_status(&self.run, &self.options.framework)?
            .into_iter()
            .map(|r| ControlInput {
                id: r.id,
                title: r.title,
                status: r.status.as_str().to_owned(),
                evidence: r.evidence,
                findings: r.findings,
                checks: r.checks,
            })
            .collect();
        let mut findings: Vec<_> = self.run.analysis.findings.iter().collect();
        findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        let current = current_of(&self.responses);
        let findings = findings
            .into_iter()
            .map(|f| FindingInput {
                id: f.id(),
                response: current.get(&f.id()).map(|r| OscalResponse {
                    entry: r.seq,
                    recorded_at: r.recorded_at.clone(),
                    status: r.status.as_str().to_owned(),
                    expired: r.expired(as_of),
                    owner: r.owner.clone(),
                    due: day_text(r.due),
                    accepted_until: r.accepted_until.map(day_text),
                    response: r.response.clone(),
                    recorded_by: r.recorded_by.clone(),
                }),
                check: f.check.to_owned(),
                severity: check_info(&mapping, f.check).0.as_str().to_owned(),
                summary: f.summary.clone(),
                identity: f.identity.as_ref().map(|i| i.as_str().to_owned()),
                system: f.system.as_ref().map(|s| s.as_str().to_owned()),
                account: f.account.clone(),
                entitlement: f.entitlement.clone(),
                exception: f.exception.as_ref().map(|e| e.as_str().to_owned()),
                campaign: f.campaign.as_ref().map(|c| c.as_str().to_owned()),
                evidence: crate::evidence_entries(&f.evidence),
                evidence_rows: crate::evidence_rows(&f.evidence),
                // People's findings are observations but count against no OWASP NHI control,
                // as in that framework's control status and report.
                controls: mapping
                    .check(f.check)
                    .filter(|_| {
                        self.options.framework != crate::OWASP_NHI_2025
                            || self
                                .run
                                .is_non_human(f.identity.as_ref().map(|i| i.as_str()))
                    })
                    .map(|m| {
                        m.controls_in(&self.options.framework)
                            .map(str::to_owned)
                            .collect()
                    })
                    .unwrap_or_default(),
            })
            .collect();
        let artifacts = self
            .imports
            .iter()
            .map(|i| ArtifactInput {
                file_name: i.file_name.clone(),
                pack_path: artifact_pack_path(i),
                sha256: i.artifact.clone(),
                size: i.size,
                format: i.format.clone(),
                seq: i.seq,
            })
            .collect();
        let input = AssessmentInput {
            framework_id: catalog.id().to_owned(),
            framework_title: catalog.title().to_owned(),
            framework_version: catalog.version().to_owned(),
            workspace_id: self.workspace_id.clone(),
            start: rfc3339(start),
            end: rfc3339(end),
            as_of: rfc3339(as_of),
            generated_at: rfc3339(self.options.generated_at),
            ledger_entries: self.run.head.count,
            ledger_head: self.run.head.hash.to_hex(),
            policy_entry: self.run.policy.seq,
            controls,
            findings,
            not_assessed: self
                .run
                .analysis
                .not_assessed
                .iter()
                .map(|n| NotAssessedInput {
                    check: n.check.to_owned(),
                    identity: n.identity.as_str().to_owned(),
                    system: n.system.as_str().to_owned(),
                    account: n.account.clone(),
                    credential: n.credential.clone(),
                    reason: n.reason.to_owned(),
                    evidence: crate::evidence_entries(&n.evidence),
                    evidence_rows: crate::evidence_rows(&n.evidence),
                })
                .collect(),
            artifacts,
        };
        evidentia_pack::oscal::assessment_results(&input).context("writing the OSCAL document")
    }
}

/// Writes `bytes` to `path` all at once or not at all: a temporary file beside it, synced,
/// then renamed over it.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".evidentia-")
        .tempfile_in(dir)
        .with_context(|| format!("creating a temporary file in {}", dir.display()))?;
    tmp.write_all(bytes)
        .and_then(|()| tmp.as_file().sync_all())
        .with_context(|| format!("writing {}", path.display()))?;
    tmp.persist(path)
        .with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}

/// A citation's row in a set entry as a cell: empty when there is no citation or it names a
/// whole one-record entry.
fn row_cell(cite: Option<evidentia_rules::Cite>) -> Cell {
    match cite {
        Some(c) if c.row > 0 => Cell::Int(i64::from(c.row)),
        _ => Cell::Empty,
    }
}
