//! A selective pack of a sample whose attribute cites a row of a `record.reconciliation_set` (the demo, with the snapshot row showing a leaver's account still there written again as a set, beside another identity's row, a day earlier): the cited row is disclosed alone beside the withheld payload, is the ledger's `rows[row-1]`, its neighbour is not disclosed, and the pack verifies.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Read as _;

use chrono::{DateTime, TimeZone, Utc};
use evidentia_store::{Access, EvidenceStore, Workspace};
use serde_json::{Value, json};

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 15, 9, 0, 0).single().unwrap()
}

/// The payload of entry `seq`, as JSON.
async fn payload(store: &Workspace, seq: u64) -> (String, Value) {
    let entry = store.entries(seq, 1).await.unwrap().remove(0);
    (entry.kind, serde_json::from_slice(&entry.payload).unwrap())
}

#[tokio::test]
async fn an_inventory_row_a_sample_cites_is_disclosed_alone_and_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let ws = evidentia_app::Location::from(dir.path().join("demo.evidentia"));
    evidentia_app::build_embedded_demo(&ws, now())
        .await
        .unwrap();

    // A planted leaver-not-revoked finding rests on a snapshot row showing the account still
    // there after the leaver left.
    let view = evidentia_app::findings_view(&ws, now()).await.unwrap();
    let store = Workspace::open(&ws, Access::ReadWrite).await.unwrap();
    let mut found = None;
    'findings: for f in view
        .findings
        .iter()
        .filter(|f| f.check == "EV-LEAVER-NOT-REVOKED")
    {
        for &seq in f.evidence.iter().rev() {
            let (kind, p) = payload(&store, seq).await;
            if kind == "record.reconciliation" && p["record"]["status"] == "unexpected_present" {
                found = Some((f.identity.clone().unwrap(), p));
                break 'findings;
            }
        }
    }
    let (leaver, still_active) =
        found.expect("a planted leaver not revoked, with its snapshot row");
    // Another identity's row of the same system, to sit beside it in the set.
    let mut neighbour = None;
    for seq in 1..=store.head().await.unwrap().count {
        let (kind, p) = payload(&store, seq).await;
        if kind == "record.reconciliation"
            && p["artifact"] == still_active["artifact"]
            && p["record"]["identity"].is_string()
            && p["record"]["identity"] != leaver.as_str()
        {
            neighbour = Some(p);
            break;
        }
    }
    let neighbour = neighbour.unwrap();
    // The same two rows, a day before that snapshot (still after the leaver left), as one set
    // entry: now the first listing to show the account after the deadline, which the finding
    // cites (a full listing of that system: every other account reads as gone then).
    let as_of = DateTime::parse_from_rfc3339(still_active["record"]["as_of"].as_str().unwrap())
        .unwrap()
        - chrono::TimeDelta::days(1);
    let later = |p: &Value| {
        let mut record = p["record"].clone();
        record["as_of"] = as_of
            .with_timezone(&Utc)
            .to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
            .into();
        json!({"location": p["location"], "record": record})
    };
    let set = evidentia_ledger::canonical_json(&json!({
        "artifact": still_active["artifact"],
        "rows": [later(&neighbour), later(&still_active)],
    }))
    .unwrap();
    let mut batch = store.begin().await.unwrap();
    let set_seq = batch
        .append(
            "record.reconciliation_set",
            &evidentia_ledger::format_recorded_at(now()),
            set,
        )
        .await
        .unwrap();
    batch.commit().await.unwrap();

    // The whole population: the leaver's item is in it.
    let leavers = evidentia_app::population_counts(&ws, None, None, now())
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.def.name == "leavers")
        .unwrap()
        .count;
    let request = evidentia_app::SampleRequest {
        population: "leavers".to_owned(),
        size: evidentia_app::SampleSize::Fixed(leavers),
        seed: "rows".to_owned(),
        stratify: None,
        from: None,
        to: None,
    };
    let view = evidentia_app::draw_sample(&ws, &request, now())
        .await
        .unwrap();
    let sample = dir.path().join("leavers.json");
    let json = evidentia_app::sample_json(&view, true);
    std::fs::write(&sample, serde_json::to_vec(&json).unwrap()).unwrap();
    let cited: Vec<(u64, u64)> = json["items"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|item| evidentia_pack::sample_item_rows(item).unwrap())
        .collect();
    assert!(
        cited.contains(&(set_seq, 2)),
        "the leaver's item cites row 2 of entry {set_seq}: {cited:?}"
    );
    let out = dir.path().join("leavers.zip");
    let report = evidentia_app::write_sample_pack(&ws, &sample, Vec::new(), &out, now())
        .await
        .unwrap();
    assert_eq!(report.set_rows, cited.len(), "one disclosure per cited row");

    let verdict = evidentia_pack::verify_pack(
        std::fs::File::open(&out).unwrap(),
        &evidentia_pack::Limits::default(),
    )
    .unwrap();
    assert!(
        matches!(verdict, evidentia_pack::Verdict::Intact(_)),
        "{verdict:?}"
    );

    // Every disclosed row is the ledger's own row at that place, and only cited rows are (the
    // demo's provisioning logs are execution sets too: their rows are checked the same way).
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&out).unwrap()).unwrap();
    let mut disclosed_rows = 0;
    for i in 0..zip.len() {
        let mut file = zip.by_index(i).unwrap();
        if !file.name().starts_with("proofs/sample/") {
            continue;
        }
        let mut text = String::new();
        file.read_to_string(&mut text).unwrap();
        let proof: Value = serde_json::from_str(&text).unwrap();
        let wanted = evidentia_pack::sample_item_rows(&proof["item"]).unwrap();
        let mut given = Vec::new();
        for disclosed in proof["entries"].as_array().unwrap() {
            let Some(rows) = disclosed.get("rows") else {
                continue;
            };
            let seq = disclosed["entry"]["seq"].as_u64().unwrap();
            assert_eq!(disclosed["entry"]["payload"], Value::Null);
            let (_, stored) = payload(&store, seq).await;
            for row in rows.as_array().unwrap() {
                let n = row["row"].as_u64().unwrap();
                let at = &stored["rows"][n as usize - 1];
                assert_eq!(row["location"], at["location"], "{seq}:{n}");
                assert_eq!(row["artifact"], stored["artifact"], "{seq}:{n}");
                if row.get("record_withheld").is_none() {
                    assert_eq!(row["record"], at["record"], "{seq}:{n}");
                }
                given.push((seq, n));
                disclosed_rows += 1;
            }
        }
        assert_eq!(
            given,
            wanted,
            "{}: exactly the rows the item cites",
            file.name()
        );
        if wanted.contains(&(set_seq, 2)) {
            // The neighbour's record is nowhere in the leaver's proof.
            let other = neighbour["record"]["identity"].as_str().unwrap();
            assert!(!text.contains(&format!("\"{other}\"")), "{other} disclosed");
        }
    }
    store.close().await;
    assert_eq!(disclosed_rows, cited.len());
}
