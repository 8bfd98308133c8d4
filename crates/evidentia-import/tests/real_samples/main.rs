//! Imports every real log sample in `../shared/real-samples/` and checks what comes out; skips when that folder is absent.

mod cloudtrail;
mod detect;
mod entra;
mod github;
mod gworkspace;
mod inv_aws;
mod inv_baton;
mod inv_github_members;
mod inv_google_directory;
mod inv_graph;
mod inv_k8s_rbac;
mod inv_okta;
mod inv_unix_accounts;
mod k8s;
mod linux;
mod okta;

/// The bytes of one sample (path relative to `shared/real-samples/`), or `None` when the
/// shared samples are not checked out beside the repository.
pub fn sample(rel: &str) -> Option<Vec<u8>> {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/real-samples/");
    if !std::path::Path::new(root).is_dir() {
        println!("skipping: ../shared/real-samples not present");
        return None;
    }
    match std::fs::read(format!("{root}{rel}")) {
        Ok(bytes) => Some(bytes),
        Err(e) => panic!("cannot read sample {rel}: {e}"),
    }
}

/// The records of an import, split into executions (with their locations) and activity
/// summaries; any other kind of record is a test failure.
pub fn split(
    sink: Vec<(evidentia_domain::Record, evidentia_import::Origin)>,
) -> (
    Vec<(evidentia_domain::Execution, evidentia_import::Location)>,
    Vec<evidentia_domain::ActivitySummary>,
) {
    let mut executions = Vec::new();
    let mut activity = Vec::new();
    for (record, origin) in sink {
        match record {
            evidentia_domain::Record::Execution(e) => executions.push((e, origin.location)),
            evidentia_domain::Record::Activity(a) => activity.push(a),
            other => panic!("unexpected record {other:?}"),
        }
    }
    (executions, activity)
}

/// Every event the sample's import skipped is counted under `<event type> (<reason>)`, and the
/// reason is a decision, not "not recognised": each event type in a real capture is either
/// imported or skipped on purpose.
pub fn assert_every_skip_has_a_reason(summary: &evidentia_import::ImportSummary) {
    for key in summary.skipped.keys() {
        let reason = key
            .strip_suffix(')')
            .and_then(|k| k.split_once(" ("))
            .map(|(_, reason)| reason);
        assert!(
            reason.is_some_and(|r| !r.trim().is_empty()),
            "skipped with no reason: {key}"
        );
        assert!(
            !key.ends_with(&format!("({})", evidentia_import::NOT_RECOGNISED)),
            "an event type of a real capture nobody decided about: {key}"
        );
    }
}

/// The modification time the CLI would pass for an inventory sample: later than every
/// sample's dates.
/// An execution's source event type as the tests count them (empty when the source has none).
pub fn event_type(e: &evidentia_domain::Execution) -> String {
    e.source_event_type
        .as_deref()
        .unwrap_or_default()
        .to_owned()
}

pub fn file_time() -> evidentia_domain::Timestamp {
    chrono::DateTime::from_timestamp(1_767_323_045, 0).expect("valid") // 2026-01-02T03:04:05Z
}

/// The rows of an inventory import, each with where the file shows it.
pub type Imported = (
    evidentia_import::ImportSummary,
    Vec<(
        evidentia_domain::ReconciliationRecord,
        evidentia_import::Location,
    )>,
);

/// Imports `bytes` as `format` as the CLI would: named `name`, its size and [`file_time`] in
/// the context, `--scope` only when given. The rows delivered are returned even when the
/// import fails, so a refusal can be checked to have emitted nothing; any record but a
/// reconciliation row is a test failure.
pub fn import_inventory_bytes(
    bytes: &[u8],
    name: &str,
    format: evidentia_import::Format,
    scope: Option<&str>,
) -> (
    Result<evidentia_import::ImportSummary, evidentia_import::ImportError>,
    Vec<(
        evidentia_domain::ReconciliationRecord,
        evidentia_import::Location,
    )>,
) {
    let mut ctx = evidentia_import::ImportContext::new(name);
    ctx.size = Some(bytes.len() as u64);
    ctx.file_time = Some(file_time());
    ctx.scope = scope.map(str::to_owned);
    let mut sink: Vec<(evidentia_domain::Record, evidentia_import::Origin)> = Vec::new();
    let result = evidentia_import::import(format, &mut &bytes[..], &ctx, &mut sink, &mut |_| {});
    let rows = sink
        .into_iter()
        .map(|(record, origin)| match record {
            evidentia_domain::Record::Reconciliation(r) => (r, origin.location),
            other => panic!("{name}: unexpected record {other:?}"),
        })
        .collect();
    (result, rows)
}

/// Detects one inventory sample (path relative to `shared/real-samples/`) as `format` from its
/// first 64 KiB and imports it with [`import_inventory_bytes`]; `None` when the shared samples
/// are absent. An import that fails is a test failure.
pub fn import_inventory(
    rel: &str,
    format: evidentia_import::Format,
    scope: Option<&str>,
) -> Option<Imported> {
    let bytes = sample(rel)?;
    let head = &bytes[..bytes.len().min(64 * 1024)];
    assert_eq!(
        evidentia_import::detect_format(head, rel),
        Some(format),
        "{rel}"
    );
    let (result, rows) = import_inventory_bytes(&bytes, rel, format, scope);
    let summary = result.unwrap_or_else(|e| panic!("{rel}: {e}"));
    Some((summary, rows))
}

/// The bytes of a file of `shared/sample-sources/` (the originals samples were derived from,
/// and files that must be refused), or `None` when that folder is absent.
pub fn sample_source(rel: &str) -> Option<Vec<u8>> {
    let root = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/sample-sources/"
    );
    if !std::path::Path::new(root).is_dir() {
        println!("skipping: ../shared/sample-sources not present");
        return None;
    }
    Some(std::fs::read(format!("{root}{rel}")).expect("sample source"))
}

/// Every file of a folder of `shared/sample-sources/` (its path, shown, and its bytes), or
/// `None` when that folder is absent; files that cannot be read are left out.
pub fn sample_sources_in(dir: &str) -> Option<Vec<(String, Vec<u8>)>> {
    let root = format!(
        "{}/../../../shared/sample-sources/{dir}",
        env!("CARGO_MANIFEST_DIR")
    );
    let Ok(entries) = std::fs::read_dir(&root) else {
        println!("skipping: ../shared/sample-sources not present");
        return None;
    };
    Some(
        entries
            .flatten()
            .filter_map(|entry| {
                let path = entry.path();
                let bytes = std::fs::read(&path).ok()?;
                Some((path.display().to_string(), bytes))
            })
            .collect(),
    )
}

/// How [`assert_damaged_copies_never_panic_with`] damages a sample: cut every `cut_every`
/// bytes, overwritten with each byte of `junk` every `overwrite_every` bytes, each copy
/// imported once per scope of `scopes`.
#[derive(Debug)]
pub struct Damage {
    pub cut_every: usize,
    pub overwrite_every: usize,
    pub junk: &'static [u8],
    pub scopes: &'static [Option<&'static str>],
}

/// The damage most samples get.
pub const DAMAGE: Damage = Damage {
    cut_every: 89,
    overwrite_every: 409,
    junk: b"\"{]\\\xff\n0",
    scopes: &[None],
};

/// Every cut of a sample, and the sample with bytes overwritten, imports or fails cleanly:
/// no input makes an importer panic.
pub fn assert_damaged_copies_never_panic(rel: &str, format: evidentia_import::Format) {
    assert_damaged_copies_never_panic_with(rel, format, &DAMAGE);
}

/// [`assert_damaged_copies_never_panic`] with the damage `damage` describes.
pub fn assert_damaged_copies_never_panic_with(
    rel: &str,
    format: evidentia_import::Format,
    damage: &Damage,
) {
    let Some(bytes) = sample(rel) else {
        return;
    };
    let mut copies: Vec<Vec<u8>> = (0..bytes.len())
        .step_by(damage.cut_every)
        .map(|n| bytes[..n].to_vec())
        .collect();
    for (i, &junk) in damage.junk.iter().enumerate() {
        let mut copy = bytes.clone();
        for at in (i * 31..copy.len()).step_by(damage.overwrite_every) {
            copy[at] = junk;
        }
        copies.push(copy);
    }
    for scope in damage.scopes {
        let mut ctx = evidentia_import::ImportContext::new("damaged");
        // An inventory needs a moment before it emits a row; the CLI always passes the file's
        // modification time, so the damaged copies get one too and reach their row code.
        if format.is_inventory() {
            ctx.file_time = Some(file_time());
        }
        ctx.scope = scope.map(str::to_owned);
        for copy in &copies {
            let mut sink: Vec<(evidentia_domain::Record, evidentia_import::Origin)> = Vec::new();
            let _ = evidentia_import::import(
                format,
                &mut copy.as_slice(),
                &ctx,
                &mut sink,
                &mut |_| {},
            );
        }
    }
}
