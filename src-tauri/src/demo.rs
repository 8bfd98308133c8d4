//! The demo workspace the app opens on first start: the importer fixtures and the example
//! policy, embedded in the binary and imported through the façade exactly as `make demo` does.

use std::path::{Path, PathBuf};

use anyhow::Context;
use chrono::Utc;

/// The sample files and the built-in profile that reads each (their planted bad rows are
/// recorded, as the CLI's `--skip-invalid` does).
const SAMPLES: &[(&str, &str, &[u8])] = &[
    (
        "hr-extract.csv",
        "hr-extract",
        include_bytes!("../../crates/evidentia-import/tests/profiles/data/hr-extract.csv"),
    ),
    (
        "nhi-catalog.csv",
        "nhi-catalog",
        include_bytes!("../../crates/evidentia-import/tests/profiles/data/nhi-catalog.csv"),
    ),
    (
        "ticket-export.csv",
        "ticket-export",
        include_bytes!("../../crates/evidentia-import/tests/profiles/data/ticket-export.csv"),
    ),
    (
        "provisioning-csv.csv",
        "provisioning-csv",
        include_bytes!("../../crates/evidentia-import/tests/profiles/data/provisioning-csv.csv"),
    ),
    (
        "exceptions-register.csv",
        "exceptions-register",
        include_bytes!("../../crates/evidentia-import/tests/profiles/data/exceptions-register.csv"),
    ),
    (
        "reconciliation-csv.tsv",
        "reconciliation-csv",
        include_bytes!("../../crates/evidentia-import/tests/profiles/data/reconciliation-csv.tsv"),
    ),
];

const POLICY: &str = include_str!("../../crates/evidentia-policy/policy.example.toml");

/// Returns the demo workspace at `path`, building it under `data` when it does not exist. It
/// is built beside its final name and renamed at the end, so a crash never leaves half a demo.
pub async fn ensure_demo(data: &Path, path: &Path) -> anyhow::Result<PathBuf> {
    if path.is_file() {
        return Ok(path.to_owned());
    }
    let sources = data.join("demo-sources");
    std::fs::create_dir_all(&sources).with_context(|| format!("creating {}", sources.display()))?;
    let building = data.join("demo.evidentia.building");
    for stale in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{stale}", building.display()));
    }
    let now = Utc::now();
    evidentia_app::init_workspace(&building, now).await?;
    for (name, profile, bytes) in SAMPLES {
        let file = sources.join(name);
        std::fs::write(&file, bytes).with_context(|| format!("writing {}", file.display()))?;
        let options = evidentia_app::ImportOptions {
            profile: Some((*profile).to_owned()),
            skip_invalid: true,
            ..evidentia_app::ImportOptions::default()
        };
        evidentia_app::import_files(&building, &[file], &options, now, |_, _| {}).await?;
    }
    let policy = sources.join("policy.toml");
    std::fs::write(&policy, POLICY).with_context(|| format!("writing {}", policy.display()))?;
    evidentia_app::set_policy(&building, &policy, now).await?;
    evidentia_app::create_checkpoint(&building, now).await?;
    std::fs::rename(&building, path)
        .with_context(|| format!("moving the demo into place at {}", path.display()))?;
    Ok(path.to_owned())
}
