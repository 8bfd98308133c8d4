//! Reads GitHub REST listings of who belongs to an organization, team or repository into reconciliation rows, so a GitHub snapshot meets the audit-log executions about the same memberships.
//!
//! Accepted input, as the REST API returns it:
//!
//! * `GET /orgs/{org}/members`, `GET /orgs/{org}/teams/{team}/members`: arrays of
//!   [simple-user](https://docs.github.com/en/rest/orgs/members#list-organization-members)
//!   (`login`, `id`, `type` `User|Bot|Organization`, `site_admin`, URLs);
//! * `GET /repos/{owner}/{repo}/collaborators`: simple-users with, since 2014, `permissions`
//!   (`admin`, `maintain`, `push`, `triage`, `pull`) and `role_name`
//!   (<https://docs.github.com/en/rest/collaborators/collaborators#list-repository-collaborators>);
//! * `GET /user/memberships/orgs/{org}`, `GET /orgs/{org}/memberships/{user}` (one object) and
//!   `GET /user/memberships/orgs` (an array of them): `{state, role, organization_url,
//!   organization{login}, user{login}}`
//!   (<https://docs.github.com/en/rest/orgs/members#get-organization-membership-for-a-user>).
//!
//! Pages may be one array, JSON lines of entries, or `gh api --paginate --slurp` output (an
//! array of page arrays, located `/1/7`). Arrays back to back (`--paginate` without `--slurp`)
//! are not one JSON document and are refused at the second page, by the shared reader.
//!
//! | what is read | account | entitlement | status | coverage |
//! |---|---|---|---|---|
//! | a member of an org list (`--scope acme`) | `login` | `acme` | present | the holders of `acme` |
//! | a member of a team list (`--scope acme/platform`) | `login` | `acme/platform` | present | the holders of `acme/platform` |
//! | a repository collaborator (`--scope acme/api`) | `login` | `acme/api`, and `acme/api:<permission>` when given | present | the holders of `acme/api` |
//! | any list without `--scope` | `login` | — | present | nothing, one warning |
//! | a membership object, role `member` / `admin` | `user.login` | `organization.login`; role `admin` also `<org>:owner` | `state: pending`: not present yet | nothing |
//! | a membership object, role `billing_manager` | `user.login` | `<org>:billing_manager` only (billing managers are not members) | as above | nothing |
//!
//! Names are the log importer's (`github.rs`, docs/import-profiles.md "GitHub"): the account is
//! the login; organization membership is the org's login, owners `<org>:owner`, teams
//! `<org>/<team>`, repositories `owner/repo` and `<repo>:<permission>`. The permission is
//! `role_name` (`admin`, `maintain`, `write`, `triage`, `read` or a custom role), else the
//! highest true flag of `permissions` in the names `role_name` and the audit log use
//! (`push` → `write`, `pull` → `read`), lower-cased as the log importer writes them. Member
//! lists do not name what they list, so the entitlement is `--scope` verbatim: the org (`acme`),
//! the team (`acme/platform`) or the repository (`acme/api`). `site_admin` (GitHub staff, or an
//! Enterprise Server site administrator) and `type` are not org access and are not recorded.
//!
//! Coverage: a list covers the holders of what `--scope` names; absence from it is evidence
//! only for that org, team or repository. A team list includes the members of child teams,
//! as team membership does. A repository's collaborators (`affiliation=all`, the default)
//! include everyone with access, so absence of `acme/api` is evidence; absence of a
//! `<repo>:<permission>` row is not (a coverage names one entitlement). A membership object
//! shows one account's membership of one organization, which a coverage cannot name, so it
//! covers nothing: its rows prove what is held, its silence proves nothing.
//!
//! `state: pending` is an invitation not yet accepted: not yet access, so its rows are recorded
//! as not present (`inactive`), which meets the log's queued `org.invite_member` as "not landed".
//!
//! The moment: GitHub responses state no time (the `Date` header is not in the body), so it is
//! `--as-of`, else the file's modification time (with a warning).
//!
//! Refused whole: a VCR cassette (`http_interactions`, as octokit.rb records them) is a
//! recording of HTTP exchanges, its bodies base64-encoded beside requests for other
//! endpoints: the message says to save the response body of the listing call and import that.
//! A GitHub error body (`{"message":"Not Found","documentation_url":...}`) and audit-log events
//! (`action` + `actor`, read by `--format github`) are refused with their reason; truncated JSON
//! with its line. An entry without `login` (or `user.login`), or a field of the wrong type, is a
//! diagnostic naming its pointer.

use std::io::Read;

use evidentia_domain::Coverage;
use serde_json::Value;

use crate::detect::scan_keys;
use crate::inventory::{self, Halt, JsonListing, Row, nothing_covered};
use crate::json_stream::{self, Problem, RecordView};
use crate::{Format, ImportContext, ImportError, ImportSummary, Location, Progress, RecordSink};

/// Recognises simple-user arrays (`login` with `type` and one of GitHub's user fields),
/// membership objects (`organization_url`, `state`, `role`) and octokit VCR cassettes of
/// api.github.com (recognised so that the import can refuse them by name); never audit-log
/// events, which carry `action` and `actor`.
pub(crate) fn recognise(head: &str) -> bool {
    if !(head.starts_with('{') || head.starts_with('[')) {
        return false;
    }
    let k = scan_keys(head);
    if k.has("action") && k.has("actor") {
        return false;
    }
    let simple_user = k.has("login")
        && k.has("type")
        && k.any(&["gravatar_id", "avatar_url", "site_admin", "html_url"]);
    let membership = k.has("organization_url") && k.has("state") && k.has("role");
    let cassette = k.has("http_interactions") && head.contains("https://api.github.com/");
    simple_user || membership || cassette
}

/// Where rows go and what the import found across entries.
struct Reading<'a> {
    out: JsonListing<'a>,
    /// What a list is of (`--scope`): the org, `org/team` or `owner/repo`.
    scope: Option<String>,
}

/// Reads GitHub member, collaborator and membership listings.
pub fn import(
    input: &mut dyn Read,
    ctx: &ImportContext,
    sink: &mut dyn RecordSink,
    progress: &mut dyn FnMut(Progress),
) -> Result<ImportSummary, ImportError> {
    let mut reading = Reading {
        out: JsonListing::new(ctx, sink, Format::GithubMembers),
        scope: inventory::scope_of(ctx),
    };
    // `http_interactions` is read as an envelope so a cassette is refused at its first
    // interaction, without holding the whole recording.
    let stream = json_stream::read_records(
        input,
        ctx,
        &["http_interactions"],
        progress,
        &mut |value, location| {
            reading.out.records += 1;
            reading.visit(&value, &location)
        },
    )?;
    let mut summary = reading.out.finish(
        stream,
        "the org `acme`, the team `acme/platform` or the repository `acme/api`; the members \
         were recorded as accounts only, covering nothing",
    );
    summary
        .diagnostics
        .sort_by(|a, b| a.location.cmp(&b.location));
    Ok(summary)
}

impl Reading<'_> {
    fn visit(&mut self, value: &Value, location: &Location) -> Result<(), ImportError> {
        if let Value::Array(page) = value {
            for (i, item) in page.iter().enumerate() {
                self.visit(item, &json_stream::child(location, &i.to_string()))?;
            }
            return Ok(());
        }
        self.out.entries += 1;
        match self.entry(value, location) {
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

    fn entry(&mut self, value: &Value, location: &Location) -> Result<(), Halt> {
        let has = |key| json_stream::get_ci(value, key).is_some();
        let view = RecordView::new(value, location);
        if has("request") && has("response") || has("http_interactions") {
            return Err(self.refuse(
                location,
                "this is a recorded HTTP exchange (a VCR cassette), not a GitHub API response: \
                 save the response body of the listing call (`response.body`, base64-decoded) \
                 as its own file and import that",
            ));
        }
        if has("action") && has("actor") {
            return Err(self.refuse(
                location,
                "this is a GitHub audit-log event, not a member listing: import audit logs with \
                 --format github",
            ));
        }
        if has("message") && has("documentation_url") && !has("login") {
            let message = view
                .opt_str(&["message"])
                .ok()
                .flatten()
                .unwrap_or_default();
            return Err(self.refuse(
                location,
                &format!("the file is a GitHub error response ({message}), not a listing"),
            ));
        }
        if has("state") && has("role") && (has("organization") || has("organization_url")) {
            return self.membership(&view);
        }
        if has("login") {
            return self.listed_user(&view);
        }
        Err(Halt::Bad(Problem {
            location: location.clone(),
            reason: "neither a GitHub user (`login`) nor an organization membership \
                     (`state`, `role`, `organization`)"
                .to_owned(),
        }))
    }

    fn refuse(&self, location: &Location, reason: &str) -> Halt {
        Halt::Stop(ImportError::Unreadable(
            self.out.ctx.diagnostic(location.clone(), reason),
        ))
    }

    /// One simple-user of an org, team or collaborator list.
    fn listed_user(&mut self, view: &RecordView<'_>) -> Result<(), Halt> {
        let login = view.req_str(&["login"])?;
        let permission = permission(view)?;
        let Some(scope) = self.scope.clone() else {
            self.out.unscoped(view.location);
            return self.emit(nothing_covered(), vec![Row::account(login)], view.location);
        };
        let mut rows = vec![Row::entitlement(&login, &scope)];
        if let Some(permission) = permission {
            rows.push(Row::entitlement(&login, format!("{scope}:{permission}")));
        }
        self.emit(Coverage::holders_of(scope), rows, view.location)
    }

    /// One organization membership object.
    fn membership(&mut self, view: &RecordView<'_>) -> Result<(), Halt> {
        let login = view.req_str(&["user", "login"])?;
        let org = match view.opt_str(&["organization", "login"])? {
            Some(org) => org,
            None => match view.opt_str(&["organization_url"])? {
                Some(url) => url
                    .trim_end_matches('/')
                    .rsplit('/')
                    .next()
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
                    .ok_or_else(|| Problem {
                        location: view.location_of(&["organization_url"]),
                        reason: format!("`{url}` names no organization"),
                    })?,
                None => self.scope.clone().ok_or_else(|| Problem {
                    location: view.location_of(&["organization"]),
                    reason: "the membership names no organization (`organization.login`); \
                             give it with --scope"
                        .to_owned(),
                })?,
            },
        };
        let role = view.req_str(&["role"])?.to_ascii_lowercase();
        let state = view.req_str(&["state"])?.to_ascii_lowercase();
        let mut rows = Vec::new();
        if role == "billing_manager" {
            rows.push(Row::entitlement(&login, format!("{org}:billing_manager")));
        } else {
            rows.push(Row::entitlement(&login, &org));
            if role == "admin" {
                rows.push(Row::entitlement(&login, format!("{org}:owner")));
            }
        }
        // An invitation not yet accepted grants nothing yet.
        if state == "pending" {
            rows = rows.into_iter().map(Row::inactive).collect();
        }
        self.emit(nothing_covered(), rows, view.location)
    }

    fn emit(
        &mut self,
        coverage: Coverage,
        rows: Vec<Row>,
        location: &Location,
    ) -> Result<(), Halt> {
        Ok(self.out.emit(coverage, rows, location)?)
    }
}

/// A collaborator's permission in the names `role_name` and the audit log use: `role_name`,
/// else the highest true flag of `permissions`; `None` for a plain member (2013 collaborators
/// carry neither).
fn permission(view: &RecordView<'_>) -> Result<Option<String>, Problem> {
    if let Some(role) = view.opt_str(&["role_name"])? {
        return Ok(Some(role.to_ascii_lowercase()));
    }
    let Some((flags, location)) = view.lookup(&["permissions"]) else {
        return Ok(None);
    };
    if flags.is_null() {
        return Ok(None);
    }
    if !flags.is_object() {
        return Err(Problem {
            location,
            reason: format!(
                "expected an object of permission flags but found {}",
                json_stream::kind_of(flags)
            ),
        });
    }
    // Highest first: GitHub's flags are cumulative (an admin also has push and pull).
    for (flag, name) in [
        ("admin", "admin"),
        ("maintain", "maintain"),
        ("push", "write"),
        ("triage", "triage"),
        ("pull", "read"),
    ] {
        match json_stream::get_ci(flags, flag) {
            Some(Value::Bool(true)) => return Ok(Some(name.to_owned())),
            None | Some(Value::Bool(false) | Value::Null) => {}
            Some(other) => {
                return Err(Problem {
                    location: json_stream::child(&location, flag),
                    reason: format!(
                        "expected true or false but found {}",
                        json_stream::kind_of(other)
                    ),
                });
            }
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::test_support::{self, Rows, brief, moment};
    use evidentia_domain::ReconciliationStatus as S;

    fn run(input: &str, scope: Option<&str>) -> Result<(ImportSummary, Rows), ImportError> {
        test_support::run(
            Format::GithubMembers,
            "members.json",
            input.as_bytes(),
            scope,
        )
    }

    /// simple-user as `GET /orgs/{org}/members` documents it
    /// (docs.github.com/en/rest/orgs/members#list-organization-members).
    const MEMBERS: &str = r#"[
  {"login":"octocat","id":1,"node_id":"MDQ6VXNlcjE=","avatar_url":"https://github.com/images/error/octocat_happy.gif","gravatar_id":"","url":"https://api.github.com/users/octocat","html_url":"https://github.com/octocat","type":"User","site_admin":false,"user_view_type":"public"},
  {"login":"deploy-bot[bot]","id":2,"avatar_url":"https://avatars.githubusercontent.com/in/2","gravatar_id":"","type":"Bot","site_admin":false}
]"#;

    #[test]
    fn an_org_list_with_its_org_gives_membership_rows_covering_the_org() {
        let (summary, rows) = run(MEMBERS, Some("acme")).expect("imports");
        assert_eq!(
            brief(&rows),
            [
                ("octocat", Some("acme"), S::ExpectedPresent),
                ("deploy-bot[bot]", Some("acme"), S::ExpectedPresent),
            ]
        );
        assert_eq!(rows[1].1, Location::Pointer("/1".into()));
        assert_eq!(
            rows[0].0.coverage.as_deref(),
            Some(&Coverage::holders_of("acme"))
        );
        assert_eq!(rows[0].0.system.as_str(), "github");
        assert_eq!(rows[0].0.as_of, moment());
        assert_eq!(summary.rows, 2);
        assert!(summary.warnings.is_empty() && summary.diagnostics.is_empty());
    }

    #[test]
    fn a_team_list_is_named_org_slash_team() {
        let (_, rows) = run(MEMBERS, Some("acme/platform")).expect("imports");
        assert_eq!(rows[0].0.entitlement.as_deref(), Some("acme/platform"));
        assert_eq!(
            rows[0].0.coverage,
            Some(std::sync::Arc::new(Coverage::holders_of("acme/platform")))
        );
    }

    #[test]
    fn a_list_without_scope_covers_nothing_and_says_so_once() {
        let (summary, rows) = run(MEMBERS, None).expect("imports");
        assert_eq!(
            brief(&rows),
            [
                ("octocat", None, S::ExpectedPresent),
                ("deploy-bot[bot]", None, S::ExpectedPresent),
            ]
        );
        assert_eq!(rows[0].0.coverage.as_deref(), Some(&nothing_covered()));
        assert_eq!(summary.warnings.len(), 1);
        assert!(summary.warnings[0].reason.contains(
            "the listing does not name its group: give --scope GROUP to record membership"
        ));
    }

    /// Collaborators as `GET /repos/{owner}/{repo}/collaborators` documents them
    /// (docs.github.com/en/rest/collaborators/collaborators#list-repository-collaborators).
    #[test]
    fn collaborators_get_the_repository_and_their_permission() {
        let input = r#"[
 {"login":"ann","id":1,"avatar_url":"a","gravatar_id":"","type":"User","site_admin":false,"permissions":{"pull":true,"triage":true,"push":true,"maintain":false,"admin":false},"role_name":"write"},
 {"login":"bob","id":2,"avatar_url":"a","type":"User","site_admin":false,"permissions":{"pull":true,"triage":false,"push":false,"maintain":false,"admin":false}},
 {"login":"cy","id":3,"avatar_url":"a","type":"User","site_admin":false,"permissions":{"admin":true,"maintain":true,"push":true,"triage":true,"pull":true},"role_name":"Security-Reviewer"},
 {"login":"old","id":4,"avatar_url":"a","type":"User"}
]"#;
        let (_, rows) = run(input, Some("acme/api")).expect("imports");
        let r = Some("acme/api");
        assert_eq!(
            brief(&rows),
            [
                ("ann", r, S::ExpectedPresent),
                ("ann", Some("acme/api:write"), S::ExpectedPresent),
                ("bob", r, S::ExpectedPresent),
                ("bob", Some("acme/api:read"), S::ExpectedPresent),
                ("cy", r, S::ExpectedPresent),
                ("cy", Some("acme/api:security-reviewer"), S::ExpectedPresent),
                ("old", r, S::ExpectedPresent),
            ]
        );
        assert_eq!(
            rows[1].0.coverage.as_deref(),
            Some(&Coverage::holders_of("acme/api"))
        );
    }

    /// A membership as `GET /orgs/{org}/memberships/{username}` documents it
    /// (docs.github.com/en/rest/orgs/members#get-organization-membership-for-a-user).
    fn membership(state: &str, role: &str) -> String {
        format!(
            r#"{{"url":"https://api.github.com/orgs/octo-org/memberships/defunkt","state":"{state}","role":"{role}","organization_url":"https://api.github.com/orgs/octo-org","organization":{{"login":"octo-org","id":1,"url":"https://api.github.com/orgs/octo-org"}},"user":{{"login":"defunkt","id":2,"type":"User","site_admin":false}}}}"#
        )
    }

    #[test]
    fn membership_objects_name_their_org_and_role() {
        let (summary, rows) = run(&membership("active", "admin"), None).expect("imports");
        assert_eq!(
            brief(&rows),
            [
                ("defunkt", Some("octo-org"), S::ExpectedPresent),
                ("defunkt", Some("octo-org:owner"), S::ExpectedPresent),
            ]
        );
        assert_eq!(rows[0].0.coverage.as_deref(), Some(&nothing_covered()));
        assert!(summary.warnings.is_empty(), "the object names its org");
        let (_, rows) = run(&membership("pending", "member"), None).expect("imports");
        assert_eq!(
            brief(&rows),
            [("defunkt", Some("octo-org"), S::ExpectedMissing)]
        );
        let (_, rows) = run(&membership("active", "billing_manager"), None).expect("imports");
        assert_eq!(
            brief(&rows),
            [(
                "defunkt",
                Some("octo-org:billing_manager"),
                S::ExpectedPresent
            )]
        );
        let list = format!(
            "[{},{}]",
            membership("active", "member"),
            membership("active", "member")
        );
        let (_, rows) = run(&list, None).expect("imports");
        assert_eq!(rows.len(), 2);
    }

    #[test]
    fn slurped_pages_are_read_with_their_pointers() {
        let input = r#"[[{"login":"a","type":"User","site_admin":false}],[],[{"login":"b","type":"User","site_admin":false},{"login":"c","type":"User"}]]"#;
        let (summary, rows) = run(input, Some("acme")).expect("imports");
        assert_eq!(summary.rows, 3, "three users, not three pages");
        assert_eq!(rows[1].1, Location::Pointer("/2/0".into()));
    }

    #[test]
    fn bad_entries_are_diagnostics_and_foreign_files_are_refused() {
        let input = r#"[{"id":1,"type":"User"},{"login":"a","permissions":"all"},{"login":5}]"#;
        let (summary, rows) = run(input, Some("acme/api")).expect("imports");
        assert!(rows.is_empty());
        let at: Vec<_> = summary
            .diagnostics
            .iter()
            .map(|d| d.location.clone())
            .collect();
        assert_eq!(
            at,
            [
                Location::Pointer("/0".into()),
                Location::Pointer("/1/permissions".into()),
                Location::Pointer("/2/login".into()),
            ]
        );
        for (input, reason) in [
            (
                r#"{"message":"Not Found","documentation_url":"https://docs.github.com/rest"}"#,
                "error response (Not Found)",
            ),
            (
                r#"[{"action":"org.add_member","actor":"a","user":"b","org":"o"}]"#,
                "--format github",
            ),
            (
                r#"{"http_interactions":[{"request":{"method":"get","uri":"https://api.github.com/orgs/x/members"},"response":{"body":{"base64_string":"W10="}}}],"recorded_with":"VCR 2.8.0"}"#,
                "VCR cassette",
            ),
        ] {
            let Err(ImportError::Unreadable(d)) = run(input, Some("acme")) else {
                panic!("{input} must be refused")
            };
            assert!(d.reason.contains(reason), "{d}");
        }
        // `gh api --paginate` without `--slurp` writes pages back to back: not one document.
        let Err(ImportError::Unreadable(d)) = run(&format!("{MEMBERS}{MEMBERS}"), Some("acme"))
        else {
            panic!("pages back to back must be refused")
        };
        assert!(d.reason.contains("after the end of the JSON array"), "{d}");
        let cut = &MEMBERS[..MEMBERS.len() / 2];
        assert!(matches!(
            run(cut, Some("acme")),
            Err(ImportError::Unreadable(_))
        ));
    }

    #[test]
    fn recognises_member_listings_and_not_audit_logs() {
        assert!(recognise(MEMBERS));
        assert!(recognise(&membership("active", "admin")));
        assert!(!recognise(
            r#"{"action":"org.add_member","actor":"octocat","user":"hubot","org":"acme","user_id":1,"actor_location":{"country_code":"US"},"@timestamp":1606929874512}"#
        ));
        // An audit event whose payload happens to carry user fields is still a log event.
        assert!(!recognise(
            r#"[{"action":"team.add_member","actor":"a","login":"b","type":"User","avatar_url":"x"}]"#
        ));
        assert!(!recognise(r#"{"kind":"admin#directory#users","users":[]}"#));
        assert!(!recognise(
            r#"[{"id":"00u1","status":"ACTIVE","profile":{"login":"a@x.test"}}]"#
        ));
    }
}
