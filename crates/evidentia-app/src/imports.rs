//! What was imported so far, read back from the `import.file` ledger entries, and the built-in
//! mapping profiles a client can offer: the import history the desktop overview shows.

use std::collections::BTreeMap;

use anyhow::Context;
use evidentia_import::Profile;
use evidentia_store::StoreError;
use serde::Deserialize;

use crate::Location;
use crate::{EntryKind, open_read};

/// One imported file as its `import.file` entry recorded it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportRecord {
    /// The `import.file` entry.
    pub seq: u64,
    pub recorded_at: String,
    pub file_name: String,
    /// SHA-256 of the raw bytes (hex), the stored artifact's address.
    pub artifact: String,
    pub size: u64,
    pub format: String,
    pub profile: Option<String>,
    pub rows: u64,
    /// Records appended, by record kind (`execution`, `identity`, ...).
    pub records: BTreeMap<String, u64>,
    /// Rows read and deliberately not recorded (read-only events), by reason.
    pub skipped: BTreeMap<String, u64>,
    /// Bad rows left out under skip-invalid (they are listed in the entry).
    pub invalid_rows: u64,
    /// Events too incomplete to be evidence.
    pub warnings: u64,
    /// Who imported it; `None` for entries made before imports recorded it.
    pub recorded_by: Option<String>,
}

/// The fields of an `import.file` payload this listing reads; older entries may lack some.
#[derive(Deserialize)]
struct ImportPayload {
    #[serde(default)]
    artifact: String,
    #[serde(default)]
    file_name: String,
    #[serde(default)]
    size: u64,
    #[serde(default)]
    format: String,
    #[serde(default)]
    profile: Option<String>,
    #[serde(default)]
    rows: u64,
    #[serde(default)]
    records: BTreeMap<String, u64>,
    #[serde(default)]
    skipped: BTreeMap<String, u64>,
    #[serde(default)]
    invalid_rows: u64,
    #[serde(default)]
    warnings: u64,
    #[serde(default)]
    recorded_by: Option<String>,
}

/// Every imported file, oldest first (the `log --kind import.file` view, parsed).
pub async fn list_imports(workspace: &Location) -> anyhow::Result<Vec<ImportRecord>> {
    let ws = open_read(workspace).await?;
    let kind = EntryKind::ImportFile.as_str();
    let verified = match crate::trust::verified(&ws).await {
        Ok(v) => v,
        Err(e) => {
            ws.close().await;
            return Err(e);
        }
    };
    let result = ws
        .scan_kinds(
            &[kind],
            verified.entries,
            Vec::new(),
            |found: &mut Vec<(u64, Vec<u8>)>, entry| {
                found.push((entry.seq, entry.payload.to_vec()));
                Ok::<(), StoreError>(())
            },
        )
        .await
        .context("reading the import entries");
    // The recorded time is not part of the scanned payload; read it per entry (imports are few).
    let result = match result {
        Ok(found) => {
            let mut records = Vec::with_capacity(found.len());
            for (seq, payload) in found {
                let p: ImportPayload = serde_json::from_slice(&payload)
                    .with_context(|| format!("reading import entry {seq}"))?;
                let recorded_at = evidentia_store::EvidenceStore::entries(&ws, seq, 1)
                    .await?
                    .first()
                    .map(|e| e.recorded_at.clone())
                    .unwrap_or_default();
                records.push(ImportRecord {
                    seq,
                    recorded_at,
                    file_name: p.file_name,
                    artifact: p.artifact,
                    size: p.size,
                    format: p.format,
                    profile: p.profile,
                    rows: p.rows,
                    records: p.records,
                    skipped: p.skipped,
                    invalid_rows: p.invalid_rows,
                    warnings: p.warnings,
                    recorded_by: p.recorded_by,
                });
            }
            Ok(records)
        }
        Err(e) => Err(e),
    };
    ws.close().await;
    result
}

/// The built-in mapping profiles for generic CSV/JSON files, by name.
pub fn builtin_profiles() -> Vec<&'static str> {
    Profile::builtin_names()
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use chrono::{TimeZone, Utc};

    use super::*;
    use crate::{ImportOptions, import_files, init_workspace};

    fn fixture(name: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../evidentia-import/tests/profiles/data")
            .join(name)
    }

    #[tokio::test]
    async fn lists_each_imported_file_once_with_its_counts() {
        let dir = tempfile::tempdir().expect("tempdir");
        let ws = crate::Location::from(dir.path().join("w.evidentia"));
        let now = Utc
            .with_ymd_and_hms(2024, 5, 1, 12, 0, 0)
            .single()
            .expect("time");
        init_workspace(&ws, now).await.expect("init");
        assert!(list_imports(&ws).await.expect("list").is_empty());
        let options = ImportOptions {
            profile: Some("provisioning-csv".into()),
            skip_invalid: true,
            ..ImportOptions::default()
        };
        let file = fixture("provisioning-csv.csv");
        for _ in 0..2 {
            import_files(
                &ws,
                std::slice::from_ref(&file),
                &options,
                Some("tester"),
                now,
                |_, _| {},
            )
            .await
            .expect("import");
        }
        let imports = list_imports(&ws).await.expect("list");
        assert_eq!(
            imports.len(),
            1,
            "a second import of the same bytes adds nothing"
        );
        let first = &imports[0];
        assert_eq!(first.file_name, "provisioning-csv.csv");
        assert_eq!(first.profile.as_deref(), Some("provisioning-csv"));
        assert_eq!(first.recorded_at, "2024-05-01T12:00:00.000000Z");
        assert!(first.records.get("execution").copied().unwrap_or(0) > 0);
        assert_eq!(first.artifact.len(), 64);
        assert_eq!(first.recorded_by.as_deref(), Some("tester"));
    }

    #[test]
    fn offers_the_builtin_profiles() {
        assert!(builtin_profiles().contains(&"provisioning-csv"));
    }
}
