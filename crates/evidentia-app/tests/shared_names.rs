//! The evidence read from a workspace holds one copy of each name its rows repeat (an account on every listing row and execution), and of each listing's coverage.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{TimeZone, Utc};
use evidentia_store::{Access, EvidenceStore, Workspace};

#[tokio::test]
async fn an_account_named_by_many_rows_is_read_once() {
    let dir = tempfile::tempdir().unwrap();
    let ws = evidentia_app::Location::from(dir.path().join("demo.evidentia"));
    let now = Utc.with_ymd_and_hms(2026, 1, 15, 9, 0, 0).single().unwrap();
    evidentia_app::build_embedded_demo(&ws, now).await.unwrap();
    let store = Workspace::open(&ws, Access::ReadOnly).await.unwrap();
    let head = store.head().await.unwrap();
    let evidence = evidentia_app::load_evidence(&store, head.count)
        .await
        .unwrap();

    // Every account named by two or more rows (listings and executions, read from different
    // entries) is one copy.
    let mut first: std::collections::HashMap<&str, &evidentia_domain::Name> =
        std::collections::HashMap::new();
    let names = evidence
        .reconciliations
        .iter()
        .map(|r| &r.record.account)
        .chain(evidence.executions.iter().map(|x| &x.record.account));
    let (mut repeated, mut apart) = (0, Vec::new());
    for name in names {
        match first.get(name.as_str()) {
            Some(earlier) => {
                repeated += 1;
                if !earlier.is_shared_with(name) {
                    apart.push(name.to_string());
                }
            }
            None => {
                first.insert(name.as_str(), name);
            }
        }
    }
    assert!(repeated > 100, "the demo repeats accounts: {repeated}");
    assert!(apart.is_empty(), "read apart: {apart:?}");

    // Rows with equal coverage share one.
    let covered: Vec<_> = evidence
        .reconciliations
        .iter()
        .filter_map(|r| r.record.coverage.as_ref())
        .collect();
    let equal: Vec<_> = covered.windows(2).filter(|p| p[0] == p[1]).collect();
    assert!(
        !equal.is_empty(),
        "the demo's listings state their coverage"
    );
    assert!(equal.iter().all(|p| std::sync::Arc::ptr_eq(p[0], p[1])));

    // Outside the load nothing is shared: the table lived only while the ledger was read.
    let a = evidentia_domain::Name::from("alice@example.com");
    let b = evidentia_domain::Name::from("alice@example.com");
    assert!(!a.is_shared_with(&b));
}
