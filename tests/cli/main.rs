//! End-to-end tests of the `evidentia` binary: run as a subprocess on real files, as users and scripts do.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod acting_user;
mod analysis;
mod bad_workspace;
mod concurrent;
mod export;
mod import;
mod install_files;
mod location;
mod malformed;
mod pack;
mod policy;
mod real_samples;
mod report;
mod responses;
mod reviews;
mod sample;
mod sample_pack;
mod tamper;
mod team;
mod trust;
mod verify;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// What one run of the binary left behind.
#[derive(Debug)]
pub struct Run {
    /// The exit code; `None` if a signal ended the process.
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn from_output(output: Output) -> Run {
        Run {
            code: output.status.code(),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// Fails the test with the whole run shown unless the process exited with `code`.
    #[track_caller]
    pub fn expect_code(&self, code: i32) -> &Run {
        assert_eq!(self.code, Some(code), "expected exit {code}, got {self:#?}");
        self
    }

    /// Asserts the CLI's error contract: exit 1, exactly one line on stderr, starting `error:`.
    #[track_caller]
    pub fn expect_one_line_error(&self) -> &Run {
        self.expect_code(1);
        let lines: Vec<&str> = self.stderr.lines().collect();
        assert_eq!(lines.len(), 1, "stderr must be one line: {self:#?}");
        assert!(
            lines[0].starts_with("error:"),
            "stderr must start with `error:`: {self:#?}"
        );
        self
    }

    /// stdout parsed as one JSON document.
    #[track_caller]
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {self:#?}"))
    }

    /// stdout parsed as one JSON document per line (`log --json`).
    #[track_caller]
    pub fn json_lines(&self) -> Vec<serde_json::Value> {
        self.stdout
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| {
                serde_json::from_str(l).unwrap_or_else(|e| panic!("not a JSON line ({e}): {l}"))
            })
            .collect()
    }
}

/// The acting user every test's `evidentia` records (`EVIDENTIA_USER`): fixed, so entries are
/// the same on every machine and whoever runs the tests.
pub const TEST_USER: &str = "cli-tester";

/// The binary under test, with no workspace inherited from the environment, a fixed acting
/// user and no terminal.
pub fn command(args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_evidentia"));
    cmd.args(args)
        .env_remove("EVIDENTIA_WORKSPACE")
        .env("EVIDENTIA_USER", TEST_USER)
        // Signing keys go to a folder of this test run, never the user's config folder.
        .env("EVIDENTIA_KEY_DIR", test_key_dir())
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd
}

/// The key folder every test's `evidentia` uses (keys are named by workspace id, so tests
/// sharing it never collide).
pub fn test_key_dir() -> PathBuf {
    std::env::temp_dir().join(format!("evidentia-cli-test-keys-{}", std::process::id()))
}

/// Runs `evidentia ARGS` and waits for it.
pub fn run(args: &[&str]) -> Run {
    Run::from_output(
        command(args)
            .output()
            .expect("starting the evidentia binary"),
    )
}

/// Runs `evidentia --workspace WS ARGS`.
pub fn run_ws(ws: &Path, args: &[&str]) -> Run {
    let mut all = vec!["--workspace", path_str(ws)];
    all.extend_from_slice(args);
    run(&all)
}

pub fn path_str(path: &Path) -> &str {
    path.to_str().expect("temp paths are UTF-8")
}

/// A fresh workspace `ws.evidentia` in `dir`.
pub fn init_ws(dir: &Path) -> PathBuf {
    let ws = dir.join("ws.evidentia");
    run_ws(&ws, &["init"]).expect_code(0);
    ws
}

/// `verify --json`, which must succeed and report an intact ledger.
#[track_caller]
pub fn verify_intact(ws: &Path) -> serde_json::Value {
    let run = run_ws(ws, &["--json", "verify"]);
    run.expect_code(0);
    let json = run.json();
    assert_eq!(json["intact"], serde_json::Value::Bool(true), "{json}");
    json
}

/// The number of ledger entries of an intact workspace.
#[track_caller]
pub fn entry_count(ws: &Path) -> u64 {
    verify_intact(ws)["entries"]
        .as_u64()
        .expect("entries is a number")
}

/// The `import.file` entries' payloads, oldest first.
#[track_caller]
pub fn import_entries(ws: &Path) -> Vec<serde_json::Value> {
    let run = run_ws(
        ws,
        &[
            "--json",
            "log",
            "--kind",
            "import.file",
            "--limit",
            "100000",
        ],
    );
    run.expect_code(0);
    run.json_lines()
        .into_iter()
        .map(|e| e["payload"].clone())
        .collect()
}

/// Every file under `dir` (recursively) with its bytes: two equal snapshots mean nothing was
/// created, removed or changed.
pub fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut pending = vec![dir.to_owned()];
    while let Some(d) = pending.pop() {
        for entry in std::fs::read_dir(&d).expect("listing the temp dir") {
            let path = entry.expect("reading a directory entry").path();
            if path.is_dir() {
                pending.push(path);
            } else {
                let bytes = std::fs::read(&path).expect("reading a file");
                files.insert(path.strip_prefix(dir).expect("under dir").to_owned(), bytes);
            }
        }
    }
    files
}

/// Asserts two snapshots are equal, naming what differs rather than dumping bytes.
#[track_caller]
pub fn assert_same_files(before: &BTreeMap<PathBuf, Vec<u8>>, after: &BTreeMap<PathBuf, Vec<u8>>) {
    let names = |s: &BTreeMap<PathBuf, Vec<u8>>| s.keys().cloned().collect::<Vec<_>>();
    assert_eq!(names(before), names(after), "the directory listing changed");
    for (name, bytes) in before {
        assert!(after[name] == *bytes, "{} changed", name.display());
    }
}

/// Debian's sqlite3 command-line tool, if installed.
pub fn sqlite3() -> Option<PathBuf> {
    let path = PathBuf::from("/usr/bin/sqlite3");
    if path.exists() {
        Some(path)
    } else {
        println!("skipping: sqlite3 not installed");
        None
    }
}

/// Runs an SQL script on a database file with the sqlite3 tool; it must succeed.
#[track_caller]
pub fn sql(sqlite3: &Path, db: &Path, script: &str) {
    let output = Command::new(sqlite3)
        .arg(db)
        .arg(script)
        .output()
        .expect("running sqlite3");
    assert!(
        output.status.success(),
        "sqlite3 failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// The real log samples beside the checkout, if present.
pub fn real_samples() -> Option<PathBuf> {
    let dir = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/real-samples"
    ));
    if dir.is_dir() {
        Some(dir)
    } else {
        println!("skipping: ../shared/real-samples not present");
        None
    }
}

/// Writes `contents` to `dir/name` and returns the path.
pub fn write(dir: &Path, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, contents).expect("writing a test file");
    path
}

/// A provisioning log in the built-in `provisioning-csv` profile's layout.
pub const PROVISIONING_HEADER: &str =
    "Timestamp,System,Account,Action,Role,Performed By,Result,Request\n";

/// A valid provisioning log with `rows` rows, distinct per `tag` (so files differ by content).
pub fn provisioning_csv(tag: &str, rows: usize) -> String {
    let mut csv = PROVISIONING_HEADER.to_owned();
    for i in 0..rows {
        let minute = i % 60;
        csv.push_str(&format!(
            "03/04/2024 10:{minute:02},finance-app,{tag}-user{i},Add Role,approver,admin,Success,REQ-{tag}-{i}\n"
        ));
    }
    csv
}

/// A CloudTrail envelope with the given records.
pub fn cloudtrail(records: &[&str]) -> String {
    format!("{{\"Records\":[{}]}}", records.join(","))
}

/// A CloudTrail CreateUser record for `user` at `time`.
pub fn create_user(user: &str, time: &str) -> String {
    format!(
        r#"{{"eventVersion":"1.08","eventSource":"iam.amazonaws.com","eventName":"CreateUser","eventTime":"{time}","awsRegion":"us-east-1","userIdentity":{{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/admin","userName":"admin"}},"requestParameters":{{"userName":"{user}"}},"responseElements":null}}"#
    )
}
