//! A fresh workspace verifies: the minimum a user does after `init`.

use crate::{init_ws, run_ws};

#[test]
fn init_then_verify_is_intact() {
    let dir = tempfile::tempdir().unwrap();
    let ws = init_ws(dir.path());
    assert!(ws.is_file(), "init must create the workspace file");

    let text = run_ws(&ws, &["verify"]);
    text.expect_code(0);
    assert!(text.stdout.starts_with("intact:"), "{text:#?}");

    let json = run_ws(&ws, &["--json", "verify"]);
    json.expect_code(0);
    let report = json.json();
    assert_eq!(report["intact"], serde_json::Value::Bool(true), "{report}");
    assert_eq!(
        report["entries"], 2,
        "init records the workspace's creation and its signing key: {report}"
    );
    assert!(report["failed_seq"].is_null(), "{report}");
}
