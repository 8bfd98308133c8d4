//! The policy as a recorded workspace setting, and identity correlation through it.

use crate::*;

const POLICY: &str = r#"format = "evidentia-policy/1"

[organisation]
name = "Test Org"

[systems.finance-app]
name = "Finance app"
criticality = "high"

[systems.linux]
name = "Bastion"
criticality = "critical"

[correlation]
by_email = true
by_alias = true

[correlation.patterns]
linux = ["{alias}@*"]

[[correlation.ignore]]
account = "linux:root@*"
reason = "local root, reviewed through sudo logs"
"#;

const HR: &str = "Event ID,Employee ID,Worker Name,Work Email,Worker Type,Event,Event Reason,Effective Date,Job Code,Prior Job Code,Department,Manager ID,Location,Employee Class,Contract End
HR-1,E1001,Alice Martin,alice.martin@acme.example,Employee,Hire,New hire,01/06/2025,FIN-ANALYST,,Finance,E1000,London,Full time,
";

const PROVISIONING: &str = "Timestamp,System,Account,Action,Entitlement,Performed By,Result,Error,Request,Event ID
01/06/2025 10:15,finance-app,alice.martin@acme.example,Create User,,admin.jones,Success,,RITM0010001,FA-1
01/06/2025 10:16,finance-app,mallory,Add Role,Payments-Approve,admin.jones,Success,,,FA-2
";

fn workspace_with_records(dir: &Path) -> PathBuf {
    let ws = init_ws(dir);
    let hr = dir.join("hr.csv");
    std::fs::write(&hr, HR).unwrap();
    run_ws(&ws, &["import", "--profile", "hr-extract", path_str(&hr)]).expect_code(0);
    let prov = dir.join("prov.csv");
    std::fs::write(&prov, PROVISIONING).unwrap();
    run_ws(
        &ws,
        &["import", "--profile", "provisioning-csv", path_str(&prov)],
    )
    .expect_code(0);
    ws
}

#[test]
fn policy_is_recorded_once_and_shown() {
    let dir = tempfile::tempdir().unwrap();
    let ws = init_ws(dir.path());
    run_ws(&ws, &["policy", "show"]).expect_code(0);
    let file = dir.path().join("policy.toml");
    std::fs::write(&file, POLICY).unwrap();
    let first = run_ws(&ws, &["--json", "policy", "set", path_str(&file)]);
    first.expect_code(0);
    assert_eq!(first.json()["status"], "recorded");
    let again = run_ws(&ws, &["--json", "policy", "set", path_str(&file)]);
    assert_eq!(again.expect_code(0).json()["status"], "unchanged");
    let shown = run_ws(&ws, &["--json", "policy", "show"]);
    assert_eq!(shown.expect_code(0).json()["text"], POLICY);
    assert_eq!(
        entry_count(&ws),
        3,
        "workspace.created, signing_key.added + one policy.set"
    );
    verify_intact(&ws);
}

#[test]
fn invalid_policy_is_refused_naming_line_and_key_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let ws = init_ws(dir.path());
    let file = dir.path().join("bad.toml");
    std::fs::write(
        &file,
        POLICY.replace(
            "criticality = \"high\"",
            "criticality = \"high\"\nrevocation_sla = \"4x\"",
        ),
    )
    .unwrap();
    let before = entry_count(&ws);
    let run = run_ws(&ws, &["policy", "set", path_str(&file)]);
    run.expect_code(1);
    assert!(run.stderr.contains("bad.toml:"), "{run:#?}");
    assert!(run.stderr.contains("revocation_sla"), "{run:#?}");
    assert_eq!(entry_count(&ws), before);
}

#[test]
fn accounts_are_correlated_by_the_policy_and_orphans_stay_visible() {
    let dir = tempfile::tempdir().unwrap();
    let ws = workspace_with_records(dir.path());
    // Without a policy there is nothing to correlate by.
    run_ws(&ws, &["accounts"]).expect_one_line_error();
    let file = dir.path().join("policy.toml");
    std::fs::write(&file, POLICY).unwrap();
    run_ws(&ws, &["policy", "set", path_str(&file)]).expect_code(0);

    let all = run_ws(&ws, &["--json", "accounts"]);
    let accounts = all.expect_code(0).json()["accounts"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(accounts.len(), 2, "{accounts:#?}");
    let alice = accounts
        .iter()
        .find(|a| a["account"] == "alice.martin@acme.example")
        .unwrap();
    assert_eq!(alice["identity"], "E1001");
    assert_eq!(alice["rule"], "email");
    assert_eq!(alice["system"], "finance-app");
    assert!(!alice["evidence"].as_array().unwrap().is_empty());

    let orphans = run_ws(&ws, &["--json", "accounts", "--uncorrelated"]);
    let orphans = orphans.expect_code(0).json()["accounts"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(orphans.len(), 1);
    assert_eq!(orphans[0]["account"], "mallory");
    assert_eq!(orphans[0]["rule"], "none");
    assert!(orphans[0]["identity"].is_null());
}
