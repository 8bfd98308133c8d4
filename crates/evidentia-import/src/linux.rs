//! Placeholder: the linux importer is being written.

use std::io::Read;

use crate::{ImportContext, ImportError, ImportSummary, Location, Progress, RecordSink};

/// Reads a linux file.
pub fn import(
    _input: &mut dyn Read,
    ctx: &ImportContext,
    _sink: &mut dyn RecordSink,
    _progress: &mut dyn FnMut(Progress),
) -> Result<ImportSummary, ImportError> {
    Err(ImportError::Unreadable(ctx.diagnostic(Location::File, "the linux importer is not built yet")))
}
