//! Every real sample must be recognised as its own format from its first 64 KiB.
