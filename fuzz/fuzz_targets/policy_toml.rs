//! Fuzzes the policy parser: any text is a policy or an error naming the source.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data)
        && let Err(e) = evidentia_policy::Policy::from_toml(text, "policy.toml")
    {
        assert!(e.to_string().contains("policy.toml"), "error without the file: {e}");
    }
});
