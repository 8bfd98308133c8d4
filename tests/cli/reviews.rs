//! `evidentia reviews` on the demo: every campaign with its population drawn from the systems'
//! snapshots, each revoke followed to the entries that prove it, and the exports beside it.

use crate::export::demo_workspace;
use crate::{run_ws, verify_intact};

#[test]
fn reviews_lists_every_campaign_with_its_population_and_revoke_chains() {
    let ws = demo_workspace();
    let json = run_ws(ws, &["--json", "reviews"]).expect_code(0).json();
    let campaigns = json["campaigns"].as_array().unwrap();
    let ids: Vec<&str> = campaigns
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&"UAR-2025-Q1-PRIV"), "{ids:?}");
    assert!(
        ids.len() >= 4,
        "the demo runs a campaign a quarter: {ids:?}"
    );
    for c in campaigns {
        let systems = c["systems"].as_array().unwrap();
        assert!(!systems.is_empty(), "{c}");
        let population: u64 = systems
            .iter()
            .map(|s| s["population"].as_u64().unwrap())
            .sum();
        assert_eq!(c["population"].as_u64(), Some(population), "{c}");
        assert!(c["decided"].as_u64().unwrap() <= population, "{c}");
        for s in systems {
            // Every established population names the snapshot entries it was drawn from.
            if s["snapshot_at"].is_string() {
                assert!(!s["snapshot_entries"].as_array().unwrap().is_empty(), "{s}");
            }
        }
    }
    // Each revoke names its decision entry; a removal proven in the log names its entry too,
    // and every cited entry exists in the ledger.
    let revokes: Vec<&serde_json::Value> = campaigns
        .iter()
        .flat_map(|c| c["revokes"].as_array().unwrap())
        .collect();
    assert!(revokes.iter().any(|r| r["status"] == "late"));
    assert!(revokes.iter().any(|r| r["status"] == "not_executed"));
    assert!(revokes.iter().any(|r| r["status"] == "on_time"));
    let head = verify_intact(ws)["entries"].as_u64().unwrap();
    for r in &revokes {
        let decision = r["decision_entry"].as_u64().unwrap();
        assert!(decision >= 1 && decision <= head);
        if r["status"] == "late" || r["status"] == "on_time" {
            let removal = r["removal_entry"].as_u64().unwrap_or_else(|| panic!("{r}"));
            let entry = run_ws(
                ws,
                &[
                    "--json",
                    "log",
                    "--from",
                    &removal.to_string(),
                    "--limit",
                    "1",
                ],
            )
            .expect_code(0)
            .json_lines();
            assert_eq!(entry[0]["kind"], "record.execution_set", "{r}");
        }
    }
}

#[test]
fn one_campaign_can_be_shown_and_an_unknown_one_is_named() {
    let ws = demo_workspace();
    let text = run_ws(ws, &["reviews", "--campaign", "UAR-2025-Q1-PRIV"]);
    text.expect_code(0);
    assert!(text.stdout.starts_with("UAR-2025-Q1-PRIV"), "{text:#?}");
    assert!(!text.stdout.contains("UAR-2025-Q2-ENG"), "{text:#?}");
    let unknown = run_ws(ws, &["reviews", "--campaign", "NOPE"]);
    unknown.expect_one_line_error();
    assert!(
        unknown.stderr.contains("no campaign \"NOPE\"")
            && unknown.stderr.contains("UAR-2025-Q1-PRIV"),
        "{unknown:#?}"
    );
}

#[test]
fn review_findings_carry_their_campaign() {
    let ws = demo_workspace();
    let json = run_ws(ws, &["--json", "findings", "--check", "EV-REVIEW-OVERDUE"])
        .expect_code(0)
        .json();
    let findings = json.as_array().unwrap();
    assert!(!findings.is_empty());
    for f in findings {
        assert!(f["campaign"].is_string(), "{f}");
        assert!(!f["evidence"].as_array().unwrap().is_empty(), "{f}");
    }
}
