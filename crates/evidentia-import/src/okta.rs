//! Reads the Okta System Log into executions: the proof that an Okta user, membership, admin privilege or API token changed.
//!
//! Accepted shapes: a JSON array (what `/api/v1/logs` returns) and JSON lines (one
//! LogEvent per line, as SIEM and data-lake exports write them). Fields follow Okta's
//! LogEvent object: `eventType`, `published`, `uuid`, `actor`, `target[]`, `outcome`,
//! `debugContext.debugData`. Keys are matched ignoring case **on purpose**: some data lakes
//! (Panther among them) lower-case every key (`eventtype`, `debugcontext`), and the values
//! are unchanged, so refusing those files would only lose evidence.
//!
//! | eventType | action | account | entitlement |
//! |---|---|---|---|
//! | `user.lifecycle.create` | create_account | User target | — |
//! | `user.lifecycle.activate`, `.reactivate`, `.unsuspend` | enable | User target | — |
//! | `user.lifecycle.deactivate`, `.suspend` | disable | User target | — |
//! | `user.lifecycle.delete.initiated` | delete, outcome queued | User target | — |
//! | `user.lifecycle.delete.completed` (and a bare `user.lifecycle.delete`) | delete | User target | — |
//! | `group.user_membership.add` / `.remove` | grant / revoke | User target | UserGroup name |
//! | `application.user_membership.add` / `.remove` | grant / revoke | User target | AppInstance name |
//! | `user.account.privilege.grant` / `.revoke` | grant / revoke | User target | each role in `debugData.privilegeGranted` / `privilegeRevoked`, else `admin-privilege` |
//! | `group.privilege.grant` / `.revoke` | grant / revoke | UserGroup target (else the first target) | as above |
//! | `system.api_token.create` / `.revoke` | credential_created / credential_deleted | Token name (else id) | Token id |
//! | `user.account.reset_password`, `user.account.update_password` | credential_rotated | User target | `password` |
//!
//! Everything else — other authentication events, policy evaluations, MFA factor changes,
//! rate-limit warnings, app configuration — is counted in `skipped` by `eventType`.
//!
//! Activity (kept as `ActivitySummary`s; `--activity` chooses which):
//!
//! | eventType | channel | interactive | account | outcome |
//! |---|---|---|---|---|
//! | `user.session.start` | sign_in | yes | `actor.alternateId`, else `displayName`, else `id` | `SUCCESS`/`ALLOW` succeeded, `FAILURE`/`DENY` failed |
//! | `user.authentication.sso` | sign_in | yes | as above | as above |
//!
//! A sign-in whose outcome is anything else (`UNKNOWN`, `CHALLENGE`, none) is neither a use
//! nor a refusal and is skipped by `eventType`; one without an actor is skipped as
//! `<eventType> (no account)`; one without a usable `published` time as
//! `<eventType> (undated)`, with one warning per file. The actor is named as the target is on
//! executions (the login first), so a person's sign-ins and lifecycle changes meet on one
//! account. The client is `client.userAgent.rawUserAgent`, else `browser on os`; the event id
//! is `uuid`. Other authentication events (`user.authentication.auth_via_mfa`, …) repeat a
//! sign-in's steps and stay skipped.
//!
//! Decisions, with reasons:
//! * Activation is `enable`: an activated user can sign in for the first time, which adds
//!   access the same way un-suspending does.
//! * Okta deletes in two steps; `delete.initiated` is recorded as a queued delete and only
//!   `delete.completed` as done, so a deletion that never completes stays visibly unproven.
//! * Okta writes every admin role an event grants or revokes into one `privilegeGranted` /
//!   `privilegeRevoked` string, separated by commas (`Super administrator, Report
//!   administrator`); each role is its own entitlement, so the event becomes one execution
//!   per role (same event id), not one compound entitlement no policy or snapshot names.
//! * An API token is a non-human identity in its own right, so it is the account; its id is
//!   the credential. A revoked token can never be used again, hence `credential_deleted`.
//! * MFA factor resets change how someone authenticates, not what they can reach; they are
//!   skipped as `<eventType> (an authentication factor, not access)`
//!   (`user.mfa.factor.deactivate`, `system.mfa.factor.deactivate`,
//!   `user.mfa.factor.reset_all`).
//! * `user.session.impersonation.grant` (an admin enabling Okta Support's access to the org)
//!   gives the vendor's support staff, not an account of the org, a way in: it is skipped as
//!   `user.session.impersonation.grant (Okta Support access to the org, no account's)`.
//! * Every other skipped event is counted as `<eventType> (<reason>)` too: steps of a sign-in
//!   (`user.authentication.auth_via_mfa`, `…auth_via_IDP`, `app.oauth2.authorize.code`),
//!   security signals, rate limits, policy evaluations, application and IdP configuration; an
//!   event type nobody decided about says `not recognised`.
//! * Accounts are named by the target's `alternateId` (the login, usually an e-mail), falling
//!   back to `displayName` and `id`; groups and apps by `displayName`, then `id`. The actor is
//!   `actor.alternateId`, then `displayName`, then `id`.
//! * `outcome.result` `SUCCESS`/`ALLOW` (or no outcome) succeeded, `UNKNOWN` is queued, and
//!   anything else (`FAILURE`, `DENY`, `SKIPPED`, `CHALLENGE`) failed, with `outcome.reason`.
//! * Times without an offset (data-lake style `2022-12-13 00:58:19.811`) are UTC, as Okta
//!   writes them.
//! * A mapped event with no `published` time or without the target it needs is a warning:
//!   read, no record, the file still imports. A field of the wrong type or a time that does
//!   not parse is a diagnostic (an invalid row).

use std::io::Read;

use evidentia_domain::{
    ActivityChannel, Execution, Outcome, ProvisioningAction, Record, SystemId, Timestamp,
};
use serde_json::Value;

use crate::json_stream::{self, Failure, Problem, RecordView, str_ci};
use crate::{
    ACTIVITY_NOT_CAPTURED, ActivityCapture, Format, ImportContext, ImportError, ImportSummary,
    Location, NOT_RECOGNISED, Observation, Progress, RecordSink, skip_key,
};

/// Reads an Okta System Log file.
pub fn import(
    input: &mut dyn Read,
    ctx: &ImportContext,
    sink: &mut dyn RecordSink,
    progress: &mut dyn FnMut(Progress),
) -> Result<ImportSummary, ImportError> {
    let system = ctx
        .system
        .clone()
        .or_else(|| Format::Okta.default_system())
        .unwrap_or_else(|| SystemId::new("okta"));
    let mut summary = ImportSummary::default();
    let mut first = true;
    let mut undated: (u64, Option<Location>) = (0, None);
    let stream = json_stream::read_records(input, ctx, &[], progress, &mut |value, location| {
        if std::mem::take(&mut first) && json_stream::get_ci(&value, "eventType").is_none() {
            return Err(ImportError::Unreadable(ctx.diagnostic(
                location,
                "this does not look like an Okta System Log: the first event has no eventType",
            )));
        }
        match map_event(&value, &location, &system, ctx.activity) {
            Ok(Mapped::Executions(executions)) => {
                for execution in executions {
                    summary.deliver(sink, Record::Execution(execution), location.clone())?;
                }
            }
            Ok(Mapped::Skipped(event_type)) => summary.skip(event_type),
            Ok(Mapped::SignIn(s)) => {
                let observation = Observation {
                    credential: None,
                    system: &system,
                    account: &s.account,
                    channel: ActivityChannel::SignIn,
                    interactive: true,
                    outcome: s.outcome,
                    at: s.at,
                    event_type: &s.event_type,
                    source_event_id: s.uuid.as_deref(),
                    client: s.client.as_deref(),
                };
                summary.observe(ctx, &observation, &location);
            }
            Ok(Mapped::Undated(event_type)) => {
                summary.skip(format!("{event_type} (undated)"));
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
                "{count} sign-in(s) have no `published` time or one that is not a time, so \
                 they prove no use at any time and were counted as skipped \
                 (`<eventType> (undated)`); this is the first"
            ),
        ));
    }
    Ok(summary)
}

enum Mapped {
    /// One execution, or one per admin role when an event grants or revokes several.
    Executions(Vec<Execution>),
    Skipped(String),
    SignIn(SignIn),
    /// A sign-in with no usable time: skipped under its type and warned about once.
    Undated(String),
}

/// One sign-in, owned until it is folded into the activity book.
struct SignIn {
    account: String,
    outcome: Outcome,
    at: Timestamp,
    event_type: String,
    uuid: Option<String>,
    client: Option<String>,
}

/// The event types that are a person signing in: an Okta session, or single sign-on to an app.
const SIGN_INS: [&str; 2] = ["user.session.start", "user.authentication.sso"];

/// A sign-in event: kept when the import captures sign-ins and it has a decided outcome, an
/// actor and a time; otherwise skipped by type (see the module docs).
fn sign_in(
    view: &RecordView<'_>,
    event_type: String,
    capture: ActivityCapture,
) -> Result<Mapped, Failure> {
    // Decided before reading anything else, so `--activity none` reads events as before.
    if !capture.keeps(ActivityChannel::SignIn) {
        return Ok(Mapped::Skipped(skip_key(
            &event_type,
            ACTIVITY_NOT_CAPTURED,
        )));
    }
    let result = view.opt_str(&["outcome", "result"])?;
    let outcome = match result.as_deref().map(str::to_ascii_uppercase).as_deref() {
        Some("SUCCESS" | "ALLOW") => Outcome::Succeeded,
        Some("FAILURE" | "DENY") => Outcome::Failed,
        // UNKNOWN, CHALLENGE, no outcome: neither a use nor a refusal.
        _ => {
            return Ok(Mapped::Skipped(skip_key(
                &event_type,
                "no decided outcome: proves neither use nor refusal",
            )));
        }
    };
    let Some(account) = actor(view) else {
        return Ok(Mapped::Skipped(format!("{event_type} (no account)")));
    };
    let Some(at) = view
        .opt_str(&["published"])?
        .and_then(|t| json_stream::parse_timestamp(&t))
    else {
        return Ok(Mapped::Undated(event_type));
    };
    let client = match view.get(&["client", "userAgent"]) {
        Some(agent) => str_ci(agent, "rawUserAgent").or_else(|| {
            let known = |k: &str| str_ci(agent, k).filter(|v| !v.eq_ignore_ascii_case("unknown"));
            match (known("browser"), known("os")) {
                (Some(browser), Some(os)) => Some(format!("{browser} on {os}")),
                (browser, os) => browser.or(os),
            }
        }),
        None => None,
    };
    Ok(Mapped::SignIn(SignIn {
        account,
        outcome,
        at,
        event_type,
        uuid: view.opt_id(&["uuid"])?,
        client,
    }))
}

/// Who acted: `actor.alternateId` (the login), then `displayName`, then `id`.
fn actor(view: &RecordView<'_>) -> Option<String> {
    let actor = view.get(&["actor"])?;
    ["alternateId", "displayName", "id"]
        .iter()
        .find_map(|k| str_ci(actor, k))
}

/// Which target names the account.
#[derive(Clone, Copy)]
enum Account {
    User,
    /// A UserGroup target, else the first target of any type.
    GroupOrFirst,
    Token,
}

/// What the entitlement is.
#[derive(Clone, Copy)]
enum Entitlement {
    None,
    TargetOfType(&'static str),
    Privilege(&'static str),
    Fixed(&'static str),
    TokenId,
}

fn rule(event_type: &str) -> Option<(ProvisioningAction, Account, Entitlement, bool)> {
    use Account as T;
    use Entitlement as E;
    use ProvisioningAction as A;
    // The last field marks events whose success only means "started" (queued).
    Some(match event_type {
        "user.lifecycle.create" => (A::CreateAccount, T::User, E::None, false),
        "user.lifecycle.activate" | "user.lifecycle.reactivate" | "user.lifecycle.unsuspend" => {
            (A::Enable, T::User, E::None, false)
        }
        "user.lifecycle.deactivate" | "user.lifecycle.suspend" => {
            (A::Disable, T::User, E::None, false)
        }
        "user.lifecycle.delete.initiated" => (A::Delete, T::User, E::None, true),
        "user.lifecycle.delete.completed" | "user.lifecycle.delete" => {
            (A::Delete, T::User, E::None, false)
        }
        "group.user_membership.add" => (A::Grant, T::User, E::TargetOfType("UserGroup"), false),
        "group.user_membership.remove" => (A::Revoke, T::User, E::TargetOfType("UserGroup"), false),
        "application.user_membership.add" => {
            (A::Grant, T::User, E::TargetOfType("AppInstance"), false)
        }
        "application.user_membership.remove" => {
            (A::Revoke, T::User, E::TargetOfType("AppInstance"), false)
        }
        "user.account.privilege.grant" => {
            (A::Grant, T::User, E::Privilege("privilegeGranted"), false)
        }
        "user.account.privilege.revoke" => {
            (A::Revoke, T::User, E::Privilege("privilegeRevoked"), false)
        }
        "group.privilege.grant" => (
            A::Grant,
            T::GroupOrFirst,
            E::Privilege("privilegeGranted"),
            false,
        ),
        "group.privilege.revoke" => (
            A::Revoke,
            T::GroupOrFirst,
            E::Privilege("privilegeRevoked"),
            false,
        ),
        "system.api_token.create" => (A::CredentialCreated, T::Token, E::TokenId, false),
        "system.api_token.revoke" => (A::CredentialDeleted, T::Token, E::TokenId, false),
        "user.account.reset_password" | "user.account.update_password" => {
            (A::CredentialRotated, T::User, E::Fixed("password"), false)
        }
        _ => return None,
    })
}

/// Why an event with no rule is skipped, for the skip key `<eventType> (<reason>)` (see the
/// module docs); event types nobody decided about are [`NOT_RECOGNISED`].
fn skip_reason(event_type: &str) -> &'static str {
    let starts = |p: &str| event_type.starts_with(p);
    match event_type {
        // An admin lets Okta Support sign in to the org as its users for a while: the access
        // goes to the vendor's staff, who hold no account of the org to grant it to.
        "user.session.impersonation.grant" => "Okta Support access to the org, no account's",
        // A factor removed or reset changes how a person proves who they are, not what they
        // can reach (the decision in the module docs).
        "user.mfa.factor.deactivate"
        | "system.mfa.factor.deactivate"
        | "user.mfa.factor.reset_all" => "an authentication factor, not access",
        // Steps inside a sign-in; the session they lead to (`user.session.start`) or the SSO
        // to an app (`user.authentication.sso`) is the sign-in kept as activity.
        "user.authentication.auth_via_mfa"
        | "user.authentication.auth_via_IDP"
        | "app.oauth2.authorize.code" => "a step of a sign-in, not the sign-in itself",
        "application.user_membership.show_password" => {
            "a user revealing an app's password: no access changes"
        }
        "security.threat.detected"
        | "user.account.report_suspicious_activity_by_enduser"
        | "app.oauth2.token.detect_reuse"
        | "app.token.reuse"
        | "app.generic.unauth_app_access_attempt" => "a security signal, not an access change",
        _ if event_type.contains("rate_limit") => "an API rate limit, not an account's access",
        _ if starts("policy.") => "a policy evaluation or change, not an account's access",
        _ if starts("application.lifecycle.") || starts("system.idp.lifecycle.") => {
            "an application's or identity provider's configuration, not an account's access"
        }
        _ => NOT_RECOGNISED,
    }
}

fn map_event(
    value: &Value,
    location: &Location,
    system: &SystemId,
    capture: ActivityCapture,
) -> Result<Mapped, Failure> {
    if !value.is_object() {
        return Err(Failure::Invalid(Problem {
            location: location.clone(),
            reason: format!(
                "expected an Okta event (a JSON object) but found {}",
                json_stream::kind_of(value)
            ),
        }));
    }
    let view = RecordView::new(value, location);
    let event_type = view.req_str(&["eventType"])?;
    if SIGN_INS.contains(&event_type.as_str()) {
        return sign_in(&view, event_type, capture);
    }
    let Some((action, account_rule, entitlement_rule, started_only)) = rule(&event_type) else {
        return Ok(Mapped::Skipped(skip_key(
            &event_type,
            skip_reason(&event_type),
        )));
    };
    let at = view.need_time(&["published"])?;
    let targets = targets(&view)?;

    let account = match account_rule {
        Account::User => target_of_type(&targets, "User").and_then(|(t, _)| user_name(t)),
        Account::GroupOrFirst => target_of_type(&targets, "UserGroup")
            .or_else(|| targets.first().map(|(t, l)| (*t, l.clone())))
            .and_then(|(t, _)| name(t)),
        Account::Token => target_of_type(&targets, "Token").and_then(|(t, _)| name(t)),
    };
    let account = account.ok_or_else(|| {
        Failure::incomplete(
            view.location_of(&["target"]),
            format!(
                "{event_type} names no {} target to say which account changed",
                match account_rule {
                    Account::User => "User",
                    Account::GroupOrFirst => "UserGroup",
                    Account::Token => "Token",
                }
            ),
        )
    })?;

    // Admin roles past the first when one event grants or revokes several.
    let mut extra_roles: Vec<String> = Vec::new();
    let entitlement = match entitlement_rule {
        Entitlement::None => None,
        Entitlement::Fixed(name) => Some(name.to_owned()),
        Entitlement::TargetOfType(kind) => Some(
            target_of_type(&targets, kind)
                .and_then(|(t, _)| name(t))
                .ok_or_else(|| {
                    Failure::incomplete(
                        view.location_of(&["target"]),
                        format!(
                            "{event_type} names no {kind} target to say what was granted or revoked"
                        ),
                    )
                })?,
        ),
        Entitlement::Privilege(key) => {
            let roles = view
                .opt_str(&["debugContext", "debugData", key])?
                .map(|list| admin_roles(&list))
                .unwrap_or_default();
            if roles.is_empty() {
                Some("admin-privilege".to_owned())
            } else {
                let mut roles = roles.into_iter();
                let first = roles.next();
                extra_roles = roles.collect();
                first
            }
        }
        Entitlement::TokenId => {
            target_of_type(&targets, "Token").and_then(|(t, _)| str_ci(t, "id"))
        }
    };

    let actor = actor(&view);

    let result = view.opt_str(&["outcome", "result"])?;
    let reason = view.opt_str(&["outcome", "reason"])?;
    let (outcome, failure_reason) = match result.as_deref().map(str::to_ascii_uppercase).as_deref()
    {
        None | Some("SUCCESS") | Some("ALLOW") => (
            if started_only {
                Outcome::Queued
            } else {
                Outcome::Succeeded
            },
            None,
        ),
        Some("UNKNOWN") => (Outcome::Queued, None),
        Some(other) => (
            Outcome::Failed,
            Some(match reason {
                Some(reason) => format!("{other}: {reason}"),
                None => other.to_owned(),
            }),
        ),
    };

    let first = Execution {
        system: system.clone(),
        account: account.into(),
        action,
        entitlement: entitlement.map(Into::into),
        actor: actor.map(Into::into),
        at,
        outcome,
        failure_reason: failure_reason.map(Into::into),
        request_ref: None,
        source_event_id: (view.opt_id(&["uuid"])?).map(Into::into),
        source_event_type: Some(event_type.into()),
    };
    let mut executions = Vec::with_capacity(1 + extra_roles.len());
    for role in extra_roles {
        executions.push(Execution {
            entitlement: Some(role.into()),
            ..first.clone()
        });
    }
    executions.insert(0, first);
    Ok(Mapped::Executions(executions))
}

/// The admin roles in `privilegeGranted` / `privilegeRevoked`: Okta lists every role the
/// event granted or revoked in one string, separated by commas
/// (`Organization administrator, Application administrator (all)`); a comma inside
/// parentheses belongs to the role's scope, not the list. Blank items and repeats are dropped.
fn admin_roles(list: &str) -> Vec<String> {
    let mut roles: Vec<String> = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    fn push(item: &str, roles: &mut Vec<String>) {
        let item = item.trim();
        if !item.is_empty() && !roles.iter().any(|r| r == item) {
            roles.push(item.to_owned());
        }
    }
    for (i, c) in list.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                push(&list[start..i], &mut roles);
                start = i + 1;
            }
            _ => {}
        }
    }
    push(&list[start..], &mut roles);
    roles
}

/// The event's targets with their locations; a `target` that is not an array is a problem.
fn targets<'a>(view: &RecordView<'a>) -> Result<Vec<(&'a Value, Location)>, Problem> {
    match view.lookup(&["target"]) {
        None | Some((Value::Null, _)) => Ok(Vec::new()),
        Some((Value::Array(items), location)) => Ok(items
            .iter()
            .enumerate()
            .map(|(i, t)| (t, json_stream::child(&location, &i.to_string())))
            .collect()),
        Some((other, location)) => Err(Problem {
            location,
            reason: format!(
                "expected an array of targets but found {}",
                json_stream::kind_of(other)
            ),
        }),
    }
}

fn target_of_type<'a>(
    targets: &[(&'a Value, Location)],
    kind: &str,
) -> Option<(&'a Value, Location)> {
    targets
        .iter()
        .find(|(t, _)| str_ci(t, "type").is_some_and(|k| k.eq_ignore_ascii_case(kind)))
        .map(|(t, l)| (*t, l.clone()))
}

/// A person's account: the login first, since that is what other systems correlate on.
fn user_name(target: &Value) -> Option<String> {
    ["alternateId", "displayName", "id"]
        .iter()
        .find_map(|k| str_ci(target, k))
        .filter(|n| n != "unknown")
}

/// A group, app or token: its display name first.
fn name(target: &Value) -> Option<String> {
    ["displayName", "alternateId", "id"]
        .iter()
        .find_map(|k| str_ci(target, k).filter(|n| n != "unknown"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Diagnostic;
    use crate::Origin;

    fn run(input: &str) -> (ImportSummary, Vec<Execution>) {
        let ctx = ImportContext::new("okta.jsonl");
        let mut sink: Vec<(Record, Origin)> = Vec::new();
        let summary = import(&mut input.as_bytes(), &ctx, &mut sink, &mut |_| {}).unwrap();
        let executions = sink
            .into_iter()
            .filter_map(|(r, _)| match r {
                Record::Execution(e) => Some(e),
                _ => None,
            })
            .collect();
        (summary, executions)
    }

    fn event(event_type: &str, targets: &str, result: &str) -> String {
        format!(
            r#"{{"uuid":"u-1","published":"2024-03-01T10:00:00.000Z","eventType":"{event_type}","actor":{{"alternateId":"admin@example.com","type":"User"}},"outcome":{{"result":"{result}","reason":"nope"}},"target":{targets}}}"#
        )
    }

    const USER: &str =
        r#"{"type":"User","alternateId":"ann@example.com","displayName":"Ann","id":"00u1"}"#;
    const GROUP: &str = r#"{"type":"UserGroup","displayName":"Engineering","id":"00g1"}"#;

    #[test]
    fn maps_lifecycle_membership_privilege_and_tokens() {
        use ProvisioningAction as A;
        let cases = [
            (
                "user.lifecycle.create",
                format!("[{USER}]"),
                A::CreateAccount,
                "ann@example.com",
                None,
            ),
            (
                "user.lifecycle.suspend",
                format!("[{USER}]"),
                A::Disable,
                "ann@example.com",
                None,
            ),
            (
                "group.user_membership.add",
                format!("[{USER},{GROUP}]"),
                A::Grant,
                "ann@example.com",
                Some("Engineering"),
            ),
            (
                "group.user_membership.remove",
                format!("[{GROUP},{USER}]"),
                A::Revoke,
                "ann@example.com",
                Some("Engineering"),
            ),
            (
                "application.user_membership.add",
                format!(r#"[{USER},{{"type":"AppInstance","displayName":"Salesforce"}}]"#),
                A::Grant,
                "ann@example.com",
                Some("Salesforce"),
            ),
            (
                "user.account.privilege.grant",
                format!("[{USER}]"),
                A::Grant,
                "ann@example.com",
                Some("admin-privilege"),
            ),
            (
                "system.api_token.create",
                r#"[{"type":"Token","displayName":"ci-token","id":"00T9"}]"#.to_owned(),
                A::CredentialCreated,
                "ci-token",
                Some("00T9"),
            ),
        ];
        for (event_type, targets, action, account, entitlement) in cases {
            let (summary, ex) = run(&event(event_type, &targets, "SUCCESS"));
            assert!(
                summary.diagnostics.is_empty(),
                "{event_type}: {:?}",
                summary.diagnostics
            );
            assert_eq!(
                (
                    ex[0].action,
                    ex[0].account.as_str(),
                    ex[0].entitlement.as_deref()
                ),
                (action, account, entitlement),
                "{event_type}"
            );
            assert_eq!(ex[0].actor.as_deref(), Some("admin@example.com"));
            assert_eq!(ex[0].outcome, Outcome::Succeeded);
            assert_eq!(ex[0].source_event_id.as_deref(), Some("u-1"));
        }
    }

    #[test]
    fn outcomes() {
        let (_, ex) = run(&event(
            "user.lifecycle.deactivate",
            &format!("[{USER}]"),
            "FAILURE",
        ));
        assert_eq!(
            (ex[0].outcome, ex[0].failure_reason.as_deref()),
            (Outcome::Failed, Some("FAILURE: nope"))
        );
        let (_, ex) = run(&event(
            "user.lifecycle.delete.initiated",
            &format!("[{USER}]"),
            "SUCCESS",
        ));
        assert_eq!(
            (ex[0].action, ex[0].outcome),
            (ProvisioningAction::Delete, Outcome::Queued)
        );
    }

    /// A grant of several admin roles, as Okta's System Log writes it: the roles in one
    /// comma-separated `privilegeGranted` (one with a scope in parentheses).
    #[test]
    fn several_admin_roles_in_one_event_are_one_grant_each() {
        let event = |kind: &str, key: &str, uuid: &str| {
            format!(
                r#"{{"actor":{{"id":"00u1admin","type":"User","alternateId":"admin@example.com","displayName":"Admin"}},"client":{{"ipAddress":"198.51.100.9"}},"displayMessage":"Grant user privilege","eventType":"user.account.privilege.{kind}","legacyEventType":"core.user.admin_privilege.{kind}","outcome":{{"result":"SUCCESS"}},"published":"2024-03-01T10:00:00.000Z","severity":"INFO","debugContext":{{"debugData":{{"{key}":"Organization administrator, Application administrator (all), Group administrator (for groups: Sales, Support), Organization administrator","requestUri":"/api/internal/administrators/00u6eu8c68bb72a21b57","threatSuspected":"false"}}}},"target":[{{"id":"00u6eu8c68bb72a21b57","type":"User","alternateId":"alice@example.com","displayName":"Alice Green"}}],"transaction":{{"type":"WEB","id":"X"}},"uuid":"{uuid}","version":"0"}}"#
            )
        };
        let (summary, ex) = run(&format!(
            "{}\n{}",
            event("grant", "privilegeGranted", "u1"),
            event("revoke", "privilegeRevoked", "u2")
        ));
        assert!(summary.diagnostics.is_empty(), "{:?}", summary.diagnostics);
        assert_eq!(summary.rows, 2);
        let got: Vec<_> = ex
            .iter()
            .map(|e| {
                (
                    e.action,
                    e.account.as_str(),
                    e.entitlement.as_deref().unwrap_or_default(),
                    e.source_event_id.as_deref().unwrap_or_default(),
                )
            })
            .collect();
        use ProvisioningAction::{Grant, Revoke};
        let alice = "alice@example.com";
        assert_eq!(
            got,
            [
                (Grant, alice, "Organization administrator", "u1"),
                (Grant, alice, "Application administrator (all)", "u1"),
                (
                    Grant,
                    alice,
                    "Group administrator (for groups: Sales, Support)",
                    "u1"
                ),
                (Revoke, alice, "Organization administrator", "u2"),
                (Revoke, alice, "Application administrator (all)", "u2"),
                (
                    Revoke,
                    alice,
                    "Group administrator (for groups: Sales, Support)",
                    "u2"
                ),
            ]
        );
    }

    #[test]
    fn privilege_comes_from_debug_data() {
        let input = r#"[{"eventType":"user.account.privilege.grant","published":"2024-03-01T10:00:00Z","target":[{"type":"User","alternateId":"ann@example.com"}],"debugContext":{"debugData":{"privilegeGranted":"Super administrator"}}}]"#;
        let (_, ex) = run(input);
        assert_eq!(ex[0].entitlement.as_deref(), Some("Super administrator"));
        assert_eq!(ex[0].actor, None);
    }

    #[test]
    fn lower_cased_keys_are_accepted() {
        let input = r#"{"eventtype":"user.lifecycle.create","published":"2022-12-13 00:58:19.811","target":[{"type":"User","alternateid":"ann@example.com"}],"outcome":{"result":"SUCCESS"}}"#;
        let (summary, ex) = run(input);
        assert!(summary.diagnostics.is_empty(), "{:?}", summary.diagnostics);
        assert_eq!(ex[0].account, "ann@example.com");
        assert_eq!(ex[0].at.to_rfc3339(), "2022-12-13T00:58:19.811+00:00");
    }

    /// The events as Okta's System Log writes them (the shapes of the Panther fixtures): an
    /// admin enabling Okta Support impersonation, and factors reset for a user.
    #[test]
    fn impersonation_grants_and_factor_resets_are_skipped_with_a_reason() {
        let homer = r#""actor":{"alternateId":"homer@springfield.gov","displayName":"Homer Simpson","id":"00u1","type":"User"}"#;
        let event = |kind: &str, message: &str, target: &str| {
            format!(
                r#"{{{homer},"client":{{"ipAddress":"1.2.3.4"}},"displayMessage":"{message}","eventType":"{kind}","legacyEventType":"{kind}","outcome":{{"result":"SUCCESS"}},"published":"2024-03-01T10:00:00.000Z","severity":"INFO","target":{target},"uuid":"u-{kind}","version":"0"}}"#
            )
        };
        let user = r#"[{"alternateId":"bart@springfield.gov","displayName":"Bart Simpson","id":"00u2","type":"User"}]"#;
        let lines = [
            event(
                "user.session.impersonation.grant",
                "Enable impersonation grant",
                "null",
            ),
            event("user.mfa.factor.deactivate", "Reset factor for user", user),
            event(
                "system.mfa.factor.deactivate",
                "Reset factor for user",
                user,
            ),
            event(
                "user.mfa.factor.reset_all",
                "Reset all factors for user",
                user,
            ),
        ];
        let (summary, ex) = run(&lines.join("\n"));
        assert!(ex.is_empty(), "{ex:?}");
        assert!(summary.diagnostics.is_empty(), "{:?}", summary.diagnostics);
        let factor = "(an authentication factor, not access)";
        assert_eq!(
            summary.skipped,
            [
                (format!("system.mfa.factor.deactivate {factor}"), 1),
                (format!("user.mfa.factor.deactivate {factor}"), 1),
                (format!("user.mfa.factor.reset_all {factor}"), 1),
                (
                    "user.session.impersonation.grant (Okta Support access to the org, no account's)"
                        .to_owned(),
                    1
                ),
            ]
            .into()
        );
    }

    #[test]
    fn noise_is_skipped_by_event_type() {
        let input = "{\"eventType\":\"user.session.start\"}\n\n{\"eventType\":\"policy.evaluate_sign_on\"}\n{\"eventType\":\"user.session.start\"}\n";
        let (summary, ex) = run(input);
        assert!(ex.is_empty());
        assert_eq!(
            summary.skipped,
            [
                (
                    "policy.evaluate_sign_on (a policy evaluation or change, not an account's access)"
                        .to_owned(),
                    1
                ),
                (
                    "user.session.start (no decided outcome: proves neither use nor refusal)"
                        .to_owned(),
                    2
                ),
            ]
            .into()
        );
        assert_eq!(summary.rows, 3);
        // An event type nobody decided about says so.
        let (summary, _) = run("{\"eventType\":\"some.future.event\"}");
        assert_eq!(
            summary.skipped,
            [(skip_key("some.future.event", NOT_RECOGNISED), 1)].into()
        );
    }

    fn run_capture(
        input: &str,
        capture: ActivityCapture,
    ) -> (ImportSummary, Vec<(Record, Origin)>) {
        crate::activity::import_capturing(
            crate::Format::Okta,
            "okta.jsonl",
            input.as_bytes(),
            capture,
        )
    }

    fn activity(sink: &[(Record, Origin)]) -> Vec<&evidentia_domain::ActivitySummary> {
        crate::activity::summaries_in(sink)
    }

    fn sign_in(event_type: &str, published: &str, result: &str, uuid: &str) -> String {
        format!(
            r#"{{"uuid":"{uuid}","published":"{published}","eventType":"{event_type}","actor":{{"alternateId":"ann@example.com","displayName":"Ann","id":"00u1","type":"User"}},"client":{{"userAgent":{{"rawUserAgent":"Mozilla/5.0","browser":"CHROME","os":"Mac OS X"}}}},"outcome":{{"result":"{result}"}}}}"#
        )
    }

    #[test]
    fn sign_ins_become_one_summary_per_account_and_outcome() {
        let lines = [
            sign_in("user.session.start", "2024-03-02T09:00:00Z", "SUCCESS", "a"),
            sign_in(
                "user.authentication.sso",
                "2024-03-01T09:00:00Z",
                "ALLOW",
                "b",
            ),
            sign_in("user.session.start", "2024-03-03T09:00:00Z", "FAILURE", "c"),
            sign_in(
                "user.session.start",
                "2024-03-03T09:00:00Z",
                "CHALLENGE",
                "d",
            ),
            sign_in("user.session.start", "2024-03-03T09:00:00Z", "UNKNOWN", "e"),
            sign_in(
                "user.authentication.auth_via_mfa",
                "2024-03-03T09:00:00Z",
                "SUCCESS",
                "f",
            ),
            sign_in("user.session.start", "2024-03-03T09:00:00Z", "DENY", "g")
                .replace(r#""rawUserAgent":"Mozilla/5.0","#, ""),
        ];
        let (summary, sink) = run_capture(&lines.join("\n"), ActivityCapture::All);
        assert!(summary.diagnostics.is_empty(), "{:?}", summary.diagnostics);
        assert_eq!(
            summary.skipped,
            [
                (
                    "user.authentication.auth_via_mfa (a step of a sign-in, not the sign-in itself)"
                        .to_owned(),
                    1
                ),
                (
                    "user.session.start (no decided outcome: proves neither use nor refusal)"
                        .to_owned(),
                    2
                )
            ]
            .into()
        );
        let found = activity(&sink);
        assert_eq!(found.len(), 2);
        let ok = found[0];
        assert_eq!(ok.account, "ann@example.com");
        assert_eq!(ok.system.as_str(), "okta");
        assert_eq!(ok.channel, ActivityChannel::SignIn);
        assert!(ok.interactive);
        assert_eq!(ok.outcome, Outcome::Succeeded);
        assert_eq!(ok.count, 2);
        assert_eq!(ok.first.location, "line 2");
        assert_eq!(ok.first.source_event_id.as_deref(), Some("b"));
        assert_eq!(ok.last.location, "line 1");
        assert_eq!(
            ok.event_types,
            ["user.authentication.sso", "user.session.start"]
        );
        assert_eq!(ok.clients, ["Mozilla/5.0"]);
        let failed = found[1];
        assert_eq!((failed.outcome, failed.count), (Outcome::Failed, 2));
        assert_eq!(failed.clients, ["CHROME on Mac OS X", "Mozilla/5.0"]);
    }

    #[test]
    fn capture_none_keeps_the_old_skipped_counts() {
        let lines = [
            sign_in("user.session.start", "2024-03-02T09:00:00Z", "SUCCESS", "a"),
            sign_in("user.session.start", "soon", "SUCCESS", "b"),
        ];
        let (summary, sink) = run_capture(&lines.join("\n"), ActivityCapture::None);
        assert!(sink.is_empty());
        assert_eq!(
            summary.skipped,
            [(skip_key("user.session.start", ACTIVITY_NOT_CAPTURED), 2)].into()
        );
        assert!(summary.warnings.is_empty());
        // Sign-ins are sign-ins: `sign-ins` keeps them.
        let (_, sink) = run_capture(&lines[0], ActivityCapture::SignIns);
        assert_eq!(activity(&sink).len(), 1);
    }

    #[test]
    fn sign_ins_without_actor_or_time_are_skipped_with_one_warning() {
        let lines = [
            sign_in("user.session.start", "redacted", "FAILURE", "a"),
            sign_in("user.session.start", "2024-03-02T09:00:00Z", "SUCCESS", "b")
                .replace(r#""published":"2024-03-02T09:00:00Z","#, ""),
            r#"{"eventType":"user.authentication.sso","outcome":{"result":"SUCCESS"},"published":"2024-03-02T09:00:00Z"}"#
                .to_owned(),
            sign_in("user.session.start", "2024-03-02T09:00:00Z", "SUCCESS", "c")
                .replace(r#""outcome":{"result":"SUCCESS"}"#, r#""outcome":{"result":7}"#),
        ];
        let (summary, sink) = run_capture(&lines.join("\n"), ActivityCapture::All);
        assert!(activity(&sink).is_empty());
        assert_eq!(
            summary.skipped,
            [
                ("user.authentication.sso (no account)".to_owned(), 1),
                ("user.session.start (undated)".to_owned(), 2)
            ]
            .into()
        );
        assert_eq!(summary.warnings.len(), 1);
        assert_eq!(
            summary.warnings[0].location,
            Location::LinePointer(1, String::new())
        );
        assert!(summary.warnings[0].reason.starts_with("2 sign-in(s)"));
        // A field of the wrong type is a bad row, as anywhere else.
        let at: Vec<_> = summary
            .diagnostics
            .iter()
            .map(|d| d.location.to_string())
            .collect();
        assert_eq!(at, ["line 4 /outcome/result"]);
    }

    #[test]
    fn bad_rows_name_line_and_pointer() {
        let lines = [
            event("user.lifecycle.create", "[]", "SUCCESS"),
            r#"{"eventType":"user.lifecycle.create","published":"noon","target":[]}"#.to_owned(),
            r#"{"eventType":"user.lifecycle.create","published":"2024-01-01T00:00:00Z","target":{"type":"User"}}"#
                .to_owned(),
            r#"{"eventType":"group.user_membership.add","published":"2024-01-01T00:00:00Z","target":[{"type":"User","alternateId":"a"}]}"#.to_owned(),
            r#"{"eventType":["x"]}"#.to_owned(),
            r#"{"eventType":"user.lifecycle.create","#.to_owned(),
        ];
        let (summary, ex) = run(&lines.join("\n"));
        assert!(ex.is_empty());
        let locations = |found: &[Diagnostic]| -> Vec<String> {
            found
                .iter()
                .inspect(|d| assert!(!d.reason.is_empty()))
                .map(|d| d.location.to_string())
                .collect()
        };
        assert_eq!(
            locations(&summary.diagnostics),
            [
                "line 2 /published",
                "line 3 /target",
                "line 5 /eventType",
                "line 6"
            ]
        );
        // Absent targets, not wrong ones: read and understood, but no evidence.
        assert_eq!(
            locations(&summary.warnings),
            ["line 1 /target", "line 4 /target"]
        );
    }

    #[test]
    fn a_file_of_something_else_is_unreadable() {
        let ctx = ImportContext::new("x.json");
        let mut sink: Vec<(Record, Origin)> = Vec::new();
        let r = import(
            &mut &br#"{"Records":[{"eventName":"CreateUser"}]}"#[..],
            &ctx,
            &mut sink,
            &mut |_| {},
        );
        assert!(matches!(r, Err(ImportError::Unreadable(_))), "{r:?}");
    }
}
