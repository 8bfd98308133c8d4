//! The Events table's projection against the analysis it caches: the demo organisation is
//! built from evidence-samples/, analysed (which writes the projection), and every page, filter
//! and chain detail read back from SQLite must equal the chains the engine computed.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use chrono::{DateTime, TimeZone, Utc};
use evidentia_app::{
    AppError, EventChain, EventFilter, IdentityClass, LinkStatus, Location, PageRequest,
    event_chain, events_run, list_events,
};

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 15, 9, 0, 0).single().unwrap()
}

async fn demo(dir: &Path) -> Location {
    let samples = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../evidence-samples"
    ));
    let ws = Location::from(dir.join("demo.evidentia"));
    evidentia_app::build_demo(samples, &ws, now())
        .await
        .unwrap();
    ws
}

/// Every matching event, read page by page.
async fn all_pages(ws: &Location, filter: &EventFilter, limit: u64) -> (Vec<u64>, u64) {
    let mut seqs = Vec::new();
    let total;
    loop {
        let page = list_events(
            ws,
            filter,
            PageRequest {
                offset: seqs.len() as u64,
                limit,
            },
        )
        .await
        .unwrap();
        if page.rows.is_empty() {
            total = page.total;
            break;
        }
        seqs.extend(page.rows.iter().map(|r| r.event_seq));
    }
    (seqs, total)
}

fn seqs<'a>(chains: impl Iterator<Item = &'a EventChain>) -> Vec<u64> {
    chains.map(|c| c.seq).collect()
}

#[tokio::test]
async fn the_projection_equals_the_recorded_analysis() {
    let dir = tempfile::tempdir().unwrap();
    let ws = demo(dir.path()).await;
    assert_eq!(
        events_run(&ws).await.unwrap(),
        None,
        "no analysis recorded yet"
    );
    let err = event_chain(&ws, 1).await.unwrap_err();
    assert!(err.to_string().contains("run the analysis"), "{err}");

    let run = evidentia_app::record_analysis(&ws, None, Some("tester"), now())
        .await
        .unwrap();
    let chains = &run.analysis.chains;
    assert!(chains.len() > 50, "the demo has events: {}", chains.len());
    let shown = events_run(&ws).await.unwrap().unwrap();
    assert_eq!(Some(shown.run_seq), run.recorded_at_seq);
    assert_eq!(shown.events, chains.len() as u64);
    assert!(shown.statuses.iter().any(|s| s == "complete"));
    assert!(shown.systems.len() > 2, "{:?}", shown.systems);

    // Unfiltered, in odd-sized pages: every event once, in the analysis's order.
    let (all, total) = all_pages(&ws, &EventFilter::default(), 37).await;
    assert_eq!(all, seqs(chains.iter()));
    assert_eq!(total, chains.len() as u64);

    // Filters, each against the engine's own chains.
    let cases: Vec<(EventFilter, Vec<u64>)> = vec![
        (
            EventFilter {
                kind: Some("leaver".into()),
                ..EventFilter::default()
            },
            seqs(chains.iter().filter(|c| c.event_type.as_str() == "leaver")),
        ),
        (
            EventFilter {
                identity_class: Some(IdentityClass::Nhi),
                ..EventFilter::default()
            },
            seqs(chains.iter().filter(|c| !c.identity_kind.is_human())),
        ),
        (
            EventFilter {
                identity_class: Some(IdentityClass::Human),
                kind: Some("joiner".into()),
                ..EventFilter::default()
            },
            seqs(
                chains
                    .iter()
                    .filter(|c| c.identity_kind.is_human() && c.event_type.as_str() == "joiner"),
            ),
        ),
        (
            EventFilter {
                status: Some("complete".into()),
                ..EventFilter::default()
            },
            seqs(chains.iter().filter(|c| c.is_complete())),
        ),
        (
            EventFilter {
                system: Some(shown.systems[0].clone()),
                ..EventFilter::default()
            },
            seqs(chains.iter().filter(|c| {
                c.systems
                    .iter()
                    .any(|s| s.system.as_str() == shown.systems[0])
            })),
        ),
        (
            EventFilter {
                system: Some(shown.systems[0].clone()),
                status: Some("complete".into()),
                ..EventFilter::default()
            },
            seqs(chains.iter().filter(|c| {
                let mine: Vec<_> = c
                    .systems
                    .iter()
                    .filter(|s| s.system.as_str() == shown.systems[0])
                    .collect();
                !mine.is_empty() && mine.iter().all(|s| s.is_complete())
            })),
        ),
    ];
    for (filter, expected) in cases {
        assert!(
            !expected.is_empty(),
            "a filter with no events tests nothing: {filter:?}"
        );
        let (got, total) = all_pages(&ws, &filter, 10).await;
        assert_eq!(got, expected, "{filter:?}");
        assert_eq!(total, expected.len() as u64, "{filter:?}");
    }

    // Identity text: a case-insensitive prefix.
    let someone = chains[chains.len() / 2].identity.as_str().to_owned();
    let prefix = someone[..someone.len() - 1].to_lowercase();
    let (got, total) = all_pages(
        &ws,
        &EventFilter {
            identity: Some(prefix.clone()),
            ..EventFilter::default()
        },
        25,
    )
    .await;
    let expected = seqs(
        chains
            .iter()
            .filter(|c| c.identity.as_str().to_lowercase().starts_with(&prefix)),
    );
    assert_eq!(got, expected);
    assert_eq!(total, expected.len() as u64);
    let none = list_events(
        &ws,
        &EventFilter {
            identity: Some("%_".into()),
            ..EventFilter::default()
        },
        PageRequest {
            offset: 0,
            limit: 10,
        },
    )
    .await
    .unwrap();
    assert_eq!(
        (none.rows.len(), none.total),
        (0, 0),
        "LIKE wildcards are literal"
    );
}

#[tokio::test]
async fn paging_boundaries_and_bad_requests() {
    let dir = tempfile::tempdir().unwrap();
    let ws = demo(dir.path()).await;
    let run = evidentia_app::record_analysis(&ws, None, Some("tester"), now())
        .await
        .unwrap();
    let n = run.analysis.chains.len() as u64;
    let all = EventFilter::default();
    let page = |offset, limit| list_events(&ws, &all, PageRequest { offset, limit });
    assert_eq!(page(n - 1, 10).await.unwrap().rows.len(), 1);
    assert!(page(n, 10).await.unwrap().rows.is_empty());
    assert!(page(n + 1000, 10).await.unwrap().rows.is_empty());
    assert_eq!(
        page(0, 1).await.unwrap().rows[0].event_seq,
        run.analysis.chains[0].seq
    );
    for limit in [0, evidentia_app::MAX_PAGE + 1] {
        let err = page(0, limit).await.unwrap_err();
        assert!(
            matches!(
                err.downcast_ref::<AppError>(),
                Some(AppError::InvalidInput(_))
            ),
            "{err}"
        );
    }
    for filter in [
        EventFilter {
            kind: Some("retiree".into()),
            ..EventFilter::default()
        },
        EventFilter {
            status: Some("fine".into()),
            ..EventFilter::default()
        },
    ] {
        let err = list_events(
            &ws,
            &filter,
            PageRequest {
                offset: 0,
                limit: 5,
            },
        )
        .await
        .unwrap_err();
        assert!(
            matches!(
                err.downcast_ref::<AppError>(),
                Some(AppError::InvalidInput(_))
            ),
            "{err}"
        );
    }
    let err = event_chain(&ws, 1).await.unwrap_err();
    assert!(err.to_string().contains("not an event"), "{err}");

    // The next analysis replaces the projection whole.
    let again = evidentia_app::record_analysis(&ws, None, Some("tester"), now())
        .await
        .unwrap();
    let shown = events_run(&ws).await.unwrap().unwrap();
    assert_eq!(Some(shown.run_seq), again.recorded_at_seq);
    assert_eq!(shown.events, n);
    assert_eq!(page(0, 1000).await.unwrap().total, n);
}

#[tokio::test]
async fn chain_detail_names_the_engines_evidence_with_ledger_hashes() {
    let dir = tempfile::tempdir().unwrap();
    let ws = demo(dir.path()).await;
    let run = evidentia_app::record_analysis(&ws, None, Some("tester"), now())
        .await
        .unwrap();
    let entries = evidentia_app::list_entries(&ws, 1, 1_000_000)
        .await
        .unwrap();
    let mut links_seen = 0;
    let mut non_complete = 0;
    for chain in &run.analysis.chains {
        let detail = event_chain(&ws, chain.seq).await.unwrap();
        assert_eq!(Some(detail.run_seq), run.recorded_at_seq);
        assert_eq!(detail.event.identity, chain.identity.as_str());
        assert_eq!(detail.systems.len(), chain.systems.len());
        for (shown, engine) in detail.systems.iter().zip(&chain.systems) {
            assert_eq!(shown.system, engine.system.as_str());
            let engine_links = [&engine.decision, &engine.execution, &engine.confirmation];
            let steps: Vec<&str> = shown.links.iter().map(|l| l.step.as_str()).collect();
            assert_eq!(steps, ["decision", "execution", "confirmation"]);
            for (link, expected) in shown.links.iter().zip(engine_links) {
                assert_eq!(link.status, expected.status.as_str());
                if expected.status != LinkStatus::Complete {
                    non_complete += 1;
                }
                let seqs: Vec<u64> = link.evidence.iter().map(|e| e.seq).collect();
                // The projection keeps entries: rows of one set entry are that entry, once.
                let mut cited: Vec<u64> = Vec::new();
                for c in &expected.evidence {
                    if !cited.contains(&c.seq) {
                        cited.push(c.seq);
                    }
                }
                assert_eq!(seqs, cited);
                for e in &link.evidence {
                    let entry = &entries[(e.seq - 1) as usize];
                    assert_eq!(entry.seq, e.seq);
                    assert_eq!(e.entry_hash, entry.entry_hash.to_hex());
                    assert_eq!(e.kind, entry.kind);
                    links_seen += 1;
                }
            }
            if let (Some(sla), Some(deadline)) = (shown.sla_secs, engine.deadline) {
                assert_eq!(sla, (deadline - chain.effective_at).num_seconds());
            }
        }
    }
    assert!(
        links_seen > 100,
        "the demo's chains rest on evidence: {links_seen}"
    );
    assert!(non_complete > 0, "the demo plants broken chains");
}

/// A workspace from before the compact links (format 3, links as JSON text) still opens: its
/// old projection is not read, and the next recorded analysis shows the events again.
#[tokio::test]
async fn a_workspace_with_the_older_projection_shows_events_after_the_next_analysis() {
    let dir = tempfile::tempdir().unwrap();
    let ws = demo(dir.path()).await;
    let first = evidentia_app::record_analysis(&ws, None, Some("tester"), now())
        .await
        .unwrap();
    let chain = &first.analysis.chains[0];
    // Back to format 3's shape: the same rows with JSON-text links, no terms table.
    let db = rusqlite::Connection::open(ws.as_path().unwrap()).unwrap();
    db.execute_batch(
        "DROP TABLE event_chain_terms;
         ALTER TABLE event_chains RENAME TO compact;
         CREATE TABLE event_chains (
             position INTEGER PRIMARY KEY NOT NULL, event_seq INTEGER NOT NULL UNIQUE,
             event_id TEXT NOT NULL, identity TEXT NOT NULL COLLATE NOCASE,
             identity_kind TEXT NOT NULL, event_kind TEXT NOT NULL,
             effective_at TEXT NOT NULL, status TEXT NOT NULL, systems TEXT NOT NULL,
             links TEXT NOT NULL) STRICT;
         INSERT INTO event_chains SELECT position, event_seq, event_id, identity, identity_kind,
             event_kind, effective_at, status, systems, '[]' FROM compact;
         DROP TABLE compact;
         CREATE INDEX event_chains_by_identity ON event_chains (identity, position);
         DELETE FROM _sqlx_migrations WHERE version = 4;
         PRAGMA user_version = 3;",
    )
    .unwrap();
    drop(db);

    // Read-only (as the Events page opens it), the old projection is not shown as current.
    assert_eq!(events_run(&ws).await.unwrap(), None);
    let err = event_chain(&ws, chain.seq).await.unwrap_err();
    assert!(err.to_string().contains("run the analysis"), "{err}");

    let again = evidentia_app::record_analysis(&ws, None, Some("tester"), now())
        .await
        .unwrap();
    let shown = events_run(&ws).await.unwrap().unwrap();
    assert_eq!(Some(shown.run_seq), again.recorded_at_seq);
    assert_eq!(shown.events, again.analysis.chains.len() as u64);
    let detail = event_chain(&ws, chain.seq).await.unwrap();
    assert_eq!(detail.systems.len(), chain.systems.len());
    let db = rusqlite::Connection::open(ws.as_path().unwrap()).unwrap();
    let version: u32 = db
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, evidentia_store::FORMAT_VERSION);
}

/// The test server's URL (`EVIDENTIA_TEST_PG_URL`), or `None` after saying the test is skipped.
fn test_server() -> Option<String> {
    match std::env::var("EVIDENTIA_TEST_PG_URL") {
        Ok(url) if !url.trim().is_empty() => Some(url.trim().to_owned()),
        _ => {
            println!("SKIPPED: EVIDENTIA_TEST_PG_URL is not set");
            None
        }
    }
}

/// Where docs/team-workspaces.md says this client's caches are.
fn cache_dir() -> std::path::PathBuf {
    let var = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
    var("EVIDENTIA_CACHE_DIR")
        .map(std::path::PathBuf::from)
        .or_else(|| var("XDG_CACHE_HOME").map(|d| Path::new(&d).join("evidentia")))
        .or_else(|| var("HOME").map(|h| Path::new(&h).join(".cache/evidentia")))
        .unwrap()
}

/// `psql -c SQL` on the test server, for creating and dropping this test's own database.
fn psql(url: &str, sql: &str) {
    let out = std::process::Command::new("psql")
        .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", sql])
        .output()
        .expect("psql runs");
    assert!(
        out.status.success(),
        "psql {sql}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// On a team workspace the projection is each client's own cache: a client that did not
/// record the analysis (here: the cache is gone, as on another auditor's laptop) rebuilds the
/// recorded run and pages exactly the chains the recording client paged.
#[tokio::test]
async fn a_team_workspace_client_rebuilds_the_recorded_run_in_its_own_cache() {
    let Some(admin) = test_server() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let file = demo(dir.path()).await;
    let name = format!("evt_app_events_{}", std::process::id());
    let (base, _) = admin.rsplit_once('/').unwrap();
    let url = format!("{base}/{name}");
    psql(
        &admin,
        &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
    );
    let server = Location::parse(&url);
    evidentia_app::migrate_workspace(&file, &server)
        .await
        .unwrap();

    let run = evidentia_app::record_analysis(&server, None, Some("alice"), now())
        .await
        .unwrap();
    let recorded = events_run(&server).await.unwrap().unwrap();
    let filter = EventFilter::default();
    let (paged, total) = all_pages(&server, &filter, 97).await;
    assert_eq!(Some(recorded.run_seq), run.recorded_at_seq);
    assert_eq!(paged, seqs(run.analysis.chains.iter()));

    // Where docs/team-workspaces.md says this client's cache is.
    let cache = cache_dir();
    let id = evidentia_app::open_workspace(&server)
        .await
        .unwrap()
        .workspace_id;
    let cached = cache.join("projections").join(format!("{id}.sqlite"));
    assert!(
        cached.is_file(),
        "{} holds the projection",
        cached.display()
    );
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", cached.display()));
    }
    let rebuilt = events_run(&server).await.unwrap().unwrap();
    assert_eq!(
        rebuilt, recorded,
        "the same run, events, systems and statuses"
    );
    assert_eq!(all_pages(&server, &filter, 97).await, (paged, total));
    let first = run.analysis.chains[0].seq;
    let detail = event_chain(&server, first).await.unwrap();
    assert_eq!(detail.event.event_seq, first);
    psql(
        &admin,
        &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
    );
}

/// Two databases holding copies of one workspace share its id, so a client keeps one cache
/// file for both; each analysed at the same seq, the cache names the run by its entry hash
/// and serves neither copy the other's run.
#[tokio::test]
async fn two_copies_of_a_team_workspace_never_page_each_others_run() {
    let Some(admin) = test_server() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let file = demo(dir.path()).await;
    let (base, _) = admin.rsplit_once('/').unwrap();
    let mut copies = Vec::new();
    for copy in ["a", "b"] {
        let name = format!("evt_app_copy_{copy}_{}", std::process::id());
        psql(
            &admin,
            &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
        );
        let server = Location::parse(&format!("{base}/{name}"));
        evidentia_app::migrate_workspace(&file, &server)
            .await
            .unwrap();
        copies.push((name, server));
    }
    // The same seq in both, recorded by different people at different times: different runs.
    let mut runs = Vec::new();
    for ((_, server), (who, hours)) in copies.iter().zip([("alice", 0), ("bob", 5)]) {
        let run = evidentia_app::record_analysis(
            server,
            None,
            Some(who),
            now() + chrono::TimeDelta::hours(hours),
        )
        .await
        .unwrap();
        let seq = run.recorded_at_seq.unwrap();
        let entry = &evidentia_app::list_entries(server, seq, 1).await.unwrap()[0];
        runs.push((seq, entry.entry_hash));
    }
    assert_eq!(
        runs[0].0, runs[1].0,
        "both copies record their run at one seq"
    );
    assert_ne!(runs[0].1, runs[1].1);

    let id = evidentia_app::open_workspace(&copies[0].1)
        .await
        .unwrap()
        .workspace_id;
    let cached_hash = || {
        let db = rusqlite::Connection::open(
            cache_dir().join("projections").join(format!("{id}.sqlite")),
        )
        .unwrap();
        db.query_row("SELECT run_hash FROM projection_source", [], |r| {
            r.get::<_, Vec<u8>>(0)
        })
        .unwrap()
    };
    // Each copy in turn, twice: the cache always holds the run of the copy last shown.
    for round in 0..2 {
        for (i, (_, server)) in copies.iter().enumerate() {
            let shown = events_run(server).await.unwrap().unwrap();
            assert_eq!(shown.run_seq, runs[i].0);
            assert_eq!(
                cached_hash(),
                runs[i].1.0.to_vec(),
                "round {round}: copy {i}'s run is the one cached"
            );
        }
    }
    for (name, _) in copies {
        psql(
            &admin,
            &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
        );
    }
}
