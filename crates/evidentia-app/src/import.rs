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
    let (jobs, queue) = std::sync::mpsc::sync_channel(WRITER_QUEUE);
    let (give_back, written) = std::sync::mpsc::sync_channel(WRITER_QUEUE);
    let mut sink = LedgerSink {
        jobs,
        written,
        pending: Vec::with_capacity(JOBS_PER_MESSAGE),
        set: format
            .is_inventory()
            .then(|| Vec::with_capacity(RECONCILIATION_SET_ROWS)),
        executions: Vec::with_capacity(EXECUTION_SET_ROWS),
        campaigns: Vec::new(),
    };
    let artifact_hex = artifact.to_hex();
    // The parser reads on this thread while a scoped writer appends into the transaction.
    let (imported, written, added_campaigns) = std::thread::scope(|scope| {
        let writer = scope.spawn(|| {
            run_appender(
                handle,
                &mut batch,
                &artifact_hex,
                recorded_at,
                queue,
                give_back,
            )
        });
        let imported = evidentia_import::import(format, &mut reader, &ctx, &mut sink, progress)
            .map_err(anyhow::Error::from);
        let added_campaigns = std::mem::take(&mut sink.campaigns);
        // Finishing (or dropping) the sink hangs up, which is what ends the writer's loop.
        let imported = match imported {
            Ok(summary) => sink.finish().map(|()| summary).map_err(anyhow::Error::from),
            Err(e) => {
                drop(sink);
                Err(e)
            }
        };
        let written = writer
            .join()
            .unwrap_or_else(|_| Err(anyhow!("the ledger writer panicked")));
        (imported, written, added_campaigns)
    });
    // The writer's failure is the cause of any "writer stopped" the parser saw.
    let imported = written.and(imported);
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
        Record::EmergencyUse(r) => bytes(artifact, location, r),
    }
}

/// Work for the ledger writer, in read order: a record to append as its own entry, or a full
/// (or last) set of rows to append as one set entry.
enum AppendJob {
    /// Boxed: a record is some 400 bytes, a set a pointer.
    Record {
        location: String,
        record: Box<Record>,
    },
    Reconciliations(Vec<SetRow<evidentia_domain::ReconciliationRecord>>),
    Executions(Vec<SetRow<evidentia_domain::Execution>>),
}

/// Records handed to the ledger writer at once: one channel message per this many keeps the
/// hand-over cheap next to a record's parsing.
const JOBS_PER_MESSAGE: usize = 64;

/// Messages that may wait for the ledger writer: enough to keep it busy while the parser
/// reads on, few enough that memory stays flat (at most 4 × 1,024 rows in sets).
const WRITER_QUEUE: usize = 4;

/// Gathers each record, with where it came from, into jobs for the ledger writer: the parser
/// thread reads and maps while the writer serializes, hashes and appends, so a large file
/// keeps both cores busy (docs/team-workspace-design.md §6).
struct LedgerSink {
    jobs: std::sync::mpsc::SyncSender<Vec<AppendJob>>,
    /// Sets the writer has appended, handed back: their records are dropped here, on the
    /// thread that allocated them (a free from another thread costs glibc's allocator a lock
    /// and most of a core on a million rows), and their room is reused.
    written: std::sync::mpsc::Receiver<Vec<SetRow<evidentia_domain::Execution>>>,
    pending: Vec<AppendJob>,
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

/// What the parser sees when the ledger writer has stopped; the writer's own error is the one
/// reported.
const WRITER_STOPPED: &str = "the ledger writer stopped";

impl LedgerSink {
    /// Hands the jobs gathered so far to the writer.
    fn send(&mut self) -> Result<(), SinkError> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let jobs = std::mem::replace(&mut self.pending, Vec::with_capacity(JOBS_PER_MESSAGE));
        self.jobs
            .send(jobs)
            .map_err(|_| SinkError(WRITER_STOPPED.into()))
    }

    fn push(&mut self, job: AppendJob) -> Result<(), SinkError> {
        let set = !matches!(job, AppendJob::Record { .. });
        self.pending.push(job);
        if set || self.pending.len() >= JOBS_PER_MESSAGE {
            self.send()?;
        }
        Ok(())
    }

    /// Queues the gathered inventory rows as one entry.
    fn flush_reconciliations(&mut self) -> Result<(), SinkError> {
        match self.set.as_mut() {
            Some(rows) if !rows.is_empty() => {
                let rows = std::mem::replace(rows, Vec::with_capacity(RECONCILIATION_SET_ROWS));
                self.push(AppendJob::Reconciliations(rows))
            }
            _ => Ok(()),
        }
    }

    /// Queues the gathered executions as one entry.
    fn flush_executions(&mut self) -> Result<(), SinkError> {
        if self.executions.is_empty() {
            return Ok(());
        }
        let room = match self.written.try_recv() {
            Ok(mut appended) => {
                appended.clear();
                appended
            }
            Err(_) => Vec::with_capacity(EXECUTION_SET_ROWS),
        };
        let rows = std::mem::replace(&mut self.executions, room);
        self.push(AppendJob::Executions(rows))
    }

    /// Queues whichever set is open (at most one is: each flushes the other before it
    /// gathers), so ledger order stays read order.
    fn flush_sets(&mut self) -> Result<(), SinkError> {
        self.flush_reconciliations()?;
        self.flush_executions()
    }

    /// Queues everything gathered and tells the writer there is no more.
    fn finish(mut self) -> Result<(), SinkError> {
        self.flush_sets()?;
        self.send()
    }
}

impl RecordSink for LedgerSink {
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
        self.push(AppendJob::Record {
            location: origin.location.to_string(),
            record: Box::new(record),
        })
    }
}

/// A set entry's payload, written into `room` bytes reserved up front (then `room` grows to
/// the largest so far): grown by doubling from empty, each 300 KB payload of a log's set was
/// copied a dozen times on the way.
fn set_payload<T: serde::Serialize>(
    artifact: &str,
    rows: &[SetRow<T>],
    room: &mut usize,
) -> serde_json::Result<Vec<u8>> {
    let mut payload = Vec::with_capacity(*room);
    serde_json::to_writer(&mut payload, &SetPayload { artifact, rows })?;
    *room = (*room).max(payload.len() + payload.len() / 8);
    Ok(payload)
}

/// The ledger writer: serializes, hashes and appends each job into the open import
/// transaction, in the order received, until the parser hangs up. The first failure ends it
/// (the parser then sees its queue closed) and is returned.
fn run_appender(
    handle: &Handle,
    batch: &mut AppendBatch,
    artifact: &str,
    recorded_at: &str,
    jobs: std::sync::mpsc::Receiver<Vec<AppendJob>>,
    written: std::sync::mpsc::SyncSender<Vec<SetRow<evidentia_domain::Execution>>>,
) -> anyhow::Result<()> {
    // Room for the next set's payload, sized by the largest so far.
    let mut room = 0;
    for message in jobs {
        for job in message {
            let (kind, payload) = match job {
                AppendJob::Record { location, record } => (
                    record_entry_kind(record.kind()),
                    record_payload(artifact, &location, &record)?,
                ),
                AppendJob::Reconciliations(rows) => (
                    RECONCILIATION_SET_KIND,
                    set_payload(artifact, &rows, &mut room)?,
                ),
                AppendJob::Executions(rows) => {
                    let payload = set_payload(artifact, &rows, &mut room)?;
                    // Back to the parser when it has room for it; else dropped here.
                    let _ = written.try_send(rows);
                    (EXECUTION_SET_KIND, payload)
                }
            };
            handle.block_on(batch.append(kind, recorded_at, payload))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use evidentia_domain::{Execution, Outcome, ProvisioningAction, ReconciliationRecord};

    fn at() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2025, 6, 30, 1, 2, 3)
            .single()
            .expect("time")
    }

    /// An execution with every optional field set or not, as `full` says.
    fn execution(account: &str, full: bool) -> Execution {
        Execution {
            system: SystemId::new("okta"),
            account: account.into(),
            action: ProvisioningAction::Grant,
            entitlement: Some("Admins".into()),
            actor: full.then(|| "admin@example.com".into()),
            at: at(),
            outcome: if full {
                Outcome::Failed
            } else {
                Outcome::Succeeded
            },
            failure_reason: full.then(|| "denied".into()),
            request_ref: full.then(|| "RITM1".into()),
            source_event_id: Some("e1".into()),
            source_event_type: Some("group.user_membership.add".into()),
        }
    }

    /// An inventory row; a vendor's carries its coverage, nested.
    fn reconciliation(coverage: evidentia_domain::Coverage, full: bool) -> ReconciliationRecord {
        ReconciliationRecord {
            created_at: None,
            never_used: false,
            revoked_at: None,
            account: "alice".into(),
            as_of: at(),
            coverage: Some(std::sync::Arc::new(coverage)),
            credential: full,
            entitlement: full.then(|| "access-key-1".into()),
            identity: None,
            last_used_at: full.then(at),
            status: if full {
                evidentia_domain::ReconciliationStatus::ExpectedPresent
            } else {
                evidentia_domain::ReconciliationStatus::Disabled
            },
            system: SystemId::new("aws"),
        }
    }

    /// Bytes serialized straight from a struct equal the canonical JSON of the same value.
    fn assert_canonical(direct: &[u8], expected: &serde_json::Value) {
        let sorted = canonical_json(expected).expect("serializes");
        assert_eq!(
            String::from_utf8_lossy(direct),
            String::from_utf8_lossy(&sorted)
        );
    }

    /// A set payload as the ledger writer serializes it, checked against its canonical JSON.
    fn assert_canonical_set<T: serde::Serialize + Clone>(rows: &[(&str, T)]) -> Vec<u8> {
        let set: Vec<SetRow<T>> = rows
            .iter()
            .map(|(location, record)| SetRow {
                location: (*location).to_owned(),
                record: record.clone(),
            })
            .collect();
        let direct = serde_json::to_vec(&SetPayload {
            artifact: "abc",
            rows: &set,
        })
        .expect("serializes");
        let expected: Vec<_> = rows
            .iter()
            .map(|(location, record)| serde_json::json!({"location": location, "record": record}))
            .collect();
        assert_canonical(
            &direct,
            &serde_json::json!({"artifact": "abc", "rows": expected}),
        );
        direct
    }

    /// One record's payload, serialized straight from the struct, is canonical JSON; the
    /// nested coverage of a vendor inventory's row too.
    #[test]
    fn record_payloads_are_canonical_json() {
        let records = [
            Record::Execution(execution("alice", true)),
            Record::Reconciliation(reconciliation(
                evidentia_domain::Coverage::holders_of("Admins"),
                true,
            )),
        ];
        for record in &records {
            let direct = record_payload("abc", "line 2", record).expect("serializes");
            let inner = match record {
                Record::Execution(r) => serde_json::json!(r),
                Record::Reconciliation(r) => serde_json::json!(r),
                _ => unreachable!(),
            };
            assert_canonical(
                &direct,
                &serde_json::json!({"artifact": "abc", "location": "line 2", "record": inner}),
            );
        }
    }

    /// Sets of inventory rows and of executions serialize straight to canonical JSON too, and
    /// a set of executions reads back as the same executions, in order.
    #[test]
    fn set_payloads_are_canonical_json() {
        assert_canonical_set(&[(
            "/3",
            reconciliation(evidentia_domain::Coverage::accounts(), false),
        )]);
        let executions = [execution("alice", false), execution("bob", true)];
        let direct = assert_canonical_set(&[
            ("line 1", executions[0].clone()),
            ("line 2", executions[1].clone()),
        ]);
        let read: Vec<Execution> = crate::entries::numbered_records(EXECUTION_SET_KIND, 7, &direct)
            .expect("reads")
            .into_iter()
            .map(|(_, e)| e)
            .collect();
        assert_eq!(read, executions);
    }
}
