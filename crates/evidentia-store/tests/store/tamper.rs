//! Each way of editing the workspace behind our back is caught, and the first bad entry is
//! named: on a file and, with `EVIDENTIA_TEST_PG_URL`, on a server.

use evidentia_ledger::{FailureReason, Hash, entry_hash, payload_hash};
use evidentia_store::{Access, EvidenceStore, Workspace};
use proptest::prelude::*;
use sqlx::Row;

use crate::fixture::{Arg, Fixture, Kind};
use crate::*;

/// A 32-byte zero hash as a literal, per backend.
const ZERO_PG: &str = "decode(repeat('00', 32), 'hex')";

/// A workspace of `n` entries, verified, then edited by `sqlite`/`pg` statements.
async fn tampered_at(
    kind: Kind,
    n: u64,
    sqlite: &[&str],
    pg: &[&str],
) -> Option<evidentia_store::VerifyReport> {
    let (fixture, ws) = Fixture::new(kind).await?;
    append_entries(&ws, n).await;
    ws.close().await;
    assert!(
        verify_at(fixture.location()).await.is_intact(),
        "fixture must verify before tampering"
    );
    fixture.tamper(sqlite, pg).await;
    Some(verify_at(fixture.location()).await)
}

/// The file-only helper the property test uses (hundreds of cases; a database each would be
/// slow, and the stored bytes are the same on both backends).
async fn tampered(
    n: u64,
    edit: impl AsyncFnOnce(&mut SqliteConnection),
) -> evidentia_store::VerifyReport {
    let (_dir, path, ws) = new_workspace().await;
    append_entries(&ws, n).await;
    ws.close().await;
    assert!(
        verify(&path).await.is_intact(),
        "fixture must verify before tampering"
    );
    let mut conn = raw(&path).await;
    drop_triggers(&mut conn).await;
    edit(&mut conn).await;
    conn.close().await.unwrap();
    verify(&path).await
}

async fn intact_workspace_verifies(kind: Kind) {
    let Some((fixture, ws)) = Fixture::new(kind).await else {
        return;
    };
    append_entries(&ws, 100).await;
    store_artifact(&ws, b"a small artifact").await;
    ws.close().await;
    let report = verify_at(fixture.location()).await;
    assert_eq!(report.failure, None);
    assert_eq!(report.entries, 101);
    assert_eq!(report.artifacts, 1);
}
crate::both!(intact_workspace_verifies);

async fn changed_payload_byte_is_detected(kind: Kind) {
    let Some(report) = tampered_at(
        kind,
        50,
        &["UPDATE ledger_entries SET payload = CAST(replace(CAST(payload AS TEXT), 'number', 'numbex') AS BLOB) WHERE seq = 17"],
        &["UPDATE ledger_entries SET payload = convert_to(replace(convert_from(payload, 'UTF8'), 'number', 'numbex'), 'UTF8') WHERE seq = 17"],
    )
    .await
    else {
        return;
    };
    let failure = report.failure.unwrap();
    assert_eq!(failure.seq, 17);
    assert!(
        matches!(failure.reason, FailureReason::PayloadHashMismatch { .. }),
        "{failure}"
    );
}
crate::both!(changed_payload_byte_is_detected);

async fn changed_entry_hash_is_detected(kind: Kind) {
    let pg = format!("UPDATE ledger_entries SET entry_hash = {ZERO_PG} WHERE seq = 23");
    let Some(report) = tampered_at(
        kind,
        50,
        &["UPDATE ledger_entries SET entry_hash = zeroblob(32) WHERE seq = 23"],
        &[&pg],
    )
    .await
    else {
        return;
    };
    let failure = report.failure.unwrap();
    assert_eq!(failure.seq, 23);
    assert!(
        matches!(failure.reason, FailureReason::EntryHashMismatch { .. }),
        "{failure}"
    );
}
crate::both!(changed_entry_hash_is_detected);

async fn deleted_entry_is_detected(kind: Kind) {
    let sql = "DELETE FROM ledger_entries WHERE seq = 30";
    let Some(report) = tampered_at(kind, 50, &[sql], &[sql]).await else {
        return;
    };
    let failure = report.failure.unwrap();
    assert_eq!(failure.seq, 30);
    assert_eq!(
        failure.reason,
        FailureReason::Gap {
            expected: 30,
            found: 31
        }
    );
}
crate::both!(deleted_entry_is_detected);

async fn deleted_tail_is_detected_through_a_checkpoint(kind: Kind) {
    let Some((fixture, ws)) = Fixture::new(kind).await else {
        return;
    };
    append_entries(&ws, 20).await;
    ws.add_checkpoint(T0, "tests", None).await.unwrap();
    ws.close().await;
    let sql = "DELETE FROM ledger_entries WHERE seq > 18";
    fixture.tamper(&[sql], &[sql]).await;
    let failure = verify_at(fixture.location()).await.failure.unwrap();
    assert_eq!(failure.seq, 19);
    assert_eq!(
        failure.reason,
        FailureReason::Truncated {
            expected: 20,
            found: 18
        }
    );
}
crate::both!(deleted_tail_is_detected_through_a_checkpoint);

/// Inserts one row behind the store's back, as given (triggers as they are).
async fn insert_row(
    fixture: &Fixture,
    seq: i64,
    kind: &str,
    payload: &[u8],
    ph: &Hash,
    prev: &Hash,
    eh: &Hash,
) -> Result<(), String> {
    fixture
        .exec(
            "INSERT INTO ledger_entries (seq, kind, recorded_at, payload, payload_hash, prev_hash, entry_hash) VALUES (?, ?, ?, ?, ?, ?, ?)",
            "INSERT INTO ledger_entries (seq, kind, recorded_at, payload, payload_hash, prev_hash, entry_hash) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            &[
                Arg::Int(seq),
                Arg::Text(kind.to_owned()),
                Arg::Text(T0.to_owned()),
                Arg::Bytes(payload.to_vec()),
                Arg::Bytes(ph.0.to_vec()),
                Arg::Bytes(prev.0.to_vec()),
                Arg::Bytes(eh.0.to_vec()),
            ],
        )
        .await
}

async fn stored_entry_hash(fixture: &Fixture, seq: u64) -> Hash {
    let sql = format!("SELECT entry_hash FROM ledger_entries WHERE seq = {seq}");
    Hash::from_slice(&fixture.bytes(&sql, &sql).await).unwrap()
}

async fn inserted_entry_is_detected(kind: Kind) {
    // A forger who knows the format renumbers the tail and slips a well-formed entry in after
    // seq 10; the entry after it still carries its old position in its hash.
    let Some((fixture, ws)) = Fixture::new(kind).await else {
        return;
    };
    append_entries(&ws, 50).await;
    ws.close().await;
    let renumber = [
        "UPDATE ledger_entries SET seq = seq + 1000000 WHERE seq > 10",
        "UPDATE ledger_entries SET seq = seq - 999999 WHERE seq > 1000000",
    ];
    fixture.tamper(&renumber, &renumber).await;
    let prev = stored_entry_hash(&fixture, 10).await;
    let payload = b"{\"forged\":true}".to_vec();
    let ph = payload_hash(&payload);
    let eh = entry_hash(11, "note", T0, &ph, &prev);
    insert_row(&fixture, 11, "note", &payload, &ph, &prev, &eh)
        .await
        .unwrap();
    let failure = verify_at(fixture.location()).await.failure.unwrap();
    assert_eq!(failure.seq, 12);
    assert_eq!(failure.reason, FailureReason::Reordered { recorded_as: 11 });
}
crate::both!(inserted_entry_is_detected);

async fn inserted_garbage_entry_is_detected(kind: Kind) {
    let sqlite = format!(
        "INSERT INTO ledger_entries VALUES (6, 'note', '{T0}', X'7B7D', zeroblob(32), zeroblob(32), zeroblob(32))"
    );
    let pg = format!(
        "INSERT INTO ledger_entries (seq, kind, recorded_at, payload, payload_hash, prev_hash, entry_hash) \
         VALUES (6, 'note', '{T0}', '\\x7b7d', {ZERO_PG}, {ZERO_PG}, {ZERO_PG})"
    );
    let Some(report) = tampered_at(kind, 5, &[&sqlite], &[&pg]).await else {
        return;
    };
    let failure = report.failure.unwrap();
    assert_eq!(failure.seq, 6);
    assert!(
        matches!(failure.reason, FailureReason::PayloadHashMismatch { .. }),
        "{failure}"
    );
}
crate::both!(inserted_garbage_entry_is_detected);

async fn swapped_entries_are_detected(kind: Kind) {
    let swap = [
        "UPDATE ledger_entries SET seq = -1 WHERE seq = 40",
        "UPDATE ledger_entries SET seq = 40 WHERE seq = 41",
        "UPDATE ledger_entries SET seq = 41 WHERE seq = -1",
    ];
    let Some(report) = tampered_at(kind, 50, &swap, &swap).await else {
        return;
    };
    let failure = report.failure.unwrap();
    assert_eq!(failure.seq, 40);
    assert_eq!(failure.reason, FailureReason::Reordered { recorded_as: 41 });
}
crate::both!(swapped_entries_are_detected);

async fn changed_artifact_byte_is_detected(kind: Kind) {
    let Some((fixture, ws)) = Fixture::new(kind).await else {
        return;
    };
    append_entries(&ws, 10).await;
    let bytes: Vec<u8> = (0..3_000_000u32).map(|i| (i % 251) as u8).collect();
    store_artifact(&ws, &bytes).await;
    append_entries(&ws, 10).await;
    ws.close().await;
    assert!(verify_at(fixture.location()).await.is_intact());
    // Flip one bit of one byte in the middle of the second chunk.
    let at = 12345usize;
    let flipped = bytes[evidentia_store::ARTIFACT_CHUNK_SIZE + at] ^ 0x01;
    let sqlite = format!(
        "UPDATE artifact_chunks SET data = CAST(substr(data, 1, {at}) || X'{flipped:02X}' || substr(data, {}) AS BLOB) WHERE idx = 1",
        at + 2
    );
    let pg =
        format!("UPDATE artifact_chunks SET data = set_byte(data, {at}, {flipped}) WHERE idx = 1");
    fixture.tamper(&[&sqlite], &[&pg]).await;
    let failure = verify_at(fixture.location()).await.failure.unwrap();
    // Entry 11 is the artifact.stored entry that commits to these bytes.
    assert_eq!(failure.seq, 11);
    assert!(
        matches!(failure.reason, FailureReason::Artifact { .. }),
        "{failure}"
    );
    assert!(
        failure.to_string().contains("stored bytes hash to"),
        "{failure}"
    );
}
crate::both!(changed_artifact_byte_is_detected);

async fn deleted_artifact_is_detected(kind: Kind) {
    let Some((fixture, ws)) = Fixture::new(kind).await else {
        return;
    };
    append_entries(&ws, 3).await;
    store_artifact(&ws, b"evidence file").await;
    ws.close().await;
    let delete = ["DELETE FROM artifact_chunks", "DELETE FROM artifacts"];
    fixture.tamper(&delete, &delete).await;
    let failure = verify_at(fixture.location()).await.failure.unwrap();
    assert_eq!(failure.seq, 4);
    assert!(failure.to_string().contains("missing"), "{failure}");
}
crate::both!(deleted_artifact_is_detected);

async fn triggers_refuse_updates_and_deletes(kind: Kind) {
    let Some((fixture, ws)) = Fixture::new(kind).await else {
        return;
    };
    append_entries(&ws, 3).await;
    store_artifact(&ws, b"evidence").await;
    ws.add_checkpoint(T0, "tests", None).await.unwrap();
    ws.close().await;
    let mut refused = vec![
        "UPDATE ledger_entries SET kind = 'x' WHERE seq = 1",
        "DELETE FROM ledger_entries",
        "DELETE FROM artifact_chunks",
        "UPDATE artifacts SET size = 1",
        "DELETE FROM checkpoints",
        "UPDATE workspace_meta SET value = 'x'",
    ];
    if kind == Kind::Server {
        refused.extend(["TRUNCATE ledger_entries", "TRUNCATE artifact_chunks"]);
    }
    for sql in refused {
        let err = fixture.exec(sql, sql, &[]).await.unwrap_err();
        assert!(
            err.contains("append-only") || err.contains("write-once"),
            "{sql}: {err}"
        );
    }
    assert!(verify_at(fixture.location()).await.is_intact());
}
crate::both!(triggers_refuse_updates_and_deletes);

/// Which stored column a mutation hits.
const COLUMNS: [&str; 6] = [
    "kind",
    "recorded_at",
    "payload",
    "payload_hash",
    "prev_hash",
    "entry_hash",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, .. ProptestConfig::default() })]

    /// Any single-byte change to any stored column of any entry fails verification.
    #[test]
    fn any_single_byte_change_to_a_stored_entry_fails(target in 1u64..=12, column in 0usize..6, byte in any::<prop::sample::Index>(), flip in 1u8..=255) {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let report = rt.block_on(tampered(12, async |c| {
            let col = COLUMNS[column];
            let old: Vec<u8> = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT CAST({col} AS BLOB) FROM ledger_entries WHERE seq = ?")))
                .bind(target as i64).fetch_one(&mut *c).await.unwrap().get(0);
            let mut new = old.clone();
            let i = byte.index(new.len());
            new[i] ^= flip;
            let cast = if col == "kind" || col == "recorded_at" { "CAST(? AS TEXT)" } else { "?" };
            sqlx::query(sqlx::AssertSqlSafe(format!("UPDATE ledger_entries SET {col} = {cast} WHERE seq = ?")))
                .bind(new).bind(target as i64).execute(&mut *c).await.unwrap();
        }));
        let failure = report.failure.expect("tampering must be detected");
        prop_assert!(failure.seq <= target + 1, "first failure {} is not at or right after the edit at {}", failure.seq, target);
    }
}

/// Large ledgers are verified in parallel ranges; tampering in a later range or at a range
/// boundary is still reported at the right entry.
async fn tampering_is_found_across_parallel_ranges(kind: Kind) {
    let Some((fixture, ws)) = Fixture::new(kind).await else {
        return;
    };
    append_entries(&ws, 240_000).await;
    ws.close().await;
    assert!(verify_at(fixture.location()).await.is_intact());
    // With two ranges the boundary is the Merkle block (65,536 entries) at or below 120,000:
    // edit the entry right after it and a later one.
    fixture
        .tamper(
            &["UPDATE ledger_entries SET payload = X'7B7D' WHERE seq IN (65537, 200000)"],
            &["UPDATE ledger_entries SET payload = '\\x7b7d'::bytea WHERE seq IN (65537, 200000)"],
        )
        .await;
    let failure = verify_at(fixture.location()).await.failure.unwrap();
    assert_eq!(failure.seq, 65_537);
    assert!(
        matches!(failure.reason, FailureReason::PayloadHashMismatch { .. }),
        "{failure}"
    );
    // A changed stored hash right before a range boundary breaks the link into the next range.
    let pg = format!("UPDATE ledger_entries SET entry_hash = {ZERO_PG} WHERE seq = 65536");
    fixture
        .tamper(
            &["UPDATE ledger_entries SET entry_hash = zeroblob(32) WHERE seq = 65536"],
            &[&pg],
        )
        .await;
    let failure = verify_at(fixture.location()).await.failure.unwrap();
    assert_eq!(failure.seq, 65_536, "{failure}");
}
crate::both!(tampering_is_found_across_parallel_ranges);

/// Tree roots computed from parallel ranges and whole blocks equal the tree's, also for
/// checkpoints inside a block and on a block boundary.
async fn tree_roots_from_parallel_ranges_match_the_tree(kind: Kind) {
    use evidentia_ledger::MerkleTree;
    let Some((fixture, ws)) = Fixture::new(kind).await else {
        return;
    };
    append_entries(&ws, 100_000).await;
    let inside = ws.add_checkpoint(T0, "tests", None).await.unwrap();
    append_entries(&ws, 31_072).await;
    let boundary = ws.add_checkpoint(T0, "tests", None).await.unwrap();
    append_entries(&ws, 108_929).await;
    let hashes = ws.entry_hashes(240_001).await.unwrap();
    ws.close().await;
    let tree = MerkleTree::from_entry_hashes(&hashes);
    assert_eq!(boundary.entry_count, 131_072);
    assert_eq!(inside.tree_root, tree.root_at(inside.entry_count).ok());
    assert_eq!(boundary.tree_root, tree.root_at(boundary.entry_count).ok());
    let report = verify_at(fixture.location()).await;
    assert_eq!(report.failure, None);
    assert_eq!(report.tree_root, tree.root());
}
crate::both!(tree_roots_from_parallel_ranges_match_the_tree);

/// An artifact committed after a broken entry is not blamed instead of that entry.
async fn chain_failure_before_an_artifact_is_reported_first(kind: Kind) {
    let Some((fixture, ws)) = Fixture::new(kind).await else {
        return;
    };
    append_entries(&ws, 5).await;
    store_artifact(&ws, b"later evidence").await;
    ws.close().await;
    fixture
        .tamper(
            &["UPDATE ledger_entries SET payload = X'7B7D' WHERE seq = 2"],
            &["UPDATE ledger_entries SET payload = '\\x7b7d'::bytea WHERE seq = 2"],
        )
        .await;
    let failure = verify_at(fixture.location()).await.failure.unwrap();
    assert_eq!(failure.seq, 2);
    assert!(
        matches!(failure.reason, FailureReason::PayloadHashMismatch { .. }),
        "{failure}"
    );
}
crate::both!(chain_failure_before_an_artifact_is_reported_first);

/// Copies entry `from`'s row to `seq`, as a forger who dropped the triggers would.
fn forge_row(seq: i64, from: i64) -> String {
    format!(
        "INSERT INTO ledger_entries (seq, kind, recorded_at, payload, payload_hash, prev_hash, entry_hash) \
         SELECT {seq}, 'record.exception', recorded_at, payload, payload_hash, prev_hash, entry_hash \
         FROM ledger_entries WHERE seq = {from}"
    )
}

async fn a_row_outside_the_chain_fails_verification(kind: Kind) {
    // The recipe an independent tester used: triggers dropped, a forged row at seq 0.
    for seq in [0i64, -5] {
        let forged = forge_row(seq, 3);
        let Some(report) = tampered_at(kind, 30, &[&forged], &[&forged]).await else {
            return;
        };
        let failure = report
            .failure
            .expect("a row outside the chain must not verify");
        assert_eq!(failure.seq, 0, "{failure}");
        assert_eq!(failure.reason, FailureReason::OutsideChain { seq });
        // The chain itself is intact; the row is named, not silently skipped.
        assert_eq!(report.entries, 30);
    }
}
crate::both!(a_row_outside_the_chain_fails_verification);

async fn the_in_sequence_trigger_refuses_rows_outside_the_chain(kind: Kind) {
    let Some((fixture, ws)) = Fixture::new(kind).await else {
        return;
    };
    append_entries(&ws, 5).await;
    ws.close().await;
    for seq in [0i64, 7, 5] {
        let sql = format!(
            "INSERT INTO ledger_entries (seq, kind, recorded_at, payload, payload_hash, prev_hash, entry_hash) \
             SELECT {seq}, kind, recorded_at, payload, payload_hash, prev_hash, entry_hash FROM ledger_entries WHERE seq = 1"
        );
        assert!(
            fixture.exec(&sql, &sql, &[]).await.is_err(),
            "insert at seq {seq} must be refused"
        );
    }
    // A row at the next seq that does not name the head as its predecessor is refused too.
    let payload = b"{}".to_vec();
    let ph = payload_hash(&payload);
    let wrong_prev = Hash::of(b"not the head");
    let eh = entry_hash(6, "note", T0, &ph, &wrong_prev);
    let refused = insert_row(&fixture, 6, "note", &payload, &ph, &wrong_prev, &eh).await;
    if kind == Kind::Server {
        // SQLite's format-3 trigger checks the position only; verification catches the rest.
        assert!(refused.is_err(), "a forked row must be refused");
    }
}
crate::both!(the_in_sequence_trigger_refuses_rows_outside_the_chain);

async fn scans_read_only_the_verified_range(kind: Kind) {
    let Some((fixture, ws)) = Fixture::new(kind).await else {
        return;
    };
    append_entries(&ws, 10).await;
    ws.close().await;
    let forged = forge_row(0, 3);
    fixture.tamper(&[&forged], &[&forged]).await;
    let ws = Workspace::open(fixture.location(), Access::ReadOnly)
        .await
        .unwrap();
    let seen = ws
        .scan_kinds(
            &["record.exception", "note"],
            10,
            Vec::new(),
            |v: &mut Vec<u64>, e| {
                v.push(e.seq);
                Ok(())
            },
        )
        .await
        .unwrap();
    assert_eq!(seen, (1..=10).collect::<Vec<_>>());
    let seen = ws
        .scan_kinds(&["note"], 4, Vec::new(), |v: &mut Vec<u64>, e| {
            v.push(e.seq);
            Ok(())
        })
        .await
        .unwrap();
    assert_eq!(seen, vec![1, 2, 3, 4]);
    let none = ws
        .scan_kinds(&[], 10, 0u64, |n: &mut u64, _| {
            *n += 1;
            Ok(())
        })
        .await
        .unwrap();
    assert_eq!(none, 0);
    ws.close().await;
}
crate::both!(scans_read_only_the_verified_range);

async fn a_second_commitment_or_an_extra_key_is_malformed(kind: Kind) {
    use evidentia_ledger::Chain;
    for payload in [
        // The same content address committed twice (entry 2 already commits to it).
        br#"{"sha256":"SHA","size":16}"#.to_vec(),
        // Exactly two keys: anything else is not a commitment Evidentia writes.
        br#"{"sha256":"OTHER","size":3,"note":"x"}"#.to_vec(),
    ] {
        let Some((fixture, ws)) = Fixture::new(kind).await else {
            return;
        };
        append_entries(&ws, 1).await;
        let sha = store_artifact(&ws, b"a small artifact").await;
        let head = ws.head().await.unwrap();
        let payload = String::from_utf8(payload)
            .unwrap()
            .replace("SHA", &sha.to_hex())
            .replace("OTHER", &Hash::of(b"abc").to_hex());
        let mut chain = Chain::resume(head.count, head.hash);
        let entry = chain.next_entry("artifact.stored", T0, payload.into_bytes());
        ws.close().await;
        insert_row(
            &fixture,
            entry.seq as i64,
            &entry.kind,
            &entry.payload,
            &entry.payload_hash,
            &entry.prev_hash,
            &entry.entry_hash,
        )
        .await
        .unwrap();
        let failure = verify_at(fixture.location())
            .await
            .failure
            .expect("must not verify");
        assert_eq!(failure.seq, entry.seq, "{failure}");
        assert!(
            matches!(failure.reason, FailureReason::Malformed(_)),
            "{failure}"
        );
    }
}
crate::both!(a_second_commitment_or_an_extra_key_is_malformed);

async fn checkpoints_record_tree_roots_and_signed_notes_that_verify(kind: Kind) {
    use evidentia_ledger::{MerkleTree, SigningKey, note};
    let Some((fixture, ws)) = Fixture::new(kind).await else {
        return;
    };
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
    append_entries(&ws, 40).await;
    let first = ws.add_checkpoint(T0, "alice", Some(&key)).await.unwrap();
    append_entries(&ws, 25).await;
    let second = ws.add_checkpoint(T0, "bob", None).await.unwrap();
    let hashes = ws.entry_hashes(second.entry_count).await.unwrap();
    let tree = MerkleTree::from_entry_hashes(&hashes);
    assert_eq!(first.tree_root, tree.root_at(first.entry_count).ok());
    assert_eq!(second.tree_root, Some(tree.root()));
    assert_eq!(
        (first.created_by.as_deref(), second.created_by.as_deref()),
        (Some("alice"), Some("bob"))
    );
    let head = note::open_checkpoint(first.note.as_deref().unwrap(), &key.verifier()).unwrap();
    assert_eq!(
        (head.size, head.root),
        (first.entry_count, first.tree_root.unwrap())
    );
    assert_eq!(second.note, None);
    assert_eq!(ws.checkpoints().await.unwrap(), vec![first.clone(), second]);
    ws.close().await;
    let report = verify_at(fixture.location()).await;
    assert_eq!(report.failure, None);
    assert_eq!(report.tree_root, tree.root());

    // A note re-signed by another key, or a changed root, is a checkpoint failure.
    let forger = SigningKey::generate(key.name()).unwrap();
    let forged_note = note::sign_checkpoint(&head, &forger).unwrap();
    let original_note = first.note.clone().unwrap();
    let original_root = first.tree_root.unwrap().0.to_vec();
    for (column, forged, original) in [
        ("note", Arg::Text(forged_note), Arg::Text(original_note)),
        (
            "tree_root",
            Arg::Bytes(Hash::of(b"other").0.to_vec()),
            Arg::Bytes(original_root),
        ),
    ] {
        let sqlite = format!("UPDATE checkpoint_trees SET {column} = ? WHERE checkpoint_id = ?");
        let pg = format!("UPDATE checkpoints SET {column} = $1 WHERE id = $2");
        fixture.tamper(&[], &[]).await;
        fixture
            .exec(&sqlite, &pg, &[forged, Arg::Int(first.id as i64)])
            .await
            .unwrap();
        let failure = verify_at(fixture.location())
            .await
            .failure
            .expect("altered checkpoint");
        assert_eq!(failure.seq, first.entry_count, "{failure}");
        assert!(
            matches!(failure.reason, FailureReason::CheckpointTree { .. }),
            "{failure}"
        );
        fixture
            .exec(&sqlite, &pg, &[original, Arg::Int(first.id as i64)])
            .await
            .unwrap();
        assert!(verify_at(fixture.location()).await.is_intact());
    }
}
crate::both!(checkpoints_record_tree_roots_and_signed_notes_that_verify);

async fn no_checkpoint_vouches_for_an_altered_ledger(kind: Kind) {
    let Some((fixture, ws)) = Fixture::new(kind).await else {
        return;
    };
    append_entries(&ws, 10).await;
    ws.close().await;
    fixture
        .tamper(
            &["UPDATE ledger_entries SET payload = CAST('{}' AS BLOB) WHERE seq = 4"],
            &["UPDATE ledger_entries SET payload = '\\x7b7d'::bytea WHERE seq = 4"],
        )
        .await;
    let ws = Workspace::open(fixture.location(), Access::ReadWrite)
        .await
        .unwrap();
    let refused = ws.add_checkpoint(T0, "tests", None).await;
    assert!(
        matches!(refused, Err(evidentia_store::StoreError::Altered(_))),
        "{refused:?}"
    );
    assert_eq!(ws.checkpoints().await.unwrap(), vec![]);
    ws.close().await;
}
crate::both!(no_checkpoint_vouches_for_an_altered_ledger);
