//! Exports on the demo organisation: every table in both formats, byte-identical on re-export,
//! spreadsheet-safe CSV, and OSCAL that compliance-trestle's models accept.

use std::sync::OnceLock;

use crate::*;

const GENERATED_AT: &str = "2026-07-01T09:00:00Z";

fn samples() -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../evidence-samples"
    ))
}

/// The demo workspace, built once per test run; tests that change it work on a copy.
pub fn demo_workspace() -> &'static Path {
    static DEMO: OnceLock<PathBuf> = OnceLock::new();
    DEMO.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap().keep();
        let ws = dir.join("demo.evidentia");
        run(&[
            "demo",
            "--out",
            path_str(&ws),
            "--samples",
            path_str(&samples()),
        ])
        .expect_code(0);
        ws
    })
}

/// A private copy of the demo workspace (closed by the CLI, so the one file is all of it).
pub fn demo_copy(dir: &Path) -> PathBuf {
    let ws = dir.join("demo-copy.evidentia");
    std::fs::copy(demo_workspace(), &ws).unwrap();
    ws
}

fn export(ws: &Path, what: &str, format: &str, framework: &str, out: &Path) -> Run {
    run_ws(
        ws,
        &[
            "export",
            what,
            "--format",
            format,
            "--framework",
            framework,
            "--generated-at",
            GENERATED_AT,
            "--out",
            path_str(out),
        ],
    )
}

#[test]
fn every_export_is_reproducible_and_well_formed() {
    let dir = tempfile::tempdir().unwrap();
    let ws = demo_workspace();
    for what in [
        "events",
        "findings",
        "exceptions",
        "metrics",
        "controls",
        "reviews",
        "review-revokes",
    ] {
        for format in ["csv", "json"] {
            let a = dir.path().join(format!("{what}-a.{format}"));
            export(ws, what, format, "nist-csf-2.0", &a).expect_code(0);
            let bytes = std::fs::read(&a).unwrap();
            // Byte-identical on re-export (the pack test compares every export once more).
            if matches!((what, format), ("events", "csv") | ("findings", "json")) {
                let b = dir.path().join(format!("{what}-b.{format}"));
                export(ws, what, format, "nist-csf-2.0", &b).expect_code(0);
                assert_eq!(bytes, std::fs::read(&b).unwrap(), "{what}.{format} differs");
            }
            if format == "json" {
                let doc: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
                assert_eq!(doc["meta"]["export"], what);
                assert_eq!(doc["meta"]["generated_at"], GENERATED_AT);
                assert!(
                    !doc["rows"].as_array().unwrap().is_empty(),
                    "{what} has rows"
                );
            } else {
                let text = String::from_utf8(bytes).unwrap();
                let mut reader = text.lines();
                let header = reader.next().unwrap();
                assert!(text.lines().count() > 1, "{what}.csv has rows");
                assert!(!header.is_empty());
            }
        }
    }
    // The findings export agrees with `findings --json` on the same period.
    let findings: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("findings-a.json")).unwrap())
            .unwrap();
    let listed = run_ws(ws, &["--json", "findings"]).expect_code(0).json();
    assert_eq!(
        findings["rows"].as_array().unwrap().len(),
        listed.as_array().unwrap().len()
    );
    // One events row per event and system: every chain of `events --json` is there.
    let events: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("events-a.json")).unwrap()).unwrap();
    let chains = run_ws(ws, &["--json", "events"]).expect_code(0).json();
    let expected: usize = chains
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["systems"].as_array().unwrap().len().max(1))
        .sum();
    assert_eq!(events["rows"].as_array().unwrap().len(), expected);
}

#[test]
fn formula_payloads_are_neutralized_in_csv() {
    let dir = tempfile::tempdir().unwrap();
    let ws = demo_copy(dir.path());
    let register = write(
        dir.path(),
        "exceptions-formula.csv",
        "Exception ID,Subject,System,Access,Tier,Owner,Approved By,Granted,Expires,Reason,Renewal History,Last Renewed By,Last Renewed On,Extended To\n\
         EXC-FORMULA,E1157,aws,\"=HYPERLINK(\"\"http://evil.example/\"\",\"\"open\"\")\",High,@SUM(A1),S9001,14/01/2025,30/06/2025,-2+3,,,,\n",
    );
    run_ws(
        &ws,
        &[
            "import",
            "--profile",
            "exceptions-register",
            path_str(&register),
        ],
    )
    .expect_code(0);
    let csv = dir.path().join("exceptions.csv");
    export(&ws, "exceptions", "csv", "nist-csf-2.0", &csv).expect_code(0);
    let text = std::fs::read_to_string(&csv).unwrap();
    let row = text
        .lines()
        .find(|l| l.starts_with("EXC-FORMULA,"))
        .unwrap_or_else(|| panic!("no EXC-FORMULA row in {text}"));
    assert!(
        row.contains(r#""'=HYPERLINK(""http://evil.example/"",""open"")""#),
        "{row}"
    );
    assert!(row.contains(",'@SUM(A1),"), "{row}");
    // No cell of any CSV export starts with a formula character.
    for what in ["events", "findings", "exceptions", "controls"] {
        let out = dir.path().join(format!("{what}.csv"));
        export(&ws, what, "csv", "nist-csf-2.0", &out).expect_code(0);
        let text = std::fs::read_to_string(&out).unwrap();
        let mut reader = csv_cells(&text);
        assert!(
            !reader.any(|cell| cell.starts_with(['=', '+', '-', '@', '\t', '\r'])
                && cell.parse::<f64>().is_err()),
            "{what}.csv has a formula cell"
        );
    }
    // JSON carries the value unchanged.
    let json = dir.path().join("exceptions.json");
    export(&ws, "exceptions", "json", "nist-csf-2.0", &json).expect_code(0);
    let doc: serde_json::Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    let row = doc["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "EXC-FORMULA")
        .unwrap();
    assert_eq!(
        row["entitlement"],
        r#"=HYPERLINK("http://evil.example/","open")"#
    );
}

/// Every cell of a CSV text (RFC 4180 quoting), for checks over whole files.
fn csv_cells(text: &str) -> impl Iterator<Item = String> + '_ {
    let mut cells = Vec::new();
    let mut cell = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                cell.push('"');
                chars.next();
            }
            (true, '"') => quoted = false,
            (true, c) => cell.push(c),
            (false, '"') => quoted = true,
            (false, ',' | '\n') => cells.push(std::mem::take(&mut cell)),
            (false, c) => cell.push(c),
        }
    }
    cells.into_iter()
}

#[test]
fn export_refuses_an_unknown_framework_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x.csv");
    export(demo_workspace(), "controls", "csv", "iso-27001", &out).expect_one_line_error();
    assert!(!out.exists());
}

/// The venv with compliance-trestle, made on first use (CI and `make oscal-check` have PyPI).
fn trestle_python() -> PathBuf {
    static PY: OnceLock<PathBuf> = OnceLock::new();
    PY.get_or_init(|| {
        let venv = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../target/trestle-venv"));
        let python = venv.join("bin/python");
        let has_trestle = || {
            std::process::Command::new(&python)
                .args(["-c", "import trestle.oscal.assessment_results"])
                .status()
                .is_ok_and(|s| s.success())
        };
        if !has_trestle() {
            let made = std::process::Command::new("python3")
                .args(["-m", "venv", path_str(&venv)])
                .status()
                .is_ok_and(|s| s.success())
                && std::process::Command::new(venv.join("bin/pip"))
                    .args(["install", "-q", "compliance-trestle"])
                    .status()
                    .is_ok_and(|s| s.success());
            assert!(
                made && has_trestle(),
                "cannot make {} with compliance-trestle: needs python3-venv and PyPI access (`make oscal-check` makes it too)",
                venv.display()
            );
        }
        python
    })
    .clone()
}

#[test]
fn oscal_is_reproducible_and_valid_for_compliance_trestle() {
    let dir = tempfile::tempdir().unwrap();
    let ws = demo_workspace();
    let mut files = Vec::new();
    for framework in ["nist-csf-2.0", "owasp-nhi-2025"] {
        let a = dir.path().join(format!("{framework}-a.json"));
        let b = dir.path().join(format!("{framework}-b.json"));
        export(ws, "oscal", "json", framework, &a).expect_code(0);
        export(ws, "oscal", "json", framework, &b).expect_code(0);
        assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
        let doc: serde_json::Value = serde_json::from_slice(&std::fs::read(&a).unwrap()).unwrap();
        let ar = &doc["assessment-results"];
        assert_eq!(ar["metadata"]["last-modified"], GENERATED_AT);
        let ids: Vec<&str> = ar["results"][0]["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["target"]["target-id"].as_str().unwrap())
            .collect();
        if framework == "nist-csf-2.0" {
            assert!(ids.contains(&"PR.AA-05"), "{ids:?}");
        } else {
            assert!(ids.contains(&"NHI1-2025"), "{ids:?}");
        }
        // Every artifact is a back-matter resource with its SHA-256.
        let imports = import_entries(ws);
        let resources = ar["back-matter"]["resources"].as_array().unwrap();
        for i in &imports {
            let sha = i["artifact"].as_str().unwrap();
            assert!(
                resources
                    .iter()
                    .any(|r| r["rlinks"][0]["hashes"][0]["value"] == sha),
                "artifact {sha} missing"
            );
        }
        files.push(a);
    }
    let check = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/oscal/check_assessment_results.py"
    ));
    let mut args = vec![path_str(&check).to_owned()];
    args.extend(files.iter().map(|f| path_str(f).to_owned()));
    let out = std::process::Command::new(trestle_python())
        .args(&args)
        .output()
        .unwrap();
    let run = Run::from_output(out);
    run.expect_code(0);
    assert_eq!(run.stdout.matches("valid OSCAL").count(), 2, "{run:#?}");
}

/// Issue #19 in the exports: the not-assessed table holds exactly the items `analyze` lists
/// (apart from the findings, which hold none of them), and the metrics table carries the three
/// figures, with empty cells (never 0 or 1) where `metrics --json` says not assessed.
#[test]
fn not_assessed_items_and_credential_figures_are_exported() {
    let dir = tempfile::tempdir().unwrap();
    let ws = demo_workspace();
    let copy = demo_copy(dir.path());
    let analysed = run_ws(&copy, &["--json", "analyze"]).expect_code(0).json();
    let items = analysed["not_assessed_items"].as_array().unwrap().clone();
    assert!(
        !items.is_empty(),
        "the demo plants credentials without last-used dates"
    );

    let out = dir.path().join("not-assessed.json");
    export(ws, "not-assessed", "json", "nist-csf-2.0", &out).expect_code(0);
    let table: serde_json::Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    let rows = table["rows"].as_array().unwrap();
    assert_eq!(rows.len(), items.len());
    for (row, item) in rows.iter().zip(&items) {
        for column in [
            "check",
            "identity",
            "system",
            "account",
            "credential",
            "reason",
        ] {
            assert_eq!(row[column], item[column], "{column}");
        }
        assert_eq!(row["evidence"], item["evidence"]);
        assert!(!row["controls"].as_str().unwrap_or("").is_empty(), "{row}");
    }
    let csv = dir.path().join("not-assessed.csv");
    export(ws, "not-assessed", "csv", "nist-csf-2.0", &csv).expect_code(0);
    let text = std::fs::read_to_string(&csv).unwrap();
    assert!(text.starts_with("check,identity,system,account,credential,reason,evidence"));
    assert_eq!(text.lines().count(), items.len() + 1);

    let findings = dir.path().join("findings.json");
    export(ws, "findings", "json", "nist-csf-2.0", &findings).expect_code(0);
    let findings: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&findings).unwrap()).unwrap();
    for item in &items {
        assert!(
            !findings["rows"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f["check"] == item["check"] && f["entitlement"] == item["credential"]),
            "a not-assessed item is not a finding: {item}"
        );
    }

    let figures = run_ws(ws, &["--json", "metrics"]).expect_code(0).json()
        ["credentials_and_emergency_access"]
        .clone();
    let metrics = dir.path().join("metrics.json");
    export(ws, "metrics", "json", "nist-csf-2.0", &metrics).expect_code(0);
    let metrics: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&metrics).unwrap()).unwrap();
    let row = |name: &str| {
        metrics["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["metric"] == name)
            .unwrap_or_else(|| panic!("no {name} row"))
            .clone()
    };
    for (name, key) in [
        ("leaver_credentials_revoked", "leaver_credentials_revoked"),
        (
            "emergency_uses_reviewed_in_time",
            "emergency_uses_reviewed_in_time",
        ),
    ] {
        let (r, judged, f) = (row(name), row(&format!("{name}_judged")), &figures[key]);
        if f.is_null() {
            assert!(r["count"].is_null() && r["value"].is_null(), "{name}: {r}");
            assert!(judged["count"].is_null(), "{name}: {judged}");
        } else {
            assert_eq!(r["count"], f["part"], "{name}");
            assert_eq!(judged["count"], f["whole"], "{name}");
            assert_eq!(r["value"], f["ratio"], "{name}");
        }
    }
    let age = row("credential_age_median_hours");
    assert_eq!(age["count"].is_null(), figures["credential_age"].is_null());

    // The controls its check maps to name the items as missing evidence; they are never
    // evidence, so no control is met on them.
    let controls = dir.path().join("controls.json");
    export(ws, "controls", "json", "nist-csf-2.0", &controls).expect_code(0);
    let controls: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&controls).unwrap()).unwrap();
    let check = items[0]["check"].as_str().unwrap();
    let mapped = items[0]["check"].clone();
    let rows = controls["rows"].as_array().unwrap();
    let naming: Vec<&serde_json::Value> = rows
        .iter()
        .filter(|c| {
            c["missing_evidence"]
                .as_str()
                .is_some_and(|m| m.contains(&format!("{check}: ")))
        })
        .collect();
    assert!(!naming.is_empty(), "no control names {mapped}'s items");
    for c in rows {
        if c["status"] == "met" {
            assert_ne!(c["evidence"], 0, "{c}");
        }
    }
}
