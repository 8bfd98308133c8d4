//! What every vendor inventory importer shares: the moment a listing shows, what it covers, and one way to emit its rows.
//!
//! An inventory ("what access exists now": a credential report, a user list, a group's
//! members, `/etc/passwd`) becomes reconciliation rows of one system at one moment. Three
//! things make such rows honest evidence:
//!
//! * **The moment.** The time the file states (a report's generation time, a sync's end) wins;
//!   when it states none, `--as-of`; failing that, the file's modification time, with a
//!   warning recorded in the import entry saying so. A file with none of these is refused.
//! * **What it covers** ([`Coverage`]). A user list shows accounts, not what they hold; a
//!   group's member list shows who holds that group, nothing else. The checks read absence
//!   from a listing as "not held" only for what it covers, so a group list can never confirm
//!   that some other access was removed.
//! * **Names.** Accounts and entitlements are spelled as the same system's log importer spells
//!   them (docs/import-profiles.md, "Names of accounts and entitlements"), so a snapshot row
//!   meets the executions and tickets about the same access.

pub mod aws;
pub mod baton;
pub mod github;
pub mod google;
pub mod graph;
pub mod k8s;
pub mod okta;
pub mod unix;

use evidentia_domain::{
    Coverage, ReconciliationRecord, ReconciliationStatus, Record, SystemId, Timestamp,
};

use crate::json_stream::{Problem, StreamSummary};
use crate::{Format, ImportContext, ImportError, ImportSummary, Location, RecordSink, SinkError};

/// A test of a file's first bytes, and the inventory format it recognises.
type Recogniser = (fn(&str) -> bool, Format);

/// Recognises an inventory from the first bytes of a file (up to 64 KiB, lossy UTF-8 text,
/// byte-order mark removed), before the log formats are tried: an inventory's keys (`id`,
/// `userPrincipalName`) are too plain to be told from a log's by the log rules.
pub(crate) fn detect(text: &str) -> Option<Format> {
    let recognisers: [Recogniser; 9] = [
        (
            aws::recognise_credential_report,
            Format::AwsCredentialReport,
        ),
        (
            aws::recognise_authorization_details,
            Format::AwsAuthorizationDetails,
        ),
        (graph::recognise, Format::GraphDirectory),
        (google::recognise, Format::GoogleDirectory),
        (okta::recognise, Format::OktaDirectory),
        (github::recognise, Format::GithubMembers),
        (k8s::recognise, Format::K8sRbac),
        (unix::recognise, Format::UnixAccounts),
        (baton::recognise, Format::Baton),
    ];
    recognisers
        .iter()
        .find(|(recognise, _)| recognise(text))
        .map(|(_, format)| *format)
}

/// Reads a whole inventory that cannot be streamed (YAML, a JSON response whose fields come in
/// any order, a passwd file), refusing one larger than `max` bytes: `too_large` gets the limit
/// in MiB and says what is too large and what to do instead.
pub(crate) fn read_capped(
    input: &mut dyn std::io::Read,
    ctx: &ImportContext,
    max: u64,
    too_large: impl FnOnce(u64) -> String,
) -> Result<Vec<u8>, ImportError> {
    use std::io::Read as _;
    let mut bytes = Vec::new();
    input
        .take(max + 1)
        .read_to_end(&mut bytes)
        .map_err(|source| ImportError::Io {
            file: ctx.file_name.clone(),
            source,
        })?;
    if bytes.len() as u64 > max {
        return Err(ImportError::Unreadable(
            ctx.diagnostic(Location::File, too_large(max / (1024 * 1024))),
        ));
    }
    Ok(bytes)
}

/// Where an inventory's moment came from, for the import's record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MomentSource {
    /// The file states it.
    Stated,
    /// `--as-of`.
    Given,
    /// The file's modification time (a warning says so).
    FileTime,
}

/// The moment an inventory shows: the time the file states, else `--as-of`, else the file's
/// modification time (with a warning in `summary`). `Err` when there is none of them.
///
/// When the file states a time and `--as-of` names another, the stated time wins and a warning
/// says `--as-of` was not used: the file's own statement is the evidence.
pub fn snapshot_time(
    ctx: &ImportContext,
    stated: Option<Timestamp>,
    summary: &mut ImportSummary,
) -> Result<(Timestamp, MomentSource), ImportError> {
    match (stated, ctx.as_of, ctx.file_time) {
        (Some(stated), given, _) => {
            if let Some(given) = given.filter(|g| *g != stated) {
                summary.warn(ctx.diagnostic(
                    Location::File,
                    format!(
                        "the file states it was taken at {}; --as-of {} is not used",
                        stated.to_rfc3339(),
                        given.to_rfc3339()
                    ),
                ));
            }
            Ok((stated, MomentSource::Stated))
        }
        (None, Some(given), _) => Ok((given, MomentSource::Given)),
        (None, None, Some(modified)) => {
            summary.warn(ctx.diagnostic(
                Location::File,
                format!(
                    "the file states no time it was taken: the snapshot is dated by the file's modification time, {}; give --as-of to date it",
                    modified.to_rfc3339()
                ),
            ));
            Ok((modified, MomentSource::FileTime))
        }
        (None, None, None) => Err(ImportError::Unreadable(ctx.diagnostic(
            Location::File,
            "the file states no time it was taken: give the moment of the export with --as-of",
        ))),
    }
}

/// The system an inventory's rows are about: `--system`, else the format's default.
pub fn system_of(ctx: &ImportContext, format: Format) -> SystemId {
    ctx.system
        .clone()
        .or_else(|| format.default_system())
        .unwrap_or_else(|| SystemId::new(format.as_str()))
}

/// What a listing is of (`--scope`: a group, an org, a user), trimmed; `None` when not given
/// or blank.
pub fn scope_of(ctx: &ImportContext) -> Option<String> {
    ctx.scope
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// The warning for a member list read without `--scope`: its rows cannot say what they are
/// members of.
pub const UNSCOPED_GROUP: &str =
    "the listing does not name its group: give --scope GROUP to record membership";

/// A listing that covers nothing: its rows show what is present, its silence shows nothing.
pub fn nothing_covered() -> Coverage {
    Coverage {
        accounts: false,
        entitlements: false,
        credentials: false,
        holders_of: None,
    }
}

/// Why a JSON listing's entry produced no rows: a bad field (a diagnostic, reading goes on) or
/// a reason to stop (not a listing, no moment, the sink failing).
pub(crate) enum Halt {
    Bad(Problem),
    Stop(ImportError),
}

impl From<Problem> for Halt {
    fn from(problem: Problem) -> Self {
        Halt::Bad(problem)
    }
}

impl From<ImportError> for Halt {
    fn from(error: ImportError) -> Self {
        Halt::Stop(error)
    }
}

/// Where a paged JSON listing's rows go, and what the import found across its entries: the
/// moment is fixed when the first row is emitted, so a file with no rows needs none.
pub(crate) struct JsonListing<'a> {
    pub ctx: &'a ImportContext,
    pub sink: &'a mut dyn RecordSink,
    pub summary: ImportSummary,
    pub system: SystemId,
    /// The moment, fixed when the first row is emitted.
    as_of: Option<Timestamp>,
    /// Records the reader handed over, and the entries found in them: a page or an array of
    /// pages is one record to the reader but holds many rows.
    pub records: u64,
    pub entries: u64,
    /// The first entry read while no `--scope` names what it is a member of: warned once.
    unscoped: Option<Location>,
}

impl<'a> JsonListing<'a> {
    pub fn new(ctx: &'a ImportContext, sink: &'a mut dyn RecordSink, format: Format) -> Self {
        JsonListing {
            ctx,
            sink,
            summary: ImportSummary::default(),
            system: system_of(ctx, format),
            as_of: None,
            records: 0,
            entries: 0,
            unscoped: None,
        }
    }

    /// The moment of the listing, fixed when the first row is emitted.
    pub fn moment(&mut self) -> Result<Timestamp, ImportError> {
        if let Some(at) = self.as_of {
            return Ok(at);
        }
        let (at, _) = snapshot_time(self.ctx, None, &mut self.summary)?;
        self.as_of = Some(at);
        Ok(at)
    }

    /// Emits an entry's rows, all located at the entry.
    pub fn emit(
        &mut self,
        coverage: Coverage,
        rows: Vec<Row>,
        location: &Location,
    ) -> Result<(), ImportError> {
        let listing = Listing {
            system: self.system.clone(),
            as_of: self.moment()?,
            coverage,
        };
        for row in rows {
            listing.emit(&mut self.summary, self.sink, row, location.clone())?;
        }
        Ok(())
    }

    /// Notes an entry read while no `--scope` names its group.
    pub fn unscoped(&mut self, location: &Location) {
        self.unscoped.get_or_insert_with(|| location.clone());
    }

    /// The summary: the reader's, with entries counted instead of the pages that held them
    /// (lines that did not parse stay counted), and the [`UNSCOPED_GROUP`] warning, followed
    /// by `detail`, at the first entry read without `--scope`.
    pub fn finish(self, stream: StreamSummary, detail: &str) -> ImportSummary {
        let mut summary = self.summary;
        summary.absorb(stream);
        summary.rows = summary.rows.saturating_sub(self.records) + self.entries;
        if let Some(first) = self.unscoped {
            summary.warn(
                self.ctx
                    .diagnostic(first, format!("{UNSCOPED_GROUP} ({detail})")),
            );
        }
        summary
    }
}

/// One listing: a system at a moment, with what the listing covers.
#[derive(Debug, Clone)]
pub struct Listing {
    pub system: SystemId,
    pub as_of: Timestamp,
    pub coverage: Coverage,
}

/// One row of a listing, before it is emitted.
#[derive(Debug, Clone)]
pub struct Row {
    pub account: String,
    /// `None` for the account itself.
    pub entitlement: Option<String>,
    pub credential: bool,
    pub status: ReconciliationStatus,
    pub last_used_at: Option<Timestamp>,
}

impl Row {
    /// The account itself, present.
    pub fn account(account: impl Into<String>) -> Row {
        Row {
            account: account.into(),
            entitlement: None,
            credential: false,
            status: ReconciliationStatus::ExpectedPresent,
            last_used_at: None,
        }
    }

    /// An entitlement the account holds.
    pub fn entitlement(account: impl Into<String>, entitlement: impl Into<String>) -> Row {
        Row {
            entitlement: Some(entitlement.into()),
            ..Row::account(account)
        }
    }

    /// A credential (key, token, certificate) the account holds.
    pub fn credential(account: impl Into<String>, credential: impl Into<String>) -> Row {
        Row {
            entitlement: Some(credential.into()),
            credential: true,
            ..Row::account(account)
        }
    }

    /// The account is listed but disabled, suspended or locked: it grants nothing.
    pub fn disabled(mut self) -> Row {
        self.status = ReconciliationStatus::Disabled;
        self
    }

    /// The row is listed but not in force (an inactive key): recorded as not present.
    pub fn inactive(mut self) -> Row {
        self.status = ReconciliationStatus::ExpectedMissing;
        self
    }

    /// When the system last saw it used.
    pub fn last_used(mut self, at: Option<Timestamp>) -> Row {
        self.last_used_at = at;
        self
    }
}

impl Listing {
    /// Emits one row, located where the file shows it.
    pub fn emit(
        &self,
        summary: &mut ImportSummary,
        sink: &mut dyn RecordSink,
        row: Row,
        location: Location,
    ) -> Result<(), SinkError> {
        let record = Record::Reconciliation(ReconciliationRecord {
            account: row.account.into(),
            as_of: self.as_of,
            credential: row.credential,
            entitlement: row.entitlement.map(Into::into),
            identity: None,
            last_used_at: row.last_used_at,
            status: row.status,
            system: self.system.clone(),
            coverage: Some(std::sync::Arc::new(self.coverage.clone())),
            created_at: None,
            never_used: false,
            revoked_at: None,
        });
        summary.deliver(sink, record, location)
    }
}

/// What the inventory modules' unit tests share: a context at a fixed moment, and an import
/// whose rows are split from where the file shows them.
#[cfg(test)]
pub(crate) mod test_support {
    use chrono::TimeZone;
    use evidentia_domain::{ReconciliationRecord, ReconciliationStatus, Record, Timestamp};

    use crate::{Format, ImportContext, ImportError, ImportSummary, Location, Origin};

    /// The rows of an import, each with where the file shows it.
    pub(crate) type Rows = Vec<(ReconciliationRecord, Location)>;

    /// The moment the tests give with `--as-of`: 2025-06-30 12:00 UTC.
    pub(crate) fn moment() -> Timestamp {
        chrono::Utc
            .with_ymd_and_hms(2025, 6, 30, 12, 0, 0)
            .single()
            .expect("valid")
    }

    /// A context for `file_name` with `--as-of` [`moment`] and `--scope` `scope`.
    pub(crate) fn context(file_name: &str, scope: Option<&str>) -> ImportContext {
        let mut ctx = ImportContext::new(file_name);
        ctx.as_of = Some(moment());
        ctx.scope = scope.map(str::to_owned);
        ctx
    }

    /// Each row's account, entitlement and status.
    pub(crate) fn brief(rows: &Rows) -> Vec<(&str, Option<&str>, ReconciliationStatus)> {
        rows.iter()
            .map(|(r, _)| (r.account.as_str(), r.entitlement.as_deref(), r.status))
            .collect()
    }

    /// Imports `input` as `format` in `ctx`; every record must be a reconciliation row.
    pub(crate) fn run_in(
        format: Format,
        input: &[u8],
        ctx: &ImportContext,
    ) -> Result<(ImportSummary, Rows), ImportError> {
        let mut sink: Vec<(Record, Origin)> = Vec::new();
        let summary = crate::import(format, &mut &input[..], ctx, &mut sink, &mut |_| {})?;
        let rows = sink
            .into_iter()
            .map(|(record, origin)| match record {
                Record::Reconciliation(r) => (r, origin.location),
                other => panic!("unexpected {other:?}"),
            })
            .collect();
        Ok((summary, rows))
    }

    /// Imports `input` as `format`, read from `file_name` at [`moment`] with `--scope` `scope`.
    pub(crate) fn run(
        format: Format,
        file_name: &str,
        input: &[u8],
        scope: Option<&str>,
    ) -> Result<(ImportSummary, Rows), ImportError> {
        run_in(format, input, &context(file_name, scope))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(h: u32) -> Timestamp {
        chrono::Utc
            .with_ymd_and_hms(2025, 6, 30, h, 0, 0)
            .single()
            .expect("valid")
    }

    #[test]
    fn the_stated_time_wins_then_as_of_then_the_file_time() {
        let mut ctx = ImportContext::new("users.json");
        let mut summary = ImportSummary::default();
        ctx.as_of = Some(at(1));
        ctx.file_time = Some(at(2));
        let (t, source) = snapshot_time(&ctx, Some(at(3)), &mut summary).expect("time");
        assert_eq!((t, source), (at(3), MomentSource::Stated));
        assert!(summary.warnings[0].reason.contains("--as-of"));

        let mut summary = ImportSummary::default();
        let (t, source) = snapshot_time(&ctx, None, &mut summary).expect("time");
        assert_eq!((t, source), (at(1), MomentSource::Given));
        assert!(summary.warnings.is_empty());

        ctx.as_of = None;
        let (t, source) = snapshot_time(&ctx, None, &mut summary).expect("time");
        assert_eq!((t, source), (at(2), MomentSource::FileTime));
        assert!(summary.warnings[0].reason.contains("modification time"));

        ctx.file_time = None;
        let err = snapshot_time(&ctx, None, &mut summary).expect_err("no time");
        assert!(err.to_string().contains("--as-of"), "{err}");
    }
}
