//! The display names the imported identity records give, so the desktop can show "Ada Lovelace (E1001)" where the evidence only says `E1001`.

use std::collections::BTreeMap;

use anyhow::Context as _;
use evidentia_domain::RecordKind;
use evidentia_store::StoreError;
use serde_json::Value;

use crate::Location;
use crate::{open_read, record_entry_kind};

/// What the evidence says of one identity: its latest display name and whether it is a person.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KnownIdentity {
    pub name: Option<String>,
    pub human: bool,
}

/// Every identity the loaded evidence knows, from identity records and lifecycle events in
/// ledger order: a later record sets the kind again and, when it carries a non-blank name,
/// the name (the same rule [`identity_names`] applies to the ledger directly). The analysis
/// keeps it (`AnalysisRun.identities`) for names next to ids and the OWASP NHI scope.
pub(crate) fn known_identities(
    evidence: &evidentia_rules::Evidence,
) -> BTreeMap<String, KnownIdentity> {
    let records = evidence.identities.iter().map(|i| {
        let r = &i.record;
        (
            i.seq,
            r.id.as_str(),
            r.display_name.as_deref(),
            r.kind.is_human(),
        )
    });
    let events = evidence.events.iter().map(|x| {
        let r = &x.record;
        let name = r.attributes.display_name.as_deref();
        (x.seq, r.identity.as_str(), name, r.identity_kind.is_human())
    });
    let mut notes: Vec<_> = records.chain(events).collect();
    notes.sort_by_key(|n| n.0);
    let mut known: BTreeMap<String, KnownIdentity> = BTreeMap::new();
    for (_, id, name, human) in notes {
        let k = known.entry(id.to_owned()).or_default();
        if let Some(name) = name.map(str::trim).filter(|n| !n.is_empty()) {
            k.name = Some(name.to_owned());
        }
        k.human = human;
    }
    known
}

/// Identity id → display name, from the verified ledger's identity records (`display_name`) and
/// lifecycle events (`attributes.display_name`, as HR extracts carry it), in ledger order: a
/// later record of the same identity replaces an earlier one (a name changed in HR). Identities
/// without a name are left out.
pub async fn identity_names(workspace: &Location) -> anyhow::Result<BTreeMap<String, String>> {
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
        let ws = crate::Location::from(dir.path().join("w.evidentia"));
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
        // The analysis's own reading of the same evidence names everyone the same way, and
        // knows people from NHIs by their records' kinds.
        let run = crate::analyze_workspace(&ws, None, now).await.unwrap();
        let from_run: std::collections::BTreeMap<String, String> = run
            .identities
            .iter()
            .filter_map(|(id, k)| k.name.clone().map(|n| (id.clone(), n)))
            .collect();
        assert_eq!(from_run, expected);
        assert!(run.identities["E1083"].human);
        let nhi = run
            .identities
            .iter()
            .find(|(id, _)| id.starts_with("NHI-"))
            .expect("the demo has NHIs");
        assert!(!nhi.1.human, "{nhi:?}");
        assert!(run.is_non_human(Some(nhi.0)) && !run.is_non_human(Some("E1083")));
        assert!(
            run.is_non_human(None),
            "an unowned account is in the NHI scope"
        );
    }
}
