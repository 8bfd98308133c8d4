//! What a report, an export or an evidence pack is made from: one framework, one period, one
//! generation time, so the same workspace and options always give the same bytes.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, anyhow};
use chrono::{DateTime, NaiveDate, Utc};
use evidentia_report::{
    ArtifactLine, Completeness, ControlLine, ExceptionLine, FindingLine, Framework, LedgerHead,
    Pdf, ReportModel, ReviewLine, RevokeLine, Severity, Status,
};
use evidentia_rules::RevokeStatus;
use sha2::{Digest, Sha256};

use crate::{
    AgingBucket, ControlStatus, analyze_period, catalogs, check_info, control_status,
    list_checkpoints, list_imports, open_workspace,
};

/// The choices behind one report, export or pack. `generated_at` is explicit (the CLI defaults
/// it to now, tests fix it) because it is printed in the output and must not vary by itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportOptions {
    /// A catalog id: `nist-csf-2.0`, `owasp-nhi-2025`, or a loaded catalog's.
    pub framework: String,
    /// First day of the period (inclusive); default: the policy's period start.
    pub from: Option<NaiveDate>,
    /// Last day of the period (inclusive); default: the policy's period end.
    pub to: Option<NaiveDate>,
    pub generated_at: DateTime<Utc>,
}

/// What writing a report produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportSummary {
    pub path: PathBuf,
    pub pages: usize,
    pub bytes: u64,
    /// SHA-256 of the PDF (hex).
    pub sha256: String,
}

/// Renders the framework-mapped PDF report of `options.framework` over the chosen period.
/// Reads the workspace only; the same workspace and options give byte-identical PDFs.
pub async fn render_report(workspace: &Path, options: &ReportOptions) -> anyhow::Result<Vec<u8>> {
    Ok(render(workspace, options).await?.bytes)
}

/// Renders the report and writes it to `out` atomically (a temporary file beside it, renamed
/// over it), so a reader never sees half a PDF.
pub async fn write_report(
    workspace: &Path,
    options: &ReportOptions,
    out: &Path,
) -> anyhow::Result<ReportSummary> {
    let pdf = render(workspace, options).await?;
    let sha256 = hex_digest(&pdf.bytes);
    let bytes = pdf.bytes.len() as u64;
    let out_owned = out.to_owned();
    tokio::task::spawn_blocking(move || write_atomically(&out_owned, &pdf.bytes))
        .await
        .map_err(|e| anyhow!("writing the report stopped: {e}"))??;
    Ok(ReportSummary {
        path: out.to_owned(),
        pages: pdf.pages,
        bytes,
        sha256,
    })
}

fn hex_digest(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Writes the PDF through the façade's atomic writer, after naming a missing folder plainly
/// (the temporary file's error would name a file the user never asked for).
fn write_atomically(out: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let dir = match out.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_owned(),
        _ => PathBuf::from("."),
    };
    if !dir.is_dir() {
        return Err(anyhow!(
            "cannot write the report to {}: the folder {} does not exist",
            out.display(),
            dir.display()
        ));
    }
    crate::write_atomically(out, bytes)
}

async fn render(workspace: &Path, options: &ReportOptions) -> anyhow::Result<Pdf> {
    let model = report_model(workspace, options).await?;
    tokio::task::spawn_blocking(move || evidentia_report::render(&model))
        .await
        .map_err(|e| anyhow!("rendering the report stopped: {e}"))?
        .context("rendering the report")
}

/// Gathers everything the report shows from the workspace: the analysis over the period, the
/// framework's controls, the imported files, the workspace id and the checkpoints.
pub async fn report_model(
    workspace: &Path,
    options: &ReportOptions,
) -> anyhow::Result<ReportModel> {
    let (catalogs, mapping) = catalogs()?;
    let catalog = catalogs.get(&options.framework).ok_or_else(|| {
        let known: Vec<&str> = catalogs.iter().map(|c| c.id()).collect();
        anyhow!(
            "unknown framework {:?}; built in: {}",
            options.framework,
            known.join(", ")
        )
    })?;
    let run = analyze_period(workspace, options.from, options.to, options.generated_at).await?;
    let rows = control_status(&run, catalog.id())?;
    let imports = list_imports(workspace).await?;
    let info = open_workspace(workspace).await?;
    let checkpoints = list_checkpoints(workspace).await?;
    let org = &run.policy.policy.organisation;
    let analysis = &run.analysis;

    let mut findings = Vec::new();
    let mut unmapped_findings = 0;
    for f in &analysis.findings {
        let controls: Vec<String> = mapping
            .check(f.check)
            .map(|m| m.controls_in(catalog.id()).map(str::to_owned).collect())
            .unwrap_or_default();
        if controls.is_empty() {
            unmapped_findings += 1;
            continue;
        }
        let (severity, _) = check_info(&mapping, f.check);
        findings.push(FindingLine {
            check: f.check.to_owned(),
            severity: match severity {
                crate::Severity::Critical => Severity::Critical,
                crate::Severity::High => Severity::High,
                crate::Severity::Medium => Severity::Medium,
                crate::Severity::Low => Severity::Low,
            },
            summary: f.summary.clone(),
            identity: f.identity.as_ref().map(|i| i.as_str().to_owned()),
            system: f.system.as_ref().map(|s| s.as_str().to_owned()),
            account: f.account.clone(),
            evidence: f.evidence.clone(),
            controls,
        });
    }
    let head_hash = run.head.hash.to_hex();
    let evidence_gaps = evidence_gaps(&run);
    Ok(ReportModel {
        organisation: org.name.clone(),
        framework: Framework {
            id: catalog.id().to_owned(),
            title: catalog.title().to_owned(),
            version: catalog.version().to_owned(),
            publisher: catalog.publisher().to_owned(),
        },
        period_from: org.period_start,
        period_to: org.period_end,
        as_of: run.as_of,
        generated_at: options.generated_at,
        workspace_id: info.workspace_id,
        ledger: LedgerHead {
            entries: run.head.count,
            checkpointed_at: checkpoints
                .iter()
                .find(|c| c.entry_count == run.head.count && c.head_hash == run.head.hash)
                .map(|c| c.created_at.clone()),
            head_hash,
        },
        policy_entry: run.policy.seq,
        policy_sha256: run.policy.sha256.to_hex(),
        completeness: Completeness {
            complete_events: analysis.metrics.complete_events,
            events_with_chains: analysis.metrics.events_with_chains,
        },
        controls: rows
            .into_iter()
            .map(|r| ControlLine {
                id: r.id,
                text: r.title,
                groups: r.groups,
                status: match r.status {
                    ControlStatus::Met => Status::Met,
                    ControlStatus::Findings => Status::Findings,
                    ControlStatus::NotAssessed => Status::NotAssessed,
                },
                evidence: r.evidence,
                findings: r.findings,
                missing: r.missing,
            })
            .collect(),
        findings,
        unmapped_findings,
        exceptions: analysis
            .exceptions
            .iter()
            .map(|e| ExceptionLine {
                id: e.id.as_str().to_owned(),
                subject: e.subject.as_ref().map(|s| s.as_str().to_owned()),
                system: e.system.as_ref().map(|s| s.as_str().to_owned()),
                entitlement: e.entitlement.clone(),
                owner: e.owner.as_ref().map(|o| o.as_str().to_owned()),
                granted: e.granted_at.date_naive(),
                expires: e.expires_at.map(|t| t.date_naive()),
                age_days: e.age_days,
                bucket: e.bucket.as_str().to_owned(),
                expiring_soon: e.expiring_soon,
                seq: e.seq,
            })
            .collect(),
        exceptions_by_bucket: AgingBucket::ALL
            .iter()
            .map(|b| {
                let n = analysis
                    .metrics
                    .exceptions_by_bucket
                    .get(b)
                    .copied()
                    .unwrap_or(0);
                (b.as_str().to_owned(), n)
            })
            .collect(),
        time_to_revoke: analysis
            .metrics
            .time_to_revoke
            .iter()
            .map(|(system, d)| RevokeLine {
                system: system.as_str().to_owned(),
                count: d.count,
                median_hours: d.median_hours,
                p95_hours: d.p95_hours,
            })
            .collect(),
        reviews: analysis
            .reviews
            .iter()
            .flat_map(|c| {
                c.systems.iter().map(move |s| {
                    let ended = |status: RevokeStatus| {
                        c.revokes
                            .iter()
                            .filter(|r| r.system == s.system && r.status == status)
                            .count()
                    };
                    ReviewLine {
                        campaign: c.campaign.as_str().to_owned(),
                        name: c.name.clone(),
                        started_at: c.started_at,
                        due_at: c.due_at,
                        closed_at: c.closed_at,
                        system: s.system.as_str().to_owned(),
                        overdue: c.overdue,
                        population: s.snapshot.as_ref().map(|_| s.population),
                        decided: s.decided,
                        decided_on_time: s.decided_on_time,
                        revokes: c.revokes.iter().filter(|r| r.system == s.system).count(),
                        removed_on_time: ended(RevokeStatus::OnTime),
                        removed_late: ended(RevokeStatus::Late),
                        not_executed: ended(RevokeStatus::NotExecuted),
                        contradicted: ended(RevokeStatus::Contradicted),
                    }
                })
            })
            .collect(),
        evidence_gaps,
        artifacts: imports
            .into_iter()
            .map(|i| ArtifactLine {
                seq: i.seq,
                file_name: i.file_name,
                format: i.format,
                profile: i.profile,
                size: i.size,
                sha256: i.artifact,
            })
            .collect(),
    })
}

/// What the analysis could not look at, one sentence each: every kind of evidence never
/// imported with the checks it left unassessed, then the systems without a snapshot in the
/// period and those without any provisioning log.
pub fn evidence_gaps(run: &crate::AnalysisRun) -> Vec<String> {
    let coverage = &run.analysis.coverage;
    let mut by_kind: std::collections::BTreeMap<evidentia_rules::EvidenceKind, Vec<&str>> =
        std::collections::BTreeMap::new();
    for (check, c) in &coverage.checks {
        for kind in &c.missing {
            by_kind.entry(*kind).or_default().push(check);
        }
    }
    let mut out: Vec<String> = by_kind
        .into_iter()
        .map(|(kind, checks)| {
            format!(
                "Not imported: {}. Not assessed: {}.",
                kind.describe(),
                checks.join(", ")
            )
        })
        .collect();
    let list = |systems: &[evidentia_domain::SystemId]| {
        systems
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    if !coverage.systems_without_snapshot.is_empty() {
        out.push(format!(
            "No reconciliation snapshot in the period for {}: held access and confirmations there rest on the logs alone.",
            list(&coverage.systems_without_snapshot)
        ));
    }
    if !coverage.systems_without_log.is_empty() {
        out.push(format!(
            "No provisioning log for {}: removals and grants there are proven by snapshots only.",
            list(&coverage.systems_without_log)
        ));
    }
    out
}
