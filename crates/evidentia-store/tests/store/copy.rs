//! `copy_workspace`: file → server → file keeps every entry, artifact byte and checkpoint; a
//! non-empty destination or an altered source is refused with nothing written.

use evidentia_ledger::{FailureReason, SigningKey};
use evidentia_store::{Access, EvidenceStore, StoreError, Workspace, copy_workspace};

use crate::fixture::{Fixture, Kind, PgDb};
use crate::*;

/// A workspace with entries, two artifacts (one over several chunks), a signing key and a
/// signed and an unsigned checkpoint.
async fn rich_workspace(ws: &Workspace) -> (Vec<u8>, Vec<u8>) {
    let id = ws.workspace_id().await.unwrap();
    let key = SigningKey::generate(&format!("evidentia/{id}")).unwrap();
    let mut batch = ws.begin().await.unwrap();
    let payload = format!(
        r#"{{"name":"{}","public_key_pem":"","vkey":"{}"}}"#,
        key.name(),
        key.verifier().to_vkey()
    );
    batch
        .append("signing_key.added", T0, payload.into_bytes())
        .await
        .unwrap();
    batch.commit().await.unwrap();
    append_entries(ws, 300).await;
    let big: Vec<u8> = (0..2_500_000u32).map(|i| (i * 7 % 251) as u8).collect();
    let small = b"a small artifact".to_vec();
    store_artifact(ws, &big).await;
    ws.add_checkpoint(T0, "alice", Some(&key)).await.unwrap();
    store_artifact(ws, &small).await;
    append_entries(ws, 20).await;
    ws.add_checkpoint(T0, "bob", None).await.unwrap();
    (big, small)
}

async fn artifact_bytes(ws: &Workspace) -> Vec<(evidentia_ledger::Hash, Vec<u8>)> {
    let mut out = Vec::new();
    for a in ws.artifacts().await.unwrap() {
        let mut bytes = Vec::new();
        let mut idx = 0;
        while let Some(chunk) = ws.artifact_chunk(&a.sha256, idx).await.unwrap() {
            bytes.extend(chunk);
            idx += 1;
        }
        out.push((a.sha256, bytes));
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn file_to_server_to_file_keeps_every_byte() {
    let Some(server) = Fixture::empty(Kind::Server).await else {
        return;
    };
    let (dir, path, file) = new_workspace().await;
    let (big, small) = rich_workspace(&file).await;
    let checkpoints = file.checkpoints().await.unwrap();
    let head = file.head().await.unwrap();

    let to_server = copy_workspace(&file, server.location()).await.unwrap();
    assert_eq!((to_server.source, to_server.destination), (head, head));
    assert_eq!(
        (
            to_server.entries,
            to_server.artifacts,
            to_server.checkpoints
        ),
        (323, 2, 2)
    );
    let on_server = Workspace::open(server.location(), Access::ReadOnly)
        .await
        .unwrap();
    assert_eq!(on_server.head().await.unwrap(), head);
    assert_eq!(on_server.checkpoints().await.unwrap(), checkpoints);
    assert_eq!(on_server.workspace_id().await.unwrap(), "test");
    assert_eq!(
        on_server.entries(1, 400).await.unwrap(),
        file.entries(1, 400).await.unwrap()
    );
    let bytes = artifact_bytes(&on_server).await;
    assert_eq!(bytes, artifact_bytes(&file).await);
    assert!(bytes.iter().any(|(_, b)| *b == big) && bytes.iter().any(|(_, b)| *b == small));

    let back = dir.path().join("back.evidentia");
    let to_file = copy_workspace(&on_server, &back).await.unwrap();
    assert_eq!(to_file.destination, head);
    assert_eq!(to_file.tree_root, to_server.tree_root);
    on_server.close().await;
    let copy = Workspace::open(&back, Access::ReadOnly).await.unwrap();
    assert_eq!(copy.checkpoints().await.unwrap(), checkpoints);
    assert_eq!(artifact_bytes(&copy).await, artifact_bytes(&file).await);
    assert_eq!(
        copy.entries(1, 400).await.unwrap(),
        file.entries(1, 400).await.unwrap()
    );
    assert!(copy.verify(|_| {}).await.unwrap().is_intact());
    copy.close().await;
    file.close().await;
    // Only the two workspaces are left in the directory (and the read-only opening's WAL
    // sidecars): no staging file.
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !n.ends_with("-wal") && !n.ends_with("-shm"))
        .collect();
    names.sort();
    assert_eq!(names, vec!["back.evidentia", "test.evidentia"]);
    drop(path);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_to_server_and_file_to_file() {
    let (dir, _path, file) = new_workspace().await;
    rich_workspace(&file).await;
    let head = file.head().await.unwrap();
    let copy_path = dir.path().join("copy.evidentia");
    assert_eq!(
        copy_workspace(&file, &copy_path).await.unwrap().destination,
        head
    );
    let Some(first) = PgDb::new().await else {
        return;
    };
    let second = PgDb::new().await.unwrap();
    copy_workspace(&file, first.location()).await.unwrap();
    let ws = Workspace::open(first.location(), Access::ReadOnly)
        .await
        .unwrap();
    let report = copy_workspace(&ws, second.location()).await.unwrap();
    assert_eq!(report.destination, head);
    ws.close().await;
    file.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_non_empty_destination_is_refused_untouched() {
    let (dir, _path, file) = new_workspace().await;
    append_entries(&file, 5).await;
    let existing = dir.path().join("existing.evidentia");
    std::fs::write(&existing, b"someone's notes").unwrap();
    let err = copy_workspace(&file, &existing).await.unwrap_err();
    assert!(matches!(err, StoreError::AlreadyExists(_)), "{err}");
    assert_eq!(std::fs::read(&existing).unwrap(), b"someone's notes");
    let Some(db) = PgDb::new().await else {
        return;
    };
    let ws = Workspace::create(db.location(), "other", T0, "tests")
        .await
        .unwrap();
    append_entries(&ws, 2).await;
    let err = copy_workspace(&file, db.location()).await.unwrap_err();
    assert!(matches!(err, StoreError::AlreadyExists(_)), "{err}");
    assert_eq!(ws.head().await.unwrap().count, 2);
    assert_eq!(ws.workspace_id().await.unwrap(), "other");
    ws.close().await;
}

async fn altered_source_is_refused(kind: Kind) {
    let Some((fixture, ws)) = Fixture::new(kind).await else {
        return;
    };
    append_entries(&ws, 10).await;
    ws.close().await;
    fixture
        .tamper(
            &["UPDATE ledger_entries SET payload = X'7B7D' WHERE seq = 4"],
            &["UPDATE ledger_entries SET payload = '\\x7b7d'::bytea WHERE seq = 4"],
        )
        .await;
    let ws = Workspace::open(fixture.location(), Access::ReadOnly)
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("copy.evidentia");
    let err = copy_workspace(&ws, &target).await.unwrap_err();
    match err {
        StoreError::Altered(f) => {
            assert_eq!(f.seq, 4);
            assert!(matches!(
                f.reason,
                FailureReason::PayloadHashMismatch { .. }
            ));
        }
        other => panic!("{other}"),
    }
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    ws.close().await;
}
crate::both!(altered_source_is_refused);

/// The store's futures can be spawned (the desktop runs commands on tokio tasks).
#[test]
fn store_futures_are_send() {
    fn send<T: Send>(_: T) {}
    let location = evidentia_store::Location::parse("postgres://nobody@%2Fnowhere/x");
    send(Workspace::open(location.clone(), Access::ReadOnly));
    send(Workspace::create(location, "x", T0, "tests"));
    #[allow(dead_code)]
    async fn uses(ws: Workspace, other: Workspace) {
        fn send<T: Send>(_: T) {}
        send(ws.verify(|_| {}));
        send(ws.verify_chain());
        send(ws.begin());
        send(ws.add_checkpoint(T0, "x", None));
        send(ws.scan_kinds(&["note"], 1, (), |_, _| Ok(())));
        send(ws.entry_hashes(1));
        send(ws.event_chain_run());
        send(copy_workspace(&other, "x.evidentia"));
    }
}
