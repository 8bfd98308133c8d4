//! Import throughput: writes a provisioning CSV of N rows (1,000,000 by default, about
//! 110 MB), imports it through the façade into a real workspace, and times
//! `sqlite3 :memory: '.import --csv FILE t'` on the same file as the reference.
//!
//! Run: `cargo bench -p evidentia-app --bench import` (`EVIDENTIA_BENCH_ROWS` changes N).
//! Peak RSS is the process's high-water mark (`VmHWM`), which is what `/usr/bin/time -v`
//! reports as maximum resident set size. Figures go in docs/benchmarks.md.

use std::path::Path;
use std::time::Instant;

use chrono::TimeZone;
use evidentia_app::{FileOutcome, ImportOptions};

#[path = "support/provisioning.rs"]
mod provisioning;
use provisioning::{peak_rss_kb, write_csv};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let rows: u64 = std::env::var("EVIDENTIA_BENCH_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let dir = tempfile::tempdir()?;
    let csv = dir.path().join("provisioning.csv");
    write_csv(&csv, rows)?;
    let size_mb = std::fs::metadata(&csv)?.len() as f64 / 1e6;

    let reference = sqlite_import_secs(&csv);

    let workspace = evidentia_app::Location::from(dir.path().join("bench.evidentia"));
    let now = chrono::Utc
        .with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
        .single()
        .ok_or("time")?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let (secs, records) = rt.block_on(async {
        evidentia_app::init_workspace(&workspace, now).await?;
        let options = ImportOptions {
            profile: Some("provisioning-csv".into()),
            ..ImportOptions::default()
        };
        let start = Instant::now();
        let reports = evidentia_app::import_files(
            &workspace,
            std::slice::from_ref(&csv),
            &options,
            Some("bench"),
            now,
            |_, _| {},
        )
        .await?;
        let secs = start.elapsed().as_secs_f64();
        let records = match &reports[0].outcome {
            FileOutcome::Imported { records, .. } => records.values().sum::<u64>(),
            FileOutcome::AlreadyImported { .. } => 0,
        };
        Ok::<_, anyhow::Error>((secs, records))
    })?;
    assert_eq!(records, rows, "every row must be imported");
    let peak_mb = peak_rss_kb().map(|kb| kb as f64 / 1024.0);

    println!("rows: {rows}  file: {size_mb:.1} MB");
    println!(
        "evidentia import: {secs:.2} s, {:.0} rows/s, peak RSS {}",
        rows as f64 / secs,
        peak_mb.map_or("unknown".into(), |m| format!("{m:.0} MiB"))
    );
    match reference {
        Some(r) => println!(
            "reference: sqlite3 :memory: '.import --csv': {r:.2} s; evidentia at {:.2}x its time (target <= 3x)",
            secs / r
        ),
        None => println!("reference: sqlite3 not available"),
    }
    Ok(())
}

fn sqlite_import_secs(csv: &Path) -> Option<f64> {
    let start = Instant::now();
    let status = std::process::Command::new("sqlite3")
        .arg(":memory:")
        .arg(format!(".import --csv {} t", csv.display()))
        .status()
        .ok()?;
    status.success().then(|| start.elapsed().as_secs_f64())
}
