//! Placeholder: TOML mapping profiles for generic CSV/JSON input are being written.

/// The kind of input a generic file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum InputKind {
    Events,
    Approvals,
    Provisioning,
    Reconciliation,
    Exceptions,
}

/// A mapping profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    pub name: String,
    pub kind: InputKind,
}

/// A profile could not be read.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ProfileError(pub String);
