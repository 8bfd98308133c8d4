//! Every real capture in `../shared/real-samples/` (logs and vendor inventories) imports with
//! no flags at all, as a new user would drop it in; skips when that folder is absent.

use crate::*;

/// The shared samples folder, or `None` (with a message) when it is not checked out beside.
fn real_samples() -> Option<PathBuf> {
    let root = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/real-samples"
    ));
    if root.is_dir() {
        Some(root)
    } else {
        println!("skipping: ../shared/real-samples not present");
        None
    }
}

/// Every sample file (not the folder's own notes), sorted.
fn sample_files(root: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut dirs = vec![root.to_owned()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_none_or(|e| e != "md") {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

#[test]
fn every_real_sample_imports_with_no_flags() {
    let Some(root) = real_samples() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let ws = init_ws(dir.path());
    let files = sample_files(&root);
    assert!(files.len() >= 40, "{} sample files", files.len());
    let mut failures = Vec::new();
    for file in &files {
        let run = run_ws(&ws, &["--json", "import", path_str(file)]);
        let shown = file.strip_prefix(&root).unwrap().display().to_string();
        if run.code != Some(0) {
            failures.push(format!(
                "{shown}: exit {:?}: {}",
                run.code,
                run.stderr.trim()
            ));
            continue;
        }
        let result = &run.json()[0];
        let records: u64 = result["records"]
            .as_object()
            .map_or(0, |r| r.values().filter_map(|n| n.as_u64()).sum());
        let skipped: u64 = result["skipped"]
            .as_object()
            .map_or(0, |r| r.values().filter_map(|n| n.as_u64()).sum());
        if records + skipped == 0 {
            failures.push(format!(
                "{shown}: imported, but nothing was read from it: {result}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    verify_intact(&ws);
}
