//! Routine read-only activity (sign-ins, reads) that the importers skip: real logs are mostly this, and --scale grows it for benchmarks.

use chrono::Duration;

use crate::json::{J, o, s};
use crate::model::*;
use crate::rng::Rng;
use crate::world::World;

/// Skipped-event lines, per system. Only people who never leave act, so no noise line could
/// ever read as activity after termination or as interactive use of an NHI.
pub fn lines(w: &World, rng: &mut Rng, scale: u32) -> Vec<(Sys, Ts, String)> {
    let mut out = Vec::new();
    // Grows with the square of the scale: the benchmark sets (--scale 10: ~1.3M log lines)
    // are mostly noise, like real logs, while the committed copy stays small.
    let per_month = if scale <= 1 {
        4
    } else {
        7 * u64::from(scale) * u64::from(scale)
    };
    let mut counter = 0u64;
    for id in &w.stable {
        let p = w.ident(id);
        let systems: Vec<Sys> = role(&p.role).access.iter().map(|a| a.0).collect();
        for month in 1..=12u32 {
            for _ in 0..per_month {
                let sys = *rng.pick(&systems);
                let day = rng.range(1, 28) as u32;
                let at = ts(2025, month, day, 0, 0, 0)
                    + Duration::seconds(rng.range(6 * 3600, 20 * 3600));
                counter += 1;
                out.push((sys, at, line(sys, p.account_in(sys), at, rng, counter)));
            }
        }
    }
    out
}

fn line(sys: Sys, account: String, at: Ts, rng: &mut Rng, n: u64) -> String {
    let t = at.format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let ms = at.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string();
    match sys {
        Sys::Aws => o(vec![
            ("eventVersion", s("1.09")),
            (
                "userIdentity",
                o(vec![
                    ("type", s("IAMUser")),
                    (
                        "arn",
                        s(format!("arn:aws:iam::{AWS_ACCOUNT}:user/{account}")),
                    ),
                    ("accountId", s(AWS_ACCOUNT)),
                    ("userName", s(&account)),
                ]),
            ),
            ("eventTime", s(t)),
            ("eventSource", s("signin.amazonaws.com")),
            ("eventName", s("ConsoleLogin")),
            ("awsRegion", s("us-east-1")),
            (
                "sourceIPAddress",
                s(format!("203.0.113.{}", 10 + rng.below(200))),
            ),
            (
                "userAgent",
                s("Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15"),
            ),
            ("requestParameters", J::Null),
            ("responseElements", o(vec![("ConsoleLogin", s("Success"))])),
            ("additionalEventData", o(vec![("MFAUsed", s("Yes"))])),
            ("eventID", s(rng.uuid())),
            ("readOnly", J::B(false)),
            ("eventType", s("AwsConsoleSignIn")),
            ("managementEvent", J::B(true)),
            ("recipientAccountId", s(AWS_ACCOUNT)),
        ])
        .text(),
        Sys::Okta => o(vec![
            (
                "actor",
                o(vec![
                    ("id", s(format!("00u{}", rng.hex(17)))),
                    ("type", s("User")),
                    ("alternateId", s(&account)),
                    ("displayName", s(&account)),
                ]),
            ),
            ("displayMessage", s("User login to Okta")),
            ("eventType", s("user.session.start")),
            ("outcome", o(vec![("result", s("SUCCESS"))])),
            ("published", s(ms)),
            ("severity", s("INFO")),
            ("target", J::A(vec![])),
            ("uuid", s(rng.uuid())),
            ("version", s("0")),
        ])
        .text(),
        Sys::Entra => o(vec![
            ("id", s(format!("IPCGraph_{}", rng.hex(12)))),
            ("category", s("Policy")),
            ("result", s("success")),
            ("activityDisplayName", s("Update conditional access policy")),
            ("activityDateTime", s(ms)),
            ("loggedByService", s("Conditional Access")),
            (
                "initiatedBy",
                o(vec![("user", o(vec![("userPrincipalName", s(&account))]))]),
            ),
            (
                "targetResources",
                J::A(vec![o(vec![
                    ("id", s(rng.uuid())),
                    ("displayName", s("Require MFA for admins")),
                    ("type", s("Policy")),
                ])]),
            ),
        ])
        .text(),
        Sys::Github => o(vec![
            ("@timestamp", J::N(at.timestamp_millis())),
            (
                "_document_id",
                s(rng.token(
                    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
                    22,
                )),
            ),
            ("action", s("repo.download_zip")),
            ("actor", s(&account)),
            ("created_at", J::N(at.timestamp_millis())),
            ("org", s(GITHUB_ORG)),
            ("repo", s("northwind/platform-api")),
        ])
        .text(),
        Sys::Google => o(vec![
            ("kind", s("admin#reports#activity")),
            (
                "id",
                o(vec![
                    ("time", s(ms)),
                    (
                        "uniqueQualifier",
                        s(format!(
                            "{}",
                            1_000_000_000_000 + rng.below(8_999_999_999_999)
                        )),
                    ),
                    ("applicationName", s("login")),
                    ("customerId", s("C03nw7x2k")),
                ]),
            ),
            (
                "actor",
                o(vec![("callerType", s("USER")), ("email", s(&account))]),
            ),
            (
                "events",
                J::A(vec![o(vec![
                    ("type", s("login")),
                    ("name", s("login_success")),
                    (
                        "parameters",
                        J::A(vec![o(vec![
                            ("name", s("login_type")),
                            ("value", s("saml")),
                        ])]),
                    ),
                ])]),
            ),
        ])
        .text(),
        Sys::K8s => o(vec![
            ("kind", s("Event")),
            ("apiVersion", s("audit.k8s.io/v1")),
            ("level", s("Metadata")),
            ("auditID", s(rng.uuid())),
            ("stage", s("ResponseComplete")),
            ("requestURI", s("/api/v1/namespaces/dev/pods")),
            ("verb", s("list")),
            (
                "user",
                o(vec![
                    ("username", s(&account)),
                    ("groups", J::A(vec![s("system:authenticated")])),
                ]),
            ),
            (
                "objectRef",
                o(vec![
                    ("resource", s("pods")),
                    ("namespace", s("dev")),
                    ("apiVersion", s("v1")),
                ]),
            ),
            (
                "responseStatus",
                o(vec![("metadata", o::<&str>(vec![])), ("code", J::N(200))]),
            ),
            (
                "requestReceivedTimestamp",
                s(at.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()),
            ),
            (
                "stageTimestamp",
                s(at.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()),
            ),
        ])
        .text(),
        Sys::Linux => {
            let user = account.split('@').next().unwrap_or(&account).to_owned();
            format!(
                "{} {BASTION} sshd[{}]: Accepted publickey for {user} from 10.8.{}.{} port {} ssh2: ED25519 SHA256:{}",
                at.format("%Y-%m-%dT%H:%M:%S%.6f+00:00"),
                1000 + rng.below(60_000),
                rng.below(4),
                2 + rng.below(250),
                40_000 + rng.below(20_000),
                rng.token(
                    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/",
                    43
                )
            )
        }
        Sys::Finance => format!(
            "{},finance-app,{account},Login,,{account},Success,,,FL-{n}",
            at.format("%m/%d/%Y %H:%M:%S")
        ),
    }
}
