//! PostgreSQL-only behaviour: concurrent writers, refusals at open, the read-only role.

use evidentia_store::{Access, EvidenceStore, Workspace};

use crate::fixture::{Fixture, Kind};
use crate::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_workspace_appends_verifies_and_heads_match_a_file() {
    let Some((fixture, ws)) = Fixture::new(Kind::Server).await else {
        return;
    };
    append_entries(&ws, 1000).await;
    store_artifact(&ws, &vec![7u8; 3_000_000]).await;
    let checkpoint = ws.add_checkpoint(T0, "alice", None).await.unwrap();
    append_entries(&ws, 10).await;
    let head = ws.head().await.unwrap();
    let report = ws.verify(|_| {}).await.unwrap();
    assert_eq!(report.failure, None);
    assert_eq!((report.entries, report.head), (head.count, head.hash));
    assert_eq!(report.artifacts, 1);
    assert_eq!(ws.checkpoints().await.unwrap(), vec![checkpoint.clone()]);
    assert_eq!(checkpoint.created_by.as_deref(), Some("alice"));
    ws.close().await;

    // The same appends into a file give the same head: the hashes do not depend on the backend.
    let (_dir, _path, file) = new_workspace().await;
    append_entries(&file, 1000).await;
    store_artifact(&file, &vec![7u8; 3_000_000]).await;
    append_entries(&file, 10).await;
    assert_eq!(file.head().await.unwrap(), head);
    file.close().await;

    let ws = Workspace::open(fixture.location(), Access::ReadOnly)
        .await
        .unwrap();
    assert!(ws.verify(|_| {}).await.unwrap().is_intact());
    assert!(ws.connection_user().is_some());
    ws.close().await;
}
