//! (in progress) aws inventory importer.

use std::io::Read;

use crate::{ImportContext, ImportError, ImportSummary, Location, Progress, RecordSink};

/// Recognises a credential report from the first bytes of a file (lossy UTF-8 text).
pub(crate) fn recognise_credential_report(_head: &str) -> bool {
    false
}

/// Recognises `get-account-authorization-details` output from the first bytes of a file.
pub(crate) fn recognise_authorization_details(_head: &str) -> bool {
    false
}

/// Reads the inventory into reconciliation rows.
pub fn import_credential_report(
    _input: &mut dyn Read,
    ctx: &ImportContext,
    _sink: &mut dyn RecordSink,
    _progress: &mut dyn FnMut(Progress),
) -> Result<ImportSummary, ImportError> {
    Err(ImportError::Unreadable(
        ctx.diagnostic(Location::File, "not implemented yet"),
    ))
}

/// Reads the inventory into reconciliation rows.
pub fn import_authorization_details(
    _input: &mut dyn Read,
    ctx: &ImportContext,
    _sink: &mut dyn RecordSink,
    _progress: &mut dyn FnMut(Progress),
) -> Result<ImportSummary, ImportError> {
    Err(ImportError::Unreadable(
        ctx.diagnostic(Location::File, "not implemented yet"),
    ))
}
