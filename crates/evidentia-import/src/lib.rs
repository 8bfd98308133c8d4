//! Turns the files users already have into normalized domain records plus diagnostics.
//!
//! Importers never touch the ledger: they push each record into a [`RecordSink`] as they
//! read it (so memory stays bounded on large files), report bad rows as [`Diagnostic`]s
//! that name the file and the line or JSON pointer, report access-change events too
//! incomplete to be evidence as warnings, and count read-only noise as skipped.
//! The façade (`evidentia-app`) owns the transaction that makes an import all-or-nothing.

pub mod activity;
mod detect;
pub mod inventory;
pub mod json_stream;
pub mod profile;

pub mod cloudtrail;
pub mod csv_generic;
pub mod entra;
pub mod github;
pub mod gworkspace;
pub mod k8s;
pub mod linux;
pub mod okta;
pub(crate) mod reviews;
pub mod teleport_review;

use std::collections::BTreeMap;
use std::io::Read;

use evidentia_domain::{CampaignId, Record, RecordKind, ReviewCampaign, SystemId, Timestamp};

pub use activity::{ActivityBook, ActivityCapture, Observation};
pub use detect::detect_format;
pub use profile::time::Zone;
pub use profile::{InputKind, Profile, ProfileError};

/// A source format the importers understand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Format {
    /// Delimited text (or JSON records) read through a mapping [`Profile`].
    Csv,
    Cloudtrail,
    Okta,
    Entra,
    Github,
    Gworkspace,
    K8s,
    Linux,
    /// AWS IAM credential report (CSV).
    AwsCredentialReport,
    /// AWS `iam get-account-authorization-details` (JSON).
    AwsAuthorizationDetails,
    /// Microsoft Graph users and group members (JSON).
    GraphDirectory,
    /// Google Admin SDK Directory users and group members (JSON).
    GoogleDirectory,
    /// Okta users and group members (JSON).
    OktaDirectory,
    /// GitHub organization and team members (JSON).
    GithubMembers,
    /// Kubernetes RBAC lists: role bindings, cluster role bindings, service accounts.
    K8sRbac,
    /// `/etc/passwd` and `/etc/group`.
    UnixAccounts,
    /// ConductorOne Baton `.c1z` sync (zstd-compressed SQLite).
    Baton,
    /// Teleport access list reviews (`tctl acl reviews ls --format=json`).
    TeleportReviews,
}

impl Format {
    /// Every format, in the order auto-detection tries them.
    pub const ALL: &'static [Format] = &[
        Format::Baton,
        Format::AwsCredentialReport,
        Format::AwsAuthorizationDetails,
        Format::GraphDirectory,
        Format::GoogleDirectory,
        Format::OktaDirectory,
        Format::GithubMembers,
        Format::K8sRbac,
        Format::UnixAccounts,
        Format::Cloudtrail,
        Format::Okta,
        Format::Entra,
        Format::Github,
        Format::Gworkspace,
        Format::K8s,
        Format::Linux,
        Format::TeleportReviews,
        Format::Csv,
    ];

    /// The name used on the command line and in ledger entries.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Cloudtrail => "cloudtrail",
            Format::Okta => "okta",
            Format::Entra => "entra",
            Format::Github => "github",
            Format::Gworkspace => "gworkspace",
            Format::K8s => "k8s",
            Format::Linux => "linux",
            Format::AwsCredentialReport => "aws-credential-report",
            Format::AwsAuthorizationDetails => "aws-authorization-details",
            Format::GraphDirectory => "graph-directory",
            Format::GoogleDirectory => "google-directory",
            Format::OktaDirectory => "okta-directory",
            Format::GithubMembers => "github-members",
            Format::K8sRbac => "k8s-rbac",
            Format::UnixAccounts => "unix-accounts",
            Format::Baton => "baton",
            Format::TeleportReviews => "teleport-reviews",
        }
    }

    /// Whether the format is an inventory (what access exists at one moment) rather than a log.
    pub fn is_inventory(self) -> bool {
        matches!(
            self,
            Format::AwsCredentialReport
                | Format::AwsAuthorizationDetails
                | Format::GraphDirectory
                | Format::GoogleDirectory
                | Format::OktaDirectory
                | Format::GithubMembers
                | Format::K8sRbac
                | Format::UnixAccounts
                | Format::Baton
        )
    }

    /// Parses a command-line format name.
    pub fn parse(text: &str) -> Option<Format> {
        Format::ALL.iter().copied().find(|f| f.as_str() == text)
    }

    /// The system id a provisioning-log format's executions are attributed to unless the
    /// caller names another (the policy's system ids should use these names).
    pub fn default_system(self) -> Option<SystemId> {
        let name = match self {
            Format::Csv => return None,
            Format::Cloudtrail | Format::AwsCredentialReport | Format::AwsAuthorizationDetails => {
                "aws"
            }
            Format::Okta | Format::OktaDirectory => "okta",
            Format::Entra | Format::GraphDirectory => "entra-id",
            Format::Github | Format::GithubMembers => "github",
            Format::Gworkspace | Format::GoogleDirectory => "google-workspace",
            Format::K8s | Format::K8sRbac => "kubernetes",
            Format::Linux | Format::UnixAccounts => "linux",
            Format::Baton => "baton",
            Format::TeleportReviews => "teleport",
        };
        Some(SystemId::new(name))
    }
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where in the file something was found: a 1-based line, a JSON pointer, or both.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Location {
    /// The whole file (empty file, unreadable encoding, unknown format).
    File,
    /// A 1-based line number (CSV rows count physical lines, so quoted newlines are honoured).
    Line(u64),
    /// An RFC 6901 JSON pointer into a single JSON document, e.g. `/Records/3/eventTime`.
    Pointer(String),
    /// A JSON-lines record: its 1-based line and a pointer inside that line's document.
    LinePointer(u64, String),
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Location::File => Ok(()),
            Location::Line(line) => write!(f, "line {line}"),
            Location::Pointer(p) => write!(f, "{}", if p.is_empty() { "/" } else { p }),
            Location::LinePointer(line, p) if p.is_empty() => write!(f, "line {line}"),
            Location::LinePointer(line, p) => write!(f, "line {line} {p}"),
        }
    }
}

/// A problem with one row or the whole file. Rows with a diagnostic produce no record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// The file name as the user gave it.
    pub file: String,
    pub location: Location,
    /// What is wrong, in a sentence a user can act on.
    pub reason: String,
}

impl std::fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.location {
            Location::File => write!(f, "{}: {}", self.file, self.reason),
            _ => write!(f, "{}:{}: {}", self.file, self.location, self.reason),
        }
    }
}

/// Where a record came from, stored beside it in the ledger as part of its evidence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    pub location: Location,
}

/// Receives records as an importer reads them. The façade's sink writes into the open
/// import transaction; tests collect into a `Vec`.
pub trait RecordSink {
    /// Accepts one record. An error stops the import (e.g. the database is gone).
    fn accept(&mut self, record: Record, origin: Origin) -> Result<(), SinkError>;
}

/// A sink could not take a record; the import stops and nothing is kept.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct SinkError(pub String);

impl RecordSink for Vec<(Record, Origin)> {
    fn accept(&mut self, record: Record, origin: Origin) -> Result<(), SinkError> {
        self.push((record, origin));
        Ok(())
    }
}

/// How far an import has got, for progress bars.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    pub bytes_read: u64,
    /// Total bytes if known (a file), for a percentage.
    pub bytes_total: Option<u64>,
    pub rows: u64,
}

/// What the caller tells an importer about a file.
#[derive(Debug, Clone)]
pub struct ImportContext {
    /// The file name as the user gave it; used in every diagnostic.
    pub file_name: String,
    /// Total size in bytes, when known, for progress.
    pub size: Option<u64>,
    /// Attribute executions to this system instead of the format's default.
    pub system: Option<SystemId>,
    /// The mapping profile for generic CSV/JSON input.
    pub profile: Option<Profile>,
    /// Which sign-ins and API calls become activity evidence (the rest are counted as skipped).
    pub activity: ActivityCapture,
    /// When an inventory states no time of its own: the moment it was taken (`--as-of`).
    pub as_of: Option<Timestamp>,
    /// The file's modification time: an inventory's time of last resort, with a warning.
    pub file_time: Option<Timestamp>,
    /// What a listing is of when the file does not say: the group or organization whose
    /// members it lists, the host whose `/etc/passwd` it is (`--scope`).
    pub scope: Option<String>,
    /// The year of syslog timestamps that carry none (RFC 3164), from `--year`.
    pub year: Option<i32>,
    /// The zone of syslog timestamps that carry none (RFC 3164), from `--timezone`.
    pub timezone: Option<Zone>,
    /// The reporting period (the policy's), from which a year-less log's year is inferred
    /// when the period lies within one year.
    pub period: Option<(chrono::NaiveDate, chrono::NaiveDate)>,
    /// The access-review campaigns the ledger already holds (the latest record of each), so
    /// that a decisions file may name a campaign imported before it.
    pub known_campaigns: BTreeMap<CampaignId, ReviewCampaign>,
}

impl ImportContext {
    /// A context for a named file with no overrides.
    pub fn new(file_name: impl Into<String>) -> Self {
        Self {
            file_name: file_name.into(),
            size: None,
            system: None,
            profile: None,
            activity: ActivityCapture::default(),
            as_of: None,
            file_time: None,
            scope: None,
            year: None,
            timezone: None,
            period: None,
            known_campaigns: BTreeMap::new(),
        }
    }

    /// Builds a diagnostic for this file.
    pub fn diagnostic(&self, location: Location, reason: impl Into<String>) -> Diagnostic {
        Diagnostic {
            file: self.file_name.clone(),
            location,
            reason: reason.into(),
        }
    }
}

/// The key a skipped event is counted under: `<event type> (<reason>)`, so that a summary says
/// why each kind of event left no record.
pub fn skip_key(event_type: &str, reason: &str) -> String {
    format!("{event_type} ({reason})")
}

/// The reason for an event type an importer has no rule for: read, not understood, so not
/// evidence. Event types skipped on purpose carry their own reason.
pub const NOT_RECOGNISED: &str = "not recognised: no mapping for this event type";

/// The reason for a sign-in or API call the import's `--activity` choice does not keep.
pub const ACTIVITY_NOT_CAPTURED: &str = "activity not kept by --activity";

/// What one importer run found, besides the records it pushed into the sink.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportSummary {
    /// Records emitted, by kind.
    pub records: BTreeMap<RecordKind, u64>,
    /// Source events read but not imported (logins, reads, unrelated changes), counted by the
    /// source's own event type with the reason: `<event type> (<reason>)`.
    pub skipped: BTreeMap<String, u64>,
    /// Bad rows: each produced no record.
    pub diagnostics: Vec<Diagnostic>,
    /// Events read and understood but too incomplete to be evidence (e.g. no target
    /// named); they produce no record, do not reject the file, and are recorded in the
    /// ledger's import entry.
    pub warnings: Vec<Diagnostic>,
    /// Rows (CSV lines, JSON records) read in all.
    pub rows: u64,
    /// Sign-ins and API calls read so far, summarised per account when the file is done.
    pub activity: ActivityBook,
}

impl ImportSummary {
    /// Counts one emitted record.
    pub fn count(&mut self, kind: RecordKind) {
        *self.records.entry(kind).or_default() += 1;
    }

    /// Counts one skipped source event under its key: the event type and why it was skipped,
    /// `<event type> (<reason>)` (see [`skip_key`]).
    pub fn skip(&mut self, event_type: impl Into<String>) {
        *self.skipped.entry(event_type.into()).or_default() += 1;
    }

    /// Counts one skipped source event of `event_type`, for `reason`.
    pub fn skip_because(&mut self, event_type: &str, reason: &str) {
        self.skip(skip_key(event_type, reason));
    }

    /// Records one incomplete event (a warning, not an invalid row).
    pub fn warn(&mut self, warning: Diagnostic) {
        self.warnings.push(warning);
    }

    /// Warns about a record that imports but cannot be right as written: a credential's
    /// last use or creation later than the listing's own time (a wrong time zone or day/month
    /// order, usually). The record is kept as the file states it.
    pub(crate) fn check_plausible(&mut self, ctx: &ImportContext, record: &Record, at: &Location) {
        let Record::Reconciliation(r) = record else {
            return;
        };
        for (what, t) in [("last-used", r.last_used_at), ("creation", r.created_at)] {
            if let Some(t) = t.filter(|t| *t > r.as_of) {
                self.warn(ctx.diagnostic(
                    at.clone(),
                    format!(
                        "{} on {}: its {what} date {} is after the listing's own time {}; \
                         check the file's time zone and date format",
                        r.entitlement.as_deref().unwrap_or(&r.account),
                        r.system,
                        t.format("%Y-%m-%d %H:%M UTC"),
                        r.as_of.format("%Y-%m-%d %H:%M UTC")
                    ),
                ));
            }
        }
    }

    /// Hands one record to the sink and counts it: the one way importers emit a record.
    pub fn deliver(
        &mut self,
        sink: &mut dyn RecordSink,
        record: Record,
        location: Location,
    ) -> Result<(), SinkError> {
        let kind = record.kind();
        sink.accept(record, Origin { location })?;
        self.count(kind);
        Ok(())
    }

    /// Keeps one sign-in or API call as activity evidence when the import captures its
    /// channel, else counts it as skipped under its event type.
    pub fn observe(
        &mut self,
        ctx: &ImportContext,
        observation: &Observation<'_>,
        location: &Location,
    ) {
        if ctx.activity.keeps(observation.channel) {
            self.activity.observe(observation, location);
        } else {
            self.skip_because(observation.event_type, ACTIVITY_NOT_CAPTURED);
        }
    }

    /// Folds in what the streaming JSON reader counted: rows read and lines it could not parse.
    pub fn absorb(&mut self, stream: json_stream::StreamSummary) {
        self.rows = stream.rows;
        self.diagnostics.extend(stream.diagnostics);
    }

    /// Total records emitted.
    pub fn total_records(&self) -> u64 {
        self.records.values().sum()
    }
}

/// Why an import could not run at all (as opposed to bad rows, which are diagnostics).
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{file}: cannot read: {source}")]
    Io {
        file: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{0}")]
    Unreadable(Diagnostic),
    #[error("{file}: a {format} file needs a mapping profile (--profile)")]
    ProfileRequired { file: String, format: Format },
    #[error(transparent)]
    Sink(#[from] SinkError),
}

/// Reads one file in the given format, pushing records into `sink` and reporting progress.
///
/// Returns `Err` only when the file as a whole cannot be read (not the format at all,
/// not UTF-8 where text is required, an I/O error, the sink failing); bad rows are
/// diagnostics in the summary.
pub fn import(
    format: Format,
    input: &mut dyn Read,
    ctx: &ImportContext,
    sink: &mut dyn RecordSink,
    progress: &mut dyn FnMut(Progress),
) -> Result<ImportSummary, ImportError> {
    let mut summary = match format {
        Format::Csv => csv_generic::import(input, ctx, sink, progress),
        Format::Cloudtrail => cloudtrail::import(input, ctx, sink, progress),
        Format::Okta => okta::import(input, ctx, sink, progress),
        Format::Entra => entra::import(input, ctx, sink, progress),
        Format::Github => github::import(input, ctx, sink, progress),
        Format::Gworkspace => gworkspace::import(input, ctx, sink, progress),
        Format::K8s => k8s::import(input, ctx, sink, progress),
        Format::Linux => linux::import(input, ctx, sink, progress),
        Format::AwsCredentialReport => {
            inventory::aws::import_credential_report(input, ctx, sink, progress)
        }
        Format::AwsAuthorizationDetails => {
            inventory::aws::import_authorization_details(input, ctx, sink, progress)
        }
        Format::GraphDirectory => inventory::graph::import(input, ctx, sink, progress),
        Format::GoogleDirectory => inventory::google::import(input, ctx, sink, progress),
        Format::OktaDirectory => inventory::okta::import(input, ctx, sink, progress),
        Format::GithubMembers => inventory::github::import(input, ctx, sink, progress),
        Format::K8sRbac => inventory::k8s::import(input, ctx, sink, progress),
        Format::UnixAccounts => inventory::unix::import(input, ctx, sink, progress),
        Format::Baton => inventory::baton::import(input, ctx, sink, progress),
        Format::TeleportReviews => teleport_review::import(input, ctx, sink, progress),
    }?;
    // Activity is summarised per account over the whole file, so it is delivered last.
    let book = std::mem::take(&mut summary.activity);
    book.deliver(&mut summary, sink)?;
    Ok(summary)
}
