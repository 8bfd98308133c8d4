//! Fuzzes the gworkspace importer: any bytes are refused or imported cleanly, never a panic.
#![no_main]

use evidentia_import::Format;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    evidentia_fuzz::import_as(Format::Gworkspace, None, data);
});
