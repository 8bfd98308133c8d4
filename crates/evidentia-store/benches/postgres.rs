//! A team workspace's throughput on a real PostgreSQL server: N appends through `AppendBatch`
//! (one batch, binary COPY under the append lock, the in-sequence statement trigger), then
//! `verify`, `scan_kinds` and `entry_hashes` over them, against `psql \copy` of the very same
//! rows (seq, kind, time, payload, three hashes) into a plain table, timed in the same run.
//!
//! Run with a server (e.g. `tools/pg_cluster.sh start target/pg`):
//! `EVIDENTIA_TEST_PG_URL=$(tools/pg_cluster.sh url target/pg) cargo bench -p evidentia-store
//! --bench postgres` (N defaults to 1,000,000; `EVIDENTIA_BENCH_ENTRIES` overrides). Without a
//! URL it says so and exits 0. Figures go in docs/benchmarks.md.

use std::io::{BufWriter, Write};
use std::time::Instant;

use evidentia_ledger::Chain;
use evidentia_store::{Access, EvidenceStore, Workspace};
use sqlx::{Connection, Executor};

const RECORDED_AT: &str = "2026-01-01T00:00:00.000000Z";

/// The same payload as the file benchmark (`benches/ledger.rs`): about one provisioning
/// record's size.
fn payload(i: u64) -> Vec<u8> {
    format!(
        "{{\"account\":\"user{i:07}@example.com\",\"action\":\"grant\",\"at\":\"2026-01-01T00:00:00Z\",\"entitlement\":\"group-{}\",\"system\":\"okta\"}}",
        i % 97
    )
    .into_bytes()
}

fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.find('?') {
        Some(q) => (&url[..q], &url[q..]),
        None => (url, ""),
    };
    let authority = base.find("://").map_or(0, |i| i + 3);
    let path = base[authority..]
        .find('/')
        .map_or(base.len(), |i| authority + i);
    format!("{}/{name}{query}", &base[..path])
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Times verify, verify_chain, scan_kinds and entry_hashes on the workspace at `url`.
async fn reads(
    url: &str,
    n: u64,
    head: Option<evidentia_store::Head>,
) -> Result<(f64, f64, f64, u64, f64), Box<dyn std::error::Error>> {
    let ws = Workspace::open(url, Access::ReadOnly).await?;
    let start = Instant::now();
    let report = ws.verify(|_| {}).await?;
    let verify_secs = start.elapsed().as_secs_f64();
    assert!(report.is_intact(), "benchmark ledger must verify");
    if let Some(head) = head {
        assert_eq!((report.entries, report.head), (head.count, head.hash));
    }
    let start = Instant::now();
    let chain = ws.verify_chain().await?;
    let verify_chain_secs = start.elapsed().as_secs_f64();
    assert!(chain.is_intact());
    let start = Instant::now();
    let (count, bytes) = ws
        .scan_kinds(
            &["record.execution"],
            n,
            (0u64, 0u64),
            |s: &mut (u64, u64), e| {
                s.0 += 1;
                s.1 += e.payload.len() as u64;
                Ok(())
            },
        )
        .await?;
    let scan_secs = start.elapsed().as_secs_f64();
    assert_eq!(count, n);
    let start = Instant::now();
    let hashes = ws.entry_hashes(n).await?;
    let hashes_secs = start.elapsed().as_secs_f64();
    assert_eq!(hashes.len() as u64, n);
    ws.close().await;
    Ok((
        verify_secs,
        verify_chain_secs,
        scan_secs,
        bytes,
        hashes_secs,
    ))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Only the reads, against a workspace kept by an earlier run (EVIDENTIA_BENCH_KEEP).
    if let Ok(url) = std::env::var("EVIDENTIA_BENCH_READ_URL") {
        let n: u64 = std::env::var("EVIDENTIA_BENCH_ENTRIES")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(1_000_000);
        let rt = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()?;
        let (verify, verify_chain, scan, _, hashes) = rt.block_on(reads(&url, n, None))?;
        println!(
            "verify: {verify:.2} s  verify_chain: {verify_chain:.2} s  scan_kinds: {scan:.2} s  entry_hashes: {hashes:.2} s"
        );
        return Ok(());
    }
    let Ok(admin_url) = std::env::var("EVIDENTIA_TEST_PG_URL") else {
        println!("SKIPPED: EVIDENTIA_TEST_PG_URL is not set");
        return Ok(());
    };
    let n: u64 = std::env::var("EVIDENTIA_BENCH_ENTRIES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let name = format!("evidentia_bench_{}", std::process::id());
    let url = with_database(&admin_url, &name);
    // The reference table gets a database of its own: a workspace's schema holds nothing else.
    let reference_url = with_database(&admin_url, &format!("{name}_ref"));
    let dir = tempfile::tempdir()?;

    // The reference's input: the same rows the store will write, as CSV (bytea in hex).
    let csv = dir.path().join("entries.csv");
    {
        let mut out = BufWriter::new(std::fs::File::create(&csv)?);
        let mut chain = Chain::new();
        for i in 0..n {
            let e = chain.next_entry("record.execution", RECORDED_AT, payload(i));
            writeln!(
                out,
                "{},{},{},\\x{},\\x{},\\x{},\\x{}",
                e.seq,
                e.kind,
                e.recorded_at,
                hex(&e.payload),
                hex(&e.payload_hash.0),
                hex(&e.prev_hash.0),
                hex(&e.entry_hash.0)
            )?;
        }
        out.flush()?;
    }
    let csv_mb = std::fs::metadata(&csv)?.len() as f64 / 1e6;

    let result = rt.block_on(async {
        let mut admin = sqlx::PgConnection::connect(&admin_url).await?;
        for db in [name.clone(), format!("{name}_ref")] {
            admin
                .execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE {db}")))
                .await?;
        }
        admin.close().await?;

        // Reference: psql \copy of the same rows into a plain table (no keys, no triggers).
        let mut conn = sqlx::PgConnection::connect(&reference_url).await?;
        conn.execute(
            "CREATE TABLE reference (seq bigint, kind text, recorded_at text, payload bytea, \
             payload_hash bytea, prev_hash bytea, entry_hash bytea)",
        )
        .await?;
        conn.close().await?;
        let start = Instant::now();
        let status = std::process::Command::new("psql")
            .arg(&reference_url)
            .args(["-q", "-v", "ON_ERROR_STOP=1", "-c"])
            .arg(format!(
                "\\copy reference FROM '{}' (FORMAT csv)",
                csv.display()
            ))
            .status()?;
        let copy_secs = start.elapsed().as_secs_f64();
        if !status.success() {
            return Err("psql \\copy failed".into());
        }

        let ws = Workspace::create(url.as_str(), "bench", RECORDED_AT, "bench").await?;
        let start = Instant::now();
        let mut batch = ws.begin().await?;
        for i in 0..n {
            batch
                .append("record.execution", RECORDED_AT, payload(i))
                .await?;
        }
        let head = batch.commit().await?;
        let append_secs = start.elapsed().as_secs_f64();
        ws.close().await;

        // Where verification's time goes: the same COPY, only counted (sqlx's stream).
        let mut conn = sqlx::PgConnection::connect(&url).await?;
        let start = Instant::now();
        let mut copied = 0usize;
        {
            use futures_util::StreamExt;
            let mut stream = conn
                .copy_out_raw(
                    "COPY (SELECT seq, kind, recorded_at, payload, payload_hash, prev_hash, \
                     entry_hash FROM ledger_entries ORDER BY seq) TO STDOUT (FORMAT binary)",
                )
                .await?;
            while let Some(chunk) = stream.next().await {
                copied += chunk?.len();
            }
        }
        let copy_out_secs = start.elapsed().as_secs_f64();
        conn.close().await?;

        let (verify_secs, verify_chain_secs, scan_secs, bytes, hashes_secs) =
            reads(&url, n, Some(head)).await?;
        println!(
            "COPY of the ledger out, only counted: {copy_out_secs:.2} s ({:.1} MB)",
            copied as f64 / 1e6
        );
        Ok::<_, Box<dyn std::error::Error>>((
            copy_secs,
            append_secs,
            verify_secs,
            verify_chain_secs,
            scan_secs,
            bytes,
            hashes_secs,
        ))
    });

    // Drop the databases whatever happened (unless asked to keep them, for profiling).
    let keep = std::env::var_os("EVIDENTIA_BENCH_KEEP").is_some();
    rt.block_on(async {
        if keep {
            println!("kept: {url}");
            return;
        }
        if let Ok(mut admin) = sqlx::PgConnection::connect(&admin_url).await {
            for db in [name.clone(), format!("{name}_ref")] {
                let _ = admin
                    .execute(sqlx::AssertSqlSafe(format!(
                        "DROP DATABASE IF EXISTS {db} WITH (FORCE)"
                    )))
                    .await;
            }
            let _ = admin.close().await;
        }
    });
    let (copy_secs, append_secs, verify_secs, verify_chain_secs, scan_secs, scanned, hashes_secs) =
        result?;
    println!("entries: {n}  (the same rows as CSV: {csv_mb:.1} MB)");
    println!("reference: psql \\copy into a plain table: {copy_secs:.2} s");
    println!(
        "append (one batch, COPY under the lock): {append_secs:.2} s, {:.0} entries/s, {:.2}x the reference (target <= 3x)",
        n as f64 / append_secs,
        append_secs / copy_secs
    );
    println!(
        "verify (chain, tree, artifacts): {verify_secs:.2} s, {:.0} entries/s",
        n as f64 / verify_secs
    );
    println!("verify_chain: {verify_chain_secs:.2} s");
    println!(
        "scan_kinds (all {n} entries, {:.1} MB of payload): {scan_secs:.2} s",
        scanned as f64 / 1e6
    );
    println!("entry_hashes: {hashes_secs:.2} s");
    Ok(())
}
