//! `evidentia-trials`: the reliability trials of docs/reliability.md, run against the real
//! `evidentia` binary — short in `make test`, long in `make reliability` (which rewrites the
//! document's tables).

mod concurrency;
mod crash;
mod fuzz;
mod hostile;
mod offline;
mod pg;
mod run;
mod table;
mod tamper;
mod team;
mod trust;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, ValueEnum};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Trial {
    Crash,
    Tamper,
    Concurrency,
    Hostile,
    Offline,
    Trust,
    Fuzz,
    /// A team workspace on PostgreSQL (needs EVIDENTIA_TEST_PG_URL, else SKIPPED).
    Team,
}

#[derive(Debug, Parser)]
#[command(about = "Reliability trials against the real evidentia binary")]
struct Args {
    /// Which trials to run (default: all).
    #[arg(value_enum)]
    trials: Vec<Trial>,
    /// The long version: 50 kills per operation, 1000 mutations, a 1 GiB line, 1000 workspace
    /// and 200 pack alterations between signed checkpoints, 5 min per fuzz target.
    #[arg(long)]
    long: bool,
    /// The evidentia binary under trial.
    #[arg(long, default_value = "target/release/evidentia")]
    evidentia: PathBuf,
    /// The evidence-samples folder (the demo organisation).
    #[arg(long, default_value = "evidence-samples")]
    samples: PathBuf,
    /// Scratch folder (emptied first).
    #[arg(long, default_value = "target/trials")]
    work: PathBuf,
    /// Seed for kill moments and mutations (printed; rerun with it to repeat a run).
    #[arg(long, default_value_t = 20_261_122)]
    seed: u64,
    /// Rewrite the tables in this document (docs/reliability.md).
    #[arg(long)]
    doc: Option<PathBuf>,
    /// Seconds per fuzz target (default: 10 short, 300 long).
    #[arg(long)]
    fuzz_seconds: Option<u64>,
}

fn main() -> ExitCode {
    match run() {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("evidentia-trials: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> anyhow::Result<bool> {
    let args = Args::parse();
    let all = [
        Trial::Crash,
        Trial::Tamper,
        Trial::Concurrency,
        Trial::Hostile,
        Trial::Offline,
        Trial::Trust,
        Trial::Fuzz,
        Trial::Team,
    ];
    let trials = if args.trials.is_empty() {
        all.to_vec()
    } else {
        args.trials.clone()
    };
    let root = std::env::current_dir()?;
    let _ = std::fs::remove_dir_all(&args.work);
    std::fs::create_dir_all(&args.work)?;
    let tool = run::Tool {
        evidentia: std::fs::canonicalize(&args.evidentia)
            .with_context(|| format!("{}: build it first", args.evidentia.display()))?,
        work: std::fs::canonicalize(&args.work)?,
    };
    let samples = std::fs::canonicalize(&args.samples)
        .with_context(|| format!("{}", args.samples.display()))?;
    let mut rng = evidentia_samples::rng::Rng::new(args.seed);
    let (runs, rows, mutations, rounds, huge) = if args.long {
        (50, 20_000, 1000, 5, 1024)
    } else {
        (4, 2_000, 120, 1, 200)
    };
    let (alterations, pack_alterations) = if args.long { (1000, 200) } else { (150, 40) };
    let fuzz_seconds = args
        .fuzz_seconds
        .unwrap_or(if args.long { 300 } else { 10 });
    let mut ok = true;
    for trial in trials {
        let started = std::time::Instant::now();
        let tables = match trial {
            Trial::Crash => vec![crash::trials(&tool, &mut rng, runs, rows, &samples)?],
            Trial::Tamper => vec![tamper::trials(&tool, &mut rng, mutations, &samples)?],
            Trial::Concurrency => vec![concurrency::trials(&tool, rounds, rows, &samples)?],
            Trial::Hostile => vec![hostile::trials(&tool, huge, &samples)?],
            Trial::Offline => vec![offline::trials(&tool, &samples)?],
            Trial::Trust => trust::trials(
                &tool,
                &mut rng,
                alterations,
                pack_alterations,
                &samples,
                &root,
            )?,
            Trial::Fuzz => vec![fuzz::trials(&root, fuzz_seconds)?],
            Trial::Team => team::trials(
                &tool,
                &root,
                &mut rng,
                &samples,
                team::Sizes::new(args.long),
            )?,
        };
        let seconds = started.elapsed().as_secs_f64();
        for mut table in tables {
            table.note = format!(
                "Run {} at commit {}: `evidentia-trials {}{}`, seed {}, {:.0} s, {machine}.",
                today(),
                commit(),
                format!("{trial:?}").to_lowercase(),
                if args.long { " --long" } else { "" },
                args.seed,
                seconds,
                machine = machine_line(),
            );
            println!("\n## {}\n\n{}", table.name, table.markdown());
            if !table.failures.is_empty() {
                ok = false;
            }
            if let Some(doc) = &args.doc {
                let text = std::fs::read_to_string(doc)
                    .with_context(|| format!("reading {}", doc.display()))?;
                let new = table::rewrite(&text, &table)
                    .map_err(|e| anyhow::anyhow!("{}: {e}", doc.display()))?;
                std::fs::write(doc, new)?;
            }
        }
    }
    Ok(ok)
}

fn today() -> String {
    std::process::Command::new("date")
        .args(["-u", "+%Y-%m-%d"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default()
}

fn commit() -> String {
    std::process::Command::new("git")
        .args(["rev-parse", "--short", "HEAD"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default()
}

fn machine_line() -> String {
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let load = std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().next().unwrap_or("?").to_owned())
        .unwrap_or_else(|_| "?".into());
    format!("{cores} cores, load average {load} at the end")
}
