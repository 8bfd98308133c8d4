//! Reads AWS IAM's two inventories — the credential report and `get-account-authorization-details` — into reconciliation rows named as the CloudTrail importer names the same access.
//!
//! ## The credential report (`aws-credential-report`)
//!
//! AWS's documented CSV (one row per IAM user plus `<root_account>`; columns in
//! <https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_getting-report.html#id_credentials_understanding_the_report_format>),
//! either bare (`aws iam get-credential-report --query Content --output text | base64 -d`) or
//! inside the `GetCredentialReport` response: `{"Content": …, "GeneratedTime": …,
//! "ReportFormat": "text/csv"}` with `Content` base64 (the CLI) or already decoded (boto3, most
//! tools), also wrapped as placebo records it, `{"status_code": 200, "data": {…}}`.
//!
//! | what is read | account | entitlement | status | last used |
//! |---|---|---|---|---|
//! | the row (`user`) | IAM user name; `<root_account>` as `root` | — (`account`) | present when `password_enabled` is true (always for root), else disabled: its keys and certificates are credentials on rows of their own, judged one by one | `password_last_used` |
//! | `password_enabled` = true | the same | `console-login` | present | `password_last_used` |
//! | access key slot N (`access_key_N_active`) | the same | credential `access-key-N` | present when true; inactive when false and `access_key_N_last_rotated` is a date; no row when the slot is `N/A` | `access_key_N_last_used_date` |
//! | certificate slot N (`cert_N_active`) | the same | credential `signing-certificate-N` | as for keys, from `cert_N_last_rotated` | — |
//!
//! Coverage: accounts and credentials, not entitlements (the report shows no groups or
//! policies; `console-login` rows are there as activity evidence, their absence proves
//! nothing). `mfa_active`, `arn`, `password_next_rotation` and the regions and services of key
//! use are not read. Booleans are read ignoring case (`TRUE` from a spreadsheet is true);
//! `N/A`, `no_information` and `not_supported` are "none".
//!
//! Decisions, with reasons:
//! * **Keys are named by slot.** The report gives no key ids, so a key is `access-key-1` or
//!   `access-key-2` and cannot meet CloudTrail's `AKIA…` ids; an auditor compares ages and
//!   last use per slot, and key events by id come from CloudTrail.
//! * **A user who cannot sign in is disabled.** IAM users have no enabled flag; an account
//!   with no console password and no active key or certificate grants no access, which is
//!   what disabling means (and how AWS recommends offboarding before deletion). The root user
//!   always has a password (`not_supported`), so it is always present.
//! * **A date after the report's moment** (a user created in 2099 in a report generated in
//!   2020) contradicts the file: when the file states its moment (`GeneratedTime`) the row is
//!   a diagnostic naming the column; when the moment is `--as-of` or the file's time it may
//!   simply be too early, so the rows import and one warning counts them.
//! * **An error response is refused** by name: `ReportNotPresent`, `ReportInProgress` and
//!   `ReportExpired` responses are whole-file errors saying what to do.
//! * The moment is `GeneratedTime` when the JSON response is given (an ISO string, or
//!   placebo's `{"__class__": "datetime", "year": …}`); a bare CSV states none.
//! * A header lacking a column we read is a whole-file error on line 1 naming the column.
//!   Rows are streamed through the `csv` crate one at a time, so memory does not grow with
//!   the report; the JSON response is read whole (up to 64 MiB: IAM allows 5,000 users).
//!
//! ## Authorization details (`aws-authorization-details`)
//!
//! The output of `aws iam get-account-authorization-details` (the `GetAccountAuthorizationDetails`
//! response, <https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetAccountAuthorizationDetails.html>,
//! elements `UserDetail`, `RoleDetail`, `GroupDetail`, `ManagedPolicyDetail`).
//!
//! | what is read | account | entitlement | last used |
//! |---|---|---|---|
//! | `UserDetailList[]` | `UserName` | — (`account`) | — |
//! | its `GroupList[]` | `UserName` | the group name | — |
//! | its `AttachedManagedPolicies[].PolicyArn` | `UserName` | the policy ARN | — |
//! | its `UserPolicyList[].PolicyName` | `UserName` | `inline:<PolicyName>` | — |
//! | `RoleDetailList[]` | `RoleName` | — (`account`) | `RoleLastUsed.LastUsedDate` |
//! | its `AssumeRolePolicyDocument` | `RoleName` | `trust-policy` | — |
//! | its attached and inline policies (`RolePolicyList`) | `RoleName` | ARN / `inline:<PolicyName>` | — |
//! | `GroupDetailList[]` attached and inline policies (`GroupPolicyList`) | `GroupName` | ARN / `inline:<PolicyName>` | — |
//!
//! Coverage: accounts and entitlements, not credentials (the file shows no keys). Every user
//! and role is present: IAM has no disabled state here.
//!
//! Decisions, with reasons:
//! * **Deny is not a grant** (audit convention 6). AWS's deny-only managed policies
//!   (`AWSCompromisedKeyQuarantine`, `…V2`, `…V3`, `AWSDenyAll`, account `aws` only — a
//!   customer policy may carry any name) and inline policies whose statements are all
//!   `"Effect": "Deny"` are named with the prefix `deny:` (`deny:arn:aws:iam::aws:policy/AWSDenyAll`,
//!   `deny:inline:<PolicyName>`), the convention the CloudTrail importer and the checks share,
//!   so they are listed but never read as access. An inline document that does not parse is
//!   not taken for a deny.
//! * **Groups are not accounts.** What a group's policies give its members reaches them
//!   through the membership (the user's group-name row), so it is not copied onto each user;
//!   the group's own policies are rows of account = group name, as CloudTrail records
//!   `AttachGroupPolicy` and `PutGroupPolicy`. IAM user, role and group names are separate
//!   namespaces, so a group named like a role (`GOAT` in one sample) shares its rows' account
//!   name, as it does in CloudTrail's executions. A group without policies of its own is
//!   skipped with its reason.
//! * Every role has a trust policy; it is the `trust-policy` row CloudTrail's
//!   `UpdateAssumeRolePolicy` grants.
//! * `Policies` (`ManagedPolicyDetail`) describes policies, not who holds them: each is
//!   skipped with its reason. Permissions boundaries (a limit, not a grant), tags and instance
//!   profiles are not read.
//! * A page of a paginated answer (`IsTruncated: true`) does not list every account and is
//!   refused; the CLI fetches every page itself.
//! * The file states no moment: `--as-of`, else the file's time with a warning.
//! * The document is streamed one list element at a time (serde's streaming deserializer),
//!   so memory is bounded by the largest user, role or group; truncated JSON is an error naming
//!   its line and column.

use std::cell::Cell;
use std::fmt;
use std::io::{self, BufRead, BufReader, Read};

use base64::Engine as _;
use evidentia_domain::{Coverage, Timestamp};
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use super::{Listing, MomentSource, Row, snapshot_time, system_of};
use crate::json_stream::{child, io_error, kind_of, parse_timestamp, unreadable};
use crate::{Format, ImportContext, ImportError, ImportSummary, Location, Progress, RecordSink};

/// How often (in rows) progress is reported.
const PROGRESS_EVERY: u64 = 2_000;

/// The largest `GetCredentialReport` JSON response read whole. IAM allows 5,000 users, a few
/// megabytes of CSV; a bigger file is not a credential report response.
const MAX_RESPONSE_BYTES: u64 = crate::json_stream::MAX_RECORD_BYTES;

/// The first columns of AWS's header, and the same text in base64 (the CLI's `Content`).
const REPORT_HEADER: &str = "user,arn,user_creation_time";
const REPORT_HEADER_BASE64: &str = "dXNlcixhcm4sdXNlcl9jcmVhdGlvbl90aW1l";

/// `GetCredentialReport`'s documented errors that mean "no report to read".
const REPORT_ERRORS: [&str; 3] = ["ReportNotPresent", "ReportInProgress", "ReportExpired"];

/// Recognises a credential report — the CSV, or the `GetCredentialReport` response holding it
/// (also an error response, so it is refused by name) — from the first bytes of a file.
pub(crate) fn recognise_credential_report(head: &str) -> bool {
    let first_line = head.lines().next().unwrap_or_default().trim();
    if starts_with_ignore_case(first_line, REPORT_HEADER) {
        return true;
    }
    if !head.starts_with('{') {
        return false;
    }
    if let Some(content) = string_value_of(head, "\"Content\"") {
        let content = content.trim_start();
        return starts_with_ignore_case(content, REPORT_HEADER)
            || content.starts_with(REPORT_HEADER_BASE64);
    }
    head.contains("\"Error\"")
        && REPORT_ERRORS
            .iter()
            .any(|code| head.contains(&format!("\"{code}\"")))
}

/// Recognises `get-account-authorization-details` output by its lists' names.
pub(crate) fn recognise_authorization_details(head: &str) -> bool {
    head.starts_with('{')
        && crate::detect::scan_keys(head).any(&[
            "userdetaillist",
            "groupdetaillist",
            "roledetaillist",
        ])
}

fn starts_with_ignore_case(text: &str, prefix: &str) -> bool {
    text.get(..prefix.len())
        .is_some_and(|start| start.eq_ignore_ascii_case(prefix))
}

/// The raw text after `"key": "` in a JSON head (up to the end of the head), if the key holds
/// a string.
fn string_value_of<'t>(head: &'t str, key: &str) -> Option<&'t str> {
    let after = head.get(head.find(key)? + key.len()..)?.trim_start();
    let after = after.strip_prefix(':')?.trim_start();
    after.strip_prefix('"')
}

// ---------------------------------------------------------------------------------------
// The credential report
// ---------------------------------------------------------------------------------------

/// Reads a credential report (CSV or the JSON response) into reconciliation rows.
pub fn import_credential_report(
    input: &mut dyn Read,
    ctx: &ImportContext,
    sink: &mut dyn RecordSink,
    progress: &mut dyn FnMut(Progress),
) -> Result<ImportSummary, ImportError> {
    let mut summary = ImportSummary::default();
    let mut reader = BufReader::with_capacity(256 * 1024, input);
    let first = skip_bom_and_whitespace(&mut reader).map_err(|e| io_error(ctx, e))?;
    let coverage = Coverage {
        accounts: true,
        entitlements: false,
        credentials: true,
        holders_of: None,
    };
    match first {
        None => Err(unreadable(ctx, Location::File, "the file is empty")),
        Some(b'{') => {
            let response = read_response(&mut reader, ctx)?;
            let (as_of, source) = snapshot_time(ctx, response.generated, &mut summary)?;
            let report = Report {
                ctx,
                listing: Listing {
                    system: system_of(ctx, Format::AwsCredentialReport),
                    as_of,
                    coverage,
                },
                stated: source == MomentSource::Stated,
                content_pointer: Some(response.pointer),
            };
            report.read(
                response.content.as_bytes(),
                &mut summary,
                sink,
                progress,
                ctx.size,
            )?;
            Ok(summary)
        }
        Some(_) => {
            let (as_of, source) = snapshot_time(ctx, None, &mut summary)?;
            let report = Report {
                ctx,
                listing: Listing {
                    system: system_of(ctx, Format::AwsCredentialReport),
                    as_of,
                    coverage,
                },
                stated: source == MomentSource::Stated,
                content_pointer: None,
            };
            report.read(reader, &mut summary, sink, progress, ctx.size)?;
            Ok(summary)
        }
    }
}

/// Consumes a UTF-8 byte-order mark and leading whitespace; returns the next byte, unread.
fn skip_bom_and_whitespace<R: BufRead>(reader: &mut R) -> io::Result<Option<u8>> {
    let mut first = true;
    loop {
        let available = match reader.fill_buf() {
            Ok(a) => a,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if available.is_empty() {
            return Ok(None);
        }
        if first && available.starts_with(&[0xEF, 0xBB, 0xBF]) {
            reader.consume(3);
            first = false;
            continue;
        }
        first = false;
        let spaces = available
            .iter()
            .take_while(|b| b.is_ascii_whitespace())
            .count();
        if spaces < available.len() {
            let next = available.get(spaces).copied();
            reader.consume(spaces);
            return Ok(next);
        }
        let all = available.len();
        reader.consume(all);
    }
}

/// What a `GetCredentialReport` response holds.
struct Response {
    /// The CSV, decoded from base64 when the response carried it so.
    content: String,
    /// Where `Content` sits in the file (`/Content`, `/data/Content`).
    pointer: String,
    generated: Option<Timestamp>,
}

fn read_response(reader: &mut dyn Read, ctx: &ImportContext) -> Result<Response, ImportError> {
    let bytes = super::read_capped(reader, ctx, MAX_RESPONSE_BYTES, |mib| {
        format!(
            "the credential report response is larger than {mib} MiB, more than IAM's 5,000 users can fill; decode its Content to a CSV file and import that"
        )
    })?;
    let top: Value = serde_json::from_slice(&bytes).map_err(|e| json_error(ctx, e))?;
    drop(bytes);
    // placebo (and similar recorders) keep the response under `data`, beside `status_code`.
    let (body, prefix) = match top.get("data") {
        Some(data @ Value::Object(_)) => (data, "/data"),
        _ => (&top, ""),
    };
    if let Some(error) = body.get("Error") {
        let code = error
            .get("Code")
            .and_then(Value::as_str)
            .unwrap_or("(no code)");
        let what = match code {
            "ReportNotPresent" => {
                "no report has been generated: run `aws iam generate-credential-report`, then get the report again"
            }
            "ReportInProgress" => "the report is still being generated: get it again in a minute",
            "ReportExpired" => {
                "the report is more than four hours old: generate a new one and get it again"
            }
            _ => "there is no report in this file",
        };
        return Err(unreadable(
            ctx,
            Location::Pointer(format!("{prefix}/Error/Code")),
            format!("AWS answered with the error {code} instead of a credential report; {what}"),
        ));
    }
    if let Some(status) = top.get("status_code").and_then(Value::as_u64)
        && status != 200
    {
        return Err(unreadable(
            ctx,
            Location::Pointer("/status_code".into()),
            format!("the recorded response has HTTP status {status}, not a credential report"),
        ));
    }
    if let Some(format) = body.get("ReportFormat").and_then(Value::as_str)
        && !format.eq_ignore_ascii_case("text/csv")
    {
        return Err(unreadable(
            ctx,
            Location::Pointer(format!("{prefix}/ReportFormat")),
            format!("the report format is {format}; only text/csv is known"),
        ));
    }
    let pointer = format!("{prefix}/Content");
    let content = match body.get("Content") {
        Some(Value::String(text)) => decode_content(text).ok_or_else(|| {
            unreadable(
                ctx,
                Location::Pointer(pointer.clone()),
                "Content is neither the report's CSV nor base64 of it",
            )
        })?,
        Some(other) => {
            return Err(unreadable(
                ctx,
                Location::Pointer(pointer),
                format!("Content should be a string but is {}", kind_of(other)),
            ));
        }
        None => {
            return Err(unreadable(
                ctx,
                Location::Pointer(prefix.to_owned()),
                "the JSON has no Content: not a GetCredentialReport response",
            ));
        }
    };
    let generated = match body.get("GeneratedTime") {
        None | Some(Value::Null) => None,
        Some(value) => Some(generated_time(value).ok_or_else(|| {
            unreadable(
                ctx,
                Location::Pointer(format!("{prefix}/GeneratedTime")),
                "GeneratedTime is not a time the report was generated at",
            )
        })?),
    };
    Ok(Response {
        content,
        pointer,
        generated,
    })
}

/// The CSV itself, or base64 of it (line breaks allowed, as `base64` writes them).
fn decode_content(text: &str) -> Option<String> {
    if starts_with_ignore_case(text.trim_start(), "user,") {
        return Some(text.to_owned());
    }
    let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(compact)
        .ok()?;
    let decoded = String::from_utf8(bytes).ok()?;
    let start = decoded.trim_start_matches('\u{feff}').trim_start();
    starts_with_ignore_case(start, "user,").then_some(decoded)
}

/// `GeneratedTime` as AWS writes it (ISO 8601), or as placebo serialises a Python datetime:
/// `{"__class__": "datetime", "year": 2020, "month": 4, …}` (UTC, as boto3 returns it).
fn generated_time(value: &Value) -> Option<Timestamp> {
    match value {
        Value::String(text) => parse_timestamp(text),
        Value::Object(fields) => {
            if fields.get("__class__").and_then(Value::as_str) != Some("datetime") {
                return None;
            }
            let part = |name: &str| fields.get(name).and_then(Value::as_u64).unwrap_or(0);
            let date = chrono::NaiveDate::from_ymd_opt(
                i32::try_from(fields.get("year")?.as_i64()?).ok()?,
                u32::try_from(part("month")).ok()?,
                u32::try_from(part("day")).ok()?,
            )?;
            let time = chrono::NaiveTime::from_hms_micro_opt(
                u32::try_from(part("hour")).ok()?,
                u32::try_from(part("minute")).ok()?,
                u32::try_from(part("second")).ok()?,
                u32::try_from(part("microsecond")).ok()?,
            )?;
            Some(date.and_time(time).and_utc())
        }
        _ => None,
    }
}

/// Where the columns we read are in this report's header.
struct Columns {
    width: usize,
    user: usize,
    created: usize,
    password_enabled: usize,
    password_last_used: usize,
    password_last_changed: usize,
    keys: [KeyColumns; 2],
    certs: [CertColumns; 2],
}

struct KeyColumns {
    active: usize,
    rotated: usize,
    used: usize,
}

struct CertColumns {
    active: usize,
    rotated: usize,
}

impl Columns {
    /// Finds every column we read; `Err` names the first one missing.
    fn find(header: &csv::StringRecord) -> Result<Columns, &'static str> {
        let names: Vec<String> = header
            .iter()
            .map(|h| h.trim().trim_start_matches('\u{feff}').to_ascii_lowercase())
            .collect();
        let at = |name: &'static str| names.iter().position(|n| n == name).ok_or(name);
        // The report's 22 columns are fixed by AWS; one missing means the file was edited or cut
        // by hand, and its rows can no longer be trusted to say what AWS said.
        if let Some(missing) = ALL_COLUMNS.iter().find(|c| !names.iter().any(|n| n == *c)) {
            return Err(missing);
        }
        Ok(Columns {
            width: names.len(),
            user: at("user")?,
            created: at("user_creation_time")?,
            password_enabled: at("password_enabled")?,
            password_last_used: at("password_last_used")?,
            password_last_changed: at("password_last_changed")?,
            keys: [
                KeyColumns {
                    active: at("access_key_1_active")?,
                    rotated: at("access_key_1_last_rotated")?,
                    used: at("access_key_1_last_used_date")?,
                },
                KeyColumns {
                    active: at("access_key_2_active")?,
                    rotated: at("access_key_2_last_rotated")?,
                    used: at("access_key_2_last_used_date")?,
                },
            ],
            certs: [
                CertColumns {
                    active: at("cert_1_active")?,
                    rotated: at("cert_1_last_rotated")?,
                },
                CertColumns {
                    active: at("cert_2_active")?,
                    rotated: at("cert_2_last_rotated")?,
                },
            ],
        })
    }
}

/// Every column of the credential report, as AWS documents them
/// (<https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_getting-report.html>).
const ALL_COLUMNS: [&str; 22] = [
    "user",
    "arn",
    "user_creation_time",
    "password_enabled",
    "password_last_used",
    "password_last_changed",
    "password_next_rotation",
    "mfa_active",
    "access_key_1_active",
    "access_key_1_last_rotated",
    "access_key_1_last_used_date",
    "access_key_1_last_used_region",
    "access_key_1_last_used_service",
    "access_key_2_active",
    "access_key_2_last_rotated",
    "access_key_2_last_used_date",
    "access_key_2_last_used_region",
    "access_key_2_last_used_service",
    "cert_1_active",
    "cert_1_last_rotated",
    "cert_2_active",
    "cert_2_last_rotated",
];

const KEY_NAMES: [&str; 2] = ["access-key-1", "access-key-2"];
const CERT_NAMES: [&str; 2] = ["signing-certificate-1", "signing-certificate-2"];
const KEY_COLUMNS: [[&str; 3]; 2] = [
    [
        "access_key_1_active",
        "access_key_1_last_rotated",
        "access_key_1_last_used_date",
    ],
    [
        "access_key_2_active",
        "access_key_2_last_rotated",
        "access_key_2_last_used_date",
    ],
];
const CERT_COLUMNS: [[&str; 2]; 2] = [
    ["cert_1_active", "cert_1_last_rotated"],
    ["cert_2_active", "cert_2_last_rotated"],
];

/// One credential report being read: its listing and where its rows are in the file.
struct Report<'c> {
    ctx: &'c ImportContext,
    listing: Listing,
    /// The moment is the file's own `GeneratedTime`, so later dates contradict the file.
    stated: bool,
    /// `Some("/data/Content")` when the CSV sits inside a JSON response.
    content_pointer: Option<String>,
}

/// A field that does not read, by column.
struct BadField {
    column: &'static str,
    reason: String,
}

/// Rows with a date after the snapshot moment, when that moment was not stated by the file.
#[derive(Default)]
struct LateDates {
    rows: u64,
    first: Option<(Location, &'static str)>,
}

impl Report<'_> {
    fn location(&self, line: u64) -> Location {
        match &self.content_pointer {
            None => Location::Line(line),
            Some(pointer) => Location::LinePointer(line, pointer.clone()),
        }
    }

    fn read<R: Read>(
        &self,
        input: R,
        summary: &mut ImportSummary,
        sink: &mut dyn RecordSink,
        progress: &mut dyn FnMut(Progress),
        bytes_total: Option<u64>,
    ) -> Result<(), ImportError> {
        let ctx = self.ctx;
        let mut csv = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(input);
        let mut record = csv::StringRecord::new();
        match csv.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => {
                return Err(unreadable(ctx, Location::File, "the report has no header"));
            }
            Err(e) => return Err(self.csv_error_fatal(e)),
        }
        let columns = Columns::find(&record).map_err(|missing| {
            unreadable(
                ctx,
                self.location(1),
                format!(
                    "the header has no {missing} column: not an AWS credential report (its header starts `{REPORT_HEADER},…`)"
                ),
            )
        })?;
        let mut late = LateDates::default();
        loop {
            match csv.read_record(&mut record) {
                Ok(false) => break,
                Ok(true) => {
                    summary.rows += 1;
                    let line = record.position().map_or(0, csv::Position::line);
                    self.row(&columns, &record, line, summary, sink, &mut late)?;
                }
                Err(e) => {
                    summary.rows += 1;
                    let line = e.position().map_or(0, csv::Position::line);
                    match e.kind() {
                        csv::ErrorKind::Utf8 { .. } => summary.diagnostics.push(
                            ctx.diagnostic(self.location(line), "the row is not valid UTF-8 text"),
                        ),
                        _ => return Err(self.csv_error_fatal(e)),
                    }
                }
            }
            if summary.rows % PROGRESS_EVERY == 0 {
                progress(Progress {
                    bytes_read: csv.position().byte(),
                    bytes_total,
                    rows: summary.rows,
                });
            }
        }
        progress(Progress {
            bytes_read: csv.position().byte(),
            bytes_total,
            rows: summary.rows,
        });
        if let Some((location, column)) = late.first {
            summary.warn(ctx.diagnostic(
                location,
                format!(
                    "{} row(s) have dates after the snapshot moment {} (the first in {column}): the moment given with --as-of or taken from the file's time is earlier than the report",
                    late.rows,
                    self.listing.as_of.to_rfc3339()
                ),
            ));
        }
        Ok(())
    }

    fn csv_error_fatal(&self, e: csv::Error) -> ImportError {
        let line = e.position().map_or(1, csv::Position::line);
        match e.into_kind() {
            csv::ErrorKind::Io(source) => io_error(self.ctx, source),
            csv::ErrorKind::Utf8 { .. } => unreadable(
                self.ctx,
                self.location(line),
                "the header is not valid UTF-8 text",
            ),
            other => unreadable(
                self.ctx,
                self.location(line),
                format!("the CSV cannot be read: {other:?}"),
            ),
        }
    }

    /// One user's row: the account, its console login and its key and certificate slots.
    fn row(
        &self,
        columns: &Columns,
        record: &csv::StringRecord,
        line: u64,
        summary: &mut ImportSummary,
        sink: &mut dyn RecordSink,
        late: &mut LateDates,
    ) -> Result<(), ImportError> {
        let location = self.location(line);
        if record.len() != columns.width {
            let why = if record.len() < columns.width {
                "cut short?"
            } else {
                "a column missing from the header, or a value with an unquoted comma?"
            };
            summary.diagnostics.push(self.ctx.diagnostic(
                location,
                format!(
                    "the row has {} fields but the header has {} ({why})",
                    record.len(),
                    columns.width
                ),
            ));
            return Ok(());
        }
        let rows = match self.rows_of(columns, record, line, late) {
            Ok(rows) => rows,
            Err(bad) => {
                summary.diagnostics.push(
                    self.ctx
                        .diagnostic(location, format!("{}: {}", bad.column, bad.reason)),
                );
                return Ok(());
            }
        };
        for row in rows {
            self.listing.emit(summary, sink, row, location.clone())?;
        }
        Ok(())
    }

    fn rows_of(
        &self,
        columns: &Columns,
        record: &csv::StringRecord,
        line: u64,
        late: &mut LateDates,
    ) -> Result<Vec<Row>, BadField> {
        let field = |i: usize| record.get(i).unwrap_or_default().trim();
        let user = field(columns.user);
        if user.is_empty() {
            return Err(BadField {
                column: "user",
                reason: "empty: the row names no user".into(),
            });
        }
        let root = user == "<root_account>";
        let account = if root { "root" } else { user };

        let time = |column: &'static str, i: usize| report_time(column, field(i));
        let flag = |column: &'static str, i: usize| report_flag(column, field(i));

        let created = time("user_creation_time", columns.created)?;
        let password_enabled = flag("password_enabled", columns.password_enabled)?;
        let password_last_used = time("password_last_used", columns.password_last_used)?;
        let password_last_changed = time("password_last_changed", columns.password_last_changed)?;
        let mut keys = [(None, None, None), (None, None, None)];
        for (slot, (cols, names)) in keys
            .iter_mut()
            .zip(columns.keys.iter().zip(KEY_COLUMNS.iter()))
        {
            let [active, rotated, used] = *names;
            *slot = (
                flag(active, cols.active)?,
                time(rotated, cols.rotated)?,
                time(used, cols.used)?,
            );
        }
        let mut certs = [(None, None), (None, None)];
        for (slot, (cols, names)) in certs
            .iter_mut()
            .zip(columns.certs.iter().zip(CERT_COLUMNS.iter()))
        {
            let [active, rotated] = *names;
            *slot = (flag(active, cols.active)?, time(rotated, cols.rotated)?);
        }

        // Dates after the moment the report shows: see the module doc.
        let [k1, k2] = &keys;
        let [c1, c2] = &certs;
        let dated = [
            ("user_creation_time", created),
            ("password_last_used", password_last_used),
            ("password_last_changed", password_last_changed),
            ("access_key_1_last_rotated", k1.1),
            ("access_key_1_last_used_date", k1.2),
            ("access_key_2_last_rotated", k2.1),
            ("access_key_2_last_used_date", k2.2),
            ("cert_1_last_rotated", c1.1),
            ("cert_2_last_rotated", c2.1),
        ];
        let as_of = self.listing.as_of;
        if let Some((column, t)) = dated
            .iter()
            .find_map(|(c, t)| t.filter(|t| *t > as_of).map(|t| (*c, t)))
        {
            if self.stated {
                return Err(BadField {
                    column,
                    reason: format!(
                        "{} is after the report was generated ({}): the row contradicts the report (edited by hand?)",
                        t.to_rfc3339(),
                        as_of.to_rfc3339()
                    ),
                });
            }
            late.rows += 1;
            if late.first.is_none() {
                late.first = Some((self.location(line), column));
            }
        }

        // The account's own access is its console password; its keys and certificates are
        // credentials with rows of their own (convention 5), judged one by one, so a user whose
        // login profile is deleted is listed disabled even while a key stays active, and the
        // keys' use is theirs, not the account's.
        let can_sign_in = root || password_enabled == Some(true);
        let last_used = password_last_used;

        let mut rows = Vec::with_capacity(4);
        let account_row = Row::account(account).last_used(last_used);
        rows.push(if can_sign_in {
            account_row
        } else {
            account_row.disabled()
        });
        if password_enabled == Some(true) {
            rows.push(Row::entitlement(account, "console-login").last_used(password_last_used));
        }
        for ((active, rotated, used), name) in keys.iter().zip(KEY_NAMES) {
            if let Some(row) = slot_row(account, name, *active, *rotated) {
                rows.push(row.last_used(*used));
            }
        }
        for ((active, rotated), name) in certs.iter().zip(CERT_NAMES) {
            if let Some(row) = slot_row(account, name, *active, *rotated) {
                rows.push(row);
            }
        }
        Ok(rows)
    }
}

/// A key or certificate slot: active → present; inactive but once issued (a rotation date) →
/// listed, not in force; never issued → no row.
fn slot_row(
    account: &str,
    name: &str,
    active: Option<bool>,
    rotated: Option<Timestamp>,
) -> Option<Row> {
    match (active, rotated) {
        (Some(true), _) => Some(Row::credential(account, name)),
        (_, Some(_)) => Some(Row::credential(account, name).inactive()),
        _ => None,
    }
}

/// AWS's "no date" words: `N/A` (not applicable, never used), `no_information` (no data since
/// tracking began), `not_supported` (the root user's password fields).
fn is_no_value(text: &str) -> bool {
    text.is_empty()
        || text.eq_ignore_ascii_case("N/A")
        || text.eq_ignore_ascii_case("no_information")
        || text.eq_ignore_ascii_case("not_supported")
}

fn report_time(column: &'static str, text: &str) -> Result<Option<Timestamp>, BadField> {
    if is_no_value(text) {
        return Ok(None);
    }
    parse_timestamp(text).map(Some).ok_or_else(|| BadField {
        column,
        reason: format!(
            "`{text}` is not a time (expected ISO 8601, e.g. 2016-10-06T15:47:11+00:00)"
        ),
    })
}

/// `true` / `false` in any case; `not_supported` (root's `password_enabled`) is unknown.
fn report_flag(column: &'static str, text: &str) -> Result<Option<bool>, BadField> {
    if text.eq_ignore_ascii_case("true") {
        Ok(Some(true))
    } else if text.eq_ignore_ascii_case("false") {
        Ok(Some(false))
    } else if is_no_value(text) {
        Ok(None)
    } else {
        Err(BadField {
            column,
            reason: format!("`{text}` is not true or false"),
        })
    }
}

// ---------------------------------------------------------------------------------------
// Authorization details
// ---------------------------------------------------------------------------------------

/// Reads `get-account-authorization-details` output into reconciliation rows.
pub fn import_authorization_details(
    input: &mut dyn Read,
    ctx: &ImportContext,
    sink: &mut dyn RecordSink,
    progress: &mut dyn FnMut(Progress),
) -> Result<ImportSummary, ImportError> {
    let mut summary = ImportSummary::default();
    let bytes = Cell::new(0u64);
    let mut reader = BufReader::with_capacity(
        64 * 1024,
        Counting {
            inner: input,
            count: &bytes,
        },
    );
    match skip_bom_and_whitespace(&mut reader).map_err(|e| io_error(ctx, e))? {
        None => return Err(unreadable(ctx, Location::File, "the file is empty")),
        Some(b'{') => {}
        Some(_) => {
            return Err(unreadable(
                ctx,
                Location::Line(1),
                "not get-account-authorization-details output: it is not a JSON object",
            ));
        }
    }
    let (as_of, _) = snapshot_time(ctx, None, &mut summary)?;
    let listing = Listing {
        system: system_of(ctx, Format::AwsAuthorizationDetails),
        as_of,
        coverage: Coverage {
            accounts: true,
            entitlements: true,
            credentials: false,
            holders_of: None,
        },
    };
    let mut walk = Walk {
        ctx,
        listing,
        summary,
        sink,
        progress,
        bytes: &bytes,
        stopped: None,
        lists: 0,
        truncated: false,
    };
    let result = {
        let mut de = serde_json::Deserializer::from_reader(&mut reader);
        TopSeed { walk: &mut walk }
            .deserialize(&mut de)
            .and_then(|()| de.end())
    };
    if let Some(stopped) = walk.stopped.take() {
        return Err(stopped);
    }
    result.map_err(|e| json_error(ctx, e))?;
    if walk.lists == 0 {
        return Err(unreadable(
            ctx,
            Location::File,
            "not get-account-authorization-details output: it has no UserDetailList, GroupDetailList or RoleDetailList",
        ));
    }
    if walk.truncated {
        return Err(unreadable(
            ctx,
            Location::Pointer("/IsTruncated".into()),
            "the file is one page of a paginated answer (IsTruncated: true), so it does not list every account; let the AWS CLI fetch every page (no --max-items) and import its whole output",
        ));
    }
    (walk.progress)(Progress {
        bytes_read: bytes.get(),
        bytes_total: ctx.size,
        rows: walk.summary.rows,
    });
    Ok(walk.summary)
}

/// Counts the bytes pulled from the caller's reader, for progress.
struct Counting<'a> {
    inner: &'a mut dyn Read,
    count: &'a Cell<u64>,
}

impl Read for Counting<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.set(self.count.get().saturating_add(n as u64));
        Ok(n)
    }
}

/// The four lists of the response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum List {
    Users,
    Groups,
    Roles,
    Policies,
}

impl List {
    fn key(self) -> &'static str {
        match self {
            List::Users => "UserDetailList",
            List::Groups => "GroupDetailList",
            List::Roles => "RoleDetailList",
            List::Policies => "Policies",
        }
    }
}

/// The state of one streamed read: where rows go, and a slot for an error (a sink failure,
/// which has to travel through serde as a custom error).
struct Walk<'a> {
    ctx: &'a ImportContext,
    listing: Listing,
    summary: ImportSummary,
    sink: &'a mut dyn RecordSink,
    progress: &'a mut dyn FnMut(Progress),
    bytes: &'a Cell<u64>,
    stopped: Option<ImportError>,
    /// How many of the detail lists were found.
    lists: u32,
    truncated: bool,
}

impl fmt::Debug for Walk<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Walk")
            .field("rows", &self.summary.rows)
            .finish_non_exhaustive()
    }
}

/// A list element that does not read, and where.
struct Bad {
    location: Location,
    reason: String,
}

impl Walk<'_> {
    fn tick(&mut self) {
        self.summary.rows += 1;
        if self.summary.rows % PROGRESS_EVERY == 0 {
            (self.progress)(Progress {
                bytes_read: self.bytes.get(),
                bytes_total: self.ctx.size,
                rows: self.summary.rows,
            });
        }
    }

    /// One user, role or group: all its rows, or one diagnostic and none.
    fn element(&mut self, list: List, value: &Value, at: &Location) -> Result<(), ImportError> {
        let rows = match list {
            List::Users => principal(value, at, "UserName", "UserPolicyList", true),
            List::Roles => role(value, at),
            List::Groups => principal(value, at, "GroupName", "GroupPolicyList", false),
            List::Policies => Ok(Vec::new()),
        };
        match rows {
            Err(bad) => {
                let diagnostic = self.ctx.diagnostic(bad.location, bad.reason);
                self.summary.diagnostics.push(diagnostic);
            }
            Ok(rows) if rows.is_empty() => {
                self.summary.skip("group (no policies of its own)");
            }
            Ok(rows) => {
                for (row, location) in rows {
                    self.listing
                        .emit(&mut self.summary, &mut *self.sink, row, location)?;
                }
            }
        }
        Ok(())
    }
}

/// A user (`with_groups`) or group: the account row for a user, its groups, its attached
/// managed policies and its inline policies.
fn principal(
    value: &Value,
    at: &Location,
    name_key: &str,
    inline_key: &str,
    is_user: bool,
) -> Result<Vec<(Row, Location)>, Bad> {
    let name = required_str(value, at, name_key)?;
    let mut rows = Vec::new();
    if is_user {
        rows.push((Row::account(name), at.clone()));
        for (i, group) in array_of(value, at, "GroupList")?.iter().enumerate() {
            let here = child(&child(at, "GroupList"), &i.to_string());
            match group.as_str().map(str::trim) {
                Some(group) if !group.is_empty() => {
                    rows.push((Row::entitlement(name, group), here));
                }
                _ => {
                    return Err(Bad {
                        location: here,
                        reason: format!(
                            "a group name should be a string but is {}",
                            kind_of(group)
                        ),
                    });
                }
            }
        }
    }
    policies(value, at, name, inline_key, &mut rows)?;
    Ok(rows)
}

/// A role: its account row with `RoleLastUsed.LastUsedDate`, its trust policy and policies.
fn role(value: &Value, at: &Location) -> Result<Vec<(Row, Location)>, Bad> {
    let name = required_str(value, at, "RoleName")?;
    let last_used = match value
        .get("RoleLastUsed")
        .and_then(|r| r.get("LastUsedDate"))
    {
        None | Some(Value::Null) => None,
        Some(Value::String(text)) => Some(parse_timestamp(text).ok_or_else(|| Bad {
            location: child(&child(at, "RoleLastUsed"), "LastUsedDate"),
            reason: format!("`{text}` is not a time"),
        })?),
        Some(other) => {
            return Err(Bad {
                location: child(&child(at, "RoleLastUsed"), "LastUsedDate"),
                reason: format!("should be a time but is {}", kind_of(other)),
            });
        }
    };
    let mut rows = vec![(Row::account(name).last_used(last_used), at.clone())];
    if value
        .get("AssumeRolePolicyDocument")
        .is_some_and(|d| !d.is_null())
    {
        rows.push((
            Row::entitlement(name, "trust-policy"),
            child(at, "AssumeRolePolicyDocument"),
        ));
    }
    policies(value, at, name, "RolePolicyList", &mut rows)?;
    Ok(rows)
}

/// Attached managed policies (by ARN) and inline policies (`inline:<name>`), deny-only ones
/// prefixed `deny:`.
fn policies(
    value: &Value,
    at: &Location,
    name: &str,
    inline_key: &str,
    rows: &mut Vec<(Row, Location)>,
) -> Result<(), Bad> {
    let attached_at = child(at, "AttachedManagedPolicies");
    for (i, policy) in array_of(value, at, "AttachedManagedPolicies")?
        .iter()
        .enumerate()
    {
        let here = child(&attached_at, &i.to_string());
        let arn = required_str(policy, &here, "PolicyArn")?;
        let entitlement = if is_deny_managed_policy(arn) {
            format!("{DENY_PREFIX}{arn}")
        } else {
            arn.to_owned()
        };
        rows.push((Row::entitlement(name, entitlement), here));
    }
    let inline_at = child(at, inline_key);
    for (i, policy) in array_of(value, at, inline_key)?.iter().enumerate() {
        let here = child(&inline_at, &i.to_string());
        let policy_name = required_str(policy, &here, "PolicyName")?;
        let deny = policy.get("PolicyDocument").is_some_and(is_deny_only);
        let entitlement = if deny {
            format!("{DENY_PREFIX}inline:{policy_name}")
        } else {
            format!("inline:{policy_name}")
        };
        rows.push((Row::entitlement(name, entitlement), here));
    }
    Ok(())
}

fn required_str<'v>(value: &'v Value, at: &Location, key: &str) -> Result<&'v str, Bad> {
    match value.get(key) {
        Some(Value::String(s)) if !s.trim().is_empty() => Ok(s.trim()),
        Some(Value::String(_)) => Err(Bad {
            location: child(at, key),
            reason: "is empty".into(),
        }),
        None if !value.is_object() => Err(Bad {
            location: at.clone(),
            reason: format!("should be an object but is {}", kind_of(value)),
        }),
        None => Err(Bad {
            location: child(at, key),
            reason: format!("{key} is missing"),
        }),
        Some(other) => Err(Bad {
            location: child(at, key),
            reason: format!("should be a string but is {}", kind_of(other)),
        }),
    }
}

/// An optional list: absent or null is empty.
fn array_of<'v>(value: &'v Value, at: &Location, key: &str) -> Result<&'v [Value], Bad> {
    match value.get(key) {
        None | Some(Value::Null) => Ok(&[]),
        Some(Value::Array(items)) => Ok(items),
        Some(other) => Err(Bad {
            location: child(at, key),
            reason: format!("should be a list but is {}", kind_of(other)),
        }),
    }
}

// Deny policies are named and recognised exactly as the CloudTrail importer does, so a
// snapshot row meets the attach and detach events about the same policy (convention 6).
pub use crate::cloudtrail::DENY_PREFIX;
use crate::cloudtrail::{is_deny_managed_policy, is_deny_only};

/// The top-level object: streams the three detail lists, skips `Policies`, notes `IsTruncated`.
struct TopSeed<'w, 'a> {
    walk: &'w mut Walk<'a>,
}

impl<'de> DeserializeSeed<'de> for TopSeed<'_, '_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for TopSeed<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object with UserDetailList, GroupDetailList, RoleDetailList and Policies")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<String>()? {
            let list = match key.as_str() {
                "UserDetailList" => List::Users,
                "GroupDetailList" => List::Groups,
                "RoleDetailList" => List::Roles,
                "Policies" => List::Policies,
                "IsTruncated" => {
                    if map.next_value::<Value>()? == Value::Bool(true) {
                        self.walk.truncated = true;
                    }
                    continue;
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                    continue;
                }
            };
            if list != List::Policies {
                self.walk.lists += 1;
            }
            map.next_value_seed(ListSeed {
                walk: &mut *self.walk,
                list,
            })?;
        }
        Ok(())
    }
}

/// One of the lists, streamed element by element.
struct ListSeed<'w, 'a> {
    walk: &'w mut Walk<'a>,
    list: List,
}

impl<'de> DeserializeSeed<'de> for ListSeed<'_, '_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for ListSeed<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} to be a list", self.list.key())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let prefix = format!("/{}", self.list.key());
        let mut index = 0u64;
        if self.list == List::Policies {
            while seq.next_element::<IgnoredAny>()?.is_some() {
                self.walk.tick();
                self.walk
                    .summary
                    .skip("policy definition (Policies: describes a policy, not who holds it)");
            }
            return Ok(());
        }
        while let Some(value) = seq.next_element::<Value>()? {
            self.walk.tick();
            let at = Location::Pointer(format!("{prefix}/{index}"));
            if let Err(e) = self.walk.element(self.list, &value, &at) {
                self.walk.stopped = Some(e);
                return Err(de::Error::custom("stopped by the record sink"));
            }
            index += 1;
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------
// Shared
// ---------------------------------------------------------------------------------------

fn json_error(ctx: &ImportContext, e: serde_json::Error) -> ImportError {
    if e.is_io() {
        return io_error(ctx, io::Error::from(e));
    }
    let line = e.line() as u64;
    let column = e.column();
    let text = e.to_string();
    let what = text
        .rfind(" at line ")
        .and_then(|i| text.get(..i))
        .unwrap_or(&text);
    let reason = if e.is_eof() {
        format!(
            "the JSON ends in the middle of the document (truncated?) at column {column}: {what}"
        )
    } else if e.is_data() {
        format!("unexpected JSON at column {column}: {what}")
    } else {
        format!("not valid JSON at column {column}: {what}")
    };
    unreadable(ctx, Location::Line(line.max(1)), reason)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use evidentia_domain::{ReconciliationRecord, ReconciliationStatus as S};

    use crate::inventory::test_support;

    /// AWS's documented header, column for column (IAM User Guide, "Credential report format").
    const HEADER: &str = "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated";
    const ROOT: &str = "<root_account>,arn:aws:iam::123456789012:root,2018-08-12T17:20:55+00:00,not_supported,2019-03-03T16:58:16+00:00,not_supported,not_supported,true,true,2018-11-23T16:01:14+00:00,2018-11-27T00:02:00+00:00,us-east-1,ecr,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A";
    const ALICE: &str = "alice,arn:aws:iam::123456789012:user/alice,2018-05-07T15:35:54+00:00,true,2019-04-01T10:00:00+00:00,2018-05-07T15:40:00+00:00,N/A,true,true,2019-01-07T15:35:55+00:00,2019-05-01T09:00:00+00:00,us-east-1,s3,false,2018-05-07T15:35:54+00:00,2018-06-01T00:00:00+00:00,us-east-1,iam,true,2018-05-08T00:00:00+00:00,false,N/A";
    const IDLE: &str = "idle,arn:aws:iam::123456789012:user/idle,2019-05-07T15:35:54+00:00,false,no_information,N/A,N/A,false,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A";

    fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> Timestamp {
        chrono::Utc
            .with_ymd_and_hms(y, mo, d, h, mi, s)
            .single()
            .expect("valid")
    }

    fn ctx() -> ImportContext {
        ImportContext {
            as_of: Some(at(2019, 5, 7, 16, 0, 0)),
            ..ImportContext::new("report.csv")
        }
    }

    type Imported = (ImportSummary, Vec<(ReconciliationRecord, Location)>);

    fn run(format: Format, text: &str, ctx: &ImportContext) -> Result<Imported, ImportError> {
        test_support::run_in(format, text.as_bytes(), ctx)
    }

    fn report(text: &str) -> Imported {
        run(Format::AwsCredentialReport, text, &ctx()).expect("imports")
    }

    fn find<'r>(
        rows: &'r [(ReconciliationRecord, Location)],
        account: &str,
        item: Option<&str>,
    ) -> &'r ReconciliationRecord {
        &rows
            .iter()
            .find(|(r, _)| r.account == account && r.entitlement.as_deref() == item)
            .unwrap_or_else(|| panic!("no row {account} {item:?}"))
            .0
    }

    #[test]
    fn recognises_the_report_and_its_responses_but_not_other_files() {
        assert!(recognise_credential_report(&format!("{HEADER}\n{ROOT}")));
        assert!(recognise_credential_report(
            r#"{"Content": "dXNlcixhcm4sdXNlcl9jcmVhdGlvbl90aW1lLHBhc3N3b3JkX2VuYWJsZWQ=", "ReportFormat": "text/csv"}"#
        ));
        assert!(recognise_credential_report(&format!(
            r#"{{"status_code": 200, "data": {{"Content": "{HEADER}\n"}}}}"#
        )));
        assert!(recognise_credential_report(
            r#"{"status_code": 410, "data": {"Error": {"Code": "ReportNotPresent", "Type": "Sender"}}}"#
        ));
        assert!(!recognise_credential_report(
            "user,email,created\nalice,a@x,2020"
        ));
        assert!(!recognise_credential_report(
            r#"{"Records":[{"eventName":"CreateUser"}]}"#
        ));
        assert!(!recognise_credential_report(r#"{"UserDetailList": []}"#));
        assert!(recognise_authorization_details(
            r#"{"UserDetailList": [{"UserName": "a"#
        ));
        assert!(!recognise_authorization_details(&format!("{HEADER}\n")));
        assert!(!recognise_authorization_details(
            r#"{"Records":[{"eventName":"AttachUserPolicy","requestParameters":{"userName":"a"}}]}"#
        ));
    }

    #[test]
    fn maps_accounts_console_login_keys_and_certificates() {
        let (summary, rows) = report(&format!("{HEADER}\n{ROOT}\n{ALICE}\n{IDLE}"));
        assert!(summary.diagnostics.is_empty(), "{:?}", summary.diagnostics);
        assert!(summary.warnings.is_empty(), "{:?}", summary.warnings);
        assert_eq!(summary.rows, 3);

        let root = find(&rows, "root", None);
        assert_eq!(root.status, S::ExpectedPresent);
        assert_eq!(root.last_used_at, Some(at(2019, 3, 3, 16, 58, 16)));
        assert_eq!(
            root.coverage,
            Some(std::sync::Arc::new(Coverage {
                accounts: true,
                entitlements: false,
                credentials: true,
                holders_of: None
            }))
        );
        let key = find(&rows, "root", Some("access-key-1"));
        assert!(key.credential);
        assert_eq!(key.status, S::ExpectedPresent);
        assert_eq!(key.last_used_at, Some(at(2018, 11, 27, 0, 2, 0)));
        // not_supported: the root user's console password is not a login-profile entitlement.
        assert!(
            !rows
                .iter()
                .any(|(r, _)| r.account == "root"
                    && r.entitlement.as_deref() == Some("console-login"))
        );

        // The account's own last use is its console password's; its keys' use is theirs.
        let alice = find(&rows, "alice", None);
        assert_eq!(alice.last_used_at, Some(at(2019, 4, 1, 10, 0, 0)));
        let login = find(&rows, "alice", Some("console-login"));
        assert!(!login.credential);
        assert_eq!(login.last_used_at, Some(at(2019, 4, 1, 10, 0, 0)));
        // Key 2 is inactive but was issued: listed, not in force, with its last use.
        let key2 = find(&rows, "alice", Some("access-key-2"));
        assert_eq!(key2.status, S::ExpectedMissing);
        assert_eq!(key2.last_used_at, Some(at(2018, 6, 1, 0, 0, 0)));
        assert_eq!(
            find(&rows, "alice", Some("signing-certificate-1")).status,
            S::ExpectedPresent
        );
        assert_eq!(rows.iter().filter(|(r, _)| r.account == "alice").count(), 5);

        // No password: the account itself is disabled, whatever its keys (each its own row).
        let idle = find(&rows, "idle", None);
        assert_eq!(idle.status, S::Disabled);
        assert_eq!(idle.last_used_at, None);
        assert_eq!(rows.iter().filter(|(r, _)| r.account == "idle").count(), 1);
        assert_eq!(
            rows.iter()
                .find(|(r, _)| r.account == "idle")
                .map(|(_, l)| l.clone()),
            Some(Location::Line(4))
        );
        assert!(
            rows.iter()
                .all(|(r, _)| r.as_of == at(2019, 5, 7, 16, 0, 0) && r.system.as_str() == "aws")
        );
    }

    #[test]
    fn booleans_are_read_in_any_case() {
        let upper = ALICE
            .replace(",true,", ",TRUE,")
            .replace(",false,", ",False,");
        let (summary, rows) = report(&format!("{HEADER}\n{upper}"));
        assert!(summary.diagnostics.is_empty(), "{:?}", summary.diagnostics);
        assert_eq!(rows.len(), 5);
    }

    #[test]
    fn a_missing_column_refuses_the_file_on_line_1() {
        let header = HEADER.replace(",access_key_2_last_used_date", "");
        let err =
            run(Format::AwsCredentialReport, &format!("{header}\n"), &ctx()).expect_err("refused");
        match err {
            ImportError::Unreadable(d) => {
                assert_eq!(d.location, Location::Line(1));
                assert!(
                    d.reason.contains("access_key_2_last_used_date"),
                    "{}",
                    d.reason
                );
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn bad_rows_are_diagnostics_naming_line_and_column() {
        let bad_flag = ALICE.replacen(",true,", ",yes,", 1);
        let bad_time = IDLE.replace("2019-05-07T15:35:54+00:00", "yesterday");
        let cut = "bob,arn:aws:iam::1:user/bob,2019";
        let (summary, rows) = report(&format!("{HEADER}\n{bad_flag}\n{bad_time}\n{cut}\n{ROOT}"));
        let reasons: Vec<String> = summary
            .diagnostics
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(reasons.len(), 3, "{reasons:?}");
        assert!(
            reasons[0].starts_with("report.csv:line 2: password_enabled: `yes`"),
            "{reasons:?}"
        );
        assert!(
            reasons[1].starts_with("report.csv:line 3: user_creation_time"),
            "{reasons:?}"
        );
        assert!(
            reasons[2].contains("line 4") && reasons[2].contains("3 fields"),
            "{reasons:?}"
        );
        assert_eq!(summary.rows, 4);
        assert!(rows.iter().all(|(r, _)| r.account == "root"));
    }

    #[test]
    fn the_json_response_states_its_moment_plain_base64_or_placebo() {
        let csv = format!("{HEADER}\n{ALICE}");
        let plain = serde_json::json!({"Content": csv, "GeneratedTime": "2019-05-07T15:40:22+00:00", "ReportFormat": "text/csv"});
        let encoded = base64::engine::general_purpose::STANDARD.encode(&csv);
        let cli = serde_json::json!({"Content": encoded, "GeneratedTime": "2019-05-07T15:40:22Z", "ReportFormat": "text/csv"});
        let placebo = serde_json::json!({"status_code": 200, "data": {"Content": csv, "ReportFormat": "text/csv",
            "GeneratedTime": {"__class__": "datetime", "year": 2019, "month": 5, "day": 7, "hour": 15, "minute": 40, "second": 22, "microsecond": 0}}});
        let no_as_of = ImportContext::new("report.json");
        for (doc, pointer) in [
            (plain, "/Content"),
            (cli, "/Content"),
            (placebo, "/data/Content"),
        ] {
            let (summary, rows) =
                run(Format::AwsCredentialReport, &doc.to_string(), &no_as_of).expect("imports");
            assert!(
                summary.diagnostics.is_empty() && summary.warnings.is_empty(),
                "{summary:?}"
            );
            assert_eq!(rows.len(), 5);
            assert_eq!(rows[0].0.as_of, at(2019, 5, 7, 15, 40, 22));
            assert_eq!(rows[0].1, Location::LinePointer(2, pointer.into()));
        }
    }

    #[test]
    fn error_responses_are_refused_by_their_code() {
        let doc = r#"{"status_code": 410, "data": {"ResponseMetadata": {"HTTPStatusCode": 410}, "Error": {"Code": "ReportNotPresent", "Type": "Sender"}}}"#;
        let err = run(Format::AwsCredentialReport, doc, &ctx()).expect_err("refused");
        let text = err.to_string();
        assert!(text.starts_with("report.csv:/data/Error/Code:"), "{text}");
        assert!(
            text.contains("ReportNotPresent") && text.contains("generate-credential-report"),
            "{text}"
        );
        let err = run(
            Format::AwsCredentialReport,
            r#"{"Content": "user,arn"#,
            &ctx(),
        )
        .expect_err("cut");
        assert!(err.to_string().contains("truncated"), "{err}");
        let err = run(Format::AwsCredentialReport, "", &ctx()).expect_err("empty");
        assert!(err.to_string().contains("empty"), "{err}");
    }

    #[test]
    fn dates_after_the_stated_moment_are_diagnostics_and_after_as_of_a_warning() {
        let future = IDLE.replace("2019-05-07T15:35:54+00:00", "2099-08-10T11:07:38+00:00");
        let csv = format!("{HEADER}\n{future}\n{ALICE}");
        let doc = serde_json::json!({"Content": csv, "GeneratedTime": "2019-05-07T15:40:22+00:00"});
        let (summary, rows) = run(
            Format::AwsCredentialReport,
            &doc.to_string(),
            &ImportContext::new("r.json"),
        )
        .expect("imports");
        assert_eq!(summary.diagnostics.len(), 1);
        assert!(
            summary.diagnostics[0]
                .reason
                .starts_with("user_creation_time: 2099-08-10"),
            "{:?}",
            summary.diagnostics
        );
        assert_eq!(
            summary.diagnostics[0].location,
            Location::LinePointer(2, "/Content".into())
        );
        assert!(rows.iter().all(|(r, _)| r.account == "alice"));

        let (summary, rows) = report(&csv);
        assert!(summary.diagnostics.is_empty());
        assert_eq!(summary.warnings.len(), 1);
        assert!(
            summary.warnings[0].reason.contains("1 row(s)"),
            "{:?}",
            summary.warnings
        );
        assert_eq!(rows.len(), 6);
    }

    #[test]
    fn the_moment_falls_back_to_the_file_time_with_a_warning() {
        let ctx = ImportContext {
            file_time: Some(at(2020, 1, 1, 0, 0, 0)),
            ..ImportContext::new("report.csv")
        };
        let (summary, rows) = run(
            Format::AwsCredentialReport,
            &format!("\u{feff}{HEADER}\r\n{ROOT}\r\n"),
            &ctx,
        )
        .expect("imports");
        assert_eq!(summary.warnings.len(), 1);
        assert_eq!(rows[0].0.as_of, at(2020, 1, 1, 0, 0, 0));
        let err = run(
            Format::AwsCredentialReport,
            HEADER,
            &ImportContext::new("r.csv"),
        )
        .expect_err("no moment");
        assert!(err.to_string().contains("--as-of"), "{err}");
    }

    /// Follows the `GetAccountAuthorizationDetails` response elements field for field
    /// (IAM API Reference: UserDetail, GroupDetail, RoleDetail, ManagedPolicyDetail).
    const DETAILS: &str = r#"{
      "UserDetailList": [
        {"Path": "/", "UserName": "alice", "UserId": "AIDAEXAMPLE1", "Arn": "arn:aws:iam::123456789012:user/alice",
         "CreateDate": "2021-03-13T18:40:54+00:00", "GroupList": ["Admins"],
         "AttachedManagedPolicies": [
           {"PolicyName": "ReadOnlyAccess", "PolicyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess"},
           {"PolicyName": "AWSCompromisedKeyQuarantineV2", "PolicyArn": "arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantineV2"}],
         "UserPolicyList": [
           {"PolicyName": "s3-write", "PolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:PutObject", "Resource": "*"}]}},
           {"PolicyName": "no-iam", "PolicyDocument": "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Deny%22%2C%22Action%22%3A%22iam%3A*%22%2C%22Resource%22%3A%22*%22%7D%5D%7D"}],
         "Tags": []}
      ],
      "GroupDetailList": [
        {"Path": "/", "GroupName": "Admins", "GroupId": "AGPAEXAMPLE", "Arn": "arn:aws:iam::123456789012:group/Admins",
         "CreateDate": "2021-03-13 18:40:54+00:00", "GroupPolicyList": [],
         "AttachedManagedPolicies": [{"PolicyName": "AdministratorAccess", "PolicyArn": "arn:aws:iam::aws:policy/AdministratorAccess"}]},
        {"Path": "/", "GroupName": "Empty", "GroupId": "AGPAEXAMPLE2", "Arn": "arn:aws:iam::123456789012:group/Empty",
         "CreateDate": "2021-03-13T18:40:54+00:00", "GroupPolicyList": [], "AttachedManagedPolicies": []}
      ],
      "RoleDetailList": [
        {"Path": "/", "RoleName": "deploy", "RoleId": "AROAEXAMPLE", "Arn": "arn:aws:iam::123456789012:role/deploy",
         "CreateDate": "2021-03-13T18:40:54+00:00",
         "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
         "InstanceProfileList": [], "RolePolicyList": [{"PolicyName": "logs", "PolicyDocument": {"Statement": {"Effect": "Allow", "Action": "logs:*", "Resource": "*"}}}],
         "AttachedManagedPolicies": [{"PolicyName": "AWSDenyAll", "PolicyArn": "arn:aws:iam::aws:policy/AWSDenyAll"}],
         "Tags": [], "RoleLastUsed": {"LastUsedDate": "2021-03-20 10:00:00+00:00", "Region": "us-east-1"}},
        {"Path": "/", "RoleName": "unused", "RoleId": "AROAEXAMPLE2", "Arn": "arn:aws:iam::123456789012:role/unused",
         "CreateDate": "2021-03-13T18:40:54+00:00", "AssumeRolePolicyDocument": {}, "RoleLastUsed": {},
         "AttachedManagedPolicies": [{"PolicyName": "AWSDenyAll", "PolicyArn": "arn:aws:iam::123456789012:policy/AWSDenyAll"}]}
      ],
      "Policies": [
        {"PolicyName": "AWSDenyAll", "PolicyId": "ANPAEXAMPLE", "Arn": "arn:aws:iam::123456789012:policy/AWSDenyAll", "Path": "/",
         "DefaultVersionId": "v1", "AttachmentCount": 1, "PermissionsBoundaryUsageCount": 0, "IsAttachable": true,
         "CreateDate": "2021-03-13T18:40:54+00:00", "UpdateDate": "2021-03-13T18:40:54+00:00", "PolicyVersionList": []}
      ]
    }"#;

    fn details(text: &str) -> Result<Imported, ImportError> {
        run(Format::AwsAuthorizationDetails, text, &ctx())
    }

    #[test]
    fn maps_users_groups_roles_and_deny_policies() {
        let (summary, rows) = details(DETAILS).expect("imports");
        assert!(summary.diagnostics.is_empty(), "{:?}", summary.diagnostics);
        assert_eq!(summary.rows, 6);
        let names: Vec<(String, Option<String>)> = rows
            .iter()
            .map(|(r, _)| {
                (
                    r.account.to_string(),
                    r.entitlement.as_deref().map(str::to_owned),
                )
            })
            .collect();
        let expected = [
            ("alice", None),
            ("alice", Some("Admins")),
            ("alice", Some("arn:aws:iam::aws:policy/ReadOnlyAccess")),
            (
                "alice",
                Some("deny:arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantineV2"),
            ),
            ("alice", Some("inline:s3-write")),
            ("alice", Some("deny:inline:no-iam")),
            (
                "Admins",
                Some("arn:aws:iam::aws:policy/AdministratorAccess"),
            ),
            ("deploy", None),
            ("deploy", Some("trust-policy")),
            ("deploy", Some("deny:arn:aws:iam::aws:policy/AWSDenyAll")),
            ("deploy", Some("inline:logs")),
            ("unused", None),
            ("unused", Some("trust-policy")),
            // A customer policy named like AWS's is not taken for a deny.
            (
                "unused",
                Some("arn:aws:iam::123456789012:policy/AWSDenyAll"),
            ),
        ];
        let expected: Vec<(String, Option<String>)> = expected
            .iter()
            .map(|(a, e)| ((*a).to_owned(), e.map(str::to_owned)))
            .collect();
        assert_eq!(names, expected);
        assert_eq!(
            find(&rows, "deploy", None).last_used_at,
            Some(at(2021, 3, 20, 10, 0, 0))
        );
        assert_eq!(find(&rows, "unused", None).last_used_at, None);
        assert!(
            rows.iter()
                .all(|(r, _)| !r.credential && r.status == S::ExpectedPresent)
        );
        assert_eq!(
            rows[0].0.coverage,
            Some(std::sync::Arc::new(Coverage {
                accounts: true,
                entitlements: true,
                credentials: false,
                holders_of: None
            }))
        );
        assert_eq!(
            rows[1].1,
            Location::Pointer("/UserDetailList/0/GroupList/0".into())
        );
        assert_eq!(summary.skipped.len(), 2, "{:?}", summary.skipped);
        assert_eq!(
            summary.skipped.get("group (no policies of its own)"),
            Some(&1)
        );
    }

    #[test]
    fn bad_elements_are_diagnostics_and_bad_files_are_refused() {
        let doc = r#"{"UserDetailList": [{"UserName": 7}, {"UserName": "ok", "GroupList": [1]}, {"UserName": "fine"}],
            "RoleDetailList": [{"RoleName": "r", "RoleLastUsed": {"LastUsedDate": "soon"}}]}"#;
        let (summary, rows) = details(doc).expect("imports");
        let reasons: Vec<String> = summary
            .diagnostics
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            reasons,
            [
                "report.csv:/UserDetailList/0/UserName: should be a string but is a number",
                "report.csv:/UserDetailList/1/GroupList/0: a group name should be a string but is a number",
                "report.csv:/RoleDetailList/0/RoleLastUsed/LastUsedDate: `soon` is not a time",
            ]
        );
        assert_eq!(rows.len(), 1);

        let cut = &DETAILS[..DETAILS.len() / 2];
        let err = details(cut).expect_err("truncated");
        assert!(err.to_string().contains("truncated"), "{err}");
        let err = details(r#"{"Records": []}"#).expect_err("not ours");
        assert!(err.to_string().contains("UserDetailList"), "{err}");
        let err = details(r#"{"UserDetailList": [], "IsTruncated": true, "Marker": "x"}"#)
            .expect_err("a page");
        assert!(err.to_string().contains("IsTruncated"), "{err}");
        let err = details(r#"{"UserDetailList": {}}"#).expect_err("not a list");
        assert!(err.to_string().contains("line 1"), "{err}");
        let err = details("[1]").expect_err("array");
        assert!(err.to_string().contains("not a JSON object"), "{err}");
    }
}
