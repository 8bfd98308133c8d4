//! Reads Kubernetes API-server audit logs (`audit.k8s.io` Events as JSON lines, or an `EventList`) into executions.
//!
//! Each event is keyed as `verb resource[/subresource]` (`create clusterrolebindings`), the
//! key skipped events are counted under. Only the final stages (`ResponseComplete`, `Panic`,
//! or no stage at all) are evidence; the `RequestReceived` and `ResponseStarted` copies of
//! the same request are skipped as `stage <name> (an earlier copy of a request: its final
//! stage is the evidence)`. A `responseStatus.code` of 400 or more
//! makes the change `failed`, with the status reason or message as the failure reason. The
//! actor is `user.username`, the time `stageTimestamp` (else `requestReceivedTimestamp`, else
//! the pre-v1 `timestamp`) and the id `auditID`.
//!
//! | event | action | account | entitlement |
//! |---|---|---|---|
//! | `create serviceaccounts` | create_account | `system:serviceaccount:<ns>:<name>` | |
//! | `delete serviceaccounts` | delete | `system:serviceaccount:<ns>:<name>` | |
//! | `create serviceaccounts/token` | credential_created | the service account | `token` |
//! | `create secrets` / `delete secrets` of type `kubernetes.io/service-account-token` | credential_created / credential_deleted | the service account it belongs to | the secret's name |
//! | `create clusterrolebindings` | grant, one per subject | subject | roleRef name |
//! | `create rolebindings` | grant, one per subject | subject | `<ns>/<roleRef name>` |
//! | `delete clusterrolebindings` / `delete rolebindings` | revoke, one per subject | subject | as for create |
//! | anything else (get/list/watch, roles, namespaces, updates and patches of bindings, ...) | activity (below), else skipped by key | | |
//!
//! Subjects are named as Kubernetes names them when they act: a user by its name, a service
//! account as `system:serviceaccount:<ns>:<name>`, a group as `group:<name>`. Decisions:
//!
//! * A binding's subjects and role are only in the request body (audit level `Request` or
//!   higher). A binding created at level `Metadata` is a warning asking for a higher level,
//!   since a grant with no known grantee is no evidence.
//! * A delete carries no body, so its subjects come from the latest create of the same
//!   binding, at or before the delete, seen earlier in the same file (or from a response body
//!   holding the deleted binding); a delete of a binding never seen is a warning.
//! * Events that map but lack what makes them evidence (no object name, no time, the cases
//!   above) are warnings: read and understood, no record, the file still imports. A field of
//!   the wrong type or a time that does not parse is a diagnostic (an invalid row).
//! * A secret's type is read from the request or response body. At level `Metadata` there is
//!   none, and a secret named like the legacy token controller names them (`<sa>-token-<x>`)
//!   is taken as a service-account token.
//! * Token requests by kubelets (`system:node:*`) are the routine refresh of projected pod
//!   tokens, not a credential anyone issued: skipped as `create serviceaccounts/token (kubelet)`.
//! * Role and cluster-role definitions grant nobody access and are not executions.
//! * A binding with no subjects (`kubectl create clusterrolebinding x --clusterrole=view`
//!   and nothing else) grants or revokes nobody anything: skipped as `<key> (no subjects)`,
//!   so every event read is still counted as imported, skipped or invalid.
//! * Approving a certificate signing request (`update` or `patch` of
//!   `certificatesigningrequests/approval`) lets a signer issue a client certificate, but the
//!   account it is issued to is the subject (CN) inside the PEM request in `spec.request`,
//!   not the requestor in `spec.username`: an admin commonly submits and approves a CSR for
//!   someone else, and kubelets' own CSRs are routine renewals. Naming the requestor would
//!   credit the credential to the wrong account, so approvals are skipped as
//!   `<key> (certificate subject unknown)` rather than imported as credential issuance.
//!
//! Activity (kept as `ActivitySummary`s; `--activity` chooses which): every final-stage request
//! that is not a mapped change above — reads (`get`, `list`, `watch`), non-resource requests
//! (`get (non-resource)`), role definitions, namespaces, updates, other secrets — is an API
//! call of `user.username`, the name executions give subjects (a service account as
//! `system:serviceaccount:<ns>:<name>`), under the event's key, non-interactive, failed when
//! `responseStatus.code` is 400 or more. Requests by the control plane and nodes — any other
//! `system:` user (`system:node:*`, `system:kube-controller-manager`, `system:apiserver`,
//! `system:anonymous`, …) — are not an account's use and are skipped as `<key> (the control
//! plane's or a node's request, not an account's use)`; when `--activity` keeps no API calls,
//! requests are skipped as `<key> (activity not kept by --activity)`. The client is
//! `userAgent`, the event id `auditID`. A request without a user is skipped as
//! `<key> (no account)`; one without a usable time as `<key> (undated)`, with one warning per
//! file.

use std::collections::HashMap;
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

/// Bindings remembered for later deletes; past this the oldest knowledge is dropped.
const MAX_BINDINGS: usize = 100_000;
/// Creates remembered per binding name (a binding re-created many times keeps the latest).
const MAX_VERSIONS: usize = 8;

/// Reads a Kubernetes audit log.
pub fn import(
    input: &mut dyn Read,
    ctx: &ImportContext,
    sink: &mut dyn RecordSink,
    progress: &mut dyn FnMut(Progress),
) -> Result<ImportSummary, ImportError> {
    let system = ctx
        .system
        .clone()
        .or_else(|| Format::K8s.default_system())
        .unwrap_or_else(|| SystemId::new("kubernetes"));
    let mut summary = ImportSummary::default();
    let mut bindings = Bindings::default();
    let mut undated: (u64, Option<Location>) = (0, None);
    let stream =
        json_stream::read_records(input, ctx, &["items"], progress, &mut |value, location| {
            match convert(&value, &location, &system, &mut bindings, ctx.activity) {
                Ok(Converted::Records(executions)) => {
                    for execution in executions {
                        summary.deliver(sink, Record::Execution(execution), location.clone())?;
                    }
                }
                Ok(Converted::Skip(key)) => summary.skip(key),
                Ok(Converted::ApiCall(call)) => {
                    let observation = Observation {
                        credential: None,
                        system: &system,
                        account: &call.account,
                        channel: ActivityChannel::ApiCall,
                        interactive: false,
                        outcome: call.outcome,
                        at: call.at,
                        event_type: &call.key,
                        source_event_id: call.audit_id.as_deref(),
                        client: call.client.as_deref(),
                    };
                    summary.observe(ctx, &observation, &location);
                }
                Ok(Converted::Undated(key)) => {
                    summary.skip(format!("{key} (undated)"));
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
                "{count} request(s) have no `stageTimestamp` or `requestReceivedTimestamp`, or \
                 one that is not a time, so they prove no use at any time and were counted as \
                 skipped (`<verb> <resource> (undated)`); this is the first"
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
    Records(Vec<Execution>),
    Skip(String),
    ApiCall(ApiCall),
    /// A request with no usable time: skipped under its key and warned about once.
    Undated(String),
}

/// One request by a user or service account, owned until it is folded into the activity book.
#[derive(Debug)]
struct ApiCall {
    account: String,
    outcome: Outcome,
    at: Timestamp,
    key: String,
    audit_id: Option<String>,
    client: Option<String>,
}

/// Why a request by the control plane or a node is no account's activity.
const CONTROL_PLANE: &str = "the control plane's or a node's request, not an account's use";

/// Why a request's earlier stages are skipped.
const EARLY_STAGE: &str = "an earlier copy of a request: its final stage is the evidence";

/// A request that changes no access, as an API call of the user or service account that made
/// it; requests by the control plane and nodes (`system:` users other than service accounts)
/// are skipped by key.
fn api_call(
    view: &RecordView<'_>,
    key: String,
    capture: ActivityCapture,
) -> Result<Converted, Failure> {
    // Decided before reading anything else, so `--activity none` reads events as before.
    if !capture.keeps(ActivityChannel::ApiCall) {
        return Ok(Converted::Skip(skip_key(&key, ACTIVITY_NOT_CAPTURED)));
    }
    let Some(account) = view.opt_str(&["user", "username"])? else {
        return Ok(Converted::Skip(format!("{key} (no account)")));
    };
    if account.starts_with("system:") && !account.starts_with("system:serviceaccount:") {
        return Ok(Converted::Skip(skip_key(&key, CONTROL_PLANE)));
    }
    let Ok(at) = event_time(view) else {
        return Ok(Converted::Undated(key));
    };
    let (outcome, _) = outcome(view)?;
    Ok(Converted::ApiCall(ApiCall {
        account,
        outcome,
        at,
        key,
        audit_id: view.opt_str(&["auditID"])?,
        client: view.opt_str(&["userAgent"])?,
    }))
}

/// What a binding granted: its entitlement and subjects, as of a create.
#[derive(Debug, Clone)]
struct Binding {
    at: Timestamp,
    entitlement: String,
    subjects: Vec<String>,
}

/// Bindings seen created in this file, by (resource, namespace, name).
#[derive(Debug, Default)]
struct Bindings {
    seen: HashMap<(String, String, String), Vec<Binding>>,
}

impl Bindings {
    fn remember(&mut self, key: (String, String, String), binding: Binding) {
        if self.seen.len() >= MAX_BINDINGS && !self.seen.contains_key(&key) {
            self.seen.clear();
        }
        let versions = self.seen.entry(key).or_default();
        if versions.len() >= MAX_VERSIONS {
            versions.remove(0);
        }
        versions.push(binding);
    }

    /// The latest create at or before `at`.
    fn lookup(&self, key: &(String, String, String), at: Timestamp) -> Option<&Binding> {
        self.seen
            .get(key)?
            .iter()
            .filter(|b| b.at <= at)
            .max_by_key(|b| b.at)
    }
}

/// The fields every mapped event needs, read once.
struct Common {
    key: String,
    actor: Option<String>,
    at: Timestamp,
    outcome: Outcome,
    failure_reason: Option<String>,
    audit_id: Option<String>,
    namespace: Option<String>,
}

fn convert(
    value: &Value,
    location: &Location,
    system: &SystemId,
    bindings: &mut Bindings,
    capture: ActivityCapture,
) -> Result<Converted, Failure> {
    if !value.is_object() {
        return Err(Failure::Invalid(Problem {
            location: location.clone(),
            reason: format!(
                "expected an audit Event object but found {}",
                json_stream::kind_of(value)
            ),
        }));
    }
    let view = RecordView::new(value, location);
    if let Some(stage) = view.opt_str(&["stage"])? {
        if stage != "ResponseComplete" && stage != "Panic" {
            return Ok(Converted::Skip(format!("stage {stage} ({EARLY_STAGE})")));
        }
    }
    let verb = view.req_str(&["verb"])?;
    let Some(resource) = view.opt_str(&["objectRef", "resource"])? else {
        return api_call(&view, format!("{verb} (non-resource)"), capture);
    };
    let subresource = view.opt_str(&["objectRef", "subresource"])?;
    let key = match &subresource {
        Some(sub) => format!("{verb} {resource}/{sub}"),
        None => format!("{verb} {resource}"),
    };
    let actor = view.opt_str(&["user", "username"])?;
    let namespace = view.opt_str(&["objectRef", "namespace"])?;
    let name = view
        .opt_str(&["objectRef", "name"])?
        .or(body_str(&view, "requestObject", &["metadata", "name"]))
        .or(body_str(&view, "responseObject", &["metadata", "name"]));

    use ProvisioningAction as A;
    let planned = match (verb.as_str(), resource.as_str(), subresource.as_deref()) {
        ("create", "serviceaccounts", None) => Plan::Account(A::CreateAccount),
        ("delete", "serviceaccounts", None) => Plan::Account(A::Delete),
        ("create", "serviceaccounts", Some("token")) => {
            if actor
                .as_deref()
                .is_some_and(|a| a.starts_with("system:node:"))
            {
                return Ok(Converted::Skip(format!("{key} (kubelet)")));
            }
            Plan::Token
        }
        ("create", "secrets", None) => Plan::Secret(A::CredentialCreated),
        ("delete", "secrets", None) => Plan::Secret(A::CredentialDeleted),
        ("create", "clusterrolebindings" | "rolebindings", None) => Plan::Binding(A::Grant),
        ("delete", "clusterrolebindings" | "rolebindings", None) => Plan::Binding(A::Revoke),
        ("update" | "patch", "certificatesigningrequests", Some("approval")) => {
            return Ok(Converted::Skip(format!(
                "{key} (certificate subject unknown)"
            )));
        }
        _ => return api_call(&view, key, capture),
    };
    // Only secrets need a look at the body before anything else is required of the event.
    if let Plan::Secret(_) = planned {
        if !is_token_secret(&view, name.as_deref()) {
            return api_call(&view, key, capture);
        }
    }

    let Some(name) = name else {
        return Err(Failure::incomplete(
            view.location_of(&["objectRef", "name"]),
            format!("`{key}` does not name the object"),
        ));
    };
    let (outcome, failure_reason) = outcome(&view)?;
    let common = Common {
        key,
        actor,
        at: event_time(&view)?,
        outcome,
        failure_reason,
        audit_id: view.opt_str(&["auditID"])?,
        namespace,
    };
    let ns = common
        .namespace
        .clone()
        .unwrap_or_else(|| "default".to_owned());
    let execution = |account: String, action, entitlement: Option<String>| Execution {
        system: system.clone(),
        account: account.into(),
        action,
        entitlement: entitlement.map(Into::into),
        actor: common.actor.as_deref().map(Into::into),
        at: common.at,
        outcome: common.outcome,
        failure_reason: common.failure_reason.as_deref().map(Into::into),
        request_ref: None,
        source_event_id: common.audit_id.as_deref().map(Into::into),
        source_event_type: Some(common.key.as_str().into()),
    };

    let records = match planned {
        Plan::Account(action) => vec![execution(service_account(&ns, &name), action, None)],
        Plan::Token => vec![execution(
            service_account(&ns, &name),
            A::CredentialCreated,
            Some("token".to_owned()),
        )],
        Plan::Secret(action) => {
            let annotation = [
                "metadata",
                "annotations",
                "kubernetes.io/service-account.name",
            ];
            let owner = body_str(&view, "requestObject", &annotation)
                .or(body_str(&view, "responseObject", &annotation))
                .or_else(|| name.rsplit_once("-token-").map(|(sa, _)| sa.to_owned()))
                .unwrap_or_else(|| name.clone());
            vec![execution(service_account(&ns, &owner), action, Some(name))]
        }
        Plan::Binding(action) => {
            let cluster = resource == "clusterrolebindings";
            let memo_key = (resource.clone(), ns.clone(), name.clone());
            let body = ["requestObject", "responseObject"]
                .into_iter()
                .find_map(|field| binding_body(&view, field, cluster, &ns));
            let binding = match (body, action) {
                (Some((entitlement, subjects)), _) => Binding {
                    at: common.at,
                    entitlement,
                    subjects,
                },
                (None, A::Grant) => {
                    return Err(Failure::incomplete(
                        view.location_of(&["requestObject"]),
                        format!(
                            "`{}` for `{name}` carries no request body, so who was granted \
                             which role is unknown; log rbac.authorization.k8s.io at audit \
                             level Request or higher",
                            common.key
                        ),
                    ));
                }
                (None, _) => match bindings.lookup(&memo_key, common.at) {
                    Some(known) => known.clone(),
                    None => {
                        return Err(Failure::incomplete(
                            view.location_of(&["objectRef", "name"]),
                            format!(
                                "`{}` for `{name}`: a delete names no subjects and this file \
                                 holds no earlier create of that binding; import the audit log \
                                 covering its creation in the same file",
                                common.key
                            ),
                        ));
                    }
                },
            };
            if action == A::Grant && common.outcome == Outcome::Succeeded {
                bindings.remember(memo_key, binding.clone());
            }
            if binding.subjects.is_empty() {
                return Ok(Converted::Skip(format!("{} (no subjects)", common.key)));
            }
            binding
                .subjects
                .iter()
                .map(|s| execution(s.clone(), action, Some(binding.entitlement.clone())))
                .collect()
        }
    };
    Ok(Converted::Records(records))
}

#[derive(Debug, Clone, Copy)]
enum Plan {
    Account(ProvisioningAction),
    Token,
    Secret(ProvisioningAction),
    Binding(ProvisioningAction),
}

fn service_account(namespace: &str, name: &str) -> String {
    format!("system:serviceaccount:{namespace}:{name}")
}

/// A string inside the request or response body, if that body is there.
fn body_str(view: &RecordView<'_>, body: &str, path: &[&str]) -> Option<String> {
    let mut current = view.get(&[body])?;
    for key in path {
        // Annotation keys contain dots and slashes, so look them up exactly.
        current = current
            .get(*key)
            .or_else(|| json_stream::get_ci(current, key))?;
    }
    current
        .as_str()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// Whether a secret event concerns a service-account token (see the module docs).
fn is_token_secret(view: &RecordView<'_>, name: Option<&str>) -> bool {
    let declared = body_str(view, "requestObject", &["type"])
        .or_else(|| body_str(view, "responseObject", &["type"]));
    match declared {
        Some(kind) => kind == "kubernetes.io/service-account-token",
        None => name.is_some_and(|n| {
            n.rsplit_once("-token-")
                .is_some_and(|(sa, _)| !sa.is_empty())
        }),
    }
}

/// The entitlement and subject accounts of a binding object in the event, if it holds one.
fn binding_body(
    view: &RecordView<'_>,
    field: &str,
    cluster: bool,
    namespace: &str,
) -> Option<(String, Vec<String>)> {
    let body = view.get(&[field])?;
    let role = json_stream::get_ci(body, "roleRef").and_then(|r| json_stream::str_ci(r, "name"))?;
    let entitlement = if cluster {
        role
    } else {
        format!("{namespace}/{role}")
    };
    let subjects = json_stream::get_ci(body, "subjects")
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .filter_map(|s| {
                    let name = json_stream::str_ci(s, "name")?;
                    let kind = json_stream::str_ci(s, "kind").unwrap_or_default();
                    Some(match kind.as_str() {
                        "ServiceAccount" => {
                            let ns = json_stream::str_ci(s, "namespace")
                                .unwrap_or_else(|| namespace.to_owned());
                            service_account(&ns, &name)
                        }
                        "Group" => format!("group:{name}"),
                        _ => name,
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    Some((entitlement, subjects))
}

fn outcome(view: &RecordView<'_>) -> Result<(Outcome, Option<String>), Problem> {
    let code = match view.lookup(&["responseStatus", "code"]) {
        None | Some((Value::Null, _)) => return Ok((Outcome::Succeeded, None)),
        Some((Value::Number(n), location)) => n.as_u64().ok_or_else(|| Problem {
            location,
            reason: format!("`{n}` is not an HTTP status code"),
        })?,
        Some((other, location)) => {
            return Err(Problem {
                location,
                reason: format!(
                    "expected an HTTP status code but found {}",
                    json_stream::kind_of(other)
                ),
            });
        }
    };
    if code < 400 {
        return Ok((Outcome::Succeeded, None));
    }
    let reason = view
        .opt_str(&["responseStatus", "reason"])
        .ok()
        .flatten()
        .or(view.opt_str(&["responseStatus", "message"]).ok().flatten());
    let reason = match reason {
        Some(r) => format!("{code} {r}"),
        None => format!("HTTP {code}"),
    };
    Ok((Outcome::Failed, Some(reason)))
}

fn event_time(view: &RecordView<'_>) -> Result<Timestamp, Failure> {
    for key in ["stageTimestamp", "requestReceivedTimestamp", "timestamp"] {
        if view.opt_str(&[key])?.is_some() {
            return Ok(view.req_time(&[key])?);
        }
    }
    Err(Failure::incomplete(
        view.location_of(&["stageTimestamp"]),
        "the event has no time (`stageTimestamp` or `requestReceivedTimestamp`)",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Origin;

    fn run(text: &str) -> (Vec<Execution>, ImportSummary) {
        let ctx = ImportContext::new("audit.log");
        let mut sink: Vec<(Record, Origin)> = Vec::new();
        let mut input = text.as_bytes();
        let summary = import(&mut input, &ctx, &mut sink, &mut |_| {})
            .unwrap_or_else(|e| panic!("import failed: {e}"));
        let execs = sink
            .into_iter()
            .map(|(r, _)| match r {
                Record::Execution(e) => e,
                other => panic!("unexpected {other:?}"),
            })
            .collect();
        (execs, summary)
    }

    fn event(stage: &str, verb: &str, object_ref: &str, extra: &str) -> String {
        format!(
            r#"{{"kind":"Event","apiVersion":"audit.k8s.io/v1","auditID":"a1","stage":"{stage}","verb":"{verb}","user":{{"username":"alice"}},"objectRef":{object_ref},"responseStatus":{{"code":201}},"stageTimestamp":"2024-05-01T10:00:00.5Z"{extra}}}"#
        )
    }

    /// Events as the API server writes them at level `RequestResponse`: a cluster role
    /// binding created with no subjects and later deleted, and `kubectl certificate
    /// approve` of a CSR an admin submitted for another user. Every event read is imported,
    /// skipped with a reason or invalid.
    #[test]
    fn subjectless_bindings_and_csr_approvals_are_skipped_with_a_reason() {
        let binding = r#"{"resource":"clusterrolebindings","name":"view-nobody","apiGroup":"rbac.authorization.k8s.io","apiVersion":"v1"}"#;
        let body = r#","requestObject":{"kind":"ClusterRoleBinding","apiVersion":"rbac.authorization.k8s.io/v1","metadata":{"name":"view-nobody","creationTimestamp":null},"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"view"}}"#;
        let csr = r#"{"resource":"certificatesigningrequests","name":"jane","apiGroup":"certificates.k8s.io","apiVersion":"v1","subresource":"approval"}"#;
        let approval = r#","requestObject":{"kind":"CertificateSigningRequest","apiVersion":"certificates.k8s.io/v1","metadata":{"name":"jane"},"spec":{"request":"LS0tLS1CRUdJTiBDRVJUSUZJQ0FURSBSRVFVRVNULS0tLS0K","signerName":"kubernetes.io/kube-apiserver-client","expirationSeconds":86400,"usages":["client auth"],"username":"alice","groups":["system:masters","system:authenticated"]},"status":{"conditions":[{"type":"Approved","status":"True","reason":"KubectlApprove","message":"This CSR was approved by kubectl certificate approve.","lastUpdateTime":"2024-05-01T10:05:00Z"}]}}"#;
        let lines = [
            event("ResponseComplete", "create", binding, body),
            event("ResponseComplete", "delete", binding, "").replace("10:00:00.5Z", "10:10:00Z"),
            event("ResponseComplete", "update", csr, approval),
        ];
        let (summary, activity) = run_capture(&lines.join("\n"), ActivityCapture::All);
        assert!(summary.diagnostics.is_empty(), "{:?}", summary.diagnostics);
        assert!(summary.warnings.is_empty(), "{:?}", summary.warnings);
        assert!(activity.is_empty(), "{activity:?}");
        assert_eq!(
            summary.skipped,
            [
                ("create clusterrolebindings (no subjects)".to_owned(), 1),
                ("delete clusterrolebindings (no subjects)".to_owned(), 1),
                (
                    "update certificatesigningrequests/approval (certificate subject unknown)"
                        .to_owned(),
                    1
                ),
            ]
            .into()
        );
        let imported: u64 = summary.records.values().sum();
        let skipped: u64 = summary.skipped.values().sum();
        assert_eq!(summary.rows, 3);
        assert_eq!(
            summary.rows,
            imported + skipped + summary.diagnostics.len() as u64
        );
    }

    #[test]
    fn stages_tokens_and_failures() {
        let sa = r#"{"resource":"serviceaccounts","namespace":"ci","name":"builder"}"#;
        let token = r#"{"resource":"serviceaccounts","subresource":"token","namespace":"ci","name":"builder"}"#;
        let lines = [
            event("RequestReceived", "create", sa, ""),
            event("ResponseComplete", "create", sa, ""),
            event("ResponseComplete", "create", token, ""),
            event("ResponseComplete", "get", sa, ""),
            event(
                "ResponseComplete",
                "delete",
                sa,
                r#","responseStatus":{"code":403,"reason":"Forbidden"}"#,
            ),
            event(
                "ResponseComplete",
                "create",
                r#"{"resource":"secrets","namespace":"ci","name":"x"}"#,
                r#","requestObject":{"type":"Opaque"}"#,
            ),
        ];
        let (execs, summary) = run(&lines.join("\n"));
        assert!(summary.diagnostics.is_empty(), "{:?}", summary.diagnostics);
        // The read and the opaque secret are alice's API calls, not skipped noise.
        assert_eq!(
            summary.skipped,
            [(skip_key("stage RequestReceived", EARLY_STAGE), 1)].into()
        );
        assert_eq!(summary.activity.observed, 2);
        assert_eq!(execs.len(), 3);
        assert_eq!(execs[0].account, "system:serviceaccount:ci:builder");
        assert_eq!(execs[0].action, ProvisioningAction::CreateAccount);
        assert_eq!(execs[0].actor.as_deref(), Some("alice"));
        assert_eq!(execs[1].action, ProvisioningAction::CredentialCreated);
        assert_eq!(execs[2].outcome, Outcome::Failed);
        assert_eq!(execs[2].failure_reason.as_deref(), Some("403 Forbidden"));
    }

    fn run_capture(
        text: &str,
        capture: ActivityCapture,
    ) -> (ImportSummary, Vec<evidentia_domain::ActivitySummary>) {
        let (summary, records) = crate::activity::import_capturing(
            crate::Format::K8s,
            "audit.log",
            text.as_bytes(),
            capture,
        );
        (summary, crate::activity::summaries(records))
    }

    #[test]
    fn requests_that_change_no_access_are_api_calls_of_users_and_service_accounts() {
        let pods = r#"{"resource":"pods","namespace":"dev"}"#;
        let by = |user: &str, verb: &str, time: &str, extra: &str| {
            event("ResponseComplete", verb, pods, extra)
                .replace(r#""username":"alice""#, &format!(r#""username":"{user}""#))
                .replace("2024-05-01T10:00:00.5Z", time)
        };
        let sa = "system:serviceaccount:ci:builder";
        let lines = [
            by("alice", "list", "2024-05-02T10:00:00Z", r#","userAgent":"kubectl/v1.30""#),
            by("alice", "get", "2024-05-01T10:00:00Z", ""),
            by(
                "alice",
                "get",
                "2024-05-03T10:00:00Z",
                r#","responseStatus":{"code":403,"reason":"Forbidden"}"#,
            ),
            by(sa, "watch", "2024-05-01T10:00:00Z", ""),
            by("system:node:worker-1", "get", "2024-05-01T10:00:00Z", ""),
            by("system:kube-scheduler", "list", "2024-05-01T10:00:00Z", ""),
            by("system:apiserver", "list", "2024-05-01T10:00:00Z", ""),
            by("system:anonymous", "get", "2024-05-01T10:00:00Z", ""),
            event("RequestReceived", "get", pods, ""),
            r#"{"kind":"Event","stage":"ResponseComplete","verb":"get","user":{"username":"bob"},"requestURI":"/healthz","stageTimestamp":"2024-05-01T10:00:00Z"}"#.to_owned(),
            by("bob", "get", "noon", ""),
        ];
        let text = lines.join("\n");
        let (summary, activity) = run_capture(&text, ActivityCapture::All);
        assert!(summary.diagnostics.is_empty(), "{:?}", summary.diagnostics);
        assert_eq!(
            summary.skipped,
            [
                (skip_key("get pods", CONTROL_PLANE), 2),
                ("get pods (undated)".to_owned(), 1),
                (skip_key("list pods", CONTROL_PLANE), 2),
                (skip_key("stage RequestReceived", EARLY_STAGE), 1),
            ]
            .into()
        );
        assert_eq!(summary.warnings.len(), 1);
        assert_eq!(summary.warnings[0].location.to_string(), "line 11");
        let got: Vec<_> = activity
            .iter()
            .map(|a| {
                assert_eq!(a.system.as_str(), "kubernetes");
                assert_eq!(a.channel, ActivityChannel::ApiCall);
                assert!(!a.interactive);
                (
                    a.account.as_str(),
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
                ("alice", Outcome::Succeeded, 2, "line 2", "line 1"),
                ("alice", Outcome::Failed, 1, "line 3", "line 3"),
                ("bob", Outcome::Succeeded, 1, "line 10", "line 10"),
                (sa, Outcome::Succeeded, 1, "line 4", "line 4"),
            ]
        );
        assert_eq!(activity[0].event_types, ["get pods", "list pods"]);
        assert_eq!(activity[0].clients, ["kubectl/v1.30"]);
        assert_eq!(activity[0].first.source_event_id.as_deref(), Some("a1"));
        assert_eq!(activity[2].event_types, ["get (non-resource)"]);

        // API calls: kept by neither `sign-ins` nor `none`, which count them as before.
        for capture in [ActivityCapture::SignIns, ActivityCapture::None] {
            let (summary, activity) = run_capture(&text, capture);
            assert!(activity.is_empty());
            assert_eq!(
                summary.skipped,
                [
                    (skip_key("get (non-resource)", ACTIVITY_NOT_CAPTURED), 1),
                    (skip_key("get pods", ACTIVITY_NOT_CAPTURED), 5),
                    (skip_key("list pods", ACTIVITY_NOT_CAPTURED), 3),
                    (skip_key("stage RequestReceived", EARLY_STAGE), 1),
                    (skip_key("watch pods", ACTIVITY_NOT_CAPTURED), 1),
                ]
                .into()
            );
            assert!(summary.warnings.is_empty() && summary.diagnostics.is_empty());
        }
    }

    #[test]
    fn role_bindings_grant_each_subject_and_deletes_recall_them() {
        let rb = r#"{"resource":"rolebindings","namespace":"dev","name":"edit-b"}"#;
        let body = r#","requestObject":{"roleRef":{"kind":"ClusterRole","name":"edit"},"subjects":[{"kind":"User","name":"bob"},{"kind":"ServiceAccount","name":"deployer"},{"kind":"Group","name":"devs"}]}"#;
        let lines = [
            event("ResponseComplete", "create", rb, body),
            event("ResponseComplete", "delete", rb, "").replace("10:00:00.5", "11:00:00"),
            event(
                "ResponseComplete",
                "delete",
                &rb.replace("edit-b", "other"),
                "",
            ),
            event(
                "ResponseComplete",
                "create",
                &rb.replace("edit-b", "meta"),
                "",
            ),
        ];
        let (execs, summary) = run(&lines.join("\n"));
        let got: Vec<_> = execs
            .iter()
            .map(|e| (e.action, e.account.as_str(), e.entitlement.as_deref()))
            .collect();
        use ProvisioningAction::{Grant, Revoke};
        assert_eq!(
            got,
            [
                (Grant, "bob", Some("dev/edit")),
                (
                    Grant,
                    "system:serviceaccount:dev:deployer",
                    Some("dev/edit")
                ),
                (Grant, "group:devs", Some("dev/edit")),
                (Revoke, "bob", Some("dev/edit")),
                (
                    Revoke,
                    "system:serviceaccount:dev:deployer",
                    Some("dev/edit")
                ),
                (Revoke, "group:devs", Some("dev/edit")),
            ]
        );
        assert!(summary.diagnostics.is_empty(), "{:?}", summary.diagnostics);
        let found: Vec<_> = summary
            .warnings
            .iter()
            .map(|d| d.location.to_string())
            .collect();
        assert_eq!(found, ["line 3 /objectRef/name", "line 4 /requestObject"]);
    }

    #[test]
    fn bad_input_is_named() {
        let sa = r#"{"resource":"serviceaccounts","namespace":"ci","name":"b"}"#;
        let bad_time =
            event("ResponseComplete", "create", sa, "").replace("2024-05-01T10:00:00.5Z", "soon");
        let text = format!("{bad_time}\n{{\"verb\":\"create\",\n");
        let (execs, summary) = run(&text);
        assert!(execs.is_empty());
        let found: Vec<_> = summary
            .diagnostics
            .iter()
            .map(|d| d.location.to_string())
            .collect();
        assert_eq!(found, ["line 1 /stageTimestamp", "line 2"]);
        let ctx = ImportContext::new("x");
        let mut sink: Vec<(Record, Origin)> = Vec::new();
        for junk in [&b""[..], b"\xff\xfe\x00junk"] {
            let mut input = junk;
            assert!(matches!(
                import(&mut input, &ctx, &mut sink, &mut |_| {}),
                Err(ImportError::Unreadable(_))
            ));
        }
    }
}
