//! The demo workspace: every file of `evidence-samples/` imported through the real importers,
//! and its policy set — exactly what a user would do by hand. The samples are embedded, so it
//! works from any directory.

use std::path::{Path, PathBuf};

use anyhow::{Context, anyhow};
use chrono::{DateTime, Utc};

use crate::{FileOutcome, ImportOptions, Location, import_files, init_workspace, set_policy};

include!(concat!(env!("OUT_DIR"), "/samples.rs"));

/// The sample organisation's files, embedded at build time: (path relative to
/// `evidence-samples/`, bytes).
pub fn embedded_samples() -> &'static [(&'static str, &'static [u8])] {
    SAMPLES
}

/// Writes the embedded samples out as files under `dir` (imports name real files, and users
/// can open them).
pub fn write_embedded_samples(dir: &Path) -> anyhow::Result<()> {
    for (relative, bytes) in SAMPLES {
        let file = dir.join(relative);
        if let Some(parent) = file.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("creating {}", parent.display()))?;
        }
        std::fs::write(&file, bytes).with_context(|| format!("writing {}", file.display()))?;
    }
    Ok(())
}

/// Builds the demo workspace at `out` from the embedded samples, written to a temporary folder
/// for the import and removed afterwards: `evidentia demo` from any directory.
pub async fn build_embedded_demo(out: &Location, now: DateTime<Utc>) -> anyhow::Result<DemoReport> {
    let sources = tempfile::tempdir().context("creating a folder for the demo's sample files")?;
    write_embedded_samples(sources.path())?;
    build_demo(sources.path(), out, now).await
}

/// The acting user the demo's entries record: a fixed name, so the demo's entries are the same
/// whoever builds it and on whatever machine.
pub const DEMO_USER: &str = "demo";

/// What building the demo did.
#[derive(Debug, Clone)]
pub struct DemoReport {
    pub workspace: Location,
    pub files: usize,
    pub records: u64,
}

/// The built-in profile for each generic file of the samples, by its folder; log files in
/// `logs/` are detected from their content.
fn profile_for(relative: &Path) -> Option<&'static str> {
    let first = relative.components().next()?.as_os_str().to_str()?;
    match first {
        "hr" => Some("hr-extract"),
        "nhi" => Some("nhi-catalog"),
        "tickets" => Some("ticket-export"),
        "reconciliation" => Some("reconciliation-csv"),
        "exceptions" => Some("exceptions-register"),
        "reviews" => Some("access-review"),
        "logs" if relative.extension().is_some_and(|e| e == "csv") => Some("provisioning-csv"),
        _ => None,
    }
}

/// The emergency-access register has no built-in profile (no product's export has one
/// layout): the samples carry the profile that reads it, as a user's own would be.
const EMERGENCY_DIR: &str = "emergency";
const EMERGENCY_PROFILE: &str = "profiles/emergency-access-register.toml";

/// Creates a new workspace at `out` from the sample files in `samples` (the `evidence-samples/`
/// folder): imports every input file in a stable order, then records `policy.toml`.
pub async fn build_demo(
    samples: &Path,
    out: &Location,
    now: DateTime<Utc>,
) -> anyhow::Result<DemoReport> {
    let policy = samples.join("policy.toml");
    if !policy.is_file() {
        return Err(anyhow!(
            "{} is not an evidence-samples folder (no policy.toml)",
            samples.display()
        ));
    }
    let mut files = Vec::new();
    for dir in [
        "hr",
        "nhi",
        "tickets",
        "logs",
        "reconciliation",
        "exceptions",
        "reviews",
        EMERGENCY_DIR,
    ] {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(samples.join(dir))
            .with_context(|| format!("reading {}", samples.join(dir).display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_file())
            .collect();
        entries.sort();
        files.extend(entries);
    }
    init_workspace(out, now).await?;
    let mut records = 0;
    for file in &files {
        let relative = file.strip_prefix(samples).unwrap_or(file);
        let in_emergency = relative
            .components()
            .next()
            .is_some_and(|c| c.as_os_str() == EMERGENCY_DIR);
        let profile = if in_emergency {
            Some(samples.join(EMERGENCY_PROFILE).display().to_string())
        } else {
            profile_for(relative).map(str::to_owned)
        };
        let options = ImportOptions {
            profile,
            ..ImportOptions::default()
        };
        let reports = import_files(
            out,
            std::slice::from_ref(file),
            &options,
            Some(DEMO_USER),
            now,
            |_, _| {},
        )
        .await
        .with_context(|| format!("importing {}", relative.display()))?;
        for report in reports {
            if let FileOutcome::Imported {
                records: by_kind, ..
            } = report.outcome
            {
                records += by_kind.values().sum::<u64>();
            }
        }
    }
    set_policy(out, &policy, Some(DEMO_USER), now).await?;
    Ok(DemoReport {
        workspace: out.clone(),
        files: files.len(),
        records,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_samples_and_their_policy_are_embedded() {
        let names: Vec<&str> = embedded_samples().iter().map(|(n, _)| *n).collect();
        assert!(names.contains(&"policy.toml"), "{names:?}");
        assert!(names.iter().any(|n| n.starts_with("logs/")), "{names:?}");
        assert!(
            names.contains(&"reviews/access-reviews-2025.csv"),
            "{names:?}"
        );
        assert_eq!(
            profile_for(Path::new("reviews/access-reviews-2025.csv")),
            Some("access-review")
        );
        assert!(!names.contains(&"answer-key.json"));
        assert!(names.contains(&EMERGENCY_PROFILE), "{names:?}");
        assert!(names.iter().all(|n| profile_for(Path::new(n)).is_some()
            || n.starts_with("logs/")
            || n.starts_with("emergency/")
            || *n == EMERGENCY_PROFILE
            || *n == "policy.toml"));
    }
}
