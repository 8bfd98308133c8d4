//! Fuzzes the vendor inventory importers (credential report, authorization details, Graph,
//! Google Directory, Okta, GitHub members, Kubernetes RBAC, passwd/group, Baton): the first
//! byte picks the format, the rest is the file.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Some((&selector, rest)) = data.split_first() {
        evidentia_fuzz::import_as(evidentia_fuzz::inventory_format(selector), None, rest);
    }
});
