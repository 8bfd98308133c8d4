//! Fuzzes the mapping-profile parser: any text is a profile or an error naming the source.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        match evidentia_import::Profile::from_toml(text, "fuzz.toml") {
            Ok(profile) => {
                // A parsed profile must be usable: run it over its own text as CSV input.
                evidentia_fuzz::import_as(evidentia_import::Format::Csv, Some(profile), data);
            }
            Err(e) => assert!(e.to_string().contains("fuzz.toml"), "error without the file: {e}"),
        }
    }
});
