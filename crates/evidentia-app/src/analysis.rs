//! Running the checks over a workspace: the evidence is read from the ledger, judged under the
//! policy in force, and the run itself is recorded (with the head it saw) so a report can say
//! exactly what it was made from.

use std::collections::BTreeMap;

use anyhow::{Context as _, anyhow};
use chrono::{DateTime, NaiveDate, Utc};
use evidentia_domain::{NameTable, Record, RecordKind, sharing};
use evidentia_ledger::{canonical_json, format_recorded_at};
use evidentia_rules::{Analysis, Evidence, Stored};
use evidentia_store::{EvidenceStore, Head, StoreError, Workspace};
use serde::Deserialize;

use crate::Location;
use crate::entries::{EXECUTION_SET_KIND, RECONCILIATION_SET_KIND, numbered_records};
use crate::policy::{RecordedPolicy, load_current};
use crate::{EntryKind, open_read, open_write, record_entry_kind};

/// A `record.<kind>` payload, of which the checks need only the record.
#[derive(Deserialize)]
struct Payload<T> {
    record: T,
}

fn parse<T: for<'de> Deserialize<'de>>(seq: u64, payload: &[u8]) -> Result<T, StoreError> {
    serde_json::from_slice::<Payload<T>>(payload)
        .map(|p| p.record)
        .map_err(|e| StoreError::Corrupt(format!("entry {seq}: unreadable record: {e}")))
}

/// Reads every normalized record among entries `1..=upto` (the verified count), in ledger
/// order.
pub async fn load_evidence(ws: &Workspace, upto: u64) -> anyhow::Result<Evidence> {
    let kinds: Vec<&'static str> = [
        RecordKind::Identity,
        RecordKind::LifecycleEvent,
        RecordKind::Approval,
        RecordKind::Execution,
        RecordKind::Reconciliation,
        RecordKind::Exception,
        RecordKind::Activity,
        RecordKind::ReviewCampaign,
        RecordKind::ReviewDecision,
        RecordKind::EmergencyUse,
    ]
    .into_iter()
    .map(record_entry_kind)
    .chain([RECONCILIATION_SET_KIND, EXECUTION_SET_KIND])
    .collect();
    // The names rows repeat (an account on each monthly row, a key on each listing) are read
    // into one shared copy each: a million credential rows name some fifty thousand keys.
    let mut names = NameTable::default();
    let evidence = ws
        .scan_kinds(
            &kinds,
            upto,
            Evidence::default(),
            move |ev: &mut Evidence, entry| sharing(&mut names, || read_entry(ev, entry)),
        )
        .await
        .context("reading the evidence")?;
    Ok(evidence)
}

/// Adds the records of one ledger entry to the evidence (entries of other kinds add nothing).
fn read_entry(
    ev: &mut Evidence,
    entry: evidentia_store::ScannedEntry<'_>,
) -> Result<(), StoreError> {
    let seq = entry.seq;
    // Every row of a set is evidence of its own, cited by the set's entry and its
    // 1-based position in the set (workspaces written before execution sets hold
    // one `record.execution` entry each, row 0, read below).
    if entry.kind == RECONCILIATION_SET_KIND {
        for (row, record) in numbered_records(entry.kind, seq, entry.payload)? {
            ev.reconciliations.push(Stored::in_set(seq, row, record));
        }
        return Ok(());
    }
    if entry.kind == EXECUTION_SET_KIND {
        for (row, record) in numbered_records(entry.kind, seq, entry.payload)? {
            ev.executions.push(Stored::in_set(seq, row, record));
        }
        return Ok(());
    }
    let record = match entry.kind {
        "record.identity" => Record::Identity(parse(seq, entry.payload)?),
        "record.lifecycle_event" => Record::LifecycleEvent(parse(seq, entry.payload)?),
        "record.approval" => Record::Approval(parse(seq, entry.payload)?),
        "record.execution" => Record::Execution(parse(seq, entry.payload)?),
        "record.reconciliation" => Record::Reconciliation(parse(seq, entry.payload)?),
        "record.exception" => Record::Exception(parse(seq, entry.payload)?),
        "record.activity" => Record::Activity(parse(seq, entry.payload)?),
        "record.review_campaign" => Record::ReviewCampaign(parse(seq, entry.payload)?),
        "record.review_decision" => Record::ReviewDecision(parse(seq, entry.payload)?),
        "record.emergency_use" => Record::EmergencyUse(parse(seq, entry.payload)?),
        _ => return Ok(()),
    };
    match record {
        Record::Identity(r) => ev.identities.push(Stored::new(seq, r)),
        Record::LifecycleEvent(r) => ev.events.push(Stored::new(seq, r)),
        Record::Approval(r) => ev.approvals.push(Stored::new(seq, r)),
        Record::Execution(r) => ev.executions.push(Stored::new(seq, r)),
        Record::Reconciliation(r) => ev.reconciliations.push(Stored::new(seq, r)),
        Record::Exception(r) => ev.exceptions.push(Stored::new(seq, r)),
        Record::Activity(r) => ev.activity.push(Stored::new(seq, r)),
        Record::ReviewCampaign(r) => ev.campaigns.push(Stored::new(seq, r)),
        Record::ReviewDecision(r) => ev.decisions.push(Stored::new(seq, r)),
        Record::EmergencyUse(r) => ev.emergency_uses.push(Stored::new(seq, r)),
    }
    Ok(())
}

/// One analysis: what it judged, under which policy, from which ledger head.
#[derive(Debug, Clone)]
pub struct AnalysisRun {
    pub analysis: Analysis,
    pub policy: RecordedPolicy,
    /// The head the evidence was read at.
    pub head: Head,
    pub as_of: DateTime<Utc>,
    /// The `analysis.run` entry, when the run was recorded.
    pub recorded_at_seq: Option<u64>,
    /// Who the `analysis.run` entry says ran it, when the run was recorded.
    pub recorded_by: Option<String>,
    /// Names the policy uses that no import produced (see `names`), to show beside the run.
    pub warnings: Vec<String>,
    /// Every management response among the entries read (`1..=head.count`), oldest first, the
    /// latest per finding marked current: read in the same verified pass as the evidence.
    pub responses: Vec<crate::ResponseRecord>,
    /// Every identity the evidence knows, with its latest name and whether it is a person
    /// (identity records and lifecycle events): names next to ids, and the scope of views of
    /// non-human identities (the OWASP NHI Top 10), which leave people out.
    pub identities: BTreeMap<String, crate::KnownIdentity>,
}

impl AnalysisRun {
    /// Each finding's current management response, by finding id, as of this run's head.
    pub fn current_responses(&self) -> BTreeMap<String, crate::ResponseRecord> {
        crate::responses::current_of(&self.responses)
    }

    /// Whether a finding about `identity` belongs in a view of non-human identities: it is
    /// about an identity not known to be a person, or about no identity (an unowned account).
    pub fn is_non_human(&self, identity: Option<&str>) -> bool {
        identity.is_none_or(|i| !self.identities.get(i).is_some_and(|k| k.human))
    }
}

/// Runs every check as of `as_of` — by default the end of the policy's reporting period, else
/// `now` (exceptions age and credentials grow old relative to it). Nothing is written: the
/// views, `findings` and the other read-only commands judge this way.
pub async fn analyze_workspace(
    workspace: &Location,
    as_of: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> anyhow::Result<AnalysisRun> {
    Ok(
        analyze_in(workspace, None, as_of, now, Recording::No, |_, _| ())
            .await?
            .0,
    )
}

/// [`analyze_workspace`], then appends an `analysis.run` entry naming the head and policy it
/// used, the findings per check and who ran it (`user`, the configured acting user; `None`
/// resolves it as [`crate::acting_user`] says), and writes the Events table's projection.
pub async fn record_analysis(
    workspace: &Location,
    as_of: Option<DateTime<Utc>>,
    user: Option<&str>,
    now: DateTime<Utc>,
) -> anyhow::Result<AnalysisRun> {
    if let Some(name) = user {
        // A bad name is refused before the ledger is read, let alone written.
        crate::check_user_name(name)?;
    }
    Ok(
        analyze_in(workspace, None, as_of, now, Recording::As(user), |_, _| ())
            .await?
            .0,
    )
}

/// Whether an analysis is recorded, and the configured acting user when it is.
#[derive(Debug, Clone, Copy)]
enum Recording<'a> {
    No,
    As(Option<&'a str>),
}

/// A reporting period: both dates inclusive, whole UTC days.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl Period {
    /// The first instant after the period, the moment a report over it is judged at.
    pub fn end_instant(&self) -> Option<DateTime<Utc>> {
        Some(self.to.succ_opt()?.and_hms_opt(0, 0, 0)?.and_utc())
    }
}

/// Runs the checks over a chosen period instead of the policy's default one, without
/// recording the run: what reports, exports and packs are made from. Unset ends of `period`
/// fall back to the policy's; the run is judged as of the end of the period.
pub async fn analyze_period(
    workspace: &Location,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    now: DateTime<Utc>,
) -> anyhow::Result<AnalysisRun> {
    Ok(analyze_in(
        workspace,
        Some((from, to)),
        None,
        now,
        Recording::No,
        |_, _| (),
    )
    .await?
    .0)
}

/// [`analyze_period`], then `then` over the same indexed evidence and analysis on the
/// blocking thread (audit populations reuse the index instead of building it again).
/// With `at`, the evidence is read as the ledger stood at that many entries (a verified prefix
/// of it): what was analysed then, whatever was imported since.
pub(crate) async fn analyze_period_then<T: Send + 'static>(
    workspace: &Location,
    (from, to): (Option<NaiveDate>, Option<NaiveDate>),
    at: Option<u64>,
    now: DateTime<Utc>,
    then: impl FnOnce(&evidentia_rules::Context<'_>, &Analysis) -> T + Send + 'static,
) -> anyhow::Result<(AnalysisRun, T)> {
    analyze_in_at(
        workspace,
        Some((from, to)),
        None,
        at,
        now,
        Recording::No,
        then,
    )
    .await
}

async fn analyze_in<T: Send + 'static>(
    workspace: &Location,
    period: Option<(Option<NaiveDate>, Option<NaiveDate>)>,
    as_of: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
    record: Recording<'_>,
    then: impl FnOnce(&evidentia_rules::Context<'_>, &Analysis) -> T + Send + 'static,
) -> anyhow::Result<(AnalysisRun, T)> {
    analyze_in_at(workspace, period, as_of, None, now, record, then).await
}

async fn analyze_in_at<T: Send + 'static>(
    workspace: &Location,
    period: Option<(Option<NaiveDate>, Option<NaiveDate>)>,
    as_of: Option<DateTime<Utc>>,
    at: Option<u64>,
    now: DateTime<Utc>,
    record: Recording<'_>,
    then: impl FnOnce(&evidentia_rules::Context<'_>, &Analysis) -> T + Send + 'static,
) -> anyhow::Result<(AnalysisRun, T)> {
    let ws = match record {
        Recording::As(_) => open_write(workspace).await?,
        Recording::No => open_read(workspace).await?,
    };
    let result = async {
        // Only what verification covers is read: the chain and checkpoints are checked first
        // and an altered ledger is refused (exit 3); then entries 1..=verified count only.
        let verified = crate::trust::verified(&ws).await?;
        let head = match at {
            None => Head { count: verified.entries, hash: verified.head },
            Some(n) if n == 0 || n > verified.entries => {
                return Err(anyhow!(
                    "the ledger has {} entries: there is no head at entry {n}",
                    verified.entries
                ));
            }
            Some(n) => {
                let hashes = ws.entry_hashes(n).await?;
                let hash = *hashes.last().ok_or_else(|| anyhow!("no entry {n}"))?;
                Head { count: n, hash }
            }
        };
        let mut policy = load_current(&ws, head.count).await?.ok_or_else(|| {
            anyhow!("no policy set: the checks judge evidence against the policy (`evidentia policy set FILE`)")
        })?;
        if let Some((from, to)) = period {
            let org = &mut policy.policy.organisation;
            if from.is_some() {
                org.period_start = from;
            }
            if to.is_some() {
                org.period_end = to;
            }
            if let (Some(start), Some(end)) = (org.period_start, org.period_end)
                && start > end
            {
                return Err(anyhow!("the period starts ({start}) after it ends ({end})"));
            }
        }
        let as_of = as_of.unwrap_or_else(|| period_end(&policy).unwrap_or(now));
        let evidence = load_evidence(&ws, head.count).await?;
        let responses = crate::responses::load_responses(&ws, head.count).await?;
        let identities = crate::identity_names::known_identities(&evidence);
        let warnings =
            crate::names::name_warnings(&policy.policy, &policy.text, &policy.source, &evidence);
        let policy_for_rules = policy.policy.clone();
        let (analysis, after) = tokio::task::spawn_blocking(move || {
            let ctx = evidentia_rules::Context::new(&evidence, &policy_for_rules, as_of);
            let analysis = evidentia_rules::analyze_in(&ctx);
            let after = then(&ctx, &analysis);
            (analysis, after)
        })
            .await
            .map_err(|e| anyhow!("analysis stopped: {e}"))?;
        let mut recorded_at_seq = None;
        let mut recorded_by = None;
        if let Recording::As(user) = record {
            let by = crate::acting_user(&ws, user)?;
            let mut by_check: BTreeMap<&str, u64> = BTreeMap::new();
            for f in &analysis.findings {
                *by_check.entry(f.check).or_default() += 1;
            }
            let payload = canonical_json(&serde_json::json!({
                "as_of": format_recorded_at(as_of),
                "evidence_head": {"entries": head.count, "hash": head.hash.to_hex()},
                "policy_entry": policy.seq,
                "findings": analysis.findings.len(),
                "findings_by_check": by_check,
                "exceptions": analysis.exceptions.len(),
                "recorded_by": by,
            }))?;
            let mut batch = ws.begin().await?;
            let seq = batch.append(EntryKind::AnalysisRun.as_str(), &format_recorded_at(now), payload).await?;
            batch.commit().await?;
            recorded_at_seq = Some(seq);
            recorded_by = Some(by);
            // The Events table pages this run's chains from SQLite (a cache, not evidence).
            crate::events::write_event_chains(&ws, seq, &analysis.chains)
                .await
                .context("writing the event chains for the Events table")?;
        }
        Ok::<_, anyhow::Error>((
            AnalysisRun {
                analysis,
                policy,
                head,
                as_of,
                recorded_at_seq,
                recorded_by,
                warnings,
                responses,
                identities,
            },
            after,
        ))
    }
    .await;
    ws.close().await;
    result
}

/// The first instant after the policy's reporting period (its end date is inclusive).
fn period_end(policy: &RecordedPolicy) -> Option<DateTime<Utc>> {
    let end = policy.policy.organisation.period_end?;
    Period { from: end, to: end }.end_instant()
}

/// Warnings about the policy in force against the evidence imported so far: names of
/// entitlements no import produced, with the nearest names seen.
pub async fn policy_warnings(workspace: &Location) -> anyhow::Result<Vec<String>> {
    let ws = open_read(workspace).await?;
    let result = async {
        let verified = crate::trust::verified(&ws).await?;
        let Some(policy) = load_current(&ws, verified.entries).await? else {
            return Ok(Vec::new());
        };
        let evidence = load_evidence(&ws, verified.entries).await?;
        Ok::<_, anyhow::Error>(crate::names::name_warnings(
            &policy.policy,
            &policy.text,
            &policy.source,
            &evidence,
        ))
    }
    .await;
    ws.close().await;
    result
}

/// The latest recorded `analysis.run` within the verified ledger, and the chains of that run
/// judged again exactly as recorded (the same evidence head, policy and as-of), when `cached`
/// is not already that run. A team workspace's Events projection is each client's own cache
/// (the server holds evidence only), so a client that did not record the run rebuilds it here;
/// nothing is written to the workspace, so a read-only role can do it.
pub(crate) async fn chains_of_latest_run(
    workspace: &Location,
    cached: Option<u64>,
    now: DateTime<Utc>,
) -> anyhow::Result<Option<(u64, Vec<evidentia_rules::EventChain>)>> {
    #[derive(Deserialize)]
    struct EvidenceHead {
        entries: u64,
    }
    #[derive(Deserialize)]
    struct RecordedRun {
        as_of: String,
        evidence_head: EvidenceHead,
    }
    let ws = open_read(workspace).await?;
    let latest = async {
        let verified = crate::trust::verified(&ws).await?;
        let kind = EntryKind::AnalysisRun.as_str();
        let latest = ws
            .scan_kinds(&[kind], verified.entries, None, |last, entry| {
                *last = Some((entry.seq, entry.payload.to_vec()));
                Ok(())
            })
            .await?;
        Ok::<_, anyhow::Error>(latest)
    }
    .await;
    ws.close().await;
    let Some((run_seq, payload)) = latest? else {
        return Ok(None);
    };
    if cached == Some(run_seq) {
        return Ok(None);
    }
    let run: RecordedRun = serde_json::from_slice(&payload).map_err(|e| {
        StoreError::Corrupt(format!("entry {run_seq}: unreadable analysis.run: {e}"))
    })?;
    let as_of = evidentia_ledger::parse_recorded_at(&run.as_of).ok_or_else(|| {
        StoreError::Corrupt(format!(
            "entry {run_seq}: analysis.run as_of {:?} is not a time",
            run.as_of
        ))
    })?;
    let (_, chains) = analyze_in_at(
        workspace,
        None,
        Some(as_of),
        Some(run.evidence_head.entries),
        now,
        Recording::No,
        |_, analysis| analysis.chains.clone(),
    )
    .await?;
    Ok(Some((run_seq, chains)))
}
