//! Management responses on the demo organisation, through the binary: recorded as ledger
//! entries, seen in `responses`, `findings`, the findings export and OSCAL, and refused
//! whole (nothing appended) on bad input.

use crate::export::demo_copy;
use crate::*;

/// The demo policy's period ends 2025-12-31, so its findings are judged as of 2026-01-01.
const AS_OF: &str = "2026-01-01";

/// The findings of `findings --json` (optionally at another as-of).
fn findings(ws: &Path, extra: &[&str]) -> Vec<serde_json::Value> {
    let mut args = vec!["--json", "findings"];
    args.extend_from_slice(extra);
    run_ws(ws, &args)
        .expect_code(0)
        .json()
        .as_array()
        .unwrap()
        .clone()
}

fn respond(ws: &Path, args: &[&str]) -> Run {
    let mut all = vec!["respond"];
    all.extend_from_slice(args);
    run_ws(ws, &all)
}

/// The ledger's head: entry count and head hash, from `verify --json` (which must pass).
fn head(ws: &Path) -> (u64, String) {
    let v = verify_intact(ws);
    (
        v["entries"].as_u64().unwrap(),
        v["head_hash"].as_str().unwrap().to_owned(),
    )
}

fn find<'a>(list: &'a [serde_json::Value], id: &str) -> &'a serde_json::Value {
    list.iter()
        .find(|f| f["id"] == id)
        .unwrap_or_else(|| panic!("finding {id} not listed"))
}

#[test]
fn a_response_is_recorded_kept_in_history_and_shown_everywhere() {
    let dir = tempfile::tempdir().unwrap();
    let ws = demo_copy(dir.path());
    let listed = findings(&ws, &[]);
    // Every finding has an id of the documented shape, and ids are unique.
    let ids: std::collections::BTreeSet<&str> =
        listed.iter().map(|f| f["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), listed.len(), "finding ids collide");
    assert!(ids.iter().all(|id| id.len() == 14 && id.starts_with("F-")));
    // The same finding keeps its id from one analysis to the next.
    assert_eq!(findings(&ws, &[]), listed);
    let target = listed
        .iter()
        .find(|f| f["check"] == "EV-LEAVER-NOT-REVOKED")
        .expect("the demo has a leaver not revoked");
    let id = target["id"].as_str().unwrap().to_owned();
    assert!(target["response"].is_null());
    let (before, _) = head(&ws);

    let first = respond(
        &ws,
        &[
            &id,
            "--owner",
            "IAM team",
            "--due",
            AS_OF,
            "--status",
            "open",
            "--response",
            "Acknowledged; owner assigned.",
            "--json",
        ],
    );
    first.expect_code(0);
    let first = first.json();
    assert_eq!(first["response"]["entry"].as_u64(), Some(before + 1));
    assert_eq!(first["response"]["finding"], id.as_str());
    assert_eq!(first["response"]["check"], target["check"]);
    assert_eq!(first["response"]["identity"], target["identity"]);
    let second = respond(
        &ws,
        &[
            &id,
            "--owner",
            "Head of IT",
            "--due",
            "2026-02-15",
            "--status",
            "risk-accepted",
            "--accepted-until",
            "2099-12-31",
            "--response",
            "Legacy payroll link; replaced in the next release.",
            "--by",
            "CISO office",
        ],
    );
    second.expect_code(0);
    assert!(second.stdout.contains(&id), "{second:#?}");
    assert_eq!(head(&ws).0, before + 2, "one entry per response");

    // The ledger holds both as `finding.response` entries, payload as documented.
    let entries = run_ws(
        &ws,
        &[
            "--json",
            "log",
            "--kind",
            "finding.response",
            "--limit",
            "100",
        ],
    )
    .expect_code(0)
    .json_lines();
    assert_eq!(entries.len(), 2);
    let payload = &entries[1]["payload"];
    let mut keys: Vec<&str> = payload
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "accepted_until",
            "account",
            "campaign",
            "check",
            "due",
            "entitlement",
            "exception",
            "finding",
            "identity",
            "owner",
            "recorded_by",
            "response",
            "status",
            "system"
        ]
    );
    assert_eq!(payload["status"], "risk-accepted");
    assert_eq!(payload["accepted_until"], "2099-12-31");
    assert_eq!(payload["recorded_by"], "CISO office");
    assert!(entries[0]["payload"]["accepted_until"].is_null());

    // History keeps both; the latest is current.
    let history = run_ws(&ws, &["--json", "responses"]).expect_code(0).json();
    let history = history.as_array().unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(history[0]["status"], "open");
    assert_eq!(history[0]["current"], false);
    assert_eq!(history[1]["status"], "risk-accepted");
    assert_eq!(history[1]["current"], true);
    let text = run_ws(&ws, &["responses"]).expect_code(0).stdout.clone();
    assert!(
        text.contains("current (1 findings)") && text.contains("history (2 entries)"),
        "{text}"
    );

    // `findings` shows the current response, not expired as of the period.
    let after = findings(&ws, &[]);
    let shown = &find(&after, &id)["response"];
    assert_eq!(shown["status"], "risk-accepted");
    assert_eq!(shown["owner"], "Head of IT");
    assert_eq!(shown["due"], "2026-02-15");
    assert_eq!(shown["accepted_until"], "2099-12-31");
    assert_eq!(shown["expired"], false);
    assert_eq!(shown["entry"].as_u64(), Some(before + 2));
    assert!(
        after.iter().filter(|f| !f["response"].is_null()).count() == 1,
        "only the responded finding has a response"
    );
    let text = run_ws(&ws, &["findings"]).expect_code(0).stdout.clone();
    let line = text.lines().find(|l| l.starts_with(&id)).unwrap();
    assert!(
        line.contains("[response: risk-accepted, owner Head of IT"),
        "{line}"
    );

    // Judged after the acceptance ran out, the same finding (a leaver still not revoked is
    // still one in 2100) shows it expired.
    let later = findings(&ws, &["--as-of", "2100-06-01"]);
    assert_eq!(find(&later, &id)["response"]["expired"], true);

    // The findings export: id and current response in columns appended at the end.
    let csv_path = dir.path().join("findings.csv");
    run_ws(
        &ws,
        &[
            "export",
            "findings",
            "--format",
            "csv",
            "--out",
            path_str(&csv_path),
        ],
    )
    .expect_code(0);
    let csv = std::fs::read_to_string(&csv_path).unwrap();
    let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
    assert_eq!(&header[..3], ["check", "severity", "identity"]);
    // Then the rows of set entries it cites (empty for a finding about whole entries).
    assert_eq!(
        &header[header.len() - 8..],
        [
            "finding_id",
            "response_status",
            "response_owner",
            "response_due",
            "response_accepted_until",
            "response_expired",
            "response_entry",
            "evidence_rows"
        ]
    );
    let row = csv.lines().find(|l| l.contains(&id)).unwrap();
    let entry = (before + 2).to_string();
    assert!(
        row.ends_with(&format!(
            "{id},risk-accepted,Head of IT,2026-02-15,2099-12-31,false,{entry},"
        )),
        "{row}"
    );
    // The responses export: the full history.
    let json_path = dir.path().join("responses.json");
    run_ws(
        &ws,
        &[
            "export",
            "responses",
            "--format",
            "json",
            "--out",
            path_str(&json_path),
        ],
    )
    .expect_code(0);
    let exported: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&json_path).unwrap()).unwrap();
    let rows = exported["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 2, "{exported:#}");
    assert_eq!(rows[1]["finding_id"], id.as_str());
    assert_eq!(rows[1]["current"], true);

    // OSCAL: a risk beside the finding's observation, linked from the control finding. A
    // second finding in remediation gives trestle a risk with a remediation to validate too.
    let other = listed.iter().find(|f| f["id"] != id.as_str()).unwrap();
    let other_id = other["id"].as_str().unwrap();
    respond(
        &ws,
        &[
            other_id,
            "--owner",
            "IAM team",
            "--due",
            "2026-03-01",
            "--status",
            "in-remediation",
            "--response",
            "Fixing.",
        ],
    )
    .expect_code(0);
    let oscal_path = dir.path().join("ar.json");
    run_ws(&ws, &["export", "oscal", "--out", path_str(&oscal_path)]).expect_code(0);
    let doc: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&oscal_path).unwrap()).unwrap();
    let result = &doc["assessment-results"]["results"][0];
    let risks = result["risks"].as_array().unwrap();
    assert_eq!(risks.len(), 2);
    let has_finding_id = |item: &serde_json::Value, fid: &str| {
        item["props"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["name"] == "finding-id" && p["value"] == fid)
    };
    let remediating = risks.iter().find(|r| has_finding_id(r, other_id)).unwrap();
    assert_eq!(remediating["status"], "remediating");
    assert_eq!(remediating["deadline"], "2026-03-01T23:59:59Z");
    assert_eq!(remediating["remediations"][0]["lifecycle"], "planned");
    let risk = risks.iter().find(|r| has_finding_id(r, &id)).unwrap();
    assert_eq!(risk["status"], "risk-accepted");
    assert_eq!(risk["deadline"], "2099-12-31T23:59:59Z");
    assert!(
        risk["statement"]
            .as_str()
            .unwrap()
            .contains("Legacy payroll link"),
        "{risk}"
    );
    let observation = result["observations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| has_finding_id(o, &id))
        .unwrap();
    assert_eq!(
        risk["related-observations"][0]["observation-uuid"],
        observation["uuid"]
    );
    let linked = result["findings"].as_array().unwrap().iter().any(|f| {
        f["related-risks"]
            .as_array()
            .is_some_and(|r| r.iter().any(|r| r["risk-uuid"] == risk["uuid"]))
    });
    assert!(linked, "no control finding names the risk");
    check_with_trestle(&oscal_path);

    // The PDF report shows the finding's current response: status, owner, the acceptance's
    // date, the text and the entry that recorded it.
    let pdf = dir.path().join("report.pdf");
    run_ws(
        &ws,
        &[
            "report",
            "--framework",
            "nist-csf-2.0",
            "--out",
            path_str(&pdf),
        ],
    )
    .expect_code(0);
    let text = crate::report::run_tool("pdftotext", &[path_str(&pdf), "-"]);
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    // The framework's findings but the two with a response (both map to it).
    let mapped = run_ws(&ws, &["--json", "findings", "--framework", "nist-csf-2.0"])
        .expect_code(0)
        .json();
    let without = mapped.as_array().unwrap().len() - 2;
    let counted = format!("1 risk accepted; {without} findings without a response.");
    for wanted in [
        "Response (risk accepted, Head of IT",
        "accepted until 2099-12-31",
        "Legacy payroll link; replaced in the next release.",
        counted.as_str(),
    ] {
        let at = text.find("Management responses").unwrap_or(0);
        assert!(
            text.contains(wanted),
            "the report lacks {wanted:?}: {}",
            &text[at..(at + 200).min(text.len())]
        );
    }
    assert!(
        !text.contains("Acknowledged; owner assigned."),
        "the report shows a response that is no longer current"
    );

    verify_intact(&ws);
}

/// Validates an assessment-results file with compliance-trestle's models (the venv
/// `make oscal-check` and the export tests make).
fn check_with_trestle(file: &Path) {
    let venv = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../target/trestle-venv"
    ));
    let python = venv.join("bin/python");
    let check = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/oscal/check_assessment_results.py"
    ));
    let out = std::process::Command::new(&python)
        .arg(&check)
        .arg(file)
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "cannot run {} ({e}): `make oscal-check` makes the trestle venv",
                python.display()
            )
        });
    let run = Run::from_output(out);
    run.expect_code(0);
    assert!(run.stdout.contains("valid OSCAL"), "{run:#?}");
}

#[test]
fn bad_responses_are_refused_whole() {
    let dir = tempfile::tempdir().unwrap();
    let ws = demo_copy(dir.path());
    let id = findings(&ws, &[])[0]["id"].as_str().unwrap().to_owned();
    let before = head(&ws);
    let cases: Vec<(Vec<&str>, String)> = vec![
        (
            vec![
                "F-000000000000",
                "--owner",
                "IAM",
                "--due",
                "2026-02-01",
                "--status",
                "open",
            ],
            format!("no finding F-000000000000 in this workspace's analysis (as of {AS_OF})"),
        ),
        (
            vec![
                &id,
                "--owner",
                "IAM",
                "--due",
                "2025-06-30",
                "--status",
                "open",
            ],
            format!("due 2025-06-30 is before the finding (judged as of {AS_OF})"),
        ),
        (
            vec![
                &id,
                "--owner",
                "IAM",
                "--due",
                "2026-02-01",
                "--status",
                "risk-accepted",
            ],
            "an accepted risk needs an expiry".to_owned(),
        ),
        (
            vec![
                &id,
                "--owner",
                " ",
                "--due",
                "2026-02-01",
                "--status",
                "open",
            ],
            "the owner is empty".to_owned(),
        ),
        (
            vec![
                &id,
                "--owner",
                "IAM",
                "--due",
                "2026-02-01",
                "--status",
                "closed",
            ],
            "unknown status \"closed\"".to_owned(),
        ),
        (
            vec![
                &id, "--owner", "IAM", "--due", "tomorrow", "--status", "open",
            ],
            "due date \"tomorrow\" is not a date".to_owned(),
        ),
        (
            vec![
                &id,
                "--owner",
                "IAM",
                "--due",
                "2026-02-01",
                "--status",
                "open",
                "--accepted-until",
                "2099-01-01",
            ],
            "only for status risk-accepted".to_owned(),
        ),
    ];
    for (mut args, message) in cases {
        args.extend(["--response", "text"]);
        let run = respond(&ws, &args);
        run.expect_one_line_error();
        assert!(run.stderr.contains(&message), "{message:?} not in {run:#?}");
        assert_eq!(head(&ws), before, "{args:?} appended something");
    }
    let long = "x".repeat(4001);
    let run = respond(
        &ws,
        &[
            &id,
            "--owner",
            "IAM",
            "--due",
            "2026-02-01",
            "--status",
            "open",
            "--response",
            &long,
        ],
    );
    run.expect_one_line_error();
    assert!(run.stderr.contains("4001 characters"), "{run:#?}");
    assert_eq!(head(&ws), before);
    let history = run_ws(&ws, &["--json", "responses"]).expect_code(0).json();
    assert_eq!(history.as_array().unwrap().len(), 0);
}

/// A response edited behind Evidentia's back (its owner and status changed in the file): every
/// command that reads responses refuses the altered ledger (exit 3) and `respond` adds nothing.
#[test]
fn an_edited_response_is_caught_and_nothing_is_added() {
    let Some(sqlite3) = sqlite3() else { return };
    let dir = tempfile::tempdir().unwrap();
    let ws = demo_copy(dir.path());
    let id = findings(&ws, &[])[0]["id"].as_str().unwrap().to_owned();
    let args = [
        id.as_str(),
        "--owner",
        "IAM team",
        "--due",
        "2026-03-01",
        "--status",
        "in-remediation",
        "--response",
        "Fixing.",
    ];
    respond(&ws, &args).expect_code(0);
    let (count, _) = head(&ws);
    sql(
        &sqlite3,
        &ws,
        &format!(
            "DROP TRIGGER ledger_entries_no_update; \
             UPDATE ledger_entries SET payload = CAST(REPLACE(CAST(payload AS TEXT), 'in-remediation', 'remediated') AS BLOB) WHERE seq = {count};"
        ),
    );
    run_ws(&ws, &["verify"]).expect_code(3);
    for command in [
        &["responses"][..],
        &["findings"],
        &["export", "responses", "--out", "r.csv"],
    ] {
        let r = run_ws(&ws, command);
        r.expect_code(3);
        assert!(r.stderr.contains("altered"), "{command:?}: {r:#?}");
    }
    respond(&ws, &args).expect_code(3);
    let stored = run_ws(&ws, &["--json", "log", "--kind", "finding.response"])
        .expect_code(0)
        .json_lines();
    assert_eq!(
        stored.len(),
        1,
        "nothing was appended to the altered ledger"
    );
}
