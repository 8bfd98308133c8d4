//! Loads the shipped example and checks that bad policies are refused with file, line and key.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod correlate;
mod errors;
mod example;
