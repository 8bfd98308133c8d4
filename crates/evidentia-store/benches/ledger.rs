//! Ledger throughput: appends and verifies N small entries in a real workspace file, and
//! measures `openssl speed sha256` (256-byte blocks) in the same run as the reference.
//!
//! Run: `cargo bench -p evidentia-store --bench ledger` (N defaults to 1,000,000;
//! `EVIDENTIA_BENCH_ENTRIES` overrides). Figures go in docs/benchmarks.md.

use std::time::Instant;

use evidentia_store::{Access, EvidenceStore, Workspace};

const RECORDED_AT: &str = "2026-01-01T00:00:00.000000Z";

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let n: u64 = std::env::var("EVIDENTIA_BENCH_ENTRIES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("bench.evidentia");
    let (append_secs, verify_secs, hashed_bytes) = rt.block_on(async {
        let ws = Workspace::create(&path, "bench", RECORDED_AT, "bench").await?;
        let start = Instant::now();
        let mut batch = ws.begin().await?;
        for i in 0..n {
            // A small entry: about the size of one provisioning record's payload.
            let payload = format!(
                "{{\"account\":\"user{i:07}@example.com\",\"action\":\"grant\",\"at\":\"2026-01-01T00:00:00Z\",\"entitlement\":\"group-{}\",\"system\":\"okta\"}}",
                i % 97
            );
            batch.append("record.execution", RECORDED_AT, payload.into_bytes()).await?;
        }
        batch.commit().await?;
        let append_secs = start.elapsed().as_secs_f64();
        ws.close().await;

        let ws = Workspace::open(&path, Access::ReadOnly).await?;
        let entries = ws.entries(1, 1).await?;
        let start = Instant::now();
        let report = ws.verify(|_| {}).await?;
        let verify_secs = start.elapsed().as_secs_f64();
        assert!(report.is_intact(), "benchmark ledger must verify");
        assert_eq!(report.entries, n);
        // Bytes hashed per entry: the payload, plus the entry-hash input (tag, version, seq,
        // kind, time, two 32-byte hashes, length prefixes).
        let e = &entries[0];
        let per_entry = e.payload.len() + 4 + 22 + 2 + 8 + 4 + e.kind.len() + 4 + e.recorded_at.len() + 64;
        ws.close().await;
        Ok::<_, Box<dyn std::error::Error>>((append_secs, verify_secs, per_entry as f64 * n as f64))
    })?;
    let file_mb = std::fs::metadata(&path)?.len() as f64 / 1e6;
    println!("entries: {n}  workspace file: {file_mb:.1} MB");
    println!(
        "append: {:.2} s, {:.0} entries/s",
        append_secs,
        n as f64 / append_secs
    );
    println!(
        "verify: {:.2} s, {:.0} entries/s, {:.1} MB/s hashed",
        verify_secs,
        n as f64 / verify_secs,
        hashed_bytes / verify_secs / 1e6
    );
    match openssl_sha256_256() {
        Some(bytes_per_sec) => {
            let ratio = (hashed_bytes / verify_secs) / bytes_per_sec;
            println!(
                "reference: openssl speed sha256 (256-byte blocks): {:.1} MB/s; verify at {:.0}% of it (target >= 50%)",
                bytes_per_sec / 1e6,
                ratio * 100.0
            );
        }
        None => println!("reference: openssl not available"),
    }
    Ok(())
}

/// Bytes per second for 256-byte blocks, from `openssl speed -bytes 256 -seconds 3 sha256`.
fn openssl_sha256_256() -> Option<f64> {
    let out = std::process::Command::new("openssl")
        .args(["speed", "-bytes", "256", "-seconds", "3", "sha256"])
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text.lines().rev().find(|l| l.starts_with("sha256"))?;
    let field = line.split_whitespace().nth(1)?;
    let kilo: f64 = field.trim_end_matches('k').parse().ok()?;
    Some(kilo * 1000.0)
}
