//! Reads AWS CloudTrail (IAM) logs into executions: the proof that an AWS account, role, group membership, policy or credential change happened.
//!
//! Accepted shapes: the S3 delivery envelope `{"Records": [...]}` (also several envelopes
//! concatenated, as Firehose writes them), a bare JSON array (CloudTrail Lake and
//! `lookup-events` exports), and JSON lines. Records follow the CloudTrail record contents
//! schema; every field except `eventName` and, for imported events, `eventTime` may be
//! missing (reduced exports drop `userIdentity`, for instance).
//!
//! Only IAM events (`eventSource` `iam.amazonaws.com`, or no `eventSource` at all) are
//! imported; the same `eventName` from another service (Transfer Family's `CreateUser`,
//! say) is a different thing and is skipped. Everything not in the table below — reads
//! (`Get*`, `List*`, `Describe*`), `GetCallerIdentity`, `ConsoleLogin`, tagging, MFA
//! devices, permission boundaries — is counted in `skipped` by `eventName`.
//!
//! | eventName | action | account | entitlement |
//! |---|---|---|---|
//! | `CreateUser` | create_account | `userName` | — |
//! | `DeleteUser` | delete | `userName` | — |
//! | `AddUserToGroup` / `RemoveUserFromGroup` | grant / revoke | `userName` | `groupName` |
//! | `AttachUserPolicy` / `DetachUserPolicy` | grant / revoke | `userName` | `policyArn` |
//! | `PutUserPolicy` / `DeleteUserPolicy` | grant / revoke | `userName` | `inline:<policyName>` |
//! | `CreateRole` | create_account | `roleName` | — |
//! | `DeleteRole` | delete | `roleName` | — |
//! | `AttachRolePolicy` / `DetachRolePolicy` | grant / revoke | `roleName` | `policyArn` |
//! | `PutRolePolicy` / `DeleteRolePolicy` | grant / revoke | `roleName` | `inline:<policyName>` |
//! | `UpdateAssumeRolePolicy` | grant | `roleName` | `trust-policy` |
//! | `AttachGroupPolicy` / `DetachGroupPolicy` | grant / revoke | `groupName` | `policyArn` |
//! | `PutGroupPolicy` / `DeleteGroupPolicy` | grant / revoke | `groupName` | `inline:<policyName>` |
//! | `CreateLoginProfile` / `DeleteLoginProfile` | grant / revoke | `userName` | `console-login` |
//! | `UpdateLoginProfile` | credential_rotated | `userName` | `console-password` |
//! | `CreateAccessKey` | credential_created | `userName` | the new `accessKeyId` |
//! | `UpdateAccessKey` `Inactive` / `Active` | credential_deactivated / enable | `userName` | `accessKeyId` |
//! | `DeleteAccessKey` | credential_deleted | `userName` | `accessKeyId` |
//! | `CreateServiceSpecificCredential`, `UploadSSHPublicKey`, `UploadSigningCertificate` | credential_created | `userName` | the credential's id |
//! | `Update…` of those, `Inactive` / `Active` | credential_deactivated / enable | `userName` | id |
//! | `ResetServiceSpecificCredential` | credential_rotated | `userName` | id |
//! | `Delete…` of those | credential_deleted | `userName` | id |
//!
//! Decisions, with reasons:
//! * A login profile is console access, not an account: the IAM user already exists, and
//!   creating the profile adds a way in, so it is a `console-login` grant (and its deletion
//!   a revoke). Changing the console password rotates a credential.
//! * Re-activating an access key (`UpdateAccessKey` to `Active`) restores access through an
//!   existing credential; the domain has no "credential re-enabled", and `enable` keeps it
//!   among the actions that add access and so need an approval.
//! * `UpdateAssumeRolePolicy` changes who may assume the role, so it is a grant of the
//!   role's `trust-policy`; we cannot tell from the event whether principals were added or
//!   removed, and treating it as access-adding is the conservative reading.
//! * A role is an account: roles are the identities workloads and federated users act as.
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

use std::io::Read;

use evidentia_domain::{Execution, Outcome, ProvisioningAction, Record, SystemId};
use serde_json::Value;

use crate::json_stream::{self, Failure, Problem, RecordView};
use crate::{Format, ImportContext, ImportError, ImportSummary, Location, Progress, RecordSink};

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
            match map_record(&value, &location, &system) {
                Ok(Mapped::Execution(execution)) => {
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

fn looks_like_cloudtrail(value: &Value) -> bool {
    ["eventName", "eventSource", "eventVersion"]
        .iter()
        .any(|k| json_stream::get_ci(value, k).is_some())
}

/// What one CloudTrail record turned into.
enum Mapped {
    Execution(Box<Execution>),
    Skipped(String),
}

/// Who a mapped event acts on: the request parameter naming the account, and what the
/// entitlement is.
enum Target {
    /// `requestParameters.userName`, falling back to the caller when absent.
    SelfOrUser,
    /// A required request parameter.
    Param(&'static str),
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

fn map_record(value: &Value, location: &Location, system: &SystemId) -> Result<Mapped, Failure> {
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
        return Ok(Mapped::Skipped(event_name));
    };

    let at = view.need_time(&["eventTime"])?;
    let actor = actor(&view)?;

    let account = match target {
        Target::Param(name) => view.need_str(&["requestParameters", name])?,
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

    let action = match action {
        Some(action) => action,
        None => {
            let status = view.need_str(&["requestParameters", "status"])?;
            if status.eq_ignore_ascii_case("Inactive") {
                ProvisioningAction::CredentialDeactivated
            } else if status.eq_ignore_ascii_case("Active") {
                ProvisioningAction::Enable
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
        account,
        action,
        entitlement,
        actor,
        at,
        outcome,
        failure_reason,
        request_ref: None,
        source_event_id: view.opt_id(&["eventID"])?,
        source_event_type: Some(event_name),
    })))
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
fn caller_name(view: &RecordView<'_>) -> Result<Option<String>, Problem> {
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
            A::Enable,
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
        assert_eq!(s.skipped.get("ListUsers"), Some(&2));
        assert_eq!(s.skipped.get("CreateUser"), Some(&1));
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
