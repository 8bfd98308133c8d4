//! The IPC commands: one small function per façade use case, named after it; each translates
//! arguments in and results out, and holds no business logic.

use std::path::{Path, PathBuf};

use chrono::{SecondsFormat, Utc};
use evidentia_app::Location;
use evidentia_app::wire::{CheckpointJson, EntryJson};
use tauri::State;
use tauri::ipc::Channel;

use crate::dto::{
    AccountsDto, AnalysisDto, AssessmentDto, CheckpointDto, EntryDto, EntrySourceDto,
    EventChainDto, EventFilterDto, EventPageDto, EventsRunDto, ExceptionsDto, FindingsDto,
    ImportProgressDto, ImportRecordDto, ImportRequest, ImportResultDto, OutputDto,
    OutputProgressDto, OutputRequest, PackCheckDto, PackCheckRequest, PolicyDto, ResponseDto,
    ResponseRequest, ReviewsDto, SampleDto, SamplePopulationsDto, SampleRequestDto, SessionDto,
    SigningKeyDto, TableExportRequest, VerifyDto, VerifyProgressDto, day,
};
use crate::error::IpcError;
use crate::session::Session;

type Result<T> = std::result::Result<T, IpcError>;

#[tauri::command]
pub async fn current_workspace(session: State<'_, Session>) -> Result<SessionDto> {
    session.current().await
}

#[tauri::command]
pub async fn open_workspace(session: State<'_, Session>, path: String) -> Result<SessionDto> {
    session.switch(Location::parse(&path)).await
}

/// Opens a team workspace on a PostgreSQL server: `url` is `postgres://user@host/db`, and
/// `password` (optional) is used for this session only, never written anywhere.
#[tauri::command]
pub async fn open_team_workspace(
    session: State<'_, Session>,
    url: String,
    password: Option<String>,
) -> Result<SessionDto> {
    let location = crate::session::team_location(&url, password.as_deref())?;
    session.switch(location).await
}

#[tauri::command]
pub async fn init_workspace(session: State<'_, Session>, path: String) -> Result<SessionDto> {
    let location = Location::parse(&path);
    evidentia_app::init_workspace(&location, Utc::now()).await?;
    // As `evidentia init` does: a signing key outside the file, so checkpoints are signed.
    evidentia_app::create_signing_key(&location, None, Utc::now()).await?;
    session.switch(location).await
}

#[tauri::command]
pub async fn open_demo_workspace(session: State<'_, Session>) -> Result<SessionDto> {
    session.switch_to_demo().await
}

#[tauri::command]
pub async fn list_entries(
    session: State<'_, Session>,
    from: u64,
    limit: u64,
) -> Result<Vec<EntryDto>> {
    // A page of the ledger, never the whole of it. Entries carry their payloads (a snapshot
    // entry holds up to 1,024 rows), so the window asks for one at a time.
    let limit = limit.clamp(1, evidentia_app::MAX_PAGE);
    let entries = evidentia_app::list_entries(&session.location().await?, from, limit).await?;
    Ok(entries.iter().map(|e| EntryJson::from(e).into()).collect())
}

/// Where entry `seq` came from (file, line or pointer, the line's bytes), or its `row` when it
/// is a set entry (a finding's `evidence_rows`); `None` for an entry that cites no imported
/// file.
#[tauri::command]
pub async fn entry_source(
    session: State<'_, Session>,
    seq: u64,
    row: Option<u64>,
) -> Result<Option<EntrySourceDto>> {
    let location = session.location().await?;
    let source = evidentia_app::entry_source(&location, seq, row.unwrap_or(0)).await?;
    Ok(source.map(EntrySourceDto::from))
}

/// The display names of the identities asked for (`E1234` → `Ada Lovelace`), from the imported
/// identity records; ids without a recorded name are absent from the answer. No ids asks for
/// every name: the app reads them all once rather than verify and scan the ledger per page.
#[tauri::command]
pub async fn identity_names(
    session: State<'_, Session>,
    ids: Vec<String>,
) -> Result<std::collections::BTreeMap<String, String>> {
    let mut names = evidentia_app::identity_names(&session.location().await?).await?;
    if !ids.is_empty() {
        let wanted: std::collections::BTreeSet<String> = ids.into_iter().collect();
        names.retain(|id, _| wanted.contains(id));
    }
    Ok(names)
}

/// Saves the rows and columns a table shows, as CSV (text made by the page) or XLSX, through
/// the same output-path checks as every other file the app writes; returns the path written.
#[tauri::command]
pub async fn write_table_view(
    session: State<'_, Session>,
    request: TableExportRequest,
) -> Result<OutputDto> {
    let workspace = session.location().await?;
    let out = PathBuf::from(&request.out);
    let private_key = private_key_path(&workspace).await?;
    let kind = match request.format.as_str() {
        "csv" => "table-csv",
        "xlsx" => "table-xlsx",
        other => {
            return Err(invalid_input(format!(
                "unknown table format {other:?} (csv or xlsx)"
            )));
        }
    };
    check_output_path(kind, &out, &workspace, private_key.as_deref())?;
    let (bytes, detail) = if kind == "table-csv" {
        let Some(text) = request.csv.as_deref() else {
            return Err(invalid_input("a CSV export needs its text".to_owned()));
        };
        evidentia_app::write_atomically(&out, text.as_bytes())?;
        (
            text.len() as u64,
            format!("{} rows (CSV)", request.rows.len()),
        )
    } else {
        // Up to 100,000 rows: built off the async workers.
        let path = out.clone();
        let t = tokio::task::spawn_blocking(move || {
            evidentia_app::write_table_xlsx(&path, &request.title, &request.headers, &request.rows)
        })
        .await
        .map_err(|e| anyhow::anyhow!("the export stopped: {e}"))??;
        (t.bytes, format!("{} rows (XLSX)", t.rows))
    };
    Ok(OutputDto {
        path: out.display().to_string(),
        bytes,
        sha256: None,
        detail,
    })
}

#[tauri::command]
pub async fn list_imports(session: State<'_, Session>) -> Result<Vec<ImportRecordDto>> {
    let imports = evidentia_app::list_imports(&session.location().await?).await?;
    Ok(imports.iter().map(ImportRecordDto::from).collect())
}

#[tauri::command]
pub async fn list_checkpoints(session: State<'_, Session>) -> Result<Vec<CheckpointDto>> {
    let checkpoints = evidentia_app::list_checkpoints(&session.location().await?).await?;
    Ok(checkpoints
        .iter()
        .map(|c| CheckpointJson::from(c).into())
        .collect())
}

#[tauri::command]
pub async fn create_checkpoint(session: State<'_, Session>) -> Result<CheckpointDto> {
    let checkpoint = evidentia_app::create_checkpoint(
        &session.location().await?,
        Utc::now(),
        None,
        session.user()?,
    )
    .await?;
    Ok(CheckpointJson::from(&checkpoint).into())
}

/// The public key the verified ledger records, and where the private key is expected.
#[tauri::command]
pub async fn public_key(session: State<'_, Session>) -> Result<SigningKeyDto> {
    let workspace = session.location().await?;
    let public = evidentia_app::public_key(&workspace).await?;
    let private = private_key_path(&workspace).await?;
    Ok(SigningKeyDto::new(public.as_ref(), private.as_deref()))
}

/// A new signing key: the private key in the default key folder (never overwritten), the
/// public key recorded in the ledger; new checkpoints are signed with it.
#[tauri::command]
pub async fn create_signing_key(session: State<'_, Session>) -> Result<SigningKeyDto> {
    let created =
        evidentia_app::create_signing_key(&session.location().await?, None, Utc::now()).await?;
    Ok(SigningKeyDto::new(
        Some(&created.public),
        Some(&created.private_key_path),
    ))
}

/// The workspace's private key file in the default key folder, if a key folder can be named.
async fn private_key_path(workspace: &Location) -> Result<Option<PathBuf>> {
    let info = evidentia_app::open_workspace(workspace).await?;
    Ok(evidentia_app::default_key_path(&info.workspace_id).ok())
}

/// Checks an evidence pack from its bytes (nothing is extracted or written), optionally
/// against an earlier pack and with a public key; on a blocking thread, never the UI thread.
#[tauri::command]
pub async fn verify_pack_file_with(request: PackCheckRequest) -> Result<PackCheckDto> {
    let pack = input_file(&request.pack, "the pack", None)?;
    let against = match &request.against {
        Some(p) => Some(input_file(p, "the earlier pack", None)?),
        None => None,
    };
    let key = match &request.public_key {
        Some(p) => Some(input_file(p, "the public key", Some(MAX_KEY_FILE))?),
        None => None,
    };
    let verdict =
        evidentia_app::verify_pack_file_with(&pack, against.as_deref(), key.as_deref()).await?;
    Ok(PackCheckDto::new(&request, &verdict))
}

/// A public key file is a PEM block or one line of text; anything larger is not one.
const MAX_KEY_FILE: u64 = 64 * 1024;

/// A file the UI names for reading: an absolute path to a regular file (no size above `max`).
fn input_file(path: &str, what: &str, max: Option<u64>) -> Result<PathBuf> {
    let invalid = invalid_input;
    let p = PathBuf::from(path);
    if !p.is_absolute() {
        return Err(invalid(format!("{what} {path} is not an absolute path")));
    }
    let meta = std::fs::metadata(&p)
        .map_err(|e| IpcError::from(anyhow::Error::new(e).context(format!("{what} {path}"))))?;
    if !meta.is_file() {
        return Err(invalid(format!("{what} {path} is not a file")));
    }
    if max.is_some_and(|m| meta.len() > m) {
        return Err(invalid(format!(
            "{what} {path} is too large to be a public key ({} bytes)",
            meta.len()
        )));
    }
    Ok(p)
}

/// Runs on the async runtime (the façade hashes on blocking threads), never on the UI thread;
/// progress goes to the window through `on_progress`.
#[tauri::command]
pub async fn verify_ledger(
    session: State<'_, Session>,
    on_progress: Channel<VerifyProgressDto>,
) -> Result<VerifyDto> {
    let outcome = evidentia_app::verify_ledger(&session.location().await?, move |p| {
        // A closed window drops the channel; verification goes on regardless.
        let _ = on_progress.send(VerifyProgressDto {
            checked: p.entries_checked,
            total: p.entries_total,
        });
    })
    .await?;
    Ok(VerifyDto::new(
        &outcome,
        Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true),
    ))
}

#[tauri::command]
pub async fn import_files(
    session: State<'_, Session>,
    request: ImportRequest,
    on_progress: Channel<ImportProgressDto>,
) -> Result<Vec<ImportResultDto>> {
    let files: Vec<PathBuf> = request.files.iter().map(PathBuf::from).collect();
    let blank = |v: Option<String>| v.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
    let as_of = blank(request.as_of)
        .map(|t| evidentia_app::parse_moment(&t))
        .transpose()
        .map_err(|e| anyhow::Error::new(evidentia_app::AppError::InvalidInput(e)))?;
    let timezone = blank(request.timezone)
        .map(|z| evidentia_app::Zone::parse(&z))
        .transpose()
        .map_err(|e| anyhow::Error::new(evidentia_app::AppError::InvalidInput(e)))?;
    let options = evidentia_app::ImportOptions {
        profile: request.profile,
        skip_invalid: request.skip_invalid,
        as_of,
        scope: blank(request.scope),
        year: request.year,
        timezone,
        ..evidentia_app::ImportOptions::default()
    };
    let reports = evidentia_app::import_files(
        &session.location().await?,
        &files,
        &options,
        session.user()?,
        Utc::now(),
        move |file, p| {
            let _ = on_progress.send(ImportProgressDto::new(file, &p));
        },
    )
    .await?;
    Ok(reports.iter().map(ImportResultDto::from).collect())
}

#[tauri::command]
pub fn builtin_profiles() -> Vec<String> {
    evidentia_app::builtin_profiles()
        .into_iter()
        .map(str::to_owned)
        .collect()
}

#[tauri::command]
pub async fn current_policy(session: State<'_, Session>) -> Result<Option<PolicyDto>> {
    let policy = evidentia_app::current_policy(&session.location().await?).await?;
    Ok(policy.as_ref().map(PolicyDto::from))
}

#[tauri::command]
pub async fn list_accounts(session: State<'_, Session>) -> Result<AccountsDto> {
    let report = evidentia_app::list_accounts(&session.location().await?).await?;
    Ok(AccountsDto::from(&report))
}

/// Runs every check and records the run; the Events table then shows its chains.
#[tauri::command]
pub async fn analyze_workspace(session: State<'_, Session>) -> Result<AnalysisDto> {
    let run = evidentia_app::record_analysis(
        &session.location().await?,
        None,
        session.user()?,
        Utc::now(),
    )
    .await?;
    Ok(AnalysisDto::from(&run))
}

#[tauri::command]
pub async fn events_run(session: State<'_, Session>) -> Result<Option<EventsRunDto>> {
    let run = evidentia_app::events_run(&session.location().await?).await?;
    Ok(run.as_ref().map(EventsRunDto::from))
}

#[tauri::command]
pub async fn list_events(
    session: State<'_, Session>,
    filter: EventFilterDto,
    offset: u64,
    limit: u64,
) -> Result<EventPageDto> {
    let page = evidentia_app::PageRequest { offset, limit };
    let events =
        evidentia_app::list_events(&session.location().await?, &filter.to_filter()?, page).await?;
    Ok(EventPageDto::from(&events))
}

#[tauri::command]
pub async fn event_chain(session: State<'_, Session>, event_seq: u64) -> Result<EventChainDto> {
    let detail = evidentia_app::event_chain(&session.location().await?, event_seq).await?;
    Ok(EventChainDto::from(&detail))
}

#[tauri::command]
pub async fn findings_view(session: State<'_, Session>) -> Result<FindingsDto> {
    let view = evidentia_app::findings_view(&session.location().await?, Utc::now()).await?;
    Ok(FindingsDto::from(&view))
}

#[tauri::command]
pub async fn exceptions_view(session: State<'_, Session>) -> Result<ExceptionsDto> {
    let view = evidentia_app::exceptions_view(&session.location().await?, Utc::now()).await?;
    Ok(ExceptionsDto::from(&view))
}

/// Every access-review campaign, judged fresh as of the end of the policy's period.
#[tauri::command]
pub async fn reviews_view(session: State<'_, Session>) -> Result<ReviewsDto> {
    let view = evidentia_app::reviews_view(&session.location().await?, Utc::now()).await?;
    Ok(ReviewsDto::from(&view))
}

/// Every named population with its count over the period (empty: the policy's period), and the
/// frequency table a size may come from.
#[tauri::command]
pub async fn sample_populations(
    session: State<'_, Session>,
    from: Option<String>,
    to: Option<String>,
) -> Result<SamplePopulationsDto> {
    let infos = evidentia_app::population_counts(
        &session.location().await?,
        day(&from)?,
        day(&to)?,
        Utc::now(),
    )
    .await?;
    Ok(SamplePopulationsDto::new(&infos))
}

/// Records a management response to a finding as a `finding.response` ledger entry; a bad
/// field, an unknown finding or a due date before the finding is refused whole.
#[tauri::command]
pub async fn record_response(
    session: State<'_, Session>,
    request: ResponseRequest,
) -> Result<ResponseDto> {
    let recorded = evidentia_app::record_response(
        &session.location().await?,
        request.into(),
        session.user()?,
        Utc::now(),
    )
    .await?;
    Ok(ResponseDto::from(
        &recorded.record.as_current(recorded.as_of),
    ))
}

/// Draws a sample by seed and tests each item's attributes, on the async runtime.
#[tauri::command]
pub async fn draw_sample(
    session: State<'_, Session>,
    request: SampleRequestDto,
) -> Result<SampleDto> {
    let view = evidentia_app::draw_sample(
        &session.location().await?,
        &request.to_request()?,
        Utc::now(),
    )
    .await?;
    Ok(SampleDto::from(&view))
}

/// Draws the sample and writes its workpaper to `path`; returns the path written.
#[tauri::command]
pub async fn write_sample_workpaper(
    session: State<'_, Session>,
    request: SampleRequestDto,
    path: String,
) -> Result<String> {
    let workspace = session.location().await?;
    let out = PathBuf::from(&path);
    let private_key = private_key_path(&workspace).await?;
    check_output_path("sample-workpaper", &out, &workspace, private_key.as_deref())?;
    evidentia_app::write_sample_workpaper(&workspace, &request.to_request()?, &out, Utc::now())
        .await?;
    Ok(out.display().to_string())
}

/// The Overview's assessment: chain completeness, findings, CSF functions, aging, time to revoke.
#[tauri::command]
pub async fn overview_assessment(session: State<'_, Session>) -> Result<AssessmentDto> {
    let view = evidentia_app::assessment_view(&session.location().await?, Utc::now()).await?;
    Ok(AssessmentDto::from(&view))
}

/// The UI may only ask for a file of the kind it names, at an absolute path, and never over the
/// open workspace, its SQLite companions or its private signing key: a compromised page cannot
/// turn "save the report" or "export the public key" into overwriting evidence or the key, or
/// dropping arbitrary file types.
fn check_output_path(
    kind: &str,
    out: &Path,
    workspace: &Location,
    private_key: Option<&Path>,
) -> Result<()> {
    let invalid = |m: String| -> Result<()> {
        Err(anyhow::Error::from(evidentia_app::AppError::InvalidInput(m)).into())
    };
    let wanted = match kind {
        "pdf" => "pdf",
        "oscal" => "json",
        "pack" => "zip",
        "public-key" => "pem",
        "checkpoint" => "note",
        "sample-workpaper" => "xlsx",
        "table-csv" => "csv",
        "table-xlsx" => "xlsx",
        _ => return Ok(()), // refused below with the list of kinds
    };
    if !out.is_absolute() {
        return invalid(format!("{} is not an absolute path", out.display()));
    }
    let extension = out
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    if extension.as_deref() != Some(wanted) {
        return invalid(format!("{} must end in .{wanted}", out.display()));
    }
    let same = |a: &Path, b: &Path| match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    };
    // A team workspace has no file here to spare.
    if let Some(file) = workspace.as_path() {
        let ws = file.as_os_str().to_owned();
        for suffix in ["", "-wal", "-shm"] {
            let mut companion = ws.clone();
            companion.push(suffix);
            if same(out, Path::new(&companion)) {
                return invalid(format!(
                    "{} is the open workspace; choose another file",
                    out.display()
                ));
            }
        }
    }
    if private_key.is_some_and(|key| same(out, key)) {
        return invalid(format!(
            "{} is the workspace's private signing key; choose another file",
            out.display()
        ));
    }
    Ok(())
}

/// Writes the PDF report, the OSCAL assessment results or the evidence pack for a framework and
/// period, or the workspace's public key or a signed checkpoint, on the async runtime;
/// `on_progress` names the stage.
#[tauri::command]
pub async fn write_output(
    session: State<'_, Session>,
    request: OutputRequest,
    on_progress: Channel<OutputProgressDto>,
) -> Result<OutputDto> {
    let stage = |s: &str| {
        let _ = on_progress.send(OutputProgressDto {
            stage: s.to_owned(),
        });
    };
    let workspace = session.location().await?;
    let options = evidentia_app::ReportOptions {
        framework: request.framework.clone(),
        from: day(&request.from)?,
        to: day(&request.to)?,
        generated_at: Utc::now(),
    };
    let out = PathBuf::from(&request.out);
    let private_key = private_key_path(&workspace).await?;
    check_output_path(&request.kind, &out, &workspace, private_key.as_deref())?;
    stage("rendering");
    let result = match request.kind.as_str() {
        "pdf" => {
            let r = evidentia_app::write_report(&workspace, &options, &out).await?;
            OutputDto {
                path: r.path.display().to_string(),
                bytes: r.bytes,
                sha256: Some(r.sha256),
                detail: format!("{} pages", r.pages),
            }
        }
        "oscal" => {
            let bytes = evidentia_app::export_oscal(&workspace, &options).await?;
            stage("writing");
            evidentia_app::write_atomically(&out, &bytes)?;
            OutputDto {
                path: out.display().to_string(),
                bytes: bytes.len() as u64,
                sha256: None,
                detail: "OSCAL assessment results (JSON)".to_owned(),
            }
        }
        "pack" => {
            let r = evidentia_app::write_pack(&workspace, &options, &out).await?;
            OutputDto {
                path: r.path.display().to_string(),
                bytes: r.zip_size,
                sha256: Some(r.zip_sha256),
                detail: format!(
                    "{} files, checkpoint at {} entries",
                    r.files, r.checkpoint.count
                ),
            }
        }
        "public-key" => {
            let Some(key) = evidentia_app::public_key(&workspace).await? else {
                return Err(invalid_input(
                    "the workspace has no signing key; create one first".to_owned(),
                ));
            };
            stage("writing");
            evidentia_app::write_atomically(&out, key.pem.as_bytes())?;
            OutputDto {
                path: out.display().to_string(),
                bytes: key.pem.len() as u64,
                sha256: None,
                detail: format!("public key {} (PEM)", key.name),
            }
        }
        "checkpoint" => {
            let checkpoints = evidentia_app::list_checkpoints(&workspace).await?;
            let chosen = match request.checkpoint {
                Some(id) => checkpoints.iter().find(|c| c.id == id),
                None => checkpoints.iter().rev().find(|c| c.note.is_some()),
            };
            let Some((c, note)) = chosen.and_then(|c| Some((c, c.note.as_deref()?))) else {
                return Err(invalid_input(match request.checkpoint {
                    Some(id) => format!("checkpoint {id} does not exist or is not signed"),
                    None => "no signed checkpoint yet; create a checkpoint first".to_owned(),
                }));
            };
            stage("writing");
            evidentia_app::write_atomically(&out, note.as_bytes())?;
            OutputDto {
                path: out.display().to_string(),
                bytes: note.len() as u64,
                sha256: None,
                detail: format!("signed checkpoint {} at {} entries", c.id, c.entry_count),
            }
        }
        other => {
            return Err(invalid_input(format!(
                "unknown output {other:?} (pdf, oscal, pack, public-key or checkpoint)"
            )));
        }
    };
    stage("done");
    Ok(result)
}

fn invalid_input(message: String) -> IpcError {
    anyhow::Error::from(evidentia_app::AppError::InvalidInput(message)).into()
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use evidentia_app::Location;

    use super::{MAX_KEY_FILE, check_output_path, input_file};

    #[test]
    fn outputs_must_match_their_kind_and_spare_the_workspace() {
        let dir = tempfile::tempdir().expect("temp dir");
        let file = dir.path().join("audit.evidentia");
        std::fs::write(&file, b"x").expect("workspace stand-in");
        let ws = Location::from(&file);
        let key = dir.path().join("keys/ws-id.pem");
        std::fs::create_dir_all(key.parent().expect("key dir")).expect("key dir");
        std::fs::write(&key, b"private").expect("key stand-in");
        let ok = |kind: &str, name: &str| {
            check_output_path(kind, &dir.path().join(name), &ws, Some(&key)).is_ok()
        };
        assert!(ok("pdf", "report.pdf"));
        assert!(ok("pdf", "REPORT.PDF"));
        assert!(ok("oscal", "ar.json"));
        assert!(ok("pack", "pack.zip"));
        assert!(ok("public-key", "audit-public-key.pem"));
        assert!(ok("checkpoint", "audit-checkpoint-12.note"));
        assert!(ok("sample-workpaper", "leavers-sample.xlsx"));
        assert!(ok("table-csv", "findings.csv"));
        assert!(ok("table-xlsx", "findings.xlsx"));
        assert!(
            !ok("table-csv", "findings.xlsx"),
            "a CSV export must be .csv"
        );
        assert!(
            !ok("table-xlsx", "audit.evidentia"),
            "never over the workspace"
        );
        assert!(
            !ok("sample-workpaper", "leavers-sample.json"),
            "a workpaper must be .xlsx"
        );
        assert!(!ok("pdf", "report.zip"), "a PDF named .zip");
        assert!(!ok("pack", "evil.sh"), "an arbitrary file type");
        assert!(!ok("public-key", "key.sh"), "a key must be .pem");
        assert!(!ok("checkpoint", "cp.pem"), "a checkpoint must be .note");
        assert!(!ok("pdf", "audit.evidentia"), "the workspace itself");
        assert!(!ok("pack", "audit.evidentia-wal"), "the workspace's WAL");
        assert!(
            !ok("public-key", "keys/ws-id.pem"),
            "the private key must never be overwritten by its public half"
        );
        assert!(
            !ok("public-key", "keys/../keys/ws-id.pem"),
            "nor through another spelling of its path"
        );
        assert!(check_output_path("pdf", Path::new("relative.pdf"), &ws, None).is_err());
    }

    #[test]
    fn files_to_check_must_be_absolute_regular_and_keys_small() {
        let dir = tempfile::tempdir().expect("temp dir");
        let pack = dir.path().join("pack.zip");
        std::fs::write(&pack, b"zip").expect("pack stand-in");
        let big = dir.path().join("big.pem");
        std::fs::write(&big, vec![b'a'; 70 * 1024]).expect("big file");
        let text = |p: &Path| p.display().to_string();
        assert!(input_file(&text(&pack), "the pack", None).is_ok());
        assert!(
            input_file("pack.zip", "the pack", None).is_err(),
            "relative"
        );
        assert!(
            input_file(&text(dir.path()), "the pack", None).is_err(),
            "a folder"
        );
        let missing = input_file(&text(&dir.path().join("none.zip")), "the pack", None);
        assert_eq!(
            missing.expect_err("missing").code,
            crate::error::ErrorCode::NotFound
        );
        assert!(input_file(&text(&big), "the public key", Some(MAX_KEY_FILE)).is_err());
    }
}
