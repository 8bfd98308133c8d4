//! Content-derived UUIDs, so that exporting the same evidence twice gives the same document.
//!
//! OSCAL requires RFC 4122 version 4 or 5 UUIDs. Version 5 is "a name hashed into a UUID"
//! with SHA-1; we hash with SHA-256 instead (nothing here needs SHA-1) and keep the version 5
//! shape: the first 16 bytes of `SHA-256("evidentia/uuid" ‖ kind ‖ parts)`, each field
//! length-prefixed, with the version nibble set to 5 and the RFC 4122 variant bits.

use sha2::{Digest, Sha256};

/// A version-5-shaped UUID (lowercase, hyphenated) derived from `kind` and `parts` only.
///
/// ```
/// let a = evidentia_pack::content_uuid("finding", &["EV-X", "E1"]);
/// assert_eq!(a, evidentia_pack::content_uuid("finding", &["EV-X", "E1"]));
/// assert_ne!(a, evidentia_pack::content_uuid("finding", &["EV-XE", "1"]));
/// assert_eq!(&a[14..15], "5");
/// ```
pub fn content_uuid(kind: &str, parts: &[&str]) -> String {
    let mut hasher = Sha256::new();
    for field in std::iter::once(&"evidentia/uuid")
        .chain(std::iter::once(&kind))
        .chain(parts.iter())
    {
        // Length prefixes keep ("ab", "c") and ("a", "bc") apart.
        hasher.update((field.len() as u64).to_be_bytes());
        hasher.update(field.as_bytes());
    }
    let digest = hasher.finalize();
    let mut b = [0u8; 16];
    b.copy_from_slice(&digest[..16]);
    b[6] = (b[6] & 0x0f) | 0x50;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex::encode(b);
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_oscal_uuid_pattern() {
        for i in 0..200 {
            let u = content_uuid("t", &[&i.to_string()]);
            let bytes = u.as_bytes();
            assert_eq!(u.len(), 36);
            assert_eq!(bytes[14], b'5', "{u}");
            assert!(b"89ab".contains(&bytes[19]), "{u}");
            assert!(u.chars().all(|c| c == '-' || c.is_ascii_hexdigit()));
        }
    }
}
