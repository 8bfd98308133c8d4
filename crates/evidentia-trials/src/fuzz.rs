//! Runs every cargo-fuzz target for a fixed time from seeded corpora and tabulates executions
//! and crashes (libFuzzer's own final statistics); a crash fails the run and leaves its input
//! under target/fuzz-artifacts/ to become a regression test.

use std::path::Path;
use std::process::Command;

use anyhow::{Context, bail};

use crate::table::Table;

/// The targets under fuzz/fuzz_targets/, in the order they run.
pub fn targets(root: &Path) -> anyhow::Result<Vec<String>> {
    let mut names: Vec<String> = std::fs::read_dir(root.join("fuzz/fuzz_targets"))
        .context("listing fuzz/fuzz_targets")?
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            e.file_name()
                .to_str()
                .and_then(|n| n.strip_suffix(".rs"))
                .map(str::to_owned)
        })
        .collect();
    names.sort();
    Ok(names)
}

pub fn trials(root: &Path, seconds: u64) -> anyhow::Result<Table> {
    let mut table = Table::new(
        "fuzz",
        &[
            "target",
            "seconds",
            "executions",
            "executions/s",
            "corpus (inputs)",
            "crashes",
        ],
    );
    if let Err(e) = seed_pack(root) {
        table.fail(format!(
            "could not make the seed pack for pack_verify and ledger_jsonl: {e:#}"
        ));
    }
    let seeded = Command::new("python3")
        .arg(root.join("fuzz/seed.py"))
        .status()
        .context("running fuzz/seed.py")?;
    if !seeded.success() {
        bail!("fuzz/seed.py failed");
    }
    let target_dir = root.join("target/fuzz-build");
    let built = Command::new("cargo")
        .current_dir(root)
        .args([
            "+nightly",
            "fuzz",
            "build",
            "--fuzz-dir",
            "fuzz",
            "--target-dir",
        ])
        .arg(&target_dir)
        .status()
        .context(
            "running cargo +nightly fuzz build (needs the nightly toolchain and cargo-fuzz)",
        )?;
    if !built.success() {
        bail!("cargo fuzz build failed");
    }
    for target in targets(root)? {
        let corpus = root.join("target/fuzz-corpus").join(&target);
        std::fs::create_dir_all(&corpus)?;
        let artifacts = root.join("target/fuzz-artifacts").join(&target);
        std::fs::create_dir_all(&artifacts)?;
        let out = Command::new("cargo")
            .current_dir(root)
            .args([
                "+nightly",
                "fuzz",
                "run",
                "--fuzz-dir",
                "fuzz",
                "--target-dir",
            ])
            .arg(&target_dir)
            .arg(&target)
            .arg(&corpus)
            .arg("--")
            .arg(format!("-max_total_time={seconds}"))
            .arg(if target == "pack_verify" {
                "-max_len=1048576"
            } else {
                "-max_len=65536"
            })
            .arg("-timeout=20")
            .arg("-rss_limit_mb=2048")
            .arg("-print_final_stats=1")
            .arg(format!("-artifact_prefix={}/", artifacts.display()))
            .output()
            .with_context(|| format!("running fuzz target {target}"))?;
        let log = String::from_utf8_lossy(&out.stderr);
        let stat = |key: &str| -> Option<u64> {
            log.lines()
                .find_map(|l| l.strip_prefix(&format!("stat::{key}:")))
                .and_then(|v| v.trim().parse().ok())
        };
        let executions = stat("number_of_executed_units").unwrap_or(0);
        let elapsed = stat("average_exec_per_sec").map_or(seconds, |_| seconds);
        let corpus_size = std::fs::read_dir(&corpus).map(|d| d.count()).unwrap_or(0);
        let crashed = !out.status.success();
        table.row(vec![
            format!("`{target}`"),
            elapsed.to_string(),
            executions.to_string(),
            stat("average_exec_per_sec").map_or("?".into(), |v| v.to_string()),
            corpus_size.to_string(),
            if crashed { "**1**".into() } else { "0".into() },
        ]);
        if crashed {
            let summary = log
                .lines()
                .rev()
                .find(|l| l.contains("SUMMARY") || l.contains("panicked"))
                .unwrap_or("");
            table.fail(format!(
                "{target}: crashed ({summary}); input saved under {}",
                artifacts.display()
            ));
        }
        if executions == 0 && !crashed {
            table.fail(format!("{target}: ran no inputs"));
        }
    }
    Ok(table)
}

/// A small real pack, made by the real binary, seeds `pack_verify`; its `ledger.jsonl` lines
/// seed `ledger_jsonl`. (Packs are not committed: they are rebuilt here each run.)
fn seed_pack(root: &Path) -> anyhow::Result<()> {
    let evidentia = root.join("target/debug/evidentia");
    let work = root.join("target/fuzz-seed-work");
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work)?;
    let ws = work.join("seed.evidentia");
    let csv = work.join("grants.csv");
    std::fs::write(&csv, crate::run::provisioning_csv("seed", 5))?;
    let zip = work.join("seed.zip");
    let policy = root.join("evidence-samples/policy.toml");
    let steps: [Vec<&std::ffi::OsStr>; 4] = [
        vec!["init".as_ref()],
        vec!["policy".as_ref(), "set".as_ref(), policy.as_os_str()],
        vec![
            "import".as_ref(),
            "--profile".as_ref(),
            "provisioning-csv".as_ref(),
            csv.as_os_str(),
        ],
        vec![
            "pack".as_ref(),
            "--framework".as_ref(),
            "owasp-nhi-2025".as_ref(),
            "--out".as_ref(),
            zip.as_os_str(),
        ],
    ];
    for args in steps {
        let out = Command::new(&evidentia)
            // Keys of this throwaway workspace stay in the scratch folder.
            .env("EVIDENTIA_KEY_DIR", work.join("keys"))
            .arg("--workspace")
            .arg(&ws)
            .args(&args)
            .output()?;
        if !out.status.success() {
            bail!(
                "evidentia {:?}: {}",
                args,
                String::from_utf8_lossy(&out.stderr).trim()
            );
        }
    }
    let corpus = root.join("target/fuzz-corpus");
    std::fs::create_dir_all(corpus.join("pack_verify"))?;
    std::fs::create_dir_all(corpus.join("ledger_jsonl"))?;
    std::fs::copy(&zip, corpus.join("pack_verify/seed.zip"))?;
    let split = "import sys,zipfile,os\nz=zipfile.ZipFile(sys.argv[1])\nfor i,l in enumerate(z.read('ledger.jsonl').splitlines()):\n    open(os.path.join(sys.argv[2],'line%d'%i),'wb').write(l)\n";
    let status = Command::new("python3")
        .args(["-c", split])
        .arg(&zip)
        .arg(corpus.join("ledger_jsonl"))
        .status()?;
    if !status.success() {
        bail!("splitting ledger.jsonl failed");
    }
    Ok(())
}
