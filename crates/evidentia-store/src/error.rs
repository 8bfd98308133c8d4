//! What can go wrong opening or writing a workspace, as variants callers act on.

use std::path::PathBuf;

use crate::Location;

/// A workspace could not be opened, read or written.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("no workspace at {0} (create one with `evidentia init`)")]
    NotFound(Location),
    #[error("{0} already exists; choose another path or open it")]
    AlreadyExists(Location),
    #[error("{path} is not an Evidentia workspace ({why})")]
    NotAWorkspace { path: Location, why: String },
    #[error(
        "{path} is workspace format {found}, newer than this Evidentia supports ({supported}); upgrade Evidentia to open it"
    )]
    NewerFormat {
        path: Location,
        found: u32,
        supported: u32,
    },
    #[error("{0} is read-only; this command needs to write to the workspace")]
    ReadOnly(Location),
    /// A team workspace's server could not be reached (no route, refused, no socket, timeout).
    #[error("cannot reach the PostgreSQL server of {location}: {reason}")]
    Unreachable { location: Location, reason: String },
    /// The server refused the user name or password.
    #[error("the PostgreSQL server refused the login for {location}: {reason}")]
    Unauthorized { location: Location, reason: String },
    /// The connected role may read but not write (SQLSTATE 42501 or no INSERT privilege).
    #[error("{location} is read-only for {user}; this command needs to write to the workspace")]
    PermissionDenied { location: Location, user: String },
    /// Another client held the append lock longer than a writer waits.
    #[error("another client is writing to {0}; try again when it has finished")]
    Busy(Location),
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
