//! The engine against the sample organisation's answer key: the demo workspace is built from
//! evidence-samples/ through the real importers, analysed, and its findings compared with
//! every planted finding and clean look-alike.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::path::Path;

use chrono::TimeZone;

type Key = (
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

fn key_of(v: &serde_json::Value) -> Key {
    let s = |k: &str| v.get(k).and_then(|x| x.as_str()).map(str::to_owned);
    (
        s("check").unwrap_or_default(),
        s("identity"),
        s("system"),
        s("account"),
        s("entitlement"),
        s("exception"),
    )
}

#[tokio::test]
async fn findings_equal_the_answer_key_for_every_check() {
    let samples = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../evidence-samples"
    ));
    let key: serde_json::Value =
        serde_json::from_slice(&std::fs::read(samples.join("answer-key.json")).unwrap()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("demo.evidentia");
    let now = chrono::Utc
        .with_ymd_and_hms(2026, 1, 15, 9, 0, 0)
        .single()
        .unwrap();
    evidentia_app::build_demo(samples, &ws, now).await.unwrap();
    let run = evidentia_app::analyze_workspace(&ws, None, now, false)
        .await
        .unwrap();

    let found: BTreeSet<Key> = run
        .analysis
        .findings
        .iter()
        .map(|f| {
            (
                f.check.to_owned(),
                f.identity.as_ref().map(|x| x.to_string()),
                f.system.as_ref().map(|x| x.to_string()),
                f.account.clone(),
                f.entitlement.clone(),
                f.exception.as_ref().map(|x| x.to_string()),
            )
        })
        .collect();
    let planted: BTreeSet<Key> = key["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(key_of)
        .collect();
    let clean: Vec<Key> = key["clean_cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(key_of)
        .collect();

    let mut failures = Vec::new();
    for check in evidentia_rules::IMPLEMENTED_CHECKS {
        let expected: BTreeSet<&Key> = planted.iter().filter(|k| k.0 == *check).collect();
        let got: BTreeSet<&Key> = found.iter().filter(|k| k.0 == *check).collect();
        let hits = expected.intersection(&got).count() as f64;
        let precision = if got.is_empty() {
            1.0
        } else {
            hits / got.len() as f64
        };
        let recall = if expected.is_empty() {
            1.0
        } else {
            hits / expected.len() as f64
        };
        println!(
            "{check:<42} precision {precision:.2} recall {recall:.2} ({} planted)",
            expected.len()
        );
        if precision < 1.0 || recall < 1.0 {
            failures.push(format!(
                "{check}: missing {:?}, unexpected {:?}",
                expected.difference(&got).collect::<Vec<_>>(),
                got.difference(&expected).collect::<Vec<_>>()
            ));
        }
        assert!(!expected.is_empty(), "the answer key plants no {check}");
    }
    for case in &clean {
        if evidentia_rules::IMPLEMENTED_CHECKS.contains(&case.0.as_str()) {
            let flagged = found
                .iter()
                .any(|f| f.0 == case.0 && f.1 == case.1 && f.2 == case.2);
            if flagged {
                failures.push(format!("clean case flagged: {case:?}"));
            }
        }
    }
    let pending: Vec<_> = key["counts"]
        .as_object()
        .unwrap()
        .keys()
        .filter(|c| !evidentia_rules::IMPLEMENTED_CHECKS.contains(&c.as_str()))
        .collect();
    assert!(
        pending.is_empty(),
        "the answer key plants checks the engine does not run: {pending:?}"
    );
    assert!(
        failures.is_empty(),
        "findings differ from the answer key:\n{}",
        failures.join("\n")
    );
}

/// No control is reported met without evidence: for both built-in frameworks, every control
/// marked met has at least one mapped check that examined something in the period, and a
/// control no check evidences is "not assessed", never met.
#[tokio::test]
async fn no_control_is_met_without_evidence() {
    let samples = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../evidence-samples"
    ));
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("demo.evidentia");
    let now = chrono::Utc
        .with_ymd_and_hms(2026, 1, 15, 9, 0, 0)
        .single()
        .unwrap();
    evidentia_app::build_demo(samples, &ws, now).await.unwrap();
    let run = evidentia_app::analyze_workspace(&ws, None, now, false)
        .await
        .unwrap();
    for framework in ["nist-csf-2.0", "owasp-nhi-2025"] {
        let rows = evidentia_app::control_status(&run, framework).unwrap();
        assert!(!rows.is_empty(), "{framework} has no controls");
        let mut met = 0;
        for row in &rows {
            let examined: usize = row
                .checks
                .iter()
                .map(|c| run.analysis.examined.get(c.as_str()).copied().unwrap_or(0))
                .sum();
            match row.status {
                evidentia_app::ControlStatus::Met => {
                    met += 1;
                    assert!(
                        row.evidence >= 1 && examined >= 1,
                        "{framework} {} met without evidence",
                        row.id
                    );
                    assert_eq!(row.findings, 0, "{framework} {} met with findings", row.id);
                }
                evidentia_app::ControlStatus::NotAssessed => {
                    assert_eq!(row.evidence, 0, "{} has evidence", row.id)
                }
                evidentia_app::ControlStatus::Findings => assert!(row.findings >= 1),
            }
            if row.checks.is_empty() {
                assert_eq!(
                    row.status,
                    evidentia_app::ControlStatus::NotAssessed,
                    "{} has no checks",
                    row.id
                );
            }
        }
        println!("{framework}: {} controls, {met} met", rows.len());
    }
}
