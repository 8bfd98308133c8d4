//! Management responses to findings (owner, due date, status, accepted risk), recorded as
//! `finding.response` ledger entries so the whole response history is tamper-evident.
//!
//! Every response is kept; the latest entry per finding id is that finding's current state.
//! A response is checked against the workspace's analysis as the Findings view makes it (the
//! finding must exist now, and is dated by the as-of of that analysis) before anything is
//! written; a refusal appends nothing.

use std::collections::BTreeMap;

use anyhow::{Context as _, anyhow};
use chrono::{DateTime, NaiveDate, Utc};
use evidentia_ledger::{canonical_json, format_recorded_at};
use evidentia_store::{EvidenceStore, StoreError, Workspace};
use serde::{Deserialize, Serialize};

use crate::Location;
use crate::{AppError, EntryKind, analyze_workspace, open_read, open_write};

/// The longest response text accepted, in characters: a paragraph or two, not a document.
pub const MAX_RESPONSE_CHARS: usize = 4000;
/// The longest owner or recorder name accepted, in characters.
pub const MAX_NAME_CHARS: usize = 200;

/// Where management stands on a finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ResponseStatus {
    /// Acknowledged, nothing done yet.
    Open,
    /// Being fixed.
    InRemediation,
    /// Fixed (the next analysis should no longer list the finding).
    Remediated,
    /// Management accepts the risk until a date (`accepted_until`).
    RiskAccepted,
}

impl ResponseStatus {
    pub const ALL: [ResponseStatus; 4] = [
        ResponseStatus::Open,
        ResponseStatus::InRemediation,
        ResponseStatus::Remediated,
        ResponseStatus::RiskAccepted,
    ];

    /// The spelling in ledger payloads, exports and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            ResponseStatus::Open => "open",
            ResponseStatus::InRemediation => "in-remediation",
            ResponseStatus::Remediated => "remediated",
            ResponseStatus::RiskAccepted => "risk-accepted",
        }
    }

    /// The status spelled `text`, or `None`.
    pub fn parse(text: &str) -> Option<ResponseStatus> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

/// A response as the user gives it: text fields, checked by [`record_response`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ResponseInput {
    /// The finding id, `F-` and 12 hex digits (`Finding::id`).
    pub finding: String,
    pub owner: String,
    /// `YYYY-MM-DD`.
    pub due: String,
    /// `open`, `in-remediation`, `remediated` or `risk-accepted`.
    pub status: String,
    /// `YYYY-MM-DD`; required for `risk-accepted`, refused for any other status.
    pub accepted_until: Option<String>,
    pub response: String,
    /// Who recorded it, when not the owner.
    pub recorded_by: Option<String>,
}

/// One `finding.response` entry, read back from the ledger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseRecord {
    /// The entry's sequence number and recorded time (RFC 3339).
    pub seq: u64,
    pub recorded_at: String,
    /// The finding id and its key, copied in when the response was recorded.
    pub finding: String,
    pub check: String,
    pub identity: Option<String>,
    pub system: Option<String>,
    pub account: Option<String>,
    pub entitlement: Option<String>,
    pub exception: Option<String>,
    pub campaign: Option<String>,
    pub owner: String,
    pub due: NaiveDate,
    pub status: ResponseStatus,
    pub accepted_until: Option<NaiveDate>,
    pub response: String,
    pub recorded_by: Option<String>,
    /// The latest response to its finding (its current state).
    pub current: bool,
}

impl ResponseRecord {
    /// A risk acceptance whose date has passed as of `as_of`: it no longer accepts anything and
    /// is shown as expired, not as accepted.
    pub fn expired(&self, as_of: DateTime<Utc>) -> bool {
        self.status == ResponseStatus::RiskAccepted
            && self
                .accepted_until
                .is_some_and(|until| until < as_of.date_naive())
    }

    /// What a finding's page or export shows of it, judged as of `as_of`.
    pub fn as_current(&self, as_of: DateTime<Utc>) -> CurrentResponse {
        CurrentResponse {
            seq: self.seq,
            recorded_at: self.recorded_at.clone(),
            status: self.status,
            owner: self.owner.clone(),
            due: self.due,
            accepted_until: self.accepted_until,
            response: self.response.clone(),
            recorded_by: self.recorded_by.clone(),
            expired: self.expired(as_of),
        }
    }
}

/// A finding's current response as the Findings page and the exports show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CurrentResponse {
    /// The `finding.response` entry.
    pub seq: u64,
    pub recorded_at: String,
    pub status: ResponseStatus,
    pub owner: String,
    pub due: NaiveDate,
    pub accepted_until: Option<NaiveDate>,
    pub response: String,
    pub recorded_by: Option<String>,
    /// A risk acceptance past its `accepted_until` as of the analysis.
    pub expired: bool,
}

/// What [`record_response`] appended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedResponse {
    pub record: ResponseRecord,
    /// The as-of of the analysis the response was checked against (the finding's date).
    pub as_of: DateTime<Utc>,
}

/// The `finding.response` payload (fields in alphabetical order: serialized as is, it is
/// canonical JSON; `canonical_json` makes sure).
#[derive(Debug, Serialize, Deserialize)]
struct Payload {
    accepted_until: Option<String>,
    account: Option<String>,
    campaign: Option<String>,
    check: String,
    due: String,
    entitlement: Option<String>,
    exception: Option<String>,
    finding: String,
    identity: Option<String>,
    owner: String,
    recorded_by: Option<String>,
    response: String,
    status: String,
    system: Option<String>,
}

fn invalid(message: impl Into<String>) -> anyhow::Error {
    AppError::InvalidInput(message.into()).into()
}

fn day(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// A `YYYY-MM-DD` date named `what`, or a message saying why not.
fn parse_day(what: &str, text: &str) -> anyhow::Result<NaiveDate> {
    let text = text.trim();
    let well_formed = text.len() == 10
        && text.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    if !well_formed {
        return Err(invalid(format!(
            "{what} {text:?} is not a date: use YYYY-MM-DD"
        )));
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|_| invalid(format!("{what} {text} is not a date on the calendar")))
}

/// A finding id in its one spelling (`F-` and 12 lowercase hex digits), or a message.
fn parse_finding_id(text: &str) -> anyhow::Result<String> {
    let text = text.trim();
    let hex = text
        .strip_prefix("F-")
        .or_else(|| text.strip_prefix("f-"))
        .filter(|h| h.len() == 12 && h.bytes().all(|b| b.is_ascii_hexdigit()));
    match hex {
        Some(hex) => Ok(format!("F-{}", hex.to_ascii_lowercase())),
        None => Err(invalid(format!(
            "{text:?} is not a finding id: F- and 12 hex digits, as `evidentia findings` lists them"
        ))),
    }
}

/// A one-line name (owner, recorder): trimmed, not empty, not too long, no line breaks.
fn parse_name(what: &str, text: &str) -> anyhow::Result<String> {
    let name = text.trim();
    if name.is_empty() {
        return Err(invalid(format!(
            "the {what} is empty: name a person or team"
        )));
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(invalid(format!(
            "the {what} is longer than {MAX_NAME_CHARS} characters"
        )));
    }
    if name.chars().any(char::is_control) {
        return Err(invalid(format!(
            "the {what} {name:?} contains a line break or control character"
        )));
    }
    Ok(name.to_owned())
}

/// The checked fields of a response, before the finding is looked up.
struct Checked {
    finding: String,
    owner: String,
    due: NaiveDate,
    status: ResponseStatus,
    accepted_until: Option<NaiveDate>,
    response: String,
    recorded_by: Option<String>,
}

/// Everything that can be checked without the workspace, in the order a user fixes them.
fn check_input(input: &ResponseInput, now: DateTime<Utc>) -> anyhow::Result<Checked> {
    let finding = parse_finding_id(&input.finding)?;
    let owner = parse_name("owner", &input.owner)?;
    let status = ResponseStatus::parse(input.status.trim()).ok_or_else(|| {
        invalid(format!(
            "unknown status {:?}: use open, in-remediation, remediated or risk-accepted",
            input.status.trim()
        ))
    })?;
    let due = parse_day("due date", &input.due)?;
    let accepted_until = input
        .accepted_until
        .as_deref()
        .map(|t| parse_day("accepted-until date", t))
        .transpose()?;
    match (status, accepted_until) {
        (ResponseStatus::RiskAccepted, None) => {
            return Err(invalid(
                "an accepted risk needs an expiry: give the date it is accepted until (YYYY-MM-DD)",
            ));
        }
        (ResponseStatus::RiskAccepted, Some(until)) if until <= now.date_naive() => {
            return Err(invalid(format!(
                "accepted until {} is not after today ({}): a risk can only be accepted into the future",
                day(until),
                day(now.date_naive())
            )));
        }
        (other, Some(until)) if other != ResponseStatus::RiskAccepted => {
            return Err(invalid(format!(
                "accepted until {} is only for status risk-accepted, not {}",
                day(until),
                other.as_str()
            )));
        }
        _ => {}
    }
    let response = input.response.trim();
    if response.is_empty() {
        return Err(invalid(
            "the response text is empty: say what management will do or why the risk is accepted",
        ));
    }
    let chars = response.chars().count();
    if chars > MAX_RESPONSE_CHARS {
        return Err(invalid(format!(
            "the response text is {chars} characters; at most {MAX_RESPONSE_CHARS} are kept in the ledger"
        )));
    }
    let recorded_by = input
        .recorded_by
        .as_deref()
        .map(|by| parse_name("recorder", by))
        .transpose()?;
    Ok(Checked {
        finding,
        owner,
        due,
        status,
        accepted_until,
        response: response.to_owned(),
        recorded_by,
    })
}

/// Checks a management response and records it as one `finding.response` entry.
///
/// The finding must be among the findings of the workspace's analysis as the Findings view
/// makes it now (as of the end of the policy's period, else `now`); its date is that
/// analysis's as-of, and the due date may not be before it. An accepted risk needs an
/// `accepted_until` after the recording date. Any refusal is `AppError::InvalidInput` and
/// appends nothing; the entry is appended only if the ledger is still at the head the
/// finding was judged at. Its `recorded_by` is the input's, else the acting user (`user`, the
/// configured one, else as [`crate::acting_user`] resolves it).
pub async fn record_response(
    workspace: &Location,
    input: ResponseInput,
    user: Option<&str>,
    now: DateTime<Utc>,
) -> anyhow::Result<RecordedResponse> {
    let checked = check_input(&input, now)?;
    if let Some(name) = user {
        crate::check_user_name(name)?;
    }
    let run = analyze_workspace(workspace, None, now).await?;
    let as_of_day = run.as_of.date_naive();
    let mut matching = run
        .analysis
        .findings
        .iter()
        .filter(|f| f.id() == checked.finding);
    let finding = matching.next().ok_or_else(|| {
        invalid(format!(
            "no finding {} in this workspace's analysis (as of {})",
            checked.finding,
            day(as_of_day)
        ))
    })?;
    // 48 bits make two findings of one analysis sharing an id vanishingly unlikely; if it
    // happens, a response must not silently attach to one of them.
    if matching.next().is_some() {
        return Err(invalid(format!(
            "the id {} names more than one finding in this analysis; responses cannot tell them apart",
            checked.finding
        )));
    }
    if checked.due < as_of_day {
        return Err(invalid(format!(
            "due {} is before the finding (judged as of {})",
            day(checked.due),
            day(as_of_day)
        )));
    }
    let ws = open_write(workspace).await?;
    let recorded_by = match checked.recorded_by.clone() {
        Some(by) => by,
        None => match crate::acting_user(&ws, user) {
            Ok(by) => by,
            Err(e) => {
                ws.close().await;
                return Err(e);
            }
        },
    };
    let payload = Payload {
        accepted_until: checked.accepted_until.map(day),
        account: finding.account.clone(),
        campaign: finding.campaign.as_ref().map(|c| c.as_str().to_owned()),
        check: finding.check.to_owned(),
        due: day(checked.due),
        entitlement: finding.entitlement.clone(),
        exception: finding.exception.as_ref().map(|e| e.as_str().to_owned()),
        finding: checked.finding.clone(),
        identity: finding.identity.as_ref().map(|i| i.as_str().to_owned()),
        owner: checked.owner.clone(),
        recorded_by: Some(recorded_by),
        response: checked.response.clone(),
        status: checked.status.as_str().to_owned(),
        system: finding.system.as_ref().map(|s| s.as_str().to_owned()),
    };
    let recorded_at = format_recorded_at(now);
    let result = async {
        let bytes = canonical_json(&payload)?;
        let mut batch = ws.begin().await?;
        // The write lock is held from here: if anything was appended since the analysis
        // read the ledger, the finding was judged on a ledger that is no longer the one the
        // response joins, so nothing is recorded.
        let head = batch.head();
        if head != run.head {
            batch.rollback().await?;
            return Err(invalid(format!(
                "the ledger changed while the response was being checked (entry {} was appended after entry {}); nothing was recorded: try again",
                head.count,
                run.head.count
            )));
        }
        let seq = batch
            .append(EntryKind::FindingResponse.as_str(), &recorded_at, bytes)
            .await?;
        batch.commit().await?;
        Ok::<_, anyhow::Error>(seq)
    }
    .await;
    ws.close().await;
    let seq = result?;
    Ok(RecordedResponse {
        record: record_of(seq, recorded_at, payload, true)?,
        as_of: run.as_of,
    })
}

fn record_of(
    seq: u64,
    recorded_at: String,
    p: Payload,
    current: bool,
) -> anyhow::Result<ResponseRecord> {
    let corrupt = |what: &str| StoreError::Corrupt(format!("entry {seq}: finding.response {what}"));
    Ok(ResponseRecord {
        seq,
        recorded_at,
        status: ResponseStatus::parse(&p.status)
            .ok_or_else(|| corrupt(&format!("has unknown status {:?}", p.status)))?,
        due: NaiveDate::parse_from_str(&p.due, "%Y-%m-%d")
            .map_err(|_| corrupt(&format!("has an unreadable due date {:?}", p.due)))?,
        accepted_until: p
            .accepted_until
            .as_deref()
            .map(|t| {
                NaiveDate::parse_from_str(t, "%Y-%m-%d")
                    .map_err(|_| corrupt(&format!("has an unreadable accepted_until {t:?}")))
            })
            .transpose()?,
        finding: p.finding,
        check: p.check,
        identity: p.identity,
        system: p.system,
        account: p.account,
        entitlement: p.entitlement,
        exception: p.exception,
        campaign: p.campaign,
        owner: p.owner,
        response: p.response,
        recorded_by: p.recorded_by,
        current,
    })
}

/// Every `finding.response` among entries `1..=upto` (a verified count), oldest first, the
/// latest per finding marked current.
pub(crate) async fn load_responses(
    ws: &Workspace,
    upto: u64,
) -> anyhow::Result<Vec<ResponseRecord>> {
    let scanned = ws
        .scan_kinds(
            &[EntryKind::FindingResponse.as_str()],
            upto,
            Vec::new(),
            |out: &mut Vec<(u64, Payload)>, entry| {
                let payload: Payload = serde_json::from_slice(entry.payload).map_err(|e| {
                    StoreError::Corrupt(format!(
                        "entry {}: unreadable finding.response: {e}",
                        entry.seq
                    ))
                })?;
                out.push((entry.seq, payload));
                Ok::<(), StoreError>(())
            },
        )
        .await
        .context("reading the management responses")?;
    // The scan hands over payloads only; responses are few, so each one's recorded time is
    // read from its entry.
    let mut entries = Vec::with_capacity(scanned.len());
    for (seq, payload) in scanned {
        let entry = ws.entries(seq, 1).await?;
        let recorded_at = entry
            .first()
            .filter(|e| e.seq == seq)
            .map(|e| e.recorded_at.clone())
            .ok_or_else(|| anyhow!("entry {seq} is missing"))?;
        entries.push((seq, recorded_at, payload));
    }
    let mut latest: BTreeMap<String, u64> = BTreeMap::new();
    for (seq, _, p) in &entries {
        latest.insert(p.finding.clone(), *seq);
    }
    entries
        .into_iter()
        .map(|(seq, recorded_at, p)| {
            let current = latest.get(&p.finding) == Some(&seq);
            record_of(seq, recorded_at, p, current)
        })
        .collect()
}

/// The response history of the workspace: every `finding.response` entry, oldest first, the
/// latest per finding marked `current`. Refuses an altered ledger.
pub async fn list_responses(workspace: &Location) -> anyhow::Result<Vec<ResponseRecord>> {
    let ws = open_read(workspace).await?;
    let result = async {
        let verified = crate::trust::verified(&ws).await?;
        load_responses(&ws, verified.entries).await
    }
    .await;
    ws.close().await;
    result
}

/// The current responses among `history`, by finding id.
pub(crate) fn current_of(history: &[ResponseRecord]) -> BTreeMap<String, ResponseRecord> {
    history
        .iter()
        .filter(|r| r.current)
        .map(|r| (r.finding.clone(), r.clone()))
        .collect()
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 4, 2, 9, 0, 0)
            .single()
            .expect("time")
    }

    fn input() -> ResponseInput {
        ResponseInput {
            finding: "F-0123456789ab".to_owned(),
            owner: "IAM team".to_owned(),
            due: "2026-05-01".to_owned(),
            status: "in-remediation".to_owned(),
            accepted_until: None,
            response: "Removing the account.".to_owned(),
            recorded_by: None,
        }
    }

    fn refusal(input: &ResponseInput) -> String {
        match check_input(input, now()) {
            Ok(_) => panic!("accepted {input:?}"),
            Err(e) => match e.downcast_ref::<AppError>() {
                Some(AppError::InvalidInput(m)) => m.clone(),
                _ => panic!("not InvalidInput: {e:#}"),
            },
        }
    }

    #[test]
    fn a_good_response_passes_and_is_normalised() {
        let mut i = input();
        i.finding = " F-0123456789AB ".to_owned();
        i.owner = "  IAM team ".to_owned();
        let c = check_input(&i, now()).expect("valid");
        assert_eq!(c.finding, "F-0123456789ab");
        assert_eq!(c.owner, "IAM team");
        assert_eq!(c.status, ResponseStatus::InRemediation);
    }

    #[test]
    fn each_bad_field_is_named() {
        type Change = Box<dyn Fn(&mut ResponseInput)>;
        let cases: Vec<(Change, &str)> = vec![
            (Box::new(|i| i.finding = "42".into()), "is not a finding id"),
            (Box::new(|i| i.owner = "  ".into()), "the owner is empty"),
            (
                Box::new(|i| i.status = "done".into()),
                "unknown status \"done\"",
            ),
            (
                Box::new(|i| i.due = "1/5/2026".into()),
                "due date \"1/5/2026\" is not a date",
            ),
            (
                Box::new(|i| i.due = "2026-02-30".into()),
                "not a date on the calendar",
            ),
            (
                Box::new(|i| i.status = "risk-accepted".into()),
                "an accepted risk needs an expiry",
            ),
            (
                Box::new(|i| {
                    i.status = "risk-accepted".into();
                    i.accepted_until = Some("2026-04-02".into());
                }),
                "accepted until 2026-04-02 is not after today (2026-04-02)",
            ),
            (
                Box::new(|i| i.accepted_until = Some("2026-12-31".into())),
                "only for status risk-accepted, not in-remediation",
            ),
            (
                Box::new(|i| i.response = "\n".into()),
                "the response text is empty",
            ),
            (
                Box::new(|i| i.response = "x".repeat(MAX_RESPONSE_CHARS + 1)),
                "the response text is 4001 characters",
            ),
            (
                Box::new(|i| i.recorded_by = Some("a\nb".into())),
                "contains a line break",
            ),
        ];
        for (change, expected) in cases {
            let mut i = input();
            change(&mut i);
            let message = refusal(&i);
            assert!(message.contains(expected), "{message:?} lacks {expected:?}");
        }
    }

    #[test]
    fn an_acceptance_expires_after_its_day() {
        let record = ResponseRecord {
            seq: 9,
            recorded_at: "2026-04-02T09:00:00Z".into(),
            finding: "F-0123456789ab".into(),
            check: "EV-X".into(),
            identity: None,
            system: None,
            account: None,
            entitlement: None,
            exception: None,
            campaign: None,
            owner: "o".into(),
            due: NaiveDate::from_ymd_opt(2026, 4, 30).expect("date"),
            status: ResponseStatus::RiskAccepted,
            accepted_until: NaiveDate::from_ymd_opt(2026, 6, 30),
            response: "r".into(),
            recorded_by: None,
            current: true,
        };
        let at = |d: u32, m: u32| {
            Utc.with_ymd_and_hms(2026, m, d, 0, 0, 0)
                .single()
                .expect("t")
        };
        assert!(!record.expired(at(30, 6)), "still accepted on its last day");
        assert!(record.expired(at(1, 7)));
        let open = ResponseRecord {
            status: ResponseStatus::Open,
            accepted_until: None,
            ..record
        };
        assert!(!open.expired(at(1, 7)));
    }

    /// The façade end to end on the real demo workspace: the Findings view carries ids and,
    /// after `record_response`, the response; a refusal leaves the head where it was.
    #[tokio::test]
    async fn findings_view_shows_the_recorded_response() {
        let dir = tempfile::tempdir().expect("tempdir");
        let ws = crate::Location::from(dir.path().join("demo.evidentia"));
        crate::build_embedded_demo(&ws, now()).await.expect("demo");
        let view = crate::findings_view(&ws, now()).await.expect("view");
        assert_eq!(view.as_of, "2026-01-01T00:00:00Z");
        let target = view
            .findings
            .first()
            .expect("the demo has findings")
            .clone();
        assert!(target.id.starts_with("F-") && target.response.is_none());
        let head = crate::open_workspace(&ws).await.expect("open").head;

        let mut bad = input();
        bad.finding = target.id.clone();
        bad.due = "2025-12-31".into();
        let err = record_response(&ws, bad, Some("tester"), now())
            .await
            .expect_err("due too early");
        assert_eq!(
            err.to_string(),
            "due 2025-12-31 is before the finding (judged as of 2026-01-01)"
        );
        assert_eq!(crate::open_workspace(&ws).await.expect("open").head, head);

        let mut good = input();
        good.finding = target.id.to_uppercase();
        let recorded = record_response(&ws, good, Some("tester"), now())
            .await
            .expect("recorded");
        assert_eq!(recorded.record.seq, head.count + 1);
        assert_eq!(recorded.record.finding, target.id);
        assert_eq!(recorded.record.check, target.check);
        let view = crate::findings_view(&ws, now()).await.expect("view");
        let shown = view
            .findings
            .iter()
            .find(|f| f.id == target.id)
            .and_then(|f| f.response.clone())
            .expect("the response is shown");
        assert_eq!(shown.status, ResponseStatus::InRemediation);
        assert_eq!(shown.seq, head.count + 1);
        assert!(!shown.expired);
        assert_eq!(
            view.findings
                .iter()
                .filter(|f| f.response.is_some())
                .count(),
            1
        );
        let history = list_responses(&ws).await.expect("history");
        assert_eq!(history.len(), 1);
        assert!(history[0].current);
        let verified = crate::verify_ledger(&ws, |_| ()).await.expect("verify");
        assert!(verified.report.failure.is_none());
    }
}
