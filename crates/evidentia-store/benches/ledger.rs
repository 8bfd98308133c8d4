//! Ledger throughput: appends and verifies N small entries in a real workspace file, and
//! measures `openssl speed sha256` (256-byte blocks) in the same run as the reference.
//!
//! Then the Merkle tree (docs/ledger-format.md §16) over the same entries: its root, a
//! consistency proof and inclusion proofs, against `openssl speed sha256` on 64-byte blocks
//! (the size of one tree node's input) in the same run.
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
    let (append_secs, verify_secs, hashed_bytes, merkle) = rt.block_on(async {
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
        // kind, time, two 32-byte hashes, length prefixes), plus the Merkle tree's leaf input
        // (33 bytes) and, per entry on average, one interior node's input (65 bytes).
        let e = &entries[0];
        let per_entry = e.payload.len() + 4 + 22 + 2 + 8 + 4 + e.kind.len() + 4 + e.recorded_at.len() + 64 + 33 + 65;
        let merkle = merkle_figures(&ws, n, report.tree_root).await?;
        ws.close().await;
        Ok::<_, Box<dyn std::error::Error>>((append_secs, verify_secs, per_entry as f64 * n as f64, merkle))
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
    match openssl_sha256(256) {
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
    let hashes = 2.0 * n as f64 - 1.0;
    println!(
        "merkle: read {n} entry hashes {:.3} s; tree built (root {:.12}…) {:.3} s, {:.0} hashes/s",
        merkle.read_secs,
        merkle.root,
        merkle.build_secs,
        hashes / merkle.build_secs
    );
    println!(
        "merkle: consistency proof {}→{n} ({} hashes) made in {:.1} µs, verified in {:.1} µs",
        n / 2,
        merkle.consistency_len,
        merkle.consistency_secs * 1e6,
        merkle.consistency_verify_secs * 1e6
    );
    println!(
        "merkle: inclusion proof made in {:.2} µs on average over {} leaves (target < 1 ms), verified in {:.2} µs",
        merkle.inclusion_secs * 1e6,
        merkle.inclusion_samples,
        merkle.inclusion_verify_secs * 1e6
    );
    if let Some(per_sec) = openssl_sha256(64) {
        let blocks = per_sec / 64.0;
        println!(
            "reference: openssl speed sha256 (64-byte blocks): {:.0} hashes/s; tree build at {:.0}% of it",
            blocks,
            hashes / merkle.build_secs / blocks * 100.0
        );
    }
    Ok(())
}

/// What the Merkle part of the benchmark measured.
struct MerkleFigures {
    root: String,
    read_secs: f64,
    build_secs: f64,
    consistency_len: usize,
    consistency_secs: f64,
    consistency_verify_secs: f64,
    inclusion_samples: u64,
    inclusion_secs: f64,
    inclusion_verify_secs: f64,
}

async fn merkle_figures(
    ws: &Workspace,
    n: u64,
    verified_root: evidentia_ledger::Hash,
) -> Result<MerkleFigures, Box<dyn std::error::Error>> {
    use evidentia_ledger::MerkleTree;
    use evidentia_ledger::merkle::{leaf_hash, verify_consistency, verify_inclusion};
    let start = Instant::now();
    let hashes = ws.entry_hashes(n).await?;
    let read_secs = start.elapsed().as_secs_f64();
    let start = Instant::now();
    let tree = MerkleTree::from_entry_hashes(&hashes);
    let root = tree.root();
    let build_secs = start.elapsed().as_secs_f64();
    assert_eq!(
        root, verified_root,
        "the tree and verification agree on the root"
    );
    let old = n / 2;
    let start = Instant::now();
    let proof = tree.consistency_proof(old, n)?;
    let consistency_secs = start.elapsed().as_secs_f64();
    let old_root = tree.root_at(old)?;
    let start = Instant::now();
    verify_consistency(old, n, &old_root, &root, &proof)?;
    let consistency_verify_secs = start.elapsed().as_secs_f64();
    // Leaves spread over the whole tree by a fixed linear congruential walk.
    let samples = 10_000u64.min(n);
    let mut x = 12_345u64;
    let mut leaves = Vec::with_capacity(samples as usize);
    for _ in 0..samples {
        x = x
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        leaves.push(x % n);
    }
    let start = Instant::now();
    let proofs: Vec<_> = leaves
        .iter()
        .map(|&i| tree.inclusion_proof(i, n))
        .collect::<Result<_, _>>()?;
    let inclusion_secs = start.elapsed().as_secs_f64() / samples as f64;
    let start = Instant::now();
    for (&i, p) in leaves.iter().zip(&proofs) {
        verify_inclusion(i, n, &leaf_hash(&hashes[i as usize].0), p, &root)?;
    }
    let inclusion_verify_secs = start.elapsed().as_secs_f64() / samples as f64;
    Ok(MerkleFigures {
        root: root.to_hex(),
        read_secs,
        build_secs,
        consistency_len: proof.len(),
        consistency_secs,
        consistency_verify_secs,
        inclusion_samples: samples,
        inclusion_secs,
        inclusion_verify_secs,
    })
}

/// Bytes per second for blocks of `bytes`, from `openssl speed -bytes N -seconds 3 sha256`.
fn openssl_sha256(bytes: u32) -> Option<f64> {
    let out = std::process::Command::new("openssl")
        .args([
            "speed",
            "-bytes",
            &bytes.to_string(),
            "-seconds",
            "3",
            "sha256",
        ])
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text.lines().rev().find(|l| l.starts_with("sha256"))?;
    let field = line.split_whitespace().nth(1)?;
    let kilo: f64 = field.trim_end_matches('k').parse().ok()?;
    Some(kilo * 1000.0)
}
