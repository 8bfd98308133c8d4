//! Placeholder: streaming JSON readers (arrays, envelopes, JSON lines) are being written.
