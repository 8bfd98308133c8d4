//! What the inventory benchmarks share: the whole import of a file into a fresh workspace, as `evidentia import` does it.

use std::time::{Duration, Instant};

use chrono::TimeZone;

/// Imports `path` into a fresh workspace through the façade, exactly as `evidentia import
/// --as-of 2025-06-30T00:00:00Z FILE` does (hash, store the bytes, parse, append one entry per
/// record, commit): its time and the records appended.
pub fn import_into_workspace(path: &std::path::Path) -> (Duration, u64) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let workspace = evidentia_app::Location::from(dir.path().join("bench.evidentia"));
    let now = chrono::Utc
        .with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
        .single()
        .expect("valid");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    rt.block_on(async {
        evidentia_app::init_workspace(&workspace, now)
            .await
            .expect("a workspace");
        let options = evidentia_app::ImportOptions {
            as_of: chrono::Utc.with_ymd_and_hms(2025, 6, 30, 0, 0, 0).single(),
            ..evidentia_app::ImportOptions::default()
        };
        let started = Instant::now();
        let reports = evidentia_app::import_files(
            &workspace,
            &[path.to_owned()],
            &options,
            Some("bench"),
            now,
            |_, _| {},
        )
        .await
        .expect("the file imports");
        let took = started.elapsed();
        let records = match &reports[0].outcome {
            evidentia_app::FileOutcome::Imported { records, .. } => records.values().sum(),
            evidentia_app::FileOutcome::AlreadyImported { .. } => 0,
        };
        (took, records)
    })
}
