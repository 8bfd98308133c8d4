//! What a report, an export or an evidence pack is made from: one framework, one period, one
//! generation time, so the same workspace and options always give the same bytes.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, anyhow};
use chrono::{DateTime, NaiveDate, Utc};
use std::collections::{BTreeMap, BTreeSet};

use evidentia_report::{
    ArtifactLine, CheckpointRef, Completeness, ControlLine, CredentialFigures, EvidenceClass,
    ExceptionLine, FindingLine, Framework, LedgerHead, ManagementResponse, NotAssessedLine, Pdf,
    ReportModel, ReviewLine, RevokeLine, Scope, Severity, Status, SystemScope,
};
use evidentia_rules::{Direction, LinkStatus, RevokeStatus};
use sha2::{Digest, Sha256};

use crate::Location;
use crate::{
    AgingBucket, ControlStatus, catalogs, check_info, control_status, list_checkpoints,
    list_imports, open_workspace,
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
pub async fn render_report(
    workspace: &Location,
    options: &ReportOptions,
) -> anyhow::Result<Vec<u8>> {
    Ok(render(workspace, options).await?.bytes)
}

/// Renders the report and writes it to `out` atomically (a temporary file beside it, renamed
/// over it), so a reader never sees half a PDF.
pub async fn write_report(
    workspace: &Location,
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

async fn render(workspace: &Location, options: &ReportOptions) -> anyhow::Result<Pdf> {
    let model = report_model(workspace, options).await?;
    tokio::task::spawn_blocking(move || evidentia_report::render(&model))
        .await
        .map_err(|e| anyhow!("rendering the report stopped: {e}"))?
        .context("rendering the report")
}

/// Gathers everything the report shows from the workspace: the analysis over the period, the
/// framework's controls, the imported files, the workspace id and the checkpoints.
pub async fn report_model(
    workspace: &Location,
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
    let (run, mut seen) = crate::analysis::analyze_period_then(
        workspace,
        (options.from, options.to),
        None,
        options.generated_at,
        |ctx, _| Seen::of(ctx),
    )
    .await?;
    seen.identities = run.identities.clone();
    let rows = control_status(&run, catalog.id())?;
    let imports = list_imports(workspace).await?;
    let info = open_workspace(workspace).await?;
    let checkpoints = list_checkpoints(workspace).await?;
    let org = &run.policy.policy.organisation;
    let analysis = &run.analysis;
    // The OWASP NHI Top 10 is about non-human identities: its report counts only them (and
    // accounts no identity owns, which may be either).
    let nhi_only = catalog.id() == evidentia_frameworks::OWASP_NHI_2025;
    let in_scope = |identity: Option<&evidentia_domain::IdentityId>| {
        !nhi_only || run.is_non_human(identity.map(|i| i.as_str()))
    };
    let responses = responses_for_report(&run, &seen);

    let mut findings = Vec::new();
    let mut unmapped_findings = 0;
    let mut late_per_system: BTreeMap<String, usize> = BTreeMap::new();
    for f in &analysis.findings {
        if !in_scope(f.identity.as_ref()) {
            continue;
        }
        if f.check == "EV-LEAVER-REVOKED-LATE"
            && let Some(s) = &f.system
        {
            *late_per_system.entry(s.as_str().to_owned()).or_default() += 1;
        }
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
            title: evidentia_frameworks::check_title(f.check)
                .unwrap_or_default()
                .to_owned(),
            severity: match severity {
                crate::Severity::Critical => Severity::Critical,
                crate::Severity::High => Severity::High,
                crate::Severity::Medium => Severity::Medium,
                crate::Severity::Low => Severity::Low,
            },
            summary: seen.name_ids_in(&f.summary),
            identity: f.identity.as_ref().map(|i| seen.named(i.as_str())),
            system: f.system.as_ref().map(|s| s.as_str().to_owned()),
            account: f.account.clone(),
            evidence: crate::evidence_entries(&f.evidence),
            evidence_rows: crate::evidence_rows(&f.evidence),
            controls,
            response: responses.get(&f.id()).cloned(),
        });
    }
    let head_hash = run.head.hash.to_hex();
    let exceptions: Vec<&evidentia_rules::ExceptionAging> = analysis
        .exceptions
        .iter()
        .filter(|e| {
            !nhi_only
                || e.subject
                    .as_ref()
                    .is_some_and(|s| run.is_non_human(Some(s.as_str())))
        })
        .collect();
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
            checkpoint: checkpoint_for(&checkpoints, &run.head),
            head_hash,
        },
        policy_entry: run.policy.seq,
        policy_sha256: run.policy.sha256.to_hex(),
        completeness: if nhi_only {
            let nhi_chains = analysis
                .chains
                .iter()
                .filter(|c| !c.identity_kind.is_human() && !c.systems.is_empty());
            let (mut all, mut complete) = (0, 0);
            for c in nhi_chains {
                all += 1;
                complete += usize::from(c.is_complete());
            }
            Completeness {
                complete_events: complete,
                events_with_chains: all,
            }
        } else {
            Completeness {
                complete_events: analysis.metrics.complete_events,
                events_with_chains: analysis.metrics.events_with_chains,
            }
        },
        controls: rows
            .into_iter()
            .map(|r| {
                // `control_status` counts over the framework's scope (NHIs only for OWASP),
                // so a control whose findings were all about people is met for NHIs.
                let findings = r.findings;
                let status = match r.status {
                    ControlStatus::NotAssessed => Status::NotAssessed,
                    ControlStatus::Met => Status::Met,
                    ControlStatus::Findings => Status::Findings,
                };
                ControlLine {
                    id: r.id,
                    text: r.title,
                    groups: r.groups,
                    status,
                    evidence: r.evidence,
                    findings,
                    missing: r.missing,
                }
            })
            .collect(),
        findings,
        unmapped_findings,
        exceptions: exceptions
            .iter()
            .map(|e| ExceptionLine {
                id: e.id.as_str().to_owned(),
                subject: e.subject.as_ref().map(|s| seen.named(s.as_str())),
                system: e.system.as_ref().map(|s| s.as_str().to_owned()),
                entitlement: e.entitlement.clone(),
                owner: e.owner.as_ref().map(|o| seen.named(o.as_str())),
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
                let n = exceptions.iter().filter(|e| e.bucket == *b).count();
                (b.as_str().to_owned(), n)
            })
            .collect(),
        time_to_revoke: time_to_revoke(analysis, nhi_only)
            .into_iter()
            .map(|(system, d)| RevokeLine {
                sla_hours: run
                    .policy
                    .policy
                    .systems
                    .get(&system)
                    .map(|p| p.revocation_sla.as_delta().num_seconds() as f64 / 3600.0),
                late: late_per_system.get(system.as_str()).copied().unwrap_or(0),
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
        not_assessed: analysis
            .not_assessed
            .iter()
            .map(|n| NotAssessedLine {
                check: n.check.to_owned(),
                title: evidentia_frameworks::check_title(n.check)
                    .unwrap_or_default()
                    .to_owned(),
                identity: seen.named(n.identity.as_str()),
                system: n.system.as_str().to_owned(),
                account: n.account.clone(),
                credential: n.credential.clone(),
                reason: n.reason.to_owned(),
                evidence: crate::evidence_entries(&n.evidence),
            })
            .collect(),
        credentials: {
            let m = &analysis.metrics;
            CredentialFigures {
                leaver_revoked: m.leaver_credentials_revoked.map(|s| (s.part, s.whole)),
                credential_age: m
                    .credential_age
                    .map(|d| (d.count, d.median_hours / 24.0, d.p95_hours / 24.0)),
                emergency_reviewed: m.emergency_reviewed.map(|s| (s.part, s.whole)),
            }
        },
        evidence_gaps,
        scope: seen.scope(&run, nhi_only),
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

/// Each finding's current management response (the latest `finding.response` entry among
/// those the run read), by finding id, as the report shows it. "Past its date" is an
/// acceptance that has expired, or a due date passed while the finding is still open or in
/// remediation, both judged as of the run.
fn responses_for_report(
    run: &crate::AnalysisRun,
    seen: &Seen,
) -> BTreeMap<String, ManagementResponse> {
    let today = run.as_of.date_naive();
    run.current_responses()
        .into_iter()
        .map(|(id, r)| {
            let status = match r.status {
                crate::ResponseStatus::Open => "open",
                crate::ResponseStatus::InRemediation => "in remediation",
                crate::ResponseStatus::Remediated => "remediated",
                crate::ResponseStatus::RiskAccepted => "risk accepted",
            };
            let overdue = matches!(
                r.status,
                crate::ResponseStatus::Open | crate::ResponseStatus::InRemediation
            ) && r.due < today;
            let response = ManagementResponse {
                status: status.to_owned(),
                owner: Some(seen.named(r.owner.as_str())),
                due: Some(r.due),
                accepted_until: r.accepted_until,
                response: r.response.clone(),
                entry_seq: r.seq,
                expired: r.expired(run.as_of) || overdue,
            };
            (id, response)
        })
        .collect()
}

/// The checkpoint the cover names: one recording exactly this head, else the first recording
/// a later head (its entries begin with this head's), else the latest before it.
fn checkpoint_for(
    checkpoints: &[evidentia_store::Checkpoint],
    head: &evidentia_store::Head,
) -> Option<CheckpointRef> {
    let chosen = checkpoints
        .iter()
        .find(|c| c.entry_count == head.count && c.head_hash == head.hash)
        .or_else(|| checkpoints.iter().find(|c| c.entry_count > head.count))
        .or_else(|| {
            checkpoints
                .iter()
                .filter(|c| c.entry_count < head.count)
                .max_by_key(|c| c.entry_count)
        })?;
    let signer = chosen.note.as_deref().and_then(|note| {
        let parsed = evidentia_ledger::note::parse_note(note).ok()?;
        let s = parsed.signatures.first()?;
        Some(format!("{}, key id {:08x}", s.name, s.id))
    });
    Some(CheckpointRef {
        number: chosen.id,
        entry_count: chosen.entry_count,
        recorded_at: chosen.created_at.clone(),
        signer,
    })
}

/// Hours from leaver/retirement to each system's revocation, as the metrics compute them,
/// over non-human identities only when `nhi_only`.
fn time_to_revoke(
    analysis: &evidentia_rules::Analysis,
    nhi_only: bool,
) -> BTreeMap<evidentia_domain::SystemId, evidentia_rules::Durations> {
    if !nhi_only {
        return analysis.metrics.time_to_revoke.clone();
    }
    let mut hours: BTreeMap<evidentia_domain::SystemId, Vec<f64>> = BTreeMap::new();
    for chain in analysis
        .chains
        .iter()
        .filter(|c| !c.identity_kind.is_human())
    {
        if !matches!(
            chain.event_type,
            evidentia_domain::LifecycleEventType::Leaver
                | evidentia_domain::LifecycleEventType::NhiRetired
        ) {
            continue;
        }
        for s in chain
            .systems
            .iter()
            .filter(|s| s.direction == Direction::Revoke)
        {
            let done = matches!(s.execution.status, LinkStatus::Complete | LinkStatus::Late);
            if let Some(at) = s.execution.at.filter(|_| done) {
                let h = (at - chain.effective_at).num_seconds().max(0) as f64 / 3600.0;
                hours.entry(s.system.clone()).or_default().push(h);
            }
        }
    }
    hours
        .into_iter()
        .filter_map(|(s, h)| evidentia_rules::Durations::of(h).map(|d| (s, d)))
        .collect()
}

/// What the evidence holds beyond the analysis: identities' names and kinds, and per system
/// and class how much was imported (for names next to ids and the scope page).
struct Seen {
    /// Identity id → its latest name and whether it is a person: the analysis's own
    /// (`AnalysisRun.identities`), set once the run is back.
    identities: BTreeMap<String, crate::KnownIdentity>,
    /// System → (log records, inventory rows).
    per_system: BTreeMap<String, (usize, usize)>,
    /// Evidence class counts, in display order.
    classes: Vec<(&'static str, usize, &'static str)>,
}

impl Seen {
    fn of(ctx: &evidentia_rules::Context<'_>) -> Seen {
        let e = ctx.evidence;
        let mut per_system: BTreeMap<String, (usize, usize)> = BTreeMap::new();
        for x in &e.executions {
            per_system
                .entry(x.record.system.as_str().to_owned())
                .or_default()
                .0 += 1;
        }
        for r in &e.reconciliations {
            per_system
                .entry(r.record.system.as_str().to_owned())
                .or_default()
                .1 += 1;
        }
        let classes = vec![
            (
                "lifecycle events (HR and NHI catalog)",
                e.events.len(),
                "who joined, moved and left, and when",
            ),
            (
                "approvals",
                e.approvals.len(),
                "who authorised each grant, and whether before it",
            ),
            (
                "provisioning logs (executions)",
                e.executions.len(),
                "when each system granted or removed access",
            ),
            (
                "inventories (reconciliation)",
                e.reconciliations.len(),
                "what each system actually held at a moment, confirming removals",
            ),
            (
                "exceptions register",
                e.exceptions.len(),
                "which deviations were accepted, by whom and until when",
            ),
            (
                "activity (sign-ins, API calls)",
                e.activity.len(),
                "whether access was used after departure, and human use of NHIs",
            ),
            (
                "access reviews",
                e.campaigns.len() + e.decisions.len(),
                "whether access was periodically certified and revokes carried out",
            ),
        ];
        Seen {
            identities: BTreeMap::new(),
            per_system,
            classes,
        }
    }

    /// "Dana Ito (E1234)", or the id alone when no name was imported.
    fn named(&self, id: &str) -> String {
        match self.identities.get(id).and_then(|k| k.name.as_deref()) {
            Some(name) if name != id => format!("{name} ({id})"),
            _ => id.to_owned(),
        }
    }

    /// A summary with every identity id it mentions followed by the identity's name:
    /// "approved by E1234" → "approved by Dana Ito (E1234)".
    fn name_ids_in(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let mut token = String::new();
        let flush = |token: &mut String, out: &mut String| {
            if token.is_empty() {
                return;
            }
            // A sentence's full stop is not part of the id.
            let core = token.trim_end_matches(['.', ',', ';', ':']);
            let named = self.named(core);
            out.push_str(&named);
            out.push_str(&token[core.len()..]);
            token.clear();
        };
        for c in text.chars() {
            if c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | '@' | ':' | '/') {
                token.push(c);
            } else {
                flush(&mut token, &mut out);
                out.push(c);
            }
        }
        flush(&mut token, &mut out);
        out
    }

    fn scope(&self, run: &crate::AnalysisRun, nhi_only: bool) -> Scope {
        let analysis = &run.analysis;
        let mut reviews: BTreeMap<&str, usize> = BTreeMap::new();
        for c in &analysis.reviews {
            for s in &c.systems {
                *reviews.entry(s.system.as_str()).or_default() += 1;
            }
        }
        let systems = run
            .policy
            .policy
            .systems
            .iter()
            .map(|(id, p)| {
                let (log_records, inventory_rows) =
                    self.per_system.get(id.as_str()).copied().unwrap_or((0, 0));
                SystemScope {
                    system: id.as_str().to_owned(),
                    log_records,
                    inventory_rows,
                    reviews: reviews.get(id.as_str()).copied().unwrap_or(0),
                    revocation_sla: p.revocation_sla.to_string(),
                }
            })
            .collect();
        use evidentia_domain::LifecycleEventType as T;
        let mut events: BTreeMap<&str, BTreeSet<u64>> = BTreeMap::new();
        for c in &analysis.chains {
            if nhi_only && c.identity_kind.is_human() {
                continue;
            }
            let label = match c.event_type {
                T::Joiner => "joiners",
                T::Mover => "movers",
                T::Leaver => "leavers",
                T::NhiCreated => "NHIs created",
                T::NhiOwnerChanged => "NHI owner changes",
                T::NhiRetired => "NHIs retired",
            };
            events.entry(label).or_default().insert(c.seq);
        }
        let mut populations: Vec<(String, usize)> = Vec::new();
        let people = self.identities.values().filter(|k| k.human).count();
        let nhis = self.identities.len() - people;
        if !nhi_only {
            populations.push(("people".to_owned(), people));
        }
        populations.push(("non-human identities".to_owned(), nhis));
        for label in [
            "joiners",
            "movers",
            "leavers",
            "NHIs created",
            "NHI owner changes",
            "NHIs retired",
        ] {
            if let Some(set) = events.get(label) {
                populations.push((label.to_owned(), set.len()));
            }
        }
        Scope {
            nhi_only,
            systems,
            populations,
            evidence: self
                .classes
                .iter()
                .map(|(name, records, shows)| EvidenceClass {
                    name: (*name).to_owned(),
                    records: *records,
                    shows: (*shows).to_owned(),
                })
                .collect(),
        }
    }
}
