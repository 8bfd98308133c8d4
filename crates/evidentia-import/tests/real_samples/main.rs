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

/// Every cut of a sample, and the sample with bytes overwritten, imports or fails cleanly:
/// no input makes an importer panic.
pub fn assert_damaged_copies_never_panic(rel: &str, format: evidentia_import::Format) {
    let Some(bytes) = sample(rel) else {
        return;
    };
    let mut ctx = evidentia_import::ImportContext::new("damaged");
    // An inventory needs a moment before it emits a row; the CLI always passes the file's
    // modification time, so the damaged copies get one too and reach their row code.
    if format.is_inventory() {
        ctx.file_time = chrono::DateTime::from_timestamp(1_750_000_000, 0);
    }
    let mut copies: Vec<Vec<u8>> = (0..bytes.len())
        .step_by(89)
        .map(|n| bytes[..n].to_vec())
        .collect();
    for (i, junk) in [b'"', b'{', b']', b'\\', 0xFF, b'\n', b'0']
        .into_iter()
        .enumerate()
    {
        let mut copy = bytes.clone();
        for at in (i * 31..copy.len()).step_by(409) {
            copy[at] = junk;
        }
        copies.push(copy);
    }
    for copy in copies {
        let mut sink: Vec<(evidentia_domain::Record, evidentia_import::Origin)> = Vec::new();
        let _ =
            evidentia_import::import(format, &mut copy.as_slice(), &ctx, &mut sink, &mut |_| {});
    }
}
