//! Fuzzes `pack verify` on arbitrary archives: any bytes give a verdict or an I/O error, never
//! a panic, and nothing is extracted anywhere (the verifier reads from memory here).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let limits = evidentia_pack::Limits::default();
    if let Ok(verdict) = evidentia_pack::verify_pack(std::io::Cursor::new(data), &limits) {
        // An intact verdict needs the files a pack must carry; random bytes never are one
        // unless they are a real pack (which the seeds are).
        let _ = verdict.is_intact();
    }
});
