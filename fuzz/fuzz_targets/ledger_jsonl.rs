//! Fuzzes the pack's ledger.jsonl line parser: any bytes are an entry or an error naming the
//! line; a parsed entry written back reads back the same.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    match evidentia_pack::parse_line(data, 7) {
        Ok(entry) => {
            let line = evidentia_pack::to_line(&entry).expect("a parsed entry serializes");
            let again = evidentia_pack::parse_line(&line, 7).expect("our own line parses");
            assert_eq!(entry, again, "round trip changed the entry");
        }
        Err(e) => assert!(e.to_string().contains('7'), "error without the line: {e}"),
    }
});
