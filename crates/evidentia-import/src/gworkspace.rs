//! Reads Google Workspace audit activities (Reports API `activities.list` pages or one activity per line) into executions.
//!
//! Accepted shapes: the API's `{"kind":"admin#reports#activities","items":[...]}` page, a bare
//! array of activities, or JSON lines of activities. An activity carries `id.time`,
//! `id.uniqueQualifier`, `id.applicationName`, `actor.email` and `events[]`, each event with
//! `type`, `name` and `parameters[]` of `{name, value | multiValue | intValue | boolValue}`;
//! each event is its own record, located at `/items/3/events/0` (or line + `/events/0`).
//! Data-lake exports that flatten one event into the activity (top-level `name`, `type` and
//! `parameters` as an object) are read the same way, located at the activity itself.
//! Skipped events are counted under `application:name` (`admin:CHANGE_CALENDAR_SETTING`).
//!
//! | application | event | action | account | entitlement |
//! |---|---|---|---|---|
//! | admin | `CREATE_USER` | create_account | `USER_EMAIL` | |
//! | admin | `DELETE_USER` | delete | `USER_EMAIL` | |
//! | admin | `SUSPEND_USER` / `UNSUSPEND_USER`, `UNDELETE_USER` | disable / enable | `USER_EMAIL` | |
//! | admin | `CHANGE_PASSWORD` | credential_rotated | `USER_EMAIL` | |
//! | admin | `ADD_GROUP_MEMBER` / `REMOVE_GROUP_MEMBER` | grant / revoke | `USER_EMAIL` | `GROUP_EMAIL` |
//! | admin | `ASSIGN_ROLE` / `UNASSIGN_ROLE` | grant / revoke | `USER_EMAIL` | `ROLE_NAME` |
//! | admin | `GRANT_ADMIN_PRIVILEGE` / `REVOKE_ADMIN_PRIVILEGE` | grant / revoke | `USER_EMAIL` | `Super Admin` |
//! | admin | `GRANT_DELEGATED_ADMIN_PRIVILEGES` / `REVOKE_...` | grant / revoke | `USER_EMAIL` | `ROLE_NAME`, else `Delegated Admin` |
//! | groups, groups_enterprise | `add_member`, `add_user`, `join`, `accept_invitation`, `approve_join_request` | grant | member (`member_id`, `user_email`, ...; the actor for `join`/`accept_invitation`) | group (`group_id`, `group_email`, ...) |
//! | groups, groups_enterprise | `remove_member`, `remove_user`, `leave`, `ban_user`, `ban_user_with_moderation` | revoke | as above (the actor for `leave`) | group |
//! | login | `account_disabled_*` (Google suspending an account) | disable | `affected_email_address` | |
//! | user_accounts | `password_edit` | credential_rotated | the actor | |
//! | token | `authorize` / `revoke` (OAuth grants to third-party apps) | credential_created / credential_deleted | the actor | `app_name`, else `client_id` |
//! | anything else (settings, `CREATE_ROLE`, `DELETE_ROLE`, 2SV enrolment, ...) | | skipped as `<app>:<name> (<reason>)` (`not recognised` for events nobody decided about) | | |
//!
//! Activity (kept as `ActivitySummary`s; `--activity` chooses which):
//!
//! | application | event | channel | interactive | account | outcome |
//! |---|---|---|---|---|---|
//! | login | `login_success` | sign_in | yes | `actor.email` | succeeded |
//! | login | `login_failure` | sign_in | yes | `actor.email` | failed |
//!
//! The account is the actor's e-mail, as executions name Workspace users. `logout`,
//! `login_challenge` and `login_verification` are steps around a sign-in, not one, and stay
//! skipped. A sign-in without `actor.email` is skipped as `login:<name> (no account)`; one
//! without a usable `id.time` as `login:<name> (undated)`, with one warning per file. The
//! event id is `id.uniqueQualifier` (with `/<index>` as for executions); Google names no client.
//!
//! Decisions: creating or deleting a role *definition* grants or removes nobody's access;
//! the assignments (`ASSIGN_ROLE`, `UNASSIGN_ROLE`) are the evidence, so definitions are
//! skipped. A ban removes a member from a group, so it is a revoke. An OAuth grant issues a
//! token to an app on the user's behalf: a credential of that user's, named by the app, so a
//! leaver's grants show up among what must be revoked. Two-step verification and recovery
//! changes are account security settings rather than provisioning, and are skipped. An event
//! that maps but names no account or group, or has no `id.time`, is read but too incomplete
//! to be evidence: a warning, not an invalid row (real exports contain such events). A field
//! of the wrong type or an `id.time` that does not parse is a diagnostic.

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

/// Reads a Google Workspace Reports API export.
pub fn import(
    input: &mut dyn Read,
    ctx: &ImportContext,
    sink: &mut dyn RecordSink,
    progress: &mut dyn FnMut(Progress),
) -> Result<ImportSummary, ImportError> {
    let system = ctx
        .system
        .clone()
        .or_else(|| Format::Gworkspace.default_system())
        .unwrap_or_else(|| SystemId::new("google-workspace"));
    let mut summary = ImportSummary::default();
    let mut undated: (u64, Option<Location>) = (0, None);
    let stream =
        json_stream::read_records(input, ctx, &["items"], progress, &mut |value, location| {
            for (result, at) in convert(&value, &location, &system, ctx.activity) {
                match result {
                    Ok(Converted::Record(execution)) => {
                        summary.deliver(sink, Record::Execution(*execution), at)?;
                    }
                    Ok(Converted::Skip(key)) => summary.skip(key),
                    Ok(Converted::SignIn(s)) => {
                        let observation = Observation {
                            credential: None,
                            system: &system,
                            account: &s.account,
                            channel: ActivityChannel::SignIn,
                            interactive: true,
                            outcome: s.outcome,
                            at: s.at,
                            event_type: &s.key,
                            source_event_id: s.id.as_deref(),
                            client: None,
                        };
                        summary.observe(ctx, &observation, &at);
                    }
                    Ok(Converted::Undated(key)) => {
                        summary.skip(format!("{key} (undated)"));
                        undated.0 += 1;
                        undated.1.get_or_insert(at);
                    }
                    Err(failure) => failure.record(&mut summary, ctx),
                }
            }
            Ok(())
        })?;
    summary.absorb(stream);
    if let (count, Some(first)) = undated {
        summary.warn(ctx.diagnostic(
            first,
            format!(
                "{count} sign-in(s) have no `id.time` or one that is not a time, so they prove \
                 no use at any time and were counted as skipped (`login:<name> (undated)`); \
                 this is the first"
            ),
        ));
    }
    summary
        .diagnostics
        .sort_by(|a, b| a.location.cmp(&b.location));
    summary.warnings.sort_by(|a, b| a.location.cmp(&b.location));
    Ok(summary)
}

#[derive(Debug)]
enum Converted {
    Record(Box<Execution>),
    Skip(String),
    SignIn(SignIn),
    /// A sign-in with no usable time: skipped under its key and warned about once.
    Undated(String),
}

/// One sign-in, owned until it is folded into the activity book.
#[derive(Debug)]
struct SignIn {
    account: String,
    outcome: Outcome,
    at: Timestamp,
    key: String,
    id: Option<String>,
}

/// A `login` application event that is a sign-in, and its outcome; `logout`,
/// `login_challenge` and `login_verification` are steps around a sign-in, not one.
fn sign_in_outcome(app: &str, name: &str) -> Option<Outcome> {
    match (app, name) {
        ("login", "login_success") => Some(Outcome::Succeeded),
        ("login", "login_failure") => Some(Outcome::Failed),
        _ => None,
    }
}

/// Where an event's account comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Account {
    /// These parameters, in order.
    Param(&'static [&'static str]),
    /// These parameters, else the actor (members joining or leaving themselves).
    ParamOrActor(&'static [&'static str]),
    Actor,
}

/// Where an event's entitlement comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Entitlement {
    None,
    Param(&'static [&'static str]),
    ParamOr(&'static [&'static str], &'static str),
    Fixed(&'static str),
}

const USER: &[&str] = &["USER_EMAIL"];
const MEMBER: &[&str] = &[
    "member_id",
    "member_email",
    "user_email",
    "USER_EMAIL",
    "member",
];
const GROUP: &[&str] = &["group_id", "group_email", "GROUP_EMAIL", "group_name"];

/// The mapping table in the module docs, as data.
fn mapping(app: &str, name: &str) -> Option<(ProvisioningAction, Account, Entitlement)> {
    use Account as Ac;
    use Entitlement as E;
    use ProvisioningAction as A;
    Some(match (app, name) {
        ("admin", "CREATE_USER") => (A::CreateAccount, Ac::Param(USER), E::None),
        ("admin", "DELETE_USER") => (A::Delete, Ac::Param(USER), E::None),
        ("admin", "SUSPEND_USER") => (A::Disable, Ac::Param(USER), E::None),
        ("admin", "UNSUSPEND_USER" | "UNDELETE_USER") => (A::Enable, Ac::Param(USER), E::None),
        ("admin", "CHANGE_PASSWORD") => (A::CredentialRotated, Ac::Param(USER), E::None),
        ("admin", "ADD_GROUP_MEMBER") => (A::Grant, Ac::Param(USER), E::Param(&["GROUP_EMAIL"])),
        ("admin", "REMOVE_GROUP_MEMBER") => {
            (A::Revoke, Ac::Param(USER), E::Param(&["GROUP_EMAIL"]))
        }
        ("admin", "ASSIGN_ROLE") => (A::Grant, Ac::Param(USER), E::Param(&["ROLE_NAME"])),
        ("admin", "UNASSIGN_ROLE") => (A::Revoke, Ac::Param(USER), E::Param(&["ROLE_NAME"])),
        ("admin", "GRANT_ADMIN_PRIVILEGE") => (A::Grant, Ac::Param(USER), E::Fixed("Super Admin")),
        ("admin", "REVOKE_ADMIN_PRIVILEGE") => {
            (A::Revoke, Ac::Param(USER), E::Fixed("Super Admin"))
        }
        ("admin", "GRANT_DELEGATED_ADMIN_PRIVILEGES") => (
            A::Grant,
            Ac::Param(USER),
            E::ParamOr(&["ROLE_NAME"], "Delegated Admin"),
        ),
        ("admin", "REVOKE_DELEGATED_ADMIN_PRIVILEGES") => (
            A::Revoke,
            Ac::Param(USER),
            E::ParamOr(&["ROLE_NAME"], "Delegated Admin"),
        ),
        ("groups" | "groups_enterprise", "add_member" | "add_user" | "approve_join_request") => {
            (A::Grant, Ac::Param(MEMBER), E::Param(GROUP))
        }
        ("groups" | "groups_enterprise", "join" | "accept_invitation") => {
            (A::Grant, Ac::ParamOrActor(MEMBER), E::Param(GROUP))
        }
        (
            "groups" | "groups_enterprise",
            "remove_member" | "remove_user" | "ban_user" | "ban_user_with_moderation",
        ) => (A::Revoke, Ac::Param(MEMBER), E::Param(GROUP)),
        ("groups" | "groups_enterprise", "leave") => {
            (A::Revoke, Ac::ParamOrActor(MEMBER), E::Param(GROUP))
        }
        ("login", n) if n.starts_with("account_disabled") => {
            (A::Disable, Ac::Param(&["affected_email_address"]), E::None)
        }
        ("user_accounts", "password_edit") => (A::CredentialRotated, Ac::Actor, E::None),
        ("token", "authorize") => (
            A::CredentialCreated,
            Ac::Actor,
            E::Param(&["app_name", "client_id"]),
        ),
        ("token", "revoke") => (
            A::CredentialDeleted,
            Ac::Actor,
            E::Param(&["app_name", "client_id"]),
        ),
        _ => return None,
    })
}

/// Converts one activity: one result per event, each with the location of its event.
fn convert(
    value: &Value,
    location: &Location,
    system: &SystemId,
    capture: ActivityCapture,
) -> Vec<(Result<Converted, Failure>, Location)> {
    if !value.is_object() {
        let problem = Problem {
            location: location.clone(),
            reason: format!(
                "expected an activity object but found {}",
                json_stream::kind_of(value)
            ),
        };
        return vec![(Err(problem.into()), location.clone())];
    }
    let view = RecordView::new(value, location);
    match view.lookup(&["events"]) {
        Some((Value::Array(events), events_at)) => {
            let several = events.len() > 1;
            events
                .iter()
                .enumerate()
                .map(|(i, event)| {
                    let at = json_stream::child(&events_at, &i.to_string());
                    let index = several.then_some(i);
                    (convert_event(&view, event, &at, index, system, capture), at)
                })
                .collect()
        }
        Some((other, events_at)) if !other.is_null() => {
            let problem = Problem {
                location: events_at.clone(),
                reason: format!(
                    "expected a list of events but found {}",
                    json_stream::kind_of(other)
                ),
            };
            vec![(Err(problem.into()), events_at)]
        }
        // A flattened event: the activity is its own single event.
        _ if view.get(&["name"]).is_some() => {
            vec![(
                convert_event(&view, value, location, None, system, capture),
                location.clone(),
            )]
        }
        _ => {
            let problem = Problem {
                location: view.location_of(&["events"]),
                reason: "the activity has no `events` (and no flattened event `name`)".into(),
            };
            vec![(Err(problem.into()), location.clone())]
        }
    }
}

fn convert_event(
    activity: &RecordView<'_>,
    event: &Value,
    event_at: &Location,
    index: Option<usize>,
    system: &SystemId,
    capture: ActivityCapture,
) -> Result<Converted, Failure> {
    let ev = RecordView::new(event, event_at);
    let name = ev.req_str(&["name"])?;
    let app = activity
        .opt_str(&["id", "applicationName"])?
        .unwrap_or_default();
    let key = format!("{app}:{name}");
    if let Some(outcome) = sign_in_outcome(&app, &name) {
        return sign_in(activity, key, outcome, index, capture);
    }
    let Some((action, account_from, entitlement_from)) = mapping(&app, &name) else {
        return Ok(Converted::Skip(skip_key(&key, skip_reason(&app, &name))));
    };
    let actor = activity
        .opt_str(&["actor", "email"])?
        .or(activity.opt_str(&["actor", "key"])?)
        .or(activity.opt_str(&["actor", "profileId"])?);
    let missing = |what: &str| {
        Failure::incomplete(
            ev.location_of(&["parameters"]),
            format!("`{key}` does not name {what}"),
        )
    };
    let account = match account_from {
        Account::Param(names) => param(&ev, names),
        Account::ParamOrActor(names) => param(&ev, names).or_else(|| actor.clone()),
        Account::Actor => actor.clone(),
    };
    let Some(account) = account else {
        return Err(match account_from {
            Account::Actor => Failure::incomplete(
                activity.location_of(&["actor", "email"]),
                format!("`{key}` has no actor, whose credential it concerns"),
            ),
            Account::Param(names) | Account::ParamOrActor(names) => {
                missing(&format!("the account (parameter {})", names.join(" or ")))
            }
        });
    };
    let entitlement = match entitlement_from {
        Entitlement::None => None,
        Entitlement::Fixed(text) => Some(text.to_owned()),
        Entitlement::ParamOr(names, fallback) => {
            Some(param(&ev, names).unwrap_or_else(|| fallback.to_owned()))
        }
        Entitlement::Param(names) => match param(&ev, names) {
            Some(found) => Some(found),
            None => return Err(missing(&format!("the {}", names.join(" or ")))),
        },
    };
    let at = event_time(activity)?;
    let source_event_id = event_id(activity, index)?;
    Ok(Converted::Record(Box::new(Execution {
        system: system.clone(),
        account: account.into(),
        action,
        entitlement: entitlement.map(Into::into),
        actor: actor.map(Into::into),
        at,
        outcome: Outcome::Succeeded,
        failure_reason: None,
        request_ref: None,
        source_event_id: source_event_id.map(Into::into),
        source_event_type: Some(key.into()),
    })))
}

/// Why an event with no mapping is skipped, for the skip key `<app>:<name> (<reason>)`; events
/// nobody decided about are [`NOT_RECOGNISED`].
fn skip_reason(app: &str, name: &str) -> &'static str {
    let has = |w: &str| name.contains(w);
    match (app, name) {
        ("admin", "CREATE_ROLE" | "DELETE_ROLE") => {
            "a role defined or deleted, not assigned to anyone"
        }
        ("admin", _) if has("TAKEOUT") => {
            "an export of the organization's data, not an access change"
        }
        ("admin", _)
            if ["SETTING", "APPLICATION", "TRUSTED_DOMAINS", "WHITELIST"]
                .iter()
                .any(|w| has(w)) =>
        {
            "a domain or application setting, not an account's access"
        }
        ("user_accounts", _)
            if ["2sv_", "titanium_", "recovery_", "email_forwarding"]
                .iter()
                .any(|w| has(w)) =>
        {
            "an account's own security or mail setting, not access"
        }
        ("login", _) => "a step of a sign-in, or a sign-out: not a sign-in",
        _ => NOT_RECOGNISED,
    }
}

/// A sign-in by the activity's actor (`actor.email`), when the import keeps sign-ins.
fn sign_in(
    activity: &RecordView<'_>,
    key: String,
    outcome: Outcome,
    index: Option<usize>,
    capture: ActivityCapture,
) -> Result<Converted, Failure> {
    // Decided before reading anything else, so `--activity none` reads events as before.
    if !capture.keeps(ActivityChannel::SignIn) {
        return Ok(Converted::Skip(skip_key(&key, ACTIVITY_NOT_CAPTURED)));
    }
    let Some(account) = activity.opt_str(&["actor", "email"])? else {
        return Ok(Converted::Skip(format!("{key} (no account)")));
    };
    let Some(at) = activity
        .opt_str(&["id", "time"])?
        .and_then(|t| json_stream::parse_timestamp(&t))
    else {
        return Ok(Converted::Undated(key));
    };
    Ok(Converted::SignIn(SignIn {
        account,
        outcome,
        at,
        key,
        id: event_id(activity, index)?,
    }))
}

/// `id.uniqueQualifier`, with the event's index when the activity holds several events.
fn event_id(activity: &RecordView<'_>, index: Option<usize>) -> Result<Option<String>, Problem> {
    Ok(activity
        .opt_str(&["id", "uniqueQualifier"])?
        .map(|id| match index {
            Some(i) => format!("{id}/{i}"),
            None => id,
        }))
}

/// The first of the named parameters present, from the API's list or a flattened object.
fn param(event: &RecordView<'_>, names: &[&str]) -> Option<String> {
    let params = event.get(&["parameters"])?;
    names.iter().find_map(|name| {
        let value = match params {
            Value::Array(list) => {
                let entry = list.iter().find(|p| {
                    json_stream::str_ci(p, "name").is_some_and(|n| n.eq_ignore_ascii_case(name))
                })?;
                [
                    "value",
                    "intValue",
                    "boolValue",
                    "multiValue",
                    "multiIntValue",
                ]
                .iter()
                .find_map(|k| json_stream::get_ci(entry, k).filter(|v| !v.is_null()))?
            }
            Value::Object(_) => json_stream::get_ci(params, name)?,
            _ => return None,
        };
        render(value)
    })
}

/// A parameter value as text; lists are joined, as `multiValue` holds alternatives of one field.
fn render(value: &Value) -> Option<String> {
    let text = match value {
        Value::String(s) => s.trim().to_owned(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Array(items) => items
            .iter()
            .filter_map(render)
            .collect::<Vec<_>>()
            .join(", "),
        _ => return None,
    };
    (!text.is_empty()).then_some(text)
}

fn event_time(activity: &RecordView<'_>) -> Result<Timestamp, Failure> {
    if activity.opt_str(&["id", "time"])?.is_none() {
        return Err(Failure::incomplete(
            activity.location_of(&["id", "time"]),
            "the activity has no time (`id.time`)",
        ));
    }
    Ok(activity.req_time(&["id", "time"])?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Origin;

    fn run(text: &str) -> (Vec<(Execution, Location)>, ImportSummary) {
        let ctx = ImportContext::new("admin.json");
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

    const PAGE: &str = r#"{"kind":"admin#reports#activities","items":[
      {"id":{"time":"2024-02-01T09:00:00.000Z","uniqueQualifier":"-42","applicationName":"admin"},
       "actor":{"email":"admin@acme.com"},
       "events":[
         {"type":"USER_SETTINGS","name":"CREATE_USER","parameters":[{"name":"USER_EMAIL","value":"ann@acme.com"}]},
         {"type":"GROUP_SETTINGS","name":"ADD_GROUP_MEMBER","parameters":[{"name":"USER_EMAIL","value":"ann@acme.com"},{"name":"GROUP_EMAIL","value":"eng@acme.com"}]},
         {"type":"DELEGATED_ADMIN_SETTINGS","name":"ASSIGN_ROLE","parameters":[{"name":"ROLE_NAME","value":"Help Desk Admin"},{"name":"USER_EMAIL","value":"ann@acme.com"}]},
         {"type":"DELEGATED_ADMIN_SETTINGS","name":"CREATE_ROLE","parameters":[{"name":"ROLE_NAME","value":"X"}]}
       ]},
      {"id":{"time":"2024-02-02T09:00:00Z","uniqueQualifier":"7","applicationName":"admin"},
       "actor":{"email":"admin@acme.com"},
       "events":[{"name":"SUSPEND_USER","parameters":[{"name":"USER_EMAIL","value":"bob@acme.com"}]},
                 {"name":"DELETE_USER"}]}
    ]}"#;

    #[test]
    fn each_event_of_an_activity_is_its_own_record() {
        let (execs, summary) = run(PAGE);
        use ProvisioningAction as A;
        let got: Vec<_> = execs
            .iter()
            .map(|(e, l)| {
                (
                    e.action,
                    e.account.as_str(),
                    e.entitlement.as_deref(),
                    l.to_string(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                (
                    A::CreateAccount,
                    "ann@acme.com",
                    None,
                    "/items/0/events/0".to_owned()
                ),
                (
                    A::Grant,
                    "ann@acme.com",
                    Some("eng@acme.com"),
                    "/items/0/events/1".to_owned()
                ),
                (
                    A::Grant,
                    "ann@acme.com",
                    Some("Help Desk Admin"),
                    "/items/0/events/2".to_owned()
                ),
                (
                    A::Disable,
                    "bob@acme.com",
                    None,
                    "/items/1/events/0".to_owned()
                ),
            ]
        );
        assert_eq!(execs[0].0.actor.as_deref(), Some("admin@acme.com"));
        assert_eq!(execs[0].0.source_event_id.as_deref(), Some("-42/0"));
        assert_eq!(
            execs[0].0.source_event_type.as_deref(),
            Some("admin:CREATE_USER")
        );
        assert_eq!(
            summary
                .skipped
                .get("admin:CREATE_ROLE (a role defined or deleted, not assigned to anyone)"),
            Some(&1)
        );
        assert_eq!(skip_reason("admin", "SOME_FUTURE_EVENT"), NOT_RECOGNISED);
        assert_eq!(summary.rows, 2);
        assert!(summary.diagnostics.is_empty(), "{:?}", summary.diagnostics);
        let found: Vec<_> = summary
            .warnings
            .iter()
            .map(|d| d.location.to_string())
            .collect();
        assert_eq!(found, ["/items/1/events/1/parameters"]);
    }

    fn run_capture(
        text: &str,
        capture: ActivityCapture,
    ) -> (ImportSummary, Vec<evidentia_domain::ActivitySummary>) {
        let (summary, records) = crate::activity::import_capturing(
            crate::Format::Gworkspace,
            "login.json",
            text.as_bytes(),
            capture,
        );
        (summary, crate::activity::summaries(records))
    }

    fn login(time: &str, names: &[&str]) -> String {
        let events: Vec<String> = names
            .iter()
            .map(|n| {
                format!(
                    r#"{{"type":"login","name":"{n}","parameters":[{{"name":"login_type","value":"google_password"}}]}}"#
                )
            })
            .collect();
        format!(
            r#"{{"kind":"admin#reports#activity","id":{{"time":"{time}","uniqueQualifier":"q{}","applicationName":"login"}},"actor":{{"email":"ann@acme.com","profileId":"1"}},"events":[{}]}}"#,
            time.len(),
            events.join(",")
        )
    }

    #[test]
    fn logins_become_sign_in_summaries_of_the_actor() {
        let text = [
            login("2024-02-02T09:00:00Z", &["login_success"]),
            login(
                "2024-02-01T09:00:00.000Z",
                &["login_challenge", "login_success"],
            ),
            login("2024-02-03T09:00:00Z", &["login_failure"]),
            login("2024-02-03T10:00:00Z", &["logout", "login_verification"]),
        ]
        .join("\n");
        let (summary, activity) = run_capture(&text, ActivityCapture::All);
        assert!(summary.diagnostics.is_empty(), "{:?}", summary.diagnostics);
        assert_eq!(
            summary.skipped,
            [
                (
                    "login:login_challenge (a step of a sign-in, or a sign-out: not a sign-in)"
                        .to_owned(),
                    1
                ),
                (
                    "login:login_verification (a step of a sign-in, or a sign-out: not a sign-in)"
                        .to_owned(),
                    1
                ),
                (
                    "login:logout (a step of a sign-in, or a sign-out: not a sign-in)".to_owned(),
                    1
                ),
            ]
            .into()
        );
        assert_eq!(activity.len(), 2);
        let ok = &activity[0];
        assert_eq!(ok.account, "ann@acme.com");
        assert_eq!(ok.system.as_str(), "google-workspace");
        assert_eq!(ok.channel, ActivityChannel::SignIn);
        assert!(ok.interactive);
        assert_eq!((ok.outcome, ok.count), (Outcome::Succeeded, 2));
        assert_eq!(ok.first.location, "line 2 /events/1");
        assert_eq!(ok.first.source_event_id.as_deref(), Some("q24/1"));
        assert_eq!(ok.last.location, "line 1 /events/0");
        assert_eq!(ok.event_types, ["login:login_success"]);
        assert!(ok.clients.is_empty());
        assert_eq!(activity[1].outcome, Outcome::Failed);
    }

    #[test]
    fn capture_none_and_incomplete_logins() {
        let text = [
            login("2024-02-02T09:00:00Z", &["login_success"]),
            login("later", &["login_success"]),
            login("2024-02-02T09:00:00Z", &["login_failure"])
                .replace(r#""email":"ann@acme.com","#, ""),
        ]
        .join("\n");
        let (summary, activity) = run_capture(&text, ActivityCapture::None);
        assert!(activity.is_empty());
        assert_eq!(
            summary.skipped,
            [
                (skip_key("login:login_failure", ACTIVITY_NOT_CAPTURED), 1),
                (skip_key("login:login_success", ACTIVITY_NOT_CAPTURED), 2)
            ]
            .into()
        );
        assert!(summary.warnings.is_empty() && summary.diagnostics.is_empty());

        let (summary, activity) = run_capture(&text, ActivityCapture::SignIns);
        assert_eq!(activity.len(), 1);
        assert_eq!(
            summary.skipped,
            [
                ("login:login_failure (no account)".to_owned(), 1),
                ("login:login_success (undated)".to_owned(), 1)
            ]
            .into()
        );
        assert_eq!(summary.warnings.len(), 1);
        assert_eq!(summary.warnings[0].location.to_string(), "line 2 /events/0");
        assert!(summary.diagnostics.is_empty(), "{:?}", summary.diagnostics);
    }

    #[test]
    fn flattened_lines_and_bad_times() {
        let text = "{\"id\":{\"applicationName\":\"token\",\"time\":\"2024-01-15 10:30:00.000000000\",\"uniqueQualifier\":\"9\"},\"actor\":{\"email\":\"u@x.com\"},\"name\":\"authorize\",\"parameters\":{\"app_name\":\"Cal\",\"scope\":[\"a\",\"b\"]}}\n\
                    {\"id\":{\"applicationName\":\"admin\",\"time\":\"tuesday\"},\"events\":[{\"name\":\"DELETE_USER\",\"parameters\":[{\"name\":\"USER_EMAIL\",\"value\":\"a@x.com\"}]}]}\n\
                    {\"id\":{\"applicationName\":\"admin\"},\"events\":[{\"name\":\"DELETE_USER\",\"parameters\":[{\"name\":\"USER_EMAIL\",\"value\":\"a@x.com\"}]}]}\n\
                    {\"id\":{\"applicationName\":\"admin\"},\"events\":[{\"name\":\"DELE\n";
        let (execs, summary) = run(text);
        assert_eq!(execs.len(), 1);
        let (e, at) = &execs[0];
        assert_eq!(
            (e.action, e.account.as_str(), e.entitlement.as_deref()),
            (
                ProvisioningAction::CredentialCreated,
                "u@x.com",
                Some("Cal")
            )
        );
        assert_eq!(*at, Location::LinePointer(1, String::new()));
        let found: Vec<_> = summary
            .diagnostics
            .iter()
            .map(|d| d.location.to_string())
            .collect();
        assert_eq!(found, ["line 2 /id/time", "line 4"]);
        // No `id.time` at all is incomplete, not malformed: a warning.
        let warned: Vec<_> = summary
            .warnings
            .iter()
            .map(|d| d.location.to_string())
            .collect();
        assert_eq!(warned, ["line 3 /id/time"]);
    }
}
