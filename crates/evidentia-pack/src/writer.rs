//! Writing a pack: a zip whose bytes depend only on what goes in. Entries keep the order they
//! are added in, every entry has the same timestamp (1980-01-01 00:00, the zip epoch), mode
//! 0644 and deflate level 6, and the writer hashes each file as it streams through, so
//! `manifest.json` and `SHA256SUMS` come last without a second pass.

use std::io::{Seek, Write};

use sha2::{Digest, Sha256};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

use crate::manifest::{Manifest, ManifestFile, sha256sums};
use crate::{MANIFEST, MANIFEST_NOTE, SHA256SUMS};

/// Deflate level of every entry: fixed, so the bytes are reproducible.
const COMPRESSION_LEVEL: i64 = 6;

/// A file as written: its path in the pack, size and SHA-256.
pub type FileDigest = ManifestFile;

/// Writes a pack entry by entry; [`PackWriter::finish`] adds `manifest.json` and `SHA256SUMS`.
pub struct PackWriter<W: Write + Seek> {
    zip: ZipWriter<W>,
    files: Vec<ManifestFile>,
    current: Option<(String, Sha256, u64)>,
}

impl<W: Write + Seek> std::fmt::Debug for PackWriter<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PackWriter")
            .field("files", &self.files.len())
            .finish_non_exhaustive()
    }
}

fn options(large: bool) -> SimpleFileOptions {
    SimpleFileOptions::DEFAULT
        .compression_method(CompressionMethod::Deflated)
        .compression_level(Some(COMPRESSION_LEVEL))
        .last_modified_time(DateTime::DEFAULT)
        .unix_permissions(0o644)
        .large_file(large)
}

fn io_err(e: zip::result::ZipError) -> std::io::Error {
    std::io::Error::other(e)
}

impl<W: Write + Seek> PackWriter<W> {
    pub fn new(out: W) -> Self {
        PackWriter {
            zip: ZipWriter::new(out),
            files: Vec::new(),
            current: None,
        }
    }

    /// Starts the next file. `size` is its length when known: files of 4 GiB or more (or of
    /// unknown length) get zip64 headers.
    pub fn start(&mut self, path: &str, size: Option<u64>) -> std::io::Result<()> {
        self.end_current()?;
        if path == MANIFEST || path == MANIFEST_NOTE || path == SHA256SUMS {
            return Err(std::io::Error::other(format!(
                "{path} is written by the pack itself"
            )));
        }
        if self.files.iter().any(|f| f.path == path) {
            return Err(std::io::Error::other(format!(
                "{path} is already in the pack"
            )));
        }
        let large = size.is_none_or(|s| s >= u64::from(u32::MAX));
        self.zip.start_file(path, options(large)).map_err(io_err)?;
        self.current = Some((path.to_owned(), Sha256::new(), 0));
        Ok(())
    }

    /// Appends bytes to the current file.
    pub fn write(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        let Some((_, hasher, size)) = self.current.as_mut() else {
            return Err(std::io::Error::other("no pack entry started"));
        };
        hasher.update(bytes);
        *size += bytes.len() as u64;
        self.zip.write_all(bytes)
    }

    /// A whole file in one call.
    pub fn add(&mut self, path: &str, bytes: &[u8]) -> std::io::Result<()> {
        self.start(path, Some(bytes.len() as u64))?;
        self.write(bytes)?;
        self.end_current()
    }

    fn end_current(&mut self) -> std::io::Result<()> {
        if let Some((path, hasher, size)) = self.current.take() {
            self.files.push(ManifestFile {
                path,
                size,
                sha256: hex::encode(hasher.finalize()),
            });
        }
        Ok(())
    }

    /// Ends the current file and returns its digest.
    pub fn end_file(&mut self) -> std::io::Result<ManifestFile> {
        self.end_current()?;
        self.files
            .last()
            .cloned()
            .ok_or_else(|| std::io::Error::other("no pack entry written"))
    }

    /// The files written so far, in order.
    pub fn files(&self) -> &[ManifestFile] {
        &self.files
    }

    /// Writes `manifest.json` (the given manifest with `files` filled in) and `SHA256SUMS`
    /// (every file including the manifest), closes the archive and returns the writer and every
    /// file written, those two included.
    pub fn finish(self, manifest: Manifest) -> std::io::Result<(W, Vec<ManifestFile>)> {
        self.finish_with_note(manifest, |_| Ok(None))
    }

    /// [`PackWriter::finish`], with `manifest.note` between `manifest.json` and `SHA256SUMS`:
    /// `note_for` gets the manifest's bytes and returns the signed note binding them (or
    /// `None` when nothing can sign). The manifest cannot list the note that signs it; the
    /// sums list both.
    pub fn finish_with_note(
        mut self,
        mut manifest: Manifest,
        note_for: impl FnOnce(&[u8]) -> std::io::Result<Option<String>>,
    ) -> std::io::Result<(W, Vec<ManifestFile>)> {
        self.end_current()?;
        manifest.files = self.files.clone();
        let mut json = serde_json::to_vec_pretty(&manifest).map_err(std::io::Error::other)?;
        json.push(b'\n');
        self.zip
            .start_file(MANIFEST, options(false))
            .map_err(io_err)?;
        self.zip.write_all(&json)?;
        self.files.push(ManifestFile {
            path: MANIFEST.to_owned(),
            size: json.len() as u64,
            sha256: hex::encode(Sha256::digest(&json)),
        });
        if let Some(note) = note_for(&json)? {
            self.zip
                .start_file(MANIFEST_NOTE, options(false))
                .map_err(io_err)?;
            self.zip.write_all(note.as_bytes())?;
            self.files.push(ManifestFile {
                path: MANIFEST_NOTE.to_owned(),
                size: note.len() as u64,
                sha256: hex::encode(Sha256::digest(note.as_bytes())),
            });
        }
        let sums = sha256sums(&self.files);
        self.zip
            .start_file(SHA256SUMS, options(false))
            .map_err(io_err)?;
        self.zip.write_all(sums.as_bytes())?;
        self.files.push(ManifestFile {
            path: SHA256SUMS.to_owned(),
            size: sums.len() as u64,
            sha256: hex::encode(Sha256::digest(sums.as_bytes())),
        });
        let out = self.zip.finish().map_err(io_err)?;
        Ok((out, self.files))
    }
}

/// A file name safe inside a pack and on any file system: ASCII letters, digits, `.`, `-`
/// and `_` kept, everything else `_`, no leading dot, at most 100 bytes.
///
/// ```
/// assert_eq!(evidentia_pack::sanitize_file_name("../HR extract (v2).csv"), "HR_extract__v2_.csv");
/// assert_eq!(evidentia_pack::sanitize_file_name(""), "artifact");
/// ```
pub fn sanitize_file_name(name: &str) -> String {
    // Only the last path component: a name recorded with a folder keeps its own name.
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let mapped: String = base
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let trimmed = mapped.trim_start_matches('.');
    let mut out: String = trimmed.chars().take(100).collect();
    if out.is_empty() {
        out = "artifact".to_owned();
    }
    out
}
