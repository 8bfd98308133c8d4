//! Fuzzes the generic CSV/JSON importer under every built-in mapping profile (the first byte
//! chooses the profile).
#![no_main]

use evidentia_import::Format;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Some((&selector, rest)) = data.split_first() {
        evidentia_fuzz::import_as(Format::Csv, evidentia_fuzz::builtin_profile(selector), rest);
    }
});
