//! What can go wrong opening or writing a workspace, as variants callers act on.

use std::path::PathBuf;

/// A workspace could not be opened, read or written.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("no workspace at {0} (create one with `evidentia init`)")]
    NotFound(PathBuf),
    #[error("{0} already exists; choose another path or open it")]
    AlreadyExists(PathBuf),
    #[error("{path} is not an Evidentia workspace ({why})")]
    NotAWorkspace { path: PathBuf, why: String },
    #[error(
        "{path} is workspace format {found}, newer than this Evidentia supports ({supported}); upgrade Evidentia to open it"
    )]
    NewerFormat {
        path: PathBuf,
        found: u32,
        supported: u32,
    },
    #[error("{0} is read-only; this command needs to write to the workspace")]
    ReadOnly(PathBuf),
    #[error("the workspace is corrupt: {0}")]
    Corrupt(String),
    #[error("the ledger does not verify ({0}); nothing was read from it (run `evidentia verify`)")]
    Altered(evidentia_ledger::Failure),
    #[error("artifact bytes changed while being stored: expected {expected}, read {found}")]
    ArtifactChanged { expected: String, found: String },
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}
