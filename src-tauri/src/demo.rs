//! The demo workspace the app opens on first start: `evidence-samples/` (embedded in the binary)
//! imported, analysed and checkpointed through the façade, exactly as `make demo` does.

use std::path::{Path, PathBuf};

use anyhow::Context;
use chrono::Utc;

/// Returns the demo workspace at `path`, building it under `data` when it does not exist. It
/// is built beside its final name and renamed at the end, so a crash never leaves half a demo.
pub async fn ensure_demo(data: &Path, path: &Path) -> anyhow::Result<PathBuf> {
    if path.is_file() {
        return Ok(path.to_owned());
    }
    let sources = data.join("demo-sources");
    evidentia_app::write_embedded_samples(&sources)?;
    let building = data.join("demo.evidentia.building");
    for suffix in ["", "-wal", "-shm"] {
        let stale = PathBuf::from(format!("{}{suffix}", building.display()));
        if stale.exists() {
            std::fs::remove_file(&stale)
                .with_context(|| format!("removing {}", stale.display()))?;
        }
    }
    let now = Utc::now();
    let workspace = evidentia_app::Location::from(&building);
    evidentia_app::build_demo(&sources, &workspace, now).await?;
    evidentia_app::create_signing_key(&workspace, None, now).await?;
    evidentia_app::record_analysis(&workspace, None, Some(evidentia_app::DEMO_USER), now).await?;
    evidentia_app::create_checkpoint(&workspace, now, None, Some(evidentia_app::DEMO_USER)).await?;
    std::fs::rename(&building, path)
        .with_context(|| format!("moving the demo into place at {}", path.display()))?;
    Ok(path.to_owned())
}
