//! Reads Google Admin SDK Directory listings (`users.list`, `members.list`) into reconciliation rows, so a Workspace snapshot meets the Reports-log executions about the same users and groups.
//!
//! Accepted input: the API's pages as returned (`{"kind":"admin#directory#users","users":[...],
//! "nextPageToken":...}`, `admin#directory#members` with `members[]`, `admin#directory#groups`
//! with `groups[]`), several pages concatenated or one per line, a bare array of pages
//! (`[{"users":[...]}, ...]`), a bare array of users or members, or one user/member per line.
//! Each entry is read on its own (streamed), located at `/users/3` (or line + pointer).
//! Schemas: <https://developers.google.com/admin-sdk/directory/reference/rest/v1/users/list>,
//! <https://developers.google.com/admin-sdk/directory/reference/rest/v1/users#User>,
//! <https://developers.google.com/admin-sdk/directory/reference/rest/v1/members/list>,
//! <https://developers.google.com/admin-sdk/directory/reference/rest/v1/members#Member>.
//!
//! | what is read | account | entitlement | status | last used | coverage |
//! |---|---|---|---|---|---|
//! | a user (`admin#directory#user`) | `primaryEmail` | — (the account) | `suspended` or `archived`: disabled; `deletionTime` (listed with `showDeleted`): not present | `lastLoginTime` (`1970-01-01T00:00:00.000Z` = never) | accounts, and the holders of `Super Admin` when the user states `isAdmin` |
//! | `isAdmin: true` | `primaryEmail` | `Super Admin` | as the user | — | as the user |
//! | `isDelegatedAdmin: true` | `primaryEmail` | `Delegated Admin` | as the user | — | as the user |
//! | a group member (`admin#directory#member`) | `email`; a member without one (Forseti's fixture) by its `id`, with one warning | the group's e-mail from `--scope` | `status` `SUSPENDED` or `ARCHIVED`: disabled | — | the holders of that group |
//! | a member of type `CUSTOMER` (everyone in the domain) | skipped: not one account | | | | |
//! | a group (`admin#directory#group`, `groups.list`) | skipped: it describes groups, not who holds them | | | | |
//! | any other `kind` (`admin#directory#token`, ...) | skipped by kind | | | | |
//!
//! Names are the log importer's (`gworkspace.rs`, docs/import-profiles.md "Google Workspace"):
//! accounts by e-mail as written, group membership as the group's e-mail, super admin as
//! `Super Admin`, delegated admin as `Delegated Admin` (the log's name when an event names no
//! role). A member's `role` (`OWNER`, `MANAGER`, `MEMBER`) is not recorded: the log importer
//! records no group-role changes either (`UPDATE_GROUP_MEMBER` is skipped there), so a
//! `<group>:owner` row would meet nothing; owners and managers are members and appear as such.
//! A nested group (`type: GROUP`) is one row named by its e-mail: `members.list` does not
//! expand it unless asked (`includeDerivedMembership`), and then its users are listed too.
//!
//! Coverage: a user listing shows every account, so absence of an account is evidence. It also
//! shows `isAdmin` and `isDelegatedAdmin` for every user, but a coverage value names one
//! entitlement only: it names `Super Admin`, the most powerful of the two and the one the log
//! names exactly (a delegated-admin event usually names its role, `Help Desk Admin`, which
//! `isDelegatedAdmin` cannot confirm or deny anyway). A user whose entry does not state `isAdmin`
//! (a `fields=` mask, Forseti's trimmed fixture) covers its account only. A member list covers
//! the holders of its group, which the body never names (`members.list` is called per group):
//! give it with `--scope finance@example.com`. Without `--scope` the rows name the member
//! accounts with no entitlement and cover nothing, with one warning saying so.
//!
//! The moment: Directory responses state no time, so it is `--as-of`, else the file's
//! modification time (with a warning). It is fixed when the first row is emitted, so a file
//! with no rows (a `groups.list`) needs none.
//!
//! Bad input: a user without `primaryEmail`, a member with neither `email` nor `id`, a field of
//! the wrong type or a `lastLoginTime` that is not a time is a diagnostic naming the pointer; an
//! entry that is neither a user, a member nor a group is a diagnostic. A Directory error body
//! (`{"error":{"code":403,...}}`) and truncated JSON refuse the whole file. Python modules that
//! hold responses as strings (Forseti, cartography fixtures) are not JSON: not recognised, and
//! refused as "not JSON" when forced.

use std::io::Read;

use evidentia_domain::Coverage;
use serde_json::Value;

use crate::detect::scan_keys;
use crate::inventory::{self, Halt, JsonListing, Row, nothing_covered};
use crate::json_stream::{self, Problem, RecordView};
use crate::{Format, ImportContext, ImportError, ImportSummary, Location, Progress, RecordSink};

/// The entitlement `isAdmin` grants, as the log importer names super admin.
pub const SUPER_ADMIN: &str = "Super Admin";
/// The entitlement `isDelegatedAdmin` grants, as the log importer names an unnamed delegated role.
pub const DELEGATED_ADMIN: &str = "Delegated Admin";

/// Recognises Directory API output: a `kind` of `admin#directory#…`, or users spelled as the
/// API spells them (`primaryEmail` beside `isAdmin`, `orgUnitPath`, ...) without one.
pub(crate) fn recognise(head: &str) -> bool {
    if !(head.starts_with('{') || head.starts_with('[')) {
        return false;
    }
    let k = scan_keys(head);
    k.value_matches("kind", |v| v.starts_with("admin#directory#"))
        || (k.has("primaryemail")
            && k.any(&[
                "isadmin",
                "isdelegatedadmin",
                "orgunitpath",
                "lastlogintime",
                "suspended",
            ]))
}

/// What one Directory entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    User,
    Member,
    Group,
}

/// Where each listing's rows go, and what the import found across entries.
struct Reading<'a> {
    out: JsonListing<'a>,
    /// The group a member list is of (`--scope`).
    group: Option<String>,
    /// Members with no e-mail, named by id: how many, and the first.
    by_id: (u64, Option<Location>),
}

/// Reads Directory `users.list` / `members.list` output.
pub fn import(
    input: &mut dyn Read,
    ctx: &ImportContext,
    sink: &mut dyn RecordSink,
    progress: &mut dyn FnMut(Progress),
) -> Result<ImportSummary, ImportError> {
    let mut reading = Reading {
        out: JsonListing::new(ctx, sink, Format::GoogleDirectory),
        group: inventory::scope_of(ctx),
        by_id: (0, None),
    };
    let stream = json_stream::read_records(
        input,
        ctx,
        &["users", "members", "groups"],
        progress,
        &mut |value, location| {
            let hint = envelope_hint(&location);
            reading.out.records += 1;
            reading.visit(&value, &location, hint)
        },
    )?;
    let by_id = reading.by_id;
    let mut summary = reading.out.finish(
        stream,
        "the members were recorded as accounts only, covering nothing",
    );
    if let (count, Some(first)) = by_id {
        summary.warn(ctx.diagnostic(
            first,
            format!(
                "{count} member(s) have no `email` and are named by their Directory id, which \
                 the audit log never uses; this is the first"
            ),
        ));
    }
    summary
        .diagnostics
        .sort_by(|a, b| a.location.cmp(&b.location));
    Ok(summary)
}

/// The kind an envelope key implies for the entries under it (`/users/3` is a user).
fn envelope_hint(location: &Location) -> Option<Kind> {
    let pointer = match location {
        Location::Pointer(p) | Location::LinePointer(_, p) => p.as_str(),
        _ => return None,
    };
    let key = pointer.strip_prefix('/')?.split('/').next()?;
    match key {
        "users" => Some(Kind::User),
        "members" => Some(Kind::Member),
        "groups" => Some(Kind::Group),
        _ => None,
    }
}

impl Reading<'_> {
    /// Reads one entry, or the entries of a page or array found where an entry was expected.
    fn visit(
        &mut self,
        value: &Value,
        location: &Location,
        hint: Option<Kind>,
    ) -> Result<(), ImportError> {
        if let Value::Array(items) = value {
            for (i, item) in items.iter().enumerate() {
                self.visit(item, &json_stream::child(location, &i.to_string()), hint)?;
            }
            return Ok(());
        }
        if let Some(error) = json_stream::get_ci(value, "error").filter(|e| e.is_object()) {
            let message = json_stream::str_ci(error, "message").unwrap_or_default();
            return Err(ImportError::Unreadable(self.out.ctx.diagnostic(
                location.clone(),
                format!("the file is a Directory API error response ({message}), not a listing"),
            )));
        }
        // A page read as a record: its entries sit under the key its kind names.
        for (key, kind) in [
            ("users", Kind::User),
            ("members", Kind::Member),
            ("groups", Kind::Group),
        ] {
            if let Some((found, Value::Array(items))) = json_stream::get_entry(value, key) {
                if json_stream::get_ci(value, "primaryemail").is_none() {
                    let at = json_stream::child(location, found);
                    for (i, item) in items.iter().enumerate() {
                        self.visit(item, &json_stream::child(&at, &i.to_string()), Some(kind))?;
                    }
                    return Ok(());
                }
            }
        }
        self.out.entries += 1;
        let kind = match json_stream::str_ci(value, "kind").as_deref() {
            Some("admin#directory#user") => Kind::User,
            Some("admin#directory#member") => Kind::Member,
            Some("admin#directory#group") => Kind::Group,
            Some(
                page @ ("admin#directory#users"
                | "admin#directory#members"
                | "admin#directory#groups"),
            ) => {
                self.out
                    .summary
                    .skip(format!("{page} (a page with no entries)"));
                return Ok(());
            }
            Some(other) => {
                self.out.summary.skip(other.to_owned());
                return Ok(());
            }
            None => match hint.or_else(|| guess(value)) {
                Some(kind) => kind,
                None => {
                    self.out.summary.diagnostics.push(self.out.ctx.diagnostic(
                        location.clone(),
                        "neither a Directory user (`primaryEmail`) nor a group member \
                         (`email`, `role`, `type`)",
                    ));
                    return Ok(());
                }
            },
        };
        let view = RecordView::new(value, location);
        let result = match kind {
            Kind::User => self.user(&view),
            Kind::Member => self.member(&view),
            Kind::Group => {
                self.out
                    .summary
                    .skip("group (groups.list describes groups, not who holds them)");
                Ok(())
            }
        };
        match result {
            Ok(()) => Ok(()),
            Err(Halt::Bad(problem)) => {
                self.out
                    .summary
                    .diagnostics
                    .push(problem.into_diagnostic(self.out.ctx));
                Ok(())
            }
            Err(Halt::Stop(error)) => Err(error),
        }
    }

    /// One `admin#directory#user`: the account and its admin flags.
    fn user(&mut self, view: &RecordView<'_>) -> Result<(), Halt> {
        let email = view.req_str(&["primaryEmail"])?;
        let super_admin = opt_bool(view, "isAdmin")?;
        let delegated_admin = opt_bool(view, "isDelegatedAdmin")?;
        let disabled =
            opt_bool(view, "suspended")? == Some(true) || opt_bool(view, "archived")? == Some(true);
        let deleted = view.opt_str(&["deletionTime"])?.is_some();
        let last_login = match view.opt_str(&["lastLoginTime"])? {
            None => None,
            // Google writes the epoch for "never signed in".
            Some(_) => Some(view.req_time(&["lastLoginTime"])?).filter(|t| t.timestamp() > 0),
        };
        let coverage = Coverage {
            accounts: true,
            entitlements: false,
            credentials: false,
            // Only an entry that states `isAdmin` shows that a missing Super Admin is not held.
            holders_of: super_admin.map(|_| SUPER_ADMIN.to_owned()),
        };
        let state = |row: Row| {
            if deleted {
                row.inactive()
            } else if disabled {
                row.disabled()
            } else {
                row
            }
        };
        let mut rows = vec![state(Row::account(&email)).last_used(last_login)];
        if super_admin == Some(true) {
            rows.push(state(Row::entitlement(&email, SUPER_ADMIN)));
        }
        if delegated_admin == Some(true) {
            rows.push(state(Row::entitlement(&email, DELEGATED_ADMIN)));
        }
        Ok(self.emit(coverage, rows, view.location)?)
    }

    /// One `admin#directory#member` of the group `--scope` names.
    fn member(&mut self, view: &RecordView<'_>) -> Result<(), Halt> {
        let member_type = view.opt_str(&["type"])?;
        if member_type
            .as_deref()
            .is_some_and(|t| t.eq_ignore_ascii_case("CUSTOMER"))
        {
            self.out
                .summary
                .skip("member of type CUSTOMER (everyone in the domain, not one account)");
            return Ok(());
        }
        let account = match view.opt_str(&["email"])? {
            Some(email) => email,
            None => {
                let id = view.opt_id(&["id"])?.ok_or_else(|| Problem {
                    location: view.location_of(&["email"]),
                    reason: "a member with neither `email` nor `id` names no account".to_owned(),
                })?;
                self.by_id.0 += 1;
                self.by_id.1.get_or_insert_with(|| view.location.clone());
                id
            }
        };
        let disabled = view.opt_str(&["status"])?.is_some_and(|s| {
            s.eq_ignore_ascii_case("SUSPENDED") || s.eq_ignore_ascii_case("ARCHIVED")
        });
        let (row, coverage) = match &self.group {
            Some(group) => (
                Row::entitlement(account, group.clone()),
                Coverage::holders_of(group.clone()),
            ),
            None => {
                self.out.unscoped(view.location);
                (Row::account(account), nothing_covered())
            }
        };
        let row = if disabled { row.disabled() } else { row };
        Ok(self.emit(coverage, vec![row], view.location)?)
    }

    fn emit(
        &mut self,
        coverage: Coverage,
        rows: Vec<Row>,
        location: &Location,
    ) -> Result<(), ImportError> {
        self.out.emit(coverage, rows, location)
    }
}

/// What an entry without `kind` outside a named envelope is, by the fields only it has.
fn guess(value: &Value) -> Option<Kind> {
    let has = |key| json_stream::get_ci(value, key).is_some();
    if has("primaryEmail") {
        Some(Kind::User)
    } else if has("role") && has("type") && (has("email") || has("id")) {
        Some(Kind::Member)
    } else {
        None
    }
}

/// A boolean field; `"true"`/`"false"` strings (a spreadsheet round trip) are accepted too.
fn opt_bool(view: &RecordView<'_>, key: &str) -> Result<Option<bool>, Problem> {
    match view.lookup(&[key]) {
        None | Some((Value::Null, _)) => Ok(None),
        Some((Value::Bool(b), _)) => Ok(Some(*b)),
        Some((Value::String(s), location)) => match s.trim().to_ascii_lowercase().as_str() {
            "true" => Ok(Some(true)),
            "false" => Ok(Some(false)),
            _ => Err(Problem {
                location,
                reason: format!("expected true or false but found `{s}`"),
            }),
        },
        Some((other, location)) => Err(Problem {
            location,
            reason: format!(
                "expected true or false but found {}",
                json_stream::kind_of(other)
            ),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::test_support::{self, Rows, brief, moment};
    use chrono::TimeZone;
    use evidentia_domain::{ReconciliationStatus as S, Record, Timestamp};

    fn at(y: i32, m: u32, d: u32) -> Timestamp {
        chrono::Utc
            .with_ymd_and_hms(y, m, d, 0, 0, 0)
            .single()
            .expect("valid")
    }

    fn run(input: &str, scope: Option<&str>) -> Result<(ImportSummary, Rows), ImportError> {
        test_support::run(
            Format::GoogleDirectory,
            "directory.json",
            input.as_bytes(),
            scope,
        )
    }

    /// A `users.list` page field for field as the User resource documents it
    /// (developers.google.com/admin-sdk/directory/reference/rest/v1/users#User).
    const USERS: &str = r#"{
 "kind": "admin#directory#users",
 "etag": "\"abc/def\"",
 "users": [
  {"kind": "admin#directory#user", "id": "1001", "etag": "\"e1\"", "primaryEmail": "ann@acme.com",
   "name": {"givenName": "Ann", "familyName": "Lee", "fullName": "Ann Lee"},
   "isAdmin": true, "isDelegatedAdmin": false, "lastLoginTime": "2025-06-01T08:15:00.000Z",
   "creationTime": "2020-01-01T00:00:00.000Z", "agreedToTerms": true, "suspended": false,
   "archived": false, "changePasswordAtNextLogin": false, "ipWhitelisted": false,
   "emails": [{"address": "ann@acme.com", "primary": true}], "customerId": "C01",
   "orgUnitPath": "/", "isMailboxSetup": true, "isEnrolledIn2Sv": true, "isEnforcedIn2Sv": false,
   "includeInGlobalAddressList": true},
  {"kind": "admin#directory#user", "id": "1002", "primaryEmail": "bob@acme.com",
   "isAdmin": false, "isDelegatedAdmin": true, "lastLoginTime": "1970-01-01T00:00:00.000Z",
   "suspended": true, "suspensionReason": "ADMIN", "archived": false, "orgUnitPath": "/Sales"},
  {"kind": "admin#directory#user", "id": "1003", "primaryEmail": "cy@acme.com",
   "isAdmin": false, "isDelegatedAdmin": false, "archived": true,
   "lastLoginTime": "2024-02-03T04:05:06.000Z"}
 ],
 "nextPageToken": "tok"
}"#;

    #[test]
    fn a_users_page_gives_accounts_admin_rights_statuses_and_sign_ins() {
        let (summary, rows) = run(USERS, None).expect("imports");
        assert_eq!(
            brief(&rows),
            [
                ("ann@acme.com", None, S::ExpectedPresent),
                ("ann@acme.com", Some("Super Admin"), S::ExpectedPresent),
                ("bob@acme.com", None, S::Disabled),
                ("bob@acme.com", Some("Delegated Admin"), S::Disabled),
                ("cy@acme.com", None, S::Disabled),
            ]
        );
        assert_eq!(
            rows[0].0.last_used_at,
            Some(at(2025, 6, 1) + chrono::Duration::minutes(495))
        );
        assert_eq!(rows[1].0.last_used_at, None, "a sign-in is the account's");
        assert_eq!(rows[2].0.last_used_at, None, "the epoch means never");
        assert!(rows[4].0.last_used_at.is_some());
        assert_eq!(rows[0].1, Location::Pointer("/users/0".into()));
        assert_eq!(rows[0].0.as_of, moment());
        assert_eq!(rows[0].0.system.as_str(), "google-workspace");
        let coverage = rows[0].0.coverage.clone().expect("coverage");
        assert!(coverage.covers(None, false));
        assert!(coverage.covers(Some("Super Admin"), false));
        assert!(!coverage.covers(Some("Delegated Admin"), false));
        assert!(!coverage.covers(Some("eng@acme.com"), false));
        assert_eq!(summary.rows, 3);
        assert!(summary.diagnostics.is_empty() && summary.warnings.is_empty());
    }

    #[test]
    fn a_user_without_admin_flags_covers_its_account_only() {
        let (_, rows) = run(
            r#"{"kind":"admin#directory#users","users":[{"kind":"admin#directory#user","primaryEmail":"a@x.test"}]}"#,
            None,
        )
        .expect("imports");
        assert_eq!(rows[0].0.coverage.as_deref(), Some(&Coverage::accounts()));
    }

    #[test]
    fn deleted_users_are_listed_but_not_present() {
        let (_, rows) = run(
            r#"{"primaryEmail":"gone@x.test","isAdmin":false,"deletionTime":"2025-06-01T00:00:00.000Z"}"#,
            None,
        )
        .expect("imports");
        assert_eq!(brief(&rows), [("gone@x.test", None, S::ExpectedMissing)]);
    }

    /// A `members.list` page as documented
    /// (developers.google.com/admin-sdk/directory/reference/rest/v1/members#Member).
    const MEMBERS: &str = r#"{"kind":"admin#directory#members","etag":"\"x\"","members":[
 {"kind":"admin#directory#member","etag":"\"1\"","id":"1001","email":"ann@acme.com","role":"OWNER","type":"USER","status":"ACTIVE","delivery_settings":"ALL_MAIL"},
 {"kind":"admin#directory#member","id":"1002","email":"bob@acme.com","role":"MEMBER","type":"USER","status":"SUSPENDED"},
 {"kind":"admin#directory#member","id":"2001","email":"ops@acme.com","role":"MEMBER","type":"GROUP","status":"ACTIVE"},
 {"kind":"admin#directory#member","id":"C01","role":"MEMBER","type":"CUSTOMER"},
 {"kind":"admin#directory#member","id":"1003","role":"MANAGER","type":"USER","status":"ACTIVE"}
]}"#;

    #[test]
    fn a_member_list_with_its_group_gives_membership_rows() {
        let (summary, rows) = run(MEMBERS, Some("eng@acme.com")).expect("imports");
        let g = Some("eng@acme.com");
        assert_eq!(
            brief(&rows),
            [
                ("ann@acme.com", g, S::ExpectedPresent),
                ("bob@acme.com", g, S::Disabled),
                ("ops@acme.com", g, S::ExpectedPresent),
                ("1003", g, S::ExpectedPresent),
            ]
        );
        assert_eq!(
            rows[0].0.coverage,
            Some(std::sync::Arc::new(Coverage::holders_of("eng@acme.com")))
        );
        assert_eq!(summary.rows, 5);
        assert_eq!(
            summary
                .skipped
                .get("member of type CUSTOMER (everyone in the domain, not one account)"),
            Some(&1)
        );
        assert_eq!(summary.warnings.len(), 1);
        assert!(
            summary.warnings[0]
                .reason
                .contains("1 member(s) have no `email`")
        );
        assert_eq!(
            summary.warnings[0].location,
            Location::Pointer("/members/4".into())
        );
    }

    #[test]
    fn a_member_list_without_its_group_covers_nothing_and_says_so_once() {
        let (summary, rows) = run(MEMBERS, None).expect("imports");
        assert_eq!(rows.len(), 4);
        assert!(rows.iter().all(|(r, _)| r.entitlement.is_none()));
        assert_eq!(rows[0].0.coverage.as_deref(), Some(&nothing_covered()));
        let unscoped: Vec<_> = summary
            .warnings
            .iter()
            .filter(|w| {
                w.reason
                    .contains("does not name its group: give --scope GROUP")
            })
            .collect();
        assert_eq!(unscoped.len(), 1);
    }

    #[test]
    fn a_groups_list_is_skipped_and_needs_no_moment() {
        let input = r#"{"kind":"admin#directory#groups","groups":[{"kind":"admin#directory#group","id":"1","email":"eng@acme.com","name":"Eng","directMembersCount":"3"}]}"#;
        let mut ctx = ImportContext::new("groups.json");
        ctx.as_of = None;
        let mut sink: Vec<(Record, crate::Origin)> = Vec::new();
        let summary = import(&mut input.as_bytes(), &ctx, &mut sink, &mut |_| {}).expect("ok");
        assert!(sink.is_empty());
        assert_eq!(summary.rows, 1);
        assert_eq!(
            summary
                .skipped
                .get("group (groups.list describes groups, not who holds them)"),
            Some(&1)
        );
    }

    #[test]
    fn pages_one_after_another_and_arrays_of_pages_are_read() {
        let two = r#"{"kind":"admin#directory#users","users":[{"primaryEmail":"a@x.test"}],"nextPageToken":"t"}
{"kind":"admin#directory#users","users":[{"primaryEmail":"b@x.test"}]}"#;
        let (_, rows) = run(two, None).expect("imports");
        assert_eq!(rows[1].1, Location::LinePointer(2, "/users/0".into()));
        let slurped = r#"[{"users":[{"primaryEmail":"a@x.test"}]},{"users":[{"primaryEmail":"b@x.test","isAdmin":true}]}]"#;
        let (summary, rows) = run(slurped, None).expect("imports");
        assert_eq!(rows.len(), 3);
        assert_eq!(summary.rows, 2, "two users, not two pages");
        assert_eq!(rows[2].1, Location::Pointer("/1/users/0".into()));
    }

    #[test]
    fn bad_entries_are_diagnostics_naming_the_pointer() {
        let input = r#"{"users":[
 {"kind":"admin#directory#user","name":{"fullName":"No Mail"}},
 {"primaryEmail":"a@x.test","isAdmin":"yes"},
 {"primaryEmail":"b@x.test","lastLoginTime":"last tuesday"},
 {"primaryEmail":"c@x.test","suspended":"TRUE"}
]}"#;
        let (summary, rows) = run(input, None).expect("imports");
        assert_eq!(brief(&rows), [("c@x.test", None, S::Disabled)]);
        let got: Vec<_> = summary
            .diagnostics
            .iter()
            .map(|d| (d.location.clone(), d.reason.as_str()))
            .collect();
        assert_eq!(got[0].0, Location::Pointer("/users/0/primaryEmail".into()));
        assert!(got[0].1.contains("missing required field"));
        assert_eq!(got[1].0, Location::Pointer("/users/1/isAdmin".into()));
        assert_eq!(got[2].0, Location::Pointer("/users/2/lastLoginTime".into()));
        let (summary, _) = run(r#"[{"foo":1}]"#, None).expect("imports");
        assert!(
            summary.diagnostics[0]
                .reason
                .contains("neither a Directory user")
        );
    }

    #[test]
    fn truncated_files_error_responses_and_python_are_refused() {
        let cut = &USERS[..USERS.len() / 2];
        assert!(matches!(run(cut, None), Err(ImportError::Unreadable(_))));
        let error = r#"{"error":{"code":403,"message":"Not Authorized to access this resource/api","errors":[{"domain":"global","reason":"forbidden"}]}}"#;
        let Err(ImportError::Unreadable(d)) = run(error, None) else {
            panic!("an error body is no listing")
        };
        assert!(d.reason.contains("error response (Not Authorized"), "{d}");
        let python =
            "FAKE_USERS_LIST_RESPONSE = \"\"\"\n{\"kind\": \"admin#directory#users\"}\n\"\"\"\n";
        assert!(!recognise(python));
        assert!(matches!(run(python, None), Err(ImportError::Unreadable(_))));
    }

    #[test]
    fn without_a_moment_rows_are_refused() {
        let ctx = ImportContext::new("users.json");
        let mut sink: Vec<(Record, crate::Origin)> = Vec::new();
        let err = import(&mut USERS.as_bytes(), &ctx, &mut sink, &mut |_| {}).expect_err("no time");
        assert!(err.to_string().contains("--as-of"), "{err}");
    }

    #[test]
    fn recognises_directory_output_and_nothing_else() {
        assert!(recognise(USERS));
        assert!(recognise(MEMBERS));
        assert!(recognise(
            r#"[{"primaryEmail":"a@x.test","isAdmin":false}]"#
        ));
        assert!(recognise(
            r#"{"kind":"admin#directory#groups","groups":[]}"#
        ));
        // Reports API activities (the log importer's) and other vendors' users are not ours.
        assert!(!recognise(
            r#"{"kind":"admin#reports#activity","id":{"applicationName":"admin"},"actor":{"email":"a@x.test"}}"#
        ));
        assert!(!recognise(
            r#"{"value":[{"id":"1","userPrincipalName":"a@x.test","accountEnabled":true}]}"#
        ));
        assert!(!recognise(
            r#"[{"login":"octocat","id":1,"type":"User","site_admin":false}]"#
        ));
    }
}
