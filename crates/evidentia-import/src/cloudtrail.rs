//! Reads AWS CloudTrail (IAM) logs into executions: the proof that an AWS account, role, group membership, policy or credential change happened.
//!
//! Accepted shapes: the S3 delivery envelope `{"Records": [...]}` (also several envelopes
//! concatenated, as Firehose writes them), a bare JSON array (CloudTrail Lake and
//! `lookup-events` exports), and JSON lines. Records follow the CloudTrail record contents
//! schema; every field except `eventName` and, for imported events, `eventTime` may be
//! missing (reduced exports drop `userIdentity`, for instance).
//!
//! Only IAM events (`eventSource` `iam.amazonaws.com`, or no `eventSource` at all) become
//! executions; the same `eventName` from another service (Transfer Family's `CreateUser`,
//! say) is a different thing. Everything not in the table below — reads (`Get*`, `List*`,
//! `Describe*`), `GetCallerIdentity`, `ConsoleLogin`, tagging, MFA devices, permission
//! boundaries, other services — is activity when a user principal made it (see *Activity*),
//! else counted in `skipped` as `<eventName> (<reason>)`: `no userIdentity: nobody's
//! activity`, `an AWS service's or another account's call, not a user's`, or `activity not kept
//! by --activity`.
//!
//! | eventName | action | account | entitlement |
//! |---|---|---|---|
//! | `CreateUser` | create_account | `userName` | — |
//! | `DeleteUser` | delete | `userName` | — |
//! | `AddUserToGroup` / `RemoveUserFromGroup` | grant / revoke | `userName` | `groupName` |
//! | `AttachUserPolicy` / `DetachUserPolicy` | grant / revoke | `userName` | `policyArn` (`deny:<policyArn>` for a deny policy) |
//! | `PutUserPolicy` / `DeleteUserPolicy` | grant / revoke | `userName` | `inline:<policyName>` (`deny:inline:<policyName>` when every statement denies) |
//! | `CreateRole` | create_account | `roleName` | — |
//! | `DeleteRole` | delete | `roleName` | — |
//! | `AttachRolePolicy` / `DetachRolePolicy` | grant / revoke | `roleName` | `policyArn` |
//! | `PutRolePolicy` / `DeleteRolePolicy` | grant / revoke | `roleName` | `inline:<policyName>` |
//! | `UpdateAssumeRolePolicy` | grant | `roleName` | `trust-policy` |
//! | `AttachGroupPolicy` / `DetachGroupPolicy` | grant / revoke | `groupName` | `policyArn` |
//! | `PutGroupPolicy` / `DeleteGroupPolicy` | grant / revoke | `groupName` | `inline:<policyName>` |
//! | `CreateLoginProfile` / `DeleteLoginProfile` | grant / revoke | `userName` | `console-login` |
//! | `UpdateLoginProfile` | credential_rotated | `userName` | `console-password` |
//! | `ChangePassword` | credential_rotated | the caller | `console-password` |
//! | `CreateServiceLinkedRole` | create_account | `responseElements.role.roleName` | — |
//! | `CreateAccessKey` | credential_created | `userName` | the new `accessKeyId` |
//! | `UpdateAccessKey` `Inactive` / `Active` | credential_deactivated / credential_reactivated | `userName` | `accessKeyId` |
//! | `DeleteAccessKey` | credential_deleted | `userName` | `accessKeyId` |
//! | `CreateServiceSpecificCredential`, `UploadSSHPublicKey`, `UploadSigningCertificate` | credential_created | `userName` | the credential's id |
//! | `Update…` of those, `Inactive` / `Active` | credential_deactivated / credential_reactivated | `userName` | id |
//! | `ResetServiceSpecificCredential` | credential_rotated | `userName` | id |
//! | `Delete…` of those | credential_deleted | `userName` | id |
//!
//! Activity (sign-ins and API calls, kept as `ActivitySummary`s; `--activity` chooses which):
//!
//! | record | channel | interactive | outcome |
//! |---|---|---|---|
//! | `ConsoleLogin` | sign_in | yes | `responseElements.ConsoleLogin` `Success` / `Failure`, else failed when `errorCode` or `errorMessage` is set |
//! | any other record that is no mapped IAM change | api_call | no | failed when `errorCode` is set |
//!
//! Only calls by user principals are activity: `userIdentity.type` `IAMUser`, `AssumedRole`,
//! `Root`, `FederatedUser` or `IdentityCenterUser`. Calls by `AWSService` and `AWSAccount`
//! principals, and records without `userIdentity`, stay skipped by `eventName`. The account is
//! named as executions and policies name it: an IAM user by `userName` (else the last part of
//! its ARN), the root user as `root` (so `aws:root` in a policy's ignore list matches it), a
//! role session or federated user by its full `userIdentity.arn`
//! (`arn:aws:sts::1:assumed-role/ReadOnly/alice@example.com`, which policies correlate with
//! `arn:aws:sts::*:assumed-role/*/{alias}`), an Identity Center user by `userName`, else
//! `onBehalfOf.userId`. A console login CloudTrail names `HIDDEN_DUE_TO_SECURITY_REASONS` (a
//! failed login to a user that does not exist) names no account and is skipped as
//! `ConsoleLogin (no account)`. The client is `userAgent`, the event id `eventID`. Activity
//! without a usable `eventTime` (absent, or not a time) proves no use at any time: it is
//! skipped as `<eventName> (undated)`, with one warning per file, and does not reject the file.
//!
//! Decisions, with reasons:
//! * Deny is not a grant (audit convention 6). Attaching an AWS-managed deny or quarantine
//!   policy (`arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantine`, `…V2`, `…V3`,
//!   `…/AWSDenyAll`) narrows access. It is still evidence (a leaver's keys quarantined, say),
//!   so it is imported as a grant of the entitlement prefixed `deny:`
//!   (`deny:arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantineV2`), and its detach as the
//!   revoke of the same name, so the pair matches; the checks take any `deny:` entitlement for
//!   a deny (no approval needed, no access held), on every system. Only AWS-managed policies
//!   (account `aws`) count, since a customer policy can be given any name. An inline policy
//!   (`Put*Policy`) whose `policyDocument` (a JSON string, possibly URL-encoded) has
//!   statements that are all `"Effect": "Deny"` is `deny:inline:<policyName>`, and so is a
//!   later `Delete*Policy` of that policy in the same file (a delete carries no document; one
//!   of a policy not seen put here stays `inline:<policyName>`). A document that does not
//!   parse is not taken for a deny. AWS inventories name deny policies with the same prefix.
//! * A login profile is console access, not an account: the IAM user already exists, and
//!   creating the profile adds a way in, so it is a `console-login` grant (and its deletion
//!   a revoke). Changing the console password rotates a credential.
//! * Re-activating an access key (`UpdateAccessKey` to `Active`) restores access through an
//!   existing credential: `credential_reactivated`, a credential event (no approval needed,
//!   audit convention 5) that adds access back.
//! * `UpdateAssumeRolePolicy` changes who may assume the role, so it is a grant of the
//!   role's `trust-policy`; we cannot tell from the event whether principals were added or
//!   removed, and treating it as access-adding is the conservative reading.
//! * A role is an account: roles are the identities workloads and federated users act as.
//!   A service-linked role (`CreateServiceLinkedRole`) is one too, a non-human identity AWS
//!   services act as; the request names only the service, so the role's name comes from the
//!   response (a failed call has none and is a warning).
//! * `ChangePassword` is an IAM user changing their own console password: the same
//!   credential rotation as `UpdateLoginProfile`, on the caller (the request names no user,
//!   and CloudTrail leaves the passwords out).
//! * When an access-key or login-profile call names no `userName`, IAM acts on the caller,
//!   so the account is the caller's `userIdentity.userName` (or the last part of its ARN).
//! * The actor is `userIdentity.arn`, else `userName`, `principalId`, or the invoking AWS
//!   service; a record without `userIdentity` is imported without an actor.
//! * A record with `errorCode` is a failed attempt (`Outcome::Failed`, reason `errorCode:
//!   errorMessage`) and is still imported: failed grants are evidence too.
//! * A mapped IAM event missing what makes it evidence (no `eventTime`, no request parameter
//!   naming the account or entitlement) is a warning: read, no record, the file still
//!   imports. A field of the wrong type, an unparseable time or an unknown `status` is a
//!   diagnostic (an invalid row).

use std::collections::HashSet;
use std::io::Read;

use evidentia_domain::{
    ActivityChannel, Execution, Outcome, ProvisioningAction, Record, SystemId, Timestamp,
};
use serde_json::Value;

use crate::json_stream::{self, Failure, Problem, RecordView};
use crate::{
    ACTIVITY_NOT_CAPTURED, ActivityCapture, Format, ImportContext, ImportError, ImportSummary,
    Location, Observation, Progress, RecordSink, skip_key,
};

/// Inline deny policies remembered for their deletes; past this the memory starts over.
const MAX_DENY_POLICIES: usize = 100_000;

/// Reads a CloudTrail file.
pub fn import(
    input: &mut dyn Read,
    ctx: &ImportContext,
    sink: &mut dyn RecordSink,
    progress: &mut dyn FnMut(Progress),
) -> Result<ImportSummary, ImportError> {
    let system = ctx
        .system
        .clone()
        .or_else(|| Format::Cloudtrail.default_system())
        .unwrap_or_else(|| SystemId::new("aws"));
    let mut summary = ImportSummary::default();
    let mut first = true;
    let mut denies = DenyPolicies::default();
    let mut undated = Undated::default();
    let stream = json_stream::read_records(
        input,
        ctx,
        &["Records"],
        progress,
        &mut |value, location| {
            if std::mem::take(&mut first) && !looks_like_cloudtrail(&value) {
                return Err(ImportError::Unreadable(ctx.diagnostic(
                location,
                "this does not look like CloudTrail: the first record has no eventName, eventSource or eventVersion",
            )));
            }
            match map_record(&value, &location, &system, ctx.activity, &mut denies) {
                Ok(Mapped::Execution(execution)) => {
                    summary.deliver(sink, Record::Execution(*execution), location)?;
                }
                Ok(Mapped::Skipped(event_type)) => summary.skip(event_type),
                Ok(Mapped::Activity(activity)) => {
                    let observation = Observation {
                        credential: activity.credential.as_deref(),
                        system: &system,
                        account: &activity.account,
                        channel: activity.channel,
                        interactive: activity.channel == ActivityChannel::SignIn,
                        outcome: activity.outcome,
                        at: activity.at,
                        event_type: &activity.event_type,
                        source_event_id: activity.event_id.as_deref(),
                        client: activity.client.as_deref(),
                    };
                    summary.observe(ctx, &observation, &location);
                }
                Ok(Mapped::Undated(event_type)) => {
                    summary.skip(format!("{event_type} (undated)"));
                    undated.count(&location);
                }
                Err(failure) => failure.record(&mut summary, ctx),
            }
            Ok(())
        },
    )?;
    summary.absorb(stream);
    undated.warn(&mut summary, ctx);
    Ok(summary)
}

/// Sign-ins and API calls without an `eventTime`: counted as skipped, with one warning per
/// file rather than one per event.
#[derive(Debug, Default)]
struct Undated {
    count: u64,
    first: Option<Location>,
}

impl Undated {
    fn count(&mut self, location: &Location) {
        self.count += 1;
        self.first.get_or_insert_with(|| location.clone());
    }

    fn warn(self, summary: &mut ImportSummary, ctx: &ImportContext) {
        if let Some(first) = self.first {
            summary.warn(ctx.diagnostic(
                first,
                format!(
                    "{} sign-in(s) and API call(s) have no eventTime or one that is not a \
                     time, so they prove no use at any time and were counted as skipped \
                     (`<eventName> (undated)`); this is the first",
                    self.count
                ),
            ));
        }
    }
}

fn looks_like_cloudtrail(value: &Value) -> bool {
    ["eventName", "eventSource", "eventVersion"]
        .iter()
        .any(|k| json_stream::get_ci(value, k).is_some())
}

/// What one CloudTrail record turned into.
enum Mapped {
    Execution(Box<Execution>),
    Skipped(String),
    /// A console login or API call by a person's or workload's credentials.
    Activity(Activity),
    /// Activity with no time: skipped under its event name and warned about once.
    Undated(String),
}

/// One use of an account, owned until it is folded into the activity book.
struct Activity {
    account: String,
    channel: ActivityChannel,
    credential: Option<String>,
    outcome: Outcome,
    at: Timestamp,
    event_type: String,
    event_id: Option<String>,
    client: Option<String>,
}

/// Inline policies put with only `Deny` statements earlier in this file, by (principal kind,
/// principal name, policy name), so that their deletion is not taken for a revocation.
#[derive(Debug, Default)]
struct DenyPolicies {
    seen: HashSet<(&'static str, String, String)>,
}

impl DenyPolicies {
    fn remember(&mut self, key: (&'static str, String, String)) {
        if self.seen.len() >= MAX_DENY_POLICIES {
            self.seen.clear();
        }
        self.seen.insert(key);
    }
}

/// How an attach, put, detach or delete of a policy relates to deny policies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PolicyEvent {
    Attach,
    Detach,
    Put(&'static str, &'static str),
    Delete(&'static str, &'static str),
}

/// The policy events, with the principal kind and the request parameter naming it for
/// inline policies.
fn policy_event(event_name: &str) -> Option<PolicyEvent> {
    use PolicyEvent as P;
    Some(match event_name {
        "AttachUserPolicy" | "AttachRolePolicy" | "AttachGroupPolicy" => P::Attach,
        "DetachUserPolicy" | "DetachRolePolicy" | "DetachGroupPolicy" => P::Detach,
        "PutUserPolicy" => P::Put("user", "userName"),
        "PutRolePolicy" => P::Put("role", "roleName"),
        "PutGroupPolicy" => P::Put("group", "groupName"),
        "DeleteUserPolicy" => P::Delete("user", "userName"),
        "DeleteRolePolicy" => P::Delete("role", "roleName"),
        "DeleteGroupPolicy" => P::Delete("group", "groupName"),
        _ => return None,
    })
}

/// The prefix naming a deny policy's entitlement (`deny:arn:aws:iam::aws:policy/AWSDenyAll`,
/// `deny:inline:<name>`); the checks take any entitlement so named for a deny.
pub const DENY_PREFIX: &str = "deny:";

/// AWS-managed policies that only deny or quarantine (convention 6: deny is not a grant).
/// Only the AWS-managed ones (account `aws`): a customer policy may carry any name.
const DENY_MANAGED_POLICIES: [&str; 4] = [
    "AWSCompromisedKeyQuarantine",
    "AWSCompromisedKeyQuarantineV2",
    "AWSCompromisedKeyQuarantineV3",
    "AWSDenyAll",
];

pub(crate) fn is_deny_managed_policy(arn: &str) -> bool {
    DENY_MANAGED_POLICIES
        .iter()
        .any(|name| arn.ends_with(&format!(":iam::aws:policy/{name}")))
}

/// Whether an inline policy document holds statements and every one of them is `Effect: Deny`.
/// CloudTrail writes the document as a JSON string, sometimes URL-encoded (the CLI's
/// `get-account-authorization-details` as a JSON object); anything that does not read as a
/// policy is not a deny policy (the grant stays, the conservative reading).
pub(crate) fn is_deny_only(document: &Value) -> bool {
    let parsed;
    let document = match document {
        Value::String(text) => {
            let Some(value) = parse_policy_text(text) else {
                return false;
            };
            parsed = value;
            &parsed
        }
        other => other,
    };
    let is_deny =
        |statement: &Value| statement.get("Effect").and_then(Value::as_str) == Some("Deny");
    match document.get("Statement") {
        Some(Value::Array(statements)) => !statements.is_empty() && statements.iter().all(is_deny),
        Some(statement @ Value::Object(_)) => is_deny(statement),
        _ => false,
    }
}

fn parse_policy_text(text: &str) -> Option<Value> {
    let text = text.trim();
    if let Ok(value) = serde_json::from_str::<Value>(text) {
        return Some(value);
    }
    let decoded = percent_decode(text)?;
    serde_json::from_str::<Value>(&decoded).ok()
}

/// `%7B%22Version%22…` → `{"Version"…`; `None` for a broken escape or bytes that are not UTF-8.
fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let hex = text.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Who a mapped event acts on: the request parameter naming the account, and what the
/// entitlement is.
enum Target {
    /// `requestParameters.userName`, falling back to the caller when absent.
    SelfOrUser,
    /// A required request parameter.
    Param(&'static str),
    /// A required field of the response, by its path.
    Response(&'static [&'static str]),
}

enum Entitlement {
    None,
    Fixed(&'static str),
    Param(&'static str),
    InlinePolicy,
    /// The new access key's id, from the response.
    NewAccessKey,
    /// A credential id from the request, or from the response object named.
    CredentialId {
        request: &'static str,
        response: &'static str,
    },
}

/// How an IAM event maps; `None` for events we skip.
fn rule(event_name: &str) -> Option<(Option<ProvisioningAction>, Target, Entitlement)> {
    use Entitlement as E;
    use ProvisioningAction as A;
    use Target as T;
    // `None` as the action means "decided by the request's `status`" (Update* calls).
    Some(match event_name {
        "CreateUser" => (Some(A::CreateAccount), T::Param("userName"), E::None),
        "DeleteUser" => (Some(A::Delete), T::Param("userName"), E::None),
        "AddUserToGroup" => (Some(A::Grant), T::Param("userName"), E::Param("groupName")),
        "RemoveUserFromGroup" => (Some(A::Revoke), T::Param("userName"), E::Param("groupName")),
        "AttachUserPolicy" => (Some(A::Grant), T::Param("userName"), E::Param("policyArn")),
        "DetachUserPolicy" => (Some(A::Revoke), T::Param("userName"), E::Param("policyArn")),
        "PutUserPolicy" => (Some(A::Grant), T::Param("userName"), E::InlinePolicy),
        "DeleteUserPolicy" => (Some(A::Revoke), T::Param("userName"), E::InlinePolicy),
        "CreateRole" => (Some(A::CreateAccount), T::Param("roleName"), E::None),
        "CreateServiceLinkedRole" => (
            Some(A::CreateAccount),
            T::Response(&["responseElements", "role", "roleName"]),
            E::None,
        ),
        "DeleteRole" => (Some(A::Delete), T::Param("roleName"), E::None),
        "AttachRolePolicy" => (Some(A::Grant), T::Param("roleName"), E::Param("policyArn")),
        "DetachRolePolicy" => (Some(A::Revoke), T::Param("roleName"), E::Param("policyArn")),
        "PutRolePolicy" => (Some(A::Grant), T::Param("roleName"), E::InlinePolicy),
        "DeleteRolePolicy" => (Some(A::Revoke), T::Param("roleName"), E::InlinePolicy),
        "UpdateAssumeRolePolicy" => (
            Some(A::Grant),
            T::Param("roleName"),
            E::Fixed("trust-policy"),
        ),
        "AttachGroupPolicy" => (Some(A::Grant), T::Param("groupName"), E::Param("policyArn")),
        "DetachGroupPolicy" => (
            Some(A::Revoke),
            T::Param("groupName"),
            E::Param("policyArn"),
        ),
        "PutGroupPolicy" => (Some(A::Grant), T::Param("groupName"), E::InlinePolicy),
        "DeleteGroupPolicy" => (Some(A::Revoke), T::Param("groupName"), E::InlinePolicy),
        "CreateLoginProfile" => (Some(A::Grant), T::SelfOrUser, E::Fixed("console-login")),
        "DeleteLoginProfile" => (Some(A::Revoke), T::SelfOrUser, E::Fixed("console-login")),
        "UpdateLoginProfile" => (
            Some(A::CredentialRotated),
            T::SelfOrUser,
            E::Fixed("console-password"),
        ),
        "ChangePassword" => (
            Some(A::CredentialRotated),
            T::SelfOrUser,
            E::Fixed("console-password"),
        ),
        "CreateAccessKey" => (Some(A::CredentialCreated), T::SelfOrUser, E::NewAccessKey),
        "UpdateAccessKey" => (None, T::SelfOrUser, E::Param("accessKeyId")),
        "DeleteAccessKey" => (
            Some(A::CredentialDeleted),
            T::SelfOrUser,
            E::Param("accessKeyId"),
        ),
        "CreateServiceSpecificCredential" => (
            Some(A::CredentialCreated),
            T::SelfOrUser,
            E::CredentialId {
                request: "serviceSpecificCredentialId",
                response: "serviceSpecificCredential",
            },
        ),
        "UpdateServiceSpecificCredential" => {
            (None, T::SelfOrUser, E::Param("serviceSpecificCredentialId"))
        }
        "ResetServiceSpecificCredential" => (
            Some(A::CredentialRotated),
            T::SelfOrUser,
            E::Param("serviceSpecificCredentialId"),
        ),
        "DeleteServiceSpecificCredential" => (
            Some(A::CredentialDeleted),
            T::SelfOrUser,
            E::Param("serviceSpecificCredentialId"),
        ),
        "UploadSSHPublicKey" => (
            Some(A::CredentialCreated),
            T::SelfOrUser,
            E::CredentialId {
                request: "sSHPublicKeyId",
                response: "sSHPublicKey",
            },
        ),
        "UpdateSSHPublicKey" => (None, T::SelfOrUser, E::Param("sSHPublicKeyId")),
        "DeleteSSHPublicKey" => (
            Some(A::CredentialDeleted),
            T::SelfOrUser,
            E::Param("sSHPublicKeyId"),
        ),
        "UploadSigningCertificate" => (
            Some(A::CredentialCreated),
            T::SelfOrUser,
            E::CredentialId {
                request: "certificateId",
                response: "certificate",
            },
        ),
        "UpdateSigningCertificate" => (None, T::SelfOrUser, E::Param("certificateId")),
        "DeleteSigningCertificate" => (
            Some(A::CredentialDeleted),
            T::SelfOrUser,
            E::Param("certificateId"),
        ),
        _ => return None,
    })
}

fn map_record(
    value: &Value,
    location: &Location,
    system: &SystemId,
    capture: ActivityCapture,
    denies: &mut DenyPolicies,
) -> Result<Mapped, Failure> {
    let view = RecordView::new(value, location);
    if !value.is_object() {
        return Err(Failure::Invalid(Problem {
            location: location.clone(),
            reason: format!(
                "expected a CloudTrail record (a JSON object) but found {}",
                json_stream::kind_of(value)
            ),
        }));
    }
    let event_name = view.req_str(&["eventName"])?;
    let source = view.opt_str(&["eventSource"])?;
    let is_iam = source
        .as_deref()
        .is_none_or(|s| s.eq_ignore_ascii_case("iam.amazonaws.com"));
    let Some((action, target, entitlement)) = rule(&event_name).filter(|_| is_iam) else {
        return activity(&view, event_name, capture);
    };
    let deny = match policy_event(&event_name) {
        Some(policy) => is_deny_policy(&view, policy, denies)?,
        None => false,
    };

    let at = view.need_time(&["eventTime"])?;
    let actor = actor(&view)?;

    let account = match target {
        Target::Param(name) => view.need_str(&["requestParameters", name])?,
        Target::Response(path) => view.need_str(path)?,
        Target::SelfOrUser => match view.opt_str(&["requestParameters", "userName"])? {
            Some(user) => user,
            None => caller_name(&view)?.ok_or_else(|| {
                Failure::incomplete(
                    view.location_of(&["requestParameters", "userName"]),
                    "names no userName and has no userIdentity to say whose credential it is",
                )
            })?,
        },
    };

    let entitlement = match entitlement {
        Entitlement::None => None,
        Entitlement::Fixed(name) => Some(name.to_owned()),
        Entitlement::Param(name) => Some(view.need_str(&["requestParameters", name])?),
        Entitlement::InlinePolicy => Some(format!(
            "inline:{}",
            view.need_str(&["requestParameters", "policyName"])?
        )),
        // A failed CreateAccessKey has no response, hence no key id: keep the attempt.
        Entitlement::NewAccessKey => {
            view.opt_str(&["responseElements", "accessKey", "accessKeyId"])?
        }
        Entitlement::CredentialId { request, response } => {
            match view.opt_str(&["requestParameters", request])? {
                Some(id) => Some(id),
                None => view.opt_str(&["responseElements", response, request])?,
            }
        }
    };

    // A deny policy is named for what it does (`deny:<policy>`), so that every check sees a
    // deny however the policy file is written (convention 6).
    let entitlement = match entitlement {
        Some(name) if deny => Some(format!("{DENY_PREFIX}{name}")),
        other => other,
    };

    let action = match action {
        Some(action) => action,
        None => {
            let status = view.need_str(&["requestParameters", "status"])?;
            if status.eq_ignore_ascii_case("Inactive") {
                ProvisioningAction::CredentialDeactivated
            } else if status.eq_ignore_ascii_case("Active") {
                ProvisioningAction::CredentialReactivated
            } else {
                return Err(Failure::Invalid(Problem {
                    location: view.location_of(&["requestParameters", "status"]),
                    reason: format!("status `{status}` is neither Active nor Inactive"),
                }));
            }
        }
    };

    let error_code = view.opt_str(&["errorCode"])?;
    let error_message = view.opt_str(&["errorMessage"])?;
    let (outcome, failure_reason) = match (error_code, error_message) {
        (None, _) => (Outcome::Succeeded, None),
        (Some(code), None) => (Outcome::Failed, Some(code)),
        (Some(code), Some(message)) => (Outcome::Failed, Some(format!("{code}: {message}"))),
    };

    Ok(Mapped::Execution(Box::new(Execution {
        system: system.clone(),
        account: account.into(),
        action,
        entitlement: entitlement.map(Into::into),
        actor: actor.map(Into::into),
        at,
        outcome,
        failure_reason: failure_reason.map(Into::into),
        request_ref: None,
        source_event_id: (view.opt_id(&["eventID"])?).map(Into::into),
        source_event_type: Some(event_name.into()),
    })))
}

/// Whether a policy event concerns a deny policy (see the module docs), remembering inline
/// deny policies put in this file so that their deletion is recognised.
fn is_deny_policy(
    view: &RecordView<'_>,
    policy: PolicyEvent,
    denies: &mut DenyPolicies,
) -> Result<bool, Problem> {
    let succeeded = view.opt_str(&["errorCode"])?.is_none();
    Ok(match policy {
        PolicyEvent::Attach | PolicyEvent::Detach => view
            .opt_str(&["requestParameters", "policyArn"])?
            .is_some_and(|arn| is_deny_managed_policy(&arn)),
        PolicyEvent::Put(kind, param) | PolicyEvent::Delete(kind, param) => {
            let target = view.opt_str(&["requestParameters", param])?;
            let name = view.opt_str(&["requestParameters", "policyName"])?;
            let key = target.zip(name).map(|(t, n)| (kind, t, n));
            if let PolicyEvent::Put(..) = policy {
                let deny = view
                    .get(&["requestParameters", "policyDocument"])
                    .is_some_and(is_deny_only);
                if let Some(key) = key.filter(|_| succeeded) {
                    // A later put replaces the document, so it also forgets a deny seen before.
                    if deny {
                        denies.remember(key);
                    } else {
                        denies.seen.remove(&key);
                    }
                }
                deny
            } else {
                match key {
                    Some(key) if succeeded => denies.seen.remove(&key),
                    Some(key) => denies.seen.contains(&key),
                    None => false,
                }
            }
        }
    })
}

/// The principal types whose calls are a person's or a workload's use of an account; calls by
/// AWS services (`AWSService`) and other accounts (`AWSAccount`) are not.
const USER_PRINCIPALS: [&str; 5] = [
    "IAMUser",
    "AssumedRole",
    "Root",
    "FederatedUser",
    "IdentityCenterUser",
];

/// Why a call without `userIdentity` (reduced exports drop it) is no activity evidence.
const NO_IDENTITY: &str = "no userIdentity: nobody's activity";

/// Why a call by an AWS service or another account is no activity evidence.
const NOT_A_USER: &str = "an AWS service's or another account's call, not a user's";

/// CloudTrail's stand-in for the name typed at a failed console login to an unknown user.
const HIDDEN_USER: &str = "HIDDEN_DUE_TO_SECURITY_REASONS";

/// A record that is no mapped IAM change: a console login or an API call when a user
/// principal made it, else skipped by event name.
fn activity(
    view: &RecordView<'_>,
    event_name: String,
    capture: ActivityCapture,
) -> Result<Mapped, Failure> {
    let channel = if event_name == "ConsoleLogin" {
        ActivityChannel::SignIn
    } else {
        ActivityChannel::ApiCall
    };
    // Decided before reading anything else, so `--activity none` reads records as before.
    if !capture.keeps(channel) {
        return Ok(Mapped::Skipped(skip_key(
            &event_name,
            ACTIVITY_NOT_CAPTURED,
        )));
    }
    let Some(kind) = view.opt_str(&["userIdentity", "type"])? else {
        return Ok(Mapped::Skipped(skip_key(&event_name, NO_IDENTITY)));
    };
    if !USER_PRINCIPALS.contains(&kind.as_str()) {
        return Ok(Mapped::Skipped(skip_key(&event_name, NOT_A_USER)));
    }
    let account = match kind.as_str() {
        "IAMUser" => caller_name(view)?,
        "Root" => Some("root".to_owned()),
        "AssumedRole" | "FederatedUser" => view.opt_str(&["userIdentity", "arn"])?,
        _ => match view.opt_str(&["userIdentity", "userName"])? {
            Some(name) => Some(name),
            None => match view.opt_str(&["userIdentity", "onBehalfOf", "userId"])? {
                Some(id) => Some(id),
                None => view.opt_str(&["userIdentity", "principalId"])?,
            },
        },
    };
    let Some(account) = account.filter(|a| a != HIDDEN_USER) else {
        return Ok(Mapped::Skipped(format!("{event_name} (no account)")));
    };
    let Some(at) = view
        .opt_str(&["eventTime"])?
        .and_then(|t| json_stream::parse_timestamp(&t))
    else {
        return Ok(Mapped::Undated(event_name));
    };
    let error =
        view.opt_str(&["errorCode"])?.is_some() || view.opt_str(&["errorMessage"])?.is_some();
    let failed = match channel {
        ActivityChannel::SignIn => match view.opt_str(&["responseElements", "ConsoleLogin"])? {
            Some(result) if result.eq_ignore_ascii_case("Success") => false,
            Some(result) if result.eq_ignore_ascii_case("Failure") => true,
            _ => error,
        },
        _ => view.opt_str(&["errorCode"])?.is_some(),
    };
    // A call signed with an IAM user's long-term access key (`AKIA…`) is that key's use;
    // temporary session keys (`ASIA…`, console and role sessions) are the account's.
    let credential = match channel {
        ActivityChannel::ApiCall => view
            .opt_str(&["userIdentity", "accessKeyId"])?
            .filter(|k| k.starts_with("AKIA")),
        _ => None,
    };
    Ok(Mapped::Activity(Activity {
        account,
        channel,
        credential,
        outcome: if failed {
            Outcome::Failed
        } else {
            Outcome::Succeeded
        },
        at,
        event_type: event_name,
        event_id: view.opt_id(&["eventID"])?,
        client: view.opt_str(&["userAgent"])?,
    }))
}

/// Who made the call: the most specific name `userIdentity` carries.
fn actor(view: &RecordView<'_>) -> Result<Option<String>, Problem> {
    for key in ["arn", "userName", "principalId", "invokedBy"] {
        if let Some(name) = view.opt_str(&["userIdentity", key])? {
            return Ok(Some(name));
        }
    }
    Ok(None)
}

/// The calling IAM user's name, for calls that act on the caller when no userName is given.
/// The root user is `root`, as activity names it (its ARN, `arn:aws:iam::1:root`, has no `/`
/// to take a name from).
fn caller_name(view: &RecordView<'_>) -> Result<Option<String>, Problem> {
    if view
        .opt_str(&["userIdentity", "type"])?
        .is_some_and(|kind| kind == "Root")
    {
        return Ok(Some("root".to_owned()));
    }
    if let Some(name) = view.opt_str(&["userIdentity", "userName"])? {
        return Ok(Some(name));
    }
    Ok(view
        .opt_str(&["userIdentity", "arn"])?
        .and_then(|arn| arn.rsplit('/').next().map(str::to_owned))
        .filter(|name| !name.is_empty()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Diagnostic;
    use crate::Origin;

    fn run(input: &str) -> (Result<ImportSummary, ImportError>, Vec<(Record, Origin)>) {
        let ctx = ImportContext::new("trail.json");
        let mut sink: Vec<(Record, Origin)> = Vec::new();
        let mut reader = input.as_bytes();
        let result = import(&mut reader, &ctx, &mut sink, &mut |_| {});
        (result, sink)
    }

    fn executions(sink: &[(Record, Origin)]) -> Vec<&Execution> {
        sink.iter()
            .filter_map(|(r, _)| match r {
                Record::Execution(e) => Some(e),
                _ => None,
            })
            .collect()
    }

    fn one(record: &str) -> Execution {
        let (result, sink) = run(&format!("{{\"Records\":[{record}]}}"));
        let summary = result.unwrap();
        assert!(summary.diagnostics.is_empty(), "{:?}", summary.diagnostics);
        executions(&sink)
            .first()
            .copied()
            .cloned()
            .expect("one execution")
    }

    fn diagnostics(input: &str) -> Vec<Diagnostic> {
        run(input).0.unwrap().diagnostics
    }

    const ACTOR: &str =
        r#""userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::1:user/admin","userName":"admin"}"#;

    #[test]
    fn maps_iam_events() {
        let check = |event: &str,
                     params: &str,
                     action: ProvisioningAction,
                     account: &str,
                     ent: Option<&str>| {
            let e = one(&format!(
                r#"{{"eventName":"{event}","eventSource":"iam.amazonaws.com","eventTime":"2024-01-01T00:00:00Z",{ACTOR},"requestParameters":{params}}}"#
            ));
            assert_eq!(
                (e.action, e.account.as_str(), e.entitlement.as_deref()),
                (action, account, ent),
                "{event}"
            );
        };
        use ProvisioningAction as A;
        check(
            "CreateUser",
            r#"{"userName":"bob"}"#,
            A::CreateAccount,
            "bob",
            None,
        );
        check(
            "DeleteUser",
            r#"{"userName":"bob"}"#,
            A::Delete,
            "bob",
            None,
        );
        check(
            "AddUserToGroup",
            r#"{"userName":"bob","groupName":"Admins"}"#,
            A::Grant,
            "bob",
            Some("Admins"),
        );
        check(
            "RemoveUserFromGroup",
            r#"{"userName":"bob","groupName":"Admins"}"#,
            A::Revoke,
            "bob",
            Some("Admins"),
        );
        check(
            "PutUserPolicy",
            r#"{"userName":"bob","policyName":"p"}"#,
            A::Grant,
            "bob",
            Some("inline:p"),
        );
        check(
            "DetachGroupPolicy",
            r#"{"groupName":"g","policyArn":"arn:p"}"#,
            A::Revoke,
            "g",
            Some("arn:p"),
        );
        check("DeleteRole", r#"{"roleName":"r"}"#, A::Delete, "r", None);
        check(
            "UpdateAccessKey",
            r#"{"accessKeyId":"AK","status":"Active"}"#,
            A::CredentialReactivated,
            "admin",
            Some("AK"),
        );
        check(
            "UpdateAccessKey",
            r#"{"accessKeyId":"AK","status":"Inactive"}"#,
            A::CredentialDeactivated,
            "admin",
            Some("AK"),
        );
        check(
            "DeleteLoginProfile",
            r#"{"userName":"bob"}"#,
            A::Revoke,
            "bob",
            Some("console-login"),
        );
        check(
            "UploadSSHPublicKey",
            r#"{"userName":"bob"}"#,
            A::CredentialCreated,
            "bob",
            None,
        );
    }

    #[test]
    fn failed_event_is_imported_as_failed() {
        let e = one(&format!(
            r#"{{"eventName":"AttachUserPolicy","eventTime":"2024-01-01T00:00:00Z",{ACTOR},"requestParameters":{{"userName":"bob","policyArn":"arn:aws:iam::aws:policy/AdministratorAccess"}},"errorCode":"AccessDenied","errorMessage":"User is not authorized"}}"#
        ));
        assert_eq!(e.outcome, Outcome::Failed);
        assert_eq!(
            e.failure_reason.as_deref(),
            Some("AccessDenied: User is not authorized")
        );
        assert_eq!(e.actor.as_deref(), Some("arn:aws:iam::1:user/admin"));
    }

    #[test]
    fn missing_user_identity_is_tolerated() {
        let e = one(
            r#"{"eventName":"CreateUser","eventTime":"2024-01-01T00:00:00Z","requestParameters":{"userName":"bob"}}"#,
        );
        assert_eq!((e.actor, e.account.as_str()), (None, "bob"));
    }

    #[test]
    fn other_services_and_reads_are_skipped() {
        let (r, sink) = run(
            r#"[{"eventName":"CreateUser","eventSource":"transfer.amazonaws.com"},{"eventName":"ListUsers"},{"eventName":"ListUsers"}]"#,
        );
        let s = r.unwrap();
        assert!(sink.is_empty());
        let no_identity = |t: &str| skip_key(t, NO_IDENTITY);
        assert_eq!(s.skipped.get(&no_identity("ListUsers")), Some(&2));
        assert_eq!(s.skipped.get(&no_identity("CreateUser")), Some(&1));
        assert_eq!(s.rows, 3);
    }

    #[test]
    fn bad_rows_are_diagnostics_naming_the_pointer() {
        let (summary, sink) = run(
            r#"{"Records":[{"eventName":"CreateUser","eventTime":"soon","requestParameters":{"userName":"a"}},
            {"eventName":"ListUsers"},
            {"eventName":"CreateUser","eventTime":"2024-01-01T00:00:00Z","requestParameters":{"userName":["a"]}},
            {"eventName":"CreateUser","eventTime":"2024-01-01T00:00:00Z"},
            {"eventName":42},
            "junk",
            {"eventName":"AddUserToGroup","requestParameters":{"userName":"a","groupName":"g"}}]}"#,
        );
        let summary = summary.unwrap();
        assert!(sink.is_empty());
        let d = &summary.diagnostics;
        let at: Vec<String> = d.iter().map(|d| d.location.to_string()).collect();
        assert_eq!(
            at,
            [
                "/Records/0/eventTime",
                "/Records/2/requestParameters/userName",
                "/Records/4/eventName",
                "/Records/5"
            ]
        );
        assert!(
            d[0].reason.contains("`soon` is not a timestamp"),
            "{}",
            d[0].reason
        );
        // Absent, not wrong: read and understood, but no evidence, so a warning.
        let w: Vec<String> = summary
            .warnings
            .iter()
            .map(|w| w.location.to_string())
            .collect();
        assert_eq!(
            w,
            [
                "/Records/3/requestParameters/userName",
                "/Records/6/eventTime"
            ]
        );
        assert!(
            summary.warnings[0]
                .reason
                .contains("missing required field")
        );
    }

    #[test]
    fn json_lines_diagnostics_name_the_line() {
        let d = diagnostics(
            "{\"eventName\":\"ListUsers\"}\n{\"eventName\":\"CreateUser\",\"eventTime\":1}\n{\"eventName\":\n",
        );
        assert_eq!(d[0].location, Location::LinePointer(2, "/eventTime".into()));
        assert_eq!(d[1].location, Location::LinePointer(3, String::new()));
    }

    #[test]
    fn truncated_and_foreign_files_are_unreadable() {
        let (r, _) = run(r#"{"Records":[{"eventName":"ListUsers"},{"eventNa"#);
        match r {
            Err(ImportError::Unreadable(d)) => assert!(d.reason.contains("truncated"), "{d}"),
            other => panic!("{other:?}"),
        }
        let (r, _) = run(r#"[{"eventType":"user.session.start","uuid":"x"}]"#);
        assert!(matches!(r, Err(ImportError::Unreadable(_))), "{r:?}");
    }

    /// Runs the whole import (activity summaries are delivered at the end of the file).
    fn run_capture(
        input: &str,
        capture: ActivityCapture,
    ) -> (ImportSummary, Vec<(Record, Origin)>) {
        crate::activity::import_capturing(
            crate::Format::Cloudtrail,
            "trail.json",
            input.as_bytes(),
            capture,
        )
    }

    fn activity(sink: &[(Record, Origin)]) -> Vec<&evidentia_domain::ActivitySummary> {
        crate::activity::summaries_in(sink)
    }

    fn login(identity: &str, time: &str, result: &str, id: &str) -> String {
        format!(
            r#"{{"eventName":"ConsoleLogin","eventSource":"signin.amazonaws.com","eventTime":"{time}","userIdentity":{identity},"userAgent":"Mozilla/5.0","responseElements":{{"ConsoleLogin":"{result}"}},"eventID":"{id}"}}"#
        )
    }

    const ALICE: &str =
        r#"{"type":"IAMUser","arn":"arn:aws:iam::1:user/alice","userName":"alice"}"#;

    #[test]
    fn console_logins_become_one_sign_in_summary_per_account_and_outcome() {
        let records = [
            login(ALICE, "2024-03-02T09:00:00Z", "Success", "e1"),
            login(ALICE, "2024-03-01T09:00:00Z", "Success", "e2"),
            login(ALICE, "2024-03-05T09:00:00Z", "Failure", "e3"),
        ];
        let (summary, sink) = run_capture(
            &format!("{{\"Records\":[{}]}}", records.join(",")),
            ActivityCapture::All,
        );
        assert!(summary.diagnostics.is_empty(), "{:?}", summary.diagnostics);
        assert!(summary.skipped.is_empty(), "{:?}", summary.skipped);
        let found = activity(&sink);
        assert_eq!(found.len(), 2, "one succeeded and one failed summary");
        let ok = found[0];
        assert_eq!(ok.account, "alice");
        assert_eq!(ok.system.as_str(), "aws");
        assert_eq!(ok.channel, ActivityChannel::SignIn);
        assert!(ok.interactive);
        assert_eq!(ok.outcome, Outcome::Succeeded);
        assert_eq!(ok.count, 2);
        assert_eq!(ok.first.location, "/Records/1");
        assert_eq!(ok.first.source_event_id.as_deref(), Some("e2"));
        assert_eq!(ok.last.location, "/Records/0");
        assert_eq!(ok.event_types, ["ConsoleLogin"]);
        assert_eq!(ok.clients, ["Mozilla/5.0"]);
        assert_eq!(ok.days[0].to_string(), "2024-03-01/2024-03-02");
        assert_eq!(found[1].outcome, Outcome::Failed);
        assert_eq!(sink[0].1.location, Location::Pointer("/Records/1".into()));
        // An error without a ConsoleLogin result is a failure too.
        let failed = r#"[{"eventName":"ConsoleLogin","eventTime":"2024-03-01T09:00:00Z","userIdentity":{"type":"Root","arn":"arn:aws:iam::1:root"},"errorMessage":"Failed authentication"}]"#;
        let (_, sink) = run_capture(failed, ActivityCapture::All);
        let found = activity(&sink);
        assert_eq!(
            (found[0].account.as_str(), found[0].outcome),
            ("root", Outcome::Failed)
        );
    }

    #[test]
    fn api_calls_are_named_as_executions_and_policies_name_the_principal() {
        let call = |identity: &str, extra: &str| {
            format!(
                r#"{{"eventName":"GetObject","eventSource":"s3.amazonaws.com","eventTime":"2024-03-01T09:00:00Z","userIdentity":{identity}{extra}}}"#
            )
        };
        let records = [
            call(ALICE, ""),
            call(
                r#"{"type":"AssumedRole","arn":"arn:aws:sts::1:assumed-role/ReadOnly/bob@example.com","userName":"ignored"}"#,
                "",
            ),
            call(
                r#"{"type":"FederatedUser","arn":"arn:aws:sts::1:federated-user/carol"}"#,
                "",
            ),
            call(r#"{"type":"Root","arn":"arn:aws:iam::1:root"}"#, ""),
            call(
                r#"{"type":"IdentityCenterUser","onBehalfOf":{"userId":"u-123","identityStoreArn":"arn:aws:identitystore::1:identitystore/d-1"}}"#,
                "",
            ),
            call(ALICE, r#","errorCode":"AccessDenied""#),
            call(
                r#"{"type":"AWSService","invokedBy":"ec2.amazonaws.com"}"#,
                "",
            ),
            call(r#"{"type":"AWSAccount","accountId":"2"}"#, ""),
            r#"{"eventName":"GetObject","eventTime":"2024-03-01T09:00:00Z"}"#.to_owned(),
            // A mapped name from another service is that service's call, not an IAM change.
            format!(
                r#"{{"eventName":"CreateUser","eventSource":"transfer.amazonaws.com","eventTime":"2024-03-01T09:00:00Z","userIdentity":{ALICE}}}"#
            ),
        ];
        let (summary, sink) =
            run_capture(&format!("[{}]", records.join(",")), ActivityCapture::All);
        assert!(summary.diagnostics.is_empty(), "{:?}", summary.diagnostics);
        assert_eq!(
            summary.skipped,
            [
                (skip_key("GetObject", NOT_A_USER), 2),
                (skip_key("GetObject", NO_IDENTITY), 1)
            ]
            .into()
        );
        let got: Vec<_> = activity(&sink)
            .iter()
            .map(|a| {
                assert_eq!(a.channel, ActivityChannel::ApiCall);
                assert!(!a.interactive);
                (a.account.as_str(), a.outcome, a.count)
            })
            .collect();
        assert_eq!(
            got,
            [
                ("alice", Outcome::Succeeded, 2),
                ("alice", Outcome::Failed, 1),
                (
                    "arn:aws:sts::1:assumed-role/ReadOnly/bob@example.com",
                    Outcome::Succeeded,
                    1
                ),
                ("arn:aws:sts::1:federated-user/carol", Outcome::Succeeded, 1),
                ("root", Outcome::Succeeded, 1),
                ("u-123", Outcome::Succeeded, 1),
            ]
        );
        assert_eq!(summary.records.values().sum::<u64>(), 6);
    }

    #[test]
    fn capture_levels_decide_what_is_kept() {
        let input = format!(
            r#"[{},{{"eventName":"ListUsers","eventSource":"iam.amazonaws.com","eventTime":"2024-03-01T09:00:00Z","userIdentity":{ALICE}}}]"#,
            login(ALICE, "2024-03-01T09:00:00Z", "Success", "e1"),
        );
        let (summary, sink) = run_capture(&input, ActivityCapture::SignIns);
        assert_eq!(
            summary.skipped,
            [(skip_key("ListUsers", ACTIVITY_NOT_CAPTURED), 1)].into()
        );
        let found = activity(&sink);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].channel, ActivityChannel::SignIn);

        let (summary, sink) = run_capture(&input, ActivityCapture::None);
        assert!(sink.is_empty());
        assert_eq!(
            summary.skipped,
            [
                (skip_key("ConsoleLogin", ACTIVITY_NOT_CAPTURED), 1),
                (skip_key("ListUsers", ACTIVITY_NOT_CAPTURED), 1)
            ]
            .into()
        );
        // As before activity existed, a skipped record's other fields are not read.
        let (summary, _) = run_capture(
            r#"[{"eventName":"ListUsers","eventTime":"soon","userIdentity":{"type":"IAMUser","userName":"a"}}]"#,
            ActivityCapture::None,
        );
        assert!(summary.diagnostics.is_empty());
    }

    #[test]
    fn undated_activity_is_skipped_with_one_warning() {
        let input = format!(
            "[{},{},{}]",
            login(ALICE, "", "Success", "e1").replace(r#""eventTime":"","#, ""),
            login(ALICE, "", "Success", "e2").replace(r#""eventTime":"","#, ""),
            login(ALICE, "yesterday", "Success", "e3"),
        );
        let (summary, sink) = run_capture(&input, ActivityCapture::All);
        assert!(activity(&sink).is_empty());
        assert_eq!(
            summary.skipped,
            [("ConsoleLogin (undated)".to_owned(), 3)].into()
        );
        assert!(summary.diagnostics.is_empty(), "{:?}", summary.diagnostics);
        assert_eq!(summary.warnings.len(), 1, "{:?}", summary.warnings);
        assert_eq!(summary.warnings[0].location, Location::Pointer("/0".into()));
        assert!(summary.warnings[0].reason.starts_with("3 sign-in(s)"));
        // A field of the wrong JSON type is still a bad row.
        let (summary, _) = run_capture(
            &format!(
                "[{}]",
                login(ALICE, "2024-03-01T09:00:00Z", "Success", "e1")
            )
            .replace(r#""userAgent":"Mozilla/5.0""#, r#""userAgent":["x"]"#),
            ActivityCapture::All,
        );
        let at: Vec<_> = summary
            .diagnostics
            .iter()
            .map(|d| d.location.to_string())
            .collect();
        assert_eq!(at, ["/0/userAgent"]);
        // A failed login to a user that does not exist names no account.
        let hidden = login(
            r#"{"type":"IAMUser","userName":"HIDDEN_DUE_TO_SECURITY_REASONS"}"#,
            "2024-03-01T09:00:00Z",
            "Failure",
            "e4",
        );
        let (summary, sink) = run_capture(&format!("[{hidden}]"), ActivityCapture::All);
        assert!(sink.is_empty());
        assert_eq!(
            summary.skipped,
            [("ConsoleLogin (no account)".to_owned(), 1)].into()
        );
    }

    #[test]
    /// Regression: deny and quarantine policies were skipped, losing the evidence (a leaver's key
    /// quarantined); they are imported as `deny:` entitlements, attach and detach alike. Record
    /// shapes as in the IAM API reference (`AttachUserPolicy`, `PutUserPolicy` with a
    /// URL-encoded `PolicyDocument`) and CloudTrail's logging of IAM calls.
    fn deny_policies_are_deny_entitlements_attach_and_detach_alike() {
        let event = |name: &str, params: &str| {
            format!(
                r#"{{"eventName":"{name}","eventSource":"iam.amazonaws.com","eventTime":"2024-01-01T00:00:00Z",{ACTOR},"requestParameters":{params}}}"#
            )
        };
        let deny_doc = r#"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Deny\",\"Action\":\"*\",\"Resource\":\"*\"}]}"#;
        let encoded = "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%7B%22Effect%22%3A%22Deny%22%2C%22Action%22%3A%22s3%3A*%22%2C%22Resource%22%3A%22*%22%7D%7D";
        let mixed = r#"{\"Statement\":[{\"Effect\":\"Deny\",\"Action\":\"iam:*\",\"Resource\":\"*\"},{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}]}"#;
        let records = [
            event(
                "AttachUserPolicy",
                r#"{"userName":"bob","policyArn":"arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantineV2"}"#,
            ),
            event(
                "DetachUserPolicy",
                r#"{"userName":"bob","policyArn":"arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantineV2"}"#,
            ),
            event(
                "AttachRolePolicy",
                r#"{"roleName":"r","policyArn":"arn:aws-us-gov:iam::aws:policy/AWSDenyAll"}"#,
            ),
            // A customer policy may be named like an AWS one: still a grant.
            event(
                "AttachGroupPolicy",
                r#"{"groupName":"g","policyArn":"arn:aws:iam::123:policy/AWSDenyAll"}"#,
            ),
            event(
                "PutUserPolicy",
                &format!(
                    r#"{{"userName":"bob","policyName":"lock","policyDocument":"{deny_doc}"}}"#
                ),
            ),
            event(
                "DeleteUserPolicy",
                r#"{"userName":"bob","policyName":"lock"}"#,
            ),
            event(
                "PutRolePolicy",
                &format!(r#"{{"roleName":"r","policyName":"enc","policyDocument":"{encoded}"}}"#),
            ),
            event(
                "PutGroupPolicy",
                &format!(r#"{{"groupName":"g","policyName":"mixed","policyDocument":"{mixed}"}}"#),
            ),
            // A delete of an inline policy not seen put in this file stays a revoke.
            event(
                "DeleteRolePolicy",
                r#"{"roleName":"r","policyName":"other"}"#,
            ),
            event(
                "PutUserPolicy",
                r#"{"userName":"bob","policyName":"junk","policyDocument":"%ZZ{"}"#,
            ),
        ];
        let (summary, sink) =
            run_capture(&format!("[{}]", records.join(",")), ActivityCapture::All);
        assert!(summary.diagnostics.is_empty(), "{:?}", summary.diagnostics);
        assert!(summary.skipped.is_empty(), "{:?}", summary.skipped);
        let got: Vec<_> = executions(&sink)
            .iter()
            .map(|e| (e.action, e.account.as_str(), e.entitlement.as_deref()))
            .collect();
        use ProvisioningAction::{Grant, Revoke};
        let quarantine = "deny:arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantineV2";
        assert_eq!(
            got,
            [
                (Grant, "bob", Some(quarantine)),
                (Revoke, "bob", Some(quarantine)),
                (
                    Grant,
                    "r",
                    Some("deny:arn:aws-us-gov:iam::aws:policy/AWSDenyAll")
                ),
                (Grant, "g", Some("arn:aws:iam::123:policy/AWSDenyAll")),
                (Grant, "bob", Some("deny:inline:lock")),
                (Revoke, "bob", Some("deny:inline:lock")),
                (Grant, "r", Some("deny:inline:enc")),
                (Grant, "g", Some("inline:mixed")),
                (Revoke, "r", Some("inline:other")),
                (Grant, "bob", Some("inline:junk")),
            ]
        );
        // A put that replaces a deny with a grant makes the later delete a revoke again.
        let records = [
            event(
                "PutUserPolicy",
                &format!(r#"{{"userName":"bob","policyName":"p","policyDocument":"{deny_doc}"}}"#),
            ),
            event(
                "PutUserPolicy",
                &format!(r#"{{"userName":"bob","policyName":"p","policyDocument":"{mixed}"}}"#),
            ),
            event("DeleteUserPolicy", r#"{"userName":"bob","policyName":"p"}"#),
        ];
        let (_, sink) = run_capture(&format!("[{}]", records.join(",")), ActivityCapture::All);
        let got: Vec<_> = executions(&sink)
            .iter()
            .map(|e| (e.action, e.entitlement.as_deref()))
            .collect();
        assert_eq!(
            got,
            [
                (Grant, Some("deny:inline:p")),
                (Grant, Some("inline:p")),
                (Revoke, Some("inline:p"))
            ]
        );
    }

    /// Records as CloudTrail writes them (the IAM user guide's record shape): a user changing
    /// their own password (no request parameters), a service-linked role created for Auto
    /// Scaling (named only in the response), and access keys of the root user, whose
    /// `userIdentity` has an ARN ending `:root` and no `userName`.
    #[test]
    fn change_password_service_linked_roles_and_root_keys_are_named_like_the_rest() {
        let mary = r#""userIdentity":{"type":"IAMUser","principalId":"AIDACKCEVSQ6C2EXAMPLE","arn":"arn:aws:iam::111122223333:user/Mary","accountId":"111122223333","accessKeyId":"ASIAIOSFODNN7EXAMPLE","userName":"Mary","sessionContext":{"attributes":{"creationDate":"2024-05-02T10:00:00Z","mfaAuthenticated":"false"}}}"#;
        let root = r#""userIdentity":{"type":"Root","principalId":"111122223333","arn":"arn:aws:iam::111122223333:root","accountId":"111122223333","accessKeyId":"ASIAI44QH8DHBEXAMPLE"}"#;
        let tail = r#""awsRegion":"us-east-1","sourceIPAddress":"192.0.2.10","userAgent":"AWS Internal","readOnly":false,"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"111122223333","eventCategory":"Management""#;
        let record = |name: &str, identity: &str, request: &str, response: &str, id: &str| {
            format!(
                r#"{{"eventVersion":"1.08",{identity},"eventTime":"2024-05-02T10:15:00Z","eventSource":"iam.amazonaws.com","eventName":"{name}",{tail},"requestParameters":{request},"responseElements":{response},"requestID":"req-{id}","eventID":"{id}"}}"#
            )
        };
        let records = [
            record("ChangePassword", mary, "null", "null", "e1"),
            record(
                "CreateServiceLinkedRole",
                mary,
                r#"{"aWSServiceName":"autoscaling.amazonaws.com"}"#,
                r#"{"role":{"assumeRolePolicyDocument":"%7B%22Version%22%3A%222012-10-17%22%7D","arn":"arn:aws:iam::111122223333:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling","roleId":"AROAJQABLZS4A7EXAMPLE","createDate":"May 2, 2024 10:15:00 AM","roleName":"AWSServiceRoleForAutoScaling","path":"/aws-service-role/autoscaling.amazonaws.com/"}}"#,
                "e2",
            ),
            record(
                "CreateAccessKey",
                root,
                "null",
                r#"{"accessKey":{"accessKeyId":"AKIAIOSFODNN7EXAMPLE","status":"Active","userName":"111122223333","createDate":"May 2, 2024 10:15:00 AM"}}"#,
                "e3",
            ),
            record(
                "DeleteAccessKey",
                root,
                r#"{"accessKeyId":"AKIAIOSFODNN7EXAMPLE"}"#,
                "null",
                "e4",
            ),
        ];
        let (result, sink) = run(&format!("{{\"Records\":[{}]}}", records.join(",")));
        let summary = result.unwrap();
        assert!(summary.diagnostics.is_empty(), "{:?}", summary.diagnostics);
        assert!(summary.warnings.is_empty(), "{:?}", summary.warnings);
        assert!(summary.skipped.is_empty(), "{:?}", summary.skipped);
        use ProvisioningAction as A;
        let got: Vec<_> = executions(&sink)
            .iter()
            .map(|e| {
                (
                    e.source_event_type.as_deref().unwrap_or_default(),
                    e.action,
                    e.account.as_str(),
                    e.entitlement.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                (
                    "ChangePassword",
                    A::CredentialRotated,
                    "Mary",
                    Some("console-password")
                ),
                (
                    "CreateServiceLinkedRole",
                    A::CreateAccount,
                    "AWSServiceRoleForAutoScaling",
                    None
                ),
                (
                    "CreateAccessKey",
                    A::CredentialCreated,
                    "root",
                    Some("AKIAIOSFODNN7EXAMPLE")
                ),
                (
                    "DeleteAccessKey",
                    A::CredentialDeleted,
                    "root",
                    Some("AKIAIOSFODNN7EXAMPLE")
                ),
            ]
        );
        // A failed service-linked role creation names no role: read, warned about, no record.
        let failed = record(
            "CreateServiceLinkedRole",
            mary,
            r#"{"aWSServiceName":"autoscaling.amazonaws.com"}"#,
            "null",
            "e5",
        )
        .replace(
            r#""eventID":"e5""#,
            r#""eventID":"e5","errorCode":"AccessDenied""#,
        );
        let (result, sink) = run(&format!("[{failed}]"));
        let summary = result.unwrap();
        assert!(executions(&sink).is_empty());
        assert_eq!(summary.warnings.len(), 1, "{:?}", summary.warnings);
    }

    #[test]
    fn system_comes_from_the_context_when_set() {
        let ctx = ImportContext {
            system: Some(SystemId::new("aws-prod")),
            ..ImportContext::new("t.json")
        };
        let mut sink: Vec<(Record, Origin)> = Vec::new();
        let mut input: &[u8] =
            br#"[{"eventName":"CreateUser","eventTime":"2024-01-01T00:00:00Z","requestParameters":{"userName":"a"}}]"#;
        import(&mut input, &ctx, &mut sink, &mut |_| {}).unwrap();
        assert_eq!(executions(&sink)[0].system.as_str(), "aws-prod");
    }
}
