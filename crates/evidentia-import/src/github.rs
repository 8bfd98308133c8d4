//! Reads GitHub organization and enterprise audit logs (REST export as a JSON array, or JSON lines from streaming) into executions.
//!
//! Every event is keyed by its `action`; membership, role and key events become executions and
//! everything else is skipped and counted by action. Fields are read as GitHub's audit-log
//! REST API and audit-log streaming write them: `actor`, the target `user` (or `invitee`,
//! `user_login`, `email`), `org`, `team`, `repo` (or `repository`), `@timestamp` or
//! `created_at` (epoch milliseconds, or a date-time string as data lakes re-write it) and
//! `_document_id`.
//!
//! | action | action recorded | account | entitlement |
//! |---|---|---|---|
//! | `org.add_member` | create_account | user | org |
//! | `org.remove_member` | delete | user | org |
//! | `org.invite_member`, `org.invite_user`, `invite_member` | create_account, **queued** | invitee | org |
//! | `org.update_member` to `admin`/`owner` | grant | user | `org:owner` |
//! | `org.update_member` to any other role | revoke | user | `org:owner` |
//! | `org.add_outside_collaborator`, `org.remove_outside_collaborator` | grant / revoke | user | repo, else org |
//! | `team.add_member`, `team.remove_member` | grant / revoke | user | team (`org/team`) |
//! | `repo.add_member`, `repo.remove_member` | grant / revoke | user | repo, `repo:permission` when given |
//! | `repo.update_member` | grant | user | `repo:permission` |
//! | `organization_moderators.add_user`, `.remove_user` | grant / revoke | user | `org:moderator` |
//! | `business.add_admin`, `business.remove_admin` | grant / revoke | user | `business:enterprise-owner` |
//! | `business.invite_admin` | grant, **queued** | invitee | `business:enterprise-owner` |
//! | `public_key.create`, `.delete`; `deploy_key.create`, `.delete` | credential_created / credential_deleted | the repo for a deploy key, else user (or actor) | key title or fingerprint |
//! | `personal_access_token.access_granted`, `.access_revoked` | credential_created / credential_deleted | token owner (`user`, else actor) | org |
//! | `org_credential_authorization.grant`, `.revoke`, `.deauthorized` | credential_created / credential_deleted | user (or actor) | org |
//! | `integration_installation.create`, `.destroy` (`.delete`) | create_account / delete | the app (`name`, `integration`) | org |
//! | `integration_installation.suspend`, `.unsuspend` | disable / enable | the app | org |
//! | anything else (`repo.access`, `team.create`, policy toggles, ...) | skipped as `<action> (<reason>)` (`not recognised` for actions nobody decided about) | | |
//!
//! Activity (kept as `ActivitySummary`s; `--activity` chooses which): `git.clone`, `git.push`
//! and `git.fetch` (the enterprise audit log's git events) are API calls of `actor`, the login
//! executions name accounts by, non-interactive and succeeded (GitHub logs only operations that
//! ran). The client is `user_agent`, else `transport_protocol_name` (`http`, `ssh`); the event
//! id `_document_id`. A git event without an actor is skipped as `<action> (no account)`; one
//! without a usable time as `<action> (undated)`, with one warning per file. No other event is
//! activity: `repo.access` and the like are settings, not use.
//!
//! Decisions: organization membership is the GitHub account as far as the organization
//! controls it, so joining and leaving the org create and delete the account, qualified by
//! the org. An invitation is not yet access: it is recorded as a queued account creation, so
//! an invitation never accepted shows as an unconfirmed execution rather than as access.
//! An installed GitHub App is a non-human identity in the organization, so its installation
//! is an account creation. An `org.update_member` without the new role, or any membership
//! event that names no target or has no time, is read but too incomplete to be evidence: a
//! warning, not an invalid row (real exports contain such events); a field present with the
//! wrong type or a time that does not parse is a diagnostic. Epoch numbers below 10^11 are read as
//! seconds, larger ones as milliseconds (GitHub writes milliseconds).

use std::io::Read;

use evidentia_domain::{
    ActivityChannel, Execution, Outcome, ProvisioningAction, Record, SystemId, Timestamp,
};
use serde_json::Value;

use crate::json_stream::{self, Failure, Problem, RecordView};
use crate::{
    ACTIVITY_NOT_CAPTURED, ActivityCapture, Format, ImportContext, ImportError, ImportSummary,
    Location, NOT_RECOGNISED, Observation, Progress, RecordSink, skip_key,
};

/// Reads a GitHub audit log export.
pub fn import(
    input: &mut dyn Read,
    ctx: &ImportContext,
    sink: &mut dyn RecordSink,
    progress: &mut dyn FnMut(Progress),
) -> Result<ImportSummary, ImportError> {
    let system = ctx
        .system
        .clone()
        .or_else(|| Format::Github.default_system())
        .unwrap_or_else(|| SystemId::new("github"));
    let mut summary = ImportSummary::default();
    let mut undated: (u64, Option<Location>) = (0, None);
    let stream = json_stream::read_records(input, ctx, &[], progress, &mut |value, location| {
        match convert(&value, &location, &system, ctx.activity) {
            Ok(Converted::Record(execution)) => {
                summary.deliver(sink, Record::Execution(*execution), location)?;
            }
            Ok(Converted::Skip(action)) => summary.skip(action),
            Ok(Converted::ApiCall(call)) => {
                let observation = Observation {
                    credential: None,
                    system: &system,
                    account: &call.account,
                    channel: ActivityChannel::ApiCall,
                    interactive: false,
                    outcome: Outcome::Succeeded,
                    at: call.at,
                    event_type: &call.action,
                    source_event_id: call.id.as_deref(),
                    client: call.client.as_deref(),
                };
                summary.observe(ctx, &observation, &location);
            }
            Ok(Converted::Undated(action)) => {
                summary.skip(format!("{action} (undated)"));
                undated.0 += 1;
                undated.1.get_or_insert(location);
            }
            Err(failure) => failure.record(&mut summary, ctx),
        }
        Ok(())
    })?;
    summary.absorb(stream);
    if let (count, Some(first)) = undated {
        summary.warn(ctx.diagnostic(
            first,
            format!(
                "{count} git event(s) have no `@timestamp` or `created_at`, or one that is not \
                 a time, so they prove no use at any time and were counted as skipped \
                 (`<action> (undated)`); this is the first"
            ),
        ));
    }
    summary
        .diagnostics
        .sort_by(|a, b| a.location.cmp(&b.location));
    summary.warnings.sort_by(|a, b| a.location.cmp(&b.location));
    Ok(summary)
}

/// What one audit event turns into.
#[derive(Debug)]
enum Converted {
    Record(Box<Execution>),
    Skip(String),
    ApiCall(GitCall),
    /// A git event with no usable time: skipped under its action and warned about once.
    Undated(String),
}

/// One git operation, owned until it is folded into the activity book.
#[derive(Debug)]
struct GitCall {
    account: String,
    at: Timestamp,
    action: String,
    id: Option<String>,
    client: Option<String>,
}

/// Why an action with no mapping is skipped, for the skip key `<action> (<reason>)`; actions
/// nobody decided about are [`NOT_RECOGNISED`].
fn skip_reason(action: &str) -> &'static str {
    let org_setting = action.starts_with("org.")
        && ["enable", "disable", "set_", "saml", "update_"]
            .iter()
            .any(|w| action.contains(w));
    match action {
        "repo.access" => "a repository's visibility, not an account's access",
        "team.create" | "team.destroy" => {
            "the team itself: its members' access is recorded by team.add_member and team.remove_member"
        }
        "team.add_repository" | "team.remove_repository" => {
            "a team's access to a repository, not one account's"
        }
        _ if org_setting => "an organization setting, not an account's access",
        _ => NOT_RECOGNISED,
    }
}

/// Git operations over HTTPS or SSH: the account's credentials in use.
const GIT_ACTIONS: [&str; 3] = ["git.clone", "git.push", "git.fetch"];

/// A git event as an API call of its actor, when the import keeps API calls.
fn git_call(
    view: &RecordView<'_>,
    action: String,
    capture: ActivityCapture,
) -> Result<Converted, Failure> {
    // Decided before reading anything else, so `--activity none` reads events as before.
    if !capture.keeps(ActivityChannel::ApiCall) {
        return Ok(Converted::Skip(skip_key(&action, ACTIVITY_NOT_CAPTURED)));
    }
    let Some(account) = view.opt_str(&["actor"])? else {
        return Ok(Converted::Skip(format!("{action} (no account)")));
    };
    let Ok(at) = event_time(view) else {
        return Ok(Converted::Undated(action));
    };
    Ok(Converted::ApiCall(GitCall {
        account,
        at,
        id: first_str(view, &["_document_id", "document_id", "id"])?,
        client: first_str(view, &["user_agent", "transport_protocol_name"])?,
        action,
    }))
}

/// Whom an action targets, which decides where its account name comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    User,
    /// A key: the repository for deploy keys, else the user or the actor.
    Key,
    /// A token or credential authorization: the user, else the actor.
    Holder,
    App,
}

/// How the entitlement is named.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scope {
    Org,
    OrgRole(&'static str),
    Team,
    Repo,
    RepoOrOrg,
    EnterpriseOwner,
    KeyName,
    /// `org.update_member`: decided by the new role.
    OrgOwnerByRole,
}

/// The mapping table in the module docs, as data.
fn mapping(action: &str) -> Option<(ProvisioningAction, Outcome, Target, Scope)> {
    use Outcome::{Queued, Succeeded};
    use ProvisioningAction as A;
    use Scope as S;
    use Target as T;
    Some(match action {
        "org.add_member" => (A::CreateAccount, Succeeded, T::User, S::Org),
        "org.remove_member" => (A::Delete, Succeeded, T::User, S::Org),
        "org.invite_member" | "org.invite_user" | "invite_member" => {
            (A::CreateAccount, Queued, T::User, S::Org)
        }
        "org.update_member" => (A::Grant, Succeeded, T::User, S::OrgOwnerByRole),
        "org.add_outside_collaborator" => (A::Grant, Succeeded, T::User, S::RepoOrOrg),
        "org.remove_outside_collaborator" => (A::Revoke, Succeeded, T::User, S::RepoOrOrg),
        "team.add_member" => (A::Grant, Succeeded, T::User, S::Team),
        "team.remove_member" => (A::Revoke, Succeeded, T::User, S::Team),
        "repo.add_member" | "repo.update_member" => (A::Grant, Succeeded, T::User, S::Repo),
        "repo.remove_member" => (A::Revoke, Succeeded, T::User, S::Repo),
        "organization_moderators.add_user" => {
            (A::Grant, Succeeded, T::User, S::OrgRole("moderator"))
        }
        "organization_moderators.remove_user" => {
            (A::Revoke, Succeeded, T::User, S::OrgRole("moderator"))
        }
        "business.add_admin" => (A::Grant, Succeeded, T::User, S::EnterpriseOwner),
        "business.remove_admin" => (A::Revoke, Succeeded, T::User, S::EnterpriseOwner),
        "business.invite_admin" => (A::Grant, Queued, T::User, S::EnterpriseOwner),
        "public_key.create" | "deploy_key.create" => {
            (A::CredentialCreated, Succeeded, T::Key, S::KeyName)
        }
        "public_key.delete" | "deploy_key.delete" => {
            (A::CredentialDeleted, Succeeded, T::Key, S::KeyName)
        }
        "personal_access_token.access_granted" | "org_credential_authorization.grant" => {
            (A::CredentialCreated, Succeeded, T::Holder, S::Org)
        }
        "personal_access_token.access_revoked"
        | "org_credential_authorization.revoke"
        | "org_credential_authorization.deauthorized" => {
            (A::CredentialDeleted, Succeeded, T::Holder, S::Org)
        }
        "integration_installation.create" => (A::CreateAccount, Succeeded, T::App, S::Org),
        "integration_installation.destroy" | "integration_installation.delete" => {
            (A::Delete, Succeeded, T::App, S::Org)
        }
        "integration_installation.suspend" => (A::Disable, Succeeded, T::App, S::Org),
        "integration_installation.unsuspend" => (A::Enable, Succeeded, T::App, S::Org),
        _ => return None,
    })
}

fn convert(
    value: &Value,
    location: &Location,
    system: &SystemId,
    capture: ActivityCapture,
) -> Result<Converted, Failure> {
    if !value.is_object() {
        return Err(Problem {
            location: location.clone(),
            reason: format!(
                "expected an audit event object but found {}",
                json_stream::kind_of(value)
            ),
        }
        .into());
    }
    let view = RecordView::new(value, location);
    let action = view.req_str(&["action"])?;
    if GIT_ACTIONS.contains(&action.as_str()) {
        return git_call(&view, action, capture);
    }
    let Some((mut action_kind, outcome, target, scope)) = mapping(&action) else {
        return Ok(Converted::Skip(skip_key(&action, skip_reason(&action))));
    };
    let actor = view.opt_str(&["actor"])?;
    let user = first_str(
        &view,
        &["user", "invitee", "user_login", "email", "invitee_email"],
    )?;
    let repo = first_str(&view, &["repo", "repository"])?;
    // Organization-level events sometimes name only the repository; its owner is the org.
    let org = first_str(&view, &["org", "organization"])?.or_else(|| {
        repo.as_deref()
            .and_then(|r| r.split_once('/'))
            .map(|(o, _)| o.to_owned())
    });

    let account = match target {
        Target::User => user,
        Target::Key => repo.clone().or(user).or_else(|| actor.clone()),
        Target::Holder => user.or_else(|| actor.clone()),
        Target::App => first_str(&view, &["name", "integration", "app", "application"])?,
    };
    let Some(account) = account else {
        let wanted = match target {
            Target::App => "the app (`name` or `integration`)",
            _ => "whom it concerns (`user`)",
        };
        return Err(Failure::incomplete(
            view.location_of(&["user"]),
            format!("`{action}` does not name {wanted}"),
        ));
    };

    let org_or = |suffix: &str| match &org {
        Some(o) => format!("{o}:{suffix}"),
        None => suffix.to_owned(),
    };
    let entitlement = match scope {
        Scope::Org => org.clone(),
        Scope::OrgRole(role) => Some(org_or(role)),
        Scope::Team => {
            let team = first_str(&view, &["team"])?.or(nested_str(&view, &["data", "team"])?);
            let Some(team) = team else {
                return Err(Failure::incomplete(
                    view.location_of(&["team"]),
                    format!("`{action}` does not name the team"),
                ));
            };
            // Streaming writes `org/team`; older exports the bare slug.
            Some(match (&org, team.contains('/')) {
                (Some(o), false) => format!("{o}/{team}"),
                _ => team,
            })
        }
        Scope::Repo => {
            let Some(repo) = repo else {
                return Err(Failure::incomplete(
                    view.location_of(&["repo"]),
                    format!("`{action}` does not name the repository"),
                ));
            };
            let permission = first_str(&view, &["permission", "role"])?;
            Some(match permission {
                Some(p) => format!("{repo}:{}", p.to_ascii_lowercase()),
                None => repo,
            })
        }
        Scope::RepoOrOrg => repo.or_else(|| org.clone()),
        Scope::EnterpriseOwner => {
            let business = first_str(&view, &["business", "enterprise"])?;
            Some(match business {
                Some(b) => format!("{b}:enterprise-owner"),
                None => "enterprise-owner".to_owned(),
            })
        }
        Scope::KeyName => first_str(&view, &["title", "fingerprint", "key", "public_key_id"])?,
        Scope::OrgOwnerByRole => {
            let Some(role) = first_str(&view, &["permission", "role", "new_role"])? else {
                return Err(Failure::incomplete(
                    view.location_of(&["permission"]),
                    "`org.update_member` does not say the new role (`permission`), so whether \
                     access was added or removed is unknown",
                ));
            };
            let role = role.to_ascii_lowercase();
            if role != "admin" && role != "owner" {
                action_kind = ProvisioningAction::Revoke;
            }
            Some(org_or("owner"))
        }
    };

    let at = event_time(&view)?;
    let source_event_id = first_str(&view, &["_document_id", "document_id", "id"])?;
    Ok(Converted::Record(Box::new(Execution {
        system: system.clone(),
        account: account.into(),
        action: action_kind,
        entitlement: entitlement.map(Into::into),
        actor: actor.map(Into::into),
        at,
        outcome,
        failure_reason: None,
        request_ref: None,
        source_event_id: source_event_id.map(Into::into),
        source_event_type: Some(action.into()),
    })))
}

/// The first of several alternative string fields that is present.
fn first_str(view: &RecordView<'_>, keys: &[&str]) -> Result<Option<String>, Problem> {
    for key in keys {
        if let Some(found) = view.opt_str(&[key])? {
            return Ok(Some(found));
        }
    }
    Ok(None)
}

/// A nested string field that may be absent or of another type (then ignored).
fn nested_str(view: &RecordView<'_>, path: &[&str]) -> Result<Option<String>, Problem> {
    match view.get(path) {
        Some(Value::String(_)) | Some(Value::Number(_)) => view.opt_str(path),
        _ => Ok(None),
    }
}

/// `@timestamp` (streaming), `created_at` (REST), or the data-lake spelling of `@timestamp`.
fn event_time(view: &RecordView<'_>) -> Result<Timestamp, Failure> {
    for key in ["@timestamp", "created_at", "at_sign_timestamp", "timestamp"] {
        let Some((value, location)) = view.lookup(&[key]) else {
            continue;
        };
        let parsed = match value {
            Value::Null => continue,
            Value::Number(n) => n.as_i64().and_then(from_epoch),
            Value::String(s)
                if !s.trim().is_empty() && s.trim().bytes().all(|b| b.is_ascii_digit()) =>
            {
                s.trim().parse::<i64>().ok().and_then(from_epoch)
            }
            Value::String(s) => json_stream::parse_timestamp(s),
            _ => None,
        };
        return parsed.ok_or_else(|| {
            Failure::Invalid(Problem {
                location,
                reason: format!(
                    "`{}` is not a time (expected epoch milliseconds or ISO 8601)",
                    value_text(value)
                ),
            })
        });
    }
    Err(Failure::incomplete(
        view.location_of(&["@timestamp"]),
        "the event has no time (`@timestamp` or `created_at`)",
    ))
}

fn from_epoch(n: i64) -> Option<Timestamp> {
    if n.unsigned_abs() < 100_000_000_000 {
        chrono::DateTime::from_timestamp(n, 0)
    } else {
        chrono::DateTime::from_timestamp_millis(n)
    }
}

/// A short rendering of a value for a diagnostic, cut on a character boundary.
fn value_text(value: &Value) -> String {
    let text = match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    text.chars().take(80).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const REPO: &str = "a repository's visibility, not an account's access";
    use crate::Origin;
    use chrono::TimeZone;

    fn run(text: &str) -> (Vec<(Execution, Location)>, ImportSummary) {
        let ctx = ImportContext::new("audit.json");
        let mut sink: Vec<(Record, Origin)> = Vec::new();
        let mut input = text.as_bytes();
        let summary = import(&mut input, &ctx, &mut sink, &mut |_| {})
            .unwrap_or_else(|e| panic!("import failed: {e}"));
        let execs = sink
            .into_iter()
            .map(|(r, o)| match r {
                Record::Execution(e) => (e, o.location),
                other => panic!("unexpected {other:?}"),
            })
            .collect();
        (execs, summary)
    }

    fn one(line: &str) -> Execution {
        let (mut execs, summary) = run(line);
        assert!(summary.diagnostics.is_empty(), "{:?}", summary.diagnostics);
        assert_eq!(execs.len(), 1, "{line}");
        execs.remove(0).0
    }

    #[test]
    fn membership_events_map_to_actions_and_entitlements() {
        use ProvisioningAction as A;
        let check = |line: &str, action: A, account: &str, entitlement: Option<&str>| {
            let e = one(line);
            assert_eq!(
                (e.action, e.account.as_str(), e.entitlement.as_deref()),
                (action, account, entitlement),
                "{line}"
            );
        };
        let t = r#""@timestamp":1700000000000"#;
        check(
            &format!(r#"{{"action":"org.add_member","user":"ann","org":"acme",{t}}}"#),
            A::CreateAccount,
            "ann",
            Some("acme"),
        );
        check(
            &format!(
                r#"{{"action":"team.add_member","user":"ann","org":"acme","team":"ops",{t}}}"#
            ),
            A::Grant,
            "ann",
            Some("acme/ops"),
        );
        check(
            &format!(r#"{{"action":"team.remove_member","user":"ann","team":"acme/ops",{t}}}"#),
            A::Revoke,
            "ann",
            Some("acme/ops"),
        );
        check(
            &format!(
                r#"{{"action":"repo.update_member","user":"ann","repo":"acme/api","permission":"WRITE",{t}}}"#
            ),
            A::Grant,
            "ann",
            Some("acme/api:write"),
        );
        check(
            &format!(
                r#"{{"action":"org.update_member","user":"ann","org":"acme","permission":"admin",{t}}}"#
            ),
            A::Grant,
            "ann",
            Some("acme:owner"),
        );
        check(
            &format!(
                r#"{{"action":"org.update_member","user":"ann","org":"acme","permission":"read",{t}}}"#
            ),
            A::Revoke,
            "ann",
            Some("acme:owner"),
        );
        check(
            &format!(r#"{{"action":"business.add_admin","user":"ann","business":"bigco",{t}}}"#),
            A::Grant,
            "ann",
            Some("bigco:enterprise-owner"),
        );
        check(
            &format!(r#"{{"action":"public_key.create","actor":"ann","title":"laptop",{t}}}"#),
            A::CredentialCreated,
            "ann",
            Some("laptop"),
        );
        check(
            &format!(
                r#"{{"action":"integration_installation.create","name":"CI bot","org":"acme",{t}}}"#
            ),
            A::CreateAccount,
            "CI bot",
            Some("acme"),
        );
    }

    #[test]
    fn invitations_are_queued_and_times_accept_both_spellings() {
        let e = one(
            r#"{"action":"org.invite_member","user":"bob","org":"acme","created_at":1621305118553,"_document_id":"d1"}"#,
        );
        assert_eq!(e.outcome, Outcome::Queued);
        assert_eq!(
            e.at,
            chrono::Utc
                .timestamp_millis_opt(1621305118553)
                .single()
                .expect("valid")
        );
        assert_eq!(e.source_event_id.as_deref(), Some("d1"));
        let e = one(
            r#"{"action":"org.remove_member","user":"bob","org":"acme","created_at":"2022-12-11 05:17:28.078"}"#,
        );
        assert_eq!(
            e.at,
            chrono::Utc
                .with_ymd_and_hms(2022, 12, 11, 5, 17, 28)
                .single()
                .expect("valid")
                + chrono::Duration::milliseconds(78)
        );
        let e = one(
            r#"{"action":"org.remove_member","user":"bob","org":"acme","@timestamp":1621305118}"#,
        );
        assert_eq!(
            e.at,
            chrono::Utc
                .with_ymd_and_hms(2021, 5, 18, 2, 31, 58)
                .single()
                .expect("valid")
        );
    }

    #[test]
    fn problems_are_diagnostics_with_pointers() {
        let text = "{\"action\":\"org.add_member\",\"user\":\"a\",\"created_at\":\"yesterday\"}\n\
                    {\"action\":\"org.add_member\",\"created_at\":1}\n\
                    {\"action\":\"org.add_member\",\"user\":\n\
                    [1,2]\n\
                    {\"action\":\"repo.access\"}\n\
                    {\"user\":\"x\"}\n";
        let (execs, summary) = run(text);
        assert!(execs.is_empty());
        assert_eq!(
            summary.skipped.get(&skip_key("repo.access", REPO)),
            Some(&1)
        );
        let found: Vec<_> = summary
            .diagnostics
            .iter()
            .map(|d| d.location.to_string())
            .collect();
        assert_eq!(
            found,
            ["line 1 /created_at", "line 3", "line 4", "line 6 /action"],
            "{:?}",
            summary.diagnostics
        );
        assert!(
            summary.diagnostics[0]
                .reason
                .contains("`yesterday` is not a time")
        );
        // A recognised event that names nobody is incomplete, not malformed: a warning.
        let warned: Vec<_> = summary.warnings.iter().map(|d| d.to_string()).collect();
        assert_eq!(
            warned,
            ["audit.json:line 2 /user: `org.add_member` does not name whom it concerns (`user`)"]
        );
    }

    fn run_capture(
        text: &str,
        capture: ActivityCapture,
    ) -> (ImportSummary, Vec<evidentia_domain::ActivitySummary>) {
        let (summary, records) = crate::activity::import_capturing(
            crate::Format::Github,
            "audit.json",
            text.as_bytes(),
            capture,
        );
        (summary, crate::activity::summaries(records))
    }

    #[test]
    fn git_operations_are_api_calls_of_the_actor() {
        let text = "{\"action\":\"git.clone\",\"actor\":\"ann\",\"repo\":\"acme/api\",\"@timestamp\":1700000100000,\"_document_id\":\"d2\",\"transport_protocol_name\":\"http\"}\n\
                    {\"action\":\"git.push\",\"actor\":\"ann\",\"repo\":\"acme/api\",\"@timestamp\":1700000000000,\"_document_id\":\"d1\",\"transport_protocol_name\":\"ssh\"}\n\
                    {\"action\":\"git.fetch\",\"repo\":\"acme/api\",\"@timestamp\":1700000000000}\n\
                    {\"action\":\"git.fetch\",\"actor\":\"bob\",\"@timestamp\":\"never\"}\n\
                    {\"action\":\"repo.access\",\"actor\":\"ann\",\"@timestamp\":1700000000000}\n";
        let (summary, activity) = run_capture(text, ActivityCapture::All);
        assert!(summary.diagnostics.is_empty(), "{:?}", summary.diagnostics);
        assert_eq!(
            summary.skipped,
            [
                ("git.fetch (no account)".to_owned(), 1),
                ("git.fetch (undated)".to_owned(), 1),
                (skip_key("repo.access", REPO), 1),
            ]
            .into()
        );
        assert_eq!(summary.warnings.len(), 1);
        assert_eq!(summary.warnings[0].location.to_string(), "line 4");
        assert_eq!(activity.len(), 1);
        let ann = &activity[0];
        assert_eq!(ann.account, "ann");
        assert_eq!(ann.system.as_str(), "github");
        assert_eq!(ann.channel, evidentia_domain::ActivityChannel::ApiCall);
        assert!(!ann.interactive);
        assert_eq!((ann.outcome, ann.count), (Outcome::Succeeded, 2));
        assert_eq!(ann.first.location, "line 2");
        assert_eq!(ann.first.source_event_id.as_deref(), Some("d1"));
        assert_eq!(ann.last.location, "line 1");
        assert_eq!(ann.event_types, ["git.clone", "git.push"]);
        assert_eq!(ann.clients, ["http", "ssh"]);

        // Git operations are API calls: kept by neither `sign-ins` nor `none`.
        for capture in [ActivityCapture::SignIns, ActivityCapture::None] {
            let (summary, activity) = run_capture(text, capture);
            assert!(activity.is_empty());
            assert_eq!(
                summary.skipped,
                [
                    (skip_key("git.clone", ACTIVITY_NOT_CAPTURED), 1),
                    (skip_key("git.fetch", ACTIVITY_NOT_CAPTURED), 2),
                    (skip_key("git.push", ACTIVITY_NOT_CAPTURED), 1),
                    (skip_key("repo.access", REPO), 1),
                ]
                .into()
            );
            assert!(summary.warnings.is_empty());
        }
    }

    #[test]
    fn arrays_are_located_by_pointer_and_junk_is_unreadable() {
        let (execs, summary) = run(
            r#"[{"action":"org.add_member","user":"a","org":"o","created_at":1621305118553},{"action":"team.create"}]"#,
        );
        assert_eq!(execs.len(), 1);
        assert_eq!(execs[0].1, Location::Pointer("/0".into()));
        assert_eq!(
            summary
                .skipped
                .get(&skip_key("team.create", skip_reason("team.create"))),
            Some(&1)
        );
        assert_eq!(skip_reason("org.some_future_action"), NOT_RECOGNISED);
        let ctx = ImportContext::new("x");
        let mut sink: Vec<(Record, Origin)> = Vec::new();
        for junk in [&b""[..], b"\x00\x01binary", b"[{\"action\":"] {
            let mut input = junk;
            assert!(matches!(
                import(&mut input, &ctx, &mut sink, &mut |_| {}),
                Err(ImportError::Unreadable(_))
            ));
        }
    }
}
