//! Placeholder: the k8s importer is being written.

use std::io::Read;

use crate::{ImportContext, ImportError, ImportSummary, Location, Progress, RecordSink};

/// Reads a k8s file.
pub fn import(
    _input: &mut dyn Read,
    ctx: &ImportContext,
    _sink: &mut dyn RecordSink,
    _progress: &mut dyn FnMut(Progress),
) -> Result<ImportSummary, ImportError> {
    Err(ImportError::Unreadable(ctx.diagnostic(Location::File, "the k8s importer is not built yet")))
}
