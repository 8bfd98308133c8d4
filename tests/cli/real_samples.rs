//! Every real capture in `../shared/real-samples/` (logs and vendor inventories) imports with
//! no flags at all, as a new user would drop it in; skips when that folder is absent.

use crate::*;

/// The shared samples folder, or `None` (with a message) when it is not checked out beside.
fn real_samples() -> Option<PathBuf> {
    let root = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/real-samples"
    ));
    if root.is_dir() {
        Some(root)
    } else {
        println!("skipping: ../shared/real-samples not present");
        None
    }
}

/// Every sample file (not the folder's own notes), sorted.
fn sample_files(root: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut dirs = vec![root.to_owned()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_none_or(|e| e != "md") {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

#[test]
fn every_real_sample_imports_with_no_flags() {
    let Some(root) = real_samples() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let ws = init_ws(dir.path());
    let files = sample_files(&root);
    assert!(files.len() >= 40, "{} sample files", files.len());
    let mut failures = Vec::new();
    for file in &files {
        let run = run_ws(&ws, &["--json", "import", path_str(file)]);
        let shown = file.strip_prefix(&root).unwrap().display().to_string();
        if run.code != Some(0) {
            failures.push(format!(
                "{shown}: exit {:?}: {}",
                run.code,
                run.stderr.trim()
            ));
            continue;
        }
        let result = &run.json()[0];
        let records: u64 = result["records"]
            .as_object()
            .map_or(0, |r| r.values().filter_map(|n| n.as_u64()).sum());
        let skipped: u64 = result["skipped"]
            .as_object()
            .map_or(0, |r| r.values().filter_map(|n| n.as_u64()).sum());
        if records + skipped == 0 {
            failures.push(format!(
                "{shown}: imported, but nothing was read from it: {result}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    verify_intact(&ws);
}

/// Ten real files of ten formats in one command, two of them damaged (an inventory cut off
/// mid-JSON, a credential report missing a column): the eight others are imported, the two are
/// rejected naming file and line, the JSON summary lists all ten, exit 1, the ledger verifies.
#[test]
fn a_mixed_run_of_real_files_imports_the_good_and_names_the_bad() {
    let Some(root) = real_samples() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let ws = init_ws(dir.path());
    let good = [
        "cloudtrail/stratus-red-team_iam-detonations.json",
        "okta/panther-fixtures_okta-systemlog.jsonl",
        "linux-auth/azure-sentinel_Linux_Authpriv_UserManagement_IngestedLogs.csv",
        "inventories/aws_account_authorization_details/cloudsplaining_example_authz_v2.json",
        "inventories/okta_users/datahub_okta_users.json",
        "inventories/k8s_rbac/popeye_testdata_auth_crb_1.yaml",
        "inventories/linux_passwd_group/shadow-maint_tests_chage_03_etc_passwd",
        "inventories/baton_c1z/baton-pingfed_sync_8b54f48.c1z",
    ];
    let mut files: Vec<PathBuf> = good.iter().map(|rel| root.join(rel)).collect();
    // A Graph user list cut off in the middle of a record.
    let graph =
        std::fs::read(root.join("inventories/msgraph_users/datahub_azure_ad_users.json")).unwrap();
    files.insert(
        3,
        write(dir.path(), "users-cut.json", &graph[..graph.len() * 2 / 3]),
    );
    // A credential report whose header lost its `mfa_active` column.
    let report = std::fs::read_to_string(root.join(
        "inventories/aws_credential_report/DERIVED_cloudmapper_iam-get-credential-report.Content.csv",
    ))
    .unwrap();
    let (header, rest) = report.split_once('\n').unwrap();
    let header = header.replace(",mfa_active", "");
    files.insert(
        7,
        write(
            dir.path(),
            "credential-report.csv",
            format!("{header}\n{rest}"),
        ),
    );
    let mut args = vec!["--json", "import"];
    args.extend(files.iter().map(|f| path_str(f)));
    let run = run_ws(&ws, &args);
    run.expect_code(1);
    let results = run.json();
    let results = results.as_array().expect("one object per file");
    assert_eq!(results.len(), 10, "{run:#?}");
    for (i, (result, file)) in results.iter().zip(&files).enumerate() {
        assert_eq!(result["file"], path_str(file), "{result}");
        if i == 3 || i == 7 {
            assert_eq!(result["status"], "rejected", "{result}");
            let error = result["error"].as_str().unwrap();
            let name = file.file_name().unwrap().to_str().unwrap();
            assert!(error.contains(name), "names the file: {error}");
            assert!(error.contains("line "), "names the line: {error}");
        } else {
            assert_eq!(result["status"], "imported", "{result}");
        }
    }
    assert!(
        results[7]["error"].as_str().unwrap().contains("mfa_active"),
        "names the missing column: {}",
        results[7]
    );
    verify_intact(&ws);
    assert_eq!(import_entries(&ws).len(), 8);
}

/// An inventory's rows are written as `record.reconciliation_set` entries (up to 1,024 rows
/// each), not one entry a row, and every reader sees each row: `accounts` lists them.
#[test]
fn an_inventory_is_recorded_in_sets_of_rows() {
    let Some(root) = real_samples() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let ws = init_ws(dir.path());
    let file =
        root.join("inventories/aws_credential_report/cloudmapper_iam-get-credential-report.json");
    let imported = run_ws(&ws, &["--json", "import", path_str(&file)]);
    let result = &imported.expect_code(0).json()[0];
    let rows = result["records"]["reconciliation"].as_u64().unwrap();
    assert!(rows >= 3, "{result}");
    let sets = run_ws(
        &ws,
        &["--json", "log", "--kind", "record.reconciliation_set"],
    )
    .json_lines();
    assert_eq!(sets.len(), 1, "{sets:?}");
    let listed = sets[0]["payload"]["rows"].as_array().unwrap();
    assert_eq!(listed.len() as u64, rows);
    assert_eq!(listed[0]["location"], "line 2 /Content");
    assert_eq!(listed[0]["record"]["account"], "root");
    assert!(
        run_ws(&ws, &["--json", "log", "--kind", "record.reconciliation"])
            .json_lines()
            .is_empty()
    );
    verify_intact(&ws);
    // Any policy will do: `accounts` needs one for its correlation rules.
    let policy = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../evidence-samples/policy.toml"
    ));
    run_ws(&ws, &["policy", "set", path_str(&policy)]).expect_code(0);
    let accounts = run_ws(&ws, &["--json", "accounts"]).expect_code(0).json();
    let listed: Vec<&str> = accounts["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["account"].as_str().unwrap())
        .collect();
    assert!(listed.contains(&"root"), "{accounts:#}");
    assert!(listed.contains(&"auditor_tmp"), "{accounts:#}");
    // The checks read the rows too: the analysis runs and is recorded.
    run_ws(&ws, &["analyze"]).expect_code(0);
    verify_intact(&ws);
}
