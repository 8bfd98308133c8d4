//! The one error shape that crosses IPC: a stable `code` the UI branches on and a message for
//! people; database internals stay in the log.

use evidentia_app::AppError;
use evidentia_store::StoreError;
use serde::Serialize;

/// What went wrong, as the UI acts on it. Codes never change meaning once shipped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The workspace or a file to import does not exist.
    NotFound,
    /// The file exists but is not an Evidentia workspace.
    NotAWorkspace,
    /// The workspace was written by a newer Evidentia.
    NewerFormat,
    /// The workspace cannot be written (file permissions, read-only medium, a team workspace's
    /// role that may only read).
    ReadOnly,
    /// A team workspace's server could not be reached (down, no route, no such socket).
    Unreachable,
    /// A team workspace's server refused the user name or password.
    Unauthorized,
    /// Another client is writing to the team workspace; trying again later may succeed.
    Busy,
    /// The user's input was refused: bad rows, unknown format or profile, existing file.
    InvalidInput,
    /// The ledger did not verify.
    VerificationFailed,
    /// Anything else; the details are in the log.
    Internal,
}

/// An error as the UI receives it: `{ code, message }`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct IpcError {
    pub code: ErrorCode,
    pub message: String,
}

impl IpcError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        IpcError {
            code,
            message: message.into(),
        }
    }
}

/// The code for an error chain: the first store or app error in it decides.
fn code_of(err: &anyhow::Error) -> ErrorCode {
    for cause in err.chain() {
        if let Some(e) = cause.downcast_ref::<StoreError>() {
            return match e {
                StoreError::NotFound(_) => ErrorCode::NotFound,
                StoreError::NotAWorkspace { .. } => ErrorCode::NotAWorkspace,
                StoreError::NewerFormat { .. } => ErrorCode::NewerFormat,
                StoreError::ReadOnly(_) | StoreError::PermissionDenied { .. } => {
                    ErrorCode::ReadOnly
                }
                StoreError::Unreachable { .. } => ErrorCode::Unreachable,
                StoreError::Unauthorized { .. } => ErrorCode::Unauthorized,
                StoreError::Busy(_) => ErrorCode::Busy,
                StoreError::AlreadyExists(_) => ErrorCode::InvalidInput,
                StoreError::Io { source, .. } if source.kind() == std::io::ErrorKind::NotFound => {
                    ErrorCode::NotFound
                }
                _ => ErrorCode::Internal,
            };
        }
        if let Some(e) = cause.downcast_ref::<AppError>() {
            return match e {
                AppError::VerificationFailed(_) => ErrorCode::VerificationFailed,
                AppError::InvalidInput(_) => ErrorCode::InvalidInput,
            };
        }
        if let Some(e) = cause.downcast_ref::<std::io::Error>() {
            if e.kind() == std::io::ErrorKind::NotFound {
                return ErrorCode::NotFound;
            }
        }
    }
    // The façade's own refusals (unknown format, missing profile, ...) are plain messages
    // about the user's input; only store failures are internal.
    ErrorCode::InvalidInput
}

/// Whether the chain holds a database or migration failure, whose text is not for users.
fn is_database_internal(err: &anyhow::Error) -> bool {
    err.chain().any(|c| {
        matches!(
            c.downcast_ref::<StoreError>(),
            Some(StoreError::Database(_) | StoreError::Migrate(_))
        )
    })
}

impl From<anyhow::Error> for IpcError {
    fn from(err: anyhow::Error) -> Self {
        if is_database_internal(&err) {
            eprintln!("evidentia: internal error: {err:#}");
            return IpcError::new(
                ErrorCode::Internal,
                format!(
                    "{}: the workspace database reported an error (details in the log)",
                    err
                ),
            );
        }
        let code = code_of(&err);
        if code == ErrorCode::Internal {
            eprintln!("evidentia: internal error: {err:#}");
        }
        IpcError::new(code, format!("{err:#}"))
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;

    fn check(err: anyhow::Error, expected: ErrorCode) {
        assert_eq!(IpcError::from(err).code, expected);
    }

    #[test]
    fn codes_come_from_the_typed_error_anywhere_in_the_chain() {
        check(
            anyhow::Error::new(StoreError::NotFound(PathBuf::from("x").into())).context("opening"),
            ErrorCode::NotFound,
        );
        check(
            StoreError::NotAWorkspace {
                path: "x".into(),
                why: "no".into(),
            }
            .into(),
            ErrorCode::NotAWorkspace,
        );
        check(
            StoreError::NewerFormat {
                path: "x".into(),
                found: 9,
                supported: 1,
            }
            .into(),
            ErrorCode::NewerFormat,
        );
        check(StoreError::ReadOnly("x".into()).into(), ErrorCode::ReadOnly);
        let team = || evidentia_store::Location::parse("postgres://alice:s3cret@db/eng");
        check(
            StoreError::PermissionDenied {
                location: team(),
                user: "alice".into(),
            }
            .into(),
            ErrorCode::ReadOnly,
        );
        check(
            anyhow::Error::new(StoreError::Unreachable {
                location: team(),
                reason: "connection refused".into(),
            })
            .context("opening"),
            ErrorCode::Unreachable,
        );
        check(
            StoreError::Unauthorized {
                location: team(),
                reason: "password authentication failed".into(),
            }
            .into(),
            ErrorCode::Unauthorized,
        );
        check(StoreError::Busy(team()).into(), ErrorCode::Busy);
        check(
            AppError::InvalidInput("bad rows".into()).into(),
            ErrorCode::InvalidInput,
        );
        check(StoreError::Corrupt("x".into()).into(), ErrorCode::Internal);
        check(anyhow::anyhow!("unknown format"), ErrorCode::InvalidInput);
    }

    #[test]
    fn database_internals_are_not_shown() {
        let err = anyhow::Error::new(StoreError::Database(sqlx_like_error())).context("listing");
        let ipc = IpcError::from(err);
        assert_eq!(ipc.code, ErrorCode::Internal);
        assert!(!ipc.message.contains("SELECT"), "{}", ipc.message);
    }

    /// A database error whose text would leak SQL, built without a database.
    fn sqlx_like_error() -> sqlx::Error {
        sqlx::Error::Protocol("near SELECT: syntax error".into())
    }

    #[test]
    fn a_team_workspace_s_password_never_reaches_the_ui() {
        let location = evidentia_store::Location::parse("postgres://alice:s3cret@db/eng");
        for err in [
            StoreError::Unreachable {
                location: location.clone(),
                reason: "connection refused".into(),
            },
            StoreError::Unauthorized {
                location: location.clone(),
                reason: "password authentication failed for user \"alice\"".into(),
            },
            StoreError::PermissionDenied {
                location: location.clone(),
                user: "alice".into(),
            },
            StoreError::Busy(location.clone()),
        ] {
            let ipc =
                IpcError::from(anyhow::Error::new(err).context(format!("opening {location}")));
            assert!(!ipc.message.contains("s3cret"), "{}", ipc.message);
            assert!(
                ipc.message.contains("postgres://alice@db/eng"),
                "{}",
                ipc.message
            );
        }
    }
}
