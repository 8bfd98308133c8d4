//! Signed checkpoints: a tree head (origin, size, Merkle root) as a C2SP tlog-checkpoint,
//! signed as a C2SP signed note with an Ed25519 workspace key, so a head can be held outside
//! the workspace and checked with standard tools (`openssl pkeyutl -verify -rawin`).
//!
//! Formats: <https://c2sp.org/signed-note> and <https://c2sp.org/tlog-checkpoint>. Keys are
//! PKCS#8 / SPKI PEM (what openssl reads) and the note verifier-key text
//! `<name>+<key id hex>+<base64(0x01 ‖ public key)>` (what Go's `sumdb/note` reads).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use ed25519_dalek::Signer as _;
use ed25519_dalek::pkcs8::spki::der::pem::LineEnding;
use ed25519_dalek::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey};
use sha2::{Digest, Sha256};

use crate::Hash;

/// The signature type byte C2SP assigns to Ed25519.
const ED25519_TYPE: u8 = 0x01;
/// Longest note we read: a checkpoint is a few hundred bytes; this leaves room for 16
/// signatures of any algorithm and refuses anything that is not a checkpoint.
const MAX_NOTE_BYTES: usize = 100_000;

/// Why a note, key or checkpoint was refused. [`NoteError::is_altered`] separates "this is not
/// what was signed" (the CLI exits 3) from "this cannot be read" (exit 1).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NoteError {
    #[error("malformed signed note: {0}")]
    Malformed(String),
    #[error("malformed key: {0}")]
    BadKey(String),
    #[error("the note is not signed by key {0}")]
    NotSignedBy(String),
    #[error(
        "the signature of key {0} does not verify: the note was altered or signed by another key"
    )]
    BadSignature(String),
    #[error("malformed checkpoint: {0}")]
    BadCheckpoint(String),
}

impl NoteError {
    /// True when the input was readable but is not what the trusted key signed.
    pub fn is_altered(&self) -> bool {
        matches!(self, NoteError::NotSignedBy(_) | NoteError::BadSignature(_))
    }
}

/// A key name: non-empty, no Unicode spaces, no `+` (C2SP signed-note).
fn check_name(name: &str) -> Result<(), NoteError> {
    if name.is_empty()
        || name
            .chars()
            .any(|c| c.is_whitespace() || c == '+' || c.is_control())
    {
        return Err(NoteError::BadKey(format!(
            "key name {name:?} must be non-empty, without spaces or '+'"
        )));
    }
    Ok(())
}

/// `SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key)[:4]`, big-endian.
fn key_id(name: &str, public: &[u8; 32]) -> u32 {
    let mut h = Sha256::new();
    h.update(name.as_bytes());
    h.update([b'\n', ED25519_TYPE]);
    h.update(public);
    let d = h.finalize();
    u32::from_be_bytes([d[0], d[1], d[2], d[3]])
}

/// A workspace signing key: an Ed25519 private key and the name its signatures carry.
#[derive(Clone)]
pub struct SigningKey {
    name: String,
    key: ed25519_dalek::SigningKey,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SigningKey({})", self.verifier().to_vkey())
    }
}

impl SigningKey {
    /// A new key from the operating system's random source.
    pub fn generate(name: &str) -> Result<SigningKey, NoteError> {
        check_name(name)?;
        let mut seed = [0u8; 32];
        getrandom::fill(&mut seed)
            .map_err(|e| NoteError::BadKey(format!("no randomness from the system: {e}")))?;
        Ok(SigningKey {
            name: name.to_owned(),
            key: ed25519_dalek::SigningKey::from_bytes(&seed),
        })
    }

    /// A key from its 32-byte RFC 8032 seed.
    pub fn from_seed(name: &str, seed: [u8; 32]) -> Result<SigningKey, NoteError> {
        check_name(name)?;
        Ok(SigningKey {
            name: name.to_owned(),
            key: ed25519_dalek::SigningKey::from_bytes(&seed),
        })
    }

    /// Reads a PKCS#8 PEM private key (`openssl genpkey -algorithm ed25519` writes one).
    pub fn from_pem(name: &str, pem: &str) -> Result<SigningKey, NoteError> {
        check_name(name)?;
        let key = ed25519_dalek::SigningKey::from_pkcs8_pem(pem)
            .map_err(|e| NoteError::BadKey(format!("not an Ed25519 PKCS#8 private key: {e}")))?;
        Ok(SigningKey {
            name: name.to_owned(),
            key,
        })
    }

    /// The private key as PKCS#8 PEM.
    pub fn to_pem(&self) -> Result<String, NoteError> {
        self.key
            .to_pkcs8_pem(LineEnding::LF)
            .map(|s| s.to_string())
            .map_err(|e| NoteError::BadKey(format!("cannot encode the key: {e}")))
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// The public half, to hand to auditors.
    pub fn verifier(&self) -> VerifierKey {
        let public = self.key.verifying_key();
        VerifierKey {
            id: key_id(&self.name, public.as_bytes()),
            name: self.name.clone(),
            key: public,
        }
    }

    /// Signs `text` (which must end in a newline) as a signed note with this key.
    pub fn sign_note(&self, text: &str) -> Result<String, NoteError> {
        check_text(text)?;
        let signature = self.key.sign(text.as_bytes());
        let mut blob = Vec::with_capacity(68);
        blob.extend_from_slice(&self.verifier().id.to_be_bytes());
        blob.extend_from_slice(&signature.to_bytes());
        Ok(format!(
            "{text}\n\u{2014} {} {}\n",
            self.name,
            B64.encode(blob)
        ))
    }
}

/// The public key that checks a workspace's signatures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifierKey {
    name: String,
    id: u32,
    key: ed25519_dalek::VerifyingKey,
}

impl VerifierKey {
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The C2SP key id (first four bytes of the key hash).
    pub fn id(&self) -> u32 {
        self.id
    }

    /// The raw 32-byte public key.
    pub fn public_bytes(&self) -> [u8; 32] {
        self.key.to_bytes()
    }

    /// `<name>+<id, 8 hex digits>+<base64(0x01 ‖ key)>`, the note verifier-key text.
    pub fn to_vkey(&self) -> String {
        let mut blob = vec![ED25519_TYPE];
        blob.extend_from_slice(self.key.as_bytes());
        format!("{}+{:08x}+{}", self.name, self.id, B64.encode(blob))
    }

    /// SPKI PEM (`-----BEGIN PUBLIC KEY-----`), which `openssl pkeyutl -pubin` reads.
    pub fn to_pem(&self) -> Result<String, NoteError> {
        self.key
            .to_public_key_pem(LineEnding::LF)
            .map_err(|e| NoteError::BadKey(format!("cannot encode the key: {e}")))
    }

    /// Parses a verifier key: the vkey text, or an SPKI PEM public key (whose signatures
    /// then name `name`).
    pub fn parse(text: &str, name_for_pem: &str) -> Result<VerifierKey, NoteError> {
        let text = text.trim();
        if text.starts_with("-----BEGIN") {
            check_name(name_for_pem)?;
            let key = ed25519_dalek::VerifyingKey::from_public_key_pem(text)
                .map_err(|e| NoteError::BadKey(format!("not an Ed25519 public key in PEM: {e}")))?;
            return Ok(VerifierKey {
                id: key_id(name_for_pem, key.as_bytes()),
                name: name_for_pem.to_owned(),
                key,
            });
        }
        let mut parts = text.splitn(3, '+');
        let (Some(name), Some(id), Some(blob)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(NoteError::BadKey(
                "expected NAME+KEYID+BASE64 or a PEM public key".into(),
            ));
        };
        check_name(name)?;
        if id.len() != 8 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(NoteError::BadKey(format!(
                "key id {id:?} is not 8 hex digits"
            )));
        }
        let id = u32::from_str_radix(id, 16).map_err(|_| NoteError::BadKey("key id".into()))?;
        let blob = B64
            .decode(blob)
            .map_err(|_| NoteError::BadKey("the key is not base64".into()))?;
        let (Some(&ED25519_TYPE), Ok(public)) = (blob.first(), <[u8; 32]>::try_from(&blob[1..]))
        else {
            return Err(NoteError::BadKey(
                "not an Ed25519 key (type 0x01 and 32 bytes)".into(),
            ));
        };
        if key_id(name, &public) != id {
            return Err(NoteError::BadKey(format!(
                "key id {id:08x} does not match the key"
            )));
        }
        let key = ed25519_dalek::VerifyingKey::from_bytes(&public)
            .map_err(|e| NoteError::BadKey(format!("not a valid Ed25519 point: {e}")))?;
        Ok(VerifierKey {
            name: name.to_owned(),
            id,
            key,
        })
    }

    /// Checks a signed note and returns its text (with its final newline) when a signature
    /// by this key verifies. Signatures by other keys are ignored, as C2SP requires.
    pub fn open<'n>(&self, note: &'n str) -> Result<&'n str, NoteError> {
        let parsed = parse_note(note)?;
        let mut found = false;
        for sig in &parsed.signatures {
            if sig.name != self.name || sig.id != self.id {
                continue;
            }
            found = true;
            let signature = ed25519_dalek::Signature::from_slice(&sig.signature)
                .map_err(|_| NoteError::BadSignature(self.to_vkey()))?;
            if self
                .key
                .verify_strict(parsed.text.as_bytes(), &signature)
                .is_err()
            {
                return Err(NoteError::BadSignature(self.to_vkey()));
            }
        }
        if !found {
            return Err(NoteError::NotSignedBy(self.to_vkey()));
        }
        Ok(parsed.text)
    }
}

/// One signature line of a note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteSignature {
    pub name: String,
    pub id: u32,
    /// The signature bytes after the key id (64 for Ed25519).
    pub signature: Vec<u8>,
}

/// A note split into its text and signature lines (nothing verified yet).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note<'n> {
    /// The signed text, including its final newline.
    pub text: &'n str,
    pub signatures: Vec<NoteSignature>,
}

fn check_text(text: &str) -> Result<(), NoteError> {
    if !text.ends_with('\n') {
        return Err(NoteError::Malformed(
            "the text does not end in a newline".into(),
        ));
    }
    if let Some(c) = text.chars().find(|&c| c != '\n' && c.is_control()) {
        return Err(NoteError::Malformed(format!(
            "control character U+{:04X} in the text",
            c as u32
        )));
    }
    Ok(())
}

/// Splits a signed note at its last blank line, checking the syntax of every signature line.
pub fn parse_note(note: &str) -> Result<Note<'_>, NoteError> {
    if note.len() > MAX_NOTE_BYTES {
        return Err(NoteError::Malformed(format!(
            "{} bytes, more than a checkpoint can be ({MAX_NOTE_BYTES})",
            note.len()
        )));
    }
    if !note.ends_with('\n') {
        return Err(NoteError::Malformed("does not end in a newline".into()));
    }
    let Some(split) = note.rfind("\n\n") else {
        return Err(NoteError::Malformed(
            "no blank line between the text and the signatures".into(),
        ));
    };
    let text = &note[..split + 1];
    check_text(text)?;
    let mut signatures = Vec::new();
    for line in note[split + 2..].lines() {
        let Some(rest) = line.strip_prefix("\u{2014} ") else {
            return Err(NoteError::Malformed(format!(
                "signature line {line:?} does not start with an em dash and a space"
            )));
        };
        let Some((name, b64)) = rest.split_once(' ') else {
            return Err(NoteError::Malformed(format!(
                "signature line {line:?} has no key name"
            )));
        };
        check_name(name).map_err(|e| NoteError::Malformed(e.to_string()))?;
        let blob = B64
            .decode(b64)
            .map_err(|_| NoteError::Malformed(format!("signature of {name} is not base64")))?;
        if blob.len() < 5 {
            return Err(NoteError::Malformed(format!(
                "signature of {name} is too short"
            )));
        }
        signatures.push(NoteSignature {
            name: name.to_owned(),
            id: u32::from_be_bytes([blob[0], blob[1], blob[2], blob[3]]),
            signature: blob[4..].to_vec(),
        });
    }
    if signatures.is_empty() {
        return Err(NoteError::Malformed("no signature lines".into()));
    }
    if signatures.len() > 100 {
        return Err(NoteError::Malformed("more than 100 signatures".into()));
    }
    Ok(Note { text, signatures })
}

/// A tree head as C2SP tlog-checkpoint text: origin, size (entries), Merkle root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeHead {
    pub origin: String,
    pub size: u64,
    pub root: Hash,
}

impl TreeHead {
    /// The checkpoint text: three lines, each ending in a newline.
    pub fn to_text(&self) -> String {
        format!(
            "{}\n{}\n{}\n",
            self.origin,
            self.size,
            B64.encode(self.root.0)
        )
    }

    /// Parses checkpoint text: exactly the three lines Evidentia writes. C2SP allows
    /// extension lines; Evidentia writes none and refuses them, so a checkpoint has one
    /// spelling (docs/ledger-format.md §17).
    pub fn parse(text: &str) -> Result<TreeHead, NoteError> {
        let bad = |why: &str| NoteError::BadCheckpoint(why.to_owned());
        if text.matches('\n').count() != 3 || !text.ends_with('\n') {
            return Err(bad(
                "not exactly three lines (origin, size, root), each ending in a newline",
            ));
        }
        let mut lines = text.split('\n');
        let origin = lines
            .next()
            .filter(|o| !o.is_empty())
            .ok_or_else(|| bad("no origin line"))?;
        let size = lines.next().ok_or_else(|| bad("no tree size line"))?;
        if size.is_empty()
            || !size.bytes().all(|b| b.is_ascii_digit())
            || (size.len() > 1 && size.starts_with('0'))
        {
            return Err(bad(&format!("tree size {size:?} is not a decimal number")));
        }
        let size: u64 = size
            .parse()
            .map_err(|_| bad(&format!("tree size {size:?} is out of range")))?;
        let root = lines.next().ok_or_else(|| bad("no root hash line"))?;
        let root = B64
            .decode(root)
            .ok()
            .and_then(|b| Hash::from_slice(&b))
            .ok_or_else(|| bad(&format!("root hash {root:?} is not 32 bytes of base64")))?;
        Ok(TreeHead {
            origin: origin.to_owned(),
            size,
            root,
        })
    }
}

/// Signs a tree head with the workspace key: the complete `checkpoint.note` text.
pub fn sign_checkpoint(head: &TreeHead, key: &SigningKey) -> Result<String, NoteError> {
    key.sign_note(&head.to_text())
}

/// Verifies a signed checkpoint with a trusted key and returns its tree head.
pub fn open_checkpoint(note: &str, key: &VerifierKey) -> Result<TreeHead, NoteError> {
    TreeHead::parse(key.open(note)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    // The test key and note of Go's golang.org/x/mod/sumdb/note (BSD licence), which is the
    // reference implementation of the signed-note format.
    const PETER_SKEY: &str = "AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
    const PETER_VKEY: &str = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
    const TEXT: &str = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
    const SIGNED: &str = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n\n\u{2014} PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";
    const ENOCH_SIG: &str = "\u{2014} EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n";

    fn peter() -> SigningKey {
        let blob = B64.decode(PETER_SKEY).expect("b64");
        assert_eq!(blob[0], ED25519_TYPE);
        SigningKey::from_seed("PeterNeumann", blob[1..].try_into().expect("32")).expect("key")
    }

    #[test]
    fn signs_and_names_keys_as_the_reference_implementation_does() {
        let key = peter();
        assert_eq!(key.verifier().to_vkey(), PETER_VKEY);
        assert_eq!(key.sign_note(TEXT).expect("sign"), SIGNED);
        let v = VerifierKey::parse(PETER_VKEY, "").expect("vkey");
        assert_eq!(v.open(SIGNED), Ok(TEXT));
        // A second signature by an unknown key is ignored.
        let two = format!("{SIGNED}{ENOCH_SIG}");
        assert_eq!(v.open(&two), Ok(TEXT));
    }

    #[test]
    fn altered_text_wrong_keys_and_bad_syntax_are_refused() {
        let v = VerifierKey::parse(PETER_VKEY, "").expect("vkey");
        let altered = SIGNED.replace("answer", "ANSWER");
        assert!(matches!(v.open(&altered), Err(NoteError::BadSignature(_))));
        let other = SigningKey::generate("PeterNeumann")
            .expect("key")
            .verifier();
        let e = other.open(SIGNED).expect_err("other key");
        assert!(e.is_altered(), "{e}");
        for bad in [
            TEXT.to_owned(),
            format!("{TEXT}\n"),
            SIGNED.trim_end().to_owned(),
            format!("\u{1}{SIGNED}"),
            format!("{SIGNED}Unexpected line.\n"),
            SIGNED.replace("PeterNeumann x08", "Peter Neumann x08"),
        ] {
            let e = v.open(&bad).expect_err("malformed");
            assert!(!e.is_altered(), "{bad:?}: {e}");
        }
        for bad in [
            "PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
            "PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
            "PeterNeumann+c74f20a3",
            "",
        ] {
            assert!(VerifierKey::parse(bad, "").is_err(), "{bad}");
        }
    }

    #[test]
    fn pem_keys_round_trip_and_checkpoints_open() {
        let key = SigningKey::generate("evidentia/ws1").expect("key");
        let pem = key.to_pem().expect("pem");
        assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----"));
        let again = SigningKey::from_pem("evidentia/ws1", &pem).expect("read back");
        assert_eq!(again.verifier(), key.verifier());
        let public = VerifierKey::parse(&key.verifier().to_pem().expect("pem"), "evidentia/ws1")
            .expect("spki");
        assert_eq!(public, key.verifier());
        let head = TreeHead {
            origin: "evidentia/ws1".into(),
            size: 42,
            root: Hash::of(b"root"),
        };
        let note = sign_checkpoint(&head, &key).expect("sign");
        assert_eq!(open_checkpoint(&note, &public), Ok(head.clone()));
        let forged = note.replace("\n42\n", "\n43\n");
        assert!(
            open_checkpoint(&forged, &public)
                .expect_err("forged")
                .is_altered()
        );
        assert!(TreeHead::parse("o\n042\nAAAA\n").is_err());
        assert!(TreeHead::parse("o\n1\nnot base64\n").is_err());
        assert!(TreeHead::parse("\n1\n").is_err());
        assert!(TreeHead::parse(&format!("{}extension\n", head.to_text())).is_err());
        assert!(TreeHead::parse(head.to_text().trim_end()).is_err());
    }
}
