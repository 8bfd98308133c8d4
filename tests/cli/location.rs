//! Where the workspace is: `--workspace`/`-w` or `EVIDENTIA_WORKSPACE`, a file path or a
//! `postgres://` URL; a server that cannot be reached is one line naming it without its password.

use crate::{Run, command, entry_count, path_str};

/// Runs `evidentia ARGS` with `EVIDENTIA_WORKSPACE` set to `workspace`.
fn run_env(workspace: &str, args: &[&str]) -> Run {
    Run::from_output(
        command(args)
            .env("EVIDENTIA_WORKSPACE", workspace)
            .output()
            .expect("starting the evidentia binary"),
    )
}

#[test]
fn the_environment_names_the_workspace_when_no_flag_does() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("env.evidentia");
    run_env(path_str(&ws), &["init", "--no-key"]).expect_code(0);
    assert!(
        ws.is_file(),
        "init wrote the file EVIDENTIA_WORKSPACE names"
    );
    let verified = run_env(path_str(&ws), &["--json", "verify"]);
    verified.expect_code(0);
    assert_eq!(verified.json()["entries"], 1);

    // The flag wins over the environment.
    let other = dir.path().join("flag.evidentia");
    run_env(
        path_str(&ws),
        &["--workspace", path_str(&other), "init", "--no-key"],
    )
    .expect_code(0);
    assert!(other.is_file());
    assert_eq!(entry_count(&ws), 1, "the environment's workspace untouched");
}

#[test]
fn no_workspace_at_all_is_one_line_naming_both_ways() {
    let run = crate::run(&["verify"]);
    run.expect_one_line_error();
    assert!(run.stderr.contains("--workspace"), "{}", run.stderr);
    assert!(run.stderr.contains("EVIDENTIA_WORKSPACE"), "{}", run.stderr);
}

/// No server answers on this socket directory: every command is one line, exit 1, no panic,
/// and the password given in the URL is never printed.
#[test]
fn an_unreachable_server_is_one_line_without_the_password() {
    let url = "postgres://nobody:hunter2@%2Fnonexistent/x";
    for args in [
        &["verify"][..],
        &["init", "--no-key"],
        &["log"],
        &["findings"],
        &["analyze"],
    ] {
        let mut all = vec!["-w", url];
        all.extend_from_slice(args);
        let run = crate::run(&all);
        run.expect_one_line_error();
        assert!(
            run.stderr.contains("postgres://nobody@%2Fnonexistent/x"),
            "{args:?} names the workspace: {}",
            run.stderr
        );
        assert!(!run.stderr.contains("hunter2"), "{args:?}: {}", run.stderr);
        assert!(!run.stdout.contains("hunter2"), "{args:?}: {}", run.stdout);

        let run = run_env(url, args);
        run.expect_one_line_error();
        assert!(!run.stderr.contains("hunter2"), "{args:?}: {}", run.stderr);
    }
}

#[test]
fn help_never_shows_the_workspace_variable_s_value() {
    let run = run_env("postgres://alice:hunter2@db.example/eng", &["--help"]);
    run.expect_code(0);
    assert!(run.stdout.contains("postgres://"), "{}", run.stdout);
    assert!(!run.stdout.contains("hunter2"), "{}", run.stdout);
    assert!(!run.stdout.contains("db.example"), "{}", run.stdout);
}
