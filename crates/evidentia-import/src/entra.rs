//! Reads Microsoft Entra ID audit logs into executions: the proof that a user, group or role membership, service principal or app credential changed.
//!
//! Three shapes of the same `directoryAudit` resource are accepted, in any of the container
//! shapes [`crate::json_stream`] reads (array, `{"value": [...]}`, JSON lines):
//!
//! * Microsoft Graph `auditLogs/directoryAudits`: `activityDisplayName`, `activityDateTime`,
//!   `result`, `initiatedBy`, `targetResources`, `additionalDetails` at the top level;
//! * Azure Monitor diagnostic settings / Event Hub: `operationName`, `time`, `category`, with
//!   the Graph fields nested under `properties`;
//! * Log Analytics `AuditLogs` table exports: PascalCase (`OperationName`,
//!   `ActivityDateTime`, `Result`), and `InitiatedBy`, `TargetResources`,
//!   `AdditionalDetails` stored as JSON-encoded strings.
//!
//! The event type is `operationName` (else `activityDisplayName`), trimmed. Operation names
//! are matched ignoring case, runs of spaces and the dash style, because Entra writes
//! "Update application – Certificates and secrets management " with an en dash and a
//! trailing space.
//!
//! | operation | action | account | entitlement |
//! |---|---|---|---|
//! | Add user | create_account | User | — |
//! | Delete user, Hard delete user | delete | User | — |
//! | Restore user, Enable account | enable | User | — |
//! | Disable account | disable | User | — |
//! | Update user with `AccountEnabled` changed | disable / enable | User | — (other updates skipped) |
//! | Reset user password, Reset password (by admin), Change user password | credential_rotated | User | `password` |
//! | Add / Remove member to/from group | grant / revoke | member | group name |
//! | Add / Remove owner to/from group | grant / revoke | owner | `owner:<group>` |
//! | Add [eligible / scoped] member to role [in PIM …], Remove … from role | grant / revoke | member | role name (` (eligible)` for PIM eligibility) |
//! | Add service principal | create_account | service principal | — |
//! | Remove / Delete service principal | delete | service principal | — |
//! | Add / Remove service principal credentials | credential_created / credential_deleted | service principal | key id (else key description) |
//! | Update application – Certificates and secrets management | credential_created / _deleted / _rotated by comparing key ids before and after | application | key id(s) |
//! | Add / Remove delegated permission grant | grant / revoke | client service principal | `<resource>: <scopes>` |
//! | Add / Remove app role assignment to/from service principal, … grant to user / from user | grant / revoke | principal | `<resource>: <app role>` |
//!
//! Decisions, with reasons:
//! * PIM "… requested …" events are grants or revokes that are **queued**: the request exists,
//!   the assignment does not yet. "… completed …" and plain "Add member to role" (which Core
//!   Directory logs when PIM completes) are done. Approval decisions ("request approved",
//!   "denied", "canceled") are governance, not execution, and are skipped.
//! * Consent (`Add delegated permission grant`) and app-role assignment give a non-human
//!   identity access to an API, so they are grants like group membership is for people.
//! * An application secret added through the portal appears as an application update; the
//!   key ids in `KeyDescription` before and after tell an addition from a removal.
//! * Log Analytics exports repeat one audit event per expanded row (same `Id` and operation);
//!   a row identical in id and operation to the one before it is counted as skipped, so one
//!   change gives one execution.
//! * Users are named by `userPrincipalName`, else `displayName`, else object id; other
//!   principals, groups and roles by `displayName`, else id. The actor is the initiating
//!   user's UPN (or name, or id) or the initiating app's display name (or SPN, or app id).
//! * `result` `success` succeeded; `failure`, `timeout` and anything else failed, with
//!   `resultReason`. The PIM `RequestId` in `additionalDetails` is the request reference.
//! * Time is `activityDateTime`, else the Azure Monitor `time`, else `TimeGenerated`; stamps
//!   without an offset are UTC.
//! * A mapped operation with no time, or without the target resource it needs, is a warning:
//!   read, no record, the file still imports. A field of the wrong type or a time that does
//!   not parse is a diagnostic (an invalid row).

use std::io::Read;

use evidentia_domain::{Execution, Outcome, ProvisioningAction, Record, SystemId};
use serde_json::Value;

use crate::json_stream::{self, Failure, Problem, RecordView, get_ci, str_ci};
use crate::{Format, ImportContext, ImportError, ImportSummary, Location, Progress, RecordSink};

/// Reads an Entra ID audit log file.
pub fn import(
    input: &mut dyn Read,
    ctx: &ImportContext,
    sink: &mut dyn RecordSink,
    progress: &mut dyn FnMut(Progress),
) -> Result<ImportSummary, ImportError> {
    let system = ctx
        .system
        .clone()
        .or_else(|| Format::Entra.default_system())
        .unwrap_or_else(|| SystemId::new("entra-id"));
    let mut summary = ImportSummary::default();
    let mut first = true;
    let mut previous: Option<(String, String)> = None;
    let stream = json_stream::read_records(
        input,
        ctx,
        &["value", "records"],
        progress,
        &mut |value, location| {
            if std::mem::take(&mut first) && operation_name(&value).is_none() {
                return Err(ImportError::Unreadable(ctx.diagnostic(
                location,
                "this does not look like an Entra ID audit log: the first record has no operationName or activityDisplayName",
            )));
            }
            match map_record(&value, &location, &system) {
                Ok(Mapped::Execution(execution)) => {
                    let key = execution
                        .source_event_id
                        .clone()
                        .zip(execution.source_event_type.clone());
                    if key.is_some() && key == previous {
                        summary.skip(execution.source_event_type.unwrap_or_default());
                        return Ok(());
                    }
                    previous = key;
                    summary.deliver(sink, Record::Execution(*execution), location)?;
                }
                Ok(Mapped::Skipped(event_type)) => summary.skip(event_type),
                Err(failure) => failure.record(&mut summary, ctx),
            }
            Ok(())
        },
    )?;
    summary.absorb(stream);
    Ok(summary)
}

enum Mapped {
    Execution(Box<Execution>),
    Skipped(String),
}

/// The operation name as the source spells it (trimmed), from any of the three shapes.
fn operation_name(value: &Value) -> Option<String> {
    str_ci(value, "operationName")
        .or_else(|| get_ci(value, "properties").and_then(|p| str_ci(p, "operationName")))
        .or_else(|| str_ci(value, "activityDisplayName"))
        .or_else(|| get_ci(value, "properties").and_then(|p| str_ci(p, "activityDisplayName")))
}

/// Lower case, one space between words, any dash as `-`: the form rules match on.
fn normalize(operation: &str) -> String {
    operation
        .chars()
        .map(|c| match c {
            '\u{2010}'..='\u{2015}' | '\u{2212}' => '-',
            c => c.to_ascii_lowercase(),
        })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// What kind of change an operation is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rule {
    /// A change to a principal itself; the account is the first target of this type.
    Principal(ProvisioningAction, &'static str),
    /// `Update user`: enable/disable only when `AccountEnabled` changed.
    UpdateUser,
    Password,
    GroupMember(ProvisioningAction),
    GroupOwner(ProvisioningAction),
    RoleMember {
        action: ProvisioningAction,
        eligible: bool,
        queued: bool,
    },
    SpCredential(ProvisioningAction),
    AppCredentials,
    DelegatedGrant(ProvisioningAction),
    AppRole(ProvisioningAction),
}

fn rule(op: &str) -> Option<Rule> {
    use ProvisioningAction as A;
    Some(match op {
        "add user" => Rule::Principal(A::CreateAccount, "User"),
        "delete user" | "hard delete user" => Rule::Principal(A::Delete, "User"),
        "restore user" | "enable account" => Rule::Principal(A::Enable, "User"),
        "disable account" => Rule::Principal(A::Disable, "User"),
        "update user" => Rule::UpdateUser,
        "reset user password" | "reset password (by admin)" | "change user password" => {
            Rule::Password
        }
        "add member to group" => Rule::GroupMember(A::Grant),
        "remove member from group" => Rule::GroupMember(A::Revoke),
        "add owner to group" => Rule::GroupOwner(A::Grant),
        "remove owner from group" => Rule::GroupOwner(A::Revoke),
        "add service principal" => Rule::Principal(A::CreateAccount, "ServicePrincipal"),
        "remove service principal"
        | "delete service principal"
        | "hard delete service principal" => Rule::Principal(A::Delete, "ServicePrincipal"),
        "add service principal credentials" => Rule::SpCredential(A::CredentialCreated),
        "remove service principal credentials" => Rule::SpCredential(A::CredentialDeleted),
        "update application - certificates and secrets management" => Rule::AppCredentials,
        "add delegated permission grant" => Rule::DelegatedGrant(A::Grant),
        "remove delegated permission grant" => Rule::DelegatedGrant(A::Revoke),
        "add app role assignment to service principal"
        | "add app role assignment grant to user" => Rule::AppRole(A::Grant),
        "remove app role assignment from service principal"
        | "remove app role assignment from user" => Rule::AppRole(A::Revoke),
        _ => return role_rule(op),
    })
}

/// Role membership, directly or through PIM ("Add eligible member to role in PIM completed
/// (permanent)", "Remove member from role (PIM activation expired)", …).
fn role_rule(op: &str) -> Option<Rule> {
    let action = if op.starts_with("add ") && op.contains(" member to role") {
        ProvisioningAction::Grant
    } else if op.starts_with("remove ") && op.contains(" member from role") {
        ProvisioningAction::Revoke
    } else {
        return None;
    };
    if ["approved", "denied", "cancel"]
        .iter()
        .any(|w| op.contains(w))
    {
        return None;
    }
    Some(Rule::RoleMember {
        action,
        eligible: op.contains("eligible"),
        queued: op.contains("requested"),
    })
}

fn map_record(value: &Value, location: &Location, system: &SystemId) -> Result<Mapped, Failure> {
    if !value.is_object() {
        return Err(Failure::Invalid(Problem {
            location: location.clone(),
            reason: format!(
                "expected an audit record (a JSON object) but found {}",
                json_stream::kind_of(value)
            ),
        }));
    }
    let view = RecordView::new(value, location);
    // Azure Monitor nests the Graph fields under `properties`; the others do not.
    let body: &[&str] = if get_ci(value, "properties").is_some_and(Value::is_object) {
        &["properties"]
    } else {
        &[]
    };
    let at_body = |field: &'static str| -> Vec<&'static str> {
        body.iter().copied().chain([field]).collect()
    };

    let operation = match view.opt_str(&["operationName"])? {
        Some(op) => op,
        None => view.req_str(&at_body("activityDisplayName"))?,
    };
    let Some(rule) = rule(&normalize(&operation)) else {
        return Ok(Mapped::Skipped(operation));
    };

    let at = if view.get(&at_body("activityDateTime")).is_some() {
        view.need_time(&at_body("activityDateTime"))?
    } else if view.get(&["time"]).is_some() {
        view.need_time(&["time"])?
    } else if view.get(&["TimeGenerated"]).is_some() {
        view.need_time(&["TimeGenerated"])?
    } else {
        return Err(Failure::incomplete(
            view.location_of(&at_body("activityDateTime")),
            "missing required field `activityDateTime` (or `time` / `TimeGenerated`)",
        ));
    };

    let targets_path = at_body("targetResources");
    let targets: Vec<Value> = match view.nested(&targets_path)? {
        None => Vec::new(),
        Some(Value::Array(items)) => items,
        Some(single @ Value::Object(_)) => vec![single],
        Some(other) => {
            return Err(Failure::Invalid(Problem {
                location: view.location_of(&targets_path),
                reason: format!(
                    "expected an array of target resources but found {}",
                    json_stream::kind_of(&other)
                ),
            }));
        }
    };
    let initiated_by = view.nested(&at_body("initiatedBy"))?;
    let details = view.nested(&at_body("additionalDetails"))?;

    let missing = |what: &str| {
        Failure::incomplete(
            view.location_of(&targets_path),
            format!("`{operation}` names no {what} among its target resources"),
        )
    };

    use ProvisioningAction as A;
    let mut outcome_queued = false;
    let (action, account, entitlement) = match rule {
        Rule::Principal(action, kind) => (
            action,
            principal_name(target_of_type(&targets, kind)).ok_or_else(|| missing(kind))?,
            None,
        ),
        Rule::UpdateUser => {
            let Some(enabled) = modified(&targets, "AccountEnabled", true) else {
                return Ok(Mapped::Skipped(operation));
            };
            let action = if enabled.to_ascii_lowercase().contains("false") {
                A::Disable
            } else {
                A::Enable
            };
            (
                action,
                principal_name(target_of_type(&targets, "User")).ok_or_else(|| missing("User"))?,
                None,
            )
        }
        Rule::Password => (
            A::CredentialRotated,
            principal_name(target_of_type(&targets, "User")).ok_or_else(|| missing("User"))?,
            Some("password".to_owned()),
        ),
        Rule::GroupMember(action) | Rule::GroupOwner(action) => {
            let adding = action == A::Grant;
            let group = principal_name(target_of_type(&targets, "Group"))
                .or_else(|| modified(&targets, "Group.DisplayName", adding))
                .or_else(|| modified(&targets, "Group.ObjectID", adding))
                .ok_or_else(|| missing("Group"))?;
            let member = principal_name(first_target_not_of(&targets, &["Group"]))
                .ok_or_else(|| missing("member"))?;
            let entitlement = if matches!(rule, Rule::GroupOwner(_)) {
                format!("owner:{group}")
            } else {
                group
            };
            (action, member, Some(entitlement))
        }
        Rule::RoleMember {
            action,
            eligible,
            queued,
        } => {
            let adding = action == A::Grant;
            let role = principal_name(target_of_type(&targets, "Role"))
                .or_else(|| modified(&targets, "Role.DisplayName", adding))
                .or_else(|| modified(&targets, "Role.TemplateId", adding))
                .ok_or_else(|| missing("Role"))?;
            let member = principal_name(first_target_not_of(
                &targets,
                &["Role", "Request", "Directory", "Other"],
            ))
            .ok_or_else(|| missing("member"))?;
            outcome_queued = queued;
            (
                action,
                member,
                Some(if eligible {
                    format!("{role} (eligible)")
                } else {
                    role
                }),
            )
        }
        Rule::SpCredential(action) => {
            let adding = action == A::CredentialCreated;
            let sp = principal_name(target_of_type(&targets, "ServicePrincipal"))
                .ok_or_else(|| missing("ServicePrincipal"))?;
            let description = modified(&targets, "KeyDescription", adding);
            let key = description
                .as_deref()
                .and_then(|d| key_ids(d).into_iter().next())
                .or(description);
            (action, sp, key)
        }
        Rule::AppCredentials => {
            let app =
                principal_name(target_of_type(&targets, "Application").or_else(|| targets.first()))
                    .ok_or_else(|| missing("Application"))?;
            let before = key_ids(&modified(&targets, "KeyDescription", false).unwrap_or_default());
            let after = key_ids(&modified(&targets, "KeyDescription", true).unwrap_or_default());
            let added: Vec<&String> = after.iter().filter(|k| !before.contains(k)).collect();
            let removed: Vec<&String> = before.iter().filter(|k| !after.contains(k)).collect();
            let join = |keys: &[&String]| {
                keys.iter()
                    .map(|k| k.as_str())
                    .collect::<Vec<_>>()
                    .join(",")
            };
            match (added.is_empty(), removed.is_empty()) {
                (false, true) => (A::CredentialCreated, app, Some(join(&added))),
                (true, false) => (A::CredentialDeleted, app, Some(join(&removed))),
                (false, false) => (
                    A::CredentialRotated,
                    app,
                    Some(format!("{} -> {}", join(&removed), join(&added))),
                ),
                // The change is logged but does not say which key: still a credential change.
                (true, true) => (A::CredentialRotated, app, None),
            }
        }
        Rule::DelegatedGrant(action) => {
            let adding = action == A::Grant;
            let client_id = modified(&targets, "ServicePrincipal.ObjectID", true)
                .or_else(|| modified(&targets, "ServicePrincipal.ObjectID", false));
            let resource = targets
                .iter()
                .find(|t| has_property(t, "DelegatedPermissionGrant.Scope"))
                .or(targets.first());
            let client = client_id
                .as_deref()
                .and_then(|id| {
                    targets
                        .iter()
                        .find(|t| str_ci(t, "id").as_deref() == Some(id))
                })
                .filter(|t| Some(*t) != resource)
                .and_then(|t| principal_name(Some(t)))
                .or(client_id)
                .ok_or_else(|| missing("client ServicePrincipal"))?;
            let scope = modified(&targets, "DelegatedPermissionGrant.Scope", adding);
            (action, client, Some(resource_entitlement(resource, scope)))
        }
        Rule::AppRole(action) => {
            let adding = action == A::Grant;
            let resource = targets.first();
            let principal = principal_name(target_of_type(&targets, "User"))
                .or_else(|| principal_name(targets.get(1)))
                .or_else(|| modified(&targets, "ServicePrincipal.DisplayName", adding))
                .or_else(|| modified(&targets, "ServicePrincipal.ObjectID", adding))
                .ok_or_else(|| missing("assigned principal"))?;
            let role = modified(&targets, "AppRole.Value", adding)
                .or_else(|| modified(&targets, "AppRole.DisplayName", adding));
            (
                action,
                principal,
                Some(resource_entitlement(resource, role)),
            )
        }
    };

    let result = view.opt_str(&at_body("result"))?;
    let reason = view.opt_str(&at_body("resultReason"))?;
    let (outcome, failure_reason) = match result.as_deref().map(str::to_ascii_lowercase).as_deref()
    {
        None | Some("success") => (
            if outcome_queued {
                Outcome::Queued
            } else {
                Outcome::Succeeded
            },
            None,
        ),
        Some(other) => (
            Outcome::Failed,
            Some(match reason {
                Some(reason) => format!("{other}: {reason}"),
                None => other.to_owned(),
            }),
        ),
    };

    Ok(Mapped::Execution(Box::new(Execution {
        system: system.clone(),
        account,
        action,
        entitlement,
        actor: initiated_by.as_ref().and_then(actor),
        at,
        outcome,
        failure_reason,
        request_ref: details.as_ref().and_then(|d| detail(d, "RequestId")),
        source_event_id: view.opt_id(&at_body("id"))?,
        source_event_type: Some(operation),
    })))
}

fn target_of_type<'a>(targets: &'a [Value], kind: &str) -> Option<&'a Value> {
    targets
        .iter()
        .find(|t| str_ci(t, "type").is_some_and(|k| k.eq_ignore_ascii_case(kind)))
}

fn first_target_not_of<'a>(targets: &'a [Value], kinds: &[&str]) -> Option<&'a Value> {
    targets.iter().find(|t| {
        str_ci(t, "type").is_none_or(|k| !kinds.iter().any(|kind| k.eq_ignore_ascii_case(kind)))
    })
}

/// A user by UPN, anything else by display name, falling back to the object id.
fn principal_name(target: Option<&Value>) -> Option<String> {
    let target = target?;
    str_ci(target, "userPrincipalName")
        .or_else(|| str_ci(target, "displayName"))
        .or_else(|| str_ci(target, "id"))
}

/// The `<resource>: <permission>` form used for API permissions.
fn resource_entitlement(resource: Option<&Value>, permission: Option<String>) -> String {
    let resource = principal_name(resource).unwrap_or_else(|| "unknown resource".to_owned());
    match permission {
        Some(p) => format!("{resource}: {p}"),
        None => resource,
    }
}

fn has_property(target: &Value, name: &str) -> bool {
    properties(target)
        .any(|p| str_ci(p, "displayName").is_some_and(|n| n.eq_ignore_ascii_case(name)))
}

fn properties(target: &Value) -> impl Iterator<Item = &Value> {
    get_ci(target, "modifiedProperties")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
}

/// A modified property's new (or old) value across all targets, decoded from the JSON
/// string Entra stores it as (`"\"Engineering\""` → `Engineering`).
fn modified(targets: &[Value], name: &str, new: bool) -> Option<String> {
    let field = if new { "newValue" } else { "oldValue" };
    targets
        .iter()
        .flat_map(properties)
        .filter(|p| str_ci(p, "displayName").is_some_and(|n| n.eq_ignore_ascii_case(name)))
        .find_map(|p| str_ci(p, field))
        .map(|raw| match serde_json::from_str::<Value>(&raw) {
            Ok(Value::String(s)) => s,
            Ok(Value::Array(items)) if items.len() == 1 => match items.into_iter().next() {
                Some(Value::String(s)) => s,
                Some(other) => other.to_string(),
                None => raw,
            },
            _ => raw,
        })
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
}

/// The `KeyIdentifier=…` values in a `KeyDescription` property.
fn key_ids(description: &str) -> Vec<String> {
    description
        .split("KeyIdentifier=")
        .skip(1)
        .filter_map(|rest| rest.split([',', ']', '"']).next())
        .map(|id| id.trim().to_owned())
        .filter(|id| !id.is_empty())
        .collect()
}

/// Who initiated the change: a user's UPN, or an app's name.
fn actor(initiated_by: &Value) -> Option<String> {
    if let Some(user) = get_ci(initiated_by, "user").filter(|u| u.is_object()) {
        if let Some(name) = ["userPrincipalName", "displayName", "id"]
            .iter()
            .find_map(|k| str_ci(user, k))
        {
            return Some(name);
        }
    }
    let app = get_ci(initiated_by, "app").filter(|a| a.is_object())?;
    [
        "displayName",
        "servicePrincipalName",
        "appId",
        "servicePrincipalId",
    ]
    .iter()
    .find_map(|k| str_ci(app, k))
}

/// A value from `additionalDetails` (`[{"key": …, "value": …}]`).
fn detail(details: &Value, key: &str) -> Option<String> {
    details
        .as_array()?
        .iter()
        .find(|d| str_ci(d, "key").is_some_and(|k| k.eq_ignore_ascii_case(key)))
        .and_then(|d| str_ci(d, "value"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Origin;

    fn run(input: &str) -> (ImportSummary, Vec<Execution>) {
        let ctx = ImportContext::new("audit.json");
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

    fn graph(activity: &str, targets: &str, result: &str) -> String {
        format!(
            r#"{{"id":"Directory_1","activityDisplayName":"{activity}","activityDateTime":"2024-05-01T08:00:00Z","result":"{result}","resultReason":"Insufficient privileges","initiatedBy":{{"user":{{"userPrincipalName":"admin@contoso.com"}}}},"targetResources":{targets}}}"#
        )
    }

    const USER: &str = r#"{"type":"User","id":"u1","userPrincipalName":"ann@contoso.com"}"#;

    #[test]
    fn maps_graph_directory_audits() {
        use ProvisioningAction as A;
        let group_member = r#"[{"type":"User","userPrincipalName":"ann@contoso.com","modifiedProperties":[{"displayName":"Group.DisplayName","oldValue":null,"newValue":"\"Finance\""}]}]"#;
        let removed = r#"[{"type":"User","userPrincipalName":"ann@contoso.com","modifiedProperties":[{"displayName":"Group.DisplayName","oldValue":"\"Finance\"","newValue":null}]}]"#;
        let role = r#"[{"type":"User","userPrincipalName":"ann@contoso.com","modifiedProperties":[{"displayName":"Role.DisplayName","newValue":"\"Global Administrator\""}]}]"#;
        let disable = r#"[{"type":"User","userPrincipalName":"ann@contoso.com","modifiedProperties":[{"displayName":"AccountEnabled","oldValue":"[true]","newValue":"[false]"}]}]"#;
        let users = format!("[{USER}]");
        let cases = [
            ("Add user", users.as_str(), A::CreateAccount, None),
            ("Delete user", users.as_str(), A::Delete, None),
            ("Disable account", users.as_str(), A::Disable, None),
            ("Update user", disable, A::Disable, None),
            (
                "Add member to group",
                group_member,
                A::Grant,
                Some("Finance"),
            ),
            (
                "Remove member from group",
                removed,
                A::Revoke,
                Some("Finance"),
            ),
            (
                "Add member to role",
                role,
                A::Grant,
                Some("Global Administrator"),
            ),
            (
                "Reset user password",
                users.as_str(),
                A::CredentialRotated,
                Some("password"),
            ),
        ];
        for (activity, targets, action, entitlement) in cases {
            let (summary, ex) = run(&format!(
                "{{\"value\":[{}]}}",
                graph(activity, targets, "success")
            ));
            assert!(
                summary.diagnostics.is_empty(),
                "{activity}: {:?}",
                summary.diagnostics
            );
            assert_eq!(ex.len(), 1, "{activity}");
            assert_eq!(
                (
                    ex[0].action,
                    ex[0].account.as_str(),
                    ex[0].entitlement.as_deref()
                ),
                (action, "ann@contoso.com", entitlement),
                "{activity}"
            );
            assert_eq!(ex[0].actor.as_deref(), Some("admin@contoso.com"));
            assert_eq!(ex[0].source_event_type.as_deref(), Some(activity));
        }
    }

    #[test]
    fn failure_and_plain_updates() {
        let (_, ex) = run(&graph("Add user", &format!("[{USER}]"), "failure"));
        assert_eq!(ex[0].outcome, Outcome::Failed);
        assert_eq!(
            ex[0].failure_reason.as_deref(),
            Some("failure: Insufficient privileges")
        );
        let (summary, ex) = run(&graph("Update user", &format!("[{USER}]"), "success"));
        assert!(ex.is_empty());
        assert_eq!(summary.skipped.get("Update user"), Some(&1));
    }

    #[test]
    fn pim_requests_are_queued_and_eligibility_is_marked() {
        let targets = r#"[{"type":"Role","displayName":"Security Reader"},{"type":"Request","id":"r"},{"type":"User","displayName":"Bo","id":"u9"}]"#;
        let (_, ex) = run(&graph(
            "Add eligible member to role in PIM requested (timebound)",
            targets,
            "success",
        ));
        assert_eq!(ex[0].outcome, Outcome::Queued);
        assert_eq!(
            (ex[0].account.as_str(), ex[0].entitlement.as_deref()),
            ("Bo", Some("Security Reader (eligible)"))
        );
        let (summary, ex) = run(&graph(
            "Add member to role request approved (PIM activation)",
            targets,
            "success",
        ));
        assert!(ex.is_empty());
        assert_eq!(summary.skipped.len(), 1);
    }

    #[test]
    fn app_credential_changes_compare_key_ids() {
        let desc = |old: &str, new: &str| {
            format!(
                r#"[{{"type":"Application","displayName":"App","modifiedProperties":[{{"displayName":"KeyDescription","oldValue":"{old}","newValue":"{new}"}}]}}]"#
            )
        };
        let op = "Update application \u{2013} Certificates and secrets management ";
        let (_, ex) = run(&graph(
            op,
            &desc("[]", r#"[\"[KeyIdentifier=k1,KeyType=Password]\"]"#),
            "success",
        ));
        assert_eq!(
            (ex[0].action, ex[0].entitlement.as_deref()),
            (ProvisioningAction::CredentialCreated, Some("k1"))
        );
        assert_eq!(ex[0].source_event_type.as_deref(), Some(op.trim()));
        let (_, ex) = run(&graph(
            op,
            &desc(r#"[\"[KeyIdentifier=k1,KeyType=Password]\"]"#, "[]"),
            "success",
        ));
        assert_eq!(ex[0].action, ProvisioningAction::CredentialDeleted);
    }

    #[test]
    fn bad_rows_name_the_pointer() {
        let input = format!(
            "{{\"value\":[{},{},{},{}]}}",
            r#"{"activityDisplayName":"Add user","activityDateTime":"later","targetResources":[]}"#,
            r#"{"activityDisplayName":"Add user","activityDateTime":"2024-01-01T00:00:00Z","targetResources":[]}"#,
            r#"{"activityDisplayName":"Add user","activityDateTime":"2024-01-01T00:00:00Z","targetResources":5}"#,
            r#"{"activityDisplayName":"Add user"}"#,
        );
        let (summary, ex) = run(&input);
        assert!(ex.is_empty());
        let at: Vec<String> = summary
            .diagnostics
            .iter()
            .map(|d| d.location.to_string())
            .collect();
        assert_eq!(
            at,
            ["/value/0/activityDateTime", "/value/2/targetResources"]
        );
        // Absent, not wrong: read and understood, but no evidence, so warnings.
        let warned: Vec<String> = summary
            .warnings
            .iter()
            .map(|d| d.location.to_string())
            .collect();
        assert_eq!(
            warned,
            ["/value/1/targetResources", "/value/3/activityDateTime"]
        );
    }

    #[test]
    fn operation_names_normalize() {
        assert_eq!(
            normalize(" Update application \u{2013}  Certificates and secrets management "),
            "update application - certificates and secrets management"
        );
    }
}
