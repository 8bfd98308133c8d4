//! Reads Microsoft Graph user lists and group or directory-role member lists into Entra ID reconciliation rows, named as the Entra audit importer names the same accounts.
//!
//! Two Graph responses are read, in any shape [`crate::json_stream`] reads (the
//! `{"@odata.context": …, "value": [...]}` envelope, several pages' envelopes one after
//! another, or a bare array of the objects):
//!
//! * `GET /users` (`$metadata#users`), documented at
//!   <https://learn.microsoft.com/graph/api/user-list> and
//!   <https://learn.microsoft.com/graph/api/resources/user>;
//! * `GET /groups/{id}/members` and `GET /directoryRoles/{id}/members`
//!   (`$metadata#directoryObjects`, objects of mixed `@odata.type`), documented at
//!   <https://learn.microsoft.com/graph/api/group-list-members> and
//!   <https://learn.microsoft.com/graph/api/directoryrole-list-members>.
//!
//! | what is read | account | entitlement | status | last used |
//! |---|---|---|---|---|
//! | a user (`#microsoft.graph.user`, or no `@odata.type`) | `userPrincipalName`, else `displayName`, else `id`; guests' `…#EXT#@…` UPNs as they are | — in a user list; the group (`--scope`) in a member list | `accountEnabled: false` → disabled, else present | the latest real time of `signInActivity.lastSuccessfulSignInDateTime`, `.lastSignInDateTime`, `.lastNonInteractiveSignInDateTime` |
//! | a service principal (`#microsoft.graph.servicePrincipal`) | `displayName`, else `appId`, else `id` | as above | as above | — |
//! | a group nested in a group (`#microsoft.graph.group`, member lists only) | `displayName`, else `id` | the group (`--scope`) | present | — |
//! | a device, an organizational contact | skipped: `device (not an account)`, `orgContact (not an account)` | | | |
//!
//! Coverage: a user list covers the accounts (`Coverage::accounts()`); a member list covers the
//! holders of the group or role `--scope` names (`Coverage::holders_of(scope)`). A member list
//! does not name its group, so without `--scope` its rows carry no entitlement and cover
//! nothing, with one warning. A file is a member list when `--scope` is given, when its
//! `@odata.context` is `$metadata#directoryObjects`, or when its first 64 KiB hold a group,
//! service principal, device or contact (which `GET /users` never returns). A type-cast member
//! list (`/members/microsoft.graph.user`) says `$metadata#users`: only `--scope` tells it from
//! the user list.
//!
//! Decisions, with reasons:
//! * Naming follows docs/import-profiles.md "Microsoft Entra ID": users by UPN, other
//!   principals by display name. A nested group is named by its display name as the
//!   account of the row, as the audit importer names a group added to a group.
//! * `accountEnabled` is not in Graph's default property set: when a user or service
//!   principal has none, it is recorded as present and one warning per file says the property
//!   was not selected (`$select=accountEnabled`), so a disabled account would look enabled.
//! * `"0001-01-01T00:00:00Z"`, `""` and `null` in `signInActivity` mean "never" (any time at or
//!   before 1970-01-01 is taken as such a sentinel). A value that is not a time is a diagnostic.
//! * `@odata.nextLink` is not followed (the file is what it is); `@odata.count` is not checked.
//! * Fields not read (`createdDateTime`, `securityIdentifier`, …) are never validated, so a
//!   malformed one cannot reject a file.
//! * A Dev Proxy mocks file (`{"mocks": [{"request": …, "response": {"body": …}}]}`) is
//!   recognised and refused: it mixes the responses of unrelated requests (writes among
//!   them, groups named only by wildcards), so no one listing of one moment can be read from
//!   it. The message says to save one `response.body` as its own file.
//!
//! The moment: Graph responses state no time, so it is `--as-of`, else the file's
//! modification time with a warning ([`super::snapshot_time`]).

use std::io::Read;

use evidentia_domain::{Coverage, Timestamp};
use serde_json::Value;

use super::{Listing, Row};
use crate::detect::scan_keys;
use crate::json_stream::{self, Problem, RecordView, parse_timestamp};
use crate::{Format, ImportContext, ImportError, ImportSummary, Location, Progress, RecordSink};

/// How much of the file is looked at before reading, to tell a member list from a user list.
const HEAD_BYTES: u64 = 64 * 1024;

/// Keys of the Entra audit and sign-in logs (and other logs) that a directory object never has.
const LOG_KEYS: [&str; 14] = [
    "activitydisplayname",
    "activitydatetime",
    "operationname",
    "targetresources",
    "initiatedby",
    "clientappused",
    "isinteractive",
    "resulttype",
    "timegenerated",
    "signineventtypes",
    "appdisplayname",
    "category",
    "eventname",
    "eventtype",
];

/// `@odata.type`s that only a member list holds.
const NON_USER_TYPES: [&str; 4] = [
    "#microsoft.graph.group",
    "#microsoft.graph.serviceprincipal",
    "#microsoft.graph.device",
    "#microsoft.graph.orgcontact",
];

/// Recognises a Graph user or member list (or a Dev Proxy mocks file of Graph responses,
/// which the importer then refuses with a message) from the first bytes of a file.
pub(crate) fn recognise(head: &str) -> bool {
    // A recorded-HTTP cassette (YAML) quotes these bodies inside strings: only JSON itself is
    // a listing.
    if !(head.starts_with('[') || head.starts_with('{')) {
        return false;
    }
    let keys = scan_keys(head);
    if is_dev_proxy_mocks(head) {
        return true;
    }
    if keys.any(&LOG_KEYS) {
        return false;
    }
    let lower = head.to_ascii_lowercase();
    lower.contains("$metadata#users")
        || lower.contains("$metadata#directoryobjects")
        || (keys.has("userprincipalname") && keys.has("id"))
        || (keys.has("@odata.type")
            && keys.has("id")
            && (lower.contains("\"#microsoft.graph.user\"")
                || NON_USER_TYPES.iter().any(|t| lower.contains(t))))
}

/// A Dev Proxy mocks file: recorded requests with their responses, under `mocks`.
fn is_dev_proxy_mocks(head: &str) -> bool {
    let keys = scan_keys(head);
    keys.has("mocks")
        && keys.has("request")
        && keys.has("response")
        && head.contains("graph.microsoft.com")
}

/// Which listing a file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Listed {
    Users,
    Members,
}

/// What one directory object becomes.
enum Found {
    Row(Row, Option<Enabled>),
    Skip(String),
}

/// Whether `accountEnabled` was there to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Enabled {
    Stated,
    NotSelected,
}

/// Reads a Graph user list or member list.
pub fn import(
    input: &mut dyn Read,
    ctx: &ImportContext,
    sink: &mut dyn RecordSink,
    progress: &mut dyn FnMut(Progress),
) -> Result<ImportSummary, ImportError> {
    let mut head = Vec::new();
    (&mut *input)
        .take(HEAD_BYTES)
        .read_to_end(&mut head)
        .map_err(|source| ImportError::Io {
            file: ctx.file_name.clone(),
            source,
        })?;
    let head_text = String::from_utf8_lossy(&head);
    if is_dev_proxy_mocks(&head_text) {
        return Err(ImportError::Unreadable(ctx.diagnostic(
            Location::Pointer("/mocks".into()),
            "this is a Dev Proxy mocks file (recorded requests and their responses), not one Graph listing: it mixes the responses of several requests, so it shows no one moment of the directory; save the `response.body` of one `GET /users` or `GET /groups/{id}/members` as its own file and import that",
        )));
    }
    let lower = head_text.to_ascii_lowercase();
    let scope = super::scope_of(ctx);
    let listed = if scope.is_some()
        || lower.contains("$metadata#directoryobjects")
        || NON_USER_TYPES.iter().any(|t| lower.contains(t))
    {
        Listed::Members
    } else {
        Listed::Users
    };

    let mut summary = ImportSummary::default();
    let (as_of, _) = super::snapshot_time(ctx, None, &mut summary)?;
    let coverage = match (listed, &scope) {
        (Listed::Users, _) => Coverage::accounts(),
        (Listed::Members, Some(group)) => Coverage::holders_of(group.clone()),
        (Listed::Members, None) => {
            summary.warn(ctx.diagnostic(Location::File, super::UNSCOPED_GROUP));
            super::nothing_covered()
        }
    };
    let listing = Listing {
        system: super::system_of(ctx, Format::GraphDirectory),
        as_of,
        coverage,
    };

    let mut not_selected: Option<Location> = None;
    let mut rest = std::io::Cursor::new(head).chain(input);
    let stream = json_stream::read_records(
        &mut rest,
        ctx,
        &["value"],
        progress,
        &mut |value, location| {
            if is_recorded_exchange(&value) {
                return Err(ImportError::Unreadable(ctx.diagnostic(
                    location,
                    "a recorded request and response, not a Graph directory object: save the response body of one listing as its own file and import that",
                )));
            }
            match read_object(&value, &location, listed) {
                Err(problem) => summary.diagnostics.push(problem.into_diagnostic(ctx)),
                Ok(Found::Skip(reason)) => summary.skip(reason),
                Ok(Found::Row(mut row, enabled)) => {
                    if enabled == Some(Enabled::NotSelected) && not_selected.is_none() {
                        not_selected = Some(location.clone());
                    }
                    if let Some(group) = &scope {
                        row.entitlement = Some(group.clone());
                    }
                    listing.emit(&mut summary, sink, row, location)?;
                }
            }
            Ok(())
        },
    )?;
    if let Some(at) = not_selected {
        summary.warn(ctx.diagnostic(
            at,
            "accountEnabled was not selected (request it with $select=accountEnabled): disabled accounts cannot be told from enabled ones, so every account without it is recorded as present",
        ));
    }
    summary.absorb(stream);
    Ok(summary)
}

/// A Dev Proxy or VCR-style entry: a request with its response.
fn is_recorded_exchange(value: &Value) -> bool {
    json_stream::get_ci(value, "request").is_some_and(Value::is_object)
        && json_stream::get_ci(value, "response").is_some_and(Value::is_object)
        || json_stream::get_ci(value, "mocks").is_some_and(Value::is_array)
}

/// One directory object: a row, or the reason it is skipped.
fn read_object(value: &Value, location: &Location, listed: Listed) -> Result<Found, Problem> {
    if !value.is_object() {
        return Err(Problem {
            location: location.clone(),
            reason: format!(
                "expected a directory object (a JSON object) but found {}",
                json_stream::kind_of(value)
            ),
        });
    }
    let view = RecordView::new(value, location);
    let odata_type = view.opt_str(&["@odata.type"])?;
    let kind = odata_type
        .as_deref()
        .map(|t| t.trim_start_matches('#'))
        .map(|t| t.strip_prefix("microsoft.graph.").unwrap_or(t))
        .map(str::to_ascii_lowercase);
    let named = |keys: &[&str], what: &str| -> Result<String, Problem> {
        for key in keys {
            if let Some(name) = view.opt_id(&[key])? {
                return Ok(name);
            }
        }
        Err(Problem {
            location: location.clone(),
            reason: format!(
                "the {what} is not named: it has none of {}",
                keys.iter()
                    .map(|k| format!("`{k}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        })
    };
    match kind.as_deref() {
        None | Some("user") => {
            let name = named(&["userPrincipalName", "displayName", "id"], "user")?;
            let (row, enabled) = enabled_row(&view, name)?;
            Ok(Found::Row(
                row.last_used(last_sign_in(&view)?),
                Some(enabled),
            ))
        }
        Some("serviceprincipal") => {
            let name = named(&["displayName", "appId", "id"], "service principal")?;
            let (row, enabled) = enabled_row(&view, name)?;
            Ok(Found::Row(row, Some(enabled)))
        }
        Some("group") if listed == Listed::Members => {
            let name = named(&["displayName", "id"], "group")?;
            Ok(Found::Row(Row::account(name), None))
        }
        Some("group") => Ok(Found::Skip("group (in a user list, not an account)".into())),
        Some("device") => Ok(Found::Skip("device (not an account)".into())),
        Some("orgcontact") => Ok(Found::Skip("orgContact (not an account)".into())),
        Some(_) => Ok(Found::Skip(format!(
            "{} (not a user, group or service principal)",
            odata_type.unwrap_or_default()
        ))),
    }
}

/// The account row with its `accountEnabled` state.
fn enabled_row(view: &RecordView<'_>, name: String) -> Result<(Row, Enabled), Problem> {
    match view.lookup(&["accountEnabled"]) {
        None | Some((Value::Null, _)) => Ok((Row::account(name), Enabled::NotSelected)),
        Some((Value::Bool(true), _)) => Ok((Row::account(name), Enabled::Stated)),
        Some((Value::Bool(false), _)) => Ok((Row::account(name).disabled(), Enabled::Stated)),
        Some((other, location)) => Err(Problem {
            location,
            reason: format!(
                "expected true or false but found {}",
                json_stream::kind_of(other)
            ),
        }),
    }
}

/// The latest real sign-in time in `signInActivity`; "never" sentinels are `None`.
fn last_sign_in(view: &RecordView<'_>) -> Result<Option<Timestamp>, Problem> {
    let mut latest: Option<Timestamp> = None;
    for field in [
        "lastSuccessfulSignInDateTime",
        "lastSignInDateTime",
        "lastNonInteractiveSignInDateTime",
    ] {
        let path = ["signInActivity", field];
        let Some(text) = view.opt_str(&path)? else {
            continue;
        };
        let at = parse_timestamp(&text).ok_or_else(|| Problem {
            location: view.location_of(&path),
            reason: format!(
                "`{text}` is not a timestamp (expected ISO 8601, e.g. 2024-08-01T13:33:28Z)"
            ),
        })?;
        if at.timestamp() > 0 && latest.is_none_or(|l| at > l) {
            latest = Some(at);
        }
    }
    Ok(latest)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::test_support::{self, Rows, moment};
    use evidentia_domain::ReconciliationStatus;

    fn run(input: &str, scope: Option<&str>) -> Result<(ImportSummary, Rows), ImportError> {
        test_support::run(
            Format::GraphDirectory,
            "graph.json",
            input.as_bytes(),
            scope,
        )
    }

    /// `GET /users?$select=id,userPrincipalName,displayName,accountEnabled,userType,signInActivity`
    /// as the user-list page documents it (user-list, example "List all users with sign-in
    /// activity"), with a guest and a disabled account added.
    const USERS: &str = r#"{
  "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users(id,userPrincipalName,displayName,accountEnabled,userType,signInActivity)",
  "@odata.nextLink": "https://graph.microsoft.com/v1.0/users?$skiptoken=X",
  "value": [
    {"id": "1aecaf40-dc3a-461f-88a8-d06994e12898", "displayName": "Adele Vance", "userPrincipalName": "AdeleV@contoso.com", "accountEnabled": true, "userType": "Member",
     "signInActivity": {"lastSignInDateTime": "2021-06-17T16:41:33Z", "lastSignInRequestId": "d4d31c40", "lastNonInteractiveSignInDateTime": "0001-01-01T00:00:00Z", "lastNonInteractiveSignInRequestId": "", "lastSuccessfulSignInDateTime": "", "lastSuccessfulSignInRequestId": ""}},
    {"id": "f0662ee5-84b1-43d6-8338-769cce1bc141", "displayName": "Alex Wilber", "userPrincipalName": "AlexW@contoso.com", "accountEnabled": false, "userType": "Member",
     "signInActivity": {"lastSignInDateTime": "2021-07-29T15:53:27Z", "lastNonInteractiveSignInDateTime": "2021-07-29T17:53:42Z", "lastSuccessfulSignInDateTime": "2021-07-29T15:53:27Z"}},
    {"id": "2b3c", "displayName": "Guest Person", "userPrincipalName": "guest_fabrikam.com#EXT#@contoso.onmicrosoft.com", "accountEnabled": true, "userType": "Guest", "signInActivity": null},
    {"id": "9f9f", "displayName": "No UPN", "accountEnabled": true}
  ]
}"#;

    #[test]
    fn a_user_list_names_users_by_upn_with_status_and_last_sign_in() {
        assert!(recognise(USERS));
        let (summary, rows) = run(USERS, None).expect("imports");
        assert!(summary.diagnostics.is_empty(), "{:?}", summary.diagnostics);
        assert!(summary.warnings.is_empty(), "{:?}", summary.warnings);
        assert_eq!(summary.rows, 4);
        let names: Vec<_> = rows.iter().map(|(r, _)| r.account.as_str()).collect();
        assert_eq!(
            names,
            [
                "AdeleV@contoso.com",
                "AlexW@contoso.com",
                "guest_fabrikam.com#EXT#@contoso.onmicrosoft.com",
                "No UPN"
            ]
        );
        let (adele, at) = &rows[0];
        assert_eq!(*at, Location::Pointer("/value/0".into()));
        assert_eq!(adele.status, ReconciliationStatus::ExpectedPresent);
        assert_eq!(adele.entitlement, None);
        assert_eq!(adele.system.as_str(), "entra-id");
        assert_eq!(adele.as_of, moment());
        assert_eq!(adele.coverage.as_deref(), Some(&Coverage::accounts()));
        assert_eq!(
            adele.last_used_at.map(|t| t.to_rfc3339()).as_deref(),
            Some("2021-06-17T16:41:33+00:00")
        );
        let alex = &rows[1].0;
        assert_eq!(alex.status, ReconciliationStatus::Disabled);
        // The latest of the three: the non-interactive sign-in.
        assert_eq!(
            alex.last_used_at.map(|t| t.to_rfc3339()).as_deref(),
            Some("2021-07-29T17:53:42+00:00")
        );
        assert_eq!(rows[2].0.last_used_at, None);
        assert_eq!(rows[2].0.status, ReconciliationStatus::ExpectedPresent);
    }

    #[test]
    fn without_account_enabled_one_warning_for_the_file() {
        let input = r#"[{"id":"a","userPrincipalName":"a@contoso.com"},{"id":"b","userPrincipalName":"b@contoso.com"}]"#;
        let (summary, rows) = run(input, None).expect("imports");
        assert_eq!(rows.len(), 2);
        assert!(
            rows.iter()
                .all(|(r, _)| r.status == ReconciliationStatus::ExpectedPresent)
        );
        assert_eq!(summary.warnings.len(), 1, "{:?}", summary.warnings);
        assert_eq!(summary.warnings[0].location, Location::Pointer("/0".into()));
        assert!(
            summary.warnings[0]
                .reason
                .contains("accountEnabled was not selected")
        );
    }

    /// `GET /groups/{id}/members` as group-list-members documents it, with the polymorphic
    /// members the resource allows.
    const MEMBERS: &str = r##"{
  "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#directoryObjects",
  "value": [
    {"@odata.type": "#microsoft.graph.user", "id": "u1", "userPrincipalName": "AdeleV@contoso.com", "displayName": "Adele Vance", "accountEnabled": true},
    {"@odata.type": "#microsoft.graph.group", "id": "g1", "displayName": "Sales Team"},
    {"@odata.type": "#microsoft.graph.servicePrincipal", "id": "s1", "appId": "app-1", "displayName": "Payroll Bot", "accountEnabled": false},
    {"@odata.type": "#microsoft.graph.device", "id": "d1", "displayName": "LAPTOP-1"},
    {"@odata.type": "#microsoft.graph.orgContact", "id": "c1", "mail": "x@fabrikam.com"}
  ]
}"##;

    #[test]
    fn a_member_list_holds_the_scope_group() {
        assert!(recognise(MEMBERS));
        let (summary, rows) = run(MEMBERS, Some("Finance Admins")).expect("imports");
        assert!(summary.warnings.is_empty(), "{:?}", summary.warnings);
        assert_eq!(summary.rows, 5);
        let got: Vec<_> = rows
            .iter()
            .map(|(r, _)| (r.account.as_str(), r.entitlement.as_deref(), r.status))
            .collect();
        assert_eq!(
            got,
            [
                (
                    "AdeleV@contoso.com",
                    Some("Finance Admins"),
                    ReconciliationStatus::ExpectedPresent
                ),
                (
                    "Sales Team",
                    Some("Finance Admins"),
                    ReconciliationStatus::ExpectedPresent
                ),
                (
                    "Payroll Bot",
                    Some("Finance Admins"),
                    ReconciliationStatus::Disabled
                ),
            ]
        );
        assert_eq!(
            rows[0].0.coverage,
            Some(std::sync::Arc::new(Coverage::holders_of("Finance Admins")))
        );
        assert_eq!(summary.skipped.get("device (not an account)"), Some(&1));
        assert_eq!(summary.skipped.get("orgContact (not an account)"), Some(&1));
    }

    #[test]
    fn a_member_list_without_scope_names_no_group_and_covers_nothing() {
        let (summary, rows) = run(MEMBERS, None).expect("imports");
        assert_eq!(rows.len(), 3);
        assert!(rows.iter().all(|(r, _)| r.entitlement.is_none()));
        assert_eq!(
            rows[0].0.coverage,
            Some(std::sync::Arc::new(Coverage {
                accounts: false,
                entitlements: false,
                credentials: false,
                holders_of: None
            }))
        );
        assert_eq!(summary.warnings.len(), 1, "{:?}", summary.warnings);
        assert!(summary.warnings[0].reason.contains("--scope GROUP"));
    }

    #[test]
    fn pages_one_after_another_are_one_listing() {
        let input = "{\"value\":[{\"id\":\"a\",\"userPrincipalName\":\"a@c.com\",\"accountEnabled\":true}],\"@odata.nextLink\":\"x\"}\n{\"value\":[{\"id\":\"b\",\"userPrincipalName\":\"b@c.com\",\"accountEnabled\":true}]}\n";
        let (summary, rows) = run(input, None).expect("imports");
        assert_eq!(summary.rows, 2);
        assert_eq!(rows[1].1, Location::LinePointer(2, "/value/0".into()));
    }

    #[test]
    fn bad_rows_name_their_pointer() {
        let input = r#"{"value":[
            {"id":"a","userPrincipalName":"a@c.com","accountEnabled":"yes"},
            {"id":"b","userPrincipalName":"b@c.com","accountEnabled":true,"signInActivity":{"lastSignInDateTime":"last tuesday"}},
            {"accountEnabled":true},
            7,
            {"id":"e","userPrincipalName":"e@c.com","accountEnabled":true,"createdDateTime":"2021-08-20 11: 00: 00"}
        ]}"#;
        let (summary, rows) = run(input, None).expect("imports");
        assert_eq!(rows.len(), 1, "only the last row is good");
        let at: Vec<_> = summary
            .diagnostics
            .iter()
            .map(|d| d.location.to_string())
            .collect();
        assert_eq!(
            at,
            [
                "/value/0/accountEnabled",
                "/value/1/signInActivity/lastSignInDateTime",
                "/value/2",
                "/value/3"
            ]
        );
        assert_eq!(summary.rows, 5);
    }

    #[test]
    fn truncated_json_is_refused_naming_the_line() {
        let err = run(
            "{\"value\":[{\"id\":\"a\",\n\"userPrincipalName\":\"a@",
            None,
        )
        .expect_err("truncated");
        let ImportError::Unreadable(d) = err else {
            panic!("{err:?}")
        };
        assert_eq!(d.location, Location::Line(2));
    }

    #[test]
    fn dev_proxy_mocks_are_recognised_and_refused() {
        let input = r#"{"_note":"x","mocks":[{"request":{"url":"https://graph.microsoft.com/v1.0/users","method":"GET"},"response":{"statusCode":200,"body":{"value":[{"id":"a","userPrincipalName":"a@c.com"}]}}}]}"#;
        assert!(recognise(input));
        let err = run(input, None).expect_err("refused");
        assert!(err.to_string().contains("Dev Proxy mocks file"), "{err}");
    }

    #[test]
    fn logs_are_not_taken_for_listings() {
        for log in [
            r#"{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#auditLogs/signIns","value":[{"id":"1","createdDateTime":"2024-05-01T08:00:00Z","userPrincipalName":"ann@contoso.com","clientAppUsed":"Browser","isInteractive":true}]}"#,
            r#"{"value":[{"id":"1","activityDisplayName":"Add user","targetResources":[{"id":"u","userPrincipalName":"a@c.com","type":"User"}]}]}"#,
            r#"[{"TimeGenerated":"2024-05-01T08:00:00Z","ResultType":"0","UserPrincipalName":"a@b.c","Id":"1","Type":"SigninLogs"}]"#,
            r#"[{"id":"00u1","status":"ACTIVE","profile":{"login":"a@b.c"}}]"#,
        ] {
            assert!(!recognise(log), "{log}");
        }
    }
}
