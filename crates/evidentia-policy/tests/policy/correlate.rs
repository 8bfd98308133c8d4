//! Correlation over the example policy (filled in below).
