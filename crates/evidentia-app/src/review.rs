//! What the desktop's Findings and Exceptions pages show, judged fresh from the ledger: findings
//! with their severity, controls and the event whose chain they concern; exceptions with their
//! aging, approver, re-approvals and governance flags; and the Overview's assessment summary
//! (chain completeness, findings by severity and CSF function, aging, time to revoke, evidence
//! not available).

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, SecondsFormat, Utc};
use evidentia_domain::ExceptionRecord;
use evidentia_frameworks::{ControlStatus, Severity};
use evidentia_rules::AgingBucket;
use evidentia_store::EvidenceStore;
use serde::Deserialize;

use crate::Location;
use crate::{
    AnalysisRun, ControlRow, CurrentResponse, ResponseRecord, analyze_workspace, catalogs,
    check_info, control_status, open_read,
};

/// The built-in frameworks the Findings page switches between.
pub const FRAMEWORKS: [&str; 2] = ["nist-csf-2.0", "owasp-nhi-2025"];

/// One finding as the Findings page lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FindingItem {
    /// The finding's stable id (`Finding::id`), which management responses name.
    pub id: String,
    pub check: String,
    pub severity: Severity,
    pub identity: Option<String>,
    pub system: Option<String>,
    pub account: Option<String>,
    pub entitlement: Option<String>,
    pub exception: Option<String>,
    pub summary: String,
    /// The entries it rests on, ascending.
    pub evidence: Vec<u64>,
    /// The rows of set entries among what it cites, ascending (empty when it cites only
    /// one-record entries).
    pub evidence_rows: Vec<crate::EvidenceRow>,
    /// The lifecycle event among its evidence whose chain the Events page can open.
    pub event_seq: Option<u64>,
    /// Management's current response (the latest `finding.response` entry for its id), with
    /// an expired risk acceptance flagged as of the analysis.
    pub response: Option<CurrentResponse>,
    /// About a non-human identity or an unowned account: in scope of the OWASP NHI Top 10,
    /// whose controls leave people's findings out.
    pub non_human: bool,
}

/// A check as the page's "by check" grouping shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckItem {
    pub id: String,
    pub severity: Severity,
    pub rationale: String,
    /// Items it examined in the period.
    pub examined: usize,
    pub findings: usize,
}

/// Findings, checks and each framework's controls, from one analysis.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FindingsView {
    pub as_of: String,
    pub evidence_entries: u64,
    pub findings: Vec<FindingItem>,
    pub checks: Vec<CheckItem>,
    /// Per framework id, its leaf controls in catalog order.
    pub controls: BTreeMap<String, Vec<ControlRow>>,
    /// Items a check could not judge for want of evidence: shown apart from the findings.
    pub not_assessed: Vec<evidentia_rules::NotAssessed>,
}

fn time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Judges the workspace as of the end of the policy's period (without recording the run) and
/// lays out findings, checks and controls for the Findings page.
pub async fn findings_view(
    workspace: &Location,
    now: DateTime<Utc>,
) -> anyhow::Result<FindingsView> {
    let run = analyze_workspace(workspace, None, now).await?;
    let responses = run.current_responses();
    findings_of(&run, &responses)
}

fn findings_of(
    run: &AnalysisRun,
    responses: &BTreeMap<String, ResponseRecord>,
) -> anyhow::Result<FindingsView> {
    let (_, mapping) = catalogs()?;
    let events: BTreeSet<u64> = run.analysis.chains.iter().map(|c| c.seq).collect();
    let findings = run
        .analysis
        .findings
        .iter()
        .map(|f| {
            let id = f.id();
            let response = responses.get(&id).map(|r| r.as_current(run.as_of));
            FindingItem {
                id,
                check: f.check.to_owned(),
                severity: check_info(&mapping, f.check).0,
                identity: f.identity.as_ref().map(|i| i.as_str().to_owned()),
                system: f.system.as_ref().map(|s| s.as_str().to_owned()),
                account: f.account.clone(),
                entitlement: f.entitlement.clone(),
                exception: f.exception.as_ref().map(|e| e.as_str().to_owned()),
                summary: f.summary.clone(),
                evidence: crate::evidence_entries(&f.evidence),
                evidence_rows: crate::evidence_rows(&f.evidence),
                event_seq: f
                    .evidence
                    .iter()
                    .map(|c| c.seq)
                    .find(|s| events.contains(s)),
                response,
                non_human: run.is_non_human(f.identity.as_ref().map(|i| i.as_str())),
            }
        })
        .collect();
    let checks = run
        .analysis
        .examined
        .iter()
        .map(|(check, examined)| {
            let (severity, rationale) = check_info(&mapping, check);
            CheckItem {
                id: (*check).to_owned(),
                severity,
                rationale,
                examined: *examined,
                findings: run
                    .analysis
                    .findings
                    .iter()
                    .filter(|f| f.check == *check)
                    .count(),
            }
        })
        .collect();
    let mut controls = BTreeMap::new();
    for framework in FRAMEWORKS {
        controls.insert(framework.to_owned(), control_status(run, framework)?);
    }
    Ok(FindingsView {
        as_of: time(run.as_of),
        evidence_entries: run.head.count,
        findings,
        checks,
        controls,
        not_assessed: run.analysis.not_assessed.clone(),
    })
}

/// One exception with its aging and the governance failures the checks found in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExceptionItem {
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
    pub bucket: String,
    pub reapprovals: usize,
    pub expiring_soon: bool,
    /// Expired, yet the access it covered is still there.
    pub expired_active: bool,
    pub no_owner: bool,
    pub no_expiry: bool,
    /// Granted for longer than the policy allows its tier.
    pub too_long: bool,
}

/// Exceptions and their aging buckets (every bucket, in display order, even when empty).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExceptionsView {
    pub as_of: String,
    pub buckets: Vec<(String, usize)>,
    pub exceptions: Vec<ExceptionItem>,
}

#[derive(Deserialize)]
struct Payload {
    record: ExceptionRecord,
}

/// Judges the workspace (without recording the run) and lists every exception for the
/// Exceptions page, with approver and re-approvals read from its ledger entry.
pub async fn exceptions_view(
    workspace: &Location,
    now: DateTime<Utc>,
) -> anyhow::Result<ExceptionsView> {
    let run = analyze_workspace(workspace, None, now).await?;
    let flagged = |check: &str, id: &str| {
        run.analysis
            .findings
            .iter()
            .any(|f| f.check == check && f.exception.as_ref().is_some_and(|e| e.as_str() == id))
    };
    let ws = open_read(workspace).await?;
    let mut exceptions = Vec::with_capacity(run.analysis.exceptions.len());
    let mut failure = None;
    for e in &run.analysis.exceptions {
        let record = match ws.entries(e.seq, 1).await {
            Ok(entries) => entries
                .first()
                .and_then(|entry| serde_json::from_slice::<Payload>(&entry.payload).ok())
                .map(|p| p.record),
            Err(err) => {
                failure = Some(err);
                break;
            }
        };
        let id = e.id.as_str();
        exceptions.push(ExceptionItem {
            id: id.to_owned(),
            seq: e.seq,
            subject: e.subject.as_ref().map(|s| s.as_str().to_owned()),
            system: e.system.as_ref().map(|s| s.as_str().to_owned()),
            entitlement: e.entitlement.clone(),
            owner: e.owner.as_ref().map(|o| o.as_str().to_owned()),
            approver: record
                .as_ref()
                .and_then(|r| r.approver.as_ref())
                .map(|a| a.as_str().to_owned()),
            granted_at: time(e.granted_at),
            expires_at: e.expires_at.map(time),
            age_days: e.age_days,
            bucket: e.bucket.as_str().to_owned(),
            reapprovals: record.as_ref().map_or(0, |r| r.reapprovals.len()),
            expiring_soon: e.expiring_soon,
            expired_active: flagged("EV-EXCEPTION-EXPIRED-ACTIVE", id),
            no_owner: e.owner.is_none() || flagged("EV-EXCEPTION-NO-OWNER", id),
            no_expiry: e.expires_at.is_none() || flagged("EV-EXCEPTION-NO-EXPIRY", id),
            too_long: flagged("EV-EXCEPTION-TOO-LONG", id),
        });
    }
    ws.close().await;
    if let Some(err) = failure {
        return Err(err.into());
    }
    let buckets = aging_counts(&run);
    Ok(ExceptionsView {
        as_of: time(run.as_of),
        buckets,
        exceptions,
    })
}

/// A group of controls (CSF: a function) and how its controls stand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunctionItem {
    pub id: String,
    pub title: String,
    pub with_findings: usize,
    pub met: usize,
    pub not_assessed: usize,
    pub findings: usize,
}

/// Hours to revoke access in one system after a leaver or retirement.
#[derive(Debug, Clone, PartialEq)]
pub struct RevokeItem {
    pub system: String,
    pub count: usize,
    pub median_hours: f64,
    pub p95_hours: f64,
}

/// The assessment the Overview page summarises, from one analysis.
#[derive(Debug, Clone, PartialEq)]
pub struct AssessmentView {
    pub as_of: String,
    /// Lifecycle events that had to reach at least one system, and how many have every link.
    pub events_with_chains: usize,
    pub complete_events: usize,
    /// Findings per severity, most severe first (every severity, even when zero).
    pub severities: Vec<(Severity, usize)>,
    /// The NIST CSF 2.0 functions in catalog order.
    pub functions: Vec<FunctionItem>,
    /// Exceptions per aging bucket, in display order (every bucket, even when empty).
    pub buckets: Vec<(String, usize)>,
    pub time_to_revoke: Vec<RevokeItem>,
    /// What the analysis could not look at, one sentence each (`evidence_gaps`): kinds of
    /// evidence never imported, systems without a snapshot or a log; empty when none.
    pub evidence_gaps: Vec<String>,
    /// Issue #19's figures, each `None` when not assessed.
    pub leaver_credentials_revoked: Option<evidentia_rules::Share>,
    pub credential_age: Option<evidentia_rules::Durations>,
    pub emergency_reviewed: Option<evidentia_rules::Share>,
}

/// Exceptions per aging bucket, every bucket present, in bucket order.
fn aging_counts(run: &AnalysisRun) -> Vec<(String, usize)> {
    AgingBucket::ALL
        .iter()
        .map(|b| {
            let n = run
                .analysis
                .exceptions
                .iter()
                .filter(|e| e.bucket == *b)
                .count();
            (b.as_str().to_owned(), n)
        })
        .collect()
}

/// Judges the workspace (without recording the run) and summarises it for the Overview page.
pub async fn assessment_view(
    workspace: &Location,
    now: DateTime<Utc>,
) -> anyhow::Result<AssessmentView> {
    let run = analyze_workspace(workspace, None, now).await?;
    assessment_of(&run)
}

fn assessment_of(run: &AnalysisRun) -> anyhow::Result<AssessmentView> {
    // The Overview counts findings; it shows no responses.
    let view = findings_of(run, &BTreeMap::new())?;
    let severities = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
    ]
    .into_iter()
    .map(|s| (s, view.findings.iter().filter(|f| f.severity == s).count()))
    .collect();
    let mut functions: Vec<FunctionItem> = Vec::new();
    for c in view.controls.get("nist-csf-2.0").into_iter().flatten() {
        let Some((id, title)) = c.groups.first() else {
            continue;
        };
        let i = match functions.iter().position(|f| &f.id == id) {
            Some(i) => i,
            None => {
                functions.push(FunctionItem {
                    id: id.clone(),
                    title: title.clone(),
                    with_findings: 0,
                    met: 0,
                    not_assessed: 0,
                    findings: 0,
                });
                functions.len() - 1
            }
        };
        let f = &mut functions[i];
        match c.status {
            ControlStatus::Met => f.met += 1,
            ControlStatus::Findings => f.with_findings += 1,
            ControlStatus::NotAssessed => f.not_assessed += 1,
        }
        f.findings += c.findings;
    }
    let metrics = &run.analysis.metrics;
    let buckets = aging_counts(run);
    Ok(AssessmentView {
        as_of: view.as_of,
        events_with_chains: metrics.events_with_chains,
        complete_events: metrics.complete_events,
        severities,
        functions,
        buckets,
        time_to_revoke: metrics
            .time_to_revoke
            .iter()
            .map(|(system, d)| RevokeItem {
                system: system.as_str().to_owned(),
                count: d.count,
                median_hours: d.median_hours,
                p95_hours: d.p95_hours,
            })
            .collect(),
        evidence_gaps: crate::evidence_gaps(run),
        leaver_credentials_revoked: metrics.leaver_credentials_revoked,
        credential_age: metrics.credential_age,
        emergency_reviewed: metrics.emergency_reviewed,
    })
}
