//! The evidence pack at scale: time and peak memory of `write_pack` (report, exports, OSCAL,
//! ledger.jsonl, every artifact, manifest, SHA256SUMS) on a real workspace, with `zip -r` and
//! `sha256sum` over the same files measured alongside as the reference.
//!
//! `cargo bench -p evidentia-app --bench pack` on the committed sample organisation, or on the
//! scale-10 one: `target/release/evidentia-samples --scale 10 --out /tmp/s10` then
//! `EVIDENTIA_BENCH_SAMPLES=/tmp/s10 cargo bench -p evidentia-app --bench pack`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use chrono::{TimeZone, Utc};

/// The process's peak resident set (VmHWM), in MiB.
fn peak_rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

/// Resets VmHWM so the peak measured next is the pack's alone (Linux: clear_refs 5).
fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

fn timed(program: &str, args: &[&str], cwd: &Path) -> f64 {
    let start = Instant::now();
    let status = Command::new(program)
        .args(args)
        .current_dir(cwd)
        .stdout(std::process::Stdio::null())
        .status()
        .unwrap_or_else(|e| panic!("cannot run {program}: {e}"));
    assert!(status.success(), "{program} {args:?} failed");
    start.elapsed().as_secs_f64()
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p.strip_prefix(dir).unwrap().to_owned());
            }
        }
    }
    out.sort();
    out
}

fn main() {
    let samples = std::env::var_os("EVIDENTIA_BENCH_SAMPLES").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../../evidence-samples"),
        PathBuf::from,
    );
    let dir = tempfile::tempdir().unwrap();
    let ws = evidentia_app::Location::from(dir.path().join("bench.evidentia"));
    let now = Utc.with_ymd_and_hms(2026, 7, 1, 9, 0, 0).single().unwrap();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    println!("building the workspace from {} ...", samples.display());
    let demo = rt
        .block_on(evidentia_app::build_demo(&samples, &ws, now))
        .unwrap();
    let options = evidentia_app::ReportOptions {
        framework: "nist-csf-2.0".into(),
        from: None,
        to: None,
        generated_at: now,
    };
    let out = dir.path().join("pack.zip");
    reset_peak_rss();
    let start = Instant::now();
    let report = rt
        .block_on(evidentia_app::write_pack(&ws, &options, &out))
        .unwrap();
    let pack_s = start.elapsed().as_secs_f64();
    let pack_rss = peak_rss_mib();
    let start = Instant::now();
    let verdict = rt.block_on(evidentia_app::verify_pack_file(&out)).unwrap();
    let verify_s = start.elapsed().as_secs_f64();
    assert!(verdict.is_intact(), "{verdict:?}");

    // Reference: the same files, zipped by Info-ZIP at the same level and hashed by coreutils.
    let x = dir.path().join("x");
    std::fs::create_dir(&x).unwrap();
    timed("unzip", &["-q", out.to_str().unwrap()], &x);
    let files: Vec<String> = files_under(&x)
        .iter()
        .map(|p| p.to_str().unwrap().to_owned())
        .collect();
    let mut zip_args = vec!["-q", "-X", "-6", "../ref.zip"];
    zip_args.extend(files.iter().map(String::as_str));
    let zip_s = timed("zip", &zip_args, &x);
    let sum_args: Vec<&str> = files.iter().map(String::as_str).collect();
    let sha_s = timed("sha256sum", &sum_args, &x);

    println!(
        "workspace: {} files imported, {} records; ledger {} entries",
        demo.files, demo.records, report.checkpoint.count
    );
    println!(
        "pack: {} files, {:.1} MB uncompressed, zip {:.1} MB",
        report.files,
        report.bytes as f64 / 1e6,
        report.zip_size as f64 / 1e6
    );
    println!("write_pack: {pack_s:.2} s, peak RSS {pack_rss:.0} MiB");
    println!("pack verify: {verify_s:.2} s");
    println!(
        "reference: zip -6 -r {zip_s:.2} s, sha256sum {sha_s:.2} s, together {:.2} s",
        zip_s + sha_s
    );
    println!(
        "write_pack / (zip + sha256sum): {:.2}x",
        pack_s / (zip_s + sha_s)
    );
}
