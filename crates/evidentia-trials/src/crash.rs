//! Crash trials: SIGKILL `evidentia import`, `analyze` and `pack` at random moments; after each,
//! the workspace must verify, the interrupted work must be entirely present or entirely absent,
//! and the workspace must still take new evidence.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

use crate::run::{Contents, Tool, contents, copy_workspace, provisioning_csv};
use crate::table::Table;
use evidentia_samples::rng::Rng;

/// What one family of kills came to.
#[derive(Debug, Default)]
struct Tally {
    trials: usize,
    killed: usize,
    finished: usize,
    present: usize,
    absent: usize,
    partial: usize,
    unverifiable: usize,
    unusable: usize,
    calibration: Duration,
}

pub fn trials(
    tool: &Tool,
    rng: &mut Rng,
    runs: usize,
    rows: usize,
    samples: &Path,
) -> anyhow::Result<Table> {
    let mut table = Table::new(
        "crash",
        &[
            "operation",
            "trials",
            "killed mid-run",
            "finished before the kill",
            "entirely present",
            "entirely absent",
            "partial",
            "did not verify",
            "unusable after",
            "uninterrupted run",
        ],
    );
    let import = import_trials(tool, rng, runs, rows).context("import crash trials")?;
    push(&mut table, &format!("import ({rows}-row CSV)"), &import);
    let analyze = analyze_trials(tool, rng, runs, samples).context("analyze crash trials")?;
    push(&mut table, "analyze (demo workspace)", &analyze);
    // A pack takes ten times an import (report, exports, every artifact hashed and zipped):
    // half the kills keep the trial's time in proportion.
    if pack_available(tool)? {
        let pack =
            pack_trials(tool, rng, runs.div_ceil(2), samples).context("pack crash trials")?;
        push(&mut table, "pack (demo workspace)", &pack);
    } else {
        table.fail("`evidentia pack` is not available in this build");
    }
    Ok(table)
}

fn push(table: &mut Table, name: &str, t: &Tally) {
    table.row(vec![
        name.to_owned(),
        t.trials.to_string(),
        t.killed.to_string(),
        t.finished.to_string(),
        t.present.to_string(),
        t.absent.to_string(),
        t.partial.to_string(),
        t.unverifiable.to_string(),
        t.unusable.to_string(),
        format!("{:.2} s", t.calibration.as_secs_f64()),
    ]);
    if t.partial > 0 {
        table.fail(format!(
            "{name}: {} partial results after a kill",
            t.partial
        ));
    }
    if t.unverifiable > 0 {
        table.fail(format!(
            "{name}: {} workspaces did not verify after a kill",
            t.unverifiable
        ));
    }
    if t.unusable > 0 {
        table.fail(format!(
            "{name}: {} workspaces refused new work after a kill",
            t.unusable
        ));
    }
    if t.trials >= 5 && t.killed == 0 {
        table.fail(format!(
            "{name}: no trial killed the process mid-run; the trial proves nothing"
        ));
    }
}

/// Starts `args`, kills it after `after` unless it finished first. Returns whether it was
/// killed while running.
fn run_and_kill(tool: &Tool, ws: &Path, args: &[&str], after: Duration) -> anyhow::Result<bool> {
    let mut child = tool
        .command(ws, args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .context("starting evidentia")?;
    let started = Instant::now();
    loop {
        if child.try_wait()?.is_some() {
            return Ok(false);
        }
        if started.elapsed() >= after {
            child.kill()?; // SIGKILL on Unix: no destructor, no flush, no rollback
            child.wait()?;
            return Ok(true);
        }
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// A kill moment in [0, 1.2 × the uninterrupted run]: mostly mid-run, some after it finished.
fn kill_at(rng: &mut Rng, calibration: Duration) -> Duration {
    let span = (calibration.as_micros() as u64).saturating_mul(6) / 5;
    Duration::from_micros(rng.below(span.max(1)))
}

fn verified(tool: &Tool, ws: &Path) -> anyhow::Result<bool> {
    let (code, json, _) = tool.verify(ws)?;
    Ok(code == 0 && json.is_some_and(|j| j["intact"] == true))
}

/// What a killed operation left behind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Left {
    Present,
    Absent,
    Partial,
}

/// One operation under trial: its arguments, how to judge what it left, and a follow-up that
/// shows the workspace still takes work.
struct Operation<'a> {
    args: Vec<&'a str>,
    follow_up: Vec<&'a str>,
    /// Undo what a run leaves outside the workspace (an output file) before the next one.
    reset: &'a dyn Fn() -> anyhow::Result<()>,
    judge: &'a dyn Fn(&Path) -> anyhow::Result<Left>,
}

/// The shared loop: time one uninterrupted run (which must leave its work entirely present),
/// then per trial copy the base, start the operation, kill it at a random moment, check the
/// workspace verifies, judge what was left, and run the follow-up.
fn kill_loop(
    tool: &Tool,
    rng: &mut Rng,
    runs: usize,
    base: &Path,
    op: &Operation<'_>,
) -> anyhow::Result<Tally> {
    let ws = base.with_extension("trial.evidentia");
    copy_workspace(base, &ws)?;
    (op.reset)()?;
    let started = Instant::now();
    tool.ok(&ws, &op.args)?;
    let calibration = started.elapsed();
    if (op.judge)(&ws)? != Left::Present {
        bail!(
            "an uninterrupted `{}` did not leave its work whole",
            op.args.join(" ")
        );
    }
    let mut t = Tally {
        calibration,
        ..Tally::default()
    };
    for _ in 0..runs {
        copy_workspace(base, &ws)?;
        (op.reset)()?;
        let killed = run_and_kill(tool, &ws, &op.args, kill_at(rng, calibration))?;
        t.trials += 1;
        if killed {
            t.killed += 1;
        } else {
            t.finished += 1;
        }
        if !verified(tool, &ws)? {
            t.unverifiable += 1;
        }
        match (op.judge)(&ws)? {
            Left::Present => t.present += 1,
            Left::Absent => t.absent += 1,
            Left::Partial => t.partial += 1,
        }
        (op.reset)()?;
        if tool.run(&ws, &op.follow_up)?.code != 0 || !verified(tool, &ws)? {
            t.unusable += 1;
        }
    }
    Ok(t)
}

/// An import's `import.file` entry together with every one of its records, or none of them.
fn import_trials(tool: &Tool, rng: &mut Rng, runs: usize, rows: usize) -> anyhow::Result<Tally> {
    let dir = tool.work.join("crash-import");
    std::fs::create_dir_all(&dir)?;
    let base = dir.join("base.evidentia");
    let _ = std::fs::remove_file(&base);
    tool.ok(&base, &["init"])?;
    let csv = dir.join("grants.csv");
    std::fs::write(&csv, provisioning_csv("crash", rows))?;
    let small = dir.join("after.csv");
    std::fs::write(&small, provisioning_csv("after", 5))?;
    let (csv, small) = (
        csv.to_string_lossy().into_owned(),
        small.to_string_lossy().into_owned(),
    );
    let before = contents(&base)?;
    let judge = |ws: &Path| -> anyhow::Result<Left> {
        let now = contents(ws)?;
        Ok(
            match (
                now.import_files - before.import_files,
                now.records - before.records,
            ) {
                (0, 0) => Left::Absent,
                (1, r) if r == rows as u64 => Left::Present,
                _ => Left::Partial,
            },
        )
    };
    let op = Operation {
        args: vec!["import", "--profile", "provisioning-csv", &csv],
        follow_up: vec!["import", "--profile", "provisioning-csv", &small],
        reset: &|| Ok(()),
        judge: &judge,
    };
    kill_loop(tool, rng, runs, &base, &op)
}

fn demo_base(tool: &Tool, dir: &Path, samples: &Path) -> anyhow::Result<PathBuf> {
    let base = dir.join("demo.evidentia");
    if !base.exists() {
        let samples = samples.to_string_lossy().into_owned();
        let out = base.to_string_lossy().into_owned();
        tool.ok(
            &base,
            &["demo", "--out", out.as_str(), "--samples", samples.as_str()],
        )?;
    }
    Ok(base)
}

/// An analysis's `analysis.run` entry and the event-chain projection it writes, or neither.
fn analyze_trials(
    tool: &Tool,
    rng: &mut Rng,
    runs: usize,
    samples: &Path,
) -> anyhow::Result<Tally> {
    let dir = tool.work.join("crash-analyze");
    std::fs::create_dir_all(&dir)?;
    let base = dir.join("base.evidentia");
    copy_workspace(&demo_base(tool, &tool.work, samples)?, &base)?;
    let before: Contents = contents(&base)?;
    let judge = |ws: &Path| -> anyhow::Result<Left> {
        let now = contents(ws)?;
        let whole = projection_whole(ws)?;
        Ok(
            match (
                now.analysis_runs - before.analysis_runs,
                now.entries - before.entries,
            ) {
                (0, 0) if whole => Left::Absent,
                (1, 1) if whole => Left::Present,
                _ => Left::Partial,
            },
        )
    };
    let op = Operation {
        args: vec!["analyze"],
        follow_up: vec!["analyze"],
        reset: &|| Ok(()),
        judge: &judge,
    };
    kill_loop(tool, rng, runs, &base, &op)
}

/// The event-chain projection, when present, is one run's and complete.
fn projection_whole(ws: &Path) -> anyhow::Result<bool> {
    let db = rusqlite::Connection::open_with_flags(ws, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let has: i64 = db.query_row(
        "SELECT COUNT(*) FROM sqlite_master WHERE name = 'event_chain_runs'",
        [],
        |r| r.get(0),
    )?;
    if has == 0 {
        return Ok(true);
    }
    let runs: Vec<(i64, i64)> = db
        .prepare("SELECT run_seq, events FROM event_chain_runs")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    let rows: i64 = db.query_row("SELECT COUNT(*) FROM event_chains", [], |r| r.get(0))?;
    Ok(match runs.as_slice() {
        [] => rows == 0,
        [(_, events)] => *events == rows,
        _ => false,
    })
}

fn pack_available(tool: &Tool) -> anyhow::Result<bool> {
    let out = std::process::Command::new(&tool.evidentia)
        .args(["pack", "--help"])
        .output()?;
    Ok(out.status.success())
}

/// A pack is written beside its name and renamed: no file at the destination, or a whole one
/// that `pack verify` accepts.
fn pack_trials(tool: &Tool, rng: &mut Rng, runs: usize, samples: &Path) -> anyhow::Result<Tally> {
    let dir = tool.work.join("crash-pack");
    std::fs::create_dir_all(&dir)?;
    let base = dir.join("base.evidentia");
    copy_workspace(&demo_base(tool, &tool.work, samples)?, &base)?;
    let zip = dir.join("pack.zip");
    let zip_arg = zip.to_string_lossy().into_owned();
    let ws = base.with_extension("trial.evidentia");
    let judge = |_: &Path| -> anyhow::Result<Left> {
        if !zip.exists() {
            return Ok(Left::Absent);
        }
        let verdict = tool.run(&ws, &["pack", "verify", zip_arg.as_str()])?;
        Ok(if verdict.code == 0 {
            Left::Present
        } else {
            Left::Partial
        })
    };
    let reset = || -> anyhow::Result<()> {
        match std::fs::remove_file(&zip) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e.into()),
            _ => Ok(()),
        }
    };
    let args = vec![
        "pack",
        "--framework",
        "nist-csf-2.0",
        "--out",
        zip_arg.as_str(),
    ];
    let op = Operation {
        follow_up: args.clone(),
        args,
        reset: &reset,
        judge: &judge,
    };
    kill_loop(tool, rng, runs, &base, &op)
}
