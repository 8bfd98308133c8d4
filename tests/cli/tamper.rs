//! Tampering through another program (the sqlite3 tool) is what the hash chain exists to catch.

use crate::{entry_count, init_ws, provisioning_csv, run_ws, sql, sqlite3, write};

#[test]
fn payload_changed_with_sqlite3_is_reported_with_its_entry() {
    let Some(sqlite3) = sqlite3() else { return };
    let dir = tempfile::tempdir().unwrap();
    let ws = init_ws(dir.path());
    let file = write(dir.path(), "grants.csv", provisioning_csv("t", 3));
    run_ws(
        &ws,
        &[
            "import",
            "--profile",
            "provisioning-csv",
            file.to_str().unwrap(),
        ],
    )
    .expect_code(0);
    assert!(
        entry_count(&ws) >= 4,
        "the import must append entries beyond seq 3"
    );

    sql(
        &sqlite3,
        &ws,
        "DROP TRIGGER ledger_entries_no_update; UPDATE ledger_entries SET payload = CAST('{}' AS BLOB) WHERE seq = 3;",
    );

    let text = run_ws(&ws, &["verify"]);
    text.expect_code(3);
    assert!(
        text.stdout.contains("entry 3"),
        "stdout must name entry 3: {text:#?}"
    );

    let json = run_ws(&ws, &["--json", "verify"]);
    json.expect_code(3);
    let report = json.json();
    assert_eq!(report["intact"], serde_json::Value::Bool(false), "{report}");
    assert_eq!(report["failed_seq"], 3, "{report}");
}
