//! Importing files: one transaction per file holding its raw bytes and every record read
//! from it, so a file is either entirely in the ledger or not at all.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

use anyhow::{Context, anyhow};
use chrono::{DateTime, Utc};
use evidentia_domain::{CampaignId, Record, RecordKind, ReviewCampaign, SystemId};
use evidentia_import::{
    ActivityCapture, Diagnostic, Format, ImportContext, InputKind, Origin, Profile, Progress,
    RecordSink, SinkError, Zone, detect_format,
};
use evidentia_ledger::{Hash, canonical_json, format_recorded_at};
use evidentia_store::{AppendBatch, EvidenceStore, Workspace};
use sha2::{Digest, Sha256};
use tokio::runtime::Handle;

use crate::Location;
use crate::entries::{
    EXECUTION_SET_KIND, EXECUTION_SET_ROWS, RECONCILIATION_SET_KIND, RECONCILIATION_SET_ROWS,
};
use crate::{AppError, EntryKind, open_write, record_entry_kind};

/// How to read the files of one import.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// The kind of input a generic CSV/JSON file holds (checked against the profile's).
    pub kind: Option<InputKind>,
    /// The format; `None` detects it from the content.
    pub format: Option<Format>,
    /// A built-in profile name or a path to a profile TOML file (generic CSV/JSON).
    pub profile: Option<String>,
    /// Attribute executions to this system instead of the format's default.
    pub system: Option<String>,
    /// Import the good rows and record the bad ones, instead of rejecting the file.
    pub skip_invalid: bool,
    /// Which sign-ins and API calls are kept as activity evidence.
    pub activity: ActivityCapture,
    /// The moment an inventory that states none was taken.
    pub as_of: Option<DateTime<Utc>>,
    /// What a listing is of when the file does not say (a group, an organization, a host).
    pub scope: Option<String>,
    /// The year of year-less syslog timestamps.
    pub year: Option<i32>,
    /// The zone of syslog timestamps that carry none (`UTC`, `+02:00`, `Europe/Berlin`).
    pub timezone: Option<Zone>,
}

/// Reads a snapshot moment as a user writes it: RFC 3339 (`2025-12-31T23:00:00Z`), or a date
/// (`2025-12-31`) meaning 00:00 UTC that day.
pub fn parse_moment(text: &str) -> Result<DateTime<Utc>, String> {
    if let Ok(t) = DateTime::parse_from_rfc3339(text.trim()) {
        return Ok(t.with_timezone(&Utc));
    }
    chrono::NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc())
        .ok_or_else(|| {
            format!(
                "\"{text}\" is not a time: use RFC 3339 (2025-12-31T23:00:00Z) or a date (2025-12-31)"
            )
        })
}

/// What happened to one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileOutcome {
    /// The file's records are in the ledger.
    Imported {
        format: Format,
        artifact: Hash,
        records: BTreeMap<RecordKind, u64>,
        skipped: BTreeMap<String, u64>,
        rows: u64,
        /// Bad rows left out under `--skip-invalid` (also recorded in the ledger).
        invalid: Vec<Diagnostic>,
        /// Events read but too incomplete to be evidence (no target, no time): no record,
        /// no rejection, recorded in the ledger's import entry.
        warnings: Vec<Diagnostic>,
        /// The ledger entries this import appended.
        entries: std::ops::Range<u64>,
    },
    /// The same bytes were imported before; nothing was added.
    AlreadyImported { artifact: Hash },
}

/// One file's import result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportReport {
    pub file: PathBuf,
    pub outcome: FileOutcome,
}

/// How many bytes of a file format detection looks at.
const DETECT_HEAD: usize = 64 * 1024;
/// How many bad rows an error message lists before summarising the rest.
const LISTED_DIAGNOSTICS: usize = 20;
/// How many bad rows (`--skip-invalid`) or incomplete events the ledger records one by one.
const RECORDED_DIAGNOSTICS: usize = 10_000;

/// A file that could not be imported: nothing of it is in the ledger.
#[derive(Debug)]
pub struct ImportRejection {
    pub file: PathBuf,
    /// Why, exactly as a single-file import fails with it (an [`AppError::InvalidInput`]
    /// naming the file and the bad rows' lines, or a context chain naming the file).
    pub error: anyhow::Error,
}

/// Imports files one after another, each in its own transaction. Stops at the first file
/// that cannot be imported; files before it stay imported, nothing of it is kept. Each
/// `import.file` entry records who imported it: `user` (the configured acting user), else as
/// [`crate::acting_user`] resolves it.
pub async fn import_files(
    workspace: &Location,
    files: &[PathBuf],
    options: &ImportOptions,
    user: Option<&str>,
    now: DateTime<Utc>,
    progress: impl FnMut(&Path, Progress) + Send + 'static,
) -> anyhow::Result<Vec<ImportReport>> {
    import_all(workspace, files, options, user, now, progress, true)
        .await?
        .into_iter()
        .map(|r| r.map_err(|rejection| rejection.error))
        .collect()
}

/// Imports files one after another, each in its own transaction, trying every file: a file
/// that cannot be imported (unreadable, unknown format, bad rows, ...) is rejected on its own
/// and the next one is tried. One result per file, in order. `Err` only when the workspace
/// itself fails (it cannot be opened or written); files imported before that stay imported.
/// Who imported is recorded as for [`import_files`].
pub async fn import_each(
    workspace: &Location,
    files: &[PathBuf],
    options: &ImportOptions,
    user: Option<&str>,
    now: DateTime<Utc>,
    progress: impl FnMut(&Path, Progress) + Send + 'static,
) -> anyhow::Result<Vec<Result<ImportReport, ImportRejection>>> {
    import_all(workspace, files, options, user, now, progress, false).await
}

async fn import_all(
    workspace: &Location,
    files: &[PathBuf],
    options: &ImportOptions,
    user: Option<&str>,
    now: DateTime<Utc>,
    progress: impl FnMut(&Path, Progress) + Send + 'static,
    stop_at_rejection: bool,
) -> anyhow::Result<Vec<Result<ImportReport, ImportRejection>>> {
    if let Some(name) = user {
        // A bad name is refused before the workspace is opened.
        crate::check_user_name(name)?;
    }
    let ws = open_write(workspace).await?;
    let recorded_by = match crate::acting_user(&ws, user) {
        Ok(by) => by,
        Err(e) => {
            ws.close().await;
            return Err(e);
        }
    };
    let recorded_at = format_recorded_at(now);
    let handle = Handle::current();
    let files = files.to_vec();
    let options = options.clone();
    let worker_ws = ws.clone();
    // Importers read synchronously; they run on a blocking thread and reach the async store
    // through the runtime handle.
    let result = tokio::task::spawn_blocking(move || {
        let mut progress = progress;
        let mut results = Vec::new();
        let mut cache = RunCache::default();
        for file in &files {
            let outcome = import_one(
                &handle,
                &worker_ws,
                file,
                &options,
                Stamp {
                    at: &recorded_at,
                    by: &recorded_by,
                },
                &mut cache,
                &mut |p| progress(file, p),
            )?;
            match outcome {
                Ok(outcome) => results.push(Ok(ImportReport {
                    file: file.clone(),
                    outcome,
                })),
                Err(error) => {
                    results.push(Err(ImportRejection {
                        file: file.clone(),
                        error,
                    }));
                    if stop_at_rejection {
                        break;
                    }
                }
            }
        }
        Ok::<_, anyhow::Error>(results)
    })
    .await
    .map_err(|e| anyhow!("import stopped: {e}"))?;
    ws.close().await;
    result
}

/// What an import run reads from the ledger at most once, and only when a file needs it.
#[derive(Default)]
struct RunCache {
    /// The policy's reporting period, for a year-less syslog (`None`: not read yet).
    period: Option<Option<(chrono::NaiveDate, chrono::NaiveDate)>>,
    /// The access-review campaigns the ledger holds (the latest record of each), for a file
    /// of reviews (`None`: not read yet); kept up to date with the campaigns each file of the
    /// run adds.
    campaigns: Option<BTreeMap<CampaignId, ReviewCampaign>>,
}

/// When an import run's entries are recorded and who is recorded as importing.
#[derive(Debug, Clone, Copy)]
struct Stamp<'a> {
    at: &'a str,
    by: &'a str,
}

/// Imports one file. The outer `Err` is the workspace failing (stop); the inner one is this
/// file being rejected (nothing of it kept; the next file can still be tried).
fn import_one(
    handle: &Handle,
    ws: &Workspace,
    path: &Path,
    options: &ImportOptions,
    stamp: Stamp<'_>,
    cache: &mut RunCache,
    progress: &mut dyn FnMut(Progress),
) -> anyhow::Result<anyhow::Result<FileOutcome>> {
    let recorded_at = stamp.at;
    let name = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let shown = path.display().to_string();
    // Everything that can reject the file before the transaction starts.
    let prepare = || -> anyhow::Result<_> {
        let (artifact, size, head) = hash_file(path).with_context(|| format!("reading {shown}"))?;

        let format = match options.format {
            Some(f) => f,
            // A mapping profile says how to read the file: it is generic CSV/JSON.
            None if options.profile.is_some() => Format::Csv,
            None => detect_format(&head, &name).ok_or_else(|| {
                anyhow!("{shown}: cannot tell what format this file is in (not a known log format or delimited text); name it with --format")
            })?,
        };
        let profile = match (&options.profile, format) {
            (Some(p), _) => Some(Profile::load(p).with_context(|| format!("loading profile {p}"))?),
            (None, Format::Csv) => {
                let hint = options
                    .kind
                    .map_or(String::new(), |k| format!(" for {}", k.as_str()));
                return Err(anyhow!(
                    "{shown}: a generic CSV/JSON file needs a mapping profile{hint} (--profile NAME|PATH; built-in: {})",
                    Profile::builtin_names().join(", ")
                ));
            }
            (None, _) => None,
        };
        if let (Some(kind), Some(profile)) = (options.kind, &profile) {
            if profile.kind != kind {
                return Err(anyhow!(
                    "{shown}: --kind {} does not match profile {} (which reads {})",
                    kind.as_str(),
                    profile.name,
                    profile.kind.as_str()
                ));
            }
        }
        Ok((artifact, size, format, profile))
    };
    let (artifact, size, format, profile) = match prepare() {
        Ok(prepared) => prepared,
        Err(rejection) => return Ok(Err(rejection)),
    };
    // A year-less syslog takes its year from the policy's period when nothing else gives it;
    // the period is read (verifying the ledger) before the write transaction, once a run.
    let period = if format == Format::Linux && options.year.is_none() {
        match cache.period {
            Some(known) => known,
            None => *cache.period.insert(policy_period(handle, ws)?),
        }
    } else {
        None
    };
    // A decisions file may name campaigns imported before it: they are read (verifying the
    // ledger) before the write transaction, once a run.
    let reviews = format == Format::TeleportReviews
        || profile.as_ref().is_some_and(|p| {
            matches!(
                p.kind,
                InputKind::ReviewCampaigns | InputKind::ReviewDecisions
            )
        });
    let known_campaigns = if reviews {
        match &cache.campaigns {
            Some(known) => known.clone(),
            None => cache
                .campaigns
                .insert(ledger_campaigns(handle, ws)?)
                .clone(),
        }
    } else {
        BTreeMap::new()
    };

    let mut batch = handle
        .block_on(ws.begin())
        .context("starting the import transaction")?;
    // Checked inside the write transaction, so two processes importing the same file at once
    // serialize: the second finds the first one's artifact.
    if handle.block_on(batch.has_artifact(&artifact))? {
        handle.block_on(batch.rollback())?;
        return Ok(Ok(FileOutcome::AlreadyImported { artifact }));
    }
    let first_entry = batch.head().count + 1;
    store_artifact(handle, &mut batch, path, artifact, recorded_at)
        .with_context(|| format!("storing {shown}"))?;

    let ctx = ImportContext {
        file_name: shown.clone(),
        size: Some(size),
        system: options.system.as_deref().map(SystemId::new),
        profile: profile.clone(),
        activity: options.activity,
        as_of: options.as_of,
        file_time: modified_time(path),
        scope: options.scope.clone(),
        year: options.year,
        timezone: options.timezone,
        period,
        known_campaigns,
    };
    let mut reader = BufReader::with_capacity(
        1 << 16,
        File::open(path).with_context(|| format!("opening {shown}"))?,
    );
    let mut sink = LedgerSink {
        handle,
        batch: &mut batch,
        artifact: artifact.to_hex(),
        recorded_at,
        set: format
            .is_inventory()
            .then(|| Vec::with_capacity(RECONCILIATION_SET_ROWS)),
        executions: Vec::new(),
        campaigns: Vec::new(),
    };
    let imported = evidentia_import::import(format, &mut reader, &ctx, &mut sink, progress)
        .map_err(anyhow::Error::from)
        .and_then(|summary| {
            sink.flush_sets()?;
            Ok(summary)
        });
    let added_campaigns = std::mem::take(&mut sink.campaigns);
    let summary = match imported {
        Ok(summary) => summary,
        Err(e) => {
            handle.block_on(batch.rollback())?;
            return Ok(Err(e));
        }
    };
    if !summary.diagnostics.is_empty() && !options.skip_invalid {
        handle.block_on(batch.rollback())?;
        return Ok(Err(AppError::InvalidInput(rejection_message(
            &shown,
            &summary.diagnostics,
        ))
        .into()));
    }
    let invalid: Vec<_> = summary.diagnostics.clone();
    let mut payload = serde_json::json!({
        "artifact": artifact.to_hex(),
        "file_name": name,
        "size": size,
        "format": format.as_str(),
        "profile": profile.as_ref().map(|p| p.name.clone()),
        "system": options.system,
        "rows": summary.rows,
        "records": summary.records.iter().map(|(k, n)| (k.as_str(), *n)).collect::<BTreeMap<_, _>>(),
        "skipped": summary.skipped,
        "invalid_rows": summary.diagnostics.len(),
        "invalid": summary.diagnostics.iter().take(RECORDED_DIAGNOSTICS).map(|d| serde_json::json!({
            "location": d.location.to_string(),
            "reason": d.reason,
        })).collect::<Vec<_>>(),
        "warnings": summary.warnings.len(),
        "incomplete": summary.warnings.iter().take(RECORDED_DIAGNOSTICS).map(|d| serde_json::json!({
            "location": d.location.to_string(),
            "reason": d.reason,
        })).collect::<Vec<_>>(),
        "recorded_by": stamp.by,
    });
    // What the user said about the file, recorded only when said (older entries lack them).
    let given = [
        (
            "as_of",
            options
                .as_of
                .map(|t| serde_json::json!(format_recorded_at(t))),
        ),
        (
            "scope",
            options.scope.as_ref().map(|s| serde_json::json!(s)),
        ),
        ("year", options.year.map(|y| serde_json::json!(y))),
        (
            "timezone",
            options.timezone.map(|z| serde_json::json!(z.to_string())),
        ),
    ];
    if let Some(object) = payload.as_object_mut() {
        for (key, value) in given {
            if let Some(value) = value {
                object.insert(key.to_owned(), value);
            }
        }
    }
    let payload = canonical_json(&payload)?;
    handle.block_on(batch.append(EntryKind::ImportFile.as_str(), recorded_at, payload))?;
    let head = handle
        .block_on(batch.commit())
        .context("committing the import")?;
    // The next file of the run may decide on the campaigns this one added.
    if let Some(known) = cache.campaigns.as_mut() {
        for campaign in added_campaigns {
            known.insert(campaign.id.clone(), campaign);
        }
    }
    Ok(Ok(FileOutcome::Imported {
        format,
        artifact,
        records: summary.records,
        skipped: summary.skipped,
        rows: summary.rows,
        invalid,
        warnings: summary.warnings,
        entries: first_entry..head.count + 1,
    }))
}

/// The policy's reporting period, when one is set and has both ends.
fn policy_period(
    handle: &Handle,
    ws: &Workspace,
) -> anyhow::Result<Option<(chrono::NaiveDate, chrono::NaiveDate)>> {
    let verified = handle.block_on(crate::trust::verified(ws))?;
    let policy = handle.block_on(crate::policy::load_current(ws, verified.entries))?;
    Ok(policy.and_then(|p| {
        let org = &p.policy.organisation;
        Some((org.period_start?, org.period_end?))
    }))
}

/// The access-review campaigns among the verified entries: the latest record of each id.
fn ledger_campaigns(
    handle: &Handle,
    ws: &Workspace,
) -> anyhow::Result<BTreeMap<CampaignId, ReviewCampaign>> {
    #[derive(serde::Deserialize)]
    struct Payload {
        record: ReviewCampaign,
    }
    let verified = handle.block_on(crate::trust::verified(ws))?;
    let campaigns = handle
        .block_on(ws.scan_kinds(
            &[record_entry_kind(RecordKind::ReviewCampaign)],
            verified.entries,
            BTreeMap::new(),
            |known: &mut BTreeMap<CampaignId, ReviewCampaign>, entry| {
                let payload: Payload = serde_json::from_slice(entry.payload).map_err(|e| {
                    evidentia_store::StoreError::Corrupt(format!(
                        "entry {}: unreadable campaign: {e}",
                        entry.seq
                    ))
                })?;
                // Later records of a campaign correct earlier ones.
                known.insert(payload.record.id.clone(), payload.record);
                Ok(())
            },
        ))
        .context("reading the ledger's access-review campaigns")?;
    Ok(campaigns)
}

/// The file's modification time, an inventory's moment of last resort.
fn modified_time(path: &Path) -> Option<DateTime<Utc>> {
    let modified = std::fs::metadata(path).ok()?.modified().ok()?;
    // Whole seconds: the ledger's times are.
    let t = DateTime::<Utc>::from(modified);
    chrono::DateTime::from_timestamp(t.timestamp(), 0)
}

/// One pass over the file: its SHA-256, its size and its first bytes (for detection).
fn hash_file(path: &Path) -> std::io::Result<(Hash, u64, Vec<u8>)> {
    let mut file = File::open(path)?;
    if file.metadata()?.is_dir() {
        return Err(std::io::Error::other("it is a directory"));
    }
    let mut hasher = Sha256::new();
    let mut head = Vec::with_capacity(DETECT_HEAD);
    let mut buf = vec![0u8; 1 << 20];
    let mut size = 0u64;
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        let chunk = &buf[..n];
        if head.len() < DETECT_HEAD {
            let take = (DETECT_HEAD - head.len()).min(n);
            head.extend_from_slice(&chunk[..take]);
        }
        hasher.update(chunk);
        size += n as u64;
    }
    let mut digest = [0u8; 32];
    digest.copy_from_slice(hasher.finalize().as_slice());
    Ok((Hash(digest), size, head))
}

fn store_artifact(
    handle: &Handle,
    batch: &mut AppendBatch,
    path: &Path,
    artifact: Hash,
    recorded_at: &str,
) -> anyhow::Result<u64> {
    let mut file = File::open(path)?;
    let mut writer = batch.start_artifact(artifact);
    let mut buf = vec![0u8; evidentia_store::ARTIFACT_CHUNK_SIZE];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        handle.block_on(batch.write_artifact(&mut writer, &buf[..n]))?;
    }
    Ok(handle.block_on(batch.finish_artifact(writer, recorded_at))?)
}

fn rejection_message(file: &str, diagnostics: &[Diagnostic]) -> String {
    let mut message = format!(
        "{file}: {} invalid row{}; nothing was imported (use --skip-invalid to import the valid rows and record the rest)",
        diagnostics.len(),
        if diagnostics.len() == 1 { "" } else { "s" }
    );
    for d in diagnostics.iter().take(LISTED_DIAGNOSTICS) {
        message.push_str("\n  ");
        message.push_str(&d.to_string());
    }
    if diagnostics.len() > LISTED_DIAGNOSTICS {
        message.push_str(&format!(
            "\n  ... and {} more",
            diagnostics.len() - LISTED_DIAGNOSTICS
        ));
    }
    message
}

/// The payload of a `record.<kind>` entry: the record with the artifact and place it came
/// from. Keys are in alphabetical order and the domain structs declare their fields
/// alphabetically, so direct serialization is canonical JSON (tested below) without building
/// an intermediate tree — the difference between 17 s and far less for a million rows.
#[derive(serde::Serialize)]
struct RecordPayload<'a, T: serde::Serialize> {
    artifact: &'a str,
    location: &'a str,
    record: &'a T,
}

fn record_payload(artifact: &str, location: &str, record: &Record) -> serde_json::Result<Vec<u8>> {
    fn bytes<T: serde::Serialize>(
        artifact: &str,
        location: &str,
        record: &T,
    ) -> serde_json::Result<Vec<u8>> {
        serde_json::to_vec(&RecordPayload {
            artifact,
            location,
            record,
        })
    }
    match record {
        Record::Identity(r) => bytes(artifact, location, r),
        Record::LifecycleEvent(r) => bytes(artifact, location, r),
        Record::Approval(r) => bytes(artifact, location, r),
        Record::Execution(r) => bytes(artifact, location, r),
        Record::Reconciliation(r) => bytes(artifact, location, r),
        Record::Exception(r) => bytes(artifact, location, r),
        Record::Activity(r) => bytes(artifact, location, r),
        Record::ReviewCampaign(r) => bytes(artifact, location, r),
        Record::ReviewDecision(r) => bytes(artifact, location, r),
    }
}

/// Appends each record, with where it came from, into the open import transaction.
struct LedgerSink<'a> {
    handle: &'a Handle,
    batch: &'a mut AppendBatch,
    artifact: String,
    recorded_at: &'a str,
    /// An inventory's rows, gathered into `record.reconciliation_set` entries (`None`: every
    /// reconciliation record its own entry, as logs and profiles write them).
    set: Option<Vec<SetRow<evidentia_domain::ReconciliationRecord>>>,
    /// Executions, from any format, gathered into `record.execution_set` entries: a
    /// provisioning log is mostly executions, and one entry per row is what made a million-row
    /// log 5–6× slower than `\copy` (docs/team-workspace-design.md §6).
    executions: Vec<SetRow<evidentia_domain::Execution>>,
    /// The access-review campaigns appended, for the next files of the run.
    campaigns: Vec<ReviewCampaign>,
}

/// One row of a set entry's payload (fields in alphabetical order: canonical).
#[derive(serde::Serialize)]
struct SetRow<T> {
    location: String,
    record: T,
}

/// A `record.reconciliation_set` or `record.execution_set` payload (fields in alphabetical
/// order: canonical).
#[derive(serde::Serialize)]
struct SetPayload<'a, T> {
    artifact: &'a str,
    rows: &'a [SetRow<T>],
}

/// Appends `rows` as one `kind` entry and empties them (nothing when there are none).
fn flush_rows<T: serde::Serialize>(
    handle: &Handle,
    batch: &mut AppendBatch,
    artifact: &str,
    recorded_at: &str,
    kind: &str,
    rows: &mut Vec<SetRow<T>>,
) -> Result<(), SinkError> {
    if rows.is_empty() {
        return Ok(());
    }
    let payload =
        serde_json::to_vec(&SetPayload { artifact, rows }).map_err(|e| SinkError(e.to_string()))?;
    rows.clear();
    handle
        .block_on(batch.append(kind, recorded_at, payload))
        .map(|_| ())
        .map_err(|e| SinkError(e.to_string()))
}

impl LedgerSink<'_> {
    /// Appends the gathered inventory rows as one entry.
    fn flush_reconciliations(&mut self) -> Result<(), SinkError> {
        match self.set.as_mut() {
            Some(rows) => flush_rows(
                self.handle,
                self.batch,
                &self.artifact,
                self.recorded_at,
                RECONCILIATION_SET_KIND,
                rows,
            ),
            None => Ok(()),
        }
    }

    /// Appends the gathered executions as one entry.
    fn flush_executions(&mut self) -> Result<(), SinkError> {
        flush_rows(
            self.handle,
            self.batch,
            &self.artifact,
            self.recorded_at,
            EXECUTION_SET_KIND,
            &mut self.executions,
        )
    }

    /// Appends whichever set is open (at most one is: each flushes the other before it
    /// gathers), so ledger order stays read order.
    fn flush_sets(&mut self) -> Result<(), SinkError> {
        self.flush_reconciliations()?;
        self.flush_executions()
    }
}

impl RecordSink for LedgerSink<'_> {
    fn accept(&mut self, record: Record, origin: Origin) -> Result<(), SinkError> {
        let record = match (record, self.set.is_some()) {
            (Record::Reconciliation(row), true) => {
                self.flush_executions()?;
                let location = origin.location.to_string();
                let full = self.set.as_mut().is_some_and(|rows| {
                    rows.push(SetRow {
                        location,
                        record: row,
                    });
                    rows.len() >= RECONCILIATION_SET_ROWS
                });
                if full {
                    self.flush_reconciliations()?;
                }
                return Ok(());
            }
            (Record::Execution(execution), _) => {
                self.flush_reconciliations()?;
                self.executions.push(SetRow {
                    location: origin.location.to_string(),
                    record: execution,
                });
                if self.executions.len() >= EXECUTION_SET_ROWS {
                    self.flush_executions()?;
                }
                return Ok(());
            }
            (record, _) => record,
        };
        // Ledger order is read order: rows gathered so far go before any other record.
        self.flush_sets()?;
        if let Record::ReviewCampaign(campaign) = &record {
            self.campaigns.push(campaign.clone());
        }
        let kind = record_entry_kind(record.kind());
        let location = origin.location.to_string();
        let payload = record_payload(&self.artifact, &location, &record)
            .map_err(|e| SinkError(e.to_string()))?;
        self.handle
            .block_on(self.batch.append(kind, self.recorded_at, payload))
            .map(|_| ())
            .map_err(|e| SinkError(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use evidentia_domain::{Execution, Outcome, ProvisioningAction};

    /// Bytes serialized straight from a struct equal the canonical JSON of the same value.
    fn assert_canonical(direct: &[u8], expected: &serde_json::Value) {
        let sorted = canonical_json(expected).expect("serializes");
        assert_eq!(
            String::from_utf8_lossy(direct),
            String::from_utf8_lossy(&sorted)
        );
    }

    /// A vendor inventory's row carries its coverage, nested: still canonical when serialized
    /// straight from the struct.
    #[test]
    fn a_reconciliation_payload_with_coverage_is_canonical_json() {
        let at = Utc
            .with_ymd_and_hms(2025, 6, 30, 0, 0, 0)
            .single()
            .expect("time");
        let inner = evidentia_domain::ReconciliationRecord {
            account: "alice".into(),
            as_of: at,
            coverage: Some(evidentia_domain::Coverage::holders_of("Admins")),
            credential: true,
            entitlement: Some("access-key-1".into()),
            identity: None,
            last_used_at: Some(at),
            status: evidentia_domain::ReconciliationStatus::ExpectedPresent,
            system: SystemId::new("aws"),
        };
        let direct = record_payload("abc", "line 2", &Record::Reconciliation(inner.clone()))
            .expect("serializes");
        assert_canonical(
            &direct,
            &serde_json::json!({"artifact": "abc", "location": "line 2", "record": inner}),
        );
    }

    /// An inventory's set of rows serializes straight to canonical JSON too.
    #[test]
    fn a_reconciliation_set_payload_is_canonical_json() {
        let at = Utc
            .with_ymd_and_hms(2025, 6, 30, 0, 0, 0)
            .single()
            .expect("time");
        let record = evidentia_domain::ReconciliationRecord {
            account: "alice".into(),
            as_of: at,
            coverage: Some(evidentia_domain::Coverage::accounts()),
            credential: false,
            entitlement: None,
            identity: None,
            last_used_at: None,
            status: evidentia_domain::ReconciliationStatus::Disabled,
            system: SystemId::new("okta"),
        };
        let rows = [SetRow {
            location: "/3".into(),
            record: record.clone(),
        }];
        let direct = serde_json::to_vec(&SetPayload {
            artifact: "abc",
            rows: &rows,
        })
        .expect("serializes");
        assert_canonical(
            &direct,
            &serde_json::json!({
                "artifact": "abc",
                "rows": [{"location": "/3", "record": record}],
            }),
        );
    }

    /// A provisioning log's set of executions serializes straight to canonical JSON too.
    #[test]
    fn an_execution_set_payload_is_canonical_json() {
        let at = Utc
            .with_ymd_and_hms(2025, 1, 2, 3, 4, 5)
            .single()
            .expect("time");
        let execution = |account: &str, failure: Option<&str>| Execution {
            system: SystemId::new("okta"),
            account: account.into(),
            action: ProvisioningAction::Grant,
            entitlement: Some("Admins".into()),
            actor: Some("admin@example.com".into()),
            at,
            outcome: if failure.is_some() {
                Outcome::Failed
            } else {
                Outcome::Succeeded
            },
            failure_reason: failure.map(str::to_owned),
            request_ref: None,
            source_event_id: Some("e1".into()),
            source_event_type: Some("group.user_membership.add".into()),
        };
        let rows = [
            SetRow {
                location: "line 1".into(),
                record: execution("alice", None),
            },
            SetRow {
                location: "line 2".into(),
                record: execution("bob", Some("denied")),
            },
        ];
        let direct = serde_json::to_vec(&SetPayload {
            artifact: "abc",
            rows: &rows,
        })
        .expect("serializes");
        assert_canonical(
            &direct,
            &serde_json::json!({
                "artifact": "abc",
                "rows": [
                    {"location": "line 1", "record": execution("alice", None)},
                    {"location": "line 2", "record": execution("bob", Some("denied"))},
                ],
            }),
        );
        // And reads back as the same executions, in order.
        let read: Vec<Execution> = crate::entries::numbered_records(EXECUTION_SET_KIND, 7, &direct)
            .expect("reads")
            .into_iter()
            .map(|(_, e)| e)
            .collect();
        assert_eq!(
            read,
            vec![execution("alice", None), execution("bob", Some("denied"))]
        );
    }

    #[test]
    fn record_payload_is_canonical_json() {
        let at = Utc
            .with_ymd_and_hms(2025, 1, 2, 3, 4, 5)
            .single()
            .expect("time");
        let record = Record::Execution(Execution {
            system: SystemId::new("aws"),
            account: "alice".into(),
            action: ProvisioningAction::Grant,
            entitlement: Some("Admins".into()),
            actor: None,
            at,
            outcome: Outcome::Succeeded,
            failure_reason: None,
            request_ref: Some("RITM1".into()),
            source_event_id: Some("e1".into()),
            source_event_type: Some("AddUserToGroup".into()),
        });
        let direct = record_payload("abc", "line 2", &record).expect("serializes");
        let Record::Execution(inner) = &record else {
            unreachable!()
        };
        assert_canonical(
            &direct,
            &serde_json::json!({"artifact": "abc", "location": "line 2", "record": inner}),
        );
    }
}
