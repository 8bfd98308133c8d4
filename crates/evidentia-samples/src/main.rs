//! `evidentia-samples`: writes the sample evidence set (and, with --scale, the large benchmark sets).

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Parser;

/// Generate Northwind Analytics' identity-lifecycle evidence for 2025, with its answer key.
#[derive(Debug, Parser)]
#[command(name = "evidentia-samples", version)]
struct Args {
    /// Seed of the generator; the same seed gives byte-identical files.
    #[arg(long, default_value_t = 2026)]
    seed: u64,
    /// Size multiplier: 1 is the committed sample (~300 people, ~120 NHIs).
    #[arg(long, default_value_t = 1)]
    scale: u32,
    /// Output directory (created if missing).
    #[arg(long, default_value = "evidence-samples")]
    out: PathBuf,
}

fn main() -> Result<()> {
    let args = Args::parse();
    let cfg = evidentia_samples::Config {
        seed: args.seed,
        scale: args.scale.max(1),
    };
    let files = evidentia_samples::write_to(&cfg, &args.out)
        .with_context(|| format!("generating into {}", args.out.display()))?;
    let bytes: usize = files.iter().map(|f| f.bytes.len()).sum();
    println!(
        "wrote {} files ({bytes} bytes) to {}",
        files.len(),
        args.out.display()
    );
    Ok(())
}
