//! Fuzzes the ledger verifier: an honest chain built from any payloads verifies, and any one
//! changed byte in any field of any entry is caught at that entry or the next.
#![no_main]

use evidentia_ledger::{Chain, Verifier};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let mut chain = Chain::new();
    let mut entries: Vec<_> = rest
        .split(|&b| b == 0xFF)
        .take(64)
        .map(|payload| chain.next_entry("record.fuzz", "2026-01-01T00:00:00.000000Z", payload.to_vec()))
        .collect();
    let mut verifier = Verifier::new();
    for entry in &entries {
        verifier.push(entry).expect("an honest chain verifies");
    }

    // One mutation: which entry, which field, which byte, which bit.
    let target = usize::from(selector) % entries.len();
    let bit = 1u8 << (selector % 8);
    let at = usize::from(selector) * 7;
    let entry = &mut entries[target];
    match selector % 7 {
        0 if !entry.payload.is_empty() => {
            let i = at % entry.payload.len();
            entry.payload[i] ^= bit;
        }
        1 => entry.payload_hash.0[at % 32] ^= bit,
        2 => entry.prev_hash.0[at % 32] ^= bit,
        3 => entry.entry_hash.0[at % 32] ^= bit,
        4 => entry.seq ^= u64::from(bit),
        5 => entry.kind.push('x'),
        _ => entry.recorded_at = "2026-01-01T00:00:00.000001Z".into(),
    }
    let mut verifier = Verifier::new();
    let failed = entries.iter().try_for_each(|e| verifier.push(e)).is_err();
    // An empty payload cannot have a byte changed (field 0): nothing was mutated then.
    let mutated = !(selector % 7 == 0 && entries[target].payload.is_empty());
    if mutated {
        assert!(failed, "mutation {} of entry {} not detected", selector % 7, target + 1);
    }
});
