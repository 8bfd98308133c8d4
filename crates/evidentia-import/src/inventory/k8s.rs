//! Reads Kubernetes RBAC listings (`kubectl get serviceaccounts,rolebindings,clusterrolebindings -A -o yaml|json`) into one snapshot of who holds which role.
//!
//! Kubernetes has no user objects: a person or a group exists for the API server only as the
//! subject of a binding (users come from certificates or an identity provider). What a cluster
//! grants is therefore its bindings, and the only accounts it keeps are service accounts. The
//! objects are the API's own (https://kubernetes.io/docs/reference/kubernetes-api/authorization-resources/cluster-role-binding-v1/,
//! `.../role-binding-v1/`, https://kubernetes.io/docs/reference/kubernetes-api/authentication-resources/service-account-v1/,
//! https://kubernetes.io/docs/concepts/configuration/secret/#serviceaccount-token-secrets).
//!
//! | what is read | account | entitlement | status / last used |
//! |---|---|---|---|
//! | `ServiceAccount` | `system:serviceaccount:<ns>:<name>` (`metadata.namespace`, `default` when absent) | — (the account itself) | present; Kubernetes records no use |
//! | a `ServiceAccount`'s legacy `secrets[]` entry named as the token controller names token secrets (`<sa>-token-<x>`) | the service account | the secret's name (a credential row) | present |
//! | `Secret` of `type: kubernetes.io/service-account-token` | the service account of its `kubernetes.io/service-account.name` annotation (else the name's `<sa>-token-` prefix) | the secret's name (a credential row) | present |
//! | `ClusterRoleBinding`, one row per subject | a `User` by name, a `Group` as `group:<name>`, a `ServiceAccount` as above (namespace absent → `default`) | `roleRef.name` (`cluster-admin`) | present |
//! | `RoleBinding`, one row per subject | as above; a `ServiceAccount` subject without a namespace is in the binding's namespace | `<ns>/<roleRef.name>`, also when the role is a ClusterRole (the grant is confined to the namespace) | present |
//!
//! The names are exactly those of the audit-log importer (`crate::k8s`), so a snapshot row meets
//! the grants and revocations it logged. Subject kinds are compared as that importer does: an
//! unknown or missing `kind` is taken as a user.
//!
//! **Input.** A `kind: List` (what `kubectl get a,b,c -o yaml|json` prints), a typed list
//! (`ClusterRoleBindingList`, `RoleBindingList`, `ServiceAccountList`: the raw API's answer,
//! whose items carry no `kind`, so they take it from the list), a single object, several YAML
//! documents (`---`), or a JSON array of any of these. YAML is read with `serde_norway`. The
//! document is parsed whole: a typed list's kind may follow its items, YAML cannot be streamed
//! by item, and the coverage (below) depends on every item; RBAC listings are small (tens of
//! MB for large clusters), and files over [`MAX_BYTES`] are refused rather than held.
//!
//! **Skipped, with their reason:** a binding without subjects (the bootstrap `system:node`
//! binding) grants nothing; role definitions (`Role`, `ClusterRole`) grant nobody anything;
//! other objects and secrets that are not service-account tokens are not access;
//! `secrets[]` entries not named as token secrets are secrets the account's pods may mount,
//! not its credentials (the reference carries no type). `imagePullSecrets` are registry
//! credentials of the pods, not of the account, and are not read.
//!
//! **Dirty input is imported as it says:** a ClusterRoleBinding whose `roleRef.kind` is `Role`
//! (the API server refuses it) still names its role, with a warning; an `apiGroup` on a
//! ServiceAccount subject is ignored. Only an item that cannot be read at all is a diagnostic
//! naming its pointer (`/items/3/roleRef/name`): a binding without `roleRef.name`, an object
//! without `metadata.name`, an item without `kind`, a subject without `name`. The parser gives
//! no line for a YAML item, so YAML items are located by pointer only (in a file of several
//! documents, with the line the document starts on).
//!
//! **The moment:** a listing states no time of its own (`creationTimestamp` is when each
//! object was created, not when it was listed), so `--as-of`, else the file's modification
//! time with a warning.
//!
//! **Coverage** is what a cluster-wide listing shows, decided from the items:
//!
//! * *accounts* when it holds service accounts from more than one namespace: those are all
//!   the accounts Kubernetes keeps, and every namespace has its own `default` service account,
//!   so a listing of one namespace only (`-n`) is not the cluster's and covers no account;
//! * *entitlements* when it holds both cluster role bindings and role bindings, the latter
//!   from more than one namespace (every cluster has role bindings in `kube-system`): then it
//!   holds every binding, so a subject it does not name holds no role. A listing of one kind
//!   of binding, or of one namespace, covers nothing, with a warning saying why;
//! * never *credentials*: since Kubernetes 1.24 service-account tokens are issued on request
//!   and are not objects, so no listing shows them all.

use std::collections::BTreeSet;
use std::io::Read;

use evidentia_domain::Coverage;
use serde::Deserialize;
use serde_json::Value;

use super::{Listing, Row, snapshot_time, system_of};
use crate::json_stream::{child, get_ci, kind_of, str_ci};
use crate::{Format, ImportContext, ImportError, ImportSummary, Location, Progress, RecordSink};

/// Listings larger than this are refused: the document is parsed whole (see the module docs).
pub const MAX_BYTES: u64 = 256 * 1024 * 1024;

/// The object kinds whose presence makes a file an RBAC listing.
const RBAC_KINDS: [&str; 6] = [
    "ServiceAccount",
    "RoleBinding",
    "ClusterRoleBinding",
    "ServiceAccountList",
    "RoleBindingList",
    "ClusterRoleBindingList",
];

/// Recognises an RBAC listing: a `kind` naming a service account, a binding or a list of them,
/// and nothing of the audit log's (whose events embed bindings in their request bodies).
pub(crate) fn recognise(head: &str) -> bool {
    if head.starts_with('{') || head.starts_with('[') {
        let keys = crate::detect::scan_keys(head);
        return keys.value_matches("kind", |v| RBAC_KINDS.contains(&v))
            && !keys.value_matches("kind", |v| v == "Event" || v == "EventList")
            && !keys.value_matches("apiversion", |v| v.starts_with("audit.k8s.io"))
            && !keys.any(&["auditid", "objectref", "requestobject"]);
    }
    let mut rbac = false;
    for line in head.lines() {
        if line.contains("audit.k8s.io") {
            return false;
        }
        let line = line.trim_start();
        let line = line.strip_prefix("- ").map_or(line, str::trim_start);
        if let Some(value) = line.strip_prefix("kind:") {
            let value = value.trim().trim_matches(|c| c == '"' || c == '\'');
            rbac |= RBAC_KINDS.contains(&value);
        }
    }
    rbac
}

/// Reads an RBAC listing into reconciliation rows.
pub fn import(
    input: &mut dyn Read,
    ctx: &ImportContext,
    sink: &mut dyn RecordSink,
    progress: &mut dyn FnMut(Progress),
) -> Result<ImportSummary, ImportError> {
    let text = read_text(input, ctx)?;
    let documents = parse(&text, ctx)?;
    let mut summary = ImportSummary::default();
    let items = items_of(&documents, ctx, &mut summary);
    let coverage = coverage_of(&documents, &items, ctx, &mut summary);
    let (as_of, _) = snapshot_time(ctx, None, &mut summary)?;
    let listing = Listing {
        system: system_of(ctx, Format::K8sRbac),
        as_of,
        coverage,
    };
    for item in &items {
        summary.rows += 1;
        match convert(item) {
            Ok(converted) => {
                for (row, location) in converted.rows {
                    listing.emit(&mut summary, sink, row, location)?;
                }
                for reason in converted.skipped {
                    summary.skip(reason);
                }
                for (location, reason) in converted.warnings {
                    summary.warn(ctx.diagnostic(location, reason));
                }
                for (location, reason) in converted.invalid {
                    summary.diagnostics.push(ctx.diagnostic(location, reason));
                }
            }
            Err((location, reason)) => summary.diagnostics.push(ctx.diagnostic(location, reason)),
        }
    }
    progress(Progress {
        bytes_read: text.len() as u64,
        bytes_total: ctx.size,
        rows: summary.rows,
    });
    Ok(summary)
}

/// The whole file as text, byte-order mark removed.
fn read_text(input: &mut dyn Read, ctx: &ImportContext) -> Result<String, ImportError> {
    let bytes = super::read_capped(input, ctx, MAX_BYTES, |mib| {
        format!("the listing is larger than {mib} MiB; split it by kind or namespace")
    })?;
    let bytes = bytes
        .strip_prefix(&[0xEF, 0xBB, 0xBF])
        .map_or(bytes.as_slice(), |b| b);
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(text.to_owned()),
        Err(e) => {
            let line = line_at(bytes, e.valid_up_to());
            Err(ImportError::Unreadable(ctx.diagnostic(
                Location::Line(line),
                "not UTF-8 text: kubectl writes YAML and JSON in UTF-8",
            )))
        }
    }
}

fn line_at(bytes: &[u8], offset: usize) -> u64 {
    let before = bytes.get(..offset).unwrap_or(bytes);
    before.iter().filter(|&&b| b == b'\n').count() as u64 + 1
}

/// One parsed document and where its pointers start.
struct Document {
    value: Value,
    base: Location,
}

/// The documents of the file: one JSON value (a JSON array's elements each count as one), or
/// every YAML document.
fn parse(text: &str, ctx: &ImportContext) -> Result<Vec<Document>, ImportError> {
    let trimmed = text.trim_start();
    if trimmed.is_empty() {
        return Err(ImportError::Unreadable(
            ctx.diagnostic(Location::File, "the file is empty"),
        ));
    }
    if trimmed.starts_with('{') || trimmed.starts_with('[') {
        let value: Value = serde_json::from_str(text).map_err(|e| {
            ImportError::Unreadable(ctx.diagnostic(
                Location::Line(e.line() as u64),
                format!("not a complete JSON listing (column {}): {e}", e.column()),
            ))
        })?;
        return Ok(match value {
            Value::Array(elements) => elements
                .into_iter()
                .enumerate()
                .map(|(i, value)| Document {
                    value,
                    base: Location::Pointer(format!("/{i}")),
                })
                .collect(),
            value => vec![Document {
                value,
                base: Location::Pointer(String::new()),
            }],
        });
    }
    let mut values = Vec::new();
    for document in serde_norway::Deserializer::from_str(text) {
        let value = Value::deserialize(document).map_err(|e| {
            let location = e
                .location()
                .map_or(Location::File, |l| Location::Line(l.line() as u64));
            ImportError::Unreadable(ctx.diagnostic(location, format!("not readable YAML: {e}")))
        })?;
        values.push(value);
    }
    let starts = document_starts(text);
    let several = values.len() > 1;
    Ok(values
        .into_iter()
        .enumerate()
        .filter(|(_, value)| !value.is_null())
        .map(|(i, value)| {
            let base = match starts.get(i) {
                Some(line) if several => Location::LinePointer(*line, String::new()),
                _ => Location::Pointer(String::new()),
            };
            Document { value, base }
        })
        .collect())
}

/// The line each YAML document starts on: the first content line, then every `---` marker
/// after content (a leading marker opens the first document rather than a second one).
fn document_starts(text: &str) -> Vec<u64> {
    let mut starts = Vec::new();
    let mut content = false;
    for (n, line) in text.lines().enumerate() {
        let n = n as u64 + 1;
        let marker = line == "---" || line.starts_with("--- ") || line.starts_with("---\t");
        let blank = line.trim().is_empty() || line.trim_start().starts_with('#');
        if marker {
            if content || starts.is_empty() {
                if !content {
                    starts.clear();
                }
                starts.push(n);
                content = false;
            }
        } else if !blank && !content {
            if starts.is_empty() {
                starts.push(n);
            }
            content = true;
        }
    }
    starts
}

/// One object of the listing, with the kind it has or takes from its list.
struct Item<'a> {
    value: &'a Value,
    location: Location,
    kind: Option<String>,
}

/// Every object of every document: a list's items, or the document itself.
fn items_of<'a>(
    documents: &'a [Document],
    ctx: &ImportContext,
    summary: &mut ImportSummary,
) -> Vec<Item<'a>> {
    let mut items = Vec::new();
    for document in documents {
        let kind = str_ci(&document.value, "kind");
        let list = get_ci(&document.value, "items");
        let is_list = kind.as_deref().is_some_and(|k| k.ends_with("List"))
            || (kind.is_none() && list.is_some());
        if !is_list {
            items.push(Item {
                value: &document.value,
                location: document.base.clone(),
                kind,
            });
            continue;
        }
        if kind.is_none() {
            summary.warn(ctx.diagnostic(
                document.base.clone(),
                "the listing has `items` but no `kind`: kubectl writes `kind: List` after the \
                 items, so a YAML listing without it may have been cut short; check the file \
                 is complete",
            ));
        }
        // A typed list's items (the raw API's answer) carry no kind of their own.
        let item_kind = kind
            .as_deref()
            .and_then(|k| k.strip_suffix("List"))
            .filter(|k| !k.is_empty())
            .map(str::to_owned);
        let at = child(&document.base, "items");
        match list {
            None | Some(Value::Null) => {}
            Some(Value::Array(list)) => {
                for (i, value) in list.iter().enumerate() {
                    items.push(Item {
                        value,
                        location: child(&at, &i.to_string()),
                        kind: str_ci(value, "kind").or_else(|| item_kind.clone()),
                    });
                }
            }
            Some(other) => summary.diagnostics.push(ctx.diagnostic(
                at,
                format!("expected a list of objects but found {}", kind_of(other)),
            )),
        }
    }
    items
}

/// What the listing covers (see the module docs), with a warning when it holds service
/// accounts or bindings but too few of them to cover the cluster.
fn coverage_of(
    documents: &[Document],
    items: &[Item<'_>],
    ctx: &ImportContext,
    summary: &mut ImportSummary,
) -> Coverage {
    // An empty typed list still says what was listed: `kubectl get rolebindings` of a
    // namespace with none.
    let listed = |kind: &str| {
        documents
            .iter()
            .any(|d| str_ci(&d.value, "kind").is_some_and(|k| k == format!("{kind}List")))
            || items.iter().any(|i| i.kind.as_deref() == Some(kind))
    };
    let namespaces = |kind: &str| -> BTreeSet<String> {
        items
            .iter()
            .filter(|i| i.kind.as_deref() == Some(kind))
            .map(|i| namespace_of(i.value))
            .collect()
    };
    let (accounts_listed, crbs, rbs) = (
        listed("ServiceAccount"),
        listed("ClusterRoleBinding"),
        listed("RoleBinding"),
    );
    let account_namespaces = namespaces("ServiceAccount");
    let binding_namespaces = namespaces("RoleBinding");
    let accounts = accounts_listed && account_namespaces.len() > 1;
    let entitlements = crbs && rbs && binding_namespaces.len() > 1;
    let advice =
        "take the listing with `kubectl get serviceaccounts,rolebindings,clusterrolebindings -A`";
    if accounts_listed && !accounts {
        summary.warn(ctx.diagnostic(
            Location::File,
            format!(
                "every service account listed is in namespace `{}`, and a cluster has service \
                 accounts in every namespace: the listing is taken as one namespace's, so its \
                 rows do not show that other service accounts are absent; {advice}",
                account_namespaces.iter().next().map_or("", String::as_str)
            ),
        ));
    }
    if crbs || rbs {
        let missing = if !rbs {
            Some("no role bindings, so grants made within namespaces are not shown".to_owned())
        } else if !crbs {
            Some("no cluster role bindings, so cluster-wide grants are not shown".to_owned())
        } else if binding_namespaces.len() <= 1 {
            Some(format!(
                "role bindings of namespace `{}` only, and every cluster has role bindings in \
                 `kube-system`, so it is one namespace's listing",
                binding_namespaces.iter().next().map_or("", String::as_str)
            ))
        } else {
            None
        };
        if let Some(missing) = missing {
            summary.warn(ctx.diagnostic(
                Location::File,
                format!(
                    "the listing holds {missing}: its rows record who holds the roles listed, \
                     but do not show that a role is not held; {advice}"
                ),
            ));
        }
    }
    Coverage {
        accounts,
        entitlements,
        credentials: false,
        holders_of: None,
    }
}

/// An object's namespace; `default` when absent, as kubectl applies it.
fn namespace_of(value: &Value) -> String {
    get_ci(value, "metadata")
        .and_then(|m| str_ci(m, "namespace"))
        .unwrap_or_else(|| "default".to_owned())
}

/// What one item gave.
#[derive(Default)]
struct Converted {
    rows: Vec<(Row, Location)>,
    skipped: Vec<String>,
    warnings: Vec<(Location, String)>,
    /// Parts of the item that could not be read (a subject without a name); the rest imports.
    invalid: Vec<(Location, String)>,
}

type Unusable = (Location, String);

fn convert(item: &Item<'_>) -> Result<Converted, Unusable> {
    if !item.value.is_object() {
        return Err((
            item.location.clone(),
            format!(
                "expected a Kubernetes object but found {}",
                kind_of(item.value)
            ),
        ));
    }
    let Some(kind) = item.kind.as_deref() else {
        return Err((
            child(&item.location, "kind"),
            "the item has no `kind`, so what it is cannot be told".to_owned(),
        ));
    };
    match kind {
        "ServiceAccount" => service_account_item(item),
        "Secret" => secret_item(item),
        "ClusterRoleBinding" | "RoleBinding" => binding_item(item, kind),
        "Role" | "ClusterRole" => Ok(Converted {
            skipped: vec![format!("{kind} (a role definition grants nobody access)")],
            ..Converted::default()
        }),
        other => Ok(Converted {
            skipped: vec![format!(
                "{other} (not a service account, binding or token secret)"
            )],
            ..Converted::default()
        }),
    }
}

/// `metadata.name`, required.
fn name_of(item: &Item<'_>, kind: &str) -> Result<String, Unusable> {
    get_ci(item.value, "metadata")
        .and_then(|m| str_ci(m, "name"))
        .ok_or_else(|| {
            (
                child(&child(&item.location, "metadata"), "name"),
                format!("a {kind} without `metadata.name` names nothing"),
            )
        })
}

fn service_account(namespace: &str, name: &str) -> String {
    format!("system:serviceaccount:{namespace}:{name}")
}

/// Whether a secret is named as the legacy token controller names token secrets, the rule
/// the audit-log importer applies when it cannot see a secret's type.
fn named_as_token(name: &str) -> bool {
    name.rsplit_once("-token-")
        .is_some_and(|(sa, rest)| !sa.is_empty() && !rest.is_empty())
}

fn service_account_item(item: &Item<'_>) -> Result<Converted, Unusable> {
    let name = name_of(item, "ServiceAccount")?;
    let account = service_account(&namespace_of(item.value), &name);
    let mut converted = Converted::default();
    converted
        .rows
        .push((Row::account(account.clone()), item.location.clone()));
    let at = child(&item.location, "secrets");
    if let Some(Value::Array(secrets)) = get_ci(item.value, "secrets") {
        for (i, secret) in secrets.iter().enumerate() {
            match str_ci(secret, "name") {
                Some(secret) if named_as_token(&secret) => converted.rows.push((
                    Row::credential(account.clone(), secret),
                    child(&at, &i.to_string()),
                )),
                _ => converted.skipped.push(
                    "ServiceAccount secret reference (not named as a token secret, `<sa>-token-<x>`)"
                        .to_owned(),
                ),
            }
        }
    }
    Ok(converted)
}

fn secret_item(item: &Item<'_>) -> Result<Converted, Unusable> {
    let token =
        str_ci(item.value, "type").is_some_and(|t| t == "kubernetes.io/service-account-token");
    if !token {
        return Ok(Converted {
            skipped: vec!["Secret (not a service-account token)".to_owned()],
            ..Converted::default()
        });
    }
    let name = name_of(item, "Secret")?;
    // Annotation keys hold dots and slashes: looked up exactly.
    let owner = get_ci(item.value, "metadata")
        .and_then(|m| get_ci(m, "annotations"))
        .and_then(|a| a.get("kubernetes.io/service-account.name"))
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .or_else(|| name.rsplit_once("-token-").map(|(sa, _)| sa.to_owned()))
        .filter(|s| !s.is_empty());
    let Some(owner) = owner else {
        return Ok(Converted {
            skipped: vec!["Secret (token of no named service account)".to_owned()],
            warnings: vec![(
                item.location.clone(),
                format!(
                    "service-account token secret `{name}` has no \
                     `kubernetes.io/service-account.name` annotation, so whose token it is \
                     is unknown"
                ),
            )],
            ..Converted::default()
        });
    };
    let account = service_account(&namespace_of(item.value), &owner);
    Ok(Converted {
        rows: vec![(Row::credential(account, name), item.location.clone())],
        ..Converted::default()
    })
}

fn binding_item(item: &Item<'_>, kind: &str) -> Result<Converted, Unusable> {
    let name = name_of(item, kind)?;
    let role_ref = get_ci(item.value, "roleRef");
    let Some(role) = role_ref.and_then(|r| str_ci(r, "name")) else {
        return Err((
            child(&child(&item.location, "roleRef"), "name"),
            format!("{kind} `{name}` has no `roleRef.name`, so which role it grants is unknown"),
        ));
    };
    let namespace = namespace_of(item.value);
    let cluster = kind == "ClusterRoleBinding";
    let entitlement = if cluster {
        role.clone()
    } else {
        format!("{namespace}/{role}")
    };
    let mut converted = Converted::default();
    if cluster && role_ref.and_then(|r| str_ci(r, "kind")).as_deref() == Some("Role") {
        converted.warnings.push((
            child(&child(&item.location, "roleRef"), "kind"),
            format!(
                "ClusterRoleBinding `{name}` refers to a Role (`{role}`), which the API \
                 server does not accept; imported as the entitlement `{role}` it names"
            ),
        ));
    }
    let at = child(&item.location, "subjects");
    let subjects = match get_ci(item.value, "subjects") {
        None | Some(Value::Null) => &[][..],
        Some(Value::Array(list)) => list.as_slice(),
        Some(other) => {
            return Err((
                at,
                format!("expected a list of subjects but found {}", kind_of(other)),
            ));
        }
    };
    if subjects.is_empty() {
        converted.skipped.push(format!(
            "{kind} without subjects (a binding with no subjects grants nothing)"
        ));
        return Ok(converted);
    }
    for (i, subject) in subjects.iter().enumerate() {
        let location = child(&at, &i.to_string());
        let Some(subject_name) = str_ci(subject, "name") else {
            converted.invalid.push((
                child(&location, "name"),
                format!("a subject of {kind} `{name}` has no `name`, so who holds `{entitlement}` is unknown"),
            ));
            continue;
        };
        let holder = match str_ci(subject, "kind").as_deref() {
            Some("ServiceAccount") => {
                let ns = str_ci(subject, "namespace").unwrap_or_else(|| namespace.clone());
                service_account(&ns, &subject_name)
            }
            Some("Group") => format!("group:{subject_name}"),
            _ => subject_name,
        };
        converted
            .rows
            .push((Row::entitlement(holder, entitlement.clone()), location));
    }
    Ok(converted)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Origin;
    use crate::inventory::test_support::{self, Rows};
    use evidentia_domain::{ReconciliationRecord, ReconciliationStatus, Record};

    fn ctx() -> ImportContext {
        test_support::context("rbac.yaml", None)
    }

    fn run(text: &str) -> (Rows, ImportSummary) {
        let (summary, rows) = test_support::run_in(Format::K8sRbac, text.as_bytes(), &ctx())
            .unwrap_or_else(|e| panic!("import failed: {e}"));
        (rows, summary)
    }

    fn pairs(rows: &[(ReconciliationRecord, Location)]) -> Vec<(String, Option<String>, bool)> {
        rows.iter()
            .map(|(r, _)| {
                (
                    r.account.to_string(),
                    r.entitlement.as_deref().map(str::to_owned),
                    r.credential,
                )
            })
            .collect()
    }

    fn row(
        account: &str,
        entitlement: Option<&str>,
        credential: bool,
    ) -> (String, Option<String>, bool) {
        (
            account.to_owned(),
            entitlement.map(str::to_owned),
            credential,
        )
    }

    /// `kubectl get serviceaccounts,rolebindings,clusterrolebindings -A -o yaml`, keys in the
    /// order kubectl writes them (alphabetical), fields as the API reference documents them.
    const CLUSTER: &str = "apiVersion: v1
items:
- apiVersion: v1
  kind: ServiceAccount
  metadata:
    creationTimestamp: \"2024-01-01T00:00:00Z\"
    name: default
    namespace: kube-system
- apiVersion: v1
  kind: ServiceAccount
  metadata:
    name: payments-api
    namespace: payments
  secrets:
  - name: payments-api-token-x7k2p
  - name: payments-config
- apiVersion: rbac.authorization.k8s.io/v1
  kind: RoleBinding
  metadata:
    name: deployers
    namespace: payments
  roleRef:
    apiGroup: rbac.authorization.k8s.io
    kind: Role
    name: deployer
  subjects:
  - apiGroup: rbac.authorization.k8s.io
    kind: User
    name: alice@example.com
  - kind: ServiceAccount
    name: ci
- apiVersion: rbac.authorization.k8s.io/v1
  kind: RoleBinding
  metadata:
    name: view
    namespace: kube-system
  roleRef:
    apiGroup: rbac.authorization.k8s.io
    kind: ClusterRole
    name: view
  subjects:
  - apiGroup: rbac.authorization.k8s.io
    kind: Group
    name: sre
- apiVersion: rbac.authorization.k8s.io/v1
  kind: ClusterRoleBinding
  metadata:
    name: admins
  roleRef:
    apiGroup: rbac.authorization.k8s.io
    kind: ClusterRole
    name: cluster-admin
  subjects:
  - apiGroup: rbac.authorization.k8s.io
    kind: Group
    name: system:masters
  - kind: ServiceAccount
    name: argo
    namespace: argocd
- apiVersion: rbac.authorization.k8s.io/v1
  kind: ClusterRoleBinding
  metadata:
    name: system:node
  roleRef:
    apiGroup: rbac.authorization.k8s.io
    kind: ClusterRole
    name: system:node
kind: List
metadata:
  resourceVersion: \"\"
";

    #[test]
    fn a_cluster_listing_names_accounts_and_grants_as_the_audit_log_does() {
        let (rows, summary) = run(CLUSTER);
        assert_eq!(
            pairs(&rows),
            vec![
                row("system:serviceaccount:kube-system:default", None, false),
                row("system:serviceaccount:payments:payments-api", None, false),
                row(
                    "system:serviceaccount:payments:payments-api",
                    Some("payments-api-token-x7k2p"),
                    true
                ),
                row("alice@example.com", Some("payments/deployer"), false),
                row(
                    "system:serviceaccount:payments:ci",
                    Some("payments/deployer"),
                    false
                ),
                row("group:sre", Some("kube-system/view"), false),
                row("group:system:masters", Some("cluster-admin"), false),
                row(
                    "system:serviceaccount:argocd:argo",
                    Some("cluster-admin"),
                    false
                ),
            ]
        );
        assert_eq!(summary.rows, 6);
        assert_eq!(
            summary.skipped.get(
                "ClusterRoleBinding without subjects (a binding with no subjects grants nothing)"
            ),
            Some(&1)
        );
        assert_eq!(
            summary.skipped.values().sum::<u64>(),
            2,
            "{:?}",
            summary.skipped
        );
        let coverage = rows[0].0.coverage.as_deref().cloned().expect("coverage");
        assert_eq!(
            coverage,
            Coverage {
                accounts: true,
                entitlements: true,
                credentials: false,
                holders_of: None
            }
        );
        assert!(summary.warnings.is_empty(), "{:?}", summary.warnings);
        assert!(summary.diagnostics.is_empty());
        assert_eq!(rows[3].1, Location::Pointer("/items/2/subjects/0".into()));
        assert!(
            rows.iter()
                .all(|(r, _)| r.status == ReconciliationStatus::ExpectedPresent)
        );
        assert_eq!(rows[0].0.as_of, ctx().as_of.expect("as of"));
    }

    #[test]
    fn json_and_typed_lists_read_the_same() {
        // The raw API's `RoleBindingList`: items carry no kind of their own.
        let json = r#"{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"RoleBindingList","metadata":{"resourceVersion":"1"},
          "items":[{"metadata":{"name":"rb","namespace":"team"},"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"edit"},
          "subjects":[{"kind":"ServiceAccount","name":"bot"},{"kind":"User","name":"bob"}]}]}"#;
        let (rows, summary) = run(json);
        assert_eq!(
            pairs(&rows),
            vec![
                row("system:serviceaccount:team:bot", Some("team/edit"), false),
                row("bob", Some("team/edit"), false),
            ]
        );
        // Role bindings alone, of one namespace, cover nothing: cluster role bindings were not listed.
        assert!(!rows[0].0.coverage.clone().expect("coverage").entitlements);
        assert_eq!(summary.warnings.len(), 1);
        assert!(
            summary.warnings[0]
                .reason
                .contains("no cluster role bindings")
        );
    }

    #[test]
    fn a_single_object_and_several_documents_are_read() {
        let (rows, _) = run("apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: solo\n");
        assert_eq!(
            pairs(&rows),
            vec![row("system:serviceaccount:default:solo", None, false)]
        );
        assert_eq!(rows[0].1, Location::Pointer(String::new()));

        let (rows, _) = run(
            "---\nkind: ServiceAccount\nmetadata:\n  name: a\n  namespace: x\n---\n# second\nkind: ServiceAccount\nmetadata:\n  name: b\n  namespace: y\n",
        );
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[1].1, Location::LinePointer(6, String::new()));
        assert!(rows[1].0.coverage.clone().expect("coverage").accounts);
    }

    #[test]
    fn token_secrets_are_credentials_of_their_service_account() {
        let (rows, summary) = run(r#"{"kind":"List","items":[
              {"apiVersion":"v1","kind":"Secret","type":"kubernetes.io/service-account-token",
               "metadata":{"name":"build-token","namespace":"ci","annotations":{"kubernetes.io/service-account.name":"builder"}}},
              {"apiVersion":"v1","kind":"Secret","type":"Opaque","metadata":{"name":"db","namespace":"ci"}},
              {"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRole","metadata":{"name":"x"}}]}"#);
        assert_eq!(
            pairs(&rows),
            vec![row(
                "system:serviceaccount:ci:builder",
                Some("build-token"),
                true
            )]
        );
        assert_eq!(
            summary.skipped.get("Secret (not a service-account token)"),
            Some(&1)
        );
        assert_eq!(
            summary
                .skipped
                .get("ClusterRole (a role definition grants nobody access)"),
            Some(&1)
        );
    }

    #[test]
    fn dirty_bindings_import_as_they_say_and_unusable_ones_are_diagnostics() {
        let (rows, summary) = run("kind: List
items:
  - kind: ClusterRoleBinding
    metadata: {name: odd}
    roleRef: {kind: Role, name: r-bozo}
    subjects:
    - {kind: ServiceAccount, name: sa, namespace: default, apiGroup: rbac.authorization.k8s.io}
  - kind: ClusterRoleBinding
    metadata: {name: broken}
    roleRef: {kind: ClusterRole}
    subjects: [{kind: User, name: eve}]
  - kind: RoleBinding
    metadata: {name: half, namespace: ns}
    roleRef: {name: r}
    subjects: [{kind: User}, {kind: User, name: dan}]
  - metadata: {name: kindless}
");
        assert_eq!(
            pairs(&rows),
            vec![
                row("system:serviceaccount:default:sa", Some("r-bozo"), false),
                row("dan", Some("ns/r"), false),
            ]
        );
        let at: Vec<String> = summary
            .diagnostics
            .iter()
            .map(|d| d.location.to_string())
            .collect();
        assert_eq!(
            at,
            vec![
                "/items/1/roleRef/name",
                "/items/2/subjects/0/name",
                "/items/3/kind"
            ]
        );
        assert!(summary.diagnostics[0].reason.contains("roleRef.name"));
        assert!(
            summary
                .warnings
                .iter()
                .any(|w| w.reason.contains("refers to a Role"))
        );
        assert_eq!(summary.rows, 4);
    }

    #[test]
    fn bad_files_are_refused_naming_where() {
        let mut sink: Vec<(Record, Origin)> = Vec::new();
        let cut = r#"{"kind":"List","items":[{"kind":"ServiceAccount","metadata":{"name":"a"}}"#;
        let err = import(&mut cut.as_bytes(), &ctx(), &mut sink, &mut |_| {})
            .expect_err("truncated JSON");
        assert!(
            err.to_string().contains("not a complete JSON listing"),
            "{err}"
        );

        let err = import(
            &mut "kind: List\nitems:\n  - kind: [ServiceAccount\n".as_bytes(),
            &ctx(),
            &mut sink,
            &mut |_| {},
        )
        .expect_err("bad YAML");
        assert!(err.to_string().contains("rbac.yaml:line"), "{err}");

        let err =
            import(&mut &b"\xff\xfe"[..], &ctx(), &mut sink, &mut |_| {}).expect_err("not UTF-8");
        assert!(err.to_string().contains("UTF-8"), "{err}");

        // No --as-of and no file time: no moment.
        let err = import(
            &mut "kind: ServiceAccount\nmetadata: {name: a}\n".as_bytes(),
            &ImportContext::new("x.yaml"),
            &mut sink,
            &mut |_| {},
        )
        .expect_err("no moment");
        assert!(err.to_string().contains("--as-of"), "{err}");
        assert!(sink.is_empty());
    }

    #[test]
    fn a_list_without_kind_is_warned_about_as_possibly_cut() {
        let (_, summary) = run("items:\n- kind: ServiceAccount\n  metadata: {name: a}\n");
        assert!(
            summary
                .warnings
                .iter()
                .any(|w| w.reason.contains("cut short"))
        );
    }

    #[test]
    fn recognises_rbac_listings_but_not_audit_events() {
        assert!(recognise(
            "apiVersion: v1\nitems:\n- apiVersion: v1\n  kind: ServiceAccount\n"
        ));
        assert!(recognise(
            "---\napiVersion: v1\nkind: List\nitems:\n  - kind: \"ClusterRoleBinding\"\n"
        ));
        assert!(recognise(
            r#"{"apiVersion":"v1","kind":"List","items":[{"kind":"RoleBinding","roleRef":{}}]}"#
        ));
        assert!(recognise(r#"{"kind":"ClusterRoleBindingList","items":[]}"#));
        assert!(!recognise(
            r#"{"kind":"Event","apiVersion":"audit.k8s.io/v1","verb":"create","requestObject":{"kind":"RoleBinding"}}"#
        ));
        assert!(!recognise(
            "apiVersion: v1\nkind: List\nitems:\n- kind: Pod\n"
        ));
        assert!(!recognise("root:x:0:0:root:/root:/bin/bash\n"));
    }
}
