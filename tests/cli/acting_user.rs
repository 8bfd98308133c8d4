//! Who did what: `--user NAME` (else `EVIDENTIA_USER`, else the OS login) is recorded as
//! `recorded_by` in the entries of imports, policy changes, analyses and responses, and shown
//! where entries are listed; a bad name is refused in one line with nothing written.

use crate::export::demo_copy;
use crate::*;

const POLICY: &str = r#"format = "evidentia-policy/1"

[organisation]
name = "Who did what"

[systems.finance-app]
name = "Finance app"
criticality = "high"
"#;

/// Runs `evidentia -w WS ARGS` with the environment's acting user changed by `env`.
fn run_with_env(ws: &Path, env: &[(&str, Option<&str>)], args: &[&str]) -> Run {
    let mut cmd = command(&[]);
    cmd.arg("--workspace").arg(ws).args(args);
    for (name, value) in env {
        match value {
            Some(v) => cmd.env(name, v),
            None => cmd.env_remove(name),
        };
    }
    Run::from_output(cmd.output().expect("starting the evidentia binary"))
}

/// The payloads of the entries of `kind`, oldest first, through `log --json`.
fn payloads(ws: &Path, kind: &str) -> Vec<serde_json::Value> {
    run_ws(ws, &["--json", "log", "--kind", kind, "--limit", "100000"])
        .expect_code(0)
        .json_lines()
        .into_iter()
        .map(|e| e["payload"].clone())
        .collect()
}

fn last_recorded_by(ws: &Path, kind: &str) -> serde_json::Value {
    payloads(ws, kind)
        .last()
        .unwrap_or_else(|| panic!("no {kind} entry"))["recorded_by"]
        .clone()
}

#[test]
fn each_write_records_who_acted() {
    let dir = tempfile::tempdir().unwrap();
    let ws = demo_copy(dir.path());
    // The demo was built with the fixed demo user, whoever ran the tests.
    assert!(
        payloads(&ws, "import.file")
            .iter()
            .all(|p| p["recorded_by"] == "demo")
    );
    assert_eq!(last_recorded_by(&ws, "policy.set"), "demo");

    // --user on an import.
    let csv = write(dir.path(), "grants.csv", provisioning_csv("who", 3));
    run_ws(
        &ws,
        &[
            "--user",
            "alice",
            "import",
            "--profile",
            "provisioning-csv",
            path_str(&csv),
        ],
    )
    .expect_code(0);
    assert_eq!(last_recorded_by(&ws, "import.file"), "alice");

    // EVIDENTIA_USER when no --user; --user wins over it.
    let analysed = run_with_env(
        &ws,
        &[("EVIDENTIA_USER", Some("bob"))],
        &["--json", "analyze"],
    );
    analysed.expect_code(0);
    assert_eq!(analysed.json()["recorded_by"], "bob");
    assert_eq!(last_recorded_by(&ws, "analysis.run"), "bob");
    run_with_env(
        &ws,
        &[("EVIDENTIA_USER", Some("bob"))],
        &["--user", "Carol Díaz", "analyze"],
    )
    .expect_code(0);
    assert_eq!(last_recorded_by(&ws, "analysis.run"), "Carol Díaz");

    // A response names the acting user unless --by says who recorded it.
    let findings = run_ws(&ws, &["--json", "findings"]).expect_code(0).json();
    let id = findings[0]["id"].as_str().unwrap().to_owned();
    let respond = |extra: &[&'static str]| -> Vec<String> {
        let mut args = vec![
            "respond",
            &id,
            "--owner",
            "IAM team",
            "--due",
            "2026-06-30",
            "--status",
            "open",
            "--response",
            "Looking into it",
        ];
        args.extend_from_slice(extra);
        args.into_iter().map(str::to_owned).collect()
    };
    let respond_run = |extra: &[&'static str]| {
        let args = respond(extra);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        run_ws(&ws, &args)
    };
    respond_run(&["--user", "dave"]).expect_code(0);
    assert_eq!(last_recorded_by(&ws, "finding.response"), "dave");
    respond_run(&["--user", "dave", "--by", "CISO office"]).expect_code(0);
    assert_eq!(last_recorded_by(&ws, "finding.response"), "CISO office");
    let responses = run_ws(&ws, &["responses"]);
    responses.expect_code(0);
    assert!(
        responses.stdout.contains("recorded by dave"),
        "{}",
        responses.stdout
    );

    // Without a configured name, the OS login.
    let policy = write(dir.path(), "policy.toml", POLICY);
    run_with_env(
        &ws,
        &[
            ("EVIDENTIA_USER", None),
            ("USER", Some("erin")),
            ("LOGNAME", Some("not-this-one")),
        ],
        &["policy", "set", path_str(&policy)],
    )
    .expect_code(0);
    assert_eq!(last_recorded_by(&ws, "policy.set"), "erin");

    // `log` shows who, where the payload says.
    let log = run_ws(&ws, &["log", "--kind", "policy.set"]);
    log.expect_code(0);
    assert!(log.stdout.contains("by demo"), "{}", log.stdout);
    assert!(log.stdout.contains("by erin"), "{}", log.stdout);
    verify_intact(&ws);
}

#[test]
fn without_any_name_the_entry_says_unknown() {
    let dir = tempfile::tempdir().unwrap();
    let ws = init_ws(dir.path());
    let csv = write(dir.path(), "grants.csv", provisioning_csv("nobody", 2));
    run_with_env(
        &ws,
        &[
            ("EVIDENTIA_USER", None),
            ("USER", None),
            ("LOGNAME", None),
            ("USERNAME", None),
        ],
        &["import", "--profile", "provisioning-csv", path_str(&csv)],
    )
    .expect_code(0);
    assert_eq!(last_recorded_by(&ws, "import.file"), "unknown");
}

#[test]
fn a_bad_user_name_is_one_line_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let ws = init_ws(dir.path());
    let csv = write(dir.path(), "grants.csv", provisioning_csv("bad", 2));
    let import = ["import", "--profile", "provisioning-csv", path_str(&csv)];
    let entries = entry_count(&ws);
    let before = snapshot(dir.path());
    for (name, says) in [
        ("", "empty"),
        ("   ", "empty"),
        ("alice\nmallory", "more than one line"),
        ("alice\u{1b}[2J", "control characters"),
    ] {
        let mut args = vec!["--user", name];
        args.extend_from_slice(&import);
        let run = run_ws(&ws, &args);
        run.expect_one_line_error();
        assert!(run.stderr.contains("--user"), "{name:?}: {}", run.stderr);
        assert!(run.stderr.contains(says), "{name:?}: {}", run.stderr);
        // Read-only commands refuse it too: the name is checked before anything runs.
        run_ws(&ws, &["--user", name, "verify"]).expect_one_line_error();
    }
    let long = "x".repeat(201);
    let mut args = vec!["--user", long.as_str()];
    args.extend_from_slice(&import);
    run_ws(&ws, &args).expect_one_line_error();
    let run = run_with_env(&ws, &[("EVIDENTIA_USER", Some("a\nb"))], &import);
    run.expect_one_line_error();
    assert!(run.stderr.contains("EVIDENTIA_USER"), "{}", run.stderr);
    assert_same_files(&before, &snapshot(dir.path()));
    assert_eq!(entry_count(&ws), entries);
}
