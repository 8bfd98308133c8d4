//! The one error type of this crate, so callers can tell a broken user file from an unknown id.

use std::path::PathBuf;

/// Everything that can go wrong loading catalogs, the crosswalk or a check mapping, or resolving
/// an identifier.
///
/// Errors about file content name the file (`source_name`, whatever the caller passed: a path or
/// `builtin:…`) and either a line/column (malformed JSON or a wrong shape, reported by the JSON
/// reader) or a JSON pointer (a well-formed file whose content breaks a rule).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CatalogError {
    /// The file could not be read.
    #[error("{}: cannot read: {source}", path.display())]
    Io {
        /// The file we tried to read.
        path: PathBuf,
        /// The underlying I/O error.
        source: std::io::Error,
    },

    /// The text is not JSON, or not in the expected shape (missing field, wrong type, unknown
    /// field).
    #[error("{source_name}:{line}:{column}: {reason}")]
    Syntax {
        /// The file or embedded data the text came from.
        source_name: String,
        /// 1-based line of the problem.
        line: usize,
        /// 1-based column of the problem.
        column: usize,
        /// What the JSON reader objected to.
        reason: String,
    },

    /// An identifier (of a catalog, control or check) is empty or only whitespace.
    #[error("{source_name} at {pointer}: empty id")]
    EmptyId {
        /// The file or embedded data.
        source_name: String,
        /// JSON pointer of the offending value.
        pointer: String,
    },

    /// Two controls in one catalog share an identifier, so lookups would be ambiguous.
    #[error("{source_name} at {pointer}: duplicate id {id:?} (first used at {first})")]
    DuplicateId {
        /// The file or embedded data.
        source_name: String,
        /// The repeated identifier.
        id: String,
        /// JSON pointer of the second occurrence.
        pointer: String,
        /// JSON pointer of the first occurrence.
        first: String,
    },

    /// A well-formed file breaks another rule of its format (wrong format tag, empty title…).
    #[error("{source_name} at {pointer}: {reason}")]
    Invalid {
        /// The file or embedded data.
        source_name: String,
        /// JSON pointer of the offending value.
        pointer: String,
        /// Which rule was broken.
        reason: String,
    },

    /// A catalog with this id is already loaded (built in or from another file).
    #[error("{source_name}: a catalog with id {id:?} is already loaded")]
    DuplicateCatalog {
        /// The file that tried to add the catalog.
        source_name: String,
        /// The catalog id.
        id: String,
    },

    /// A mapping names a check that is not in [`crate::CHECK_IDS`].
    #[error("{source_name} at {pointer}: unknown check id {check:?}")]
    UnknownCheck {
        /// The mapping file.
        source_name: String,
        /// JSON pointer of the check id.
        pointer: String,
        /// The unknown check id.
        check: String,
    },

    /// The built-in mapping does not cover a check in [`crate::CHECK_IDS`].
    #[error("{source_name}: check {check:?} has no entry")]
    MissingCheck {
        /// The mapping file.
        source_name: String,
        /// The check without an entry.
        check: String,
    },

    /// A mapping refers to a catalog that is not loaded.
    #[error("{source_name} at {pointer}: no catalog with id {catalog:?} is loaded")]
    UnknownCatalog {
        /// The mapping file.
        source_name: String,
        /// JSON pointer of the catalog key.
        pointer: String,
        /// The catalog id.
        catalog: String,
    },

    /// A mapping names a control that its catalog does not have as a leaf control.
    #[error("{source_name} at {pointer}: {catalog} has no control {control:?}{hint}")]
    UnknownMappedControl {
        /// The mapping file.
        source_name: String,
        /// JSON pointer of the control id.
        pointer: String,
        /// The catalog the control was looked up in.
        catalog: String,
        /// The control id as written.
        control: String,
        /// Extra help, such as the CSF 2.0 successor of a CSF 1.1 id; empty or starting with
        /// "; ".
        hint: String,
    },

    /// A CSF 1.1 identifier that NIST withdrew without naming a CSF 2.0 successor (e.g. the
    /// `PR.IP` category; its subcategories do have successors).
    #[error(
        "{id:?} is a CSF 1.1 identifier withdrawn without a CSF 2.0 successor; cite its subcategories' successors instead"
    )]
    WithdrawnWithoutSuccessor {
        /// The identifier as given.
        id: String,
    },

    /// An identifier matches no control in any loaded catalog, nor any CSF 1.1 identifier.
    #[error(
        "unknown control id {id:?}: not in any loaded catalog nor in the CSF 1.1 to 2.0 crosswalk"
    )]
    UnknownControl {
        /// The identifier as given.
        id: String,
    },
}

impl CatalogError {
    /// Wraps a `serde_json` error with the file it came from; its line and column are kept.
    pub(crate) fn syntax(source_name: &str, error: &serde_json::Error) -> Self {
        // serde_json appends " at line L column C" to its message; we report those as fields.
        let message = error.to_string();
        let reason = match message.rfind(" at line ") {
            Some(at) => message[..at].to_owned(),
            None => message,
        };
        CatalogError::Syntax {
            source_name: source_name.to_owned(),
            line: error.line(),
            column: error.column(),
            reason,
        }
    }

    pub(crate) fn invalid(source_name: &str, pointer: &str, reason: impl Into<String>) -> Self {
        CatalogError::Invalid {
            source_name: source_name.to_owned(),
            pointer: pointer.to_owned(),
            reason: reason.into(),
        }
    }
}
