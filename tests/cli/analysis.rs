//! The analysis commands on the demo organisation: analyze records its run, and findings,
//! events, exceptions, metrics and controls agree with it.

use crate::*;

fn samples() -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../evidence-samples"
    ))
}

fn demo(dir: &Path) -> PathBuf {
    let ws = dir.join("demo.evidentia");
    let samples = samples();
    let run = run(&[
        "demo",
        "--out",
        path_str(&ws),
        "--samples",
        path_str(&samples),
    ]);
    run.expect_code(0);
    ws
}

#[test]
fn analysis_commands_on_the_demo_organisation() {
    let dir = tempfile::tempdir().unwrap();
    let ws = demo(dir.path());
    let key: serde_json::Value =
        serde_json::from_slice(&std::fs::read(samples().join("answer-key.json")).unwrap()).unwrap();
    let planted = key["findings"].as_array().unwrap().len() as u64;

    let analyze = run_ws(&ws, &["--json", "analyze"]);
    let analyze = analyze.expect_code(0).json();
    assert_eq!(analyze["findings"].as_u64(), Some(planted), "{analyze:#}");
    let runs = run_ws(&ws, &["--json", "log", "--kind", "analysis.run"]).json_lines();
    assert_eq!(runs.len(), 1, "analyze records its run");
    assert_eq!(runs[0]["payload"]["findings"].as_u64(), Some(planted));
    verify_intact(&ws);

    let findings = run_ws(
        &ws,
        &["--json", "findings", "--check", "EV-LEAVER-NOT-REVOKED"],
    );
    let findings = findings.expect_code(0).json();
    let list = findings.as_array().unwrap();
    assert_eq!(
        list.len(),
        key["counts"]["EV-LEAVER-NOT-REVOKED"].as_u64().unwrap() as usize
    );
    for f in list {
        assert_eq!(f["check"], "EV-LEAVER-NOT-REVOKED");
        assert!(
            !f["evidence"].as_array().unwrap().is_empty(),
            "every finding names its ledger entries: {f}"
        );
    }

    let critical = run_ws(&ws, &["--json", "findings", "--severity", "critical"])
        .expect_code(0)
        .json();
    assert!(!critical.as_array().unwrap().is_empty());
    assert!(
        critical
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["severity"] == "critical")
    );
    let nhi = run_ws(
        &ws,
        &["--json", "findings", "--framework", "owasp-nhi-2025"],
    )
    .expect_code(0)
    .json();
    for f in nhi.as_array().unwrap() {
        let controls = f["controls"].as_array().unwrap();
        assert!(
            !controls.is_empty()
                && controls
                    .iter()
                    .all(|c| c.as_str().unwrap().starts_with("NHI")),
            "{f}"
        );
    }
    run_ws(&ws, &["findings", "--severity", "bogus"]).expect_one_line_error();

    let metrics = run_ws(&ws, &["--json", "metrics"]).expect_code(0).json();
    let completeness = metrics["chain_completeness"].as_f64().unwrap();
    assert!(
        completeness > 0.0 && completeness < 1.0,
        "planted gaps leave some chains incomplete: {completeness}"
    );
    assert!(
        metrics["time_to_revoke"]["okta"]["p95_hours"]
            .as_f64()
            .is_some(),
        "{metrics:#}"
    );

    let exceptions = run_ws(&ws, &["--json", "exceptions"]).expect_code(0).json();
    assert!(!exceptions["exceptions"].as_array().unwrap().is_empty());

    for framework in ["nist-csf-2.0", "owasp-nhi-2025"] {
        let controls = run_ws(&ws, &["--json", "controls", "--framework", framework])
            .expect_code(0)
            .json();
        for c in controls["controls"].as_array().unwrap() {
            let status = c["status"].as_str().unwrap();
            assert!(["met", "findings", "not-assessed"].contains(&status), "{c}");
            if status == "met" {
                assert!(
                    c["evidence"].as_u64().unwrap() > 0,
                    "met without evidence: {c}"
                );
            }
        }
    }
    run_ws(&ws, &["controls", "--framework", "no-such-framework"]).expect_one_line_error();

    // The leaver whose GitHub access was never revoked shows it in the chain.
    let leaver = key["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["check"] == "EV-LEAVER-NOT-REVOKED")
        .unwrap();
    let identity = leaver["identity"].as_str().unwrap();
    let system = leaver["system"].as_str().unwrap();
    let events = run_ws(&ws, &["--json", "events", "--identity", identity])
        .expect_code(0)
        .json();
    let chain = events
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|e| e["systems"].as_array().unwrap().iter())
        .find(|s| s["system"] == system && s["direction"] == "revoke")
        .unwrap_or_else(|| panic!("no revoke chain on {system} for {identity}: {events:#}"));
    assert_eq!(chain["execution"]["status"], "missing", "{chain:#}");
}

#[test]
fn analysis_needs_a_policy() {
    let dir = tempfile::tempdir().unwrap();
    let ws = init_ws(dir.path());
    run_ws(&ws, &["findings"]).expect_one_line_error();
    run_ws(&ws, &["analyze"]).expect_one_line_error();
    // workspace.created and signing_key.added: a refused analysis writes nothing.
    assert_eq!(entry_count(&ws), 2, "a refused analysis writes nothing");
}

/// `evidentia demo` needs no samples folder: run from an empty directory, it builds the demo
/// from the samples built into the tool, byte for byte the files of evidence-samples/.
#[test]
fn the_demo_builds_from_any_directory_with_the_built_in_samples() {
    let dir = tempfile::tempdir().unwrap();
    let elsewhere = dir.path().join("elsewhere");
    std::fs::create_dir(&elsewhere).unwrap();
    let ws = dir.path().join("built-in.evidentia");
    let out = command(&["--json", "demo", "--out", path_str(&ws)])
        .current_dir(&elsewhere)
        .output()
        .unwrap();
    let built_in = Run::from_output(out);
    built_in.expect_code(0);
    verify_intact(&ws);
    let from_folder = demo(dir.path());
    let artifacts = |ws: &Path| {
        let mut found: Vec<String> = run_ws(ws, &["--json", "log", "--kind", "import.file"])
            .json_lines()
            .iter()
            .map(|e| e["payload"]["artifact"].as_str().unwrap().to_owned())
            .collect();
        found.sort();
        found
    };
    let built_in_artifacts = artifacts(&ws);
    // Every file the demo says it imported, the access reviews among them (26 in all).
    let files = built_in.json()["files"].as_u64().unwrap() as usize;
    assert!(files >= 26, "{files}");
    assert_eq!(built_in_artifacts.len(), files, "{built_in_artifacts:?}");
    assert_eq!(built_in_artifacts, artifacts(&from_folder));
}
