//! Imports every real log sample in `../shared/real-samples/` and checks what comes out; skips when that folder is absent.

mod cloudtrail;
mod detect;
mod entra;
mod github;
mod gworkspace;
mod k8s;
mod linux;
mod okta;

/// The bytes of one sample (path relative to `shared/real-samples/`), or `None` when the
/// shared samples are not checked out beside the repository.
pub fn sample(rel: &str) -> Option<Vec<u8>> {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/real-samples/");
    if !std::path::Path::new(root).is_dir() {
        println!("skipping: ../shared/real-samples not present");
        return None;
    }
    match std::fs::read(format!("{root}{rel}")) {
        Ok(bytes) => Some(bytes),
        Err(e) => panic!("cannot read sample {rel}: {e}"),
    }
}
