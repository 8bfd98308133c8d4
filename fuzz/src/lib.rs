//! What every fuzz target asserts, beyond "no panic": an importer either refuses the file with
//! a diagnostic naming it, or returns records and row diagnostics that all name it too.

use evidentia_import::{Format, ImportContext, ImportError, Profile, import};

/// The file name every diagnostic must carry.
pub const FILE: &str = "fuzz-input";

/// Runs one importer over `data` and checks the shape of what comes back.
pub fn import_as(format: Format, profile: Option<Profile>, data: &[u8]) {
    let mut ctx = ImportContext::new(FILE);
    ctx.size = Some(data.len() as u64);
    ctx.profile = profile;
    // Inventories that state no moment need one to read their rows at all.
    ctx.as_of = chrono::DateTime::from_timestamp(1_767_225_600, 0);
    let mut sink = Vec::new();
    let mut last_bytes = 0u64;
    let mut progress = |p: evidentia_import::Progress| {
        // Progress never goes backwards and never passes the end of the input.
        assert!(p.bytes_read >= last_bytes, "progress went backwards");
        assert!(p.bytes_read <= data.len() as u64, "progress past the end");
        last_bytes = p.bytes_read;
    };
    let mut input = data;
    match import(format, &mut input, &ctx, &mut sink, &mut progress) {
        Ok(summary) => {
            for d in summary.diagnostics.iter().chain(&summary.warnings) {
                assert_eq!(d.file, FILE, "a diagnostic names another file");
                assert!(!d.reason.is_empty(), "a diagnostic without a reason");
            }
            let emitted: u64 = summary.records.values().sum();
            assert_eq!(emitted, sink.len() as u64, "summary and sink disagree");
        }
        Err(ImportError::Unreadable(d)) => {
            assert_eq!(d.file, FILE, "a refusal names another file");
            assert!(!d.reason.is_empty(), "a refusal without a reason");
        }
        Err(ImportError::ProfileRequired { .. }) => {
            assert!(profile_missing(format), "profile demanded although one was given");
        }
        Err(ImportError::Io { .. } | ImportError::Sink(_)) => {
            panic!("in-memory input cannot fail to read or sink");
        }
    }
}

fn profile_missing(format: Format) -> bool {
    matches!(format, Format::Csv)
}

/// The built-in mapping profile chosen by the first byte, so one target covers them all.
pub fn builtin_profile(selector: u8) -> Option<Profile> {
    let names = Profile::builtin_names();
    let name = names.get(usize::from(selector) % names.len())?;
    Profile::builtin(name)
}

/// The vendor inventory format chosen by the first byte, so one target covers them all.
pub fn inventory_format(selector: u8) -> Format {
    let inventories: Vec<Format> = Format::ALL
        .iter()
        .copied()
        .filter(|f| f.is_inventory())
        .collect();
    inventories
        .get(usize::from(selector) % inventories.len().max(1))
        .copied()
        .unwrap_or(Format::Csv)
}
