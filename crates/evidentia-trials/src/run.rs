//! Running the real `evidentia` binary: commands, exit codes, stderr, peak memory, and the
//! workspace's contents read back through SQLite for all-or-nothing checks.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use anyhow::{Context, bail};

/// Exit code of a Rust panic: any of these is a bug, whatever the input.
pub const PANIC_EXIT: i32 = 101;

/// The binary under trial and a scratch folder.
#[derive(Debug, Clone)]
pub struct Tool {
    pub evidentia: PathBuf,
    pub work: PathBuf,
}

/// What one command did.
#[derive(Debug)]
pub struct Ran {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    /// Peak resident memory in KiB, when measured through /usr/bin/time.
    pub max_rss_kib: Option<u64>,
}

impl Tool {
    pub fn command(&self, ws: &Path, args: &[&str]) -> Command {
        let mut cmd = Command::new(&self.evidentia);
        cmd.arg("--workspace").arg(ws).args(args);
        cmd.stdin(Stdio::null());
        cmd.env("EVIDENTIA_KEY_DIR", self.key_dir());
        cmd
    }

    /// Where `init` and `key new` put signing keys: inside the scratch folder, never the
    /// user's `~/.config/evidentia/keys`.
    pub fn key_dir(&self) -> PathBuf {
        self.work.join("keys")
    }

    /// Runs to completion.
    pub fn run(&self, ws: &Path, args: &[&str]) -> anyhow::Result<Ran> {
        let out = self
            .command(ws, args)
            .output()
            .with_context(|| format!("starting {}", self.evidentia.display()))?;
        Ok(self.tidy(ran(out, None)))
    }

    /// Messages name files by their full path; in the tables the scratch folder reads `…`.
    fn tidy(&self, mut r: Ran) -> Ran {
        let prefix = format!("{}/", self.work.display());
        r.stdout = r.stdout.replace(&prefix, "…/");
        r.stderr = r.stderr.replace(&prefix, "…/");
        r
    }

    /// Runs to completion under `/usr/bin/time -f %M`, which reports the peak RSS.
    pub fn run_measured(&self, ws: &Path, args: &[&str]) -> anyhow::Result<Ran> {
        let rss_file = self.work.join("maxrss.txt");
        let out = Command::new("/usr/bin/time")
            .arg("-f")
            .arg("%M")
            .arg("-o")
            .arg(&rss_file)
            .arg(&self.evidentia)
            .arg("--workspace")
            .arg(ws)
            .args(args)
            .stdin(Stdio::null())
            .env("EVIDENTIA_KEY_DIR", self.key_dir())
            .output()
            .context("starting /usr/bin/time (Debian package `time`; `make test` installs it)")?;
        let rss = std::fs::read_to_string(&rss_file)
            .ok()
            .and_then(|t| t.lines().last().and_then(|l| l.trim().parse().ok()));
        Ok(self.tidy(ran(out, rss)))
    }

    /// Runs and requires exit 0.
    pub fn ok(&self, ws: &Path, args: &[&str]) -> anyhow::Result<Ran> {
        let r = self.run(ws, args)?;
        if r.code != 0 {
            bail!(
                "evidentia {} exited {}: {}",
                args.join(" "),
                r.code,
                r.stderr.trim()
            );
        }
        Ok(r)
    }

    /// `evidentia verify --json`: whether the workspace is intact, its entry count and head.
    pub fn verify(&self, ws: &Path) -> anyhow::Result<(i32, Option<serde_json::Value>, String)> {
        let r = self.run(ws, &["--json", "verify"])?;
        let json = serde_json::from_str(&r.stdout).ok();
        Ok((r.code, json, r.stderr))
    }
}

fn ran(out: Output, max_rss_kib: Option<u64>) -> Ran {
    Ran {
        // Killed by a signal: report it as 128 + signal, as a shell would.
        code: out.status.code().unwrap_or_else(|| {
            use std::os::unix::process::ExitStatusExt;
            128 + out.status.signal().unwrap_or(0)
        }),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        max_rss_kib,
    }
}

/// Copies a closed workspace (no -wal beside it) to a fresh path.
pub fn copy_workspace(from: &Path, to: &Path) -> anyhow::Result<()> {
    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(with_suffix(to, suffix));
    }
    std::fs::copy(from, to).with_context(|| format!("copying {}", from.display()))?;
    Ok(())
}

pub fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

/// Counts read straight from the file: entries of each kind of interest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Contents {
    pub entries: u64,
    pub import_files: u64,
    /// Records: a one-record entry counts one, a set entry (`record.execution_set`,
    /// `record.reconciliation_set`) the rows it holds.
    pub records: u64,
    pub analysis_runs: u64,
}

pub fn contents(ws: &Path) -> anyhow::Result<Contents> {
    let db = rusqlite::Connection::open_with_flags(ws, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        .with_context(|| format!("opening {}", ws.display()))?;
    let count = |sql: &str| -> anyhow::Result<u64> {
        let n: i64 = db.query_row(sql, [], |r| r.get(0))?;
        Ok(u64::try_from(n).unwrap_or(0))
    };
    Ok(Contents {
        entries: count("SELECT COUNT(*) FROM ledger_entries")?,
        import_files: count("SELECT COUNT(*) FROM ledger_entries WHERE kind = 'import.file'")?,
        records: count(
            "SELECT COALESCE(SUM(CASE WHEN kind IN ('record.execution_set', 'record.reconciliation_set') \
                 THEN json_array_length(CAST(payload AS TEXT), '$.rows') ELSE 1 END), 0) \
             FROM ledger_entries WHERE kind LIKE 'record.%'",
        )?,
        analysis_runs: count("SELECT COUNT(*) FROM ledger_entries WHERE kind = 'analysis.run'")?,
    })
}

/// SHA-256 of a file's bytes, hex.
pub fn file_sha256(path: &Path) -> anyhow::Result<String> {
    use sha2::{Digest, Sha256};
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    Ok(hex::encode(Sha256::digest(&bytes)))
}

/// The provisioning-CSV layout of the built-in `provisioning-csv` profile, `rows` grants.
pub fn provisioning_csv(tag: &str, rows: usize) -> String {
    let mut csv =
        String::from("Timestamp,System,Account,Action,Role,Performed By,Result,Request\n");
    for i in 0..rows {
        let minute = i % 60;
        csv.push_str(&format!(
            "03/04/2024 10:{minute:02},finance-app,{tag}-user{i},Add Role,approver,admin,Success,REQ-{tag}-{i}\n"
        ));
    }
    csv
}
