//! Integration tests over the shipped data files: catalogs, crosswalk, mapping and their docs.

mod crosswalk;
mod docs;
mod examples;
mod mapping;
mod nist_csf;
mod owasp;

use std::path::PathBuf;

/// A path inside this crate.
fn crate_path(relative: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(relative)
}

/// A file of the shared reference folder beside the checkout, or `None` (with a printed
/// reason) when it is absent, as it is outside the founding team's machines and CI.
fn shared_reference(name: &str) -> Option<PathBuf> {
    let path = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/reference/"
    ))
    .join(name);
    if path.exists() {
        Some(path)
    } else {
        println!(
            "skipping: {} not found (the shared reference folder is absent)",
            path.display()
        );
        None
    }
}

/// Set `EVIDENTIA_BLESS=1` to rewrite generated files instead of comparing with them.
fn bless() -> bool {
    std::env::var_os("EVIDENTIA_BLESS").is_some_and(|v| v == "1")
}

fn builtin() -> (
    evidentia_frameworks::Catalogs,
    evidentia_frameworks::Mapping,
) {
    let catalogs = evidentia_frameworks::Catalogs::builtin().expect("built-in catalogs load");
    let mapping =
        evidentia_frameworks::Mapping::builtin(&catalogs).expect("built-in mapping loads");
    (catalogs, mapping)
}
