//! Fuzzes format detection: any first bytes give a format or none, and that importer copes.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let detected = evidentia_import::detect_format(data, "fuzz-input");
    if let Some(format) = detected {
        evidentia_fuzz::import_as(format, None, data);
    }
});
