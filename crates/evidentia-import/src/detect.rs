//! Guesses a file's format from its first bytes, so users can drop a log export in without naming its format.
//!
//! Detection reads content, not names: exports are routinely renamed (`export (3).json`).
//! JSON input (array, envelope or JSON lines) is scanned for the object keys each schema is
//! known by — without parsing, because the head is cut at 64 KiB, usually mid-record — and
//! keys are compared ignoring case, since data lakes lower-case them. The file name only
//! breaks a tie when JSON matches no known schema.
//!
//! | format | recognised by |
//! |---|---|
//! | CloudTrail | `eventName` with `eventSource`, `eventVersion` or `awsRegion` |
//! | Okta | `eventType` with `uuid`, `published`, `legacyEventType` or `displayMessage` (and no CloudTrail keys) |
//! | Entra ID | `activityDisplayName`, or `operationName` with `targetResources`, `initiatedBy` or category `AuditLogs`; sign-in logs: category `SignInLogs`, `NonInteractiveUserSignInLogs`, `ServicePrincipalSignInLogs` or `ManagedIdentitySignInLogs`, a Log Analytics `Type` `SigninLogs`, `AADNonInteractiveUserSignInLogs`, `AADServicePrincipalSignInLogs` or `AADManagedIdentitySignInLogs`, or Graph's `createdDateTime` with `clientAppUsed` or `isInteractive` |
//! | Google Workspace | `kind` `admin#reports#activity`, or `id.applicationName` with `uniqueQualifier`, `customerId`, `events[]` or a flattened event's `name` and `type` |
//! | Kubernetes | `apiVersion` `audit.k8s.io/…`, or `verb` with `objectRef` / `auditID` |
//! | GitHub | `action` shaped like `org.add_member` with `actor` |
//! | Teleport access list reviews | `kind` `access_list_review` |
//! | Linux | syslog lines from `useradd[`, `userdel[`, `usermod[`, `groupadd[`, `groupdel[`, `groupmod[`, `gpasswd[`, or a CSV header with `ProcessName` and `SyslogMessage` |
//! | CSV | other delimited text, and JSON that matches none of the above (read through a profile) |
//!
//! Binary input (NUL bytes, compressed data, mostly invalid UTF-8) gives `None`.

use std::collections::{HashMap, HashSet};

use crate::Format;

/// Guesses the format from the first bytes of a file (up to 64 KiB) and its name.
pub fn detect_format(head: &[u8], file_name: &str) -> Option<Format> {
    let head = head.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(head);
    // A Baton sync is binary: its magic (`C1ZF` for the SQLite format, `C1Z3` for the newer
    // one, which the importer refuses by name) is the only thing to go by.
    if head.starts_with(b"C1ZF\0") || head.starts_with(b"C1Z3\0") {
        return Some(Format::Baton);
    }
    if head.starts_with(&[0x1F, 0x8B]) || head.contains(&0) {
        return None;
    }
    let text = String::from_utf8_lossy(head);
    let chars = text.chars().count().max(1);
    let bad = text
        .chars()
        .filter(|&c| c == char::REPLACEMENT_CHARACTER || (c.is_control() && !c.is_whitespace()))
        .count();
    // A head cut mid-character leaves one replacement at the end; junk leaves many.
    if bad > 2 && bad * 100 > chars {
        return None;
    }
    let trimmed = text.trim_start();
    if trimmed.is_empty() {
        return None;
    }
    if let Some(format) = crate::inventory::detect(trimmed) {
        return Some(format);
    }
    if trimmed.starts_with('{') || trimmed.starts_with('[') {
        return Some(
            detect_json(trimmed).unwrap_or_else(|| by_name(file_name).unwrap_or(Format::Csv)),
        );
    }
    if is_linux(trimmed) {
        return Some(Format::Linux);
    }
    let first_line = trimmed.lines().next().unwrap_or_default();
    if [',', ';', '\t', '|']
        .iter()
        .any(|d| first_line.contains(*d))
    {
        return Some(Format::Csv);
    }
    None
}

/// What the JSON head says: its keys (lower-cased) and the string values of a few of them.
pub(crate) struct Keys {
    keys: HashSet<String>,
    values: HashMap<String, Vec<String>>,
}

impl Keys {
    pub(crate) fn has(&self, key: &str) -> bool {
        self.keys.contains(key)
    }

    pub(crate) fn any(&self, keys: &[&str]) -> bool {
        keys.iter().any(|k| self.has(k))
    }

    pub(crate) fn value_matches(&self, key: &str, test: impl Fn(&str) -> bool) -> bool {
        self.values
            .get(key)
            .is_some_and(|vs| vs.iter().any(|v| test(v)))
    }
}

fn detect_json(text: &str) -> Option<Format> {
    let k = scan_keys(text);
    // A Teleport resource names its kind; no other schema uses this one.
    if k.value_matches("kind", |v| v == crate::teleport_review::REVIEW_KIND) {
        return Some(Format::TeleportReviews);
    }
    if k.has("eventname") && k.any(&["eventsource", "eventversion", "awsregion"]) {
        return Some(Format::Cloudtrail);
    }
    if k.has("eventtype") && k.any(&["uuid", "published", "legacyeventtype", "displaymessage"]) {
        return Some(Format::Okta);
    }
    if k.has("activitydisplayname")
        || (k.has("operationname")
            && (k.any(&["targetresources", "initiatedby"])
                || k.value_matches("category", |v| v.eq_ignore_ascii_case("AuditLogs"))))
    {
        return Some(Format::Entra);
    }
    // Sign-in logs. A Graph user list also has `createdDateTime` and `userPrincipalName`, so
    // Graph sign-ins are known by the fields only a sign-in has.
    if k.value_matches("category", is_sign_in_log)
        || k.value_matches("type", is_sign_in_log)
        || (k.has("createddatetime") && k.any(&["clientappused", "isinteractive"]))
    {
        return Some(Format::Entra);
    }
    if k.value_matches("kind", |v| v == "admin#reports#activity")
        || (k.has("applicationname")
            && (k.any(&["uniquequalifier", "events", "customerid"])
                || (k.has("name") && k.has("type"))))
    {
        return Some(Format::Gworkspace);
    }
    if k.value_matches("apiversion", |v| v.starts_with("audit.k8s.io"))
        || (k.has("verb") && k.any(&["objectref", "auditid"]))
    {
        return Some(Format::K8s);
    }
    if k.has("actor") && k.value_matches("action", looks_like_github_action) {
        return Some(Format::Github);
    }
    None
}

/// The Entra sign-in logs' diagnostic-settings categories and Log Analytics tables.
fn is_sign_in_log(value: &str) -> bool {
    [
        "SignInLogs",
        "NonInteractiveUserSignInLogs",
        "ServicePrincipalSignInLogs",
        "ManagedIdentitySignInLogs",
        "SigninLogs",
        "AADNonInteractiveUserSignInLogs",
        "AADServicePrincipalSignInLogs",
        "AADManagedIdentitySignInLogs",
    ]
    .iter()
    .any(|name| value.eq_ignore_ascii_case(name))
}

/// GitHub audit actions are `area.verb` in lower snake case (`org.add_member`,
/// `repo.access`), or a bare verb like `invite_member`.
fn looks_like_github_action(value: &str) -> bool {
    !value.is_empty()
        && value
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '.')
        && (value.contains('.') || value.contains('_'))
}

/// Collects object keys (and the string values of keys detection looks at) without
/// parsing, so a head cut mid-record still yields everything before the cut.
pub(crate) fn scan_keys(text: &str) -> Keys {
    const VALUED: [&str; 5] = ["kind", "apiversion", "category", "action", "type"];
    let mut keys = HashSet::new();
    let mut values: HashMap<String, Vec<String>> = HashMap::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes.get(i) != Some(&b'"') {
            i += 1;
            continue;
        }
        let Some((string, end)) = read_string(text, i) else {
            break;
        };
        i = end;
        let mut j = end;
        while bytes.get(j).is_some_and(u8::is_ascii_whitespace) {
            j += 1;
        }
        if bytes.get(j) != Some(&b':') {
            continue;
        }
        let key = string.to_ascii_lowercase();
        j += 1;
        while bytes.get(j).is_some_and(u8::is_ascii_whitespace) {
            j += 1;
        }
        if VALUED.contains(&key.as_str()) && bytes.get(j) == Some(&b'"') {
            if let Some((value, end)) = read_string(text, j) {
                let list = values.entry(key.clone()).or_default();
                if list.len() < 64 {
                    list.push(value.to_owned());
                }
                i = end;
            }
        }
        keys.insert(key);
    }
    Keys { keys, values }
}

/// The raw contents of the JSON string starting at byte `start` (a `"`), and the byte after
/// its closing quote; escapes are left as written, which is enough for key names.
fn read_string(text: &str, start: usize) -> Option<(&str, usize)> {
    let bytes = text.as_bytes();
    let mut j = start + 1;
    while let Some(&b) = bytes.get(j) {
        match b {
            b'\\' => j += 2,
            b'"' => return text.get(start + 1..j).map(|s| (s, j + 1)),
            b'\n' => return None,
            _ => j += 1,
        }
    }
    None
}

fn is_linux(text: &str) -> bool {
    const TOOLS: [&str; 7] = [
        "useradd[",
        "userdel[",
        "usermod[",
        "groupadd[",
        "groupdel[",
        "groupmod[",
        "gpasswd[",
    ];
    if TOOLS.iter().any(|t| text.contains(t)) {
        return true;
    }
    let header = text.lines().next().unwrap_or_default().to_ascii_lowercase();
    if header.contains("processname") && header.contains("syslogmessage") {
        return true;
    }
    // An auth log is a syslog file whatever processes its first lines come from (a busy
    // bastion logs thousands of sshd lines before the first useradd): most of the first lines
    // have the syslog shape `<time> <host> <process>[<pid>]: <message>`.
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .take(20)
        .collect();
    !lines.is_empty() && lines.iter().filter(|l| is_syslog_line(l)).count() * 10 >= lines.len() * 8
}

/// `<time> <host> <process>[<pid>]: ...` or `<time> <host> <process>: ...`, where the time is
/// RFC 3339 (one field) or BSD style (`Mar  1 12:00:01`, three fields).
fn is_syslog_line(line: &str) -> bool {
    let fields: Vec<&str> = line.split_whitespace().take(6).collect();
    let bsd_month = |f: &str| {
        [
            "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
        ]
        .contains(&f)
    };
    let process_at = if fields
        .first()
        .is_some_and(|f| f.len() >= 19 && f.as_bytes().get(4) == Some(&b'-') && f.contains('T'))
    {
        2
    } else if fields.first().is_some_and(|f| bsd_month(f))
        && fields.get(2).is_some_and(|f| f.matches(':').count() == 2)
    {
        4
    } else {
        return false;
    };
    fields
        .get(process_at)
        .is_some_and(|p| p.ends_with(':') && p.len() > 1)
}

/// A hint from the file name, used only for JSON no schema recognised.
fn by_name(file_name: &str) -> Option<Format> {
    let name = file_name.to_ascii_lowercase();
    let hints: [(&[&str], Format); 6] = [
        (&["cloudtrail"], Format::Cloudtrail),
        (&["okta"], Format::Okta),
        (
            &["entra", "azuread", "aad", "directoryaudit"],
            Format::Entra,
        ),
        (&["github"], Format::Github),
        (&["gworkspace", "google", "gsuite"], Format::Gworkspace),
        (&["k8s", "kube"], Format::K8s),
    ];
    hints
        .iter()
        .find(|(words, _)| words.iter().any(|w| name.contains(w)))
        .map(|(_, f)| *f)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(head: &str, want: Option<Format>) {
        assert_eq!(detect_format(head.as_bytes(), "input"), want, "{head}");
    }

    #[test]
    fn json_schemas() {
        check(
            r#"{"Records":[{"eventVersion":"1.08","eventName":"CreateUser","eventSource":"iam.amazonaws.com""#,
            Some(Format::Cloudtrail),
        );
        check(
            r#"[{"eventTime":"x","eventName":"ListUsers","awsRegion":"us-east-1","eventType":"AwsApiCall"}]"#,
            Some(Format::Cloudtrail),
        );
        check(
            "{\"eventType\":\"user.session.start\",\"uuid\":\"1\"}\n",
            Some(Format::Okta),
        );
        check(
            "{\"eventtype\":\"x\",\"published\":\"y\"}\n",
            Some(Format::Okta),
        );
        check(
            r#"{"@odata.context":"x","value":[{"activityDisplayName":"Add user""#,
            Some(Format::Entra),
        );
        check(
            r#"{"operationName":"Add user","category":"AuditLogs","properties":{}}"#,
            Some(Format::Entra),
        );
        check(
            r#"{"OperationName":"Add user","TargetResources":"[]"}"#,
            Some(Format::Entra),
        );
        check(
            r#"{"kind":"admin#reports#activity","id":{"applicationName":"admin"}}"#,
            Some(Format::Gworkspace),
        );
        check(
            r#"{"kind":"Event","apiVersion":"audit.k8s.io/v1","verb":"create"}"#,
            Some(Format::K8s),
        );
        check(
            r#"{"kind":"Event","auditID":"1","verb":"create","objectRef":{}}"#,
            Some(Format::K8s),
        );
        check(
            r#"{"actor":"bob","action":"org.add_member","org":"o"}"#,
            Some(Format::Github),
        );
        check(r#"[{"user":"a","action":"create"}]"#, Some(Format::Csv));
    }

    #[test]
    fn entra_sign_in_logs() {
        // Graph `auditLogs/signIns`, cut mid-record as a 64 KiB head would be.
        check(
            r#"{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#auditLogs/signIns","value":[{"id":"1","createdDateTime":"2024-05-01T08:00:00Z","userDisplayName":"Ann","userPrincipalName":"ann@contoso.com","appDisplayName":"Azure Portal","clientAppUsed":"Browser","isInteractive":true,"status":{"errorCo"#,
            Some(Format::Entra),
        );
        // Azure Monitor / Event Hub, one category per log.
        for category in [
            "SignInLogs",
            "NonInteractiveUserSignInLogs",
            "ServicePrincipalSignInLogs",
            "ManagedIdentitySignInLogs",
        ] {
            check(
                &format!(
                    r#"{{"time":"2024-05-01T08:00:00Z","operationName":"Sign-in activity","category":"{category}","resultType":"0","properties":{{"id":"1"}}}}"#
                ),
                Some(Format::Entra),
            );
        }
        // Log Analytics exports, named by their table.
        check(
            r#"[{"TimeGenerated":"2024-05-01T08:00:00Z","ResultType":"0","UserPrincipalName":"a@b.c","Type":"SigninLogs"}]"#,
            Some(Format::Entra),
        );
        check(
            r#"[{"TimeGenerated":"2024-05-01T08:00:00Z","ResultType":"0","ServicePrincipalName":"ci","Type":"AADServicePrincipalSignInLogs"}]"#,
            Some(Format::Entra),
        );
        // A Graph user list is an inventory, not a sign-in log.
        check(
            r#"{"value":[{"id":"u1","createdDateTime":"2023-01-15T10:30:00Z","userPrincipalName":"john@contoso.com","displayName":"John","accountEnabled":true,"signInActivity":{"lastSignInDateTime":"2025-01-06T14:22:33Z"}}]}"#,
            Some(Format::GraphDirectory),
        );
    }

    #[test]
    fn text_formats() {
        check(
            "Jul 30 18:29:52 host useradd[1234]: new user: name=bob, UID=1001\n",
            Some(Format::Linux),
        );
        check(
            "2025-01-01T06:00:26.000000+00:00 bastion sshd[22097]: Accepted publickey for e1025\nJan  1 06:00:31 bastion CRON[1]: session opened\n",
            Some(Format::Linux),
        );
        check(
            "TenantId,ProcessName,SyslogMessage\n1,useradd,x\n",
            Some(Format::Linux),
        );
        check(
            "\u{feff}user,action,time\nalice,grant,2024-01-01\n",
            Some(Format::Csv),
        );
        check("a\tb\n", Some(Format::Csv));
        check("just some words\n", None);
        check("   \n", None);
    }

    #[test]
    fn binary_is_rejected() {
        assert_eq!(detect_format(&[0x1F, 0x8B, 8, 0, 0], "x.gz"), None);
        assert_eq!(detect_format(b"PK\x03\x04\x00\x00", "x.zip"), None);
        let junk: Vec<u8> = (0..512u32).map(|i| (i * 97 % 251) as u8 | 0x80).collect();
        assert_eq!(detect_format(&junk, "x"), None);
        assert_eq!(detect_format(b"", "x"), None);
    }

    #[test]
    fn truncated_heads_and_names_as_tie_breakers() {
        let cut = r#"[{"eventName":"CreateUser","eventSource":"iam.amazonaws.com","requestParameters":{"userNa"#;
        check(cut, Some(Format::Cloudtrail));
        assert_eq!(
            detect_format(br#"[{"x":1}]"#, "okta-export.json"),
            Some(Format::Okta)
        );
        // Content wins over the name.
        assert_eq!(
            detect_format(br#"[{"eventType":"a","uuid":"b"}]"#, "cloudtrail.json"),
            Some(Format::Okta)
        );
    }

    #[test]
    fn never_panics_on_odd_bytes() {
        for head in [
            &b"\""[..],
            b"{\"",
            b"{\"a\\",
            b"{\"\xC3",
            b"[\"\\\"",
            b"{\"kind\":\"",
            b"\xEF\xBB",
        ] {
            let _ = detect_format(head, "");
        }
    }
}
