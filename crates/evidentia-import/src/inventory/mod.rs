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
            account: row.account,
            as_of: self.as_of,
            credential: row.credential,
            entitlement: row.entitlement,
            identity: None,
            last_used_at: row.last_used_at,
            status: row.status,
            system: self.system.clone(),
            coverage: Some(self.coverage.clone()),
        });
        summary.deliver(sink, record, location)
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
