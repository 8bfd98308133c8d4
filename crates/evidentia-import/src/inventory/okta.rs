//! Reads Okta user lists, group member lists and a user's group list into Okta reconciliation rows, named as the Okta System Log importer names the same accounts and groups.
//!
//! Three Okta Management API responses are read, each a bare JSON array (Okta pages with the
//! `Link` header, so a file is one page or pages joined into one array):
//!
//! * `GET /api/v1/users` and `GET /api/v1/groups/{id}/users`: arrays of User objects
//!   (<https://developer.okta.com/docs/api/openapi/okta-management/management/tag/User/#tag/User/operation/listUsers>,
//!   <https://developer.okta.com/docs/api/openapi/okta-management/management/tag/Group/#tag/Group/operation/listGroupUsers>);
//! * `GET /api/v1/users/{id}/groups`: an array of Group objects (`objectClass`
//!   `["okta:user_group"]`, `type` `OKTA_GROUP`, `APP_GROUP` or `BUILT_IN`, `profile.name`)
//!   (<https://developer.okta.com/docs/api/openapi/okta-management/management/tag/User/#tag/User/operation/listUserGroups>).
//!
//! | what is read | account | entitlement | status | last used | coverage |
//! |---|---|---|---|---|---|
//! | a user, no `--scope` (the users list) | `profile.login`, else `profile.email`, else `id` | — | see below | `lastLogin` | accounts |
//! | a user, `--scope GROUP` (a group's members) | as above | the group | see below | `lastLogin` | holders of the group |
//! | a group, `--scope LOGIN` (a user's groups) | the login `--scope` names | `profile.name`, else `id` | present | — | nothing (see below) |
//!
//! | `status` | row |
//! |---|---|
//! | `ACTIVE`, `PROVISIONED`, `RECOVERY`, `PASSWORD_EXPIRED`, `LOCKED_OUT` | present |
//! | `STAGED`, `SUSPENDED`, `DEPROVISIONED` | disabled |
//!
//! Decisions, with reasons:
//! * Names follow docs/import-profiles.md "Okta": the System Log names a user by
//!   `alternateId`, which is the login, and a group by its `displayName`, which is the group's
//!   `profile.name`.
//! * `LOCKED_OUT` is present: a lockout is a temporary authentication state (it ends by
//!   itself or by an unlock, which the System Log does not record as a grant); the account
//!   and everything assigned to it stay in force. `PROVISIONED`, `RECOVERY` and
//!   `PASSWORD_EXPIRED` accounts are one step by the user from signing in: present.
//! * `STAGED` is disabled: a staged user has no credentials and cannot sign in until an
//!   administrator activates it, and the System Log importer records that activation as
//!   `enable`; so "staged" is to a snapshot what "not yet enabled" is to the log.
//! * The users list and a group's member list have the same body; only `--scope` tells them
//!   apart. Without it the file is taken for the users list (every account of the org), so a
//!   group's member list must be given `--scope GROUP`, or its absences would read as removed
//!   accounts.
//! * A user's group list names its groups, not its user: `--scope` gives the login. Its rows
//!   cover nothing (`Coverage { accounts: false, entitlements: false, credentials: false,
//!   holders_of: None }`): [`Coverage`] has no way to say "every entitlement of this one
//!   account", so a group missing from the list is not read as removed. Without `--scope` no
//!   row is made, with one warning.
//! * Every group type is kept, `BUILT_IN` `Everyone` included: it is a membership Okta lists
//!   and assigns applications through.
//! * Two users with one login (possible in a hand-made or merged export) are both emitted,
//!   with one warning per login: the checks take an account listed as disabled at a moment
//!   as disabled even if another row of the same account is present, so an `ACTIVE` user
//!   sharing a login with a `DEPROVISIONED` one is seen as disabled.
//! * `lastLogin` `null` means never; a time at or before 1970-01-01 is taken as a "never"
//!   sentinel. Fields not read are never validated.
//! * The Okta System Log (`eventType`, `uuid`, `published`) is never taken for a listing.
//!
//! The moment: Okta list bodies state no time (the response's `Date` header is not in the
//! body), so it is `--as-of`, else the file's modification time with a warning
//! ([`super::snapshot_time`]).

use std::collections::HashMap;
use std::io::Read;

use evidentia_domain::{Coverage, Timestamp};
use serde_json::Value;

use super::{Listing, Row};
use crate::detect::scan_keys;
use crate::json_stream::{self, Problem, RecordView, get_ci, parse_timestamp};
use crate::{Format, ImportContext, ImportError, ImportSummary, Location, Progress, RecordSink};

/// The user statuses Okta documents, and whether an account in that status is in force.
const STATUSES: [(&str, bool); 8] = [
    ("ACTIVE", true),
    ("PROVISIONED", true),
    ("RECOVERY", true),
    ("PASSWORD_EXPIRED", true),
    ("LOCKED_OUT", true),
    ("STAGED", false),
    ("SUSPENDED", false),
    ("DEPROVISIONED", false),
];

/// Recognises Okta user objects (an Okta `status` with a `profile.login`) or group objects
/// (`objectClass` `okta:user_group`), never the System Log.
pub(crate) fn recognise(head: &str) -> bool {
    // A recorded-HTTP cassette (YAML) quotes these bodies inside strings: only JSON itself is
    // a listing.
    if !(head.starts_with('[') || head.starts_with('{')) {
        return false;
    }
    let keys = scan_keys(head);
    if keys.any(&[
        "eventtype",
        "uuid",
        "published",
        "legacyeventtype",
        "displaymessage",
    ]) {
        return false;
    }
    let users = keys.has("profile") && keys.has("login") && has_okta_status(head);
    let groups =
        keys.has("objectclass") && keys.has("profile") && head.contains("\"okta:user_group\"");
    users || groups
}

/// Whether some `"status": "<value>"` in the text is one of Okta's user statuses.
fn has_okta_status(head: &str) -> bool {
    head.match_indices("\"status\"").any(|(at, key)| {
        let rest = head.get(at + key.len()..).unwrap_or_default().trim_start();
        let Some(rest) = rest.strip_prefix(':') else {
            return false;
        };
        let Some(rest) = rest.trim_start().strip_prefix('"') else {
            return false;
        };
        rest.split('"')
            .next()
            .is_some_and(|value| STATUSES.iter().any(|(s, _)| *s == value))
    })
}

/// What the file lists, known from its first object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Listed {
    Users,
    GroupsOfUser,
}

/// Reads an Okta user, group-member or user's-group list.
pub fn import(
    input: &mut dyn Read,
    ctx: &ImportContext,
    sink: &mut dyn RecordSink,
    progress: &mut dyn FnMut(Progress),
) -> Result<ImportSummary, ImportError> {
    let mut summary = ImportSummary::default();
    let (as_of, _) = super::snapshot_time(ctx, None, &mut summary)?;
    let scope = super::scope_of(ctx);
    let system = super::system_of(ctx, Format::OktaDirectory);
    let listing_of = |listed: Listed| Listing {
        system: system.clone(),
        as_of,
        coverage: match (listed, &scope) {
            (Listed::Users, None) => Coverage::accounts(),
            (Listed::Users, Some(group)) => Coverage::holders_of(group.clone()),
            (Listed::GroupsOfUser, _) => super::nothing_covered(),
        },
    };

    let mut listing: Option<(Listed, Listing)> = None;
    // Each login seen, with whether it was in force and the status, to warn of duplicates.
    let mut logins: HashMap<String, (bool, String)> = HashMap::new();
    let mut warned_logins: std::collections::HashSet<String> = Default::default();
    let mut unnamed_user_warned = false;
    let stream = json_stream::read_records(input, ctx, &[], progress, &mut |value, location| {
        let object = match read_object(&value, &location) {
            Ok(object) => object,
            Err(problem) => {
                summary.diagnostics.push(problem.into_diagnostic(ctx));
                return Ok(());
            }
        };
        let kind = match object {
            Object::User { .. } => Listed::Users,
            Object::Group { .. } => Listed::GroupsOfUser,
        };
        let (listed, current) = listing.get_or_insert_with(|| (kind, listing_of(kind)));
        if *listed != kind {
            summary.diagnostics.push(ctx.diagnostic(
                location,
                match kind {
                    Listed::Users => "an Okta user in a list of a user's groups",
                    Listed::GroupsOfUser => "an Okta group in a list of users",
                },
            ));
            return Ok(());
        }
        let row = match object {
            Object::User {
                login,
                status,
                in_force,
                last_login,
            } => {
                if let Some((earlier_in_force, earlier_status)) =
                    logins.insert(login.clone(), (in_force, status.clone()))
                {
                    if warned_logins.insert(login.clone()) {
                        let masked = if earlier_in_force != in_force {
                            ": the checks take an account listed as disabled at a moment as disabled, so the one in force is not seen as present"
                        } else {
                            ""
                        };
                        summary.warn(ctx.diagnostic(
                            location.clone(),
                            format!(
                                "login {login} is listed for more than one user ({earlier_status}, then {status}); both rows are kept{masked}"
                            ),
                        ));
                    }
                }
                let row = match &scope {
                    Some(group) => Row::entitlement(login, group.clone()),
                    None => Row::account(login),
                };
                let row = if in_force { row } else { row.disabled() };
                row.last_used(last_login)
            }
            Object::Group { name } => {
                let Some(user) = &scope else {
                    if !unnamed_user_warned {
                        unnamed_user_warned = true;
                        summary.warn(ctx.diagnostic(
                            Location::File,
                            "the listing does not name its user: give --scope LOGIN to record the user's group memberships",
                        ));
                    }
                    summary.skip("okta:user_group (the listing does not name its user)");
                    return Ok(());
                };
                Row::entitlement(user.clone(), name)
            }
        };
        current.emit(&mut summary, sink, row, location)?;
        Ok(())
    })?;
    summary.absorb(stream);
    Ok(summary)
}

/// One Okta object, read.
enum Object {
    User {
        login: String,
        status: String,
        in_force: bool,
        last_login: Option<Timestamp>,
    },
    Group {
        name: String,
    },
}

fn read_object(value: &Value, location: &Location) -> Result<Object, Problem> {
    if !value.is_object() {
        return Err(Problem {
            location: location.clone(),
            reason: format!(
                "expected an Okta user or group (a JSON object) but found {}",
                json_stream::kind_of(value)
            ),
        });
    }
    let view = RecordView::new(value, location);
    let is_group = get_ci(value, "objectClass")
        .and_then(Value::as_array)
        .is_some_and(|classes| {
            classes
                .iter()
                .any(|c| c.as_str() == Some("okta:user_group"))
        });
    if is_group {
        let name = match view.opt_str(&["profile", "name"])? {
            Some(name) => name,
            None => view.opt_id(&["id"])?.ok_or_else(|| Problem {
                location: location.clone(),
                reason: "the group is not named: it has neither `profile.name` nor `id`".into(),
            })?,
        };
        return Ok(Object::Group { name });
    }
    if !view.get(&["profile"]).is_some_and(Value::is_object) {
        return Err(Problem {
            location: view.location_of(&["profile"]),
            reason: "not an Okta user or group: a user has a `profile` object, a group an `objectClass` of `okta:user_group`".into(),
        });
    }
    let status = view.req_str(&["status"])?;
    let in_force = STATUSES
        .iter()
        .find(|(s, _)| *s == status)
        .map(|(_, in_force)| *in_force)
        .ok_or_else(|| Problem {
            location: view.location_of(&["status"]),
            reason: format!(
                "`{status}` is not an Okta user status (expected one of {})",
                STATUSES
                    .iter()
                    .map(|(s, _)| *s)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        })?;
    let login = match view.opt_str(&["profile", "login"])? {
        Some(login) => login,
        None => match view.opt_str(&["profile", "email"])? {
            Some(email) => email,
            None => view.opt_id(&["id"])?.ok_or_else(|| Problem {
                location: location.clone(),
                reason:
                    "the user is not named: it has none of `profile.login`, `profile.email`, `id`"
                        .into(),
            })?,
        },
    };
    let last_login = match view.opt_str(&["lastLogin"])? {
        None => None,
        Some(text) => {
            let at = parse_timestamp(&text).ok_or_else(|| Problem {
                location: view.location_of(&["lastLogin"]),
                reason: format!(
                    "`{text}` is not a timestamp (expected ISO 8601, e.g. 2024-08-01T13:33:28.000Z)"
                ),
            })?;
            (at.timestamp() > 0).then_some(at)
        }
    };
    Ok(Object::User {
        login,
        status,
        in_force,
        last_login,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::test_support::{self, Rows};
    use evidentia_domain::ReconciliationStatus;

    fn run(input: &str, scope: Option<&str>) -> Result<(ImportSummary, Rows), ImportError> {
        test_support::run(Format::OktaDirectory, "okta.json", input.as_bytes(), scope)
    }

    /// A User object as listUsers documents it (okta-sdk-python `ListUsersResponse`), one per
    /// status.
    fn user(id: &str, status: &str, login: &str, last_login: &str) -> String {
        format!(
            r#"{{"id":"{id}","status":"{status}","created":"2013-06-24T16:39:18.000Z","activated":"2013-06-24T16:39:19.000Z","statusChanged":"2013-06-24T16:39:19.000Z","lastLogin":{last_login},"lastUpdated":"2013-07-02T21:36:25.344Z","passwordChanged":"2013-07-02T21:36:25.344Z","type":{{"id":"otyfnjfba4ye7pgjB0g4"}},"profile":{{"firstName":"Isaac","lastName":"Brock","email":"{login}","login":"{login}","mobilePhone":"555-415-1337"}},"credentials":{{"password":{{}},"provider":{{"type":"OKTA","name":"OKTA"}}}},"_links":{{"self":{{"href":"https://example.okta.com/api/v1/users/{id}"}}}}}}"#
        )
    }

    fn statuses_list() -> String {
        let users: Vec<String> = [
            "ACTIVE",
            "PROVISIONED",
            "RECOVERY",
            "PASSWORD_EXPIRED",
            "LOCKED_OUT",
            "STAGED",
            "SUSPENDED",
            "DEPROVISIONED",
        ]
        .iter()
        .enumerate()
        .map(|(i, status)| {
            let last = if i == 0 {
                "\"2013-07-02T21:36:25.344Z\""
            } else {
                "null"
            };
            user(
                &format!("00u{i}"),
                status,
                &format!("u{i}@example.com"),
                last,
            )
        })
        .collect();
        format!("[{}]", users.join(",\n"))
    }

    #[test]
    fn users_by_login_with_status_and_last_login() {
        let input = statuses_list();
        assert!(recognise(&input));
        let (summary, rows) = run(&input, None).expect("imports");
        assert!(summary.diagnostics.is_empty(), "{:?}", summary.diagnostics);
        assert!(summary.warnings.is_empty(), "{:?}", summary.warnings);
        assert_eq!(summary.rows, 8);
        let status: Vec<_> = rows.iter().map(|(r, _)| r.status).collect();
        use ReconciliationStatus::{Disabled as D, ExpectedPresent as P};
        assert_eq!(status, [P, P, P, P, P, D, D, D]);
        let (first, at) = &rows[0];
        assert_eq!(first.account, "u0@example.com");
        assert_eq!(first.entitlement, None);
        assert_eq!(first.system.as_str(), "okta");
        assert_eq!(first.coverage.as_deref(), Some(&Coverage::accounts()));
        assert_eq!(*at, Location::Pointer("/0".into()));
        assert_eq!(
            first.last_used_at.map(|t| t.to_rfc3339()).as_deref(),
            Some("2013-07-02T21:36:25.344+00:00")
        );
        assert_eq!(rows[1].0.last_used_at, None);
    }

    #[test]
    fn a_groups_member_list_holds_the_scope_group() {
        let (summary, rows) = run(&statuses_list(), Some("Engineering")).expect("imports");
        assert!(summary.warnings.is_empty());
        assert!(
            rows.iter()
                .all(|(r, _)| r.entitlement.as_deref() == Some("Engineering")
                    && r.coverage.as_deref() == Some(&Coverage::holders_of("Engineering")))
        );
    }

    /// listUserGroups, as documented: one BUILT_IN and one OKTA_GROUP.
    const GROUPS: &str = r#"[{"id":"00g1","created":"2015-02-06T10:11:28.000Z","lastUpdated":"2015-10-05T19:16:43.000Z","lastMembershipUpdated":"2015-11-28T19:15:32.000Z","objectClass":["okta:user_group"],"type":"BUILT_IN","profile":{"name":"Everyone","description":"All users in your organization"},"_links":{}},
{"id":"00g2","objectClass":["okta:user_group"],"type":"OKTA_GROUP","profile":{"name":"Engineering","description":null}}]"#;

    #[test]
    fn a_users_group_list_needs_the_user_from_scope() {
        assert!(recognise(GROUPS));
        let (summary, rows) = run(GROUPS, Some("ann@example.com")).expect("imports");
        let got: Vec<_> = rows
            .iter()
            .map(|(r, _)| (r.account.as_str(), r.entitlement.as_deref()))
            .collect();
        assert_eq!(
            got,
            [
                ("ann@example.com", Some("Everyone")),
                ("ann@example.com", Some("Engineering"))
            ]
        );
        assert_eq!(rows[0].0.coverage.as_ref().map(|c| c.accounts), Some(false));
        assert_eq!(
            rows[0].0.coverage.as_ref().map(|c| c.entitlements),
            Some(false)
        );
        assert!(summary.warnings.is_empty());

        let (summary, rows) = run(GROUPS, None).expect("imports");
        assert!(rows.is_empty());
        assert_eq!(summary.warnings.len(), 1);
        assert!(summary.warnings[0].reason.contains("--scope LOGIN"));
        assert_eq!(
            summary
                .skipped
                .get("okta:user_group (the listing does not name its user)"),
            Some(&2)
        );
    }

    #[test]
    fn a_login_listed_twice_is_kept_with_one_warning() {
        let input = format!(
            "[{},{},{}]",
            user("1", "ACTIVE", "mary@example.com", "null"),
            user("2", "DEPROVISIONED", "mary@example.com", "null"),
            user("3", "DEPROVISIONED", "mary@example.com", "null"),
        );
        let (summary, rows) = run(&input, None).expect("imports");
        assert_eq!(rows.len(), 3);
        assert_eq!(summary.warnings.len(), 1, "{:?}", summary.warnings);
        assert!(
            summary.warnings[0]
                .reason
                .contains("ACTIVE, then DEPROVISIONED"),
            "{}",
            summary.warnings[0].reason
        );
        assert_eq!(summary.warnings[0].location, Location::Pointer("/1".into()));
    }

    #[test]
    fn bad_rows_name_their_pointer() {
        let input = format!(
            "[{},{},{},{},\"x\",{}]",
            user("1", "WHATEVER", "a@example.com", "null"),
            user("2", "ACTIVE", "b@example.com", "\"yesterday\""),
            r#"{"id":"3","status":"ACTIVE"}"#,
            r#"{"id":"4","status":"ACTIVE","profile":{}}"#,
            user("6", "ACTIVE", "f@example.com", "null"),
        );
        let (summary, rows) = run(&input, None).expect("imports");
        let at: Vec<_> = summary
            .diagnostics
            .iter()
            .map(|d| d.location.to_string())
            .collect();
        assert_eq!(at, ["/0/status", "/1/lastLogin", "/2/profile", "/4"]);
        // A profile with neither login nor email is named by its id.
        let names: Vec<_> = rows.iter().map(|(r, _)| r.account.as_str()).collect();
        assert_eq!(names, ["4", "f@example.com"]);
        assert_eq!(summary.rows, 6);
    }

    #[test]
    fn truncated_json_is_refused() {
        let input = statuses_list();
        let cut = input.get(..input.len() / 2).expect("ascii");
        assert!(matches!(run(cut, None), Err(ImportError::Unreadable(_))));
    }

    #[test]
    fn the_system_log_is_not_a_listing() {
        for log in [
            r#"[{"uuid":"1","published":"2024-01-01T00:00:00Z","eventType":"user.lifecycle.create","actor":{"alternateId":"a"},"outcome":{"result":"SUCCESS"},"target":[{"type":"User","alternateId":"b"}]}]"#,
            r#"{"eventType":"user.account.update_profile","uuid":"2","debugContext":{"debugData":{"status":"ACTIVE"}},"target":[{"profile":{"login":"x"}}]}"#,
            r#"[{"id":"u1","userPrincipalName":"a@b.c"}]"#,
            "interactions:\n- response:\n    body: {string: '[{\"id\":\"00u1\",\"status\":\"ACTIVE\",\"profile\":{\"login\":\"a@b.c\"}}]'}\n",
        ] {
            assert!(!recognise(log), "{log}");
        }
    }
}
