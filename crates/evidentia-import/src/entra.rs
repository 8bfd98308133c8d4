//! Reads Microsoft Entra ID audit logs into executions (the proof that a user, group or role membership, service principal or app credential changed) and sign-in logs into activity.
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
//! | Invite external user | create_account | the guest (`…#EXT#@…` UPN) | — |
//! | Delete user, Hard delete user, Delete external user | delete | User | — |
//! | Restore user, Enable account | enable | User | — |
//! | Disable account | disable | User | — |
//! | Update user with `AccountEnabled` changed | disable / enable | User | — (other updates skipped) |
//! | Reset user password, Reset password (by admin), Change user password | credential_rotated | User | `password` |
//! | Add / Remove member to/from group | grant / revoke | member | group name |
//! | Add / Remove owner to/from group | grant / revoke | owner | `owner:<group>` |
//! | Add [eligible / scoped] member to role [in PIM …], Remove … from role | grant / revoke | member | role name (` (eligible)` for PIM eligibility) |
//! | Add / Remove role assignment to/from role definition, Add permanent direct role assignment, Remove permanent direct role assignment | grant / revoke | member | role name |
//! | Add / Remove EligibleRoleAssignment to/from RoleDefinition, Remove permanent eligible role assignment | grant / revoke | member | `<role> (eligible)` |
//! | User has elevated their access to User Access Administrator for their Azure Resources | grant | the initiating user (UPN) | `User Access Administrator (root scope)` |
//! | Add service principal | create_account | service principal | — |
//! | Remove / Delete service principal | delete | service principal | — |
//! | Add / Remove service principal credentials | credential_created / credential_deleted, one per key added (in the new list, not the old) / removed (in the old, not the new) | service principal | key id (else key description) |
//! | Update application – Certificates and secrets management | credential_deleted per key removed, credential_created per key added | application | key id |
//! | Add / Remove delegated permission grant | grant / revoke | client service principal | `<resource>: <scopes>` |
//! | Add / Remove app role assignment to/from service principal, … grant to user / from user | grant / revoke | principal | `<resource>: <app role>` |
//!
//! Activity: sign-in logs (kept as `ActivitySummary`s; `--activity` chooses which), in the same
//! three shapes as the audit log, and mixed with audit records if a file holds both:
//!
//! * Microsoft Graph `auditLogs/signIns`: `createdDateTime`, `userPrincipalName`,
//!   `appDisplayName`, `clientAppUsed`, `isInteractive`, `status.errorCode`, `id`, and for
//!   service-principal sign-ins (beta, `signInEventTypes`) `servicePrincipalName`,
//!   `servicePrincipalId`;
//! * Azure Monitor / Event Hub: `category` `SignInLogs`, `NonInteractiveUserSignInLogs`,
//!   `ServicePrincipalSignInLogs` or `ManagedIdentitySignInLogs`, `operationName`
//!   `Sign-in activity`, `time`, `resultType`, with the Graph fields under `properties`;
//! * Log Analytics tables `SigninLogs`, `AADNonInteractiveUserSignInLogs`,
//!   `AADServicePrincipalSignInLogs`, `AADManagedIdentitySignInLogs`: PascalCase
//!   (`UserPrincipalName`, `IsInteractive`, `ResultType` `"0"`, `Status` as a JSON string),
//!   the table in `Type`.
//!
//! | sign-in | channel | account | interactive | outcome | client |
//! |---|---|---|---|---|---|
//! | a user's (interactive or not) | sign_in | `userPrincipalName`, else `userDisplayName`, else `userId` | `isInteractive`; when absent, `SignInLogs` yes and `NonInteractiveUserSignInLogs` no | `status.errorCode` (else `resultType`) `0` succeeded, anything else failed | `appDisplayName`, else `clientAppUsed` |
//! | a service principal's or managed identity's | sign_in | `servicePrincipalName` (its display name, as audit records name service principals), else `servicePrincipalId`, else `appId` | no | as above | — |
//!
//! A service principal's sign-in that names the secret or certificate it authenticated with
//! (`servicePrincipalCredentialKeyId`) is that credential's use: its summary carries the key id
//! as `credential`, the last-used evidence the credentials export itself lacks.
//!
//! The event type is the category (`SignInLogs`, …; for Graph records the category their
//! `signInEventTypes` or fields imply), so a summary says which log its sign-ins came from. A
//! sign-in with neither `status.errorCode` nor `resultType` proves neither use nor refusal and
//! is skipped under its category; one naming no account as `<category> (no account)`; one
//! without a usable time (`createdDateTime`, else `time`, else `TimeGenerated`) as
//! `<category> (undated)`, with one warning per file. The event id is `id`.
//!
//! Decisions, with reasons:
//! * PIM "… requested …" events are grants or revokes that are **queued**: the request exists,
//!   the assignment does not yet. "… completed …" and plain "Add member to role" (which Core
//!   Directory logs when PIM completes) are done. Approval decisions ("request approved",
//!   "denied", "canceled") are governance, not execution, and are skipped.
//! * Consent (`Add delegated permission grant`) and app-role assignment give a non-human
//!   identity access to an API, so they are grants like group membership is for people.
//! * A credential change lists in `KeyDescription` every key before (`oldValue`) and after
//!   (`newValue`) the change, not the key changed: the keys added are those in the new list
//!   and not the old, by `KeyIdentifier` (a key written without one by its description), and
//!   each gives its own execution; removed keys are those in the old list and not the new. An
//!   application secret added through the portal appears as an application update and is read
//!   the same way. A change whose lists show no difference is one execution naming no key
//!   (`credential_rotated` for an application).
//! * Elevating access ("User has elevated their access to User Access Administrator for their
//!   Azure Resources", category `AzureRBACRoleManagementElevateAccess`) gives the Global
//!   Administrator who did it Azure's User Access Administrator role at the root scope, over
//!   every subscription: a grant to the initiating user of `User Access Administrator (root
//!   scope)`, which a policy should list in a privileged tier. Its removal is an Azure role
//!   assignment deletion, logged in the Azure Activity Log, not here.
//! * A B2B invitation (`Invite external user`) creates the guest's account, named by the UPN
//!   the record gives it (`jane_fabrikam.com#EXT#@contoso.onmicrosoft.com`, as its sign-ins
//!   name it). Redeeming the invitation is the guest accepting it: no account or access
//!   changes, so it is skipped with that reason, as is a re-invitation (`… with reset
//!   invitation status`) of an account that exists.
//! * Every skipped operation is counted as `<operation> (<reason>)`: policies, domain
//!   settings, application properties, PIM request decisions and the rest say why they are no
//!   access change; one nobody decided about says `not recognised`.
//! * Log Analytics exports repeat one audit event per expanded row (same `Id` and operation);
//!   a row identical in id and operation to the one before it is counted as skipped, so one
//!   change gives one execution.
//! * Users are named by `userPrincipalName`, else `displayName`, else object id; other
//!   principals, groups and roles by `displayName`, else id. The actor is the initiating
//!   user's UPN (or name, or id) or the initiating app's display name (or SPN, or app id).
//! * A deleted user's UPN comes with the user's object id in front (32 hex digits); the
//!   prefix is dropped so the deletion names the account everything else names.
//! * `result` `success` succeeded; `failure`, `timeout` and anything else failed, with
//!   `resultReason`. The PIM `RequestId` in `additionalDetails` is the request reference.
//! * Time is `activityDateTime`, else the Azure Monitor `time`, else `TimeGenerated`; stamps
//!   without an offset are UTC.
//! * A mapped operation with no time, or without the target resource it needs, is a warning:
//!   read, no record, the file still imports. A field of the wrong type or a time that does
//!   not parse is a diagnostic (an invalid row).

use std::io::Read;

use evidentia_domain::{
    ActivityChannel, Execution, Outcome, ProvisioningAction, Record, SystemId, Timestamp,
};
use serde_json::Value;

use crate::json_stream::{self, Failure, Problem, RecordView, get_ci, str_ci};
use crate::{
    ACTIVITY_NOT_CAPTURED, ActivityCapture, Format, ImportContext, ImportError, ImportSummary,
    Location, NOT_RECOGNISED, Observation, Progress, RecordSink, skip_key,
};

/// Reads an Entra ID audit or sign-in log file.
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
    let mut previous: Option<(Box<str>, evidentia_domain::Name)> = None;
    let mut undated: (u64, Option<Location>) = (0, None);
    let stream = json_stream::read_records(
        input,
        ctx,
        &["value", "records"],
        progress,
        &mut |value, location| {
            if std::mem::take(&mut first) && operation_name(&value).is_none() && !is_sign_in(&value)
            {
                return Err(ImportError::Unreadable(ctx.diagnostic(
                location,
                "this does not look like an Entra ID audit or sign-in log: the first record has no operationName or activityDisplayName and is no sign-in",
            )));
            }
            if is_sign_in(&value) {
                match sign_in(&RecordView::new(&value, &location), ctx.activity) {
                    Ok(SignInRead::SignIn(s)) => {
                        let observation = Observation {
                            credential: s.credential.as_deref(),
                            system: &system,
                            account: &s.account,
                            channel: ActivityChannel::SignIn,
                            interactive: s.interactive,
                            outcome: s.outcome,
                            at: s.at,
                            event_type: s.category.as_str(),
                            source_event_id: s.id.as_deref(),
                            client: s.client.as_deref(),
                        };
                        summary.observe(ctx, &observation, &location);
                    }
                    Ok(SignInRead::Skipped(key)) => summary.skip(key),
                    Ok(SignInRead::Undated(category)) => {
                        summary.skip(format!("{} (undated)", category.as_str()));
                        undated.0 += 1;
                        undated.1.get_or_insert(location);
                    }
                    Err(problem) => summary.diagnostics.push(problem.into_diagnostic(ctx)),
                }
                return Ok(());
            }
            match map_record(&value, &location, &system) {
                Ok(Mapped::Executions(executions)) => {
                    let key = executions
                        .first()
                        .and_then(|e| e.source_event_id.clone().zip(e.source_event_type.clone()));
                    if key.is_some() && key == previous {
                        let event_type = key.map(|(_, t)| t).unwrap_or_default();
                        summary.skip_because(&event_type, REPEATED_ROW);
                        return Ok(());
                    }
                    previous = key;
                    for execution in executions {
                        summary.deliver(sink, Record::Execution(execution), location.clone())?;
                    }
                }
                Ok(Mapped::Skipped(key)) => summary.skip(key),
                Err(failure) => failure.record(&mut summary, ctx),
            }
            Ok(())
        },
    )?;
    summary.absorb(stream);
    if let (count, Some(first)) = undated {
        summary.warn(ctx.diagnostic(
            first,
            format!(
                "{count} sign-in(s) have no createdDateTime (or time / TimeGenerated), or one \
                 that is not a time, so they prove no use at any time and were counted as \
                 skipped (`<category> (undated)`); this is the first"
            ),
        ));
    }
    Ok(summary)
}

/// The four sign-in logs, named by their diagnostic-settings category.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SignInLog {
    Interactive,
    NonInteractive,
    ServicePrincipal,
    ManagedIdentity,
}

impl SignInLog {
    /// The diagnostic-settings category: the event type sign-ins are summarised under.
    fn as_str(self) -> &'static str {
        match self {
            SignInLog::Interactive => "SignInLogs",
            SignInLog::NonInteractive => "NonInteractiveUserSignInLogs",
            SignInLog::ServicePrincipal => "ServicePrincipalSignInLogs",
            SignInLog::ManagedIdentity => "ManagedIdentitySignInLogs",
        }
    }

    /// A diagnostic-settings category or a Log Analytics table.
    fn parse(text: &str) -> Option<SignInLog> {
        Some(match text.trim().to_ascii_lowercase().as_str() {
            "signinlogs" => SignInLog::Interactive,
            "noninteractiveusersigninlogs" | "aadnoninteractiveusersigninlogs" => {
                SignInLog::NonInteractive
            }
            "serviceprincipalsigninlogs" | "aadserviceprincipalsigninlogs" => {
                SignInLog::ServicePrincipal
            }
            "managedidentitysigninlogs" | "aadmanagedidentitysigninlogs" => {
                SignInLog::ManagedIdentity
            }
            _ => return None,
        })
    }

    /// A Graph `signInEventTypes` entry (`interactiveUser`, `servicePrincipal`, …).
    fn from_event_type(text: &str) -> Option<SignInLog> {
        Some(match text.trim().to_ascii_lowercase().as_str() {
            "interactiveuser" => SignInLog::Interactive,
            "noninteractiveuser" => SignInLog::NonInteractive,
            "serviceprincipal" => SignInLog::ServicePrincipal,
            "managedidentity" => SignInLog::ManagedIdentity,
            _ => return None,
        })
    }

    fn is_principal(self) -> bool {
        matches!(
            self,
            SignInLog::ServicePrincipal | SignInLog::ManagedIdentity
        )
    }
}

/// Whether a record is a sign-in rather than a directory audit: no audit operation (a sign-in's
/// is `Sign-in activity`, or none in Graph), and a sign-in log's category (Azure Monitor) or
/// table (Log Analytics), the operation `Sign-in activity`, or a Graph `signIn`'s fields (a
/// `createdDateTime` with the sign-in's own fields).
fn is_sign_in(value: &Value) -> bool {
    let operation = operation_name(value);
    match &operation {
        Some(op) if op.eq_ignore_ascii_case("Sign-in activity") => return true,
        Some(_) => return false,
        None => {}
    }
    let properties = get_ci(value, "properties").filter(|p| p.is_object());
    let in_body = |key: &str| {
        get_ci(value, key)
            .or_else(|| properties.and_then(|p| get_ci(p, key)))
            .is_some_and(|v| !v.is_null())
    };
    if ["category", "Type"]
        .iter()
        .any(|k| str_ci(value, k).is_some_and(|c| SignInLog::parse(&c).is_some()))
    {
        return true;
    }
    in_body("createdDateTime")
        && [
            "userPrincipalName",
            "servicePrincipalName",
            "servicePrincipalId",
            "appDisplayName",
            "isInteractive",
            "clientAppUsed",
        ]
        .iter()
        .any(|k| in_body(k))
}

/// One sign-in, owned until it is folded into the activity book.
struct SignIn {
    account: String,
    interactive: bool,
    outcome: Outcome,
    at: Timestamp,
    category: SignInLog,
    id: Option<String>,
    client: Option<String>,
    /// A service principal's sign-in names the secret or certificate it used
    /// (`servicePrincipalCredentialKeyId`): that credential's use.
    credential: Option<String>,
}

enum SignInRead {
    SignIn(SignIn),
    Skipped(String),
    /// No usable time: skipped under its category and warned about once.
    Undated(SignInLog),
}

/// Reads one sign-in record of any of the three shapes (see the module docs).
fn sign_in(view: &RecordView<'_>, capture: ActivityCapture) -> Result<SignInRead, Problem> {
    // Azure Monitor nests the Graph fields under `properties`; the others do not.
    let body: &[&str] = if view.get(&["properties"]).is_some_and(Value::is_object) {
        &["properties"]
    } else {
        &[]
    };
    let at_body = |field: &'static str| -> Vec<&'static str> {
        body.iter().copied().chain([field]).collect()
    };
    let text = |path: &[&str]| view.get(path).and_then(|v| v.as_str().map(str::trim));
    let category = ["category", "Type"]
        .iter()
        .find_map(|k| text(&[k]).and_then(SignInLog::parse))
        .or_else(|| {
            // Graph beta: `signInEventTypes` such as ["servicePrincipal"].
            view.get(&at_body("signInEventTypes"))
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .find_map(|t| t.as_str().and_then(SignInLog::from_event_type))
        })
        .unwrap_or_else(|| {
            let user = text(&at_body("userPrincipalName")).is_some_and(|u| !u.is_empty());
            let principal = text(&at_body("servicePrincipalName")).is_some_and(|u| !u.is_empty());
            if principal && !user {
                SignInLog::ServicePrincipal
            } else if interactive_flag(view.get(&at_body("isInteractive"))) == Some(false) {
                SignInLog::NonInteractive
            } else {
                SignInLog::Interactive
            }
        });
    let event_type = category.as_str();
    // Decided before reading anything else, so `--activity none` reads records as before.
    if !capture.keeps(ActivityChannel::SignIn) {
        return Ok(SignInRead::Skipped(skip_key(
            event_type,
            ACTIVITY_NOT_CAPTURED,
        )));
    }
    let names: &[&'static str] = if category.is_principal() {
        &["servicePrincipalName", "servicePrincipalId", "appId"]
    } else {
        &["userPrincipalName", "userDisplayName", "userId"]
    };
    let mut account = None;
    for name in names {
        if let Some(found) = view.opt_str(&at_body(name))? {
            account = Some(found);
            break;
        }
    }
    let Some(account) = account else {
        return Ok(SignInRead::Skipped(format!("{event_type} (no account)")));
    };
    let interactive = !category.is_principal()
        && interactive_flag(view.get(&at_body("isInteractive")))
            .unwrap_or(category == SignInLog::Interactive);
    // `status.errorCode` (0 is success), else the Azure Monitor / Log Analytics `resultType`;
    // a sign-in that says neither is no evidence either way.
    let status = view.nested(&at_body("status")).ok().flatten();
    let code = status
        .as_ref()
        .and_then(|s| get_ci(s, "errorCode"))
        .or_else(|| view.get(&["resultType"]))
        .and_then(|c| match c {
            Value::Number(n) => Some(n.to_string()),
            Value::String(t) if !t.trim().is_empty() => Some(t.trim().to_owned()),
            _ => None,
        });
    let Some(code) = code else {
        return Ok(SignInRead::Skipped(skip_key(
            event_type,
            "no errorCode or resultType: proves neither use nor refusal",
        )));
    };
    let outcome = if code == "0" || code.eq_ignore_ascii_case("success") {
        Outcome::Succeeded
    } else {
        Outcome::Failed
    };
    let at = ["createdDateTime", "time", "TimeGenerated"]
        .iter()
        .find_map(|k| {
            let path = if *k == "createdDateTime" {
                at_body(k)
            } else {
                vec![*k]
            };
            text(&path).and_then(json_stream::parse_timestamp)
        });
    let Some(at) = at else {
        return Ok(SignInRead::Undated(category));
    };
    let client = if category.is_principal() {
        None
    } else {
        match view.opt_str(&at_body("appDisplayName"))? {
            Some(app) => Some(app),
            None => view.opt_str(&at_body("clientAppUsed"))?,
        }
    };
    let credential = if category.is_principal() {
        view.opt_str(&at_body("servicePrincipalCredentialKeyId"))?
    } else {
        None
    };
    Ok(SignInRead::SignIn(SignIn {
        account,
        interactive,
        outcome,
        at,
        category,
        id: view.opt_id(&at_body("id"))?,
        client,
        credential,
    }))
}

/// `isInteractive` as Graph (a boolean) or an export (`"true"`, `"False"`) writes it.
fn interactive_flag(value: Option<&Value>) -> Option<bool> {
    match value? {
        Value::Bool(b) => Some(*b),
        Value::String(t) if t.trim().eq_ignore_ascii_case("true") => Some(true),
        Value::String(t) if t.trim().eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    }
}

enum Mapped {
    /// One change, or one per key added or removed by a credential change.
    Executions(Vec<Execution>),
    /// The skip key, `<operation> (<reason>)`.
    Skipped(String),
}

/// The reason for a Log Analytics row repeating the event of the row before it.
const REPEATED_ROW: &str =
    "the row before's event again, as Log Analytics expands one event into several rows";

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
    /// A Global Administrator elevating themself to User Access Administrator at Azure's root.
    ElevateAccess,
    DelegatedGrant(ProvisioningAction),
    AppRole(ProvisioningAction),
}

fn rule(op: &str) -> Option<Rule> {
    use ProvisioningAction as A;
    Some(match op {
        "add user" => Rule::Principal(A::CreateAccount, "User"),
        // A B2B invitation creates the guest's account (it exists, unredeemed, from then on).
        "invite external user" => Rule::Principal(A::CreateAccount, "User"),
        "delete user" | "hard delete user" | "delete external user" => {
            Rule::Principal(A::Delete, "User")
        }
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
        "user has elevated their access to user access administrator for their azure resources" => {
            Rule::ElevateAccess
        }
        // Role assignments as PIM and the unified role API log them, besides "… member to role".
        "add permanent direct role assignment" | "add role assignment to role definition" => {
            Rule::RoleMember {
                action: A::Grant,
                eligible: false,
                queued: false,
            }
        }
        "remove permanent direct role assignment"
        | "remove role assignment from role definition" => Rule::RoleMember {
            action: A::Revoke,
            eligible: false,
            queued: false,
        },
        "add eligibleroleassignment to roledefinition" => Rule::RoleMember {
            action: A::Grant,
            eligible: true,
            queued: false,
        },
        "remove permanent eligible role assignment"
        | "remove eligibleroleassignment from roledefinition" => Rule::RoleMember {
            action: A::Revoke,
            eligible: true,
            queued: false,
        },
        "add delegated permission grant" => Rule::DelegatedGrant(A::Grant),
        "remove delegated permission grant" => Rule::DelegatedGrant(A::Revoke),
        "add app role assignment to service principal"
        | "add app role assignment grant to user" => Rule::AppRole(A::Grant),
        "remove app role assignment from service principal"
        | "remove app role assignment from user" => Rule::AppRole(A::Revoke),
        _ => return role_rule(op),
    })
}

/// The entitlement an elevation of access grants: Azure's User Access Administrator role at the
/// root scope (`/`), over every subscription and management group of the tenant.
const ROOT_SCOPE_USER_ACCESS_ADMIN: &str = "User Access Administrator (root scope)";

/// Why an operation with no rule is skipped (its normalized name), for the skip key
/// `<operation> (<reason>)`; operations nobody decided about are [`NOT_RECOGNISED`].
fn skip_reason(op: &str) -> &'static str {
    let has = |w: &str| op.contains(w);
    match op {
        "invite external user with reset invitation status" => {
            "the guest's account exists already; only its invitation is sent again"
        }
        "invite internal user to b2b collaboration" => {
            "an existing internal account invited to B2B: no new account"
        }
        "redeem external user invite" | "redeem extern user invite" => {
            "the guest accepting the invitation that created the account: no access changes"
        }
        "update application" | "update service principal" => {
            "application properties, not its credentials or assignments"
        }
        _ if ["approved", "denied", "cancel", "approval"]
            .iter()
            .any(|w| has(w))
            && has("role") =>
        {
            "a PIM request decision: governance, not an execution"
        }
        _ if has("policy") => "a tenant or application policy, not an account's access",
        _ if has("domain") => "a tenant domain setting, not an account's access",
        _ => NOT_RECOGNISED,
    }
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
    let normalized = normalize(&operation);
    let Some(rule) = rule(&normalized) else {
        return Ok(Mapped::Skipped(skip_key(
            &operation,
            skip_reason(&normalized),
        )));
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
    let (account, changes): (String, Vec<(ProvisioningAction, Option<String>)>) = match rule {
        Rule::Principal(action, kind) => (
            principal_name(target_of_type(&targets, kind)).ok_or_else(|| missing(kind))?,
            vec![(action, None)],
        ),
        Rule::UpdateUser => {
            let Some(enabled) = modified(&targets, "AccountEnabled", true) else {
                return Ok(Mapped::Skipped(skip_key(
                    &operation,
                    "no AccountEnabled change: other user properties are not access",
                )));
            };
            let action = if enabled.to_ascii_lowercase().contains("false") {
                A::Disable
            } else {
                A::Enable
            };
            (
                principal_name(target_of_type(&targets, "User")).ok_or_else(|| missing("User"))?,
                vec![(action, None)],
            )
        }
        Rule::Password => (
            principal_name(target_of_type(&targets, "User")).ok_or_else(|| missing("User"))?,
            vec![(A::CredentialRotated, Some("password".to_owned()))],
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
            (member, vec![(action, Some(entitlement))])
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
            let role = if eligible {
                format!("{role} (eligible)")
            } else {
                role
            };
            (member, vec![(action, Some(role))])
        }
        Rule::ElevateAccess => {
            // The Global Administrator elevates themself: the initiator is the account; the
            // record's targets name the same user, or nothing useful.
            let user = initiated_by
                .as_ref()
                .and_then(initiating_user)
                .or_else(|| principal_name(target_of_type(&targets, "User")))
                .ok_or_else(|| {
                    Failure::incomplete(
                        view.location_of(&at_body("initiatedBy")),
                        format!("`{operation}` names no initiating user"),
                    )
                })?;
            (
                user,
                vec![(A::Grant, Some(ROOT_SCOPE_USER_ACCESS_ADMIN.to_owned()))],
            )
        }
        Rule::SpCredential(action) => {
            let sp = principal_name(target_of_type(&targets, "ServicePrincipal"))
                .ok_or_else(|| missing("ServicePrincipal"))?;
            let (before, after) = key_lists(&targets);
            let keys = if action == A::CredentialCreated {
                only_in(&after, &before)
            } else {
                only_in(&before, &after)
            };
            // The change is logged but the lists do not say which key: still a credential event.
            let changes = if keys.is_empty() {
                vec![(action, None)]
            } else {
                keys.into_iter().map(|k| (action, Some(k))).collect()
            };
            (sp, changes)
        }
        Rule::AppCredentials => {
            let app =
                principal_name(target_of_type(&targets, "Application").or_else(|| targets.first()))
                    .ok_or_else(|| missing("Application"))?;
            let (before, after) = key_lists(&targets);
            let added = only_in(&after, &before);
            let removed = only_in(&before, &after);
            let changes: Vec<_> = removed
                .into_iter()
                .map(|k| (A::CredentialDeleted, Some(k)))
                .chain(added.into_iter().map(|k| (A::CredentialCreated, Some(k))))
                .collect();
            if changes.is_empty() {
                (app, vec![(A::CredentialRotated, None)])
            } else {
                (app, changes)
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
            (
                client,
                vec![(action, Some(resource_entitlement(resource, scope)))],
            )
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
                principal,
                vec![(action, Some(resource_entitlement(resource, role)))],
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

    let actor = initiated_by.as_ref().and_then(actor);
    let request_ref = details.as_ref().and_then(|d| detail(d, "RequestId"));
    let source_event_id = view.opt_id(&at_body("id"))?;
    Ok(Mapped::Executions(
        changes
            .into_iter()
            .map(|(action, entitlement)| Execution {
                system: system.clone(),
                account: account.as_str().into(),
                action,
                entitlement: entitlement.map(Into::into),
                actor: actor.as_deref().map(Into::into),
                at,
                outcome,
                failure_reason: failure_reason.as_deref().map(Into::into),
                request_ref: request_ref.as_deref().map(Into::into),
                source_event_id: source_event_id.as_deref().map(Into::into),
                source_event_type: Some(operation.as_str().into()),
            })
            .collect(),
    ))
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
        .map(|upn| live_upn(&upn).to_owned())
        .or_else(|| str_ci(target, "displayName"))
        .or_else(|| str_ci(target, "id"))
}

/// The UPN a user had before deletion: Entra writes a deleted user's UPN with its object id
/// (32 hex digits, no dashes) in front (`d929…b936ryan.hughes@contoso.com`), so the delete
/// would otherwise name an account nobody else does.
fn live_upn(upn: &str) -> &str {
    let bytes = upn.as_bytes();
    if upn.len() > 33 && bytes[..32].iter().all(u8::is_ascii_hexdigit) && upn[32..].contains('@') {
        &upn[32..]
    } else {
        upn
    }
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

/// The keys before and after a credential change, each by its key id: the `KeyDescription`
/// property's old and new lists (`["[KeyIdentifier=…,KeyType=Password,…]", …]`; each list
/// holds all keys at that moment), else a `KeyIdentifier` property's. A key written without a
/// `KeyIdentifier` is known by its description.
fn key_lists(targets: &[Value]) -> (Vec<String>, Vec<String>) {
    for name in ["KeyDescription", "KeyIdentifier"] {
        let before = modified_raw(targets, name, false);
        let after = modified_raw(targets, name, true);
        if before.is_some() || after.is_some() {
            return (
                keys(before.as_deref().unwrap_or_default()),
                keys(after.as_deref().unwrap_or_default()),
            );
        }
    }
    (Vec::new(), Vec::new())
}

/// The keys of one side of a credential change, in the order listed, each once.
fn keys(raw: &str) -> Vec<String> {
    let entries: Vec<String> = match serde_json::from_str::<Value>(raw) {
        Ok(Value::Array(items)) => items
            .into_iter()
            .map(|item| match item {
                Value::String(s) => s,
                other => other.to_string(),
            })
            .collect(),
        Ok(Value::String(s)) => vec![s],
        Ok(Value::Null) => Vec::new(),
        _ => vec![raw.to_owned()],
    };
    let mut out: Vec<String> = Vec::new();
    for entry in entries {
        let ids = key_ids(&entry);
        let ids = if ids.is_empty() {
            vec![entry.trim().to_owned()]
        } else {
            ids
        };
        for id in ids {
            if !id.is_empty() && !out.contains(&id) {
                out.push(id);
            }
        }
    }
    out
}

/// The keys of `these` not among `those` (key ids compare exactly; descriptions ignoring case).
fn only_in(these: &[String], those: &[String]) -> Vec<String> {
    these
        .iter()
        .filter(|k| !those.iter().any(|o| o.eq_ignore_ascii_case(k)))
        .cloned()
        .collect()
}

/// A modified property's new (or old) value across all targets, as written (a JSON string).
fn modified_raw(targets: &[Value], name: &str, new: bool) -> Option<String> {
    let field = if new { "newValue" } else { "oldValue" };
    targets
        .iter()
        .flat_map(properties)
        .filter(|p| str_ci(p, "displayName").is_some_and(|n| n.eq_ignore_ascii_case(name)))
        .find_map(|p| str_ci(p, field))
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

/// The user who initiated the change, by UPN (else name, else id); `None` for an app.
fn initiating_user(initiated_by: &Value) -> Option<String> {
    let user = get_ci(initiated_by, "user").filter(|u| u.is_object())?;
    ["userPrincipalName", "displayName", "id"]
        .iter()
        .find_map(|k| str_ci(user, k))
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
    fn a_deleted_users_upn_loses_its_object_id_prefix() {
        assert_eq!(
            super::live_upn("d9292749192b50c8abaf4e22d569b936ryan.hughes@contoso.com"),
            "ryan.hughes@contoso.com"
        );
        assert_eq!(super::live_upn("ann@contoso.com"), "ann@contoso.com");
        assert_eq!(
            super::live_upn("d9292749192b50c8abaf4e22d569b936"),
            "d9292749192b50c8abaf4e22d569b936"
        );
    }

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
        assert_eq!(
            summary.skipped.get(
                "Update user (no AccountEnabled change: other user properties are not access)"
            ),
            Some(&1)
        );
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

    /// A Graph `directoryAudit` as Entra writes a credential change (the shape of the
    /// `microsoft.graph.directoryAudit` resource; the `KeyDescription` lists as in the OTRF
    /// SimuLand capture and Microsoft's Sentinel rule "New access credential added to
    /// Application or Service Principal", which diffs the new list against the old): each
    /// list holds every key at that moment.
    fn credential_change(activity: &str, kind: &str, before: &[&str], after: &[&str]) -> String {
        let list = |keys: &[&str]| {
            let entries: Vec<String> = keys
                .iter()
                .map(|k| {
                    format!("[KeyIdentifier={k},KeyType=AsymmetricX509Cert,KeyUsage=Verify,DisplayName=CN={k}]")
                })
                .collect();
            serde_json::to_string(&entries).unwrap()
        };
        serde_json::json!({
            "id": "Directory_5e1c_ABCDE_1",
            "category": "ApplicationManagement",
            "correlationId": "5e1c0000-0000-0000-0000-000000000001",
            "result": "success",
            "resultReason": "",
            "activityDisplayName": activity,
            "activityDateTime": "2024-05-01T08:00:00Z",
            "loggedByService": "Core Directory",
            "operationType": "Update",
            "initiatedBy": {"user": {"id": "a1", "userPrincipalName": "admin@contoso.com"}},
            "targetResources": [{
                "id": "sp1",
                "displayName": "Billing Sync",
                "type": kind,
                "modifiedProperties": [
                    {"displayName": "KeyDescription", "oldValue": list(before), "newValue": list(after)},
                    {"displayName": "Included Updated Properties", "oldValue": null, "newValue": "\"KeyDescription\""}
                ]
            }],
            "additionalDetails": []
        })
        .to_string()
    }

    /// Regression: the importer recorded the first key of the new list, not the key added.
    #[test]
    fn sp_credentials_name_the_keys_added_or_removed_not_the_first_listed() {
        use ProvisioningAction as A;
        let got = |input: String| {
            let (summary, ex) = run(&input);
            assert!(summary.diagnostics.is_empty(), "{:?}", summary.diagnostics);
            ex.into_iter()
                .map(|e| {
                    assert_eq!(e.account, "Billing Sync");
                    (e.action, e.entitlement.unwrap_or_default().to_string())
                })
                .collect::<Vec<_>>()
        };
        let add = "Add service principal credentials";
        let remove = "Remove service principal credentials";
        // Two keys before, three after: the third is the one added.
        assert_eq!(
            got(credential_change(
                add,
                "ServicePrincipal",
                &["k1", "k2"],
                &["k1", "k2", "k3"]
            )),
            [(A::CredentialCreated, "k3".to_owned())]
        );
        // The new key listed first is still the only one added.
        assert_eq!(
            got(credential_change(
                add,
                "ServicePrincipal",
                &["k1", "k2"],
                &["k3", "k1", "k2"]
            )),
            [(A::CredentialCreated, "k3".to_owned())]
        );
        // Two added at once: one execution each.
        assert_eq!(
            got(credential_change(
                add,
                "ServicePrincipal",
                &["k1"],
                &["k1", "k2", "k3"]
            )),
            [
                (A::CredentialCreated, "k2".to_owned()),
                (A::CredentialCreated, "k3".to_owned())
            ]
        );
        // A removal names the key in the old list and not the new.
        assert_eq!(
            got(credential_change(
                remove,
                "ServicePrincipal",
                &["k1", "k2", "k3"],
                &["k1", "k3"]
            )),
            [(A::CredentialDeleted, "k2".to_owned())]
        );
        // An application's secrets: one removed and one added in one update.
        let op = "Update application \u{2013} Certificates and secrets management ";
        assert_eq!(
            got(credential_change(
                op,
                "Application",
                &["k1", "k2"],
                &["k2", "k3"]
            )),
            [
                (A::CredentialDeleted, "k1".to_owned()),
                (A::CredentialCreated, "k3".to_owned())
            ]
        );
    }

    /// The elevation as Microsoft documents it ("Elevate access to manage all Azure
    /// subscriptions and management groups": category `AzureRBACRoleManagementElevateAccess`,
    /// service "Azure RBAC (Elevated Access)"), by the Global Administrator named in
    /// `initiatedBy`.
    #[test]
    fn elevated_access_is_a_root_scope_user_access_administrator_grant_of_the_initiator() {
        let record = r#"{"id":"Elevate_1","category":"AzureRBACRoleManagementElevateAccess","result":"success","activityDisplayName":"User has elevated their access to User Access Administrator for their Azure Resources","activityDateTime":"2024-05-01T08:00:00Z","loggedByService":"Azure RBAC (Elevated Access)","operationType":"Assign","initiatedBy":{"user":{"id":"u7","displayName":"Ga Admin","userPrincipalName":"ga@contoso.com","ipAddress":"192.0.2.1"}},"targetResources":[{"id":"u7","type":"User","displayName":"Ga Admin"}],"additionalDetails":[]}"#;
        let (summary, ex) = run(record);
        assert!(summary.diagnostics.is_empty(), "{:?}", summary.diagnostics);
        assert_eq!(ex.len(), 1, "{:?}", summary.skipped);
        assert_eq!(
            (
                ex[0].action,
                ex[0].account.as_str(),
                ex[0].entitlement.as_deref()
            ),
            (
                ProvisioningAction::Grant,
                "ga@contoso.com",
                Some("User Access Administrator (root scope)")
            )
        );
    }

    /// PIM's and the role API's names for removing a role assignment (Microsoft's audit
    /// activity reference, "Core Directory" and "Privileged Identity Management").
    #[test]
    fn role_assignment_removals_are_revokes() {
        use ProvisioningAction as A;
        let targets = r#"[{"type":"Role","displayName":"Security Reader"},{"type":"User","userPrincipalName":"bo@contoso.com"}]"#;
        for (activity, action, entitlement) in [
            (
                "Remove permanent direct role assignment",
                A::Revoke,
                "Security Reader",
            ),
            (
                "Remove role assignment from role definition",
                A::Revoke,
                "Security Reader",
            ),
            (
                "Remove permanent eligible role assignment",
                A::Revoke,
                "Security Reader (eligible)",
            ),
            (
                "Remove EligibleRoleAssignment from RoleDefinition",
                A::Revoke,
                "Security Reader (eligible)",
            ),
            (
                "Remove member from role (PIM activation expired)",
                A::Revoke,
                "Security Reader",
            ),
            (
                "Add role assignment to role definition",
                A::Grant,
                "Security Reader",
            ),
        ] {
            let (summary, ex) = run(&graph(activity, targets, "success"));
            assert!(
                summary.skipped.is_empty(),
                "{activity}: {:?}",
                summary.skipped
            );
            assert_eq!(
                (
                    ex[0].action,
                    ex[0].account.as_str(),
                    ex[0].entitlement.as_deref()
                ),
                (action, "bo@contoso.com", Some(entitlement)),
                "{activity}"
            );
        }
    }

    /// B2B invitations as the "Invited users" audit activities name them: the invitation
    /// creates the guest's account (named by its `#EXT#` UPN, as its sign-ins are); a
    /// re-invitation and the redemption change no access and are skipped with their reason.
    #[test]
    fn guest_invitations_create_the_guest_and_redemptions_are_skipped_with_a_reason() {
        let guest = r#"[{"id":"g1","type":"User","displayName":"jane@fabrikam.com","userPrincipalName":"jane_fabrikam.com#EXT#@contoso.onmicrosoft.com"}]"#;
        let (summary, ex) = run(&graph("Invite external user", guest, "success"));
        assert!(summary.skipped.is_empty(), "{:?}", summary.skipped);
        assert_eq!(
            (
                ex[0].action,
                ex[0].account.as_str(),
                ex[0].entitlement.as_deref()
            ),
            (
                ProvisioningAction::CreateAccount,
                "jane_fabrikam.com#EXT#@contoso.onmicrosoft.com",
                None
            )
        );
        for activity in [
            "Redeem external user invite",
            "Invite external user with reset invitation status",
        ] {
            let (summary, ex) = run(&graph(activity, guest, "success"));
            assert!(ex.is_empty(), "{activity}");
            let key = summary.skipped.keys().next().unwrap();
            assert!(key.starts_with(&format!("{activity} (")), "{key}");
            assert!(!key.contains(NOT_RECOGNISED), "{key}");
        }
        let (summary, _) = run(&graph("Some future activity", guest, "success"));
        assert_eq!(
            summary.skipped,
            [(skip_key("Some future activity", NOT_RECOGNISED), 1)].into()
        );
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

    fn run_capture(
        input: &str,
        capture: ActivityCapture,
    ) -> (ImportSummary, Vec<evidentia_domain::ActivitySummary>) {
        let (summary, records) = crate::activity::import_capturing(
            crate::Format::Entra,
            "signins.json",
            input.as_bytes(),
            capture,
        );
        (summary, crate::activity::summaries(records))
    }

    fn graph_sign_in(id: &str, time: &str, upn: &str, interactive: bool, code: u32) -> String {
        format!(
            r#"{{"id":"{id}","createdDateTime":"{time}","userDisplayName":"Ann","userPrincipalName":"{upn}","userId":"u1","appId":"a1","appDisplayName":"Azure Portal","clientAppUsed":"Browser","isInteractive":{interactive},"status":{{"errorCode":{code},"failureReason":"x"}}}}"#
        )
    }

    #[test]
    fn graph_sign_ins_become_summaries_of_the_upn() {
        let input = format!(
            r#"{{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#auditLogs/signIns","value":[{},{},{},{},{}]}}"#,
            graph_sign_in("s1", "2024-05-02T08:00:00Z", "ann@contoso.com", true, 0),
            graph_sign_in("s2", "2024-05-01T08:00:00Z", "ann@contoso.com", true, 0),
            graph_sign_in("s3", "2024-05-03T08:00:00Z", "ann@contoso.com", true, 50126),
            graph_sign_in("s4", "2024-05-03T09:00:00Z", "ann@contoso.com", false, 0),
            r#"{"id":"s5","createdDateTime":"2024-05-03T10:00:00Z","servicePrincipalName":"Billing Sync","servicePrincipalId":"sp1","appId":"a2","appDisplayName":"Billing Sync","isInteractive":false,"signInEventTypes":["servicePrincipal"],"status":{"errorCode":0}}"#,
        );
        let (summary, activity) = run_capture(&input, ActivityCapture::All);
        assert!(summary.diagnostics.is_empty(), "{:?}", summary.diagnostics);
        assert!(summary.skipped.is_empty(), "{:?}", summary.skipped);
        let got: Vec<_> = activity
            .iter()
            .map(|a| {
                assert_eq!(a.system.as_str(), "entra-id");
                assert_eq!(a.channel, ActivityChannel::SignIn);
                (
                    a.account.as_str(),
                    a.interactive,
                    a.outcome,
                    a.count,
                    a.first.location.as_str(),
                    a.last.location.as_str(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                (
                    "Billing Sync",
                    false,
                    Outcome::Succeeded,
                    1,
                    "/value/4",
                    "/value/4"
                ),
                (
                    "ann@contoso.com",
                    false,
                    Outcome::Succeeded,
                    1,
                    "/value/3",
                    "/value/3"
                ),
                (
                    "ann@contoso.com",
                    true,
                    Outcome::Succeeded,
                    2,
                    "/value/1",
                    "/value/0"
                ),
                (
                    "ann@contoso.com",
                    true,
                    Outcome::Failed,
                    1,
                    "/value/2",
                    "/value/2"
                ),
            ]
        );
        assert_eq!(activity[0].event_types, ["ServicePrincipalSignInLogs"]);
        assert!(activity[0].clients.is_empty());
        assert_eq!(activity[1].event_types, ["NonInteractiveUserSignInLogs"]);
        assert_eq!(activity[2].event_types, ["SignInLogs"]);
        assert_eq!(activity[2].clients, ["Azure Portal"]);
        assert_eq!(activity[2].first.source_event_id.as_deref(), Some("s2"));
    }

    #[test]
    fn azure_monitor_and_log_analytics_sign_ins() {
        let monitor = [
            r#"{"time":"2024-05-01T08:00:00.1234567Z","resourceId":"/tenants/t/providers/Microsoft.aadiam","operationName":"Sign-in activity","category":"SignInLogs","resultType":"0","identity":"Ann","properties":{"id":"m1","createdDateTime":"2024-05-01T08:00:00.1234567+00:00","userPrincipalName":"ann@contoso.com","appDisplayName":"Office 365","clientAppUsed":"Browser","isInteractive":true,"status":{"errorCode":0}}}"#,
            r#"{"time":"2024-05-01T09:00:00Z","operationName":"Sign-in activity","category":"NonInteractiveUserSignInLogs","resultType":"50140","properties":{"id":"m2","userPrincipalName":"ann@contoso.com","appDisplayName":"Teams","status":{"errorCode":50140}}}"#,
            r#"{"time":"2024-05-01T10:00:00Z","operationName":"Sign-in activity","category":"ManagedIdentitySignInLogs","resultType":"0","properties":{"id":"m3","servicePrincipalName":"vm-backup","servicePrincipalId":"sp9"}}"#,
            // An audit record in the same file is still an execution.
            r#"{"time":"2024-05-01T11:00:00Z","operationName":"Add user","category":"AuditLogs","properties":{"result":"success","targetResources":[{"type":"User","userPrincipalName":"bo@contoso.com"}]}}"#,
        ];
        let (summary, activity) = run_capture(&monitor.join("\n"), ActivityCapture::All);
        assert!(summary.diagnostics.is_empty(), "{:?}", summary.diagnostics);
        assert_eq!(
            summary
                .records
                .get(&evidentia_domain::RecordKind::Execution),
            Some(&1)
        );
        let got: Vec<_> = activity
            .iter()
            .map(|a| {
                (
                    a.account.as_str(),
                    a.interactive,
                    a.outcome,
                    a.event_types[0].as_str(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                (
                    "ann@contoso.com",
                    false,
                    Outcome::Failed,
                    "NonInteractiveUserSignInLogs"
                ),
                ("ann@contoso.com", true, Outcome::Succeeded, "SignInLogs"),
                (
                    "vm-backup",
                    false,
                    Outcome::Succeeded,
                    "ManagedIdentitySignInLogs"
                ),
            ]
        );
        assert_eq!(activity[1].first.location, "line 1");
        assert_eq!(activity[1].first.source_event_id.as_deref(), Some("m1"));
        // Every cut of these records imports or fails cleanly.
        let text = monitor.join("\n");
        for end in 0..=text.len() {
            let ctx = ImportContext::new("cut.json");
            let mut sink: Vec<(Record, Origin)> = Vec::new();
            let mut input = text.as_bytes().get(..end).unwrap_or_default();
            let _ = crate::import(Format::Entra, &mut input, &ctx, &mut sink, &mut |_| {});
        }

        let analytics = [
            r#"{"TimeGenerated":"2024-05-02T08:00:01Z","CreatedDateTime":"2024-05-02T08:00:00Z","OperationName":"Sign-in activity","Category":"SignInLogs","ResultType":"0","UserPrincipalName":"Ann@Contoso.com","AppDisplayName":"Azure Portal","IsInteractive":"True","Id":"l1","Status":"{\"errorCode\":0}","Type":"SigninLogs"}"#,
            r#"{"TimeGenerated":"2024-05-02T09:00:00Z","OperationName":"Sign-in activity","ResultType":"7000215","ServicePrincipalName":"ci-deployer","ServicePrincipalId":"sp2","AppId":"a3","Id":"l2","Type":"AADServicePrincipalSignInLogs"}"#,
            r#"{"TimeGenerated":"soon","OperationName":"Sign-in activity","ResultType":"0","UserPrincipalName":"x@contoso.com","Type":"AADNonInteractiveUserSignInLogs"}"#,
            r#"{"TimeGenerated":"2024-05-02T09:00:00Z","OperationName":"Sign-in activity","ResultType":"0","Type":"SigninLogs"}"#,
            r#"{"TimeGenerated":"2024-05-02T09:00:00Z","OperationName":"Sign-in activity","UserPrincipalName":"y@contoso.com","Type":"SigninLogs"}"#,
        ];
        let (summary, activity) = run_capture(&analytics.join("\n"), ActivityCapture::All);
        assert!(summary.diagnostics.is_empty(), "{:?}", summary.diagnostics);
        assert_eq!(
            summary.skipped,
            [
                ("NonInteractiveUserSignInLogs (undated)".to_owned(), 1),
                (
                    "SignInLogs (no errorCode or resultType: proves neither use nor refusal)"
                        .to_owned(),
                    1
                ),
                ("SignInLogs (no account)".to_owned(), 1),
            ]
            .into()
        );
        assert_eq!(summary.warnings.len(), 1);
        assert_eq!(summary.warnings[0].location.to_string(), "line 3");
        let got: Vec<_> = activity
            .iter()
            .map(|a| {
                (
                    a.account.as_str(),
                    a.interactive,
                    a.outcome,
                    a.first.location.as_str(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("Ann@Contoso.com", true, Outcome::Succeeded, "line 1"),
                ("ci-deployer", false, Outcome::Failed, "line 2"),
            ]
        );

        // A Log Analytics audit row whose expanded `Type` names a target type is no sign-in.
        let (summary, activity) = run_capture(
            r#"{"TimeGenerated":"2024-05-02T08:00:00Z","OperationName":"Update application","Category":"ApplicationManagement","Type":"ServicePrincipal"}"#,
            ActivityCapture::All,
        );
        assert!(activity.is_empty());
        assert_eq!(
            summary.skipped,
            [(
                "Update application (application properties, not its credentials or assignments)"
                    .to_owned(),
                1
            )]
            .into()
        );

        // `sign-ins` keeps them all; `none` counts each under its log.
        let (_, kept) = run_capture(&analytics.join("\n"), ActivityCapture::SignIns);
        assert_eq!(kept.len(), 2);
        let (summary, activity) = run_capture(&analytics.join("\n"), ActivityCapture::None);
        assert!(activity.is_empty());
        assert_eq!(
            summary.skipped,
            [
                (
                    skip_key("NonInteractiveUserSignInLogs", ACTIVITY_NOT_CAPTURED),
                    1
                ),
                (
                    skip_key("ServicePrincipalSignInLogs", ACTIVITY_NOT_CAPTURED),
                    1
                ),
                (skip_key("SignInLogs", ACTIVITY_NOT_CAPTURED), 3),
            ]
            .into()
        );
        assert!(summary.warnings.is_empty());
    }

    #[test]
    fn operation_names_normalize() {
        assert_eq!(
            normalize(" Update application \u{2013}  Certificates and secrets management "),
            "update application - certificates and secrets management"
        );
    }
    #[test]
    fn a_service_principal_sign_in_names_the_credential_it_used() {
        let log = r#"{"records":[{"time":"2025-12-30T10:00:00Z","category":"ServicePrincipalSignInLogs","operationName":"Sign-in activity","resultType":"0","properties":{"servicePrincipalName":"mhp-scribe-agent","servicePrincipalId":"sp1","servicePrincipalCredentialKeyId":"ac97e44a","id":"x1"}},{"time":"2025-12-30T11:00:00Z","category":"SignInLogs","operationName":"Sign-in activity","resultType":"0","properties":{"userPrincipalName":"ann@contoso.com","servicePrincipalCredentialKeyId":"not-hers","id":"x2"}}]}"#;
        let (_, activity) = run_capture(log, ActivityCapture::All);
        let by = |a: &str| activity.iter().find(|s| s.account == a).unwrap();
        assert_eq!(
            by("mhp-scribe-agent").credential.as_deref(),
            Some("ac97e44a")
        );
        assert_eq!(
            by("ann@contoso.com").credential,
            None,
            "a user's sign-in is the account's"
        );
    }
}
