//! Placeholder: content-based format detection is being written.

use crate::Format;

/// Guesses the format from the first bytes of a file (and its name as a tie-breaker).
pub fn detect_format(_head: &[u8], _file_name: &str) -> Option<Format> {
    None
}
