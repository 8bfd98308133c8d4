//! The display names the imported identity records give, so the desktop can show "Ada Lovelace (E1001)" where the evidence only says `E1001`.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Context as _;
use evidentia_domain::RecordKind;
use evidentia_store::StoreError;
use serde_json::Value;

use crate::{open_read, record_entry_kind};

/// Identity id → display name, from the verified ledger's identity records (`display_name`) and
/// lifecycle events (`attributes.display_name`, as HR extracts carry it), in ledger order: a
/// later record of the same identity replaces an earlier one (a name changed in HR). Identities
/// without a name are left out.
pub async fn identity_names(workspace: &Path) -> anyhow::Result<BTreeMap<String, String>> {
    let identity = record_entry_kind(RecordKind::Identity);
    let event = record_entry_kind(RecordKind::LifecycleEvent);
    let ws = open_read(workspace).await?;
    let result = async {
        let verified = crate::trust::verified(&ws).await?;
        ws.scan_kinds(
            &[identity, event],
            verified.entries,
            BTreeMap::new(),
            move |names: &mut BTreeMap<String, String>, entry| {
                let p: Value = serde_json::from_slice(entry.payload).map_err(|e| {
                    StoreError::Corrupt(format!("entry {}: unreadable record: {e}", entry.seq))
                })?;
                let record = &p["record"];
                let (id, name) = if entry.kind == identity {
                    (&record["id"], &record["display_name"])
                } else {
                    (&record["identity"], &record["attributes"]["display_name"])
                };
                if let (Some(id), Some(name)) = (id.as_str(), name.as_str().map(str::trim)) {
                    if !name.is_empty() {
                        names.insert(id.to_owned(), name.to_owned());
                    }
                }
                Ok(())
            },
        )
        .await
        .context("reading the identity records")
    }
    .await;
    ws.close().await;
    result
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    #[tokio::test]
    async fn the_demo_names_its_people() {
        let dir = tempfile::tempdir().unwrap();
        let ws = dir.path().join("w.evidentia");
        let now = Utc.with_ymd_and_hms(2026, 3, 1, 9, 0, 0).unwrap();
        crate::build_embedded_demo(&ws, now).await.unwrap();
        let names = super::identity_names(&ws).await.unwrap();
        assert!(names.len() > 10, "{}", names.len());
        // Read independently from the ledger: every named identity record agrees with the map
        // (the last record of an id wins).
        let mut entries = Vec::new();
        loop {
            let page = crate::list_entries(&ws, entries.len() as u64 + 1, 1000)
                .await
                .unwrap();
            if page.is_empty() {
                break;
            }
            entries.extend(page);
        }
        let mut expected = std::collections::BTreeMap::new();
        for e in &entries {
            let p: serde_json::Value = serde_json::from_slice(&e.payload).unwrap_or_default();
            let (id, name) = match e.kind.as_str() {
                "record.identity" => (&p["record"]["id"], &p["record"]["display_name"]),
                "record.lifecycle_event" => (
                    &p["record"]["identity"],
                    &p["record"]["attributes"]["display_name"],
                ),
                _ => continue,
            };
            if let (Some(id), Some(n)) = (id.as_str(), name.as_str()) {
                if !n.trim().is_empty() {
                    expected.insert(id.to_owned(), n.trim().to_owned());
                }
            }
        }
        // The HR extract names Priya Vargas as E1083 (evidence-samples/hr).
        assert_eq!(names.get("E1083").map(String::as_str), Some("Priya Vargas"));
        assert_eq!(names, expected);
    }
}
