//! Two `evidentia import` processes at once on one workspace: both wait their turn, neither
//! loses or duplicates evidence.

use std::path::Path;

use crate::{
    Run, command, import_entries, init_ws, path_str, provisioning_csv, run_ws, verify_intact, write,
};

/// Rows per file: enough that the two imports' transactions overlap in time.
const ROWS: usize = 3000;

/// Starts one import per file at the same moment and waits for all of them.
fn import_at_once(ws: &Path, files: &[&Path]) -> Vec<Run> {
    let children: Vec<_> = files
        .iter()
        .map(|f| {
            command(&[
                "--workspace",
                path_str(ws),
                "import",
                "--profile",
                "provisioning-csv",
                path_str(f),
            ])
            .spawn()
            .unwrap()
        })
        .collect();
    children
        .into_iter()
        .map(|c| Run::from_output(c.wait_with_output().unwrap()))
        .collect()
}

#[test]
fn two_processes_importing_different_files_both_succeed() {
    let dir = tempfile::tempdir().unwrap();
    let ws = init_ws(dir.path());
    let a = write(dir.path(), "team-a.csv", provisioning_csv("a", ROWS));
    let b = write(dir.path(), "team-b.csv", provisioning_csv("b", ROWS));

    for run in import_at_once(&ws, &[&a, &b]) {
        run.expect_code(0);
        assert!(!run.stdout.contains("already imported"), "{run:#?}");
    }
    let report = verify_intact(&ws);
    // The creation and signing-key entries, then per file: artifact.stored, its executions in
    // `record.execution_set` entries of up to 1,024 rows, import.file.
    assert_eq!(
        report["entries"],
        2 + 2 * (1 + ROWS.div_ceil(1024) + 1),
        "{report}"
    );
    // Every row of both files is in those sets, once.
    let sets = run_ws(
        &ws,
        &[
            "--json",
            "log",
            "--kind",
            "record.execution_set",
            "--limit",
            "100",
        ],
    )
    .expect_code(0)
    .json_lines();
    let mut accounts: Vec<String> = sets
        .iter()
        .flat_map(|s| s["payload"]["rows"].as_array().unwrap())
        .map(|r| r["record"]["account"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(accounts.len(), 2 * ROWS);
    accounts.sort();
    accounts.dedup();
    assert_eq!(accounts.len(), 2 * ROWS, "no row twice");
    assert_eq!(report["artifacts"], 2, "{report}");
    let mut names: Vec<String> = import_entries(&ws)
        .iter()
        .map(|p| p["file_name"].as_str().unwrap().to_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["team-a.csv", "team-b.csv"]);
    for payload in import_entries(&ws) {
        assert_eq!(payload["records"]["execution"], ROWS, "{payload}");
    }
}

#[test]
fn two_processes_importing_the_same_file_keep_one_copy() {
    let dir = tempfile::tempdir().unwrap();
    let ws = init_ws(dir.path());
    // A few rounds, each a new file, to give a race more than one chance to show.
    for round in 0..3 {
        let file = write(
            dir.path(),
            &format!("same-{round}.csv"),
            provisioning_csv(&format!("s{round}"), ROWS),
        );

        let runs = import_at_once(&ws, &[&file, &file]);
        for run in &runs {
            run.expect_code(0);
        }
        let already = runs
            .iter()
            .filter(|r| r.stdout.contains("already imported"))
            .count();
        assert_eq!(
            already, 1,
            "exactly one process must find the other's import: {runs:#?}"
        );
        verify_intact(&ws);
        let imports = import_entries(&ws);
        assert_eq!(imports.len(), round + 1, "{imports:?}");
        assert_eq!(imports[round]["records"]["execution"], ROWS);
    }
}
