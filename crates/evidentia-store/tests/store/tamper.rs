//! Each way of editing the file behind our back is caught, and the first bad entry is named.

use evidentia_ledger::{FailureReason, Hash, entry_hash, payload_hash};
use proptest::prelude::*;
use sqlx::Row;

use crate::*;

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

#[tokio::test]
async fn intact_workspace_verifies() {
    let (_dir, path, ws) = new_workspace().await;
    append_entries(&ws, 100).await;
    store_artifact(&ws, b"a small artifact").await;
    ws.close().await;
    let report = verify(&path).await;
    assert_eq!(report.failure, None);
    assert_eq!(report.entries, 101);
    assert_eq!(report.artifacts, 1);
}

#[tokio::test]
async fn changed_payload_byte_is_detected() {
    let report = tampered(50, async |c| {
        sqlx::query("UPDATE ledger_entries SET payload = CAST(replace(CAST(payload AS TEXT), 'number', 'numbex') AS BLOB) WHERE seq = 17")
            .execute(c).await.unwrap();
    }).await;
    let failure = report.failure.unwrap();
    assert_eq!(failure.seq, 17);
    assert!(
        matches!(failure.reason, FailureReason::PayloadHashMismatch { .. }),
        "{failure}"
    );
}

#[tokio::test]
async fn changed_entry_hash_is_detected() {
    let report = tampered(50, async |c| {
        sqlx::query("UPDATE ledger_entries SET entry_hash = zeroblob(32) WHERE seq = 23")
            .execute(c)
            .await
            .unwrap();
    })
    .await;
    let failure = report.failure.unwrap();
    assert_eq!(failure.seq, 23);
    assert!(
        matches!(failure.reason, FailureReason::EntryHashMismatch { .. }),
        "{failure}"
    );
}

#[tokio::test]
async fn deleted_entry_is_detected() {
    let report = tampered(50, async |c| {
        sqlx::query("DELETE FROM ledger_entries WHERE seq = 30")
            .execute(c)
            .await
            .unwrap();
    })
    .await;
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

#[tokio::test]
async fn deleted_tail_is_detected_through_a_checkpoint() {
    let (_dir, path, ws) = new_workspace().await;
    append_entries(&ws, 20).await;
    ws.add_checkpoint(T0, "tests", None).await.unwrap();
    ws.close().await;
    let mut conn = raw(&path).await;
    drop_triggers(&mut conn).await;
    sqlx::query("DELETE FROM ledger_entries WHERE seq > 18")
        .execute(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();
    let failure = verify(&path).await.failure.unwrap();
    assert_eq!(failure.seq, 19);
    assert_eq!(
        failure.reason,
        FailureReason::Truncated {
            expected: 20,
            found: 18
        }
    );
}

#[tokio::test]
async fn inserted_entry_is_detected() {
    // A forger who knows the format renumbers the tail and slips a well-formed entry in after
    // seq 10; the entry after it still carries its old position in its hash.
    let report = tampered(50, async |c| {
        sqlx::query("UPDATE ledger_entries SET seq = seq + 1000000 WHERE seq > 10")
            .execute(&mut *c)
            .await
            .unwrap();
        sqlx::query("UPDATE ledger_entries SET seq = seq - 999999 WHERE seq > 1000000")
            .execute(&mut *c)
            .await
            .unwrap();
        let prev: Vec<u8> = sqlx::query("SELECT entry_hash FROM ledger_entries WHERE seq = 10")
            .fetch_one(&mut *c)
            .await
            .unwrap()
            .get(0);
        let prev = Hash::from_slice(&prev).unwrap();
        let payload = b"{\"forged\":true}".to_vec();
        let ph = payload_hash(&payload);
        let eh = entry_hash(11, "note", T0, &ph, &prev);
        sqlx::query("INSERT INTO ledger_entries VALUES (11, 'note', ?, ?, ?, ?, ?)")
            .bind(T0)
            .bind(payload)
            .bind(ph.0.to_vec())
            .bind(prev.0.to_vec())
            .bind(eh.0.to_vec())
            .execute(&mut *c)
            .await
            .unwrap();
    })
    .await;
    let failure = report.failure.unwrap();
    assert_eq!(failure.seq, 12);
    assert_eq!(failure.reason, FailureReason::Reordered { recorded_as: 11 });
}

#[tokio::test]
async fn inserted_garbage_entry_is_detected() {
    let report = tampered(5, async |c| {
        sqlx::query("INSERT INTO ledger_entries VALUES (6, 'note', ?, X'7B7D', zeroblob(32), zeroblob(32), zeroblob(32))")
            .bind(T0).execute(c).await.unwrap();
    }).await;
    let failure = report.failure.unwrap();
    assert_eq!(failure.seq, 6);
    assert!(
        matches!(failure.reason, FailureReason::PayloadHashMismatch { .. }),
        "{failure}"
    );
}

#[tokio::test]
async fn swapped_entries_are_detected() {
    let report = tampered(50, async |c| {
        sqlx::query("UPDATE ledger_entries SET seq = -1 WHERE seq = 40")
            .execute(&mut *c)
            .await
            .unwrap();
        sqlx::query("UPDATE ledger_entries SET seq = 40 WHERE seq = 41")
            .execute(&mut *c)
            .await
            .unwrap();
        sqlx::query("UPDATE ledger_entries SET seq = 41 WHERE seq = -1")
            .execute(&mut *c)
            .await
            .unwrap();
    })
    .await;
    let failure = report.failure.unwrap();
    assert_eq!(failure.seq, 40);
    assert_eq!(failure.reason, FailureReason::Reordered { recorded_as: 41 });
}

#[tokio::test]
async fn changed_artifact_byte_is_detected() {
    let (_dir, path, ws) = new_workspace().await;
    append_entries(&ws, 10).await;
    let bytes: Vec<u8> = (0..3_000_000u32).map(|i| (i % 251) as u8).collect();
    let sha = store_artifact(&ws, &bytes).await;
    append_entries(&ws, 10).await;
    ws.close().await;
    assert!(verify(&path).await.is_intact());
    let mut conn = raw(&path).await;
    drop_triggers(&mut conn).await;
    // Flip one byte in the middle of the second chunk.
    let data: Vec<u8> =
        sqlx::query("SELECT data FROM artifact_chunks WHERE sha256 = ? AND idx = 1")
            .bind(sha.0.to_vec())
            .fetch_one(&mut conn)
            .await
            .unwrap()
            .get(0);
    let mut data = data;
    data[12345] ^= 0x01;
    sqlx::query("UPDATE artifact_chunks SET data = ? WHERE sha256 = ? AND idx = 1")
        .bind(data)
        .bind(sha.0.to_vec())
        .execute(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();
    let failure = verify(&path).await.failure.unwrap();
    // Entry 11 is the artifact.stored entry that commits to these bytes.
    assert_eq!(failure.seq, 11);
    assert!(
        matches!(failure.reason, FailureReason::Artifact { .. }),
        "{failure}"
    );
}

#[tokio::test]
async fn deleted_artifact_is_detected() {
    let (_dir, path, ws) = new_workspace().await;
    append_entries(&ws, 3).await;
    store_artifact(&ws, b"evidence file").await;
    ws.close().await;
    let mut conn = raw(&path).await;
    drop_triggers(&mut conn).await;
    sqlx::query("DELETE FROM artifact_chunks")
        .execute(&mut conn)
        .await
        .unwrap();
    sqlx::query("DELETE FROM artifacts")
        .execute(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();
    let failure = verify(&path).await.failure.unwrap();
    assert_eq!(failure.seq, 4);
    assert!(failure.to_string().contains("missing"), "{failure}");
}

#[tokio::test]
async fn triggers_refuse_updates_and_deletes() {
    let (_dir, path, ws) = new_workspace().await;
    append_entries(&ws, 3).await;
    ws.close().await;
    let mut conn = raw(&path).await;
    let err = sqlx::query("UPDATE ledger_entries SET kind = 'x' WHERE seq = 1")
        .execute(&mut conn)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("append-only"), "{err}");
    let err = sqlx::query("DELETE FROM ledger_entries")
        .execute(&mut conn)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("append-only"), "{err}");
}

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
#[tokio::test]
async fn tampering_is_found_across_parallel_ranges() {
    let (_dir, path, ws) = new_workspace().await;
    append_entries(&ws, 240_000).await;
    ws.close().await;
    assert!(verify(&path).await.is_intact());
    let mut conn = raw(&path).await;
    drop_triggers(&mut conn).await;
    // With two ranges the boundary is the Merkle block (65,536 entries) at or below 120,000:
    // edit the entry right after it and a later one.
    sqlx::query("UPDATE ledger_entries SET payload = X'7B7D' WHERE seq IN (65537, 200000)")
        .execute(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();
    let failure = verify(&path).await.failure.unwrap();
    assert_eq!(failure.seq, 65_537);
    assert!(
        matches!(failure.reason, FailureReason::PayloadHashMismatch { .. }),
        "{failure}"
    );
}

/// Tree roots computed from parallel ranges and whole blocks equal the tree's, also for
/// checkpoints inside a block and on a block boundary.
#[tokio::test]
async fn tree_roots_from_parallel_ranges_match_the_tree() {
    use evidentia_ledger::MerkleTree;
    let (_dir, path, ws) = new_workspace().await;
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
    let report = verify(&path).await;
    assert_eq!(report.failure, None);
    assert_eq!(report.tree_root, tree.root());
}

/// An artifact committed after a broken entry is not blamed instead of that entry.
#[tokio::test]
async fn chain_failure_before_an_artifact_is_reported_first() {
    let (_dir, path, ws) = new_workspace().await;
    append_entries(&ws, 5).await;
    store_artifact(&ws, b"later evidence").await;
    ws.close().await;
    let mut conn = raw(&path).await;
    drop_triggers(&mut conn).await;
    sqlx::query("UPDATE ledger_entries SET payload = X'7B7D' WHERE seq = 2")
        .execute(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();
    let failure = verify(&path).await.failure.unwrap();
    assert_eq!(failure.seq, 2);
    assert!(
        matches!(failure.reason, FailureReason::PayloadHashMismatch { .. }),
        "{failure}"
    );
}

/// Copies entry `from`'s row to `seq`, as a forger who dropped the triggers would.
async fn forge_row(c: &mut SqliteConnection, seq: i64, from: i64) {
    sqlx::query(
        "INSERT INTO ledger_entries (seq, kind, recorded_at, payload, payload_hash, prev_hash, entry_hash) \
         SELECT ?, 'record.exception', recorded_at, payload, payload_hash, prev_hash, entry_hash \
         FROM ledger_entries WHERE seq = ?",
    )
    .bind(seq)
    .bind(from)
    .execute(c)
    .await
    .unwrap();
}

#[tokio::test]
async fn a_row_outside_the_chain_fails_verification() {
    // The recipe an independent tester used: triggers dropped, a forged row at seq 0.
    for seq in [0i64, -5] {
        let report = tampered(30, async |c| forge_row(c, seq, 3).await).await;
        let failure = report
            .failure
            .expect("a row outside the chain must not verify");
        assert_eq!(failure.seq, 0, "{failure}");
        assert_eq!(failure.reason, FailureReason::OutsideChain { seq });
        // The chain itself is intact; the row is named, not silently skipped.
        assert_eq!(report.entries, 30);
    }
}

#[tokio::test]
async fn the_in_sequence_trigger_refuses_rows_outside_the_chain() {
    let (_dir, path, ws) = new_workspace().await;
    append_entries(&ws, 5).await;
    ws.close().await;
    let mut conn = raw(&path).await;
    for seq in [0i64, 7, 5] {
        let refused = sqlx::query(
            "INSERT INTO ledger_entries (seq, kind, recorded_at, payload, payload_hash, prev_hash, entry_hash) \
             SELECT ?, kind, recorded_at, payload, payload_hash, prev_hash, entry_hash FROM ledger_entries WHERE seq = 1",
        )
        .bind(seq)
        .execute(&mut conn)
        .await;
        assert!(refused.is_err(), "insert at seq {seq} must be refused");
    }
}

#[tokio::test]
async fn scans_read_only_the_verified_range() {
    let (_dir, path, ws) = new_workspace().await;
    append_entries(&ws, 10).await;
    ws.close().await;
    let mut conn = raw(&path).await;
    drop_triggers(&mut conn).await;
    forge_row(&mut conn, 0, 3).await;
    conn.close().await.unwrap();
    let ws = Workspace::open(&path, Access::ReadOnly).await.unwrap();
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
}

#[tokio::test]
async fn a_second_commitment_or_an_extra_key_is_malformed() {
    use evidentia_ledger::Chain;
    for payload in [
        // The same content address committed twice (entry 2 already commits to it).
        br#"{"sha256":"SHA","size":16}"#.to_vec(),
        // Exactly two keys: anything else is not a commitment Evidentia writes.
        br#"{"sha256":"OTHER","size":3,"note":"x"}"#.to_vec(),
    ] {
        let (_dir, path, ws) = new_workspace().await;
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
        let mut conn = raw(&path).await;
        sqlx::query(
            "INSERT INTO ledger_entries (seq, kind, recorded_at, payload, payload_hash, prev_hash, entry_hash) VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(entry.seq as i64)
        .bind(&entry.kind)
        .bind(&entry.recorded_at)
        .bind(&entry.payload)
        .bind(entry.payload_hash.0.as_slice())
        .bind(entry.prev_hash.0.as_slice())
        .bind(entry.entry_hash.0.as_slice())
        .execute(&mut conn)
        .await
        .unwrap();
        conn.close().await.unwrap();
        let failure = verify(&path).await.failure.expect("must not verify");
        assert_eq!(failure.seq, entry.seq, "{failure}");
        assert!(
            matches!(failure.reason, FailureReason::Malformed(_)),
            "{failure}"
        );
    }
}

#[tokio::test]
async fn checkpoints_record_tree_roots_and_signed_notes_that_verify() {
    use evidentia_ledger::{MerkleTree, SigningKey, note};
    let (_dir, path, ws) = new_workspace().await;
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
    let first = ws.add_checkpoint(T0, "tests", Some(&key)).await.unwrap();
    append_entries(&ws, 25).await;
    let second = ws.add_checkpoint(T0, "tests", None).await.unwrap();
    let hashes = ws.entry_hashes(second.entry_count).await.unwrap();
    let tree = MerkleTree::from_entry_hashes(&hashes);
    assert_eq!(first.tree_root, tree.root_at(first.entry_count).ok());
    assert_eq!(second.tree_root, Some(tree.root()));
    let head = note::open_checkpoint(first.note.as_deref().unwrap(), &key.verifier()).unwrap();
    assert_eq!(
        (head.size, head.root),
        (first.entry_count, first.tree_root.unwrap())
    );
    assert_eq!(second.note, None);
    assert_eq!(ws.checkpoints().await.unwrap(), vec![first.clone(), second]);
    ws.close().await;
    let report = verify(&path).await;
    assert_eq!(report.failure, None);
    assert_eq!(report.tree_root, tree.root());

    // A note re-signed by another key, or a changed root, is a checkpoint failure.
    let forger = SigningKey::generate(key.name()).unwrap();
    let forged_note = note::sign_checkpoint(&head, &forger).unwrap();
    for (column, value) in [
        ("note", forged_note.into_bytes()),
        ("tree_root", Hash::of(b"other").0.to_vec()),
    ] {
        let copy = path.with_extension(format!("{column}.evidentia"));
        std::fs::copy(&path, &copy).unwrap();
        let mut conn = raw(&copy).await;
        drop_triggers(&mut conn).await;
        let sql = format!("UPDATE checkpoint_trees SET {column} = ? WHERE checkpoint_id = ?");
        let q = sqlx::query(sqlx::AssertSqlSafe(sql));
        let q = if column == "note" {
            q.bind(String::from_utf8(value).unwrap())
        } else {
            q.bind(value)
        };
        q.bind(first.id as i64).execute(&mut conn).await.unwrap();
        conn.close().await.unwrap();
        let failure = verify(&copy).await.failure.expect("altered checkpoint");
        assert_eq!(failure.seq, first.entry_count, "{failure}");
        assert!(
            matches!(failure.reason, FailureReason::CheckpointTree { .. }),
            "{failure}"
        );
    }
}

#[tokio::test]
async fn no_checkpoint_vouches_for_an_altered_ledger() {
    let (_dir, path, ws) = new_workspace().await;
    append_entries(&ws, 10).await;
    ws.close().await;
    let mut conn = raw(&path).await;
    drop_triggers(&mut conn).await;
    sqlx::query("UPDATE ledger_entries SET payload = CAST('{}' AS BLOB) WHERE seq = 4")
        .execute(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();
    let ws = Workspace::open(&path, Access::ReadWrite).await.unwrap();
    let refused = ws.add_checkpoint(T0, "tests", None).await;
    assert!(
        matches!(refused, Err(evidentia_store::StoreError::Altered(_))),
        "{refused:?}"
    );
}
