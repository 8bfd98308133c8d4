//! Writes each execution in its system's native log format (the exact shapes the importers read).

use chrono::{Duration, FixedOffset};

use crate::json::{J, o, s};
use crate::model::*;
use crate::rng::Rng;
use crate::world::*;

/// FNV-1a: stable object ids (Okta `00u…`, Entra GUIDs) derived from names, so one account
/// keeps one id across the whole year.
pub fn fnv(text: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

fn stable_token(prefix: &str, text: &str, len: usize) -> String {
    const ALPHA: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let mut r = Rng::new(fnv(text));
    format!("{prefix}{}", r.token(ALPHA, len))
}

fn stable_guid(text: &str) -> String {
    Rng::new(fnv(text)).uuid()
}

pub fn iso(t: Ts) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

fn iso_ms(t: Ts) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// A time in a fixed local offset, formatted.
pub fn local(t: Ts, offset_hours: i32, fmt: &str) -> String {
    match FixedOffset::east_opt(offset_hours * 3600) {
        Some(off) => t.with_timezone(&off).format(fmt).to_string(),
        None => t.format(fmt).to_string(),
    }
}

fn is_nhi(w: &World, x: &Exec) -> bool {
    x.ident
        .as_ref()
        .is_some_and(|i| w.by_id.get(i).is_some_and(|&k| !w.ids[k].kind.is_human()))
}

/// The system's own display name for an account (a person's name where known).
fn display_of(w: &World, x: &Exec) -> String {
    match x.ident.as_ref().and_then(|i| w.by_id.get(i)) {
        Some(&k) if w.ids[k].kind.is_human() => w.ids[k].display.clone(),
        _ => x.account.clone(),
    }
}

/// Renders one execution as one line of its system's log.
pub fn exec_line(w: &World, x: &Exec, rng: &mut Rng) -> String {
    match x.sys {
        Sys::Aws => cloudtrail(w, x, rng).text(),
        Sys::Okta => okta(w, x, rng).text(),
        Sys::Entra => entra(w, x, rng).text(),
        Sys::Github => github(w, x).text(),
        Sys::Google => google(x, rng).text(),
        Sys::K8s => k8s(w, x, rng).text(),
        Sys::Linux => linux(x, rng),
        Sys::Finance => finance(x),
    }
}

fn aws_identity(actor: &str) -> J {
    if let Some(rest) = actor.strip_prefix(&format!("arn:aws:iam::{AWS_ACCOUNT}:user/")) {
        o(vec![
            ("type", s("IAMUser")),
            (
                "principalId",
                s(stable_token("AIDA", rest, 17).to_uppercase()),
            ),
            ("arn", s(actor)),
            ("accountId", s(AWS_ACCOUNT)),
            (
                "accessKeyId",
                s(stable_token("ASIA", actor, 16).to_uppercase()),
            ),
            ("userName", s(rest)),
        ])
    } else {
        let session = actor.rsplit('/').next().unwrap_or("session");
        o(vec![
            ("type", s("AssumedRole")),
            (
                "principalId",
                s(format!(
                    "{}:{session}",
                    stable_token("AROA", actor, 17).to_uppercase()
                )),
            ),
            ("arn", s(actor)),
            ("accountId", s(AWS_ACCOUNT)),
            (
                "accessKeyId",
                s(stable_token("ASIA", session, 16).to_uppercase()),
            ),
            (
                "sessionContext",
                o(vec![
                    (
                        "sessionIssuer",
                        o(vec![
                            ("type", s("Role")),
                            (
                                "principalId",
                                s(stable_token("AROA", actor, 17).to_uppercase()),
                            ),
                            (
                                "arn",
                                s(format!("arn:aws:iam::{AWS_ACCOUNT}:role/iga-provisioner")),
                            ),
                            ("accountId", s(AWS_ACCOUNT)),
                            ("userName", s("iga-provisioner")),
                        ]),
                    ),
                    (
                        "attributes",
                        o(vec![
                            ("creationDate", s("2025-01-01T00:00:00Z")),
                            ("mfaAuthenticated", s("false")),
                        ]),
                    ),
                ]),
            ),
        ])
    }
}

fn cloudtrail(w: &World, x: &Exec, rng: &mut Rng) -> J {
    let role = x.account.starts_with("ci-");
    let who = if role { "roleName" } else { "userName" };
    let ent = x.ent.clone().unwrap_or_default();
    let policy = ent.starts_with("arn:");
    let mut response = J::Null;
    let (name, params): (&str, Vec<(&str, J)>) = match x.op {
        Op::Create if role => (
            "CreateRole",
            vec![
                ("roleName", s(&x.account)),
                (
                    "assumeRolePolicyDocument",
                    s(
                        "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Federated\":\"arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com\"},\"Action\":\"sts:AssumeRoleWithWebIdentity\"}]}",
                    ),
                ),
            ],
        ),
        Op::Create => ("CreateUser", vec![("userName", s(&x.account))]),
        Op::Delete if role => ("DeleteRole", vec![("roleName", s(&x.account))]),
        Op::Delete => ("DeleteUser", vec![("userName", s(&x.account))]),
        Op::Grant if ent == "console-login" => (
            "CreateLoginProfile",
            vec![
                ("userName", s(&x.account)),
                ("passwordResetRequired", J::B(false)),
            ],
        ),
        Op::Grant if policy => (
            if role {
                "AttachRolePolicy"
            } else {
                "AttachUserPolicy"
            },
            vec![(who, s(&x.account)), ("policyArn", s(&ent))],
        ),
        Op::Grant => (
            "AddUserToGroup",
            vec![("groupName", s(&ent)), ("userName", s(&x.account))],
        ),
        Op::Revoke if ent == "console-login" => {
            ("DeleteLoginProfile", vec![("userName", s(&x.account))])
        }
        Op::Revoke if policy => (
            if role {
                "DetachRolePolicy"
            } else {
                "DetachUserPolicy"
            },
            vec![(who, s(&x.account)), ("policyArn", s(&ent))],
        ),
        Op::Revoke => (
            "RemoveUserFromGroup",
            vec![("groupName", s(&ent)), ("userName", s(&x.account))],
        ),
        Op::CredCreate => {
            response = o(vec![(
                "accessKey",
                o(vec![
                    ("userName", s(&x.account)),
                    ("accessKeyId", s(&ent)),
                    ("status", s("Active")),
                    (
                        "createDate",
                        s(format!("{}", x.at.format("%b %-d, %Y, %-I:%M:%S %p"))),
                    ),
                ]),
            )]);
            ("CreateAccessKey", vec![("userName", s(&x.account))])
        }
        Op::CredDelete => (
            "DeleteAccessKey",
            vec![("userName", s(&x.account)), ("accessKeyId", s(&ent))],
        ),
        Op::CredDeactivate => (
            "UpdateAccessKey",
            vec![
                ("userName", s(&x.account)),
                ("accessKeyId", s(&ent)),
                ("status", s("Inactive")),
            ],
        ),
        _ => ("UpdateLoginProfile", vec![("userName", s(&x.account))]),
    };
    let actor = x.actor.clone().unwrap_or_default();
    let human = actor.contains(":user/");
    let mut rec: Vec<(&str, J)> = vec![
        ("eventVersion", s("1.09")),
        ("userIdentity", aws_identity(&actor)),
        ("eventTime", s(iso(x.at))),
        ("eventSource", s("iam.amazonaws.com")),
        ("eventName", s(name)),
        ("awsRegion", s("us-east-1")),
        (
            "sourceIPAddress",
            s(if human {
                format!("203.0.113.{}", 10 + rng.below(200))
            } else {
                "10.20.4.17".into()
            }),
        ),
        (
            "userAgent",
            s(if human {
                "AWS Internal"
            } else {
                "aws-sdk-go-v2/1.30.3 os/linux lang/go#1.22.5 api/iam#1.34.3"
            }),
        ),
    ];
    if let Outcome::Failed(code) = &x.outcome {
        rec.push(("errorCode", s(*code)));
        rec.push((
            "errorMessage",
            s(format!("User: {actor} is not authorized to perform: iam:{name} on resource: group {ent} because no identity-based policy allows the iam:{name} action")),
        ));
        response = J::Null;
    }
    rec.push(("requestParameters", o(params)));
    rec.push(("responseElements", response));
    rec.push(("requestID", s(rng.uuid())));
    rec.push(("eventID", s(x.sid.clone().unwrap_or_default())));
    rec.push(("readOnly", J::B(false)));
    rec.push(("eventType", s("AwsApiCall")));
    rec.push(("managementEvent", J::B(true)));
    rec.push(("recipientAccountId", s(AWS_ACCOUNT)));
    rec.push(("eventCategory", s("Management")));
    let _ = w;
    o(rec)
}

/// An API call signed with a user's long-term access key: activity, not a change.
pub fn call_line(c: &Call) -> String {
    let user = &c.account;
    o(vec![
        ("eventVersion", s("1.09")),
        (
            "userIdentity",
            o(vec![
                ("type", s("IAMUser")),
                (
                    "principalId",
                    s(stable_token("AIDA", user, 17).to_uppercase()),
                ),
                ("arn", s(format!("arn:aws:iam::{AWS_ACCOUNT}:user/{user}"))),
                ("accountId", s(AWS_ACCOUNT)),
                ("accessKeyId", s(&c.key)),
                ("userName", s(user)),
            ]),
        ),
        ("eventTime", s(iso(c.at))),
        ("eventSource", s(c.source)),
        ("eventName", s(c.event)),
        ("awsRegion", s("us-east-1")),
        ("sourceIPAddress", s("198.51.100.77")),
        (
            "userAgent",
            s("aws-cli/2.17.20 Python/3.11.9 Linux/6.5.0 exe/x86_64"),
        ),
        ("requestParameters", J::Null),
        ("responseElements", J::Null),
        ("eventID", s(&c.sid)),
        ("readOnly", J::B(true)),
        ("eventType", s("AwsApiCall")),
        ("managementEvent", J::B(true)),
        ("recipientAccountId", s(AWS_ACCOUNT)),
        ("eventCategory", s("Management")),
    ])
    .text()
}

fn okta_actor(actor: &str) -> J {
    o(vec![
        ("id", s(stable_token("00u", actor, 17))),
        ("type", s("User")),
        ("alternateId", s(actor)),
        (
            "displayName",
            s(if actor.starts_with("iga-connector") {
                "IGA Connector".to_owned()
            } else {
                actor.to_owned()
            }),
        ),
        ("detailEntry", J::Null),
    ])
}

fn okta_user(w: &World, x: &Exec) -> J {
    o(vec![
        ("id", s(stable_token("00u", &x.account, 17))),
        ("type", s("User")),
        ("alternateId", s(&x.account)),
        ("displayName", s(display_of(w, x))),
        ("detailEntry", J::Null),
    ])
}

fn okta(w: &World, x: &Exec, rng: &mut Rng) -> J {
    let ent = x.ent.clone().unwrap_or_default();
    let privilege = ent == "Super Administrator";
    let group = || {
        o(vec![
            ("id", s(stable_token("00g", &ent, 17))),
            ("type", s("UserGroup")),
            ("alternateId", s("unknown")),
            ("displayName", s(&ent)),
            ("detailEntry", J::Null),
        ])
    };
    let mut debug: Vec<(&str, J)> = vec![(
        "requestId",
        s(rng.token(
            b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
            27,
        )),
    )];
    let (etype, display, targets): (&str, &str, Vec<J>) = match x.op {
        Op::Create => (
            "user.lifecycle.create",
            "Create okta user",
            vec![okta_user(w, x)],
        ),
        Op::Enable => (
            "user.lifecycle.activate",
            "Activate Okta user",
            vec![okta_user(w, x)],
        ),
        Op::Disable => (
            "user.lifecycle.deactivate",
            "Deactivate Okta user",
            vec![okta_user(w, x)],
        ),
        Op::Grant if privilege => {
            debug.push(("privilegeGranted", s(&ent)));
            (
                "user.account.privilege.grant",
                "Grant user privilege",
                vec![okta_user(w, x)],
            )
        }
        Op::Revoke if privilege => {
            debug.push(("privilegeRevoked", s(&ent)));
            (
                "user.account.privilege.revoke",
                "Revoke user privilege",
                vec![okta_user(w, x)],
            )
        }
        Op::Grant => (
            "group.user_membership.add",
            "Add user to group membership",
            vec![okta_user(w, x), group()],
        ),
        Op::Revoke => (
            "group.user_membership.remove",
            "Remove user from group membership",
            vec![okta_user(w, x), group()],
        ),
        Op::CredCreate | Op::CredDelete => {
            let tok = o(vec![
                ("id", s(&ent)),
                ("type", s("Token")),
                ("alternateId", s("unknown")),
                ("displayName", s(&x.account)),
                ("detailEntry", J::Null),
            ]);
            if x.op == Op::CredCreate {
                ("system.api_token.create", "Create API token", vec![tok])
            } else {
                ("system.api_token.revoke", "Revoke API token", vec![tok])
            }
        }
        _ => (
            "user.account.reset_password",
            "Reset password for user",
            vec![okta_user(w, x)],
        ),
    };
    let outcome = match &x.outcome {
        Outcome::Ok => o(vec![("result", s("SUCCESS")), ("reason", J::Null)]),
        Outcome::Failed(r) => o(vec![("result", s("FAILURE")), ("reason", s(*r))]),
        Outcome::Queued => o(vec![("result", s("UNKNOWN")), ("reason", J::Null)]),
    };
    let actor = x.actor.clone().unwrap_or_default();
    o(vec![
        ("actor", okta_actor(&actor)),
        (
            "client",
            o(vec![
                (
                    "userAgent",
                    o(vec![
                        ("rawUserAgent", s("Okta-Integrations")),
                        ("os", s("Unknown")),
                        ("browser", s("UNKNOWN")),
                    ]),
                ),
                ("zone", s("null")),
                ("device", s("Unknown")),
                ("ipAddress", s("198.51.100.24")),
            ]),
        ),
        ("debugContext", o(vec![("debugData", o(debug))])),
        ("displayMessage", s(display)),
        ("eventType", s(etype)),
        ("legacyEventType", J::Null),
        ("outcome", outcome),
        ("published", s(iso_ms(x.at))),
        ("securityContext", o::<&str>(vec![])),
        ("severity", s("INFO")),
        ("target", J::A(targets)),
        (
            "transaction",
            o(vec![
                ("type", s("JOB")),
                (
                    "id",
                    s(rng.token(b"abcdefghijklmnopqrstuvwxyz0123456789", 20)),
                ),
                ("detail", o::<&str>(vec![])),
            ]),
        ),
        ("uuid", s(x.sid.clone().unwrap_or_default())),
        ("version", s("0")),
    ])
}

fn entra(w: &World, x: &Exec, rng: &mut Rng) -> J {
    let ent = x.ent.clone().unwrap_or_default();
    let user_target = x.account.contains('@');
    let principal = |props: Vec<J>| {
        if user_target {
            o(vec![
                ("id", s(stable_guid(&x.account))),
                ("displayName", J::Null),
                ("type", s("User")),
                ("userPrincipalName", s(&x.account)),
                ("groupType", J::Null),
                ("modifiedProperties", J::A(props)),
            ])
        } else {
            o(vec![
                ("id", s(stable_guid(&x.account))),
                ("displayName", s(&x.account)),
                ("type", s("ServicePrincipal")),
                ("userPrincipalName", J::Null),
                ("groupType", J::Null),
                ("modifiedProperties", J::A(props)),
            ])
        }
    };
    let quoted = |v: &str| s(format!("\"{v}\""));
    let prop = |name: &str, old: J, new: J| {
        o(vec![
            ("displayName", s(name)),
            ("oldValue", old),
            ("newValue", new),
        ])
    };
    let group = || {
        o(vec![
            ("id", s(stable_guid(&ent))),
            ("displayName", s(&ent)),
            ("type", s("Group")),
            ("userPrincipalName", J::Null),
            ("groupType", s("unifiedAzureAD")),
            ("modifiedProperties", J::A(vec![])),
        ])
    };
    let role = ent == "Global Administrator";
    let key = |kid: &str| {
        s(format!(
            "[\"[KeyIdentifier={kid},KeyType=AsymmetricX509Cert,KeyUsage=Verify,DisplayName=CN={}]\"]",
            x.account
        ))
    };
    let (op, category, targets): (&str, &str, Vec<J>) = match x.op {
        Op::Create if user_target => ("Add user", "UserManagement", vec![principal(vec![])]),
        Op::Create => (
            "Add service principal",
            "ApplicationManagement",
            vec![principal(vec![])],
        ),
        Op::Disable => (
            "Disable account",
            "UserManagement",
            vec![principal(vec![prop(
                "AccountEnabled",
                s("[true]"),
                s("[false]"),
            )])],
        ),
        Op::Delete if user_target => ("Delete user", "UserManagement", vec![principal(vec![])]),
        Op::Delete => (
            "Remove service principal",
            "ApplicationManagement",
            vec![principal(vec![])],
        ),
        Op::Grant if role => (
            "Add member to role",
            "RoleManagement",
            vec![principal(vec![prop(
                "Role.DisplayName",
                J::Null,
                quoted(&ent),
            )])],
        ),
        Op::Revoke if role => (
            "Remove member from role",
            "RoleManagement",
            vec![principal(vec![prop(
                "Role.DisplayName",
                quoted(&ent),
                J::Null,
            )])],
        ),
        Op::Grant => (
            "Add member to group",
            "GroupManagement",
            vec![
                principal(vec![prop("Group.DisplayName", J::Null, quoted(&ent))]),
                group(),
            ],
        ),
        Op::Revoke => (
            "Remove member from group",
            "GroupManagement",
            vec![
                principal(vec![prop("Group.DisplayName", quoted(&ent), J::Null)]),
                group(),
            ],
        ),
        Op::CredCreate => (
            "Add service principal credentials",
            "ApplicationManagement",
            vec![principal(vec![prop("KeyDescription", s("[]"), key(&ent))])],
        ),
        Op::CredDelete => (
            "Remove service principal credentials",
            "ApplicationManagement",
            vec![principal(vec![prop("KeyDescription", key(&ent), s("[]"))])],
        ),
        _ => (
            "Reset user password",
            "UserManagement",
            vec![principal(vec![])],
        ),
    };
    let (result, reason) = match &x.outcome {
        Outcome::Ok => ("success", s("")),
        Outcome::Failed(r) => ("failure", s(*r)),
        Outcome::Queued => ("timeout", s("Request timed out")),
    };
    let actor = x.actor.clone().unwrap_or_default();
    let operation_type = op.split(' ').next().unwrap_or("Update");
    let _ = w;
    o(vec![
        ("id", s(x.sid.clone().unwrap_or_default())),
        ("category", s(category)),
        ("correlationId", s(rng.uuid())),
        ("result", s(result)),
        ("resultReason", reason),
        ("activityDisplayName", s(op)),
        ("activityDateTime", s(iso_ms(x.at))),
        ("loggedByService", s("Core Directory")),
        ("operationType", s(operation_type)),
        (
            "initiatedBy",
            o(vec![(
                "user",
                o(vec![
                    ("id", s(stable_guid(&actor))),
                    ("displayName", J::Null),
                    ("userPrincipalName", s(&actor)),
                    ("ipAddress", s("")),
                    ("userType", J::Null),
                ]),
            )]),
        ),
        ("userAgent", J::Null),
        ("targetResources", J::A(targets)),
        ("additionalDetails", J::A(vec![])),
    ])
}

fn github(w: &World, x: &Exec) -> J {
    let ent = x.ent.clone().unwrap_or_default();
    let app = is_nhi(w, x);
    let ms = x.at.timestamp_millis();
    let actor = x.actor.clone().unwrap_or_default();
    let mut rec: Vec<(&str, J)> = vec![
        ("@timestamp", J::N(ms)),
        ("_document_id", s(x.sid.clone().unwrap_or_default())),
        ("action", J::Null),
        ("actor", s(&actor)),
        (
            "actor_id",
            J::N((fnv(&actor) % 90_000_000) as i64 + 10_000_000),
        ),
        ("actor_is_bot", J::B(actor.ends_with("[bot]"))),
        ("created_at", J::N(ms)),
        ("business", s("northwind-enterprise")),
        ("org", s(GITHUB_ORG)),
        ("org_id", J::N(81_234_567)),
    ];
    let action = match (x.op, app) {
        (Op::Create, true) => {
            rec.push(("name", s(&x.account)));
            rec.push(("integration", s(&x.account)));
            "integration_installation.create"
        }
        (Op::Delete, true) => {
            rec.push(("name", s(&x.account)));
            rec.push(("integration", s(&x.account)));
            "integration_installation.destroy"
        }
        (Op::Create, false) => {
            rec.push(("user", s(&x.account)));
            "org.add_member"
        }
        (Op::Invite, _) => {
            rec.push(("user", s(&x.account)));
            rec.push(("invitee", s(&x.account)));
            "org.invite_member"
        }
        (Op::Delete, false) => {
            rec.push(("user", s(&x.account)));
            "org.remove_member"
        }
        (Op::Grant, _) if ent == "org:owner" => {
            rec.push(("user", s(&x.account)));
            rec.push(("permission", s("admin")));
            "org.update_member"
        }
        (Op::Grant, _) => {
            rec.push(("user", s(&x.account)));
            rec.push(("team", s(&ent)));
            "team.add_member"
        }
        (Op::Revoke, _) => {
            rec.push(("user", s(&x.account)));
            rec.push(("team", s(&ent)));
            "team.remove_member"
        }
        _ => "org.update_member",
    };
    rec[2] = ("action", s(action));
    o(rec)
}

fn google(x: &Exec, rng: &mut Rng) -> J {
    let ent = x.ent.clone().unwrap_or_default();
    let user = ("USER_EMAIL", x.account.clone());
    let (etype, name, params): (&str, &str, Vec<(&str, String)>) = match x.op {
        Op::Create => ("USER_SETTINGS", "CREATE_USER", vec![user]),
        Op::Disable => ("USER_SETTINGS", "SUSPEND_USER", vec![user]),
        Op::Delete => ("USER_SETTINGS", "DELETE_USER", vec![user]),
        Op::Grant if ent == "Super Admin" => ("USER_SETTINGS", "GRANT_ADMIN_PRIVILEGE", vec![user]),
        Op::Revoke if ent == "Super Admin" => {
            ("USER_SETTINGS", "REVOKE_ADMIN_PRIVILEGE", vec![user])
        }
        Op::Grant => (
            "GROUP_SETTINGS",
            "ADD_GROUP_MEMBER",
            vec![user, ("GROUP_EMAIL", ent.clone())],
        ),
        Op::Revoke => (
            "GROUP_SETTINGS",
            "REMOVE_GROUP_MEMBER",
            vec![user, ("GROUP_EMAIL", ent.clone())],
        ),
        _ => ("USER_SETTINGS", "CHANGE_PASSWORD", vec![user]),
    };
    let uq = x.sid.clone().unwrap_or_default();
    let actor = x.actor.clone().unwrap_or_default();
    o(vec![
        ("kind", s("admin#reports#activity")),
        (
            "id",
            o(vec![
                ("time", s(iso_ms(x.at))),
                ("uniqueQualifier", s(uq)),
                ("applicationName", s("admin")),
                ("customerId", s("C03nw7x2k")),
            ]),
        ),
        (
            "etag",
            s(format!(
                "\"{}\"",
                rng.token(
                    b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-",
                    43
                )
            )),
        ),
        (
            "actor",
            o(vec![
                ("callerType", s("USER")),
                ("email", s(&actor)),
                ("profileId", s(format!("1{:020}", fnv(&actor)))),
            ]),
        ),
        ("ipAddress", s("198.51.100.40")),
        (
            "events",
            J::A(vec![o(vec![
                ("type", s(etype)),
                ("name", s(name)),
                (
                    "parameters",
                    J::A(
                        params
                            .into_iter()
                            .map(|(k, v)| o(vec![("name", s(k)), ("value", s(v))]))
                            .collect(),
                    ),
                ),
            ])]),
        ),
    ])
}

/// Splits a Kubernetes entitlement into (namespace, role kind, role name).
fn k8s_role(ent: &str) -> (Option<&str>, &'static str, &str) {
    match ent.split_once('/') {
        Some((ns, r)) if ["edit", "view", "admin"].contains(&r) => (Some(ns), "ClusterRole", r),
        Some((ns, r)) => (Some(ns), "Role", r),
        None => (None, "ClusterRole", ent),
    }
}

fn k8s(w: &World, x: &Exec, rng: &mut Rng) -> J {
    let actor = x.actor.clone().unwrap_or_default();
    let sa = x
        .account
        .strip_prefix("system:serviceaccount:")
        .and_then(|r| r.split_once(':'));
    let (verb, resource, ns, name, body): (&str, &str, Option<String>, String, Option<J>) =
        match x.op {
            Op::Create | Op::Delete => {
                let (ns, n) = sa.unwrap_or(("default", &x.account));
                let body = o(vec![
                    ("kind", s("ServiceAccount")),
                    ("apiVersion", s("v1")),
                    (
                        "metadata",
                        o(vec![
                            ("name", s(n)),
                            ("namespace", s(ns)),
                            ("creationTimestamp", J::Null),
                        ]),
                    ),
                ]);
                (
                    if x.op == Op::Create {
                        "create"
                    } else {
                        "delete"
                    },
                    "serviceaccounts",
                    Some(ns.to_owned()),
                    n.to_owned(),
                    Some(body),
                )
            }
            _ => {
                let ent = x.ent.clone().unwrap_or_default();
                let (ns, rkind, rname) = k8s_role(&ent);
                let subject = match sa {
                    Some((sns, sname)) => o(vec![
                        ("kind", s("ServiceAccount")),
                        ("name", s(sname)),
                        ("namespace", s(sns)),
                    ]),
                    None => o(vec![
                        ("kind", s("User")),
                        ("apiGroup", s("rbac.authorization.k8s.io")),
                        ("name", s(&x.account)),
                    ]),
                };
                let short = match sa {
                    Some((_, n)) => n.to_owned(),
                    None => x.account.split('@').next().unwrap_or("user").to_owned(),
                };
                let bname = format!("{short}-{rname}");
                let kind = if ns.is_some() {
                    "RoleBinding"
                } else {
                    "ClusterRoleBinding"
                };
                let mut meta: Vec<(&str, J)> = vec![("name", s(&bname))];
                if let Some(n) = ns {
                    meta.push(("namespace", s(n)));
                }
                let body = o(vec![
                    ("kind", s(kind)),
                    ("apiVersion", s("rbac.authorization.k8s.io/v1")),
                    ("metadata", o(meta)),
                    ("subjects", J::A(vec![subject])),
                    (
                        "roleRef",
                        o(vec![
                            ("apiGroup", s("rbac.authorization.k8s.io")),
                            ("kind", s(rkind)),
                            ("name", s(rname)),
                        ]),
                    ),
                ]);
                let resource = if ns.is_some() {
                    "rolebindings"
                } else {
                    "clusterrolebindings"
                };
                (
                    if x.op == Op::Revoke {
                        "delete"
                    } else {
                        "create"
                    },
                    resource,
                    ns.map(str::to_owned),
                    bname,
                    Some(body),
                )
            }
        };
    let rbac = resource.ends_with("bindings");
    let group_path = if rbac {
        "/apis/rbac.authorization.k8s.io/v1"
    } else {
        "/api/v1"
    };
    let uri = match &ns {
        Some(n) => format!(
            "{group_path}/namespaces/{n}/{resource}{}",
            if verb == "delete" {
                format!("/{name}")
            } else {
                String::new()
            }
        ),
        None => format!(
            "{group_path}/{resource}{}",
            if verb == "delete" {
                format!("/{name}")
            } else {
                String::new()
            }
        ),
    };
    let mut obj: Vec<(&str, J)> = vec![("resource", s(resource))];
    if let Some(n) = &ns {
        obj.push(("namespace", s(n)));
    }
    obj.push(("name", s(&name)));
    if rbac {
        obj.push(("apiGroup", s("rbac.authorization.k8s.io")));
    }
    obj.push(("apiVersion", s("v1")));
    let status = match (&x.outcome, verb) {
        (Outcome::Failed(r), _) => o(vec![
            ("metadata", o::<&str>(vec![])),
            ("status", s("Failure")),
            (
                "message",
                s(format!(
                    "{resource}.rbac.authorization.k8s.io is forbidden: User \"{actor}\" cannot create resource \"{resource}\""
                )),
            ),
            ("reason", s(*r)),
            ("code", J::N(403)),
        ]),
        (_, "create") => o(vec![("metadata", o::<&str>(vec![])), ("code", J::N(201))]),
        _ => o(vec![("metadata", o::<&str>(vec![])), ("code", J::N(200))]),
    };
    let received = x.at - Duration::milliseconds(12);
    let mut rec: Vec<(&str, J)> = vec![
        ("kind", s("Event")),
        ("apiVersion", s("audit.k8s.io/v1")),
        ("level", s("RequestResponse")),
        ("auditID", s(x.sid.clone().unwrap_or_default())),
        ("stage", s("ResponseComplete")),
        ("requestURI", s(uri)),
        ("verb", s(verb)),
        (
            "user",
            o(vec![
                ("username", s(&actor)),
                (
                    "groups",
                    J::A(vec![s("system:serviceaccounts"), s("system:authenticated")]),
                ),
            ]),
        ),
        (
            "sourceIPs",
            J::A(vec![s(format!(
                "10.42.{}.{}",
                rng.below(8),
                2 + rng.below(250)
            ))]),
        ),
        ("userAgent", s("iga-provisioner/2.4.1")),
        ("objectRef", o(obj)),
        ("responseStatus", status),
    ];
    // Deletes carry the removed object in the response (audit level RequestResponse), so the
    // binding's subjects are known even when its create predates the log.
    match (verb, body) {
        ("create", Some(b)) => rec.push(("requestObject", b)),
        (_, Some(b)) if x.outcome == Outcome::Ok => rec.push(("responseObject", b)),
        _ => {}
    }
    rec.push((
        "requestReceivedTimestamp",
        s(received.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()),
    ));
    rec.push((
        "stageTimestamp",
        s(x.at.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()),
    ));
    rec.push((
        "annotations",
        o(vec![
            (
                "authorization.k8s.io/decision",
                s(if matches!(x.outcome, Outcome::Failed(_)) {
                    "forbid"
                } else {
                    "allow"
                }),
            ),
            ("authorization.k8s.io/reason", s("")),
        ]),
    ));
    let _ = w;
    o(rec)
}

fn linux(x: &Exec, rng: &mut Rng) -> String {
    let user = x.account.split('@').next().unwrap_or(&x.account);
    let ent = x.ent.clone().unwrap_or_default();
    let pid = 2000 + rng.below(60_000);
    let (process, msg) = match x.op {
        Op::Create => {
            let uid = 2000 + fnv(user) % 50_000;
            (
                "useradd",
                format!(
                    "new user: name={user}, UID={uid}, GID={uid}, home=/home/{user}, shell=/bin/bash, from=/dev/pts/0"
                ),
            )
        }
        Op::Grant => ("usermod", format!("add '{user}' to group '{ent}'")),
        Op::Revoke => match &x.actor {
            Some(a) => (
                "gpasswd",
                format!(
                    "user {user} removed by {} from group {ent}",
                    a.split('@').next().unwrap_or(a)
                ),
            ),
            None => ("usermod", format!("delete '{user}' from group '{ent}'")),
        },
        Op::Delete => ("userdel", format!("delete user '{user}'")),
        Op::Disable => ("usermod", format!("lock user '{user}' password")),
        Op::Enable => ("usermod", format!("unlock user '{user}' password")),
        _ => (
            "passwd",
            format!("pam_unix(passwd:chauthtok): password changed for {user}"),
        ),
    };
    format!(
        "{} {BASTION} {process}[{pid}]: {msg}",
        x.at.format("%Y-%m-%dT%H:%M:%S%.6f+00:00")
    )
}

/// One CSV field, quoted when it has to be.
pub fn csv(v: &str) -> String {
    if v.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", v.replace('"', "\"\""))
    } else {
        v.to_owned()
    }
}

pub const FINANCE_HEADER: &str =
    "Timestamp,System,Account,Action,Entitlement,Performed By,Result,Error,Request,Event ID";

fn finance(x: &Exec) -> String {
    let action = match x.op {
        Op::Create => "Create User",
        Op::Grant => "Add Role",
        Op::Revoke => "Remove Role",
        Op::Disable => "Disable User",
        Op::Delete => "Delete User",
        Op::Enable => "Enable User",
        Op::CredCreate => "Create API Key",
        Op::CredRotate => "Rotate API Key",
        Op::CredDelete => "Delete API Key",
        _ => "Rotate API Key",
    };
    let (result, error) = match &x.outcome {
        Outcome::Ok => ("Success", ""),
        Outcome::Failed(r) => ("Failure", *r),
        Outcome::Queued => ("Pending", ""),
    };
    [
        x.at.format("%m/%d/%Y %H:%M:%S").to_string(),
        Sys::Finance.id().to_owned(),
        x.account.clone(),
        action.to_owned(),
        x.ent.clone().unwrap_or_default(),
        x.actor.clone().unwrap_or_default(),
        result.to_owned(),
        error.to_owned(),
        x.req.clone().unwrap_or_default(),
        x.sid.clone().unwrap_or_default(),
    ]
    .iter()
    .map(|f| csv(f))
    .collect::<Vec<_>>()
    .join(",")
}

/// An interactive sign-in: an Okta `user.session.start`, or a CloudTrail `ConsoleLogin` by the
/// account's root user; a refused one as Okta's `FAILURE` or CloudTrail's `Failure`.
pub fn sign_in_line(x: &SignIn) -> String {
    let aws_result = if x.ok { "Success" } else { "Failure" };
    match x.sys {
        Sys::Aws => o(vec![
            ("eventVersion", s("1.09")),
            (
                "userIdentity",
                o(vec![
                    ("type", s("Root")),
                    ("principalId", s(AWS_ACCOUNT)),
                    ("arn", s(&x.account)),
                    ("accountId", s(AWS_ACCOUNT)),
                ]),
            ),
            ("eventTime", s(iso(x.at))),
            ("eventSource", s("signin.amazonaws.com")),
            ("eventName", s("ConsoleLogin")),
            ("awsRegion", s("us-east-1")),
            ("sourceIPAddress", s("198.51.100.41")),
            (
                "userAgent",
                s("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36"),
            ),
            ("requestParameters", J::Null),
            ("responseElements", o(vec![("ConsoleLogin", s(aws_result))])),
            ("additionalEventData", o(vec![("MFAUsed", s("Yes"))])),
            ("eventID", s(&x.sid)),
            ("readOnly", J::B(false)),
            ("eventType", s("AwsConsoleSignIn")),
            ("managementEvent", J::B(true)),
            ("recipientAccountId", s(AWS_ACCOUNT)),
        ])
        .text(),
        _ => o(vec![
            (
                "actor",
                o(vec![
                    ("id", s(stable_token("00u", &x.account, 17))),
                    ("type", s("User")),
                    ("alternateId", s(&x.account)),
                    ("displayName", s(&x.display)),
                ]),
            ),
            ("displayMessage", s("User login to Okta")),
            ("eventType", s("user.session.start")),
            (
                "outcome",
                if x.ok {
                    o(vec![("result", s("SUCCESS"))])
                } else {
                    o(vec![
                        ("result", s("FAILURE")),
                        ("reason", s("VERIFICATION_ERROR")),
                    ])
                },
            ),
            ("published", s(iso_ms(x.at))),
            ("severity", s("INFO")),
            ("target", J::A(vec![])),
            ("uuid", s(&x.sid)),
            ("version", s("0")),
        ])
        .text(),
    }
}
