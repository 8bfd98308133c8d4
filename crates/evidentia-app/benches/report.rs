//! PDF report speed at scale 10: generates the sample organisation with `--scale 10` (526 MB of
//! files), imports it through `build_demo` like `evidentia demo`, then times `render_report`
//! for both frameworks, split into gathering the model (analysis over the ledger) and drawing.
//!
//! Run: `cargo bench -p evidentia-app --bench report`. The scale-10 workspace is kept in
//! `target/bench-data/` (or `$EVIDENTIA_BENCH_DATA`) and reused by later runs (`EVIDENTIA_BENCH_REBUILD=1` rebuilds it), so
//! the second run's peak RSS (`VmHWM`, what `/usr/bin/time -v` reports) is the report's alone.
//! Figures go in docs/benchmarks.md, section "Report: PDF at scale 10".

use std::path::PathBuf;
use std::time::Instant;

use chrono::TimeZone;
use evidentia_app::ReportOptions;

const RUNS: usize = 3;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let data = std::env::var_os("EVIDENTIA_BENCH_DATA").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/bench-data"),
        PathBuf::from,
    );
    std::fs::create_dir_all(&data)?;
    let workspace = data.join("report-scale10.evidentia");
    let location = evidentia_app::Location::from(&workspace);
    let now = chrono::Utc
        .with_ymd_and_hms(2026, 1, 15, 9, 0, 0)
        .single()
        .ok_or("time")?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let rebuild = std::env::var_os("EVIDENTIA_BENCH_REBUILD").is_some();
    let built_here = rebuild || !workspace.exists();
    if built_here {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", workspace.display()));
        }
        let samples = tempfile::tempdir()?;
        let start = Instant::now();
        let cfg = evidentia_samples::Config {
            seed: 2026,
            scale: 10,
        };
        let files = evidentia_samples::write_to(&cfg, samples.path())?;
        let bytes: usize = files.iter().map(|f| f.bytes.len()).sum();
        drop(files);
        println!(
            "generated scale 10: {:.0} MB in {:.1} s",
            bytes as f64 / 1e6,
            start.elapsed().as_secs_f64()
        );
        let start = Instant::now();
        let demo = rt.block_on(evidentia_app::build_demo(samples.path(), &location, now))?;
        println!(
            "imported {} files, {} records in {:.1} s",
            demo.files,
            demo.records,
            start.elapsed().as_secs_f64()
        );
    } else {
        println!("reusing {}", workspace.display());
    }
    for framework in ["nist-csf-2.0", "owasp-nhi-2025"] {
        let options = ReportOptions {
            framework: framework.to_owned(),
            from: None,
            to: None,
            generated_at: now,
        };
        let mut totals = Vec::new();
        let mut pdf = Vec::new();
        for _ in 0..RUNS {
            let start = Instant::now();
            pdf = rt.block_on(evidentia_app::render_report(&location, &options))?;
            totals.push(start.elapsed().as_secs_f64());
        }
        // The same work in its two halves, to say where the time goes.
        let start = Instant::now();
        let model = rt.block_on(evidentia_app::report_model(&location, &options))?;
        let gather = start.elapsed().as_secs_f64();
        let findings = model.findings.len();
        let start = Instant::now();
        let drawn = evidentia_report::render(&model)?;
        let draw = start.elapsed().as_secs_f64();
        assert!(drawn.bytes == pdf, "render_report is deterministic");
        totals.sort_by(f64::total_cmp);
        println!(
            "{framework}: render_report {:.2} s (best of {RUNS}; worst {:.2} s) = model {gather:.2} s + PDF {draw:.2} s; {} pages, {:.0} KB, {findings} findings (target < 3 s)",
            totals[0],
            totals[RUNS - 1],
            drawn.pages,
            pdf.len() as f64 / 1024.0
        );
    }
    let peak = peak_rss_kb().map_or("unknown".to_owned(), |kb| {
        format!("{:.0} MiB", kb as f64 / 1024.0)
    });
    if built_here {
        println!("peak RSS {peak} (includes generating and importing; rerun for the report's)");
    } else {
        println!("peak RSS {peak} (the reports alone)");
    }
    Ok(())
}

/// The process's peak resident set size, from /proc (Linux).
fn peak_rss_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()
}
