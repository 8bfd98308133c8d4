//! (in progress) k8s inventory importer.

use std::io::Read;

use crate::{ImportContext, ImportError, ImportSummary, Location, Progress, RecordSink};

/// Recognises this inventory from the first bytes of a file (lossy UTF-8 text).
pub(crate) fn recognise(_head: &str) -> bool {
    false
}

/// Reads the inventory into reconciliation rows.
pub fn import(
    _input: &mut dyn Read,
    ctx: &ImportContext,
    _sink: &mut dyn RecordSink,
    _progress: &mut dyn FnMut(Progress),
) -> Result<ImportSummary, ImportError> {
    Err(ImportError::Unreadable(
        ctx.diagnostic(Location::File, "not implemented yet"),
    ))
}
