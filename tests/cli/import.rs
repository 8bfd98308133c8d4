//! Importing real and hand-written files: everything real imports, a file counts once, and
//! `--skip-invalid` keeps a record of the rows it left out.

use crate::{
    PROVISIONING_HEADER, entry_count, import_entries, init_ws, path_str, provisioning_csv,
    real_samples, run_ws, verify_intact, write,
};

#[test]
fn every_real_sample_imports_without_flags() {
    let Some(samples) = real_samples() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let ws = init_ws(dir.path());

    let mut files = Vec::new();
    for format_dir in std::fs::read_dir(&samples).unwrap() {
        let format_dir = format_dir.unwrap().path();
        if format_dir.is_dir() {
            for file in std::fs::read_dir(&format_dir).unwrap() {
                let file = file.unwrap().path();
                if file.is_file() {
                    files.push(file);
                }
            }
        }
    }
    files.sort();
    assert!(!files.is_empty(), "no samples under {}", samples.display());

    let mut failures = Vec::new();
    for file in &files {
        let run = run_ws(&ws, &["import", path_str(file)]);
        if run.code != Some(0) {
            failures.push(format!(
                "{} (exit {:?}): {}",
                file.display(),
                run.code,
                run.stderr.trim()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} samples failed:\n{}",
        failures.len(),
        files.len(),
        failures.join("\n")
    );
    let report = verify_intact(&ws);
    assert_eq!(
        import_entries(&ws).len(),
        files.len(),
        "one import.file entry per sample: {report}"
    );
}

#[test]
fn importing_the_same_file_again_adds_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let ws = init_ws(dir.path());
    let file = write(dir.path(), "grants.csv", provisioning_csv("again", 5));
    let args = ["import", "--profile", "provisioning-csv", path_str(&file)];

    run_ws(&ws, &args).expect_code(0);
    let after_first = entry_count(&ws);
    assert!(after_first > 1, "the first import must add entries");

    let again = run_ws(&ws, &args);
    again.expect_code(0);
    assert!(again.stdout.contains("already imported"), "{again:#?}");
    assert_eq!(
        entry_count(&ws),
        after_first,
        "a re-import must not add entries"
    );

    // The same bytes under another name are still the same evidence.
    let copy = write(
        dir.path(),
        "copy-of-grants.csv",
        std::fs::read(&file).unwrap(),
    );
    let renamed = run_ws(
        &ws,
        &["import", "--profile", "provisioning-csv", path_str(&copy)],
    );
    renamed.expect_code(0);
    assert!(renamed.stdout.contains("already imported"), "{renamed:#?}");
    assert_eq!(entry_count(&ws), after_first);
    assert_eq!(import_entries(&ws).len(), 1);
}

#[test]
fn skip_invalid_imports_good_rows_and_records_the_bad_one() {
    let dir = tempfile::tempdir().unwrap();
    let ws = init_ws(dir.path());
    let mut csv = PROVISIONING_HEADER.to_owned();
    csv.push_str("03/04/2024 10:00,finance-app,alice,Add Role,approver,admin,Success,REQ-1\n");
    csv.push_str("03/04/2024 10:01,finance-app,bob,Promote,approver,admin,Success,REQ-2\n");
    csv.push_str("03/04/2024 10:02,finance-app,carol,Remove Role,approver,admin,Success,REQ-3\n");
    let file = write(dir.path(), "one-bad-row.csv", csv);
    let before = entry_count(&ws);

    let run = run_ws(
        &ws,
        &[
            "import",
            "--profile",
            "provisioning-csv",
            "--skip-invalid",
            path_str(&file),
        ],
    );
    run.expect_code(0);
    assert!(run.stdout.contains("1 invalid rows"), "{run:#?}");
    assert!(entry_count(&ws) > before, "the good rows must be imported");

    let imports = import_entries(&ws);
    assert_eq!(imports.len(), 1, "{imports:?}");
    let payload = &imports[0];
    assert_eq!(payload["invalid_rows"], 1, "{payload}");
    assert_eq!(payload["records"]["execution"], 2, "{payload}");
    let invalid = payload["invalid"].as_array().expect("invalid is a list");
    assert_eq!(invalid.len(), 1, "{payload}");
    assert_eq!(invalid[0]["location"], "line 3", "{payload}");
    assert!(
        invalid[0]["reason"].as_str().unwrap().contains("Promote"),
        "{payload}"
    );

    // The two valid executions, in file order, in one `record.execution_set` entry (which
    // `--kind record.execution` lists too): the invalid row between them left no trace.
    let executions = run_ws(&ws, &["--json", "log", "--kind", "record.execution"]);
    executions.expect_code(0);
    let sets = executions.json_lines();
    assert_eq!(sets.len(), 1, "{sets:?}");
    assert_eq!(sets[0]["kind"], "record.execution_set", "{sets:?}");
    assert_eq!(sets[0]["rows"], 2, "{sets:?}");
    let rows = sets[0]["payload"]["rows"].as_array().expect("rows");
    assert_eq!(rows[0]["location"], "line 2", "{rows:?}");
    assert_eq!(rows[1]["location"], "line 4", "{rows:?}");
    let accounts: Vec<String> = rows.iter().map(|r| r["record"].to_string()).collect();
    assert_eq!(accounts.len(), 2, "{accounts:?}");
    // The text log names the set's size and span instead of a preview of its payload.
    let text = run_ws(&ws, &["log", "--kind", "record.execution"]);
    text.expect_code(0);
    assert_eq!(text.stdout.lines().count(), 1, "{text:#?}");
    assert!(
        text.stdout
            .contains("record.execution_set (2 rows, line 2 … line 4)"),
        "{text:#?}"
    );
    assert!(
        accounts[0].contains("alice") && accounts[1].contains("carol"),
        "{accounts:?}"
    );
}

#[test]
fn importing_many_files_tries_every_one_and_reports_each() {
    let dir = tempfile::tempdir().unwrap();
    let ws = init_ws(dir.path());
    let mut files = Vec::new();
    for i in 0..10 {
        let name = format!("batch-{i}.csv");
        let contents = match i {
            // An invalid row (an action the profile cannot map) on line 3.
            3 => {
                let mut csv = provisioning_csv("bad-row", 1);
                csv.push_str(
                    "03/04/2024 10:01,finance-app,bob,Promote,approver,admin,Success,REQ-2\n",
                );
                csv
            }
            // Not a file any format reads.
            7 => "\u{0}\u{1}\u{2} not a log\n".repeat(4),
            _ => provisioning_csv(&format!("multi{i}"), 3),
        };
        files.push(write(dir.path(), &name, contents));
    }
    let mut args = vec!["--json", "import", "--profile", "provisioning-csv"];
    args.extend(files.iter().map(|f| path_str(f)));
    let before = entry_count(&ws);

    let run = run_ws(&ws, &args);
    run.expect_code(1);
    assert!(
        run.stderr.starts_with("error: 2 of 10 files rejected"),
        "{run:#?}"
    );
    let results = run.json();
    let results = results.as_array().expect("an array");
    assert_eq!(results.len(), 10, "one object per file: {run:#?}");
    let mut added = 0;
    for (i, (result, file)) in results.iter().zip(&files).enumerate() {
        assert_eq!(result["file"], path_str(file), "{result}");
        if i == 3 || i == 7 {
            assert_eq!(result["status"], "rejected", "{result}");
            let error = result["error"].as_str().expect("rejected files say why");
            let name = file.file_name().unwrap().to_str().unwrap();
            assert!(error.contains(name), "the error names the file: {error}");
            assert!(error.contains("line "), "the error names the line: {error}");
        } else {
            assert_eq!(result["status"], "imported", "{result}");
            assert_eq!(result["records"]["execution"], 3, "{result}");
            added += result["last_entry"].as_u64().unwrap()
                - result["first_entry"].as_u64().unwrap()
                + 1;
        }
    }
    // Each rejection is the message a single-file import of that file gives.
    for i in [3, 7] {
        let single = run_ws(
            &ws,
            &[
                "import",
                "--profile",
                "provisioning-csv",
                path_str(&files[i]),
            ],
        );
        single.expect_code(1);
        let message = single.stderr.strip_prefix("error: ").unwrap().trim_end();
        assert_eq!(results[i]["error"], message, "{single:#?}");
    }
    verify_intact(&ws);
    assert_eq!(entry_count(&ws) - before, added);
    assert_eq!(import_entries(&ws).len(), 8);

    // The eight good files alone add exactly as many entries.
    let alone = tempfile::tempdir().unwrap();
    let alone_ws = init_ws(alone.path());
    let alone_before = entry_count(&alone_ws);
    let mut args = vec!["import", "--profile", "provisioning-csv"];
    args.extend(
        files
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != 3 && *i != 7)
            .map(|(_, f)| path_str(f)),
    );
    run_ws(&alone_ws, &args).expect_code(0);
    assert_eq!(entry_count(&alone_ws) - alone_before, added);

    // In text: one line per file, the rejected ones saying why; a re-run imports nothing new.
    let mut args = vec!["import", "--profile", "provisioning-csv"];
    args.extend(files.iter().map(|f| path_str(f)));
    let text = run_ws(&ws, &args);
    text.expect_code(1);
    assert_eq!(
        text.stdout.matches("already imported").count(),
        8,
        "{text:#?}"
    );
    assert_eq!(text.stdout.matches(": rejected: ").count(), 2, "{text:#?}");
    assert!(text.stdout.contains("batch-3.csv: rejected: "), "{text:#?}");
    assert!(text.stdout.contains("batch-7.csv: rejected: "), "{text:#?}");
    assert_eq!(entry_count(&ws) - before, added);
    verify_intact(&ws);
}

/// A classic year-less auth.log with no flags: with the policy's reporting period set, its
/// year comes from the period (read once for the run), the guess is recorded in the import
/// entry, and the useradd is imported, never rejected for a missing year.
#[test]
fn a_year_less_auth_log_takes_its_year_from_the_policy_period() {
    let dir = tempfile::tempdir().unwrap();
    let ws = init_ws(dir.path());
    let policy = std::path::PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../evidence-samples/policy.toml"
    ));
    run_ws(&ws, &["policy", "set", path_str(&policy)]).expect_code(0);
    let log = |name: &str, user: &str| {
        write(
            dir.path(),
            name,
            format!(
                "Mar  3 09:14:02 bastion sshd[811]: Accepted publickey for ops from 10.0.0.5 port 50122 ssh2\n\
                 Mar  3 09:15:40 bastion useradd[902]: new user: name={user}, UID=1004, GID=1004, home=/home/{user}, shell=/bin/bash\n"
            ),
        )
    };
    let (first, second) = (log("auth.log", "dana"), log("auth.log.1", "eli"));
    let run = run_ws(
        &ws,
        &["--json", "import", path_str(&first), path_str(&second)],
    );
    let results = run.expect_code(0).json();
    for result in results.as_array().unwrap() {
        assert_eq!(result["records"]["execution"], 1, "{result}");
    }
    for entry in import_entries(&ws) {
        let warnings = entry["incomplete"].to_string();
        assert!(
            warnings.contains("2025 is taken from the policy's reporting period"),
            "{entry}"
        );
    }
    verify_intact(&ws);
}
