//! A server workspace's event-chain projection lives in this client's cache directory, not on
//! the server, so a reader (who may not write the server) can still page events. The test runs
//! itself again as a child process whose `EVIDENTIA_CACHE_DIR` is a temporary directory.
#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.

use evidentia_store::{
    Access, EventChainFilter, EventChainRow, EvidenceStore, ProjectionRun, Workspace,
};
use sqlx::{Connection, Executor};

const T0: &str = "2026-01-01T00:00:00.000000Z";

fn row(seq: u64, identity: &str) -> EventChainRow {
    EventChainRow {
        event_seq: seq,
        event_id: format!("EV-{seq}"),
        identity: identity.into(),
        identity_kind: "human".into(),
        event_kind: "joiner".into(),
        effective_at: "2026-01-01T00:00:00Z".into(),
        status: "late".into(),
        systems: vec![("okta".into(), "late".into())],
        links: vec![1, 0, 0xff],
        new_terms: if seq == 1 {
            vec!["okta".into()]
        } else {
            Vec::new()
        },
    }
}

fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.find('?') {
        Some(q) => (&url[..q], &url[q..]),
        None => (url, ""),
    };
    let authority = base.find("://").map_or(0, |i| i + 3);
    let path = base[authority..]
        .find('/')
        .map_or(base.len(), |i| authority + i);
    format!("{}/{name}{query}", &base[..path])
}

const CHILD_ENV: &str = "EVIDENTIA_PROJECTION_CHILD";

#[test]
fn a_reader_writes_and_pages_the_projection_in_its_local_cache() {
    if std::env::var_os("EVIDENTIA_TEST_PG_URL").is_none() {
        eprintln!("SKIPPED: EVIDENTIA_TEST_PG_URL is not set");
        return;
    }
    let cache = tempfile::tempdir().unwrap();
    let output = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "in_a_child", "--nocapture", "--test-threads=1"])
        .env(CHILD_ENV, "1")
        .env("EVIDENTIA_CACHE_DIR", cache.path())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(text.contains("1 passed"), "{text}");
    // The cache is a file named after the workspace, where the variable pointed.
    let file = cache.path().join("projections").join("team-eng.sqlite");
    assert!(file.is_file(), "{}", file.display());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_a_child() {
    if std::env::var_os(CHILD_ENV).is_none() {
        return;
    }
    let admin_url = std::env::var("EVIDENTIA_TEST_PG_URL").unwrap();
    let cache = std::path::PathBuf::from(std::env::var_os("EVIDENTIA_CACHE_DIR").unwrap());
    let name = format!("evt_projection_{}", std::process::id());
    let url = with_database(&admin_url, &name);
    let outcome = async {
        let ws = Workspace::create(url.as_str(), "team-eng", T0, "tests")
            .await
            .unwrap();
        let mut batch = ws.begin().await.unwrap();
        for i in 0..4u64 {
            batch
                .append(
                    "record.lifecycle_event",
                    T0,
                    format!("{{\"i\":{i}}}").into_bytes(),
                )
                .await
                .unwrap();
        }
        batch.commit().await.unwrap();
        ws.close().await;

        // Opened read-only, as an auditor without write access would.
        let ws = Workspace::open(url.as_str(), Access::ReadOnly)
            .await
            .unwrap();
        assert_eq!(ws.event_chain_run().await.unwrap(), None);
        let mut writer = ws.event_chain_writer(4).unwrap();
        for (seq, who) in [(1, "alice"), (2, "Bob"), (3, "bob.k")] {
            writer.push(row(seq, who)).await.unwrap();
        }
        assert_eq!(writer.finish().await.unwrap(), 3);
        assert_eq!(
            ws.event_chain_run().await.unwrap(),
            Some(ProjectionRun {
                run_seq: 4,
                events: 3
            })
        );
        let filter = EventChainFilter {
            identity_prefix: Some("bo".into()),
            ..EventChainFilter::default()
        };
        let (page, count) = ws.event_chain_page(&filter, 0, 10).await.unwrap();
        assert_eq!(page.len(), 2);
        assert_eq!(count.events, 2);
        let refs = ws.entry_refs(&[3, 1, 99]).await.unwrap();
        assert_eq!(refs.iter().map(|r| r.seq).collect::<Vec<_>>(), vec![1, 3]);
        assert_eq!(
            refs[0].entry_hash,
            ws.entries(1, 1).await.unwrap()[0].entry_hash
        );
        assert_eq!(ws.head().await.unwrap().count, 4);
        ws.close().await;

        // The cache is a file named after the workspace; the server holds no projection.
        let file = cache.join("projections").join("team-eng.sqlite");
        assert!(file.is_file(), "{}", file.display());
        let mut conn = sqlx::PgConnection::connect(&url).await.unwrap();
        let projection_tables: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM pg_tables WHERE tablename LIKE 'event_chain%'",
        )
        .fetch_one(&mut conn)
        .await
        .unwrap();
        assert_eq!(projection_tables, 0);
        conn.close().await.unwrap();

        // A second client process (a fresh open) finds the same cache.
        let ws = Workspace::open(url.as_str(), Access::ReadOnly)
            .await
            .unwrap();
        assert_eq!(
            ws.event_chain_run().await.unwrap().map(|r| r.events),
            Some(3)
        );
        ws.close().await;
    }
    .await;
    if let Ok(mut admin) = sqlx::PgConnection::connect(&admin_url).await {
        let _ = admin
            .execute(sqlx::AssertSqlSafe(format!(
                "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
            )))
            .await;
        let _ = admin.close().await;
    }
    outcome
}
